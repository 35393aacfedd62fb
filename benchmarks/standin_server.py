"""A local OpenAI-compatible stand-in for a model server: real HTTP, canned answers, faults.

It measures the *pipeline*, not a model: every ``POST /v1/chat/completions`` is answered after
a configurable latency (plus jitter) with a schema-valid ``ArticleDraft`` whose quotes are
sentences copied from the article between ``<article>`` and ``</article>`` in the request. The
answer is a forced tool call (TOOLS mode) or, for a ``response_format`` request, message content
(JSON_SCHEMA / JSON modes). It is deterministic: the same article gets the same answer.

Faults, for robustness tests and realistic benchmarks:

* ``error_rate`` -- the probability that a request gets a fault, drawn from ``mix`` (weights by
  kind; default: every kind alike);
* a marker in the article text, ``STANDIN-FAULT: <kind>`` (always fail that way) or
  ``STANDIN-FAULT: <kind>x<N>`` (fail the first N requests for this article, then answer).

Fault kinds (:data:`FAULTS`): ``429`` (with ``Retry-After``), ``500``, ``502``, ``503``,
``timeout`` (sleep ``hang`` seconds, past the client's timeout), ``drop`` (close the connection
without an answer), ``truncate`` (send half the body, then close), ``bad_body`` (HTTP body is not
JSON), ``invalid_json`` (tool-call arguments are not JSON), ``schema_invalid`` (valid JSON that
breaks the schema), ``bad_quote`` (schema-valid, but the quotes are not in the article),
``length`` (``finish_reason="length"`` with the arguments cut off).

Other endpoints: ``GET /v1/models`` (owned_by ``standin``, so clients pick TOOLS mode),
``GET /stats`` (request counts by outcome), ``POST /reset`` (zero the counts and marker state),
and the Batch API: ``POST /v1/files`` (multipart upload), ``GET /v1/files/{id}/content``,
``POST /v1/batches``, ``GET /v1/batches[/{id}]``, ``POST /v1/batches/{id}/cancel``. A batch
is ``validating`` for ``batch_validate`` seconds, then ``in_progress`` at ``batch_rate`` lines a
second, then ``completed`` with an output file and, for the ``batch_error_rate`` share of lines
that failed, an error file; an unfinished batch ``expired`` after ``batch_expire_after`` seconds
or ``cancelled`` keeps the lines answered so far.

Start it from Python (a pytest fixture)::

    url, stop = start_server(latency=0.05, error_rate=0.1, mix={"429": 1, "500": 1})
    ...  # Settings(base_url=url, model="standin", ...)
    stop()

or as a process, which gets a core of its own (the benchmark does this)::

    python benchmarks/standin_server.py --port 8765 --latency 0.2 --jitter 0.02

The HTTP layer is a bare :class:`asyncio.Protocol` (HTTP/1.1 keep-alive, ``Content-Length``
bodies): about 0.1 ms of CPU per request, so one core serves thousands of requests a second.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FAULTS = (
    "429",
    "500",
    "502",
    "503",
    "timeout",
    "drop",
    "truncate",
    "bad_body",
    "invalid_json",
    "schema_invalid",
    "bad_quote",
    "length",
)
_MARKER = re.compile(r"STANDIN-FAULT:\s*([a-z_0-9]+?)(?:x(\d+))?\b")
_SENTENCE = re.compile(r"[^.!?\n]*[A-Za-z][^.!?\n]*[.!?]")
_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)\b")
_NUMBER = re.compile(r"\d")
_REASONS = {
    200: "OK",
    404: "Not Found",
    400: "Bad Request",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


# --------------------------------------------------------------------------------------------
# Canned answers
# --------------------------------------------------------------------------------------------


def article_of(body: Mapping[str, Any]) -> str:
    """The text between <article> and </article> in the last user message ('' if none)."""
    for message in reversed(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and isinstance(content, str):
            start = content.find("<article>")
            end = content.rfind("</article>")
            if start >= 0 and end > start:
                return content[start + len("<article>") : end].strip("\n")
    return ""


def sentences(text: str) -> list[str]:
    """Whole sentences of the article, as they stand in it (so they ground exactly)."""
    found = (m.group(0).strip() for m in _SENTENCE.finditer(text))
    return [s for s in found if len(s) >= 20 and "STANDIN-FAULT" not in s]


def _actor(sentence: str) -> str:
    match = _NAME.search(sentence)
    return match.group(1) if match else "Unnamed official"


def draft_for(article: str) -> dict[str, Any]:
    """A schema-valid ArticleDraft whose every quote is a sentence of ``article``."""
    picks = sentences(article)
    if not picks:
        return {"actors": [], "positions": [], "commitments": [], "open_questions": [], "facts": []}
    seed = int.from_bytes(hashlib.sha256(article.encode("utf-8")).digest()[:4], "big")
    pick = [picks[(seed + n * 7) % len(picks)] for n in range(3)]
    numeric = [s for s in picks if _NUMBER.search(s)] or picks
    names = sorted({_actor(s) for s in pick})
    return {
        "actors": [{"name": n, "role": None, "type": "person", "affiliation": None} for n in names],
        "positions": [
            {
                "actor": _actor(pick[0]),
                "issue": "the agreement",
                "stance": "Backs the agreement as reported.",
                "polarity": "supports",
                "attributed_by": None,
                "quote": pick[0],
            }
        ],
        "commitments": [
            {
                "actor": _actor(pick[1]),
                "beneficiary": None,
                "action": "act as the article reports",
                "conditions": [],
                "timeframe": None,
                "status": "proposed",
                "modality": "future",
                "quote": pick[1],
            }
        ],
        "open_questions": [
            {"question": "What happens next?", "reason": "unknown", "quote": pick[2]}
        ],
        "facts": [
            {"topic": "a reported figure", "value": _first_number(numeric[0]), "quote": numeric[0]}
        ],
    }


def _first_number(sentence: str) -> str:
    match = re.search(r"[\d][\d,.]*", sentence)
    return match.group(0).rstrip(".,") if match else sentence[:40]


def _broken_schema(draft: dict[str, Any]) -> dict[str, Any]:
    """The first list's items made invalid (positions, or the first list a continuation asks
    for): a wrong enum value and no quote."""
    broken = json.loads(json.dumps(draft))
    first = next((k for k in broken if k != "actors" and broken[k]), None)
    for item in broken.get(first, []) if first else []:
        for key in ("polarity", "status", "reason"):
            if key in item:
                item[key] = "maybe"
        item.pop("quote", None)
    return broken


def _bad_quotes(draft: dict[str, Any]) -> dict[str, Any]:
    broken = json.loads(json.dumps(draft))
    for kind in ("positions", "commitments", "open_questions", "facts"):
        for item in broken.get(kind, []):
            item["quote"] = "These words were never written in the article at all."
    return broken


def completion(body: Mapping[str, Any], arguments: str, *, finish: str = "") -> dict[str, Any]:
    """An OpenAI chat completion answering ``body`` with ``arguments`` (tool call or content)."""
    tools = body.get("tools") or []
    name = "ArticleDraft"
    if tools and isinstance(tools[0], dict):
        name = str(tools[0].get("function", {}).get("name") or name)
    if tools:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_standin",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            ],
        }
        reason = finish or "tool_calls"
    else:
        message = {"role": "assistant", "content": arguments}
        reason = finish or "stop"
    prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages") or [])
    prompt, done = prompt_chars // 4 + 200, len(arguments) // 4 + 1
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model") or "standin"),
        "choices": [{"index": 0, "finish_reason": reason, "message": message, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": done,
            "total_tokens": prompt + done,
        },
    }


# --------------------------------------------------------------------------------------------
# Faults and configuration
# --------------------------------------------------------------------------------------------


@dataclass
class Config:
    """How the stand-in behaves. ``mix`` maps fault kinds to weights."""

    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    mix: dict[str, float] = field(default_factory=dict)
    retry_after: float = 0.1
    hang: float = 30.0
    seed: int = 0
    #: The Batch API: seconds a batch validates, lines it answers a second, the share of
    #: lines that fail, and seconds after which an unfinished batch expires (None: never).
    batch_validate: float = 0.05
    batch_rate: float = 5000.0
    batch_error_rate: float = 0.0
    batch_expire_after: float | None = None

    def __post_init__(self) -> None:
        unknown = set(self.mix) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULTS)}")
        if not self.mix:
            self.mix = dict.fromkeys(FAULTS, 1.0)


def parse_mix(text: str) -> dict[str, float]:
    """``"429:2,500:1,timeout"`` -> ``{"429": 2.0, "500": 1.0, "timeout": 1.0}``."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, weight = part.partition(":")
        mix[kind] = float(weight or 1)
    return mix


