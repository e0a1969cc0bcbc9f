#!/bin/sh
# Message PVs over real traffic: SIP over UDP and TCP, HTTP over TCP and
# UDP, from fixed source ports, to sipvm running pv.cfg; the replies
# (which carry what the routes read) must be Kamailio 5.6.3's, captured in
# golden.txt by capture.sh, but for To-tag values and the Server line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
if [ -z "${SIPVM_NETNS:-}" ]; then
	exec unshare -n env SIPVM_NETNS=1 SIPVM="$SIPVM" sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
echo "1..5"
"$SIPVM" -f "$here/pv.cfg" 2>"$tmp/log" &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'sipvm: ready' "$tmp/log"; do sleep 0.1; i=$((i + 1)); done
python3 "$here/client.py" >"$tmp/got.txt" 2>"$tmp/err"
n=0
for part in "SIP over UDP" "SIP over TCP" "HTTP over TCP" "HTTP over UDP"; do
	n=$((n + 1))
	awk -v p="=== $part" '$0 == p { on = 1; next } /^=== / { on = 0 } on' "$here/golden.txt" >"$tmp/want.$n"
	awk -v p="=== $part" '$0 == p { on = 1; next } /^=== / { on = 0 } on' "$tmp/got.txt" >"$tmp/have.$n"
	if [ -s "$tmp/have.$n" ] && cmp -s "$tmp/want.$n" "$tmp/have.$n"; then
		echo "ok $n - $part: the reply is Kamailio's, PVs included"
	else
		echo "not ok $n - $part: the reply differs from Kamailio's"
		diff "$tmp/want.$n" "$tmp/have.$n" | sed 's/^/# /'
		sed 's/^/# /' "$tmp/err"
	fi
done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 0 ] && echo "ok 5 - SIGTERM: status 0" || echo "not ok 5 - SIGTERM: status $rc"
