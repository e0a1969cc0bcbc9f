#!/bin/sh
# The server as a stateless proxy and as a long-running process: forward()
# to a sipp UAS and the replies back through reply_route (a whole INVITE /
# ACK / BYE call from a sipp UAC), IPv6 sockets, SIGHUP reloading a changed
# config and keeping the running one when the new one does not compile,
# SIGTERM. Runs in a private network namespace on loopback.
#
#   SIPVM=bin/sipvm regress/server/server.t
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
if [ -z "${SIPVM_NETNS:-}" ]; then
	exec unshare -n env SIPVM_NETNS=1 SIPVM="$SIPVM" sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
for tool in sipp python3; do
	command -v $tool >/dev/null 2>&1 || { echo "1..0 # SKIP $tool not installed"; exit 0; }
done
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

echo "1..14"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

# wait until a UDP OPTIONS to $1:$2 (user $3, default ping) is answered
# (at most 5 s); prints the reply's status line
ping() {
	python3 "$top/regress/lib/options.py" "$1" "$2" "${3:-ping}" 2>/dev/null
}

# --- 1. a stateless proxy between two sipp instances ----------------------
cat >"$tmp/proxy.cfg" <<'EOF2'
debug=2
children=2
loadmodule "sl.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "pv.so"
request_route {
	if (is_method("OPTIONS") && $rU == "ping") {
		sl_send_reply("200", "pong");
		exit;
	}
	$du = "sip:127.0.0.1:5181";
	if (!forward()) {
		sl_send_reply("500", "cannot forward");
	}
}
reply_route {
	xlog("L_INFO", "reply_route: $rs $rr cseq $cs\n");
}
event_route[core:worker-one-init] {
	$shv(started) = 1;
	xlog("L_INFO", "worker-one-init ran\n");
}
EOF2
"$SIPVM" -E -f "$tmp/proxy.cfg" -l udp:127.0.0.1:5180 2>"$tmp/proxy.log" &
ppid=$!
pids="$pids $ppid"
check "proxy answers OPTIONS itself" '[ "$(ping 127.0.0.1 5180)" = "SIP/2.0 200 pong" ]'
( cd "$tmp" && exec timeout 60 sipp -sn uas -p 5181 -i 127.0.0.1 -nostdin -trace_err >/dev/null 2>&1 ) &
uaspid=$!
pids="$pids $uaspid"
sleep 0.3
( cd "$tmp" && timeout 40 sipp -sn uac 127.0.0.1:5180 -p 5182 -i 127.0.0.1 -m 20 -r 50 \
	-nostdin -timeout 30 -timeout_error -trace_screen -screen_file "$tmp/uac.screen" >/dev/null 2>&1 )
rc=$?
check "20 INVITE/ACK/BYE calls through forward() and stateless reply forwarding (sipp rc $rc)" '[ $rc -eq 0 ]'
succ=$(awk '/Successful call/ { print $NF }' "$tmp/uac.screen" 2>/dev/null)
check "sipp counted 20 successful calls (got ${succ:-none})" '[ "${succ:-0}" = 20 ]'
nrep=$(grep -c 'reply_route: 200 OK cseq' "$tmp/proxy.log")
check "reply_route ran for each 200 (40: INVITE and BYE; got $nrep)" '[ "$nrep" -eq 40 ]'
check "reply_route saw the 180s too" 'grep -q "reply_route: 180 Ringing" "$tmp/proxy.log"'
ninit=$(grep -c 'worker-one-init ran' "$tmp/proxy.log")
check "event_route[core:worker-one-init] ran once (got $ninit)" '[ "$ninit" -eq 1 ]'
kill "$uaspid" 2>/dev/null

# --- 2. IPv6 ---------------------------------------------------------------
"$SIPVM" -E -f "$tmp/proxy.cfg" -l udp:[::1]:5190 -l tcp:[::1]:5190 2>"$tmp/v6.log" &
v6pid=$!
pids="$pids $v6pid"
check "OPTIONS over UDP/IPv6 answered" '[ "$(ping ::1 5190)" = "SIP/2.0 200 pong" ]'
cat >"$tmp/tcp6.py" <<'PY'
import socket
s = socket.create_connection(('::1', 5190), timeout=3)
lp = s.getsockname()[1]
s.sendall(('OPTIONS sip:ping@[::1]:5190 SIP/2.0\r\nVia: SIP/2.0/TCP [::1]:%d;branch=z9hG4bK6\r\n'
           'From: <sip:t@[::1]>;tag=1\r\nTo: <sip:ping@[::1]>\r\nCall-ID: v6tcp\r\nCSeq: 1 OPTIONS\r\n'
           'Content-Length: 0\r\n\r\n' % lp).encode())
print(s.recv(65535).decode().split('\r\n')[0])
PY
check "OPTIONS over TCP/IPv6 answered" '[ "$(python3 "$tmp/tcp6.py" 2>/dev/null)" = "SIP/2.0 200 pong" ]'
kill -TERM "$v6pid"; wait "$v6pid"; rc=$?
check "SIGTERM stops the IPv6 server with status 0 (got $rc)" '[ $rc -eq 0 ]'

# --- 3. SIGHUP ---------------------------------------------------------------
mk() {
	cat >"$tmp/live.cfg" <<EOF2
children=1
loadmodule "sl.so"
request_route {
	sl_send_reply("200", "$1");
}
EOF2
}
mk first
"$SIPVM" -E -f "$tmp/live.cfg" -l udp:127.0.0.1:5195 2>"$tmp/live.log" &
lpid=$!
pids="$pids $lpid"
check "first config answers" '[ "$(ping 127.0.0.1 5195)" = "SIP/2.0 200 first" ]'
mk second
kill -HUP "$lpid"
sleep 0.5
check "after SIGHUP the changed config answers" '[ "$(ping 127.0.0.1 5195)" = "SIP/2.0 200 second" ]'
printf 'children=1\nloadmodule "sl.so"\nrequest_route {\n\tsl_send_reply("200", "third")\n}\n' >"$tmp/live.cfg"
kill -HUP "$lpid"
sleep 0.5
check "a config that does not compile: the old one keeps answering" \
	'[ "$(ping 127.0.0.1 5195)" = "SIP/2.0 200 second" ]'
check "its error is logged with file:line:col" 'grep -q "live.cfg:[0-9]*:[0-9]*: error" "$tmp/live.log"'
kill -TERM "$lpid"; wait "$lpid"; rc=$?
check "SIGTERM: status 0 (got $rc)" '[ $rc -eq 0 ]'
kill -TERM "$ppid"; wait "$ppid"
