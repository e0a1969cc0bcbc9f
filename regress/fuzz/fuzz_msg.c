/*
 * fuzz_msg.c — libFuzzer harness over the SIP/HTTP message layer: every
 * input is one datagram for rt_msg_parse. What parses has every lazy
 * parser run on it, and must keep these promises (abort otherwise):
 *   - every view lies inside the input, header lines follow each other;
 *   - rt_build_applied without changes gives the message back unchanged;
 *   - a reply to and a stateless forward of a SIP request parse again,
 *     the forward with our Via on top and the old one second.
 * Except one bound: what we build may have more header lines than we
 * take in (RT_MSG_MAX_HDRS, a limit of our parser, not of SIP): the
 * forward adds a line, a reply up to two (Server, Content-Length), and
 * Kamailio 5.6.3 sends those as they are (regress/msg/golden/fhdrs128,
 * rhdrs128). Only then may parsing it again fail, for that reason alone;
 * such a forward is checked without our Via line, and that line alone.
 *
 * `make fuzz-msg` builds and runs it (60 s); by hand, with clang:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivm \
 *       regress/fuzz/fuzz_msg.c runtime/rt_msg.c runtime/rt_build.c \
 *       runtime/rt_uri.c -o build-fuzz/fuzz_msg
 *   mkdir -p build-fuzz/seed-msg && cp ../shared/data/rfc4475/[a-z]*.dat \
 *       regress/msg/golden/[a-z]*.req build-fuzz/seed-msg/
 *   build-fuzz/fuzz_msg -max_total_time=60 -max_len=4096 build-fuzz/seed-msg
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/rt.h"

static void fuzz_check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_msg: broken promise: %s\n", what);
		abort();
	}
}

static int fuzz_inside(rt_view v, const char *buf, size_t len)
{
	return v.s == NULL || (v.s >= buf && v.len <= len && (size_t)(v.s - buf) <= len - v.len);
}

/* rt_msg_parse refused r only because it has more than RT_MSG_MAX_HDRS
 * header lines, and the message built from m may have (`added` more). */
static int fuzz_too_many(const rt_msg *m, const rt_msg *r, unsigned added)
{
	return r->error != NULL && strcmp(r->error, "too many header lines") == 0 &&
		m->nhdrs + added > RT_MSG_MAX_HDRS;
}

/* A forward with more header lines than we parse: our Via line (at the
 * old top Via's offset, nothing before it changes) parses alone, with
 * our port, and the rest parses with the old top Via first. */
static int fuzz_forward_split(const rt_msg *m, const rt_buf *out)
{
	static rt_msg r;
	size_t off = (size_t)(m->hdrs[m->via1_hdr].raw.s - m->buf);
	const char *nl;
	char *rest;
	rt_via v;
	int ok;

	if (off + 5 > out->len || memcmp(out->s + off, "Via: ", 5) != 0)
		return 0;
	nl = memchr(out->s + off, '\n', out->len - off);
	if (nl == NULL || nl - (out->s + off) < 7 || nl[-1] != '\r' ||
			rt_via_parse(out->s + off + 5, (size_t)(nl - 1 - (out->s + off + 5)), &v) < 0 ||
			v.port_no != 5062)
		return 0;
	rest = malloc(out->len);
	if (rest == NULL)
		return 0;
	memcpy(rest, out->s, off);
	memcpy(rest + off, nl + 1, out->len - (size_t)(nl + 1 - out->s));
	ok = rt_msg_parse(rest, out->len - (size_t)(nl + 1 - (out->s + off)), &r) == 0 &&
		r.nhdrs == m->nhdrs && rt_msg_via1(&r) && r.via1_hdr == m->via1_hdr &&
		r.body.len == m->body.len;
	free(rest);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static rt_msg m, r;
	const char *buf = (const char *)data;
	rt_buf out = { 0 };
	rt_addr self;
	unsigned i;
	size_t end;
	int rc;

	if (rt_msg_parse(buf, size, &m) < 0)
		return 0;
	fuzz_check(fuzz_inside(m.body, buf, size) && fuzz_inside(m.ruri, buf, size) &&
			fuzz_inside(m.fline, buf, size), "first line and body inside the input");
	for (i = 0; i < m.nhdrs; i++) {
		const rt_hdr *h = &m.hdrs[i];
		fuzz_check(fuzz_inside(h->raw, buf, size) && fuzz_inside(h->body, buf, size) &&
				fuzz_inside(h->name, buf, size), "header views inside the input");
		fuzz_check(i == 0 || h->raw.s == m.hdrs[i - 1].raw.s + m.hdrs[i - 1].raw.len,
				"header lines follow each other");
	}
	rt_msg_to(&m);
	rt_msg_from(&m);
	rt_msg_contact(&m);
	rt_msg_cseq(&m);
	rt_msg_via2(&m);
	rt_msg_ruri(&m);
	rt_msg_check(&m);

	end = m.body.s ? (size_t)(m.body.s + m.body.len - buf) : size;
	fuzz_check(rt_build_applied(&m, &out) == 0 && out.len == end &&
			memcmp(out.s ? out.s : "", buf, end) == 0, "applied without changes is the input");
	rt_buf_free(&out);

	if (m.is_request && !m.is_http && rt_msg_via1(&m)) {
		memset(&m.src, 0, sizeof(m.src));
		m.src.proto = RT_PROTO_UDP;
		m.src.af = 4;
		strcpy(m.src.ip, "192.0.2.1");
		m.src.port = 5070;
		if (rt_build_reply(&m, 404, "Not Here", 8, "t1", 2, "Server: f", NULL, 0, &out) == 0) {
			fuzz_check(rt_msg_parse(out.s, out.len, &r) == 0 ? r.status == 404 :
					fuzz_too_many(&m, &r, 2), "the reply parses");
		}
		rt_buf_free(&out);
		memset(&self, 0, sizeof(self));
		self.proto = RT_PROTO_UDP;
		self.af = 4;
		strcpy(self.ip, "127.0.0.1");
		self.port = 5062;
		fuzz_check(rt_build_forward(&m, &self, "z9hG4bKfz", 9, &out) == 0, "forward builds");
		rc = rt_msg_parse(out.s, out.len, &r);
		if (rc < 0 && fuzz_too_many(&m, &r, 1)) {
			fuzz_check(fuzz_forward_split(&m, &out),
					"the forward without our Via line parses, and that line alone");
		} else {
			const rt_via *v = rt_msg_via1(&m), *v2 = rc == 0 ? rt_msg_via2(&r) : NULL;
			fuzz_check(rc == 0 && rt_msg_via1(&r) && rt_msg_via1(&r)->port_no == 5062 &&
					v2 && r.via2_hdr == m.via1_hdr + 1 &&
					v2->branch.len == v->branch.len &&
					memcmp(v2->branch.s ? v2->branch.s : "", v->branch.s ? v->branch.s : "",
						v->branch.len) == 0 &&
					r.body.len == m.body.len,
					"the forward parses, our Via on top, the old one second");
		}
		rt_buf_free(&out);
	}
	rt_msg_clear(&m);
	return 0;
}
