/* mod_app_lua.c — app_lua: run Lua code from the routing script. */
#include "mod.h"

static const vm_fn_export mod_app_lua_fns[] = {
	/* name            n  routes   kinds   fixup  impl */
	{ "lua_dostring",  1, MOD_ANY, "s",    NULL,  NULL },
	{ "lua_dofile",    1, MOD_ANY, "s",    NULL,  NULL },
	{ "lua_runstring", 1, MOD_ANY, "s",    NULL,  NULL },
	{ "lua_run",       1, MOD_ANY, "s",    NULL,  NULL },
	{ "lua_run",       2, MOD_ANY, "ss",   NULL,  NULL },
	{ "lua_run",       3, MOD_ANY, "sss",  NULL,  NULL },
	{ "lua_run",       4, MOD_ANY, "ssss", NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_app_lua_params[] = {
	{ "load",     VM_PARAM_STR, 1 },
	{ "reload",   VM_PARAM_INT, 1 },
	{ "log_mode", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_app_lua = {
	.name   = "app_lua",
	.fns    = mod_app_lua_fns,
	.params = mod_app_lua_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
