"""What a model call returns and costs: :class:`Structured` (the validated object, its usage,
what salvage dropped, whether the answer was cut) and the usage meter that adds up every call
made in a block (:func:`metered`). No model library is needed here."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from summarizer.schema import Usage

T = TypeVar("T", bound=BaseModel)
CreateFn = Callable[..., Any]
AsyncCreateFn = Callable[..., Awaitable[Any]]


class Closer(Protocol):
    """Something that holds HTTP clients open (what :func:`openai_create` returns)."""

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


#: Set around each call so that recorders and error messages can name the case and prompt.
call_tag: contextvars.ContextVar[str] = contextvars.ContextVar("call_tag", default="")
#: What the call is for, for usage by kind: extraction, summary, merge (re-asks: reask).
call_kind: contextvars.ContextVar[str] = contextvars.ContextVar("call_kind", default="other")


class UsageMeter:
    """Adds up the usage of every model call made inside :func:`metered` (extraction,
    continuations, re-asks, summary, merge questions), failed calls included."""

    def __init__(self) -> None:
        self.usage = Usage()
        self._lock = threading.Lock()

    def add(self, usage: Usage) -> None:
        with self._lock:
            self.usage = self.usage + usage


_meters: contextvars.ContextVar[tuple[UsageMeter, ...]] = contextvars.ContextVar(
    "usage_meters", default=()
)


@contextlib.contextmanager
def metered() -> Iterator[UsageMeter]:
    """Count the usage of the model calls made in this block (and in the tasks and threads it
    starts, which inherit the context): ``with metered() as meter: ...; meter.usage``."""
    meter = UsageMeter()
    token = _meters.set((*_meters.get(), meter))
    try:
        yield meter
    finally:
        _meters.reset(token)


def count_usage(usage: Usage | None) -> None:
    for meter in _meters.get():
        meter.add(usage or Usage())


@dataclass
class Structured(Generic[T]):
    """A validated object, the tokens it cost, and whether it had to be salvaged."""

    value: T
    usage: Usage = field(default_factory=Usage)
    salvage_reason: str | None = None
    dropped: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    #: The answer was cut at ``max_tokens`` (``finish_reason == "length"``).
    cut: bool = False
    #: For a cut answer: the top-level keys its output reached, in the order written.
    reached: list[str] = field(default_factory=list)


def counted(result: Structured[T]) -> Structured[T]:
    count_usage(result.usage)
    return result


def usage_of(raw: Any, kind: str | None = None) -> Usage:
    """A server's usage report (an SDK object or a dict) as one call of ``kind`` (default: the
    current call's kind)."""
    details = _get(raw, "prompt_tokens_details")
    usage = Usage(
        prompt_tokens=int(_get(raw, "prompt_tokens") or 0),
        cached_tokens=int(_get(details, "cached_tokens") or 0),
        completion_tokens=int(_get(raw, "completion_tokens") or 0),
        calls=1,
    )
    return usage.as_kind(kind or call_kind.get())


def completion_usage(completion: Any, kind: str | None = None) -> Usage:
    return usage_of(getattr(completion, "usage", None), kind)


def _get(raw: Any, name: str) -> Any:
    if raw is None:
        return None
    return raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)
