"""Batch runs: events in, briefings and run.jsonl out; cache, resume, isolation, budget, CLI.

The model is the scripted fake (tests/fakes.py) for the library tests, and the stand-in server
(benchmarks/standin_server.py, real HTTP on 127.0.0.1) for the CLI and the kill -9 test.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from benchmarks.standin_server import article_of, draft_for, start_server, stats
from summarizer.batch.run import (
    ArticleReport,
    BatchObserver,
    EventReport,
    EventSpec,
    RunStats,
    find_events,
    output_name,
    read_manifest,
)
from summarizer.batch.run import arun_batch as _arun_batch
from summarizer.batch.run import run_batch as _run_batch
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, ModelError
from tests.conftest import fake_client
from tests.fakes import ScriptedModel, merge_answer

ROOT = Path(__file__).resolve().parent.parent


# These tests are about the run (scheduling, cache, resume, reports): the scripted model
# answers extraction requests only, so the merge runs by rules unless a test asks for the
# model-assisted merge (see test_the_merge_uses_the_model_and_reports_its_calls).
run_batch = partial(_run_batch, consolidate=False)
arun_batch = partial(_arun_batch, consolidate=False)


def article(event: str, n: int) -> str:
    return (
        f"Talks on {event} resume\n\n"
        f"Minister Ilse Brandt said the {event} fund would reach {n + 3} million crowns.\n"
        f"Premier Aleksandr Voronov promised to recall {n + 2} patrol boats within a week.\n"
        f"It is not yet known who will chair the {event} commission in round {n}.\n"
    )


def make_events(root: Path, events: dict[str, int]) -> Path:
    for name, count in events.items():
        folder = root / name
        folder.mkdir(parents=True)
        for n in range(count):
            (folder / f"{name}-{n}.txt").write_text(article(name, n), "utf-8")
    return root


def answer(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The scripted model's answer: a valid draft quoting the article it was sent."""
    text = article_of(kwargs)
    if "BROKEN" in text:
        raise ModelError("the model server at http://127.0.0.1:9/v1 answered HTTP 500")
    if "BAD-KEY" in text:
        raise ConfigError("the server rejected the API key (HTTP 401)")
    return draft_for(text)


def model() -> ScriptedModel:
    return ScriptedModel(answer, repeat_last=True)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


# --------------------------------------------------------------------------------------------
# Events in
# --------------------------------------------------------------------------------------------


def test_each_subfolder_is_an_event(tmp_path: Path) -> None:
    root = make_events(tmp_path / "in", {"b": 1, "a": 2, ".hidden": 1, "_skip": 1})
    (root / "out").mkdir()
    specs = find_events(root, exclude=[root / "out"])
    assert [s.name for s in specs] == ["a", "b"]


def test_a_folder_of_articles_is_one_event(tmp_path: Path) -> None:
    folder = make_events(tmp_path, {"solo": 2}) / "solo"
    assert [s.name for s in find_events(folder)] == ["solo"]


def test_a_folder_with_nothing_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no event folders"):
        find_events(tmp_path)
    with pytest.raises(InputError, match="no such"):
        find_events(tmp_path / "missing")


def test_a_manifest_lists_events_and_their_articles(tmp_path: Path) -> None:
    make_events(tmp_path, {"x": 2, "y": 1})
    manifest = tmp_path / "events.json"
    manifest.write_text(
        json.dumps(
            {"events": [
                {"name": "first", "title": "First", "articles": ["x/x-0.txt", "y/y-0.txt"]},
                {"event": "second", "folder": "x"},
            ]}
        ),
        "utf-8",
    )  # fmt: skip
    specs = read_manifest(manifest)
    assert specs[0] == EventSpec("first", (tmp_path / "x/x-0.txt", tmp_path / "y/y-0.txt"), "First")
    assert specs[1].paths == (tmp_path / "x",)
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text('{"name": "only", "articles": ["y/y-0.txt"]}\n', "utf-8")
    assert [s.name for s in find_events(jsonl)] == ["only"]


@pytest.mark.parametrize(
    "body, problem",
    [
        ("[]", "a manifest lists events"),
        ('[{"name": "a", "articles": []}]', "non-empty list"),
        ('[{"articles": ["x"]}]', "no 'name'"),
        ('[{"name": "a", "articles": ["x"]}, {"name": "a", "articles": ["y"]}]', "repeated: a"),
        ("{not json", "cannot read"),
    ],
)
def test_a_bad_manifest_says_what_is_wrong(tmp_path: Path, body: str, problem: str) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(body, "utf-8")
    with pytest.raises(InputError, match=problem):
        read_manifest(manifest)


