/*
 * lb_ksr.c — the KSR package of Kamailio 5.x's KEMI: lua.md §2.
 *
 * KSR.<module>.<function> is generated when a state is set up, from the
 * loaded program's registry: one Lua function per name among the
 * implemented vm_fn_export rows of each loaded module (every arity of the
 * name behind it), calling the row's implementation as the VM does. So a
 * module function implemented in stdlib/ is callable from Lua the moment
 * it exists. Sub-table names are the module names, except the pv module's
 * (KSR.pvx, as in Kamailio: KSR.pv is the core's PV access).
 *
 * The core's own KEMI functions are not cfg functions: KSR.pv.*,
 * KSR.hdr.*, the log functions, the method and transport tests and
 * KSR.route are written here; the flag and URI ones are rows naming the
 * core's (or kex's) cfg function they call (core_rows).
 *
 * Conventions (§2.2): arguments by position; an int parameter through
 * lua_tointeger, a string through lua_tostring (nil: empty). Fewer
 * arguments than declared: not run, false; extra ones are ignored, but a
 * function without parameters given any is not run (false). Without a
 * message being routed every function answers false.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lb_int.h"

/* ------------------------------------------------------------ helpers */


/* The KEMI argument check of a function named `what` declared with
 * `want` parameters: 1 when it may run, else 0 with the error logged (the
 * caller answers false). */
static int args_ok(lua_State *L, lb_state *st, int want, const char *what)
{
	int n = lua_gettop(L);

	if (want == 0 && n > 0) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: invalid parameters for: %s", what);
		return 0;
	}
	if (n < want) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: invalid number of parameters for: %s", what);
		return 0;
	}
	if (!lb_has_msg(st)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: missing message for: %s", what);
		return 0;
	}
	return 1;
}

static int push_false(lua_State *L)
{
	lua_pushboolean(L, 0);
	return 1;
}

/* Argument i as a string (nil and other non-strings: ""). */
static const char *arg_str(lua_State *L, int i, size_t *len)
{
	const char *s = lua_tolstring(L, i, len);
	if (s == NULL) {
		*len = 0;
		return "";
	}
	return s;
}

/* ------------------------------------------------------------ generated */

/* KSR.<sub>.<name>(...) for an lb_fnset (upvalue 2): the export whose
 * arity is the number of arguments, else the largest one below it (the
 * extra ones are ignored). */
static int ksr_fnset_call(lua_State *L)
{
	lb_state *st = lb_self(L);
	const lb_fnset *fs = lua_touserdata(L, lua_upvalueindex(2));
	int n = lua_gettop(L), want;
	const vm_fn_export *f = NULL;
	vm_value args[16];
	vm_fmt *fmt[16] = { NULL };
	int32_t rc;

	for (unsigned i = 0; i < fs->nfn; i++) {
		int p = fs->fn[i]->nparams;
		if (p == n || p == VM_NPARAMS_VAR) {
			f = fs->fn[i];
			break;
		}
		if (p > 0 && p < n)
			f = fs->fn[i];
	}
	if (f == NULL) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: %s for: %s.%s",
				n > 0 && fs->fn[0]->nparams == 0 ? "invalid parameters" :
				"invalid number of parameters", fs->module, fs->name);
		return push_false(L);
	}
	if (!lb_has_msg(st)) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: missing message for: %s.%s", fs->module, fs->name);
		return push_false(L);
	}
	want = f->nparams == VM_NPARAMS_VAR ? n : f->nparams;
	if (want > 16)
		want = 16;
	for (int i = 0; i < want; i++) {
		size_t k = f->kinds ? strlen(f->kinds) : 0;
		char kind = k ? f->kinds[(size_t)i < k ? (size_t)i : k - 1] : 's';
		size_t len;
		const char *s;
		if ((kind == 'i' || kind == 'f') && lua_type(L, i + 1) == LUA_TNUMBER) {
			args[i] = vm_int((int32_t)lua_tointeger(L, i + 1));
		} else if (kind == 'i') {
			args[i] = vm_int((int32_t)lua_tointeger(L, i + 1));
		} else {
			s = arg_str(L, i + 1, &len);
			args[i] = vm_str(s, len);
		}
	}
	if (fs->fmt_args) {
		for (int i = 0; i < want; i++) {
			char err[256];
			if (args[i].kind != VM_STR)
				continue;
			if (vm_fmt_parse(st->ctx->lp, args[i].s, args[i].len, &fmt[i], err, sizeof(err)) < 0 ||
					vm_fmt_eval(st->ctx, fmt[i], &args[i]) != 0) {
				vm_log(st->ctx, VM_L_ERR, "app_lua: %s.%s: parameter %d: %s", fs->module,
						fs->name, i + 1, fmt[i] ? "out of memory" : err);
				for (int j = 0; j <= i; j++)
					vm_fmt_free(fmt[j]);
				return push_false(L);
			}
		}
	}
	rc = lb_call_fn(st, fs->module, f, args, (unsigned)want);
	for (int i = 0; i < want; i++)
		vm_fmt_free(fmt[i]);
	/* a few KEMI wrappers return their C function's 0 where the cfg
	 * function returns 1 (seen on 5.6.3) */
	if (rc > 0 && fs->ret0)
		rc = 0;
	lua_pushinteger(L, rc);
	return 1;
}

/* KEMI functions whose success is 0 in Kamailio 5.6.3 (the cfg
 * function's is 1). */
static const struct {
	const char *module, *name;
} ksr_ret0[] = {
	{ "xhttp", "xhttp_reply" },
};

/* KEMI-only functions of a module that read a PV: KSR.<module>.<name>()
 * returns the PV's value (a string, nil when null). */
typedef struct {
	const char *module, *name, *pv;
} ksr_pv_row;
static const ksr_pv_row ksr_pv_rows[] = {
	{ "xhttp", "get_hu", "$hu" },
};

