/* mod_maxfwd.c — maxfwd: Max-Forwards checking and decrementing. */
#include "mod.h"

static const vm_fn_export mod_maxfwd_fns[] = {
	/* name                       n  routes                           kinds  fixup  impl */
	{ "maxfwd_process",           1, MOD_REQ,                         "i",   NULL,  NULL },
	{ "mf_process_maxfwd_header", 1, MOD_REQ,                         "i",   NULL,  NULL },
	{ "process_maxfwd",           1, MOD_REQ,                         "i",   NULL,  NULL },
	{ "is_maxfwd_lt",             1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  NULL },
	{ "maxfwd_at_least",          1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  NULL },
	{ "mf_lowlimit",              1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_maxfwd_params[] = {
	{ "max_limit", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_maxfwd = {
	.name   = "maxfwd",
	.fns    = mod_maxfwd_fns,
	.params = mod_maxfwd_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
