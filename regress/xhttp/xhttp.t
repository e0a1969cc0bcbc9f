#!/bin/sh
# xhttp_reply() in `sipvm --dry-run`: HTTP requests (GET, a POST, an
# unknown URL, HTTP/1.0, two replies to one request) run
# event_route[xhttp:request] of xhttp.cfg (samples/stats.cfg without its
# $stat() table, which sipvm does not have yet), and each reply is compared
# byte for byte with what Kamailio 5.6.3 sent for the same request and
# config (the *.golden files; the client port there is set to 40000, the
# --src given here). sipvm sends no Server header yet: when the dry run has
# none, the golden one is left out of the comparison.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
fails=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
echo "1..18"
cd "$here" || exit 1

# run NAME: dry-run NAME.http; the replies' bytes in $tmp/NAME.got, their
# count in $tmp/NAME.count, stderr in $tmp/NAME.err
run() {
	"$SIPVM" --dry-run -f xhttp.cfg --src tcp:127.0.0.1:40000 \
		--msg "$1.http" >"$tmp/$1.out" 2>"$tmp/$1.err"
	st=$?
	: >"$tmp/$1.got"
	grep -ab '^>>> reply to tcp:127.0.0.1:40000 (' "$tmp/$1.out" |
	while IFS= read -r line; do
		off=${line%%:*}
		hdr=${line#*:}
		size=${hdr##*(}
		size=${size%% bytes)}
		start=$((off + ${#hdr} + 2))
		tail -c +"$start" "$tmp/$1.out" | head -c "$size" >>"$tmp/$1.got"
	done
	grep -c '^>>> reply' "$tmp/$1.out" >"$tmp/$1.count"
	return $st
}

# same NAME: the replies equal NAME.golden (its Server line dropped when
# sipvm sent none)
same() {
	if grep -q '^Server: ' "$tmp/$1.got"; then
		cp "$1.golden" "$tmp/$1.want"
	else
		grep -v '^Server: ' "$1.golden" >"$tmp/$1.want"
	fi
	cmp -s "$tmp/$1.want" "$tmp/$1.got"
}

for m in get-stats get-stats-10 post-stats get-unknown get-hdr; do
	run "$m"
	st=$?
	[ $st -eq 0 ] && [ "$(cat "$tmp/$m.count")" -eq 1 ] && same "$m"
	ok $? "$m: one reply, byte for byte Kamailio's ($(head -1 "$m.golden" | tr -d '\r'))"
done

# details a reader of the goldens would check first
head -1 "$tmp/get-stats-10.got" | grep -q "^HTTP/1.0 200 OK$(printf '\r')\$"
ok $? "an HTTP/1.0 request gets an HTTP/1.0 status line"
grep -q "^Sia: SIP/2.0/TCP 127.0.0.1:40000$(printf '\r')\$" "$tmp/get-stats.got"
ok $? "the Via Kamailio inserts comes back as Sia, with the client's address"
sed -n 3p "$tmp/get-hdr.got" | grep -q "^X-A: 1$(printf '\r')\$" &&
	sed -n 4p "$tmp/get-hdr.got" | grep -q '^Content-Type: text/plain'
ok $? "append_to_reply headers come before the Content-Type"
grep -q '^no such page: /nothere$' "$tmp/get-unknown.got"
ok $? "\$hu is the request target in the body"

# two replies to one request
run get-two
same get-two && [ "$(cat "$tmp/get-two.count")" -eq 1 ]
ok $? "a second reply with a body is refused, the first one is Kamailio's"
grep -q '^INFO: <script>: r1=1$' "$tmp/get-two.err" && grep -q '^INFO: <script>: r2=-1$' "$tmp/get-two.err"
ok $? "xhttp_reply returns 1, then -1"
run get-empty
same get-empty && [ "$(cat "$tmp/get-empty.count")" -eq 1 ] &&
	grep -q '^INFO: <script>: r2=-1$' "$tmp/get-empty.err"
ok $? "after set_reply_close() a second reply fails (the connection is gone)"
run get-empty-keep
same get-empty-keep && [ "$(cat "$tmp/get-empty-keep.count")" -eq 2 ] &&
	grep -q '^INFO: <script>: r2=1$' "$tmp/get-empty-keep.err"
ok $? "without it two replies without body are both sent, as Kamailio"
grep -q "^Content-Length: 0$(printf '\r')\$" "$tmp/get-empty.got" && ! grep -q '^Content-Type' "$tmp/get-empty.got"
ok $? "an empty ctype leaves Content-Type out, an empty body gives Content-Length: 0"

# a SIP request: xhttp_reply is not for it
printf 'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' >"$tmp/opt.sip"
"$SIPVM" --dry-run -f xhttp.cfg --msg "$tmp/opt.sip" >"$tmp/opt.out" 2>"$tmp/opt.err"
grep -q "^SIP/2.0 404 Not here$(printf '\r')\$" "$tmp/opt.out"
ok $? "a SIP request still runs request_route"

# url_skip / url_match decide whether event_route[xhttp:request] runs at all
sed 's#^GET /stats #GET /skip/me #' get-stats.http >"$tmp/skip.http"
"$SIPVM" --dry-run -f xhttp.cfg --src tcp:127.0.0.1:40000 --msg "$tmp/skip.http" >"$tmp/skip.out" 2>"$tmp/skip.err"
[ ! -s "$tmp/skip.out" ] && grep -q 'not for xhttp (url_skip/url_match): no route runs' "$tmp/skip.err"
ok $? "a path matching url_skip runs no route and gets no reply"
sed 's#^GET /stats #GET /STATS #' get-stats.http >"$tmp/upper.http"
"$SIPVM" --dry-run -f xhttp.cfg --src tcp:127.0.0.1:40000 --msg "$tmp/upper.http" >"$tmp/upper.out" 2>/dev/null
[ ! -s "$tmp/upper.out" ]
ok $? "a path missing url_match (case-sensitive) runs no route"

# samples/stats.cfg itself, once sipvm has $stat(): GET /stats gets its
# 200 text/html table (until then the only refusal allowed is $stat's)
"$SIPVM" --dry-run -f "$top/samples/stats.cfg" --src tcp:127.0.0.1:40000 \
	--msg get-stats.http >"$tmp/s.out" 2>"$tmp/s.err"
if [ $? -eq 0 ]; then
	grep -q "^HTTP/1.1 200 OK$(printf '\r')\$" "$tmp/s.out" &&
		grep -q "^Content-Type: text/html$(printf '\r')\$" "$tmp/s.out" &&
		grep -q '<table>' "$tmp/s.out"
	ok $? "samples/stats.cfg answers GET /stats with its table"
else
	grep -q "'\$stat' (module pv) is not implemented" "$tmp/s.err"
	ok $? "samples/stats.cfg is refused only for \$stat (# $(head -1 "$tmp/s.err"))"
fi

[ $fails -eq 0 ]