static int ksr_pv_row_call(lua_State *L)
{
	lb_state *st = lb_self(L);
	const ksr_pv_row *r = lua_touserdata(L, lua_upvalueindex(2));
	vm_pvspec *sp;
	vm_value v;
	int own;

	if (!lb_has_msg(st) || (sp = lb_pv_spec(st, r->pv, strlen(r->pv), 0, &own)) == NULL)
		return push_false(L);
	if (lb_pv_get(st, sp, &v) < 0 || v.kind == VM_NULL) {
		lua_pushnil(L);
	} else {
		char nb[VM_INT_DEC_MAX];
		const char *s;
		size_t len;
		vm_str_view(&v, nb, &s, &len);
		lua_pushlstring(L, s, len);
	}
	if (own)
		vm_pvspec_free(sp);
	return 1;
}

/* The KSR sub-table name of a module's functions. */
static const char *sub_name(const char *module)
{
	return strcmp(module, "pv") == 0 ? "pvx" : module;
}

/* Collect st->fns from the registry: every implemented name of every
 * loaded module but core (its functions are the core_rows) and app_lua
 * (KSR.app_lua has its KEMI names, below). 0 or -1 (memory). */
static int build_fnsets(lb_state *st)
{
	const vm_loaded *lp = st->ctx->lp;
	const vm_registry *reg;
	size_t cap = 0;

	if (st->fns != NULL || lp == NULL)
		return 0;
	reg = vm_loaded_registry(lp);
	for (size_t m = 0; m < reg->nmods; m++) {
		const vm_module *mod = reg->mods[m];
		if (!strcmp(mod->name, "core") || !strcmp(mod->name, "app_lua") ||
				!vm_loaded_has_module(lp, mod->name))
			continue;
		for (const vm_fn_export *f = mod->fns; f && f->name; f++) {
			lb_fnset *fs = NULL;
			if (!f->impl)
				continue;
			for (size_t i = 0; i < st->nfns; i++)
				if (st->fns[i].module == mod->name && !strcmp(st->fns[i].name, f->name))
					fs = &st->fns[i];
			if (fs == NULL) {
				if (st->nfns == cap) {
					size_t nc = cap ? 2 * cap : 64;
					lb_fnset *n = realloc(st->fns, nc * sizeof(*n));
					if (n == NULL)
						return -1;
					st->fns = n;
					cap = nc;
				}
				fs = &st->fns[st->nfns++];
				memset(fs, 0, sizeof(*fs));
				fs->module = mod->name;
				fs->name = f->name;
				fs->fmt_args = strcmp(mod->name, "xlog") == 0;
				for (size_t r = 0; r < sizeof(ksr_ret0) / sizeof(ksr_ret0[0]); r++)
					if (!strcmp(ksr_ret0[r].module, mod->name) &&
							!strcmp(ksr_ret0[r].name, f->name))
						fs->ret0 = 1;
			}
			if (fs->nfn < sizeof(fs->fn) / sizeof(fs->fn[0])) {
				/* keep them by arity, ascending */
				unsigned j = fs->nfn++;
				while (j > 0 && fs->fn[j - 1]->nparams > f->nparams) {
					fs->fn[j] = fs->fn[j - 1];
					j--;
				}
				fs->fn[j] = f;
			}
		}
	}
	return 0;
}

void lb_ksr_free(lb_state *st)
{
	free(st->fns);
	st->fns = NULL;
	st->nfns = 0;
}

/* ------------------------------------------------------------ core rows */

enum { RET_BOOL = 1, RET_INT = 2 };

/* A core KEMI function done by a cfg function of the core or kex. */
typedef struct {
	const char *name;        /* KSR.<name> */
	const char *module, *target;
	int nargs;
	const char *kinds;       /* 'i' int, 's' string */
	int ret;
} core_row;

static const core_row core_rows[] = {
	{ "setflag", "core", "setflag", 1, "i", RET_BOOL },
	{ "resetflag", "core", "resetflag", 1, "i", RET_BOOL },
	{ "isflagset", "core", "isflagset", 1, "i", RET_BOOL },
	{ "setbflag", "kex", "setbflag", 1, "i", RET_BOOL },
	{ "resetbflag", "kex", "resetbflag", 1, "i", RET_BOOL },
	{ "isbflagset", "kex", "isbflagset", 1, "i", RET_BOOL },
	{ "setbiflag", "kex", "setbflag", 2, "ii", RET_BOOL },
	{ "resetbiflag", "kex", "resetbflag", 2, "ii", RET_BOOL },
	{ "isbiflagset", "kex", "isbflagset", 2, "ii", RET_BOOL },
	{ "setsflag", "kex", "setsflag", 1, "i", RET_BOOL },
	{ "resetsflag", "kex", "resetsflag", 1, "i", RET_BOOL },
	{ "issflagset", "kex", "issflagset", 1, "i", RET_BOOL },
	{ "seturi", "core", "seturi", 1, "s", RET_BOOL },
	{ "setuser", "core", "setuser", 1, "s", RET_BOOL },
	{ "sethost", "core", "sethost", 1, "s", RET_BOOL },
	{ "setdsturi", "kex", "setdsturi", 1, "s", RET_BOOL },
	{ "resetdsturi", "kex", "resetdsturi", 0, "", RET_BOOL },
	{ "isdsturiset", "kex", "isdsturiset", 0, "", RET_BOOL },
	{ "force_rport", "core", "force_rport", 0, "", RET_BOOL },
	{ "add_local_rport", "core", "add_local_rport", 0, "", RET_BOOL },
	{ "set_forward_close", "core", "set_forward_close", 0, "", RET_BOOL },
	{ "set_forward_no_connect", "core", "set_forward_no_connect", 0, "", RET_BOOL },
	{ "set_reply_close", "core", "set_reply_close", 0, "", RET_BOOL },
	{ "set_reply_no_connect", "core", "set_reply_no_connect", 0, "", RET_BOOL },
	{ "forward", "core", "forward", 0, "", RET_INT },
};

