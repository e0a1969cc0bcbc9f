/*
 * rt_msg.c — the SIP and HTTP/1.x message parser, its lazily parsed
 * headers (name-addr, Via, CSeq, the R-URI) and the changes a script
 * records on a message (R-URI, destination URI, lumps).
 *
 * picohttpparser's discipline: one pass over the first line and the
 * header lines, no allocation, views into the caller's buffer, every
 * length and number bounded; what is inside a header is looked at only
 * when someone asks, once, and kept in fixed storage inside rt_msg.
 *
 * Grammar (RFC 3261 §7, §25; RFC 7230 for HTTP), as tolerant as Kamailio
 * 5.6.3 where it matters to peers and stricter where 5.6.3 is wrong:
 *   Request-Line = Method SP Request-URI 1*(SP/HT) Version *(SP/HT) EOL
 *   Status-Line  = "SIP/2.0" SP 3DIGIT 1*SP Reason-Phrase EOL
 *   message-header = token *(SP/HT) ":" value *(EOL 1*(SP/HT) value) EOL
 *   EOL = CRLF / LF
 * Version is SIP/2.0 or HTTP/1.0 / HTTP/1.1 (case-insensitive). What
 * 5.6.3 does differently, found by running RFC 4475 through it (UDP):
 *   - it refuses header names with token characters like '%' or '!'
 *     (esc02, intmeth: its sl_send_reply then fails); we accept tokens;
 *   - it refuses a CSeq folded over two lines (wsinv); we accept it;
 *   - it accepts a Content-Length larger than the datagram (clerr) and
 *     gives $rb as all the bytes after the headers (dblreq); we refuse
 *     the first and cut the body to Content-Length, as §18.3 says;
 *   - it takes a CSeq number above 2^32 (scalar02); rt_cseq_parse refuses.
 */
#include "rt.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Characters
 * ------------------------------------------------------------------------ */

static int rt_msg_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* RFC 3261 token: alphanumerics and - . ! % * _ + ` ' ~ */
static int rt_msg_tokch(int c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			(c >= 'A' && c <= 'Z'))
		return 1;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*': case '_':
	case '+': case '`': case '\'': case '~':
		return 1;
	}
	return 0;
}

/* Blank inside a header body: SP, HT, and the CR LF of a folded line
 * (a header body holds CR or LF only there). */
static int rt_msg_lws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t rt_msg_skip_lws(const char *s, size_t i, size_t n)
{
	while (i < n && rt_msg_lws((unsigned char)s[i]))
		i++;
	return i;
}

/* Case-insensitive equality of s[0..len) with a lower-case word. */
static int rt_msg_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || rt_msg_lower((unsigned char)s[i]) != word[i])
			return 0;
	return word[len] == '\0';
}

static int rt_msg_casecmp(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (rt_msg_lower((unsigned char)a[i]) != rt_msg_lower((unsigned char)b[i]))
			return 1;
	return 0;
}

static rt_view rt_msg_view(const char *s, size_t len)
{
	rt_view v;

	v.s = s;
	v.len = len;
	return v;
}

/* ------------------------------------------------------------------------
 * Header names
 * ------------------------------------------------------------------------ */

typedef struct {
	const char *name;        /* lower case */
	unsigned char len;
	unsigned char type;
} rt_msg_hname;

#define H(s, t) { s, sizeof(s) - 1, t }
static const rt_msg_hname rt_msg_hnames[] = {
	H("via", RT_HDR_VIA), H("to", RT_HDR_TO), H("from", RT_HDR_FROM),
	H("cseq", RT_HDR_CSEQ), H("call-id", RT_HDR_CALLID),
	H("contact", RT_HDR_CONTACT), H("content-length", RT_HDR_CLEN),
	H("content-type", RT_HDR_CTYPE), H("max-forwards", RT_HDR_MAXFWD),
	H("route", RT_HDR_ROUTE), H("record-route", RT_HDR_RR),
	H("expires", RT_HDR_EXPIRES), H("user-agent", RT_HDR_UA),
	H("server", RT_HDR_SERVER), H("authorization", RT_HDR_AUTHZ),
	H("proxy-authorization", RT_HDR_PROXYAUTHZ),
	H("www-authenticate", RT_HDR_WWWAUTH),
	H("proxy-authenticate", RT_HDR_PROXYAUTH), H("allow", RT_HDR_ALLOW),
	H("supported", RT_HDR_SUPPORTED), H("require", RT_HDR_REQUIRE),
	H("proxy-require", RT_HDR_PROXYREQ),
	H("unsupported", RT_HDR_UNSUPPORTED), H("event", RT_HDR_EVENT),
	H("accept", RT_HDR_ACCEPT), H("subject", RT_HDR_SUBJECT),
	H("diversion", RT_HDR_DIVERSION),
	H("p-asserted-identity", RT_HDR_PAI),
	H("p-preferred-identity", RT_HDR_PPI), H("refer-to", RT_HDR_REFERTO),
	H("sip-if-match", RT_HDR_SIPIFMATCH),
	H("session-expires", RT_HDR_SESSIONEXPIRES), H("min-se", RT_HDR_MINSE),
	H("date", RT_HDR_DATE), H("organization", RT_HDR_ORGANIZATION),
	H("priority", RT_HDR_PRIORITY), H("path", RT_HDR_PATH),
	H("privacy", RT_HDR_PRIVACY), H("reason", RT_HDR_REASON),
	H("host", RT_HDR_HOST), H("connection", RT_HDR_CONNECTION),
	H("te", RT_HDR_TE), H("content-encoding", RT_HDR_CENCODING),
	H("allow-events", RT_HDR_ALLOWEVENTS), H("referred-by", RT_HDR_REFERREDBY),
	H("identity", RT_HDR_IDENTITY), H("identity-info", RT_HDR_IDENTITYINFO),
	H("accept-contact", RT_HDR_ACCEPTCONTACT),
	H("reject-contact", RT_HDR_REJECTCONTACT),
	H("request-disposition", RT_HDR_REQDISP),
	H("min-expires", RT_HDR_MINEXPIRES),
	H("subscription-state", RT_HDR_SUBSTATE),
	H("content-disposition", RT_HDR_CDISP),
	H("accept-language", RT_HDR_ACCEPTLANG),
	H("remote-party-id", RT_HDR_RPID), H("retry-after", RT_HDR_RETRYAFTER),
	H("call-info", RT_HDR_CALLINFO), H("warning", RT_HDR_WARNING),
	H("replaces", RT_HDR_REPLACES), H("rack", RT_HDR_RACK),
	H("rseq", RT_HDR_RSEQ),
};
#undef H

/* See rt.h. The compact forms by a switch, the long ones by a scan that
 * compares lengths first (about 60 names; a message has a dozen lines). */
