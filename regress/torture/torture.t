#!/usr/bin/env python3
# torture.t — the RFC 4475 and RFC 5118 torture messages sent to a real
# server, over UDP and over TCP, each judged by its manifest. TAP.
#
#   regress/torture/torture.t                  (run-tests.sh runs it)
#   TORTURE_SERVER=kamailio regress/torture/torture.t
#   TORTURE_LOG=FILE: keep the server's log there; TORTURE_VERBOSE=1: more
#
# The server is `sipvm -f regress/torture/torture.cfg -n 1 -l
# udp:127.0.0.1:PORT -l tcp:127.0.0.1:PORT` ($SIPVM, default bin/sipvm),
# or with TORTURE_SERVER=kamailio Kamailio 5.6.3 with the same config
# and sockets, to see what it does with the same expectations (its
# departures from them are marked TODO with what it does instead). It
# runs in a private network namespace (the script re-executes itself
# under `unshare -n`), on loopback port PORT (TORTURE_PORT, default 5062).
# Over UDP a stateless reply goes to the request's source address and its
# top Via's port (5060 when it has none; the source port with ;rport), as
# in Kamailio 5.6.3: the client sends from 127.0.0.1:5060 and also listens
# on the other ports the messages' Vias name.
# torture.cfg answers every request reaching its route with 200 and
# "X-Torture: <Call-ID>", and logs "torture: reply CODE [Call-ID]" for
# every reply reaching its reply route.
#
# Each message (regress/torture/rfc4475/*.dat as they are; the RFC 5118
# files have LF line ends, turned into CRLF with a final empty line, as
# their README says) is sent:
#   - over UDP as one datagram, followed by an OPTIONS (one worker: its
#     200 comes after whatever the message got);
#   - over TCP on a new connection, cut at random points (seed printed,
#     TORTURE_SEED to repeat a run) with a few ms between the pieces,
#     followed on the same connection by an OPTIONS when the message
#     frames whole (RFC 3261 §18.3: by its Content-Length).
# What must happen, from the manifest's verdict:
#   valid request        the route's 200 (X-Torture: its Call-ID);
#   valid reply          no answer, and the reply route ran (log line);
#   invalid              no answer or a 400, never the route's 200; for
#                        a reply, the reply route did not run;
#   semantic errors      (RFC 4475 §3.2-3.3) syntactically valid: as a
#                        valid message, except insuf, multi01 and mcl01
#                        (400 expected: as invalid) and badbranch
#                        (either);
#   test.dat             not described by the RFC: anything.
# And after every message the server still answers: the OPTIONS after it
# gets its 200 (over TCP on the same connection, or, when that one was
# closed or the message could not frame, on a new connection). Over TCP a
# message that cannot be framed (no or bad Content-Length) must get no
# answer and its connection closed, as Kamailio 5.6.3 does; a message
# whose body has not all come gets no answer (the client gives up after
# 0.3 s); after one that frames but is refused, the OPTIONS on the same
# connection may go unanswered (5.6.3 closes a connection whose message
# its parser refuses; sipvm drops the message and reads on). SIGTERM: the server exits 0 (sipvm) within 5 s. Then once
# more with -A ACCEPT_NO_CL (tcp_accept_no_cl=yes): the RFC 2543 INVITE,
# which has no Content-Length, is answered over TCP, and two OPTIONS
# without one on one connection are both answered.
#
# Until `sipvm -l` runs a server (it exits 2 with a usage message), the
# whole script is skipped. About 3 s (124 sends, 2 server starts); every
# wait is bounded (2 s per answer, 10 s per start).
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PORT = int(os.environ.get("TORTURE_PORT", "5062"))
SERVER = os.environ.get("TORTURE_SERVER", "sipvm")
SEED = int(os.environ.get("TORTURE_SEED", "4475"))
VERBOSE = os.environ.get("TORTURE_VERBOSE", "") not in ("", "0")
CFG = os.path.join(HERE, "torture.cfg")

