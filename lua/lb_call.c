/*
 * lb_call.c — calls from Lua into the registries: module functions by
 * their vm_fn_export row (what KSR.<module>.<function>, the sr tables and
 * sr.modf / KSR.x.modf use), and cfg routes (KSR.route).
 *
 * A call is built as the VM's CALL instruction builds it (vm/vm_exec.c):
 * a vm_call on the worker's own context with the evaluated argument
 * values, and for the parameter kinds the loader prepares from constants
 * (p: a PV name, parsed; R: a route, found) the same preparation, done
 * here per call (PV names through the state's cache). Regexes (kind r)
 * are left to the functions, which compile a non-constant pattern
 * themselves, as they do for a cfg argument computed at run time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_int.h"

/* Most arguments a call from Lua passes. */
#define LB_MAX_ARGS 16

const vm_fn_export *lb_find_fn(const vm_loaded *lp, const char *module,
		const char *name, int nargs)
{
	const vm_module *m = vm_registry_find(vm_loaded_registry(lp), module);

	if (m == NULL)
		return NULL;
	for (const vm_fn_export *f = m->fns; f && f->name; f++)
		if (f->impl && strcmp(f->name, name) == 0 &&
				(f->nparams == nargs || f->nparams == VM_NPARAMS_VAR))
			return f;
	return NULL;
}

/* The kind of parameter i of f ('x' when the row gives none; the last
 * kind repeats for a variable count). */
static char fn_kind(const vm_fn_export *f, unsigned i)
{
	size_t n = f->kinds ? strlen(f->kinds) : 0;
	if (n == 0)
		return 'x';
	return f->kinds[i < n ? i : n - 1];
}

int32_t lb_call_fn(lb_state *st, const char *module, const vm_fn_export *fn,
		vm_value *args, unsigned nargs)
{
	vm_ctx *c = st->ctx;
	void *fix[LB_MAX_ARGS];
	vm_pvspec *own[LB_MAX_ARGS];
	int any = 0;
	int32_t rc = -1;

	if (nargs > LB_MAX_ARGS)
		return -1;
	for (unsigned i = 0; i < nargs; i++) {
		char nb[VM_INT_DEC_MAX], z[256];
		const char *s;
		size_t len;
		int o = 0, rt;

		fix[i] = NULL;
		own[i] = NULL;
		switch (fn_kind(fn, i)) {
		case 'p':
			vm_str_view(&args[i], nb, &s, &len);
			if ((fix[i] = lb_pv_spec(st, s, len, 0, &o)) == NULL)
				goto out;
			if (o)
				own[i] = fix[i];
			any = 1;
			break;
		case 'R':
			vm_str_view(&args[i], nb, &s, &len);
			if (len >= sizeof(z))
				len = sizeof(z) - 1;
			memcpy(z, s, len);
			z[len] = '\0';
			if ((rt = vm_loaded_route(c->lp, VM_RT_REQUEST, z)) < 0) {
				vm_error(c, "%s(): route \"%s\" not found", fn->name, z);
				goto out;
			}
			fix[i] = (void *)(intptr_t)(rt + 1);
			any = 1;
			break;
		}
	}
	vm_call call = { c, fn, module, nargs, args, any ? (void *const *)fix : NULL };
	rc = fn->impl(&call);
out:
	for (unsigned i = 0; i < nargs; i++)
		vm_pvspec_free(own[i]);
	return rc;
}

/* The implemented export called `name` with nargs arguments among the
 * modules lp loads (core first), and its module; NULL when none. */
static const vm_fn_export *find_loaded(const vm_loaded *lp, const char *name,
		int nargs, const char **module)
{
	const vm_registry *reg = vm_loaded_registry(lp);

	for (size_t i = 0; i < reg->nmods; i++) {
		const vm_module *m = reg->mods[i];
		if (!vm_loaded_has_module(lp, m->name))
			continue;
		for (const vm_fn_export *f = m->fns; f && f->name; f++)
			if (strcmp(f->name, name) == 0 &&
					(f->nparams == nargs || f->nparams == VM_NPARAMS_VAR) && f->impl) {
				*module = m->name;
				return f;
			}
	}
	return NULL;
}

