/*
 * mod_pv.c — pv: pseudo-variables, transformations, xavp helpers.
 *
 * The export tables of the module (names, arities, flags as Kamailio
 * 5.6.3's pv), and the script functions that work on its stores:
 * pv_isset, pv_unset, is_int, typeof, not_empty, pv_evalx, the xavp
 * helpers (xavp_rm, xavp_child_*, xavp_copy, xavp_params_explode/implode,
 * xavp_slist_explode, pv_var_to_xavp, pv_xavp_to_var, the print
 * functions) and their xavi/xavu forms. The sbranch_* functions are known
 * but not implemented. The stores themselves are in mod_pv_var.c, the
 * message PVs in mod_pv_msg.c, the transformations in mod_pv_tr.c.
 *
 * Return codes are Kamailio's: 1 true, -1 false or error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_pv_int.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static void *fix_of(const vm_call *call, unsigned i)
{
	return call->fix && i < call->nargs ? call->fix[i] : NULL;
}

/* Argument i as a string view (an int's text goes into buf). */
static void arg_str(const vm_call *call, unsigned i, char buf[VM_INT_DEC_MAX],
		const char **s, size_t *len)
{
	if (i >= call->nargs) {
		*s = "";
		*len = 0;
		return;
	}
	vm_str_view(&call->args[i], buf, s, len);
	if (*s == NULL)
		*s = "";
}

/* The PV argument i names: the spec the loader prepared from a constant,
 * or one parsed now from the argument's text (*tmp, which the caller
 * frees with vm_pvspec_free). NULL after logging when it does not parse. */
static vm_pvspec *arg_pv(vm_call *call, unsigned i, vm_pvspec **tmp)
{
	vm_pvspec *sp = fix_of(call, i);
	char nb[VM_INT_DEC_MAX], err[256];
	const char *s;
	size_t len;

	*tmp = NULL;
	if (sp)
		return sp;
	arg_str(call, i, nb, &s, &len);
	if (call->ctx->lp == NULL ||
			vm_pv_parse(call->ctx->lp, s, len, tmp, err, sizeof(err)) < 0) {
		vm_error(call->ctx, "%s(): '%.*s' is not a pseudo-variable", call->fn->name,
				(int)len, s);
		return NULL;
	}
	return *tmp;
}

/* The value of the PV argument i: 0 with *out set, or -1. */
static int arg_pv_value(vm_call *call, unsigned i, vm_value *out)
{
	vm_pvspec *tmp, *sp = arg_pv(call, i, &tmp);
	int rc;

	*out = vm_null();
	if (sp == NULL)
		return -1;
	rc = vm_pv_get(call->ctx, sp, out);
	vm_pvspec_free(tmp);
	return rc;
}

static mod_pv_state *call_state(vm_call *call)
{
	mod_pv_state *st = mod_pv_state_of(call->ctx);
	if (st == NULL)
		vm_error(call->ctx, "%s(): the pv module has no state in this worker",
				call->fn->name);
	return st;
}

/* ------------------------------------------------------------------------
 * pv_isset, pv_unset, is_int, typeof, not_empty, pv_evalx
 * ------------------------------------------------------------------------ */

/* pv_isset("$pv"): 1 when the PV has a value (not null). */
static int fn_pv_isset(vm_call *call)
{
	vm_value v;
	if (arg_pv_value(call, 0, &v) < 0)
		return -1;
	return v.kind == VM_NULL ? -1 : 1;
}

/* pv_unset("$pv"): what `= $null` does, except that $shv becomes int 0
 * (5.6.3 passes no value there, and `= $null` stores ""). */
static int fn_pv_unset(vm_call *call)
{
	vm_pvspec *tmp, *sp = arg_pv(call, 0, &tmp);
	vm_value nv = vm_null();
	int rc;

	if (sp == NULL)
		return -1;
	rc = vm_pv_set(call->ctx, sp, VM_PV_ASSIGN,
			sp->cls->set == mod_pv_shv_set ? NULL : &nv);
	vm_pvspec_free(tmp);
	return rc < 0 ? -1 : 1;
}

/* is_int("$pv"): 1 when the value has an int form ($var with an int, $rp,
 * $hdrc ...; $cs is text only). */
static int fn_is_int(vm_call *call)
{
	vm_value v;
	if (arg_pv_value(call, 0, &v) < 0)
		return -1;
	return v.kind == VM_INT || (v.kind == VM_STR && (v.flags & VM_VAL_BOTH)) ? 1 : -1;
}

/* typeof("$pv", "int"|"str"|"null"): only the first letter counts. */
static int fn_typeof(vm_call *call)
{
	char nb[VM_INT_DEC_MAX];
	const char *t;
	size_t tl;
	vm_value v;

	if (arg_pv_value(call, 0, &v) < 0)
		return -1;
	arg_str(call, 1, nb, &t, &tl);
	if (tl == 0)
		return -1;
	switch (t[0]) {
	case 'i': case 'I':
		return v.kind == VM_INT ? 1 : -1;
	case 'n': case 'N':
		return v.kind == VM_NULL ? 1 : -1;
	case 's': case 'S':
		return v.kind == VM_STR ? 1 : -1;
	}
	return -1;
}

/* not_empty("$pv"): 1 for a non-empty string (an int is not one). */
static int fn_not_empty(vm_call *call)
{
	vm_value v;
	if (arg_pv_value(call, 0, &v) < 0)
		return -1;
	return v.kind == VM_STR && v.len > 0 ? 1 : -1;
}

/* pv_evalx("$dst", "fmt"): the second argument (a format, already
 * expanded) is expanded again as a format and the text assigned to $dst. */
