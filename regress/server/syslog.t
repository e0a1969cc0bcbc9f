#!/bin/sh
# Where the server's log lines go, as in Kamailio: log_stderror=no (the
# default) sends them to syslog with log_name as the ident and log_facility
# as the facility; -E or log_stderror=yes keeps them on stderr; an unknown
# facility stops the start. syslog(3) writes to /dev/log: the test runs in
# private mount and network namespaces where /dev is a fresh tmpfs holding
# null, zero, urandom and a datagram socket "log" it listens on.
#
#   SIPVM=bin/sipvm regress/server/syslog.t
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
# shellcheck source=../lib/server.sh
. "$top/regress/lib/server.sh"
netns_reexec -m SIPVM_NETNS "$0"
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	umount -l /dev 2>/dev/null
	umount -R -l "$tmp/dev" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# a private /dev (this mount namespace only)
mkdir "$tmp/dev"
mount -t tmpfs none "$tmp/dev" || { echo "1..0 # SKIP cannot mount a tmpfs"; exit 0; }
for f in null zero urandom random; do
	: >"$tmp/dev/$f"
	mount --bind "/dev/$f" "$tmp/dev/$f"
done
cat >"$tmp/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "ab", buffering=0)
while True:
    out.write(s.recv(65536) + b"\n")
PY
python3 "$tmp/listen.py" "$tmp/dev/log" "$tmp/syslog.txt" &
pids="$pids $!"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/dev/log" ] && break; sleep 0.1; done
mount --rbind "$tmp/dev" /dev || { echo "1..0 # SKIP cannot mount over /dev"; exit 0; }


# cfg NAME EXTRA: a config logging one line per request, with EXTRA settings
cfg() {
	{
		printf 'debug=2\nchildren=1\n%b\n' "$2"
		printf 'loadmodule "sl.so"\nloadmodule "xlog.so"\nloadmodule "pv.so"\n'
		printf 'request_route {\n\txlog("L_ERR", "hello $rm $ci\\n");\n'
		printf '\tsl_send_reply("200", "OK");\n}\n'
	} >"$tmp/$1.cfg"
}

# run NAME PORT [ARGS]: start sipvm on NAME.cfg, send one OPTIONS, stop it
run() {
	_n=$1 _p=$2
	shift 2
	"$SIPVM" "$@" -f "$tmp/$_n.cfg" -l "udp:127.0.0.1:$_p" 2>"$tmp/$_n.err" &
	_pid=$!
	pids="$pids $_pid"
	python3 "$top/regress/lib/options.py" 127.0.0.1 "$_p" >"$tmp/$_n.reply" 2>/dev/null
	sleep 0.2
	kill -TERM "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
}

echo "1..9"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

# 1. log_stderror=no: syslog, ident log_name, facility LOG_LOCAL3 (19):
# priority 19 * 8 + LOG_ERR (3) = 155
cfg sys 'log_stderror=no\nlog_name="sipvmtest"\nlog_facility=LOG_LOCAL3'
run sys 5290
check "log_stderror=no: the request is answered" 'grep -q "200 OK" "$tmp/sys.reply"'
check "the script's line reaches syslog with facility, level, ident and PID" \
	'grep -Eq "^<155>.*sipvmtest\[[0-9]+\]: ERROR: <script>: hello OPTIONS opt-" "$tmp/syslog.txt"'
check "and not stderr" '! grep -q "hello OPTIONS" "$tmp/sys.err"'
check "stderr says where the log goes" 'grep -q "logging to syslog as .sipvmtest." "$tmp/sys.err"'

# 2. the defaults: ident sipvm, LOG_DAEMON (3): 3 * 8 + 3 = 27
cfg dflt ''
run dflt 5291
check "no log_stderror: syslog as sipvm, facility LOG_DAEMON" \
	'grep -Eq "^<27>.*sipvm\[[0-9]+\]: ERROR: <script>: hello OPTIONS" "$tmp/syslog.txt"'

# 3. -E and log_stderror=yes: stderr
: >"$tmp/syslog.txt"
run sys 5292 -E
check "-E: the line is on stderr" 'grep -q "^ERROR: <script>: hello OPTIONS" "$tmp/sys.err"'
cfg err 'log_stderror=yes'
run err 5293
check "log_stderror=yes: on stderr" 'grep -q "^ERROR: <script>: hello OPTIONS" "$tmp/err.err"'
check "neither wrote to syslog" '! grep -q "hello" "$tmp/syslog.txt"'

# 4. an unknown facility: refused at start
cfg bad 'log_facility=LOG_NOSUCH'
timeout 10 "$SIPVM" -f "$tmp/bad.cfg" -l udp:127.0.0.1:5294 >"$tmp/bad.out" 2>&1
rc=$?
check "an unknown log_facility stops the start (exit 1, reason given)" \
	'[ $rc = 1 ] && grep -q "unknown facility .LOG_NOSUCH." "$tmp/bad.out"'
