#!/bin/bash
# Run every test suite of a built tree (scripts/build.sh first): unit tests,
# cppcheck, live-cluster tests (root: they boot namespace clusters) and
# distcheck.
# Ends with one summary line "tests: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
status=0
steps_passed=0
steps_failed=0

# A step that is not a TAP test suite counts as one test.
run() {
    echo "=== $*"
    if "$@"; then
        steps_passed=$((steps_passed + 1))
    else
        echo "=== FAILED: $*"
        steps_failed=$((steps_failed + 1))
        status=1
    fi
}

# Collect the results first: distcheck runs in its own copy of the tree.
rm -f tests/*/*.trs
run ./scripts/lint.sh
make check || status=1
make check-cluster || status=1
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
pass=$((pass + steps_passed))
fail=$((fail + steps_failed))
[ "$fail" = 0 ] || status=1
# A suite that could not even run (a build error) failed too.
if [ "$status" != 0 ] && [ "$fail" = 0 ]; then
    fail=1
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
exit $status
