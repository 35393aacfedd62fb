"""ModelClient's TOOLS-mode path (instructor's handlers driven directly) against the
``instructor.patch(create=...)`` path it replaces: the create function must receive the very
same kwargs, byte for byte, so that recorded request hashes (``summarizer.model.recording``) and
re-asks do not change; and the outcome (value, salvage, errors) must be the same.
"""

from __future__ import annotations

import asyncio
import gc
import json
import textwrap
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import instructor
import openai
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import BaseModel

import summarizer.model.backends as client_module
from summarizer.config import Settings
from summarizer.errors import ModelError
from summarizer.extract.extraction import aextract, build_messages, extract
from summarizer.ingest.articles import Article
from summarizer.model.backends import OpenAIClients, _plain, client_from_functions, make_client
from summarizer.model.client import ModelClient, as_data
from summarizer.model.instructor_fast import rendered as _rendered
from summarizer.model.instructor_fast import tools_kit
from summarizer.model.recording import request_hash
from summarizer.model.usage import Structured
from summarizer.schema import ArticleDraft
from tests.fakes import ScriptedModel, completion
from tests.test_extract import ARTICLE, TEXT, draft

BAD = draft(quote="Voronov promised eternal peace to everyone")


class Capture(ScriptedModel):
    """A scripted model that snapshots every request's kwargs *when it is sent* (instructor's
    re-ask handler extends the previous request's message list in place afterwards)."""

    def __init__(self, *answers: Any, repeat_last: bool = False) -> None:
        super().__init__(*answers, repeat_last=repeat_last)
        self.sent: list[str] = []
        self.hashes: list[str] = []

    def _next(self, kwargs: dict[str, Any]) -> Any:
        self.sent.append(json.dumps(kwargs, ensure_ascii=False))  # key order kept
        self.hashes.append(request_hash(kwargs))
        return super()._next(kwargs)


def _messages(article: Article = ARTICLE) -> list[dict[str, str]]:
    return build_messages(article, article.prompt_text, 1, 1)


def _context(article: Article = ARTICLE) -> dict[str, Any]:
    return {"article_text": article.text}


def _both(
    settings: Settings,
    answers: list[Any],
    messages: list[dict[str, str]],
    context: dict[str, Any] | None,
    *,
    response_model: type[BaseModel] = ArticleDraft,
    run_async: bool = False,
) -> tuple[tuple[Capture, Any], tuple[Capture, Any]]:
    """Run the same call through the fast path and through instructor.patch; return each
    path's capture and its result (or the exception it raised)."""
    out = []
    for fast in (True, False):
        model = Capture(*answers)
        client = client_from_functions(settings, model.create, model.acreate)
        assert client._create is not None and client._acreate is not None
        try:
            if fast:
                assert client._tools_call(response_model, messages, context, is_async=False)
                if run_async:
                    result: Any = asyncio.run(
                        client.astructured(response_model, messages, context=context)
                    )
                else:
                    result = client.structured(response_model, messages, context=context)
            elif run_async:
                result = asyncio.run(
                    client._apatched(client._acreate, response_model, messages, context)
                )
            else:
                result = client._patched(client._create, response_model, messages, context)
        except Exception as exc:  # compared below
            result = exc
        out.append((model, result))
    return out[0], out[1]


def _same_outcome(fast: Any, patched: Any) -> None:
    if isinstance(patched, Exception):
        assert type(fast) is type(patched) and str(fast) == str(patched)
        assert getattr(fast, "raw_output", None) == getattr(patched, "raw_output", None)
        return
    assert isinstance(fast, Structured) and isinstance(patched, Structured)
    # instructor's wrapper class of the response model (a new one per patched call), or the
    # response model itself after salvage, on both paths
    assert type(fast.value).__name__ == type(patched.value).__name__
    assert (type(fast.value) is ArticleDraft) == (type(patched.value) is ArticleDraft)
    assert fast.value.model_dump() == patched.value.model_dump()
    assert fast.salvage_reason == patched.salvage_reason
    assert fast.dropped == patched.dropped


# --------------------------------------------------------------------------------------------
# The kwargs the create function receives
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("run_async", [False, True])
def test_first_request_is_byte_for_byte_instructors(settings: Settings, run_async: bool) -> None:
    (fast, fast_result), (patched, patched_result) = _both(
        settings, [draft()], _messages(), _context(), run_async=run_async
    )
    assert len(fast.sent) == len(patched.sent) == 1
    assert fast.sent == patched.sent and fast.hashes == patched.hashes
    sent = json.loads(fast.sent[0])
    assert list(sent) == [
        "model", "messages", "temperature", "max_tokens", "seed", "tools", "tool_choice"
    ]  # fmt: skip
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "ArticleDraft"}}
    _same_outcome(fast_result, patched_result)
    assert fast_result.usage.calls == 1 and fast_result.usage.prompt_tokens == 100


