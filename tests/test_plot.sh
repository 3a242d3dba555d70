#!/usr/bin/env bash
# test_plot.sh — scripts/plot.py (issue #12, item 9) on real outputs of the built binary:
# a small 2-D match sweep and an evolution sweep with fixation, in csv, json and jsonl.
# Every kind of picture is drawn and must be a valid PNG / PDF; the numbers behind the
# heatmap, the lines and the fixation histogram (--dump) are compared with values computed
# here independently from the records (Python's csv and json modules, no pandas); bad
# input exits 2 with a message naming what is allowed, and writes no picture.
# Skipped (exit 77) where matplotlib or pandas cannot be imported (Debian: python3-matplotlib).
# usage: test_plot.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CONFIGS=$(cd "$2" && pwd)
PLOT=$(cd "$(dirname "$0")/../scripts" && pwd)/plot.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
if [ -z "$PY" ] || ! "$PY" -c 'import matplotlib, numpy, pandas' 2>/dev/null; then
  echo "skipped: python3 with matplotlib, numpy and pandas is needed (python3-matplotlib)"
  exit 77
fi
export DLM_OPENCL_CACHE=0
plot() { "$PY" "$PLOT" "$@"; }
py() { # py DESCRIPTION SCRIPT ARGS...
  local what=$1
  shift
  if "$PY" -c "$@" 2>"$TMP/pyerr"; then ok; else bad "$what"; sed 's/^/    /' "$TMP/pyerr" | tail -5; fi
}
is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && ok || bad "$1 is not a PNG"; }
is_pdf() { [ -s "$1" ] && [ "$(head -c 5 "$1")" = "%PDF-" ] && tail -c 64 "$1" | grep -q '%%EOF' && ok || bad "$1 is not a PDF"; }
cd "$TMP" || exit 1
refused() { # refused DESCRIPTION TEXT plot-args...
  local what=$1 text=$2
  shift 2
  rm -f bad.png bad.pdf
  expect 2 "$what" -- plot "$@" --out bad
  contains err "$text" "$what: named"
  [ -e bad.png ] || [ -e bad.pdf ] && bad "$what: a picture was written" || ok
}

# --- a 2-D match sweep: 3 errors x 3 reaction periods, 3 replicates -----------------------
GRID="$CONFIGS/sweeps/noise_timescales.yaml"
small=(--backend cpu --quiet --set match.rounds=100 --set match.repetitions=4
       --set sweep.replicates=3
       --set 'sweep.axes=[{key: match.execution_error, values: [0, 0.02, 0.1]}, {key: players.1.reaction_period, values: [1, 2, 5]}]')
expect 0 "the small sweep as csv" -- "$DLM" sweep "$GRID" "${small[@]}" --out grid.csv
expect 0 "the small sweep as json" -- "$DLM" sweep "$GRID" "${small[@]}" --out grid.json

expect 0 "a heatmap of B's cooperation" -- plot heatmap grid.csv --x match.execution_error \
  --y players.1.reaction_period --z cooperation_rate --where player=B --dump --out heat
cp out heat.dump
is_png heat.png
is_pdf heat.pdf
contains err "wrote heat.png, heat.pdf" "the heatmap says what it wrote"
[ "$(stat -c %a heat.png)" = "$(printf '%o' $((0666 & ~0$(umask))))" ] && ok || bad "heat.png has mode $(stat -c %a heat.png), not the umask's"
py "the heatmap's matrix is the mean over replicates of each cell, from the csv" '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["player"] == "B"]
cells = {}
for r in rows:
    k = (float(r["match.execution_error"]), float(r["players.1.reaction_period"]))
    cells.setdefault(k, []).append(float(r["cooperation_rate"]))