class Behaviour:
    """Decides, per request, between an answer and a fault; counts what it did."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.random = random.Random(config.seed)
        self.kinds = list(config.mix)
        self.weights = [config.mix[k] for k in self.kinds]
        self.stats: Counter[str] = Counter()
        self.marked: Counter[str] = Counter()
        self.connections: set[asyncio.Transport] = set()
        self.batches = BatchStore(config, self.stats)

    def reset(self) -> None:
        self.stats.clear()
        self.marked.clear()

    def delay(self) -> float:
        jitter = self.config.jitter
        spread = self.random.uniform(-jitter, jitter) if jitter else 0.0
        return max(0.0, self.config.latency + spread)

    def fault(self, article: str) -> str | None:
        """The fault for this request, or None to answer."""
        marker = _MARKER.search(article)
        if marker and marker.group(1) in FAULTS:
            kind, times = marker.group(1), marker.group(2)
            if times is None:
                return kind
            digest = hashlib.sha256(article.encode("utf-8")).hexdigest()
            self.marked[digest] += 1
            return kind if self.marked[digest] <= int(times) else None
        if self.config.error_rate and self.random.random() < self.config.error_rate:
            return self.random.choices(self.kinds, self.weights)[0]
        return None


# --------------------------------------------------------------------------------------------
# The Batch API: files and batches, with status progression, failed lines, expiry, cancel
# --------------------------------------------------------------------------------------------


def _multipart_file(body: bytes, content_type: str) -> bytes:
    """The uploaded file's bytes from a multipart/form-data body."""
    boundary = content_type.partition("boundary=")[2].strip('"')
    for part in body.split(b"--" + boundary.encode()):
        head, _, data = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return data.removesuffix(b"\r\n")
    return b""


