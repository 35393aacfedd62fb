"""The client's fast path relies on instructor internals; when they change, it falls back to
``instructor.patch`` with one WARNING, and a call still succeeds (never a ModelError that
blames the model)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.extract.extraction import extract
from summarizer.model import instructor_fast
from summarizer.model.backends import client_from_functions
from tests.fakes import ScriptedModel
from tests.test_extract import ARTICLE, draft


@pytest.fixture(autouse=True)
def fresh_kit() -> Iterator[None]:
    instructor_fast.tools_kit.cache_clear()
    yield
    instructor_fast.tools_kit.cache_clear()


def _changed_parser(response: Any, model: Any) -> Any:  # 'response_model' renamed
    raise AssertionError("never called")


def _with_parser(parser: Any) -> Any:
    real = instructor_fast._internals

    def internals() -> tuple[Any, Any, Any, tuple[Any, ...]]:
        prepare, _, reask, retryable = real()
        return prepare, parser, reask, retryable

    return internals


def _missing() -> Any:
    raise ImportError("cannot import name '_RETRYABLE_PARSE_ERRORS'")


def _extract_warns(settings: Settings, caplog: pytest.LogCaptureFixture) -> list[str]:
    model = ScriptedModel(draft(), repeat_last=True)
    client = client_from_functions(settings, model.create, model.acreate)
    with caplog.at_level(logging.WARNING, logger="summarizer.model.instructor_fast"):
        first = extract(ARTICLE, client)
        second = extract(ARTICLE, client)
    assert len(first.commitments) == len(second.commitments) == 1  # the patched path worked
    assert client._tools_call(type(first), [], None, is_async=False) is None
    return [r.getMessage() for r in caplog.records if r.name == "summarizer.model.instructor_fast"]


def test_a_changed_signature_falls_back_with_one_warning(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instructor_fast, "_internals", _with_parser(_changed_parser))
    warnings = _extract_warns(settings, caplog)
    assert len(warnings) == 1
    assert "response_parser no longer takes" in warnings[0]
    assert "instructor.patch" in warnings[0]


def test_a_missing_internal_falls_back_with_one_warning(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instructor_fast, "_internals", _missing)
    warnings = _extract_warns(settings, caplog)
    assert len(warnings) == 1 and "ImportError" in warnings[0]


def test_the_internals_in_use_pass_the_checks() -> None:
    kit = instructor_fast.tools_kit()
    assert kit is not None and kit.retryable
