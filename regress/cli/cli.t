#!/bin/sh
# The cfgc command as a user meets it: exit statuses, options, JSON output,
# hostile input. TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { # description, expected exit, command...
	d=$1; want=$2; shift 2
	"$@" >"$tmp/out" 2>&1 </dev/null
	got=$?
	if [ "$got" = "$want" ]; then ok "$d"; else nok "$d (exit $got, want $want)"; sed 's/^/# /' "$tmp/out" | head -5; fi
}
contains() { # description, pattern (in $tmp/out)
	if grep -q -- "$2" "$tmp/out"; then ok "$1"; else nok "$1"; sed 's/^/# /' "$tmp/out" | head -5; fi
}

echo "1..24"
cat >"$tmp/good.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	sl_send_reply("200", "OK");
}
CFG
cat >"$tmp/warn.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	sl_send_reply("200", "OK");
}
route[UNUSED] {
	exit;
}
CFG
cat >"$tmp/bad.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	sl_send_replyy("200", "OK");
}
CFG
check "clean config: exit 0" 0 "$CFGC" --check "$tmp/good.cfg"
check "warnings only: exit 0" 0 "$CFGC" --check "$tmp/warn.cfg"
contains "the warning is printed" "warning: route\[UNUSED\] is never used"
check "warnings with --werror: exit 1" 1 "$CFGC" --check --werror "$tmp/warn.cfg"
check "an error: exit 1" 1 "$CFGC" --check "$tmp/bad.cfg"
contains "file:line:col: error: first" "bad.cfg:3:2: error: unknown function 'sl_send_replyy'"
contains "summary line" "^1 error, 0 warnings$"
check "unreadable file: exit 2" 2 "$CFGC" --check "$tmp/nosuch.cfg"
check "unknown option: exit 2" 2 "$CFGC" --frobnicate "$tmp/good.cfg"
check "unknown target: exit 2" 2 "$CFGC" --check --target=opensips "$tmp/good.cfg"
check "no file: exit 2" 2 "$CFGC" --check
check "--json: exit 1 on an error" 1 "$CFGC" --check --json "$tmp/bad.cfg"
contains "--json carries the code" '"code":"unknown-function"'
contains "--json carries line and column" '"line":3,"column":2'

cat >"$tmp/defs.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
#!ifdef WITH_X
	sl_send_replyy("200", "OK");
#!endif
	sl_send_reply("200", "OK");
}
CFG
check "-A defines: block inactive without it" 0 "$CFGC" --check "$tmp/defs.cfg"
check "-A WITH_X activates it" 1 "$CFGC" --check -A WITH_X "$tmp/defs.cfg"
check "-D NAME=VALUE is accepted as -A" 1 "$CFGC" --check -DWITH_X=1 "$tmp/defs.cfg"

mkdir -p "$tmp/incdir"
printf 'route[INC] {\n\texit;\n}\n' >"$tmp/incdir/part.cfg"
printf 'include_file "part.cfg"\nrequest_route {\n\troute(INC);\n}\n' >"$tmp/inc.cfg"
check "-I finds include files" 0 sh -c 'cd / && exec "$0" --check -I "$1" "$2"' "$CFGC" "$tmp/incdir" "$tmp/inc.cfg"

# hostile input: never a crash, always a verdict
awk 'BEGIN { printf "request_route {\n\t$var(x) = 1"; for (i = 0; i < 100000; i++) printf " + 1"; print ";\n}" }' >"$tmp/deep.cfg"
check "a 100,000-term expression is refused, not a crash" 1 "$CFGC" --check "$tmp/deep.cfg"
awk 'BEGIN { printf "request_route {\n"; for (i = 0; i < 5000; i++) printf "if (1) {\n"; printf "exit;\n"; for (i = 0; i < 5000; i++) printf "}\n"; print "}" }' >"$tmp/nest.cfg"
"$CFGC" --check "$tmp/nest.cfg" >/dev/null 2>&1
rc=$?; if [ "$rc" -le 1 ]; then ok "5,000 nested blocks: a verdict ($rc)"; else nok "5,000 nested blocks (exit $rc)"; fi
head -c 20000 /dev/urandom >"$tmp/garbage.cfg" 2>/dev/null || dd if=/dev/urandom of="$tmp/garbage.cfg" bs=1000 count=20 2>/dev/null
check "binary garbage: exit 1, no crash" 1 "$CFGC" --check "$tmp/garbage.cfg"
: >"$tmp/empty.cfg"
check "an empty file is valid (with a warning)" 0 "$CFGC" --check "$tmp/empty.cfg"
printf '#!ifdef A\n#!ifdef B\nrequest_route { exit; }\n' >"$tmp/unclosed.cfg"
check "unclosed #!ifdef: exit 1" 1 "$CFGC" --check "$tmp/unclosed.cfg"
contains "points at the opening line" "unclosed.cfg:1:1: error: '#!ifdef A' is never closed"
