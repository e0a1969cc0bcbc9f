/*
 * rt_build.c — what goes out: stateless replies, statelessly forwarded
 * requests, and a message with the script's changes applied.
 *
 * The byte layout is Kamailio 5.6.3's (core/msg_translator.c,
 * build_res_buf_from_sip_req and build_req_buf_from_sip_req), checked by
 * running 5.6.3 in a network namespace with
 *     request_route { sl_send_reply("404", "Not Here"); }
 * (and variants with append_to_reply, force_rport, forward()) and sending
 * it canned requests over UDP loopback; regress/msg/NAME.golden hold the
 * replies it sent, regress/msg/capture.sh redoes that. What was seen:
 *
 * Replies (sl_send_reply):
 *   - the status line uses the request's version as written ("sip/2.0"
 *     stays lower case), then the code and the reason given;
 *   - the request's headers are walked in order and only Via, From, To,
 *     Call-ID, CSeq and (for codes 180-299 only, not 100-179 nor 3xx-6xx)
 *     Record-Route are copied; compact names stay compact ("v:", "t:");
 *   - From, To, Call-ID, CSeq and Record-Route lines are copied byte for
 *     byte with their own line end (a LF-only request gives LF-only lines
 *     there), a Via line always ends in CRLF (its trailing blanks kept);
 *   - the top Via line: an `rport` parameter already there is rewritten
 *     in place to ;rport=<source port> (blanks around it dropped); with
 *     force_rport() and no rport parameter, ;rport=<port> is appended at
 *     the end of the LINE (after a second comma-separated value, after
 *     trailing blanks); then ;received=<source IP> (IPv6 without brackets)
 *     is appended at the end when the Via has `received` (a second one is
 *     added, the old one stays) or `rport`, or its host is not the source
 *     IP (a host name never is: no DNS);
 *   - To gets ;tag=<tag> appended at the end of its line (after trailing
 *     blanks, after a folded last line) when the code is >= 180 (not 101
 *     nor 179) and the To has no tag or an empty one (";tag=" stays and a
 *     second tag is appended); a To with a tag is copied as is;
 *   - then the append_to_reply() texts in order, "Server: kamailio (5.6.3
 *     (x86_64/linux))", "Content-Length: 0" (or the body's length), CRLF
 *     and the body. Nothing else (no Max-Forwards, no Contact);
 *   - for an HTTP request the copied Via lines are renamed "Sia".
 * Stateless forward (forward()):
 *   - "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK...\r\n" goes before the
 *     first Via line, after anything insert_hf() put there; the port is
 *     left out when it is 5060 (":5062" otherwise);
 *   - on the old top Via, ;received= replaces a received parameter in
 *     place or goes just after host[:port] (before the first ';', after
 *     any blank there, before a comment: "h;received=IP(comment)");
 *     ;rport=<port> replaces an rport parameter in place or goes just
 *     before the received one ("h;rport=P;received=IP;branch=..."); the
 *     conditions are the reply's;
 *   - the R-URI set by the script replaces the request line's; the rest
 *     is the request with the lumps applied (append_hf lands before the
 *     empty line, remove_hf("Via") removes the old Via and keeps the new).
 */
#include "rt.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Output buffer
 * ------------------------------------------------------------------------ */

/* Make room for `need` more bytes and a NUL. 0 or -1 (b->failed set). */
static int rt_buf_room(rt_buf *b, size_t need)
{
	size_t cap;
	char *s;

	if (b->failed)
		return -1;
	if (b->cap > b->len && b->cap - b->len > need)
		return 0;
	if (need > ((size_t)1 << 30))
		goto fail;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= need)
		cap *= 2;
	s = realloc(b->s, cap);
	if (s == NULL)
		goto fail;
	b->s = s;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

