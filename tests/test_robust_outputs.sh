#!/usr/bin/env bash
# test_robust_outputs.sh — nothing lost, nothing crashes (issue #10): every write checked
# (a full device, a file-size limit), special output paths written as streams and never
# replaced (/dev/null, /dev/stdout, '-', a FIFO; a symlink written through), outputs
# opened before any work, signals that leave no temporary file and a partial record file
# that ends on a complete record, with exit status 128 + signal.
# usage: test_robust_outputs.sh path/to/dilemma path/to/configs
set -u
. "$(dirname "$0")/testlib.sh"
DLM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the tests run in other folders
CONFIGS=$(cd "$2" && pwd)
no_temp() { # no_temp DIR DESCRIPTION: no temporary file left in DIR
  if ls "$1" | grep -q '\.tmp\.'; then bad "$2: left $(ls "$1" | grep '\.tmp\.')"; else ok; fi
}
EVO="$CONFIGS/nowak_sigmund_1993.yaml"
cd "$TMP" || exit 1

# --- standard output is checked for every command ---------------------------------------
for args in "match tft wsls" "tournament --strategies tft,alld" "analyze tft wsls" "strategies" \
            "devices" "run $EVO --set evolution.generations=3"; do
  # shellcheck disable=SC2086
  expect 1 "$args > /dev/full" -- sh -c "exec \"$DLM\" $args >/dev/full"
  contains "$TMP/err" "writing .* failed: No space left on device" "$args: the lost output is reported"
done

# --- special output paths: written as streams, never replaced ------------------------------
if [ "$(id -u)" -eq 0 ]; then device_note="(as root)"; else device_note=""; fi
for args in "match tft wsls" "tournament --strategies tft,alld" "run $EVO --set evolution.generations=3"; do
  # shellcheck disable=SC2086
  expect 0 "$args --out /dev/null $device_note" -- "$DLM" $args --out /dev/null
  [ -c /dev/null ] && ok || bad "$args: /dev/null is no longer a character device"
done
[ -e /dev/null.summary.json ] && bad "a summary was written beside /dev/null" || ok
expect 0 "--out /dev/stdout" -- "$DLM" match tft wsls --out /dev/stdout --format csv
contains "$TMP/out" "^seed,game" "--out /dev/stdout writes to standard output"
expect 0 "--out -" -- "$DLM" match tft wsls --out - --format csv
contains "$TMP/out" "^seed,game" "--out - writes to standard output"
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/from_fifo" &
reader=$!
expect 0 "--out FIFO" -- "$DLM" match tft wsls --out "$TMP/fifo" --format csv
timeout 5 sh -c ": >\"$TMP/fifo\"" 2>/dev/null # never leave the reader waiting
wait $reader
[ -p "$TMP/fifo" ] && ok || bad "the FIFO was replaced by a file"
contains "$TMP/from_fifo" "^seed,game" "the FIFO's reader got the output"
echo old >"$TMP/target.csv"
ln -s target.csv "$TMP/link.csv"
expect 0 "--out a symlink" -- "$DLM" match tft wsls --out "$TMP/link.csv" --format csv
[ -L "$TMP/link.csv" ] && ok || bad "the symlink was replaced"
contains "$TMP/target.csv" "^seed,game" "the link's target was written"
ln -s missing.csv "$TMP/dangling.csv"
expect 0 "--out a symlink to nothing yet" -- "$DLM" match tft wsls --out "$TMP/dangling.csv" --format csv
[ -L "$TMP/dangling.csv" ] && [ -s "$TMP/missing.csv" ] && ok || bad "a dangling link was not written through"
mkdir "$TMP/folder"
expect 2 "--out a folder" -- "$DLM" match tft wsls --out "$TMP/folder"
contains "$TMP/err" "is a folder" "a folder is named"

# --- outputs opened before any work ----------------------------------------------------------
start=$(date +%s)
expect 2 "unwritable --out of a long match" -- "$DLM" match tft wsls --rounds 5e8 --execution-error 0.1 --out /nonexistent/dir/x.csv
contains "$TMP/err" "cannot write /nonexistent/dir/x.csv: No such file or directory" "the path is named"
expect 2 "unwritable --out of a long evolution" -- "$DLM" run "$EVO" --set evolution.generations=1e6 --out /nonexistent/dir/x.csv
expect 2 "unwritable --trace of a long match" -- "$DLM" match tft wsls --rounds 5e8 --trace /nonexistent/dir/t.csv
[ $(($(date +%s) - start)) -lt 20 ] && ok || bad "unwritable outputs were noticed only after the work"

# --- write errors: a file-size limit (SIGXFSZ ignored: writes fail with EFBIG) ---------------
expect 1 "a tournament past a file-size limit" -- sh -c "trap '' XFSZ; ulimit -f 1; exec \"$DLM\" tournament --strategies tft,alld,wsls,grim,gtft,allc,tf2t,stft --per-repetition --repetitions 50 --format csv --out \"$TMP/big.csv\""
contains "$TMP/err" "writing $TMP/big.csv failed: File too large" "the failed write names the file"
[ -e "$TMP/big.csv" ] && bad "a failed write left $TMP/big.csv" || ok
no_temp "$TMP" "a failed write"

# --- signals ----------------------------------------------------------------------------------
mkdir "$TMP/sig" && cd "$TMP/sig" || exit 1
# at several points: as the first records arrive, and later in the run
for point in "TERM 0" "INT 0.3" "HUP 1.1" "TERM 2"; do
  set -- $point
  sig=$1
  rm -f ./*
  "$DLM" run "$EVO" --set evolution.generations=1e6 --set evolution.record_every=1 --format csv --out ev.csv 2>err &
  pid=$!
  for _ in $(seq 100); do [ -s ev.csv.partial ] && break; sleep 0.05; done
  sleep "$2"
  kill -$sig $pid
  wait $pid
  rc=$?
  code=$((128 + $(kill -l $sig)))
  [ $rc -eq $code ] && ok || bad "evolution killed by SIG$sig: exit $rc, expected $code"
  contains err "interrupted; the records up to the last complete one are in ev.csv.partial" "SIG$sig: what was kept is said"
  [ -e ev.csv ] && bad "SIG$sig: an interrupted run left ev.csv" || ok
  [ "$(tail -c1 ev.csv.partial | od -An -c | tr -d ' ')" = '\n' ] && ok || bad "SIG$sig: the partial records do not end on a complete line"
  cols=$(sed -n 2p ev.csv.partial | awk -F, '{print NF}') # records (the header quotes commas)
  awk -F, -v c="$cols" 'NR > 1 && NF != c { exit 1 }' ev.csv.partial && [ "$cols" -gt 20 ] && ok || bad "SIG$sig: a partial record line"
done
rm -f ./*
"$DLM" match tft wsls --rounds 5e8 --execution-error 0.1 --trace trace.csv --format csv 2>err &
pid=$!
for _ in $(seq 100); do ls | grep -q 'trace.csv.tmp' && break; sleep 0.05; done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 143 ] && ok || bad "a long trace killed by SIGTERM: exit $rc"
no_temp . "an interrupted trace"
[ -e trace.csv ] && bad "an interrupted trace left trace.csv" || ok
cd "$TMP" || exit 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
