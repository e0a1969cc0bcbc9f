/*
 * vm_exec.c — the interpreter: runs a route of a loaded program.
 *
 * A route's registers are a window of the worker's register stack
 * (c->regs, grown on demand); a route() call runs the callee in the next
 * window, by a C call (nesting is bounded by VM_MAX_DEPTH, Kamailio's
 * max_recursive_level default being larger than any real script needs).
 * Every table entry an instruction names was bound by vm_load, so no
 * instruction looks anything up by name.
 *
 * Dispatch: a `switch` in a loop, or, with GCC and Clang, computed gotos
 * (one indirect jump per opcode, predicted per site), both from the same
 * OP()/NEXT macros (-DVM_SWITCH_DISPATCH picks the switch). On the anchor
 * loop of regress/bench/vm-loop the two measure the same (140 and 142 us
 * per loop, perf stat, GCC 12 -O2): its time goes to PV accesses and
 * regex matching, not to dispatch.
 *
 * Errors: an operator that fails (division by zero, a pattern that does
 * not compile, the arena's cap) logs the error with the cfg file:line and
 * leaves the error value VM_ERRV in its destination. The error value
 * propagates through further operators; assigning it is skipped; a test
 * of it is false — what Kamailio does when an expression's evaluation
 * fails ("rval expression evaluation failed": the action is skipped).
 *
 * Each opcode's documentation is the block above its code, in SQLite's
 * vdbe.c manner; scripts/gen-opcodes.awk copies them into docs/opcodes.md.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

#if defined(__GNUC__) && !defined(VM_SWITCH_DISPATCH)
#define VM_GOTO 1
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static const vm_value errv = { VM_ERRV, 0, 0, NULL, 0 };

/* Make room for n more registers above c->regtop. 0 or -1. */
static int regs_reserve(vm_ctx *c, size_t n)
{
	if (c->regtop + n <= c->nregs_cap)
		return 0;
	size_t cap = c->nregs_cap ? c->nregs_cap : 256;
	while (cap < c->regtop + n)
		cap *= 2;
	vm_value *r = realloc(c->regs, cap * sizeof(*r));
	if (!r)
		return -1;
	c->regs = r;
	c->nregs_cap = cap;
	return 0;
}

/* Report a failed operator at the instruction running. */
static void op_error(vm_ctx *c, const char *what, int err)
{
	vm_error(c, "%s: %s", what, vm_strerror(err));
}

/* ---------------------------------------------------------------- trace */

static void trace_value(FILE *f, const vm_value *v)
{
	switch (v->kind) {
	case VM_INT:
		fprintf(f, "%d", v->i);
		break;
	case VM_STR:
		fputc('"', f);
		for (size_t i = 0; i < v->len && i < 200; i++) {
			unsigned char ch = (unsigned char)v->s[i];
			if (ch == '"' || ch == '\\')
				fprintf(f, "\\%c", ch);
			else if (ch >= 0x20 && ch < 0x7f)
				fputc(ch, f);
			else if (ch == '\r')
				fputs("\\r", f);
			else if (ch == '\n')
				fputs("\\n", f);
			else
				fprintf(f, "\\x%02x", ch);
		}
		if (v->len > 200)
			fputs("...", f);
		fputc('"', f);
		break;
	case VM_ERRV:
		fputs("<error>", f);
		break;
	default:
		fputs("<null>", f);
	}
}

/* Before each instruction when tracing or counting: count it, and print
 * the source line when it changes. 1 when the run must stop: it passed
 * c->max_insns. */
static int slow_step(vm_ctx *c, uint32_t abspc, uint32_t *lastline, const char **lastfile)
{
	if (++c->icount > c->max_insns && c->max_insns) {
		c->pc = abspc;
		vm_error(c, "more than %llu instructions: run stopped",
				(unsigned long long)c->max_insns);
		return 1;
	}
	if (!c->trace)
		return 0;
	uint32_t line;
	const char *file = vm_loaded_line(c->lp, abspc, &line);
	if (line != *lastline || file != *lastfile) {
		fprintf(c->trace, "%s:%u\n", file, line);
		*lastline = line;
		*lastfile = file;
	}
	return 0;
}

static void trace_pv(vm_ctx *c, const char *op, const vm_pvspec *sp, const vm_value *v)
{
	fprintf(c->trace, "    %s %s ", sp->text, op);
	trace_value(c->trace, v);
	fputc('\n', c->trace);
}

