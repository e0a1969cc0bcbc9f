/* mod_auth.c — auth: digest authentication: challenges, credential checks. */
#include "mod.h"

static const vm_fn_export mod_auth_fns[] = {
	/* name                        n  routes                            kinds   fixup  impl */
	{ "consume_credentials",       0, MOD_REQ,                          "",     NULL,  NULL },
	{ "www_challenge",             2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "si",   NULL,  NULL },
	{ "proxy_challenge",           2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "si",   NULL,  NULL },
	{ "auth_challenge",            2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "si",   NULL,  NULL },
	{ "pv_www_authorize",          3, MOD_REQ,                          "ssi",  NULL,  NULL },
	{ "pv_www_authenticate",       3, MOD_REQ,                          "ssi",  NULL,  NULL },
	{ "pv_www_authenticate",       4, MOD_REQ,                          "ssis", NULL,  NULL },
	{ "pv_proxy_authorize",        3, MOD_REQ,                          "ssi",  NULL,  NULL },
	{ "pv_proxy_authenticate",     3, MOD_REQ,                          "ssi",  NULL,  NULL },
	{ "auth_get_www_authenticate", 3, MOD_REQ,                          "sip",  NULL,  NULL },
	{ "has_credentials",           1, MOD_REQ,                          "s",    NULL,  NULL },
	{ "pv_auth_check",             4, MOD_REQ,                          "ssii", NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_auth_params[] = {
	{ "secret",                 VM_PARAM_STR, 0 },
	{ "nonce_expire",           VM_PARAM_INT, 0 },
	{ "nonce_auth_max_drift",   VM_PARAM_INT, 0 },
	{ "protect_contacts",       VM_PARAM_INT, 0 },
	{ "challenge_attr",         VM_PARAM_STR, 0 },
	{ "proxy_challenge_header", VM_PARAM_STR, 0 },
	{ "www_challenge_header",   VM_PARAM_STR, 0 },
	{ "qop",                    VM_PARAM_STR, 0 },
	{ "auth_checks_register",   VM_PARAM_INT, 0 },
	{ "auth_checks_no_dlg",     VM_PARAM_INT, 0 },
	{ "auth_checks_in_dlg",     VM_PARAM_INT, 0 },
	{ "nonce_count",            VM_PARAM_INT, 0 },
	{ "nc_array_size",          VM_PARAM_INT, 0 },
	{ "nc_array_order",         VM_PARAM_INT, 0 },
	{ "one_time_nonce",         VM_PARAM_INT, 0 },
	{ "otn_in_flight_no",       VM_PARAM_INT, 0 },
	{ "otn_in_flight_order",    VM_PARAM_INT, 0 },
	{ "nid_pool_no",            VM_PARAM_INT, 0 },
	{ "force_stateless_reply",  VM_PARAM_INT, 0 },
	{ "realm_prefix",           VM_PARAM_STR, 0 },
	{ "use_domain",             VM_PARAM_INT, 0 },
	{ "algorithm",              VM_PARAM_STR, 0 },
	{ "add_authinfo_hdr",       VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_auth = {
	.name   = "auth",
	.fns    = mod_auth_fns,
	.params = mod_auth_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
