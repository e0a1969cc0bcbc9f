/*
 * lb_sr.c — the `sr` package of the seed era (Kamailio 3.1 – 4.x, kept in
 * module app_lua_sr since 5.3): lua.md §1.
 *
 * Calling convention of the old API (kept on purpose, scripts rely on it):
 * arguments are read from the top of the Lua stack, so a one-argument
 * function uses the last argument given and ignores the ones before;
 * strings through lua_tostring (numbers become strings), integers through
 * lua_tointeger (a non-number is 0). Module wrappers return the module
 * function's int code (-1 for bad arguments or no message), core helpers
 * true/false, and the logging, header and PV setters nothing.
 *
 * The optional tables (sr.sl, sr.tm, sr.xhttp, sr.mq ...) are one row
 * each in sr_rows below, naming the registry function that does the work:
 * a table exists when its module is loaded (the `register` parameter is
 * accepted but not needed), a row when the registry implements its
 * function. Rows whose C API differs from the cfg function in more than
 * return codes (sqlops' result accessors) are not there yet.
 */
#include <string.h>
#include <strings.h>

#include "lb_int.h"

/* ------------------------------------------------------------ helpers */

/* The stack index of the k-th argument from the end (1: the last), 0
 * when there are fewer arguments. */
static int top_idx(lua_State *L, int k)
{
	int n = lua_gettop(L);
	return k <= n ? n - k + 1 : 0;
}

static const char *top_str(lua_State *L, int k, size_t *len)
{
	int i = top_idx(L, k);
	const char *s = i ? lua_tolstring(L, i, len) : NULL;
	if (s == NULL)
		*len = 0;
	return s;
}

static lua_Integer top_int(lua_State *L, int k)
{
	int i = top_idx(L, k);
	return i ? lua_tointeger(L, i) : 0;
}

/* Call module.name with args; push true when its code is positive, else
 * false (also when there is no message or no such function). */
static int push_bool_call(lua_State *L, lb_state *st, const char *module,
		const char *name, vm_value *args, unsigned nargs)
{
	const vm_fn_export *fn;
	int ok = 0;

	if (lb_has_msg(st) && (fn = lb_find_fn(st->ctx->lp, module, name, (int)nargs)) != NULL)
		ok = lb_call_fn(st, module, fn, args, nargs) > 0;
	lua_pushboolean(L, ok);
	return 1;
}

/* ------------------------------------------------------------ sr */

static int sr_probe(lua_State *L)
{
	(void)L;
	return 0;
}

static int sr_dbg(lua_State *L)
{
	size_t len;
	const char *s = top_str(L, 1, &len);
	if (s)
		lb_log(lb_self(L), VM_L_DBG, s, len);
	return 0;
}

static int sr_err(lua_State *L)
{
	size_t len;
	const char *s = top_str(L, 1, &len);
	if (s)
		lb_log(lb_self(L), VM_L_ERR, s, len);
	return 0;
}

/* sr.log(level, msg): level names of 5.x (dbg, info, notice, warn, crit,
 * anything else or nil: err), case-insensitive. */
static int sr_log(lua_State *L)
{
	size_t len, llen;
	const char *s = top_str(L, 1, &len), *lv = top_str(L, 2, &llen);
	int level = VM_L_ERR;

	if (s == NULL)
		return 0;
	if (lv != NULL) {
		if (strcasecmp(lv, "dbg") == 0)
			level = VM_L_DBG;
		else if (strcasecmp(lv, "info") == 0)
			level = VM_L_INFO;
		else if (strcasecmp(lv, "notice") == 0)
			level = VM_L_NOTICE;
		else if (strcasecmp(lv, "warn") == 0)
			level = VM_L_WARN;
		else if (strcasecmp(lv, "crit") == 0)
			level = VM_L_CRIT;
	}
	lb_log(lb_self(L), level, s, len);
	return 0;
}

/* sr.is_myself(uri or host): the host's answer. */
static int sr_is_myself(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s = top_str(L, 1, &len);
	vm_ctx *c = st->ctx;

	lua_pushboolean(L, s != NULL && len > 0 && c->myself != NULL && c->myself(c, s, len));
	return 1;
}

