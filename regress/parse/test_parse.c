/*
 * test_parse.c — TAP tests for the cfgc lexer and grammar (cfgc_lex.l,
 * cfgc_parse.y), the AST helpers (cfgc_ast.c) and the word tables
 * (cfgc_names.c).
 *
 *   - every .cfg under regress/parse/ok parses with no error;
 *   - every .cfg under regress/parse/err fails with one error at the position
 *     and with the code named on its first line: `# expect: LINE:COL CODE`;
 *   - inline cases check the AST (precedence, node kinds, values), the
 *     tokens (escapes, adjacent strings, numbers, PVs, selects), the
 *     tables, speed (50,000 lines well under a second) and robustness
 *     (garbage and mutated configs never crash, always one error at most).
 *
 * Usage: test_parse [FIXTURE_DIR]   (default regress/parse, run from the top)
 *
 * Built by the Makefile as build/regress/parse/test_parse (make
 * regress-progs; run by make test). By hand, from the top:
 *   make build/gen/cfgc_parse.c build/gen/cfgc_lex.c
 *   cc -std=gnu11 -Wall -Wextra -Icfgc -Ibuild/gen -Ivm regress/parse/test_parse.c \
 *      build/gen/cfgc_parse.c build/gen/cfgc_lex.c cfgc/cfgc_ast.c cfgc/cfgc_names.c \
 *      cfgc/cfgc_ctx.c cfgc/cfgc_diag.c cfgc/cfgc_pp.c -o test_parse
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgc_int.h"

#include "../tap.h"

static char tmpdir[64];
static char tmppath[128];
static const char *fixdir = "regress/parse";


static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ------------------------------------------------------------ running */

/* A parse: the context, cfgc_parse's result, and the first diagnostic the
 * parser added (the preprocessor's come before it). */
typedef struct {
	cfgc_ctx *ctx;
	int rc;
	int nerr;          /* errors reported by the parser */
	const cfgc_diag *err;
} run;

static void run_free(run *r)
{
	cfgc_ctx_free(r->ctx);
	memset(r, 0, sizeof(*r));
}

static run parse_file(const char *path)
{
	cfgc_opts o;
	run r;
	const cfgc_diag *d, *last = NULL;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	r.ctx = cfgc_ctx_new(&o);
	if (cfgc_pp_run(r.ctx, path) < 0) {
		r.rc = -2;
		return r;
	}
	last = r.ctx->diags_tail;
	r.rc = cfgc_parse(r.ctx);
	for (d = last ? last->next : r.ctx->diags; d; d = d->next)
		if (d->severity == CFGC_ERROR) {
			if (!r.err)
				r.err = d;
			r.nerr++;
		}
	return r;
}

/* Parse `text` (through the preprocessor, from a temporary file). */
static run parse_text(const char *text)
{
	FILE *f = fopen(tmppath, "wb");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return parse_file(tmppath);
}

/* Parse bytes given directly as preprocessor output (no line map). */
static run parse_raw(const char *text, size_t len)
{
	cfgc_opts o;
	run r;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	r.ctx = cfgc_ctx_new(&o);
	r.ctx->out = malloc(len + 1);
	memcpy(r.ctx->out, text, len);
	r.ctx->out[len] = '\0';
	r.ctx->out_len = len;
	r.ctx->out_cap = len + 1;
	r.rc = cfgc_parse(r.ctx);
	for (const cfgc_diag *d = r.ctx->diags; d; d = d->next)
		if (d->severity == CFGC_ERROR) {
			if (!r.err)
				r.err = d;
			r.nerr++;
		}
	return r;
}

/* ---------------------------------------------------------- AST dumps */

typedef struct {
	char *s;
	size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->n)
			break;
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->s = realloc(b->s, b->cap);
	}
	b->n += (size_t)n;
}

static const char *op_name(int op)
{
	static const char *const names[] = {
		[OP_OR] = "||", [OP_AND] = "&&", [OP_BOR] = "|", [OP_BAND] = "&", [OP_BXOR] = "^",
		[OP_LSHIFT] = "<<", [OP_RSHIFT] = ">>", [OP_EQ] = "==", [OP_NE] = "!=", [OP_MATCH] = "=~",
		[OP_STREQ] = "eq", [OP_STRNE] = "ne", [OP_INTEQ] = "ieq", [OP_INTNE] = "ine",
		[OP_LT] = "<", [OP_GT] = ">", [OP_LE] = "<=", [OP_GE] = ">=", [OP_PLUS] = "+",
		[OP_MINUS] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "mod", [OP_NOT] = "!",
		[OP_NEG] = "neg", [OP_BNOT] = "~", [OP_DEFINED] = "defined", [OP_STRLEN] = "strlen",
		[OP_STREMPTY] = "strempty", [OP_CAST_INT] = "(int)", [OP_CAST_STR] = "(str)",
	};
	if (op > 0 && op < (int)(sizeof(names) / sizeof(names[0])) && names[op])
		return names[op];
	return "?";
}

static void dump(sbuf *b, const cfgc_node *n);

static void dump_list(sbuf *b, const cfgc_node *n)
{
	for (; n; n = n->next) {
		dump(b, n);
		if (n->next)
			put(b, " ");
	}
}

