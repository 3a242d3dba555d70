#!/usr/bin/env bash
# test_evolve_cli.sh — evolution runs as a user starts them: stopping at fixation where it
# happens, records that carry their settings and load as they are, schedules (snapshots,
# wall clock) independent of recording, and input that must be refused up front with
# exit 2: runaway files, overflowing numbers, graphs too big to plan, clashing outputs.
# usage: test_evolve_cli.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$1
CONFIGS=$2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
py() { # py DESCRIPTION SCRIPT ARGS...: a Python check (json only; skipped without python)
  local what=$1
  shift
  [ -n "$PY" ] || { ok; return; }
  if "$PY" -c "$@" 2>"$TMP/pyerr"; then ok; else bad "$what"; sed 's/^/    /' "$TMP/pyerr" | tail -5; fi
}
export DLM_OPENCL_CACHE=0

# --- the README's fixation example: stops when the last population fixes --------------
cat >"$TMP/fix.yaml" <<'YAML'
mode: evolve
backend: cpu
match: {rounds: 10}
evolution:
  population: 20
  populations: 2000
  generations: 100000
  rule: moran-bd
  selection: 0.1
  initial:
    mutant: {resident: alld, mutant: tft, count: 1}
  stop: {fixation: true}
  record_every: 1000
YAML
expect 0 "fixation example" -- "$DLM" run "$TMP/fix.yaml" --format csv --out "$TMP/fix.csv"
py "the fixation example stops at its last fixation, well before generation 1000" '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["stopped"] == "fixation", s["stopped"]
assert s["populations_fixed"] == 2000
gens = [o["fixation_generation"] for o in s["outcomes"]]
assert max(gens) == s["generations"] < 1000, (max(gens), s["generations"])
assert any(g % 1000 for g in gens)
fr = s["fixation_fraction"]["tft"]
assert 0 < fr["fraction"] < 0.5 and abs(fr["se"] - (fr["fraction"] * (1 - fr["fraction"]) / 2000) ** 0.5) < 1e-12
assert s["final_cooperation"]["n"] == 2000 and s["final_cooperation"]["se"] > 0
assert s["settings"]["seed"] == 1 and s["settings"]["stop_at_fixation"] is True
' "$TMP/fix.csv.summary.json"
# one record per population at generation 0 and one at its fixation (one CSV table)
[ "$(wc -l <"$TMP/fix.csv")" -eq 4001 ] && ok || bad "fixation csv: $(wc -l <"$TMP/fix.csv") lines, expected 4001"
# the same fixations with a census every generation
expect 0 "fixation example, record_every 1" -- "$DLM" run "$TMP/fix.yaml" --set evolution.record_every=1 --format csv --out "$TMP/fix1.csv"
py "fixation generations do not depend on record_every" '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["outcomes"] == b["outcomes"]
' "$TMP/fix.csv.summary.json" "$TMP/fix1.csv.summary.json"

# --- records carry their settings; every format loads ----------------------------------
for fmt in csv json jsonl; do
  expect 0 "evolution as $fmt" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.generations=40 --set evolution.record_every=20 --format $fmt --out "$TMP/ns.$fmt"
