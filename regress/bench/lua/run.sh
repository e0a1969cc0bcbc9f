#!/bin/sh
# Lua through app_lua: the CPU time per request of Kamailio 5.6.3 (its
# app_lua and app_lua_sr modules, Lua 5.1) and of sipvm running the same
# configs and the same Lua code, side by side in one run.
#
#   sh regress/bench/lua/run.sh
#
# Workloads (README.md beside this file has the last results):
#  - page sr:  samples/stats-lua.cfg as it is (only its listen lines and
#    the path of samples/stats.lua changed): GET /stats answered by
#    htmlStats() in Lua (sr.pv.get of six $stat counters,
#    sr.xhttp.reply), called by lua_runstring("htmlStats()");
#  - page KSR: samples/stats-ksr.cfg, the same page with KSR.pv.get and
#    KSR.xhttp.xhttp_reply;
#  - anchor loop: bench.cfg, GET /loop and GET /noloop: lua_run("bench",
#    "$hu") runs the anchor loop of regress/bench/vm-loop (1,000
#    iterations of arithmetic, a growing string, a pattern match; Lua
#    locals, as vm-loop/anchor.lua) or only the assignments around it; the
#    loop's cost is the CPU per request of the first minus the second;
#  - pv.get: bench.cfg, GET /pv/sr?n=N, /pv/ksr?n=N and /pv/empty?n=N:
#    one lua_run doing N (PV_N, default 100,000) calls of
#    sr.pv.get("$var(x)") or KSR.pv.get("$var(x)"), or the same loop
#    without the call; the cost of 1,000 calls is (CPU per request with
#    the calls - without) / N * 1,000.
#
# Method:
#  - Everything runs in a private network namespace with only loopback up.
#    Servers: Kamailio with -x fm (its fastest memory manager), Kamailio
#    with its default (qm), and sipvm when `sipvm -f CFG -l ...` starts
#    (until it runs Lua, its rows are skipped, with the reason). For each
#    config all run at once, each with the same number of workers (-n
#    CHILDREN), on its own port (5060, 5062, 5064: the listen lines
#    changed), each from a private copy of its executable (and of
#    Kamailio's modules).
#  - Each server is checked with curl first and last: the page (200 and
#    the table), or bench.cfg's answers ("i=1000 m=990 k=500", "i=0 m=0
#    k=0", "sum=7000" for n=1000).
#  - wrk (one thread, DURATION seconds, 2 s timeout) sends the GET as fast
#    as the server answers over kept-alive connections: CONNS connections
#    for the pages and the loop, one for the pv.get loops (long requests:
#    one connection keeps the request in flight at the end of the run, not
#    measured, a small part of the CPU). Each server in turn, the order
#    reversed every other round, ROUNDS rounds. Failures: wrk's socket
#    errors and non-2xx/3xx responses.
#  - CPU: user + system time of every process whose parent chain leads to
#    the server's PID (all of Kamailio's processes; sipvm's threads), read
#    from /proc before and after each wrk run (regress/bench/lib.sh:
#    schedstat's nanoseconds, utime + stime ticks when a thread ended),
#    divided by the requests wrk counted. wrk's own CPU is not in it.
#  - Memory: proportional set size (/proc/PID/smaps_rollup Pss) summed
#    over the same processes, at idle after the check and after each run
#    (the table shows the largest).
#  - The table shows, per workload and server, the lowest of the ROUNDS
#    values (the derived lines: computed per round, then the lowest); the
#    ratio is that over Kamailio's best for the same workload. The targets
#    checked at the end: sipvm's CPU per request for the Lua pages at most
#    half of Kamailio's best, and its pv.get per call below Kamailio's.
#
# Environment: DURATION (seconds per wrk run, default 4), CONNS (wrk
# connections, default 10), ROUNDS (default 2), CHILDREN (default 2),
# PV_N (default 100000), SERVERS (default "kam-fm kam-qm sipvm"),
# WORKLOADS (default "page-sr page-ksr loop pv"), SIPVM (default
# bin/sipvm), KAMAILIO_MODULES, KAM_COPY and SIPVM_COPY (0: run the
# installed files). Exit status 1 when a server answers wrong, has
# failures or cannot be started (sipvm not running Lua yet is not a
# failure), or no server could be measured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
bench_netns "$0" "$@"
bench_init
DURATION=${DURATION:-4}
CONNS=${CONNS:-10}
ROUNDS=${ROUNDS:-2}
CHILDREN=${CHILDREN:-2}
PV_N=${PV_N:-100000}
SERVERS=${SERVERS:-kam-fm kam-qm sipvm}
WORKLOADS=${WORKLOADS:-page-sr page-ksr loop pv}
status=0

command -v wrk >/dev/null 2>&1 || fail "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null 2>&1 || fail "curl is not installed"

# wants WORKLOAD: true when WORKLOAD is to be measured
wants() { case " $WORKLOADS " in *" $1 "*) return 0 ;; esac; return 1; }