assert all(len(v) == 3 for v in cells.values()) and len(cells) == 9
dump = list(csv.reader(open(sys.argv[2])))
assert dump[0][0] == "players.1.reaction_period\\match.execution_error", dump[0]
xs = [float(v) for v in dump[0][1:]]
assert xs == [0, 0.02, 0.1], xs
ys = [float(r[0]) for r in dump[1:]]
assert ys == [1, 2, 5], ys
for y, r in zip(ys, dump[1:]):
    for x, v in zip(xs, r[1:]):
        want = sum(cells[x, y]) / 3
        assert abs(float(v) - want) <= 1e-12, (x, y, v, want)
# not a constant picture: errors lower cooperation
assert float(dump[1][1]) > float(dump[1][3])
' grid.csv heat.dump
expect 0 "the same heatmap from json, default axes and result" -- plot heatmap grid.json --where player=B --dump --out heat_json.png
cmp -s out heat.dump && ok || bad "the json heatmap's numbers differ from the csv's"
is_png heat_json.png
[ -e heat_json.pdf ] && bad "--out NAME.png wrote a pdf too" || ok

expect 0 "lines over the error, one per reaction period" -- plot lines grid.csv \
  --x match.execution_error --by players.1.reaction_period --y cooperation_rate --where player=B --dump --out lines
is_png lines.png
is_pdf lines.pdf
py "the lines are mean and 1.96 standard errors over replicates" '
import csv, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["player"] == "B"]
dump = list(csv.DictReader(open(sys.argv[2])))
assert len(dump) == 9, len(dump)
for d in dump:
    v = [float(r["cooperation_rate"]) for r in rows
         if float(r["match.execution_error"]) == float(d["match.execution_error"])
         and float(r["players.1.reaction_period"]) == float(d["players.1.reaction_period"])]
    m = sum(v) / len(v)
    se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v))
    assert int(d["count"]) == 3 and abs(float(d["mean"]) - m) < 1e-12, (d, m)
    assert abs(float(d["se"]) - se) < 1e-12 and abs(float(d["hi"]) - (m + 1.96 * se)) < 1e-12, (d, se)
' grid.csv out

# the sweep's --summary file (a row per point and quantity): the same heatmap from it, the
# lines' bands its own 95 % intervals
expect 0 "the small sweep with a summary" -- "$DLM" sweep "$GRID" "${small[@]}" --out grid2.csv --summary summary.csv
expect 0 "a heatmap of a summary's quantity" -- plot heatmap summary.csv --x match.execution_error \
  --y players.1.reaction_period --z cooperation.B --dump --out heat_summary
py "the summary's heatmap is the records' heatmap" '
import csv, sys
a, b = list(csv.reader(open(sys.argv[1]))), list(csv.reader(open(sys.argv[2])))
assert a[0] == b[0] and len(a) == len(b) == 4, (a, b)
for ra, rb in zip(a[1:], b[1:]):
    assert all(abs(float(x) - float(y)) < 1e-12 for x, y in zip(ra, rb)), (ra, rb)
' out heat.dump
expect 0 "lines from a summary" -- plot lines summary.csv --x match.execution_error --by players.1.reaction_period --y payoff.A --dump --out lines_summary
py "the bands are the summary's intervals" '
import csv, sys
key = lambda r: (float(r["players.1.reaction_period"]), float(r["match.execution_error"]))
want = {key(r): r for r in csv.DictReader(open(sys.argv[1])) if r["quantity"] == "payoff.A"}
d = list(csv.DictReader(open(sys.argv[2])))
assert len(d) == 9 and len(want) == 9
for r in d:
    w = want[key(r)]
    assert float(r["lo"]) == float(w["ci_low"]) and float(r["hi"]) == float(w["ci_high"]) and float(r["mean"]) == float(w["mean"]), (r, w)
' summary.csv out
refused "a quantity a summary does not have" "--z nosuch: not a quantity of this summary (its quantities: payoff.A, payoff.B, cooperation.A, cooperation.B)" \
  heatmap summary.csv --z nosuch

