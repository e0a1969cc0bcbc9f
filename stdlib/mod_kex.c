/* mod_kex.c — kex: script and branch flags, destination URI, pv_printf. */
#include "mod.h"

static const vm_fn_export mod_kex_fns[] = {
	/* name          n  routes   kinds  fixup  impl */
	{ "setsflag",    1, MOD_ANY, "i",   NULL,  NULL },
	{ "resetsflag",  1, MOD_ANY, "i",   NULL,  NULL },
	{ "issflagset",  1, MOD_ANY, "i",   NULL,  NULL },
	{ "setbflag",    1, MOD_ANY, "i",   NULL,  NULL },
	{ "setbflag",    2, MOD_ANY, "ii",  NULL,  NULL },
	{ "resetbflag",  1, MOD_ANY, "i",   NULL,  NULL },
	{ "resetbflag",  2, MOD_ANY, "ii",  NULL,  NULL },
	{ "isbflagset",  1, MOD_ANY, "i",   NULL,  NULL },
	{ "isbflagset",  2, MOD_ANY, "ii",  NULL,  NULL },
	{ "setdsturi",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "resetdsturi", 0, MOD_ANY, "",    NULL,  NULL },
	{ "isdsturiset", 0, MOD_ANY, "",    NULL,  NULL },
	{ "pv_printf",   2, MOD_ANY, "ps",  NULL,  NULL },
	{ "avp_printf",  2, MOD_ANY, "ps",  NULL,  NULL },
	{ "is_myself",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "setdebug",    1, MOD_ANY, "i",   NULL,  NULL },
	{ "resetdebug",  0, MOD_ANY, "",    NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_pv_export mod_kex_pvs[] = {
	{ "sruid", 0, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_kex = {
	.name   = "kex",
	.fns    = mod_kex_fns,
	.params = mod_no_params,
	.pvs    = mod_kex_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
