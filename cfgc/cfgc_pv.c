/*
 * cfgc_pv.c — pseudo-variable and format-string checks.
 *
 * Validates PV references as Kamailio 5.6.3's PV parser (core/pvapi.c,
 * pv_parse_spec2) reads them:
 *
 *   $name  $name(inner)  $(name)  $(name(inner)[index]{tr}...)  $$
 *
 * plus the class-specific inner-name parsers that run at parse time
 * ($avp, $xavp/$xavu/$xavi, $sht & co., $cnt, $T_req & co., $_s, dynamic
 * $hdr names), transformation chains (class and name known, parameters
 * that are PVs checked recursively), and the lvalue rules of cfg.y
 * (writable, no transformation).
 *
 * Rule of the file: never reject what Kamailio 5.6.3 accepts. Where
 * Kamailio silently ignores something suspicious we warn at most.
 *
 * The parser never reads outside [text, text + len), allocates nothing,
 * and bounds its recursion (PV_MAX_DEPTH): it is safe on any input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfgc_int.h"

#define PV_MAX_DEPTH 32   /* nested PVs / formats inside one PV */
#define PV_FMT_MAX_ERR 8  /* errors reported for one format string */
#define PV_QMAX 60        /* bytes of user text quoted in a message */

/* One check in progress: where the text came from and how its bytes map
 * back to the preprocessor output for sub-spans. */
typedef struct {
	cfgc_ctx *ctx;
	const cfgc_lookup *lk;
	cfgc_span sp;      /* span of the whole text (PV token or literal) */
	const char *base;  /* first byte of the outermost text */
	size_t exact;      /* base[i] sits at ctx->out[sp.off + shift + i] for i < exact */
	uint32_t shift;    /* 1 for a quoted literal, 0 for a PV token */
	int lenient;       /* MAX/SER mode in code: an unknown $word is an AVP */
	int in_fmt;        /* the outermost text is a format string */
	int nerr;          /* errors reported so far */
} pv_ck;

/* What pv_parse() learnt about one PV. */
typedef struct {
	const char *cls;   /* class name as written (NULL for '$$' / legacy AVP) */
	size_t clen;
	int has_tr;        /* carries transformations */
} pv_info;

static int pv_parse(pv_ck *ck, const char *s, const char *end, int depth, int flags,
                    pv_info *inf, const char **out);
static int pv_fmt(pv_ck *ck, const char *s, const char *end, int depth);

/* ------------------------------------------------------------- helpers */

static int pv_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '?';
}

static int pv_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int pv_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Copy p[0..n) into buf (cap >= PV_QMAX + 4) for quoting in a message:
 * control and non-ASCII bytes become '?', longer texts end with "...".
 * Returns buf. */
