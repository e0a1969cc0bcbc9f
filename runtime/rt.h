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
 * Declared so far: the URI parser (rt_uri.c), the SIP/HTTP message parser
 * with its lazily parsed headers (rt_msg.c), the changes a script makes to
 * a message and the replies and forwarded requests built from it
 * (rt_build.c), and the worker a route runs in (rt_worker.c).
 */
#ifndef RT_H
#define RT_H

#include <stddef.h>
#include <stdint.h>

#include "../vm/vm.h"

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

/* ------------------------------------------------------------------------
 * Messages (rt_msg.c): one parser for SIP requests and replies and for
 * HTTP/1.x requests. The first line and the header lines are found when
 * the message is parsed (views into the caller's buffer, which must
 * outlive the rt_msg); the inside of a header (To's tag, Via's branch,
 * CSeq's number ...) is parsed only when asked for, once, and kept.
 * ------------------------------------------------------------------------ */

/* Header types, the compact forms included (v, f, t, i, m, l, c, k, s, e,
 * o, u, r, b, x, y, j ...). */
enum {
	RT_HDR_OTHER = 0, RT_HDR_VIA, RT_HDR_TO, RT_HDR_FROM, RT_HDR_CSEQ,
	RT_HDR_CALLID, RT_HDR_CONTACT, RT_HDR_CLEN, RT_HDR_CTYPE, RT_HDR_MAXFWD,
	RT_HDR_ROUTE, RT_HDR_RR, RT_HDR_EXPIRES, RT_HDR_UA, RT_HDR_SERVER,
	RT_HDR_AUTHZ, RT_HDR_PROXYAUTHZ, RT_HDR_WWWAUTH, RT_HDR_PROXYAUTH,
	RT_HDR_ALLOW, RT_HDR_SUPPORTED, RT_HDR_REQUIRE, RT_HDR_PROXYREQ,
	RT_HDR_UNSUPPORTED, RT_HDR_EVENT, RT_HDR_ACCEPT, RT_HDR_SUBJECT,
	RT_HDR_DIVERSION, RT_HDR_PAI, RT_HDR_PPI, RT_HDR_REFERTO,
	RT_HDR_SIPIFMATCH, RT_HDR_SESSIONEXPIRES, RT_HDR_MINSE, RT_HDR_DATE,
	RT_HDR_ORGANIZATION, RT_HDR_PRIORITY, RT_HDR_PATH, RT_HDR_PRIVACY,
	RT_HDR_REASON, RT_HDR_HOST, RT_HDR_CONNECTION, RT_HDR_TE,
	RT_HDR__COUNT
};

/* Methods (request line), Kamailio's METHOD_* bit values. */
#define RT_M_OTHER     0x0000u
#define RT_M_INVITE    0x0001u
#define RT_M_CANCEL    0x0002u
#define RT_M_ACK       0x0004u
#define RT_M_BYE       0x0008u
#define RT_M_INFO      0x0010u
#define RT_M_REGISTER  0x0020u
#define RT_M_SUBSCRIBE 0x0040u
#define RT_M_NOTIFY    0x0080u
#define RT_M_MESSAGE   0x0100u
#define RT_M_OPTIONS   0x0200u
#define RT_M_PRACK     0x0400u
#define RT_M_UPDATE    0x0800u
#define RT_M_REFER     0x1000u
#define RT_M_PUBLISH   0x2000u
#define RT_M_KDMQ      0x4000u
#define RT_M_GET       0x8000u
#define RT_M_POST      0x10000u
#define RT_M_PUT       0x20000u
#define RT_M_DELETE    0x40000u
#define RT_M_UNDEF     0x80000000u

/* Bounds: a message longer than RT_MSG_MAX_LEN or with more header lines
 * than RT_MSG_MAX_HDRS is invalid. */
#define RT_MSG_MAX_LEN  65535u
#define RT_MSG_MAX_HDRS 128u

/* One header line. `name` as written, `body` with the blanks around it
 * removed and folded continuation lines included (raw, not unfolded),
 * `raw` the whole line with its CRLF (for removing it). */
typedef struct {
	int type;                /* RT_HDR_* */
	rt_view name;
	rt_view body;
	rt_view raw;
	void *parsed;            /* lazily parsed form (rt_msg.c), or NULL */
} rt_hdr;

/* name-addr / addr-spec (To, From, Contact, Route, Refer-To ...):
 * `"Bob" <sip:bob@b.com>;tag=x`. tag is NULL when absent. */
typedef struct {
	rt_view display;         /* without quotes, or NULL */
	rt_view uri;
	rt_view params;          /* after the uri (after '>'), from the first ';' */
	rt_view tag;
	rt_view whole;           /* the name-addr and params */
} rt_nameaddr;

