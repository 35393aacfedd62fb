"""How far the quality figures move between two samples of the same capable model.

Run: ``python benchmarks/bench_samples.py [ARTICLES_DIR]`` (else ``$SUMMARIZER_SEEDS``).

Every recorded set under ``eval/recordings/`` whose folder name starts with ``capable-llm``
holds one sample of a capable model's answers: each request was answered once, by a session
that read that request alone (see each set's ``_run.json``). Two sets that answered the *same*
requests independently are two draws from the same model. Replaying both and scoring them
against the same gold shows how much of any difference between two runs is the model varying
between samples rather than a change to the pipeline: a prompt change that moves a figure by
less than this spread has not been shown to do anything.

For each case covered by two or more samples, it prints each sample's headline at the three
levels of ``summarizer eval`` (briefing, articles, merge-only with the model), the briefing's
strict F1 and item count per kind, conflict recall, and the spread (largest minus smallest).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from summarizer.schema import ITEM_KINDS as KINDS

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "capable-llm"


def main(argv: list[str]) -> int:
    from summarizer.evaluate.cases import discover
    from summarizer.evaluate.runner import (
        CaseRun,
        recorded_cases,
        recorded_models,
        replay_client,
        run_model,
    )

    folder = Path(argv[0]) if argv else Path(os.environ.get("SUMMARIZER_SEEDS", ""))
    if not folder.is_dir():
        print("give the seed articles' folder (or set SUMMARIZER_SEEDS)", file=sys.stderr)
        return 2
    cases, skipped = discover(ROOT / "eval" / "cases", articles_dir=folder)
    for s in skipped:
        print(f"skipped: {s}", file=sys.stderr)
    samples = [
        p for p in recorded_models(ROOT / "eval" / "recordings") if p.name.startswith(PREFIX)
    ]
    runs: dict[str, dict[str, CaseRun]] = {}
    for sample in samples:
        covered = recorded_cases(sample)
        client, _ = replay_client(sample)
        for case in cases:
            if covered is None or case.name in covered:
                runs.setdefault(case.name, {})[sample.name] = run_model(case, client)
    shown = 0
    for case_name, by_sample in sorted(runs.items()):
        if len(by_sample) < 2:
            continue
        shown += 1
        names = sorted(by_sample)
        print(f"\n{case_name}: {len(names)} samples ({', '.join(names)})")
        rows: list[tuple[str, list[float | int | None]]] = []
        for level in ("briefing", "articles", "merge-only"):
            cards = [by_sample[n].levels().get(level) for n in names]
            rows.append((f"{level} headline", [c.headline if c else None for c in cards]))
        first = by_sample[names[0]].briefing
        for kind in KINDS:
            counts = [by_sample[n].briefing.kinds[kind] for n in names]
            rows.append((f"briefing {kind} strict F1", [c.strict_f1 for c in counts]))
            rows.append((f"briefing {kind} count (gold {first.kinds[kind].gold})",
                         [c.predicted for c in counts]))  # fmt: skip
        recall = [by_sample[n].briefing.conflict_recall for n in names]
        rows.append(("briefing conflict recall", recall))
        width = max(len(label) for label, _ in rows)
        print(f"  {'':{width}}  " + "  ".join(f"{n:>14}" for n in names) + "  " + f"{'spread':>7}")
        for label, values in rows:
            cells = "  ".join(f"{_fmt(v):>14}" for v in values)
            known = [v for v in values if v is not None]
            spread = max(known) - min(known) if len(known) == len(values) else None
            print(f"  {label:{width}}  {cells}  {_fmt(spread):>7}")
    if not shown:
        print("no case is covered by two capable-model samples", file=sys.stderr)
        return 1
    return 0


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
