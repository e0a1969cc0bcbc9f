/* mod_auth_db.c — auth_db: digest authentication against a subscriber table. */
#include "mod.h"

static const vm_fn_export mod_auth_db_fns[] = {
	/* name                 n  routes   kinds  fixup  impl */
	{ "www_authorize",      2, MOD_REQ, "ss",  NULL,  NULL },
	{ "www_authenticate",   2, MOD_REQ, "ss",  NULL,  NULL },
	{ "www_authenticate",   3, MOD_REQ, "sss", NULL,  NULL },
	{ "proxy_authorize",    2, MOD_REQ, "ss",  NULL,  NULL },
	{ "proxy_authenticate", 2, MOD_REQ, "ss",  NULL,  NULL },
	{ "auth_check",         3, MOD_REQ, "ssi", NULL,  NULL },
	{ "is_subscriber",      3, MOD_ANY, "ssi", NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_auth_db_params[] = {
	{ "db_url",              VM_PARAM_STR, 0 },
	{ "user_column",         VM_PARAM_STR, 0 },
	{ "domain_column",       VM_PARAM_STR, 0 },
	{ "password_column",     VM_PARAM_STR, 0 },
	{ "password_column_2",   VM_PARAM_STR, 0 },
	{ "calculate_ha1",       VM_PARAM_INT, 0 },
	{ "use_domain",          VM_PARAM_INT, 0 },
	{ "load_credentials",    VM_PARAM_STR, 0 },
	{ "version_table",       VM_PARAM_INT, 0 },
	{ "force_generate_avps", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_auth_db = {
	.name   = "auth_db",
	.fns    = mod_auth_db_fns,
	.params = mod_auth_db_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
