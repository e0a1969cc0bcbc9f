/*
 * fuzz_frame.c — libFuzzer harness over stream framing (rt_frame) and
 * the parser on what it frames. An input is
 *   byte 0      flags: bit 0 RT_FRAME_NO_CL
 *   byte 1      n: how many cut points follow (0-15, the low 4 bits)
 *   2n bytes    the cut points, 16 bits each (big-endian, taken modulo
 *               the stream's length)
 *   the rest    the bytes a TCP connection delivers.
 * The stream is framed as a connection reader does it (rt_frame after
 * each piece, *scan kept, the framed bytes dropped) three ways: at once,
 * in the pieces the cut points make, and one byte at a time. These
 * promises must hold (abort otherwise):
 *   - the three give the same verdicts with the same lengths (blank runs
 *     dropped by consecutive SKIPs counted together), and end the same
 *     way (waiting for more with the same bytes left, or refused with the
 *     same reason);
 *   - every verdict but MORE has a length within the bytes given and not
 *     0, *scan back to 0; MORE and BAD have *mlen 0; BAD has a reason;
 *   - a PING is CR LF CR LF, a SKIP only blanks;
 *   - a framed message that rt_msg_parse takes ends exactly where its
 *     Content-Length says (its body is the frame's last clen bytes), or
 *     has none and an empty body (only with RT_FRAME_NO_CL); it is given
 *     to the parser in a buffer of exactly its size (ASan sees a read
 *     past the frame).
 *
 * `make fuzz-frame` builds and runs it (see the Makefile); by hand, with
 * clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivm \
 *       regress/fuzz/fuzz_frame.c runtime/rt_frame.c runtime/rt_msg.c \
 *       runtime/rt_uri.c -o build-fuzz/fuzz_frame
 *   mkdir -p build-fuzz/seed-frame
 *   for f in regress/torture/rfc4475/[a-z]*.dat; do
 *       { printf '\000\000'; cat "$f"; } >build-fuzz/seed-frame/$(basename $f); done
 *   build-fuzz/fuzz_frame -max_total_time=60 -max_len=8192 build-fuzz/seed-frame
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/rt.h"

#define FUZZ_MAXV 8192

static void fuzz_check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_frame: broken promise: %s\n", what);
		abort();
	}
}

/* The verdicts a reader saw, SKIPs merged. */
typedef struct {
	int v[FUZZ_MAXV];
	size_t len[FUZZ_MAXV], at[FUZZ_MAXV];
	size_t n;
	int end;                 /* RT_FRAME_MORE or RT_FRAME_BAD */
	size_t left;
	const char *why;
} fuzz_run;

static int fuzz_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void fuzz_add(fuzz_run *r, int v, size_t at, size_t len)
{
	if (v == RT_FRAME_SKIP && r->n > 0 && r->v[r->n - 1] == RT_FRAME_SKIP) {
		r->len[r->n - 1] += len;
		return;
	}
	fuzz_check(r->n < FUZZ_MAXV, "fewer verdicts than bytes");
	r->v[r->n] = v;
	r->at[r->n] = at;
	r->len[r->n] = len;
	r->n++;
}

/* Feed s[0..n) in pieces ending at cuts[0..ncuts) (increasing, the last
 * n), as a connection reader does. */
static void fuzz_feed(const char *s, size_t n, unsigned flags, const size_t *cuts,
		size_t ncuts, fuzz_run *r)
{
	size_t start = 0, scan = 0, c, i;

	r->n = 0;
	r->end = RT_FRAME_MORE;
	r->why = NULL;
	for (c = 0; c < ncuts; c++) {
		size_t got = cuts[c];
		for (;;) {
			size_t mlen = 12345;
			const char *why = "unset";
			int v = rt_frame(s + start, got - start, flags, &scan, &mlen, &why);
			if (v == RT_FRAME_MORE) {
				fuzz_check(mlen == 0 && why == NULL, "MORE leaves *mlen 0 and no reason");
				break;
			}
			fuzz_check(scan == 0, "*scan back to 0 after a verdict");
			if (v == RT_FRAME_BAD) {
				fuzz_check(mlen == 0 && why != NULL, "BAD has a reason and *mlen 0");
				r->end = RT_FRAME_BAD;
				r->why = why;
				r->left = n - start;
				return;
			}
			fuzz_check(v == RT_FRAME_MSG || v == RT_FRAME_PING || v == RT_FRAME_SKIP,
					"a known verdict");
			fuzz_check(mlen > 0 && mlen <= got - start, "a length within the bytes given");
			fuzz_check(mlen <= RT_MSG_MAX_LEN, "a length within RT_MSG_MAX_LEN");
			if (v == RT_FRAME_PING)
				fuzz_check(mlen == 4 && memcmp(s + start, "\r\n\r\n", 4) == 0,
						"a PING is CR LF CR LF");
			if (v == RT_FRAME_SKIP)
				for (i = 0; i < mlen; i++)
					fuzz_check(fuzz_blank((unsigned char)s[start + i]), "a SKIP is blanks");
			if (v == RT_FRAME_MSG)
				fuzz_check(!fuzz_blank((unsigned char)s[start]), "a message starts with no blank");
			fuzz_add(r, v, start, mlen);
			start += mlen;
		}
	}
	r->left = n - start;
}

