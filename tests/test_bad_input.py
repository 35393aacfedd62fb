"""Bad input: every unusable file gets one clear line naming it; every usable-but-odd file is
read sensibly and says what was assumed.

The table in ``docs/robustness.md`` is this module's ``BAD_FILES`` and the cases below it.
"""

from __future__ import annotations

import json
import logging
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.standin_server import article_of, draft_for
from summarizer.cli.main import main
from summarizer.config import Settings
from summarizer.errors import InputError
from summarizer.extract.extraction import extract, split_text
from summarizer.ingest.articles import Article, load_articles, read_article
from summarizer.pipeline import brief
from tests.conftest import fake_client
from tests.fakes import ScriptedModel

STORY = (
    "Ferry line to reopen in April\n\n"
    "Transport Minister Odile Ferrand said on Monday that the Larkspur ferry line would reopen "
    "in April if the harbour repairs are finished.\n"
    "Mayor Tomas Egli welcomed the plan but said the city could not pay for new docks.\n"
    "It is not yet known who will fund the repairs.\n"
)

# --------------------------------------------------------------------------------------------
# Unusable files: (name, file name, contents or a builder, the message the user gets)
# --------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\nstream\n\x00\x01\x02\x03\nendstream"
CONTROL = bytes(range(1, 9)) * 200 + b"mostly control bytes"  # binary without a single NUL


def _broken_link(folder: Path) -> Path:
    link = folder / "gone.txt"
    os.symlink(folder / "deleted-target.txt", link)
    return link


def _empty_folder(folder: Path) -> Path:
    target = folder / "empty"
    target.mkdir()
    return target


def _folder_of_other_files(folder: Path) -> Path:
    target = folder / "not-articles"
    target.mkdir()
    (target / "README.md").write_text("# notes, not an article\n", "utf-8")
    (target / ".hidden.txt").write_text("hidden\n", "utf-8")
    (target / "scan.pdf").write_bytes(PDF)
    return target


Builder = Callable[[Path], Path]
BAD_FILES: list[tuple[str, str, bytes | Builder, str]] = [
    ("empty file", "empty.txt", b"", "the file is empty (0 bytes)"),
    ("white space only", "blank.txt", b"  \n\t\r\n   \n", "the file holds only white space"),
    ("no-break spaces only", "nbsp.txt", "\u00a0\u3000\n".encode(), "holds only white space"),
    ("BOM and nothing else", "bom.txt", b"\xef\xbb\xbf\n", "holds only white space"),
    ("PNG image", "photo.txt", PNG, "this looks like a binary file, not text"),
    ("PDF", "report.txt", PDF, "this looks like a binary file, not text"),
    ("control bytes, no NUL", "ctrl.txt", CONTROL, "this looks like a binary file, not text"),
    ("UTF-16 without a BOM", "u16.txt", STORY.encode("utf-16-le"), "looks like a binary file"),
    ("missing path", "nope.txt", lambda d: d / "nope.txt", "no such file or folder"),
    ("broken symlink", "gone.txt", _broken_link, "no such file or folder"),
    ("folder with no files", "empty", _empty_folder, "the folder holds no article files"),
    ("folder of non-articles", "not-articles", _folder_of_other_files, "holds no article files"),
    ("invalid JSON", "a.json", b'{"text": "unterminated', "invalid JSON at line 1"),
    ("JSON without text", "b.json", b'{"title": "no body"}', "a record needs a string field"),
    ("empty JSON record", "c.json", b'{"text": "   "}', "the record's text is empty"),
    ("HTML with no article", "d.html", b"<html><head><title>Empty</title></head><body></body>",
     "no article text found in this HTML page"),
]  # fmt: skip


def _extraction_calls(model: ScriptedModel) -> list[dict[str, Any]]:
    """The article extraction requests (the pipeline may also ask for an event summary)."""
    return [r for r in model.requests if article_of(r)]


