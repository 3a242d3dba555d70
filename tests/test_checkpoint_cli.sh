#!/usr/bin/env bash
# test_checkpoint_cli.sh — checkpoint and resume of evolution runs as a user meets them: a run
# stopped by SIGTERM or SIGINT right after its k-th checkpoint (the test hook
# DLM_TEST_STOP_AFTER_CHECKPOINTS raises the signal there, so no timing is involved) and
# resumed gives the uninterrupted run's bytes — records, summary, snapshot — for csv and
# json, several stop points, cpu with 1 and 2 threads and opencl (also resumed on the other
# backend); stopped again after resuming, and resumed after a hard kill wrote past the
# checkpoint. Refused, exit 2, with the reason named and every file left as it was: a
# truncated checkpoint, a flipped byte, another config, another format version, not a
# checkpoint, another output format, a partial output missing, shorter or different.
# usage: test_checkpoint_cli.sh path/to/dilemma
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export DLM_OPENCL_CACHE=0
unset DLM_TEST_STOP_AFTER_CHECKPOINTS

# Moran with mutation (fixation never stops it), records every 5 generations.
cat >"$TMP/moran.yaml" <<'YAML'
name: checkpoint-moran
mode: evolve
seed: 7
game: {preset: pd}
match: {rounds: 20, execution_error: 0.02}
evolution:
  population: 24
  populations: 3
  generations: 60
  rule: moran-bd
  selection: 1.0
  structure: {type: well-mixed, partners: 4}
  mutation: {rate: 0.02, kind: set, set: [tft, alld, allc, wsls]}
  initial:
    shares: {alld: 0.5, tft: 0.5}
  record_every: 5
YAML
# Wright-Fisher stopping at fixation (the world's `fixed` array matters), snapshots.
cat >"$TMP/wf.yaml" <<'YAML'
name: checkpoint-fixation
mode: evolve
seed: 11
game: {preset: pd}
match: {rounds: 10, execution_error: 0.05}
evolution:
  population: 40
  populations: 5
  generations: 80
  rule: wright-fisher
  selection: 0.15
  fitness: exponential
  structure: {type: well-mixed, partners: 3}
  initial:
    shares: {alld: 0.5, tft: 0.3, wsls: 0.2}
  stop: {fixation: true}
  record_every: 9
  snapshot: {every: 20}
YAML

same_files() { # same_files A B DESCRIPTION: the output and its side files are equal
  local a=$1 b=$2 what=$3 f
  for f in "" .summary.json .snapshot; do
    if [ -e "$b$f" ] || [ -e "$a$f" ]; then
      if cmp -s "$a$f" "$b$f"; then ok; else bad "$what: $a$f differs from the uninterrupted run's"; fi
    fi
  done
}

backends=(cpu)
if "$DLM" devices | grep -q "^opencl  available"; then backends+=(opencl); else echo "(opencl not available here: its runs are skipped)"; fi

# --- uninterrupted runs ---------------------------------------------------------------------
for cfg in moran wf; do
  for fmt in csv json; do
    expect 0 "$cfg $fmt: uninterrupted" -- "$DLM" run "$TMP/$cfg.yaml" --backend cpu --out "$TMP/ref_$cfg.$fmt"
  done
done
[ -s "$TMP/ref_wf.csv.snapshot" ] && ok || bad "the wright-fisher reference wrote no snapshot"
grep -q '"type":"fixation"' "$TMP/ref_wf.json" && ok || bad "the wright-fisher reference has no fixation"
# checkpoints change nothing in a run that is not stopped; the checkpoint is removed at the end
expect 0 "checkpoints along the way" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/along.csv" --checkpoint "$TMP/along.ckpt" --checkpoint-every 3
same_files "$TMP/along.csv" "$TMP/ref_moran.csv" "checkpoints along the way"
[ -e "$TMP/along.ckpt" ] && bad "the checkpoint of a complete run is left behind" || ok
expect 0 "checkpoints every 0.5s" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/timed.csv" --checkpoint "$TMP/timed.ckpt" --checkpoint-every 0.5s
same_files "$TMP/timed.csv" "$TMP/ref_moran.csv" "checkpoints by time"