int rt_hdr_type(const char *name, size_t len)
{
	size_t i;

	if (name == NULL || len == 0)
		return RT_HDR_OTHER;
	if (len == 1) {
		switch (rt_msg_lower((unsigned char)name[0])) {
		case 'v': return RT_HDR_VIA;
		case 'f': return RT_HDR_FROM;
		case 't': return RT_HDR_TO;
		case 'i': return RT_HDR_CALLID;
		case 'm': return RT_HDR_CONTACT;
		case 'l': return RT_HDR_CLEN;
		case 'c': return RT_HDR_CTYPE;
		case 'k': return RT_HDR_SUPPORTED;
		case 's': return RT_HDR_SUBJECT;
		case 'e': return RT_HDR_CENCODING;
		case 'o': return RT_HDR_EVENT;
		case 'u': return RT_HDR_ALLOWEVENTS;
		case 'r': return RT_HDR_REFERTO;
		case 'b': return RT_HDR_REFERREDBY;
		case 'x': return RT_HDR_SESSIONEXPIRES;
		case 'y': return RT_HDR_IDENTITY;
		case 'n': return RT_HDR_IDENTITYINFO;
		case 'a': return RT_HDR_ACCEPTCONTACT;
		case 'j': return RT_HDR_REJECTCONTACT;
		case 'd': return RT_HDR_REQDISP;
		}
		return RT_HDR_OTHER;
	}
	for (i = 0; i < sizeof(rt_msg_hnames) / sizeof(rt_msg_hnames[0]); i++)
		if (rt_msg_hnames[i].len == len &&
				rt_msg_is(name, len, rt_msg_hnames[i].name))
			return rt_msg_hnames[i].type;
	return RT_HDR_OTHER;
}

/* ------------------------------------------------------------------------
 * First line
 * ------------------------------------------------------------------------ */

typedef struct {
	const char *name;
	unsigned char len;
	uint32_t id;
} rt_msg_method;

#define M(s, id) { s, sizeof(s) - 1, id }
static const rt_msg_method rt_msg_methods[] = {
	M("invite", RT_M_INVITE), M("cancel", RT_M_CANCEL), M("ack", RT_M_ACK),
	M("bye", RT_M_BYE), M("info", RT_M_INFO), M("register", RT_M_REGISTER),
	M("subscribe", RT_M_SUBSCRIBE), M("notify", RT_M_NOTIFY),
	M("message", RT_M_MESSAGE), M("options", RT_M_OPTIONS),
	M("prack", RT_M_PRACK), M("update", RT_M_UPDATE), M("refer", RT_M_REFER),
	M("publish", RT_M_PUBLISH), M("kdmq", RT_M_KDMQ), M("get", RT_M_GET),
	M("post", RT_M_POST), M("put", RT_M_PUT), M("delete", RT_M_DELETE),
};
#undef M

/* Kamailio compares the known methods case-insensitively ("invite" is
 * an INVITE); anything else is RT_M_OTHER. */
static uint32_t rt_msg_method_id(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(rt_msg_methods) / sizeof(rt_msg_methods[0]); i++)
		if (rt_msg_methods[i].len == len &&
				rt_msg_is(s, len, rt_msg_methods[i].name))
			return rt_msg_methods[i].id;
	return RT_M_OTHER;
}

/* Record why parsing failed; always -1. */
static int rt_msg_fail(rt_msg *m, const char *why, const char *at)
{
	m->error = why;
	m->error_off = at ? (size_t)(at - m->buf) : 0;
	return -1;
}

/* The line starting at p: *le its end (before CR LF or LF), return the
 * start of the next line, NULL when there is no LF before end. */
static const char *rt_msg_line(const char *p, const char *end, const char **le)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL)
		return NULL;
	*le = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
	return nl + 1;
}

/* Status-Line = SIP-Version SP Status-Code 1*SP Reason-Phrase EOL, with
 * the version already matched at p[0..7). Kamailio wants exactly one SP
 * before the three digits and at least one after them. Returns the next
 * line, or NULL. */
static const char *rt_msg_status_line(rt_msg *m, const char *p, const char *end)
{
	const char *le, *next, *q;

	next = rt_msg_line(p, end, &le);
	if (next == NULL)
		return rt_msg_fail(m, "first line without line end", p), NULL;
	m->version = rt_msg_view(p, 7);
	q = p + 8;
	if (le - q < 4 || q[0] < '1' || q[0] > '6' || q[1] < '0' || q[1] > '9' ||
			q[2] < '0' || q[2] > '9' || (q[3] != ' ' && q[3] != '\t'))
		return rt_msg_fail(m, "bad status code", q), NULL;
	m->status = (q[0] - '0') * 100 + (q[1] - '0') * 10 + (q[2] - '0');
	q += 3;
	while (q < le && (*q == ' ' || *q == '\t'))
		q++;
	m->reason = rt_msg_view(q, (size_t)(le - q));
	m->is_request = 0;
	return next;
}

/* Request-Line = Method SP Request-URI 1*(SP/HT) Version *(SP/HT) EOL.
 * Kamailio takes exactly one SP after the method (lwsstart is refused),
 * the URI as the text up to the next blank (ltgtruri parses here, not in
 * rt_uri_parse), and blanks after the version (trws). */
static const char *rt_msg_request_line(rt_msg *m, const char *p, const char *end)
{
	const char *le, *next, *q, *u, *v;

	next = rt_msg_line(p, end, &le);
	if (next == NULL)
		return rt_msg_fail(m, "first line without line end", p), NULL;
	for (q = p; q < le && rt_msg_tokch((unsigned char)*q); q++)
		;
	if (q == p || q == le || *q != ' ')
		return rt_msg_fail(m, "bad method", q), NULL;
	m->method = rt_msg_view(p, (size_t)(q - p));
	m->method_id = rt_msg_method_id(p, (size_t)(q - p));
	u = ++q;
	while (q < le && (unsigned char)*q > ' ' && *q != 0x7f)
		q++;
	if (q == le)
		return rt_msg_fail(m, "request line without version", q), NULL;
	if (q == u || (*q != ' ' && *q != '\t'))
		return rt_msg_fail(m, "bad request URI", q), NULL;
	m->ruri = rt_msg_view(u, (size_t)(q - u));
	while (q < le && (*q == ' ' || *q == '\t'))
		q++;
	v = q;
	while (q < le && (unsigned char)*q > ' ' && *q != 0x7f)
		q++;
	m->version = rt_msg_view(v, (size_t)(q - v));
	while (q < le && (*q == ' ' || *q == '\t'))
		q++;
	if (q != le)
		return rt_msg_fail(m, "junk after the version", q), NULL;
	if (m->version.len == 7 && rt_msg_is(v, 7, "sip/2.0"))
		m->is_http = 0;
	else if (m->version.len == 8 && (rt_msg_is(v, 8, "http/1.1") ||
				rt_msg_is(v, 8, "http/1.0")))
		m->is_http = 1;
	else
		return rt_msg_fail(m, "unsupported protocol version", v), NULL;
	m->is_request = 1;
	return next;
}

