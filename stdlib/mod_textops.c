/*
 * mod_textops.c — textops: search and edit headers, body and strings.
 *
 * As in Kamailio, searches read the message as it was received: changes
 * are lumps (rt_msg_lump) applied only when the message is sent, so a
 * header appended by append_hf() is not found by is_present_hf(). Regular
 * expressions are POSIX extended, case-insensitive, with REG_NEWLINE; a
 * constant one comes compiled in vm_call.fix, another is compiled for the
 * call. search() looks at the whole message; replace(), search_append()
 * and subst() start after the first line, so they never touch the
 * request line; the _body variants look at the body only.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../runtime/rt.h"
#include "mod.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* The regex of argument i: the loader's (kind r), else the argument
 * compiled into *tmp with cflags (*own set: the caller regfree()s it).
 * NULL when it does not compile (logged). */
static regex_t *to_regex(vm_call *call, unsigned i, regex_t *tmp, int *own,
		int cflags)
{
	char buf[VM_INT_DEC_MAX], *z;
	const char *s;
	size_t len;
	int rc;
	regex_t *re = mod_core_fix(call, i);

	*own = 0;
	if (re != NULL && cflags == (REG_EXTENDED | REG_ICASE | REG_NEWLINE))
		return re;
	mod_core_arg_str(call, i, buf, &s, &len);
	z = malloc(len + 1);
	if (z == NULL)
		return NULL;
	memcpy(z, s, len);
	z[len] = '\0';
	rc = regcomp(tmp, z, cflags);
	if (rc != 0) {
		char m[128];
		regerror(rc, tmp, m, sizeof(m));
		vm_error(call->ctx, "%s(): bad regular expression \"%s\": %s",
				call->fn->name, z, m);
		free(z);
		return NULL;
	}
	free(z);
	*own = 1;
	return tmp;
}

#define RE_FLAGS (REG_EXTENDED | REG_ICASE | REG_NEWLINE)

/* regexec on s[0..len), which need not be terminated; like Kamailio's C
 * strings the subject ends at its first NUL byte. Match offsets are
 * relative to s. 0 on a match. */
static int re_exec(const regex_t *re, const char *s, size_t len, size_t nm,
		regmatch_t *pm, int eflags)
{
	return vm_regexec(re, s, len, nm, pm, eflags);
}

/* The message from after its first line to its end (Kamailio's
 * get_header()). */
static rt_view msg_after_fline(const rt_msg *m)
{
	const char *nl = memchr(m->buf, '\n', m->len);
	size_t off = nl ? (size_t)(nl - m->buf) + 1 : m->len;
	return (rt_view){ m->buf + off, m->len - off };
}

/* The offset where header lines end (the empty line). */
static size_t msg_hdrs_end(const rt_msg *m)
{
	if (m->nhdrs > 0) {
		const rt_hdr *h = &m->hdrs[m->nhdrs - 1];
		return (size_t)(h->raw.s + h->raw.len - m->buf);
	}
	return (size_t)(msg_after_fline(m).s - m->buf);
}

/* The offset where header lines start. */
static size_t msg_hdrs_start(const rt_msg *m)
{
	if (m->nhdrs > 0)
		return (size_t)(m->hdrs[0].raw.s - m->buf);
	return (size_t)(msg_after_fline(m).s - m->buf);
}

/* The body: what follows the empty line (empty view at the end when
 * there is none). */
static rt_view msg_body(const rt_msg *m)
{
	size_t off;

	if (m->body.s != NULL)
		return (rt_view){ m->body.s, m->len - (size_t)(m->body.s - m->buf) };
	off = msg_hdrs_end(m);
	if (off + 2 <= m->len && m->buf[off] == '\r' && m->buf[off + 1] == '\n')
		off += 2;
	else if (off + 1 <= m->len && m->buf[off] == '\n')
		off += 1;
	return (rt_view){ m->buf + off, m->len - off };
}

/* Delete s[0..del) at off and insert ins[0..inslen) there. 0 or -1. */
static int lump(vm_call *call, rt_msg *m, size_t off, size_t del,
		const char *ins, size_t inslen)
{
	if (rt_msg_lump(m, off, del, ins, inslen) < 0) {
		vm_error(call->ctx, "%s(): cannot change the message", call->fn->name);
		return -1;
	}
	return 0;
}

/* Whether a deletion of exactly [off, off+del) is already recorded. */
static int lump_deleted(const rt_msg *m, size_t off, size_t del)
{
	for (const rt_lump *l = m->lumps; l; l = l->next)
		if (l->off == off && l->del == del)
			return 1;
	return 0;
}

/* A header name argument, matched as Kamailio's hname_fixup does: a known
 * name (compact forms included) by its type, another by the name,
 * case-insensitively. */
typedef struct {
	int type;
	const char *s;
	size_t len;
} hname;

static void hname_of(const char *s, size_t len, hname *h)
{
	h->type = rt_hdr_type(s, len);
	h->s = s;
	h->len = len;
}

static int hname_match(const hname *h, const rt_hdr *hdr)
{
	if (h->type != RT_HDR_OTHER)
		return hdr->type == h->type;
	return hdr->type == RT_HDR_OTHER && hdr->name.len == h->len &&
		strncasecmp(hdr->name.s, h->s, h->len) == 0;
}

/* A header name regex against a header's name: 1 on a match. */
static int hname_re(const regex_t *re, const rt_hdr *hdr)
{
	return re_exec(re, hdr->name.s, hdr->name.len, 0, NULL, 0) == 0;
}

/* Method ids by name, case-insensitive (Kamailio's parse_method). */
static uint32_t method_id(const char *s, size_t len)
{
	static const struct { const char *n; uint32_t id; } tab[] = {
		{ "INVITE", RT_M_INVITE }, { "CANCEL", RT_M_CANCEL },
		{ "ACK", RT_M_ACK }, { "BYE", RT_M_BYE }, { "INFO", RT_M_INFO },
		{ "REGISTER", RT_M_REGISTER }, { "SUBSCRIBE", RT_M_SUBSCRIBE },
		{ "NOTIFY", RT_M_NOTIFY }, { "MESSAGE", RT_M_MESSAGE },
		{ "OPTIONS", RT_M_OPTIONS }, { "PRACK", RT_M_PRACK },
		{ "UPDATE", RT_M_UPDATE }, { "REFER", RT_M_REFER },
		{ "PUBLISH", RT_M_PUBLISH }, { "KDMQ", RT_M_KDMQ },
		{ "GET", RT_M_GET }, { "POST", RT_M_POST }, { "PUT", RT_M_PUT },
		{ "DELETE", RT_M_DELETE },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].n) == len && strncasecmp(tab[i].n, s, len) == 0)
			return tab[i].id;
	return RT_M_OTHER;
}

/* ------------------------------------------------------------------------
 * Searching and replacing with regular expressions
 * ------------------------------------------------------------------------ */