# lua_cfg SRC PORT: a copy of the config SRC on PORT (cfg_on_port) whose
# Lua file is named by its absolute path (the servers run elsewhere than
# the top of the tree); prints its name
lua_cfg() {
	_lc=$(cfg_on_port "$1" "$2")
	sed -i -e "s#\"samples/#\"$top/samples/#" -e "s#\"regress/bench/lua/#\"$here/#" "$_lc"
	echo "$_lc"
}

# fetch PORT PATH: the body of GET PATH (empty and status 1 unless 200)
fetch() {
	curl -sS -m 10 -o "$tmp/fetch" -w '%{http_code}' "http://127.0.0.1:$1$2" >"$tmp/fetch-code" 2>"$tmp/fetch-err" </dev/null || true
	[ "$(cat "$tmp/fetch-code")" = 200 ] || return 1
	cat "$tmp/fetch"
}

# check_server NAME PORT KIND: the answers of the server NAME are right
# (KIND page: GET /stats is the table; bench: bench.cfg's results)
check_server() {
	_cok=1
	case $3 in
	page)
		fetch "$2" /stats >"$tmp/page-$1" || _cok=0
		grep -q '^<html><body><table><tr><td>received requests</td><td>[0-9][0-9]*</td></tr>.*shared memory free</td><td>[0-9][0-9]*</td></tr></table></body></html>$' \
			"$tmp/page-$1" || _cok=0
		;;
	bench)
		[ "$(fetch "$2" /loop)" = "i=1000 m=990 k=500" ] || _cok=0
		[ "$(fetch "$2" /noloop)" = "i=0 m=0 k=0" ] || _cok=0
		for _a in sr ksr empty; do
			[ "$(fetch "$2" "/pv/$_a?n=1000")" = "sum=7000" ] || _cok=0
		done
		;;
	esac
	[ $_cok = 1 ] && return 0
	say "FAIL: $1: wrong answer (HTTP $(cat "$tmp/fetch-code" 2>/dev/null)):"
	head -c 600 "$tmp/fetch" >&2 2>/dev/null || true
	echo >&2
	return 1
}

# measure NAME LABEL PORT KEY WORKLOAD PATH CONNS: one wrk run (KEY: a
# file name) against the server NAME, its row in the table; sets us (CPU
# µs per request); returns 1 on failures
measure() {
	_mn=$1 _ml=$2 _mp=$3 _mk=$4 _mw=$5 _mpath=$6 _mc=$7
	srv_use "$_mn"
	_c0=$(tree_cpu "$spids")
	_wst=0
	wrk_run "$_mn-$_mk-$round" "http://127.0.0.1:$_mp$_mpath" "$_mc" || _wst=$?
	_c1=$(tree_cpu "$spids")
	_cpu=$(cpu_delta_ns "$_c0" "$_c1")
	us=""
	[ "$reqs" -gt 0 ] && us=$(calc 'sprintf("%.3f", c / q / 1e3)' -v c="$_cpu" -v q="$reqs")
	_note=""
	[ $_wst = 0 ] || _note="wrk failed"
	if ! kill -0 "$spid" 2>/dev/null; then
		_note="${_note:+$_note; }server died"
		_wst=1
	elif [ "$(tree_pids "$spid")" != "$spids" ]; then
		_note="${_note:+$_note; }processes changed"
	fi
	row "$_mw" max "$_ml" "$us" "$werr" "$(cat "$tmp/idle-$_mn")" "$(tree_pss_kb "$spids")" "$_note" "$wrate"
	say "$_mn: $_mw: $reqs requests ($wrate/s), $werr errors, ${us:-?} µs CPU per request${_note:+ ($_note)}"
	[ "$werr" = 0 ] && [ $_wst = 0 ] && [ -n "$us" ]
}

# derived WORKLOAD LABEL VALUE: a computed line of the table
derived() {
	row "$1" - "$2" "$3" 0 "" "" "computed"
}

