"""Comparing the values sources give for one topic: amounts, counts, dates, outcomes.

Each value is read against its own article's date (``summarizer.merge.dates``), numbers are parsed
with their scale, currency and hedges ("around", "more than"), and two values relate as
``same``, ``compatible`` or ``conflict``; only the last becomes a conflict in the briefing.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from summarizer.merge import dates
from summarizer.merge.similarity import STOPWORDS, fuzzy_similarity, text_key
from summarizer.schema import Claim, Commitment, Fact, Position

TEXT_VALUE_THRESHOLD = 80.0


_MONTH_ABBREVIATIONS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
)
_TIME_WORDS = re.compile(
    r"\b(day|days|week|weeks|fortnight|month|months|year|years|hour|hours|today|yesterday|"
    r"tomorrow|tonight|"
    + "|".join(dates.WEEKDAYS + dates.MONTHS + _MONTH_ABBREVIATIONS)
    + r")\b\.?"
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
# Hedges that bound a number from one side; "strict" ones exclude the number itself ("more
# than 40" and "under 40" cannot both be true). They count only right before the number, as
# whole words: not "over" in "government", nor in "$90 billion over five years".
_HEDGE_END = r"\s+(?:about\s+|around\s+)?(?:us\$|\$|€|£|¥)?\s*$"
_LOWER_STRICT = re.compile(r"\b(?:more than|over|in excess of|above|upwards of)" + _HEDGE_END)
_LOWER_INCLUSIVE = re.compile(r"\b(?:at least|no fewer than|no less than)" + _HEDGE_END)
_UPPER_STRICT = re.compile(r"\b(?:less than|under|fewer than|below)" + _HEDGE_END)
_UPPER_INCLUSIVE = re.compile(r"\b(?:up to|at most|as many as|no more than)" + _HEDGE_END)
_RANGE = re.compile(rf"\b(?:between\s+)?({_NUMBER})\s*(?:-|\u2013|\u2014|to|and)\s*({_NUMBER})\b")
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
_DURATION_UNITS = {
    "hour": 1 / 24,
    "day": 1,
    "week": 7,
    "fortnight": 14,
    "month": 30,
    "year": 365,
}


@dataclass(frozen=True)
class Number:
    """A numeric value: an amount of money or a count of something, with any qualifier."""

    kind: str
    value: float
    unit: str
    low: float
    high: float
    approx: bool
    open_low: bool = False  # "more than 40": 40 itself is excluded
    open_high: bool = False  # "under 40"


@lru_cache(maxsize=100_000)
def parse_number(text: str) -> Number | None:
    """ "$90 billion" -> usd 9e10; "around $90 bn" -> approx; "more than 60" -> (60, inf);
    "between 60 and 70" -> [60, 70]; "twenty-five" -> 25; "two million" -> 2e6; "48 hours" ->
    2 days. ``None`` when the text holds no number."""
    low = _without_designators(unicodedata.normalize("NFKC", text).lower())
    span = _range(low)
    low = low.replace("-", " ")
    match = re.search(rf"({_NUMBER})\s*({'|'.join(SCALES)})?\b", low)
    number: float | None = None
    scale_word = ""
    at = 0
    if match:
        number = float(match.group(1).replace(",", ""))
        scale_word = match.group(2) or ""
        at = match.start()
    ordinal = False
    if number is None:
        number, ordinal, at = _number_words(low)
    if number is None:
        return None
    before = " " + low[:at]
    scale = SCALES.get(scale_word, 1.0)
    number *= scale
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
    open_low = open_high = False
    if span is not None:
        lo, hi = span[0] * scale, span[1] * scale
        number = (lo + hi) / 2
    elif _LOWER_STRICT.search(before) or _LOWER_INCLUSIVE.search(before):
        hi, open_low = math.inf, _LOWER_STRICT.search(before) is not None
    elif _UPPER_STRICT.search(before) or _UPPER_INCLUSIVE.search(before):
        lo, open_high = 0.0, _UPPER_STRICT.search(before) is not None
    approx = ordinal or any(re.search(rf"\b{q}\b", low) for q in _APPROX)
    if unit in _DURATION_UNITS:
        number, lo, hi = (x * _DURATION_UNITS[unit] for x in (number, lo, hi))
        unit, kind = "days", "duration"
    return Number(kind, number, unit, lo, hi, approx, open_low, open_high)


# Model names are not quantities: "F-16", "T-72", "Su-35", "A400M", "S-400".
_DESIGNATOR = re.compile(r"\b[a-z]{1,3}-?\d+[a-z]*\b(?<!\d)|\b[a-z]{1,3}-\d+\b")


def _without_designators(low: str) -> str:
    return _DESIGNATOR.sub(" ", low)


def _range(low: str) -> tuple[float, float] | None:
    """ "between 60 and 70", "60-70", "60 to 70" -> (60, 70); not ISO dates or scores that
    run downwards ("2025-08-15", "52-48")."""
    match = _RANGE.search(low)
    if match is None or re.search(r"\d{4}-\d\d", low):
        return None
    a, b = (float(g.replace(",", "")) for g in match.groups())
    return (a, b) if a < b else None


_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
_MULTIPLIERS = {
    "hundred": 100.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "dozen": 12.0,
}


def _number_words(low: str) -> tuple[float | None, bool, int]:
    """The first number written in words, with what follows it: "twenty-five" -> 25,
    "three hundred" -> 300, "two dozen" -> 24, "half a million" -> 5e5, "a week" -> 1;
    an ordinal ("third") -> 3 and True; and where it starts. (None, False, 0) if none."""
    found = list(re.finditer(r"[a-z]+", low))
    words = [m.group() for m in found]
    for i, word in enumerate(words):
        at = found[i].start()
        if (
            word in dates.CARDINALS
            or word == "half"
            or (word in ("a", "an") and i + 1 < len(words) and words[i + 1] in _DURATION_UNITS)
        ):
            value = 0.5 if word == "half" else float(dates.NUMBER_WORDS[word])
            rest = words[i + 1 :]
            if word in _TENS and rest and rest[0] in dates.CARDINALS:
                if dates.CARDINALS[rest[0]] < 10:
                    value += dates.CARDINALS[rest[0]]
                    rest = rest[1:]
            if word == "half" and rest[:1] in (["a"], ["an"]):
                rest = rest[1:]
            for multiplier in rest:
                if multiplier not in _MULTIPLIERS:
                    break
                value *= _MULTIPLIERS[multiplier]
            return value, False, at
        if word in _ORDINALS:
            return float(_ORDINALS[word]), True, at
        if word in ("none", "nobody", "zero"):
            return 0.0, False, at
    return None, False, 0


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
    """same / compatible / conflict for two numbers of one topic: the same interval is the
    same; hedged values within 5% of each other, or intervals that overlap ("63" and "more
    than 60"), are compatible; anything else conflicts ("over 40" and "under 40" included).
    Different currencies always conflict; the same count of differently named things ("40
    people" / "40 civilians", "six patrol boats" / "6 vessels") is compatible, not a dispute."""
    if a.kind != b.kind:
        # "€2.4bn" and a bare "2.4 billion": the same figure, one without its currency
        bare = {a.kind, b.kind} == {"amount", "count"} and not (
            b.unit if a.kind == "amount" else a.unit
        )
        return "compatible" if bare and (a.low, a.high) == (b.low, b.high) else "conflict"
    if a.unit and b.unit and a.unit != b.unit:
        same_count = a.kind == "count" and _overlap(a, b)
        return "compatible" if same_count else "conflict"
    if (a.low, a.high, a.approx, a.open_low, a.open_high) == (
        b.low,
        b.high,
        b.approx,
        b.open_low,
        b.open_high,
    ):
        return "same"
    if a.approx or b.approx:
        if abs(a.value - b.value) <= 0.05 * max(abs(a.value), abs(b.value)):
            return "compatible"
    return "compatible" if _overlap(a, b) else "conflict"


def _overlap(a: Number, b: Number) -> bool:
    lo, hi = max(a.low, b.low), min(a.high, b.high)
    if lo < hi:
        return True
    if lo > hi:
        return False
    return all(_holds(n, lo) for n in (a, b))


def _holds(n: Number, point: float) -> bool:
    return not ((point == n.low and n.open_low) or (point == n.high and n.open_high))


def all_numbers(text: str) -> list[float]:
    """Every figure written with digits, scaled ("15 killed, 40 injured" -> [15, 40])."""
    low = _without_designators(unicodedata.normalize("NFKC", text).lower())
    return sorted(
        float(m.group(1).replace(",", "")) * SCALES.get(m.group(2) or "", 1.0)
        for m in re.finditer(rf"({_NUMBER})\s*({'|'.join(SCALES)})?\b", low)
    )


# Words that move a quantity or a rule one way or the other. Two values (or two pledges) that
# move it opposite ways disagree however many other words they share ("fell 2%" / "rose 2%",
# "cut tariffs by 10%" / "raise tariffs by 10%", "sanctions lifted" / "sanctions imposed").
_UP = frozenset(
    """rise rises rose risen rising raise raises raised raising increase increases increased
    increasing grow grows grew grown growing gain gains gained higher hike hikes hiked expand
    expands expanded expanding extend extends extended extending impose imposes imposed
    imposing tighten tightens tightened tightening up""".split()
)
_DOWN = frozenset(
    """fall falls fell fallen falling cut cuts cutting reduce reduces reduced reducing decrease
    decreases decreased decreasing drop drops dropped dropping shrink shrinks shrank shrunk
    lower lowers lowered lowering slash slashes slashed lift lifts lifted lifting ease eases
    eased easing loosen loosens loosened down""".split()
)
_PHRASAL = frozenset({"up", "down"})  # "set up a meeting" moves nothing


def direction(text: str, *, phrasal: bool = True) -> int:
    """+1 if the text moves something up, -1 if down, 0 if neither (or both)."""
    words = _words(text) if phrasal else _words(text) - _PHRASAL
    up, down = bool(words & _UP), bool(words & _DOWN)
    return 0 if up == down else (1 if up else -1)


# "for" / "against" are opposed only in a vote ("vote for" / "vote against").
_FOR_AGAINST = (frozenset({"for"}), frozenset({"against"}))
_VOTE = frozenset({"vote", "votes", "voted", "voting"})

# Verbs whose objects move opposite ways: a pledge to do one is never the pledge to do the
# other ("send troops" / "withdraw troops", "buy gas from" / "sell gas to"). "send ... home"
# and "bring back" withdraw.
_OPPOSED_ACTIONS = (
    (
        frozenset("send sends sent deploy deploys deployed dispatch dispatches station".split()),
        frozenset("withdraw withdraws withdrew withdrawn pull pulls pulled recall recalls".split()),
    ),
    (
        frozenset("buy buys bought purchase purchases purchased import imports".split()),
        frozenset("sell sells sold export exports".split()),
    ),
    (
        frozenset("open opens opened reopen reopens reopened".split()),
        frozenset("close closes closed shut shuts".split()),
    ),
    (
        frozenset("host hosts hosted admit admits admitted welcome welcomes welcomed".split()),
        frozenset("deport deports deported expel expels expelled".split()),
    ),
    (frozenset("join joins joined".split()), frozenset("leave leaves left quit quits".split())),
    (frozenset("stay stays remain remains".split()), frozenset("leave leaves".split())),
    (
        frozenset("start starts begin begins launch launches resume resumes".split()),
        frozenset("stop stops halt halts suspend suspends pause pauses".split()),
    ),
    _FOR_AGAINST,
    (frozenset("before".split()), frozenset("after".split())),
    (frozenset("win wins won winning".split()), frozenset("lose loses lost losing".split())),
    (frozenset("held holds".split()), frozenset("collapsed collapses broke".split())),
    (frozenset("majority".split()), frozenset("minority".split())),
    (
        frozenset("keep keeps kept maintain maintains retain retains".split()),
        frozenset("lift lifts lifted scrap scraps scrapped drop drops dropped".split()),
    ),
)
# "send ... home", "bring ... back": a withdrawal worded with a sending verb
_RETURNING = re.compile(r"\b(?:send|sent|sends|bring|brings|brought)\b.*\b(?:home|back)\b")
_WITHDRAWING = frozenset({"withdraw"})


@lru_cache(maxsize=200_000)
def opposed(a: str, b: str, *, marked: bool = False, phrasal: bool = False) -> bool:
    """Whether two wordings do opposite things: move a quantity opposite ways ("raise" /
    "cut"; with ``phrasal``, also "up" / "down", as in values like "up 3%"), use opposed verbs
    ("send" / "withdraw", "open" / "close", "won" / "lost", "vote for" / "vote against"), or a
    word and its negative ("legal" / "illegal", "agreement" / "disagreement"). Used to keep
    such items apart however many other words they share.

    ``marked``: a downward move against no move at all is opposed too ("lift sanctions on
    Kestrel" is the opposite of "sanctions on Kestrel"), which holds for issues and pledges.
    """
    da, db = direction(a, phrasal=phrasal), direction(b, phrasal=phrasal)
    if da * db == -1 or (marked and sorted((da, db)) == [-1, 0]):
        return True
    wa, wb = _action_words(a), _action_words(b)
    voting = bool(wa & _VOTE and wb & _VOTE)
    for pair in _OPPOSED_ACTIONS:
        if pair is not _FOR_AGAINST or voting:
            if _side(wa, pair) * _side(wb, pair) == -1:
                return True
    return _negative_pair(wa, wb) or _negative_pair(wb, wa)


def _side(words: frozenset[str], pair: tuple[frozenset[str], frozenset[str]]) -> int:
    forth, back = bool(words & pair[0]), bool(words & pair[1])
    return 0 if forth == back else (1 if forth else -1)


@lru_cache(maxsize=100_000)
def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", text.lower()))


@lru_cache(maxsize=100_000)
def _action_words(text: str) -> frozenset[str]:
    """The words of a wording, a sending verb read as "withdraw" when it sends back home."""
    words = _words(text)
    if _RETURNING.search(text.lower()):
        return (words - _OPPOSED_ACTIONS[0][0]) | _WITHDRAWING
    return words


_NEGATIVE_PREFIXES = ("un", "in", "il", "im", "ir", "dis", "non")


def _negative_pair(a: frozenset[str], b: frozenset[str]) -> bool:
    """A word in ``a`` whose negative form ("illegal", "unsuccessful") is in ``b`` only."""
    return any(
        p + w in b and p + w not in a and w not in b
        for w in a
        if len(w) >= 5
        for p in _NEGATIVE_PREFIXES
    )


_COMPASS = frozenset(
    "north south east west northern southern eastern western northeast northwest southeast"
    " southwest".split()
)


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
        """same / compatible / conflict for two sources' values of one topic.

        Denials, opposite directions and different compass points conflict outright. Then
        every reading that applies must agree: the days the values mean (each against its own
        article's date), their figures, and with several figures, all of them; "same" needs
        every reading to say so. Values with no day or figure are compared as text.
        """
        if a.item is b.item and a.text == b.text:
            # One item's value, counted once per source it cites (a merged briefing merged
            # again): it cannot disagree with itself, whatever its sources' dates.
            return "same"
        ka, kb = text_key(a.text), text_key(b.text)
        if (
            negated(a.text) != negated(b.text)
            or opposed(a.text, b.text, phrasal=True)  # in a value, "up 3%" / "down 3%" too
            or (ka.tokens ^ kb.tokens) & _COMPASS
        ):
            return "conflict"
        na, nb = parse_number(a.text), parse_number(b.text)
        if (
            ka.key == kb.key
            and na is not None
            and nb is not None
            and na.kind == nb.kind == "duration"
        ):
            # "within two weeks" in two articles a day apart is one window reported twice; a
            # day ("yesterday", "on Monday") read against different article dates is not.
            return "same"
        if (ka.key == kb.key and self._same_weekday(a, b)) or self._weekday_is_day(a, b):
            return "same"
        readings: list[str] = []
        wa, wb = self.when(a), self.when(b)
        dated = wa is not None and wb is not None
        if wa is not None and wb is not None:
            relation = dates.relate(wa, wb)
            if relation == "unknown":
                # Unresolved (no article date): two expressions of the same shape that read
                # differently disagree ("Monday" / "Tuesday (AEST)"); different shapes may not.
                same = ka.key == kb.key or _day_words(a.text) == _day_words(b.text) != set()
                relation = "same" if same else "conflict" if wa.kind == wb.kind else "compatible"
            readings.append(relation)
        if na is not None and nb is not None and not (dated and _part_of_date(na, nb)):
            readings.append(relate_numbers(na, nb))
            figures_a, figures_b = all_numbers(a.text), all_numbers(b.text)
            if len(figures_a) > 1 and len(figures_b) > 1 and figures_a != figures_b:
                readings.append("conflict")
        if readings:
            if "conflict" in readings:
                return "conflict"
            return "same" if all(r == "same" for r in readings) else "compatible"
        if ka.key == kb.key or fuzzy_similarity(ka, kb) >= TEXT_VALUE_THRESHOLD:
            return "same"
        if ka.tokens and kb.tokens and (ka.tokens <= kb.tokens or kb.tokens <= ka.tokens):
            return (
                "compatible"  # one is the other made more specific: "Hungary", "Budapest, Hungary"
            )
        return "conflict"

    def _same_weekday(self, a: DatedValue, b: DatedValue) -> bool:
        """The same weekday wording in two articles can name one day: "Tuesday" written on
        Monday 18th (the next day) and on Tuesday 19th (that day). A bare weekday may point
        back or ahead, so the two readings agree when their candidate days meet."""
        words = set(re.findall(r"[a-z]+", a.text.lower())) & set(dates.WEEKDAYS)
        if len(words) != 1 or re.search(r"\d", a.text):
            return False
        da, db = self.source_dates.get(a.source), self.source_dates.get(b.source)
        if da is None or db is None:
            return False
        target = dates.WEEKDAYS.index(words.pop())
        return bool(_weekday_candidates(da, target) & _weekday_candidates(db, target))

    def _weekday_is_day(self, a: DatedValue, b: DatedValue) -> bool:
        """A bare weekday in one article and a dated day in another that it can name
        ("Tuesday" written on Monday 2 March, and "Tuesday, March 3")."""
        for bare, dated in ((a, b), (b, a)):
            words = set(re.findall(r"[a-z]+", bare.text.lower()))
            day = words & set(dates.WEEKDAYS)
            published = self.source_dates.get(bare.source)
            if len(day) != 1 or re.search(r"\d", bare.text) or words & set(dates.MONTHS):
                continue
            when = self.when(dated)
            if published and when is not None and when.iso and len(when.iso) == 10:
                target = dates.WEEKDAYS.index(day.pop())
                if when.iso in _weekday_candidates(published, target):
                    return True
        return False

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


def _weekday_candidates(published: str, weekday: int) -> set[str]:
    """The days a bare weekday can mean in an article: the last one on or before its date,
    and the next one after it."""
    try:
        day = datetime.date.fromisoformat(published[:10])
    except ValueError:
        return set()
    back = day - datetime.timedelta(days=(day.weekday() - weekday) % 7)
    return {back.isoformat(), (back + datetime.timedelta(days=7)).isoformat()}


_MONTH_OF = {m[:3]: m for m in dates.MONTHS} | {"sept": "september"}


def _day_words(text: str) -> set[str]:
    """The calendar words of a date as written: "15 August" and "August 15, 2025" both give
    {"15", "august"} (the year aside), so an unresolved one still matches a resolved one."""
    out: set[str] = set()
    for word in re.findall(r"[a-z]+|\d+", text.lower()):
        if word.isdigit():
            if int(word) <= 31:
                out.add(str(int(word)))
        elif word in dates.WEEKDAYS or word in dates.MONTHS:
            out.add(word)
        elif word in _MONTH_ABBREVIATIONS:
            out.add(_MONTH_OF[word[:3]])
    return out


def _part_of_date(a: Number, b: Number) -> bool:
    """Whether two figures are only the digits of the dates both values resolved to ("August
    15", "15 August", "2025-08-15"), which the day comparison has already judged."""
    return all(
        n.kind == "count" and (not n.unit or _TIME_WORDS.fullmatch(n.unit) is not None)
        for n in (a, b)
    )


def sorted_claims(claims: Iterable[Claim]) -> list[Claim]:
    """A conflict's claims in a stable order, one per (source, value): the first quote wins."""
    seen: dict[tuple[str, str], Claim] = {}
    for c in sorted(claims, key=lambda c: (c.source, c.value, c.start or 0, c.quote)):
        seen.setdefault((c.source, c.value), c)
    return list(seen.values())
