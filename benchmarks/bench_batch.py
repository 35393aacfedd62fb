"""Benchmark ``summarizer batch`` against the ideal, with the model replaced by a local stand-in.

    python benchmarks/bench_batch.py                 # the reference run (a few minutes on 2 cores)
    python benchmarks/bench_batch.py --articles 400 --naive-sample 20    # a quick look

What it does, in one run:

1. writes a synthetic corpus (``--articles`` news-like articles of about 3.3 KB, ``--per-event``
   per event folder) to a temporary folder;
2. starts ``benchmarks/standin_server.py`` in its own process (real HTTP on 127.0.0.1, fixed
   ``--latency``, schema-valid canned answers whose quotes are sentences of the article), and
   a second one with no latency for the CPU probes;
3. **cold**: ``summarizer.batch.run.arun_batch`` over every event at ``--concurrency`` with an empty
   cache, in a fresh process, with the package's client (instructor); the ideal wall time is
   ``articles / concurrency x latency``;
4. **warm**: the cold run again over its now full cache (it must make no model call);
5. **CPU probes**: ``--probe`` articles one at a time (concurrency 1) against the no-latency
   stand-in, the process CPU between one finished article and the next: the pipeline's CPU per
   article outside the model call (prompt, HTTP client, structured output, grounding, cache
   write, merges), whose median is reported;
6. **naive**: the baseline a first script would be -- sequential ``instructor`` calls over the
   same articles (``--naive-sample`` of them, extrapolated to the workload; 0 = all);

then prints a table and writes ``benchmarks/results/latest.json`` (with the machine's core
count, its load average before and after -- other work on the machine skews wall times --, and
Python and package versions). Each phase runs in its own process, so peak memory (max RSS) is
that phase's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.standin_server import start_server, stats  # noqa: E402

RESULTS = HERE / "results"

# --------------------------------------------------------------------------------------------
# A synthetic corpus: news-like articles of about 3.3 KB, every one different
# --------------------------------------------------------------------------------------------

_FIRST = ["Amara", "Jonas", "Ilse", "Tomas", "Leila", "Viktor", "Nadia", "Oren", "Petra", "Rafael"]
_LAST = ["Okafor", "Brandt", "Voronov", "Lindqvist", "Haddad", "Moreau", "Sato", "Kowalski"]
_BODY = ["Valdoria", "Kestrel", "the Northern League", "the Harbor Council", "the Coast Authority"]
_VERBS = ["said", "told reporters", "insisted", "announced", "warned", "confirmed"]
_TOPICS = [
    "the fishing quota would rise by {n} percent next season",
    "patrol boats would withdraw within {n} days if the frigates were recalled",
    "a joint coastguard centre would open at the old customs pier by {n} March",
    "the fund for displaced dock workers would reach {n} million crowns",
    "talks on the disputed channel would resume after {n} weeks of silence",
    "no decision had been taken on who would pay for the {n} new buoys",
    "inspectors would visit {n} harbours before the end of the year",
]


def article_text(n: int) -> str:
    rnd = random.Random(n)
    lines = [f"Harbor talks, day {n}: {rnd.choice(_BODY)} weighs its options", ""]
    while sum(len(x) for x in lines) < 3300:
        who = f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}"
        what = rnd.choice(_TOPICS).format(n=rnd.randint(2, 90))
        lines.append(
            f"{who} of {rnd.choice(_BODY)} {rnd.choice(_VERBS)} that {what}. "
            f"Officials in {rnd.choice(_BODY)} did not comment on report {n}-{len(lines)}."
        )
    return "\n".join(lines) + "\n"


def write_corpus(root: Path, articles: int, per_event: int) -> None:
    for n in range(articles):
        folder = root / f"event-{n // per_event:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{n:05d}.txt").write_text(article_text(n), "utf-8")


# --------------------------------------------------------------------------------------------
# Phases (each in a fresh process: `bench_batch.py --phase NAME ...` prints one JSON line)
# --------------------------------------------------------------------------------------------


def _settings(url: str) -> Any:
    from summarizer.config import Settings

    return Settings.resolve(backend="openai", model="standin", base_url=url, mode="tools")


def _usage_now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _arun(client_kind: str, url: str, **options: Any) -> Any:
    from summarizer.batch.run import arun_batch

    # Extraction throughput is what is measured: the stand-in answers extraction requests
    # only, so each event is merged by rules (the model-assisted merge is ~6 calls an event).
    return await arun_batch(settings=_settings(url), consolidate=False, **options)


def phase_batch(args: argparse.Namespace) -> dict[str, Any]:
    wall, cpu = _usage_now()
    result = asyncio.run(
        _arun(args.client, args.url, events=args.corpus, output=args.output,
              concurrency=args.concurrency)
    )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    r = result.report
    return {
        "client": args.client,
        "wall_s": wall,
        "cpu_s": cpu,
        "articles": r.articles,
        "done": r.done,
        "cached": r.cached,
        "failed": r.failed,
        "model_calls": r.model_calls,
        "tokens": r.tokens,
        "briefings": len(result.briefings),
        "max_rss_mb": _max_rss_mb(),
    }


def phase_probe(args: argparse.Namespace) -> dict[str, Any]:
    """Process CPU between consecutive finished articles, one article at a time."""
    from summarizer.batch.run import ArticleReport, BatchObserver, EventSpec, RunStats

    class Clock(BatchObserver):
        def __init__(self) -> None:
            self.marks: list[float] = []

        def article_done(self, stats: RunStats, event: str, report: ArticleReport) -> None:
            self.marks.append(time.process_time())

    folders = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    specs = [EventSpec(p.name, (p,)) for p in folders[: -(-args.probe // args.per_event)]]
    clock = Clock()
    asyncio.run(
        _arun(args.client, args.url, events=specs, output=args.output, concurrency=1,
              observer=clock)
    )  # fmt: skip
    steps = [b - a for a, b in zip(clock.marks, clock.marks[1:], strict=False)][5:]
    ms = sorted(x * 1000 for x in steps)
    return {
        "client": args.client,
        "articles": len(clock.marks),
        "cpu_ms_median": statistics.median(ms),
        "cpu_ms_p90": ms[int(len(ms) * 0.9)],
    }


def phase_naive(args: argparse.Namespace) -> dict[str, Any]:
    import instructor
    import openai

    from summarizer.extract.extraction import build_messages
    from summarizer.ingest.articles import load_articles
    from summarizer.schema import ArticleDraft

    folders = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    articles = load_articles(folders).articles[: args.naive_sample or None]
    client = instructor.from_openai(openai.OpenAI(base_url=args.url, api_key="x"))
    wall, cpu = _usage_now()
    for article in articles:
        client.chat.completions.create(
            model="standin",
            response_model=ArticleDraft,
            messages=build_messages(article, article.prompt_text, 1, 1),  # type: ignore[arg-type]
            max_retries=1,
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall_s": wall, "cpu_s": cpu, "articles": len(articles), "max_rss_mb": _max_rss_mb()}


PHASES = {"batch": phase_batch, "probe": phase_probe, "naive": phase_naive}


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    names = ("openai", "instructor", "pydantic", "httpx2")
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _row(name: str, phase: dict[str, Any], ideal: float) -> list[tuple[str, str]]:
    n = phase["articles"]
    return [
        (f"{name}: wall time", f"{phase['wall_s']:.2f} s ({n / phase['wall_s']:.0f} articles/s)"),
        (f"{name}: ratio ideal / wall (aim >= 0.9)", f"{ideal / phase['wall_s']:.3f}"),
        (f"{name}: process CPU per article, mean", f"{phase['cpu_s'] / n * 1000:.2f} ms"),
        (f"{name}: model calls / failed", f"{phase['model_calls']} / {phase['failed']}"),
        (f"{name}: peak memory (max RSS)", f"{phase['max_rss_mb']:.0f} MB"),
    ]


def table(results: dict[str, Any]) -> str:
    a, ideal = results["args"], results["ideal_s"]
    cold, warm, naive = (results[k] for k in ("cold", "warm", "naive"))
    probe = results["probe"]
    load = results["load_before"], results["load_after"]
    rows = [
        ("machine", f"{results['cores']} cores (nproc), Python {results['versions']['python']}, "
                    f"load average {load[0]:.1f} before / {load[1]:.1f} after"),
        ("workload", f"{cold['articles']} articles in {results['events']} events, concurrency "
                     f"{a['concurrency']}, latency {a['latency'] * 1000:.0f} ms"),
        ("ideal (articles / concurrency x latency)", f"{ideal:.2f} s"),
        *_row("cold (package client)", cold, ideal),
        ("cold (package client): pipeline CPU/article, median",
         f"{probe['cpu_ms_median']:.2f} ms (p90 {probe['cpu_ms_p90']:.2f}, "
         f"{probe['articles']} articles one at a time)"),
        ("warm rerun: model calls (stand-in saw)",
         f"{warm['model_calls']} ({warm['server_requests']} requests)"),
        ("warm rerun: wall time", f"{warm['wall_s']:.2f} s ({warm['cached']} cached)"),
        ("warm rerun: peak memory (max RSS)", f"{warm['max_rss_mb']:.0f} MB"),
        ("naive (sequential instructor calls)",
         f"{naive['wall_s']:.2f} s for {naive['articles']} articles, "
         f"{naive['cpu_s'] / naive['articles'] * 1000:.2f} ms CPU each"),
        ("naive, extrapolated to the workload",
         f"{naive['projected_s']:.0f} s ({naive['projected_s'] / cold['wall_s']:.0f}x the "
         "package client)"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="summarizer-bench-") as tmp:
        corpus, out = Path(tmp) / "events", Path(tmp)
        write_corpus(corpus, args.articles, args.per_event)
        url, stop = start_server(latency=args.latency, jitter=args.jitter, process=True)
        fast, stop_fast = start_server(latency=0.0, process=True)
        try:
            common = ["--corpus", str(corpus), "--per-event", str(args.per_event)]
            batch = ["--phase", "batch", "--url", url, "--concurrency", str(args.concurrency)]
            cold = _child(*batch, *common, "--output", str(out / "cold"), "--client", "shipped")
            before = stats(url).get("requests", 0)
            warm = _child(*batch, *common, "--output", str(out / "cold"), "--client", "shipped")
            warm["server_requests"] = stats(url).get("requests", 0) - before
            probe = ["--phase", "probe", "--url", fast, "--probe", str(args.probe), *common]
            probed = _child(*probe, "--output", str(out / "probe"), "--client", "shipped")
            naive = _child("--phase", "naive", "--url", url, *common,
                           "--naive-sample", str(args.naive_sample))  # fmt: skip
        finally:
            stop()
            stop_fast()
    naive["projected_s"] = naive["wall_s"] / naive["articles"] * args.articles
    ideal = args.articles / args.concurrency * args.latency
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(["python", "benchmarks/bench_batch.py", *sys.argv[1:]]),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "platform": platform.platform(),
        "versions": _versions(),
        "args": vars(args),
        "events": -(-args.articles // args.per_event),
        "ideal_s": ideal,
        "ratio": ideal / cold["wall_s"],
        "cold": cold,
        "warm": warm,
        "probe": probed,
        "naive": naive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark summarizer batch against the ideal.")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-event", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--probe", type=int, default=200, help="articles in each CPU probe")
    parser.add_argument("--naive-sample", type=int, default=100, help="0: every article")
    parser.add_argument("--no-save", action="store_true", help="do not write results/latest.json")
    hidden = argparse.SUPPRESS
    parser.add_argument("--phase", choices=sorted(PHASES), help=hidden)
    parser.add_argument("--client", choices=["shipped"], default="shipped", help=hidden)
    parser.add_argument("--url", help=hidden)
    parser.add_argument("--corpus", type=Path, help=hidden)
    parser.add_argument("--output", type=Path, help=hidden)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    results = run(args)
    text = table(results)
    print(text)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        results["table"] = text.splitlines()
        (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
        print(f"\nwrote {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
