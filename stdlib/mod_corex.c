/* mod_corex.c — corex: core extensions: branches, sockets, raw sends, files. */
#include "mod.h"

static const vm_fn_export mod_corex_fns[] = {
	/* name                   n  routes              kinds  fixup  impl */
	{ "forward_reply",        0, MOD_CORE_ONREPLY,   "",    NULL,  NULL },
	{ "append_branch",        0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "append_branch",        1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "append_branch",        2, MOD_REQ | MOD_FAIL, "ss",  NULL,  NULL },
	{ "send_udp",             0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "send_udp",             1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "send_tcp",             0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "send_tcp",             1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "send_data",            2, MOD_ANY,            "ss",  NULL,  NULL },
	{ "sendx",                3, MOD_ANY,            "sss", NULL,  NULL },
	{ "is_incoming",          0, MOD_ANY,            "",    NULL,  NULL },
	{ "msg_iflag_set",        1, MOD_ANY,            "s",   NULL,  NULL },
	{ "msg_iflag_reset",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "msg_iflag_is_set",     1, MOD_ANY,            "s",   NULL,  NULL },
	{ "file_read",            2, MOD_ANY,            "sp",  NULL,  NULL },
	{ "file_write",           2, MOD_ANY,            "ss",  NULL,  NULL },
	{ "setxflag",             1, MOD_ANY,            "i",   NULL,  NULL },
	{ "resetxflag",           1, MOD_ANY,            "i",   NULL,  NULL },
	{ "isxflagset",           1, MOD_ANY,            "i",   NULL,  NULL },
	{ "set_send_socket",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_send_socket_name", 1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_recv_socket",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_recv_socket_name", 1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_source_address",   1, MOD_ANY,            "s",   NULL,  NULL },
	{ "via_add_srvid",        1, MOD_ANY,            "i",   NULL,  NULL },
	{ "via_add_xavp_params",  1, MOD_ANY,            "i",   NULL,  NULL },
	{ "via_use_xavp_fields",  1, MOD_ANY,            "i",   NULL,  NULL },
	{ "is_faked_msg",         0, MOD_ANY,            "",    NULL,  NULL },
	{ "is_socket_name",       1, MOD_ANY,            "s",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_corex_params[] = {
	{ "alias_subdomains", VM_PARAM_STR, 1 },
	{ "dns_cache",        VM_PARAM_STR, 1 },
	{ "nio_intercept",    VM_PARAM_INT, 0 },
	{ "nio_min_msg_len",  VM_PARAM_INT, 0 },
	{ "nio_msg_avp",      VM_PARAM_STR, 0 },
	{ "evcb_reply_out",   VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_corex_pvs[] = {
	{ "cfg",   VM_PV_NAME, NULL, NULL, NULL },
	{ "lsock", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_corex_trs[] = {
	{ "sock", "host" },
	{ "sock", "port" },
	{ "sock", "proto" },
	{ "sock", "touri" },
	{ NULL, NULL }
};

static const char *const mod_corex_events[] = {
	"corex:reply-out",
	"network:msg",
	NULL
};

const vm_module mod_corex = {
	.name   = "corex",
	.fns    = mod_corex_fns,
	.params = mod_corex_params,
	.pvs    = mod_corex_pvs,
	.trs    = mod_corex_trs,
	.events = mod_corex_events,
};
