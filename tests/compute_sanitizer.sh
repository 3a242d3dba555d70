#!/usr/bin/env bash
# compute_sanitizer.sh TEST_CUDA — runs test_cuda (the identity tests of
# tests/backend_identity.c through the CUDA shim, tests/test_cuda.c) under NVIDIA's
# compute-sanitizer with each tool in turn: memcheck (out-of-bounds and misaligned device
# accesses, leaks), racecheck (shared-memory hazards: the count reduction of
# dlmk_evo_evaluate), synccheck (__syncthreads misuse) and initcheck (reads of device
# memory never written). Fails on any error a tool reports.
#
# Exits 77 (ctest: skipped) where it cannot run: no compute-sanitizer (PATH,
# $CUDA_HOME/bin, /usr/local/cuda/bin), or test_cuda itself skips (no driver, no GPU).
#
# Environment: DLM_SANITIZER_TOOLS (default "memcheck racecheck synccheck initcheck");
# DLM_TEST_FILTER (a cmocka filter passed to test_cuda, e.g. '*matches*'; the tools are
# slow, racecheck most: 10-100x).
set -u
TEST=${1:?usage: compute_sanitizer.sh path/to/test_cuda}
SAN=$(command -v compute-sanitizer 2>/dev/null || true)
for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda; do
  [ -z "$SAN" ] && [ -n "$d" ] && [ -x "$d/bin/compute-sanitizer" ] && SAN="$d/bin/compute-sanitizer"
done
if [ -z "$SAN" ]; then
  echo "compute_sanitizer.sh: skipped: compute-sanitizer not found (PATH, \$CUDA_HOME/bin, /usr/local/cuda/bin)"
  exit 77
fi
# test_cuda exits 77 at once when the backend cannot run here; ask it first, unsanitized,
# with a filter that selects no test, so that a GPU machine spends nothing on it.
DLM_TEST_FILTER='-no-such-test-' "$TEST" >/tmp/dlm_san_probe.$$ 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "compute_sanitizer.sh: skipped: $(cat /tmp/dlm_san_probe.$$)"
  rm -f /tmp/dlm_san_probe.$$
  exit 77
fi
rm -f /tmp/dlm_san_probe.$$
fail=0
for tool in ${DLM_SANITIZER_TOOLS:-memcheck racecheck synccheck initcheck}; do
  extra=()
  case "$tool" in
    memcheck) extra=(--leak-check full) ;;
    racecheck) extra=(--racecheck-report all) ;;
  esac
  echo "== compute-sanitizer --tool $tool ${extra[*]} $TEST"
  if "$SAN" --tool "$tool" "${extra[@]}" --error-exitcode 99 --print-limit 20 "$TEST"; then
    echo "== $tool: clean"
  else
    echo "== $tool: FAILED"
    fail=1
  fi
done
exit "$fail"
