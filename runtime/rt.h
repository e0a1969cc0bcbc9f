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
	int conn;                /* the TCP connection it came on (an id of
				  * the server's), -1 for UDP or none; kept
				  * by rt_msg_parse like src and rcv */
	int lsock;               /* index of the local socket, -1 none; kept */
	uint32_t send_flags;     /* RT_SEND_* the script set for this message */
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

/* Transport flags a script sets on a message (set_reply_close() ...). */
#define RT_SEND_REPLY_CLOSE     0x1u
#define RT_SEND_REPLY_NOCONNECT 0x2u
#define RT_SEND_FWD_CLOSE       0x4u
#define RT_SEND_FWD_NOCONNECT   0x8u

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
 * Stream framing (rt_frame.c): where one message ends in a TCP byte
 * stream, so that a connection's reader can hand whole messages to
 * rt_msg_parse however the bytes arrive.
 * ------------------------------------------------------------------------ */

/* rt_frame flags */
#define RT_FRAME_NO_CL 0x1u      /* tcp_accept_no_cl: a message without
				  * Content-Length ends at its empty line */

/* Verdicts of rt_frame */
enum {
	RT_FRAME_BAD = -1,       /* not a message that can be framed: *why */
	RT_FRAME_MORE = 0,       /* incomplete: read more, call again */
	RT_FRAME_MSG = 1,        /* buf[0..*mlen) is one whole message */
	RT_FRAME_PING = 2,       /* buf[0..*mlen) is a CRLFCRLF keep-alive
				  * (RFC 5626 §3.5.1): answer CRLF, drop it */
	RT_FRAME_SKIP = 3        /* buf[0..*mlen) is blank lines between
				  * messages: drop them */
};

/* Look at the stream bytes buf[0..len) (the start of the next message).
 * *scan is how far an earlier call with the same start already looked
 * (0 the first time; rt_frame updates it, so a message arriving in many
 * pieces is scanned once). Allocates nothing. A message longer than
 * RT_MSG_MAX_LEN, a header section that does not end within it, a
 * Content-Length that is not a number, or no Content-Length without
 * RT_FRAME_NO_CL is RT_FRAME_BAD with *why a static reason. */
int rt_frame(const char *buf, size_t len, unsigned flags, size_t *scan,
		size_t *mlen, const char **why);

/* ------------------------------------------------------------------------
 * Statistics (rt_stats.c): named counters, Kamailio's statistics
 * ("group:name"), each kept per thread without locks and summed when
 * read; a few are computed when read (the memory figures).
 * ------------------------------------------------------------------------ */

/* The core's counters: registered first, in this order, so that their ids
 * are these constants (group "core", then "tcp", then "dns"). As in
 * Kamailio 5.6.3, the "core" group (and "shmem") is visible only when the
 * script loads kex; "tcp" and "dns" always are. TCP_CUR_OPENED and
 * TCP_CUR_WRQ are gauges (add +n / -n), not reset by reset_stat. */
enum {
	RT_ST_RCV_REQUESTS = 0, RT_ST_RCV_REPLIES, RT_ST_FWD_REQUESTS,
	RT_ST_FWD_REPLIES, RT_ST_DROP_REQUESTS, RT_ST_DROP_REPLIES,
	RT_ST_ERR_REQUESTS, RT_ST_ERR_REPLIES, RT_ST_BAD_URIS_RCVD,
	RT_ST_UNSUPPORTED_METHODS, RT_ST_BAD_MSG_HDR,
	RT_ST_TCP_ESTABLISHED, RT_ST_TCP_PASSIVE_OPEN, RT_ST_TCP_CONNECT_SUCCESS,
	RT_ST_TCP_CONNECT_FAILED, RT_ST_TCP_LOCAL_REJECT, RT_ST_TCP_CON_TIMEOUT,
	RT_ST_TCP_CON_RESET, RT_ST_TCP_SEND_TIMEOUT, RT_ST_TCP_SENDQ_FULL,
	RT_ST_TCP_CUR_OPENED,
	RT_ST_TCP_CUR_WRQ,       /* tcp:current_write_queue_size (bytes) */
	RT_ST_DNS_FAILED,        /* dns:failed_dns_request */
	RT_ST_DNS_SLOW,          /* dns:slow_dns_request */
	RT_ST__CORE
};

