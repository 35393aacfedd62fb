"""``summarizer estimate`` against what the capable-model recordings used, per event.

Run: ``python benchmarks/bench_estimate.py [--seeds ../shared/seeds]``. For each recorded
case whose articles are here (the seeds, the two examples), it estimates the run (as
``summarizer estimate`` does: prompts counted on the exact requests, completions, merge and
summary predicted from :mod:`summarizer.batch.estimate`'s constants) and prints it beside the
usage the recorded calls reported, by kind, with the difference. The recorded usage was
counted by ``relay.py`` (a quarter of the characters of the request body and the answer),
the estimate with SmolLM2's BPE tokenizer where installed: the two counters differ by about
10% on the extraction prompts (the JSON body's escapes), which this shows as it is.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_call_cost import kind_of  # noqa: E402
from benchmarks.bench_prompt_tokens import answer_tokens, captured_request  # noqa: E402
from summarizer.batch import estimate as constants  # noqa: E402
from summarizer.batch.estimate import estimate  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.ingest import load_articles  # noqa: E402
from summarizer.model.backends import token_counter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def recorded(case: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in (ROOT / "eval" / "recordings" / "capable-llm").glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        tag = str(data.get("tag", ""))
        if path.name.startswith("_") or not tag.startswith(f"{case}/") or "/gold " in tag:
            continue
        kind = kind_of(tag)
        kind = "merge" if kind.startswith("labels") or kind == "disagreements" else kind
        usage = data.get("usage") or {}
        row = out[kind]
        row[0] += 1
        row[1] += int(usage.get("prompt_tokens") or 0)
        row[2] += int(usage.get("completion_tokens") or 0)
    return out


def derive(cases: dict[str, Path], count: Any) -> dict[str, float]:
    """The estimate's constants, computed from the recordings: a least-squares line from the
    tokens of each article's request (its user message) to the tokens of its recorded answer,
    and the merge's and summary's usage against the extraction's, pooled over the cases."""
    folder = ROOT / "eval" / "recordings" / "capable-llm"
    xs: list[float] = []
    ys: list[float] = []
    for path in cases.values():
        for article in load_articles(sorted(path.glob("*.txt"))).articles:
            request = captured_request(article)
            answer = answer_tokens(folder, request, count)
            if answer is not None:
                xs.append(count(str(request["messages"][-1]["content"])))
                ys.append(answer)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    used = {k: [0, 0, 0] for k in ("extraction", "merge", "summary")}
    for case in cases:
        for kind, row in recorded(case).items():
            if kind in used:
                used[kind] = [a + b for a, b in zip(used[kind], row, strict=True)]
    answers = used["extraction"][2]
    return {
        "ANSWER_BASE": my - slope * mx,
        "ANSWER_PER_ARTICLE_TOKEN": slope,
        "MERGE_PROMPT_RATIO": used["merge"][1] / answers,
        "MERGE_COMPLETION_RATIO": used["merge"][2] / answers,
        "SUMMARY_PROMPT_RATIO": used["summary"][1] / answers,
        "SUMMARY_COMPLETION": used["summary"][2] / used["summary"][0],
    }


def main(argv: list[str]) -> None:
    default = ROOT.parent / "shared" / "seeds"
    seeds = Path(argv[argv.index("--seeds") + 1]) if "--seeds" in argv else default
    cases = {"seeds": seeds, "example": ROOT / "examples" / "harbor-accord",
             "lorvik-loan": ROOT / "examples" / "lorvik-loan"}  # fmt: skip
    count, how = token_counter()
    here = {case: folder for case, folder in cases.items() if any(folder.glob("*.txt"))}
    print(f"constants derived from the recordings of {', '.join(here)} (in estimate.py):")
    for name, value in derive(here, count).items():
        print(f"  {name:24} {value:10.3f}   ({getattr(constants, name)})")
    print()
    settings = Settings(backend="openai", model="estimate", base_url="http://estimate.invalid/v1")
    print(f"estimate counted with {how}; recorded usage as relay.py reported it\n")
    print(f"{'case':12} {'kind':11} {'calls est/rec':>14} {'prompt est/rec':>20} {'diff':>7}"
          f" {'completion est/rec':>20} {'diff':>7}")  # fmt: skip
    for case, folder in cases.items():
        files = sorted(p for p in folder.glob("*.txt"))
        if not files:
            print(f"{case:12} (articles not here: skipped)")
            continue
        est = estimate([files], settings=settings, count=count, counted_with=how)
        rec = recorded(case)
        totals = {"est": [0, 0, 0], "rec": [0, 0, 0]}
        for kind in ("extraction", "merge", "summary"):
            part = est.by_kind.get(kind)
            e = [part.calls, part.prompt_tokens, part.completion_tokens] if part else [0, 0, 0]
            r = rec.get(kind, [0, 0, 0])
            for i in range(3):
                totals["est"][i] += e[i]
                totals["rec"][i] += r[i]
            _row(case, kind, e, r)
        _row(case, "total", totals["est"], totals["rec"])


def _row(case: str, kind: str, e: list[int], r: list[int]) -> None:
    def diff(a: int, b: int) -> str:
        return f"{(a - b) / b:+.1%}" if b else "—"

    print(f"{case:12} {kind:11} {f'{e[0]}/{r[0]}':>14} {f'{e[1]:,}/{r[1]:,}':>20} "
          f"{diff(e[1], r[1]):>7} {f'{e[2]:,}/{r[2]:,}':>20} {diff(e[2], r[2]):>7}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
