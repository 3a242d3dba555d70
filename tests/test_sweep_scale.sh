#!/usr/bin/env bash
# test_sweep_scale.sh — a sweep beyond one process (issue #12 items 1, 3, 5, 8): per-point
# summaries (mean and 95 % interval over replicates, checked against the records); slices
# (--shard I/N) joined by `dilemma merge` into the bytes of the whole run, in every format,
# and every bad slice set refused with exit 2; `mpirun -np 2` writing the same bytes (when
# MPI is built in and mpirun runs here); an analyze sweep (mode: analyze) whose every cell
# is `dilemma analyze`'s exact answer.
# usage: test_sweep_scale.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CONFIGS=$(cd "$2" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
py() { # py DESCRIPTION SCRIPT ARGS...
  local what=$1
  shift
  [ -n "$PY" ] || { ok; return; }
  if "$PY" -c "$@" 2>"$TMP/pyerr"; then ok; else bad "$what"; sed 's/^/    /' "$TMP/pyerr" | tail -5; fi
}
export DLM_OPENCL_CACHE=0
GRID="$CONFIGS/sweeps/noise_timescales.yaml"
SMALL=(--backend cpu --quiet --set match.repetitions=3 --set "sweep.axes=[{key: match.execution_error, values: [0, 0.05, 0.1]}, {key: players.1.reaction_period, values: [1, 3]}]" --set sweep.replicates=3)

# --- the summary: each point's mean and interval over its replicates ---------------------
expect 0 "a sweep with a summary" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/g.csv" --summary "$TMP/s.csv"
head -1 "$TMP/s.csv" | grep -qx 'point,match.execution_error,players.1.reaction_period,quantity,n,mean,se,ci_low,ci_high' && ok || bad "summary header: $(head -1 "$TMP/s.csv")"
py "summary rows are the mean, s.e. and t interval of the records" '
import csv, sys, math
recs = list(csv.DictReader(open(sys.argv[1])))
summ = list(csv.DictReader(open(sys.argv[2])))
assert len(summ) == 6 * 4, len(summ)
t2 = 4.30265  # Student t, 2 degrees of freedom
for s in summ:
    p = int(s["point"]); q = s["quantity"]
    col, who = q.split(".")
    col = {"payoff": "mean_payoff", "cooperation": "cooperation_rate"}[col]
    xs = [float(r[col]) for r in recs if int(r["point"]) == p and r["player"] == who]
    assert len(xs) == 3 == int(s["n"]), (q, xs)
    m = sum(xs) / 3
    se = math.sqrt(sum((x - m) ** 2 for x in xs) / 2 / 3)
    assert abs(float(s["mean"]) - m) < 1e-12, (s, m)
    assert abs(float(s["se"]) - se) < 1e-12, (s, se)
    assert abs(float(s["ci_low"]) - (m - t2 * se)) < 1e-9 and abs(float(s["ci_high"]) - (m + t2 * se)) < 1e-9, s
    assert s["match.execution_error"] == recs[[int(r["point"]) for r in recs].index(p)]["match.execution_error"]
assert any(float(s["se"]) > 0 for s in summ), "noise gives replicates different results"
' "$TMP/g.csv" "$TMP/s.csv"
expect 0 "a summary as json" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/g.json" --summary "$TMP/s.json"
py "the json summary holds the csv summary" '
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert d["type"] == "sweep-summary" and d["points"] == 6 and d["replicates"] == 3
assert len(d["rows"]) == len(rows)
for j, c in zip(d["rows"], rows):
    assert j["quantity"] == c["quantity"] and j["point"] == int(c["point"])
    assert j["mean"] == float(c["mean"]) and j["ci_high"] == float(c["ci_high"])
    assert j["values"]["players.1.reaction_period"] == int(c["players.1.reaction_period"])
' "$TMP/s.json" "$TMP/s.csv"
expect 2 "--summary onto the output" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --out "$TMP/x.csv" --summary "$TMP/x.csv"
contains "$TMP/err" "needs a file of its own" "--summary onto the output: named"

