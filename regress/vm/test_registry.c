/*
 * test_registry.c — the two module registries (TAP).
 *
 * sipvm's own modules (stdlib/) must be well formed (every table
 * terminated, kinds one per parameter, from the documented alphabet) and say
 * the same as Kamailio 5.6.3's catalog about every export they share with
 * it: same arity and route mask, same parameter types, same PV flags, same
 * transformations and event routes. The generated Kamailio registry must
 * hold the whole catalog.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm.h"

#include "../tap.h"

const vm_registry *cfgc_registry_kamailio(void);



static const vm_fn_export *kam_fn(const vm_module *km, const char *name, int np)
{
	const vm_fn_export *f;

	for (f = km->fns; f->name; f++)
		if (strcmp(f->name, name) == 0 && f->nparams == np)
			return f;
	return NULL;
}

static int has_event(const vm_module *km, const char *name)
{
	const char *const *e;

	for (e = km->events; *e; e++)
		if (strcmp(*e, name) == 0)
			return 1;
	return 0;
}

/* The functions of one sipvm module against the catalog's. */
static void check_fns(const vm_module *m, const vm_module *km)
{
	const vm_fn_export *f;
	int n = 0, bad_kinds = 0, bad_cat = 0;

	for (f = m->fns; f->name; f++, n++) {
		const vm_fn_export *kf = kam_fn(km, f->name, f->nparams);
		size_t len = f->kinds ? strlen(f->kinds) : (size_t)-1;

		if (f->kinds == NULL || f->nparams < 0 || len != (size_t)f->nparams ||
		    strspn(f->kinds, "siSprRfx") != len) {
			printf("# %s.%s/%d: kinds \"%s\"\n", m->name, f->name,
			       f->nparams, f->kinds ? f->kinds : "(null)");
			bad_kinds++;
		}
		if (kf == NULL || kf->route_mask != f->route_mask) {
			printf("# %s.%s/%d: %s\n", m->name, f->name, f->nparams,
			       kf ? "route mask differs from Kamailio's" : "not in Kamailio's catalog");
			bad_cat++;
		}
	}
	ok(bad_kinds == 0, "%s: %d functions have one kind per parameter", m->name, n);
	ok(bad_cat == 0, "%s: functions match Kamailio's (name, arity, routes)", m->name);
}

static void check_rest(const vm_module *m, const vm_module *km)
{
	const vm_param_export *p, *kp;
	const vm_pv_export *v, *kv;
	const vm_tr_export *t, *kt;
	const char *const *e;
	int bad = 0;

	for (p = m->params; p->name; p++) {
		for (kp = km->params; kp->name; kp++)
			if (strcmp(kp->name, p->name) == 0 && kp->type == p->type &&
			    kp->multi == p->multi)
				break;
		if (kp->name == NULL) {
			printf("# %s param %s differs from Kamailio's\n", m->name, p->name);
			bad++;
		}
	}
	for (v = m->pvs; v->name; v++) {
		for (kv = km->pvs; kv->name; kv++)
			if (strcmp(kv->name, v->name) == 0 && kv->flags == v->flags)
				break;
		if (kv->name == NULL) {
			printf("# %s pv $%s differs from Kamailio's\n", m->name, v->name);
			bad++;
		}
	}
	for (t = m->trs; t->cls; t++) {
		for (kt = km->trs; kt->cls; kt++)
			if (strcmp(kt->cls, t->cls) == 0 && strcmp(kt->name, t->name) == 0)
				break;
		if (kt->cls == NULL) {
			printf("# %s transformation {%s.%s} not Kamailio's\n", m->name, t->cls, t->name);
			bad++;
		}
	}
	for (e = m->events; *e; e++)
		if (!has_event(km, *e)) {
			printf("# %s event_route[%s] not Kamailio's\n", m->name, *e);
			bad++;
		}
	ok(bad == 0, "%s: params, PVs, transformations, events match Kamailio's", m->name);
}

int main(void)
{
	const vm_registry *sr = vm_registry_sipvm();
	const vm_registry *kr = cfgc_registry_kamailio();
	const vm_module *tm, *core;
	size_t i;

	ok(sr != NULL && strcmp(sr->label, "sipvm") == 0, "sipvm registry");
	ok(kr != NULL && strcmp(kr->label, "Kamailio 5.6.3") == 0, "Kamailio registry label");
	if (sr == NULL || kr == NULL) {
		tap_done();
		return 1;
	}
	ok(sr->nmods == 27, "sipvm has 27 modules (%zu)", sr->nmods);
	ok(kr->nmods >= 220, "Kamailio catalog has >= 220 modules (%zu)", kr->nmods);
	ok(strcmp(sr->mods[0]->name, "core") == 0 && strcmp(kr->mods[0]->name, "core") == 0,
	   "core comes first in both");

	ok(vm_registry_find(sr, "nosuchmodule") == NULL, "find: unknown module -> NULL");
	ok(vm_registry_find(NULL, "tm") == NULL && vm_registry_find(sr, NULL) == NULL,
	   "find: NULL arguments -> NULL");
	tm = vm_registry_find(kr, "tm");
	ok(tm != NULL && kam_fn(tm, "t_relay", 0) != NULL, "find: Kamailio tm has t_relay/0");
	ok(tm != NULL && has_event(tm, "tm:local-request") && has_event(tm, "tm:branch-failure:"),
	   "Kamailio tm raises tm:local-request and tm:branch-failure:*");
	core = vm_registry_find(kr, "core");
	ok(core != NULL && kam_fn(core, "forward", 2) != NULL &&
	   kam_fn(core, "forward", 2)->fixup != NULL, "Kamailio core has forward/2 with its forms");

	for (i = 0; i < kr->nmods; i++) {
		const vm_module *m = kr->mods[i];
		if (!m || !m->name || !m->fns || !m->params || !m->pvs || !m->trs || !m->events ||
		    vm_registry_find(kr, m->name) != m)
			break;
	}
	ok(i == kr->nmods, "Kamailio registry: every module complete and findable");

	for (i = 0; i < sr->nmods; i++) {
		const vm_module *m = sr->mods[i];
		const vm_module *km;

		if (!m || !m->name || !m->fns || !m->params || !m->pvs || !m->trs || !m->events) {
			ok(0, "sipvm module %zu complete", i);
			continue;
		}
		ok(vm_registry_find(sr, m->name) == m, "%s: findable", m->name);
		km = vm_registry_find(kr, m->name);
		ok(km != NULL, "%s: a Kamailio module of that name exists", m->name);
		if (km == NULL)
			continue;
		check_fns(m, km);
		check_rest(m, km);
	}

	return tap_done();
}
