/* mod_sl.c — sl: stateless replies. */
#include "mod.h"

static const vm_fn_export mod_sl_fns[] = {
	/* name               n  routes                            kinds  fixup  impl */
	{ "sl_send_reply",    2, MOD_REQ,                          "is",  NULL,  NULL },
	{ "sl_reply",         2, MOD_REQ,                          "is",  NULL,  NULL },
	{ "send_reply",       2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "is",  NULL,  NULL },
	{ "send_reply_mode",  3, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "isi", NULL,  NULL },
	{ "sl_reply_error",   0, MOD_REQ,                          "",    NULL,  NULL },
	{ "sl_forward_reply", 0, MOD_ONREPLY,                      "",    NULL,  NULL },
	{ "sl_forward_reply", 1, MOD_ONREPLY,                      "s",   NULL,  NULL },
	{ "sl_forward_reply", 2, MOD_ONREPLY,                      "ss",  NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_sl_params[] = {
	{ "default_code",             VM_PARAM_INT, 0 },
	{ "default_reason",           VM_PARAM_STR, 0 },
	{ "bind_tm",                  VM_PARAM_INT, 0 },
	{ "rich_redirect",            VM_PARAM_INT, 0 },
	{ "event_callback_fl_ack",    VM_PARAM_STR, 0 },
	{ "event_callback_lres_sent", VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_sl_pvs[] = {
	{ "ltt", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const char *const mod_sl_events[] = {
	"sl:filtered-ack",
	"sl:local-response",
	NULL
};

const vm_module mod_sl = {
	.name   = "sl",
	.fns    = mod_sl_fns,
	.params = mod_sl_params,
	.pvs    = mod_sl_pvs,
	.trs    = mod_no_trs,
	.events = mod_sl_events,
};
