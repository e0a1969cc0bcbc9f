/*
 * mod_siputils.c — siputils: URI and number checks, URI parameters,
 * OPTIONS replies.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../runtime/rt.h"
#include "mod.h"

/* A string parameter of the module, or dflt (read when needed: they are
 * few and options_reply() is rare). */
static void param_str(vm_ctx *c, const char *name, const char *dflt,
		const char **s, size_t *len)
{
	const vm_const *k = c->lp ? vm_loaded_setting(c->lp, "siputils", name, 0) : NULL;
	if (k && k->kind == VM_STR) {
		*s = k->s;
		*len = k->len;
	} else {
		*s = dflt;
		*len = strlen(dflt);
	}
}

/* options_reply(): answer an OPTIONS sent to the server itself (an R-URI
 * without user) with 200 OK and the Accept, Accept-Encoding,
 * Accept-Language and Supported headers of the parameters. 1 replied, -1
 * not an OPTIONS, a user in the R-URI, or the reply failed. */
static int options_reply_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	const rt_uri *u;
	const char *v[4];
	size_t vl[4], n;
	char *h;
	int r;

	if (m == NULL)
		return -1;
	if (m->method_id != RT_M_OPTIONS) {
		vm_error(call->ctx, "options_reply(): called for non-OPTIONS request");
		return -1;
	}
	u = rt_msg_ruri(m);
	if (u == NULL) {
		vm_error(call->ctx, "options_reply(): error while parsing the R-URI");
		return -1;
	}
	if (u->user.s != NULL && u->user.len != 0) {
		vm_error(call->ctx, "options_reply(): ruri contains username");
		return -1;
	}
	param_str(call->ctx, "options_accept", "*/*", &v[0], &vl[0]);
	param_str(call->ctx, "options_accept_encoding", "", &v[1], &vl[1]);
	param_str(call->ctx, "options_accept_language", "en", &v[2], &vl[2]);
	param_str(call->ctx, "options_support", "", &v[3], &vl[3]);
	h = malloc(vl[0] + vl[1] + vl[2] + vl[3] + 80);
	if (h == NULL)
		return -1;
	n = 0;
	static const char *const names[4] = {
		"Accept: ", "Accept-Encoding: ", "Accept-Language: ", "Supported: "
	};
	for (int i = 0; i < 4; i++) {
		size_t nl = strlen(names[i]);
		memcpy(h + n, names[i], nl);
		n += nl;
		memcpy(h + n, v[i], vl[i]);
		n += vl[i];
		h[n++] = '\r';
		h[n++] = '\n';
	}
	r = rt_msg_reply_lump(m, h, n);
	free(h);
	if (r < 0)
		return mod_sl_reply(call->ctx, 500, "Server internal error", 21) > 0 ? 1 : -1;
	return mod_sl_reply(call->ctx, 200, "OK", 2) > 0 ? 1 : -1;
}

/* is_user(name): the user name of the credentials (Authorization, else
 * Proxy-Authorization) is name. Kamailio takes the credentials the auth
 * module accepted; sipvm reads the first such header, whether or not
 * www_authorize() checked it. 1 or -1. */
static int is_user_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *want;
	size_t wl;
	rt_hdr *h;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &want, &wl);
	h = rt_msg_hdr_type(m, RT_HDR_AUTHZ, 0);
	if (h == NULL)
		h = rt_msg_hdr_type(m, RT_HDR_PROXYAUTHZ, 0);
	if (h == NULL) {
		vm_error(call->ctx, "is_user(): no authorized credentials found "
				"(error in scripts)");
		return -1;
	}
	/* username="..." among the digest parameters */
	for (size_t i = 0; i + 9 <= h->body.len; i++) {
		const char *p = h->body.s + i, *e = h->body.s + h->body.len, *q, *v;
		if (strncasecmp(p, "username", 8) != 0 ||
				(i > 0 && p[-1] != ' ' && p[-1] != ',' && p[-1] != '\t'))
			continue;
		q = p + 8;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q >= e || *q != '=')
			continue;
		q++;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && *q == '"') {
			v = ++q;
			while (q < e && *q != '"')
				q++;
		} else {
			v = q;
			while (q < e && *q != ',' && *q != ' ' && *q != '\t')
				q++;
		}
		if (q == v)
			return -1;
		return ((size_t)(q - v) == wl && memcmp(v, want, wl) == 0) ? 1 : -1;
	}
	return -1;
}