static int ksr_core_row(lua_State *L)
{
	lb_state *st = lb_self(L);
	const core_row *r = lua_touserdata(L, lua_upvalueindex(2));
	const vm_fn_export *fn;
	vm_value args[2];
	int32_t rc;

	if (!args_ok(L, st, r->nargs, r->name))
		return push_false(L);
	for (int i = 0; i < r->nargs; i++) {
		size_t len;
		const char *s;
		if (r->kinds[i] == 'i') {
			args[i] = vm_int((int32_t)lua_tointeger(L, i + 1));
		} else {
			s = arg_str(L, i + 1, &len);
			args[i] = vm_str(s, len);
		}
	}
	if ((fn = lb_find_fn(st->ctx->lp, r->module, r->target, r->nargs)) == NULL)
		return push_false(L);
	rc = lb_call_fn(st, r->module, fn, args, (unsigned)r->nargs);
	if (r->ret == RET_BOOL)
		lua_pushboolean(L, rc > 0);
	else
		lua_pushinteger(L, rc);
	return 1;
}

/* ------------------------------------------------------------ logging */

static int ksr_log_at(lua_State *L, int level, const char *what)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s;

	if (!args_ok(L, st, 1, what))
		return push_false(L);
	s = arg_str(L, 1, &len);
	lb_log(st, level, s, len);
	return push_false(L);
}

static int ksr_dbg(lua_State *L) { return ksr_log_at(L, VM_L_DBG, "dbg"); }
static int ksr_info(lua_State *L) { return ksr_log_at(L, VM_L_INFO, "info"); }
static int ksr_notice(lua_State *L) { return ksr_log_at(L, VM_L_NOTICE, "notice"); }
static int ksr_warn(lua_State *L) { return ksr_log_at(L, VM_L_WARN, "warn"); }
static int ksr_err(lua_State *L) { return ksr_log_at(L, VM_L_ERR, "err"); }
static int ksr_crit(lua_State *L) { return ksr_log_at(L, VM_L_CRIT, "crit"); }

/* KSR.log(level, msg): dbg, info, notice, warn, crit; anything else err. */
static int ksr_log(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len, llen;
	const char *s, *lv;
	int level = VM_L_ERR;

	if (!args_ok(L, st, 2, "log"))
		return push_false(L);
	lv = arg_str(L, 1, &llen);
	s = arg_str(L, 2, &len);
	if (!strcasecmp(lv, "dbg"))
		level = VM_L_DBG;
	else if (!strcasecmp(lv, "info"))
		level = VM_L_INFO;
	else if (!strcasecmp(lv, "notice"))
		level = VM_L_NOTICE;
	else if (!strcasecmp(lv, "warn"))
		level = VM_L_WARN;
	else if (!strcasecmp(lv, "crit"))
		level = VM_L_CRIT;
	lb_log(st, level, s, len);
	return push_false(L);
}

/* ------------------------------------------------------------ message */

/* RT_M_* of a method name, RT_M_OTHER when unknown. */
static uint32_t method_id(const char *s, size_t len)
{
	static const struct {
		const char *name;
		uint32_t id;
	} m[] = {
		{ "INVITE", RT_M_INVITE }, { "CANCEL", RT_M_CANCEL }, { "ACK", RT_M_ACK },
		{ "BYE", RT_M_BYE }, { "INFO", RT_M_INFO }, { "REGISTER", RT_M_REGISTER },
		{ "SUBSCRIBE", RT_M_SUBSCRIBE }, { "NOTIFY", RT_M_NOTIFY },
		{ "MESSAGE", RT_M_MESSAGE }, { "OPTIONS", RT_M_OPTIONS }, { "PRACK", RT_M_PRACK },
		{ "UPDATE", RT_M_UPDATE }, { "REFER", RT_M_REFER }, { "PUBLISH", RT_M_PUBLISH },
		{ "KDMQ", RT_M_KDMQ }, { "GET", RT_M_GET }, { "POST", RT_M_POST },
		{ "PUT", RT_M_PUT }, { "DELETE", RT_M_DELETE },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].name) == len && strncasecmp(m[i].name, s, len) == 0)
			return m[i].id;
	return RT_M_OTHER;
}

/* The method of the message as text and id: a request's own, a reply's
 * CSeq method. 0, or -1 when there is none. */
static int msg_method(rt_msg *m, rt_view *name, uint32_t *id)
{
	const rt_cseq *cs;

	if (m->is_request) {
		*name = m->method;
		*id = m->method_id;
		return 0;
	}
	if ((cs = rt_msg_cseq(m)) == NULL)
		return -1;
	*name = cs->method;
	*id = method_id(cs->method.s, cs->method.len);
	return 0;
}

/* The routed message for a KEMI function: NULL (and false to answer)
 * when there is none or it is not a parsed message. */
static rt_msg *ksr_msg(lb_state *st)
{
	return rt_msg_of(st->ctx);
}

/* KSR.is_method("INVITE|BYE"): one of the names, ignoring case. */
static int ksr_is_method(lua_State *L)
{
	lb_state *st = lb_self(L);
	rt_msg *m;
	rt_view mn;
	uint32_t id;
	size_t len;
	const char *s, *end, *p;

	if (!args_ok(L, st, 1, "is_method") || (m = ksr_msg(st)) == NULL || msg_method(m, &mn, &id) < 0)
		return push_false(L);
	s = arg_str(L, 1, &len);
	end = s + len;
	while (s < end) {
		for (p = s; p < end && *p != '|'; p++)
			;
		if ((size_t)(p - s) == mn.len && strncasecmp(s, mn.s, mn.len) == 0) {
			lua_pushboolean(L, 1);
			return 1;
		}
		s = p + 1;
	}
	return push_false(L);
}

/* KSR.is_method_in("IRB"): one letter per method. */
static int ksr_is_method_in(lua_State *L)
{
	static const char letters[] = "IABCMREPSNOFGU";
	static const uint32_t ids[] = {
		RT_M_INVITE, RT_M_ACK, RT_M_BYE, RT_M_CANCEL, RT_M_MESSAGE, RT_M_REGISTER,
		RT_M_PRACK, RT_M_PUBLISH, RT_M_SUBSCRIBE, RT_M_NOTIFY, RT_M_OPTIONS,
		RT_M_REFER, RT_M_GET, RT_M_UPDATE
	};
	lb_state *st = lb_self(L);
	rt_msg *m;
	rt_view mn;
	uint32_t id;
	size_t len;
	const char *s, *q;

	if (!args_ok(L, st, 1, "is_method_in") || (m = ksr_msg(st)) == NULL ||
			msg_method(m, &mn, &id) < 0)
		return push_false(L);
	s = arg_str(L, 1, &len);
	for (size_t i = 0; i < len; i++)
		if (s[i] && (q = strchr(letters, s[i])) != NULL && ids[q - letters] == id) {
			lua_pushboolean(L, 1);
			return 1;
		}
	return push_false(L);
}

