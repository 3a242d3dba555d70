#!/usr/bin/env bash
# compare_builds.sh OLD NEW — runs two dilemma binaries on the same work and compares
# every byte they write: each example config in configs/ (in every output format, on the
# cpu backend, evolutions shortened to a few generations), and every `dilemma ...` line
# of the README's code blocks except `bench` (its figures are timings). A refactoring
# that is meant to change nothing must print "identical" for every line.
# usage: scripts/compare_builds.sh path/to/old/dilemma path/to/new/dilemma
set -u
OLD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the runs happen in other folders
NEW=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export DLM_OPENCL_CACHE=0
same=0
differ=0

# compare NAME ARGS...: runs both binaries with ARGS in fresh folders, compares stdout,
# stderr (with the binary's path blanked), the exit code and every file written.
compare() {
  local name=$1 bin side
  shift
  for side in old new; do
    bin=$OLD
    [ $side = new ] && bin=$NEW
    rm -rf "$TMP/$side" && mkdir -p "$TMP/$side" && cd "$TMP/$side" || exit 1
    ln -s "$ROOT/configs" configs # README commands name configs/... relative to the root
    "$bin" "$@" >stdout 2>stderr
    echo "exit $?" >>stdout
    sed -i "s|$bin|dilemma|g" stderr
    sed -i -E "/^dilemma sweep: [0-9]+\/[0-9]+ runs, /d" stderr # progress lines: timings
    cd "$ROOT" || exit 1
  done
  if diff -r --no-dereference "$TMP/old" "$TMP/new" >"$TMP/diff" 2>&1; then
    same=$((same + 1))
    echo "identical  $name"
  else
    differ=$((differ + 1))
    echo "DIFFERENT  $name"
    head -20 "$TMP/diff" | sed 's/^/    /'
  fi
}

for f in "$ROOT"/configs/*.yaml; do
  base=$(basename "$f" .yaml)
  extra=()
  grep -q '^mode: evolve' "$f" && extra=(--set evolution.generations=6 --set evolution.record_every=2)
  for fmt in table csv jsonl json; do
    compare "$base ($fmt)" run "$f" --backend cpu --format $fmt "${extra[@]}" --out "out.$fmt"
  done
done
compare "run (the built-in scenario)" run --backend cpu
# the README's commands, as written (bench excluded: timings)
grep -E '^dilemma [a-z]' "$ROOT/README.md" | sed 's/ *#.*$//' | grep -v -e '^dilemma bench' -e '\$' | sort -u |
  while read -r line; do echo "$line"; done >"$TMP/readme"
while read -r line; do
  # shellcheck disable=SC2086 # the line is split as the shell would split it
  eval "set -- ${line#dilemma }"
  compare "README: $line" "$@"
done <"$TMP/readme"
echo "$same identical, $differ different"
[ "$differ" -eq 0 ]
