#!/usr/bin/env python3
"""Send OPTIONS (the file options.sip) to a SIP server over UDP and check
the X-Loop header of its 200 reply.

    python3 check-reply.py HOST PORT EXPECTED [COUNT]

EXPECTED is the header's value, e.g. "i=1000 m=990 k=500". The request is
sent COUNT times (default 1), one after the other, each with its own
branch and Call-ID. Prints the header of the last reply and the median
round trip in microseconds ("rtt_us N"); exit status 0 when every reply
is a 200 with the expected header, 1 otherwise (the reason on stderr).
A reply is awaited REPLY_TIMEOUT seconds (environment, default 5).
"""
import os
import socket
import sys
import time


def main():
	if len(sys.argv) not in (4, 5):
		print(__doc__.strip(), file=sys.stderr)
		return 2
	host, port, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	count = int(sys.argv[4]) if len(sys.argv) == 5 else 1
	here = os.path.dirname(os.path.abspath(__file__))
	with open(os.path.join(here, "options.sip"), "rb") as f:
		template = f.read()
	sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	sock.bind(("127.0.0.1", 0))
	sock.settimeout(float(os.environ.get("REPLY_TIMEOUT", "5")))
	rtts = []
	header = None
	for n in range(count):
		tag = ("check-%d-%d" % (os.getpid(), n)).encode()
		msg = template.replace(b"vmloop-1", tag)
		start = time.perf_counter()
		sock.sendto(msg, (host, port))
		try:
			data, _ = sock.recvfrom(65535)
		except socket.timeout:
			print("no reply from %s:%d" % (host, port), file=sys.stderr)
			return 1
		rtts.append(time.perf_counter() - start)
		lines = data.decode("utf-8", "replace").split("\r\n")
		if not lines[0].startswith("SIP/2.0 200 "):
			print("reply is not 200: %r" % lines[0], file=sys.stderr)
			return 1
		header = None
		for line in lines[1:]:
			if line == "":
				break
			name, _, value = line.partition(":")
			if name.strip().lower() == "x-loop":
				header = value.strip()
		if header != expected:
			print("X-Loop is %r, expected %r" % (header, expected),
				file=sys.stderr)
			return 1
	rtts.sort()
	print("X-Loop: %s" % header)
	print("rtt_us %d" % int(rtts[len(rtts) // 2] * 1e6))
	return 0


if __name__ == "__main__":
	sys.exit(main())
