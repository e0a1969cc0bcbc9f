/*
 * cfgc_gen.c — the code generator: the checked AST of a kamailio.cfg
 * becomes a vm_prog (vm/vm.h, "Programs"), one function per construct.
 *
 * Input: a context the linter passed without an error (cfgc_check_file).
 * Output: a program that vm_prog_check accepts: its settings (core
 * parameters, loadmodule lines, modparams, in source order), one route per
 * route block (blocks of one name appended, as Kamailio does), every
 * instruction with the file and line it comes from.
 *
 * Passes:
 *   gen_top       settings, modules, flags, route blocks grouped by route
 *   gen_route     each route's code: statements (gen_stmt and the gen_*
 *                 functions below it), expressions (simp, then gen_expr)
 *
 * Expressions are first simplified as Kamailio's fixup does (rvalue.c,
 * rve_optimize; spec §6.3 and §12): constant sub-expressions are folded
 * with the VM's own operators (vm_op_find), `+` `==` `!=` are typed when
 * the left operand's type is known, `X == $null` is `!defined X`, `X == ""`
 * is `strempty(X)`, and op(X, 0) / op(X, 1) are reduced the way 5.6.3
 * reduces them (`X && 1` is (int)X: -1 && 1 is -1). Nothing else is
 * rewritten: every rewrite here gives what 5.6.3 gives.
 *
 * Registers are a stack per route: a statement starts at the registers its
 * enclosing loops keep (loop counters), an expression takes the next free
 * ones and gives them back. A route uses at most 256 (an error otherwise).
 *
 * Calls and values (spec §6.4, checked on 5.6.3): a function or route call
 * assigned directly stores its raw code; anywhere else it counts as 1 when
 * the code is > 0 and 0 otherwise (COND, or a JMPIF/JMPIFNOT test). A route
 * that ends without `return` returns the code of the last action it ran:
 * calls in tail position are followed by LEAVE (see tail_t).
 *
 * Errors: limits (registers, table sizes, jump distance) and out of memory
 * are diagnostics in the context (code "gen-limit"); the program is then
 * not produced. Nothing is printed here.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfgc_int.h"

#define GEN_MAX_REGS 256
#define GEN_MAX_MODS 256
#define GEN_MAX_FLAGS 64

/* Operators the simplifier rewrites `+` to when the left operand's type
 * is known (beyond the OP_* of the parser). */
enum { GOP_IADD = 1000, GOP_CONCAT };

/* Static types, as Kamailio guesses them (rve_guess_type). */
enum { TY_UNKNOWN = 0, TY_INT, TY_STR };

/* What a statement in tail position does with its value (the code a route
 * returns when it ends without `return` is the value of the last action it
 * ran; spec §5.5):
 *   TAIL_NONE   not in tail position: the value is dropped;
 *   TAIL_LEAVE  last action of the route: a value other than 1 is returned
 *               at once with LEAVE (1 falls through to the route's end,
 *               which returns 1);
 *   TAIL_REG    last action of a loop body or switch in tail position: the
 *               value goes to register `reg`, returned after the loop. */
enum { TAIL_NONE = 0, TAIL_LEAVE, TAIL_REG };
typedef struct {
	int mode;
	int reg;
} tail_t;

static const tail_t no_tail = { TAIL_NONE, 0 };

/* Pending forward jumps (pcs of the route being built) to one label. */
typedef struct {
	int *pc;
	int n, cap;
} jlist;

/* The innermost while or switch: where `break` goes. */
typedef struct gen_brk {
	jlist exits;
	tail_t tail;      /* break's value 0: TAIL_LEAVE returns it, TAIL_REG stores it */
	struct gen_brk *up;
} gen_brk;

/* One route block of the file, and the modules visible in it (a prefix of
 * the load order: a function is known only after its loadmodule). */
typedef struct {
	const cfgc_node *node;
	int nvisible;
} route_block;

/* A route: every block of its type and name, in file order. */
typedef struct {
	uint32_t type;
	const char *name;
	int rt;           /* index in the program's route table */
	route_block *blocks;
	int nblocks, capblocks;
} route_group;

typedef struct {
	cfgc_ctx *ctx;
	vm_prog *p;
	const vm_registry *reg;
	const vm_module *mods[GEN_MAX_MODS];
	int nmods;
	int nvisible;     /* modules the route block being compiled sees */
	const char *flag_names[GEN_MAX_FLAGS];
	int flag_bits[GEN_MAX_FLAGS];
	int nflags;
	uint64_t flags_used;
	const char *avpflag_names[GEN_MAX_FLAGS];
	int navpflags;
	route_group *groups;
	int ngroups, capgroups;
	int *file_map;    /* source index -> program file index, -1 unknown */
	int last_file;
	uint32_t last_line;
	/* the route being built */
	int top;          /* first free register */
	int maxreg;       /* registers used so far */
	int reachable;    /* the next instruction can run */
	gen_brk *brk;
	int regs_reported;
	/* constant folding */
	vm_arena arena;
	int failed;
} gen;

static void gen_stmt(gen *g, const cfgc_node *s, tail_t tail);
static void gen_list(gen *g, const cfgc_node *s, tail_t tail);
static void gen_expr(gen *g, const cfgc_node *e, int dst, int raw);
static cfgc_node *simp(gen *g, cfgc_node *e);

/* ------------------------------------------------------------- errors */

/* Report an error of the generator at node `at` (a limit reached, memory
 * exhausted): the program is not produced. */
static void gen_error(gen *g, const cfgc_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void gen_error(gen *g, const cfgc_node *at, const char *fmt, ...)
{
	cfgc_span sp = { 0, 0 };
	char msg[300];
	va_list ap;

	if (at)
		sp = at->span;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->failed = 1;
	cfgc_diag_span(g->ctx, CFGC_ERROR, "gen-limit", sp, "%s", msg);
}

/* A table index from a vm_prog_add_* builder: -1 (memory) and indexes an
 * instruction cannot hold (past Bx's 16 bits) are errors; returns 0 then. */
static int tab_index(gen *g, int idx, const cfgc_node *at, const char *what)
{
	if (idx < 0) {
		gen_error(g, at, "out of memory while building the program");
		return 0;
	}
	if ((unsigned)idx > VM_BX_MAX) {
		gen_error(g, at, "the program needs more than 65536 %s", what);
		return 0;
	}
	return idx;
}

/* ---------------------------------------------------------- registers */

/* The next free register. Past 256 the expression is too complex: an
 * error (reported once per route) and register 255 is returned so that
 * generation can go on to the end of the route. */
static int ralloc(gen *g, const cfgc_node *at)
{
	if (g->top >= GEN_MAX_REGS) {
		if (!g->regs_reported)
			gen_error(g, at, "this needs more than 256 registers: split the expression");
		g->regs_reported = 1;
		return GEN_MAX_REGS - 1;
	}
	int r = g->top++;
	if (g->top > g->maxreg)
		g->maxreg = g->top;
	return r;
}

/* Free register r and every register above it. */
static void rfree(gen *g, int r)
{
	if (r < g->top)
		g->top = r;
}

/* --------------------------------------------------------- emitting */

/* The program's file index for source file `src` (added on first use). */
static int file_index(gen *g, int src, const cfgc_node *at)
{
	if (src < 0 || src >= g->ctx->nsrcs)
		return g->last_file;
	if (g->file_map[src] < 0)
		g->file_map[src] = tab_index(g, vm_prog_add_file(g->p, g->ctx->srcs[src].path), at, "files");
	return g->file_map[src];
}

/* Append an instruction coming from the line where node `at` starts (the
 * line before when at is NULL). Returns its pc. */
static int emit(gen *g, vm_insn insn, const cfgc_node *at)
{
	if (at) {
		cfgc_loc loc = cfgc_map(g->ctx, at->span.off, NULL);
		if (loc.file >= 0) {
			g->last_file = file_index(g, loc.file, at);
			g->last_line = (uint32_t)(loc.line > 0 ? loc.line : 0);
		}
	}
	if (g->last_file < 0)
		g->last_file = file_index(g, 0, at);
	int pc = vm_prog_emit(g->p, insn, g->last_file, g->last_line);
	if (pc < 0) {
		gen_error(g, at, "out of memory while building the program");
		return 0;
	}
	unsigned op = VM_GET_OP(insn);
	if (op == VM_OP_JMP || op == VM_OP_RETURN || op == VM_OP_LEAVE || op == VM_OP_EXIT ||
	    op == VM_OP_DROP)
		g->reachable = 0;
	return pc;
}

static void emit_abc(gen *g, unsigned op, int a, int b, int c, const cfgc_node *at)
{
	emit(g, VM_ABC(op, a, b, c), at);
}

static void emit_abx(gen *g, unsigned op, int a, int bx, const cfgc_node *at)
{
	emit(g, VM_ABX(op, a, bx), at);
}

/* R[reg] := i (LOADINT when it fits in sBx, else a constant). */
static void emit_int(gen *g, int reg, int32_t i, const cfgc_node *at)
{
	if (i >= VM_SBX_MIN && i <= VM_SBX_MAX)
		emit(g, VM_ASBX(VM_OP_LOADINT, reg, i), at);
	else
		emit_abx(g, VM_OP_LOADK, reg, tab_index(g, vm_prog_add_const_int(g->p, i), at, "constants"), at);
}

/* R[reg] := the string s[0..n). */
static void emit_str(gen *g, int reg, const char *s, size_t n, const cfgc_node *at)
{
	emit_abx(g, VM_OP_LOADK, reg, tab_index(g, vm_prog_add_const_str(g->p, s, n), at, "constants"), at);
}

/* The P index of a pseudo-variable as written. */
static int pv_index(gen *g, const char *text, size_t n, const cfgc_node *at)
{
	return tab_index(g, vm_prog_add_pv(g->p, text, n), at, "pseudo-variables");
}

/* ----------------------------------------------------------- jumps */

static void jl_add(gen *g, jlist *l, int pc)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 4;
		int *np = realloc(l->pc, sizeof(int) * (size_t)cap);
		if (!np) {
			gen_error(g, NULL, "out of memory while building the program");
			return;
		}
		l->pc = np;
		l->cap = cap;
	}
	l->pc[l->n++] = pc;
}