/* sr.setflag(n) & co: message flags through the core's functions. */
static int sr_flag(lua_State *L, const char *name)
{
	vm_value a = vm_int((int32_t)top_int(L, 1));
	return push_bool_call(L, lb_self(L), "core", name, &a, 1);
}

static int sr_setflag(lua_State *L) { return sr_flag(L, "setflag"); }
static int sr_resetflag(lua_State *L) { return sr_flag(L, "resetflag"); }
static int sr_isflagset(lua_State *L) { return sr_flag(L, "isflagset"); }

/* sr.setbflag(n[, branch]) & co: branch flags (kex's functions). */
static int sr_bflag(lua_State *L, const char *name)
{
	lb_state *st = lb_self(L);
	int n = lua_gettop(L);
	vm_value a[2];

	if (n == 1) {
		a[0] = vm_int((int32_t)lua_tointeger(L, 1));
		return push_bool_call(L, st, "kex", name, a, 1);
	}
	if (n == 2) {
		a[0] = vm_int((int32_t)lua_tointeger(L, 1));
		a[1] = vm_int((int32_t)lua_tointeger(L, 2));
		return push_bool_call(L, st, "kex", name, a, 2);
	}
	vm_log(st->ctx, VM_L_WARN, "app_lua: sr.%s: invalid number of parameters", name);
	lua_pushboolean(L, 0);
	return 1;
}

static int sr_setbflag(lua_State *L) { return sr_bflag(L, "setbflag"); }
static int sr_resetbflag(lua_State *L) { return sr_bflag(L, "resetbflag"); }
static int sr_isbflagset(lua_State *L) { return sr_bflag(L, "isbflagset"); }

/* sr.seturi(s) & co: one string for a core (or kex) function. */
static int sr_str1(lua_State *L, const char *module, const char *name)
{
	size_t len;
	const char *s = top_str(L, 1, &len);
	vm_value a = vm_str(s ? s : "", len);

	if (s == NULL) {
		lua_pushboolean(L, 0);
		return 1;
	}
	return push_bool_call(L, lb_self(L), module, name, &a, 1);
}

static int sr_seturi(lua_State *L) { return sr_str1(L, "core", "seturi"); }
static int sr_setuser(lua_State *L) { return sr_str1(L, "core", "setuser"); }
static int sr_sethost(lua_State *L) { return sr_str1(L, "core", "sethost"); }
static int sr_setdsturi(lua_State *L) { return sr_str1(L, "kex", "setdsturi"); }

static int sr_resetdsturi(lua_State *L)
{
	return push_bool_call(L, lb_self(L), "kex", "resetdsturi", NULL, 0);
}

/* ------------------------------------------------------------ sr.hdr */

/* The message of st when one is routed and is a parsed rt_msg. */
static rt_msg *sr_msg(lb_state *st)
{
	return lb_has_msg(st) ? rt_msg_of(st->ctx) : NULL;
}

/* sr.hdr.append(txt): the text, verbatim, after the last header. */
static int sr_hdr_append(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s = top_str(L, 1, &len);
	rt_msg *m = sr_msg(st);

	if (s && m && rt_msg_lump(m, rt_msg_hdrs_end(m), 0, s, len) < 0)
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.hdr.append: cannot add the header");
	return 0;
}

/* sr.hdr.insert(txt): after the first header line (not before it: the
 * old API's quirk, KSR.hdr.insert puts it first). */
static int sr_hdr_insert(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len, off;
	const char *s = top_str(L, 1, &len);
	rt_msg *m = sr_msg(st);

	if (s == NULL || m == NULL)
		return 0;
	off = m->nhdrs ? (size_t)(m->hdrs[0].raw.s + m->hdrs[0].raw.len - m->buf) :
		rt_msg_hdrs_start(m);
	if (rt_msg_lump(m, off, 0, s, len) < 0)
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.hdr.insert: cannot add the header");
	return 0;
}

/* sr.hdr.remove(name): every header line of that name (case-insensitive,
 * compact forms not mapped). */
