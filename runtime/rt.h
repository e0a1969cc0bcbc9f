/*
 * rt.h — the public face of the sipvm runtime layer.
 *
 * Owns: the event loop, the transports (UDP, TCP, TLS), the SIP and HTTP
 * message parser and builder, worker threads, timers and route dispatch.
 * Its parsers follow picohttpparser's discipline: no allocation while
 * parsing, views (pointer and length) into the caller's buffer, every length
 * and number bounded, 0 or -1 (invalid) as the verdict.
 *
 * Must not: include anything from stdlib/, cfgc/ or lua/ (it sees modules
 * only through the vm registry); allocate while parsing wire input; abort or
 * crash on anything a peer can send.
 *
 * For now it declares only the URI parser (rt_uri.c).
 */
#ifndef RT_H
#define RT_H

#include <stddef.h>
#include <stdint.h>

/* A view into a buffer the caller owns: s[0..len). s is NULL when the part
 * is absent; a present but empty part has s set and len 0. */
typedef struct {
	const char *s;
	size_t len;
} rt_view;

/* ------------------------------------------------------------------------
 * URIs (rt_uri.c): RFC 3261 §19.1 SIP and SIPS URIs and RFC 3966 TEL URIs,
 * parsed as tolerantly as Kamailio 5.6.3's parse_uri().
 * ------------------------------------------------------------------------ */

enum { RT_URI_SIP = 1, RT_URI_SIPS = 2, RT_URI_TEL = 3, RT_URI_TELS = 4 };
enum { RT_HOST_NONE = 0, RT_HOST_NAME = 1, RT_HOST_IPV4 = 2, RT_HOST_IPV6 = 3 };

/* Longest URI accepted, and most parameters kept (more is invalid). */
#define RT_URI_MAX_LEN    65535u
#define RT_URI_MAX_PARAMS 32u

/* One `;name[=value]` parameter; value.s is NULL when there is no '='. */
typedef struct {
	rt_view name;
	rt_view value;
} rt_uri_param;

/* The parts of a URI, all views into the parsed text. For TEL URIs the
 * number is `user` and `host` is absent. `port` is the text after the ':'
 * (possibly empty) and `port_no` its value, 0 when absent or empty. The
 * well-known parameters have their value (or, for `lr` written without a
 * value, an empty view) in the named fields as well as in `param`. */
typedef struct {
	int type;              /* RT_URI_* */
	int host_kind;         /* RT_HOST_* */
	rt_view scheme;        /* as written ("SIP" stays upper case) */
	rt_view user, passwd, host, port;
	uint16_t port_no;
	rt_view params;        /* everything between the first ';' and '?' */
	rt_view headers;       /* everything after '?' */
	rt_view transport, ttl, uparam, maddr, method, lr, r2;
	size_t nparams;
	rt_uri_param param[RT_URI_MAX_PARAMS];
} rt_uri;

/* Parse s[0..len) into *u (which needs no initialization). Allocates
 * nothing; every view points into s, which must outlive *u. Returns 0, or
 * -1 when the text is not a sip:, sips:, tel: or tels: URI (unknown scheme,
 * empty user before '@', empty or malformed host, port not a number up to
 * 65535, a blank or control character in the user or host, longer than
 * RT_URI_MAX_LEN, more than RT_URI_MAX_PARAMS parameters). */
int rt_uri_parse(const char *s, size_t len, rt_uri *u);

/* Find parameter `name` (case-insensitive); NULL when absent. */
const rt_uri_param *rt_uri_param_find(const rt_uri *u, const char *name,
		size_t len);

#endif
