"""The model client: chat messages in, a validated pydantic object out.

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

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any, Generic

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException

from summarizer.config import Settings
from summarizer.errors import ConfigError, ModelError
from summarizer.model.instructor_fast import (
    NEWLINE,
    ToolsKit,
    ToolsPlan,
    plain_model,
    rendered,
    tools_kit,
)
from summarizer.model.retries import translate
from summarizer.model.salvage import recover, salvaged
from summarizer.model.usage import (
    AsyncCreateFn,
    Closer,
    CreateFn,
    Structured,
    T,
    call_kind,
    call_tag,
    completion_usage,
    count_usage,
    counted,
    usage_of,
)
from summarizer.schema import Usage

log = logging.getLogger(__name__)

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


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
        kind: str = "other",
    ) -> Structured[T]:
        """Call the model once (plus re-asks) and return a validated ``response_model``.

        ``kind`` (extraction, summary, merge) sorts the call's usage; re-asks count as reask.
        """
        if self._create is None or self._send is None:
            raise ConfigError("this client has no synchronous backend")
        with _calling(tag, kind):
            call = self._tools_call(response_model, messages, context, is_async=False)
            if call is None:
                return counted(self._patched(self._create, response_model, messages, context))
            return counted(_drive(call, self._send))

    async def astructured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
        kind: str = "other",
    ) -> Structured[T]:
        """Async twin of :meth:`structured`."""
        if self._acreate is None or self._asend is None:
            raise ConfigError("this client has no asynchronous backend")
        with _calling(tag, kind):
            call = self._tools_call(response_model, messages, context, is_async=True)
            if call is None:
                patched = await self._apatched(self._acreate, response_model, messages, context)
                return counted(patched)
            return counted(await _adrive(call, self._asend))

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
            return recover(exc, response_model, self.settings)
        return Structured(value=value, usage=usage_of(getattr(value, "_total_usage", None)))

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
            return recover(exc, response_model, self.settings)
        return Structured(value=value, usage=usage_of(getattr(value, "_total_usage", None)))

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
def _calling(tag: str, kind: str) -> Iterator[None]:
    """Around every call: the tag names it (for recorders and messages), the kind sorts its
    usage, and a call that fails for good still counts the tokens it used."""
    token, kind_token = call_tag.set(tag), call_kind.set(kind)
    try:
        yield
    except ModelError as exc:
        usage = exc.usage if isinstance(exc.usage, Usage) else Usage(calls=1)
        count_usage(usage if usage.by_kind else usage.as_kind(kind))
        raise
    finally:
        call_tag.reset(token)
        call_kind.reset(kind_token)


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
        kind = "reask" if self.usage.calls else None  # the first answer is the call's own
        self.usage = self.usage + completion_usage(completion, kind)
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
            return salvaged(completion, exc, self.response_model, self.usage)
        except self.kit.retryable as exc:
            if self.usage.calls > self.settings.max_retries:
                return salvaged(completion, exc, self.response_model, self.usage)
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
            raise translate(exc, self.settings) from exc
        return salvaged(self.failed, exc, self.response_model, self.usage)


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
