#!/usr/bin/env bash
# test_institution_cli.sh — the institution: section and `analyze --game` from the command
# line (issue #16, item 4): every format, the break-even fine against its closed form,
# refusals with exit 2 (values out of range, unknown keys, modes that do not run a referee
# yet, --game with strategies), the institution folded into the players' exact chain
# (each player's payoff moves by its cooperation rate times t_C plus the rest times t_D),
# and the analysis as a sweep.
# usage: test_institution_cli.sh path/to/dilemma path/to/configs
DLM=$1
CONFIGS=$2
. "$(dirname "$0")/testlib.sh"
INST=(--set institution.audit=0.2 --set institution.fine=3 --set institution.subsidy=0.5
      --set institution.false_accusation=0.01 --set institution.missed_detection=0.05
      --set institution.audit_cost=0.1)

expect 0 "table" -- "$DLM" analyze --game "${INST[@]}"
contains "$TMP/out" "^expected transfer per act: cooperation +0.093, defection -0.565" "transfers"
contains "$TMP/out" "fine > F\* = 10.1383" "F* = 2 / (0.2 x 0.94) - 0.5"
contains "$TMP/out" "audit > q\* = 0.607903" "q* = 2 / (0.94 x 3.5)"
expect 0 "csv" -- "$DLM" analyze --game "${INST[@]}" --format csv
contains "$TMP/out" "^seed,game,game_class,R,S,T,P,rounds,continuation,audit,fine,subsidy,false_accusation,missed_detection,audit_cost,transfer_c,transfer_d,delta,effective_class," "csv header"
[ "$(wc -l <"$TMP/out")" -eq 2 ] && ok || bad "csv: one row"
expect 0 "json" -- "$DLM" analyze --game "${INST[@]}" --format json
if python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "game" and d["institution"]["audit"] == 0.2
assert abs(d["fine_dominant"] - (2 / (0.2 * 0.94) - 0.5)) < 1e-12, d["fine_dominant"]
assert d["equilibria"] == [{"p": [0, 0], "payoff": [d["effective"]["P"]] * 2}], d["equilibria"]
assert d["cooperation_dominant"] is False and d["effective"]["class"] == "prisoners-dilemma"
PY
then ok; else bad "json: fields"; fi
expect 0 "no institution" -- "$DLM" analyze --game --set game.preset=snowdrift --format json
python3 -c "
import json,sys; d=json.load(open('$TMP/out'))
assert d['institution'] is None and d['effective']['class'] == 'chicken'
assert len(d['equilibria']) == 3 and d['fine_dominant'] is None" && ok || bad "snowdrift without a referee"

# refusals
expect 2 "negative fine" -- "$DLM" analyze --game --set institution.fine=-1
contains "$TMP/err" "institution.fine: expected a finite number >= 0" "names the key and what is allowed"
expect 2 "audit above 1" -- "$DLM" analyze --game --set institution.audit=1.5
contains "$TMP/err" "institution.audit" "names the key"
expect 2 "unknown key" -- "$DLM" analyze --game --set institution.fines=2
contains "$TMP/err" "institution" "names the section"
expect 2 "a referee in a tournament" -- "$DLM" tournament --set institution.audit=0.5
contains "$TMP/err" "runs in modes analyze" "says where it runs"
expect 2 "--game with strategies" -- "$DLM" analyze tft alld --game
contains "$TMP/err" "takes no strategies" "says why"
cat >"$TMP/both.yaml" <<'YAML'
mode: analyze
analyze: {game: true, population: {}}
YAML
expect 2 "game and population" -- "$DLM" run "$TMP/both.yaml"
contains "$TMP/err" "give one of the two" "says what to do"
[ ! -e "$TMP/nothing.csv" ] && ok || bad "nothing written"

