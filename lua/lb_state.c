/*
 * lb_state.c — a worker's Lua states: creation with a bounded allocator,
 * the load scripts and their reloads, protected execution with error
 * reports (Lua's file:line and a traceback), and PV access for the
 * packages.
 *
 * Two states per worker context, as Kamailio has two per process
 * (lua.md §3.1): L, the plain one of lua_dofile / lua_dostring, and LL,
 * the loading one where the `load` scripts run and lua_run,
 * lua_runstring and the KSR routes execute. The server and the dry run
 * create both when a worker context is ready (vm_ctx_ready: the log hook
 * and the host are in place when a script's top-level code runs), as
 * Kamailio's child_init does; any other host gets them on first use.
 *
 * Every call into Lua from C goes through lua_cpcall: an allocation that
 * fails while arguments are pushed is then a Lua memory error like any
 * other, never a panic (Lua 5.1 exits the process on an unprotected
 * error).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LB_ASAN 1
#endif
#ifdef LB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include "lb_int.h"

/* The limit of states created from now on (0: the default). */
static size_t mem_limit;

/* Reload versions of the load scripts, by index in the list: bumped by
 * lb_reload, compared by each worker before lua_run. Process-wide: a
 * reload of index i also reaches a worker still on the program before
 * a SIGHUP (it executes its own script i again, which is harmless). */
static unsigned versions[LB_MAX_LOAD];

/* What the last reload of each index compiled (lb_reload): the script's
 * path and bytecode, and the version it made. A worker seeing versions[i]
 * move runs this code when its own script i has the same path (else, on
 * another program since a SIGHUP, its own file). */
static struct {
	char *path;
	char *code;
	size_t len;
	unsigned ver;
} dumps[LB_MAX_LOAD];
static pthread_mutex_t dumps_mu = PTHREAD_MUTEX_INITIALIZER;

/* The markers KSR.x.exit() and KSR.x.drop() raise (light userdata). */
static char exit_key, drop_key;

/* The registry key of a state's compiled chunks (lua_dostring,
 * lua_runstring): a table from the code's text to its function, emptied
 * when it holds LB_MAX_CHUNKS. Running the same function again is what
 * compiling the same text again gives (a chunk's only upvalue-free state
 * is its environment, the globals), minus the compilation. */
static char chunks_key;
#define LB_MAX_CHUNKS 256