static int fn_pv_evalx(vm_call *call)
{
	vm_pvspec *tmp, *sp;
	char nb[VM_INT_DEC_MAX], err[256];
	const char *s;
	size_t len;
	vm_fmt *f;
	vm_value v;
	int rc = -1;

	arg_str(call, 1, nb, &s, &len);
	if (call->ctx->lp == NULL ||
			vm_fmt_parse(call->ctx->lp, s, len, &f, err, sizeof(err)) < 0) {
		vm_error(call->ctx, "pv_evalx(): bad format \"%.*s\"", (int)len, s);
		return -1;
	}
	if (vm_fmt_eval(call->ctx, f, &v) == 0 && (sp = arg_pv(call, 0, &tmp)) != NULL) {
		rc = vm_pv_set(call->ctx, sp, VM_PV_ASSIGN, &v) < 0 ? -1 : 1;
		vm_pvspec_free(tmp);
	}
	vm_fmt_free(f);
	return rc;
}

/* ------------------------------------------------------------------------
 * xavp helpers
 * ------------------------------------------------------------------------ */

/* xavp_rm("r"): remove the newest r (1 whether or not there was one). */
static int xav_rm(vm_call *call, int k)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX];
	const char *r;
	size_t rl;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &r, &rl);
	mod_pv_xavp_rm_index(st, mod_pv_xavp_root(st, k), r, rl, 0, k == MOD_PV_XAVI);
	return 1;
}

static int fn_xavp_rm(vm_call *call) { return xav_rm(call, MOD_PV_XAVP); }
static int fn_xavi_rm(vm_call *call) { return xav_rm(call, MOD_PV_XAVI); }

/* xavp_child_rm("r", "c"): remove the first field c of the newest r. */
static int xav_child_rm(vm_call *call, int k)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX], nb2[VM_INT_DEC_MAX];
	const char *r, *cn;
	size_t rl, cl;
	mod_pv_xavp *x;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &r, &rl);
	arg_str(call, 1, nb2, &cn, &cl);
	x = mod_pv_xavp_get(*mod_pv_xavp_root(st, k), r, rl, 0, k == MOD_PV_XAVI);
	if (x && x->type == MOD_PV_X_LIST)
		mod_pv_xavp_rm_index(st, &x->sub, cn, cl, 0, k == MOD_PV_XAVI);
	return 1;
}

static int fn_xavp_child_rm(vm_call *call) { return xav_child_rm(call, MOD_PV_XAVP); }
static int fn_xavi_child_rm(vm_call *call) { return xav_child_rm(call, MOD_PV_XAVI); }

/* xavp_child_seti("r", "c", n) / _sets("r", "c", "s"): set field c of the
 * newest r, replacing it (a new record when there is no r). */
static int xav_child_set(vm_call *call, int k, int is_int)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX], nb2[VM_INT_DEC_MAX], nb3[VM_INT_DEC_MAX];
	const char *r, *cn, *s;
	size_t rl, cl, sl;
	vm_value v;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &r, &rl);
	arg_str(call, 1, nb2, &cn, &cl);
	if (rl == 0 || cl == 0)
		return -1;
	if (is_int) {
		if (call->args[2].kind == VM_NULL)
			return -1;
		v = vm_int(vm_to_int(&call->args[2]));
	} else {
		arg_str(call, 2, nb3, &s, &sl);
		v = vm_str(s, sl);
	}
	return mod_pv_xavp_set_child(st, k, r, rl, cn, cl, &v) < 0 ? -1 : 1;
}

static int fn_xavp_child_seti(vm_call *call) { return xav_child_set(call, MOD_PV_XAVP, 1); }
static int fn_xavp_child_sets(vm_call *call) { return xav_child_set(call, MOD_PV_XAVP, 0); }
static int fn_xavi_child_seti(vm_call *call) { return xav_child_set(call, MOD_PV_XAVI, 1); }
static int fn_xavi_child_sets(vm_call *call) { return xav_child_set(call, MOD_PV_XAVI, 0); }

/* One "name[=value]" of a parameter list. */
typedef struct {
	const char *n, *v;
	size_t nl, vl;
} kv;

#define MAX_PARAMS 256

static int pws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Split "a=1;b=\"x y\";c" as 5.6.3's parse_params does for the xavp
 * helpers: one trailing ';' is ignored; a name ends at a blank, '=', ';'
 * or ','; a value is a token (up to a blank, ';' or ',') or a quoted
 * string ('"' or '\'', without its quotes); blanks around '=' and after ';'
 * are skipped; ',' ends the list. -1 for an empty name or value, an
 * unterminated quote, or anything else out of place. Returns the number of
 * parameters (at least 1). */
static int params_split(const char *s, size_t len, kv *out)
{
	size_t i = 0;
	int n = 0;

	if (len && s[len - 1] == ';')
		len--;
	if (len == 0)
		return -1;
	for (;;) {
		kv p = { NULL, "", 0, 0 };
		size_t st = i;
		while (i < len && !pws(s[i]) && s[i] != '=' && s[i] != ';' && s[i] != ',')
			i++;
		if (i == st || n == MAX_PARAMS)
			return -1;
		p.n = s + st;
		p.nl = i - st;
		while (i < len && pws(s[i]))
			i++;
		if (i < len && s[i] == '=') {
			i++;
			while (i < len && pws(s[i]))
				i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				st = i;
				while (i < len && s[i] != q)
					i++;
				if (i == len)
					return -1;
				p.v = s + st;
				p.vl = i - st;
				i++;
			} else {
				st = i;
				while (i < len && !pws(s[i]) && s[i] != ';' && s[i] != ',')
					i++;
				if (i == st)
					return -1;
				p.v = s + st;
				p.vl = i - st;
			}
			while (i < len && pws(s[i]))
				i++;
		}
		out[n++] = p;
		if (i == len || s[i] == ',')
			return n;
		if (s[i] != ';')
			return -1;
		i++;
		while (i < len && pws(s[i]))
			i++;
		if (i == len)
			return n;
	}
}