# evolution: fixation probabilities (Wilson intervals) and fixation times per point
cat >"$TMP/evo.yaml" <<'YAML'
mode: evolve
seed: 11
match: {rounds: 20}
evolution:
  population: 12
  populations: 10
  generations: 400
  record_every: 400
  initial: {shares: {tft: 0.5, alld: 0.5}}
  stop: {fixation: true}
sweep:
  axes:
    - {key: evolution.selection, values: [0.1, 1]}
  replicates: 2
YAML
expect 0 "an evolution sweep with a summary" -- "$DLM" sweep "$TMP/evo.yaml" --backend cpu --quiet --out "$TMP/e.jsonl" --summary "$TMP/es.csv"
py "fixation fractions with Wilson intervals, over replicates x populations" '
import csv, json, sys, math
summ = {(int(r["point"]), r["quantity"]): r for r in csv.DictReader(open(sys.argv[1]))}
fix = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("type") == "summary":
        for o in r["outcomes"]:
            fix.setdefault(r["settings"]["sweep"]["point"], []).append(o.get("fixed"))
for p in (0, 1):
    s = summ[(p, "fixed.tft")]
    outs = fix[p]
    assert int(s["n"]) == 20 == len(outs), (s, len(outs))
    k = sum(1 for f in outs if f == "tft")
    ph = k / 20; z = 1.959963984540054; den = 1 + z * z / 20
    c = (ph + z * z / 40) / den; h = z * math.sqrt(ph * (1 - ph) / 20 + z * z / 1600) / den
    assert abs(float(s["mean"]) - ph) < 1e-12 and abs(float(s["ci_low"]) - max(0, c - h)) < 1e-9, (s, ph)
    assert float(summ[(p, "fixed")]["mean"]) == sum(1 for f in outs if f) / 20
    assert (p, "fixation_generation") in summ and (p, "abundance.tft") in summ and (p, "final_cooperation") in summ
' "$TMP/es.csv" "$TMP/e.jsonl"

expect 2 "a value the evolution plan refuses, before any work" -- "$DLM" sweep "$TMP/evo.yaml" --backend cpu --quiet --out "$TMP/never.csv" --set "sweep.axes=[{key: evolution.selection, values: [0.5, 2]}]"
contains "$TMP/err" "sweep.axes\[0\] (evolution.selection), value 2: evolution.selection: the linear fitness" "the plan's refusal names the axis"
[ -e "$TMP/never.csv" ] && bad "a refused sweep wrote its output" || ok

# --- batches: runs of an evolution sweep share one plan and one launch, and each run's
# bytes are still those it writes on its own (--batch 1 runs each alone) ------------------
cat >"$TMP/fix.yaml" <<'YAML'
mode: evolve
seed: 5
match: {rounds: 10}
evolution:
  populations: 3
  generations: 300
  record_every: 7
  initial: {shares: {tft: 0.4, alld: 0.3, wsls: 0.3}}
  stop: {fixation: true}
sweep:
  axes:
    - {key: evolution.population, values: [8, 13]}
    - {key: match.execution_error, values: [0, 0.1]}
  replicates: 3
YAML
cat >"$TMP/classes.yaml" <<'YAML'
mode: evolve
seed: 9
match: {rounds: 12}
evolution:
  population: 16
  populations: 2
  generations: 40
  record_every: 10
  rule: fermi
  mutation: {rate: 0.02, set: [tft, alld, wsls, gtft]}
  initial: {shares: {tft: 0.5, alld: 0.5}}
  classes:
    - {name: fast, share: 0.5}
    - {name: slow, share: 0.5, reaction_period: 3}
sweep:
  axes:
    - {key: evolution.classes.1.reaction_period, values: [1, 4]}
    - {key: evolution.mutation.rate, values: [0, 0.05]}
  replicates: 2