/* search(re): 1 when it matches anywhere in the message. */
static int search_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	regex_t tmp, *re;
	int own, r;

	if (m == NULL || (re = to_regex(call, 0, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	r = re_exec(re, m->buf, m->len, 0, NULL, 0) == 0 ? 1 : -1;
	if (own)
		regfree(re);
	return r;
}

/* search_body(re): the body only; -1 when there is none. */
static int search_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	regex_t tmp, *re;
	rt_view b;
	int own, r;

	if (m == NULL || (re = to_regex(call, 0, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	b = msg_body(m);
	r = (b.len > 0 && re_exec(re, b.s, b.len, 0, NULL, 0) == 0) ? 1 : -1;
	if (own)
		regfree(re);
	return r;
}

/* The text argument of search_append / replace (kind S). */
static void text_arg(vm_call *call, unsigned i, char buf[VM_INT_DEC_MAX],
		const char **s, size_t *len)
{
	mod_core_arg_str(call, i, buf, s, len);
}

/* Find the first match in region; then insert the text after it
 * (append) or replace it. 1, -1 when there is no match. */
static int first_match_edit(vm_call *call, rt_msg *m, rt_view region, int append)
{
	regex_t tmp, *re;
	regmatch_t pm;
	char buf[VM_INT_DEC_MAX];
	const char *t;
	size_t tl, off;
	int own, r = -1;

	if ((re = to_regex(call, 0, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	text_arg(call, 1, buf, &t, &tl);
	if (region.len > 0 && re_exec(re, region.s, region.len, 1, &pm, 0) == 0) {
		off = (size_t)(region.s - m->buf);
		if (append)
			r = lump(call, m, off + (size_t)pm.rm_eo, 0, t, tl) < 0 ? -1 : 1;
		else
			r = lump(call, m, off + (size_t)pm.rm_so,
					(size_t)(pm.rm_eo - pm.rm_so), t, tl) < 0 ? -1 : 1;
	}
	if (own)
		regfree(re);
	return r;
}

static int search_append_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	return m ? first_match_edit(call, m, msg_after_fline(m), 1) : -1;
}

static int search_append_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	return m ? first_match_edit(call, m, msg_body(m), 1) : -1;
}

static int replace_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	return m ? first_match_edit(call, m, msg_after_fline(m), 0) : -1;
}

static int replace_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	return m ? first_match_edit(call, m, msg_body(m), 0) : -1;
}

/* Replace every match in region with the text. After a match, '^' may
 * match again only at a line start (REG_NOTBOL otherwise); `nobol_lines`
 * 0 (replace_body_atonce) keeps REG_NOTBOL after the first match. An empty
 * match is an error, as in Kamailio. 1 when something was replaced. */
static int replace_all_in(vm_call *call, rt_msg *m, rt_view region,
		int cflags, int nobol_lines)
{
	regex_t tmp, *re;
	regmatch_t pm;
	char buf[VM_INT_DEC_MAX];
	const char *t, *p = region.s, *end = region.s + region.len;
	size_t tl;
	int own, eflags = 0, ret = -1;

	if ((re = to_regex(call, 0, &tmp, &own, cflags)) == NULL)
		return -1;
	text_arg(call, 1, buf, &t, &tl);
	while (p < end && re_exec(re, p, (size_t)(end - p), 1, &pm, eflags) == 0) {
		if (pm.rm_so == pm.rm_eo) {
			vm_error(call->ctx, "%s(): matched string is empty... invalid regexp?",
					call->fn->name);
			ret = -1;
			break;
		}
		if (lump(call, m, (size_t)(p - m->buf) + (size_t)pm.rm_so,
				(size_t)(pm.rm_eo - pm.rm_so), t, tl) < 0) {
			ret = -1;
			break;
		}
		p += pm.rm_eo;
		if (nobol_lines && (p[-1] == '\n' || p[-1] == '\r'))
			eflags &= ~REG_NOTBOL;
		else
			eflags |= REG_NOTBOL;
		ret = 1;
	}
	if (own)
		regfree(re);
	return ret;
}

static int replace_all_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	return m ? replace_all_in(call, m, msg_after_fline(m), RE_FLAGS, 1) : -1;
}

static int replace_body_all_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	rt_view b;
	if (m == NULL)
		return -1;
	b = msg_body(m);
	return b.len ? replace_all_in(call, m, b, RE_FLAGS, 1) : -1;
}

static int replace_body_atonce_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	rt_view b;
	if (m == NULL)
		return -1;
	b = msg_body(m);
	return b.len ? replace_all_in(call, m, b, REG_EXTENDED | REG_ICASE, 0) : -1;
}

/* ------------------------------------------------------------------------
 * subst('/re/repl/flags')
 * ------------------------------------------------------------------------ */

/* One piece of a replacement: literal text, a back-reference \0..\9, the
 * R-URI (\u), or a PV. */
enum { SP_LIT, SP_REF, SP_URI, SP_PV };

typedef struct {
	int kind;
	const char *s;           /* SP_LIT: into the owned text */
	size_t len;
	int ref;                 /* SP_REF */
	vm_pvspec *pv;           /* SP_PV (owned) */
} subst_piece;

typedef struct {
	char *text;              /* the expression as given (owned) */
	size_t len;
	regex_t re;
	int global;
	int max_ref;
	subst_piece *pc;
	unsigned npc;
	char lit[];              /* unescaped single characters */
} subst_expr;

static void subst_free(subst_expr *se)
{
	if (se == NULL)
		return;
	regfree(&se->re);
	for (unsigned i = 0; i < se->npc; i++)
		vm_pvspec_free(se->pc[i].pv);
	free(se->pc);
	free(se->text);
	free(se);
}

/* The length of the PV written at s[0..len) (s[0] is '$'): $name,
 * $name(...), $(...), with brackets balanced and an optional [index]. */
static size_t pv_extent(const char *s, size_t len)
{
	size_t i = 1;
	int depth;

	if (i < len && (s[i] == '(' || s[i] == '{')) {
		char open = s[i], close = open == '(' ? ')' : '}';
		for (depth = 0; i < len; i++) {
			if (s[i] == open)
				depth++;
			else if (s[i] == close && --depth == 0)
				return i + 1;
		}
		return 0;
	}
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '?'))
		i++;
	if (i == 1)
		return 0;
	if (i < len && s[i] == '(') {
		for (depth = 0; i < len; i++) {
			if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && --depth == 0) {
				i++;
				break;
			}
		}
		if (depth != 0)
			return 0;
	}
	if (i < len && s[i] == '[') {
		const char *rb = memchr(s + i, ']', len - i);
		if (rb == NULL)
			return 0;
		i = (size_t)(rb - s) + 1;
	}
	return i;
}

/* Parse Kamailio's subst expression: a separator character, the regex,
 * the separator, the replacement (\0..\9, \u for the R-URI, \n \r \t \\ \$
 * and \<sep> escapes, PVs parsed with lp), the separator, flags i (ignore
 * case), g (all matches), s (let '.' match a newline). NULL with a message
 * in err when it is malformed (or memory runs out). */
