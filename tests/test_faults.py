"""Fault injection over real HTTP: the local stand-in server (``benchmarks/standin_server.py``)
answers like an OpenAI-compatible model server and fails on purpose.

Two kinds of test:

* **one fault kind at a time** (a ``STANDIN-FAULT: <kind>x<N>`` marker in the article, so the
  outcome is exact): each kind either recovers, is salvaged, or ends as a named error; a
  transport fault is retried with the *same* prompt, a validation fault is re-asked with the
  reason;
* **a batch of 200 articles with 30 % of requests failing** in every way the stand-in knows
  (seeded mix): no article is lost or duplicated and every failure carries its reason.

Everything runs on 127.0.0.1 with small latencies, retry waits and timeouts (``Settings``), so
the module takes a few seconds. ``python -m pytest tests/test_faults.py -s`` prints the figures
that ``docs/robustness.md`` quotes.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import ValidationError

from benchmarks.standin_server import FAULTS, article_of, completion, draft_for, start_server
from summarizer.batch.run import BatchResult, arun_batch
from summarizer.config import Settings
from summarizer.errors import ModelError, ServerUnreachable
from summarizer.extract.extraction import extract
from summarizer.ingest.articles import Article
from summarizer.model.backends import make_client
from summarizer.model.client import ModelClient
from summarizer.model.usage import AsyncCreateFn, CreateFn, call_tag
from summarizer.pipeline import brief
from summarizer.schema import DRAFT_KINDS, ArticleExtraction, draft_model

TRANSPORT = ("429", "500", "502", "503", "timeout", "drop", "truncate", "bad_body")
VALIDATION = ("invalid_json", "schema_invalid", "bad_quote")
# Faults the client re-asks; a bad quote is not (its item is dropped and named at grounding).
REASKED = ("invalid_json", "schema_invalid")
# The client's per-request timeout; a 'timeout' fault hangs far longer. Not much smaller: on two
# busy cores a healthy answer can wait a few hundred ms for the event loop.
TIMEOUT_S = 1.0

# --------------------------------------------------------------------------------------------
# A synthetic corpus: distinct articles whose sentences the stand-in quotes back.
# --------------------------------------------------------------------------------------------

_PEOPLE = (
    "Marta Ilvesse", "Aleksandr Voronov", "Ilse Brandt", "Tomas Egli", "Odile Ferrand",
    "Nadia Frell", "Piet Varga", "Lena Okafor", "Ruben Sato", "Greta Holm",
)  # fmt: skip
_PLACES = ("Corvenna", "Larkspur", "Ostmark", "Greywater", "Tidewick", "Maren Bay")


def article_text(n: int) -> str:
    """A short fictional news article, different for every ``n``."""
    rng = random.Random(n)
    a, b, c = rng.sample(_PEOPLE, 3)
    place = rng.choice(_PLACES)
    return (
        f"Dispatch {n}: talks in {place} end with a conditional pledge\n\n"
        f"Minister {a} said on Monday that the {place} ferry line would reopen within "
        f"{rng.randint(2, 40)} weeks if the harbour repairs are finished.\n"
        f"Mayor {b} welcomed the plan but said the city could not pay the {rng.randint(3, 90)} "
        f"million crowns the new docks would cost.\n"
        f"Negotiator {c} promised to table a funding proposal before the {rng.randint(2, 28)}th "
        "of the month.\n"
        f"It is not yet known who will pay for the repairs, and {a} declined to say.\n"
        f"About {rng.randint(100, 9000)} residents signed a petition asking for the line to "
        "return.\n"
    )


def make_corpus(root: Path, events: int, per_event: int) -> dict[str, str]:
    """``events`` folders of ``per_event`` articles each; returns article id -> text."""
    texts: dict[str, str] = {}
    for e in range(events):
        folder = root / f"event-{e:02d}"
        folder.mkdir(parents=True)
        for k in range(per_event):
            n = e * per_event + k
            name = f"e{e:02d}-a{k:02d}"
            texts[name] = article_text(n)
            (folder / f"{name}.txt").write_text(texts[name], encoding="utf-8")
    return texts


# --------------------------------------------------------------------------------------------
# A tap on the create functions: every HTTP attempt, the prompt it sent, what came back.
# --------------------------------------------------------------------------------------------


@dataclass
class Attempt:
    article: str
    outcome: str  # "ok", a validation fault found in the answer, or the exception's type
    messages: list[dict[str, Any]]
    at: float


@dataclass
class Tap:
    """``make_client(wrap=tap.wrap)``: sees every attempt, inside the transport retries."""

    texts: dict[str, str]
    attempts: list[Attempt] = field(default_factory=list)

    def classify(self, article: str, response: Any, kwargs: dict[str, Any]) -> str:
        choice = response.choices[0]
        if choice.finish_reason == "length":
            return "length"
        arguments = choice.message.tool_calls[0].function.arguments
        try:
            json.loads(arguments)
        except ValueError:
            return "invalid_json"
        offered = kwargs["tools"][0]["function"]["parameters"]["properties"]
        model = draft_model(tuple(k for k in DRAFT_KINDS if k in offered))  # continuations
        try:
            model.model_validate_json(arguments)
        except ValidationError:
            return "schema_invalid"
        try:
            model.model_validate_json(
                arguments, context={"article_text": self.texts.get(article, "")}
            )
        except ValidationError:
            return "bad_quote"
        return "ok"

    def _note(self, kwargs: dict[str, Any], outcome: Callable[[str], str]) -> None:
        article = call_tag.get().split(" part ")[0]
        messages = json.loads(json.dumps(kwargs.get("messages", []), default=str))
        self.attempts.append(Attempt(article, outcome(article), messages, time.monotonic()))

    def wrap(self, create: CreateFn, acreate: AsyncCreateFn) -> tuple[CreateFn, AsyncCreateFn]:
        def tapped(**kwargs: Any) -> Any:
            try:
                response = create(**kwargs)
            except Exception as exc:
                name = type(exc).__name__
                self._note(kwargs, lambda _: name)
                raise
            self._note(kwargs, lambda article: self.classify(article, response, kwargs))
            return response

        async def atapped(**kwargs: Any) -> Any:
            try:
                response = await acreate(**kwargs)
            except Exception as exc:
                name = type(exc).__name__
                self._note(kwargs, lambda _: name)
                raise
            self._note(kwargs, lambda article: self.classify(article, response, kwargs))
            return response

        return tapped, atapped

    def of(self, article: str) -> list[Attempt]:
        return [a for a in self.attempts if a.article == article]


def fault_settings(url: str, **changes: Any) -> Settings:
    base: dict[str, Any] = {
        "backend": "openai",
        "model": "standin",
        "base_url": url,
        "api_key": "sk-test-not-a-real-key",
        "mode": "tools",
        "max_retries": 2,
        "transport_attempts": 5,
        "transport_max_wait": 0.05,
        "timeout": TIMEOUT_S,
        "concurrency": 16,
    }
    return Settings.resolve(**{**base, **changes})


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    url, stop = start_server(latency=0.002, retry_after=0.02, hang=5.0, process=True)
    yield url
    stop()


def _items(result: ArticleExtraction) -> int:
    return sum(len(x) for x in (result.positions, result.commitments, result.open_questions,
                                result.facts))  # fmt: skip


def _marked(name: str, kind: str, times: int | None) -> Article:
    marker = f"STANDIN-FAULT: {kind}" + (f"x{times}" if times else "")
    return Article(id=name, text=article_text(zlib.crc32(name.encode()) % 10_000) + marker + "\n")


_TRANSPORT_WORDS = (
    "APIConnectionError", "APITimeoutError", "RateLimitError", "InternalServerError",
    "JSONDecodeError", "cannot reach", "answered HTTP", "malformed response", "Retry-After",
)  # fmt: skip


def _transport_words(text: str) -> list[str]:
    return [w for w in _TRANSPORT_WORDS if w in text]


def _openai_options(settings: Settings) -> dict[str, Any]:
    """What :func:`summarizer.model.backends.openai_create` gives the SDK (its own retries off)."""
    return {
        "api_key": settings.api_key,
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "max_retries": 0,
    }


async def _no_async(**kwargs: Any) -> Any:
    raise AssertionError("this client is synchronous")


def _no_sync(**kwargs: Any) -> Any:
    raise AssertionError("this client is asynchronous")


@contextmanager
def sync_client(settings: Settings, tap: Tap) -> Iterator[ModelClient]:
    """The production client stack over an SDK client that is closed afterwards (``make_client``
    itself leaves its SDK clients to the garbage collector, which warns about open sockets)."""
    with openai.OpenAI(**_openai_options(settings)) as raw:
        yield make_client(settings, backend=(raw.chat.completions.create, _no_async), wrap=tap.wrap)


@asynccontextmanager
async def async_client(settings: Settings, tap: Tap) -> AsyncIterator[ModelClient]:
    async with openai.AsyncOpenAI(**_openai_options(settings)) as raw:
        yield make_client(settings, backend=(_no_sync, raw.chat.completions.create), wrap=tap.wrap)


def _run(url: str, article: Article, **changes: Any) -> tuple[Tap, ArticleExtraction | Exception]:
    tap = Tap({article.id: article.text})
    with sync_client(fault_settings(url, **changes), tap) as client:
        try:
            return tap, extract(article, client)
        except ModelError as exc:
            return tap, exc


# --------------------------------------------------------------------------------------------
# One fault kind at a time.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TRANSPORT)
def test_transport_fault_is_retried_with_the_same_prompt(standin: str, kind: str) -> None:
    # Two faults in a row, then an answer; a timeout costs a whole request timeout, and the
    # total-time cap (4 x max wait + one timeout) allows one retry after it.
    times = 1 if kind == "timeout" else 2
    tap, result = _run(standin, _marked(f"t-{kind}", kind, times))
    assert isinstance(result, ArticleExtraction), result
    assert _items(result) == 4 and result.dropped == []
    attempts = tap.of(f"t-{kind}")
    assert [a.outcome == "ok" for a in attempts] == [False] * times + [True]
    first = attempts[0].messages
    assert all(a.messages == first for a in attempts), "a transport error reached the prompt"
    assert len(first) == 2  # system + user: nothing appended


@pytest.mark.parametrize("kind", TRANSPORT)
def test_persistent_transport_fault_is_a_named_error(standin: str, kind: str) -> None:
    tap, result = _run(standin, _marked(f"p-{kind}", kind, None))
    assert isinstance(result, ModelError)
    message = str(result)
    assert standin in message and "\n" not in message
    expected = {
        "429": "HTTP 429", "500": "HTTP 500", "502": "HTTP 502", "503": "HTTP 503",
        "timeout": "APITimeoutError", "drop": "APIConnectionError",
        "truncate": "APIConnectionError", "bad_body": "malformed response",
    }  # fmt: skip
    assert expected[kind] in message
    if kind in ("timeout", "drop", "truncate"):
        assert isinstance(result, ServerUnreachable)
    attempts = tap.of(f"p-{kind}")
    # capped by attempts (5), or for timeouts by total time (4 x max wait + one timeout)
    assert (2 if kind == "timeout" else 5) <= len(attempts) <= 5
    assert all(a.messages == attempts[0].messages for a in attempts)


@pytest.mark.parametrize("kind", REASKED)
def test_validation_fault_is_reasked_with_the_reason(standin: str, kind: str) -> None:
    tap, result = _run(standin, _marked(f"v-{kind}", kind, 2))
    assert isinstance(result, ArticleExtraction), result
    assert _items(result) == 4 and result.dropped == []
    attempts = tap.of(f"v-{kind}")
    assert [a.outcome for a in attempts] == [kind, kind, "ok"]
    assert len(attempts[1].messages) > len(attempts[0].messages)  # the re-ask carries a reason
    reask = json.dumps(attempts[1].messages[2:])
    assert "validation error" in reask or "Invalid JSON" in reask or "does not appear" in reask
    assert not _transport_words(reask)


def test_persistent_invalid_json_is_a_model_error_keeping_the_raw_output(standin: str) -> None:
    tap, result = _run(standin, _marked("p-json", "invalid_json", None))
    assert isinstance(result, ModelError) and result.raw_output
    assert "could not be parsed after retries" in str(result)
    assert "Invalid JSON" in str(result) and "<failed_attempts>" not in str(result)
    assert len(tap.of("p-json")) == 3  # max_retries=2: three attempts, then give up


def test_persistent_schema_invalid_output_is_salvaged_item_by_item(standin: str) -> None:
    _, result = _run(standin, _marked("p-schema", "schema_invalid", None))
    assert isinstance(result, ArticleExtraction)
    assert result.positions == [] and _items(result) == 3  # the broken position is dropped
    assert [d.kind for d in result.dropped] == ["position"]
    assert "invalid after retries" in result.dropped[0].reason


def test_persistent_bad_quotes_are_dropped_and_counted(standin: str) -> None:
    _, result = _run(standin, _marked("p-quote", "bad_quote", None))
    assert isinstance(result, ArticleExtraction)
    assert _items(result) == 0 and len(result.dropped) == 4


def test_bad_quotes_are_dropped_without_a_reask(standin: str) -> None:
    tap, result = _run(standin, _marked("q-once", "bad_quote", 1))
    assert isinstance(result, ArticleExtraction)
    assert len(tap.of("q-once")) == 1  # mending one quote is not worth a whole new answer
    assert _items(result) == 0 and len(result.dropped) == 4


def test_an_answer_cut_once_is_continued_and_nothing_is_lost(standin: str) -> None:
    tap, result = _run(standin, _marked("len-1", "length", 1))
    assert isinstance(result, ArticleExtraction)
    assert _items(result) == 4 and result.gaps == []
    first, second = tap.of("len-1")
    assert first.outcome == "length" and second.outcome == "ok"
    assert "cut off by the length limit" in second.messages[1]["content"]


def test_answers_cut_every_time_end_in_named_gaps(standin: str) -> None:
    tap, result = _run(standin, _marked("len-all", "length", None))
    assert isinstance(result, ArticleExtraction)
    assert result.gaps and all("max_tokens" in g.reason for g in result.gaps)
    assert _items(result) < 4
    assert 2 <= len(tap.of("len-all")) <= 2 * 5  # every round finishes at least one list


def test_a_server_that_cuts_at_max_tokens_gets_continuations(standin: str) -> None:
    # No injected fault: the stand-in cuts any answer longer than max_tokens, as servers do.
    tap, result = _run(standin, _marked("cap", "none", None), max_tokens=60)
    assert isinstance(result, ArticleExtraction)
    attempts = tap.of("cap")
    assert len(attempts) > 1 and attempts[0].outcome == "length"
    lost = {k for g in result.gaps for k in g.kinds}
    for kind in ("positions", "commitments", "open_questions", "facts"):
        assert getattr(result, kind) or kind in lost, kind  # each list is there, or named


def test_retry_after_is_honoured_and_capped() -> None:
    url, stop = start_server(latency=0.0, retry_after=0.6, process=True)
    try:
        article = _marked("ra", "429", 1)
        tap, result = _run(url, article, transport_max_wait=2.0)
        assert isinstance(result, ArticleExtraction)
        first, second = tap.of("ra")
        # Backoff alone waits at most 0.5 s on the first retry; the server asked for 0.6 s.
        assert second.at - first.at >= 0.6
        capped = _marked("ra-capped", "429", 1)
        tap, result = _run(url, capped, transport_max_wait=0.05)
        first, second = tap.of("ra-capped")
        assert second.at - first.at < 0.5  # Retry-After never waits past transport_max_wait
    finally:
        stop()


def test_unreachable_server_is_a_named_error_fast() -> None:
    url, stop = start_server(process=True)
    stop()  # nothing listens there now
    started = time.monotonic()
    tap = Tap({})
    with sync_client(fault_settings(url), tap) as client:
        with pytest.raises(ModelError, match="cannot reach the model server"):
            brief([_marked("x", "500", None)], client=client)
    assert len(tap.attempts) == 5 and {a.outcome for a in tap.attempts} == {"APIConnectionError"}
    assert time.monotonic() - started < 5


class _CutShort(BaseHTTPRequestHandler):
    """Answers the first request with half its body (Content-Length says more), then closes;
    later requests get the whole answer. (The stand-in's own 'truncate' does the same.)"""

    served = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        answer = json.dumps(completion(body, json.dumps(draft_for(article_of(body))))).encode()
        type(self).served += 1
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        if type(self).served == 1:
            self.wfile.write(answer[: len(answer) // 2])
            self.close_connection = True
        else:
            self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_body_cut_short_is_a_transport_error_and_retried() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CutShort)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        tap, result = _run(url, Article(id="cut", text=article_text(5)))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert isinstance(result, ArticleExtraction) and _items(result) == 4
    assert [a.outcome for a in tap.of("cut")] == ["APIConnectionError", "ok"]
    assert tap.attempts[0].messages == tap.attempts[1].messages


# --------------------------------------------------------------------------------------------
# 200 articles, 30 % of requests failing in every way, through the batch runner.
# --------------------------------------------------------------------------------------------

EVENTS, PER_EVENT = 20, 10
ARTICLES = EVENTS * PER_EVENT
ERROR_RATE, SEED = 0.3, 6
BATCH_MAX_WAIT = 0.25  # total-time cap 4 x 0.25 + 1.0 = 2 s: one timed-out request is retried


@dataclass(frozen=True)
class Planned:
    """A fault planned for one article: ``kind`` for its first ``times`` requests (None: all)."""

    kind: str
    times: int | None

    @property
    def marker(self) -> str:
        return f"STANDIN-FAULT: {self.kind}" + (f"x{self.times}" if self.times else "")

    def expected(self) -> tuple[str, int, int]:
        """(outcome, requests, faults): outcome is 'ok', 'salvaged' or 'failed'."""
        if self.kind == "length":
            return "salvaged", 0, 0  # continued: 0 = as many as the cuts take (checked apart)
        if self.kind == "bad_quote":
            return "salvaged", 1, 1  # the items are dropped at grounding, never re-asked
        if self.kind in VALIDATION:
            n = self.times if self.times is not None else 3  # max_retries=2: three attempts
            if self.times is not None:
                return "ok", n + 1, n
            return ("failed" if self.kind == "invalid_json" else "salvaged"), n, n
        limit = 2 if self.kind == "timeout" else 5  # total-time cap, or transport_attempts
        n = self.times if self.times is not None else limit
        if n >= limit:
            return "failed", limit, limit
        return "ok", n + 1, n


def fault_plan(seed: int = SEED) -> dict[str, Planned]:
    """A seeded plan: 27 % of articles meet faults (1-2 in a row, a few for good), so that
    about 30 % of all requests fail."""
    rng = random.Random(seed)
    plan: dict[str, Planned] = {}
    for e in range(EVENTS):
        for k in range(PER_EVENT):
            if rng.random() < 0.27:
                times = rng.choices([1, 2, None], weights=[10, 6, 1])[0]
                plan[f"e{e:02d}-a{k:02d}"] = Planned(rng.choice(FAULTS), times)
    return plan


@dataclass
class FaultRun:
    texts: dict[str, str]
    tap: Tap
    stats: dict[str, int]
    reports: dict[str, list[Any]]  # article id -> its reports (must be exactly one)
    manifest: list[dict[str, Any]]
    output: Path
    seconds: float

    def status(self, article: str) -> str:
        return str(self.reports[article][0].status)


def _fault_batch(root: Path, plan: dict[str, Planned], **server: Any) -> FaultRun:
    texts = make_corpus(root / "events", EVENTS, PER_EVENT)
    for name, planned in plan.items():
        texts[name] += planned.marker + "\n"
        (root / "events" / f"event-{name[1:3]}" / f"{name}.txt").write_text(texts[name], "utf-8")
    url, stop = start_server(latency=0.005, retry_after=0.02, hang=5.0, process=True, **server)
    tap = Tap(texts)
    settings = fault_settings(url, transport_max_wait=BATCH_MAX_WAIT)

    async def batch() -> BatchResult:
        async with async_client(settings, tap) as client:
            return await arun_batch(
                root / "events", output=root / "out", client=client, consolidate=False
            )

    started = time.monotonic()
    try:
        result = asyncio.run(batch())
        stats = _server_stats(url)
    finally:
        stop()
    reports: dict[str, list[Any]] = {}
    for event in result.events:
        for report in event.articles:
            reports.setdefault(report.id, []).append(report)
    manifest = [json.loads(x) for x in (root / "out" / "run.jsonl").read_text().splitlines()]
    seconds = time.monotonic() - started
    return FaultRun(texts, tap, stats, reports, manifest, root / "out", seconds)


def _server_stats(url: str) -> dict[str, int]:
    import urllib.request

    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats", timeout=5) as response:
        data: dict[str, int] = json.loads(response.read())
    return data


@pytest.fixture(scope="module")
def planned_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """Faults planned per article (deterministic whatever the arrival order)."""
    return _fault_batch(tmp_path_factory.mktemp("planned"), fault_plan())


@pytest.fixture(scope="module")
def random_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """30 % of requests fail, drawn by the server from its seeded mix of every kind."""
    return _fault_batch(tmp_path_factory.mktemp("random"), {}, error_rate=ERROR_RATE, seed=SEED)


@pytest.fixture(params=["planned", "random"])
def fault_run(request: pytest.FixtureRequest) -> FaultRun:
    run: FaultRun = request.getfixturevalue(f"{request.param}_run")
    return run


def test_batch_under_faults_loses_and_duplicates_nothing(fault_run: FaultRun) -> None:
    run = fault_run
    assert sorted(run.reports) == sorted(run.texts)  # every article reported ...
    assert all(len(r) == 1 for r in run.reports.values())  # ... exactly once
    statuses = Counter(run.status(a) for a in run.reports)
    assert statuses["done"] + statuses["failed"] == ARTICLES
    for reports in run.reports.values():
        if reports[0].status == "failed":
            assert reports[0].error and "\n" not in reports[0].error
    last = run.manifest[-1]
    assert last["kind"] == "run" and last["articles"] == ARTICLES and not last["interrupted"]
    assert last["done"] + last["failed"] == ARTICLES
    assert len([m for m in run.manifest if m["kind"] == "event"]) == EVENTS


def test_batch_briefings_account_for_every_article(fault_run: FaultRun) -> None:
    for n in range(EVENTS):
        briefing = json.loads((fault_run.output / f"event-{n:02d}.json").read_text("utf-8"))
        ids = {f"e{n:02d}-a{k:02d}" for k in range(PER_EVENT)}
        extracted = {s["id"] for s in briefing["sources"]} - set(briefing["missing_sources"])
        failed = {f["source"] for f in briefing["failures"]}
        assert extracted | failed == ids and not extracted & failed
        assert failed == {a for a in ids if fault_run.status(a) == "failed"}
        for kind in ("positions", "commitments", "open_questions", "facts"):
            for item in briefing[kind]:
                for ev in item["evidence"]:  # grounded in its own article, at its offsets
                    assert fault_run.texts[ev["source"]][ev["start"] : ev["end"]] == ev["quote"]


def test_batch_never_puts_a_transport_error_into_a_prompt(fault_run: FaultRun) -> None:
    prompts = json.dumps([a.messages for a in fault_run.tap.attempts])
    assert not _transport_words(prompts), "a transport error reached a prompt"


def test_planned_faults_end_exactly_as_planned(planned_run: FaultRun) -> None:
    plan = fault_plan()
    injected: Counter[str] = Counter()
    for article in planned_run.texts:
        planned = plan.get(article)
        outcome, requests, faults = planned.expected() if planned else ("ok", 1, 0)
        seen = len(planned_run.tap.of(article))
        if planned and planned.kind == "length":
            assert 2 <= seen <= 2 * 5, (article, planned)
            requests, faults = seen, min(planned.times or seen, seen)
        assert seen == requests, (article, planned)
        want = "failed" if outcome == "failed" else "done"
        assert planned_run.status(article) == want, (article, planned)
        if planned:
            injected[planned.kind] += faults
    stats = planned_run.stats
    assert {k: stats.get(k, 0) for k in FAULTS} == {k: injected[k] for k in FAULTS}
    assert stats["requests"] == len(planned_run.tap.attempts)
    assert 0.25 < sum(injected.values()) / stats["requests"] < 0.35
    _print_figures("planned", planned_run)


def test_random_faults_of_every_kind_are_all_met(random_run: FaultRun) -> None:
    stats, attempts = random_run.stats, random_run.tap.attempts
    injected = {k: stats.get(k, 0) for k in FAULTS}
    assert all(injected[k] > 0 for k in FAULTS), injected
    assert 0.2 < sum(injected.values()) / stats["requests"] < 0.4
    # The tap saw every request the server got, each fault as the client meets it; on a busy
    # machine a healthy answer may also reach the client after its timeout (counted as one).
    seen = Counter(a.outcome for a in attempts)
    assert seen["RateLimitError"] == injected["429"]
    assert seen["InternalServerError"] == injected["500"] + injected["502"] + injected["503"]
    assert seen["APIConnectionError"] == injected["drop"] + injected["truncate"]
    assert seen["JSONDecodeError"] == injected["bad_body"]
    for kind in (*VALIDATION, "length"):
        assert seen[kind] == injected[kind]
    assert seen["APITimeoutError"] >= injected["timeout"]
    assert len(attempts) - seen["APITimeoutError"] == stats["requests"] - injected["timeout"]
    _print_figures("random", random_run)


def _print_figures(name: str, run: FaultRun) -> None:
    injected = {k: run.stats.get(k, 0) for k in FAULTS}
    faults_on = Counter(a.article for a in run.tap.attempts if a.outcome != "ok")
    done = {a for a in run.reports if run.status(a) == "done"}
    survived = sum(n for article, n in faults_on.items() if article in done)
    print(
        f"\n{name} fault run: {ARTICLES} articles in {run.seconds:.1f}s, "
        f"{run.stats['requests']} requests, {sum(injected.values())} faults injected "
        f"{injected}; {len(faults_on)} articles met a fault: {len(set(faults_on) & done)} "
        f"extracted, {len(set(faults_on) - done)} recorded failures; {survived} faults survived;"
        f" lost {ARTICLES - len(run.reports)}, duplicated "
        f"{sum(len(r) - 1 for r in run.reports.values())}"
    )
    for article in sorted(run.reports):
        if article not in done:
            print(f"  failed {article}: {run.reports[article][0].error}")
