"""The briefing commands: ``brief`` (articles -> briefing), ``extract`` (one article ->
its extraction) and ``merge`` (extractions -> briefing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from summarizer import pipeline
from summarizer.cli.options import (
    BaseUrl,
    Format,
    Gguf,
    MaxTokens,
    Mode,
    Model,
    Output,
    Verbose,
    emit,
    emit_briefing,
    err,
    load_briefing,
    output_format,
    settings_from,
    warn_partial,
)
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError
from summarizer.evaluate.runner import RUN_FILE, replay_client
from summarizer.extract.cache import ExtractionCache
from summarizer.extract.extraction import extract as extract_one
from summarizer.ingest.articles import require_articles
from summarizer.ingest.fetch import is_url
from summarizer.logs import setup_logging
from summarizer.merge.fold import merge as merge_extractions
from summarizer.model.backends import make_client
from summarizer.model.usage import metered
from summarizer.review.diff import diff_briefings
from summarizer.review.diff import to_markdown as diff_markdown
from summarizer.schema import ArticleExtraction, Briefing


def _replayed(folder: Path, paths: list[str | Path], options: dict[str, Any]) -> Briefing:
    """A briefing whose every model call is answered from ``folder``'s recordings (the same
    requests as when they were recorded, so the same articles and options)."""
    client, _ = replay_client(folder)
    briefing = pipeline.brief(paths, client=client, **options)
    briefing.notice = (
        f"Replayed from recorded answers of {client.model!r} in {folder} (see its "
        f"{RUN_FILE}); no model was called."
    )
    return briefing


def _progress(settings: Settings, verbose: bool) -> pipeline.Observer | None:
    """What to tell the user while a briefing is made: with the demo model (slow, and not
    what a user wants for real work) what to expect before it starts and a line per article;
    with any model, a line per article on a terminal or with --verbose."""
    demo = settings.is_demo_model
    if not (demo or verbose or err.is_terminal):
        return None

    def show(step: pipeline.Progress) -> None:
        if step.done == 0:
            if demo:
                chars = sum(len(a.prompt_text) for a in step.articles)
                low, high = pipeline.demo_seconds(step.articles)
                err.print(
                    f"note: no --model given, so the built-in demo model (SmolLM2-135M, in "
                    f"process) reads {step.total} article{'s' * (step.total != 1)} "
                    f"({chars:,} characters): expect {_duration(low)} to {_duration(high)} "
                    "here, and a briefing that only shows the plumbing works. For a real one: "
                    "--base-url URL --model NAME (or SUMMARIZER_BASE_URL, SUMMARIZER_MODEL).",
                    markup=False,
                    soft_wrap=True,
                )
            return
        name = step.article.id if step.article else "?"
        err.print(
            f"extracted {step.done}/{step.total}: {name} ({_duration(step.seconds)})",
            markup=False,
            soft_wrap=True,
        )

    return show


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = seconds / 60
    return f"{round(minutes)} min" if minutes >= 10 else f"{minutes:.1f} min"


def brief(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Article files, folders or http(s) URLs (one event).", show_default=False
        ),
    ],
    output: Output = None,
    fmt: Format = None,
    title: Annotated[str | None, typer.Option(help="Event title for the briefing.")] = None,
    summary: Annotated[
        bool, typer.Option(help="Have the model write the cited event summary (one more call).")
    ] = True,
    model_merge: Annotated[
        bool,
        typer.Option(help="Ask the model about item pairs the matcher cannot decide (slower)."),
    ] = False,
    consolidate: Annotated[
        bool | None,
        typer.Option(
            help="Merge with the model's labels of items and actors and its search for "
            "disagreements (about six calls an event); default: on, except with the demo model."
        ),
    ] = None,
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    gguf: Gguf = None,
    max_tokens: MaxTokens = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            help="Answer from this folder of recorded model answers (e.g. "
            "eval/recordings/capable-llm) instead of a model: no model, no network."
        ),
    ] = None,
    update: Annotated[
        Path | None,
        typer.Option(
            help="Update this briefing JSON: extract only new or edited articles (the others "
            "come from BRIEFING.cache/); an unchanged folder makes no model call. Written back "
            "to it unless -o says otherwise."
        ),
    ] = None,
    diff_out: Annotated[
        Path | None,
        typer.Option("--diff", help="With --update: write what changed (Markdown) here."),
    ] = None,
    fetch_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a URL before naming it failed.")
    ] = 20.0,
    verbose: Verbose = False,
) -> None:
    """Extract every article and merge them into one briefing."""
    setup_logging(verbose)
    if diff_out is not None and update is None:
        raise ConfigError("--diff needs --update (what the briefing is compared with)")
    if update is not None and output is None:
        output = update
    form = output_format(output, fmt)
    options: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "model_merge": model_merge,
        "consolidate": consolidate,
    }
    previous = load_briefing(update) if update is not None and update.is_file() else None
    inputs: list[str | Path] = [p if is_url(p) else Path(p) for p in paths]
    if any(is_url(p) for p in paths):  # the fetched texts, kept beside the briefing
        options["fetched"] = (
            output.with_name(output.stem + ".sources") if output else Path("fetched")
        )
        options["fetch_timeout"] = fetch_timeout
    if replay is not None:
        briefing = _replayed(replay, inputs, options)
    else:
        settings = settings_from(
            base_url=base_url, model=model, mode=mode, gguf_path=gguf, max_tokens=max_tokens
        )
        options["progress"] = _progress(settings, verbose)
        if update is not None:
            options["cache"] = ExtractionCache(update.with_name(update.name + ".cache"), settings)
            options["previous"] = previous
        briefing = pipeline.brief(inputs, settings=settings, **options)
    warn_partial(briefing)
    emit_briefing(briefing, form, output)
    if diff_out is not None:
        old = previous or Briefing()
        emit(diff_markdown(diff_briefings(old, briefing), str(update), str(output)), diff_out)
    if briefing.partial or briefing.failures:
        raise typer.Exit(code=1)


def extract(
    article: Annotated[Path, typer.Argument(help="One article file.")],
    output: Output = None,
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    gguf: Gguf = None,
    max_tokens: MaxTokens = None,
    verbose: Verbose = False,
) -> None:
    """Extract one article to an ArticleExtraction JSON (input for `summarizer merge`)."""
    setup_logging(verbose)
    settings = settings_from(
        base_url=base_url, model=model, mode=mode, gguf_path=gguf, max_tokens=max_tokens
    )
    articles = require_articles([article])
    client = make_client(settings)
    try:
        results = [extract_one(a, client) for a in articles]
    finally:
        client.close()
    body = results[0] if len(results) == 1 else results
    text = (
        body.model_dump_json(indent=2)
        if isinstance(body, ArticleExtraction)
        else json.dumps([r.model_dump(mode="json") for r in results], indent=2)
    )
    emit(text + "\n", output)
    gaps = [gap for r in results for gap in r.gaps]
    for gap in gaps:
        err.print(f"warning: {gap.source}: {gap.reason}")
    if gaps:
        raise typer.Exit(code=1)


def _load_extractions(paths: list[Path]) -> list[ArticleExtraction]:
    """Every extraction in the files; two different articles under one source id, or no
    extraction at all, is an error (merging would mix their evidence up)."""
    out = _read_extractions(paths)
    if not out:
        raise InputError(", ".join(map(str, paths)), "no extractions to merge")
    seen: dict[str, ArticleExtraction] = {}
    for x in out:
        first = seen.setdefault(x.source.id, x)
        if first is not x and first.source != x.source:
            raise InputError(
                x.source.path or x.source.id,
                f"two different articles share the source id {x.source.id!r} "
                f"({first.source.path or '?'} and {x.source.path or '?'}); re-extract one "
                "under another name",
            )
    return out


def _read_extractions(paths: list[Path]) -> list[ArticleExtraction]:
    out: list[ArticleExtraction] = []
    for path in paths:
        if not path.is_file():
            raise InputError(path, "no such file")
        try:
            data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(path, f"not valid JSON ({exc})") from exc
        rows = data if isinstance(data, list) else [data]
        for row in rows:
            try:
                out.append(ArticleExtraction.model_validate(row))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(map(str, first["loc"])) or "(top level)"
                problem = f"not an ArticleExtraction ({where}: {first['msg']})"
                raise InputError(path, problem) from exc
    return out


def merge(
    extractions: Annotated[list[Path], typer.Argument(help="ArticleExtraction JSON files.")],
    output: Output = None,
    fmt: Format = None,
    title: Annotated[str | None, typer.Option(help="Event title for the briefing.")] = None,
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    verbose: Verbose = False,
) -> None:
    """Merge per-article extractions into one briefing: by rules alone, or with --model (and
    --base-url) by the model's labels of what each item is about, then the rules' guards."""
    setup_logging(verbose)
    loaded = _load_extractions(extractions)
    if model is None and base_url is None:
        briefing = merge_extractions(loaded, title=title)
    else:
        client = make_client(settings_from(base_url=base_url, model=model, mode=mode))
        try:
            with metered() as meter:
                briefing = pipeline.labelled_merge(loaded, client, title=title)
            briefing.usage = briefing.usage + meter.usage
        finally:
            client.close()
    emit_briefing(briefing, output_format(output, fmt), output)
