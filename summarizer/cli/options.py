"""What the commands share: the stderr console, the model and output options, writing the
result, and naming on stderr what a partial briefing lacks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from summarizer.config import Settings
from summarizer.errors import InputError
from summarizer.files import write_atomic
from summarizer.render import format_from, render
from summarizer.render.table import conflicts_csv
from summarizer.schema import Briefing

err = Console(stderr=True, highlight=False)

BaseUrl = Annotated[
    str | None,
    typer.Option(help="OpenAI-compatible server URL, e.g. http://localhost:11434/v1 (Ollama)."),
]
Model = Annotated[str | None, typer.Option(help="Model name on that server, e.g. gpt-4o-mini.")]
Mode = Annotated[
    str | None, typer.Option(help="Structured output: auto, tools, json_schema, json, md_json.")
]
Gguf = Annotated[str | None, typer.Option(help="Run this GGUF file in process (llama.cpp).")]
MaxTokens = Annotated[int | None, typer.Option(help="Completion token cap per call.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="json, md, html, csv (items; conflicts beside it as NAME.conflicts.csv) or jsonl "
        "(default: from the --output suffix, else json).",
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")]


def settings_from(**options: Any) -> Settings:
    return Settings.from_env(**options)


def output_format(output: Path | None, fmt: str | None) -> str:
    return format_from(output, fmt)


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        err.print(f"wrote {output}")


def emit_briefing(briefing: Briefing, fmt: str, output: Path | None) -> None:
    """Write the briefing in ``fmt``; a CSV's conflicts go to a second sheet beside it."""
    emit(rendered(briefing, fmt), output)
    if fmt == "csv" and output is not None:
        emit(conflicts_csv(briefing), output.with_name(f"{output.stem}.conflicts.csv"))


def rendered(briefing: Briefing, fmt: str) -> str:
    """JSON, Markdown, or the HTML report (article texts read from each ``Source.path``)."""
    return render(briefing, fmt)


def warn_partial(briefing: Briefing) -> None:
    """Name on stderr what the briefing lacks: failed inputs and lists cut at max_tokens."""
    for failure in briefing.failures:
        err.print(f"warning: {failure.source}: {failure.reason}")
    for gap in briefing.gaps:
        err.print(f"warning: {gap.source}: {gap.reason}")


def load_briefing(path: Path) -> Briefing:
    """A briefing JSON, or one InputError naming the file."""
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        return Briefing.model_validate_json(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, "not a UTF-8 text file") from exc
    except ValidationError as exc:
        first = str(exc).splitlines()[:3]
        raise InputError(path, "not a briefing JSON: " + " ".join(first)) from exc
