/* mod_statistics.c — statistics: script-defined statistics. */
#include "mod.h"

static const vm_fn_export mod_statistics_fns[] = {
	/* name          n  routes                                                     kinds  fixup  impl */
	{ "update_stat", 2, MOD_ANY,                                                   "si",  NULL,  NULL },
	{ "reset_stat",  1, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH | MOD_LOCAL, "s",   NULL,  NULL },
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
};