/* ------------------------------------------------------------------------
 * The message
 * ------------------------------------------------------------------------ */

/* Content-Length's body: digits only (leading zeros allowed), at most
 * RT_MSG_MAX_LEN. 0 or -1. */
static int rt_msg_clen_value(const rt_view *b, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (b->len == 0 || b->len > 16)
		return -1;
	for (i = 0; i < b->len; i++) {
		if (b->s[i] < '0' || b->s[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(b->s[i] - '0');
		if (v > RT_MSG_MAX_LEN)
			return -1;
	}
	*out = v;
	return 0;
}

/* See rt.h. */
int rt_msg_parse(const char *buf, size_t len, rt_msg *m)
{
	rt_addr src = m->src, rcv = m->rcv;
	int conn = m->conn, lsock = m->lsock;
	const char *p, *end, *le, *next;
	size_t i, avail;

	/* hdrs[] (8 KB of the 10.9) is written line by line as it fills and
	 * never read past nhdrs: clearing the whole struct costs 122 ns, the
	 * rest 35 ns, against ~300 ns to parse a 282-byte OPTIONS (-O2, best
	 * of 5 x 2M runs) */
	memset(m, 0, offsetof(rt_msg, hdrs));
	memset((char *)m + offsetof(rt_msg, nhdrs), 0,
			sizeof(*m) - offsetof(rt_msg, nhdrs));
	m->src = src;
	m->rcv = rcv;
	m->conn = conn;
	m->lsock = lsock;
	for (i = 0; i < RT_HDR__COUNT; i++)
		m->first[i] = -1;
	m->via1_hdr = m->via2_hdr = -1;
	m->buf = buf;
	m->len = len;
	if (buf == NULL || len == 0)
		return rt_msg_fail(m, "empty message", NULL);
	if (len > RT_MSG_MAX_LEN)
		return rt_msg_fail(m, "message too long", NULL);
	p = buf;
	end = buf + len;
	/* RFC 3261 §7.5: empty lines before the start line are ignored */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (end - p < 8)
		return rt_msg_fail(m, "message too short", p);
	if (rt_msg_is(p, 8, "sip/2.0 "))
		next = rt_msg_status_line(m, p, end);
	else if (rt_msg_is(p, 7, "http/1.") && (p[7] == '0' || p[7] == '1') &&
			end - p > 8 && p[8] == ' ')
		return rt_msg_fail(m, "HTTP reply", p);
	else
		next = rt_msg_request_line(m, p, end);
	if (next == NULL)
		return -1;
	m->fline = rt_msg_view(p, (size_t)(next - p));

	/* header lines, up to the empty line */
	p = next;
	for (;;) {
		const char *name, *q, *vs, *ve, *line = p;
		rt_hdr *h;

		if (p == end) {
			/* no empty line (RFC 4475 baddn.dat): headers end here */
			break;
		}
		next = rt_msg_line(p, end, &le);
		if (next == NULL)
			return rt_msg_fail(m, "header line without line end", p);
		if (le == p) {
			p = next;
			break;
		}
		if (*p == ' ' || *p == '\t')
			return rt_msg_fail(m, "continuation line without a header", p);
		name = p;
		for (q = p; q < le && rt_msg_tokch((unsigned char)*q); q++)
			;
		if (q == name)
			return rt_msg_fail(m, "bad header name", q);
		if (m->nhdrs >= RT_MSG_MAX_HDRS)
			return rt_msg_fail(m, "too many header lines", p);
		h = &m->hdrs[m->nhdrs];
		h->name = rt_msg_view(name, (size_t)(q - name));
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q == le || *q != ':')
			return rt_msg_fail(m, "header line without ':'", q);
		q++;
		/* continuation lines: the next line starts with SP or HT */
		while (next < end && (*next == ' ' || *next == '\t')) {
			const char *nn = rt_msg_line(next, end, &le);
			if (nn == NULL)
				return rt_msg_fail(m, "header line without line end", next);
			next = nn;
		}
		vs = q;
		while (vs < le && rt_msg_lws((unsigned char)*vs))
			vs++;
		ve = le;
		while (ve > vs && rt_msg_lws((unsigned char)ve[-1]))
			ve--;
		h->body = rt_msg_view(vs, (size_t)(ve - vs));
		h->raw = rt_msg_view(line, (size_t)(next - line));
		h->type = rt_hdr_type(h->name.s, h->name.len);
		h->parsed = NULL;
		if (m->first[h->type] < 0)
			m->first[h->type] = (int)m->nhdrs;
		m->nhdrs++;
		if (h->type == RT_HDR_CLEN) {
			uint32_t v;
			if (rt_msg_clen_value(&h->body, &v) < 0)
				return rt_msg_fail(m, "bad Content-Length", h->body.s);
			if (m->has_clen && v != m->clen)
				return rt_msg_fail(m, "conflicting Content-Length", h->body.s);
			m->has_clen = 1;
			m->clen = v;
		}
		p = next;
	}
	/* body */
	avail = (size_t)(end - p);
	if (m->has_clen) {
		if (m->clen > avail)
			return rt_msg_fail(m, "body shorter than Content-Length", p);
		m->body = rt_msg_view(p, m->clen);
	} else {
		m->body = rt_msg_view(p, m->is_http ? 0 : avail);
	}
	return 0;
}

/* Free a lump list. */
static void rt_msg_free_lumps(rt_lump *l)
{
	while (l) {
		rt_lump *n = l->next;
		free(l->ins);
		free(l);
		l = n;
	}
}

/* See rt.h. */
void rt_msg_clear(rt_msg *m)
{
	free(m->new_uri);
	m->new_uri = NULL;
	m->new_uri_len = 0;
	free(m->dst_uri);
	m->dst_uri = NULL;
	m->dst_uri_len = 0;
	rt_msg_free_lumps(m->lumps);
	m->lumps = NULL;
	rt_msg_free_lumps(m->reply_lumps);
	m->reply_lumps = NULL;
	m->ruri_parsed = 0;
}

/* ------------------------------------------------------------------------
 * Finding headers
 * ------------------------------------------------------------------------ */

/* The index of the n-th (negative: from the end) header matching type or,
 * for RT_HDR_OTHER, the name; -1 when none. */
static int rt_msg_find(rt_msg *m, int type, const char *name, size_t len, int n)
{
	unsigned i, count = 0;
	int want;

	for (i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		if (type != RT_HDR_OTHER ? h->type == type :
				(h->name.len == len && !rt_msg_casecmp(h->name.s, name, len)))
			count++;
	}
	if (n < 0)
		n = (int)count + n;
	if (n < 0 || (unsigned)n >= count)
		return -1;
	want = n;
	for (i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		if (type != RT_HDR_OTHER ? h->type == type :
				(h->name.len == len && !rt_msg_casecmp(h->name.s, name, len))) {
			if (want-- == 0)
				return (int)i;
		}
	}
	return -1;
}

/* See rt.h. */
rt_hdr *rt_msg_hdr(rt_msg *m, const char *name, size_t len, int n)
{
	int k;

	if (name == NULL || len == 0)
		return NULL;
	k = rt_msg_find(m, rt_hdr_type(name, len), name, len, n);
	return k < 0 ? NULL : &m->hdrs[k];
}

/* See rt.h. */
rt_hdr *rt_msg_hdr_type(rt_msg *m, int type, int n)
{
	int k;

	if (type <= RT_HDR_OTHER || type >= RT_HDR__COUNT)
		return NULL;
	if (n == 0)
		k = m->first[type];
	else
		k = rt_msg_find(m, type, NULL, 0, n);
	return k < 0 ? NULL : &m->hdrs[k];
}

/* See rt.h. */
unsigned rt_msg_hdr_count(rt_msg *m, const char *name, size_t len)
{
	unsigned i, count = 0;
	int type;

	if (name == NULL || len == 0)
		return 0;
	type = rt_hdr_type(name, len);
	for (i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		if (type != RT_HDR_OTHER ? h->type == type :
				(h->name.len == len && !rt_msg_casecmp(h->name.s, name, len)))
			count++;
	}
	return count;
}

/* ------------------------------------------------------------------------
 * Parameters, name-addr, Via, CSeq
 * ------------------------------------------------------------------------ */

/* A quoted-string starting at s[i] == '"': the index after the closing
 * quote, or (size_t)-1 when it is not closed. Backslash escapes any
 * byte (RFC 3261 quoted-pair). */
static size_t rt_msg_quoted(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\') {
			if (++i == n)
				return (size_t)-1;
		} else if (s[i] == '"') {
			return i + 1;
		}
	}
	return (size_t)-1;
}