def test_output_names_are_safe() -> None:
    assert output_name("Talks: Day 2 / Geneva") == "Talks-Day-2-Geneva"
    assert output_name("../..") == "event"
    assert output_name("v1.2") == "v1.2"


# --------------------------------------------------------------------------------------------
# A run through the library
# --------------------------------------------------------------------------------------------


def test_a_run_writes_a_briefing_per_event_and_a_run_manifest(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2, "beta": 3})
    fake = model()
    result = run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert sorted(result.briefings) == ["alpha", "beta"]
    assert len(fake.requests) == 5
    for name in ("alpha", "beta"):
        assert (tmp_path / "out" / f"{name}.md").read_text("utf-8").strip()
        saved = json.loads((tmp_path / "out" / f"{name}.json").read_text("utf-8"))
        assert len(saved["sources"]) == (2 if name == "alpha" else 3)
    records = lines(tmp_path / "out" / "run.jsonl")
    assert sorted(r["event"] for r in records[:-1]) == ["alpha", "beta"]
    run = records[-1]
    assert run["kind"] == "run" and run["done"] == 5 and run["failed"] == 0
    assert run["tokens"] == 5 * 150 and run["model_calls"] == 5
    beta = next(r for r in records if r.get("event") == "beta")
    assert beta["status"] == "ok" and beta["tokens"] == 450
    assert [a["status"] for a in beta["articles"]] == ["done"] * 3
    assert all(a["usage"]["prompt_tokens"] == 100 for a in beta["articles"])
    assert result.report.exit_code == 0


def test_the_merge_uses_the_model_and_reports_its_calls(
    tmp_path: Path, settings: Settings
) -> None:
    def with_merge(kwargs: dict[str, Any]) -> Any:
        return merge_answer(kwargs, label=lambda _: "one label") or answer(kwargs)

    root = make_events(tmp_path / "in", {"alpha": 2})
    fake = ScriptedModel(with_merge, repeat_last=True)
    result = _run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    tools = [r["tools"][0]["function"]["name"] for r in fake.requests]
    assert tools.count("Labels") >= 1 and tools.count("Disagreements") == 1
    briefing = result.briefings["alpha"]
    assert "model's labels" in (briefing.merged_by or "")
    assert "disagreements also sought by the model" in (briefing.merged_by or "")
    [event] = [r for r in lines(tmp_path / "out" / "run.jsonl") if r.get("event") == "alpha"]
    merge_calls = len(tools) - 2
    assert event["merge_usage"]["calls"] == merge_calls
    assert event["usage"]["calls"] == 2 + merge_calls  # extraction and merge, counted once each
    # A rerun takes the extractions from the cache and asks only the merge's questions again.
    fake.requests.clear()
    _run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert "ArticleDraft" not in [r["tools"][0]["function"]["name"] for r in fake.requests]


def test_a_rerun_makes_no_model_call(tmp_path: Path, settings: Settings) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2, "beta": 2})
    first = run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    fake = model()
    again = run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert fake.requests == []
    assert again.report.cached == 4 and again.report.done == 0 and again.report.model_calls == 0
    assert again.briefings["alpha"].model_dump() == first.briefings["alpha"].model_dump()


def test_a_fully_cached_rerun_needs_no_server(tmp_path: Path, settings: Settings) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2})
    run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    # No client given: building one would probe 127.0.0.1:9 and fail; it is never built.
    again = run_batch(root, output=tmp_path / "out", settings=settings)
    assert again.report.cached == 2 and "alpha" in again.briefings


def test_a_changed_article_is_extracted_again_and_only_it(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 3})
    run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    edited = root / "alpha" / "alpha-1.txt"
    edited.write_text(edited.read_text("utf-8") + "Officials confirmed the date later on.\n")
    fake = model()
    again = run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert len(fake.requests) == 1 and again.report.cached == 2 and again.report.done == 1


def test_a_broken_article_does_not_stop_its_event_or_the_run(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 3, "beta": 2})
    broken = root / "alpha" / "alpha-1.txt"
    broken.write_text(broken.read_text("utf-8") + "BROKEN\n", "utf-8")
    result = run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    assert result.report.failed == 1 and result.report.done == 4
    assert result.report.events_partial == 1 and result.report.exit_code == 1
    alpha = result.briefings["alpha"]
    assert alpha.partial and alpha.missing_sources == ["alpha-1"]
    assert "HTTP 500" in alpha.failures[0].reason
    assert not result.briefings["beta"].partial
    report = next(e for e in result.events if e.event == "alpha")
    assert report.status == "partial" and report.missing_sources == ["alpha-1"]
    failed = [a for a in report.articles if a.status == "failed"]
    assert [a.id for a in failed] == ["alpha-1"] and "HTTP 500" in (failed[0].error or "")


