#!/usr/bin/env bash
# test_cli_cuda_emu.sh — the CLI's `cuda` backend as a user meets it, run by the CUDA
# emulator (tests/cuda_emu/README.md; the binary is dilemma_cuda_emu): every example
# config gives the CPU's bytes, `auto` picks CUDA and falls back to the CPU with a one-line
# notice where there is no driver or device, --device is checked, a run too big for the
# device is refused with the numbers (exit 2), and a failing CUDA call or a faulting kernel
# is named with its error (exit 1); neither leaves an output file behind.
# usage: test_cli_cuda_emu.sh path/to/dilemma_cuda_emu path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$1
CONFIGS=$2

strip_backend() { sed 's/"backend":"[^"]*"//' "$1"; }
same() { # same FILE_A FILE_B DESCRIPTION: equal bytes but for the backend's name
  if [ -s "$1" ] && cmp -s <(strip_backend "$1") <(strip_backend "$2"); then ok; else
    bad "$3: cuda and cpu outputs differ"; diff <(strip_backend "$1") <(strip_backend "$2") | head -5; fi
}

# --- devices and the choice of backend -------------------------------------------------------
expect 0 "devices" -- "$DLM" devices
contains "$TMP/out" "^cuda    available" "devices: cuda available"
contains "$TMP/out" "cuda 0: dilemma CUDA emulator 0 (host) (compute capability 9.0, 1 multiprocessors, memory 4.0 GiB)" "devices: the device and its memory"
expect 0 "match --backend auto" -- "$DLM" match tft wsls --rounds 50 --format json
contains "$TMP/out" '"backend":"cuda' "auto picks cuda where it runs"
[ -s "$TMP/err" ] && bad "auto with cuda present printed: $(cat "$TMP/err")" || ok
# No driver installed at all (none): auto passes over cuda in silence. A driver without a
# device (0): the one-line notice, since a run meant for the GPU landed on the CPU.
for devices in none 0; do
  expect 0 "auto without a driver/device ($devices)" -- env DLM_CUDA_EMU_DEVICES=$devices "$DLM" match tft wsls --rounds 50 --format json
  contains "$TMP/out" '"backend":"cpu' "auto falls back to cpu ($devices)"
  if [ $devices = none ]; then
    [ -s "$TMP/err" ] && bad "auto without a driver printed: $(cat "$TMP/err")" || ok
  else
    [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "auto fallback ($devices): expected one line, got: $(cat "$TMP/err")"
    contains "$TMP/err" "backend cuda unavailable (no CUDA driver/device" "the notice says why ($devices)"
  fi
  expect 1 "--backend cuda without a driver/device ($devices)" -- env DLM_CUDA_EMU_DEVICES=$devices "$DLM" match tft wsls --backend cuda
  contains "$TMP/err" "backend cuda cannot run here: no CUDA driver/device" "--backend cuda says why ($devices)"
done
expect 0 "devices without a driver" -- env DLM_CUDA_EMU_DEVICES=none "$DLM" devices
contains "$TMP/out" "^cuda    built, not available here: no CUDA driver/device: no NVIDIA driver is installed here" "devices says why"
expect 2 "--device out of range" -- "$DLM" match tft wsls --backend cuda --device 3
contains "$TMP/err" "--device 3: there is 1 CUDA device (0..0" "--device out of range names the range"
expect 0 "--device 1 of two" -- env DLM_CUDA_EMU_DEVICES=2 "$DLM" match tft wsls --backend cuda --device 1 --format json
contains "$TMP/out" '"backend":"cuda' "--device 1 runs"

# --- every example config: the CPU's bytes ------------------------------------------------------
for f in "$CONFIGS"/*.yaml; do
  name=$(basename "$f" .yaml)
  short=()
  if grep -q "^mode: evolve" "$f"; then  # the classic experiments, cut short
    short=(--set evolution.generations=8 --set evolution.record_every=2)
  fi
  "$DLM" run "$f" --set output.format=json "${short[@]}" --backend cpu >"$TMP/$name.cpu" 2>/dev/null
  expect 0 "config $name --backend cuda" -- "$DLM" run "$f" --set output.format=json "${short[@]}" --backend cuda
  same "$TMP/out" "$TMP/$name.cpu" "config $name"
done

# --- evolution: records, snapshot and summary files ------------------------------------------------
evo=(run --set mode=evolve --set evolution.population=40 --set evolution.generations=30
     --set evolution.populations=3 --set match.rounds=20 --set match.execution_error=0.02
     --set evolution.mutation.rate=0.01 --set evolution.mutation.kind=random-memory-one
     --set evolution.record_every=3 --set evolution.snapshot.every=15 --format jsonl)
for rule in moran-bd fermi-sync wright-fisher; do
  "$DLM" "${evo[@]}" --set evolution.rule=$rule --backend cpu --out "$TMP/e_cpu.jsonl" 2>/dev/null
  expect 0 "evolve $rule --backend cuda" -- "$DLM" "${evo[@]}" --set evolution.rule=$rule --backend cuda --out "$TMP/e_cu.jsonl"
  same "$TMP/e_cu.jsonl" "$TMP/e_cpu.jsonl" "evolve $rule records"
  cmp -s "$TMP/e_cu.jsonl.snapshot" "$TMP/e_cpu.jsonl.snapshot" && ok || bad "evolve $rule: snapshots differ"
  same "$TMP/e_cu.jsonl.summary.json" "$TMP/e_cpu.jsonl.summary.json" "evolve $rule summary"
done

# --- checkpoints: a run stopped at a checkpoint on cuda, resumed on cuda and on the cpu --------------
for rule in moran-bd wright-fisher; do
  "$DLM" "${evo[@]}" --set evolution.rule=$rule --backend cpu --out "$TMP/k_ref.jsonl" 2>/dev/null
  for resume_on in cuda cpu; do
    rm -f "$TMP/k.jsonl"* "$TMP/k.ckpt"
    expect 143 "checkpoint $rule: stopped on cuda" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=3 "$DLM" "${evo[@]}" --set evolution.rule=$rule --backend cuda --out "$TMP/k.jsonl" --checkpoint "$TMP/k.ckpt" --checkpoint-every 4
    expect 0 "checkpoint $rule: resumed on $resume_on" -- "$DLM" "${evo[@]}" --set evolution.rule=$rule --backend $resume_on --out "$TMP/k.jsonl" --resume "$TMP/k.ckpt" --checkpoint-every 4
    cmp -s "$TMP/k.jsonl" "$TMP/k_ref.jsonl" && ok || bad "checkpoint $rule: resumed on $resume_on, records differ from the uninterrupted run's"
    cmp -s "$TMP/k.jsonl.summary.json" "$TMP/k_ref.jsonl.summary.json" && ok || bad "checkpoint $rule: resumed on $resume_on, summaries differ"
  done
done

# --- too big for the device: refused with the numbers, before anything is allocated ----------------
expect 2 "evolution too big for the device" -- env DLM_CUDA_EMU_MEMORY=1000000 "$DLM" run --set mode=evolve --set evolution.population=20000 --backend cuda --out "$TMP/big.csv"
contains "$TMP/err" "bytes) of device memory" "the refusal gives the numbers"
contains "$TMP/err" "free of" "the refusal gives the device's memory"
[ -e "$TMP/big.csv" ] || [ -e "$TMP/big.csv.partial" ] && bad "a refused run left an output file" || ok
expect 2 "match batch too big for the device" -- env DLM_CUDA_EMU_MEMORY=4096 "$DLM" run "$CONFIGS/axelrod_noise.yaml" --backend cuda
contains "$TMP/err" "this batch of matches needs" "the match refusal names the batch"

# --- a failing call or a faulting kernel: named, exit 1, no output file ----------------------------
fault() { # fault SPEC TEXT DESCRIPTION [rule]
  expect 1 "$3" -- env DLM_CUDA_EMU_FAIL="$1" "$DLM" "${evo[@]}" --set evolution.rule="${4:-moran-bd}" --backend cuda --out "$TMP/f.jsonl"
  contains "$TMP/err" "$2" "$3: the message"
  [ -e "$TMP/f.jsonl" ] || [ -e "$TMP/f.jsonl.summary.json" ] && bad "$3: output file left behind" || ok
  ls "$TMP" | grep -q '\.tmp\.' && bad "$3: temporary file left behind" || ok
  if [ -e "$TMP/f.jsonl.partial" ]; then  # records before the failure: kept, and said so
    [ -s "$TMP/f.jsonl.partial" ] && ok || bad "$3: an empty partial file kept"
    contains "$TMP/err" "the records written before the failure are in $TMP/f.jsonl.partial" "$3: the partial file named"
    rm -f "$TMP/f.jsonl.partial"
  fi
}
fault cudaMalloc:3 "cuda: cudaMalloc (agent classes) failed: cudaErrorMemoryAllocation (out of memory)" "cudaMalloc fails"
fault cudaHostAlloc:2 "cuda: cudaHostAlloc (pinned counts) failed: cudaErrorMemoryAllocation (out of memory)" "cudaHostAlloc fails"
fault dlmk_evo_async:4 "cuda: cudaEventSynchronize (generations and census) failed: cudaErrorIllegalAddress (an illegal memory access was encountered)" "an asynchronous-rule kernel faults"
fault dlmk_evo_update:2 "cudaErrorIllegalAddress" "a synchronous-rule kernel faults" fermi-sync
fault dlmk_census_chunks:1 "cuda: cudaStreamSynchronize (census) failed: cudaErrorIllegalAddress" "the first census faults"
expect 1 "a match kernel faults" -- env DLM_CUDA_EMU_FAIL=dlmk_play_matches:1 "$DLM" match tft wsls --backend cuda
contains "$TMP/err" "cuda: cudaMemcpy (match results) failed: cudaErrorIllegalAddress" "a match kernel's fault is named"

# --- bench: every workload runs on cuda and is checked against the CPU reference -------------------
expect 0 "bench --quick" -- "$DLM" bench --quick
[ "$(grep -c '^  cuda 0, .*(matches reference)' "$TMP/out")" -eq 8 ] && ok || bad "bench: eight cuda rows (match, evolve, lattice, batched, fixation, wellmixed, reputation, groups) matching the reference expected"
expect 0 "bench --quick --format json" -- "$DLM" bench --quick --workload match --format json
contains "$TMP/out" '"backend":"cuda' "bench json names the cuda backend"

echo "test_cli_cuda_emu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
