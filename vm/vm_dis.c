/*
 * vm_dis.c — the listing of a program (`cfgc --dump`), in the manner of
 * `luac -l` and SQLite's EXPLAIN: one header per route, one line per
 * instruction with its source line, and in the comment the names the
 * operands stand for (PV text, function, constant, jump target) or, for
 * plain register operations, the opcode's meaning from vm_opcodes.h.
 * Stable: no addresses, the same program always gives the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

const char *vm_route_label(const vm_route *r, char *buf, size_t n)
{
	static const struct {
		uint32_t bit;
		const char *kind;
	} kinds[] = {
		{ VM_RT_REQUEST, "route" }, { VM_RT_FAILURE, "failure_route" },
		{ VM_RT_TM_ONREPLY, "onreply_route" }, { VM_RT_BRANCH, "branch_route" },
		{ VM_RT_ONSEND, "onsend_route" }, { VM_RT_ERROR, "error_route" },
		{ VM_RT_LOCAL, "local_route" }, { VM_RT_CORE_ONREPLY, "onreply_route" },
		{ VM_RT_BRANCH_FAILURE, "branch_failure_route" }, { VM_RT_EVENT, "event_route" },
	};
	const char *kind = "route";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (r->type & kinds[i].bit) {
			kind = kinds[i].kind;
			break;
		}
	const char *name = r->name ? r->name : "";
	if (!name[0]) {
		snprintf(buf, n, "%s", r->type & VM_RT_REQUEST ? "request_route" : kind);
		return buf;
	}
	/* Control bytes escaped, so that messages naming it stay one line. */
	size_t at = (size_t)snprintf(buf, n, "%s[", kind);
	if (at + 6 >= n)
		return buf;  /* no room for the name: the kind alone */
	for (const char *c = name; *c && at + 6 < n; c++) {
		unsigned char u = (unsigned char)*c;
		if (u < 0x20 || u == 0x7F)
			at += (size_t)snprintf(buf + at, n - at, "\\x%02x", u);
		else
			buf[at++] = (char)u;
	}
	if (at + 2 <= n) {
		buf[at++] = ']';
		buf[at] = '\0';
	}
	return buf;
}

/* Print s[0..len) between quotes q ('"' for strings, '/' for regexes),
 * escaping the quote and what is not printable ASCII. */
