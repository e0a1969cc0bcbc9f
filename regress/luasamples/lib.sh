# Shared by regress/luasamples/*.t (sourced after `here` is set to this
# folder): the end-to-end test of one Lua sample, samples/NAME.cfg, run by
# sipvm (default) or by Kamailio 5.6.3 (LUASAMPLES_SERVER=kamailio: how
# the expectations were checked against the reference; root needed).
#
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
#   sample_test NAME PORT
#
# The server runs in a private network namespace with only loopback up
# (the script re-executes itself under `unshare -n`), started from the top
# of the source tree (the samples load their Lua file by a relative path)
# with `-l udp:127.0.0.1:PORT -l tcp:127.0.0.1:PORT` (Kamailio: a copy of
# the config whose listen lines name PORT). session.sh talks to it; the
# replies are checked one by one, then compared with Kamailio's, captured
# by capture.sh in golden/NAME/ (normalized by norm.pl: Server line, the
# client's port in Sia, memory figures). Until sipvm runs the sample (it
# refuses a config calling Lua functions it does not implement, or a
# module it does not provide), the whole test is skipped.

top=$(cd "$here/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
# the tree whose samples/ is tested (default: this one)
top=${LUASAMPLES_TOP:-$top}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
LUASAMPLES_SERVER=${LUASAMPLES_SERVER:-sipvm}
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
SERVER=$LUASAMPLES_SERVER
# the samples load their Lua files by paths from the top of the tree
SERVER_CWD=$top
# shellcheck source=../lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=../lib/server.sh
. "$here/../lib/server.sh"

# re-executes the calling script in a new network namespace, once
ls_netns() { netns_reexec LUASAMPLES_NETNS "$@"; }

# --- checks --------------------------------------------------------------------

# status FILE: the status code of the HTTP reply in FILE
status() { head -n 1 "$1" | sed -n 's/^HTTP\/1\.[01] \([0-9][0-9][0-9]\) .*/\1/p'; }
# header FILE NAME: the value of the first header NAME (no \r)
header() {
	sed -n '1,/^\r*$/p' "$1" | tr -d '\r' |
		awk -v h="$2" 'tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":" { sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}
# body FILE: the body of the HTTP reply in FILE
body() { sed '1,/^\r*$/d' "$1"; }
# counter LABEL FILE: the value of counter LABEL on the stats page
counter() { sed -n "s#.*<td>$1</td><td>\\([0-9]*\\)</td>.*#\\1#p" "$2"; }
# length_ok FILE: Content-Length is the body's length
length_ok() {
	_b=$(body "$1" | wc -c)
	[ "$(header "$1" Content-Length)" = "$_b" ]
}

# page_ok FILE: 200, text/html, the right length, the six counters
page_ok() {
	[ "$(status "$1")" = 200 ] && [ "$(header "$1" Content-Type)" = text/html ] && length_ok "$1" || return 1
	for _c in "received requests" "received replies" "forwarded requests" "bad requests" \
		"shared memory used" "shared memory free"; do
		[ -n "$(counter "$_c" "$1")" ] || return 1
	done
	body "$1" | grep -q '^<html><body><table>.*</table></body></html>$'
}

# --- the test --------------------------------------------------------------

# sample_test NAME PORT: the whole TAP test of samples/NAME.cfg
sample_test() {
	name=$1
	port=$2
	ls_netns "$0" "$name" "$port"
	tmp=$(mktemp -d) || exit 1
	spid=""
	trap 'server_kill; rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM PIPE
	golden=$here/golden/$name
	nplan=20

	for t in curl python3 perl; do
		if ! command -v $t >/dev/null 2>&1; then
			echo "1..0 # SKIP $t is not installed"
			exit 0
		fi
	done
	if [ "$LUASAMPLES_SERVER" = kamailio ] && ! command -v kamailio >/dev/null 2>&1; then
		echo "1..0 # SKIP kamailio is not installed"
		exit 0
	fi
	if [ "$LUASAMPLES_SERVER" != kamailio ] && [ ! -x "$SIPVM" ]; then
		echo "1..0 # SKIP $SIPVM is not built"
		exit 0
	fi
	rc=0
	server_start "$top/samples/$name.cfg" "$port" || rc=$?
	if [ $rc = 2 ]; then
		echo "1..0 # SKIP sipvm does not run samples/$name.cfg yet: $(grep -E 'not implemented by sipvm|that sipvm does not provide' "$tmp/server.log" | head -n 1)"
		exit 0
	fi
	echo "1..$nplan"
	if [ $rc != 0 ]; then
		ok 1 "the server ($LUASAMPLES_SERVER) starts with samples/$name.cfg on port $port"
		skip $((nplan - 1)) "no server"
		exit 1
	fi
	ok 0 "the server ($LUASAMPLES_SERVER) starts with samples/$name.cfg on port $port"

	out=$tmp/out
	sh "$here/session.sh" "$port" "$out"
	ok $? "every exchange of the session got a reply"

	f=$out/stats-1.http
	page_ok "$f" && [ "$(counter "received requests" "$f")" = 1 ] &&
		[ "$(counter "received replies" "$f")" = 0 ] && [ "$(counter "bad requests" "$f")" = 0 ] &&
		[ "$(counter "shared memory used" "$f")" -gt 0 ] && [ "$(counter "shared memory free" "$f")" -gt 0 ]
	st=$?
	[ $st = 0 ] || diag_file "$f"
	ok $st "GET /stats (htmlStats() in Lua) on the fresh server: 200 text/html, the six counters, received requests 1 (this GET), memory figures > 0"

	printf 'OPTIONS 200\nOPTIONS 200\nOPTIONS 200\nOPTIONS 200\nOPTIONS 200\nINVITE 404\nACK none\n' >"$tmp/sip.want"
	cmp -s "$tmp/sip.want" "$out/sip.txt"
	st=$?
	[ $st = 0 ] || diag_file "$out/sip.txt"
	ok $st "SIP over UDP: 5 OPTIONS answered 200, an INVITE 404, an ACK nothing"

	f=$out/stats-2.http
	r1=$(counter "received requests" "$out/stats-1.http")
	r2=$(counter "received requests" "$f")
	page_ok "$f" && [ "$r2" = $((r1 + 8)) ] && [ "$(counter "received replies" "$f")" = 0 ] &&
		[ "$(counter "bad requests" "$f")" = 0 ] && [ "$(counter "forwarded requests" "$f")" = 0 ]
	st=$?
	[ $st = 0 ] || diag_file "$f"
	ok $st "GET /stats after 7 SIP requests: received requests grew by 8 ($r1 -> $r2), no reply, bad or forwarded request counted"

	f=$out/notfound.http
	[ "$(status "$f")" = 404 ] && [ "$(header "$f" Content-Type)" = text/plain ] && length_ok "$f" &&
		[ "$(body "$f")" = "no such page: /nothere?x=1" ]
	st=$?
	[ $st = 0 ] || diag_file "$f"
	ok $st "GET /nothere?x=1: 404 text/plain naming the URL (notFound() in Lua, by lua_run with \$hu)"

	f=$out/post.http
	[ "$(status "$f")" = 405 ] && [ "$(body "$f")" = "only GET" ] && length_ok "$f"
	st=$?
	[ $st = 0 ] || diag_file "$f"
	ok $st "POST /stats: 405, \"only GET\" (the config)"

	f=$out/url-1022.http
	[ "$(status "$f")" = 404 ] && [ "$(body "$f" | wc -c)" = 1037 ] && length_ok "$f"
	st=$?
	[ $st = 0 ] || diag_file "$f" 5
	ok $st "GET of a 1022-byte URL: 404 from Lua (lua_run passes parameters of up to 1022 bytes)"

	f=$out/url-1023.http
	[ "$(status "$f")" = 500 ] && [ "$(body "$f")" = "notFound() failed" ] && length_ok "$f"
	st=$?
	[ $st = 0 ] || diag_file "$f" 5
	ok $st "GET of a 1023-byte URL: lua_run refuses the parameter (-1), the config answers 500"

	f=$out/close.http
	page_ok "$f" && [ "$(header "$f" Connection)" = close ] && [ "$(cat "$out/close.conn")" = closed ]
	st=$?
	[ $st = 0 ] || { diag_file "$f" 8; diag "connection: $(cat "$out/close.conn" 2>/dev/null)"; }
	ok $st "GET /stats with Connection: close: the page, \"Connection: close\" in the reply, the connection closed"

	f=$out/stats-3.http
	r3=$(counter "received requests" "$f")
	page_ok "$f" && [ "$r3" = $((r2 + 6)) ]
	ok $? "GET /stats at the end: received requests grew by 6 more ($r2 -> $r3)"

	# the same replies as Kamailio 5.6.3, byte for byte after norm.pl
	for c in stats-1 stats-2 notfound post url-1022 url-1023 close stats-3; do
		if [ ! -f "$golden/$c.http" ]; then
			ok 1 "$c: the same reply as Kamailio 5.6.3 (no golden/$name/$c.http: run capture.sh)"
			continue
		fi
		perl "$here/norm.pl" "$golden/$c.http" >"$tmp/$c.want"
		perl "$here/norm.pl" "$out/$c.http" >"$tmp/$c.got"
		if cmp -s "$tmp/$c.want" "$tmp/$c.got"; then
			ok 0 "$c: the same reply as Kamailio 5.6.3 (golden/$name/$c.http, normalized)"
		else
			ok 1 "$c: the same reply as Kamailio 5.6.3 (golden/$name/$c.http, normalized)"
			diff "$tmp/$c.want" "$tmp/$c.got" | cut -c1-300 | sed 's/\r/\\r/g; s/^/#   /' | head -n 20
		fi
	done

	server_stop
	if [ "$LUASAMPLES_SERVER" = kamailio ]; then
		[ "$stop_rc" != killed ]
	else
		[ "$stop_rc" = 0 ]
	fi
	ok $? "SIGTERM stops the server (exit status $stop_rc)"
	[ "$fails" -eq 0 ]
}
