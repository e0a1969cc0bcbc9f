/*
 * lb.h — the public face of the Lua bridge (lua/): Kamailio's app_lua.
 *
 * Owns: the modules app_lua and app_lua_sr (their export tables, the cfg
 * functions lua_dofile, lua_dostring, lua_run and lua_runstring), the Lua
 * 5.1 states of each worker context (created when the host says the
 * context is ready, else on first use, with the
 * `load` scripts executed in them, bounded in memory, reloaded on
 * request), the seed era's `sr` package and the modern `KSR` package.
 * Both packages reach pseudo-variables and module functions only through
 * the shared registries (vm_pv_parse / vm_pv_get / vm_pv_set on the
 * worker's own vm_ctx, and the vm_fn_export rows of the loaded program's
 * registry): a PV read or written from Lua is the same value the cfg
 * sees, and every implemented module function is callable from Lua as
 * KSR.<module>.<function> with no second table to maintain. With
 * `cfgengine "lua"` the routing itself is written in Lua (ksr_request_route
 * and friends), which the runtime reaches through lb_engine_uses and
 * lb_engine_run.
 *
 * Names: lb_* (lua_* and luaL_* are Lua's own).
 *
 * Must not: include anything from stdlib/ or cfgc/ (it sees modules only
 * through the vm registry); let a Lua error, a Lua memory error or a bad
 * script take a worker down.
 */
#ifndef LB_H
#define LB_H

#include <stddef.h>
#include <stdint.h>

#include "../runtime/rt.h"
#include "../vm/vm.h"

/* The per-worker slot of the Lua states in vm_ctx.mod[]: the first one
 * after the stdlib modules' (stdlib/mod.h numbers 0 .. MOD_SLOT__COUNT-1,
 * 5 of them today; VM_CTX_MODS is 16). */
#define LB_SLOT 8

/* At most this many `load` scripts per program. */
#define LB_MAX_LOAD 32

/* The memory a Lua state may hold by default (each state of each worker
 * counts on its own): past it an allocation fails and the script gets
 * Lua's "not enough memory" error; the worker goes on. */
#define LB_MEM_LIMIT_DEFAULT (64u * 1024u * 1024u)

/* The modules (stdlib/mod_list.c lists them in the registry). */
extern const vm_module mod_app_lua;
extern const vm_module mod_app_lua_sr;

/* Set the memory limit of the Lua states created from now on (0: the
 * default). For tests and embedders; not a script parameter. */
void lb_set_mem_limit(size_t bytes);

/* Ask every worker running lp to execute its `load` script number idx
 * again (-1: all of them, in list order) before its next lua_run or Lua
 * route: Kamailio's RPC app_lua.reload. The scripts are compiled here,
 * once: the workers all run that bytecode, whatever happens to the files
 * afterwards. 0, or -1 with the reason in err (nothing is reloaded then):
 * a script does not compile ("failed to load Lua script: FILE:LINE:
 * ..."), the `reload` parameter is 0 ("reload is not activated"), idx is
 * out of range, lp loads no script. Thread-safe. */
int lb_reload(const vm_loaded *lp, int idx, char *err, size_t errlen);

/* Compile the Lua file at path in a scratch state; when code is not NULL
 * its bytecode (malloc'd, lua_dump's) in *code and *len. 0, or -1 with
 * Lua's message (FILE:LINE: ...) in err. */
int lb_compile(const char *path, char **code, size_t *len, char *err, size_t errlen);

/* The `load` scripts of lp in list order, as Kamailio's RPC app_lua.list
 * prints them ("0: [/path/b.lua]", one per line, the list being the
 * reverse of the declaration order) into buf (NUL-terminated, cut to n).
 * The number of scripts. */
int lb_list(const vm_loaded *lp, char *buf, size_t n);

/* cfgengine "lua" (lua.md §2.3). lb_engine_uses: 1 when program lp routes
 * with Lua (its `cfgengine` is "lua"), else 0; cheap enough for every
 * message. lb_engine_run: route the message of c (c->msg; route type
 * `type`, VM_RT_REQUEST for a request, VM_RT_CORE_ONREPLY for a reply,
 * VM_RT_EVENT for an HTTP request) by calling the script's function for
 * it (ksr_request_route, the kemi.reply_route_callback function, xhttp's
 * event_callback); returns what vm_run would (1, or 0 after KSR.x.exit())
 * and sets *how (VM_END_DROP after KSR.x.drop(), VM_END_ERROR when the
 * function is missing or raised an error). */
int lb_engine_uses(const vm_loaded *lp);
int32_t lb_engine_run(vm_ctx *c, uint32_t type, int *how);

#endif
