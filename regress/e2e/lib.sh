# Shared by the regress/e2e/*.t scripts (sourced, after `here` is set to
# the folder of the script): TAP output, a private network namespace, and
# starting and stopping the server under test.
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

# e2e_netns "$0" "$@": re-execute the calling script inside a new network
# namespace with loopback up, once. Prints a TAP skip and exits when no
# namespace can be made.
e2e_netns() {
	[ -z "${E2E_NETNS:-}" ] || return 0
	_ns=-n
	[ "$(id -u)" = 0 ] || _ns=-rn
	if ! unshare $_ns true 2>/dev/null; then
		echo "1..0 # SKIP cannot create a network namespace (unshare $_ns)"
		exit 0
	fi
	exec unshare $_ns env E2E_NETNS=1 sh -c 'ip link set lo up && exec sh "$0" "$@"' "$@"
}

# e2e_setup: after e2e_netns, a scratch folder $tmp (the working
# directory, removed at exit with the server stopped)
e2e_setup() {
	tmp=$(mktemp -d) || exit 1
	spid=""
	trap 'server_kill; rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM PIPE
	cd "$tmp" || exit 1
}

# --- TAP -------------------------------------------------------------------

n=0
fails=0
plan() { echo "1..$1"; }
# ok STATUS DESCRIPTION: one test, passed when STATUS is 0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
# ok_todo STATUS DESCRIPTION REASON: a test the server is known to fail
# (TAP TODO: reported, not counted as a failure)
ok_todo() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2 # TODO $3"
	else
		echo "not ok $n - $2 # TODO $3"
	fi
}
# skip COUNT REASON: COUNT tests skipped
skip() {
	_i=0
	while [ $_i -lt "$1" ]; do
		n=$((n + 1))
		_i=$((_i + 1))
		echo "ok $n # SKIP $2"
	done
}
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
# diag_file FILE [LINES]: the start of FILE as TAP comments, with \r shown
diag_file() { head -n "${2:-20}" "$1" | sed 's/\r/\\r/g; s/^/#   /'; }
done_testing() { [ "$fails" -eq 0 ]; }

# --- the server --------------------------------------------------------------

# server_start CONFIG PORT [ARGS...]: start the server on PORT (udp and
# tcp, 127.0.0.1) with CONFIG, in the background, log in $tmp/server.log;
# wait until it is ready (sipvm: its "sipvm: ready" line; Kamailio: both
# sockets bound), at most 10 s. Sets spid. Returns 1 (and prints the log
# as TAP comments) when it exits or is not ready in time.
server_start() {
	_cfg=$1
	_port=$2
	shift 2
	: >"$tmp/server.log"
	if [ "$E2E_SERVER" = kamailio ]; then
		sed -e '/^listen=/d' "$_cfg" >"$tmp/kamailio.cfg"
		printf 'listen=udp:127.0.0.1:%s\nlisten=tcp:127.0.0.1:%s\n' "$_port" "$_port" >>"$tmp/kamailio.cfg"
		kamailio -f "$tmp/kamailio.cfg" -L "$KAMAILIO_MODULES" -DD -E -m 64 -M 8 "$@" \
			>"$tmp/server.log" 2>&1 &
	else
		"$SIPVM" -f "$_cfg" -l "udp:127.0.0.1:$_port" -l "tcp:127.0.0.1:$_port" "$@" \
			>"$tmp/server.log" 2>&1 &
	fi
	spid=$!
	_i=0
	while :; do
		if [ "$E2E_SERVER" = kamailio ]; then
			if ss -Hlnu "sport = :$_port" | grep -q . && ss -Hlnt "sport = :$_port" | grep -q .; then
				sleep 0.5
				return 0
			fi
		elif grep -q '^sipvm: ready' "$tmp/server.log"; then
			return 0
		fi
		_i=$((_i + 1))
		if ! server_alive || [ $_i -gt 100 ]; then
			diag "the server ($E2E_SERVER) did not start (or was not ready within 10 s); its log:"
			diag_file "$tmp/server.log" 30
			server_kill
			return 1
		fi
		sleep 0.1
	done
}

# server_stop [SECS]: SIGTERM to the server, wait for it at most SECS
# (default 5); then stop_rc is its exit status (or "killed" when it had to
# be killed) and stop_ms the milliseconds it took.
server_stop() {
	stop_rc=none
	stop_ms=0
	[ -n "$spid" ] || return 1
	_t0=$(date +%s%N)
	kill -TERM "$spid" 2>/dev/null
	( sleep "${1:-5}"; kill -KILL "$spid" 2>/dev/null && echo killed >"$tmp/stop.killed" ) &
	_wd=$!
	wait "$spid"
	stop_rc=$?
	_t1=$(date +%s%N)
	kill "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	[ ! -f "$tmp/stop.killed" ] || stop_rc=killed
	rm -f "$tmp/stop.killed"
	stop_ms=$(((_t1 - _t0) / 1000000))
	spid=""
	if [ "$stop_rc" != 0 ]; then
		diag "the server's log (it stopped with $stop_rc):"
		tail -n 30 "$tmp/server.log" | sed 's/\r/\\r/g; s/^/#   /'
	fi
}

# server_kill: stop the server by its PID whatever it is doing (cleanup):
# SIGTERM (Kamailio's main process then stops its children), SIGKILL
# after 3 s
server_kill() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	( sleep 3; kill -KILL "$spid" 2>/dev/null ) &
	_wd=$!
	wait "$spid" 2>/dev/null
	kill "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	spid=""
}

# server_alive: true while the server process runs (not a zombie: it is
# our child, reaped only by wait)
server_alive() {
	[ -n "$spid" ] && [ -r "/proc/$spid/stat" ] &&
		[ "$(sed 's/.*) //' "/proc/$spid/stat" | cut -d' ' -f1)" != Z ]
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