static const char *pv_q(char *buf, const char *p, size_t n)
{
	size_t i, m = n > PV_QMAX ? PV_QMAX : n;
	for (i = 0; i < m; i++) {
		unsigned char c = (unsigned char)p[i];
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (m < n) {
		memcpy(buf + m, "...", 3);
		m += 3;
	}
	buf[m] = '\0';
	return buf;
}

/* The output span of base bytes [p, p + n): exact when those bytes are
 * known to sit 1:1 in ctx->out, the start at least when only a prefix
 * is, else the whole text's span. */
static cfgc_span pv_span(const pv_ck *ck, const char *p, size_t n)
{
	size_t off = (size_t)(p - ck->base);
	cfgc_span r = ck->sp;
	if (n == 0)
		n = 1;
	if (off < ck->exact) {
		if (n > ck->exact - off)
			n = ck->exact - off;
		r.off = ck->sp.off + ck->shift + (uint32_t)off;
		r.len = (uint32_t)n;
	}
	return r;
}

/* Report a diagnostic at base bytes [p, p + n). Returns the diagnostic
 * (to attach help to). */
static cfgc_diag *pv_diag(pv_ck *ck, int sev, const char *code, const char *p, size_t n,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static cfgc_diag *pv_diag(pv_ck *ck, int sev, const char *code, const char *p, size_t n,
                          const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sev == CFGC_ERROR)
		ck->nerr++;
	return cfgc_diag_span(ck->ctx, sev, code, pv_span(ck, p, n), "%s", msg);
}

/* Length of the longest prefix of s[0..n) that appears unchanged at
 * ctx->out[sp.off + shift ...] inside the span, stopping at the first
 * backslash (escapes shift positions). 0 when ctx->out does not cover
 * the span. */
static size_t pv_exact_prefix(const cfgc_ctx *ctx, cfgc_span sp, uint32_t shift,
                              const char *s, size_t n)
{
	size_t i = 0;
	if (!ctx->out || sp.off > ctx->out_len || sp.len > ctx->out_len - sp.off || sp.len < shift)
		return 0;
	const char *raw = ctx->out + sp.off + shift;
	size_t rn = sp.len - shift;
	while (i < n && i < rn && raw[i] == s[i] && s[i] != '\\')
		i++;
	return i;
}

/* Find the ')' closing the '(' just before p (nesting counted), or NULL. */
static const char *pv_close_paren(const char *p, const char *end)
{
	int n = 0;
	for (; p < end; p++) {
		if (*p == ')') {
			if (n == 0)
				return p;
			n--;
		} else if (*p == '(') {
			n++;
		}
	}
	return NULL;
}

/* Extent of the PV starting at p ('$') inside a format, the way
 * Kamailio's pv_locate_name() finds it before parsing: "$$", "$(...)" to
 * the balanced ')', "$name" and "$name(...)". Returns the length, or 0
 * when nothing follows the '$' (*why = 1) or a '(' is never closed
 * (*why = 2). */
static size_t pv_locate(const char *p, const char *end, int *why)
{
	size_t n = (size_t)(end - p), i;
	const char *c;
	if (n < 2) {
		*why = 1;
		return 0;
	}
	if (p[1] == '$')
		return 2;
	if (p[1] == '(') {
		c = pv_close_paren(p + 2, end);
		if (!c) {
			*why = 2;
			return 0;
		}
		return (size_t)(c - p) + 1;
	}
	for (i = 1; i < n && pv_namechar(p[i]); i++)
		;
	if (i == n || p[i] != '(')
		return i;
	c = pv_close_paren(p + i + 1, end);
	if (!c) {
		*why = 2;
		return 0;
	}
	return (size_t)(c - p) + 1;
}

/* --------------------------------------------------------- class lookup */

/* The return-code PV is built into the core grammar (RETCODE token):
 * known whatever the lookup says. */
static const vm_pv_export pv_retcode = { "rc", 0, NULL, NULL, NULL };

/* Look a PV class up; NULL when no loaded module provides it. */
static const vm_pv_export *pv_class(const pv_ck *ck, const char *name, size_t n)
{
	const char *mod = NULL;
	if (pv_eq(name, n, "?") || pv_eq(name, n, "rc") || pv_eq(name, n, "retcode"))
		return &pv_retcode;
	if (!ck->lk || !ck->lk->pv)
		return NULL;
	return ck->lk->pv(ck->lk->env, name, n, &mod);
}

/* Report an unknown PV class, with the module that would provide it or
 * the closest known class. `s` is the '$', [name, name + n) the class. */
static int pv_unknown(pv_ck *ck, const char *s, const char *name, size_t n, int bare)
{
	char q[PV_QMAX + 4];
	const char *mod = NULL, *sug = NULL;
	const cfgc_lookup *lk = ck->lk;
	cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "unknown-pv", s, (size_t)(name + n - s),
	                       "unknown pseudo-variable '$%s'", pv_q(q, name, n));
	if (lk && lk->pv_module)
		mod = lk->pv_module(lk->env, name, n);
	if (!mod && lk && lk->pv_suggest)
		sug = lk->pv_suggest(lk->env, name, n);
	if (mod)
		cfgc_diag_help(ck->ctx, d, "'$%s' is provided by module '%s': add loadmodule \"%s.so\" "
		               "before this line", q, mod, mod);
	else if (sug)
		cfgc_diag_help(ck->ctx, d, "did you mean '$%s'?", sug);
	else if (bare && !ck->in_fmt)
		cfgc_diag_help(ck->ctx, d, "an AVP is written '$avp(%s)'", q);
	return -1;
}

/* ------------------------------------------------------------ indexes */

/* Check an index [is, ie) (non-empty) as pv_parse_index() reads it: a PV,
 * '*', '+', or an optional '-' followed by digits. */
static int pv_index(pv_ck *ck, const char *is, const char *ie, int depth)
{
	char q[PV_QMAX + 4];
	pv_info inf;
	const char *p = is, *out;
	if (*is == '$')
		return pv_parse(ck, is, ie, depth + 1, 0, &inf, &out);
	if (ie - is == 1 && (*is == '*' || *is == '+'))
		return 0;
	if (*p == '-')
		p++;
	while (p < ie && *p >= '0' && *p <= '9')
		p++;
	if (p == ie)
		return 0;
	pv_diag(ck, CFGC_ERROR, "pv-syntax", is, (size_t)(ie - is),
	        "invalid index '%s': expected a number, -n, '*', '+' or a pseudo-variable",
	        pv_q(q, is, (size_t)(ie - is)));
	return -1;
}

/* ---------------------------------------------------------- inner names */

/* A PV used as (part of) an inner name, [s, end) starting at '$'. Text
 * after it is ignored by Kamailio: warn. `what` names the owner class. */
static int pv_name_pv(pv_ck *ck, const char *s, const char *end, int depth, const char *what,
                      pv_info *inf)
{
	char q[PV_QMAX + 4], q2[PV_QMAX + 4];
	const char *out;
	if (pv_parse(ck, s, end, depth + 1, 0, inf, &out) < 0)
		return -1;
	if (out < end)
		pv_diag(ck, CFGC_WARNING, "pv-name-ignored", out, (size_t)(end - out),
		        "'%s' after '%s' in the name of '$%s' is ignored",
		        pv_q(q, out, (size_t)(end - out)), pv_q(q2, s, (size_t)(out - s)), what);
	return 0;
}

/* $avp(name): "s:name", "i:number", a PV, a plain name, or the old
 * "track.name" form (f, t, fr, tr, fu, tu, fd, td, g) — parse_avp_ident(). */