# --- stopped at the k-th checkpoint, resumed: the same bytes --------------------------------
# stop_resume CFG FMT EVERY K SIGNAL BACKEND RESUME_BACKEND THREADS
stop_resume() {
  local cfg=$1 fmt=$2 every=$3 k=$4 sig=$5 be=$6 be2=$7 th=$8
  local out="$TMP/r_${cfg}_${k}_$be.$fmt" ck="$TMP/r_${cfg}_${k}_$be.ckpt" code=143
  local what="$cfg $fmt every $every, stopped by SIG$sig after checkpoint $k on $be, resumed on $be2 ($th threads)"
  [ "$sig" = INT ] && code=130
  rm -f "$out" "$out".* "$ck"
  expect $code "$what: the stop" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=$k:$sig "$DLM" run "$TMP/$cfg.yaml" --backend "$be" --out "$out" --checkpoint "$ck" --checkpoint-every "$every"
  contains "$TMP/err" "stopped by SIG$sig at generation" "$what: says where it stopped"
  contains "$TMP/err" "to resume: dilemma run .*--resume" "$what: says how to resume"
  [ -s "$out.partial" ] && [ -s "$ck" ] && [ ! -e "$out" ] && ok || bad "$what: expected the partial output and the checkpoint, and no output"
  expect 0 "$what: the resume" -- "$DLM" run "$TMP/$cfg.yaml" --backend "$be2" --threads "$th" --out "$out" --checkpoint-every "$every" --resume "$ck"
  same_files "$out" "$TMP/ref_$cfg.$fmt" "$what"
  [ ! -e "$out.partial" ] && [ ! -e "$ck" ] && ok || bad "$what: the partial output or the checkpoint is left behind"
}
for be in "${backends[@]}"; do
  other=cpu
  [ "$be" = cpu ] && other=${backends[-1]}
  for k in 1 4 9; do
    stop_resume moran csv 3 $k TERM "$be" "$be" 1
    stop_resume wf json 4 $k INT "$be" "$other" 2
  done
  stop_resume moran json 7 2 TERM "$be" "$other" 2
  stop_resume wf csv 5 6 TERM "$be" "$be" 1
done

# The stop command printed resumes as it says (run through the shell, from the test folder).
(cd "$TMP" && env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 "$DLM" run moran.yaml --out 'my out.csv' --checkpoint ck.bin --checkpoint-every 10 >/dev/null 2>"$TMP/err")
[ $? -eq 143 ] && ok || bad "the stop with a quoted output name: exit $?"
cmd=$(sed -n 's/^dilemma run: to resume: dilemma //p' "$TMP/err")
[ -n "$cmd" ] && ok || bad "no resume command in: $(cat "$TMP/err")"
(cd "$TMP" && eval "\"$DLM\" $cmd" >/dev/null 2>&1) && ok || bad "the printed command failed: $cmd"
cmp -s "$TMP/my out.csv" "$TMP/ref_moran.csv" && ok || bad "the printed command did not give the uninterrupted bytes"

# Stopped twice: resumed, stopped again at its own 2nd checkpoint, resumed again.
rm -f "$TMP/tw.csv"* "$TMP/tw.ckpt"
expect 143 "twice: first stop" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 "$DLM" run "$TMP/moran.yaml" --out "$TMP/tw.csv" --checkpoint "$TMP/tw.ckpt" --checkpoint-every 4
expect 143 "twice: second stop" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=3 "$DLM" run "$TMP/moran.yaml" --out "$TMP/tw.csv" --resume "$TMP/tw.ckpt" --checkpoint-every 4
contains "$TMP/err" "at generation 20" "twice: the second stop is 3 checkpoints after the first (generation 8)"
expect 0 "twice: resumed" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/tw.csv" --resume "$TMP/tw.ckpt" --checkpoint-every 4
same_files "$TMP/tw.csv" "$TMP/ref_moran.csv" "stopped twice"

