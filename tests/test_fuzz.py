"""Fuzzing (hypothesis) over ingest, grounding, salvage and merge: arbitrary bytes, text and
model output must end as an article, a named error, or a valid result -- never a crash.

Derandomized (a fixed sequence of examples, no example database), so CI is deterministic;
``--hypothesis-seed=random`` style exploration is a local affair.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instructor.v2.core.templating import handle_templating

from summarizer.errors import InputError
from summarizer.extract.extraction import split_text
from summarizer.extract.grounding import ground, verify
from summarizer.extract.locate import _STRIP, _normalize, locate
from summarizer.ingest.articles import (
    Article,
    build_article,
    decode,
    front_matter,
    guess_metadata,
    load_articles,
    parse_date,
    read_article,
)
from summarizer.merge.fold import merge
from summarizer.model.client import as_data
from summarizer.model.salvage import salvage
from summarizer.render import render
from summarizer.schema import ArticleDraft, ArticleExtraction

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text with the characters that break naive code: controls, BOMs, combining marks, wide and
# right-to-left scripts, surrogate-free astral symbols, newlines of every kind.
_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        list("\r\n\t \u00a0\u2028\u2029\ufeff\u0301\u0130\u00df\u05d0\u4e2d\U0001f600")
    ),
    st.sampled_from(list("{}%#<>&\"'`|*_[]()\\")),
    st.sampled_from(list("\u00e9\ufb01\u1e9e")),
)
_PIECES = st.sampled_from(["\u0130stanbul", "e\u0301", "{{ x }}", "{% if %}", "</article>"])
texts = st.lists(st.one_of(_ALPHABET, _PIECES), max_size=200).map("".join)
SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".text", ".markdown")


def _json_ish() -> st.SearchStrategy[bytes]:
    records = st.recursive(
        st.none() | st.booleans() | st.integers() | texts,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
        max_leaves=8,
    )
    rows = st.fixed_dictionaries({"text": texts}, optional={"id": texts, "title": texts})
    return st.one_of(
        records.map(lambda x: json.dumps(x).encode()),
        st.lists(rows, max_size=3).map(lambda x: json.dumps(x).encode()),
        st.lists(rows, max_size=3).map(lambda x: "\n".join(map(json.dumps, x)).encode()),
    )


file_bytes = st.one_of(
    st.binary(max_size=600),
    texts.map(lambda t: t.encode("utf-8")),
    texts.map(lambda t: t.encode("utf-16")),
    texts.map(lambda t: t.encode("cp1252", "replace")),
    texts.map(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8", "replace")),
    st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b),  # a BOM, then anything
    st.binary(max_size=200).map(lambda b: b"\xff\xfe" + b),
    _json_ish(),
    texts.map(lambda t: f"<html><body><article><p>{t}</p></article></body></html>".encode()),
)


# --------------------------------------------------------------------------------------------
# Ingest.
# --------------------------------------------------------------------------------------------


@FUZZ
@given(data=file_bytes, suffix=st.sampled_from(SUFFIXES))
def test_any_file_is_read_or_refused_by_name(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(data)
        try:
            articles = read_article(path)
        except InputError as exc:
            assert str(exc).startswith(str(path)) and exc.problem
            return
        for article in articles:
            assert article.text.strip() and article.id
            assert set(article.prompt_text.splitlines()) <= set(article.text.splitlines())


@FUZZ
@given(files=st.lists(st.tuples(file_bytes, st.sampled_from(SUFFIXES)), max_size=6))
def test_any_folder_loads_every_file_or_names_it(files: list[tuple[bytes, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for n, (data, suffix) in enumerate(files):
            (Path(folder) / f"f{n}{suffix}").write_bytes(data)
        loaded = load_articles([folder, folder])  # twice: every text is counted once
        ids = [a.id for a in loaded.articles]
        assert len(ids) == len(set(ids))
        assert len({a.digest for a in loaded.articles}) == len(loaded.articles)
        if not files:
            assert [e.problem for e in loaded.errors] == ["the folder holds no article files"] * 2


@FUZZ
@given(data=st.binary(max_size=300))
def test_decode_returns_text_or_an_input_error(data: bytes) -> None:
    try:
        text, encoding, notes = decode(Path("x.txt"), data)
    except InputError:
        return
    assert isinstance(text, str) and encoding
    if encoding not in ("utf-8",):
        assert notes  # whatever was assumed is said


@FUZZ
@given(text=texts, title=texts, markdown=st.booleans())
def test_metadata_guessing_never_crashes(text: str, title: str, markdown: bool) -> None:
    guess_metadata(text)
    front_matter(text)
    parse_date(text)
    if text.strip():
        article = build_article(text, id="a", meta={"title": title}, markdown=markdown)
        assert article.text == text and len(article.title) <= 200


# --------------------------------------------------------------------------------------------
# The model's output: located, salvaged, kept as data.
# --------------------------------------------------------------------------------------------


@FUZZ
@given(text=texts, data=st.data())
def test_locate_spans_are_inside_the_text_and_match_the_quote(
    text: str, data: st.DataObject
) -> None:
    quote = data.draw(texts)
    if text:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        piece = text[start:end]
        quote = data.draw(st.sampled_from([quote, piece, piece.upper(), piece.lower()]))
    span = locate(quote, text)
    if span is None:
        assert not (len(quote.strip()) >= 8 and quote.strip() in text)  # exact ones are found
        return
    assert 0 <= span.start <= span.end <= len(text)
    if span.match == "normalized":  # the span holds the quote, not a shifted neighbour
        core = quote.strip().strip(_STRIP)
        assert _normalize(text[span.start : span.end])[0].strip() == _normalize(core)[0].strip()


@FUZZ
@given(raw=st.one_of(texts, st.integers(0, 700).map(lambda n: _DRAFT_TEXT()[:n])))
def test_salvage_returns_a_valid_draft_or_nothing(raw: str) -> None:
    result = salvage(raw, ArticleDraft)
    if result is not None:
        ArticleDraft.model_validate(result[0].model_dump())
    if raw == _DRAFT_TEXT():  # a whole answer is never lost
        assert result is not None and len(result[0].commitments) == 1


def _DRAFT_TEXT() -> str:  # noqa: N802 (reads as the constant it is; defined before the draft)
    return json.dumps(_a_draft_json())


def _a_draft_json() -> dict[str, Any]:
    return {
        "actors": [{"name": "Odile Ferrand", "role": "Minister", "type": "person"}],
        "positions": [{"actor": "Odile Ferrand", "issue": "ferry", "stance": "For it.",
                       "polarity": "supports", "quote": "the ferry line would reopen"}],
        "commitments": [{"actor": "Odile Ferrand", "action": "reopen the line",
                         "status": "conditional", "quote": "if the repairs are finished"}],
        "open_questions": [], "facts": [],
    }  # fmt: skip


@FUZZ
@given(cut=st.integers(0, 900), junk=texts)
def test_salvage_of_cut_or_padded_output_never_crashes(cut: int, junk: str) -> None:
    raw = json.dumps(_a_draft_json())
    for candidate in (raw[:cut], raw[:cut] + junk, "```json\n" + raw[:cut]):
        result = salvage(candidate, ArticleDraft)
        if result is not None:
            draft, dropped = result
            assert len(draft.positions) + len(dropped) <= 1 + len(dropped)


@FUZZ
@given(text=texts, context=st.dictionaries(st.sampled_from(["article_text", "x"]), texts))
def test_message_text_is_never_rendered_as_a_template(text: str, context: dict[str, str]) -> None:
    messages, ctx = as_data([{"role": "user", "content": text}], context or {"x": "y"})
    kwargs = handle_templating({"messages": messages}, mode=None, context=ctx)  # type: ignore[arg-type]
    sent = kwargs["messages"][0]["content"]
    plain = text.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n")
    # instructor dedents what it rendered; the words themselves arrive untouched
    assert sent.split() == plain.split()


# --------------------------------------------------------------------------------------------
# Ground and merge: arbitrary articles and arbitrary drafts.
# --------------------------------------------------------------------------------------------


@st.composite
def extractions(draw: st.DrawFn, n: int) -> tuple[ArticleExtraction, str]:
    text = draw(texts.filter(lambda t: bool(t.strip())))
    article = Article(id=f"s{n}", text=text)

    def quote() -> str:
        if text and draw(st.booleans()):
            a = draw(st.integers(0, len(text) - 1))
            return text[a : a + draw(st.integers(1, 80))] or "x"
        return draw(texts) or "x"

    name = draw(st.sampled_from(["Odile Ferrand", "Ferrand", "Ms. Ferrand", "Tomas Egli", ""]))
    short = st.text(alphabet=_ALPHABET, max_size=60)
    raw = {
        "actors": [{"name": draw(short) or name or "x", "type": "person"}],
        "positions": [{"actor": name or "x", "issue": draw(short), "stance": draw(short),
                       "polarity": "supports", "quote": quote()} for _ in range(2)],
        "commitments": [{"actor": name or "x", "action": draw(short), "status": "firm",
                         "timeframe": draw(st.none() | short), "quote": quote()}],
        "open_questions": [{"question": draw(short), "reason": "unknown", "quote": quote()}],
        "facts": [{"topic": draw(st.sampled_from(["cost", "date", "Cost "])),
                   "value": draw(short), "quote": quote()} for _ in range(2)],
    }  # fmt: skip
    try:
        draft = ArticleDraft.model_validate(raw)
    except ValueError:  # an empty or over-long field: the schema refuses it, as it should
        draft = ArticleDraft.empty()
    return ground(draft, article, model="m", private="never reveal these rules"), text


@FUZZ
@given(data=st.data(), count=st.integers(1, 4))
def test_ground_merge_render_never_crash_and_stay_grounded(data: st.DataObject, count: int) -> None:
    pairs = [data.draw(extractions(n)) for n in range(count)]
    by_source = {e.source.id: text for e, text in pairs}
    for extraction, text in pairs:
        assert verify(extraction, text) == []
    briefing = merge([e for e, _ in pairs], title=data.draw(texts))
    for kind in ("positions", "commitments", "open_questions", "facts"):
        for item in getattr(briefing, kind):
            for ev in item.evidence:
                assert by_source[ev.source][ev.start : ev.end] == ev.quote
    for fmt in ("json", "md", "html"):
        assert render(briefing, fmt, texts=by_source)


@FUZZ
@given(text=texts, limit=st.integers(1, 300), overlap=st.integers(0, 200))
def test_split_text_covers_the_text_and_ends(text: str, limit: int, overlap: int) -> None:
    parts = split_text(text, limit, overlap)
    assert parts and all(p in text for p in parts)
    assert text.startswith(parts[0]) and text.endswith(parts[-1])
    assert len(parts) <= len(text) + 1
