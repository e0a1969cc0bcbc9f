/* mod_registrar.c — registrar: REGISTER handling: save, lookup, registered. */
#include "mod.h"

static const vm_fn_export mod_registrar_fns[] = {
	/* name                 n  routes                            kinds   fixup  impl */
	{ "save",               1, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "S",    NULL,  NULL },
	{ "save",               2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "Si",   NULL,  NULL },
	{ "save",               3, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "Sis",  NULL,  NULL },
	{ "lookup",             1, MOD_REQ | MOD_FAIL,               "S",    NULL,  NULL },
	{ "lookup",             2, MOD_REQ | MOD_FAIL,               "Ss",   NULL,  NULL },
	{ "lookup_to_dset",     1, MOD_REQ | MOD_FAIL,               "S",    NULL,  NULL },
	{ "lookup_to_dset",     2, MOD_REQ | MOD_FAIL,               "Ss",   NULL,  NULL },
	{ "registered",         1, MOD_ANY,                          "S",    NULL,  NULL },
	{ "registered",         2, MOD_ANY,                          "Ss",   NULL,  NULL },
	{ "registered",         3, MOD_ANY,                          "Ssi",  NULL,  NULL },
	{ "registered",         4, MOD_ANY,                          "Ssii", NULL,  NULL },
	{ "add_sock_hdr",       1, MOD_REQ,                          "s",    NULL,  NULL },
	{ "unregister",         2, MOD_ANY,                          "Ss",   NULL,  NULL },
	{ "unregister",         3, MOD_ANY,                          "Sss",  NULL,  NULL },
	{ "reg_fetch_contacts", 3, MOD_REQ | MOD_FAIL,               "SsS",  NULL,  NULL },
	{ "reg_free_contacts",  1, MOD_REQ | MOD_FAIL,               "S",    NULL,  NULL },
	{ "lookup_branches",    1, MOD_REQ | MOD_FAIL,               "S",    NULL,  NULL },
	{ "reg_send_reply",     0, MOD_REQ | MOD_FAIL,               "",     NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_registrar_params[] = {
	{ "default_expires",       VM_PARAM_INT, 0 },
	{ "default_expires_range", VM_PARAM_INT, 0 },
	{ "expires_range",         VM_PARAM_INT, 0 },
	{ "default_q",             VM_PARAM_INT, 0 },
	{ "append_branches",       VM_PARAM_INT, 0 },
	{ "case_sensitive",        VM_PARAM_INT, 0 },
	{ "realm_prefix",          VM_PARAM_STR, 0 },
	{ "min_expires",           VM_PARAM_INT, 0 },
	{ "max_expires",           VM_PARAM_INT, 0 },
	{ "received_param",        VM_PARAM_STR, 0 },
	{ "received_avp",          VM_PARAM_STR, 0 },
	{ "max_contacts",          VM_PARAM_INT, 0 },
	{ "retry_after",           VM_PARAM_INT, 0 },
	{ "sock_mode",             VM_PARAM_INT, 0 },
	{ "sock_flag",             VM_PARAM_INT, 0 },
	{ "sock_hdr_name",         VM_PARAM_STR, 0 },
	{ "method_filtering",      VM_PARAM_INT, 0 },
	{ "use_path",              VM_PARAM_INT, 0 },
	{ "path_mode",             VM_PARAM_INT, 0 },
	{ "path_use_received",     VM_PARAM_INT, 0 },
	{ "path_check_local",      VM_PARAM_INT, 0 },
	{ "xavp_cfg",              VM_PARAM_STR, 0 },
	{ "xavp_rcd",              VM_PARAM_STR, 0 },
	{ "xavp_rcd_mask",         VM_PARAM_INT, 0 },
	{ "gruu_enabled",          VM_PARAM_INT, 0 },
	{ "outbound_mode",         VM_PARAM_INT, 0 },
	{ "regid_mode",            VM_PARAM_INT, 0 },
	{ "flow_timer",            VM_PARAM_INT, 0 },
	{ "contact_max_size",      VM_PARAM_INT, 0 },
	{ "event_callback",        VM_PARAM_STR, 0 },
	{ "lookup_filter_mode",    VM_PARAM_INT, 0 },
	{ "min_expires_mode",      VM_PARAM_INT, 0 },
	{ "use_expired_contacts",  VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_registrar_pvs[] = {
	{ "ulc", VM_PV_WRITABLE | VM_PV_NAME | VM_PV_INDEX, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const char *const mod_registrar_events[] = {
	"usrloc:contact-expired",
	NULL
};

const vm_module mod_registrar = {
	.name   = "registrar",
	.fns    = mod_registrar_fns,
	.params = mod_registrar_params,
	.pvs    = mod_registrar_pvs,
	.trs    = mod_no_trs,
	.events = mod_registrar_events,
};
