"""The extraction cache: what its key is made of, atomic entries, damaged entries are misses."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.extract import cache as cache_module
from summarizer.extract.cache import ExtractionCache
from summarizer.ingest.articles import Article
from summarizer.schema import ArticleExtraction, Usage

TEXT = "Premier Voronov said the boats would withdraw within two weeks.\n"
ARTICLE = Article(id="a1", text=TEXT, path="/old/a1.txt", title="Boats to withdraw")


def extraction(article: Article = ARTICLE) -> ArticleExtraction:
    return ArticleExtraction(
        source=article.source, model="m", usage=Usage(prompt_tokens=10, completion_tokens=5)
    )


def base() -> Settings:
    return Settings.resolve(backend="openai", model="m1", base_url="http://127.0.0.1:9/v1")


def digest(settings: Settings, article: Article = ARTICLE) -> str:
    return ExtractionCache("/unused", settings).key(article).digest


def test_the_key_is_stable() -> None:
    assert digest(base()) == digest(base())


@pytest.mark.parametrize(
    "change",
    [
        {"model": "m2"},
        {"base_url": "http://127.0.0.1:10/v1"},
        {"mode": "json_schema"},
        {"temperature": 0.7},
        {"max_tokens": 999},
        {"seed": 7},
        {"chunk_chars": 5000},
    ],
)
def test_every_setting_that_changes_the_answer_changes_the_key(change: dict[str, object]) -> None:
    assert digest(base()) != digest(dataclasses.replace(base(), **change))  # type: ignore[arg-type]


def test_settings_that_do_not_change_the_answer_keep_the_key() -> None:
    calmer = dataclasses.replace(base(), concurrency=64, timeout=5.0, transport_attempts=9)
    assert digest(base()) == digest(calmer)


def test_prompt_and_schema_versions_are_in_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(base())
    monkeypatch.setattr(cache_module, "prompt_version", lambda: "extract_v3@edited")
    after_prompt = digest(base())
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", "99")
    after_schema = digest(base())
    assert len({before, after_prompt, after_schema}) == 3


@pytest.mark.parametrize(
    "change",
    [{"text": TEXT + "More.\n"}, {"id": "a2"}, {"title": "Other"}, {"outlet": "Wire"},
     {"date": "2026-01-01"}, {"prompt_text": "Cleaned text of the article.\n"}],
)  # fmt: skip
def test_the_article_text_and_prompt_metadata_are_in_the_key(change: dict[str, str]) -> None:
    other = dataclasses.replace(ARTICLE, **change)  # type: ignore[arg-type]
    assert digest(base()) != digest(base(), other)


def test_a_moved_file_still_hits(tmp_path: Path) -> None:
    store = ExtractionCache(tmp_path, base())
    store.put(ARTICLE, extraction())
    moved = dataclasses.replace(ARTICLE, path="/new/place/a1.txt")
    hit = store.get(moved)
    assert hit is not None
    assert hit.source.path == "/new/place/a1.txt"


def test_put_then_get_round_trips(tmp_path: Path) -> None:
    store = ExtractionCache(tmp_path, base())
    assert store.get(ARTICLE) is None
    path = store.put(ARTICLE, extraction())
    assert path.is_file() and path.parent.parent == tmp_path
    assert store.get(ARTICLE) == extraction()
    assert store.count() == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_another_configuration_misses(tmp_path: Path) -> None:
    ExtractionCache(tmp_path, base()).put(ARTICLE, extraction())
    other = ExtractionCache(tmp_path, dataclasses.replace(base(), model="m2"))
    assert other.get(ARTICLE) is None


@pytest.mark.parametrize("damage", [b"", b'{"key": "x", "extraction": {"sour', b"not json"])
def test_a_damaged_entry_is_a_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    store = ExtractionCache(tmp_path, base())
    path = store.put(ARTICLE, extraction())
    path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="summarizer.extract.cache"):
        assert store.get(ARTICLE) is None
    assert "damaged" in caplog.text
    store.put(ARTICLE, extraction())
    assert store.get(ARTICLE) == extraction()


def test_a_failed_write_leaves_neither_entry_nor_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ExtractionCache(tmp_path, base())

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        store.put(ARTICLE, extraction())
    monkeypatch.undo()
    assert store.get(ARTICLE) is None
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_entry_names_its_key_fields_for_a_human(tmp_path: Path) -> None:
    path = ExtractionCache(tmp_path, base()).put(ARTICLE, extraction())
    text = path.read_text("utf-8")
    assert '"model": "m1"' in text and '"prompt": "extract_v3@' in text
    assert TEXT not in text  # the article's words are not copied into the key fields
