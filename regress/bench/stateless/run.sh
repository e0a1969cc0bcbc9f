#!/bin/sh
# Stateless OPTIONS: the CPU time per request and the memory of Kamailio
# 5.6.3 and of sipvm running the same config, side by side in one run.
# Two workloads: "sl", stateless.cfg answers every OPTIONS "200 OK" by
# sl_send_reply; "fwd", stateless.cfg with -A WITH_FORWARD forwards every
# OPTIONS statelessly to a sipp UAS (uas-options.xml on 127.0.0.1:5090)
# and its 200 back to the UAC (two messages in and two out per request).
#
#   sh regress/bench/stateless/run.sh
#
# Method (README.md beside this file has the last results):
#  - Everything runs in a private network namespace with only loopback up.
#    Servers: Kamailio with -x fm (its fastest memory manager), Kamailio
#    with its default (qm), and sipvm when `sipvm -f stateless.cfg -l ...`
#    starts (until the server exists, its rows are skipped). All run at
#    once, each with the same number of workers (-n CHILDREN) on its own
#    port (5060, 5062, 5064: the config's listen line changed to it, the
#    rest the same), each from a private copy of its executable (and of
#    Kamailio's modules), so that no other process shares its pages.
#  - For each workload, the servers are started; for each rate of RATES
#    (FWD_RATES for fwd) in turn, sipp (uac-options.xml: one OPTIONS a
#    call, a 200 expected) sends RATE x DURATION requests to each server
#    in turn (the order reversed every other round), without
#    retransmissions (-nr) and with a 4 MB receive buffer: a request
#    without its 200 within 5 s is a failed call. The servers are compared
#    seconds apart, under the same load of the rest of the machine. A
#    server is not sent higher rates in a round after one with failures;
#    the highest rate with none is printed per round. ROUNDS rounds.
#  - CPU: user + system time of every process whose parent chain leads to
#    the server's PID (sipvm: its threads, in one process), read from
#    /proc before and after each sipp run (schedstat's nanoseconds, the
#    same run time as utime + stime of /proc/PID/stat without its 10 ms
#    ticks; the ticks where schedstat is missing or a thread ended); sipp's
#    own CPU is not in it. Divided by the requests sent. Idle timers are
#    not subtracted (their CPU per second is logged: small beside the
#    traffic).
#  - Memory: proportional set size (/proc/PID/smaps_rollup Pss) summed
#    over the same processes, at idle after start and in the middle of
#    each run (the table shows the largest).
#  - Failures: sipp's failed calls; the note says where datagrams were
#    dropped (the server's socket, the UAS's or sipp's, from /proc/net/udp
#    and /proc/net/snmp) and when sipp could not keep the rate.
#  - The table shows, of the ROUNDS runs, the lowest CPU per request; the
#    ratio is that over Kamailio's best at the same rate; sipvm's target
#    is 0.50 or less, with no more memory.
#
# Environment: WORKLOADS (default "sl fwd"), RATES (default "2000 5000
# 10000 20000"), FWD_RATES (default "2000 5000 10000"), DURATION (seconds
# of traffic per run, default 3), ROUNDS (default 2), CHILDREN (worker
# counts, default "2"; "2 1" adds the one-worker variant), SERVERS
# (default "kam-fm kam-qm sipvm"), SIPVM (default bin/sipvm),
# KAMAILIO_MODULES, KAM_COPY and SIPVM_COPY (0: run the installed files).
# Exit status 1 when a server fails at the lowest rate or cannot be
# started, or no server could be measured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
bench_netns "$0" "$@"
bench_init
CFG=$here/stateless.cfg
SIPP_PORT=5070
UAS_PORT=5090
WORKLOADS=${WORKLOADS:-sl fwd}
RATES=${RATES:-2000 5000 10000 20000}
FWD_RATES=${FWD_RATES:-2000 5000 10000}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-2}
CHILDREN=${CHILDREN:-2}
SERVERS=${SERVERS:-kam-fm kam-qm sipvm}
status=0
: >"$tmp/best"

command -v sipp >/dev/null 2>&1 || fail "sipp is not installed (Debian package sip-tester)"

