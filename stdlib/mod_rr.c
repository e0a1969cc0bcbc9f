/* mod_rr.c — rr: Record-Route insertion and loose routing. */
#include "mod.h"

static const vm_fn_export mod_rr_fns[] = {
	/* name                              n  routes                           kinds  fixup  impl */
	{ "loose_route",                     0, MOD_REQ,                         "",    NULL,  NULL },
	{ "loose_route_preloaded",           0, MOD_REQ,                         "",    NULL,  NULL },
	{ "loose_route_mode",                1, MOD_REQ,                         "i",   NULL,  NULL },
	{ "record_route",                    0, MOD_REQ | MOD_FAIL | MOD_BRANCH, "",    NULL,  NULL },
	{ "record_route",                    1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "s",   NULL,  NULL },
	{ "record_route_preset",             1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "s",   NULL,  NULL },
	{ "record_route_preset",             2, MOD_REQ | MOD_FAIL | MOD_BRANCH, "ss",  NULL,  NULL },
	{ "record_route_advertised_address", 1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "s",   NULL,  NULL },
	{ "add_rr_param",                    1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "s",   NULL,  NULL },
	{ "check_route_param",               1, MOD_REQ,                         "r",   NULL,  NULL },
	{ "is_direction",                    1, MOD_REQ,                         "S",   NULL,  NULL },
	{ "remove_record_route",             0, MOD_REQ | MOD_FAIL,              "",    NULL,  NULL },
	{ "rr_next_hop_route",               0, MOD_ANY,                         "",    NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_rr_params[] = {
	{ "append_fromtag",                 VM_PARAM_INT, 0 },
	{ "enable_double_rr",               VM_PARAM_INT, 0 },
	{ "enable_full_lr",                 VM_PARAM_INT, 0 },
	{ "add_username",                   VM_PARAM_INT, 0 },
	{ "enable_socket_mismatch_warning", VM_PARAM_INT, 0 },
	{ "custom_user_avp",                VM_PARAM_STR, 0 },
	{ "force_send_socket",              VM_PARAM_INT, 0 },
	{ "ignore_sips",                    VM_PARAM_INT, 0 },
	{ "sockname_mode",                  VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_rr_pvs[] = {
	{ "route_uri", 0, NULL, NULL, NULL },
	{ "fti",       0, NULL, NULL, NULL },
	{ "tti",       0, NULL, NULL, NULL },
	{ "rdir",      VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_rr = {
	.name   = "rr",
	.fns    = mod_rr_fns,
	.params = mod_rr_params,
	.pvs    = mod_rr_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