/* Emit a jump (op with register a) whose target is not known yet; its pc
 * goes to list l. */
static void emit_jump(gen *g, unsigned op, int a, const cfgc_node *at, jlist *l)
{
	int pc = emit(g, VM_ASBX(op, a, 0), at);
	jl_add(g, l, pc);
}

/* Point every jump of l at `target` and empty the list. */
static void patch_to(gen *g, jlist *l, int target, const cfgc_node *at)
{
	for (int i = 0; i < l->n; i++)
		if (vm_prog_patch_jump(g->p, l->pc[i], target) < 0)
			gen_error(g, at, "a jump here spans more than 32767 instructions: split the route");
	free(l->pc);
	l->pc = NULL;
	l->n = l->cap = 0;
}

/* Bind the label of list l here: the next instruction is its target (and
 * reachable when any jump goes to it). */
static void bind(gen *g, jlist *l, const cfgc_node *at)
{
	if (l->n)
		g->reachable = 1;
	patch_to(g, l, vm_prog_pc(g->p), at);
}

/* ------------------------------------------------------ constants */

/* The value of a constant node (N_INT or N_STR). 1, or 0 when e is not
 * a constant. */
static int kval(const cfgc_node *e, vm_value *v)
{
	if (!e)
		return 0;
	if (e->kind == N_INT) {
		*v = vm_int((int32_t)e->ival);
		return 1;
	}
	if (e->kind == N_STR) {
		*v = vm_str(e->str ? e->str : "", e->slen);
		return 1;
	}
	return 0;
}

static int is_const(const cfgc_node *e)
{
	return e && (e->kind == N_INT || e->kind == N_STR);
}

/* A constant node for v, covering like's span. */
static cfgc_node *mk_const(gen *g, const cfgc_node *like, const vm_value *v)
{
	cfgc_node *n;
	if (v->kind == VM_INT) {
		n = cfgc_node_new(g->ctx, N_INT, like->span);
		n->ival = v->i;
		return n;
	}
	n = cfgc_node_new(g->ctx, N_STR, like->span);
	if (v->kind == VM_STR) {
		n->str = cfgc_strndup(g->ctx, v->s, v->len);
		n->slen = v->len;
	} else {
		n->str = cfgc_strndup(g->ctx, "", 0);
	}
	return n;
}

/* The text of a constant-like node: a string's bytes, an int in decimal,
 * a bare word, host, address, socket or protocol as written. 1 with *s and
 * *n set (*s may point into buf), 0 when e is computed at run time. */
static int const_text(const cfgc_node *e, char buf[VM_INT_DEC_MAX], const char **s, size_t *n)
{
	switch (e->kind) {
	case N_INT:
		*n = vm_int_to_dec((int32_t)e->ival, buf);
		*s = buf;
		return 1;
	case N_STR:
		*s = e->str ? e->str : "";
		*n = e->slen;
		return 1;
	case N_ID:
	case N_HOST:
	case N_IP:
	case N_SOCKET:
		*s = e->str ? e->str : "";
		*n = strlen(*s);
		return 1;
	case N_PROTO:
		*s = e->str ? e->str : "*";
		*n = strlen(*s);
		return 1;
	case N_MYSELF:
		*s = "myself";
		*n = 6;
		return 1;
	default:
		return 0;
	}
}

/* The operator names of vm_ops for a parser (or GOP_) operator. */
static const char *op_name(int op, int arity)
{
	if (arity == 1) {
		switch (op) {
		case OP_NOT: return "!";
		case OP_NEG: return "-";
		case OP_BNOT: return "~";
		case OP_DEFINED: return "defined";
		case OP_STRLEN: return "strlen";
		case OP_STREMPTY: return "strempty";
		case OP_CAST_INT: return "(int)";
		case OP_CAST_STR: return "(str)";
		default: return NULL;
		}
	}
	switch (op) {
	case OP_OR: return "||";
	case OP_AND: return "&&";
	case OP_BOR: return "|";
	case OP_BAND: return "&";
	case OP_BXOR: return "^";
	case OP_LSHIFT: return "<<";
	case OP_RSHIFT: return ">>";
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_MATCH: return "=~";
	case OP_STREQ: return "eq";
	case OP_STRNE: return "ne";
	case OP_INTEQ: return "ieq";
	case OP_INTNE: return "ine";
	case OP_LT: return "<";
	case OP_GT: return ">";
	case OP_LE: return "<=";
	case OP_GE: return ">=";
	case OP_PLUS: return "+";
	case OP_MINUS: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_MOD: return "mod";
	case GOP_IADD: return "iplus";
	case GOP_CONCAT: return "concat";
	default: return NULL;
	}
}

/* Fold op(a) or op(a, b) over constants with the VM's own operators, so
 * that a folded value is exactly what the VM would compute. 1 with *out
 * set, 0 when the operator fails (division by zero, a bad regex): that
 * stays for run time, where it fails the same way. */
static int fold(gen *g, int op, int arity, const vm_value *a, const vm_value *b, vm_value *out)
{
	const vm_op_def *d = vm_op_find(op_name(op, arity), arity);
	if (!d)
		return 0;
	if (arity == 1)
		return d->fn1(&g->arena, out, a) == 0;
	return d->fn2(&g->arena, out, a, b) == 0;
}

/* ------------------------------------------------------ simplifier */

/* Kamailio's static type of a simplified expression (rve_guess_type):
 * literals, selects (strings), calls, old-style conditions and the
 * operators that always give an int. A `+` still untyped after
 * simplification has an operand of unknown type. */
static int ty(const cfgc_node *e)
{
	switch (e->kind) {
	case N_INT:
		return TY_INT;
	case N_STR:
	case N_SELECT:
		return TY_STR;
	case N_CALL:
	case N_ROUTE_CALL:
	case N_OLDCOND:
	case N_BLOCK:
	case N_ASSIGN:
		return TY_INT;
	case N_UNOP:
		return e->op == OP_CAST_STR ? TY_STR : TY_INT;
	case N_BINOP:
		if (e->op == OP_PLUS)
			return TY_UNKNOWN;
		return e->op == GOP_CONCAT ? TY_STR : TY_INT;
	default:
		return TY_UNKNOWN;
	}
}

/* A copy of operator node e with new operands (e itself when nothing
 * changed). */
