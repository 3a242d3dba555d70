#!/usr/bin/env bash
# test_group_punish_cli.sh — incentives in the public goods game from the command line
# (evolution.group.punishment, kernels/dlm_punish.h; issue #15 item 3, issue #16 item 3).
#
# Published result reproduced (its direction): Sigmund, De Silva, Traulsen & Hauert 2010,
# "Social learning promotes institutions for governing the commons", Nature 466:861-863,
# Figs. 2 and 3: in the optional public goods game (groups of N = 5, r = 3, c = 1, loners
# earn sigma = 1) with cooperators, defectors, loners, peer punishers and pool punishers
# under social learning (the pairwise comparison rule) with exploration,
#   - without second-order punishment peer punishment does at least as well as pool
#     punishment (it costs nothing when nobody defects, while the pool's fee is paid
#     always): the time average of pool minus peer punishers is negative;
#   - with second-order punishment pool punishment wins (the pool sees who did not pay in
#     even when nobody defects; peers can punish non-punishers only when a defection shows
#     it): the time average of pool minus peer punishers is positive and large.
# Here: 12 populations of 100 for 8000 generations each (fermi, s = 10, exploration 0.01
# among the five strategies, 4 groups of 5 per evaluation), gamma = beta = G = B = 0.7,
# time averages from generation 1000 on, recorded every 20; bounds are 4 standard errors
# of the mean over the 12 populations (fixed seed). Measured when written:
# first order -0.598 +- 0.017, second order +0.879 +- 0.055.
#
# Also: the columns and their ranges, and refusals with exit 2 and nothing written
# (another game, a punisher without the section, unknown keys, a negative amount, an
# incentive on a rule that cannot carry it).
# usage: test_group_punish_cli.sh path/to/dilemma [full|quick]
#   quick (sanitizer builds): the two long runs cut to 2 populations of 400 generations,
#   their code paths checked but not the published direction (the Release build checks it)
DLM=$1
MODE=${2:-full}
. "$(dirname "$0")/testlib.sh"

config() { # second_order generations populations
  cat <<EOF
name: punishment-test
mode: evolve
seed: 2010
match: {rounds: 1}
evolution:
  population: 100
  populations: $3
  generations: $2
  rule: fermi
  selection: 10
  interaction: group
  group:
    game: pgg
    size: 5
    groups: 4
    r: 3
    c: 1
    punishment: {gamma: 0.7, beta: 0.7, fee: 0.7, fine: 0.7, loner: 1, second_order: $1}
  initial:
    shares:
      - {strategy: allc, share: 0.2}
      - {strategy: alld, share: 0.2}
      - {strategy: loner, share: 0.2}
      - {strategy: punish, share: 0.2}
      - {strategy: pool, share: 0.2}
  mutation: {rate: 0.01, kind: set, set: [allc, alld, loner, punish, pool]}
  record_every: 20
EOF
}

# pool - peer: mean and standard error over populations of the time averages
average() {
  python3 - "$1" <<'PY'
import csv, math, sys
by = {}
rows = list(csv.DictReader(open(sys.argv[1])))
cut = 1000 if any(int(r["generation"]) >= 1000 for r in rows) else 0  # quick runs: all
for r in rows:
    if int(r["generation"]) >= cut:
        by.setdefault(r["population"], []).append(float(r["pool_punishers"]) - float(r["peer_punishers"]))
v = [sum(x) / len(x) for x in by.values()]
m = sum(v) / len(v)
se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v))
print(f"{m:.4f} {se:.4f} {len(v)}")
PY
}

if [ "$MODE" = quick ]; then
  config false 400 2 >"$TMP/first.yaml"
  config true 400 2 >"$TMP/second.yaml"
else
  config false 8000 12 >"$TMP/first.yaml"
  config true 8000 12 >"$TMP/second.yaml"
fi
expect 0 "first order runs" -- "$DLM" run "$TMP/first.yaml" --format csv --quiet --out "$TMP/first.csv"
expect 0 "second order runs" -- "$DLM" run "$TMP/second.yaml" --format csv --quiet --out "$TMP/second.csv"
contains "$TMP/first.csv" ",peer_punishers,pool_punishers,rewarders,loners,defectors,incentive_fines,incentive_rewards,level_mean,stock_mean,stock_final,collapse_fraction$" "csv columns"
read -r m1 se1 n1 < <(average "$TMP/first.csv")
read -r m2 se2 n2 < <(average "$TMP/second.csv")
echo "pool - peer punishers: first order $m1 +- $se1 ($n1 populations), second order $m2 +- $se2 ($n2)"
if [ "$MODE" = full ]; then
  python3 -c "import sys; m, se = float('$m1'), float('$se1'); sys.exit(0 if m + 4 * se < 0 else 1)" &&
    ok || bad "first order: peer punishment does at least as well as pool (Sigmund et al. 2010 Fig. 2)"
  python3 -c "import sys; m, se = float('$m2'), float('$se2'); sys.exit(0 if m - 4 * se > 0.5 else 1)" &&
    ok || bad "second order: pool punishment wins (Sigmund et al. 2010 Fig. 3)"
fi

# ranges: fractions in [0, 1] that add up with the other strategies; fines >= 0; no rewards
python3 - "$TMP/second.csv" <<'PY' && ok || bad "incentive columns in range"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    f = [float(r[k]) for k in ("peer_punishers", "pool_punishers", "rewarders", "loners", "defectors")]
    assert all(0 <= x <= 1 for x in f) and sum(f) <= 1 + 1e-12, r
    assert abs(float(r["peer_punishers"]) - int(r["count:punish"]) / 100) < 1e-12, r
    assert abs(float(r["loners"]) - int(r["count:loner"]) / 100) < 1e-12, r
    assert float(r["incentive_fines"]) >= 0 and float(r["incentive_rewards"]) == 0 and float(r["rewarders"]) == 0, r
