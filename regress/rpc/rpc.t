#!/bin/sh
# regress/rpc/rpc.t — RPC commands over JSON-RPC (jsonrpcs through xhttp's
# event_route) and app_lua scripts reloaded through them, on a running
# server (rpc.cfg, a private network namespace, 127.0.0.1:5060):
#
#   1. every request of cases.txt and cases-nopretty.txt (pretty_format 0)
#      answered as Kamailio 5.6.3 answers it (golden/, capture.sh), byte
#      for byte where nothing varies (norm.pl says what may);
#   2. app_lua.reload under load: sipp sends 1,200 OPTIONS at 200 a second
#      that the Lua function options_reply() answers with the script's
#      reason phrase; the script is rewritten and reloaded through /RPC
#      while it runs: no call fails, every reply after the reload has the
#      new text; then a script that does not compile is reloaded: an error
#      reply, and the replies keep the text of the last good version;
#   3. a fixed script reloaded by index is taken by the next requests.
#
# E2E_SERVER=kamailio runs the same against Kamailio 5.6.3 (where the
# broken script's reload answers success, the departure README "Lua"
# describes).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"
e2e_netns "$0" "$@"
e2e_setup
. "$here/lib.sh"

PORT=5060
kargs=""
[ "$E2E_SERVER" != kamailio ] || kargs="-w $tmp"
cp "$here/rpc.cfg" "$here/reply.lua" "$tmp/"

rpc() {
	printf '%s' "$1" >"$tmp/rpc.body"
	send_case $PORT /RPC "$tmp/rpc.body" "$tmp/rpc.got"
}

# cmp_case NAME FLAGS PATH BODYFILE: one case against golden/$prefix NAME
cmp_case() {
	_want=$here/golden/$prefix$1.golden
	_mode=exact
	case ",$2," in *,norm,*) _mode=norm ;; *,subset,*) _mode=subset ;; esac
	if [ "$E2E_SERVER" != kamailio ]; then
		_as=$(printf '%s\n' "$2" | tr ',' '\n' | sed -n 's/^as=//p')
		[ -z "$_as" ] || _want=$here/golden/$prefix$_as.golden
	fi
	case ",$2," in *,broken,*) broken_lua "$tmp/reply.lua" ;; esac
	send_case $PORT "$3" "$4" "$tmp/got"
	case ",$2," in *,broken,*) cp "$here/reply.lua" "$tmp/reply.lua" ;; esac
	perl "$here/norm.pl" $_mode "$_want" >"$tmp/want.n" 2>&1
	perl "$here/norm.pl" $_mode "$tmp/got" >"$tmp/got.n" 2>&1
	_st=0
	cmp -s "$tmp/want.n" "$tmp/got.n" || _st=1
	if [ $_mode = subset ] && ! perl "$here/list.pl" "$_want" "$tmp/got" 2>"$tmp/list.err"; then
		_st=1
		diag_file "$tmp/list.err"
	fi
	ok $_st "$prefix$1: $(head -n 1 "$_want" | tr -d '\r') ($_mode)"
	if [ $_st -ne 0 ]; then
		diag "expected ($(basename "$_want"), normalized):"
		diag_file "$tmp/want.n" 30
		diag "got:"
		diag_file "$tmp/got.n" 30
	fi
}

# --- 1. the cases ------------------------------------------------------------
prefix=""
if server_start "$tmp/rpc.cfg" $PORT $kargs; then
	each_case "$here/cases.txt" cmp_case
	server_stop
else
	each_case "$here/cases.txt" false
	n=$((n + $(grep -c '^[a-z]' "$here/cases.txt")))
	fails=$((fails + 1))
fi
prefix=np-
if server_start "$tmp/rpc.cfg" $PORT $kargs -A NOPRETTY; then
	each_case "$here/cases-nopretty.txt" cmp_case
	server_stop
else
	ok 1 "the server starts with -A NOPRETTY"
fi

# --- 2. reloads under load ---------------------------------------------------
# now: wall-clock seconds with microseconds (sipp's message log has them)
now() { date +%s.%6N; }
sipp_run() { # CALLS RATE LOG
	sipp -sf "$here/options.xml" -m "$1" -r "$2" -recv_timeout 3000 -timeout 60 -nostdin \
		-trace_msg -message_file "$3" -i 127.0.0.1 -p 5071 127.0.0.1:$PORT >"$3.out" 2>&1
}
lua_version "$tmp/reply.lua" "Version A"
if ! server_start "$tmp/rpc.cfg" $PORT $kargs; then
	ok 1 "the server starts"
	echo "1..$n"
	exit 1