/* See rt.h. The content stays NUL-terminated. */
void rt_buf_put(rt_buf *b, const char *s, size_t len)
{
	if (rt_buf_room(b, len) < 0)
		return;
	if (len)
		memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

/* See rt.h. */
void rt_buf_puts(rt_buf *b, const char *s)
{
	rt_buf_put(b, s, strlen(s));
}

/* See rt.h. */
void rt_buf_printf(rt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (rt_buf_room(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* See rt.h. (Two vsnprintf calls per number were a fifth of a stateless
 * reply's CPU.) */
void rt_buf_uint(rt_buf *b, unsigned long v, int width)
{
	char d[24];
	int n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(d));
	while (n < width && n < (int)sizeof(d))
		d[sizeof(d) - 1 - n++] = '0';
	rt_buf_put(b, d + sizeof(d) - n, (size_t)n);
}

static __thread rt_buf rt_buf_spare;

/* See rt.h. */
void rt_buf_take(rt_buf *b)
{
	*b = rt_buf_spare;
	b->len = 0;
	b->failed = 0;
	memset(&rt_buf_spare, 0, sizeof(rt_buf_spare));
}

/* See rt.h. */
void rt_buf_give(rt_buf *b)
{
	if (rt_buf_spare.s == NULL && b->s != NULL && b->cap <= 65536) {
		rt_buf_spare = *b;
		memset(b, 0, sizeof(*b));
		return;
	}
	rt_buf_free(b);
}

/* See rt.h. */
void rt_buf_spare_release(void)
{
	rt_buf_free(&rt_buf_spare);
}

/* See rt.h. */
void rt_buf_free(rt_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

/* ------------------------------------------------------------------------
 * Addresses
 * ------------------------------------------------------------------------ */

static const char *const rt_build_protos[] = {
	"none", "udp", "tcp", "tls", "sctp", "ws", "wss"
};

/* See rt.h. */
const char *rt_proto_name(int proto)
{
	if (proto < 0 || proto > RT_PROTO_WSS)
		return "none";
	return rt_build_protos[proto];
}

/* Upper-case name for a Via's sent-protocol. */
static const char *rt_build_via_proto(int proto)
{
	switch (proto) {
	case RT_PROTO_TCP: return "TCP";
	case RT_PROTO_TLS: return "TLS";
	case RT_PROTO_SCTP: return "SCTP";
	case RT_PROTO_WS: return "WS";
	case RT_PROTO_WSS: return "WSS";
	}
	return "UDP";
}

static int rt_build_is_v6(const rt_addr *a)
{
	return a->af == 6 || (a->af == 0 && strchr(a->ip, ':') != NULL);
}

/* See rt.h. */
int rt_addr_format(const rt_addr *a, char *buf, size_t n)
{
	int r;

	if (a == NULL || buf == NULL || n == 0 || a->ip[0] == '\0' ||
			memchr(a->ip, '\0', sizeof(a->ip)) == NULL)
		return -1;
	if (rt_build_is_v6(a))
		r = snprintf(buf, n, "%s:[%s]:%u", rt_proto_name(a->proto), a->ip,
				(unsigned)a->port);
	else
		r = snprintf(buf, n, "%s:%s:%u", rt_proto_name(a->proto), a->ip,
				(unsigned)a->port);
	if (r < 0 || (size_t)r >= n)
		return -1;
	return r;
}

/* An IP address text (no brackets) into binary: 4 or 6, 0 when not one. */
static int rt_build_ip(const char *s, size_t len, unsigned char out[16])
{
	char tmp[64];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, tmp, out) == 1)
		return 6;
	return 0;
}

/* See rt.h. */
int rt_addr_literal(const char *host, size_t len, int proto, int sips, unsigned port,
		rt_addr *out)
{
	unsigned char bin[16];
	int af, bracketed = len >= 2 && host[0] == '[' && host[len - 1] == ']';

	memset(out, 0, sizeof(*out));
	out->proto = proto;
	out->port = (uint16_t)(port ? port :
			sips || proto == RT_PROTO_TLS || proto == RT_PROTO_WSS ? 5061 : 5060);
	if (bracketed) {
		host++;
		len -= 2;
	}
	if (len == 0 || len > RT_DNS_NAME_MAX)
		return -1;
	af = rt_build_ip(host, len, bin);
	if (af == 0)
		return bracketed ? -1 : 1;
	if (len >= sizeof(out->ip))
		return -1;
	memcpy(out->ip, host, len);
	out->ip[len] = '\0';
	out->af = af;
	return 0;
}

/* See rt.h. */
int rt_addr_parse(const char *s, size_t len, rt_addr *a)
{
	size_t i = 0, hs, he, k;
	unsigned char bin[16];
	uint32_t port = 0;
	int af, p;

	memset(a, 0, sizeof(*a));
	if (s == NULL || len == 0 || len > 128)
		return -1;
	a->proto = RT_PROTO_UDP;
	for (k = 0; k < len && s[k] != ':'; k++)
		;
	if (k < len && k > 0 && s[0] != '[') {
		for (p = 1; p <= RT_PROTO_WSS; p++) {
			const char *n = rt_build_protos[p];
			size_t j;
			if (strlen(n) != k)
				continue;
			for (j = 0; j < k; j++)
				if ((s[j] | 0x20) != n[j])
					break;
			if (j == k)
				break;
		}
		if (p <= RT_PROTO_WSS) {
			a->proto = p;
			i = k + 1;
		}
	}
	if (i < len && s[i] == '[') {
		hs = i + 1;
		for (he = hs; he < len && s[he] != ']'; he++)
			;
		if (he == len)
			return -1;
		i = he + 1;
	} else {
		hs = i;
		for (he = hs; he < len && s[he] != ':'; he++)
			;
		i = he;
	}
	af = rt_build_ip(s + hs, he - hs, bin);
	if (af == 0 || he - hs >= sizeof(a->ip))
		return -1;
	if (af == 6 && (hs == 0 || s[hs - 1] != '['))
		return -1;
	memcpy(a->ip, s + hs, he - hs);
	a->ip[he - hs] = '\0';
	a->af = af;
	if (i < len) {
		if (s[i] != ':' || i + 1 == len || len - i - 1 > 5)
			return -1;
		for (k = i + 1; k < len; k++) {
			if (s[k] < '0' || s[k] > '9')
				return -1;
			port = port * 10 + (uint32_t)(s[k] - '0');
		}
		if (port == 0 || port > 65535)
			return -1;
	} else {
		port = (a->proto == RT_PROTO_TLS || a->proto == RT_PROTO_WSS) ?
			5061 : 5060;
	}
	a->port = (uint16_t)port;
	return 0;
}

/* Kamailio's check_via_address without DNS: 1 when the Via host is an IP
 * address equal to the source's, else 0 (a name never matches). */
static int rt_build_same_ip(const rt_addr *src, rt_view host)
{
	unsigned char a[16], b[16];
	int fa, fb;

	if (host.len >= 2 && host.s[0] == '[' && host.s[host.len - 1] == ']') {
		host.s++;
		host.len -= 2;
	}
	fa = rt_build_ip(host.s, host.len, a);
	fb = rt_build_ip(src->ip, strnlen(src->ip, sizeof(src->ip)), b);
	if (fa == 0 || fa != fb)
		return 0;
	return memcmp(a, b, fa == 4 ? 4 : 16) == 0;
}

/* ------------------------------------------------------------------------
 * Replies
 * ------------------------------------------------------------------------ */

/* Length of the line end at the end of a header's raw text. */
static size_t rt_build_eol(rt_view raw)
{
	if (raw.len >= 2 && raw.s[raw.len - 2] == '\r' && raw.s[raw.len - 1] == '\n')
		return 2;
	if (raw.len >= 1 && raw.s[raw.len - 1] == '\n')
		return 1;
	return 0;
}

/* What the top Via gets: *rport and *received set (0/1) as 5.6.3's
 * received_test() and force_rport decide; nothing without a source. */
static void rt_build_via_fix(const rt_msg *m, const rt_via *v, int *rport,
		int *received)
{
	int have_src = m->src.ip[0] != '\0' &&
		memchr(m->src.ip, '\0', sizeof(m->src.ip)) != NULL;

	*rport = have_src && (m->force_rport || v->has_rport);
	*received = have_src && (v->has_received || v->has_rport ||
			!rt_build_same_ip(&m->src, v->host));
}

/* See rt.h (and the top of this file for what 5.6.3 does). */
int rt_build_reply(rt_msg *m, int code, const char *reason, size_t rlen,
		const char *totag, size_t tlen, const char *server_hdr,
		const char *body, size_t blen, rt_buf *out)
{
	const rt_via *v;
	const rt_nameaddr *to = NULL;
	int do_rport, do_recv, add_tag = 0;
	unsigned i;

	if (m == NULL || out == NULL || !m->is_request || code < 100 || code > 699)
		return -1;
	v = rt_msg_via1(m);
	if (v == NULL)
		return -1;
	if (m->first[RT_HDR_TO] >= 0) {
		to = rt_msg_to(m);
		if (to == NULL)
			return -1;
		add_tag = code >= 180 && totag != NULL && tlen > 0 && to->tag.len == 0;
	}
	if (reason == NULL)
		rlen = 0;
	rt_build_via_fix(m, v, &do_rport, &do_recv);

	rt_buf_put(out, m->version.s, m->version.len);
	rt_buf_put(out, " ", 1);
	rt_buf_uint(out, (unsigned long)code, 3);
	rt_buf_put(out, " ", 1);
	rt_buf_put(out, reason, rlen);
	rt_buf_put(out, "\r\n", 2);
	for (i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		size_t clen = h->raw.len - rt_build_eol(h->raw);
		size_t start = out->len;

		switch (h->type) {
		case RT_HDR_VIA:
			if ((int)i == m->via1_hdr && do_rport && v->has_rport) {
				const char *semi = v->rport_param.s - 1;
				const char *rest = v->rport_param.s + v->rport_param.len;
				rt_buf_put(out, h->raw.s, (size_t)(semi - h->raw.s));
				rt_buf_put(out, ";rport=", 7);
				rt_buf_uint(out, m->src.port, 0);
				rt_buf_put(out, rest, (size_t)(h->raw.s + clen - rest));
			} else {
				rt_buf_put(out, h->raw.s, clen);
				if ((int)i == m->via1_hdr && do_rport) {
					rt_buf_put(out, ";rport=", 7);
					rt_buf_uint(out, m->src.port, 0);
				}
			}
			if ((int)i == m->via1_hdr && do_recv) {
				rt_buf_put(out, ";received=", 10);
				rt_buf_puts(out, m->src.ip);
			}
			rt_buf_put(out, "\r\n", 2);
			if (m->is_http && !out->failed)
				out->s[start] = 'S';
			break;
		case RT_HDR_RR:
			if (code >= 180 && code < 300)
				rt_buf_put(out, h->raw.s, h->raw.len);
			break;
		case RT_HDR_TO:
			if (add_tag && (int)i == m->first[RT_HDR_TO]) {
				rt_buf_put(out, h->raw.s, clen);
				rt_buf_put(out, ";tag=", 5);
				rt_buf_put(out, totag, tlen);
				rt_buf_put(out, h->raw.s + clen, h->raw.len - clen);
				break;
			}
			/* fall through */
		case RT_HDR_FROM:
		case RT_HDR_CALLID:
		case RT_HDR_CSEQ:
			rt_buf_put(out, h->raw.s, h->raw.len);
			break;
		}
	}
	{
		const rt_lump *l;
		for (l = m->reply_lumps; l; l = l->next)
			rt_buf_put(out, l->ins, l->inslen);
	}
	if (server_hdr != NULL && server_hdr[0] != '\0') {
		rt_buf_puts(out, server_hdr);
		rt_buf_put(out, "\r\n", 2);
	}
	rt_buf_put(out, "Content-Length: ", 16);
	rt_buf_uint(out, body ? blen : 0, 0);
	rt_buf_put(out, "\r\n\r\n", 4);
	if (body)
		rt_buf_put(out, body, blen);
	return out->failed ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * Applying changes
 * ------------------------------------------------------------------------ */

/* A change the builder adds for one message it builds (never kept). */
typedef struct {
	size_t off, del;
	const char *ins;
	size_t inslen;
} rt_build_edit;

#define RT_BUILD_MAX_EDITS 8

typedef struct {
	rt_build_edit e[RT_BUILD_MAX_EDITS];
	size_t n;
	/* texts the edits point into */
	char via[512];
	char received[80];
	char rport[24];
	char clen[24];
} rt_build_edits;

/* Add an edit, keeping them sorted by offset (stable). */
static void rt_build_add(rt_build_edits *x, size_t off, size_t del,
		const char *ins, size_t inslen)
{
	size_t k;

	if (x->n >= RT_BUILD_MAX_EDITS)
		return;
	for (k = x->n; k > 0 && x->e[k - 1].off > off; k--)
		x->e[k] = x->e[k - 1];
	x->e[k].off = off;
	x->e[k].del = del;
	x->e[k].ins = ins;
	x->e[k].inslen = inslen;
	x->n++;
}

/* Where the message ends: after its body (bytes a datagram carries past
 * Content-Length are not part of it). */
static size_t rt_build_msg_end(const rt_msg *m)
{
	if (m->body.s)
		return (size_t)(m->body.s + m->body.len - m->buf);
	return m->len;
}

/* When the changes touch the body, an edit rewriting Content-Length's
 * value (or adding the header before the empty line when there is none). */
static void rt_build_fix_clen(rt_msg *m, rt_build_edits *x)
{
	size_t boff, newlen;
	const rt_lump *l;
	int changed = 0;
	int n;

	if (m->body.s == NULL)
		return;
	boff = (size_t)(m->body.s - m->buf);
	newlen = m->body.len;
	for (l = m->lumps; l; l = l->next) {
		if (l->off >= boff) {
			newlen = newlen + l->inslen - l->del;
			changed = 1;
		} else if (l->off + l->del > boff) {
			newlen -= l->off + l->del - boff;
			changed = 1;
		}
	}
	if (!changed || newlen == m->body.len)
		return;
	if (m->first[RT_HDR_CLEN] >= 0) {
		const rt_hdr *h = &m->hdrs[m->first[RT_HDR_CLEN]];
		n = snprintf(x->clen, sizeof(x->clen), "%zu", newlen);
		rt_build_add(x, (size_t)(h->body.s - m->buf), h->body.len, x->clen,
				(size_t)n);
	} else if (boff >= 2 && m->buf[boff - 1] == '\n') {
		/* the empty line starts at its CR (or its LF) */
		size_t el = boff - 1;
		if (el > 0 && m->buf[el - 1] == '\r')
			el--;
		if (el == 0 || m->buf[el - 1] != '\n')
			return;
		n = snprintf(x->clen, sizeof(x->clen), "Content-Length: %zu\r\n", newlen);
		rt_build_add(x, el, 0, x->clen, (size_t)n);
	}
}

/* The R-URI set by the script in place of the request line's. */
static void rt_build_ruri(rt_msg *m, rt_build_edits *x)
{
	if (m->is_request && m->new_uri && m->ruri.s)
		rt_build_add(x, (size_t)(m->ruri.s - m->buf), m->ruri.len,
				m->new_uri, m->new_uri_len);
}

/* Write the message with m's lumps and the edits x applied. At one
 * offset the lumps go first, then the edits, each in its order; a change
 * that falls strictly inside a deleted range is an error for a lump and
 * dropped for an edit (5.6.3 skips its Via changes when remove_hf took
 * the Via away). 0 or -1. */
static int rt_build_apply(rt_msg *m, const rt_build_edits *x, rt_buf *out)
{
	const rt_lump *l = m->lumps;
	size_t k = 0, c = 0, pos = 0, end = rt_build_msg_end(m);
	int have = 0;

	while (l || k < x->n) {
		size_t off, del, inslen;
		const char *ins;
		int is_lump;

		if (l && (k == x->n || l->off <= x->e[k].off)) {
			off = l->off; del = l->del; ins = l->ins; inslen = l->inslen;
			is_lump = 1;
			l = l->next;
		} else {
			off = x->e[k].off; del = x->e[k].del; ins = x->e[k].ins;
			inslen = x->e[k].inslen;
			is_lump = 0;
			k++;
		}
		if (off > end || del > end - off) {
			if (is_lump)
				return -1;
			continue;
		}
		if (off < c && !(have && off == pos)) {
			if (is_lump)
				return -1;
			continue;
		}
		if (off > c) {
			rt_buf_put(out, m->buf + c, off - c);
			c = off;
		}
		rt_buf_put(out, ins, inslen);
		if (off + del > c)
			c = off + del;
		pos = off;
		have = 1;
	}
	if (end > c)
		rt_buf_put(out, m->buf + c, end - c);
	return out->failed ? -1 : 0;
}

/* See rt.h. */
int rt_build_applied(rt_msg *m, rt_buf *out)
{
	rt_build_edits x;

	if (m == NULL || out == NULL || m->buf == NULL)
		return -1;
	x.n = 0;
	rt_build_ruri(m, &x);
	rt_build_fix_clen(m, &x);
	return rt_build_apply(m, &x, out);
}

/* See rt.h (and the top of this file). */
int rt_build_forward(rt_msg *m, const rt_addr *self, const char *branch,
		size_t blen, rt_buf *out)
{
	rt_build_edits x;
	const rt_via *v;
	const rt_hdr *vh;
	int do_rport, do_recv, n;
	size_t anchor;

	if (m == NULL || self == NULL || out == NULL || !m->is_request ||
			self->ip[0] == '\0' || memchr(self->ip, '\0', sizeof(self->ip)) == NULL ||
			(branch == NULL && blen > 0) || blen > 200)
		return -1;
	v = rt_msg_via1(m);
	if (v == NULL)
		return -1;
	vh = &m->hdrs[m->via1_hdr];
	x.n = 0;
	rt_build_ruri(m, &x);

	/* the new top Via, before the first Via line */
	n = snprintf(x.via, sizeof(x.via), "Via: SIP/2.0/%s %s%s%s",
			rt_build_via_proto(self->proto), rt_build_is_v6(self) ? "[" : "",
			self->ip, rt_build_is_v6(self) ? "]" : "");
	if (n < 0 || n > 100)
		return -1;
	if (self->port != 5060 && self->port != 0)
		n += snprintf(x.via + n, sizeof(x.via) - (size_t)n, ":%u",
				(unsigned)self->port);
	memcpy(x.via + n, ";branch=", 8);
	n += 8;
	if (blen)
		memcpy(x.via + n, branch, blen);
	n += (int)blen;
	memcpy(x.via + n, "\r\n", 2);
	n += 2;
	rt_build_add(&x, (size_t)(vh->raw.s - m->buf), 0, x.via, (size_t)n);

	/* received= and rport= on the old top Via: after host[:port], i.e. at
	 * the first ';' when there are parameters */
	rt_build_via_fix(m, v, &do_rport, &do_recv);
	if (v->params.s)
		anchor = (size_t)(v->params.s - 1 - m->buf);
	else if (v->port.s)
		anchor = (size_t)(v->port.s + v->port.len - m->buf);
	else
		anchor = (size_t)(v->host.s + v->host.len - m->buf);
	if (do_recv && v->has_received)
		anchor = (size_t)(v->received_param.s - 1 - m->buf);
	/* a new rport goes at the same place as received, before it (5.6.3
	 * inserts both right after one anchor, rport last, so first); one
	 * rewritten in place comes after a received at the same offset */
	if (do_rport && !v->has_rport) {
		n = snprintf(x.rport, sizeof(x.rport), ";rport=%u", (unsigned)m->src.port);
		rt_build_add(&x, anchor, 0, x.rport, (size_t)n);
	}
	if (do_recv) {
		n = snprintf(x.received, sizeof(x.received), ";received=%s", m->src.ip);
		rt_build_add(&x, anchor, v->has_received ? v->received_param.len + 1 : 0,
				x.received, (size_t)n);
	}
	if (do_rport && v->has_rport) {
		n = snprintf(x.rport, sizeof(x.rport), ";rport=%u", (unsigned)m->src.port);
		rt_build_add(&x, (size_t)(v->rport_param.s - 1 - m->buf),
				v->rport_param.len + 1, x.rport, (size_t)n);
	}
	rt_build_fix_clen(m, &x);
	return rt_build_apply(m, &x, out);
}