done
head -1 "$TMP/ns.csv" | grep -q '^seed,game,game_class,R,S,T,P,rounds,continuation,rule,selection' && ok || bad "csv header carries the settings: $(head -1 "$TMP/ns.csv" | cut -c1-120)"
py "every csv row carries the seed and game" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3 and all(r["seed"] == "1993" and r["game_class"] == "prisoners-dilemma" for r in rows)
' "$TMP/ns.csv"
py "json is one document with its settings" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "evolution" and d["settings"]["seed"] == 1993 and len(d["records"]) == 3
assert d["summary"]["final_cooperation"]["n"] == 1
' "$TMP/ns.json"
py "jsonl: a settings record first, every record typed" '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[0]["type"] == "settings" and recs[0]["game"]["class"] == "prisoners-dilemma"
assert all("type" in r for r in recs) and recs[-1]["type"] == "summary"
' "$TMP/ns.jsonl"
# every example config's output loads as it is: csv with pandas.read_csv (or the csv
# module where pandas is absent), json with json.load, jsonl line by line
if [ -n "$PY" ] && "$PY" -c 'import pandas' 2>/dev/null; then have_pandas=1; else have_pandas=0; fi
for f in "$CONFIGS"/*.yaml; do
  name=$(basename "$f" .yaml)
  extra=()
  grep -q '^mode: evolve' "$f" && extra=(--set evolution.generations=4 --set evolution.record_every=2)
  for fmt in csv json jsonl; do
    expect 0 "$name as $fmt" -- "$DLM" run "$f" --backend cpu "${extra[@]}" --format $fmt --out "$TMP/$name.$fmt"
  done
  py "$name: every format loads as it is" '
import csv, json, sys
base, pandas_too = sys.argv[1], sys.argv[2] == "1"
if pandas_too:
    import pandas
    d = pandas.read_csv(base + ".csv", float_precision="round_trip")
    assert len(d) > 0 and "seed" in d.columns, d.columns
rows = list(csv.DictReader(open(base + ".csv")))
assert rows and all(None not in r and r["seed"] for r in rows)
doc = json.load(open(base + ".json"))
assert isinstance(doc, dict) and doc.get("type")
recs = [json.loads(l) for l in open(base + ".jsonl")]
assert recs and all(isinstance(r, dict) and "type" in r for r in recs)
' "$TMP/$name" "$have_pandas"
done
# doubles print as the shortest text that reads back
py "csv doubles are the shortest text that reads back (at most 15 digits when that does)" '
import csv, re, sys
def digits(t):
    m = re.match(r"-?([0-9.]+)", t).group(1).replace(".", "")
    return len(m.strip("0")) if m.strip("0") else 1
n = 0
for row in csv.reader(open(sys.argv[1])):
    for t in row:
        if re.fullmatch(r"-?[0-9.]+(e[-+]?[0-9]+)?", t) and "." in t:
            n += 1
            assert digits(t) <= max(15, digits(repr(float(t)))), t
assert n > 20, n
' "$TMP/ns.csv"

# --- schedules independent of recording ---------------------------------------------------
expect 0 "snapshot every 3, record every 4" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.generations=10 --set evolution.record_every=4 --set evolution.snapshot.every=3 --format csv --out "$TMP/sn.csv"
[ -s "$TMP/sn.csv.snapshot" ] && ok || bad "snapshot every 3 with record_every 4 wrote none"
py "the last snapshot is of generation 9" '
import struct, sys
h = open(sys.argv[1], "rb").read(64)
assert h[:7] == b"DLMSNAP" and struct.unpack_from("<Q", h, 32)[0] == 9, struct.unpack_from("<Q", h, 32)
' "$TMP/sn.csv.snapshot"
awk -F, 'NR > 1 { print $20 }' "$TMP/sn.csv" | sort -un | tr '\n' ' ' | grep -q '^0 4 8 10 $' && ok || bad "records at 0 4 8 10 only: $(awk -F, 'NR > 1 { print $20 }' "$TMP/sn.csv" | sort -un | tr '\n' ' ')"
expect 0 "wall clock with a census every 10^9 generations" -- timeout 120 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.generations=1e9 --set evolution.record_every=1e9 --set evolution.stop.wall_clock=1 --format jsonl --out "$TMP/wc.jsonl"
contains "$TMP/wc.jsonl.summary.json" '"stopped":"wall-clock"' "the wall-clock limit stops the run between censuses"
expect 2 "snapshot onto the records" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.snapshot.every=2 --set "evolution.snapshot.file=$TMP/same.csv" --out "$TMP/same.csv"
contains "$TMP/err" "evolution.snapshot.file: '$TMP/same.csv' is the records" "the clash is named"
[ -e "$TMP/same.csv" ] && bad "the refused run left a file" || ok
expect 2 "snapshot onto the summary" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.snapshot.every=2 --set "evolution.snapshot.file=$TMP/./x.csv.summary.json" --out "$TMP/x.csv"
contains "$TMP/err" "is the summary" "the summary clash is named"

# --- numbers, threads, graphs and files that must be refused up front -----------------------
expect 2 "payoff 1e308" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set game.R=1e308
contains "$TMP/err" "game.R: expected a finite number of magnitude at most 1e12" "the overflowing payoff is named"
expect 2 "threads 65536" -- "$DLM" match tft wsls --threads 65536
contains "$TMP/err" "threads 65536: expected an integer in \[0, 1024\]" "the thread range is named"
expect 0 "threads 1024 runs (capped, with a notice)" -- "$DLM" tournament --strategies tft,alld,wsls --threads 1024 --backend cpu --format csv
cp "$TMP/out" "$TMP/t1024"
contains "$TMP/err" "per core here" "the cap is noticed"
expect 0 "threads 1" -- "$DLM" tournament --strategies tft,alld,wsls --threads 1 --backend cpu --format csv
cmp -s "$TMP/out" "$TMP/t1024" && ok || bad "threads 1024 changed the output"
expect 2 "a complete Erdos-Renyi graph of 10^5 agents" -- timeout 60 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=100000 --set 'evolution.structure={type: erdos-renyi, p: 1}'
contains "$TMP/err" "MiB for the graphs" "the graph's memory is planned and named"
expect 2 "a random-regular graph of 200000 agents and degree 199998" -- timeout 60 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=200000 --set 'evolution.structure={type: random-regular, degree: 199998}'
contains "$TMP/err" "MiB for the graphs" "the random-regular graph's memory is planned"
expect 2 "a Barabasi-Albert graph of 200000 agents with m = 199990" -- timeout 60 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=200000 --set 'evolution.structure={type: barabasi-albert, m: 199990}'
contains "$TMP/err" "MiB for the graphs" "the Barabasi-Albert graph's memory is planned"
printf 'mode: match\000\n' >"$TMP/nul.yaml"
expect 2 "a config with a NUL byte" -- "$DLM" run "$TMP/nul.yaml"
expect 2 "edge list /dev/zero" -- timeout 60 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=10 --set 'evolution.structure={type: file, file: /dev/zero}'
contains "$TMP/err" "/dev/zero:1: a NUL byte" "the edge list's NUL is named"
expect 2 "start file /dev/zero" -- timeout 60 "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=10 --set 'evolution.initial={file: /dev/zero}'
contains "$TMP/err" "/dev/zero:1: a NUL byte" "the start file's NUL is named"
printf 'tft\000garbage\n' >"$TMP/tg.txt"
for i in 2 3 4 5 6 7 8 9 10; do echo tft >>"$TMP/tg.txt"; done
expect 2 "a start-file line 'tft\\0garbage'" -- "$DLM" run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.population=10 --set "evolution.initial={file: $TMP/tg.txt}"
contains "$TMP/err" "tg.txt:1: a NUL byte" "the line is named"

# --- write errors: a full device, a file-size limit ----------------------------------------
expect 1 "records to /dev/full" -- sh -c "\"$DLM\" run \"$CONFIGS/nowak_sigmund_1993.yaml\" --set evolution.generations=50 --set evolution.record_every=1 --format csv >/dev/full"
contains "$TMP/err" "writing the records failed: No space left on device" "a full device is reported"
# a file-size limit (SIGXFSZ ignored, so writes fail with EFBIG like a full disk)
expect 1 "records past a file-size limit" -- sh -c "trap '' XFSZ; ulimit -f 8; exec \"$DLM\" run \"$CONFIGS/nowak_sigmund_1993.yaml\" --set evolution.generations=200 --set evolution.record_every=1 --format csv --out \"$TMP/lim.csv\""
contains "$TMP/err" "writing the records failed: File too large" "the failed write is reported"
contains "$TMP/err" "lim.csv.partial" "the kept records are named"
[ -e "$TMP/lim.csv" ] && bad "a failed run left $TMP/lim.csv" || ok
[ "$(tail -c1 "$TMP/lim.csv.partial" | od -An -c | tr -d ' ')" = '\n' ] && ok || bad "the kept records do not end on a complete line"
py "the kept records load and are consecutive generations" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
g = [int(r["generation"]) for r in rows]
assert len(rows) > 5 and g == list(range(len(g))), g[-3:]
assert all(len(r) == len(rows[0]) and None not in r for r in rows)
' "$TMP/lim.csv.partial"


# --- representation and the Moran convention -----------------------------------------------
FIX="$TMP/fix.yaml"
cat >"$FIX" <<'YAML'
mode: evolve
match: {rounds: 20, execution_error: 0.01}
evolution:
  population: 20
  populations: 200
  generations: 100000
  rule: fermi
  payoff: exact
  initial: {mutant: {resident: tft, mutant: wsls}}
  stop: {fixation: true}
  record_every: 100000
YAML
expect 0 "a fixation question runs as counts" -- "$DLM" run "$FIX" --backend cpu --out "$TMP/fix_counts.jsonl"
contains "$TMP/err" "representation: counts of types" "the header says counts run"
expect 0 "representation agents runs agent by agent" -- "$DLM" run "$FIX" --backend cpu --set evolution.representation=agents --out "$TMP/fix_agents.jsonl"
contains "$TMP/err" "representation: agents" "the header says agents run"
expect 2 "counts on a ring" -- "$DLM" run "$FIX" --set evolution.representation=counts --set evolution.structure=ring
contains "$TMP/err" "evolution.representation: counts do not apply here: counts need one well-mixed" "the refusal names the reason"
expect 2 "counts with played noisy matches" -- "$DLM" run "$FIX" --set evolution.representation=counts --set evolution.payoff=played
contains "$TMP/err" "played payoffs of noisy or stochastic players" "played noisy payoffs are refused"
expect 2 "counts with continuous mutation" -- "$DLM" run "$FIX" --set evolution.representation=counts --set evolution.stop.fixation=false --set evolution.mutation.rate=0.01
contains "$TMP/err" "no finite set of types" "continuous mutation is refused"
expect 2 "moran_death with fermi" -- "$DLM" run "$FIX" --set evolution.moran_death=others
contains "$TMP/err" "evolution.moran_death: only moran-bd" "moran_death is moran-bd's"
expect 2 "moran_death any on a ring" -- "$DLM" run "$FIX" --set evolution.rule=moran-bd --set evolution.moran_death=any --set evolution.structure=ring
contains "$TMP/err" "for a well-mixed population" "any is for well-mixed populations"
expect 2 "moran_death maybe" -- "$DLM" run "$FIX" --set evolution.rule=moran-bd --set evolution.moran_death=maybe
contains "$TMP/err" "expected one of any, others" "the choices are named"
expect 0 "moran_death others on a ring" -- "$DLM" run "$FIX" --backend cpu --set evolution.rule=moran-bd --set evolution.moran_death=others --set evolution.structure=ring --set evolution.payoff=played --out "$TMP/ring.jsonl"

# --- the donation game with reputations (evolution.interaction: donation) --------------
REP="$CONFIGS/scenarios/reputation_norms.yaml"
rep=(run "$REP" --set sweep= --set evolution.generations=20 --set evolution.populations=2 --quiet)
expect 0 "donation: norm by name" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=stern-judging --out "$TMP/rep_a.csv"
expect 0 "donation: norm by bit code" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=0b1001 --out "$TMP/rep_b.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_b.csv" && ok || bad "donation: stern-judging and 0b1001 differ"
expect 0 "donation: L6" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=L6 --out "$TMP/rep_l6.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_l6.csv" && ok || bad "donation: L6 is not stern judging"
expect 0 "donation: third-order code" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=0b10011001 --out "$TMP/rep_l6b.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_l6b.csv" && ok || bad "donation: 0b10011001 is not stern judging"
expect 0 "donation: image scoring" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=image-scoring --out "$TMP/rep_c.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_c.csv" && bad "donation: the norm changes nothing" || ok
contains "$TMP/rep_a.csv" "count:disc" "donation: the census counts the action rules"
# the good fraction streamed: discriminators under stern judging with assessment error
# e2 = 0.1 and no execution error are good with probability 1 - e2 each generation,
# independently (tests/test_reputation.c): 10 generations of 2000, SE sqrt(0.09 / 20000)
expect 0 "donation: good fraction" -- "$DLM" "${rep[@]}" --set evolution.population=2000 --set evolution.populations=1 --set evolution.generations=10 --set evolution.record_every=1 --set 'evolution.initial={shares: [{strategy: disc, share: 1}]}' --set evolution.mutation.rate=0 --set evolution.reputation.execution_error=0 --set evolution.reputation.assessment_error=0.1 --out "$TMP/rep_g.csv"
py "donation: good fraction 0.9 within 4 SE" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
g = [float(r["good"]) for r in rows if int(r["generation"]) > 0]
assert float(rows[0]["good"]) == 1.0 and len(g) == 10, rows[0]
m = sum(g) / len(g)
assert abs(m - 0.9) <= 4 * (0.09 / 20000) ** 0.5, m
' "$TMP/rep_g.csv"
# standings live in the agents' records, so a checkpoint carries them: stopped and resumed,
# the same bytes
"$DLM" "${rep[@]}" --set evolution.generations=40 --out "$TMP/rep_ref.csv" 2>/dev/null
expect 143 "donation: stopped after a checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" "${rep[@]}" --set evolution.generations=40 --out "$TMP/rep_r.csv" --checkpoint "$TMP/rep.ckpt" --checkpoint-every 7
expect 0 "donation: resumed" -- "$DLM" "${rep[@]}" --set evolution.generations=40 --out "$TMP/rep_r.csv" --checkpoint-every 7 --resume "$TMP/rep.ckpt"
cmp -s "$TMP/rep_ref.csv" "$TMP/rep_r.csv" && ok || bad "donation: the resumed run differs"
# the asynchronous rules: a generation's first event runs the assessment step, its events
# read; stopped and resumed at a checkpoint, the same bytes; one thread or two, the same
for rule in moran-bd moran-db fermi; do
  expect 0 "donation: $rule" -- "$DLM" "${rep[@]}" --set evolution.rule=$rule --set evolution.selection=0.2 --out "$TMP/rep_$rule.csv"
  cmp -s "$TMP/rep_a.csv" "$TMP/rep_$rule.csv" && bad "donation: $rule is fermi-sync" || ok
done
"$DLM" "${rep[@]}" --set evolution.rule=moran-db --set evolution.selection=0.2 --set evolution.generations=30 --out "$TMP/rep_aref.csv" 2>/dev/null
expect 143 "donation, moran-db: stopped after a checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" "${rep[@]}" --set evolution.rule=moran-db --set evolution.selection=0.2 --set evolution.generations=30 --out "$TMP/rep_ar.csv" --checkpoint "$TMP/rep_a.ckpt" --checkpoint-every 7
expect 0 "donation, moran-db: resumed" -- "$DLM" "${rep[@]}" --set evolution.rule=moran-db --set evolution.selection=0.2 --set evolution.generations=30 --out "$TMP/rep_ar.csv" --checkpoint-every 7 --resume "$TMP/rep_a.ckpt"
cmp -s "$TMP/rep_aref.csv" "$TMP/rep_ar.csv" && ok || bad "donation, moran-db: the resumed run differs"
expect 0 "donation, fermi, private, 1 thread" -- "$DLM" "${rep[@]}" --backend cpu --threads 1 --set evolution.rule=fermi --set evolution.reputation.assessment=private --set evolution.reputation.observe=0.6 --out "$TMP/rep_t1.csv"
expect 0 "donation, fermi, private, 2 threads" -- "$DLM" "${rep[@]}" --backend cpu --threads 2 --set evolution.rule=fermi --set evolution.reputation.assessment=private --set evolution.reputation.observe=0.6 --out "$TMP/rep_t2.csv"
cmp -s "$TMP/rep_t1.csv" "$TMP/rep_t2.csv" && ok || bad "donation, fermi, private: threads change the bytes"
# direct and indirect reciprocity: IPD strategies play the donation game in encounters
DIR="$CONFIGS/scenarios/reputation_direct.yaml"
dir=(run "$DIR" --set sweep= --set evolution.generations=20 --set evolution.populations=2 --quiet)
expect 0 "donation, encounters: tft, tft@good, disc, allc, alld" -- "$DLM" "${dir[@]}" --out "$TMP/dir_a.csv"
contains "$TMP/dir_a.csv" "count:tft@good" "donation, encounters: the census counts tft@good"
expect 0 "donation, encounters: wsls@shun and gtft" -- "$DLM" "${dir[@]}" --set 'evolution.initial={shares: [{strategy: wsls@shun, share: 0.5}, {strategy: gtft, share: 0.5}]}' --set 'evolution.mutation.set=[wsls@shun, gtft]' --out "$TMP/dir_b.csv"
expect 0 "donation, encounters: repeat 0.9" -- "$DLM" "${dir[@]}" --set evolution.reputation.repeat=0.9 --out "$TMP/dir_c.csv"
cmp -s "$TMP/dir_a.csv" "$TMP/dir_c.csv" && bad "donation, encounters: repeat changes nothing" || ok
expect 2 "donation, encounters: a machine" -- "$DLM" "${dir[@]}" --set 'evolution.initial={shares: [{strategy: tf2t, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "memory-one IPD strategies" "donation, encounters: non-memory-one refused"
expect 2 "donation, encounters: unknown modifier" -- "$DLM" "${dir[@]}" --set 'evolution.initial={shares: [{strategy: tft@nice, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "after @ comes good" "donation, encounters: modifier named"
expect 2 "tft@good in the iterated game" -- "$DLM" run "$CONFIGS/scenarios/interaction_selection.yaml" --set sweep= --set 'evolution.initial={shares: [{strategy: tft@good, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "tft@good is an action rule of the donation game" "tft@good refused in the game"
expect 2 "donation, encounters: repeat 1.5" -- "$DLM" "${dir[@]}" --set evolution.reputation.repeat=1.5 --out "$TMP/rep_x.csv"
contains "$TMP/err" "evolution.reputation.repeat" "donation: repeat range named"
# norms as traits: private assessment, each agent judging by its own norm
own=(--set evolution.reputation.assessment=private --set evolution.population=60 --set 'evolution.initial={shares: [{strategy: disc/stern-judging, share: 0.5}, {strategy: disc/image-scoring, share: 0.5}]}' --set 'evolution.mutation.set=[disc/stern-judging, disc/image-scoring, alld/L1]')
expect 0 "donation: norms as traits" -- "$DLM" "${rep[@]}" "${own[@]}" --out "$TMP/own.csv"
contains "$TMP/own.csv" "count:disc/image-scoring" "donation: the census counts each rule/norm"
expect 2 "donation: norms as traits under public assessment" -- "$DLM" "${rep[@]}" "${own[@]}" --set evolution.reputation.assessment=public --out "$TMP/rep_x.csv"
contains "$TMP/err" "need private assessment" "donation: own norms need private assessment"
expect 2 "donation: unknown norm after /" -- "$DLM" "${rep[@]}" "${own[@]}" --set 'evolution.initial={shares: [{strategy: disc/strict, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "after / comes a norm" "donation: the norm after / named"
expect 2 "donation: a norm on a machine" -- "$DLM" "${rep[@]}" "${own[@]}" --set 'evolution.initial={shares: [{strategy: tf2t/L1, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "a norm goes with a donation-game rule" "donation: norm on a machine refused"
expect 2 "donation: counts" -- "$DLM" "${rep[@]}" --set evolution.rule=moran-bd --set evolution.selection=0.2 --set evolution.representation=counts --out "$TMP/rep_x.csv"
contains "$TMP/err" "keeps each agent's standing" "donation: counts refused with the reason"
expect 2 "donation: not the donation game" -- "$DLM" "${rep[@]}" --set game.preset=snowdrift --out "$TMP/rep_x.csv"
contains "$TMP/err" "donation needs game" "donation: other game refused"
expect 2 "donation: unknown norm" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=0b102 --out "$TMP/rep_x.csv"
contains "$TMP/err" "unknown norm '0b102'" "donation: bad norm named"
expect 2 "donation: an IPD strategy" -- "$DLM" "${rep[@]}" --set 'evolution.initial={shares: [{strategy: tft, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "set evolution.reputation.repeat" "donation: IPD strategy without encounters refused"
expect 2 "disc in the iterated game" -- "$DLM" run "$CONFIGS/scenarios/interaction_selection.yaml" --set sweep= --set 'evolution.initial={shares: [{strategy: disc, share: 1}]}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "disc is an action rule of the donation game" "disc refused in the game"
expect 2 "reputation without donation" -- "$DLM" run "$CONFIGS/scenarios/interaction_selection.yaml" --set sweep= --set 'evolution.reputation={norm: shunning}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "reputations belong to the donation game" "reputation without donation refused"
expect 2 "donation: strategy costs" -- "$DLM" "${rep[@]}" --set 'evolution.cost={allc: 0.1}' --out "$TMP/rep_x.csv"
contains "$TMP/err" "strategy costs are for the iterated game" "donation: costs refused"
# private assessment: the streamed good is the mean of the N x N views; discriminators under
# stern judging, q = 1, e2 = 0.1, no execution error, one round: after generation 0 every
# view is good with probability 0.9 independently (tests/test_reputation.c), SE 0.3 / N
prv=(--set evolution.reputation.assessment=private --set evolution.population=300 --set evolution.populations=1 --set evolution.record_every=1 --set match.rounds=1 --set 'evolution.initial={shares: [{strategy: disc, share: 1}]}' --set evolution.mutation.rate=0 --set evolution.reputation.execution_error=0 --set evolution.reputation.assessment_error=0.1)
expect 0 "donation, private: good fraction" -- "$DLM" "${rep[@]}" "${prv[@]}" --set evolution.generations=2 --out "$TMP/rep_p.csv"
py "donation, private: good 0.9 within 4 SE after one generation" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert float(rows[0]["good"]) == 1.0, rows[0]
g = float(rows[1]["good"])
assert int(rows[1]["generation"]) == 1 and abs(g - 0.9) <= 4 * 0.3 / 300, g
' "$TMP/rep_p.csv"
expect 0 "donation, private, q = 0.5" -- "$DLM" "${rep[@]}" --set evolution.reputation.assessment=private --set evolution.reputation.observe=0.5 --out "$TMP/rep_q.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_q.csv" && bad "donation: private is public" || ok
expect 0 "donation: observe ignored under public" -- "$DLM" "${rep[@]}" --set evolution.reputation.observe=0.5 --set evolution.reputation.norm=stern-judging --out "$TMP/rep_o.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_o.csv" && ok || bad "donation: observe changed a public run"
expect 2 "donation: observe out of range" -- "$DLM" "${rep[@]}" --set evolution.reputation.observe=1.5 --out "$TMP/rep_x.csv"
contains "$TMP/err" "evolution.reputation.observe" "donation: bad observe named"
expect 0 "donation: perception error" -- "$DLM" "${rep[@]}" --set evolution.reputation.norm=stern-judging --set evolution.reputation.perception_error=0.1 --out "$TMP/rep_e3.csv"
cmp -s "$TMP/rep_a.csv" "$TMP/rep_e3.csv" && bad "donation: the perception error changes nothing" || ok
expect 0 "donation, private: empathy" -- "$DLM" "${rep[@]}" --set evolution.reputation.assessment=private --set evolution.reputation.observe=0.5 --set evolution.reputation.empathy=0.5 --out "$TMP/rep_em.csv"
cmp -s "$TMP/rep_q.csv" "$TMP/rep_em.csv" && bad "donation, private: empathy changes nothing" || ok
# checkpoints carry the private views: stopped and resumed, the same bytes (CPU, OpenCL)
for be in cpu opencl; do
prc=("${rep[@]}" --backend "$be" --set evolution.reputation.assessment=private --set evolution.reputation.observe=0.7 --set evolution.reputation.empathy=0.2 --set evolution.generations=40)
"$DLM" "${prc[@]}" --out "$TMP/rep_pref.csv" 2>/dev/null
expect 143 "donation, private ($be): stopped after a checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" "${prc[@]}" --out "$TMP/rep_pr.csv" --checkpoint "$TMP/rep_p.ckpt" --checkpoint-every 7
expect 0 "donation, private ($be): resumed" -- "$DLM" "${prc[@]}" --out "$TMP/rep_pr.csv" --checkpoint-every 7 --resume "$TMP/rep_p.ckpt"
cmp -s "$TMP/rep_pref.csv" "$TMP/rep_pr.csv" && ok || bad "donation, private ($be): the resumed run differs"
rm -f "$TMP/rep_p.ckpt"
done
# a checkpoint of a public run does not resume a private one
expect 143 "donation: public checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=1:TERM "$DLM" "${rep[@]}" --set evolution.generations=40 --out "$TMP/rep_r2.csv" --checkpoint "$TMP/rep_pub.ckpt" --checkpoint-every 7
expect 2 "donation: a public checkpoint for a private run" -- "$DLM" "${rep[@]}" --set evolution.generations=40 --set evolution.reputation.assessment=private --out "$TMP/rep_r2.csv" --checkpoint-every 7 --resume "$TMP/rep_pub.ckpt"
expect 2 "donation, private: views too large" -- "$DLM" "${rep[@]}" --set evolution.reputation.assessment=private --set evolution.population=60000 --set evolution.populations=1000 --out "$TMP/rep_x.csv"
contains "$TMP/err" "bits of views" "donation, private: memory refused with the numbers"
expect 2 "donation, private: N x rounds past 2^29" -- "$DLM" "${rep[@]}" --set evolution.reputation.assessment=private --set evolution.population=70000 --set evolution.populations=1 --set match.rounds=7670 --set evolution.structure.partners=4 --out "$TMP/rep_x.csv"
contains "$TMP/err" "below 2^29 = 536870912" "donation, private: the N x rounds bound named"
contains "$TMP/err" "70000 agents x 7670 rounds = 536900000" "donation, private: the N x rounds bound with the numbers"
[ -e "$TMP/rep_x.csv" ] && bad "a refused donation run left its output" || ok

# --- N-player group games (evolution.interaction: group) -------------------------------
GRP="$CONFIGS/scenarios/collective_risk.yaml"
grp=(run "$GRP" --set sweep= --set evolution.generations=30 --set evolution.populations=2 --set evolution.record_every=10 --quiet)
expect 0 "group: collective risk" -- "$DLM" "${grp[@]}" --out "$TMP/grp_a.csv"
contains "$TMP/grp_a.csv" "count:allc" "group: the census counts the contribution rules"
expect 0 "group: public goods" -- "$DLM" "${grp[@]}" --set evolution.group.game=pgg --out "$TMP/grp_b.csv"
cmp -s "$TMP/grp_a.csv" "$TMP/grp_b.csv" && bad "group: the game changes nothing" || ok
expect 0 "group: conditional cooperators, iterated, execution error" -- "$DLM" "${grp[@]}" --set match.rounds=5 --set evolution.group.execution_error=0.05 --set 'evolution.mutation.set=[allc, alld, "cc(3)"]' --out "$TMP/grp_c.csv"
contains "$TMP/grp_c.csv" 'count:cc(3)' "group: cc(3) counted"
nosize=(--set 'evolution.group={game: risk, b: 1, c: 0.1, threshold: 3, risk: 0.5}')
expect 0 "group: SSP 2008 groups on a lattice" -- "$DLM" "${grp[@]}" "${nosize[@]}" --set 'evolution.structure={type: lattice, width: 10, height: 5, neighbourhood: von-neumann}' --set evolution.rule=fermi-sync --out "$TMP/grp_l.csv"
expect 0 "group: sweep over group.r" -- "$DLM" sweep "$GRP" --set evolution.generations=10 --set evolution.populations=2 --set evolution.group.game=pgg --set 'sweep.axes=[{key: evolution.group.r, values: [2, 5]}]' --out "$TMP/grp_s.csv" --quiet
contains "$TMP/grp_s.csv" "evolution.group.r" "group: the swept key is a column"
# a stopped and resumed run gives the same bytes
"$DLM" "${grp[@]}" --set evolution.generations=40 --out "$TMP/grp_ref.csv" 2>/dev/null
expect 143 "group: stopped after a checkpoint" -- env DLM_TEST_STOP_AFTER_CHECKPOINTS=2:TERM "$DLM" "${grp[@]}" --set evolution.generations=40 --out "$TMP/grp_r.csv" --checkpoint "$TMP/grp.ckpt" --checkpoint-every 7
expect 0 "group: resumed" -- "$DLM" "${grp[@]}" --set evolution.generations=40 --out "$TMP/grp_r.csv" --checkpoint-every 7 --resume "$TMP/grp.ckpt"
cmp -s "$TMP/grp_ref.csv" "$TMP/grp_r.csv" && ok || bad "group: the resumed run differs"
expect 2 "group: threshold missing" -- "$DLM" "${grp[@]}" --set 'evolution.group={game: risk, size: 6}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "needs its threshold M" "group: risk without M refused"
expect 2 "group: threshold above the size" -- "$DLM" "${grp[@]}" --set evolution.group.threshold=7 --out "$TMP/grp_x.csv"
contains "$TMP/err" "can never be reached" "group: M > n refused"
expect 2 "group: size on a graph" -- "$DLM" "${grp[@]}" --set 'evolution.structure={type: ring, k: 2}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "leave group.size out" "group: size on a graph refused"
expect 2 "group: a self-loop" -- "$DLM" "${grp[@]}" "${nosize[@]}" --set 'evolution.structure={type: lattice, width: 10, height: 5, self: true}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "without self-loops" "group: self-loops refused"
expect 2 "group: an IPD strategy" -- "$DLM" "${grp[@]}" --set 'evolution.mutation.set=[tft, alld]' --out "$TMP/grp_x.csv"
contains "$TMP/err" "contribution rules allc, alld and cc(k)" "group: IPD strategy refused"
expect 2 "cc(k) in the iterated game" -- "$DLM" run "$CONFIGS/scenarios/interaction_selection.yaml" --set sweep= --set 'evolution.initial={shares: [{strategy: "cc(2)", share: 1}]}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "is a contribution rule of the group games" "cc refused in the game"
expect 2 "group without interaction group" -- "$DLM" run "$CONFIGS/scenarios/interaction_selection.yaml" --set sweep= --set 'evolution.group={size: 3}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "group settings belong to the group games" "group without group refused"
expect 2 "group: unknown interaction" -- "$DLM" "${grp[@]}" --set evolution.interaction=commons --out "$TMP/grp_x.csv"
contains "$TMP/err" "game, donation, group" "group: the kinds are named"
expect 2 "group: sampled partners" -- "$DLM" "${grp[@]}" --set 'evolution.structure={type: well-mixed, partners: 3}' --out "$TMP/grp_x.csv"
contains "$TMP/err" "leave partners out" "group: partners refused"
expect 2 "group: exact payoffs" -- "$DLM" "${grp[@]}" --set evolution.payoff=exact --out "$TMP/grp_x.csv"
expect 2 "group: sides" -- "$DLM" "${grp[@]}" --set 'evolution.classes=[{name: a, share: 0.5, role: A}, {name: b, share: 0.5, role: B}]' --out "$TMP/grp_x.csv"
contains "$TMP/err" "group runs without sides" "group: sides refused"
expect 2 "group: bad cc" -- "$DLM" "${grp[@]}" --set 'evolution.mutation.set=[allc, "cc(x)"]' --out "$TMP/grp_x.csv"
contains "$TMP/err" "cc needs one argument" "group: bad cc named"
[ -e "$TMP/grp_x.csv" ] && bad "a refused group run left its output" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