fi
sipp_run 1200 200 "$tmp/load.log" &
sipp_pid=$!
sleep 2
lua_version "$tmp/reply.lua" "Version B"
t_b0=$(now)
rpc '{"jsonrpc":"2.0","method":"app_lua.reload","id":1}'
t_b1=$(now)
grep -q '^HTTP/1.1 200 OK' "$tmp/rpc.got" && grep -q '"result":	{' "$tmp/rpc.got"
ok $? "app_lua.reload of a changed script under load: 200, result {}"
sleep 2
broken_lua "$tmp/reply.lua"
t_x0=$(now)
rpc '{"jsonrpc":"2.0","method":"app_lua.reload","id":2}'
t_x1=$(now)
if [ "$E2E_SERVER" = kamailio ]; then
	grep -q '^HTTP/1.1 200 OK' "$tmp/rpc.got"
	ok $? "app_lua.reload of a script that does not compile: 200 (Kamailio)"
else
	tr -d '\r' <"$tmp/rpc.got" | grep -q '^HTTP/1.1 500 Reload Failed$' &&
		grep -q '"message":	"Reload Failed"' "$tmp/rpc.got"
	ok $? "app_lua.reload of a script that does not compile: 500 Reload Failed"
fi
wait $sipp_pid
sipp_rc=$?
ok $sipp_rc "sipp: 1200 OPTIONS at 200/s through both reloads, no failed call (exit $sipp_rc)"
[ $sipp_rc -eq 0 ] || diag_file "$tmp/load.log.out" 40

# the replies sipp received: their time and reason phrase
perl -e '
	use Time::Local;
	my ($b0, $b1, $x0, $x1) = @ARGV[1 .. 4];
	open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!";
	my ($t, $recv, %n);
	while (<$f>) {
		if (/^-{20,} (\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(\.\d+)/) {
			$t = timelocal($6, $5, $4, $3, $2 - 1, $1) + $7;
			next;
		}
		if (/^UDP message received/) { $recv = 1; next; }
		if (/^UDP message sent/) { $recv = 0; next; }
		next unless $recv && /^SIP\/2\.0 (\d+) (.*?)\r?$/;
		my $r = "$1 $2";
		$recv = 0;
		$n{all}++;
		$n{"all $r"}++;
		$n{"before $r"}++ if $t < $b0;
		$n{"between $r"}++ if $t > $b1 + 0.05 && $t < $x0;
		$n{"after $r"}++ if $t > $x1 + 0.05;
	}
	print "$_ $n{$_}\n" for sort keys %n;
' "$tmp/load.log" "$t_b0" "$t_b1" "$t_x0" "$t_x1" >"$tmp/counts" 2>&1
count() { awk -v k="$1" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == k) print v }' "$tmp/counts"; }
diag "replies by time and text:"
diag_file "$tmp/counts"
total=$(count all)
[ "${total:-0}" -eq 1200 ] && [ "$(count 'all 200 Version A')" -gt 0 ] &&
	[ $(($(count 'all 200 Version A') + $(count 'all 200 Version B'))) -eq 1200 ]
ok $? "1200 replies, all 200 Version A or B (${total:-0})"
[ "$(count 'before 200 Version A')" -gt 0 ] && [ -z "$(count 'before 200 Version B')" ]
ok $? "before the reload: Version A only"
[ "$(count 'between 200 Version B')" -gt 100 ] && [ -z "$(count 'between 200 Version A')" ]
ok $? "after the reload: Version B only"
[ "$(count 'after 200 Version B')" -gt 100 ] && [ -z "$(count 'after 200 Version A')" ]
ok $? "after the broken script's reload: still Version B"

# --- 3. fixed and reloaded by index -------------------------------------------
lua_version "$tmp/reply.lua" "Version C"
rpc '{"jsonrpc":"2.0","method":"app_lua.reload","params":[0],"id":3}'
grep -q '"result":	{' "$tmp/rpc.got"
ok $? "app_lua.reload [0] of the fixed script: result {}"
sipp_run 40 200 "$tmp/after.log"
ok $? "sipp: 40 more OPTIONS, no failed call"
[ "$(grep -c '^SIP/2.0 200 Version C' "$tmp/after.log")" -eq 40 ]
ok $? "every one answered 200 Version C ($(grep -c '^SIP/2.0 200 Version C' "$tmp/after.log"))"
rpc '{"jsonrpc":"2.0","method":"stats.get_statistics","params":["rcv_requests_options"],"id":4}'
grep -q '"core:rcv_requests_options = 1240"' "$tmp/rpc.got"
ok $? "stats.get_statistics: the 1240 OPTIONS counted"
server_stop
[ "$stop_rc" = 0 ]
ok $? "SIGTERM: the server stops with status 0 ($stop_rc)"
if [ "$E2E_SERVER" != kamailio ]; then
	# one line per worker that ran Lua after each of the two good reloads
	[ "$(grep -c 'app_lua: reloading Lua script reply.lua' "$tmp/server.log")" -ge 2 ] &&
		[ "$(grep -c 'app_lua.reload: failed to load Lua script: reply.lua:3:' "$tmp/server.log")" -eq 1 ]
	_st=$?
	ok $_st "the log: the workers' reloads ($(grep -c 'app_lua: reloading Lua script reply.lua' "$tmp/server.log")), the broken script once with its line"
	[ $_st -eq 0 ] || grep -e app_lua -e ERROR "$tmp/server.log" | head -n 20 | sed 's/^/#   /'
fi
echo "1..$n"
done_testing