/* A parameter value at s[i] (after '=' and blanks): a quoted-string, or
 * the bytes up to a blank, ';' or ','. *ve gets its end; returns the
 * index after it, or (size_t)-1 when empty or unclosed. */
static size_t rt_msg_pvalue(const char *s, size_t i, size_t n, size_t *ve)
{
	size_t k;

	if (i < n && s[i] == '"') {
		k = rt_msg_quoted(s, i, n);
		if (k == (size_t)-1)
			return (size_t)-1;
		*ve = k;
		return k;
	}
	for (k = i; k < n && !rt_msg_lws((unsigned char)s[k]) && s[k] != ';' &&
			s[k] != ','; k++)
		;
	if (k == i)
		return (size_t)-1;
	*ve = k;
	return k;
}

/* name-addr / addr-spec with its parameters, one value of s[0..n) from
 * *pos. `list`: a ',' ends the value (Contact, Route ...); otherwise a
 * ',' in an unquoted display name is taken as Kamailio does (baddn).
 * 1 parsed (*pos after the value and its ','), 0 nothing left, -1 bad. */
static int rt_msg_na(const char *s, size_t n, size_t *pos, rt_nameaddr *na,
		int list)
{
	size_t i = *pos, start, k, last;

	memset(na, 0, sizeof(*na));
	i = rt_msg_skip_lws(s, i, n);
	if (i == n)
		return 0;
	start = i;
	if (s[i] == '*') {
		/* Contact: * */
		k = rt_msg_skip_lws(s, i + 1, n);
		if (k == n || (list && s[k] == ',')) {
			na->uri = rt_msg_view(s + i, 1);
			na->whole = na->uri;
			*pos = k < n ? k + 1 : n;
			return 1;
		}
	}
	if (s[i] == '"') {
		k = rt_msg_quoted(s, i, n);
		if (k == (size_t)-1)
			return -1;
		na->display = rt_msg_view(s + i + 1, k - i - 2);
		na->display_raw = rt_msg_view(s + i, k - i);
		i = rt_msg_skip_lws(s, k, n);
		if (i == n || s[i] != '<')
			return -1;
	} else {
		for (k = i; k < n && s[k] != '<' && s[k] != ':' && s[k] != '"' &&
				!(list && s[k] == ','); k++)
			;
		if (k == n || s[k] == '"' || s[k] == ',')
			return -1;
		if (s[k] == '<') {
			size_t de = k;
			while (de > i && rt_msg_lws((unsigned char)s[de - 1]))
				de--;
			if (de > i) {
				na->display = rt_msg_view(s + i, de - i);
				na->display_raw = na->display;
			}
			i = k;
		}
	}
	if (s[i] == '<') {
		size_t us, ue;
		for (k = i + 1; k < n && s[k] != '>'; k++)
			;
		if (k == n)
			return -1;
		us = rt_msg_skip_lws(s, i + 1, k);
		ue = k;
		while (ue > us && rt_msg_lws((unsigned char)s[ue - 1]))
			ue--;
		if (ue == us)
			return -1;
		na->uri = rt_msg_view(s + us, ue - us);
		i = k + 1;
	} else {
		for (k = i; k < n && s[k] != ';' && !rt_msg_lws((unsigned char)s[k]) &&
				!(list && s[k] == ','); k++)
			;
		na->uri = rt_msg_view(s + i, k - i);
		i = k;
	}
	last = i;
	/* ;params */
	i = rt_msg_skip_lws(s, i, n);
	while (i < n && s[i] == ';') {
		size_t ns, ne, vs = 0, ve = 0;
		int has_val = 0;
		i = rt_msg_skip_lws(s, i + 1, n);
		ns = i;
		while (i < n && rt_msg_tokch((unsigned char)s[i]))
			i++;
		ne = i;
		if (ne == ns)
			return -1;
		if (na->params.s == NULL)
			na->params.s = s + ns;
		i = rt_msg_skip_lws(s, i, n);
		if (i < n && s[i] == '=') {
			i = rt_msg_skip_lws(s, i + 1, n);
			vs = i;
			if (i == n || s[i] == ';' || (list && s[i] == ',')) {
				/* an empty value (";tag="): Kamailio takes it */
				ve = i;
			} else {
				i = rt_msg_pvalue(s, i, n, &ve);
				if (i == (size_t)-1)
					return -1;
			}
			has_val = 1;
			last = ve;
		} else {
			last = ne;
		}
		if (ne - ns == 3 && rt_msg_is(s + ns, 3, "tag"))
			na->tag = has_val ? rt_msg_view(s + vs, ve - vs) :
				rt_msg_view(s + ne, 0);
		i = rt_msg_skip_lws(s, i, n);
	}
	if (na->params.s)
		na->params.len = (size_t)(s + last - na->params.s);
	na->whole = rt_msg_view(s + start, last - start);
	if (i == n) {
		*pos = n;
		return 1;
	}
	if (list && s[i] == ',') {
		*pos = i + 1;
		return 1;
	}
	return -1;
}

