"""Without --model, brief says up front what the demo model will do and how long it will take,
and reports each article as it finishes."""

from __future__ import annotations

import pytest

from summarizer import pipeline
from summarizer.cli.briefing import _duration, _progress
from summarizer.config import DEMO_MAX_TOKENS, Settings
from summarizer.ingest import Article


def _articles(*sizes: int) -> list[Article]:
    return [Article(id=f"a{n}", text="word " * (size // 5)) for n, size in enumerate(sizes)]


def test_the_expected_time_grows_with_the_articles_and_falls_with_cores() -> None:
    low, high = pipeline.demo_seconds(_articles(3000), cores=2)
    assert (low, high) == (15.0, 100.0)  # measured on 2 cores (pipeline.DEMO_SECONDS_PER_ARTICLE)
    assert pipeline.demo_seconds(_articles(3000, 9000), cores=2) == (30.0, 200.0)
    assert pipeline.demo_seconds(_articles(3000), cores=4) == (7.5, 50.0)


def test_the_demo_model_says_what_to_expect_then_reports_each_article(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = Settings(backend="llama")
    assert demo.is_demo_model
    show = _progress(demo, verbose=False)
    assert show is not None
    articles = _articles(3000, 2000)
    show(pipeline.Progress(0, 2, articles))
    show(pipeline.Progress(1, 2, articles, articles[0], 75.0))
    err = capsys.readouterr().err
    first, second = err.strip().splitlines()
    low, high = pipeline.demo_seconds(articles)  # on this machine's cores
    assert "demo model" in first and "2 articles" in first
    assert f"expect {_duration(low)} to {_duration(high)} here" in first
    assert "--base-url URL --model NAME" in first
    assert second == "extracted 1/2: a0 (75 s)"


def test_durations_read_as_a_person_says_them() -> None:
    assert [_duration(s) for s in (0.2, 45, 200, 1500)] == ["1 s", "45 s", "3.3 min", "25 min"]


def test_a_real_model_off_a_terminal_stays_quiet() -> None:
    real = Settings(backend="openai", model="gpt-x", base_url="http://127.0.0.1:9/v1")
    assert _progress(real, verbose=False) is None
    assert _progress(real, verbose=True) is not None


def test_the_demo_model_caps_its_answers_unless_told_otherwise() -> None:
    assert Settings.from_env({}).max_tokens == DEMO_MAX_TOKENS == 768
    assert Settings.from_env({}, max_tokens=2000).max_tokens == 2000
    assert Settings.from_env({"SUMMARIZER_MAX_TOKENS": "1024"}).max_tokens == 1024
    assert Settings.from_env({}, gguf_path="x.gguf").max_tokens == 4096  # any other model
    assert Settings.from_env({}, model="m", base_url="http://h/v1").max_tokens == 4096