YAML
cat >"$TMP/exact.yaml" <<'YAML'
mode: evolve
seed: 4
match: {rounds: 50, execution_error: 0.01}
evolution:
  population: 20
  populations: 4
  generations: 60
  record_every: 20
  rule: wright-fisher
  payoff: exact
  initial: {shares: {tft: 0.5, alld: 0.25, wsls: 0.25}}
sweep:
  axes:
    - {key: evolution.selection, values: [0.05, 0.2]}
  replicates: 2
YAML
cat >"$TMP/lattice.yaml" <<'YAML'
mode: evolve
seed: 8
match: {rounds: 10}
evolution:
  population: 64
  populations: 2
  generations: 30
  record_every: 5
  structure: {type: lattice, width: 8, height: 8, neighbourhood: moore}
  initial: {shares: {tft: 0.4, alld: 0.3, wsls: 0.3}}
sweep:
  axes:
    - {key: match.execution_error, values: [0, 0.1]}
    - {key: evolution.selection, values: [0.5, 1]}
  replicates: 2
YAML
cat >"$TMP/regular.yaml" <<'YAML'
mode: evolve
seed: 8
match: {rounds: 10}
evolution:
  population: 30
  generations: 20
  record_every: 5
  rule: fermi
  structure: {type: random-regular, degree: 4}
  initial: {shares: {tft: 0.5, alld: 0.5}}
sweep:
  axes:
    - {key: match.execution_error, values: [0, 0.1, 0.2]}
  replicates: 2
YAML
for cfg in fix classes exact lattice regular; do
  for fmt in csv json; do
    expect 0 "$cfg: one run at a time ($fmt)" -- "$DLM" sweep "$TMP/$cfg.yaml" --backend cpu --quiet --batch 1 --format $fmt --out "$TMP/one.$fmt" --summary "$TMP/one_s.csv"
    expect 0 "$cfg: batched ($fmt)" -- "$DLM" sweep "$TMP/$cfg.yaml" --backend cpu --threads 2 --quiet --format $fmt --out "$TMP/batch.$fmt" --summary "$TMP/batch_s.csv"
    cmp -s "$TMP/one.$fmt" "$TMP/batch.$fmt" && ok || bad "$cfg: batched runs differ from runs alone ($fmt)"
    cmp -s "$TMP/one_s.csv" "$TMP/batch_s.csv" && ok || bad "$cfg: batched summary differs ($fmt)"
  done
  expect 0 "$cfg: batches of 5" -- "$DLM" sweep "$TMP/$cfg.yaml" --backend cpu --quiet --batch 5 --format json --out "$TMP/b5.json"
  cmp -s "$TMP/one.json" "$TMP/b5.json" && ok || bad "$cfg: batches of 5 differ"
  cp "$TMP/one.json" "$TMP/${cfg}_one.json"
  if "$DLM" devices 2>/dev/null | grep -q '^opencl  *available'; then
    expect 0 "$cfg: batched on OpenCL" -- "$DLM" sweep "$TMP/$cfg.yaml" --backend opencl --quiet --format json --out "$TMP/cl.json"
    cmp -s "$TMP/one.json" "$TMP/cl.json" && ok || bad "$cfg: OpenCL batch differs from the CPU's runs alone"
  fi
