"""Refusals and outputs: two articles under one id, an empty merge, an unwritable output and
events that would overwrite each other are one-line errors; outputs get ordinary permissions; a
partial event makes the batch exit non-zero; the report embeds only the article files that the
evidence verifies."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from summarizer.batch.run import EventSpec, RunReport, _specs
from summarizer.config import Settings
from summarizer.errors import InputError
from summarizer.files import write_atomic
from summarizer.render.html import to_html
from summarizer.schema import Briefing, Evidence, Position, Source
from tests.conftest import ROOT
from tests.test_cli import one_line_error, run

GOLD = ROOT / "eval/cases/example/gold"


def test_two_articles_under_one_source_id_are_refused(tmp_path: Path) -> None:
    other = json.loads((GOLD / "02_harbor_wire.json").read_text("utf-8"))
    other["source"]["id"] = "01_coastal_herald"  # what two folders' story.txt would give
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps(other), "utf-8")
    result = run("merge", str(GOLD / "01_coastal_herald.json"), str(clash))
    assert result.returncode == 3
    assert "share the source id" in one_line_error(result)


def test_merging_nothing_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("[]", "utf-8")
    result = run("merge", str(empty))
    assert result.returncode == 3
    assert "no extractions" in one_line_error(result)


def test_a_model_name_never_falls_back_to_the_demo_model() -> None:
    settings = Settings.from_env({}, model="gpt-4o-mini")
    assert settings.backend == "openai" and not settings.is_demo_model


def test_unwritable_output_is_one_line_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    result = run("merge", str(GOLD / "01_coastal_herald.json"), "-o", str(blocker / "out.json"))
    assert result.returncode == 3
    assert "out.json" in one_line_error(result)


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "briefing.md"
    write_atomic(target, "# hi\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_a_partial_event_makes_the_batch_exit_non_zero() -> None:
    assert RunReport(events=2, events_ok=2).exit_code == 0
    assert RunReport(events=2, events_ok=1, events_partial=1).exit_code == 1


def test_events_that_would_overwrite_each_other_are_refused(tmp_path: Path) -> None:
    specs = [EventSpec(name="Talks: day 1", paths=[]), EventSpec(name="Talks day 1", paths=[])]
    with pytest.raises(InputError, match="both be written"):
        _specs(specs, tmp_path)


def _briefing(path: str, quote: str, start: int) -> Briefing:
    ev = Evidence(source="a", quote=quote, start=start, end=start + len(quote))
    position = Position(actor="X", issue="i", stance="s", sources=["a"], evidence=[ev])
    return Briefing(sources=[Source(id="a", path=path)], positions=[position])


def test_the_report_embeds_only_article_files_that_the_evidence_verifies(tmp_path: Path) -> None:
    secret = tmp_path / "secret.conf"
    secret.write_text("root:x:0:0:secret line\n", "utf-8")
    assert "secret line" not in to_html(_briefing(str(secret), "root:x:0", 0))  # not an article
    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nThe minister said the plan works.\n", "utf-8")
    assert "The minister said" in to_html(_briefing(str(article), "The minister said", 10))
    wrong = to_html(_briefing(str(article), "The minister said", 0))  # offsets do not match
    assert "The minister said the plan works" not in wrong