/* xavp_params_explode("a=1;b=2", "r"): a new record r with one string
 * field per parameter, in the order written. */
static int fn_xavp_params_explode(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX], nb2[VM_INT_DEC_MAX];
	const char *s, *r;
	size_t sl, rl;
	kv *p;
	int n;
	mod_pv_xavp *sub = NULL;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &s, &sl);
	arg_str(call, 1, nb2, &r, &rl);
	if (rl == 0 || !(p = malloc(MAX_PARAMS * sizeof(*p))))
		return -1;
	n = params_split(s, sl, p);
	for (int i = n; i-- > 0;) {
		vm_value v = vm_str(p[i].v, p[i].vl);
		if (!mod_pv_xavp_add(st, &sub, p[i].n, p[i].nl, &v, NULL)) {
			mod_pv_xavp_free_list(st, &sub);
			n = -1;
			break;
		}
	}
	free(p);
	if (n < 0)
		return -1;
	return mod_pv_xavp_add(st, mod_pv_xavp_root(st, MOD_PV_XAVP), r, rl, NULL, sub) ? 1 : -1;
}

/* xavu_params_explode("a=1;b=2", "r"): $xavu(r=>a) = "1" ... (the first
 * of two equal names wins, as in 5.6.3). */
static int fn_xavu_params_explode(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX], nb2[VM_INT_DEC_MAX];
	const char *s, *r;
	size_t sl, rl;
	kv *p;
	int n, rc = 1;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &s, &sl);
	arg_str(call, 1, nb2, &r, &rl);
	if (rl == 0 || !(p = malloc(MAX_PARAMS * sizeof(*p))))
		return -1;
	n = params_split(s, sl, p);
	if (n < 0)
		rc = -1;
	for (int i = n; i-- > 0;) {
		vm_value v = vm_str(p[i].v, p[i].vl);
		if (mod_pv_xavp_set_child(st, MOD_PV_XAVU, r, rl, p[i].n, p[i].nl, &v) < 0) {
			rc = -1;
			break;
		}
	}
	free(p);
	return rc;
}

#define IMPLODE_MAX 65536u

/* The fields of record x as "name=value;" text ("name;" for an empty
 * string, ints unsigned as 5.6.3 prints them) in the arena. 0, or -1 when
 * there is nothing to write or it is too long. */
static int serialize_fields(vm_ctx *c, const mod_pv_xavp *x, vm_value *out)
{
	size_t total = 0, o = 0;
	char *b;

	if (x == NULL || x->type != MOD_PV_X_LIST)
		return -1;
	for (const mod_pv_xavp *f = x->sub; f; f = f->next)
		if (f->type == MOD_PV_X_INT || f->type == MOD_PV_X_STR)
			total += f->nlen + 2 + (f->type == MOD_PV_X_INT ? 10 : f->v.len);
	if (total == 0 || total > IMPLODE_MAX || !(b = vm_arena_alloc(&c->arena, total + 1)))
		return -1;
	for (const mod_pv_xavp *f = x->sub; f; f = f->next) {
		if (f->type == MOD_PV_X_INT)
			o += (size_t)sprintf(b + o, "%.*s=%u;", (int)f->nlen, f->name,
					(unsigned)f->v.i);
		else if (f->type == MOD_PV_X_STR && f->v.len == 0)
			o += (size_t)sprintf(b + o, "%.*s;", (int)f->nlen, f->name);
		else if (f->type == MOD_PV_X_STR) {
			memcpy(b + o, f->name, f->nlen);
			o += f->nlen;
			b[o++] = '=';
			memcpy(b + o, f->v.s, f->v.len);
			o += f->v.len;
			b[o++] = ';';
		}
	}
	b[o] = '\0';
	*out = vm_str(b, o);
	return 0;
}

/* xavp_params_implode("r", "$pv"): the fields of the newest r as
 * "name=value;..." assigned to $pv. */
static int xav_params_implode(vm_call *call, int k)
{
	mod_pv_state *st = call_state(call);
	char nb[VM_INT_DEC_MAX];
	const char *r;
	size_t rl;
	vm_pvspec *tmp, *sp;
	vm_value v;
	int rc;

	if (st == NULL)
		return -1;
	arg_str(call, 0, nb, &r, &rl);
	if (serialize_fields(call->ctx, mod_pv_xavp_get(*mod_pv_xavp_root(st, k), r, rl, 0, 0),
				&v) < 0)
		return -1;
	if (!(sp = arg_pv(call, 1, &tmp)))
		return -1;
	rc = vm_pv_set(call->ctx, sp, VM_PV_ASSIGN, &v);
	vm_pvspec_free(tmp);
	return rc < 0 ? -1 : 1;
}

static int fn_xavp_params_implode(vm_call *call) { return xav_params_implode(call, MOD_PV_XAVP); }
static int fn_xavu_params_implode(vm_call *call) { return xav_params_implode(call, MOD_PV_XAVU); }

/* xavp_slist_explode("a,b", ",", "t", "r"): a new record r with one field
 * v per non-empty token (split at any character of the separators; mode
 * "t..." trims blanks), in the order written. */
