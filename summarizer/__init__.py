"""summarizer: several news articles about one event -> one structured, source-grounded briefing.

The pipeline reads top to bottom: ingest -> extract -> ground -> merge -> render.

    >>> import summarizer
    >>> briefing = summarizer.brief(["articles/"])                       # doctest: +SKIP
    >>> print(summarizer.to_markdown(briefing))                          # doctest: +SKIP
"""

from __future__ import annotations

from summarizer.batch import BatchResult, EventSpec, arun_batch, run_batch
from summarizer.client import ModelClient, make_client
from summarizer.config import Settings
from summarizer.errors import (
    ConfigError,
    InputError,
    MissingRecording,
    ModelError,
    SummarizerError,
)
from summarizer.extract import aextract, extract
from summarizer.html_report import to_html
from summarizer.ingest import Article, load_articles
from summarizer.merge import merge
from summarizer.pipeline import abrief, brief
from summarizer.render import to_json, to_markdown
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Briefing,
    Commitment,
    Conflict,
    Evidence,
    OpenQuestion,
    Position,
    Source,
)

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Article",
    "ArticleExtraction",
    "BatchResult",
    "Briefing",
    "Commitment",
    "ConfigError",
    "Conflict",
    "EventSpec",
    "Evidence",
    "InputError",
    "MissingRecording",
    "ModelClient",
    "ModelError",
    "OpenQuestion",
    "Position",
    "Settings",
    "Source",
    "SummarizerError",
    "__version__",
    "abrief",
    "aextract",
    "arun_batch",
    "brief",
    "extract",
    "load_articles",
    "make_client",
    "merge",
    "run_batch",
    "to_html",
    "to_json",
    "to_markdown",
]
