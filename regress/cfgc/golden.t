#!/bin/sh
# Golden listings: every regress/cfgc/NAME.cfg is compiled by `cfgc --dump`
# and the output (diagnostics, the listing with its settings and functions,
# then "exit: N") must equal NAME.lst byte for byte. A case that compiles
# is also written as a bytecode image (`cfgc -o`) whose `cfgc --dump` must
# give the same listing. Options for a case go on its first line:
# "# cfgc: --target=kamailio -A X". Rewrite the expectations after a
# deliberate change with `make golden` (GOLDEN=1), and review the diff.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
cd "$here" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
for f in *.cfg; do n=$((n + 2)); done
echo "1..$n"
i=0
for f in *.cfg; do
	name=${f%.cfg}
	opts=$(sed -n '1s/^# cfgc: //p' "$f")
	out=$( (eval "\"$CFGC\" --dump --color=never $opts \"$f\"" 2>&1; echo "exit: $?") )
	i=$((i + 1))
	if [ "${GOLDEN:-0}" = 1 ]; then
		printf '%s\n' "$out" >"$name.lst"
		echo "ok $i - $name (rewritten)"
	elif [ -f "$name.lst" ] && [ "$(cat "$name.lst")" = "$out" ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name"
		printf '%s\n' "$out" | diff "$name.lst" - | sed 's/^/# /' | head -40
	fi
	i=$((i + 1))
	if ! eval "\"$CFGC\" --color=never $opts -o \"$tmp/$name.svb\" \"$f\"" >/dev/null 2>&1; then
		if [ -e "$tmp/$name.svb" ]; then
			echo "not ok $i - $name: image written although the file has errors"
		else
			echo "ok $i - $name: no image (errors) # SKIP does not compile"
		fi
		continue
	fi
	eval "\"$CFGC\" --dump --color=never $opts \"$f\"" >"$tmp/cfg.lst" 2>/dev/null
	"$CFGC" --dump "$tmp/$name.svb" >"$tmp/svb.lst" 2>&1
	if cmp -s "$tmp/cfg.lst" "$tmp/svb.lst"; then
		echo "ok $i - $name: image gives the same listing"
	else
		echo "not ok $i - $name: image gives another listing"
		diff "$tmp/cfg.lst" "$tmp/svb.lst" | sed 's/^/# /' | head -20
	fi
done
