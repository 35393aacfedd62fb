"""What a run will cost before it runs: articles, calls, prompt and completion tokens, and
(given prices) the cost live and through a Batch API.

Prompt tokens are counted on the exact requests the pipeline would send (system prompt, tool
schema, each part of each article), with :func:`summarizer.model.backends.token_counter`.
Completion tokens, and the merge and summary calls, cannot be counted before the model
answers; they are predicted from the capable-model recordings (``eval/recordings/capable-llm``:
14 extraction answers over three events; ``python benchmarks/bench_estimate.py`` derives the
constants from them again, and checks an estimate against the recorded calls; a test keeps
the two in step):

* an extraction answer: :data:`ANSWER_BASE` + :data:`ANSWER_PER_ARTICLE_TOKEN` x the tokens
  of its request's user message (a least-squares line: answers ran 1,240-2,387 tokens);
* per event, the merge's calls (4 item kinds, the actors, the disagreements) take
  :data:`MERGE_PROMPT_RATIO` x the event's extraction answer tokens as prompt and
  :data:`MERGE_COMPLETION_RATIO` x as completion; the summary :data:`SUMMARY_PROMPT_RATIO` x
  as prompt and :data:`SUMMARY_COMPLETION` tokens.

Continuations (answers cut at ``max_tokens``) and re-asks are not predicted: with the default
cap none happened in the recordings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import ModelError
from summarizer.extract.extraction import extract
from summarizer.ingest import Article, load_articles
from summarizer.model.backends import answered_client

ANSWER_BASE = 1031.0
ANSWER_PER_ARTICLE_TOKEN = 0.806
MERGE_CALLS = 6
MERGE_PROMPT_RATIO = 1.376
MERGE_COMPLETION_RATIO = 0.366
SUMMARY_PROMPT_RATIO = 0.275
SUMMARY_COMPLETION = 365
#: The Batch API's price against the live one (OpenAI: half; vLLM's offline runner: free).
BATCH_PRICE_FACTOR = 0.5


@dataclass
class Part:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, calls: int, prompt: float, completion: float) -> None:
        self.calls += calls
        self.prompt_tokens += round(prompt)
        self.completion_tokens += round(completion)


@dataclass
class Estimate:
    articles: int = 0
    events: int = 0
    characters: int = 0
    article_tokens: int = 0
    counted_with: str = ""
    by_kind: dict[str, Part] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def total(self) -> Part:
        out = Part()
        for part in self.by_kind.values():
            out.add(part.calls, part.prompt_tokens, part.completion_tokens)
        return out

    def cost(self, price_in: float, price_out: float) -> tuple[float, float]:
        """(live, Batch API) cost for prices per million prompt and completion tokens."""
        t = self.total()
        live = (t.prompt_tokens * price_in + t.completion_tokens * price_out) / 1_000_000
        return live, live * BATCH_PRICE_FACTOR

    def as_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "events": self.events,
            "characters": self.characters,
            "article_tokens": self.article_tokens,
            "counted_with": self.counted_with,
            "by_kind": {k: vars(v) for k, v in self.by_kind.items()},
            "total": vars(self.total()),
            "unreadable": self.unreadable,
        }


def _requests(article: Article, settings: Settings) -> list[dict[str, Any]]:
    """The extraction requests for ``article``, exactly as sent (no model is called: every
    request gets an empty answer)."""
    sent: list[dict[str, Any]] = []
    client = answered_client(settings, {}, misses=sent, on_miss="empty")
    try:
        extract(article, client)
    except ModelError:
        pass
    return sent


def estimate(
    events: Sequence[Sequence[Path]],
    *,
    settings: Settings,
    count: Callable[[str], int],
    counted_with: str,
    consolidate: bool = True,
    summary: bool = True,
) -> Estimate:
    """Estimate a run over ``events`` (each a list of article files or folders)."""
    out = Estimate(counted_with=counted_with, events=len(events))
    kinds = {"extraction": Part(), "merge": Part(), "summary": Part()}
    for paths in events:
        loaded = load_articles(list(paths))
        out.unreadable += [f"{e.path}: {e.problem}" for e in loaded.errors]
        answers = 0.0
        for article in loaded.articles:
            out.articles += 1
            out.characters += len(article.text)
            for request in _requests(article, settings):
                text = "".join(str(m.get("content") or "") for m in request["messages"])
                tools = json.dumps(request.get("tools", []), separators=(",", ":"))
                user = str(request["messages"][-1].get("content") or "")
                part_tokens = count(user)
                out.article_tokens += part_tokens
                answer = ANSWER_BASE + ANSWER_PER_ARTICLE_TOKEN * part_tokens
                answers += answer
                kinds["extraction"].add(1, count(text) + count(tools), answer)
        if consolidate and len(loaded.articles) > 1:
            kinds["merge"].add(
                MERGE_CALLS, MERGE_PROMPT_RATIO * answers, MERGE_COMPLETION_RATIO * answers
            )
        if summary and loaded.articles:
            kinds["summary"].add(1, SUMMARY_PROMPT_RATIO * answers, SUMMARY_COMPLETION)
    out.by_kind = {k: v for k, v in kinds.items() if v.calls}
    return out