static cfgc_node *with_ops(gen *g, cfgc_node *e, int op, cfgc_node *a, cfgc_node *b)
{
	if (e->op == op && e->a == a && e->b == b)
		return e;
	cfgc_node *n = cfgc_node_new(g->ctx, e->kind, e->span);
	*n = *e;
	n->next = NULL;
	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

static cfgc_node *mk_unop(gen *g, int op, cfgc_node *a, const cfgc_node *like)
{
	cfgc_node *n = cfgc_node_new(g->ctx, N_UNOP, like->span);
	n->op = op;
	n->a = a;
	n->name_span = like->name_span;
	return n;
}

/* (int)v, or v itself when it is an int already (Kamailio's
 * replace_int_rve: `call * 1` becomes the bare call). */
static cfgc_node *cast_int(gen *g, cfgc_node *v, const cfgc_node *like)
{
	return ty(v) == TY_INT ? v : mk_unop(g, OP_CAST_INT, v, like);
}

static cfgc_node *cast_str(gen *g, cfgc_node *v, const cfgc_node *like)
{
	return ty(v) == TY_STR ? v : mk_unop(g, OP_CAST_STR, v, like);
}

/* op(v, 0), op(v, 1), op(v, "") and the mirror forms, as 5.6.3 reduces
 * them when exactly one operand is constant (rve_opt_01): `v * 0`, `v & 0`,
 * `v && 0`, `0 / v`, `0 mod v` are 0, `v || 1` is 1; `v * 1`, `v / 1`,
 * `v - 0`, `v | 0`, `v && 1`, `v || 0` and integer `v + 0` are (int)v;
 * string `v + ""` is (str)v; `v == ""` and `v eq ""` are strempty(v).
 * Returns the reduced node, or NULL when no rule applies. */
static cfgc_node *opt01(gen *g, cfgc_node *e, int op, cfgc_node *a, cfgc_node *b)
{
	cfgc_node *ct, *v;
	int right;
	vm_value k = vm_null();

	if (is_const(a) == is_const(b))
		return NULL;
	right = is_const(b);
	ct = right ? b : a;
	v = right ? a : b;
	if (!kval(ct, &k))
		return NULL;
	if (k.kind == VM_INT) {
		int32_t i = k.i;
		switch (op) {
		case OP_MUL:
			return i == 0 ? ct : i == 1 ? cast_int(g, v, e) : NULL;
		case OP_DIV:
			return i == 0 && !right ? ct : i == 1 && right ? cast_int(g, v, e) : NULL;
		case OP_MOD:
			return i == 0 && !right ? ct : NULL;
		case OP_MINUS:
			return i == 0 && right ? cast_int(g, v, e) : NULL;
		case OP_BAND:
			return i == 0 ? ct : NULL;
		case OP_BOR:
			return i == 0 ? cast_int(g, v, e) : NULL;
		case OP_AND:
			return i == 0 ? ct : i == 1 ? cast_int(g, v, e) : NULL;
		case OP_OR:
			return i == 1 ? ct : i == 0 ? cast_int(g, v, e) : NULL;
		case GOP_IADD:
			return i == 0 ? cast_int(g, v, e) : NULL;
		default:
			return NULL;
		}
	}
	if (k.len != 0)
		return NULL;
	if (op == GOP_CONCAT)
		return cast_str(g, v, e);
	if (op == OP_EQ || op == OP_STREQ)
		return mk_unop(g, OP_STREMPTY, v, e);
	return NULL;
}

/* Operators whose constant operands may be regrouped: associative, and
 * (all but concatenation) commutative, on ints that wrap. */
static int op_assoc(int op)
{
	return op == OP_MUL || op == OP_BAND || op == OP_BOR || op == OP_BXOR || op == GOP_IADD ||
	       op == GOP_CONCAT;
}

static int op_comm(int op)
{
	return op_assoc(op) && op != GOP_CONCAT;
}

/* op(op(v, a), b) -> op(v, op(a, b)) and the other groupings of 5.6.3's
 * rve_optimize, so `$x * 2 * 3` multiplies once by 6. NULL when none
 * applies. */
static cfgc_node *reassoc(gen *g, cfgc_node *e, int op, cfgc_node *a, cfgc_node *b)
{
	vm_value x, y, r;

	if (!op_assoc(op))
		return NULL;
	if (is_const(b) && a->kind == N_BINOP && a->op == op && !is_const(a)) {
		if (kval(a->b, &x) && kval(b, &y) && fold(g, op, 2, &x, &y, &r))
			return with_ops(g, e, op, a->a, mk_const(g, b, &r));
		if (op_comm(op) && kval(a->a, &x) && kval(b, &y) && fold(g, op, 2, &x, &y, &r))
			return with_ops(g, e, op, mk_const(g, b, &r), a->b);
	} else if (is_const(a) && b->kind == N_BINOP && b->op == op && !is_const(b)) {
		if (op_comm(op) && kval(a, &x) && kval(b->b, &y) && fold(g, op, 2, &x, &y, &r))
			return with_ops(g, e, op, mk_const(g, a, &r), b->a);
		if (kval(a, &x) && kval(b->a, &y) && fold(g, op, 2, &x, &y, &r))
			return with_ops(g, e, op, mk_const(g, a, &r), b->b);
	}
	return NULL;
}

static int is_null_pv(const cfgc_node *e)
{
	return e && e->kind == N_PV && e->str && !strcmp(e->str, "$null");
}

/* unop -> op exp: folded when the operand is constant. `defined` of a
 * constant is 1; of any other expression that is not a single variable
 * it is 1 too, but stays an operator (5.6.3 does not count it as a
 * constant in the rules of opt01). */
static cfgc_node *simp_unop(gen *g, cfgc_node *e)
{
	cfgc_node *a = simp(g, e->a);
	vm_value x, r;

	if (e->op == OP_DEFINED && is_const(a)) {
		r = vm_int(1);
		return mk_const(g, e, &r);
	}
	if (e->op != OP_DEFINED && kval(a, &x) && fold(g, e->op, 1, &x, NULL, &r))
		return mk_const(g, e, &r);
	return with_ops(g, e, e->op, a, NULL);
}

/* binop -> exp op exp: `X == $null` and `X != $null` first (5.6.3's
 * parser turns them into !defined X and defined X, also for eq, ne, ieq,
 * ine), then folding, typing of `+` `==` `!=` by the left operand,
 * opt01 and reassoc. */
static cfgc_node *simp_binop(gen *g, cfgc_node *e)
{
	int op = e->op;
	vm_value x, y, r;
	cfgc_node *a, *b, *n;

	if (is_null_pv(e->b) && (op == OP_EQ || op == OP_NE || op == OP_STREQ || op == OP_STRNE ||
	                         op == OP_INTEQ || op == OP_INTNE)) {
		n = mk_unop(g, OP_DEFINED, e->a, e);
		if (op == OP_EQ || op == OP_STREQ || op == OP_INTEQ)
			n = mk_unop(g, OP_NOT, n, e);
		return simp(g, n);
	}
	a = simp(g, e->a);
	b = simp(g, e->b);
	if (kval(a, &x) && kval(b, &y) && fold(g, op, 2, &x, &y, &r))
		return mk_const(g, e, &r);
	if (op == OP_PLUS) {
		int t = ty(a);
		op = t == TY_INT ? GOP_IADD : t == TY_STR ? GOP_CONCAT : op;
	} else if (op == OP_EQ || op == OP_NE) {
		int t = ty(a);
		if (t == TY_INT)
			op = op == OP_EQ ? OP_INTEQ : OP_INTNE;
		else if (t == TY_STR)
			op = op == OP_EQ ? OP_STREQ : OP_STRNE;
	}
	if ((n = opt01(g, e, op, a, b)) || (n = reassoc(g, e, op, a, b)))
		return n;
	return with_ops(g, e, op, a, b);
}

/* selval(c, a, b) with a constant c is the branch it selects. */
static cfgc_node *simp_selval(gen *g, cfgc_node *e)
{
	cfgc_node *c = simp(g, e->a);
	vm_value x;

	if (kval(c, &x))
		return simp(g, vm_cond(&x) ? e->b : e->c);
	cfgc_node *b = simp(g, e->b), *d = simp(g, e->c);
	if (c == e->a && b == e->b && d == e->c)
		return e;
	cfgc_node *n = cfgc_node_new(g->ctx, N_SELVAL, e->span);
	*n = *e;
	n->next = NULL;
	n->a = c;
	n->b = b;
	n->c = d;
	return n;
}

/* The simplified form of expression e (new nodes in the context arena;
 * e itself is never changed). Operands of calls and old-style conditions
 * are simplified when those are compiled. */
static cfgc_node *simp(gen *g, cfgc_node *e)
{
	if (!e)
		return e;
	switch (e->kind) {
	case N_UNOP:
		return simp_unop(g, e);
	case N_BINOP:
		return simp_binop(g, e);
	case N_SELVAL:
		return simp_selval(g, e);
	default:
		return e;
	}
}

/* ------------------------------------------------------- modules */

/* The module name of a loadmodule path: no folder, no ".so". */
static const char *mod_basename(cfgc_ctx *ctx, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 3 && !strcmp(b + n - 3, ".so"))
		n -= 3;
	return cfgc_strndup(ctx, b, n);
}

static void load_module(gen *g, const char *name)
{
	for (int i = 0; i < g->nmods; i++)
		if (!strcmp(g->mods[i]->name, name))
			return;
	const vm_module *m = vm_registry_find(g->reg, name);
	if (m && !m->unavailable && g->nmods < GEN_MAX_MODS)
		g->mods[g->nmods++] = m;
}

/* The export a call resolves to, as the linter resolves it: by name and
 * number of parameters, first match in load order (core first) among the
 * modules loaded before the route block. *mod gets its module. */
static const vm_fn_export *find_fn(gen *g, const char *name, int nargs, const vm_module **mod)
{
	for (int i = 0; i < g->nvisible; i++)
		for (const vm_fn_export *f = g->mods[i]->fns; f && f->name; f++)
			if (!strcmp(f->name, name) && (f->nparams == nargs || f->nparams == VM_NPARAMS_VAR)) {
				*mod = g->mods[i];
				return f;
			}
	return NULL;
}

/* -------------------------------------------------- pseudo-variables */

/* The pseudo-variable text of a variable node: PVs and legacy AVPs as
 * written, a select @x as $sel(x). NULL for other nodes. */
static const char *pv_text(gen *g, const cfgc_node *e, size_t *n)
{
	if (e->kind == N_PV || e->kind == N_AVP) {
		*n = e->slen ? e->slen : strlen(e->str);
		return e->str;
	}
	if (e->kind == N_SELECT) {
		size_t l = strlen(e->str);
		char *t = cfgc_alloc(g->ctx, l + 7);
		memcpy(t, "$sel(", 5);
		memcpy(t + 5, e->str, l);
		t[l + 5] = ')';
		*n = l + 6;
		return t;
	}
	return NULL;
}

/* ------------------------------------------------------- function calls */

/* The bit of a flag named in setflag() and the like: declared with
 * `flags` (or, for the AVP flag functions, `avpflags`: their index in
 * declaration order). -1 when unknown. */
static int flag_bit(gen *g, const char *name, int avp)
{
	if (avp) {
		for (int i = 0; i < g->navpflags; i++)
			if (!strcmp(g->avpflag_names[i], name))
				return i;
		return -1;
	}
	for (int i = 0; i < g->nflags; i++)
		if (!strcmp(g->flag_names[i], name))
			return g->flag_bits[i];
	return -1;
}

/* R[reg] := the constant text s[0..n), recording it in *karg. */
static void arg_kstr(gen *g, int reg, const char *s, size_t n, const cfgc_node *at, int32_t *karg)
{
	int k = tab_index(g, vm_prog_add_const_str(g->p, s, n), at, "constants");
	*karg = k;
	emit_abx(g, VM_OP_LOADK, reg, k, at);
}

static void arg_kint(gen *g, int reg, int32_t i, const cfgc_node *at, int32_t *karg)
{
	*karg = tab_index(g, vm_prog_add_const_int(g->p, i), at, "constants");
	emit_int(g, reg, i, at);
}

/* Argument `a` of kind `kind` (vm_fn_export.kinds; 0 for functions without
 * kinds: Kamailio's catalog) into R[reg]. Constants are handed over as
 * the function's fixup wants them (spec §5.7): a string with PVs for `s`
 * is a format (FORMAT), other constants are loaded once and their K index
 * goes to *karg so that the loader prepares them (PV names for `p` as
 * written, regexes, route names, flags as their bit); ints stay ints for
 * `i` and `f`, and become their decimal text elsewhere. An argument
 * computed at run time is evaluated as a value. */
