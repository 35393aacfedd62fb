"""Many events in one run: every article of every event extracted concurrently, each event merged
as soon as its articles are in, every extraction cached so that nothing paid for is paid twice.

How a run goes (:func:`arun_batch`; :func:`run_batch` is its synchronous twin):

1. **Events.** Each subfolder of the root is one event (hidden folders and the output folder
   are skipped; a root with article files and no subfolders is a single event), or a manifest
   file lists them (:func:`read_manifest`).
2. **Cache.** Every article is looked up in the :class:`~summarizer.extract.cache.ExtractionCache`
   first; a hit costs no model call. If everything is cached, no client is built and the
   network is not touched.
3. **Extract.** The rest go into one queue, event after event, served by ``concurrency``
   workers: one global limit on articles in flight, across all events. An article's entry is
   written to the cache (atomically) the moment its extraction is done, so an interrupted run
   (Ctrl-C, crash, ``kill -9``) loses only the articles that were in flight.
4. **Merge.** When an event's last article is in, the event is merged, rendered and written
   (``<output>/<event>.json`` and ``.md``) on a worker thread while extraction goes on.
5. **Report.** ``<output>/run.jsonl`` gets one line per finished event (its articles with
   status, tokens, seconds and error) and a last line for the run.

Failures are isolated: an article whose extraction fails for good (after the client's retries)
is reported and its event's briefing is marked partial (``missing_sources`` names it). Only a
:class:`~summarizer.errors.ConfigError` (a wrong key, an unknown model) stops the run, since
every other article would fail the same way.

The token budget (``token_budget``) stops *starting* work: before an article is started, the
tokens used so far plus an estimate for the articles in flight (the mean cost of an article so
far) must stay under the budget. Articles not started are reported as ``skipped``; their events
are ``stopped`` and get no briefing; a rerun (with a larger budget) resumes them from the cache.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, Field

from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError
from summarizer.extract.cache import ExtractionCache
from summarizer.extract.extraction import aextract
from summarizer.files import write_atomic
from summarizer.ingest.articles import Article, article_files, load_articles
from summarizer.ingest.fetch import fetch_article, is_url
from summarizer.model.backends import make_client
from summarizer.model.client import ModelClient
from summarizer.model.usage import metered
from summarizer.pipeline import Extracted, consolidates, finish
from summarizer.render import to_json, to_markdown
from summarizer.schema import ArticleExtraction, Briefing, Failure, Usage

log = logging.getLogger(__name__)

ArticleStatus = Literal["done", "cached", "failed", "skipped"]
EventStatus = Literal["ok", "partial", "failed", "stopped"]
MANIFEST_NAME = "run.jsonl"
CACHE_DIR_NAME = ".cache"


# --------------------------------------------------------------------------------------------
# Events in
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    """One event: a name (used for output files), its article files or folders, a title, and
    the http(s) URLs of articles to fetch (from a manifest)."""

    name: str
    paths: tuple[Path, ...]
    title: str | None = None
    urls: tuple[str, ...] = ()


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "_"))


def find_events(root: str | Path, *, exclude: Sequence[Path] = ()) -> list[EventSpec]:
    """The events under ``root``: a manifest file, each subfolder, or the folder itself."""
    root = Path(root)
    if root.is_file():
        return read_manifest(root)
    if not root.is_dir():
        raise InputError(root, "no such folder or manifest file")
    skip = {p.resolve() for p in exclude}
    folders = sorted(
        p for p in root.iterdir() if p.is_dir() and not _hidden(p) and p.resolve() not in skip
    )
    if folders:
        loose = article_files(root)
        if loose:
            log.warning("%s: %d article files beside event folders are ignored", root, len(loose))
        return [EventSpec(name=p.name, paths=(p,)) for p in folders]
    if article_files(root):
        return [EventSpec(name=root.resolve().name, paths=(root,))]
    raise InputError(root, "holds no event folders and no article files")


def read_manifest(path: str | Path) -> list[EventSpec]:
    """Events from a JSON or JSONL manifest; article paths are relative to the manifest.

    Each event is an object ``{"name": ..., "articles": [paths...], "title": ...}`` (``event``
    is accepted for ``name``, ``folder`` for a single folder of articles); an article may be
    an http(s) URL, fetched when the run starts (its text kept under ``OUTPUT/sources/``). A
    ``.json`` file holds a list of them or ``{"events": [...]}``; a ``.jsonl`` file one per
    line.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
        if path.suffix.lower() == ".jsonl":
            rows: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            rows = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"cannot read the manifest ({exc})") from exc
    if isinstance(rows, dict):
        rows = rows.get("events")
    if not isinstance(rows, list) or not rows:
        raise InputError(path, "a manifest lists events: [{'name': ..., 'articles': [...]}]")
    specs = [_manifest_event(path, n, row) for n, row in enumerate(rows, 1)]
    names = [s.name for s in specs]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise InputError(path, f"event names must be unique; repeated: {', '.join(doubled)}")
    return specs


