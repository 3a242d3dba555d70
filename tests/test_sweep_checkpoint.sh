#!/usr/bin/env bash
# test_sweep_checkpoint.sh — checkpoint and resume of a whole sweep (issue #12 item 7): a
# sweep stopped by a signal at several points (the tests' hook raises it right after the
# K-th checkpoint) and resumed, once or again and again, ends in the bytes of the
# uninterrupted sweep — output and summary, in every format, batched evolutions stopped
# inside a batch, a slice (--shard) joined by merge, two MPI ranks, and a real SIGINT at
# an arbitrary moment; every bad checkpoint or resume is refused with exit 2 and a message
# naming what is wrong, and nothing written before is lost.
# usage: test_sweep_checkpoint.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CONFIGS=$(cd "$2" && pwd)
export DLM_OPENCL_CACHE=0
GRID="$CONFIGS/sweeps/noise_timescales.yaml"
SMALL=(--backend cpu --quiet --set match.repetitions=3 --set "sweep.axes=[{key: match.execution_error, values: [0, 0.05, 0.1]}, {key: players.1.reaction_period, values: [1, 3, 5]}]" --set sweep.replicates=3)

# stopped CODE DESCRIPTION -- command...: the run stops at a checkpoint (exit CODE) and
# says how to resume.
stopped() {
  local code=$1 what=$2
  shift 2
  expect "$code" "$what" "$@"
  contains "$TMP/err" "to resume: dilemma sweep" "$what: the resume command"
}

# --- stopped after K checkpoints, resumed: the same bytes, in every format ----------------
for fmt in csv json jsonl txt; do
  expect 0 "whole ($fmt)" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/whole.$fmt" --summary "$TMP/whole_s.json"
  for k in 1 3 6; do
    rm -f "$TMP/ck" "$TMP/o.$fmt" "$TMP/s.json"
    stopped 143 "$fmt: stopped after checkpoint $k" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=$k "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.$fmt" --summary "$TMP/s.json" --checkpoint "$TMP/ck" --checkpoint-every 3
    [ -f "$TMP/ck" ] && [ -f "$TMP/o.$fmt.partial" ] && [ ! -e "$TMP/o.$fmt" ] && [ -f "$TMP/s.json.partial" ] && ok || bad "$fmt/$k: the checkpoint and the partial files are kept, no final output"
    expect 0 "$fmt: resumed after checkpoint $k" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.$fmt" --summary "$TMP/s.json" --checkpoint-every 3 --resume "$TMP/ck"
    cmp -s "$TMP/whole.$fmt" "$TMP/o.$fmt" && ok || bad "$fmt/$k: the resumed output differs"
    cmp -s "$TMP/whole_s.json" "$TMP/s.json" && ok || bad "$fmt/$k: the resumed summary differs"
    [ ! -e "$TMP/ck" ] && [ ! -e "$TMP/o.$fmt.partial" ] && ok || bad "$fmt/$k: a complete sweep leaves no checkpoint or partial file"
  done
done

# stopped twice (SIGINT, then SIGHUP while resumed), by seconds as well as by runs
rm -f "$TMP/ck"
stopped 130 "stopped by SIGINT" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:INT "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --checkpoint "$TMP/ck" --checkpoint-every 4
contains "$TMP/err" "stopped by SIGINT after 8 of 27 runs" "the stop names the signal and the runs done"
stopped 129 "resumed, stopped again by SIGHUP" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=1:HUP "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --checkpoint-every 5 --resume "$TMP/ck"
contains "$TMP/err" "after 13 of 27 runs" "the second stop counts from the first"
expect 0 "resumed again, checkpoints by time" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --checkpoint-every 1s --resume "$TMP/ck"
cmp -s "$TMP/whole.csv" "$TMP/o.csv" && cmp -s "$TMP/whole_s.json" "$TMP/s.json" && ok || bad "twice stopped: the output differs"

