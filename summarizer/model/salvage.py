"""Salvage: when re-asks are spent (or the answer was cut at ``max_tokens``), keep what the
last answer got right, item by item, and name what was dropped; only an answer with nothing
usable becomes a :class:`~summarizer.errors.ModelError`."""

from __future__ import annotations

import logging
import re
from typing import Any

import jiter
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from summarizer.config import Settings
from summarizer.errors import ConfigError, ModelError
from summarizer.model.retries import translate
from summarizer.model.usage import Structured, T, usage_of
from summarizer.schema import Usage

log = logging.getLogger("summarizer.model.client")


def _root_cause(exc: BaseException) -> BaseException:
    """instructor wraps transport errors in InstructorRetryException; find ours underneath."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConfigError | ModelError):
            return current
        current = current.__cause__ or current.__context__
    return exc


def _raw_output(completion: Any) -> str | None:
    """The text the model produced: tool-call arguments, else message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return str(calls[0].function.arguments)
    content = getattr(message, "content", None)
    return str(content) if content is not None else None


_INSTRUCTOR_FAILURES = (
    InstructorRetryException,
    IncompleteOutputException,
)


def recover(exc: Exception, response_model: type[T], settings: Settings) -> Structured[T]:
    root = _root_cause(exc)
    if root is not exc:
        raise root
    if isinstance(exc, openai.OpenAIError):
        raise translate(exc, settings) from exc
    if not isinstance(exc, _INSTRUCTOR_FAILURES):
        raise exc
    usage = usage_of(getattr(exc, "total_usage", None))
    usage.calls = max(1, int(getattr(exc, "n_attempts", 1) or 1))
    return salvaged(getattr(exc, "last_completion", None), exc, response_model, usage)


def salvaged(
    completion: Any, exc: Exception, response_model: type[T], usage: Usage
) -> Structured[T]:
    """Keep what validates in ``completion``'s output; a :class:`ModelError` if nothing does."""
    raw = _raw_output(completion)
    reason = _reason(exc)
    if raw is None:
        raise ModelError(f"the model gave no usable output ({reason})", usage=usage) from exc
    cut = _finish_reason(completion) == "length"
    data = _lenient_json(_unfenced(raw))
    reached = list(data) if cut and isinstance(data, dict) else []  # before salvage trims it
    result = _salvage_data(data, response_model, cut=cut)
    if result is None:
        raise ModelError(
            f"the model's output could not be parsed after retries ({reason})",
            raw_output=raw,
            usage=usage,
        ) from exc
    value, dropped = result
    return Structured(
        value=value, usage=usage, salvage_reason=reason, dropped=dropped, cut=cut, reached=reached
    )


def _finish_reason(completion: Any) -> str | None:
    try:
        return str(completion.choices[0].finish_reason)
    except (AttributeError, IndexError, TypeError):
        return None


def _unfenced(raw: str) -> str:
    text = raw.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    return text


def _reason(exc: Exception) -> str:
    """One line on why the output failed (instructor's own message is a multi-line dump)."""
    cause = exc.__cause__ if isinstance(exc, InstructorRetryException) else exc
    if isinstance(cause, ValidationError):
        return f"{cause.error_count()} validation error(s); first: {_short(cause)}"
    text = " ".join(str(cause or exc).split())
    return text[:300] if text else type(exc).__name__


_CONTROL = re.compile(r"[\x00-\x1f]")


def _lenient_json(text: str) -> Any:
    """Parse JSON that may be cut off, or hold raw control characters inside strings (small
    models write literal line breaks in string values; strict JSON forbids them). Control
    characters become spaces, which is harmless between tokens and inside a quote alike."""
    for candidate in (text, _CONTROL.sub(" ", text)):
        try:
            return jiter.from_json(candidate.encode("utf-8"), partial_mode="trailing-strings")
        except ValueError:
            continue
    return None


def salvage(
    raw: str, response_model: type[T], *, cut: bool = False
) -> tuple[T, list[tuple[str, dict[str, Any], str]]] | None:
    """Parse possibly truncated JSON and keep every list item that validates on its own.

    Validation here runs without the article in the context, so quotes are *not* checked:
    the caller grounds every kept item and drops the ones whose quote is not in the article.
    With ``cut`` (the answer hit ``max_tokens``), the last item of the list being written is
    the one the cut went through: it is dropped and named, even when what is left of it would
    validate (a quote cut short is still a string).
    """
    return _salvage_data(_lenient_json(_unfenced(raw)), response_model, cut=cut)


def _salvage_data(
    data: Any, response_model: type[T], *, cut: bool
) -> tuple[T, list[tuple[str, dict[str, Any], str]]] | None:
    """:func:`salvage` on output already parsed leniently (the caller parses it once)."""
    if not isinstance(data, dict):
        return None
    dropped: list[tuple[str, dict[str, Any], str]] = []
    if cut and data:
        last = list(data)[-1]
        items = data[last]
        if isinstance(items, list) and items:
            partial = items.pop()
            reason = "cut off at max_tokens"
            dropped.append((last, partial if isinstance(partial, dict) else {}, reason))
    kept: dict[str, Any] = {}
    for name, info in response_model.model_fields.items():
        item_type = _list_item_model(info.annotation)
        if name not in data:
            if item_type is not None:
                kept[name] = []  # a list the output never reached (cut off) is empty
            continue
        items = data[name]
        if item_type is None or not isinstance(items, list):
            kept[name] = items
            continue
        limit = _max_items(info.metadata)
        good: list[Any] = []
        for item in items:
            try:
                good.append(item_type.model_validate(item))
            except ValidationError as err:
                dropped.append((name, item if isinstance(item, dict) else {}, _short(err)))
        kept[name] = good[:limit] if limit else good
    try:
        return response_model.model_validate(kept), dropped
    except ValidationError:
        return None


def _short(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(map(str, first["loc"]))
    return (f"{where}: {first['msg']}" if where else str(first["msg"]))[:200]


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list and args:
        item = args[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _max_items(metadata: list[Any]) -> int | None:
    for entry in metadata:
        value = getattr(entry, "max_length", None)
        if isinstance(value, int):
            return value
    return None
