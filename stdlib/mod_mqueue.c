/* mod_mqueue.c — mqueue: in-memory message queues shared by the workers. */
#include "mod.h"

static const vm_fn_export mod_mqueue_fns[] = {
	/* name         n  routes   kinds  fixup  impl */
	{ "mq_fetch",   1, MOD_ANY, "s",   NULL,  NULL },
	{ "mq_add",     3, MOD_ANY, "sss", NULL,  NULL },
	{ "mq_pv_free", 1, MOD_ANY, "s",   NULL,  NULL },
	{ "mq_size",    1, MOD_ANY, "s",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_mqueue_params[] = {
	{ "db_url",         VM_PARAM_STR, 0 },
	{ "mqueue",         VM_PARAM_STR, 1 },
	{ "mqueue_name",    VM_PARAM_STR, 1 },
	{ "mqueue_size",    VM_PARAM_INT, 0 },
	{ "mqueue_addmode", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_mqueue_pvs[] = {
	{ "mqk",     VM_PV_NAME, NULL, NULL, NULL },
	{ "mqv",     VM_PV_NAME, NULL, NULL, NULL },
	{ "mq_size", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_mqueue = {
	.name   = "mqueue",
	.fns    = mod_mqueue_fns,
	.params = mod_mqueue_params,
	.pvs    = mod_mqueue_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