# --- batched evolutions: a stop inside a batch resumes to the same bytes --------------------
cat >"$TMP/evo.yaml" <<'YAML'
mode: evolve
seed: 5
match: {rounds: 10}
evolution:
  populations: 2
  generations: 200
  record_every: 9
  initial: {shares: {tft: 0.4, alld: 0.3, wsls: 0.3}}
  stop: {fixation: true}
sweep:
  axes:
    - {key: evolution.population, values: [8, 13]}
    - {key: match.execution_error, values: [0, 0.1]}
  replicates: 3
YAML
expect 0 "evolution sweep, whole" -- "$DLM" sweep "$TMP/evo.yaml" --backend cpu --quiet --out "$TMP/evo.jsonl" --summary "$TMP/evo_s.csv"
for k in 1 2; do
  rm -f "$TMP/eck"
  stopped 143 "batched evolution sweep stopped after checkpoint $k" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=$k "$DLM" sweep "$TMP/evo.yaml" --backend cpu --quiet --batch 5 --out "$TMP/e.jsonl" --summary "$TMP/e_s.csv" --checkpoint "$TMP/eck" --checkpoint-every 4
  expect 0 "batched evolution sweep resumed ($k)" -- "$DLM" sweep "$TMP/evo.yaml" --backend cpu --threads 2 --quiet --batch 5 --out "$TMP/e.jsonl" --summary "$TMP/e_s.csv" --checkpoint-every 4 --resume "$TMP/eck"
  cmp -s "$TMP/evo.jsonl" "$TMP/e.jsonl" && cmp -s "$TMP/evo_s.csv" "$TMP/e_s.csv" && ok || bad "batched evolution sweep ($k): resumed output differs"
done

# --- a slice: stopped, resumed, merged --------------------------------------------------------
expect 0 "whole, no summary" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/w.csv"
rm -f "$TMP/ck"
stopped 143 "shard 0/2 stopped" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=1 "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --shard 0/2 --out "$TMP/s0" --checkpoint "$TMP/ck" --checkpoint-every 5
expect 2 "resuming a slice as another slice" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --shard 1/2 --out "$TMP/s0" --resume "$TMP/ck"
contains "$TMP/err" "not this one" "the wrong slice is named"
expect 2 "resuming a slice as the whole sweep" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --out "$TMP/s0" --resume "$TMP/ck"
contains "$TMP/err" "a slice (--shard)" "a slice's checkpoint is named as one"
expect 0 "shard 0/2 resumed" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --shard 0/2 --out "$TMP/s0" --resume "$TMP/ck"
expect 0 "shard 1/2" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --shard 1/2 --out "$TMP/s1"
expect 0 "merge" -- "$DLM" merge "$TMP/s0" "$TMP/s1" --out "$TMP/m.csv"
cmp -s "$TMP/w.csv" "$TMP/m.csv" && ok || bad "a resumed slice merges into other bytes"

# --- two MPI ranks: rank 0 checkpoints, the resumed ranks start where it stopped -----------
if command -v mpirun >/dev/null && ldd "$DLM" | grep -q libmpi; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
  rm -f "$TMP/ck"
  expect 143 "mpirun -np 2, stopped" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 timeout 300 mpirun -np 2 "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/mpi.csv" --summary "$TMP/mpi_s.json" --checkpoint "$TMP/ck" --checkpoint-every 4
  expect 0 "mpirun -np 2, resumed" -- timeout 300 mpirun -np 2 "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/mpi.csv" --summary "$TMP/mpi_s.json" --checkpoint-every 4 --resume "$TMP/ck"
  cmp -s "$TMP/whole.csv" "$TMP/mpi.csv" && cmp -s "$TMP/whole_s.json" "$TMP/mpi_s.json" && ok || bad "mpirun: the resumed output differs"
else
  echo "note: MPI not built in or mpirun missing; the MPI checks are skipped"
fi