/* has_totag(): the To header has a (non-empty) tag. */
static int has_totag_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	const rt_nameaddr *to;

	if (m == NULL)
		return -1;
	to = rt_msg_to(m);
	if (to == NULL) {
		vm_error(call->ctx, "has_totag(): no To");
		return -1;
	}
	return (to->tag.s != NULL && to->tag.len > 0) ? 1 : -1;
}

/* A URI as Kamailio's parse_uri() sees it: with phone2tel (the core
 * parameter, 1 by default) a sip:/sips: URI with user=phone is a tel: URI
 * whose "params" are the user part's parameters ("sip:+1;npdi@h;user=phone"
 * has user "+1" and params "npdi"); otherwise the params are the URI's. */
typedef struct {
	rt_uri u;
	int type;                /* RT_URI_*, after phone2tel */
	rt_view user, params;
} kam_uri;

static int phone2tel(vm_ctx *c)
{
	const vm_const *k = c->lp ? vm_loaded_setting(c->lp, "", "phone2tel", 0) : NULL;
	return !(k && k->kind == VM_INT && k->i == 0);
}

/* Fill k from the parsed u (copied). */
static void kam_uri_of(vm_ctx *c, const rt_uri *u, kam_uri *k)
{
	k->u = *u;
	k->type = u->type;
	k->user = u->user;
	k->params = u->params;
	if ((u->type == RT_URI_SIP || u->type == RT_URI_SIPS) && phone2tel(c) &&
			u->uparam.s && u->uparam.len == 5 && memcmp(u->uparam.s, "phone", 5) == 0) {
		const char *semi = u->user.s ? memchr(u->user.s, ';', u->user.len) : NULL;
		k->type = u->type == RT_URI_SIP ? RT_URI_TEL : RT_URI_TELS;
		if (semi) {
			k->params.s = semi + 1;
			k->params.len = (size_t)(u->user.s + u->user.len - semi - 1);
			k->user.len = (size_t)(semi - u->user.s);
		} else {
			k->params.s = NULL;
			k->params.len = 0;
		}
	}
}

/* The next "name[=value]" of a ';' list at *p (blanks around names and
 * values cut, as parse_params does). 1, or 0 at the end. */
static int param_next(const char **p, const char *end, rt_view *name, rt_view *val)
{
	const char *s = *p, *e, *eq;

	while (s < end && (*s == ';' || *s == ' ' || *s == '\t'))
		s++;
	if (s >= end)
		return 0;
	e = s;
	while (e < end && *e != ';')
		e++;
	*p = e;
	eq = memchr(s, '=', (size_t)(e - s));
	name->s = s;
	name->len = (size_t)((eq ? eq : e) - s);
	while (name->len && (name->s[name->len - 1] == ' ' || name->s[name->len - 1] == '\t'))
		name->len--;
	if (eq) {
		val->s = eq + 1;
		val->len = (size_t)(e - eq - 1);
		while (val->len && (*val->s == ' ' || *val->s == '\t')) {
			val->s++;
			val->len--;
		}
		while (val->len && (val->s[val->len - 1] == ' ' || val->s[val->len - 1] == '\t'))
			val->len--;
	} else {
		val->s = NULL;
		val->len = 0;
	}
	return 1;
}

/* The R-URI parameter named by argument 0 (case-sensitive, as Kamailio
 * compares it) among the R-URI's params as Kamailio sees them: 1 found
 * (its value in *val, s NULL when it has none), 0 not found, -1 when the
 * R-URI does not parse. */
static int ruri_param(vm_call *call, rt_msg *m, rt_view *val)
{
	char buf[VM_INT_DEC_MAX];
	const char *name, *p, *end;
	size_t nl;
	const rt_uri *u = rt_msg_ruri(m);
	kam_uri k;
	rt_view pn;

	if (u == NULL) {
		vm_error(call->ctx, "%s(): ruri parsing failed", call->fn->name);
		return -1;
	}
	kam_uri_of(call->ctx, u, &k);
	mod_core_arg_str(call, 0, buf, &name, &nl);
	if (k.params.s == NULL)
		return 0;
	p = k.params.s;
	end = k.params.s + k.params.len;
	while (param_next(&p, end, &pn, val))
		if (pn.len == nl && memcmp(pn.s, name, nl) == 0)
			return 1;
	return 0;
}

