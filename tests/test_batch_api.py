"""Large runs through a Batch API or batch files: every request answered once, nothing lost,
nothing submitted twice, the same briefings as the live path."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.standin_server import answer_line, start_server, stats
from summarizer.batch import offline
from summarizer.config import Settings
from summarizer.evaluate.runner import replay_client
from summarizer.extract.cache import ExtractionCache
from summarizer.ingest import load_articles
from summarizer.pipeline import brief
from tests.conftest import ROOT
from tests.test_batch import make_events

RECORDINGS = ROOT / "eval" / "recordings" / "capable-llm"
EXAMPLE = ROOT / "examples" / "harbor-accord"


def _items(briefing: Any) -> list[str]:
    return sorted(
        json.dumps(x.model_dump(exclude={"support"}), sort_keys=True)
        for kind in ("positions", "commitments", "open_questions", "facts")
        for x in getattr(briefing, kind)
    )


# --------------------------------------------------------------------------------------------
# Batch files: out, answered elsewhere, in
# --------------------------------------------------------------------------------------------


def test_a_batch_file_round_trips_to_the_live_briefing(tmp_path: Path) -> None:
    """The requests written out, answered from the capable-model recordings (as a batch runner
    would answer them), read back: the same briefing as `brief --replay` gives."""
    client = replay_client(RECORDINGS)[0]
    settings = client.settings
    root = tmp_path / "events"
    shutil.copytree(EXAMPLE, root / "harbor-accord")
    cache = ExtractionCache(tmp_path / "out" / ".cache", settings)
    requests = tmp_path / "requests.jsonl"
    lines, articles = offline.write_batch_file(root, requests, settings=settings, cache=cache)
    assert (lines, articles) == (4, 4)
    rows = [json.loads(x) for x in requests.read_text("utf-8").splitlines()]
    assert {r["url"] for r in rows} == {"/v1/chat/completions"}
    answered = []
    for row in rows:  # the batch runner: each body sent as it is, each answer kept
        answer = client._send(**row["body"])  # type: ignore[misc]
        response = {"status_code": 200, "body": answer.model_dump()}
        answered.append({"custom_id": row["custom_id"], "response": response})
    results_file = tmp_path / "results.jsonl"
    results_file.write_text("".join(json.dumps(r) + "\n" for r in answered), "utf-8")
    results = offline.Results()
    results.read(results_file.read_text("utf-8"), "results")
    run = asyncio.run(
        offline.run_with_answers(
            root, results, output=tmp_path / "out", settings=settings, fallback="batch",
            consolidate=False,
        )
    )  # fmt: skip
    assert run.report.failed == 0 and run.report.done == 4
    live = brief(load_articles([EXAMPLE]).articles, client=client, summary=False,
                 consolidate=False)  # fmt: skip
    assert _items(run.briefings["harbor-accord"]) == _items(live)
    # The report counts what the answers said they cost, line for line.
    assert run.report.usage.by_kind["extraction"].prompt_tokens == results.prompt_tokens
    assert run.report.usage.completion_tokens == results.completion_tokens
    # Everything answered is cached: the next file is empty.
    again = offline.write_batch_file(root, tmp_path / "next.jsonl", settings=settings,
                                     cache=cache)  # fmt: skip
    assert again == (0, 0)


# --------------------------------------------------------------------------------------------
# The Batch API, against the stand-in
# --------------------------------------------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[tuple[str, Any]]:
    url, stop = start_server(batch_error_rate=0.2, batch_rate=2000, seed=3)
    yield url, stop
    stop()


def _settings(url: str) -> Settings:
    return Settings(backend="openai", model="standin", base_url=url, mode="tools")


def _run_api(root: Path, out: Path, settings: Settings, **options: Any) -> Any:
    cache = ExtractionCache(out / ".cache", settings)
    return asyncio.run(
        offline.run_batch_api(root, output=out, settings=settings, cache=cache,
                              poll_seconds=0.01, **options)
    )  # fmt: skip


def test_failed_lines_are_asked_again_and_every_article_is_cached(
    tmp_path: Path, standin: tuple[str, Any]
) -> None:
    url, _ = standin
    root = make_events(tmp_path / "in", {"alpha": 6, "beta": 6})
    settings = _settings(url)
    results, state = _run_api(root, tmp_path / "out", settings, max_rounds=5)
    counts = stats(url)
    assert counts["batch_lines_failed"] > 0  # some lines failed, and were asked again
    assert counts["batches_created"] == len(state.rounds) >= 2
    assert not results.failed and results.usage_lines == 12
    run = asyncio.run(offline.run_with_answers(
        root, results, output=tmp_path / "out", settings=settings, fallback="batch",
        consolidate=False))  # fmt: skip
    assert (run.report.done, run.report.failed) == (12, 0)
    assert ExtractionCache(tmp_path / "out" / ".cache", settings).count() == 12


def test_a_rerun_picks_the_same_batch_up_and_never_submits_twice(
    tmp_path: Path, standin: tuple[str, Any]
) -> None:
    url, _ = standin
    root = make_events(tmp_path / "in", {"alpha": 4})
    settings = _settings(url)

    def die_after_submitting(line: str) -> None:
        if "submitted" in line:
            raise KeyboardInterrupt  # the process dies while the batch runs

    with pytest.raises(KeyboardInterrupt):
        _run_api(root, tmp_path / "out", settings, say=die_after_submitting)
    assert stats(url)["batches_created"] == 1
    results, state = _run_api(root, tmp_path / "out", settings, max_rounds=1)
    assert stats(url)["batches_created"] == 1 and state.rounds[0].consumed
    assert results.usage_lines + len(results.failed) == 4


def test_a_batch_submitted_but_not_saved_is_found_by_its_token(
    tmp_path: Path, standin: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = standin
    root = make_events(tmp_path / "in", {"alpha": 3})
    settings = _settings(url)
    real_save = offline.State.save

    def save(self: offline.State) -> None:
        if self.rounds and self.rounds[-1].batch_id:
            raise KeyboardInterrupt  # killed between submitting and saving the batch id
        real_save(self)

    monkeypatch.setattr(offline.State, "save", save)
    with pytest.raises(KeyboardInterrupt):
        _run_api(root, tmp_path / "out", settings)
    monkeypatch.setattr(offline.State, "save", real_save)
    _, state = _run_api(root, tmp_path / "out", settings, max_rounds=1)
    assert stats(url)["batches_created"] == 1 and state.rounds[0].batch_id == "batch_1"


def test_an_expired_batch_keeps_what_it_answered_and_names_what_remains(
    tmp_path: Path,
) -> None:
    url, stop = start_server(batch_rate=20, batch_expire_after=0.3)
    try:
        root = make_events(tmp_path / "in", {"alpha": 20})
        settings = _settings(url)
        results, state = _run_api(root, tmp_path / "out", settings)
        assert state.rounds[0].status == "expired" and len(state.rounds) == 1
        assert 0 < results.usage_lines < 20
        run = asyncio.run(offline.run_with_answers(
            root, results, output=tmp_path / "out", settings=settings, fallback="batch",
            consolidate=False))  # fmt: skip
        assert run.report.done == results.usage_lines
        assert run.report.failed == 20 - results.usage_lines  # named, exit code says partial
        assert run.report.exit_code == 1
    finally:
        stop()


def test_a_stand_in_line_is_a_chat_completion_answer() -> None:
    body = {"messages": [{"role": "user", "content": "<article>Ms. Brandt said yes.</article>"}],
            "tools": [{"function": {"name": "ArticleDraft", "parameters": {}}}]}  # fmt: skip
    ok = answer_line({"custom_id": "k:1", "body": body}, fail=False)
    assert ok["response"]["status_code"] == 200 and ok["response"]["body"]["choices"]
    bad = answer_line({"custom_id": "k:2", "body": body}, fail=True)
    assert bad["response"] is None and bad["error"]["code"] == "server_error"


def test_the_command_writes_the_file_and_reads_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli.main import main

    root = make_events(tmp_path / "in", {"alpha": 3})
    common = ["batch", str(root), "-o", str(tmp_path / "out"), "--base-url",
              "http://127.0.0.1:9/v1", "--model", "standin", "--no-consolidate",
              "--progress", "none"]  # fmt: skip
    requests = tmp_path / "requests.jsonl"
    with pytest.raises(SystemExit) as done:
        main([*common, "--batch-file-out", str(requests)])
    assert done.value.code in (0, None)
    assert "wrote 3 requests for 3 uncached articles" in " ".join(capsys.readouterr().err.split())
    rows = [json.loads(x) for x in requests.read_text("utf-8").splitlines()]
    answered = [answer_line(row, fail=n == 0) for n, row in enumerate(rows)]  # one line fails
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in answered), "utf-8")
    with pytest.raises(SystemExit) as done:
        main([*common, "--batch-file-in", str(results)])
    err = " ".join(capsys.readouterr().err.split())
    assert done.value.code == 1  # partial: the failed line's article is named
    assert "batch answers: 2" in err and "1 failed" in err and "no batch answer" in err
    with pytest.raises(SystemExit) as done:  # the next file asks only what is missing
        main([*common, "--batch-file-out", str(tmp_path / "next.jsonl")])
    assert len((tmp_path / "next.jsonl").read_text("utf-8").splitlines()) == 1
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*common, "--batch-file-in", str(tmp_path / "missing.jsonl")])
    assert done.value.code == 3 and "missing.jsonl" in capsys.readouterr().err


def test_a_cancelled_batch_keeps_what_it_answered(tmp_path: Path) -> None:
    from summarizer.model.batch_api import BatchApi

    url, stop = start_server(batch_rate=40)
    try:
        root = make_events(tmp_path / "in", {"alpha": 30})
        settings = _settings(url)

        def cancel_when_running(line: str) -> None:
            if "in_progress" in line and "batch_1" in line:
                time.sleep(0.2)  # let some lines be answered first
                BatchApi(settings).cancel("batch_1")

        results, state = _run_api(root, tmp_path / "out", settings, say=cancel_when_running)
        assert state.rounds[0].status == "cancelled" and len(state.rounds) == 1
        assert 0 < results.usage_lines < 30
    finally:
        stop()
