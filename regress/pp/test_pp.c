/*
 * test_pp.c — TAP tests for the cfgc preprocessor (cfgc/cfgc_pp.c).
 *
 * Each case runs cfgc_pp_run() on a small config (written to a temporary
 * file, or a fixture under regress/pp/) and checks the expanded text, the
 * line map (cfgc_map) and the diagnostics (code and line).
 *
 * Usage: test_pp [FIXTURE_DIR]   (default regress/pp, run from the top)
 *
 * Built by the Makefile as build/regress/pp/test_pp; by hand:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Icfgc regress/pp/test_pp.c \
 *      cfgc/cfgc_pp.c cfgc/cfgc_ctx.c cfgc/cfgc_diag.c cfgc/cfgc_names.c -o test_pp
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgc_int.h"

#include "../tap.h"

static char tmpdir[64];
static char tmpfile_path[128];
static const char *fixdir = "regress/pp";

/* Options for the next run. */
static int opt_target;
static const char *opt_defines[8];
static int opt_ndefines;
static const char *opt_incdirs[4];
static int opt_nincdirs;


static void reset_opts(void)
{
	opt_target = CFGC_TARGET_SIPVM;
	opt_ndefines = 0;
	opt_nincdirs = 0;
}

/* Preprocess a file; the caller frees the context. */
static cfgc_ctx *run_file(const char *path, int *rc)
{
	cfgc_opts o;
	cfgc_ctx *ctx;
	int r;

	memset(&o, 0, sizeof o);
	o.target = opt_target;
	o.defines = opt_defines;
	o.ndefines = opt_ndefines;
	o.incdirs = opt_incdirs;
	o.nincdirs = opt_nincdirs;
	ctx = cfgc_ctx_new(&o);
	r = cfgc_pp_run(ctx, path);
	if (rc)
		*rc = r;
	return ctx;
}

/* Preprocess `len` bytes of text written to a temporary file. */
static cfgc_ctx *run_bytes(const char *text, size_t len)
{
	FILE *f = fopen(tmpfile_path, "wb");

	if (!f) {
		perror(tmpfile_path);
		exit(2);
	}
	fwrite(text, 1, len, f);
	fclose(f);
	return run_file(tmpfile_path, NULL);
}

static cfgc_ctx *run(const char *text)
{
	return run_bytes(text, strlen(text));
}

/* Offset of the nth (0-based) occurrence of s in the output, -1 if none. */
static long find(const cfgc_ctx *ctx, const char *s, int nth)
{
	const char *p = ctx->out, *q;

	while ((q = strstr(p, s)) != NULL) {
		if (nth-- == 0)
			return (long)(q - ctx->out);
		p = q + 1;
	}
	return -1;
}

static int has(const cfgc_ctx *ctx, const char *s)
{
	return find(ctx, s, 0) >= 0;
}

/* The output offset maps to file:line:col (file -2: any file). */
static int maps_to(const cfgc_ctx *ctx, long off, int file, int line, int col)
{
	cfgc_loc l;

	if (off < 0)
		return 0;
	l = cfgc_map(ctx, (uint32_t)off, NULL);
	if (l.line != line || l.col != col || (file != -2 && l.file != file)) {
		printf("# offset %ld maps to %d:%d:%d, expected %d:%d:%d\n", off, l.file, l.line,
		       l.col, file, line, col);
		return 0;
	}
	return 1;
}

static int seg_expand(const cfgc_ctx *ctx, long off)
{
	const cfgc_seg *s = NULL;

	if (off < 0)
		return -1;
	cfgc_map(ctx, (uint32_t)off, &s);
	return s ? s->expand : -1;
}

static int seg_cond(const cfgc_ctx *ctx, long off)
{
	const cfgc_seg *s = NULL;

	if (off < 0)
		return -2;
	cfgc_map(ctx, (uint32_t)off, &s);
	return s ? s->cond : -2;
}

/* The first diagnostic with this code on this line (line 0: any). */
static const cfgc_diag *diag(const cfgc_ctx *ctx, const char *code, int line)
{
	const cfgc_diag *d;

	for (d = ctx->diags; d; d = d->next)
		if (strcmp(d->code, code) == 0 && (line == 0 || d->loc.line == line))
			return d;
	return NULL;
}

/* A note of d whose message contains text (NULL: any) and, when line > 0,
 * that is on that line (line -1: a note without location). */
static const cfgc_diag *note(const cfgc_diag *d, const char *text, int line)
{
	const cfgc_diag *n;

	for (n = d ? d->notes : NULL; n; n = n->next)
		if ((!text || strstr(n->msg, text)) &&
		    (line == 0 || (line < 0 ? n->loc.file == -1 : n->loc.line == line)))
			return n;
	return NULL;
}

