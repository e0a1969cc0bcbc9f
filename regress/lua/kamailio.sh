#!/bin/sh
# kamailio.sh — run the Lua API cases (regress/lua/cases/*.cfg) on the
# real Kamailio 5.6.3 (app_lua and app_lua_sr) and check the expectations
# written in them, so that they are Kamailio's own answers. A developer
# tool, not part of `make test` (it needs Kamailio, root for unshare, and
# python3).
#
#   sh regress/lua/kamailio.sh [CASE...]
#   SHOW=1   print the script lines and replies of every case
#   KAMAILIO, KAMAILIO_MODULES   the binary and its module folder
#
# Prints `ok N - case` or `not ok N - case: ...` and "N passed, N failed".
set -u
luadir=$(cd "$(dirname "$0")" && pwd)
KAMAILIO=${KAMAILIO:-kamailio}
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
if [ -z "${LUA_NETNS:-}" ]; then
	exec unshare -n env LUA_NETNS=1 sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
. "$luadir/lib.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$luadir" || exit 1
[ $# -gt 0 ] || set -- $(ls cases/*.cfg | LC_ALL=C sort)

n=0; pass=0; fail=0
for c in "$@"; do
	n=$((n + 1))
	port=$((21000 + n))
	name=$(basename "$c" .cfg)
	setsid "$KAMAILIO" -L "$KAMAILIO_MODULES" -f "$c" -E -DD -T -S -w "$luadir" -l "udp:127.0.0.1:$port" \
		-m 64 -M 8 -Y "$tmp" >/dev/null 2>"$tmp/log" &
	pid=$!
	timeout 30 python3 "$luadir/../lang/sipsend.py" --port-wait 10 --pid "$pid" \
		"127.0.0.1:$port" $(case_msgs "$c") >"$tmp/rep"
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
	kill -KILL "$pid" 2>/dev/null
	kamailio_lines "$tmp/log" >"$tmp/lines"
	kamailio_replies "$tmp/rep" >"$tmp/replies"
	if [ -n "${SHOW:-}" ]; then
		echo "# --- $name"
		sed 's/^/# expect: /' "$tmp/lines"
		sed 's/^/# expect-reply: /' "$tmp/replies"
	fi
	res=$(case_check "$c" "$tmp/lines" "$tmp/replies" "" kamailio)
	if [ -z "$res" ]; then
		echo "ok $n - $name"; pass=$((pass + 1))
	else
		echo "not ok $n - $name: $res"; fail=$((fail + 1))
		[ -n "${VERBOSE:-}" ] && grep -v DEBUG "$tmp/log" | sed 's/^/#   /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
