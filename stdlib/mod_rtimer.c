/* mod_rtimer.c — rtimer: route timers: run route blocks at intervals. */
#include "mod.h"

static const vm_param_export mod_rtimer_params[] = {
	{ "default_interval", VM_PARAM_INT, 0 },
	{ "timer",            VM_PARAM_STR, 1 },
	{ "exec",             VM_PARAM_STR, 1 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_rtimer_pvs[] = {
	{ "rtimer_worker", 0, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_rtimer = {
	.name   = "rtimer",
	.fns    = mod_no_fns,
	.params = mod_rtimer_params,
	.pvs    = mod_rtimer_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