static subst_expr *subst_compile(const vm_loaded *lp, const char *s, size_t len,
		char *err, size_t errlen)
{
	subst_expr *se;
	char sep, *t, *repl, *rend, *p;
	int cflags = REG_EXTENDED | REG_NEWLINE, rc;
	unsigned cap;

	if (len < 3 || s[0] == '\\') {
		snprintf(err, errlen, "bad subst expression");
		return NULL;
	}
	se = calloc(1, sizeof(*se) + len);
	snprintf(err, errlen, "out of memory");
	if (se == NULL)
		return NULL;
	se->text = malloc(len + 1);
	cap = 8;
	se->pc = malloc(cap * sizeof(*se->pc));
	if (se->text == NULL || se->pc == NULL) {
		free(se->text);
		free(se->pc);
		free(se);
		return NULL;
	}
	memcpy(se->text, s, len);
	se->text[len] = '\0';
	se->len = len;
	t = se->text;
	sep = t[0];
	/* the regex: up to an unescaped separator */
	for (p = t + 1; p < t + len; p++)
		if (*p == sep && p[-1] != '\\')
			break;
	if (p >= t + len) {
		snprintf(err, errlen, "no separator found in subst expression");
		goto fail_text;
	}
	*p = '\0';
	repl = p + 1;
	/* the replacement */
	for (p = repl; p < t + len; p++) {
		subst_piece pc = { SP_LIT, NULL, 0, 0, NULL };
		if (*p == sep)
			break;
		if (se->npc == cap) {
			subst_piece *np = realloc(se->pc, 2 * cap * sizeof(*np));
			if (np == NULL)
				goto fail_text;
			se->pc = np;
			cap *= 2;
		}
		if (*p == '\\' && p + 1 < t + len) {
			char e = *++p, *lit = se->lit + (p - t);
			switch (e) {
			case 'n': *lit = '\n'; break;
			case 'r': *lit = '\r'; break;
			case 't': *lit = '\t'; break;
			case 'u': pc.kind = SP_URI; break;
			default:
				if (e >= '0' && e <= '9') {
					pc.kind = SP_REF;
					pc.ref = e - '0';
					if (pc.ref > se->max_ref)
						se->max_ref = pc.ref;
				} else {
					*lit = e;
				}
			}
			if (pc.kind == SP_LIT) {
				pc.s = lit;
				pc.len = 1;
			}
		} else if (*p == '$') {
			size_t n = pv_extent(p, (size_t)(t + len - p));
			char m[200];
			if (n == 0 || lp == NULL || vm_pv_parse(lp, p, n, &pc.pv, m,
					sizeof(m)) < 0) {
				snprintf(err, errlen, "bad specifier in replace part: %s",
						n ? m : "unterminated");
				goto fail_text;
			}
			pc.kind = SP_PV;
			p += n - 1;
		} else {
			/* a run of plain bytes */
			char *q = p;
			while (q < t + len && *q != sep && *q != '\\' && *q != '$')
				q++;
			pc.s = p;
			pc.len = (size_t)(q - p);
			p = q - 1;
		}
		se->pc[se->npc++] = pc;
	}
	if (p >= t + len) {
		snprintf(err, errlen, "missing separator in subst expression");
		goto fail_text;
	}
	rend = p;
	for (p = rend + 1; p < t + len; p++) {
		switch (*p) {
		case 'i': cflags |= REG_ICASE; break;
		case 's': cflags &= ~REG_NEWLINE; break;
		case 'g': se->global = 1; break;
		default:
			snprintf(err, errlen, "unknown flag %c in subst expression", *p);
			goto fail_text;
		}
	}
	rc = regcomp(&se->re, t + 1, cflags);
	if (rc != 0) {
		char m[128];
		regerror(rc, &se->re, m, sizeof(m));
		snprintf(err, errlen, "bad regular expression \"%s\": %s", t + 1, m);
		goto fail_text;
	}
	/* the literal pieces view the copy: keep it intact from here on by
	 * re-copying the original (the regex end was overwritten by a NUL) */
	memcpy(se->text, s, len);
	return se;
fail_text:
	for (unsigned i = 0; i < se->npc; i++)
		vm_pvspec_free(se->pc[i].pv);
	free(se->pc);
	free(se->text);
	free(se);
	return NULL;
}

/* Per worker (c->mod[MOD_SLOT_TEXTOPS]): the subst expressions met so far,
 * parsed once (constant arguments come back with the same text). */
#define SUBST_CACHE 16

typedef struct {
	subst_expr *se[SUBST_CACHE];
	unsigned next;
} textops_state;

static int textops_ctx_init(vm_ctx *c)
{
	if (c->mod[MOD_SLOT_TEXTOPS] == NULL)
		c->mod[MOD_SLOT_TEXTOPS] = calloc(1, sizeof(textops_state));
	return c->mod[MOD_SLOT_TEXTOPS] ? 0 : -1;
}

static void textops_ctx_free(vm_ctx *c)
{
	textops_state *st = c->mod[MOD_SLOT_TEXTOPS];
	if (st == NULL)
		return;
	for (unsigned i = 0; i < SUBST_CACHE; i++)
		subst_free(st->se[i]);
	free(st);
	c->mod[MOD_SLOT_TEXTOPS] = NULL;
}

/* The parsed subst expression of argument i, from the cache or parsed
 * (and cached, evicting the oldest). NULL when malformed. */
static subst_expr *subst_of(vm_call *call, unsigned i)
{
	textops_state *st;
	char buf[VM_INT_DEC_MAX], err[256];
	const char *s;
	size_t len;
	subst_expr *se;

	if (textops_ctx_init(call->ctx) < 0)
		return NULL;
	st = call->ctx->mod[MOD_SLOT_TEXTOPS];
	mod_core_arg_str(call, i, buf, &s, &len);
	for (unsigned k = 0; k < SUBST_CACHE; k++)
		if (st->se[k] && st->se[k]->len == len && memcmp(st->se[k]->text, s, len) == 0)
			return st->se[k];
	se = subst_compile(call->ctx->lp, s, len, err, sizeof(err));
	if (se == NULL) {
		vm_error(call->ctx, "%s(): %s", call->fn->name, err);
		return NULL;
	}
	subst_free(st->se[st->next]);
	st->se[st->next] = se;
	st->next = (st->next + 1) % SUBST_CACHE;
	return se;
}

/* The replacement of one match of se in subject (offsets relative to
 * subject) into out (at most 1024 bytes, Kamailio's REPLACE_BUFFER_SIZE).
 * Returns the length, or -1 when it does not fit. */
#define SUBST_MAX 1023

static long subst_build(vm_ctx *c, const subst_expr *se, const char *subject,
		const regmatch_t *pm, size_t npm, char *out)
{
	size_t n = 0;
	rt_msg *m = rt_msg_of(c);

	for (unsigned i = 0; i < se->npc; i++) {
		const subst_piece *pc = &se->pc[i];
		const char *s = NULL;
		size_t len = 0;
		char nb[VM_INT_DEC_MAX];
		switch (pc->kind) {
		case SP_LIT:
			s = pc->s;
			len = pc->len;
			break;
		case SP_REF:
			if ((size_t)pc->ref < npm && pm[pc->ref].rm_so != -1) {
				s = subject + pm[pc->ref].rm_so;
				len = (size_t)(pm[pc->ref].rm_eo - pm[pc->ref].rm_so);
			}
			break;
		case SP_URI:
			if (m && m->is_request) {
				rt_view r = rt_msg_ruri_text(m);
				s = r.s;
				len = r.len;
			}
			break;
		case SP_PV: {
			vm_value v;
			if (vm_pv_get(c, pc->pv, &v) == 0)
				vm_str_view(&v, nb, &s, &len);
			break;
		}
		}
		if (n + len > SUBST_MAX) {
			vm_error(c, "subst: replacement longer than %d bytes", SUBST_MAX);
			return -1;
		}
		if (len)
			memcpy(out + n, s, len);
		n += len;
	}
	return (long)n;
}

/* Apply se to region of the message as lumps. Like Kamailio's subst_run,
 * every match is found first and nothing changes when one of them fails
 * (an empty match, a replacement too long). 1 when at least one match was
 * replaced, -1 when none (or on error). */