/* KSR.is_INVITE() ...: the method id (upvalue 2 holds it). */
static int ksr_is_mtype(lua_State *L)
{
	lb_state *st = lb_self(L);
	uint32_t want = (uint32_t)(uintptr_t)lua_touserdata(L, lua_upvalueindex(2));
	rt_msg *m;
	rt_view mn;
	uint32_t id;

	if (!args_ok(L, st, 0, "is_METHOD") || (m = ksr_msg(st)) == NULL || msg_method(m, &mn, &id) < 0)
		return push_false(L);
	lua_pushboolean(L, id == want);
	return 1;
}

/* Transport tests on the received message (upvalue 2: what). */
enum { T_UDP = 1, T_TCP, T_TLS, T_WS, T_WSS, T_WSX, T_SCTP, T_IPV4, T_IPV6 };

static int ksr_is_transport(lua_State *L)
{
	lb_state *st = lb_self(L);
	int what = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2)), ok = 0;
	rt_msg *m;

	if (!args_ok(L, st, 0, "is_proto") || (m = ksr_msg(st)) == NULL)
		return push_false(L);
	switch (what) {
	case T_UDP: ok = m->src.proto == RT_PROTO_UDP; break;
	case T_TCP: ok = m->src.proto == RT_PROTO_TCP; break;
	case T_TLS: ok = m->src.proto == RT_PROTO_TLS; break;
	case T_WS: ok = m->src.proto == RT_PROTO_WS; break;
	case T_WSS: ok = m->src.proto == RT_PROTO_WSS; break;
	case T_WSX: ok = m->src.proto == RT_PROTO_WS || m->src.proto == RT_PROTO_WSS; break;
	case T_SCTP: ok = m->src.proto == RT_PROTO_SCTP; break;
	case T_IPV4: ok = m->src.af == 4; break;
	case T_IPV6: ok = m->src.af == 6; break;
	}
	lua_pushboolean(L, ok);
	return 1;
}

/* KSR.is_proto("tu"): u UDP, t TCP, s TLS, c SCTP, w WS, W WSS. */
static int ksr_is_proto(lua_State *L)
{
	lb_state *st = lb_self(L);
	rt_msg *m;
	size_t len;
	const char *s;
	int p;

	if (!args_ok(L, st, 1, "is_proto") || (m = ksr_msg(st)) == NULL)
		return push_false(L);
	s = arg_str(L, 1, &len);
	p = m->src.proto;
	for (size_t i = 0; i < len; i++)
		if ((s[i] == 'u' && p == RT_PROTO_UDP) || (s[i] == 't' && p == RT_PROTO_TCP) ||
				(s[i] == 's' && p == RT_PROTO_TLS) || (s[i] == 'c' && p == RT_PROTO_SCTP) ||
				(s[i] == 'w' && p == RT_PROTO_WS) || (s[i] == 'W' && p == RT_PROTO_WSS)) {
			lua_pushboolean(L, 1);
			return 1;
		}
	return push_false(L);
}

/* KSR.is_src_port(n) / KSR.is_dst_port(n) (upvalue 2: 1 for dst). */
static int ksr_is_port(lua_State *L)
{
	lb_state *st = lb_self(L);
	int dst = lua_touserdata(L, lua_upvalueindex(2)) != NULL;
	rt_msg *m;
	lua_Integer p;

	if (!args_ok(L, st, 1, dst ? "is_dst_port" : "is_src_port") || (m = ksr_msg(st)) == NULL)
		return push_false(L);
	p = lua_tointeger(L, 1);
	lua_pushboolean(L, p == (dst ? m->rcv.port : m->src.port));
	return 1;
}

/* Whether s[0..len) is this server's (the host's answer). */
static int myself(lb_state *st, const char *s, size_t len)
{
	vm_ctx *c = st->ctx;
	return s != NULL && len > 0 && c->myself != NULL && c->myself(c, s, len);
}

static int ksr_is_myself(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s;

	if (!args_ok(L, st, 1, "is_myself"))
		return push_false(L);
	s = arg_str(L, 1, &len);
	lua_pushboolean(L, myself(st, s, len));
	return 1;
}

/* KSR.is_myself_ruri() ...: which URI (upvalue 2). */
enum { MY_RURI = 1, MY_DURI, MY_NHURI, MY_FURI, MY_TURI, MY_SURI, MY_SRCIP };

static int ksr_is_myself_x(lua_State *L)
{
	lb_state *st = lb_self(L);
	int what = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2));
	const rt_nameaddr *na;
	rt_msg *m;
	rt_view v = { NULL, 0 };
	char buf[80];

	if (!args_ok(L, st, 0, "is_myself_x") || (m = ksr_msg(st)) == NULL)
		return push_false(L);
	switch (what) {
	case MY_RURI:
		if (m->is_request)
			v = rt_msg_ruri_text(m);
		break;
	case MY_DURI:
		v.s = m->dst_uri;
		v.len = m->dst_uri_len;
		break;
	case MY_NHURI:
		if (m->dst_uri && m->dst_uri_len) {
			v.s = m->dst_uri;
			v.len = m->dst_uri_len;
		} else if (m->is_request) {
			v = rt_msg_ruri_text(m);
		}
		break;
	case MY_FURI:
		if ((na = rt_msg_from(m)) != NULL)
			v = na->uri;
		break;
	case MY_TURI:
		if ((na = rt_msg_to(m)) != NULL)
			v = na->uri;
		break;
	case MY_SURI:
		if (m->src.af) {
			int n = snprintf(buf, sizeof(buf), m->src.af == 6 ? "sip:[%s]:%u" : "sip:%s:%u",
					m->src.ip, m->src.port);
			v.s = buf;
			v.len = n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0;
		}
		break;
	case MY_SRCIP:
		v.s = m->src.ip;
		v.len = strlen(m->src.ip);
		break;
	}
	lua_pushboolean(L, myself(st, v.s, v.len));
	return 1;
}

