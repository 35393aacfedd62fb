#!/usr/bin/env bash
# Build llama-cpp-python once as a portable wheel (AVX2, no CPU-specific code) and print the
# folder that holds it, for `pip install --find-links`. PyPI has no wheel for this platform, and
# pip's own build compiles llama.cpp for the building CPU ("native"): on a machine with AMX that
# build crashed in its first decode (segmentation fault in libggml-cpu, 2026-12-06), and pip's
# cache then hands the same broken wheel to every later install. Sourced by scripts/demo.sh and
# .ci/run. Override the folder with SUMMARIZER_WHEELS, the flags with LLAMA_CMAKE_ARGS.
set -euo pipefail
python="${1:-python3}"
version="0.3.36"
wheels="${SUMMARIZER_WHEELS:-$HOME/.cache/summarizer-wheels}"
mkdir -p "$wheels"
if ! ls "$wheels"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $version (portable AVX2; about 5 minutes on 2 cores)" >&2
  CMAKE_ARGS="${LLAMA_CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}" \
    "$python" -m pip wheel -q --no-deps --no-cache-dir -w "$wheels" "llama-cpp-python==$version" >&2
fi
echo "$wheels"
