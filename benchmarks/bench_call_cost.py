"""Calls and tokens per event, by call kind, from a recorded set.

Run: ``python benchmarks/bench_call_cost.py [eval/recordings/capable-llm]``. Every recorded
call carries the usage its server reported; this groups them by case, by what was merged (the
model's own extractions, as ``summarizer brief`` does, or the per-article gold, as the
``merge-only`` level of a model run does) and by call kind (extraction, each label kind,
disagreements, summary), and prints calls, prompt and completion tokens. For the
capable-model set the server was ``relay.py``, which counts a quarter of the request body's
and the answer's characters: an estimate within about 10% of a BPE count on English JSON.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path


def kind_of(tag: str) -> str:
    if " labels " in tag:
        return "labels " + tag.split(" labels ", 1)[1].split(" ", 1)[0]
    found = re.search(r"\((\w+?)_v\d+\)", tag)
    return {"extract": "extraction"}.get(found.group(1), found.group(1)) if found else "other"


def main(argv: list[str]) -> None:
    root = Path(argv[0] if argv else "eval/recordings/capable-llm")
    rows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in sorted(root.glob("*.json")):
        if path.name.startswith("_"):
            continue
        data = json.loads(path.read_text("utf-8"))
        tag = str(data.get("tag", ""))
        case = tag.split("/", 1)[0]
        merged = "gold" if tag.startswith(f"{case}/gold ") else "model"
        usage = data.get("usage") or {}
        row = rows[(case, merged, kind_of(tag))]
        row[0] += 1
        row[1] += int(usage.get("prompt_tokens") or 0)
        row[2] += int(usage.get("completion_tokens") or 0)
    print(f"{'case':12} {'input':6} {'call':24} {'calls':>5} {'prompt':>8} {'completion':>10}")
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (case, merged, kind), (calls, prompt, completion) in sorted(rows.items()):
        print(f"{case:12} {merged:6} {kind:24} {calls:5} {prompt:8,} {completion:10,}")
        if kind != "extraction" and kind != "summary":
            t = totals[(case, merged)]
            t[0], t[1], t[2] = t[0] + calls, t[1] + prompt, t[2] + completion
    print("\nmerge calls (labels + disagreements) per event:")
    for (case, merged), (calls, prompt, completion) in sorted(totals.items()):
        print(f"{case:12} {merged:6} {calls:3} calls {prompt:8,} prompt {completion:8,} completion")


if __name__ == "__main__":
    main(sys.argv[1:])
