# The server under test for the shell tests that drive one (sourced after
# tap.sh): a private network namespace, and starting and stopping bin/sipvm
# ($SIPVM) or, to check the tests' expectations against the reference,
# Kamailio 5.6.3.
#
# Set before calling server_start: SERVER (sipvm or kamailio), SIPVM,
# KAMAILIO_MODULES, tmp (a scratch folder: the server's log is
# $tmp/server.log), and optionally SERVER_CWD (the folder the server starts
# in, default the current one: configs that load files by relative paths
# need the top of the tree).

# netns_reexec [-m] VAR "$0" "$@": re-execute the calling script, once, in
# a new network namespace with only loopback up (VAR=1 marks the second
# run; SIPVM is passed on), with -m in a new mount namespace too (for a
# test that mounts over system files). Prints a TAP skip and exits when
# the namespaces cannot be made.
netns_reexec() {
	_ns=-n
	if [ "$1" = -m ]; then
		_ns=-mn
		shift
	fi
	_var=$1
	shift
	eval "[ -z \"\${$_var:-}\" ]" || return 0
	[ "$(id -u)" = 0 ] || _ns=-r$_ns
	if ! command -v unshare >/dev/null 2>&1 || ! unshare $_ns true 2>/dev/null; then
		echo "1..0 # SKIP cannot create the namespaces (unshare $_ns)"
		exit 0
	fi
	[ -z "${SIPVM:-}" ] || export SIPVM
	exec unshare $_ns env "$_var=1" sh -c 'ip link set lo up && exec sh "$0" "$@"' "$@"
}

# server_start CONFIG PORT [ARGS...]: start the server on 127.0.0.1:PORT
# (udp and tcp) with CONFIG and ARGS, in the background, log in
# $tmp/server.log; wait until it is ready (sipvm: its "sipvm: ready" line;
# Kamailio: both sockets bound, then half a second for its workers to load
# their scripts), at most 10 s. Sets spid. Returns 0 when ready; 2 when
# sipvm refused the config for something it does not implement yet; 1 when
# it stopped or was not ready in time (its log printed as TAP comments).
server_start() {
	_cfg=$1
	_port=$2
	shift 2
	: >"$tmp/server.log"
	if [ "$SERVER" = kamailio ]; then
		sed -e '/^listen=/d' "$_cfg" >"$tmp/kamailio.cfg"
		printf 'listen=udp:127.0.0.1:%s\nlisten=tcp:127.0.0.1:%s\n' "$_port" "$_port" >>"$tmp/kamailio.cfg"
		(cd "${SERVER_CWD:-.}" && exec kamailio -f "$tmp/kamailio.cfg" -L "$KAMAILIO_MODULES" \
			-DD -E -m 64 -M 8 -w "$(pwd)" -Y "$tmp" "$@" >"$tmp/server.log" 2>&1 </dev/null) &
	else
		(cd "${SERVER_CWD:-.}" && exec "$SIPVM" -f "$_cfg" -l "udp:127.0.0.1:$_port" \
			-l "tcp:127.0.0.1:$_port" "$@" >"$tmp/server.log" 2>&1 </dev/null) &
	fi
	spid=$!
	_i=0
	while :; do
		if [ "$SERVER" = kamailio ]; then
			if ss -Hlnu "sport = :$_port" | grep -q . && ss -Hlnt "sport = :$_port" | grep -q .; then
				sleep 0.5
				return 0
			fi
		elif grep -q '^sipvm: ready' "$tmp/server.log"; then
			return 0
		fi
		_i=$((_i + 1))
		if ! server_alive || [ $_i -gt 100 ]; then
			server_kill
			grep -Eq 'not implemented by sipvm|that sipvm does not provide' "$tmp/server.log" &&
				return 2
			diag "the server ($SERVER) did not start (or was not ready within 10 s); its log:"
			diag_file "$tmp/server.log" 30
			return 1
		fi
		sleep 0.1
	done
}

# server_stop [SECS]: SIGTERM to the server, wait for it at most SECS
# (default 5); then stop_rc is its exit status (or "killed" when it had to
# be killed) and stop_ms the milliseconds it took.
server_stop() {
	stop_rc=none
	stop_ms=0
	[ -n "$spid" ] || return 1
	_t0=$(date +%s%N)
	kill -TERM "$spid" 2>/dev/null
	( sleep "${1:-5}"; kill -KILL "$spid" 2>/dev/null && echo killed >"$tmp/stop.killed" ) &
	_wd=$!
	wait "$spid"
	stop_rc=$?
	_t1=$(date +%s%N)
	kill "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	[ ! -f "$tmp/stop.killed" ] || stop_rc=killed
	rm -f "$tmp/stop.killed"
	stop_ms=$(((_t1 - _t0) / 1000000))
	spid=""
	if [ "$stop_rc" != 0 ]; then
		diag "the server's log (it stopped with $stop_rc):"
		tail -n 30 "$tmp/server.log" | sed 's/\r/\\r/g; s/^/#   /'
	fi
}

# server_kill: stop the server by its PID whatever it is doing (cleanup):
# SIGTERM (Kamailio's main process then stops its children), SIGKILL
# after 3 s
server_kill() {
	[ -n "${spid:-}" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	( sleep 3; kill -KILL "$spid" 2>/dev/null ) &
	_wd=$!
	wait "$spid" 2>/dev/null
	kill "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	spid=""
}

# server_alive: true while the server process runs (not a zombie: it is
# our child, reaped only by wait)
server_alive() {
	[ -n "${spid:-}" ] && [ -r "/proc/$spid/stat" ] &&
		[ "$(sed 's/.*) //' "/proc/$spid/stat" | cut -d' ' -f1)" != Z ]
}
