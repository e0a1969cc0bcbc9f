#!/bin/sh
# Conformance of `cfgc --check --target=kamailio` with Kamailio 5.6.3 over
# the shared corpus of real configs (../shared/corpus, see its README):
#   ok              accepted (no error)
#   syntax          rejected, first error at the line Kamailio names (or,
#                   when Kamailio names no line, an error naming the same
#                   function / parameter)
#   module-missing  an error naming the missing module
#   fixup           environment problems (missing include, unresolvable
#                   host): an error is expected only for a missing include
#   script-fixup    start-up failures caused by the script: an error
#   negative/       each mistake reported (error or warning) at its line,
#                   the controls accepted
# Prints a line per disagreement, a summary per class, and ends with
# "N passed, N failed". Exit 0 when the bar is met: every ok case accepted
# and at least 95% of the syntax and negative cases agreeing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
case "$CFGC" in /*) ;; *) CFGC=$top/$CFGC ;; esac
CORPUS=${CORPUS:-$top/../shared/corpus}
[ -d "$CORPUS" ] || { echo "conformance: no corpus at $CORPUS"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
verbose=${VERBOSE:-0}

# run_cfgc DIR FILE DEFINES -> $tmp/out (text diagnostics), $tmp/rc
run_cfgc() {
	( cd "$1" && eval "\"$CFGC\" --check --target=kamailio --color=never $3 \"$2\"" ) </dev/null >"$tmp/out" 2>&1
	echo $? >"$tmp/rc"
}
# first error: "file:line:col: error: msg" -> line / whole text
first_error() { grep -m1 -E '^[^ ]+:[0-9]+:[0-9]+: error: ' "$tmp/out"; }
has_diag_at_line() { # $1 = basename, $2 = line
	grep -E "^([^ ]*/)?$1:$2:[0-9]+: (error|warning): " "$tmp/out" >/dev/null
}

pass=0; fail=0
okp=0; okf=0; synp=0; synf=0; modp=0; modf=0; fixp=0; fixf=0; negp=0; negf=0
report() { # class case msg
	[ "$verbose" = 1 ] || [ "$1" = show ] && :
	echo "DISAGREE [$1] $2: $3"
	if [ "$verbose" = 1 ]; then sed 's/^/    /' "$tmp/out" | head -20; fi
}

# fields are re-separated with US (0x1f): a tab is IFS white space, and
# read would merge the empty fields around it
tab=$(printf '\037')
tail -n +2 "$CORPUS/manifest.tsv" | tr '\t' '\037' >"$tmp/manifest"
while IFS="$tab" read -r case_id file defines result detail first_error include_dir start_result start_cause start_first rest; do
	[ -n "$file" ] || continue
	dir="$CORPUS"
	path="files/$file"
	extra=""
	if [ -n "$include_dir" ]; then
		dir="$CORPUS/files/$include_dir"; path="$CORPUS/files/$file"
		# the corpus keeps files included by absolute path under _abs/
		[ -d "$dir/_abs" ] && extra="--sysroot=$dir/_abs"
	fi
	run_cfgc "$dir" "$path" "$defines $extra"
	rc=$(cat "$tmp/rc")
	fe=$(first_error)
	case "$result" in
	ok)
		if [ "$start_cause" = script-fixup ]; then
			if [ "$rc" = 1 ]; then fixp=$((fixp+1)); pass=$((pass+1));
			else fixf=$((fixf+1)); fail=$((fail+1)); report script-fixup "$case_id" "start fails ($start_first) but cfgc accepts"; fi
		elif [ "$rc" = 0 ]; then okp=$((okp+1)); pass=$((pass+1))
		else okf=$((okf+1)); fail=$((fail+1)); report ok "$case_id" "rejected (exit $rc): $fe"; fi ;;
	syntax)
		line=$(printf '%s' "$first_error" | sed -n 's/.*, line \([0-9]*\),.*/\1/p')
		efile=$(printf '%s' "$first_error" | sed -n 's/.*parse error in config file \([^,]*\), line.*/\1/p')
		good=0
		if [ "$rc" = 1 ]; then
			if [ -n "$line" ]; then
				b=$(basename "$efile")
				printf '%s\n' "$fe" | grep -E "^([^ ]*/)?$b:$line:" >/dev/null && good=1
			else
				word=$(printf '%s' "$first_error" | sed -n 's/.*failed to find command \([^ ]*\) .*/\1/p; s/.*parameter <\([^>]*\)>.*/\1/p')
				if [ -n "$word" ]; then grep -E ': error: .*'"$word" "$tmp/out" >/dev/null && good=1
				else good=1; fi
			fi
		fi
		if [ $good = 1 ]; then synp=$((synp+1)); pass=$((pass+1))
		else synf=$((synf+1)); fail=$((fail+1)); report syntax "$case_id" "kamailio: line ${line:-?} ($first_error) | cfgc rc=$rc: $fe"; fi ;;
	module-missing)
		mod=$(printf '%s' "$first_error" | sed -n 's/.*could not find module <\([^>]*\)>.*/\1/p; s/.*could not open module <\([^>]*\)>.*/\1/p')
		mod=$(basename "${mod%.so}")
		if [ "$rc" = 1 ] && grep -E ": error: .*'$mod'" "$tmp/out" >/dev/null; then modp=$((modp+1)); pass=$((pass+1))
		else modf=$((modf+1)); fail=$((fail+1)); report module-missing "$case_id" "module $mod not named: $fe"; fi ;;
	fixup)
		if printf '%s' "$first_error" | grep -q 'cannot open included file'; then
			if [ "$rc" = 1 ] && grep -q 'include' "$tmp/out"; then fixp=$((fixp+1)); pass=$((pass+1))
			else fixf=$((fixf+1)); fail=$((fail+1)); report fixup "$case_id" "missing include not reported"; fi
		fi ;;
	esac
