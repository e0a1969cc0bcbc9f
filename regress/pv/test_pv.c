/*
 * test_pv.c — the pseudo-variable and format checker, cfgc_pv.c (TAP).
 *
 * Each case puts a text in a fresh context's output buffer, checks it
 * against a small fake lookup (a few PV classes, transformations and one
 * hash table) and compares the first diagnostic — its code and, where it
 * matters, the exact sub-span — with what is expected. The checked text is
 * handed over in a buffer of exactly its length (no NUL), so a sanitizer
 * build catches any read past the end. A last case runs random inputs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgc_int.h"

#include "../tap.h"



/* ------------------------------------------------------------ fake lookup */

#define W VM_PV_WRITABLE
#define N VM_PV_NAME
#define I VM_PV_INDEX

static const vm_pv_export fake_pvs[] = {
	{ "ru", W, NULL, NULL, NULL }, { "rU", W, NULL, NULL, NULL }, { "fU", W, NULL, NULL, NULL }, { "si", 0, NULL, NULL, NULL }, { "ct", 0, NULL, NULL, NULL }, { "ai", I, NULL, NULL, NULL },
	{ "T_reply_code", 0, NULL, NULL, NULL }, { "var", W | N, NULL, NULL, NULL }, { "avp", W | N | I, NULL, NULL, NULL }, { "xavp", W | N, NULL, NULL, NULL },
	{ "hdr", N | I, NULL, NULL, NULL }, { "sht", W | N, NULL, NULL, NULL }, { "cnt", N, NULL, NULL, NULL }, { "T_req", N, NULL, NULL, NULL }, { "_s", N, NULL, NULL, NULL },
	{ "time", N, NULL, NULL, NULL }, { "af", N, NULL, NULL, NULL }, { "rb", 0, NULL, NULL, NULL }, { NULL, 0, NULL, NULL, NULL },
};

static const char *const fake_trs[][2] = {
	{ "s", "len" }, { "s", "substr" }, { "s", "select" }, { "s", "tolower" }, { "s", "int" },
	{ "uri", "user" }, { "uri", "param" }, { "re", "subst" }, { NULL, NULL },
};

static const vm_pv_export *fake_pv(void *env, const char *name, size_t n, const char **module)
{
	(void)env;
	for (const vm_pv_export *p = fake_pvs; p->name; p++)
		if (strlen(p->name) == n && !memcmp(p->name, name, n)) {
			if (module)
				*module = "pv";
			return p;
		}
	return NULL;
}

static int fake_tr(void *env, const char *cls, size_t cn, const char *name, size_t nn)
{
	int found = 0;
	(void)env;
	for (int i = 0; fake_trs[i][0]; i++) {
		if (strlen(fake_trs[i][0]) != cn || memcmp(fake_trs[i][0], cls, cn))
			continue;
		found = 1;
		if (strlen(fake_trs[i][1]) == nn && !strncasecmp(fake_trs[i][1], name, nn))
			return 2;
	}
	return found;
}

static int fake_htable(void *env, const char *name, size_t n)
{
	(void)env;
	return n == 5 && !memcmp(name, "users", 5);
}

/* Closest of `cands` to s[0..n) within edit distance 2, or NULL. */
static const char *closest(const char *s, size_t n, const char *const *cands, size_t step)
{
	char buf[64];
	const char *best = NULL;
	int bd = 3;
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (; *cands; cands = (const char *const *)((const char *)cands + step)) {
		int d = cfgc_edit_distance(buf, *cands);
		if (d < bd) {
			bd = d;
			best = *cands;
		}
	}
	return best;
}

static const char *fake_pv_suggest(void *env, const char *name, size_t n)
{
	(void)env;
	return closest(name, n, &fake_pvs[0].name, sizeof(fake_pvs[0]));
}

static const char *fake_pv_module(void *env, const char *name, size_t n)
{
	(void)env;
	return n == 5 && !memcmp(name, "shtex", 5) ? "htable" : NULL;
}

static const char *fake_tr_suggest(void *env, const char *cls, size_t cn, const char *name,
                                   size_t nn)
{
	const char *names[16];
	int k = 0;
	(void)env;
	if (!name)
		return closest(cls, cn, &fake_trs[0][0], sizeof(fake_trs[0]));
	for (int i = 0; fake_trs[i][0] && k < 15; i++)
		if (strlen(fake_trs[i][0]) == cn && !memcmp(fake_trs[i][0], cls, cn))
			names[k++] = fake_trs[i][1];
	names[k] = NULL;
	return closest(name, nn, names, sizeof(names[0]));
}