# sipp_run NAME PORT RATE COUNT: COUNT OPTIONS at RATE/s to 127.0.0.1:PORT;
# sets ok (successful calls), crate (sipp's rate, calls/s) and pss_load
# (the server's PSS in the middle of the run); returns sipp's status.
# Bounded: sipp's own -timeout and timeout(1) above it.
sipp_run() {
	lim=$(($4 * 2 / $3 + 15))
	rc=0
	(cd "$tmp" && exec timeout -k 2 $((lim + 10)) sipp -sf "$here/uac-options.xml" \
		-m "$4" -r "$3" -rp 1000 -nr -buff_size 4194304 -recv_timeout 5000 -timeout "${lim}s" \
		-i 127.0.0.1 -p "$SIPP_PORT" -nostdin 127.0.0.1:"$2" \
		>"$tmp/sipp-$1.out" 2>&1 </dev/null) &
	bgpid=$!
	sleep "$(calc 'd / 2' -v d="$DURATION")"
	pss_load=$(tree_pss_kb "$spids")
	wait "$bgpid" || rc=$?
	bgpid=""
	ok=$(awk -F'|' '/Successful call/ { gsub(/ /, "", $3); print $3 }' "$tmp/sipp-$1.out" | tail -1)
	crate=$(awk -F'|' '/Call Rate/ { gsub(/ |cps/, "", $3); print $3 }' "$tmp/sipp-$1.out" | tail -1)
	ok=${ok:-0}
	crate=${crate:-0}
	return $rc
}

# run_one NAME LABEL PORT CHILDREN RATE: one sipp run against the server
# NAME (started), its row in the table (workload $wl); returns 1 when it
# had failures
run_one() {
	srv_use "$1"
	count=$(($5 * DURATION))
	d0=$(udp_drops "$3")
	u0=$(udp_drops $UAS_PORT)
	e0=$(udp_rcvbuf_errors)
	c0=$(tree_cpu "$spids")
	src=0
	sipp_run "$1-$wl-$5-$round" "$3" "$5" "$count" || src=$?
	c1=$(tree_cpu "$spids")
	cpu=$(cpu_delta_ns "$c0" "$c1")
	us=$(calc 'sprintf("%.3f", c / q / 1e3)' -v c="$cpu" -v q="$count")
	pl=$(tree_pss_kb "$spids")
	[ "$pl" -gt "$pss_load" ] && pss_load=$pl
	nfail=$((count - ok))
	sdrop=$(($(udp_drops "$3") - d0))
	udrop=$(($(udp_drops $UAS_PORT) - u0))
	cdrop=$(($(udp_rcvbuf_errors) - e0 - sdrop - udrop))
	note=""
	[ "$sdrop" = 0 ] || note="server dropped $sdrop"
	[ "$udrop" = 0 ] || note="${note:+$note; }UAS dropped $udrop"
	[ "$cdrop" = 0 ] || note="${note:+$note; }sipp dropped $cdrop"
	# (with failures, sipp's rate counts its 5 s wait for the last replies)
	[ "$nfail" != 0 ] || [ "$(calc 'r < 0.95 * t' -v r="$crate" -v t="$5")" = 0 ] ||
		note="${note:+$note; }sipp at $(calc 'sprintf("%.0f", r)' -v r="$crate")/s"
	[ "$src" = 0 ] || [ "$nfail" != 0 ] || note="${note:+$note; }sipp exit $src"
	if ! kill -0 "$spid" 2>/dev/null; then
		note="${note:+$note; }server died"
		nfail=$((nfail + 1))
	elif [ "$(tree_pids "$spid")" != "$spids" ]; then
		note="${note:+$note; }processes changed"
	fi
	row "OPTIONS $wl n=$4" "$5" "$(echo "$2" | tr _ ' ')" "$us" "$nfail" "$(cat "$tmp/idle-$1")" "$pss_load" "$note"
	say "$1: $5/s (sipp: $crate/s), $ok/$count answered, CPU $(calc 'c / 1e6' -v c="$cpu") ms, $us µs per request, PSS $pss_load kB${note:+ ($note)}"
	[ "$nfail" = 0 ] && return 0
	grep -E 'Failed call' "$tmp/sipp-$1-$wl-$5-$round.out" | head -1 >&2 || true
	return 1
}

# the servers that run here, one "NAME LABEL-WORD" a line (sipvm: when
# its server starts)
: >"$tmp/list"
for s in $SERVERS; do
	case $s in
	kam-fm | kam-qm) kam_usable && echo "$s kamailio_(${s#kam-})" >>"$tmp/list" ;;
	sipvm)
		if sipvm_usable "$CFG" udp 5060 "udp:127.0.0.1:5060"; then
			echo "sipvm sipvm" >>"$tmp/list"
		fi
		;;
	*) fail "unknown server $s (SERVERS: kam-fm kam-qm sipvm)" ;;
	esac
