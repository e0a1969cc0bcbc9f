#!/bin/sh
# The anchor loop: CPU time of one compute-bound route run by Kamailio
# 5.6.3's interpreter, by Lua 5.1 and by sipvm's VM, in one run.
#
#   sh regress/bench/vm-loop/run.sh
#
# The loop is route[CFGLOOP] of loop-cfg.cfg: 1,000 iterations (LOOP_N) of
# an increment, a string append, a modulo, a range test, a regex match and
# counters; its result goes into the reply's header X-Loop, which must read
# "i=1000 m=990 k=500" (with -A WITH_LOOP) or "i=0 m=0 k=0" (without: only
# the assignments around the loop run). Every engine's result is checked;
# a wrong one stops the script (Kamailio) or marks the row and makes the
# exit status 1 (sipvm).
#
# Method, per engine:
#  - Kamailio: loop-cfg.cfg with and without -A WITH_LOOP, each started
#    with one worker (children=1) in this script's private network
#    namespace, once with the default memory manager (qm) and once with
#    -x fm (Kamailio's fastest) when that option exists. Ten OPTIONS sent
#    by check-reply.py check the X-Loop header (one more after sipp) and
#    give a first CPU cost per request; then sipp (uac-options.xml, which also checks every
#    200's X-Loop) sends requests at a fixed rate, without
#    retransmissions: 500/s without the loop, and with it the rate that
#    keeps the worker about 25% busy (from that first cost); DURATION
#    seconds of traffic. CPU = the ns of /proc/PID/task/*/schedstat
#    (ticks of /proc/PID/stat fields 14+15 where there is no schedstat)
#    summed over Kamailio's main process and all its children, read
#    before and after sipp, minus what the same processes use when idle
#    (timers, measured over 3 s before) for as long as sipp ran; divided
#    by the requests. The loop's cost is the CPU per request with the loop
#    minus without: receiving, parsing and answering cancel out.
#  - Lua 5.1: anchor.lua, the same logic with Lua locals and the pattern
#    "^x+$", repeated for about 1 s of CPU; os.clock / repetitions.
#  - sipvm (when bin/sipvm exists): `sipvm --dry-run -f loop-cfg.cfg
#    [-A WITH_LOOP] --msg options.sip --repeat N`, CPU by perf stat's
#    task-clock (mean of 5 runs; getrusage through python3 without perf);
#    (CPU with the loop - CPU without) / N. N grows until the loop run
#    takes at least 0.5 s.
#  - Machine instructions: hardware counters are not available on this
#    VM, so valgrind --tool=callgrind counts the instructions of CG_REPS
#    executions, with the loop minus without, for Lua and sipvm; for
#    Kamailio, of all its processes (--trace-children) from start to end
#    when they answer 1 + CG_KREQS OPTIONS, with the loop minus without.
#    Unlike CPU time, these counts do not depend on the machine's load.
#    When `sipvm ... --stats` prints a line "instructions: N" (VM
#    instructions executed in the whole run), the machine instructions per
#    VM instruction are printed too.
#
# Reading the results: the table gives the CPU microseconds of one
# execution of the loop and how many times faster than Kamailio each
# engine is (against qm, Kamailio's default, and against -x fm). The
# Kamailio figures include its interpreter's memory manager: qm spends
# most of the loop in qm_malloc (perf), which -x fm avoids. Figures on a
# shared VM vary by 10-30% from run to run; the ratios are what to read.
#
# Environment: RATE (requests/s of every sipp run; default: see above),
# REQS (requests per sipp run; default RATE x DURATION), DURATION
# (default 10), CG_REPS (default 50), CG_KREQS (default 10), SIPVM
# (default bin/sipvm), KAMAILIO_MODULES, ENGINES (the ones to run,
# default "kamailio lua sipvm"; ratios need kamailio).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# say, fail, calc, descendants and the private network namespace (with
# only loopback up) everything runs in
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
bench_netns "$0" "$@"
top=$(cd "$here/../../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
MODS=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
DURATION=${DURATION:-10}
CG_REPS=${CG_REPS:-50}
ENGINES=${ENGINES:-kamailio lua sipvm}
REQS=${REQS:-}
RATE=${RATE:-}
CG_KREQS=${CG_KREQS:-10}
KAM_WRAP=""
T0=$(date +%s)
HZ=$(getconf CLK_TCK)
CFG=$here/loop-cfg.cfg
# the system's python3 starts in a tenth of the time of a version manager's shim
PYTHON=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && [ "$PYTHON" = python3 ] && PYTHON=/usr/bin/python3
MSG=$here/options.sip
EXPECT_LOOP="i=1000 m=990 k=500"
EXPECT_NOLOOP="i=0 m=0 k=0"
PORT=5060
status=0
kpid=""
tmp=$(mktemp -d)
trap 'stop_kam; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# want ENGINE: true when ENGINE is to be measured
want() { case " $ENGINES " in *" $1 "*) return 0 ;; esac; return 1; }

