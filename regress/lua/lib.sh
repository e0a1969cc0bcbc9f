# lib.sh — shared by regress/lua/cases.t (sipvm's dry run) and
# regress/lua/kamailio.sh (Kamailio 5.6.3): reading the expectations of a
# case file and the script lines and replies of a run. Sourced.
#
# A case is regress/lua/cases/NN-name.cfg (it includes ../head.cfg, which
# loads cases/lib.lua) with its Lua code in cases/NN-name.lua, run from
# regress/lua/ on canned messages. Directive lines (comments):
#
#   # msg: FILE...          messages from regress/lang/msg/ or
#                           regress/lua/msg/, sent in order (default:
#                           options.sip)
#   # expect: TEXT          the next script line is TEXT. A script line is
#                           the text an xlog() or a Lua log function
#                           (KSR.info, sr.log ...) printed, without its
#                           newline; INFO lines as they are, others as
#                           "LEVEL: TEXT" (ERROR, WARNING, NOTICE ...).
#                           All of them together, in order, must equal the
#                           run's script lines.
#   # expect-reply: CODE REASON   the next reply sent back (all replies
#                           must be listed when one is)
#   # expect-no-reply       no reply at all
#   # expect-out: TEXT      sipvm only: a line of what the dry run prints
#                           (the messages it would send), in order, not
#                           necessarily adjacent
#   # sipvm-needs: NAME     the case needs NAME of the runtime (rt.h):
#                           a TAP TODO while runtime/rt.h lacks it
#
# An expectation where Kamailio 5.6.3 answers otherwise because of a bug
# of its own carries Kamailio's answer after two blanks and
# "# kamailio: ": the runner of sipvm checks the part before, the runner of
# Kamailio the part after.

# sipvm_lines LOG: the script lines of a dry run's stderr.
sipvm_lines() {
	sed -n -e 's/^INFO: <script>: //p' \
		-e 's/^\([A-Z][A-Z]*\): <script>: /\1: /p' "$1"
}

# kamailio_lines LOG: the script lines of a Kamailio stderr log: xlog's
# "<script>: " lines and the log lines of the KEMI core functions and of
# app_lua_sr's sr.log / sr.err / sr.dbg. A log prefix inside a line
# starts a new one (the message before it had no newline).
kamailio_lines() {
	awk '
	function handle(l,   lv, rest) {
		if (!match(l, /^ *[0-9]+\([0-9]+\) [A-Z]+: /)) {
			if (cont) print l
			return
		}
		cont = 0
		lv = substr(l, 1, RLENGTH)
		sub(/^ *[0-9]+\([0-9]+\) /, "", lv)
		sub(/: $/, "", lv)
		rest = substr(l, RLENGTH + 1)
		if (match(rest, /^<script>: /) ||
		    match(rest, /^<core> \[core\/kemi\.c:[0-9]+\]: sr_kemi_core_(dbg|info|warn|err|crit|notice|log)\(\): /) ||
		    match(rest, /^app_lua_sr \[app_lua_sr_api\.c:[0-9]+\]: lua_sr_(log|err|dbg)\(\): /)) {
			rest = substr(rest, RLENGTH + 1)
			print (lv == "INFO" ? "" : lv ": ") rest
			cont = 1
		}
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

# sipvm_replies OUT: the status lines of the replies a dry run printed.
sipvm_replies() {
	awk '/^>>> reply to / { getline; sub(/\r$/, ""); sub(/^SIP\/2\.0 /, ""); print }' "$1"
}

# kamailio_replies OUT: the same from sipsend.py's output.
kamailio_replies() {
	awk 'BEGIN { fresh = 1 }
	     $0 == "." { fresh = 1; next }
	     fresh { sub(/^SIP\/2\.0 /, ""); print; fresh = 0 }' "$1"
}

# case_check CASE LINES REPLIES OUT WHO: compare a case's expectations
# (WHO: sipvm or kamailio) with the script lines, the reply status lines
# and (sipvm) the dry run's output. Prints nothing when they agree, else
# one line naming the first difference.
case_check() {
	awk -v lines="$2" -v replies="$3" -v out="$4" -v who="$5" '
	function pick(s,   i) {
		i = index(s, "  # kamailio: ")
		if (!i) return s
		return who == "kamailio" ? substr(s, i + 14) : substr(s, 1, i - 1)
	}
	function arg(s, key) {
		s = substr(s, length(key) + 1)
		return substr(s, 1, 1) == " " ? substr(s, 2) : s
	}
	BEGIN {
		while ((getline l < lines) > 0) got[++ng] = l
		while ((getline l < replies) > 0) rep[++nr] = l
		if (out != "") while ((getline l < out) > 0) { sub(/\r$/, "", l); o[++no] = l }
	}
	/^# expect:/ { ex[++ne] = pick(arg($0, "# expect:")); next }
	/^# expect-reply:/ { er[++ner] = pick(arg($0, "# expect-reply:")); hasrep = 1; next }
	/^# expect-no-reply/ { hasrep = 1; next }
	/^# expect-out:/ { eo[++neo] = arg($0, "# expect-out:"); next }
	END {
		if (ne + ner + neo + hasrep == 0) { print "no expectations"; exit }
		n = ne > ng ? ne : ng
		for (i = 1; i <= n; i++) {
			if (i > ne) { printf "expected no more lines, got [%s] (line %d)\n", got[i], i; exit }
			if (i > ng) { printf "expected [%s], got nothing (line %d)\n", ex[i], i; exit }
			if (ex[i] != got[i]) { printf "expected [%s], got [%s] (line %d)\n", ex[i], got[i], i; exit }
		}
		if (hasrep) {
			n = ner > nr ? ner : nr
			for (i = 1; i <= n; i++) {
				if (i > ner) { printf "expected no more replies, got [%s]\n", rep[i]; exit }
				if (i > nr) { printf "expected reply [%s], got none\n", er[i]; exit }
				if (er[i] != rep[i]) { printf "expected reply [%s], got [%s]\n", er[i], rep[i]; exit }
			}
		}
		if (who == "sipvm") {
			j = 1
			for (i = 1; i <= neo; i++) {
				while (j <= no && o[j] != eo[i]) j++
				if (j > no) { printf "expected output line [%s], not found (in order)\n", eo[i]; exit }
				j++
			}
		}
	}
	' "$1"
}

# case_msgs CASE: the message files of a case, absolute.
case_msgs() {
	_m=$(sed -n 's/^# msg:[[:space:]]*//p' "$1" | head -1)
	[ -n "$_m" ] || _m=options.sip
	for _f in $_m; do
		if [ -f "$luadir/msg/$_f" ]; then echo "$luadir/msg/$_f"; else echo "$luadir/../lang/msg/$_f"; fi
	done
}
