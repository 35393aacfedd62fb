"""Record real model responses, and replay them with no model and no network.

A recording is one JSON file per model request, named by a hash of the request (messages,
tool/schema definitions, generation settings), under ``<root>/<model-slug>/``. It holds the
model's name, the prompt template version, the call's tag (case, article, part), the request
hash, the full response and its token usage -- never the request's messages (they contain the
article, which may be someone else's writing) and never an API key. Strings the model copied
from the article (its quotes) are stored as offsets into the request's article and restored at
replay (:func:`_to_refs`), so a recording never holds an article's text either.

Replay serves responses by request hash. A request without a recording raises
:class:`MissingRecording` naming the case and prompt: replay never falls back to a live call.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from openai.types.chat import ChatCompletion

from summarizer.errors import MissingRecording
from summarizer.extract.prompting import EXTRACT_PROMPT, template_source
from summarizer.model.usage import AsyncCreateFn, CreateFn, call_tag

_VOLATILE = {"stream", "timeout", "extra_headers", "api_key"}


def slug(model: str) -> str:
    """A folder name for a model: 'SmolLM2-135M-Instruct (Q4_1 GGUF)' -> 'smollm2-135m-...'."""
    return re.sub(r"[^a-z0-9._-]+", "-", model.lower()).strip("-") or "model"


def request_hash(kwargs: Mapping[str, Any]) -> str:
    """Stable hash of everything in a request that changes the answer."""
    payload = {k: v for k, v in sorted(kwargs.items()) if k not in _VOLATILE}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def prompt_version() -> str:
    """The template name plus a hash of its text: editing a prompt invalidates recordings."""
    text = template_source(f"{EXTRACT_PROMPT}.system.j2") + template_source(
        f"{EXTRACT_PROMPT}.user.j2"
    )
    return f"{EXTRACT_PROMPT}@{hashlib.sha256(text.encode()).hexdigest()[:10]}"


class Recordings:
    """The recordings of one model under ``root``."""

    def __init__(self, root: str | Path, model: str, *, secrets: tuple[str, ...] = ()) -> None:
        self.root = Path(root)
        self.model = model
        self.dir = self.root / slug(model)
        self._secrets = tuple(s for s in secrets if s and len(s) >= 8)
        self.used: set[str] = set()

    def path(self, digest: str) -> Path:
        return self.dir / f"{digest[:24]}.json"

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def save(self, kwargs: Mapping[str, Any], response: Any) -> Path:
        digest = request_hash(kwargs)
        dumped = response.model_dump(mode="json") if hasattr(response, "model_dump") else response
        dumped = _map_outputs(dumped, partial(_to_refs, article=article_block(kwargs)))
        usage = dumped.get("usage") or {}
        record = {
            "model": self.model,
            "served_model": dumped.get("model"),
            "prompt": prompt_version(),
            "tag": call_tag.get(),
            "request_hash": digest,
            "request": {
                "messages": [
                    {"role": m.get("role"), "chars": len(str(m.get("content", "")))}
                    for m in kwargs.get("messages", [])
                ],
                "settings": {
                    k: v
                    for k, v in kwargs.items()
                    if k in ("temperature", "max_tokens", "seed", "tool_choice")
                },
            },
            "response": dumped,
            "usage": usage,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        path = self.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self._scrub(json.dumps(record, indent=1, ensure_ascii=False)), "utf-8")
        tmp.replace(path)
        return path

    def load(self, kwargs: Mapping[str, Any]) -> ChatCompletion:
        digest = request_hash(kwargs)
        path = self.path(digest)
        if not path.is_file():
            raise MissingRecording(
                f"no recording for {call_tag.get() or 'this request'} with prompt "
                f"{prompt_version()} (request {digest[:12]}) under {self.dir}; record it with "
                "`summarizer eval --record`"
            )
        self.used.add(path.name)
        record = json.loads(path.read_text("utf-8"))
        response = _map_outputs(
            record["response"], partial(_from_refs, article=article_block(kwargs))
        )
        return ChatCompletion.model_validate(response)

    def recorder(self) -> Callable[[CreateFn, AsyncCreateFn], tuple[CreateFn, AsyncCreateFn]]:
        """A ``make_client(wrap=...)`` wrapper that saves every response it passes on."""

        def wrap(create: CreateFn, acreate: AsyncCreateFn) -> tuple[CreateFn, AsyncCreateFn]:
            def recording(**kwargs: Any) -> Any:
                response = create(**kwargs)
                self.save(kwargs, response)
                return response

            async def arecording(**kwargs: Any) -> Any:
                response = await acreate(**kwargs)
                self.save(kwargs, response)
                return response

            return recording, arecording

        return wrap

    def replayer(self) -> tuple[CreateFn, AsyncCreateFn]:
        """``make_client(backend=...)`` functions that only ever read recordings."""

        def replay(**kwargs: Any) -> Any:
            return self.load(kwargs)

        async def areplay(**kwargs: Any) -> Any:
            return self.load(kwargs)

        return replay, areplay


# --------------------------------------------------------------------------------------------
# Quotes as offsets: a recording never holds the article's text
# --------------------------------------------------------------------------------------------

#: A string the model copied from the article, stored as its place in the request's article.
REF_KEY = "$article"
#: Shorter strings (a name, a day) are kept as they are.
MIN_REF_CHARS = 16


def article_block(kwargs: Mapping[str, Any]) -> str:
    """The text between ``<article>`` and ``</article>`` in the request's last user message
    ('' when there is none): what the model's quotes are copied from."""
    users = [
        m for m in kwargs.get("messages", []) if isinstance(m, dict) and m.get("role") == "user"
    ]
    text = str(users[-1].get("content", "")) if users else ""
    start, end = text.find("<article>"), text.rfind("</article>")
    return text[start + len("<article>") : end] if 0 <= start < end else ""


