/* mod_siputils.c — siputils: URI and number checks, URI parameters. */
#include "mod.h"

static const vm_fn_export mod_siputils_fns[] = {
	/* name                        n  routes                                         kinds  fixup  impl */
	{ "options_reply",             0, MOD_REQ,                                       "",    NULL,  NULL },
	{ "is_user",                   1, MOD_REQ | MOD_LOCAL,                           "s",   NULL,  NULL },
	{ "has_totag",                 0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "uri_param",                 1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  NULL },
	{ "uri_param",                 2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "ss",  NULL,  NULL },
	{ "uri_param_any",             1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  NULL },
	{ "add_uri_param",             1, MOD_REQ,                                       "S",   NULL,  NULL },
	{ "get_uri_param",             2, MOD_REQ | MOD_LOCAL,                           "Sp",  NULL,  NULL },
	{ "uri_param_rm",              1, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "s",   NULL,  NULL },
	{ "tel2sip",                   3, MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH, "ssp", NULL,  NULL },
	{ "is_uri",                    1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_e164",                   1, MOD_REQ | MOD_FAIL | MOD_LOCAL,                "p",   NULL,  NULL },
	{ "is_uri_user_e164",          1, MOD_ANY,                                       "p",   NULL,  NULL },
	{ "encode_contact",            2, MOD_REQ | MOD_ONREPLY,                         "SS",  NULL,  NULL },
	{ "decode_contact",            0, MOD_REQ,                                       "",    NULL,  NULL },
	{ "decode_contact_header",     0, MOD_REQ | MOD_FAIL | MOD_ONREPLY,              "",    NULL,  NULL },
	{ "cmp_uri",                   2, MOD_ANY,                                       "ss",  NULL,  NULL },
	{ "cmp_aor",                   2, MOD_ANY,                                       "ss",  NULL,  NULL },
	{ "cmp_hdr_name",              2, MOD_ANY,                                       "ss",  NULL,  NULL },
	{ "is_rpid_user_e164",         0, MOD_REQ,                                       "",    NULL,  NULL },
	{ "append_rpid_hf",            0, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "",    NULL,  NULL },
	{ "append_rpid_hf",            2, MOD_REQ | MOD_FAIL | MOD_BRANCH,               "SS",  NULL,  NULL },
	{ "set_uri_user",              2, MOD_ANY,                                       "ps",  NULL,  NULL },
	{ "set_uri_host",              2, MOD_ANY,                                       "ps",  NULL,  NULL },
	{ "is_request",                0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "is_reply",                  0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "is_gruu",                   0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "is_gruu",                   1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_supported",              1, MOD_ANY,                                       "S",   NULL,  NULL },
	{ "is_first_hop",              0, MOD_ANY,                                       "",    NULL,  NULL },
	{ "is_first_hop",              1, MOD_ANY,                                       "i",   NULL,  NULL },
	{ "is_tel_number",             1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_numeric",                1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_alphanum",               1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "is_alphanumex",             2, MOD_ANY,                                       "ss",  NULL,  NULL },
	{ "sip_p_charging_vector",     1, MOD_ANY,                                       "s",   NULL,  NULL },
	{ "contact_param_encode",      2, MOD_REQ | MOD_ONREPLY,                         "ss",  NULL,  NULL },
	{ "contact_param_decode",      1, MOD_REQ | MOD_ONREPLY,                         "s",   NULL,  NULL },
	{ "contact_param_decode_ruri", 1, MOD_REQ,                                       "s",   NULL,  NULL },
	{ "contact_param_rm",          1, MOD_REQ | MOD_ONREPLY,                         "s",   NULL,  NULL },
	{ "hdr_date_check",            1, MOD_ANY,                                       "i",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_siputils_params[] = {
	{ "options_accept",          VM_PARAM_STR, 0 },
	{ "options_accept_encoding", VM_PARAM_STR, 0 },
	{ "options_accept_language", VM_PARAM_STR, 0 },
	{ "options_support",         VM_PARAM_STR, 0 },
	{ "contact_flds_separator",  VM_PARAM_STR, 0 },
	{ "rpid_prefix",             VM_PARAM_STR, 0 },
	{ "rpid_suffix",             VM_PARAM_STR, 0 },
	{ "rpid_avp",                VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_siputils_pvs[] = {
	{ "pcv", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_siputils = {
	.name   = "siputils",
	.fns    = mod_siputils_fns,
	.params = mod_siputils_params,
	.pvs    = mod_siputils_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
