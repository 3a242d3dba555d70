#!/usr/bin/env bash
# test_demes_cli.sh — group selection from the command line (evolution.group_selection;
# Traulsen & Nowak 2006; kernels/dlm_demes.h): the records' groups and group_size_mean
# (m, and the living agents per group within [1, n]; the counts add up to the living
# agents), a resume after a checkpoint, a sweep over (m, n, q) with the population following m x n, the same bytes on
# the OpenCL backend where it runs, and refusals with exit 2 and nothing written.
# usage: test_demes_cli.sh path/to/dilemma
DLM=$1
. "$(dirname "$0")/testlib.sh"
export DLM_OPENCL_CACHE=0
cat >"$TMP/gs.yaml" <<'YAML'
name: gs
mode: evolve
seed: 7
game: {preset: donation, b: 3, c: 1}
match: {rounds: 1}
evolution:
  populations: 3
  generations: 40
  selection: 0.2
  group_selection: {groups: 6, size: 5, split: 0.3}
  initial:
    shares:
      - {strategy: allc, share: 0.5}
      - {strategy: alld, share: 0.5}
  mutation: {rate: 0.01, kind: set, set: [allc, alld]}
  record_every: 10
YAML

expect 0 "run" -- "$DLM" run "$TMP/gs.yaml" --quiet --backend cpu --out "$TMP/gs.csv"
head -1 "$TMP/gs.csv" | grep -q ',groups,group_size_mean$' && ok || bad "csv header ends with groups,group_size_mean"
if python3 - "$TMP/gs.csv" 6 5 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m, n = int(sys.argv[2]), int(sys.argv[3])
assert len(rows) == 3 * 5, len(rows)
for r in rows:
    assert int(r["groups"]) == m, r["groups"]
    mean = float(r["group_size_mean"])
    alive = int(r["count:allc"]) + int(r["count:alld"]) + int(r["count:other"])
    assert 1 <= mean <= n and abs(mean - alive / m) < 1e-12, (mean, alive)
    assert r["rule"] == "group-selection", r["rule"]
# splits happened: some group below n at some record after the start
assert any(float(r["group_size_mean"]) < n for r in rows[3:])
PY
then ok; else bad "records: groups, group_size_mean, living agents"; fi

expect 0 "json lines" -- "$DLM" run "$TMP/gs.yaml" --quiet --backend cpu --format jsonl --out "$TMP/gs.jsonl"
contains "$TMP/gs.jsonl" '"groups":6,"group_size_mean":' "json: groups and group_size_mean"
contains "$TMP/gs.jsonl" '"structure":"groups","group_selection":{"groups":6,"size":5,"split":0.3}' "json settings: m, n, q"

# stopped after a checkpoint and resumed: the uninterrupted bytes (the group sizes travel
# in the checkpoint with the per-population words)
rm -f "$TMP/rs.csv"* "$TMP/rs.ckpt"
expect 143 "stop after checkpoint 2" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 "$DLM" run "$TMP/gs.yaml" --quiet --backend cpu --out "$TMP/rs.csv" --checkpoint "$TMP/rs.ckpt" --checkpoint-every 7
expect 0 "resume" -- "$DLM" run "$TMP/gs.yaml" --quiet --backend cpu --out "$TMP/rs.csv" --resume "$TMP/rs.ckpt" --checkpoint-every 7
cmp -s "$TMP/rs.csv" "$TMP/gs.csv" && ok || bad "resumed records differ from the uninterrupted run's"

# the same bytes on OpenCL (PoCL), where a device runs
if "$DLM" run "$TMP/gs.yaml" --quiet --backend opencl --out "$TMP/gs_cl.csv" 2>/dev/null; then
  cmp -s "$TMP/gs.csv" "$TMP/gs_cl.csv" && ok || bad "opencl records differ from cpu"
fi

# a sweep over (m, n, q): every point its own population size m x n
cat >>"$TMP/gs.yaml" <<'YAML'
sweep:
  axes:
    - {key: evolution.group_selection.groups, values: [2, 8]}
    - {key: evolution.group_selection.size, values: [3, 10]}
    - {key: evolution.group_selection.split, values: [0, 1]}
YAML
expect 0 "sweep (m, n, q)" -- "$DLM" sweep "$TMP/gs.yaml" --quiet --backend cpu --out "$TMP/sw.csv"
if python3 - "$TMP/sw.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
points = {}
for r in rows:
    m = int(r["evolution.group_selection.groups"]); n = int(r["evolution.group_selection.size"])
    q = float(r["evolution.group_selection.split"])
    points[(m, n, q)] = points.get((m, n, q), 0) + 1
    assert int(r["groups"]) == m
    mean = float(r["group_size_mean"])
    assert 1 <= mean <= n
    if q == 0:  # no split ever: groups stay full
        assert mean == n, (m, n, mean)
    alive = int(r["count:allc"]) + int(r["count:alld"]) + int(r["count:other"])
    assert abs(alive - mean * m) < 1e-9
assert len(points) == 8, points
PY
then ok; else bad "sweep records over (m, n, q)"; fi

# refusals: exit 2, nothing written
refuse() {
  local what=$1 key=$2
  shift 2
  rm -f "$TMP/bad.csv"
  expect 2 "$what" -- "$DLM" run "$TMP/gs1.yaml" --quiet --backend cpu --out "$TMP/bad.csv" "$@"
  contains "$TMP/err" "$key" "$what: the message names $key"
  [ ! -e "$TMP/bad.csv" ] && ok || bad "$what: an output was written"
}
sed '/^sweep:/,$d' "$TMP/gs.yaml" >"$TMP/gs1.yaml"
refuse "population not m x n" "evolution.population" --set evolution.population=31
refuse "size above 63" "evolution.group_selection.size" --set evolution.group_selection.size=64
refuse "one group" "evolution.group_selection.groups" --set evolution.group_selection.groups=1
refuse "split not a probability" "evolution.group_selection.split" --set evolution.group_selection.split=1.5
refuse "unknown key" "evolution.group_selection" --set evolution.group_selection.migration=0.1
refuse "another rule" "evolution.group_selection" --set evolution.rule=fermi
refuse "a lattice" "evolution.group_selection" --set 'evolution.structure={type: lattice, width: 6, height: 5}'
refuse "the group games" "evolution.group_selection" --set evolution.interaction=group
finish