static void gen_arg(gen *g, const cfgc_node *call, cfgc_node *a, char kind, int reg, int32_t *karg)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t n;
	int32_t iv;
	int avp = !strcmp(call->str, "setavpflag") || !strcmp(call->str, "resetavpflag") ||
	          !strcmp(call->str, "isavpflagset");

	*karg = -1;
	if (kind == 'p' || kind == 'x') {
		const char *t = pv_text(g, a, &n);
		if (t) {
			arg_kstr(g, reg, t, n, a, karg);
			return;
		}
	}
	if (kind == 'f' && (a->kind == N_ID || a->kind == N_STR)) {
		int bit = flag_bit(g, a->str, avp);
		if (bit >= 0) {
			arg_kint(g, reg, bit, a, karg);
			return;
		}
	}
	a = simp(g, a);
	if (!const_text(a, buf, &s, &n)) {
		gen_expr(g, a, reg, 0);
		return;
	}
	switch (kind) {
	case 's':
		if (a->kind == N_STR && memchr(s, '$', n)) {
			if (memchr(s, '\0', n)) {
				gen_error(g, a, "a string with a NUL byte cannot hold pseudo-variables");
				return;
			}
			emit_abx(g, VM_OP_FORMAT, reg, tab_index(g, vm_prog_add_format(g->p, s, n), a, "formats"), a);
		} else {
			emit_str(g, reg, s, n, a);
		}
		return;
	case 'i':
	case 'f':
		if (a->kind == N_INT) {
			arg_kint(g, reg, (int32_t)a->ival, a, karg);
			return;
		}
		if (a->kind == N_STR && vm_str_to_int(s, n, &iv) == 0) {
			arg_kint(g, reg, iv, a, karg);
			return;
		}
		if (a->kind == N_STR && memchr(s, '$', n) && !memchr(s, '\0', n)) {
			emit_abx(g, VM_OP_FORMAT, reg, tab_index(g, vm_prog_add_format(g->p, s, n), a, "formats"), a);
			return;
		}
		arg_kstr(g, reg, s, n, a, karg);
		return;
	case 'x':
		if (a->kind == N_INT) {
			arg_kint(g, reg, (int32_t)a->ival, a, karg);
			return;
		}
		arg_kstr(g, reg, s, n, a, karg);
		return;
	case 'p':
	case 'r':
	case 'R':
	case 'S':
		arg_kstr(g, reg, s, n, a, karg);
		return;
	default:
		/* no kinds: the value itself */
		if (a->kind == N_INT)
			emit_int(g, reg, (int32_t)a->ival, a);
		else
			emit_str(g, reg, s, n, a);
		return;
	}
}

/* The kind of argument i of a call to f: from its kinds (the last one
 * repeats for a variable number of parameters, '?' past them), 0 when
 * the export has none (Kamailio's catalog), but 'f' for the flag
 * functions of the core, whose flag names always resolve to bits. */
static char arg_kind(const vm_fn_export *f, const cfgc_node *call, int i)
{
	size_t nk = f->kinds ? strlen(f->kinds) : 0;
	if (f->kinds && (size_t)i < nk)
		return f->kinds[i];
	if (f->kinds && nk && f->nparams == VM_NPARAMS_VAR)
		return f->kinds[nk - 1];
	if (f->kinds)
		return '?';
	if ((i == 0 && (!strcmp(call->str, "setflag") || !strcmp(call->str, "resetflag") ||
	                !strcmp(call->str, "isflagset"))) ||
	    (i == 1 && (!strcmp(call->str, "setavpflag") || !strcmp(call->str, "resetavpflag") ||
	                !strcmp(call->str, "isavpflagset"))))
		return 'f';
	return 0;
}

/* f(args) -> CALL: argument i in R[A+1+i], the code in R[dst]. The
 * function is resolved as the linter resolves it; its module name is the
 * registry's ("core" for the core actions). */
static void gen_call(gen *g, const cfgc_node *n, int dst)
{
	const vm_module *mod = NULL;
	const vm_fn_export *f = find_fn(g, n->str, n->nargs, &mod);
	int32_t kargs[256];
	int base, i = 0;

	if (!f) {
		gen_error(g, n, "'%s' does not resolve to a function of a loaded module", n->str);
		return;
	}
	if (n->nargs > 255) {
		gen_error(g, n, "a call to '%s' with more than 255 arguments", n->str);
		return;
	}
	base = dst == g->top - 1 ? dst : ralloc(g, n);
	for (cfgc_node *a = n->args; a; a = a->next, i++) {
		int r = ralloc(g, a);
		gen_arg(g, n, a, arg_kind(f, n, i), r, &kargs[i]);
		rfree(g, r + 1);
	}
	int fn = tab_index(g, vm_prog_add_fn_k(g->p, mod->name, f->name, (unsigned)n->nargs, kargs), n,
	                   "functions");
	emit_abx(g, VM_OP_CALL, base, fn, n);
	if (base != dst)
		emit_abc(g, VM_OP_MOVE, dst, base, 0, n);
	rfree(g, base == dst ? dst + 1 : base);
}

/* The route group of this type and name, or NULL. */
static route_group *find_group(gen *g, uint32_t type, const char *name)
{
	for (int i = 0; i < g->ngroups; i++)
		if (g->groups[i].type == type && !strcmp(g->groups[i].name, name))
			return &g->groups[i];
	return NULL;
}

/* route(NAME) -> ROUTE with a name known now (an identifier, a number, a
 * constant expression; "0" is request_route), else ROUTEDYN on the name's
 * value. The code goes to R[dst]. */
static void gen_route_call(gen *g, const cfgc_node *n, int dst)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	cfgc_node *t = simp(g, n->a);

	if (t && t->kind != N_HOST && t->kind != N_IP && const_text(t, buf, &s, &len)) {
		char *name = cfgc_strndup(g->ctx, s, len);
		if (!strcmp(name, "0"))
			name[0] = '\0';
		route_group *rg = find_group(g, VM_RT_REQUEST, name);
		if (!rg) {
			gen_error(g, n, "route[%s] is not defined", name);
			return;
		}
		emit_abx(g, VM_OP_ROUTE, dst, rg->rt, n);
		return;
	}
	int r = ralloc(g, n);
	gen_expr(g, t, r, 0);
	emit_abc(g, VM_OP_ROUTEDYN, dst, r, 0, n);
	rfree(g, r);
}

/* ---------------------------------------------- old-style conditions */

/* The pseudo-variable read by the left side of an old-style condition. */
static const char *oc_pv(int oc)
{
	switch (oc) {
	case OC_METHOD: return "$rm";
	case OC_URI: return "$ru";
	case OC_FROM_URI: return "$fu";
	case OC_TO_URI: return "$tu";
	case OC_STATUS: return "$rs";
	case OC_SRC_IP: return "$si";
	case OC_DST_IP: return "$Ri";
	case OC_SND_IP: return "$snd(sip)";
	case OC_TO_IP: return "$snd(ip)";
	case OC_SRC_PORT: return "$sp";
	case OC_DST_PORT: return "$Rp";
	case OC_SND_PORT: return "$snd(sport)";
	case OC_TO_PORT: return "$snd(port)";
	case OC_PROTO: return "$pr";
	case OC_SND_PROTO: return "$snd(proto)";
	case OC_AF: return "$af(id)";
	case OC_SND_AF: return "$snd(af)";
	case OC_MSGLEN: return "$ml";
	default: return "$null";
	}
}

static int oc_is_ip(int oc)
{
	return oc == OC_SRC_IP || oc == OC_DST_IP || oc == OC_SND_IP || oc == OC_TO_IP;
}

static int oc_is_str(int oc)
{
	return oc == OC_METHOD || oc == OC_URI || oc == OC_FROM_URI || oc == OC_TO_URI || oc == OC_STATUS;
}

static int op_negated(int op)
{
	return op == OP_NE || op == OP_STRNE || op == OP_INTNE;
}

/* The network text of an address operand: "10.0.0.0/8",
 * "10.0.0.0/255.0.0.0", "1.2.3.4" or a host name. */
static const char *net_text(gen *g, const cfgc_node *r)
{
	char *t;
	if (r->kind == N_IP && r->b) {
		t = cfgc_alloc(g->ctx, strlen(r->str) + strlen(r->b->str) + 2);
		sprintf(t, "%s/%s", r->str, r->b->str);
		return t;
	}
	if (r->kind == N_IP && r->ival >= 0) {
		t = cfgc_alloc(g->ctx, strlen(r->str) + 8);
		sprintf(t, "%s/%d", r->str, (int)r->ival);
		return t;
	}
	return r->str ? r->str : "";
}

/* The old-style condition's right side compared with its left in R[dst]:
 * the regex forms (MATCHK for a constant pattern, case-insensitive). */
static void oc_match(gen *g, cfgc_node *rhs, int dst)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t n;

	if (const_text(rhs, buf, &s, &n) && !memchr(s, '\0', n)) {
		int x = tab_index(g, vm_prog_add_regex(g->p, s, n, VM_RE_ICASE), rhs, "regexes");
		emit_abx(g, VM_OP_MATCHK, dst, x, rhs);
		return;
	}
	int t = ralloc(g, rhs);
	gen_expr(g, rhs, t, 0);
	emit_abc(g, VM_OP_MATCH, dst, dst, t, rhs);
	rfree(g, t);
}

/* oldcond -> method|uri|... op rhs (spec §6.6) into R[dst] as 0/1: the
 * left side is a pseudo-variable ($rm, $ru, $si ...); strings compare
 * ignoring case (SEQNC), `== myself` is MYSELF, an address or network is
 * INNET, ports and protocols compare as ints. With `negated` non-NULL, the
 * NOT of a `!=` MYSELF or INNET test is left to the caller (*negated set):
 * a jump can test the other way instead. */