/* uri_param(name): the R-URI has ;name without a value. uri_param(name,
 * value): with that value. */
static int uri_param_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	rt_view pv;

	if (m == NULL || ruri_param(call, m, &pv) != 1)
		return -1;
	if (call->nargs > 1) {
		char buf[VM_INT_DEC_MAX];
		const char *v;
		size_t vl;
		mod_core_arg_str(call, 1, buf, &v, &vl);
		return (vl == pv.len && (vl == 0 || memcmp(pv.s, v, vl) == 0)) ? 1 : -1;
	}
	return pv.len == 0 ? 1 : -1;
}

/* uri_param_any(name): the parameter is there, with or without value. */
static int uri_param_any_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	rt_view pv;
	return (m != NULL && ruri_param(call, m, &pv) == 1) ? 1 : -1;
}

/* get_uri_param(name, $pv): the parameter's value into the PV. */
static int set_pv_arg(vm_call *call, unsigned i, const vm_value *v)
{
	vm_pvspec *sp = mod_core_fix(call, i), *own = NULL;
	int r;

	if (sp == NULL) {
		char buf[VM_INT_DEC_MAX], err[256];
		const char *s;
		size_t len;
		mod_core_arg_str(call, i, buf, &s, &len);
		if (vm_pv_parse(call->ctx->lp, s, len, &own, err, sizeof(err)) < 0) {
			vm_error(call->ctx, "%s(): %s", call->fn->name, err);
			return -1;
		}
		sp = own;
	}
	r = vm_pv_set(call->ctx, sp, VM_PV_ASSIGN, v);
	vm_pvspec_free(own);
	return r;
}

static int get_pv_arg(vm_call *call, unsigned i, vm_value *v)
{
	vm_pvspec *sp = mod_core_fix(call, i), *own = NULL;
	int r;

	if (sp == NULL) {
		char buf[VM_INT_DEC_MAX], err[256];
		const char *s;
		size_t len;
		mod_core_arg_str(call, i, buf, &s, &len);
		if (vm_pv_parse(call->ctx->lp, s, len, &own, err, sizeof(err)) < 0) {
			vm_error(call->ctx, "%s(): %s", call->fn->name, err);
			return -1;
		}
		sp = own;
	}
	r = vm_pv_get(call->ctx, sp, v);
	vm_pvspec_free(own);
	return r;
}

static int get_uri_param_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	rt_view pv;
	vm_value v;

	if (m == NULL || ruri_param(call, m, &pv) != 1)
		return -1;
	v = vm_str(pv.s ? pv.s : "", pv.len);
	set_pv_arg(call, 1, &v);
	return 1;
}

/* add_uri_param("n=v"): ;n=v appended to the R-URI's parameters. 1, or
 * -1 (bad R-URI, longer than 1024 bytes). An empty argument: 1. */
static int add_uri_param_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	char buf[VM_INT_DEC_MAX], *nu;
	const char *p;
	size_t pl, n;
	const rt_uri *u;
	rt_view cur;
	int r;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &p, &pl);
	if (pl == 0)
		return 1;
	u = rt_msg_ruri(m);
	if (u == NULL) {
		vm_error(call->ctx, "add_uri_param(): ruri parsing failed");
		return -1;
	}
	cur = rt_msg_ruri_text(m);
	if (cur.len + pl + 1 > 1024) {
		vm_error(call->ctx, "add_uri_param(): new ruri too long");
		return -1;
	}
	nu = malloc(cur.len + pl + 2);
	if (nu == NULL)
		return -1;
	if (u->headers.s == NULL) {
		memcpy(nu, cur.s, cur.len);
		nu[cur.len] = ';';
		memcpy(nu + cur.len + 1, p, pl);
		n = cur.len + 1 + pl;
	} else {
		/* before the headers */
		size_t hoff = (size_t)(u->headers.s - cur.s) - 1;
		memcpy(nu, cur.s, hoff);
		nu[hoff] = ';';
		memcpy(nu + hoff + 1, p, pl);
		memcpy(nu + hoff + 1 + pl, cur.s + hoff, cur.len - hoff);
		n = cur.len + 1 + pl;
	}
	r = rt_msg_set_ruri(m, nu, n) < 0 ? -1 : 1;
	free(nu);
	return r;
}