done
py "the fixation sweep has runs that stop early and runs that do not" '
import json, sys
d = json.load(open(sys.argv[1]))
stops = [r["summary"]["stopped"] for r in d["runs"]]
assert "fixation" in stops, stops
gens = {r["summary"]["generations"] for r in d["runs"]}
assert len(gens) > 3, gens
' "$TMP/fix_one.json"
# one graph per batch: the lattice's runs share it; a random graph is the seed's, so the
# replicates' graphs differ and their runs cannot share a batch
expect 0 "the lattice sweep" -- "$DLM" sweep "$TMP/lattice.yaml" --backend cpu --out "$TMP/x.csv"
contains "$TMP/err" "8/8 runs.*; 1 batch$" "runs on one lattice share a batch"
expect 0 "the random-regular sweep" -- "$DLM" sweep "$TMP/regular.yaml" --backend cpu --out "$TMP/x.csv"
contains "$TMP/err" "6/6 runs.*; 6 batches$" "runs on different random graphs do not share a batch"
expect 0 "the 12 runs of the fixation sweep" -- "$DLM" sweep "$TMP/fix.yaml" --backend cpu --out "$TMP/x.csv"
contains "$TMP/err" "12/12 runs.*; 1 batch$" "the fixation sweep's runs share one batch"
expect 0 "batches of 5" -- "$DLM" sweep "$TMP/fix.yaml" --backend cpu --batch 5 --out "$TMP/x.csv"
contains "$TMP/err" "12/12 runs.*; 3 batches$" "at most 5 runs a batch: 3 batches"
# a match sweep: its runs' matches played together, one launch per seed (replicate), each
# run's bytes those it writes alone, on the CPU and on OpenCL (csv: the json and table
# outputs name the backend)
expect 0 "a match sweep in one batch" -- "$DLM" sweep "$GRID" "${SMALL[@]:0:2}" "${SMALL[@]:3}" --out "$TMP/x.csv"
contains "$TMP/err" "18/18 runs.*; 1 batch$" "a match sweep: one batch"
expect 0 "a match sweep, --batch 4" -- "$DLM" sweep "$GRID" "${SMALL[@]:0:2}" "${SMALL[@]:3}" --batch 4 --out "$TMP/x.csv"
contains "$TMP/err" "18/18 runs.*; 5 batches$" "a match sweep: batches of 4"
for fmt in csv json table; do
  expect 0 "match runs alone ($fmt)" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set match.continuation=0.99 --batch 1 --format $fmt --out "$TMP/m1.$fmt" --summary "$TMP/m1_s.csv"
  expect 0 "match runs batched ($fmt)" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --set match.continuation=0.99 --format $fmt --out "$TMP/mb.$fmt" --summary "$TMP/mb_s.csv"
  cmp -s "$TMP/m1.$fmt" "$TMP/mb.$fmt" && cmp -s "$TMP/m1_s.csv" "$TMP/mb_s.csv" && ok || bad "batched match runs differ from runs alone ($fmt)"
done
cat >"$TMP/rounds.yaml" <<'YAML'
mode: match
seed: 3
match: {rounds: 50, repetitions: 7, execution_error: 0.02}
players: [{strategy: tft}, {strategy: gtft}]
sweep:
  axes:
    - {key: match.rounds, values: [10, 50]}
    - {key: players.1.strategy, values: [wsls, alld, gtft]}
  replicates: 2
YAML
expect 0 "rounds swept, alone" -- "$DLM" sweep "$TMP/rounds.yaml" --backend cpu --quiet --batch 1 --format jsonl --out "$TMP/r1.jsonl"
expect 0 "rounds swept, batched" -- "$DLM" sweep "$TMP/rounds.yaml" --backend cpu --quiet --format jsonl --out "$TMP/rb.jsonl"
cmp -s "$TMP/r1.jsonl" "$TMP/rb.jsonl" && ok || bad "a batch of matches with several rules and strategies differs"
cat >"$TMP/tour.yaml" <<'YAML'
mode: tournament
seed: 11
match: {rounds: 30, execution_error: 0.03}
tournament: {strategies: [tft, wsls, alld, gtft, grim], repetitions: 4}
sweep:
  axes:
    - {key: match.execution_error, values: [0, 0.05]}
    - {key: tournament.repetitions, values: [2, 5]}
    - {key: tournament.self_play, values: [true, false]}
  replicates: 2
YAML
for fmt in csv json; do
  expect 0 "tournament runs alone ($fmt)" -- "$DLM" sweep "$TMP/tour.yaml" --backend cpu --batch 1 --format $fmt --out "$TMP/t1.$fmt" --summary "$TMP/t1_s.csv"
  expect 0 "tournament runs batched ($fmt)" -- "$DLM" sweep "$TMP/tour.yaml" --backend cpu --format $fmt --out "$TMP/tb.$fmt" --summary "$TMP/tb_s.csv"
  contains "$TMP/err" "16/16 runs.*; 1 batch$" "a tournament sweep: one batch"
  cmp -s "$TMP/t1.$fmt" "$TMP/tb.$fmt" && cmp -s "$TMP/t1_s.csv" "$TMP/tb_s.csv" && ok || bad "batched tournament runs differ from runs alone ($fmt)"
