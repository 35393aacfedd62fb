"""Comparing the values sources give for one topic: amounts, counts, dates, outcomes.

Each value is read against its own article's date (``summarizer.dates``), numbers are parsed
with their scale, currency and hedges ("around", "more than"), and two values relate as
``same``, ``compatible`` or ``conflict``; only the last becomes a conflict in the briefing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from summarizer import dates
from summarizer.schema import Claim, Commitment, Fact, Position
from summarizer.similarity import STOPWORDS, fuzzy_similarity, text_key

TEXT_VALUE_THRESHOLD = 80.0


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


def same_value_kind(a: Sequence[Fact], b: Sequence[Fact]) -> bool:
    return bool({value_kind(f.value) for f in a} & {value_kind(f.value) for f in b})


@dataclass(frozen=True)
class DatedValue:
    """One source's value for a topic, with the item it came from."""

    text: str
    source: str
    item: Position | Commitment | Fact


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
#: Scale words after a number, shared with the eval scorer.
SCALES = {
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
class Number:
    """A numeric value: an amount of money or a count of something, with any qualifier."""

    kind: str
    value: float
    unit: str
    low: float
    high: float
    approx: bool


@lru_cache(maxsize=100_000)
def parse_number(text: str) -> Number | None:
    """ "$90 billion" -> usd 9e10; "around $90 bn" -> approx; "more than 60" -> (60, inf);
    "two-day" -> 2 days. ``None`` when the text holds no number."""
    low = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    match = re.search(rf"({_NUMBER})\s*({'|'.join(SCALES)})?\b", low)
    number: float | None = None
    scale_word = ""
    if match:
        number = float(match.group(1).replace(",", ""))
        scale_word = match.group(2) or ""
    ordinal = False
    if number is None:
        for word in re.findall(r"[a-z]+", low):
            if word in dates.CARDINALS:
                number = float(dates.CARDINALS[word])
                break
            if word in _ORDINALS:
                number, ordinal = float(_ORDINALS[word]), True
                break
    if number is None:
        return None
    number *= SCALES.get(scale_word, 1.0)
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
    return Number(kind, number, unit, lo, hi, approx)


def _unit(low: str) -> str:
    """The counted noun's first word, singular: "six patrol boats" -> "patrol"."""
    after = re.split(rf"{_NUMBER}|\b(?:{'|'.join(dates.NUMBER_WORDS)})\b", low, maxsplit=1)
    words = re.findall(r"[a-z]+", after[-1]) if len(after) > 1 else []
    words = [w for w in words if w not in STOPWORDS and w not in SCALES]
    if not words:
        return ""
    word = words[0]
    return str(word[:-1] if word.endswith("s") and len(word) > 3 else word)


def relate_numbers(a: Number, b: Number) -> str:
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


# Words that turn a statement into its denial. Content-word matching drops "no" and "not" as
# stop words, so without this "a deal was reached" and "no deal was reached" would read as one
# value and the merge would silently pick one of them.
_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|neither|nor|without|cannot|unable|fail(?:ed|s)?|"
    r"refus(?:ed|es)|reject(?:ed|s)|den(?:ied|ies)|declin(?:ed|es))\b|n't\b",
    re.IGNORECASE,
)


def negated(text: str) -> bool:
    """Whether a value states a denial ("no deal", "talks ended without an agreement",
    "no: territory was not discussed"). Presence, not parity: the yes/no prefix and the verb
    often both carry the negation."""
    return _NEGATION.search(text.replace("\u2019", "'")) is not None


@lru_cache(maxsize=100_000)
def when_of(text: str, published: str | None) -> dates.When | None:
    return dates.resolve(text, published)


class Values:
    """Compare sources' values for one topic, each read against its own article's date."""

    def __init__(self, source_dates: dict[str, str | None]) -> None:
        self.source_dates = source_dates

    def when(self, v: DatedValue) -> dates.When | None:
        return when_of(v.text, self.source_dates.get(v.source))

    def relate(self, a: DatedValue, b: DatedValue) -> str:
        """same / compatible / conflict for two sources' values of one topic."""
        ka, kb = text_key(a.text), text_key(b.text)
        opposite = negated(a.text) != negated(b.text)
        if ka.key == kb.key and not opposite:
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
            return relate_numbers(na, nb)
        if opposite:
            return "conflict"
        if fuzzy_similarity(ka, kb) >= TEXT_VALUE_THRESHOLD:
            return "same"
        if ka.tokens and kb.tokens and (ka.tokens <= kb.tokens or kb.tokens <= ka.tokens):
            return (
                "compatible"  # one is the other made more specific: "Hungary", "Budapest, Hungary"
            )
        return "conflict"

    def groups(self, values: Sequence[DatedValue]) -> list[list[DatedValue]]:
        """Partition values into groups that mean the same. Resolved, frequent values lead, so
        a group's first value is the best one to compare with other groups."""
        distinct: dict[tuple[str, str | None], list[DatedValue]] = defaultdict(list)
        for v in values:
            distinct[(v.text, self.source_dates.get(v.source))].append(v)

        def order(k: tuple[str, str | None]) -> tuple[bool, int, str, str]:
            return (k[1] is None, -len(distinct[k]), k[0], k[1] or "")

        leaders: list[list[DatedValue]] = []
        for key in sorted(distinct, key=order):
            head = distinct[key][0]
            for members in leaders:
                if self.relate(head, members[0]) == "same":
                    members.extend(distinct[key])
                    break
            else:
                leaders.append(list(distinct[key]))
        return leaders

    def conflicting(self, groups: Sequence[Sequence[DatedValue]]) -> list[Sequence[DatedValue]]:
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

    def kind(self, topic: str, groups: Sequence[Sequence[DatedValue]]) -> str:
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


def sorted_claims(claims: Iterable[Claim]) -> list[Claim]:
    """A conflict's claims in a stable order, one per (source, value): the first quote wins."""
    seen: dict[tuple[str, str], Claim] = {}
    for c in sorted(claims, key=lambda c: (c.source, c.value, c.start or 0, c.quote)):
        seen.setdefault((c.source, c.value), c)
    return list(seen.values())
