/* mod_sqlops.c — sqlops: SQL queries from the routing script. */
#include "mod.h"

static const vm_fn_export mod_sqlops_fns[] = {
	/* name              n  routes   kinds  fixup  impl */
	{ "sql_query",       3, MOD_ANY, "SsS", NULL,  NULL },
	{ "sql_query",       2, MOD_ANY, "Ss",  NULL,  NULL },
	{ "sql_query_async", 2, MOD_ANY, "Ss",  NULL,  NULL },
	{ "sql_xquery",      3, MOD_ANY, "SsS", NULL,  NULL },
	{ "sql_pvquery",     3, MOD_ANY, "SsS", NULL,  NULL },
	{ "sql_result_free", 1, MOD_ANY, "S",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_sqlops_params[] = {
	{ "sqlcon",          VM_PARAM_STR, 1 },
	{ "sqlres",          VM_PARAM_STR, 1 },
	{ "tr_buf_size",     VM_PARAM_INT, 0 },
	{ "connect_mode",    VM_PARAM_INT, 0 },
	{ "results_maxsize", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_sqlops_pvs[] = {
	{ "dbr",     VM_PV_NAME, NULL, NULL, NULL },
	{ "sqlrows", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_sqlops_trs[] = {
	{ "sql", "val" },
	{ "sql", "val.int" },
	{ "sql", "val.str" },
	{ NULL, NULL }
};

const vm_module mod_sqlops = {
	.name   = "sqlops",
	.fns    = mod_sqlops_fns,
	.params = mod_sqlops_params,
	.pvs    = mod_sqlops_pvs,
	.trs    = mod_sqlops_trs,
	.events = mod_no_events,
};
