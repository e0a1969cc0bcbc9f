/* mod_xhttp.c — xhttp: HTTP requests handled in event_route[xhttp:request]. */
#include "mod.h"

static const vm_fn_export mod_xhttp_fns[] = {
	/* name          n  routes   kinds   fixup  impl */
	{ "xhttp_reply", 4, MOD_REQ, "isss", NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_xhttp_params[] = {
	{ "url_match",      VM_PARAM_STR, 0 },
	{ "url_skip",       VM_PARAM_STR, 0 },
	{ "event_callback", VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_xhttp_pvs[] = {
	{ "hu", 0, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_xhttp_trs[] = {
	{ "url", "path" },
	{ "url", "querystring" },
	{ NULL, NULL }
};

static const char *const mod_xhttp_events[] = {
	"xhttp:request",
	NULL
};

const vm_module mod_xhttp = {
	.name   = "xhttp",
	.fns    = mod_xhttp_fns,
	.params = mod_xhttp_params,
	.pvs    = mod_xhttp_pvs,
	.trs    = mod_xhttp_trs,
	.events = mod_xhttp_events,
};
