"""A PROTOTYPE for ``summarizer/model/client.py``: TOOLS-mode structured calls without instructor's
per-call overhead. Used by ``bench_batch.py`` (the ``lean`` rows) as a reference; it is not used
by the package.

SUPERSEDED: ``summarizer.model.client.ModelClient`` now does all of this in TOOLS mode (with
instructor's own request preparation, response parser and re-ask handler, and the SDK's
transform skipped for whole requests, not only the tools), and is faster than this prototype
in ``bench_batch.py``. Kept only so that the benchmark's reference row stays comparable.

Why: profiling ``summarizer batch`` against the stand-in (``bench_batch.py``) shows instructor
1.17 spending about 8-10 ms of CPU per call for the ``ArticleDraft`` schema before the request is
sent: it regenerates the JSON schema (``model_json_schema``) on every call, walks the model
twice for async validators, builds a new pydantic model class, and, when a validation
``context`` is given, compiles every message as a Jinja template (which also means an article
containing ``{{`` or ``{%`` is *rendered*, not sent as written). On a 2-core machine that caps a
single process far below 64 concurrent requests at 200 ms.

What this does instead, for TOOLS mode only (the same request instructor would send, so
recordings keep their hashes):

* the tool definition is built once per response model (instructor's own
  ``generate_openai_schema``), then reused;
* the answer is validated with ``response_model.model_validate_json(arguments, context=...)``;
* a validation error is re-asked exactly as instructor does (the assistant's tool call, then a
  ``tool`` message with the error), up to ``max_retries`` times; then the last output is
  salvaged (``summarizer.model.client.salvage``), and ``finish_reason == "length"`` goes straight to
  salvage;
* the async OpenAI client uses the aiohttp transport (``openai.DefaultAioHttpClient``; aiohttp
  is already installed as an instructor dependency), about 1 ms less CPU per call than httpx2;
* ``tools`` and ``tool_choice`` go to the SDK as ``extra_body``, which it sends as they are,
  instead of walking the schema through its TypedDict transform on every call. (In client.py
  this belongs in the transport function under the recorder, so that recorded request hashes,
  computed on the create kwargs, do not change.)

Transport retries (``with_async_transport_retries``) and error translation are the package's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

import openai
from instructor.v2.providers.openai.schema import generate_openai_schema
from pydantic import BaseModel, ValidationError

from summarizer.config import Settings
from summarizer.errors import ModelError
from summarizer.model.client import (
    ModelClient,
    Structured,
    call_tag,
    salvage,
    with_async_transport_retries,
)
from summarizer.schema import Usage

T = TypeVar("T", bound=BaseModel)


@lru_cache(maxsize=32)
def _tools(response_model: type[BaseModel]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    schema = dict(generate_openai_schema(response_model))
    return [{"type": "function", "function": schema}], {
        "type": "function",
        "function": {"name": schema["name"]},
    }


def _usage(completion: Any) -> Usage:
    raw = getattr(completion, "usage", None)
    return Usage(
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        calls=1,
    )


def _reask(message: Any, error: Exception) -> list[dict[str, Any]]:
    text = f"Validation Error found:\n{error}\nRecall the function correctly, fix the errors"
    calls = message.tool_calls or []
    out: list[dict[str, Any]] = [message.model_dump(exclude_none=True)]
    if not calls:
        return [*out, {"role": "user", "content": text}]
    return out + [
        {"role": "tool", "tool_call_id": c.id, "name": c.function.name, "content": text}
        for c in calls
    ]


class LeanClient(ModelClient):
    """A :class:`ModelClient` whose async TOOLS-mode calls skip instructor's preparation."""

    def __init__(self, settings: Settings) -> None:
        http = openai.AsyncOpenAI(
            api_key=settings.api_key or "not-needed",
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
            http_client=openai.DefaultAioHttpClient(timeout=settings.timeout),
        )
        create = http.chat.completions.create

        async def untransformed(**kwargs: Any) -> Any:
            # The SDK walks ``tools`` (a deep JSON schema) through its TypedDict transform on
            # every call: about a third of the remaining CPU. ``extra_body`` is sent as is.
            extra = {k: kwargs.pop(k) for k in ("tools", "tool_choice") if k in kwargs}
            return await create(**kwargs, extra_body=extra)

        send = with_async_transport_retries(untransformed, settings)
        super().__init__(settings=settings, mode="tools", acreate=send)
        self._lean_send = send
        self._http = http

    async def aclose(self) -> None:
        await self._http.close()

    async def astructured(
        self,
        response_model: type[T],
        messages: Sequence[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
        tag: str = "",
    ) -> Structured[T]:
        tools, choice = _tools(response_model)
        kwargs = self._kwargs(response_model, messages)
        kwargs.pop("response_model")
        kwargs.pop("max_retries")
        kwargs.update(tools=tools, tool_choice=choice)
        usage, token = Usage(), call_tag.set(tag)
        try:
            for attempt in range(self.settings.max_retries + 1):
                completion = await self._lean_send(**kwargs)
                usage = usage + _usage(completion)
                choice0 = completion.choices[0]
                calls = choice0.message.tool_calls or []
                raw = calls[0].function.arguments if calls else choice0.message.content or ""
                if choice0.finish_reason == "length":
                    return self._salvaged(raw, response_model, usage, "output hit max_tokens")
                try:
                    value = response_model.model_validate_json(raw, context=context)
                except ValidationError as exc:
                    if attempt == self.settings.max_retries:
                        return self._salvaged(raw, response_model, usage, str(exc)[:300])
                    kwargs["messages"] = [*kwargs["messages"], *_reask(choice0.message, exc)]
                    continue
                return Structured(value=value, usage=usage)
        finally:
            call_tag.reset(token)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _salvaged(raw: str, model: type[T], usage: Usage, reason: str) -> Structured[T]:
        result = salvage(raw, model)
        if result is None:
            raise ModelError(f"the model's output could not be parsed ({reason})", raw_output=raw)
        value, dropped = result
        return Structured(value=value, usage=usage, salvage_reason=reason, dropped=dropped)