static int sr_hdr_remove(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s = top_str(L, 1, &len);
	rt_msg *m = sr_msg(st);

	if (s == NULL || m == NULL)
		return 0;
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_hdr *h = &m->hdrs[i];
		if (h->name.len == len && strncasecmp(h->name.s, s, len) == 0 &&
				rt_msg_lump(m, (size_t)(h->raw.s - m->buf), h->raw.len, NULL, 0) < 0)
			vm_log(st->ctx, VM_L_ERR, "app_lua: sr.hdr.remove: cannot remove %s", s);
	}
	return 0;
}

static int sr_hdr_append_to_reply(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s = top_str(L, 1, &len);
	rt_msg *m = sr_msg(st);

	if (s && m && rt_msg_reply_lump(m, s, len) < 0)
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.hdr.append_to_reply: cannot add the header");
	return 0;
}

/* ------------------------------------------------------------ sr.pv */

/* What sr.pv.get* give for a null (or unreadable) value. */
enum { NULL_NIL, NULL_W, NULL_E, NULL_N, NULL_S };

/* sr.pv.get(name) and the 5.1+ variants with a null replacement: getw
 * "<<null>>" (what 5.6.3's app_lua_sr gives, observed), gete "",
 * getvn(name, n), getvs(name, s). */
static int sr_pv_getx(lua_State *L, int mode)
{
	lb_state *st = lb_self(L);
	int k = (mode == NULL_N || mode == NULL_S) ? 2 : 1, r;
	size_t len;
	const char *name = top_str(L, k, &len);

	if (name != NULL && lb_has_msg(st)) {
		r = lb_pv_push(st, L, name, len);
		if (r == 1 && !lua_isnil(L, -1))
			return 1;
		if (r == 1)
			lua_pop(L, 1);
	}
	switch (mode) {
	case NULL_W:
		lua_pushliteral(L, "<<null>>");
		break;
	case NULL_E:
		lua_pushliteral(L, "");
		break;
	case NULL_N:
		lua_pushinteger(L, top_int(L, 1));
		break;
	case NULL_S:
		if (top_str(L, 1, &len) == NULL)
			lua_pushliteral(L, "");
		else
			lua_pushvalue(L, top_idx(L, 1));
		break;
	default:
		lua_pushnil(L);
		break;
	}
	return 1;
}

static int sr_pv_get(lua_State *L) { return sr_pv_getx(L, NULL_NIL); }
static int sr_pv_getw(lua_State *L) { return sr_pv_getx(L, NULL_W); }
static int sr_pv_gete(lua_State *L) { return sr_pv_getx(L, NULL_E); }
static int sr_pv_getvn(lua_State *L) { return sr_pv_getx(L, NULL_N); }
static int sr_pv_getvs(lua_State *L) { return sr_pv_getx(L, NULL_S); }

/* Assign v to PV `name` (errors logged); nothing is returned to Lua. */
static void sr_pv_assign(lb_state *st, const char *name, size_t len, const vm_value *v)
{
	int own;
	vm_pvspec *sp;

	if (!lb_has_msg(st) || (sp = lb_pv_spec(st, name, len, 0, &own)) == NULL)
		return;
	if (!(sp->cls->flags & VM_PV_WRITABLE) || sp->cls->set == NULL)
		vm_log(st->ctx, VM_L_ERR, "app_lua: unable to set pv [%s]", sp->text);
	else if (lb_pv_set(st, sp, v) < 0)
		vm_log(st->ctx, VM_L_ERR, "app_lua: unable to set pv [%s]", sp->text);
	if (own)
		vm_pvspec_free(sp);
}

/* sr.pv.seti(name, n): at least two arguments, the last a number. */
static int sr_pv_seti(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name;
	vm_value v;

	if (lua_gettop(L) < 2) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.pv.seti: too few parameters [%d]", lua_gettop(L));
		return 0;
	}
	if (!lua_isnumber(L, -1)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.pv.seti: invalid int parameter");
		return 0;
	}
	v = vm_int((int32_t)lua_tointeger(L, -1));
	if ((name = top_str(L, 2, &len)) != NULL)
		sr_pv_assign(st, name, len, &v);
	return 0;
}

/* sr.pv.sets(name, s): a string value (a number is converted: 12 is
 * stored as "12"); anything else is refused with an error. */