/* One Via value (the first of a header line with several). */
typedef struct {
	rt_view proto;           /* "UDP" (after SIP/2.0/) */
	rt_view host;
	rt_view port;            /* text, or NULL */
	uint16_t port_no;
	rt_view params;
	rt_view branch, received, rport, maddr, ttl, i;
	int has_rport;           /* ;rport present (maybe without value) */
	rt_view whole;           /* this value */
} rt_via;

typedef struct {
	rt_view number;
	uint32_t no;
	rt_view method;
} rt_cseq;

/* Transport protocols, Kamailio's PROTO_* numbers. */
enum { RT_PROTO_NONE = 0, RT_PROTO_UDP = 1, RT_PROTO_TCP = 2, RT_PROTO_TLS = 3,
	RT_PROTO_SCTP = 4, RT_PROTO_WS = 5, RT_PROTO_WSS = 6 };

/* An address: protocol, IP text (no brackets for IPv6), port. */
typedef struct {
	int proto;
	int af;                  /* 4 or 6, 0 when unset */
	char ip[48];
	uint16_t port;
} rt_addr;

/* A change a script made to the message (Kamailio's "lumps"): delete
 * `del` bytes at offset `off` of the original buffer and insert `ins`
 * there. Kept in order of offset; applied only when the message is sent
 * (so $hdr() reads the original text, as in Kamailio). */
typedef struct rt_lump {
	size_t off;
	size_t del;
	char *ins;               /* malloc'd, or NULL */
	size_t inslen;
	struct rt_lump *next;
} rt_lump;

typedef struct rt_msg {
	const char *buf;
	size_t len;
	int is_request;          /* 1 request, 0 reply */
	int is_http;             /* HTTP/1.x request */
	/* request line */
	rt_view method;
	uint32_t method_id;      /* RT_M_* */
	rt_view ruri;
	rt_view version;         /* "SIP/2.0", "HTTP/1.1" */
	/* status line */
	int status;
	rt_view reason;
	/* headers, in order, and the first of each type (-1 when none) */
	rt_hdr hdrs[RT_MSG_MAX_HDRS];
	unsigned nhdrs;
	int first[RT_HDR__COUNT];
	rt_view body;
	/* what the network says */
	rt_addr src;             /* $si, $sp, $proto */
	rt_addr rcv;             /* the local socket: $Ri, $Rp */
	/* what the script changed */
	char *new_uri;           /* $ru after a write (malloc'd), or NULL */
	size_t new_uri_len;
	char *dst_uri;           /* $du (malloc'd), or NULL */
	size_t dst_uri_len;
	rt_lump *lumps;          /* header and body changes */
	rt_lump *reply_lumps;    /* append_to_reply */
	uint32_t flags;          /* message flags (setflag) */
	int force_rport;
	int parse_error;         /* set when a lazy parse failed */
	/* lazily parsed forms of the request URI (new_uri when set) */
	int ruri_parsed;         /* 0 not yet, 1 ok, -1 bad */
	rt_uri ruri_p;
} rt_msg;

/* Parse buf[0..len) (a whole message: UDP datagram, or a TCP frame) into
 * *m. Allocates nothing; views point into buf. 0, or -1 when it is not a
 * SIP or HTTP message (bad first line, header line without ':', more than
 * RT_MSG_MAX_HDRS headers, Content-Length larger than the body ...). */
int rt_msg_parse(const char *buf, size_t len, rt_msg *m);
/* Release what the script's changes allocated (new_uri, lumps ...); the
 * message may then be parsed again. */
void rt_msg_clear(rt_msg *m);

/* The n-th (0 first; -1 last) header line named `name` (case-insensitive,
 * compact forms match their long name), or NULL. */
rt_hdr *rt_msg_hdr(rt_msg *m, const char *name, size_t len, int n);
/* The same by type (not RT_HDR_OTHER). */
rt_hdr *rt_msg_hdr_type(rt_msg *m, int type, int n);
/* How many header lines are named `name`. */
unsigned rt_msg_hdr_count(rt_msg *m, const char *name, size_t len);
/* The header type of a name (compact forms included), RT_HDR_OTHER if
 * none. */
int rt_hdr_type(const char *name, size_t len);

/* Lazily parsed header insides; NULL when the header is absent or bad. */
const rt_nameaddr *rt_msg_to(rt_msg *m);
const rt_nameaddr *rt_msg_from(rt_msg *m);
const rt_nameaddr *rt_msg_contact(rt_msg *m);   /* first Contact value */
const rt_via *rt_msg_via1(rt_msg *m);           /* topmost Via value */
const rt_via *rt_msg_via2(rt_msg *m);           /* the second one */
const rt_cseq *rt_msg_cseq(rt_msg *m);
/* The request URI as the script sees it now (new_uri, else the request
 * line's), parsed; NULL when it does not parse. */
