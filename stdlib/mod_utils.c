/* mod_utils.c — utils: utilities: XCAP authorization status. */
#include "mod.h"

static const vm_fn_export mod_utils_fns[] = {
	/* name               n  routes   kinds  fixup  impl */
	{ "xcap_auth_status", 2, MOD_REQ, "ss",  NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_utils_params[] = {
	{ "pres_db_url",    VM_PARAM_STR, 0 },
	{ "xcap_table",     VM_PARAM_STR, 0 },
	{ "forward_active", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_utils = {
	.name   = "utils",
	.fns    = mod_utils_fns,
	.params = mod_utils_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
