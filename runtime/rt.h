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

/* Header types, the compact forms included: v Via, f From, t To, i Call-ID,
 * m Contact, l Content-Length, c Content-Type, k Supported, s Subject,
 * e Content-Encoding, o Event, u Allow-Events, r Refer-To, b Referred-By,
 * x Session-Expires, y Identity, n Identity-Info, a Accept-Contact,
 * j Reject-Contact, d Request-Disposition (RFC 3261, 3265, 3515, 3841,
 * 3892, 4028, 4474). */
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
	RT_HDR_CENCODING, RT_HDR_ALLOWEVENTS, RT_HDR_REFERREDBY, RT_HDR_IDENTITY,
	RT_HDR_IDENTITYINFO, RT_HDR_ACCEPTCONTACT, RT_HDR_REJECTCONTACT,
	RT_HDR_REQDISP, RT_HDR_MINEXPIRES, RT_HDR_SUBSTATE, RT_HDR_CDISP,
	RT_HDR_ACCEPTLANG, RT_HDR_RPID, RT_HDR_RETRYAFTER, RT_HDR_CALLINFO,
	RT_HDR_WARNING, RT_HDR_REPLACES, RT_HDR_RACK, RT_HDR_RSEQ,
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
 * `"Bob" <sip:bob@b.com>;tag=x`. tag is NULL when absent (s set, len 0
 * for `;tag` or `;tag=`). In the addr-spec form (no '<') the URI ends at
 * the first ';', and what follows are the header's parameters. The URI is
 * not checked here (rt_uri_parse does that): "isbn:123" parses. */
typedef struct {
	rt_view display;         /* without quotes, or NULL */
	rt_view display_raw;     /* as written, quotes kept (Kamailio's $fn) */
	rt_view uri;             /* inside <>, blanks around it removed */
	rt_view params;          /* after the uri: from the first parameter's
	                          * name (after ';') to the end */
	rt_view tag;
	rt_view whole;           /* the name-addr and params */
} rt_nameaddr;

/* One Via value (the first of a header line with several). LWS (folding
 * included) is allowed around '/', ':', ';', '=' and ','. The named
 * parameters hold their value (s set, len 0 when written without one). */
typedef struct {
	rt_view name, version;   /* "SIP", "2.0" */
	rt_view proto;           /* "UDP" (after SIP/2.0/) */
	rt_view host;            /* IPv6 with its brackets: "[2001:db8::1]" */
	rt_view port;            /* text, or NULL */
	uint16_t port_no;
	rt_view params;          /* from just after the first ';' to the end */
	rt_view branch, received, rport, maddr, ttl, i;
	int has_rport;           /* ;rport present (maybe without value) */
	int has_received;
	/* the whole `received` / `rport` parameter as 5.6.3 replaces it: from
	 * just after its ';' to the end of its value, or without a value to
	 * the next ';' or ',' or the line's end (blanks included) */
	rt_view received_param, rport_param;
	rt_view whole;           /* this value */
} rt_via;

/* CSeq: number (at most 2^32-1, more is invalid) and method. */
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
	/* why rt_msg_parse (or rt_msg_check) refused the message: a static
	 * string, and the offset in buf where it was noticed */
	const char *error;
	size_t error_off;
	rt_view fline;           /* the first line with its line end */
	int has_clen;            /* a Content-Length header was seen */
	uint32_t clen;           /* its value */
	/* lazily parsed header insides (rt_msg.c): state 0 not yet, 1 ok,
	 * -1 bad; the hdr's `parsed` points at the form below once parsed */
	int8_t to_st, from_st, contact_st, via1_st, via2_st, cseq_st;
	int via1_hdr, via2_hdr;  /* hdrs[] index of the line holding them */
	rt_nameaddr to_p, from_p, contact_p;
	rt_via via1_p, via2_p;
	rt_cseq cseq_p;
} rt_msg;

/* Parse buf[0..len) (a whole message: UDP datagram, or a TCP frame) into
 * *m. The parser only reads buf, but while routes run on m some functions
 * write into it as Kamailio's do (mf_process_maxfwd_header rewrites the
 * Max-Forwards value in place): give it writable memory. Allocates nothing; views point into buf. 0, or -1 when it is not a
 * SIP or HTTP message (bad first line, header line without ':', more than
 * RT_MSG_MAX_HDRS headers, Content-Length larger than the body, an HTTP
 * reply ...), with the reason in m->error. *m needs no initialization (a message that had
 * script changes must be rt_msg_clear'ed first); m->src and m->rcv are
 * kept, so the transport may fill them before or after. Line ends may be
 * CRLF or a bare LF. The body is what follows the empty line, cut to the
 * Content-Length when the buffer holds more (RFC 3261 §18.3), empty for
 * an HTTP request without Content-Length. */
int rt_msg_parse(const char *buf, size_t len, rt_msg *m);
/* Release what the script's changes allocated (new_uri, lumps ...); the
 * message may then be parsed again. */
