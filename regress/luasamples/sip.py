#!/usr/bin/env python3
"""SIP requests over UDP for the tests of the Lua samples.

    python3 sip.py PORT METHOD COUNT [SRCPORT]

Sends COUNT requests METHOD (OPTIONS, INVITE, ACK, ...) to
127.0.0.1:PORT, one at a time, from a socket bound to 127.0.0.1:SRCPORT
(default 5098; the Via names it, so the replies come back to it), and
prints the status line's code of each reply received, one a line, or
"none" when none came within 2 s (an ACK gets no reply: then it waits
only 0.3 s). Exit status 0 when every request was answered (ACK: when
none was), 1 otherwise, 2 on a usage or socket error.
"""
import socket
import sys
import time


def request(method, port, src, n):
    """The bytes of request number n: METHOD to sip:stats@127.0.0.1."""
    return ("%s sip:stats@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-lua%d-%d\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:tester@127.0.0.1>;tag=t%d\r\n"
            "To: <sip:stats@127.0.0.1>\r\n"
            "Call-ID: luasamples-%s-%d-%d@127.0.0.1\r\n"
            "CSeq: 1 %s\r\n"
            "Content-Length: 0\r\n\r\n"
            % (method, port, src, n, int(time.time() * 1000) % 100000, n,
               method.lower(), n, int(time.time() * 1e6) % 10**9,
               method)).encode()


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    port, method, count = int(argv[1]), argv[2], int(argv[3])
    src = int(argv[4]) if len(argv) == 5 else 5098
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", src))
    answered = 0
    for n in range(count):
        sock.sendto(request(method, port, src, n), ("127.0.0.1", port))
        sock.settimeout(0.3 if method == "ACK" else 2.0)
        code = "none"
        try:
            data = sock.recv(65535)
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            code = line.split(" ")[1] if line.startswith("SIP/2.0 ") else "?"
        except socket.timeout:
            pass
        if code != "none":
            answered += 1
        print(code)
    if method == "ACK":
        return 0 if answered == 0 else 1
    return 0 if answered == count else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        sys.stderr.write("sip.py: %s\n" % e)
        sys.exit(2)
