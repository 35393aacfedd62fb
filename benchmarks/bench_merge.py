"""How merge time and memory grow with the number of article extractions.

Run: ``python benchmarks/bench_merge.py [N ...]`` (default 100 1000 5000). Extractions come
from ``tests/factories.synthetic_corpus`` (an invented event with name variants, paraphrased
items, disagreeing values and a long tail of single-source items), generated before timing.
Peak memory is measured with ``tracemalloc`` in a separate run, because tracing slows Python
down several times and would distort the wall time.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.merge.fold import merge  # noqa: E402
from tests.factories import synthetic_corpus  # noqa: E402

DEFAULT_SIZES = (100, 1000, 5000)


def measure(n: int) -> dict[str, float]:
    corpus = synthetic_corpus(n, seed=n)
    items = sum(len(e.positions) + len(e.commitments) + len(e.open_questions) + len(e.facts)
                for e in corpus)
    start = time.perf_counter()
    briefing = merge(corpus)
    wall = time.perf_counter() - start
    tracemalloc.start()
    merge(corpus)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    merged = (len(briefing.positions) + len(briefing.commitments)
              + len(briefing.open_questions) + len(briefing.facts))
    return {"n": n, "items": items, "merged": merged, "actors": len(briefing.actors),
            "conflicts": len(briefing.conflicts), "wall": wall, "per_article_ms": 1000 * wall / n,
            "peak_mib": peak / 2**20}


def main(sizes: tuple[int, ...]) -> None:
    header = (f"{'articles':>9} {'items in':>9} {'items out':>10} {'actors':>7} "
              f"{'conflicts':>10} {'wall s':>8} {'ms/article':>11} {'peak MiB':>9}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        r = measure(n)
        print(f"{r['n']:>9.0f} {r['items']:>9.0f} {r['merged']:>10.0f} {r['actors']:>7.0f} "
              f"{r['conflicts']:>10.0f} {r['wall']:>8.2f} {r['per_article_ms']:>11.2f} "
              f"{r['peak_mib']:>9.1f}", flush=True)


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or DEFAULT_SIZES)
