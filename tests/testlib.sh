# testlib.sh — what the shell tests share (sourced: `. "$(dirname "$0")/testlib.sh"`):
# a scratch folder $TMP removed at exit, pass/fail counters, and
#   expect CODE DESCRIPTION -- command...   runs it (stdout in $TMP/out, stderr in
#                                           $TMP/err) and checks its exit code;
#   contains FILE TEXT DESCRIPTION          grep for TEXT (a basic regular expression);
#   finish                                  prints "N passed, N failed" and exits 1 on any.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() {
  local code=$1 what=$2
  shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -eq "$code" ]; then ok; else bad "$what: exit $rc, expected $code"; sed 's/^/    /' "$TMP/err" | head -5; fi
}
contains() {
  if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; sed 's/^/    /' "$1" | head -5; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}