def _make(folder: Path, name: str, content: bytes | Builder) -> Path:
    if callable(content):
        return content(folder)
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_FILES, ids=lambda x: x)
def test_bad_file_is_an_input_error_naming_it(
    tmp_path: Path, case: str, name: str, content: bytes | Builder, message: str
) -> None:
    path = _make(tmp_path, name, content)
    loaded = load_articles([path])
    assert loaded.articles == []
    [error] = loaded.errors
    assert isinstance(error, InputError) and message in str(error)
    assert str(error).startswith(str(path)) or str(error).startswith(f"{path} record")


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_FILES, ids=lambda x: x)
def test_cli_says_one_line_naming_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    name: str,
    content: bytes | Builder,
    message: str,
) -> None:
    path = _make(tmp_path, name, content)
    with pytest.raises(SystemExit) as exit_info:
        main(["brief", str(path), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"error: {path}") and message in lines[0]


def test_bad_files_beside_good_ones_are_listed_and_the_rest_is_briefed(
    tmp_path: Path, settings: Settings
) -> None:
    for _, name, content, _ in BAD_FILES[:8]:
        _make(tmp_path, name, content)
    (tmp_path / "good.txt").write_text(STORY, "utf-8")
    model = ScriptedModel(lambda kw: draft_for(article_of(kw)), repeat_last=True)
    briefing = brief([tmp_path], client=fake_client(settings, model))
    assert [s.id for s in briefing.sources] == ["good"]
    assert len(briefing.failures) == 8 and len(_extraction_calls(model)) == 1
    for failure in briefing.failures:
        assert Path(failure.source).parent == tmp_path and failure.reason


# --------------------------------------------------------------------------------------------
# Odd but usable: decoded sensibly, and what was assumed is said.
# --------------------------------------------------------------------------------------------

DECODED: list[tuple[str, bytes, str, str]] = [
    ("cp1252", "The minister\u2019s \u20ac2bn plan \u2013 approved.\n".encode("cp1252"),
     "cp1252", "not valid UTF-8; decoded as Windows-1252 (cp1252)"),
    ("latin-1", b"Caf\xe9 owners in S\xe3o Paulo \x81 protested.\n", "latin-1",
     "not valid UTF-8; decoded as Latin-1"),
    ("UTF-8 BOM", b"\xef\xbb\xbf" + STORY.encode(), "utf-8-sig",
     "decoded as UTF-8 (byte order mark)"),
    ("UTF-16 LE BOM", STORY.encode("utf-16"), "utf-16", "decoded as UTF-16 (byte order mark)"),
    ("UTF-16 BE BOM", b"\xfe\xff" + STORY.encode("utf-16-be"), "utf-16",
     "decoded as UTF-16 (byte order mark)"),
    ("UTF-32 BOM", STORY.encode("utf-32"), "utf-32", "decoded as UTF-32 (byte order mark)"),
    ("UTF-8 BOM, then cp1252", b"\xef\xbb\xbfThe minister\x92s plan.\n", "cp1252",
     "decoded as Windows-1252"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "raw", "encoding", "note"), DECODED, ids=lambda x: x)
def test_other_encodings_are_decoded_and_the_assumption_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str, raw: bytes, encoding: str,
    note: str,
) -> None:  # fmt: skip
    path = tmp_path / "story.txt"
    path.write_bytes(raw)
    [article] = read_article(path)
    assert article.encoding == encoding and any(note in n for n in article.notes)
    assert "\ufeff" not in article.text and "\x00" not in article.text
    if encoding in ("cp1252", "latin-1"):
        assert not article.text.isascii()
    with caplog.at_level(logging.INFO, logger="summarizer.pipeline"):
        brief_inputs_only(path)
    said = [r for r in caplog.records if r.name == "summarizer.pipeline"]
    assert any(str(path) in r.getMessage() and note in r.getMessage() for r in said)
    guessed = encoding in ("cp1252", "latin-1")  # a guess is a warning; a BOM is a fact
    assert {r.levelno for r in said} == {logging.WARNING if guessed else logging.INFO}


def brief_inputs_only(path: Path) -> None:
    from summarizer.pipeline import gather_articles

    articles, failures = gather_articles([path])
    assert len(articles) == 1 and failures == []


def test_offsets_refer_to_the_decoded_text_without_the_bom(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + STORY.encode())
    model = ScriptedModel(lambda kw: draft_for(article_of(kw)))
    [article] = read_article(path)
    result = extract(article, fake_client(settings, model))
    assert result.commitments
    for item in [*result.positions, *result.commitments, *result.open_questions, *result.facts]:
        ev = item.evidence[0]
        assert STORY[ev.start : ev.end] == ev.quote


def test_the_same_article_twice_is_counted_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, settings: Settings
) -> None:
    (tmp_path / "a.txt").write_text(STORY, "utf-8")
    (tmp_path / "copy of a.txt").write_text(STORY, "utf-8")
    (tmp_path / "b.txt").write_text(STORY.replace("April", "May"), "utf-8")
    loaded = load_articles([tmp_path, tmp_path / "a.txt"])  # the folder, then a file again
    assert [a.id for a in loaded.articles] == ["a", "b"]
    assert [Path(d).name for d, _ in loaded.duplicates] == ["copy of a.txt", "a.txt"]
    model = ScriptedModel(lambda kw: draft_for(article_of(kw)), repeat_last=True)
    with caplog.at_level(logging.WARNING, logger="summarizer.pipeline"):
        briefing = brief([tmp_path, tmp_path / "a.txt"], client=fake_client(settings, model))
    assert len(_extraction_calls(model)) == 2 and [s.id for s in briefing.sources] == ["a", "b"]
    warned = [r.getMessage() for r in caplog.records if "counted once" in r.getMessage()]
    assert len(warned) == 2 and "copy of a.txt" in warned[0]


