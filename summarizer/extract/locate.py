"""Find a model's quote in the article text and report the exact span.

Models copy quotes imperfectly: straight quotes for curly ones, a collapsed line break, a
dropped word. We look in three passes, strictest first, and always return offsets into the
*original* text, so that ``text[start:end]`` is what the user sees in the file:

1. ``exact``: the quote occurs verbatim.
2. ``normalized``: equal after folding typographic quotes/dashes, whitespace runs and case,
   with accented letters decomposed (NFD), so precomposed and combining forms match.
3. ``fuzzy``: rapidfuzz's best partial alignment scores at least ``FUZZY_THRESHOLD`` (0-100).

A quote that passes none of them is not grounded, and callers must drop the item.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 90.0
MIN_QUOTE_CHARS = 8

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": ".",
    }
)
_STRIP = " \t\r\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb.,;:\u2026"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    match: Literal["exact", "normalized", "fuzzy"]
    score: float = 100.0


def _normalize(text: str) -> tuple[str, list[int]]:
    """Fold the text and keep, for each output char, the index of its source char."""
    out: list[str] = []
    index: list[int] = []
    last_space = True
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if last_space:
                continue
            out.append(" ")
            index.append(i)
            last_space = True
        else:
            # Decomposed (NFD), so that "é" typed as one character matches "e" + U+0301;
            # one char may become several (and lower() may lengthen it): each maps back to i.
            folded = unicodedata.normalize("NFD", ch) if ord(ch) > 0x7F else ch
            for part in folded.lower():
                out.append(part)
                index.append(i)
            last_space = False
    return "".join(out), index


def _span(index: list[int], start: int, end: int, text: str) -> tuple[int, int]:
    """Map a normalized [start, end) back onto the original text, trimmed of white space."""
    lo = index[start]
    hi = index[end - 1] + 1
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def locate(quote: str, text: str, *, threshold: float = FUZZY_THRESHOLD) -> Span | None:
    """Return where ``quote`` stands in ``text``, or ``None`` if it is not there."""
    quote = quote.strip()
    if not quote or not text:
        return None
    at = text.find(quote)
    if at >= 0 and len(quote) >= MIN_QUOTE_CHARS:
        return Span(at, at + len(quote), "exact")
    core = quote.strip(_STRIP)
    if len(core) < MIN_QUOTE_CHARS:
        return None
    at = text.find(core)
    if at >= 0:
        return Span(at, at + len(core), "exact")
    norm_text, index = _normalize(text)
    norm_quote, _ = _normalize(core)
    norm_quote = norm_quote.strip()
    at = norm_text.find(norm_quote)
    if at >= 0:
        lo, hi = _span(index, at, at + len(norm_quote), text)
        return Span(lo, hi, "normalized")
    return _fuzzy(norm_quote, norm_text, index, text, threshold)


def _boundaries(text: str, lo: int, hi: int) -> list[int]:
    """Word boundaries in ``text`` between ``lo`` and ``hi`` (clamped to the text)."""
    lo, hi = max(0, lo), min(len(text), hi)
    return [
        i for i in range(lo, hi + 1) if i in (0, len(text)) or text[i - 1] == " " or text[i] == " "
    ]


def _fuzzy(
    norm_quote: str, norm_text: str, index: list[int], text: str, threshold: float
) -> Span | None:
    """Best fuzzy window: a rough partial alignment, then refined to word boundaries.

    ``partial_ratio`` compares windows as long as the quote, so an inserted or dropped word
    costs it a lot; re-scoring windows of other lengths around its best guess with the plain
    ratio fixes that.
    """
    if len(norm_quote) > len(norm_text):
        return None
    rough = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=threshold - 15)
    if rough is None or rough.dest_end <= rough.dest_start:
        return None
    slack = max(10, len(norm_quote) // 5)
    starts = _boundaries(norm_text, rough.dest_start - slack, rough.dest_start + slack)
    ends = _boundaries(norm_text, rough.dest_end - slack, rough.dest_end + slack)
    best: tuple[float, int, int] = (0.0, 0, 0)
    for a in starts:
        for b in ends:
            if b - a < 0.8 * len(norm_quote):
                continue
            score = fuzz.ratio(norm_quote, norm_text[a:b].strip())
            if score > best[0]:
                best = (score, a, b)
    score, a, b = best
    if score < threshold or b <= a:
        return None
    while a < b and norm_text[a] == " ":
        a += 1
    while b > a and norm_text[b - 1] == " ":
        b -= 1
    lo, hi = _span(index, a, b, text)
    return Span(lo, hi, "fuzzy", round(score, 1))
