"""The public API is what __all__ says, and every name in it exists (like httpx's test)."""

from __future__ import annotations

import summarizer


def test_all_names_exist_and_nothing_else_is_public() -> None:
    for name in summarizer.__all__:
        assert hasattr(summarizer, name), name
    assert sorted(summarizer.__all__) == summarizer.__all__


def test_the_documented_entry_points_are_exported() -> None:
    expected = {
        "brief",
        "abrief",
        "extract",
        "aextract",
        "merge",
        "run_batch",
        "arun_batch",
        "make_client",
        "Settings",
        "Article",
        "Briefing",
        "to_markdown",
        "to_html",
    }
    assert expected <= set(summarizer.__all__)
