"""Merge per-article extractions into one briefing. Pure and deterministic; no model needed.

What the merge does, in order:

1. **Sources.** Extractions are de-duplicated by source id (an identical copy counts once);
   every source is listed, sorted by id.
2. **Actors** are resolved across articles by :mod:`summarizer.merge.actors` (honorifics, roles,
   transliteration, surname-only and role mentions, organisations and collectives), and every
   item's ``actor`` is rewritten to the canonical name; ``attributed_by``, ``beneficiary`` and
   evidence ``speaker`` are rewritten when they name a resolved actor.
3. **Folding.** Positions fold by actor + issue, commitments by committer + action, open
   questions by meaning, facts by topic. Candidates are *blocked* (by canonical actor, then by
   shared content words) so the cost grows with the number of items times the number of
   distinct items they could match, never all pairs. Similarity is rapidfuzz token matching on
   stemmed content words, optionally combined with sentence embeddings (``embedder``), and an
   optional ``decide(a, b)`` callback settles near misses. A second pass joins whole clusters
   from different articles by average linkage over their wordings (a paraphrase close to a
   cluster's other wordings but not to its leader), and lets two articles' commitments by one
   committer to the *same named beneficiary* fold from the grey-zone floor. Whatever the
   similarity, some pairs never fold: two items the *same* article reported separately (the
   article already told them apart; only near-verbatim repeats inside one article fold),
   opposite moves ("send" / "withdraw troops", "lift" / "impose sanctions", "raise" / "cut",
   "vote for" / "against"), pledges to two different named beneficiaries, and questions that
   ask for different things ("where" / "when" / "why"). A folded item keeps every source and
   every piece of evidence (identical evidence once).
4. **Agreement.** Each item's ``support`` is the number of distinct sources behind it.

Conflict policy -- the merge never silently picks a winner:

* **Facts** are grouped by topic, then by value. Values that mean the same ("$90 billion",
  "around $90 bn"; "two days", "two-day"; "Tuesday" in two articles dated the same week) fold
  into one fact. Values that differ become separate facts under the same topic, and if any
  two of them, from different sources, are *incompatible* (different amounts or counts, days,
  deadlines, or outcome statements), the topic gets a :class:`Conflict` listing every source's
  value with its quote. Values that differ but fit together ("63" and "more than 60"; "by
  Friday" and "this week"; "Hungary" and "Budapest, Hungary") stay separate facts with no
  conflict. A value and its denial or opposite ("a deal was reached" / "no deal was
  reached", "won" / "lost", "legal" / "illegal", "rose 2%" / "fell 2%") are always a
  conflict, however many words they share.
* **Commitments** folded from several sources whose timeframes are incompatible ("within two
  weeks" vs "before the end of the month", resolved against each article's date) get a
  ``date`` conflict, and the folded commitment's ``timeframe`` is left empty rather than
  choosing one. A commitment one source calls firm and another refused or denied becomes
  ``status="disputed"`` with an ``outcome`` conflict. Different figures in the wordings of one
  folded pledge ("buy $90bn of weapons" / "buy $100bn of weapons") get an ``amount`` (or
  ``count``) conflict listing every source's own wording.
* **Positions** of one actor on one issue with opposite polarity (supports vs opposes) stay
  two positions and get a ``position`` conflict, also when one of them is what someone else
  says the actor thinks (the claim then says "according to ...").
* **Reported here, open there** (:mod:`summarizer.merge.unsettled`): a fact one source reports
  ("venue of the meeting: Hungary") that another source asks as an open question ("Where will
  the meeting take place?") gets a ``value`` conflict; each asking source's claim says how its
  article left the matter ("undetermined", "disputed", ...). Only wh-questions that ask for the
  fact's own slot (where/venue, when/date, how much/amount, ...) and cover its subject count.
* Relative dates are resolved against ``Source.date`` (:mod:`summarizer.merge.dates`); without a
  date the text is compared as written, and the commitment's ``date`` stays empty.

The result does not depend on the order of the extractions, and merging a briefing's content
again (:func:`briefing_as_extraction`) changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from summarizer.merge import dates
from summarizer.merge.actors import Mention, Resolution, resolve
from summarizer.merge.similarity import (
    GREY_FLOOR,
    Decide,
    Embedder,
    LabelSimilarity,
    Similarity,
    cluster,
    fuzzy_similarity,
    minilm_embedder,
    stem,
    text_key,
)
from summarizer.merge.unsettled import REASON_OF, asked_slot, unsettled_conflicts
from summarizer.merge.values import (
    DatedValue,
    Values,
    all_numbers,
    opposed,
    parse_number,
    relate_numbers,
    same_value_kind,
    sorted_claims,
    when_of,
)
from summarizer.schema import (
    ITEM_KINDS,
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
    QuestionReason,
    Source,
    Usage,
)

# Similarity (0-100) at or above which two items fold; below it and at or above the grey-zone
# floor, ``decide`` (if given) is asked. Calibrated on hand-labelled "same item?" pairs.
FOLD_THRESHOLD = {"position": 80.0, "commitment": 74.0, "question": 80.0, "fact": 80.0}

# Two articles' commitments by the same committer *to the same named beneficiary* fold from the
# grey-zone floor up, provided their actions share at least two content words of their own
# (neither the beneficiary's name nor a generic verb like "give" or "fund" counts): the
# (committer, beneficiary) key already agrees, an article rarely reports one pledge twice, and
# the consolidation pass never joins two commitments that one article reported separately. On
# the seed gold, one pledge's five wordings by five outlets ("give Ukraine very good protection
# and security", "co-ordinate the security guarantees for Ukraine", ...) score 50-66 with each
# other, while "send troops to X" and "give X lasting protection" share nothing but X. Without
# a shared beneficiary the ordinary threshold applies. Known limit: two different pledges that
# share two topical words ("send air defence systems to X" / "train X's air defence crews"),
# each reported by one article only, still fold; --model-merge can be asked instead.
SAME_BENEFICIARY_THRESHOLD = GREY_FLOOR


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
    labelled: Collection[str] = (),
    same_actor: Mapping[tuple[str, str], str] | None = None,
    found: Sequence[Conflict] = (),
) -> Briefing:
    """Merge per-article extractions into one briefing (see the module docstring).

    ``sources`` adds metadata (dates above all) for sources that items cite but no extraction
    carries, as when a briefing is merged again through :func:`briefing_as_extraction`.
    ``labelled`` names the kinds ("positions", "commitments", "open_questions", "facts")
    whose identifying texts are a model's labels (:func:`summarizer.merge.consolidate.relabel`):
    their items fold when their labels are equal, never by fuzzy similarity; every guard
    (actor blocks, polarity, values) still applies. Other kinds fold by the rules.
    ``same_actor`` maps (source, declared actor name) to a model's label of who it is
    (:func:`summarizer.merge.actors.resolve` keeps its guards). ``found`` adds disagreements a model
    found across items (:func:`summarizer.merge.consolidate.find_disagreements`); one the rules
    already report is not repeated.
    """
    unique = _unique_extractions(extractions)
    resolution = resolve(_mentions(unique), decide=decide, same=same_actor)
    items = _Collected.of(unique, resolution)
    for extra in sources:
        items.dates.setdefault(extra.id, extra.date)
    rules = Similarity(embedder, items.texts())
    labels = LabelSimilarity()

    def how(kind: str) -> tuple[Similarity, Decide | None]:
        return (labels, None) if kind in labelled else (rules, decide)  # labels have decided

    values = Values(items.dates)
    positions, position_conflicts = _fold_positions(items.positions, *how("positions"))
    commitments, commitment_conflicts = _fold_commitments(
        items.commitments, *how("commitments"), values
    )
    facts, fact_conflicts = _fold_facts(items.facts, *how("facts"), values)
    questions, reasons = _fold_questions(items.questions, *how("open_questions"))
    fact_conflicts = unsettled_conflicts(facts, questions, fact_conflicts, reasons)
    listed = _sources(unique, sources)
    return Briefing(
        event=Event(title=title if title is not None else _title(listed)),
        sources=listed,
        actors=resolution.actors,
        positions=positions,
        commitments=commitments,
        open_questions=questions,
        facts=facts,
        conflicts=_sorted_conflicts(
            _annotate_dates(c, values)
            for c in _with_found(fact_conflicts + commitment_conflicts + position_conflicts, found)
        ),
        dropped=_dropped(unique, items.dropped),
        gaps=[gap for e in unique for gap in e.gaps],
        missing_sources=sorted(set(missing_sources)),
        model=_agreed(e.model for e in unique),
        usage=sum((e.usage for e in unique), Usage()),
        labelled_by=_agreed(e.labelled_by for e in unique),
        merged_by=_merged_by(labelled, decide),
    )


#: How a briefing's items were folded (``Briefing.merged_by``).
RULES_ONLY = "rules only (no model)"
RULES_AND_MODEL = "rules, with the model asked about close pairs"
MODEL_LABELS = "the model's labels of what each item is about, then the rules' guards"


def _merged_by(labelled: Collection[str], decide: Decide | None) -> str:
    if not labelled:
        return RULES_AND_MODEL if decide else RULES_ONLY
    missing = sorted(set(ITEM_KINDS) - set(labelled))
    return MODEL_LABELS + (f" (by rules alone: {', '.join(missing)})" if missing else "")


def briefing_as_extraction(briefing: Briefing, source_id: str = "briefing") -> ArticleExtraction:
    """View a briefing's content as one extraction, so it can be merged again.

    Items keep their own ``sources``, so merging the result reproduces the briefing's items.
    Items a conflict is about are split back into one item per source, each with the value that
    source gave (as the conflict's claims record it), so the conflict is found again.
    """
    claims = {c.topic: c.claims for c in briefing.conflicts}
    dated = {s.id: s.date for s in briefing.sources}
    return ArticleExtraction(
        source=Source(id=source_id, title=briefing.event.title),
        actors=briefing.actors,
        positions=briefing.positions,
        commitments=[x for c in briefing.commitments for x in _split_commitment(c, claims, dated)],
        open_questions=[
            x for q in briefing.open_questions for x in _split_question(q, briefing.conflicts)
        ],
        facts=[x for f in briefing.facts for x in _split_fact(f, claims.get(f.topic, []))],
        dropped=briefing.dropped,
        gaps=briefing.gaps,
        model=briefing.model,
        usage=briefing.usage,
        labelled_by=briefing.labelled_by,
    )


def _timeframe_topic(actor: str, action: str) -> str:
    return f"timeframe: {actor} to {action}"


def _status_topic(actor: str, action: str) -> str:
    return f"whether {actor} will {action}"


def _figures_topic(actor: str, action: str) -> str:
    return f"figures: {actor} to {action}"


def _quoted_by(claims: Sequence[Claim]) -> dict[tuple[str, str, int | None, int | None], Claim]:
    return {(c.source, c.quote, c.start, c.end): c for c in claims}


def _claims_by_span(
    claims: Sequence[Claim],
) -> dict[tuple[str, str, int | None, int | None], list[Claim]]:
    out: dict[tuple[str, str, int | None, int | None], list[Claim]] = defaultdict(list)
    for c in claims:
        out[(c.source, c.quote, c.start, c.end)].append(c)
    return out


def _split_commitment(
    c: Commitment, claims: dict[str, list[Claim]], source_dates: dict[str, str | None]
) -> list[Commitment]:
    """One commitment per piece of evidence and recorded claim, each with the timeframe or
    status its source's claim recorded, so the conflict is found again. An agreed timeframe
    goes on one piece only (one whose article date resolves it to the commitment's date):
    the briefing does not say which sources gave it, and a relative timeframe read against
    every cited article's date would seem to disagree with itself."""
    times = _claims_by_span(claims.get(_timeframe_topic(c.actor, c.action), []))
    statuses = _claims_by_span(claims.get(_status_topic(c.actor, c.action), []))
    figures = _claims_by_span(claims.get(_figures_topic(c.actor, c.action), []))
    if not times and not statuses and not figures:
        return [c]
    carriers = _timeframe_carriers(c, source_dates)
    out = []
    for e in c.evidence:
        span = (e.source, e.quote, e.start, e.end)
        own = _own_claims(statuses, span)
        worded = _own_claims(figures, span)
        action = worded[0].value if worded else c.action
        status_values: list[str] = [x.value for x in own] or [c.status]
        time_values: list[str | None] = [x.value for x in times.get(span, [])]
        if not time_values:
            time_values = [c.timeframe if e in carriers and not times else None]
        for status in status_values:
            for timeframe in time_values:
                out.append(
                    c.model_copy(
                        update={
                            "sources": [e.source],
                            "evidence": [e],
                            "timeframe": timeframe,
                            "status": status,
                            "action": action,
                        }
                    )
                )
    return out


def _own_claims(
    by_span: dict[tuple[str, str, int | None, int | None], list[Claim]],
    span: tuple[str, str, int | None, int | None],
) -> list[Claim]:
    """The claims recorded for this piece of evidence, else the first its source made."""
    return by_span.get(span) or [x for v in by_span.values() for x in v if x.source == span[0]][:1]


def _timeframe_carriers(c: Commitment, source_dates: dict[str, str | None]) -> list[Evidence]:
    """The pieces of evidence that keep an agreed timeframe when a commitment is split: one
    whose article date resolves it to the commitment's date, or every piece when the
    commitment has no single date (which every piece keeping it reproduces)."""
    if not c.timeframe or c.date is None:
        return list(c.evidence) if c.timeframe else []
    for e in c.evidence:
        when = when_of(c.timeframe, source_dates.get(e.source))
        if when is not None and when.iso == c.date:
            return [e]
    return c.evidence[:1]


def _split_question(q: OpenQuestion, conflicts: Sequence[Conflict]) -> list[OpenQuestion]:
    """One question per source when a conflict quotes it (reported elsewhere, open here),
    each with the reason its source's claim recorded, so the claims are found again."""
    spans = {(e.source, e.quote, e.start, e.end) for e in q.evidence}
    own = {
        c.source: REASON_OF[c.value]
        for conflict in conflicts
        for c in conflict.claims
        if c.value in REASON_OF and (c.source, c.quote, c.start, c.end) in spans
    }
    if not own:
        return [q]
    return [
        q.model_copy(
            update={"sources": [e.source], "evidence": [e], "reason": own.get(e.source, q.reason)}
        )
        for e in q.evidence
    ]


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
    positions: Sequence[Position], similar: Similarity, decide: Decide | None
) -> tuple[list[Position], list[Conflict]]:
    clusters = cluster(
        positions,
        block=lambda p: f"{p.actor}\n{p.attributed_by or ''}",
        text=lambda p: p.issue,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["position"],
        similarity=similar,
        decide=decide,
        compatible=_same_issue,
    )
    out: list[Position] = []
    for c in clusters:
        by_polarity: dict[str, list[Position]] = defaultdict(list)
        for p in c.items:
            by_polarity[p.polarity].append(p)
        out.extend(_position(c.leader.text.raw, group) for group in by_polarity.values())
    return sorted(out, key=_position_order), _position_conflicts(out, similar)


def _position_conflicts(positions: Sequence[Position], similar: Similarity) -> list[Conflict]:
    """One actor's opposite stances on one issue, across attributions as well: "Ilvesse backs
    the fund" in her own words and "Ilvesse opposes the fund, according to Voronov" are kept as
    two positions (who said it matters) but they contradict each other, so they are a conflict.
    The folded positions are clustered again by actor alone; a cluster holding both a
    "supports" and an "opposes" position is one conflict listing every source's stance."""
    conflicts: list[Conflict] = []
    for c in cluster(
        positions,
        block=lambda p: p.actor,
        text=lambda p: p.issue,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["position"],
        similarity=similar,
        compatible=_same_issue,
    ):
        sides = [p for p in c.items if p.polarity in ("supports", "opposes")]
        if {p.polarity for p in sides} == {"supports", "opposes"}:
            conflicts.append(_position_conflict(c.leader.text.raw, sides))
    return conflicts


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


def _position_conflict(issue: str, sides: Sequence[Position]) -> Conflict:
    claims = [_claim(p, s, _stance_value(p), p.stance) for p in sides for s in p.sources]
    return Conflict(
        topic=f"{sides[0].actor} on {issue}", kind="position", claims=sorted_claims(claims)
    )


def _stance_value(p: Position) -> str:
    said = f"{p.polarity}: {p.stance}"
    return f"{said} (according to {p.attributed_by})" if p.attributed_by else said


_STATUS_RANK = {"firm": 0, "conditional": 1, "proposed": 2, "refused": 3, "disputed": 4}


def _fold_commitments(
    commitments: Sequence[Commitment],
    similar: Similarity,
    decide: Decide | None,
    values: Values,
) -> tuple[list[Commitment], list[Conflict]]:
    clusters = cluster(
        commitments,
        block=lambda c: c.actor,
        text=lambda c: c.action,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["commitment"],
        similarity=similar,
        decide=decide,
        limit=_commitment_limit,
        compatible=_same_pledge,
    )
    out: list[Commitment] = []
    conflicts: list[Conflict] = []
    for c in clusters:
        folded, found = _commitment(c.leader.text.raw, c.items, values)
        out.append(folded)
        conflicts.extend(found)
    out.sort(key=lambda c: (-c.support, c.actor, c.action))
    return out, conflicts


def _beneficiary(group: Sequence[Commitment]) -> str | None:
    """The beneficiary a folded commitment gets: the most common one its sources name."""
    named = [c.beneficiary for c in group if c.beneficiary]
    return _majority(named) if named else None


def _commitment_limit(a: Sequence[Commitment], b: Sequence[Commitment]) -> float:
    """The fold threshold for two clusters of one committer's commitments: lower when both
    name the same beneficiary and their actions share two words that are neither the
    beneficiary's nor generic verbs."""
    ba, bb = _beneficiary(a), _beneficiary(b)
    if not (ba and bb) or text_key(ba).key != text_key(bb).key:
        return FOLD_THRESHOLD["commitment"]
    named = text_key(ba).tokens | _GENERIC_VERBS
    words_a = {w for c in a for w in text_key(c.action).tokens} - named
    words_b = {w for c in b for w in text_key(c.action).tokens} - named
    shared = words_a & words_b
    return SAME_BENEFICIARY_THRESHOLD if len(shared) >= 2 else FOLD_THRESHOLD["commitment"]


def _commitment(
    action: str, group: Sequence[Commitment], values: Values
) -> tuple[Commitment, list[Conflict]]:
    first = group[0]
    timeframe, date, time_conflict = _timeframe(action, group, values)
    status, status_conflict = _status(action, group)
    figures_conflict = _figures(action, group)
    conditions = sorted({c for item in group for c in item.conditions})
    folded = Commitment(
        actor=first.actor,
        beneficiary=_beneficiary(group),
        action=action,
        conditions=conditions,
        timeframe=timeframe,
        date=date,
        status=status,  # type: ignore[arg-type]
        modality=_majority(c.modality for c in group),  # type: ignore[arg-type]
        sources=_all_sources(group),
        evidence=_all_evidence(group),
    )
    found = (time_conflict, status_conflict, figures_conflict)
    return folded, [c for c in found if c is not None]


def _figures(action: str, group: Sequence[Commitment]) -> Conflict | None:
    """Different amounts or counts in one pledge's wordings ("buy $90bn of US weapons" /
    "buy $100bn of US weapons") are a conflict: the folded action shows one wording, so the
    conflict lists every source's own wording. Wordings without a figure, or with figures that
    fit together ("around $90bn" / "$90bn"), raise no conflict on their own."""
    figured = [
        (c, n)
        for c in group
        if (n := parse_number(c.action)) is not None and n.kind in ("amount", "count")
    ]
    disputed: dict[int, Commitment] = {}
    for i, (a, na) in enumerate(figured):
        for b, nb in figured[i + 1 :]:
            if (
                set(a.sources) ^ set(b.sources)
                and relate_numbers(na, nb) == "conflict"
                and all_numbers(a.action) != all_numbers(b.action)  # the same figures reordered
            ):
                disputed[id(a)], disputed[id(b)] = a, b
    if not disputed:
        return None
    kinds = {n.kind for c, n in figured if id(c) in disputed}
    # every source's own wording, a figure or none, so each can be read (and split back out)
    claims = [_claim(c, s, c.action, c.action) for c in group for s in c.sources]
    return Conflict(
        topic=_figures_topic(group[0].actor, action),
        kind="amount" if kinds == {"amount"} else "count",
        claims=sorted_claims(claims),
    )


def _timeframe(
    action: str, group: Sequence[Commitment], values: Values
) -> tuple[str | None, str | None, Conflict | None]:
    """The shared timeframe, or none plus a conflict when sources give incompatible ones."""
    given = [DatedValue(c.timeframe, s, c) for c in group if c.timeframe for s in c.sources]
    if not given:
        return None, _resolved_date(group, [], values), None
    groups = values.groups(given)
    disputed = values.conflicting(groups)
    if disputed:
        topic = _timeframe_topic(group[0].actor, action)
        claims = [_claim(v.item, v.source, v.text, v.text) for g in disputed for v in g]
        return None, None, Conflict(topic=topic, kind="date", claims=sorted_claims(claims))
    timeframe = _majority(v.text for v in given)
    return timeframe, _resolved_date(group, [v for v in given if v.text == timeframe], values), None


def _resolved_date(
    group: Sequence[Commitment], given: Sequence[DatedValue], values: Values
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
        return "disputed", Conflict(topic=topic, kind="outcome", claims=sorted_claims(claims))
    return _majority_by_rank(statuses, group), None


def _majority_by_rank(statuses: set[str], group: Sequence[Commitment]) -> str:
    counts: Counter[str] = Counter(c.status for c in group)
    return min(statuses, key=lambda s: (-counts[s], _STATUS_RANK[s]))


_REASON_PRIORITY = {"disputed": 0, "conditional": 1, "not_announced": 2, "unknown": 3}


def _fold_questions(
    questions: Sequence[OpenQuestion], similar: Similarity, decide: Decide | None
) -> tuple[list[OpenQuestion], dict[tuple[str, str], QuestionReason]]:
    """Questions fold by meaning; the reason is the most telling one any source gives
    (a question one outlet reports as disputed is disputed). Also returns each source's own
    reason per folded question, for the claims of :mod:`summarizer.merge.unsettled`."""
    clusters = cluster(
        questions,
        block=lambda q: "",
        text=lambda q: q.question,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["question"],
        similarity=similar,
        decide=decide,
        compatible=_same_question,
    )
    out = [
        OpenQuestion(
            question=c.leader.text.raw,
            reason=_most_telling(q.reason for q in c.items),
            sources=_all_sources(c.items),
            evidence=_all_evidence(c.items),
        )
        for c in clusters
    ]
    reasons: dict[tuple[str, str], QuestionReason] = {}
    for c in clusters:
        for q in c.items:
            for s in q.sources:
                key = (c.leader.text.raw, s)
                reasons[key] = _most_telling([q.reason, reasons.get(key, q.reason)])
    return sorted(out, key=lambda q: (-q.support, q.question)), reasons


def _same_question(a: Sequence[OpenQuestion], b: Sequence[OpenQuestion]) -> bool:
    """Questions that ask for different things ("Where will the talks be held?" / "When ...";
    "Why did the talks collapse?" / "When ...") or about opposite moves ("How many troops will
    stay?" / "... will leave?") never fold, however alike their other words."""
    qa, qb = a[0].question, b[0].question
    slot_a, slot_b = asked_slot(qa), asked_slot(qb)
    if slot_a is not None and slot_b is not None and slot_a != slot_b:
        return False
    return not opposed(qa, qb, marked=True)


def _same_issue(a: Sequence[Position], b: Sequence[Position]) -> bool:
    """Opposite moves are different issues ("increase military aid" / "reduce military aid")."""
    return not opposed(a[0].issue, b[0].issue, marked=True)


# Verbs too general to show that two pledges to one beneficiary are the same pledge ("give
# Valdoria security guarantees" / "give Valdoria a path to membership").
_GENERIC_VERBS = frozenset(
    stem(w)
    for w in """give gives provide provides send sends deliver delivers fund funds offer offers
    help helps support supports make makes take takes have has get gets put set do supply
    supplies back ensure ensures pledge pledges commit commits promise promises""".split()
)


def _same_pledge(a: Sequence[Commitment], b: Sequence[Commitment]) -> bool:
    """Two clusters of one committer's commitments may fold: not opposite moves ("send troops"
    / "withdraw troops", "lift" / "impose sanctions"), and not to two different named
    beneficiaries ("... to Valdoria" / "... to Ostmark")."""
    if opposed(a[0].action, b[0].action, marked=True):
        return False
    ba, bb = _beneficiary(a), _beneficiary(b)
    if not (ba and bb):
        return True
    ka, kb = text_key(ba), text_key(bb)
    if ka.key == kb.key or ka.tokens <= kb.tokens or kb.tokens <= ka.tokens:
        return True
    return fuzzy_similarity(ka, kb) >= FOLD_THRESHOLD["commitment"] - 20


def _most_telling(reasons: Iterable[QuestionReason]) -> QuestionReason:
    return min(reasons, key=_REASON_PRIORITY.__getitem__)


# --------------------------------------------------------------------------------------------
# Facts and their values
# --------------------------------------------------------------------------------------------


def _fold_facts(
    facts: Sequence[Fact], similar: Similarity, decide: Decide | None, values: Values
) -> tuple[list[Fact], list[Conflict]]:
    clusters = cluster(
        facts,
        block=lambda f: "",
        text=lambda f: f.topic,
        sources=_item_sources,
        threshold=FOLD_THRESHOLD["fact"],
        similarity=similar,
        decide=decide,
        compatible=same_value_kind,
    )
    out: list[Fact] = []
    conflicts: list[Conflict] = []
    for c in clusters:
        topic = c.leader.text.raw
        given = [DatedValue(f.value, s, f) for f in c.items for s in f.sources]
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
                Conflict(topic=topic, kind=values.kind(topic, groups), claims=sorted_claims(claims))
            )
    return sorted(out, key=lambda f: (-f.support, f.topic, f.value)), conflicts


_U = TypeVar("_U")


def _unique_items(items: Iterable[_U]) -> list[_U]:
    seen: dict[int, _U] = {}
    for item in items:
        seen.setdefault(id(item), item)
    return list(seen.values())


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


def _annotate_dates(conflict: Conflict, values: Values) -> Conflict:
    """For a date conflict: each claim's resolved day (or why not), and a note when a
    time-zone difference may explain the gap. The conflict itself always stays."""
    if conflict.kind != "date":
        return conflict
    whens: dict[tuple[object, ...], dates.When] = {}
    for claim in conflict.claims:
        when = when_of(claim.value, values.source_dates.get(claim.source))
        if when is not None:
            claim.resolved = when.iso
            claim.flag = when.flag
            whens.setdefault((when.kind, when.start, when.end, when.tz, when.relative), when)
    distinct = list(whens.values())  # a conflict with thousands of claims has a few days
    for i, a in enumerate(distinct):
        for b in distinct[i + 1 :]:
            note = dates.timezone_note(a, b)
            if note is not None and conflict.note is None:
                conflict.note = note
    return conflict


def _with_found(conflicts: list[Conflict], found: Sequence[Conflict]) -> list[Conflict]:
    """The rules' conflicts, then each found one that reports something new: a found conflict
    sharing two quoted claims with one already listed is the same disagreement."""
    out = list(conflicts)
    for extra in found:
        spans = {(c.source, c.start, c.end) for c in extra.claims}
        if any(len(spans & {(c.source, c.start, c.end) for c in o.claims}) >= 2 for o in out):
            continue
        out.append(extra)
    return out


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
