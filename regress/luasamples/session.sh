#!/bin/sh
# The session the tests of the Lua samples run against a server (sipvm or
# Kamailio 5.6.3) that is running one of samples/stats-lua.cfg and
# samples/stats-ksr.cfg on 127.0.0.1:PORT (udp and tcp), freshly started:
#
#   sh session.sh PORT OUTDIR
#
# Writes into OUTDIR one file per HTTP exchange (the reply as curl -i
# prints it: status line, headers and body, byte for byte as sent) and
# the SIP status codes received, in this order:
#   stats-1.http    GET /stats on the fresh server
#   sip.txt         5 OPTIONS (200 each), one INVITE (404), one ACK
#                   (no reply): "METHOD CODE" a line
#   stats-2.http    GET /stats: received requests grew by 8 (7 SIP + it)
#   notfound.http   GET /nothere?x=1 (404 naming it, from Lua)
#   post.http       POST /stats (405, from the config)
#   url-1022.http   GET of a 1022-byte URL (404 from Lua: lua_run takes
#                   parameters of up to 1022 bytes)
#   url-1023.http   GET of a 1023-byte URL (500 from the config: lua_run
#                   refuses the parameter and returns -1)
#   close.http      GET /stats with "Connection: close" (the reply says
#                   it too); close.conn: "closed" when the server closed
#                   the connection after the reply, else "open"
#   stats-3.http    GET /stats: 5 more requests than stats-2
# Exit status 0 when every exchange got a reply (not that it was right).
set -u
port=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && [ "$PYTHON" = python3 ] && PYTHON=/usr/bin/python3
url=http://127.0.0.1:$port
mkdir -p "$out"
st=0

# get NAME CURL-ARGS... URL: one request, the reply in OUTDIR/NAME.http
get() {
	_n=$1
	shift
	curl -s -i --max-time 5 "$@" >"$out/$_n.http" 2>"$out/$_n.err" </dev/null || st=1
}

get stats-1 "$url/stats"
: >"$out/sip.txt"
for m in OPTIONS:5 INVITE:1 ACK:1; do
	"$PYTHON" "$here/sip.py" "$port" "${m%:*}" "${m#*:}" >"$out/sip.tmp" || st=1
	sed "s/^/${m%:*} /" "$out/sip.tmp" >>"$out/sip.txt"
done
rm -f "$out/sip.tmp"
get stats-2 "$url/stats"
get notfound "$url/nothere?x=1"
get post -d 'a=1' "$url/stats"
x1021=$(head -c 1021 /dev/zero | tr '\0' x)
get url-1022 "$url/$x1021"
get url-1023 "$url/${x1021}x"
# curl -v says "Closing connection" when it closes because the server
# asked to; the server closing first shows as the end of the stream
# before curl is done: check with a raw socket instead
"$PYTHON" - "$port" "$out/close.http" "$out/close.conn" <<'PY' || st=1
import socket, sys, time
port, body_file, conn_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /stats HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: luasamples\r\n"
          b"Accept: */*\r\nConnection: close\r\n\r\n" % port)
data = b""
state = "open"
deadline = time.time() + 3
while time.time() < deadline:
    s.settimeout(max(0.05, deadline - time.time()))
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        state = "closed"
        break
    if not chunk:
        state = "closed"
        break
    data += chunk
open(body_file, "wb").write(data)
open(conn_file, "w").write(state + "\n")
sys.exit(0 if data else 1)
PY
get stats-3 "$url/stats"
exit $st
