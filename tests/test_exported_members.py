"""The public API is what __all__ says, and every name in it exists (like httpx's test)."""

from __future__ import annotations

from types import ModuleType

import summarizer

#: Names a module gets from its own imports, not part of the API.
PLUMBING = {"annotations", "TYPE_CHECKING", "Any"}


def test_all_names_exist_and_nothing_else_is_public() -> None:
    for name in summarizer.__all__:
        assert hasattr(summarizer, name), name
    assert sorted(summarizer.__all__) == summarizer.__all__
    public = {
        name
        for name, value in vars(summarizer).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert public - PLUMBING <= set(summarizer.__all__), public - set(summarizer.__all__)


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