static int ndiags(const cfgc_ctx *ctx)
{
	const cfgc_diag *d;
	int n = 0;

	for (d = ctx->diags; d; d = d->next)
		n++;
	return n;
}

static int ncode(const cfgc_ctx *ctx, const char *code)
{
	const cfgc_diag *d;
	int n = 0;

	for (d = ctx->diags; d; d = d->next)
		n += strcmp(d->code, code) == 0;
	return n;
}

static void dump_diags(const cfgc_ctx *ctx)
{
	const cfgc_diag *d;

	for (d = ctx->diags; d; d = d->next)
		printf("#   %d:%d:%d %s [%s] %s\n", d->loc.file, d->loc.line, d->loc.col,
		       d->severity == CFGC_ERROR ? "error" : d->severity == CFGC_WARNING ? "warning" : "note",
		       d->code, d->msg);
}

static int defined_as(const cfgc_ctx *ctx, const char *name, const char *value)
{
	const cfgc_define *d = cfgc_pp_lookup(ctx, name, strlen(name));

	if (!d)
		return 0;
	if (!value)
		return d->value == NULL;
	return d->value && strcmp(d->value, value) == 0;
}

/* -------------------------------------------------------------- cases */

static void test_comments(void)
{
	cfgc_ctx *ctx;

	ctx = run("a # c\nb // d\n/* x /* nested */ y */z\n");
	ok(strcmp(ctx->out, "a  \nb  \n z\n") == 0, "comments become one space, newlines kept");
	ok(maps_to(ctx, find(ctx, "z", 0), 0, 3, 23), "text after a nested block comment maps to its column (3:23)");
	ok(ndiags(ctx) == 0, "no diagnostics for plain comments");
	cfgc_ctx_free(ctx);

	ctx = run("/* one\ntwo */x\n");
	ok(strcmp(ctx->out, " \nx\n") == 0 && maps_to(ctx, find(ctx, "x", 0), 0, 2, 7),
	   "newline inside a block comment is kept; following text maps to line 2 col 7");
	cfgc_ctx_free(ctx);

	ctx = run("a;\n  /* never /* closed */\nb;\n");
	ok(diag(ctx, "unterminated-comment", 2) && diag(ctx, "unterminated-comment", 2)->loc.col == 3,
	   "unterminated block comment reported at its start (2:3)");
	cfgc_ctx_free(ctx);

	ctx = run("x = \"a # not a comment // either\"; y = 'p /* q';\n");
	ok(has(ctx, "\"a # not a comment // either\"") && has(ctx, "'p /* q'") && ndiags(ctx) == 0,
	   "comment markers inside strings are text");
	cfgc_ctx_free(ctx);
}

