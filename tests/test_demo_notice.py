"""Without --model, brief says up front what the demo model will do and how long it will take,
and reports each article as it finishes."""

from __future__ import annotations

import pytest

from summarizer import pipeline
from summarizer.cli.briefing import _progress
from summarizer.config import Settings
from summarizer.ingest import Article


def _articles(*sizes: int) -> list[Article]:
    return [Article(id=f"a{n}", text="word " * (size // 5)) for n, size in enumerate(sizes)]


def test_the_expected_time_grows_with_the_articles_and_falls_with_cores() -> None:
    one = pipeline.demo_minutes(_articles(3000), cores=2)
    assert pipeline.demo_minutes(_articles(3000, 3000), cores=2) == pytest.approx(2 * one)
    assert pipeline.demo_minutes(_articles(3000), cores=4) == pytest.approx(one / 2)
    assert one > 1  # minutes, not seconds: the demo model is slow


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
    assert "demo model" in first and "2 articles" in first and "expect about" in first
    assert "--base-url URL --model NAME" in first
    assert second == "extracted 1/2: a0 (1.2 min)"


def test_a_real_model_off_a_terminal_stays_quiet() -> None:
    real = Settings(backend="openai", model="gpt-x", base_url="http://127.0.0.1:9/v1")
    assert _progress(real, verbose=False) is None
    assert _progress(real, verbose=True) is not None