static int fn_xavp_slist_explode(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char b0[VM_INT_DEC_MAX], b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX], b3[VM_INT_DEC_MAX];
	const char *s, *sep, *mode, *r;
	size_t sl, sepl, ml, rl, start = 0;
	mod_pv_xavp *sub = NULL, **tail = &sub;

	if (st == NULL)
		return -1;
	arg_str(call, 0, b0, &s, &sl);
	arg_str(call, 1, b1, &sep, &sepl);
	arg_str(call, 2, b2, &mode, &ml);
	arg_str(call, 3, b3, &r, &rl);
	if (sl == 0 || sepl == 0 || rl == 0)
		return -1;
	for (size_t i = 0; i <= sl; i++) {
		if (i < sl && !memchr(sep, s[i], sepl))
			continue;
		const char *t = s + start;
		size_t tl = i - start;
		if (ml > 0 && mode[0] == 't') {
			while (tl && pws(*t)) {
				t++;
				tl--;
			}
			while (tl && pws(t[tl - 1]))
				tl--;
		}
		start = i + 1;
		if (tl == 0)
			continue;
		vm_value v = vm_str(t, tl);
		if (!mod_pv_xavp_add(st, tail, "v", 1, &v, NULL)) {
			mod_pv_xavp_free_list(st, &sub);
			return -1;
		}
		tail = &(*tail)->next;
	}
	if (sub == NULL) {
		/* no token: an empty record, as 5.6.3 adds */
		vm_value nv = vm_null();
		mod_pv_xavp *x = mod_pv_xavp_add(st, mod_pv_xavp_root(st, MOD_PV_XAVP), r, rl,
				&nv, NULL);
		if (x)
			x->type = MOD_PV_X_LIST;
		return x ? 1 : -1;
	}
	return mod_pv_xavp_add(st, mod_pv_xavp_root(st, MOD_PV_XAVP), r, rl, NULL, sub) ? 1 : -1;
}

/* A copy of x named name: its value, or its record's values (nested
 * records are not copied). NULL when memory runs out. */
static mod_pv_xavp *xavp_clone(mod_pv_state *st, const mod_pv_xavp *x,
		const char *name, size_t nlen)
{
	mod_pv_xavp *sub = NULL, **tail = &sub, *n;
	vm_value v;

	if (x->type != MOD_PV_X_LIST) {
		v = mod_pv_val_get(&x->v);
		n = NULL;
		return mod_pv_xavp_add(st, &n, name, nlen, &v, NULL);
	}
	for (const mod_pv_xavp *f = x->sub; f; f = f->next) {
		if (f->type == MOD_PV_X_LIST)
			continue;
		v = mod_pv_val_get(&f->v);
		if (!mod_pv_xavp_add(st, tail, f->name, f->nlen, &v, NULL)) {
			mod_pv_xavp_free_list(st, &sub);
			return NULL;
		}
		tail = &(*tail)->next;
	}
	n = NULL;
	if (sub == NULL) {
		vm_value nv = vm_null();
		if ((n = mod_pv_xavp_add(st, &n, name, nlen, &nv, NULL)))
			n->type = MOD_PV_X_LIST;
		return n;
	}
	return mod_pv_xavp_add(st, &n, name, nlen, NULL, sub);
}

/* xavp_copy("src", i, "dst"[, j]): a copy of src[i] named dst, added as
 * the oldest dst (or at the head when there is none); with j it replaces
 * dst[j]. */