# tree_cpu_ns PIDS: CPU ns (user + system) used so far by the processes
# PIDS (a list), every thread of each (one awk: processes start slowly here)
tree_cpu_ns() {
	_files=""
	for _p in $1; do
		for _t in /proc/"$_p"/task/*; do
			if [ -r "$_t/schedstat" ]; then
				_files="$_files $_t/schedstat"
			elif [ -r "$_t/stat" ]; then
				_files="$_files $_t/stat"
			fi
		done
	done
	# shellcheck disable=SC2086
	awk -v hz="$HZ" '
		FILENAME ~ /schedstat$/ { s += $1; next }
		# /proc/PID/stat: fields 14, 15 (utime, stime) in ticks, counted
		# after "(comm)"
		{ sub(/.*\) /, ""); s += ($12 + $13) * 1e9 / hz }
		END { printf "%.0f\n", s }' $_files 2>/dev/null
}

# port_bound: true when something listens on UDP 127.0.0.1:PORT
port_bound() {
	awk -v p="$(printf ':%04X' "$PORT")" 'NR > 1 && index($2, p) { f = 1 } END { exit !f }' /proc/net/udp
}

# start_kam NAME MEMMGR DEFINES: starts Kamailio with loop-cfg.cfg in the
# background (kpid; under the command $KAM_WRAP if set), waits until it
# listens
start_kam() {
	xopt=""
	[ "$2" = default ] || xopt="-x $2"
	# shellcheck disable=SC2086
	$KAM_WRAP kamailio $xopt -DD -E -L "$MODS" -f "$CFG" $3 -w "$tmp" -Y "$tmp" \
		>"$tmp/kam-$1.log" 2>&1 &
	kpid=$!
	_i=0
	until port_bound; do
		kill -0 "$kpid" 2>/dev/null || { cat "$tmp/kam-$1.log" >&2; kpid=""; fail "kamailio ($1) did not start"; }
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "kamailio ($1) does not listen on 127.0.0.1:$PORT"
		sleep 0.1
	done
}

# stop_kam: stops the Kamailio started last (by its PID) and waits until
# its port is free
stop_kam() {
	[ -n "$kpid" ] || return 0
	kill "$kpid" 2>/dev/null || true
	wait "$kpid" 2>/dev/null || true
	kpid=""
	_i=0
	while port_bound && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# check_kam NAME EXPECTED [COUNT]: COUNT OPTIONS, each reply's X-Loop
# must be EXPECTED; prints the median round trip in µs (it includes
# waiting: CPU is measured by tree_cpu_ns)
check_kam() {
	"$PYTHON" "$here/check-reply.py" 127.0.0.1 "$PORT" "$2" "${3:-1}" >"$tmp/check-$1" 2>&1 ||
		{ cat "$tmp/check-$1" >&2; fail "kamailio ($1): reply check, expected X-Loop: $2"; }
	awk '$1 == "rtt_us" { print $2 }' "$tmp/check-$1"
}

# run_kam NAME MEMMGR DEFINES EXPECTED: one Kamailio, checked, then
# measured. The sipp rate is $RATE if set, else 500/s without the loop and
# with it 25% of the capacity that the CPU of ten checked requests shows;
# REQS (or rate x DURATION) requests. Sets kam_req: CPU µs per request of
# all the processes, minus what they use when idle (timers) over the same
# time; kam_raw: the same without that subtraction.
run_kam() {
	start_kam "$1" "$2" "$3"
	# Kamailio forks all its processes at startup: once it answers, the
	# list is complete
	check_kam "$1" "$4" >/dev/null
	pids=$(descendants "$kpid")
	ca=$(tree_cpu_ns "$pids")
	check_kam "$1" "$4" 10 >/dev/null
	cb=$(tree_cpu_ns "$pids")
	svc=$(calc '(b - a) / 10' -v a="$ca" -v b="$cb")
	say "kamailio ($1): X-Loop: $4 ok, about $(calc 'int(s / 1e3)' -v s="$svc") µs CPU per request"
	rate=$RATE
	if [ -z "$rate" ]; then
		rate=500
		[ -z "$3" ] || rate=$(calc 'int(r > 500 ? 500 : (r < 1 ? 1 : r))' -v r="$(calc '0.25e9 / s' -v s="$svc")")
	fi
	reqs=${REQS:-$((rate * DURATION))}
	c0=$(tree_cpu_ns "$pids")
	sleep 3
	c1=$(tree_cpu_ns "$pids")
	idle=$(calc '(c1 - c0) / 3' -v c0="$c0" -v c1="$c1")
	t0=$(date +%s%N)
	c2=$(tree_cpu_ns "$pids")
	if ! (cd "$tmp" && sipp -sf "$here/uac-options.xml" -m "$reqs" -r "$rate" -rp 1000 \
		-nr -recv_timeout 10000 -i 127.0.0.1 -p 5070 -nostdin \
		-trace_err -error_file "$tmp/sipp-$1.err" \
		127.0.0.1:"$PORT" >"$tmp/sipp-$1.out" 2>&1); then
		tail -20 "$tmp/sipp-$1.out" >&2
		head -c 2000 "$tmp/sipp-$1.err" >&2 2>/dev/null || true
		fail "sipp against kamailio ($1): some calls failed"
	fi
	c3=$(tree_cpu_ns "$pids")
	t1=$(date +%s%N)
	ok=$(awk -F'|' '/Successful call/ { gsub(/ /, "", $3); print $3 }' "$tmp/sipp-$1.out" | tail -1)
	[ "$ok" = "$reqs" ] || fail "sipp against kamailio ($1): $ok of $reqs calls successful"
	check_kam "$1" "$4" >/dev/null
	[ "$(descendants "$kpid" | sort)" = "$(printf '%s\n' "$pids" | sort)" ] ||
		say "warning: kamailio ($1) started or lost processes during the run; CPU of those is missing"
	stop_kam
	wall=$(calc '(t1 - t0) / 1e9' -v t0="$t0" -v t1="$t1")
	kam_req=$(calc '(c - i * w) / q / 1e3' -v c="$((c3 - c2))" -v i="$idle" -v w="$wall" -v q="$reqs")
	kam_raw=$(calc 'c / q / 1e3' -v c="$((c3 - c2))" -v q="$reqs")
	say "kamailio ($1): $reqs requests at $rate/s in ${wall}s, CPU $(calc 'c / 1e6' -v c="$((c3 - c2))") ms; idle $(calc 'i / 1e3' -v i="$idle") µs/s; $kam_req µs per request"
	echo "$1 $reqs $rate" >>"$tmp/sipp-runs"
}

# cpu_ms CMD...: CPU ms (user + system) of one run of CMD, mean of 5
cpu_ms() {
	if command -v perf >/dev/null 2>&1 && perf stat -x, -e task-clock true >/dev/null 2>&1; then
		perf stat -x, -e task-clock -r 5 "$@" 2>&1 >/dev/null |
			awk -F, '/task-clock/ { printf "%.3f\n", $1 }'
		return
	fi
	"$PYTHON" - "$@" <<'EOF'
import resource, subprocess, sys
for _ in range(5):
	subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % ((r.ru_utime + r.ru_stime) * 1000 / 5))
EOF
}

# callgrind_ir CMD...: machine instructions executed by CMD (callgrind)
callgrind_ir() {
	rm -f "$tmp/cg.out"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" >/dev/null 2>&1 || return 1
	awk '/^(summary|totals):/ { n = $2 } END { if (n == "") exit 1; print n }' "$tmp/cg.out"
}

# kam_ir NAME MEMMGR DEFINES EXPECTED: sets kam_irs to the machine
# instructions executed by all of Kamailio's processes, from its start to
# its end, answering 1 + CG_KREQS checked OPTIONS under callgrind
kam_ir() {
	rm -rf "$tmp/cg-kam"
	mkdir "$tmp/cg-kam"
	KAM_WRAP="valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=$tmp/cg-kam/cg.%p"
	start_kam "cg-$1" "$2" "$3"
	KAM_WRAP=""
	REPLY_TIMEOUT=120 check_kam "cg-$1" "$4" >/dev/null
	REPLY_TIMEOUT=120 check_kam "cg-$1" "$4" "$CG_KREQS" >/dev/null
	stop_kam
	# every process has written its totals when it ended
	kam_irs=$(awk '/^(summary|totals):/ { n[FILENAME] = $2 }
		END { for (f in n) s += n[f]; if (s == 0) exit 1; printf "%.0f\n", s }' "$tmp"/cg-kam/cg.*) ||
		fail "kamailio (cg-$1): no callgrind totals in $tmp/cg-kam"
}

# ---------------------------------------------------------------- Kamailio
kam_qm=""; kam_fm=""; kam_req_qm=""; kam_req_fm=""; kam_note="not measured"
if ! want kamailio; then
	:
elif [ -z "${BENCH_NETNS:-}" ]; then
	kam_note="no netns"
	say "kamailio: skipped (no private network namespace: unshare is missing)"
elif ! command -v kamailio >/dev/null 2>&1; then
	kam_note="not installed"
	say "kamailio: not installed"
elif ! command -v sipp >/dev/null 2>&1; then
	kam_note="no sipp"
	say "kamailio: skipped, sipp is not installed"
else
	mms=default
	kamailio -h 2>&1 | grep -q -- '-x name' && mms="default fm"
	for mm in $mms; do
		n=$mm; [ "$mm" = default ] && n=qm
		run_kam "$n-loop" "$mm" "-A WITH_LOOP" "$EXPECT_LOOP"
		rl=$kam_req
		run_kam "$n-noloop" "$mm" "" "$EXPECT_NOLOOP"
		per=$(calc 'l - n' -v l="$rl" -v n="$kam_req")
		req=$(calc 'sprintf("%.1f µs (%.1f µs with the idle timers)", n, r)' -v n="$kam_req" -v r="$kam_raw")
		case $n in
		qm) kam_qm=$per; kam_req_qm=$req ;;
		fm) kam_fm=$per; kam_req_fm=$req ;;
		esac
	done
fi

# -------------------------------------------------------------------- Lua
lua_us=""; lua_check=""; lua_note="not measured"
if ! want lua; then
	:
elif command -v lua5.1 >/dev/null 2>&1; then
	if lua5.1 "$here/anchor.lua" >"$tmp/lua.out" 2>&1; then
		lua_us=$(awk '$1 == "us_per_exec" { print $2 }' "$tmp/lua.out")
		lua_check=$(sed -n 's/^X-Loop: //p' "$tmp/lua.out")
		[ "$lua_check" = "$EXPECT_LOOP" ] || fail "lua5.1: X-Loop: $lua_check, expected $EXPECT_LOOP"
		say "lua5.1: X-Loop: $lua_check ok, $(awk '$1 == "reps" { print $2 }' "$tmp/lua.out") repetitions"
	else
		cat "$tmp/lua.out" >&2
		fail "lua5.1 anchor.lua"
	fi
else
	lua_note="not installed"
	say "lua5.1: not installed (Debian package lua5.1)"
fi

# ------------------------------------------------------------------ sipvm
sipvm_us=""; sipvm_check=""; sipvm_note="not measured"
sipvm() { "$SIPVM" --dry-run -f "$CFG" "$@" --msg "$MSG"; }
if ! want sipvm; then
	:
elif [ ! -x "$SIPVM" ]; then
	sipvm_note="not built"
	say "sipvm: not built"
else
	# the result of one execution, with and without the loop
	for w in loop noloop; do
		if [ $w = loop ]; then e=$EXPECT_LOOP; a="-A WITH_LOOP"; else e=$EXPECT_NOLOOP; a=""; fi
		# shellcheck disable=SC2086
		if sipvm $a >"$tmp/sipvm-$w.out" 2>&1 && grep -q "X-Loop: $e" "$tmp/sipvm-$w.out"; then
			say "sipvm ($w): X-Loop: $e ok"
		else
			say "FAIL: sipvm ($w): no 'X-Loop: $e' in its output:"
			head -20 "$tmp/sipvm-$w.out" >&2
			sipvm_check=failed
			sipvm_note="check failed"
			status=1
		fi
	done
	if [ -z "$sipvm_check" ]; then
		sipvm_check=$EXPECT_LOOP
		n=1000
		while :; do
			cl=$(cpu_ms "$SIPVM" --dry-run -f "$CFG" -A WITH_LOOP --msg "$MSG" --repeat "$n")
			[ -n "$cl" ] || { say "FAIL: sipvm --repeat $n"; sipvm_check=failed; sipvm_note="failed"; status=1; break; }
			if [ "$(calc 'c >= 500 || n >= 10000000' -v c="$cl" -v n="$n")" = 1 ]; then break; fi
			n=$((n * 4))
		done
		if [ "$sipvm_check" != failed ]; then
			cn=$(cpu_ms "$SIPVM" --dry-run -f "$CFG" --msg "$MSG" --repeat "$n")
			sipvm_us=$(calc '(cl - cn) * 1e3 / n' -v cl="$cl" -v cn="$cn" -v n="$n")
			say "sipvm: --repeat $n: $cl ms with the loop, $cn ms without"
		fi
	fi
fi

# ------------------------------------------------- machine instructions
ir_lua=""; ir_sipvm=""; vmi_sipvm=""; ir_qm=""; ir_fm=""
if command -v valgrind >/dev/null 2>&1; then
	if [ -n "$kam_qm" ]; then
		for mm in $mms; do
			n=$mm; [ "$mm" = default ] && n=qm
			kam_ir "$n-loop" "$mm" "-A WITH_LOOP" "$EXPECT_LOOP"
			a=$kam_irs
			kam_ir "$n-noloop" "$mm" "" "$EXPECT_NOLOOP"
			b=$kam_irs
			x=$(calc 'sprintf("%.0f", (a - b) / r)' -v a="$a" -v b="$b" -v r="$((CG_KREQS + 1))")
			case $n in qm) ir_qm=$x ;; fm) ir_fm=$x ;; esac
			say "kamailio ($n): $a machine instructions with the loop, $b without"
		done
	fi
	if [ -n "$lua_us" ]; then
		a=$(callgrind_ir lua5.1 "$here/anchor.lua" "$CG_REPS") &&
		b=$(callgrind_ir lua5.1 "$here/anchor.lua" 0) &&
		ir_lua=$(calc '(a - b) / r' -v a="$a" -v b="$b" -v r="$CG_REPS")
	fi
	if [ -n "$sipvm_us" ]; then
		a=$(callgrind_ir "$SIPVM" --dry-run -f "$CFG" -A WITH_LOOP --msg "$MSG" --repeat "$CG_REPS") &&
		b=$(callgrind_ir "$SIPVM" --dry-run -f "$CFG" --msg "$MSG" --repeat "$CG_REPS") &&
		ir_sipvm=$(calc '(a - b) / r' -v a="$a" -v b="$b" -v r="$CG_REPS")
		# VM instructions per loop execution, when sipvm counts them
		va=$("$SIPVM" --dry-run -f "$CFG" -A WITH_LOOP --msg "$MSG" --repeat "$CG_REPS" --stats 2>&1 |
			awk '$1 == "instructions:" && $2 ~ /^[0-9]+$/ { print $2 }' | tail -1) || va=""
		vb=$("$SIPVM" --dry-run -f "$CFG" --msg "$MSG" --repeat "$CG_REPS" --stats 2>&1 |
			awk '$1 == "instructions:" && $2 ~ /^[0-9]+$/ { print $2 }' | tail -1) || vb=""
		if [ -n "$va" ] && [ -n "$vb" ]; then
			vmi_sipvm=$(calc '(a - b) / r' -v a="$va" -v b="$vb" -v r="$CG_REPS")
		fi
	fi
else
	say "valgrind: not installed, no instruction counts"
fi

# ------------------------------------------------------------------ table
# row ENGINE US NOTE IR: one line of the table (NOTE when there is no
# US; IR may be empty)
row() {
	awk -v e="$1" -v u="$2" -v note="$3" -v ir="$4" -v q="$kam_qm" -v f="$kam_fm" -v iq="$ir_fm" 'BEGIN {
		if (u == "") {
			us = note; rq = ""; rf = ""
		} else {
			us = sprintf("%.1f", u)
			rq = (q != "" && u > 0) ? sprintf("%.1fx", q / u) : "n/a"
			rf = (f != "" && u > 0) ? sprintf("%.1fx", f / u) : "n/a"
		}
		irs = (ir == "") ? "" : sprintf("%.2fM", ir / 1e6)
		ri = (ir != "" && iq != "" && ir > 0) ? sprintf("%.1fx", iq / ir) : ""
		printf "%-30s | %16s | %8s | %8s | %12s | %8s\n", e, us, rq, rf, irs, ri
	}'
}
echo
echo "anchor loop (LOOP_N = 1000), cost of one execution; ratios: times faster than Kamailio"
# (µ is two bytes: one more of width)
printf '%-30s | %17s | %8s | %8s | %12s | %8s\n' engine "CPU µs per loop" "vs qm" "vs fm" "instructions" "vs fm"
printf '%-30s-+-%16s-+-%8s-+-%8s-+-%12s-+-%8s\n' ------------------------------ ---------------- -------- -------- ------------ --------
row "Kamailio 5.6.3 (qm, default)" "$kam_qm" "$kam_note" "$ir_qm"
[ -z "$kam_fm" ] || row "Kamailio 5.6.3 (-x fm)" "$kam_fm" "" "$ir_fm"
row "Lua 5.1 (lua5.1)" "$lua_us" "$lua_note" "$ir_lua"
row "sipvm" "$sipvm_us" "$sipvm_note" "$ir_sipvm"
if [ -n "$ir_qm$ir_lua$ir_sipvm" ]; then
	echo "(instructions: machine instructions per loop execution, counted by callgrind:"
	echo " Kamailio's processes answering $((CG_KREQS + 1)) requests, $CG_REPS executions for the others)"
fi
echo
if [ -n "$kam_qm" ]; then
	echo "sipp, one Kamailio worker: $(awk '{ printf "%s%s %d at %d/s", (NR > 1 ? ", " : ""), $1, $2, $3 }' "$tmp/sipp-runs")"
	echo "Kamailio CPU per request without the loop: qm $kam_req_qm"
	[ -z "$kam_fm" ] || echo "                                            fm $kam_req_fm"
fi
[ -z "$vmi_sipvm" ] || echo "sipvm --stats: $(calc 'sprintf("%.0f VM instructions per loop execution, %.1f machine instructions each", v, x / v)' -v v="$vmi_sipvm" -v x="$ir_sipvm")"
echo "checks (X-Loop, expected $EXPECT_LOOP):"
[ -z "$kam_qm" ] || echo "  Kamailio qm${kam_fm:+, fm}: $EXPECT_LOOP, and $EXPECT_NOLOOP without the loop (ten OPTIONS before sipp, one after, every sipp reply)"
[ -z "$lua_check" ] || echo "  Lua 5.1: $lua_check"
[ -z "$sipvm_check" ] || echo "  sipvm: $sipvm_check"
exit $status
