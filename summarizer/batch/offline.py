"""Large runs through a Batch API, or through batch files: the same requests, half the price.

Every article not in the cache becomes one line of a Batch JSONL per request it needs (its
``custom_id`` is the article's cache key and the request's key; its ``body`` is exactly the
request the live client sends). Answers come back keyed the same way and are read by the
ordinary pipeline through :func:`summarizer.model.backends.answered_client`: validated,
grounded and cached exactly as a live answer would be, then the events are merged as usual.

A request the answers cannot settle (a line that failed, an answer cut at ``max_tokens``
that needs a continuation, one that failed validation and needs a re-ask) is asked in the
next round: planning runs the extraction over the answers so far and keeps what it asks for
next. Rounds go on until nothing is left or ``max_rounds`` is spent; what is left then is
sent live with ``fallback="live"``, else its article fails, named, and a rerun picks it up.

Two ways to move the lines:

* ``--batch-file-out FILE`` / ``--batch-file-in FILE``: write the JSONL, run it anywhere that
  speaks the format (``python -m vllm.entrypoints.openai.run_batch -i requests.jsonl -o
  results.jsonl``), read the results back. No API is called.
* ``--batch-api``: upload, submit, follow and download through the server's Files and
  Batches endpoints (:mod:`summarizer.model.batch_api`). The run's state (each round's file,
  batch id and status) is saved in ``OUTPUT/batch-api/state.json`` after every step, so a
  rerun, or a run after ``kill -9``, picks the same batch up; a batch submitted but not yet
  saved is found again by the token in its metadata, never submitted twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.run import BatchResult, EventSpec, _load, _specs, arun_batch
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, ModelError
from summarizer.extract.cache import ExtractionCache
from summarizer.extract.extraction import extract
from summarizer.files import write_atomic
from summarizer.ingest import Article
from summarizer.model.backends import answer_key, answered_client, make_client
from summarizer.model.batch_api import ENDPOINT, FINAL, BatchApi

log = logging.getLogger(__name__)

STATE_DIR = "batch-api"
EXTRACTION_TOOL = "ArticleDraft"
Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# --------------------------------------------------------------------------------------------
# Lines: what to ask, and what came back
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    custom_id: str
    body: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"custom_id": self.custom_id, "method": "POST", "url": ENDPOINT, "body": self.body}


def pending_articles(
    specs: Sequence[EventSpec], cache: ExtractionCache, output: Path | None = None
) -> list[tuple[str, Article]]:
    """(event, article) for every readable article that is not in the cache."""
    out: list[tuple[str, Article]] = []
    for spec in specs:
        event = _load(spec, output)
        out += [(spec.name, a) for a in event.articles if cache.get(a) is None]
    return out


def plan(
    pending: Iterable[tuple[str, Article]],
    settings: Settings,
    cache: ExtractionCache,
    answers: Mapping[str, Mapping[str, Any]],
) -> list[Line]:
    """The requests the pending articles need next, given the answers so far (the first
    request of each part; then continuations and re-asks of answered ones)."""
    lines: dict[str, Line] = {}
    for _, article in pending:
        misses: list[dict[str, Any]] = []
        client = answered_client(settings, answers, misses=misses, on_miss="empty")
        try:
            extract(article, client)
        except ModelError as exc:  # the answers so far break it; its misses are still asked
            log.debug("%s: %s", article.id, exc)
        key = cache.key(article).digest[:24]
        for body in misses:
            custom_id = f"{key}:{answer_key(body)}"
            lines.setdefault(custom_id, Line(custom_id, body))
    return list(lines.values())


def write_lines(path: Path, lines: Sequence[Line]) -> None:
    text = "".join(json.dumps(line.as_json(), ensure_ascii=False) + "\n" for line in lines)
    write_atomic(path, text)


@dataclass
class Results:
    """Answers by request key, and the lines that came back failed (with why)."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    usage_lines: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def read(self, text: str, where: str) -> None:
        """Add a results (or error) file's lines: OpenAI's Batch output format."""
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                custom_id = str(row["custom_id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(where, f"line {n} is not a batch result ({exc})") from exc
            key = custom_id.rsplit(":", 1)[-1]
            response = row.get("response") or {}
            body = response.get("body") if isinstance(response, dict) else None
            status = response.get("status_code", 200) if isinstance(response, dict) else None
            if isinstance(body, dict) and body.get("choices") and status == 200:
                if key not in self.answers:
                    self._count(body)
                self.answers[key] = body
                self.failed.pop(key, None)
            elif key not in self.answers:
                error = row.get("error") or (body or {}).get("error") or {}
                message = error.get("message") if isinstance(error, dict) else str(error)
                self.failed[key] = str(message or f"HTTP {status}")

    def _count(self, body: Mapping[str, Any]) -> None:
        usage = body.get("usage") or {}
        self.usage_lines += 1
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)


# --------------------------------------------------------------------------------------------
# The state of a Batch API run
# --------------------------------------------------------------------------------------------


@dataclass
class Round:
    n: int
    token: str
    lines: int
    file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    consumed: bool = False


@dataclass
class State:
    path: Path
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    rounds: list[Round] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> State:
        path = folder / "state.json"
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text("utf-8"))
            rounds = [Round(**r) for r in data["rounds"]]
            return cls(path, str(data["run"]), rounds)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(path, f"not a batch state file ({exc}); move it away") from exc

    def save(self) -> None:
        data = {"run": self.run, "rounds": [vars(r) for r in self.rounds]}
        write_atomic(self.path, json.dumps(data, indent=1) + "\n")


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