# run_config CFG KIND: starts every server on CFG, checks them, runs the
# workloads of KIND (page-sr, page-ksr or bench) ROUNDS times, stops them
run_config() {
	_src=$1
	_kind=$2
	_check=page
	[ "$_kind" = bench ] && _check=bench
	: >"$tmp/up"
	_port=5060
	for s in $SERVERS; do
		_cfg=$(lua_cfg "$_src" $_port)
		_name=$s-$_kind
		case $s in
		kam-fm | kam-qm)
			kam_usable || { _port=$((_port + 2)); continue; }
			# shellcheck disable=SC2046
			set -- $(kam_cmd "$_name" "${s#kam-}" "$CHILDREN" "$_cfg")
			_ready=""
			_label="kamailio (${s#kam-})"
			;;
		sipvm)
			if ! sipvm_usable "$_cfg" tcp $_port "127.0.0.1:$_port"; then
				_port=$((_port + 2))
				continue
			fi
			set -- "$SIPVM_RUN" -f "$_cfg" -l "127.0.0.1:$_port" -n "$CHILDREN"
			_ready="sipvm: ready"
			_label=sipvm
			;;
		*) fail "unknown server $s (SERVERS: kam-fm kam-qm sipvm)" ;;
		esac
		if srv_start "$_name" tcp $_port "$_ready" "$@" && check_server "$_name" $_port $_check; then
			echo "$_name $_port $_label" >>"$tmp/up"
			tree_pss_kb "$spids" >"$tmp/idle-$_name"
			say "$_name: $(echo "$spids" | wc -w) processes on port $_port, PSS $(cat "$tmp/idle-$_name") kB, answers checked"
		else
			tail -5 "$tmp/$_name.log" >&2
			srv_stop
			status=1
		fi
		_port=$((_port + 2))
	done
	[ -s "$tmp/up" ] || return 0
	round=0
	while [ $round -lt "$ROUNDS" ]; do
		round=$((round + 1))
		_order=$tmp/up
		if [ $((round % 2)) = 0 ]; then
			awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$tmp/up" >"$tmp/up-rev"
			_order=$tmp/up-rev
		fi
		while read -r _name _port _label; do
			case $_kind in
			page-sr)
				measure "$_name" "$_label" "$_port" page-sr "page sr (GET /stats, lua_runstring)" /stats "$CONNS" || status=1
				;;
			page-ksr)
				measure "$_name" "$_label" "$_port" page-ksr "page KSR (GET /stats, lua_runstring)" /stats "$CONNS" || status=1
				;;
			bench)
				if wants loop; then
					_ok=1
					measure "$_name" "$_label" "$_port" noloop "GET /noloop (lua_run)" /noloop "$CONNS" || { status=1; _ok=0; }
					_u0=$us
					measure "$_name" "$_label" "$_port" loop "GET /loop (lua_run)" /loop "$CONNS" || { status=1; _ok=0; }
					[ $_ok = 0 ] ||
						derived "anchor loop in Lua (loop - noloop)" "$_label" "$(calc 'sprintf("%.3f", a - b)' -v a="$us" -v b="$_u0")"
				fi
				if wants pv; then
					_ok=1
					measure "$_name" "$_label" "$_port" pv-empty "GET /pv/empty n=$PV_N" "/pv/empty?n=$PV_N" 1 || { status=1; _ok=0; }
					_ue=$us
					for _a in sr ksr; do
						_api=sr
						[ $_a = ksr ] && _api=KSR
						measure "$_name" "$_label" "$_port" "pv-$_a" "GET /pv/$_a n=$PV_N" "/pv/$_a?n=$PV_N" 1 || { status=1; _ok=0; }
						[ $_ok = 0 ] ||
							derived "$_api.pv.get(\"\$var(x)\") x1000 (us per 1000 calls)" "$_label" \
								"$(calc 'sprintf("%.3f", (a - b) / n * 1000)' -v a="$us" -v b="$_ue" -v n="$PV_N")"
					done
				fi
				;;
			esac
		done <"$_order"
	done
	while read -r _name _port _label; do
		check_server "$_name" "$_port" $_check || status=1
		srv_stop "$_name"
	done <"$tmp/up"
}

wants page-sr && run_config "$top/samples/stats-lua.cfg" page-sr
wants page-ksr && run_config "$top/samples/stats-ksr.cfg" page-ksr
if wants loop || wants pv; then
	run_config "$here/bench.cfg" bench
fi

[ -s "$tmp/rows" ] || fail "no server could be measured"
table "Lua through app_lua, wrk -t1, $DURATION s per run, lowest of $ROUNDS rounds, $CHILDREN workers; ratio: CPU over Kamailio's best"

# the targets: sipvm's Lua pages at most half of Kamailio's best CPU per
# request; its pv.get per call below Kamailio's best
echo
awk -F'\t' '
	$4 != "" {
		k = $1 SUBSEP $3
		if (!(k in lo) || $4 + 0 < lo[k]) lo[k] = $4 + 0
		if ($3 ~ /^kamailio/ && (!($1 in best) || $4 + 0 < best[$1])) best[$1] = $4 + 0
		w[$1] = 1
	}
	END {
		for (x in w) {
			limit = ""
			if (x ~ /^page /) limit = 0.5
			else if (x ~ /pv\.get/) limit = 1
			if (limit == "") continue
			k = x SUBSEP "sipvm"
			if (!(x in best)) { printf "target %s: no Kamailio figure\n", x; continue }
			if (!(k in lo)) { printf "target %s: sipvm not measured\n", x; continue }
			printf "target %s: sipvm %.3f, Kamailio best %.3f, ratio %.2f (%s %.2f): %s\n", x, lo[k], best[x],
				lo[k] / best[x], limit == 1 ? "below" : "at most", limit,
				(limit == 1 ? lo[k] < best[x] : lo[k] <= limit * best[x]) ? "met" : "NOT met"
		}
	}' "$tmp/rows" | sort
[ $status = 0 ] || fail "a server could not be started, answered wrong or had failures"
