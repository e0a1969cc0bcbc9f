#!/bin/sh
# Every event_route name used by a corpus config that Kamailio 5.6.3 accepts
# (manifest result "ok") is raised by some module in cfgc/data/kam-events.tsv
# (exactly, or under a name ending in ':' that stands for any suffix). TAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-$top/../shared/corpus}
events=$top/cfgc/data/kam-events.tsv
if [ ! -f "$corpus/manifest.tsv" ]; then
	echo "1..0 # SKIP no corpus at $corpus"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -F '\t' 'NR > 1 && $4 == "ok" { print $2 }' "$corpus/manifest.tsv" | sort -u >"$tmp/files"
while read -r f; do
	grep -v '^[[:space:]]*#[^!]' "$corpus/files/$f" |
		grep -oE 'event_route[[:space:]]*\[[[:space:]]*"?[^]"[:space:]]+' |
		sed -E 's/^event_route[[:space:]]*\[[[:space:]]*"?//' | sed "s|^|$f	|"
done <"$tmp/files" | sort -u >"$tmp/used"

grep -v '^#' "$events" | cut -f2 >"$tmp/known"
n=0
fail=0
while IFS='	' read -r file name; do
	n=$((n + 1))
	if awk -v e="$name" '
		$0 == e { found = 1 }
		/:$/ && substr(e, 1, length($0)) == $0 && length(e) > length($0) { found = 1 }
		END { exit !found }' "$tmp/known"; then
		echo "ok $n - event_route[$name] ($file)"
	else
		echo "not ok $n - event_route[$name] ($file) is raised by no module in kam-events.tsv"
		fail=1
	fi
done <"$tmp/used"
if [ "$n" -eq 0 ]; then
	echo "1..0 # SKIP no event_route in the ok configs"
	exit 0
fi
echo "1..$n"
exit $fail
