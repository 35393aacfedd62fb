"""The capable-model samples (``benchmarks/bench_samples.py``): each set answered the same
requests as the first one, says what produced it, and the benchmark prints their spread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_samples import PREFIX, main

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "eval" / "recordings"
SAMPLES = sorted(p.parent for p in RECORDINGS.glob(f"{PREFIX}*/_run.json"))


def _run(folder: Path) -> dict[str, object]:
    return json.loads((folder / "_run.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _first_requests(folder: Path, case: str) -> list[str]:
    """The calls that do not depend on an earlier answer of the same sample: one extraction per
    article and the merge calls over the case's gold. Their recorded request shape (prompt
    version, each message's role and length, the settings) must be the same in every sample."""
    out = []
    for path in folder.glob("*.json"):
        if path.name == "_run.json":
            continue
        data = json.loads(path.read_text("utf-8"))
        tag = str(data["tag"]).split(" ")[0]
        if tag.startswith(f"{case}/") and tag not in (f"{case}/merge", f"{case}/summary"):
            out.append(json.dumps([tag, data["prompt"], data["request"]], sort_keys=True))
    return sorted(out)


def test_every_sample_answered_the_same_requests_as_the_first() -> None:
    assert [p.name for p in SAMPLES][:2] == ["capable-llm", "capable-llm-b"]
    first = SAMPLES[0]
    for sample in SAMPLES[1:]:
        cases = _run(sample)["cases"]
        assert isinstance(cases, list) and cases
        for case in cases:
            mine = _first_requests(sample, case)
            assert mine, f"{sample.name} has no recorded extraction for {case}"
            assert mine == _first_requests(first, case), (
                f"{sample.name} answered other requests than {first.name} for {case}: "
                "re-record both after a change to prompts, schema or ingest"
            )


def test_every_sample_says_what_produced_it() -> None:
    for sample in SAMPLES:
        produced = _run(sample).get("produced_by")
        assert isinstance(produced, dict), sample.name
        assert produced.get("edited_by_hand") == "never"
        assert "alone" in str(produced.get("what")), "each request answered alone"


def test_the_benchmark_prints_each_sample_and_the_spread(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(seeds)]) == 0
    out = capsys.readouterr().out
    for case in ("seeds", "lorvik-loan"):
        assert f"{case}: 2 samples (capable-llm, capable-llm-b)" in out
    assert "spread" in out and "briefing headline" in out and "conflict recall" in out
