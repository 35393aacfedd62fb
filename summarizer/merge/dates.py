"""Resolve the relative dates news copy uses ("Monday", "Tuesday (AEST)", "within two weeks",
"before the end of the month", "last week") against the article's publication date.

Why: two outlets can name the same day differently ("Monday" in Washington is "Tuesday (AEST)"
in Sydney), and two deadlines written differently can still disagree ("within ten days" is not
"by the end of the month"). Comparing the written words alone would both invent and miss
conflicts. Each expression becomes a :class:`When`: the earliest and latest calendar day it
allows, what kind of expression it is, and the time zone it was written in, if any.

Conventions (the usual ones in news writing):

* A bare weekday ("on Monday") is the most recent such day on or before the article date;
  "by/until/before/next Friday" looks forward; "last Friday" looks back.
* "within N days/weeks" and "by the end of the month/week/year" are *deadlines*: two deadlines
  agree only when they fall on the same day.
* "this week", "last week", "next month" are *ranges*; a day or deadline inside a range agrees
  with it ("by Friday" and "this week").
* Without an article date nothing relative is resolved: the text is kept as written and the
  result carries a ``flag`` saying why.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

WhenKind = Literal["day", "deadline", "range"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Offsets from UTC in hours, for the zones news copy names. Used only to explain a one-day gap.
TIMEZONES: dict[str, float] = {
    "aest": 10,
    "aedt": 11,
    "acst": 9.5,
    "awst": 8,
    "nzst": 12,
    "nzdt": 13,
    "jst": 9,
    "kst": 9,
    "ist": 5.5,
    "msk": 3,
    "eet": 2,
    "eest": 3,
    "cet": 1,
    "cest": 2,
    "bst": 1,
    "gmt": 0,
    "utc": 0,
    "et": -5,
    "est": -5,
    "edt": -4,
    "ct": -6,
    "cst": -6,
    "cdt": -5,
    "pt": -8,
    "pst": -8,
    "pdt": -7,
}
#: Cardinal number words, shared by the merge's value comparison and the eval scorer.
CARDINALS: dict[str, int] = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
#: What counts as a number in a date expression ("a week", "a couple of days").
NUMBER_WORDS: dict[str, int] = {**CARDINALS, "a": 1, "an": 1, "couple": 2, "few": 3}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}


@dataclass(frozen=True)
class When:
    """A date expression resolved to the span of days it allows.

    ``start``/``end`` are ISO days (``end`` is the deadline for a deadline); both are ``None``
    when the expression could not be resolved, and ``flag`` then says why.
    """

    text: str
    kind: WhenKind
    start: str | None = None
    end: str | None = None
    tz: str | None = None
    relative: bool = False
    flag: str | None = None

    @property
    def resolved(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def iso(self) -> str | None:
        """One ISO string for the span: a day, a deadline, or ``start/end`` for a range."""
        if not self.resolved:
            return None
        if self.kind == "range" and self.start != self.end:
            return f"{self.start}/{self.end}"
        return self.end


def parse_published(value: str | None) -> date | None:
    """The calendar day of a ``Source.date`` ("2025-08-19" or a full ISO timestamp)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _norm(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def _tz(text: str) -> str | None:
    ambiguous = ("et", "ct", "pt", "ist")  # also ordinary words; only trusted in brackets
    for m in re.finditer(r"\b([a-z]{2,4})\b", text):
        word = m.group(1)
        if word in TIMEZONES and (word not in ambiguous or f"({word})" in text):
            return word.upper()
    return None


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def resolve(text: str, published: str | date | None) -> When | None:
    """Resolve ``text`` against the publication day; ``None`` when it holds no date at all."""
    ref = published if isinstance(published, date) else parse_published(published)
    low = _norm(text)
    tz = _tz(low)
    for parser in (_absolute, _month_year, _relative_day, _span, _within, _end_of, _weekday):
        when = parser(low, ref)
        if when is not None:
            return When(text, when.kind, when.start, when.end, tz, when.relative, when.flag)
    return None


def _day(kind: WhenKind, d: date, *, relative: bool = True) -> When:
    return When("", kind, d.isoformat(), d.isoformat(), relative=relative)


def _unresolved(kind: WhenKind) -> When:
    return When("", kind, relative=True, flag="relative date; the article date is unknown")


def _absolute(low: str, ref: date | None) -> When | None:
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", low)
    if m:
        return _day("day", date(int(m[1]), int(m[2]), int(m[3])), relative=False)
    month_names = "|".join(MONTHS) + "|" + "|".join(mo[:3] for mo in MONTHS)
    m = re.search(rf"\b(\d{{1,2}}) ({month_names})\.?(?: (\d{{4}}))?\b", low) or re.search(
        rf"\b({month_names})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b", low
    )
    if not m:
        return None
    first, second, year_s = m.group(1), m.group(2), m.group(3)
    day_s, month_s = (first, second) if first.isdigit() else (second, first)
    month = [mo[:3] for mo in MONTHS].index(month_s[:3]) + 1
    if year_s is None and ref is None:
        return When("", "day", flag="no year and the article date is unknown")
    year = int(year_s) if year_s else (ref.year if ref else 0)
    try:
        return _day("day", date(year, month, int(day_s)), relative=year_s is None)
    except ValueError:
        return None


def _month_year(low: str, ref: date | None) -> When | None:
    """ "February 2022" (a month) or a bare year "2014" (a year), as ranges."""
    month_names = "|".join(MONTHS)
    m = re.search(rf"\b({month_names}) (\d{{4}})\b", low)
    if m:
        month, year = MONTHS.index(m[1]) + 1, int(m[2])
        last = calendar.monthrange(year, month)[1]
        return When(
            "", "range", date(year, month, 1).isoformat(), date(year, month, last).isoformat()
        )
    m = re.fullmatch(r"(?:in |since |by )?((?:1[89]|20)\d\d)", low.strip(" ."))
    if m:
        return When("", "range", f"{m[1]}-01-01", f"{m[1]}-12-31")
    return None


def _relative_day(low: str, ref: date | None) -> When | None:
    offsets = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
    for word, offset in offsets.items():
        if re.search(rf"\b{word}\b", low):
            kind: WhenKind = "deadline" if re.search(r"\b(by|until|before)\b", low) else "day"
            return _unresolved(kind) if ref is None else _day(kind, ref + timedelta(days=offset))
    m = re.search(r"\b(\d+|[a-z]+) (day|week|month|year)s? ago\b", low)
    if m and _count(m[1]) is not None:
        n = _count(m[1]) or 0
        return (
            _unresolved("day")
            if ref is None
            else _day("day", ref - timedelta(days=n * _UNIT_DAYS[m[2]]))
        )
    return None


def _span(low: str, ref: date | None) -> When | None:
    m = re.search(r"\b(this|last|next|past|coming) (week|month|year)\b", low)
    if not m:
        return None
    if ref is None:
        return _unresolved("range")
    which, unit = m[1], m[2]
    shift = {"this": 0, "last": -1, "past": -1, "next": 1, "coming": 1}[which]
    start, end = _unit_bounds(ref, unit, shift)
    return When("", "range", start.isoformat(), end.isoformat(), relative=True)


def _unit_bounds(ref: date, unit: str, shift: int) -> tuple[date, date]:
    if unit == "week":
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        month_index = ref.year * 12 + ref.month - 1 + shift
        year, month = divmod(month_index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, 1), date(year, month + 1, last)
    return date(ref.year + shift, 1, 1), date(ref.year + shift, 12, 31)


def _within(low: str, ref: date | None) -> When | None:
    m = re.search(
        r"\b(?:within|in|over|inside) (?:the )?(?:next |coming )?(\d+|[a-z]+) "
        r"(day|week|fortnight|month|year)s?\b",
        low,
    )
    if not m and re.search(r"\b(?:within|in) a fortnight\b", low):
        n, unit = 1, "fortnight"
    elif m and _count(m[1]) is not None:
        n, unit = _count(m[1]) or 0, m[2]
    else:
        return None
    if ref is None:
        return _unresolved("deadline")
    return _day("deadline", ref + timedelta(days=n * _UNIT_DAYS[unit]))


def _end_of(low: str, ref: date | None) -> When | None:
    m = re.search(r"\b(?:end|close) of (?:the |this |next )?(week|month|year)\b", low)
    if not m:
        return None
    if ref is None:
        return _unresolved("deadline")
    shift = 1 if re.search(r"\bnext (week|month|year)\b", low) else 0
    _, end = _unit_bounds(ref, m[1], shift)
    return _day("deadline", end)


def _weekday(low: str, ref: date | None) -> When | None:
    m = re.search(r"\b(" + "|".join(WEEKDAYS) + r")\b", low)
    if not m:
        return None
    forward = bool(re.search(r"\b(by|until|till|before|next|coming|from)\b", low))
    kind: WhenKind = "deadline" if re.search(r"\b(by|until|till|before)\b", low) else "day"
    if ref is None:
        return _unresolved(kind)
    target = WEEKDAYS.index(m[1])
    if forward:
        delta = (target - ref.weekday()) % 7
        if re.search(r"\bnext\b", low) and delta == 0:
            delta = 7
        return _day(kind, ref + timedelta(days=delta))
    delta = (ref.weekday() - target) % 7
    if re.search(r"\blast\b", low) and delta == 0:
        delta = 7
    return _day(kind, ref - timedelta(days=delta))


Relation = Literal["same", "compatible", "conflict", "unknown"]


def relate(a: When, b: When) -> Relation:
    """How two resolved expressions relate: the same span, compatible, or in conflict.

    ``unknown`` when either is unresolved (callers then compare the written text).
    """
    if not (a.resolved and b.resolved):
        return "unknown"
    assert a.start and a.end and b.start and b.end
    if (a.kind, a.start, a.end) == (b.kind, b.start, b.end):
        return "same"
    if a.kind == "range" or b.kind == "range":
        rng, other = (a, b) if a.kind == "range" else (b, a)
        if other.kind == "range":
            overlap = max(a.start, b.start) <= min(a.end, b.end)
            return "compatible" if overlap else "conflict"
        return "compatible" if rng.start <= other.end <= rng.end else "conflict"  # type: ignore[operator]
    if a.kind != b.kind:
        day, deadline = (a, b) if a.kind == "day" else (b, a)
        return "compatible" if day.end <= deadline.end else "conflict"  # type: ignore[operator]
    return "same" if a.end == b.end else "conflict"


def _day_gap(a: When, b: When) -> int | None:
    """Days from ``b`` to ``a``: from resolved dates, else from two bare weekday names
    ("Tuesday (AEST)" vs "Monday" is +1 even when the article date is unknown)."""
    if a.resolved and b.resolved:
        return (date.fromisoformat(a.end or "") - date.fromisoformat(b.end or "")).days
    if a.kind != "day" or b.kind != "day":
        return None
    days = []
    for when in (a, b):
        found = re.findall(r"\b(" + "|".join(WEEKDAYS) + r")\b", when.text.lower())
        if len(found) != 1:
            return None
        days.append(WEEKDAYS.index(found[0]))
    gap = (days[0] - days[1]) % 7
    return {1: 1, 6: -1}.get(gap, gap)


def timezone_note(a: When, b: When) -> str | None:
    """Explain a one-day gap that a time-zone difference can produce ("Tuesday (AEST)" vs
    "Monday" written in the US): the conflict stays, the note tells the reader why."""
    if a.tz == b.tz:
        return None
    gap = _day_gap(a, b)
    if gap is None or abs(gap) != 1:
        return None
    later, earlier = (a, b) if gap > 0 else (b, a)
    later_offset = TIMEZONES.get((later.tz or "").lower())
    earlier_offset = TIMEZONES.get((earlier.tz or "").lower())
    if (
        later_offset is not None
        and later_offset >= 8
        or (earlier_offset is not None and earlier_offset <= -3)
    ):
        return (
            f"{later.text!r} and {earlier.text!r} are one calendar day apart; they may be the same"
            " moment seen from different time zones"
        )
    return None
