#!/bin/bash
# Run every test suite of a built tree (scripts/build.sh first): unit tests,
# cppcheck, live-cluster tests (root: they boot namespace clusters) and
# distcheck.
# Ends with one summary line "tests: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
status=0

run() {
    echo "=== $*"
    "$@" || status=1
}

# Collect the results first: distcheck runs in its own copy of the tree.
rm -f tests/*/*.trs
run ./scripts/lint.sh
run make check
run make check-cluster
run make distcheck

pass=0
fail=0
skip=0
for trs in tests/*/*.trs; do
    [ -f "$trs" ] || continue
    while read -r _ result _; do
        case "$result" in
        PASS | XFAIL) pass=$((pass + 1)) ;;
        SKIP) skip=$((skip + 1)) ;;
        FAIL | XPASS | ERROR) fail=$((fail + 1)) ;;
        esac
    done < <(grep '^:test-result:' "$trs")
done
[ "$fail" = 0 ] || status=1
echo "tests: $pass passed, $fail failed, $skip skipped"
exit $status
