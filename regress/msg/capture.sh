#!/bin/sh
# Rewrite regress/msg/golden/*.golden with what Kamailio 5.6.3 sends for
# the canned requests golden/*.req (cases.txt says from where and what
# each is): it runs kamailio with regress/msg/kamailio.cfg inside a new
# network namespace (so needs root, or user namespaces), sends every
# request over UDP loopback from the source address the case names, and
# keeps the reply, or the request it forwarded to 127.0.0.1:5070. The
# To-tag Kamailio makes is replaced by TOTAG.normalized and the branch of
# the Via it adds by z9hG4bKnormalized.0, so test_msg.c can pass those.
#
#   sh regress/msg/capture.sh        (from the top of the tree)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
KAMAILIO=${KAMAILIO:-kamailio}
MODULES=${MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/send.py" <<'PY'
import os, re, socket, sys
d = sys.argv[1]
fwd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fwd.bind(("127.0.0.1", 5070))
fwd.settimeout(1.0)
for line in open(os.path.join(d, "cases.txt")):
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    name, ip, port, kind = f[0], f[1], int(f[2]), f[3]
    kport = 5062 if kind.startswith("fwd") and f[4].endswith(":5062") else 5060
    req = open(os.path.join(d, "golden", name + ".req"), "rb").read()
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((ip, port))
    s.settimeout(1.0)
    s.sendto(req, ("::1" if fam == socket.AF_INET6 else "127.0.0.1", kport))
    try:
        got = (fwd if kind.startswith("fwd") else s).recvfrom(65535)[0]
    except socket.timeout:
        sys.exit("capture: nothing came back for " + name)
    s.close()
    if kind.startswith("fwd"):
        got = re.sub(rb"branch=z9hG4bK[^\r\n;]*", b"branch=z9hG4bKnormalized.0", got, count=1)
    else:
        got = re.sub(rb";tag=[0-9a-f]{32}\.[0-9a-f]{8}", b";tag=TOTAG.normalized", got)
    open(os.path.join(d, "golden", name + ".golden"), "wb").write(got)
    print(name, len(got))
PY

cat >"$tmp/run.sh" <<RUN
ip link set lo up
"$KAMAILIO" -f "$dir/kamailio.cfg" -L "$MODULES" -DD -E -m 64 -M 8 >"$tmp/kamailio.log" 2>&1 &
kpid=\$!
sleep 2
python3 "$tmp/send.py" "$dir"
rc=\$?
kill \$kpid
wait \$kpid 2>/dev/null
exit \$rc
RUN
unshare -n sh "$tmp/run.sh" || { cat "$tmp/kamailio.log" >&2; exit 1; }
