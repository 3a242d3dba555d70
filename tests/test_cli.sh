#!/usr/bin/env bash
# test_cli.sh — the `dilemma` command line as a user runs it: every subcommand, every
# output format, exit codes (0 ok, 2 usage/config error), same seed -> same bytes,
# thread count -> same bytes, atomic --out, and every example config in configs/.
# usage: test_cli.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$1
CONFIGS=$2
PY=$(command -v /usr/bin/python3 || command -v python3 || true)


lacks() { # lacks FILE TEXT DESCRIPTION
  if grep -q -- "$2" "$1"; then bad "$3: '$2' in output"; sed 's/^/    /' "$1" | head -5; else ok; fi
}
# csv_get FILE ROW COLUMN: the value in data row ROW (1 = first) under header COLUMN
# (for tables whose fields hold no commas).
csv_get() {
  awk -F, -v r="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
                               NR == r + 1 && k { print $k }' "$1"
}
is() { # is ACTUAL EXPECTED DESCRIPTION
  if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', expected '$2'"; fi
}
json_ok() { # json_ok FILE DESCRIPTION [jsonl]
  [ -n "$PY" ] || { ok; return; }
  if [ "${3:-}" = jsonl ]; then
    "$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$1" 2>"$TMP/pyerr" && ok || { bad "$2: not JSON lines"; cat "$TMP/pyerr"; }
  else
    "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>"$TMP/pyerr" && ok || { bad "$2: not JSON"; cat "$TMP/pyerr"; }
  fi
}

# --- the default scenario and help --------------------------------------------------
expect 0 "run (default scenario)" -- "$DLM" run
contains "$TMP/out" "rank" "default scenario prints a ranking"
contains "$TMP/out" "wsls" "default scenario includes wsls"
expect 0 "--help" -- "$DLM" --help
contains "$TMP/out" "tournament" "--help lists commands"
for c in run match tournament analyze strategies devices bench; do
  expect 0 "$c --help" -- "$DLM" "$c" --help
  contains "$TMP/out" "usage" "$c --help shows usage"
done
expect 2 "no command" -- "$DLM"
expect 2 "unknown command" -- "$DLM" frobnicate
contains "$TMP/err" "unknown command" "unknown command named"

# --- match ---------------------------------------------------------------------------
expect 0 "match" -- "$DLM" match tft wsls --rounds 200 --execution-error 0.01
contains "$TMP/out" "per round" "match table"
expect 0 "match json" -- "$DLM" match tft wsls --rounds 200 --execution-error 0.01 --format json
json_ok "$TMP/out" "match json"
for k in total_payoff mean_payoff cooperation_rate '"rounds":200'; do contains "$TMP/out" "$k" "match json has $k"; done
expect 0 "match noiseless exact" -- "$DLM" match tft alld --rounds 200 --format csv
is "$(csv_get "$TMP/out" 1 strategy),$(csv_get "$TMP/out" 1 total_payoff)" "tft,199" "tft scores 199 against alld"
is "$(csv_get "$TMP/out" 2 strategy),$(csv_get "$TMP/out" 2 total_payoff)" "alld,204" "alld scores 204 against tft"
expect 0 "match per-player timescales" -- "$DLM" match tft alt --rounds 12 --reaction-period 3,1 --observation-delay 0,0 --trace --format csv
contains "$TMP/out" "reaction_period" "csv header"
expect 0 "match inline strategies" -- "$DLM" match "m1(1,1,0,1,0)" "fsm(C:0:1,D:0:1)" --rounds 50 --perception-error 0.05 --format jsonl
json_ok "$TMP/out" "match jsonl" jsonl
expect 0 "match geometric" -- "$DLM" match wsls gtft --continuation 0.99 --format json
json_ok "$TMP/out" "geometric match json"
expect 2 "match one strategy" -- "$DLM" match tft
expect 2 "match bad strategy" -- "$DLM" match tft nosuch
contains "$TMP/err" "nosuch" "bad strategy named"
expect 2 "match bad probability" -- "$DLM" match tft wsls --execution-error 1.5
contains "$TMP/err" "--execution-error 1.5" "bad probability names the option"
expect 2 "match with the donation game's action rule" -- "$DLM" match disc tft
contains "$TMP/err" "an action rule of the donation game" "says what disc is"
expect 2 "tournament with a group game's contribution rule" -- "$DLM" tournament --strategies 'cc(2),tft'
contains "$TMP/err" "a contribution rule of the group games" "says what cc(k) is"
expect 2 "match bad rounds" -- "$DLM" match tft wsls --rounds 0
expect 2 "match unknown option" -- "$DLM" match tft wsls --roundz 5
contains "$TMP/err" "roundz" "unknown option named"
expect 2 "match option without value" -- "$DLM" match tft wsls --rounds

