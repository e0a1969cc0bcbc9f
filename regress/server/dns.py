#!/usr/bin/env python3
"""A DNS server for regress/server/dns.t, on 127.0.0.1:53 (UDP), answering
from a fixed zone: SRV and A records as given on the command line, every
other name NXDOMAIN (a known name asked for another type: no answer).

    python3 dns.py LOG RECORD...
    RECORD: A:NAME:IP  or  SRV:NAME:PRIO:WEIGHT:PORT:TARGET  (TTL 60)

Each question it gets is appended to LOG ("TYPE NAME" a line).
"""
import socket
import struct
import sys

log = open(sys.argv[1], "a", buffering=1)
zone = {}
for rec in sys.argv[2:]:
    f = rec.split(":")
    zone.setdefault(f[1].lower(), []).append(f)


def name_bytes(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def answer(q):
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qname = ".".join(labels).lower()
    qtype, qclass = struct.unpack("!HH", q[i + 1:i + 5])
    question = q[12:i + 5]
    tname = {1: "A", 28: "AAAA", 33: "SRV"}.get(qtype, str(qtype))
    log.write("%s %s\n" % (tname, qname))
    rrs = []
    for f in zone.get(qname, []):
        if f[0] == "A" and qtype == 1:
            rrs.append((1, socket.inet_aton(f[2])))
        elif f[0] == "SRV" and qtype == 33:
            rd = struct.pack("!HHH", int(f[2]), int(f[3]), int(f[4])) + name_bytes(f[5])
            rrs.append((33, rd))
    rcode = 0 if qname in zone else 3
    head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(rrs), 0, 0)
    body = b""
    for t, rd in rrs:
        body += b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60, len(rd)) + rd
    return head + question + body


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
log.write("ready\n")
while True:
    data, peer = s.recvfrom(4096)
    try:
        s.sendto(answer(data), peer)
    except (IndexError, struct.error, UnicodeDecodeError):
        pass