static void test_defines(void)
{
	cfgc_ctx *ctx;
	long off;

	ctx = run("#!define GW \"10.0.0.9\"\n$du = \"sip:\" + GW;\n");
	off = find(ctx, "\"10.0.0.9\"", 0);
	ok(has(ctx, "$du = \"sip:\" + \"10.0.0.9\";"), "define with a string value expands");
	ok(maps_to(ctx, off, 0, 2, 16) && maps_to(ctx, off + 5, 0, 2, 16) && seg_expand(ctx, off) == 1,
	   "every expanded byte maps to the use site 2:16 (expand=1)");
	ok(maps_to(ctx, find(ctx, ";", 0), 0, 2, 18), "text after an expansion maps to its own column");
	ok(maps_to(ctx, find(ctx, "$du", 0), 0, 2, 1), "text before an expansion maps 1:1");
	cfgc_ctx_free(ctx);

	ctx = run("#!define EMPTYD\n#!define NUMV 42\n#!define CHAIN NUMV\n"
	          "$var(c) = 1 EMPTYD + 2;\n$var(b) = CHAIN;\n");
	ok(has(ctx, "$var(c) = 1  + 2;"), "a define without value expands to nothing (L9)");
	ok(has(ctx, "$var(b) = 42;"), "defines inside define values are expanded (L8)");
	cfgc_ctx_free(ctx);

	ctx = run("#!define STRV \"bar\"\n$var(STRV) = STRV; xlog(\"[STRV]\"); x = 'STRV';\n"
	          "@STRV.x; event_route[STRV:ev] { ; }\n#!define x1F 9\ny = 0x1F + 5060;\n");
	ok(has(ctx, "$var(STRV) = \"bar\";"), "PV text is not expanded, the identifier is (L7)");
	ok(has(ctx, "xlog(\"[STRV]\")") && has(ctx, "'STRV'"), "strings are not expanded");
	ok(has(ctx, "@STRV.x") && has(ctx, "event_route[STRV:ev]"),
	   "select names and event_route names are not expanded");
	ok(has(ctx, "0x1F + 5060"), "numbers are not expanded");
	cfgc_ctx_free(ctx);

	ctx = run("#!define route BAD\n#!define int 3\n#!define beef 1\nroute[A] { $x = (int)$y; }\n"
	          "listen=udp:[fe80::beef]:5060\n");
	ok(has(ctx, "route[A] { $x = (int)$y; }") && has(ctx, "fe80::beef"),
	   "keywords, the (int) cast and IPv6 addresses are not expanded");
	cfgc_ctx_free(ctx);

	/* L10: the '#' in a define value comments out the rest of the using line */
	ctx = run("#!define CMT 7 # note\n$var(d) = CMT + 1; xlog(\"x\");\nnext_line;\n");
	ok(has(ctx, "$var(d) = 7  \nnext_line;") && !has(ctx, "xlog"),
	   "'#' in a define value swallows the rest of the using line (L10)");
	ok(maps_to(ctx, find(ctx, "next_line", 0), 0, 3, 1), "the following line maps normally");
	cfgc_ctx_free(ctx);

	/* L11: multi-line define */
	ctx = run("#!define TWO xlog(\"a\");\\\n  xlog(\"b\");\nTWO\nafter;\n");
	ok(has(ctx, "xlog(\"a\");  xlog(\"b\");"), "backslash-newline continues a define value (L11)");
	ok(maps_to(ctx, find(ctx, "after", 0), 0, 4, 1) && maps_to(ctx, find(ctx, "xlog", 0), 0, 3, 1),
	   "line map stays right after a multi-line define");
	cfgc_ctx_free(ctx);

	/* L5: redefinition */
	ctx = run("#!define A 1\n#!define A 2\n");
	{
		const cfgc_diag *d = diag(ctx, "redefined", 2);
		ok(d && d->loc.col == 10 && note(d, "first defined", 1) && d->help &&
		       strstr(d->help, "#!redefine"),
		   "#!define twice: error at 2:10, note at the first definition, help (L5)");
		ok(defined_as(ctx, "A", "1"), "the first value is kept after the error");
	}
	cfgc_ctx_free(ctx);

	ctx = run("#!define A 1\n#!trydef A 2\n#!trydef B 3\n#!redefine C 4\n#!redef A 5\n");
	ok(ndiags(ctx) == 0 && defined_as(ctx, "A", "5") && defined_as(ctx, "B", "3") &&
	       defined_as(ctx, "C", "4"),
	   "#!trydef keeps an existing define, #!redefine replaces");
	cfgc_ctx_free(ctx);

	ctx = run("#!define MY-NAME 1\nok;\n");
	ok(diag(ctx, "bad-define-name", 1) && cfgc_pp_lookup(ctx, "MY", 2) == NULL,
	   "'-' after a define name is an error");
	cfgc_ctx_free(ctx);

	ctx = run("#!define A(x) v\n#!define B  spaced value  \n");
	ok(defined_as(ctx, "A", "(x) v") && defined_as(ctx, "B", "spaced value  "),
	   "value starts after the name; leading blanks skipped, trailing kept");
	cfgc_ctx_free(ctx);

	ctx = run("#!define A A\nx = A;\n");
	ok(diag(ctx, "define-recursion", 2) != NULL, "self-referencing define stops with an error");
	cfgc_ctx_free(ctx);

	ctx = run("#!define A A A\n#!define B A A A A\nx = B;\ny;\n");
	ok(diag(ctx, "define-recursion", 3) != NULL && has(ctx, "y;"),
	   "exponential define expansion is stopped");
	cfgc_ctx_free(ctx);
}

static void test_predefined(void)
{
	cfgc_ctx *ctx;

	opt_defines[0] = "WITH_DB";
	opt_defines[1] = "DBURL=\"mysql://u@h/db\"";
	opt_ndefines = 2;
	ctx = run("#!ifdef KAMAILIO_5\nk5;\n#!endif\n#!ifdef KAMAILIO_5_6_3\nk563;\n#!endif\n"
	          "#!ifdef KAMAILIO_VERSION\nhead;\n#!endif\n#!ifdef WITH_DB\ndb;\n#!endif\n"
	          "url = DBURL;\n#!define WITH_DB 2\n");
	ok(has(ctx, "k5;") && has(ctx, "k563;") && !has(ctx, "head;"),
	   "KAMAILIO_5 and KAMAILIO_5_6_3 are predefined, KAMAILIO_VERSION is not (L18)");
	ok(has(ctx, "db;") && has(ctx, "url = \"mysql://u@h/db\";"),
	   "command-line NAME and NAME=VALUE defines");
	{
		const cfgc_diag *d = diag(ctx, "redefined", 14);
		ok(note(d, "command line", -1) != NULL, "redefining a command-line define: note without location");
	}
	cfgc_ctx_free(ctx);
	reset_opts();

	ctx = run("loadmodule \"tm.so\"\nloadmodule(\"/usr/lib/kamailio/modules/pv.so\")\n"
	          "loadmodule \"sl\"\n#!ifdef NOPE\nloadmodule \"rr.so\"\n#!endif\n"
	          "#!ifdef MOD_tm\ntm;\n#!endif\n#!ifdef MOD_rr\nrr;\n#!endif\n");
	ok(defined_as(ctx, "MOD_tm", NULL) && defined_as(ctx, "MOD_pv", NULL) &&
	       defined_as(ctx, "MOD_sl", NULL),
	   "loadmodule defines MOD_<name> (with or without .so, path, parentheses) (L17)");
	ok(has(ctx, "tm;") && !has(ctx, "rr;") && cfgc_pp_lookup(ctx, "MOD_rr", 6) == NULL,
	   "loadmodule in skipped text defines nothing");
	cfgc_ctx_free(ctx);
}

