#!/bin/sh
# kamailio.sh — run the language cases regress/lang/NNN-*.cfg on the real
# Kamailio 5.6.3 and check the expectations written inside them, so that
# every expectation is Kamailio's own answer. A developer tool, not part of
# `make test` (it needs Kamailio, unshare and python3).
#
#   sh regress/lang/kamailio.sh [CASE...]     CASE: a file, a name (with or
#                                             without .cfg) or its number
#   JOBS=N      parallel groups, each in its own network namespace
#               (default: the number of CPUs)
#   VERBOSE=1   after a failing case, print what Kamailio did
#   SHOW=1      print the script lines and replies of every case
#   KAMAILIO, KAMAILIO_MODULES   the binary and its module folder
#   PYTHON      the python3 to run sipsend.py with
#
# Prints `ok N - case` or `not ok N - case: expected X, got Y` per case and
# ends with "N passed, N failed"; exit status 1 when a case failed.
#
# Format of a case (README-format)
# --------------------------------
# A case is a complete kamailio.cfg whose header is shared:
#
#	# plus: the left operand's type decides (int + "3" adds)
#	# msg: options.sip
#	include_file "head.cfg"
#	request_route {
#		$var(a) = 1;
#		$var(b) = $var(a) + "3";
#		xlog("L_INFO", "b=$var(b)\n");
#		exit;
#	}
#	# expect: b=4
#
# head.cfg sets debug=2, log_stderror=yes, dns=no, rev_dns=no,
# auto_aliases=no, children=1 and loads pv xlog sl textops siputils kex
# maxfwd corex. It has no listen: the runner gives the socket
# (udp:127.0.0.1:PORT).
#
# Directive lines (comments, so the file stays a valid config):
#
#   # msg: FILE...        canned messages from regress/lang/msg/, sent one
#                         after another, from 127.0.0.1:5070, to the same
#                         server (one worker: $var persists between them).
#                         Without this line: one msg/options.sip.
#   # expect: TEXT        the next script log line is exactly TEXT. A script
#                         log line is the text of an xlog()/log() message
#                         after Kamailio's "<script>: " prefix, without the
#                         trailing newline; a message holding newlines counts
#                         as one line per newline. All expect lines together,
#                         in file order, must equal all script log lines of
#                         the run (an extra or a missing line fails). TEXT
#                         is the rest of the line after "# expect: ", taken
#                         verbatim (cases print values between brackets when
#                         blanks matter).
#                         Kamailio writes such a line to stderr as
#                           " 1(4904) INFO: <script>: b=4"
#                         (process rank, pid, level: L_INFO is INFO, L_ERR
#                         and the one-argument xlog ERROR, log(1, ..)
#                         NOTICE; L_DBG is not shown at debug=2).
#   # expect-reply: CODE REASON
#                         the next reply sent back has this status line
#                         (after "SIP/2.0 "). When a case has expect-reply
#                         or expect-no-reply lines, the replies of the run
#                         must be exactly those, in order.
#   # expect-no-reply     no reply at all is sent back during the run.
#   # expect-header: NAME: VALUE
#                         the last reply of the run holds this header line,
#                         exactly.
#
# An expectation Kamailio does not meet because of a Kamailio bug (a crash
# or a documented bug) carries Kamailio's answer after two blanks:
#   # expect: world  # kamailio: <what Kamailio prints instead>
# The part before is what a correct implementation gives; this runner
# checks the part after "# kamailio: " (the rest of the line, verbatim; a
# lone "*" accepts any one line, for a bug whose output is not repeatable).
set -u
here=$(cd "$(dirname "$0")" && pwd)
KAMAILIO=${KAMAILIO:-kamailio}
KAMAILIO_MODULES=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
VERBOSE=${VERBOSE:-0}
SHOW=${SHOW:-0}

# case_path ARG: the case file an argument names, or nothing
case_path() {
	if [ -f "$1" ]; then (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); return; fi
	num=$1
	case "$1" in
	*[!0-9]*|'') ;;
	*) num=$(echo "$1" | sed 's/^0*//'); num=$(printf '%03d' "${num:-0}") ;;
	esac
	for f in "$here/$1" "$here/$1.cfg" "$here/$num"-*.cfg; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
}

