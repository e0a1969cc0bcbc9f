#!/bin/sh
# vm_re_match (vm/vm_re.c) against glibc's regexec on the `=~` patterns of
# the configs in ../shared/corpus (or the files given), each matched
# against the SIP-like subjects of bench_re.c.
#
#   sh regress/bench/re/run.sh [CFG...]
#
# Prints CPU ns per match of both, per pattern, then the means; exits 1
# when an answer differs. The pattern is the text between the quotes after
# `=~`, taken as the regex (cfg string escapes are not applied).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -I"$top/vm" -o "$tmp/bench_re" \
	"$here/bench_re.c" "$top/vm/vm_re.c"
if [ $# -gt 0 ]; then
	cat "$@"
else
	find "$top/../shared/corpus" -name '*.cfg' -exec cat {} +
fi | grep -oE '=~ *"[^"]*"' | sed -E 's/^=~ *"//; s/"$//' | LC_ALL=C sort -u >"$tmp/patterns"
"$tmp/bench_re" <"$tmp/patterns"
