/*
 * vm_reg.c — looking things up in a module registry.
 *
 * A registry is a read-only array of modules built at compile time
 * (stdlib/mod_list.c for sipvm's own, the generated catalog for Kamailio's);
 * nothing here allocates or locks.
 */
#include <string.h>

#include "vm.h"

/* Find a module by name. Returns NULL when reg or name is NULL or when the
 * registry has no module of that name. A linear scan: registries hold at
 * most a few hundred modules and callers look a module up once, at load. */
const vm_module *vm_registry_find(const vm_registry *reg, const char *name)
{
	size_t i;

	if (reg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < reg->nmods; i++) {
		const vm_module *m = reg->mods[i];
		if (m != NULL && m->name != NULL && strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}