static int sr_pv_sets(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len, slen;
	const char *name, *s;
	vm_value v;

	if (lua_gettop(L) < 2) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.pv.sets: too few parameters [%d]", lua_gettop(L));
		return 0;
	}
	if (!lua_isstring(L, -1)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.pv.sets: invalid str parameter");
		return 0;
	}
	s = lua_tolstring(L, -1, &slen);
	v = vm_str(s, slen);
	if ((name = top_str(L, 2, &len)) != NULL)
		sr_pv_assign(st, name, len, &v);
	return 0;
}

static int sr_pv_unset(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name = top_str(L, 1, &len);
	vm_value v = vm_null();

	if (name != NULL)
		sr_pv_assign(st, name, len, &v);
	return 0;
}

/* sr.pv.is_null(name): true for null or unreadable, false otherwise,
 * nothing for a name that is not a PV. */
static int sr_pv_is_null(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name = top_str(L, 1, &len);
	vm_pvspec *sp;
	vm_value v;
	int own, r;

	if (name == NULL || !lb_has_msg(st) || (sp = lb_pv_spec(st, name, len, 0, &own)) == NULL)
		return 0;
	r = lb_pv_get(st, sp, &v);
	if (own)
		vm_pvspec_free(sp);
	lua_pushboolean(L, r < 0 || v.kind == VM_NULL);
	return 1;
}

/* ------------------------------------------------------------ sr.xavp */

/* sr.xavp.get / get_keys read the pv module's records through the
 * registry's field walk (vm_pv_fields). */

/* One field value into the table on top of the stack: t[field] = v
 * (simple: the first value of a field only), or appended to the list
 * t[field] = {v1, v2 ...}. */
typedef struct {
	lua_State *L;
	int simple;
	int keys;                /* get_keys: a list of names, each once */
	int nkeys;
} xavp_walk;

static void xavp_push_value(lua_State *L, const vm_value *v)
{
	if (v->kind == VM_INT)
		lua_pushinteger(L, v->i);
	else if (v->kind == VM_STR)
		lua_pushlstring(L, v->s, v->len);
	else
		lua_pushnil(L);
}

static void xavp_emit(void *ud, const char *field, size_t flen, const vm_value *v)
{
	xavp_walk *w = ud;
	lua_State *L = w->L;
	if (w->keys) {
		/* the set of names seen is the table below the list */
		lua_pushlstring(L, field, flen);
		lua_rawget(L, -3);
		int seen = !lua_isnil(L, -1);
		lua_pop(L, 1);
		if (seen)
			return;
		lua_pushlstring(L, field, flen);
		lua_pushboolean(L, 1);
		lua_rawset(L, -4);
		lua_pushlstring(L, field, flen);
		lua_rawseti(L, -2, ++w->nkeys);
		return;
	}
	lua_pushlstring(L, field, flen);
	lua_rawget(L, -2);
	if (w->simple) {
		int seen = !lua_isnil(L, -1);
		lua_pop(L, 1);
		if (seen)
			return;
		lua_pushlstring(L, field, flen);
		xavp_push_value(L, v);
		lua_rawset(L, -3);
		return;
	}
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushlstring(L, field, flen);
		lua_pushvalue(L, -2);
		lua_rawset(L, -4);
	}
	xavp_push_value(L, v);
	lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
	lua_pop(L, 1);
}

/* Push the table of record idx of $xavp(name); 0, or -1 (nothing pushed)
 * when there is none. */
static int xavp_push_item(lua_State *L, lb_state *st, const char *name, size_t len,
		int idx, int simple)
{
	xavp_walk w = { L, simple, 0, 0 };
	lua_newtable(L);
	if (vm_pv_fields(st->ctx, "xavp", name, len, idx, xavp_emit, &w) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* sr.xavp.get(name, index[, simple]): the record's fields as {field =
 * {v1, v2 ...}} ({field = v1} when simple is 1); index nil: a list of
 * every record named so, newest first; nil when there is none. */
static int sr_xavp_get(lua_State *L)
{
	lb_state *st = lb_self(L);
	int n = lua_gettop(L), simple = 0;
	size_t len;
	const char *name;

	if (n < 2 || n > 3) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.xavp.get: wrong number of parameters [%d]", n);
		return 0;
	}
	if (n == 3)
		simple = (int)lua_tointeger(L, 3) == 1;
	if (lua_type(L, 1) != LUA_TSTRING) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.xavp.get: name is not a string");
		return 0;
	}
	name = lua_tolstring(L, 1, &len);
	if (!lb_has_msg(st)) {
		lua_pushnil(L);
		return 1;
	}
	if (lua_isnumber(L, 2)) {
		if (xavp_push_item(L, st, name, len, (int)lua_tointeger(L, 2), simple) < 0)
			lua_pushnil(L);
		return 1;
	}
	lua_newtable(L);
	int i;
	for (i = 0; i < 100000 && xavp_push_item(L, st, name, len, i, simple) == 0; i++)
		lua_rawseti(L, -2, i + 1);
	if (i == 0) {
		lua_pop(L, 1);
		lua_pushnil(L);
	}
	return 1;
}