void lb_set_mem_limit(size_t bytes)
{
	__atomic_store_n(&mem_limit, bytes, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ memory */

/* The pool (lb_int.h). Lua 5.1 gives the exact size of every block it
 * frees or resizes, so a block's class needs no header: class k holds
 * blocks of (k + 1) * LB_POOL_STEP bytes. A state runs on one thread at
 * a time: no locks. Under AddressSanitizer free blocks and the uncarved
 * slab are poisoned, and a block is unpoisoned only for the bytes Lua
 * asked for. */
static unsigned pool_class(size_t n)
{
	return (unsigned)((n + LB_POOL_STEP - 1) / LB_POOL_STEP - 1);
}

static void *pool_get(lb_mem *m, size_t n)
{
	unsigned k = pool_class(n);
	size_t bsize = (size_t)(k + 1) * LB_POOL_STEP;
	void *p = m->free[k];

	if (p != NULL) {
		UNPOISON(p, sizeof(void *));
		m->free[k] = *(void **)p;
	} else {
		if (m->bump_left < bsize) {
			/* a new slab: its first LB_POOL_STEP bytes chain it;
			 * the rest of the old one is left unused */
			char *s = malloc(LB_POOL_SLAB);
			if (s == NULL)
				return NULL;
			*(void **)s = m->slabs;
			m->slabs = s;
			m->bump = s + LB_POOL_STEP;
			m->bump_left = LB_POOL_SLAB - LB_POOL_STEP;
			POISON(m->bump, m->bump_left);
		}
		p = m->bump;
		m->bump += bsize;
		m->bump_left -= bsize;
	}
	UNPOISON(p, n);
	return p;
}

static void pool_put(lb_mem *m, void *p, size_t n)
{
	unsigned k = pool_class(n);

	POISON(p, (size_t)(k + 1) * LB_POOL_STEP);
	UNPOISON(p, sizeof(void *));
	*(void **)p = m->free[k];
	POISON(p, sizeof(void *));
	m->free[k] = p;
}

/* Every slab of m back to the system (the state is closed). */
static void pool_release(lb_mem *m)
{
	void *s = m->slabs;

	while (s != NULL) {
		void *next;
		UNPOISON(s, LB_POOL_SLAB);
		next = *(void **)s;
		free(s);
		s = next;
	}
	m->slabs = NULL;
	m->bump = NULL;
	m->bump_left = 0;
	memset(m->free, 0, sizeof(m->free));
}

/* lua_Alloc counting the bytes a state holds: past m->limit a growing
 * request fails (Lua raises "not enough memory" in the script); freeing
 * and shrinking always succeed, as Lua 5.1 requires. Blocks up to
 * LB_POOL_MAX bytes come from the pool, larger ones from malloc. */
static void *lb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	lb_mem *m = ud;
	void *p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		if (osize > LB_POOL_MAX)
			free(ptr);
		else if (ptr != NULL)
			pool_put(m, ptr, osize);
		m->used -= osize;
		return NULL;
	}
	if (nsize > osize && m->used + (nsize - osize) > m->limit)
		return NULL;
	if (osize > LB_POOL_MAX && nsize > LB_POOL_MAX) {
		if ((p = realloc(ptr, nsize)) == NULL)
			return nsize <= osize ? ptr : NULL;
	} else if (ptr != NULL && nsize <= LB_POOL_MAX &&
			pool_class(nsize) == pool_class(osize)) {
		/* the same block fits */
		POISON(ptr, (size_t)(pool_class(osize) + 1) * LB_POOL_STEP);
		UNPOISON(ptr, nsize);
		p = ptr;
	} else {
		/* a block's size says where it lives: it must move (a
		 * failure here raises Lua's memory error, even shrinking) */
		p = nsize <= LB_POOL_MAX ? pool_get(m, nsize) : malloc(nsize);
		if (p == NULL)
			return NULL;
		if (ptr != NULL) {
			memcpy(p, ptr, osize < nsize ? osize : nsize);
			if (osize > LB_POOL_MAX)
				free(ptr);
			else
				pool_put(m, ptr, osize);
		}
	}
	m->used = m->used - osize + nsize;
	return p;
}

/* Close L, whose allocator's userdata is m, and free m's pool. */
static void state_close(lua_State *L, lb_mem *m)
{
	lua_close(L);
	pool_release(m);
}

/* Lua 5.1 calls this for an error outside any protected call and then
 * exits; every entry from C is protected, so reaching it is a bug. */