static void gen_oldcond(gen *g, const cfgc_node *e, int dst, int *negated)
{
	int oc = (int)e->ival, op = e->op, t;
	const char *pv = oc_pv(oc);
	cfgc_node *rhs = e->b;
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t n;

	emit_abx(g, VM_OP_PVGET, dst, pv_index(g, pv, strlen(pv), e), e);
	if (rhs->kind == N_MYSELF) {
		emit_abc(g, VM_OP_MYSELF, dst, dst, 0, e);
		if (op_negated(op) && negated)
			*negated = 1;
		else if (op_negated(op))
			emit_abc(g, VM_OP_NOT, dst, dst, 0, e);
		return;
	}
	if (oc_is_str(oc) || oc_is_ip(oc)) {
		rhs = simp(g, rhs);
		if (op == OP_MATCH) {
			oc_match(g, rhs, dst);
			return;
		}
		if (oc_is_ip(oc) && (rhs->kind == N_IP || rhs->kind == N_HOST || rhs->kind == N_STR)) {
			const char *nt = net_text(g, rhs);
			if (!memchr(nt, '\0', rhs->kind == N_STR ? rhs->slen : strlen(nt))) {
				int x = tab_index(g, vm_prog_add_net(g->p, nt, strlen(nt)), rhs, "networks");
				emit_abx(g, VM_OP_INNET, dst, x, e);
				if (op_negated(op) && negated)
					*negated = 1;
				else if (op_negated(op))
					emit_abc(g, VM_OP_NOT, dst, dst, 0, e);
				return;
			}
		}
		t = ralloc(g, rhs);
		if (const_text(rhs, buf, &s, &n))
			emit_str(g, t, s, n, rhs);
		else
			gen_expr(g, rhs, t, 0);
		/* an address compared with a value computed at run time: as
		 * text (an exact address; no network or host name) */
		emit_abc(g, oc_is_ip(oc) ? (op_negated(op) ? VM_OP_SNE : VM_OP_SEQ)
		                         : (op_negated(op) ? VM_OP_SNENC : VM_OP_SEQNC),
		         dst, dst, t, e);
		rfree(g, t);
		return;
	}
	/* ports, address family, length, protocol: ints */
	t = ralloc(g, rhs);
	if (rhs->kind == N_PROTO)
		emit_int(g, t, (int32_t)(rhs->ival == PROTO_ANY ? 0 : rhs->ival), rhs);
	else
		gen_expr(g, simp(g, rhs), t, 0);
	unsigned opc;
	switch (op) {
	case OP_LT: opc = VM_OP_LT; break;
	case OP_GT: opc = VM_OP_GT; break;
	case OP_LE: opc = VM_OP_LE; break;
	case OP_GE: opc = VM_OP_GE; break;
	default: opc = op_negated(op) ? VM_OP_INE : VM_OP_IEQ; break;
	}
	emit_abc(g, opc, dst, dst, t, e);
	rfree(g, t);
}

/* ------------------------------------------------------- expressions */

/* Does the value of simplified e come out as 0 or 1? */
static int is_bool(const cfgc_node *e)
{
	switch (e->kind) {
	case N_INT:
		return e->ival == 0 || e->ival == 1;
	case N_OLDCOND:
	case N_CALL:
	case N_ROUTE_CALL:
	case N_BLOCK:
	case N_ASSIGN:
		return 1;
	case N_UNOP:
		return e->op == OP_NOT || e->op == OP_DEFINED || e->op == OP_STREMPTY;
	case N_BINOP:
		switch (e->op) {
		case OP_OR: case OP_AND: case OP_EQ: case OP_NE: case OP_MATCH: case OP_STREQ:
		case OP_STRNE: case OP_INTEQ: case OP_INTNE: case OP_LT: case OP_GT: case OP_LE:
		case OP_GE:
			return 1;
		default:
			return 0;
		}
	default:
		return 0;
	}
}

/* A node whose value is a return code: a call, a route call, a block. */
static int is_code(const cfgc_node *e)
{
	return e->kind == N_CALL || e->kind == N_ROUTE_CALL || e->kind == N_BLOCK;
}

/* Emit code that jumps to a label of list l when the truth of simplified
 * e is `when` and falls through otherwise. nz: truth is "non-zero" (&&,
 * ||, !, while; 5.6.3's while tests v != 0) rather than "> 0" (if,
 * selval). && and || become jumps (short-circuit), ! swaps the sense; a
 * return code is true when > 0 in both senses. */
static void gen_jump(gen *g, const cfgc_node *e, int when, int nz, jlist *l)
{
	vm_value v;

	if (kval(e, &v)) {
		if ((nz ? vm_truth(&v) : vm_cond(&v)) == when)
			emit_jump(g, VM_OP_JMP, 0, e, l);
		return;
	}
	if (e->kind == N_UNOP && e->op == OP_NOT) {
		gen_jump(g, e->a, !when, 1, l);
		return;
	}
	if (e->kind == N_BINOP && (e->op == OP_AND || e->op == OP_OR)) {
		if ((e->op == OP_AND) != when) {
			gen_jump(g, e->a, when, 1, l);
			gen_jump(g, e->b, when, 1, l);
		} else {
			jlist skip = { 0 };
			gen_jump(g, e->a, !when, 1, &skip);
			gen_jump(g, e->b, when, 1, l);
			bind(g, &skip, e);
		}
		return;
	}
	int r = ralloc(g, e), raw = is_code(e), neg = 0;
	unsigned op;
	if (e->kind == N_OLDCOND) {
		gen_oldcond(g, e, r, &neg);
		when ^= neg;
	} else {
		gen_expr(g, e, r, raw);
	}
	if (raw || !nz)
		op = when ? VM_OP_JMPIF : VM_OP_JMPIFNOT;
	else
		op = when ? VM_OP_JMPTRUE : VM_OP_JMPFALSE;
	emit_jump(g, op, r, e, l);
	rfree(g, r);
}

/* a && b, a || b as a value (0/1), short-circuit: the left operand's truth
 * decides whether the right one runs. */
static void gen_logic(gen *g, const cfgc_node *e, int dst)
{
	jlist end = { 0 };
	gen_expr(g, e->a, dst, 0);
	if (!is_bool(e->a))
		emit_abc(g, VM_OP_BOOL, dst, dst, 0, e);
	emit_jump(g, e->op == OP_AND ? VM_OP_JMPFALSE : VM_OP_JMPTRUE, dst, e, &end);
	gen_expr(g, e->b, dst, 0);
	if (!is_bool(e->b))
		emit_abc(g, VM_OP_BOOL, dst, dst, 0, e);
	bind(g, &end, e);
}

/* The opcode of a binary operator that computes into a register. */
static unsigned bin_opcode(int op)
{
	switch (op) {
	case OP_BOR: return VM_OP_BOR;
	case OP_BAND: return VM_OP_BAND;
	case OP_BXOR: return VM_OP_BXOR;
	case OP_LSHIFT: return VM_OP_SHL;
	case OP_RSHIFT: return VM_OP_SHR;
	case OP_EQ: return VM_OP_EQ;
	case OP_NE: return VM_OP_NE;
	case OP_STREQ: return VM_OP_SEQ;
	case OP_STRNE: return VM_OP_SNE;
	case OP_INTEQ: return VM_OP_IEQ;
	case OP_INTNE: return VM_OP_INE;
	case OP_LT: return VM_OP_LT;
	case OP_GT: return VM_OP_GT;
	case OP_LE: return VM_OP_LE;
	case OP_GE: return VM_OP_GE;
	case OP_PLUS: return VM_OP_ADD;
	case GOP_IADD: return VM_OP_IADD;
	case GOP_CONCAT: return VM_OP_CONCAT;
	case OP_MINUS: return VM_OP_SUB;
	case OP_MUL: return VM_OP_MUL;
	case OP_DIV: return VM_OP_DIV;
	case OP_MOD: return VM_OP_MOD;
	case OP_MATCH: return VM_OP_MATCH;
	default: return VM_OP_NOP;
	}
}

/* exp op exp: left into R[dst], right into the next register. `=~` with
 * a constant pattern is MATCHK (the regex compiled once, at load). */
static void gen_binop(gen *g, const cfgc_node *e, int dst)
{
	if (e->op == OP_AND || e->op == OP_OR) {
		gen_logic(g, e, dst);
		return;
	}
	gen_expr(g, e->a, dst, 0);
	if (e->op == OP_MATCH) {
		oc_match(g, e->b, dst);
		return;
	}
	int t = ralloc(g, e->b);
	gen_expr(g, e->b, t, 0);
	emit_abc(g, bin_opcode(e->op), dst, dst, t, e);
	rfree(g, t);
}

/* op exp. `defined` reads the variable's P entry (DEFINED); of anything
 * else it is 1 without evaluating it (5.6.3 does not). Casts to the type
 * the operand has already are left out. */
static void gen_unop(gen *g, const cfgc_node *e, int dst)
{
	size_t n;
	const char *t;

	if (e->op == OP_DEFINED) {
		if (is_null_pv(e->a))
			emit_int(g, dst, 0, e);
		else if ((t = pv_text(g, e->a, &n)))
			emit_abx(g, VM_OP_DEFINED, dst, pv_index(g, t, n, e->a), e);
		else
			emit_int(g, dst, 1, e);
		return;
	}
	gen_expr(g, e->a, dst, 0);
	switch (e->op) {
	case OP_NOT: emit_abc(g, VM_OP_NOT, dst, dst, 0, e); break;
	case OP_NEG: emit_abc(g, VM_OP_NEG, dst, dst, 0, e); break;
	case OP_BNOT: emit_abc(g, VM_OP_BNOT, dst, dst, 0, e); break;
	case OP_STRLEN: emit_abc(g, VM_OP_STRLEN, dst, dst, 0, e); break;
	case OP_STREMPTY: emit_abc(g, VM_OP_STREMPTY, dst, dst, 0, e); break;
	case OP_CAST_INT:
		if (ty(e->a) != TY_INT)
			emit_abc(g, VM_OP_TOINT, dst, dst, 0, e);
		break;
	case OP_CAST_STR:
		if (ty(e->a) != TY_STR)
			emit_abc(g, VM_OP_TOSTR, dst, dst, 0, e);
		break;
	default: break;
	}
}

/* selval(c, a, b): c tested as `if` tests (> 0), only the chosen branch
 * evaluated. */
static void gen_selval(gen *g, const cfgc_node *e, int dst)
{
	jlist no = { 0 }, end = { 0 };
	gen_jump(g, e->a, 0, 0, &no);
	gen_expr(g, e->b, dst, 0);
	emit_jump(g, VM_OP_JMP, 0, e, &end);
	bind(g, &no, e);
	gen_expr(g, e->c, dst, 0);
	bind(g, &end, e);
}