/* One line per node, Lisp style: enough to compare shapes in tests. */
static void dump(sbuf *b, const cfgc_node *n)
{
	if (!n) {
		put(b, "nil");
		return;
	}
	switch (n->kind) {
	case N_INT: put(b, "%lld", (long long)n->ival); break;
	case N_STR:
		put(b, "\"");
		for (size_t i = 0; i < n->slen; i++) {
			unsigned char c = (unsigned char)n->str[i];
			if (c == '"' || c == '\\')
				put(b, "\\%c", c);
			else if (c < 32 || c > 126)
				put(b, "\\x%02x", c);
			else
				put(b, "%c", c);
		}
		put(b, "\"");
		break;
	case N_ID: put(b, "id:%s", n->str); break;
	case N_HOST: put(b, "host:%s", n->str); break;
	case N_PV: put(b, "%s", n->str); break;
	case N_SELECT: put(b, "@%s", n->str); break;
	case N_MYSELF: put(b, "myself"); break;
	case N_PROTO: put(b, "proto:%lld", (long long)n->ival); break;
	case N_IP:
		put(b, "ip:%s", n->str);
		if (n->ival >= 0)
			put(b, "/%lld", (long long)n->ival);
		if (n->b)
			put(b, "/%s", n->b->str);
		break;
	case N_BINOP:
		put(b, "(%s ", op_name(n->op));
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		put(b, ")");
		break;
	case N_UNOP:
		put(b, "(%s ", op_name(n->op));
		dump(b, n->a);
		put(b, ")");
		break;
	case N_SELVAL:
		put(b, "(selval ");
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		put(b, " ");
		dump(b, n->c);
		put(b, ")");
		break;
	case N_OLDCOND:
		put(b, "(%s %s ", n->str, op_name(n->op));
		dump(b, n->b);
		put(b, ")");
		break;
	case N_CALL:
		put(b, "%s%s(", n->str, n->op ? "!" : "");
		dump_list(b, n->args);
		put(b, ")");
		break;
	case N_ROUTE_CALL:
		put(b, "route(");
		dump(b, n->a);
		put(b, ")");
		break;
	case N_ASSIGN:
		put(b, "(= ");
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		put(b, ")");
		break;
	case N_NOP: put(b, ";"); break;
	case N_BLOCK:
		put(b, "{");
		dump_list(b, n->a);
		put(b, "}");
		break;
	case N_IF:
		put(b, "(if ");
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		if (n->c) {
			put(b, " else ");
			dump(b, n->c);
		}
		put(b, ")");
		break;
	case N_WHILE:
		put(b, "(while ");
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		put(b, ")");
		break;
	case N_SWITCH:
		put(b, "(switch ");
		dump(b, n->a);
		for (const cfgc_node *c = n->b; c; c = c->next) {
			put(b, " [%s", c->op == 2 ? "default" : c->op == 1 ? "re " : "");
			if (c->a)
				dump(b, c->a);
			put(b, ":");
			dump_list(b, c->b);
			put(b, "]");
		}
		put(b, ")");
		break;
	case N_CASE: put(b, "case"); break;
	case N_BREAK: put(b, "break"); break;
	case N_RETURN:
	case N_EXIT:
	case N_DROP:
		put(b, "(%s%s", n->kind == N_RETURN ? "return" : n->kind == N_EXIT ? "exit" : "drop",
		    n->op ? "()" : "");
		if (n->a) {
			put(b, " ");
			dump(b, n->a);
		}
		put(b, ")");
		break;
	case N_CORE_PARAM:
		put(b, "(param %s ", n->str);
		dump_list(b, n->a);
		if (n->b) {
			put(b, " adv ");
			dump(b, n->b);
		}
		if (n->c) {
			put(b, " name ");
			dump(b, n->c);
		}
		if (n->op)
			put(b, " virtual");
		put(b, ")");
		break;
	case N_SOCKET:
		put(b, "sock[%d ", n->op);
		dump_list(b, n->a);
		put(b, " %lld]", (long long)n->ival);
		break;
	case N_CFG_VAR:
		put(b, "(cfgvar %s", n->str);
		if (n->ival >= 0)
			put(b, "[%lld]", (long long)n->ival);
		put(b, " ");
		dump(b, n->a);
		if (n->b) {
			put(b, " desc ");
			dump(b, n->b);
		}
		put(b, ")");
		break;
	case N_LOADMODULE:
		put(b, "(loadmodule%s ", n->op ? "x" : "");
		dump(b, n->a);
		if (n->b) {
			put(b, " ");
			dump(b, n->b);
		}
		put(b, ")");
		break;
	case N_LOADPATH:
		put(b, "(loadpath ");
		dump(b, n->a);
		put(b, ")");
		break;
	case N_MODPARAM:
		put(b, "(modparam%s ", n->op ? "x" : "");
		dump(b, n->a);
		put(b, " ");
		dump(b, n->b);
		put(b, " ");
		dump(b, n->c);
		put(b, ")");
		break;
	case N_FLAGS:
		put(b, "(%s", n->op ? "avpflags" : "flags");
		for (const cfgc_node *f = n->a; f; f = f->next)
			put(b, " %s:%lld", f->str, (long long)f->ival);
		put(b, ")");
		break;
	case N_FLAG_DECL: put(b, "%s:%lld", n->str, (long long)n->ival); break;
	case N_CFGENGINE:
		put(b, "(cfgengine ");
		dump(b, n->a);
		put(b, ")");
		break;
	case N_ROUTE:
		put(b, "(route %d %s%s%s ", n->op, n->quoted ? "\"" : "", n->str, n->quoted ? "\"" : "");
		dump_list(b, n->a);
		put(b, ")");
		break;
	default: put(b, "<%d>", n->kind); break;
	}
}

/* Dump of all top-level statements. */
static char *dump_top(const cfgc_ctx *ctx)
{
	sbuf b = { NULL, 0, 0 };

	put(&b, "%s", "");
	dump_list(&b, ctx->top);
	return b.s;
}

