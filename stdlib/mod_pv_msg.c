/*
 * mod_pv_msg.c — the pv module's PVs over the message being routed
 * (rt_msg: request line, R-URI, headers, From/To, network addresses,
 * flags, body), selects ($sel(...), what @via[1].branch compiles to), the
 * script and branch flags, and the time and misc PVs ($Ts, $time(...),
 * $pp, $true, $K, $_s ...), with Kamailio 5.6.3's names, types and null
 * cases (language spec §7.4, §9, §11.4, §12).
 *
 * One parser finds the PV by its class name and stores its number in
 * sp->id (and what its inner name says in sp->data); one getter and one
 * setter dispatch on it.
 *
 * Types as 5.6.3 gives them: ints ($sp, $Rp, $rs, $cl, $mf, $hdrc, $Ts
 * ...) are VM_INT (flags above 2^31 with their unsigned text); $rp, $rm,
 * $pr, $mF, $rz, $rP are text with an int form (they concatenate as
 * strings); $cs is text only. A PV of a part the message lacks is null.
 *
 * Writes: $ru (any string, as 5.6.3 takes it), $rU, $rd, $rp (the R-URI
 * rebuilt; $rU = "" or $null removes the user, $rp = $null the port;
 * refused on a tel: or unparsable R-URI), $du / $duri ($null resets),
 * the flags $mf $mF $Mf(n), $sf $sF $Sf(n), $bf $bF $Bf(n) (script and
 * branch flags live in the core's state, mod_core_state; flags are
 * numbers, not names), and From/To through changes applied when the
 * message is sent ($fu $fU $fd $fn, $tu $tU $td $tn: 5.6.3's lumps; $hdr
 * and these PVs keep reading the original text; a change overlapping an
 * earlier one is refused). Everything else is read-only.
 *
 * Time: $Ts, $Tf, $TV(s), $TV(u), $time(...), $utime(...), $timef(...),
 * $utimef(...) read one clock sample taken on first use in a message
 * (dropped by msg_done), as 5.6.3 caches them per message; $TS, $TF,
 * $TV(sn), $TV(un), $TV(Sn) read the clock each time.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "mod_pv_int.h"
#include "../runtime/rt.h"

enum {
	P_RU = 1, P_RUSER, P_RD, P_RP, P_RPROTO, P_RZ, P_RUL, P_RV, P_RM, P_RMID,
	P_MT, P_MTS, P_RS, P_RR,
	P_OU, P_OUSER, P_OD, P_OP, P_OPROTO, P_OUL,
	P_DU, P_DD, P_DP, P_DPROTO,
	P_FU, P_FUSER, P_FD, P_FN, P_FT, P_FUL,
	P_TU, P_TUSER, P_TD, P_TN, P_TT, P_TUL,
	P_CI, P_CS, P_CSB, P_CT, P_CTYPE, P_CL, P_UA, P_RB, P_BS, P_MB, P_ML,
	P_HDR, P_HDRC, P_HFL, P_HFLC, P_MSG, P_VIA0, P_VIA1,
	P_SI, P_SIZ, P_SP, P_SU, P_SUT, P_SAS,
	P_RI, P_RPORT, P_RURI_SOCK, P_RUT, P_RAS,
	P_PR, P_PRID, P_AF, P_CONID,
	P_MF, P_MFHEX, P_MFLAG,
	P_TS_C, P_TS_N, P_TF_C, P_TF_N, P_TB, P_TV, P_TIME, P_UTIME, P_TIMEF, P_UTIMEF,
	P_PP, P_TRUE, P_K, P_S,
	P_SF, P_SFHEX, P_SFLAG, P_BF, P_BFHEX, P_BFLAG,
	P_SEL
};

/* Inner names that need one. */
#define N_NONE 0
#define N_NEED 1

static const struct {
	const char *cls;
	int id;
	int name;
} pv_ids[] = {
	{ "ru", P_RU, 0 }, { "ruri", P_RU, 0 }, { "rU", P_RUSER, 0 },
	{ "ruri.user", P_RUSER, 0 }, { "rd", P_RD, 0 }, { "ruri.domain", P_RD, 0 },
	{ "rp", P_RP, 0 }, { "rP", P_RPROTO, 0 }, { "rz", P_RZ, 0 },
	{ "rUl", P_RUL, 0 }, { "rv", P_RV, 0 }, { "rm", P_RM, 0 },
	{ "rmid", P_RMID, 0 }, { "mt", P_MT, 0 }, { "mts", P_MTS, 0 },
	{ "rs", P_RS, 0 }, { "rr", P_RR, 0 },
	{ "ou", P_OU, 0 }, { "ouri", P_OU, 0 }, { "oU", P_OUSER, 0 },
	{ "od", P_OD, 0 }, { "op", P_OP, 0 }, { "oP", P_OPROTO, 0 },
	{ "oUl", P_OUL, 0 },
	{ "du", P_DU, 0 }, { "duri", P_DU, 0 }, { "dd", P_DD, 0 },
	{ "dp", P_DP, 0 }, { "dP", P_DPROTO, 0 },
	{ "fu", P_FU, 0 }, { "from", P_FU, 0 }, { "fU", P_FUSER, 0 },
	{ "from.user", P_FUSER, 0 }, { "fd", P_FD, 0 }, { "from.domain", P_FD, 0 },
	{ "fn", P_FN, 0 }, { "ft", P_FT, 0 }, { "fUl", P_FUL, 0 },
	{ "tu", P_TU, 0 }, { "to", P_TU, 0 }, { "tU", P_TUSER, 0 },
	{ "to.user", P_TUSER, 0 }, { "td", P_TD, 0 }, { "to.domain", P_TD, 0 },
	{ "tn", P_TN, 0 }, { "tt", P_TT, 0 }, { "tUl", P_TUL, 0 },
	{ "ci", P_CI, 0 }, { "cs", P_CS, 0 }, { "csb", P_CSB, 0 },
	{ "ct", P_CT, 0 }, { "cT", P_CTYPE, 0 }, { "cl", P_CL, 0 },
	{ "ua", P_UA, 0 }, { "rb", P_RB, 0 }, { "bs", P_BS, 0 },
	{ "mb", P_MB, 0 }, { "ml", P_ML, 0 },
	{ "hdr", P_HDR, N_NEED }, { "hdrc", P_HDRC, N_NEED },
	{ "hfl", P_HFL, N_NEED }, { "hflc", P_HFLC, N_NEED },
	{ "msg", P_MSG, N_NEED }, { "via0", P_VIA0, N_NEED }, { "via1", P_VIA1, N_NEED },
	{ "si", P_SI, 0 }, { "src_ip", P_SI, 0 }, { "siz", P_SIZ, 0 },
	{ "sp", P_SP, 0 }, { "su", P_SU, 0 }, { "sut", P_SUT, 0 }, { "sas", P_SAS, 0 },
	{ "Ri", P_RI, 0 }, { "RAi", P_RI, 0 }, { "Rp", P_RPORT, 0 }, { "RAp", P_RPORT, 0 },
	{ "Ru", P_RURI_SOCK, 0 }, { "RAu", P_RURI_SOCK, 0 }, { "Rut", P_RUT, 0 },
	{ "RAut", P_RUT, 0 }, { "Ras", P_RAS, 0 },
	{ "pr", P_PR, 0 }, { "proto", P_PR, 0 }, { "prid", P_PRID, 0 },
	{ "af", P_AF, N_NEED }, { "conid", P_CONID, 0 },
	{ "mf", P_MF, 0 }, { "mF", P_MFHEX, 0 }, { "Mf", P_MFLAG, N_NEED },
	{ "Ts", P_TS_C, 0 }, { "TS", P_TS_N, 0 }, { "Tf", P_TF_C, 0 },
	{ "TF", P_TF_N, 0 }, { "Tb", P_TB, 0 }, { "TV", P_TV, N_NEED },
	{ "time", P_TIME, N_NEED }, { "utime", P_UTIME, N_NEED },
	{ "timef", P_TIMEF, N_NEED }, { "utimef", P_UTIMEF, N_NEED },
	{ "pp", P_PP, 0 }, { "true", P_TRUE, 0 }, { "K", P_K, N_NEED },
	{ "_s", P_S, N_NEED },
	{ "sf", P_SF, 0 }, { "sF", P_SFHEX, 0 }, { "Sf", P_SFLAG, N_NEED },
	{ "bf", P_BF, 0 }, { "bF", P_BFHEX, 0 }, { "Bf", P_BFLAG, N_NEED },
	{ "sel", P_SEL, N_NEED },
	{ NULL, 0, 0 }
};