def answer_line(line: Mapping[str, Any], fail: bool) -> dict[str, Any]:
    """One Batch output (or error) line for one request line."""
    custom_id = str(line.get("custom_id"))
    if fail:
        error = {"code": "server_error", "message": "stand-in: this line failed"}
        return {"id": f"line-{custom_id}", "custom_id": custom_id, "response": None,
                "error": error}  # fmt: skip
    body = line.get("body") or {}
    article = article_of(body)
    arguments, finish = capped(json.dumps(requested(draft_for(article), body)), body)
    response = {"status_code": 200, "request_id": f"req-{custom_id}",
                "body": completion(body, arguments, finish=finish)}  # fmt: skip
    return {"id": f"line-{custom_id}", "custom_id": custom_id, "response": response,
            "error": None}  # fmt: skip


class BatchStore:
    """Files and batches in memory, as OpenAI's endpoints serve them."""

    def __init__(self, config: Config, stats: Counter[str]) -> None:
        self.config = config
        self.stats = stats
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.lines: dict[str, list[dict[str, Any]]] = {}
        self.created: dict[str, float] = {}
        self.random = random.Random(config.seed + 1)

    def handle(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, Any]:
        parts = path.split("/")
        if method == "POST" and path.endswith("/files"):
            data = _multipart_file(body, headers.get("content-type", ""))
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = data
            self.stats["files_uploaded"] += 1
            return 200, {"id": file_id, "object": "file", "bytes": len(data), "created_at":
                         int(time.time()), "filename": "requests.jsonl", "purpose": "batch",
                         "status": "processed"}  # fmt: skip
        if method == "GET" and path.endswith("/content"):
            file_id = parts[-2]
            if file_id not in self.files:
                return 404, {"error": {"message": f"no file {file_id}"}}
            return 200, self.files[file_id]
        if method == "POST" and path.endswith("/batches"):
            request = json.loads(body or b"{}")
            return 200, self.create(request)
        if method == "GET" and path.endswith("/batches"):
            data = [self.refresh(b) for b in reversed(list(self.batches))]
            return 200, {"object": "list", "data": data, "has_more": False,
                         "first_id": data[0]["id"] if data else None,
                         "last_id": data[-1]["id"] if data else None}  # fmt: skip
        if method == "POST" and path.endswith("/cancel"):
            batch_id = parts[-2]
            if batch_id not in self.batches:
                return 404, {"error": {"message": f"no batch {batch_id}"}}
            self.refresh(batch_id)
            if self.batches[batch_id]["status"] not in ("completed", "failed", "expired"):
                self._finish(batch_id, "cancelled")
            return 200, self.batches[batch_id]
        if method == "GET" and "/batches/" in path:
            batch_id = parts[-1]
            if batch_id not in self.batches:
                return 404, {"error": {"message": f"no batch {batch_id}"}}
            return 200, self.refresh(batch_id)
        return 404, {"error": {"message": f"no route {method} {path}"}}

    def create(self, request: Mapping[str, Any]) -> dict[str, Any]:
        file_id = str(request.get("input_file_id"))
        text = self.files.get(file_id, b"").decode("utf-8")
        batch_id = f"batch_{len(self.batches) + 1}"
        self.lines[batch_id] = [json.loads(x) for x in text.splitlines() if x.strip()]
        self.created[batch_id] = time.monotonic()
        self.stats["batches_created"] += 1
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request.get("endpoint"),
            "input_file_id": file_id, "completion_window": request.get("completion_window"),
            "status": "validating", "created_at": int(time.time()), "errors": None,
            "output_file_id": None, "error_file_id": None,
            "metadata": request.get("metadata") or {},
            "request_counts": {"total": len(self.lines[batch_id]), "completed": 0, "failed": 0},
        }  # fmt: skip
        return self.batches[batch_id]

    def refresh(self, batch_id: str) -> dict[str, Any]:
        """Move the batch along: validating, then lines answered at ``batch_rate`` a second."""
        batch = self.batches[batch_id]
        if batch["status"] in ("completed", "failed", "expired", "cancelled"):
            return batch
        elapsed = time.monotonic() - self.created[batch_id]
        total = len(self.lines[batch_id])
        running = elapsed - self.config.batch_validate
        if running < 0:
            return batch
        done = min(total, int(running * self.config.batch_rate))
        expire = self.config.batch_expire_after
        if done < total and expire is not None and elapsed > expire:
            self._finish(batch_id, "expired", done)
        elif done < total:
            batch["status"] = "in_progress"
            batch["request_counts"] = {"total": total, "completed": done, "failed": 0}
        else:
            self._finish(batch_id, "completed", total)
        return batch

    def _finish(self, batch_id: str, status: str, done: int | None = None) -> None:
        batch = self.batches[batch_id]
        lines = self.lines[batch_id]
        if done is None:
            elapsed = time.monotonic() - self.created[batch_id] - self.config.batch_validate
            done = max(0, min(len(lines), int(elapsed * self.config.batch_rate)))
        out, errors = [], []
        for line in lines[:done]:
            failed = self.random.random() < self.config.batch_error_rate
            (errors if failed else out).append(answer_line(line, failed))
        for kind, rows in (("output", out), ("error", errors)):
            if rows:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = "".join(json.dumps(r) + "\n" for r in rows).encode()
                batch[f"{kind}_file_id"] = file_id
        batch["status"] = status
        batch["request_counts"] = {"total": len(lines), "completed": len(out),
                                   "failed": len(errors)}  # fmt: skip
        self.stats[f"batch_lines_{status}"] += len(out)
        self.stats["batch_lines_failed"] += len(errors)


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