# the institution folded into the players' exact chain
expect 0 "alld vs alld" -- "$DLM" analyze alld alld "${INST[@]}" --format json
python3 -c "
import json; d=json.load(open('$TMP/out'))
assert abs(d['long_run_payoff'][0] - (1 - 0.565)) < 1e-12, d['long_run_payoff']" && ok || bad "alld: P + t_D"
expect 0 "tft vs wsls, plain" -- "$DLM" analyze tft wsls --execution-error 0.05 --format json
cp "$TMP/out" "$TMP/plain.json"
expect 0 "tft vs wsls, referee" -- "$DLM" analyze tft wsls --execution-error 0.05 "${INST[@]}" --format json
python3 - "$TMP/plain.json" "$TMP/out" <<'PY' && ok || bad "payoff moves by c t_C + (1 - c) t_D"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
tc, td = 0.093, -0.565
for i in range(2):
    c = a["long_run_cooperation"][i]
    want = a["long_run_payoff"][i] + c * tc + (1 - c) * td
    assert abs(b["long_run_payoff"][i] - want) < 1e-9, (i, b["long_run_payoff"][i], want)
    assert abs(b["long_run_cooperation"][i] - c) < 1e-12
assert b["game"]["name"] == "pd+institution", b["game"]
PY

# the population analysis with the referee folded into the computed payoffs
cat >"$TMP/pop.yaml" <<'YAML'
mode: analyze
match: {rounds: 10}
evolution:
  population: 10
  rule: fermi
  mutation: {rate: 0.01, set: [allc, alld]}
analyze: {population: {}}
YAML
expect 0 "population with a referee" -- "$DLM" run "$TMP/pop.yaml" "${INST[@]}" --format json
python3 -c "
import json; d=json.load(open('$TMP/out'))
assert d['payoff_source'] == 'computed+institution', d['payoff_source']
p = d['payoff']
assert abs(p[0][0] - 3.093) < 1e-12 and abs(p[1][1] - 0.435) < 1e-12, p
assert abs(p[0][1] - 0.093) < 1e-12 and abs(p[1][0] - 4.435) < 1e-12, p" && ok || bad "payoffs: R + t_C, P + t_D, S + t_C, T + t_D"
expect 2 "a given matrix and a referee" -- "$DLM" run "$TMP/pop.yaml" "${INST[@]}" --set 'analyze.population.payoff_matrix=[[3, 0], [5, 1]]'
contains "$TMP/err" "drop one of the two" "says what to do"

# as a sweep, with a summary
expect 0 "sweep" -- "$DLM" sweep "$CONFIGS/scenarios/institution_break_even.yaml" --quiet --format csv --out "$TMP/s.csv" --summary "$TMP/sum.csv"
[ "$(wc -l <"$TMP/s.csv")" -eq 61 ] && ok || bad "60 points"
contains "$TMP/sum.csv" "fine_dominant" "summary has the break-even fine"
python3 - "$TMP/s.csv" <<'PY' && ok || bad "every row: F* closed form, class past it"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    q, F, s = float(r["audit"]), float(r["fine"]), float(r["subsidy"])
    want = max(0.0, 2 / (q * 0.88) - s)
    assert abs(float(r["fine_dominant"]) - want) < 1e-9 * want, (r["fine_dominant"], want)
    dominant = F > want
    assert (r["cooperation_dominant"] == "true") == dominant, r
    assert (r["effective_class"] == "harmony") == dominant, r