static int lb_panic(lua_State *L)
{
	fprintf(stderr, "app_lua: unprotected Lua error: %s\n",
			lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
	return 0;
}

/* ------------------------------------------------------------ errors */

/* The error handler of every protected run: the message (a non-string
 * error object is named by its type) followed by a traceback of at most
 * 12 levels. The exit/drop markers pass through unchanged. */
static int lb_traceback(lua_State *L)
{
	char line[256];
	lua_Debug ar;
	luaL_Buffer b;
	const char *msg;
	int level = 1, shown = 0;

	if (lua_islightuserdata(L, 1))
		return 1;
	msg = lua_tostring(L, 1);
	if (msg == NULL) {
		snprintf(line, sizeof(line), "(error object is a %s value)", luaL_typename(L, 1));
		lua_pushstring(L, line);
		lua_replace(L, 1);
		msg = lua_tostring(L, 1);
	}
	luaL_buffinit(L, &b);
	luaL_addstring(&b, msg);
	luaL_addstring(&b, "\nstack traceback:");
	while (lua_getstack(L, level++, &ar)) {
		if (shown++ == 12) {
			luaL_addstring(&b, "\n  ...");
			break;
		}
		lua_getinfo(L, "Snl", &ar);
		if (*ar.what == 'C')
			snprintf(line, sizeof(line), "\n  [C]: in %s%s%s", *ar.namewhat ? "function '" : "?",
					*ar.namewhat && ar.name ? ar.name : "", *ar.namewhat ? "'" : "");
		else if (*ar.namewhat != '\0')
			snprintf(line, sizeof(line), "\n  %s:%d: in function '%s'", ar.short_src,
					ar.currentline, ar.name ? ar.name : "?");
		else if (*ar.what == 'm')
			snprintf(line, sizeof(line), "\n  %s:%d: in main chunk", ar.short_src,
					ar.currentline);
		else
			snprintf(line, sizeof(line), "\n  %s:%d: in function <%s:%d>", ar.short_src,
					ar.currentline, ar.short_src, ar.linedefined);
		luaL_addstring(&b, line);
	}
	luaL_pushresult(&b);
	return 1;
}

int lb_raise_exit(lua_State *L, int drop)
{
	lua_pushlightuserdata(L, drop ? &drop_key : &exit_key);
	return lua_error(L);
}

/* Log an error text of several lines: the first through vm_error (the cfg
 * file:line of the caller first), the others as they are. */
static void log_lines(lb_state *st, const char *who, const char *what, const char *text)
{
	const char *nl = strchr(text, '\n');
	int n = nl ? (int)(nl - text) : (int)strlen(text);

	vm_error(st->ctx, "%s: %s%.*s", who, what, n, text);
	while (nl) {
		text = nl + 1;
		nl = strchr(text, '\n');
		n = nl ? (int)(nl - text) : (int)strlen(text);
		vm_log(st->ctx, VM_L_ERR, "%s: %.*s", who, n, text);
	}
}

/* ------------------------------------------------------------ running */

/* Forget the parsed PVs of st. Only between top-level runs, when no spec
 * from the cache is in use: a script that makes PV names from data fills
 * the cache (LB_MAX_PVS names, past which names are parsed per call)
 * and starts a fresh one at its next message. */
static void pv_cache_flush(lb_state *st)
{
	for (size_t i = 0; i < st->cappvs; i++) {
		vm_pvspec_free(st->pvs[i]);
		st->pvs[i] = NULL;
	}
	st->npvs = 0;
}

typedef struct {
	int kind;
	const char *what;
	const char *const *args;
	unsigned nargs;
	int rc;                  /* load / pcall status */
	int missing;             /* LB_RUN_FUNC: not a function */
	int exited;              /* VM_END_EXIT / VM_END_DROP */
	char *err;               /* malloc'd error text */
	unsigned *nchunks;       /* the state's count of compiled chunks */
} exec_args;

/* Push the function of chunk text `what`, compiled now or kept from
 * before (chunks_key). 0, or the status of luaL_loadbuffer with its error
 * message pushed instead. */
static int load_chunk(lua_State *L, const char *what, unsigned *nchunks)
{
	size_t len = strlen(what);
	int rc;

	lua_pushlightuserdata(L, &chunks_key);
	lua_rawget(L, LUA_REGISTRYINDEX);
	if (!lua_istable(L, -1) || *nchunks >= LB_MAX_CHUNKS) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushlightuserdata(L, &chunks_key);
		lua_pushvalue(L, -2);
		lua_rawset(L, LUA_REGISTRYINDEX);
		*nchunks = 0;
	}
	lua_pushlstring(L, what, len);
	lua_rawget(L, -2);
	if (lua_isfunction(L, -1)) {
		lua_remove(L, -2);
		return 0;
	}
	lua_pop(L, 1);
	rc = luaL_loadbuffer(L, what, len, what);
	if (rc == 0) {
		lua_pushlstring(L, what, len);
		lua_pushvalue(L, -2);
		lua_rawset(L, -4);
		(*nchunks)++;
	}
	lua_remove(L, -2);
	return rc;
}

/* Under lua_cpcall: load and run what a describes with lb_traceback as
 * error handler, and keep the outcome in a. */
static int exec_protected(lua_State *L)
{
	exec_args *a = lua_touserdata(L, 1);

	lua_settop(L, 0);
	lua_pushcfunction(L, lb_traceback);
	switch (a->kind) {
	case LB_RUN_FUNC:
		lua_getglobal(L, a->what);
		if (!lua_isfunction(L, -1)) {
			a->missing = 1;
			return 0;
		}
		for (unsigned i = 0; i < a->nargs; i++)
			lua_pushstring(L, a->args[i]);
		a->rc = lua_pcall(L, (int)a->nargs, 0, 1);
		break;
	case LB_RUN_STRING:
		a->rc = load_chunk(L, a->what, a->nchunks);
		if (a->rc == 0)
			a->rc = lua_pcall(L, 0, 0, 1);
		break;
	case LB_RUN_CODE:
		/* bytecode names its own source (the file) */
		a->rc = luaL_loadbuffer(L, a->what, a->nargs, "=reload");
		if (a->rc == 0)
			a->rc = lua_pcall(L, 0, 0, 1);
		break;
	default:
		a->rc = luaL_loadfile(L, a->what);
		if (a->rc == 0)
			a->rc = lua_pcall(L, 0, 0, 1);
		break;
	}
	if (a->rc != 0) {
		void *u = lua_touserdata(L, -1);
		const char *m;
		if (u == &exit_key || u == &drop_key) {
			a->exited = u == &drop_key ? VM_END_DROP : VM_END_EXIT;
			a->rc = 0;
		} else {
			m = lua_tostring(L, -1);
			a->err = strdup(m ? m : "(error object is not a string)");
		}
	}
	lua_settop(L, 0);
	return 0;
}