# --- a real SIGINT at an arbitrary moment ----------------------------------------------------
rm -f "$TMP/ck" "$TMP/r.csv"
"$DLM" sweep "$GRID" "${SMALL[@]}" --set match.repetitions=5000 --out "$TMP/r.csv" --checkpoint "$TMP/ck" --checkpoint-every 1 2>"$TMP/err" &
pid=$!
sleep 0.3
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
echo "note: the real SIGINT came with exit $rc (130: stopped; 0: the sweep was done first)"
if [ $rc -eq 130 ]; then
  contains "$TMP/err" "stopped by SIGINT" "a real SIGINT stops at a checkpoint"
  expect 0 "resumed after a real SIGINT" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set match.repetitions=5000 --out "$TMP/r.csv" --resume "$TMP/ck"
elif [ $rc -ne 0 ]; then
  bad "a real SIGINT: exit $rc"
fi
expect 0 "uninterrupted" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set match.repetitions=5000 --out "$TMP/r_whole.csv"
cmp -s "$TMP/r.csv" "$TMP/r_whole.csv" && ok || bad "after a real SIGINT the resumed output differs"

# --- refusals: exit 2, the reason named, nothing lost ------------------------------------------
rm -f "$TMP/ck" "$TMP/o.csv"
stopped 143 "a sweep to refuse resumes of" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=1 "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --checkpoint "$TMP/ck" --checkpoint-every 5
cp "$TMP/ck" "$TMP/ck.good"
cp "$TMP/o.csv.partial" "$TMP/o.good"
expect 2 "checkpoint exists, no --resume" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --checkpoint "$TMP/ck"
contains "$TMP/err" "continue it with --resume" "an existing checkpoint is never overwritten"
expect 2 "another config" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set seed=7 --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
contains "$TMP/err" "another config" "another config is named"
expect 2 "another format" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.jsonl" --summary "$TMP/s.json" --resume "$TMP/ck"
contains "$TMP/err" "another output format" "another format is named"
expect 2 "no --summary" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --resume "$TMP/ck"
contains "$TMP/err" "with --summary" "the missing --summary is named"
expect 2 "another grid" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set sweep.replicates=2 --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
head -c 40 "$TMP/ck.good" >"$TMP/ck"
expect 2 "truncated checkpoint" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
contains "$TMP/err" "truncated" "a truncated checkpoint is named"
cp "$TMP/ck.good" "$TMP/ck"
printf 'X' | dd of="$TMP/ck" bs=1 seek=40 conv=notrunc 2>/dev/null
expect 2 "corrupted checkpoint" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
contains "$TMP/err" "corrupted" "a corrupted checkpoint is named"
expect 2 "not a checkpoint" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$GRID"
cp "$TMP/ck.good" "$TMP/ck"
printf 'Z' | dd of="$TMP/o.csv.partial" bs=1 seek=3 conv=notrunc 2>/dev/null
expect 2 "the partial output changed" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
contains "$TMP/err" "not what it was" "a changed partial output is named"
cp "$TMP/o.good" "$TMP/o.csv.partial"
cmp -s "$TMP/ck" "$TMP/ck.good" && [ -f "$TMP/s.json.partial" ] && ok || bad "a refused resume changed the checkpoint or lost the summary"
expect 0 "after every refusal, the resume still works" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/o.csv" --summary "$TMP/s.json" --resume "$TMP/ck"
cmp -s "$TMP/whole.csv" "$TMP/o.csv" && ok || bad "the late resume differs"
expect 2 "checkpoints with standard output" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --checkpoint "$TMP/ck2"
contains "$TMP/err" "give --out FILE" "standard output is refused with checkpoints"
expect 2 "the checkpoint onto the summary" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/q.csv" --summary "$TMP/q.json" --checkpoint "$TMP/q.json"
expect 2 "--checkpoint-every without --checkpoint" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/q.csv" --checkpoint-every 5
expect 2 "a zero period" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/q.csv" --checkpoint "$TMP/ck3" --checkpoint-every 0
[ ! -e "$TMP/q.csv" ] && [ ! -e "$TMP/ck3" ] && ok || bad "a refused sweep wrote something"
finish