/* ---------------------------------------------------------------- helpers */

/* Whether address text s[0..len) is inside network n. */
static int in_net(const vm_net *n, const char *s, size_t len)
{
	char buf[64];
	unsigned char a[16];
	if (n->af == 0)
		return strlen(n->host) == len && strncasecmp(n->host, s, len) == 0;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len > 2 && buf[0] == '[' && buf[len - 1] == ']') {
		memmove(buf, buf + 1, len - 2);
		buf[len - 2] = '\0';
	}
	if (inet_pton(n->af == 4 ? AF_INET : AF_INET6, buf, a) != 1)
		return 0;
	unsigned full = n->bits / 8, rest = n->bits % 8;
	if (memcmp(a, n->addr, full) != 0)
		return 0;
	if (rest) {
		unsigned char m = (unsigned char)(0xFF << (8 - rest));
		if ((a[full] & m) != (n->addr[full] & m))
			return 0;
	}
	return 1;
}

/* SEQNC and SNENC: l and r as strings compared ignoring case, as 0/1
 * (negated when `ne`), or the error value. */
static vm_value eq_nocase(const vm_value *l, const vm_value *r, int ne)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *s1, *s2;
	size_t n1, n2;
	if ((l->kind | r->kind) & VM_ERRV)
		return errv;
	vm_str_view(l, b1, &s1, &n1);
	vm_str_view(r, b2, &s2, &n2);
	return vm_int((n1 == n2 && strncasecmp(s1, s2, n1) == 0) != ne);
}

/* The case of jump table t matching v, as a pc, or the default. */
static uint32_t switch_target(vm_ctx *c, const vm_jtab *t, const vm_jbind *jb,
		const vm_value *v)
{
	const vm_prog *p = c->lp->prog;
	char nb[VM_INT_DEC_MAX];
	const char *s = NULL;
	size_t len = 0;
	int32_t iv = 0;
	int have_s = 0, have_i = 0;

	if (v->kind == VM_ERRV)
		return t->dflt;
	for (uint32_t k = 0; k < t->ncases; k++) {
		const vm_case *cs = &t->cases[k];
		switch (cs->kind) {
		case VM_CASE_INT:
			if (!have_i) {
				iv = vm_to_int(v);
				have_i = 1;
			}
			if (iv == cs->key)
				return cs->target;
			break;
		case VM_CASE_STR:
			if (!have_s) {
				vm_str_view(v, nb, &s, &len);
				have_s = 1;
			}
			if (p->k[cs->key].len == len && memcmp(p->k[cs->key].s, s, len) == 0)
				return cs->target;
			break;
		case VM_CASE_REGEX:
			if (!have_s) {
				vm_str_view(v, nb, &s, &len);
				have_s = 1;
			}
			if (vm_re_match(jb->re[k], s, len) == 1)
				return cs->target;
			break;
		}
	}
	return t->dflt;
}

/* ---------------------------------------------------------------- the loop */

/* Dispatch macros: OP(X) opens the code of opcode X, NEXT ends it. */
#ifdef VM_GOTO
#define OP(name) L_##name:
#define NEXT do { \
		if (UNLIKELY(slow) && slow_step(c, first + (uint32_t)(ip - code), &tl, &tf)) \
			goto stop; \
		insn = *ip++; \
		goto *labels[VM_GET_OP(insn)]; \
	} while (0)
#else
#define OP(name) case VM_OP_##name:
#define NEXT continue
#endif

#define A   VM_GET_A(insn)
#define B   VM_GET_B(insn)
#define C   VM_GET_C(insn)
#define BX  VM_GET_BX(insn)
#define SBX VM_GET_SBX(insn)
/* The absolute pc of the instruction running, for error messages. */
#define HERE() (c->pc = first + (uint32_t)(ip - code) - 1)

/* A binary operator through vm_ops: the error value propagates. */
#define BINARY(fn, name) do { \
		vm_value *l_ = &R[B], *r_ = &R[C]; \
		if (UNLIKELY((l_->kind | r_->kind) & VM_ERRV)) { \
			R[A] = errv; \
		} else { \
			int e_ = fn(&c->arena, &R[A], l_, r_); \
			if (UNLIKELY(e_)) { \
				HERE(); \
				op_error(c, name, e_); \
				R[A] = errv; \
			} \
		} \
	} while (0)