static void test_conditionals(void)
{
	cfgc_ctx *ctx;
	long off;
	int c;

	ctx = run("#!define WITH_X\n#!ifdef WITH_X\n  x_on;\n  #!ifndef WITH_Y\n    y_off;\n"
	          "    #!ifdef WITH_X\n      deep;\n    #!else\n      no1;\n    #!endif\n  #!else\n"
	          "    no2;\n  #!endif\n#!else\n  no3;\n#!endif\nafter;\n");
	ok(has(ctx, "x_on;") && has(ctx, "y_off;") && has(ctx, "deep;") && !has(ctx, "no1") &&
	       !has(ctx, "no2") && !has(ctx, "no3") && has(ctx, "after;"),
	   "nested #!ifdef/#!ifndef/#!else/#!endif select the right text");
	ok(ndiags(ctx) == 0, "balanced conditionals give no diagnostics");
	off = find(ctx, "x_on", 0);
	c = seg_cond(ctx, off);
	ok(c >= 0 && strcmp(ctx->conds[c].name, "WITH_X") == 0 && !ctx->conds[c].negated &&
	       ctx->conds[c].where.line == 2 && ctx->conds[c].def_where.line == 1,
	   "active text records its #!ifdef (line 2) and where the name was defined (line 1)");
	c = seg_cond(ctx, find(ctx, "y_off", 0));
	ok(c >= 0 && strcmp(ctx->conds[c].name, "WITH_Y") == 0 && ctx->conds[c].negated,
	   "#!ifndef body records a negated cond");
	ok(seg_cond(ctx, find(ctx, "after", 0)) == -1, "text outside conditionals has cond -1");
	ok(maps_to(ctx, find(ctx, "deep", 0), 0, 7, 7), "line map is exact inside nested blocks");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifdef NOPE\nA;\n#!else\nB;\n#!endif\n");
	c = seg_cond(ctx, find(ctx, "B;", 0));
	ok(!has(ctx, "A;") && c >= 0 && ctx->conds[c].negated && ctx->conds[c].where.line == 1,
	   "#!else body is active with a negated cond pointing at the #!ifdef");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifdef NOPE\n#!define INSIDE\n#!ifdef ALSO_NOPE\n#!endif\nskipped;\n#!endif\n"
	          "#!ifdef INSIDE\nbad;\n#!endif\nend;\n");
	ok(!has(ctx, "skipped") && !has(ctx, "bad;") && has(ctx, "end;") && ndiags(ctx) == 0,
	   "while skipping only conditionals count; other directives are ignored");
	cfgc_ctx_free(ctx);

	ctx = run("#!define X\n#!ifdef X junk\nin;\n#!endif\n");
	ok(diag(ctx, "trailing-text", 2) && diag(ctx, "trailing-text", 2)->loc.col == 11 &&
	       diag(ctx, "trailing-text", 2)->severity == CFGC_WARNING && has(ctx, "in;"),
	   "text after '#!ifdef NAME' is a warning at 2:11; NAME alone is tested (as Kamailio)");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifdef NOPE\nA;\n#!else // B\nB;\n#!endif\nC;\n");
	ok(diag(ctx, "directive-comment", 3) && diag(ctx, "directive-comment", 3)->severity == CFGC_WARNING &&
	       !has(ctx, "A;") && !has(ctx, "B;") && has(ctx, "C;") && ndiags(ctx) == 1,
	   "'#!else' followed by text is a comment: the block stays skipped (as Kamailio)");
	cfgc_ctx_free(ctx);

	ctx = run("#!define X\n#!ifdef X\nA;\n#!endif X\nB;\n#!endif\nC;\n");
	ok(diag(ctx, "directive-comment", 4) && has(ctx, "B;") && has(ctx, "C;") && ndiags(ctx) == 1,
	   "'#!endif' followed by text does not close the block; the next '#!endif' does");
	cfgc_ctx_free(ctx);

	ctx = run("#!define X\n#!ifdef X\xe2\x80\x89\nin;\n#!endif\n");
	ok(diag(ctx, "trailing-text", 2) && diag(ctx, "trailing-text", 2)->severity == CFGC_WARNING &&
	       ncode(ctx, "trailing-text") == ndiags(ctx) && has(ctx, "in;"),
	   "a Unicode space after '#!ifdef NAME' is only a warning (Kamailio accepts it)");
	cfgc_ctx_free(ctx);

	ctx = run("a;\n#!else\nb;\n#!endif\n");
	ok(diag(ctx, "unbalanced-directive", 2) && diag(ctx, "unbalanced-directive", 4) &&
	       strstr(diag(ctx, "unbalanced-directive", 4)->msg, "'#!endif' without '#!ifdef'"),
	   "#!else and #!endif without #!ifdef are errors (L20)");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifdef A\n#!ifndef B\nx;\n");
	ok(ncode(ctx, "unclosed-ifdef") == 2 && diag(ctx, "unclosed-ifdef", 1) &&
	       diag(ctx, "unclosed-ifdef", 2) &&
	       strstr(diag(ctx, "unclosed-ifdef", 1)->msg, "'#!ifdef A' is never closed") &&
	       diag(ctx, "unclosed-ifdef", 1)->len == 9,
	   "one error per unclosed block, at its opening line");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifdef A\nx;\n#!endif");
	ok(diag(ctx, "unbalanced-directive", 3) != NULL && ncode(ctx, "unclosed-ifdef") == 0,
	   "#!endif without a final newline is reported");
	cfgc_ctx_free(ctx);

	/* L1, L2, L3 */
	ctx = run("#define FOO\n#!ifdef FOO\nl1_bad;\n#!endif\n  #ifdef WITH_X\n!!define BAR\n"
	          "!!ifdef BAR\nl2_on;\n!!endif\n//!define BAZ\n#!ifdef BAZ\nl3_bad;\n#!endif\n");
	ok(!has(ctx, "l1_bad"), "'#define' is a comment (L1)");
	{
		const cfgc_diag *d = diag(ctx, "single-hash-directive", 1);
		const cfgc_diag *d5 = diag(ctx, "single-hash-directive", 5);
		ok(d && d->help && strstr(d->help, "#!define") && d5 && d5->loc.col == 3 &&
		       strstr(d5->msg, "'#ifdef WITH_X' is a comment, not a directive"),
		   "single-# directives warn, with help");
	}
	ok(has(ctx, "l2_on;"), "!! directives are honoured (L2)");
	ok(!has(ctx, "l3_bad"), "'//!define' is a comment (L3)");
	cfgc_ctx_free(ctx);

	ctx = run("#else {\n#else if (x) {\n#define: prose\n#ifdef two words\n#endif\n"
	          "#define WITH_NAT\n#define DBURL \"mysql://\"\n");
	ok(ncode(ctx, "single-hash-directive") == 3 && diag(ctx, "single-hash-directive", 5) &&
	       diag(ctx, "single-hash-directive", 6) && diag(ctx, "single-hash-directive", 7),
	   "commented-out code such as '#else {' does not look like a directive");
	cfgc_ctx_free(ctx);

	ctx = run("#!KAMAILIO\r\nx;\n");
	ok(ctx->nmodes == 0 && diag(ctx, "unknown-directive", 1) &&
	       strstr(diag(ctx, "unknown-directive", 1)->msg, "CR LF"),
	   "'#!KAMAILIO' followed by CR LF is not a mode header, and the warning says why");
	cfgc_ctx_free(ctx);

	ctx = run("#!foo bar\n#!/usr/bin/kamailio\nx;\n");
	ok(diag(ctx, "unknown-directive", 1) && diag(ctx, "unknown-directive", 1)->len == 5 &&
	       ndiags(ctx) == 1 && has(ctx, "x;"),
	   "unknown '#!word' warns, a shebang does not");
	cfgc_ctx_free(ctx);

	ctx = run("a;\n#!KAMAILIO\nb;\n//!SER\nc;\n#!MAXCOMPAT\n");
	ok(ctx->nmodes == 3 && ctx->modes[0].mode == CFGC_MODE_KAMAILIO &&
	       ctx->modes[0].out_off == (uint32_t)find(ctx, "\nb;", 0) &&
	       ctx->modes[1].mode == CFGC_MODE_SER && ctx->modes[2].mode == CFGC_MODE_MAX,
	   "mode headers are recorded with their output offset");
	cfgc_ctx_free(ctx);
}