PY

# json carries the same members
config true 40 1 >"$TMP/short.yaml"
expect 0 "json" -- "$DLM" run "$TMP/short.yaml" --format jsonl --quiet
python3 - "$TMP/out" <<'PY' && ok || bad "jsonl members"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gens = [r for r in recs if r.get("type") == "generation"]
assert gens and all(k in gens[0] for k in ("peer_punishers", "pool_punishers", "rewarders", "loners", "defectors", "incentive_fines", "incentive_rewards")), gens[:1]
summ = [r for r in recs if r.get("type") == "summary"]
assert summ and summ[0]["final_pool_punishers"]["mean"] == gens[-1]["pool_punishers"], summ[:1]
assert summ[0]["settings"]["group"]["punishment"] == {"gamma": 0.7, "beta": 0.7, "fee": 0.7, "fine": 0.7, "reward": 0.7, "loner": 1, "second_order": True}, summ[0]["settings"]
PY

# pool rewarders (Sasaki et al. 2012): rewards flow only where rewarders are
sed 's/strategy: pool, share/strategy: rewarder, share/; s/loner, punish, pool\]/loner, punish, rewarder]/' "$TMP/short.yaml" >"$TMP/reward.yaml"
expect 0 "rewarders run" -- "$DLM" run "$TMP/reward.yaml" --format csv --quiet
python3 - "$TMP/out" <<'PY' && ok || bad "rewards where rewarders are"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert float(rows[0]["rewarders"]) == 0.2 and float(rows[0]["incentive_rewards"]) > 0, rows[0]
assert all(float(r["pool_punishers"]) == 0 for r in rows)
PY

# every key is a sweep axis: a fee of 0 against one of 5 (a pool that costs more than any
# fine it can levy dies out), 200 generations, 4 populations each
config true 200 4 >"$TMP/sweep.yaml"
printf 'sweep:\n  axes:\n    - {key: evolution.group.punishment.fee, values: [0, 5]}\n' >>"$TMP/sweep.yaml"
expect 0 "sweep over the fee" -- "$DLM" sweep "$TMP/sweep.yaml" --quiet --out "$TMP/sweep.csv"
python3 - "$TMP/sweep.csv" <<'PY' && ok || bad "sweep over the fee: the pool fares worse at fee 5"
import csv, sys
pool = {}
for r in csv.DictReader(open(sys.argv[1])):
    if int(r["generation"]) >= 100:
        pool.setdefault(r["evolution.group.punishment.fee"], []).append(float(r["pool_punishers"]))
m = {k: sum(v) / len(v) for k, v in pool.items()}
assert set(m) == {"0", "5"} and m["0"] > m["5"] + 0.2, m
PY

# checkpoint and resume: stopped after its 2nd checkpoint and resumed, the same bytes
config true 60 2 >"$TMP/ck.yaml"
expect 0 "uninterrupted" -- "$DLM" run "$TMP/ck.yaml" --quiet --out "$TMP/whole.csv"
expect 143 "stopped after checkpoint 2" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2 "$DLM" run \
  "$TMP/ck.yaml" --quiet --out "$TMP/part.csv" --checkpoint "$TMP/ck.bin" --checkpoint-every 10
expect 0 "resumed" -- "$DLM" run "$TMP/ck.yaml" --quiet --out "$TMP/part.csv" --resume "$TMP/ck.bin" \
  --checkpoint-every 10
cmp -s "$TMP/whole.csv" "$TMP/part.csv" && ok || bad "resumed run differs from the uninterrupted one"

# refusals: exit 2, the reason named, nothing written
refuse() { # description, expected text, --set ...
  local what=$1 text=$2
  shift 2
  rm -f "$TMP/never.csv"
  expect 2 "$what" -- "$DLM" run "$TMP/short.yaml" --quiet --out "$TMP/never.csv" "$@"
  contains "$TMP/err" "$text" "$what: message"
  [ ! -e "$TMP/never.csv" ] && ok || bad "$what: nothing written"
}
refuse "risk game" "incentives .* are for the public goods game" \
  --set evolution.group.game=risk --set evolution.group.threshold=2
refuse "commons game" "evolution.group.punishment" --set evolution.group.game=commons
refuse "unknown key" "evolution.group.punishment" --set evolution.group.punishment.tax=1
refuse "negative fine" "evolution.group.punishment.fine" --set evolution.group.punishment.fine=-1
refuse "second_order not a bool" "second_order" --set evolution.group.punishment.second_order=maybe
sed '/punishment:/d' "$TMP/short.yaml" >"$TMP/bare.yaml"
expect 2 "punisher without the section" -- "$DLM" run "$TMP/bare.yaml" --quiet
contains "$TMP/err" "holds a punisher, rewarder or loner" "punisher without the section: message"
expect 2 "incentive on tft" -- "$DLM" run "$TMP/short.yaml" --quiet \
  --set 'evolution.mutation.set=[allc, tft+peer]'
contains "$TMP/err" "tft+peer" "incentive on tft: message"
expect 2 "punisher in the 2x2 game" -- "$DLM" run "$TMP/bare.yaml" --quiet \
  --set evolution.interaction=game --set evolution.group=null
finish
