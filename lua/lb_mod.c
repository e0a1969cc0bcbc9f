/*
 * lb_mod.c — the modules app_lua and app_lua_sr: their export tables, the
 * cfg functions lua_dofile, lua_dostring, lua_run and lua_runstring
 * (modules.md §22, lua.md §3), the checks made when a program is loaded,
 * and the Lua routing engine of `cfgengine "lua"` (lua.md §2.3).
 *
 * When a program loads, each `load` script is compiled (not run) so that
 * a script with a syntax error refuses the program with Lua's file:line,
 * as Kamailio refuses to start; a SIGHUP with a broken script leaves the
 * running program in place. The scripts run in each worker when it first
 * needs its Lua state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_int.h"

/* Longest function name, argument or code a cfg function takes (5.x
 * copies them into buffers of 1024 bytes: 1023 or more is refused). */
#define LB_ARG_MAX 1022

/* ------------------------------------------------------------ running */

int lb_do(lb_state *st, int kind, int loading, const char *what,
		const char *const *args, unsigned nargs, const char *who)
{
	lua_State *L;
	int r;

	if (loading) {
		if ((L = lb_loading(st)) == NULL) {
			vm_error(st->ctx, "%s: lua loading state not initialized", who);
			return -1;
		}
		if (kind == LB_RUN_FUNC)
			lb_check_reload(st);
	} else if ((L = lb_plain(st)) == NULL) {
		vm_error(st->ctx, "%s: no Lua state", who);
		return -1;
	}
	int exited = 0;
	st->busy++;
	r = lb_exec(st, L, kind, what, args, nargs, who, &exited);
	st->busy--;
	if (r == -2) {
		vm_error(st->ctx, "%s: no such function [%s] in lua scripts", who, what);
		r = -1;
	} else if (r > 0 && exited && kind != LB_RUN_FUNC) {
		/* only lua_run takes KSR.x.exit()/drop() as success: the others
		 * see the error it is raised as (seen on 5.6.3) */
		vm_error(st->ctx, "%s: error from Lua: ~~ksr~exit~~", who);
		r = -1;
	}
	return r;
}

/* Argument i of a cfg call as a NUL-terminated string in buf (LB_ARG_MAX
 * + 2 bytes): 0, or -1 (logged) when it is too long. */
