#!/usr/bin/env bash
# run.sh — the README's first command: installs what the build needs, builds dilemma
# (Release) into build/, and runs it. With no arguments it runs the built-in default
# scenario; any arguments are passed to `dilemma` (e.g. scripts/run.sh run configs/timescales.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDLM_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
if [ $# -eq 0 ]; then set -- run; fi
exec ./build/dilemma "$@"