void rt_msg_clear(rt_msg *m);
/* The headers a SIP message cannot go without (what Kamailio's
 * receive_msg and core parser insist on, and RFC 4475 §3.1.2 / §3.3.1):
 * a Via and a CSeq that parse, and for a request a From and a To that
 * parse and a Call-ID. HTTP requests pass. 0, or -1 with the reason in
 * m->error. */
int rt_msg_check(rt_msg *m);

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

/* Parse a name-addr or addr-spec (with parameters) from s[0..len): the
 * whole text must be one value (a ',' in an unquoted display name is
 * tolerated, as Kamailio does). 0 or -1. */
int rt_nameaddr_parse(const char *s, size_t len, rt_nameaddr *na);
/* The value at *off of a comma-separated list (Contact, Route ...);
 * *off moves past it and its ','. 1 parsed, 0 at the end, -1 bad (*na
 * and *off are changed only on 1). */
int rt_nameaddr_next(const char *s, size_t len, size_t *off, rt_nameaddr *na);
/* The first Via value of s[0..len) (others after a ',' are not looked
 * at). 0 or -1. */
int rt_via_parse(const char *s, size_t len, rt_via *v);
/* The Via value at *off; as rt_nameaddr_next. */
int rt_via_next(const char *s, size_t len, size_t *off, rt_via *v);
/* The whole of s[0..len) as a CSeq body. 0 or -1. */
int rt_cseq_parse(const char *s, size_t len, rt_cseq *c);

/* Record a change: delete del bytes at off and insert ins (copied).
 * 0 or -1 (memory, past the body's end, overlapping an earlier deletion,
 * or an insertion strictly inside a deleted range). At one offset the
 * texts of the changes go out in the order they were made, then the
 * deleted bytes are skipped (so remove_hf + insert_hf at the same place
 * replaces the line). */
int rt_msg_lump(rt_msg *m, size_t off, size_t del, const char *ins, size_t inslen);
/* Offsets for lumps where textops puts headers: before the first header
 * line (insert_hf), and after the last one, i.e. at the empty line
 * (append_hf). Without header lines both are the end of the first line. */
size_t rt_msg_hdrs_start(const rt_msg *m);
size_t rt_msg_hdrs_end(const rt_msg *m);
/* A header line for replies this message gets (append_to_reply): the
 * text as given (with its CRLF), kept in order. 0 or -1 (memory). */
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

/* A stateless reply to request m, byte for byte as Kamailio 5.6.3's sl
 * module builds it (verified on 5.6.3; rt_build.c says what was seen):
 * the request's version, code and reason; every Via line in place (the
 * top one with ;rport=<src port> when it has ;rport or m->force_rport, and
 * ;received=<src ip> at its end when it has ;rport or ;received or its
 * host is not m->src's IP), From, To (with ;tag=`totag` appended when
 * code >= 180 and the To has no or an empty tag), Call-ID, CSeq and, for
 * codes 180-299, Record-Route, in the request's order; then the reply
 * lumps, `server_hdr` (the whole line without CRLF, e.g. "Server: sipvm";
 * NULL for none), Content-Length (blen, 0 without body), the empty line
 * and body. 0, or -1 when m is not a request with a Via that parses, the
 * code is not 100-699, or memory ran out (out->failed). */
int rt_build_reply(rt_msg *m, int code, const char *reason, size_t rlen,
		const char *totag, size_t tlen, const char *server_hdr,
		const char *body, size_t blen, rt_buf *out);
/* The request m forwarded statelessly, as Kamailio 5.6.3's forward():
 * the new R-URI in the request line, the lumps applied, a line
 * `Via: SIP/2.0/<PROTO> <self ip>[:<port>];branch=<branch>` (the port
 * left out when 5060, IPv6 in brackets; `branch` is the whole value,
 * z9hG4bK included) before the first Via line, and on the old top Via
 * ;received= (replacing one already there) and ;rport= (filling one
 * there, else after host:port) under the same conditions as the reply.
 * When the lumps changed the body, Content-Length is rewritten (or added
 * before the empty line). Bytes past the body are not sent. 0 or -1. */
int rt_build_forward(rt_msg *m, const rt_addr *self, const char *branch,
		size_t blen, rt_buf *out);
/* The message as it stands (msg_apply_changes): the new R-URI of a
 * request and the lumps applied, Content-Length fixed as above. 0 or -1. */
int rt_build_applied(rt_msg *m, rt_buf *out);

/* "udp:127.0.0.1:5060", "tls:[2001:db8::1]:5061" into buf (NUL ended).
 * The length written, or -1 when it does not fit or a is unset. */
int rt_addr_format(const rt_addr *a, char *buf, size_t n);
/* The reverse: "proto:host:port", "host:port", "host" ([] around IPv6);
 * the protocol defaults to UDP, the port to 5060 (5061 for TLS and WSS).
 * The host must be an IP address. 0 or -1. */
int rt_addr_parse(const char *s, size_t len, rt_addr *a);
/* "udp", "tcp", "tls", "sctp", "ws", "wss" ("none" for others). */
const char *rt_proto_name(int proto);

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
