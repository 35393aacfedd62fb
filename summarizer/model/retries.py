"""Transport failures: which are transient (connection, timeouts, 429, 5xx), retrying them with
exponential backoff and jitter (tenacity, honouring ``Retry-After``), and turning what is left
into our named errors, with the API key blanked out of every message."""

from __future__ import annotations

import json
import logging
from typing import Any

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from summarizer.config import OPENAI_URL, Settings
from summarizer.errors import ConfigError, ModelError, ServerUnreachable
from summarizer.model.usage import AsyncCreateFn, CreateFn

log = logging.getLogger("summarizer.model.client")


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


def translate(exc: Exception, settings: Settings) -> Exception:
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
            raise translate(exc, settings) from redact(exc, settings.api_key)
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
            raise translate(exc, settings) from redact(exc, settings.api_key)
        raise AssertionError("unreachable")  # pragma: no cover

    return create_retrying
