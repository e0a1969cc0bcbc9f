/* mod_http_client.c — http_client: HTTP client requests (libcurl). */
#include "mod.h"

static const vm_fn_export mod_http_client_fns[] = {
	/* name                n  routes                                         kinds    fixup  impl */
	{ "http_client_query", 2, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "sp",    NULL,  NULL },
	{ "http_client_query", 3, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "ssp",   NULL,  NULL },
	{ "http_client_query", 4, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "sssp",  NULL,  NULL },
	{ "http_client_get",   4, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "sssp",  NULL,  NULL },
	{ "http_connect",      3, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "Ssp",   NULL,  NULL },
	{ "http_connect",      5, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "Ssssp", NULL,  NULL },
	{ "http_connect_raw",  5, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "Ssssp", NULL,  NULL },
	{ "http_get_redirect", 2, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "Sp",    NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_http_client_params[] = {
	{ "connection_timeout", VM_PARAM_INT, 0 },
	{ "cacert",             VM_PARAM_STR, 0 },
	{ "client_cert",        VM_PARAM_STR, 0 },
	{ "client_key",         VM_PARAM_STR, 0 },
	{ "cipher_suites",      VM_PARAM_STR, 0 },
	{ "tlsversion",         VM_PARAM_INT, 0 },
	{ "verify_peer",        VM_PARAM_INT, 0 },
	{ "verify_host",        VM_PARAM_INT, 0 },
	{ "httpproxyport",      VM_PARAM_INT, 0 },
	{ "httpproxy",          VM_PARAM_STR, 0 },
	{ "httpredirect",       VM_PARAM_INT, 0 },
	{ "useragent",          VM_PARAM_STR, 0 },
	{ "maxdatasize",        VM_PARAM_INT, 0 },
	{ "config_file",        VM_PARAM_STR, 0 },
	{ "httpcon",            VM_PARAM_STR, 1 },
	{ "authmethod",         VM_PARAM_INT, 0 },
	{ "keep_connections",   VM_PARAM_INT, 0 },
	{ "query_result",       VM_PARAM_INT, 0 },
	{ "query_maxdatasize",  VM_PARAM_INT, 0 },
	{ "netinterface",       VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_http_client_pvs[] = {
	{ "curlerror", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_http_client = {
	.name   = "http_client",
	.fns    = mod_http_client_fns,
	.params = mod_http_client_params,
	.pvs    = mod_http_client_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
