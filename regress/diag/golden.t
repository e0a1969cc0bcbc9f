#!/bin/sh
# Golden diagnostics: every regress/diag/NAME.cfg is checked by cfgc and
# the output (diagnostics, then "exit: N") must equal NAME.err byte for
# byte. Options for a case go on its first line: "# cfgc: --target=kamailio -A X".
# Rewrite the expectations after a deliberate change with `make golden`
# (GOLDEN=1), and review them as a diff.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
cd "$here" || exit 1
n=0
for f in *.cfg; do n=$((n + 1)); done
echo "1..$n"
i=0
for f in *.cfg; do
	i=$((i + 1))
	name=${f%.cfg}
	opts=$(sed -n '1s/^# cfgc: //p' "$f")
	out=$( (eval "\"$CFGC\" --check --color=never $opts \"$f\"" 2>&1; echo "exit: $?") )
	if [ "${GOLDEN:-0}" = 1 ]; then
		printf '%s\n' "$out" >"$name.err"
		echo "ok $i - $name (rewritten)"
	elif [ -f "$name.err" ] && [ "$(cat "$name.err")" = "$out" ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name"
		printf '%s\n' "$out" | diff "$name.err" - | sed 's/^/# /' | head -40
	fi
done
