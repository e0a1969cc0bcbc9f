#!/bin/sh
# SIP with sipp (Debian's sip-tester) against `sipvm -f samples/stats.cfg`
# on 127.0.0.1:5090: OPTIONS answered 200 over UDP and TCP, other methods
# (INFO, an extension method) answered "404 Not here", malformed requests
# dropped (or answered 400) with the server answering afterwards, then
# SIGTERM: exit status 0 within 5 s. TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5090
plan 9

if ! command -v sipp >/dev/null 2>&1; then
	skip 9 "sipp is not installed (Debian package sip-tester)"
	exit 0
fi
if ! server_start "$top/samples/stats.cfg" $PORT; then
	ok 1 "the server starts with samples/stats.cfg on port $PORT"
	skip 8 "no server"
	exit 1
fi
ok 0 "the server starts with samples/stats.cfg on port $PORT"
! ss -Hlnu 'sport = :5060' | grep -q . && ! ss -Hlnt 'sport = :5060' | grep -q . &&
	ss -Hlnu "sport = :$PORT" | grep -q . && ss -Hlnt "sport = :$PORT" | grep -q .
ok $? "-l replaces the config's listen lines: udp and tcp on $PORT, nothing on 5060"

# run_sipp SCENARIO CALLS SIPP-ARGS...: sipp with SCENARIO (a file, or
# NAME for sipp/NAME.xml), CALLS calls from 127.0.0.1:5070, at most 20 s;
# true when it exits 0 and reports CALLS successful calls. Output in
# $tmp/NAME.out.
run_sipp() {
	_sf=$1
	[ -f "$_sf" ] || _sf=$here/sipp/$1.xml
	_name=$(basename "$_sf" .xml)
	_calls=$2
	shift 2
	sipp -sf "$_sf" -m "$_calls" -i 127.0.0.1 -p 5070 -nostdin \
		-recv_timeout 5000 -timeout 20s -timeout_error -trace_err -error_file "$tmp/$_name.err" \
		"$@" 127.0.0.1:$PORT >"$tmp/$_name.out" 2>&1
	_st=$?
	_ok=$(awk -F'|' '/Successful call/ { gsub(/ /, "", $3); print $3 }' "$tmp/$_name.out" | tail -n 1)
	if [ $_st -ne 0 ] || [ "$_ok" != "$_calls" ]; then
		diag "sipp $_name: exit $_st, ${_ok:-no} successful calls of $_calls"
		grep -E 'Failed call|Unexpected|Timeout' "$tmp/$_name.out" | head -5 | sed 's/^/#   /'
		[ ! -f "$tmp/$_name.err" ] || diag_file "$tmp/$_name.err" 15
		return 1
	fi
	return 0
}

run_sipp options 3
ok $? "OPTIONS over UDP: 3 calls, each answered 200 OK"
run_sipp options 3 -t t1
ok $? "OPTIONS over TCP: 3 calls on one connection, each answered 200 OK"
run_sipp other 1
ok $? "INFO: answered 404 Not here"
sed 's/INFO/XYZZY/g' "$here/sipp/other.xml" >"$tmp/xyzzy.xml"
run_sipp "$tmp/xyzzy.xml" 1
ok $? "an extension method (XYZZY): answered 404 Not here"
run_sipp malformed 1
ok $? "a request without Via and one with a bad first line get no answer; an OPTIONS after them gets 200"

# more malformed datagrams: none may get an answer other than 400, and
# the server must answer afterwards
printf '' >"$tmp/empty"
perl -e 'srand(4475); print map { chr(int(rand(256))) } 1 .. 1400' >"$tmp/binary"
printf 'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-t\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127' >"$tmp/truncated"
printf 'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-n\0\r\n\0\0\0\r\n\r\n' >"$tmp/nul"
perl -e 'print "OPTIONS sip:a\@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-big\r\nX-Big: ", "x" x 60000, "\r\n\r\n"' >"$tmp/big"
$WIRE -s 5070 -t 1 -n 0 udp $PORT "$tmp/empty" "$tmp/binary" "$tmp/truncated" "$tmp/nul" "$tmp/big" >"$tmp/mal.got"
st=0
if [ -s "$tmp/mal.got" ]; then
	grep -a '^SIP/2.0 ' "$tmp/mal.got" | grep -v '^SIP/2.0 400 ' | grep -q . && st=1
	diag "answers to the malformed datagrams:"
	diag_file "$tmp/mal.got" 10
fi
options_ok $PORT || st=1
server_alive || st=1
ok $st "empty, binary, truncated, NUL-laden and 60 kB datagrams: no answer but 400, and OPTIONS answered afterwards"

server_stop
[ "$stop_rc" = 0 ] && [ "$stop_ms" -le 5000 ]
ok $? "SIGTERM: exit status 0 within 5 s (got $stop_rc in $stop_ms ms)"
done_testing