/* tel2sip(uri, hostpart, $res): a tel: URI becomes
 * sip:NUMBER;params@hostpart;user=phone (visual separators - . ( )
 * dropped from the number, everything lower-cased) in $res: 1. 2 when the
 * URI is not a tel: URI (nothing written). */
static int tel2sip_f(vm_call *call)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], *out;
	const char *uri, *host;
	size_t ul, hl, n = 0;
	int inparams = 0, r;
	vm_value v;

	mod_core_arg_str(call, 0, b1, &uri, &ul);
	mod_core_arg_str(call, 1, b2, &host, &hl);
	if (ul < 4 || strncasecmp(uri, "tel:", 4) != 0)
		return 2;
	out = vm_arena_alloc(&call->ctx->arena, ul + hl + 16);
	if (out == NULL)
		return -1;
	memcpy(out, "sip:", 4);
	n = 4;
	for (size_t i = 4; i < ul; i++) {
		char ch = uri[i];
		if (!inparams && ch == ';')
			inparams = 1;
		if (!inparams && (ch == '-' || ch == '.' || ch == '(' || ch == ')'))
			continue;
		out[n++] = (char)tolower((unsigned char)ch);
	}
	out[n++] = '@';
	memcpy(out + n, host, hl);
	n += hl;
	memcpy(out + n, ";user=phone", 11);
	n += 11;
	v = vm_str(out, n);
	r = set_pv_arg(call, 2, &v);
	return r < 0 ? -1 : 1;
}

/* is_uri(s): s parses as a SIP/SIPS/TEL URI. */
static int is_uri_f(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	rt_uri u;

	mod_core_arg_str(call, 0, buf, &s, &len);
	return rt_uri_parse(s, len, &u) == 0 ? 1 : -1;
}