static int pv_name_avp(pv_ck *ck, const char *ns, const char *ne, int depth)
{
	static const char *const pfx[] = { "f", "t", "g", "fr", "tr", "fu", "tu", "fd", "td", NULL };
	char q[PV_QMAX + 4];
	size_t n = (size_t)(ne - ns), i;
	const char *dot, *r, *lb;
	pv_info inf;

	if (*ns == '$')
		return pv_name_pv(ck, ns, ne, depth, "avp", &inf);
	if (n >= 2 && ns[1] == ':') {
		r = ns + 2;
		if (r == ne) {
			pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n,
			        "AVP name missing after '%c:'", ns[0]);
			return -1;
		}
		switch (ns[0]) {
		case 's': case 'S':
			return 0;
		case 'i': case 'I':
			for (; r < ne; r++)
				if (*r < '0' || *r > '9') {
					pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n,
					        "AVP id '%s' is not a number: 'i:' takes digits only",
					        pv_q(q, ns + 2, n - 2));
					return -1;
				}
			return 0;
		default: {
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, 2,
			                       "unknown AVP name type '%c:'", ns[0]);
			cfgc_diag_help(ck->ctx, d, "use 's:' for a name or 'i:' for a numeric id, "
			               "or no prefix at all");
			return -1;
		}
		}
	}
	dot = memchr(ns, '.', n);
	if (!dot)
		return 0;
	/* "track.name": only a few prefixes exist, and no further '.' */
	for (i = 0; pfx[i]; i++)
		if (pv_eq(ns, (size_t)(dot - ns), pfx[i]))
			break;
	if (!pfx[i]) {
		cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n,
		                       "invalid AVP name '%s': '.' is only allowed after a "
		                       "track prefix", pv_q(q, ns, n));
		cfgc_diag_help(ck->ctx, d, "the prefixes are f, t, fr, tr, fu, tu, fd, td and g; "
		               "use '_' instead of '.' in AVP names");
		return -1;
	}
	r = dot + 1;
	if (r == ne) {
		pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n,
		        "AVP name missing after '%s'", pv_q(q, ns, (size_t)(r - ns)));
		return -1;
	}
	if (ne[-1] == ']') {
		const char *ip;
		lb = memchr(r, '[', (size_t)(ne - r));
		if (!lb) {
			pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n, "missing '[' for the AVP index");
			return -1;
		}
		ip = lb + 1;
		if (ip < ne - 1) {
			const char *d0;
			if (*ip == '-')
				ip++;
			d0 = ip;
			while (ip < ne - 1 && *ip >= '0' && *ip <= '9')
				ip++;
			if (ip != ne - 1 || ip == d0 || (ip - d0 == 1 && *d0 == '0')) {
				pv_diag(ck, CFGC_ERROR, "pv-name-invalid", lb, (size_t)(ne - lb),
				        "invalid AVP index '%s'", pv_q(q, lb, (size_t)(ne - lb)));
				return -1;
			}
		}
		ne = lb;
	}
	for (const char *p = r; p < ne; p++)
		if (*p == '.' || *p == '[' || *p == ']') {
			pv_diag(ck, CFGC_ERROR, "pv-name-invalid", p, 1,
			        "unexpected '%c' in AVP name '%s'", *p, pv_q(q, ns, n));
			return -1;
		}
	if (!(ne - r > 2 && *r == '/' && ne[-1] == '/') && memchr(r, '/', (size_t)(ne - r))) {
		pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, n,
		        "unexpected '/' in AVP name '%s'", pv_q(q, ns, n));
		return -1;
	}
	return 0;
}

/* One "name[index]" part of an xavp name, from s (may be empty) to end,
 * as pv_xavp_fill_ni() reads it. Returns the position after it, or NULL
 * after reporting an error. */
static const char *pv_xavp_part(pv_ck *ck, const char *s, const char *end, int depth)
{
	const char *p = s, *is;
	int n = 0;
	while (p < end && pv_ws(*p))
		p++;
	while (p < end && *p != '=' && *p != '[' && !pv_ws(*p))
		p++;
	while (p < end && pv_ws(*p))
		p++;
	if (p >= end || *p != '[')
		return p;
	is = ++p;
	for (; p < end; p++) {
		if (*p == ']') {
			if (n == 0)
				break;
			n--;
		} else if (*p == '[') {
			n++;
		}
	}
	if (p == is) {
		pv_diag(ck, CFGC_ERROR, "pv-syntax", is - 1, 2, "empty index in xavp name");
		return NULL;
	}
	if (p >= end) {
		/* Kamailio takes the rest as the index */
		pv_diag(ck, CFGC_WARNING, "pv-syntax", is - 1, (size_t)(end - is) + 1,
		        "unclosed '[' in xavp name");
		return pv_index(ck, is, end, depth) < 0 ? NULL : end;
	}
	if (pv_index(ck, is, p, depth) < 0)
		return NULL;
	return p + 1;
}