static int subst_region(vm_call *call, rt_msg *m, const subst_expr *se,
		rt_view region)
{
	typedef struct { size_t off, del, at, len; } edit;
	regmatch_t pm[10];
	size_t npm = (size_t)se->max_ref + 1, ned = 0, cap = 0, tlen = 0;
	const char *p = region.s, *end = region.s + region.len;
	int eflags = 0, ret = -1;
	char *out = malloc(SUBST_MAX + 1), *text = NULL;
	edit *ed = NULL;

	if (out == NULL)
		return -1;
	while (p <= end && re_exec(&se->re, p, (size_t)(end - p), npm, pm, eflags) == 0) {
		long n;
		if (pm[0].rm_so == pm[0].rm_eo) {
			vm_error(call->ctx, "%s(): matched string is empty, invalid regexp?",
					call->fn->name);
			goto done;
		}
		n = subst_build(call->ctx, se, p, pm, npm, out);
		if (n < 0)
			goto done;
		if (ned == cap) {
			edit *ne = realloc(ed, (cap ? 2 * cap : 8) * sizeof(*ne));
			if (ne == NULL)
				goto done;
			ed = ne;
			cap = cap ? 2 * cap : 8;
		}
		{
			char *nt = realloc(text, tlen + (size_t)n + 1);
			if (nt == NULL)
				goto done;
			text = nt;
		}
		memcpy(text + tlen, out, (size_t)n);
		ed[ned].off = (size_t)(p - m->buf) + (size_t)pm[0].rm_so;
		ed[ned].del = (size_t)(pm[0].rm_eo - pm[0].rm_so);
		ed[ned].at = tlen;
		ed[ned].len = (size_t)n;
		ned++;
		tlen += (size_t)n;
		p += pm[0].rm_eo;
		if (p[-1] == '\n' || p[-1] == '\r')
			eflags &= ~REG_NOTBOL;
		else
			eflags |= REG_NOTBOL;
		if (!se->global)
			break;
	}
	for (size_t i = 0; i < ned; i++)
		if (lump(call, m, ed[i].off, ed[i].del, text + ed[i].at, ed[i].len) < 0)
			goto done;
	if (ned > 0)
		ret = 1;
done:
	free(out);
	free(text);
	free(ed);
	return ret;
}

/* se applied to a string (ending at its first NUL byte): the result in
 * the arena (*out), 1; 0 when nothing matched; -1 on error (an empty
 * match, a replacement too long, memory). */
static int subst_string(vm_ctx *c, const subst_expr *se, const char *s,
		size_t len, char **out, size_t *olen)
{
	regmatch_t pm[10];
	size_t npm = (size_t)se->max_ref + 1, n = 0, cap = len + 64;
	const char *p = s, *end = s + len;
	int eflags = 0, found = 0, ret = -1;
	char *res, *rb = malloc(SUBST_MAX + 1);

	res = malloc(cap);
	if (res == NULL || rb == NULL)
		goto fail;
	while (p <= end && re_exec(&se->re, p, (size_t)(end - p), npm, pm, eflags) == 0) {
		long k;
		if (pm[0].rm_so == pm[0].rm_eo)
			goto fail;
		k = subst_build(c, se, p, pm, npm, rb);
		if (k < 0)
			goto fail;
		if (n + (size_t)pm[0].rm_so + (size_t)k > cap) {
			char *nr;
			cap = (n + (size_t)pm[0].rm_so + (size_t)k) * 2 + (size_t)(end - p);
			nr = realloc(res, cap);
			if (nr == NULL)
				goto fail;
			res = nr;
		}
		memcpy(res + n, p, (size_t)pm[0].rm_so);
		n += (size_t)pm[0].rm_so;
		memcpy(res + n, rb, (size_t)k);
		n += (size_t)k;
		found = 1;
		p += pm[0].rm_eo;
		if (p[-1] == '\n' || p[-1] == '\r')
			eflags &= ~REG_NOTBOL;
		else
			eflags |= REG_NOTBOL;
		if (!se->global)
			break;
	}
	if (!found) {
		ret = 0;
		goto fail;
	}
	if (n + (size_t)(end - p) > cap) {
		char *nr = realloc(res, n + (size_t)(end - p));
		if (nr == NULL)
			goto fail;
		res = nr;
	}
	memcpy(res + n, p, (size_t)(end - p));
	n += (size_t)(end - p);
	*out = vm_arena_alloc(&c->arena, n + 1);
	if (*out == NULL)
		goto fail;
	memcpy(*out, res, n);
	(*out)[n] = '\0';
	*olen = n;
	free(res);
	free(rb);
	return 1;
fail:
	free(res);
	free(rb);
	return ret;
}

/* subst('/re/repl/flags'): in the headers and body (after the first
 * line). */
static int subst_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	subst_expr *se;
	if (m == NULL || (se = subst_of(call, 0)) == NULL)
		return -1;
	return subst_region(call, m, se, msg_after_fline(m));
}

static int subst_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	subst_expr *se;
	rt_view b;
	if (m == NULL || (se = subst_of(call, 0)) == NULL)
		return -1;
	b = msg_body(m);
	return b.len ? subst_region(call, m, se, b) : -1;
}

/* subst_uri: on the whole R-URI, which becomes the result. */
static int subst_uri_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	subst_expr *se;
	rt_view r;
	char *res;
	size_t rl;

	if (m == NULL || (se = subst_of(call, 0)) == NULL)
		return -1;
	r = rt_msg_ruri_text(m);
	if (subst_string(call->ctx, se, r.s, r.len, &res, &rl) <= 0)
		return -1;
	return rt_msg_set_ruri(m, res, rl) < 0 ? -1 : 1;
}

/* subst_user: on the R-URI's user; the result set as rewriteuser would. */
static int subst_user_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	subst_expr *se;
	const rt_uri *u;
	char *res;
	size_t rl;

	if (m == NULL || (se = subst_of(call, 0)) == NULL)
		return -1;
	u = rt_msg_ruri(m);
	if (u == NULL)
		return -1;
	if (subst_string(call->ctx, se, u->user.s ? u->user.s : "", u->user.s ? u->user.len : 0,
			&res, &rl) <= 0)
		return -1;
	return mod_core_set_ruri_user(call, res, rl);
}

/* ------------------------------------------------------------------------
 * Headers
 * ------------------------------------------------------------------------ */

/* append_hf(txt[, hdr]), insert_hf(txt[, hdr]): the text (which should end
 * with CRLF) after the last header / before the first one, or after /
 * before the first header named hdr (when there is none, as without it).
 * -1 when the text is empty. */
static int add_hf(vm_call *call, int insert)
{
	rt_msg *m = mod_core_msg(call, 0);
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *t, *hs;
	size_t tl, hl, off;
	const rt_hdr *anchor = NULL;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, b1, &t, &tl);
	if (call->nargs > 1) {
		hname h;
		mod_core_arg_str(call, 1, b2, &hs, &hl);
		hname_of(hs, hl, &h);
		for (unsigned i = 0; i < m->nhdrs && !anchor; i++)
			if (hname_match(&h, &m->hdrs[i]))
				anchor = &m->hdrs[i];
	}
	if (tl == 0) {
		vm_log(call->ctx, VM_L_INFO, "%s(): nothing to add", call->fn->name);
		return -1;
	}
	if (insert)
		off = anchor ? (size_t)(anchor->raw.s - m->buf) : msg_hdrs_start(m);
	else
		off = anchor ? (size_t)(anchor->raw.s + anchor->raw.len - m->buf) :
			msg_hdrs_end(m);
	return lump(call, m, off, 0, t, tl) < 0 ? -1 : 1;
}

