#!/bin/sh
# Every config under samples/ passes `cfgc --check` with no error and no
# warning, against sipvm's own modules (what the server runs) and against
# Kamailio 5.6.3's; and, when Kamailio is installed, `kamailio -c` accepts
# it too (in a private network namespace, as its listen addresses are
# checked). TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
KAMAILIO=${KAMAILIO:-kamailio}
MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
cd "$top" || exit 1
set -- samples/*.cfg
echo "1..$(($# * 3))"
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
	i=$((i + 1))
	if ! command -v "$KAMAILIO" >/dev/null 2>&1 || [ ! -d "$MODULES" ]; then
		echo "ok $i # SKIP $f: Kamailio 5.6.3 is not installed (WITH_KAMAILIO=1 make deps)"
	elif ! unshare -n true 2>/dev/null; then
		echo "ok $i # SKIP $f: cannot create a network namespace for kamailio -c"
	elif out=$(unshare -n sh -c 'ip link set lo up && exec "$0" -c -L "$1" -f "$2"' \
		"$KAMAILIO" "$MODULES" "$f" 2>&1); then
		echo "ok $i - $f (kamailio -c)"
	else
		echo "not ok $i - $f (kamailio -c)"
		printf '%s\n' "$out" | grep -E 'ERROR|CRITICAL' | head -n 10 | sed 's/^/# /'
	fi
done
