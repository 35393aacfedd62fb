"""The ``summarizer`` command. Thin: parse arguments, call the library, print.

This is the only place where :class:`~summarizer.errors.SummarizerError` becomes a one-line
message and an exit code; no traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from summarizer import pipeline
from summarizer.cli.click_compat import ERRORS, EXITS, STOPS, exit_code, one_line
from summarizer.config import Settings
from summarizer.errors import InputError, SummarizerError
from summarizer.evaluate.runner import RUN_FILE, replay_client
from summarizer.extract.extraction import extract as extract_one
from summarizer.files import write_atomic
from summarizer.ingest.articles import article_text, require_articles
from summarizer.logs import setup_logging
from summarizer.merge.fold import merge as merge_extractions
from summarizer.model.backends import make_client
from summarizer.model.usage import metered
from summarizer.render import format_from, render, to_markdown
from summarizer.schema import ArticleExtraction, Briefing, json_schemas

app = typer.Typer(
    help="Turn several news articles about one event into a source-grounded briefing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)

BaseUrl = Annotated[
    str | None,
    typer.Option(help="OpenAI-compatible server URL, e.g. http://localhost:11434/v1 (Ollama)."),
]
Model = Annotated[str | None, typer.Option(help="Model name on that server, e.g. gpt-4o-mini.")]
Mode = Annotated[
    str | None, typer.Option(help="Structured output: auto, tools, json_schema, json, md_json.")
]
Gguf = Annotated[str | None, typer.Option(help="Run this GGUF file in process (llama.cpp).")]
MaxTokens = Annotated[int | None, typer.Option(help="Completion token cap per call.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="json, md or html (default: from the --output suffix, else json)."
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")]


def _settings(**options: Any) -> Settings:
    return Settings.from_env(**options)


def _format(output: Path | None, fmt: str | None) -> str:
    return format_from(output, fmt)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        err.print(f"wrote {output}")


def _render(briefing: Briefing, fmt: str) -> str:
    """JSON, Markdown, or the HTML report (article texts read from each ``Source.path``)."""
    return render(briefing, fmt)


def _replayed(folder: Path, paths: list[Path], options: dict[str, Any]) -> Briefing:
    """A briefing whose every model call is answered from ``folder``'s recordings (the same
    requests as when they were recorded, so the same articles and options)."""
    client, _ = replay_client(folder)
    briefing = pipeline.brief(paths, client=client, **options)
    briefing.notice = (
        f"Replayed from recorded answers of {client.model!r} in {folder} (see its "
        f"{RUN_FILE}); no model was called."
    )
    return briefing


def _warn_partial(briefing: Briefing) -> None:
    """Name on stderr what the briefing lacks: failed inputs and lists cut at max_tokens."""
    for failure in briefing.failures:
        err.print(f"warning: {failure.source}: {failure.reason}")
    for gap in briefing.gaps:
        err.print(f"warning: {gap.source}: {gap.reason}")


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
                minutes = pipeline.demo_minutes(step.articles)
                err.print(
                    f"note: no --model given, so the built-in demo model (SmolLM2-135M, in "
                    f"process) reads {step.total} article{'s' * (step.total != 1)} "
                    f"({chars:,} characters): expect about {_minutes(minutes)} here, and a "
                    "briefing that only shows the plumbing works. For a real one: "
                    "--base-url URL --model NAME (or SUMMARIZER_BASE_URL, SUMMARIZER_MODEL).",
                    markup=False,
                    soft_wrap=True,
                )
            return
        name = step.article.id if step.article else "?"
        err.print(
            f"extracted {step.done}/{step.total}: {name} ({_minutes(step.seconds / 60)})",
            markup=False,
            soft_wrap=True,
        )

    return show


def _minutes(minutes: float) -> str:
    if minutes < 1:
        return f"{max(1, round(minutes * 60))} s"
    return f"{round(minutes)} min" if minutes >= 10 else f"{minutes:.1f} min"


@app.command()
def brief(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders (one event).")],
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
    verbose: Verbose = False,
) -> None:
    """Extract every article and merge them into one briefing."""
    setup_logging(verbose)
    form = _format(output, fmt)
    options: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "model_merge": model_merge,
        "consolidate": consolidate,
    }
    if replay is not None:
        briefing = _replayed(replay, list(paths), options)
    else:
        settings = _settings(
            base_url=base_url, model=model, mode=mode, gguf_path=gguf, max_tokens=max_tokens
        )
        options["progress"] = _progress(settings, verbose)
        briefing = pipeline.brief(list(paths), settings=settings, **options)
    _warn_partial(briefing)
    _emit(_render(briefing, form), output)
    if briefing.partial or briefing.failures:
        raise typer.Exit(code=1)


@app.command()
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
    settings = _settings(
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
    _emit(text + "\n", output)
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


@app.command()
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
        client = make_client(_settings(base_url=base_url, model=model, mode=mode))
        try:
            with metered() as meter:
                briefing = pipeline.labelled_merge(loaded, client, title=title)
            briefing.usage = briefing.usage + meter.usage
        finally:
            client.close()
    _emit(_render(briefing, _format(output, fmt)), output)


@app.command()
def schema(
    output_dir: Annotated[
        Path | None, typer.Option("--write", help="Write the JSON Schema files to this folder.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schemas of the data model."""
    schemas = json_schemas()
    if output_dir is None:
        sys.stdout.write(json.dumps(schemas, indent=2) + "\n")
        return
    for name, body in schemas.items():
        write_atomic(output_dir / name, json.dumps(body, indent=2) + "\n")
    err.print(f"wrote {len(schemas)} schema files to {output_dir}")