# script_lines LOG: the script log lines of a Kamailio stderr log. A line
# without a log prefix that follows a script line continues its message; a
# log prefix inside a line starts a new message (the one before it lacked
# its newline, or was cut at a NUL byte).
script_lines() {
	awk '
	function handle(l) {
		if (l ~ /^ *[0-9]+\([0-9]+\) [A-Z]+: /) cont = 0
		if (match(l, /^ *[0-9]+\([0-9]+\) [A-Z]+: <script>: /)) {
			print substr(l, RLENGTH + 1); cont = 1; return
		}
		if (cont) print l
	}
	{
		line = $0
		while ((p = match(substr(line, 2), / [0-9]+\([0-9]+\) [A-Z]+: /)) > 0) {
			handle(substr(line, 1, p)); line = substr(line, p + 1)
		}
		handle(line)
	}
	' "$1"
}

# check CASE LINES REPLIES: compare the expectations of CASE with the script
# lines (one per line) and the replies (sipsend.py output: start line,
# headers, "."). Prints nothing when they agree, else one line naming the
# first difference. Expectations with "  # kamailio: X" check X.
check() {
	awk -v lines="$2" -v replies="$3" '
	function kam(s,   i) {
		i = index(s, "  # kamailio: ")
		if (!i) return s
		s = substr(s, i + 14)
		return s == "*" ? "\001any" : s
	}
	function arg(s, key) {
		s = substr(s, length(key) + 1)
		return substr(s, 1, 1) == " " ? substr(s, 2) : s
	}
	BEGIN {
		while ((getline l < lines) > 0) got[++ng] = l
		nr = 0; fresh = 1
		while ((getline l < replies) > 0) {
			if (l == ".") { fresh = 1; continue }
			if (fresh) {
				st[++nr] = substr(l, 1, 8) == "SIP/2.0 " ? substr(l, 9) : l
				nh = 0; fresh = 0
				continue
			}
			hdr[nr, ++nh] = l; nhdr[nr] = nh
		}
	}
	/^# expect:/ { ex[++ne] = kam(arg($0, "# expect:")); next }
	/^# expect-reply:/ { er[++ner] = kam(arg($0, "# expect-reply:")); rep = 1; next }
	/^# expect-no-reply/ { norep = 1; rep = 1; next }
	/^# expect-header:/ { eh[++neh] = kam(arg($0, "# expect-header:")); next }
	END {
		if (ne + ner + neh + norep == 0) { print "no expectations"; exit }
		n = ne > ng ? ne : ng
		for (i = 1; i <= n; i++) {
			if (i > ne) { printf "expected no more lines, got [%s] (line %d)\n", got[i], i; exit }
			if (i > ng) { printf "expected [%s], got nothing (line %d)\n", ex[i], i; exit }
			if (ex[i] != got[i] && ex[i] != "\001any") { printf "expected [%s], got [%s] (line %d)\n", ex[i], got[i], i; exit }
		}
		if (norep && nr > 0) { printf "expected no reply, got [%s]\n", st[1]; exit }
		if (rep) {
			n = ner > nr ? ner : nr
			for (i = 1; i <= n; i++) {
				if (i > ner) { printf "expected no more replies, got [%s] (reply %d)\n", st[i], i; exit }
				if (i > nr) { printf "expected reply [%s], got none (reply %d)\n", er[i], i; exit }
				if (er[i] != st[i]) { printf "expected reply [%s], got [%s] (reply %d)\n", er[i], st[i], i; exit }
			}
		}
		for (i = 1; i <= neh; i++) {
			if (nr == 0) { printf "expected header [%s], got no reply\n", eh[i]; exit }
			found = 0
			for (j = 1; j <= nhdr[nr]; j++) if (hdr[nr, j] == eh[i]) found = 1
			if (!found) { printf "expected header [%s] in the last reply, not there\n", eh[i]; exit }
		}
	}
	' "$1"
}

