#!/usr/bin/env bash
# gpu_check.sh — everything issue #18 asks of a machine with an NVIDIA GPU, in one run:
# build with that machine's nvcc and CMake, run the CUDA tests (test_cuda: the identity
# tests of tests/backend_identity*.c byte for byte against the CPU reference), the whole
# ctest suite, the example configs through the CLI on cpu / cuda / opencl compared byte
# for byte, compute-sanitizer (memcheck, racecheck, synccheck, initcheck) and `dilemma
# bench` for every workload. Logs go to $OUT (default /tmp/dlm-gpu-out); a summary table
# is printed last.
#
# usage: scripts/gpu_check.sh [BUDGET_SECONDS]
#        scripts/gpu_check.sh --fetch-deps   (on the Debian development machine, first)
#   BUDGET_SECONDS (default 440): steps that would start past it are skipped and listed.
#   --fetch-deps downloads the Debian packages below into .gpudeps/ (git-ignored through
#   .git/info/exclude): carry that folder to the GPU machine with the working tree.
#
# Dependencies that a bare CUDA image lacks (libyaml, cmocka, pkg-config, the OpenCL ICD
# loader and headers) are taken from Debian packages in .gpudeps/ when that folder is
# there (`apt-get download libyaml-0-2 libyaml-dev libcmocka0 libcmocka-dev pkgconf
# pkgconf-bin libpkgconf3 pkg-config ocl-icd-libopencl1 ocl-icd-opencl-dev
# opencl-c-headers opencl-clhpp-headers zlib1g-dev` on a Debian machine), unpacked under
# /tmp, never over /. The NVIDIA driver's OpenCL library, when present, is registered
# for the ICD loader through OCL_ICD_VENDORS, so the opencl backend runs on the GPU too.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --fetch-deps ]; then
  mkdir -p "$ROOT/.gpudeps"
  grep -qx '/.gpudeps/' "$ROOT/.git/info/exclude" 2>/dev/null || echo /.gpudeps/ >>"$ROOT/.git/info/exclude"
  cd "$ROOT/.gpudeps" && exec apt-get download libyaml-0-2 libyaml-dev libcmocka0 libcmocka-dev pkgconf \
    pkgconf-bin libpkgconf3 pkg-config ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-c-headers \
    opencl-clhpp-headers zlib1g-dev
fi
BUDGET=${1:-440}
OUT=${OUT:-/tmp/dlm-gpu-out}
B=${DLM_GPU_BUILD:-/tmp/dlm-gpu-build}
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
left() { [ "$SECONDS" -lt "$BUDGET" ]; }
step() { # step NAME LIMIT CMD...: runs CMD under timeout LIMIT, logs to $OUT/NAME.log
  local name=$1 limit=$2 rc t0=$SECONDS
  shift 2
  if ! left; then say "$(printf '%-22s skipped (budget of %ss spent)' "$name" "$BUDGET")"; return 99; fi
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
  rc=$?
  say "$(printf '%-22s rc=%-3s %4ss' "$name" "$rc" $((SECONDS - t0)))"
  return $rc
}