/* An E.164 number: '+' and 2 to 15 digits. */
static int e164(const char *s, size_t len)
{
	if (len < 3 || len > 16 || s[0] != '+')
		return -1;
	for (size_t i = 1; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return 1;
}

/* is_e164($pv): the PV's value (a string) is an E.164 number. */
static int is_e164_f(vm_call *call)
{
	vm_value v = vm_null();

	if (get_pv_arg(call, 0, &v) < 0 || v.kind != VM_STR) {
		if (v.kind != VM_NULL)
			vm_error(call->ctx, "is_e164(): pseudo variable value is not string");
		return -1;
	}
	if (v.len == 0)
		return -1;
	return e164(v.s, v.len);
}

/* is_uri_user_e164($pv): the user part (between ':' and '@') of the URI in
 * the PV is an E.164 number. */
static int is_uri_user_e164_f(vm_call *call)
{
	vm_value v = vm_null();
	const char *c, *at;

	if (get_pv_arg(call, 0, &v) < 0 || v.kind != VM_STR) {
		if (v.kind != VM_NULL)
			vm_error(call->ctx,
					"is_uri_user_e164(): pseudo variable value is not string");
		return -1;
	}
	if (v.len == 0)
		return -1;
	c = memchr(v.s, ':', v.len);
	if (c == NULL) {
		vm_error(call->ctx, "is_uri_user_e164(): parsing URI failed");
		return -1;
	}
	c++;
	at = memchr(c, '@', v.len - (size_t)(c - v.s));
	if (at == NULL)
		return -1;
	return e164(c, (size_t)(at - c));
}

/* set_uri_user($uri, user), set_uri_host($uri, host): the URI in the PV
 * with that part replaced, written back. 1, or -1. */
static int set_uri_part(vm_call *call, int host)
{
	vm_value uv = vm_null(), res;
	char buf[VM_INT_DEC_MAX], *out;
	const char *val, *colon, *at, *next, *end;
	size_t vl, n = 0;

	if (get_pv_arg(call, 0, &uv) < 0 || uv.kind != VM_STR || uv.len == 0) {
		vm_error(call->ctx, "%s(): missing uri value", call->fn->name);
		return -1;
	}
	mod_core_arg_str(call, 1, buf, &val, &vl);
	end = uv.s + uv.len;
	colon = memchr(uv.s, ':', uv.len);
	if (colon == NULL) {
		vm_error(call->ctx, "%s(): uri does not contain ':' character",
				call->fn->name);
		return -1;
	}
	if (uv.len + vl > 1024) {
		vm_error(call->ctx, "%s(): resulting uri would be too large",
				call->fn->name);
		return -1;
	}
	out = vm_arena_alloc(&call->ctx->arena, uv.len + vl + 2);
	if (out == NULL)
		return -1;
	at = memchr(colon + 1, '@', (size_t)(end - colon - 1));
	if (!host) {
		memcpy(out, uv.s, (size_t)(colon - uv.s) + 1);
		n = (size_t)(colon - uv.s) + 1;
		if (at == NULL) {
			if (vl == 0)
				return 1;
			memcpy(out + n, val, vl);
			n += vl;
			out[n++] = '@';
			memcpy(out + n, colon + 1, (size_t)(end - colon - 1));
			n += (size_t)(end - colon - 1);
		} else {
			if (vl > 0) {
				memcpy(out + n, val, vl);
				n += vl;
				memcpy(out + n, at, (size_t)(end - at));
				n += (size_t)(end - at);
			} else {
				memcpy(out + n, at + 1, (size_t)(end - at - 1));
				n += (size_t)(end - at - 1);
			}
		}
	} else {
		size_t hl = 0;
		if (vl == 0) {
			vm_error(call->ctx, "set_uri_host(): hostpart of uri cannot be empty");
			return -1;
		}
		next = at ? at + 1 : colon + 1;
		while (next + hl < end && next[hl] != ':' && next[hl] != ';' && next[hl] != '?')
			hl++;
		memcpy(out, uv.s, (size_t)(next - uv.s));
		n = (size_t)(next - uv.s);
		memcpy(out + n, val, vl);
		n += vl;
		memcpy(out + n, next + hl, (size_t)(end - next - hl));
		n += (size_t)(end - next - hl);
	}
	res = vm_str(out, n);
	set_pv_arg(call, 0, &res);
	return 1;
}

static int set_uri_user_f(vm_call *call) { return set_uri_part(call, 0); }
static int set_uri_host_f(vm_call *call) { return set_uri_part(call, 1); }

/* Kamailio's cmp_str_params: every parameter name present in both lists
 * has the same value (both case-insensitive). 0 same, 1 not. */
static int params_differ(rt_view a, rt_view b)
{
	const char *pa = a.s, *ea = a.s + a.len;
	rt_view na, va, nb, vb;

	if (a.s == NULL || b.s == NULL)
		return 0;
	while (param_next(&pa, ea, &na, &va)) {
		const char *pb = b.s, *eb = b.s + b.len;
		while (param_next(&pb, eb, &nb, &vb))
			if (na.len == nb.len && strncasecmp(na.s, nb.s, na.len) == 0 &&
					(va.len != vb.len || (va.len && strncasecmp(va.s, vb.s, va.len) != 0)))
				return 1;
	}
	return 0;
}

static int view_eq(rt_view a, rt_view b, int icase)
{
	size_t al = a.s ? a.len : 0, bl = b.s ? b.len : 0;
	if (al != bl)
		return 0;
	return al == 0 || (icase ? strncasecmp(a.s, b.s, al) : memcmp(a.s, b.s, al)) == 0;
}

/* RFC 3261 §19.1.4 as Kamailio's cmp_uri: same type, user, password,
 * host (any case), port as written; then the user, ttl, method and maddr
 * parameters may not be in one URI only when the other has none, and a
 * parameter in both must have the same value. 0 same, 1 not. */
static int uri_differ(const kam_uri *a, const kam_uri *b)
{
	if (a->type != b->type || !view_eq(a->user, b->user, 0) ||
			!view_eq(a->u.port, b->u.port, 0) ||
			!view_eq(a->u.passwd, b->u.passwd, 0) ||
			!view_eq(a->u.host, b->u.host, 1))
		return 1;
	if (a->params.len == 0 && b->params.len == 0)
		return 0;
	if (a->params.len == 0 && (b->u.uparam.s || b->u.ttl.s || b->u.method.s || b->u.maddr.s))
		return 1;
	if (b->params.len == 0 && (a->u.uparam.s || a->u.ttl.s || a->u.method.s || a->u.maddr.s))
		return 1;
	return params_differ(a->params, b->params);
}

/* Kamailio's cmp_aor: user, host (any case), port (absent is 5060). */
static int aor_differ(const kam_uri *a, const kam_uri *b)
{
	if (!view_eq(a->user, b->user, 0) || !view_eq(a->u.host, b->u.host, 1))
		return 1;
	if (!view_eq(a->u.port, b->u.port, 0)) {
		if (a->u.port.len == 0 && b->u.port_no != 5060)
			return 1;
		if (b->u.port.len == 0 && a->u.port_no != 5060)
			return 1;
	}
	return 0;
}

/* cmp_uri(a, b), cmp_aor(a, b): 1 equal, -1 different, -2 when one does
 * not parse. */
static int cmp_uris(vm_call *call, int aor)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *s1, *s2;
	size_t l1, l2;
	rt_uri u1, u2;
	kam_uri k1, k2;

	mod_core_arg_str(call, 0, b1, &s1, &l1);
	mod_core_arg_str(call, 1, b2, &s2, &l2);
	if (rt_uri_parse(s1, l1, &u1) < 0 || rt_uri_parse(s2, l2, &u2) < 0)
		return -2;
	kam_uri_of(call->ctx, &u1, &k1);
	kam_uri_of(call->ctx, &u2, &k2);
	return (aor ? aor_differ(&k1, &k2) : uri_differ(&k1, &k2)) ? -1 : 1;
}

