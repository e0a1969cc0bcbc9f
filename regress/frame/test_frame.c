/*
 * test_frame.c — stream framing (runtime/rt_frame.c): whole messages,
 * pipelined ones, keep-alives and blank lines between them, every
 * Content-Length form and every bad one, the length limits; and that the
 * verdicts do not depend on how the bytes arrive: each stream is fed at
 * once, split at every byte position, one byte at a time and in random
 * pieces (fixed seed), and must give the same messages. What is framed
 * must parse (rt_msg_parse) with its body exactly the Content-Length.
 * The RFC 4475 / 5118 vectors (regress/torture/) are framed too.
 *
 * Run from the top of the tree (regress/run-tests.sh does).
 */
#include "../tap.h"
#include "../../runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define TORTURE "regress/torture/"

/* One OPTIONS; `extra` header lines go before the empty line (each with
 * its CRLF), `body` after it. The result is static, one of four. */
static const char *opt(const char *callid, const char *extra, const char *body)
{
	static char b[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]),
			"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK%s\r\n"
			"From: <sip:a@example.com>;tag=1\r\n"
			"To: <sip:x@127.0.0.1>\r\n"
			"Call-ID: %s\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"%s\r\n%s", callid, callid, extra, body);
	return b[k];
}

/* What a reader makes of a stream: the verdicts in order with their
 * lengths (consecutive SKIPs merged: how many blanks one call drops
 * depends on what has come), then the state at the end. */
typedef struct {
	int v[64];
	size_t len[64];
	int n;
	int end;                 /* RT_FRAME_MORE (waiting) or RT_FRAME_BAD */
	size_t left;             /* bytes not framed */
	const char *why;
	int scan_ok;             /* *scan behaved (see run()) */
} verdicts;

static void add(verdicts *r, int v, size_t len)
{
	if (v == RT_FRAME_SKIP && r->n > 0 && r->v[r->n - 1] == RT_FRAME_SKIP) {
		r->len[r->n - 1] += len;
		return;
	}
	if (r->n < 64) {
		r->v[r->n] = v;
		r->len[r->n] = len;
		r->n++;
	}
}

/* Feed s[0..n) to a reader as it would come off a socket: pieces ending
 * at cuts[0..ncuts) (increasing, the last one n), rt_frame called after
 * each piece until it wants more. *scan is kept between calls, as a
 * connection keeps it; it must be 0 after every verdict but MORE, and
 * while the header section is incomplete it must stand within two
 * bytes of what has come (what has been looked at is not looked at
 * again). */
static verdicts run(const char *s, size_t n, unsigned flags, const size_t *cuts, size_t ncuts)
{
	verdicts r;
	size_t start = 0, scan = 0, got, c;

	memset(&r, 0, sizeof(r));
	r.scan_ok = 1;
	r.end = RT_FRAME_MORE;
	for (c = 0; c < ncuts; c++) {
		got = cuts[c];
		for (;;) {
			size_t mlen = 99;
			const char *why = "x";
			int v = rt_frame(s + start, got - start, flags, &scan, &mlen, &why);
			if (v == RT_FRAME_MORE) {
				if (mlen != 0 || why != NULL)
					r.scan_ok = 0;
				if (scan < ((size_t)1 << 30) && got - start >= 3 &&
						scan + 2 < got - start && s[start] != '\r')
					r.scan_ok = 0;
				break;
			}
			if (scan != 0)
				r.scan_ok = 0;
			if (v == RT_FRAME_BAD) {
				r.end = RT_FRAME_BAD;
				r.why = why;
				r.left = n - start;
				if (why == NULL)
					r.scan_ok = 0;
				return r;
			}
			if (mlen == 0 || mlen > got - start) {
				r.scan_ok = 0;
				r.left = n - start;
				return r;
			}
			add(&r, v, mlen);
			start += mlen;
		}
	}
	r.left = n - start;
	return r;
}

static verdicts run_once(const char *s, size_t n, unsigned flags)
{
	return run(s, n, flags, &n, 1);
}

static int same(const verdicts *a, const verdicts *b)
{
	int i;

	if (a->n != b->n || a->end != b->end || a->left != b->left || !a->scan_ok || !b->scan_ok)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i] != b->v[i] || a->len[i] != b->len[i])
			return 0;
	return a->end != RT_FRAME_BAD || strcmp(a->why, b->why) == 0;
}