static int ksr_get_debug(lua_State *L)
{
	lb_state *st = lb_self(L);
	if (!args_ok(L, st, 0, "get_debug"))
		return push_false(L);
	lua_pushinteger(L, st->ctx->log_level);
	return 1;
}

/* KSR.set_drop(): the message is dropped when the Lua route ends (only
 * meaningful with cfgengine "lua"); the script goes on. */
static int ksr_set_drop(lua_State *L)
{
	lb_state *st = lb_self(L);
	if (!args_ok(L, st, 0, "set_drop"))
		return push_false(L);
	st->drop = 1;
	return push_false(L);
}

/* KSR.route(name): run cfg route[name]; its code, 0 when it ended the
 * script, -1 when there is no such route. */
static int ksr_route(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *s;

	if (!args_ok(L, st, 1, "route"))
		return push_false(L);
	s = arg_str(L, 1, &len);
	lua_pushinteger(L, lb_route(st, s));
	return 1;
}

/* ------------------------------------------------------------ KSR.hdr */

/* Whether header h is named name (its type for the names the parser
 * knows, compact forms included; else the name, ignoring case). */
static int hdr_is(const rt_hdr *h, int type, const char *name, size_t len)
{
	if (type != RT_HDR_OTHER)
		return h->type == type;
	return h->name.len == len && strncasecmp(h->name.s, name, len) == 0;
}

/* The index in m->hdrs of the idx-th header named name (negative: from
 * the last), -1 when none. */
static int hdr_find(rt_msg *m, const char *name, size_t len, int idx)
{
	int type = rt_hdr_type(name, len), n = 0, k;

	for (unsigned i = 0; i < m->nhdrs; i++)
		n += hdr_is(&m->hdrs[i], type, name, len);
	k = idx < 0 ? n + idx : idx;
	if (k < 0 || k >= n)
		return -1;
	for (unsigned i = 0; i < m->nhdrs; i++)
		if (hdr_is(&m->hdrs[i], type, name, len) && k-- == 0)
			return (int)i;
	return -1;
}

/* Offset just after / at the start of header line i. */
static size_t hdr_end(const rt_msg *m, int i)
{
	return (size_t)(m->hdrs[i].raw.s + m->hdrs[i].raw.len - m->buf);
}

static size_t hdr_start(const rt_msg *m, int i)
{
	return (size_t)(m->hdrs[i].raw.s - m->buf);
}

/* Remove every header named name: 0, or -1 when a change is refused. */
static int hdr_remove_all(rt_msg *m, const char *name, size_t len)
{
	int type = rt_hdr_type(name, len);

	for (unsigned i = 0; i < m->nhdrs; i++)
		if (hdr_is(&m->hdrs[i], type, name, len) &&
				rt_msg_lump(m, hdr_start(m, (int)i), m->hdrs[i].raw.len, NULL, 0) < 0)
			return -1;
	return 0;
}

/* What a KSR.hdr function does (upvalue 2). */
enum {
	H_APPEND = 1, H_INSERT, H_APPEND_AFTER, H_INSERT_BEFORE, H_REMOVE, H_RMAPPEND,
	H_RMINSERT, H_IS_PRESENT, H_APPEND_TO_REPLY
};

/* KSR.hdr.append(txt), insert(txt), append_after(txt, hname),
 * insert_before(txt, hname), remove(hname), rmappend(hname, txt),
 * rminsert(hname, txt), is_present(hname), append_to_reply(txt): 1 or
 * -1. append_after / insert_before with no such header append / insert. */
static int ksr_hdr_op(lua_State *L)
{
	static const char *const names[] = {
		"", "hdr.append", "hdr.insert", "hdr.append_after", "hdr.insert_before",
		"hdr.remove", "hdr.rmappend", "hdr.rminsert", "hdr.is_present",
		"hdr.append_to_reply"
	};
	lb_state *st = lb_self(L);
	int op = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2)), want, i, r = -1;
	size_t l1, l2;
	const char *a1, *a2;
	rt_msg *m;

	want = (op == H_APPEND_AFTER || op == H_INSERT_BEFORE || op == H_RMAPPEND ||
			op == H_RMINSERT) ? 2 : 1;
	if (!args_ok(L, st, want, names[op]))
		return push_false(L);
	if ((m = ksr_msg(st)) == NULL) {
		lua_pushinteger(L, -1);
		return 1;
	}
	a1 = arg_str(L, 1, &l1);
	a2 = want == 2 ? arg_str(L, 2, &l2) : "";
	if (want == 1)
		l2 = 0;
	switch (op) {
	case H_APPEND:
		r = rt_msg_lump(m, rt_msg_hdrs_end(m), 0, a1, l1);
		break;
	case H_INSERT:
		r = rt_msg_lump(m, rt_msg_hdrs_start(m), 0, a1, l1);
		break;
	case H_APPEND_AFTER:
		i = hdr_find(m, a2, l2, 0);
		r = rt_msg_lump(m, i >= 0 ? hdr_end(m, i) : rt_msg_hdrs_end(m), 0, a1, l1);
		break;
	case H_INSERT_BEFORE:
		i = hdr_find(m, a2, l2, 0);
		r = rt_msg_lump(m, i >= 0 ? hdr_start(m, i) : rt_msg_hdrs_start(m), 0, a1, l1);
		break;
	case H_REMOVE:
		r = hdr_remove_all(m, a1, l1);
		break;
	case H_RMAPPEND:
		r = hdr_remove_all(m, a1, l1);
		if (r == 0)
			r = rt_msg_lump(m, rt_msg_hdrs_end(m), 0, a2, l2);
		break;
	case H_RMINSERT:
		r = hdr_remove_all(m, a1, l1);
		if (r == 0)
			r = rt_msg_lump(m, rt_msg_hdrs_start(m), 0, a2, l2);
		break;
	case H_IS_PRESENT:
		r = hdr_find(m, a1, l1, 0) >= 0 ? 0 : -1;
		break;
	case H_APPEND_TO_REPLY:
		r = rt_msg_reply_lump(m, a1, l1);
		break;
	}
	lua_pushinteger(L, r < 0 ? -1 : 1);
	return 1;
}

