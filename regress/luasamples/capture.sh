#!/bin/sh
# Rewrites regress/luasamples/golden/NAME/ with what Kamailio 5.6.3
# answers to session.sh when it runs samples/NAME.cfg, for NAME in
# stats-lua and stats-ksr (or the names given): each sample is started
# on 127.0.0.1:5092 in a new network namespace (root, or user
# namespaces), from the top of the tree, and its replies are kept as they
# came, byte for byte (the .http files; the tests normalize them with
# norm.pl). The tests then compare sipvm with these, without Kamailio.
# Review the result with `git diff regress/luasamples/golden`.
#
#   sh regress/luasamples/capture.sh [NAME...]
#   (KAMAILIO_MODULES overrides the modules' folder; LUASAMPLES_TOP a
#   tree whose samples/ to run)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
LUASAMPLES_SERVER=kamailio
. "$here/lib.sh"
ls_netns "$0" "$@"
case $(kamailio -v 2>&1 | head -n 1) in
*" 5.6.3 "*) ;;
*) echo "capture: kamailio is not Kamailio 5.6.3 ($(kamailio -v 2>&1 | head -n 1))" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
spid=""
trap 'server_kill; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
[ $# -gt 0 ] || set -- stats-lua stats-ksr
for name in "$@"; do
	rc=0
	server_start "samples/$name.cfg" 5092 || rc=$?
	if [ $rc != 0 ]; then
		cat "$tmp/server.log" >&2
		echo "capture: kamailio did not start with samples/$name.cfg" >&2
		exit 1
	fi
	rm -rf "$tmp/out"
	if ! sh "$here/session.sh" 5092 "$tmp/out"; then
		echo "capture: $name: an exchange got no reply" >&2
		exit 1
	fi
	server_stop
	mkdir -p "$here/golden/$name"
	rm -f "$here/golden/$name"/*
	for f in "$tmp/out"/*.http "$tmp/out/sip.txt" "$tmp/out/close.conn"; do
		cp "$f" "$here/golden/$name/"
	done
	echo "capture: golden/$name: $(ls "$here/golden/$name" | wc -l) files"
done