static void fuzz_same(const fuzz_run *a, const fuzz_run *b, const char *how)
{
	size_t i;
	int same = a->n == b->n && a->end == b->end && a->left == b->left &&
		(a->end != RT_FRAME_BAD || strcmp(a->why, b->why) == 0);

	for (i = 0; same && i < a->n; i++)
		same = a->v[i] == b->v[i] && a->len[i] == b->len[i];
	if (!same) {
		fprintf(stderr, "fuzz_frame: at once: %zu verdicts, end %d, %zu left; %s: "
				"%zu verdicts, end %d, %zu left\n", a->n, a->end, a->left, how,
				b->n, b->end, b->left);
		fuzz_check(0, "the same verdicts however the bytes arrive");
	}
}

/* A framed message, given to the parser alone in a buffer of its size. */
static void fuzz_parse(const char *s, size_t len, unsigned flags)
{
	static rt_msg m;
	char *copy = malloc(len);

	if (copy == NULL)
		return;
	memcpy(copy, s, len);
	m.conn = -1;
	m.lsock = -1;
	if (rt_msg_parse(copy, len, &m) == 0) {
		if (m.has_clen) {
			fuzz_check(m.body.s != NULL && m.body.len == m.clen &&
					m.body.s + m.body.len == copy + len,
					"the body is the frame's last Content-Length bytes");
		} else {
			fuzz_check(flags & RT_FRAME_NO_CL, "no Content-Length only with RT_FRAME_NO_CL");
			fuzz_check(m.body.len == 0, "without Content-Length the body is empty");
		}
		rt_msg_check(&m);
		rt_msg_to(&m);
		rt_msg_from(&m);
		rt_msg_via1(&m);
		rt_msg_cseq(&m);
		rt_msg_contact(&m);
		rt_msg_ruri(&m);
		rt_msg_clear(&m);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_run once, cut, bytes;
	static size_t cuts[FUZZ_MAXV + 16];
	unsigned flags, ncut, i;
	const char *s;
	size_t n, nc = 0, k;

	if (size < 2)
		return 0;
	flags = (data[0] & 1u) ? RT_FRAME_NO_CL : 0;
	ncut = data[1] & 15u;
	if (size < 2 + 2 * (size_t)ncut)
		return 0;
	s = (const char *)data + 2 + 2 * ncut;
	n = size - 2 - 2 * ncut;
	if (n == 0 || n > FUZZ_MAXV)
		return 0;

	fuzz_feed(s, n, flags, &n, 1, &once);

	/* the fuzzer's cut points, sorted, then the end */
	for (i = 0; i < ncut; i++) {
		size_t at = ((size_t)data[2 + 2 * i] << 8 | data[3 + 2 * i]) % n;
		if (at == 0)
			continue;
		for (k = nc; k > 0 && cuts[k - 1] > at; k--)
			cuts[k] = cuts[k - 1];
		cuts[k] = at;
		nc++;
	}
	for (k = 0, i = 0; k < nc; k++)          /* drop repeats */
		if (i == 0 || cuts[k] != cuts[i - 1])
			cuts[i++] = cuts[k];
	nc = i;
	cuts[nc++] = n;
	fuzz_feed(s, n, flags, cuts, nc, &cut);
	fuzz_same(&once, &cut, "in the fuzzer's pieces");

	for (k = 0; k < n; k++)
		cuts[k] = k + 1;
	fuzz_feed(s, n, flags, cuts, n, &bytes);
	fuzz_same(&once, &bytes, "one byte at a time");

	for (k = 0; k < once.n; k++)
		if (once.v[k] == RT_FRAME_MSG)
			fuzz_parse(s + once.at[k], once.len[k], flags);
	return 0;
}
