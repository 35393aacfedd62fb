"""`summarizer eval`: merge-only, record -> replay, the baseline gate, skips and reports.

Recording here uses a scripted fake model in place of llama.cpp (``make_client`` is handed the
fake as its backend), so the tests are offline; the committed recordings of the demo model are
replayed as CI does, in a subprocess that forbids sockets and checks llama_cpp is never loaded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jiter
import pytest

from summarizer.cli.main import main
from summarizer.config import Settings
from summarizer.evaluate import runner
from summarizer.model.client import ModelClient
from tests.conftest import seeds_dir
from tests.fakes import ScriptedModel

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "eval" / "cases"
RECORDINGS = ROOT / "eval" / "recordings"
BASELINE = ROOT / "eval" / "baseline.json"
CliResult = tuple[int, str, str]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        with pytest.raises(SystemExit) as exc:
            main(["eval", "--cases-dir", str(CASES), *args])
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, " ".join(err.split())  # one line, however wrapped

    return run


def _draft(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A fake model's answer: the article's headline as a 'fact' (a quote that verifies); the
    summary call gets one sentence citing the first item it was shown."""
    user = kwargs["messages"][-1]["content"]
    if kwargs["tools"][0]["function"]["name"] == "Labels":  # the merge: one label for all
        ids = re.findall(r"^([PCQFA]\d+) ", user, re.MULTILINE)
        return {"labels": [{"id": i, "label": "headline"} for i in ids]}
    if kwargs["tools"][0]["function"]["name"] == "Disagreements":
        return {"disagreements": []}
    if kwargs["tools"][0]["function"]["name"] == "SummaryDraft":
        first = user.split("\n")[-1].split(" ")[0] if "X1 " not in user else "X1"
        sentence = {"text": "Outlets differ.", "items": [first]}
        return {"title": "Harbor talks", "sentences": [sentence]}
    body = user.split("<article>", 1)[1].split("</article>", 1)[0].strip()
    headline = body.splitlines()[0].strip()
    return {
        "actors": [{"name": "Marta Ilvesse", "type": "person"}],
        "positions": [],
        "commitments": [],
        "open_questions": [],
        "facts": [{"topic": "headline", "value": headline[:40], "quote": headline}],
    }


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch) -> ScriptedModel:
    """Every client the eval runner builds for recording talks to a scripted fake."""
    model = ScriptedModel(_draft, repeat_last=True)
    real = runner.make_client

    def make(settings: Settings, **kw: Any) -> ModelClient:
        if kw.get("backend") is None:
            kw["backend"] = (model.create, model.acreate)
        return real(settings, **kw)

    monkeypatch.setattr(runner, "make_client", make)
    monkeypatch.setenv("SUMMARIZER_BACKEND", "openai")
    monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SUMMARIZER_API_KEY", "sk-test-secret-key-0123456789")
    return model


def _record(cli: Callable[..., CliResult], tmp_path: Path) -> CliResult:
    return cli(
        "--record",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
        "--update-baseline",
    )


# --------------------------------------------------------------------------------------------
# Merge-only and the baseline
# --------------------------------------------------------------------------------------------