static const cfgc_lookup lk = {
	.env = NULL, .pv = fake_pv, .tr = fake_tr, .htable = fake_htable,
	.pv_suggest = fake_pv_suggest, .pv_module = fake_pv_module, .tr_suggest = fake_tr_suggest,
};

/* ---------------------------------------------------------------- driver */

/* Outcome of one check: the return code, counts and the first diagnostic
 * (offset and length in the output buffer, code, help). */
typedef struct {
	int rc, nerr, nwarn;
	char code[48];
	char help[256];
	int off, len;
} res;

#define FMT 0x100 /* run cfgc_fmt_check instead of cfgc_pv_check */

/* Check `raw` (the output text: a PV token, or a quoted literal for FMT)
 * with `cooked` as the checked bytes (NULL: raw itself) in `mode`. */
static res run(const char *raw, const char *cooked, int flags, int mode)
{
	res r;
	cfgc_ctx *ctx = cfgc_ctx_new(NULL);
	size_t rn = strlen(raw), cn;
	char *exact;

	memset(&r, 0, sizeof(r));
	r.off = r.len = -1;
	ctx->out = malloc(rn + 1);
	memcpy(ctx->out, raw, rn + 1);
	ctx->out_len = rn;
	ctx->segs = calloc(1, sizeof(cfgc_seg));
	ctx->segs[0].file = 0;
	ctx->segs[0].line = 1;
	ctx->segs[0].col = 1;
	ctx->segs[0].cond = -1;
	ctx->nsegs = 1;
	ctx->modes = calloc(1, sizeof(cfgc_mode_change));
	ctx->modes[0].mode = mode;
	ctx->nmodes = 1;

	if (!cooked)
		cooked = raw;
	cn = strlen(cooked);
	exact = malloc(cn ? cn : 1);
	memcpy(exact, cooked, cn);
	cfgc_span sp = { 0, (uint32_t)rn };
	if (flags & FMT)
		r.rc = cfgc_fmt_check(ctx, &lk, sp, exact, cn);
	else
		r.rc = cfgc_pv_check(ctx, &lk, sp, exact, cn, flags);
	free(exact);

	r.nerr = ctx->nerrors;
	r.nwarn = ctx->nwarnings;
	if (ctx->diags) {
		snprintf(r.code, sizeof(r.code), "%s", ctx->diags->code);
		snprintf(r.help, sizeof(r.help), "%s", ctx->diags->help ? ctx->diags->help : "");
		r.off = ctx->diags->loc.col - 1;
		r.len = ctx->diags->len;
	}
	cfgc_ctx_free(ctx);
	return r;
}

/* Expect `text` (PV token) to pass in Kamailio mode with no diagnostic. */
static void pass(const char *text)
{
	res r = run(text, NULL, 0, CFGC_MODE_KAMAILIO);
	ok(r.rc == 0 && r.nerr == 0 && r.nwarn == 0, "accepts %s", text);
	if (r.code[0])
		printf("#   got %s at %d+%d\n", r.code, r.off, r.len);
}

/* Expect the first diagnostic of checking `text` to have `code`, and when
 * off >= 0 to sit at [off, off + len). */
static void fail_at(const char *text, int flags, int mode, const char *code, int off, int len)
{
	res r = run(text, NULL, flags, mode);
	int good = r.rc == -1 && !strcmp(r.code, code) && (off < 0 || (r.off == off && r.len == len));
	ok(good, "%s: %s", text, code);
	if (!good)
		printf("#   got rc %d code '%s' at %d+%d\n", r.rc, r.code, r.off, r.len);
}

static void fail(const char *text, const char *code)
{
	fail_at(text, 0, CFGC_MODE_KAMAILIO, code, -1, 0);
}

/* Format: `raw` is the literal as written, `cooked` its bytes. */
static void fmt(const char *raw, const char *cooked, const char *code, int off, int len)
{
	res r = run(raw, cooked, FMT, CFGC_MODE_KAMAILIO);
	int good;
	if (!code)
		good = r.rc == 0 && r.nerr == 0 && r.nwarn == 0;
	else
		good = !strcmp(r.code, code) && (off < 0 || (r.off == off && r.len == len));
	ok(good, "format %s: %s", raw, code ? code : "ok");
	if (!good)
		printf("#   got rc %d code '%s' at %d+%d\n", r.rc, r.code, r.off, r.len);
}

