#!/usr/bin/env bash
# test_design_evolve_cli.sh — the cheapest enforcement measured by evolving populations
# (analyze.design.evolve, issue #16 item 5): on a case where the exact analysis applies
# (ALLC and ALLD in a one-shot prisoner's dilemma, fermi, a population of 10, mutation 0.01
# within the set), each institution's evolving cooperation (the time average over the
# run's second half, 8 populations, seed 1) against the full chain's exact abundance of
# ALLC under that institution (`analyze.population`: with one round and no errors the
# census's cooperation is the share of ALLC), within 4 standard errors; the referee's
# spending and fines from its ledger against q [a + 2 s c] and 2 q F (1 - c) at the
# measured c; the same cheapest institution and frontier as the exact design (rare
# mutations); refusals with exit 2 and nothing written.
# Also: the same bytes on OpenCL (when a platform is present) and on the CUDA emulator
# (the optional second argument).
# usage: test_design_evolve_cli.sh path/to/dilemma [path/to/dilemma_cuda_emu]
DLM=$1
EMU=${2:-}
. "$(dirname "$0")/testlib.sh"
cat >"$TMP/d.yaml" <<'YAML'
mode: analyze
seed: 1
game: {R: 2, S: -1, T: 3, P: 0}
match: {rounds: 1}
evolution:
  population: 10
  populations: 8
  generations: 4000
  record_every: 10
  rule: fermi
  selection: 1
  initial: {shares: {allc: 0.5, alld: 0.5}}
  mutation: {rate: 0.01, kind: set, set: [allc, alld]}
institution: {audit: 0.5, audit_cost: 0.1}
analyze:
  design:
    fine: [0, 1, 2, 3, 4]
    subsidy: [0, 0.5]
    target: 0.5
    evolve: true
YAML
expect 0 "evolving design, csv" -- "$DLM" run "$TMP/d.yaml" --backend cpu --format csv --out "$TMP/evo.csv"
for F in 0 1 2 3 4; do
  for S in 0 0.5; do
    expect 0 "exact abundance F=$F s=$S" -- "$DLM" run "$TMP/d.yaml" --backend cpu --format csv \
      --set 'analyze={population: {}}' --set institution.fine=$F --set institution.subsidy=$S
    grep ',abundance,allc,' "$TMP/out" | awk -F, -v f=$F -v s=$S '{print f "," s "," $(NF-5)}' >>"$TMP/exact.csv"
  done
done
expect 0 "exact design (rare mutations)" -- "$DLM" run "$TMP/d.yaml" --backend cpu --format csv \
  --set analyze.design.evolve=false --set 'analyze.population={}' --out "$TMP/rare.csv"
if python3 - "$TMP/evo.csv" "$TMP/exact.csv" "$TMP/rare.csv" <<'PY'
import csv, sys
evo = list(csv.DictReader(open(sys.argv[1])))
exact = {(float(f), float(s)): float(x) for f, s, x in csv.reader(open(sys.argv[2]))}
rare = list(csv.DictReader(open(sys.argv[3])))
assert len(evo) == 10 and len(exact) == 10, (len(evo), len(exact))
q, a = 0.5, 0.1
for r in evo:
    assert r["measure"] == "evolve" and r["populations"] == "8" and r["from_generation"] == "2000"
    F, s = float(r["fine"]), float(r["subsidy"])
    c, se = float(r["cooperation"]), float(r["cooperation_se"])
    x = exact[(F, s)]
    print(f"F={F} s={s}: evolving {c:.4f} +- {se:.4f}, exact {x:.4f}")
    assert se > 0 and abs(c - x) <= 4 * se, ("cooperation", F, s, c, se, x)
    # spending: q a per interaction, plus 2 q s per audited cooperation (per act)
    cost, fines = float(r["cost"]), float(r["fines"])
    assert abs(cost - q * (a + 2 * s * c)) <= 4 * 2 * q * s * se + 1e-9, ("cost", F, s, cost)
    assert abs(fines - 2 * q * F * (1 - c)) <= 4 * 2 * q * F * se + 1e-9, ("fines", F, s, fines)
    assert abs(float(r["net_cost"]) - (cost - fines)) < 1e-9
