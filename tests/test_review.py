"""The analyst's loop: verify a briefing's quotes against its articles; see what changed
between two briefings of one event."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer.cli.main import main
from summarizer.evaluate.runner import replay_client
from summarizer.ingest import load_articles
from summarizer.pipeline import brief
from summarizer.review import diff_briefings, verify
from summarizer.schema import Briefing, identity
from tests.conftest import ROOT

RECORDINGS = ROOT / "eval" / "recordings" / "capable-llm"


def _briefing(files: list[Path]) -> Briefing:
    client = replay_client(RECORDINGS)[0]
    return brief(load_articles(files).articles, client=client, summary=False, consolidate=False)


@pytest.fixture
def copied(seeds: Path, tmp_path: Path) -> list[Path]:
    out = []
    for path in sorted(seeds.glob("*.txt")):
        out.append(Path(shutil.copy(path, tmp_path / path.name)))
    return out


def test_verify_passes_then_catches_an_edited_article(copied: list[Path]) -> None:
    briefing = _briefing(copied)
    first = verify(briefing)
    assert first.ok and first.verified == first.quotes > 100
    assert all(s.sha256 for s in briefing.sources)
    edited = copied[3]
    edited.write_text(edited.read_text("utf-8").replace("Trump", "Trump "), "utf-8")
    second = verify(briefing)
    problems = [str(p) for p in second.problems]
    assert any("edited since" in p and edited.stem in p for p in problems)
    assert any("moved to" in p for p in problems)
    assert {p.source for p in second.problems} == {edited.stem}


def test_an_edit_that_keeps_every_quote_is_still_caught(copied: list[Path]) -> None:
    briefing = _briefing(copied)
    path = copied[0]
    path.write_text(path.read_text("utf-8") + "\nA line added at the end.\n", "utf-8")
    result = verify(briefing)
    assert result.verified == result.quotes  # the quotes still match ...
    assert [p.what.split(":")[0] for p in result.problems] == ["edited since the briefing was made"]


def test_verify_from_another_folder_and_a_missing_file(
    copied: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    briefing = _briefing(copied)
    moved = tmp_path / "moved"
    moved.mkdir()
    for path in copied[1:]:
        shutil.move(path, moved / path.name)
    copied[0].unlink()
    result = verify(briefing, moved)
    assert [p.source for p in result.problems] == [copied[0].stem]
    assert "file missing" in result.problems[0].what
    saved = tmp_path / "b.json"
    saved.write_text(briefing.model_dump_json(), "utf-8")
    with pytest.raises(SystemExit) as done:
        main(["verify", str(saved), "--articles", str(moved)])
    out, err = capsys.readouterr()
    assert done.value.code == 1 and "1 problem(s)" in out and "file missing" in err


def test_diff_of_three_seed_articles_and_five_lists_what_they_added(seeds: Path) -> None:
    files = sorted(seeds.glob("*.txt"))
    three, five = _briefing(files[:3]), _briefing(files)
    added = {files[3].stem, files[4].stem}
    d = diff_briefings(three, five)
    assert d.sources_added == sorted(added) and not d.sources_removed
    # Every item only the two new articles report is listed as new ...
    only_new = [
        item
        for kind in ("positions", "commitments", "open_questions", "facts")
        for item in getattr(five, kind)
        if set(item.sources) <= added
    ]
    new_items = {(c.what, tuple(c.sources)) for c in d.new}
    assert only_new and all((identity(i), tuple(i.sources)) in new_items for i in only_new)
    # ... and the disagreements the new articles brought appear.
    assert d.conflicts_opened
    assert all(set(c.sources) & added for c in d.conflicts_opened)
    assert not diff_briefings(five, five).new and diff_briefings(five, five).empty


def test_diff_says_when_a_stance_flips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = json.loads((ROOT / "eval" / "cases" / "example" / "gold" / "briefing.json").read_text())
    old = Briefing.model_validate(base)
    flipped = old.model_copy(deep=True)
    position = flipped.positions[0]
    position.polarity = "opposes" if position.polarity != "opposes" else "supports"
    d = diff_briefings(old, flipped)
    assert [(c.kind, c.old, c.new) for c in d.changed] == [
        ("positions", old.positions[0].polarity, position.polarity)
    ]
    assert not d.new and not d.gone
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(old.model_dump_json(), "utf-8")
    b.write_text(flipped.model_dump_json(), "utf-8")
    with pytest.raises(SystemExit) as done:
        main(["diff", str(a), str(b)])
    assert done.value.code in (0, None)
    assert "## Changed" in capsys.readouterr().out
