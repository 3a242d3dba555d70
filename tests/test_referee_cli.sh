#!/usr/bin/env bash
# test_referee_cli.sh — the referee inside evolving populations (issue #16, items 1, 2, 6):
#  - the ledger balances to the micro-unit in every record of every run: budget = initial +
#    taxes + fines - subsidies - audit_costs, summed exactly (the amounts print as exact
#    decimals of integer micro-units);
#  - group games: one audit per group game (public goods: every act of ALLD fined; the
#    commons: units of level fined, the ledger balanced);
#  - known counts: the tax is n x tax per generation; with q = 1 and an unlimited budget every
#    match of an evaluation is audited or sat out (fermi, everyone plays everyone: 2 (n - 1)
#    matches per event, n events per generation), and without exclusion none is sat out;
#  - a budget that runs dry stops the audits (and a zero budget never audits);
#  - the break-even fine of the exact analysis (`analyze --game`: fine_dominant, F* = 1/q in
#    a prisoner's dilemma with T - R = P - S = 1) against evolving ALLC/ALLD populations:
#    below F* defection is strictly dominant and cooperation stays at the mutation floor,
#    above it cooperation is dominant; at 0.9 F* and 1.1 F* the mean over 8 populations
#    (standard error from the populations) is checked against 0.2 and 0.8 with 4 SE;
#  - false accusations are counted, a fine-free referee with a subsidy pays out, exclusion
#    counts the matches sat out;
#  - a sweep's batched runs give each run's own bytes; a run stopped and resumed from a
#    checkpoint gives the same bytes (the ledger is checkpointed with the views);
#  - the donation game: one audit per donation; the ledger balances; with q = 1 and no errors
#    the fines of a generation are F x the census's refusals (the census replays the audited
#    donations); audits + exclusions count every round; the break-even fine c / q against
#    evolving ALLC/ALLD populations (0.75 F* and 1.25 F*);
#  - the synchronous rules (per-agent slots reduced in agent order): balance, known counts,
#    a dry budget, the donation game's known answer, threads, checkpoint, every backend;
#  - refusals with exit 2 and the key named.
# usage: test_referee_cli.sh path/to/dilemma [path/to/dilemma_cuda_emu]
#   (with the second: the same run on the CUDA emulator's backend, the same bytes)
DLM=$1
EMU=${2:-}
. "$(dirname "$0")/testlib.sh"

cat >"$TMP/base.yaml" <<'YAML'
mode: evolve
seed: 3
game: {R: 2, S: -1, T: 3, P: 0}
match: {rounds: 4, execution_error: 0.05}
evolution:
  population: 20
  populations: 3
  generations: 40
  record_every: 5
  rule: fermi
  selection: 2
  structure: {type: well-mixed}
  initial: {shares: {allc: 0.4, alld: 0.3, tft: 0.3}}
  mutation: {rate: 0.02, kind: set, set: [allc, alld, tft]}
institution: {audit: 0.3, fine: 1.25, subsidy: 0.2, false_accusation: 0.1,
              missed_detection: 0.2, audit_cost: 0.15, tax: 0.05, budget: 3}
output: {format: csv}
YAML

# balance FILE [TAX N]: every record's ledger balances exactly; with TAX and N, taxes are
# generation x N x TAX exactly.
balance() {
  python3 - "$@" <<'PY'
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no records"
b0 = Decimal(sys.argv[2]) if len(sys.argv) > 2 else None
for r in rows:
    d = {k: Decimal(r[k]) for k in ("budget", "taxes", "fines", "subsidies", "audit_costs")}
    g = int(r["generation"])
    if b0 is not None:
        lhs = d["budget"]
        rhs = b0 + d["taxes"] + d["fines"] - d["subsidies"] - d["audit_costs"]
        assert lhs == rhs, (g, lhs, rhs)
    if len(sys.argv) > 4:
        assert d["taxes"] == g * int(sys.argv[4]) * Decimal(sys.argv[3]), (g, d["taxes"])
    for k in ("audits", "exclusions", "false_accusations"):
        assert int(r[k]) >= 0
print(len(rows), "records balance")
PY
}

expect 0 "a run with every part of the referee" -- "$DLM" run "$TMP/base.yaml" --out "$TMP/base.csv"
contains "$TMP/base.csv" "^seed,.*,budget,taxes,fines,subsidies,audit_costs,audits,exclusions,false_accusations$" "csv header"
balance "$TMP/base.csv" 3 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "the ledger balances (budget 3, tax 0.05 x 20)"; cat "$TMP/log"; }
python3 - "$TMP/base.csv" <<'PY' && ok || bad "audits, fines, subsidies and false accusations all happen"
import csv, sys
from decimal import Decimal
last = list(csv.DictReader(open(sys.argv[1])))[-1]
assert int(last["audits"]) > 0 and int(last["false_accusations"]) > 0, last
assert Decimal(last["fines"]) > 0 and Decimal(last["subsidies"]) > 0, last
assert Decimal(last["audit_costs"]) == Decimal("0.15") * int(last["audits"]), last
PY

# other rules, partners, exclusion, each balanced
for rule in moran-bd moran-db; do
  expect 0 "$rule" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=$rule --set evolution.selection=0.2 --set institution.exclusion=2 --out "$TMP/$rule.csv"
  balance "$TMP/$rule.csv" 3 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "$rule: the ledger balances"; cat "$TMP/log"; }