static int append_hf_f(vm_call *call) { return add_hf(call, 0); }
static int insert_hf_f(vm_call *call) { return add_hf(call, 1); }

/* append_urihf(prefix, suffix): a header "prefix<R-URI as received>suffix"
 * after the last header. */
static int append_urihf_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], *t;
	const char *p, *s;
	size_t pl, sl, n;
	int r;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, b1, &p, &pl);
	mod_core_arg_str(call, 1, b2, &s, &sl);
	n = pl + m->ruri.len + sl;
	t = malloc(n ? n : 1);
	if (t == NULL)
		return -1;
	memcpy(t, p, pl);
	memcpy(t + pl, m->ruri.s, m->ruri.len);
	memcpy(t + pl + m->ruri.len, s, sl);
	r = lump(call, m, msg_hdrs_end(m), 0, t, n) < 0 ? -1 : 1;
	free(t);
	return r;
}

/* Remove the header lines for which match(i) says so; a line removed
 * before counts again without a second deletion. 1 when any, else -1. */
static int remove_hdrs(vm_call *call, rt_msg *m,
		int (*match)(const void *ud, const rt_hdr *h), const void *ud)
{
	int cnt = 0;

	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		size_t off = (size_t)(h->raw.s - m->buf);
		if (!match(ud, h))
			continue;
		if (!lump_deleted(m, off, h->raw.len) &&
				lump(call, m, off, h->raw.len, NULL, 0) < 0)
			return -1;
		cnt++;
	}
	return cnt ? 1 : -1;
}

static int match_hname(const void *ud, const rt_hdr *h)
{
	return hname_match(ud, h);
}

static int match_hre(const void *ud, const rt_hdr *h)
{
	return hname_re(ud, h);
}

/* remove_hf(name), remove_hf_pv(name): every header of that name. */
static int remove_hf_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	hname h;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len == 0)
		return -1;
	hname_of(s, len, &h);
	return remove_hdrs(call, m, match_hname, &h);
}

/* remove_hf_re(re), remove_hf_re_pv(re): every header whose name
 * matches. */
static int remove_hf_re_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	regex_t tmp, *re;
	int own, r;

	if (m == NULL || (re = to_regex(call, 0, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	r = remove_hdrs(call, m, match_hre, re);
	if (own)
		regfree(re);
	return r;
}

/* remove_hf_exp(re, skip_re): names matching re but not skip_re. */
typedef struct {
	const regex_t *re, *skip;
} two_re;

static int match_exp(const void *ud, const rt_hdr *h)
{
	const two_re *t = ud;
	return hname_re(t->re, h) && !hname_re(t->skip, h);
}

static int remove_hf_exp_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	regex_t t1, t2;
	two_re tr = { NULL, NULL };
	int o1 = 0, o2 = 0, r = -1;

	if (m == NULL)
		return -1;
	tr.re = to_regex(call, 0, &t1, &o1, RE_FLAGS);
	if (tr.re != NULL)
		tr.skip = to_regex(call, 1, &t2, &o2, RE_FLAGS);
	if (tr.re != NULL && tr.skip != NULL)
		r = remove_hdrs(call, m, match_exp, &tr);
	if (o1)
		regfree(&t1);
	if (o2)
		regfree(&t2);
	return r;
}

/* is_present_hf(name), is_present_hf_pv(name). */
static int is_present_hf_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	hname h;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len == 0)
		return -1;
	hname_of(s, len, &h);
	for (unsigned i = 0; i < m->nhdrs; i++)
		if (hname_match(&h, &m->hdrs[i]))
			return 1;
	return -1;
}

/* is_present_hf_re(re), is_present_hf_re_pv(re). */
static int is_present_hf_re_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	regex_t tmp, *re;
	int own, r = -1;

	if (m == NULL || (re = to_regex(call, 0, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	for (unsigned i = 0; i < m->nhdrs && r < 0; i++)
		if (hname_re(re, &m->hdrs[i]))
			r = 1;
	if (own)
		regfree(re);
	return r;
}

/* search_hf(hf, re, flags): the regex in the body of a header named hf;
 * flags "f" first header only, "l" last one, else any. */
static int search_hf_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char b1[VM_INT_DEC_MAX], b3[VM_INT_DEC_MAX];
	const char *s, *fl;
	size_t len, fll;
	regex_t tmp, *re;
	const rt_hdr *last = NULL;
	hname h;
	int own, r = -1;

	if (m == NULL || (re = to_regex(call, 1, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	mod_core_arg_str(call, 0, b1, &s, &len);
	mod_core_arg_str(call, 2, b3, &fl, &fll);
	hname_of(s, len, &h);
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_hdr *hd = &m->hdrs[i];
		if (!hname_match(&h, hd))
			continue;
		if (fll && fl[0] == 'l') {
			last = hd;
			continue;
		}
		if (re_exec(re, hd->body.s, hd->body.len, 0, NULL, 0) == 0) {
			r = 1;
			break;
		}
		if (fll && fl[0] == 'f')
			break;
	}
	if (last && re_exec(re, last->body.s, last->body.len, 0, NULL, 0) == 0)
		r = 1;
	if (own)
		regfree(re);
	return r;
}

/* append_to_reply(txt): a header for the next local reply. */
static int append_to_reply_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	if (rt_msg_reply_lump(m, s, len) < 0) {
		vm_error(call->ctx, "append_to_reply(): unable to add lump");
		return -1;
	}
	return 1;
}

/* A "Date: ..." line (RFC 822 time, GMT) with CRLF into out (64 bytes).
 * Its length, or 0. */
static size_t date_line(char *out)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (gmtime_r(&now, &tm) == NULL)
		return 0;
	n = strftime(out, 62, "Date: %a, %d %b %Y %H:%M:%S GMT", &tm);
	if (n == 0)
		return 0;
	out[n++] = '\r';
	out[n++] = '\n';
	return n;
}

/* append_time(): a Date header for the next local reply. */
static int append_time_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char d[64];
	size_t n;

	if (m == NULL || (n = date_line(d)) == 0)
		return -1;
	return rt_msg_reply_lump(m, d, n) < 0 ? -1 : 1;
}

/* append_time_to_request(): a Date header after the first header. */
static int append_time_request_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char d[64];
	size_t n;

	if (m == NULL || m->nhdrs == 0 || (n = date_line(d)) == 0)
		return -1;
	return lump(call, m, (size_t)(m->hdrs[0].raw.s + m->hdrs[0].raw.len - m->buf),
			0, d, n) < 0 ? -1 : 1;
}

/* ------------------------------------------------------------------------
 * Body
 * ------------------------------------------------------------------------ */

/* The Content-Length value, or -1 when there is no such header (or it is
 * not a number). */
static long content_length(rt_msg *m)
{
	rt_hdr *h = rt_msg_hdr_type(m, RT_HDR_CLEN, 0);
	long v = 0;

	if (h == NULL || h->body.len == 0)
		return -1;
	for (size_t i = 0; i < h->body.len; i++) {
		if (h->body.s[i] < '0' || h->body.s[i] > '9')
			return -1;
		v = v * 10 + (h->body.s[i] - '0');
		if (v > 1000000)
			return -1;
	}
	return v;
}

