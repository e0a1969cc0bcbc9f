/* mod_xlog.c — xlog: logging with pseudo-variables in the format. */
#include "mod.h"

static const vm_fn_export mod_xlog_fns[] = {
	/* name      n  routes   kinds  fixup  impl */
	{ "xlog",    1, MOD_ANY, "s",   NULL,  NULL },
	{ "xlog",    2, MOD_ANY, "ss",  NULL,  NULL },
	{ "xlog",    3, MOD_ANY, "sss", NULL,  NULL },
	{ "xdbg",    1, MOD_ANY, "s",   NULL,  NULL },
	{ "xinfo",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "xnotice", 1, MOD_ANY, "s",   NULL,  NULL },
	{ "xwarn",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "xerr",    1, MOD_ANY, "s",   NULL,  NULL },
	{ "xbug",    1, MOD_ANY, "s",   NULL,  NULL },
	{ "xcrit",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "xalert",  1, MOD_ANY, "s",   NULL,  NULL },
	{ "xlogl",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "xlogl",   2, MOD_ANY, "ss",  NULL,  NULL },
	{ "xlogl",   3, MOD_ANY, "sss", NULL,  NULL },
	{ "xdbgl",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "xlogm",   2, MOD_ANY, "ss",  NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_xlog_params[] = {
	{ "buf_size",       VM_PARAM_INT, 0 },
	{ "force_color",    VM_PARAM_INT, 0 },
	{ "long_format",    VM_PARAM_INT, 0 },
	{ "prefix",         VM_PARAM_STR, 0 },
	{ "log_facility",   VM_PARAM_STR, 0 },
	{ "log_colors",     VM_PARAM_STR, 1 },
	{ "methods_filter", VM_PARAM_INT, 0 },
	{ "prefix_mode",    VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_xlog_pvs[] = {
	{ "C", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_xlog = {
	.name   = "xlog",
	.fns    = mod_xlog_fns,
	.params = mod_xlog_params,
	.pvs    = mod_xlog_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