def _map_outputs(response: Any, convert: Callable[[str], str]) -> Any:
    """``response`` with ``convert`` applied to each choice's tool-call arguments and content."""
    out = json.loads(json.dumps(response))
    for choice in out.get("choices") or []:
        message = choice.get("message") or {}
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            if isinstance(function.get("arguments"), str):
                function["arguments"] = convert(function["arguments"])
        if isinstance(message.get("content"), str):
            message["content"] = convert(message["content"])
    return out


def _to_refs(raw: str, article: str) -> str:
    """The model's JSON output with every string it copied from ``article`` (16+ chars)
    replaced by ``{"$article": [start, end]}``. A complete answer quotes much of its article
    (one seed answer quoted more characters than the article has), and articles are other
    people's writing: the repository keeps where the quotes are, and the replay, which has
    the article in the request anyway, puts them back. Output that is not JSON (cut off) is
    kept as it is."""
    if not article:
        return raw
    try:
        data = json.loads(raw)
    except ValueError:
        return raw

    def ref(node: Any) -> Any:
        if isinstance(node, str) and len(node) >= MIN_REF_CHARS and node in article:
            at = article.find(node)
            return {REF_KEY: [at, at + len(node)]}
        return None

    return json.dumps(_rebuilt(data, ref), ensure_ascii=False)


def _from_refs(raw: str, article: str) -> str:
    """Undo :func:`_to_refs` with the article of the replayed request."""
    if REF_KEY not in raw:
        return raw

    def restore(node: Any) -> Any:
        if isinstance(node, dict) and set(node) == {REF_KEY}:
            start, end = node[REF_KEY]
            return article[start:end]
        return None

    return json.dumps(_rebuilt(json.loads(raw), restore), ensure_ascii=False)


def _rebuilt(node: Any, change: Callable[[Any], Any]) -> Any:
    """A copy of a JSON tree with each node that ``change`` maps to a value (not None)
    replaced by that value; the others are copied, their children visited."""
    new = change(node)
    if new is not None:
        return new
    if isinstance(node, list):
        return [_rebuilt(x, change) for x in node]
    if isinstance(node, dict):
        return {k: _rebuilt(v, change) for k, v in node.items()}
    return node
