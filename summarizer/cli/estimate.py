"""``summarizer estimate``: what a run will cost before it runs (no model is called)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from summarizer.batch.estimate import BATCH_PRICE_FACTOR, Estimate, estimate
from summarizer.batch.run import find_events
from summarizer.cli.options import BaseUrl, MaxTokens, Mode, Model, err, settings_from
from summarizer.errors import ConfigError
from summarizer.logs import setup_logging
from summarizer.model.backends import token_counter


def _events(paths: list[Path], events: bool) -> list[list[Path]]:
    """One event of all ``paths``, or with ``--events`` one per subfolder (or manifest row)
    of the one folder given, as ``summarizer batch`` reads it."""
    if not events:
        return [paths]
    if len(paths) != 1:
        raise ConfigError("--events takes one folder (one subfolder per event) or a manifest")
    return [list(spec.paths) for spec in find_events(paths[0])]


def _table(e: Estimate, price_in: float | None, price_out: float | None) -> str:
    rows = [f"articles: {e.articles} in {e.events} event{'s' * (e.events != 1)} "
            f"({e.characters:,} characters, {e.article_tokens:,} article tokens)",
            f"tokens counted with {e.counted_with}; completions predicted from the "
            "capable-model recordings", "",
            f"{'calls':>24} {'prompt tokens':>14} {'completion tokens':>18}"]  # fmt: skip
    for kind, part in [*e.by_kind.items(), ("total", e.total())]:
        rows.append(
            f"{kind:>12} {part.calls:>11,} {part.prompt_tokens:>14,} {part.completion_tokens:>18,}"
        )
    if price_in is not None and price_out is not None:
        live, batch = e.cost(price_in, price_out)
        rows += ["", f"cost at {price_in:g} / {price_out:g} per million prompt / completion "
                     f"tokens: {live:,.4f} live, {batch:,.4f} through a Batch API "
                     f"({BATCH_PRICE_FACTOR:.0%} of the live price)"]  # fmt: skip
    if e.unreadable:
        rows += ["", *(f"unreadable, not counted: {u}" for u in e.unreadable)]
    return "\n".join(rows) + "\n"


def estimate_command(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    events: Annotated[
        bool, typer.Option("--events", help="One event per subfolder (as `batch` reads ROOT).")
    ] = False,
    price_in: Annotated[
        float | None, typer.Option(help="Price per million prompt tokens (no default).")
    ] = None,
    price_out: Annotated[
        float | None, typer.Option(help="Price per million completion tokens (no default).")
    ] = None,
    consolidate: Annotated[
        bool, typer.Option(help="Count the model-assisted merge (six calls an event).")
    ] = True,
    summary: Annotated[bool, typer.Option(help="Count the summary call (one an event).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    base_url: BaseUrl = None,
    model: Model = None,
    mode: Mode = None,
    max_tokens: MaxTokens = None,
) -> None:
    """Estimate calls, tokens and (with prices) the cost of a run, before running it."""
    setup_logging(False)
    if (price_in is None) != (price_out is None):
        raise ConfigError("give both --price-in and --price-out, or neither")
    settings = settings_from(
        base_url=base_url or "http://estimate.invalid/v1",
        model=model or "estimate",
        mode=mode,
        max_tokens=max_tokens,
    )
    count, counted_with = token_counter()
    result = estimate(
        _events(paths, events),
        settings=settings,
        count=count,
        counted_with=counted_with,
        consolidate=consolidate,
        summary=summary,
    )
    if as_json:
        data = result.as_json()
        if price_in is not None and price_out is not None:
            live, batch = result.cost(price_in, price_out)
            data["cost"] = {"live": live, "batch_api": batch, "price_in": price_in,
                            "price_out": price_out}  # fmt: skip
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(_table(result, price_in, price_out))
    if not result.articles:
        err.print("error: no readable article to estimate", markup=False)
        raise typer.Exit(3)