# --- dependencies ------------------------------------------------------------------------
D=/tmp/dlm-deps
if [ -d "$ROOT/.gpudeps" ]; then
  mkdir -p "$D"
  for f in "$ROOT"/.gpudeps/*.deb; do dpkg -x "$f" "$D"; done
  for pc in "$D"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc "$D"/usr/share/pkgconfig/*.pc; do
    [ -e "$pc" ] && sed -i "s|^prefix=/usr|prefix=$D/usr|" "$pc"
  done
  export PATH="$PATH:$D/usr/bin"
  export PKG_CONFIG_PATH="$D/usr/lib/x86_64-linux-gnu/pkgconfig:$D/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export LD_LIBRARY_PATH="$D/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export CMAKE_PREFIX_PATH="$D/usr"
  export CMAKE_LIBRARY_PATH="$D/usr/lib/x86_64-linux-gnu"
  export CMAKE_INCLUDE_PATH="$D/usr/include"
  command -v pkg-config >/dev/null || ln -sf "$D/usr/bin/pkgconf" "$D/usr/bin/pkg-config"
fi
if [ ! -d /etc/OpenCL/vendors ] || [ -z "$(ls /etc/OpenCL/vendors 2>/dev/null)" ]; then
  lib=$( (ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so/{print $NF; exit}'; \
          find /usr/local/nvidia /usr/lib /usr/lib64 -name 'libnvidia-opencl.so*' 2>/dev/null) | head -1)
  if [ -n "$lib" ]; then
    mkdir -p "$D/icd"
    echo "$lib" >"$D/icd/nvidia.icd"
    export OCL_ICD_VENDORS="$D/icd"
  fi
fi
{
  date -u; uname -a; nvidia-smi; nvcc --version; cmake --version | head -1
  echo "pkg-config: $(command -v pkg-config)"; echo "OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-}"
  cat "${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}"/*.icd 2>/dev/null
  git -C "$ROOT" log --oneline -1 2>/dev/null; git -C "$ROOT" status --short 2>/dev/null | head
} >"$OUT/machine.log" 2>&1
say "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) (+ uncommitted: $(git -C "$ROOT" status --short 2>/dev/null | wc -l))"
say "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"

# --- build -------------------------------------------------------------------------------
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
step configure 120 cmake -S "$ROOT" -B "$B" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="80-real;90-real;90-virtual" -DCMAKE_CUDA_FLAGS=-Xptxas=-v
step build 300 cmake --build "$B" -j16 || { say "build failed: see build.log"; tail -40 "$OUT/build.log"; exit 1; }
grep -c "warning" "$OUT/build.log" | sed 's/^/build warnings (lines naming "warning", ptxas -v lines excluded below): /' >>"$SUMMARY"
grep -i "warning" "$OUT/build.log" | grep -v "ptxas info" | head -20 >>"$SUMMARY"
grep "ptxas" "$OUT/build.log" >"$OUT/ptxas.log"
DLM="$B/dilemma"
export POCL_CACHE_DIR="$B/pocl-cache"

# --- the CUDA tests first: they are what only this machine can run -----------------------
step test_cuda 120 "$B/tests/test_cuda"
grep -E "PASSED|FAILED|SKIPPED" "$OUT/test_cuda.log" | tail -5 >>"$SUMMARY"
[ -x "$B/tests/test_opencl" ] && { step test_opencl_gpu 240 "$B/tests/test_opencl";
  grep -E "PASSED|FAILED|SKIPPED" "$OUT/test_opencl_gpu.log" | tail -5 >>"$SUMMARY"; }
step devices 30 "$DLM" devices
cat "$OUT/devices.log" >>"$SUMMARY"

# --- bench, alone on the machine ---------------------------------------------------------
for w in match batched lattice fixation reputation wellmixed evolve; do
  step "bench_$w" 100 "$DLM" bench --workload "$w"
  grep -E "rounds/s|/s " "$OUT/bench_$w.log" | head -8 >>"$SUMMARY"
done
# the match kernel on 4x the rounds (the default's GPU time is a few ms)
step bench_match_long 100 "$DLM" bench --workload match --rounds 4000
grep -E "rounds/s" "$OUT/bench_match_long.log" | head -8 >>"$SUMMARY"
step bench_reputation_1e5 100 "$DLM" bench --workload reputation --agents 100000
grep -E "/s " "$OUT/bench_reputation_1e5.log" | head -8 >>"$SUMMARY"

# --- in parallel: the rest of ctest, compute-sanitizer, the CLI across backends ----------
sanitize() {
  local tool rc
  for tool in memcheck synccheck initcheck racecheck; do # the four at once: each its own process
    (DLM_SANITIZER_TOOLS=$tool timeout 170 bash "$ROOT/tests/compute_sanitizer.sh" "$B/tests/test_cuda" \
       >"$OUT/sanitizer_$tool.log" 2>&1
     rc=$?
     echo "compute-sanitizer $tool rc=$rc (124: timed out; $(grep -c 'ERROR SUMMARY: [1-9]' "$OUT/sanitizer_$tool.log") error summaries, $(grep -c '^\[       OK' "$OUT/sanitizer_$tool.log") tests ok)") &
  done
  wait
}
cli_backends() { # every shipped config, small, on cpu and each other backend: same bytes
  local f rel cmd n=0 same=0 differ=0 be extra
  local T t_start=$SECONDS; T=$(mktemp -d)
  for f in "$ROOT"/configs/*.yaml "$ROOT"/configs/*/*.yaml; do
    rel=${f#"$ROOT"/configs/}
    [ $((SECONDS - t_start)) -gt 170 ] && { echo "cli: time up after $n configs"; break; }
    extra=(--set match.rounds=50 --set match.repetitions=10)
    grep -q '^mode: *evolve' "$f" && extra+=(--set evolution.generations=20)
    if grep -q '^sweep:' "$f"; then cmd=(sweep "$f" --quiet --set sweep.replicates=1); else cmd=(run "$f" --quiet); fi
    n=$((n + 1))
    timeout 60 "$DLM" "${cmd[@]}" "${extra[@]}" --backend cpu --format csv --out "$T/cpu.csv" >/dev/null 2>"$T/cpu.err"
    local rc0=$?
    for be in cuda opencl; do
      timeout 120 "$DLM" "${cmd[@]}" "${extra[@]}" --backend $be --format csv --out "$T/$be.csv" >/dev/null 2>"$T/$be.err"
      local rc=$?
      if [ $rc -eq $rc0 ] && cmp -s "$T/cpu.csv" "$T/$be.csv"; then same=$((same + 1));
      else differ=$((differ + 1)); echo "DIFFER $rel on $be: rc $rc0 vs $rc; $(head -c 300 "$T/$be.err")"; fi
    done
  done
  echo "cli across backends: $n configs, $same identical, $differ differ"
  rm -rf "$T"
}
if left; then
  t0=$SECONDS
  (POCL_CACHE_DIR="$B/pocl-cache" timeout 200 ctest --test-dir "$B" -j10 --output-on-failure \
     -E 'test_cuda$|test_cuda_sanitizer' >"$OUT/ctest.log" 2>&1; echo "ctest rc=$?" >>"$OUT/ctest.log") &
  p1=$!
  (sanitize >"$OUT/sanitizer.log" 2>&1) &
  p2=$!
  (cli_backends >"$OUT/cli_backends.log" 2>&1) &
  p3=$!
  wait $p1 $p2 $p3
  say "parallel phase: $((SECONDS - t0))s"
  grep -E "tests passed|tests failed|ctest rc|\(Failed\)|\(Timeout\)|Skipped" "$OUT/ctest.log" | tee -a "$SUMMARY" >/dev/null
  cat "$OUT/sanitizer.log" >>"$SUMMARY"
  grep -E "DIFFER|cli across" "$OUT/cli_backends.log" | head -20 >>"$SUMMARY"
fi

echo "==== summary (elapsed ${SECONDS}s)"
cat "$SUMMARY"