/* sr.xavp.get_keys(name, index): the field names of the record, each
 * once, newest first; nil when there is none. */
static int sr_xavp_get_keys(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name;

	if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || !lua_isnumber(L, 2)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.xavp.get_keys: wants a name and an index");
		return 0;
	}
	name = lua_tolstring(L, 1, &len);
	if (!lb_has_msg(st)) {
		lua_pushnil(L);
		return 1;
	}
	xavp_walk w = { L, 0, 1, 0 };
	lua_newtable(L);         /* names seen */
	lua_newtable(L);         /* the list */
	if (vm_pv_fields(st->ctx, "xavp", name, len, (int)lua_tointeger(L, 2), xavp_emit, &w) < 0) {
		lua_pop(L, 2);
		lua_pushnil(L);
		return 1;
	}
	lua_remove(L, -2);
	return 1;
}

/* ------------------------------------------------------------ tables */

/* What a row returns. */
enum {
	SR_INT = 1,     /* the function's code */
	SR_ZERO = 2     /* the C API's 0 for success (a positive code), -1 */
};
/* Row flags. */
#define SR_CODE  0x1u   /* the first argument is a reply code, 100..799 */
#define SR_EXACT 0x2u   /* exactly amax arguments */

/* One sr.<table>.<name>: the registry function it calls with its last
 * n arguments (amin <= n <= amax), converted per `kinds` ('i' integer,
 * 's' string). */
typedef struct {
	const char *table, *name;
	const char *module, *target;
	int amin, amax;
	const char *kinds;
	int ret;
	unsigned flags;
} sr_row;

