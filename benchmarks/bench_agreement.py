"""How far two labellers agree on the seeds: the ceiling for any score against their gold.

Run: ``python benchmarks/bench_agreement.py [ARTICLES_DIR]`` (else ``$SUMMARIZER_SEEDS``).
``--record URL`` records the model-assisted merge's calls from a server (see below).

``eval/cases/seeds/second-labeller/`` holds a second, independent labelling of the five seed
articles: one session per article that read only ``eval/GUIDELINES.md`` and that article (not
the first labeller's gold, the pipeline, its prompts or its rules). Its quotes are stored as
offsets only, so the folder holds none of an article's text; they are restored here from the
articles. The second labeller is then scored exactly as the pipeline is:

* **articles**: each of its files against the first labeller's file of that article
  (the ``articles`` level of ``summarizer eval``);
* **briefing**: its files merged by the rules (offline, no model) against the gold briefing;
* **briefing, merged with the model's help**: its files merged as ``summarizer brief`` merges a
  model's extractions (:func:`summarizer.pipeline.labelled_merge`: label and disagreements
  calls), replayed from ``second-labeller/recordings/capable-llm/`` (answered like the eval's
  capable-model set, one helper per request; ``_run.json`` says so). This is the fair
  comparison for the pipeline's briefing: the same merge, a second human's extractions.

If two careful labellers following one guideline agree at some level, a model cannot be
expected to agree with either of them much beyond it: that is what the figures are for.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from summarizer.schema import ITEM_KINDS as KINDS

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "eval" / "cases" / "seeds" / "second-labeller"
RECORDED = SECOND / "recordings"
MODEL = "capable-llm"
CASE = "seeds"
TAG = f"{CASE}/second-labeller"


def with_quotes(data: dict[str, Any], text: str) -> dict[str, Any]:
    """The stored file with each evidence quote restored from the article at its offsets."""
    for kind in KINDS:
        for item in data[kind]:
            for ev in item["evidence"]:
                ev["quote"] = text[ev["start"] : ev["end"]]
    data.pop("note", None)
    return data


def _client(record: str | None) -> tuple[Any, Any] | None:
    """A client for the model-assisted merge and its recordings: recording from ``record`` (a
    server URL), else replaying ``RECORDED``; None when nothing is recorded."""
    from summarizer.evaluate.runner import (
        prepare_recording,
        recording_client,
        replay_client,
        replay_settings,
    )

    if record is None:
        folder = RECORDED / MODEL
        return replay_client(folder) if (folder / "_run.json").is_file() else None
    info = json.loads((ROOT / "eval" / "recordings" / MODEL / "_run.json").read_text("utf-8"))
    settings = replay_settings({**info, "base_url": record})
    client, recordings = recording_client(settings, RECORDED)
    prepare_recording(recordings, client, [CASE])
    return client, recordings


def main(argv: list[str]) -> int:
    from summarizer.evaluate.cases import discover
    from summarizer.evaluate.runner import unused_recordings
    from summarizer.evaluate.scorer import Scorecard, score, score_all
    from summarizer.merge.fold import merge
    from summarizer.pipeline import labelled_merge
    from summarizer.schema import ArticleExtraction

    record = None
    if argv[:1] == ["--record"]:
        if len(argv) < 2:
            print("--record needs the server URL", file=sys.stderr)
            return 2
        record, argv = argv[1], argv[2:]
    folder = Path(argv[0]) if argv else Path(os.environ.get("SUMMARIZER_SEEDS", ""))
    if not folder.is_dir():
        print("give the seed articles' folder (or set SUMMARIZER_SEEDS)", file=sys.stderr)
        return 2
    cases, skipped = discover(ROOT / "eval" / "cases", names=["seeds"], articles_dir=folder)
    if not cases:
        print(f"the seeds case could not be loaded: {skipped}", file=sys.stderr)
        return 2
    case = cases[0]
    pairs = []
    for sid, gold in case.gold_articles.items():
        data = json.loads((SECOND / f"{sid}.json").read_text("utf-8"))
        second = ArticleExtraction.model_validate(with_quotes(data, case.texts[sid]))
        pairs.append((gold, second))

    def show(title: str, card: Scorecard) -> None:
        print(f"{title}: headline {card.headline:.3f}")
        for kind, c in card.kinds.items():
            print(f"  {kind:15} first {c.gold:3}  second {c.predicted:3}  "
                  f"F1 {c.f1:.2f}  strict F1 {c.strict_f1:.2f}")  # fmt: skip
        if card.conflict_recall is not None:
            print(f"  conflict recall {card.conflict_recall:.2f}")
        print(f"  actor accuracy {card.actor_accuracy:.2f}")

    show("articles (second labeller scored against the first)", score_all(pairs, texts=case.texts))
    seconds = [second for _, second in pairs]
    show(
        "briefing (second labeller's files merged by the rules, against the gold briefing)",
        score(case.gold_briefing, merge(seconds), texts=case.texts),
    )
    made = _client(record)
    if made is None:
        print(f"(no recorded model-assisted merge under {RECORDED}: record it with --record URL)")
        return 0
    client, recordings = made
    assisted = labelled_merge(seconds, client, title=case.title, tag=TAG)
    print(f"(merged by: {assisted.merged_by})")
    if record is None:
        # as the eval does: a recording the replay never asked for is stale (re-record)
        for name in unused_recordings(recordings, [CASE]):
            print(f"stale recording: {name}")
    show(
        "briefing (second labeller's files merged with the model's help, against the gold "
        "briefing)",
        score(case.gold_briefing, assisted, texts=case.texts),
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
