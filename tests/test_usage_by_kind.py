"""Every output says what the model calls cost, by kind: extraction, re-asks, summary, merge;
with cached prompt tokens where the server reports them."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletion

from summarizer.config import Settings
from summarizer.ingest import Article
from summarizer.pipeline import brief
from summarizer.render import to_markdown
from summarizer.schema import Usage
from tests.conftest import fake_client
from tests.fakes import ScriptedModel, completion, merge_answer
from tests.test_extract import ARTICLE, draft


def _cached(answer: dict[str, Any], cached: int) -> ChatCompletion:
    made = completion(__import__("json").dumps(answer))
    data = made.model_dump()
    data["usage"]["prompt_tokens_details"] = {"cached_tokens": cached}
    return ChatCompletion.model_validate(data)


def test_usage_adds_up_by_kind() -> None:
    a = Usage(prompt_tokens=10, completion_tokens=5, calls=1).as_kind("extraction")
    b = Usage(prompt_tokens=7, cached_tokens=4, completion_tokens=3, calls=1).as_kind("merge")
    total = a + b + a
    assert (total.prompt_tokens, total.cached_tokens, total.calls) == (27, 4, 3)
    assert total.by_kind["extraction"].calls == 2 and total.by_kind["merge"].cached_tokens == 4
    assert total.by_kind["extraction"].by_kind == {}


def test_a_briefing_counts_each_kind_of_call(settings: Settings) -> None:
    bad = draft()
    bad["commitments"][0]["status"] = "maybe"  # not a status: the answer is re-asked once
    script = iter([bad])

    def answer(kwargs: dict[str, Any]) -> Any:
        if kwargs["tools"][0]["function"]["name"] == "Disagreements":
            return _cached({"disagreements": []}, cached=30)
        return merge_answer(kwargs, label=lambda _: "x") or next(script, None) or draft()

    model = ScriptedModel(answer, repeat_last=True)
    other = Article(id="second", text=ARTICLE.text.replace("Harbor talks", "Harbour talks"))
    result = brief([ARTICLE, other], client=fake_client(settings, model))
    kinds = result.usage.by_kind
    assert set(kinds) == {"extraction", "reask", "merge", "summary"}
    assert kinds["extraction"].calls == 2 and kinds["reask"].calls == 1
    assert kinds["summary"].calls == 1 and kinds["merge"].cached_tokens == 30
    assert sum(u.calls for u in kinds.values()) == result.usage.calls == len(model.requests)
    assert "Model usage: extraction 2 calls" in to_markdown(result)