done
expect 0 "sampled partners, exclusion 3, json" -- "$DLM" run "$TMP/base.yaml" --set evolution.structure.partners=5 --set institution.exclusion=3 --format jsonl --out "$TMP/ex.jsonl"
python3 - "$TMP/ex.jsonl" <<'PY' && ok || bad "json records carry the ledger, exclusions counted"
import json, sys
from decimal import Decimal
recs = [json.loads(l, parse_float=Decimal) for l in open(sys.argv[1]) if '"generation"' in l]
recs = [r for r in recs if r.get("type") == "generation"]
last = recs[-1]
assert last["exclusions"] > 0, last
for r in recs:
    assert r["budget"] == 3 + r["taxes"] + r["fines"] - r["subsidies"] - r["audit_costs"], r
PY

# a referee that never audits changes nothing but the columns: the same matches, payoffs and
# evolution as no referee (its draws come from its own streams)
expect 0 "audit 0" -- "$DLM" run "$TMP/base.yaml" --set institution.audit=0 --out "$TMP/q0.csv"
sed '/^institution:/,/budget: 3}$/d' "$TMP/base.yaml" >"$TMP/none.yaml"
expect 0 "no referee" -- "$DLM" run "$TMP/none.yaml" --out "$TMP/none.csv"
cut -d, -f1-$(($(head -1 "$TMP/none.csv" | tr ',' '\n' | wc -l))) "$TMP/q0.csv" >"$TMP/q0_cut.csv"
cmp -s "$TMP/q0_cut.csv" "$TMP/none.csv" && ok || bad "audit 0: the run without a referee, plus the ledger's columns"
python3 - "$TMP/q0.csv" <<'PY' && ok || bad "audit 0: no audits, the budget only taxed"
import csv, sys
from decimal import Decimal
for r in csv.DictReader(open(sys.argv[1])):
    assert int(r["audits"]) == 0 and Decimal(r["fines"]) == 0, r
    assert Decimal(r["budget"]) == 3 + Decimal(r["taxes"]), r
PY

# known counts: q = 1, unlimited, no exclusion: every match of every evaluation audited
cat >"$TMP/all.yaml" <<'YAML'
mode: evolve
seed: 5
game: {preset: pd}
match: {rounds: 3}
evolution:
  population: 12
  generations: 10
  record_every: 1
  rule: fermi
  selection: 1
  initial: {shares: {allc: 0.5, alld: 0.5}}
  mutation: {rate: 0.05, kind: set, set: [allc, alld]}
institution: {audit: 1, fine: 1, audit_cost: 0.5}
output: {format: csv}
YAML
expect 0 "every match audited" -- "$DLM" run "$TMP/all.yaml" --out "$TMP/all.csv"
python3 - "$TMP/all.csv" <<'PY' && ok || bad "audits = generations x n events x 2 evaluations x (n - 1) matches"
import csv, sys
from decimal import Decimal
for r in csv.DictReader(open(sys.argv[1])):
    g = int(r["generation"])
    assert int(r["audits"]) == g * 12 * 2 * 11 and int(r["exclusions"]) == 0, r
    assert int(r["false_accusations"]) == 0 and Decimal(r["subsidies"]) == 0, r
    # unlimited: the budget is the net of fines and audit costs (no initial budget, no tax)
    assert Decimal(r["budget"]) == Decimal(r["fines"]) - Decimal(r["audit_costs"]), r
    assert Decimal(r["audit_costs"]) == Decimal("0.5") * int(r["audits"]), r
PY
expect 0 "exclusion: audited or sat out" -- "$DLM" run "$TMP/all.yaml" --set institution.exclusion=4 --out "$TMP/allx.csv"
python3 - "$TMP/allx.csv" <<'PY' && ok || bad "audits + exclusions = every match, exclusions > 0"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    g = int(r["generation"])
    assert int(r["audits"]) + int(r["exclusions"]) == g * 12 * 2 * 11, r
assert int(rows[-1]["exclusions"]) > 0
PY

# a budget that runs dry: the first generation audits and overspends, then none
expect 0 "a budget that runs dry" -- "$DLM" run "$TMP/all.yaml" --set institution.budget=1 --set institution.fine=0 --out "$TMP/dry.csv"
python3 - "$TMP/dry.csv" <<'PY' && ok || bad "audits stop once the budget is spent"
import csv, sys
from decimal import Decimal
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["generation"]) > 0]
assert int(rows[0]["audits"]) == 12 * 2 * 11, rows[0]
assert all(r["audits"] == rows[0]["audits"] for r in rows), [r["audits"] for r in rows]
assert Decimal(rows[-1]["budget"]) == 1 - Decimal("0.5") * 12 * 2 * 11, rows[-1]["budget"]
PY
expect 0 "a budget of zero never audits" -- "$DLM" run "$TMP/all.yaml" --set institution.budget=0 --out "$TMP/zero.csv"
python3 - "$TMP/zero.csv" <<'PY' && ok || bad "no audits"
import csv, sys
assert all(int(r["audits"]) == 0 and r["budget"] == "0" and r["taxes"] == "0" for r in csv.DictReader(open(sys.argv[1])))
PY
expect 0 "taxes refill it" -- "$DLM" run "$TMP/all.yaml" --set institution.budget=0 --set institution.tax=1 --out "$TMP/tax.csv"
balance "$TMP/tax.csv" 0 1 12 >"$TMP/log" 2>&1 && ok || { bad "taxed ledger balances"; cat "$TMP/log"; }
python3 - "$TMP/tax.csv" <<'PY' && ok || bad "a taxed referee audits"
import csv, sys
assert int(list(csv.DictReader(open(sys.argv[1])))[-1]["audits"]) > 0
PY