static void test_undef(void)
{
	cfgc_ctx *ctx;
	const char *src = "#!define A 1\n#!undef A\n#!ifdef A\nstill;\n#!endif\n#!undef NEVER\n"
	                  "#!tryundef NEVER\n";

	ctx = run(src);
	ok(!has(ctx, "still;") && diag(ctx, "undefined-name", 6) && ncode(ctx, "undefined-name") == 1,
	   "sipvm: #!undef removes; #!undef of an unknown name is an error, #!tryundef is not");
	cfgc_ctx_free(ctx);

	opt_target = CFGC_TARGET_KAMAILIO;
	ctx = run(src);
	ok(has(ctx, "still;") && diag(ctx, "undef-ignored", 2) &&
	       strstr(diag(ctx, "undef-ignored", 2)->msg, "'A' stays defined"),
	   "kamailio: #!undef is ignored with a warning, A stays defined (L4)");
	reset_opts();
	cfgc_ctx_free(ctx);
}

static void test_expressions(void)
{
	cfgc_ctx *ctx;

	ctx = run("#!define WORKERS 4\n#!defexp TCP_WORKERS WORKERS * 2\n"
	          "#!ifexp TCP_WORKERS > 4 && !NO_TCP\nchildren = TCP_WORKERS;\n#!endif\n"
	          "#!ifexp WORKERS == 5 || (2 ** 3 - 1) % 4 != 3\nbad;\n#!endif\n"
	          "#!defexps NAME \"sip\" + \":\" + WORKERS\n#!ifexp NAME == \"sip:4\"\nstr_ok;\n#!endif\n");
	ok(defined_as(ctx, "TCP_WORKERS", "8") && has(ctx, "children = 8;"),
	   "#!defexp evaluates, #!ifexp selects (spec example)");
	ok(!has(ctx, "bad;") && defined_as(ctx, "NAME", "\"sip:4\"") && has(ctx, "str_ok;"),
	   "arithmetic, comparisons, string concatenation, #!defexps quotes");
	ok(ndiags(ctx) == 0, "no diagnostics for valid expressions (sipvm target)");
	cfgc_ctx_free(ctx);

	ctx = run("#!ifexp 1 +\nx;\n#!endif\n#!defexp D 1/0\n");
	ok(diag(ctx, "bad-expression", 1) && diag(ctx, "bad-expression", 4) && !has(ctx, "x;"),
	   "bad expressions are errors");
	cfgc_ctx_free(ctx);

	/* 5.6.3 has no expression directives: the lines are comments, so the
	 * #!endif is left over and the block's text stays active */
	opt_target = CFGC_TARGET_KAMAILIO;
	ctx = run("#!ifexp 0\nx;\n#!endif\n#!defexp D 1/0\n");
	ok(diag(ctx, "needs-newer", 1) && diag(ctx, "needs-newer", 4) && diag(ctx, "unbalanced-directive", 3) &&
	       has(ctx, "x;") && !diag(ctx, "bad-expression", 4),
	   "kamailio target: #!ifexp/#!defexp are comments (5.7+), the #!endif is unbalanced");
	reset_opts();
	cfgc_ctx_free(ctx);
}

