/*
 * lb_int.h — what the files of the Lua bridge share: a worker's Lua
 * states (lb_state.c), the calls into the registries (lb_call.c), the sr
 * package (lb_sr.c), the KSR package (lb_ksr.c) and the module itself
 * (lb_mod.c).
 *
 * Must not: be included outside lua/.
 */
#ifndef LB_INT_H
#define LB_INT_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lb.h"

/* Small blocks come from per-state free lists, one per size class of
 * LB_POOL_STEP bytes up to LB_POOL_MAX, carved from slabs of
 * LB_POOL_SLAB bytes that the state keeps until it is closed. */
#define LB_POOL_STEP 16
#define LB_POOL_MAX 512
#define LB_POOL_SLAB (64 * 1024)

/* The allocator's userdata for one lua_State: the bytes the state holds
 * (as Lua counts them) and its limit, and the small-block pool. */
typedef struct {
	size_t used;
	size_t limit;
	void *free[LB_POOL_MAX / LB_POOL_STEP];  /* by class: first free block */
	char *bump;              /* the current slab's uncarved part */
	size_t bump_left;
	void *slabs;             /* every slab, chained by their first word */
} lb_mem;

/* The module functions of one name in one module, for KSR.<sub>.<name>
 * and sr.modf: every arity the registry has (arities ascending). */
typedef struct {
	const char *module;
	const char *name;
	const vm_fn_export *fn[8];
	unsigned nfn;
	int fmt_args;            /* string arguments are formats (xlog's
				  * messages expand PVs in KEMI too) */
	int ret0;                /* success is 0 in KEMI (lb_ksr.c) */
} lb_fnset;

/* The Lua side of one worker context, in c->mod[LB_SLOT]. */
typedef struct lb_state {
	vm_ctx *ctx;
	lua_State *L;            /* plain state: lua_dofile, lua_dostring */
	lua_State *LL;           /* loading state: the load scripts, lua_run,
				  * lua_runstring, KSR routes */
	lb_mem mem_L, mem_LL;
	unsigned nchunks_L, nchunks_LL;  /* compiled chunks kept (lb_state.c) */
	int ll_tried;            /* LL was set up (or that failed) */
	unsigned nload;
	const char *load[LB_MAX_LOAD];  /* in list order (views into lp) */
	unsigned ver[LB_MAX_LOAD];      /* reload versions loaded */
	int reload;              /* the `reload` parameter */
	int log_mode;
	int engine;              /* cfgengine "lua" */
	int depth;               /* Lua runs in progress (nested by routes) */
	int busy;                /* > 0 while running for a message */
	int loading;             /* > 0 while a load script's top level runs */
	int drop;                /* KSR.x.drop() or a cfg route dropped */
	vm_arena scratch;        /* what PV reads from Lua allocate */
	vm_pvspec **pvs;         /* cached parsed PVs (owned) */
	size_t npvs, cappvs;
	lb_fnset *fns;           /* KSR module functions, built once */
	size_t nfns;
} lb_state;

/* How deep lua_run / KSR.route / lua_run ... may nest. */
#define LB_MAX_DEPTH 16
/* Most PV names a worker caches parsed; more are parsed per call. */
#define LB_MAX_PVS 1024

/* ---- lb_state.c --------------------------------------------------------- */

/* The state of c, created on first use (NULL when memory runs out). */
lb_state *lb_state_of(vm_ctx *c);
void lb_state_free(vm_ctx *c);
/* The loading state of st, set up (load scripts run, reloads applied) on
 * first use; NULL when no script is loaded (logged once per call site by
 * the caller) or it could not be created. */
lua_State *lb_loading(lb_state *st);
/* The plain state, created on first use; NULL when it cannot be. */
lua_State *lb_plain(lb_state *st);
/* Execute pending reloads of the load scripts in LL. */
void lb_check_reload(lb_state *st);
/* The lb_state of the running C function (its first upvalue). */
static inline lb_state *lb_self(lua_State *L)
{
	return (lb_state *)lua_touserdata(L, lua_upvalueindex(1));
}
/* Whether a message is being routed: Kamailio's KEMI functions return
 * false without one (a chunk run while a script loads has none). */
static inline int lb_has_msg(const lb_state *st)
{
	return !st->loading && (st->ctx->msg != NULL || st->busy > 0);
}

/* What lb_exec runs. */
enum { LB_RUN_FUNC = 1, LB_RUN_STRING = 2, LB_RUN_FILE = 3, LB_RUN_CODE = 4 };