/* ------------------------------------------------------------------------
 * Parsing the inner names
 * ------------------------------------------------------------------------ */

static int name_is(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* Pick `name` from a list of words; its index + 1, or 0. */
static int pick(const char *name, size_t len, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (name_is(name, len, words[i]))
			return i + 1;
	return 0;
}

static const char *const k_time[] = { "sec", "min", "hour", "mday", "mon",
	"year", "wday", "yday", "isdst", NULL };
static const char *const k_tv[] = { "s", "u", "sn", "un", "Sn", NULL };
static const char *const k_af[] = { "id", "name", NULL };
static const char *const k_K[] = { "IPv4", "INET", "IPv6", "INET6", "UDP",
	"TCP", "TLS", "SCTP", "WS", "WSS", NULL };
static const char *const k_msg[] = { "len", "buf", "body", "hdrs", "fline",
	"body_len", "hdrc", "fpart", "hdrs_len", NULL };
static const char *const k_via[] = { "host", "port", "proto", "protoid",
	"branch", "received", "rport", "i", NULL };

/* A header name: literal, "*" (any header), or a PV giving it. */
typedef struct {
	const char *name;        /* a view into the spec's text */
	size_t len;
	int any;
	mod_pv_dyn *dyn;
} hname;

static void hname_free(void *p)
{
	hname *h = p;
	if (h)
		mod_pv_dyn_free(h->dyn);
	free(h);
}

/* A format parsed on first use ($_s(fmt)). */
typedef struct {
	_Atomic(vm_fmt *) f;
	atomic_int failed;
	const char *text;        /* a view into the spec's text */
	size_t len;
} lazy_fmt;

static void lazy_fmt_free(void *p)
{
	lazy_fmt *l = p;
	if (l)
		vm_fmt_free(atomic_load(&l->f));
	free(l);
}

static pthread_mutex_t fmt_mu = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------------
 * Selects: $sel(via[1].branch), and @via[1].branch, which the compiler
 * writes as that PV. A subset of Kamailio's core select table:
 *
 *   ruri | request_uri [.user .host .port .params]
 *   from | f, to | t   [.uri [.user .host .port .params] .tag .name]
 *   via | v [n] (1 first) [.host .port .branch .received .rport
 *                          .transport .i]
 *   call_id, cseq [.num .method], user_agent, content_type,
 *   content_length, max_forwards, expires, contact | m, dst_uri,
 *   msg | message .header | .h ["Name"] [n] , .body, .len, .first_line
 *   src .ip .port, rcv .ip .port, sys .pid .now
 *
 * Any other select is refused when the program is loaded. Values are text
 * (null when the part is absent), as selects are.
 * ------------------------------------------------------------------------ */

enum {
	SL_RURI = 1, SL_FROM, SL_TO, SL_VIA, SL_CALLID, SL_CSEQ, SL_UA, SL_CTYPE,
	SL_CLEN, SL_MAXFWD, SL_EXPIRES, SL_CONTACT, SL_DSTURI, SL_MSG_HDR,
	SL_MSG_BODY, SL_MSG_LEN, SL_MSG_FLINE, SL_SRC_IP, SL_SRC_PORT,
	SL_RCV_IP, SL_RCV_PORT, SL_SYS_PID, SL_SYS_NOW
};
/* parts of a URI, a name-addr and a Via */
enum { SP_WHOLE = 0, SP_USER, SP_HOST, SP_PORT, SP_PARAMS, SP_URI, SP_TAG,
	SP_NAME, SP_BRANCH, SP_RECEIVED, SP_RPORT, SP_TRANSPORT, SP_I, SP_NUM,
	SP_METHOD };

typedef struct {
	int top;
	int idx;                 /* via[n], header[n] (1 first; 0 none) */
	int part, upart;         /* part, and the URI part of from.uri.* */
	const char *hname;       /* msg.header["Name"]: a view into the text */
	size_t hlen;
} sel_spec;

typedef struct {
	const char *name;
	size_t nlen;
	int has_idx, idx_is_str;
	int32_t idx;
	const char *str;
	size_t slen;
} sel_seg;

static int seg_is(const sel_seg *g, const char *a, const char *b)
{
	return name_is(g->name, g->nlen, a) || (b && name_is(g->name, g->nlen, b));
}

/* Split "a.b[1].c[\"x\"]" into segments; the count, or -1. */
static int sel_split(const char *s, size_t len, sel_seg *g, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		sel_seg *c;
		size_t st = i;
		if (n == max)
			return -1;
		c = &g[n++];
		memset(c, 0, sizeof(*c));
		while (i < len && s[i] != '.' && s[i] != '[')
			i++;
		if (i == st)
			return -1;
		c->name = s + st;
		c->nlen = i - st;
		if (i < len && s[i] == '[') {
			size_t e = ++i;
			c->has_idx = 1;
			if (e < len && s[e] == '"') {
				for (e++; e < len && s[e] != '"'; e++)
					;
				if (e >= len || e + 1 >= len || s[e + 1] != ']')
					return -1;
				c->idx_is_str = 1;
				c->str = s + i + 1;
				c->slen = e - i - 1;
				i = e + 2;
			} else {
				while (e < len && s[e] != ']')
					e++;
				if (e >= len || vm_str_to_int(s + i, e - i, &c->idx) < 0 || c->idx < 0)
					return -1;
				i = e + 1;
			}
		}
		if (i < len) {
			if (s[i] != '.' || i + 1 == len)
				return -1;
			i++;
		}
	}
	return n;
}

/* The URI part a segment names, or -1. */
static int sel_uri_part(const sel_seg *g)
{
	if (seg_is(g, "user", NULL)) return SP_USER;
	if (seg_is(g, "host", NULL)) return SP_HOST;
	if (seg_is(g, "port", NULL)) return SP_PORT;
	if (seg_is(g, "params", NULL)) return SP_PARAMS;
	return -1;
}