static int fn_xavp_copy(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char b0[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *src, *dst;
	size_t srcl, dstl;
	mod_pv_xavp **root, *sx, *nx, **p;

	if (st == NULL)
		return -1;
	root = mod_pv_xavp_root(st, MOD_PV_XAVP);
	arg_str(call, 0, b0, &src, &srcl);
	arg_str(call, 2, b2, &dst, &dstl);
	sx = mod_pv_xavp_get(*root, src, srcl, vm_to_int(&call->args[1]), 0);
	if (sx == NULL || dstl == 0) {
		vm_error(call->ctx, "xavp_copy(): no source xavp %.*s", (int)srcl, src);
		return -1;
	}
	if (!(nx = xavp_clone(st, sx, dst, dstl)))
		return -1;
	if (call->nargs > 3) {
		int32_t j = vm_to_int(&call->args[3]);
		mod_pv_xavp *old = mod_pv_xavp_get(*root, dst, dstl, j, 0);
		if (old == NULL) {
			vm_error(call->ctx, "xavp_copy(): no destination xavp %.*s[%d]",
					(int)dstl, dst, (int)j);
			mod_pv_xavp_free_list(st, &nx);
			return -1;
		}
		/* put the copy where old is, then drop old */
		for (p = root; *p != old; p = &(*p)->next)
			;
		nx->next = old->next;
		*p = nx;
		old->next = NULL;
		mod_pv_xavp_free_list(st, &old);
		return 1;
	}
	if (mod_pv_xavp_get(*root, dst, dstl, 0, 0) == NULL) {
		nx->next = *root;
		*root = nx;
	} else {
		for (p = root; *p; p = &(*p)->next)
			;
		*p = nx;
	}
	return 1;
}

/* pv_var_to_xavp("name"|"*", "r"): remove every r, then a record r with
 * $var(name) (or every $var, non-empty strings and ints) as fields. */
static int fn_pv_var_to_xavp(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char b0[VM_INT_DEC_MAX], b1[VM_INT_DEC_MAX];
	const char *vn, *r;
	size_t vl, rl;
	mod_pv_xavp **root, *sub = NULL;

	if (st == NULL)
		return -1;
	root = mod_pv_xavp_root(st, MOD_PV_XAVP);
	arg_str(call, 0, b0, &vn, &vl);
	arg_str(call, 1, b1, &r, &rl);
	if (rl == 0)
		return -1;
	mod_pv_xavp_rm_name(st, root, r, rl, 1, 0);
	if (vl == 1 && vn[0] == '*') {
		for (mod_pv_var *v = st->vars.all; v; v = v->order) {
			vm_value val = mod_pv_val_get(&v->v);
			if (v->v.kind == VM_STR && v->v.len == 0)
				continue;
			if (!mod_pv_xavp_add(st, &sub, v->name, v->nlen, &val, NULL)) {
				mod_pv_xavp_free_list(st, &sub);
				return -1;
			}
		}
		if (sub && !mod_pv_xavp_add(st, root, r, rl, NULL, sub))
			return -1;
		return 1;
	}
	mod_pv_var *v = mod_pv_var_find(&st->vars, vn, vl, 0);
	if (v == NULL) {
		vm_error(call->ctx, "pv_var_to_xavp(): $var(%.*s) not found", (int)vl, vn);
		return -1;
	}
	vm_value val = mod_pv_val_get(&v->v);
	if (!mod_pv_xavp_add(st, &sub, v->name, v->nlen, &val, NULL) ||
			!mod_pv_xavp_add(st, root, r, rl, NULL, sub))
		return -1;
	return 1;
}

/* pv_xavp_to_var("r"): for every record r, newest first, each field f
 * sets $var(f) (so the oldest record's values win). */
static int fn_pv_xavp_to_var(vm_call *call)
{
	mod_pv_state *st = call_state(call);
	char b0[VM_INT_DEC_MAX];
	const char *r;
	size_t rl;
	mod_pv_xavp *x;

	if (st == NULL)
		return -1;
	arg_str(call, 0, b0, &r, &rl);
	x = mod_pv_xavp_get(*mod_pv_xavp_root(st, MOD_PV_XAVP), r, rl, 0, 0);
	if (x == NULL || x->type != MOD_PV_X_LIST) {
		vm_error(call->ctx, "pv_xavp_to_var(): no xavp record %.*s", (int)rl, r);
		return -1;
	}
	for (; x; x = x->next) {
		if (x->nlen != rl || memcmp(x->name, r, rl) != 0 || x->type != MOD_PV_X_LIST)
			continue;
		for (mod_pv_xavp *f = x->sub; f; f = f->next) {
			mod_pv_var *v;
			vm_value val = mod_pv_val_get(&f->v);
			if (f->type != MOD_PV_X_INT && f->type != MOD_PV_X_STR)
				return -1;
			if (!(v = mod_pv_var_find(&st->vars, f->name, f->nlen, 1)) ||
					mod_pv_var_assign(&st->vars, v, &val) < 0)
				return -1;
		}
	}
	return 1;
}

/* Log a list as 5.6.3's xavp_print_list does (INFO level). */
static void print_list(vm_ctx *c, const char *what, const mod_pv_xavp *l, int level)
{
	vm_log(c, VM_L_INFO, "+++++ start %s list: %p (level=%d)", what, (const void *)l, level);
	for (; l; l = l->next) {
		vm_log(c, VM_L_INFO, "     *** (l:%d) %s name: %.*s", level, what, (int)l->nlen, l->name);
		vm_log(c, VM_L_INFO, "     %s value type: %d", what, l->type);
		switch (l->type) {
		case MOD_PV_X_NULL:
			vm_log(c, VM_L_INFO, "     %s value: <null>", what);
			break;
		case MOD_PV_X_INT:
			vm_log(c, VM_L_INFO, "     %s value (int): %d", what, (int)l->v.i);
			break;
		case MOD_PV_X_STR:
			vm_log(c, VM_L_INFO, "     %s value (str): %.*s", what, (int)l->v.len, l->v.s);
			break;
		case MOD_PV_X_LIST:
			vm_log(c, VM_L_INFO, "     %s value: <xavp:%p>", what, (const void *)l->sub);
			print_list(c, what, l->sub, level + 1);
			break;
		}
	}
	vm_log(c, VM_L_INFO, "----- end %s list (level=%d)", what, level);
}

static int xav_print(vm_call *call, int k)
{
	mod_pv_state *st = call_state(call);
	if (st == NULL)
		return -1;
	print_list(call->ctx, k == MOD_PV_XAVU ? "XAVU" : k == MOD_PV_XAVI ? "XAVI" : "XAVP",
			*mod_pv_xavp_root(st, k), 0);
	return 1;
}

static int fn_pv_xavp_print(vm_call *call) { return xav_print(call, MOD_PV_XAVP); }
static int fn_pv_xavu_print(vm_call *call) { return xav_print(call, MOD_PV_XAVU); }
static int fn_pv_xavi_print(vm_call *call) { return xav_print(call, MOD_PV_XAVI); }

/* ------------------------------------------------------------------------
 * Export tables
 * ------------------------------------------------------------------------ */

static const vm_fn_export mod_pv_fns[] = {
	/* name                  n  routes   kinds   fixup  impl */
	{ "pv_isset",            1, MOD_ANY, "p",    NULL,  fn_pv_isset },
	{ "pv_unset",            1, MOD_ANY, "p",    NULL,  fn_pv_unset },
	{ "pv_xavp_print",       0, MOD_ANY, "",     NULL,  fn_pv_xavp_print },
	{ "pv_xavu_print",       0, MOD_ANY, "",     NULL,  fn_pv_xavu_print },
	{ "pv_xavi_print",       0, MOD_ANY, "",     NULL,  fn_pv_xavi_print },
	{ "pv_var_to_xavp",      2, MOD_ANY, "ss",   NULL,  fn_pv_var_to_xavp },
	{ "pv_xavp_to_var",      1, MOD_ANY, "s",    NULL,  fn_pv_xavp_to_var },
	{ "is_int",              1, MOD_ANY, "p",    NULL,  fn_is_int },
	{ "typeof",              2, MOD_ANY, "pS",   NULL,  fn_typeof },
	{ "not_empty",           1, MOD_ANY, "p",    NULL,  fn_not_empty },
	{ "xavp_copy",           3, MOD_ANY, "sis",  NULL,  fn_xavp_copy },
	{ "xavp_copy",           4, MOD_ANY, "sisi", NULL,  fn_xavp_copy },
	{ "xavp_slist_explode",  4, MOD_ANY, "ssss", NULL,  fn_xavp_slist_explode },
	{ "xavp_params_explode", 2, MOD_ANY, "ss",   NULL,  fn_xavp_params_explode },
	{ "xavp_params_implode", 2, MOD_ANY, "sp",   NULL,  fn_xavp_params_implode },
	{ "xavu_params_explode", 2, MOD_ANY, "ss",   NULL,  fn_xavu_params_explode },
	{ "xavu_params_implode", 2, MOD_ANY, "sp",   NULL,  fn_xavu_params_implode },
	{ "xavp_child_seti",     3, MOD_ANY, "ssi",  NULL,  fn_xavp_child_seti },
	{ "xavp_child_sets",     3, MOD_ANY, "sss",  NULL,  fn_xavp_child_sets },
	{ "xavp_rm",             1, MOD_ANY, "s",    NULL,  fn_xavp_rm },
	{ "xavp_child_rm",       2, MOD_ANY, "ss",   NULL,  fn_xavp_child_rm },
	{ "xavi_child_seti",     3, MOD_ANY, "ssi",  NULL,  fn_xavi_child_seti },
	{ "xavi_child_sets",     3, MOD_ANY, "sss",  NULL,  fn_xavi_child_sets },
	{ "xavi_rm",             1, MOD_ANY, "s",    NULL,  fn_xavi_rm },
	{ "xavi_child_rm",       2, MOD_ANY, "ss",   NULL,  fn_xavi_child_rm },
	{ "sbranch_set_ruri",    0, MOD_ANY, "",     NULL,  NULL },
	{ "sbranch_append",      0, MOD_ANY, "",     NULL,  NULL },
	{ "sbranch_reset",       0, MOD_ANY, "",     NULL,  NULL },
	{ "pv_evalx",            2, MOD_ANY, "ps",   NULL,  fn_pv_evalx },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_pv_params[] = {
	{ "shvset",      VM_PARAM_STR, 1 },
	{ "varset",      VM_PARAM_STR, 1 },
	{ "avp_aliases", VM_PARAM_STR, 1 },
	{ NULL, 0, 0 }
};

/* Implementations: script stores, message PVs (read-only or writable),
 * none (known to the compiler, refused at load). */
#define VAR  mod_pv_var_parse, mod_pv_var_get, mod_pv_var_set
#define VN   mod_pv_var_parse, mod_pv_vn_get, mod_pv_vn_set
#define SHV  mod_pv_shv_parse, mod_pv_shv_get, mod_pv_shv_set
#define AVP  mod_pv_avp_parse, mod_pv_avp_get, mod_pv_avp_set
#define XAVP mod_pv_xavp_parse, mod_pv_xavp_pvget, mod_pv_xavp_pvset
#define XAVI mod_pv_xavi_parse, mod_pv_xavp_pvget, mod_pv_xavp_pvset
#define XAVU mod_pv_xavu_parse, mod_pv_xavu_pvget, mod_pv_xavu_pvset
#define CNT  mod_pv_cnt_parse, mod_pv_cnt_get, NULL
#define MSG  mod_pv_msg_parse, mod_pv_msg_get, mod_pv_msg_set
#define MSGR mod_pv_msg_parse, mod_pv_msg_get, NULL
#define NONE NULL, NULL, NULL

/* $stat (mod_pv_stat.c) */
int mod_pv_stat_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_stat_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);

static const vm_pv_export mod_pv_pvs[] = {
	{ "_s",          VM_PV_NAME, MSGR },
	{ "af",          VM_PV_NAME, MSGR },
	{ "branch",      VM_PV_WRITABLE | VM_PV_NAME | VM_PV_INDEX, NONE },
	{ "sbranch",     VM_PV_WRITABLE | VM_PV_NAME, NONE },
	{ "mi",          0, NONE },
	{ "stat",        VM_PV_NAME, mod_pv_stat_parse, mod_pv_stat_get, NULL },
	{ "sel",         VM_PV_NAME, MSGR },
	{ "snd",         VM_PV_NAME, NONE },
	{ "sndto",       VM_PV_NAME, NONE },
	{ "sndfrom",     VM_PV_NAME, NONE },
	{ "rcv",         VM_PV_WRITABLE | VM_PV_NAME, NONE },
	{ "xavp",        VM_PV_WRITABLE | VM_PV_NAME, XAVP },
	{ "xavu",        VM_PV_WRITABLE | VM_PV_NAME, XAVU },
	{ "xavi",        VM_PV_WRITABLE | VM_PV_NAME, XAVI },
	{ "avp",         VM_PV_WRITABLE | VM_PV_NAME | VM_PV_INDEX, AVP },
	{ "hdr",         VM_PV_NAME | VM_PV_INDEX, MSGR },
	{ "hdrc",        VM_PV_NAME, MSGR },
	{ "hfl",         VM_PV_NAME | VM_PV_INDEX, MSGR },
	{ "hflc",        VM_PV_NAME, MSGR },
	{ "var",         VM_PV_WRITABLE | VM_PV_NAME, VAR },
	{ "vz",          VM_PV_WRITABLE | VM_PV_NAME, VAR },
	{ "vn",          VM_PV_WRITABLE | VM_PV_NAME, VN },
	{ "ai",          VM_PV_INDEX, NONE },
	{ "adu",         0, NONE },
	{ "ar",          0, NONE },
	{ "au",          0, NONE },
	{ "ad",          0, NONE },
	{ "aU",          0, NONE },
	{ "aa",          0, NONE },
	{ "adn",         0, NONE },
	{ "adc",         0, NONE },
	{ "adr",         0, NONE },
	{ "ado",         0, NONE },
	{ "Au",          0, NONE },
	{ "AU",          0, NONE },
	{ "bf",          VM_PV_WRITABLE, MSG },
	{ "bF",          VM_PV_WRITABLE, MSG },
	{ "Bf",          VM_PV_WRITABLE | VM_PV_NAME, MSG },
	{ "br",          VM_PV_WRITABLE, NONE },
	{ "bR",          0, NONE },
	{ "bs",          0, MSGR },
	{ "ci",          0, MSGR },
	{ "cl",          0, MSGR },
	{ "cnt",         VM_PV_NAME, CNT },
	{ "conid",       0, MSGR },
	{ "cs",          0, MSGR },
	{ "csb",         0, MSGR },
	{ "ct",          0, MSGR },
	{ "cT",          0, MSGR },
	{ "dd",          0, MSGR },
	{ "di",          0, NONE },
	{ "dir",         0, NONE },
	{ "dip",         0, NONE },
	{ "dic",         0, NONE },
	{ "dp",          0, MSGR },
	{ "dP",          0, MSGR },
	{ "ds",          0, NONE },
	{ "du",          VM_PV_WRITABLE, MSG },
	{ "duri",        VM_PV_WRITABLE, MSG },
	{ "err.class",   0, NONE },
	{ "err.level",   0, NONE },
	{ "err.info",    0, NONE },
	{ "err.rcode",   0, NONE },
	{ "err.rreason", 0, NONE },
	{ "fd",          VM_PV_WRITABLE, MSG },
	{ "from.domain", VM_PV_WRITABLE, MSG },
	{ "fn",          VM_PV_WRITABLE, MSG },
	{ "fs",          VM_PV_WRITABLE, NONE },
	{ "fsn",         VM_PV_WRITABLE, NONE },
	{ "fsp",         0, NONE },
	{ "ft",          0, MSGR },
	{ "fu",          VM_PV_WRITABLE, MSG },
	{ "from",        VM_PV_WRITABLE, MSG },
	{ "fU",          VM_PV_WRITABLE, MSG },
	{ "from.user",   VM_PV_WRITABLE, MSG },
	{ "fUl",         0, MSGR },
	{ "mb",          0, MSGR },
	{ "mbu",         0, NONE },
	{ "mf",          VM_PV_WRITABLE, MSG },
	{ "mF",          VM_PV_WRITABLE, MSG },
	{ "Mf",          VM_PV_WRITABLE | VM_PV_NAME, MSG },
	{ "ml",          0, MSGR },
	{ "mt",          0, MSGR },
	{ "mts",         0, MSGR },
	{ "od",          0, MSGR },
	{ "op",          0, MSGR },
	{ "oP",          0, MSGR },
	{ "ou",          0, MSGR },
	{ "ouri",        0, MSGR },
	{ "oU",          0, MSGR },
	{ "oUl",         0, MSGR },
	{ "pd",          VM_PV_INDEX, NONE },
	{ "pn",          VM_PV_INDEX, NONE },
	{ "pp",          0, MSGR },
	{ "pr",          0, MSGR },
	{ "prid",        0, MSGR },
	{ "proto",       0, MSGR },
	{ "pu",          VM_PV_INDEX, NONE },
	{ "pU",          VM_PV_INDEX, NONE },
	{ "rb",          0, MSGR },
	{ "rd",          VM_PV_WRITABLE, MSG },
	{ "ruri.domain", VM_PV_WRITABLE, MSG },
	{ "re",          0, NONE },
	{ "rm",          0, MSGR },
	{ "rmid",        0, MSGR },
	{ "rp",          VM_PV_WRITABLE, MSG },
	{ "rP",          0, MSGR },
	{ "rr",          0, MSGR },
	{ "rs",          0, MSGR },
	{ "rsi",         0, NONE },
	{ "rt",          0, NONE },
	{ "ru",          VM_PV_WRITABLE, MSG },
	{ "ruri",        VM_PV_WRITABLE, MSG },
	{ "rU",          VM_PV_WRITABLE, MSG },
	{ "ruri.user",   VM_PV_WRITABLE, MSG },
	{ "rUl",         0, MSGR },
	{ "rv",          0, MSGR },
	{ "rz",          0, MSGR },
	{ "Ras",         0, MSGR },
	{ "Ri",          0, MSGR },
	{ "Rp",          0, MSGR },
	{ "Ru",          0, MSGR },
	{ "Rut",         0, MSGR },
	{ "Rn",          0, NONE },
	{ "RAi",         0, MSGR },
	{ "RAp",         0, MSGR },
	{ "RAu",         0, MSGR },
	{ "RAut",        0, MSGR },
	{ "sas",         0, MSGR },
	{ "sf",          VM_PV_WRITABLE, MSG },
	{ "sF",          VM_PV_WRITABLE, MSG },
	{ "Sf",          VM_PV_WRITABLE | VM_PV_NAME, MSG },
	{ "src_ip",      0, MSGR },
	{ "si",          0, MSGR },
	{ "siz",         0, MSGR },
	{ "sid",         0, NONE },
	{ "sp",          0, MSGR },
	{ "su",          0, MSGR },
	{ "sut",         0, MSGR },
	{ "td",          VM_PV_WRITABLE, MSG },
	{ "to.domain",   VM_PV_WRITABLE, MSG },
	{ "tn",          VM_PV_WRITABLE, MSG },
	{ "tt",          0, MSGR },
	{ "tu",          VM_PV_WRITABLE, MSG },
	{ "to",          VM_PV_WRITABLE, MSG },
	{ "tU",          VM_PV_WRITABLE, MSG },
	{ "to.user",     VM_PV_WRITABLE, MSG },
	{ "tUl",         VM_PV_WRITABLE, MSG },
	{ "true",        0, MSGR },
	{ "Tb",          0, MSGR },
	{ "Tf",          0, MSGR },
	{ "TF",          0, MSGR },
	{ "Ts",          0, MSGR },
	{ "TS",          0, MSGR },
	{ "ua",          0, MSGR },
	{ "ruid",        0, NONE },
	{ "location_ua", 0, NONE },
	{ "shv",         VM_PV_WRITABLE | VM_PV_NAME, SHV },
	{ "time",        VM_PV_NAME, MSGR },
	{ "timef",       VM_PV_NAME, MSGR },
	{ "utime",       VM_PV_NAME, MSGR },
	{ "utimef",      VM_PV_NAME, MSGR },
	{ "TV",          VM_PV_NAME, MSGR },
	{ "nh",          VM_PV_NAME, NONE },
	{ "version",     VM_PV_NAME, NONE },
	{ "K",           VM_PV_NAME, MSGR },
	{ "expires",     VM_PV_NAME, NONE },
	{ "msg",         VM_PV_NAME, MSGR },
	{ "ksr",         VM_PV_NAME, NONE },
	{ "rpl",         VM_PV_NAME, NONE },
	{ "ccp",         VM_PV_WRITABLE | VM_PV_NAME, NONE },
	{ "via0",        VM_PV_NAME, MSGR },
	{ "via1",        VM_PV_NAME, MSGR },
	{ "viaZ",        VM_PV_NAME, NONE },
	{ "msgbuf",      VM_PV_WRITABLE | VM_PV_NAME, NONE },
	{ NULL, 0, NONE }
};

#undef VAR
#undef VN
#undef SHV
#undef AVP
#undef XAVP
#undef XAVI
#undef XAVU
#undef CNT
#undef MSG
#undef MSGR
#undef NONE

static const vm_tr_export mod_pv_trs[] = {
	{ "s",        "len" },
	{ "s",        "int" },
	{ "s",        "md5" },
	{ "s",        "rmws" },
	{ "s",        "sha256" },
	{ "s",        "sha384" },
	{ "s",        "sha512" },
	{ "s",        "tolower" },
	{ "s",        "toupper" },
	{ "s",        "numeric" },
	{ "s",        "encode.hexa" },
	{ "s",        "decode.hexa" },
	{ "s",        "encode.7bit" },
	{ "s",        "decode.7bit" },
	{ "s",        "encode.base58" },
	{ "s",        "decode.base58" },
	{ "s",        "encode.base64" },
	{ "s",        "decode.base64" },
	{ "s",        "encode.base64t" },
	{ "s",        "decode.base64t" },
	{ "s",        "encode.base64url" },
	{ "s",        "decode.base64url" },
	{ "s",        "encode.base64urlt" },
	{ "s",        "decode.base64urlt" },
	{ "s",        "escape.common" },
	{ "s",        "unescape.common" },
	{ "s",        "escape.user" },
	{ "s",        "unescape.user" },
	{ "s",        "escape.param" },
	{ "s",        "unescape.param" },
	{ "s",        "escape.csv" },
	{ "s",        "prefixes" },
	{ "s",        "prefixes.quoted" },
	{ "s",        "substr" },
	{ "s",        "select" },
	{ "s",        "strip" },
	{ "s",        "striptail" },
	{ "s",        "stripto" },
	{ "s",        "ftime" },
	{ "s",        "replace" },
	{ "s",        "corehash" },
	{ "s",        "trim" },
	{ "s",        "rtrim" },
	{ "s",        "ltrim" },
	{ "s",        "rm" },
	{ "s",        "urlencode.param" },
	{ "s",        "urldecode.param" },
	{ "s",        "unquote" },
	{ "s",        "unbracket" },
	{ "s",        "count" },
	{ "s",        "before" },
	{ "s",        "after" },
	{ "s",        "rbefore" },
	{ "s",        "rafter" },
	{ "s",        "fmtlines" },
	{ "s",        "fmtlinet" },
	{ "nameaddr", "uri" },
	{ "nameaddr", "len" },
	{ "nameaddr", "name" },
	{ "uri",      "user" },
	{ "uri",      "host" },
	{ "uri",      "domain" },
	{ "uri",      "passwd" },
	{ "uri",      "port" },
	{ "uri",      "saor" },
	{ "uri",      "suri" },
	{ "uri",      "duri" },
	{ "uri",      "params" },
	{ "uri",      "headers" },
	{ "uri",      "param" },
	{ "uri",      "transport" },
	{ "uri",      "ttl" },
	{ "uri",      "uparam" },
	{ "uri",      "maddr" },
	{ "uri",      "method" },
	{ "uri",      "lr" },
	{ "uri",      "r2" },
	{ "uri",      "scheme" },
	{ "uri",      "tosocket" },
	{ "param",    "value" },
	{ "param",    "in" },
	{ "param",    "valueat" },
	{ "param",    "name" },
	{ "param",    "count" },
	{ "tobody",   "uri" },
	{ "tobody",   "tag" },
	{ "tobody",   "user" },
	{ "tobody",   "host" },
	{ "tobody",   "params" },
	{ "tobody",   "display" },
	{ "line",     "at" },
	{ "line",     "sw" },
	{ "line",     "count" },
	{ "urialias", "encode" },
	{ "urialias", "decode" },
	{ NULL, NULL }
};

const vm_module mod_pv = {
	.name      = "pv",
	.fns       = mod_pv_fns,
	.params    = mod_pv_params,
	.pvs       = mod_pv_pvs,
	.trs       = mod_pv_trs,
	.events    = mod_no_events,
	.trclasses = mod_pv_trclasses,
	.init      = mod_pv_init,
	.ctx_init  = mod_pv_ctx_init,
	.ctx_free  = mod_pv_ctx_free,
	.msg_done  = mod_pv_msg_done,
	.fields    = mod_pv_fields,
};