def _manifest_event(path: Path, n: int, row: Any) -> EventSpec:
    where = f"{path} event {n}"
    if not isinstance(row, dict):
        raise InputError(where, "an event is an object with 'name' and 'articles'")
    name = row.get("name") or row.get("event")
    raw = row.get("articles") or ([row["folder"]] if row.get("folder") else None)
    if not isinstance(name, str) or not name.strip():
        raise InputError(where, "the event has no 'name'")
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw) or not raw:
        raise InputError(where, "'articles' must be a non-empty list of paths")
    title = row.get("title")
    paths = tuple(path.parent / p for p in raw if not is_url(p))
    urls = tuple(p for p in raw if is_url(p))
    return EventSpec(
        name=name, paths=paths, title=title if isinstance(title, str) else None, urls=urls
    )


def output_name(event: str) -> str:
    """A file name for an event: letters, digits, '.', '-' and '_' only."""
    cleaned = re.sub(r"[^\w.-]+", "-", event, flags=re.ASCII).strip(".-")
    return cleaned or "event"


# --------------------------------------------------------------------------------------------
# Reports out
# --------------------------------------------------------------------------------------------


class ArticleReport(BaseModel):
    """One article in a run: what happened, what it cost."""

    id: str
    path: str = ""
    status: ArticleStatus
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0
    error: str | None = None

    @property
    def tokens(self) -> int:
        return self.usage.prompt_tokens + self.usage.completion_tokens


class EventReport(BaseModel):
    """One event in a run (a line of ``run.jsonl``)."""

    kind: Literal["event"] = "event"
    event: str
    title: str | None = None
    status: EventStatus
    articles: list[ArticleReport] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    merge_usage: Usage = Field(
        default_factory=Usage, description="The merge's model calls (labels, disagreements)."
    )
    tokens: int = 0
    seconds: float = 0.0
    error: str | None = None
    missing_sources: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)


class RunReport(BaseModel):
    """The whole run (the last line of ``run.jsonl``)."""

    kind: Literal["run"] = "run"
    events: int = 0
    events_ok: int = 0
    events_partial: int = 0
    events_failed: int = 0
    events_stopped: int = 0
    articles: int = 0
    done: int = 0
    cached: int = 0
    failed: int = 0
    skipped: int = 0
    usage: Usage = Field(default_factory=Usage)
    tokens: int = 0
    model_calls: int = 0
    seconds: float = 0.0
    concurrency: int = 0
    token_budget: int | None = None
    budget_reached: bool = False
    interrupted: bool = False
    output: str | None = None
    cache_dir: str | None = None

    @property
    def exit_code(self) -> int:
        """0: all done; 1: some article, file or event failed (a partial briefing counts);
        5: the token budget stopped the run."""
        if self.budget_reached:
            return 5
        return 1 if self.failed or self.events_failed or self.events_partial else 0


@dataclass
class BatchResult:
    """Briefings by event name, the run report and every event's report."""

    briefings: dict[str, Briefing]
    report: RunReport
    events: list[EventReport]


@dataclass
class RunStats:
    """Live counters for a progress display (read them; the run updates them)."""

    articles: int = 0
    done: int = 0
    cached: int = 0
    failed: int = 0
    skipped: int = 0
    events: int = 0
    events_done: int = 0
    tokens: int = 0
    model_calls: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> int:
        return self.done + self.cached + self.failed + self.skipped

    def eta(self) -> float | None:
        """Seconds left at the pace of the articles extracted so far (None before any)."""
        worked = self.done + self.failed
        left = self.articles - self.finished
        if not worked:
            return None
        return left * (time.monotonic() - self.started) / worked


