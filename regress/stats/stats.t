#!/bin/sh
# Statistics in `sipvm --dry-run` runs of stats.cfg: kex's rcv_requests
# and rcv_replies counters as messages arrive, sl's reply counters, the
# statistics module's variables (update_stat, reset_stat, no_reset), $stat
# of a negative value, names with a group or a PV (null, as in 5.6.3), the
# shmem figures, and without kex no core or shmem statistics. Every
# expectation below is what Kamailio 5.6.3 logs for the same config and
# messages, except where a line says otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
CFGC=${CFGC:-$top/bin/cfgc}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
case "$CFGC" in /*) ;; *) CFGC=$top/$CFGC ;; esac
msgs=$top/regress/lang/msg
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
fails=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
# has FILE LINE: the log holds exactly this script line
has() { grep -qxF "INFO: <script>: $2" "$1"; }
echo "1..16"
cd "$here" || exit 1

"$SIPVM" --dry-run -f stats.cfg --msg "$msgs/options.sip" --msg "$msgs/invite.sip" \
	--msg reply-401.sip >"$tmp/out" 2>"$tmp/err"
ok $? "a dry run with kex and statistics exits 0"
has "$tmp/err" "rcv=1 options=1 invite=0 unsupported=0" &&
	has "$tmp/err" "rcv=2 options=1 invite=1 unsupported=0"
ok $? "rcv_requests and rcv_requests_<method> count each message before its route runs"
# 5.6.3 logs 404=0 sent=0 here: it recomputes the sl totals at most once
# a second, so a reply sent a moment earlier does not show yet
has "$tmp/err" "sl 404=0 200=0 sent=0 failures=0" && has "$tmp/err" "sl 404=1 200=0 sent=1 failures=0"
ok $? "sl:404_replies and sent_replies count the first message's reply (live, 5.6.3 lags)"
has "$tmp/err" "tcp=0 dns=0"; ok $? "tcp and dns statistics exist"
has "$tmp/err" "hits=7 keep=1" && has "$tmp/err" "after reset hits=0 keep=1"
ok $? "update_stat by \"+2\" and by a PV name and value; reset_stat spares a no_reset variable"
has "$tmp/err" "hits=6 keep=2" && has "$tmp/err" "after reset hits=0 keep=2"
ok $? "statistics keep their values from one message to the next"
has "$tmp/err" "hits=4294967295 is -1 as an int"
ok $? "\$stat of -1 prints as an unsigned 32-bit number and compares as -1"
grep -qxF "WARNING: No stat variable \`\`shmem:used_size''" "$tmp/err" &&
	grep -qxF "WARNING: No stat variable \`\`\$var(name)''" "$tmp/err" &&
	has "$tmp/err" "group=<null> dyn=<null>"
ok $? "\$stat(group:name) and \$stat(\$var(x)) are unknown names: a warning and null"
has "$tmp/err" "shmem consistent, total=67108864 frags=$(sed -n 's/.*shmem consistent, total=67108864 frags=\([0-9]*\)$/\1/p' "$tmp/err" | head -1)"
ok $? "shmem: used > 0, real_used >= used, free = total - real_used, max >= real_used, total 64 MB"
has "$tmp/err" "reply 401: rcv_replies=1 4xx=1 401=1 reg=1"
ok $? "a 401 to REGISTER counts in rcv_replies, _4xx, _401 and _4xx_reg"

"$SIPVM" --dry-run -f stats.cfg -A NOKEX --msg "$msgs/options.sip" >"$tmp/out2" 2>"$tmp/err2"
ok $? "without kex the same config runs"
has "$tmp/err2" "rcv=<null> options=<null> invite=<null> unsupported=<null>" &&
	grep -qxF "WARNING: No stat variable \`\`used_size''" "$tmp/err2" &&
	! grep -q 'shmem consistent' "$tmp/err2" && has "$tmp/err2" "tcp=0 dns=0"
ok $? "but has no core or shmem statistics (null and a warning), tcp and dns stay"

sed 's/^OPTIONS sip:[^@]*@/OPTIONS sip:nope@/' "$msgs/options.sip" >"$tmp/nope.sip"
"$SIPVM" --dry-run -f stats.cfg --msg "$tmp/nope.sip" >/dev/null 2>"$tmp/err3"
grep -q "^ERROR: .*stats.cfg:[0-9]*: update_stat(): variable <0> not defined" "$tmp/err3" && has "$tmp/err3" "rc=-1"
ok $? "update_stat with a PV naming no statistic (an unset \$var is 0): an error with the cfg line, -1, the script goes on"

sed 's/update_stat("keep", 1);/update_stat("nope", 1);/' stats.cfg >"$tmp/bad.cfg"
"$SIPVM" --dry-run -f "$tmp/bad.cfg" --msg "$msgs/options.sip" >/dev/null 2>"$tmp/err4"
[ $? -eq 1 ] && grep -q 'update_stat(): variable <nope> not defined' "$tmp/err4"
ok $? "update_stat(\"nope\", 1) refuses the config when it loads, as 5.6.3 at start"
sed 's/update_stat("keep", 1);/update_stat("hits", "0");/' stats.cfg >"$tmp/bad2.cfg"
"$SIPVM" --dry-run -f "$tmp/bad2.cfg" --msg "$msgs/options.sip" >/dev/null 2>"$tmp/err5"
[ $? -eq 1 ] && grep -q 'update with 0 has no sense' "$tmp/err5"
ok $? "so does an update by 0"

"$CFGC" --check stats.cfg >"$tmp/chk" 2>&1
ok $? "cfgc --check accepts \$stat(name), update_stat and reset_stat"

[ $fails -eq 0 ]