/* See rt.h. */
int rt_nameaddr_parse(const char *s, size_t len, rt_nameaddr *na)
{
	size_t pos = 0;

	if (s == NULL || len > RT_MSG_MAX_LEN)
		return -1;
	return rt_msg_na(s, len, &pos, na, 0) == 1 ? 0 : -1;
}

/* See rt.h. */
int rt_nameaddr_next(const char *s, size_t len, size_t *off, rt_nameaddr *na)
{
	size_t pos = *off;
	rt_nameaddr tmp;
	int r;

	if (s == NULL || len > RT_MSG_MAX_LEN || pos > len)
		return -1;
	r = rt_msg_na(s, len, &pos, &tmp, 1);
	if (r == 1) {
		*na = tmp;
		*off = pos;
	}
	return r;
}

/* A host of a Via sent-by at s[i]: "[IPv6]" or a name / IPv4 (letters,
 * digits, '-', '.', '_'). The index after it, or (size_t)-1. */
static size_t rt_msg_via_host(const char *s, size_t i, size_t n)
{
	size_t k = i;

	if (k < n && s[k] == '[') {
		size_t colons = 0;
		for (k++; k < n && s[k] != ']'; k++) {
			int c = (unsigned char)s[k];
			if (c == ':')
				colons++;
			else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
						(c >= 'A' && c <= 'F') || c == '.'))
				return (size_t)-1;
		}
		if (k == n || colons < 2 || k - i > 47)
			return (size_t)-1;
		return k + 1;
	}
	while (k < n) {
		int c = (unsigned char)s[k];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
				(c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_')
			k++;
		else
			break;
	}
	return k == i ? (size_t)-1 : k;
}

/* A token at s[i]: the index after it (i when none). */
static size_t rt_msg_token(const char *s, size_t i, size_t n)
{
	while (i < n && rt_msg_tokch((unsigned char)s[i]))
		i++;
	return i;
}

/* comment = "(" *(ctext / quoted-pair / comment) ")" at s[i] == '(': the
 * index after its ')', or (size_t)-1 when it is not closed or holds a
 * control character other than blanks (5.6.3 drops a Via with a NUL in
 * its comment; RFC 3261 ctext has none). */
static size_t rt_msg_comment(const char *s, size_t i, size_t n)
{
	int depth = 0;

	for (; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < n)
			i++;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return i + 1;
		else if ((c < ' ' && !rt_msg_lws(c)) || c == 0x7f)
			return (size_t)-1;
	}
	return (size_t)-1;
}

/* 1 when a comment at s[k] closes the Via value: only blanks, then a ','
 * or the end, after it. */
static int rt_msg_comment_last(const char *s, size_t k, size_t n)
{
	k = rt_msg_comment(s, k, n);
	if (k == (size_t)-1)
		return 0;
	k = rt_msg_skip_lws(s, k, n);
	return k == n || s[k] == ',';
}

/* via-parm = sent-protocol LWS sent-by *( SEMI via-params ) [comment],
 * one value of s[0..n) from *pos. 1 parsed (*pos after it and its ','),
 * 0 nothing left, -1 bad (RFC 4475 badinv01 and badvers are). */
static int rt_msg_via(const char *s, size_t n, size_t *pos, rt_via *v)
{
	size_t i = *pos, k, start, last;

	memset(v, 0, sizeof(*v));
	i = rt_msg_skip_lws(s, i, n);
	if (i == n)
		return 0;
	start = i;
	k = rt_msg_token(s, i, n);
	if (k - i != 3 || !rt_msg_is(s + i, 3, "sip"))
		return -1;
	v->name = rt_msg_view(s + i, 3);
	i = rt_msg_skip_lws(s, k, n);
	if (i == n || s[i] != '/')
		return -1;
	i = rt_msg_skip_lws(s, i + 1, n);
	k = rt_msg_token(s, i, n);
	if (k - i != 3 || memcmp(s + i, "2.0", 3) != 0)
		return -1;
	v->version = rt_msg_view(s + i, 3);
	i = rt_msg_skip_lws(s, k, n);
	if (i == n || s[i] != '/')
		return -1;
	i = rt_msg_skip_lws(s, i + 1, n);
	k = rt_msg_token(s, i, n);
	if (k == i)
		return -1;
	v->proto = rt_msg_view(s + i, k - i);
	i = rt_msg_skip_lws(s, k, n);
	if (i == k)
		return -1;
	k = rt_msg_via_host(s, i, n);
	if (k == (size_t)-1)
		return -1;
	v->host = rt_msg_view(s + i, k - i);
	last = k;
	i = rt_msg_skip_lws(s, k, n);
	if (i < n && s[i] == ':') {
		uint32_t port = 0;
		i = rt_msg_skip_lws(s, i + 1, n);
		for (k = i; k < n && s[k] >= '0' && s[k] <= '9'; k++) {
			port = port * 10 + (uint32_t)(s[k] - '0');
			if (k - i >= 5 || port > 65535)
				return -1;
		}
		if (k == i)
			return -1;
		v->port = rt_msg_view(s + i, k - i);
		v->port_no = (uint16_t)port;
		last = k;
		i = rt_msg_skip_lws(s, k, n);
	}
	while (i < n && s[i] == ';') {
		size_t ps = i + 1, ns, ne, vs = 0, ve = 0;
		int has_val = 0;
		rt_view val, param;
		if (v->params.s == NULL)
			v->params.s = s + ps;
		i = rt_msg_skip_lws(s, ps, n);
		ns = i;
		i = rt_msg_token(s, i, n);
		ne = i;
		if (ne == ns)
			return -1;
		i = rt_msg_skip_lws(s, i, n);
		if (i < n && s[i] == '=') {
			i = rt_msg_skip_lws(s, i + 1, n);
			vs = i;
			if (i < n && s[i] == '[') {
				/* received=[IPv6] (RFC 5118 §4.5) */
				for (ve = i; ve < n && s[ve] != ']'; ve++)
					;
				if (ve == n)
					return -1;
				i = ++ve;
			} else {
				i = rt_msg_pvalue(s, i, n, &ve);
				if (i == (size_t)-1)
					return -1;
				/* a comment right after the value ends it: 5.6.3 puts
				 * ;received= between the host and a comment there
				 * ("h;received=192.0.2.1(a; b)"); elsewhere a '(' stays
				 * in the value, as in 5.6.3 */
				for (k = vs + 1; k < ve && s[k] != '('; k++)
					;
				if (k < ve && rt_msg_comment_last(s, k, n))
					i = ve = k;
			}
			has_val = 1;
			last = ve;
		} else {
			last = ne;
		}
		i = rt_msg_skip_lws(s, i, n);
		val = has_val ? rt_msg_view(s + vs, ve - vs) : rt_msg_view(s + ne, 0);
		/* as 5.6.3 sees a parameter: blanks after ';' included, and the
		 * blanks after it too when it has no value */
		param = rt_msg_view(s + ps, (has_val ? ve : i) - ps);
		switch (ne - ns) {
		case 1:
			if (rt_msg_is(s + ns, 1, "i"))
				v->i = val;
			break;
		case 3:
			if (rt_msg_is(s + ns, 3, "ttl"))
				v->ttl = val;
			break;
		case 5:
			if (rt_msg_is(s + ns, 5, "rport")) {
				v->rport = val;
				v->has_rport = 1;
				v->rport_param = param;
			} else if (rt_msg_is(s + ns, 5, "maddr")) {
				v->maddr = val;
			}
			break;
		case 6:
			if (rt_msg_is(s + ns, 6, "branch"))
				v->branch = val;
			break;
		case 8:
			if (rt_msg_is(s + ns, 8, "received")) {
				v->received = val;
				v->has_received = 1;
				v->received_param = param;
			}
			break;
		}
	}
	if (v->params.s)
		v->params.len = (size_t)(s + last - v->params.s);
	if (i < n && s[i] == '(') {
		/* a comment: RFC 3261 allows one after the parameters */
		i = rt_msg_comment(s, i, n);
		if (i == (size_t)-1)
			return -1;
		last = i;
		i = rt_msg_skip_lws(s, i, n);
	}
	v->whole = rt_msg_view(s + start, last - start);
	if (i == n) {
		*pos = n;
		return 1;
	}
	if (s[i] == ',') {
		*pos = i + 1;
		/* a ',' must be followed by another value */
		k = rt_msg_skip_lws(s, i + 1, n);
		return k < n ? 1 : -1;
	}
	return -1;
}