static int cmp_uri_f(vm_call *call) { return cmp_uris(call, 0); }
static int cmp_aor_f(vm_call *call) { return cmp_uris(call, 1); }

static int is_request_f(vm_call *call)
{
	rt_msg *m = rt_msg_of(call->ctx);
	return (m && m->is_request) ? 1 : -1;
}

static int is_reply_f(vm_call *call)
{
	rt_msg *m = rt_msg_of(call->ctx);
	return (m && !m->is_request) ? 1 : -1;
}

/* is_first_hop(): a request with a single Via; a reply without
 * Record-Route. (A reply whose top Record-Route is this server's is not
 * recognised as first hop: -1.) */
static int is_first_hop_f(vm_call *call)
{
	rt_msg *m = rt_msg_of(call->ctx);

	if (m == NULL)
		return -1;
	if (m->is_request)
		return rt_msg_via2(m) == NULL ? 1 : -1;
	return rt_msg_hdr_type(m, RT_HDR_RR, 0) == NULL ? 1 : -1;
}

/* Character checks of siputils: 1, -2 empty or not all digits
 * (is_numeric, is_tel_number), -3 a character outside the set
 * (is_alphanum, is_alphanumex). */
static int is_numeric_f(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len == 0)
		return -2;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -2;
	return 1;
}

static int is_tel_number_f(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len, i = 0;

	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len < 1)
		return -2;
	if (s[0] == '+') {
		if (len < 2 || s[1] < '1' || s[1] > '9')
			return -2;
		i = 2;
	}
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -2;
	return 1;
}

static int alnum_check(vm_call *call, int ex)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *s, *set = "";
	size_t len, sl = 0;

	mod_core_arg_str(call, 0, b1, &s, &len);
	if (ex)
		mod_core_arg_str(call, 1, b2, &set, &sl);
	if (len == 0)
		return -2;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && (sl == 0 || !memchr(set, s[i], sl)))
			return -3;
	return 1;
}

static int is_alphanum_f(vm_call *call) { return alnum_check(call, 0); }
static int is_alphanumex_f(vm_call *call) { return alnum_check(call, 1); }