static const sr_row sr_rows[] = {
	{ "sl", "send_reply", "sl", "send_reply", 2, 2, "is", SR_INT, SR_CODE },
	{ "tm", "t_reply", "tm", "t_reply", 2, 2, "is", SR_INT, SR_CODE },
	{ "tm", "t_relay", "tm", "t_relay", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_on_failure", "tm", "t_on_failure", 1, 1, "s", SR_INT, 0 },
	{ "tm", "t_on_branch", "tm", "t_on_branch", 1, 1, "s", SR_INT, 0 },
	{ "tm", "t_on_reply", "tm", "t_on_reply", 1, 1, "s", SR_INT, 0 },
	{ "tm", "t_check_trans", "tm", "t_check_trans", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_is_canceled", "tm", "t_is_canceled", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_newtran", "tm", "t_newtran", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_release", "tm", "t_release", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_replicate", "tm", "t_replicate", 1, 1, "s", SR_INT, 0 },
	{ "tm", "t_on_branch_failure", "tm", "t_on_branch_failure", 1, 1, "s", SR_INT, 0 },
	{ "tm", "t_load_contacts", "tm", "t_load_contacts", 0, 0, "", SR_INT, 0 },
	{ "tm", "t_next_contacts", "tm", "t_next_contacts", 0, 0, "", SR_INT, 0 },
	{ "rr", "record_route", "rr", "record_route", 0, 1, "s", SR_INT, 0 },
	{ "rr", "loose_route", "rr", "loose_route", 0, 0, "", SR_INT, 0 },
	{ "rr", "add_rr_param", "rr", "add_rr_param", 1, 1, "s", SR_INT, 0 },
	{ "auth", "www_challenge", "auth", "www_challenge", 2, 2, "ss", SR_INT, SR_EXACT },
	{ "auth", "proxy_challenge", "auth", "proxy_challenge", 2, 2, "ss", SR_INT, SR_EXACT },
	{ "auth", "pv_www_authenticate", "auth", "pv_www_authenticate", 3, 3, "sss", SR_INT, 0 },
	{ "auth", "pv_proxy_authenticate", "auth", "pv_proxy_authenticate", 3, 3, "sss", SR_INT, 0 },
	{ "auth", "consume_credentials", "auth", "consume_credentials", 0, 0, "", SR_INT, 0 },
	{ "auth_db", "www_authenticate", "auth_db", "www_authorize", 2, 2, "ss", SR_INT, 0 },
	{ "auth_db", "proxy_authenticate", "auth_db", "proxy_authorize", 2, 2, "ss", SR_INT, 0 },
	{ "maxfwd", "process_maxfwd", "maxfwd", "mf_process_maxfwd_header", 1, 1, "i", SR_INT, 0 },
	{ "registrar", "save", "registrar", "save", 1, 3, "sis", SR_INT, 0 },
	{ "registrar", "lookup", "registrar", "lookup", 1, 2, "ss", SR_INT, 0 },
	{ "registrar", "registered", "registrar", "registered", 1, 1, "s", SR_INT, 0 },
	{ "registrar", "lookup_to_dset", "registrar", "lookup_to_dset", 1, 2, "ss", SR_INT, 0 },
	{ "xhttp", "reply", "xhttp", "xhttp_reply", 4, 4, "isss", SR_ZERO, 0 },
	{ "textops", "is_privacy", "textops", "is_privacy", 1, 1, "s", SR_INT, 0 },
	{ "siputils", "has_totag", "siputils", "has_totag", 0, 0, "", SR_INT, 0 },
	{ "mq", "add", "mqueue", "mq_add", 3, 3, "sss", SR_ZERO, SR_EXACT },
};

/* sr.<table>.<name>(...) for an sr_row (upvalue 2). */
static int sr_row_call(lua_State *L)
{
	lb_state *st = lb_self(L);
	const sr_row *r = lua_touserdata(L, lua_upvalueindex(2));
	int n = lua_gettop(L), use = n < r->amax ? n : r->amax;
	const vm_fn_export *fn;
	vm_value args[8];
	int32_t rc = -1;

	if (((r->flags & SR_EXACT) && n != r->amax) || use < r->amin) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.%s.%s: invalid number of parameters [%d]",
				r->table, r->name, n);
		goto out;
	}
	if (!lb_has_msg(st))
		goto out;
	for (int i = 0; i < use; i++) {
		int idx = n - use + 1 + i;
		size_t len;
		const char *s;
		if (r->kinds[i] == 'i') {
			args[i] = vm_int((int32_t)lua_tointeger(L, idx));
		} else {
			if ((s = lua_tolstring(L, idx, &len)) == NULL) {
				vm_log(st->ctx, VM_L_ERR, "app_lua: sr.%s.%s: invalid parameter %d",
						r->table, r->name, i + 1);
				goto out;
			}
			args[i] = vm_str(s, len);
		}
	}
	if ((r->flags & SR_CODE) && (args[0].i < 100 || args[0].i > 799)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.%s.%s: invalid code parameter %d",
				r->table, r->name, args[0].i);
		goto out;
	}
	if ((fn = lb_find_fn(st->ctx->lp, r->module, r->target, use)) == NULL) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: sr.%s.%s: %s() with %d parameters is not available",
				r->table, r->name, r->target, use);
		goto out;
	}
	rc = lb_call_fn(st, r->module, fn, args, (unsigned)use);
	if (r->ret == SR_ZERO)
		rc = rc > 0 ? 0 : -1;
out:
	lua_pushinteger(L, rc);
	return 1;
}

/* sr.sl.get_reply_totag(): the To-tag of the stateless reply ($ltt(s)),
 * or false. */
static int sr_sl_get_reply_totag(lua_State *L)
{
	lb_state *st = lb_self(L);
	int r;

	if (lb_has_msg(st) && (r = lb_pv_push(st, L, "$ltt(s)", 7)) == 1) {
		if (lua_isstring(L, -1))
			return 1;
		lua_pop(L, 1);
	}
	lua_pushboolean(L, 0);
	return 1;
}