static void gen_assign(gen *g, const cfgc_node *s);

/* The value of simplified expression e into R[dst]. raw: e is the whole
 * right side of an assignment, where a call gives its raw return code;
 * anywhere else a code counts as 1 when > 0, else 0 (COND). */
static void gen_expr(gen *g, const cfgc_node *e, int dst, int raw)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t n;

	switch (e->kind) {
	case N_INT:
		emit_int(g, dst, (int32_t)e->ival, e);
		return;
	case N_PV:
	case N_AVP:
	case N_SELECT:
		if (is_null_pv(e)) {
			emit_abc(g, VM_OP_LOADNULL, dst, 0, 0, e);
			return;
		}
		s = pv_text(g, e, &n);
		emit_abx(g, VM_OP_PVGET, dst, pv_index(g, s, n, e), e);
		return;
	case N_CALL:
		gen_call(g, e, dst);
		break;
	case N_ROUTE_CALL:
		gen_route_call(g, e, dst);
		break;
	case N_BLOCK: {
		tail_t t = { TAIL_REG, dst };
		gen_brk *up = g->brk;
		g->brk = NULL;
		gen_list(g, e->a, t);
		g->brk = up;
		g->reachable = 1;
		break;
	}
	case N_OLDCOND:
		gen_oldcond(g, e, dst, NULL);
		return;
	case N_ASSIGN:
		gen_assign(g, e);
		emit_int(g, dst, 1, e);
		return;
	case N_SELVAL:
		gen_selval(g, e, dst);
		return;
	case N_UNOP:
		gen_unop(g, e, dst);
		return;
	case N_BINOP:
		gen_binop(g, e, dst);
		return;
	default:
		if (const_text(e, buf, &s, &n))
			emit_str(g, dst, s, n, e);
		else
			emit_abc(g, VM_OP_LOADNULL, dst, 0, 0, e);
		return;
	}
	/* a return code */
	if (!raw)
		emit_abc(g, VM_OP_COND, dst, dst, 0, e);
}

/* ------------------------------------------------------- statements */

/* A value-1 action in tail position (assignments and the like). */
static void tail_one(gen *g, tail_t tail, const cfgc_node *at)
{
	if (tail.mode == TAIL_REG)
		emit_int(g, tail.reg, 1, at);
}

/* A return code in R[r] produced by the action in tail position. */
static void tail_code(gen *g, tail_t tail, int r, const cfgc_node *at)
{
	if (tail.mode == TAIL_LEAVE)
		emit_abc(g, VM_OP_LEAVE, r, 0, 0, at);
	else if (tail.mode == TAIL_REG && tail.reg != r)
		emit_abc(g, VM_OP_MOVE, tail.reg, r, 0, at);
}

/* Can the last action of s give a value other than 1? (Then a loop in
 * tail position keeps it in a register.) */
static int tail_has_value(const cfgc_node *s)
{
	const cfgc_node *last = NULL;
	if (!s)
		return 0;
	switch (s->kind) {
	case N_CALL:
	case N_ROUTE_CALL:
	case N_SWITCH:
	case N_WHILE:
		return 1;
	case N_BLOCK:
		for (const cfgc_node *p = s->a; p; p = p->next)
			if (p->kind != N_NOP)
				last = p;
		return tail_has_value(last);
	case N_IF:
		return tail_has_value(s->b) || tail_has_value(s->c);
	default:
		return 0;
	}
}

/* lvalue = exp -> PVSET (PVUNSET for `= $null`). A call on the right
 * stores its raw code. */
static void gen_assign(gen *g, const cfgc_node *s)
{
	size_t n;
	const char *t = pv_text(g, s->a, &n);
	cfgc_node *rhs = simp(g, s->b);

	if (!t) {
		gen_error(g, s, "cannot assign to this");
		return;
	}
	int p = pv_index(g, t, n, s->a);
	if (is_null_pv(rhs)) {
		emit_abx(g, VM_OP_PVUNSET, 0, p, s);
		return;
	}
	int r = ralloc(g, s);
	gen_expr(g, rhs, r, 1);
	emit_abx(g, VM_OP_PVSET, r, p, s);
	rfree(g, r);
}

/* The statement is a lone `break` (possibly in braces). */
static int is_break(const cfgc_node *s)
{
	while (s && s->kind == N_BLOCK && s->a && !s->a->next)
		s = s->a;
	return s && s->kind == N_BREAK;
}

/* if exp stm [else stm]: the condition as jumps to the else part;
 * `if (c) break;` is one jump to the end of the loop or switch. */
static void gen_if(gen *g, const cfgc_node *s, tail_t tail)
{
	jlist no = { 0 };
	cfgc_node *c = simp(g, s->a);
	vm_value v;

	if (kval(c, &v)) {
		/* a constant condition: only the branch it selects */
		if (vm_cond(&v))
			gen_stmt(g, s->b, tail);
		else if (s->c)
			gen_stmt(g, s->c, tail);
		else
			tail_one(g, tail, s);
		return;
	}
	if (!s->c && tail.mode == TAIL_NONE && is_break(s->b) && g->brk &&
	    g->brk->tail.mode == TAIL_NONE) {
		gen_jump(g, c, 1, 0, &g->brk->exits);
		return;
	}
	gen_jump(g, c, 0, 0, &no);
	if (g->reachable)
		gen_stmt(g, s->b, tail);
	if (s->c || tail.mode == TAIL_REG) {
		jlist end = { 0 };
		if (g->reachable)
			emit_jump(g, VM_OP_JMP, 0, s, &end);
		bind(g, &no, s);
		if (s->c)
			gen_stmt(g, s->c, tail);
		else if (g->reachable)
			tail_one(g, tail, s);
		bind(g, &end, s);
	} else {
		bind(g, &no, s);
	}
}

/* while exp stm, laid out with the test at the bottom:
 *        LOOPINIT c
 *        JMP test
 *   run: (what runaway does: in tail position the while's code is -1)
 *   body: LOOPCHK c -> run (or to the end) ; body ; test: jump to body
 * The test is "non-zero" (5.6.3's while, unlike if). `break` leaves with
 * code 0. */
static void gen_while(gen *g, const cfgc_node *s, tail_t tail)
{
	gen_brk b = { { 0 }, no_tail, g->brk };
	jlist to_test = { 0 }, runaway = { 0 }, body = { 0 };
	tail_t inner = no_tail;
	int rv = -1, c, run_pc = -1;
	cfgc_node *cond = simp(g, s->a);
	vm_value v;

	if (kval(cond, &v) && !vm_truth(&v)) {
		/* never runs: the while's code is 1 */
		tail_one(g, tail, s);
		return;
	}
	if (tail.mode == TAIL_LEAVE && tail_has_value(s->b)) {
		rv = ralloc(g, s);
		emit_int(g, rv, 1, s);
		inner = (tail_t){ TAIL_REG, rv };
	} else if (tail.mode == TAIL_REG) {
		emit_int(g, tail.reg, 1, s);
		if (tail_has_value(s->b))
			inner = tail;
	}
	b.tail = tail;
	c = ralloc(g, s);
	emit_abc(g, VM_OP_LOOPINIT, c, 0, 0, s);
	emit_jump(g, VM_OP_JMP, 0, s, &to_test);
	if (tail.mode == TAIL_LEAVE) {
		run_pc = emit(g, VM_IA(VM_OP_LEAVE, c), s);
	} else if (tail.mode == TAIL_REG) {
		run_pc = emit(g, VM_ABC(VM_OP_MOVE, tail.reg, c, 0), s);
		emit_jump(g, VM_OP_JMP, 0, s, &b.exits);
	}
	int body_pc = vm_prog_pc(g->p);
	g->reachable = 1;
	emit_jump(g, VM_OP_LOOPCHK, c, s, run_pc >= 0 ? &runaway : &b.exits);
	if (run_pc >= 0)
		patch_to(g, &runaway, run_pc, s);
	g->brk = &b;
	gen_stmt(g, s->b, inner);
	g->brk = b.up;
	bind(g, &to_test, s);
	gen_jump(g, cond, 1, 1, &body);
	patch_to(g, &body, body_pc, s);
	bind(g, &b.exits, s);
	if (rv >= 0 && g->reachable)
		emit_abc(g, VM_OP_LEAVE, rv, 0, 0, s);
}

/* Does evaluating e do anything but compute a value (a call, a block,
 * an assignment inside)? */
static int has_effects(const cfgc_node *e)
{
	if (!e)
		return 0;
	if (e->kind == N_CALL || e->kind == N_ROUTE_CALL || e->kind == N_BLOCK || e->kind == N_ASSIGN)
		return 1;
	if (e->kind == N_OLDCOND)
		return has_effects(e->b);
	if (e->kind != N_UNOP && e->kind != N_BINOP && e->kind != N_SELVAL)
		return 0;
	return has_effects(e->a) || has_effects(e->b) || has_effects(e->c);
}

/* The jump-table key of a case label (simplified, constant): int cases by
 * value, string cases by K index, regex cases (case /"re":) by X index,
 * case-sensitive. -1 with an error when it is not a constant. */
static int case_key(gen *g, const cfgc_node *k, int strings, int32_t *key, int *kind)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t n;
	cfgc_node *l = simp(g, k->a);

	if (!is_const(l)) {
		gen_error(g, k->a, "a case label must be a constant");
		return -1;
	}
	if (!strings) {
		*kind = VM_CASE_INT;
		*key = (int32_t)l->ival;
		return 0;
	}
	const_text(l, buf, &s, &n);
	if (k->op == 1) {
		if (memchr(s, '\0', n)) {
			gen_error(g, k->a, "a regular expression with a NUL byte");
			return -1;
		}
		*kind = VM_CASE_REGEX;
		*key = tab_index(g, vm_prog_add_regex(g->p, s, n, 0), k->a, "regexes");
	} else {
		*kind = VM_CASE_STR;
		*key = tab_index(g, vm_prog_add_const_str(g->p, s, n), k->a, "constants");
	}
	return 0;
}

