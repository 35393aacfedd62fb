"""ingest -> extract -> ground -> merge, with the model client passed in.

Failures are isolated per article: a file that cannot be read, or an article whose model call
fails for good, is listed in ``Briefing.failures`` / ``missing_sources`` and the briefing is
built from the rest. Only when *nothing* could be extracted does :func:`brief` raise.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from summarizer.config import DEMO_NOTICE, Settings
from summarizer.errors import InputError, MissingRecording, ModelError, SummarizerError
from summarizer.extract.cache import ExtractionCache
from summarizer.extract.extraction import aextract, extract
from summarizer.extract.summary import asummarize, summarize
from summarizer.ingest.articles import Article, load_articles
from summarizer.ingest.fetch import TIMEOUT, fetch_article, is_url
from summarizer.merge.adjudicate import model_decider
from summarizer.merge.consolidate import (
    actor_labels,
    claim_count,
    describe_merge,
    find_disagreements,
    label_items,
    relabel,
)
from summarizer.merge.fold import merge
from summarizer.model.backends import make_client
from summarizer.model.client import ModelClient
from summarizer.model.usage import metered
from summarizer.schema import ArticleExtraction, Briefing, Failure

log = logging.getLogger(__name__)

Input = str | Path | Article


@dataclass
class Extracted:
    """Per-article results of one run: what worked and what failed (with reasons)."""

    extractions: list[ArticleExtraction] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def gather_articles(
    inputs: Sequence[Input], *, fetched: Path | None = None, fetch_timeout: float = TIMEOUT
) -> tuple[list[Article], list[Failure]]:
    """Articles from paths, URLs and ready-made :class:`Article` objects; bad files and URLs
    that cannot be fetched become failures. A fetched page's text is kept in ``fetched``
    (default ``./fetched``) so its offsets can be verified later."""
    articles = [x for x in inputs if isinstance(x, Article)]
    urls = [x for x in inputs if isinstance(x, str) and is_url(x)]
    paths = [x for x in inputs if not isinstance(x, Article) and x not in urls]
    failures: list[Failure] = []
    for url in urls:
        try:
            articles.append(fetch_article(url, fetched or Path("fetched"), timeout=fetch_timeout))
        except InputError as exc:  # named once, with the other failures, by the caller
            failures.append(Failure(source=url, reason=exc.problem))
    loaded = load_articles(paths)
    failures += [Failure(source=e.path, reason=e.problem) for e in loaded.errors]
    _say_assumptions(loaded.articles, loaded.duplicates)
    return articles + loaded.articles, failures


def _say_assumptions(articles: Sequence[Article], duplicates: Sequence[tuple[str, str]]) -> None:
    """Warn about guessed encodings and texts given twice; other ingest notes at INFO."""
    for article in articles:
        level = logging.INFO if article.encoding.startswith("utf-") else logging.WARNING
        for note in article.notes:
            log.log(level, "%s: %s", article.path or article.id, note)
    for duplicate, first in duplicates:
        log.warning("%s: the same text as %s; counted once", duplicate, first)


def _fail(article: Article, exc: SummarizerError) -> Failure:
    return Failure(source=article.id, reason=str(exc))


@dataclass(frozen=True)
class Progress:
    """Where a run stands: ``done`` of ``total`` articles extracted (0 before the first),
    the article just finished and the seconds it took."""

    done: int
    total: int
    articles: Sequence[Article]
    article: Article | None = None
    seconds: float = 0.0


Observer = Callable[[Progress], None]


def extract_all(
    articles: Sequence[Article],
    client: ModelClient,
    *,
    progress: Observer | None = None,
    cache: ExtractionCache | None = None,
) -> Extracted:
    """Extract every article in turn, isolating failures; ``progress`` hears of each; with a
    ``cache``, an article extracted before (same text, same settings) costs no call."""
    out = Extracted()
    if progress is not None:
        progress(Progress(0, len(articles), articles))
    for n, article in enumerate(articles, 1):
        started = time.monotonic()
        hit = cache.get(article) if cache is not None else None
        try:
            extraction = hit or extract(article, client)
            out.extractions.append(extraction)
            if cache is not None and hit is None:
                cache.put(article, extraction)
        except ModelError as exc:
            out.failures.append(_fail(article, exc))
        if progress is not None:
            progress(Progress(n, len(articles), articles, article, time.monotonic() - started))
    return out


#: The demo model's pace, measured on 2 cores at its default cap of 768 tokens: 15, 24 and 99 s
#: for one article each (2.6k, 9.4k and 3.3k characters: the time goes to generating, which
#: ends early or runs to the cap whatever the article's length). llama.cpp uses every core.
DEMO_SECONDS_PER_ARTICLE, DEMO_CORES = (15.0, 100.0), 2


def demo_seconds(articles: Sequence[Article], cores: int | None = None) -> tuple[float, float]:
    """The demo model's expected time for ``articles`` on ``cores`` cores: (fastest, slowest)."""
    scale = len(articles) * DEMO_CORES / max(1, cores or os.cpu_count() or DEMO_CORES)
    low, high = DEMO_SECONDS_PER_ARTICLE
    return low * scale, high * scale


