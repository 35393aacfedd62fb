"""What must never fold, and what must: small invented cases, many from a red-team review.

All names are invented (Marta Kovalenko, Norland, Kestrel, Valdoria, Ostmark, Tarn).
"""

from __future__ import annotations

import pytest

from summarizer.merge.fold import merge
from summarizer.schema import ArticleExtraction
from tests.factories import commitment, extraction, fact, position, question

ACTOR = "Marta Kovalenko"


def _two(kind: str, a: str, b: str, **kw: object) -> list[ArticleExtraction]:
    if kind == "commitment":
        return [
            extraction(s, commitments=[commitment(s, ACTOR, text, **kw)])
            for s, text in (("s1", a), ("s2", b))
        ]
    if kind == "position":
        return [
            extraction(s, positions=[position(s, ACTOR, text, **kw)])
            for s, text in (("s1", a), ("s2", b))
        ]
    return [extraction(s, questions=[question(s, text)]) for s, text in (("s1", a), ("s2", b))]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("send troops to Norland", "withdraw troops from Norland"),
        ("lift sanctions on Kestrel", "impose sanctions on Kestrel"),
        ("buy gas from Kestrel", "sell gas to Kestrel"),
        ("reopen the border crossing at Tarn", "close the border crossing at Tarn"),
        ("vote for the sanctions bill", "vote against the sanctions bill"),
        ("host Valdorian refugees", "deport Valdorian refugees"),
        ("cut tariffs on Kestrel steel by 10%", "raise tariffs on Kestrel steel by 10%"),
    ],
)
def test_opposite_pledges_never_fold(a: str, b: str) -> None:
    assert len(merge(_two("commitment", a, b)).commitments) == 2


def test_withdrawing_in_other_words_still_folds() -> None:
    folded = merge(
        _two(
            "commitment",
            "send the Kestrel frigates home from the strait",
            "withdraw the Kestrel frigates from the strait",
        )
    ).commitments
    assert [c.sources for c in folded] == [["s1", "s2"]]


def test_opposite_issues_never_fold() -> None:
    briefing = merge(
        _two(
            "position",
            "increase military aid to Valdoria",
            "reduce military aid to Valdoria",
            polarity="supports",
        )
    )
    assert len(briefing.positions) == 2 and briefing.conflicts == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Why did the talks in Tarn collapse?", "When did the talks in Tarn collapse?"),
        ("How many troops will stay in Norland?", "How many troops will leave Norland?"),
        ("Who will chair the Tarn talks?", "When will the Tarn talks be chaired?"),
    ],
)
def test_questions_asking_different_things_never_fold(a: str, b: str) -> None:
    assert len(merge(_two("question", a, b)).open_questions) == 2


def test_pledges_to_different_named_beneficiaries_never_fold() -> None:
    corpus = [
        extraction(
            s,
            commitments=[
                commitment(s, ACTOR, f"send air defence systems to {who}", beneficiary=who)
            ],
        )
        for s, who in (("s1", "Valdoria"), ("s2", "Ostmark"))
    ]
    briefing = merge(corpus)
    assert sorted(c.beneficiary or "" for c in briefing.commitments) == ["Ostmark", "Valdoria"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("give Valdoria security guarantees", "give Valdoria a path to membership"),
        ("deliver air defence systems to Valdoria", "deliver grain to Valdoria"),
        ("fund reconstruction in Valdoria", "fund the military in Valdoria"),
    ],
)
def test_a_shared_beneficiary_and_a_generic_verb_do_not_make_one_pledge(a: str, b: str) -> None:
    assert len(merge(_two("commitment", a, b, beneficiary="Valdoria")).commitments) == 2


@pytest.mark.parametrize(
    ("topic", "value", "asked"),
    [
        ("date of the summit", "August 15", "When will the summit take place?"),
        ("venue of the summit", "Geneva", "Where will the summit be held?"),
        ("size of the reconstruction fund", "€3bn", "How big will the reconstruction fund be?"),
    ],
)
def test_a_value_reported_against_a_question_with_a_short_subject(
    topic: str, value: str, asked: str
) -> None:
    corpus = [
        extraction("s1", facts=[fact("s1", topic, value)]),
        extraction("s2", questions=[question("s2", asked)]),
    ]
    (conflict,) = merge(corpus).conflicts
    assert conflict.topic == topic


def test_a_one_word_subject_needs_the_question_to_be_about_that_alone() -> None:
    corpus = [
        extraction("s1", facts=[fact("s1", "date of the summit", "August 15")]),
        extraction(
            "s2", questions=[question("s2", "When will the summit's final text be agreed?")]
        ),
    ]
    assert merge(corpus).conflicts == []


def test_words_that_change_the_meaning_keep_one_articles_items_apart() -> None:
    one = extraction(
        "s1",
        positions=[
            position("s1", ACTOR, "a ceasefire before talks"),
            position("s1", ACTOR, "a ceasefire after talks"),
        ],
        commitments=[
            commitment("s1", ACTOR, "lift sanctions on Kestrel"),
            commitment("s1", ACTOR, "not lift sanctions on Kestrel", status="refused"),
        ],
    )
    briefing = merge([one])
    assert len(briefing.positions) == 2
    assert len(briefing.commitments) == 2
    other = extraction("s2", positions=[position("s2", ACTOR, "a ceasefire after the talks")])
    folded = [p for p in merge([one, other]).positions if p.support == 2]
    assert [p.issue for p in folded] == ["a ceasefire after talks"]


def test_a_hyphenated_compound_and_its_one_word_spelling_fold() -> None:
    questions = merge(_two("question", "Will the cease-fire hold?", "Will the ceasefire hold?"))
    assert [q.sources for q in questions.open_questions] == [["s1", "s2"]]
    positions = merge(_two("position", "the cease-fire in Norland", "the ceasefire in Norland"))
    assert [p.sources for p in positions.positions] == [["s1", "s2"]]