@pytest.mark.parametrize("run_async", [False, True])
def test_reask_is_byte_for_byte_instructors(settings: Settings, run_async: bool) -> None:
    (fast, fast_result), (patched, patched_result) = _both(
        settings, [BAD, draft()], _messages(), _context(), run_async=run_async
    )
    assert len(fast.sent) == len(patched.sent) == 2
    assert fast.sent == patched.sent and fast.hashes == patched.hashes
    reask = json.loads(fast.sent[1])["messages"][2:]
    assert [m["role"] for m in reask] == ["assistant", "tool"]
    assert reask[0]["tool_calls"][0]["function"]["name"] == "ArticleDraft"
    assert reask[1]["tool_call_id"] == "call_1" and reask[1]["name"] == "ArticleDraft"
    assert "does not appear in the article" in reask[1]["content"]
    assert reask[1]["content"].endswith("Recall the function correctly, fix the errors")
    _same_outcome(fast_result, patched_result)
    # Tokens of both attempts, as before; the calls are now counted (the patched path said 1).
    assert fast_result.usage.prompt_tokens == patched_result.usage.prompt_tokens == 200
    assert fast_result.usage.calls == 2


def test_salvage_after_every_reask_failed_matches(settings: Settings) -> None:
    many = Settings.resolve(**{**settings.__dict__, "max_retries": 2})
    (fast, fast_result), (patched, patched_result) = _both(
        many, [BAD, BAD, BAD], _messages(), _context()
    )
    assert len(fast.sent) == len(patched.sent) == 3
    assert fast.sent == patched.sent
    _same_outcome(fast_result, patched_result)
    assert fast_result.salvage_reason and fast_result.usage.calls == 3
    flat = {"by_kind": {}}  # instructor's patched path reports one total for all attempts
    assert fast_result.usage.model_copy(update=flat) == patched_result.usage.model_copy(
        update=flat
    )
    # The fast path sorts the attempts: the call itself, then its re-asks.
    assert {k: u.calls for k, u in fast_result.usage.by_kind.items()} == {"other": 1, "reask": 2}


@pytest.mark.parametrize(
    "answers",
    [
        ["I cannot help with that", "still no json"],  # no JSON: re-asked, then a ModelError
        [json.dumps(draft())[:200], json.dumps(draft())[:300]],  # cut short: salvaged
        [BAD, AssertionError("the server went away")],  # the re-ask fails: salvage the first
        [AssertionError("no answer at all")],
        [{"actors": "not a list"}, draft()],
    ],
)
def test_failures_match(settings: Settings, answers: list[Any]) -> None:
    (fast, fast_result), (patched, patched_result) = _both(
        settings, answers, _messages(), _context()
    )
    assert fast.sent == patched.sent
    _same_outcome(fast_result, patched_result)


def test_without_context_and_without_seed(settings: Settings) -> None:
    hosted = Settings.resolve(**{**settings.__dict__, "base_url": None, "api_key": "sk-x"})
    messages = [{"role": "system", "content": "  Be brief.\n"}, {"role": "user", "content": "Hi"}]
    invalid = {"actors": "not a list"}
    (fast, _), (patched, _) = _both(hosted, [invalid, draft()], messages, None)
    assert fast.sent == patched.sent and len(fast.sent) == 2
    assert "seed" not in json.loads(fast.sent[0])


def test_length_goes_straight_to_salvage(settings: Settings) -> None:
    cut = json.dumps(draft())
    cut = cut[: cut.index('"open_questions"') + 60]
    answer = completion(cut, finish="length")
    (fast, fast_result), (patched, patched_result) = _both(
        settings, [answer, answer], _messages(), _context()
    )
    assert len(fast.sent) == len(patched.sent) == 1  # not re-asked
    _same_outcome(fast_result, patched_result)
    assert len(fast_result.value.commitments) == 1
    assert fast_result.usage.prompt_tokens == 100  # counted now (the patched path lost it)


