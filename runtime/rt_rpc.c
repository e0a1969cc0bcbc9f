/*
 * rt_rpc.c — RPC commands: the registry of named management commands,
 * the reply a handler builds, and the commands of Kamailio's core and kex
 * (core.version, core.uptime, system.listMethods, system.methodHelp,
 * stats.get_statistics, stats.reset_statistics).
 *
 * The registry is a fixed array filled under a mutex and read without
 * one: an entry is complete before the count that makes it visible is
 * published (release/acquire), and entries are never removed. Which
 * commands a program has is decided when it is looked up, by the module
 * that owns the command (a reload that drops app_lua drops app_lua.*).
 *
 * The reply follows Kamailio's RPC API as its jsonrpcs module implements
 * it: rpc->add and rpc->rpl_printf append to the reply array of a command
 * flagged RET_ARRAY and replace the previous value otherwise; a command
 * that added nothing replies {} (or []); rpc->scan reads the parameters
 * in order. The texts of the commands below (help, faults, lines) were
 * checked against Kamailio 5.6.3 (regress/rpc/golden/).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

/* The version string of core.version (Kamailio prints "kamailio 5.6.3
 * (x86_64/linux) "); the same figures as the Server header. */
#define RPC_VERSION "sipvm " RT_SERVER_SIGNATURE

/* ------------------------------------------------------------------ values */

rt_rpc_val *rt_rpc_val_new(int type)
{
	rt_rpc_val *v = calloc(1, sizeof(*v));
	if (v)
		v->type = type;
	return v;
}

rt_rpc_val *rt_rpc_val_str(const char *s, size_t len)
{
	rt_rpc_val *v = rt_rpc_val_new(RT_RPC_STR);
	if (v == NULL)
		return NULL;
	if ((v->s = malloc(len + 1)) == NULL) {
		free(v);
		return NULL;
	}
	if (len)
		memcpy(v->s, s, len);
	v->s[len] = '\0';
	v->len = len;
	return v;
}

rt_rpc_val *rt_rpc_val_num(double n)
{
	rt_rpc_val *v = rt_rpc_val_new(RT_RPC_NUM);
	if (v)
		v->num = n;
	return v;
}

void rt_rpc_val_free(rt_rpc_val *v)
{
	if (v == NULL)
		return;
	for (rt_rpc_val *c = v->child, *next; c; c = next) {
		next = c->next;
		rt_rpc_val_free(c);
	}
	free(v->s);
	free(v->name);
	free(v);
}

/* Append v to parent's member list. */
static void val_link(rt_rpc_val *parent, rt_rpc_val *v)
{
	v->next = NULL;
	if (parent->last)
		parent->last->next = v;
	else
		parent->child = v;
	parent->last = v;
}

int rt_rpc_val_add(rt_rpc_val *parent, const char *name, rt_rpc_val *v)
{
	if (v == NULL)
		return -1;
	if (parent == NULL || (parent->type != RT_RPC_STRUCT && parent->type != RT_RPC_ARRAY))
		goto fail;
	if (name != NULL) {
		free(v->name);
		if ((v->name = strdup(name)) == NULL)
			goto fail;
		if (parent->type == RT_RPC_ARRAY) {
			rt_rpc_val *w = rt_rpc_val_new(RT_RPC_STRUCT);
			if (w == NULL)
				goto fail;
			val_link(w, v);
			v = w;
		}
	} else if (parent->type == RT_RPC_STRUCT) {
		/* a member needs a name: "" as Kamailio's NULL name prints */
		if ((v->name = strdup("")) == NULL)
			goto fail;
	}
	val_link(parent, v);
	return 0;
fail:
	rt_rpc_val_free(v);
	return -1;
}

/* ---------------------------------------------------------------- registry */

static rt_rpc_cmd rpc_cmds[RT_RPC_MAX];
static size_t rpc_ncmds;                 /* published with release */
static pthread_mutex_t rpc_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t rpc_once = PTHREAD_ONCE_INIT;
static time_t rpc_started;

static void rpc_builtin(void);

/* Whether cmd exists for lp. */
static int cmd_visible(const vm_loaded *lp, const rt_rpc_cmd *cmd)
{
	return lp == NULL || cmd->owner == NULL || vm_loaded_has_module(lp, cmd->owner);
}

/* Register under the lock (the built-in ones are registered from inside
 * pthread_once, which the public function must not re-enter). */