/* The first statement of the first route, as a dump. */
static char *dump_first_stmt(const cfgc_ctx *ctx)
{
	sbuf b = { NULL, 0, 0 };

	put(&b, "%s", "");
	for (const cfgc_node *t = ctx->top; t; t = t->next)
		if (t->kind == N_ROUTE) {
			dump(&b, t->a);
			break;
		}
	return b.s;
}

/* -------------------------------------------------------------- cases */

/* `src` on one line (newlines and tabs shown as \n \t), at most 70
 * bytes: a TAP test name. Returns a static buffer. */
static const char *oneline(const char *src)
{
	static char b[96];
	size_t o = 0;

	for (; *src && o < 70; src++) {
		if (*src == '\n' || *src == '\t') {
			b[o++] = '\\';
			b[o++] = *src == '\n' ? 'n' : 't';
		} else {
			b[o++] = (*src >= 32 && *src < 127) ? *src : '?';
		}
	}
	b[o] = '\0';
	return b;
}

/* Parse `request_route { STMT }` and compare the statement's dump. */
static void stmt_is(const char *stmt, const char *want)
{
	char src[4096];
	run r;
	char *got;

	snprintf(src, sizeof src, "request_route {\n%s\n}\n", stmt);
	r = parse_text(src);
	got = r.rc == 0 ? dump_first_stmt(r.ctx) : NULL;
	ok(got && !strcmp(got, want), "%s", oneline(stmt));
	if (!got || strcmp(got, want)) {
		diag("want: %s", want);
		diag("got:  %s%s", got ? got : "(error) ", r.err ? r.err->msg : "");
	}
	free(got);
	run_free(&r);
}

/* Parse a whole config and compare the dump of the top level. */
static void top_is(const char *src, const char *want)
{
	run r = parse_text(src);
	char *got = r.rc == 0 ? dump_top(r.ctx) : NULL;

	ok(got && !strcmp(got, want), "top: %s", oneline(src));
	if (!got || strcmp(got, want)) {
		diag("want: %s", want);
		diag("got:  %s%s", got ? got : "(error) ", r.err ? r.err->msg : "");
	}
	free(got);
	run_free(&r);
}

/* Parse and expect one error at line:col whose message contains `frag`. */
static void err_is(const char *src, int line, int col, const char *frag)
{
	run r = parse_text(src);
	int good = r.rc < 0 && r.nerr == 1 && r.err && r.err->loc.line == line &&
	           (col == 0 || r.err->loc.col == col) && (!frag || strstr(r.err->msg, frag));

	ok(good, "error %d:%d in: %s", line, col, oneline(src));
	if (!good)
		diag("got rc=%d nerr=%d %d:%d %s", r.rc, r.nerr, r.err ? r.err->loc.line : 0,
		     r.err ? r.err->loc.col : 0, r.err ? r.err->msg : "");
	run_free(&r);
}

static void test_precedence(void)
{
	/* spec §6.2 and the experiments of §11.3 */
	stmt_is("$var(a) = 1 << 3 >> 1;", "(= $var(a) (<< 1 (>> 3 1)))");
	stmt_is("$var(a) = 1 << 2 == 4;", "(= $var(a) (<< 1 (== 2 4)))");
	stmt_is("$var(a) = 6 & 3 ^ 1;", "(= $var(a) (& 6 (^ 3 1)))");
	stmt_is("$var(a) = 1 | 2 & 3;", "(= $var(a) (| 1 (& 2 3)))");
	stmt_is("$var(a) = 5 & 3 == 1;", "(= $var(a) (& 5 (== 3 1)))");
	stmt_is("$var(a) = 3 > 2 > 1;", "(= $var(a) (> (> 3 2) 1))");
	stmt_is("$var(a) = 2 + 3 * 4;", "(= $var(a) (+ 2 (* 3 4)))");
	stmt_is("$var(a) = 5 - 2 - 1;", "(= $var(a) (- (- 5 2) 1))");
	stmt_is("$var(a) = 1 || 0 && 0;", "(= $var(a) (|| 1 (&& 0 0)))");
	stmt_is("$var(a) = 1 or 0 and not 0;", "(= $var(a) (|| 1 (&& 0 (! 0))))");
	stmt_is("$var(a) = -7 mod 3;", "(= $var(a) (mod -7 3))");
	stmt_is("$var(a) = -$var(b) * 2;", "(= $var(a) (* (neg $var(b)) 2))");
	stmt_is("$var(a) = - (1 + 2);", "(= $var(a) (neg (+ 1 2)))");
	stmt_is("$var(a) = - - 1;", "(= $var(a) 1)");
	stmt_is("$var(a) = !$var(x) == 0;", "(= $var(a) (== (! $var(x)) 0))");
	stmt_is("$var(a) = defined $var(x) == 1;", "(= $var(a) (== (defined $var(x)) 1))");
	stmt_is("$var(a) = (str)5 + 5;", "(= $var(a) (+ ((str) 5) 5))");
	stmt_is("$var(a) = (int)$var(s) * 2;", "(= $var(a) (* ((int) $var(s)) 2))");
	stmt_is("$var(a) = ~0 ^ 1;", "(= $var(a) (^ (~ 0) 1))");
	stmt_is("$var(a) = 1 ieq 2 ine 3;", "(= $var(a) (ine (ieq 1 2) 3))");
	stmt_is("$var(a) = \"a\" eq \"b\";", "(= $var(a) (eq \"a\" \"b\"))");
	stmt_is("$var(a) = $var(b) =~ \"x\" && 1 <= 2;", "(= $var(a) (&& (=~ $var(b) \"x\") (<= 1 2)))");
	stmt_is("$var(a) = 1 < 2 == 1;", "(= $var(a) (== (< 1 2) 1))");
	stmt_is("$var(a) = strlen(\"ab\") + strempty($var(s));",
	        "(= $var(a) (+ (strlen \"ab\") (strempty $var(s))))");
	stmt_is("$var(a) = selval(1 > 0, \"y\", \"n\");", "(= $var(a) (selval (> 1 0) \"y\" \"n\"))");
	stmt_is("$var(a) = ($var(b) = 2);", "(= $var(a) (= $var(b) 2))");
	stmt_is("$var(a) = { exit; };", "(= $var(a) {(exit)})");
}

