/*
 * rt_uri.c — allocation-free parser of SIP, SIPS and TEL URIs.
 *
 * RFC 3261 §19.1:
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *   hostport = host [ ":" port ]     host = hostname / IPv4address / IPv6reference
 * and RFC 3966 for tel: (the number, then ;parameters).
 *
 * Tolerant where Kamailio 5.6.3 is: the scheme is case-insensitive, the user
 * may hold ';' and %-escapes (kept as written), the password and the port may
 * be empty ("sip:bob:@host", "sip:bob@host:"). Strict where it is strict: an
 * empty user before '@', an empty host, a port above 65535 or with letters,
 * and blanks in the host make the URI invalid.
 */
#include "rt.h"

#include <string.h>

static int rt_uri_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive compare of a view with a NUL-terminated lower-case word. */
static int rt_uri_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || rt_uri_lower((unsigned char)s[i]) != word[i])
			return 0;
	return word[len] == '\0';
}

static int rt_uri_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z');
}

static int rt_uri_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* A byte that may never appear in a URI part: controls, blanks, '<' '>' '"'. */
static int rt_uri_bad(int c)
{
	return c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"';
}

/* Dotted quad with each part 0..255: 1, else 0. */
static int rt_uri_ipv4(const char *s, size_t len)
{
	size_t i, ndig = 0, nparts = 1;
	unsigned v = 0;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (ndig == 0 || ++nparts > 4)
				return 0;
			ndig = 0;
			v = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (++ndig > 3 || v > 255)
				return 0;
		} else {
			return 0;
		}
	}
	return nparts == 4 && ndig > 0;
}

/* The inside of "[...]": hex digits, ':' and '.' (embedded IPv4), with at
 * least two ':'. 1, else 0. */
static int rt_uri_ipv6(const char *s, size_t len)
{
	size_t i, ncolon = 0;

	if (len < 2 || len > 45)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ':')
			ncolon++;
		else if (!rt_uri_hex((unsigned char)s[i]) && s[i] != '.')
			return 0;
	}
	return ncolon >= 2;
}