# --- group games: one audit per group game of an evaluation ------------------------------------
cat >"$TMP/pgg.yaml" <<'YAML'
mode: evolve
seed: 4
match: {rounds: 5}
evolution:
  population: 15
  generations: 6
  record_every: 1
  rule: fermi
  selection: 1
  interaction: group
  group: {game: pgg, size: 4, groups: 3, r: 3, c: 1}
  initial: {shares: {alld: 1}}
institution: {audit: 1, fine: 0.75, audit_cost: 0.25}
output: {format: csv}
YAML
expect 0 "public goods, every group game audited" -- "$DLM" run "$TMP/pgg.yaml" --out "$TMP/pgg.csv"
python3 - "$TMP/pgg.csv" <<'PY' && ok || bad "audits = generations x n events x 2 evaluations x 3 groups; fines = 0.75 x 5 rounds each"
import csv, sys
from decimal import Decimal
for r in csv.DictReader(open(sys.argv[1])):
    g = int(r["generation"])
    assert int(r["audits"]) == g * 15 * 2 * 3, r
    assert Decimal(r["fines"]) == Decimal("0.75") * 5 * int(r["audits"]), r
    assert Decimal(r["budget"]) == Decimal(r["fines"]) - Decimal(r["audit_costs"]), r
    assert r["cooperation"] == "0", r
PY
cat >"$TMP/commons.yaml" <<'YAML'
mode: evolve
seed: 6
match: {rounds: 6}
evolution:
  population: 30
  populations: 2
  generations: 20
  record_every: 4
  rule: moran-bd
  selection: 0.02
  interaction: group
  group: {game: commons, size: 5, groups: 2, levels: 5, capacity: 100, growth: 0.5, harvest: 2}
  mutation: {rate: 0.05, kind: set, set: ["level(0)", "level(2)", "level(4)", "stock(4,1,0.5)"]}
  initial: {shares: {"level(2)": 1}}
institution: {audit: 0.3, fine: 0.5, subsidy: 0.05, missed_detection: 0.1, false_accusation: 0.05,
              audit_cost: 1, budget: 20, tax: 0.01, exclusion: 1}
output: {format: csv}
YAML
expect 0 "the commons with a coordinator" -- "$DLM" run "$TMP/commons.yaml" --out "$TMP/commons.csv"
balance "$TMP/commons.csv" 20 0.01 30 >"$TMP/log" 2>&1 && ok || { bad "the commons' ledger balances"; cat "$TMP/log"; }
# the referee over the public goods game with incentives (peer and pool punishers, loners):
# the incentives are paid first, then the referee audits the group game; the ledger balances
cat >"$TMP/punish.yaml" <<'YAML'
mode: evolve
seed: 9
match: {rounds: 2}
evolution:
  population: 40
  populations: 2
  generations: 20
  record_every: 5
  rule: fermi
  selection: 1
  interaction: group
  group: {game: pgg, size: 5, groups: 2, r: 3, c: 1,
          punishment: {gamma: 0.3, beta: 0.7, fee: 0.3, fine: 0.7, loner: 1, second_order: true}}
  mutation: {rate: 0.05, kind: set, set: [allc, alld, loner, punish, pool]}
  initial: {shares: {allc: 0.2, alld: 0.2, loner: 0.2, punish: 0.2, pool: 0.2}}
institution: {audit: 0.4, fine: 0.5, subsidy: 0.1, false_accusation: 0.05, missed_detection: 0.05,
              audit_cost: 0.1, budget: 5, tax: 0.05, exclusion: 1}
output: {format: csv}
YAML
expect 0 "the referee over punishers" -- "$DLM" run "$TMP/punish.yaml" --out "$TMP/punish.csv"
balance "$TMP/punish.csv" 5 0.05 40 >"$TMP/log" 2>&1 && ok || { bad "the ledger balances over punishers"; cat "$TMP/log"; }
python3 - "$TMP/punish.csv" <<'PY' && ok || bad "both layers report: the referee's audits and the incentives' columns"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert "pool_punishers" in rows[0] and "audits" in rows[0], list(rows[0])
assert int(rows[-1]["audits"]) > 0 and any(float(r["fines"]) > 0 for r in rows), rows[-1]
assert any(float(r["incentive_fines"]) > 0 for r in rows), "no incentive fines under the referee"
PY
python3 - "$TMP/commons.csv" <<'PY' && ok || bad "the coordinator fines units of level and excludes"
import csv, sys
from decimal import Decimal
last = list(csv.DictReader(open(sys.argv[1])))[-1]
assert Decimal(last["fines"]) > 0 and int(last["exclusions"]) > 0 and int(last["false_accusations"]) > 0, last
PY