async def aextract_all(
    articles: Sequence[Article], client: ModelClient, *, concurrency: int | None = None
) -> Extracted:
    """Extract articles concurrently under one limit, isolating failures."""
    limit = asyncio.Semaphore(concurrency or client.settings.concurrency)

    async def one(article: Article) -> ArticleExtraction | Failure:
        async with limit:
            try:
                return await aextract(article, client)
            except ModelError as exc:
                return _fail(article, exc)

    out = Extracted()
    for result in await asyncio.gather(*(one(a) for a in articles)):
        if isinstance(result, Failure):
            out.failures.append(result)
        else:
            out.extractions.append(result)
    return out


def finish(
    extracted: Extracted,
    failures: Sequence[Failure],
    *,
    settings: Settings,
    title: str | None = None,
    decide: Callable[[str, str], bool] | None = None,
    labeller: ModelClient | None = None,
) -> Briefing:
    """Merge, then record failures and the demo-model notice on the briefing.

    ``labeller``: a client whose model labels what each item is about before the merge
    (:mod:`summarizer.merge.consolidate`); ``decide`` is the older pairwise pass for pairs the
    matcher cannot settle.
    """
    all_failures = [*failures, *extracted.failures]
    if not extracted.extractions:
        reasons = "; ".join(f"{f.source}: {f.reason}" for f in all_failures) or "no articles"
        if extracted.failures:  # articles were read; the model or its server failed them all
            raise ModelError(f"nothing could be extracted ({reasons})")
        raise InputError("(inputs)", f"nothing could be extracted ({reasons})")
    if labeller is not None:
        briefing = labelled_merge(extracted.extractions, labeller, title=title)
    else:
        briefing = merge(extracted.extractions, title=title, decide=decide)
    briefing.failures = [*briefing.failures, *all_failures]
    missing = {*briefing.missing_sources, *(f.source for f in all_failures)}
    briefing.missing_sources = sorted(missing)
    if settings.is_demo_model:
        briefing.notice = DEMO_NOTICE
    return briefing


def labelled_merge(
    extractions: Sequence[ArticleExtraction],
    client: ModelClient,
    *,
    title: str | None = None,
    tag: str = "",
) -> Briefing:
    """Merge with the model's labels of what each item (and actor) is about, and add the
    disagreements the model finds across items; whatever the model cannot do is done by the
    rules alone, and the briefing's ``merged_by`` says which it was."""
    labels, kinds = label_items(extractions, client, tag=tag)  # a failed kind: by rules
    try:
        found = find_disagreements(extractions, client, tag=tag)
        searched = True
    except MissingRecording:
        raise
    except ModelError as exc:
        log.warning("the model could not compare the items for disagreements (%s)", exc)
        found, searched = [], False
    briefing = merge(
        relabel(extractions, labels),
        title=title,
        labelled=[k for k in kinds if k != "actors"],
        same_actor=actor_labels(extractions, labels) if "actors" in kinds else None,
        found=found,
    )
    briefing.merged_by = describe_merge(
        briefing.merged_by, kinds, searched, claim_count(extractions)
    )
    return briefing


def _summary_failed(exc: ModelError) -> None:
    if isinstance(exc, MissingRecording):
        raise exc  # a replay without the summary's recording is an error, never a silent gap
    log.warning("the event summary could not be written: %s", exc)


def with_summary(briefing: Briefing, client: ModelClient) -> Briefing:
    """Add the model-written, item-cited event summary; a failure leaves it empty."""
    try:
        briefing.event = summarize(briefing, client)
    except ModelError as exc:
        _summary_failed(exc)
    return briefing


async def awith_summary(briefing: Briefing, client: ModelClient) -> Briefing:
    """Async twin of :func:`with_summary`."""
    try:
        briefing.event = await asummarize(briefing, client)
    except ModelError as exc:
        _summary_failed(exc)
    return briefing