# --------------------------------------------------------------------------------------------
# Longer than the model's context: split with overlap, one call per part, folded back.
# --------------------------------------------------------------------------------------------


def _long_story(paragraphs: int = 30) -> str:
    lines = ["Harbour talks: the full record", ""]
    for n in range(paragraphs):
        lines.append(
            f"In session {n + 1}, Negotiator Piet Varga said the {n + 3} remaining disputes "
            f"would be settled by week {n + 10}. Delegates agreed to return on day {n + 20}.\n"
        )
    return "\n".join(lines)


def test_an_article_longer_than_the_context_is_split_extracted_and_folded(
    settings: Settings,
) -> None:
    text = _long_story()
    small = Settings.resolve(**{**settings.__dict__, "chunk_chars": 1500})
    parts = split_text(text, small.chunk_chars)
    assert len(parts) >= 4 and all(len(p) <= 1500 for p in parts)
    for a, b in zip(parts, parts[1:], strict=False):  # consecutive parts overlap
        assert text.index(b) < text.index(a) + len(a)
    model = ScriptedModel(lambda kw: draft_for(article_of(kw)), repeat_last=True)
    result = extract(Article(id="long", text=text), fake_client(small, model))
    assert len(model.requests) == len(parts)
    prompts = [r["messages"][1]["content"] for r in model.requests]
    assert all(f"part {n} of {len(parts)}" in p for n, p in enumerate(prompts, 1))
    items = [*result.positions, *result.commitments, *result.open_questions, *result.facts]
    starts = sorted(i.evidence[0].start for i in items)
    assert starts[0] < len(parts[0]) and starts[-1] > len(text) - len(parts[-1])  # both ends
    for item in items:
        ev = item.evidence[0]
        assert text[ev.start : ev.end] == ev.quote and item.sources == ["long"]
    assert result.source.id == "long" and result.usage.calls == len(parts)


# --------------------------------------------------------------------------------------------
# Not in English: quotes stay in the article's language, verbatim, and are grounded.
# --------------------------------------------------------------------------------------------

FOREIGN = [
    ("French", "Le président Émile Durand a déclaré que la frontière resterait ouverte. "
     "« Nous ne céderons pas », a-t-il ajouté.",
     "la frontière resterait ouverte", "Émile Durand"),
    ("Greek", "Ο πρωθυπουργός Νίκος Παππάς είπε ότι η συμφωνία είναι κοντά. Οι συνομιλίες "
     "συνεχίζονται.", "η συμφωνία είναι κοντά", "Νίκος Παππάς"),
    ("Chinese", "北京市政府表示，新的港口将于明年开放。发言人王芳说资金尚未到位。",
     "发言人王芳说资金尚未到位", "王芳"),
    ("Turkish capitals", "İSTANBUL — İçişleri Bakanı Ayşe Yılmaz, İzmir limanı anlaşmasının "
     "pazartesi imzalandığını söyledi.", "İzmir limanı anlaşmasının pazartesi imzalandığını",
     "Ayşe Yılmaz"),
    ("Vietnamese, decomposed (NFD)", unicodedata.normalize(
        "NFD", "Thủ tướng Phạm Minh Chính tuyên bố rằng cảng mới sẽ mở cửa vào năm tới."),
     "cảng mới sẽ mở cửa vào năm tới", "Phạm Minh Chính"),
]  # fmt: skip


def _foreign_draft(quote: str, actor: str) -> dict[str, Any]:
    return {
        "actors": [{"name": actor, "role": None, "type": "person"}],
        "positions": [],
        "commitments": [
            {"actor": actor, "action": "as reported", "status": "proposed", "quote": quote}
        ],
        "open_questions": [],
        "facts": [],
    }


@pytest.mark.parametrize(("language", "text", "quote", "actor"), FOREIGN, ids=lambda x: x)
def test_non_english_quotes_stay_verbatim_and_grounded(
    settings: Settings, language: str, text: str, quote: str, actor: str
) -> None:
    model = ScriptedModel(_foreign_draft(unicodedata.normalize("NFC", quote), actor))
    result = extract(Article(id="x", text=text), fake_client(settings, model))
    [commitment] = result.commitments
    ev = commitment.evidence[0]
    assert text[ev.start : ev.end] == ev.quote  # the article's own characters, its language
    assert unicodedata.normalize("NFC", ev.quote) == unicodedata.normalize("NFC", quote)
    assert result.dropped == [] and len(model.requests) == 1  # no re-ask needed
    assert json.dumps(model.requests[0]["messages"], ensure_ascii=False).count(text[:20]) == 1