static const vm_fn_export mod_siputils_fns[] = {
	/* name                        n  routes                                         kinds  fixup  impl */
	{ "options_reply",             0, MOD_REQ,                                       "",    NULL,  options_reply_f },
	{ "is_user",                   1, MOD_REQ | MOD_LOCAL,                           "s",   NULL,  is_user_f },
	{ "has_totag",                 0, MOD_ANY,                                       "",    NULL,  has_totag_f },
	{ "uri_param",                 1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  uri_param_f },
	{ "uri_param",                 2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",  NULL,  uri_param_f },
	{ "uri_param_any",             1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  uri_param_any_f },
	{ "add_uri_param",             1, MOD_REQ,                                       "S",   NULL,  add_uri_param_f },
	{ "get_uri_param",             2, MOD_REQ | MOD_LOCAL,                           "Sp",  NULL,  get_uri_param_f },
	{ "uri_param_rm",              1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  NULL },
	{ "tel2sip",                   3, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "ssp", NULL,  tel2sip_f },
	{ "is_uri",                    1, MOD_ANY,                                       "s",   NULL,  is_uri_f },
	{ "is_e164",                   1, MOD_REQ | MOD_FAIL | MOD_LOCAL,                "p",   NULL,  is_e164_f },
	{ "is_uri_user_e164",          1, MOD_ANY,                                       "p",   NULL,  is_uri_user_e164_f },
	{ "encode_contact",            2, MOD_REQ | MOD_ONREPLY,                         "SS",  NULL,  NULL },
	{ "decode_contact",            0, MOD_REQ,                                       "",    NULL,  NULL },
	{ "decode_contact_header",     0, MOD_REQ | MOD_FAIL | MOD_ONREPLY,              "",    NULL,  NULL },
	{ "cmp_uri",                   2, MOD_ANY,                                       "ss",  NULL,  cmp_uri_f },
	{ "cmp_aor",                   2, MOD_ANY,                                       "ss",  NULL,  cmp_aor_f },
	{ "cmp_hdr_name",              2, MOD_ANY,                                       "ss",  NULL,  NULL },
	{ "is_rpid_user_e164",         0, MOD_REQ,                                       "",    NULL,  NULL },
	{ "append_rpid_hf",            0, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "",    NULL,  NULL },
	{ "append_rpid_hf",            2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "SS",  NULL,  NULL },
	{ "set_uri_user",              2, MOD_ANY,                                       "ps",  NULL,  set_uri_user_f },
	{ "set_uri_host",              2, MOD_ANY,                                       "ps",  NULL,  set_uri_host_f },
	{ "is_request",                0, MOD_ANY,                                       "",    NULL,  is_request_f },
	{ "is_reply",                  0, MOD_ANY,                                       "",    NULL,  is_reply_f },
	{ "is_gruu",                   0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "is_gruu",                   1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_supported",              1, MOD_ANY,                                       "S",   NULL,  NULL },
	{ "is_first_hop",              0, MOD_ANY,                                       "",    NULL,  is_first_hop_f },
	{ "is_first_hop",              1, MOD_ANY,                                       "i",   NULL,  NULL },
	{ "is_tel_number",             1, MOD_ANY,                                       "s",   NULL,  is_tel_number_f },
	{ "is_numeric",                1, MOD_ANY,                                       "s",   NULL,  is_numeric_f },
	{ "is_alphanum",               1, MOD_ANY,                                       "s",   NULL,  is_alphanum_f },
	{ "is_alphanumex",             2, MOD_ANY,                                       "ss",  NULL,  is_alphanumex_f },
	{ "sip_p_charging_vector",     1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "contact_param_encode",      2, MOD_REQ | MOD_ONREPLY,                         "ss",  NULL,  NULL },
	{ "contact_param_decode",      1, MOD_REQ | MOD_ONREPLY,                         "s",   NULL,  NULL },
	{ "contact_param_decode_ruri", 1, MOD_REQ,                                       "s",   NULL,  NULL },
	{ "contact_param_rm",          1, MOD_REQ | MOD_ONREPLY,                         "s",   NULL,  NULL },
	{ "hdr_date_check",            1, MOD_ANY,                                       "i",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_siputils_params[] = {
	{ "options_accept",          VM_PARAM_STR, 0 },
	{ "options_accept_encoding", VM_PARAM_STR, 0 },
	{ "options_accept_language", VM_PARAM_STR, 0 },
	{ "options_support",         VM_PARAM_STR, 0 },
	{ "contact_flds_separator",  VM_PARAM_STR, 0 },
	{ "rpid_prefix",             VM_PARAM_STR, 0 },
	{ "rpid_suffix",             VM_PARAM_STR, 0 },
	{ "rpid_avp",                VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_siputils_pvs[] = {
	{ "pcv", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_siputils = {
	.name   = "siputils",
	.fns    = mod_siputils_fns,
	.params = mod_siputils_params,
	.pvs    = mod_siputils_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