def _client(client: ModelClient | None, settings: Settings | None) -> ModelClient:
    if client is not None:
        return client
    return make_client(settings or Settings.from_env())


def brief(
    inputs: Sequence[Input],
    *,
    client: ModelClient | None = None,
    settings: Settings | None = None,
    title: str | None = None,
    summary: bool = True,
    model_merge: bool = False,
    consolidate: bool | None = None,
    progress: Observer | None = None,
    cache: ExtractionCache | None = None,
    previous: Briefing | None = None,
    fetched: Path | None = None,
    fetch_timeout: float = TIMEOUT,
) -> Briefing:
    """One briefing from files, folders, URLs or :class:`Article` objects about one event.

    With ``summary`` (the default) the model also writes the event summary from the merged
    items (one more call); pass ``summary=False`` for items only. ``consolidate`` (default:
    on, except with the tiny demo model) has the model label what each item and actor is
    about and look for disagreements (about six calls an event;
    :mod:`summarizer.merge.consolidate`). ``model_merge`` asks the model about item pairs the
    rules cannot decide (used only without ``consolidate``). ``progress`` is told before the
    first article and after each.

    Updating: with a ``cache`` only new or edited articles are extracted; and when every
    article is one ``previous`` was made of (the same texts, by their SHA-256) and in the
    cache, ``previous`` is the answer, with no model call at all.

    URLs are fetched (:mod:`summarizer.ingest.fetch`), their text kept in ``fetched``; a URL
    that cannot be fetched is a named failure and the briefing is made of the rest.
    """
    articles, failures = gather_articles(inputs, fetched=fetched, fetch_timeout=fetch_timeout)
    if not articles:
        raise _nothing(failures)
    if previous is not None and cache is not None and not failures:
        made_of = {s.sha256 for s in previous.sources}
        if made_of == {a.digest for a in articles} and all(cache.get(a) for a in articles):
            return previous
    owned = client is None
    client = _client(client, settings)
    try:
        with metered() as meter:
            extracted = extract_all(articles, client, progress=progress, cache=cache)
            merging = _merging(extracted, failures, client, title, model_merge, consolidate)
            briefing = merging()
            briefing = with_summary(briefing, client) if summary else briefing
        briefing.usage = meter.usage  # every call: extraction, continuations, merge, summary
        return briefing
    finally:
        if owned:  # a client we built, we close; a client passed in belongs to the caller
            client.close()


async def abrief(
    inputs: Sequence[Input],
    *,
    client: ModelClient | None = None,
    settings: Settings | None = None,
    title: str | None = None,
    summary: bool = True,
    model_merge: bool = False,
    consolidate: bool | None = None,
    fetched: Path | None = None,
) -> Briefing:
    """Async twin of :func:`brief`; articles are extracted concurrently."""
    articles, failures = gather_articles(inputs, fetched=fetched)
    if not articles:
        raise _nothing(failures)
    owned = client is None
    client = _client(client, settings)
    try:
        with metered() as meter:
            extracted = await aextract_all(articles, client)
            merging = _merging(extracted, failures, client, title, model_merge, consolidate)
            # The labeller and the decider make blocking calls: keep them off the event loop.
            briefing = await asyncio.to_thread(merging)
            briefing = await awith_summary(briefing, client) if summary else briefing
        briefing.usage = meter.usage
        return briefing
    finally:
        if owned:
            await client.aclose()


def _merging(
    extracted: Extracted,
    failures: Sequence[Failure],
    client: ModelClient,
    title: str | None,
    model_merge: bool,
    consolidate: bool | None,
) -> Callable[[], Briefing]:
    """The merge step of a run, ready to call (it may call the model: labels, pair questions)."""
    return partial(
        finish,
        extracted,
        failures,
        settings=client.settings,
        title=title,
        decide=model_decider(client) if model_merge else None,
        labeller=client if consolidates(consolidate, client.settings) else None,
    )


def consolidates(consolidate: bool | None, settings: Settings) -> bool:
    """Label items with the model unless told not to; by default not with the tiny demo
    model, whose labels would be noise."""
    if consolidate is None:
        return not settings.is_demo_model
    return consolidate


def _nothing(failures: Sequence[Failure]) -> InputError:
    if len(failures) == 1:
        return InputError(failures[0].source, failures[0].reason)
    detail = "; ".join(f"{f.source}: {f.reason}" for f in failures)
    return InputError("(inputs)", f"no readable articles ({detail or 'nothing given'})")