static int rpc_register(const char *name, const char *help, const char *owner,
		unsigned flags, rt_rpc_fn fn)
{
	size_t n;
	int rc = 0;

	if (name == NULL || name[0] == '\0' || fn == NULL)
		return -1;
	pthread_mutex_lock(&rpc_mu);
	n = __atomic_load_n(&rpc_ncmds, __ATOMIC_ACQUIRE);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rpc_cmds[i].name, name) == 0) {
			__atomic_store_n(&rpc_cmds[i].flags, flags, __ATOMIC_RELAXED);
			__atomic_store_n(&rpc_cmds[i].fn, fn, __ATOMIC_RELEASE);
			goto done;
		}
	if (n >= RT_RPC_MAX) {
		rc = -1;
		goto done;
	}
	rpc_cmds[n].name = name;
	rpc_cmds[n].help = help ? help : "";
	rpc_cmds[n].owner = owner;
	rpc_cmds[n].flags = flags;
	rpc_cmds[n].fn = fn;
	__atomic_store_n(&rpc_ncmds, n + 1, __ATOMIC_RELEASE);
done:
	pthread_mutex_unlock(&rpc_mu);
	return rc;
}

int rt_rpc_register(const char *name, const char *help, const char *owner,
		unsigned flags, rt_rpc_fn fn)
{
	pthread_once(&rpc_once, rpc_builtin);
	return rpc_register(name, help, owner, flags, fn);
}

const rt_rpc_cmd *rt_rpc_find(const vm_loaded *lp, const char *name)
{
	size_t n;

	pthread_once(&rpc_once, rpc_builtin);
	n = __atomic_load_n(&rpc_ncmds, __ATOMIC_ACQUIRE);
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rpc_cmds[i].name, name) == 0)
			return cmd_visible(lp, &rpc_cmds[i]) ? &rpc_cmds[i] : NULL;
	return NULL;
}

static int cmd_cmp(const void *a, const void *b)
{
	const rt_rpc_cmd *x = *(const rt_rpc_cmd *const *)a;
	const rt_rpc_cmd *y = *(const rt_rpc_cmd *const *)b;
	return strcmp(x->name, y->name);
}

size_t rt_rpc_list(const vm_loaded *lp, const rt_rpc_cmd **out, size_t max)
{
	const rt_rpc_cmd *all[RT_RPC_MAX];
	size_t n, m = 0;

	pthread_once(&rpc_once, rpc_builtin);
	n = __atomic_load_n(&rpc_ncmds, __ATOMIC_ACQUIRE);
	for (size_t i = 0; i < n; i++)
		if (cmd_visible(lp, &rpc_cmds[i]))
			all[m++] = &rpc_cmds[i];
	qsort(all, m, sizeof(all[0]), cmd_cmp);
	for (size_t i = 0; i < m && i < max; i++)
		out[i] = all[i];
	return m;
}

/* ------------------------------------------------------------------- runs */

void rt_rpc_ctx_init(rt_rpc_ctx *r, const vm_loaded *lp, vm_ctx *vm,
		const rt_rpc_val *params)
{
	memset(r, 0, sizeof(*r));
	r->lp = lp;
	r->vm = vm;
	r->param = params;
}

void rt_rpc_run(rt_rpc_ctx *r, const rt_rpc_cmd *cmd)
{
	rt_rpc_fn fn;

	r->cmd = cmd;
	if (cmd == NULL)
		return;
	fn = __atomic_load_n(&cmd->fn, __ATOMIC_ACQUIRE);
	fn(r);
}

const rt_rpc_val *rt_rpc_result(rt_rpc_ctx *r)
{
	if (r->result == NULL) {
		int array = r->cmd && (r->cmd->flags & RT_RPC_RET_ARRAY);
		r->result = rt_rpc_val_new(array ? RT_RPC_ARRAY : RT_RPC_STRUCT);
	}
	return r->result;
}

void rt_rpc_ctx_free(rt_rpc_ctx *r)
{
	rt_rpc_val_free(r->result);
	r->result = NULL;
	for (rt_rpc_val *v = r->scratch, *next; v; v = next) {
		next = v->next;
		rt_rpc_val_free(v);
	}
	r->scratch = NULL;
}

int rt_rpc_add(rt_rpc_ctx *r, rt_rpc_val *v)
{
	if (v == NULL) {
		r->nomem = 1;
		return -1;
	}
	if (r->cmd && (r->cmd->flags & RT_RPC_RET_ARRAY)) {
		if (r->result == NULL && (r->result = rt_rpc_val_new(RT_RPC_ARRAY)) == NULL) {
			rt_rpc_val_free(v);
			r->nomem = 1;
			return -1;
		}
		return rt_rpc_val_add(r->result, NULL, v);
	}
	rt_rpc_val_free(r->result);
	r->result = v;
	return 0;
}

