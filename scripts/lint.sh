#!/bin/sh
# Static analysis (cppcheck) and formatting (clang-format) of the C
# sources; exits non-zero on any finding.
set -eu
cd "$(dirname "$0")/.."
cppcheck --enable=warning,style,performance,portability --inline-suppr \
    --error-exitcode=1 --quiet -I lib/base -I lib/lock -I lib/runtime \
    -I agents -I helper -I server -D__GNUC__ \
    lib agents helper watcher server tests/unit tests/server tests/history \
    bench 2>&1
# The tree follows .clang-format.
clang-format --dry-run -Werror lib/*/*.[ch] server/*.[ch] agents/*.[ch] \
    helper/*.[ch] watcher/*.[ch] \
    tests/unit/*.c tests/server/*.c tests/fuzz/*.c tests/history/*.[ch] \
    bench/*.c
# The layers of lib/ (see Makefile.am): lib/base includes nothing of the
# layers above it. The build enforces it (each library sees only its own
# and the lower layers' headers); this says which include is wrong.
bad=$(grep -l -E '#include "lf_(lock|table|proto|auth|segment|client|server|watch|ocf|svc|attr)\.h"' lib/base/*.[ch] || true)
if [ -n "$bad" ]; then
    echo "lint: lib/base includes a header of an upper layer: $bad" >&2
    exit 1
fi
