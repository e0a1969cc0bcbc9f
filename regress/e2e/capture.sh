#!/bin/sh
# Rewrite regress/e2e/golden/*.golden and *.conn with what Kamailio 5.6.3
# answers to the session of golden/cases.txt, and golden/counters.txt with
# what each of those requests adds to its counters: it starts kamailio with
# samples/stats.cfg (127.0.0.1:5060, udp and tcp) inside a new network
# namespace (root, or user namespaces), sends the requests in order with
# session.pl and keeps the replies as they came, byte for byte. A case
# whose number of replies is not the one cases.txt gives stops it (fix the
# case); then `session.pl -c` sends them again, each followed by a GET
# /stats.
# 10-golden.t and 15-counters.t then compare sipvm with these, without
# Kamailio. Review the result with `git diff regress/e2e/golden`.
#
#   sh regress/e2e/capture.sh        (KAMAILIO, MODULES override the paths)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KAMAILIO=${KAMAILIO:-kamailio}
MODULES=${MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
if [ -z "${E2E_NETNS:-}" ]; then
	ns=-n
	[ "$(id -u)" = 0 ] || ns=-rn
	exec unshare $ns env E2E_NETNS=1 sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
case $("$KAMAILIO" -v 2>&1 | head -n 1) in
*" 5.6.3 "*) ;;
*) echo "capture: $KAMAILIO is not Kamailio 5.6.3 ($("$KAMAILIO" -v 2>&1 | head -n 1))" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
kpid=""
trap '[ -z "$kpid" ] || kill "$kpid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

"$KAMAILIO" -f "$top/samples/stats.cfg" -L "$MODULES" -DD -E -m 64 -M 8 >"$tmp/kamailio.log" 2>&1 &
kpid=$!
# ready when both sockets are bound (requests then queue until a worker reads)
i=0
until ss -Hlnu 'sport = :5060' | grep -q . && ss -Hlnt 'sport = :5060' | grep -q .; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$kpid" 2>/dev/null; then
		cat "$tmp/kamailio.log" >&2
		echo "capture: kamailio did not start" >&2
		exit 1
	fi
	sleep 0.1
done
sleep 1

perl "$here/session.pl" 5060 "$tmp/out"
perl "$here/session.pl" -c 5060 "$tmp/cnt"
kill "$kpid"
wait "$kpid" || true
kpid=""

bad=0
while read -r name st; do
	if [ "$st" -ne 0 ]; then
		echo "capture: $name: Kamailio did not send the number of replies cases.txt says" >&2
		od -c "$tmp/out/$name.got" | head -20 >&2
		bad=1
	fi
done <"$tmp/out/status"
if [ $bad -ne 0 ]; then
	tail -30 "$tmp/kamailio.log" >&2
	exit 1
fi
if [ "$(grep -c . "$tmp/cnt/counters.txt")" -ne "$(grep -v '^#' "$here/golden/cases.txt" | grep -c .)" ] ||
	grep -q ' -1' "$tmp/cnt/counters.txt"; then
	cat "$tmp/cnt/counters.txt" >&2
	echo "capture: session.pl -c did not read every stats page" >&2
	exit 1
fi
{
	echo "# What each request of cases.txt added to Kamailio 5.6.3's counters"
	echo "# (session.pl -c; capture.sh wrote this file): name, rcv_requests,"
	echo "# rcv_replies, fwd_requests, err_requests."
	cat "$tmp/cnt/counters.txt"
} >"$here/golden/counters.txt"
for f in "$tmp"/out/*.got; do
	name=$(basename "$f" .got)
	cp "$f" "$here/golden/$name.golden"
	[ ! -f "$tmp/out/$name.conn" ] || cp "$tmp/out/$name.conn" "$here/golden/$name.conn"
	echo "$name $(wc -c <"$f") bytes$([ ! -f "$tmp/out/$name.conn" ] || echo ", $(cat "$tmp/out/$name.conn")")"
done
# what Kamailio logged about the malformed ones, for the reader
grep -E 'ERROR|WARNING' "$tmp/kamailio.log" | grep -v -e load_tm_api -e 'could not bind tm' | sed 's/^/kamailio: /' || true