/* Run in Lua state L: the global function `what` with nargs string
 * arguments (LB_RUN_FUNC), the chunk `what` (LB_RUN_STRING), the file
 * `what` (LB_RUN_FILE) or the bytecode `what` of nargs bytes (LB_RUN_CODE,
 * args NULL), protected, for the message of st's context. Errors
 * are logged (Lua's file:line, a traceback, through vm_error so the cfg
 * file:line of the caller comes first), a memory error too; the state
 * stays usable. Returns 1 when it completed (KSR.x.exit() and drop count
 * as completed; *exited is set to VM_END_EXIT / VM_END_DROP when one ran,
 * else 0), -1 on error, -2 when `what` is not a function (LB_RUN_FUNC:
 * "no such function"). `who` names the caller in messages ("lua_run"). */
int lb_exec(lb_state *st, lua_State *L, int kind, const char *what,
		const char *const *args, unsigned nargs, const char *who,
		int *exited);

/* Push the value of PV `name` (cached parse) as sr.pv.get / KSR.pv.get
 * read it: nil for null, a number for an int, else a string. Returns 1
 * pushed, 0 when the name is not a PV (error logged, nothing pushed),
 * -1 when the PV cannot be read (nothing pushed). */
int lb_pv_push(lb_state *st, lua_State *L, const char *name, size_t len);
/* The parsed PV of `name`, cached; NULL (error logged when `quiet` is 0)
 * when it is not exactly one PV. *own is set when the caller must free it
 * (the cache is full). */
vm_pvspec *lb_pv_spec(lb_state *st, const char *name, size_t len, int quiet,
		int *own);
/* Read / write a PV through its spec; what the access builds goes to a
 * scratch arena that the next access releases. */
int lb_pv_get(lb_state *st, const vm_pvspec *sp, vm_value *out);
int lb_pv_set(lb_state *st, const vm_pvspec *sp, const vm_value *v);

/* Log text at level as the script's own line ("<script>: text"), one
 * trailing newline dropped. */
void lb_log(lb_state *st, int level, const char *s, size_t len);

/* Raise the error KSR.x.exit() / KSR.x.drop() end a script with. */
int lb_raise_exit(lua_State *L, int drop);

/* ---- lb_call.c ---------------------------------------------------------- */

/* The implemented export of module.name taking nargs arguments (or a
 * variable count), from the loaded program's registry whether or not
 * the script loads the module (the core's and kex's are used for the
 * core API); NULL when there is none. */
const vm_fn_export *lb_find_fn(const vm_loaded *lp, const char *module,
		const char *name, int nargs);
/* Call fn of module with the values args[0..nargs), building the vm_call
 * as the VM's CALL does; arguments of kind p (a PV name) and R (a route)
 * are prepared as the loader prepares constants. The function's code, or
 * -1 when an argument cannot be prepared (logged). */
int32_t lb_call_fn(lb_state *st, const char *module, const vm_fn_export *fn,
		vm_value *args, unsigned nargs);
/* sr.modf / KSR.x.modf: the cfg function named by the first Lua argument
 * with the others as its arguments (strings, formats expanded as the cfg
 * would), from any loaded module; pushes its code, or -1 when there is
 * no such function or it cannot be called. */
int lb_modf(lua_State *L);
/* Run cfg route[name] from Lua (KSR.route): its code, 0 when it ended
 * the script (exit, drop: a drop is remembered in st->drop), -1 when
 * there is no such route. */
int32_t lb_route(lb_state *st, const char *name);

/* ---- lb_sr.c / lb_ksr.c -------------------------------------------------- */

/* Build the sr package (global `sr`) / the KSR package (global `KSR`,
 * KSRVERSION) in L for st. Called with the protection of lua_cpcall. */
void lb_sr_open(lua_State *L, lb_state *st);
void lb_ksr_open(lua_State *L, lb_state *st);
/* Free what lb_ksr_open built for st. */
void lb_ksr_free(lb_state *st);

/* ---- lb_mod.c ------------------------------------------------------------ */

/* The cfg functions' bodies, shared with KSR.app_lua: 1 or -1. */
int lb_do(lb_state *st, int kind, int loading, const char *what,
		const char *const *args, unsigned nargs, const char *who);

/* Set t[name] = a C closure over st (and `extra` as upvalue 2 when not
 * NULL); t on the top of the stack (lb_call.c). */
void lb_set_fn(lua_State *L, lb_state *st, const char *name, lua_CFunction f,
		const void *extra);
/* The sub-table `name` of the table on the top, created when absent; left
 * on the top of the stack. */
void lb_sub_table(lua_State *L, const char *name);

#endif
