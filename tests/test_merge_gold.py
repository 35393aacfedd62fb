"""Merge the hand-labelled per-article gold and compare the result with the hand-labelled
merged gold.

The matcher here is deliberately simple (the project's real scorer lives in ``eval/``): items
are matched one-to-one by an optimal assignment over a similarity of their identifying fields,
with the actor as a gate, and precision / recall / F1 are reported per item type. The floors
asserted are below the targets on purpose: they catch regressions, the printed table (run
``python -m tests.test_merge_gold``) shows where we stand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from summarizer.merge.fold import merge
from summarizer.schema import ArticleExtraction, Briefing

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "example": ROOT / "eval" / "cases" / "example" / "gold",
    "seeds": ROOT / "eval" / "cases" / "seeds" / "gold",
}
MATCH_THRESHOLD = 0.5
Row = dict[str, Any]


def load_case(gold_dir: Path) -> tuple[list[ArticleExtraction], Briefing]:
    articles = [
        ArticleExtraction.model_validate_json(p.read_text())
        for p in sorted(gold_dir.glob("*.json"))
        if p.name != "briefing.json"
    ]
    briefing = Briefing.model_validate_json((gold_dir / "briefing.json").read_text())
    return articles, briefing


def _sim(a: str | None, b: str | None) -> float:
    return fuzz.token_set_ratio((a or "").lower(), (b or "").lower()) / 100.0


def _actor_gate(gold_actors: Sequence[Row]) -> Callable[[str, str], bool]:
    """The predicted actor name must be the gold name or one of its aliases."""
    aliases: dict[str, set[str]] = {}
    for a in gold_actors:
        names = {a["name"].lower(), *(x.lower() for x in a.get("aliases", []))}
        aliases[a["name"].lower()] = names

    def same(pred: str, gold: str) -> bool:
        return pred.lower() in aliases.get(gold.lower(), {gold.lower()})

    return same


def _score(kind: str, pred: Row, gold: Row, same_actor: Callable[[str, str], bool]) -> float:
    if kind == "actors":
        names = {gold["name"].lower(), *(x.lower() for x in gold.get("aliases", []))}
        return 1.0 if pred["name"].lower() in names else 0.0
    if kind == "positions":
        if not same_actor(pred["actor"], gold["actor"]):
            return 0.0
        return 0.6 * _sim(pred["issue"], gold["issue"]) + 0.4 * _sim(pred["stance"],
                                                                     gold["stance"])
    if kind == "commitments":
        if not same_actor(pred["actor"], gold["actor"]):
            return 0.0
        return _sim(pred["action"], gold["action"])
    if kind == "open_questions":
        return _sim(pred["question"], gold["question"])
    if kind == "facts":
        return 0.5 * _sim(pred["topic"], gold["topic"]) + 0.5 * _sim(pred["value"], gold["value"])
    if kind == "conflicts":
        ps = {c["source"] for c in pred["claims"]}
        gs = {c["source"] for c in gold["claims"]}
        overlap = len(ps & gs) / max(len(ps | gs), 1)
        return 0.5 * _sim(pred["topic"], gold["topic"]) + 0.5 * overlap
    raise ValueError(kind)


def _sources_agree(kind: str, pred: Row, gold: Row) -> bool:
    if kind in ("actors", "conflicts"):
        return True
    return set(pred.get("sources", [])) == set(gold.get("sources", []))


def score(pred: Briefing, gold: Briefing) -> dict[str, dict[str, float]]:
    """P/R/F1 per item type (plus the share of matched items with exactly the gold sources)."""
    p, g = pred.model_dump(), gold.model_dump()
    same_actor = _actor_gate(g["actors"])
    out: dict[str, dict[str, float]] = {}
    for kind in ("actors", "positions", "commitments", "open_questions", "facts", "conflicts"):
        preds, golds = p[kind], g[kind]
        matched: list[tuple[int, int]] = []
        if preds and golds:
            sims = [[_score(kind, a, b, same_actor) for b in golds] for a in preds]
            rows, cols = linear_sum_assignment([[-s for s in row] for row in sims])
            matched = [(r, c) for r, c in zip(rows, cols, strict=True)
                       if sims[r][c] >= MATCH_THRESHOLD]
        tp = len(matched)
        precision = tp / len(preds) if preds else 1.0
        recall = tp / len(golds) if golds else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        exact = sum(_sources_agree(kind, preds[r], golds[c]) for r, c in matched)
        out[kind] = {"pred": len(preds), "gold": len(golds), "tp": tp, "p": precision,
                     "r": recall, "f1": f1, "sources_exact": exact / tp if tp else 0.0}
    return out


def table(scores: dict[str, dict[str, float]]) -> str:
    lines = [f"{'type':<15}{'pred':>5}{'gold':>5}{'tp':>4}{'P':>7}{'R':>7}{'F1':>7}{'src=':>7}"]
    for kind, s in scores.items():
        lines.append(
            f"{kind:<15}{s['pred']:>5.0f}{s['gold']:>5.0f}{s['tp']:>4.0f}{s['p']:>7.2f}"
            f"{s['r']:>7.2f}{s['f1']:>7.2f}{s['sources_exact']:>7.2f}"
        )
    return "\n".join(lines)


def _case_or_skip(name: str) -> tuple[list[ArticleExtraction], Briefing]:
    gold_dir = CASES[name]
    if not (gold_dir / "briefing.json").exists():
        pytest.skip(f"no merged gold yet at {gold_dir}")
    return load_case(gold_dir)


# Floors, not targets: the printed table is the report.
FLOORS = {"example": 0.75, "seeds": 0.75}


@pytest.mark.parametrize("case", sorted(CASES))
def test_merging_the_per_article_gold_reproduces_the_merged_gold(case: str) -> None:
    articles, gold = _case_or_skip(case)
    scores = score(merge(articles, title=gold.event.title), gold)
    for kind, s in scores.items():
        assert s["f1"] >= FLOORS[case], f"{case} {kind}: {s}\n{table(scores)}"


if __name__ == "__main__":
    for name, path in CASES.items():
        if (path / "briefing.json").exists():
            arts, gold_briefing = load_case(path)
            merged = merge(arts, title=gold_briefing.event.title)
            print(f"== {name} ({len(arts)} articles)")
            print(table(score(merged, gold_briefing)))
            print(json.dumps({"conflicts": [c.topic for c in merged.conflicts]}, indent=1))