/* At most this many statistics (ids 0 .. RT_STATS_MAX-1). */
#define RT_STATS_MAX 1024

/* Statistic flags. */
#define RT_STF_NO_RESET 0x1u     /* rt_stats_reset leaves it alone
				  * (statistics' "name/no_reset") */

/* A computed statistic's value, read when asked for (ud as registered). */
typedef int64_t (*rt_stat_fn)(void *ud);

/* Register counter group:name (both non-empty, at most 127 bytes each, no
 * ':' in the group), visible to scripts that load module `owner` (NULL:
 * always; "kex" for the core's). Idempotent: the same group and name give
 * the same id again, its value kept (a reloaded config), with the new
 * flags. The id (>= 0), or -1: bad name, RT_STATS_MAX reached, memory,
 * or group:name is a computed statistic. Thread-safe. */
int rt_stats_register(const char *group, const char *name, const char *owner,
		unsigned flags);
/* The same for a statistic whose value get(ud) computes when read (adds
 * and resets do nothing to it). A second registration keeps the first
 * getter; -1 also when group:name is a counter. */
int rt_stats_register_fn(const char *group, const char *name,
		const char *owner, rt_stat_fn get, void *ud);

/* How rt_stats_find reads a name. */
#define RT_STATS_BY_NAME  0u     /* the name only, as Kamailio's $stat and
				  * update_stat: "shmem:used_size" is not
				  * found; of several groups with that name,
				  * the latest registered wins */
#define RT_STATS_BY_GROUP 0x1u   /* also "group:name" (RPC-style listings) */
/* The id of a statistic visible to lp (NULL: every one), or -1. Exact
 * bytes: "location-users" does not find "location_users" (the usrloc
 * separator is decided when usrloc registers, rt_stats_name_sep). No lock,
 * no allocation. */
int rt_stats_find(const vm_loaded *lp, const char *name, size_t len,
		unsigned how);
/* Whether statistic id is visible to lp (its owner module is loaded;
 * lp NULL: yes). */
int rt_stats_visible(const vm_loaded *lp, int id);
/* The value now: a counter's sum over every thread's block (and what
 * threads without a block added) since its last reset, or a computed
 * statistic's figure. 0 for a bad id. */
int64_t rt_stats_get(int id);
/* Reset counter id to 0 (what threads add meanwhile is kept). 0, 1 when
 * it cannot be reset (RT_STF_NO_RESET, computed), -1 bad id. */
int rt_stats_reset(int id);
/* Its group and name (NUL-terminated, valid for the process's life), or
 * NULL for a bad id. */
const char *rt_stats_group(int id);
const char *rt_stats_name(int id);
/* The ids of the statistics visible to lp (NULL: all), sorted by group
 * then name (strcmp), as Kamailio lists them; up to max of them stored
 * in ids. Returns how many there are (may be more than max). */
size_t rt_stats_list(const vm_loaded *lp, int *ids, size_t max);
/* Kamailio's stats_name_separator for lp: the first byte of the core
 * parameter, '_' by default (5.4+; 3.x-5.3 used '-'). usrloc names its
 * per-table statistics "<table><sep>users" with it. */
char rt_stats_name_sep(const vm_loaded *lp);

/* Add n to counter id in the calling thread's block (no lock, no atomic
 * read-modify-write in a thread that called rt_stats_thread_attach). */
void rt_stat_add(int id, int64_t n);
static inline void rt_stat_inc(int id) { rt_stat_add(id, 1); }
/* Give the calling thread its own block of counters (worker threads call
 * it once before their first message). 0 or -1 (memory). When the thread
 * ends (or calls rt_stats_thread_detach), its counts are folded into the
 * shared totals and the block freed. */
int rt_stats_thread_attach(void);
void rt_stats_thread_detach(void);
/* Count a message just received in rt_msg_parse's verdict, as 5.6.3's kex
 * does before the script runs: a request counts in
 * rcv_requests (HTTP ones too), a SIP one also in rcv_requests_<method>
 * for the 14 methods it has (an unknown method in unsupported_methods;
 * KDMQ, GET ... in neither); a reply counts in rcv_replies, its class
 * (rcv_replies_1xx ... 6xx, 18x for 180-189, 401/404/407/480/486) and
 * rcv_replies_<class>xx_<method> by its CSeq method (bye, cancel, invite,
 * message, prack, refer, reg, update). */
void rt_stats_received(const rt_msg *m);
/* The size of the memory pool the shmem figures are reported against
 * (Kamailio's -m; total_size, free_size). */
void rt_stats_set_shm_size(size_t bytes);
/* Refresh what is sampled rather than counted (max_used_size); the
 * server calls it about once a second from any thread. */
void rt_stats_tick(void);

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
/* The decimal digits of v, at least `width` of them (zero padded), without
 * a printf. */
void rt_buf_uint(rt_buf *b, unsigned long v, int width);
void rt_buf_free(rt_buf *b);
/* A buffer for one message built and sent at once: rt_buf_take gives the
 * calling thread's spare buffer (empty, its memory kept from earlier
 * messages, so building a reply allocates nothing), rt_buf_give hands it
 * back instead of rt_buf_free (freed when over 64 KiB or when the thread
 * already has a spare). rt_buf_spare_release frees the thread's spare
 * (threads call it before they end). */
void rt_buf_take(rt_buf *b);
void rt_buf_give(rt_buf *b);
void rt_buf_spare_release(void);

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
/* The destination host[0..len) over proto at port when the host is an IP
 * address ([] around IPv6 allowed): out filled (ip, af, proto, and port,
 * or 5060 when port is 0 — 5061 for sips: (sips), TLS and WSS); 0. 1 when
 * the host is a name (out has proto and port), -1 when it is empty, too
 * long, or a bracketed non-address. */
int rt_addr_literal(const char *host, size_t len, int proto, int sips, unsigned port,
		rt_addr *out);

/* ------------------------------------------------------------------------
 * Names (rt_dns.c): the destination of a SIP URI or host whose host is a
 * name, as RFC 3263 without NAPTR (Kamailio's default).
 * ------------------------------------------------------------------------ */

/* Longest host name looked up. */
#define RT_DNS_NAME_MAX 253

/* Where to send to host[0..len) (an IP address, [IPv6] or a name) over
 * proto (RT_PROTO_*; sips: a sips: URI) at port (0: none given). An
 * address is used as it is (rt_addr_literal); a name with a port is looked up (A, then
 * AAAA, through getaddrinfo: /etc/hosts counts); a name without one as an
 * SRV record of its transport first (_sip._udp.NAME ..., the best target
 * by priority and weight), else as an address with 5060 (5061 for TLS).
 * Blocks while it asks; answers are cached process-wide (SRV: their TTL,
 * addresses 60 s, failures 30 s). Fills out (ip, af, port, proto); 0, or
 * -1 with the reason in err. */
int rt_dns_sip(const char *host, size_t len, int proto, int sips, unsigned port,
		rt_addr *out, char *err, size_t errlen);

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
	/* the sockets the server actually bound (with -l they differ from
	 * the config's listen); rt_worker_myself counts them as ours */
	const rt_addr *bound;
	int nbound;
	/* how destination names are looked up: rt_dns_sip (the server and
	 * the dry run set it), or NULL: IP addresses only (a tool that never
	 * sends, such as cfgc, then needs no resolver) */
	int (*resolve)(const char *host, size_t len, int proto, int sips, unsigned port,
			rt_addr *out, char *err, size_t errlen);
};

