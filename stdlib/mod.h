/*
 * mod.h — the public face of the sipvm module layer (stdlib/).
 *
 * Owns: sipvm's own modules, one file per module (stdlib/mod_<name>.c),
 * each declaring its exports once, in one table per kind: script functions
 * (name, arity, parameter kinds, allowed route types, implementation),
 * module parameters, pseudo-variable classes, transformations and the
 * event routes it raises; and the list of them all (stdlib/mod_list.c),
 * which vm_registry_sipvm() returns. The compiler checks scripts against
 * these tables, the VM calls through them, the Lua bridge exposes them.
 *
 * Names, arities, route types, parameters, PV classes, transformations and
 * event routes are Kamailio 5.6.3's for the module of the same name
 * (cfgc/data/kam-*.tsv): a script that Kamailio accepts is checked the same
 * way here. Kamailio's C-API binders (bind_*, load_*, and everything with an
 * empty route mask) are not script functions and are left out. `impl` is
 * NULL for a function that is known but not implemented yet.
 *
 * Must not: be included by vm/, cfgc/, runtime/ or lua/ (they see modules
 * only through vm_registry); depend on anything but runtime/ and vm/;
 * declare an export anywhere but in its module's table.
 */
#ifndef MOD_H
#define MOD_H

#include "../vm/vm.h"

/* Route masks, written the way Kamailio's modules combine them. */
#define MOD_REQ          VM_RT_REQUEST
#define MOD_FAIL         VM_RT_FAILURE
#define MOD_TM_ONREPLY   VM_RT_TM_ONREPLY
#define MOD_BRANCH       VM_RT_BRANCH
#define MOD_ONSEND       VM_RT_ONSEND
#define MOD_ERROR        VM_RT_ERROR
#define MOD_LOCAL        VM_RT_LOCAL
#define MOD_CORE_ONREPLY VM_RT_CORE_ONREPLY
#define MOD_BRANCH_FAIL  VM_RT_BRANCH_FAILURE
#define MOD_EVENT        VM_RT_EVENT
#define MOD_ONREPLY      (VM_RT_TM_ONREPLY | VM_RT_CORE_ONREPLY)
#define MOD_ANY          VM_RT_ANY
/* Every route type but onsend_route: 0x3EF, the mask of most core actions. */
#define MOD_NOT_ONSEND   (MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH | \
                          MOD_ERROR | MOD_LOCAL | MOD_BRANCH_FAIL | MOD_EVENT)

/* Empty tables (just the terminator) for a module without exports of a
 * kind: a module's table pointers are never NULL. */
extern const vm_fn_export mod_no_fns[];
extern const vm_param_export mod_no_params[];
extern const vm_pv_export mod_no_pvs[];
extern const vm_tr_export mod_no_trs[];
extern const char *const mod_no_events[];

/* The modules, in the order of mod_list.c. */
extern const vm_module mod_core;
extern const vm_module mod_sl;
extern const vm_module mod_tm;
extern const vm_module mod_rr;
extern const vm_module mod_maxfwd;
extern const vm_module mod_siputils;
extern const vm_module mod_textops;
extern const vm_module mod_xlog;
extern const vm_module mod_pv;
extern const vm_module mod_kex;
extern const vm_module mod_corex;
extern const vm_module mod_registrar;
extern const vm_module mod_usrloc;
extern const vm_module mod_auth;
extern const vm_module mod_auth_db;
extern const vm_module mod_xhttp;
extern const vm_module mod_mqueue;
extern const vm_module mod_rtimer;
extern const vm_module mod_sqlops;
extern const vm_module mod_db_sqlite;
extern const vm_module mod_db_mysql;
extern const vm_module mod_http_client;
extern const vm_module mod_utils;
extern const vm_module mod_statistics;
extern const vm_module mod_app_lua;

#endif
