"""The event summary: a short paragraph written by the model from the merged items only.

The model never sees the articles here, only the briefing's own items, each with an id
(``P1``, ``C2``, ``Q3``, ``X1``). Every sentence must name the items it rests on; ids that do
not exist are a validation error (instructor re-asks). The sentence's sources are then the
union of its items' sources, so each citation is grounded by construction: the reader can
follow a sentence to items and from items to verbatim quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from summarizer.extract.prompting import chat
from summarizer.schema import Briefing, Event, SummarySentence

if TYPE_CHECKING:  # the client (and openai) only when a caller passes one in
    from summarizer.model.client import ModelClient

SUMMARY_PROMPT = "summary_v1"
MAX_ITEMS = 60


class DraftSentence(BaseModel):
    text: str = Field(max_length=400, description="One short, neutral sentence.")
    items: list[str] = Field(
        min_length=1, max_length=6, description="Ids of the items it relies on, e.g. ['P1']."
    )

    @field_validator("items")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("item_ids")
        if isinstance(known, set | frozenset):
            unknown = [v for v in value if v not in known]
            if unknown:
                raise ValueError(f"unknown item ids {unknown}; use only ids from the list")
        return value


class SummaryDraft(BaseModel):
    title: str = Field(default="", max_length=120, description="Short event title.")
    sentences: list[DraftSentence] = Field(min_length=1, max_length=5)


def numbered_items(briefing: Briefing) -> dict[str, tuple[str, list[str]]]:
    """Item id -> (one-line description, sources), most-supported items first."""
    out: dict[str, tuple[str, list[str]]] = {}

    def support(item: Any) -> int:
        return -len(set(item.sources))

    for n, p in enumerate(sorted(briefing.positions, key=support)[:20], 1):
        out[f"P{n}"] = (f"{p.actor} on {p.issue} ({p.polarity}): {p.stance}", p.sources)
    for n, c in enumerate(sorted(briefing.commitments, key=support)[:15], 1):
        cond = f" if {'; '.join(c.conditions)}" if c.conditions else ""
        when = f" ({c.timeframe})" if c.timeframe else ""
        out[f"C{n}"] = (f"{c.actor} [{c.status}]: {c.action}{cond}{when}", c.sources)
    for n, q in enumerate(sorted(briefing.open_questions, key=support)[:10], 1):
        out[f"Q{n}"] = (f"Open: {q.question}", q.sources)
    for n, x in enumerate(briefing.conflicts[:10], 1):
        values = "; ".join(f"{c.source}: {c.value}" for c in x.claims)
        out[f"X{n}"] = (f"Sources disagree on {x.topic}: {values}", [c.source for c in x.claims])
    return dict(list(out.items())[:MAX_ITEMS])


Items = dict[str, tuple[str, list[str]]]


def _messages(briefing: Briefing, items: Items) -> list[dict[str, str]]:
    # One line per item: a newline inside article-derived text cannot forge another item.
    lines = [
        f"{key} [{len(set(src))} source(s)]: {' '.join(text.split())}"
        for key, (text, src) in items.items()
    ]
    return chat(SUMMARY_PROMPT, title=briefing.event.title, items=lines)


def _event(briefing: Briefing, items: Items, draft: SummaryDraft) -> Event:
    sentences = []
    for sentence in draft.sentences:
        cited = [i for i in sentence.items if i in items]
        if not cited:
            continue  # salvaged output with no valid citation: an uncited sentence is not kept
        sources = sorted({s for i in cited for s in items[i][1]})
        sentences.append(SummarySentence(text=sentence.text.strip(), items=cited, sources=sources))
    summary = " ".join(f"{s.text} [{', '.join(s.sources)}]" for s in sentences)
    title = briefing.event.title or draft.title.strip()
    return Event(title=title, summary=summary, sentences=sentences)


_TAG = f"event summary ({SUMMARY_PROMPT})"


def summarize(briefing: Briefing, client: ModelClient, *, tag: str = "") -> Event:
    """A new :class:`Event` with the model's title (unless set) and cited summary.

    ``tag`` names the call for recordings and errors (e.g. the eval case).
    """
    items = numbered_items(briefing)
    if not items:
        return briefing.event
    context = {"item_ids": frozenset(items)}
    result = client.structured(
        SummaryDraft,
        _messages(briefing, items),
        context=context,
        tag=_tagged(tag),
        kind="summary",
    )
    return _event(briefing, items, result.value)


def _tagged(tag: str) -> str:
    return f"{tag} {_TAG}" if tag else _TAG


async def asummarize(briefing: Briefing, client: ModelClient, *, tag: str = "") -> Event:
    """Async twin of :func:`summarize`."""
    items = numbered_items(briefing)
    if not items:
        return briefing.event
    context = {"item_ids": frozenset(items)}
    result = await client.astructured(
        SummaryDraft,
        _messages(briefing, items),
        context=context,
        tag=_tagged(tag),
        kind="summary",
    )
    return _event(briefing, items, result.value)
