#!/usr/bin/env python3
"""sipsend.py — send canned SIP messages over UDP and print the replies.

usage: sipsend.py [--pid PID] [--port-wait S] [--wait S] [--more S]
                  HOST:PORT FILE...

Waits until a UDP socket is bound to HOST:PORT in this network namespace
(read from /proc/net/udp): up to --port-wait seconds (default 5), or until
process PID, the server, has exited. Then sends each FILE, one after
another, from 127.0.0.1:5070 (the address the canned messages name in
their top Via), and after each one collects the replies:

  with --pid: until the server is idle again — the datagram has left the
  server socket's receive queue and every process of the server's session
  (PID must be a session leader, e.g. started by setsid) is asleep, seen
  three times in a row 10 ms apart — at most --wait seconds (default 5);

  without: up to --wait seconds (default 0.5) for a first reply, then
  --more seconds (default 0.15) after each reply for another.

Every reply is printed as its start line and header lines (CR removed),
followed by a line holding only ".". Exit status 0, or 2 when the port
never showed up (the server did not start) — nothing is sent then.
"""
import os
import socket
import sys
import time


def udp_entry(host, port):
	"""The /proc/net/udp fields of the socket bound to host:port, or None."""
	a = socket.inet_aton(host)
	want = "%02X%02X%02X%02X:%04X" % (a[3], a[2], a[1], a[0], port)
	try:
		with open("/proc/net/udp") as f:
			next(f)
			for line in f:
				fields = line.split()
				if fields[1] == want:
					return fields
	except OSError:
		pass
	return None


def rx_queue(host, port):
	"""Bytes waiting in the receive queue of host:port (0 when unbound)."""
	e = udp_entry(host, port)
	return int(e[4].split(":")[1], 16) if e else 0


def proc_stat(pid):
	"""(state, session id) of process pid, or None when it is gone."""
	try:
		with open("/proc/%s/stat" % pid) as f:
			rest = f.read().rsplit(")", 1)[1].split()
		return rest[0], int(rest[3])
	except (OSError, IndexError, ValueError):
		return None


def alive(pid):
	"""True while process pid exists and is not a zombie."""
	st = proc_stat(pid)
	return st is not None and st[0] != "Z"


def session_asleep(sid):
	"""True when no process of session sid is running or runnable."""
	for p in os.listdir("/proc"):
		if not p.isdigit():
			continue
		st = proc_stat(p)
		if st and st[1] == sid and st[0] not in ("S", "Z", "I", "T", "t"):
			return False
	return True


def print_reply(data):
	"""The start line and the headers of one reply, then "."."""
	text = data.decode("utf-8", "replace")
	head = text.split("\r\n\r\n", 1)[0]
	for line in head.split("\r\n"):
		print(line)
	print(".")


def drain(s):
	"""Print every reply already received, without waiting."""
	s.setblocking(False)
	while True:
		try:
			data = s.recv(65535)
		except (BlockingIOError, ConnectionRefusedError):
			break
		print_reply(data)
	s.setblocking(True)


def wait_idle(s, host, port, pid, limit):
	"""Collect replies until the server is idle, at most limit seconds."""
	deadline = time.monotonic() + limit
	quiet = 0
	while quiet < 3 and time.monotonic() < deadline:
		drain(s)
		if rx_queue(host, port) == 0 and session_asleep(pid):
			quiet += 1
		else:
			quiet = 0
		time.sleep(0.01)
	drain(s)


def wait_timed(s, wait, more):
	"""Collect replies: wait for a first one, then more for each next."""
	timeout = wait
	while True:
		s.settimeout(timeout)
		try:
			data = s.recv(65535)
		except (socket.timeout, ConnectionRefusedError):
			break
		print_reply(data)
		timeout = more


def main(argv):
	port_wait, wait, more, pid = 5.0, None, 0.15, 0
	args = argv[1:]
	while args and args[0].startswith("--"):
		opt = args.pop(0)
		if not args:
			sys.exit("sipsend: " + opt + " needs a value")
		val = float(args.pop(0))
		if opt == "--port-wait":
			port_wait = val
		elif opt == "--wait":
			wait = val
		elif opt == "--more":
			more = val
		elif opt == "--pid":
			pid = int(val)
		else:
			sys.exit("sipsend: unknown option " + opt)
	if len(args) < 1:
		sys.exit(__doc__)
	host, port = args[0].rsplit(":", 1)
	port = int(port)
	deadline = time.monotonic() + port_wait
	while udp_entry(host, port) is None:
		if time.monotonic() > deadline or (pid and not alive(pid)):
			return 2
		time.sleep(0.02)
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", 5070))
	for name in args[1:]:
		with open(name, "rb") as f:
			s.sendto(f.read(), (host, port))
		if pid:
			wait_idle(s, host, port, pid, 5.0 if wait is None else wait)
		else:
			wait_timed(s, 0.5 if wait is None else wait, more)
	sys.stdout.flush()
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