/* Where w sends to host[0..len) over proto at port (0: none given; sips
 * for a sips: URI): w->resolve's answer, or without a resolver the host
 * when it is an IP address (rt_addr_literal). 0, or -1 with the reason in
 * err ("cannot resolve 'NAME'", "cannot send to 'NAME' (names are not
 * looked up here)", "bad host 'HOST'"). */
int rt_worker_dst(const rt_worker *w, const char *host, size_t len, int proto, int sips,
		unsigned port, rt_addr *out, char *err, size_t errlen);

/* Set up worker number n for lp: its vm_ctx (c->host = w, the myself
 * hook), its own address from the first `listen` (127.0.0.1:5060 without
 * one). The caller sets send/send_ud. 0 or -1. */
int rt_worker_init(rt_worker *w, const vm_loaded *lp, int n);
void rt_worker_free(rt_worker *w);
/* Another routing engine (cfgengine "lua": routes written as Lua
 * functions, lua/): when rt_route_engine is set and uses(lp) says the
 * program asks for it, rt_worker_route_for answers RT_ROUTE_ENGINE and
 * rt_worker_run hands the message to run() instead of the VM. Set by the
 * engine's module init hook, before any worker takes the program. */
typedef struct {
	int (*uses)(const vm_loaded *lp);
	int32_t (*run)(vm_ctx *c, uint32_t type, int *how);
} rt_engine;
extern const rt_engine *rt_route_engine;
#define RT_ROUTE_ENGINE 0x7fffffff

