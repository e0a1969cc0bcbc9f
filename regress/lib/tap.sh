# TAP output for the shell tests (sourced): a running count, failures
# counted for done_testing.
#
#   . "$top/regress/lib/tap.sh"
#   plan 3; ok $? "what was checked"; ...; done_testing

n=0
fails=0
plan() { echo "1..$1"; }
# ok STATUS DESCRIPTION: one test, passed when STATUS is 0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
# ok_todo STATUS DESCRIPTION REASON: a test the server is known to fail
# (TAP TODO: reported, not counted as a failure)
ok_todo() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2 # TODO $3"
	else
		echo "not ok $n - $2 # TODO $3"
	fi
}
# skip COUNT REASON: COUNT tests skipped
skip() {
	_i=0
	while [ $_i -lt "$1" ]; do
		n=$((n + 1))
		_i=$((_i + 1))
		echo "ok $n # SKIP $2"
	done
}
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
# diag_file FILE [LINES]: the start of FILE as TAP comments (lines cut at
# 300 characters, \r shown)
diag_file() { head -n "${2:-20}" "$1" | cut -c1-300 | sed 's/\r/\\r/g; s/^/#   /'; }
done_testing() { [ "$fails" -eq 0 ]; }