/* KSR.hdr.get(h), gete, getw and the _idx forms (upvalue 2: bit 0-1 the
 * null mode, bit 2 with an index). */
enum { XV_NIL = 0, XV_EMPTY = 1, XV_NULLSTR = 2, XV_IDX = 4 };

static void push_xnull(lua_State *L, int mode)
{
	if (mode == XV_EMPTY)
		lua_pushliteral(L, "");
	else if (mode == XV_NULLSTR)
		lua_pushliteral(L, "<null>");
	else
		lua_pushnil(L);
}

static int ksr_hdr_get(lua_State *L)
{
	lb_state *st = lb_self(L);
	int mode = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2)), i;
	size_t len;
	const char *name;
	rt_msg *m;

	if (!args_ok(L, st, (mode & XV_IDX) ? 2 : 1, "hdr.get"))
		return push_false(L);
	name = arg_str(L, 1, &len);
	if ((m = ksr_msg(st)) == NULL ||
			(i = hdr_find(m, name, len, (mode & XV_IDX) ? (int)lua_tointeger(L, 2) : 0)) < 0) {
		push_xnull(L, mode & 3);
		return 1;
	}
	lua_pushlstring(L, m->hdrs[i].body.s, m->hdrs[i].body.len);
	return 1;
}

/* KSR.hdr.match_content(hname, op, mval, hidx): op eq (equal), ne (not
 * equal), sw (starts with), in (contains), all ignoring case; hidx f
 * (first header), l (last), a (all of them must match). */
static int ksr_hdr_match_content(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t hl, ol, vl, il;
	const char *h, *op, *v, *ix;
	rt_msg *m;
	int type, first = -1, all = 1, any = 0;

	if (!args_ok(L, st, 4, "hdr.match_content") || (m = ksr_msg(st)) == NULL)
		return push_false(L);
	h = arg_str(L, 1, &hl);
	op = arg_str(L, 2, &ol);
	v = arg_str(L, 3, &vl);
	ix = arg_str(L, 4, &il);
	if (ol != 2 || (strncmp(op, "eq", 2) && strncmp(op, "ne", 2) && strncmp(op, "sw", 2) &&
			strncmp(op, "in", 2))) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: hdr.match_content: invalid operator: %s", op);
		return push_false(L);
	}
	if (il != 1 || (ix[0] != 'f' && ix[0] != 'l' && ix[0] != 'a')) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: hdr.match_content: invalid header index: %s", ix);
		return push_false(L);
	}
	type = rt_hdr_type(h, hl);
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const rt_view *b = &m->hdrs[i].body;
		int ok;
		if (!hdr_is(&m->hdrs[i], type, h, hl))
			continue;
		if (first < 0)
			first = (int)i;
		switch (op[0]) {
		case 'e':
			ok = b->len == vl && strncasecmp(b->s, v, vl) == 0;
			break;
		case 'n':
			ok = !(b->len == vl && strncasecmp(b->s, v, vl) == 0);
			break;
		case 's':
			ok = b->len >= vl && strncasecmp(b->s, v, vl) == 0;
			break;
		default:
			ok = 0;
			for (size_t k = 0; k + vl <= b->len && !ok; k++)
				ok = strncasecmp(b->s + k, v, vl) == 0;
			break;
		}
		any = 1;
		if (ix[0] == 'f' && (int)i == first) {
			lua_pushboolean(L, ok);
			return 1;
		}
		if (!ok)
			all = 0;
		if (ix[0] == 'l')
			all = ok;   /* the last one decides */
	}
	lua_pushboolean(L, any && all);
	return 1;
}

/* ------------------------------------------------------------ KSR.pv */

/* KSR.pv.get(name) and its null replacements (upvalue 2): get nil, gete
 * "", getw "<null>", getvn(name, n), getvs(name, s). */
enum { PV_GET = 0, PV_GETE, PV_GETW, PV_GETVN, PV_GETVS };

static int ksr_pv_get(lua_State *L)
{
	lb_state *st = lb_self(L);
	int mode = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2));
	size_t len;
	const char *name;

	if (!args_ok(L, st, mode >= PV_GETVN ? 2 : 1, "pv.get"))
		return push_false(L);
	name = arg_str(L, 1, &len);
	if (lb_pv_push(st, L, name, len) == 1) {
		if (!lua_isnil(L, -1))
			return 1;
		lua_pop(L, 1);
	}
	switch (mode) {
	case PV_GETE:
		lua_pushliteral(L, "");
		break;
	case PV_GETW:
		lua_pushliteral(L, "<null>");
		break;
	case PV_GETVN:
		lua_pushinteger(L, lua_tointeger(L, 2));
		break;
	case PV_GETVS:
		arg_str(L, 2, &len);
		lua_pushvalue(L, 2);
		if (!lua_isstring(L, -1)) {
			lua_pop(L, 1);
			lua_pushliteral(L, "");
		}
		break;
	default:
		lua_pushnil(L);
		break;
	}
	return 1;
}

/* KSR.pv.geti(name): the value as an int (null, an invalid name or a
 * non-numeric string: 0). */
static int ksr_pv_geti(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name;
	vm_pvspec *sp;
	vm_value v;
	int own;
	int32_t i = 0;

	if (!args_ok(L, st, 1, "pv.geti"))
		return push_false(L);
	name = arg_str(L, 1, &len);
	if ((sp = lb_pv_spec(st, name, len, 0, &own)) != NULL) {
		if (lb_pv_get(st, sp, &v) == 0)
			i = vm_to_int(&v);
		if (own)
			vm_pvspec_free(sp);
	}
	lua_pushinteger(L, i);
	return 1;
}

/* KSR.pv.seti(name, n), sets(name, s), unset(name) (upvalue 2: 0, 1, 2):
 * true, or false for a name that is not a PV. A read-only PV is left
 * alone and the answer is true, as 5.6.3 answers. */