/* First diagnostic's help contains `want`. */
static void help_has(const char *text, int flags, const char *want)
{
	res r = run(text, NULL, flags, CFGC_MODE_KAMAILIO);
	int has = strstr(r.help, want) != NULL;
	ok(has, "help for %s names the fix", text);
	if (!has)
		printf("#   got help '%s', wanted '%s'\n", r.help, want);
}

/* Random texts from a PV-heavy alphabet: nothing may crash or read past
 * the end (run under ASan to make that visible). */
static void random_inputs(void)
{
	static const char alpha[] = "$$$(((){}}[]]avrxdpsht.,:=>\\ 0-1*+_?uiT'\"";
	unsigned seed = 12345;
	char buf[64];
	int i, j, n;

	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		n = (int)(seed >> 16) % 48;
		buf[0] = '$';
		for (j = 1; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		buf[n > 0 ? n : 0] = '\0';
		run(buf, NULL, (i & 1) ? CFGC_PV_LVALUE : 0, (i & 2) ? CFGC_MODE_MAX : CFGC_MODE_KAMAILIO);
		run("\"x\"", buf, FMT, CFGC_MODE_KAMAILIO);
	}
	ok(1, "20000 random inputs checked without a crash");
}

int main(void)
{
	char deep[400];
	int k;

	/* forms */
	pass("$ru");
	pass("$(ru)");
	pass("$var(x)");
	pass("$(var(x))");
	pass("$(hdr(Via)[1])");
	pass("$(hdr(Via)[-1])");
	pass("$(avp(a)[*])");
	pass("$(avp(a)[+])");
	pass("$(avp(a)[$var(i)])");
	pass("$(ru{uri.user})");
	pass("$(var(x){s.substr,1,3}{s.tolower})");
	pass("$(var(x){s.substr, $var(a) ,$var(b)})");
	pass("$(var(x){s.len} {s.int})");
	pass("$(var(x){s.LEN})");
	pass("$(var(l){s.select,1,,})");
	pass("$(var(l){s.select,-1, })");
	pass("$(var(l){s.select,0,}})");
	pass("$(rb{re.subst,/a{2,3}$/b\\1/g})");
	pass("$(ru{uri.param,transport})");
	pass("$(hdr(Via)[1]{s.len})");
	pass("$$");
	pass("$($)");
	pass("$?");
	pass("$rc");
	pass("$retcode");
	pass("$T_reply_code");
	pass("$time(year)");
	pass("$(ai[1])");
	pass("$var($x)");

	/* class known, name required / refused */
	fail_at("$fUU", 0, CFGC_MODE_KAMAILIO, "unknown-pv", 0, 4);
	help_has("$fUU", 0, "did you mean '$fU'?");
	help_has("$shtex(t=>k)", 0, "loadmodule \"htable.so\"");
	help_has("$zzzzz", 0, "$avp(zzzzz)");
	ok(run("$foo", NULL, 0, CFGC_MODE_MAX).rc == 0, "MAX mode: $foo is a legacy AVP");
	ok(run("$foo", NULL, CFGC_PV_LVALUE, CFGC_MODE_MAX).rc == 0, "MAX mode: $foo = ... is fine");
	fail_at("$foo(x)", 0, CFGC_MODE_MAX, "unknown-pv", 0, 4);
	fail_at("$(foo)", 0, CFGC_MODE_MAX, "unknown-pv", -1, 0);
	fail_at("$foo", CFGC_PV_FORMAT, CFGC_MODE_MAX, "unknown-pv", -1, 0);
	fail_at("$var", 0, CFGC_MODE_KAMAILIO, "pv-name-missing", 0, 4);
	fail("$(var)", "pv-name-missing");
	fail("$af", "pv-name-missing");
	fail_at("$ru(x)", 0, CFGC_MODE_KAMAILIO, "pv-name-unexpected", 3, 3);
	fail("$(ru(x))", "pv-name-unexpected");
	fail("$T_reply_code(x)", "pv-name-unexpected");
	fail("$var()", "pv-name-missing");
	fail("$hdr()", "pv-name-missing");
	fail("$avp()", "pv-name-missing");

	/* inner names */
	pass("$avp(s:name)");
	pass("$avp(i:1)");
	pass("$avp(name)");
	pass("$avp(f.name)");
	pass("$avp(fu.name[2])");
	pass("$avp($var(x))");
	pass("$avp(ab:c)");
	fail("$avp(a:b:c)", "pv-name-invalid");
	fail_at("$avp(i:abc)", 0, CFGC_MODE_KAMAILIO, "pv-name-invalid", 5, 5);
	fail("$avp(x:abc)", "pv-name-invalid");
	fail("$avp(s:)", "pv-name-invalid");
	fail("$avp(my.name)", "pv-name-invalid");
	fail("$avp(f.)", "pv-name-invalid");
	fail_at("$avp($foo)", 0, CFGC_MODE_KAMAILIO, "unknown-pv", 5, 4);
	fail_at("$avp($foo)", 0, CFGC_MODE_MAX, "unknown-pv", 5, 4);
	pass("$xavp(a=>b)");
	pass("$xavp(a[0]=>b[1])");
	pass("$xavp(a)");
	pass("$xavp(a[$var(i)]=>b[*])");
	fail("$xavp(a=>)", "pv-name-invalid");
	fail("$xavp(a=b)", "pv-name-invalid");
	fail_at("$xavp(a[x]=>b)", 0, CFGC_MODE_KAMAILIO, "pv-syntax", 8, 1);
	fail("$xavp(a[]=>b)", "pv-syntax");
	pass("$sht(users=>$fU)");
	pass("$sht(users=>a:$fU:$(ru{uri.user}))");
	pass("$sht(users=>)");
	fail_at("$sht(nosuch=>k)", 0, CFGC_MODE_KAMAILIO, "unknown-htable", 5, 6);
	help_has("$sht(nosuch=>k)", 0, "modparam(\"htable\", \"htable\", \"nosuch=>size=8\")");
	fail("$sht(users)", "pv-name-invalid");
	fail("$sht(=>k)", "pv-name-invalid");
	fail_at("$sht(users=>$nope)", 0, CFGC_MODE_KAMAILIO, "unknown-pv", 12, 5);
	fail("$sht(users=>x$)", "bad-format");
	pass("$cnt($avp(x))");
	pass("$cnt($xavp(r))");
	fail("$cnt($var(x))", "pv-name-invalid");
	fail("$cnt(x)", "pv-name-invalid");
	pass("$T_req($hdr(X))");
	fail("$T_req(x)", "pv-name-invalid");
	pass("$_s($ru-$fU)");
	fail("$_s($nope)", "unknown-pv");
	pass("$hdr($var(h))");
	fail("$hdr($nope)", "unknown-pv");
	{
		res r = run("$avp($var(x)y)", NULL, 0, CFGC_MODE_KAMAILIO);
		ok(r.rc == 0 && r.nwarn == 1 && !strcmp(r.code, "pv-name-ignored"),
		   "$avp($var(x)y): text after the PV name is ignored (warning)");
	}

	/* indexes */
	fail_at("$(ru[1])", 0, CFGC_MODE_KAMAILIO, "pv-index-unexpected", 4, 3);
	fail("$(ct[1])", "pv-index-unexpected");
	fail_at("$(hdr(Via)[x])", 0, CFGC_MODE_KAMAILIO, "pv-syntax", 11, 1);
	fail("$(hdr(Via)[+1])", "pv-syntax");
	fail("$(hdr(Via)[])", "pv-syntax");
	fail("$(hdr(Via)[1)", "pv-syntax");
	fail("$(hdr(Via)[$nope])", "unknown-pv");
	fail("$(hdr(Via)[1]x)", "pv-syntax");

	/* transformations */
	fail_at("$(ru{S.len})", 0, CFGC_MODE_KAMAILIO, "unknown-transformation", 4, 7);
	help_has("$(ru{S.len})", 0, "case-sensitive");
	fail_at("$(ru{s.lenn})", 0, CFGC_MODE_KAMAILIO, "unknown-transformation", 4, 8);
	help_has("$(ru{s.lenn})", 0, "did you mean '{s.len}'?");
	fail("$(ru{nosuch.len})", "unknown-transformation");
	fail("$(ru{s.len)", "pv-syntax");
	fail("$(ru{len})", "pv-syntax");
	fail("$(ru{.len})", "pv-syntax");
	fail("$(ru{s.len}x)", "pv-syntax");
	fail("$(ru{s.substr,1,2)", "pv-syntax");
	fail("$(ru{s.substr,$var(a)x,2})", "pv-syntax");
	fail_at("$(ru{s.substr,$foo,1})", 0, CFGC_MODE_KAMAILIO, "unknown-pv", 14, 4);
	fail_at("$(ru{s.substr,$foo,1})", 0, CFGC_MODE_MAX, "unknown-pv", 14, 4);
	fail_at("$var(x){s.len}", 0, CFGC_MODE_KAMAILIO, "pv-syntax", 7, 7);
	help_has("$var(x){s.len}", 0, "$(var(x){s.len})");
	fail("$avp(x)[1]", "pv-syntax");

	/* assignments */
	fail_at("$si", CFGC_PV_LVALUE, CFGC_MODE_KAMAILIO, "readonly-pv", 0, 3);
	fail_at("$(var(x){s.len})", CFGC_PV_LVALUE, CFGC_MODE_KAMAILIO, "pv-transformation-lvalue", 0, 16);
	fail_at("$$", CFGC_PV_LVALUE, CFGC_MODE_KAMAILIO, "readonly-pv", 0, 2);
	ok(run("$ru", NULL, CFGC_PV_LVALUE, CFGC_MODE_KAMAILIO).rc == 0, "$ru can be assigned");
	ok(run("$(avp(x)[*])", NULL, CFGC_PV_LVALUE, CFGC_MODE_KAMAILIO).rc == 0,
	   "$(avp(x)[*]) can be assigned");
	ok(run("$si", NULL, CFGC_PV_LVALUE, CFGC_MODE_MAX).rc == -1, "MAX mode: $si is still read-only");

	/* syntax */
	fail("$", "pv-syntax");
	fail("$(", "pv-syntax");
	fail("$()", "pv-syntax");
	fail("$(ru", "pv-syntax");
	fail_at("$(ru x)", 0, CFGC_MODE_KAMAILIO, "pv-syntax", 4, 1);
	fail("$var(x", "pv-syntax");
	fail("$(var(x)", "pv-syntax");
	fail("$(var(x)y)", "pv-syntax");
	fail("ru", "pv-syntax");
	k = 0;
	for (int i = 0; i < 40; i++)
		k += snprintf(deep + k, sizeof(deep) - (size_t)k, "$avp(");
	k += snprintf(deep + k, sizeof(deep) - (size_t)k, "x");
	for (int i = 0; i < 40; i++)
		k += snprintf(deep + k, sizeof(deep) - (size_t)k, ")");
	fail(deep, "pv-syntax");

	/* formats */
	fmt("\"hello $ru world\"", "hello $ru world", NULL, 0, 0);
	fmt("\"$$ and $$ru\"", "$$ and $$ru", NULL, 0, 0);
	fmt("\"$(var(x){s.len})/$hdr(Via)/$(hdr(Via)[1])\"", "$(var(x){s.len})/$hdr(Via)/$(hdr(Via)[1])",
	    NULL, 0, 0);
	fmt("\"\"", "", NULL, 0, 0);
	fmt("\"cost 5$\"", "cost 5$", "bad-format", 7, 1);
	fmt("\"a $ b\"", "a $ b", "bad-format", 3, 1);
	fmt("\"a $\\\"b\"", "a $\"b", "bad-format", 3, 1);
	fmt("\"x $nosuch y\"", "x $nosuch y", "unknown-pv", 3, 7);
	fmt("\"a\\tb $nosuch\"", "a\tb $nosuch", "unknown-pv", 0, 14);
	fmt("'x $nosuch'", "x $nosuch", "unknown-pv", 3, 7);
	fmt("\"$fU.\"", "$fU.", "unknown-pv", 1, 4);
	fmt("\"$var(x\"", "$var(x", "bad-format", 1, 6);
	fmt("\"$ru(\"", "$ru(", "bad-format", 1, 4);
	fmt("\"$ru(x)\"", "$ru(x)", "pv-name-unexpected", 4, 3);
	fmt("\"$sht(users=>$fU)\"", "$sht(users=>$fU)", NULL, 0, 0);
	fmt("\"$sht(t=>x)\"", "$sht(t=>x)", "unknown-htable", 6, 1);
	fmt("\"$var(x){s.len}\"", "$var(x){s.len}", "pv-transformation-literal", 8, 7);
	fmt("\"$var(x){not a tr}\"", "$var(x){not a tr}", NULL, 0, 0);
	fmt("\"$foo\"", "$foo", "unknown-pv", 1, 4);
	{
		char raw[160], cooked[128];
		strcpy(cooked, "$ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $");
		snprintf(raw, sizeof(raw), "\"%s\"", cooked);
		res r = run(raw, cooked, FMT, CFGC_MODE_KAMAILIO);
		ok(r.rc == -1 && r.nerr == 8, "a format reports at most 8 errors (got %d)", r.nerr);
	}

	random_inputs();

	return tap_done();
}
