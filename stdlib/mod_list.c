/* mod_list.c — the list of sipvm's own modules: the registry "sipvm". */
#include "mod.h"

const vm_fn_export mod_no_fns[] = { { NULL, 0, 0, NULL, NULL, NULL } };
const vm_param_export mod_no_params[] = { { NULL, 0, 0 } };
const vm_pv_export mod_no_pvs[] = { { NULL, 0, NULL, NULL, NULL } };
const vm_tr_export mod_no_trs[] = { { NULL, NULL } };
const char *const mod_no_events[] = { NULL };

/* core first: it is always loaded. */
static const vm_module *const mod_list[] = {
	&mod_core,
	&mod_sl,
	&mod_tm,
	&mod_rr,
	&mod_maxfwd,
	&mod_siputils,
	&mod_textops,
	&mod_xlog,
	&mod_pv,
	&mod_kex,
	&mod_corex,
	&mod_registrar,
	&mod_usrloc,
	&mod_auth,
	&mod_auth_db,
	&mod_xhttp,
	&mod_mqueue,
	&mod_rtimer,
	&mod_sqlops,
	&mod_db_sqlite,
	&mod_db_mysql,
	&mod_http_client,
	&mod_utils,
	&mod_statistics,
	&mod_app_lua,
	&mod_app_lua_sr,
	&mod_jsonrpcs,
};

static const vm_registry mod_registry = {
	"sipvm",
	mod_list,
	sizeof mod_list / sizeof mod_list[0],
};

/* The modules sipvm provides (declared in vm.h, defined here so that vm/
 * does not depend on stdlib/). Never NULL; the registry is static. */
const vm_registry *vm_registry_sipvm(void)
{
	return &mod_registry;
}
