#!/bin/sh
# Generated code against Kamailio 5.6.3: semantics.cfg run by
# `sipvm --dry-run` on an OPTIONS request must print exactly the RESULT
# lines Kamailio 5.6.3 printed for the same statements (semantics.expect,
# recorded from a real instance). Skipped when sipvm is not built.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
SIPVM=${SIPVM:-$(dirname "$CFGC")/sipvm}
if [ ! -x "$SIPVM" ]; then
	echo "1..0 # SKIP no sipvm at $SIPVM"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf 'OPTIONS sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:bob@example.org>;tag=ft1\r\nTo: <sip:alice@example.com>\r\nCall-ID: id-1\r\nCSeq: 10 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' >"$tmp/options.sip"
"$SIPVM" --dry-run -f "$here/semantics.cfg" --msg "$tmp/options.sip" >"$tmp/out" 2>&1
grep '<script>: RESULT ' "$tmp/out" | sed 's/.*<script>: //' >"$tmp/got"
n=$(wc -l <"$here/semantics.expect")
echo "1..$((n + 1))"
i=0
while IFS= read -r want; do
	i=$((i + 1))
	got=$(sed -n "${i}p" "$tmp/got")
	if [ "$got" = "$want" ]; then
		echo "ok $i - $want"
	else
		echo "not ok $i - $want (got: ${got:-nothing})"
	fi
done <"$here/semantics.expect"
i=$((i + 1))
if [ "$(wc -l <"$tmp/got")" -eq "$n" ]; then
	echo "ok $i - no other RESULT line"
else
	echo "not ok $i - $(wc -l <"$tmp/got") RESULT lines, $n expected"
	sed 's/^/# /' "$tmp/out" | head -20
fi