# --- the break-even fine against evolving populations ----------------------------------------
expect 0 "analyze: the break-even fine" -- "$DLM" analyze --game --set game.R=2 --set game.S=-1 --set game.T=3 --set game.P=0 --set institution.audit=0.5 --set institution.fine=1 --format json
FSTAR=$(python3 -c "import json; print(json.load(open('$TMP/out'))['fine_dominant'])")
[ "$FSTAR" = 2 ] && ok || bad "F* = 1 / q = 2, got $FSTAR"
cat >"$TMP/be.yaml" <<'YAML'
mode: evolve
seed: 3
game: {R: 2, S: -1, T: 3, P: 0}
match: {rounds: 1}
evolution:
  population: 50
  populations: 8
  generations: 300
  record_every: 300
  rule: fermi
  selection: 5
  initial: {shares: {allc: 0.5, alld: 0.5}}
  mutation: {rate: 0.01, kind: set, set: [allc, alld]}
institution: {audit: 0.5}
output: {format: csv}
YAML
for f in 0.9 1.1; do
  F=$(python3 -c "print($f * $FSTAR)")
  expect 0 "evolving at $f F*" -- "$DLM" run "$TMP/be.yaml" --set institution.fine=$F --out "$TMP/be_$f.csv"
done
python3 - "$TMP/be_0.9.csv" "$TMP/be_1.1.csv" <<'PY' && ok || bad "cooperation low below F*, high above"
import csv, sys, statistics as st
def coop(path):
    c = [float(r["cooperation"]) for r in csv.DictReader(open(path)) if r["generation"] == "300"]
    assert len(c) == 8
    return st.mean(c), st.stdev(c) / len(c) ** 0.5
(lo, se_lo), (hi, se_hi) = coop(sys.argv[1]), coop(sys.argv[2])
print("0.9 F*: %.4f +- %.4f   1.1 F*: %.4f +- %.4f" % (lo, se_lo, hi, se_hi))
assert lo + 4 * se_lo < 0.2, (lo, se_lo)
assert hi - 4 * se_hi > 0.8, (hi, se_hi)
PY

# --- sweeps batch runs; checkpoints keep the ledger ----------------------------------------------
cat >"$TMP/sweep.yaml" <<'YAML'
mode: evolve
seed: 9
game: {preset: pd}
match: {rounds: 3, execution_error: 0.05}
evolution:
  population: 16
  populations: 2
  generations: 12
  record_every: 4
  rule: fermi
  selection: 1
  initial: {shares: {tft: 0.5, alld: 0.5}}
  mutation: {rate: 0.02, kind: set, set: [tft, alld, allc]}
institution: {audit: 0.4, fine: 1, false_accusation: 0.05, tax: 0.01, budget: 1, audit_cost: 0.1}
output: {format: csv}
sweep:
  axes:
    - {key: institution.fine, values: [0, 1.5, 4]}
    - {key: institution.exclusion, values: [0, 2]}
YAML
expect 0 "sweep, batched" -- "$DLM" sweep "$TMP/sweep.yaml" --out "$TMP/sw_batch.csv"
expect 0 "sweep, one run at a time" -- "$DLM" sweep "$TMP/sweep.yaml" --batch 1 --out "$TMP/sw_one.csv"
cmp -s "$TMP/sw_batch.csv" "$TMP/sw_one.csv" && ok || bad "batched runs give each run's own bytes"
[ "$(cut -d, -f1 "$TMP/sw_one.csv" | wc -l)" -eq $((1 + 6 * 2 * 4)) ] && ok || bad "6 points x 2 populations x 4 records"
balance "$TMP/sw_one.csv" 1 0.01 16 >"$TMP/log" 2>&1 && ok || { bad "sweep ledgers balance"; cat "$TMP/log"; }
expect 0 "reference run" -- "$DLM" run "$TMP/base.yaml" --out "$TMP/ref.csv"
expect 143 "stopped after checkpoint 2" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" run "$TMP/base.yaml" --out "$TMP/ck.csv" --checkpoint "$TMP/ck.ckpt" --checkpoint-every 7
expect 0 "resumed" -- "$DLM" run "$TMP/base.yaml" --out "$TMP/ck.csv" --checkpoint-every 7 --resume "$TMP/ck.ckpt"
cmp -s "$TMP/ck.csv" "$TMP/ref.csv" && ok || bad "a resumed run's ledger is the uninterrupted run's"
if "$DLM" devices | grep -q "^opencl  available"; then
  expect 0 "opencl" -- "$DLM" run "$TMP/base.yaml" --backend opencl --out "$TMP/cl.csv"
  cmp -s "$TMP/cl.csv" "$TMP/ref.csv" && ok || bad "opencl gives the cpu's bytes"
else
  echo "(opencl not available here: its run is skipped)"
fi
if [ -n "$EMU" ]; then
  expect 0 "the CUDA emulator" -- "$EMU" run "$TMP/base.yaml" --backend cuda --out "$TMP/emu.csv"
  cmp -s "$TMP/emu.csv" "$TMP/ref.csv" && ok || bad "the CUDA emulator gives the cpu's bytes"
  expect 0 "the commons on the CUDA emulator" -- "$EMU" run "$TMP/commons.yaml" --backend cuda --out "$TMP/emu_commons.csv"
  cmp -s "$TMP/emu_commons.csv" "$TMP/commons.csv" && ok || bad "the commons: the CUDA emulator gives the cpu's bytes"
fi

