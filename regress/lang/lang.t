#!/bin/sh
# The language cases (regress/lang/NNN-*.cfg) run by `sipvm --dry-run`,
# each against its canned messages (regress/lang/msg/), checked against the
# expectations written inside the case:
#
#   # msg: options.sip [more.sip ...]   messages, in order, one worker
#                                        (default: options.sip)
#   # expect: TEXT          the next script log line (after "<script>: ")
#                           is TEXT; all of them together must be exactly
#                           the script's log lines, in order
#   # expect-reply: 404 Not Here    the next reply sent has this status
#   # expect-no-reply       nothing is sent for the whole case
#   # expect-header: X-A: b         the last reply sent has this header line
#
# An expectation may end with "  # kamailio: WHAT": Kamailio 5.6.3 answers
# WHAT there, a bug of it that sipvm does not copy (ARCHITECTURE.md lists
# them).
#
# The same expectations were checked against Kamailio 5.6.3 by
# regress/lang/kamailio.sh. TAP output; SIPVM names the binary (default
# bin/sipvm). Arguments: case files (default: all).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac

if [ $# -gt 0 ]; then
	cases=$*
else
	cases=$(ls "$here"/[0-9]*.cfg | LC_ALL=C sort)
fi
n=0
for c in $cases; do n=$((n + 1)); done
echo "1..$n"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

i=0
for c in $cases; do
	i=$((i + 1))
	name=$(basename "$c" .cfg)
	msgs=$(sed -n 's/^# msg:[[:space:]]*//p' "$c" | head -1)
	[ -n "$msgs" ] || msgs=options.sip
	set --
	for m in $msgs; do set -- "$@" --msg "$here/msg/$m"; done
	(cd "$here" && timeout 10 "$SIPVM" --dry-run -f "$c" "$@") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	# what the script logged, and the status lines and headers sent
	sed -n 's/^[A-Z]*: <script>: //p' "$tmp/err" >"$tmp/got-log"
	# "  # kamailio: ..." after an expectation notes where Kamailio 5.6.3
	# differs (a bug of it that sipvm does not copy)
	sed -n 's/^# expect: //p; s/^# expect:$//p' "$c" | sed 's/  # kamailio:.*$//' >"$tmp/want-log"
	awk '/^>>> reply/ { getline; sub(/\r$/, ""); sub(/^SIP\/2\.0 /, ""); print }' "$tmp/out" >"$tmp/got-reply"
	sed -n 's/^# expect-reply: //p' "$c" >"$tmp/want-reply"
	why=""
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		why="sipvm exited with $rc"
	elif grep -q '^[a-z0-9_./-]*\.cfg:[0-9]*:[0-9]*: error' "$tmp/err"; then
		why="compile error: $(grep -m1 ': error' "$tmp/err")"
	elif ! cmp -s "$tmp/got-log" "$tmp/want-log"; then
		why="log lines differ: $(diff "$tmp/want-log" "$tmp/got-log" | grep '^[<>]' | head -4 | tr '\n' '|')"
	elif [ -s "$tmp/want-reply" ] && ! cmp -s "$tmp/got-reply" "$tmp/want-reply"; then
		why="replies differ: want $(tr '\n' '|' <"$tmp/want-reply") got $(tr '\n' '|' <"$tmp/got-reply")"
	elif grep -q '^# expect-no-reply' "$c" && [ -s "$tmp/got-reply" ]; then
		why="a reply was sent: $(head -1 "$tmp/got-reply")"
	else
		# header lines of the last reply
		awk '/^>>> reply/ { n++; delete h; k = 0; inr = 1; getline; next }
		     inr && /^\r?$/ { inr = 0; next }
		     inr { sub(/\r$/, ""); h[++k] = $0 }
		     END { for (j = 1; j <= k; j++) print h[j] }' "$tmp/out" >"$tmp/got-hdr"
		sed -n 's/^# expect-header: //p' "$c" | while IFS= read -r want; do
			grep -qxF "$want" "$tmp/got-hdr" || echo "$want"
		done >"$tmp/miss-hdr"
		if [ -s "$tmp/miss-hdr" ]; then
			why="header missing from the last reply: $(head -1 "$tmp/miss-hdr")"
		fi
	fi
	if [ -z "$why" ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name: $why"
		sed 's/^/# /' "$tmp/err" | head -5
	fi
done