class BatchObserver:
    """Receives progress; the CLI's progress bar and log lines subclass it. Does nothing."""

    def started(self, stats: RunStats) -> None:
        """Called once the cache is consulted and work is about to start."""

    def article_done(self, stats: RunStats, event: str, report: ArticleReport) -> None:
        """Called after each article (extracted, failed or skipped)."""

    def event_done(self, stats: RunStats, report: EventReport) -> None:
        """Called after each event is merged and written (or found failed or stopped)."""


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass
class _Event:
    spec: EventSpec
    articles: list[Article]
    input_failures: list[Failure]
    extractions: dict[str, ArticleExtraction] = field(default_factory=dict)
    reports: dict[str, ArticleReport] = field(default_factory=dict)
    pending: int = 0
    started: float | None = None


def _load(spec: EventSpec, output: Path | None = None) -> _Event:
    """An event's articles: its files read, its URLs fetched (their text kept under
    ``output/sources/EVENT/``, so offsets stay verifiable); what fails is named."""
    loaded = load_articles(spec.paths) if spec.paths else None
    articles = list(loaded.articles) if loaded else []
    failures = [Failure(source=e.path, reason=e.problem) for e in (loaded.errors if loaded else [])]
    folder = (output or Path("fetched")) / "sources" / output_name(spec.name)
    for url in spec.urls:
        try:
            articles.append(fetch_article(url, folder))
        except InputError as exc:
            failures.append(Failure(source=url, reason=exc.problem))
    return _Event(spec=spec, articles=articles, input_failures=failures)


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