int lb_exec(lb_state *st, lua_State *L, int kind, const char *what,
		const char *const *args, unsigned nargs, const char *who,
		int *exited)
{
	exec_args a;
	int top, rc, ret;

	if (exited)
		*exited = 0;
	if (st->depth >= LB_MAX_DEPTH) {
		vm_error(st->ctx, "%s: Lua calls nested more than %d deep", who, LB_MAX_DEPTH);
		return -1;
	}
	if (st->depth == 0 && st->npvs >= LB_MAX_PVS)
		pv_cache_flush(st);
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.what = what;
	a.args = args;
	a.nargs = nargs;
	a.nchunks = L == st->L ? &st->nchunks_L : &st->nchunks_LL;
	top = lua_gettop(L);
	st->depth++;
	rc = lua_cpcall(L, exec_protected, &a);
	st->depth--;
	if (rc != 0) {
		/* pushing the function or its arguments failed */
		const char *m = lua_tostring(L, -1);
		a.rc = rc;
		free(a.err);
		a.err = strdup(m ? m : "?");
	}
	lua_settop(L, top);
	if (a.missing) {
		ret = -2;
	} else if (a.rc != 0) {
		if (a.rc == LUA_ERRMEM) {
			lua_gc(L, LUA_GCCOLLECT, 0);
			vm_error(st->ctx, "%s: error from Lua: not enough memory (the Lua state's "
					"limit is %zu bytes)", who, L == st->L ? st->mem_L.limit : st->mem_LL.limit);
		} else {
			log_lines(st, who, "error from Lua: ", a.err ? a.err : "?");
		}
		if (kind == LB_RUN_FUNC)
			vm_log(st->ctx, VM_L_ERR, "%s: error executing: %s (err: %d)", who, what, a.rc);
		ret = -1;
	} else {
		if (exited)
			*exited = a.exited;
		if (a.exited == VM_END_DROP)
			st->drop = 1;
		ret = 1;
	}
	free(a.err);
	return ret;
}

/* ------------------------------------------------------------ states */

/* Under lua_cpcall: the standard libraries and the two packages. The
 * package library (require) is left out of bin/cfgc, which links every
 * module statically but never runs Lua: it is the only part of liblua
 * that needs dlopen (a weak reference, resolved in bin/sipvm). */
extern int luaopen_package(lua_State *L) __attribute__((weak));

static int open_protected(lua_State *L)
{
	lb_state *st = lua_touserdata(L, 1);
	static const luaL_Reg libs[] = {
		{ "", luaopen_base }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_IOLIBNAME, luaopen_io }, { LUA_OSLIBNAME, luaopen_os },
		{ LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_DBLIBNAME, luaopen_debug }, { NULL, NULL }
	};

	for (const luaL_Reg *l = libs; l->func; l++) {
		lua_pushcfunction(L, l->func);
		lua_pushstring(L, l->name);
		lua_call(L, 1, 0);
	}
	if (luaopen_package) {
		lua_pushcfunction(L, luaopen_package);
		lua_pushstring(L, LUA_LOADLIBNAME);
		lua_call(L, 1, 0);
	}
	lb_sr_open(L, st);
	lb_ksr_open(L, st);
	lua_pushstring(L, "2.0");
	lua_setglobal(L, "KSRVERSION");
	return 0;
}

/* A new state for st with its own byte count m; NULL (logged) when it
 * cannot be created. */
