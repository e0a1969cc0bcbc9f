#!/bin/sh
# What each request of golden/cases.txt adds to the stats page's counters
# ($stat(rcv_requests), rcv_replies, fwd_requests, err_requests), on
# `sipvm -f samples/stats.cfg` on 127.0.0.1:5090, against what it added on
# Kamailio 5.6.3 with the same config (golden/counters.txt, capture.sh;
# session.pl -c sends each request, then a GET /stats):
# one test per request, so that a difference shows where it comes from.
# TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5090
grep -v '^#' "$here/golden/counters.txt" >want
ncases=$(grep -c . want)
plan $((ncases + 1))

if ! server_start "$top/samples/stats.cfg" $PORT; then
	ok 1 "the server starts with samples/stats.cfg on port $PORT"
	skip "$ncases" "no server"
	exit 1
fi
ok 0 "the server starts with samples/stats.cfg on port $PORT"
perl "$here/session.pl" -c $PORT "$tmp/out"
cp "$tmp/out/counters.txt" got
while read -r name rr rp fw er; do
	g=$(awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' got)
	[ "$g" = "$rr $rp $fw $er" ]
	check $? "$name" "$name: adds rcv_requests $rr, rcv_replies $rp, fwd_requests $fw, err_requests $er (got ${g:-no page})"
done <want
server_stop
done_testing
