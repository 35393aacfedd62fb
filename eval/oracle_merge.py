"""The most the model-assisted merge pass (``--model-merge``) could add, measured with an oracle.

The merge asks ``decide(a, b)`` only about grey-zone pairs (similar, but not enough to fold on
their own). Here ``decide`` answers from the hand-labelled gold instead of a model: two texts
are "the same" when the per-article gold items that carry them were folded into one gold
briefing item. Merging the per-article gold with that oracle gives an upper bound for any real
model's answers, and counts the questions a model would be asked (each is one model call).

Run: ``python eval/oracle_merge.py [--articles-dir SEEDS]`` (default: $SUMMARIZER_SEEDS; a case
whose articles are absent is skipped, with the reason printed). No model, no network.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.evaluate.cases import Case, discover  # noqa: E402
from summarizer.evaluate.scorer import identity, score  # noqa: E402
from summarizer.merge.fold import merge  # noqa: E402
from summarizer.schema import Commitment, Evidence, Fact, OpenQuestion, Position  # noqa: E402

Item = Position | Commitment | OpenQuestion | Fact
KINDS = ("positions", "commitments", "open_questions", "facts")


def _spans(evidence: Sequence[Evidence]) -> set[tuple[str, str]]:
    return {(e.source, e.quote) for e in evidence}


def gold_labels(case: Case) -> dict[str, set[tuple[str, int]]]:
    """Each per-article item text -> the gold briefing items (kind, index) it was folded into."""
    labels: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for article in case.gold_articles.values():
        for kind in KINDS:
            golds: Sequence[Item] = getattr(case.gold_briefing, kind)
            for item in getattr(article, kind):
                mine = _spans(item.evidence)
                for i, g in enumerate(golds):
                    if mine & _spans(g.evidence):
                        labels[identity(item)].add((kind, i))
    return labels


def measure(case: Case) -> None:
    labels = gold_labels(case)
    asked: list[tuple[str, str, bool]] = []

    def oracle(a: str, b: str) -> bool:
        same = bool(labels.get(a, set()) & labels.get(b, set()))
        asked.append((a, b, same))
        return same

    extractions = list(case.gold_articles.values())
    plain = score(case.gold_briefing, merge(extractions), texts=case.texts).metrics()
    decided = score(
        case.gold_briefing, merge(extractions, decide=oracle), texts=case.texts
    ).metrics()
    distinct = {(a, b): same for a, b, same in asked}
    print(f"{case.name}: {len(distinct)} distinct grey-zone questions "
          f"({sum(distinct.values())} answered 'same' by the gold)")
    print(f"  {'metric':24} {'deterministic':>13} {'oracle decide':>13}")
    for metric in ("headline", "positions.f1", "commitments.f1", "open_questions.f1",
                   "facts.f1", "actor_accuracy", "conflict_recall"):
        if metric in plain:
            print(f"  {metric:24} {plain[metric]:13.3f} {decided[metric]:13.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles-dir", type=Path, default=None)
    parser.add_argument("--cases-dir", type=Path, default=ROOT / "eval" / "cases")
    args = parser.parse_args(argv)
    cases, skipped = discover(args.cases_dir, names=[], articles_dir=args.articles_dir)
    for s in skipped:
        print(f"skipped {s.name}: {s.reason}")
    for case in cases:
        measure(case)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