# run_case N FILE: run one case in this namespace; writes $work/res.N
# ("ok" or the failure text) and, for SHOW/VERBOSE, $work/out.N.
run_case() {
	n=$1; f=$2
	port=$((20000 + n))
	log=$work/log.$n; rep=$work/rep.$n; lines=$work/lines.$n
	msgs=$(sed -n 's/^# msg:[[:space:]]*//p' "$f" | head -1)
	[ -n "$msgs" ] || msgs=options.sip
	set --
	for m in $msgs; do set -- "$@" "$here/msg/$m"; done
	(cd "$here" && exec setsid "$KAMAILIO" -L "$KAMAILIO_MODULES" -f "$f" -E -DD -T -S \
		-l "udp:127.0.0.1:$port" -m 64 -M 8 -Y "$work" >/dev/null 2>"$log") &
	pid=$!
	timeout 30 "$PYTHON" "$here/sipsend.py" --port-wait 10 --pid "$pid" "127.0.0.1:$port" "$@" >"$rep"
	src=$?
	kill -TERM "$pid" 2>/dev/null
	i=0
	while [ $i -lt 60 ]; do
		s=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ -z "$s" ] || [ "$s" = Z ] && break
		sleep 0.05; i=$((i + 1))
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	script_lines "$log" >"$lines"
	if [ "$src" = 2 ]; then
		why=$(grep -m1 -E 'CRITICAL|ERROR' "$log" | sed 's/^ *[0-9]*([0-9]*) //')
		echo "kamailio did not start: ${why:-see its log}" >"$work/res.$n"
	elif [ "$src" != 0 ]; then
		echo "sipsend.py failed (exit $src)" >"$work/res.$n"
	else
		r=$(check "$f" "$lines" "$rep")
		echo "${r:-ok}" >"$work/res.$n"
	fi
	if [ "$SHOW" = 1 ] || { [ "$VERBOSE" = 1 ] && [ "$(cat "$work/res.$n")" != ok ]; }; then
		{
			sed 's/^/    log: /' "$lines"
			sed 's/^/    reply: /' "$rep" | grep -v '^    reply: \.$' | grep -E 'reply: (SIP/2.0|X-|Content-|Server)'
			[ "$src" != 0 ] && grep -E 'ERROR|CRITICAL' "$log" | head -5 | sed 's/^/    err: /'
		} >"$work/out.$n"
	fi
	rm -f "$log"
}

# inside a namespace: run the cases given as N:FILE pairs
if [ "${1:-}" = --group ]; then
	work=$2; shift 2
	ip link set lo up || exit 1
	for nf in "$@"; do
		run_case "${nf%%:*}" "${nf#*:}"
	done
	exit 0
fi

command -v "$KAMAILIO" >/dev/null || { echo "kamailio.sh: no $KAMAILIO"; exit 1; }
# the interpreter itself, not a wrapper script (pyenv shims cost seconds)
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
[ -x "$PYTHON" ] || { echo "kamailio.sh: no python3"; exit 1; }
export PYTHON
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
: >"$work/list"
if [ $# -eq 0 ]; then
	ls "$here"/[0-9]*.cfg >"$work/list"
else
	for a in "$@"; do
		p=$(case_path "$a")
		[ -n "$p" ] || { echo "kamailio.sh: no case $a"; exit 1; }
		echo "$p" >>"$work/list"
	done
fi
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
g=0
while [ $g -lt "$JOBS" ]; do
	set --
	n=0
	while read -r f; do
		n=$((n + 1))
		[ $(( (n - 1) % JOBS )) -eq $g ] && set -- "$@" "$n:$f"
	done <"$work/list"
	[ $# -gt 0 ] && unshare -n sh "$0" --group "$work" "$@" &
	g=$((g + 1))
done
wait

pass=0; fail=0; n=0
while read -r f; do
	n=$((n + 1))
	name=$(basename "$f" .cfg)
	r=$(cat "$work/res.$n" 2>/dev/null)
	if [ "$r" = ok ]; then
		echo "ok $n - $name"; pass=$((pass + 1))
	else
		echo "not ok $n - $name: ${r:-no result}"; fail=$((fail + 1))
	fi
	[ -f "$work/out.$n" ] && cat "$work/out.$n"
done <"$work/list"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