#define UNARY(fn, name) do { \
		vm_value *x_ = &R[B]; \
		if (UNLIKELY(x_->kind & VM_ERRV)) { \
			R[A] = errv; \
		} else { \
			int e_ = fn(&c->arena, &R[A], x_); \
			if (UNLIKELY(e_)) { \
				HERE(); \
				op_error(c, name, e_); \
				R[A] = errv; \
			} \
		} \
	} while (0)

/* An integer comparison with a fast path for two plain ints. */
#define ICOMPARE(cop, fn, name) do { \
		vm_value *l_ = &R[B], *r_ = &R[C]; \
		if (LIKELY(l_->kind == VM_INT && r_->kind == VM_INT)) \
			R[A] = vm_int(l_->i cop r_->i); \
		else \
			BINARY(fn, name); \
	} while (0)

/* The value of R[x] as a condition: > 0 (JMPIF), non-zero (JMPTRUE). */
static inline int cond_gt0(const vm_value *v)
{
	if (LIKELY(v->kind == VM_INT))
		return v->i > 0;
	return v->kind != VM_ERRV && vm_cond(v);
}

static inline int cond_nz(const vm_value *v)
{
	if (LIKELY(v->kind == VM_INT))
		return v->i != 0;
	return v->kind != VM_ERRV && vm_truth(v);
}

static int32_t run_route(vm_ctx *c, int rt, int *end);