/* The "type/subtype" of a Content-Type value (parameters and blanks
 * cut). */
static rt_view mime_of(const char *s, size_t len)
{
	size_t i = 0, e;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	e = i;
	while (e < len && s[e] != ';' && s[e] != ' ' && s[e] != '\t' && s[e] != ',')
		e++;
	return (rt_view){ s + i, e - i };
}

/* has_body(): 1 when Content-Length is above 0. has_body(mime): and the
 * Content-Type is mime (no Content-Type counts as application/sdp). */
static int has_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	rt_view want, have;
	rt_hdr *ct;

	if (m == NULL || content_length(m) <= 0)
		return -1;
	if (call->nargs == 0)
		return 1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len == 0)
		return 1;
	want = mime_of(s, len);
	ct = rt_msg_hdr_type(m, RT_HDR_CTYPE, 0);
	have = ct ? mime_of(ct->body.s, ct->body.len) :
		(rt_view){ "application/sdp", 15 };
	return (want.len == have.len && strncasecmp(want.s, have.s, want.len) == 0) ?
		1 : -1;
}

/* set_body(body, ctype): the body replaced (a Content-Length header added
 * when there is none; the existing one is the builder's to correct), the
 * Content-Type replaced unless it is the same. */
static int set_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], *h;
	const char *nb, *nc;
	size_t nbl, ncl, end;
	rt_hdr *ct;
	rt_view body;
	long clen;
	int n;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, b1, &nb, &nbl);
	mod_core_arg_str(call, 1, b2, &nc, &ncl);
	if (nbl == 0) {
		vm_error(call->ctx, "set_body(): invalid body parameter");
		return -1;
	}
	if (ncl == 0) {
		vm_error(call->ctx, "set_body(): invalid content-type parameter");
		return -1;
	}
	body = msg_body(m);
	end = msg_hdrs_end(m);
	clen = content_length(m);
	if (clen > 0 && body.len > 0 && lump(call, m, (size_t)(body.s - m->buf),
			(size_t)clen <= body.len ? (size_t)clen : body.len, NULL, 0) < 0)
		return -1;
	h = malloc(ncl + 64);
	if (h == NULL)
		return -1;
	if (rt_msg_hdr_type(m, RT_HDR_CLEN, 0) == NULL) {
		n = snprintf(h, 64, "Content-Length: %zu\r\n", nbl);
		if (lump(call, m, end, 0, h, (size_t)n) < 0)
			goto fail;
	}
	ct = rt_msg_hdr_type(m, RT_HDR_CTYPE, 0);
	if (ct == NULL || ct->body.len != ncl || strncmp(ct->body.s, nc, ncl) != 0) {
		if (ct != NULL && lump(call, m, (size_t)(ct->raw.s - m->buf),
				ct->raw.len, NULL, 0) < 0)
			goto fail;
		memcpy(h, "Content-Type: ", 14);
		memcpy(h + 14, nc, ncl);
		memcpy(h + 14 + ncl, "\r\n", 2);
		if (lump(call, m, end, 0, h, ncl + 16) < 0)
			goto fail;
	}
	free(h);
	return lump(call, m, (size_t)(body.s - m->buf), 0, nb, nbl) < 0 ? -1 : 1;
fail:
	free(h);
	return -1;
}

/* set_reply_body(body, ctype): Content-Type as a reply header, the body
 * kept for the next local reply (mod_core_state). */
static int set_reply_body_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	mod_core_state *st = mod_core_state_of(call->ctx);
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], *h, *nbody;
	const char *nb, *nc;
	size_t nbl, ncl;
	int r;

	if (m == NULL || st == NULL)
		return -1;
	mod_core_arg_str(call, 0, b1, &nb, &nbl);
	mod_core_arg_str(call, 1, b2, &nc, &ncl);
	if (nbl == 0 || ncl == 0) {
		vm_error(call->ctx, "set_reply_body(): invalid %s parameter",
				nbl == 0 ? "body" : "content-type");
		return -1;
	}
	h = malloc(ncl + 16);
	nbody = malloc(nbl);
	if (h == NULL || nbody == NULL) {
		free(h);
		free(nbody);
		return -1;
	}
	memcpy(h, "Content-Type: ", 14);
	memcpy(h + 14, nc, ncl);
	memcpy(h + 14 + ncl, "\r\n", 2);
	r = rt_msg_reply_lump(m, h, ncl + 16);
	free(h);
	if (r < 0) {
		free(nbody);
		return -1;
	}
	memcpy(nbody, nb, nbl);
	free(st->rpl_body);
	st->rpl_body = nbody;
	st->rpl_body_len = nbl;
	return 1;
}

/* ------------------------------------------------------------------------
 * Methods, privacy
 * ------------------------------------------------------------------------ */

/* is_method("INVITE"), is_method("INVITE|BYE"): the request's method (a
 * reply's CSeq method). Names are case-insensitive; in a list every name
 * must be a known method; a single unknown name is compared as text. */
static int is_method_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s, *p, *e;
	size_t len;
	uint32_t want = 0, have;
	rt_view name;
	int list;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len == 0)
		return -1;
	list = memchr(s, '|', len) != NULL || memchr(s, ',', len) != NULL;
	for (p = s; p < s + len; p = e + 1) {
		uint32_t id;
		for (e = p; e < s + len && *e != '|' && *e != ','; e++)
			;
		id = method_id(p, (size_t)(e - p));
		if (id == RT_M_OTHER && list) {
			vm_error(call->ctx, "is_method(): unknown method in list [%.*s]",
					(int)len, s);
			return -1;
		}
		want |= id;
	}
	if (m->is_request) {
		name = m->method;
		have = m->method_id;
	} else {
		const rt_cseq *cs = rt_msg_cseq(m);
		if (cs == NULL) {
			vm_error(call->ctx, "is_method(): cannot parse cseq header");
			return -1;
		}
		name = cs->method;
		have = method_id(cs->method.s, cs->method.len);
	}
	if (want != RT_M_OTHER)
		return (have & want) ? 1 : -1;
	return (have == RT_M_OTHER && name.len == len &&
			strncasecmp(name.s, s, len) == 0) ? 1 : -1;
}

/* is_privacy(value): the Privacy header holds that value (header,
 * session, user, none, critical, id, history). */
static int is_privacy_f(vm_call *call)
{
	static const char *const known[] = {
		"header", "session", "user", "none", "critical", "id", "history"
	};
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len, k;
	int ok = 0;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strlen(known[k]) == len && strncasecmp(known[k], s, len) == 0)
			ok = 1;
	if (!ok) {
		vm_error(call->ctx, "is_privacy(): invalid privacy value");
		return -1;
	}
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		const char *p = h->body.s, *e = p + h->body.len;
		if (h->type != RT_HDR_PRIVACY)
			continue;
		while (p < e) {
			const char *q = p, *a, *b;
			while (q < e && *q != ';')
				q++;
			a = p;
			b = q;
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			if ((size_t)(b - a) == len && strncasecmp(a, s, len) == 0)
				return 1;
			p = q + 1;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------------
 * String helpers
 * ------------------------------------------------------------------------ */

/* Kamailio's cmp_str / cmpi_str: <0, 0, >0 on the common part, then the
 * shorter first. */
static int cmp_views(const char *a, size_t al, const char *b, size_t bl, int icase)
{
	size_t n = al < bl ? al : bl;
	int r = icase ? strncasecmp(a, b, n) : memcmp(a, b, n);
	if (r == 0 && al != bl)
		r = al < bl ? -1 : 1;
	return r;
}

/* The result codes of cmp_str and friends: equal 1, greater -1, less -2. */
static int cmp_ret(int r)
{
	return r == 0 ? 1 : (r > 0 ? -1 : -2);
}

static int cmp_args(vm_call *call, int icase)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *a, *b;
	size_t al, bl;

	mod_core_arg_str(call, 0, b1, &a, &al);
	mod_core_arg_str(call, 1, b2, &b, &bl);
	return cmp_ret(cmp_views(a, al, b, bl, icase));
}

