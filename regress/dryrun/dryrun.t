#!/bin/sh
# `sipvm --dry-run`: what it prints (replies and forwarded requests in wire
# format with their destination, log lines), images from `cfgc -o` giving
# the same run as the config, --trace, --route, --repeat/--stats, $var
# carried from one message to the next, run-time errors with the cfg
# file:line, and bad input (an image cut short, a file that is not a
# message, a config with an error) refused with a clear message.
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
echo "1..20"
cd "$here" || exit 1

# 1-4: a reply, its headers, the log line
"$SIPVM" --dry-run -f dry.cfg --msg "$msgs/options.sip" >"$tmp/out" 2>"$tmp/err"
ok $? "a dry run exits 0"
grep -q '^>>> reply to udp:127.0.0.1:5070 ([0-9]* bytes)$' "$tmp/out"; ok $? "the reply is announced with its destination (the top Via, rport)"
grep -q "^SIP/2.0 404 Not Here$(printf '\r')\$" "$tmp/out" && grep -q "^X-N: 1$(printf '\r')\$" "$tmp/out"
ok $? "the reply carries the status and the append_to_reply header"
grep -q '^INFO: <script>: message 1: OPTIONS from 127.0.0.1:5070$' "$tmp/err"; ok $? "xlog lines go to stderr"

# 5: $var persists from one message to the next
"$SIPVM" --dry-run -f dry.cfg --msg "$msgs/options.sip" --msg "$msgs/options.sip" >"$tmp/out2" 2>"$tmp/err2"
grep -q '^INFO: <script>: message 2: OPTIONS' "$tmp/err2" && [ "$(grep -c '^>>> reply' "$tmp/out2")" -eq 2 ]
ok $? "\$var carries over between messages of one run"

# 6-7: an image gives the same run
"$CFGC" -o "$tmp/dry.svb" dry.cfg 2>"$tmp/cerr"
ok $? "cfgc -o writes an image"
"$SIPVM" --dry-run -f "$tmp/dry.svb" --msg "$msgs/options.sip" >"$tmp/out3" 2>"$tmp/err3"
sed 's/tag=[^;]*/tag=T/' "$tmp/out" >"$tmp/a"; sed 's/tag=[^;]*/tag=T/' "$tmp/out3" >"$tmp/b"
grep '^[A-Z]*: ' "$tmp/err" >"$tmp/c"; grep '^[A-Z]*: ' "$tmp/err3" >"$tmp/d"
cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/c" "$tmp/d" && [ -s "$tmp/c" ]
ok $? "the image runs exactly as the config"

# 8-9: a cut image is refused with a message, never a crash
size=$(wc -c <"$tmp/dry.svb")
head -c $((size / 2)) "$tmp/dry.svb" >"$tmp/cut.svb"
"$SIPVM" --dry-run -f "$tmp/cut.svb" --msg "$msgs/options.sip" >/dev/null 2>"$tmp/err4"
[ $? -eq 1 ]; ok $? "a truncated image exits 1"
grep -q 'cut.svb: bad bytecode image: ' "$tmp/err4"; ok $? "and says why: $(head -1 "$tmp/err4")"

# 10-11: a run-time error names the cfg file and line; the script goes on
sed 's/^OPTIONS sip:[^@]*@/OPTIONS sip:div@/' "$msgs/options.sip" >"$tmp/div.sip"
"$SIPVM" --dry-run -f dry.cfg --msg "$tmp/div.sip" >"$tmp/out5" 2>"$tmp/err5"
grep -q '^ERROR: .*dry.cfg:17: /: division by zero$' "$tmp/err5"; ok $? "a division by zero is reported at dry.cfg:17"
grep -q '^INFO: <script>: q=0$' "$tmp/err5" && grep -q '^SIP/2.0 404' "$tmp/out5"
ok $? "the failed assignment is skipped and the route goes on"

# 12: forward prints the request with its destination and our Via
sed 's/^OPTIONS sip:[^@]*@/OPTIONS sip:fwd@/' "$msgs/options.sip" >"$tmp/fwd.sip"
"$SIPVM" --dry-run -f dry.cfg --msg "$tmp/fwd.sip" >"$tmp/out6" 2>/dev/null
grep -q '^>>> request to udp:127.0.0.1:5080' "$tmp/out6" && grep -q '^Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK' "$tmp/out6"
ok $? "forward() prints the request, its destination and the new Via"

# 13: --route runs a named route
"$SIPVM" --dry-run -f dry.cfg --route SIDE --msg "$msgs/options.sip" >"$tmp/out7" 2>"$tmp/err7"
grep -q '^INFO: <script>: side route, ru=sip:' "$tmp/err7" && [ ! -s "$tmp/out7" ]
ok $? "--route SIDE runs route[SIDE] only"

# 14-15: --trace prints each line and the PVs read and written
"$SIPVM" --dry-run -f dry.cfg --trace --msg "$msgs/options.sip" >/dev/null 2>"$tmp/err8"
grep -q 'dry.cfg:9$' "$tmp/err8" && grep -q 'dry.cfg:20$' "$tmp/err8"; ok $? "--trace names the executed lines"
grep -q '^    \$var(n) := 1$' "$tmp/err8" && grep -q '^    \$rU = "' "$tmp/err8"; ok $? "--trace shows PVs written and read"

# 16: --repeat and --stats
"$SIPVM" --dry-run -f dry.cfg --repeat 5 --stats --msg "$msgs/options.sip" >"$tmp/out9" 2>"$tmp/err9"
grep -q '^messages: 5$' "$tmp/err9" && grep -q '^instructions: [1-9]' "$tmp/err9" && [ "$(grep -c '^>>> reply' "$tmp/out9")" -eq 1 ]
ok $? "--repeat 5 runs five times, prints the first round, --stats counts"

# 17-18: a file that is not a message is dropped with a message; the rest run
printf 'this is not SIP\r\n\r\n' >"$tmp/junk.sip"
"$SIPVM" --dry-run -f dry.cfg --msg "$tmp/junk.sip" --msg "$msgs/options.sip" >"$tmp/out10" 2>"$tmp/err10"
[ $? -eq 1 ]; ok $? "a bad message makes the run exit 1"
grep -q 'junk.sip: not a SIP or HTTP message: dropped' "$tmp/err10" && grep -q '^SIP/2.0 404' "$tmp/out10"
ok $? "it is named and dropped, the next message still runs"

# 19-20: a config with an error is refused with file:line:col
printf 'loadmodule "sl.so"\nrequest_route {\n\tsl_send_reply("404", "x") ;;\n\tnosuch();\n}\n' >"$tmp/bad.cfg"
"$SIPVM" --dry-run -f "$tmp/bad.cfg" --msg "$msgs/options.sip" >"$tmp/out11" 2>"$tmp/err11"
[ $? -eq 1 ] && [ ! -s "$tmp/out11" ]; ok $? "a config with an error does not run"
grep -q 'bad.cfg:4:2: error: unknown function' "$tmp/err11"; ok $? "its error is given as file:line:col"

[ $fails -eq 0 ]
