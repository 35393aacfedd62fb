"""brief --update: only new or edited articles are extracted; an unchanged folder makes no
model call at all; --diff says what changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli.main import main
from tests.fakes import ScriptedModel, merge_answer
from tests.test_batch import answer as extraction_answer


def _answer(kwargs: dict[str, Any]) -> Any:
    return merge_answer(kwargs) or extraction_answer(kwargs)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> ScriptedModel:
    fake = ScriptedModel(_answer, repeat_last=True)
    from summarizer import pipeline
    from summarizer.model import backends

    def make(settings: Any, **kw: Any) -> Any:
        return backends.client_from_functions(settings, fake.create, fake.acreate)

    monkeypatch.setattr(pipeline, "make_client", make)
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
    return fake


def _articles(folder: Path, n: int) -> Path:
    from tests.test_batch import article

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i}.txt").write_text(article("harbour", i), "utf-8")
    return folder


def _brief(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(["brief", *args])
    return int(done.value.code or 0)


def _tools(model: ScriptedModel) -> list[str]:
    return [r["tools"][0]["function"]["name"] for r in model.requests]


def test_an_unchanged_folder_makes_no_model_call(
    tmp_path: Path, model: ScriptedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _articles(tmp_path / "event", 3)
    target = tmp_path / "briefing.json"
    assert _brief(str(folder), "--update", str(target)) == 0
    assert _tools(model).count("ArticleDraft") == 3 and target.is_file()
    first = target.read_text("utf-8")
    model.requests.clear()
    assert _brief(str(folder), "--update", str(target), "--diff", str(tmp_path / "d.md")) == 0
    assert model.requests == []  # nothing new: not one call
    assert target.read_text("utf-8") == first
    assert "Nothing changed." in (tmp_path / "d.md").read_text("utf-8")
    capsys.readouterr()


def test_only_new_and_edited_articles_are_extracted(
    tmp_path: Path, model: ScriptedModel, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _articles(tmp_path / "event", 3)
    target = tmp_path / "briefing.json"
    assert _brief(str(folder), "--update", str(target)) == 0
    model.requests.clear()
    edited = folder / "a1.txt"
    edited.write_text(edited.read_text("utf-8").replace("crowns", "euros"), "utf-8")
    shutil.copy(folder / "a0.txt", folder / "new.txt")
    (folder / "new.txt").write_text(
        (folder / "a0.txt").read_text("utf-8").replace("Talks", "New talks"), "utf-8"
    )
    diff = tmp_path / "d.md"
    assert _brief(str(folder), "--update", str(target), "--diff", str(diff)) == 0
    assert _tools(model).count("ArticleDraft") == 2  # the edited one and the new one
    updated = json.loads(target.read_text("utf-8"))
    assert {s["id"] for s in updated["sources"]} == {"a0", "a1", "a2", "new"}
    assert "added: `new`" in diff.read_text("utf-8")
    capsys.readouterr()


def test_diff_needs_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _brief(str(tmp_path), "--diff", str(tmp_path / "d.md")) == 2
    assert "--diff needs --update" in capsys.readouterr().err