/* $xavp(root[i]=>field[j]), also $xavu and $xavi. */
static int pv_name_xavp(pv_ck *ck, const char *cls, const char *ns, const char *ne, int depth)
{
	char q[PV_QMAX + 4];
	const char *p = pv_xavp_part(ck, ns, ne, depth);
	if (!p)
		return -1;
	if (p >= ne || *p != '=')
		return 0;
	if (p + 1 >= ne || p[1] != '>') {
		pv_diag(ck, CFGC_ERROR, "pv-name-invalid", p, 1,
		        "expected '=>' in '$%s(%s)'", cls, pv_q(q, ns, (size_t)(ne - ns)));
		return -1;
	}
	p += 2;
	if (p >= ne) {
		cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, (size_t)(ne - ns),
		                       "missing field name after '=>' in '$%s(%s)'", cls,
		                       pv_q(q, ns, (size_t)(ne - ns)));
		cfgc_diag_help(ck->ctx, d, "write '$%s(root=>field)', or '$%s(root)' for the "
		               "whole list", cls, cls);
		return -1;
	}
	return pv_xavp_part(ck, p, ne, depth) ? 0 : -1;
}

/* $sht(table=>key) and the other htable classes: the key is a format,
 * the table must be declared (when that is knowable). */
static int pv_name_sht(pv_ck *ck, const char *cls, const char *ns, const char *ne, int depth)
{
	char q[PV_QMAX + 4];
	const char *p = ns, *ts, *te;
	int r;
	while (p < ne && pv_ws(*p))
		p++;
	ts = p;
	while (p < ne && *p != '=' && !pv_ws(*p))
		p++;
	te = p;
	while (p < ne && pv_ws(*p))
		p++;
	if (p + 1 >= ne || p[0] != '=' || p[1] != '>') {
		cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, (size_t)(ne - ns),
		                       "'$%s(%s)' is not of the form 'table=>key'", cls,
		                       pv_q(q, ns, (size_t)(ne - ns)));
		cfgc_diag_help(ck->ctx, d, "for example $%s(mytable=>$fU)", cls);
		return -1;
	}
	if (te == ts) {
		pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, (size_t)(ne - ns),
		        "missing hash table name before '=>' in '$%s(...)'", cls);
		return -1;
	}
	if (pv_fmt(ck, p + 2, ne, depth + 1) < 0)
		return -1;
	if (ck->lk && ck->lk->htable) {
		r = ck->lk->htable(ck->lk->env, ts, (size_t)(te - ts));
		if (r == 0) {
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "unknown-htable", ts, (size_t)(te - ts),
			                       "hash table '%s' is not declared",
			                       pv_q(q, ts, (size_t)(te - ts)));
			cfgc_diag_help(ck->ctx, d, "declare it: modparam(\"htable\", \"htable\", "
			               "\"%s=>size=8\")", q);
			return -1;
		}
	}
	return 0;
}

/* Check the inner name [ns, ne) (non-empty) of class `cls`, for the
 * classes whose parse_name function validates at start-up. */
static int pv_name(pv_ck *ck, const char *cls, size_t cn, const char *ns, const char *ne,
                   int depth)
{
	char q[PV_QMAX + 4];
	pv_info inf;

	if (pv_eq(cls, cn, "avp"))
		return pv_name_avp(ck, ns, ne, depth);
	if (pv_eq(cls, cn, "xavp") || pv_eq(cls, cn, "xavu") || pv_eq(cls, cn, "xavi"))
		return pv_name_xavp(ck, pv_eq(cls, cn, "xavp") ? "xavp" :
		                    pv_eq(cls, cn, "xavu") ? "xavu" : "xavi", ns, ne, depth);
	if (pv_eq(cls, cn, "sht") || pv_eq(cls, cn, "shtex") || pv_eq(cls, cn, "shtcn") ||
	    pv_eq(cls, cn, "shtcv") || pv_eq(cls, cn, "shtinc") || pv_eq(cls, cn, "shtdec"))
		return pv_name_sht(ck, pv_q(q, cls, cn), ns, ne, depth);
	if (pv_eq(cls, cn, "hdr") || pv_eq(cls, cn, "hdrc") || pv_eq(cls, cn, "hfl") ||
	    pv_eq(cls, cn, "hflc"))
		return *ns == '$' ? pv_name_pv(ck, ns, ne, depth, pv_q(q, cls, cn), &inf) : 0;
	if (pv_eq(cls, cn, "T_req") || pv_eq(cls, cn, "T_rpl") || pv_eq(cls, cn, "T_inv")) {
		if (*ns != '$') {
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, (size_t)(ne - ns),
			                       "the name of '$%s' must be a pseudo-variable",
			                       pv_q(q, cls, cn));
			cfgc_diag_help(ck->ctx, d, "for example $%s($hdr(X-Foo))", q);
			return -1;
		}
		return pv_name_pv(ck, ns, ne, depth, pv_q(q, cls, cn), &inf);
	}
	if (pv_eq(cls, cn, "cnt")) {
		if (*ns == '$') {
			if (pv_name_pv(ck, ns, ne, depth, "cnt", &inf) < 0)
				return -1;
			if (inf.cls && (pv_eq(inf.cls, inf.clen, "avp") || pv_eq(inf.cls, inf.clen, "xavp")))
				return 0;
		}
		pv_diag(ck, CFGC_ERROR, "pv-name-invalid", ns, (size_t)(ne - ns),
		        "'$cnt' counts an $avp or an $xavp, not '%s'", pv_q(q, ns, (size_t)(ne - ns)));
		return -1;
	}
	if (pv_eq(cls, cn, "_s"))
		return pv_fmt(ck, ns, ne, depth + 1);
	return 0;
}

