"""Evaluation: gold cases, a scorer that explains its misses, recorded runs and reports.

``summarizer eval`` (see :mod:`summarizer.cli.eval`) is the command; the pieces are:

* :mod:`~summarizer.evaluate.scorer` -- pure matching and metrics (also labeller agreement);
* :mod:`~summarizer.evaluate.cases` -- load ``case.json``, the gold files and the articles;
* :mod:`~summarizer.evaluate.runner` -- merge-only, record and replay runs, the baseline;
* :mod:`~summarizer.evaluate.report` -- the terminal table, the JSON and the Markdown reports.
"""

from __future__ import annotations

from summarizer.evaluate.scorer import (
    Agreement,
    Scorecard,
    ScoreConfig,
    agreement,
    score,
    score_all,
)

__all__ = ["Agreement", "ScoreConfig", "Scorecard", "agreement", "score", "score_all"]