def test_merge_only_meets_the_stored_baseline_and_writes_reports(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    code, out, err = cli(
        "--merge-only",
        "--case",
        "example",
        "--baseline",
        str(BASELINE),
        "--report-dir",
        str(tmp_path),
    )
    assert code == 0, out + err
    assert "merge-only · example · briefing" in out
    assert re.search(r"merge-only / example / briefing: headline \d\.\d{3}", out)
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    [run] = report["runs"]
    assert run["run"] == "merge-only" and run["case"] == "example"
    assert 0 < run["levels"]["briefing"]["metrics"]["headline"] <= 1
    markdown = (tmp_path / "report.md").read_text("utf-8")
    assert "## merge-only · example · briefing" in markdown
    assert "| positions |" in markdown


def test_a_score_below_the_baseline_fails(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    high = {"briefing": {"headline": 1.0, "positions.f1": 1.0}}
    baseline.write_text(json.dumps({"runs": {"merge-only": {"example": high}}}), "utf-8")
    code, out, _ = cli("--merge-only", "--case", "example", "--baseline", str(baseline))
    if "headline 1.000" in out:
        pytest.skip("the merge reproduces the example gold exactly; nothing can drop")
    assert code == 1
    assert "REGRESSION: merge-only / example / briefing: headline fell from 1.0000" in out


def test_update_baseline_is_deliberate(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"runs": {"other": {"x": {}}}}), "utf-8")
    code, _, err = cli(
        "--merge-only", "--case", "example", "--baseline", str(baseline), "--update-baseline"
    )
    assert code == 0
    assert "commit it deliberately" in err
    stored = json.loads(baseline.read_text("utf-8"))
    assert stored["runs"]["other"] == {"x": {}}  # other runs are kept
    assert set(stored["runs"]["merge-only"]["example"]["briefing"]) >= {"headline", "facts.f1"}
    assert cli("--merge-only", "--case", "example", "--baseline", str(baseline))[0] == 0


# --------------------------------------------------------------------------------------------
# Record -> replay
# --------------------------------------------------------------------------------------------


def test_record_then_replay_reproduces_the_scores(
    cli: Callable[..., CliResult], tmp_path: Path, fake_backend: ScriptedModel
) -> None:
    code, out, err = _record(cli, tmp_path)
    assert code == 0, out + err
    # One per example article; labels of its facts and actors, disagreements, the summary; and
    # the model-assisted merge of the gold: five label kinds and its disagreements.
    assert len(fake_backend.requests) == 4 + 4 + 6
    folder = tmp_path / "rec" / "fake-model"
    assert len(list(folder.glob("*.json"))) == 15  # 14 responses + _run.json
    recorded = re.findall(r"model:fake-model / example / \w+: headline [\d.]+", out)
    assert len(recorded) == 2

    code, out, err = cli(
        "--replay",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
    )
    assert code == 0, out + err
    assert re.findall(r"model:fake-model / example / \w+: headline [\d.]+", out) == recorded
    assert len(fake_backend.requests) == 14  # the replay never reached the model


def test_recordings_hold_no_key_and_no_article_text(
    cli: Callable[..., CliResult], tmp_path: Path, fake_backend: ScriptedModel
) -> None:
    assert _record(cli, tmp_path)[0] == 0
    for path in (tmp_path / "rec" / "fake-model").glob("*.json"):
        text = path.read_text("utf-8")
        assert "sk-test-secret-key" not in text
        if path.name != runner.RUN_FILE:
            record = json.loads(text)
            assert all(set(m) == {"role", "chars"} for m in record["request"]["messages"])
            assert record["tag"].startswith("example/")
            assert "Harbor" not in json.dumps(record["response"]) or "summary" in record["tag"]