# an exact (mode: analyze) sweep over three axes, one fixed by --where: the other two are
# the heatmap's axes, expected_cooperation its default result
expect 0 "an exact sweep over three axes" -- "$DLM" sweep "$GRID" "${small[@]}" --set mode=analyze \
  --set 'sweep.axes=[{key: players.0.strategy, values: [tft, gtft]}, {key: match.execution_error, values: [0.01, 0.1]}, {key: players.1.reaction_period, values: [1, 2]}]' --out exact.csv
expect 2 "three axes vary: which two?" -- plot heatmap exact.csv --where player=A --out bad
contains err "3 axes of this sweep vary here (players.0.strategy, match.execution_error, players.1.reaction_period): name two with --x and --y" "the varying axes are named"
expect 0 "one axis fixed by --where" -- plot heatmap exact.csv --where player=A --where players.0.strategy=tft --dump --out exact
py "the exact heatmap: expected_cooperation of A, e across, k up" '
import csv, sys
rows = {(r["match.execution_error"], r["players.1.reaction_period"]): float(r["expected_cooperation"])
        for r in csv.DictReader(open(sys.argv[1])) if r["player"] == "A" and r["players.0.strategy"] == "tft"}
dump = list(csv.reader(open(sys.argv[2])))
assert dump[0] == ["players.1.reaction_period\\match.execution_error", "0.01", "0.1"], dump[0]
for r in dump[1:]:
    for e, v in zip(["0.01", "0.1"], r[1:]):
        assert abs(float(v) - rows[e, str(int(float(r[0])))]) < 1e-12, (r, rows)
' exact.csv out

expect 0 "lines with one per strategy (an axis of text values)" -- plot lines exact.csv --where player=A \
  --where players.1.reaction_period=2 --x match.execution_error --by players.0.strategy --dump --out exact_lines
py "one line per strategy, two points each" '
import csv, sys
d = list(csv.DictReader(open(sys.argv[1])))
assert [(r["players.0.strategy"], r["match.execution_error"]) for r in d] == [("gtft", "0.01"), ("gtft", "0.1"), ("tft", "0.01"), ("tft", "0.1")], d
' out
is_pdf exact_lines.pdf

# --- an evolution sweep with fixation: 2 selection strengths x 2 replicates, 10 populations -
cat >evo.yaml <<'YAML'
mode: evolve
backend: cpu
seed: 5
match: {rounds: 10}
evolution:
  population: 16
  populations: 10
  generations: 2000
  rule: moran-bd
  selection: 0.5
  initial:
    mutant: {resident: alld, mutant: tft, count: 6}
  stop: {fixation: true}
  record_every: 3
sweep:
  axes:
    - {key: evolution.selection, values: [0.2, 1]}
  replicates: 2
YAML
expect 0 "the evolution sweep as csv" -- "$DLM" sweep evo.yaml --quiet --out evo.csv
expect 0 "the evolution sweep as jsonl" -- "$DLM" sweep evo.yaml --quiet --out evo.jsonl
expect 0 "abundances over time" -- plot abundance evo.csv --where evolution.selection=1 --out abund
is_png abund.png
is_pdf abund.pdf
expect 0 "abundances from jsonl" -- plot abundance evo.jsonl --where evolution.selection=1 --dump --out abund2.pdf
cp out abund_jsonl.dump
is_pdf abund2.pdf
expect 0 "abundances from csv, dumped" -- plot abundance evo.csv --where evolution.selection=1 --dump --out abund3.png
cmp -s out abund_jsonl.dump && ok || bad "abundances from csv and jsonl differ"
py "the first and last abundances: the starting shares, then each population's final census" '
import csv, sys
d = list(csv.DictReader(open(sys.argv[1])))
assert abs(float(d[0]["share:tft"]) - 6 / 16) < 1e-12 and abs(float(d[0]["share:alld"]) - 10 / 16) < 1e-12, d[0]
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["evolution.selection"] == "1"]
last = {}
for r in rows:
    k = (r["replicate"], r["population"])
    if k not in last or int(r["generation"]) > int(last[k]["generation"]):
        last[k] = r
