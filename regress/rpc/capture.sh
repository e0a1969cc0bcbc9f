#!/bin/sh
# Rewrite regress/rpc/golden/*.golden with what Kamailio 5.6.3 answers to
# the requests of cases.txt (and, started with -A NOPRETTY, of
# cases-nopretty.txt as golden/np-*.golden): it runs kamailio with rpc.cfg
# (127.0.0.1:5060, udp and tcp) inside a new network namespace, in a
# scratch folder holding reply.lua (its working directory, -w), sends the cases in order with curl and
# keeps each reply as it came. rpc.t then compares sipvm with them.
# Review the result with `git diff regress/rpc/golden`.
#
#   sh regress/rpc/capture.sh        (KAMAILIO, MODULES override the paths)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
KAMAILIO=${KAMAILIO:-kamailio}
MODULES=${MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
if [ -z "${RPC_NETNS:-}" ]; then
	ns=-n
	[ "$(id -u)" = 0 ] || ns=-rn
	exec unshare $ns env RPC_NETNS=1 sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
case $("$KAMAILIO" -v 2>&1 | head -n 1) in
*" 5.6.3 "*) ;;
*) echo "capture: $KAMAILIO is not Kamailio 5.6.3" >&2; exit 1 ;;
esac
. "$here/lib.sh"
tmp=$(mktemp -d)
kpid=""
trap '[ -z "$kpid" ] || kill "$kpid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
cp "$here/rpc.cfg" "$here/reply.lua" "$tmp/"
cd "$tmp"

# start DEFINES...: kamailio in $tmp, ready when both sockets are bound
start() {
	"$KAMAILIO" -f rpc.cfg -L "$MODULES" -DD -E -m 64 -M 8 -w "$tmp" "$@" >>kamailio.log 2>&1 &
	kpid=$!
	i=0
	until ss -Hlnu 'sport = :5060' | grep -q . && ss -Hlnt 'sport = :5060' | grep -q .; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$kpid" 2>/dev/null; then
			cat kamailio.log >&2
			echo "capture: kamailio did not start" >&2
			exit 1
		fi
		sleep 0.1
	done
	sleep 1
}
stop() {
	kill "$kpid"
	wait "$kpid" || true
	kpid=""
}

# one NAME FLAGS PATH BODYFILE
prefix=""
one() {
	case ",$2," in *,broken,*) broken_lua reply.lua ;; esac
	send_case 5060 "$3" "$4" "$here/golden/$prefix$1.golden" || true
	case ",$2," in *,broken,*) cp "$here/reply.lua" reply.lua ;; esac
	printf '%s%s: %s\n' "$prefix" "$1" "$(head -n 1 "$here/golden/$prefix$1.golden" | tr -d '\r')"
}

start
each_case "$here/cases.txt" one
stop
prefix=np-
start -A NOPRETTY
each_case "$here/cases-nopretty.txt" one
stop
grep -E 'ERROR' kamailio.log | grep -v -e load_tm_api | sed 's/^/kamailio: /' || true
