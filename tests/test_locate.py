from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.extract.locate import locate

TEXT = (
    "Headline here\n\nThe minister said: \u201cWe will never sign this.\u201d Then she left.\n"
    "Officials  said the fund was\nworth \u20ac2.4bn \u2013 a record."
)


def test_exact_match_reports_exact_offsets() -> None:
    span = locate("Then she left.", TEXT)
    assert span is not None and span.match == "exact"
    assert TEXT[span.start : span.end] == "Then she left."


def test_typographic_quotes_and_whitespace_are_normalized() -> None:
    span = locate('said: "We will never sign this."', TEXT)
    assert span is not None and span.match == "normalized"
    assert TEXT[span.start : span.end] == "said: \u201cWe will never sign this"


def test_line_breaks_and_dashes_fold() -> None:
    span = locate("the fund was worth \u20ac2.4bn - a record", TEXT)
    assert span is not None
    assert TEXT[span.start : span.end] == "the fund was\nworth \u20ac2.4bn \u2013 a record"


def test_small_copy_errors_match_fuzzily_and_report_the_real_span() -> None:
    span = locate("Officials said that the fund was worth", TEXT)
    assert span is not None and span.match == "fuzzy"
    assert "fund was" in TEXT[span.start : span.end]


def test_invented_quote_is_not_found() -> None:
    assert locate("The president resigned in disgrace.", TEXT) is None
    assert locate("", TEXT) is None
    assert locate("ok", TEXT) is None  # too short to mean anything


@given(st.text(min_size=0, max_size=200), st.integers(0, 150), st.integers(8, 60))
def test_any_substring_is_found_at_a_place_that_holds_it(text: str, start: int, size: int) -> None:
    quote = text[start : start + size]
    if len(quote.strip()) < 8:
        return
    span = locate(quote, text)
    assert span is not None
    assert span.match == "exact"
    assert text[span.start : span.end] == quote.strip()