static void test_oldcond(void)
{
	stmt_is("if (method == \"INVITE\") exit;", "(if (method == \"INVITE\") (exit))");
	stmt_is("if (method == INVITE || uri =~ \"x\") exit;",
	        "(if (|| (method == id:INVITE) (uri =~ \"x\")) (exit))");
	stmt_is("if (uri == myself && !(myself != from_uri)) exit;",
	        "(if (&& (uri == myself) (! (from_uri != myself))) (exit))");
	stmt_is("if (uri == \"a\" + \"b\") exit;", "(if (uri == (+ \"a\" \"b\")) (exit))");
	stmt_is("if (src_ip == 10.0.0.0/8) exit;", "(if (src_ip == ip:10.0.0.0/8) (exit))");
	stmt_is("if (src_ip != 10.0.0.0/255.0.0.0) exit;",
	        "(if (src_ip != ip:10.0.0.0/255.0.0.0) (exit))");
	stmt_is("if (dst_ip == [::1] || src_ip == fe80::1) exit;",
	        "(if (|| (dst_ip == ip:::1) (src_ip == ip:fe80::1)) (exit))");
	stmt_is("if (src_ip == a-b.example.com) exit;", "(if (src_ip == host:a-b.example.com) (exit))");
	stmt_is("if (src_ip == gw) exit;", "(if (src_ip == host:gw) (exit))");
	stmt_is("if (src_ip =~ \"^10\\.\") exit;", "(if (src_ip =~ \"^10\\\\.\") (exit))");
	stmt_is("if (src_port > 1000 && af == inet6 && msg:len < 4000) exit;",
	        "(if (&& (&& (src_port > 1000) (af == 10)) (msg:len < 4000)) (exit))");
	stmt_is("if (proto == udp || proto != TLS || snd_proto == $var(p)) exit;",
	        "(if (|| (|| (proto == proto:1) (proto != proto:3)) (snd_proto == $var(p))) (exit))");
	stmt_is("if (status eq \"200\") exit;", "(if (status eq \"200\") (exit))");
}

static void test_statements(void)
{
	stmt_is("if $var(x) == 1 exit;", "(if (== $var(x) 1) (exit))");
	stmt_is("if (1) if (2) exit; else drop;", "(if 1 (if 2 (exit) else (drop)))");
	stmt_is("if (1) { ; } else { exit; }", "(if 1 {;} else {(exit)})");
	stmt_is("while ($var(i) < 3) $var(i) = $var(i) + 1;",
	        "(while (< $var(i) 3) (= $var(i) (+ $var(i) 1)))");
	stmt_is("switch ($rU) { case \"a\": case /\"^b\": xlog(\"x\"); break; default: }",
	        "(switch $rU [\"a\":] [re \"^b\":xlog(\"x\") break] [default:])");
	stmt_is("switch ($var(i)) { }", "(switch $var(i))");
	stmt_is("return;", "(return)");
	stmt_is("return ();", "(return())");
	stmt_is("return -1;", "(return -1)");
	stmt_is("exit 2;", "(exit 2)");
	stmt_is("drop();", "(drop())");
	stmt_is("break;", "break");
	stmt_is(";", ";");
	stmt_is("xlog(, \"x\");", "xlog(\"x\")");
	stmt_is("force_rport;", "force_rport!()");
	stmt_is("force_rport();", "force_rport()");
	stmt_is("setflag(FLT_A);", "setflag(id:FLT_A)");
	stmt_is("f(a, 1, \"s\", $var(x), @from.uri);", "f(id:a 1 \"s\" $var(x) @from.uri)");
	stmt_is("route(R1);", "route(id:R1)");
	stmt_is("route(\"R 2\");", "route(\"R 2\")");
	stmt_is("route(3);", "route(3)");
	stmt_is("route($var(r) + \"x\");", "route((+ $var(r) \"x\"))");
	stmt_is("$var(r) = route(R1);", "(= $var(r) route(id:R1))");
	stmt_is("forward();", "forward()");
	stmt_is("forward(uri:host, uri:port);", "forward(host:uri:host host:uri:port)");
	stmt_is("forward(a.b-c.d, 5060);", "forward(host:a.b-c.d 5060)");
	stmt_is("forward_udp(192.0.2.1, 5060);", "forward_udp(ip:192.0.2.1 5060)");
	stmt_is("forward_tls(\"x\");", "forward_tls(\"x\")");
	stmt_is("forward(gw);", "forward(host:gw)");
	stmt_is("set_advertised_address(gw);", "set_advertised_address(host:gw)");
	stmt_is("udp_mtu_try_proto(tcp);", "udp_mtu_try_proto(proto:2)");
	stmt_is("set_advertised_address(a.example.com);", "set_advertised_address(host:a.example.com)");
	stmt_is("force_send_socket(tcp:[::1]:5061);", "force_send_socket(sock[2 ip:::1 5061])");
	stmt_is("force_send_socket(10.0.0.1);", "force_send_socket(sock[0 ip:10.0.0.1 -1])");
	stmt_is("log(1, \"x\");", "log(1 \"x\")");
	stmt_is("remove_branch(-1);", "remove_branch(-1)");
}