static void test_subst(void)
{
	cfgc_ctx *ctx;
	long off;

	ctx = run("#!subst \"/SUBSTME/replaced/\"\nxlog(\"[SUBSTME]\");\nxlog(\"a\\x41[no]\");\n");
	ok(has(ctx, "xlog(\"[replaced]\");"), "#!subst rewrites string literals (L12)");
	ok(has(ctx, "xlog(\"a\\x41[no]\");"), "strings the rules do not change are copied verbatim");
	off = find(ctx, "\"[replaced]\"", 0);
	ok(maps_to(ctx, off, 0, 2, 6) && maps_to(ctx, find(ctx, ");", 0), 0, 2, 17),
	   "a rewritten string maps to its start; what follows keeps its column");
	cfgc_ctx_free(ctx);

	ctx = run("#!substdef \"!MY_DOMAIN!example.org!g\"\nif ($fd == \"MY_DOMAIN\") { exit; }\n"
	          "h = MY_DOMAIN;\nx = \"MY_\" \"DOMAIN\";\n");
	ok(has(ctx, "($fd == \"example.org\")") && has(ctx, "h = example.org;"),
	   "#!substdef: rule and define (L13)");
	ok(has(ctx, "x = \"example.org\";"), "rules see adjacent strings joined");
	cfgc_ctx_free(ctx);

	ctx = run("#!substdefs \"/MYNAME/alice/\"\n$var(e) = MYNAME;\n#!subst \"/XX/fU/\"\n$XX; $var(XX);\n"
	          "#!subst '/TAB/x\\ty\"/'\ns = \"TAB\";\n");
	ok(has(ctx, "$var(e) = \"alice\";"), "#!substdefs defines a quoted value (L14)");
	ok(has(ctx, "$fU; $var(fU);"), "rules apply to PV tokens");
	ok(has(ctx, "s = \"x\\x09y\\\"\";"), "a rewritten string is re-emitted as a canonical literal");
	cfgc_ctx_free(ctx);

	ctx = run("#!subst \"/only-one\"\n#!subst \"/a(/b/\"\n#!subst \"/a/b/q\"\n#!subst nothing\n");
	ok(ncode(ctx, "bad-subst") == 4 && diag(ctx, "bad-subst", 1) && diag(ctx, "bad-subst", 2) &&
	       diag(ctx, "bad-subst", 3) && diag(ctx, "bad-subst", 4),
	   "malformed subst expressions are errors");
	cfgc_ctx_free(ctx);

	setenv("CFGC_PP_TEST_MOD", "mysql", 1);
	ctx = run("#!trydef KZ_DB_MODULE kazoo\n#!substdef \"!KAMAILIO_DBMS!$def(KZ_DB_MODULE)!g\"\n"
	          "#!substdef \"!Q1!select \\$var(x) from t!g\"\n#!subst \"/ENVMOD/$env(CFGC_PP_TEST_MOD)/\"\n"
	          "a = \"db_KAMAILIO_DBMS.cfg\"; b = \"Q1\"; c = \"ENVMOD\";\n");
	ok(has(ctx, "a = \"db_kazoo.cfg\";") && defined_as(ctx, "KAMAILIO_DBMS", "kazoo"),
	   "$def() in a subst replacement and a substdef value is evaluated");
	ok(has(ctx, "b = \"select $var(x) from t\";") && has(ctx, "c = \"mysql\";"),
	   "'\\$' in a replacement is a literal '$'; $env() is evaluated");
	cfgc_ctx_free(ctx);

	ctx = run("#!subst \"/a/b/g\";\nx = \"aXa\";\n");
	ok(has(ctx, "x = \"bXb\";") && ndiags(ctx) == 0, "flag g replaces every match; trailing ';' is fine");
	cfgc_ctx_free(ctx);
}