def _load_briefing(path: Path) -> Briefing:
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        return Briefing.model_validate_json(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, "not a UTF-8 text file") from exc
    except ValidationError as exc:
        first = str(exc).splitlines()[:3]
        raise InputError(path, "not a briefing JSON: " + " ".join(first)) from exc


@app.command()
def show(
    briefing_file: Annotated[Path, typer.Argument(help="A briefing JSON (from `brief`).")],
    width: Annotated[int | None, typer.Option(help="Wrap at this many columns.")] = None,
) -> None:
    """Print a briefing JSON as formatted Markdown in the terminal."""
    from rich.markdown import Markdown

    markdown = to_markdown(_load_briefing(briefing_file))
    Console(width=width, soft_wrap=False).print(Markdown(markdown))


@app.command()
def text(
    article: Annotated[Path, typer.Argument(help="An article file (.txt, .md, .html, .json).")],
    record: Annotated[
        str | None, typer.Option("--id", help="The record id, for a JSON file of several.")
    ] = None,
) -> None:
    """Print exactly the text that evidence offsets refer to (for HTML: the extracted text)."""
    body = article_text(article, record).text
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(body)
    else:
        sys.stdout.flush()
        stream.write(body.encode("utf-8"))
        stream.flush()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning our errors into one line and an exit code."""
    command = typer.main.get_command(app)
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        code = command.main(args=args, prog_name="summarizer", standalone_mode=False)
    except SummarizerError as exc:
        if debug:
            raise
        sys.stderr.write("error: " + " ".join(str(exc).split()) + "\n")
        sys.exit(exc.exit_code)
    except EXITS as exc:
        sys.exit(exit_code(exc))
    except ERRORS as exc:  # a usage error: one line, exit 2 (whichever click typer runs on)
        line = one_line(exc)
        if line:
            sys.stderr.write(line + "\n")
        sys.exit(exit_code(exc))
    except STOPS:
        err.print("interrupted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


from summarizer.cli.batch import batch_command  # noqa: E402  (registered last: it imports batch)

app.command("batch")(batch_command)

from summarizer.cli.eval import eval_command  # noqa: E402  (registered last, like batch)

app.command("eval")(eval_command)
