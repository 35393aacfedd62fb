"""summarizer: several news articles about one event -> one structured, source-grounded briefing.

The pipeline reads top to bottom, one subpackage per stage: :mod:`~summarizer.ingest` ->
:mod:`~summarizer.extract` (through :mod:`~summarizer.model`, the only package that talks to a
model) -> :mod:`~summarizer.merge` -> :mod:`~summarizer.render`; :mod:`~summarizer.pipeline`
runs them for one event, :mod:`~summarizer.batch` for many, :mod:`~summarizer.evaluate` scores
them, :mod:`~summarizer.cli` is the command.

    >>> import summarizer
    >>> briefing = summarizer.brief(["articles/"])                       # doctest: +SKIP
    >>> print(summarizer.to_markdown(briefing))                          # doctest: +SKIP

Importing the package, the schema, the merge, the renderers or the evaluation needs neither
openai nor instructor: the names that do (``brief``, ``make_client``, ``run_batch``, ...) are
imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from summarizer.config import Settings
from summarizer.errors import (
    ConfigError,
    InputError,
    MissingRecording,
    ModelError,
    SummarizerError,
)
from summarizer.extract import aextract, extract
from summarizer.ingest import Article, load_articles
from summarizer.merge import merge
from summarizer.render import to_html, to_json, to_markdown
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

if TYPE_CHECKING:
    from summarizer.batch import BatchResult, EventSpec, arun_batch, run_batch
    from summarizer.model import ModelClient, make_client
    from summarizer.pipeline import abrief, brief

#: Public names whose modules need the model client (openai, instructor): imported on use.
_LAZY = {
    "BatchResult": "summarizer.batch",
    "EventSpec": "summarizer.batch",
    "arun_batch": "summarizer.batch",
    "run_batch": "summarizer.batch",
    "ModelClient": "summarizer.model",
    "make_client": "summarizer.model",
    "abrief": "summarizer.pipeline",
    "brief": "summarizer.pipeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
