#!/bin/sh
# The Lua API cases (regress/lua/cases/*.cfg, format in lib.sh) on
# `sipvm --dry-run`: each case's script lines, replies and sent messages
# against the expectations written in it, which are Kamailio 5.6.3's
# answers (regress/lua/kamailio.sh checks them on the real thing).
#
#   SIPVM=bin/sipvm regress/lua/cases.t [CASE...]
set -u
luadir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$luadir/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
. "$luadir/lib.sh"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$luadir" || exit 1

if [ $# -gt 0 ]; then
	cases="$*"
else
	cases=$(ls cases/*.cfg | LC_ALL=C sort)
fi

# app_lua_sr is a module of its own since Kamailio 5.3; a registry that
# does not list it yet runs the cases without the loadmodule line.
defs=""
printf 'loadmodule "app_lua_sr.so"\nrequest_route { exit; }\n' >"$tmp/sr.cfg"
if ! "$SIPVM" --dry-run -f "$tmp/sr.cfg" --msg "$luadir/../lang/msg/options.sip" >/dev/null 2>&1; then
	defs="-A NO_APP_LUA_SR"
fi

set -- $cases
echo "1..$(($# + 1))"
n=0
if [ -z "$defs" ]; then
	n=$((n + 1)); echo "ok $n - loadmodule \"app_lua_sr.so\" is accepted"
else
	n=$((n + 1)); echo "not ok $n - loadmodule \"app_lua_sr.so\" is accepted # TODO the registry has no app_lua_sr yet"
fi
for c in "$@"; do
	n=$((n + 1))
	name=$(basename "$c" .cfg)
	set --
	for m in $(case_msgs "$c"); do set -- "$@" --msg "$m"; done
	"$SIPVM" --dry-run $defs -f "$c" "$@" >"$tmp/out" 2>"$tmp/err"
	sipvm_lines "$tmp/err" >"$tmp/lines"
	sipvm_replies "$tmp/out" >"$tmp/replies"
	res=$(case_check "$c" "$tmp/lines" "$tmp/replies" "$tmp/out" sipvm)
	todo=""
	need=$(sed -n 's/^# sipvm-needs:[[:space:]]*//p' "$c" | head -1)
	if [ -n "$need" ] && ! grep -q "$need" "$top/runtime/rt.h" 2>/dev/null; then
		todo=" # TODO the runtime has no $need yet"
	fi
	if [ -z "$res" ]; then
		echo "ok $n - $name$todo"
	else
		echo "not ok $n - $name: $res$todo"
		if [ -n "${VERBOSE:-}" ]; then
			sed 's/^/#   err: /' "$tmp/err"
			sed 's/^/#   out: /' "$tmp/out"
		fi
	fi
done