static int32_t run_route(vm_ctx *c, int rt, int *end)
{
	const vm_loaded *lp = c->lp;
	const vm_prog *p = lp->prog;
	const vm_route *r = &p->rt[rt];
	const uint32_t first = r->first;
	const vm_insn *code = p->code + first, *ip = code;
	const int slow = c->trace != NULL || c->stats;
	uint32_t tl = 0;
	const char *tf = NULL;
	size_t base = c->regtop;
	vm_value *R;
	vm_insn insn;
	int32_t ret = 1;

	if (c->depth >= VM_MAX_DEPTH) {
		vm_error(c, "route nesting deeper than %d levels", VM_MAX_DEPTH);
		return -1;
	}
	if (regs_reserve(c, r->nregs) < 0) {
		vm_error(c, "out of memory for registers");
		return -1;
	}
	R = c->regs + base;
	for (uint32_t i = 0; i < r->nregs; i++)
		R[i] = vm_null();
	c->regtop = base + r->nregs;
	c->depth++;

#ifdef VM_GOTO
#define VM_X_LABEL(name, fmt, a, b, cc, meaning) &&L_##name,
	static const void *const labels[] = { VM_OPCODES(VM_X_LABEL) };
#undef VM_X_LABEL
	NEXT;
#else
	for (;;) {
		if (UNLIKELY(slow) && slow_step(c, first + (uint32_t)(ip - code), &tl, &tf))
			goto stop;
		insn = *ip++;
		switch (VM_GET_OP(insn)) {
#endif

/* Opcode: NOP
 * Does nothing. */
OP(NOP)
	NEXT;

/* Opcode: MOVE A B
 * Synopsis: R[A] := R[B]
 * Copies a value between registers. A string is not copied: both
 * registers view the same bytes. */
OP(MOVE)
	R[A] = R[B];
	NEXT;

/* Opcode: LOADK A Bx
 * Synopsis: R[A] := K[Bx]
 * Loads a constant (int or string) of the program. */
OP(LOADK) {
	const vm_const *k = &p->k[BX];
	if (k->kind == VM_INT)
		R[A] = vm_int(k->i);
	else
		R[A] = vm_str(k->s, k->len);
	NEXT;
}

/* Opcode: LOADINT A sBx
 * Synopsis: R[A] := sBx
 * Loads a small int. */
OP(LOADINT)
	R[A] = vm_int(SBX);
	NEXT;

/* Opcode: LOADNULL A
 * Synopsis: R[A] := null */
OP(LOADNULL)
	R[A] = vm_null();
	NEXT;

/* Opcode: PVGET A Bx
 * Synopsis: R[A] := value of P[Bx]
 * Asks the pseudo-variable's class for its value, then applies its
 * transformations in order. A PV without a value, or whose class or a
 * transformation fails, gives null. */
OP(PVGET) {
	const vm_pvspec *sp = lp->pv[BX];
	HERE();
	if (LIKELY(sp->ntr == 0)) {
		if (UNLIKELY(sp->cls->get(c, sp, &R[A]) < 0))
			R[A] = vm_null();
	} else {
		vm_pv_get(c, sp, &R[A]);
	}
	if (UNLIKELY(c->trace != NULL))
		trace_pv(c, "=", sp, &R[A]);
	NEXT;
}

/* Opcode: PVSET A Bx
 * Synopsis: P[Bx] := R[A]
 * Hands the value to the pseudo-variable's class. Null means what
 * `= $null` means for the class (int 0 for $var, deletion for $avp ...).
 * The error value of a failed expression is not assigned: the assignment
 * is skipped, as Kamailio skips an action whose expression failed. */
OP(PVSET) {
	const vm_pvspec *sp = lp->pv[BX];
	HERE();
	if (LIKELY(R[A].kind != VM_ERRV)) {
		if (UNLIKELY(c->trace != NULL))
			trace_pv(c, ":=", sp, &R[A]);
		vm_pv_set(c, sp, VM_PV_ASSIGN, &R[A]);
		R = c->regs + base;
	}
	NEXT;
}

/* Opcode: PVUNSET Bx
 * Synopsis: P[Bx] := $null
 * The same as assigning $null. */
OP(PVUNSET) {
	const vm_pvspec *sp = lp->pv[BX];
	vm_value nv = vm_null();
	HERE();
	if (UNLIKELY(c->trace != NULL))
		trace_pv(c, ":=", sp, &nv);
	vm_pv_set(c, sp, VM_PV_ASSIGN, &nv);
	NEXT;
}

/* Opcode: DEFINED A Bx
 * Synopsis: R[A] := 1 if P[Bx] has a value, else 0 */
OP(DEFINED) {
	vm_value v;
	HERE();
	vm_pv_get(c, lp->pv[BX], &v);
	R[A] = vm_int(v.kind != VM_NULL);
	NEXT;
}

/* Opcode: FORMAT A Bx
 * Synopsis: R[A] := format F[Bx] expanded
 * Concatenates the literal parts and the values of the PVs of a format
 * split at load (a null PV prints "<null>", as Kamailio's pv_printf). */
OP(FORMAT) {
	HERE();
	int e = vm_fmt_eval(c, lp->fmt[BX], &R[A]);
	if (UNLIKELY(e)) {
		op_error(c, "format", e);
		R[A] = errv;
	}
	NEXT;
}

/* Opcode: ADD A B C
 * Synopsis: R[A] := R[B] + R[C]
 * The left operand's kind decides: an int adds (the right as int,
 * wrapping), a string or null concatenates (the right as string). */
OP(ADD) {
	vm_value *l = &R[B], *rr = &R[C];
	if (LIKELY(l->kind == VM_INT && rr->kind == VM_INT))
		R[A] = vm_int((int32_t)((uint32_t)l->i + (uint32_t)rr->i));
	else
		BINARY(vm_op_plus, "+");
	NEXT;
}

/* Opcode: IADD A B C
 * Synopsis: R[A] := R[B] + R[C] as ints
 * The compiler knows the left operand is an int. */
OP(IADD) {
	vm_value *l = &R[B], *rr = &R[C];
	if (LIKELY(l->kind == VM_INT && rr->kind == VM_INT))
		R[A] = vm_int((int32_t)((uint32_t)l->i + (uint32_t)rr->i));
	else
		BINARY(vm_op_iplus, "+");
	NEXT;
}

/* Opcode: CONCAT A B C
 * Synopsis: R[A] := R[B] . R[C] as strings
 * The compiler knows the left operand is a string. The result is built in
 * the worker's arena (released after the message). */
OP(CONCAT)
	BINARY(vm_op_concat, "+");
	NEXT;

/* Opcode: SUB A B C
 * Synopsis: R[A] := R[B] - R[C] as ints, wrapping */
OP(SUB) {
	vm_value *l = &R[B], *rr = &R[C];
	if (LIKELY(l->kind == VM_INT && rr->kind == VM_INT))
		R[A] = vm_int((int32_t)((uint32_t)l->i - (uint32_t)rr->i));
	else
		BINARY(vm_op_minus, "-");
	NEXT;
}

/* Opcode: MUL A B C
 * Synopsis: R[A] := R[B] * R[C] as ints, wrapping */
OP(MUL)
	BINARY(vm_op_mul, "*");
	NEXT;

/* Opcode: DIV A B C
 * Synopsis: R[A] := R[B] / R[C] as ints
 * Truncates toward zero. Division by zero is an error: logged, and R[A]
 * gets the error value. */
OP(DIV)
	BINARY(vm_op_div, "/");
	NEXT;

/* Opcode: MOD A B C
 * Synopsis: R[A] := R[B] mod R[C] as ints
 * The result has the dividend's sign. By zero: an error, as DIV. */
OP(MOD) {
	vm_value *l = &R[B], *rr = &R[C];
	if (LIKELY(l->kind == VM_INT && rr->kind == VM_INT && rr->i > 0))
		R[A] = vm_int(l->i % rr->i);
	else
		BINARY(vm_op_mod, "mod");
	NEXT;
}

/* Opcode: BAND A B C
 * Synopsis: R[A] := R[B] & R[C] as ints */
OP(BAND)
	BINARY(vm_op_band, "&");
	NEXT;

/* Opcode: BOR A B C
 * Synopsis: R[A] := R[B] | R[C] as ints */
OP(BOR)
	BINARY(vm_op_bor, "|");
	NEXT;

/* Opcode: BXOR A B C
 * Synopsis: R[A] := R[B] ^ R[C] as ints */
OP(BXOR)
	BINARY(vm_op_bxor, "^");
	NEXT;

/* Opcode: SHL A B C
 * Synopsis: R[A] := R[B] << R[C] as ints, the count mod 32 */
OP(SHL)
	BINARY(vm_op_lshift, "<<");
	NEXT;

/* Opcode: SHR A B C
 * Synopsis: R[A] := R[B] >> R[C] as ints, arithmetic, the count mod 32 */
OP(SHR)
	BINARY(vm_op_rshift, ">>");
	NEXT;

/* Opcode: NEG A B
 * Synopsis: R[A] := -R[B] as int, wrapping */
OP(NEG)
	UNARY(vm_op_neg, "-");
	NEXT;

/* Opcode: NOT A B
 * Synopsis: R[A] := !R[B]
 * 1 when R[B] as int is 0, else 0. The error value gives 1 (a failed
 * test is false, its negation true, as in Kamailio). */
OP(NOT)
	if (UNLIKELY(R[B].kind == VM_ERRV))
		R[A] = vm_int(1);
	else
		R[A] = vm_int(!cond_nz(&R[B]));
	NEXT;

/* Opcode: BNOT A B
 * Synopsis: R[A] := ~R[B] as int */
OP(BNOT)
	UNARY(vm_op_bnot, "~");
	NEXT;

/* Opcode: TOINT A B
 * Synopsis: R[A] := (int) R[B] */
OP(TOINT)
	UNARY(vm_op_int, "(int)");
	NEXT;

/* Opcode: TOSTR A B
 * Synopsis: R[A] := (str) R[B] */
OP(TOSTR)
	UNARY(vm_op_str, "(str)");
	NEXT;

/* Opcode: STRLEN A B
 * Synopsis: R[A] := strlen(R[B]) */
OP(STRLEN)
	UNARY(vm_op_strlen, "strlen");
	NEXT;

/* Opcode: STREMPTY A B
 * Synopsis: R[A] := strempty(R[B])
 * 1 when R[B] as a string is empty (null is; int 0 is "0": not). Also
 * what `x == ""` compiles to, as Kamailio rewrites it. */
OP(STREMPTY)
	UNARY(vm_op_strempty, "strempty");
	NEXT;

/* Opcode: BOOL A B
 * Synopsis: R[A] := R[B] != 0 */
OP(BOOL)
	if (UNLIKELY(R[B].kind == VM_ERRV))
		R[A] = vm_int(0);
	else
		R[A] = vm_int(cond_nz(&R[B]));
	NEXT;

/* Opcode: COND A B
 * Synopsis: R[A] := R[B] > 0
 * A call's return code used inside a larger expression counts as 1 when
 * positive, else 0 (language §6.4). */
OP(COND)
	R[A] = vm_int(cond_gt0(&R[B]));
	NEXT;

/* Opcode: EQ A B C
 * Synopsis: R[A] := R[B] == R[C]
 * The left operand's kind decides: int compare, byte compare of strings,
 * or, for a null left, the right's kind. */
OP(EQ)
	if (LIKELY(R[B].kind == VM_INT && R[C].kind == VM_INT))
		R[A] = vm_int(R[B].i == R[C].i);
	else
		BINARY(vm_op_eq, "==");
	NEXT;

/* Opcode: NE A B C
 * Synopsis: R[A] := R[B] != R[C]
 * The same rules as EQ. */
OP(NE)
	if (LIKELY(R[B].kind == VM_INT && R[C].kind == VM_INT))
		R[A] = vm_int(R[B].i != R[C].i);
	else
		BINARY(vm_op_ne, "!=");
	NEXT;

/* Opcode: SEQ A B C
 * Synopsis: R[A] := R[B] eq R[C], as strings */
OP(SEQ)
	BINARY(vm_op_streq, "eq");
	NEXT;

/* Opcode: SNE A B C
 * Synopsis: R[A] := R[B] ne R[C], as strings */
OP(SNE)
	BINARY(vm_op_strne, "ne");
	NEXT;

/* Opcode: IEQ A B C
 * Synopsis: R[A] := R[B] ieq R[C], as ints */
OP(IEQ)
	ICOMPARE(==, vm_op_ieq, "ieq");
	NEXT;

/* Opcode: INE A B C
 * Synopsis: R[A] := R[B] ine R[C], as ints */
OP(INE)
	ICOMPARE(!=, vm_op_ine, "ine");
	NEXT;

/* Opcode: LT A B C
 * Synopsis: R[A] := R[B] < R[C], as ints
 * Strings are never compared lexically: "abc" is 0. */
OP(LT)
	ICOMPARE(<, vm_op_lt, "<");
	NEXT;

/* Opcode: GT A B C
 * Synopsis: R[A] := R[B] > R[C], as ints */
OP(GT)
	ICOMPARE(>, vm_op_gt, ">");
	NEXT;

/* Opcode: LE A B C
 * Synopsis: R[A] := R[B] <= R[C], as ints */
OP(LE)
	ICOMPARE(<=, vm_op_le, "<=");
	NEXT;

/* Opcode: GE A B C
 * Synopsis: R[A] := R[B] >= R[C], as ints */
OP(GE)
	ICOMPARE(>=, vm_op_ge, ">=");
	NEXT;

/* Opcode: SEQNC A B C
 * Synopsis: R[A] := R[B] == R[C], as strings ignoring case
 * Old-style conditions (method == "invite", uri == "sip:...") compare
 * without case. */
OP(SEQNC)
	R[A] = eq_nocase(&R[B], &R[C], 0);
	NEXT;

/* Opcode: SNENC A B C
 * Synopsis: R[A] := R[B] != R[C], as strings ignoring case */
OP(SNENC)
	R[A] = eq_nocase(&R[B], &R[C], 1);
	NEXT;

/* Opcode: MATCH A B C
 * Synopsis: R[A] := R[B] =~ R[C]
 * The pattern is known only at run time: compiled for this match (POSIX
 * extended, ignoring case). A pattern that does not compile is an error. */
OP(MATCH)
	HERE();
	BINARY(vm_op_match, "=~");
	NEXT;

/* Opcode: MATCHK A Bx
 * Synopsis: R[A] := R[A] =~ X[Bx]
 * Matches against a regex compiled at load by the fast matcher of
 * vm_re.c (the answer of regexec, without its cost). */
OP(MATCHK) {
	char nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	if (UNLIKELY(R[A].kind == VM_ERRV))
		NEXT;
	vm_str_view(&R[A], nb, &s, &len);
	int m = vm_re_match(lp->re[BX], s, len);
	if (UNLIKELY(m < 0)) {
		HERE();
		op_error(c, "=~", m);
		R[A] = errv;
	} else {
		R[A] = vm_int(m);
	}
	NEXT;
}

/* Opcode: INNET A Bx
 * Synopsis: R[A] := R[A] is in network N[Bx]
 * src_ip == 10.0.0.0/8 and the like: the address text is parsed and
 * compared under the prefix; a host name compares as text, ignoring
 * case. */
OP(INNET) {
	char nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	if (UNLIKELY(R[A].kind == VM_ERRV))
		NEXT;
	vm_str_view(&R[A], nb, &s, &len);
	R[A] = vm_int(in_net(&lp->net[BX], s, len));
	NEXT;
}

/* Opcode: MYSELF A B
 * Synopsis: R[A] := R[B] is this server
 * uri == myself: asks the host whether the URI's (or address's) host and
 * port are one of its listening addresses or aliases. */
OP(MYSELF) {
	char nb[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	if (UNLIKELY(R[B].kind == VM_ERRV)) {
		R[A] = errv;
		NEXT;
	}
	vm_str_view(&R[B], nb, &s, &len);
	R[A] = vm_int(c->myself ? c->myself(c, s, len) : 0);
	NEXT;
}

/* Opcode: JMP sBx
 * Synopsis: pc += sBx */
OP(JMP)
	ip += SBX;
	NEXT;

/* Opcode: JMPIF A sBx
 * Synopsis: if R[A] > 0, pc += sBx
 * The test of `if`: an int greater than zero is true; the error value is
 * false. */
OP(JMPIF)
	if (cond_gt0(&R[A]))
		ip += SBX;
	NEXT;

/* Opcode: JMPIFNOT A sBx
 * Synopsis: unless R[A] > 0, pc += sBx */
OP(JMPIFNOT)
	if (!cond_gt0(&R[A]))
		ip += SBX;
	NEXT;

/* Opcode: JMPTRUE A sBx
 * Synopsis: if R[A] != 0, pc += sBx
 * The short-circuit of && and ||, and the test of `while` (Kamailio 5.6.3
 * repeats a loop while its condition is non-zero): any non-zero int is
 * true. */
OP(JMPTRUE)
	if (cond_nz(&R[A]))
		ip += SBX;
	NEXT;

/* Opcode: JMPFALSE A sBx
 * Synopsis: if R[A] == 0, pc += sBx */
OP(JMPFALSE)
	if (!cond_nz(&R[A]))
		ip += SBX;
	NEXT;

/* Opcode: CALL A Bx
 * Synopsis: R[A] := FN[Bx](R[A+1] ...)
 * Calls a module function on its evaluated arguments, with the constants
 * the loader prepared (PV names, regexes, routes). Its return code goes
 * to R[A] and, for a module's function (not a core action, as in
 * Kamailio), to $rc. Code 0 ends the whole script, as exit does. An
 * argument whose expression failed: the function is not called and the
 * code is -1. */
OP(CALL) {
	const vm_fnbind *fb = &lp->fn[BX];
	unsigned nargs = p->fn[BX].nargs;
	int32_t rc;
	unsigned bad = 0;
	HERE();
	for (unsigned a = 1; a <= nargs && !bad; a++)
		if (UNLIKELY(R[A + a].kind == VM_ERRV))
			bad = a;
	if (UNLIKELY(bad)) {
		vm_error(c, "%s(): argument %u could not be evaluated", fb->fn->name, bad);
		R[A] = vm_int(-1);
		c->rc = -1;
		NEXT;
	}
	vm_call call = { c, fb->fn, fb->module, nargs, &R[A + 1], (void *const *)fb->fix };
	rc = fb->fn->impl(&call);
	R = c->regs + base;
	if (fb->sets_rc)
		c->rc = rc;
	R[A] = vm_int(rc);
	if (UNLIKELY(c->trace != NULL))
		fprintf(c->trace, "    %s() -> %d\n", fb->fn->name, rc);
	if (rc == 0) {
		*end = VM_END_EXIT;
		ret = 0;
		goto out;
	}
	NEXT;
}

/* Opcode: ROUTE A Bx
 * Synopsis: R[A] := route(RT[Bx])
 * Runs a sub-route in a fresh register window. Its code goes to R[A] and
 * $rc. When exit, drop or return 0 ran inside it, the whole script ends. */
OP(ROUTE) {
	int32_t rc;
	HERE();
	rc = run_route(c, (int)BX, end);
	R = c->regs + base;
	c->rc = rc;
	R[A] = vm_int(rc);
	if (*end) {
		ret = rc;
		goto out;
	}
	NEXT;
}

/* Opcode: ROUTEDYN A B
 * Synopsis: R[A] := route(R[B] as a name)
 * route($var(next)): looked up at run time among the route[...] blocks;
 * no such route is an error: logged, the value is -10 (as in Kamailio
 * 5.6.3), $rc keeps its value and the script goes on. */
OP(ROUTEDYN) {
	char nb[VM_INT_DEC_MAX], name[256];
	const char *s;
	size_t len;
	int32_t rc = -10;   /* what Kamailio 5.6.3's route() gives for an unknown name */
	HERE();
	if (R[B].kind != VM_ERRV) {
		vm_str_view(&R[B], nb, &s, &len);
		if (len < sizeof(name)) {
			memcpy(name, s, len);
			name[len] = '\0';
			int rt2 = vm_loaded_route(lp, VM_RT_REQUEST, name);
			if (rt2 >= 0) {
				rc = run_route(c, rt2, end);
				R = c->regs + base;
				c->rc = rc;
			} else {
				vm_error(c, "route \"%s\" not found", name);
			}
		}
	}
	R[A] = vm_int(rc);
	if (*end) {
		ret = rc;
		goto out;
	}
	NEXT;
}

/* Opcode: RETURN A
 * Synopsis: return R[A]
 * Ends this route with R[A] as int; 0 also ends the whole script. */
OP(RETURN)
	ret = vm_to_int(&R[A]);
	if (R[A].kind == VM_ERRV)
		ret = -1;
	if (ret == 0)
		*end = VM_END_EXIT;
	goto out;

/* Opcode: LEAVE A
 * Synopsis: return R[A], the script goes on
 * `break` outside any loop or switch: the route ends, its caller goes on
 * even when the value is 0. */
OP(LEAVE)
	ret = R[A].kind == VM_INT ? R[A].i : vm_to_int(&R[A]);
	goto out;

/* Opcode: EXIT A
 * Synopsis: end the script with R[A] */
OP(EXIT)
	ret = R[A].kind == VM_ERRV ? -1 : vm_to_int(&R[A]);
	*end = VM_END_EXIT;
	goto out;

/* Opcode: DROP A
 * Synopsis: end the script with R[A] and the drop flag
 * The route's caller acts on the flag: a reply is not forwarded, a
 * branch is discarded, an onsend_route does not send. */
OP(DROP)
	ret = R[A].kind == VM_ERRV ? -1 : vm_to_int(&R[A]);
	*end = VM_END_DROP;
	goto out;

/* Opcode: SWITCH A Bx
 * Synopsis: jump through J[Bx] keyed by R[A]
 * Cases are tried in order: int cases on R[A] as int, string cases by
 * bytes and regex cases on R[A] as a string; no match jumps to the
 * default (or the end of the switch). */
OP(SWITCH) {
	uint32_t to = switch_target(c, &p->j[BX], lp->jt ? &lp->jt[BX] : NULL, &R[A]);
	ip = code + to;
	NEXT;
}

/* Opcode: LOOPINIT A
 * Synopsis: R[A] := 0, a while loop's iteration count */
OP(LOOPINIT)
	R[A] = vm_int(0);
	NEXT;

/* Opcode: LOOPCHK A sBx
 * Synopsis: R[A] += 1; past max_while_loops: "runaway while", pc += sBx
 * Kamailio's guard against endless loops: when the count passes the core
 * parameter max_while_loops (when it is > 0), the error is logged, the
 * loop is left, and the while statement's value is -1. */
OP(LOOPCHK)
	R[A].i++;
	if (UNLIKELY(c->max_while_loops > 0 && R[A].i > c->max_while_loops)) {
		HERE();
		vm_error(c, "runaway while (%d, %d)", R[A].i - 1, c->max_while_loops);
		R[A] = vm_int(-1);
		ip += SBX;
	}
	NEXT;

#ifndef VM_GOTO
		}
	}
#endif
stop:
	ret = -1;
	*end = VM_END_ERROR;
out:
	c->regtop = base;
	c->depth--;
	return ret;
}

int32_t vm_run(vm_ctx *c, int rt, uint32_t route_type, int *how)
{
	int end = 0;
	int32_t code;
	if (rt < 0 || (uint32_t)rt >= c->lp->prog->nrt) {
		if (how)
			*how = VM_END_ERROR;
		return -1;
	}
	c->route_type = route_type;
	c->rc = 0;    /* Kamailio starts each run with $rc 0 */
	c->depth = 0;
	c->regtop = 0;
	code = run_route(c, rt, &end);
	if (how)
		*how = end ? end : VM_END_RETURN;
	return code;
}

int32_t vm_run_sub(vm_ctx *c, int rt, int *how)
{
	int end = 0;
	int32_t code;
	uint32_t pc = c->pc;
	if (rt < 0 || (uint32_t)rt >= c->lp->prog->nrt) {
		if (how)
			*how = VM_END_ERROR;
		return -1;
	}
	code = run_route(c, rt, &end);
	c->pc = pc;     /* the caller's errors name its own line again */
	c->rc = code;
	if (how)
		*how = end ? end : VM_END_RETURN;
	return code;
}
