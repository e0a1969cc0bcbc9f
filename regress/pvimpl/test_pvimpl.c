/*
 * test_pvimpl.c — the pv module's pseudo-variable classes, functions and
 * transformation classes, run through the VM's PV interface (TAP).
 *
 * A program that loads pv (with varset/shvset settings) is bound with
 * vm_load against sipvm's registry; PVs are parsed with vm_pv_parse and
 * read or assigned with vm_pv_get / vm_pv_set in worker contexts, so the
 * class parsers, indexes, transformations and module hooks all take part.
 * The expected values are Kamailio 5.6.3's (language spec §7, §11.4, §12,
 * checked on a 5.6.3 instance), except where the module documents a
 * departure from a 5.6.3 bug. Message PVs run over canned messages parsed
 * by rt_msg_parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stdlib/mod.h"
#include "../../runtime/rt.h"
#include "../tap.h"

static vm_loaded *lp;
static vm_ctx ctx, ctx2;

/* Specs made by the tests, freed at the end. */
static vm_pvspec *specs[512];
static size_t nspecs;

static vm_pvspec *P(const char *text)
{
	char err[256];
	vm_pvspec *sp;

	if (vm_pv_parse(lp, text, strlen(text), &sp, err, sizeof(err)) < 0) {
		printf("# cannot parse %s: %s\n", text, err);
		return NULL;
	}
	if (nspecs < sizeof(specs) / sizeof(specs[0]))
		specs[nspecs++] = sp;
	return sp;
}

/* Whether text parses. */
static int parses(const char *text)
{
	char err[256];
	vm_pvspec *sp;

	if (vm_pv_parse(lp, text, strlen(text), &sp, err, sizeof(err)) < 0)
		return 0;
	vm_pvspec_free(sp);
	return 1;
}

/* A value as text: "<null>", "i:N", "s:TEXT", "si:TEXT/N" (a string with
 * an int form), "is:N/TEXT" (an int with a text form). */
static const char *show(const vm_value *v)
{
	static char buf[8][1024];
	static int k;
	char *b = buf[k++ & 7];

	if (v->kind == VM_NULL)
		snprintf(b, 1024, "<null>");
	else if (v->kind == VM_INT && (v->flags & VM_VAL_BOTH))
		snprintf(b, 1024, "is:%d/%.*s", (int)v->i, (int)v->len, v->s);
	else if (v->kind == VM_INT)
		snprintf(b, 1024, "i:%d", (int)v->i);
	else if (v->flags & VM_VAL_BOTH)
		snprintf(b, 1024, "si:%.*s/%d", (int)v->len, v->s, (int)v->i);
	else
		snprintf(b, 1024, "s:%.*s", (int)v->len, v->s);
	return b;
}

static const char *getc_(vm_ctx *c, const char *text)
{
	vm_pvspec *sp = P(text);
	vm_value v;

	if (sp == NULL)
		return "<parse error>";
	if (vm_pv_get(c, sp, &v) < 0)
		return "<get error>";
	return show(&v);
}

static const char *get(const char *text)
{
	return getc_(&ctx, text);
}

static int setv(vm_ctx *c, const char *text, vm_value v)
{
	vm_pvspec *sp = P(text);
	return sp ? vm_pv_set(c, sp, VM_PV_ASSIGN, &v) : -2;
}

static int seti(const char *text, int32_t i) { return setv(&ctx, text, vm_int(i)); }
static int sets(const char *text, const char *s) { return setv(&ctx, text, vm_str(s, strlen(s))); }
static int setn(const char *text) { return setv(&ctx, text, vm_null()); }

#define IS(text, want) do { \
	const char *got_ = get(text); \
	ok(strcmp(got_, (want)) == 0, "%s = %s (got %s)", (text), (want), got_); \
} while (0)

/* Call pv function name with string/int arguments: each argument is
 * "s:text", "i:N", or "p:$pv" (a PV name prepared as the loader does). */
static int call(const char *name, unsigned nargs, ...)
{
	const vm_fn_export *f;
	vm_value args[6];
	void *fix[6] = { 0 };
	va_list ap;

	for (f = mod_pv.fns; f->name; f++)
		if (strcmp(f->name, name) == 0 && f->nparams == (int)nargs)
			break;
	if (!f->name || !f->impl) {
		printf("# no function %s/%u\n", name, nargs);
		return -99;
	}
	va_start(ap, nargs);
	for (unsigned i = 0; i < nargs; i++) {
		const char *a = va_arg(ap, const char *);
		if (a[0] == 'i')
			args[i] = vm_int(atoi(a + 2));
		else
			args[i] = vm_str(a + 2, strlen(a + 2));
		if (a[0] == 'p')
			fix[i] = P(a + 2);
	}
	va_end(ap);
	vm_call c = { &ctx, f, "pv", nargs, args, (void *const *)fix };
	return f->impl(&c);
}

