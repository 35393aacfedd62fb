"""The merge's behaviour on small invented cases: folding, conflicts, agreement, hooks."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.merge.fold import briefing_as_extraction, fuzzy_similarity, merge, text_key
from summarizer.schema import Actor, Conflict, Dropped, Position
from tests.factories import commitment, ev, extraction, fact, position, question


def conflict(topic_word: str, conflicts: Sequence[Conflict]) -> Conflict:
    found = [c for c in conflicts if topic_word in c.topic]
    assert len(found) == 1, [c.topic for c in conflicts]
    return found[0]


def test_sources_are_listed_once_and_identical_copies_count_once() -> None:
    a = extraction("b", facts=[fact("b", "size of the fund", "€3bn")])
    b = extraction("a", facts=[fact("a", "size of the fund", "€3bn")])
    briefing = merge([a, b, a])
    assert [s.id for s in briefing.sources] == ["a", "b"]
    assert briefing.usage.calls == 2
    assert briefing.facts[0].support == 2


def test_item_actors_are_rewritten_to_canonical_names() -> None:
    a = extraction(
        "a",
        actors=[Actor(name="Volodymyr Zelensky", role="Ukrainian President")],
        positions=[position("a", "Zelensky", "security guarantees for Ukraine")],
    )
    b = extraction(
        "b",
        positions=[
            position("b", "Mr. Zelenskyy", "Ukraine security guarantees", attributed_by=None)
        ],
    )
    c = extraction(
        "c", positions=[position("c", "the Ukrainian president", "security guarantees for Ukraine")]
    )
    briefing = merge([a, b, c])
    assert [x.name for x in briefing.actors] == ["Volodymyr Zelensky"]
    (folded,) = briefing.positions
    assert folded.actor == "Volodymyr Zelensky"
    assert folded.sources == ["a", "b", "c"] and folded.support == 3
    assert {e.source for e in folded.evidence} == {"a", "b", "c"}


def test_folding_keeps_every_quote_and_dedupes_identical_evidence() -> None:
    shared = ev("a", "Merz said a ceasefire must come first", 10)
    p1 = Position(
        actor="Friedrich Merz",
        issue="ceasefire before talks",
        stance="first",
        evidence=[shared, shared, ev("a", "he can't imagine talks without one", 90)],
    )
    p2 = position("b", "Friedrich Merz", "ceasefire before peace talks")
    briefing = merge([extraction("a", positions=[p1]), extraction("b", positions=[p2])])
    (folded,) = briefing.positions
    assert len(folded.evidence) == 3


def test_items_one_article_reported_separately_are_not_folded() -> None:
    a = extraction(
        "a",
        questions=[
            question("a", "When will the next round of talks be held?"),
            question("a", "Where will the next round of talks be held?"),
        ],
    )
    assert len(merge([a]).open_questions) == 2


def test_different_issues_of_one_actor_stay_apart() -> None:
    items = [
        position("a", "Mark Rutte", "US role in security guarantees"),
        position("b", "Mark Rutte", "Article 5-like security guarantees"),
    ]
    briefing = merge([extraction("a", positions=items[:1]), extraction("b", positions=items[1:])])
    assert len(briefing.positions) == 2


def test_positions_reported_through_different_people_stay_apart() -> None:
    a = position("a", "Vladimir Putin", "Article 5-like guarantees", attributed_by="Steve Witkoff")
    b = position("b", "Vladimir Putin", "Article 5-like guarantees", attributed_by="Donald Trump")
    briefing = merge([extraction("a", positions=[a]), extraction("b", positions=[b])])
    assert len(briefing.positions) == 2


def test_single_source_items_are_visible_as_such() -> None:
    briefing = merge([extraction("a", facts=[fact("a", "venue of the meeting", "Hungary")])])
    assert briefing.facts[0].support == 1


def test_different_amounts_are_a_conflict_listing_every_source() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "weapons purchase amount", "$90 billion")]),
            extraction("b", facts=[fact("b", "weapons purchase amount", "$100bn")]),
            extraction("c", facts=[fact("c", "weapons purchase amount", "around $90 bn")]),
            extraction("d", facts=[fact("d", "weapons purchase amount", "$90bn")]),
        ]
    )
    assert sorted((f.value, tuple(f.sources)) for f in briefing.facts) == [
        ("$100bn", ("b",)),
        ("$90bn", ("a", "d")),
        ("around $90 bn", ("c",)),
    ]
    found = conflict("weapons", briefing.conflicts)
    assert found.kind == "amount"
    assert [(c.source, c.value) for c in found.claims] == [
        ("a", "$90 billion"),
        ("b", "$100bn"),
        ("c", "around $90 bn"),
        ("d", "$90bn"),
    ]
    assert all(c.quote and c.start is not None for c in found.claims)


def test_values_that_fit_together_are_separate_facts_without_a_conflict() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "number of detained crew", "63")]),
            extraction("b", facts=[fact("b", "number of detained crew", "more than 60")]),
        ]
    )
    assert len(briefing.facts) == 2 and briefing.conflicts == []


def test_equal_values_written_differently_fold() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "size of the fund", "€2.4bn")]),
            extraction("b", facts=[fact("b", "size of the fund", "2.4 billion euro")]),
            extraction("c", facts=[fact("c", "length of the summit", "two days")]),
            extraction("d", facts=[fact("d", "length of the summit", "two-day")]),
        ]
    )
    assert sorted(f.support for f in briefing.facts) == [2, 2]
    assert briefing.conflicts == []


def test_days_across_time_zones_are_a_date_conflict() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "day of the White House meeting", "Tuesday (AEST)")]),
            extraction("b", facts=[fact("b", "day of the White House meeting", "Monday")]),
            extraction("c", facts=[fact("c", "day of the White House meeting", "Monday")]),
        ]
    )
    found = conflict("White House", briefing.conflicts)
    assert found.kind == "date"
    assert [c.source for c in found.claims] == ["a", "b", "c"]


def test_an_outcome_disagreement_is_a_conflict() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "outcome of the talks", "ended without a guarantee")]),
            extraction("b", facts=[fact("b", "outcome of the talks", "a breakthrough")]),
        ]
    )
    assert conflict("outcome", briefing.conflicts).kind == "outcome"


def test_one_article_listing_two_values_is_not_a_conflict() -> None:
    a = extraction(
        "a",
        facts=[
            fact("a", "European leaders attending", "Emmanuel Macron"),
            fact("a", "European leaders attending", "Keir Starmer"),
        ],
    )
    assert merge([a]).conflicts == []


def test_facts_whose_values_are_of_different_kinds_are_different_facts() -> None:
    briefing = merge(
        [
            extraction("a", facts=[fact("a", "day of the Trump-Putin Alaska summit", "Friday")]),
            extraction("b", facts=[fact("b", "place of the Trump-Putin summit", "Alaska")]),
        ]
    )
    assert sorted(f.topic for f in briefing.facts) == [
        "day of the Trump-Putin Alaska summit",
        "place of the Trump-Putin summit",
    ]


def test_incompatible_timeframes_empty_the_timeframe_and_raise_a_conflict() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                date="2025-08-18",
                commitments=[
                    commitment(
                        "a",
                        "Friedrich Merz",
                        "arrange the Putin-Zelensky meeting",
                        timeframe="within two weeks",
                    )
                ],
            ),
            extraction(
                "b",
                date="2025-08-18",
                commitments=[
                    commitment(
                        "b",
                        "Friedrich Merz",
                        "arrange the Putin-Zelensky meeting",
                        timeframe="before the end of the month",
                    )
                ],
            ),
        ]
    )
    (folded,) = briefing.commitments
    assert folded.timeframe is None and folded.support == 2
    found = conflict("timeframe", briefing.conflicts)
    assert found.kind == "date"
    assert {c.value for c in found.claims} == {"within two weeks", "before the end of the month"}


def test_compatible_timeframes_keep_the_timeframe_and_resolve_its_date() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                date="2026-11-17",
                commitments=[
                    commitment(
                        "a", "Marta Ilvesse", "release the detained crews", timeframe="by Friday"
                    )
                ],
            ),
            extraction(
                "b",
                date="2026-11-17",
                commitments=[
                    commitment(
                        "b", "Marta Ilvesse", "release the detained crews", timeframe="by Friday"
                    )
                ],
            ),
            extraction(
                "c",
                date="2026-11-18",
                commitments=[
                    commitment(
                        "c", "Marta Ilvesse", "release the detained crews", timeframe="this week"
                    )
                ],
            ),
        ]
    )
    (folded,) = briefing.commitments
    assert folded.timeframe == "by Friday" and folded.date == "2026-11-20"
    assert briefing.conflicts == []


def test_a_relative_timeframe_without_an_article_date_stays_unresolved() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                commitments=[
                    commitment(
                        "a", "Zelensky", "formalise the assurances", timeframe="within ten days"
                    )
                ],
            )
        ]
    )
    assert briefing.commitments[0].timeframe == "within ten days"
    assert briefing.commitments[0].date is None


def test_a_commitment_one_source_calls_refused_is_disputed() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                commitments=[
                    commitment("a", "Friedrich Merz", "commit German troops", status="firm")
                ],
            ),
            extraction(
                "b",
                commitments=[
                    commitment(
                        "b",
                        "Friedrich Merz",
                        "commit German troops",
                        status="refused",
                        modality="negated",
                    )
                ],
            ),
        ]
    )
    assert briefing.commitments[0].status == "disputed"
    assert conflict("German troops", briefing.conflicts).kind == "outcome"


def test_opposite_positions_in_different_sources_are_a_conflict() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                positions=[
                    position("a", "Donald Trump", "ceasefire before talks", polarity="supports")
                ],
            ),
            extraction(
                "b",
                positions=[
                    position("b", "Donald Trump", "ceasefire before talks", polarity="opposes")
                ],
            ),
        ]
    )
    assert len(briefing.positions) == 2
    assert conflict("ceasefire", briefing.conflicts).kind == "position"


def test_open_questions_keep_the_most_telling_reason() -> None:
    briefing = merge(
        [
            extraction(
                "a", questions=[question("a", "Who will pay for the fund?", reason="not_announced")]
            ),
            extraction(
                "b", questions=[question("b", "Who will pay for the fund?", reason="disputed")]
            ),
        ]
    )
    assert briefing.open_questions[0].reason == "disputed"


def test_an_item_without_evidence_is_dropped_not_merged() -> None:
    bare = Position(actor="Donald Trump", issue="tariffs", stance="wants them")
    existing = Dropped(source="a", kind="fact", quote="x", reason="not found")
    a = extraction("a", positions=[bare])
    a.dropped = [existing]
    briefing = merge([a])
    assert briefing.positions == []
    assert existing in briefing.dropped and len(briefing.dropped) == 2


def test_model_is_kept_only_when_all_agree_usage_is_summed_missing_sources_kept() -> None:
    a, b = extraction("a"), extraction("b")
    assert merge([a, b]).model == "test-model"
    b.model = "other"
    briefing = merge([a, b], missing_sources=["c", "c"], title="The event")
    assert briefing.model is None
    assert briefing.usage.prompt_tokens == 200 and briefing.usage.calls == 2
    assert briefing.missing_sources == ["c"] and briefing.partial
    assert briefing.event.title == "The event"


def test_the_default_title_is_the_most_typical_source_title() -> None:
    a, b, c = extraction("a"), extraction("b"), extraction("c")
    a.source.title = "Trump, Zelensky discuss security guarantees"
    b.source.title = "Talks on security guarantees end without a deal"
    c.source.title = "Weather today"
    assert merge([a, b, c]).event.title != "Weather today"


def test_attribution_beneficiary_and_speaker_are_canonicalised() -> None:
    a = extraction(
        "a",
        actors=[Actor(name="Steve Witkoff"), Actor(name="Vladimir Putin")],
        positions=[position("a", "Putin", "NATO-like guarantees", attributed_by="Witkoff")],
    )
    a.positions[0].evidence[0].speaker = "Mr. Witkoff"
    (p,) = merge([a]).positions
    assert (p.actor, p.attributed_by, p.evidence[0].speaker) == (
        "Vladimir Putin",
        "Steve Witkoff",
        "Steve Witkoff",
    )


def test_decide_is_asked_only_about_grey_zone_pairs_and_is_obeyed() -> None:
    items = [
        commitment("a", "Donald Trump", "have Ukraine buy American weapons"),
        commitment("b", "Donald Trump", "have Ukraine purchase US arms, paid by Europe"),
    ]
    score = fuzzy_similarity(text_key(items[0].action), text_key(items[1].action))
    extractions = [extraction("a", commitments=items[:1]), extraction("b", commitments=items[1:])]
    assert len(merge(extractions).commitments) == 2
    asked: list[tuple[str, str]] = []

    def yes(a: str, b: str) -> bool:
        asked.append((a, b))
        return True

    assert len(merge(extractions, decide=yes).commitments) == 1
    assert asked and all(a <= b for a, b in asked)
    assert 55 <= score < 74


def test_an_embedder_folds_paraphrases_the_fuzzy_matcher_misses() -> None:
    items = [
        question("a", "Who will carry the cost of the fund?"),
        question("b", "How will the fund's cost be split between the governments?"),
    ]
    extractions = [extraction("a", questions=items[:1]), extraction("b", questions=items[1:])]
    assert len(merge(extractions).open_questions) == 2

    def embed(texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0] if "cost" in t else [0.0, 1.0] for t in texts]

    assert len(merge(extractions, embedder=embed).open_questions) == 1


def test_a_briefing_merged_again_is_unchanged() -> None:
    briefing = merge(
        [
            extraction(
                "a",
                actors=[Actor(name="Friedrich Merz", role="German Chancellor")],
                positions=[position("a", "Merz", "ceasefire before talks")],
                facts=[fact("a", "amount", "$90 billion")],
            ),
            extraction(
                "b",
                positions=[position("b", "the German Chancellor", "ceasefire first")],
                facts=[fact("b", "amount", "$100bn")],
            ),
        ]
    )
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    for field in ("actors", "positions", "commitments", "open_questions", "facts", "conflicts"):
        assert getattr(again, field) == getattr(briefing, field), field


def test_date_conflict_keeps_both_days_and_notes_the_time_zones() -> None:
    from summarizer.merge.fold import merge
    from summarizer.schema import ArticleExtraction, Evidence, Fact, Source

    def extraction(sid: str, value: str) -> ArticleExtraction:
        text = f"The summit was held on {value}."
        ev = Evidence(source=sid, quote=text, start=0, end=len(text))
        fact = Fact(topic="day of the summit", value=value, sources=[sid], evidence=[ev])
        return ArticleExtraction(source=Source(id=sid), facts=[fact])

    briefing = merge([extraction("au", "Tuesday (AEST)"), extraction("us", "Monday")])
    (conflict,) = briefing.conflicts
    assert conflict.kind == "date"
    assert {c.value for c in conflict.claims} == {"Tuesday (AEST)", "Monday"}
    assert conflict.note is not None and "time zones" in conflict.note
    assert all(c.flag for c in conflict.claims)  # unresolved: no article date
