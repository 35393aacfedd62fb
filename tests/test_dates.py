"""Relative dates resolved against the article date; unresolved ones kept as written."""

from __future__ import annotations

import pytest

from summarizer.merge.dates import relate, resolve, timezone_note

TUESDAY = "2025-08-19"  # a Tuesday


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("Monday", "day", "2025-08-18", "2025-08-18"),
        ("on Tuesday (AEST)", "day", "2025-08-19", "2025-08-19"),
        ("last Friday", "day", "2025-08-15", "2025-08-15"),
        ("Friday's summit", "day", "2025-08-15", "2025-08-15"),
        ("by Friday", "deadline", "2025-08-22", "2025-08-22"),
        ("next Tuesday", "day", "2025-08-26", "2025-08-26"),
        ("yesterday", "day", "2025-08-18", "2025-08-18"),
        ("later today", "day", "2025-08-19", "2025-08-19"),
        ("within two weeks", "deadline", "2025-09-02", "2025-09-02"),
        ("within ten days", "deadline", "2025-08-29", "2025-08-29"),
        ("before the end of the month", "deadline", "2025-08-31", "2025-08-31"),
        ("last week", "range", "2025-08-11", "2025-08-17"),
        ("this week", "range", "2025-08-18", "2025-08-24"),
        ("three weeks ago", "day", "2025-07-29", "2025-07-29"),
        ("18 August 2025", "day", "2025-08-18", "2025-08-18"),
        ("August 18", "day", "2025-08-18", "2025-08-18"),
        ("February 2022", "range", "2022-02-01", "2022-02-28"),
        ("2014", "range", "2014-01-01", "2014-12-31"),
    ],
)
def test_expressions_resolve_against_the_article_date(
    text: str, kind: str, start: str, end: str
) -> None:
    when = resolve(text, TUESDAY)
    assert when is not None
    assert (when.kind, when.start, when.end) == (kind, start, end)


def test_time_zones_are_kept() -> None:
    when = resolve("Tuesday (AEST)", TUESDAY)
    assert when is not None and when.tz == "AEST"


def test_a_full_timestamp_is_read_as_its_day() -> None:
    when = resolve("Monday", "2025-08-19T08:30:00+10:00")
    assert when is not None and when.start == "2025-08-18"


def test_without_an_article_date_the_text_is_kept_and_flagged() -> None:
    when = resolve("within two weeks", None)
    assert when is not None
    assert when.text == "within two weeks" and not when.resolved and when.iso is None
    assert when.flag is not None and "unknown" in when.flag


def test_text_without_a_date_is_none() -> None:
    assert resolve("Alaska", TUESDAY) is None
    assert resolve("$90 billion", TUESDAY) is None


def test_deadlines_agree_only_on_the_same_day() -> None:
    two_weeks = resolve("within two weeks", "2025-08-18")
    month_end = resolve("before the end of the month", "2025-08-18")
    fortnight = resolve("within a fortnight", "2025-08-18")
    assert two_weeks and month_end and fortnight
    assert relate(two_weeks, month_end) == "conflict"
    assert relate(two_weeks, fortnight) == "same"


def test_a_day_inside_a_range_is_compatible() -> None:
    friday = resolve("by Friday", "2026-11-17")
    week = resolve("this week", "2026-11-18")
    assert friday and week and relate(friday, week) == "compatible"


def test_unresolved_expressions_relate_as_unknown() -> None:
    a, b = resolve("Monday", None), resolve("Tuesday", None)
    assert a and b and relate(a, b) == "unknown"


def test_a_one_day_gap_across_time_zones_is_explained() -> None:
    sydney = resolve("Tuesday (AEST)", "2025-08-19")
    washington = resolve("Monday", "2025-08-18")
    assert sydney and washington
    assert relate(sydney, washington) == "conflict"
    note = timezone_note(sydney, washington)
    assert note is not None and "time zones" in note


def test_weekday_gap_across_time_zones_is_explained_without_an_article_date() -> None:
    from summarizer.merge.dates import resolve, timezone_note

    later, earlier = resolve("Tuesday (AEST)", None), resolve("Monday", None)
    assert later is not None and earlier is not None
    note = timezone_note(later, earlier)
    assert note is not None and "time zones" in note
    assert timezone_note(earlier, later) == note
    two_days = resolve("Wednesday (AEST)", None)
    assert two_days is not None and timezone_note(two_days, earlier) is None
    plain = resolve("Tuesday", None)
    assert plain is not None and timezone_note(plain, earlier) is None  # no zone, no excuse
