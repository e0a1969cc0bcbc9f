/*
 * rt_frame.c — where one message ends in a TCP (or TLS) byte stream.
 *
 * A stream carries messages back to back: a message is its header
 * section (up to the first empty line, CRLF CRLF or LF LF) and then as
 * many body bytes as its Content-Length says (RFC 3261 §18.3: on a
 * stream the header is mandatory). Between messages there may be empty
 * lines (§7.5: ignored) and CRLF CRLF keep-alives (RFC 5626 §3.5.1: the
 * receiver answers CRLF). rt_frame looks at the bytes a connection has
 * buffered and says which of these is at their start, and how long.
 *
 * Resumable: the connection keeps one size_t (*scan) per message being
 * read. While the empty line has not come, it holds where the search for
 * it stops (every LF before it was looked at); once it has come, the
 * message's length (marked by RT_FRAME_KNOWN), so the bytes of a header
 * or a body that trickle in one at a time are each looked at once. The
 * Content-Length is read when the empty line is found, in one pass over
 * the header lines.
 *
 * What Kamailio 5.6.3 does, seen on TCP in a private network namespace
 * (request_route: append_to_reply of the Call-ID, sl_send_reply("200",
 * "OK"); a python client sends, then reads until EOF or 1 s of silence):
 *   - an OPTIONS without Content-Length, tcp_accept_no_cl=no (the
 *     default): no reply, "tcp_read_req(): bad request, state=7, error=4"
 *     (TCP_REQ_BAD_LEN) in its log, the connection closed; a message
 *     sent after it on the same connection is never answered. Here:
 *     RT_FRAME_BAD "no Content-Length", the server closes.
 *   - the same with tcp_accept_no_cl=yes: 200, the message ending at its
 *     empty line; two such messages pipelined get two 200s; an HTTP GET
 *     is framed the same way (then refused by its core, which wants a
 *     Via unless xhttp takes it). Here: RT_FRAME_NO_CL.
 *   - CRLF CRLF before, between and after messages: each answered with
 *     one CRLF, the messages around answered; CRLF, LF, SP or HT before
 *     a message skipped silently; LF LF is no keep-alive. Here: PING,
 *     SKIP.
 *   - "l: 0", "content-length : 0" (compact form, any case, blanks
 *     before ':'), LF-only line ends, a message sent one byte at a time
 *     (2 ms apart): answered. The same here.
 *   - "Content-Length: -5" or "0x": no reply, connection closed, with or
 *     without tcp_accept_no_cl (its reader or its parser refuses them).
 *     Here: RT_FRAME_BAD "bad Content-Length".
 *   - two Content-Length headers, equal (0 and 0) or not (0 and 5, 5 and
 *     0): its reader frames on the last one and the script runs, but
 *     building the reply fails ("parse_headers(): duplicate
 *     Content-Length header field"): no reply, connection closed. Here:
 *     differing values are RT_FRAME_BAD "conflicting Content-Length" (RFC
 *     4475 §3.3.9, mcl01: such a message cannot be framed); equal ones
 *     frame, as rt_msg_parse accepts them.
 *   - a header line of 70,000 bytes: "tcp_read(): buffer overrun", the
 *     connection closed (its buffer is 65,535 bytes). Here: RT_FRAME_BAD
 *     past RT_MSG_MAX_LEN.
 *   - a Content-Length value folded onto the next line (valid, RFC 3261
 *     §7.3.1): its reader does not see it, so without tcp_accept_no_cl
 *     the connection is closed, with it the message ends at the empty
 *     line. Here it is read, as rt_msg_parse reads it.
 */
#include "rt.h"

#include <string.h>

/* *scan at or above this: the header section was found and the whole
 * message is *scan - RT_FRAME_KNOWN bytes long. Below it: where the
 * search for the empty line goes on. A message is at most
 * RT_MSG_MAX_LEN bytes, so both ranges stay apart. */
#define RT_FRAME_KNOWN ((size_t)1 << 30)

static int rt_frame_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Blank before a message: SP, HT, CR, LF. */
static int rt_frame_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3261 token characters (header names), as rt_msg.c takes them. */
static int rt_frame_tokch(int c)
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

/* buf[0] is blank: a keep-alive (CRLF CRLF), blanks to drop, or too few
 * bytes to tell. The blanks dropped stop before a CR, which may start a
 * keep-alive (so " \r\n\r\n" is a SKIP of one byte, then a PING). */
static int rt_frame_blanks(const char *buf, size_t len, size_t *mlen)
{
	size_t i, n = len < 4 ? len : 4;

	if (memcmp(buf, "\r\n\r\n", n) == 0) {
		if (n < 4)
			return RT_FRAME_MORE;
		*mlen = 4;
		return RT_FRAME_PING;
	}
	for (i = 1; i < len && rt_frame_blank((unsigned char)buf[i]) && buf[i] != '\r'; i++)
		;
	*mlen = i;
	return RT_FRAME_SKIP;
}

/* Look for the empty line that ends the header section, from *scan on
 * (buf[0] starts the first line, so the first LF ends it). 1 found, with
 * *hend just after it and *hstop at its start; 0 not yet, *scan moved to
 * the first LF whose follower has not come. Only the first
 * RT_MSG_MAX_LEN bytes are looked at. */