def test_a_failed_article_is_tried_again_on_the_next_run(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2})
    broken = root / "alpha" / "alpha-0.txt"
    text = broken.read_text("utf-8")
    broken.write_text(text + "BROKEN\n", "utf-8")
    run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    broken.write_text(text, "utf-8")
    fake = model()
    again = run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert len(fake.requests) == 1 and again.report.exit_code == 0


def test_an_event_whose_articles_all_fail_is_reported_failed(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 1, "beta": 1})
    broken = root / "alpha" / "alpha-0.txt"
    broken.write_text(broken.read_text("utf-8") + "BROKEN\n", "utf-8")
    (root / "gamma").mkdir()
    result = run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()))
    assert sorted(result.briefings) == ["beta"]
    statuses = {e.event: e.status for e in result.events}
    assert statuses == {"alpha": "failed", "beta": "ok", "gamma": "failed"}
    gamma = next(e for e in result.events if e.event == "gamma")
    assert "no article files" in (gamma.error or "")
    assert not (tmp_path / "out" / "alpha.json").exists()
    assert result.report.exit_code == 1


def test_a_configuration_error_stops_the_run(tmp_path: Path, settings: Settings) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2})
    bad = root / "alpha" / "alpha-0.txt"
    bad.write_text(bad.read_text("utf-8") + "BAD-KEY\n", "utf-8")
    with pytest.raises(ConfigError, match="API key"):
        run_batch(root, output=tmp_path / "out", client=fake_client(settings, model()),
                  concurrency=1)  # fmt: skip
    assert lines(tmp_path / "out" / "run.jsonl")[-1]["interrupted"] is True


def test_the_token_budget_stops_starting_work_and_a_rerun_finishes(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2, "beta": 2})
    fake = model()
    stopped = run_batch(
        root,
        output=tmp_path / "out",
        client=fake_client(settings, fake),
        concurrency=1,
        token_budget=400,
    )
    # 150 tokens an article: the third would end at 450, over the budget.
    assert len(fake.requests) == 2 and stopped.report.skipped == 2
    assert stopped.report.budget_reached and stopped.report.exit_code == 5
    assert {e.event: e.status for e in stopped.events} == {"alpha": "ok", "beta": "stopped"}
    assert "beta" not in stopped.briefings
    fake = model()
    again = run_batch(root, output=tmp_path / "out", client=fake_client(settings, fake))
    assert len(fake.requests) == 2 and again.report.cached == 2 and again.report.exit_code == 0


class Recorder(BatchObserver):
    def __init__(self) -> None:
        self.log: list[str] = []
        self.started_with: tuple[int, int] | None = None

    def started(self, stats: RunStats) -> None:
        self.started_with = (stats.articles, stats.cached)

    def article_done(self, stats: RunStats, event: str, report: ArticleReport) -> None:
        self.log.append(f"article {event}/{report.id} {report.status}")

    def event_done(self, stats: RunStats, report: EventReport) -> None:
        self.log.append(f"event {report.event}")


def test_one_global_limit_and_merges_start_as_soon_as_an_event_is_in(
    tmp_path: Path, settings: Settings
) -> None:
    root = make_events(tmp_path / "in", {"a": 2, "b": 3, "c": 3})
    in_flight, peak = 0, 0

    async def slow(**kwargs: Any) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return await fake.acreate(**kwargs)

    fake = model()
    client = fake_client(settings, fake)
    client = type(client)(settings=settings, mode="tools", acreate=slow)
    observer = Recorder()
    result = run_batch(root, client=client, concurrency=3, observer=observer)
    assert peak == 3 and len(fake.requests) == 8
    assert observer.started_with == (8, 0)
    first_event = observer.log.index("event a")
    assert first_event < len(observer.log) - 4  # merged while other events' articles ran
    assert sorted(result.briefings) == ["a", "b", "c"]


def test_the_async_api_returns_briefings_and_the_report(settings: Settings, tmp_path: Path) -> None:
    make_events(tmp_path, {"x": 1})
    specs = [EventSpec("renamed", (tmp_path / "x",), title="A title")]
    result = asyncio.run(arun_batch(specs, client=fake_client(settings, model())))
    assert result.briefings["renamed"].event.title == "A title"
    assert result.report.output is None and result.report.cache_dir is None
    assert result.report.articles == 1


