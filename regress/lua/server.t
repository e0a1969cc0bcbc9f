#!/bin/sh
# app_lua in the running server: lua_run answering UDP requests in several
# workers, a Lua error and a Lua memory error logged while the worker goes
# on, SIGHUP taking a changed script, a script that no longer compiles
# refused with its file:line while the running one keeps answering, and
# routing written entirely in Lua (cfgengine "lua"). Runs in a private
# network namespace on loopback.
#
#   SIPVM=bin/sipvm regress/lua/server.t
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
if [ -z "${SIPVM_NETNS:-}" ]; then
	unshare -n true 2>/dev/null || { echo "1..0 # SKIP cannot create a network namespace"; exit 0; }
	exec unshare -n env SIPVM_NETNS=1 SIPVM="$SIPVM" sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

echo "1..14"
n=0
check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1${3:+ # TODO $3}"; fi
}

# ask PORT USER: send an OPTIONS to USER on 127.0.0.1:PORT (retried for 5 s)
# and print the status line of the reply
ask() { python3 "$top/regress/lib/options.py" 127.0.0.1 "$1" "$2" 2>/dev/null; }

# --- 1. lua_run in the server ------------------------------------------------
version() {
	cat >"$tmp/handler.lua" <<EOF
calls = 0
io.stderr:write("handler.lua $1 loaded\\n")
function handle(user)
	calls = calls + 1
	if user == "boom" then
		local t = nil
		return t.x
	end
	if user == "hog" then
		local t, s = {}, string.rep("x", 1048576)
		for i = 1, 1000 do t[i] = s .. i end
	end
	sr.sl.send_reply(200, "$1 " .. KSR.pv.get("\$rU"))
end
EOF
}
version v1
cat >"$tmp/lua.cfg" <<EOF
children=2
debug=2
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "xlog.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "$tmp/handler.lua")
request_route {
	if (!lua_run("handle", "\$rU")) {
		sl_send_reply("500", "Lua failed");
	}
	exit;
}
EOF
"$SIPVM" -E -f "$tmp/lua.cfg" -l udp:127.0.0.1:5390 2>"$tmp/lua.log" &
spid=$!
pids="$pids $spid"
for _ in $(seq 50); do grep -q "sipvm: ready" "$tmp/lua.log" && break; sleep 0.1; done
check "the load script runs in each worker at start, before any request (2 workers)" \
	'[ "$(grep -c "handler.lua v1 loaded" "$tmp/lua.log")" = 2 ]'
check "lua_run answers a request through sr.sl.send_reply" '[ "$(ask 5390 alice)" = "SIP/2.0 200 v1 alice" ]'
check "a Lua error: lua_run is false, the cfg answers" '[ "$(ask 5390 boom)" = "SIP/2.0 500 Lua failed" ]'
check "the error is logged with the script's file:line" \
	'grep -q "lua_run: error from Lua: .*handler.lua:7: attempt to index local" "$tmp/lua.log"'
check "a script allocating without bound gets a memory error, the cfg answers" \
	'[ "$(ask 5390 hog)" = "SIP/2.0 500 Lua failed" ] && grep -q "not enough memory" "$tmp/lua.log"'
ok=1
for u in a b c d e f; do [ "$(ask 5390 $u)" = "SIP/2.0 200 v1 $u" ] || ok=0; done
check "the workers go on answering" '[ $ok -eq 1 ]'

# --- 2. SIGHUP ---------------------------------------------------------------
version v2
kill -HUP "$spid"
sleep 0.5
ok=1
for u in a b c d; do [ "$(ask 5390 $u)" = "SIP/2.0 200 v2 $u" ] || ok=0; done
check "after SIGHUP every worker runs the changed script" '[ $ok -eq 1 ]'
printf 'function handle(user)\n\tsr.sl.send_reply(200, "v3")\nend end\n' >"$tmp/handler.lua"
kill -HUP "$spid"
sleep 0.5
check "a script that does not compile is refused with its file:line" \
	'grep -q "failed to load Lua script: .*handler.lua:3:" "$tmp/lua.log"'
check "and the running one keeps answering" '[ "$(ask 5390 zed)" = "SIP/2.0 200 v2 zed" ]'
kill -TERM "$spid"; wait "$spid"; rc=$?
check "SIGTERM: status 0 (got $rc)" '[ $rc -eq 0 ]'

# --- 3. cfgengine "lua" --------------------------------------------------------
cat >"$tmp/engine.lua" <<'EOF'
function ksr_request_route()
	if KSR.maxfwd.process_maxfwd(10) < 0 then
		KSR.sl.sl_send_reply(483, "Too Many Hops")
		KSR.x.exit()
	end
	local u = KSR.pv.get("$rU")
	if u == "cfg" then
		KSR.route("FROMCFG")
		KSR.x.exit()
	end
	KSR.sl.sl_send_reply(200, "Lua routed " .. u)
end
EOF
cat >"$tmp/engine.cfg" <<EOF
children=2
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "$tmp/engine.lua")
cfgengine "lua"
route[FROMCFG] {
	sl_send_reply("202", "from a cfg route");
}
EOF
"$SIPVM" -E -f "$tmp/engine.cfg" -l udp:127.0.0.1:5391 2>"$tmp/engine.log" &
epid=$!
pids="$pids $epid"
# the runtime routes through the Lua engine once it has its hook
todo=""
grep -q "rt_route_engine" "$top/runtime/rt.h" 2>/dev/null || todo="the runtime's engine hook (rt_route_engine) is not there yet"
check "ksr_request_route answers" '[ "$(ask 5391 bob)" = "SIP/2.0 200 Lua routed bob" ]' "$todo"
check "KSR.route runs a cfg route from the Lua routing" '[ "$(ask 5391 cfg)" = "SIP/2.0 202 from a cfg route" ]' "$todo"
ok=1
for u in a b c d; do [ "$(ask 5391 $u)" = "SIP/2.0 200 Lua routed $u" ] || ok=0; done
check "in every worker" '[ $ok -eq 1 ]' "$todo"
kill -TERM "$epid"; wait "$epid"; rc=$?
check "SIGTERM: status 0 (got $rc)" '[ $rc -eq 0 ]'
[ -n "${KEEP:-}" ] && cp "$tmp"/*.log /tmp/ 2>/dev/null
exit 0
