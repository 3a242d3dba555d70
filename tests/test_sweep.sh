#!/usr/bin/env bash
# test_sweep.sh — `dilemma sweep` (issue #12, first part): a grid over any config keys
# (lists, linear and log ranges, their product or zip) with replicates; every record led
# by point, replicate and the swept values; each run's records equal to the same run made
# on its own; csv with one header, json one document, jsonl lines; a progress line; bad
# axes refused before any work with exit 2 naming the axis.
# usage: test_sweep.sh path/to/dilemma path/to/configs
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
scratch_before=$(ls -d /tmp/dilemma-sweep-* 2>/dev/null | sort)
GRID="$CONFIGS/sweeps/noise_timescales.yaml"

# --- the shipped 2-D sweep: 6 x 8 points x 4 replicates, 2 rows a run -------------------
expect 0 "the noise x timescale sweep as csv" -- "$DLM" sweep "$GRID" --backend cpu --out "$TMP/grid.csv"
contains "$TMP/err" "dilemma sweep: 192/192 runs" "the progress line reaches the end"
[ "$(wc -l <"$TMP/grid.csv")" -eq $((1 + 6 * 8 * 4 * 2)) ] && ok || bad "grid.csv has $(wc -l <"$TMP/grid.csv") lines"
head -1 "$TMP/grid.csv" | grep -q '^point,replicate,match.execution_error,players.1.reaction_period,seed,game' && ok || bad "the swept keys lead the header: $(head -1 "$TMP/grid.csv" | cut -c1-100)"
py "every point and replicate, the values of its axes, a seed per replicate" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
e = [0, 0.001, 0.005, 0.01, 0.05, 0.1]
seen = set()
for r in rows:
    p, rep = int(r["point"]), int(r["replicate"])
    assert float(r["match.execution_error"]) == e[p // 8], r
    assert int(r["players.1.reaction_period"]) == p % 8 + 1, r
    assert int(r["seed"]) == 2026 + rep
    assert float(r["execution_error"]) == e[p // 8] and r["player"] in "AB"
    if r["player"] == "B":
        assert int(r["reaction_period"]) == p % 8 + 1
    seen.add((p, rep))
assert len(seen) == 48 * 4
' "$TMP/grid.csv"
# a run's records are those of the same run on its own, after the sweep's columns
expect 0 "point 27, replicate 3, on its own" -- "$DLM" run "$GRID" --set sweep= --set match.execution_error=0.01 --set players.1.reaction_period=4 --seed 2029 --backend cpu --format csv
py "a sweep run equals the run on its own" '
import sys
grid = [l for l in open(sys.argv[1]).read().splitlines()[1:] if l.startswith("27,3,")]
alone = open(sys.argv[2]).read().splitlines()[1:]
assert len(grid) == 2 and [g.split(",", 4)[4] for g in grid] == alone, (grid, alone)
' "$TMP/grid.csv" "$TMP/out"
for fmt in json jsonl; do
  expect 0 "the sweep as $fmt" -- "$DLM" sweep "$GRID" --backend cpu --format $fmt --quiet --set 'sweep.axes=[{key: match.execution_error, values: [0, 0.05]}]'
  [ -s "$TMP/err" ] && bad "--quiet printed: $(head -2 "$TMP/err")" || ok
  cp "$TMP/out" "$TMP/grid.$fmt"
done
py "json is one document of 8 runs, jsonl 8 typed records, each with its sweep values" '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["type"] == "sweep" and doc["points"] == 2 and len(doc["runs"]) == 8
assert [r["sweep"]["values"]["match.execution_error"] for r in doc["runs"]] == [0] * 4 + [0.05] * 4
recs = [json.loads(l) for l in open(sys.argv[2])]
assert len(recs) == 8 and all(r["type"] == "match" and "sweep" in r for r in recs)
' "$TMP/grid.json" "$TMP/grid.jsonl"

# --- ranges, zip, evolution --------------------------------------------------------------
cat >"$TMP/evo.yaml" <<'YAML'
mode: evolve
backend: cpu
match: {rounds: 10}
evolution:
  population: 12
  populations: 20
  generations: 500
  rule: moran-bd
  initial:
    mutant: {resident: alld, mutant: tft, count: 2}
  stop: {fixation: true}
  record_every: 500
sweep:
  axes:
    - {key: evolution.selection, from: 0.01, to: 1, steps: 3, log: true}
    - {key: match.rounds, from: 2, to: 10, steps: 3}
  zip: true
  replicates: 2
YAML
expect 0 "a zipped log x linear evolution sweep" -- "$DLM" sweep "$TMP/evo.yaml" --format csv --quiet
py "zip pairs the axes; the log range is geometric" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pairs = sorted({(int(r["point"]), float(r["evolution.selection"]), int(r["match.rounds"])) for r in rows})
assert pairs == [(0, 0.01, 2), (1, 0.1, 6), (2, 1.0, 10)], pairs
assert all(r["rounds"] == r["match.rounds"] for r in rows)
' "$TMP/out"
[ "$(ls -d /tmp/dilemma-sweep-* 2>/dev/null | sort)" = "$scratch_before" ] && ok || bad "a scratch folder was left in /tmp"

# --- refused up front, with exit 2 and the axis named ------------------------------------
bad_axis() { # bad_axis DESCRIPTION AXES TEXT
  expect 2 "$1" -- "$DLM" sweep "$GRID" --backend cpu --set "sweep.axes=$2"
  contains "$TMP/err" "$3" "$1: named"
  [ -s "$TMP/out" ] && bad "$1: output was written" || ok
}
bad_axis "an unknown key" '[{key: match.nosuch, values: [1]}]' "sweep.axes\[0\] (match.nosuch), value 1: .*unknown key"
bad_axis "a value the key refuses" '[{key: match.rounds, values: [10]}, {key: match.execution_error, values: [0, 2]}]' "sweep.axes\[1\] (match.execution_error), value 2: .*expected a probability"
bad_axis "an empty list" '[{key: match.rounds, values: []}]' "sweep.axes\[0\].values: expected a non-empty list"
bad_axis "zero steps" '[{key: match.rounds, from: 1, to: 5, steps: 0}]' "sweep.axes\[0\].steps: expected an integer in \[1,"
bad_axis "a log range through 0" '[{key: match.execution_error, from: 0, to: 0.1, steps: 3, log: true}]' "a log range needs from and to above 0"
expect 2 "zip of unequal axes" -- "$DLM" sweep "$GRID" --backend cpu --set "sweep.zip=true" --set "sweep.axes=[{key: match.rounds, values: [1, 2]}, {key: match.execution_error, values: [0]}]"
contains "$TMP/err" "zip pairs the axes" "zip of unequal axes: named"
bad_axis "the seed as an axis" '[{key: seed, values: [1, 2]}]' "replicates vary the seed"
bad_axis "a grid too large" '[{key: match.rounds, from: 1, to: 100000, steps: 100000}, {key: match.execution_error, from: 0, to: 1, steps: 1000}]' "more than 10000000 runs"
expect 2 "dilemma run of a sweep config" -- "$DLM" run "$GRID"
contains "$TMP/err" "has a sweep section: .dilemma sweep" "run says to use sweep"
expect 2 "dilemma sweep of a config without one" -- "$DLM" sweep "$CONFIGS/default.yaml"
contains "$TMP/err" "has no sweep section" "sweep says what is missing"

finish