done
expect 0 "a tournament sweep with the matrix runs alone" -- "$DLM" sweep "$TMP/tour.yaml" --backend cpu --set tournament.matrix=true --format json --out "$TMP/tm.json"
contains "$TMP/err" "16/16 runs.*; 16 batches$" "side outputs: a run at a time"
if "$DLM" devices 2>/dev/null | grep -q '^opencl  *available'; then
  expect 0 "tournament runs batched on OpenCL" -- "$DLM" sweep "$TMP/tour.yaml" --backend opencl --format csv --out "$TMP/tcl.csv"
  cmp -s "$TMP/t1.csv" "$TMP/tcl.csv" && ok || bad "OpenCL's batched tournaments differ from the CPU's runs alone"
fi
if "$DLM" devices 2>/dev/null | grep -q '^opencl  *available'; then
  expect 0 "match runs batched on OpenCL" -- "$DLM" sweep "$GRID" "${SMALL[@]/cpu/opencl}" --set match.continuation=0.99 --format csv --out "$TMP/mcl.csv"
  cmp -s "$TMP/m1.csv" "$TMP/mcl.csv" && ok || bad "OpenCL's batched match runs differ from the CPU's runs alone"
  expect 0 "rounds swept, alone (csv)" -- "$DLM" sweep "$TMP/rounds.yaml" --backend cpu --quiet --batch 1 --format csv --out "$TMP/r1.csv"
  expect 0 "rounds swept, batched on OpenCL" -- "$DLM" sweep "$TMP/rounds.yaml" --backend opencl --quiet --format csv --out "$TMP/rcl.csv"
  cmp -s "$TMP/r1.csv" "$TMP/rcl.csv" && ok || bad "OpenCL's batch of matches with several rules differs"
fi
expect 2 "--batch 0" -- "$DLM" sweep "$TMP/fix.yaml" --batch 0
contains "$TMP/err" "expected the most runs in one batch" "--batch 0: named"

# --- slices and merge: the same bytes in every format ----------------------------------
for fmt in csv json jsonl table; do
  expect 0 "the whole sweep ($fmt)" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format $fmt --out "$TMP/whole.$fmt" --summary "$TMP/whole_s.csv"
  for i in 0 1 2; do
    expect 0 "slice $i/3 ($fmt)" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format $fmt --shard $i/3 --out "$TMP/part$i"
  done
  expect 0 "merge ($fmt)" -- "$DLM" merge "$TMP/part2" "$TMP/part0" "$TMP/part1" --out "$TMP/merged.$fmt" --summary "$TMP/merged_s.csv"
  cmp -s "$TMP/whole.$fmt" "$TMP/merged.$fmt" && ok || bad "merged slices differ from the whole sweep ($fmt)"
  cmp -s "$TMP/whole_s.csv" "$TMP/merged_s.csv" && ok || bad "merged summary differs ($fmt)"
