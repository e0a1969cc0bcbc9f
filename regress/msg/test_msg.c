/*
 * test_msg.c — the SIP/HTTP message layer (runtime/rt_msg.c, rt_build.c):
 * parsing canned messages to byte-exact views, compact and folded
 * headers, multi-value Via, refused inputs with their reasons, the lazy
 * header parsers, lumps, and replies and forwarded requests compared
 * byte for byte with what Kamailio 5.6.3 sent for the same requests
 * (regress/msg/golden/, made by regress/msg/capture.sh), the inputs
 * `make fuzz-msg` found (regress/msg/found/). Then every RFC
 * 4475 / 5118 torture message (../shared/data) with the verdict we give
 * it, all their prefixes, and seeded random mutations, which must not
 * crash (run under ASan: make SAN=1).
 *
 * Run from the top of the tree (regress/run-tests.sh does).
 */
#include "../tap.h"
#include "../wire.h"
#include "../../runtime/rt.h"

#include <stdlib.h>
#include <string.h>

#define DATA "regress/msg/"
#define CORPUS "../shared/data/"

/* A view equals a C string. */
static int eqv(rt_view v, const char *s)
{
	if (s == NULL)
		return v.s == NULL;
	return v.s != NULL && v.len == strlen(s) && memcmp(v.s, s, v.len) == 0;
}

/* Text for a test description, CR LF HT escaped so the TAP line stays
 * one line (a static buffer, one of four in turn). */