static const char *vname(int v)
{
	switch (v) {
	case RT_FRAME_BAD: return "BAD";
	case RT_FRAME_MORE: return "MORE";
	case RT_FRAME_MSG: return "MSG";
	case RT_FRAME_PING: return "PING";
	case RT_FRAME_SKIP: return "SKIP";
	}
	return "?";
}

/* The verdicts as text: "MSG 245, PING 4, MORE (3 left)". Static. */
static const char *show(const verdicts *r)
{
	static char b[2][1024];
	static int k;
	size_t o = 0;
	int i;

	k = !k;
	b[k][0] = '\0';
	for (i = 0; i < r->n && o < sizeof(b[k]) - 64; i++)
		o += (size_t)snprintf(b[k] + o, sizeof(b[k]) - o, "%s %zu, ", vname(r->v[i]), r->len[i]);
	if (r->end == RT_FRAME_BAD)
		snprintf(b[k] + o, sizeof(b[k]) - o, "BAD (%s)", r->why ? r->why : "no reason");
	else
		snprintf(b[k] + o, sizeof(b[k]) - o, "MORE (%zu left)", r->left);
	if (!r->scan_ok)
		strncat(b[k], " [*scan/mlen/why misused]", sizeof(b[k]) - strlen(b[k]) - 1);
	return b[k];
}

static unsigned long rnd_state = 4475;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

/* The stream must frame the same whatever the pieces: at once, split in
 * two at every position, one byte at a time, and in 20 random sets of
 * pieces of 1 to 64 bytes. One test line. */
static verdicts check_splits(const char *name, const char *s, size_t n, unsigned flags)
{
	verdicts one = run_once(s, n, flags), r;
	size_t *cuts = malloc((n + 1) * sizeof(*cuts)), k, nc;
	const char *bad = NULL;
	int t;

	if (cuts == NULL) {
		ok(0, "%s: memory", name);
		return one;
	}
	for (k = 1; k < n && bad == NULL; k++) {
		cuts[0] = k;
		cuts[1] = n;
		r = run(s, n, flags, cuts, 2);
		if (!same(&one, &r))
			bad = "split in two";
	}
	for (k = 0; k < n; k++)
		cuts[k] = k + 1;
	if (bad == NULL && n > 0) {
		r = run(s, n, flags, cuts, n);
		if (!same(&one, &r))
			bad = "one byte at a time";
	}
	for (t = 0; t < 20 && bad == NULL && n > 0; t++) {
		size_t at = 0;
		nc = 0;
		while (at < n) {
			at += 1 + rnd(64);
			if (at > n)
				at = n;
			cuts[nc++] = at;
		}
		r = run(s, n, flags, cuts, nc);
		if (!same(&one, &r))
			bad = "random pieces";
	}
	ok(bad == NULL && one.scan_ok, "%s: %s, whatever the pieces%s%s%s%s", name, show(&one),
			bad ? " -- differs when fed " : "", bad ? bad : "",
			bad ? ": " : "", bad ? show(&r) : "");
	free(cuts);
	return one;
}

/* A stream and the verdicts it must give, written as "MSG 245, PING 4,
 * MORE (0 left)" (show()'s format). */
static void expect(const char *name, const char *s, size_t n, unsigned flags, const char *want)
{
	verdicts r = check_splits(name, s, n, flags);

	ok(strcmp(show(&r), want) == 0, "%s: expected %s, got %s", name, want, show(&r));
}

static void expects(const char *name, const char *s, unsigned flags, const char *want)
{
	expect(name, s, strlen(s), flags, want);
}

/* Every MSG of the stream parses, its body exactly its Content-Length
 * and ending where the frame ends (when it has Content-Length). */