static lua_State *state_new(lb_state *st, lb_mem *m)
{
	size_t lim = __atomic_load_n(&mem_limit, __ATOMIC_RELAXED);
	lua_State *L;

	memset(m, 0, sizeof(*m));
	m->limit = lim ? lim : LB_MEM_LIMIT_DEFAULT;
	L = lua_newstate(lb_alloc, m);
	if (L == NULL) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: cannot create a Lua state");
		return NULL;
	}
	lua_atpanic(L, lb_panic);
	if (lua_cpcall(L, open_protected, st) != 0) {
		vm_log(st->ctx, VM_L_ERR, "app_lua: cannot set up a Lua state: %s",
				lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		state_close(L, m);
		return NULL;
	}
	return L;
}

lb_state *lb_state_of(vm_ctx *c)
{
	lb_state *st = c->mod[LB_SLOT];
	const vm_const *k;
	unsigned n;

	if (st != NULL)
		return st;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->ctx = c;
	st->reload = 1;
	vm_arena_init(&st->scratch, 0);
	if (c->lp) {
		/* the list is prepended: the last `load` runs first */
		for (n = 0; (k = vm_loaded_setting(c->lp, "app_lua", "load", n)) != NULL; n++)
			;
		for (unsigned i = 0; i < n && st->nload < LB_MAX_LOAD; i++) {
			k = vm_loaded_setting(c->lp, "app_lua", "load", n - 1 - i);
			if (k->kind == VM_STR)
				st->load[st->nload++] = k->s;
		}
		if ((k = vm_loaded_setting(c->lp, "app_lua", "reload", 0)) && k->kind == VM_INT)
			st->reload = k->i;
		if ((k = vm_loaded_setting(c->lp, "app_lua", "log_mode", 0)) && k->kind == VM_INT)
			st->log_mode = k->i;
		st->engine = lb_engine_uses(c->lp);
	}
	c->mod[LB_SLOT] = st;
	return st;
}

void lb_state_free(vm_ctx *c)
{
	lb_state *st = c->mod[LB_SLOT];

	if (st == NULL)
		return;
	if (st->L)
		state_close(st->L, &st->mem_L);
	if (st->LL)
		state_close(st->LL, &st->mem_LL);
	for (size_t i = 0; i < st->cappvs; i++)
		vm_pvspec_free(st->pvs[i]);
	free(st->pvs);
	lb_ksr_free(st);
	vm_arena_free(&st->scratch);
	free(st);
	c->mod[LB_SLOT] = NULL;
}

lua_State *lb_plain(lb_state *st)
{
	if (st->L == NULL)
		st->L = state_new(st, &st->mem_L);
	return st->L;
}

lua_State *lb_loading(lb_state *st)
{
	if (st->LL != NULL || st->ll_tried || st->nload == 0)
		return st->LL;
	st->ll_tried = 1;
	if ((st->LL = state_new(st, &st->mem_LL)) == NULL)
		return NULL;
	for (unsigned i = 0; i < st->nload; i++)
		st->ver[i] = __atomic_load_n(&versions[i], __ATOMIC_ACQUIRE);
	/* the scripts' top-level code runs as at a process's start: with no
	 * message (KEMI functions answer false) */
	st->loading++;
	for (unsigned i = 0; i < st->nload; i++)
		if (lb_exec(st, st->LL, LB_RUN_FILE, st->load[i], NULL, 0, "app_lua", NULL) < 0)
			vm_log(st->ctx, VM_L_ERR, "app_lua: failed to load Lua script: %s", st->load[i]);
	st->loading--;
	return st->LL;
}

void lb_check_reload(lb_state *st)
{
	if (st->LL == NULL || !st->reload)
		return;
	for (unsigned i = 0; i < st->nload; i++) {
		unsigned v = __atomic_load_n(&versions[i], __ATOMIC_ACQUIRE);
		char *code = NULL;
		size_t len = 0;
		int r;
		if (v == st->ver[i])
			continue;
		/* the code the reload compiled, when it is this script's */
		pthread_mutex_lock(&dumps_mu);
		if (dumps[i].code != NULL && dumps[i].path != NULL &&
				strcmp(dumps[i].path, st->load[i]) == 0 &&
				(code = malloc(dumps[i].len)) != NULL) {
			memcpy(code, dumps[i].code, dumps[i].len);
			len = dumps[i].len;
			v = dumps[i].ver;
		}
		pthread_mutex_unlock(&dumps_mu);
		st->ver[i] = v;
		vm_log(st->ctx, VM_L_INFO, "app_lua: reloading Lua script %s", st->load[i]);
		st->loading++;
		/* a script that does not compile is not run: the old
		 * definitions stay */
		if (code != NULL)
			r = lb_exec(st, st->LL, LB_RUN_CODE, code, NULL, (unsigned)len, "app_lua", NULL);
		else
			r = lb_exec(st, st->LL, LB_RUN_FILE, st->load[i], NULL, 0, "app_lua", NULL);
		if (r < 0)
			vm_log(st->ctx, VM_L_ERR, "app_lua: reload of Lua script %s failed: the "
					"previous definitions stay", st->load[i]);
		st->loading--;
		free(code);
	}
}