def _response(status: int, payload: bytes, extra: Mapping[str, str] | None = None) -> bytes:
    headers = {
        "content-type": "application/json",
        "content-length": str(len(payload)),
        **(extra or {}),
    }
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + payload


def _json(status: int, obj: Any, extra: Mapping[str, str] | None = None) -> bytes:
    return _response(status, json.dumps(obj).encode("utf-8"), extra)


def _error(status: int, message: str) -> bytes:
    return _json(status, {"error": {"message": message, "type": "standin_fault", "code": status}})


class _Http(asyncio.Protocol):
    """One connection: parse requests one after another, answer each after the latency."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.loop = asyncio.get_running_loop()
        self.headers: dict[str, str] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.behaviour.connections.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.behaviour.connections.discard(self.transport)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer.extend(data)
        self._next()

    def _next(self) -> None:
        if self.busy:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1")
        length = 0
        self.headers = {}
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        method, _, rest = head.partition(" ")
        path = rest.partition(" ")[0]
        self.busy = True
        self._handle(method, path, body)

    def _send(self, data: bytes, *, close: bool = False) -> None:
        if self.transport is None:
            return
        self.transport.write(data)
        self.busy = False
        if close:
            self.transport.close()
        else:
            self._next()

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def _handle(self, method: str, path: str, body: bytes) -> None:
        path = path.split("?")[0].rstrip("/")
        if method == "GET" and path.endswith("/models"):
            models = {"object": "list", "data": [{"id": "standin", "object": "model",
                                                  "owned_by": "standin", "created": 0}]}
            self._send(_json(200, models))
        elif method == "GET" and path.endswith("/stats"):
            self._send(_json(200, dict(self.behaviour.stats)))
        elif method == "POST" and path.endswith("/reset"):
            self.behaviour.reset()
            self._send(_json(200, {"ok": True}))
        elif method == "POST" and path.endswith("/chat/completions"):
            self._chat(body)
        elif "/files" in path or "/batches" in path:
            status, payload = self.behaviour.batches.handle(method, path, body, self.headers)
            if isinstance(payload, bytes):
                self._send(_response(status, payload, {"content-type": "application/jsonl"}))
            else:
                self._send(_json(status, payload))
        else:
            self._send(_error(404, f"no route {method} {path}"))

    def _chat(self, raw: bytes) -> None:
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(_error(400, "the request body is not JSON"))
            return
        article = article_of(body)
        kind = self.behaviour.fault(article)
        self.behaviour.stats[kind or "ok"] += 1
        self.behaviour.stats["requests"] += 1
        delay = self.behaviour.delay()
        if kind == "timeout":
            self.loop.call_later(self.behaviour.config.hang, self._close)
        elif kind == "drop":
            self.loop.call_later(delay, self._close)
        elif kind == "truncate":
            data = _json(200, completion(body, json.dumps(draft_for(article))))
            self.loop.call_later(delay, self._send, data[: len(data) - 200], close=True)
        else:
            self.loop.call_later(delay, self._send, self._answer(kind, body, article))

    def _answer(self, kind: str | None, body: Mapping[str, Any], article: str) -> bytes:
        if kind in ("429", "500", "502", "503"):
            after = f"{self.behaviour.config.retry_after:g}"
            extra = {"retry-after": after} if kind == "429" else {}
            return _response(
                int(kind),
                json.dumps({"error": {"message": f"stand-in fault {kind}", "code": kind}}).encode(),
                extra,
            )
        if kind == "bad_body":
            return _response(200, b'{"id": "chatcmpl-standin", "choices": [ <html>oops')
        draft = requested(draft_for(article), body)  # a continuation: only what it asks for
        if kind == "schema_invalid":
            return _json(200, completion(body, json.dumps(_broken_schema(draft))))
        if kind == "bad_quote":
            return _json(200, completion(body, json.dumps(_bad_quotes(draft))))
        arguments = json.dumps(draft)
        if kind == "invalid_json":
            return _json(200, completion(body, arguments.replace('"', "'")[:-3] + "},"))
        if kind == "length":
            return _json(200, completion(body, arguments[: len(arguments) // 2], finish="length"))
        arguments, finish = capped(arguments, body)
        return _json(200, completion(body, arguments, finish=finish))


#: Characters per token of compact JSON with English quotes (measured with a BPE tokenizer).
CHARS_PER_TOKEN = 4.2


def requested(draft: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """Only the lists the request's tool asks for, as a model answering it would write."""
    tools = body.get("tools") or []
    try:
        wanted = tools[0]["function"]["parameters"]["properties"]
    except (IndexError, KeyError, TypeError):
        return draft
    return {k: v for k, v in draft.items() if k in wanted}


