"""Model-assisted consolidation: the model names what each item is about, the merge folds.

Word rules cannot tell that "ceding territory" and "territorial concessions" are one issue, or
that "Ukraine's $90bn arms order" and "a proposal to buy $100bn of US weapons" measure the same
thing. So before the merge, the model labels every item of one kind (positions, commitments,
open questions, facts) across all articles: items that state the same thing get the same
label (an issue, a pledged action, a question, the quantity a fact measures). The labels
replace the items' identifying text, and :func:`summarizer.merge.fold.merge` with ``labelled``
naming those kinds folds only items whose labels are equal (a kind the model could not label
is folded by the rules, and ``Briefing.merged_by`` says so). Everything else stays
deterministic and absolute: different actors never fold (the merge blocks by actor),
opposite stances on one issue become a conflict, different values of one quantity become a
conflict with each source's quote, and every source and quote survives the fold.

Cost: one call per kind and per :data:`MAX_LINES` items (4 calls for a five-article event),
each listing the items in one short line and answered with one short label per item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from summarizer.errors import MissingRecording, ModelError
from summarizer.extract.prompting import chat
from summarizer.merge.actors import fold_token
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Claim,
    Commitment,
    Conflict,
    Fact,
    OpenQuestion,
    Position,
)

if TYPE_CHECKING:  # the client (and openai) only when a caller passes one in
    from summarizer.model.client import ModelClient

log = logging.getLogger(__name__)

LABELS_PROMPT = "labels_v1"
DISAGREEMENTS_PROMPT = "disagreements_v2"
#: Item lines in the one disagreements call (all of them must be in one call: a disagreement
#: is between items that any split could separate). Past this, facts come first, then
#: commitments, then positions, and what is left out is logged.
MAX_CLAIM_LINES = 400
#: Items per call: a call's answer (about 12 tokens per item) stays far below max_tokens.
MAX_LINES = 80

Key = tuple[str, str, int]  # (source id, kind, index in that extraction's list)


class Label(BaseModel):
    id: str = Field(max_length=12)
    label: str = Field(max_length=160)


class Labels(BaseModel):
    """A label for each item id."""

    labels: list[Label]

    @field_validator("labels")
    @classmethod
    def _known(cls, value: list[Label], info: ValidationInfo) -> list[Label]:
        known = (info.context or {}).get("item_ids")
        if isinstance(known, set | frozenset):
            unknown = sorted({x.id for x in value} - known)
            if unknown:
                raise ValueError(f"unknown ids {unknown[:5]}; label only the ids listed")
        return value


def _position(p: Position) -> str:
    told = f", according to {p.attributed_by}" if p.attributed_by else ""
    return f"{p.actor}{told} [{p.polarity}]: {p.issue} | {p.stance}"


def _commitment(c: Commitment) -> str:
    cond = f" if {'; '.join(c.conditions)}" if c.conditions else ""
    return f"{c.actor} [{c.status}]: {c.action}{cond}"


def _question(q: OpenQuestion) -> str:
    return q.question


def _fact(f: Fact) -> str:
    return f"{f.topic}: {f.value}"


#: kind -> (id prefix, noun, how to label, one line per item, the field the label replaces)
KINDS: dict[str, tuple[str, str, str, Callable[[Any], str], str]] = {
    "positions": (
        "P", "position",
        "Label = the issue, as a short lower-case noun phrase naming the question, not the "
        "answer ('ceasefire before peace talks'), the same for every actor and side that "
        "takes a position on that question.",
        _position, "issue",
    ),
    "commitments": (
        "C", "commitment",
        "Label = the pledged action in a few words ('buy US weapons'), the same for one "
        "pledge reported by several outlets (even with different figures or dates), "
        "different for different pledges of the same actor.",
        _commitment, "action",
    ),
    "open_questions": (
        "Q", "open question",
        "Label = the open question as one short question, the same for one open point "
        "however each outlet words it, different for different points (where vs when).",
        _question, "question",
    ),
    "facts": (
        "F", "fact",
        "Label = the quantity or thing the value measures, without the value ('amount of "
        "the US weapons purchase', 'day of the White House meeting'), the same when outlets "
        "report that thing, whether or not their values agree.",
        _fact, "topic",
    ),
}  # fmt: skip


def _actor(a: Actor) -> str:
    said = "; ".join(x for x in (a.role, a.affiliation) if x)
    also = f"; also called {', '.join(a.aliases)}" if a.aliases else ""
    return f"{a.name} [{a.type}]" + (f" {said}" if said else "") + also


#: The actors are labelled like the items, by who they are; the label is not written into the
#: extraction: :func:`summarizer.merge.actors.resolve` joins equal labels under its guards.
ACTORS = (
    "A", "actor",
    "Label = the person's or organisation's full name in one spelling, the same for every "
    "line naming that one person or organisation (whatever the transliteration, acronym or "
    "descriptive name an outlet uses), different for different people even when they share "
    "a surname, and different for a person and the organisation they lead.",
    _actor, "name",
)  # fmt: skip


def _items(extractions: Sequence[ArticleExtraction], kind: str) -> list[tuple[Key, Any]]:
    return [
        ((e.source.id, kind, n), item)
        for e in extractions
        for n, item in enumerate(getattr(e, kind))
    ]


def _chunks(items: Sequence[tuple[Key, Any]]) -> Iterator[Sequence[tuple[Key, Any]]]:
    for start in range(0, len(items), MAX_LINES):
        yield items[start : start + MAX_LINES]


def label_items(
    extractions: Sequence[ArticleExtraction], client: ModelClient, *, tag: str = ""
) -> tuple[dict[Key, str], list[str]]:
    """A label for each item of ``extractions``, and the kinds that were labelled.

    One article needs no call (nothing of one article folds) and labels nothing. Kinds with
    fewer than two items need no call (and count as labelled). A kind whose call
    fails is left out (logged; the merge folds it by rules); a missing recording propagates.
    """
    labels: dict[Key, str] = {}
    done: list[str] = []
    if len({e.source.id for e in extractions}) < 2:
        return labels, []  # one article: its items and actors are never folded together
    for kind in (*KINDS, "actors"):
        try:
            labels.update(_label_kind(extractions, kind, client, tag))
        except MissingRecording:
            raise
        except ModelError as exc:
            log.warning("the model could not label the %s (%s): merged by rules", kind, exc)
            continue
        done.append(kind)
    return labels, done


def _label_kind(
    extractions: Sequence[ArticleExtraction], kind: str, client: ModelClient, tag: str
) -> dict[Key, str]:
    prefix, noun, rule, line, _ = KINDS[kind] if kind in KINDS else ACTORS
    sources = len({e.source.id for e in extractions})
    labels: dict[Key, str] = {}
    items = _items(extractions, kind)
    if len(items) >= 2:
        chunks = list(_chunks(items))
        for n, chunk in enumerate(chunks, 1):
            ids = {f"{prefix}{i}": key for i, (key, _) in enumerate(chunk, 1)}
            lines = [
                f"{prefix}{i} ({key[0]}) {' '.join(line(item).split())}"
                for i, (key, item) in enumerate(chunk, 1)
            ]
            messages = chat(LABELS_PROMPT, noun=noun, rule=rule, sources=sources, lines=lines)
            result = client.structured(
                Labels,
                messages,
                context={"item_ids": frozenset(ids)},
                tag=f"{tag or 'event'} labels {kind} {n}/{len(chunks)} ({LABELS_PROMPT})",
                kind="merge",
            )
            for entry in result.value.labels:
                text = " ".join(entry.label.split())
                if text and entry.id in ids:
                    labels[ids[entry.id]] = text
    return labels


def actor_labels(
    extractions: Sequence[ArticleExtraction], labels: dict[Key, str]
) -> dict[tuple[str, str], str]:
    """(source, declared actor name) -> the model's label of who it is, for
    :func:`summarizer.merge.actors.resolve`."""
    return {
        (e.source.id, actor.name): labels[(e.source.id, "actors", n)]
        for e in extractions
        for n, actor in enumerate(e.actors)
        if (e.source.id, "actors", n) in labels
    }


def relabel(
    extractions: Sequence[ArticleExtraction], labels: dict[Key, str]
) -> list[ArticleExtraction]:
    """Copies of ``extractions`` whose items' identifying text is their label (an item the
    model left unlabelled keeps its own text, so it folds with nothing by accident)."""
    out: list[ArticleExtraction] = []
    for e in extractions:
        copy = e.model_copy(deep=True)
        for kind, (_, _, _, _, field) in KINDS.items():
            for n, item in enumerate(getattr(copy, kind)):
                label = labels.get((e.source.id, kind, n))
                if label:
                    setattr(item, field, _without_actor(label, getattr(item, "actor", "")))
        out.append(copy)
    return out


def _without_actor(label: str, actor: str) -> str:
    """A label without a leading "Trump: " naming the item's own actor (a model may prefix
    it; the briefing shows the actor already, and the merge compares within one actor). The
    head's words are compared as name tokens, so "Zelensky: " goes from Volodymyr Zelenskyy's
    items too."""
    head, colon, rest = label.partition(":")
    words = {fold_token(w) for w in actor.split()} - {""}
    said = {fold_token(w) for w in head.split()} - {""}
    if colon and rest.strip() and said and said <= words:
        return rest.strip()
    return label


# --------------------------------------------------------------------------------------------
# Disagreements across items and kinds
# --------------------------------------------------------------------------------------------


class Side(BaseModel):
    id: str = Field(max_length=12)
    value: str = Field(max_length=240)


class Disagreement(BaseModel):
    topic: str = Field(max_length=200)
    kind: Literal["amount", "date", "count", "outcome", "value"] = "value"
    sides: list[Side]


class Disagreements(BaseModel):
    """The points on which the articles contradict each other."""

    disagreements: list[Disagreement]

    @field_validator("disagreements")
    @classmethod
    def _known(cls, value: list[Disagreement], info: ValidationInfo) -> list[Disagreement]:
        known = (info.context or {}).get("item_ids")
        if isinstance(known, set | frozenset):
            unknown = sorted({s.id for d in value for s in d.sides} - known)
            if unknown:
                raise ValueError(f"unknown ids {unknown[:5]}; use only the ids listed")
        return value


#: Claim kinds in the order they get a place when the lines must be cut. Open questions are
#: claims too: "it is unconfirmed whether Putin accepts" disagrees with "Putin agreed".
CLAIM_KINDS = ("facts", "commitments", "positions", "open_questions")


def _open_claim(q: OpenQuestion) -> str:
    return f"{q.question} [{q.reason}]"


#: How each claim kind is shown to the disagreements call: as to the labels, except that a
#: question also shows why it is open.
CLAIM_LINES: dict[str, Callable[[Any], str]] = {
    **{kind: KINDS[kind][3] for kind in CLAIM_KINDS},
    "open_questions": _open_claim,
}


def _claim_lines(
    extractions: Sequence[ArticleExtraction],
) -> tuple[dict[str, tuple[Key, Any]], list[str]]:
    ids: dict[str, tuple[Key, Any]] = {}
    lines: list[str] = []
    for kind in CLAIM_KINDS:
        prefix, line = KINDS[kind][0], CLAIM_LINES[kind]
        for n, (key, item) in enumerate(_items(extractions, kind), 1):
            if len(lines) == MAX_CLAIM_LINES:
                log.warning("disagreements: only the first %d items were compared", len(lines))
                return ids, lines
            ids[f"{prefix}{n}"] = (key, item)
            lines.append(f"{prefix}{n} ({key[0]}) {' '.join(line(item).split())}")
    return ids, lines


def find_disagreements(
    extractions: Sequence[ArticleExtraction], client: ModelClient, *, tag: str = ""
) -> list[Conflict]:
    """Disagreements the model finds between the articles' items, of any kind and in any
    words ("territory was discussed" against "territories were not part of the talks"), as
    conflicts whose claims quote each side's own evidence. One call per event. The guards
    are the code's: a side must be a listed item, its quote is that item's evidence, and a
    disagreement needs two articles with different values (else it is dropped). A failed
    call raises :class:`ModelError` (the caller keeps the rules' conflicts)."""
    if len({e.source.id for e in extractions}) < 2:
        return []
    ids, lines = _claim_lines(extractions)
    if len(lines) < 2:
        return []
    messages = chat(
        DISAGREEMENTS_PROMPT, sources=len({e.source.id for e in extractions}), lines=lines
    )
    result = client.structured(
        Disagreements,
        messages,
        context={"item_ids": frozenset(ids)},
        tag=f"{tag or 'event'} disagreements ({DISAGREEMENTS_PROMPT})",
        kind="merge",
    )
    return conflicts_of(result.value, ids)


def conflicts_of(found: Disagreements, ids: dict[str, tuple[Key, Any]]) -> list[Conflict]:
    """The model's disagreements as conflicts, each side quoted from its own item."""
    out: list[Conflict] = []
    for d in found.disagreements:
        claims: dict[tuple[str, int, int], Claim] = {}
        for side in d.sides:
            if side.id not in ids:
                continue
            (source, _, _), item = ids[side.id]
            own = [ev for ev in item.evidence if ev.source == source] or list(item.evidence)
            if not own:
                continue
            ev = own[0]
            value = " ".join(side.value.split())
            claims.setdefault(
                (ev.source, ev.start, ev.end),
                Claim(source=ev.source, value=value, quote=ev.quote, start=ev.start, end=ev.end),
            )
        sides = list(claims.values())
        if len({c.source for c in sides}) < 2 or len({c.value.casefold() for c in sides}) < 2:
            continue  # not between two articles, or no difference to show
        out.append(Conflict(topic=" ".join(d.topic.split()), kind=d.kind, claims=sides))
    return out


def claim_count(extractions: Sequence[ArticleExtraction]) -> int:
    """How many items the disagreements call could compare (it takes :data:`MAX_CLAIM_LINES`)."""
    return sum(len(getattr(e, kind)) for e in extractions for kind in CLAIM_KINDS)


def describe_merge(
    merged_by: str | None, kinds: Sequence[str], searched: bool, claims: int = 0
) -> str:
    """``Briefing.merged_by`` for a model-assisted merge: what the model did, what the rules;
    and, when there were more items than one call compares, that the search was partial."""
    parts = [merged_by or ""]
    parts.append(
        "actors joined by the model's labels under the rules' guards"
        if "actors" in kinds
        else "actors by the rules alone (the model could not label them)"
    )
    parts.append(
        "disagreements also sought by the model across items"
        if searched
        else "conflicts by the rules alone (the model's search for disagreements failed)"
    )
    if searched and claims > MAX_CLAIM_LINES:
        parts.append(
            f"the model compared the first {MAX_CLAIM_LINES} of {claims} items for "
            "disagreements (the rest by the rules alone)"
        )
    return "; ".join(p for p in parts if p)
