#!/usr/bin/env bash
# test_reputation_cli.sh — institutional assessment and the reputation statistics as a
# user runs them (configs/scenarios/reputation_institutions.yaml): the records' columns
# good:allc, good:alld, good:disc, good:ipd and agreement (CSV) and good_by_rule and agreement (JSON);
# panel and quorum as sweep axes; panel_views; refusals with exit 2 (a quorum above the panel, a panel
# out of 1..32, an unknown assessment); checkpoints carry the panel's views (stopped and
# resumed: the same bytes, CPU and OpenCL).
# usage: test_reputation_cli.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$1
CONFIGS=$2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
py() { # py DESCRIPTION SCRIPT ARGS...: a Python check (skipped without python)
  local what=$1
  shift
  [ -n "$PY" ] || { ok; return; }
  if "$PY" -c "$@" 2>"$TMP/pyerr"; then ok; else bad "$what"; sed 's/^/    /' "$TMP/pyerr" | tail -5; fi
}
export DLM_OPENCL_CACHE=0
INST="$CONFIGS/scenarios/reputation_institutions.yaml"
inst=(run "$INST" --set sweep= --set evolution.generations=20 --set evolution.populations=2 --quiet)

expect 0 "institutional run (csv)" -- "$DLM" "${inst[@]}" --out "$TMP/i.csv"
head -1 "$TMP/i.csv" | grep -q ',good,good:allc,good:alld,good:disc,good:ipd,agreement$' && ok ||
  bad "the csv header does not end with good, good:allc, good:alld, good:disc, good:ipd, agreement"
py "institutional: fractions in [0, 1], agreement below 1 with errors, good = rule-weighted" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no records"
for r in rows:
    for k in ("good", "good:allc", "good:alld", "good:disc", "good:ipd", "agreement"):
        if r[k] != "":
            assert 0 <= float(r[k]) <= 1, (k, r[k])
    n = sum(int(r["count:" + s]) for s in ("allc", "alld", "disc"))
    g = sum(int(r["count:" + s]) * float(r["good:" + s] or 0) for s in ("allc", "alld", "disc"))
    assert abs(g / n - float(r["good"])) < 1e-9, (g / n, r["good"])
assert min(float(r["agreement"]) for r in rows if r["generation"] != "0") < 1
' "$TMP/i.csv"
expect 0 "institutional run (json)" -- "$DLM" "${inst[@]}" --format json --out "$TMP/i.json"
py "json: good_by_rule and agreement; the settings name the assessment, panel and quorum" '
import json, sys
d = json.load(open(sys.argv[1]))
recs = [r for r in d["records"] if r.get("type") == "generation"] if isinstance(d, dict) else []
assert recs, "no generation records"
assert set(recs[0]["good_by_rule"]) == {"allc", "alld", "disc", "ipd"} and "agreement" in recs[0]
rep = d["settings"]["reputation"]
assert rep["assessment"] == "institutional" and rep["panel"] == 5 and rep["quorum"] == 3, rep
' "$TMP/i.json"
# public: agreement 1; private: agreement from the views
expect 0 "public run" -- "$DLM" "${inst[@]}" --set evolution.reputation.assessment=public --out "$TMP/pub.csv"
py "public: agreement 1" '
import csv, sys
assert all(r["agreement"] == "1" for r in csv.DictReader(open(sys.argv[1])))
' "$TMP/pub.csv"
# a panel of one with no errors is private assessment with observe 1 in numbers
expect 0 "institutional, panel 1" -- "$DLM" "${inst[@]}" --set evolution.reputation.panel=1 --set evolution.reputation.quorum=1 --out "$TMP/p1.csv"
cmp -s "$TMP/i.csv" "$TMP/p1.csv" && bad "institutional: the panel changes nothing" || ok
# members that judge by the broadcast: other numbers; the settings say so
expect 0 "institutional, panel_views: broadcast" -- "$DLM" "${inst[@]}" --set evolution.reputation.panel_views=broadcast --format json --out "$TMP/b.json"
contains "$TMP/b.json" '"panel_views":"broadcast"' "the settings name panel_views"
expect 0 "institutional, panel_views: broadcast (csv)" -- "$DLM" "${inst[@]}" --set evolution.reputation.panel_views=broadcast --out "$TMP/b.csv"
cmp -s "$TMP/i.csv" "$TMP/b.csv" && bad "institutional: panel_views changes nothing" || ok
expect 2 "unknown panel_views" -- "$DLM" "${inst[@]}" --set evolution.reputation.panel_views=mine --out "$TMP/x.csv"
contains "$TMP/err" "broadcast" "the panel_views refusal lists the choices"
# sweep axes panel x quorum
expect 0 "sweep panel x quorum" -- "$DLM" sweep "$INST" --quiet --backend cpu --set evolution.generations=5 --set evolution.populations=1 --set 'sweep.axes=[{key: evolution.reputation.panel, values: [3, 7]}, {key: evolution.reputation.quorum, values: [1, 3]}]' --out "$TMP/s.csv"
[ "$(cut -d, -f1 "$TMP/s.csv" | sort -u | grep -c '^[0-9]')" -eq 4 ] && ok || bad "the sweep does not give 4 points"
# refusals
expect 2 "quorum above the panel" -- "$DLM" "${inst[@]}" --set evolution.reputation.quorum=6 --out "$TMP/x.csv"
contains "$TMP/err" "quorum: 6 of a panel of 5" "the quorum refusal names both"
[ ! -e "$TMP/x.csv" ] && ok || bad "a refused run left its output"
expect 2 "panel 33" -- "$DLM" "${inst[@]}" --set evolution.reputation.panel=33 --out "$TMP/x.csv"
contains "$TMP/err" "evolution.reputation.panel" "the panel refusal names the key"
expect 2 "unknown assessment" -- "$DLM" "${inst[@]}" --set evolution.reputation.assessment=court --out "$TMP/x.csv"
contains "$TMP/err" "institutional" "the assessment refusal lists institutional"
# checkpoints carry the panel's views
for be in cpu opencl; do
  prc=("${inst[@]}" --backend "$be" --set evolution.reputation.perception_error=0.05 --set evolution.generations=40)
  "$DLM" "${prc[@]}" --out "$TMP/ref.csv" 2>/dev/null
  expect 143 "institutional ($be): stopped after a checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" "${prc[@]}" --out "$TMP/res.csv" --checkpoint "$TMP/i.ckpt" --checkpoint-every 7
  expect 0 "institutional ($be): resumed" -- "$DLM" "${prc[@]}" --out "$TMP/res.csv" --checkpoint-every 7 --resume "$TMP/i.ckpt"
  cmp -s "$TMP/ref.csv" "$TMP/res.csv" && ok || bad "institutional ($be): the resumed run differs"
  cmp -s "$TMP/ref.csv" "$TMP/i.csv" && bad "institutional ($be): perception error changes nothing" || ok
  rm -f "$TMP/i.ckpt"
