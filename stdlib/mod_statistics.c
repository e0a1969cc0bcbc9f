/*
 * mod_statistics.c — statistics: statistics the script declares and
 * changes.
 *
 * As Kamailio 5.6.3's module: modparam("statistics", "variable",
 * "name[/no_reset]") declares a counter script:name (the flag's case does
 * not matter; any other flag, an empty name or the same name twice
 * refuses the config); update_stat(name, n) adds n (negative allowed) and
 * reset_stat(name) zeroes it, for any statistic found by name as $stat
 * finds it (kex's rcv_requests too; computed ones such as sl's or shmem's
 * do not change, and no_reset ones ignore reset_stat). A name written as
 * text is checked when the config loads ("variable <x> not defined"), as
 * are a constant n of 0 ("update with 0 has no sense") or not a number.
 * A name starting with '$' is a PV ("$var(s)" or $var(s)) whose value is
 * looked up when the function runs (-1 and an error when it is unknown);
 * "stat_$var(x)" is a name, as in 5.6.3.
 *
 * Departure: 5.6.3 reads a constant n as an unsigned 16-bit number (more
 * than 5 digits refused, 65536 taken as 0, 99999 as 34463); sipvm takes
 * the whole 32-bit value.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mod.h"

#define GROUP "script"

/* The statistic named by argument 0, or -1 after an error. The name is
 * given as written (kind x): text starting with '$' is a PV whose value is
 * the name (parsed for each call: PV names are rare), anything else the
 * name itself, as 5.6.3's fixup reads it. */
static int stat_of(vm_call *call)
{
	char buf[VM_INT_DEC_MAX], err[160];
	const char *s;
	size_t len;
	vm_pvspec *sp = NULL;
	vm_value v;
	int id;

	mod_core_arg_str(call, 0, buf, &s, &len);
	if (len > 0 && s[0] == '$') {
		if (vm_pv_parse(call->ctx->lp, s, len, &sp, err, sizeof(err)) < 0 ||
				vm_pv_get(call->ctx, sp, &v) < 0 || v.kind == VM_NULL) {
			vm_error(call->ctx, "%s(): failed to get pv string value", call->fn->name);
			vm_pvspec_free(sp);
			return -1;
		}
		vm_str_view(&v, buf, &s, &len);
	}
	id = rt_stats_find(call->ctx->lp, s, len, RT_STATS_BY_NAME);
	if (id < 0)
		vm_error(call->ctx, "%s(): variable <%.*s> not defined", call->fn->name,
				(int)len, s);
	vm_pvspec_free(sp);
	return id;
}

/* update_stat(name, n): 1, or -1 (unknown statistic, n not a number). */
static int fn_update_stat(vm_call *call)
{
	int32_t n;
	int id;

	if (mod_core_arg_int(call, 1, &n) < 0) {
		vm_error(call->ctx, "update_stat(): the update value is not a number");
		return -1;
	}
	if ((id = stat_of(call)) < 0)
		return -1;
	rt_stat_add(id, n);
	return 1;
}

/* reset_stat(name): 1, or -1 (unknown statistic). */
static int fn_reset_stat(vm_call *call)
{
	int id = stat_of(call);
	if (id < 0)
		return -1;
	rt_stats_reset(id);
	return 1;
}

/* Register the `variable` settings of lp. 0, or -1 with err set. */
static int declare_variables(vm_loaded *lp, char *err, size_t errlen)
{
	const vm_const *k, *o;
	char name[128];

	for (unsigned i = 0; (k = vm_loaded_setting(lp, "statistics", "variable", i)); i++) {
		unsigned flags = 0;
		const char *slash;
		size_t nlen;

		if (k->kind != VM_STR || k->len == 0) {
			snprintf(err, errlen, "statistics: empty variable name");
			return -1;
		}
		slash = memchr(k->s, '/', k->len);
		nlen = slash ? (size_t)(slash - k->s) : k->len;
		if (slash) {
			size_t fl = k->len - nlen - 1;
			if (fl != 8 || strncasecmp(slash + 1, "no_reset", 8) != 0) {
				snprintf(err, errlen, "statistics: unsupported flag <%.*s>",
						(int)fl, slash + 1);
				return -1;
			}
			flags |= RT_STF_NO_RESET;
		}
		if (nlen == 0 || nlen >= sizeof(name) || memchr(k->s, '\0', nlen)) {
			snprintf(err, errlen, "statistics: bad variable name \"%.*s\"",
					(int)k->len, k->s);
			return -1;
		}
		/* the same name twice: 5.6.3 refuses to start */
		for (unsigned j = 0; j < i && (o = vm_loaded_setting(lp, "statistics", "variable", j)); j++) {
			const char *os = memchr(o->s, '/', o->len);
			size_t olen = os ? (size_t)(os - o->s) : o->len;
			if (o->kind == VM_STR && olen == nlen && memcmp(o->s, k->s, nlen) == 0) {
				snprintf(err, errlen, "statistics: counter %s.%.*s already registered",
						GROUP, (int)nlen, k->s);
				return -1;
			}
		}
		memcpy(name, k->s, nlen);
		name[nlen] = '\0';
		if (rt_stats_register(GROUP, name, "statistics", flags) < 0) {
			snprintf(err, errlen, "statistics: cannot register %s:%s", GROUP, name);
			return -1;
		}
	}
	return 0;
}