def write_batch_file(
    events: str | Path | Sequence[EventSpec],
    path: Path,
    *,
    settings: Settings,
    cache: ExtractionCache,
    results: Sequence[Path] = (),
) -> tuple[int, int]:
    """Write the requests the uncached articles need (given earlier results files, the next
    round's) to ``path``; (lines, articles)."""
    specs = _specs(events, None)
    answers = Results()
    for done in results:
        answers.read(_text(done), str(done))
    pending = pending_articles(specs, cache)
    lines = plan(pending, settings, cache, answers.answers)
    write_lines(path, lines)
    return len(lines), len(pending)


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from exc


async def run_with_answers(
    events: str | Path | Sequence[EventSpec],
    results: Results,
    *,
    output: Path,
    settings: Settings,
    fallback: str,
    consolidate: bool | None,
    **options: Any,
) -> BatchResult:
    """The ordinary batch run, its extraction requests answered from ``results``; what they
    do not answer goes live with ``fallback="live"``, else fails, named. The merge's own
    calls (labels, disagreements) and the summary go to the live server when one is set."""
    live = make_client(settings) if settings.base_url or settings.api_key else None

    def goes_live(kwargs: Mapping[str, Any]) -> bool:
        tool = kwargs.get("tools", [{}])[0].get("function", {}).get("name")
        return fallback == "live" or tool != EXTRACTION_TOOL

    client = answered_client(settings, results.answers, fallback=live, fallback_for=goes_live)
    try:
        return await arun_batch(
            events,
            output=output,
            client=client,
            consolidate=consolidate if live is not None else False,
            **options,
        )
    finally:
        if live is not None:
            await live.aclose()


async def run_batch_api(
    events: str | Path | Sequence[EventSpec],
    *,
    output: Path,
    settings: Settings,
    cache: ExtractionCache,
    max_rounds: int = 3,
    poll_seconds: float = 30.0,
    say: Say = _quiet,
    api: BatchApi | None = None,
) -> tuple[Results, State]:
    """Ask every uncached article's requests through the Batch API, round after round, and
    keep the answers (see the module docstring). Resumable at every step."""
    if max_rounds < 1:
        raise ConfigError("--batch-rounds must be at least 1")
    folder = output / STATE_DIR
    state = State.load(folder)
    api = api or BatchApi(settings)
    results = Results()
    for r in state.rounds:  # what earlier runs downloaded
        for suffix in ("output", "errors"):
            saved = folder / f"round-{r.n}.{suffix}.jsonl"
            if saved.is_file():
                results.read(saved.read_text("utf-8"), str(saved))
    specs = _specs(events, output)
    try:
        while True:
            current = state.rounds[-1] if state.rounds else None
            if current is None or current.consumed:
                if len(state.rounds) >= max_rounds:
                    break
                lines = plan(
                    pending_articles(specs, cache, output), settings, cache, results.answers
                )
                if not lines:
                    break
                current = Round(len(state.rounds) + 1, f"{state.run}-{len(state.rounds) + 1}",
                                len(lines))  # fmt: skip
                write_lines(folder / f"round-{current.n}.input.jsonl", lines)
                state.rounds.append(current)
                state.save()
                say(f"batch round {current.n}: {len(lines)} requests")
            await asyncio.to_thread(_advance, api, folder, state, current, results, poll_seconds,
                                    say)  # fmt: skip
            if current.status in ("expired", "cancelled", "failed"):
                say(f"batch {current.batch_id} {current.status}: what it answered is kept")
                break
    finally:
        api.close()
    return results, state


def _advance(
    api: BatchApi,
    folder: Path,
    state: State,
    r: Round,
    results: Results,
    poll_seconds: float,
    say: Say,
) -> None:
    """Take round ``r`` from wherever it stopped to consumed, saving the state at each step."""
    if r.file_id is None:
        r.file_id = api.upload(folder / f"round-{r.n}.input.jsonl")
        state.save()
    if r.batch_id is None:
        found = api.find(r.token)  # submitted by a run that died before saving the id?
        batch = found or api.submit(r.file_id, r.token)
        r.batch_id, r.status = str(batch["id"]), str(batch.get("status"))
        state.save()
        say(f"batch {r.batch_id}: {'found again' if found else 'submitted'}")
    seen = ""
    while True:
        batch = api.status(r.batch_id)
        r.status = str(batch.get("status"))
        counts = batch.get("request_counts") or {}
        done, total = counts.get("completed", 0), counts.get("total", r.lines)
        failed = counts.get("failed", 0)
        line = f"batch {r.batch_id}: {r.status} {done:,}/{total:,} ({failed:,} failed)"
        if line != seen:
            say(line)
            seen = line
        if r.status in FINAL:
            break
        state.save()
        time.sleep(poll_seconds)
    r.output_file_id = batch.get("output_file_id")
    r.error_file_id = batch.get("error_file_id")
    for suffix, file_id in (("output", r.output_file_id), ("errors", r.error_file_id)):
        if file_id:
            text = api.download(str(file_id))
            write_atomic(folder / f"round-{r.n}.{suffix}.jsonl", text)
            results.read(text, f"batch {r.batch_id} {suffix}")
    r.consumed = True
    state.save()