def test_nonsense_limits_are_configuration_errors(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(ConfigError):
        run_batch(tmp_path, client=fake_client(settings, model()), concurrency=0)
    with pytest.raises(ConfigError):
        run_batch(tmp_path, client=fake_client(settings, model()), token_budget=0)


# --------------------------------------------------------------------------------------------
# The command, against the stand-in server (real HTTP)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[str]:
    url, stop = start_server(latency=0.01)
    yield url
    stop()


@pytest.fixture
def slow_standin() -> Iterator[str]:
    url, stop = start_server(latency=0.4)
    yield url
    stop()


def requests(url: str) -> int:
    return stats(url).get("requests", 0)


def cli(url: str, root: Path, out: Path, *extra: str) -> list[str]:
    return ["batch", str(root), "-o", str(out), "--base-url", url, "--model", "standin",
            "--progress", "plain", "--no-consolidate", *extra]  # fmt: skip


# The command runs in a child process, as a user runs it: it builds a real HTTP client, which
# (until ModelClient can be closed) would leave sockets for this process's garbage collector.
COMMAND = [sys.executable, "-c", "import sys; from summarizer.cli import main; main(sys.argv[1:])"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], env=ENV, capture_output=True, text=True, timeout=120)


def start_cli(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*COMMAND, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def test_the_command_shows_progress_isolates_a_broken_article_and_resumes(
    tmp_path: Path, standin: str
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 2, "beta": 2, "gamma": 1})
    broken = root / "beta" / "beta-1.txt"
    broken.write_text(broken.read_text("utf-8") + "STANDIN-FAULT: invalid_json\n", "utf-8")
    first = run_cli(cli(standin, root, tmp_path / "out", "-c", "2"))
    assert first.returncode == 1, first.stderr
    assert "batch: 3 events, 5 articles (0 cached, 5 to extract)" in first.stderr
    assert "event alpha: ok" in first.stderr and "event beta: partial" in first.stderr
    assert "failed: beta/beta-1:" in first.stderr
    assert "4 extracted, 0 cached, 1 failed" in first.stderr
    beta = json.loads((tmp_path / "out" / "beta.json").read_text("utf-8"))
    assert beta["partial"] is True and beta["missing_sources"] == ["beta-1"]
    before = requests(standin)
    again = run_cli(cli(standin, root, tmp_path / "out"))
    assert again.returncode == 1
    assert "0 extracted, 4 cached, 1 failed" in again.stderr
    assert requests(standin) - before == 3  # only the broken article, asked and re-asked


def test_a_run_killed_with_sigkill_resumes_without_paying_twice(
    tmp_path: Path, slow_standin: str
) -> None:
    root = make_events(tmp_path / "in", {"alpha": 4, "beta": 4, "gamma": 4})
    out = tmp_path / "out"
    proc = start_cli(cli(slow_standin, root, out, "-c", "2"))
    cache = out / ".cache"
    deadline = time.monotonic() + 60
    while len(list(cache.glob("??/*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    saved = len(list(cache.glob("??/*.json")))
    assert 3 <= saved < 12
    sent = requests(slow_standin)
    result = run_cli(cli(slow_standin, root, out, "-c", "4"))
    assert result.returncode == 0, result.stderr
    assert requests(slow_standin) - sent == 12 - saved  # nothing already saved is asked again
    run = lines(out / "run.jsonl")[-1]
    assert run["cached"] == saved and run["done"] == 12 - saved and run["failed"] == 0
    assert sorted(p.name for p in out.glob("*.json")) == ["alpha.json", "beta.json", "gamma.json"]


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path, slow_standin: str) -> None:
    root = make_events(tmp_path / "in", {"alpha": 6})
    out = tmp_path / "out"
    proc = start_cli(cli(slow_standin, root, out, "-c", "1"))
    deadline = time.monotonic() + 60
    while not list((out / ".cache").glob("??/*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert b"run the same command again to resume" in err
    assert lines(out / "run.jsonl")[-1]["interrupted"] is True


def test_the_garbage_collector_is_put_back_after_a_run(tmp_path: Path, settings: Settings) -> None:
    import gc

    before = gc.get_threshold(), gc.get_freeze_count()
    make_events(tmp_path, {"x": 1})
    run_batch(tmp_path, client=fake_client(settings, model()))
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
