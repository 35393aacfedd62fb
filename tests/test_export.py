"""Take a briefing to a spreadsheet: CSV (items; conflicts as a second sheet) and JSONL, read
back intact whatever the text holds (commas, quotes, line breaks, any script)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from summarizer.cli.main import main
from summarizer.render import render
from summarizer.render.table import COLUMNS, conflicts_csv, to_csv
from summarizer.schema import Briefing
from tests.conftest import ROOT

GOLD = ROOT / "eval" / "cases" / "example" / "gold" / "briefing.json"


def _briefing() -> Briefing:
    b = Briefing.model_validate_json(GOLD.read_text("utf-8"))
    b.positions[0].stance = 'He said: "no deal, no fish",\nthen left — 漁業 ok'
    return b


def _read(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    return list(csv.DictReader(text.removeprefix("\ufeff").splitlines(keepends=True)))


def test_every_item_is_one_intact_row() -> None:
    b = _briefing()
    rows = _read(to_csv(b))
    items = len(b.positions) + len(b.commitments) + len(b.open_questions) + len(b.facts)
    assert len(rows) == items and list(rows[0]) == list(COLUMNS)
    assert rows[0]["detail"] == b.positions[0].stance  # commas, quotes, a line break, CJK
    assert rows[0]["quote"] == b.positions[0].evidence[0].quote
    assert int(rows[0]["start"]) == b.positions[0].evidence[0].start
    assert {r["kind"] for r in rows} == {"position", "commitment", "open question", "fact"}


def test_conflicts_are_a_sheet_of_their_own() -> None:
    b = _briefing()
    rows = _read(conflicts_csv(b))
    assert len(rows) == sum(len(c.claims) for c in b.conflicts)
    assert {r["topic"] for r in rows} == {c.topic for c in b.conflicts}


def test_jsonl_is_one_item_a_line() -> None:
    b = _briefing()
    lines = [json.loads(x) for x in render(b, "jsonl").splitlines()]
    assert len(lines) == len(_read(to_csv(b))) + len(b.conflicts)
    assert lines[0]["kind"] == "position" and lines[0]["stance"] == b.positions[0].stance


def test_the_cli_writes_both_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "table.csv"
    recordings = ROOT / "eval" / "recordings" / "capable-llm"
    with pytest.raises(SystemExit) as done:
        main(["brief", str(ROOT / "examples" / "harbor-accord"), "--replay", str(recordings),
              "-o", str(out)])  # fmt: skip
    assert done.value.code in (0, None), capsys.readouterr().err
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 20 and all(len(r) == len(COLUMNS) and None not in r for r in rows)
    with (tmp_path / "table.conflicts.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.DictReader(handle))
