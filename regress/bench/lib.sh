# Helpers shared by the benchmarks (regress/bench/stateless, xhttp, lua;
# vm-loop takes the namespace and the small ones), sourced by their run.sh
# after they set `here`:
#
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/../lib.sh"
#   bench_netns "$0" "$@"     # re-executes the script in a private netns
#   bench_init
#
# What they provide: a private network namespace with only loopback up,
# starting and stopping a server (Kamailio or sipvm) by its PID, the CPU
# time and the memory of a server's whole process tree read from /proc,
# and the final table. POSIX sh and awk only.

# bench_netns SCRIPT ARGS...: unless already done, re-executes SCRIPT in a
# private network namespace where only loopback is up (root: unshare -n;
# otherwise a user namespace too). Without unshare, returns and the script
# runs on the host's loopback: BENCH_NETNS stays empty and Kamailio is not
# started (see kam_usable).
bench_netns() {
	[ -z "${BENCH_NETNS:-}" ] || return 0
	command -v unshare >/dev/null 2>&1 || return 0
	_ns=-n
	[ "$(id -u)" = 0 ] || _ns=-rn
	# shellcheck disable=SC2016 # expanded by the inner sh
	exec unshare $_ns env BENCH_NETNS=1 sh -c 'ip link set lo up 2>/dev/null; exec sh "$0" "$@"' "$@"
}

# bench_init: the common settings and a temporary directory ($tmp),
# removed at exit after every server this script started is stopped
bench_init() {
	# shellcheck disable=SC2154 # here: set by the script that sources this file
	top=$(cd "$here/../../.." && pwd)
	SIPVM=${SIPVM:-$top/bin/sipvm}
	MODS=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
	T0=$(date +%s)
	HZ=$(getconf CLK_TCK)
	spid=""
	spids=""
	bgpid=""
	tmp=$(mktemp -d)
	: >"$tmp/rows"
	trap 'set +e; bg_stop; helpers_stop; srv_stop; srv_stop_all; rm -rf "$tmp"' EXIT
	trap 'exit 1' INT TERM HUP
}

# bg_stop: stops the load generator running in the background (bgpid: a
# timeout(1), which passes the signal on), if any
bg_stop() {
	[ -n "$bgpid" ] || return 0
	kill "$bgpid" 2>/dev/null || true
	wait "$bgpid" 2>/dev/null || true
	bgpid=""
}

# helper_add PID: a process started in the background for the whole run
# (a sipp UAS: bounded by a timeout(1) of its own), stopped at exit
helper_add() {
	echo "$1" >>"$tmp/helpers"
}

# helpers_stop: stops the processes of helper_add, by their PIDs
helpers_stop() {
	# shellcheck disable=SC2013 # one word a line
	for _p in $(cat "$tmp/helpers" 2>/dev/null); do
		kill "$_p" 2>/dev/null || true
		wait "$_p" 2>/dev/null || true
	done
	rm -f "$tmp/helpers"
}

say() { printf '[%3ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# calc EXPR [-v a=..]...: float arithmetic in awk syntax
calc() { _expr=$1; shift; awk "$@" "BEGIN { print ($_expr) }"; }
now_ns() { date +%s%N; }

# descendants PID: PID and every process whose parent chain leads to it,
# one a line
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			in_tree[root] = 1; n = 1
			while (n) {
				n = 0
				for (p in parent)
					if (!(p in in_tree) && (parent[p] in in_tree)) { in_tree[p] = 1; n = 1 }
			}
			for (p in in_tree) print p
		}'
}

# tree_pids PID: PID and all its descendants, sorted, on one line
tree_pids() {
	descendants "$1" | sort -n | tr '\n' ' '
}

