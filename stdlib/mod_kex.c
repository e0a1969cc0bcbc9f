/*
 * mod_kex.c — kex: script and branch flags, destination URI, pv_printf,
 * is_myself, per-worker debug level.
 *
 * Script flags and the flags of branch 0 (the R-URI) live in the core's
 * per-message state (mod.h); sipvm has no additional branches yet, so a
 * branch index above 0 is a branch that does not exist (-1).
 */
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"
#include "mod.h"

/* The flag argument i, 0..31; -1 outside (no error logged, as Kamailio). */
static int kex_flag(vm_call *call, unsigned i, int32_t *f)
{
	if (mod_core_arg_int(call, i, f) < 0) {
		vm_error(call->ctx, "%s(): no flag value", call->fn->name);
		return -1;
	}
	return (*f < 0 || *f > 31) ? -1 : 0;
}

enum { FL_SET, FL_RESET, FL_TEST };

/* setsflag(f), resetsflag(f), issflagset(f): script flags. */
static int sflag_op(vm_call *call, int op)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t f;

	if (st == NULL || kex_flag(call, 0, &f) < 0)
		return -1;
	switch (op) {
	case FL_SET:
		st->sflags |= 1u << f;
		return 1;
	case FL_RESET:
		st->sflags &= ~(1u << f);
		return 1;
	default:
		return (st->sflags & (1u << f)) ? 1 : -1;
	}
}

static int setsflag_f(vm_call *call) { return sflag_op(call, FL_SET); }
static int resetsflag_f(vm_call *call) { return sflag_op(call, FL_RESET); }
static int issflagset_f(vm_call *call) { return sflag_op(call, FL_TEST); }

/* setbflag(f[, branch]), resetbflag, isbflagset: branch flags; branch 0
 * (the default) is the R-URI's. */
static int bflag_op(vm_call *call, int op)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t f, idx = 0;

	if (st == NULL || kex_flag(call, 0, &f) < 0)
		return -1;
	if (call->nargs > 1) {
		if (mod_core_arg_int(call, 1, &idx) < 0) {
			vm_error(call->ctx, "%s(): no idx value", call->fn->name);
			return -1;
		}
		if (idx < 0)
			return -1;
	}
	if (idx != 0)
		return -1;
	switch (op) {
	case FL_SET:
		st->bflags |= 1u << f;
		return 1;
	case FL_RESET:
		st->bflags &= ~(1u << f);
		return 1;
	default:
		return (st->bflags & (1u << f)) ? 1 : -1;
	}
}

static int setbflag_f(vm_call *call) { return bflag_op(call, FL_SET); }
static int resetbflag_f(vm_call *call) { return bflag_op(call, FL_RESET); }
static int isbflagset_f(vm_call *call) { return bflag_op(call, FL_TEST); }

/* setdsturi(uri): $du. 1 or -1. */
static int setdsturi_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	if (m == NULL)
		return -1;
	mod_core_arg_str(call, 0, buf, &s, &len);
	return rt_msg_set_duri(m, s, len) < 0 ? -1 : 1;
}

/* resetdsturi(): no $du. 1. */
static int resetdsturi_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);

	if (m == NULL)
		return -1;
	free(m->dst_uri);
	m->dst_uri = NULL;
	m->dst_uri_len = 0;
	return 1;
}

/* isdsturiset(): 1 when $du is set (and not empty). */
static int isdsturiset_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);

	return (m != NULL && m->dst_uri != NULL && m->dst_uri_len > 0) ? 1 : -1;
}

/* pv_printf($pv, format), avp_printf: the expanded format assigned to the
 * PV. 1, or -1 (the PV refuses it). */