/* switch exp { case ...: ... } -> SWITCH through a jump table, the case
 * bodies in source order (falling through like C); `break` jumps to the
 * end. Int labels make an int switch, string or regex labels a string
 * switch. */
static void gen_switch(gen *g, const cfgc_node *s, tail_t tail)
{
	cfgc_node *e = simp(g, s->a);
	int strings = 0, has_default = 0, r;
	const cfgc_node *last = NULL;

	for (const cfgc_node *k = s->b; k; k = k->next) {
		last = k;
		if (k->op == 1 || (k->op == 0 && k->a && ty(simp(g, k->a)) == TY_STR))
			strings = 1;
	}
	if (!s->b) {
		if (has_effects(e)) {
			r = ralloc(g, s);
			gen_expr(g, e, r, 0);
		}
		tail_one(g, tail, s);
		return;
	}
	if (tail.mode == TAIL_REG)
		emit_int(g, tail.reg, 1, s);
	r = ralloc(g, s);
	gen_expr(g, e, r, 0);
	int jt = vm_prog_add_jtab(g->p);
	if (jt < 0 || (unsigned)jt > VM_BX_MAX) {
		tab_index(g, jt, s, "jump tables");
		return;
	}
	emit_abx(g, VM_OP_SWITCH, r, jt, s);
	g->reachable = 0;
	rfree(g, r);

	gen_brk b = { { 0 }, tail.mode == TAIL_NONE ? no_tail : tail, g->brk };
	g->brk = &b;
	for (const cfgc_node *k = s->b; k; k = k->next) {
		int pc = vm_prog_pc(g->p), kind = 0;
		int32_t key = 0;
		if (k->op == 2) {
			has_default = 1;
			vm_prog_set_default(g->p, jt, (uint32_t)pc);
		} else if (case_key(g, k, strings, &key, &kind) == 0) {
			const vm_jtab *t = &g->p->j[jt];
			for (uint32_t i = 0; i < t->ncases; i++)
				if (t->cases[i].kind == kind && t->cases[i].key == key) {
					gen_error(g, k->a, "duplicate case label");
					break;
				}
			if (vm_prog_add_case(g->p, jt, kind, key, (uint32_t)pc) < 0)
				gen_error(g, k, "out of memory while building the program");
		}
		g->reachable = 1;
		gen_list(g, k->b, k == last ? tail : no_tail);
	}
	g->brk = b.up;
	bind(g, &b.exits, s);
	if (!has_default) {
		vm_prog_set_default(g->p, jt, (uint32_t)vm_prog_pc(g->p));
		g->reachable = 1;
	}
}

/* break: to the end of the innermost while or switch (its code is 0);
 * outside both it ends the route with 0 without ending the script
 * (LEAVE). */
static void gen_break(gen *g, const cfgc_node *s)
{
	gen_brk *b = g->brk;
	int r;

	if (!b || b->tail.mode == TAIL_LEAVE) {
		r = ralloc(g, s);
		emit_int(g, r, 0, s);
		emit_abc(g, VM_OP_LEAVE, r, 0, 0, s);
		return;
	}
	if (b->tail.mode == TAIL_REG)
		emit_int(g, b->tail.reg, 0, s);
	emit_jump(g, VM_OP_JMP, 0, s, &b->exits);
}

/* return [exp] (1), exit [exp] (1), drop [exp] (0): the value as an
 * expression (a call in it counts as 1 or 0, as 5.6.3 does). */
static void gen_return(gen *g, const cfgc_node *s)
{
	int r = ralloc(g, s);
	unsigned op = s->kind == N_RETURN ? VM_OP_RETURN : s->kind == N_EXIT ? VM_OP_EXIT : VM_OP_DROP;
	if (s->a)
		gen_expr(g, simp(g, s->a), r, 0);
	else
		emit_int(g, r, s->kind == N_DROP ? 0 : 1, s);
	emit_abc(g, op, r, 0, 0, s);
}

/* One statement. Code that cannot run (after exit, return ...) is left
 * out: the linter warned about it. Registers taken by the statement are
 * free again after it. */
static void gen_stmt(gen *g, const cfgc_node *s, tail_t tail)
{
	int base = g->top, r;

	if (!s || !g->reachable)
		return;
	switch (s->kind) {
	case N_NOP:
		tail_one(g, tail, s);
		break;
	case N_BLOCK:
		gen_list(g, s->a, tail);
		break;
	case N_IF:
		gen_if(g, s, tail);
		break;
	case N_WHILE:
		gen_while(g, s, tail);
		break;
	case N_SWITCH:
		gen_switch(g, s, tail);
		break;
	case N_BREAK:
		gen_break(g, s);
		break;
	case N_RETURN:
	case N_EXIT:
	case N_DROP:
		gen_return(g, s);
		break;
	case N_ASSIGN:
		gen_assign(g, s);
		tail_one(g, tail, s);
		break;
	case N_CALL:
		r = ralloc(g, s);
		gen_call(g, s, r);
		tail_code(g, tail, r, s);
		break;
	case N_ROUTE_CALL:
		r = tail.mode == TAIL_REG ? tail.reg : ralloc(g, s);
		gen_route_call(g, s, r);
		tail_code(g, tail, r, s);
		break;
	default:
		break;
	}
	rfree(g, base);
}

/* A statement list; its last action (empty `;` are not actions) gets the
 * list's tail position. */
static void gen_list(gen *g, const cfgc_node *s, tail_t tail)
{
	const cfgc_node *last = NULL;
	for (const cfgc_node *p = s; p; p = p->next)
		if (p->kind != N_NOP)
			last = p;
	if (!last)
		tail_one(g, tail, s);
	for (const cfgc_node *p = s; p && g->reachable; p = p->next)
		if (p->kind != N_NOP)
			gen_stmt(g, p, p == last ? tail : no_tail);
}

/* ----------------------------------------------------------- routes */

/* The end of a route block: its closing brace. */
static cfgc_node *route_end(gen *g, const cfgc_node *r)
{
	cfgc_node *n = cfgc_node_new(g->ctx, N_NOP, r->span);
	if (r->span.len) {
		n->span.off = r->span.off + r->span.len - 1;
		n->span.len = 1;
	}
	return n;
}

static int is_terminator(unsigned op)
{
	return op == VM_OP_RETURN || op == VM_OP_LEAVE || op == VM_OP_EXIT || op == VM_OP_DROP ||
	       op == VM_OP_JMP;
}

/* One route: the actions of all its blocks in file order (5.6.3 appends
 * a second `request_route` to the first), then, when the end can be
 * reached, `return 1`. */
static void gen_route(gen *g, route_group *rg)
{
	const vm_route *r;

	if (vm_prog_begin_route(g->p, rg->rt) < 0) {
		gen_error(g, rg->blocks[0].node, "out of memory while building the program");
		return;
	}
	g->top = g->maxreg = 0;
	g->reachable = 1;
	g->brk = NULL;
	g->regs_reported = 0;
	for (int i = 0; i < rg->nblocks; i++) {
		const cfgc_node *blk = rg->blocks[i].node;
		g->nvisible = rg->blocks[i].nvisible;
		tail_t t = { i == rg->nblocks - 1 ? TAIL_LEAVE : TAIL_NONE, 0 };
		if (g->reachable)
			gen_list(g, blk->a, t);
	}
	r = &g->p->rt[rg->rt];
	if (g->reachable || g->p->ncode == r->first ||
	    !is_terminator(VM_GET_OP(g->p->code[g->p->ncode - 1]))) {
		cfgc_node *end = route_end(g, rg->blocks[rg->nblocks - 1].node);
		g->top = 0;
		int reg = ralloc(g, end);
		emit_int(g, reg, 1, end);
		emit_abc(g, VM_OP_RETURN, reg, 0, 0, end);
	}
	vm_prog_end_route(g->p, (unsigned)(g->maxreg ? g->maxreg : 1));
}

/* -------------------------------------------------------- settings */

static void add_setting(gen *g, const char *module, const char *name, const vm_const *v, const cfgc_node *at)
{
	if (vm_prog_add_setting(g->p, module, name, v) < 0)
		gen_error(g, at, "the value of '%s' cannot be kept (a NUL byte?)", name);
}

static void setting_str(gen *g, const char *module, const char *name, const char *s, size_t n,
                        const cfgc_node *at)
{
	vm_const v = { .kind = VM_STR, .s = (char *)s, .len = (uint32_t)n };
	add_setting(g, module, name, &v, at);
}

static void setting_int(gen *g, const char *module, const char *name, int32_t i, const cfgc_node *at)
{
	vm_const v = { .kind = VM_INT, .i = i };
	add_setting(g, module, name, &v, at);
}

/* The text of one listen/alias/domain item: [proto:]host[:port], a list
 * of hosts (SCTP multi-homing) in parentheses, IPv6 addresses in
 * brackets, then for listen " advertise ADDR", " name \"NAME\"" and
 * " virtual" as Kamailio writes them. */
static const char *socket_text(gen *g, const cfgc_node *s, const cfgc_node *item)
{
	static const char *const protos[] = { "", "udp", "tcp", "tls", "sctp", "ws", "wss", "*" };
	size_t cap = 64;
	for (const cfgc_node *h = s->a; h; h = h->next)
		cap += (h->str ? strlen(h->str) : 0) + 4;
	if (item && item->b && item->b->str)
		cap += strlen(item->b->str) + 16;
	if (item && item->c && item->c->str)
		cap += strlen(item->c->str) + 16;
	char *t = cfgc_alloc(g->ctx, cap);
	size_t o = 0;
	if (s->op > 0 && s->op < (int)(sizeof(protos) / sizeof(protos[0])))
		o += (size_t)sprintf(t + o, "%s:", protos[s->op]);
	if (s->a && s->a->next)
		t[o++] = '(';
	for (const cfgc_node *h = s->a; h; h = h->next) {
		const char *hs = h->str ? h->str : "";
		int br = h->kind == N_IP && strchr(hs, ':') && hs[0] != '[';
		o += (size_t)sprintf(t + o, "%s%s%s%s", h != s->a ? "," : "", br ? "[" : "", hs, br ? "]" : "");
	}
	if (s->a && s->a->next)
		t[o++] = ')';
	if (s->ival > 0)
		o += (size_t)sprintf(t + o, ":%d", (int)s->ival);
	else if (s->ival == 0)
		o += (size_t)sprintf(t + o, ":*");
	if (item && item->b && item->b->str)
		o += (size_t)sprintf(t + o, " advertise %s", socket_text(g, item->b, NULL));
	if (item && item->c && item->c->str)
		o += (size_t)sprintf(t + o, " name \"%s\"", item->c->str);
	if (item && item->op == 1)
		o += (size_t)sprintf(t + o, " virtual");
	t[o] = '\0';
	return t;
}

