#!/bin/sh
# `cfgc -o` and `cfgc --dump`: exit statuses (0 compiled, 1 errors or a bad
# image, 2 usage or I/O), no image written (nor left half-written) for a
# file with errors or with warnings under --werror, the image's listing
# equal to the .cfg's, one-line errors for bad images.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 1
i=0
t() { # t DESCRIPTION EXPECTED-STATUS COMMAND...
	desc=$1 want=$2
	shift 2
	"$@" >out 2>err
	got=$?
	i=$((i + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $i - $desc"
	else
		echo "not ok $i - $desc (exit $got, expected $want)"
		sed 's/^/# /' err | head -5
	fi
}
check() { # check DESCRIPTION CONDITION...
	desc=$1
	shift
	i=$((i + 1))
	if "$@"; then echo "ok $i - $desc"; else echo "not ok $i - $desc"; fi
}
echo "1..18"
cat >good.cfg <<'CFG'
loadmodule "sl.so"
request_route {
	if (method == "OPTIONS") sl_send_reply("200", "OK");
}
CFG
printf 'request_route { no_such_function(); }\n' >bad.cfg
printf 'request_route { exit; }\nroute[UNUSED] { exit; }\n' >warn.cfg

t "-o compiles a good file" 0 "$CFGC" -o good.svb good.cfg
check "the image starts with SVB" sh -c 'head -c 3 good.svb | grep -q SVB'
t "--dump of the .cfg" 0 "$CFGC" --dump good.cfg
cp out cfg.lst
t "--dump of the image" 0 "$CFGC" --dump good.svb
check "the image's listing is the .cfg's" cmp -s out cfg.lst
check "the listing names the route, its file and lines" grep -q '^request_route good.cfg:3-4  ' cfg.lst
t "-o on a file with errors exits 1" 1 "$CFGC" -o bad.svb bad.cfg
check "no image for a file with errors" test ! -e bad.svb
t "--dump on a file with errors exits 1" 1 "$CFGC" --dump bad.cfg
check "... and prints no listing" test ! -s out
t "warnings alone do not stop -o" 0 "$CFGC" -o warn.svb warn.cfg
rm -f warn.svb
t "--werror makes warnings stop -o" 1 "$CFGC" --werror -o warn.svb warn.cfg
check "no image under --werror with warnings" test ! -e warn.svb
t "-o without a file name is a usage error" 2 "$CFGC" -o
t "-o with two inputs is a usage error" 2 "$CFGC" -o x.svb good.cfg warn.cfg
t "an image that cannot be written exits 2" 2 "$CFGC" -o "$tmp/no/such/dir/x.svb" good.cfg
head -c 40 good.svb >trunc.svb
t "a truncated image exits 1" 1 "$CFGC" --dump trunc.svb
check "with a one-line message naming the file" sh -c '[ "$(wc -l <err)" -eq 1 ] && grep -q "^cfgc: trunc.svb: " err'