const rt_uri *rt_msg_ruri(rt_msg *m);
/* The text of the current R-URI. */
rt_view rt_msg_ruri_text(const rt_msg *m);
/* Set the R-URI ($ru = ..., rewriteuser ...): 0 or -1 (memory). */
int rt_msg_set_ruri(rt_msg *m, const char *s, size_t len);
int rt_msg_set_duri(rt_msg *m, const char *s, size_t len);

/* Parse a name-addr or addr-spec (with parameters) from s[0..len). */
int rt_nameaddr_parse(const char *s, size_t len, rt_nameaddr *na);
int rt_via_parse(const char *s, size_t len, rt_via *v);
int rt_cseq_parse(const char *s, size_t len, rt_cseq *c);

/* Record a change: delete del bytes at off and insert ins (copied).
 * 0 or -1 (memory, or out of range / overlapping an earlier deletion). */
int rt_msg_lump(rt_msg *m, size_t off, size_t del, const char *ins, size_t inslen);
/* A header line for replies this message gets (append_to_reply). */
int rt_msg_reply_lump(rt_msg *m, const char *ins, size_t inslen);

/* ------------------------------------------------------------------------
 * Building (rt_build.c)
 * ------------------------------------------------------------------------ */

/* A growing output buffer (malloc'd). */
typedef struct {
	char *s;
	size_t len, cap;
	int failed;              /* a malloc failed: the content is incomplete */
} rt_buf;
void rt_buf_put(rt_buf *b, const char *s, size_t len);
void rt_buf_puts(rt_buf *b, const char *s);
void rt_buf_printf(rt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rt_buf_free(rt_buf *b);

/* A stateless reply to request m, as Kamailio's sl module builds it:
 * status line, every Via (the top one with received= / rport= as
 * RFC 3261 §18.2.1 and force_rport ask), From, To (with `totag` added
 * when the request's To has no tag and code > 100), Call-ID, CSeq, the
 * Record-Route headers for 1xx/2xx? (as Kamailio: copied for every code
 * but 100 ... see rt_build.c), the reply lumps, Server: (server_hdr, NULL
 * for none), Content-Length and body. 0 or -1. */
int rt_build_reply(rt_msg *m, int code, const char *reason, size_t rlen,
		const char *totag, size_t tlen, const char *server_hdr,
		const char *body, size_t blen, rt_buf *out);
/* The request m forwarded statelessly: the new R-URI in the request line,
 * the lumps applied, a Via of `via_host:via_port;branch=...` (proto as
 * `proto`) on top, Max-Forwards untouched (maxfwd module's job). 0 or -1. */
int rt_build_forward(rt_msg *m, const rt_addr *self, const char *branch,
		size_t blen, rt_buf *out);
/* The request as it stands with its lumps applied (msg_apply_changes). */
int rt_build_applied(rt_msg *m, rt_buf *out);

/* ------------------------------------------------------------------------
 * Workers (rt_worker.c): what a route runs in. A worker owns a vm_ctx
 * (c->host points back to it) and knows how to send; the server sends on
 * its sockets, a dry run writes what would be sent to a file.
 * ------------------------------------------------------------------------ */

typedef struct rt_worker rt_worker;
/* Send buf[0..len) to dst (a reply goes back to the request's source).
 * `what` is "reply" or "request". 0 or -1. */
typedef int (*rt_send_fn)(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len);

struct rt_worker {
	vm_ctx vm;
	rt_send_fn send;
	void *send_ud;
	rt_addr self;            /* the address this server uses in Via */
	const char *server_hdr;  /* "Server: sipvm (...)" value, or NULL */
	uint32_t sent_replies;   /* how many replies this message got */
	uint32_t sent_requests;
};

/* Set up worker number n for lp: its vm_ctx (c->host = w, the myself
 * hook), its own address from the first `listen` (127.0.0.1:5060 without
 * one). The caller sets send/send_ud. 0 or -1. */
int rt_worker_init(rt_worker *w, const vm_loaded *lp, int n);
void rt_worker_free(rt_worker *w);
/* vm_ctx.myself for workers: the URI's host and port against the
 * `listen` and `alias` settings. */
int rt_worker_myself(vm_ctx *c, const char *s, size_t len);
/* The route a message runs (request_route, the core reply route,
 * event_route[xhttp:request]) and its type in *type; -1 when none. */
int rt_worker_route_for(const vm_loaded *lp, const rt_msg *m, uint32_t *type);
/* Run route rt on m, then the end-of-message hooks (vm_ctx_msg_done);
 * the route's code, *how as vm_run's. */
int32_t rt_worker_run(rt_worker *w, rt_msg *m, int rt, uint32_t type, int *how);

/* The worker of a ctx (c->host). */
static inline rt_worker *rt_worker_of(vm_ctx *c) { return (rt_worker *)c->host; }
/* The message of a ctx (c->msg), NULL outside a message. */
static inline rt_msg *rt_msg_of(vm_ctx *c) { return (rt_msg *)c->msg; }

#endif