done
[ -s "$tmp/list" ] || fail "no server can be measured here"

# the UAS of the fwd workload, for the whole run (bounded)
case " $WORKLOADS " in
*" fwd "*)
	(cd "$tmp" && exec timeout -k 2 1800 sipp -sf "$here/uas-options.xml" -i 127.0.0.1 -p $UAS_PORT \
		-buff_size 4194304 -nostdin >"$tmp/uas.out" 2>&1 </dev/null) &
	helper_add $!
	i=0
	until listening udp $UAS_PORT; do
		i=$((i + 1))
		[ $i -lt 50 ] || { cat "$tmp/uas.out" >&2; fail "the sipp UAS does not start"; }
		sleep 0.1
	done
	;;
esac

for ch in $CHILDREN; do
for wl in $WORKLOADS; do
	case $wl in
	sl) defs=""; rates=$RATES ;;
	fwd) defs="-A WITH_FORWARD"; rates=$FWD_RATES ;;
	*) fail "unknown workload $wl (WORKLOADS: sl fwd)" ;;
	esac
	# start them all, each on its port
	port=5060
	: >"$tmp/up"
	while read -r s label; do
		name=$s-$wl-n$ch
		cfg=$(cfg_on_port "$CFG" $port)
		case $s in
		kam-*)
			# shellcheck disable=SC2046,SC2086
			set -- $(kam_cmd "$name" "${s#kam-}" "$ch" "$cfg") $defs
			ready=""
			;;
		sipvm)
			# shellcheck disable=SC2086
			set -- "$SIPVM_RUN" -f "$cfg" -l "udp:127.0.0.1:$port" -n "$ch" $defs
			ready="sipvm: ready"
			;;
		esac
		if srv_start "$name" udp $port "$ready" "$@"; then
			echo "$name $label $port" >>"$tmp/up"
			tree_pss_kb "$spids" >"$tmp/idle-$name"
		else
			tail -5 "$tmp/$name.log" >&2
			status=1
		fi
		port=$((port + 2))
	done <"$tmp/list"
	# idle: memory, and CPU per second of the timers (all at once)
	while read -r name label port; do
		srv_use "$name"
		tree_cpu "$spids" >"$tmp/idle-cpu-$name"
	done <"$tmp/up"
	sleep 2
	while read -r name label port; do
		srv_use "$name"
		say "$name: $(echo "$spids" | wc -w) processes, PSS $(cat "$tmp/idle-$name") kB at idle, idle CPU $(calc 'sprintf("%.0f", c / 2e3)' -v c="$(cpu_delta_ns "$(cat "$tmp/idle-cpu-$name")" "$(tree_cpu "$spids")")") µs/s"
	done <"$tmp/up"

	round=0
	while [ $round -lt "$ROUNDS" ]; do
		round=$((round + 1))
		order=$tmp/up
		if [ $((round % 2)) = 0 ]; then
			awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$tmp/up" >"$tmp/up-rev"
			order=$tmp/up-rev
		fi
		: >"$tmp/failed"
		for r in $rates; do
			while read -r name label port; do
				grep -qx "$name" "$tmp/failed" && continue
				if run_one "$name" "$label" "$port" "$ch" "$r"; then
					echo "$name $round $r" >>"$tmp/best"
				else
					echo "$name" >>"$tmp/failed"
				fi
			done <"$order"
		done
	done
	while read -r name label port; do
		srv_stop "$name"
	done <"$tmp/up"
done
done

table "stateless OPTIONS (sl: sl_send_reply 200; fwd: forward() to a UAS), sipp -nr, $DURATION s per run, lowest CPU of $ROUNDS rounds; ratio: CPU over Kamailio's best at that rate"
echo
echo "highest rate with no failures (sl: of $RATES; fwd: of $FWD_RATES), per round:"
for ch in $CHILDREN; do
for wl in $WORKLOADS; do
	while read -r s label; do
		printf '  %-18s' "$s-$wl-n$ch"
		round=0
		while [ $round -lt "$ROUNDS" ]; do
			round=$((round + 1))
			b=$(awk -v n="$s-$wl-n$ch" -v r=$round '$1 == n && $2 == r { b = $3 } END { print (b == "" ? "none" : b "/s") }' "$tmp/best")
			[ "$b" != none ] || status=1
			printf ' %s' "$b"
		done
		echo
	done <"$tmp/list"
done
done
[ $status = 0 ] || fail "a server could not be started or failed at the lowest rate"