done
# institutional assessment with the other features of issue #14: encounters (IPD rules,
# good:ipd), the asynchronous rules (the assessment step), and norms as traits (refused)
DIRECT="$CONFIGS/scenarios/reputation_direct.yaml"
dir=(run "$DIRECT" --set sweep= --set evolution.generations=15 --set evolution.populations=2 --set evolution.population=60 --quiet --set evolution.reputation.assessment=institutional --set evolution.reputation.panel=7 --set evolution.reputation.assessment_error=0.05)
expect 0 "institutional in encounters (csv)" -- "$DLM" "${dir[@]}" --out "$TMP/d.csv"
py "encounters, institutional: good:ipd counts tft and tft@good; good = rule-weighted" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no records"
for r in rows:
    ipd = int(r["count:tft"]) + int(r["count:tft@good"])
    assert (r["good:ipd"] == "") == (ipd == 0), (r["good:ipd"], ipd)
    n = sum(int(r["count:" + s]) for s in ("allc", "alld", "disc")) + ipd
    g = sum(int(r["count:" + s]) * float(r["good:" + s] or 0) for s in ("allc", "alld", "disc"))
    g += ipd * float(r["good:ipd"] or 0)
    assert abs(g / n - float(r["good"])) < 1e-9, (g / n, r["good"])
assert min(float(r["agreement"]) for r in rows if r["generation"] != "0") < 1
assert min(float(r["good"]) for r in rows if r["generation"] != "0") < 1
' "$TMP/d.csv"
expect 0 "institutional in encounters, public" -- "$DLM" "${dir[@]}" --set evolution.reputation.assessment=public --out "$TMP/dp.csv"
cmp -s "$TMP/d.csv" "$TMP/dp.csv" && bad "encounters: the institution changes nothing" || ok
for rule in moran-db fermi; do
  expect 0 "institutional, $rule" -- "$DLM" "${inst[@]}" --set evolution.rule=$rule --set evolution.selection=0.2 --set evolution.generations=6 --out "$TMP/a.csv"
  py "institutional, $rule: the panel disagrees and some are bad" '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["generation"] != "0"]
assert rows and min(float(r["agreement"]) for r in rows) < 1 and min(float(r["good"]) for r in rows) < 1
' "$TMP/a.csv"
done
expect 2 "norms as traits, institutional" -- "$DLM" "${inst[@]}" --set 'evolution.initial.shares=[{strategy: disc/stern-judging, share: 0.5}, {strategy: disc/image-scoring, share: 0.5}]' --set evolution.mutation.rate=0 --out "$TMP/x.csv"
contains "$TMP/err" "institutional assessment the panel" "the own-norm refusal names institutional assessment"
[ ! -e "$TMP/x.csv" ] && ok || bad "a refused run left its output"
finish
