#!/bin/sh
# Static analysis (cppcheck) and formatting (clang-format) of the C
# sources; exits non-zero on any finding.
set -eu
cd "$(dirname "$0")/.."
cppcheck --enable=warning,style,performance,portability --inline-suppr \
    --error-exitcode=1 --quiet -I lib -D__GNUC__ \
    lib agents helper watcher server tests/unit tests/server tests/history \
    bench 2>&1
# The tree follows .clang-format.
clang-format --dry-run -Werror lib/*.[ch] server/*.[ch] agents/*.[ch] \
    helper/*.[ch] watcher/*.[ch] \
    tests/unit/*.c tests/server/*.c tests/fuzz/*.c tests/history/*.[ch] \
    bench/*.c
