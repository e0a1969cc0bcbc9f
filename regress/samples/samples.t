#!/bin/sh
# Every config under samples/ passes `cfgc --check` with no error and no
# warning, against sipvm's own modules (what the server will run) and
# against Kamailio 5.6.3's. TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
cd "$top" || exit 1
set -- samples/*.cfg
echo "1..$(($# * 2))"
i=0
for f in "$@"; do
	for target in sipvm kamailio; do
		i=$((i + 1))
		if out=$("$CFGC" --check --werror --target=$target "$f" 2>&1); then
			echo "ok $i - $f (target $target)"
		else
			echo "not ok $i - $f (target $target)"
			printf '%s\n' "$out" | sed 's/^/# /'
		fi
	done
done