PY
# the N-player linear public goods game (evolution.group) with a referee
cat >"$TMP/pgg.yaml" <<'YAML'
mode: analyze
evolution: {population: 20, interaction: group, group: {game: pgg, size: 5, r: 3, c: 1}}
analyze: {game: true}
institution: {audit: 0.2, fine: 1, false_accusation: 0.02, missed_detection: 0.1}
YAML
expect 0 "public goods" -- "$DLM" run "$TMP/pgg.yaml" --format json
python3 -c "
import json; d=json.load(open('$TMP/out'))
g = d['group']
assert g['effective_class'] == 'n-person-prisoners-dilemma' and g['gain'] == 0.4, g
assert abs(d['fine_dominant'] - (0.4 / (0.2 * 0.88))) < 1e-12, d['fine_dominant']
assert abs(g['fine_population'] - (1 - 0.6 * 15 / 19) / (0.2 * 0.88)) < 1e-12, g" && ok || bad "public goods: F* and the population's fine"
expect 0 "public goods, table" -- "$DLM" run "$TMP/pgg.yaml"
contains "$TMP/out" "in the well-mixed population of 20: contributors out-earn free riders" "the finite-population line"
expect 2 "collective risk refused" -- "$DLM" run "$TMP/pgg.yaml" --set evolution.group.game=risk --set evolution.group.threshold=3
contains "$TMP/err" "not the collective-risk game" "says which games"
expect 2 "population analysis of a group game" -- "$DLM" run "$TMP/pgg.yaml" --set analyze.game=false --set 'analyze.population={}'
contains "$TMP/err" "not group games" "says which kind"
expect 0 "design over a public goods game" -- "$DLM" run "$TMP/pgg.yaml" --set analyze.game=false --set 'analyze.design={fine: [1, 2, 3], target: 1}' --format json
python3 -c "
import json; d=json.load(open('$TMP/out'))
c = d['points'][d['cheapest']]
assert c['fine'] == 3 and abs(c['cost'] - 0) < 1e-12, c" && ok || bad "design: the first fine past 2.27"
python3 -c "
import json; d=json.load(open('$TMP/out'))
cls = [p['effective_class'] for p in d['points']]
assert cls == ['n-person-prisoners-dilemma', 'n-person-prisoners-dilemma', 'cooperation-dominant'], cls" && ok || bad "design over a public goods game: the N-player class of each institution (F* = 0.4 / 0.176 = 2.27)"

# the cheapest enforcement (analyze.design)
cat >"$TMP/design.yaml" <<'YAML'
mode: analyze
institution: {false_accusation: 0.02, missed_detection: 0.1, audit_cost: 0.05}
analyze:
  design: {audit: [0.1, 0.3], fine: [5, 20, 40, 80], subsidy: [0, 1], target: 1}
YAML
expect 0 "design, table" -- "$DLM" run "$TMP/design.yaml"
contains "$TMP/out" "^cheapest: audit 0.1, fine 40, subsidy 0: cooperation 1.000000; per interaction the referee spends 0.005" "the first fine past F* = 22.7 at the least spending"
expect 0 "design, csv" -- "$DLM" run "$TMP/design.yaml" --format csv --out "$TMP/design.csv"
[ "$(wc -l <"$TMP/design.csv")" -eq 17 ] && ok || bad "16 institutions"
[ "$(grep -c ',true$' "$TMP/design.csv")" -eq 1 ] && ok || bad "one cheapest"
expect 0 "design, json" -- "$DLM" run "$TMP/design.yaml" --format json
python3 -c "
import json; d=json.load(open('$TMP/out'))
assert d['type'] == 'design' and d['measure'] == 'game' and len(d['points']) == 16
c = d['points'][d['cheapest']]
assert (c['audit'], c['fine'], c['subsidy']) == (0.1, 40, 0), c" && ok || bad "json design"
if /usr/bin/python3 -c 'import matplotlib, pandas' 2>/dev/null; then
  expect 0 "plot.py frontier" -- /usr/bin/python3 "$(dirname "$0")/../scripts/plot.py" frontier "$TMP/design.csv" --out "$TMP/front.png" --quiet
  [ -s "$TMP/front.png" ] && ok || bad "the frontier picture"
fi
expect 0 "design as a sweep" -- "$DLM" sweep "$TMP/design.yaml" --set 'sweep.axes=[{key: institution.audit_cost, values: [0.05, 0.5]}]' --quiet --format csv --out "$TMP/ds.csv" --summary "$TMP/dsum.csv"
contains "$TMP/dsum.csv" "cheapest_fine" "the summary names the cheapest fine"
expect 2 "design with analyze.game" -- "$DLM" run "$TMP/design.yaml" --set analyze.game=true
contains "$TMP/err" "drop analyze.game" "says what to do"
expect 2 "a grid too large" -- "$DLM" run "$TMP/design.yaml" --set "analyze.design.audit=[$(seq -s, 0.001 0.001 1)]" --set "analyze.design.fine=[$(seq -s, 1 1000)]" --set 'analyze.design.subsidy=[0, 1]'
contains "$TMP/err" "at most 1000000" "gives the limit"
expect 2 "an audit above 1 in the grid" -- "$DLM" run "$TMP/design.yaml" --set 'analyze.design.audit=[0.5, 2]'
contains "$TMP/err" "analyze.design.audit.1" "names the entry"

finish