static void test_env(void)
{
	cfgc_ctx *ctx;

	setenv("CFGC_PP_TEST_VAR", "db.example.org", 1);
	unsetenv("CFGC_PP_NO_SUCH_VAR");
	ctx = run("#!defenv CFGC_PP_TEST_VAR\n#!defenvs HOSTQ=CFGC_PP_TEST_VAR\n"
	          "#!trydefenv CFGC_PP_NO_SUCH_VAR\n#!ifdef CFGC_PP_NO_SUCH_VAR\nbad;\n#!endif\n"
	          "#!defenv CFGC_PP_NO_SUCH_VAR\nh = HOSTQ;\n");
	ok(defined_as(ctx, "CFGC_PP_TEST_VAR", "db.example.org") && has(ctx, "h = \"db.example.org\";"),
	   "#!defenv and #!defenvs NAME=VAR (L15)");
	ok(!has(ctx, "bad;") && diag(ctx, "env-unset", 7) && ncode(ctx, "env-unset") == 1,
	   "#!trydefenv skips an unset variable, #!defenv reports it (L16)");
	cfgc_ctx_free(ctx);
}

static void test_includes(void)
{
	cfgc_ctx *ctx;
	char path[256];
	long off;
	int rc;

	snprintf(path, sizeof path, "%s/inc_main.cfg", fixdir);
	opt_incdirs[0] = "regress/pp/incdir";
	opt_nincdirs = 1;
	ctx = run_file(path, &rc);
	if (ndiags(ctx))
		dump_diags(ctx);
	ok(rc == 0 && ndiags(ctx) == 0, "include fixture preprocesses cleanly");
	ok(ctx->nsrcs == 5 && strstr(ctx->srcs[1].path, "inc/sub.cfg") && ctx->srcs[1].parent == 0 &&
	       ctx->srcs[1].parent_line == 4 && ctx->srcs[2].parent == 1 && ctx->srcs[2].parent_line == 7,
	   "sources record the include chain (parent and line)");
	off = find(ctx, "xlog(\"in sub\")", 0);
	ok(maps_to(ctx, off, 1, 4, 2), "text of an included file maps to that file's line and column");
	ok(seg_cond(ctx, off) >= 0 && ctx->conds[seg_cond(ctx, off)].where.file == 1,
	   "conditionals in included files are recorded with their file");
	ok(has(ctx, "main_after 42;") && maps_to(ctx, find(ctx, "42", 0), 0, 5, 12),
	   "a define from an included file expands in the includer (use site 5:12)");
	ok(has(ctx, "leaf_text;") && has(ctx, "leaf_define_seen;") && maps_to(ctx, find(ctx, "leaf_text", 0), 2, 2, 1),
	   "nested includes resolve next to the including file");
	ok(!has(ctx, "include_file") && !has(ctx, "import_file"), "include statements are removed");
	ok(has(ctx, "incdir_text;"), "#!include_file searches the -I directories");
	ok(has(ctx, "leaf2_text;"), "#!subst rules apply to include paths");
	cfgc_ctx_free(ctx);
	reset_opts();

	snprintf(path, sizeof path, "%s/include_missing.cfg", fixdir);
	ctx = run_file(path, &rc);
	{
		const cfgc_diag *d = diag(ctx, "include-not-found", 2);
		ok(rc == 0 && d && d->loc.col == 15 && note(d, "does/not/exist.cfg", 0) &&
		       has(ctx, "exit;"),
		   "missing include_file: error at the path with a note of where it looked (L21)");
	}
	cfgc_ctx_free(ctx);

	ctx = run("include_file \"x.cfg\";\nimport_file \"/nonexistent/x.cfg\"\ninclude_file\n");
	ok(diag(ctx, "bad-include", 1) && diag(ctx, "bad-include", 3) && !diag(ctx, "include-not-found", 2),
	   "';' glued to the path and a missing path are errors; import_file of a missing file is silent (L22)");
	cfgc_ctx_free(ctx);

	ctx = run_file("/nonexistent/dir/kamailio.cfg", &rc);
	ok(rc == -1 && diag(ctx, "io-error", 0) && diag(ctx, "io-error", 0)->loc.file == -1 &&
	       ctx->out && ctx->out[0] == 0,
	   "unreadable main file: -1 and an error without location");
	cfgc_ctx_free(ctx);
}