# Where a server departs from the expectations above, for a known
# reason: (server, transport, message) -> why ("*" for both transports).
# The test line is then a TODO: it still runs and shows the outcome, and
# one that starts passing shows as a passing TODO. The sipvm ones follow
# from the message layer's verdicts (regress/torture/test_torture.c):
# what rt_msg_parse and rt_msg_check take reaches the route. The
# Kamailio ones are what 5.6.3 did in this script (and says in its log).
ROUTED = "reaches the route, answered 200: "
KNOWN = {
    ("sipvm", "*", "baddate"): ROUTED + "Date not parsed (RFC 4475 allows ignoring it)",
    ("sipvm", "*", "badaspec"): ROUTED + "blanks inside <> tolerated, as 5.6.3",
    ("sipvm", "udp", "ipv6-in-sdp"): "dropped: Content-Length larger than the body (RFC 3261 "
        "§18.3); Kamailio 5.6.3 answers it",
    ("kamailio", "*", "wsinv"): "no answer: 5.6.3 refuses the CSeq folded over two lines",
    ("kamailio", "*", "intmeth"): "no answer: 5.6.3 refuses a header name with '!' or '%' "
        "when it builds the reply",
    ("kamailio", "*", "esc02"): "no answer: 5.6.3 refuses the header name C%6Fntact "
        "when it builds the reply",
    ("kamailio", "udp", "clerr"): "200: 5.6.3 takes a datagram shorter than its Content-Length",
    ("kamailio", "udp", "baddn"): "200: 5.6.3 tolerates ',' in a display name",
    ("kamailio", "*", "scalar02"): "200: 5.6.3 takes a CSeq number above 2^32",
    ("kamailio", "*", "scalarlg"): "its reply route runs: 5.6.3 takes a CSeq number above 2^32",
    ("kamailio", "*", "ltgtruri"): "200: the request URI is not parsed before the route",
    ("kamailio", "*", "ipv6-bad"): "200: the request URI is not parsed before the route",
    ("kamailio", "*", "trws"): "200: 5.6.3 tolerates blanks after SIP/2.0",
    ("kamailio", "*", "escruri"): "200: 5.6.3 takes ?headers in the request URI",
    ("kamailio", "*", "baddate"): "200: 5.6.3 does not parse Date",
    ("kamailio", "*", "regbadct"): "200: Contact is not looked at before the route",
    ("kamailio", "*", "badaspec"): "200: 5.6.3 tolerates blanks inside <>",
    ("kamailio", "*", "mismatch01"): "200: 5.6.3 does not compare the CSeq method",
    ("kamailio", "*", "mismatch02"): "200: 5.6.3 does not compare the CSeq method",
}


def known(transport, name):
    return KNOWN.get((SERVER, transport, name)) or KNOWN.get((SERVER, "*", name))


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def diag(text):
    for line in str(text).splitlines() or [""]:
        say("# " + line)


# ---------------------------------------------------------------- setup

