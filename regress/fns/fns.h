/*
 * fns.h — what the regress/fns tests share: a loaded program with the
 * modules under test, a worker whose send hook keeps what would be sent,
 * a log hook that keeps the lines, canned messages, and direct calls of a
 * function's implementation with vm_call structs.
 */
#ifndef REGRESS_FNS_H
#define REGRESS_FNS_H

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/rt.h"
#include "../../stdlib/mod.h"
#include "../tap.h"

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ------------------------------------------------------------ sending */

#define FNS_MAX_SENT 16
typedef struct {
	char what[16];
	rt_addr dst;
	char *buf;
	size_t len;
} fns_sent;

static fns_sent sent[FNS_MAX_SENT];
static int nsent;
static int send_fails;           /* make the next sends fail */

static int fns_send(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len)
{
	(void)w;
	if (send_fails)
		return -1;
	if (nsent == FNS_MAX_SENT)
		return -1;
	snprintf(sent[nsent].what, sizeof(sent[nsent].what), "%s", what);
	sent[nsent].dst = *dst;
	sent[nsent].buf = malloc(len + 1);
	memcpy(sent[nsent].buf, buf, len);
	sent[nsent].buf[len] = '\0';
	sent[nsent].len = len;
	nsent++;
	return 0;
}

static void sent_clear(void)
{
	for (int i = 0; i < nsent; i++)
		free(sent[i].buf);
	nsent = 0;
}

/* ------------------------------------------------------------ logging */

#define FNS_MAX_LOG 64
static char logs[FNS_MAX_LOG][512];
static int loglevel[FNS_MAX_LOG];
static int nlog;

static void fns_log(vm_ctx *c, int level, const char *line, size_t len)
{
	(void)c;
	if (nlog == FNS_MAX_LOG)
		return;
	if (len >= sizeof(logs[0]))
		len = sizeof(logs[0]) - 1;
	memcpy(logs[nlog], line, len);
	logs[nlog][len] = '\0';
	loglevel[nlog] = level;
	nlog++;
}

static void log_clear(void)
{
	nlog = 0;
}

