#!/usr/bin/env bash
# test_asymmetric_cli.sh — asymmetric games from the command line: each player's own
# matrix in match, tournament and analyze outputs (payoffs computed by hand), refusals
# with exit 2 naming the key, and the Red King scenario (two sides evolving at their own
# rates) running as a sweep, its records carrying each side's role, rate, payoff and
# cooperation.
# usage: test_asymmetric_cli.sh path/to/dilemma path/to/configs
DLM=$1
CONFIGS=$2
. "$(dirname "$0")/testlib.sh"
B='game.B={R: 2, S: -1, T: 4, P: 0}'

# tft (A, pd) vs alld (B): A 0 + 9 * 1 = 9, B 4 + 9 * 0 = 4 over 10 rounds
expect 0 "asymmetric match" -- "$DLM" match tft alld --rounds 10 --set "$B" --format csv
contains "$TMP/out" "^seed,game,game_class,R,S,T,P,game_b,game_class_b,R_b,S_b,T_b,P_b,rounds" "csv names both matrices"
contains "$TMP/out" ",A,tft,.*,10,9,,0.9,,0.1," "A's total by pd"
contains "$TMP/out" ",B,alld,.*,10,4,,0.4,,0," "B's total by its own matrix"
expect 0 "asymmetric match table" -- "$DLM" match tft alld --rounds 10 --set "$B"
contains "$TMP/out" "player B: custom (R=2 S=-1 T=4 P=0" "the table names B's matrix"
expect 0 "asymmetric match json" -- "$DLM" match tft alld --rounds 10 --set "$B" --format json
contains "$TMP/out" '"game_b":{"name":"custom","class":"prisoners-dilemma","R":2,"S":-1,"T":4,"P":0}' "json game_b"
# a symmetric game has no B columns
expect 0 "symmetric match" -- "$DLM" match tft alld --rounds 10 --format csv
if grep -q "game_b" "$TMP/out"; then bad "a symmetric game grew B columns"; else ok; fi
# the tournament plays both roles: tft against alld (9 as A, -1 as B) / 20 = 0.4
expect 0 "asymmetric tournament" -- "$DLM" tournament --strategies tft,alld --repetitions 1 --rounds 10 --set "$B" --matrix
contains "$TMP/out" "tft .* 0.4000" "tft's cell over both roles"
expect 0 "asymmetric analyze" -- "$DLM" analyze tft tft --execution-error 0.1 --set "$B" --format json
contains "$TMP/out" '"long_run_payoff":\[2.25,1.25\]' "TFT pair under errors: each its own matrix's mean"
# refusals
expect 2 "game.B not a mapping" -- "$DLM" match tft alld --set game.B=3
contains "$TMP/err" "game.B: expected a mapping" "message names game.B"
expect 2 "unknown side key" -- "$DLM" tournament --set game.A.Q=1
contains "$TMP/err" "game.A.Q: unknown key" "message names game.A.Q"
expect 2 "asymmetric evolution without sides" -- "$DLM" run --set mode=evolve --set "$B"
contains "$TMP/err" "role A and role B" "message asks for sides"

# the Red King scenario, shortened: a sweep over the AIs' rate
expect 0 "red king sweep" -- "$DLM" sweep "$CONFIGS/scenarios/red_king.yaml" --quiet \
  --set evolution.populations=10 --set 'sweep.axes=[{key: evolution.classes.0.rate, values: [1, 8]}]'
contains "$TMP/out" "evolution.classes.0.rate,.*ai:role,ai:rate,human:role,human:rate" "sides' settings columns"
contains "$TMP/out" "ai:payoff_mean,ai:cooperation,human:agents,human:payoff_mean,human:cooperation" "per-side columns"
contains "$TMP/out" "^1,0,8,.*,A,8,B,1," "point 1 carries rate 8"
finish