static void test_tokens(void)
{
	stmt_is("$var(s) = \"a\\x41\\101\\t\\\\\\\"\\q\\1\\n\";", "(= $var(s) \"aAA\\x09\\\\\\\"\\\\q\\\\1\\x0a\")");
	stmt_is("$var(s) = \"ab\" \"cd\"\n  \"ef\";", "(= $var(s) \"abcdef\")");
	stmt_is("$var(s) = \"a\\\nb\";", "(= $var(s) \"ab\")");
	stmt_is("$var(s) = 'x\\ty';", "(= $var(s) \"x\\\\ty\")");
	stmt_is("$var(s) = \"multi\nline\";", "(= $var(s) \"multi\\x0aline\")");
	stmt_is("$var(n) = 0x1F + 017 + 101b + 0;", "(= $var(n) (+ (+ (+ 31 15) 5) 0))");
	stmt_is("$var(n) = yes + on + true + enable + no + off + false + disable;",
	        "(= $var(n) (+ (+ (+ (+ (+ (+ (+ 1 1) 1) 1) 0) 0) 0) 0))");
	stmt_is("$var(n) = inet + INET6 + ipv4 + IPv6;", "(= $var(n) (+ (+ (+ 2 10) 2) 10))");
	stmt_is("$var(n) = 2147483648;", "(= $var(n) -2147483648)");
	stmt_is("$var(p) = $(ru{uri.user}) + $(hdr(Via)[1]{s.len}) + $hdr(X-(a)) + $$ + $?;",
	        "(= $var(p) (+ (+ (+ (+ $(ru{uri.user}) $(hdr(Via)[1]{s.len})) $hdr(X-(a))) $$) $?))");
	stmt_is("$var(p) = $sht(t=>$var(k)) + $xavp(r[0]=>f);", "(= $var(p) (+ $sht(t=>$var(k)) $xavp(r[0]=>f)))");
	stmt_is("$var(s) = @via[1].branch + @msg.header[\"X\"] + @a . b [ -2 ];",
	        "(= $var(s) (+ (+ @via[1].branch @msg.header[\"X\"]) @a.b[-2]))");
	/* MAX mode (no #!KAMAILIO): legacy AVPs */
	stmt_is("$foo = $x[-1] + $f.name + $x[];", "(= $foo (+ (+ $x[-1] $f.name) $x[]))");
	/* KAMAILIO mode: no AVP index */
	err_is("#!KAMAILIO\nrequest_route {\n$var(a) = $x[1];\n}\n", 3, 13, "unexpected '['");
	err_is("#!KAMAILIO\nrequest_route {\n$var(a) = $ruri.user;\n}\n", 3, 16, "unexpected '.'");
	/* blanks and comments the preprocessor leaves (raw input also lexes) */
	{
		static const char raw[] = "/* a /* nested */ b */ request_route { # c\n exit; // d\n }\n";
		run r = parse_raw(raw, sizeof raw - 1);
		ok(r.rc == 0 && r.ctx->top && r.ctx->top->kind == N_ROUTE, "raw comments are skipped");
		run_free(&r);
	}
	{
		static const char raw[] = "request_route { exit; } /* open";
		run r = parse_raw(raw, sizeof raw - 1);
		ok(r.rc < 0 && r.nerr == 1 && strstr(r.err->msg, "unterminated comment"),
		   "unterminated block comment");
		run_free(&r);
	}
	{
		static const char raw[] = "request_route {\x00 exit; }";
		run r = parse_raw(raw, sizeof raw - 1);
		ok(r.rc < 0 && r.nerr == 1 && strstr(r.err->msg, "0x00"), "NUL byte is an error");
		run_free(&r);
	}
	{
		static const char raw[] = "request_route {\xc2\xa0 exit; }";
		run r = parse_raw(raw, sizeof raw - 1);
		ok(r.rc == 0, "non-ASCII bytes outside strings are skipped (as Kamailio does)");
		run_free(&r);
	}
}