/* ------------------------------------------------------ transformations */

/* End of the transformation that starts at '{' ts: its closing '}' at
 * brace depth 0, or end. For diagnostic spans only. */
static const char *pv_tr_end(const char *ts, const char *end)
{
	int n = 0;
	for (const char *p = ts + 1; p < end; p++) {
		if (*p == '{')
			n++;
		else if (*p == '}' && n-- == 0)
			return p + 1;
	}
	return end;
}

/* Look a transformation up: 0 unknown class, 1 unknown name, 2 known.
 * Names match case-insensitively: they are passed lower-cased. */
static int pv_tr_known(const pv_ck *ck, const char *cls, size_t cn, const char *nm, size_t nn)
{
	char low[64];
	if (!ck->lk || !ck->lk->tr)
		return 2;
	if (nn < sizeof(low)) {
		for (size_t i = 0; i < nn; i++)
			low[i] = nm[i] >= 'A' && nm[i] <= 'Z' ? (char)(nm[i] - 'A' + 'a') : nm[i];
		nm = low;
	}
	return ck->lk->tr(ck->lk->env, cls, cn, nm, nn);
}

/* Report an unknown transformation class or name (known: 0 or 1) for
 * the transformation [ts, te). */
static void pv_tr_unknown(pv_ck *ck, int known, const char *ts, const char *te,
                          const char *cls, size_t cn, const char *nm, size_t nn)
{
	char qc[PV_QMAX + 4], qn[PV_QMAX + 4], qt[PV_QMAX + 4];
	const cfgc_lookup *lk = ck->lk;
	const char *sug = NULL;
	cfgc_diag *d;

	pv_q(qc, cls, cn);
	pv_q(qn, nm, nn);
	pv_q(qt, ts, (size_t)(te - ts));
	if (known == 0) {
		d = pv_diag(ck, CFGC_ERROR, "unknown-transformation", ts, (size_t)(te - ts),
		            "unknown transformation class '%s' in '%s'", qc, qt);
		if (lk && lk->tr_suggest)
			sug = lk->tr_suggest(lk->env, cls, cn, NULL, 0);
		if (sug && strlen(sug) == cn && !strncasecmp(sug, cls, cn))
			cfgc_diag_help(ck->ctx, d, "transformation classes are case-sensitive: "
			               "write '{%s.%s}'", sug, qn);
		else if (sug)
			cfgc_diag_help(ck->ctx, d, "did you mean '{%s.%s}'?", sug, qn);
		return;
	}
	d = pv_diag(ck, CFGC_ERROR, "unknown-transformation", ts, (size_t)(te - ts),
	            "unknown transformation '{%s.%s}'", qc, qn);
	if (lk && lk->tr_suggest)
		sug = lk->tr_suggest(lk->env, cls, cn, nm, nn);
	if (sug)
		cfgc_diag_help(ck->ctx, d, "did you mean '{%s.%s}'?", qc, sug);
}

/* Check a chain of transformations starting at the '{' p, as tr_lookup()
 * and the modules' tparse functions read it: '{class.name}' or
 * '{class.name,param,...}', whitespace allowed between them. Parameters
 * that start with '$' are PVs (checked); others are raw text up to ','
 * or '}' — except the separator of {s.select,n,c}, one raw character,
 * and the expression of {re.subst,/re/repl/f}, raw up to the '}' that
 * balances the braces in it.
 * On success *out is the first byte after the chain. */
static int pv_trs(pv_ck *ck, const char *p, const char *end, int depth, const char **out)
{
	char q[PV_QMAX + 4];
	for (;;) {
		const char *ts, *cs, *ce, *nm, *ne;
		int known, sel, subst, pi;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		if (p >= end || *p != '{')
			break;
		ts = p++;
		cs = p;
		while (p < end && *p != '.' && *p != '}' && *p != '{' && *p != ',')
			p++;
		if (p >= end || *p != '.' || p == cs) {
			const char *te = pv_tr_end(ts, end);
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-syntax", ts, (size_t)(te - ts),
			                       "malformed transformation '%s'",
			                       pv_q(q, ts, (size_t)(te - ts)));
			cfgc_diag_help(ck->ctx, d, "a transformation is written {class.name} or "
			               "{class.name,param,...}, e.g. {s.len}");
			return -1;
		}
		ce = p++;
		nm = p;
		while (p < end && *p != ',' && *p != '}')
			p++;
		if (p >= end) {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", ts, (size_t)(end - ts),
			        "unclosed '{' in transformation '%s'", pv_q(q, ts, (size_t)(end - ts)));
			return -1;
		}
		ne = p;
		while (nm < ne && pv_ws(*nm))
			nm++;
		while (ne > nm && pv_ws(ne[-1]))
			ne--;
		known = pv_tr_known(ck, cs, (size_t)(ce - cs), nm, (size_t)(ne - nm));
		if (known != 2) {
			pv_tr_unknown(ck, known, ts, pv_tr_end(ts, end), cs, (size_t)(ce - cs), nm,
			              (size_t)(ne - nm));
			return -1;
		}
		sel = pv_eq(cs, (size_t)(ce - cs), "s") && ne - nm == 6 && !strncasecmp(nm, "select", 6);
		subst = pv_eq(cs, (size_t)(ce - cs), "re") && ne - nm == 5 && !strncasecmp(nm, "subst", 5);
		for (pi = 0; p < end && *p == ','; pi++) {
			p++;
			if (subst && (p >= end || *p != '$')) {
				/* a substitution expression: raw up to the '}' at depth 0 */
				int n = 0;
				for (; p < end; p++) {
					if (*p == '{')
						n++;
					else if (*p == '}' && n-- == 0)
						break;
				}
				break;
			}
			if (sel && pi == 1) {
				/* the separator: one raw character, whatever it is */
				if (p < end)
					p++;
				while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
					p++;
				break;
			}
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
				p++;
			if (p < end && *p == '$') {
				pv_info inf;
				if (pv_parse(ck, p, end, depth + 1, 0, &inf, &p) < 0)
					return -1;
				while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
					p++;
			} else {
				while (p < end && *p != ',' && *p != '}')
					p++;
			}
		}
		if (p >= end || *p != '}') {
			if (p >= end)
				pv_diag(ck, CFGC_ERROR, "pv-syntax", ts, (size_t)(end - ts),
				        "unclosed '{' in transformation '%s'", pv_q(q, ts, (size_t)(end - ts)));
			else
				pv_diag(ck, CFGC_ERROR, "pv-syntax", p, 1,
				        "unexpected '%c' in transformation parameters (expected ',' or '}')", *p);
			return -1;
		}
		p++;
	}
	*out = p;
	return 0;
}

