#!/bin/sh
# Static analysis of the C sources with cppcheck; exits non-zero on any
# finding.
set -eu
cd "$(dirname "$0")/.."
cppcheck --enable=warning,style,performance,portability --inline-suppr \
    --error-exitcode=1 --quiet -I lib -D__GNUC__ \
    lib agents helper server tests/unit 2>&1