def test_replay_gives_make_client_a_backend(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    fake_backend: ScriptedModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _record(cli, tmp_path)[0] == 0
    seen: list[object] = []
    real = runner.make_client

    def spy(settings: Settings, **kw: Any) -> ModelClient:
        seen.append(kw.get("backend"))
        assert kw.get("backend") is not None, "replay must never build a real model client"
        return real(settings, **kw)

    monkeypatch.setattr(runner, "make_client", spy)
    code, _, _ = cli(
        "--replay",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
    )
    assert code == 0 and len(seen) == 1


def test_a_missing_recording_names_the_case_and_the_prompt(
    cli: Callable[..., CliResult], tmp_path: Path, fake_backend: ScriptedModel
) -> None:
    assert _record(cli, tmp_path)[0] == 0
    folder = tmp_path / "rec" / "fake-model"
    for path in folder.glob("*.json"):
        if path.name != runner.RUN_FILE and "02_harbor_wire" in path.read_text("utf-8"):
            path.unlink()
    code, _, err = cli(
        "--replay",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
    )
    assert code == 4
    assert "no recording for example/02_harbor_wire part 1/1" in err
    assert "with prompt extract" in err


def test_a_recording_never_replayed_fails_as_stale(
    cli: Callable[..., CliResult], tmp_path: Path, fake_backend: ScriptedModel
) -> None:
    assert _record(cli, tmp_path)[0] == 0
    folder = tmp_path / "rec" / "fake-model"
    some = next(p for p in folder.glob("*.json") if p.name != runner.RUN_FILE)
    (folder / "0000stale.json").write_text(some.read_text("utf-8"), "utf-8")
    code, out, _ = cli(
        "--replay",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
    )
    assert code == 1
    assert "stale recording" in out and "0000stale.json" in out


def test_rerecording_with_other_settings_clears_old_recordings(
    cli: Callable[..., CliResult], tmp_path: Path, fake_backend: ScriptedModel
) -> None:
    assert _record(cli, tmp_path)[0] == 0
    code, _, err = cli(
        "--record",
        "--case",
        "example",
        "--recordings",
        str(tmp_path / "rec"),
        "--baseline",
        str(tmp_path / "baseline.json"),
        "--max-tokens",
        "99",
    )
    assert code in (0, 1)
    assert "recording settings changed; removing 14 old recordings" in err
    info = json.loads((tmp_path / "rec" / "fake-model" / runner.RUN_FILE).read_text("utf-8"))
    assert info["max_tokens"] == 99


# --------------------------------------------------------------------------------------------
# Cases, options, labeller comparison
# --------------------------------------------------------------------------------------------


def test_a_case_without_its_articles_is_skipped_with_the_reason(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUMMARIZER_SEEDS", raising=False)
    missing = tmp_path / "no-seeds-here"
    code, out, err = cli(
        "--merge-only", "--articles-dir", str(missing), "--baseline", str(tmp_path / "b.json")
    )
    assert code == 0
    assert f"skipped case seeds: articles folder {missing} not found (from --articles-dir)" in out
    assert "merge-only · example" in out and "merge-only · seeds" not in out


def test_bad_gold_is_an_input_error_naming_the_file(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    case = tmp_path / "cases" / "broken"
    (case / "gold").mkdir(parents=True)
    (case / "case.json").write_text(
        json.dumps(
            {
                "name": "broken",
                "articles_dir": str(ROOT / "examples" / "harbor-accord"),
                "articles": ["01_coastal_herald.txt"],
            }
        ),
        "utf-8",
    )
    (case / "gold" / "01_coastal_herald.json").write_text('{"positions": 3}', "utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--merge-only", "--cases-dir", str(tmp_path / "cases")])
    assert exc.value.code == 3


def test_record_and_replay_exclude_each_other(cli: Callable[..., CliResult]) -> None:
    code, _, err = cli("--record", "--replay")
    assert code == 2
    assert "exclude each other" in err


def test_compare_two_labellers(cli: Callable[..., CliResult]) -> None:
    gold = CASES / "example" / "gold"
    code, out, _ = cli("--compare", str(gold / "briefing.json"), str(gold / "briefing.json"))
    assert code == 0
    assert "mean item F1 1.000" in out


def test_score_a_briefing_file_made_by_summarizer_merge(
    cli: Callable[..., CliResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = CASES / "example" / "gold"
    merged = tmp_path / "merged.json"
    with pytest.raises(SystemExit) as exc:
        main(["merge", *map(str, sorted(gold.glob("0*.json"))), "-o", str(merged)])
    assert exc.value.code in (0, None)
    capsys.readouterr()
    code, out, _ = cli("--score", str(merged), "--report-dir", str(tmp_path / "r"))
    assert code == 0
    assert "file:merged.json · example · briefing" in out
    assert re.search(r"conflicts\s+│\s+5 │\s+5 │ 1\.00 │ 1\.00 │ 1\.00", out), out
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    # the same numbers as the built-in merge-only run of the same gold
    code, _, _ = cli("--merge-only", "--case", "example", "--report-dir", str(tmp_path / "m"))
    built_in = json.loads((tmp_path / "m" / "report.json").read_text())
    assert code == 0
    assert report["runs"][0]["levels"] == built_in["runs"][0]["levels"]


def test_score_refuses_what_it_cannot_score(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    article = CASES / "example" / "gold" / "01_coastal_herald.json"
    code, _, err = cli("--score", str(article))
    assert code == 3 and "01_coastal_herald.json" in err and "merged briefing" in err
    stranger = tmp_path / "stranger.json"
    stranger.write_text(json.dumps({"event": {"title": "x"}, "sources": [{"id": "nope"}]}))
    code, _, err = cli("--score", str(stranger))
    assert code == 3 and "stranger.json" in err and "no evaluation case" in err
    code, _, err = cli("--score", str(stranger), "--merge-only")
    assert code == 2 and "--score runs alone" in err


def test_oracle_merge_bounds_what_the_model_pass_could_add(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "example").symlink_to(CASES / "example")
    done = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "oracle_merge.py"), "--cases-dir", str(cases)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line}
    assert lines["example:"][0].isdigit()  # questions asked
    deterministic, oracle = map(float, lines["commitments.f1"])
    assert oracle >= deterministic and oracle == 1.0


# --------------------------------------------------------------------------------------------
# The committed recordings, as CI replays them
# --------------------------------------------------------------------------------------------

_NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise RuntimeError("the replay tried to open a network connection")
socket.socket.connect = refuse
socket.create_connection = refuse
from summarizer.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
print("llama_cpp loaded:", "llama_cpp" in sys.modules)
sys.exit(code)
"""


def _committed() -> list[Path]:
    return runner.recorded_models(RECORDINGS)


@pytest.mark.skipif(not _committed(), reason="no committed recordings yet")
def test_committed_replay_needs_no_model_and_no_network(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _NO_NETWORK,
            "eval",
            "--replay",
            "--case",
            "example",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "llama_cpp loaded: False" in result.stdout
    assert "tiny demo model" in result.stdout  # presented as a plumbing check


@pytest.mark.skipif(not _committed(), reason="no committed recordings yet")
def test_committed_replay_of_the_seeds_meets_the_baseline(seeds: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _NO_NETWORK,
            "eval",
            "--replay",
            "--merge-only",
            "--case",
            "seeds",
            "--articles-dir",
            str(seeds),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "llama_cpp loaded: False" in result.stdout


def _longest_shared_run(text: str, article: str, floor: int = 80) -> int:
    """Length of the longest substring of ``text`` found in ``article`` (if >= ``floor``)."""
    best = 0
    size = floor
    for start in range(len(text) - size + 1):
        while start + size <= len(text) and text[start : start + size] in article:
            best = size
            size += 1
    return best


def _strings(value: Any) -> list[str]:
    """Every string in a recorded response, tool-call arguments parsed (even if truncated)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return [
                value,
                *_strings(jiter.from_json(value.encode(), partial_mode="trailing-strings")),
            ]
        except ValueError:
            return [value]
    return [value] if isinstance(value, str) else []


MAX_SHARED_RUN = 300  # a quote is a sentence or a clause; a paragraph would be too much


@pytest.mark.skipif(not _committed(), reason="no committed recordings yet")
def test_committed_recordings_carry_no_long_run_of_article_text() -> None:
    examples = ROOT / "examples"
    articles = [p.read_text("utf-8") for p in sorted(examples.glob("*/*.txt"))]
    seeds = seeds_dir()
    if seeds is not None:
        articles += [p.read_text("utf-8") for p in seeds.glob("*.txt")]
    # the recorded model-assisted merge of the second seeds labelling too (bench_agreement)
    second = ROOT / "eval" / "cases" / "seeds" / "second-labeller" / "recordings"
    folders = [*_committed(), *runner.recorded_models(second)]
    assert len(folders) > len(_committed())
    for folder in folders:
        for path in folder.glob("*.json"):
            assert "site-packages" not in path.read_text("utf-8"), f"{path.name}: a local path"
            record = json.loads(path.read_text("utf-8"))
            for text in _strings(record.get("response", {})):
                for article in articles:
                    assert _longest_shared_run(text, article) <= MAX_SHARED_RUN, path.name