static int cmp_str_f(vm_call *call) { return cmp_args(call, 0); }
static int cmp_istr_f(vm_call *call) { return cmp_args(call, 1); }

/* starts_with(s, prefix), ends_with(s, suffix): 1; -1 when s is shorter
 * or greater there, -2 when less. */
static int affix(vm_call *call, int end)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *a, *b;
	size_t al, bl;

	mod_core_arg_str(call, 0, b1, &a, &al);
	mod_core_arg_str(call, 1, b2, &b, &bl);
	if (al < bl)
		return -1;
	return cmp_ret(memcmp(end ? a + al - bl : a, b, bl));
}

static int starts_with_f(vm_call *call) { return affix(call, 0); }
static int ends_with_f(vm_call *call) { return affix(call, 1); }

/* str_find(s, sub), str_ifind: the position of sub in s plus 1, or -1. */
static int find_args(vm_call *call, int icase)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *a, *b;
	size_t al, bl;

	mod_core_arg_str(call, 0, b1, &a, &al);
	mod_core_arg_str(call, 1, b2, &b, &bl);
	if (bl == 0 || bl > al)
		return -1;
	for (size_t i = 0; i + bl <= al; i++)
		if ((icase ? strncasecmp(a + i, b, bl) : memcmp(a + i, b, bl)) == 0)
			return (int)(i + 1 > INT32_MAX ? INT32_MAX : i + 1);
	return -1;
}

static int str_find_f(vm_call *call) { return find_args(call, 0); }
static int str_ifind_f(vm_call *call) { return find_args(call, 1); }

/* search_str(s, re): 1 when the regex matches the string. */
static int search_str_f(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	regex_t tmp, *re;
	int own, r;

	if ((re = to_regex(call, 1, &tmp, &own, RE_FLAGS)) == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	r = re_exec(re, s, len, 0, NULL, 0) == 0 ? 1 : -1;
	if (own)
		regfree(re);
	return r;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* in_list(subject, list, sep): subject is one of the sep-separated items
 * (blanks around items ignored). in_list_prefix: one item is a prefix of
 * subject. An empty subject is an error. */
static int list_args(vm_call *call, int prefix)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], b3[VM_INT_DEC_MAX];
	const char *sub, *list, *sep, *p, *end;
	size_t sl, ll, sepl;

	mod_core_arg_str(call, 0, b1, &sub, &sl);
	mod_core_arg_str(call, 1, b2, &list, &ll);
	mod_core_arg_str(call, 2, b3, &sep, &sepl);
	if (sl == 0) {
		vm_error(call->ctx, "%s(): subject cannot be empty string", call->fn->name);
		return -1;
	}
	if (ll == 0 || sepl != 1)
		return -1;
	end = list + ll;
	for (p = list; p < end;) {
		const char *q = memchr(p, sep[0], (size_t)(end - p)), *a = p, *b;
		b = q ? q : end;
		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		if (prefix) {
			if (b > a && (size_t)(b - a) <= sl && memcmp(sub, a, (size_t)(b - a)) == 0)
				return 1;
		} else if ((size_t)(b - a) == sl && memcmp(sub, a, sl) == 0) {
			return 1;
		}
		if (q == NULL)
			break;
		p = q + 1;
	}
	return -1;
}

static int in_list_f(vm_call *call) { return list_args(call, 0); }
static int in_list_prefix_f(vm_call *call) { return list_args(call, 1); }

/* ------------------------------------------------------------------------
 * The `re` transformation class: {re.subst,/re/repl/flags}
 * ------------------------------------------------------------------------ */

/* A parsed {re.subst,...}: the expression compiled once, or a PV whose
 * value is compiled at each use ({re.subst,$var(e)}). */
typedef struct {
	subst_expr *se;
	vm_pvspec *pv;
	const vm_loaded *lp;
} re_tr;

static void re_tr_free(void *p)
{
	re_tr *t = p;
	if (t == NULL)
		return;
	subst_free(t->se);
	vm_pvspec_free(t->pv);
	free(t);
}

/* text is "re.subst,<expression>" ("subst" in any case). */
static int re_tr_parse(const vm_loaded *lp, const char *text, size_t len,
		void **out, const char **err)
{
	static char msg[256];
	re_tr *t;
	const char *p = text, *end = text + len;

	*out = NULL;
	if (len < 9 || strncmp(p, "re.", 3) != 0 || strncasecmp(p + 3, "subst", 5) != 0) {
		*err = "unknown transformation of class re";
		return -1;
	}
	p += 8;
	if (p >= end || *p != ',' || p + 1 >= end) {
		*err = "re.subst needs a substitution expression";
		return -1;
	}
	p++;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		*err = "out of memory";
		return -1;
	}
	t->lp = lp;
	if (*p == '$') {
		if (vm_pv_parse(lp, p, (size_t)(end - p), &t->pv, msg, sizeof(msg)) < 0) {
			*err = "invalid pseudo-variable in re.subst";
			free(t);
			return -1;
		}
	} else if ((t->se = subst_compile(lp, p, (size_t)(end - p), msg, sizeof(msg))) == NULL) {
		*err = msg;
		free(t);
		return -1;
	}
	*out = t;
	return 0;
}

/* The value (a string, or an int's text) with the substitution applied;
 * unchanged when nothing matches; -1 (null) for null, an empty string or a
 * failing substitution. */
static int re_tr_apply(vm_ctx *c, void *tr, const vm_value *in, vm_value *out)
{
	re_tr *t = tr;
	subst_expr *se = t->se;
	char nb[VM_INT_DEC_MAX], *res, *copy;
	const char *s;
	size_t len, rl;
	int r;

	if (in->kind == VM_NULL)
		goto fail;
	vm_str_view(in, nb, &s, &len);
	if (len == 0)
		goto fail;
	if (se == NULL) {
		vm_value v;
		char msg[256];
		const char *es;
		size_t el;
		if (vm_pv_get(c, t->pv, &v) < 0 || v.kind != VM_STR || v.len == 0) {
			vm_log(c, VM_L_ERR, "re.subst: can't evaluate regexp");
			goto fail;
		}
		vm_str_view(&v, nb, &es, &el);
		if ((se = subst_compile(t->lp, es, el, msg, sizeof(msg))) == NULL) {
			vm_log(c, VM_L_ERR, "re.subst: can't compile regexp: %s", msg);
			goto fail;
		}
	}
	r = subst_string(c, se, s, len, &res, &rl);
	if (se != t->se)
		subst_free(se);
	if (r < 0)
		goto fail;
	if (r == 0) {
		/* no match: the value as it is (an int's text kept in the arena) */
		copy = vm_arena_alloc(&c->arena, len + 1);
		if (copy == NULL)
			goto fail;
		memcpy(copy, s, len);
		copy[len] = '\0';
		*out = vm_str(copy, len);
		return 0;
	}
	*out = vm_str(res, rl);
	return 0;
fail:
	*out = vm_null();
	return -1;
}

