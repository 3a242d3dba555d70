#!/usr/bin/env bash
# test_group_stats_cli.sh — the group games' statistics on the records (issue #15 item 6)
# and the level games' execution error, as a user runs them:
#  - the commons' stock columns against a hand-computed collapse (five members at level
#    4 asking 8 each of K = 100, g = 0.5: stocks at the rounds' starts 100, 72, 42.88,
#    4.278528, 0; stock_mean 0.438317056, stock_final 0, collapse_fraction 1) and a
#    sustainable path against the logistic recursion computed here (collapse_fraction 0);
#  - level_mean: the mean level (cooperation x (L - 1); the contribution level in pgg);
#  - json records and the summary (final_stock_mean, ...), the settings naming the game;
#  - a sweep across pgg, commons and escalation keeps one set of columns (stock empty
#    where there is no commons);
#  - the execution error: everyone at level(0) with e = 1 shows a uniform level, mean
#    (L - 1) / 2 within 4 standard errors; the same bytes on OpenCL and the CUDA emulator;
#  - refusals with exit 2.
# usage: test_group_stats_cli.sh path/to/dilemma [path/to/dilemma_cuda_emu]
set -u
DLM=$1
EMU=${2:-}
. "$(dirname "$0")/testlib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
py() { # py DESCRIPTION SCRIPT ARGS...: a Python check (skipped without python)
  local what=$1
  shift
  [ -n "$PY" ] || { ok; return; }
  if "$PY" -c "$@" 2>"$TMP/pyerr"; then ok; else bad "$what"; sed 's/^/    /' "$TMP/pyerr" | tail -5; fi
}
export DLM_OPENCL_CACHE=0

cat >"$TMP/collapse.yaml" <<'YAML'
mode: evolve
seed: 5
match: {rounds: 5}
evolution:
  population: 5
  populations: 2
  generations: 2
  record_every: 1
  rule: fermi
  interaction: group
  group: {game: commons, size: 5, levels: 5, capacity: 100, growth: 0.5, harvest: 2}
  initial: {shares: {"level(4)": 1}}
YAML
expect 0 "the commons: a collapse" -- "$DLM" run "$TMP/collapse.yaml" --out "$TMP/collapse.csv" --quiet
contains "$TMP/collapse.csv" "level_mean,stock_mean,stock_final,collapse_fraction" "the group columns in the header"
py "the collapse by hand" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, len(rows)
for r in rows:
    assert abs(float(r["stock_mean"]) - 0.438317056) < 1e-12, r["stock_mean"]
    assert float(r["stock_final"]) == 0.0 and float(r["collapse_fraction"]) == 1.0
    assert float(r["level_mean"]) == 4.0 and float(r["cooperation"]) == 1.0
' "$TMP/collapse.csv"

# sustainable: everyone at level 1 (demand 10 < g K / 4 = 12.5), 40 rounds
expect 0 "the commons: sustainable" -- "$DLM" run "$TMP/collapse.yaml" --set 'evolution.initial={shares: {"level(1)": 1}}' --set match.rounds=40 --out "$TMP/sustain.csv" --quiet
py "the sustainable path by the recursion" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
K, g, h, seen, x = 100.0, 0.5, 2.0, 0.0, 100.0
for t in range(40):
    seen += x
    x = x - 5 * h * 1 if 5 * h <= x else 0.0
    x = x + g * x * (1.0 - x / K)
for r in rows:
    assert abs(float(r["stock_mean"]) - seen / 40 / K) < 1e-12, (r["stock_mean"], seen / 40 / K)
    assert abs(float(r["stock_final"]) - x / K) < 1e-12, (r["stock_final"], x / K)
    assert float(r["collapse_fraction"]) == 0.0 and float(r["level_mean"]) == 1.0
' "$TMP/sustain.csv"

# json: members, null without a commons, the summary, the settings
expect 0 "the commons: jsonl" -- "$DLM" run "$TMP/collapse.yaml" --out "$TMP/collapse.jsonl" --quiet
expect 0 "escalation: jsonl" -- "$DLM" run "$TMP/collapse.yaml" --set evolution.group.game=escalation --out "$TMP/esc.jsonl" --quiet
py "json records and the summary" '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
s = lines[0]
assert s["group"]["game"] == "commons" and s["group"]["capacity"] == 100 and s["group"]["levels"] == 5, s["group"]
recs = [l for l in lines if l.get("type") == "generation"]
assert abs(recs[0]["stock_mean"] - 0.438317056) < 1e-12 and recs[0]["collapse_fraction"] == 1
summary = lines[-1]
assert summary["type"] == "summary"
assert abs(summary["final_stock_mean"]["mean"] - 0.438317056) < 1e-12, summary["final_stock_mean"]
assert summary["final_collapse_fraction"]["n"] == 2 and summary["final_level_mean"]["mean"] == 4
lines = [json.loads(l) for l in open(sys.argv[2])]
assert lines[0]["group"]["game"] == "escalation" and lines[0]["group"]["prize"] == 10
recs = [l for l in lines if l.get("type") == "generation"]
assert recs[0]["stock_mean"] is None and recs[0]["collapse_fraction"] is None
assert recs[0]["level_mean"] == 4
assert "final_stock_mean" not in lines[-1] and lines[-1]["final_level_mean"]["mean"] == 4
' "$TMP/collapse.jsonl" "$TMP/esc.jsonl"

