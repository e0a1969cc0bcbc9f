#!/bin/sh
# HTTP statistics page: the CPU time per request and the memory of
# Kamailio 5.6.3 (xhttp module) and of sipvm running the same config
# (xhttp.cfg, samples/stats.cfg's page: GET /stats answered by
# xhttp_reply with an HTML table of $stat counters), side by side in one
# run.
#
#   sh regress/bench/xhttp/run.sh
#
# Method (README.md beside this file has the last results):
#  - Everything runs in a private network namespace with only loopback up.
#    Servers: Kamailio with -x fm (its fastest memory manager), Kamailio
#    with its default (qm), and sipvm when `sipvm -f xhttp.cfg -l ...`
#    starts (until the server exists, its rows are skipped). All run at
#    once, each with the same number of workers (-n CHILDREN; Kamailio's
#    TCP workers default to the same number) on its own port, udp and tcp
#    (5060, 5062, 5064: the config's listen lines changed to it, the rest
#    the same), each from a private copy of its executable (and of
#    Kamailio's modules), so that no other process shares its pages.
#    And a floor (floor.c, one thread): a server that only counts the
#    blank lines ending requests and sends the page, frozen, for each;
#    its CPU per request is the kernel's part (epoll, recv, send over
#    loopback, wake-ups) that every server pays, so a ratio below its
#    own is out of reach.
#  - Each server is checked with curl first and last: status 200 and the
#    table in the body; with "Connection: close", the header in the reply
#    and the connection closed.
#  - wrk (one thread, CONNS connections, DURATION seconds, 2 s timeout)
#    sends `GET /stats` as fast as the server answers, over kept-alive
#    connections, then with "Connection: close" (one connection per
#    request: the config closes it), to each server in turn (the order
#    reversed every other round), ROUNDS rounds. wrk is a closed loop: the
#    rate is what the server sustained, both cores shared between it and
#    wrk (and the rest of the machine). Failures: wrk's socket errors
#    (connect, read, write, timeout) plus its non-2xx/3xx responses.
#  - CPU: user + system time of every process whose parent chain leads to
#    the server's PID (sipvm: its threads, in one process), read from
#    /proc before and after each wrk run (schedstat's nanoseconds, the same
#    run time as utime + stime of /proc/PID/stat without its 10 ms ticks;
#    the ticks where schedstat is missing or a thread ended); wrk's own
#    CPU is not in it. Divided by the requests wrk counted.
#  - Memory: proportional set size (/proc/PID/smaps_rollup Pss) summed
#    over the same processes, at idle after start and in the middle of
#    each run (the table shows the largest).
#  - The table shows, of the ROUNDS runs, the lowest CPU per request and
#    the highest rate; the ratio is that CPU over Kamailio's best for the
#    same workload; sipvm's target is 0.50 or less, with no more memory.
#
# Environment: DURATION (seconds per wrk run, default 4), CONNS (wrk
# connections, default 10), ROUNDS (default 2), CHILDREN (worker counts,
# default "2"; "2 1" adds the one-worker variant), SERVERS (default
# "kam-fm kam-qm sipvm floor"), SIPVM (default bin/sipvm), KAMAILIO_MODULES,
# KAM_COPY and SIPVM_COPY (0: run the installed files). Exit status 1
# when a server answers wrong, has failures or cannot be started, or no
# server could be measured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
bench_netns "$0" "$@"
bench_init
CFG=$here/xhttp.cfg
DURATION=${DURATION:-4}
CONNS=${CONNS:-10}
ROUNDS=${ROUNDS:-2}
CHILDREN=${CHILDREN:-2}
SERVERS=${SERVERS:-kam-fm kam-qm sipvm floor}
status=0

command -v wrk >/dev/null 2>&1 || fail "wrk is not installed (WITH_KAMAILIO=1 make deps)"
command -v curl >/dev/null 2>&1 || fail "curl is not installed"

# check_page NAME PORT: one GET /stats kept alive, one with "Connection:
# close"; both must be 200 with the table; the second must say
# "Connection: close" and close the connection
check_page() {
	url=http://127.0.0.1:$2/stats
	cok=1
	curl -sS -m 5 -o "$tmp/page-$1" -D "$tmp/head-$1" "$url" 2>"$tmp/curl-$1" </dev/null || cok=0
	head -1 "$tmp/head-$1" 2>/dev/null | grep -q '^HTTP/1\.[01] 200' || cok=0
	grep -q '<tr><td>received requests</td><td>[0-9][0-9]*</td></tr>' "$tmp/page-$1" 2>/dev/null || cok=0
	curl -sS -m 5 -v -H 'Connection: close' -o "$tmp/page2-$1" "$url" 2>"$tmp/curl2-$1" </dev/null || cok=0
	grep -q '<table>' "$tmp/page2-$1" 2>/dev/null || cok=0
	grep -qi '^\* Closing connection' "$tmp/curl2-$1" || cok=0
	grep -qi '^< Connection: close' "$tmp/curl2-$1" || cok=0
	[ $cok = 1 ] && return 0
	say "FAIL: $1: GET /stats answered wrong:"
	cat "$tmp/head-$1" "$tmp/page-$1" "$tmp/curl2-$1" 2>/dev/null | head -30 >&2
	return 1
}

