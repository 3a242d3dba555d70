#!/usr/bin/env bash
# test_progress.sh — the progress line of a long single run (issue #12 item 6): an
# evolution counts generations, a tournament matches, on stderr only, ending at the total;
# --quiet turns it off; and the line changes nothing in the output (a tournament with a
# progress line is played in slices of its matches, an evolution gets more boundaries).
# DLM_PROGRESS_DELAY=0 shows the line at once (a single run waits 2 s otherwise).
# usage: test_progress.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$1
CONFIGS=$2
export DLM_PROGRESS_DELAY=0

# a tournament of 105,000 matches: two slices of at least 2^16
T=(tournament --strategies tft,alld,allc,wsls,gtft,grim --repetitions 5000 --rounds 20 --execution-error 0.05 --backend cpu)
expect 0 "a tournament with a progress line" -- "$DLM" "${T[@]}" --format csv
cp "$TMP/out" "$TMP/t_line.csv"
contains "$TMP/err" "^dilemma tournament: 105000/105000 matches, .* matches/s, .* s elapsed, 0 s left$" "the last line counts every match"
[ "$(grep -c '^dilemma tournament:' "$TMP/err")" -ge 2 ] && ok || bad "the line shows the slices: $(cat "$TMP/err")"
expect 0 "the same tournament, --quiet" -- "$DLM" "${T[@]}" --format csv --quiet
[ ! -s "$TMP/err" ] && ok || bad "--quiet prints: $(head -2 "$TMP/err")"
cmp -s "$TMP/out" "$TMP/t_line.csv" && ok || bad "a tournament played in slices differs"
expect 0 "a small tournament, default delay" -- env -u DLM_PROGRESS_DELAY "$DLM" tournament --strategies tft,alld --backend cpu
[ ! -s "$TMP/err" ] && ok || bad "a short run prints a progress line: $(head -2 "$TMP/err")"

# an evolution: generations
E=(run "$CONFIGS/nowak_sigmund_1993.yaml" --set evolution.generations=60 --set evolution.population=30 --backend cpu --format csv)
expect 0 "an evolution with a progress line" -- "$DLM" "${E[@]}"
cp "$TMP/out" "$TMP/e_line.csv"
contains "$TMP/err" "^dilemma run: 60/60 generations, .* generations/s" "the last line counts every generation"
expect 0 "the same evolution, --quiet" -- "$DLM" "${E[@]}" --quiet
grep -q "^dilemma run:" "$TMP/err" && bad "--quiet prints a progress line" || ok
cmp -s "$TMP/out" "$TMP/e_line.csv" && ok || bad "an evolution with a progress line differs"
expect 2 "--quiet is not an option of match" -- "$DLM" match --quiet
finish
