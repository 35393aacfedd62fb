"""The second labelling of the seeds (the agreement ceiling, benchmarks/bench_agreement.py):
its files hold no article text, and restored from the articles they are valid gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_agreement import KINDS, SECOND, main, with_quotes
from summarizer.schema import ArticleExtraction


def test_the_second_labelling_stores_offsets_not_quotes() -> None:
    files = sorted(SECOND.glob("*.json"))
    assert len(files) == 5
    for path in files:
        data = json.loads(path.read_text("utf-8"))
        assert "GUIDELINES" in data["labelled_by"]
        evidence = [ev for kind in KINDS for item in data[kind] for ev in item["evidence"]]
        assert evidence and all("quote" not in ev and ev["end"] > ev["start"] for ev in evidence)


def test_restored_from_the_articles_it_is_valid_gold(seeds: Path) -> None:
    for path in sorted(SECOND.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        text = (seeds / f"{data['source']['id']}.txt").read_text("utf-8")
        restored = ArticleExtraction.model_validate(with_quotes(data, text))
        for kind in KINDS:
            for item in getattr(restored, kind):
                assert item.evidence and all(ev.quote.strip() for ev in item.evidence)


def test_the_benchmark_prints_both_levels(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(seeds)]) == 0
    out = capsys.readouterr().out
    assert "articles (second labeller" in out and "briefing (second labeller" in out
    # the model-assisted merge of the second labelling is recorded, so it is replayed, not skipped
    assert "merged with the model's help" in out and "no recorded model-assisted" not in out
    merged_by = out.split("(merged by: ", 1)[1].split(")\n", 1)[0]
    assert "rules alone" not in merged_by and "disagreements also sought by the model" in merged_by
    assert "stale recording" not in out
