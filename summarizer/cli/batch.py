"""``summarizer batch``: brief a folder of events (thin: parse, call :mod:`summarizer.batch.run`,
show).

Progress goes to standard error: a live bar on a terminal, plain log lines otherwise (CI logs,
pipes); ``--progress`` chooses explicitly. Exit codes: 0 everything briefed; 1 some article or
event failed (the summary lists them); 5 the token budget stopped the run; 130 interrupted
(rerun the same command to resume: finished articles come from the cache).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from summarizer.batch.offline import Results, run_batch_api, run_with_answers, write_batch_file
from summarizer.batch.run import (
    CACHE_DIR_NAME,
    ArticleReport,
    BatchObserver,
    BatchResult,
    EventReport,
    RunStats,
    arun_batch,
)
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.extract.cache import ExtractionCache
from summarizer.logs import setup_logging
from summarizer.render.common import usage_line

err = Console(stderr=True, highlight=False, soft_wrap=True)
log = logging.getLogger("summarizer.batch.run")
PLAIN_EVERY_S = 5.0


def _detail(stats: RunStats) -> str:
    return (
        f"done {stats.done} · cached {stats.cached} · failed {stats.failed}"
        + (f" · skipped {stats.skipped}" if stats.skipped else "")
        + f" · {stats.tokens:,} tokens"
    )


class BarObserver(BatchObserver):
    """A rich progress bar: articles finished of all, counts, tokens, ETA."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]articles"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            refresh_per_second=4,
            transient=False,
        )
        self.task: TaskID | None = None
        self.stats: RunStats | None = None

    def started(self, stats: RunStats) -> None:
        self.stats = stats
        self.task = self.progress.add_task(
            "articles", total=stats.articles, completed=stats.finished, detail=_detail(stats)
        )

    def article_done(self, stats: RunStats, event: str, report: ArticleReport) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=stats.finished, detail=_detail(stats))
        if report.status == "failed":
            self.progress.console.print(
                f"[red]failed[/red] {event}/{report.id}: {report.error}", markup=True
            )

    def event_done(self, stats: RunStats, report: EventReport) -> None:
        if report.status != "ok":
            self.progress.console.print(f"event {report.event}: {report.status}", markup=False)


class LineObserver(BatchObserver):
    """Plain log lines: a line per event, per failure, and a progress line every few seconds."""

    def __init__(self, console: Console, every: float = PLAIN_EVERY_S) -> None:
        self.console = console
        self.every = every
        self.last = time.monotonic()
        self.stats: RunStats | None = None

    def _line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def started(self, stats: RunStats) -> None:
        self.stats = stats
        self._line(
            f"batch: {stats.events} events, {stats.articles} articles "
            f"({stats.cached} cached, {stats.articles - stats.cached} to extract)"
        )

    def article_done(self, stats: RunStats, event: str, report: ArticleReport) -> None:
        if report.status == "failed":
            self._line(f"failed: {event}/{report.id}: {report.error}")
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            eta = stats.eta()
            left = f", ETA {eta:.0f}s" if eta is not None else ""
            self._line(f"articles {stats.finished}/{stats.articles}: {_detail(stats)}{left}")

    def event_done(self, stats: RunStats, report: EventReport) -> None:
        self._line(
            f"event {report.event}: {report.status} ({len(report.articles)} articles, "
            f"{report.tokens:,} tokens, {report.seconds:.1f}s)"
            + (f": {report.error}" if report.error else "")
        )


def _observer(progress: str) -> BatchObserver:
    if progress not in ("auto", "bar", "plain", "none"):
        raise SummarizerError(f"unknown --progress {progress!r}; use auto, bar, plain or none")
    if progress == "auto":
        progress = "bar" if err.is_terminal else "plain"
    if progress == "bar":
        return BarObserver(err)
    if progress == "plain":
        return LineObserver(err)
    return BatchObserver()


def _summary(result: BatchResult) -> None:
    r = result.report
    err.print(
        f"events: {r.events} ({r.events_ok} ok, {r.events_partial} partial, "
        f"{r.events_failed} failed, {r.events_stopped} stopped)",
        markup=False,
    )
    err.print(
        f"articles: {r.articles} ({r.done} extracted, {r.cached} cached, {r.failed} failed, "
        f"{r.skipped} skipped); model calls: {r.model_calls}; tokens: {r.tokens:,} "
        f"({r.usage.prompt_tokens:,} prompt + {r.usage.completion_tokens:,} completion); "
        f"time: {r.seconds:.1f}s",
        markup=False,
    )
    if r.usage.by_kind:
        err.print("usage by kind: " + usage_line(r.usage), markup=False)
    for event in result.events:
        for article in event.articles:
            if article.status == "failed":
                err.print(f"  failed: {event.event}/{article.id}: {article.error}", markup=False)
        if event.status == "failed":
            err.print(f"  event failed: {event.event}: {event.error}", markup=False)
    if r.budget_reached:
        err.print(
            f"token budget {r.token_budget:,} reached: {r.skipped} articles not started; "
            "rerun with a larger --token-budget to finish",
            markup=False,
        )
    if r.output:
        err.print(f"briefings in {r.output}; run report {Path(r.output) / 'run.jsonl'}")


def _run(root: Path, observer: BatchObserver, **options: Any) -> BatchResult:
    return _shown(arun_batch(root, observer=observer, **options), observer)


def _shown(run: Coroutine[Any, Any, BatchResult], observer: BatchObserver) -> BatchResult:
    """Run the batch, under the live bar when there is one."""
    if isinstance(observer, BarObserver):
        with observer.progress:
            return asyncio.run(run)
    return asyncio.run(run)


