"""Which format a briefing is written in, and the dispatch to each renderer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.render.html import to_html
from summarizer.render.markdown import to_markdown
from summarizer.render.table import to_csv, to_jsonl
from summarizer.schema import Briefing

FORMATS = ("json", "md", "html", "csv", "jsonl")
SUFFIX_FORMATS = {
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json",
    ".csv": "csv", ".jsonl": "jsonl",
}  # fmt: skip


def format_from(output: Path | None, fmt: str | None) -> str:
    """The output format: ``fmt`` when given, else from ``output``'s suffix, else JSON."""
    if fmt is None:
        suffix = output.suffix.lower() if output is not None else ""
        fmt = SUFFIX_FORMATS.get(suffix, "json")
    fmt = fmt.lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise ConfigError(f"--format: unknown format {fmt!r}; use json, md, html, csv or jsonl")
    return fmt


def render(briefing: Briefing, fmt: str, *, texts: Mapping[str, str] | None = None) -> str:
    """The briefing in ``fmt`` (json, md, html, csv or jsonl); ``texts`` (source id -> article
    text) is used by the HTML report, which otherwise reads the articles from ``Source.path``."""
    if fmt == "json":
        return to_json(briefing)
    if fmt == "md":
        return to_markdown(briefing)
    if fmt == "html":
        return to_html(briefing, texts)
    if fmt == "csv":
        return to_csv(briefing)
    if fmt == "jsonl":
        return to_jsonl(briefing)
    raise ConfigError(f"--format: unknown format {fmt!r}; use json, md, html, csv or jsonl")


def to_json(briefing: Briefing) -> str:
    return briefing.model_dump_json(indent=2) + "\n"
