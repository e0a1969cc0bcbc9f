/*
 * mod_pv_stat.c — pv: $stat(name), the value of a statistic.
 *
 * As Kamailio 5.6.3's pv: the name is the statistic's name without its
 * group ($stat(used_size); "shmem:used_size" is not found) and is taken
 * as written — $stat($var(x)) looks for a statistic literally named
 * "$var(x)", as 5.6.3 does. Statistics are registered by the modules'
 * init hooks, which run after the PVs are parsed, so the name is looked
 * up when the PV is read (a lock-free hash lookup in rt_stats.c), among
 * the statistics of the modules the script loads. An unknown name logs a
 * warning and gives null. The value is 5.6.3's: the statistic cut to an
 * unsigned 32-bit number, printed as such, whose int form is the same
 * bits as a signed int (after update_stat("x", "-1"), $stat(x) prints
 * 4294967295 and equals -1).
 */
#include <stdio.h>
#include <string.h>

#include "mod_pv_int.h"

/* The class's parser and getter, declared beside the pv module's PV
 * table (mod_pv.c). */
int mod_pv_stat_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	(void)sp;
	if (name == NULL || len == 0) {
		*err = "$stat() needs the name of a statistic";
		return -1;
	}
	return 0;
}

int mod_pv_stat_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	int id = rt_stats_find(c->lp, sp->name, sp->nlen, RT_STATS_BY_NAME);
	uint32_t u;
	char *buf;
	int n;

	*out = vm_null();
	if (id < 0) {
		vm_log(c, VM_L_WARN, "No stat variable ``%.*s''", (int)sp->nlen, sp->name);
		return 0;
	}
	u = (uint32_t)rt_stats_get(id);
	if (!(buf = vm_arena_alloc(&c->arena, 11)))
		return -1;
	n = snprintf(buf, 11, "%u", u);
	*out = vm_int_str((int32_t)u, buf, (size_t)n);
	return 0;
}
