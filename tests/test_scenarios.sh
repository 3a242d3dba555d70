#!/usr/bin/env bash
# test_scenarios.sh — every shipped config runs: configs/*.yaml and configs/*/*.yaml, a
# config with a sweep section through `dilemma sweep`, any other through `dilemma run`,
# each into a file that must exist, be non-empty and hold records. The scenario configs
# (configs/scenarios/) must also name the command that runs them in their header comment.
#
# (A design measured by evolving populations, analyze.design.evolve: true, counts as an
# evolution here.)
# usage: test_scenarios.sh path/to/dilemma path/to/configs [full|quick]
#   full  (Release): every config as shipped, except that an evolution of more than
#         $CAP generations is cut to $CAP (configs/nowak_sigmund_1993.yaml: 3000);
#   quick (sanitizer builds): every config validated and run small, with --set overrides:
#         match.rounds=20, match.repetitions=20, evolution.generations=2,
#         evolution.populations=2, sweep.replicates=1, and a grid of 8 points for the
#         exact sweep of 324 (scenarios/fast_slow_exact.yaml).
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CONFIGS=$(cd "$2" && pwd)
MODE=${3:-full}
CAP=300
export DLM_OPENCL_CACHE=0
run_quiet=()
"$DLM" run --help 2>&1 | grep -q -- '--quiet' && run_quiet=(--quiet)

n=0
for f in "$CONFIGS"/*.yaml "$CONFIGS"/*/*.yaml; do
  [ -e "$f" ] || continue
  rel=${f#"$CONFIGS"/}
  n=$((n + 1))
  out="$TMP/run$n.csv"
  extra=()
  if grep -q '^mode: *evolve' "$f" || grep -q '^ \{1,\}evolve: *true' "$f"; then
    if [ "$MODE" = quick ]; then
      extra+=(--set evolution.generations=2 --set evolution.populations=2)
    else
      g=$(sed -n 's/^ \{1,\}generations: *\([0-9][0-9]*\) *\(#.*\)\{0,1\}$/\1/p' "$f" | head -1)
      [ -n "$g" ] && [ "$g" -gt "$CAP" ] && extra+=(--set evolution.generations=$CAP)
    fi
  fi
  if [ "$MODE" = quick ]; then
    extra+=(--set match.rounds=20 --set match.repetitions=20)
    case $rel in
      scenarios/fast_slow_exact.yaml)
        extra+=(--set 'sweep.axes=[{key: players.0.strategy, values: [tft, gtft]}, {key: players.1.strategy, values: [wsls]}, {key: players.1.reaction_period, values: [1, 3]}, {key: match.execution_error, values: [0, 0.05]}]') ;;
    esac
  fi
  if grep -q '^sweep:' "$f"; then
    [ "$MODE" = quick ] && extra+=(--set sweep.replicates=1)
    expect 0 "dilemma sweep $rel" -- "$DLM" sweep "$f" --quiet --backend cpu "${extra[@]}" --out "$out"
    head -1 "$out" 2>/dev/null | grep -q '^point,replicate,' && ok || bad "$rel: the sweep's records are not led by point, replicate"
  else
    expect 0 "dilemma run $rel" -- "$DLM" run "$f" "${run_quiet[@]}" --backend cpu "${extra[@]}" --out "$out"
  fi
  [ -s "$out" ] && [ "$(wc -l <"$out")" -ge 2 ] && ok || bad "$rel: no records in the output"
  case $rel in
    scenarios/*)
      grep -q "^#.*dilemma \(sweep\|run\) configs/$rel" "$f" && ok || bad "$rel: its header does not give the command that runs it (dilemma sweep|run configs/$rel)"
      grep -q "^# What to look for" "$f" && ok || bad "$rel: its header does not say what to look for" ;;
  esac
done
[ "$n" -ge 12 ] && ok || bad "only $n configs found in $CONFIGS"
[ -n "$(ls "$CONFIGS"/scenarios/*.yaml 2>/dev/null)" ] && ok || bad "no scenario configs in $CONFIGS/scenarios"

finish