/* ------------------------------------------------------------ reload API */

/* The load scripts of lp in list order: their count, paths into out. */
static unsigned load_list(const vm_loaded *lp, const char **out)
{
	const vm_const *k;
	unsigned n, m = 0;

	for (n = 0; vm_loaded_setting(lp, "app_lua", "load", n) != NULL; n++)
		;
	for (unsigned i = 0; i < n && m < LB_MAX_LOAD; i++) {
		k = vm_loaded_setting(lp, "app_lua", "load", n - 1 - i);
		if (k->kind == VM_STR)
			out[m++] = k->s;
	}
	return m;
}

typedef struct {
	const char *path;
	int dump;
	char *code;
	size_t len, cap;
	int nomem;
} compile_args;

/* lua_Writer of lua_dump: append to the compile_args buffer. */
static int dump_write(lua_State *L, const void *p, size_t sz, void *ud)
{
	compile_args *a = ud;
	(void)L;
	if (a->len + sz > a->cap) {
		size_t nc = (a->cap ? a->cap * 2 : 4096) + sz;
		char *nb = realloc(a->code, nc);
		if (nb == NULL) {
			a->nomem = 1;
			return 1;
		}
		a->code = nb;
		a->cap = nc;
	}
	memcpy(a->code + a->len, p, sz);
	a->len += sz;
	return 0;
}

/* Under lua_cpcall: compile a->path, dump it when asked; the error text
 * is left on the stack. */
static int compile_protected(lua_State *L)
{
	compile_args *a = lua_touserdata(L, 1);
	if (luaL_loadfile(L, a->path) != 0)
		return lua_error(L);
	if (a->dump && (lua_dump(L, dump_write, a) != 0 || a->nomem)) {
		lua_pushliteral(L, "out of memory");
		return lua_error(L);
	}
	return 0;
}

int lb_compile(const char *path, char **code, size_t *len, char *err, size_t errlen)
{
	compile_args a;
	lua_State *L = luaL_newstate();   /* a scratch state: no limit, no pool */

	memset(&a, 0, sizeof(a));
	a.path = path;
	a.dump = code != NULL;
	if (L == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lua_cpcall(L, compile_protected, &a) != 0) {
		const char *m = lua_tostring(L, -1);
		snprintf(err, errlen, "%s", m ? m : path);
		lua_close(L);
		free(a.code);
		return -1;
	}
	lua_close(L);
	if (code != NULL) {
		*code = a.code;
		*len = a.len;
	}
	return 0;
}

int lb_reload(const vm_loaded *lp, int idx, char *err, size_t errlen)
{
	const char *files[LB_MAX_LOAD];
	const vm_const *k = vm_loaded_setting(lp, "app_lua", "reload", 0);
	unsigned n = load_list(lp, files);
	char *code[LB_MAX_LOAD] = { NULL };
	size_t len[LB_MAX_LOAD] = { 0 };
	char msg[400];

	if (k && k->kind == VM_INT && k->i == 0) {
		snprintf(err, errlen, "reload is not activated");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "no Lua script is loaded");
		return -1;
	}
	if (idx < -1 || idx >= (int)n) {
		snprintf(err, errlen, "invalid script index %d (0 .. %u)", idx, n - 1);
		return -1;
	}
	/* compile every script asked for; one failure reloads none */
	for (unsigned i = 0; i < n; i++) {
		if (idx != -1 && (unsigned)idx != i)
			continue;
		if (lb_compile(files[i], &code[i], &len[i], msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "failed to load Lua script: %s", msg);
			for (unsigned j = 0; j < i; j++)
				free(code[j]);
			return -1;
		}
	}
	pthread_mutex_lock(&dumps_mu);
	for (unsigned i = 0; i < n; i++) {
		if (idx != -1 && (unsigned)idx != i)
			continue;
		free(dumps[i].code);
		free(dumps[i].path);
		dumps[i].code = code[i];
		dumps[i].len = len[i];
		dumps[i].path = strdup(files[i]);
		dumps[i].ver = __atomic_add_fetch(&versions[i], 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&dumps_mu);
	return 0;
}