done <"$tmp/manifest"

# negative cases: the mistake is on the first line that differs from the base
neg="$CORPUS/negative"
tail -n +2 "$CORPUS/manifest-negative.tsv" | tr '\t' '\037' >"$tmp/negman"
while IFS="$tab" read -r file mistake kres detail rej fe_c start_res start_fe verdict; do
	[ -f "$neg/$file" ] || continue
	run_cfgc "$neg" "$file" ""
	rc=$(cat "$tmp/rc")
	case "$verdict" in
	"positive control"*|valid*)
		if [ "$rc" = 0 ]; then negp=$((negp+1)); pass=$((pass+1))
		else negf=$((negf+1)); fail=$((fail+1)); report negative "$file" "control rejected: $(first_error)"; fi ;;
	*)
		# the lines the mistake changed: every hunk's range in the new file
		ranges=$(diff "$neg/000_base_ok.cfg" "$neg/$file" | sed -n 's/^[0-9,]*[acd]\([0-9]*\),*\([0-9]*\)$/\1 \2/p')
		kline=$(printf '%s' "$fe_c" | sed -n 's/.*, line \([0-9]*\),.*/\1/p')
		ok=0
		if [ "$rc" != 0 ] || grep -q ': warning: ' "$tmp/out"; then
			line=$(printf '%s\n' "$ranges" | head -1 | cut -d' ' -f1)
			if [ -n "$kline" ] && has_diag_at_line "$file" "$kline"; then ok=1
			elif [ -z "$ranges$kline" ]; then ok=1
			# a whole-file mistake (no request_route) may be reported anywhere
			elif grep -q 'there is no request_route' "$tmp/out"; then ok=1
			else
				while read -r a b; do
					[ -n "$a" ] || continue
					l=$a
					while [ "$l" -le "${b:-$a}" ]; do
						has_diag_at_line "$file" "$l" && ok=1
						l=$((l + 1))
					done
				done <<EOT
$ranges
EOT
			fi
		fi
		if [ $ok = 1 ]; then negp=$((negp+1)); pass=$((pass+1))
		else negf=$((negf+1)); fail=$((fail+1)); report negative "$file" "mistake at line ${kline:-$line} not reported: $(head -1 "$tmp/out")"; fi ;;
	esac
done <"$tmp/negman"

pct() { [ "$(($1+$2))" -gt 0 ] && echo $(( $1 * 100 / ($1+$2) )) || echo 100; }
echo "ok cases accepted:                 $okp/$((okp+okf))"
echo "syntax cases rejected at the line: $synp/$((synp+synf)) ($(pct $synp $synf)%)"
echo "module-missing cases naming it:    $modp/$((modp+modf))"
echo "fixup / script-fixup cases:        $fixp/$((fixp+fixf))"
echo "negative cases reported at line:   $negp/$((negp+negf)) ($(pct $negp $negf)%)"
echo "$pass passed, $fail failed"
bar=0
[ "$okf" = 0 ] || bar=1
[ "$(pct $synp $synf)" -ge 95 ] || bar=1
[ "$(pct $negp $negf)" -ge 95 ] || bar=1
exit $bar