/* Hostname: letters, digits, '-', '.' (Kamailio refuses '_'). 1, else 0. */
static int rt_uri_hostname(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (!rt_uri_alnum(c) && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* Split s[0..len) (the text after the first ';', before '?') into u->param
 * and fill the well-known fields. 0, or -1 past RT_URI_MAX_PARAMS. */
static int rt_uri_params(rt_uri *u, const char *s, size_t len)
{
	size_t i = 0;

	while (i <= len) {
		size_t start = i, eq = (size_t)-1;
		rt_uri_param *p;

		while (i < len && s[i] != ';') {
			if (s[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (i > start) {
			if (u->nparams >= RT_URI_MAX_PARAMS)
				return -1;
			p = &u->param[u->nparams++];
			p->name.s = s + start;
			p->name.len = (eq == (size_t)-1 ? i : eq) - start;
			if (eq == (size_t)-1) {
				p->value.s = NULL;
				p->value.len = 0;
			} else {
				p->value.s = s + eq + 1;
				p->value.len = i - eq - 1;
			}
			{
				rt_view v = p->value;
				const char *n = p->name.s;
				size_t nl = p->name.len;
				if (v.s == NULL) { /* present without a value */
					v.s = s + i;
					v.len = 0;
				}
				if (rt_uri_is(n, nl, "transport"))
					u->transport = v;
				else if (rt_uri_is(n, nl, "ttl"))
					u->ttl = v;
				else if (rt_uri_is(n, nl, "user"))
					u->uparam = v;
				else if (rt_uri_is(n, nl, "maddr"))
					u->maddr = v;
				else if (rt_uri_is(n, nl, "method"))
					u->method = v;
				else if (rt_uri_is(n, nl, "lr"))
					u->lr = v;
				else if (rt_uri_is(n, nl, "r2"))
					u->r2 = v;
			}
		}
		i++; /* past ';' (or past the end, which stops the loop) */
	}
	return 0;
}

/* Parse host[:port] in s[0..len). 0 or -1. */
static int rt_uri_hostport(rt_uri *u, const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return -1;
	if (s[0] == '[') {
		while (i < len && s[i] != ']')
			i++;
		if (i == len || !rt_uri_ipv6(s + 1, i - 1))
			return -1;
		i++;
		u->host_kind = RT_HOST_IPV6;
	} else {
		while (i < len && s[i] != ':')
			i++;
		if (rt_uri_ipv4(s, i))
			u->host_kind = RT_HOST_IPV4;
		else if (rt_uri_hostname(s, i))
			u->host_kind = RT_HOST_NAME;
		else
			return -1;
	}
	u->host.s = s;
	u->host.len = i;
	if (i == len)
		return 0;
	if (s[i] != ':')
		return -1;
	i++;
	u->port.s = s + i;
	u->port.len = len - i;
	{
		uint32_t v = 0;
		size_t k;
		if (u->port.len > 5)
			return -1;
		for (k = 0; k < u->port.len; k++) {
			if (u->port.s[k] < '0' || u->port.s[k] > '9')
				return -1;
			v = v * 10 + (uint32_t)(u->port.s[k] - '0');
		}
		if (v > 65535)
			return -1;
		u->port_no = (uint16_t)v;
	}
	return 0;
}

/* See rt.h. */
int rt_uri_parse(const char *s, size_t len, rt_uri *u)
{
	size_t i, colon, end, at, pstart;

	memset(u, 0, sizeof(*u));
	if (s == NULL || len == 0 || len > RT_URI_MAX_LEN)
		return -1;
	for (colon = 0; colon < len && colon < 5 && s[colon] != ':'; colon++)
		;
	if (colon == len || s[colon] != ':')
		return -1;
	if (rt_uri_is(s, colon, "sip"))
		u->type = RT_URI_SIP;
	else if (rt_uri_is(s, colon, "sips"))
		u->type = RT_URI_SIPS;
	else if (rt_uri_is(s, colon, "tel"))
		u->type = RT_URI_TEL;
	else if (rt_uri_is(s, colon, "tels"))
		u->type = RT_URI_TELS;
	else
		return -1;
	u->scheme.s = s;
	u->scheme.len = colon;
	i = colon + 1;

	/* The userinfo ends at the first '@' anywhere: '@' may appear raw only
	 * there (user and password may hold '?', '/' and ';'; params and
	 * headers may not hold '@'). */
	for (at = i; at < len && s[at] != '@'; at++)
		;
	if (u->type == RT_URI_TEL || u->type == RT_URI_TELS)
		at = len;
	pstart = at < len ? at + 1 : i;

	/* Headers: from the first '?' after the userinfo. */
	for (end = pstart; end < len && s[end] != '?'; end++)
		;
	if (end < len) {
		u->headers.s = s + end + 1;
		u->headers.len = len - end - 1;
	}

	if (u->type == RT_URI_TEL || u->type == RT_URI_TELS) {
		size_t k;
		for (k = i; k < end && s[k] != ';'; k++)
			if (rt_uri_bad((unsigned char)s[k]))
				return -1;
		if (k == i)
			return -1;
		u->user.s = s + i;
		u->user.len = k - i;
		if (k < end) {
			u->params.s = s + k + 1;
			u->params.len = end - k - 1;
			if (rt_uri_params(u, u->params.s, u->params.len) < 0)
				return -1;
		}
		return 0;
	}

	if (at < len) {
		size_t k, pc = (size_t)-1;
		if (at == i)
			return -1;
		for (k = i; k < at; k++) {
			if (rt_uri_bad((unsigned char)s[k]))
				return -1;
			if (s[k] == ':' && pc == (size_t)-1)
				pc = k;
		}
		u->user.s = s + i;
		u->user.len = (pc == (size_t)-1 ? at : pc) - i;
		if (u->user.len == 0)
			return -1;
		if (pc != (size_t)-1) {
			u->passwd.s = s + pc + 1;
			u->passwd.len = at - pc - 1;
		}
	}

	/* hostport, then ;params */
	{
		size_t k = pstart;
		if (k < end && s[k] == '[')
			while (k < end && s[k] != ']')
				k++;
		while (k < end && s[k] != ';')
			k++;
		if (rt_uri_hostport(u, s + pstart, k - pstart) < 0)
			return -1;
		if (k < end) {
			u->params.s = s + k + 1;
			u->params.len = end - k - 1;
			if (rt_uri_params(u, u->params.s, u->params.len) < 0)
				return -1;
		}
	}
	return 0;
}

/* See rt.h. */
const rt_uri_param *rt_uri_param_find(const rt_uri *u, const char *name,
		size_t len)
{
	size_t i, k;

	for (i = 0; i < u->nparams; i++) {
		const rt_uri_param *p = &u->param[i];
		if (p->name.len != len)
			continue;
		for (k = 0; k < len; k++)
			if (rt_uri_lower((unsigned char)p->name.s[k]) !=
					rt_uri_lower((unsigned char)name[k]))
				break;
		if (k == len)
			return p;
	}
	return NULL;
}