static int sel_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	sel_seg g[6];
	int n = sel_split(name, len, g, 6);
	sel_spec *x;
	static const struct { const char *a, *b; int top; } plain[] = {
		{ "call_id", "callid", SL_CALLID }, { "user_agent", NULL, SL_UA },
		{ "content_type", NULL, SL_CTYPE }, { "content_length", NULL, SL_CLEN },
		{ "max_forwards", NULL, SL_MAXFWD }, { "expires", NULL, SL_EXPIRES },
		{ "contact", "m", SL_CONTACT }, { "dst_uri", NULL, SL_DSTURI },
	};

	if (n <= 0 || !(x = calloc(1, sizeof(*x))))
		goto bad;
	if (seg_is(&g[0], "ruri", "request_uri") && !g[0].has_idx && n <= 2) {
		x->top = SL_RURI;
		if (n == 2 && (x->part = sel_uri_part(&g[1])) < 0)
			goto bad;
	} else if ((seg_is(&g[0], "from", "f") || seg_is(&g[0], "to", "t")) && !g[0].has_idx) {
		x->top = seg_is(&g[0], "from", "f") ? SL_FROM : SL_TO;
		if (n >= 2) {
			if (seg_is(&g[1], "uri", NULL)) {
				x->part = SP_URI;
				if (n == 3 && (x->upart = sel_uri_part(&g[2])) < 0)
					goto bad;
				if (n > 3)
					goto bad;
			} else if (n == 2 && seg_is(&g[1], "tag", NULL)) {
				x->part = SP_TAG;
			} else if (n == 2 && seg_is(&g[1], "name", NULL)) {
				x->part = SP_NAME;
			} else {
				goto bad;
			}
		}
	} else if (seg_is(&g[0], "via", "v") && n <= 2) {
		static const struct { const char *w; int p; } vp[] = {
			{ "host", SP_HOST }, { "port", SP_PORT }, { "branch", SP_BRANCH },
			{ "received", SP_RECEIVED }, { "rport", SP_RPORT },
			{ "transport", SP_TRANSPORT }, { "i", SP_I },
		};
		x->top = SL_VIA;
		x->idx = g[0].has_idx ? g[0].idx : 1;
		if (g[0].idx_is_str || x->idx < 1)
			goto bad;
		if (n == 2) {
			size_t k;
			for (k = 0; k < sizeof(vp) / sizeof(vp[0]); k++)
				if (seg_is(&g[1], vp[k].w, NULL))
					break;
			if (k == sizeof(vp) / sizeof(vp[0]))
				goto bad;
			x->part = vp[k].p;
		}
	} else if (seg_is(&g[0], "cseq", NULL) && n <= 2 && !g[0].has_idx) {
		x->top = SL_CSEQ;
		if (n == 2)
			x->part = seg_is(&g[1], "num", NULL) ? SP_NUM :
				seg_is(&g[1], "method", NULL) ? SP_METHOD : -1;
		if (x->part < 0)
			goto bad;
	} else if (seg_is(&g[0], "msg", "message") && n == 2 && !g[0].has_idx) {
		if (seg_is(&g[1], "header", "h") && g[1].has_idx && g[1].idx_is_str && g[1].slen) {
			x->top = SL_MSG_HDR;
			x->hname = g[1].str;
			x->hlen = g[1].slen;
		} else if (seg_is(&g[1], "body", NULL) && !g[1].has_idx) {
			x->top = SL_MSG_BODY;
		} else if (seg_is(&g[1], "len", NULL) && !g[1].has_idx) {
			x->top = SL_MSG_LEN;
		} else if (seg_is(&g[1], "first_line", NULL) && !g[1].has_idx) {
			x->top = SL_MSG_FLINE;
		} else {
			goto bad;
		}
	} else if ((seg_is(&g[0], "src", NULL) || seg_is(&g[0], "rcv", NULL)) && n == 2) {
		int src = seg_is(&g[0], "src", NULL);
		if (seg_is(&g[1], "ip", NULL))
			x->top = src ? SL_SRC_IP : SL_RCV_IP;
		else if (seg_is(&g[1], "port", NULL))
			x->top = src ? SL_SRC_PORT : SL_RCV_PORT;
		else
			goto bad;
	} else if (seg_is(&g[0], "sys", NULL) && n == 2) {
		if (seg_is(&g[1], "pid", NULL))
			x->top = SL_SYS_PID;
		else if (seg_is(&g[1], "now", NULL))
			x->top = SL_SYS_NOW;
		else
			goto bad;
	} else if (n == 1 && !g[0].has_idx) {
		for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++)
			if (seg_is(&g[0], plain[k].a, plain[k].b))
				x->top = plain[k].top;
		if (x->top == 0)
			goto bad;
	} else {
		goto bad;
	}
	sp->data = x;
	sp->data_free = free;
	return 0;
bad:
	if (n > 0)
		free(x);
	*err = "select not supported by sipvm";
	return -1;
}

int mod_pv_msg_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	int i, k = 0;

	for (i = 0; pv_ids[i].cls; i++)
		if (strcmp(pv_ids[i].cls, sp->cls->name) == 0)
			break;
	if (!pv_ids[i].cls) {
		*err = "not a message PV";
		return -1;
	}
	sp->id = pv_ids[i].id;
	if (pv_ids[i].name == N_NONE)
		return 0;
	if (name == NULL || len == 0) {
		*err = "a name is required";
		return -1;
	}
	switch (sp->id) {
	case P_HDR: case P_HDRC: case P_HFL: case P_HFLC: {
		hname *h = calloc(1, sizeof(*h));
		if (h == NULL) {
			*err = "out of memory";
			return -1;
		}
		if (name[0] == '$') {
			if (!(h->dyn = mod_pv_dyn_new(name, len))) {
				free(h);
				*err = "out of memory";
				return -1;
			}
		} else {
			h->name = name;
			h->len = len;
			h->any = len == 1 && name[0] == '*';
		}
		sp->data = h;
		sp->data_free = hname_free;
		return 0;
	}
	case P_S: {
		lazy_fmt *l = calloc(1, sizeof(*l));
		if (l == NULL) {
			*err = "out of memory";
			return -1;
		}
		atomic_init(&l->f, NULL);
		atomic_init(&l->failed, 0);
		l->text = name;
		l->len = len;
		sp->data = l;
		sp->data_free = lazy_fmt_free;
		return 0;
	}
	case P_TIMEF: case P_UTIMEF:
		return 0;
	case P_SEL:
		return sel_parse(sp, name, len, err);
	case P_MFLAG: case P_SFLAG: case P_BFLAG: {
		int32_t n;
		if (vm_str_to_int(name, len, &n) < 0 || n < 0 || n > 31) {
			*err = "a flag number 0-31 is required (named flags are not supported)";
			return -1;
		}
		k = n + 1;
		break;
	}
	case P_TIME: case P_UTIME: k = pick(name, len, k_time); break;
	case P_TV: k = pick(name, len, k_tv); break;
	case P_AF: k = pick(name, len, k_af); break;
	case P_K: k = pick(name, len, k_K); break;
	case P_MSG: k = pick(name, len, k_msg); break;
	case P_VIA0: case P_VIA1: k = pick(name, len, k_via); break;
	}
	if (k == 0) {
		*err = "unknown key";
		return -1;
	}
	sp->data = (void *)(intptr_t)k;
	return 0;
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static vm_value view(rt_view v)
{
	return v.s ? vm_str(v.s, v.len) : vm_null();
}

/* A present, non-empty view as a string, else null. */
static vm_value view_ne(rt_view v)
{
	return v.s && v.len ? vm_str(v.s, v.len) : vm_null();
}

/* Text written into the arena as a string value; -1 when it is full. */
static int arena_printf(vm_ctx *c, vm_value *out, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
static int arena_printf(vm_ctx *c, vm_value *out, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;
	char *b;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp) || !(b = vm_arena_alloc(&c->arena, (size_t)n + 1)))
		return -1;
	memcpy(b, tmp, (size_t)n + 1);
	*out = vm_str(b, (size_t)n);
	return 0;
}

/* An unsigned value (flags) as 5.6.3's pv_get_uintval gives it: an int
 * whose text is unsigned. */
static int uint_val(vm_ctx *c, uint32_t u, vm_value *out)
{
	if (u <= INT32_MAX) {
		*out = vm_int((int32_t)u);
		return 0;
	}
	if (arena_printf(c, out, "%u", (unsigned)u) < 0)
		return -1;
	*out = vm_int_str((int32_t)u, out->s, out->len);
	return 0;
}

/* Flags as $mF, $sF, $bF give them: 8 hex digits with the int form. */
static int hex_flags(vm_ctx *c, uint32_t u, vm_value *out)
{
	if (arena_printf(c, out, "%08x", (unsigned)u) < 0)
		return -1;
	*out = vm_str_int(out->s, out->len, (int32_t)u);
	return 0;
}

static const char *proto_name(int proto)
{
	static const char *const names[] = { "none", "udp", "tcp", "tls", "sctp", "ws", "wss" };
	return proto >= 0 && proto <= 6 ? names[proto] : "none";
}

/* Method id of a method name (CSeq of a reply), RT_M_OTHER if unknown. */
static int32_t method_id(rt_view m)
{
	static const struct { const char *n; uint32_t id; } ms[] = {
		{ "INVITE", RT_M_INVITE }, { "CANCEL", RT_M_CANCEL }, { "ACK", RT_M_ACK },
		{ "BYE", RT_M_BYE }, { "INFO", RT_M_INFO }, { "REGISTER", RT_M_REGISTER },
		{ "SUBSCRIBE", RT_M_SUBSCRIBE }, { "NOTIFY", RT_M_NOTIFY },
		{ "MESSAGE", RT_M_MESSAGE }, { "OPTIONS", RT_M_OPTIONS },
		{ "PRACK", RT_M_PRACK }, { "UPDATE", RT_M_UPDATE }, { "REFER", RT_M_REFER },
		{ "PUBLISH", RT_M_PUBLISH }, { "KDMQ", RT_M_KDMQ }, { "GET", RT_M_GET },
		{ "POST", RT_M_POST }, { "PUT", RT_M_PUT }, { "DELETE", RT_M_DELETE },
	};
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (m.s && strlen(ms[i].n) == m.len && strncasecmp(ms[i].n, m.s, m.len) == 0)
			return (int32_t)ms[i].id;
	return RT_M_OTHER;
}