# run_one NAME LABEL PORT CHILDREN WORKLOAD: one wrk run (WORKLOAD
# keepalive or close) against the server NAME (started), its row in the
# table; returns 1 on failures
run_one() {
	srv_use "$1"
	c0=$(tree_cpu "$spids")
	wst=0
	if [ "$5" = close ]; then
		wrk_run "$1-$5-$round" "http://127.0.0.1:$3/stats" "$CONNS" -H "Connection: close" ||
			wst=$?
	else
		wrk_run "$1-$5-$round" "http://127.0.0.1:$3/stats" "$CONNS" || wst=$?
	fi
	c1=$(tree_cpu "$spids")
	cpu=$(cpu_delta_ns "$c0" "$c1")
	us=""
	[ "$reqs" -gt 0 ] && us=$(calc 'sprintf("%.3f", c / q / 1e3)' -v c="$cpu" -v q="$reqs")
	pl=$(tree_pss_kb "$spids")
	[ "$pl" -gt "$pss_load" ] && pss_load=$pl
	note=""
	[ $wst = 0 ] || note="wrk failed"
	if ! kill -0 "$spid" 2>/dev/null; then
		note="${note:+$note; }server died"
		wst=1
	elif [ "$(tree_pids "$spid")" != "$spids" ]; then
		note="${note:+$note; }processes changed"
	fi
	row "GET /stats $5 c=$CONNS n=$4" max "$(echo "$2" | tr _ ' ')" "$us" "$werr" "$(cat "$tmp/idle-$1")" "$pss_load" "$note" "$wrate"
	say "$1: $5: $reqs requests ($wrate/s), $werr errors, CPU $(calc 'c / 1e6' -v c="$cpu") ms, ${us:-?} µs per request, PSS $pss_load kB${note:+ ($note)}"
	[ "$werr" = 0 ] && [ $wst = 0 ]
}

# the servers that run here, one "NAME LABEL-WORD" a line (sipvm: when
# its server starts)
: >"$tmp/list"
for s in $SERVERS; do
	case $s in
	kam-fm | kam-qm) kam_usable && echo "$s kamailio_(${s#kam-})" >>"$tmp/list" ;;
	sipvm)
		if sipvm_usable "$CFG" tcp 5060 "127.0.0.1:5060"; then
			echo "sipvm sipvm" >>"$tmp/list"
		fi
		;;
	floor)
		# the floor: floor.c, the kernel's part of a request alone
		if cc -O2 -o "$tmp/floor" "$here/floor.c" 2>"$tmp/floor-cc.log"; then
			echo "floor floor_(epoll)" >>"$tmp/list"
		else
			say "floor: skipped, floor.c does not compile: $(head -1 "$tmp/floor-cc.log")"
		fi
		;;
	*) fail "unknown server $s (SERVERS: kam-fm kam-qm sipvm floor)" ;;
	esac
done
[ -s "$tmp/list" ] || fail "no server can be measured here"

for ch in $CHILDREN; do
	# start them all, each on its port, and check their page
	port=5060
	: >"$tmp/up"
	while read -r s label; do
		name=$s-n$ch
		cfg=$(cfg_on_port "$CFG" $port)
		case $s in
		kam-*)
			# shellcheck disable=SC2046
			set -- $(kam_cmd "$name" "${s#kam-}" "$ch" "$cfg")
			ready=""
			;;
		sipvm)
			set -- "$SIPVM_RUN" -f "$cfg" -l "127.0.0.1:$port" -n "$ch"
			ready="sipvm: ready"
			;;
		floor)
			set -- "$tmp/floor" $port
			ready="floor: ready"
			;;
		esac
		if srv_start "$name" tcp $port "$ready" "$@"; then
			if check_page "$name" $port; then
				echo "$name $label $port" >>"$tmp/up"
				tree_pss_kb "$spids" >"$tmp/idle-$name"
				say "$name: $(echo "$spids" | wc -w) processes, PSS $(cat "$tmp/idle-$name") kB at idle, GET /stats checked"
			else
				srv_stop
				status=1
			fi
		else
			tail -5 "$tmp/$name.log" >&2
			status=1
		fi
		port=$((port + 2))
	done <"$tmp/list"

	round=0
	while [ $round -lt "$ROUNDS" ]; do
		round=$((round + 1))
		order=$tmp/up
		if [ $((round % 2)) = 0 ]; then
			awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$tmp/up" >"$tmp/up-rev"
			order=$tmp/up-rev
		fi
		for w in keepalive close; do
			while read -r name label port; do
				run_one "$name" "$label" "$port" "$ch" "$w" || status=1
			done <"$order"
		done
	done
	while read -r name label port; do
		check_page "$name" "$port" || status=1
		srv_stop "$name"
	done <"$tmp/up"
done

table "GET /stats (xhttp_reply), wrk -t1 -c $CONNS, $DURATION s per run, lowest CPU and highest rate of $ROUNDS rounds; ratio: CPU over Kamailio's best"
[ $status = 0 ] || fail "a server could not be started, answered wrong or had failures"
