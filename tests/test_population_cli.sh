#!/usr/bin/env bash
# test_population_cli.sh — `mode: analyze` with analyze.population from the command line:
# every format, refusals with exit 2 (the full chain's size with its numbers, keys the
# analysis does not cover), a given payoff matrix against the constant-fitness closed
# form, the answers as a sweep, and the exact answers against simulation (`mode: evolve`
# of the same config, fixed seeds, bounds of 4 standard errors from the sample itself;
# fixation generations are recorded whole, so a conditional time may read up to one
# generation late).
# usage: test_population_cli.sh path/to/dilemma path/to/configs
DLM=$1
CONFIGS=$2
. "$(dirname "$0")/testlib.sh"
export POCL_CACHE_DIR=${POCL_CACHE_DIR:-$TMP/pocl}

cat >"$TMP/three.yaml" <<'YAML'
mode: analyze
match: {rounds: 10}
evolution:
  population: 10
  rule: moran-bd
  selection: 0.1
  mutation: {rate: 0.05, set: [allc, alld, tft]}
analyze:
  population: {}
YAML

expect 0 "table" -- "$DLM" run "$TMP/three.yaml"
contains "$TMP/out" "^population analysis: 10 agents, well-mixed, moran-bd (the one who dies: any of N)" "table header"
contains "$TMP/out" "chain over 66 compositions" "the full chain's size"
expect 0 "csv" -- "$DLM" run "$TMP/three.yaml" --format csv
contains "$TMP/out" "^seed,game,.*,population,rule,moran_death,selection,fitness,accumulate,mutation_rate,payoff_source,record,type,other,count,value,time_events,time_generations,t_plus,t_minus,state$" "csv header"
contains "$TMP/out" ",10,moran-bd,any,0.1,linear,mean,0.05,computed,payoff,tft,alld,,0.9," "tft against alld: (0 + 9) / 10"
contains "$TMP/out" ",stationary,,,,.*,,,,,0 0 10$" "a state of the full chain"
[ "$(grep -c ',stationary,' "$TMP/out")" -eq 66 ] && ok || bad "csv: 66 states"
expect 0 "json" -- "$DLM" run "$TMP/three.yaml" --format json
if python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "population" and d["types"] == ["allc", "alld", "tft"], d["types"]
assert abs(sum(d["stationary_limit"]) - 1) < 1e-12
assert abs(sum(d["chain"]["stationary"]) - 1) < 1e-12 and d["chain"]["states"] == 66
assert all(abs(sum(row) - 1) < 1e-12 for row in d["transition"])
assert d["gradient"] is None and abs(d["neutral_fixation"] - 0.1) < 1e-15
PY
then ok; else bad "json document"; fi
expect 0 "jsonl" -- "$DLM" run "$TMP/three.yaml" --format jsonl
[ "$(wc -l <"$TMP/out")" -eq 1 ] && ok || bad "jsonl: one line"
expect 0 "--out" -- "$DLM" run "$TMP/three.yaml" --out "$TMP/p.csv"
contains "$TMP/p.csv" ",abundance,tft," "--out writes csv"

# a given matrix: constant fitness r = 2 (linear, w = 1), N = 10: (1 - 1/2) / (1 - 2^-10)
expect 0 "given payoff matrix" -- "$DLM" run "$TMP/three.yaml" --format csv \
  --set 'evolution.mutation={}' --set evolution.selection=1 \
  --set 'analyze.population={types: [allc, alld], payoff_matrix: [[1, 1], [2, 2]]}'
contains "$TMP/out" ",given,fixation,allc,alld,,0.500488758553274[0-9]*," "constant fitness closed form"
contains "$TMP/out" ",gradient,allc,alld,5,0.1666666666666666[0-9]*,,,0.3333333333333333[0-9]*,0.1666666666666666[0-9]*," "gradient at 5 of 10: T+ = 2*5/15 * 5/10, T- = 5/15 * 5/10"

# refusals, exit 2, nothing written
expect 2 "too many states" -- "$DLM" run "$TMP/three.yaml" --set evolution.population=2000 \
  --set analyze.population.max_states=1000 --out "$TMP/none.csv"
contains "$TMP/err" "2.003e+06 states, more than analyze.population.max_states (1000)" "the numbers"
[ ! -e "$TMP/none.csv" ] && ok || bad "a refused analysis wrote its output"
expect 0 "full chain off" -- "$DLM" run "$TMP/three.yaml" --set evolution.population=2000 \
  --set analyze.population.full_chain=false --format json
expect 2 "unknown key" -- "$DLM" run "$TMP/three.yaml" --set analyze.population.typo=1
contains "$TMP/err" "analyze.population.typo: unknown key" "names the key"
expect 2 "not square" -- "$DLM" run "$TMP/three.yaml" --set 'analyze.population.payoff_matrix=[[1, 2], [3]]'
contains "$TMP/err" "analyze.population.payoff_matrix.1: expected a row of 2 payoffs" "names the row"
expect 2 "rule not covered" -- "$DLM" run "$TMP/three.yaml" --set evolution.rule=wright-fisher
contains "$TMP/err" "moran-bd, moran-db and fermi" "names the rules"
expect 2 "set outside the types" -- "$DLM" run "$TMP/three.yaml" --set 'analyze.population.types=[allc, alld]'
contains "$TMP/err" "mutation set's 'tft' is not one of the types" "names the strategy"
expect 2 "bad moran_death" -- "$DLM" run "$TMP/three.yaml" --set evolution.moran_death=parent
contains "$TMP/err" "evolution.moran_death" "names the key"

