"""Two sources' values for one topic: a table of cases a news analyst would judge at a glance.

Each row: topic, the value and article date of source a, those of source b, and what the merge
must do: ``conflict`` (a conflicts entry), ``fold`` (one fact, no conflict) or ``apart`` (two
facts that fit together, no conflict). Invented values; no article is quoted. Many rows come
from a red-team review of the merge (values that were silently folded, or falsely disputed).
"""

from __future__ import annotations

import pytest

from summarizer.merge.fold import merge
from tests.factories import extraction, fact

CASES = [
    ("size of the fund", "$2 billion", None, "£2 billion", None, "conflict"),
    ("size of the fund", "$90 billion", None, "€90 billion", None, "conflict"),
    (
        "death toll",
        "12 dead as of Monday",
        "2025-08-11",
        "40 dead as of Monday",
        "2025-08-11",
        "conflict",
    ),
    (
        "aid package",
        "$90 billion over five years",
        "2025-08-11",
        "$60 billion over five years",
        "2025-08-11",
        "conflict",
    ),
    (
        "truce",
        "30-day truce starting Monday",
        "2025-08-11",
        "60-day truce starting Monday",
        "2025-08-11",
        "conflict",
    ),
    (
        "day the ceasefire collapsed",
        "yesterday",
        "2025-08-12",
        "yesterday",
        "2025-08-14",
        "conflict",
    ),
    (
        "day the ceasefire collapsed",
        "on Monday",
        "2025-08-05",
        "on Monday",
        "2025-08-19",
        "conflict",
    ),
    ("change in exports", "fell 2%", None, "rose 2%", None, "conflict"),
    ("change in exports", "down 3%", None, "up 3%", None, "conflict"),
    ("interest rate", "raised to 4.5%", None, "cut to 4.5%", None, "conflict"),
    ("casualties", "15 killed, 40 injured", None, "15 killed, 60 injured", None, "conflict"),
    ("vote", "passed 52 to 48", None, "passed 52 to 46", None, "conflict"),
    ("vote", "approved by 52 votes to 48", None, "rejected by 52 votes to 48", None, "conflict"),
    ("hostages released", "all 12 released", None, "none of the 12 released", None, "conflict"),
    ("troops", "5,000 troops withdrawn", None, "5,000 troops not withdrawn", None, "conflict"),
    ("crowd", "over 40", None, "under 40", None, "conflict"),
    ("crowd", "more than 5,000", None, "fewer than 5,000", None, "conflict"),
    ("troops", "3,000 government troops", None, "5,000 government troops", None, "conflict"),
    ("bodies", "12 bodies recovered", None, "15 bodies recovered", None, "conflict"),
    ("venue", "North Valdoria", None, "South Valdoria", None, "conflict"),
    ("crowd", "twenty-five", None, "25", None, "fold"),
    ("crowd", "three hundred", None, "300", None, "fold"),
    ("crowd", "two million", None, "2 million", None, "fold"),
    ("crowd", "two dozen", None, "24", None, "fold"),
    ("crowd", "half a million", None, "500,000", None, "fold"),
    ("crowd", "between 60 and 70", None, "65", None, "apart"),
    ("crowd", "60-70", None, "65", None, "apart"),
    ("length", "two days", None, "48 hours", None, "fold"),
    ("length", "a week", None, "seven days", None, "fold"),
    ("crowd", "63", None, "more than 60", None, "apart"),
    ("size", "$90bn", None, "90 billion dollars", None, "fold"),
    ("size", "€2.4bn", None, "€3bn", None, "conflict"),
    ("day", "Tuesday (AEST)", None, "Monday", None, "conflict"),
    ("day", "15 August", None, "August 15, 2025", None, "fold"),
    ("outcome", "a deal was reached", None, "no deal was reached", None, "conflict"),
    ("venue", "Hungary", None, "Budapest, Hungary", None, "apart"),
    ("deadline", "by Friday", "2025-08-11", "this week", "2025-08-11", "apart"),
    ("size", "$90 billion", None, "around $90 bn", None, "apart"),
    # one day named by articles a day apart: "Tuesday" on Monday (ahead) and on Tuesday itself
    ("day of the meeting", "Tuesday", "2025-08-18", "Tuesday", "2025-08-19", "fold"),
    # one window reported a day apart
    ("deadline", "within two weeks", "2025-08-18", "within two weeks", "2025-08-19", "fold"),
    # the same count of differently named things is no dispute; different counts are
    ("people detained", "40 people", None, "40 civilians", None, "apart"),
    ("boats on the bank", "six patrol boats", None, "6 vessels", None, "apart"),
    ("boats on the bank", "six patrol boats", None, "9 vessels", None, "conflict"),
]


@pytest.mark.parametrize(("topic", "a", "date_a", "b", "date_b", "expected"), CASES)
def test_two_sources_values(
    topic: str, a: str, date_a: str | None, b: str, date_b: str | None, expected: str
) -> None:
    for first, second in (
        (("a", a, date_a), ("b", b, date_b)),
        (("b", b, date_b), ("a", a, date_a)),
    ):
        briefing = merge(
            [extraction(s, date=d, facts=[fact(s, topic, v)]) for s, v, d in (first, second)]
        )
        got = "conflict" if briefing.conflicts else "fold" if len(briefing.facts) == 1 else "apart"
        assert got == expected, (a, b, [c.kind for c in briefing.conflicts])
        if expected == "conflict":
            (conflict,) = briefing.conflicts
            assert {(c.source, c.value) for c in conflict.claims} == {("a", a), ("b", b)}