want = sum(int(r["count:tft"]) for r in last.values()) / 16 / len(last)
assert len(last) == 20 and abs(float(d[-1]["share:tft"]) - want) < 1e-12, (d[-1], want)
' out evo.csv

expect 0 "fixation times from csv" -- plot fixation evo.csv --dump --out fix
cp out fix_csv.dump
is_png fix.png
is_pdf fix.pdf
expect 0 "fixation times from jsonl, by selection" -- plot fixation evo.jsonl --by evolution.selection --dump --out fix2
is_png fix2.png
py "fixation times: the same from csv censuses and jsonl fixation records" '
import csv, sys
a = sorted(tuple(r.values()) for r in csv.DictReader(open(sys.argv[1])))
b = sorted(tuple(r.values()) for r in csv.DictReader(open(sys.argv[2])))
assert a == b and len(a) == 40, (len(a), len(b))
assert {r[1] for r in a} == {"tft", "alld"}, {r[1] for r in a}
' fix_csv.dump out
# one run's summary: the fixation generation of every population
expect 0 "one evolution on its own" -- "$DLM" run evo.yaml --set sweep= --out one.jsonl
expect 0 "fixation times from its summary" -- plot fixation one.jsonl.summary.json --dump --out fix3.pdf
py "the summary gives the same fixation generations as the fixation records" '
import csv, json, sys
s = json.load(open(sys.argv[1]))
want = sorted((o["fixation_generation"], o["fixed"]) for o in s["outcomes"] if o["fixed"])
got = sorted((int(r["generation"]), r["strategy"]) for r in csv.DictReader(open(sys.argv[2])))
assert want == got and len(got) == 10, (want, got)
' one.jsonl.summary.json out

# --- bad input: exit 2, what is allowed named, no picture written -------------------------
refused "a column that is not there" "--z nosuch: grid.csv has no such column (numeric columns: .*cooperation_rate" \
  heatmap grid.csv --where player=B --z nosuch
refused "an axis that is not in the file" "--x match.rounds: not an axis of this sweep (its axes: match.execution_error, players.1.reaction_period)" \
  heatmap grid.csv --where player=B --x match.rounds
refused "a file that does not exist" "nosuch.csv: cannot read it: No such file" heatmap nosuch.csv
refused "a folder" "cannot read it" heatmap "$TMP"
printf 'not,a\n"broken\n' >broken.csv
refused "a file that is not an output" "broken.csv: not a csv, json or jsonl output of dilemma" heatmap broken.csv
refused "rows of both players, no --where" "they differ in player (A, B)" heatmap grid.csv
refused "a --where value that no row has" "no row has player = C (it takes: A, B)" heatmap grid.csv --where player=C
refused "a --where column that is not there" "--where colour=red: grid.csv has no column 'colour'" lines grid.csv --where colour=red
"$DLM" match tft wsls --format csv >match.csv 2>/dev/null
refused "a heatmap of a plain run" "not a sweep output" heatmap match.csv
refused "abundances of a match" "no evolution censuses in it" abundance grid.csv
refused "abundances over several sweep points" "choose a point with --where evolution.selection=VALUE" abundance evo.csv
refused "a strategy not counted" "--strategies: grim not counted in this run (counted: alld, tft" abundance evo.csv --where evolution.selection=1 --strategies tft,grim
refused "lines over a file's result axis" "--x cooperation_rate: not an axis" lines grid.csv --where player=B --x cooperation_rate
expect 2 "an unknown subcommand" -- plot scatter grid.csv
contains err "invalid choice: 'scatter'" "the subcommand list is shown"
expect 2 "an output folder that does not exist" -- plot heatmap grid.csv --where player=B --out nosuch/heat
contains err "the folder .*nosuch does not exist" "the folder is named"
ls -a | grep -q '^\.plot-' && bad "a temporary picture was left behind" || ok

finish