/* vm_ctx.myself for workers: the URI's host and port against the
 * `listen` and `alias` settings. */
int rt_worker_myself(vm_ctx *c, const char *s, size_t len);
/* The route a message runs (request_route, the core reply route,
 * event_route[xhttp:request]) and its type in *type; -1 when none. */
int rt_worker_route_for(const vm_loaded *lp, const rt_msg *m, uint32_t *type);
/* Run route rt on m, then the end-of-message hooks (vm_ctx_msg_done);
 * the route's code, *how as vm_run's. */
int32_t rt_worker_run(rt_worker *w, rt_msg *m, int rt, uint32_t type, int *how);

/* ------------------------------------------------------------------------
 * The server (rt_server.c): sockets, worker threads, reloads.
 *
 * UDP: `children` worker threads per UDP socket (as Kamailio forks its
 * receivers), each reading batches with recvmmsg and sending its replies in
 * one sendmmsg after the batch. TCP: `tcp_children` worker threads, each
 * with an epoll set holding the listening sockets and the connections it
 * accepted; a connection is read and closed only by its owner, written by
 * any thread under the connection's own lock. Every worker has its own VM
 * context; nothing on the path of a UDP message takes a lock.
 * ------------------------------------------------------------------------ */

#define RT_SERVER_MAX_SOCKS 32

/* sipvm's version and platform, as the Server header and core.version
 * show them: "0.4 (x86_64/linux)". */
#if defined(__x86_64__)
#define RT_ARCH "x86_64"
#elif defined(__aarch64__)
#define RT_ARCH "aarch64"
#elif defined(__i386__)
#define RT_ARCH "i386"
#else
#define RT_ARCH "unknown"
#endif
#define RT_SERVER_SIGNATURE "0.4 (" RT_ARCH "/linux)"

typedef struct {
	/* (re)load the program: a fresh vm_loaded, or NULL after logging why
	 * (cfgc's file:line:col diagnostics). Called once at start and on
	 * each SIGHUP, from the main thread. */
	vm_loaded *(*load)(void *ud);
	void *load_ud;
	/* whether event_route[xhttp:request] takes HTTP request m (xhttp's
	 * url_skip / url_match), NULL: every one */
	int (*http_accepts)(const vm_loaded *lp, const rt_msg *m);
	/* -l overrides of `listen` ([proto:]addr[:port]), none: the config's */
	const char *listen[RT_SERVER_MAX_SOCKS];
	int nlisten;
	int children;            /* -n, 0: the config's `children` (8) */
	size_t shm_size;         /* -m in bytes, 0: 64 MB (for $stat) */
	int log_level;           /* -dd... raise, -1: the config's `debug` */
	int log_stderr;          /* -E: log on stderr whatever the config's
				  * log_stderror says (else, as Kamailio,
				  * log_stderror=no means syslog) */
	int udp_coalesce_us;     /* under load, wait this long for more
				  * datagrams before a receive; -1 default */
} rt_server_opts;

/* Load the program, bind the sockets, start the workers, then wait for
 * signals: SIGTERM/SIGINT stop (messages being routed finish, sockets
 * close), SIGHUP reloads (the new program is taken by each worker before
 * its next message; a program that does not load leaves the old one
 * running). Returns the exit status: 0 after a clean stop, 1 when the
 * program or a socket could not be set up (said on stderr). */
int rt_server_run(const rt_server_opts *o);

