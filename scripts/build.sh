#!/bin/sh
# Build leapfrog from a clean checkout and install it under /usr, where
# Pacemaker finds the agents. Extra arguments go to ./configure.
set -eu
cd "$(dirname "$0")/.."
autoreconf -fi
./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
    --enable-fatal-warnings "$@"
make -j"$(nproc)"
make install