static int ksr_pv_set(lua_State *L)
{
	lb_state *st = lb_self(L);
	int mode = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2)), own, ok = 1;
	size_t len, slen;
	const char *name, *s;
	vm_pvspec *sp;
	vm_value v;

	if (!args_ok(L, st, mode == 2 ? 1 : 2, mode == 0 ? "pv.seti" : mode == 1 ? "pv.sets" :
			"pv.unset"))
		return push_false(L);
	name = arg_str(L, 1, &len);
	if (mode == 0) {
		v = vm_int((int32_t)lua_tointeger(L, 2));
	} else if (mode == 1) {
		s = arg_str(L, 2, &slen);
		v = vm_str(s, slen);
	} else {
		v = vm_null();
	}
	if ((sp = lb_pv_spec(st, name, len, 0, &own)) == NULL)
		return push_false(L);
	if ((sp->cls->flags & VM_PV_WRITABLE) && sp->cls->set != NULL && lb_pv_set(st, sp, &v) < 0) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: unable to set pv [%s]", sp->text);
		ok = 0;
	}
	if (own)
		vm_pvspec_free(sp);
	lua_pushboolean(L, ok);
	return 1;
}

/* KSR.pv.is_null(name): true for null, unreadable or not a PV. */
static int ksr_pv_is_null(lua_State *L)
{
	lb_state *st = lb_self(L);
	size_t len;
	const char *name;
	vm_pvspec *sp;
	vm_value v;
	int own, null = 1;

	if (!args_ok(L, st, 1, "pv.is_null"))
		return push_false(L);
	name = arg_str(L, 1, &len);
	if ((sp = lb_pv_spec(st, name, len, 0, &own)) != NULL) {
		null = lb_pv_get(st, sp, &v) < 0 || v.kind == VM_NULL;
		if (own)
			vm_pvspec_free(sp);
	}
	lua_pushboolean(L, null);
	return 1;
}

/* ------------------------------------------------------------ KSR.x */

static int ksr_x_exit(lua_State *L)
{
	return lb_raise_exit(L, 0);
}

static int ksr_x_drop(lua_State *L)
{
	return lb_raise_exit(L, 1);
}

static int ksr_x_probe(lua_State *L)
{
	(void)L;
	return 0;
}

/* ------------------------------------------------------------ KSR.app_lua */

/* KSR.app_lua.dostring(code) ... run_p3(f, a, b, c) (upvalue 2: which):
 * the cfg functions' bodies. */
enum { A_DOSTRING = 1, A_DOFILE, A_RUNSTRING, A_RUN, A_RUN1, A_RUN2, A_RUN3 };

static int ksr_app_lua(lua_State *L)
{
	lb_state *st = lb_self(L);
	int what = (int)(intptr_t)lua_touserdata(L, lua_upvalueindex(2));
	int want = what >= A_RUN ? 1 + (what - A_RUN) : 1, r;
	const char *args[3];
	size_t len;

	if (!args_ok(L, st, want, "app_lua"))
		return push_false(L);
	for (int i = 1; i < want; i++)
		args[i - 1] = arg_str(L, i + 1, &len);
	switch (what) {
	case A_DOSTRING:
		r = lb_do(st, LB_RUN_STRING, 0, arg_str(L, 1, &len), NULL, 0, "app_lua.dostring");
		break;
	case A_DOFILE:
		r = lb_do(st, LB_RUN_FILE, 0, arg_str(L, 1, &len), NULL, 0, "app_lua.dofile");
		break;
	case A_RUNSTRING:
		r = lb_do(st, LB_RUN_STRING, 1, arg_str(L, 1, &len), NULL, 0, "app_lua.runstring");
		break;
	default:
		r = lb_do(st, LB_RUN_FUNC, 1, arg_str(L, 1, &len), args, (unsigned)(want - 1),
				"app_lua.run");
		break;
	}
	lua_pushinteger(L, r);
	return 1;
}

/* ------------------------------------------------------------ open */

