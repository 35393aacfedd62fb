"""A briefing for a spreadsheet (CSV) or a stream (JSONL): one row per item.

CSV columns: kind, actor, about (issue, action, question or topic), value (polarity, status,
reason or value), detail (the stance, or a commitment's beneficiary, conditions and
timeframe), support, sources, and the first quote with its source and offsets. Conflicts are
a second sheet (:func:`conflicts_csv`: one row per claim). Written with a byte-order mark so
that spreadsheet programs read UTF-8, every field quoted where it needs to be.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from summarizer.schema import (
    ITEM_KINDS,
    Briefing,
    Commitment,
    Item,
    Position,
    identity,
    key_attribute,
)

BOM = "\ufeff"
COLUMNS = ("kind", "actor", "about", "value", "detail", "support", "sources", "quote",
           "quote_source", "start", "end")  # fmt: skip
CONFLICT_COLUMNS = ("topic", "kind", "source", "value", "resolved", "quote", "start", "end",
                    "note")  # fmt: skip


def _rows(b: Briefing) -> Iterator[tuple[str, Item]]:
    for kind in ITEM_KINDS:
        for item in getattr(b, kind):
            yield kind.rstrip("s").replace("_question", " question"), item


def _fields(kind: str, item: Item) -> dict[str, Any]:
    actor, detail = "", ""
    if isinstance(item, Position):
        actor, detail = item.actor, item.stance
    elif isinstance(item, Commitment):
        parts = [f"for {item.beneficiary}" if item.beneficiary else "",
                 f"if {'; '.join(item.conditions)}" if item.conditions else "",
                 f"by {item.timeframe}" if item.timeframe else ""]  # fmt: skip
        actor, detail = item.actor, " ".join(p for p in parts if p)
    about, value = identity(item), key_attribute(item)[1]
    first = item.evidence[0] if item.evidence else None
    return {
        "kind": kind, "actor": actor, "about": about, "value": value, "detail": detail,
        "support": item.support, "sources": "; ".join(item.sources),
        "quote": first.quote if first else "", "quote_source": first.source if first else "",
        "start": first.start if first else "", "end": first.end if first else "",
    }  # fmt: skip


def _csv(columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return BOM + out.getvalue()


def to_csv(b: Briefing) -> str:
    """The items, one row each."""
    return _csv(COLUMNS, (_fields(kind, item) for kind, item in _rows(b)))


def conflicts_csv(b: Briefing) -> str:
    """The conflicts, one row per claim."""
    rows = (
        {
            "topic": c.topic,
            "kind": c.kind,
            "source": claim.source,
            "value": claim.value,
            "resolved": claim.resolved or "",
            "quote": claim.quote,
            "start": "" if claim.start is None else claim.start,
            "end": "" if claim.end is None else claim.end,
            "note": c.note or "",
        }  # fmt: skip
        for c in b.conflicts
        for claim in c.claims
    )
    return _csv(CONFLICT_COLUMNS, rows)


def to_jsonl(b: Briefing) -> str:
    """One JSON object a line: every item (with its kind), then every conflict."""
    lines = [
        json.dumps({"kind": kind, **item.model_dump(mode="json")}, ensure_ascii=False)
        for kind, item in _rows(b)
    ]
    lines += [
        json.dumps({"kind": "conflict", **c.model_dump(mode="json")}, ensure_ascii=False)
        for c in b.conflicts
    ]
    return "".join(line + "\n" for line in lines)