/* Whether some log line contains s. */
static int log_has(const char *s)
{
	for (int i = 0; i < nlog; i++)
		if (strstr(logs[i], s))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ program */

static vm_loaded *lp;
static rt_worker w;
static vm_ctx *c;

/* A program loading every module under test, with extra settings given as
 * (module, name, value) string triples ending with NULL; a request route
 * whose one instruction is at `line` of "test.cfg". */
static void fns_setup(int line, ...)
{
	static const char *const mods[] = {
		"sl", "xlog", "textops", "siputils", "maxfwd", "kex", "corex", "pv",
	};
	vm_prog *p = vm_prog_new();
	char err[256];
	va_list ap;
	const char *m, *n, *v;
	int f, rt;

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		vm_const k = { VM_STR, 0, (char *)mods[i], (uint32_t)strlen(mods[i]) };
		vm_prog_add_setting(p, "", "loadmodule", &k);
	}
	va_start(ap, line);
	while ((m = va_arg(ap, const char *)) != NULL) {
		vm_const k;
		n = va_arg(ap, const char *);
		v = va_arg(ap, const char *);
		if (v[0] == '#') {
			k = (vm_const){ VM_INT, atoi(v + 1), NULL, 0 };
		} else {
			k = (vm_const){ VM_STR, 0, (char *)v, (uint32_t)strlen(v) };
		}
		vm_prog_add_setting(p, m, n, &k);
	}
	va_end(ap);
	f = vm_prog_add_file(p, "test.cfg");
	rt = vm_prog_route(p, VM_RT_REQUEST, "");
	vm_prog_begin_route(p, rt);
	vm_prog_emit(p, VM_IA(VM_OP_EXIT, 0), f, (uint32_t)line);
	vm_prog_end_route(p, 1);
	if (vm_load(p, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		printf("Bail out! vm_load: %s\n", err);
		exit(1);
	}
	if (rt_worker_init(&w, lp, 0) < 0) {
		printf("Bail out! rt_worker_init\n");
		exit(1);
	}
	w.send = fns_send;
	w.server_hdr = "Server: sipvm-test";
	c = &w.vm;
	c->log = fns_log;
	c->log_level = VM_L_DBG;
}

static rt_msg msg;

static void fns_teardown(void)
{
	if (c->msg) {
		vm_ctx_msg_done(c);
		rt_msg_clear(&msg);
		c->msg = NULL;
	}
	rt_worker_free(&w);
	vm_unload(lp);
	sent_clear();
}

/* ------------------------------------------------------------ messages */

static char msgbuf[4096];

/* Parse text (LF line ends become CRLF) as the message being routed,
 * received over UDP from 127.0.0.1:5080. The previous message is done
 * (module msg_done hooks, its changes released). */
static void fns_msg(const char *text)
{
	size_t n = 0;

	if (c->msg) {
		vm_ctx_msg_done(c);
		rt_msg_clear(&msg);
	}
	for (const char *p = text; *p && n + 2 < sizeof(msgbuf); p++) {
		if (*p == '\n')
			msgbuf[n++] = '\r';
		msgbuf[n++] = *p;
	}
	memset(&msg, 0, sizeof(msg));
	msg.src.proto = RT_PROTO_UDP;
	msg.src.af = 4;
	strcpy(msg.src.ip, "127.0.0.1");
	msg.src.port = 5080;
	msg.rcv = w.self;
	if (rt_msg_parse(msgbuf, n, &msg) < 0) {
		printf("Bail out! rt_msg_parse: %s\n", msg.error ? msg.error : "?");
		exit(1);
	}
	c->msg = &msg;
	sent_clear();
	log_clear();
}

/* The message with its changes applied, NUL-terminated (static buffer). */
static const char *applied(void)
{
	static char out[8192];
	rt_buf b = { NULL, 0, 0, 0 };

	out[0] = '\0';
	if (rt_build_applied(&msg, &b) == 0 && !b.failed && b.len < sizeof(out)) {
		memcpy(out, b.s, b.len);
		out[b.len] = '\0';
	}
	rt_buf_free(&b);
	return out;
}

/* ------------------------------------------------------------ calls */

/* The export module.name with nargs parameters. */
static const vm_fn_export *fn_find(const char *module, const char *name, unsigned nargs)
{
	const vm_module *m = vm_registry_find(vm_registry_sipvm(), module);
	if (m == NULL)
		return NULL;
	for (const vm_fn_export *f = m->fns; f->name; f++)
		if (strcmp(f->name, name) == 0 && (unsigned)f->nparams == nargs)
			return f;
	return NULL;
}

/* Call module.name with string arguments ("#12" is the int 12, "~" a
 * null); fix is NULL (nothing prepared, as for run-time arguments). */
static int callv(const char *module, const char *name, void *const *fix,
		unsigned nargs, va_list ap)
{
	vm_value args[8];
	const vm_fn_export *f = fn_find(module, name, nargs);
	vm_call call;

	if (f == NULL || f->impl == NULL) {
		printf("# no implementation of %s.%s/%u\n", module, name, nargs);
		return -1000;
	}
	for (unsigned i = 0; i < nargs; i++) {
		const char *a = va_arg(ap, const char *);
		if (a[0] == '#' && a[1] != '\0')
			args[i] = vm_int(atoi(a + 1));
		else if (strcmp(a, "~") == 0)
			args[i] = vm_null();
		else
			args[i] = vm_str(a, strlen(a));
	}
	call.ctx = c;
	call.fn = f;
	call.module = module;
	call.nargs = nargs;
	call.args = args;
	call.fix = fix;
	return f->impl(&call);
}

static int call(const char *module, const char *name, unsigned nargs, ...)
{
	va_list ap;
	int r;
	va_start(ap, nargs);
	r = callv(module, name, NULL, nargs, ap);
	va_end(ap);
	return r;
}

/* The same with prepared arguments (what the loader makes of constants). */
static int callfix(const char *module, const char *name, void *const *fix,
		unsigned nargs, ...)
{
	va_list ap;
	int r;
	va_start(ap, nargs);
	r = callv(module, name, fix, nargs, ap);
	va_end(ap);
	return r;
}

/* The value of a PV written as text ("$var(x)", "$ru"), as a string in
 * buf ("<null>" for null). */
static const char *pv(const char *text)
{
	static char buf[1024];
	vm_pvspec *sp;
	vm_value v;
	char err[256], nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	if (vm_pv_parse(lp, text, strlen(text), &sp, err, sizeof(err)) < 0) {
		snprintf(buf, sizeof(buf), "<parse error: %s>", err);
		return buf;
	}
	if (vm_pv_get(c, sp, &v) < 0 || v.kind == VM_NULL) {
		vm_pvspec_free(sp);
		return "<null>";
	}
	vm_str_view(&v, nb, &s, &len);
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	vm_pvspec_free(sp);
	return buf;
}

/* Assign a string to a PV. */
static void pv_set(const char *text, const char *val)
{
	vm_pvspec *sp;
	vm_value v = vm_str(val, strlen(val));
	char err[256];

	if (vm_pv_parse(lp, text, strlen(text), &sp, err, sizeof(err)) < 0)
		return;
	vm_pv_set(c, sp, VM_PV_ASSIGN, &v);
	vm_pvspec_free(sp);
}

/* Whether the first sent message's text contains s. */
static int sent_has(int i, const char *s)
{
	return i < nsent && strstr(sent[i].buf, s) != NULL;
}

#endif