/* Whether a module loaded after statistics has an init hook, i.e. may
 * register statistics of its own once this hook has run. */
static int later_inits(const vm_loaded *lp)
{
	const vm_prog *p = vm_loaded_prog(lp);
	const vm_registry *reg = vm_loaded_registry(lp);
	int after = 0;

	for (uint32_t i = 0; i < p->nset; i++) {
		const vm_setting *s = &p->set[i];
		const char *base, *dot;
		char mod[64];
		size_t n;
		const vm_module *m;

		if (s->module[0] || strcmp(s->name, "loadmodule") != 0 || s->val.kind != VM_STR)
			continue;
		base = strrchr(s->val.s, '/');
		base = base ? base + 1 : s->val.s;
		dot = strstr(base, ".so");
		n = dot ? (size_t)(dot - base) : strlen(base);
		if (n >= sizeof(mod))
			continue;
		memcpy(mod, base, n);
		mod[n] = '\0';
		if (strcmp(mod, "statistics") == 0) {
			after = 1;
			continue;
		}
		if (after && (m = vm_registry_find(reg, mod)) && m->init)
			return 1;
	}
	return 0;
}

/* Check the constant arguments of update_stat and reset_stat, as 5.6.3's
 * fixup does. 0, or -1 with err set. */
static int check_calls(vm_loaded *lp, char *err, size_t errlen)
{
	const vm_prog *p = vm_loaded_prog(lp);
	int defer = -1;

	for (uint32_t i = 0; i < p->nfn; i++) {
		const vm_fnref *f = &p->fn[i];
		int upd;

		if (strcmp(f->module, "statistics") != 0 || f->kargs == NULL)
			continue;
		upd = strcmp(f->name, "update_stat") == 0;
		if (!upd && strcmp(f->name, "reset_stat") != 0)
			continue;
		if (f->nargs > 0 && f->kargs[0] >= 0) {
			const vm_const *k = &p->k[f->kargs[0]];
			char buf[VM_INT_DEC_MAX];
			const char *s = k->s;
			size_t len = k->len;
			vm_pvspec *sp;
			if (k->kind == VM_INT) {
				len = vm_int_to_dec(k->i, buf);
				s = buf;
			}
			if (len > 0 && s[0] == '$') {
				/* a PV giving the name when the function runs */
				char e[160];
				if (vm_pv_parse(lp, s, len, &sp, e, sizeof(e)) < 0) {
					snprintf(err, errlen, "%s(): invalid pv %.*s as parameter: %s",
							f->name, (int)len, s, e);
					return -1;
				}
				vm_pvspec_free(sp);
			} else if (rt_stats_find(lp, s, len, RT_STATS_BY_NAME) < 0) {
				/* a module initialised after this one may still
				 * register it: then it is looked for at run time */
				if (defer < 0)
					defer = later_inits(lp);
				if (!defer) {
					snprintf(err, errlen, "%s(): variable <%.*s> not defined",
							f->name, (int)len, s);
					return -1;
				}
			}
		}
		if (upd && f->nargs > 1 && f->kargs[1] >= 0) {
			const vm_const *k = &p->k[f->kargs[1]];
			int32_t n = k->i;
			if (k->kind == VM_STR && vm_str_to_int(k->s, k->len, &n) < 0) {
				snprintf(err, errlen, "update_stat(): bad update number <%.*s>",
						(int)k->len, k->s);
				return -1;
			}
			if (n == 0) {
				snprintf(err, errlen, "update_stat(): update with 0 has no sense");
				return -1;
			}
		}
	}
	return 0;
}

/* The module's init hook: declare the variables, check the calls. */
static int statistics_init(vm_loaded *lp, char *err, size_t errlen)
{
	if (declare_variables(lp, err, errlen) < 0)
		return -1;
	return check_calls(lp, err, errlen);
}

static const vm_fn_export mod_statistics_fns[] = {
	/* name          n  routes                                                     kinds  fixup  impl */
	{ "update_stat", 2, MOD_ANY,                                                   "xi",  NULL,  fn_update_stat },
	{ "reset_stat",  1, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH | MOD_LOCAL, "x",   NULL,  fn_reset_stat },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_statistics_params[] = {
	{ "variable", VM_PARAM_STR, 1 },
	{ NULL, 0, 0 }
};

const vm_module mod_statistics = {
	.name   = "statistics",
	.fns    = mod_statistics_fns,
	.params = mod_statistics_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
	.init   = statistics_init,
};