/* sr.modf(fname, p1, ... p6) and KSR.x.modf: lua.md §1.3. The string
 * arguments are parsed as the cfg's fixups parse them: a format for kind
 * s, a PV's value for an i argument written as a PV. */
int lb_modf(lua_State *L)
{
	lb_state *st = lb_self(L);
	vm_ctx *c = st->ctx;
	int n = lua_gettop(L);
	const char *fname, *module = NULL, *s;
	const vm_fn_export *fn;
	vm_value args[6];
	vm_fmt *fmt[6] = { NULL };
	size_t len;
	int32_t rc = -1;

	if (n < 1 || n > 7 || (fname = lua_tostring(L, 1)) == NULL) {
		vm_log(c, VM_L_ERR, "app_lua: modf: invalid number of parameters (%d)", n);
		lua_pushinteger(L, -1);
		return 1;
	}
	for (int i = 2; i <= n; i++) {
		if ((s = lua_tolstring(L, i, &len)) == NULL) {
			vm_log(c, VM_L_ERR, "app_lua: modf: parameter %d of '%s' is not a string",
					i - 1, fname);
			lua_pushinteger(L, -1);
			return 1;
		}
		args[i - 2] = vm_str(s, len);
	}
	if (!lb_has_msg(st)) {
		vm_log(c, VM_L_ERR, "app_lua: modf: no message is being processed");
		lua_pushinteger(L, -1);
		return 1;
	}
	if ((fn = find_loaded(c->lp, fname, n - 1, &module)) == NULL) {
		vm_log(c, VM_L_ERR, "app_lua: modf: function '%s' is not available", fname);
		lua_pushinteger(L, -1);
		return 1;
	}
	for (int i = 0; i < n - 1; i++) {
		char k = fn_kind(fn, (unsigned)i), err[256];
		if (k != 's' && !(k == 'i' && args[i].len > 0 && args[i].s[0] == '$'))
			continue;
		if (vm_fmt_parse(c->lp, args[i].s, args[i].len, &fmt[i], err, sizeof(err)) < 0) {
			vm_log(c, VM_L_ERR, "app_lua: modf: %s(): parameter %d: %s", fname, i + 1, err);
			goto out;
		}
		if (vm_fmt_eval(c, fmt[i], &args[i]) != 0) {
			vm_log(c, VM_L_ERR, "app_lua: modf: %s(): out of memory", fname);
			goto out;
		}
	}
	rc = lb_call_fn(st, module, fn, args, (unsigned)(n - 1));
	c->rc = rc;
out:
	for (int i = 0; i < 6; i++)
		vm_fmt_free(fmt[i]);
	lua_pushinteger(L, rc);
	return 1;
}

int32_t lb_route(lb_state *st, const char *name)
{
	vm_ctx *c = st->ctx;
	int rt = vm_loaded_route(c->lp, VM_RT_REQUEST, name);
	int how = VM_END_RETURN;
	int32_t code;

	if (rt < 0)
		return -1;
	if (c->depth == 0 && c->regtop == 0) {
		/* no cfg route is running (cfgengine "lua"): a plain run */
		code = vm_run(c, rt, c->route_type, &how);
	} else {
		/* a cfg route runs below this Lua code (lua_run): the route runs
		 * on the next register window, as route() would */
		code = vm_run_sub(c, rt, &how);
	}
	if (how == VM_END_DROP)
		st->drop = 1;
	if (how == VM_END_EXIT || how == VM_END_DROP)
		return 0;
	return code;
}

/* See lb_int.h. */
void lb_set_fn(lua_State *L, lb_state *st, const char *name, lua_CFunction f,
		const void *extra)
{
	lua_pushlightuserdata(L, st);
	if (extra) {
		lua_pushlightuserdata(L, (void *)extra);
		lua_pushcclosure(L, f, 2);
	} else {
		lua_pushcclosure(L, f, 1);
	}
	lua_setfield(L, -2, name);
}

/* See lb_int.h. */
void lb_sub_table(lua_State *L, const char *name)
{
	lua_getfield(L, -1, name);
	if (lua_istable(L, -1))
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, name);
}