# tree_cpu PIDS: prints "NS TICKS NPROC TASKS", the CPU time (user + system)
# used so far by the processes PIDS (a list) and all their threads: NS
# from /proc/PID/task/*/schedstat (nanoseconds; 0 where schedstat is
# missing), TICKS from utime + stime of /proc/PID/stat (clock ticks, every
# thread of the process included, also those that have ended), TASKS the
# thread ids read. The kernel derives both from the same run time; the
# ticks are only coarser (10 ms: up to 2 ticks short a process, as
# utime and stime are rounded down each), NPROC the processes read.
tree_cpu() {
	_files=""
	for _p in $1; do
		[ -r "/proc/$_p/stat" ] || continue
		_files="$_files /proc/$_p/stat"
		for _t in /proc/"$_p"/task/*/schedstat; do
			[ -r "$_t" ] && _files="$_files $_t"
		done
	done
	# shellcheck disable=SC2086
	awk '
		FILENAME ~ /schedstat$/ {
			ns += $1
			split(FILENAME, f, "/"); tasks = tasks "," f[5]
			next
		}
		# fields 14 and 15, counted after "(comm)" (which may hold spaces)
		{ sub(/.*\) /, ""); t += $12 + $13; np++ }
		END { printf "%.0f %.0f %d %s\n", ns, t, np, (tasks == "" ? "-" : tasks) }' $_files 2>/dev/null
}

# cpu_delta_ns BEFORE AFTER: the CPU ns between two tree_cpu readings:
# schedstat's, unless a thread has ended or started in between (the
# threads differ, or the ticks, which count ended threads too, show more
# than their rounding over schedstat's), then the ticks'
cpu_delta_ns() {
	# shellcheck disable=SC2086
	set -- $1 $2
	calc '(a1 > 0 && b1 > 0 && ta == tb && (b2 - a2 - 2 * np - 2) * 1e9 / hz <= b1 - a1) ? sprintf("%.0f", b1 - a1) : sprintf("%.0f", (b2 - a2) * 1e9 / hz)' \
		-v a1="$1" -v a2="$2" -v ta="$4" -v b1="$5" -v b2="$6" -v np="$7" -v tb="$8" -v hz="$HZ"
}

# tree_pss_kb PIDS: the proportional set size of the processes PIDS, summed
# (kB, /proc/PID/smaps_rollup; shared pages are divided among the
# processes that map them, so the sum counts them once)
tree_pss_kb() {
	_files=""
	for _p in $1; do
		[ -r "/proc/$_p/smaps_rollup" ] && _files="$_files /proc/$_p/smaps_rollup"
	done
	[ -n "$_files" ] || { echo 0; return; }
	# shellcheck disable=SC2086
	awk '$1 == "Pss:" { s += $2 } END { printf "%.0f\n", s }' $_files 2>/dev/null
}

# listening PROTO PORT: true when a socket is bound to PORT: for udp any,
# for tcp one in the LISTEN state
listening() {
	awk -v p="$(printf ':%04X' "$2")" -v tcp="$([ "$1" = tcp ] && echo 1)" '
		FNR > 1 && substr($2, length($2) - 4) == p && (!tcp || $4 == "0A") { f = 1 }
		END { exit !f }' /proc/net/"$1" /proc/net/"$1"6 2>/dev/null
}

# srv_start NAME PROTO PORT READY CMD...: starts a server in the
# background (its output in $tmp/NAME.log) and waits at most 15 s until it
# listens on PROTO PORT and, when READY is not empty, its log has a line
# starting with READY. Then its PID is in spid, it and all its processes
# in spids, and both are kept for srv_use NAME. Returns 1 (the server
# stopped) when it does not get there.
srv_start() {
	_sname=$1 _sproto=$2 _sport=$3 _sready=$4
	shift 4
	"$@" >"$tmp/$_sname.log" 2>&1 </dev/null &
	spid=$!
	spids=$spid
	echo "$_sname" >>"$tmp/servers"
	_si=0
	while :; do
		if listening "$_sproto" "$_sport" &&
			{ [ -z "$_sready" ] || grep -q "^$_sready" "$tmp/$_sname.log"; }; then
			break
		fi
		if ! kill -0 "$spid" 2>/dev/null; then
			_sst=0
			wait "$spid" 2>/dev/null || _sst=$?
			say "$_sname: exited with status $_sst before it was ready"
			spid=""
			spids=""
			return 1
		fi
		_si=$((_si + 1))
		if [ $_si -ge 150 ]; then
			say "$_sname: not ready after 15 s"
			srv_stop
			return 1
		fi
		sleep 0.1
	done
	# Kamailio forks all its processes before it listens: wait until
	# their number stops changing (sipvm: threads of one process)
	_sn=0
	_si=0
	while [ $_si -lt 20 ]; do
		sleep 0.2
		spids=$(tree_pids "$spid")
		_sm=$(echo "$spids" | wc -w)
		[ "$_sm" = "$_sn" ] && break
		_sn=$_sm
		_si=$((_si + 1))
	done
	printf '%s\n%s\n' "$spid" "$spids" >"$tmp/srv-$_sname"
}

# srv_use NAME: spid and spids of the server NAME (empty once stopped)
srv_use() {
	spid=""
	spids=""
	[ -f "$tmp/srv-$1" ] || return 0
	spid=$(sed -n 1p "$tmp/srv-$1")
	spids=$(sed -n 2p "$tmp/srv-$1")
}

# srv_stop [NAME]: stops the server NAME (default: the one of spid):
# SIGTERM to its PID, SIGKILL after 5 s, then SIGKILL to those of its
# processes still alive (each known by its PID and start time, so never a
# reused PID)
srv_stop() {
	[ -z "${1:-}" ] || srv_use "$1"
	[ -n "$spid" ] || return 0
	_alive=$(starttimes "$spids")
	kill "$spid" 2>/dev/null || true
	_i=0
	while kill -0 "$spid" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	for _p in $(starttimes "$spids" | grep -Fx "$_alive" | cut -d: -f1); do
		kill -9 "$_p" 2>/dev/null || true
	done
	for _f in "$tmp"/srv-*; do
		[ -f "$_f" ] && [ "$(sed -n 1p "$_f")" = "$spid" ] && rm -f "$_f"
	done
	spid=""
	spids=""
}

# srv_stop_all: stops every server started and not stopped yet
srv_stop_all() {
	# shellcheck disable=SC2013 # one word a line
	for _n in $(cat "$tmp/servers" 2>/dev/null); do
		srv_stop "$_n"
	done
}

# starttimes PIDS: "PID:START" for each of PIDS still alive (START: field
# 22 of /proc/PID/stat, the process's start time)
starttimes() {
	for _p in $1; do
		[ -r "/proc/$_p/stat" ] &&
			sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | awk -v p="$_p" '{ print p ":" $20 }'
	done
	return 0
}

# kam_usable: true when Kamailio can run here (in the private netns, with
# its modules); else says why
kam_usable() {
	if [ -z "${BENCH_NETNS:-}" ]; then
		say "kamailio: skipped (no private network namespace: unshare is missing)"
		return 1
	fi
	command -v kamailio >/dev/null 2>&1 || { say "kamailio: not installed (WITH_KAMAILIO=1 make deps)"; return 1; }
	[ -d "$MODS" ] || { say "kamailio: no modules in $MODS"; return 1; }
	return 0
}

# kam_cmd NAME MEMMGR CHILDREN CFG: the command line of the Kamailio
# called NAME, in the foreground, with MEMMGR (qm: its default; fm: -x fm)
# and CHILDREN workers. It runs a private copy of the kamailio executable
# and of the modules CFG loads (in $tmp/NAME), so that its pages are shared
# with no other Kamailio running on the machine (another server of this
# script, another person's tests), which would otherwise take their part
# of the PSS. With KAM_COPY=0, or when a module is not found, the
# installed files are used.
kam_cmd() {
	_kd=$tmp/$1
	mkdir -p "$_kd/run"
	_kam=$(command -v kamailio)
	_kmods=$MODS
	if [ "${KAM_COPY:-1}" = 1 ]; then
		mkdir -p "$_kd/modules"
		_kok=1
		# shellcheck disable=SC2013 # one word a line
		for _m in $(sed -n 's/^[[:space:]]*loadmodule[[:space:]]*"\([^"]*\)".*/\1/p' "$4"); do
			_m=$(basename "$_m" .so).so
			if [ -f "$MODS/$_m" ]; then
				cp "$MODS/$_m" "$_kd/modules/"
			else
				say "kamailio: $_m not in $MODS, running the installed files"
				_kok=0
			fi
		done
		if [ $_kok = 1 ]; then
			cp "$_kam" "$_kd/kamailio"
			_kam=$_kd/kamailio
			_kmods=$_kd/modules
		fi
	fi
	_x=""
	[ "$2" = qm ] || _x="-x $2"
	echo "$_kam $_x -DD -E -n $3 -L $_kmods -f $4 -w $_kd/run -Y $_kd/run"
}

