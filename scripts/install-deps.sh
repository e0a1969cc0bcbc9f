#!/bin/sh
# Install the Debian 12 packages sipvm needs to build and test, only those
# that are missing. A machine that has everything is left alone (no network,
# no apt-get update).
#
#   sh scripts/install-deps.sh                    build + test dependencies
#   WITH_KAMAILIO=1 sh scripts/install-deps.sh    also Kamailio 5.6.3 itself and
#                                                 what the side-by-side benchmarks
#                                                 use (lua5.1, valgrind, python3, wrk)
#
# Uses sudo when not run as root. Exit status 0 when everything is installed.
set -u

PKGS="bison flex pkg-config gcc make
liblua5.1-0-dev libgnutls28-dev libcurl4-gnutls-dev default-libmysqlclient-dev libsqlite3-dev
sip-tester curl python3 iproute2 procps perl
clang libclang-rt-14-dev"
if [ "${WITH_KAMAILIO:-0}" = 1 ]; then
	PKGS="$PKGS
kamailio kamailio-lua-modules lua5.1 valgrind python3 wrk"
fi

say() { echo "install-deps: $*" >&2; }

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	say "not a Debian system (no dpkg/apt-get): cannot check; make sure these are installed:"
	say "  $(echo $PKGS)"
	exit 0
fi

installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

say "missing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	say "not root and no sudo: install them by hand:"
	say "  apt-get install$missing"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update; then
	say "apt-get update failed (network or sources?); wanted:$missing"
	exit 1
fi
# shellcheck disable=SC2086 # one word per package
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	say "apt-get install failed for:$missing"
	exit 1
fi

still=""
for p in $missing; do
	installed "$p" || still="$still $p"
done
if [ -n "$still" ]; then
	say "still missing after apt-get install:$still"
	exit 1
fi
say "installed:$missing"
