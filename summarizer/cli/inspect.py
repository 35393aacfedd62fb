"""The inspection commands: ``schema`` (the JSON Schemas), ``show`` (a briefing as text) and
``text`` (exactly the text that evidence offsets refer to)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from summarizer.cli.options import err, load_briefing
from summarizer.files import write_atomic
from summarizer.ingest.articles import article_text
from summarizer.render import to_markdown
from summarizer.schema import json_schemas


def schema(
    output_dir: Annotated[
        Path | None, typer.Option("--write", help="Write the JSON Schema files to this folder.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schemas of the data model."""
    schemas = json_schemas()
    if output_dir is None:
        sys.stdout.write(json.dumps(schemas, indent=2) + "\n")
        return
    for name, body in schemas.items():
        write_atomic(output_dir / name, json.dumps(body, indent=2) + "\n")
    err.print(f"wrote {len(schemas)} schema files to {output_dir}")


def show(
    briefing_file: Annotated[Path, typer.Argument(help="A briefing JSON (from `brief`).")],
    width: Annotated[int | None, typer.Option(help="Wrap at this many columns.")] = None,
) -> None:
    """Print a briefing JSON as formatted Markdown in the terminal."""
    from rich.markdown import Markdown

    markdown = to_markdown(load_briefing(briefing_file))
    Console(width=width, soft_wrap=False).print(Markdown(markdown))


def text(
    article: Annotated[Path, typer.Argument(help="An article file (.txt, .md, .html, .json).")],
    record: Annotated[
        str | None, typer.Option("--id", help="The record id, for a JSON file of several.")
    ] = None,
) -> None:
    """Print exactly the text that evidence offsets refer to (for HTML: the extracted text)."""
    body = article_text(article, record).text
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(body)
    else:
        sys.stdout.flush()
        stream.write(body.encode("utf-8"))
        stream.flush()
