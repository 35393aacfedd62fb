"""One article -> one grounded :class:`ArticleExtraction`, through the model client.

An article longer than ``Settings.chunk_chars`` is split at paragraph boundaries into parts
that overlap, so that a sentence cut at a boundary is whole in one of them. Each part is one
model call; every part's quotes are grounded against the *whole* article text, and the parts'
items are folded back into one article result (an item seen in two overlapping parts is kept
once).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from summarizer.client import ModelClient, Structured
from summarizer.grounding import ground
from summarizer.ingest import Article
from summarizer.prompting import EXTRACT_PROMPT, chat
from summarizer.schema import ArticleDraft, ArticleExtraction, Dropped, Usage

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


def build_messages(article: Article, part: str, index: int, count: int) -> list[dict[str, str]]:
    return chat(
        EXTRACT_PROMPT,
        article_id=article.id,
        title=_one_line(article.title),
        outlet=_one_line(article.outlet),
        date=_one_line(article.date),
        text=_safe(part),
        part_index=index,
        part_count=count,
    )


def _context(article: Article) -> dict[str, Any]:
    return {"article_text": article.text}


def _dropped(article: Article, result: Structured[ArticleDraft]) -> list[Dropped]:
    return [
        Dropped(
            source=article.id,
            kind=kind.rstrip("s"),
            quote=str(item.get("quote", ""))[:300],
            reason=f"invalid after retries: {reason}",
        )
        for kind, item, reason in result.dropped
    ]


def _fold(
    article: Article, parts: Sequence[Structured[ArticleDraft]], model: str
) -> ArticleExtraction:
    draft = ArticleDraft.empty()
    usage = Usage()
    dropped: list[Dropped] = []
    for result in parts:
        for name in ("actors", "positions", "commitments", "open_questions", "facts"):
            getattr(draft, name).extend(getattr(result.value, name))
        usage = usage + result.usage
        dropped.extend(_dropped(article, result))
    return ground(
        draft, article, model=model, usage=usage, dropped=dropped, private=_system_prompt()
    )


@lru_cache(maxsize=1)
def _system_prompt() -> str:
    """The extraction rules: text that belongs in no output (see :func:`ground`)."""
    return build_messages(Article(id="-", text="-"), "-", 1, 1)[0]["content"]


def extract(article: Article, client: ModelClient, *, tag: str = "") -> ArticleExtraction:
    """Extract one article (one model call per part)."""
    texts = split_text(article.prompt_text, client.settings.chunk_chars)
    results = [
        client.structured(
            ArticleDraft,
            build_messages(article, text, n, len(texts)),
            context=_context(article),
            tag=f"{tag or article.id} part {n}/{len(texts)} ({EXTRACT_PROMPT})",
        )
        for n, text in enumerate(texts, 1)
    ]
    return _fold(article, results, client.model)


async def aextract(article: Article, client: ModelClient, *, tag: str = "") -> ArticleExtraction:
    """Async twin of :func:`extract`; the parts of one article run concurrently."""
    texts = split_text(article.prompt_text, client.settings.chunk_chars)
    calls = [
        client.astructured(
            ArticleDraft,
            build_messages(article, text, n, len(texts)),
            context=_context(article),
            tag=f"{tag or article.id} part {n}/{len(texts)} ({EXTRACT_PROMPT})",
        )
        for n, text in enumerate(texts, 1)
    ]
    # One part (the usual case) is awaited as it is: no task to create and schedule.
    results = [await calls[0]] if len(calls) == 1 else await asyncio.gather(*calls)
    return _fold(article, list(results), client.model)