int rt_rpc_add_str(rt_rpc_ctx *r, const char *s, size_t len)
{
	return rt_rpc_add(r, rt_rpc_val_str(s, len));
}

int rt_rpc_add_num(rt_rpc_ctx *r, double n)
{
	return rt_rpc_add(r, rt_rpc_val_num(n));
}

int rt_rpc_printf(rt_rpc_ctx *r, const char *fmt, ...)
{
	char stack[256], *s = stack;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(stack, sizeof(stack), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(stack)) {
		if ((s = malloc((size_t)n + 1)) == NULL) {
			r->nomem = 1;
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = rt_rpc_add_str(r, s, (size_t)n);
	if (s != stack)
		free(s);
	return rc;
}

rt_rpc_val *rt_rpc_add_struct(rt_rpc_ctx *r)
{
	rt_rpc_val *v = rt_rpc_val_new(RT_RPC_STRUCT);
	return rt_rpc_add(r, v) == 0 ? v : NULL;
}

void rt_rpc_fault(rt_rpc_ctx *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->fault_code = code;
	va_start(ap, fmt);
	vsnprintf(r->fault_text, sizeof(r->fault_text), fmt, ap);
	va_end(ap);
}

int rt_rpc_scan_str(rt_rpc_ctx *r, int conv, const char **s, size_t *len)
{
	const rt_rpc_val *p = r->param;

	if (p == NULL)
		return 0;
	if (p->type == RT_RPC_STR) {
		*s = p->s;
		*len = p->len;
	} else if (conv && p->type == RT_RPC_NUM) {
		/* 5.6.3 prints the number as an unsigned long */
		char buf[32];
		double d = p->num;
		unsigned long u = 0;
		if (d >= 0 && d < 18446744073709551616.0)
			u = (unsigned long)d;
		else if (d < 0 && d > -9.2e18)
			u = (unsigned long)(long)d;
		int n = snprintf(buf, sizeof(buf), "%lu", u);
		rt_rpc_val *v = rt_rpc_val_str(buf, (size_t)n);
		if (v == NULL) {
			r->nomem = 1;
			return -1;
		}
		v->next = r->scratch;
		r->scratch = v;
		*s = v->s;
		*len = v->len;
	} else {
		return -1;
	}
	r->param = p->next;
	return 1;
}

int rt_rpc_scan_int(rt_rpc_ctx *r, int *out)
{
	const rt_rpc_val *p = r->param;
	double d;

	if (p == NULL)
		return 0;
	d = p->type == RT_RPC_NUM ? p->num : p->type == RT_RPC_TRUE ? 1 : 0;
	/* truncated as C's (int) cast; out of range (undefined in C) is
	 * INT_MIN, what x86 gives */
	*out = d > -2147483649.0 && d < 2147483648.0 ? (int)d : (int)(-2147483647 - 1);
	r->param = p->next;
	return 1;
}

/* -------------------------------------------------------------- core, system */

/* core.version: the version string. */
static void rpc_core_version(rt_rpc_ctx *r)
{
	rt_rpc_add_str(r, RPC_VERSION, sizeof(RPC_VERSION) - 1);
}

/* ctime() of t without its newline, as 5.6.3 prints it. */
static void ctime_text(time_t t, char *buf, size_t n)
{
	char tmp[64];
	size_t len;

	if (ctime_r(&t, tmp) == NULL)
		snprintf(tmp, sizeof(tmp), "?");
	len = strcspn(tmp, "\n");
	snprintf(buf, n, "%.*s", (int)len, tmp);
}

/* core.uptime: { now, up_since, uptime (seconds) }. */
static void rpc_core_uptime(rt_rpc_ctx *r)
{
	char now_s[64], up_s[64];
	time_t now = time(NULL);
	rt_rpc_val *st;

	ctime_text(now, now_s, sizeof(now_s));
	ctime_text(rpc_started, up_s, sizeof(up_s));
	if ((st = rt_rpc_add_struct(r)) == NULL)
		return;
	if (rt_rpc_val_add(st, "now", rt_rpc_val_str(now_s, strlen(now_s))) < 0 ||
			rt_rpc_val_add(st, "up_since", rt_rpc_val_str(up_s, strlen(up_s))) < 0 ||
			rt_rpc_val_add(st, "uptime", rt_rpc_val_num((double)(long)(now - rpc_started))) < 0)
		r->nomem = 1;
}

/* system.listMethods: every command of the program, sorted. */
static void rpc_list_methods(rt_rpc_ctx *r)
{
	const rt_rpc_cmd *cmds[RT_RPC_MAX];
	size_t n = rt_rpc_list(r->lp, cmds, RT_RPC_MAX);

	for (size_t i = 0; i < n && i < RT_RPC_MAX; i++)
		rt_rpc_add_str(r, cmds[i]->name, strlen(cmds[i]->name));
}

/* system.methodHelp(name): the help text of a command. */
static void rpc_method_help(rt_rpc_ctx *r)
{
	const rt_rpc_cmd *cmd;
	const char *name;
	size_t len;

	if (rt_rpc_scan_str(r, 0, &name, &len) < 1) {
		rt_rpc_fault(r, 400, "Method Name Expected");
		return;
	}
	if ((cmd = rt_rpc_find(r->lp, name)) == NULL || strlen(name) != len) {
		rt_rpc_fault(r, 400, "command not found");
		return;
	}
	rt_rpc_add_str(r, cmd->help, strlen(cmd->help));
}

/* -------------------------------------------------------------------- stats */

/* For each statistic of lp that a stats.* parameter names, call fn: "all"
 * is every one, "group:" every one of the group, anything else the
 * statistic of that name (exact bytes, as 5.6.3). */
static void stats_each(rt_rpc_ctx *r, const char *what, size_t len,
		void (*fn)(rt_rpc_ctx *r, int id))
{
	int *ids;
	size_t n;

	if (len > 0 && (strcmp(what, "all") == 0 || what[len - 1] == ':')) {
		if ((ids = malloc(RT_STATS_MAX * sizeof(*ids))) == NULL) {
			r->nomem = 1;
			return;
		}
		n = rt_stats_list(r->lp, ids, RT_STATS_MAX);
		for (size_t i = 0; i < n && i < RT_STATS_MAX; i++) {
			const char *g = rt_stats_group(ids[i]);
			if (what[len - 1] == ':' && (g == NULL || strlen(g) != len - 1 ||
					memcmp(g, what, len - 1) != 0))
				continue;
			fn(r, ids[i]);
		}
		free(ids);
		return;
	}
	int id = rt_stats_find(r->lp, what, len, RT_STATS_BY_NAME);
	if (id >= 0)
		fn(r, id);
}

static void stat_print(rt_rpc_ctx *r, int id)
{
	rt_rpc_printf(r, "%s:%s = %lu", rt_stats_group(id), rt_stats_name(id),
			(unsigned long)rt_stats_get(id));
}

static void stat_reset(rt_rpc_ctx *r, int id)
{
	(void)r;
	rt_stats_reset(id);
}

/* stats.get_statistics(what...): "group:name = value" for each statistic
 * named (an array). Parameters are read until one is not a string. */
static void rpc_stats_get(rt_rpc_ctx *r)
{
	const char *s;
	size_t len;

	if (rt_rpc_scan_str(r, 0, &s, &len) < 1) {
		rt_rpc_fault(r, 400, "Please provide which stats to retrieve");
		return;
	}
	do
		stats_each(r, s, len, stat_print);
	while (rt_rpc_scan_str(r, 0, &s, &len) > 0);
}

/* stats.reset_statistics(what...): reset them; the reply is empty. */
static void rpc_stats_reset(rt_rpc_ctx *r)
{
	const char *s;
	size_t len;

	if (rt_rpc_scan_str(r, 0, &s, &len) < 1) {
		rt_rpc_fault(r, 400, "Please provide stats name");
		return;
	}
	do
		stats_each(r, s, len, stat_reset);
	while (rt_rpc_scan_str(r, 0, &s, &len) > 0);
}

/* Once per process, before the first command is registered or looked up:
 * the built-in commands, and the start time core.uptime counts from (the
 * first module registering a command does it when the program loads at
 * start). */
static void rpc_builtin(void)
{
	rpc_started = time(NULL);
	rpc_register("core.version", "Returns the version string of the server.",
			NULL, 0, rpc_core_version);
	rpc_register("core.uptime", "Returns uptime of SIP server.", NULL, 0, rpc_core_uptime);
	rpc_register("system.listMethods", "Lists all RPC methods supported by the server.",
			NULL, RT_RPC_RET_ARRAY, rpc_list_methods);
	rpc_register("system.methodHelp", "Print the help string for given method.",
			NULL, 0, rpc_method_help);
	rpc_register("stats.get_statistics", "get core and modules stats", "kex",
			RT_RPC_RET_ARRAY, rpc_stats_get);
	rpc_register("stats.reset_statistics", "reset core and modules stats (silent operation)",
			"kex", 0, rpc_stats_reset);
}