HOSTILE = [
    "{{ 7*7 }} and {% if x %}y{% endif %} and {{cite web|url=x}} {# note",
    "Line one\r\nLine two\rLine three\n\n\n",
    "    indented\n    all\n      the way\n",
    "\tTabbed\n\tlines\n  \n\t\n",
    "trailing spaces   \n   \nend",
    "unicode \u2028 separator \u00a0 nbsp \u2003 em space\n",
    "",
    "\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_instructor_renders_it(settings: Settings, text: str) -> None:
    messages = [{"role": "system", "content": "Rules."}, {"role": "user", "content": text}]
    (fast, _), (patched, _) = _both(settings, [draft()], messages, _context())
    assert fast.sent == patched.sent


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\r\n{}%#ab\u2028\u00a0")), max_size=40))
def test_rendering_equals_instructors_templating(text: str) -> None:
    from instructor.v2.core.templating import apply_template  # type: ignore[attr-defined]

    messages = [{"role": "user", "content": text}]
    context = {"article_text": "x"}
    templated, full = as_data(messages, context)
    assert full is not None
    expected = apply_template(templated[0]["content"], full)
    rendered = _rendered(messages, context)
    assert rendered is not None and rendered[0]["content"] == expected
    assert expected == textwrap.dedent(expected)


def test_other_modes_and_models_keep_the_patched_path(settings: Settings) -> None:
    model = ScriptedModel()
    tools = client_from_functions(settings, model.create, model.acreate)
    schema = client_from_functions(settings, model.create, model.acreate, mode="json_schema")
    messages, context = _messages(), _context()
    assert tools._tools_call(ArticleDraft, messages, context, is_async=False) is not None
    assert schema._tools_call(ArticleDraft, messages, context, is_async=False) is None
    listed: Any = list[ArticleDraft]
    assert tools._tools_call(listed, messages, context, is_async=False) is None
    parts = [{"role": "user", "content": [{"type": "text", "text": "x"}]}]
    assert tools._tools_call(ArticleDraft, parts, None, is_async=False) is None  # type: ignore[arg-type]


def test_the_tool_definition_is_prepared_once_and_never_changed(settings: Settings) -> None:
    kit = tools_kit()
    assert kit is not None
    plan = kit.plan(ArticleDraft)
    before = json.dumps([plan.tools, plan.tool_choice])
    model = ScriptedModel(draft(), repeat_last=True)
    client = client_from_functions(settings, model.create, model.acreate)
    for _ in range(3):
        extract(ARTICLE, client)
    assert kit.plan(ArticleDraft) is plan
    assert json.dumps([plan.tools, plan.tool_choice]) == before
    model.requests[0]["tools"][0]["function"]["name"] = "mutated by a backend"
    assert json.dumps([plan.tools, plan.tool_choice]) == before


def test_extract_results_are_unchanged(settings: Settings) -> None:
    fast_model = ScriptedModel(BAD, draft())
    fast = extract(ARTICLE, client_from_functions(settings, fast_model.create))
    patched_model = ScriptedModel(BAD, draft())
    patched = client_from_functions(settings, patched_model.create)
    patched.mode = "json"  # any other mode takes the patched path; TOOLS kwargs kept below
    assert patched._send is not None
    patched._create = instructor.patch(create=patched._send, mode=instructor.Mode.TOOLS)
    slow = extract(ARTICLE, patched)
    assert fast.model_dump(exclude={"usage"}) == slow.model_dump(exclude={"usage"})
    evidence = [ev for item in [*fast.commitments, *fast.open_questions] for ev in item.evidence]
    assert evidence and all(TEXT[ev.start : ev.end] == ev.quote for ev in evidence)


# --------------------------------------------------------------------------------------------
# The OpenAI backend: what goes on the wire, aiohttp, closing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("run_async", [False, True])
def test_plain_requests_send_what_create_sends(settings: Settings, run_async: bool) -> None:
    """``OpenAIClients`` posts plain requests without the SDK's transform: the same request."""
    sent: list[tuple[str, str, dict[str, str], Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k != "content-length"}
        sent.append((request.method, str(request.url), headers, json.loads(request.content)))
        return httpx.Response(200, json=completion(json.dumps(draft())).model_dump(mode="json"))

    model = Capture(BAD, draft())  # the first request and a re-ask
    client_from_functions(settings, model.create).structured(
        ArticleDraft, _messages(), context=_context()
    )
    clients = OpenAIClients(Settings.resolve(**{**settings.__dict__, "api_key": "sk-x"}), "x")
    options = {"api_key": "sk-x", "base_url": settings.base_url, "max_retries": 0}
    for request in model.sent:
        kwargs = json.loads(request)
        assert _plain(kwargs)
        if run_async:

            async def both(kwargs: dict[str, Any] = kwargs) -> tuple[Any, Any]:
                transport = httpx.MockTransport(handler)
                http = httpx.AsyncClient(transport=transport)
                async with openai.AsyncOpenAI(**options, http_client=http) as sdk:
                    want = await sdk.chat.completions.create(**kwargs)
                    clients._async[asyncio.get_running_loop()] = sdk
                    got = await clients.acreate(**kwargs)
                    clients._async.clear()
                    return want, got

            want, got = asyncio.run(both())
        else:
            http = httpx.Client(transport=httpx.MockTransport(handler))
            with openai.OpenAI(**options, http_client=http) as sdk:
                want = sdk.chat.completions.create(**kwargs)
                clients._client = sdk
                got = clients.create(**kwargs)
        assert sent[-2][:2] == sent[-1][:2] and sent[-2][3] == sent[-1][3]
        assert sent[-2][2] == sent[-1][2]  # headers, auth included
        assert sent[-1][3] == kwargs
        assert type(got) is type(want) and got == want
    assert len(sent) == 4 and sent[2][3]["messages"][-1]["role"] == "tool"
    assert not _plain({**json.loads(model.sent[0]), "stream": True})


@pytest.fixture
def standin() -> Iterator[str]:
    from benchmarks.standin_server import start_server

    url, stop = start_server(latency=0.002, retry_after=0.02, hang=5.0)
    yield url
    stop()


def _live(url: str, **changes: Any) -> ModelClient:
    return make_client(
        Settings.resolve(
            **{
                "backend": "openai",
                "model": "standin",
                "base_url": url,
                "mode": "tools",
                "max_retries": 1,
                "transport_attempts": 4,
                "transport_max_wait": 0.05,
                "timeout": 1.0,
                **changes,
            }
        )
    )


def _article(n: int, fault: str = "") -> Article:
    from benchmarks.bench_batch import article_text

    marker = f"STANDIN-FAULT: {fault}\n" if fault else ""
    return Article(id=f"a{n}", text=article_text(n) + marker)


@pytest.mark.parametrize("fault", ["", "429x1", "500x2", "dropx1", "truncatex1", "timeoutx1",
                                   "bad_bodyx1", "schema_invalidx1", "length"])  # fmt: skip
def test_aiohttp_backend_survives_faults_and_closes(standin: str, fault: str) -> None:
    client = _live(standin)
    closer = client._closer
    assert isinstance(closer, client_module.OpenAIClients)

    async def run() -> tuple[Any, list[Any]]:
        try:
            result = await aextract(_article(1, fault), client)
            opened = list(closer._async.values())
        finally:
            await client.aclose()
        return result, opened

    result, opened = asyncio.run(run())
    assert result.positions or result.commitments or result.facts
    assert len(opened) == 1 and opened[0].is_closed() and not closer._async
    if client_module.USE_AIOHTTP:
        assert type(opened[0]._client).__name__ == "_InstalledAioHttpClient"
    assert closer._client.is_closed()


def test_one_client_serves_several_event_loops(standin: str) -> None:
    client = _live(standin)
    closer = client._closer
    assert isinstance(closer, client_module.OpenAIClients)
    opened = []
    for n in range(2):  # each asyncio.run is a new loop: a new async SDK client for it

        async def one(n: int = n) -> Any:
            result = await aextract(_article(n), client)
            opened.extend(closer._async.values())
            return result

        assert asyncio.run(one()).facts
        # never closed by hand: asyncio.run closed it as its loop shut down
        assert opened[-1].is_closed()
    assert len(set(map(id, opened))) == 2
    assert extract(_article(3), client).facts  # and the sync one
    client.close()
    asyncio.run(client.aclose())  # idempotent
    gc.collect()  # no warning about an unclosed session or socket (warnings are errors here)


def test_a_dropped_client_closes_its_session(standin: str) -> None:
    async def run() -> Any:
        client = _live(standin)
        assert (await aextract(_article(5), client)).facts
        closer = client._closer
        assert isinstance(closer, client_module.OpenAIClients)
        sdk = next(iter(closer._async.values()))
        del client, closer
        gc.collect()
        await asyncio.sleep(0.05)  # the loop finalizes the dropped guard, which closes it
        return sdk

    assert asyncio.run(run()).is_closed()


def test_persistent_outage_is_still_a_named_error(standin: str) -> None:
    client = _live(standin, transport_attempts=2)
    with pytest.raises(ModelError, match="answered HTTP 503"):
        asyncio.run(aextract(_article(4, "503"), client))
    client.close()
