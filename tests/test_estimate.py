"""``summarizer estimate``: calls and tokens before a run, counted on the requests the pipeline
would send; completions, merge and summary predicted from the recordings' constants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.batch import estimate as est
from summarizer.cli.main import main
from summarizer.config import Settings
from tests.conftest import ROOT

SETTINGS = Settings(backend="openai", model="m", base_url="http://127.0.0.1:9/v1")
EXAMPLE = sorted((ROOT / "examples" / "harbor-accord").glob("*.txt"))


def _chars(text: str) -> int:
    return len(text)


def test_prompts_are_counted_on_the_requests_and_the_rest_predicted() -> None:
    e = est.estimate([EXAMPLE], settings=SETTINGS, count=_chars, counted_with="chars")
    assert (e.articles, e.events) == (4, 1)
    extraction, merge, summary = (e.by_kind[k] for k in ("extraction", "merge", "summary"))
    assert extraction.calls == 4 and merge.calls == est.MERGE_CALLS and summary.calls == 1
    # Every request carries the system prompt, the tool schema and its article.
    assert extraction.prompt_tokens > sum(len(p.read_text("utf-8")) for p in EXAMPLE)
    answers = extraction.completion_tokens
    # (answers are rounded per article; the merge takes their unrounded sum)
    assert merge.prompt_tokens == pytest.approx(est.MERGE_PROMPT_RATIO * answers, rel=1e-3)
    assert e.total().calls == 4 + 6 + 1


def test_one_article_has_no_merge_and_options_drop_calls() -> None:
    one = est.estimate([EXAMPLE[:1]], settings=SETTINGS, count=_chars, counted_with="chars")
    assert "merge" not in one.by_kind and one.by_kind["summary"].calls == 1
    bare = est.estimate(
        [EXAMPLE], settings=SETTINGS, count=_chars, counted_with="c", consolidate=False,
        summary=False,
    )  # fmt: skip
    assert set(bare.by_kind) == {"extraction"}


def test_the_cost_live_and_through_a_batch_api() -> None:
    e = est.Estimate(by_kind={"extraction": est.Part(1, 2_000_000, 1_000_000)})
    assert e.cost(2.5, 10.0) == (15.0, 7.5)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["estimate", *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_the_command_prints_a_table_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(ROOT / "examples"), "--events", "--json",
                        "--price-in", "1", "--price-out", "4")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["events"] == 2 and data["articles"] == 9
    assert data["cost"]["batch_api"] == pytest.approx(data["cost"]["live"] / 2)
    code, out, _ = _run(capsys, *map(str, EXAMPLE))
    assert code == 0 and "extraction" in out and "total" in out and "cost" not in out


def test_bad_options_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(EXAMPLE[0]), "--price-in", "1")
    assert code == 2 and err.strip().count("\n") == 0 and "--price-out" in err
    (tmp_path / "empty.txt").write_text("", "utf-8")
    code, _, err = _run(capsys, str(tmp_path / "empty.txt"))
    assert code == 3 and "no readable article" in err


def test_on_the_seeds_the_estimate_is_within_ten_percent_of_the_recorded_calls(
    seeds: Path,
) -> None:
    from benchmarks.bench_estimate import recorded
    from summarizer.model.backends import token_counter

    count, how = token_counter()
    files = sorted(seeds.glob("*.txt"))
    e = est.estimate([files], settings=SETTINGS, count=count, counted_with=how).total()
    rec = recorded("seeds")
    calls, prompt, completion = (sum(r[i] for r in rec.values()) for i in range(3))
    assert e.calls == calls
    assert abs(e.prompt_tokens - prompt) / prompt < 0.10, (e.prompt_tokens, prompt)
    assert abs(e.completion_tokens - completion) / completion < 0.10


def test_the_constants_are_what_the_recordings_give(seeds: Path) -> None:
    from benchmarks.bench_estimate import derive
    from summarizer.model.backends import token_counter

    count, _ = token_counter()
    cases = {"seeds": seeds, "example": EXAMPLE[0].parent,
             "lorvik-loan": ROOT / "examples" / "lorvik-loan"}  # fmt: skip
    for name, value in derive(cases, count).items():
        assert getattr(est, name) == pytest.approx(value, rel=0.01), name