void lb_ksr_open(lua_State *L, lb_state *st)
{
	static const struct {
		const char *name;
		lua_CFunction f;
	} core[] = {
		{ "dbg", ksr_dbg }, { "info", ksr_info }, { "notice", ksr_notice },
		{ "warn", ksr_warn }, { "err", ksr_err }, { "crit", ksr_crit }, { "log", ksr_log },
		{ "is_method", ksr_is_method }, { "is_method_in", ksr_is_method_in },
		{ "is_proto", ksr_is_proto }, { "is_myself", ksr_is_myself },
		{ "get_debug", ksr_get_debug }, { "set_drop", ksr_set_drop }, { "route", ksr_route },
	};
	static const struct {
		const char *name;
		uint32_t id;
	} methods[] = {
		{ "is_INVITE", RT_M_INVITE }, { "is_ACK", RT_M_ACK }, { "is_BYE", RT_M_BYE },
		{ "is_CANCEL", RT_M_CANCEL }, { "is_REGISTER", RT_M_REGISTER },
		{ "is_OPTIONS", RT_M_OPTIONS }, { "is_SUBSCRIBE", RT_M_SUBSCRIBE },
		{ "is_PUBLISH", RT_M_PUBLISH }, { "is_NOTIFY", RT_M_NOTIFY },
		{ "is_REFER", RT_M_REFER }, { "is_INFO", RT_M_INFO }, { "is_UPDATE", RT_M_UPDATE },
		{ "is_PRACK", RT_M_PRACK }, { "is_MESSAGE", RT_M_MESSAGE }, { "is_KDMQ", RT_M_KDMQ },
		{ "is_GET", RT_M_GET }, { "is_POST", RT_M_POST }, { "is_PUT", RT_M_PUT },
		{ "is_DELETE", RT_M_DELETE },
	};
	static const struct {
		const char *name;
		intptr_t what;
	} transports[] = {
		{ "is_UDP", T_UDP }, { "is_TCP", T_TCP }, { "is_TLS", T_TLS }, { "is_WS", T_WS },
		{ "is_WSS", T_WSS }, { "is_WSX", T_WSX }, { "is_SCTP", T_SCTP },
		{ "is_IPv4", T_IPV4 }, { "is_IPv6", T_IPV6 },
	}, myselfs[] = {
		{ "is_myself_ruri", MY_RURI }, { "is_myself_duri", MY_DURI },
		{ "is_myself_nhuri", MY_NHURI }, { "is_myself_furi", MY_FURI },
		{ "is_myself_turi", MY_TURI }, { "is_myself_suri", MY_SURI },
		{ "is_myself_srcip", MY_SRCIP },
	}, hdrs[] = {
		{ "append", H_APPEND }, { "insert", H_INSERT }, { "append_after", H_APPEND_AFTER },
		{ "insert_before", H_INSERT_BEFORE }, { "remove", H_REMOVE },
		{ "rmappend", H_RMAPPEND }, { "rminsert", H_RMINSERT },
		{ "is_present", H_IS_PRESENT }, { "append_to_reply", H_APPEND_TO_REPLY },
	}, hgets[] = {
		{ "get", XV_NIL }, { "gete", XV_EMPTY }, { "getw", XV_NULLSTR },
		{ "get_idx", XV_IDX | XV_NIL }, { "gete_idx", XV_IDX | XV_EMPTY },
		{ "getw_idx", XV_IDX | XV_NULLSTR },
	}, pvgets[] = {
		{ "get", PV_GET }, { "gete", PV_GETE }, { "getw", PV_GETW },
		{ "getvn", PV_GETVN }, { "getvs", PV_GETVS },
	}, pvsets[] = {
		{ "seti", 0 }, { "sets", 1 }, { "unset", 2 },
	}, applua[] = {
		{ "dostring", A_DOSTRING }, { "dofile", A_DOFILE }, { "runstring", A_RUNSTRING },
		{ "run", A_RUN }, { "run_p1", A_RUN1 }, { "run_p2", A_RUN2 }, { "run_p3", A_RUN3 },
	};
	/* light userdata for small ints: (void *)what, never dereferenced */
#define UD(x) ((const void *)(intptr_t)(x))
	const vm_loaded *lp = st->ctx->lp;

	lua_newtable(L);
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		lb_set_fn(L, st, core[i].name, core[i].f, NULL);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		lb_set_fn(L, st, methods[i].name, ksr_is_mtype, UD(methods[i].id));
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		lb_set_fn(L, st, transports[i].name, ksr_is_transport, UD(transports[i].what));
	for (size_t i = 0; i < sizeof(myselfs) / sizeof(myselfs[0]); i++)
		lb_set_fn(L, st, myselfs[i].name, ksr_is_myself_x, UD(myselfs[i].what));
	lb_set_fn(L, st, "is_src_port", ksr_is_port, NULL);
	lb_set_fn(L, st, "is_dst_port", ksr_is_port, UD(1));
	for (size_t i = 0; lp && i < sizeof(core_rows) / sizeof(core_rows[0]); i++)
		if (lb_find_fn(lp, core_rows[i].module, core_rows[i].target, core_rows[i].nargs))
			lb_set_fn(L, st, core_rows[i].name, ksr_core_row, &core_rows[i]);

	lb_sub_table(L, "hdr");
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		lb_set_fn(L, st, hdrs[i].name, ksr_hdr_op, UD(hdrs[i].what));
	for (size_t i = 0; i < sizeof(hgets) / sizeof(hgets[0]); i++)
		lb_set_fn(L, st, hgets[i].name, ksr_hdr_get, UD(hgets[i].what));
	lb_set_fn(L, st, "match_content", ksr_hdr_match_content, NULL);
	lua_pop(L, 1);

	lb_sub_table(L, "pv");
	for (size_t i = 0; i < sizeof(pvgets) / sizeof(pvgets[0]); i++)
		lb_set_fn(L, st, pvgets[i].name, ksr_pv_get, UD(pvgets[i].what));
	for (size_t i = 0; i < sizeof(pvsets) / sizeof(pvsets[0]); i++)
		lb_set_fn(L, st, pvsets[i].name, ksr_pv_set, UD(pvsets[i].what));
	lb_set_fn(L, st, "geti", ksr_pv_geti, NULL);
	lb_set_fn(L, st, "is_null", ksr_pv_is_null, NULL);
	lua_pop(L, 1);

	lb_sub_table(L, "x");
	lb_set_fn(L, st, "modf", lb_modf, NULL);
	lb_set_fn(L, st, "exit", ksr_x_exit, NULL);
	lb_set_fn(L, st, "drop", ksr_x_drop, NULL);
	lb_set_fn(L, st, "probe", ksr_x_probe, NULL);
	lua_pop(L, 1);

	lb_sub_table(L, "app_lua");
	for (size_t i = 0; i < sizeof(applua) / sizeof(applua[0]); i++)
		lb_set_fn(L, st, applua[i].name, ksr_app_lua, UD(applua[i].what));
	lua_pop(L, 1);
#undef UD

	if (build_fnsets(st) < 0)
		luaL_error(L, "out of memory building the KSR package");
	for (size_t i = 0; i < st->nfns; i++) {
		lb_sub_table(L, sub_name(st->fns[i].module));
		lb_set_fn(L, st, st->fns[i].name, ksr_fnset_call, &st->fns[i]);
		lua_pop(L, 1);
		if (st->log_mode & 1)
			vm_log(st->ctx, VM_L_DBG, "app_lua: exporting KSR.%s.%s",
					sub_name(st->fns[i].module), st->fns[i].name);
	}
	for (size_t i = 0; st->ctx->lp && i < sizeof(ksr_pv_rows) / sizeof(ksr_pv_rows[0]); i++) {
		if (!vm_loaded_has_module(st->ctx->lp, ksr_pv_rows[i].module))
			continue;
		lb_sub_table(L, ksr_pv_rows[i].module);
		lb_set_fn(L, st, ksr_pv_rows[i].name, ksr_pv_row_call, (void *)&ksr_pv_rows[i]);
		lua_pop(L, 1);
	}
	lua_setglobal(L, "KSR");
}
