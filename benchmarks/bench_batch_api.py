"""The Batch API path at scale, with failures and a ``kill -9``: nothing lost, nothing twice.

    python benchmarks/bench_batch_api.py                       # 2,000 articles (about a minute)
    python benchmarks/bench_batch_api.py --articles 200        # a quick look

It writes a synthetic corpus (as ``bench_batch.py`` does), starts the stand-in in its own
process with ``--batch-error-rate`` of the lines failing and ``--batch-rate`` lines answered a
second, runs ``summarizer batch ROOT -o OUT --batch-api`` as a user would, kills it with
SIGKILL once its first batch is submitted and running, runs the same command again to the
end, and checks:

* lost: articles neither in the cache nor named as failed in ``run.jsonl`` (must be 0);
* submitted twice: batches the stand-in created beyond the rounds in the state file (0);
* every article in the cache afterwards;
* the run report's extraction tokens equal the sum of the per-line usage of every line the
  batches answered (the downloaded output files).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import write_corpus  # noqa: E402
from benchmarks.standin_server import Config, _start_process, stats  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-event", type=int, default=5)
    parser.add_argument("--batch-error-rate", type=float, default=0.05)
    parser.add_argument("--batch-rate", type=float, default=200.0)
    args = parser.parse_args()
    config = Config(batch_rate=args.batch_rate, batch_error_rate=args.batch_error_rate, seed=7)
    url, stop = _start_process(config, 0)
    try:
        with tempfile.TemporaryDirectory(prefix="summarizer-batch-api-") as tmp:
            corpus, out = Path(tmp) / "events", Path(tmp) / "out"
            write_corpus(corpus, args.articles, args.per_event)
            command = [sys.executable, "-m", "summarizer", "batch", str(corpus), "-o", str(out),
                       "--batch-api", "--base-url", url, "--model", "standin",
                       "--batch-poll", "0.2", "--batch-rounds", "5", "--no-consolidate",
                       "--progress", "plain"]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            started = time.perf_counter()
            first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)  # fmt: skip
            state_file = out / "batch-api" / "state.json"
            while first.poll() is None:
                if state_file.is_file():
                    state = json.loads(state_file.read_text("utf-8"))
                    rounds = state["rounds"]
                    if rounds and rounds[0].get("batch_id") and stats(url).get("batches_created"):
                        time.sleep(1.0)  # well into polling
                        first.send_signal(signal.SIGKILL)
                        break
                time.sleep(0.05)
            first.wait()
            killed = first.returncode == -signal.SIGKILL
            second = subprocess.run(command, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            state = json.loads(state_file.read_text("utf-8"))
            report = json.loads((out / "run.jsonl").read_text("utf-8").splitlines()[-1])
            cache = sum(1 for _ in (out / ".cache").rglob("*.json"))
            line_prompt = line_completion = lines = 0
            for path in (out / "batch-api").glob("round-*.output.jsonl"):
                for raw in path.read_text("utf-8").splitlines():
                    usage = json.loads(raw)["response"]["body"]["usage"]
                    line_prompt += usage["prompt_tokens"]
                    line_completion += usage["completion_tokens"]
                    lines += 1
            s = stats(url)
            extraction = report["usage"]["by_kind"].get("extraction", {})
            rows = [
                ("articles", f"{args.articles:,} in {report['events']:,} events"),
                ("first run killed with SIGKILL while polling", "yes" if killed else "NO"),
                ("second run exit code", str(second.returncode)),
                ("rounds (batches in the state file)", str(len(state["rounds"]))),
                ("batches the stand-in created", str(s.get("batches_created", 0))),
                ("submitted twice", str(s.get("batches_created", 0) - len(state["rounds"]))),
                ("lines that failed (asked again)", f"{s.get('batch_lines_failed', 0):,}"),
                ("articles extracted / failed",
                 f"{report['done']:,} / {report['failed']:,}"),
                ("lost (neither cached nor named failed)",
                 str(args.articles - cache - report["failed"])),
                ("articles in the cache", f"{cache:,}"),
                ("report extraction tokens (prompt + completion)",
                 f"{extraction.get('prompt_tokens', 0):,} + "
                 f"{extraction.get('completion_tokens', 0):,}"),
                ("sum of the answered lines' usage",
                 f"{line_prompt:,} + {line_completion:,} ({lines:,} lines)"),
                ("wall time, both runs", f"{seconds:.1f} s"),
            ]  # fmt: skip
            width = max(len(k) for k, _ in rows)
            print("\n".join(f"{k.ljust(width)}  {v}" for k, v in rows))
            if second.returncode:
                print(second.stderr[-2000:])
    finally:
        stop()


if __name__ == "__main__":
    main()