# --- the donation game: one audit per donation (x as donor, each round of its generation) -------
cat >"$TMP/don.yaml" <<'YAML'
mode: evolve
seed: 7
game: {preset: donation, b: 3, c: 1}
match: {rounds: 5}
evolution:
  interaction: donation
  population: 20
  populations: 2
  generations: 30
  record_every: 3
  rule: fermi
  selection: 1
  reputation: {norm: stern-judging, execution_error: 0.05, assessment_error: 0.02}
  initial: {shares: {allc: 0.3, alld: 0.3, disc: 0.4}}
  mutation: {rate: 0.02, kind: set, set: [allc, alld, disc]}
institution: {audit: 0.4, fine: 1.5, subsidy: 0.25, false_accusation: 0.1,
              missed_detection: 0.2, audit_cost: 0.1, tax: 0.05, budget: 2, exclusion: 1}
output: {format: csv}
YAML
expect 0 "donations audited, every part of the referee" -- "$DLM" run "$TMP/don.yaml" --out "$TMP/don.csv"
balance "$TMP/don.csv" 2 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "donation: the ledger balances"; cat "$TMP/log"; }
python3 - "$TMP/don.csv" <<'PY' && ok || bad "donation: audits, fines, subsidies, false accusations, exclusions all happen"
import csv, sys
from decimal import Decimal
last = list(csv.DictReader(open(sys.argv[1])))[-1]
for k in ("audits", "exclusions", "false_accusations"):
    assert int(last[k]) > 0, (k, last)
assert Decimal(last["fines"]) > 0 and Decimal(last["subsidies"]) > 0, last
assert Decimal(last["audit_costs"]) == Decimal("0.1") * int(last["audits"]), last
PY
for opts in "evolution.rule=moran-bd" "evolution.rule=moran-db" "evolution.reputation.assessment=private" \
            "evolution.reputation.repeat=0.6"; do
  expect 0 "donation, $opts" -- "$DLM" run "$TMP/don.yaml" --set evolution.selection=0.1 --set "$opts" --out "$TMP/don_x.csv"
  balance "$TMP/don_x.csv" 2 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "donation, $opts: the ledger balances"; cat "$TMP/log"; }
done
# known answer: q = 1, no errors, no exclusion, a population of discriminators (no mutation: the
# rules never change, so the census at g replays exactly the donations of generation g, which
# the assessment step audits): fines of generation g = F x the census's refusals at g,
# subsidies = s x its helps, audits = n x rounds. Stern judging with execution and assessment
# errors makes both kinds of act.
cat >"$TMP/ka.yaml" <<'YAML'
mode: evolve
seed: 11
game: {preset: donation, b: 3, c: 1}
match: {rounds: 6}
evolution:
  interaction: donation
  population: 25
  populations: 3
  generations: 20
  record_every: 1
  rule: moran-db
  selection: 0.2
  reputation: {norm: stern-judging, execution_error: 0.1, assessment_error: 0.1}
  initial: {shares: {disc: 1}}
  mutation: {rate: 0}
institution: {audit: 1, fine: 1.5, subsidy: 0.25}
output: {format: csv}
YAML
expect 0 "donation, every act audited" -- "$DLM" run "$TMP/ka.yaml" --out "$TMP/ka.csv"
python3 - "$TMP/ka.csv" 25 6 0 <<'PY' && ok || bad "donation: fines = F x the census's refusals, subsidies = s x its helps"
import csv, sys
from decimal import Decimal
n, rounds, excl = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
by = {(int(r["population"]), int(r["generation"])): r for r in csv.DictReader(open(sys.argv[1]))}
checked = refusals = helps = 0
for (p, g), r in by.items():
    nx = by.get((p, g + 1))
    if nx is None:
        continue
    moves = n * rounds
    coop = round(float(r["cooperation"]) * moves)
    assert int(nx["audits"]) - int(r["audits"]) == moves, (p, g)
    assert Decimal(nx["fines"]) - Decimal(r["fines"]) == Decimal("1.5") * (moves - coop), (p, g)
    assert Decimal(nx["subsidies"]) - Decimal(r["subsidies"]) == Decimal("0.25") * coop, (p, g)
    checked += 1
    refusals += moves - coop
    helps += coop
assert checked == 60 and refusals > 0 and helps > 0, (checked, refusals, helps)
PY
expect 0 "donation, exclusion 2: audited or sat out" -- "$DLM" run "$TMP/ka.yaml" --set institution.exclusion=2 --out "$TMP/kax.csv"
python3 - "$TMP/kax.csv" <<'PY' && ok || bad "donation: audits + exclusions = n x rounds x generations, exclusions > 0"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    assert int(r["audits"]) + int(r["exclusions"]) == int(r["generation"]) * 25 * 6, r
assert int(rows[-1]["exclusions"]) > 0 and int(rows[-1]["false_accusations"]) == 0, rows[-1]
PY
# the break-even fine of the donation game: a help costs c whoever receives it, so helping pays
# once q F > c (no subsidy, no errors); `analyze --game` on the donation preset (R = b - c,
# S = -c, T = b, P = 0) gives F* = c / q = 2 at q = 0.5. 8 ALLC/ALLD populations, 100 rounds per
# evaluation (the received help is noise of the same size for both), at 0.75 F* and 1.25 F*
# (seen: 0.0075 +- 0.0053 and 0.990 +- 0.005); bounds 0.2 and 0.8 with 4 SE.
expect 0 "analyze: the donation game's break-even fine" -- "$DLM" analyze --game --set game.preset=donation --set game.b=3 --set game.c=1 --set institution.audit=0.5 --set institution.fine=1 --format json
DSTAR=$(python3 -c "import json; print(json.load(open('$TMP/out'))['fine_dominant'])")
[ "$DSTAR" = 2 ] && ok || bad "donation: F* = c / q = 2, got $DSTAR"
cat >"$TMP/dbe.yaml" <<'YAML'
mode: evolve
seed: 3
game: {preset: donation, b: 3, c: 1}
match: {rounds: 100}
evolution:
  interaction: donation
  population: 50
  populations: 8
  generations: 300
  record_every: 300
  rule: fermi
  selection: 5
  initial: {shares: {allc: 0.5, alld: 0.5}}
  mutation: {rate: 0.01, kind: set, set: [allc, alld]}