static void add_setting(vm_prog *p, const char *module, const char *name, const char *val)
{
	vm_const k = { VM_STR, 0, (char *)val, (uint32_t)strlen(val) };
	vm_prog_add_setting(p, module, name, &k);
}

/* Load a program that loads pv with these settings; 0 or -1. */
static int load(void)
{
	vm_prog *p = vm_prog_new();
	char err[256];
	int rt, f;

	add_setting(p, "", "loadmodule", "pv.so");
	add_setting(p, "pv", "varset", "vinit=s:hello");
	add_setting(p, "pv", "varset", "vnum=i:-7");
	add_setting(p, "pv", "shvset", "sinit=i:5");
	add_setting(p, "pv", "shvset", "stext=s:shared text");
	f = vm_prog_add_file(p, "test.cfg");
	rt = vm_prog_route(p, VM_RT_REQUEST, "");
	vm_prog_begin_route(p, rt);
	vm_prog_emit(p, VM_IA(VM_OP_EXIT, 0), f, 1);
	vm_prog_end_route(p, 1);
	if (vm_load(p, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		printf("# load: %s\n", err);
		vm_prog_free(p);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */

static void test_settings(void)
{
	vm_prog *p = vm_prog_new();
	vm_loaded *bad = NULL;
	char err[256] = "";
	int rt, f;

	add_setting(p, "", "loadmodule", "pv.so");
	add_setting(p, "pv", "shvset", "nocolon=i5");
	f = vm_prog_add_file(p, "test.cfg");
	rt = vm_prog_route(p, VM_RT_REQUEST, "");
	vm_prog_begin_route(p, rt);
	vm_prog_emit(p, VM_IA(VM_OP_EXIT, 0), f, 1);
	vm_prog_end_route(p, 1);
	ok(vm_load(p, vm_registry_sipvm(), &bad, err, sizeof(err)) < 0 &&
			strstr(err, "shvset") != NULL, "bad shvset refuses the program (%s)", err);
	vm_prog_free(p);
}

static void test_var(void)
{
	IS("$var(never)", "i:0");
	IS("$vz(never)", "i:0");
	IS("$var(vinit)", "s:hello");
	IS("$var(vnum)", "i:-7");
	ok(seti("$var(v)", 1) == 0, "$var(v) = 1");
	IS("$var(v)", "i:1");
	sets("$var(v)", "str");
	IS("$var(v)", "s:str");
	IS("$vz(v)", "s:str");
	setn("$var(v)");
	IS("$var(v)", "i:0");
	/* a string from the arena is copied into the store */
	char *a = vm_arena_alloc(&ctx.arena, 8);
	memcpy(a, "arena", 6);
	setv(&ctx, "$var(copy)", vm_str(a, 5));
	memset(a, 'X', 5);
	vm_ctx_msg_done(&ctx);
	IS("$var(copy)", "s:arena");
	/* persistence across messages, per worker */
	seti("$var(cnt)", 1);
	vm_ctx_msg_done(&ctx);
	IS("$var(cnt)", "i:1");
	IS("$(var(copy){s.toupper})", "s:ARENA");
	ok(strcmp(getc_(&ctx2, "$var(cnt)"), "i:0") == 0, "$var is per worker");
	ok(strcmp(getc_(&ctx2, "$var(vinit)"), "s:hello") == 0, "varset applies to every worker");
	/* an int keeps its type; a str|int value ($rp-like) stores as text */
	setv(&ctx, "$var(t)", vm_str_int("5060", 4, 5060));
	IS("$var(t)", "s:5060");
	setv(&ctx, "$var(t)", vm_int_str(7, "7", 1));
	IS("$var(t)", "i:7");
	/* self-assignment through a transformation viewing the store */
	sets("$var(self)", "abcdef");
	{
		vm_value v;
		vm_pv_get(&ctx, P("$(var(self){s.substr,2,0})"), &v);
		setv(&ctx, "$var(self)", v);
	}
	IS("$var(self)", "s:cdef");
	/* $vn */
	IS("$vn(n)", "<null>");
	seti("$vn(n)", 3);
	IS("$vn(n)", "i:3");
	IS("$var(n)", "i:0");
	setn("$vn(n)");
	IS("$vn(n)", "<null>");
	ok(!parses("$var()") && !parses("$var"), "$var needs a name");
}

static void test_shv(void)
{
	IS("$shv(sinit)", "i:5");
	IS("$shv(stext)", "s:shared text");
	IS("$shv(nope)", "i:0");
	sets("$shv(s)", "one");
	ok(strcmp(getc_(&ctx2, "$shv(s)"), "s:one") == 0, "$shv is shared by workers");
	setv(&ctx2, "$shv(s)", vm_int(9));
	IS("$shv(s)", "i:9");
	setn("$shv(s)");
	IS("$shv(s)", "s:");
	ok(call("pv_unset", 1, "p:$shv(s)") == 1, "pv_unset($shv(s))");
	IS("$shv(s)", "i:0");
}

static void test_avp(void)
{
	seti("$avp(a)", 1);
	sets("$avp(a)", "two");
	seti("$avp(a)", 3);
	IS("$avp(a)", "i:3");
	IS("$(avp(a)[0])", "i:3");
	IS("$(avp(a)[1])", "s:two");
	IS("$(avp(a)[2])", "i:1");
	IS("$(avp(a)[3])", "<null>");
	IS("$(avp(a)[*])", "s:3, two, 1");
	IS("$(avp(a)[-1])", "i:1");
	IS("$(avp(a)[-3])", "i:3");
	IS("$(avp(a)[-4])", "<null>");
	IS("$cnt($avp(a))", "i:3");
	IS("$(avp(a){s.len})", "i:1");
	seti("$var(i)", 1);
	IS("$(avp(a)[$var(i)])", "s:two");
	setn("$avp(a)");
	IS("$avp(a)", "s:two");
	IS("$cnt($avp(a))", "i:2");
	/* an index replaces that value */
	sets("$(avp(a)[1])", "X");
	IS("$(avp(a)[*])", "s:two, X");
	setn("$(avp(a)[*])");
	IS("$avp(a)", "<null>");
	IS("$cnt($avp(a))", "i:0");
	/* [*] = v: all replaced by v */
	seti("$avp(b)", 1);
	seti("$avp(b)", 2);
	seti("$(avp(b)[*])", 7);
	IS("$(avp(b)[*])", "s:7");
	/* names: s:x and x are one AVP, i:5 another than s:5 */
	seti("$avp(s:k)", 1);
	seti("$avp(k)", 2);
	seti("$avp(i:5)", 4);
	IS("$(avp(k)[*])", "s:2, 1");
	IS("$avp(i:5)", "i:4");
	IS("$avp(s:5)", "<null>");
	sets("$var(nm)", "k");
	IS("$avp($var(nm))", "i:2");
	seti("$var(nm)", 5);
	IS("$avp($var(nm))", "i:4");
	ok(!parses("$avp(i:x)"), "$avp(i:x) refused");
	/* per message */
	vm_ctx_msg_done(&ctx);
	IS("$avp(k)", "<null>");
	IS("$avp(b)", "<null>");
	/* V16: $var persists, $avp does not */
	for (int i = 0; i < 2; i++) {
		vm_value v;
		vm_pv_get(&ctx, P("$var(c16)"), &v);
		setv(&ctx, "$var(c16)", vm_int(vm_to_int(&v) + 1));
		vm_pv_get(&ctx, P("$avp(c16)"), &v);
		setv(&ctx, "$avp(c16)", vm_int(vm_to_int(&v) + 1));
		if (i == 1) {
			IS("$var(c16)", "i:2");
			IS("$avp(c16)", "i:1");
		}
		vm_ctx_msg_done(&ctx);
	}
}

static void test_xavp(void)
{
	/* V10 */
	seti("$xavp(x=>a)", 1);
	sets("$xavp(x[0]=>b)", "s");
	seti("$xavp(x=>a)", 2);
	IS("$xavp(x=>a)", "i:2");
	IS("$xavp(x[1]=>a)", "i:1");
	IS("$xavp(x[0]=>b)", "<null>");
	IS("$xavp(x[1]=>b)", "s:s");
	IS("$cnt($xavp(x))", "i:2");
	IS("$cnt($xavp(x[1]=>a))", "i:1");
	IS("$xavp(x[-1]=>a)", "i:1");
	IS("$xavp(x[-2]=>a)", "i:2");
	IS("$xavp(x[-3]=>a)", "<null>");
	/* fields repeat; [*] joins them, [n] replaces one */
	sets("$xavp(x[1]=>b)", "t");
	IS("$xavp(x[1]=>b[*])", "s:t, s");
	IS("$xavp(x[1]=>b[1])", "s:s");
	sets("$xavp(x[1]=>b[1])", "S");
	IS("$xavp(x[1]=>b[*])", "s:t, S");
	setn("$xavp(x[1]=>b)");
	IS("$xavp(x[1]=>b[*])", "s:S");
	/* plain values */
	seti("$xavp(y)", 5);
	sets("$xavp(y)", "six");
	IS("$xavp(y)", "s:six");
	IS("$xavp(y[1])", "i:5");
	seti("$xavp(y[1])", 7);
	IS("$xavp(y[1])", "i:7");
	seti("$var(i)", 1);
	IS("$xavp(y[$var(i)])", "i:7");
	{
		const char *r = get("$xavp(x)");
		ok(strncmp(r, "s:<<xavp:", 9) == 0, "a record reads as <<xavp:...>> (%s)", r);
	}
	/* = $null removes the newest, [*] all */
	setn("$xavp(x)");
	IS("$cnt($xavp(x))", "i:1");
	IS("$xavp(x=>a)", "i:1");
	setn("$xavp(x[*])");
	IS("$cnt($xavp(x))", "i:0");
	/* xavu: one value per name */
	seti("$xavu(u)", 1);
	seti("$xavu(u)", 2);
	IS("$xavu(u)", "i:2");
	sets("$xavu(r=>f)", "a");
	sets("$xavu(r=>f)", "b");
	seti("$xavu(r=>g)", 3);
	IS("$xavu(r=>f)", "s:b");
	IS("$xavu(r=>g)", "i:3");
	setn("$xavu(r=>f)");
	IS("$xavu(r=>f)", "<null>");
	IS("$xavu(r=>g)", "i:3");
	/* xavi: names without case */
	sets("$xavi(I=>F)", "ci");
	IS("$xavi(i=>f)", "s:ci");
	IS("$xavp(i=>f)", "<null>");
	ok(!parses("$xavp(a=b)") && !parses("$xavp(a=>)") && !parses("$xavp(a[x]=>b)"),
			"malformed xavp names refused");
	vm_ctx_msg_done(&ctx);
	IS("$xavp(y)", "<null>");
	IS("$xavu(u)", "<null>");
	IS("$xavi(i=>f)", "<null>");
}

static void test_functions(void)
{
	seti("$var(a)", 1);
	sets("$var(b)", "bee");
	sets("$var(e)", "");
	ok(call("pv_isset", 1, "p:$avp(none)") == -1, "pv_isset of a missing AVP is -1");
	ok(call("pv_isset", 1, "p:$var(zz)") == 1, "pv_isset of a $var is 1");
	ok(call("is_int", 1, "p:$var(a)") == 1 && call("is_int", 1, "p:$var(b)") == -1,
			"is_int");
	ok(call("typeof", 2, "p:$var(a)", "s:int") == 1 &&
			call("typeof", 2, "p:$var(b)", "s:str") == 1 &&
			call("typeof", 2, "p:$avp(none)", "s:null") == 1 &&
			call("typeof", 2, "p:$var(b)", "s:int") == -1 &&
			call("typeof", 2, "p:$var(b)", "s:xyz") == -1, "typeof");
	ok(call("not_empty", 1, "p:$var(b)") == 1 && call("not_empty", 1, "p:$var(e)") == -1 &&
			call("not_empty", 1, "p:$var(a)") == -1, "not_empty");
	seti("$vn(u)", 3);
	ok(call("pv_unset", 1, "p:$vn(u)") == 1, "pv_unset($vn(u))");
	IS("$vn(u)", "<null>");
	/* a PV name given at run time (no prepared spec) */
	ok(call("pv_isset", 1, "s:$var(b)") == 1, "pv_isset with a run-time PV name");

	ok(call("xavp_params_explode", 2, "s:a=1;b=\"q v\";c", "s:pp") == 1,
			"xavp_params_explode");
	IS("$xavp(pp=>a)", "s:1");
	IS("$xavp(pp=>b)", "s:q v");
	IS("$xavp(pp=>c)", "s:");
	ok(call("xavp_params_implode", 2, "s:pp", "p:$var(out)") == 1, "xavp_params_implode");
	IS("$var(out)", "s:a=1;b=q v;c;");
	ok(call("xavp_params_explode", 2, "s:a=1;;b=2", "s:bad") == -1 &&
			call("xavp_params_explode", 2, "s: a=1", "s:bad") == -1 &&
			call("xavp_params_explode", 2, "s:c=;d", "s:bad") == -1,
			"xavp_params_explode refuses what 5.6.3 refuses");
	ok(call("xavp_params_explode", 2, "s:a=1 ;b = 2 ", "s:p2") == 1, "blanks are allowed");
	IS("$xavp(p2=>b)", "s:2");
	seti("$xavp(q=>n)", -5);
	sets("$xavp(q[0]=>s)", "v");
	call("xavp_params_implode", 2, "s:q", "p:$var(out)");
	IS("$var(out)", "s:s=v;n=4294967291;");
	ok(call("xavp_params_implode", 2, "s:nonex", "p:$var(out)") == -1,
			"implode of a missing xavp is -1");

	ok(call("xavp_child_seti", 3, "s:q", "s:n", "i:9") == 1, "xavp_child_seti");
	ok(call("xavp_child_sets", 3, "s:q", "s:z", "s:zz") == 1, "xavp_child_sets");
	IS("$xavp(q=>n[*])", "s:9");
	IS("$xavp(q=>z)", "s:zz");
	ok(call("xavp_child_seti", 3, "s:newr", "s:c", "i:3") == 1, "child_seti makes a record");
	IS("$xavp(newr=>c)", "i:3");
	seti("$xavp(plain)", 1);
	call("xavp_child_sets", 3, "s:plain", "s:c", "s:x");
	IS("$xavp(plain=>c)", "s:x");
	IS("$cnt($xavp(plain))", "i:1");
	ok(call("xavp_child_rm", 2, "s:q", "s:n") == 1, "xavp_child_rm");
	IS("$xavp(q=>n)", "<null>");
	IS("$xavp(q=>z)", "s:zz");
	ok(call("xavp_rm", 1, "s:q") == 1 && call("xavp_rm", 1, "s:nonexistent") == 1,
			"xavp_rm is 1 whether or not there is one");
	IS("$xavp(q=>z)", "<null>");

	ok(call("pv_var_to_xavp", 2, "s:b", "s:vx") == 1, "pv_var_to_xavp");
	IS("$xavp(vx=>b)", "s:bee");
	ok(call("pv_var_to_xavp", 2, "s:nosuchvar", "s:vx") == -1, "pv_var_to_xavp of an unknown var");
	ok(call("pv_var_to_xavp", 2, "s:*", "s:vall") == 1, "pv_var_to_xavp(*)");
	IS("$xavp(vall=>a)", "i:1");
	IS("$xavp(vall=>e)", "<null>");
	sets("$xavp(tv=>newvar)", "nv");
	seti("$xavp(tv[0]=>a)", 77);
	ok(call("pv_xavp_to_var", 1, "s:tv") == 1, "pv_xavp_to_var");
	IS("$var(newvar)", "s:nv");
	IS("$var(a)", "i:77");

	ok(call("xavp_slist_explode", 4, "s: a, b,,c ", "s:,", "s:t", "s:sl") == 1,
			"xavp_slist_explode");
	IS("$xavp(sl=>v[*])", "s:a, b, c");
	IS("$xavp(sl=>v)", "s:a");
	ok(call("xavp_copy", 3, "s:sl", "i:0", "s:cp") == 1, "xavp_copy");
	IS("$xavp(cp=>v[2])", "s:c");
	seti("$xavp(cp=>w)", 1);
	ok(call("xavp_copy", 4, "s:sl", "i:0", "s:cp", "i:0") == 1, "xavp_copy into cp[0]");
	IS("$cnt($xavp(cp))", "i:2");
	IS("$xavp(cp=>w)", "<null>");
	IS("$xavp(cp[0]=>v)", "s:a");

	sets("$var(who)", "world");
	ok(call("pv_evalx", 2, "p:$var(ev)", "s:hello $var(who)") == 1, "pv_evalx");
	IS("$var(ev)", "s:hello world");
	ok(call("pv_xavp_print", 0) == 1, "pv_xavp_print");
	vm_ctx_msg_done(&ctx);
}

static void test_transformations(void)
{
	sets("$var(s)", "hello world");
	IS("$(var(s){s.len})", "i:11");
	IS("$(var(s){s.substr,0,5}{s.toupper})", "s:HELLO");
	IS("$(var(s){s.substr,0,5}{s.toupper}{s.len})", "i:5");
	IS("$(var(s){s.md5})", "s:5eb63bbbe01eeed093cb22bb8f5acdc3");
	IS("$(var(s){s.encode.base64})", "s:aGVsbG8gd29ybGQ=");
	IS("$(var(s){s.select,-1, })", "s:world");
	seti("$var(i)", 1);
	sets("$var(list)", "a,b,c");
	IS("$(var(list){s.select,$var(i),,})", "s:b");
	sets("$var(sep)", "o");
	IS("$(var(s){s.rm,$var(sep)})", "s:hell wrld");
	sets("$var(u)", "sip:bob@example.org:5070;transport=tcp");
	IS("$(var(u){uri.user})", "s:bob");
	IS("$(var(u){uri.param,transport})", "s:tcp");
	IS("$(var(u){urialias.encode})", "s:example.org~5070~2");
	sets("$var(al)", "10.1.2.3~5080~2");
	IS("$(var(al){urialias.decode})", "s:sip:10.1.2.3:5080;transport=tcp");
	sets("$var(al)", "127.0.0.1~5060~1");
	IS("$(var(al){urialias.decode})", "s:sip:127.0.0.1:5060");
	sets("$var(al)", "no-tilde");
	IS("$(var(al){urialias.decode})", "<get error>");
	IS("$(var(al){uri.user})", "<get error>");
	sets("$var(p)", "a=1;b=2;c=3");
	IS("$(var(p){param.value,b})", "s:2");
	IS("$(var(p){param.count})", "i:3");
	sets("$var(nb)", "\"Bob B\" <sip:bob@example.org>;tag=ft1");
	IS("$(var(nb){nameaddr.uri})", "s:sip:bob@example.org");
	IS("$(var(nb){tobody.tag})", "s:ft1");
	sets("$var(ln)", "one\ntwo\nthree");
	IS("$(var(ln){line.count})", "i:3");
	IS("$(var(ln){line.at,1})", "s:two");
	/* digests over several blocks (values from Python's hashlib) */
	{
		static char big[1001];
		memset(big, 'a', 1000);
		setv(&ctx, "$var(big)", vm_str(big, 1000));
		IS("$(var(big){s.md5})", "s:cabe45dcc9ae5b66ba86600cca6b8ba8");
		IS("$(var(big){s.sha256})",
				"s:41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
		setv(&ctx, "$var(big)", vm_str(big, 112));
		IS("$(var(big){s.sha512}{s.substr,0,16})", "s:c01d080efd492776");
		IS("$(var(big){s.sha384}{s.substr,0,16})", "s:187d4e07cb306103");
		setv(&ctx, "$var(big)", vm_str(big, 56));
		IS("$(var(big){s.md5})", "s:3b0c8ac703f828b04c6c197006d17218");
		IS("$(var(big){s.sha256})",
				"s:b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	}
	ok(!parses("$(var(s){S.len})") && !parses("$(var(s){s.nope})") &&
			!parses("$(var(s){s.select,$bad(,x})") && parses("$(var(s){s.LEN})"),
			"transformation names checked at load");
	vm_ctx_msg_done(&ctx);
}

/* ------------------------------------------------------------------------ */

static const char options_msg[] =
	"OPTIONS sip:alice@example.com;transport=udp SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n"
	"Via: SIP/2.0/TCP 10.0.0.1:5080;branch=z9hG4bK-0\r\n"
	"From: \"Bob B\" <sip:bob@example.org>;tag=ft1\r\n"
	"To: <sip:alice@example.com>\r\n"
	"Call-ID: cid0@host\r\n"
	"CSeq: 10 OPTIONS\r\n"
	"X-Foo: one\r\n"
	"x-foo: two\r\n"
	"Contact: <sip:bob@127.0.0.1:5070>, <sip:bob2@127.0.0.1:5071>\r\n"
	"Max-Forwards: 70\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char reply_msg[] =
	"SIP/2.0 486 Busy Here\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-x\r\n"
	"From: <sip:bob@example.org>;tag=ft1\r\n"
	"To: \"Al\" <sip:alice@example.com>;tag=tt9\r\n"
	"Call-ID: cid1@host\r\n"
	"CSeq: 10 INVITE\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"hello";

static void set_addrs(rt_msg *m)
{
	m->src.proto = RT_PROTO_UDP;
	m->src.af = 4;
	strcpy(m->src.ip, "127.0.0.1");
	m->src.port = 5070;
	m->rcv.proto = RT_PROTO_UDP;
	m->rcv.af = 4;
	strcpy(m->rcv.ip, "127.0.0.1");
	m->rcv.port = 5060;
}

static void test_msg(void)
{
	rt_msg m;
	rt_buf out = { 0 };

	memset(&m, 0, sizeof(m));
	if (rt_msg_parse(options_msg, sizeof(options_msg) - 1, &m) < 0) {
		ok(0, "the canned request parses");
		return;
	}
	set_addrs(&m);
	ctx.msg = &m;
	IS("$ru", "s:sip:alice@example.com;transport=udp");
	IS("$rU", "s:alice");
	IS("$rd", "s:example.com");
	IS("$rp", "si:5060/5060");
	IS("$rP", "si:udp/1");
	IS("$rz", "si:sip/1");
	IS("$rUl", "i:5");
	IS("$rv", "s:SIP/2.0");
	IS("$rm", "si:OPTIONS/512");
	IS("$rmid", "i:512");
	IS("$mt", "i:1");
	IS("$rs", "<null>");
	IS("$ou", "s:sip:alice@example.com;transport=udp");
	IS("$fu", "s:sip:bob@example.org");
	IS("$fU", "s:bob");
	IS("$fd", "s:example.org");
	IS("$fn", "s:\"Bob B\"");
	IS("$ft", "s:ft1");
	IS("$tu", "s:sip:alice@example.com");
	IS("$tn", "<null>");
	IS("$tt", "<null>");
	IS("$ci", "s:cid0@host");
	IS("$cs", "s:10");
	IS("$csb", "s:10 OPTIONS");
	IS("$ct", "s:<sip:bob@127.0.0.1:5070>, <sip:bob2@127.0.0.1:5071>");
	IS("$cl", "is:0/0");
	IS("$cT", "<null>");
	IS("$ua", "<null>");
	IS("$rb", "s:");
	IS("$bs", "i:0");
	IS("$ml", "i:395");
	IS("$hdr(X-Foo)", "s:one");
	IS("$(hdr(X-Foo)[1])", "s:two");
	IS("$(hdr(X-Foo)[-1])", "s:two");
	IS("$(hdr(X-Foo)[-3])", "<null>");
	IS("$(hdr(X-Foo)[*])", "s:one,two");
	IS("$hdrc(X-Foo)", "i:2");
	IS("$hdr(X-Nope)", "<null>");
	IS("$hdrc(X-Nope)", "i:0");
	IS("$hdr(f)", "s:\"Bob B\" <sip:bob@example.org>;tag=ft1");
	IS("$(hdr(v)[*])",
			"s:SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport,SIP/2.0/TCP 10.0.0.1:5080;branch=z9hG4bK-0");
	IS("$hdr(*)", "s:SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport");
	sets("$var(h)", "x-FOO");
	IS("$(hdr($var(h))[1])", "s:two");
	IS("$(hfl(Contact)[1])", "s:<sip:bob2@127.0.0.1:5071>");
	IS("$hflc(Contact)", "i:2");
	IS("$hflc(Via)", "i:2");
	IS("$(hdr(X-Foo)[0]{s.toupper})", "s:ONE");
	IS("$msg(fline)", "s:OPTIONS sip:alice@example.com;transport=udp SIP/2.0");
	IS("$msg(hdrc)", "i:11");
	IS("$via0(branch)", "s:z9hG4bK-1");
	IS("$via0(rport)", "<null>");
	IS("$via1(host)", "s:10.0.0.1");
	IS("$si", "s:127.0.0.1");
	IS("$sp", "i:5070");
	IS("$su", "s:sip:127.0.0.1:5070");
	IS("$sut", "s:sip:127.0.0.1:5070;transport=udp");
	IS("$sas", "s:udp:127.0.0.1:5070");
	IS("$Ri", "s:127.0.0.1");
	IS("$Rp", "i:5060");
	IS("$Ru", "s:sip:127.0.0.1:5060");
	IS("$pr", "si:udp/1");
	IS("$prid", "i:1");
	IS("$af(name)", "s:IPv4");
	IS("$af(id)", "i:2");
	IS("$du", "<null>");
	IS("$(fu{uri.host})", "s:example.org");
	IS("$_s($rU@$rd)", "s:alice@example.com");
	IS("$K(UDP)", "i:1");
	/* selects (what @via[2].host compiles to) */
	IS("$sel(via[1].branch)", "s:z9hG4bK-1");
	IS("$sel(via[2].host)", "s:10.0.0.1");
	IS("$sel(via[2].port)", "s:5080");
	IS("$sel(via[2].transport)", "s:TCP");
	IS("$sel(via[1].rport)", "<null>");
	IS("$sel(via[3].host)", "<null>");
	IS("$sel(from.uri.user)", "s:bob");
	IS("$sel(from.name)", "s:\"Bob B\"");
	IS("$sel(from.tag)", "s:ft1");
	IS("$sel(to.tag)", "<null>");
	IS("$sel(ruri.params)", "s:transport=udp");
	IS("$sel(ruri.port)", "<null>");
	IS("$sel(cseq.method)", "s:OPTIONS");
	IS("$sel(msg.header[\"x-foo\"])", "s:one");
	IS("$sel(msg.len)", "s:395");
	IS("$sel(src.port)", "s:5070");
	ok(!parses("$sel(to.params)") && !parses("$sel(nosuch.thing)") && !parses("$sel(via[x])"),
			"unsupported selects are refused at load");
	IS("$true", "is:1/1");

	/* time: one sample per message */
	{
		char a[64], b[64];
		snprintf(a, sizeof(a), "%s", get("$Ts"));
		snprintf(b, sizeof(b), "%s", get("$TV(s)"));
		ok(strcmp(a, b) == 0 && strcmp(get("$Ts"), a) == 0, "$Ts and $TV(s) agree (%s)", a);
		ok(strlen(get("$Tf")) == 2 + 24, "$Tf is ctime text (%s)", get("$Tf"));
		ok(atoi(get("$time(year)") + 2) >= 2024, "$time(year)");
		ok(strcmp(get("$timef(%Y)") + 2, get("$time(year)") + 2) == 0, "$timef(%%Y)");
	}

	/* writes */
	ok(sets("$ru", "sip:carol@example.net:5070;x=1?h=v") == 0, "$ru = ...");
	IS("$ru", "s:sip:carol@example.net:5070;x=1?h=v");
	IS("$ou", "s:sip:alice@example.com;transport=udp");
	IS("$rU", "s:carol");
	sets("$rU", "dave");
	IS("$ru", "s:sip:dave@example.net:5070;x=1?h=v");
	sets("$rd", "h.org");
	IS("$ru", "s:sip:dave@h.org:5070;x=1?h=v");
	seti("$rp", 5080);
	IS("$ru", "s:sip:dave@h.org:5080;x=1?h=v");
	setn("$rp");
	IS("$ru", "s:sip:dave@h.org;x=1?h=v");
	IS("$rp", "si:5060/5060");
	sets("$rU", "");
	IS("$ru", "s:sip:h.org;x=1?h=v");
	IS("$rU", "<null>");
	sets("$ru", "sip:u:pw@[::1]:5060");
	sets("$rU", "w");
	IS("$ru", "s:sip:w:pw@[::1]:5060");
	IS("$rd", "s:[::1]");
	sets("$ru", "sip:a@b.c;transport=TLS");
	IS("$rp", "si:5061/5061");
	IS("$rP", "si:TLS/3");
	ok(seti("$ru", 5) < 0, "$ru = 5 is refused");
	ok(sets("$rp", "abc") < 0, "$rp = \"abc\" is refused");
	sets("$ru", "garbage");
	IS("$ru", "<null>");
	ok(sets("$rU", "x") < 0, "$rU on a bad R-URI is refused");
	sets("$du", "sip:proxy.org:5071;transport=tcp");
	IS("$du", "s:sip:proxy.org:5071;transport=tcp");
	IS("$dd", "s:proxy.org");
	IS("$dp", "si:5071/5071");
	IS("$dP", "si:tcp/2");
	setn("$du");
	IS("$du", "<null>");
	seti("$mf", 5);
	IS("$mf", "i:5");
	IS("$mF", "si:00000005/5");
	IS("$Mf(0)", "i:1");
	IS("$Mf(1)", "i:0");
	seti("$Mf(3)", 1);
	IS("$mf", "i:13");
	ok(sets("$mf", "7") < 0, "$mf = \"7\" is refused");
	setn("$mf");
	IS("$mf", "i:0");
	ok(seti("$ci", 1) < 0, "$ci is read-only");
	/* script and branch flags (the core's state) */
	seti("$sf", 8);
	IS("$sf", "i:8");
	IS("$sF", "si:00000008/8");
	IS("$Sf(3)", "i:1");
	seti("$Sf(3)", 0);
	seti("$Sf(1)", 1);
	IS("$sf", "i:2");
	seti("$bf", 4);
	IS("$Bf(2)", "i:1");
	setv(&ctx, "$mf", vm_int((int32_t)0x80000000u));
	IS("$mf", "is:-2147483648/2147483648");
	setn("$mf");
	/* From/To changes go to the message as changes, $fU keeps reading the
	 * original */
	ok(sets("$fU", "carl") == 0, "$fU = carl");
	ok(sets("$tn", "\"Al\"") == 0, "$tn = \"Al\"");
	ok(setn("$fn") == 0 && sets("$fd", "new.org") == 0, "$fn = $null, $fd = new.org");
	ok(sets("$fu", "sip:x@y") < 0, "$fu over an earlier From change is refused");
	IS("$fU", "s:bob");
	IS("$fn", "s:\"Bob B\"");
	if (rt_build_applied(&m, &out) == 0) {
		ok(strstr(out.s, "From: <sip:carl@new.org>;tag=ft1\r\n") != NULL,
				"the From header changed when the message is built");
		ok(strstr(out.s, "To: \"Al\" <sip:alice@example.com>\r\n") != NULL,
				"the To display name was added");
	} else {
		ok(0, "rt_build_applied");
	}
	rt_buf_free(&out);
	ctx.msg = NULL;
	vm_ctx_msg_done(&ctx);
	rt_msg_clear(&m);

	memset(&m, 0, sizeof(m));
	if (rt_msg_parse(reply_msg, sizeof(reply_msg) - 1, &m) < 0) {
		ok(0, "the canned reply parses");
		return;
	}
	set_addrs(&m);
	ctx.msg = &m;
	IS("$rs", "i:486");
	IS("$rr", "s:Busy Here");
	IS("$rm", "si:INVITE/1");
	IS("$rmid", "i:1");
	IS("$ru", "<null>");
	IS("$rU", "<null>");
	IS("$mt", "i:2");
	IS("$tn", "s:\"Al\"");
	IS("$tt", "s:tt9");
	IS("$rb", "s:hello");
	IS("$bs", "i:5");
	IS("$cl", "is:5/5");
	IS("$cT", "s:text/plain");
	ok(sets("$ru", "sip:x@y") < 0, "a reply has no R-URI to set");
	ctx.msg = NULL;
	vm_ctx_msg_done(&ctx);
	rt_msg_clear(&m);
	IS("$ru", "<null>");
}

int main(void)
{
	if (load() < 0 || vm_ctx_init(&ctx, lp, 0) < 0 || vm_ctx_init(&ctx2, lp, 1) < 0) {
		ok(0, "load a program with pv");
		return tap_done();
	}
	ctx.log_level = VM_L_ALERT - 1;   /* the refusals below are expected */
	ctx2.log_level = VM_L_ALERT - 1;
	test_settings();
	test_var();
	test_shv();
	test_avp();
	test_xavp();
	test_functions();
	test_transformations();
	test_msg();
	for (size_t i = 0; i < nspecs; i++)
		vm_pvspec_free(specs[i]);
	vm_ctx_free(&ctx);
	vm_ctx_free(&ctx2);
	vm_unload(lp);
	return tap_done();
}
