#!/bin/sh
# HTTP with curl against `sipvm -f samples/stats.cfg` on 127.0.0.1:5090:
# GET /stats (200 text/html, every counter of the page, the counters
# following what was sent), POST and HEAD refused (405, as the config
# says), an unknown URL (404 naming it), HTTP/1.0, the connection closed
# after each reply (set_reply_close(); as in Kamailio 5.6.3 no
# "Connection: close" header is sent), HTTP over UDP; then keepalive.cfg
# (no set_reply_close()) on 127.0.0.1:5091: two requests on one
# connection. Both servers stopped with SIGTERM. TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5090
URL=http://127.0.0.1:$PORT
plan 16
CR=$(printf '\r')

if ! command -v curl >/dev/null 2>&1; then
	skip 16 "curl is not installed"
	exit 0
fi
if ! server_start "$top/samples/stats.cfg" $PORT; then
	ok 1 "the server starts with samples/stats.cfg on port $PORT"
	skip 15 "no server"
	exit 1
fi
ok 0 "the server starts with samples/stats.cfg on port $PORT"

# get NAME CURL-ARGS...: one curl run; headers in NAME.h, body in NAME.b,
# "code content-type connects" in NAME.w
get() {
	_name=$1
	shift
	curl -s --max-time 5 -D "$_name.h" -o "$_name.b" -w '%{http_code} %{content_type} %{num_connects}\n' \
		"$@" >"$_name.w" 2>"$_name.e"
}
# counter NAME FILE: the value of counter NAME on the stats page in FILE
counter() { sed -n "s#.*<td>$1</td><td>\\([0-9]*\\)</td>.*#\\1#p" "$2"; }

get s1 "$URL/stats"
[ "$(cat s1.w)" = "200 text/html 1" ] && grep -q "^Content-Length: $(wc -c <s1.b)$CR\$" s1.h
ok $? "GET /stats: 200, text/html, Content-Length the body's length ($(cat s1.w))"
st=0
for c in "received requests" "received replies" "forwarded requests" "bad requests" \
	"shared memory used" "shared memory free"; do
	v=$(counter "$c" s1.b)
	if [ -z "$v" ]; then
		diag "no counter '$c' on the page"
		st=1
	fi
done
[ "$(counter "received requests" s1.b)" = 1 ] && [ "$(counter "received replies" s1.b)" = 0 ] &&
	[ "$(counter "forwarded requests" s1.b)" = 0 ] && [ "$(counter "bad requests" s1.b)" = 0 ] &&
	[ "$(counter "shared memory used" s1.b)" -gt 0 ] && [ "$(counter "shared memory free" s1.b)" -gt 0 ] || st=1
[ $st -eq 0 ] || diag_file s1.b 5
ok $st "the page's six counters, on a fresh server: 1 request received (this GET), 0 replies, 0 forwarded, 0 bad, memory used and free > 0"

# five OPTIONS, one request without Via (bad: not counted as received),
# one reply (received reply, dropped)
i=0
while [ $i -lt 5 ]; do
	i=$((i + 1))
	options_ok $PORT || diag "OPTIONS $i: no 200"
done
printf 'OPTIONS sip:stats@127.0.0.1 SIP/2.0\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:stats@127.0.0.1>\r\nCall-ID: novia-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' >novia.sip
printf 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-r1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:stats@127.0.0.1>;tag=2\r\nCall-ID: reply-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' >reply.sip
$WIRE -s 5070 -t 1 -n 0 udp $PORT novia.sip reply.sip >/dev/null
get s2 "$URL/stats"
rr=$(counter "received requests" s2.b)
[ "$rr" = 7 ] && [ "$(counter "received replies" s2.b)" = 1 ] && [ "$(counter "bad requests" s2.b)" = 1 ]
check $? counters "after 5 OPTIONS, a request without Via and a reply: received requests 7 (1 + 5 + this GET; got $rr), received replies 1 (got $(counter "received replies" s2.b)), bad requests 1 (got $(counter "bad requests" s2.b))"