# cfg_on_port CFG PORT: a copy of CFG in $tmp whose sockets on
# 127.0.0.1:5060 are on PORT instead (the rest is unchanged); prints its
# name
cfg_on_port() {
	_c=$tmp/$(basename "$1" .cfg)-$2.cfg
	sed "s/127\.0\.0\.1:5060\([^0-9]\|\$\)/127.0.0.1:$2\1/g" "$1" >"$_c"
	echo "$_c"
}

# sipvm_usable CFG PROTO PORT LISTEN: true when `sipvm -f CFG -l LISTEN`
# starts (it says "sipvm: ready"); it is stopped again. Else says why.
# Sets SIPVM_RUN, the executable to run: a private copy of SIPVM in $tmp
# (as kam_cmd does for Kamailio: no other sipvm shares its pages and
# PSS), or SIPVM itself with SIPVM_COPY=0 or when the copy does not start.
sipvm_usable() {
	if [ ! -x "$SIPVM" ]; then
		say "sipvm: skipped ($SIPVM is not built)"
		return 1
	fi
	SIPVM_RUN=$SIPVM
	if [ "${SIPVM_COPY:-1}" = 1 ]; then
		mkdir -p "$tmp/sipvm-bin"
		cp "$SIPVM" "$tmp/sipvm-bin/sipvm"
		SIPVM_RUN=$tmp/sipvm-bin/sipvm
	fi
	for _sv in "$SIPVM_RUN" "$SIPVM"; do
		if srv_start sipvm-probe "$2" "$3" "sipvm: ready" "$_sv" -f "$1" -l "$4" -n 1; then
			srv_stop
			SIPVM_RUN=$_sv
			return 0
		fi
		[ "$_sv" != "$SIPVM" ] || break
	done
	say "sipvm: skipped, \`sipvm -f $(basename "$1") -l $4\` does not start yet: $(grep -v '^ *$' "$tmp/sipvm-probe.log" | head -1)"
	return 1
}

