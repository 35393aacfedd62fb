"""The CLI as a user meets it: one-line errors, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from summarizer.schema import Briefing
from tests.conftest import ROOT


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    result = run(
        "brief", str(tmp_path / "nope.txt"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"
    )
    assert result.returncode == 3
    assert "nope.txt" in one_line_error(result)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run("brief", str(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert result.returncode == 3
    assert "no article files" in one_line_error(result)


def test_openai_without_key_says_so(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some headline\n\nSome text about an event.\n", "utf-8")
    result = run(
        "brief", str(article), "--model", "gpt-4o-mini", env={"SUMMARIZER_BACKEND": "openai"}
    )
    assert result.returncode == 2
    assert "OPENAI_API_KEY" in one_line_error(result)


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some headline\n\nSome text about an event.\n", "utf-8")
    result = run(
        "brief",
        str(article),
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--model",
        "m",
        "--mode",
        "tools",
        env={"SUMMARIZER_TRANSPORT_ATTEMPTS": "1"},
    )
    assert result.returncode == 4  # every article failed at the server: a ModelError
    assert "cannot reach the model server" in one_line_error(result)


def test_merge_gold_extractions_to_markdown(tmp_path: Path) -> None:
    gold = sorted((ROOT / "eval/cases/example/gold").glob("0*.json"))
    assert gold, "example gold missing"
    out = tmp_path / "briefing.md"
    result = run("merge", *map(str, gold), "--output", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    assert text.startswith("# ") and "## Sources" in text
    as_json = run("merge", *map(str, gold))
    briefing = Briefing.model_validate(json.loads(as_json.stdout))
    assert {s.id for s in briefing.sources} == {p.stem for p in gold}


def test_merge_rejects_a_non_extraction_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', "utf-8")
    result = run("merge", str(bad))
    assert result.returncode == 3
    assert "bad.json" in one_line_error(result)


def test_schema_prints_json() -> None:
    result = run("schema")
    assert result.returncode == 0
    assert "briefing.schema.json" in json.loads(result.stdout)
