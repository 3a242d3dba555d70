#!/usr/bin/env bash
# test.sh — the README's second command (and CI's, through .ci/run): installs what the
# tests need, then builds and runs the whole suite three ways:
#   1. Release build, every test (ctest);
#   2. ASan + UBSan build, every test;
#   3. clang libFuzzer build of the config loader, fuzzed for a bounded time;
#   4. the Python package: pip install ./python into a fresh venv (scikit-build-core from
#      PyPI builds libdilemma), then its pytest suite against the CLI of step 1.
# Tests that need a GPU exit 77 and are reported as skipped where there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
jobs=$(nproc)
export POCL_CACHE_DIR="$PWD/build-test/pocl-cache"

echo "== 1/4 Release build and tests"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-test -j"$jobs" 2>&1 | { grep -E "warning|error" || true; }
ctest --test-dir build-test --output-on-failure -j"$jobs"

echo "== 2/4 AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDLM_SANITIZE=ON -DDLM_WITH_CUDA=OFF >/dev/null
cmake --build build-asan -j"$jobs" 2>&1 | { grep -E "warning|error" || true; }
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== 3/4 libFuzzer: the config loader"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DDLM_FUZZ=ON -DDLM_WITH_CUDA=OFF \
  -DDLM_WITH_OPENCL=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_config fuzz_config_replay fuzz_checkpoint \
  fuzz_checkpoint_replay 2>&1 | { grep -E "warning|error" || true; }
ctest --test-dir build-fuzz --output-on-failure -R '^fuzz_'

echo "== 4/4 Python package: pip install ./python, pytest"
rm -rf build-venv
/usr/bin/python3 -m venv --system-site-packages build-venv
CMAKE_BUILD_PARALLEL_LEVEL="$jobs" build-venv/bin/pip install --quiet ./python
DILEMMA_CLI="$PWD/build-test/dilemma" build-venv/bin/python -m pytest -q python/tests