# same seed, same bytes; another seed, other bytes; threads change nothing
"$DLM" match gtft wsls --rounds 1000 --execution-error 0.05 --seed 9 --format json >"$TMP/s1"
"$DLM" match gtft wsls --rounds 1000 --execution-error 0.05 --seed 9 --format json >"$TMP/s2"
"$DLM" match gtft wsls --rounds 1000 --execution-error 0.05 --seed 10 --format json >"$TMP/s3"
cmp -s "$TMP/s1" "$TMP/s2" && ok || bad "same seed gave different match output"
cmp -s "$TMP/s1" "$TMP/s3" && bad "different seeds gave the same match output" || ok

# --- tournament ----------------------------------------------------------------------
expect 0 "tournament" -- "$DLM" tournament --strategies tft,alld,wsls --rounds 200
contains "$TMP/out" "payoff matrix" "tournament table has the matrix"
expect 0 "tournament json" -- "$DLM" tournament --strategies "tft,alld,wsls,m1(0.5,0.9,0.1,0.6,0.3)" --rounds 200 --execution-error 0.01 --format json
json_ok "$TMP/out" "tournament json"
for k in '"strategies"' '"payoff_matrix"' '"ranking"'; do contains "$TMP/out" "$k" "tournament json has $k"; done
expect 0 "tournament jsonl" -- "$DLM" tournament --strategies tft,alld,wsls --format jsonl
json_ok "$TMP/out" "tournament jsonl" jsonl
expect 0 "tournament csv" -- "$DLM" tournament --strategies tft,alld,wsls --no-self-play --format csv
contains "$TMP/out" ",rank,strategy," "tournament csv header"
"$DLM" tournament --strategies tft,wsls,gtft,random,grim --execution-error 0.02 --repetitions 5 --threads 1 --format json >"$TMP/t1"
"$DLM" tournament --strategies tft,wsls,gtft,random,grim --execution-error 0.02 --repetitions 5 --threads 2 --format json >"$TMP/t2"
sed -i 's/"backend":"[^"]*"//' "$TMP/t1" "$TMP/t2"
cmp -s "$TMP/t1" "$TMP/t2" && ok || bad "thread count changed tournament output"
expect 2 "tournament one strategy" -- "$DLM" tournament --strategies tft
expect 2 "tournament per-player pair" -- "$DLM" tournament --strategies tft,alld --execution-error 0.1,0.2

# --- analyze -------------------------------------------------------------------------
expect 0 "analyze" -- "$DLM" analyze tft alld --execution-error 0.01
contains "$TMP/out" "stationary" "analyze prints the stationary distribution"
expect 0 "analyze json" -- "$DLM" analyze wsls gtft --execution-error 0.01 --perception-error 0.02 --format json
json_ok "$TMP/out" "analyze json"
expect 0 "analyze noiseless" -- "$DLM" analyze tft alld --rounds 200 --format csv
is "$(csv_get "$TMP/out" 1 strategy),$(csv_get "$TMP/out" 1 long_run_payoff),$(csv_get "$TMP/out" 1 expected_total_payoff)" "tft,1,199" "analyze: tft gets 199 over 200 rounds against alld"
expect 2 "analyze non-memory-one" -- "$DLM" analyze grim tft
contains "$TMP/err" "memory-one" "analyze explains it needs memory-one"
expect 0 "analyze with reaction periods and a delay (the chain of the timescales)" -- "$DLM" analyze tft wsls --reaction-period 3,1 --observation-delay 0,1 --execution-error 0.01 --format json
contains "$TMP/out" '"chain_states":9216' "analyze with timescales names its chain"
expect 2 "analyze with a chain too large" -- "$DLM" analyze tft wsls --reaction-period 7,5 --observation-delay 4,0
contains "$TMP/err" "states; the exact analysis takes at most" "the chain's size is named"
# many pairs in one process: every ordered pair of a set, or --pairs two by two; each
# pair's rows are the single pair's rows after the sweep's columns
expect 0 "analyze a set" -- "$DLM" analyze tft alld wsls --execution-error 0.01,0.02 --format csv
cp "$TMP/out" "$TMP/set.csv"
is "$(($(wc -l <"$TMP/set.csv") - 1))" "18" "analyze a set of 3: 9 ordered pairs, 2 rows each"
expect 0 "analyze one pair" -- "$DLM" analyze wsls alld --execution-error 0.01,0.02 --format csv
is "$(grep '^7,0,wsls,alld,' "$TMP/set.csv" | cut -d, -f5- | head -2)" "$(tail -n +2 "$TMP/out")" "analyze a set: pair (wsls, alld) as on its own"
expect 0 "analyze --pairs" -- "$DLM" analyze --pairs tft alld 'm1(1,1,0,0,1)' gtft --format jsonl
is "$(grep -c '"type":"exact"' "$TMP/out")" "2" "analyze --pairs: one record per pair"
contains "$TMP/out" '"players.0.strategy":"m1(1,1,0,0,1)","players.1.strategy":"gtft"' "analyze --pairs: the second pair"
expect 2 "analyze --pairs odd" -- "$DLM" analyze --pairs tft alld wsls
contains "$TMP/err" "two by two" "analyze --pairs: an odd count refused"
expect 2 "analyze a set with a bad strategy" -- "$DLM" analyze tft alld nonesuch
contains "$TMP/err" "nonesuch" "analyze a set: the bad strategy named"