done
expect 0 "more slices than runs leave some empty" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --shard 5/40 --out "$TMP/empty"
# refusals: exit 2, named, nothing written
merge_refused() { # merge_refused DESCRIPTION TEXT SLICES...
  local what=$1 text=$2
  shift 2
  rm -f "$TMP/m.out"
  expect 2 "$what" -- "$DLM" merge "$@" --out "$TMP/m.out"
  contains "$TMP/err" "$text" "$what: named"
  [ -e "$TMP/m.out" ] && bad "$what: an output was left" || ok
}
merge_refused "a missing slice" "cut into 3 shards; 2 slices given" "$TMP/part0" "$TMP/part1"
merge_refused "a slice twice" "are both shard 1" "$TMP/part0" "$TMP/part1" "$TMP/part1"
"$DLM" sweep "$GRID" "${SMALL[@]}" --format table --set match.rounds=50 --shard 2/3 --out "$TMP/other2" 2>/dev/null
merge_refused "a slice of another config" "a slice of another config" "$TMP/part0" "$TMP/part1" "$TMP/other2"
echo "point,replicate" >"$TMP/notslice"
merge_refused "not a slice" "is not a slice of a sweep" "$TMP/part0" "$TMP/part1" "$TMP/notslice"
head -c $(($(wc -c <"$TMP/part1") - 40)) "$TMP/part1" >"$TMP/cut1"
merge_refused "a truncated slice" "cut short or damaged" "$TMP/part0" "$TMP/cut1" "$TMP/part2"
expect 2 "--shard 3/3" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --shard 3/3 --out "$TMP/x"
contains "$TMP/err" "expected I/N, slice I (0 <= I < N)" "--shard 3/3: named"
expect 2 "--shard to standard output" -- "$DLM" sweep "$GRID" "${SMALL[@]}" --shard 0/2
contains "$TMP/err" "give it --out FILE" "--shard without --out: named"

# --- MPI: two ranks, one output, the same bytes ----------------------------------------
if command -v mpirun >/dev/null && "$DLM" sweep --help | grep -q mpirun && ldd "$DLM" | grep -q libmpi; then
  # As root in a container Open MPI needs these two variables (or --allow-run-as-root);
  # --oversubscribe lets 2 ranks start on a 1-core machine.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  # Open MPI keeps memory until exit that LeakSanitizer would report as its own leaks.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
  for fmt in csv json; do
    expect 0 "mpirun -np 2 ($fmt)" -- timeout 300 mpirun -np 2 "$DLM" sweep "$GRID" "${SMALL[@]}" --format $fmt --out "$TMP/mpi.$fmt" --summary "$TMP/mpi_s.csv"
    cmp -s "$TMP/whole.$fmt" "$TMP/mpi.$fmt" && ok || bad "mpirun -np 2 output differs ($fmt)"
    cmp -s "$TMP/whole_s.csv" "$TMP/mpi_s.csv" && ok || bad "mpirun -np 2 summary differs ($fmt)"
  done
  expect 0 "mpirun -np 3 (csv)" -- timeout 300 mpirun -np 3 "$DLM" sweep "$GRID" "${SMALL[@]}" --format csv --out "$TMP/mpi3.csv"
  cmp -s "$TMP/whole.csv" "$TMP/mpi3.csv" && ok || bad "mpirun -np 3 output differs"
else
  echo "note: MPI not built in or mpirun missing; the MPI checks are skipped"
fi

# --- an analyze sweep: every cell the exact answer ------------------------------------
cat >"$TMP/an.yaml" <<'YAML'
mode: analyze
players: [{strategy: tft}, {strategy: wsls}]
match: {rounds: 100}
sweep:
  axes:
    - {key: match.execution_error, values: [0.01, 0.1]}
    - {key: players.1.reaction_period, values: [1, 2, 5]}
YAML
expect 0 "an analyze sweep" -- "$DLM" sweep "$TMP/an.yaml" --quiet --format csv --out "$TMP/an.csv"
[ "$(wc -l <"$TMP/an.csv")" -eq 13 ] && ok || bad "analyze sweep: $(wc -l <"$TMP/an.csv") lines, expected 13"
expect 0 "one cell by dilemma analyze" -- "$DLM" analyze tft wsls --rounds 100 --execution-error 0.1 --reaction-period 1,5 --format csv
py "each cell equals dilemma analyze" '
import csv, sys
cells = [r for r in csv.DictReader(open(sys.argv[1])) if r["point"] == "5"]
one = list(csv.DictReader(open(sys.argv[2])))
assert len(cells) == 2 == len(one)
for c, o in zip(cells, one):
    for k in o:
        assert c[k] == o[k], (k, c[k], o[k])
' "$TMP/an.csv" "$TMP/out"

finish
