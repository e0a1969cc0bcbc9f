/*
 * mod_pv_stat.c — pv: $stat(name), the value of a statistic.
 *
 * As Kamailio 5.6.3's pv: the name is the statistic's name without its
 * group ($stat(used_size); "shmem:used_size" is not found) and is taken
 * as written — $stat($var(x)) looks for a statistic literally named
 * "$var(x)", as 5.6.3 does. Statistics are registered by the modules'
 * init hooks, which run after the PVs are parsed, so the name is looked
 * up when the PV is first read (a lock-free hash lookup in rt_stats.c),
 * among the statistics of the modules the script loads, and the id found
 * is kept in the spec (statistics are never unregistered; a spec belongs
 * to one loaded program). An unknown name logs a
 * warning and gives null. The value is 5.6.3's: the statistic cut to an
 * unsigned 32-bit number, printed as such, whose int form is the same
 * bits as a signed int (after update_stat("x", "-1"), $stat(x) prints
 * 4294967295 and equals -1).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mod_pv_int.h"

/* The class's parser and getter, declared beside the pv module's PV
 * table (mod_pv.c). */
int mod_pv_stat_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	_Atomic int *id;

	if (name == NULL || len == 0) {
		*err = "$stat() needs the name of a statistic";
		return -1;
	}
	if (!(id = malloc(sizeof(*id)))) {
		*err = "out of memory";
		return -1;
	}
	atomic_init(id, -1);
	sp->data = (void *)id;
	sp->data_free = free;
	return 0;
}

int mod_pv_stat_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	_Atomic int *cache = sp->data;
	int id = cache ? atomic_load_explicit(cache, memory_order_relaxed) : -1;
	uint32_t u;
	char *buf;
	size_t n;

	*out = vm_null();
	if (id < 0 && (id = rt_stats_find(c->lp, sp->name, sp->nlen, RT_STATS_BY_NAME)) >= 0 &&
			cache)
		atomic_store_explicit(cache, id, memory_order_relaxed);
	if (id < 0) {
		vm_log(c, VM_L_WARN, "No stat variable ``%.*s''", (int)sp->nlen, sp->name);
		return 0;
	}
	u = (uint32_t)rt_stats_get(id);
	if (!(buf = vm_arena_alloc(&c->arena, VM_INT_DEC_MAX)))
		return -1;
	n = vm_uint_to_dec(u, buf);
	*out = vm_int_str((int32_t)u, buf, n);
	return 0;
}