static int arg_copy(vm_call *call, unsigned i, char *buf)
{
	char nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	vm_str_view(&call->args[i], nb, &s, &len);
	if (len > LB_ARG_MAX) {
		vm_error(call->ctx, "%s(): parameter %u is too long (%zu bytes, at most %d)",
				call->fn->name, i + 1, len, LB_ARG_MAX);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* lua_dofile(path), lua_dostring(code), lua_runstring(code): 1, or -1. */
static int lb_cfg_one(vm_call *call, int kind, int loading)
{
	char buf[LB_ARG_MAX + 2];
	lb_state *st = lb_state_of(call->ctx);

	if (st == NULL || arg_copy(call, 0, buf) < 0)
		return -1;
	return lb_do(st, kind, loading, buf, NULL, 0, call->fn->name);
}

static int lua_dofile_f(vm_call *call)
{
	return lb_cfg_one(call, LB_RUN_FILE, 0);
}

static int lua_dostring_f(vm_call *call)
{
	return lb_cfg_one(call, LB_RUN_STRING, 0);
}

static int lua_runstring_f(vm_call *call)
{
	return lb_cfg_one(call, LB_RUN_STRING, 1);
}

/* lua_run(func [, p1 [, p2 [, p3]]]): the global function of the loading
 * state with up to three string arguments; what it returns is ignored.
 * 1 when it completed (KSR.x.exit() included), -1 when it is missing or
 * raised an error. */
static int lua_run_f(vm_call *call)
{
	char buf[4][LB_ARG_MAX + 2];
	const char *args[3];
	lb_state *st = lb_state_of(call->ctx);

	if (st == NULL)
		return -1;
	for (unsigned i = 0; i < call->nargs && i < 4; i++) {
		if (arg_copy(call, i, buf[i]) < 0)
			return -1;
		if (i > 0)
			args[i - 1] = buf[i];
	}
	return lb_do(st, LB_RUN_FUNC, 1, buf[0], args, call->nargs - 1, "lua_run");
}

/* ------------------------------------------------------------ engine */

/* Programs whose cfgengine is "lua", noted by the init hook: a few
 * pointers compared per message (lb_engine_uses). A program whose init
 * ran again at the same address (a reload reusing the memory) replaces
 * its entry; one that does not load app_lua never matches (checked). */
#define LB_MAX_ENGINES 16
static const vm_loaded *engines[LB_MAX_ENGINES];

static void engine_note(const vm_loaded *lp, int uses)
{
	static unsigned next;
	int done = 0;

	for (int i = 0; i < LB_MAX_ENGINES; i++)
		if (__atomic_load_n(&engines[i], __ATOMIC_ACQUIRE) == lp) {
			__atomic_store_n(&engines[i], uses ? lp : NULL, __ATOMIC_RELEASE);
			done = 1;
		}
	if (!done && uses)
		__atomic_store_n(&engines[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) %
				LB_MAX_ENGINES], lp, __ATOMIC_RELEASE);
}

int lb_engine_uses(const vm_loaded *lp)
{
	for (int i = 0; i < LB_MAX_ENGINES; i++)
		if (__atomic_load_n(&engines[i], __ATOMIC_ACQUIRE) == lp)
			return vm_loaded_has_module(lp, "app_lua");
	return 0;
}

/* A string setting of module.name, or NULL. */
static const char *setting_str(const vm_loaded *lp, const char *module, const char *name)
{
	const vm_const *k = vm_loaded_setting(lp, module, name, 0);
	return k && k->kind == VM_STR && k->len ? k->s : NULL;
}

int32_t lb_engine_run(vm_ctx *c, uint32_t type, int *how)
{
	lb_state *st = lb_state_of(c);
	const char *fname = NULL, *arg = NULL;
	rt_msg *m = rt_msg_of(c);
	lua_State *L;
	int exited, r;

	*how = VM_END_RETURN;
	c->route_type = type;
	c->rc = 0;
	c->depth = 0;
	c->regtop = 0;
	if (st == NULL || (L = lb_loading(st)) == NULL) {
		vm_log(c, VM_L_ERR, "app_lua: cfgengine lua: no Lua script is loaded");
		*how = VM_END_ERROR;
		return -1;
	}
	lb_check_reload(st);
	if (type & VM_RT_REQUEST) {
		fname = "ksr_request_route";
	} else if (type & VM_RT_CORE_ONREPLY) {
		fname = setting_str(c->lp, "", "kemi.reply_route_callback");
		if (fname == NULL)
			fname = "ksr_reply_route";
	} else if ((type & VM_RT_EVENT) && m != NULL && m->is_http) {
		fname = setting_str(c->lp, "xhttp", "event_callback");
		arg = "xhttp:request";
	}
	if (fname == NULL)
		return 1;
	st->drop = 0;
	st->busy++;
	r = lb_exec(st, L, LB_RUN_FUNC, fname, &arg, arg ? 1 : 0, "app_lua", &exited);
	st->busy--;
	if (r == -2) {
		/* only the request route must exist */
		if (type & VM_RT_REQUEST) {
			vm_log(c, VM_L_ERR, "app_lua: cfgengine lua: no function %s in the Lua scripts",
					fname);
			*how = VM_END_ERROR;
			return -1;
		}
		return 1;
	}
	if (r < 0) {
		*how = VM_END_ERROR;
		return -1;
	}
	if (st->drop) {
		*how = VM_END_DROP;
		return 0;
	}
	if (exited) {
		*how = VM_END_EXIT;
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ load checks */

/* Register names app_lua_sr accepts. */
static const char *const sr_register_names[] = {
	"sl", "tm", "sqlops", "rr", "auth", "auth_db", "maxfwd", "registrar",
	"dispatcher", "xhttp", "sdpops", "presence", "presence_xml", "textops",
	"pua_usrloc", "siputils", "rls", "alias_db", "msilo", "uac", "sanity",
	"cfgutils", "tmx", "mqueue", "ndb_mongodb", NULL
};

/* Check the `register` values of module mod: known names of modules the
 * script loads. 0, or -1 with err set. */
static int check_register(const vm_loaded *lp, const char *mod, char *err, size_t errlen)
{
	const vm_const *k;

	for (unsigned n = 0; (k = vm_loaded_setting(lp, mod, "register", n)) != NULL; n++) {
		int known = 0;
		if (k->kind != VM_STR)
			continue;
		for (const char *const *r = sr_register_names; *r; r++)
			known |= strcmp(*r, k->s) == 0;
		if (!known) {
			snprintf(err, errlen, "%s: register: unknown module name '%s'", mod, k->s);
			return -1;
		}
		if (!vm_loaded_has_module(lp, k->s)) {
			snprintf(err, errlen, "%s: register: module '%s' is not loaded", mod, k->s);
			return -1;
		}
	}
	return 0;
}

#ifdef RT_ROUTE_ENGINE
/* The runtime's hook for cfgengine "lua" (runtime/rt.h). */
static const rt_engine lb_engine = { lb_engine_uses, lb_engine_run };
#endif

/* ------------------------------------------------------------ RPC */

/* The `load` script number idx of lp in list order (the reverse of the
 * declarations, as lb_list numbers them), or NULL. */
static const char *rpc_script(const vm_loaded *lp, int idx)
{
	const vm_const *k;
	int n, m = 0;

	for (n = 0; vm_loaded_setting(lp, "app_lua", "load", (unsigned)n) != NULL; n++)
		;
	for (int i = n - 1; i >= 0 && m < LB_MAX_LOAD; i--) {
		k = vm_loaded_setting(lp, "app_lua", "load", (unsigned)i);
		if (k->kind == VM_STR && m++ == idx)
			return k->s;
	}
	return NULL;
}

/* RPC app_lua.list: "<index>: [<path>]" per script; without the array
 * flag only the last line stays in the reply, as in 5.6.3. */
static void rpc_list(rt_rpc_ctx *r)
{
	const char *path;

	for (int i = 0; (path = rpc_script(r->lp, i)) != NULL; i++)
		rt_rpc_printf(r, "%d: [%s]", i, path);
}

/* RPC app_lua.reload([index]): every worker executes the script again
 * (all of them without an index or with a negative one) at its next
 * lua_run. Unlike 5.6.3, which answers success and lets each worker log
 * the error, a script that no longer compiles is refused here and the
 * running definitions stay: error 500 "Reload Failed", as for a bad index
 * or reload disabled. */
static void rpc_reload(rt_rpc_ctx *r)
{
	char err[512];
	int pos = -1;

	rt_rpc_scan_int(r, &pos);
	if (pos < -1)
		pos = -1;
	if (lb_reload(r->lp, pos, err, sizeof(err)) < 0) {
		if (r->vm)
			vm_log(r->vm, VM_L_ERR, "app_lua.reload: %s", err);
		rt_rpc_fault(r, 500, "Reload Failed");
	}
}

/* The init hook: the load scripts compile, the register names are known,
 * cfgengine "lua" has a script. 0, or -1 with the reason in err. */
static int lb_init(vm_loaded *lp, char *err, size_t errlen)
{
	const vm_const *k;
	const char *eng = setting_str(lp, "", "cfgengine");
	int uses = eng != NULL && strcmp(eng, "lua") == 0;
	char msg[400];
	unsigned n;

	for (n = 0; (k = vm_loaded_setting(lp, "app_lua", "load", n)) != NULL; n++) {
		if (n >= LB_MAX_LOAD) {
			snprintf(err, errlen, "app_lua: more than %d load scripts", LB_MAX_LOAD);
			return -1;
		}
		if (k->kind != VM_STR)
			continue;
		if (lb_compile(k->s, NULL, NULL, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "app_lua: failed to load Lua script: %s", msg);
			return -1;
		}
	}
	if (check_register(lp, "app_lua_sr", err, errlen) < 0)
		return -1;
	if (uses && n == 0) {
		snprintf(err, errlen, "app_lua: cfgengine \"lua\" needs a Lua script "
				"(modparam(\"app_lua\", \"load\", ...))");
		return -1;
	}
	engine_note(lp, uses);
	if (rt_rpc_register("app_lua.list", "list lua scripts", "app_lua", 0, rpc_list) < 0 ||
			rt_rpc_register("app_lua.reload", "Reload lua script", "app_lua", 0,
				rpc_reload) < 0) {
		snprintf(err, errlen, "app_lua: cannot register its RPC commands");
		return -1;
	}
#ifdef RT_ROUTE_ENGINE
	/* set before any worker takes the program (the server publishes it
	 * to them afterwards) */
	if (uses)
		rt_route_engine = &lb_engine;
#endif
	return 0;
}

/* The ctx hooks. A host that says its context is ready (the server, the
 * dry run) gets both Lua states at once, the load scripts run, as
 * Kamailio's child_init does in each process; elsewhere they are created
 * at the first Lua call. */
static int lb_ctx_init(vm_ctx *c)
{
	(void)c;
	return 0;
}

static void lb_ctx_ready(vm_ctx *c)
{
	lb_state *st = lb_state_of(c);

	if (st == NULL)
		return;
	lb_plain(st);
	lb_loading(st);
}

static void lb_ctx_free(vm_ctx *c)
{
	lb_state_free(c);
}

/* ------------------------------------------------------------ tables */

static const vm_fn_export lb_fns[] = {
	/* name            n  routes     kinds   fixup  impl */
	{ "lua_dostring",  1, VM_RT_ANY, "s",    NULL,  lua_dostring_f },
	{ "lua_dofile",    1, VM_RT_ANY, "s",    NULL,  lua_dofile_f },
	{ "lua_runstring", 1, VM_RT_ANY, "s",    NULL,  lua_runstring_f },
	{ "lua_run",       1, VM_RT_ANY, "s",    NULL,  lua_run_f },
	{ "lua_run",       2, VM_RT_ANY, "ss",   NULL,  lua_run_f },
	{ "lua_run",       3, VM_RT_ANY, "sss",  NULL,  lua_run_f },
	{ "lua_run",       4, VM_RT_ANY, "ssss", NULL,  lua_run_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

/* Kamailio 5.6.3's: `register` is app_lua_sr's since 5.3 (a 3.x/4.x
 * config's modparam("app_lua", "register", ...) is refused, as 5.6.3
 * refuses it; the sr tables are there without it anyway). */
static const vm_param_export lb_params[] = {
	{ "load",     VM_PARAM_STR, 1 },
	{ "reload",   VM_PARAM_INT, 1 },
	{ "log_mode", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_param_export lb_sr_params[] = {
	{ "register", VM_PARAM_STR, 1 },
	{ NULL, 0, 0 }
};

static const vm_fn_export lb_no_fns[] = { { NULL, 0, 0, NULL, NULL, NULL } };
static const vm_pv_export lb_no_pvs[] = { { NULL, 0, NULL, NULL, NULL } };
static const vm_tr_export lb_no_trs[] = { { NULL, NULL } };
static const char *const lb_no_events[] = { NULL };

const vm_module mod_app_lua = {
	.name     = "app_lua",
	.fns      = lb_fns,
	.params   = lb_params,
	.pvs      = lb_no_pvs,
	.trs      = lb_no_trs,
	.events   = lb_no_events,
	.init     = lb_init,
	.ctx_init = lb_ctx_init,
	.ctx_free = lb_ctx_free,
	.ctx_ready = lb_ctx_ready,
};

/* app_lua_sr: in 5.3+ the sr package's own module; here the package is
 * always in app_lua's states and this module only takes `register`. */
const vm_module mod_app_lua_sr = {
	.name   = "app_lua_sr",
	.fns    = lb_no_fns,
	.params = lb_sr_params,
	.pvs    = lb_no_pvs,
	.trs    = lb_no_trs,
	.events = lb_no_events,
};
