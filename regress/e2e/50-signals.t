#!/bin/sh
# Signals and start-up: SIGHUP reloads the config file (a changed reply is
# seen after it; a broken file is refused with its file:line diagnostics
# and the old routes keep answering), SIGTERM during a flood of requests
# ends the server with status 0 within 5 s and frees its sockets, a config
# with an error or a TCP port already taken makes it exit non-zero at once
# (a UDP port is not checked: Kamailio 5.6.3 binds a taken one again,
# SO_REUSEADDR, and both then share the requests).
# Against `sipvm -f` on 127.0.0.1:5090 in a private network namespace.
# (Kamailio 5.6.3 ignores SIGHUP: with E2E_SERVER=kamailio those checks are
# skipped.) TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
PORT=5090
plan 11

# version N: reload.cfg answering OPTIONS with "200 Version N"
version() {
	sed "s/@VERSION@/$1/" >"$tmp/reload.cfg" <<'CFG'
#!KAMAILIO
debug=2
log_stderror=yes
children=1
dns=no
rev_dns=no
auto_aliases=no
listen=udp:127.0.0.1:5060
listen=tcp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "pv.so"
request_route {
	sl_send_reply("200", "Version @VERSION@");
	exit;
}
CFG
}
# answers: the status line of the reply to one OPTIONS (empty if none)
answers() {
	options_ok $PORT >/dev/null
	head -n 1 "$tmp/probe.got" | tr -d '\r'
}
# answers_within SECS LINE: true once the reply's status line is LINE
answers_within() {
	_i=0
	while [ $_i -lt $(($1 * 10)) ]; do
		[ "$(answers)" = "$2" ] && return 0
		_i=$((_i + 1))
		sleep 0.1
	done
	return 1
}

version 1
if ! server_start "$tmp/reload.cfg" $PORT; then
	ok 1 "the server starts"
	skip 10 "no server"
	exit 1
fi
ok 0 "the server starts"
[ "$(answers)" = "SIP/2.0 200 Version 1" ]
ok $? "it answers with the config's reply (200 Version 1)"

if [ "$E2E_SERVER" = kamailio ]; then
	skip 3 "Kamailio 5.6.3 does not reload on SIGHUP"
else
	version 2
	kill -HUP "$spid"
	answers_within 5 "SIP/2.0 200 Version 2"
	ok $? "SIGHUP after changing the file: the new reply within 5 s ($(answers))"

	lines=$(wc -l <server.log)
	printf 'request_route {\n\tsl_send_reply("200", "Version 3")\n}\n' >>"$tmp/reload.cfg"
	kill -HUP "$spid"
	i=0
	while [ $i -lt 50 ] && ! tail -n +"$((lines + 1))" server.log | grep -q 'reload\.cfg:[0-9]*:[0-9]*: error'; do
		i=$((i + 1))
		sleep 0.1
	done
	tail -n +"$((lines + 1))" server.log | grep -q 'reload\.cfg:[0-9]*:[0-9]*: error'
	st=$?
	[ $st -eq 0 ] || diag_file server.log 40
	ok $st "SIGHUP with a broken file: the diagnostics (reload.cfg:LINE:COL: error) are logged"
	server_alive && [ "$(answers)" = "SIP/2.0 200 Version 2" ]
	ok $? "... and the server keeps running the old routes (200 Version 2)"
fi

# SIGTERM in the middle of a flood
if command -v sipp >/dev/null 2>&1; then
	sipp -sf "$here/sipp/options.xml" -m 3000 -r 2000 -rp 1000 -nr -i 127.0.0.1 -p 5070 \
		-nostdin -recv_timeout 2000 -timeout 20s 127.0.0.1:$PORT >sipp.out 2>&1 &
	sipp_pid=$!
	sleep 0.5
	server_stop 5
	wait "$sipp_pid"
	ok_stop=$(awk '$1 == "200" && $2 ~ /^<-/ { n = $3 } END { print n }' sipp.out)
	diag "sipp: ${ok_stop:-?} of 3000 OPTIONS answered before the server stopped"
	[ "$stop_rc" = 0 ] && [ "$stop_ms" -le 5000 ]
	ok $? "SIGTERM during a flood of OPTIONS: exit status 0 within 5 s (got $stop_rc in $stop_ms ms)"
else
	server_stop 5
	skip 1 "sipp is not installed"
fi
! ss -Hlnu "sport = :$PORT" | grep -q . && ! ss -Hlnt "sport = :$PORT" | grep -q .
ok $? "its sockets are gone"
[ -z "$(answers)" ]
ok $? "nothing answers on the port any more"

# start-up failures
printf 'request_route {\n\tsl_send_reply("200", "OK")\n}\n' >"$tmp/broken.cfg"
t0=$(date +%s%N)
if [ "$E2E_SERVER" = kamailio ]; then
	timeout 10 kamailio -f "$tmp/broken.cfg" -L "$KAMAILIO_MODULES" -DD -E >broken.log 2>&1
else
	timeout 10 "$SIPVM" -f "$tmp/broken.cfg" -l "udp:127.0.0.1:$PORT" >broken.log 2>&1
fi
st=$?
t1=$(date +%s%N)
[ $st -ne 0 ] && [ $st -ne 124 ] && { [ "$E2E_SERVER" = kamailio ] || grep -q 'broken\.cfg:[0-9]*:[0-9]*: error' broken.log; }
ok $? "a config with a syntax error: exit status $st after $(((t1 - t0) / 1000000)) ms, the error at its file:line:col"

version 4
server_start "$tmp/reload.cfg" $PORT || diag "the first server did not start"
first=$spid
spid=""
t0=$(date +%s%N)
if [ "$E2E_SERVER" = kamailio ]; then
	sed -e '/^listen=/d' "$tmp/reload.cfg" >"$tmp/second.cfg"
	printf 'listen=tcp:127.0.0.1:%s\n' $PORT >>"$tmp/second.cfg"
	timeout 10 kamailio -f "$tmp/second.cfg" -L "$KAMAILIO_MODULES" -DD -E >second.log 2>&1
else
	timeout 10 "$SIPVM" -f "$tmp/reload.cfg" -l "tcp:127.0.0.1:$PORT" >second.log 2>&1
fi
st=$?
t1=$(date +%s%N)
[ $st -ne 0 ] && [ $st -ne 124 ]
ok $? "a second server on the same TCP port: exit status $st after $(((t1 - t0) / 1000000)) ms"
[ $st -eq 0 ] || [ $st -eq 124 ] && diag_file second.log 10
spid=$first
[ "$(answers)" = "SIP/2.0 200 Version 4" ]
ok $? "the first one still answers"
server_stop 5
done_testing