/* Forward reply m statelessly, as Kamailio's core does after its reply
 * route (and sl_forward_reply(), forward_reply()): when the top Via is
 * this server's (vm.myself) it is removed and the reply is sent to the
 * second Via's received/rport/sent-by over its transport; code > 0 also
 * replaces the status code and reason. Counts fwd_replies, drop_replies
 * or err_replies. 1 sent, -1 dropped or failed (logged). */
int rt_worker_forward_reply(rt_worker *w, rt_msg *m, int code, const char *reason,
		size_t rlen);

/* "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG" ... for a VM_L_* level, as
 * Kamailio names them in its log lines. */
const char *rt_log_level_name(int level);

/* The worker of a ctx (c->host). */
static inline rt_worker *rt_worker_of(vm_ctx *c) { return (rt_worker *)c->host; }
/* The message of a ctx (c->msg), NULL outside a message. */
static inline rt_msg *rt_msg_of(vm_ctx *c) { return (rt_msg *)c->msg; }

/* ------------------------------------------------------------------------
 * RPC commands (rt_rpc.c): Kamailio's management commands
 * ("core.version", "stats.get_statistics", "app_lua.reload" ...). A
 * registry of named commands that any layer fills when its module
 * initializes (registering again, as every reload does, changes nothing);
 * a transport (jsonrpcs: JSON-RPC over HTTP, stdlib/mod_jsonrpcs.c) finds
 * the command a request names, runs it with the request's parameters and
 * renders the reply its handler built. The handlers see the program of
 * the worker that received the request (its settings, its modules).
 * Built in: core.version, core.uptime, system.listMethods,
 * system.methodHelp, and kex's stats.get_statistics and
 * stats.reset_statistics (over the statistics above).
 * ------------------------------------------------------------------------ */

/* Value types (JSON's: the parameters a transport parsed, the values a
 * handler adds to its reply). */
enum {
	RT_RPC_NULL = 0, RT_RPC_FALSE, RT_RPC_TRUE, RT_RPC_NUM, RT_RPC_STR,
	RT_RPC_ARRAY, RT_RPC_STRUCT
};

/* One value. A number is a double (as Kamailio's srjson keeps them; true
 * is 1, every other non-number 0); a string is malloc'd and NUL-ended
 * (len without the NUL); an array's or struct's members are the list
 * child .. last linked by next, a struct member with its name (malloc'd).
 * A value owns its members. */
typedef struct rt_rpc_val {
	int type;                /* RT_RPC_* */
	double num;
	char *s;
	size_t len;
	char *name;
	struct rt_rpc_val *child, *last, *next;
} rt_rpc_val;

/* New values (NULL when memory runs out). rt_rpc_val_str copies
 * s[0..len). */
rt_rpc_val *rt_rpc_val_new(int type);
rt_rpc_val *rt_rpc_val_str(const char *s, size_t len);
rt_rpc_val *rt_rpc_val_num(double n);
/* Free v and its members (not the values after it in its list). NULL is
 * fine. */
void rt_rpc_val_free(rt_rpc_val *v);
/* Add v as the last member of parent: a struct member named `name`, or an
 * array element (given a name, v is wrapped in a struct { name: v } as
 * Kamailio's struct_add does on an array). parent takes v; 0, or -1 when
 * v is NULL, parent is not an array or struct, or memory runs out (v is
 * then freed). */
int rt_rpc_val_add(rt_rpc_val *parent, const char *name, rt_rpc_val *v);

/* Command flags */
#define RT_RPC_RET_ARRAY 0x1u    /* the reply is an array of everything the
				  * handler added ([] when nothing); without
				  * it, the last value added is the reply
				  * ({} when nothing), as in Kamailio */

typedef struct rt_rpc_ctx rt_rpc_ctx;
typedef void (*rt_rpc_fn)(rt_rpc_ctx *r);

typedef struct {
	const char *name;        /* "app_lua.reload" */
	const char *help;        /* system.methodHelp's text */
	const char *owner;       /* the module a program must load for the
				  * command to exist in it, NULL: always */
	unsigned flags;          /* RT_RPC_RET_ARRAY */
	rt_rpc_fn fn;
} rt_rpc_cmd;

