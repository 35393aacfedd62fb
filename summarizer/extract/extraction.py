"""One article -> one grounded :class:`ArticleExtraction`, through the model client.

An article longer than ``Settings.chunk_chars`` is split at paragraph boundaries into parts
that overlap, so that a sentence cut at a boundary is whole in one of them. Each part is one
model call (plus continuations when an answer is cut at ``max_tokens``: :func:`part_calls`);
every part's quotes are grounded against the *whole* article text, and the parts'
items are folded back into one article result (an item seen in two overlapping parts is kept
once).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel

from summarizer.extract.grounding import ground
from summarizer.extract.prompting import EXTRACT_PROMPT, chat
from summarizer.ingest.articles import Article
from summarizer.schema import (
    DRAFT_KINDS,
    ArticleDraft,
    ArticleExtraction,
    Dropped,
    Gap,
    Usage,
    draft_model,
)

if TYPE_CHECKING:  # the client (and openai) only when a caller passes one in
    from summarizer.model.client import ModelClient
    from summarizer.model.usage import Structured

OVERLAP_CHARS = 600


def split_text(text: str, limit: int, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Split ``text`` into parts of at most about ``limit`` chars, overlapping by ``overlap``."""
    if len(text) <= limit:
        return [text]
    overlap = min(overlap, limit // 4)
    parts: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            # Prefer a paragraph break, then a line break, then a sentence end, in the back
            # half of the window (a cut in the front half would make tiny parts).
            floor = start + limit // 2
            cut = -1
            for mark in ("\n\n", "\n", ". "):
                cut = text.rfind(mark, start, end)
                if cut > floor:
                    break
            end = cut + 1 if cut > start + limit // 2 else end
        parts.append(text[start:end])
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return parts


_DELIMITER = re.compile(r"(<\s*/?)\s*(article)\b", re.IGNORECASE)


def _one_line(value: str | None) -> str:
    """Metadata sits outside the article block: keep it to one line."""
    return " ".join((value or "").split())


def _safe(text: str) -> str:
    """Neutralise our own delimiter inside article text (the article is data, not markup)."""
    return _DELIMITER.sub(lambda m: f"{m[1]} {m[2]}", text)


def build_messages(
    article: Article, part: str, index: int, count: int, only: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The extraction request for one part; ``only`` names the lists a continuation asks for."""
    return chat(
        EXTRACT_PROMPT,
        only=", ".join(only),
        article_id=article.id,
        title=_one_line(article.title),
        outlet=_one_line(article.outlet),
        date=_one_line(article.date),
        text=_safe(part),
        part_index=index,
        part_count=count,
    )


def _dropped(article: Article, result: Structured[Any]) -> list[Dropped]:
    return [
        Dropped(
            source=article.id,
            kind=kind.rstrip("s"),
            quote=str(item.get("quote", ""))[:300],
            reason=reason if reason.startswith("cut off") else f"invalid after retries: {reason}",
        )
        for kind, item, reason in result.dropped
    ]


@dataclass
class _Part:
    """What the calls for one part of an article yielded."""

    draft: ArticleDraft = field(default_factory=ArticleDraft.empty)
    usage: Usage = field(default_factory=Usage)
    dropped: list[Dropped] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def take(self, value: Any, kinds: Sequence[str]) -> None:
        for kind in kinds:
            getattr(self.draft, kind).extend(getattr(value, kind))


Request = tuple[type[BaseModel], list[dict[str, str]]]
Calls: TypeAlias = "Generator[Request, Structured[Any], _Part]"


def part_calls(article: Article, text: str, index: int, count: int) -> Calls:
    """The model calls for one part of an article, as a generator: it yields each request
    (response model, messages), is sent each result, and returns the part's draft.

    The first call asks for every list. An answer cut at ``max_tokens`` keeps the lists it
    finished; the lists from the one it was writing onwards are asked for again in a
    continuation, whose tool offers only those lists. A list cut even when it is the first
    one asked for keeps its complete items, and the cut is recorded as a :class:`Gap` (the
    briefing is then partial) before the remaining lists are asked for. Every round finishes
    at least one list, so there are at most ``2 * len(DRAFT_KINDS)`` calls.

    The sync and async drivers (:func:`extract`, :func:`aextract`) share this logic.
    """
    out = _Part()
    kinds = DRAFT_KINDS
    while kinds:
        only = () if kinds == DRAFT_KINDS else kinds
        result = yield draft_model(kinds), build_messages(article, text, index, count, only)
        out.usage = out.usage + result.usage
        out.dropped.extend(_dropped(article, result))
        if not result.cut:
            out.take(result.value, kinds)
            break
        reached = [k for k in result.reached if k in kinds]
        cut = reached[-1] if reached else kinds[0]
        finished = kinds[: kinds.index(cut)]
        out.take(result.value, finished)
        if finished:
            kinds = kinds[kinds.index(cut) :]
            continue
        out.take(result.value, (cut,))
        out.gaps.append(
            Gap(
                source=article.id,
                kinds=[cut],
                reason=f"part {index}/{count}: the {cut} list was cut at max_tokens after "
                f"{len(getattr(result.value, cut))} complete item(s); any further {cut} are "
                "missing (raise --max-tokens)",
            )
        )
        kinds = kinds[kinds.index(cut) + 1 :]
    return out


def _fold(article: Article, parts: Sequence[_Part], model: str) -> ArticleExtraction:
    draft = ArticleDraft.empty()
    usage = Usage()
    dropped: list[Dropped] = []
    gaps: list[Gap] = []
    for part in parts:
        for name in DRAFT_KINDS:
            getattr(draft, name).extend(getattr(part.draft, name))
        usage = usage + part.usage
        dropped.extend(part.dropped)
        gaps.extend(part.gaps)
    out = ground(
        draft, article, model=model, usage=usage, dropped=dropped, private=_system_prompt()
    )
    out.gaps = gaps
    return out


@lru_cache(maxsize=1)
def _system_prompt() -> str:
    """The extraction rules: text that belongs in no output (see :func:`ground`)."""
    return build_messages(Article(id="-", text="-"), "-", 1, 1)[0]["content"]


def _tag(article: Article, tag: str, index: int, count: int) -> str:
    return f"{tag or article.id} part {index}/{count} ({EXTRACT_PROMPT})"


def extract(article: Article, client: ModelClient, *, tag: str = "") -> ArticleExtraction:
    """Extract one article: one model call per part, plus a continuation for a cut answer.

    Quotes are not checked while the model answers (no validation context): a re-ask would
    make the model write its whole answer again to mend one quote. Every quote is located
    afterwards by :func:`ground`, and one that is not in the article is dropped and named.
    """
    texts = split_text(article.prompt_text, client.settings.chunk_chars)
    parts: list[_Part] = []
    for n, text in enumerate(texts, 1):
        calls = part_calls(article, text, n, len(texts))
        request = next(calls)
        try:
            while True:
                model, messages = request
                result = client.structured(
                    model, messages, tag=_tag(article, tag, n, len(texts)), kind="extraction"
                )
                request = calls.send(result)
        except StopIteration as done:
            parts.append(done.value)
    return _fold(article, parts, client.model)


async def _apart(
    article: Article, client: ModelClient, text: str, n: int, count: int, tag: str
) -> _Part:
    calls = part_calls(article, text, n, count)
    request = next(calls)
    try:
        while True:
            model, messages = request
            result = await client.astructured(
                model, messages, tag=_tag(article, tag, n, count), kind="extraction"
            )
            request = calls.send(result)
    except StopIteration as done:
        part: _Part = done.value
        return part


async def aextract(article: Article, client: ModelClient, *, tag: str = "") -> ArticleExtraction:
    """Async twin of :func:`extract`; the parts of one article run concurrently."""
    texts = split_text(article.prompt_text, client.settings.chunk_chars)
    calls = [_apart(article, client, text, n, len(texts), tag) for n, text in enumerate(texts, 1)]
    # One part (the usual case) is awaited as it is: no task to create and schedule.
    results = [await calls[0]] if len(calls) == 1 else await asyncio.gather(*calls)
    return _fold(article, list(results), client.model)