# a sweep across the games: one header, the same columns on every row
cat >"$TMP/games.yaml" <<'YAML'
mode: evolve
seed: 9
match: {rounds: 6}
evolution:
  population: 30
  populations: 2
  generations: 20
  record_every: 10
  rule: fermi
  interaction: group
  group: {game: pgg, size: 5, levels: 5}
  initial: {shares: {allc: 0.5, alld: 0.5}}
sweep:
  axes:
    - key: evolution.group.game
      values: [pgg, commons, escalation]
YAML
expect 0 "a sweep across the games" -- "$DLM" sweep "$TMP/games.yaml" --set 'sweep.axes=[{key: evolution.group.game, values: [pgg]}]' --out "$TMP/games_pgg.csv" --quiet
py "pgg: level_mean is the contribution level, no stock" '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    assert r["level_mean"] == r["cooperation"], (r["level_mean"], r["cooperation"])
    assert r["stock_mean"] == r["stock_final"] == r["collapse_fraction"] == ""
' "$TMP/games_pgg.csv"
cat >"$TMP/levels.yaml" <<'YAML'
mode: evolve
seed: 9
match: {rounds: 6}
evolution:
  population: 30
  populations: 2
  generations: 20
  record_every: 10
  rule: fermi
  interaction: group
  group: {game: commons, size: 5, levels: 5, execution_error: 0.05}
  initial: {shares: {"level(1)": 0.5, "level(4)": 0.5}}
sweep:
  axes:
    - key: evolution.group.game
      values: [commons, escalation]
    - key: evolution.group.execution_error
      values: [0, 0.1]
YAML
expect 0 "a sweep across the level games and the error" -- "$DLM" sweep "$TMP/levels.yaml" --out "$TMP/levels.csv" --quiet
py "one set of columns on every row" '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head = rows[0]
assert all(len(r) == len(head) for r in rows), "ragged rows"
d = [dict(zip(head, r)) for r in rows[1:]]
assert len(d) == 2 * 2 * 3 * 2
for r in d:
    lm, c = float(r["level_mean"]), float(r["cooperation"])
    assert abs(lm - 4 * c) < 1e-12
    has = r["evolution.group.game"] == "commons"
    assert (r["stock_mean"] != "") == has and (r["collapse_fraction"] != "") == has
    if has:
        assert 0 <= float(r["stock_mean"]) <= 1 and 0 <= float(r["collapse_fraction"]) <= 1
' "$TMP/levels.csv"

# the execution error: level(0) everyone, e = 1: a uniform level 0..4 (mean 2, variance 2);
# the census's acts at generation 0: 50 agents x 20 rounds = 1000 levels of focal agents
cat >"$TMP/error.yaml" <<'YAML'
mode: evolve
seed: 77
match: {rounds: 20}
evolution:
  population: 50
  populations: 1
  generations: 1
  record_every: 1
  rule: fermi
  interaction: group
  group: {game: commons, size: 5, levels: 5, capacity: 1000, growth: 0.5, harvest: 1, execution_error: 1}
  initial: {shares: {"level(0)": 1}}
YAML
expect 0 "the execution error in the commons" -- "$DLM" run "$TMP/error.yaml" --out "$TMP/error.csv" --quiet
py "e = 1: a uniform level (4 SE)" '
import csv, sys, math
r = next(csv.DictReader(open(sys.argv[1])))
lm, se = float(r["level_mean"]), math.sqrt(2.0 / 1000)
assert abs(lm - 2.0) <= 4 * se, (lm, se)
' "$TMP/error.csv"
expect 0 "no error" -- "$DLM" run "$TMP/error.yaml" --set evolution.group.execution_error=0 --out "$TMP/noerror.csv" --quiet
py "e = 0: level 0 throughout, the stock never falls" '
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
assert float(r["level_mean"]) == 0.0 and float(r["stock_mean"]) == 1.0 and float(r["stock_final"]) == 1.0
' "$TMP/noerror.csv"

# the same bytes on the other backends (the error, the stock, a sweep)
expect 0 "the level sweep, cpu jsonl" -- "$DLM" sweep "$TMP/levels.yaml" --format jsonl --out "$TMP/levels_cpu.jsonl" --quiet
if "$DLM" devices | grep -q "^opencl  available"; then
  expect 0 "opencl" -- "$DLM" sweep "$TMP/levels.yaml" --backend opencl --format jsonl --out "$TMP/levels_cl.jsonl" --quiet
  cmp -s "$TMP/levels_cl.jsonl" "$TMP/levels_cpu.jsonl" && ok || bad "opencl gives the cpu's bytes"
else
  echo "(opencl not available here: its run is skipped)"
fi
if [ -n "$EMU" ]; then
  expect 0 "the CUDA emulator" -- "$EMU" sweep "$TMP/levels.yaml" --backend cuda --format jsonl --out "$TMP/levels_emu.jsonl" --quiet
  cmp -s "$TMP/levels_emu.jsonl" "$TMP/levels_cpu.jsonl" && ok || bad "the CUDA emulator gives the cpu's bytes"
fi

# refusals
expect 2 "an error above 1" -- "$DLM" run "$TMP/error.yaml" --set evolution.group.execution_error=1.5 --out "$TMP/x.csv"
contains "$TMP/err" "evolution.group.execution_error" "the key named"
expect 2 "an error below 0" -- "$DLM" run "$TMP/error.yaml" --set evolution.group.execution_error=-0.1 --out "$TMP/x.csv"
[ -e "$TMP/x.csv" ] && bad "a refused run left its output" || ok
finish
