#!/usr/bin/env python3
"""Send the same requests to a server on 127.0.0.1:5196 from fixed
source ports and print the answers, with the lines that legitimately
differ between servers (To-tag values, Server) normalized."""
import re
import socket
import sys

HOST, PORT = "127.0.0.1", 5196


def sip(proto, sport):
    body = "hello=1\r\n"
    msg = ("INVITE sip:alice@127.0.0.1:5196;transport=%s SIP/2.0\r\n"
           "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK-pv-%s;rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: \"Bob B\" <sip:bob@example.com>;tag=ft-%s\r\n"
           "To: <sip:alice@example.org>\r\n"
           "Call-ID: pv-%s@127.0.0.1\r\n"
           "CSeq: 7 INVITE\r\n"
           "User-Agent: pv-test/1.0\r\n"
           "X-Foo: bar baz\r\n"
           "Content-Type: text/plain\r\n"
           "Content-Length: %d\r\n\r\n%s") % (
        proto.lower(), proto.upper(), sport, proto, proto, proto, len(body), body)
    return msg.encode()


def http(sport, close=True):
    body = "x=1&y=2"
    return ("POST /pv/test?q=1 HTTP/1.1\r\nHost: 127.0.0.1:5196\r\n"
            "User-Agent: pv-http/2.0\r\nContent-Type: text/plain\r\n"
            "Content-Length: %d\r\n\r\n%s" % (len(body), body)).encode()


def norm(data):
    text = data.decode("utf-8", "replace")
    text = re.sub(r";tag=[0-9a-f]{32}\.[0-9a-f]{8}", ";tag=TOTAG", text)
    text = re.sub(r"(?m)^Server: .*\r\n", "Server: SERVER\r\n", text)
    return text


def udp(payload, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, sport))
    s.settimeout(3)
    s.sendto(payload, (HOST, PORT))
    data, _ = s.recvfrom(65535)
    s.close()
    return data


def tcp(payload, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, sport))
    s.settimeout(3)
    s.connect((HOST, PORT))
    s.sendall(payload)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65535)
    head, _, rest = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    need = int(m.group(1)) if m else 0
    while len(rest) < need:
        rest += s.recv(65535)
    s.close()
    return head + b"\r\n\r\n" + rest


out = []
out.append("=== SIP over UDP\n" + norm(udp(sip("udp", 41001), 41001)))
out.append("=== SIP over TCP\n" + norm(tcp(sip("tcp", 41002), 41002)))
out.append("=== HTTP over TCP\n" + norm(tcp(http(41003), 41003)))
out.append("=== HTTP over UDP\n" + norm(udp(http(41004), 41004)))
sys.stdout.write("\n".join(out))
