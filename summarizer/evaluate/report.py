"""Evaluation reports: a terminal table (rich), a JSON report, a Markdown report.

All three show, per run (merge-only, or a model) and case: precision, recall and F1 per item
type, lenient and strict; actor resolution accuracy, conflict recall and grounding rate; the
headline (mean strict F1); and the misses -- gold items not found, predicted items not in gold,
matched items with a wrong attribute -- each with its nearest candidate and similarity.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from summarizer.evaluate.cases import Skipped
from summarizer.evaluate.runner import CaseRun, Regression
from summarizer.evaluate.scorer import Counts, Miss, Scorecard
from summarizer.files import write_atomic
from summarizer.render.markdown import md_escape
from summarizer.schema import ITEM_KINDS

PLUMBING_NOTE = (
    "tiny demo model: these scores check that recording, replay and scoring work end to end; "
    "they say nothing about the quality a real model would reach"
)


@dataclass
class Outcome:
    """Everything one `summarizer eval` invocation produced."""

    runs: list[CaseRun] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    threshold: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.stale)


def _rows(card: Scorecard) -> list[tuple[str, Counts]]:
    rows: list[tuple[str, Counts]] = [
        (kind.replace("_", " "), card.kinds[kind]) for kind in ITEM_KINDS
    ]
    rows.append(("actors", card.actors))
    if card.conflicts.gold or card.conflicts.predicted:
        rows.append(("conflicts", card.conflicts))
    return rows


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _details(card: Scorecard) -> str:
    return (
        f"actor accuracy {_pct(card.actor_accuracy)} · conflict recall "
        f"{_pct(card.conflict_recall)} · grounding {_pct(card.grounding)}"
    )


def _summary(card: Scorecard) -> str:
    return f"headline (mean strict F1) {card.headline:.3f} · {_details(card)}"


def _title(run: CaseRun, level: str) -> str:
    return f"{run.run} · {run.case} · {level}"


# --------------------------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------------------------


def _table(run: CaseRun, level: str, card: Scorecard) -> Table:
    table = Table(title=_title(run, level), caption=_summary(card), title_justify="left")
    table.add_column("item", no_wrap=True)
    for name in ("gold", "pred", "P", "R", "F1", "strict P", "strict R", "strict F1"):
        table.add_column(name, justify="right")
    for name, c in _rows(card):
        table.add_row(
            name,
            str(c.gold),
            str(c.predicted),
            _pct(c.precision),
            _pct(c.recall),
            _pct(c.f1),
            _pct(c.strict_precision),
            _pct(c.strict_recall),
            _pct(c.strict_f1),
        )
    return table


def _miss_line(miss: Miss) -> str:
    where = f"[{miss.source}] " if miss.source else ""
    label = "gold" if miss.side == "attribute" else "nearest"
    near = f" — {label}: {miss.nearest} ({miss.similarity})" if miss.nearest else ""
    return f"{miss.kind} · {miss.side}: {where}{miss.item} — {miss.why}{near}"


def _say(console: Console, text: str) -> None:
    """A plain line: no markup, no highlighting, never wrapped (CI logs stay greppable)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def print_outcome(console: Console, outcome: Outcome, *, misses: int = 10) -> None:
    """The tables, the first ``misses`` misses of each, skips, regressions and stale files."""
    for skipped in outcome.skipped:
        _say(console, f"skipped case {skipped.name}: {skipped.reason}")
    for run in outcome.runs:
        for level, card in run.levels().items():
            console.print(_table(run, level, card))
            for miss in card.misses[:misses]:
                _say(console, "  " + _miss_line(miss))
            if len(card.misses) > misses:
                _say(console, f"  … {len(card.misses) - misses} more misses in the reports")
        for failure in run.failures:
            _say(console, f"  failed article: {failure}")
        if run.notice:
            _say(console, f"  note: {PLUMBING_NOTE}")
    for line in outcome.stale:
        _say(console, f"stale recording (never replayed; re-record): {line}")
    for regression in outcome.regressions:
        _say(console, f"REGRESSION: {regression}")


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


def _counts_json(c: Counts) -> dict[str, Any]:
    return {
        **asdict(c),
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
        "strict_precision": round(c.strict_precision, 4),
        "strict_recall": round(c.strict_recall, 4),
        "strict_f1": round(c.strict_f1, 4),
    }