/* sr.siputils.is_uri_user_e164(uri): the URI's user is '+' and 2 to 15
 * digits. */
static int sr_is_uri_user_e164(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s = top_str(L, 1, &len);
	rt_uri u;
	int ok = 0;

	if (s != NULL && lb_has_msg(st) && rt_uri_parse(s, len, &u) == 0 && u.user.s &&
			u.user.len > 2 && u.user.len < 17 && u.user.s[0] == '+') {
		ok = 1;
		for (size_t i = 1; i < u.user.len; i++)
			if (u.user.s[i] < '0' || u.user.s[i] > '9')
				ok = 0;
	}
	lua_pushboolean(L, ok);
	return 1;
}


void lb_sr_open(lua_State *L, lb_state *st)
{
	static const struct {
		const char *name;
		lua_CFunction f;
	} core[] = {
		{ "probe", sr_probe }, { "dbg", sr_dbg }, { "err", sr_err }, { "log", sr_log },
		{ "modf", lb_modf }, { "is_myself", sr_is_myself },
		{ "setflag", sr_setflag }, { "resetflag", sr_resetflag },
		{ "isflagset", sr_isflagset }, { "setbflag", sr_setbflag },
		{ "resetbflag", sr_resetbflag }, { "isbflagset", sr_isbflagset },
		{ "seturi", sr_seturi }, { "setuser", sr_setuser }, { "sethost", sr_sethost },
		{ "setdsturi", sr_setdsturi }, { "resetdsturi", sr_resetdsturi },
	}, hdr[] = {
		{ "append", sr_hdr_append }, { "insert", sr_hdr_insert },
		{ "remove", sr_hdr_remove }, { "append_to_reply", sr_hdr_append_to_reply },
	}, pv[] = {
		{ "get", sr_pv_get }, { "getw", sr_pv_getw }, { "gete", sr_pv_gete },
		{ "getvn", sr_pv_getvn }, { "getvs", sr_pv_getvs }, { "seti", sr_pv_seti },
		{ "sets", sr_pv_sets }, { "unset", sr_pv_unset }, { "is_null", sr_pv_is_null },
	};
	const vm_loaded *lp = st->ctx->lp;

	lua_newtable(L);
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		lb_set_fn(L, st, core[i].name, core[i].f, NULL);
	lb_sub_table(L, "hdr");
	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
		lb_set_fn(L, st, hdr[i].name, hdr[i].f, NULL);
	lua_pop(L, 1);
	lb_sub_table(L, "pv");
	for (size_t i = 0; i < sizeof(pv) / sizeof(pv[0]); i++)
		lb_set_fn(L, st, pv[i].name, pv[i].f, NULL);
	lua_pop(L, 1);
	lb_sub_table(L, "xavp");
	lb_set_fn(L, st, "get", sr_xavp_get, NULL);
	lb_set_fn(L, st, "get_keys", sr_xavp_get_keys, NULL);
	lua_pop(L, 1);

	for (size_t i = 0; lp && i < sizeof(sr_rows) / sizeof(sr_rows[0]); i++) {
		const sr_row *r = &sr_rows[i];
		int ok = 0;
		if (!vm_loaded_has_module(lp, r->module))
			continue;
		for (int n = r->amin; n <= r->amax && !ok; n++)
			ok = lb_find_fn(lp, r->module, r->target, n) != NULL;
		if (!ok)
			continue;
		lb_sub_table(L, r->table);
		lb_set_fn(L, st, r->name, sr_row_call, r);
		lua_pop(L, 1);
	}
	if (lp && vm_loaded_has_module(lp, "sl")) {
		lb_sub_table(L, "sl");
		lb_set_fn(L, st, "get_reply_totag", sr_sl_get_reply_totag, NULL);
		lua_pop(L, 1);
	}
	if (lp && vm_loaded_has_module(lp, "siputils")) {
		lb_sub_table(L, "siputils");
		lb_set_fn(L, st, "is_uri_user_e164", sr_is_uri_user_e164, NULL);
		lua_pop(L, 1);
	}
	lua_setglobal(L, "sr");
}