get post "$URL/stats" -d 'a=1'
[ "$(cat post.w)" = "405 text/plain 1" ] && [ "$(cat post.b)" = "only GET" ] && head -n 1 post.h | grep -q "^HTTP/1.1 405 Method Not Allowed$CR\$"
ok $? "POST /stats: 405 Method Not Allowed, text/plain \"only GET\" ($(cat post.w))"

get head "$URL/stats" -I
head -n 1 head.h | grep -q "^HTTP/1.1 405 Method Not Allowed$CR\$"
ok $? "HEAD /stats: 405 ($(head -n 1 head.h | tr -d '\r'))"

get unk "$URL/nothere?a=b"
[ "$(cat unk.w)" = "404 text/plain 1" ] && [ "$(cat unk.b)" = "no such page: /nothere?a=b" ]
ok $? "GET /nothere?a=b: 404, the body names the URL ($(cat unk.w): $(cat unk.b))"

get v10 --http1.0 "$URL/stats"
head -n 1 v10.h | grep -q "^HTTP/1.0 200 OK$CR\$" && grep -q '<td>received requests</td>' v10.b
ok $? "HTTP/1.0: answered with an HTTP/1.0 status line and the page"

# set_reply_close(): each reply ends its connection; the second URL of
# one curl run needs a connection of its own
get two --http1.1 "$URL/stats" -o two2.b "$URL/nothere"
[ "$(sed -n 1p two.w)" = "200 text/html 1" ] && [ "$(sed -n 2p two.w)" = "404 text/plain 1" ]
ok $? "two URLs in one curl run: the server closed after the first, curl connected again ($(tr '\n' ',' <two.w))"
! grep -qi '^Connection:' two.h
ok $? "no Connection header in the replies (Kamailio 5.6.3 sends none; it just closes)"
printf 'GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >get.http
$WIRE -t 2 -c conn tcp $PORT get.http >closed.got && [ "$(cat conn)" = closed ]
ok $? "after the reply the server closes the connection (within 2 s; $(cat conn 2>/dev/null))"

# HTTP over UDP: the request in one datagram, the reply in one datagram
$WIRE -s 5071 udp $PORT get.http >udp.got
head -n 1 udp.got | grep -q "^HTTP/1.1 200 OK$CR\$" && grep -q "^Sia: SIP/2.0/UDP 127.0.0.1:5071$CR\$" udp.got &&
	grep -q '<td>received requests</td>' udp.got
check $? udp-sia "GET /stats over UDP: one datagram back, 200 and the page, Sia: SIP/2.0/UDP and the client's address ($(grep '^Sia:' udp.got | tr -d '\r'))"

server_stop
[ "$stop_rc" = 0 ] && [ "$stop_ms" -le 5000 ]
ok $? "SIGTERM: exit status 0 within 5 s (got $stop_rc in $stop_ms ms)"

# keep-alive: no set_reply_close(), so curl reuses its connection
PORT=5091
URL=http://127.0.0.1:$PORT
if ! server_start "$here/keepalive.cfg" $PORT; then
	ok 1 "the server starts with keepalive.cfg on port $PORT"
	skip 2 "no server"
	exit 1
fi
get ka --http1.1 "$URL/stats" -o ka2.b "$URL/nothere"
[ "$(sed -n 1p ka.w)" = "200 text/html 1" ] && [ "$(sed -n 2p ka.w)" = "404 text/plain 0" ] &&
	grep -q '^<p>/stats: 1 requests</p>$' ka.b
ok $? "keepalive.cfg: two URLs in one curl run share one connection ($(tr '\n' ',' <ka.w))"
$WIRE -t 1 -c conn tcp $PORT get.http get.http >ka2.got && [ "$(cat conn)" = open ] &&
	[ "$(grep -c '^HTTP/1.1 200 OK' ka2.got)" = 2 ]
ok $? "two requests, one after the other on one connection: two replies, the connection stays open"
server_stop
[ "$stop_rc" = 0 ] && [ "$stop_ms" -le 5000 ]
ok $? "SIGTERM: exit status 0 within 5 s (got $stop_rc in $stop_ms ms)"
done_testing
