# Shared by the regress/e2e/*.t scripts (sourced, after `here` is set to
# the folder of the script): TAP output, a private network namespace, and
# starting and stopping the server under test (regress/lib/tap.sh and
# server.sh), and the clients.
#
# The server is bin/sipvm ($SIPVM, as regress/run-tests.sh exports it),
# started with `-f CONFIG -l udp:127.0.0.1:PORT -l tcp:127.0.0.1:PORT`. With
# E2E_SERVER=kamailio the same tests run against Kamailio 5.6.3 instead (a
# copy of CONFIG whose listen lines name PORT): that is how the tests'
# expectations were checked against the reference; it needs root.
#
# Every test runs in its own network namespace with only loopback up (the
# script re-executes itself under `unshare -n`), so fixed ports are safe:
#
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
#   e2e_netns "$0" "$@"
#   e2e_setup

top=$(cd "$here/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
E2E_SERVER=${E2E_SERVER:-sipvm}
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
WIRE="perl $here/wire.pl"
SERVER=$E2E_SERVER
# shellcheck source=../lib/tap.sh
. "$top/regress/lib/tap.sh"
# shellcheck source=../lib/server.sh
. "$top/regress/lib/server.sh"

# e2e_netns "$0" "$@": re-execute the calling script inside a new network
# namespace with loopback up, once (regress/lib/server.sh).
e2e_netns() { netns_reexec E2E_NETNS "$@"; }

# e2e_setup: after e2e_netns, a scratch folder $tmp (the working
# directory, removed at exit with the server stopped)
e2e_setup() {
	tmp=$(mktemp -d) || exit 1
	spid=""
	trap 'server_kill; rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM PIPE
	cd "$tmp" || exit 1
}

# --- clients -----------------------------------------------------------------

# stats PORT NAME: the value of the counter NAME ("received requests" ...)
# on the stats page fetched over TCP with curl; empty when absent
stats() {
	curl -s --max-time 5 "http://127.0.0.1:$1/stats" |
		sed -n "s#.*<td>$2</td><td>\\([0-9]*\\)</td>.*#\\1#p"
}

# options_ok PORT [SRCPORT]: one OPTIONS over UDP answered 200 (wire.pl)
options_ok() {
	printf 'OPTIONS sip:stats@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bK-probe%s\r\nMax-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:stats@127.0.0.1>\r\nCall-ID: probe-%s@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' \
		"$1" "${2:-5099}" "$$" "$(date +%s%N)" >"$tmp/probe.sip"
	$WIRE -s "${2:-5099}" udp "$1" "$tmp/probe.sip" >"$tmp/probe.got" 2>/dev/null &&
		head -n 1 "$tmp/probe.got" | grep -q '^SIP/2.0 200 OK'
}

# --- known differences -------------------------------------------------------

# check STATUS KEY DESCRIPTION: ok STATUS DESCRIPTION, as a TAP TODO when
# todo.txt lists KEY for this script (a difference from Kamailio 5.6.3 the
# server still has; the line says what differs). Against Kamailio itself
# (E2E_SERVER=kamailio) nothing is TODO.
check() {
	_why=""
	[ "$E2E_SERVER" = kamailio ] ||
		_why=$(awk -v t="$(basename "$0")" -v k="$2" '$1 == t && $2 == k { $1 = ""; $2 = ""; sub(/^  */, ""); print; exit }' "$here/todo.txt")
	if [ -n "$_why" ]; then
		ok_todo "$1" "$3" "$_why"
	else
		ok "$1" "$3"
	fi
}