static void check_parses(const char *name, const char *s, size_t n, unsigned flags)
{
	verdicts r = run_once(s, n, flags);
	size_t at = 0;
	int i, good = 1, nmsg = 0;
	static rt_msg m;
	char *copy;

	for (i = 0; i < r.n; i++) {
		if (r.v[i] == RT_FRAME_MSG) {
			copy = malloc(r.len[i]);
			memcpy(copy, s + at, r.len[i]);
			m.conn = -1;
			m.lsock = -1;
			if (rt_msg_parse(copy, r.len[i], &m) < 0 ||
					(m.has_clen ? m.body.len != m.clen ||
					 m.body.s + m.body.len != copy + r.len[i] : m.body.len != 0))
				good = 0;
			rt_msg_clear(&m);
			free(copy);
			nmsg++;
		}
		at += r.len[i];
	}
	ok(good && nmsg > 0, "%s: its %d message(s) parse, bodies as long as Content-Length says",
			name, nmsg);
}

static void test_basic(void)
{
	char s[8192], want[256];
	size_t n;

	n = strlen(strcpy(s, opt("b1", "Content-Length: 0\r\n", "")));
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("OPTIONS, Content-Length 0", s, n, 0, want);
	check_parses("OPTIONS, Content-Length 0", s, n, 0);

	n = strlen(strcpy(s, opt("b2", "Content-Type: text/plain\r\nContent-Length: 11\r\n", "hello world")));
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("with a body", s, n, 0, want);
	check_parses("with a body", s, n, 0);

	/* the body may hold empty lines and anything else */
	n = strlen(strcpy(s, opt("b3", "Content-Length: 14\r\n", "\r\n\r\nINVITE \r\n\n")));
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("body with empty lines", s, n, 0, want);

	/* the body has not all come: waiting, then the next message */
	n = strlen(strcpy(s, opt("b4", "Content-Length: 20\r\n", "only ten b")));
	snprintf(want, sizeof(want), "MORE (%zu left)", n);
	expect("body not all there", s, n, 0, want);

	/* the header section has not all come */
	expects("no empty line yet", "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n", 0,
			"MORE (43 left)");
	expects("first line only", "OPTIONS sip:x SIP/2.0", 0, "MORE (21 left)");

	/* Content-Length written every way rt_msg_parse reads it */
	{
		static const char *forms[] = {
			"Content-Length: 4\r\n", "content-length: 4\r\n", "CONTENT-LENGTH: 4\r\n",
			"l: 4\r\n", "L:4\r\n", "Content-Length   : 4\r\n", "Content-Length:\t4 \t\r\n",
			"Content-Length:\r\n 4\r\n", "Content-Length: \r\n\t4\r\n \r\n",
			"Content-Length: 0004\r\n",
			"Content-Length: 4\r\nContent-Length: 4\r\n",
			"X-Before: Content-Length: 9\r\nContent-Length: 4\r\n",
		};
		size_t i;
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			char name[128];
			n = strlen(strcpy(s, opt("f", forms[i], "body")));
			snprintf(name, sizeof(name), "Content-Length as \"%.*s\"",
					(int)strcspn(forms[i], "\r"), forms[i]);
			snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
			expect(name, s, n, 0, want);
			check_parses(name, s, n, 0);
		}
	}

	/* "l:" then the empty line: no fold, an empty value */
	expects("Content-Length empty before the empty line",
			"OPTIONS sip:x SIP/2.0\r\nl:\r\n\r\nbody", 0, "BAD (bad Content-Length)");

	/* LF line ends, and the two mixed */
	strcpy(s, "OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bKl\nFrom: <sip:a@b>;tag=1\n"
			"To: <sip:x@y>\nCall-ID: lf\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nab");
	n = strlen(s);
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("LF line ends", s, n, 0, want);
	check_parses("LF line ends", s, n, 0);
	strcpy(s, "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKl\nFrom: <sip:a@b>;tag=1\r\n"
			"To: <sip:x@y>\nCall-ID: lf\r\nCSeq: 1 OPTIONS\nl: 2\n\r\nab");
	n = strlen(s);
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("CRLF and LF mixed, LF CR LF ends the headers", s, n, 0, want);
	check_parses("CRLF and LF mixed", s, n, 0);
	/* CR CR LF is no empty line */
	expects("CR CR LF is not an empty line", "OPTIONS sip:x SIP/2.0\r\nl: 0\r\r\n", 0,
			"MORE (30 left)");
}

