"""What changed between two briefings of one event: ``summarizer diff OLD NEW``.

Items are matched by meaning with the merge's own word similarity
(:func:`summarizer.merge.similarity.fuzzy_similarity` on the identifying text: issue, action,
question or topic), never by list position, and positions and commitments only within one
actor (names read through each briefing's actors list, aliases included). One optimal
assignment per kind and actor; a pair below :data:`THRESHOLD` is no pair. Then:

* items new (in NEW only) and gone (in OLD only);
* stances flipped (a position's polarity changed), commitments whose status changed, facts
  whose value changed;
* conflicts opened (in NEW only) and settled (in OLD only), matched by topic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from summarizer.merge.similarity import fuzzy_similarity, text_key
from summarizer.render.common import canonical_names
from summarizer.render.markdown import md_code, md_escape
from summarizer.schema import (
    ITEM_KINDS,
    Briefing,
    Commitment,
    Conflict,
    Item,
    OpenQuestion,
    Position,
    identity,
    key_attribute,
)

#: Similarity (0-100) at which two items are one: the merge's grey-zone floor.
THRESHOLD = 55.0


def attribute(item: Item) -> str:
    """What a change is about: a stance, a status, a value. An open question's reason is
    not compared: it is the same question whether pending or disputed."""
    return "" if isinstance(item, OpenQuestion) else key_attribute(item)[1]


@dataclass
class Change:
    kind: str
    actor: str
    what: str
    old: str = ""
    new: str = ""
    sources: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v not in ("", [])}


@dataclass
class Diff:
    new: list[Change] = field(default_factory=list)
    gone: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    conflicts_opened: list[Change] = field(default_factory=list)
    conflicts_settled: list[Change] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())

    def as_json(self) -> dict[str, Any]:
        return {
            k: [c.as_json() if isinstance(c, Change) else c for c in v]
            for k, v in vars(self).items()
        }


def _actor_of(item: Item, names: dict[str, str]) -> str:
    if isinstance(item, Position | Commitment):
        return names.get(item.actor.strip().casefold(), item.actor)
    return ""


def _match(
    old: Sequence[Any], new: Sequence[Any], text: Callable[[Any], str]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Optimal one-to-one pairs above the threshold; then the unmatched of each side."""
    if not old or not new:
        return [], list(range(len(old))), list(range(len(new)))
    keys_old, keys_new = [text_key(text(x)) for x in old], [text_key(text(x)) for x in new]
    score = np.zeros((len(old), len(new)))
    for i, a in enumerate(keys_old):
        for j, b in enumerate(keys_new):
            s = fuzzy_similarity(a, b)
            score[i, j] = s if s >= THRESHOLD else 0.0
    rows, cols = linear_sum_assignment(score, maximize=True)
    pairs = [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if score[i, j] > 0]
    done_old, done_new = {i for i, _ in pairs}, {j for _, j in pairs}
    return (
        pairs,
        [i for i in range(len(old)) if i not in done_old],
        [j for j in range(len(new)) if j not in done_new],
    )


def diff_briefings(old: Briefing, new: Briefing) -> Diff:
    """What changed from ``old`` to ``new`` (see the module docstring)."""
    out = Diff()
    old_ids, new_ids = {s.id for s in old.sources}, {s.id for s in new.sources}
    out.sources_added = sorted(new_ids - old_ids)
    out.sources_removed = sorted(old_ids - new_ids)
    names_old, names_new = canonical_names(old), canonical_names(new)
    for kind in ITEM_KINDS:
        groups: dict[str, tuple[list[Item], list[Item]]] = defaultdict(lambda: ([], []))
        for item in getattr(old, kind):
            groups[_actor_of(item, names_old)][0].append(item)
        for item in getattr(new, kind):
            groups[_actor_of(item, names_new)][1].append(item)
        for actor in sorted(groups):
            before, after = groups[actor]
            pairs, gone, added = _match(before, after, identity)
            for i in gone:
                out.gone.append(_change(kind, actor, before[i]))
            for j in added:
                out.new.append(_change(kind, actor, after[j]))
            for i, j in pairs:
                a, b = attribute(before[i]), attribute(after[j])
                if a != b and kind != "open_questions":
                    change = _change(kind, actor, after[j])
                    change.old, change.new = a, b
                    out.changed.append(change)
    pairs, settled, opened = _match(old.conflicts, new.conflicts, lambda c: c.topic)
    out.conflicts_settled = [_conflict(old.conflicts[i]) for i in settled]
    out.conflicts_opened = [_conflict(new.conflicts[j]) for j in opened]
    return out


def _change(kind: str, actor: str, item: Item) -> Change:
    return Change(kind, actor, identity(item), new=attribute(item), sources=list(item.sources))


def _conflict(c: Conflict) -> Change:
    values = "; ".join(f"{claim.source}: {claim.value}" for claim in c.claims)
    return Change("conflicts", "", c.topic, new=values,
                  sources=sorted({claim.source for claim in c.claims}))  # fmt: skip


def to_markdown(d: Diff, old_label: str = "old", new_label: str = "new") -> str:
    """The diff for a reader: per section, per actor."""
    out = [f"# What changed: {md_escape(old_label)} -> {md_escape(new_label)}", ""]
    if d.empty:
        return "\n".join([*out, "Nothing changed.", ""])
    if d.sources_added or d.sources_removed:
        out += ["## Sources", ""]
        out += [f"- added: {md_code(s)}" for s in d.sources_added]
        out += [f"- removed: {md_code(s)}" for s in d.sources_removed]
        out.append("")
    sections = (
        ("New", d.new, False), ("Gone", d.gone, False), ("Changed", d.changed, True),
        ("Disagreements that appeared", d.conflicts_opened, False),
        ("Disagreements settled", d.conflicts_settled, False),
    )  # fmt: skip
    for title, changes, with_old in sections:
        if not changes:
            continue
        out += [f"## {title}", ""]
        for c in changes:
            who = f"**{md_escape(c.actor)}** · " if c.actor else ""
            kind = c.kind.replace("_", " ").rstrip("s")
            moved = f"{md_escape(c.old)} -> {md_escape(c.new)}" if with_old else md_escape(c.new)
            where = f" ({', '.join(md_code(s) for s in c.sources)})" if c.sources else ""
            out.append(f"- {kind}: {who}{md_escape(c.what)}" + (f": {moved}" if moved else "")
                       + where)  # fmt: skip
        out.append("")
    return "\n".join(out)