/* The port of a URI as $rp gives it: its text, else 5060 (5061 with
 * transport=tls), with the int form. */
static vm_value uri_port(const rt_uri *u)
{
	if (u->port.s && u->port.len)
		return vm_str_int(u->port.s, u->port.len, u->port_no);
	if (u->transport.s && u->transport.len == 3 && strncasecmp(u->transport.s, "tls", 3) == 0)
		return vm_str_int("5061", 4, 5061);
	return vm_str_int("5060", 4, 5060);
}

/* The protocol id of a transport parameter's value. */
static int32_t transport_id(rt_view t)
{
	static const char *const n[] = { "udp", "tcp", "tls", "sctp", "ws", "wss" };
	for (int i = 0; i < 6; i++)
		if (t.len == strlen(n[i]) && strncasecmp(t.s, n[i], t.len) == 0)
			return i + 1;
	return 0;
}

/* One part of a parsed URI as $rU $rd $rp $rP $rz $rUl give it. */
static vm_value uri_part(const rt_uri *u, int which)
{
	static const char *const schemes[] = { "none", "sip", "sips", "tel", "tels" };
	switch (which) {
	case P_RUSER:
		return view_ne(u->user);
	case P_RD:
		return view_ne(u->host);
	case P_RP:
		return uri_port(u);
	case P_RPROTO:
		if (u->transport.s == NULL)
			return vm_str_int("UDP", 3, RT_PROTO_UDP);
		return vm_str_int(u->transport.s, u->transport.len, transport_id(u->transport));
	case P_RZ: {
		int t = u->type >= 0 && u->type <= 4 ? u->type : 0;
		return vm_str_int(schemes[t], strlen(schemes[t]), t);
	}
	case P_RUL:
		return vm_int((int32_t)(u->user.s ? u->user.len : 0));
	}
	return vm_null();
}

/* The time sample of this message, taken on first use. */
static mod_pv_state *msg_time(vm_ctx *c)
{
	mod_pv_state *st = mod_pv_state_of(c);
	if (st == NULL)
		return NULL;
	if (!st->have_time) {
		char b[32];
		clock_gettime(CLOCK_REALTIME, &st->now);
		localtime_r(&st->now.tv_sec, &st->ltm);
		gmtime_r(&st->now.tv_sec, &st->utm);
		ctime_r(&st->now.tv_sec, b);
		st->tflen = strcspn(b, "\n");
		memcpy(st->tf, b, st->tflen);
		st->tf[st->tflen] = '\0';
		st->have_time = 1;
	}
	return st;
}

/* One field of a broken-down time ($time(k), $utime(k)). */
static vm_value tm_field(const struct tm *t, int k)
{
	switch (k) {
	case 1: return vm_int(t->tm_sec);
	case 2: return vm_int(t->tm_min);
	case 3: return vm_int(t->tm_hour);
	case 4: return vm_int(t->tm_mday);
	case 5: return vm_int(t->tm_mon + 1);
	case 6: return vm_int(t->tm_year + 1900);
	case 7: return vm_int(t->tm_wday + 1);
	case 8: return vm_int(t->tm_yday + 1);
	case 9: return vm_int(t->tm_isdst);
	}
	return vm_null();
}

/* ------------------------------------------------------------------------
 * Headers: $hdr, $hdrc, $hfl, $hflc
 * ------------------------------------------------------------------------ */

/* The header name of sp now (a PV name is read each time). */
static int hdr_name(vm_ctx *c, const vm_pvspec *sp, const char **name, size_t *len,
		int *any)
{
	const hname *h = sp->data;
	vm_value v;

	*any = h->any;
	if (h->dyn == NULL) {
		*name = h->name;
		*len = h->len;
		return 0;
	}
	if (mod_pv_dyn_get(c, h->dyn, &v) < 0 || v.kind != VM_STR || v.len == 0) {
		vm_error(c, "%s: the header name has no string value", sp->text);
		return -1;
	}
	*name = v.s;
	*len = v.len;
	*any = v.len == 1 && v.s[0] == '*';
	return 0;
}

/* Whether header h matches the name (any header when `any`). */
static int hdr_match(rt_msg *m, const rt_hdr *h, int type, const char *name,
		size_t len, int any)
{
	(void)m;
	if (any)
		return 1;
	if (type != RT_HDR_OTHER)
		return h->type == type;
	return h->name.len == len && strncasecmp(h->name.s, name, len) == 0;
}

/* Header types whose lines $hfl splits into values. */
static int hfl_split(int type)
{
	return type == RT_HDR_VIA || type == RT_HDR_ROUTE || type == RT_HDR_RR ||
		type == RT_HDR_CONTACT;
}

/* Value n (0 first) of a comma-separated header body: quotes and <> are
 * honoured, blanks around it trimmed. 1 found (in *out), 0 when there are
 * fewer values; *count gets the number of values seen. */
static int body_value(rt_view b, unsigned n, rt_view *out, unsigned *count)
{
	size_t i = 0, st = 0;
	int q = 0, angle = 0;
	unsigned k = 0;

	for (;; i++) {
		if (i < b.len) {
			char ch = b.s[i];
			if (q) {
				if (ch == '\\' && i + 1 < b.len)
					i++;
				else if (ch == '"')
					q = 0;
				continue;
			}
			if (ch == '"') {
				q = 1;
				continue;
			}
			if (ch == '<')
				angle = 1;
			else if (ch == '>')
				angle = 0;
			if (ch != ',' || angle)
				continue;
		}
		size_t s = st, e = i;
		while (s < e && (b.s[s] == ' ' || b.s[s] == '\t' || b.s[s] == '\r' || b.s[s] == '\n'))
			s++;
		while (e > s && (b.s[e - 1] == ' ' || b.s[e - 1] == '\t' || b.s[e - 1] == '\r' || b.s[e - 1] == '\n'))
			e--;
		if (e > s) {
			if (k == n) {
				out->s = b.s + s;
				out->len = e - s;
				*count = k + 1;
				return 1;
			}
			k++;
		}
		st = i + 1;
		if (i >= b.len)
			break;
	}
	*count = k;
	return 0;
}

/* How many values the matching headers hold ($hflc), or lines ($hdrc). */
static unsigned hdr_count(rt_msg *m, int type, const char *name, size_t len, int any,
		int values)
{
	unsigned n = 0, k;
	rt_view dummy;
	for (unsigned i = 0; i < m->nhdrs; i++) {
		if (!hdr_match(m, &m->hdrs[i], type, name, len, any))
			continue;
		if (values) {
			body_value(m->hdrs[i].body, (unsigned)-1, &dummy, &k);
			n += k;
		} else {
			n++;
		}
	}
	return n;
}

static int get_hdr(vm_ctx *c, const vm_pvspec *sp, rt_msg *m, vm_value *out, int values)
{
	const char *name;
	size_t len, total = 0, o = 0;
	int any, type, kind;
	int32_t idx;
	unsigned n;
	char *b;

	if (hdr_name(c, sp, &name, &len, &any) < 0)
		return -1;
	type = any ? RT_HDR_OTHER : rt_hdr_type(name, len);
	values = values && !any && hfl_split(type);
	mod_pv_index(c, sp, &kind, &idx);
	if (kind == VM_IDX_ALL) {
		/* every line's body, joined by ',' as 5.6.3 does */
		for (unsigned i = 0; i < m->nhdrs; i++)
			if (hdr_match(m, &m->hdrs[i], type, name, len, any))
				total += m->hdrs[i].body.len + 1;
		if (total == 0)
			return 0;
		if (!(b = vm_arena_alloc(&c->arena, total)))
			return -1;
		for (unsigned i = 0; i < m->nhdrs; i++) {
			const rt_hdr *h = &m->hdrs[i];
			if (!hdr_match(m, h, type, name, len, any))
				continue;
			if (o)
				b[o++] = ',';
			memcpy(b + o, h->body.s, h->body.len);
			o += h->body.len;
		}
		b[o] = '\0';
		*out = vm_str(b, o);
		return 0;
	}
	n = hdr_count(m, type, name, len, any, values);
	if (idx < 0)
		idx = (int32_t)n + idx;
	if (idx < 0 || (unsigned)idx >= n)
		return 0;
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		rt_view v;
		unsigned k;
		if (!hdr_match(m, h, type, name, len, any))
			continue;
		if (!values) {
			if (idx-- == 0) {
				*out = vm_str(h->body.s, h->body.len);
				return 0;
			}
			continue;
		}
		if (body_value(h->body, (unsigned)idx, &v, &k)) {
			*out = vm_str(v.s, v.len);
			return 0;
		}
		idx -= (int32_t)k;
	}
	return 0;
}