# a sweep of analyses: one point per selection strength, the swept value leading each row
expect 0 "sweep" -- "$DLM" sweep "$TMP/three.yaml" --quiet --format csv \
  --set 'sweep.axes=[{key: evolution.selection, values: [0, 0.2]}]'
contains "$TMP/out" "^point,replicate,evolution.selection,seed," "sweep columns"
contains "$TMP/out" "^0,0,0,.*,fixation,allc,alld,,0.1,90,9," "neutral point: 1/N"
[ "$(grep -c ',stationary,' "$TMP/out")" -eq 132 ] && ok || bad "sweep: both points' chains"
expect 0 "sweep summary" -- "$DLM" sweep "$TMP/three.yaml" --quiet --out "$TMP/sweep.csv" --summary "$TMP/summary.csv" \
  --set 'sweep.axes=[{key: evolution.selection, values: [0, 0.2]}]'
contains "$TMP/summary.csv" "^0,0,fixation:tft>alld,1,0.1," "summary: one tft mutant among alld, neutral"
contains "$TMP/summary.csv" "^1,0.2,abundance:alld,1," "summary: the full chain's abundance"

# the exact answers against simulation: the same config as mode evolve
check_fixation() { # config resident mutant
  "$DLM" run "$1" --format jsonl --threads 2 2>/dev/null | grep '"type":"fixation"' >"$TMP/fix.jsonl"
  "$DLM" run "$1" --set mode=analyze --format json >"$TMP/exact.json" 2>/dev/null
  python3 - "$TMP/fix.jsonl" "$TMP/exact.json" "$2" "$3" <<'PY'
import json, math, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
exact = json.load(open(sys.argv[2]))
f = [x for x in exact["fixation"] if x["resident"] == sys.argv[3] and x["mutant"] == sys.argv[4]][0]
fixed = [r["generation"] for r in runs if r["strategy"] == sys.argv[4]]
n, p = len(runs), len(fixed) / len(runs)
se = math.sqrt(f["probability"] * (1 - f["probability"]) / n)
assert abs(p - f["probability"]) <= 4 * se, (p, f["probability"], se)
m = sum(fixed) / len(fixed)
sd = math.sqrt(sum((g - m) ** 2 for g in fixed) / (len(fixed) - 1))
t = f["time_generations"]
assert t - 4 * sd / math.sqrt(len(fixed)) <= m <= t + 1 + 4 * sd / math.sqrt(len(fixed)), (m, t)
print(f"  fixation {p:.4f} vs exact {f['probability']:.4f} (se {se:.4f}); time {m:.2f} vs {t:.2f}")
PY
}
cat >"$TMP/fix.yaml" <<'YAML'
mode: evolve
seed: 11
match: {rounds: 10, execution_error: 0.02}
evolution:
  population: 10
  populations: 4000
  generations: 100000
  rule: fermi
  selection: 0.5
  payoff: exact
  initial:
    mutant: {resident: alld, mutant: tft, count: 1}
  stop: {fixation: true}
  record_every: 100000
analyze:
  population: {}
YAML
if check_fixation "$TMP/fix.yaml" alld tft; then ok; else bad "fermi: simulation against the exact answer"; fi
sed -i 's/rule: fermi/rule: moran-db/; s/seed: 11/seed: 12/' "$TMP/fix.yaml"
if check_fixation "$TMP/fix.yaml" alld tft; then ok; else bad "moran-db: simulation against the exact answer"; fi
# moran-bd with the offspring never replacing its parent (death: others)
sed -i 's/rule: moran-db/rule: moran-bd\n  moran_death: others/; s/seed: 12/seed: 13/; s/selection: 0.5/selection: 0.3/' "$TMP/fix.yaml"
if check_fixation "$TMP/fix.yaml" alld tft; then ok; else bad "moran-bd: simulation against the exact answer"; fi

# the full chain with mutation: each population's final census, independent populations
cat >"$TMP/mut.yaml" <<'YAML'
mode: evolve
seed: 5
match: {rounds: 10}
evolution:
  population: 8
  populations: 2000
  generations: 200
  rule: moran-bd
  moran_death: others
  selection: 0.2
  payoff: exact
  mutation: {rate: 0.05, set: [allc, alld, tft]}
  initial: {shares: {allc: 0.375, alld: 0.25, tft: 0.375}}
  record_every: 200
analyze:
  population: {}
YAML
"$DLM" run "$TMP/mut.yaml" --format csv --threads 2 >"$TMP/mut.csv" 2>/dev/null
"$DLM" run "$TMP/mut.yaml" --set mode=analyze --format json >"$TMP/exact.json" 2>/dev/null
if python3 - "$TMP/mut.csv" "$TMP/exact.json" <<'PY'
import csv, json, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["generation"] == "200"]
exact = json.load(open(sys.argv[2]))
assert len(rows) == 2000
for t, a in zip(exact["types"], exact["chain"]["abundance"]):
    x = [int(r["count:" + t]) / 8 for r in rows]
    m = sum(x) / len(x)
    se = math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1) / len(x))
    print(f"  {t}: simulated {m:.4f} (se {se:.4f}), exact {a:.4f}")
    assert abs(m - a) <= 4 * se, (t, m, a, se)
PY
then ok; else bad "the full chain's abundances against simulation"; fi

finish