def enter_netns():
    """Re-execute this script in a private network namespace with only
    loopback up; skip everything when that is not possible."""
    if os.environ.get("TORTURE_NETNS"):
        return
    try:
        ok = subprocess.run(["unshare", "-n", "true"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        ok = False
    if not ok:
        say("1..0 # SKIP cannot create a network namespace (unshare -n)")
        sys.exit(0)
    os.execvp("unshare", ["unshare", "-n", "env", "TORTURE_NETNS=1", "sh", "-c",
                          'ip link set lo up && exec "$0" "$@"', sys.executable,
                          os.path.abspath(__file__)] + sys.argv[1:])


def port_bound():
    """UDP bound and TCP listening on 127.0.0.1:PORT."""
    want = "0100007F:%04X" % PORT
    try:
        udp = any(l.split()[1] == want for l in open("/proc/net/udp").readlines()[1:])
        tcp = any(l.split()[1] == want and l.split()[3] == "0A"
                  for l in open("/proc/net/tcp").readlines()[1:])
    except OSError:
        return False
    return udp and tcp


class Server:
    """The server under test, its log in a file."""

    def __init__(self, tmp):
        self.log_path = None
        self.proc = None
        self.tmp = tmp
        self.starts = 0

    def start(self, extra=()):
        """None when it is ready, else why not. extra: more arguments
        (-A NAME)."""
        self.starts += 1
        self.log_path = os.path.join(self.tmp, "server%d.log" % self.starts)
        listen = ["-l", "udp:127.0.0.1:%d" % PORT, "-l", "tcp:127.0.0.1:%d" % PORT] + list(extra)
        if SERVER == "kamailio":
            mods = os.environ.get("KAMAILIO_MODULES", "/usr/lib/x86_64-linux-gnu/kamailio/modules")
            cmd = [os.environ.get("KAMAILIO", "kamailio"), "-L", mods, "-f", CFG, "-E", "-DD",
                   "-w", self.tmp, "-Y", self.tmp] + listen
        else:
            sipvm = os.environ.get("SIPVM", os.path.join(TOP, "bin", "sipvm"))
            if not os.access(sipvm, os.X_OK):
                return "skip: %s is not built" % sipvm
            cmd = [sipvm, "-f", CFG, "-n", "1"] + listen
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        except OSError as e:
            return "skip: cannot run %s: %s" % (cmd[0], e)
        finally:
            log.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                text = self.log()
                self.proc = None
                if SERVER != "kamailio" and rc == 2 and ("usage" in text or "unknown option" in text):
                    first = text.strip().splitlines()[0]
                    return "skip: sipvm does not run a server yet (exit 2: %s)" % first
                return "exited with status %d:\n%s" % (rc, text[-2000:])
            if SERVER == "kamailio":
                if port_bound():
                    return None
            elif "sipvm: ready" in self.log():
                return None
            time.sleep(0.05)
        return "not ready after 10 s:\n" + self.log()[-2000:]

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """Exit status after SIGTERM, None when it had to be killed."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


# ------------------------------------------------------------- messages

def load_vectors():
    """[(name, verdict, section, bytes)] of both manifests, in order."""
    out = []
    for d in ("rfc4475", "rfc5118"):
        with open(os.path.join(HERE, d, "manifest.tsv"), encoding="utf-8") as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
        for row in rows[1:]:
            name, verdict, section = row[0], row[1], row[3]
            with open(os.path.join(HERE, d, name), "rb") as f:
                data = f.read()
            if d == "rfc5118":
                data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
                if b"\r\n\r\n" not in data:
                    data += b"\r\n"
            out.append((name, verdict, section, data))
    return out


def expectation(name, verdict, is_reply):
    """answer | handled | reject | any"""
    if name in ("insuf.dat", "multi01.dat", "mcl01.dat"):
        return "reject"
    if name in ("badbranch.dat", "test.dat") or verdict == "unreferenced":
        return "any"
    if verdict == "invalid":
        return "reject"
    return "handled" if is_reply else "answer"


def header(data, names):
    """The first value of a header (any of names, lower case) in the
    header section, blanks around it and folds collapsed; None."""
    head = re.split(rb"\r?\n\r?\n", data, 1)[0]
    head = re.sub(rb"\r?\n[ \t]+", b" ", head)
    for line in re.split(rb"\r?\n", head)[1:]:
        m = re.match(rb"([^:\s]+)\s*:(.*)", line)
        if m and m.group(1).decode("latin-1").lower() in names:
            return re.sub(rb"\s+", b" ", m.group(2).strip()).decode("latin-1")
    return None


def frames(data):
    """How a stream of these bytes frames (no tcp_accept_no_cl): the
    lengths of the whole messages at its start, and what ends it: 'end'
    (nothing left), 'more' (waits for bytes) or 'bad'."""
    out, i = [], 0
    while True:
        while i < len(data) and data[i:i + 1] in (b"\r", b"\n", b" ", b"\t"):
            i += 1
        if i == len(data):
            return out, "end"
        m = re.compile(rb"\n\r?\n").search(data, i)
        if not m:
            return out, "more"
        head = data[i:m.start() + 1]
        head = re.sub(rb"\r?\n[ \t]+", b" ", head)
        cls = set()
        for line in re.split(rb"\r?\n", head)[1:]:
            h = re.match(rb"(content-length|l)[ \t]*:(.*)", line, re.I)
            if h:
                v = h.group(2).strip()
                if not re.fullmatch(rb"[0-9]{1,16}", v) or int(v) > 65535:
                    return out, "bad"
                cls.add(int(v))
        if len(cls) != 1:
            return out, "bad"
        end = m.end() + cls.pop()
        if end > len(data):
            return out, "more"
        out.append(end - i)
        i = end


def via_port(data):
    """The port of the top Via's sent-by (5060 when absent), None with
    ;rport (the reply then goes to the source port)."""
    v = header(data, ("via", "v"))
    if v is None:
        return None
    if re.search(r";\s*rport", v):
        return None
    m = re.match(r"SIP\s*/\s*2\.0\s*/\s*\S+\s+(\[[^\]]*\]|[^\s:;,]+)\s*(?::\s*(\d+))?", v)
    if not m:
        return None
    port = int(m.group(2)) if m.group(2) else 5060
    return port if 0 < port < 65536 else None


def probe(n):
    ci = "torture-probe-%d" % n
    return ci, ("OPTIONS sip:probe@127.0.0.1:%d SIP/2.0\r\n"
                "Via: SIP/2.0/%%s 127.0.0.1;branch=z9hG4bK-probe-%d\r\n"
                "From: <sip:torture@127.0.0.1>;tag=p%d\r\n"
                "To: <sip:probe@127.0.0.1>\r\n"
                "Call-ID: %s\r\n"
                "CSeq: 1 OPTIONS\r\n"
                "Max-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n" % (PORT, n, n, ci))


def parse_replies(buf):
    """The whole replies at the start of a TCP byte stream (keep-alive
    CRLFs skipped): [(status, x-torture, call-id)] and the bytes used."""
    out, i = [], 0
    while True:
        while buf[i:i + 2] == b"\r\n":
            i += 2
        m = re.compile(rb"\r\n\r\n").search(buf, i)
        if not m:
            return out, i
        msg = buf[i:m.end()]
        cl = header(msg + b"\r\n", ("content-length", "l"))
        end = m.end() + (int(cl) if cl and cl.isdigit() else 0)
        if end > len(buf):
            return out, i
        out.append(describe(buf[i:end]))
        i = end


def describe(reply):
    first = reply.split(b"\r\n", 1)[0].decode("latin-1")
    m = re.match(r"SIP/2\.0 (\d{3})", first)
    return (int(m.group(1)) if m else 0, header(reply, ("x-torture",)),
            header(reply, ("call-id", "i")), first)


# --------------------------------------------------------------- checks

class Run:
    def __init__(self, server, rng, vectors):
        self.server = server
        self.rng = rng
        self.n = 0
        self.failed = 0
        self.nprobe = 0
        self.socks = []
        ports = [5060] + sorted(set(via_port(v[3]) for v in vectors) - {None, 5060, PORT})
        for port in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", port))
            self.socks.append(s)

    def ok(self, cond, desc, todo=None):
        self.n += 1
        line = "%sok %d - %s" % ("" if cond else "not ", self.n, desc)
        if todo:
            line += " # TODO " + todo
        elif not cond:
            self.failed += 1
        say(line)
        return cond

    def reply_logs(self, ci):
        pat = "torture: reply "
        return sum(1 for l in self.server.log().splitlines()
                   if pat in l and ("[%s]" % (ci or "")) in l)

    def next_probe(self, proto):
        self.nprobe += 1
        ci, text = probe(self.nprobe)
        return ci, (text % proto).encode()

    # ---- UDP
    def udp(self, data):
        """(replies to the message, probe answered)"""
        ci, p = self.next_probe("UDP")
        try:
            self.socks[0].sendto(data, ("127.0.0.1", PORT))
            self.socks[0].sendto(p, ("127.0.0.1", PORT))
        except OSError as e:
            diag("udp send: %s" % e)
        got, answered = [], False
        deadline = time.time() + 2
        while time.time() < deadline and not answered:
            ready = select.select(self.socks, [], [], max(0.01, deadline - time.time()))[0]
            if not ready:
                break
            for s in ready:
                r = describe(s.recvfrom(65535)[0])
                if r[2] == ci:
                    answered = r[0] == 200
                else:
                    got.append(r)
        return got, answered

    # ---- TCP
    def tcp_probe(self):
        """A new connection, an OPTIONS: answered 200?"""
        ci, p = self.next_probe("TCP")
        try:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=2)
            s.sendall(p)
            buf = b""
            deadline = time.time() + 2
            while time.time() < deadline:
                s.settimeout(max(0.01, deadline - time.time()))
                r = s.recv(65535)
                if not r:
                    break
                buf += r
                for rep in parse_replies(buf)[0]:
                    if rep[2] == ci:
                        s.close()
                        return rep[0] == 200
            s.close()
        except OSError:
            pass
        return False

    def tcp(self, data, send_probe):
        """Send data in random pieces on a new connection, then (if
        send_probe) an OPTIONS. (replies to the message, probe answered,
        closed by the server, pieces)"""
        ci, p = self.next_probe("TCP")
        cuts = sorted(set(self.rng.randrange(1, len(data)) for _ in range(self.rng.randint(0, 8))))
        pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
        got, answered, closed, buf = [], False, False, b""
        try:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=2)
        except OSError as e:
            diag("tcp connect: %s" % e)
            return got, False, False, len(pieces)
        try:
            for piece in pieces:
                s.sendall(piece)
                time.sleep(self.rng.uniform(0, 0.003))
            if send_probe:
                s.sendall(p)
        except OSError:
            closed = True
        deadline = time.time() + (2 if send_probe else 0.3)
        while not closed and not answered and time.time() < deadline:
            s.settimeout(max(0.01, deadline - time.time()))
            try:
                r = s.recv(65535)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not r:
                closed = True
                break
            buf += r
            reps, _ = parse_replies(buf)
            got = [x for x in reps if x[2] != ci]
            answered = any(x[2] == ci and x[0] == 200 for x in reps)
        s.close()
        return got, answered, closed, len(pieces)


def judge(kind, got, handled_log):
    """Does this outcome meet the expectation? (bool, text)"""
    codes = ", ".join("%d%s" % (r[0], " X-Torture" if r[1] is not None else "") for r in got) or "no answer"
    route_200 = [r for r in got if r[0] == 200 and r[1] is not None]
    if kind == "answer":
        return len(route_200) >= 1, codes
    if kind == "handled":
        return not got and handled_log, codes + (", reply route ran" if handled_log else ", reply route did not run")
    if kind == "reject":
        bad = [r for r in got if r[0] != 400]
        return not bad and not handled_log, codes + (", reply route ran" if handled_log else "")
    return True, codes


def no_cl(server, run, vectors):
    """The server again with -A ACCEPT_NO_CL (tcp_accept_no_cl=yes): over
    TCP a message without Content-Length ends at its empty line. The RFC
    2543 INVITE (inv2543, none) is then answered, its SDP body left
    waiting for an empty line of its own; two OPTIONS without
    Content-Length on one connection are both answered."""
    why = server.start(["-A", "ACCEPT_NO_CL"])
    if not run.ok(why is None, "%s starts again with -A ACCEPT_NO_CL" % SERVER):
        diag(why)
        return
    try:
        data = [v[3] for v in vectors if v[0] == "inv2543.dat"][0]
        ci = header(data, ("call-id", "i"))
        got, answered, closed, npieces = run.tcp(data, False)
        ids = [r[1] for r in got if r[0] == 200]
        run.ok(ids == [ci] and not closed,
               "tcp inv2543.dat, tcp_accept_no_cl, in %d piece(s): its headers answered 200 (%s), "
               "the connection left open (%s)" % (npieces, ids, "closed" if closed else "open"))
        run.ok(run.tcp_probe() and server.alive(), "tcp inv2543.dat: an OPTIONS after it is answered")
        two = b"".join(run.next_probe("TCP")[1].replace(b"Content-Length: 0\r\n", b"")
                       for _ in range(2))
        cis = re.findall(rb"Call-ID: (\S+)", two)
        got, answered, closed, npieces = run.tcp(two, False)
        ids = [r[2] for r in got if r[0] == 200]
        run.ok(ids == [c.decode() for c in cis],
               "tcp_accept_no_cl: two OPTIONS without Content-Length on one connection, in %d "
               "piece(s): both answered (%s)" % (npieces, ", ".join(map(str, ids)) or "none"))
    finally:
        rc = server.stop()
    run.ok(rc == 0 or (SERVER == "kamailio" and rc is not None),
           "SIGTERM: %s exits %s" % (SERVER, "status %s" % rc if rc is not None else "only when killed"))


def main():
    enter_netns()
    vectors = load_vectors()
    tmp = tempfile.mkdtemp(prefix="torture.")
    server = Server(tmp)
    why = server.start()
    if why is not None:
        shutil.rmtree(tmp, ignore_errors=True)
        if why.startswith("skip: "):
            say("1..0 # SKIP " + why[6:].splitlines()[0])
            return 0
        say("1..1")
        say("not ok 1 - %s starts with torture.cfg on 127.0.0.1:%d" % (SERVER, PORT))
        diag(why)
        return 1
    rng = random.Random(SEED)
    say("# %s on udp and tcp 127.0.0.1:%d, %d messages, seed %d" % (SERVER, PORT, len(vectors), SEED))
    run = Run(server, rng, vectors)
    t0 = time.time()
    counts = {}
    try:
        for name, verdict, section, data in vectors:
            is_reply = data.startswith(b"SIP/2.0 ")
            kind = expectation(name, verdict, is_reply)
            ci = header(data, ("call-id", "i"))
            short = name[:-4] if name.endswith(".dat") else name
            label = "%s (%s, %s)" % (name, verdict, kind)

            # UDP
            before = run.reply_logs(ci) if is_reply else 0
            got, answered = run.udp(data)
            logged = is_reply and run.reply_logs(ci) > before
            good, text = judge(kind, got, logged)
            todo = known("udp", short)
            if kind == "answer" and good:
                ids = [r[1] for r in got if r[0] == 200 and r[1] is not None]
                good = ci is None or ci in ids
                if not good:
                    text += " (X-Torture %r, Call-ID %r)" % (ids, ci)
            run.ok(good, "udp %s: %s" % (label, text), todo)
            counts.setdefault(("udp", kind), [0, 0])[0 if good else 1] += 1
            run.ok(answered and server.alive(), "udp %s: the OPTIONS after it is answered" % name)

            # TCP
            fr, state = frames(data)
            whole = len(fr) == 1 and fr[0] == len(data.lstrip(b"\r\n \t")) and state == "end"
            before = run.reply_logs(ci) if is_reply else 0
            got, answered, closed, npieces = run.tcp(data, whole)
            logged = is_reply and run.reply_logs(ci) > before
            todo = known("tcp", short)
            if whole:
                good, text = judge(kind, got, logged)
                if kind in ("answer", "handled"):
                    good = good and answered
                    text += ", OPTIONS on the same connection %s" % ("answered" if answered else "not answered")
            elif not fr:
                # cannot frame, or waits: never answered; closed unless it waits
                good = not got and (closed or state == "more")
                text = "%s, %s (%s)" % (
                    ", ".join(str(r[0]) for r in got) or "no answer",
                    "connection closed" if closed else "connection open",
                    "cannot frame" if state == "bad" else "waits for its body")
            else:
                # several messages (dblreq): the first judged as the file
                good, text = judge(kind, got[:1], logged)
                good = good and (state != "bad" or closed)
                text += "; %d message(s) framed, then %s, %s" % (
                    len(fr), state, "connection closed" if closed else "connection open")
            run.ok(good, "tcp %s in %d piece(s): %s" % (label, npieces, text), todo)
            counts.setdefault(("tcp", kind), [0, 0])[0 if good else 1] += 1
            if not answered:
                answered = run.tcp_probe()
            run.ok(answered and server.alive(), "tcp %s: an OPTIONS after it is answered" % name)
            if VERBOSE:
                diag("%s: tcp frames %s %s" % (name, fr, state))
    finally:
        rc = server.stop()
        log = server.log()
    run.ok(rc == 0 or (SERVER == "kamailio" and rc is not None),
           "SIGTERM: %s exits %s" % (SERVER, "status %s" % rc if rc is not None else "only when killed"))
    no_cl(server, run, vectors)
    for k in sorted(counts):
        diag("%s %-8s %d as expected, %d not" % (k[0], k[1], counts[k][0], counts[k][1]))
    diag("%.1f s" % (time.time() - t0))
    if os.environ.get("TORTURE_LOG"):
        with open(os.environ["TORTURE_LOG"], "w") as f:
            f.write(log)
    if run.failed:
        diag("server log (end):")
        diag(log[-3000:])
    say("1..%d" % run.n)
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
