#!/bin/sh
# sipvm's replies to the session of golden/cases.txt (SIP over UDP and
# TCP, malformed messages, HTTP over UDP and TCP), sent in order to a
# fresh `sipvm -f samples/stats.cfg -l udp:127.0.0.1:5060 -l tcp:...` (the
# sample's own address: the To-tag Kamailio makes starts with an MD5 of
# it), compared byte for byte with what Kamailio 5.6.3 answered with the
# same config (the golden/*.golden files, made by capture.sh). Left out of
# the comparison (norm.pl): the Server line and the stats page's shared
# memory figures (and the Content-Length they change). For TCP, whether
# the connection was then closed must match too. TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5060
ncases=$(grep -v '^#' "$here/golden/cases.txt" | grep -c .)
plan $((ncases + 3))

if ! server_start "$top/samples/stats.cfg" $PORT; then
	ok 1 "the server starts with samples/stats.cfg on port $PORT"
	skip $((ncases + 2)) "no server"
	exit 1
fi
ok 0 "the server starts with samples/stats.cfg on port $PORT"
if [ "$E2E_SERVER" = sipvm ]; then
	grep -q "^sipvm: listening on udp:127.0.0.1:$PORT" server.log &&
		grep -q "^sipvm: listening on tcp:127.0.0.1:$PORT" server.log
	ok $? "it logs the sockets it listens on (udp and tcp, $PORT)"
else
	skip 1 "sipvm's own log lines"
fi

perl "$here/session.pl" $PORT "$tmp/out"
mkdir "$tmp/want" "$tmp/got"
perl "$here/norm.pl" -d "$tmp/want" "$here"/golden/*.golden
perl "$here/norm.pl" -d "$tmp/got" "$tmp"/out/*.got
grep -v '^#' "$here/golden/cases.txt" >"$tmp/cases"
while read -r name proto _src _n _opts what; do
	[ -n "$name" ] || continue
	st=0
	cmp -s "$tmp/want/$name.golden" "$tmp/got/$name.got" || st=1
	if [ "$proto" = tcp ] && ! cmp -s "$here/golden/$name.conn" "$tmp/out/$name.conn"; then
		st=1
		diag "$name: Kamailio's connection was $(cat "$here/golden/$name.conn"), $E2E_SERVER's $(cat "$tmp/out/$name.conn" 2>/dev/null)"
	fi
	if [ $st -ne 0 ]; then
		diag "$name: expected (Kamailio 5.6.3, normalized) vs got ($E2E_SERVER):"
		diff -u "$tmp/want/$name.golden" "$tmp/got/$name.got" | tail -n +3 | sed 's/\r/\\r/g' | head -40 | sed 's/^/#   /'
	fi
	check $st "$name" "$name: $what"
done <"$tmp/cases"

server_alive
ok $? "the server is still running after the session"
server_stop
done_testing
