#!/bin/sh
# Names as destinations (RFC 3263 without NAPTR, as Kamailio by default):
# forward() to a $du whose host has no port goes where the SRV record of
# its transport points (the best priority), forward(name, port) and a $du
# with a port to the name's address (from DNS, or /etc/hosts), a name that
# does not resolve makes forward() fail and the script answers, and an
# answer is cached (asked once for two requests). Checked against Kamailio
# 5.6.3, which does the same but for one case: with its DNS cache (the
# default) it asks DNS only, so a name found only in /etc/hosts
# ("localhost") does not resolve there; sipvm looks addresses up as the
# system does (nsswitch.conf: files, then DNS). A DNS server of its own
# (dns.py) answers on 127.0.0.1:53: the test runs in private mount and
# network namespaces whose /etc/resolv.conf names it.
#
#   SIPVM=bin/sipvm regress/server/dns.t
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/regress/server
SIPVM=${SIPVM:-$top/bin/sipvm}
case "$SIPVM" in /*) ;; *) SIPVM=$top/$SIPVM ;; esac
# shellcheck source=../lib/server.sh
. "$top/regress/lib/server.sh"
netns_reexec -m SIPVM_NETNS "$0"
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not installed"; exit 0; }
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	umount /etc/resolv.conf 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf 2>/dev/null ||
	{ echo "1..0 # SKIP cannot mount over /etc/resolv.conf"; exit 0; }
python3 "$here/dns.py" "$tmp/dns.log" \
	SRV:_sip._udp.srv.test:10:0:5182:uas.test \
	SRV:_sip._udp.srv.test:20:0:5999:uas.test \
	A:uas.test:127.0.0.1 A:named.test:127.0.0.1 &
pids="$pids $!"
for _ in $(seq 50); do grep -q ready "$tmp/dns.log" 2>/dev/null && break; sleep 0.1; done

cat >"$tmp/dns.cfg" <<'EOF2'
debug=2
children=1
log_stderror=yes
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
request_route {
	if ($rU == "srv") {
		$du = "sip:srv.test";
	} else if ($rU == "named") {
		if (!forward("named.test", 5183)) {
			sl_send_reply("500", "no route");
		}
		exit;
	} else if ($rU == "host") {
		$du = "sip:localhost:5184";
	} else {
		$du = "sip:nosuch.test";
	}
	if (!forward()) {
		sl_send_reply("500", "no route");
	}
}
EOF2

# drive USER: an OPTIONS to USER through sipvm; prints "uas PORT" when it
# reaches one of the next hops (UDP 5182 5183 5184 5999), else the status
# line of the reply that came back
cat >"$tmp/drive.py" <<'PY'
import select, socket, sys
user = sys.argv[1]
hops = {}
for p in (5182, 5183, 5184, 5999):
    h = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    h.bind(("127.0.0.1", p))
    hops[h] = p
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.bind(("127.0.0.1", 0))
lp = c.getsockname()[1]
msg = ("OPTIONS sip:%s@127.0.0.1:5280 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKdns%d;rport\r\n"
       "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:%s@127.0.0.1>\r\n"
       "Call-ID: dns-%d-%s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (
    user, lp, lp, user, lp, user)
c.sendto(msg.encode(), ("127.0.0.1", 5280))
r, _, _ = select.select([c] + list(hops), [], [], 5)
for s in r:
    if s in hops:
        print("uas %d" % hops[s])
        sys.exit(0)
for s in r:
    print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
    sys.exit(0)
print("nothing")
PY
drive() { python3 "$tmp/drive.py" "$1" 2>&1; }

"$SIPVM" -f "$tmp/dns.cfg" -l udp:127.0.0.1:5280 2>"$tmp/sipvm.log" &
spid=$!
pids="$pids $spid"
for _ in $(seq 50); do grep -q "sipvm: ready" "$tmp/sipvm.log" && break; sleep 0.1; done

echo "1..7"
n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }

check "\$du sip:srv.test (no port): the SRV record of best priority, port 5182" '[ "$(drive srv)" = "uas 5182" ]'
check "again: the same hop" '[ "$(drive srv)" = "uas 5182" ]'
check "the SRV record was asked for once (cached), then its target's address" \
	'[ "$(grep -c "^SRV _sip._udp.srv.test$" "$tmp/dns.log")" = 1 ] && grep -q "^A uas.test$" "$tmp/dns.log"'
check "forward(\"named.test\", 5183): the name's A record" '[ "$(drive named)" = "uas 5183" ]'
check "\$du sip:localhost:5184: the address from /etc/hosts" '[ "$(drive host)" = "uas 5184" ]'
check "a name that does not resolve: forward() fails, the script answers 500" \
	'[ "$(drive nxd)" = "SIP/2.0 500 no route" ]'
check "and the error names it" 'grep -q "forward(): cannot resolve .nosuch.test." "$tmp/sipvm.log"'