def capped(arguments: str, body: Mapping[str, Any]) -> tuple[str, str]:
    """What a real server returns for an answer longer than the request's ``max_tokens``:
    the answer cut there, with ``finish_reason == "length"``."""
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    if isinstance(limit, int) and len(arguments) > limit * CHARS_PER_TOKEN:
        return arguments[: int(limit * CHARS_PER_TOKEN)], "length"
    return arguments, ""


# --------------------------------------------------------------------------------------------
# Starting and stopping
# --------------------------------------------------------------------------------------------


async def serve(config: Config, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    behaviour = Behaviour(config)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Http(behaviour), host, port, backlog=1024)
    server.behaviour = behaviour  # type: ignore[attr-defined]
    return server


async def shutdown(server: asyncio.Server) -> None:
    """Stop listening and close every open connection."""
    server.close()
    for transport in list(server.behaviour.connections):  # type: ignore[attr-defined]
        transport.abort()
    await server.wait_closed()
    await asyncio.sleep(0)  # let the aborted transports finish closing


def _url(server: asyncio.Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"http://{host}:{port}/v1"


def _start_thread(config: Config, port: int) -> tuple[str, Callable[[], None]]:
    ready: list[str] = []
    started = threading.Event()
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(serve(config, port=port))
        ready.append(_url(server))
        started.set()
        loop.run_forever()
        loop.run_until_complete(shutdown(server))
        loop.close()

    thread = threading.Thread(target=run, name="standin-server", daemon=True)
    thread.start()
    started.wait(10)

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return ready[0], stop


def _start_process(config: Config, port: int) -> tuple[str, Callable[[], None]]:
    mix = ",".join(f"{k}:{v:g}" for k, v in config.mix.items())
    args = [
        sys.executable, os.path.abspath(__file__), "--port", str(port),
        "--latency", str(config.latency), "--jitter", str(config.jitter),
        "--error-rate", str(config.error_rate), "--mix", mix,
        "--retry-after", str(config.retry_after), "--hang", str(config.hang),
        "--seed", str(config.seed), "--batch-rate", str(config.batch_rate),
        "--batch-error-rate", str(config.batch_error_rate),
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("http"):
        proc.kill()
        raise RuntimeError(f"the stand-in server did not start: {line!r}")

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    return line, stop


def stats(url: str) -> dict[str, int]:
    """The stand-in's counters (``GET /stats``) for the server at base URL ``url``."""
    import urllib.request

    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as reply:
        return dict(json.loads(reply.read()))


def start_server(
    port: int = 0,
    *,
    latency: float = 0.0,
    jitter: float = 0.0,
    error_rate: float = 0.0,
    mix: Mapping[str, float] | str | None = None,
    retry_after: float = 0.1,
    hang: float = 30.0,
    seed: int = 0,
    process: bool = False,
    batch_rate: float = 5000.0,
    batch_error_rate: float = 0.0,
    batch_expire_after: float | None = None,
) -> tuple[str, Callable[[], None]]:
    """Start the stand-in on 127.0.0.1 (``port=0``: a free one); return ``(base_url, stop)``.

    ``process=False`` runs it on a thread of this process (quick; fine for tests);
    ``process=True`` in a child process with a core of its own (benchmarks).
    """
    parsed = parse_mix(mix) if isinstance(mix, str) else dict(mix or {})
    config = Config(latency, jitter, error_rate, parsed, retry_after, hang, seed,
                    batch_rate=batch_rate, batch_error_rate=batch_error_rate,
                    batch_expire_after=batch_expire_after)  # fmt: skip
    return (_start_process if process else _start_thread)(config, port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request")
    parser.add_argument("--jitter", type=float, default=0.0, help="+/- seconds, uniform")
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--mix", default="", help=f"kind:weight,... of {', '.join(FAULTS)}")
    parser.add_argument("--retry-after", type=float, default=0.1)
    parser.add_argument("--hang", type=float, default=30.0, help="seconds a 'timeout' hangs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-rate", type=float, default=5000.0, help="batch lines a second")
    parser.add_argument("--batch-error-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    config = Config(
        args.latency, args.jitter, args.error_rate, parse_mix(args.mix),
        args.retry_after, args.hang, args.seed, batch_rate=args.batch_rate,
        batch_error_rate=args.batch_error_rate,
    )  # fmt: skip

    async def run() -> None:
        server = await serve(config, port=args.port)
        print(_url(server), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await shutdown(server)

    asyncio.run(run())


if __name__ == "__main__":
    main()