institution: {audit: 0.5}
output: {format: csv}
YAML
for f in 0.75 1.25; do
  F=$(python3 -c "print($f * $DSTAR)")
  expect 0 "donation, evolving at $f F*" -- "$DLM" run "$TMP/dbe.yaml" --set institution.fine=$F --out "$TMP/dbe_$f.csv"
done
python3 - "$TMP/dbe_0.75.csv" "$TMP/dbe_1.25.csv" <<'PY' && ok || bad "donation: helping rare below F*, common above"
import csv, sys, statistics as st
def coop(path):
    c = [float(r["cooperation"]) for r in csv.DictReader(open(path)) if r["generation"] == "300"]
    assert len(c) == 8
    return st.mean(c), st.stdev(c) / len(c) ** 0.5
(lo, se_lo), (hi, se_hi) = coop(sys.argv[1]), coop(sys.argv[2])
print("donation, 0.75 F*: %.4f +- %.4f   1.25 F*: %.4f +- %.4f" % (lo, se_lo, hi, se_hi))
assert lo + 4 * se_lo < 0.2, (lo, se_lo)
assert hi - 4 * se_hi > 0.8, (hi, se_hi)
PY
# a referee that never audits: the run without a referee plus the ledger's columns
expect 0 "donation, audit 0" -- "$DLM" run "$TMP/don.yaml" --set institution.audit=0 --out "$TMP/don_q0.csv"
sed '/^institution:/,/exclusion: 1}$/d' "$TMP/don.yaml" >"$TMP/don_none.yaml"
expect 0 "donation, no referee" -- "$DLM" run "$TMP/don_none.yaml" --out "$TMP/don_none.csv"
cut -d, -f1-$(($(head -1 "$TMP/don_none.csv" | tr ',' '\n' | wc -l))) "$TMP/don_q0.csv" >"$TMP/don_q0_cut.csv"
cmp -s "$TMP/don_q0_cut.csv" "$TMP/don_none.csv" && ok || bad "donation, audit 0: the run without a referee, plus the ledger's columns"
expect 143 "donation, stopped after checkpoint 2" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" run "$TMP/don.yaml" --out "$TMP/don_ck.csv" --checkpoint "$TMP/don.ckpt" --checkpoint-every 7
expect 0 "donation, resumed" -- "$DLM" run "$TMP/don.yaml" --out "$TMP/don_ck.csv" --checkpoint-every 7 --resume "$TMP/don.ckpt"
cmp -s "$TMP/don_ck.csv" "$TMP/don.csv" && ok || bad "donation: a resumed run's ledger is the uninterrupted run's"
if "$DLM" devices | grep -q "^opencl  available"; then
  expect 0 "donation, opencl" -- "$DLM" run "$TMP/don.yaml" --backend opencl --out "$TMP/don_cl.csv"
  cmp -s "$TMP/don_cl.csv" "$TMP/don.csv" && ok || bad "donation: opencl gives the cpu's bytes"
fi
if [ -n "$EMU" ]; then
  expect 0 "donation on the CUDA emulator" -- "$EMU" run "$TMP/don.yaml" --backend cuda --out "$TMP/don_emu.csv"
  cmp -s "$TMP/don_emu.csv" "$TMP/don.csv" && ok || bad "donation: the CUDA emulator gives the cpu's bytes"
fi

# --- the synchronous rules: each evaluation books into its agent's slot, reduced in agent order ---
for rule in wright-fisher fermi-sync; do
  expect 0 "$rule" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=$rule --set evolution.selection=0.2 --set institution.exclusion=2 --out "$TMP/s_$rule.csv"
  balance "$TMP/s_$rule.csv" 3 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "$rule: the ledger balances"; cat "$TMP/log"; }
  python3 - "$TMP/s_$rule.csv" <<'PY' && ok || bad "$rule: audits, fines, subsidies, exclusions, false accusations happen"
import csv, sys
last = list(csv.DictReader(open(sys.argv[1])))[-1]
assert all(int(last[k]) > 0 for k in ("audits", "exclusions", "false_accusations")), last
assert float(last["fines"]) > 0 and float(last["subsidies"]) > 0, last
PY
done
expect 0 "imitate-best, lattice" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=imitate-best --set 'evolution.structure={type: lattice, width: 5, height: 4, neighbourhood: moore}' --out "$TMP/s_ib.csv"
balance "$TMP/s_ib.csv" 3 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "imitate-best: the ledger balances"; cat "$TMP/log"; }
# known counts: one evaluation per agent per generation, everyone plays everyone
expect 0 "wright-fisher, every match audited" -- "$DLM" run "$TMP/all.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.1 --out "$TMP/s_all.csv"
python3 - "$TMP/s_all.csv" <<'PY' && ok || bad "wright-fisher: audits = generations x n x (n - 1), fines = F x rounds x D moves"
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    g = int(r["generation"])
    assert int(r["audits"]) == g * 12 * 11 and int(r["exclusions"]) == 0, r
    assert Decimal(r["budget"]) == Decimal(r["fines"]) - Decimal(r["audit_costs"]), r
    assert Decimal(r["audit_costs"]) == Decimal("0.5") * int(r["audits"]), r