static void test_top(void)
{
	top_is("debug=-1\nfork=yes\nchildren = 4 user=\"u\" group=g\ntos=IPTOS_LOWDELAY\n",
	       "(param debug -1) (param fork 1) (param children 4) (param user \"u\") (param group id:g) "
	       "(param tos id:IPTOS_LOWDELAY)");
	top_is("tls_method=TLSv1\nudp_mtu_try_proto=TCP\nadd_rport=no\nmem_log=2\n",
	       "(param tls_method id:TLSv1) (param udp_mtu_try_proto proto:2) (param force_rport 0) "
	       "(param memlog 2)");
	top_is("advertised_address=a-b.example.com\nadvertised_address=3com.net\ntcp_source_ipv6=[::1]\n",
	       "(param advertised_address host:a-b.example.com) (param advertised_address host:3com.net) "
	       "(param tcp_source_ipv6 ip:::1)");
	top_is("listen=udp:127.0.0.1:5060 tcp:eth0:* [::1]:5061\nchildren=2\n",
	       "(param listen sock[1 ip:127.0.0.1 5060] sock[2 host:eth0 0] sock[0 ip:::1 5061]) (param children 2)");
	top_is("listen=udp:10.0.0.1 advertise 192.0.2.1:5060 name \"pub\" virtual\n",
	       "(param listen sock[1 ip:10.0.0.1 -1] adv sock[0 ip:192.0.2.1 5060] name \"pub\" virtual)");
	/* Kamailio 5.6.3 refuses this one unless a #!substdef line sits in
	 * between (a statement there); the preprocessor removes those lines,
	 * so cfgc accepts it either way */
	top_is("listen=eth0\ngrp.v = 1\n", "(param listen sock[0 host:eth0 -1]) (cfgvar grp.v 1)");
	top_is("listen=sctp:(10.0.0.1, 10.0.0.2):5060\n",
	       "(param listen sock[4 ip:10.0.0.1 ip:10.0.0.2 5060])");
	top_is("alias=\"a.com\" b.com:5060\ndomain=c.com\n",
	       "(param alias sock[0 \"a.com\" -1] sock[0 host:b.com 5060]) (param domain sock[0 host:c.com -1])");
	top_is("grp.a = 1 desc \"d\"\ngrp[2].b = \"s\"\ndefault.default = 0\nkemi.reply_route_callback = \"f\"\n",
	       "(cfgvar grp.a 1 desc \"d\") (cfgvar grp.b[2] \"s\") (cfgvar default.default 0) "
	       "(param kemi.reply_route_callback \"f\")");
	top_is("loadmodule \"a.so\"\nloadmodulex \"$def(X)\"\nloadmodule (\"b.so\", \"o\")\nmpath=\"/m\"\n",
	       "(loadmodule \"a.so\") (loadmodulex \"$def(X)\") (loadmodule \"b.so\" \"o\") (loadpath \"/m\")");
	top_is("modparam(\"a\", \"b\", -5)\nmodparamx(\"a\", \"b\", $env(X))\ncfgengine = \"native\"\n",
	       "(modparam \"a\" \"b\" -5) (modparamx \"a\" \"b\" $env(X)) (cfgengine \"native\")");
	top_is("flags A : 1, \"B\", C;\navpflags x, \"y\";\n;;\n", "(flags A:1 B:-1 C:-1) (avpflags x:-1 y:-1)");
	top_is("request_route { exit; }\nroute { exit; }\nroute[0] { exit; }\nroute[010] { exit; }\n"
	       "route[\"a b\"] { exit; }\nreply_route { exit; }\nonreply_route { exit; }\n"
	       "onreply_route[0] { exit; }\nonreply_route[R] { exit; }\nfailure_route[F] { exit; }\n"
	       "branch_route[B] { exit; }\nonsend_route { exit; }\n"
	       "event_route [ tm:local-request ] { exit; }\nevent_route[\"x:y\"] { exit; }\n",
	       "(route 1 0 (exit)) (route 1 0 (exit)) (route 1 0 (exit)) (route 1 8 (exit)) "
	       "(route 1 \"a b\" (exit)) (route 128 0 (exit)) (route 128 0 (exit)) (route 128 0 (exit)) "
	       "(route 4 R (exit)) (route 2 F (exit)) (route 8 B (exit)) (route 16 0 (exit)) "
	       "(route 512 tm:local-request (exit)) (route 512 \"x:y\" (exit))");
}

static void test_errors_inline(void)
{
	err_is("request_route {\n\txlog(\"x\")\n\texit;\n}\n", 3, 2, "missing ';'");
	err_is("request_route {\n\tforward_udp();\n}\n", 2, 14, "unexpected ')'");
	err_is("listen = eth0\nchildren=\"2\"\n", 2, 10, "'children' takes an integer");
	err_is("tcp_source_ipv4 = ::1\n", 1, 19, "IPv4");
	err_is("udp_mtu_try_proto = ws\n", 1, 21, "udp_mtu_try_proto");
	err_is("tls_method = \"TLSv1\"\n", 1, 14, "tls_method");
	err_is("request_route {\n}\n", 2, 1, "unexpected '}'");
	err_is("request_route { exit; }\n}\n", 2, 1, "unexpected '}'");
	err_is("route[", 1, 6, "end of file");
	err_is("kemi.onsend_route_callback = 1\n", 1, 30, "takes a string");
	err_is("request_route { $var(a) = @; }\n", 1, 27, "'@'");
	err_is("request_route { $var(a) = 1.2.3.4; }\n", 1, 27, "address");
	/* the first error only, even when more follow */
	{
		run r = parse_text("request_route {\n\tfoo;\n\tbar;\n\t}}}\n");
		ok(r.rc < 0 && r.nerr == 1 && r.ctx->syntax_errors == 1, "one error, no cascade");
		run_free(&r);
	}
	/* the statements before the error are kept */
	{
		run r = parse_text("loadmodule \"sl.so\"\nchildren=2\nrequest_route { x }\n");
		int n = 0;
		for (cfgc_node *t = r.ctx->top; t; t = t->next)
			n++;
		ok(r.rc < 0 && n == 2, "statements before a syntax error stay in ctx->top (%d)", n);
		run_free(&r);
	}
}

static int cfg_filter(const struct dirent *e)
{
	size_t l = strlen(e->d_name);
	return l > 4 && !strcmp(e->d_name + l - 4, ".cfg");
}