/* See rt.h. */
int rt_via_parse(const char *s, size_t len, rt_via *v)
{
	size_t pos = 0;

	if (s == NULL || len > RT_MSG_MAX_LEN)
		return -1;
	return rt_msg_via(s, len, &pos, v) == 1 ? 0 : -1;
}

/* See rt.h. */
int rt_via_next(const char *s, size_t len, size_t *off, rt_via *v)
{
	size_t pos = *off;
	rt_via tmp;
	int r;

	if (s == NULL || len > RT_MSG_MAX_LEN || pos > len)
		return -1;
	r = rt_msg_via(s, len, &pos, &tmp);
	if (r == 1) {
		*v = tmp;
		*off = pos;
	}
	return r;
}

/* See rt.h. CSeq = 1*DIGIT LWS Method. Numbers above 2^32-1 are refused
 * (no wraparound: RFC 4475 scalar02). */
int rt_cseq_parse(const char *s, size_t len, rt_cseq *c)
{
	size_t i, k;
	uint64_t v = 0;

	memset(c, 0, sizeof(*c));
	if (s == NULL || len > RT_MSG_MAX_LEN)
		return -1;
	i = rt_msg_skip_lws(s, 0, len);
	for (k = i; k < len && s[k] >= '0' && s[k] <= '9'; k++) {
		v = v * 10 + (uint64_t)(s[k] - '0');
		if (v > 0xffffffffu)
			return -1;
	}
	if (k == i)
		return -1;
	c->number = rt_msg_view(s + i, k - i);
	c->no = (uint32_t)v;
	i = rt_msg_skip_lws(s, k, len);
	if (i == k)
		return -1;
	k = rt_msg_token(s, i, len);
	if (k == i)
		return -1;
	c->method = rt_msg_view(s + i, k - i);
	if (rt_msg_skip_lws(s, k, len) != len)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Lazily parsed headers
 * ------------------------------------------------------------------------ */

/* Parse the first header of `type` as a name-addr into *na once. */
static const rt_nameaddr *rt_msg_lazy_na(rt_msg *m, int type, int8_t *st,
		rt_nameaddr *na, int list)
{
	rt_hdr *h;
	size_t pos = 0;

	if (*st == 0) {
		h = m->first[type] >= 0 ? &m->hdrs[m->first[type]] : NULL;
		if (h == NULL) {
			*st = -1;
		} else if (rt_msg_na(h->body.s, h->body.len, &pos, na, list) == 1 &&
				na->uri.len > 0) {
			*st = 1;
			h->parsed = na;
		} else {
			*st = -1;
			m->parse_error = 1;
		}
	}
	return *st == 1 ? na : NULL;
}

/* See rt.h. */
const rt_nameaddr *rt_msg_to(rt_msg *m)
{
	return rt_msg_lazy_na(m, RT_HDR_TO, &m->to_st, &m->to_p, 0);
}

/* See rt.h. */
const rt_nameaddr *rt_msg_from(rt_msg *m)
{
	return rt_msg_lazy_na(m, RT_HDR_FROM, &m->from_st, &m->from_p, 0);
}

/* See rt.h. */
const rt_nameaddr *rt_msg_contact(rt_msg *m)
{
	return rt_msg_lazy_na(m, RT_HDR_CONTACT, &m->contact_st, &m->contact_p, 1);
}

/* A header's body with the blanks at its end (5.6.3 counts them in, and
 * a Via parameter's extent depends on it). */
static rt_view rt_msg_body_untrimmed(const rt_hdr *h)
{
	const char *e = h->raw.s + h->raw.len;

	if (e > h->raw.s && e[-1] == '\n')
		e--;
	if (e > h->raw.s && e[-1] == '\r')
		e--;
	if (e < h->body.s + h->body.len)
		e = h->body.s + h->body.len;
	return rt_msg_view(h->body.s, (size_t)(e - h->body.s));
}

/* 1 when every Via value of b[pos..) parses (0 values is fine), else 0. */
static int rt_msg_via_rest_ok(rt_view b, size_t pos)
{
	rt_via tmp;
	int r;

	while ((r = rt_msg_via(b.s, b.len, &pos, &tmp)) == 1)
		;
	return r == 0;
}

/* The first Via value, with the offset after it in its header body. The
 * whole first Via line must parse: 5.6.3's parse_via reads every value
 * of the header the top Via is in, and a bad later one ("v: SIP/2.0/UDP
 * h;branch=z9hG4bK1 ,;tag=x", "bad char <;> in next via") makes the
 * message unparseable, so it is dropped on receipt. */
static const rt_via *rt_msg_via1_at(rt_msg *m, size_t *after)
{
	rt_hdr *h;
	size_t pos = 0;

	h = m->first[RT_HDR_VIA] >= 0 ? &m->hdrs[m->first[RT_HDR_VIA]] : NULL;
	if (m->via1_st == 0) {
		if (h == NULL) {
			m->via1_st = -1;
		} else if (rt_msg_via(h->body.s, rt_msg_body_untrimmed(h).len, &pos,
					&m->via1_p) == 1 &&
				rt_msg_via_rest_ok(rt_msg_body_untrimmed(h), pos)) {
			m->via1_st = 1;
			m->via1_hdr = m->first[RT_HDR_VIA];
			h->parsed = &m->via1_p;
		} else {
			m->via1_st = -1;
			m->parse_error = 1;
		}
	}
	if (m->via1_st != 1)
		return NULL;
	if (after) {
		/* where the first value ended: re-derive from its view */
		const char *e = m->via1_p.whole.s + m->via1_p.whole.len;
		*after = (size_t)(e - h->body.s);
	}
	return &m->via1_p;
}

/* See rt.h. */
const rt_via *rt_msg_via1(rt_msg *m)
{
	return rt_msg_via1_at(m, NULL);
}

/* See rt.h. The second Via value: after the first in the same line, else
 * the first of the next Via line. */
const rt_via *rt_msg_via2(rt_msg *m)
{
	size_t pos;
	int r;

	if (m->via2_st == 0) {
		if (rt_msg_via1_at(m, &pos) == NULL) {
			m->via2_st = -1;
		} else {
			rt_hdr *h = &m->hdrs[m->via1_hdr];
			rt_view b = rt_msg_body_untrimmed(h);
			int idx = m->via1_hdr;
			/* skip blanks and the ',' after the first value */
			pos = rt_msg_skip_lws(b.s, pos, b.len);
			if (pos < b.len && b.s[pos] == ',')
				pos++;
			else
				pos = b.len;
			r = rt_msg_via(b.s, b.len, &pos, &m->via2_p);
			if (r == 0) {
				unsigned i;
				idx = -1;
				for (i = (unsigned)m->via1_hdr + 1; i < m->nhdrs; i++)
					if (m->hdrs[i].type == RT_HDR_VIA) {
						idx = (int)i;
						break;
					}
				if (idx >= 0) {
					h = &m->hdrs[idx];
					b = rt_msg_body_untrimmed(h);
					pos = 0;
					r = rt_msg_via(b.s, b.len, &pos, &m->via2_p);
					/* that line must parse whole, as the first */
					if (r == 1 && !rt_msg_via_rest_ok(b, pos))
						r = -1;
					if (r == 1)
						h->parsed = &m->via2_p;
				}
			}
			if (r == 1) {
				m->via2_st = 1;
				m->via2_hdr = idx;
			} else {
				m->via2_st = -1;
				if (r < 0)
					m->parse_error = 1;
			}
		}
	}
	return m->via2_st == 1 ? &m->via2_p : NULL;
}

/* See rt.h. */
const rt_cseq *rt_msg_cseq(rt_msg *m)
{
	rt_hdr *h;

	if (m->cseq_st == 0) {
		h = m->first[RT_HDR_CSEQ] >= 0 ? &m->hdrs[m->first[RT_HDR_CSEQ]] : NULL;
		if (h == NULL) {
			m->cseq_st = -1;
		} else if (rt_cseq_parse(h->body.s, h->body.len, &m->cseq_p) == 0) {
			m->cseq_st = 1;
			h->parsed = &m->cseq_p;
		} else {
			m->cseq_st = -1;
			m->parse_error = 1;
		}
	}
	return m->cseq_st == 1 ? &m->cseq_p : NULL;
}

/* See rt.h. */
rt_view rt_msg_ruri_text(const rt_msg *m)
{
	if (m->new_uri)
		return rt_msg_view(m->new_uri, m->new_uri_len);
	return m->ruri;
}

/* See rt.h. */
const rt_uri *rt_msg_ruri(rt_msg *m)
{
	if (m->ruri_parsed == 0) {
		rt_view t = rt_msg_ruri_text(m);
		if (!m->is_request || t.s == NULL ||
				rt_uri_parse(t.s, t.len, &m->ruri_p) < 0)
			m->ruri_parsed = -1;
		else
			m->ruri_parsed = 1;
	}
	return m->ruri_parsed == 1 ? &m->ruri_p : NULL;
}

/* See rt.h. */
/* Whether c may appear in an unquoted display name (RFC 3261 §25.1:
 * token characters and the blanks between tokens). */
static int rt_msg_dn_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || strchr("-.!%*_+`'~ \t", c) != NULL;
}