assert Decimal(rows[-1]["fines"]) > 0
PY
expect 0 "wright-fisher, exclusion" -- "$DLM" run "$TMP/all.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.1 --set institution.exclusion=4 --out "$TMP/s_allx.csv"
python3 - "$TMP/s_allx.csv" <<'PY' && ok || bad "wright-fisher: audits + exclusions = every match, exclusions > 0"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    assert int(r["audits"]) + int(r["exclusions"]) == int(r["generation"]) * 12 * 11, r
assert int(rows[-1]["exclusions"]) > 0
PY
expect 0 "fermi-sync, a budget that runs dry" -- "$DLM" run "$TMP/all.yaml" --set evolution.rule=fermi-sync --set institution.budget=1 --set institution.fine=0 --out "$TMP/s_dry.csv"
python3 - "$TMP/s_dry.csv" <<'PY' && ok || bad "fermi-sync: audits stop once the budget is spent"
import csv, sys
from decimal import Decimal
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["generation"]) > 0]
assert all(int(r["audits"]) == 12 * 11 for r in rows), [r["audits"] for r in rows]
assert Decimal(rows[-1]["budget"]) == 1 - Decimal("0.5") * 12 * 11, rows[-1]["budget"]
PY
expect 0 "fermi-sync, taxes refill it" -- "$DLM" run "$TMP/all.yaml" --set evolution.rule=fermi-sync --set institution.budget=0 --set institution.tax=1 --out "$TMP/s_tax.csv"
balance "$TMP/s_tax.csv" 0 1 12 >"$TMP/log" 2>&1 && ok || { bad "fermi-sync: the taxed ledger balances"; cat "$TMP/log"; }
expect 0 "public goods under fermi-sync" -- "$DLM" run "$TMP/pgg.yaml" --set evolution.rule=fermi-sync --out "$TMP/s_pgg.csv"
python3 - "$TMP/s_pgg.csv" <<'PY' && ok || bad "fermi-sync: audits = generations x n x 3 groups; fines = 0.75 x 5 rounds each"
import csv, sys
from decimal import Decimal
for r in csv.DictReader(open(sys.argv[1])):
    assert int(r["audits"]) == int(r["generation"]) * 15 * 3, r
    assert Decimal(r["fines"]) == Decimal("0.75") * 5 * int(r["audits"]), r
PY
for rule in wright-fisher fermi-sync; do
  expect 0 "donation, $rule, every act audited" -- "$DLM" run "$TMP/ka.yaml" --set evolution.rule=$rule --out "$TMP/s_ka.csv"
  python3 - "$TMP/s_ka.csv" <<'PY' && ok || bad "donation, $rule: fines = F x the census's refusals"
import csv, sys
from decimal import Decimal
by = {(int(r["population"]), int(r["generation"])): r for r in csv.DictReader(open(sys.argv[1]))}
checked = refusals = 0
for (p, g), r in by.items():
    nx = by.get((p, g + 1))
    if nx is None:
        continue
    coop = round(float(r["cooperation"]) * 150)
    assert int(nx["audits"]) - int(r["audits"]) == 150, (p, g)
    assert Decimal(nx["fines"]) - Decimal(r["fines"]) == Decimal("1.5") * (150 - coop), (p, g)
    assert Decimal(nx["subsidies"]) - Decimal(r["subsidies"]) == Decimal("0.25") * coop, (p, g)
    checked += 1
    refusals += 150 - coop