/* name = value: one setting of module "" (one per socket for listen,
 * alias and domain). Ints stay ints; words, addresses and hosts are
 * strings as written. */
static void gen_core_param(gen *g, const cfgc_node *n)
{
	const cfgc_node *v = n->a;
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	if (!v)
		return;
	if (v->kind == N_SOCKET) {
		for (; v; v = v->next) {
			s = socket_text(g, v, !strcmp(n->str, "listen") ? n : NULL);
			setting_str(g, "", n->str, s, strlen(s), n);
		}
		return;
	}
	if (v->kind == N_INT) {
		setting_int(g, "", n->str, (int32_t)v->ival, n);
		return;
	}
	if (const_text(v, buf, &s, &len))
		setting_str(g, "", n->str, s, len, n);
}

/* modparam("module", "name", value): one setting per module the first
 * argument names (a regex over the loaded modules, matched as 5.6.3
 * matches it: anchored, ignoring case). modparamx's PV value is kept as
 * its text. */
static void gen_modparam(gen *g, const cfgc_node *n)
{
	const cfgc_node *mn = n->a, *pn = n->b, *vn = n->c;
	regex_t rx;

	if (!mn || !pn || !vn || mn->kind != N_STR || pn->kind != N_STR)
		return;
	static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	int plain = mn->str[strspn(mn->str, word)] == '\0';
	if (!plain) {
		char *re = cfgc_alloc(g->ctx, strlen(mn->str) + 8);
		sprintf(re, "^(%s)$", mn->str);
		if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_ICASE))
			return;
	}
	for (int i = 0; i < g->nmods; i++) {
		const vm_module *m = g->mods[i];
		if (plain ? strcasecmp(mn->str, m->name) != 0 : regexec(&rx, m->name, 0, NULL, 0) != 0)
			continue;
		if (vn->kind == N_INT)
			setting_int(g, m->name, pn->str, (int32_t)vn->ival, n);
		else if (vn->kind == N_STR)
			setting_str(g, m->name, pn->str, vn->str, vn->slen, n);
		else if (vn->str)
			setting_str(g, m->name, pn->str, vn->str, strlen(vn->str), n);
	}
	if (!plain)
		regfree(&rx);
}

/* flags NAME[:BIT], ...: a name without a bit takes the lowest free one
 * (5.6.3: `flags A : 5, B;` gives B bit 0). avpflags are numbered in
 * declaration order. */
static void gen_flags(gen *g, const cfgc_node *n)
{
	for (const cfgc_node *f = n->a; f; f = f->next) {
		if (n->op == 1) {
			if (g->navpflags < GEN_MAX_FLAGS)
				g->avpflag_names[g->navpflags++] = f->str;
			continue;
		}
		int bit = (int)f->ival;
		if (bit < 0)
			for (bit = 0; bit < 63 && (g->flags_used >> bit & 1); bit++)
				;
		if (bit < 64)
			g->flags_used |= (uint64_t)1 << bit;
		if (g->nflags < GEN_MAX_FLAGS) {
			g->flag_names[g->nflags] = f->str;
			g->flag_bits[g->nflags++] = bit;
		}
	}
}

/* The VM route of a route block: the types are the same bits; the
 * default block of a type ("0", or no name) is named "". */
static void block_route(gen *g, const cfgc_node *r)
{
	uint32_t type = (uint32_t)r->op;
	const char *name = r->str && strcmp(r->str, "0") ? r->str : "";
	route_group *rg = find_group(g, type, name);

	if (!rg) {
		if (g->ngroups == g->capgroups) {
			int cap = g->capgroups ? g->capgroups * 2 : 16;
			route_group *ng = realloc(g->groups, sizeof(*ng) * (size_t)cap);
			if (!ng) {
				gen_error(g, r, "out of memory while building the program");
				return;
			}
			g->groups = ng;
			g->capgroups = cap;
		}
		rg = &g->groups[g->ngroups++];
		memset(rg, 0, sizeof(*rg));
		rg->type = type;
		rg->name = name;
		rg->rt = vm_prog_route(g->p, type, name);
		if (rg->rt < 0) {
			g->ngroups--;
			gen_error(g, r, "out of memory while building the program");
			return;
		}
	}
	if (rg->nblocks == rg->capblocks) {
		int cap = rg->capblocks ? rg->capblocks * 2 : 2;
		route_block *nb = realloc(rg->blocks, sizeof(*nb) * (size_t)cap);
		if (!nb) {
			gen_error(g, r, "out of memory while building the program");
			return;
		}
		rg->blocks = nb;
		rg->capblocks = cap;
	}
	rg->blocks[rg->nblocks++] = (route_block){ r, g->nmods };
}

/* The top-level statements in file order: settings, modules, flags, and
 * the route blocks (compiled afterwards, each seeing the modules loaded
 * before it). */
static void gen_top(gen *g)
{
	for (const cfgc_node *n = g->ctx->top; n; n = n->next) {
		switch (n->kind) {
		case N_CORE_PARAM:
			gen_core_param(g, n);
			break;
		case N_CFG_VAR:
			if (n->a && n->a->kind == N_INT)
				setting_int(g, "", n->str, (int32_t)n->a->ival, n);
			else if (n->a && n->a->kind == N_STR)
				setting_str(g, "", n->str, n->a->str, n->a->slen, n);
			break;
		case N_LOADMODULE:
			if (n->a && n->a->kind == N_STR) {
				const char *name = n->op ? n->a->str : mod_basename(g->ctx, n->a->str);
				setting_str(g, "", "loadmodule", name, strlen(name), n);
				load_module(g, name);
			}
			break;
		case N_LOADPATH:
			if (n->a && n->a->kind == N_STR)
				setting_str(g, "", "loadpath", n->a->str, n->a->slen, n);
			break;
		case N_MODPARAM:
			gen_modparam(g, n);
			break;
		case N_FLAGS:
			gen_flags(g, n);
			break;
		case N_CFGENGINE:
			if (n->a && n->a->kind == N_STR)
				setting_str(g, "", "cfgengine", n->a->str, n->a->slen, n);
			break;
		case N_ROUTE:
			block_route(g, n);
			break;
		default:
			break;
		}
	}
}

/* The preprocessor's defines as they stand at the end of the file, for
 * $def(NAME) and $defn(NAME): settings of module "" named "define:NAME",
 * the value as written (quotes kept), "" for a define without value. */
static void gen_defines(gen *g)
{
	for (int i = 0; i < g->ctx->ndefs; i++) {
		const cfgc_define *d = &g->ctx->defs[i];
		size_t n = strlen(d->name);
		char *key = cfgc_alloc(g->ctx, n + 8);
		memcpy(key, "define:", 7);
		memcpy(key + 7, d->name, n + 1);
		const char *v = d->value ? d->value : "";
		setting_str(g, "", key, v, strlen(v), NULL);
	}
}

/* ------------------------------------------------------------ entry */

/* Generate the program of a checked context (see cfgc.h). */
int cfgc_generate(cfgc_ctx *ctx, struct vm_prog **out)
{
	gen g;
	int rc = -1;

	*out = NULL;
	if (ctx->nerrors)
		return -1;
	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.last_file = -1;
	g.reg = ctx->opts.target == CFGC_TARGET_KAMAILIO ? cfgc_registry_kamailio() : vm_registry_sipvm();
	vm_arena_init(&g.arena, 0);
	g.p = vm_prog_new();
	g.file_map = malloc(sizeof(int) * (size_t)(ctx->nsrcs ? ctx->nsrcs : 1));
	if (!g.p || !g.file_map) {
		cfgc_span sp = { 0, 0 };
		cfgc_diag_span(ctx, CFGC_ERROR, "gen-limit", sp, "out of memory while building the program");
		goto out;
	}
	for (int i = 0; i < ctx->nsrcs; i++)
		g.file_map[i] = -1;
	const vm_module *core = vm_registry_find(g.reg, "core");
	if (core)
		g.mods[g.nmods++] = core;

	gen_top(&g);
	gen_defines(&g);
	for (int i = 0; i < g.ngroups && !g.failed; i++)
		gen_route(&g, &g.groups[i]);

	if (!g.failed) {
		char err[256];
		if (vm_prog_check(g.p, err, sizeof(err)) < 0) {
			cfgc_span sp = { 0, 0 };
			cfgc_diag_span(ctx, CFGC_ERROR, "gen-internal", sp, "the generated program is refused: %s", err);
		} else {
			*out = g.p;
			g.p = NULL;
			rc = 0;
		}
	}
out:
	if (rc < 0)
		cfgc_diag_sort(ctx);
	vm_prog_free(g.p);
	free(g.file_map);
	for (int i = 0; i < g.ngroups; i++)
		free(g.groups[i].blocks);
	free(g.groups);
	vm_arena_free(&g.arena);
	return rc;
}

/* Check and generate one file (see cfgc.h). */
int cfgc_compile(cfgc_ctx *ctx, const char *path, struct vm_prog **out)
{
	*out = NULL;
	if (cfgc_check_file(ctx, path) < 0)
		return -1;
	return cfgc_generate(ctx, out);
}
