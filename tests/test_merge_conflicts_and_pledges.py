"""The merge on values and pledges: antonyms and downward moves conflict; figures without a
currency or in another order do not; one pledge to a beneficiary needs more than a shared word;
a point reported in one article is open in another only for the same subject; a weekday agrees
with its dated day; merging again keeps a commitment's date.

All names are invented (Orla Venn, Marchenko, Valdoria, Kestrel); no article is quoted.
"""

from __future__ import annotations

import pytest

from summarizer.merge.fold import briefing_as_extraction, merge
from summarizer.schema import Briefing
from tests.factories import commitment, extraction, fact, position, question

VENN = "Orla Venn"


def _facts(topic: str, a: str, b: str, date: str | None = None) -> Briefing:
    return merge(
        [
            extraction("a", date=date, facts=[fact("a", topic, a)]),
            extraction("b", date=date, facts=[fact("b", topic, b)]),
        ]
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Marchenko won the vote", "Marchenko lost the vote"),
        ("the strike was legal", "the strike was illegal"),
        ("the test was successful", "the test was unsuccessful"),
        ("the ceasefire held", "the ceasefire collapsed"),
        ("agreement on quotas", "disagreement on quotas"),
    ],
)
def test_a_value_and_its_antonym_conflict(a: str, b: str) -> None:
    briefing = _facts("outcome", a, b)
    assert len(briefing.facts) == 2 and len(briefing.conflicts) == 1


def test_a_downward_move_is_not_the_unmarked_thing() -> None:
    positions = [
        extraction(s, positions=[position(s, VENN, issue, polarity="supports")])
        for s, issue in (("a", "sanctions on Kestrel"), ("b", "lifting sanctions on Kestrel"))
    ]
    assert len(merge(positions).positions) == 2
    pledges = [
        extraction(s, commitments=[commitment(s, VENN, action)])
        for s, action in (("a", "keep sanctions on Kestrel"), ("b", "lift sanctions on Kestrel"))
    ]
    assert len(merge(pledges).commitments) == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "lend Valdoria 2 billion euros for reconstruction",
            "rebuild Valdoria's grid after reconstruction talks",
        ),
        ("fast-track Valdoria membership talks", "hold talks with Valdoria on fishing quotas"),
        ("pay for Valdoria gas imports this winter", "pay Valdoria soldiers salaries"),
    ],
)
def test_one_shared_word_does_not_make_one_pledge_to_a_beneficiary(a: str, b: str) -> None:
    corpus = [
        extraction(s, commitments=[commitment(s, VENN, t, beneficiary="Valdoria")])
        for s, t in (("a", a), ("b", b))
    ]
    assert len(merge(corpus).commitments) == 2


def test_with_a_model_pass_the_model_settles_same_beneficiary_pairs() -> None:
    corpus = [
        extraction(s, commitments=[commitment(s, VENN, t, beneficiary="Valdoria")])
        for s, t in (
            ("a", "give Valdoria lasting protection and security guarantees"),
            ("b", "support the security guarantees for Valdoria in any settlement"),
        )
    ]
    assert len(merge(corpus).commitments) == 1  # deterministic: same beneficiary, two words
    asked: list[tuple[str, str]] = []

    def no(a: str, b: str) -> bool:
        asked.append((a, b))
        return False

    assert len(merge(corpus, decide=no).commitments) == 2 and asked


@pytest.mark.parametrize(
    ("topic", "value", "asked", "conflict"),
    [
        (
            "number of people killed in the strike",
            "15",
            "How many people were injured in the strike?",
            False,
        ),
        (
            "date of the first round of talks",
            "3 March",
            "When will the second round of talks be held?",
            False,
        ),
        ("amount of aid pledged", "$2bn", "How much of the pledged aid has been delivered?", False),
        (
            "venue of the peace talks",
            "Geneva",
            "Where will the peace talks delegations stay?",
            False,
        ),
        ("date of the summit", "August 15", "When will the summit start?", True),
        ("size of the fund", "€3bn", "How much will the fund be worth?", True),
        ("venue of the summit", "Geneva", "Where is the summit going to be held?", True),
        ("length of the ceasefire", "30 days", "How long will the ceasefire last?", True),
        ("total number of casualties", "40", "How many casualties were there?", True),
    ],
)
def test_reported_here_open_there_only_for_the_same_subject(
    topic: str, value: str, asked: str, conflict: bool
) -> None:
    corpus = [
        extraction("a", facts=[fact("a", topic, value)]),
        extraction("b", questions=[question("b", asked)]),
    ]
    assert bool(merge(corpus).conflicts) is conflict


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("deliver 24 F-16 fighter jets", "deliver F-16 fighter jets"),
        (
            "give Valdoria 2 Patriot batteries and $500m in aid",
            "give Valdoria $500m in aid and 2 Patriot batteries",
        ),
    ],
)
def test_model_names_and_reordered_figures_are_no_figures_conflict(a: str, b: str) -> None:
    corpus = [extraction(s, commitments=[commitment(s, VENN, t)]) for s, t in (("a", a), ("b", b))]
    briefing = merge(corpus)
    assert len(briefing.commitments) == 1 and briefing.conflicts == []


def test_a_bare_weekday_and_the_dated_day_it_names_agree() -> None:
    assert _facts("day of the vote", "Tuesday", "Tuesday, March 3", "2026-03-02").conflicts == []
    assert _facts("day of the vote", "Tuesday", "March 5", "2026-03-02").conflicts != []


def test_a_figure_without_its_currency_is_no_conflict() -> None:
    assert _facts("size of the fund", "€2.4bn", "2.4 billion").conflicts == []
    assert _facts("size of the fund", "€2.4bn", "3 billion").conflicts != []


def test_merging_again_keeps_a_commitments_open_date() -> None:
    corpus = [
        extraction(
            s,
            date=d,
            commitments=[
                commitment(
                    s, VENN, "send air defence systems", timeframe="within two weeks", status=st
                )
            ],
        )
        for s, d, st in (("a", "2026-03-03", "firm"), ("b", "2026-03-01", "refused"))
    ]
    briefing = merge(corpus)
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert again.commitments == briefing.commitments and again.conflicts == briefing.conflicts