static const vm_tr_class mod_textops_trclasses[] = {
	{ "re", re_tr_parse, re_tr_apply, re_tr_free },
	{ NULL, NULL, NULL, NULL }
};

static const vm_fn_export mod_textops_fns[] = {
	/* name                     n  routes                                         kinds    fixup  impl */
	{ "search",                 1, MOD_ANY,                                       "r",     NULL,  search_f },
	{ "search_body",            1, MOD_ANY,                                       "r",     NULL,  search_body_f },
	{ "search_hf",              3, MOD_ANY,                                       "srS",   NULL,  search_hf_f },
	{ "search_append",          2, MOD_ANY,                                       "rS",    NULL,  search_append_f },
	{ "search_append_body",     2, MOD_ANY,                                       "rS",    NULL,  search_append_body_f },
	{ "replace",                2, MOD_ANY,                                       "rS",    NULL,  replace_f },
	{ "replace_str",            3, MOD_ANY,                                       "sss",   NULL,  NULL },
	{ "replace_body",           2, MOD_ANY,                                       "rS",    NULL,  replace_body_f },
	{ "replace_body_str",       3, MOD_ANY,                                       "sss",   NULL,  NULL },
	{ "replace_hdrs",           2, MOD_ANY,                                       "rS",    NULL,  NULL },
	{ "replace_hdrs_str",       3, MOD_ANY,                                       "sss",   NULL,  NULL },
	{ "replace_all",            2, MOD_ANY,                                       "rS",    NULL,  replace_all_f },
	{ "replace_body_all",       2, MOD_ANY,                                       "rS",    NULL,  replace_body_all_f },
	{ "replace_body_atonce",    2, MOD_ANY,                                       "rS",    NULL,  replace_body_atonce_f },
	{ "append_to_reply",        1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",     NULL,  append_to_reply_f },
	{ "append_hf",              1, MOD_ANY,                                       "s",     NULL,  append_hf_f },
	{ "append_hf",              2, MOD_ANY,                                       "sS",    NULL,  append_hf_f },
	{ "insert_hf",              1, MOD_ANY,                                       "s",     NULL,  insert_hf_f },
	{ "insert_hf",              2, MOD_ANY,                                       "sS",    NULL,  insert_hf_f },
	{ "append_urihf",           2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "SS",    NULL,  append_urihf_f },
	{ "remove_hf",              1, MOD_ANY,                                       "S",     NULL,  remove_hf_f },
	{ "remove_hf_idx",          2, MOD_ANY,                                       "si",    NULL,  NULL },
	{ "remove_hf_re",           1, MOD_ANY,                                       "r",     NULL,  remove_hf_re_f },
	{ "remove_hf_exp",          2, MOD_ANY,                                       "rr",    NULL,  remove_hf_exp_f },
	{ "is_present_hf",          1, MOD_ANY,                                       "S",     NULL,  is_present_hf_f },
	{ "is_present_hf_re",       1, MOD_ANY,                                       "r",     NULL,  is_present_hf_re_f },
	{ "remove_hf_pv",           1, MOD_ANY,                                       "s",     NULL,  remove_hf_f },
	{ "remove_hf_re_pv",        1, MOD_ANY,                                       "s",     NULL,  remove_hf_re_f },
	{ "remove_hf_exp_pv",       2, MOD_ANY,                                       "ss",    NULL,  remove_hf_exp_f },
	{ "remove_hf_match",        3, MOD_ANY,                                       "sss",   NULL,  NULL },
	{ "is_present_hf_pv",       1, MOD_ANY,                                       "s",     NULL,  is_present_hf_f },
	{ "is_present_hf_re_pv",    1, MOD_ANY,                                       "s",     NULL,  is_present_hf_re_f },
	{ "subst",                  1, MOD_ANY,                                       "S",     NULL,  subst_f },
	{ "subst_uri",              1, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "S",     NULL,  subst_uri_f },
	{ "subst_user",             1, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "S",     NULL,  subst_user_f },
	{ "subst_body",             1, MOD_ANY,                                       "S",     NULL,  subst_body_f },
	{ "subst_hf",               3, MOD_ANY,                                       "sSS",   NULL,  NULL },
	{ "filter_body",            1, MOD_ANY,                                       "S",     NULL,  NULL },
	{ "append_time",            0, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "",      NULL,  append_time_f },
	{ "set_body",               2, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "ss",    NULL,  set_body_f },
	{ "set_reply_body",         2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",    NULL,  set_reply_body_f },
	{ "is_method",              1, MOD_ANY,                                       "S",     NULL,  is_method_f },
	{ "has_body",               0, MOD_ANY,                                       "",      NULL,  has_body_f },
	{ "has_body",               1, MOD_ANY,                                       "S",     NULL,  has_body_f },
	{ "is_privacy",             1, MOD_ANY,                                       "S",     NULL,  is_privacy_f },
	{ "in_list",                3, MOD_ANY,                                       "ssS",   NULL,  in_list_f },
	{ "in_list_prefix",         3, MOD_ANY,                                       "ssS",   NULL,  in_list_prefix_f },
	{ "cmp_str",                2, MOD_ANY,                                       "ss",    NULL,  cmp_str_f },
	{ "cmp_istr",               2, MOD_ANY,                                       "ss",    NULL,  cmp_istr_f },
	{ "search_str",             2, MOD_ANY,                                       "ss",    NULL,  search_str_f },
	{ "starts_with",            2, MOD_ANY,                                       "ss",    NULL,  starts_with_f },
	{ "ends_with",              2, MOD_ANY,                                       "ss",    NULL,  ends_with_f },
	{ "str_find",               2, MOD_ANY,                                       "ss",    NULL,  str_find_f },
	{ "str_ifind",              2, MOD_ANY,                                       "ss",    NULL,  str_ifind_f },
	{ "is_audio_on_hold",       0, MOD_ANY,                                       "",      NULL,  NULL },
	{ "append_time_to_request", 0, MOD_ANY,                                       "",      NULL,  append_time_request_f },
	{ "set_body_multipart",     0, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "",      NULL,  NULL },
	{ "set_body_multipart",     1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",     NULL,  NULL },
	{ "set_body_multipart",     2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",    NULL,  NULL },
	{ "set_body_multipart",     3, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "sss",   NULL,  NULL },
	{ "append_body_part",       2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",    NULL,  NULL },
	{ "append_body_part",       3, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "sss",   NULL,  NULL },
	{ "append_body_part_hex",   2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",    NULL,  NULL },
	{ "append_body_part_hex",   3, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "sss",   NULL,  NULL },
	{ "remove_body_part",       1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",     NULL,  NULL },
	{ "get_body_part_raw",      2, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "sp",    NULL,  NULL },
	{ "get_body_part",          2, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "sp",    NULL,  NULL },
	{ "regex_substring",        5, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "ssiip", NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_textops_trs[] = {
	{ "re", "subst" },
	{ NULL, NULL }
};

const vm_module mod_textops = {
	.name      = "textops",
	.fns       = mod_textops_fns,
	.params    = mod_no_params,
	.pvs       = mod_no_pvs,
	.trs       = mod_textops_trs,
	.events    = mod_no_events,
	.trclasses = mod_textops_trclasses,
	.ctx_init  = textops_ctx_init,
	.ctx_free  = textops_ctx_free,
};
