/* mod_db_sqlite.c — db_sqlite: SQLite database driver. */
#include "mod.h"

static const vm_param_export mod_db_sqlite_params[] = {
	{ "db_set_readonly",     VM_PARAM_STR, 1 },
	{ "db_set_journal_mode", VM_PARAM_STR, 1 },
	{ NULL, 0, 0 }
};

const vm_module mod_db_sqlite = {
	.name   = "db_sqlite",
	.fns    = mod_no_fns,
	.params = mod_db_sqlite_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
