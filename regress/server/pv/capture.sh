#!/bin/sh
# Regenerate golden.txt from Kamailio 5.6.3 (Debian package), in a
# private network namespace:  sh regress/server/pv/capture.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec unshare -n sh -c '
ip link set lo up
kamailio -L /usr/lib/x86_64-linux-gnu/kamailio/modules -f "$0/pv.cfg" -DD -E -x fm 2>/tmp/pv-kamailio.log &
pid=$!
sleep 2
python3 "$0/client.py" >"$0/golden.txt"
kill -TERM $pid
wait $pid || true
' "$here"