int lb_list(const vm_loaded *lp, char *buf, size_t n)
{
	const char *files[LB_MAX_LOAD];
	unsigned m = load_list(lp, files);
	size_t off = 0;

	if (n)
		buf[0] = '\0';
	for (unsigned i = 0; i < m && off < n; i++) {
		int w = snprintf(buf + off, n - off, "%u: [%s]\n", i, files[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return (int)m;
}

/* ------------------------------------------------------------ PVs */

/* FNV-1a of s[0..len). */
static size_t pv_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

vm_pvspec *lb_pv_spec(lb_state *st, const char *name, size_t len, int quiet,
		int *own)
{
	char err[256];
	vm_pvspec *sp;
	size_t mask, i = 0;

	*own = 0;
	if (st->pvs == NULL) {
		st->cappvs = 2 * LB_MAX_PVS;
		if ((st->pvs = calloc(st->cappvs, sizeof(*st->pvs))) == NULL)
			st->cappvs = 0;
	}
	mask = st->cappvs - 1;
	if (st->cappvs) {
		for (i = pv_hash(name, len) & mask; (sp = st->pvs[i]) != NULL; i = (i + 1) & mask)
			if (sp->len == len && memcmp(sp->text, name, len) == 0)
				return sp;
	}
	if (len == 0 || vm_pv_parse(st->ctx->lp, name, len, &sp, err, sizeof(err)) < 0) {
		if (!quiet)
			vm_error(st->ctx, "app_lua: invalid pv [%.*s] (%s)", (int)len, name,
					len ? err : "empty name");
		return NULL;
	}
	if (st->cappvs && st->npvs < LB_MAX_PVS) {
		st->pvs[i] = sp;
		st->npvs++;
	} else {
		*own = 1;
	}
	return sp;
}

int lb_pv_get(lb_state *st, const vm_pvspec *sp, vm_value *out)
{
	vm_ctx *c = st->ctx;
	vm_arena saved = c->arena;
	int r;

	/* what the read builds (an int's text, a transformation's result)
	 * goes to a scratch arena released at the next read: a Lua loop
	 * reading PVs must not fill the message's arena */
	vm_arena_reset(&st->scratch);
	c->arena = st->scratch;
	r = vm_pv_get(c, sp, out);
	st->scratch = c->arena;
	c->arena = saved;
	return r;
}

int lb_pv_set(lb_state *st, const vm_pvspec *sp, const vm_value *v)
{
	vm_ctx *c = st->ctx;
	vm_arena saved = c->arena;
	int r;

	vm_arena_reset(&st->scratch);
	c->arena = st->scratch;
	r = vm_pv_set(c, sp, VM_PV_ASSIGN, v);
	st->scratch = c->arena;
	c->arena = saved;
	return r;
}

int lb_pv_push(lb_state *st, lua_State *L, const char *name, size_t len)
{
	vm_value v;
	int own, r;
	vm_pvspec *sp = lb_pv_spec(st, name, len, 0, &own);

	if (sp == NULL)
		return 0;
	r = lb_pv_get(st, sp, &v);
	if (r < 0) {
		if (own)
			vm_pvspec_free(sp);
		return -1;
	}
	/* a spec of our own is freed after the push (its value may view it);
	 * a memory error in the push leaks it, which needs a full cache and
	 * a state at its limit at once */
	switch (v.kind) {
	case VM_INT:
		lua_pushinteger(L, v.i);
		break;
	case VM_STR:
		lua_pushlstring(L, v.s, v.len);
		break;
	default:
		lua_pushnil(L);
		break;
	}
	if (own)
		vm_pvspec_free(sp);
	return 1;
}

/* ------------------------------------------------------------ logging */

void lb_log(lb_state *st, int level, const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	vm_log(st->ctx, level, "<script>: %.*s", (int)len, s);
}
