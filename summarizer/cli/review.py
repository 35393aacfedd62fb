"""The review commands: ``verify`` (every quote still at its offsets?) and ``diff`` (what
changed between two briefings of one event)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.options import Output, emit, err, load_briefing
from summarizer.errors import ConfigError
from summarizer.review.diff import diff_briefings
from summarizer.review.diff import to_markdown as diff_markdown
from summarizer.review.verify import verify as verify_briefing


def verify(
    briefing: Annotated[Path, typer.Argument(help="A briefing JSON.")],
    articles: Annotated[
        Path | None,
        typer.Option(help="Where the articles are now (by file name or id); else their paths."),
    ] = None,
) -> None:
    """Re-check every quote against its article at its offsets; exit 1 on any mismatch."""
    result = verify_briefing(load_briefing(briefing), articles)
    for problem in result.problems:
        err.print(f"mismatch: {problem}", markup=False, soft_wrap=True)
    summary = (
        f"{result.verified:,} of {result.quotes:,} quotes verified in {result.sources} sources"
    )
    if result.ok:
        sys.stdout.write(f"ok: {summary}\n")
        return
    sys.stdout.write(f"{len(result.problems)} problem(s); {summary}\n")
    raise typer.Exit(1)


def diff(
    old: Annotated[Path, typer.Argument(help="The earlier briefing JSON.")],
    new: Annotated[Path, typer.Argument(help="The later briefing JSON.")],
    output: Output = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or json.")] = "md",
) -> None:
    """What changed between two briefings of one event: items new and gone, stances flipped,
    statuses and figures changed, disagreements opened and settled."""
    if fmt not in ("md", "json"):
        raise ConfigError(f"--format: unknown format {fmt!r}; use md or json")
    result = diff_briefings(load_briefing(old), load_briefing(new))
    if fmt == "json":
        emit(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        emit(diff_markdown(result, old.name, new.name), output)