# A hard kill after the checkpoint leaves records past it: the resume cuts them back.
rm -f "$TMP/hk.csv"* "$TMP/hk.ckpt"
expect 143 "hard kill: stop" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=3 "$DLM" run "$TMP/moran.yaml" --out "$TMP/hk.csv" --checkpoint "$TMP/hk.ckpt" --checkpoint-every 5
printf 'records written after the checkpoint\n' >>"$TMP/hk.csv.partial"
expect 0 "hard kill: resumed" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/hk.csv" --resume "$TMP/hk.ckpt" --checkpoint-every 5
same_files "$TMP/hk.csv" "$TMP/ref_moran.csv" "resumed after a hard kill"

# --- refusals: exit 2, the reason named, nothing changed ----------------------------------------
rm -f "$TMP/bad.csv"* "$TMP/good.ckpt"
expect 143 "refusals: a stopped run" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 "$DLM" run "$TMP/moran.yaml" --out "$TMP/bad.csv" --checkpoint "$TMP/good.ckpt" --checkpoint-every 5
cp "$TMP/good.ckpt" "$TMP/keep.ckpt"
cp "$TMP/bad.csv.partial" "$TMP/keep.partial"
# refused CHECKPOINT_FILE MESSAGE DESCRIPTION [more options]: exit 2, MESSAGE, files untouched
refused() {
  local ck=$1 msg=$2 what=$3
  shift 3
  cp "$ck" "$TMP/try.ckpt"
  cp "$TMP/try.ckpt" "$TMP/try.before"
  expect 2 "$what" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/bad.csv" --resume "$TMP/try.ckpt" "$@"
  contains "$TMP/err" "$msg" "$what: the reason"
  cmp -s "$TMP/try.ckpt" "$TMP/try.before" && ok || bad "$what: the checkpoint changed"
  if [ -e "$TMP/keep.partial" ]; then cmp -s "$TMP/bad.csv.partial" "$TMP/keep.partial" && ok || bad "$what: the partial output changed"; fi
  [ -e "$TMP/bad.csv" ] && bad "$what: an output appeared" || ok
}
head -c 100 "$TMP/good.ckpt" >"$TMP/x.ckpt"
refused "$TMP/x.ckpt" "is truncated" "a truncated checkpoint"
head -c 20 "$TMP/good.ckpt" >"$TMP/x.ckpt"
refused "$TMP/x.ckpt" "is truncated" "a checkpoint cut inside its header"
cp "$TMP/good.ckpt" "$TMP/x.ckpt"
printf '\x5a' | dd of="$TMP/x.ckpt" bs=1 seek=300 conv=notrunc 2>/dev/null
refused "$TMP/x.ckpt" "is corrupted (its checksum" "a flipped byte"
cp "$TMP/good.ckpt" "$TMP/x.ckpt"
printf '\x09' | dd of="$TMP/x.ckpt" bs=1 seek=8 conv=notrunc 2>/dev/null
refused "$TMP/x.ckpt" "another format version (found 9, expected 1)" "another format version"
cp "$TMP/good.ckpt" "$TMP/x.ckpt"
printf 'X' | dd of="$TMP/x.ckpt" bs=1 seek=0 conv=notrunc 2>/dev/null
refused "$TMP/x.ckpt" "is not a dilemma checkpoint" "another magic number"
refused "$TMP/moran.yaml" "is not a dilemma checkpoint" "a config given as the checkpoint"
refused "$TMP/good.ckpt" "is from another config" "another seed" --seed 8
refused "$TMP/good.ckpt" "is from another config" "another mutation rate" --set evolution.mutation.rate=0.03
refused "$TMP/good.ckpt" "is from another config" "another output format (--format)" --format json
# a format taken from --out's extension is no config key: the checkpoint's own check names it
expect 2 "another output format (--out's extension)" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/bad.json" --resume "$TMP/good.ckpt"
contains "$TMP/err" "taken of csv records; this run writes json" "another output format (--out's extension): the reason"
rm -f "$TMP/try.ckpt"
expect 2 "a missing checkpoint" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/bad.csv" --resume "$TMP/try.ckpt"
contains "$TMP/err" "cannot read checkpoint" "a missing checkpoint: the reason"
# the partial output missing, shorter, different
mv "$TMP/bad.csv.partial" "$TMP/moved.partial"
rm -f "$TMP/keep.partial"
refused "$TMP/good.ckpt" "partial output .*bad.csv.partial is missing" "no partial output"
head -c 300 "$TMP/moved.partial" >"$TMP/bad.csv.partial"
cp "$TMP/bad.csv.partial" "$TMP/keep.partial"
refused "$TMP/good.ckpt" "is shorter (300 bytes)" "a shorter partial output"
cp "$TMP/moved.partial" "$TMP/bad.csv.partial"
printf 'Z' | dd of="$TMP/bad.csv.partial" bs=1 seek=200 conv=notrunc 2>/dev/null
cp "$TMP/bad.csv.partial" "$TMP/keep.partial"
refused "$TMP/good.ckpt" "is not what it was when the checkpoint was taken" "a different partial output"
# the untouched pair still resumes
cp "$TMP/moved.partial" "$TMP/bad.csv.partial"
expect 0 "after the refusals, the kept pair resumes" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/bad.csv" --resume "$TMP/keep.ckpt" --checkpoint-every 5
same_files "$TMP/bad.csv" "$TMP/ref_moran.csv" "resumed after the refusals"