static int pv_printf_f(vm_call *call)
{
	vm_pvspec *sp = mod_core_fix(call, 0), *own = NULL;
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	vm_value v;
	int r;

	if (sp == NULL) {
		char err[256];
		mod_core_arg_str(call, 0, buf, &s, &len);
		if (vm_pv_parse(call->ctx->lp, s, len, &own, err, sizeof(err)) < 0) {
			vm_error(call->ctx, "%s(): %s", call->fn->name, err);
			return -1;
		}
		sp = own;
	}
	if (call->args[1].kind == VM_INT) {
		v = call->args[1];
		if (vm_to_str(&call->ctx->arena, &call->args[1], &v) != 0)
			v = vm_str("", 0);
	} else {
		mod_core_arg_str(call, 1, buf, &s, &len);
		v = vm_str(s, len);
	}
	r = vm_pv_set(call->ctx, sp, VM_PV_ASSIGN, &v);
	vm_pvspec_free(own);
	if (r < 0) {
		vm_error(call->ctx, "%s(): setting PV failed", call->fn->name);
		return -1;
	}
	return 1;
}

/* is_myself(uri or host[:port]): the host's answer (c->myself). */
static int is_myself_f(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	mod_core_arg_str(call, 0, buf, &s, &len);
	if (call->ctx->myself == NULL || len == 0)
		return -1;
	return call->ctx->myself(call->ctx, s, len) ? 1 : -1;
}

/* setdebug(level): this worker's log level; resetdebug(): back to the
 * `debug` parameter's. 1. */
static int setdebug_f(vm_call *call)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t level;

	if (st == NULL || mod_core_arg_int(call, 0, &level) < 0)
		return -1;
	if (!st->debug_set) {
		st->debug_saved = call->ctx->log_level;
		st->debug_set = 1;
	}
	call->ctx->log_level = level;
	return 1;
}

static int resetdebug_f(vm_call *call)
{
	mod_core_state *st = mod_core_state_of(call->ctx);

	if (st == NULL)
		return -1;
	if (st->debug_set) {
		call->ctx->log_level = st->debug_saved;
		st->debug_set = 0;
	}
	return 1;
}

static const vm_fn_export mod_kex_fns[] = {
	/* name          n  routes   kinds  fixup  impl */
	{ "setsflag",    1, MOD_ANY, "i",   NULL,  setsflag_f },
	{ "resetsflag",  1, MOD_ANY, "i",   NULL,  resetsflag_f },
	{ "issflagset",  1, MOD_ANY, "i",   NULL,  issflagset_f },
	{ "setbflag",    1, MOD_ANY, "i",   NULL,  setbflag_f },
	{ "setbflag",    2, MOD_ANY, "ii",  NULL,  setbflag_f },
	{ "resetbflag",  1, MOD_ANY, "i",   NULL,  resetbflag_f },
	{ "resetbflag",  2, MOD_ANY, "ii",  NULL,  resetbflag_f },
	{ "isbflagset",  1, MOD_ANY, "i",   NULL,  isbflagset_f },
	{ "isbflagset",  2, MOD_ANY, "ii",  NULL,  isbflagset_f },
	{ "setdsturi",   1, MOD_ANY, "s",   NULL,  setdsturi_f },
	{ "resetdsturi", 0, MOD_ANY, "",    NULL,  resetdsturi_f },
	{ "isdsturiset", 0, MOD_ANY, "",    NULL,  isdsturiset_f },
	{ "pv_printf",   2, MOD_ANY, "ps",  NULL,  pv_printf_f },
	{ "avp_printf",  2, MOD_ANY, "ps",  NULL,  pv_printf_f },
	{ "is_myself",   1, MOD_ANY, "s",   NULL,  is_myself_f },
	{ "setdebug",    1, MOD_ANY, "i",   NULL,  setdebug_f },
	{ "resetdebug",  0, MOD_ANY, "",    NULL,  resetdebug_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_pv_export mod_kex_pvs[] = {
	{ "sruid", 0, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_kex = {
	.name   = "kex",
	.fns    = mod_kex_fns,
	.params = mod_no_params,
	.pvs    = mod_kex_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