/* A name-addr whose display name is unquoted and not made of tokens (RFC
 * 4475 §3.1.2.15). Blanks inside <addr-spec> (§3.1.2.14) are tolerated,
 * as the RFC allows. */
static int rt_msg_bad_nameaddr(const rt_nameaddr *na)
{
	if (na->display_raw.s && na->display_raw.len && na->display_raw.s[0] != '"')
		for (size_t i = 0; i < na->display_raw.len; i++)
			if (!rt_msg_dn_char(na->display_raw.s[i]))
				return 1;
	return 0;
}

/* The rules of RFC 3261 a request's structure must also meet, as the RFC
 * 4475 torture tests expect a server to enforce them (400 or dropped):
 * one To, From, Call-ID and CSeq line (§20, §3.3.8 of 4475); the CSeq
 * method equal to the request's (§8.1.1.5); a request line without
 * trailing blanks; a Request-URI not in <>, without ?headers (§19.1.1
 * Table 1) and, for sip:/sips:/tel:, one that parses (so an IPv6 host
 * needs its brackets, RFC 5118 §4.2); no unquoted display name with
 * non-token characters in To and From; a
 * REGISTER's addr-spec Contact without '?' (§20.10). Kamailio 5.6.3
 * routes most of these; sipvm drops them. */
static int rt_msg_check_request(rt_msg *m)
{
	static const int single[] = { RT_HDR_TO, RT_HDR_FROM, RT_HDR_CALLID, RT_HDR_CSEQ };
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (rt_msg_hdr_type(m, single[i], 1) != NULL)
			return rt_msg_fail(m, "a header that must appear once appears twice",
					rt_msg_hdr_type(m, single[i], 1)->raw.s);
	const rt_cseq *cs = rt_msg_cseq(m);
	if (cs->method.len != m->method.len || memcmp(cs->method.s, m->method.s, m->method.len) != 0)
		return rt_msg_fail(m, "CSeq method differs from the request's", cs->method.s);
	/* the request line: "METHOD SP URI SP VERSION" and its line end */
	const char *le = m->version.s + m->version.len;
	const char *fend = m->fline.s + m->fline.len;
	if (le < fend && (*le == ' ' || *le == '\t'))
		return rt_msg_fail(m, "blanks at the end of the request line", le);
	if (m->ruri.len && m->ruri.s[0] == '<')
		return rt_msg_fail(m, "Request-URI in <>", m->ruri.s);
	if (m->ruri.len > 4 && (!strncasecmp(m->ruri.s, "sip:", 4) ||
			!strncasecmp(m->ruri.s, "sips:", 5) || !strncasecmp(m->ruri.s, "tel:", 4))) {
		rt_uri u;
		if (rt_uri_parse(m->ruri.s, m->ruri.len, &u) < 0)
			return rt_msg_fail(m, "bad Request-URI", m->ruri.s);
		if (u.headers.s != NULL)
			return rt_msg_fail(m, "headers in the Request-URI", u.headers.s);
	}
	if (rt_msg_bad_nameaddr(rt_msg_to(m)) || rt_msg_bad_nameaddr(rt_msg_from(m)))
		return rt_msg_fail(m, "bad display name or addr-spec in To or From", NULL);
	if (m->method_id == RT_M_REGISTER && m->first[RT_HDR_CONTACT] >= 0) {
		for (unsigned n = 0; ; n++) {
			rt_hdr *h = rt_msg_hdr_type(m, RT_HDR_CONTACT, (int)n);
			if (h == NULL)
				break;
			const char *b = h->body.s, *e = b + h->body.len;
			while (b < e && (*b == ' ' || *b == '\t'))
				b++;
			/* addr-spec form: no '<' before the first ';' */
			const char *semi = memchr(b, ';', (size_t)(e - b));
			const char *lt = memchr(b, '<', (size_t)(e - b));
			const char *stop = semi ? semi : e;
			if (!lt && memchr(b, '?', (size_t)(stop - b)))
				return rt_msg_fail(m, "'?' in an addr-spec Contact", b);
		}
	}
	return 0;
}