/* Tiny deterministic generator for the robustness cases. */
static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) & 0x7fff;
}

static void test_robustness(void)
{
	static const char *const pieces[] = {
		"#!ifdef A\n", "#!ifndef B\n", "#!else\n", "#!endif\n", "#!define A A B\n",
		"#!define B \"x\n", "A", "B", " ", "\n", "\"", "'", "$(", "$var(", ")", "/*", "*/",
		"#", "//", "!!define C ", "#!subst \"/x/y/g\"\n", "#!ifexp A + \n", "@", "[", "]",
		"event_route[", "loadmodule \"", "include_file \"", "\\\n", "#!defexp D (((1\n",
		"fe80::", "#!substdef \"/A/", "\x00", "\xff", "#!undef A\n", "#!trydef C $x #\n",
	};
	char *buf = malloc(4 << 20);
	size_t n, i;
	int iter, crashed = 0;
	cfgc_ctx *ctx;
	clock_t t0;
	double secs;

	for (iter = 0; iter < 3000; iter++) {
		n = 0;
		for (i = rnd() % 60; i > 0; i--) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t l = p[0] ? strlen(p) : 1;
			memcpy(buf + n, p, l);
			n += l;
		}
		ctx = run_bytes(buf, n);
		if (!ctx->out || strlen(ctx->out) > ctx->out_len)
			crashed = 1;
		cfgc_ctx_free(ctx);
	}
	ok(!crashed, "3000 random token soups preprocess without trouble");

	for (i = 0; i < 300000; i++)
		buf[i] = (char)(rnd() & 0xff);
	ctx = run_bytes(buf, 300000);
	ok(ctx->out != NULL && ctx->out[ctx->out_len] == 0, "binary garbage preprocesses");
	cfgc_ctx_free(ctx);

	/* 50,000 lines of ordinary config */
	n = 0;
	n += (size_t)sprintf(buf + n, "#!define WITH_NAT\n#!define GW \"10.0.0.1\"\n#!subst \"/ZZZ/q/\"\n");
	for (i = 0; i < 50000 && n < (4 << 20) - 200; i++) {
		switch (i % 5) {
		case 0: n += (size_t)sprintf(buf + n, "#!ifdef WITH_NAT\n"); break;
		case 1: n += (size_t)sprintf(buf + n, "\t$du = \"sip:\" + GW; # comment %zu\n", i); break;
		case 2: n += (size_t)sprintf(buf + n, "\tif ($var(x) == 1) { xlog(\"L_INFO\", \"ZZZ $ru\\n\"); }\n"); break;
		case 3: n += (size_t)sprintf(buf + n, "\t/* block */ t_relay();\n"); break;
		case 4: n += (size_t)sprintf(buf + n, "#!endif\n"); break;
		}
	}
	t0 = clock();
	ctx = run_bytes(buf, n);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("# 50000 lines (%zu bytes) in %.3f s\n", n, secs);
	ok(ndiags(ctx) == 0 && has(ctx, "$du = \"sip:\" + \"10.0.0.1\";") && has(ctx, "\"q $ru\\x0a\""),
	   "50,000-line config: expected output");
	ok(secs < 2.0, "50,000-line config preprocessed in %.3f s", secs);
	cfgc_ctx_free(ctx);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cfgc-pp-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(tmpfile_path, sizeof tmpfile_path, "%s/t.cfg", tmpdir);
	reset_opts();

	test_comments();
	test_defines();
	test_predefined();
	test_conditionals();
	test_undef();
	test_expressions();
	test_subst();
	test_env();
	test_includes();
	test_robustness();

	unlink(tmpfile_path);
	rmdir(tmpdir);
	return tap_done();
}