/* ------------------------------------------------------------------------
 * Getters
 * ------------------------------------------------------------------------ */

/* The original R-URI, parsed; 0, or -1 for a reply or a bad URI. */
static int orig_uri(rt_msg *m, rt_uri *u)
{
	if (!m->is_request || m->ruri.s == NULL)
		return -1;
	return rt_uri_parse(m->ruri.s, m->ruri.len, u);
}

/* $du's URI parsed; 0 or -1 (unset or bad). */
static int dst_uri(rt_msg *m, rt_uri *u)
{
	if (m->dst_uri == NULL)
		return -1;
	return rt_uri_parse(m->dst_uri, m->dst_uri_len, u);
}

static const rt_nameaddr *xto(rt_msg *m, int from)
{
	return from ? rt_msg_from(m) : rt_msg_to(m);
}

/* $fu $fU $fd $fn $ft $fUl and the To forms. */
static int get_xto(vm_ctx *c, rt_msg *m, int id, vm_value *out)
{
	int from = id >= P_FU && id <= P_FUL;
	int what = id - (from ? P_FU : P_TU);   /* 0 uri 1 user 2 host 3 name 4 tag 5 ulen */
	const rt_nameaddr *na = xto(m, from);
	rt_uri u;

	if (na == NULL)
		return 0;
	switch (what) {
	case 0:
		*out = view(na->uri);
		return 0;
	case 3:
		*out = view_ne(na->display_raw);
		return 0;
	case 4:
		*out = view_ne(na->tag);
		return 0;
	}
	if (rt_uri_parse(na->uri.s, na->uri.len, &u) < 0) {
		vm_error(c, "cannot parse the %s URI", from ? "From" : "To");
		return 0;
	}
	if (what == 1)
		*out = view_ne(u.user);
	else if (what == 2)
		*out = view_ne(u.host);
	else
		*out = vm_int((int32_t)(u.user.s ? u.user.len : 0));
	return 0;
}

static int get_via(vm_ctx *c, rt_msg *m, int second, int k, vm_value *out)
{
	const rt_via *v = second ? rt_msg_via2(m) : rt_msg_via1(m);
	(void)c;
	if (v == NULL)
		return 0;
	switch (k) {
	case 1: *out = view_ne(v->host); break;
	case 2: *out = v->port.s && v->port.len ? vm_int_str(v->port_no, v->port.s, v->port.len) :
			vm_null(); break;
	case 3: *out = view_ne(v->proto); break;
	case 4: *out = vm_int(v->proto.s ? transport_id(v->proto) : 0); break;
	case 5: *out = view_ne(v->branch); break;
	case 6: *out = view_ne(v->received); break;
	case 7: *out = view_ne(v->rport); break;
	case 8: *out = view_ne(v->i); break;
	}
	return 0;
}

/* The first line and header block, trimmed, as $msg(...) gives them. */
static rt_view msg_part(rt_msg *m, int k)
{
	rt_view r = { NULL, 0 };
	const char *hs = m->fline.s ? m->fline.s + m->fline.len : m->buf;
	const char *he = m->body.s ? m->body.s : m->buf + m->len;

	switch (k) {
	case 4: r.s = hs; r.len = (size_t)(he - hs); break;           /* hdrs */
	case 5: r.s = m->buf; r.len = m->fline.s ? m->fline.len : 0; break; /* fline */
	case 8: r.s = m->buf; r.len = (size_t)(he - m->buf); break;   /* fpart */
	case 9: r.s = hs; r.len = (size_t)(he - hs); break;           /* hdrs_len */
	}
	while (r.len && (r.s[r.len - 1] == '\r' || r.s[r.len - 1] == '\n' ||
				r.s[r.len - 1] == ' ' || r.s[r.len - 1] == '\t'))
		r.len--;
	while (r.len && (r.s[0] == '\r' || r.s[0] == '\n' || r.s[0] == ' ' || r.s[0] == '\t')) {
		r.s++;
		r.len--;
	}
	return r;
}

/* Address text for $su $sut $sas $Ru $Rut $Ras: `uri` 0 "proto:ip:port",
 * 1 "sip:ip:port" (with ;transport= when not UDP), 2 always with it. */
static int addr_text(vm_ctx *c, const rt_addr *a, int uri, vm_value *out)
{
	const char *ob = a->af == 6 ? "[" : "", *cb = a->af == 6 ? "]" : "";
	if (a->af == 0)
		return 0;
	if (uri == 0)
		return arena_printf(c, out, "%s:%s%s%s:%u", proto_name(a->proto), ob, a->ip, cb,
				a->port);
	if (uri == 1 && a->proto == RT_PROTO_UDP)
		return arena_printf(c, out, "sip:%s%s%s:%u", ob, a->ip, cb, a->port);
	return arena_printf(c, out, "sip:%s%s%s:%u;transport=%s", ob, a->ip, cb, a->port,
			proto_name(a->proto));
}