int rt_msg_check(rt_msg *m)
{
	if (m->is_http)
		return 0;
	if (m->first[RT_HDR_VIA] < 0)
		return rt_msg_fail(m, "no Via", NULL);
	if (rt_msg_via1(m) == NULL)
		return rt_msg_fail(m, "bad Via", m->hdrs[m->first[RT_HDR_VIA]].body.s);
	if (m->is_request) {
		if (m->first[RT_HDR_FROM] < 0)
			return rt_msg_fail(m, "no From", NULL);
		if (rt_msg_from(m) == NULL)
			return rt_msg_fail(m, "bad From", m->hdrs[m->first[RT_HDR_FROM]].body.s);
		if (m->first[RT_HDR_TO] < 0)
			return rt_msg_fail(m, "no To", NULL);
		if (rt_msg_to(m) == NULL)
			return rt_msg_fail(m, "bad To", m->hdrs[m->first[RT_HDR_TO]].body.s);
		if (m->first[RT_HDR_CALLID] < 0)
			return rt_msg_fail(m, "no Call-ID", NULL);
	}
	if (m->first[RT_HDR_CSEQ] < 0)
		return rt_msg_fail(m, "no CSeq", NULL);
	if (rt_msg_cseq(m) == NULL)
		return rt_msg_fail(m, "bad CSeq", m->hdrs[m->first[RT_HDR_CSEQ]].body.s);
	if (m->is_request)
		return rt_msg_check_request(m);
	return 0;
}

/* ------------------------------------------------------------------------
 * What a script changes
 * ------------------------------------------------------------------------ */

/* Replace *dst (length *dlen) with a NUL-terminated copy of s[0..len);
 * s NULL clears it. 0 or -1 (memory, *dst unchanged). */
static int rt_msg_set_copy(char **dst, size_t *dlen, const char *s, size_t len)
{
	char *c = NULL;

	if (s != NULL) {
		if (len > RT_MSG_MAX_LEN)
			return -1;
		c = malloc(len + 1);
		if (c == NULL)
			return -1;
		memcpy(c, s, len);
		c[len] = '\0';
	}
	free(*dst);
	*dst = c;
	*dlen = c ? len : 0;
	return 0;
}

/* See rt.h. s NULL goes back to the request line's URI. */
int rt_msg_set_ruri(rt_msg *m, const char *s, size_t len)
{
	if (rt_msg_set_copy(&m->new_uri, &m->new_uri_len, s, len) < 0)
		return -1;
	m->ruri_parsed = 0;
	return 0;
}

/* See rt.h. s NULL clears $du. */
int rt_msg_set_duri(rt_msg *m, const char *s, size_t len)
{
	return rt_msg_set_copy(&m->dst_uri, &m->dst_uri_len, s, len);
}

/* See rt.h. The list stays sorted by offset, a new change going after
 * the ones already at its offset. Offsets end at the body's end (bytes
 * of a datagram past Content-Length are not part of the message). */
int rt_msg_lump(rt_msg *m, size_t off, size_t del, const char *ins, size_t inslen)
{
	rt_lump *l, **pp;
	size_t end = m->body.s ? (size_t)(m->body.s + m->body.len - m->buf) : m->len;

	if (off > end || del > end - off || (ins == NULL && inslen > 0) ||
			inslen > RT_MSG_MAX_LEN)
		return -1;
	if (del == 0 && inslen == 0)
		return 0;
	for (l = m->lumps; l; l = l->next) {
		size_t le = l->off + l->del;
		/* two deletions may not share a byte */
		if (del > 0 && l->del > 0 && off < le && l->off < off + del)
			return -1;
		/* nothing may go strictly inside a deleted range */
		if (l->del > 0 && off > l->off && off < le)
			return -1;
		if (del > 0 && l->off > off && l->off < off + del)
			return -1;
	}
	l = malloc(sizeof(*l));
	if (l == NULL)
		return -1;
	l->off = off;
	l->del = del;
	l->ins = NULL;
	l->inslen = 0;
	l->next = NULL;
	if (inslen > 0) {
		l->ins = malloc(inslen);
		if (l->ins == NULL) {
			free(l);
			return -1;
		}
		memcpy(l->ins, ins, inslen);
		l->inslen = inslen;
	}
	for (pp = &m->lumps; *pp && (*pp)->off <= off; pp = &(*pp)->next)
		;
	l->next = *pp;
	*pp = l;
	return 0;
}

/* See rt.h. */
size_t rt_msg_hdrs_start(const rt_msg *m)
{
	if (m->nhdrs > 0)
		return (size_t)(m->hdrs[0].raw.s - m->buf);
	return m->fline.s ? (size_t)(m->fline.s + m->fline.len - m->buf) : 0;
}

/* See rt.h. */
size_t rt_msg_hdrs_end(const rt_msg *m)
{
	const rt_hdr *h;

	if (m->nhdrs == 0)
		return rt_msg_hdrs_start(m);
	h = &m->hdrs[m->nhdrs - 1];
	return (size_t)(h->raw.s + h->raw.len - m->buf);
}

/* See rt.h. */
int rt_msg_reply_lump(rt_msg *m, const char *ins, size_t inslen)
{
	rt_lump *l, **pp;

	if (ins == NULL || inslen == 0)
		return 0;
	if (inslen > RT_MSG_MAX_LEN)
		return -1;
	l = malloc(sizeof(*l));
	if (l == NULL)
		return -1;
	l->ins = malloc(inslen);
	if (l->ins == NULL) {
		free(l);
		return -1;
	}
	memcpy(l->ins, ins, inslen);
	l->inslen = inslen;
	l->off = 0;
	l->del = 0;
	l->next = NULL;
	for (pp = &m->reply_lumps; *pp; pp = &(*pp)->next)
		;
	*pp = l;
	return 0;
}
