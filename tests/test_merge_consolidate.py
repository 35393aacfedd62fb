"""Consolidation across articles, and reported-vs-open conflicts, on small invented cases.

Everything here is invented (the Nereid islands, Kestrel crews, Premier Orla Venn); no real
article is quoted.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from summarizer.merge import similarity
from summarizer.merge.fold import briefing_as_extraction, merge
from summarizer.merge.unsettled import asked_slot, topic_slot
from summarizer.schema import ArticleExtraction, Briefing
from tests.factories import commitment, extraction, fact, position, question

VENN = "Orla Venn"
ISLANDS = "the Nereid islands"


def _no_consolidation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_consolidate", lambda clusters, *args: clusters)


def _crews() -> list[ArticleExtraction]:
    wordings = {
        "a": "release the detained Kestrel crews",
        "b": "free the detained Kestrel crews",
        "c": "free the detained Kestrel fishermen",
        "d": "release the detained Kestrel fishermen",
    }
    return [
        extraction(s, commitments=[commitment(s, "Marta Ilvesse", w)]) for s, w in wordings.items()
    ]


def test_paraphrases_that_miss_the_leader_still_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    (folded,) = merge(_crews()).commitments
    assert folded.sources == ["a", "b", "c", "d"]
    assert len({e.quote for e in folded.evidence}) == 4

    _no_consolidation(monkeypatch)
    assert len(merge(_crews()).commitments) == 2  # the leader pass alone leaves two clusters


SECURITY = {
    "a": "give the Nereid islands lasting protection and security guarantees",
    "b": "co-ordinate the security guarantees for the Nereid islands that partner navies provide",
    "c": "support the Nereid islands' security in any settlement, with partner navies involved",
}


def _pledges(beneficiary: str | None) -> list[ArticleExtraction]:
    return [
        extraction(s, commitments=[commitment(s, VENN, w, beneficiary=beneficiary)])
        for s, w in SECURITY.items()
    ]


def test_pledges_to_the_same_beneficiary_fold_across_articles() -> None:
    (folded,) = merge(_pledges(ISLANDS)).commitments
    assert folded.sources == ["a", "b", "c"] and folded.beneficiary == ISLANDS
    assert {e.source for e in folded.evidence} == {"a", "b", "c"}


def test_without_a_shared_beneficiary_the_ordinary_threshold_applies() -> None:
    assert len(merge(_pledges(None)).commitments) == 3
    mixed = _pledges(ISLANDS)
    mixed[2] = extraction(
        "c", commitments=[commitment("c", VENN, SECURITY["c"], beneficiary="the Tarn coast")]
    )
    assert sorted(c.support for c in merge(mixed).commitments) == [1, 2]


def test_the_beneficiary_name_alone_never_folds_two_pledges() -> None:
    a = commitment("a", VENN, "give the Nereid islands lasting protection", beneficiary=ISLANDS)
    b = commitment("b", VENN, "send troops to the Nereid islands", beneficiary=ISLANDS)
    briefing = merge([extraction("a", commitments=[a]), extraction("b", commitments=[b])])
    assert len(briefing.commitments) == 2


def test_two_pledges_one_article_reported_separately_are_never_joined() -> None:
    a = extraction(
        "a",
        commitments=[
            commitment("a", VENN, SECURITY["a"], beneficiary=ISLANDS),
            commitment("a", VENN, SECURITY["b"], beneficiary=ISLANDS),
        ],
    )
    c = extraction("c", commitments=[commitment("c", VENN, SECURITY["c"], beneficiary=ISLANDS)])
    briefing = merge([a, c])
    assert sorted(x.sources for x in briefing.commitments) == [["a"], ["a", "c"]]
    (joined,) = [x for x in briefing.commitments if x.support == 2]
    assert {e.quote for e in joined.evidence} == {
        f"{VENN} will {SECURITY['b']}",
        f"{VENN} will {SECURITY['c']}",
    }


def _dump(b: Briefing) -> str:
    return b.model_dump_json(exclude={"usage"})


def test_consolidation_does_not_depend_on_order_and_is_idempotent() -> None:
    corpus = _crews() + _pledges(ISLANDS)
    first = merge(corpus)
    for shift in range(1, len(corpus)):
        assert _dump(merge(corpus[shift:] + corpus[:shift])) == _dump(first)
    assert _dump(merge(corpus[::-1])) == _dump(first)
    again = merge([briefing_as_extraction(first)], sources=first.sources)
    assert again.commitments == first.commitments


# --------------------------------------------------------------------------------------------
# Reported by one source, still open in another
# --------------------------------------------------------------------------------------------


def _venue_corpus() -> list[ArticleExtraction]:
    return [
        extraction(
            "a",
            facts=[
                fact(
                    "a",
                    "venue of the Venn-Arlo meeting",
                    "Port Ansel",
                    "the Venn-Arlo meeting in Port Ansel next week",
                )
            ],
        ),
        extraction(
            "b",
            questions=[
                question(
                    "b",
                    "Where will the Venn-Arlo meeting take place?",
                    "a meeting at a location still to be agreed",
                    reason="not_announced",
                )
            ],
        ),
        extraction(
            "c",
            questions=[
                question("c", "Where will the Venn-Arlo meeting be held?", reason="disputed")
            ],
        ),
    ]


def test_a_value_one_source_reports_and_others_call_open_is_a_conflict() -> None:
    briefing = merge(_venue_corpus())
    (conflict,) = briefing.conflicts
    assert conflict.topic == "venue of the Venn-Arlo meeting" and conflict.kind == "value"
    assert [(c.source, c.value) for c in conflict.claims] == [
        ("a", "Port Ansel"),
        ("b", "undetermined"),
        ("c", "disputed"),
    ]
    assert conflict.claims[1].quote == "a meeting at a location still to be agreed"
    assert conflict.note == "reported by 1 source; still open in 2 sources"
    # the items themselves are untouched: one fact, one folded open question
    assert len(briefing.facts) == 1 and len(briefing.open_questions) == 1
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert again.conflicts == briefing.conflicts


def test_only_questions_that_ask_for_the_fact_make_a_conflict() -> None:
    reported = extraction("a", facts=[fact("a", "size of the fisheries fund", "€3bn")])
    unrelated = [
        "How much will each government contribute to the fund?",  # not the fund's size
        "Will the fisheries fund be signed, and how much will it hold?",  # yes/no question
        "Where will the fisheries fund be managed from?",  # asks for a place, not an amount
    ]
    for text in unrelated:
        asked = extraction("b", questions=[question("b", text)])
        assert merge([reported, asked]).conflicts == [], text
    asked = extraction(
        "b", questions=[question("b", "How much money will the fisheries fund hold?")]
    )
    assert [c.topic for c in merge([reported, asked]).conflicts] == ["size of the fisheries fund"]


def test_a_source_that_reports_the_value_is_not_also_counted_as_open() -> None:
    both = extraction(
        "a",
        facts=[fact("a", "venue of the Venn-Arlo meeting", "Port Ansel")],
        questions=[question("a", "Where will the Venn-Arlo meeting take place?")],
    )
    assert merge([both]).conflicts == []


def test_question_claims_join_an_existing_conflict_on_the_topic() -> None:
    a = extraction("a", facts=[fact("a", "date of the Venn-Arlo meeting", "12 May")])
    b = extraction("b", facts=[fact("b", "date of the Venn-Arlo meeting", "19 May")])
    c = extraction("c", questions=[question("c", "When will the Venn-Arlo meeting take place?")])
    (conflict,) = merge([a, b, c]).conflicts
    assert [(x.source, x.value) for x in conflict.claims] == [
        ("a", "12 May"),
        ("b", "19 May"),
        ("c", "unclear"),  # the question's reason is "unknown"
    ]


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("Where will the talks be held?", "place"),
        ("And when will the fund pay out?", "time"),
        ("How much will the fund hold?", "amount"),
        ("How many ships will be withdrawn?", "count"),
        ("How long will the ceasefire last?", "duration"),
        ("Will the talks resume, and when?", None),
        ("Who will manage the fund?", "person"),
        ("Why did the talks collapse?", "reason"),
        ("What will the fund pay for first?", None),
    ],
)
def test_asked_slot(text: str, slot: str | None) -> None:
    assert asked_slot(text) == slot


def test_topic_slot_separates_the_slot_from_what_it_is_about() -> None:
    slot, about = topic_slot("venue of the Venn-Arlo meeting")
    assert slot == "place" and about == {"venn", "arlo", "meet"}
    assert topic_slot("outcome of the summit")[0] is None


# --------------------------------------------------------------------------------------------
# Guards that hold whatever the similarity says
# --------------------------------------------------------------------------------------------


def test_questions_asking_for_different_things_never_fold() -> None:
    when = extraction("a", questions=[question("a", "When will the next round of talks be held?")])
    where = extraction(
        "b", questions=[question("b", "Where will the next round of talks be held?")]
    )
    assert len(merge([when, where]).open_questions) == 2
    again = extraction("c", questions=[question("c", "When will the next round of talks be held")])
    assert sorted(q.support for q in merge([when, where, again]).open_questions) == [1, 2]


def _everything_alike(texts: Sequence[str]) -> list[list[float]]:
    """An embedder that calls every text the same (cosine 1.0 for every pair)."""
    return [[1.0, 0.0] for _ in texts]


def test_an_embedding_never_folds_what_one_article_reported_separately() -> None:
    one = extraction(
        "a",
        commitments=[
            commitment("a", VENN, "pay the fishing fines"),
            commitment("a", VENN, "pay the fishing crews' wages"),
        ],
    )
    assert len(merge([one], embedder=_everything_alike).commitments) == 2
    # across articles the same embedder does fold (so the guard above is what kept them apart);
    # lexically these two score 62, under the fold threshold
    settle = "settle the fishing fines that the trawler owners owe the court"
    two = extraction("b", commitments=[commitment("b", VENN, "pay the fishing fines")])
    three = extraction("c", commitments=[commitment("c", VENN, settle)])
    assert len(merge([two, three]).commitments) == 2
    folded = merge([two, three], embedder=_everything_alike).commitments
    assert [c.sources for c in folded] == [["b", "c"]]


# --------------------------------------------------------------------------------------------
# Values that deny each other, and values that only add detail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "denied"),
    [
        ("a deal was reached", "no deal was reached"),
        ("agreed", "not agreed"),
        ("territory was discussed", "territory wasn't discussed"),
        ("the talks ended with a deal", "the talks ended without a deal"),
        ("yes: the fund was signed", "no: the fund was not signed"),
    ],
)
def test_a_value_and_its_denial_are_a_conflict_never_one_fact(said: str, denied: str) -> None:
    a = extraction("a", facts=[fact("a", "outcome of the talks", said)])
    b = extraction("b", facts=[fact("b", "outcome of the talks", denied)])
    briefing = merge([a, b])
    assert sorted(f.value for f in briefing.facts) == sorted([said, denied])
    (conflict,) = briefing.conflicts
    assert conflict.kind == "outcome"
    assert {(c.source, c.value) for c in conflict.claims} == {("a", said), ("b", denied)}


def test_a_value_made_more_specific_is_no_conflict() -> None:
    a = extraction("a", facts=[fact("a", "venue of the Venn-Arlo meeting", "Hungary")])
    b = extraction("b", facts=[fact("b", "venue of the Venn-Arlo meeting", "Budapest, Hungary")])
    c = extraction("c", facts=[fact("c", "venue of the Venn-Arlo meeting", "Geneva")])
    assert merge([a, b]).conflicts == []
    (conflict,) = merge([a, b, c]).conflicts
    assert {x.value for x in conflict.claims} == {"Hungary", "Budapest, Hungary", "Geneva"}


def test_different_figures_in_one_pledge_are_a_conflict_listing_every_wording() -> None:
    wordings = {
        "a": "buy $90bn of Ostmark patrol boats",
        "b": "buy $100bn of Ostmark patrol boats",
        "c": "buy Ostmark patrol boats",
    }
    corpus = [
        extraction(s, commitments=[commitment(s, VENN, w)]) for s, w in wordings.items()
    ]
    briefing = merge(corpus)
    (folded,) = briefing.commitments
    assert folded.sources == ["a", "b", "c"]
    (conflict,) = briefing.conflicts
    assert conflict.kind == "amount" and conflict.topic == f"figures: {VENN} to {folded.action}"
    assert {(c.source, c.value) for c in conflict.claims} == set(wordings.items())
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert again.commitments == briefing.commitments and again.conflicts == briefing.conflicts
    # figures that fit together raise nothing
    around = "buy around $90 billion of Ostmark patrol boats"
    close = [
        extraction("a", commitments=[commitment("a", VENN, wordings["a"])]),
        extraction("d", commitments=[commitment("d", VENN, around)]),
    ]
    assert merge(close).conflicts == []


def test_a_stance_reported_by_others_against_the_actors_own_is_a_conflict() -> None:
    own = position("a", "Marta Ilvesse", "joint fisheries fund", "Backs the fund.")
    own = own.model_copy(update={"polarity": "supports"})
    hearsay = position(
        "b", "Marta Ilvesse", "the joint fisheries fund", "Privately opposes it.",
        attributed_by="Aleksandr Voronov",
    ).model_copy(update={"polarity": "opposes"})
    briefing = merge([extraction("a", positions=[own]), extraction("b", positions=[hearsay])])
    assert len(briefing.positions) == 2  # who said it matters: never folded into one
    (conflict,) = briefing.conflicts
    assert conflict.kind == "position" and conflict.topic.startswith("Marta Ilvesse on ")
    assert {(c.source, c.value) for c in conflict.claims} == {
        ("a", "supports: Backs the fund."),
        ("b", "opposes: Privately opposes it. (according to Aleksandr Voronov)"),
    }
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert again.conflicts == briefing.conflicts and again.positions == briefing.positions