static void test_bad(void)
{
	char s[8192], want[256];
	size_t n;
	static const struct {
		const char *hdr, *why;
	} bad[] = {
		{ "Content-Length: -999\r\n", "bad Content-Length" },       /* RFC 4475 ncl */
		{ "Content-Length: 0x\r\n", "bad Content-Length" },
		{ "Content-Length: 1 2\r\n", "bad Content-Length" },
		{ "Content-Length: 4\r\n 5\r\n", "bad Content-Length" },
		{ "Content-Length:\r\n", "bad Content-Length" },
		{ "Content-Length: +4\r\n", "bad Content-Length" },
		{ "Content-Length: 65536\r\n", "bad Content-Length" },
		{ "Content-Length: 99999999999999999999\r\n", "bad Content-Length" },
		{ "Content-Length: 00000000000000004\r\n", "bad Content-Length" },   /* 17 digits */
		{ "Content-Length: 13\r\nContent-Length: 5\r\n", "conflicting Content-Length" }, /* mcl01 */
		{ "l: 0\r\nContent-Length: 4\r\n", "conflicting Content-Length" },
		{ "X-Foo: a\r\n Content-Length: 4\r\n", "no Content-Length" }, /* a continuation */
		{ "Content-Lengthy: 4\r\n", "no Content-Length" },
		{ "Content-Length 4\r\n", "no Content-Length" },
		{ "", "no Content-Length" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[160];
		n = strlen(strcpy(s, opt("bad", bad[i].hdr, "body")));
		snprintf(name, sizeof(name), "refused: \"%.*s\"", (int)strcspn(bad[i].hdr, "\r"), bad[i].hdr);
		snprintf(want, sizeof(want), "BAD (%s)", bad[i].why);
		expect(name, s, n, 0, want);
	}
	/* what comes after a bad one on the stream is not looked at */
	strcpy(s, opt("x1", "Content-Length: 5x\r\n", ""));
	strcat(s, opt("x2", "Content-Length: 0\r\n", ""));
	expect("a message after a bad one is not framed", s, strlen(s), 0, "BAD (bad Content-Length)");

	/* without Content-Length, RT_FRAME_NO_CL: the message ends at its
	 * empty line (tcp_accept_no_cl; HTTP GETs) */
	n = strlen(strcpy(s, opt("n1", "", "")));
	expect("no Content-Length", s, n, 0, "BAD (no Content-Length)");
	snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
	expect("no Content-Length, RT_FRAME_NO_CL", s, n, RT_FRAME_NO_CL, want);
	check_parses("no Content-Length, RT_FRAME_NO_CL", s, n, RT_FRAME_NO_CL);
	strcat(s, opt("n2", "", ""));
	snprintf(want, sizeof(want), "MSG %zu, MSG %zu, MORE (0 left)", n, n);
	expect("two without Content-Length, RT_FRAME_NO_CL", s, strlen(s), RT_FRAME_NO_CL, want);
	strcpy(s, "GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
	expect("HTTP GETs, RT_FRAME_NO_CL", s, strlen(s), RT_FRAME_NO_CL,
			"MSG 40, MSG 28, MORE (0 left)");
	check_parses("HTTP GETs, RT_FRAME_NO_CL", s, strlen(s), RT_FRAME_NO_CL);
	expect("HTTP GET without RT_FRAME_NO_CL", s, strlen(s), 0, "BAD (no Content-Length)");
	/* RT_FRAME_NO_CL does not excuse a bad one */
	n = strlen(strcpy(s, opt("n3", "Content-Length: -1\r\n", "")));
	expect("bad Content-Length, RT_FRAME_NO_CL", s, n, RT_FRAME_NO_CL, "BAD (bad Content-Length)");
	/* and a good one is followed */
	strcpy(s, "POST /rpc HTTP/1.1\r\nContent-Length: 3\r\n\r\n{}\n");
	expect("HTTP POST, RT_FRAME_NO_CL", s, strlen(s), RT_FRAME_NO_CL, "MSG 44, MORE (0 left)");
}

static void test_pipeline(void)
{
	char s[16384], want[512];
	size_t a, b, c;

	strcpy(s, opt("p1", "Content-Length: 0\r\n", ""));
	a = strlen(s);
	strcat(s, opt("p2", "Content-Length: 5\r\n", "12345"));
	b = strlen(s) - a;
	strcat(s, opt("p3", "l: 3\r\n", "abc"));
	c = strlen(s) - a - b;
	snprintf(want, sizeof(want), "MSG %zu, MSG %zu, MSG %zu, MORE (0 left)", a, b, c);
	expect("three pipelined", s, strlen(s), 0, want);
	check_parses("three pipelined", s, strlen(s), 0);

	/* keep-alives and blank lines between, before and after */
	strcpy(s, "\r\n\r\n");
	strcat(s, opt("q1", "Content-Length: 0\r\n", ""));
	strcat(s, "\r\n\r\n\r\n");
	strcat(s, opt("q2", "Content-Length: 2\r\n", "ab"));
	strcat(s, "\r\n \n\t");
	strcat(s, opt("q3", "Content-Length: 0\r\n", ""));
	strcat(s, "\r\n\r\n");
	/* "\r\n\r\n\r\n" then q2: a PING, then a CRLF that may start the
	 * next one: it is a SKIP only once the message's first byte comes */
	{
		size_t q1 = strlen(opt("q1", "Content-Length: 0\r\n", ""));
		size_t q2 = strlen(opt("q2", "Content-Length: 2\r\n", "ab"));
		size_t q3 = strlen(opt("q3", "Content-Length: 0\r\n", ""));
		snprintf(want, sizeof(want),
				"PING 4, MSG %zu, PING 4, SKIP 2, MSG %zu, SKIP 5, MSG %zu, PING 4, MORE (0 left)",
				q1, q2, q3);
	}
	expect("keep-alives and blank lines between messages", s, strlen(s), 0, want);
	check_parses("keep-alives and blank lines between messages", s, strlen(s), 0);

	/* a message and the start of the next */
	strcpy(s, opt("r1", "Content-Length: 0\r\n", ""));
	a = strlen(s);
	strcat(s, "INVITE sip:y SIP/2.0\r\nContent-Le");
	snprintf(want, sizeof(want), "MSG %zu, MORE (%zu left)", a, strlen(s) - a);
	expect("a message and the start of the next", s, strlen(s), 0, want);
}

static void test_pings(void)
{
	expects("keep-alive", "\r\n\r\n", 0, "PING 4, MORE (0 left)");
	expects("two keep-alives", "\r\n\r\n\r\n\r\n", 0, "PING 4, PING 4, MORE (0 left)");
	expects("half a keep-alive", "\r\n", 0, "MORE (2 left)");
	expects("three quarters of a keep-alive", "\r\n\r", 0, "MORE (3 left)");
	expects("a CR", "\r", 0, "MORE (1 left)");
	expects("LF LF is no keep-alive", "\n\n", 0, "SKIP 2, MORE (0 left)");
	expects("blanks, then a keep-alive", " \t\n\r\n\r\n", 0, "SKIP 3, PING 4, MORE (0 left)");
	expects("CR CR LF CR LF", "\r\r\n\r\n", 0, "SKIP 1, PING 4, MORE (0 left)");
	expects("CRLF LF", "\r\n\n", 0, "SKIP 3, MORE (0 left)");
	expects("a blank line before a message", "\r\nOPTIONS", 0, "SKIP 2, MORE (7 left)");
	expects("SP and HT before a message", " \tOPTIONS", 0, "SKIP 2, MORE (7 left)");
}

static void test_limits(void)
{
	size_t max = RT_MSG_MAX_LEN, n;
	char *s = malloc(max + 64), want[128];
	const char *head = "OPTIONS sip:x SIP/2.0\r\nX-Big: ";
	size_t hl = strlen(head);

	/* a header section that does not end within RT_MSG_MAX_LEN bytes */
	memcpy(s, head, hl);
	memset(s + hl, 'a', max + 64 - hl);
	n = max - 1;
	{
		size_t scan = 0, mlen;
		const char *why;
		int v = rt_frame(s, n, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_MORE, "no empty line in %zu bytes: more (%d)", n, v);
		v = rt_frame(s, max, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_BAD && why && strcmp(why, "header section longer than the limit") == 0,
				"no empty line in %zu bytes: refused (%s)", max, why ? why : "-");
		scan = 0;
		v = rt_frame(s, max + 64, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_BAD, "no empty line in %zu bytes, at once: refused", max + 64);
	}
	/* a message of exactly RT_MSG_MAX_LEN bytes, and one byte more */
	{
		char cl[64];
		size_t body, scan = 0, mlen;
		const char *why;
		int v;
		/* head + "Content-Length: NNNNN\r\n\r\n" + body = max */
		n = (size_t)snprintf(s, max, "OPTIONS sip:x SIP/2.0\r\nContent-Length: %05u\r\n\r\n", 0u);
		body = max - n;
		snprintf(cl, sizeof(cl), "%05zu", body);
		memcpy(s + n - 9, cl, 5);
		memset(s + n, 'b', body + 10);
		v = rt_frame(s, max + 10, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_MSG && mlen == max, "a message of %zu bytes frames (%d, %zu)", max, v, mlen);
		snprintf(cl, sizeof(cl), "%05zu", body + 1);
		memcpy(s + n - 9, cl, 5);
		scan = 0;
		v = rt_frame(s, max + 10, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_BAD && why && strcmp(why, "message longer than the limit") == 0,
				"a message of %zu bytes is refused (%s)", max + 1, why ? why : "-");
		/* and it is refused as soon as the header section is there */
		scan = 0;
		v = rt_frame(s, n, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_BAD, "... as soon as its header section is there");
	}
	/* a big message byte by byte: the verdict comes at its last byte */
	{
		size_t scan = 0, mlen = 0, k, body = 30000;
		const char *why;
		int v = RT_FRAME_MORE, early = 0;
		n = (size_t)snprintf(s, max, "OPTIONS sip:x SIP/2.0\r\nContent-Length: %zu\r\n", body);
		for (k = 0; k < 100; k++)
			n += (size_t)snprintf(s + n, max - n, "X-H%zu: %040zu\r\n", k, k);
		s[n++] = '\r';
		s[n++] = '\n';
		memset(s + n, 'z', body);
		n += body;
		for (k = 1; k <= n; k++) {
			v = rt_frame(s, k, 0, &scan, &mlen, &why);
			if (v != RT_FRAME_MORE && k < n)
				early = 1;
		}
		ok(!early && v == RT_FRAME_MSG && mlen == n,
				"a %zu-byte message fed byte by byte frames at its last byte", n);
		snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", n);
		expect("the same message in pieces", s, n, 0, want);
		check_parses("the same message", s, n, 0);
	}
	/* a *scan left over from another stream start is not trusted */
	{
		const char *m = opt("sc", "Content-Length: 0\r\n", "");
		size_t scan = 5000000, mlen;
		const char *why;
		int v = rt_frame(m, strlen(m), 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_MSG && mlen == strlen(m), "a stray *scan past the data is ignored");
		scan = ((size_t)1 << 30) + 999999;
		v = rt_frame(m, strlen(m), 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_MSG && mlen == strlen(m), "a stray length in *scan is ignored");
	}
	{
		size_t scan = 0, mlen = 7;
		const char *why = "x";
		int v = rt_frame("", 0, 0, &scan, &mlen, &why);
		ok(v == RT_FRAME_MORE && mlen == 0 && why == NULL, "nothing yet: more");
	}
	free(s);
}

/* The RFC 4475 vectors on a stream, one at a time and all of them in one
 * stream (each followed by the next). What they frame to, from their
 * Content-Length:
 *   clerr (9999), insuf, ... : a body that has not all come: MORE;
 *   ncl (-999): BAD; mcl01 (13 and 5): BAD; inv2543 (none): BAD, or
 *   with RT_FRAME_NO_CL the headers alone; baddn (no empty line): MORE;
 *   dblreq: the REGISTER, its CRLF skipped, the INVITE (Content-Length
 *   150), then the 5 bytes its body has beyond that: "C" CRLF CRLF, an
 *   empty header section without Content-Length. */
static void test_torture(void)
{
	static const struct {
		const char *name;
		const char *want;    /* NULL: one MSG of the whole file */
	} vec[] = {
		{ "clerr.dat", "MORE" }, { "ncl.dat", "BAD (bad Content-Length)" },
		{ "mcl01.dat", "BAD (conflicting Content-Length)" },
		{ "inv2543.dat", "BAD (no Content-Length)" },
		{ "baddn.dat", "MORE" },
		{ "dblreq.dat", "MSG 300, SKIP 2, MSG 443, BAD (no Content-Length)" },
	};
	FILE *f = fopen(TORTURE "rfc4475/manifest.tsv", "r");
	char line[1024];
	int nframed = 0, nbad = 0;

	if (f == NULL) {
		ok(0, "%s readable", TORTURE "rfc4475/manifest.tsv");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char path[256], name[64], want[128];
		const char *w = NULL;
		size_t len, i;
		char *b;
		verdicts r;

		if (strncmp(line, "name\t", 5) == 0 || sscanf(line, "%63[^\t]", name) != 1)
			continue;
		snprintf(path, sizeof(path), TORTURE "rfc4475/%s", name);
		b = tap_slurp(path, &len);
		if (b == NULL) {
			ok(0, "%s readable", path);
			continue;
		}
		for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
			if (strcmp(vec[i].name, name) == 0)
				w = vec[i].want;
		r = check_splits(name, b, len, 0);
		if (w == NULL) {
			snprintf(want, sizeof(want), "MSG %zu, MORE (0 left)", len);
			w = want;
		}
		ok(strncmp(show(&r), w, strlen(w)) == 0, "%s frames as %s (%s)", name, w, show(&r));
		if (strcmp(name, "inv2543.dat") == 0) {
			r = run_once(b, len, RT_FRAME_NO_CL);
			/* its SDP body has no Content-Length to count it: the
			 * message ends at the empty line, the body waits for
			 * an empty line of its own */
			ok(strcmp(show(&r), "MSG 340, MORE (105 left)") == 0,
					"inv2543.dat with RT_FRAME_NO_CL: the headers alone (%s)", show(&r));
		}
		if (r.end == RT_FRAME_BAD)
			nbad++;
		else if (r.n > 0)
			nframed++;
		free(b);
	}
	fclose(f);
	ok(nframed == 45 && nbad == 3, "RFC 4475: 45 vectors frame, 3 are refused (%d, %d)",
			nframed, nbad);
}

/* Every vector that frames alone, one after another in one stream (with
 * a keep-alive and a blank line here and there): the same messages, fed
 * in random pieces. */
static void test_stream(void)
{
	static const char *names[] = {
		"wsinv.dat", "intmeth.dat", "esc01.dat", "escnull.dat", "esc02.dat",
		"lwsdisp.dat", "longreq.dat", "semiuri.dat", "transports.dat", "mpart01.dat",
		"unreason.dat", "noreason.dat", "badinv01.dat", "scalar02.dat", "quotbal.dat",
		"ltgtruri.dat", "lwsruri.dat", "lwsstart.dat", "trws.dat", "escruri.dat",
		"baddate.dat", "regbadct.dat", "badaspec.dat", "badvers.dat", "mismatch01.dat",
		"mismatch02.dat", "bigcode.dat", "badbranch.dat", "insuf.dat", "unkscm.dat",
		"zeromf.dat", "sdp01.dat",
	};
	size_t cap = 65536, n = 0, i, k = 0;
	char *s = malloc(cap), want[4096];
	size_t o = 0;
	verdicts r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[256];
		size_t len;
		char *b;
		snprintf(path, sizeof(path), TORTURE "rfc4475/%s", names[i]);
		b = tap_slurp(path, &len);
		if (b == NULL || n + len + 8 > cap) {
			free(b);
			continue;
		}
		if (i % 5 == 1) {
			memcpy(s + n, "\r\n\r\n", 4);
			n += 4;
			o += (size_t)snprintf(want + o, sizeof(want) - o, "PING 4, ");
		} else if (i % 7 == 3) {
			memcpy(s + n, "\r\n", 2);
			n += 2;
			o += (size_t)snprintf(want + o, sizeof(want) - o, "SKIP 2, ");
		}
		memcpy(s + n, b, len);
		n += len;
		o += (size_t)snprintf(want + o, sizeof(want) - o, "MSG %zu, ", len);
		k++;
		free(b);
	}
	snprintf(want + o, sizeof(want) - o, "MORE (0 left)");
	r = check_splits("32 RFC 4475 messages in one stream", s, n, 0);
	ok(strcmp(show(&r), want) == 0 && k == 32, "32 RFC 4475 messages in one stream: each framed");
	free(s);
}

int main(void)
{
	printf("# random pieces: seed %lu\n", rnd_state);
	test_basic();
	test_bad();
	test_pipeline();
	test_pings();
	test_limits();
	test_torture();
	test_stream();
	return tap_done();
}
