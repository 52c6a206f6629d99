# lf-tap.sh - TAP output for the shell test suites (source it; sh or bash).
#
# The one place that numbers test points, counts failures and writes the
# lines automake's tap-driver reads, so that every suite, the cluster
# tests included, prints the same TAP.
#
#   tap_plan N                    the plan, "1..N"
#   tap_ok DESC [TODO]            "ok N - DESC"; with TODO, "ok N - DESC
#                                 # TODO TODO" (a rule known not to hold
#                                 that held: XPASS)
#   tap_not_ok DESC [TODO]        "not ok N - DESC", a failure; with TODO
#                                 "... # TODO TODO", an expected failure
#                                 (XFAIL), not counted
#   tap_check DESC CMD...         ok or not ok by CMD's exit status;
#                                 returns 0 or 1
#   tap_is DESC EXPECTED ACTUAL   ok when equal, else not ok and both
#                                 shown; returns 0 or 1
#   tap_todo DESC TODO CMD...     tap_check of a rule known not to hold
#   tap_skip DESC REASON          "ok N - DESC # SKIP REASON" ("ok N #
#                                 SKIP REASON" when DESC is "")
#   tap_skip_rest REASON          every point left of the plan, skipped
#   tap_fail TEXT...              a failure with no point of its own,
#                                 "# TEXT" (it fails the suite's exit)
#   tap_diag [TEXT...]            "# TEXT"; without TEXT, each line of
#                                 stdin as "# LINE"
#   tap_quote                     each line of stdin as "#   LINE" (what a
#                                 failed point ran, say)
#   tap_bail REASON               "Bail out! REASON", then exit 1
#   tap_done                      says so when the points run are not the
#                                 plan's, then exits 1 after any failure,
#                                 else 0
#
#   TAP_N       the points written so far
#   TAP_FAILED  the failures so far (not ok without TODO, and tap_fail)
#   TAP_PLAN    the plan's count, once tap_plan has run

TAP_N=0
TAP_FAILED=0
TAP_PLAN=

tap_plan() {
    TAP_PLAN=$1
    echo "1..$1"
}

tap_ok() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1${2:+ # TODO $2}"
}

tap_not_ok() {
    TAP_N=$((TAP_N + 1))
    echo "not ok $TAP_N - $1${2:+ # TODO $2}"
    [ -n "${2:-}" ] || TAP_FAILED=$((TAP_FAILED + 1))
}

tap_check() {
    local desc=$1
    shift
    if "$@"; then
        tap_ok "$desc"
        return 0
    fi
    tap_not_ok "$desc"
    return 1
}

tap_is() {
    if [ "$2" = "$3" ]; then
        tap_ok "$1"
        return 0
    fi
    tap_not_ok "$1"
    echo "#   expected: '$2'"
    echo "#   got:      '$3'"
    return 1
}

tap_todo() {
    local desc=$1 todo=$2
    shift 2
    if "$@"; then
        tap_ok "$desc" "$todo"
        return 0
    fi
    tap_not_ok "$desc" "$todo"
    return 1
}

tap_skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N${1:+ - $1} # SKIP $2"
}

tap_skip_rest() {
    while [ "$TAP_N" -lt "${TAP_PLAN:-0}" ]; do
        tap_skip "" "$1"
    done
}

tap_fail() {
    tap_diag "$@"
    TAP_FAILED=$((TAP_FAILED + 1))
}

tap_diag() {
    if [ $# -gt 0 ]; then
        echo "# $*"
    else
        sed 's/^/# /'
    fi
}

tap_quote() {
    sed 's/^/#   /'
}

tap_bail() {
    echo "Bail out! $*"
    exit 1
}

tap_done() {
    if [ -n "$TAP_PLAN" ] && [ "$TAP_N" != "$TAP_PLAN" ]; then
        tap_diag "ran $TAP_N tests, planned $TAP_PLAN"
    fi
    exit $((TAP_FAILED > 0))
}
