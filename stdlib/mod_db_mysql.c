/* mod_db_mysql.c — db_mysql: MySQL/MariaDB database driver. */
#include "mod.h"

static const vm_param_export mod_db_mysql_params[] = {
	{ "ping_interval",         VM_PARAM_INT, 0 },
	{ "connect_timeout",       VM_PARAM_INT, 0 },
	{ "send_timeout",          VM_PARAM_INT, 0 },
	{ "receive_timeout",       VM_PARAM_INT, 0 },
	{ "retries",               VM_PARAM_INT, 0 },
	{ "server_timezone",       VM_PARAM_INT, 0 },
	{ "timeout_interval",      VM_PARAM_INT, 0 },
	{ "auto_reconnect",        VM_PARAM_INT, 0 },
	{ "insert_delayed",        VM_PARAM_INT, 0 },
	{ "update_affected_found", VM_PARAM_INT, 0 },
	{ "unsigned_type",         VM_PARAM_INT, 0 },
	{ "opt_ssl_mode",          VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_db_mysql = {
	.name   = "db_mysql",
	.fns    = mod_no_fns,
	.params = mod_db_mysql_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