def _card_json(card: Scorecard) -> dict[str, Any]:
    return {
        "metrics": card.metrics(),
        "counts": {name: _counts_json(c) for name, c in _rows(card)},
        "grounding": {
            "verified": card.items_verified,
            "kept": card.items_checked,
            "dropped": card.items_dropped,
        },
        "misses": [asdict(m) for m in card.misses],
    }


def to_json(outcome: Outcome) -> str:
    """The full report as JSON (every miss included)."""
    body = {
        "threshold": outcome.threshold,
        "runs": [
            {
                "run": run.run,
                "case": run.case,
                "model": run.model,
                "notice": PLUMBING_NOTE if run.notice else None,
                "failures": run.failures,
                "usage": run.usage.model_dump() if run.usage else None,
                "levels": {level: _card_json(card) for level, card in run.levels().items()},
            }
            for run in outcome.runs
        ],
        "skipped": [asdict(s) for s in outcome.skipped],
        "regressions": [asdict(r) for r in outcome.regressions],
        "stale_recordings": outcome.stale,
        "failed": outcome.failed,
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------


def _md_table(card: Scorecard) -> list[str]:
    lines = [
        "| item | gold | pred | P | R | F1 | strict P | strict R | strict F1 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, c in _rows(card):
        cells = [
            name,
            str(c.gold),
            str(c.predicted),
            _pct(c.precision),
            _pct(c.recall),
            _pct(c.f1),
            _pct(c.strict_precision),
            _pct(c.strict_recall),
            _pct(c.strict_f1),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


_SIDES = {
    "gold": "Gold items not found",
    "predicted": "Predicted items not in gold",
    "attribute": "Matched, but not strictly right",
}


def _md_misses(card: Scorecard) -> list[str]:
    lines: list[str] = []
    for side, heading in _SIDES.items():
        misses = [m for m in card.misses if m.side == side]
        if not misses:
            continue
        lines += ["", f"**{heading}** ({len(misses)})", ""]
        lines += [f"- {md_escape(_miss_line(m))}" for m in misses]
    return lines


def to_markdown(outcome: Outcome) -> str:
    """A report a person can read: a section per run and case, its table and its misses."""
    lines = [
        "# Evaluation report",
        "",
        f"Items match when their identifying fields reach similarity "
        f"{outcome.threshold:.2f} (actor as a gate). Strict also needs the key attribute "
        "and a quote that verifies in the article. Headline: mean strict F1 over "
        "positions, commitments, open questions and facts.",
    ]
    for skipped in outcome.skipped:
        lines += ["", f"> Skipped case **{skipped.name}**: {md_escape(skipped.reason)}"]
    for run in outcome.runs:
        for level, card in run.levels().items():
            lines += ["", f"## {md_escape(_title(run, level))}", ""]
            if run.notice:
                lines += [f"> {PLUMBING_NOTE}.", ""]
            lines += [f"**Headline (mean strict F1) {card.headline:.3f}** · {_details(card)}", ""]
            lines += _md_table(card)
            lines += _md_misses(card)
        if run.failures:
            lines += ["", "Failed articles:", ""]
            lines += [f"- {md_escape(f)}" for f in run.failures]
    if outcome.regressions or outcome.stale:
        lines += ["", "## Problems", ""]
        lines += [f"- regression: {md_escape(str(r))}" for r in outcome.regressions]
        lines += [f"- stale recording: {md_escape(s)}" for s in outcome.stale]
    return "\n".join(lines) + "\n"


def write_reports(folder: Path, outcome: Outcome) -> list[Path]:
    """Write ``report.json`` and ``report.md`` into ``folder``."""
    paths = [folder / "report.json", folder / "report.md"]
    write_atomic(paths[0], to_json(outcome))
    write_atomic(paths[1], to_markdown(outcome))
    return paths


def headline_lines(runs: Sequence[CaseRun]) -> list[str]:
    """One line per run and case: the numbers a commit message or a PR would quote."""
    return [
        f"{run.run} / {run.case} / {level}: headline {card.headline:.3f}"
        for run in runs
        for level, card in run.levels().items()
    ]