# wrk_run NAME URL CONNS [WRK-ARGS...]: one wrk run (-t1, CONNS
# connections, DURATION seconds, 2 s timeout) against URL; sets reqs (the
# requests wrk counted), wrate (requests/s), werr (socket errors +
# non-2xx/3xx) and pss_load (the PSS of $spids in the middle of the run).
# Bounded by timeout(1). Returns 1 when wrk failed or counted nothing.
wrk_run() {
	_wout=$tmp/wrk-$1.out
	_wurl=$2
	_wc=$3
	shift 3
	timeout -k 2 $((DURATION + 15)) wrk -t1 -c "$_wc" -d "${DURATION}s" --timeout 2s "$@" \
		"$_wurl" >"$_wout" 2>&1 </dev/null &
	bgpid=$!
	sleep "$(calc 'd / 2' -v d="$DURATION")"
	pss_load=$(tree_pss_kb "$spids")
	_wrc=0
	wait "$bgpid" || _wrc=$?
	bgpid=""
	reqs=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$_wout")
	wrate=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$_wout")
	werr=$(awk '
		/Socket errors:/ { gsub(/,/, ""); s += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx responses:/ { s += $NF }
		END { print s + 0 }' "$_wout")
	reqs=${reqs:-0}
	wrate=${wrate:-0}
	[ "$_wrc" = 0 ] && [ "$reqs" -gt 0 ] && return 0
	say "wrk exit status $_wrc:"
	tail -5 "$_wout" >&2
	return 1
}

# row WORKLOAD RATE SERVER CPU_US FAILURES PSS_IDLE_KB PSS_LOAD_KB NOTE
# [SUSTAINED]: one measured run, for the table. RATE is the rate asked
# for ("max": as fast as the server answers, then SUSTAINED is the rate
# it reached).
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${9:-}" >>"$tmp/rows"
}

# table TITLE: prints the runs, one line per workload, rate and server
# (workloads and servers in the order first measured, rates ascending). Several runs of one line (ROUNDS) show
# the lowest CPU per request (the least disturbed by the other work of
# the machine) with the range in the note, the failures of all runs added,
# the largest PSS, and for RATE "max" the highest rate sustained. The
# ratio is a line's CPU per request over the lowest of the Kamailio lines
# of the same workload and rate (Kamailio at its best); the target for
# sipvm is 0.50 or less.
table() {
	echo
	echo "$1"
	awk -F'\t' '
		BEGIN { w = length("workload") }
		{
			k = $1 SUBSEP $2 SUBSEP $3
			if (!(k in runs)) {
				order[++n] = k; wl[n] = $1; rt[n] = $2; sv[n] = $3
				if (!($1 in wi)) wi[$1] = ++nw
				if (!($3 in si)) si[$3] = ++ns
			}
			if (length($1) > w) w = length($1)
			runs[k]++
			if ($4 != "") {
				if (!(k in lo) || $4 + 0 < lo[k]) lo[k] = $4 + 0
				if (!(k in hi) || $4 + 0 > hi[k]) hi[k] = $4 + 0
			}
			fails[k] += $5
			if ($9 != "" && $9 + 0 > sus[k]) sus[k] = $9 + 0
			if ($6 + 0 > pi[k]) pi[k] = $6 + 0
			if ($7 + 0 > pl[k]) pl[k] = $7 + 0
			if ($8 != "" && index(note[k], $8) == 0) note[k] = note[k] (note[k] == "" ? "" : "; ") $8
			b = $1 SUBSEP $2
			if ($3 ~ /^kamailio/ && $4 != "" && (!(b in best) || $4 + 0 < best[b])) best[b] = $4 + 0
		}
		function before(a, b) {
			if (wi[wl[a]] != wi[wl[b]]) return wi[wl[a]] < wi[wl[b]]
			if (rt[a] + 0 != rt[b] + 0) return rt[a] + 0 < rt[b] + 0
			return si[sv[a]] < si[sv[b]]
		}
		function mb(kb) { return kb == 0 ? "-" : sprintf("%.1f", kb / 1024) }
		END {
			dash = sprintf("%*s", w, ""); gsub(/ /, "-", dash)
			printf "%-*s | %6s | %-13s | %10s | %5s | %8s | %15s | %s\n", w,
				"workload", "rate/s", "server", "CPU us/req", "ratio", "failures", "PSS MB idle/load", "note"
			printf "%s-+-%6s-+-%-13s-+-%10s-+-%5s-+-%8s-+-%15s-+-%s\n",
				dash, "------", "-------------", "----------", "-----", "--------", "----------------", "----"
			# by workload and server as first measured, rates ascending
			for (r = 1; r <= n; r++) idx[r] = r
			for (r = 2; r <= n; r++)
				for (q = r; q > 1 && before(idx[q], idx[q - 1]); q--) {
					t = idx[q]; idx[q] = idx[q - 1]; idx[q - 1] = t
				}
			for (x = 1; x <= n; x++) {
				r = idx[x]
				k = order[r]
				b = wl[r] SUBSEP rt[r]
				cpu = (k in lo) ? sprintf("%.2f", lo[k]) : "-"
				ratio = ((k in lo) && (b in best) && best[b] > 0) ? sprintf("%.2f", lo[k] / best[b]) : "-"
				nt = note[k]
				if (runs[k] > 1 && (k in lo))
					nt = sprintf("%d runs %.2f-%.2f", runs[k], lo[k], hi[k]) (nt == "" ? "" : "; " nt)
				printf "%-*s | %6s | %-13s | %10s | %5s | %8s | %16s | %s\n", w,
					wl[r], (k in sus) ? sus[k] : rt[r], sv[r], cpu, ratio, fails[k], mb(pi[k]) "/" mb(pl[k]), nt
			}
		}' "$tmp/rows"
}

# udp_drops PORT: datagrams dropped so far by the UDP sockets bound to
# PORT (their receive buffer was full: the drops column of /proc/net/udp)
udp_drops() {
	awk -v p="$(printf ':%04X' "$1")" '
		FNR > 1 && substr($2, length($2) - 4) == p { s += $NF }
		END { print s + 0 }' /proc/net/udp /proc/net/udp6 2>/dev/null
}

# udp_rcvbuf_errors: datagrams dropped so far by every UDP socket of this
# network namespace for a full receive buffer (/proc/net/snmp)
udp_rcvbuf_errors() {
	awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp
}