static int rt_frame_head(const char *buf, size_t len, size_t *scan,
		size_t *hstop, size_t *hend)
{
	size_t lim = len < RT_MSG_MAX_LEN ? len : RT_MSG_MAX_LEN;
	size_t i = *scan;
	const char *nl;

	while (i < lim) {
		nl = memchr(buf + i, '\n', lim - i);
		if (nl == NULL) {
			i = lim;
			break;
		}
		i = (size_t)(nl - buf);
		if (i + 1 >= lim)
			break;
		if (buf[i + 1] == '\n') {
			*hstop = i + 1;
			*hend = i + 2;
			return 1;
		}
		if (buf[i + 1] == '\r') {
			if (i + 2 >= lim)
				break;
			if (buf[i + 2] == '\n') {
				*hstop = i + 1;
				*hend = i + 3;
				return 1;
			}
		}
		i++;
	}
	*scan = i;
	return 0;
}

/* A Content-Length value as rt_msg_parse takes it: s[0..n) with the
 * blanks (folding included) around it removed, 1 to 16 digits, at most
 * RT_MSG_MAX_LEN. 0 or -1. */
static int rt_frame_clen_value(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	while (n > 0 && rt_frame_blank((unsigned char)*s))
		s++, n--;
	while (n > 0 && rt_frame_blank((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n > 16)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > RT_MSG_MAX_LEN)
			return -1;
	}
	*out = v;
	return 0;
}

/* Is s[0..n) the name Content-Length, long or compact ("l"), in any
 * case? */
static int rt_frame_is_clen(const char *s, size_t n)
{
	static const char name[] = "content-length";
	size_t i;

	if (n == 1)
		return rt_frame_lower((unsigned char)s[0]) == 'l';
	if (n != sizeof(name) - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (rt_frame_lower((unsigned char)s[i]) != name[i])
			return 0;
	return 1;
}

/* The Content-Length of the header section: the lines after the first
 * one and before the empty line at hstop, a line starting with SP or HT
 * continuing the one before. 1 found (*clen), 0 none, -1 bad (*why):
 * a value that is not a number up to RT_MSG_MAX_LEN, or two that differ. */
static int rt_frame_clen(const char *buf, size_t hstop, uint32_t *clen,
		const char **why)
{
	const char *p = memchr(buf, '\n', hstop), *stop = buf + hstop;
	int found = 0;

	/* hstop follows an LF, so there is one before it */
	p = p ? p + 1 : stop;
	while (p < stop) {
		const char *line = p, *q, *nl, *next;
		uint32_t v;

		nl = memchr(p, '\n', (size_t)(stop - p));
		if (nl == NULL)
			break;
		next = nl + 1;
		while (next < stop && (*next == ' ' || *next == '\t')) {
			nl = memchr(next, '\n', (size_t)(stop - next));
			if (nl == NULL)
				break;
			next = nl + 1;
		}
		if (nl == NULL)
			break;
		for (q = line; q < nl && rt_frame_tokch((unsigned char)*q); q++)
			;
		if (rt_frame_is_clen(line, (size_t)(q - line))) {
			while (q < nl && (*q == ' ' || *q == '\t'))
				q++;
			if (q < nl && *q == ':') {
				q++;
				if (rt_frame_clen_value(q, (size_t)(nl - q), &v) < 0) {
					*why = "bad Content-Length";
					return -1;
				}
				if (found && v != *clen) {
					*why = "conflicting Content-Length";
					return -1;
				}
				found = 1;
				*clen = v;
			}
		}
		p = next;
	}
	return found;
}

/* See rt.h. Every verdict but RT_FRAME_MORE sets *scan back to 0: the
 * caller drops buf[0..*mlen) (or the connection) and calls again on what
 * follows. */
int rt_frame(const char *buf, size_t len, unsigned flags, size_t *scan,
		size_t *mlen, const char **why)
{
	size_t s = *scan, hstop = 0, hend = 0, total;
	uint32_t clen = 0;
	int rc;

	*mlen = 0;
	*why = NULL;
	if (len == 0)
		return RT_FRAME_MORE;
	if (s >= RT_FRAME_KNOWN) {
		total = s - RT_FRAME_KNOWN;
		if (total > 0 && total <= RT_MSG_MAX_LEN &&
				!rt_frame_blank((unsigned char)buf[0])) {
			if (len < total)
				return RT_FRAME_MORE;
			*scan = 0;
			*mlen = total;
			return RT_FRAME_MSG;
		}
		s = 0;                   /* not ours: start again */
	}
	if (rt_frame_blank((unsigned char)buf[0])) {
		*scan = 0;
		return rt_frame_blanks(buf, len, mlen);
	}
	if (s > len)
		s = 0;
	if (!rt_frame_head(buf, len, &s, &hstop, &hend)) {
		if (len >= RT_MSG_MAX_LEN) {
			*scan = 0;
			*why = "header section longer than the limit";
			return RT_FRAME_BAD;
		}
		*scan = s;
		return RT_FRAME_MORE;
	}
	*scan = 0;
	rc = rt_frame_clen(buf, hstop, &clen, why);
	if (rc < 0)
		return RT_FRAME_BAD;
	if (rc == 0) {
		if (!(flags & RT_FRAME_NO_CL)) {
			*why = "no Content-Length";
			return RT_FRAME_BAD;
		}
		clen = 0;
	}
	total = hend + clen;
	if (total > RT_MSG_MAX_LEN) {
		*why = "message longer than the limit";
		return RT_FRAME_BAD;
	}
	if (len < total) {
		*scan = RT_FRAME_KNOWN + total;
		return RT_FRAME_MORE;
	}
	*mlen = total;
	return RT_FRAME_MSG;
}