/* Every fixture of `sub` (ok or err), in name order. */
static void test_fixtures(const char *sub, int want_ok)
{
	char dir[512], path[1024], line[256];
	struct dirent **list;
	int count;

	snprintf(dir, sizeof dir, "%s/%s", fixdir, sub);
	count = scandir(dir, &list, cfg_filter, alphasort);
	if (count < 0) {
		ok(0, "fixture directory %s", dir);
		return;
	}
	for (int i = 0; i < count; i++) {
		FILE *f;
		int el = 0, ec = 0;
		char code[64] = "";
		run r;

		snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
		free(list[i]);
		if (!want_ok) {
			f = fopen(path, "r");
			if (!f || !fgets(line, sizeof line, f) ||
			    sscanf(line, "# expect: %d:%d %63s", &el, &ec, code) != 3) {
				ok(0, "%s: first line is '# expect: LINE:COL CODE'", path);
				if (f)
					fclose(f);
				continue;
			}
			fclose(f);
		}
		r = parse_file(path);
		if (want_ok) {
			ok(r.rc == 0 && r.nerr == 0, "%s parses", path);
			if (r.err)
				diag("%d:%d: %s", r.err->loc.line, r.err->loc.col, r.err->msg);
		} else {
			int good = r.rc < 0 && r.nerr == 1 && r.err->loc.line == el && r.err->loc.col == ec &&
			           !strcmp(r.err->code, code);
			ok(good, "%s: error at %d:%d [%s]", path, el, ec, code);
			if (!good)
				diag("got rc=%d nerr=%d %d:%d [%s] %s", r.rc, r.nerr, r.err ? r.err->loc.line : 0,
				     r.err ? r.err->loc.col : 0, r.err ? r.err->code : "", r.err ? r.err->msg : "");
		}
		run_free(&r);
	}
	free(list);
	ok(count > 0, "%s: %d fixtures", dir, count);
}

/* The word tables are searched by bisection: check in the sources that
 * they are sorted (strcmp order). `start` opens the table, "};" ends it;
 * every string literal inside counts when `first_only` is 0, else only
 * the first of each line. */
static void table_sorted(const char *file, const char *start, int first_only)
{
	FILE *f = fopen(file, "r");
	char line[512], prev[128] = "", cur[128];
	int in = 0, n = 0, sorted = 1;

	if (!f) {
		ok(1, "# SKIP %s not found (run from the top of the tree)", file);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		if (!in) {
			in = strstr(line, start) != NULL;
			continue;
		}
		if (!strncmp(line, "};", 2))
			break;
		for (char *p = line; (p = strchr(p, '"'));) {
			char *q = strchr(p + 1, '"');
			size_t l;
			if (!q)
				break;
			l = (size_t)(q - p - 1) < sizeof cur - 1 ? (size_t)(q - p - 1) : sizeof cur - 1;
			memcpy(cur, p + 1, l);
			cur[l] = '\0';
			if (n++ && strcmp(prev, cur) >= 0) {
				sorted = 0;
				diag("%s: '%s' before '%s'", file, prev, cur);
			}
			strcpy(prev, cur);
			if (first_only)
				break;
			p = q + 1;
		}
	}
	fclose(f);
	ok(sorted && n > 20, "%s: table '%s' sorted (%d entries)", file, start, n);
}

static void test_names(void)
{
	int kind = 0;
	const char *c;

	ok(cfgc_is_keyword("route", 5) && cfgc_is_keyword("uri:host", 8) && cfgc_is_keyword("(int)", 5) &&
	   cfgc_is_keyword("VRF", 3) && cfgc_is_keyword("yes", 3) && cfgc_is_keyword("force_rport", 11),
	   "keywords");
	ok(!cfgc_is_keyword("children", 8) && !cfgc_is_keyword("debug", 5) && !cfgc_is_keyword("port", 4) &&
	   !cfgc_is_keyword("xlog", 4) && !cfgc_is_keyword("routex", 6) && !cfgc_is_keyword("rout", 4) &&
	   !cfgc_is_keyword("", 0), "core parameter names and others are not keywords");
	ok(cfgc_is_keyword("if(", 2) && !cfgc_is_keyword("if(", 3), "keyword length is honoured");
	c = cfgc_core_param("children", 8, &kind);
	ok(c && !strcmp(c, "children") && kind == CP_INT, "children is an int");
	c = cfgc_core_param("gid", 3, &kind);
	ok(c && !strcmp(c, "group") && kind == CP_STR_OR_ID, "gid is group, string or id");
	c = cfgc_core_param("rt_fast_timer_prio", 18, &kind);
	ok(c && !strcmp(c, "rt_timer1_prio"), "alias rt_fast_timer_prio");
	ok(cfgc_core_param("add_rport", 9, &kind) && kind == CP_INT, "add_rport");
	ok(cfgc_core_param("debug", 5, &kind) && kind == CP_INT_SIGNED, "debug is signed");
	ok(cfgc_core_param("advertised_address", 18, &kind) && kind == CP_ADDR, "advertised_address");
	ok(cfgc_core_param("xavp_via_params", 15, &kind) && kind == CP_STR, "last entry xavp_via_params");
	ok(cfgc_core_param("add_rport", 9, NULL) != NULL, "kind may be NULL");
	ok(!cfgc_core_param("tls_threads_mode", 16, &kind) && cfgc_core_param_newer("tls_threads_mode", 16),
	   "tls_threads_mode is newer than 5.6");
	ok(!cfgc_core_param("dns_use_cache", 13, &kind) && cfgc_core_param_newer("dns_use_cache", 13),
	   "alias dns_use_cache is newer than 5.6");
	ok(!cfgc_core_param("fifo", 4, &kind) && !cfgc_core_param_newer("fifo", 4), "fifo is unknown");
	ok(!cfgc_core_param("childrenx", 9, &kind) && !cfgc_core_param("childre", 7, &kind), "no prefix match");
}

