"""Recordings keep the model's quotes as offsets into the request's article, never its text."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.model.recording import Recordings, article_block
from summarizer.model.usage import call_tag
from tests.fakes import completion

ARTICLE = (
    "Admiral Ilse Brandt said on Tuesday that the frigates would leave the strait within ten "
    "days. Talks resume in Corvenna."
)
QUOTE = "the frigates would leave the strait within ten days"


def _request(article: str = ARTICLE) -> dict[str, object]:
    user = f"Record this.\nArticle id: a1\n\n<article>\n{article}\n</article>\n"
    return {"model": "m", "messages": [{"role": "system", "content": "rules"},
                                       {"role": "user", "content": user}]}  # fmt: skip


def _answer() -> str:
    return json.dumps(
        {
            "facts": [
                {"topic": "when the frigates leave", "value": "within ten days", "quote": QUOTE}
            ],
            "actors": [{"name": "Ilse Brandt"}],
        }  # fmt: skip
    )


def test_quotes_are_stored_as_offsets_and_restored_exactly(tmp_path: Path) -> None:
    recordings = Recordings(tmp_path, "m")
    token = call_tag.set("case/a1 part 1/1")
    try:
        path = recordings.save(_request(), completion(_answer()))
    finally:
        call_tag.reset(token)
    stored = path.read_text("utf-8")
    assert QUOTE not in stored and "$article" in stored
    assert "Ilse Brandt" in stored  # short strings (names, values) stay as they are
    replayed = recordings.load(_request())
    arguments = replayed.choices[0].message.tool_calls[0].function.arguments
    assert json.loads(arguments) == json.loads(_answer())


def test_a_string_not_in_the_article_is_kept_and_cut_output_is_left_alone(
    tmp_path: Path,
) -> None:
    recordings = Recordings(tmp_path, "m")
    invented = _answer().replace(QUOTE, "a sentence that the article never contained")
    stored = recordings.save(_request(), completion(invented)).read_text("utf-8")
    assert "a sentence that the article never contained" in stored
    cut = _answer()[:70]  # not JSON: kept verbatim
    stored = recordings.save(_request(), completion(cut, finish="length")).read_text("utf-8")
    replayed = recordings.load(_request())
    assert replayed.choices[0].message.tool_calls[0].function.arguments == cut


def test_the_article_block_is_the_text_between_the_tags() -> None:
    assert article_block(_request()) == f"\n{ARTICLE}\n"
    assert article_block({"messages": [{"role": "user", "content": "no article"}]}) == ""
