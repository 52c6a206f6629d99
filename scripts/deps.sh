#!/bin/sh
# Install every Debian 12 package that building, testing and running the
# demo of leapfrog needs. Run as root. The names hold for Debian 13 too
# (libclang-rt-dev pulls in the default clang's runtime; Debian 13 has no
# libclang-rt-14-dev).
set -eu
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: run as root (it calls apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q \
    build-essential autoconf automake libtool pkg-config \
    pacemaker pacemaker-dev pacemaker-cli-utils corosync pcs crmsh \
    resource-agents libqb-dev libxml2-dev libxml2-utils libglib2.0-dev \
    libcmocka-dev iproute2 util-linux tini procps psmisc \
    clang libclang-rt-dev \
    cppcheck valgrind clang-format