static void test_ast_helpers(void)
{
	cfgc_ctx *ctx = cfgc_ctx_new(NULL);
	cfgc_span s1 = { 10, 5 }, s2 = { 3, 2 }, j;
	cfgc_node *a = cfgc_node_new(ctx, N_INT, s1), *b = cfgc_node_new(ctx, N_INT, s2), *l;

	j = cfgc_span_join(s1, s2);
	ok(j.off == 3 && j.len == 12, "cfgc_span_join");
	l = cfgc_list_append(NULL, a);
	l = cfgc_list_append(l, b);
	ok(l == a && a->next == b && !b->next && a->kind == N_INT && a->span.off == 10, "list append");
	cfgc_ctx_free(ctx);
}

/* 50,000 lines must parse in well under a second (linear lexer and
 * parser). Sanitizer builds get more time. */
static void test_speed(void)
{
	size_t cap = 4 << 20, n = 0;
	char *s = malloc(cap);
	run r;
	struct timespec t0, t1;
	double secs, limit = 1.0;
	int lines = 0;

#if defined(__SANITIZE_ADDRESS__)
	limit = 8.0;
#endif
	n += (size_t)snprintf(s + n, cap - n, "#!KAMAILIO\nlisten=udp:127.0.0.1:5060\nrequest_route {\n");
	lines = 3;
	for (int i = 0; lines < 50000; i++) {
		n += (size_t)snprintf(s + n, cap - n,
		                      "\tif ($var(x%d) == %d && (method == \"INVITE\" || $rU =~ \"^[0-9]+$\")) {\n"
		                      "\t\t$var(y) = $var(y) + %d * (2 - 1) ^ 3;\n"
		                      "\t\txlog(\"L_INFO\", \"line %d $ru $(hdr(Via)[0]{s.len})\\n\");\n"
		                      "\t} else if (src_ip == 10.0.0.0/8) { route(R); }\n",
		                      i % 50, i, i, i);
		lines += 4;
	}
	n += (size_t)snprintf(s + n, cap - n, "}\nroute[R] { exit; }\n");
	{
		FILE *f = fopen(tmppath, "wb");
		if (f) {
			fwrite(s, 1, n, f);
			fclose(f);
		}
	}
	free(s);
	{
		cfgc_opts o;
		memset(&o, 0, sizeof o);
		memset(&r, 0, sizeof r);
		r.ctx = cfgc_ctx_new(&o);
		cfgc_pp_run(r.ctx, tmppath);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r.rc = cfgc_parse(r.ctx);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(r.rc == 0 && secs < limit, "%d lines parse in %.3f s (limit %.1f s)", lines, secs, limit);
	run_free(&r);
}

/* Deterministic garbage and mutations: no crash, at most one error, and
 * an error whenever cfgc_parse says it failed. */
static void test_robustness(void)
{
	static const char *const seeds[] = {
		"request_route { if ($var(a) == 1) { xlog(\"x\"); } else { exit; } }\n",
		"listen=udp:127.0.0.1:5060 advertise 1.2.3.4:5060 name \"x\"\nchildren=4\n",
		"route[R] { switch ($rU) { case \"a\": break; default: route(R); } }\n",
		"event_route[tm:local-request] { $var(x) = $(ru{uri.user}) + @via[1].branch; }\n",
		"modparam(\"a\", \"b\", -1) flags A:1, B; grp.v = 1 desc \"d\"\n",
	};
	static const char alphabet[] = "(){}[]$@\"';:,.=!<>&|^~+-*/%#? \n\tabxyz019_";
	unsigned seed = 12345;
	int bad = 0, runs = 0;
	char buf[512];

	for (int i = 0; i < 1500; i++) {
		size_t n;
		run r;
		if (i % 3 == 0) { /* random bytes from the language's alphabet */
			n = 1 + (seed = seed * 1103515245u + 12345u) % 200;
			for (size_t k = 0; k < n; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[k] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
			}
		} else { /* a seed with a few bytes changed, cut or any byte */
			const char *s = seeds[i % 5];
			n = strlen(s);
			memcpy(buf, s, n);
			for (int k = 0; k < 3; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % n] = (i & 1) ? alphabet[(seed >> 16) % (sizeof alphabet - 1)]
				                               : (char)(seed >> 16);
			}
			seed = seed * 1103515245u + 12345u;
			if (i % 7 == 0)
				n = (seed >> 8) % n;
		}
		r = parse_raw(buf, n);
		runs++;
		if (r.nerr > 1 || (r.rc < 0) != (r.nerr == 1))
			bad++;
		run_free(&r);
	}
	ok(bad == 0, "%d garbage and mutated inputs: no crash, one error at most (%d bad)", runs, bad);
}

/* Contexts do not share state: a failed parse leaves nothing behind, and
 * the mode of one file does not leak into the next. */
static void test_isolation(void)
{
	run a = parse_text("#!KAMAILIO\nrequest_route { $var(a) = $x[1]; }\n");
	run b = parse_text("request_route { $var(a) = $x[1]; }\n");

	ok(a.rc < 0 && b.rc == 0 && b.nerr == 0, "two contexts, two modes, independent results");
	run_free(&a);
	run_free(&b);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_parse.%ld", (long)getpid());
	snprintf(tmppath, sizeof tmppath, "%s.cfg", tmpdir);

	test_names();
	table_sorted("cfgc/cfgc_names.c", "keywords[] = {", 0);
	table_sorted("cfgc/cfgc_names.c", "core_params[] = {", 1);
	table_sorted("cfgc/cfgc_lex.l", "kws[] = {", 1);
	test_ast_helpers();
	test_precedence();
	test_oldcond();
	test_statements();
	test_tokens();
	test_top();
	test_errors_inline();
	test_fixtures("ok", 1);
	test_fixtures("err", 0);
	test_isolation();
	test_robustness();
	test_speed();

	unlink(tmppath);
	return tap_done();
}