assert checked == 60 and refusals > 0, (checked, refusals)
PY
done
expect 0 "donation, fermi-sync" -- "$DLM" run "$TMP/don.yaml" --set evolution.rule=fermi-sync --set evolution.selection=0.1 --out "$TMP/s_don.csv"
balance "$TMP/s_don.csv" 2 0.05 20 >"$TMP/log" 2>&1 && ok || { bad "donation, fermi-sync: the ledger balances"; cat "$TMP/log"; }
expect 0 "wright-fisher, audit 0" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --set institution.audit=0 --out "$TMP/s_q0.csv"
expect 0 "wright-fisher, no referee" -- "$DLM" run "$TMP/none.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --out "$TMP/s_none.csv"
cut -d, -f1-$(($(head -1 "$TMP/s_none.csv" | tr ',' '\n' | wc -l))) "$TMP/s_q0.csv" >"$TMP/s_q0_cut.csv"
cmp -s "$TMP/s_q0_cut.csv" "$TMP/s_none.csv" && ok || bad "wright-fisher, audit 0: the run without a referee, plus the ledger's columns"
# one population on several threads (the CPU's agent-parallel path): the same bytes
expect 0 "fermi-sync, one thread" -- "$DLM" run "$TMP/don.yaml" --set evolution.rule=fermi-sync --set evolution.selection=0.1 --set evolution.populations=1 --set evolution.population=400 --threads 1 --out "$TMP/s_t1.csv"
expect 0 "fermi-sync, two threads" -- "$DLM" run "$TMP/don.yaml" --set evolution.rule=fermi-sync --set evolution.selection=0.1 --set evolution.populations=1 --set evolution.population=400 --threads 2 --out "$TMP/s_t2.csv"
cmp -s "$TMP/s_t1.csv" "$TMP/s_t2.csv" && ok || bad "fermi-sync: threads do not change the ledger"
expect 143 "wright-fisher, stopped after checkpoint 2" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" run "$TMP/base.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --set institution.exclusion=2 --out "$TMP/s_ck.csv" --checkpoint "$TMP/s.ckpt" --checkpoint-every 7
expect 0 "wright-fisher, resumed" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --set institution.exclusion=2 --out "$TMP/s_ck.csv" --checkpoint-every 7 --resume "$TMP/s.ckpt"
cmp -s "$TMP/s_ck.csv" "$TMP/s_wright-fisher.csv" && ok || bad "wright-fisher: a resumed run's ledger is the uninterrupted run's"
if "$DLM" devices | grep -q "^opencl  available"; then
  expect 0 "wright-fisher, opencl" -- "$DLM" run "$TMP/base.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --set institution.exclusion=2 --backend opencl --out "$TMP/s_cl.csv"
  cmp -s "$TMP/s_cl.csv" "$TMP/s_wright-fisher.csv" && ok || bad "wright-fisher: opencl gives the cpu's bytes"
  expect 0 "donation, fermi-sync, opencl" -- "$DLM" run "$TMP/don.yaml" --set evolution.rule=fermi-sync --set evolution.selection=0.1 --backend opencl --out "$TMP/s_don_cl.csv"
  cmp -s "$TMP/s_don_cl.csv" "$TMP/s_don.csv" && ok || bad "donation, fermi-sync: opencl gives the cpu's bytes"
fi
if [ -n "$EMU" ]; then
  expect 0 "wright-fisher on the CUDA emulator" -- "$EMU" run "$TMP/base.yaml" --set evolution.rule=wright-fisher --set evolution.selection=0.2 --set institution.exclusion=2 --backend cuda --out "$TMP/s_emu.csv"
  cmp -s "$TMP/s_emu.csv" "$TMP/s_wright-fisher.csv" && ok || bad "wright-fisher: the CUDA emulator gives the cpu's bytes"
  expect 0 "donation, fermi-sync on the CUDA emulator" -- "$EMU" run "$TMP/don.yaml" --set evolution.rule=fermi-sync --set evolution.selection=0.1 --backend cuda --out "$TMP/s_don_emu.csv"
  cmp -s "$TMP/s_don_emu.csv" "$TMP/s_don.csv" && ok || bad "donation, fermi-sync: the CUDA emulator gives the cpu's bytes"
fi

# --- refusals ------------------------------------------------------------------------------------
expect 2 "group selection" -- "$DLM" run "$TMP/all.yaml" --set evolution.rule=moran-bd --set evolution.selection=0.1 --set evolution.population=16 --set 'evolution.group_selection={groups: 4, size: 4, split: 0.05}'
contains "$TMP/err" "evolution.group_selection" "names the key"
expect 2 "exact payoffs" -- "$DLM" run "$TMP/base.yaml" --set evolution.payoff=exact
contains "$TMP/err" "evolution.payoff" "names the key"
expect 2 "counts" -- "$DLM" run "$TMP/all.yaml" --set evolution.representation=counts
contains "$TMP/err" "referee" "says why"
expect 2 "a fractional exclusion" -- "$DLM" run "$TMP/base.yaml" --set institution.exclusion=1.5
contains "$TMP/err" "institution.exclusion" "names the key"
expect 2 "a negative tax" -- "$DLM" run "$TMP/base.yaml" --set institution.tax=-1
contains "$TMP/err" "institution.tax" "names the key"
expect 2 "a fine beyond the ledger" -- "$DLM" run "$TMP/base.yaml" --set institution.fine=1e7
contains "$TMP/err" "institution.fine" "names the key"
expect 2 "a budget in analyze" -- "$DLM" analyze --game --set institution.budget=5
contains "$TMP/err" "budget is a key of the evolving referee" "says where it belongs"
expect 2 "the donation game with estimated payoffs" -- "$DLM" run "$TMP/don.yaml" --set evolution.payoff=exact --out "$TMP/never.csv"
contains "$TMP/err" "evolution.payoff" "names the key"
[ ! -e "$TMP/never.csv" ] && ok || bad "nothing written"
cat >"$TMP/badsweep.yaml" <<'YAML'
mode: evolve
game: {preset: pd}
evolution: {population: 10, generations: 3, rule: fermi, selection: 0.1}
institution: {audit: 0.5, fine: 1}
sweep:
  axes:
    - {key: evolution.payoff, values: [played, exact]}
YAML
expect 2 "a sweep with exact payoffs among its values" -- "$DLM" sweep "$TMP/badsweep.yaml" --out "$TMP/badsweep.csv"
contains "$TMP/err" "value exact: institution: the referee audits played moves" "names the axis value"
[ ! -e "$TMP/badsweep.csv" ] && ok || bad "a refused sweep writes nothing"
finish