/* The values that need no message. */
static int get_nomsg(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	mod_pv_state *st;
	intptr_t k = (intptr_t)sp->data;
	struct timeval tv;
	char b[256];
	size_t n;

	switch (sp->id) {
	case P_PP:
		*out = vm_int((int32_t)getpid());
		return 0;
	case P_TRUE:
		*out = vm_int_str(1, "1", 1);
		return 0;
	case P_K: {
		static const int32_t kv[] = { 2, 2, 10, 10, RT_PROTO_UDP, RT_PROTO_TCP,
			RT_PROTO_TLS, RT_PROTO_SCTP, RT_PROTO_WS, RT_PROTO_WSS };
		*out = vm_int(kv[k - 1]);
		return 0;
	}
	case P_TS_N:
		*out = vm_int((int32_t)time(NULL));
		return 0;
	case P_TF_N: {
		time_t t = time(NULL);
		ctime_r(&t, b);
		return arena_printf(c, out, "%.*s", (int)strcspn(b, "\n"), b);
	}
	case P_TB:
		*out = vm_int((int32_t)mod_pv_start_time);
		return 0;
	case P_S: {
		lazy_fmt *l = sp->data;
		vm_fmt *f = atomic_load_explicit(&l->f, memory_order_acquire);
		char err[256];
		if (f == NULL && !atomic_load(&l->failed) && c->lp) {
			pthread_mutex_lock(&fmt_mu);
			if (!(f = atomic_load(&l->f)) && !atomic_load(&l->failed)) {
				if (vm_fmt_parse(c->lp, l->text, l->len, &f, err, sizeof(err)) < 0) {
					atomic_store(&l->failed, 1);
					vm_error(c, "%s: %s", sp->text, err);
					f = NULL;
				} else {
					atomic_store_explicit(&l->f, f, memory_order_release);
				}
			}
			pthread_mutex_unlock(&fmt_mu);
		}
		if (f == NULL)
			return -1;
		return vm_fmt_eval(c, f, out) < 0 ? -1 : 0;
	}
	}
	/* script flags and branch 0's flags (the core's state) */
	if (sp->id >= P_SF) {
		mod_core_state *cs = mod_core_state_of(c);
		uint32_t f;
		if (cs == NULL)
			return -1;
		f = sp->id <= P_SFLAG ? cs->sflags : cs->bflags;
		if (sp->id == P_SF || sp->id == P_BF)
			return uint_val(c, f, out);
		if (sp->id == P_SFHEX || sp->id == P_BFHEX)
			return hex_flags(c, f, out);
		*out = vm_int((f >> (k - 1)) & 1u);
		return 0;
	}
	/* the per-message time sample */
	if (sp->id == P_TV && k >= 3) {
		gettimeofday(&tv, NULL);
		if (k == 5)
			return arena_printf(c, out, "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
		*out = vm_int((int32_t)(k == 3 ? tv.tv_sec : tv.tv_usec));
		return 0;
	}
	if (!(st = msg_time(c)))
		return -1;
	switch (sp->id) {
	case P_TS_C:
		*out = vm_int((int32_t)st->now.tv_sec);
		return 0;
	case P_TF_C:
		*out = vm_str(st->tf, st->tflen);
		return 0;
	case P_TV:
		if (k == 1)
			*out = vm_int((int32_t)st->now.tv_sec);
		else
			*out = vm_int((int32_t)(st->now.tv_nsec / 1000));
		return 0;
	case P_TIME:
		*out = tm_field(&st->ltm, (int)k);
		return 0;
	case P_UTIME:
		*out = tm_field(&st->utm, (int)k);
		return 0;
	case P_TIMEF: case P_UTIMEF: {
		char fmt[256];
		if (sp->nlen >= sizeof(fmt))
			return 0;
		memcpy(fmt, sp->name, sp->nlen);
		fmt[sp->nlen] = '\0';
		n = strftime(b, sizeof(b), fmt, sp->id == P_TIMEF ? &st->ltm : &st->utm);
		if (n == 0)
			return 0;
		return arena_printf(c, out, "%.*s", (int)n, b);
	}
	}
	return -1;
}

/* Via value n (1 first) of the message, counting every value of every
 * Via line. 0, or -1 when there are fewer. */
static int via_nth(rt_msg *m, int n, rt_via *out)
{
	for (unsigned i = 0; i < m->nhdrs; i++) {
		size_t off = 0;
		if (m->hdrs[i].type != RT_HDR_VIA)
			continue;
		while (rt_via_next(m->hdrs[i].body.s, m->hdrs[i].body.len, &off, out) == 1)
			if (--n == 0)
				return 0;
	}
	return -1;
}

/* A URI part for a select (text only). */
static vm_value sel_uri(rt_view text, int part)
{
	rt_uri u;
	if (part == SP_WHOLE)
		return view(text);
	if (text.s == NULL || rt_uri_parse(text.s, text.len, &u) < 0)
		return vm_null();
	switch (part) {
	case SP_USER: return view(u.user);
	case SP_HOST: return view(u.host);
	case SP_PORT: return view(u.port);
	case SP_PARAMS: return view(u.params);
	}
	return vm_null();
}

static int get_sel(vm_ctx *c, const vm_pvspec *sp, rt_msg *m, vm_value *out)
{
	const sel_spec *x = sp->data;
	const rt_hdr *h;
	const rt_nameaddr *na;
	const rt_cseq *cs;
	rt_via v;
	int type = 0;

	switch (x->top) {
	case SL_RURI:
		if (m->is_request && rt_msg_ruri(m))
			*out = sel_uri(rt_msg_ruri_text(m), x->part);
		return 0;
	case SL_FROM: case SL_TO:
		h = rt_msg_hdr_type(m, x->top == SL_FROM ? RT_HDR_FROM : RT_HDR_TO, 0);
		na = x->top == SL_FROM ? rt_msg_from(m) : rt_msg_to(m);
		if (h == NULL || na == NULL)
			return 0;
		switch (x->part) {
		case SP_WHOLE: *out = view(h->body); break;
		case SP_URI: *out = sel_uri(na->uri, x->upart); break;
		case SP_TAG: *out = view(na->tag); break;
		case SP_NAME: *out = view_ne(na->display_raw); break;
		}
		return 0;
	case SL_VIA:
		if (via_nth(m, x->idx, &v) < 0)
			return 0;
		switch (x->part) {
		case SP_WHOLE: *out = view(v.whole); break;
		case SP_HOST: *out = view(v.host); break;
		case SP_PORT: *out = view(v.port); break;
		case SP_BRANCH: *out = view_ne(v.branch); break;
		case SP_RECEIVED: *out = view_ne(v.received); break;
		case SP_RPORT: *out = view_ne(v.rport); break;
		case SP_TRANSPORT: *out = view(v.proto); break;
		case SP_I: *out = view_ne(v.i); break;
		}
		return 0;
	case SL_CSEQ:
		if (x->part == SP_WHOLE) {
			if ((h = rt_msg_hdr_type(m, RT_HDR_CSEQ, 0)))
				*out = view(h->body);
		} else if ((cs = rt_msg_cseq(m))) {
			*out = view(x->part == SP_NUM ? cs->number : cs->method);
		}
		return 0;
	case SL_CALLID: type = RT_HDR_CALLID; break;
	case SL_UA: type = RT_HDR_UA; break;
	case SL_CTYPE: type = RT_HDR_CTYPE; break;
	case SL_CLEN: type = RT_HDR_CLEN; break;
	case SL_MAXFWD: type = RT_HDR_MAXFWD; break;
	case SL_EXPIRES: type = RT_HDR_EXPIRES; break;
	case SL_CONTACT: type = RT_HDR_CONTACT; break;
	case SL_DSTURI:
		if (m->dst_uri)
			*out = vm_str(m->dst_uri, m->dst_uri_len);
		return 0;
	case SL_MSG_HDR:
		if ((h = rt_msg_hdr(m, x->hname, x->hlen, 0)))
			*out = view(h->body);
		return 0;
	case SL_MSG_BODY:
		*out = m->body.s ? vm_str(m->body.s, m->body.len) : vm_str("", 0);
		return 0;
	case SL_MSG_LEN:
		return arena_printf(c, out, "%zu", m->len);
	case SL_MSG_FLINE:
		*out = view(msg_part(m, 5));
		return 0;
	case SL_SRC_IP: case SL_RCV_IP: {
		const rt_addr *a = x->top == SL_SRC_IP ? &m->src : &m->rcv;
		if (a->af)
			*out = vm_str(a->ip, strlen(a->ip));
		return 0;
	}
	case SL_SRC_PORT: case SL_RCV_PORT: {
		const rt_addr *a = x->top == SL_SRC_PORT ? &m->src : &m->rcv;
		return a->af ? arena_printf(c, out, "%u", a->port) : 0;
	}
	}
	if (type && (h = rt_msg_hdr_type(m, type, 0)))
		*out = view(h->body);
	return 0;
}

int mod_pv_msg_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	rt_msg *m = rt_msg_of(c);
	const rt_uri *u;
	rt_uri ou;
	const rt_hdr *h;
	const rt_cseq *cs;
	intptr_t k = (intptr_t)sp->data;

	*out = vm_null();
	if (sp->id == P_SEL) {
		const sel_spec *x = sp->data;
		if (x->top == SL_SYS_PID)
			return arena_printf(c, out, "%d", (int)getpid());
		if (x->top == SL_SYS_NOW)
			return arena_printf(c, out, "%ld", (long)time(NULL));
		return m ? get_sel(c, sp, m, out) : 0;
	}
	if (sp->id >= P_TS_C)
		return get_nomsg(c, sp, out);
	if (m == NULL)
		return 0;
	switch (sp->id) {
	case P_RU:
		if (!m->is_request || rt_msg_ruri(m) == NULL)
			return 0;
		*out = view(rt_msg_ruri_text(m));
		return 0;
	case P_RUSER: case P_RD: case P_RP: case P_RPROTO: case P_RZ: case P_RUL:
		if (!m->is_request || (u = rt_msg_ruri(m)) == NULL)
			return 0;
		*out = uri_part(u, sp->id);
		return 0;
	case P_OU:
		if (orig_uri(m, &ou) < 0)
			return 0;
		*out = view(m->ruri);
		return 0;
	case P_OUSER: case P_OD: case P_OP: case P_OPROTO: case P_OUL:
		if (orig_uri(m, &ou) < 0)
			return 0;
		*out = uri_part(&ou, sp->id == P_OUSER ? P_RUSER : sp->id == P_OD ? P_RD :
				sp->id == P_OP ? P_RP : sp->id == P_OPROTO ? P_RPROTO : P_RUL);
		return 0;
	case P_RV:
		*out = view(m->version);
		return 0;
	case P_RM:
		if (m->is_request) {
			*out = vm_str_int(m->method.s, m->method.len, (int32_t)m->method_id);
		} else if ((cs = rt_msg_cseq(m)) != NULL) {
			*out = vm_str_int(cs->method.s, cs->method.len, method_id(cs->method));
		}
		return 0;
	case P_RMID:
		if (m->is_request)
			*out = vm_int((int32_t)m->method_id);
		else if ((cs = rt_msg_cseq(m)) != NULL)
			*out = vm_int(method_id(cs->method));
		return 0;
	case P_MT:
		*out = vm_int(m->is_request ? 1 : 2);
		return 0;
	case P_MTS:
		*out = m->is_request ? vm_str("rq", 2) : vm_str("rp", 2);
		return 0;
	case P_RS:
		if (!m->is_request)
			*out = vm_int(m->status);
		return 0;
	case P_RR:
		if (!m->is_request)
			*out = view(m->reason);
		return 0;
	case P_DU:
		if (m->dst_uri)
			*out = vm_str(m->dst_uri, m->dst_uri_len);
		return 0;
	case P_DD: case P_DP: case P_DPROTO:
		if (dst_uri(m, &ou) < 0)
			return 0;
		*out = uri_part(&ou, sp->id == P_DD ? P_RD : sp->id == P_DP ? P_RP : P_RPROTO);
		return 0;
	case P_FU: case P_FUSER: case P_FD: case P_FN: case P_FT: case P_FUL:
	case P_TU: case P_TUSER: case P_TD: case P_TN: case P_TT: case P_TUL:
		return get_xto(c, m, sp->id, out);
	case P_CI:
		if ((h = rt_msg_hdr_type(m, RT_HDR_CALLID, 0)) != NULL)
			*out = view(h->body);
		return 0;
	case P_CS:
		if ((cs = rt_msg_cseq(m)) != NULL)
			*out = view(cs->number);
		return 0;
	case P_CSB:
		if ((h = rt_msg_hdr_type(m, RT_HDR_CSEQ, 0)) != NULL)
			*out = view(h->body);
		return 0;
	case P_CT:
		if ((h = rt_msg_hdr_type(m, RT_HDR_CONTACT, 0)) != NULL)
			*out = view_ne(h->body);
		return 0;
	case P_CTYPE:
		if ((h = rt_msg_hdr_type(m, RT_HDR_CTYPE, 0)) != NULL)
			*out = view(h->body);
		return 0;
	case P_CL:
		if ((h = rt_msg_hdr_type(m, RT_HDR_CLEN, 0)) != NULL) {
			int32_t n = 0;
			for (size_t i = 0; i < h->body.len && h->body.s[i] >= '0' &&
					h->body.s[i] <= '9'; i++)
				n = n * 10 + (h->body.s[i] - '0');
			*out = vm_int_str(n, h->body.s, h->body.len);
		}
		return 0;
	case P_UA:
		if ((h = rt_msg_hdr_type(m, RT_HDR_UA, 0)) != NULL)
			*out = view(h->body);
		return 0;
	case P_RB:
		*out = m->body.s ? vm_str(m->body.s, m->body.len) : vm_str("", 0);
		return 0;
	case P_BS:
		*out = vm_int((int32_t)(m->body.s ? m->body.len : 0));
		return 0;
	case P_MB:
		*out = vm_str(m->buf, m->len);
		return 0;
	case P_ML:
		*out = vm_int((int32_t)m->len);
		return 0;
	case P_HDR:
		return get_hdr(c, sp, m, out, 0);
	case P_HFL:
		return get_hdr(c, sp, m, out, 1);
	case P_HDRC: case P_HFLC: {
		const char *name;
		size_t len;
		int any, type;
		if (hdr_name(c, sp, &name, &len, &any) < 0) {
			*out = vm_int(0);
			return 0;
		}
		type = any ? RT_HDR_OTHER : rt_hdr_type(name, len);
		*out = vm_int((int32_t)hdr_count(m, type, name, len, any,
					sp->id == P_HFLC && !any && hfl_split(type)));
		return 0;
	}
	case P_MSG:
		switch (k) {
		case 1: *out = vm_int((int32_t)m->len); break;
		case 2: *out = vm_str(m->buf, m->len); break;
		case 3: *out = m->body.s ? vm_str(m->body.s, m->body.len) : vm_null(); break;
		case 6: *out = vm_int((int32_t)(m->body.s ? m->body.len : 0)); break;
		case 7: *out = vm_int((int32_t)m->nhdrs); break;
		case 9: *out = vm_int((int32_t)msg_part(m, 9).len); break;
		default: *out = view(msg_part(m, (int)k)); break;
		}
		return 0;
	case P_VIA0: case P_VIA1:
		return get_via(c, m, sp->id == P_VIA1, (int)k, out);
	case P_SI:
		if (m->src.af)
			*out = vm_str(m->src.ip, strlen(m->src.ip));
		return 0;
	case P_SIZ:
		if (m->src.af == 6)
			return arena_printf(c, out, "[%s]", m->src.ip);
		if (m->src.af)
			*out = vm_str(m->src.ip, strlen(m->src.ip));
		return 0;
	case P_SP:
		if (m->src.af)
			*out = vm_int(m->src.port);
		return 0;
	case P_SU:
		return addr_text(c, &m->src, 1, out) < 0 ? -1 : 0;
	case P_SUT:
		return addr_text(c, &m->src, 2, out) < 0 ? -1 : 0;
	case P_SAS:
		return addr_text(c, &m->src, 0, out) < 0 ? -1 : 0;
	case P_RI:
		if (m->rcv.af)
			*out = vm_str(m->rcv.ip, strlen(m->rcv.ip));
		return 0;
	case P_RPORT:
		if (m->rcv.af)
			*out = vm_int(m->rcv.port);
		return 0;
	case P_RURI_SOCK:
		return addr_text(c, &m->rcv, 1, out) < 0 ? -1 : 0;
	case P_RUT:
		return addr_text(c, &m->rcv, 2, out) < 0 ? -1 : 0;
	case P_RAS:
		return addr_text(c, &m->rcv, 0, out) < 0 ? -1 : 0;
	case P_PR: {
		int p = m->rcv.proto ? m->rcv.proto : m->src.proto;
		const char *n = proto_name(p);
		*out = vm_str_int(n, strlen(n), p);
		return 0;
	}
	case P_PRID:
		*out = vm_int(m->rcv.proto ? m->rcv.proto : m->src.proto);
		return 0;
	case P_AF: {
		int af = m->rcv.af ? m->rcv.af : m->src.af;
		if (k == 2)
			*out = af == 6 ? vm_str("IPv6", 4) : vm_str("IPv4", 4);
		else
			*out = vm_int(af == 6 ? 10 : 2);
		return 0;
	}
	case P_CONID:
		return 0;
	case P_MF:
		return uint_val(c, m->flags, out);
	case P_MFHEX:
		return hex_flags(c, m->flags, out);
	case P_MFLAG:
		*out = vm_int((m->flags >> (k - 1)) & 1u);
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------------------
 * Setters
 * ------------------------------------------------------------------------ */

/* Rebuild the R-URI with its user (what 0), host (1) or port (2) replaced
 * by s[0..len) (len 0: user or port removed). 0 or -1. */
static int ruri_rebuild(vm_ctx *c, const vm_pvspec *sp, rt_msg *m, int what,
		const char *s, size_t len)
{
	const rt_uri *u = rt_msg_ruri(m);
	rt_view t = rt_msg_ruri_text(m);
	const char *rest;
	size_t n, o = 0;
	char *b;

	if (u == NULL || u->host.s == NULL || t.s == NULL) {
		vm_error(c, "%s: the R-URI cannot be rewritten (not a SIP URI)", sp->text);
		return -1;
	}
	rest = u->port.s ? u->port.s + u->port.len : u->host.s + u->host.len;
	n = u->scheme.len + 1 + len + 1 + (u->user.s ? u->user.len : 0) + 1 +
		(u->passwd.s ? u->passwd.len : 0) + 1 + u->host.len + 1 +
		(u->port.s ? u->port.len : 0) + (size_t)(t.s + t.len - rest) + 1;
	if (!(b = vm_arena_alloc(&c->arena, n)))
		return -1;
#define PUT(p, l) do { memcpy(b + o, (p), (l)); o += (l); } while (0)
	PUT(u->scheme.s, u->scheme.len);
	b[o++] = ':';
	if (what == 0 ? len > 0 : u->user.s != NULL) {
		if (what == 0)
			PUT(s, len);
		else
			PUT(u->user.s, u->user.len);
		if (u->passwd.s) {
			b[o++] = ':';
			PUT(u->passwd.s, u->passwd.len);
		}
		b[o++] = '@';
	}
	if (what == 1)
		PUT(s, len);
	else
		PUT(u->host.s, u->host.len);
	if (what == 2 ? len > 0 : u->port.s != NULL) {
		b[o++] = ':';
		if (what == 2)
			PUT(s, len);
		else
			PUT(u->port.s, u->port.len);
	}
	PUT(rest, (size_t)(t.s + t.len - rest));
#undef PUT
	if (rt_msg_set_ruri(m, b, o) < 0) {
		vm_error(c, "%s: out of memory", sp->text);
		return -1;
	}
	return 0;
}

/* Change a part of From or To through a lump (5.6.3's pv_set_xto_attr):
 * what 0 uri, 1 user, 2 host, 3 display name. */
static int set_xto(vm_ctx *c, const vm_pvspec *sp, rt_msg *m, int from, int what,
		const vm_value *v)
{
	const rt_nameaddr *na = xto(m, from);
	rt_uri u;
	size_t off = 0, del = 0;
	const char *ins = NULL;
	size_t inslen = 0;
	char *b = NULL;
	int isnull = v == NULL || v->kind == VM_NULL;

	if (na == NULL || rt_uri_parse(na->uri.s, na->uri.len, &u) < 0) {
		vm_error(c, "%s: no %s header with a valid URI", sp->text, from ? "From" : "To");
		return -1;
	}
	if (!isnull && v->kind != VM_STR) {
		vm_error(c, "%s: a string value is required", sp->text);
		return -1;
	}
	if (!isnull) {
		ins = v->s;
		inslen = v->len;
	}
	switch (what) {
	case 0:
		if (isnull)
			return 0;  /* 5.6.3: "cannot be deleted", a warning */
		off = (size_t)(na->uri.s - m->buf);
		del = na->uri.len;
		break;
	case 1:
		if (u.user.s == NULL || u.user.len == 0) {
			if (isnull || inslen == 0)
				return 0;
			/* no user: "user@" before the host */
			if (!(b = vm_arena_alloc(&c->arena, inslen + 1)))
				return -1;
			memcpy(b, ins, inslen);
			b[inslen] = '@';
			ins = b;
			inslen++;
			off = (size_t)(u.host.s - m->buf);
			break;
		}
		off = (size_t)(u.user.s - m->buf);
		del = u.user.len;
		if (isnull && u.user.s[u.user.len] == '@')
			del++;
		break;
	case 2:
		if (isnull)
			return 0;
		off = (size_t)(u.host.s - m->buf);
		del = u.host.len;
		break;
	case 3:
		if (na->display_raw.s == NULL || na->display_raw.len == 0) {
			if (isnull || inslen == 0)
				return 0;
			if (!(b = vm_arena_alloc(&c->arena, inslen + 1)))
				return -1;
			memcpy(b, ins, inslen);
			b[inslen] = ' ';
			ins = b;
			inslen++;
			off = (size_t)(na->whole.s - m->buf);
			break;
		}
		off = (size_t)(na->display_raw.s - m->buf);
		del = na->display_raw.len;
		if (isnull && off + del < m->len && m->buf[off + del] == ' ')
			del++;
		break;
	}
	if (off > m->len || rt_msg_lump(m, off, del, isnull ? NULL : ins, isnull ? 0 : inslen) < 0) {
		vm_error(c, "%s: cannot change the %s header (overlaps an earlier change?)",
				sp->text, from ? "From" : "To");
		return -1;
	}
	return 0;
}

/* Assign a flags PV ($mf, $sf, $bf: bit 0; $Mf(n) ...: bit n, given + 1):
 * null clears every flag (also for one bit, as 5.6.3), a value must be an
 * int (or have an int form). 0 or -1. */
static int set_flags(vm_ctx *c, const vm_pvspec *sp, uint32_t *f, int bit,
		const vm_value *v)
{
	if (v == NULL || v->kind == VM_NULL) {
		*f = 0;
		return 0;
	}
	if (v->kind != VM_INT && !(v->flags & VM_VAL_BOTH)) {
		vm_error(c, "%s: an int value is required", sp->text);
		return -1;
	}
	if (bit == 0)
		*f = (uint32_t)v->i;
	else if (v->i)
		*f |= 1u << (bit - 1);
	else
		*f &= ~(1u << (bit - 1));
	return 0;
}

int mod_pv_msg_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	rt_msg *m = rt_msg_of(c);
	int isnull = v == NULL || v->kind == VM_NULL;
	intptr_t k = (intptr_t)sp->data;
	char nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	(void)op;
	if (sp->id >= P_SF && sp->id <= P_BFLAG) {
		mod_core_state *cs = mod_core_state_of(c);
		uint32_t *f;
		if (cs == NULL)
			return -1;
		f = sp->id <= P_SFLAG ? &cs->sflags : &cs->bflags;
		return set_flags(c, sp, f, sp->id == P_SFLAG || sp->id == P_BFLAG ? (int)k : 0, v);
	}
	if (m == NULL) {
		vm_error(c, "%s: no message", sp->text);
		return -1;
	}
	switch (sp->id) {
	case P_RU: case P_RUSER: case P_RD: case P_RP:
		if (!m->is_request) {
			vm_error(c, "%s: a reply has no R-URI", sp->text);
			return -1;
		}
		break;
	}
	switch (sp->id) {
	case P_RU:
		if (isnull || v->kind != VM_STR) {
			vm_error(c, "%s: a string value is required to set the R-URI", sp->text);
			return -1;
		}
		if (rt_msg_set_ruri(m, v->s ? v->s : "", v->len) < 0) {
			vm_error(c, "%s: out of memory", sp->text);
			return -1;
		}
		return 0;
	case P_RUSER:
		if (isnull)
			return ruri_rebuild(c, sp, m, 0, "", 0);
		if (v->kind != VM_STR) {
			vm_error(c, "%s: a string value is required", sp->text);
			return -1;
		}
		return ruri_rebuild(c, sp, m, 0, v->s, v->len);
	case P_RD:
		if (isnull || v->kind != VM_STR || v->len == 0) {
			vm_error(c, "%s: a string value is required", sp->text);
			return -1;
		}
		return ruri_rebuild(c, sp, m, 1, v->s, v->len);
	case P_RP:
		if (isnull)
			return ruri_rebuild(c, sp, m, 2, "", 0);
		vm_str_view(v, nb, &s, &len);
		{
			int32_t p;
			if (len == 0 || len > 5 || vm_str_to_int(s, len, &p) < 0 || p < 0 || p > 65535 ||
					s[0] < '0' || s[0] > '9') {
				vm_error(c, "%s: '%.*s' is not a port number", sp->text, (int)len, s);
				return -1;
			}
		}
		return ruri_rebuild(c, sp, m, 2, s, len);
	case P_DU:
		if (isnull)
			return rt_msg_set_duri(m, NULL, 0);
		if (v->kind != VM_STR) {
			vm_error(c, "%s: a string value is required", sp->text);
			return -1;
		}
		if (rt_msg_set_duri(m, v->s ? v->s : "", v->len) < 0) {
			vm_error(c, "%s: out of memory", sp->text);
			return -1;
		}
		return 0;
	case P_FU: case P_FUSER: case P_FD: case P_FN:
		return set_xto(c, sp, m, 1, sp->id == P_FN ? 3 : sp->id - P_FU, v);
	case P_TU: case P_TUSER: case P_TD: case P_TN:
		return set_xto(c, sp, m, 0, sp->id == P_TN ? 3 : sp->id - P_TU, v);
	case P_MF: case P_MFHEX: case P_MFLAG:
		return set_flags(c, sp, &m->flags, sp->id == P_MFLAG ? (int)k : 0, v);
	}
	vm_error(c, "%s is read-only in sipvm", sp->text);
	return -1;
}
