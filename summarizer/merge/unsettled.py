"""Reported by one source, still open in another: conflicts between facts and open questions.

One outlet writes that the meeting will be "in Hungary"; two others say the location is "to be
determined". Neither is a fact-vs-fact disagreement (only one source gives a value) nor a
duplicate open question, so the per-type folding cannot see it, yet it is exactly what an
analyst needs flagged: the value is either news the others lack, or premature.

The match is deliberately narrow, so that it never invents a disagreement:

* the question must ask *for the slot the fact fills*: it opens with "where" and the fact's
  topic names a place ("venue", "location", ...), or "when" and a time ("date", "timing",
  "day", ...), "how much" and an amount, "how many" and a number, "how long" and a duration;
  yes/no questions ("Will Putin agree to meet, and when?") are never used;
* what the topic is *about* (its content words other than the slot word) must be covered by
  the question: at least two shared words, and at least two thirds of the topic's words;
* at least one source asking the question must not itself report the value.

Each question source becomes a claim whose value says how its article left the matter
("undetermined", "disputed", ...), quoting that article's evidence. A topic that already has
a conflict (two sources' values differ) gets the question claims added to it. Pure and
deterministic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from summarizer.merge.similarity import stem, text_key
from summarizer.merge.values import sorted_claims
from summarizer.schema import Claim, Conflict, Fact, OpenQuestion, QuestionReason

# The interrogative that opens a question ("And where ...", "So when ..."), and the slot it
# asks for.
_LEAD = r"^\s*(?:and\s+|but\s+|so\s+)?"
_ASKS = tuple(
    (re.compile(_LEAD + pattern, re.IGNORECASE), slot)
    for pattern, slot in (
        (r"how\s+(?:much|big|large)\b", "amount"),
        (r"how\s+many\b", "count"),
        (r"how\s+long\b", "duration"),
        (r"(?:where|in\s+which\s+(?:city|country))\b", "place"),
        (r"(?:when|by\s+when|on\s+what\s+date)\b", "time"),
        # asked for, but never a fact's slot here: they only keep different questions apart
        (r"why\b", "reason"),
        (r"(?:who|whom)\b", "person"),
    )
)

# Words in a fact's topic that name the slot (stemmed the way text_key stems them).
_SLOT_WORDS = {
    "place": {"venue", "location", "place", "site", "host", "city", "country", "where"},
    "time": {"date", "day", "time", "timing", "when", "deadline", "timetable", "schedule"},
    "count": {"number", "count"},
    "amount": {"amount", "size", "cost", "value", "price", "sum"},
    "duration": {"length", "duration", "long"},
}
_SLOT_STEMS = {slot: {stem(w) for w in words} for slot, words in _SLOT_WORDS.items()}
# Words a question uses to ask for the slot without naming what it is about.
_QUESTION_FILLER = {
    stem(w)
    for w in """take place happen held hold be set go going start begin open worth last total
    exactly money""".split()
}
_WH_WORDS = {stem(w) for w in ("where", "when", "how", "much", "many", "long", "big", "large")}

# How an article left the matter, by the question's reason (one value per reason, so that a
# merged briefing can be split back into per-source questions: see merge.briefing_as_extraction).
OPEN_VALUE: dict[QuestionReason, str] = {
    "not_announced": "undetermined",
    "unknown": "unclear",
    "disputed": "disputed",
    "conditional": "depends on conditions",
}
REASON_OF: dict[str, QuestionReason] = {value: reason for reason, value in OPEN_VALUE.items()}


def asked_slot(question: str) -> str | None:
    """The slot a wh-question asks for ("place", "time", ...), or None for other questions."""
    for pattern, slot in _ASKS:
        if pattern.match(question):
            return slot
    return None


def topic_slot(topic: str) -> tuple[str | None, frozenset[str]]:
    """The slot a fact's topic names, and the topic's other content words."""
    tokens = text_key(topic).tokens - _QUESTION_FILLER
    for slot, stems in _SLOT_STEMS.items():
        if tokens & stems:
            return slot, frozenset(tokens - stems)
    return None, frozenset(tokens)


def _asks_about(question: str, slot: str, about: frozenset[str]) -> bool:
    """The question asks for this slot of this subject and of nothing else: none of its words
    falls outside the topic's subject ("How many people were *injured*" does not ask for the
    number *killed*; "When will the *second* round ..." not for the first round's date), and
    it names at least two of the subject's words and two thirds of them (a one-word subject:
    that word)."""
    if asked_slot(question) != slot or not about:
        return False
    words = text_key(question).tokens - _SLOT_STEMS[slot] - _QUESTION_FILLER - _WH_WORDS
    if words - about:
        return False
    shared = len(about & words)
    if len(about) == 1:
        return shared == 1
    return shared >= 2 and 3 * shared >= 2 * len(about)


def unsettled_conflicts(
    facts: Sequence[Fact],
    questions: Sequence[OpenQuestion],
    conflicts: Sequence[Conflict],
    reasons: Mapping[tuple[str, str], QuestionReason] | None = None,
) -> list[Conflict]:
    """``conflicts`` with question claims added, plus new conflicts for reported-vs-open.

    ``reasons`` gives each source's own reason for a folded question, keyed by (question,
    source): a folded question carries the most telling reason any source gave, but a claim
    must say what *its* source said.
    """
    own = reasons or {}
    by_topic: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        by_topic[f.topic].append(f)
    out = {c.topic: c for c in conflicts}
    for topic in sorted(by_topic):
        slot, about = topic_slot(topic)
        if slot is None:
            continue
        asked = [q for q in questions if _asks_about(q.question, slot, about)]
        reporting = {s for f in by_topic[topic] for s in f.sources}
        open_claims = [
            _question_claim(q, s, own.get((q.question, s), q.reason))
            for q in asked
            for s in q.sources
            if s not in reporting
        ]
        if not open_claims:
            continue
        if topic in out:  # the sources' values already disagree: add who calls it open
            old = out[topic]
            out[topic] = old.model_copy(
                update={"claims": sorted_claims([*old.claims, *open_claims])}
            )
            continue
        value_claims = [_fact_claim(f, s) for f in by_topic[topic] for s in f.sources]
        asking = {c.source for c in open_claims}
        out[topic] = Conflict(
            topic=topic,
            kind="value",
            claims=sorted_claims(value_claims + open_claims),
            note=f"reported by {_sources(reporting)}; still open in {_sources(asking)}",
        )
    return list(out.values())


def _sources(ids: set[str]) -> str:
    return "1 source" if len(ids) == 1 else f"{len(ids)} sources"


def _question_claim(q: OpenQuestion, source: str, reason: QuestionReason) -> Claim:
    return _claim(q, source, OPEN_VALUE[reason])


def _fact_claim(f: Fact, source: str) -> Claim:
    return _claim(f, source, f.value)


def _claim(item: OpenQuestion | Fact, source: str, value: str) -> Claim:
    """``source``'s claim, quoting the first piece of evidence it has for ``item``."""
    own = [e for e in item.evidence if e.source == source] or list(item.evidence)
    ev = min(own, key=lambda e: (e.start or 0, e.quote))
    return Claim(source=source, value=value, quote=ev.quote, start=ev.start, end=ev.end)
