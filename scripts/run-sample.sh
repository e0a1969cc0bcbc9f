#!/bin/sh
# `make run` (after `make all`): check every sample config with cfgc, then
# run the default sample, samples/stats.cfg, in the foreground: SIP and
# HTTP on 127.0.0.1:5060 (udp and tcp), log lines on stderr. Ctrl-C or
# SIGTERM stops it, SIGHUP reloads the file.
#
#   sh scripts/run-sample.sh [SIPVM-OPTIONS...]
#
# Options go to sipvm after `-f samples/stats.cfg`, e.g.
# `-l udp:127.0.0.1:5070 -l tcp:127.0.0.1:5070` to listen elsewhere.
# Environment: CFGC (default bin/cfgc), SIPVM (default bin/sipvm), SAMPLE
# (the config to run, default samples/stats.cfg).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
CFGC=${CFGC:-bin/cfgc}
SIPVM=${SIPVM:-bin/sipvm}
SAMPLE=${SAMPLE:-samples/stats.cfg}

for p in "$CFGC" "$SIPVM"; do
	if [ ! -x "$p" ]; then
		echo "run-sample: $p not built (run make)" >&2
		exit 1
	fi
done

n=0
bad=0
for cfg in samples/*.cfg; do
	[ -f "$cfg" ] || continue
	n=$((n + 1))
	if "$CFGC" --check "$cfg"; then
		echo "run-sample: $cfg: checked, no error"
	else
		bad=$((bad + 1))
	fi
done
if [ "$bad" -ne 0 ]; then
	echo "run-sample: $bad of $n sample configs have errors; not starting" >&2
	exit 1
fi

cat <<MSG
run-sample: starting $SIPVM -f $SAMPLE $*
  SIP:  sipp -sf regress/e2e/sipp/options.xml -m 1 127.0.0.1:5060   (one OPTIONS, 200 OK)
  HTTP: curl http://127.0.0.1:5060/stats
  Ctrl-C (or kill -TERM) stops it, kill -HUP reloads $SAMPLE.
MSG
exec "$SIPVM" -f "$SAMPLE" "$@"