static void put_quoted(FILE *f, const char *s, size_t len, char q)
{
	fputc(q, f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\\':
			/* A regex's backslashes are its own: shown as written. */
			fputs(q == '/' ? "\\" : "\\\\", f);
			break;
		default:
			if (c == (unsigned char)q)
				fprintf(f, "\\%c", q);
			else if (c < 0x20 || c >= 0x7F)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
	fputc(q, f);
}

/* Print a string whose bytes are not escaped beyond control characters
 * (PV texts, names), as written in the script. */
static void put_plain(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void put_const(FILE *f, const vm_prog *p, uint32_t k)
{
	if (k >= p->nk)
		fprintf(f, "K%u?", k);
	else if (p->k[k].kind == VM_INT)
		fprintf(f, "%d", (int)p->k[k].i);
	else
		put_quoted(f, p->k[k].s, p->k[k].len, '"');
}

static void put_regex(FILE *f, const vm_prog *p, uint32_t x)
{
	if (x >= p->nx) {
		fprintf(f, "X%u?", x);
		return;
	}
	put_quoted(f, p->x[x].src, p->x[x].len, '/');
	if (p->x[x].flags & VM_RE_ICASE)
		fputc('i', f);
}

/* The line table entry for global pc g: its file and line (-1 and 0 when
 * the table has none). */
static void line_of(const vm_prog *p, uint32_t g, int *file, uint32_t *line)
{
	*file = vm_prog_line(p, g, line);
}

/* The comment of one instruction (without the leading "; "). */
static void put_comment(FILE *f, const vm_prog *p, uint32_t pc, vm_insn insn)
{
	unsigned op = VM_GET_OP(insn), a = VM_GET_A(insn), bx = VM_GET_BX(insn);
	long to = (long)pc + 1 + VM_GET_SBX(insn);
	const vm_opinfo *oi = &vm_opinfo_table[op];
	char lab[300];

	switch (oi->b) {
	case VM_OPND_K:
		put_const(f, p, bx);
		return;
	case VM_OPND_P:
		if (bx < p->np)
			put_plain(f, p->p[bx].s, p->p[bx].len);
		return;
	case VM_OPND_F:
		if (bx < p->nf)
			put_quoted(f, p->f[bx].s, p->f[bx].len, '"');
		return;
	case VM_OPND_X:
		put_regex(f, p, bx);
		return;
	case VM_OPND_N:
		if (bx < p->nnet)
			put_plain(f, p->net[bx].s, p->net[bx].len);
		return;
	case VM_OPND_FN:
		if (bx < p->nfn) {
			const vm_fnref *fn = &p->fn[bx];
			if (fn->module[0])
				fprintf(f, "%s.", fn->module);
			fprintf(f, "%s/%u -> r%u", fn->name, fn->nargs, a);
		}
		return;
	case VM_OPND_RT:
		if (bx < p->nrt)
			fprintf(f, "%s -> r%u", vm_route_label(&p->rt[bx], lab, sizeof(lab)), a);
		return;
	case VM_OPND_T:
		fprintf(f, "to %ld%s", to, op == VM_OP_LOOPCHK ? " past max_while_loops" : "");
		return;
	case VM_OPND_J:
		if (bx < p->nj) {
			const vm_jtab *t = &p->j[bx];
			for (uint32_t i = 0; i < t->ncases; i++) {
				const vm_case *c = &t->cases[i];
				if (c->kind == VM_CASE_INT)
					fprintf(f, "%d", (int)c->key);
				else if (c->kind == VM_CASE_STR)
					put_const(f, p, (uint32_t)c->key);
				else
					put_regex(f, p, (uint32_t)c->key);
				fprintf(f, " to %u, ", c->target);
			}
			fprintf(f, "default to %u", t->dflt);
		}
		return;
	}
	fputs(oi->meaning, f);
}

/* Print operand field v of kind `kind` (blank when unused). */
static void put_field(FILE *f, int kind, long v)
{
	if (kind == VM_OPND__)
		fputs("   ", f);
	else
		fprintf(f, " %2ld", v);
}

/* List one route: header, column titles, instructions. */
static void dump_route(const vm_prog *p, const vm_route *r, FILE *f)
{
	char lab[300];
	int file0 = -1;
	uint32_t lmin = 0, lmax = 0, nconst = 0;
	unsigned char *kseen = p->nk ? calloc(p->nk, 1) : NULL;

	for (uint32_t pc = 0; pc < r->count; pc++) {
		vm_insn insn = p->code[r->first + pc];
		unsigned op = VM_GET_OP(insn);
		int file;
		uint32_t line;
		line_of(p, r->first + pc, &file, &line);
		if (pc == 0)
			file0 = file;
		if (file == file0 && line) {
			if (!lmin || line < lmin)
				lmin = line;
			if (line > lmax)
				lmax = line;
		}
		if (!kseen)
			continue;
		if (op == VM_OP_LOADK && VM_GET_BX(insn) < p->nk)
			kseen[VM_GET_BX(insn)] = 1;
		if (op == VM_OP_SWITCH && VM_GET_BX(insn) < p->nj) {
			const vm_jtab *t = &p->j[VM_GET_BX(insn)];
			for (uint32_t i = 0; i < t->ncases; i++)
				if (t->cases[i].kind == VM_CASE_STR && (uint32_t)t->cases[i].key < p->nk)
					kseen[t->cases[i].key] = 1;
		}
	}
	for (uint32_t i = 0; kseen && i < p->nk; i++)
		nconst += kseen[i];
	free(kseen);

	fputs(vm_route_label(r, lab, sizeof(lab)), f);
	if (file0 >= 0 && (uint32_t)file0 < p->nfiles) {
		fputc(' ', f);
		put_plain(f, p->files[file0].s, p->files[file0].len);
		if (lmin == lmax)
			fprintf(f, ":%u", lmin);
		else
			fprintf(f, ":%u-%u", lmin, lmax);
	}
	fprintf(f, "  %u instruction%s, %u register%s, %u constant%s\n",
			r->count, r->count == 1 ? "" : "s", r->nregs, r->nregs == 1 ? "" : "s",
			nconst, nconst == 1 ? "" : "s");
	fputs("   pc  line  opcode    A  B  C   ; comment\n", f);
	for (uint32_t pc = 0; pc < r->count; pc++) {
		vm_insn insn = p->code[r->first + pc];
		unsigned op = VM_GET_OP(insn);
		int file;
		uint32_t line;
		line_of(p, r->first + pc, &file, &line);
		if (op >= VM_OP__COUNT) {
			fprintf(f, "%5u %5u  ?%u\n", pc, line, op);
			continue;
		}
		const vm_opinfo *oi = &vm_opinfo_table[op];
		fprintf(f, "%5u %5u  %-8s", pc, line, oi->name);
		put_field(f, oi->a, VM_GET_A(insn));
		if (oi->fmt == VM_FMT_ABC || oi->fmt == VM_FMT_A) {
			put_field(f, oi->b, VM_GET_B(insn));
			put_field(f, oi->c, VM_GET_C(insn));
		} else {
			put_field(f, oi->b, oi->fmt == VM_FMT_ABx ? (long)VM_GET_BX(insn) : VM_GET_SBX(insn));
			put_field(f, VM_OPND__, 0);
		}
		fputs("   ; ", f);
		put_comment(f, p, pc, insn);
		fputc('\n', f);
	}
}

void vm_prog_dump(const vm_prog *p, FILE *f)
{
	for (uint32_t i = 0; i < p->nrt; i++) {
		if (!p->rt[i].count || p->rt[i].first > p->ncode ||
				p->rt[i].count > p->ncode - p->rt[i].first)
			continue;
		if (i)
			fputc('\n', f);
		dump_route(p, &p->rt[i], f);
	}
}