static const char *escn(const char *s, size_t len)
{
	static char b[4][256];
	static int k;
	size_t i, o = 0;

	if (s == NULL)
		return "(null)";
	k = (k + 1) % 4;
	for (i = 0; i < len && o < sizeof(b[k]) - 3; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n' || c == '\t') {
			b[k][o++] = '\\';
			b[k][o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else {
			b[k][o++] = c;
		}
	}
	b[k][o] = '\0';
	return b[k];
}

static const char *esc(const char *s)
{
	return s ? escn(s, strlen(s)) : "(null)";
}

/* A view for a diagnostic. */
static const char *show(rt_view v)
{
	return v.s ? escn(v.s, v.len) : "(null)";
}

/* A message copied into its own malloc'd buffer (so ASan sees overreads). */
typedef struct {
	char *buf;
	rt_msg *m;
	int rc;
} tmsg;

static tmsg tparse(const char *s, size_t len)
{
	tmsg t;

	t.buf = malloc(len ? len : 1);
	memcpy(t.buf, s, len);
	t.m = malloc(sizeof(rt_msg));
	memset(&t.m->src, 0, sizeof(t.m->src));
	memset(&t.m->rcv, 0, sizeof(t.m->rcv));
	t.rc = rt_msg_parse(t.buf, len, t.m);
	return t;
}

static void tfree(tmsg *t)
{
	rt_msg_clear(t->m);
	free(t->m);
	free(t->buf);
}

/* ------------------------------------------------------------------------ */

static const char inv[] =
	"INVITE sip:bob@biloxi.example.com;transport=udp SIP/2.0\r\n"
	"v: SIP/2.0/UDP pc33.atlanta.example.com:5061;branch=z9hG4bK776asdhds;rport ,"
	" SIP/2.0/TCP [2001:db8::9]:5090;received=192.0.2.1;branch=z9hG4bKp2\r\n"
	"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK3;ttl=5;maddr=224.2.0.1;i=7\r\n"
	"Max-Forwards: 70\r\n"
	"t: Bob <sip:bob@biloxi.example.com>\r\n"
	"f: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774;x=y\r\n"
	"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"m: <sip:alice@pc33.atlanta.example.com>;expires=60, \"Other\" <sip:o@x>\r\n"
	"Subject: first line\r\n"
	" \tsecond line  \r\n"
	"k: 100rel\r\n"
	"X-Custom  :   spaced value \r\n"
	"c: application/sdp\r\n"
	"l: 4\r\n"
	"\r\n"
	"v=0\n";

static void test_parse_request(void)
{
	tmsg t = tparse(inv, sizeof(inv) - 1);
	rt_msg *m = t.m;
	rt_hdr *h;
	const rt_via *v1, *v2;
	const rt_nameaddr *to, *from, *ct;
	const rt_cseq *cs;
	const rt_uri *u;
	rt_via v;
	rt_nameaddr na;
	size_t off;
	int n;

	ok(t.rc == 0, "canned INVITE parses (%s)", m->error ? m->error : "");
	ok(m->is_request == 1 && m->is_http == 0, "a SIP request");
	ok(eqv(m->method, "INVITE") && m->method_id == RT_M_INVITE, "method INVITE");
	ok(eqv(m->ruri, "sip:bob@biloxi.example.com;transport=udp"), "request URI view");
	ok(eqv(m->version, "SIP/2.0"), "version view");
	ok(m->fline.s == t.buf && m->fline.len == 57, "first line with its CRLF (%zu)",
			m->fline.len);
	ok(m->nhdrs == 13, "13 header lines (%u)", m->nhdrs);
	ok(eqv(m->hdrs[0].name, "v") && m->hdrs[0].type == RT_HDR_VIA, "compact v is Via");
	ok(eqv(m->hdrs[4].name, "f") && m->hdrs[4].type == RT_HDR_FROM, "compact f is From");
	ok(m->hdrs[3].type == RT_HDR_TO && m->hdrs[5].type == RT_HDR_CALLID &&
			m->hdrs[7].type == RT_HDR_CONTACT && m->hdrs[9].type == RT_HDR_SUPPORTED &&
			m->hdrs[11].type == RT_HDR_CTYPE && m->hdrs[12].type == RT_HDR_CLEN,
			"compact t i m k c l");
	ok(m->hdrs[10].type == RT_HDR_OTHER && eqv(m->hdrs[10].name, "X-Custom") &&
			eqv(m->hdrs[10].body, "spaced value"),
			"blanks before ':' and around the value dropped");
	ok(eqv(m->hdrs[8].body, "first line\r\n \tsecond line"),
			"folded Subject keeps its fold inside the body view: [%s]",
			show(m->hdrs[8].body));
	ok(eqv(m->hdrs[8].raw, "Subject: first line\r\n \tsecond line  \r\n"),
			"folded Subject's raw view spans both lines");
	ok(eqv(m->hdrs[2].raw, "Max-Forwards: 70\r\n"), "raw view with CRLF");
	ok(m->first[RT_HDR_VIA] == 0 && m->first[RT_HDR_MAXFWD] == 2 &&
			m->first[RT_HDR_ROUTE] == -1, "first[] index per type");
	ok(eqv(m->body, "v=0\n"), "body after the empty line");
	ok(m->has_clen && m->clen == 4, "Content-Length 4");

	h = rt_msg_hdr(m, "Via", 3, 0);
	ok(h == &m->hdrs[0], "rt_msg_hdr(Via, 0) finds the compact v line");
	ok(rt_msg_hdr(m, "via", 3, -1) == &m->hdrs[1], "rt_msg_hdr(via, -1) is the last");
	ok(rt_msg_hdr(m, "VIA", 3, 2) == NULL && rt_msg_hdr(m, "Via", 3, -3) == NULL,
			"out of range n gives NULL");
	ok(rt_msg_hdr_count(m, "Via", 3) == 2 && rt_msg_hdr_count(m, "v", 1) == 2,
			"two Via lines, by long or compact name");
	ok(rt_msg_hdr(m, "Call-ID", 7, 0) == &m->hdrs[5], "Call-ID finds i");
	ok(rt_msg_hdr(m, "x-custom", 8, 0) == &m->hdrs[10], "unknown header by name, any case");
	ok(rt_msg_hdr(m, "X-None", 6, 0) == NULL && rt_msg_hdr_count(m, "X-None", 6) == 0,
			"absent header");
	ok(rt_msg_hdr_type(m, RT_HDR_VIA, 1) == &m->hdrs[1] &&
			rt_msg_hdr_type(m, RT_HDR_OTHER, 0) == NULL, "rt_msg_hdr_type");

	v1 = rt_msg_via1(m);
	ok(v1 != NULL, "via1 parses");
	if (v1) {
		ok(eqv(v1->name, "SIP") && eqv(v1->version, "2.0") && eqv(v1->proto, "UDP"),
				"via1 sent-protocol");
		ok(eqv(v1->host, "pc33.atlanta.example.com") && eqv(v1->port, "5061") &&
				v1->port_no == 5061, "via1 host and port");
		ok(eqv(v1->branch, "z9hG4bK776asdhds"), "via1 branch");
		ok(v1->has_rport && v1->rport.s != NULL && v1->rport.len == 0,
				"via1 ;rport without value");
		ok(eqv(v1->rport_param, "rport "), "rport_param spans to the ','");
		ok(eqv(v1->params, "branch=z9hG4bK776asdhds;rport"), "via1 params [%s]",
				show(v1->params));
		ok(eqv(v1->whole, "SIP/2.0/UDP pc33.atlanta.example.com:5061;"
					"branch=z9hG4bK776asdhds;rport"), "via1 whole value");
		ok(m->hdrs[0].parsed == v1, "the v line's parsed form is via1");
		ok(rt_msg_via1(m) == v1, "via1 is cached");
	}
	v2 = rt_msg_via2(m);
	ok(v2 != NULL, "via2 parses (second value of the same line)");
	if (v2) {
		ok(eqv(v2->proto, "TCP") && eqv(v2->host, "[2001:db8::9]") && v2->port_no == 5090,
				"via2 IPv6 host keeps its brackets");
		ok(eqv(v2->received, "192.0.2.1") && v2->has_received &&
				eqv(v2->branch, "z9hG4bKp2"), "via2 received and branch");
		ok(m->via2_hdr == 0, "via2 is on line 0");
	}
	h = &m->hdrs[1];
	ok(rt_via_parse(h->body.s, h->body.len, &v) == 0 && eqv(v.ttl, "5") &&
			eqv(v.maddr, "224.2.0.1") && eqv(v.i, "7") && !v.has_rport,
			"ttl, maddr and i parameters");
	off = 0;
	n = 0;
	while (rt_via_next(m->hdrs[0].body.s, m->hdrs[0].body.len, &off, &v) == 1)
		n++;
	ok(n == 2, "rt_via_next walks two values of the v line");

	to = rt_msg_to(m);
	ok(to && eqv(to->display, "Bob") && eqv(to->uri, "sip:bob@biloxi.example.com") &&
			to->tag.s == NULL && to->params.s == NULL, "To: token display, no tag");
	from = rt_msg_from(m);
	ok(from && eqv(from->display, "Alice \\\"A\\\"") &&
			eqv(from->display_raw, "\"Alice \\\"A\\\"\""), "From: quoted display name");
	ok(from && eqv(from->tag, "1928301774") && eqv(from->params, "tag=1928301774;x=y"),
			"From tag and params");
	ok(from && m->hdrs[4].parsed == from && rt_msg_from(m) == from, "From cached in hdr");
	ct = rt_msg_contact(m);
	ok(ct && eqv(ct->uri, "sip:alice@pc33.atlanta.example.com") &&
			eqv(ct->params, "expires=60"), "first Contact value");
	off = 0;
	n = 0;
	while (rt_nameaddr_next(m->hdrs[7].body.s, m->hdrs[7].body.len, &off, &na) == 1) {
		if (n == 1)
			ok(eqv(na.display, "Other") && eqv(na.uri, "sip:o@x"), "second Contact value");
		n++;
	}
	ok(n == 2, "two Contact values");
	cs = rt_msg_cseq(m);
	ok(cs && cs->no == 314159 && eqv(cs->number, "314159") && eqv(cs->method, "INVITE"),
			"CSeq");
	ok(rt_msg_check(m) == 0, "required headers present");

	u = rt_msg_ruri(m);
	ok(u && eqv(u->host, "biloxi.example.com") && eqv(u->transport, "udp"),
			"R-URI parsed lazily");
	ok(rt_msg_ruri(m) == u && m->ruri_parsed == 1, "R-URI cached");
	ok(rt_msg_set_ruri(m, "sip:carol@chicago.example.com:5070", 34) == 0 &&
			m->ruri_parsed == 0, "set_ruri invalidates the parsed R-URI");
	u = rt_msg_ruri(m);
	ok(u && eqv(u->user, "carol") && u->port_no == 5070 &&
			eqv(rt_msg_ruri_text(m), "sip:carol@chicago.example.com:5070") &&
			eqv(m->ruri, "sip:bob@biloxi.example.com;transport=udp"),
			"new R-URI seen, request line untouched");
	ok(m->new_uri && m->new_uri[m->new_uri_len] == '\0', "new_uri is a NUL-ended copy");
	ok(rt_msg_set_ruri(m, "nonsense", 8) == 0 && rt_msg_ruri(m) == NULL,
			"an R-URI that does not parse gives NULL");
	ok(rt_msg_set_ruri(m, NULL, 0) == 0 && rt_msg_ruri(m) &&
			eqv(rt_msg_ruri(m)->user, "bob"), "set_ruri(NULL) goes back to the original");
	ok(rt_msg_set_duri(m, "sip:10.0.0.9:5060", 17) == 0 && m->dst_uri_len == 17 &&
			strcmp(m->dst_uri, "sip:10.0.0.9:5060") == 0, "set_duri copies");
	tfree(&t);
}

static void test_parse_others(void)
{
	static const char rpl[] =
		"SIP/2.0 180 Ringing  \r\n"
		"Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\n"
		"Via: SIP/2.0/UDP b.example:5070;branch=z9hG4bK2;received=10.0.0.2\r\n"
		"CSeq: 7 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char noreason[] = "SIP/2.0 100 \r\nCSeq: 1 X\r\n\r\n";
	static const char lf[] =
		"OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\n"
		"Subject: x\n y\nTo: <sip:a@b>\n\nBODY";
	static const char http[] =
		"GET /rpc?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabcdef";
	static const char httpnocl[] = "POST /x HTTP/1.0\r\nHost: h\r\n\r\nignored";
	static const char lower[] = "invite sip:a@b sip/2.0\r\n\r\n";
	static const char longer[] =
		"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhello, and more";
	static const char nocl[] = "MESSAGE sip:a@b SIP/2.0\r\nX: 1\r\n\r\nall\r\nof it";
	static const char noempty[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n";
	static const char lead[] = "\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n";
	static const char other[] = "NEWMETHOD sip:a@b SIP/2.0\r\n\r\n";
	tmsg t;
	const rt_via *v;

	t = tparse(rpl, sizeof(rpl) - 1);
	ok(t.rc == 0 && !t.m->is_request && t.m->status == 180 &&
			eqv(t.m->reason, "Ringing  ") && eqv(t.m->version, "SIP/2.0"),
			"status line: code, reason as written");
	v = rt_msg_via2(t.m);
	ok(v && eqv(v->host, "b.example") && v->port_no == 5070 && t.m->via2_hdr == 1,
			"via2 from the next Via line");
	ok(rt_msg_ruri(t.m) == NULL && rt_msg_check(t.m) == 0, "a reply has no R-URI");
	tfree(&t);

	t = tparse(noreason, sizeof(noreason) - 1);
	ok(t.rc == 0 && t.m->status == 100 && t.m->reason.s && t.m->reason.len == 0,
			"empty reason phrase (RFC 4475 noreason)");
	tfree(&t);

	t = tparse(lf, sizeof(lf) - 1);
	ok(t.rc == 0 && t.m->nhdrs == 3, "LF-only line ends");
	ok(t.rc == 0 && eqv(t.m->hdrs[1].body, "x\n y") &&
			eqv(t.m->hdrs[1].raw, "Subject: x\n y\n"), "LF-only folding");
	ok(t.rc == 0 && eqv(t.m->body, "BODY"), "LF-only body");
	tfree(&t);

	t = tparse(http, sizeof(http) - 1);
	ok(t.rc == 0 && t.m->is_http && t.m->is_request && t.m->method_id == RT_M_GET &&
			eqv(t.m->ruri, "/rpc?x=1") && eqv(t.m->version, "HTTP/1.1"),
			"HTTP/1.1 request line");
	ok(t.rc == 0 && t.m->hdrs[0].type == RT_HDR_HOST && eqv(t.m->body, "abc"),
			"HTTP Host header, body cut to Content-Length");
	ok(t.rc == 0 && rt_msg_check(t.m) == 0, "rt_msg_check passes HTTP");
	tfree(&t);
	t = tparse(httpnocl, sizeof(httpnocl) - 1);
	ok(t.rc == 0 && t.m->is_http && t.m->method_id == RT_M_POST && t.m->body.len == 0 &&
			t.m->body.s != NULL, "HTTP/1.0 without Content-Length: empty body");
	tfree(&t);

	t = tparse(lower, sizeof(lower) - 1);
	ok(t.rc == 0 && t.m->method_id == RT_M_INVITE && eqv(t.m->method, "invite"),
			"methods case-insensitive, view as written");
	tfree(&t);
	t = tparse(other, sizeof(other) - 1);
	ok(t.rc == 0 && t.m->method_id == RT_M_OTHER && eqv(t.m->method, "NEWMETHOD"),
			"unknown method is RT_M_OTHER");
	tfree(&t);

	t = tparse(longer, sizeof(longer) - 1);
	ok(t.rc == 0 && eqv(t.m->body, "hello"),
			"datagram longer than Content-Length: body cut");
	tfree(&t);
	t = tparse(nocl, sizeof(nocl) - 1);
	ok(t.rc == 0 && eqv(t.m->body, "all\r\nof it") && !t.m->has_clen,
			"no Content-Length over UDP: the rest is the body");
	tfree(&t);
	t = tparse(noempty, sizeof(noempty) - 1);
	ok(t.rc == 0 && t.m->nhdrs == 1 && t.m->body.len == 0 &&
			t.m->body.s == t.buf + sizeof(noempty) - 1,
			"headers ending without the empty line (RFC 4475 baddn)");
	tfree(&t);
	t = tparse(lead, sizeof(lead) - 1);
	ok(t.rc == 0 && t.m->method_id == RT_M_OPTIONS && t.m->method.s == t.buf + 4,
			"empty lines before the start line are skipped");
	tfree(&t);
	{
		static const char ws[] =
			"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n\r\n";
		rt_msg m2;
		memset(&m2.src, 0, sizeof(m2.src));
		strcpy(m2.src.ip, "10.1.2.3");
		m2.src.af = 4;
		m2.src.port = 1234;
		ok(rt_msg_parse(ws, sizeof(ws) - 1, &m2) == 0 && strcmp(m2.src.ip, "10.1.2.3") == 0 &&
				m2.src.port == 1234, "parse keeps src set before it");
		rt_msg_clear(&m2);
	}
}

/* Refused inputs and the reason given. */
static void test_refused(void)
{
	static const struct {
		const char *msg;
		const char *why;
	} bad[] = {
		{ "", "empty message" },
		{ "INVITE", "message too short" },
		{ "INVITE  sip:a@b SIP/2.0\r\n\r\n", "bad request URI" },
		{ "INVITE\tsip:a@b SIP/2.0\r\n\r\n", "bad method" },
		{ "INV(TE sip:a@b SIP/2.0\r\n\r\n", "bad method" },
		{ "INVITE sip:a@b; lr SIP/2.0\r\n\r\n", "junk after the version" },
		{ "INVITE sip:a@b SIP/2.0 x\r\n\r\n", "junk after the version" },
		{ "INVITE sip:a@b SIP/7.0\r\n\r\n", "unsupported protocol version" },
		{ "INVITE sip:a@b HTTP/2\r\n\r\n", "unsupported protocol version" },
		{ "INVITE sip:alan@jasomi.com\r\n\r\n", "request line without version" },
		{ "INVITE sip:a@b SIP/2.0", "first line without line end" },
		{ "SIP/2.0 42 Bad\r\n\r\n", "bad status code" },
		{ "SIP/2.0 4294967301 big\r\n\r\n", "bad status code" },
		{ "SIP/2.0 200\r\n\r\n", "bad status code" },
		{ "SIP/2.0 700 Seven\r\n\r\n", "bad status code" },
		{ "SIP/2.0  200 OK\r\n\r\n", "bad status code" },
		{ "HTTP/1.1 200 OK\r\n\r\n", "HTTP reply" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", "header line without ':'" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nFo o: x\r\n\r\n", "header line without ':'" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n(x): y\r\n\r\n", "bad header name" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n: y\r\n\r\n", "bad header name" },
		{ "OPTIONS sip:a@b SIP/2.0\r\n folded: first\r\n\r\n",
			"continuation line without a header" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nVia: x", "header line without line end" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n", "bad Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl: -999\r\n\r\n", "bad Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n", "bad Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl: 65536\r\n\r\n", "bad Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl:\r\n\r\n", "bad Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab",
			"conflicting Content-Length" },
		{ "OPTIONS sip:a@b SIP/2.0\r\nl: 10\r\n\r\nshort", "body shorter than Content-Length" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tmsg t = tparse(bad[i].msg, strlen(bad[i].msg));
		ok(t.rc == -1 && t.m->error && strcmp(t.m->error, bad[i].why) == 0,
				"refused: %s (got %s)", bad[i].why, t.m->error ? t.m->error : "accepted");
		tfree(&t);
	}
	{
		/* same Content-Length twice is fine; 128 header lines fine, 129 not */
		static const char two[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\nl: 02\r\n\r\nab";
		rt_buf b = { 0 };
		tmsg t = tparse(two, sizeof(two) - 1);
		ok(t.rc == 0 && eqv(t.m->body, "ab"), "equal Content-Length twice accepted");
		tfree(&t);
		rt_buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\n");
		for (i = 0; i < RT_MSG_MAX_HDRS; i++)
			rt_buf_printf(&b, "X-%zu: %zu\r\n", i, i);
		rt_buf_puts(&b, "\r\n");
		t = tparse(b.s, b.len);
		ok(t.rc == 0 && t.m->nhdrs == RT_MSG_MAX_HDRS, "RT_MSG_MAX_HDRS header lines");
		tfree(&t);
		b.len -= 2;
		rt_buf_puts(&b, "X-last: 1\r\n\r\n");
		t = tparse(b.s, b.len);
		ok(t.rc == -1 && strcmp(t.m->error, "too many header lines") == 0 &&
				t.m->error_off == b.len - 13, "one more is refused, at its offset");
		tfree(&t);
		b.len = 0;
		rt_buf_puts(&b, "MESSAGE sip:a@b SIP/2.0\r\n\r\n");
		while (b.len <= RT_MSG_MAX_LEN)
			rt_buf_puts(&b, "0123456789abcdef");
		t = tparse(b.s, b.len);
		ok(t.rc == -1 && strcmp(t.m->error, "message too long") == 0,
				"longer than RT_MSG_MAX_LEN refused");
		tfree(&t);
		rt_buf_free(&b);
	}
}

static void test_header_parsers(void)
{
	static const struct {
		const char *in;
		int ok;
		const char *display, *uri, *tag, *params;
	} na[] = {
		{ "\"Bob\" <sip:bob@b.com>;tag=x", 1, "Bob", "sip:bob@b.com", "x", "tag=x" },
		{ "Bob <sip:bob@b.com>", 1, "Bob", "sip:bob@b.com", NULL, NULL },
		{ "caller<sip:caller@example.com>;tag=323", 1, "caller",
			"sip:caller@example.com", "323", "tag=323" },
		{ "<sip:a@b;lr>;tag=1;q=0.5", 1, NULL, "sip:a@b;lr", "1", "tag=1;q=0.5" },
		{ "sip:a@b;tag=1;x", 1, NULL, "sip:a@b", "1", "tag=1;x" },
		{ "sip:+1972@gw1.example.net;unknownparam", 1, NULL, "sip:+1972@gw1.example.net",
			NULL, "unknownparam" },
		{ "  <  sip:t.watson@example.org  >  ", 1, NULL, "sip:t.watson@example.org",
			NULL, NULL },
		{ "Bell, Alexander <sip:a.g.bell@example.com>;tag=43", 1, "Bell, Alexander",
			"sip:a.g.bell@example.com", "43", "tag=43" },
		{ "<sip:a@b> ;\r\n tag = 98asjd8", 1, NULL, "sip:a@b", "98asjd8", "tag = 98asjd8" },
		{ "<sip:a@b>;tag", 1, NULL, "sip:a@b", "", "tag" },
		{ "<sip:a@b>;tag=\"q\"", 1, NULL, "sip:a@b", "\"q\"", "tag=\"q\"" },
		{ "<isbn:2983792873>", 1, NULL, "isbn:2983792873", NULL, NULL },
		{ "\"Mr. J. User <sip:j.user@example.com>", 0, NULL, NULL, NULL, NULL },
		{ "<sip:a@b", 0, NULL, NULL, NULL, NULL },
		{ "<>", 0, NULL, NULL, NULL, NULL },
		{ "no uri here", 0, NULL, NULL, NULL, NULL },
		{ "<sip:a@b> junk", 0, NULL, NULL, NULL, NULL },
		{ "<sip:a@b>;;", 0, NULL, NULL, NULL, NULL },
		{ "<sip:a@b>;tag=", 1, NULL, "sip:a@b", "", "tag=" },
		{ "<sip:a@b>;tag=;x=1", 1, NULL, "sip:a@b", "", "tag=;x=1" },
		{ "", 0, NULL, NULL, NULL, NULL },
	};
	static const struct {
		const char *in;
		int ok;
		const char *proto, *host, *port, *branch, *received;
		int rport;
	} via[] = {
		{ "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", 1, "UDP", "192.0.2.1", "5060",
			"z9hG4bK1", NULL, 0 },
		{ "SIP  /   2.0\r\n /UDP\r\n 192.0.2.2;branch=390skdjuw", 1, "UDP", "192.0.2.2",
			NULL, "390skdjuw", NULL, 0 },
		{ "SIP/2.0/TLS [2001:db8::1]:5061;rport=5070;received=[2001:db8::9]", 1, "TLS",
			"[2001:db8::1]", "5061", NULL, "[2001:db8::9]", 1 },
		{ "SIP/2.0/UDP [2001:db8::10]:5060;received=2001:db8::9;branch=z9hG4bKa", 1,
			"UDP", "[2001:db8::10]", "5060", "z9hG4bKa", "2001:db8::9", 0 },
		{ "sip/2.0/sctp h.example ; branch = z9hG4bKs ; rport", 1, "sctp", "h.example",
			NULL, "z9hG4bKs", NULL, 1 },
		{ "SIP/2.0/UNKNOWN h;branch=z9hG4bKu (a comment)", 1, "UNKNOWN", "h", NULL,
			"z9hG4bKu", NULL, 0 },
		{ "SIP/2.0/UDP 192.0.2.15;;,;,,", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/7.0/UDP c.example.com;branch=z9hG4bKk", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP h:99999", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP h:", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP [::1", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP h;branch=", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP h,", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDPh", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		/* what a forward makes of "h(a; b)" (5.6.3's layout) */
		{ "SIP/2.0/UDP h;rport=5080;received=192.0.2.1(a; b)", 1, "UDP", "h", NULL,
			NULL, "192.0.2.1", 1 },
		{ "SIP/2.0/UDP h;branch=z9hG4bK(x);rport", 1, "UDP", "h", NULL, "z9hG4bK(x)",
			NULL, 1 },
		{ "SIP/2.0/UDP h (a\001b)", 0, NULL, NULL, NULL, NULL, NULL, 0 },
		{ "SIP/2.0/UDP h (a (b) c", 0, NULL, NULL, NULL, NULL, NULL, 0 },
	};
	static const struct {
		const char *in;
		int ok;
		uint32_t no;
		const char *method;
	} cseq[] = {
		{ "314159 INVITE", 1, 314159, "INVITE" },
		{ "0009\r\n INVITE", 1, 9, "INVITE" },
		{ " 4294967295   ACK  ", 1, 4294967295u, "ACK" },
		{ "4294967296 ACK", 0, 0, NULL },
		{ "36893488147419103232 REGISTER", 0, 0, NULL },
		{ "1INVITE", 0, 0, NULL },
		{ "INVITE", 0, 0, NULL },
		{ "1 INVITE x", 0, 0, NULL },
		{ "1", 0, 0, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(na) / sizeof(na[0]); i++) {
		rt_nameaddr a;
		int r = rt_nameaddr_parse(na[i].in, strlen(na[i].in), &a);
		if (!na[i].ok) {
			ok(r == -1, "name-addr refused: %s", esc(na[i].in));
			continue;
		}
		ok(r == 0 && eqv(a.display, na[i].display) && eqv(a.uri, na[i].uri) &&
				eqv(a.tag, na[i].tag) && eqv(a.params, na[i].params),
				"name-addr %s: display [%s]", esc(na[i].in), show(a.display));
	}
	for (i = 0; i < sizeof(via) / sizeof(via[0]); i++) {
		rt_via v;
		int r = rt_via_parse(via[i].in, strlen(via[i].in), &v);
		if (!via[i].ok) {
			ok(r == -1, "Via refused: %s", esc(via[i].in));
			continue;
		}
		ok(r == 0 && eqv(v.proto, via[i].proto) && eqv(v.host, via[i].host) &&
				eqv(v.port, via[i].port) && eqv(v.branch, via[i].branch) &&
				eqv(v.received, via[i].received) && v.has_rport == via[i].rport,
				"Via %s", esc(via[i].in));
	}
	for (i = 0; i < sizeof(cseq) / sizeof(cseq[0]); i++) {
		rt_cseq c;
		int r = rt_cseq_parse(cseq[i].in, strlen(cseq[i].in), &c);
		if (!cseq[i].ok)
			ok(r == -1, "CSeq refused: %s", esc(cseq[i].in));
		else
			ok(r == 0 && c.no == cseq[i].no && eqv(c.method, cseq[i].method),
					"CSeq %s", esc(cseq[i].in));
	}
	{
		static const char star[] = "*";
		rt_nameaddr a;
		size_t off = 0;
		ok(rt_nameaddr_next(star, 1, &off, &a) == 1 && eqv(a.uri, "*") && off == 1 &&
				rt_nameaddr_next(star, 1, &off, &a) == 0, "Contact: *");
	}
	ok(rt_hdr_type("CONTENT-LENGTH", 14) == RT_HDR_CLEN && rt_hdr_type("l", 1) ==
			RT_HDR_CLEN && rt_hdr_type("Record-Route", 12) == RT_HDR_RR &&
			rt_hdr_type("x", 1) == RT_HDR_SESSIONEXPIRES && rt_hdr_type("o", 1) ==
			RT_HDR_EVENT && rt_hdr_type("u", 1) == RT_HDR_ALLOWEVENTS &&
			rt_hdr_type("r", 1) == RT_HDR_REFERTO && rt_hdr_type("b", 1) ==
			RT_HDR_REFERREDBY && rt_hdr_type("y", 1) == RT_HDR_IDENTITY &&
			rt_hdr_type("j", 1) == RT_HDR_REJECTCONTACT && rt_hdr_type("e", 1) ==
			RT_HDR_CENCODING && rt_hdr_type("s", 1) == RT_HDR_SUBJECT &&
			rt_hdr_type("P-Asserted-Identity", 19) == RT_HDR_PAI &&
			rt_hdr_type("q", 1) == RT_HDR_OTHER && rt_hdr_type("Viaa", 4) == RT_HDR_OTHER,
			"header names and compact forms to types");
}

/* ------------------------------------------------------------------------
 * Lumps and rt_build_applied
 * ------------------------------------------------------------------------ */

static const char lmsg[] =
	"MESSAGE sip:bob@b.example SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKl\r\n"
	"X-Drop: 1\r\n"
	"To: <sip:bob@b.example>\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"hello";

static void test_lumps(void)
{
	tmsg t = tparse(lmsg, sizeof(lmsg) - 1);
	rt_msg *m = t.m;
	rt_hdr *drop = rt_msg_hdr(m, "X-Drop", 6, 0);
	rt_hdr *to = rt_msg_hdr(m, "To", 2, 0);
	size_t d = (size_t)(drop->raw.s - t.buf), tt = (size_t)(to->raw.s - t.buf);
	size_t body = (size_t)(m->body.s - t.buf);
	rt_buf b = { 0 };

	ok(t.rc == 0, "lump message parses");
	ok(rt_msg_hdrs_start(m) == 35 && rt_msg_hdrs_end(m) == sizeof(lmsg) - 1 - 7,
			"insert_hf / append_hf offsets");
	ok(rt_msg_lump(m, tt, 0, "X-Before-To: 1\r\n", 16) == 0, "insert before To");
	ok(rt_msg_lump(m, d, drop->raw.len, NULL, 0) == 0, "delete X-Drop");
	ok(rt_msg_lump(m, d, 0, "X-New: 2\r\n", 10) == 0, "insert where X-Drop was");
	ok(rt_msg_lump(m, d + 2, 3, NULL, 0) == -1, "overlapping deletion refused");
	ok(rt_msg_lump(m, d + 1, 0, "x", 1) == -1, "insertion inside a deletion refused");
	ok(rt_msg_lump(m, d - 1, 3, NULL, 0) == -1, "deletion covering a deletion's start refused");
	ok(rt_msg_lump(m, m->len + 1, 0, "x", 1) == -1 && rt_msg_lump(m, m->len - 1, 2,
				NULL, 0) == -1, "out of range refused");
	ok(rt_msg_lump(m, 0, 0, NULL, 0) == 0 && rt_msg_lump(m, 0, 0, NULL, 3) == -1,
			"empty change is a no-op; NULL text with a length refused");
	ok(rt_msg_lump(m, tt, 0, "X-Second: 2\r\n", 13) == 0, "second insert at the same offset");
	ok(rt_build_applied(m, &b) == 0 && b.len == sizeof(lmsg) - 1 - 11 + 10 + 16 + 13 &&
			memcmp(b.s,
				"MESSAGE sip:bob@b.example SIP/2.0\r\n"
				"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKl\r\n"
				"X-New: 2\r\n"
				"X-Before-To: 1\r\n"
				"X-Second: 2\r\n"
				"To: <sip:bob@b.example>\r\n"
				"Content-Length: 5\r\n"
				"\r\n"
				"hello", b.len) == 0,
			"lumps applied in offset order, same offset in the order made");
	ok(eqv(m->hdrs[1].raw, "X-Drop: 1\r\n") && rt_msg_hdr(m, "X-Drop", 6, 0) != NULL,
			"the original stays readable ($hdr sees it)");
	rt_buf_free(&b);

	/* a body change rewrites Content-Length; the new R-URI goes in */
	ok(rt_msg_lump(m, body + 5, 0, " world", 6) == 0, "append to the body");
	ok(rt_msg_set_ruri(m, "sip:carol@c.example", 19) == 0, "new R-URI");
	ok(rt_build_applied(m, &b) == 0 && b.s &&
			strstr(b.s, "MESSAGE sip:carol@c.example SIP/2.0\r\n") == b.s &&
			strstr(b.s, "Content-Length: 11\r\n\r\nhello world") != NULL &&
			b.len == strlen(b.s), "R-URI replaced, Content-Length 11 for the longer body");
	rt_buf_free(&b);
	tfree(&t);

	/* deleting the whole body of a message without Content-Length */
	{
		static const char nocl[] = "MESSAGE sip:a@b SIP/2.0\r\nX: 1\r\n\r\nabc";
		t = tparse(nocl, sizeof(nocl) - 1);
		ok(rt_msg_lump(t.m, (size_t)(t.m->body.s - t.buf), 3, "de", 2) == 0 &&
				rt_build_applied(t.m, &b) == 0 &&
				eqv((rt_view){ b.s, b.len },
					"MESSAGE sip:a@b SIP/2.0\r\nX: 1\r\nContent-Length: 2\r\n\r\nde"),
				"Content-Length added before the empty line when missing");
		rt_buf_free(&b);
		ok(rt_msg_reply_lump(t.m, "X-A: 1\r\n", 8) == 0 &&
				rt_msg_reply_lump(t.m, "X-B: 2\r\n", 8) == 0 && t.m->reply_lumps &&
				t.m->reply_lumps->next && t.m->reply_lumps->next->next == NULL,
				"reply lumps kept in order");
		tfree(&t);
	}
	/* bytes after Content-Length are not part of the message */
	{
		static const char dbl[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\nINVITE sip:x SIP/2.0";
		t = tparse(dbl, sizeof(dbl) - 1);
		ok(rt_build_applied(t.m, &b) == 0 && b.len == sizeof(dbl) - 1 - 20,
				"applied stops at the end of the body");
		ok(rt_msg_hdrs_end(t.m) == 31, "append_hf offset: before the empty line");
		ok(rt_msg_lump(t.m, t.m->len - 3, 1, NULL, 0) == -1,
				"no lump past the body's end");
		rt_buf_free(&b);
		tfree(&t);
	}
}

/* ------------------------------------------------------------------------
 * Replies and forwards against Kamailio 5.6.3
 * ------------------------------------------------------------------------ */

static void set_addr(rt_addr *a, const char *ip, unsigned port)
{
	memset(a, 0, sizeof(*a));
	a->proto = RT_PROTO_UDP;
	a->af = strchr(ip, ':') ? 6 : 4;
	memcpy(a->ip, ip, strlen(ip) < sizeof(a->ip) ? strlen(ip) : sizeof(a->ip) - 1);
	a->port = (uint16_t)port;
}

/* textops' append_hf: after the last header line. */
static void append_hf(rt_msg *m, const char *s)
{
	rt_msg_lump(m, rt_msg_hdrs_end(m), 0, s, strlen(s));
}

/* textops' remove_hf: every line of that name. */
static void remove_hf(rt_msg *m, const char *name)
{
	unsigned i;
	for (i = 0; i < m->nhdrs; i++)
		if (m->hdrs[i].name.len == strlen(name) &&
				strncasecmp(m->hdrs[i].name.s, name, m->hdrs[i].name.len) == 0)
			rt_msg_lump(m, (size_t)(m->hdrs[i].raw.s - m->buf), m->hdrs[i].raw.len,
					NULL, 0);
}

/* Show where two buffers first differ. */
static void diff_note(const char *name, const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0;

	while (i < an && i < bn && a[i] == b[i])
		i++;
	printf("# %s: differs at byte %zu\n# got:  %s\n# want: %s\n", name, i,
			escn(a + i, an - i < 60 ? an - i : 60), escn(b + i, bn - i < 60 ? bn - i : 60));
}

static void test_golden(void)
{
	char line[512];
	FILE *f = fopen(DATA "cases.txt", "r");
	int n = 0;

	ok(f != NULL, "regress/msg/cases.txt readable (run from the top of the tree)");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[64], ip[64], kind[32], arg[64], path[256];
		unsigned port;
		int code = 0, off = 0;
		const char *reason = "";
		char *req, *gold;
		size_t rl, gl;
		tmsg t;
		rt_buf out = { 0 };
		int rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %63s %u %31s %63s %n", name, ip, &port, kind, arg, &off) < 5)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(kind, "reply", 5) == 0) {
			code = atoi(arg);
			reason = line + off;
		}
		snprintf(path, sizeof(path), DATA "golden/%s.req", name);
		req = tap_slurp(path, &rl);
		snprintf(path, sizeof(path), DATA "golden/%s.golden", name);
		gold = tap_slurp(path, &gl);
		if (req == NULL || gold == NULL) {
			ok(0, "%s: request and golden files", name);
			free(req);
			free(gold);
			continue;
		}
		t = tparse(req, rl);
		set_addr(&t.m->src, ip, port);
		if (t.rc < 0) {
			ok(0, "%s: parses (%s)", name, t.m->error);
			goto next;
		}
		if (strcmp(kind, "reply-frp") == 0 || strcmp(kind, "fwd-frp") == 0)
			t.m->force_rport = 1;
		if (strcmp(kind, "reply-xa") == 0) {
			rt_msg_reply_lump(t.m, "X-A: b\r\n", 8);
			rt_msg_reply_lump(t.m, "X-Second: two\r\n", 15);
		}
		if (code) {
			int body = strcmp(kind, "reply-body") == 0;
			if (body)
				rt_msg_reply_lump(t.m, "Content-Type: text/plain\r\n", 26);
			rc = rt_build_reply(t.m, code, reason, strlen(reason), "TOTAG.normalized", 16,
					"Server: kamailio (5.6.3 (x86_64/linux))",
					body ? "hello\n" : NULL, body ? 6 : 0, &out);
		} else {
			rt_addr self;
			if (rt_addr_parse(arg, strlen(arg), &self) < 0) {
				ok(0, "%s: self address %s", name, arg);
				goto next;
			}
			if (strcmp(kind, "fwd-l") == 0) {
				append_hf(t.m, "X-Added: 1\r\n");
				remove_hf(t.m, "X-Remove");
				rt_msg_set_ruri(t.m, "sip:new@example.org;transport=udp", 33);
			} else if (strcmp(kind, "fwd-i") == 0) {
				rt_msg_lump(t.m, rt_msg_hdrs_start(t.m), 0, "X-Ins: 1\r\n", 10);
				append_hf(t.m, "X-App: 2\r\n");
			} else if (strcmp(kind, "fwd-rv") == 0) {
				remove_hf(t.m, "Via");
			}
			rc = rt_build_forward(t.m, &self, "z9hG4bKnormalized.0", 19, &out);
		}
		if (rc == 0 && out.len == gl && memcmp(out.s, gold, gl) == 0) {
			ok(1, "%s: %s byte for byte as Kamailio 5.6.3", name, kind);
		} else {
			ok(0, "%s: %s byte for byte as Kamailio 5.6.3 (rc %d)", name, kind, rc);
			if (rc == 0)
				diff_note(name, out.s, out.len, gold, gl);
		}
		n++;
next:
		rt_buf_free(&out);
		tfree(&t);
		free(req);
		free(gold);
	}
	fclose(f);
	ok(n >= 50, "%d golden cases compared", n);
}

static void test_build_misc(void)
{
	static const char rq[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKz\r\n"
		"From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
	static const char rp[] =
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKz\r\n\r\n";
	static const char novia[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n";
	static const char badto[] =
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKz\r\nTo: \"x <sip:a@b>\r\n\r\n";
	static const char http[] =
		"GET /x HTTP/1.1\r\nVia: SIP/2.0/TCP 10.0.0.1:80;branch=z9hG4bKh\r\nHost: h\r\n\r\n";
	rt_buf b = { 0 };
	rt_addr self, a;
	char s[80];
	tmsg t;

	t = tparse(rq, sizeof(rq) - 1);
	set_addr(&t.m->src, "10.0.0.1", 5060);
	ok(rt_build_reply(t.m, 99, "x", 1, NULL, 0, NULL, NULL, 0, &b) == -1 &&
			rt_build_reply(t.m, 700, "x", 1, NULL, 0, NULL, NULL, 0, &b) == -1,
			"reply codes outside 100-699 refused");
	ok(rt_build_reply(t.m, 200, "OK", 2, NULL, 0, NULL, "xyz", 3, &b) == 0 &&
			eqv((rt_view){ b.s, b.len },
				"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKz\r\n"
				"From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
				"Content-Length: 3\r\n\r\nxyz"),
			"no tag given, no Server, a body");
	rt_buf_free(&b);
	set_addr(&self, "2001:db8::1", 5060);
	self.proto = RT_PROTO_TLS;
	ok(rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == 0 && b.s &&
			strstr(b.s, "\r\nVia: SIP/2.0/TLS [2001:db8::1];branch=z9hG4bKb\r\n"
				"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKz\r\n") != NULL,
			"forward from IPv6 over TLS: bracketed, port 5060 left out");
	rt_buf_free(&b);
	self.port = 5061;
	self.proto = RT_PROTO_SCTP;
	ok(rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == 0 && b.s &&
			strstr(b.s, "Via: SIP/2.0/SCTP [2001:db8::1]:5061;branch=z9hG4bKb\r\n") != NULL,
			"forward over SCTP from port 5061");
	rt_buf_free(&b);
	tfree(&t);

	t = tparse(rp, sizeof(rp) - 1);
	ok(rt_build_reply(t.m, 200, "OK", 2, NULL, 0, NULL, NULL, 0, &b) == -1 &&
			rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == -1,
			"no reply to or stateless forward of a reply");
	tfree(&t);
	t = tparse(novia, sizeof(novia) - 1);
	ok(rt_build_reply(t.m, 404, "x", 1, NULL, 0, NULL, NULL, 0, &b) == -1 &&
			rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == -1 &&
			rt_msg_check(t.m) == -1 && strcmp(t.m->error, "no Via") == 0,
			"no Via: no reply, no forward, rt_msg_check says why");
	tfree(&t);
	t = tparse(badto, sizeof(badto) - 1);
	ok(rt_build_reply(t.m, 404, "x", 1, "t", 1, NULL, NULL, 0, &b) == -1,
			"a To that does not parse: no reply (as 5.6.3)");
	tfree(&t);
	t = tparse(http, sizeof(http) - 1);
	set_addr(&t.m->src, "10.0.0.1", 4000);
	ok(rt_build_reply(t.m, 404, "Not Found", 9, NULL, 0, NULL, NULL, 0, &b) == 0 &&
			eqv((rt_view){ b.s, b.len },
				"HTTP/1.1 404 Not Found\r\nSia: SIP/2.0/TCP 10.0.0.1:80;branch=z9hG4bKh\r\n"
				"Content-Length: 0\r\n\r\n"),
			"reply to HTTP: the request's version, Via renamed Sia (5.6.3)");
	rt_buf_free(&b);
	tfree(&t);

	ok(rt_addr_parse("udp:127.0.0.1:5060", 18, &a) == 0 && a.proto == RT_PROTO_UDP &&
			a.af == 4 && strcmp(a.ip, "127.0.0.1") == 0 && a.port == 5060,
			"rt_addr_parse udp:127.0.0.1:5060");
	ok(rt_addr_parse("TLS:[2001:db8::1]", 17, &a) == 0 && a.proto == RT_PROTO_TLS &&
			a.af == 6 && strcmp(a.ip, "2001:db8::1") == 0 && a.port == 5061,
			"rt_addr_parse TLS:[v6], default port 5061");
	ok(rt_addr_parse("10.0.0.1", 8, &a) == 0 && a.proto == RT_PROTO_UDP && a.port == 5060,
			"rt_addr_parse bare IPv4");
	ok(rt_addr_parse("[::1]:80", 8, &a) == 0 && a.af == 6 && a.port == 80,
			"rt_addr_parse [::1]:80");
	ok(rt_addr_parse("udp:example.com:5060", 20, &a) == -1 &&
			rt_addr_parse("udp:::1", 7, &a) == -1 &&
			rt_addr_parse("udp:1.2.3.4:0", 13, &a) == -1 &&
			rt_addr_parse("udp:1.2.3.4:65536", 17, &a) == -1 &&
			rt_addr_parse("udp:1.2.3.4:", 12, &a) == -1 &&
			rt_addr_parse("", 0, &a) == -1, "rt_addr_parse refuses names, bare v6, bad ports");
	set_addr(&a, "127.0.0.1", 5060);
	ok(rt_addr_format(&a, s, sizeof(s)) == 18 && strcmp(s, "udp:127.0.0.1:5060") == 0,
			"rt_addr_format udp:127.0.0.1:5060");
	set_addr(&a, "2001:db8::1", 5061);
	a.proto = RT_PROTO_WSS;
	ok(rt_addr_format(&a, s, sizeof(s)) > 0 && strcmp(s, "wss:[2001:db8::1]:5061") == 0,
			"rt_addr_format wss:[2001:db8::1]:5061");
	ok(rt_addr_format(&a, s, 10) == -1, "rt_addr_format: too small a buffer");
	ok(strcmp(rt_proto_name(RT_PROTO_SCTP), "sctp") == 0 &&
			strcmp(rt_proto_name(42), "none") == 0, "rt_proto_name");

	rt_buf_printf(&b, "%d-%s", 42, "x");
	rt_buf_put(&b, "yz", 2);
	ok(b.len == 6 && strcmp(b.s, "42-xyz") == 0 && !b.failed, "rt_buf printf and put");
	rt_buf_free(&b);
	ok(b.s == NULL && b.len == 0, "rt_buf_free");
}

/* ------------------------------------------------------------------------
 * What `make fuzz-msg` found (inputs in regress/msg/found/)
 * ------------------------------------------------------------------------ */

/* A request with `via` as its first Via line (and `more` after it). */
static tmsg via_req(const char *via, const char *more)
{
	char b[1024];
	int n = snprintf(b, sizeof(b), "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nv: %s\r\n%s"
			"f: <sip:x@y>;tag=1\r\nt: <sip:a@b>\r\ni: c\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n",
			via, more);

	return tparse(b, (size_t)n);
}

static void test_found(void)
{
	/* a top Via line whose later value does not parse: 5.6.3's parse_via
	 * reads the whole header and drops the message ("bad char <;> in next
	 * via", also with NUL bytes in it: found/bad-next-via.sip), so it has
	 * no first Via for us either, and a reply whose second Via line does
	 * not parse has no second Via (5.6.3: "required headers not found in
	 * reply") */
	static const struct {
		const char *via, *more;
		int via1, via2;
	} lines[] = {
		{ "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKinv1 ,;tag=88", "", 0, 0 },
		{ "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKinv1 , SIP/2.0/UDP h;branch=z9hG4bK2, ;x",
			"", 0, 0 },
		{ "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKinv1 , SIP/2.0/UDP h;branch=z9hG4bK2",
			"", 1, 1 },
		{ "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKinv1",
			"Via: SIP/2.0/UDP h;branch=z9hG4bK2 ,;x\r\n", 1, 0 },
		{ "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKinv1",
			"Via: SIP/2.0/UDP h;branch=z9hG4bK2 , SIP/2.0/UDP g\r\n", 1, 1 },
	};
	rt_buf b = { 0 };
	rt_addr self;
	size_t i, len;
	char *in;
	tmsg t;

	set_addr(&self, "127.0.0.1", 5062);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const rt_via *v1, *v2;
		t = via_req(lines[i].via, lines[i].more);
		v1 = rt_msg_via1(t.m);
		v2 = rt_msg_via2(t.m);
		if (!lines[i].via1)
			ok(t.rc == 0 && v1 == NULL && v2 == NULL && rt_msg_check(t.m) == -1 &&
					strcmp(t.m->error, "bad Via") == 0 &&
					rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == -1,
					"top Via line with a bad later value: no first Via, not forwarded: %s",
					esc(lines[i].via));
		else
			ok(t.rc == 0 && v1 && eqv(v1->branch, "z9hG4bKinv1") &&
					(lines[i].via2 ? v2 && eqv(v2->host, "h") : v2 == NULL) &&
					rt_msg_check(t.m) == 0, "first Via of %s / %s: second %s",
					esc(lines[i].via), esc(lines[i].more),
					lines[i].via2 ? "h" : "none");
		rt_buf_free(&b);
		tfree(&t);
	}

	in = tap_slurp(DATA "found/bad-next-via.sip", &len);
	ok(in != NULL, "found/bad-next-via.sip readable");
	if (in) {
		t = tparse(in, len);
		set_addr(&t.m->src, "192.0.2.1", 5070);
		ok(t.rc == 0 && t.m->nhdrs == RT_MSG_MAX_HDRS && rt_msg_via1(t.m) == NULL &&
				rt_msg_check(t.m) == -1 && strcmp(t.m->error, "bad Via") == 0,
				"found/bad-next-via.sip: 128 lines parse, the top Via line does not");
		ok(rt_build_forward(t.m, &self, "z9hG4bKfz", 9, &b) == -1 &&
				rt_build_reply(t.m, 404, "Not Here", 8, "t1", 2, NULL, NULL, 0, &b) == -1,
				"found/bad-next-via.sip: neither forwarded nor replied to");
		rt_buf_free(&b);
		tfree(&t);
		free(in);
	}

	/* a comment with NUL bytes in the top Via (5.6.3: "invalid via - end
	 * of header"); without them, its forward put ;received= before the
	 * comment, which did not parse back (golden/fcomment, fwdrcomment) */
	in = tap_slurp(DATA "found/nul-in-comment.sip", &len);
	ok(in != NULL, "found/nul-in-comment.sip readable");
	if (in) {
		t = tparse(in, len);
		ok(t.rc == 0 && rt_msg_via1(t.m) == NULL && rt_msg_check(t.m) == -1 &&
				strcmp(t.m->error, "bad Via") == 0,
				"found/nul-in-comment.sip: a NUL in the Via comment, no first Via");
		tfree(&t);
		free(in);
	}
	in = tap_slurp(DATA "golden/fcomment.req", &len);
	if (in) {
		tmsg r;
		t = tparse(in, len);
		set_addr(&t.m->src, "127.0.0.2", 5080);
		t.m->force_rport = 1;
		ok(t.rc == 0 && rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == 0,
				"Via with a comment after host:port forwarded");
		r = tparse(b.s, b.len);
		ok(r.rc == 0 && rt_msg_via2(r.m) && eqv(rt_msg_via2(r.m)->received, "127.0.0.2") &&
				eqv(rt_msg_via2(r.m)->rport, "5080") &&
				eqv(rt_msg_via2(r.m)->whole, "SIP/2.0/UDP 192.0.2.7:5080;rport=5080;"
					"received=127.0.0.2(proxy; a b)"),
				"and parses back, the comment after ;received=");
		tfree(&r);
		rt_buf_free(&b);
		tfree(&t);
		free(in);
	} else {
		ok(0, "golden/fcomment.req readable");
	}

	/* with a good top Via, its forward has one line more than we take in
	 * (5.6.3 forwards it the same: golden/fhdrs128): the bound is ours */
	in = tap_slurp(DATA "golden/fhdrs128.req", &len);
	if (in) {
		tmsg r;
		t = tparse(in, len);
		set_addr(&t.m->src, "127.0.0.1", 5080);
		ok(t.rc == 0 && t.m->nhdrs == RT_MSG_MAX_HDRS &&
				rt_build_forward(t.m, &self, "z9hG4bKb", 8, &b) == 0,
				"RT_MSG_MAX_HDRS lines forwarded");
		r = tparse(b.s, b.len);
		ok(r.rc == -1 && strcmp(r.m->error, "too many header lines") == 0,
				"and the forward, one line longer, is more than we parse");
		tfree(&r);
		rt_buf_free(&b);
		tfree(&t);
		free(in);
	} else {
		ok(0, "golden/fhdrs128.req readable");
	}
}

/* ------------------------------------------------------------------------
 * RFC 4475 and RFC 5118 torture messages
 * ------------------------------------------------------------------------ */

/* What we make of each: `parse` 0 = rt_msg_parse refuses (with `why`),
 * 1 = parses; then rt_msg_check: NULL passes, else its reason. */
static const struct {
	const char *name;
	int parse;
	const char *why;
} torture[] = {
	/* 3.1.1 valid */
	{ "wsinv.dat", 1, NULL }, { "intmeth.dat", 1, NULL }, { "esc01.dat", 1, NULL },
	{ "escnull.dat", 1, NULL }, { "esc02.dat", 1, NULL }, { "lwsdisp.dat", 1, NULL },
	{ "longreq.dat", 1, NULL }, { "dblreq.dat", 1, NULL }, { "semiuri.dat", 1, NULL },
	{ "transports.dat", 1, NULL }, { "mpart01.dat", 1, NULL },
	{ "unreason.dat", 1, NULL }, { "noreason.dat", 1, NULL },
	/* 3.1.2 invalid */
	{ "badinv01.dat", 1, "bad Via" },
	{ "clerr.dat", 0, "body shorter than Content-Length" },
	{ "ncl.dat", 0, "bad Content-Length" },
	{ "scalar02.dat", 1, "bad CSeq" },
	{ "scalarlg.dat", 1, "bad CSeq" },
	{ "quotbal.dat", 1, "bad To" },
	{ "ltgtruri.dat", 1, "Request-URI in <>" },
	{ "lwsruri.dat", 0, "junk after the version" },
	{ "lwsstart.dat", 0, "bad request URI" },
	{ "trws.dat", 1, "blanks at the end of the request line" },
	{ "escruri.dat", 1, "headers in the Request-URI" },
	{ "baddate.dat", 1, NULL },
	{ "regbadct.dat", 1, "'?' in an addr-spec Contact" },
	{ "badaspec.dat", 1, NULL },          /* blanks inside <> tolerated */
	{ "baddn.dat", 1, "bad display name or addr-spec in To or From" },
	{ "badvers.dat", 0, "unsupported protocol version" },
	{ "mismatch01.dat", 1, "CSeq method differs from the request's" },
	{ "mismatch02.dat", 1, "CSeq method differs from the request's" },
	{ "bigcode.dat", 0, "bad status code" },
	/* 3.2 - 3.4: parse, the application decides */
	{ "badbranch.dat", 1, NULL }, { "insuf.dat", 1, "no From" },
	{ "unkscm.dat", 1, NULL }, { "novelsc.dat", 1, NULL }, { "unksm2.dat", 1, NULL },
	{ "bext01.dat", 1, NULL }, { "invut.dat", 1, NULL }, { "regaut01.dat", 1, NULL },
	{ "multi01.dat", 1, "a header that must appear once appears twice" },
	{ "mcl01.dat", 0, "conflicting Content-Length" },
	{ "bcast.dat", 1, NULL }, { "zeromf.dat", 1, NULL }, { "cparam01.dat", 1, NULL },
	{ "cparam02.dat", 1, NULL }, { "regescrt.dat", 1, NULL }, { "sdp01.dat", 1, NULL },
	{ "inv2543.dat", 1, NULL }, { "test.dat", 0, "request line without version" },
	/* RFC 5118 (LF converted to CRLF) */
	{ "ipv6-good", 1, NULL }, { "ipv6-bad", 1, "bad Request-URI" }, { "port-ambiguous", 1, NULL },
	{ "port-unambiguous", 1, NULL }, { "via-received-param-with-delim", 1, NULL },
	{ "via-received-param-no-delim", 1, NULL },
	/* its Content-Length (268) counts more than its body (251 octets) */
	{ "ipv6-in-sdp", 0, "body shorter than Content-Length" },
	{ "mult-ip-in-header", 1, NULL }, { "mult-ip-in-sdp", 1, NULL },
	{ "ipv4-mapped-ipv6", 1, NULL }, { "ipv6-bug-abnf-3-colons", 1, NULL },
	{ "ipv6-correct-abnf-2-colons", 1, NULL },
};

/* Everything a message offers, to be run on anything that parses. */
static void poke(rt_msg *m)
{
	rt_buf b = { 0 };
	rt_addr self;
	unsigned i;

	rt_msg_to(m);
	rt_msg_from(m);
	rt_msg_contact(m);
	rt_msg_via1(m);
	rt_msg_via2(m);
	rt_msg_cseq(m);
	rt_msg_ruri(m);
	rt_msg_check(m);
	for (i = 0; i < m->nhdrs; i++) {
		rt_nameaddr na;
		rt_via v;
		rt_cseq c;
		size_t off = 0;
		while (rt_nameaddr_next(m->hdrs[i].body.s, m->hdrs[i].body.len, &off, &na) == 1)
			;
		off = 0;
		while (rt_via_next(m->hdrs[i].body.s, m->hdrs[i].body.len, &off, &v) == 1)
			;
		rt_cseq_parse(m->hdrs[i].body.s, m->hdrs[i].body.len, &c);
		rt_msg_hdr(m, m->hdrs[i].name.s, m->hdrs[i].name.len, -1);
	}
	set_addr(&m->src, "192.0.2.99", 5099);
	m->force_rport = 1;
	rt_msg_reply_lump(m, "X-R: 1\r\n", 8);
	rt_build_reply(m, 200, "OK", 2, "tag", 3, "Server: t", "b", 1, &b);
	rt_buf_free(&b);
	set_addr(&self, "127.0.0.1", 5062);
	rt_build_forward(m, &self, "z9hG4bKf", 8, &b);
	rt_buf_free(&b);
	if (m->nhdrs > 0)
		rt_msg_lump(m, (size_t)(m->hdrs[0].raw.s - m->buf), m->hdrs[0].raw.len, "X: y\r\n", 6);
	rt_msg_set_ruri(m, "sip:z@z", 7);
	rt_build_applied(m, &b);
	rt_buf_free(&b);
	rt_msg_clear(m);
}

static void test_torture(void)
{
	size_t i, nok = 0;
	FILE *f = fopen(CORPUS "rfc4475/manifest.tsv", "r");

	if (f == NULL) {
		printf("# ../shared/data not found: torture messages skipped\n");
		ok(1, "# SKIP no ../shared/data");
		return;
	}
	fclose(f);
	for (i = 0; i < sizeof(torture) / sizeof(torture[0]); i++) {
		char path[256];
		int v5118 = strchr(torture[i].name, '.') == NULL;
		size_t len, k;
		char *b;
		tmsg t;

		snprintf(path, sizeof(path), CORPUS "%s/%s", v5118 ? "rfc5118" : "rfc4475",
				torture[i].name);
		b = wire(path, v5118, &len);
		if (b == NULL) {
			ok(0, "%s readable", torture[i].name);
			continue;
		}
		t = tparse(b, len);
		if (!torture[i].parse) {
			ok(t.rc == -1 && strcmp(t.m->error, torture[i].why) == 0,
					"%s refused: %s (got %s)", torture[i].name, torture[i].why,
					t.rc ? t.m->error : "accepted");
		} else if (t.rc < 0) {
			ok(0, "%s parses (refused: %s)", torture[i].name, t.m->error);
		} else {
			int c = rt_msg_check(t.m);
			if (torture[i].why)
				ok(c == -1 && strcmp(t.m->error, torture[i].why) == 0,
						"%s parses, rt_msg_check: %s", torture[i].name, torture[i].why);
			else
				ok(c == 0, "%s parses and has what it needs%s%s", torture[i].name,
						c ? ": " : "", c ? t.m->error : "");
		}
		if (t.rc == 0)
			poke(t.m);
		tfree(&t);
		/* every prefix, and a few cuts of the end, must not crash */
		for (k = 0; k < len; k++) {
			t = tparse(b, k);
			if (t.rc == 0) {
				nok++;
				poke(t.m);
			}
			tfree(&t);
		}
		free(b);
	}
	ok(nok > 0, "all prefixes of the torture messages survive (%zu parsed)", nok);

	/* the specific views RFC 4475 cares about */
	{
		size_t len;
		char *b = wire(CORPUS "rfc4475/dblreq.dat", 0, &len);
		tmsg t = tparse(b, len);
		ok(t.rc == 0 && t.m->method_id == RT_M_REGISTER && t.m->body.len == 0,
				"dblreq: the REGISTER only, its body empty");
		tfree(&t);
		free(b);
		b = wire(CORPUS "rfc4475/mpart01.dat", 0, &len);
		t = tparse(b, len);
		ok(t.rc == 0 && t.m->body.len == 553 && t.m->body.s + 553 == t.buf + len,
				"mpart01: binary body kept by Content-Length");
		tfree(&t);
		free(b);
		b = wire(CORPUS "rfc4475/semiuri.dat", 0, &len);
		t = tparse(b, len);
		ok(t.rc == 0 && rt_msg_ruri(t.m) &&
				eqv(rt_msg_ruri(t.m)->user, "user;par=u%40example.net"),
				"semiuri: ';' stays in the user part");
		tfree(&t);
		free(b);
		b = wire(CORPUS "rfc4475/wsinv.dat", 0, &len);
		t = tparse(b, len);
		ok(t.rc == 0 && rt_msg_to(t.m) && eqv(rt_msg_to(t.m)->tag, "1918181833n") &&
				rt_msg_from(t.m) && eqv(rt_msg_from(t.m)->tag, "98asjd8") &&
				rt_msg_cseq(t.m) && rt_msg_cseq(t.m)->no == 9 && rt_msg_via1(t.m) &&
				eqv(rt_msg_via1(t.m)->host, "192.0.2.2") && rt_msg_via2(t.m) &&
				eqv(rt_msg_via2(t.m)->host, "spindle.example.com") &&
				eqv(rt_msg_via2(t.m)->branch, "z9hG4bK9ikj8") &&
				t.m->via2_hdr > t.m->via1_hdr && rt_msg_hdr_count(t.m, "Via", 3) == 2,
				"wsinv: folded To/From tags, CSeq 0009, folded Vias");
		{
			rt_hdr *h = rt_msg_hdr(t.m, "v", 1, -1);
			rt_via v;
			size_t off = 0;
			int k = 0;
			while (h && rt_via_next(h->body.s, h->body.len, &off, &v) == 1)
				k++;
			ok(k == 2 && eqv(v.host, "192.168.255.111") && eqv(v.branch, "z9hG4bK30239") &&
					eqv(v.proto, "UDP"), "wsinv: second value of the folded v line");
		}
		tfree(&t);
		free(b);
		b = wire(CORPUS "rfc4475/esc02.dat", 0, &len);
		t = tparse(b, len);
		ok(t.rc == 0 && rt_msg_hdr_count(t.m, "Contact", 7) == 2 &&
				rt_msg_hdr(t.m, "C%6Fntact", 9, 0) != NULL &&
				eqv(t.m->method, "RE%47IST%45R") && t.m->method_id == RT_M_OTHER,
				"esc02: escapes in method and header name are not decoded");
		tfree(&t);
		free(b);
		b = wire(CORPUS "rfc5118/via-received-param-with-delim", 1, &len);
		t = tparse(b, len);
		ok(t.rc == 0 && rt_msg_via1(t.m) &&
				eqv(rt_msg_via1(t.m)->received, "[2001:db8::9:255]"),
				"RFC 5118 4.5: received=[IPv6] tolerated");
		tfree(&t);
		free(b);
	}
}

/* Seeded mutations of the canned messages: nothing may crash. */
static void test_mutations(void)
{
	static const char *const seeds[] = { inv, lmsg };
	uint32_t x = 2463534242u;
	size_t s, r, parsed = 0, total = 0;
	char buf[2048];

	for (s = 0; s < 2; s++) {
		size_t n = strlen(seeds[s]);
		for (r = 0; r < 10000; r++) {
			size_t len = n, k, edits;
			tmsg t;
			memcpy(buf, seeds[s], n);
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			edits = 1 + x % 4;
			for (k = 0; k < edits; k++) {
				static const char pick[] = " \t\r\n:;,<>\"\\=/[]@0";
				x ^= x << 13; x ^= x >> 17; x ^= x << 5;
				if (len == 0)
					break;
				switch (x % 3) {
				case 0: buf[x % len] = pick[(x >> 8) % (sizeof(pick) - 1)]; break;
				case 1: buf[x % len] = (char)(x >> 16); break;
				default:
					if (len > 1) {
						size_t at = x % len;
						memmove(buf + at, buf + at + 1, len - at - 1);
						len--;
					}
				}
			}
			t = tparse(buf, len);
			total++;
			if (t.rc == 0) {
				parsed++;
				poke(t.m);
			}
			tfree(&t);
		}
	}
	ok(parsed > 1000 && parsed < total, "%zu of %zu mutated messages parse; none crash",
			parsed, total);
}

int main(void)
{
	test_parse_request();
	test_parse_others();
	test_refused();
	test_header_parsers();
	test_lumps();
	test_golden();
	test_build_misc();
	test_found();
	test_torture();
	test_mutations();
	return tap_done();
}