/* ------------------------------------------------------------------ PVs */

/* Parse and check one PV starting at s ('$'), reading at most up to end.
 * flags: CFGC_PV_LVALUE for an assignment target (top level only). On
 * success *out is the first byte after the PV and 0 is returned; -1 after
 * a reported error. States follow pv_parse_spec2(): 0 "$name", 1 "$(...)"
 * closed, 2 "$(name(" , 3 index, 4 transformations, 5 "$name(". */
static int pv_parse(pv_ck *ck, const char *s, const char *end, int depth, int flags,
                    pv_info *inf, const char **out)
{
	char q[PV_QMAX + 4], q2[PV_QMAX + 4];
	const char *p = s + 1, *name, *ns, *ne;
	const vm_pv_export *ex;
	int paren = 0, state;
	size_t nlen;

	memset(inf, 0, sizeof(*inf));
	if (depth > PV_MAX_DEPTH) {
		pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(end - s),
		        "pseudo-variables nested too deeply (more than %d levels)", PV_MAX_DEPTH);
		return -1;
	}
	if (p < end && *p == '(') {
		paren = 1;
		p++;
	}
	if (p < end && *p == '$') {
		/* $$ or $($): a literal '$' */
		p++;
		if (paren) {
			if (p >= end || *p != ')') {
				pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(p - s), "expected ')' after '$($'");
				return -1;
			}
			p++;
		}
		*out = p;
		if (flags & CFGC_PV_LVALUE) {
			pv_diag(ck, CFGC_ERROR, "readonly-pv", s, (size_t)(p - s),
			        "'$$' is a literal dollar sign and cannot be assigned");
			return -1;
		}
		return 0;
	}
	name = p;
	while (p < end && pv_namechar(*p))
		p++;
	nlen = (size_t)(p - name);
	if (nlen == 0) {
		cfgc_diag *d;
		if (paren)
			d = pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(p - s) + (p < end),
			            "expected a pseudo-variable name after '$('");
		else
			d = pv_diag(ck, CFGC_ERROR, "pv-syntax", s, 1,
			            "'$' is not followed by a pseudo-variable name");
		if (ck->in_fmt && !paren)
			cfgc_diag_help(ck->ctx, d, "write '$$' for a literal '$'");
		return -1;
	}
	if (paren) {
		if (p >= end) {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(end - s), "unclosed '$('");
			return -1;
		}
		switch (*p) {
		case ')': state = 1; break;
		case '(': state = 2; break;
		case '[': state = 3; break;
		case '{': state = 4; break;
		default:
			pv_diag(ck, CFGC_ERROR, "pv-syntax", p, 1,
			        "unexpected '%s' after '$(%s' (expected ')', '(', '[' or '{')",
			        pv_q(q, p, 1), pv_q(q2, name, nlen));
			return -1;
		}
		p++;
	} else if (p < end && *p == '(') {
		state = 5;
		p++;
	} else {
		state = 0;
	}

	ex = pv_class(ck, name, nlen);
	if (!ex) {
		if (state == 0 && ck->lenient && depth == 0) {
			/* MAX/SER mode: $word is a legacy AVP (writable) */
			*out = p;
			return 0;
		}
		return pv_unknown(ck, s, name, nlen, state == 0);
	}
	inf->cls = name;
	inf->clen = nlen;

	if (state == 2 || state == 5) {
		ns = p;
		ne = pv_close_paren(ns, end);
		if (!(ex->flags & VM_PV_NAME)) {
			const char *e = ne ? ne + 1 : end;
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-unexpected", ns - 1,
			                       (size_t)(e - ns) + 1, "'$%s' does not take a name",
			                       pv_q(q, name, nlen));
			cfgc_diag_help(ck->ctx, d, "remove '%s'", pv_q(q2, ns - 1, (size_t)(e - ns) + 1));
			return -1;
		}
		if (!ne) {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", ns - 1, (size_t)(end - ns) + 1,
			        "unclosed '(' after '$%s'", pv_q(q, name, nlen));
			return -1;
		}
		if (ne == ns) {
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-missing", s, (size_t)(ne + 1 - s),
			                       "empty name in '$%s()'", pv_q(q, name, nlen));
			cfgc_diag_help(ck->ctx, d, "write '$%s(name)'", q);
			return -1;
		}
		if (pv_name(ck, name, nlen, ns, ne, depth) < 0)
			return -1;
		p = ne + 1;
		if (state == 2) {
			if (p >= end) {
				pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(end - s), "unclosed '$('");
				return -1;
			}
			switch (*p) {
			case ')': state = 1; break;
			case '[': state = 3; break;
			case '{': state = 4; break;
			default:
				pv_diag(ck, CFGC_ERROR, "pv-syntax", p, 1,
				        "unexpected '%s' after the name (expected ')', '[' or '{')", pv_q(q, p, 1));
				return -1;
			}
			p++;
		}
	} else if (ex->flags & VM_PV_NAME) {
		cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-name-missing", s, (size_t)(name + nlen - s),
		                       "'$%s' needs a name", pv_q(q, name, nlen));
		cfgc_diag_help(ck->ctx, d, "write '$%s(name)'", q);
		return -1;
	}

	if (state == 3) {
		const char *is = p, *ie;
		int n = 0;
		for (ie = is; ie < end; ie++) {
			if (*ie == ']') {
				if (n == 0)
					break;
				n--;
			} else if (*ie == '[') {
				n++;
			}
		}
		if (!(ex->flags & VM_PV_INDEX)) {
			pv_diag(ck, CFGC_ERROR, "pv-index-unexpected", is - 1,
			        (size_t)(ie - is) + 1 + (ie < end), "'$%s' does not take an index",
			        pv_q(q, name, nlen));
			return -1;
		}
		if (ie >= end) {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", is - 1, (size_t)(end - is) + 1, "unclosed '['");
			return -1;
		}
		if (ie == is) {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", is - 1, 2, "empty index '[]' in '$(%s...)'",
			        pv_q(q, name, nlen));
			return -1;
		}
		if (pv_index(ck, is, ie, depth) < 0)
			return -1;
		p = ie + 1;
		if (p < end && *p == ')') {
			state = 1;
		} else if (p < end && *p == '{') {
			state = 4;
		} else {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", p < end ? p : s, p < end ? 1 : (size_t)(end - s),
			        p < end ? "unexpected character after the index (expected ')' or '{')"
			                : "unclosed '$('");
			return -1;
		}
		p++;
	}

	if (state == 4) {
		if (pv_trs(ck, p - 1, end, depth, &p) < 0)
			return -1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != ')') {
			pv_diag(ck, CFGC_ERROR, "pv-syntax", p < end ? p : s, p < end ? 1 : (size_t)(end - s),
			        p < end ? "unexpected character after the transformations (expected ')')"
			                : "unclosed '$('");
			return -1;
		}
		p++;
		inf->has_tr = 1;
	}
	*out = p;

	if (flags & CFGC_PV_LVALUE) {
		if (!(ex->flags & VM_PV_WRITABLE)) {
			pv_diag(ck, CFGC_ERROR, "readonly-pv", s, (size_t)(p - s),
			        "'$%s' is read-only: it cannot be assigned", pv_q(q, name, nlen));
			return -1;
		}
		if (inf->has_tr) {
			cfgc_diag *d = pv_diag(ck, CFGC_ERROR, "pv-transformation-lvalue", s, (size_t)(p - s),
			                       "a pseudo-variable with transformations cannot be assigned");
			cfgc_diag_help(ck->ctx, d, "assign to the variable itself and apply the "
			               "transformation on the right-hand side");
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- formats */

/* A transformation written after a "$name" / "$name(...)" PV in a format
 * is printed as text: warn when it names a known transformation. [d, e)
 * is the PV, e points at '{'. */
static void pv_fmt_literal_tr(pv_ck *ck, const char *d, const char *e, const char *end)
{
	char q[PV_QMAX + 4], q2[PV_QMAX + 4];
	const char *cs = e + 1, *p = cs, *nm;
	while (p < end && *p != '.' && *p != '}' && *p != ',' && *p != '{' && *p != '$')
		p++;
	if (p >= end || *p != '.' || p == cs)
		return;
	nm = ++p;
	while (p < end && *p != '}' && *p != ',' && *p != '{' && *p != '$')
		p++;
	if (p >= end || p == nm || pv_tr_known(ck, cs, (size_t)(nm - 1 - cs), nm, (size_t)(p - nm)) != 2)
		return;
	p = pv_tr_end(e, end);
	cfgc_diag *w = pv_diag(ck, CFGC_WARNING, "pv-transformation-literal", e, (size_t)(p - e),
	                       "'%s' after '%s' is printed as text, not applied",
	                       pv_q(q, e, (size_t)(p - e)), pv_q(q2, d, (size_t)(e - d)));
	cfgc_diag_help(ck->ctx, w, "transformations need the '$( )' form: '$(%s%s)'",
	               pv_q(q2, d + 1, (size_t)(e - d - 1)), q);
}

/* Check every PV in the format [s, end): each '$' starts one, located as
 * pv_locate_name() does and parsed strictly (no legacy AVPs). Returns 0,
 * or -1 when an error was reported. */
static int pv_fmt(pv_ck *ck, const char *s, const char *end, int depth)
{
	const char *p = s, *d, *out;
	int errs = 0, why = 0;
	pv_info inf;
	size_t len;

	if (depth > PV_MAX_DEPTH) {
		pv_diag(ck, CFGC_ERROR, "pv-syntax", s, (size_t)(end - s),
		        "pseudo-variables nested too deeply (more than %d levels)", PV_MAX_DEPTH);
		return -1;
	}
	while (p < end && (d = memchr(p, '$', (size_t)(end - p))) != NULL) {
		len = pv_locate(d, end, &why);
		if (len == 0 || len == 1) {
			cfgc_diag *dg;
			if (len == 0 && why == 2) {
				char q[PV_QMAX + 4];
				pv_diag(ck, CFGC_ERROR, "bad-format", d, (size_t)(end - d),
				        "unclosed '(' in '%s'", pv_q(q, d, (size_t)(end - d)));
				return -1;
			}
			dg = pv_diag(ck, CFGC_ERROR, "bad-format", d, 1,
			             "'$' does not start a pseudo-variable here");
			cfgc_diag_help(ck->ctx, dg, "a '$' in this string always starts a pseudo-variable; "
			               "write '$$' for a literal '$'");
			if (len == 0)
				return -1;
			errs++;
		} else if (pv_parse(ck, d, d + len, depth, 0, &inf, &out) < 0) {
			errs++;
		} else if (d[1] != '(' && d[1] != '$' && out < end && *out == '{') {
			pv_fmt_literal_tr(ck, d, out, end);
		}
		if (errs >= PV_FMT_MAX_ERR)
			break;
		p = d + len;
	}
	return errs ? -1 : 0;
}

/* ------------------------------------------------------------ entry points */

int cfgc_pv_check(cfgc_ctx *ctx, const cfgc_lookup *lk, cfgc_span sp,
                  const char *text, size_t len, int flags)
{
	pv_ck ck;
	pv_info inf;
	const char *out, *end;
	int mode;

	if (!ctx)
		return -1;
	memset(&ck, 0, sizeof(ck));
	ck.ctx = ctx;
	ck.lk = lk;
	ck.sp = sp;
	ck.base = text;
	if (!text || len == 0 || text[0] != '$') {
		cfgc_diag_span(ctx, CFGC_ERROR, "pv-syntax", sp, "a pseudo-variable must start with '$'");
		return -1;
	}
	ck.exact = pv_exact_prefix(ctx, sp, 0, text, len);
	mode = cfgc_mode_at(ctx, sp.off);
	ck.lenient = mode != CFGC_MODE_KAMAILIO && !(flags & CFGC_PV_FORMAT);
	ck.in_fmt = (flags & CFGC_PV_FORMAT) != 0;
	end = text + len;
	if (pv_parse(&ck, text, end, 0, flags & CFGC_PV_LVALUE, &inf, &out) < 0)
		return -1;
	if (out < end) {
		char q[PV_QMAX + 4], q2[PV_QMAX + 4];
		if (*out == '[' || *out == '{') {
			cfgc_diag *d = pv_diag(&ck, CFGC_ERROR, "pv-syntax", out, (size_t)(end - out),
			                       "%s only allowed inside '$( )'",
			                       *out == '[' ? "an index is" : "transformations are");
			cfgc_diag_help(ctx, d, "write '$(%s%s)'", pv_q(q, text + 1, (size_t)(out - text - 1)),
			               pv_q(q2, out, (size_t)(end - out)));
		} else {
			pv_diag(&ck, CFGC_ERROR, "pv-syntax", out, (size_t)(end - out),
			        "unexpected '%s' after '%s'", pv_q(q, out, (size_t)(end - out)),
			        pv_q(q2, text, (size_t)(out - text)));
		}
		return -1;
	}
	return ck.nerr ? -1 : 0;
}

int cfgc_fmt_check(cfgc_ctx *ctx, const cfgc_lookup *lk, cfgc_span sp,
                   const char *s, size_t n)
{
	pv_ck ck;

	if (!ctx || (!s && n))
		return -1;
	if (!s || n == 0)
		return 0;
	memset(&ck, 0, sizeof(ck));
	ck.ctx = ctx;
	ck.lk = lk;
	ck.sp = sp;
	ck.base = s;
	ck.in_fmt = 1;
	if (ctx->out && sp.off < ctx->out_len && sp.len >= 2 &&
	    (ctx->out[sp.off] == '"' || ctx->out[sp.off] == '\'')) {
		ck.shift = 1;
		ck.exact = pv_exact_prefix(ctx, sp, 1, s, n);
	}
	pv_fmt(&ck, s, s + n, 0);
	return ck.nerr ? -1 : 0;
}