class _Manifest:
    """``run.jsonl``: one line per finished event, flushed as it lands, then the run's line."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = path.open("w", encoding="utf-8")

    def write(self, record: BaseModel) -> None:
        if self.handle is not None:
            self.handle.write(record.model_dump_json() + "\n")
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class _Batch:
    def __init__(
        self,
        events: list[_Event],
        *,
        settings: Settings,
        client: ModelClient | None,
        cache: ExtractionCache | None,
        concurrency: int,
        token_budget: int | None,
        output: Path | None,
        observer: BatchObserver,
        consolidate: bool = False,
    ) -> None:
        self.events = events
        self.consolidate = consolidate
        self.settings = settings
        self.client = client
        self.owns_client = False
        self.cache = cache
        self.concurrency = concurrency
        self.budget = token_budget
        self.output = output
        self.observer = observer
        self.stats = RunStats(events=len(events))
        self.queue: deque[tuple[_Event, Article]] = deque()
        self.in_flight = 0
        self.budget_reached = False
        self.fatal: ConfigError | None = None
        self.finishing: list[asyncio.Task[None]] = []
        self.briefings: dict[str, Briefing] = {}
        self.event_reports: list[EventReport] = []
        self.manifest = _Manifest(output / MANIFEST_NAME if output else None)

    # -- cache ------------------------------------------------------------------------------

    def _consult_cache(self) -> None:
        for event in self.events:
            self.stats.articles += len(event.articles)
            for article in event.articles:
                hit = self.cache.get(article) if self.cache is not None else None
                if hit is None:
                    self.queue.append((event, article))
                    event.pending += 1
                    continue
                event.extractions[article.id] = hit
                event.reports[article.id] = ArticleReport(
                    id=article.id, path=article.path, status="cached"
                )
                self.stats.cached += 1

    # -- extraction -------------------------------------------------------------------------

    def _over_budget(self, article: Article) -> bool:
        if self.budget is None:
            return False
        done = self.stats.done
        each = self.stats.tokens / done if done else len(article.prompt_text) / 4
        return self.stats.tokens + (self.in_flight + 1) * each > self.budget

    async def _worker(self, client: ModelClient) -> None:
        while self.queue and self.fatal is None:
            event, article = self.queue.popleft()
            if self._over_budget(article):
                self.budget_reached = True
                self._skip(event, article)
                continue
            self.in_flight += 1
            try:
                report = await self._extract(client, event, article)
            finally:
                self.in_flight -= 1
            self._record(event, report)

    async def _extract(self, client: ModelClient, event: _Event, article: Article) -> ArticleReport:
        event.started = event.started or time.monotonic()
        began = time.monotonic()
        try:
            extraction = await aextract(article, client)
        except ConfigError as exc:
            self.fatal = self.fatal or exc
            return self._failed(article, exc, began)
        except Exception as exc:  # isolate the article; the report carries the reason
            log.debug("article %s failed", article.id, exc_info=True)
            return self._failed(article, exc, began)
        event.extractions[article.id] = extraction
        if self.cache is not None:
            try:
                self.cache.put(article, extraction)  # small, no fsync: cheaper than a thread
            except OSError as exc:
                log.warning("cannot write the cache entry for %s: %s", article.id, exc)
        return ArticleReport(
            id=article.id,
            path=article.path,
            status="done",
            usage=extraction.usage,
            seconds=round(time.monotonic() - began, 3),
        )

    @staticmethod
    def _failed(article: Article, exc: BaseException, began: float) -> ArticleReport:
        return ArticleReport(
            id=article.id,
            path=article.path,
            status="failed",
            # Tokens the failed attempts cost still count (reports and the token budget).
            usage=getattr(exc, "usage", None) or Usage(),
            seconds=round(time.monotonic() - began, 3),
            error=_error_text(exc),
        )

    def _skip(self, event: _Event, article: Article) -> None:
        report = ArticleReport(
            id=article.id, path=article.path, status="skipped", error="token budget reached"
        )
        self._record(event, report)

    def _record(self, event: _Event, report: ArticleReport) -> None:
        event.reports[report.id] = report
        event.pending -= 1
        stats = self.stats
        if report.status == "done":
            stats.done += 1
        elif report.status == "failed":
            stats.failed += 1
        else:
            stats.skipped += 1
        stats.tokens += report.tokens
        stats.model_calls += report.usage.calls
        self.observer.article_done(stats, event.spec.name, report)
        if event.pending == 0:
            self._schedule_finish(event)

    # -- merging ----------------------------------------------------------------------------

    def _schedule_finish(self, event: _Event) -> None:
        self.finishing.append(asyncio.create_task(self._finish(event)))

    async def _finish(self, event: _Event) -> None:
        # Merging and rendering run on the loop thread: CPU work in a worker thread would only
        # make the loop wait for the GIL. The (fsynced) writes go to a thread.
        if self.consolidate and event.extractions:
            # The model's label and disagreement calls block: keep them off the event loop.
            labeller = await self._client()
            report, briefing, texts = await asyncio.to_thread(self._merge, event, labeller)
        else:
            report, briefing, texts = self._merge(event)
        if briefing is not None and self.output is not None:
            try:
                report.outputs = await asyncio.to_thread(self._write, event.spec.name, texts)
            except OSError as exc:
                report.status, report.error = "failed", f"cannot write the briefing: {exc}"
                briefing = None
        self.stats.model_calls += report.merge_usage.calls  # the merge's own calls
        self.stats.tokens += report.merge_usage.prompt_tokens + report.merge_usage.completion_tokens
        if event.started is not None:
            report.seconds = round(time.monotonic() - event.started, 3)
        if briefing is not None:
            self.briefings[event.spec.name] = briefing
        self.event_reports.append(report)
        self.stats.events_done += 1
        self.manifest.write(report)
        self.observer.event_done(self.stats, report)

    def _merge(
        self, event: _Event, labeller: ModelClient | None = None
    ) -> tuple[EventReport, Briefing | None, tuple[str, str]]:
        reports = [event.reports[a.id] for a in event.articles if a.id in event.reports]
        usage = sum((r.usage for r in reports), Usage())
        report = EventReport(
            event=event.spec.name,
            title=event.spec.title,
            status="ok",
            articles=reports,
            usage=usage,
            tokens=usage.prompt_tokens + usage.completion_tokens,
        )
        if any(r.status == "skipped" for r in reports):
            report.status = "stopped"
            report.error = "token budget reached before every article was extracted"
            return report, None, ("", "")
        try:
            with metered() as meter:
                briefing = self._brief(event, reports, labeller)
            report.merge_usage = meter.usage
            report.usage = usage + meter.usage
            report.tokens = report.usage.prompt_tokens + report.usage.completion_tokens
            briefing.usage = briefing.usage + meter.usage
            texts = (to_json(briefing), to_markdown(briefing))
        except Exception as exc:  # one event's merge must not stop the others
            log.debug("event %s failed", event.spec.name, exc_info=True)
            report.status, report.error = "failed", _error_text(exc)
            return report, None, ("", "")
        report.missing_sources = list(briefing.missing_sources)
        report.status = "partial" if briefing.partial else "ok"
        return report, briefing, texts

    def _brief(
        self, event: _Event, reports: list[ArticleReport], labeller: ModelClient | None
    ) -> Briefing:
        done = [event.extractions[a.id] for a in event.articles if a.id in event.extractions]
        extracted = Extracted(
            extractions=done,
            failures=[
                Failure(source=r.id, reason=r.error or "failed")
                for r in reports
                if r.status == "failed"
            ],
        )
        if not event.articles and not event.input_failures:
            raise InputError(event.spec.name, "the event has no articles")
        return finish(
            extracted,
            event.input_failures,
            settings=self.settings,
            title=event.spec.title,
            labeller=labeller,
        )

    def _write(self, name: str, texts: tuple[str, str]) -> list[str]:
        assert self.output is not None
        stem = output_name(name)
        outputs = [self.output / f"{stem}.json", self.output / f"{stem}.md"]
        for path, text in zip(outputs, texts, strict=True):
            write_atomic(path, text)
        return [str(p) for p in outputs]

    # -- the run ----------------------------------------------------------------------------

    async def _client(self) -> ModelClient:
        if self.client is None:
            self.client = await asyncio.to_thread(make_client, self.settings)
            self.owns_client = True
        return self.client

    async def _close_client(self) -> None:
        """Close a client this run built (when the client offers ``aclose``)."""
        close = getattr(self.client, "aclose", None) if self.owns_client else None
        if close is not None:
            await close()

    async def run(self) -> BatchResult:
        started = time.monotonic()
        interrupted = True
        try:
            self._consult_cache()
            self.stats.started = time.monotonic()
            self.observer.started(self.stats)
            for event in self.events:
                if event.pending == 0:
                    self._schedule_finish(event)
            if self.queue:
                client = await self._client()
                workers = min(self.concurrency, len(self.queue))
                await asyncio.gather(*(self._worker(client) for _ in range(workers)))
            if self.fatal is not None:
                raise self.fatal
            await asyncio.gather(*self.finishing)
            interrupted = False
        finally:
            result = self._result(time.monotonic() - started, interrupted=interrupted)
            self.manifest.write(result.report)
            self.manifest.close()
            await self._close_client()
        return result

    def _result(self, seconds: float, *, interrupted: bool) -> BatchResult:
        order = {e.spec.name: n for n, e in enumerate(self.events)}
        events = sorted(self.event_reports, key=lambda r: order.get(r.event, 0))
        usage = sum((e.usage for e in events), Usage())  # extraction and merge calls
        s = self.stats
        statuses = [e.status for e in events]
        report = RunReport(
            events=len(self.events),
            events_ok=statuses.count("ok"),
            events_partial=statuses.count("partial"),
            events_failed=statuses.count("failed"),
            events_stopped=statuses.count("stopped"),
            articles=s.articles,
            done=s.done,
            cached=s.cached,
            failed=s.failed,
            skipped=s.skipped,
            usage=usage,
            tokens=s.tokens,
            model_calls=s.model_calls,
            seconds=round(seconds, 3),
            concurrency=self.concurrency,
            token_budget=self.budget,
            budget_reached=self.budget_reached,
            interrupted=interrupted,
            output=str(self.output) if self.output else None,
            cache_dir=str(self.cache.root) if self.cache is not None else None,
        )
        names = [e.spec.name for e in self.events if e.spec.name in self.briefings]
        briefings = {name: self.briefings[name] for name in names}
        return BatchResult(briefings=briefings, report=report, events=events)


#: Allocations between young-generation collections during a run (CPython's default is 700).
GC_YOUNG_THRESHOLD = 50_000
_gc_runs = 0  # runs in progress in this process (the outermost one tunes and restores)


@contextmanager
def _gc_tuned() -> Iterator[None]:
    """Make the cyclic garbage collector cheap for the length of a run, then put it back.

    A run allocates many short-lived objects while keeping every extraction alive; with the
    default thresholds the collector re-scans them again and again (about 15% of the CPU of a
    2,000-article run). The objects alive at the start are frozen (left out of collections)
    unless the caller already froze some, and young collections happen less often.
    """
    global _gc_runs
    _gc_runs += 1
    outermost = _gc_runs == 1
    old = gc.get_threshold()
    freeze = outermost and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    if outermost:
        gc.set_threshold(max(old[0], GC_YOUNG_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        _gc_runs -= 1
        if outermost:
            gc.set_threshold(*old)
        if freeze:
            gc.unfreeze()


def _specs(events: str | Path | Sequence[EventSpec], output: Path | None) -> list[EventSpec]:
    if isinstance(events, str | Path):
        specs = find_events(events, exclude=[output] if output else [])
    else:
        specs = list(events)
    _unique_outputs(specs, str(events) if isinstance(events, str | Path) else "(events)")
    return specs


def _unique_outputs(specs: Sequence[EventSpec], where: str) -> None:
    """Two events whose output files would have the same name are an error, not an overwrite."""
    by_file: dict[str, str] = {}
    for spec in specs:
        key = output_name(spec.name).casefold()
        if key in by_file and by_file[key] != spec.name:
            raise InputError(
                where,
                f"events {by_file[key]!r} and {spec.name!r} would both be written as "
                f"{output_name(spec.name)}.json; rename one",
            )
        by_file[key] = spec.name


def _cache(
    cache_dir: str | Path | None, use_cache: bool, output: Path | None, settings: Settings
) -> ExtractionCache | None:
    if not use_cache:
        return None
    if cache_dir is None:
        if output is None:
            return None
        cache_dir = output / CACHE_DIR_NAME
    return ExtractionCache(cache_dir, settings)


async def arun_batch(
    events: str | Path | Sequence[EventSpec],
    *,
    output: str | Path | None = None,
    client: ModelClient | None = None,
    settings: Settings | None = None,
    concurrency: int | None = None,
    token_budget: int | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    observer: BatchObserver | None = None,
    consolidate: bool | None = None,
) -> BatchResult:
    """Brief every event (a root folder, a manifest file, or :class:`EventSpec` objects).

    ``output``: where briefings, ``run.jsonl`` and (by default) the cache go; without it
    nothing is written and, unless ``cache_dir`` is given, nothing is cached.
    ``concurrency``: articles in flight across all events (default: ``Settings.concurrency``).
    ``client``: a ready client (else one is built from ``settings`` when there is work).
    ``consolidate``: merge each event with the model's labels and its search for
    disagreements (:func:`summarizer.pipeline.labelled_merge`, about six calls an event);
    default on, except for the demo model.
    """
    out = Path(output) if output is not None else None
    settings = client.settings if client is not None else settings or Settings.from_env()
    limit = settings.concurrency if concurrency is None else concurrency
    if limit < 1:
        raise ConfigError("concurrency must be at least 1")
    if token_budget is not None and token_budget < 1:
        raise ConfigError("the token budget must be a positive number of tokens")
    specs = _specs(events, out)
    loaded = await asyncio.to_thread(lambda: [_load(s, out) for s in specs])
    run = _Batch(
        loaded,
        settings=settings,
        client=client,
        cache=_cache(cache_dir, use_cache, out, settings),
        concurrency=limit,
        token_budget=token_budget,
        output=out,
        observer=observer or BatchObserver(),
        consolidate=consolidates(consolidate, settings),
    )
    with _gc_tuned():
        return await run.run()


def run_batch(
    events: str | Path | Sequence[EventSpec],
    *,
    output: str | Path | None = None,
    client: ModelClient | None = None,
    settings: Settings | None = None,
    concurrency: int | None = None,
    token_budget: int | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    observer: BatchObserver | None = None,
    consolidate: bool | None = None,
) -> BatchResult:
    """Synchronous twin of :func:`arun_batch` (runs its own event loop)."""
    return asyncio.run(
        arun_batch(
            events,
            output=output,
            client=client,
            settings=settings,
            concurrency=concurrency,
            token_budget=token_budget,
            cache_dir=cache_dir,
            use_cache=use_cache,
            observer=observer,
            consolidate=consolidate,
        )
    )


__all__ = [
    "ArticleReport",
    "BatchObserver",
    "BatchResult",
    "EventReport",
    "EventSpec",
    "RunReport",
    "RunStats",
    "arun_batch",
    "find_events",
    "output_name",
    "read_manifest",
    "run_batch",
]