def _cache_of(options: dict[str, Any]) -> ExtractionCache:
    if not options["use_cache"]:
        raise ConfigError("batch files and the Batch API need the cache (drop --no-cache)")
    folder = options["cache_dir"] or Path(options["output"]) / CACHE_DIR_NAME
    return ExtractionCache(folder, options["settings"])


def _write_requests(root: Path, path: Path, settings: Settings, options: dict[str, Any]) -> None:
    lines, articles = write_batch_file(root, path, settings=settings, cache=_cache_of(options))
    err.print(
        f"wrote {lines:,} requests for {articles:,} uncached articles to {path}; run them (for "
        "example `python -m vllm.entrypoints.openai.run_batch -i REQUESTS -o RESULTS`), then "
        "`summarizer batch ROOT -o DIR --batch-file-in RESULTS` with the same options",
        markup=False,
    )


def _run_answered(
    root: Path,
    observer: BatchObserver,
    files: list[Path],
    api: bool,
    fallback: str,
    rounds: int,
    poll: float,
    options: dict[str, Any],
) -> BatchResult:
    settings: Settings = options["settings"]
    results = Results()
    for path in files:
        results.read(path.read_text("utf-8") if path.is_file() else _missing(path), str(path))
    if api:
        results, _ = asyncio.run(
            run_batch_api(
                root, output=Path(options["output"]), settings=settings,
                cache=_cache_of(options), max_rounds=rounds, poll_seconds=poll,
                say=lambda line: err.print(line, markup=False),
            )
        )  # fmt: skip
    answered = results.usage_lines
    err.print(
        f"batch answers: {answered:,} ({results.prompt_tokens:,} prompt + "
        f"{results.completion_tokens:,} completion tokens); {len(results.failed):,} failed",
        markup=False,
    )
    run = run_with_answers(
        root, results, observer=observer, fallback=fallback,
        **{k: v for k, v in options.items() if k != "output"}, output=Path(options["output"]),
    )  # fmt: skip
    return _shown(run, observer)


def _missing(path: Path) -> str:
    raise InputError(path, "no such results file")


def batch_command(
    root: Annotated[
        Path, typer.Argument(help="A folder with one subfolder per event, or a manifest file.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for briefings, run.jsonl and cache.")
    ],
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            "-c",
            help="Articles in flight across all events (default: SUMMARIZER_CONCURRENCY or 8).",
        ),
    ] = None,
    token_budget: Annotated[
        int | None, typer.Option(help="Stop starting new articles near this many tokens.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Extraction cache folder (default: OUTPUT/.cache).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write.")] = False,
    progress: Annotated[
        str, typer.Option(help="auto (a bar on a terminal, else lines), bar, plain, none.")
    ] = "auto",
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name on that server.")] = None,
    mode: Annotated[str | None, typer.Option(help="tools, json_schema, json, md_json.")] = None,
    gguf: Annotated[str | None, typer.Option(help="Run this GGUF file in process.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Completion token cap per call.")] = None,
    consolidate: Annotated[
        bool | None,
        typer.Option(
            help="Merge each event with the model's labels of items and actors and its search "
            "for disagreements (about six calls an event); default: on, except with the demo "
            "model."
        ),
    ] = None,
    batch_api: Annotated[
        bool,
        typer.Option(
            "--batch-api",
            help="Send the extraction requests through the server's Batch API (half the price; "
            "answers within 24 h); resumable: rerun the same command.",
        ),
    ] = False,
    batch_file_out: Annotated[
        Path | None,
        typer.Option(help="Write the requests as a Batch JSONL here and stop (no API called)."),
    ] = None,
    batch_file_in: Annotated[
        list[Path] | None,
        typer.Option(help="Read a Batch results JSONL (repeat for several) instead of a model."),
    ] = None,
    batch_fallback: Annotated[
        str, typer.Option(help="What a batch leaves unanswered: batch (fail it, named) or live.")
    ] = "batch",
    batch_rounds: Annotated[
        int, typer.Option(help="--batch-api: batches at most (re-asks, continuations).")
    ] = 3,
    batch_poll: Annotated[
        float, typer.Option(help="--batch-api: seconds between status checks.")
    ] = 30.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    """Brief every event under ROOT: concurrent, cached, resumable (rerun to resume)."""
    setup_logging(verbose)
    settings = Settings.from_env(
        base_url=base_url, model=model, mode=mode, gguf_path=gguf, max_tokens=max_tokens
    )
    observer = _observer(progress)
    if batch_fallback not in ("batch", "live"):
        raise ConfigError(f"--batch-fallback: {batch_fallback!r}; use batch or live")
    if sum(map(bool, (batch_api, batch_file_out, batch_file_in))) > 1:
        raise ConfigError("--batch-api, --batch-file-out and --batch-file-in exclude each other")
    options: dict[str, Any] = {
        "output": output,
        "settings": settings,
        "concurrency": concurrency,
        "token_budget": token_budget,
        "cache_dir": cache_dir,
        "use_cache": not no_cache,
        "consolidate": consolidate,
    }
    try:
        if batch_file_out is not None:
            _write_requests(root, batch_file_out, settings, options)
            return
        if batch_file_in or batch_api:
            result = _run_answered(
                root, observer, batch_file_in or [], batch_api, batch_fallback,
                batch_rounds, batch_poll, options,
            )  # fmt: skip
        else:
            result = _run(root, observer, **options)
    except KeyboardInterrupt:
        stats = getattr(observer, "stats", None)
        saved = f"{stats.done} articles extracted this run are cached; " if stats else ""
        err.print(f"interrupted: {saved}run the same command again to resume", markup=False)
        raise typer.Exit(130) from None
    _summary(result)
    if result.report.exit_code:
        raise typer.Exit(result.report.exit_code)


__all__ = ["BarObserver", "LineObserver", "batch_command"]
