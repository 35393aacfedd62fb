"""instructor's TOOLS-mode pieces, driven directly: the internals the fast path relies on.

The client sends TOOLS-mode requests without ``instructor.patch(...)`` per call (see
:mod:`summarizer.model.client`), which needs four of instructor's internals. They are not public
API, so this module names them, checks their signatures when first used, and if anything is
missing or different returns ``None`` after one WARNING: the client then takes the
``instructor.patch`` path for every call, which is slower (about 8 ms of CPU a call) but
public. A changed internal never surfaces as ``ModelError("the model gave no usable
output")``, blaming the model.

Relied on (tested with instructor 1.17; ``pyproject.toml`` bounds instructor to that minor):

* ``instructor.processing.response.handle_response_model(response_model, mode=...)`` ->
  ``(wrapper model, {"tools": [...], "tool_choice": {...}})``;
* ``instructor.v2.core.registry.mode_registry.get_handlers(Provider.OPENAI, Mode.TOOLS)``,
  whose ``response_parser(response=, response_model=, validation_context=, strict=, stream=,
  is_async=)`` validates an answer and whose ``reask_handler(kwargs=, response=, exception=)``
  builds the re-ask request;
* ``instructor.v2.core.retry._RETRYABLE_PARSE_ERRORS``: the errors instructor re-asks on.
"""

from __future__ import annotations

import inspect
import logging
import re
import textwrap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import instructor
from pydantic import BaseModel

log = logging.getLogger(__name__)

TESTED_INSTRUCTOR = "1.17"

#: Keyword parameters each internal must accept, as this module calls it.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "handle_response_model": ("response_model", "mode"),
    "response_parser": (
        "response", "response_model", "validation_context", "strict", "stream", "is_async",
    ),
    "reask_handler": ("kwargs", "response", "exception"),
}  # fmt: skip


class InternalsChanged(RuntimeError):
    """instructor's internals are not what the fast path was written against."""


def _accepts(name: str, function: Any) -> None:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError) as exc:
        raise InternalsChanged(f"{name} has no readable signature") from exc
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    missing = [p for p in _PARAMETERS[name] if p not in parameters]
    if missing:
        raise InternalsChanged(f"{name} no longer takes {', '.join(missing)}")


@dataclass(frozen=True)
class ToolsPlan:
    """What instructor prepares for one response model in TOOLS mode."""

    model: type[BaseModel]  # instructor's wrapper of the response model: it validates answers
    tools: list[dict[str, Any]]
    tool_choice: dict[str, Any]


def _internals() -> tuple[Any, Any, Any, tuple[Any, ...]]:
    """The four internals, looked up where instructor 1.17 keeps them."""
    from instructor.processing.response import handle_response_model
    from instructor.v2.core.providers import Provider
    from instructor.v2.core.registry import mode_registry
    from instructor.v2.core.retry import _RETRYABLE_PARSE_ERRORS

    handlers = mode_registry.get_handlers(Provider.OPENAI, instructor.Mode.TOOLS)
    return (
        handle_response_model,
        handlers.response_parser,
        handlers.reask_handler,
        tuple(_RETRYABLE_PARSE_ERRORS),
    )


class ToolsKit:
    """instructor's TOOLS-mode request preparation, response parser and re-ask handler."""

    def __init__(self) -> None:
        try:
            handle_response_model, parse, reask, retryable = _internals()
        except (ImportError, AttributeError, KeyError, TypeError) as exc:
            raise InternalsChanged(f"{type(exc).__name__}: {exc}") from exc
        _accepts("handle_response_model", handle_response_model)
        _accepts("response_parser", parse)
        _accepts("reask_handler", reask)
        if not retryable or not all(isinstance(e, type) for e in retryable):
            raise InternalsChanged("_RETRYABLE_PARSE_ERRORS is not a tuple of exceptions")
        self.parse: Callable[..., Any] = parse
        self.reask: Callable[..., dict[str, Any]] = reask
        self.retryable: tuple[type[Exception], ...] = retryable
        self._prepare: Callable[..., tuple[Any, dict[str, Any]]] = handle_response_model
        self._plans: dict[type[BaseModel], ToolsPlan] = {}
        self._lock = threading.Lock()

    def plan(self, response_model: type[BaseModel]) -> ToolsPlan:
        plan = self._plans.get(response_model)
        if plan is None:
            with self._lock:
                plan = self._plans.get(response_model)
                if plan is None:
                    prepared, kwargs = self._prepare(response_model, mode=instructor.Mode.TOOLS)
                    plan = ToolsPlan(prepared, kwargs["tools"], kwargs["tool_choice"])
                    self._plans[response_model] = plan
        return plan


@lru_cache(maxsize=1)
def tools_kit() -> ToolsKit | None:
    """instructor's TOOLS handlers, or None (after one WARNING) where they differ from what
    this module was written against; the client then uses ``instructor.patch``."""
    try:
        return ToolsKit()
    except InternalsChanged as exc:
        version = getattr(instructor, "__version__", "unknown")
        log.warning(
            "instructor %s: its TOOLS-mode internals differ from %s's (%s); every call takes "
            "the slower instructor.patch path",
            version,
            TESTED_INSTRUCTOR,
            exc,
        )
        return None


def plain_model(response_model: Any) -> bool:
    return isinstance(response_model, type) and issubclass(response_model, BaseModel)


NEWLINE = re.compile(r"\r\n|\r")


def rendered(
    messages: Sequence[dict[str, str]], context: dict[str, Any] | None
) -> list[dict[str, Any]] | None:
    """The messages as the patched call sends them, or None for any it would treat specially.

    instructor rebuilds each message as ``{"role", "content", **others}``; with a ``context``
    it renders the template :func:`summarizer.model.client.as_data` made of each message, which
    yields
    the text with newlines normalised and one trailing newline dropped, then
    ``textwrap.dedent``-ed (as instructor's ``apply_template`` does).
    """
    out: list[dict[str, Any]] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or "type" in message or "role" not in message:
            return None
        if context:
            content = templated(content)
        elif not content:
            return None  # instructor turns empty content into a content-part list
        rest = {k: v for k, v in message.items() if k not in ("role", "content")}
        out.append({"role": message["role"], "content": content, **rest})
    return out


@lru_cache(maxsize=64)
def templated(text: str) -> str:
    """What instructor's templating makes of the template ``as_data`` builds for ``text``
    (cached: the system prompt is the same for every article)."""
    return textwrap.dedent(NEWLINE.sub("\n", text).removesuffix("\n"))