# A new run never overwrites a stopped run's checkpoint (nor, so, its partial records).
cp "$TMP/good.ckpt" "$TMP/again.ckpt"
cp "$TMP/moved.partial" "$TMP/again.csv.partial"
expect 2 "a new run over a stopped run's checkpoint" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/again.csv" --checkpoint "$TMP/again.ckpt"
contains "$TMP/err" "again.ckpt exists (a run stopped there): continue it with --resume" "a new run over a checkpoint: the reason"
cmp -s "$TMP/again.ckpt" "$TMP/good.ckpt" && cmp -s "$TMP/again.csv.partial" "$TMP/moved.partial" && ok || bad "a refused new run changed the checkpoint or the partial records"

# --- settings refused up front --------------------------------------------------------------------
expect 2 "checkpoint with records on standard output" -- "$DLM" run "$TMP/moran.yaml" --checkpoint "$TMP/so.ckpt"
contains "$TMP/err" "writes its records to a file" "standard output: the reason"
expect 2 "checkpoint of a tournament" -- "$DLM" run --set mode=tournament --checkpoint "$TMP/t.ckpt" --out "$TMP/t.txt"
contains "$TMP/err" "are for evolution runs" "tournament: the reason"
for bad in 0 -3 10x 5q "" 1e3; do
  expect 2 "--checkpoint-every '$bad'" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/e.csv" --checkpoint "$TMP/e.ckpt" --checkpoint-every "$bad"
  contains "$TMP/err" "checkpoint-every $bad: expected generations (an integer" "--checkpoint-every '$bad': says what is allowed"
done
expect 2 "a checkpoint in a missing folder" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/e.csv" --checkpoint "$TMP/nowhere/e.ckpt"
[ ! -e "$TMP/e.csv.partial" ] && [ ! -e "$TMP/e.csv" ] && ok || bad "a refused checkpoint path left an output"
expect 2 "--checkpoint-every without --checkpoint" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/e.csv" --checkpoint-every 5
contains "$TMP/err" "give that too" "--checkpoint-every without --checkpoint: the reason"
expect 2 "output and checkpoint the same file" -- "$DLM" run "$TMP/moran.yaml" --out "$TMP/e.csv" --checkpoint "$TMP/e.csv"
# without --checkpoint a signal still ends the run at once (nothing deferred): covered by
# test_robust_outputs.sh

finish
