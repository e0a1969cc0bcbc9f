#!/bin/sh
# A flood: 10,000 OPTIONS sent by sipp as fast as RATE (default 5,000/s,
# 2,000/s for the sanitizer build)
# without retransmissions, over UDP, then 10,000 more over one TCP
# connection, to `sipvm -f samples/stats.cfg` on 127.0.0.1:5090. Not one
# may be lost: sipp must count 10,000 successful calls each time, and the
# stats page ($stat(rcv_requests)) must then say the server received
# exactly the requests sent (plus the GET asking, which counts itself, as
# in Kamailio 5.6.3). On a loaded machine sipp itself may not read its
# replies in time: when the kernel dropped some on sipp's socket and none
# on the server's, that flood is repeated once at half the rate. TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5090
CALLS=${CALLS:-10000}
# the AddressSanitizer build routes several times slower: its flood is
# sent at 2,000/s (still no datagram may be lost)
case "${BUILD:-}" in
*build-san*) RATE=${RATE:-2000} ;;
*) RATE=${RATE:-5000} ;;
esac
plan 6

if ! command -v sipp >/dev/null 2>&1; then
	skip 6 "sipp is not installed (Debian package sip-tester)"
	exit 0
fi
if ! server_start "$top/samples/stats.cfg" $PORT; then
	ok 1 "the server starts with samples/stats.cfg on port $PORT"
	skip 5 "no server"
	exit 1
fi
ok 0 "the server starts with samples/stats.cfg on port $PORT"

# udp_rcvbuf_errors: datagrams the kernel dropped so far in this network
# namespace because a socket's receive buffer was full
udp_rcvbuf_errors() {
	awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $(c["RcvbufErrors"]) }' /proc/net/snmp
}
# udp_drops PORT: datagrams dropped so far on the UDP socket bound to
# 127.0.0.1:PORT (0 when there is none)
udp_drops() {
	awk -v a="$(printf '0100007F:%04X' "$1")" '$2 == a { d = $NF } END { print d + 0 }' /proc/net/udp
}

# flood NAME SIPP-ARGS...: CALLS OPTIONS at RATE, none retransmitted, each
# waiting at most 5 s for its 200; true when all CALLS succeeded. sent is
# the number of requests sent so far. When some failed because the
# kernel dropped replies on sipp's own socket (a loaded machine: the
# client is the one that lost them; the server's socket dropped nothing),
# the flood is run once more at half the rate.
sent=0
flood() {
	_name=$1
	shift
	_rate=$RATE
	for _try in 1 2; do
		_e0=$(udp_rcvbuf_errors)
		_s0=$(udp_drops $PORT)
		_t0=$(date +%s%N)
		sipp -sf "$here/sipp/options.xml" -m "$CALLS" -r "$_rate" -rp 1000 -nr \
			-i 127.0.0.1 -p 5070 -nostdin -recv_timeout 5000 -timeout 120s -timeout_error \
			"$@" 127.0.0.1:$PORT >"$tmp/$_name.out" 2>&1
		_st=$?
		_t1=$(date +%s%N)
		sent=$((sent + CALLS))
		_ok=$(awk -F'|' '/Successful call/ { gsub(/ /, "", $3); print $3 }' "$tmp/$_name.out" | tail -n 1)
		_bad=$(awk -F'|' '/Failed call/ { gsub(/ /, "", $3); print $3 }' "$tmp/$_name.out" | tail -n 1)
		diag "$_name: $CALLS OPTIONS at up to $_rate/s in $(((_t1 - _t0) / 1000000)) ms: ${_ok:-?} successful, ${_bad:-?} failed (sipp exit $_st)"
		[ $_st -eq 0 ] && [ "$_ok" = "$CALLS" ] && return 0
		_server=$(($(udp_drops $PORT) - _s0))
		_client=$(($(udp_rcvbuf_errors) - _e0 - _server))
		diag "$_name: datagrams dropped by full receive buffers: $_server on the server's socket, $_client on sipp's"
		[ "$_server" -eq 0 ] && [ "$_client" -gt 0 ] && [ $_try -eq 1 ] || return 1
		_rate=$((_rate / 2))
		diag "$_name: sipp lost replies the server sent: once more at $_rate/s"
	done
	return 1
}

flood udp
ok $? "UDP: $CALLS OPTIONS, every one answered 200 (none lost)"
got=$(stats $PORT "received requests")
[ "$got" = $((sent + 1)) ]
ok $? "the stats page counts them: received requests = the $sent sent + the GET itself (got ${got:-nothing})"

flood tcp -t t1
ok $? "TCP, one connection: $CALLS OPTIONS, every one answered 200"
got=$(stats $PORT "received requests")
[ "$got" = $((sent + 2)) ]
ok $? "received requests = the $sent sent + the two GETs (got ${got:-nothing})"

server_stop
[ "$stop_rc" = 0 ] && [ "$stop_ms" -le 5000 ]
ok $? "SIGTERM: exit status 0 within 5 s (got $stop_rc in $stop_ms ms)"
done_testing