/* One command being run: what the handler reads and fills. */
struct rt_rpc_ctx {
	const vm_loaded *lp;     /* the program of the caller */
	vm_ctx *vm;              /* the worker context running it (logging),
				  * or NULL */
	const rt_rpc_cmd *cmd;   /* set by rt_rpc_run */
	const rt_rpc_val *param; /* the next parameter to scan, NULL: none */
	rt_rpc_val *result;      /* what the handler added, NULL: nothing */
	int fault_code;          /* rt_rpc_fault's code, 0: none */
	char fault_text[128];    /* its message (cut to 127 bytes, as 5.6.3) */
	int nomem;               /* a value could not be allocated */
	rt_rpc_val *scratch;     /* strings made by rt_rpc_scan_str (freed by
				  * rt_rpc_ctx_free) */
};

/* At most this many commands. */
#define RT_RPC_MAX 256

/* Register command `name` (not copied: name, help and owner must live as
 * long as the process, string literals in practice). Registering a name
 * again keeps the first entry and updates its handler and flags (a
 * reloaded program calls this again). 0, or -1 when the name is empty or
 * RT_RPC_MAX commands exist. Thread-safe; lookups take no lock. */
int rt_rpc_register(const char *name, const char *help, const char *owner,
		unsigned flags, rt_rpc_fn fn);
/* The command called `name` (exact bytes, as Kamailio) that exists for lp
 * (its owner is loaded; lp NULL: every command), or NULL. */
const rt_rpc_cmd *rt_rpc_find(const vm_loaded *lp, const char *name);
/* The commands that exist for lp, sorted by name (strcmp), up to max of
 * them in out. Returns how many there are. */
size_t rt_rpc_list(const vm_loaded *lp, const rt_rpc_cmd **out, size_t max);

/* Prepare r for running a command of lp from worker context vm (may be
 * NULL) on the parameters params (the first of a list, NULL for none;
 * they stay the caller's and must outlive r). */
void rt_rpc_ctx_init(rt_rpc_ctx *r, const vm_loaded *lp, vm_ctx *vm,
		const rt_rpc_val *params);
/* Run cmd's handler on r. Afterwards r->fault_code (and fault_text) or
 * the reply: rt_rpc_result. */
void rt_rpc_run(rt_rpc_ctx *r, const rt_rpc_cmd *cmd);
/* The reply of a run without fault: what the handler added, or an empty
 * array (RT_RPC_RET_ARRAY) or struct. Owned by r; NULL when memory ran
 * out. */
const rt_rpc_val *rt_rpc_result(rt_rpc_ctx *r);
/* Release what r holds (the reply, scratch strings). */
void rt_rpc_ctx_free(rt_rpc_ctx *r);

/* For handlers. Add v to the reply (r takes it): appended to the reply
 * array with RT_RPC_RET_ARRAY, otherwise replacing what was added before.
 * 0, or -1 (v NULL or memory; r->nomem set). */
int rt_rpc_add(rt_rpc_ctx *r, rt_rpc_val *v);
int rt_rpc_add_str(rt_rpc_ctx *r, const char *s, size_t len);
int rt_rpc_add_num(rt_rpc_ctx *r, double n);
int rt_rpc_printf(rt_rpc_ctx *r, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
/* A new struct added to the reply, for rt_rpc_val_add; NULL on memory. */
rt_rpc_val *rt_rpc_add_struct(rt_rpc_ctx *r);
/* Fail the command: the reply is an error with this code (an HTTP status
 * for jsonrpcs) and message. The last fault wins. */
void rt_rpc_fault(rt_rpc_ctx *r, int code, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
/* Read the next parameter, as Kamailio's rpc->scan. As a string: 1 with
 * *s (NUL-ended, valid until rt_rpc_ctx_free) and *len set; 0 when no
 * parameter is left; -1 when it is not a string (not consumed), unless
 * `conv` (scan's '.'), which turns a number into its unsigned decimal
 * text. As an int: 1 with *out the number truncated (a string, null or
 * false is 0, true 1, as 5.6.3 reads them), 0 when none is left. */
int rt_rpc_scan_str(rt_rpc_ctx *r, int conv, const char **s, size_t *len);
int rt_rpc_scan_int(rt_rpc_ctx *r, int *out);

#endif