# the same answer as the exact design: the cheapest that reaches 0.5, and the frontier
key = lambda r: (r["audit"], r["fine"], r["subsidy"])
pick = lambda rows, col: sorted(key(r) for r in rows if r[col] == "true")
assert pick(evo, "cheapest") == pick(rare, "cheapest") == [("0.5", "4", "0")], (pick(evo, "cheapest"), pick(rare, "cheapest"))
assert pick(evo, "on_frontier") == pick(rare, "on_frontier"), (pick(evo, "on_frontier"), pick(rare, "on_frontier"))
PY
then ok; else bad "the evolving design against the exact analysis"; fi

# the same bytes on every backend (a short run)
SHORT=(--format csv --set evolution.generations=300)
expect 0 "cpu, short" -- "$DLM" run "$TMP/d.yaml" --backend cpu "${SHORT[@]}" --out "$TMP/cpu.csv"
if "$DLM" run "$TMP/d.yaml" --backend opencl "${SHORT[@]}" --out "$TMP/ocl.csv" 2>"$TMP/err"; then
  cmp -s "$TMP/cpu.csv" "$TMP/ocl.csv" && ok || bad "OpenCL: other bytes than the CPU's"
else
  echo "note: no OpenCL platform, the OpenCL comparison skipped: $(head -1 "$TMP/err")"
fi
if [ -n "$EMU" ]; then
  expect 0 "cuda emulator" -- "$EMU" run "$TMP/d.yaml" --backend cuda "${SHORT[@]}" --out "$TMP/emu.csv"
  cmp -s "$TMP/cpu.csv" "$TMP/emu.csv" && ok || bad "CUDA emulator: other bytes than the CPU's"
fi

# table and json
expect 0 "table" -- "$DLM" run "$TMP/d.yaml" --backend cpu --set evolution.generations=200 --set evolution.populations=2
contains "$TMP/out" "measured by evolving populations" "table: the measure"
contains "$TMP/out" "^cheapest: audit 0.5, fine" "table: the cheapest"
expect 0 "json" -- "$DLM" run "$TMP/d.yaml" --backend cpu --format json --set evolution.generations=200 --set evolution.populations=2
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['type'] == 'design' and d['measure'] == 'evolve' and d['populations'] == 2
assert len(d['points']) == 10 and all('cooperation_se' in p for p in d['points'])
" "$TMP/out" && ok || bad "json: a design of 10 points measured by evolution"
# the referee's evolving keys are allowed here (a budget, a tax, exclusion)
expect 0 "budget and tax" -- "$DLM" run "$TMP/d.yaml" --backend cpu --set evolution.generations=100 \
  --set institution.budget=5 --set institution.tax=0.01 --set institution.exclusion=1

# the synchronous rules book the referee's ledger too (per-agent slots, summed in agent order)
expect 0 "fermi-sync measured" -- "$DLM" run "$TMP/d.yaml" --backend cpu --set evolution.generations=100 \
  --set evolution.rule=fermi-sync

# refusals: exit 2, nothing written (a grid of 10 x 410 > 4096 institutions for evolve)
for bad_set in 'analyze.population={}' 'analyze.game=true' 'match.continuation=0.9' \
               'analyze.design.evolve=maybe' \
               'analyze.design.audit=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]' \
               'evolution.interaction=donation'; do
  extra=()
  case $bad_set in analyze.design.audit=*) extra=(--set "analyze.design.fine=[$(seq -s, 0 409)]");; esac
  rm -f "$TMP/refused.csv"
  expect 2 "refused: $bad_set" -- "$DLM" run "$TMP/d.yaml" --backend cpu --set "$bad_set" "${extra[@]}" --out "$TMP/refused.csv"
  [ ! -e "$TMP/refused.csv" ] && ok || bad "$bad_set: an output was written"
done
# the exact design still refuses the evolving referee's keys
expect 2 "tax without evolve" -- "$DLM" run "$TMP/d.yaml" --set analyze.design.evolve=false --set 'analyze.population={}' --set institution.tax=0.1
finish
