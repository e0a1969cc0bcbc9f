#!/bin/sh
# `make run`: check every sample config with cfgc. The server (bin/sipvm)
# that will run them comes later; until then this is what `run` can do.
#
#   sh scripts/run-sample.sh      (CFGC=path overrides bin/cfgc)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
CFGC=${CFGC:-bin/cfgc}

if [ ! -x "$CFGC" ]; then
	echo "run-sample: $CFGC not built (run make)" >&2
	exit 1
fi

n=0
bad=0
for cfg in samples/*.cfg; do
	[ -f "$cfg" ] || continue
	n=$((n + 1))
	echo "== $CFGC --check $cfg"
	if "$CFGC" --check "$cfg"; then
		echo "   ok"
	else
		bad=$((bad + 1))
	fi
done
[ "$n" -gt 0 ] || echo "run-sample: no samples/*.cfg"
echo "$n sample configs checked, $bad with errors."
echo "The server that runs them (bin/sipvm) is not built yet; it comes later."
[ "$bad" -eq 0 ]
