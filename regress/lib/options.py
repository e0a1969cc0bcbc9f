#!/usr/bin/env python3
"""Send a SIP OPTIONS over UDP and print the status line of the reply.

    python3 regress/lib/options.py HOST PORT [USER]

The request goes to sip:USER@HOST:PORT (USER "ping" by default) from a
fresh port of HOST (IPv4 or IPv6), with an rport Via; it is sent again
every 100 ms until a reply comes, for at most 5 s. Exit status 0 when a
reply came, 1 otherwise. The tests that start a server use it to wait for
it and to read its answers.
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
user = sys.argv[3] if len(sys.argv) > 3 else "ping"
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((host, 0))
lp = s.getsockname()[1]
h = "[" + host + "]" if ":" in host else host
msg = ("OPTIONS sip:%s@%s:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKopt%d;rport\r\n"
       "From: <sip:t@%s>;tag=1\r\nTo: <sip:%s@%s>\r\n"
       "Call-ID: opt-%d-%s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (
    user, h, port, h, lp, lp, h, user, h, lp, user)
s.settimeout(0.1)
for _ in range(50):
    s.sendto(msg.encode(), (host, port))
    try:
        print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