# --- strategies and devices ------------------------------------------------------------
expect 0 "strategies" -- "$DLM" strategies
n=$(grep -c "cite:" "$TMP/out")
[ "$n" -ge 24 ] && ok || bad "strategies lists $n entries (< 24)"
expect 0 "strategies json" -- "$DLM" strategies --format json
json_ok "$TMP/out" "strategies json"
expect 0 "strategies one" -- "$DLM" strategies gtft
contains "$TMP/out" "gtft" "strategies gtft"
expect 2 "strategies unknown" -- "$DLM" strategies nosuch
expect 0 "devices" -- "$DLM" devices
contains "$TMP/out" "cpu" "devices lists the cpu"

# --- configs, --set and errors ---------------------------------------------------------
for f in "$CONFIGS"/*.yaml; do
  short=()
  if grep -q "^mode: evolve" "$f"; then  # the classic experiments, cut short
    short=(--set evolution.generations=6 --set evolution.record_every=3)
  fi
  expect 0 "config $(basename "$f")" -- "$DLM" run "$f" --set output.format=json "${short[@]}"
  json_ok "$TMP/out" "config $(basename "$f") json"
done

# --- evolution ---------------------------------------------------------------------------
evo=(run --set mode=evolve --set evolution.population=30 --set evolution.generations=20
     --set evolution.populations=3 --set evolution.rule=fermi --set match.rounds=20
     --set match.execution_error=0.02 --set evolution.mutation.rate=0.01
     --set evolution.mutation.kind=random-memory-one)
expect 0 "evolve jsonl" -- "$DLM" "${evo[@]}" --format jsonl
json_ok "$TMP/out" "evolve jsonl" jsonl
[ "$(grep -c '"type":"generation"' "$TMP/out")" -eq 63 ] && ok || bad "evolve: expected 3 x 21 generation records"
contains "$TMP/out" '"type":"summary"' "evolve jsonl ends with a summary"
contains "$TMP/err" "MiB" "evolve prints its memory needs first"
"$DLM" "${evo[@]}" --format csv --threads 1 >"$TMP/e1" 2>/dev/null
"$DLM" "${evo[@]}" --format csv --threads 2 >"$TMP/e2" 2>/dev/null
cmp -s "$TMP/e1" "$TMP/e2" && ok || bad "thread count changed evolution output"
head -1 "$TMP/e1" | grep -q "generation,population,cooperation" && ok || bad "evolve csv header"
expect 0 "evolve --out" -- "$DLM" "${evo[@]}" --format csv --out "$TMP/evo.csv"
[ -s "$TMP/evo.summary.json" ] || [ -s "$TMP/evo.csv.summary.json" ] && ok || bad "evolve --out wrote no summary"
json_ok "$TMP/evo.csv.summary.json" "evolve summary json"
expect 0 "evolve snapshot" -- "$DLM" "${evo[@]}" --set evolution.snapshot.every=10 --set evolution.snapshot.file="$TMP/snap.bin" --format csv
[ "$(stat -c %s "$TMP/snap.bin" 2>/dev/null)" = "$((64 + 90 * 88))" ] && ok || bad "snapshot size: expected 64 + 90 x 88 bytes"
expect 2 "evolve unknown rule" -- "$DLM" run --set mode=evolve --set evolution.rule=moran-xx
contains "$TMP/err" "evolution.rule" "unknown rule names the key"
expect 2 "evolve too big" -- "$DLM" run --set mode=evolve --set evolution.population=4000000000
contains "$TMP/err" "evolution.population" "too big names the key"
expect 2 "evolve memory refused" -- "$DLM" run --set mode=evolve --set evolution.population=1000000000 --set evolution.populations=4 --backend cpu
contains "$TMP/err" "MiB" "memory refusal gives the numbers"
printf 'mode: match\nmatch:\n  rounds: 100\n  executon_error: 0.1\n' >"$TMP/typo.yaml"
expect 2 "config typo" -- "$DLM" run "$TMP/typo.yaml"
contains "$TMP/err" "executon_error" "typo named"
contains "$TMP/err" "typo.yaml:4" "typo's file and line"
printf 'mode: match\nmatch: {rounds: -3}\n' >"$TMP/neg.yaml"
expect 2 "negative rounds" -- "$DLM" run --config "$TMP/neg.yaml"
contains "$TMP/err" "rounds" "negative rounds named"
expect 2 "missing config" -- "$DLM" run "$TMP/does-not-exist.yaml"
expect 2 "bad --set" -- "$DLM" run --set match.rounds=abc
contains "$TMP/err" "match.rounds" "--set error names the key"
expect 0 "--set override" -- "$DLM" run --set tournament.strategies=[tft,alld] --set tournament.repetitions=1 --format csv
[ "$(wc -l <"$TMP/out")" -eq 3 ] && ok || bad "--set strategies: expected header + 2 rows"

# --- games ---------------------------------------------------------------------------------
expect 0 "pd breaking T > R" -- "$DLM" match tft alld --set game.preset=pd --set game.R=6 --rounds 10
contains "$TMP/err" "T > R" "warning names T > R"
expect 0 "pd breaking 2R > T + S" -- "$DLM" match tft alld --set game.preset=pd --set game.T=7 --rounds 10
contains "$TMP/err" "2R > T + S" "warning names 2R > T + S"
expect 0 "a custom game is not checked as a pd" -- "$DLM" match tft alld --set game.R=1 --set game.S=0 --set game.T=1.85 --set game.P=0 --rounds 10 --backend cpu
[ -s "$TMP/err" ] && bad "warning for a custom game: $(cat "$TMP/err")" || ok
expect 0 "a proper pd has no warning" -- "$DLM" match tft alld --rounds 10 --backend cpu
[ -s "$TMP/err" ] && bad "warning for the standard pd: $(cat "$TMP/err")" || ok
expect 0 "donation game" -- "$DLM" match tft wsls --set game.preset=donation --set game.b=3 --set game.c=1 --format json
contains "$TMP/out" '"R":2' "donation game R = b - c"
expect 2 "unknown preset" -- "$DLM" match tft wsls --set game.preset=chicken
contains "$TMP/err" "stag-hunt" "unknown preset lists the allowed ones"

# --- output files are atomic -------------------------------------------------------------
expect 0 "--out" -- "$DLM" match tft wsls --out "$TMP/result.json" --format json
[ -s "$TMP/result.json" ] && ok || bad "--out wrote nothing"
json_ok "$TMP/result.json" "--out json"
ls "$TMP" | grep -q '\.tmp\.' && bad "temporary file left behind" || ok
expect 2 "failed run leaves no file" -- "$DLM" match tft nosuch --out "$TMP/none.json"
[ -e "$TMP/none.json" ] && bad "a failed run left an output file" || ok
expect 2 "unwritable --out (a usage error, found before any work)" -- "$DLM" match tft wsls --out "$TMP/no/such/dir/x.json"

# --- every record carries its settings ----------------------------------------------------
settings="seed,game,game_class,R,S,T,P,rounds,continuation"
expect 0 "match csv settings" -- "$DLM" match tft wsls --rounds 50 --execution-error 0.01,0.05 --reaction-period 1,3 --seed 5 --format csv
contains "$TMP/out" "^$settings," "match csv starts with the settings"
is "$(csv_get "$TMP/out" 1 seed),$(csv_get "$TMP/out" 1 game_class),$(csv_get "$TMP/out" 1 rounds)" "5,prisoners-dilemma,50" "match csv: seed, class, rounds"
is "$(csv_get "$TMP/out" 1 execution_error),$(csv_get "$TMP/out" 1 opponent_execution_error),$(csv_get "$TMP/out" 2 reaction_period)" "0.01,0.05,3" "match csv: per-player noise and timescales"
expect 0 "match csv geometric" -- "$DLM" match tft wsls --continuation 0.99 --format csv
is "$(csv_get "$TMP/out" 1 continuation)" "0.99" "match csv: the continuation"
expect 0 "tournament csv settings" -- "$DLM" tournament --strategies tft,alld --execution-error 0.02 --rounds 20 --format csv
contains "$TMP/out" "^$settings,repetitions,self_play,rank" "tournament csv starts with the settings"
is "$(csv_get "$TMP/out" 2 execution_error)" "0.02" "tournament csv: each entrant's noise"
expect 0 "analyze csv settings" -- "$DLM" analyze tft wsls --execution-error 0.01 --format csv
contains "$TMP/out" "^$settings,player" "analyze csv starts with the settings"
expect 0 "tournament jsonl settings" -- "$DLM" tournament --strategies tft,alld --rounds 20 --format jsonl
[ "$(grep -c '"seed":1,"game":{"name":"pd","class":"prisoners-dilemma"' "$TMP/out")" -eq "$(wc -l <"$TMP/out")" ] && ok || bad "tournament jsonl: a record without its settings"
expect 0 "tournament table names its noise" -- "$DLM" tournament --strategies tft,alld --rounds 20 --execution-error 0.02 --perception-error 0.01 --reaction-period 2
contains "$TMP/out" "noise: execution error 0.02, perception error 0.01, reaction period 2, observation delay 0" "tournament header: noise"
expect 0 "tournament table without noise" -- "$DLM" tournament --strategies tft,alld --rounds 20
contains "$TMP/out" "noise: none" "tournament header: no noise"

# --- uncertainty ----------------------------------------------------------------------------
expect 0 "tournament standard errors" -- "$DLM" tournament --strategies tft,wsls,alld --execution-error 0.05 --repetitions 8 --rounds 50 --format csv
se=$(csv_get "$TMP/out" 1 mean_payoff_se)
[ -n "$se" ] && awk -v s="$se" 'BEGIN { exit !(s > 0 && s < 1) }' && ok || bad "tournament csv: mean_payoff_se '$se'"
expect 0 "tournament table standard errors" -- "$DLM" tournament --strategies tft,wsls,alld --execution-error 0.05 --repetitions 8 --rounds 50
contains "$TMP/out" "s.e." "tournament table: standard errors"
expect 0 "tournament --per-repetition" -- "$DLM" tournament --strategies tft,wsls,alld --execution-error 0.05 --repetitions 4 --rounds 50 --per-repetition --format csv
[ "$(wc -l <"$TMP/out")" -eq 13 ] && ok || bad "per-repetition csv: expected a header and 4 x 3 rows"
contains "$TMP/out" ",repetition,strategy," "per-repetition csv header"
"$DLM" match gtft wsls --execution-error 0.05 --format csv >"$TMP/m1"
expect 0 "match --repetitions 1" -- "$DLM" match gtft wsls --execution-error 0.05 --repetitions 1 --format csv
cmp -s "$TMP/m1" "$TMP/out" && ok || bad "match --repetitions 1 changed the output"
is "$(csv_get "$TMP/m1" 1 mean_payoff_se)" "" "match: one repetition has no standard error"
expect 0 "match --repetitions 30" -- "$DLM" match gtft wsls --execution-error 0.05 --repetitions 30 --format csv
is "$(csv_get "$TMP/out" 1 repetitions)" "30" "match csv: repetitions"
[ -n "$(csv_get "$TMP/out" 1 mean_payoff_se)" ] && [ -n "$(csv_get "$TMP/out" 2 cooperation_rate_se)" ] && ok || bad "match --repetitions 30: standard errors missing"
[ "$(csv_get "$TMP/out" 1 mean_payoff)" != "$(csv_get "$TMP/m1" 1 mean_payoff)" ] && ok || bad "match --repetitions 30: the same mean as one match"
expect 0 "match --repetitions table" -- "$DLM" match gtft wsls --execution-error 0.05 --repetitions 30
contains "$TMP/out" "30 repetitions" "match table: repetitions"
expect 2 "match --repetitions 0" -- "$DLM" match tft wsls --repetitions 0
contains "$TMP/err" "--repetitions 0" "match --repetitions 0 named"
expect 2 "match --trace with repetitions" -- "$DLM" match tft wsls --repetitions 3 --trace

# --- formats that load as they are ------------------------------------------------------------
expect 0 "match --trace json" -- "$DLM" match tft alt --rounds 10 --trace --format json
json_ok "$TMP/out" "match --trace json is one document"
[ -n "$PY" ] && { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["trace"]) == 10' "$TMP/out" && ok || bad "match --trace json: no trace array of 10 rounds"; }
expect 0 "match --trace csv" -- "$DLM" match tft alt --rounds 10 --trace --format csv
[ "$(wc -l <"$TMP/out")" -eq 11 ] && ok || bad "match --trace csv: expected one header and 10 rows"
[ "$(grep -c "^$settings" "$TMP/out")" -eq 1 ] && ok || bad "match --trace csv: more than one table"
contains "$TMP/out" ",round,a_intended," "match --trace csv: the trace table"
expect 0 "match --trace FILE" -- "$DLM" match tft alt --rounds 10 --trace "$TMP/trace.csv" --format csv
[ "$(wc -l <"$TMP/out")" -eq 3 ] && ok || bad "match --trace FILE: the summary table expected"
[ "$(wc -l <"$TMP/trace.csv")" -eq 11 ] && ok || bad "match --trace FILE: the trace file"
expect 0 "match --trace before the strategies" -- "$DLM" match --trace tft alt --rounds 4
contains "$TMP/out" "saw-B" "match --trace tft alt: tft is a strategy"
expect 0 "match jsonl records" -- "$DLM" match tft alt --rounds 5 --trace --format jsonl
json_ok "$TMP/out" "match --trace jsonl" jsonl
[ "$(grep -c '^{"type":"' "$TMP/out")" -eq 6 ] && ok || bad "match jsonl: every record has a type"
expect 0 "tournament --matrix" -- "$DLM" tournament --strategies tft,alld,wsls --rounds 20 --matrix --format csv
contains "$TMP/out" ",row,column,.*,mean_payoff,mean_payoff_se$" "tournament --matrix: long-form header"
[ "$(wc -l <"$TMP/out")" -eq 10 ] && ok || bad "tournament --matrix: 9 cells expected"
expect 0 "tournament --matrix FILE" -- "$DLM" tournament --strategies tft,alld --rounds 20 --matrix "$TMP/matrix.csv" --no-self-play --format csv
contains "$TMP/out" ",rank,strategy," "tournament --matrix FILE: the ranking stays"
[ "$(wc -l <"$TMP/matrix.csv")" -eq 3 ] && ok || bad "tournament --matrix FILE: 2 cells expected"
expect 2 "csv with two extra tables" -- "$DLM" tournament --strategies tft,alld --matrix --per-repetition --format csv
for ext in csv json jsonl; do
  expect 0 "--out .$ext" -- "$DLM" match tft wsls --rounds 10 --out "$TMP/ext.$ext"
done
head -1 "$TMP/ext.csv" | grep -q "^$settings" && ok || bad "--out .csv: not csv"
json_ok "$TMP/ext.json" "--out .json"
json_ok "$TMP/ext.jsonl" "--out .jsonl" jsonl
expect 0 "--out .txt" -- "$DLM" match tft wsls --rounds 10 --out "$TMP/ext.txt"
contains "$TMP/ext.txt" "^match: " "--out .txt: a table"
expect 0 "--out .csv --format table" -- "$DLM" match tft wsls --rounds 10 --out "$TMP/t.csv" --format table
contains "$TMP/t.csv" "^match: " "--format wins over the extension"
expect 0 "strategies csv" -- "$DLM" strategies --format csv
[ -n "$PY" ] && { "$PY" -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); assert len(rows) > 24 and all(len(r) == 5 for r in rows), [r for r in rows if len(r) != 5][:2]' "$TMP/out" && ok || bad "strategies csv: not 5 fields a row"; }
expect 0 "strategies inline json" -- "$DLM" strategies tft "m1(1,0,1,0,1)" --format json
json_ok "$TMP/out" "strategies with an inline form, json"
expect 0 "strategies --out" -- "$DLM" strategies --out "$TMP/s.jsonl"
json_ok "$TMP/s.jsonl" "strategies --out .jsonl" jsonl
src=$(dirname "$CONFIGS")
if grep -rn '%\.17g' "$src/host/output" "$src/host/run" "$src/host/cli" >"$TMP/g"; then bad "doubles printed with %.17g: $(head -3 "$TMP/g")"; else ok; fi

# --- distinct labels ---------------------------------------------------------------------------
printf 'mode: tournament\nmatch: {rounds: 20}\ntournament:\n  repetitions: 1\n  strategies: [tft, {strategy: tft, execution_error: 0.1}, {strategy: tft, reaction_period: 10}, {strategy: tft, execution_error: 0.1, perception_error: 0.05}, tft, "m1(0.123456,0.9,0.1,0.6,0.3)", {strategy: "m1(0.123456,0.9,0.1,0.6,0.3)", observation_delay: 2}]\n' >"$TMP/labels.yaml"
expect 0 "distinct labels" -- "$DLM" run "$TMP/labels.yaml" --format json
[ -n "$PY" ] && { "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))["strategies"]
want = ["tft", "tft[e=0.1]", "tft[k=10]", "tft[e=0.1,p=0.05]", "tft#2", "m1(0.123456,0.9,0.1,0.6,0.3)", "m1(0.123456,0.9,0.1,0.6,0.3)[d=2]"]
assert s == want, s' "$TMP/out" && ok || bad "tournament labels are not distinct as built from what differs"; }
expect 0 "distinct labels table" -- "$DLM" run "$TMP/labels.yaml"
for l in 'tft\[e=0.1,p=0.05\]' 'tft#2' 'm1(0.123456,0.9,0.1,0.6,0.3)\[d=2\]'; do
  [ "$(grep -c -- "$l" "$TMP/out")" -eq 2 ] && ok || bad "table: '$l' not in full in both the ranking and the matrix"
done

# --- errors in the user's terms, and per-command help ----------------------------------------
expect 2 "match bad strategy B" -- "$DLM" match tft x
contains "$TMP/err" "strategy B 'x'" "match: the bad strategy argument named"
lacks "$TMP/err" "--set" "match: no internal rewrite in the message"
expect 2 "match bad strategy with per-player noise" -- "$DLM" match x tft --execution-error 0.1,0.2
contains "$TMP/err" "strategy A 'x'" "match: strategy A named"
lacks "$TMP/err" "players" "match: no players list in the message"
expect 2 "analyze bad strategy" -- "$DLM" analyze tft x
contains "$TMP/err" "strategy B 'x'" "analyze: the bad strategy argument named"
expect 2 "tournament bad strategy" -- "$DLM" tournament --strategies tft,x,alld
contains "$TMP/err" "--strategies: strategy 2 'x'" "tournament: the bad strategy named"
lacks "$TMP/err" "--set" "tournament: no internal rewrite in the message"
expect 2 "match bad rounds named" -- "$DLM" match tft wsls --rounds 0
contains "$TMP/err" "--rounds 0" "--rounds named"
lacks "$TMP/err" "--set" "--rounds: no internal rewrite"
expect 2 "match bad per-player value" -- "$DLM" match tft wsls --execution-error 0.1,2
contains "$TMP/err" "--execution-error 0.1,2: player B" "per-player value named"
expect 2 "match takes no --strategies" -- "$DLM" match tft wsls --strategies a,b
contains "$TMP/err" "not an option of match" "tournament option refused by match"
expect 2 "analyze takes no --trace" -- "$DLM" analyze tft wsls --trace
"$DLM" match --help >"$TMP/h"
for o in --strategies --self-play --no-self-play --matrix --per-repetition; do lacks "$TMP/h" "$o" "match --help lists $o"; done
"$DLM" tournament --help >"$TMP/h"
for o in --trace; do lacks "$TMP/h" "$o" "tournament --help lists $o"; done
lacks "$TMP/h" "EA,EB" "tournament --help offers per-player values"
"$DLM" analyze --help >"$TMP/h"
for o in --trace --repetitions --backend --threads --strategies --seed; do lacks "$TMP/h" "$o" "analyze --help lists $o"; done
"$DLM" strategies --help >"$TMP/h"
for o in --rounds --backend --execution-error; do lacks "$TMP/h" "$o" "strategies --help lists $o"; done

# --- the game class in headers and records ----------------------------------------------------
chicken=(--set game.R=3 --set game.S=0 --set game.T=5 --set game.P=-10)
expect 0 "match names the class" -- "$DLM" match tft alld "${chicken[@]}" --rounds 10
contains "$TMP/out" "game custom (R=3 S=0 T=5 P=-10; chicken (snowdrift, hawk-dove))" "match header: game class"
expect 0 "tournament names the class" -- "$DLM" tournament --strategies tft,alld "${chicken[@]}" --rounds 10
contains "$TMP/out" "chicken (snowdrift, hawk-dove)" "tournament header: game class"
expect 0 "analyze names the class" -- "$DLM" analyze tft alld "${chicken[@]}"
contains "$TMP/out" "chicken (snowdrift, hawk-dove)" "analyze header: game class"
expect 0 "analyze json names the class" -- "$DLM" analyze tft alld "${chicken[@]}" --format json
contains "$TMP/out" '"class":"chicken"' "analyze json: game class"
expect 0 "match csv names the class" -- "$DLM" match tft alld "${chicken[@]}" --rounds 10 --format csv
is "$(csv_get "$TMP/out" 1 game),$(csv_get "$TMP/out" 1 game_class)" "custom,chicken" "match csv: game and class"

# --- no hidden defaults ------------------------------------------------------------------------
expect 0 "bare run: the built-in scenario" -- "$DLM" run --format csv --threads 2
is "$(csv_get "$TMP/out" 1 seed),$(csv_get "$TMP/out" 1 execution_error)" "2026,0.02" "bare run: the default scenario's seed and noise"
expect 0 "run --set: the documented defaults" -- "$DLM" run --set tournament.repetitions=1 --format csv
is "$(csv_get "$TMP/out" 1 seed),$(csv_get "$TMP/out" 1 execution_error),$(csv_get "$TMP/out" 1 repetitions)" "1,0,1" "run --set: no noise, seed 1"
[ "$(wc -l <"$TMP/out")" -eq 9 ] && ok || bad "run --set: the 8 documented default entrants expected"
expect 0 "run --seed: the documented defaults" -- "$DLM" run --seed 7 --set tournament.repetitions=1
contains "$TMP/out" "seed 7" "run --seed: the seed in the header"
contains "$TMP/out" "noise: none" "run --seed: no noise in the header"
lacks "$TMP/out" "built-in default scenario" "run --seed: not the built-in scenario"

# --- the OpenCL backend, where it runs: the same bytes as the CPU ---------------------------
if "$DLM" devices | grep -q "^opencl  available"; then
  strip_backend() { sed 's/"backend":"[^"]*"//' "$1"; }
  "$DLM" match gtft "fsm(C:0:1,D:2:1,D:0:1)" --rounds 500 --execution-error 0.03 --perception-error 0.02 --reaction-period 2,1 --observation-delay 0,3 --seed 4 --format json --backend cpu >"$TMP/m_cpu"
  expect 0 "match --backend opencl" -- "$DLM" match gtft "fsm(C:0:1,D:2:1,D:0:1)" --rounds 500 --execution-error 0.03 --perception-error 0.02 --reaction-period 2,1 --observation-delay 0,3 --seed 4 --format json --backend opencl
  contains "$TMP/out" '"backend":"opencl' "the opencl backend ran the match"
  cmp -s <(strip_backend "$TMP/m_cpu") <(strip_backend "$TMP/out") && ok || bad "match: opencl and cpu outputs differ"
  "$DLM" run "$CONFIGS/axelrod_noise.yaml" --set tournament.repetitions=2 --format json --backend cpu >"$TMP/t_cpu"
  expect 0 "tournament --backend opencl" -- "$DLM" run "$CONFIGS/axelrod_noise.yaml" --set tournament.repetitions=2 --format json --backend opencl --platform 0 --device 0
  cmp -s <(strip_backend "$TMP/t_cpu") <(strip_backend "$TMP/out") && ok || bad "tournament: opencl and cpu outputs differ"
  printf 'mode: evolve\nseed: 11\ngame: {preset: pd}\nmatch: {rounds: 20, execution_error: 0.02}\nevolution:\n  population: 30\n  populations: 3\n  generations: 20\n  rule: moran-bd\n  selection: 0.5\n  structure: {type: well-mixed, partners: 4}\n  mutation: {rate: 0.05, kind: random-memory-one}\n  initial: {random: true}\n  record_every: 5\n' >"$TMP/evo.yaml"
  "$DLM" run "$TMP/evo.yaml" --format jsonl --backend cpu >"$TMP/e_cpu" 2>/dev/null
  expect 0 "evolve --backend opencl" -- "$DLM" run "$TMP/evo.yaml" --format jsonl --backend opencl
  [ -s "$TMP/out" ] && cmp -s "$TMP/e_cpu" "$TMP/out" && ok || bad "evolution: opencl and cpu records differ"
  expect 2 "--platform out of range" -- "$DLM" match tft wsls --backend opencl --platform 99
  contains "$TMP/err" "platform" "bad --platform named"
  expect 2 "--device not a number" -- "$DLM" match tft wsls --backend opencl --device x
fi

# --- the CUDA backend, where it runs: the same bytes as the CPU -----------------------------
if "$DLM" devices | grep -q "^cuda    available"; then
  strip_backend() { sed 's/"backend":"[^"]*"//' "$1"; }
  "$DLM" match gtft "fsm(C:0:1,D:2:1,D:0:1)" --rounds 500 --execution-error 0.03 --perception-error 0.02 --reaction-period 2,1 --observation-delay 0,3 --seed 4 --format json --backend cpu >"$TMP/m_cpu"
  expect 0 "match --backend cuda" -- "$DLM" match gtft "fsm(C:0:1,D:2:1,D:0:1)" --rounds 500 --execution-error 0.03 --perception-error 0.02 --reaction-period 2,1 --observation-delay 0,3 --seed 4 --format json --backend cuda
  contains "$TMP/out" '"backend":"cuda' "the cuda backend ran the match"
  cmp -s <(strip_backend "$TMP/m_cpu") <(strip_backend "$TMP/out") && ok || bad "match: cuda and cpu outputs differ"
  "$DLM" run "$CONFIGS/axelrod_noise.yaml" --set tournament.repetitions=2 --format json --backend cpu >"$TMP/t_cpu"
  expect 0 "tournament --backend cuda" -- "$DLM" run "$CONFIGS/axelrod_noise.yaml" --set tournament.repetitions=2 --format json --backend cuda --device 0
  cmp -s <(strip_backend "$TMP/t_cpu") <(strip_backend "$TMP/out") && ok || bad "tournament: cuda and cpu outputs differ"
  printf 'mode: evolve\nseed: 11\ngame: {preset: pd}\nmatch: {rounds: 20, execution_error: 0.02}\nevolution:\n  population: 30\n  populations: 3\n  generations: 20\n  rule: moran-bd\n  selection: 0.5\n  structure: {type: well-mixed, partners: 4}\n  mutation: {rate: 0.05, kind: random-memory-one}\n  initial: {random: true}\n  record_every: 5\n' >"$TMP/evo_cu.yaml"
  "$DLM" run "$TMP/evo_cu.yaml" --format jsonl --backend cpu >"$TMP/e_cpu" 2>/dev/null
  expect 0 "evolve --backend cuda" -- "$DLM" run "$TMP/evo_cu.yaml" --format jsonl --backend cuda
  [ -s "$TMP/out" ] && cmp -s "$TMP/e_cpu" "$TMP/out" && ok || bad "evolution: cuda and cpu records differ"
  expect 2 "cuda --device out of range" -- "$DLM" match tft wsls --backend cuda --device 99
  contains "$TMP/err" "device" "bad --device named"
fi

# --- bench ---------------------------------------------------------------------------------
expect 0 "bench (quick)" -- "$DLM" bench --quick
contains "$TMP/out" "matches reference" "bench checks against the reference"
contains "$TMP/out" "answer: WSLS fixes in a fraction" "bench fixation gives its answer"
contains "$TMP/out" "runs/s" "bench fixation counts runs"
contains "$TMP/out" "assessments/s" "bench reputation counts assessments"
contains "$TMP/out" "bytes/s of views moved" "bench reputation gives the bytes moved"
expect 0 "bench sweep (quick)" -- "$DLM" bench --quick --workload sweep --backend cpu
contains "$TMP/out" "one command is .*x the process per run" "bench sweep compares one command with a process per run"
expect 2 "bench bad option" -- "$DLM" bench --pairs zero

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
