/*
 * vm_image.c — programs: the builders the compiler emits code with, the
 * checker every loaded program goes through, and the image file format.
 *
 * Image layout (little-endian throughout):
 *
 *   "SVB\0"  u16 version  u16 flags (0)
 *   then sections, each  u32 tag  u32 length  payload[length]
 *
 * A string is u32 length + bytes (no NUL). Every payload starts with a u32
 * count of entries:
 *
 *   FILE  file names          str
 *   KONS  constants K         u8 kind (1 int, 2 str), then i32 or str
 *   PVAR  pseudo-variables P  str
 *   FRMT  formats F           str
 *   REGX  regexes X           u32 flags, str
 *   NETS  networks N          str
 *   FUNC  functions FN        str module, str name, u32 nargs
 *   ROUT  routes RT           u32 type, str name, u32 first, u32 count, u32 nregs
 *   JTAB  jump tables J       u32 default, u32 ncases, ncases x (u8 kind, i32 key, u32 target)
 *   CODE  instructions        u32
 *   LINE  line table          u32 pc, u32 file, u32 line
 *
 * Every section appears exactly once, in any order (so a truncated image
 * is never taken for a smaller program); an unknown tag is an error (a new
 * section means a new version).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define T__  VM_OPND__
#define T_R  VM_OPND_R
#define T_I  VM_OPND_I
#define T_T  VM_OPND_T
#define T_K  VM_OPND_K
#define T_P  VM_OPND_P
#define T_F  VM_OPND_F
#define T_RE VM_OPND_X
#define T_N  VM_OPND_N
#define T_FN VM_OPND_FN
#define T_RT VM_OPND_RT
#define T_J  VM_OPND_J

const vm_opinfo vm_opinfo_table[] = {
#define VM_X_INFO(name, fmt, a, b, c, meaning) \
	{ #name, VM_FMT_##fmt, T_##a, T_##b, T_##c, meaning },
	VM_OPCODES(VM_X_INFO)
#undef VM_X_INFO
};

/* ------------------------------------------------------------------------
 * Builders
 * ------------------------------------------------------------------------ */

/* Make room for one more element in a table (*arr of *n used, *cap
 * allocated, elements of size sz). 0, or -1 when memory runs out or the
 * table would pass 2^31 entries. */
static int grow(void **arr, uint32_t n, uint32_t *cap, size_t sz)
{
	if (n < *cap)
		return 0;
	if (n >= 0x7FFFFFFFu)
		return -1;
	uint32_t ncap = *cap ? *cap * 2 : 8;
	if (ncap > 0x7FFFFFFFu)
		ncap = 0x7FFFFFFFu;
	void *q = realloc(*arr, (size_t)ncap * sz);
	if (!q)
		return -1;
	*arr = q;
	*cap = ncap;
	return 0;
}

#define GROW(p, name) grow((void **)&(p)->name, (p)->n##name, &(p)->cap_##name, sizeof(*(p)->name))

/* A malloc'd, NUL-terminated copy of s[0..len), or NULL. */
static char *dup_bytes(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (!d)
		return NULL;
	if (len)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

vm_prog *vm_prog_new(void)
{
	vm_prog *p = calloc(1, sizeof(*p));
	if (p)
		p->cur_route = -1;
	return p;
}

void vm_prog_free(vm_prog *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->nk; i++)
		free(p->k[i].s);
	for (uint32_t i = 0; i < p->np; i++)
		free(p->p[i].s);
	for (uint32_t i = 0; i < p->nf; i++)
		free(p->f[i].s);
	for (uint32_t i = 0; i < p->nx; i++)
		free(p->x[i].src);
	for (uint32_t i = 0; i < p->nnet; i++)
		free(p->net[i].s);
	for (uint32_t i = 0; i < p->nfn; i++) {
		free(p->fn[i].module);
		free(p->fn[i].name);
		free(p->fn[i].kargs);
	}
	for (uint32_t i = 0; i < p->nset; i++) {
		free(p->set[i].module);
		free(p->set[i].name);
		free(p->set[i].val.s);
	}
	free(p->set);
	for (uint32_t i = 0; i < p->nrt; i++)
		free(p->rt[i].name);
	for (uint32_t i = 0; i < p->nj; i++)
		free(p->j[i].cases);
	for (uint32_t i = 0; i < p->nfiles; i++)
		free(p->files[i].s);
	free(p->k);
	free(p->p);
	free(p->f);
	free(p->x);
	free(p->net);
	free(p->fn);
	free(p->rt);
	free(p->j);
	free(p->code);
	free(p->lines);
	free(p->files);
	free(p);
}

int vm_prog_add_const_int(vm_prog *p, int32_t i)
{
	for (uint32_t n = 0; n < p->nk; n++)
		if (p->k[n].kind == VM_INT && p->k[n].i == i)
			return (int)n;
	if (GROW(p, k) < 0)
		return -1;
	p->k[p->nk] = (vm_const){ .kind = VM_INT, .i = i };
	return (int)p->nk++;
}

int vm_prog_add_const_str(vm_prog *p, const char *s, size_t len)
{
	if (len > 0xFFFFFFFEu)
		return -1;
	for (uint32_t n = 0; n < p->nk; n++)
		if (p->k[n].kind == VM_STR && p->k[n].len == len &&
				memcmp(p->k[n].s, s, len) == 0)
			return (int)n;
	char *d = dup_bytes(s, len);
	if (!d || GROW(p, k) < 0) {
		free(d);
		return -1;
	}
	p->k[p->nk] = (vm_const){ .kind = VM_STR, .s = d, .len = (uint32_t)len };
	return (int)p->nk++;
}

/* Find or add text[0..len) in one of the text tables (P, F, N, files). */
static int add_text(vm_text **arr, uint32_t *n, uint32_t *cap, const char *text, size_t len)
{
	if (len > 0xFFFFFFFEu || memchr(text, '\0', len))
		return -1;
	for (uint32_t i = 0; i < *n; i++)
		if ((*arr)[i].len == len && memcmp((*arr)[i].s, text, len) == 0)
			return (int)i;
	char *d = dup_bytes(text, len);
	if (!d || grow((void **)arr, *n, cap, sizeof(**arr)) < 0) {
		free(d);
		return -1;
	}
	(*arr)[*n] = (vm_text){ d, (uint32_t)len };
	return (int)(*n)++;
}

int vm_prog_add_pv(vm_prog *p, const char *text, size_t len)
{
	return add_text(&p->p, &p->np, &p->cap_p, text, len);
}

int vm_prog_add_format(vm_prog *p, const char *text, size_t len)
{
	return add_text(&p->f, &p->nf, &p->cap_f, text, len);
}

int vm_prog_add_net(vm_prog *p, const char *text, size_t len)
{
	return add_text(&p->net, &p->nnet, &p->cap_net, text, len);
}

int vm_prog_add_file(vm_prog *p, const char *name)
{
	return add_text(&p->files, &p->nfiles, &p->cap_files, name, strlen(name));
}

int vm_prog_add_regex(vm_prog *p, const char *src, size_t len, uint32_t flags)
{
	if (len > 0xFFFFFFFEu || memchr(src, '\0', len) || (flags & ~VM_RE_KNOWN))
		return -1;
	for (uint32_t i = 0; i < p->nx; i++)
		if (p->x[i].flags == flags && p->x[i].len == len &&
				memcmp(p->x[i].src, src, len) == 0)
			return (int)i;
	char *d = dup_bytes(src, len);
	if (!d || GROW(p, x) < 0) {
		free(d);
		return -1;
	}
	p->x[p->nx] = (vm_regex_src){ d, (uint32_t)len, flags };
	return (int)p->nx++;
}

int vm_prog_add_fn(vm_prog *p, const char *module, const char *name, unsigned nargs)
{
	return vm_prog_add_fn_k(p, module, name, nargs, NULL);
}

/* Whether two kargs arrays of n entries say the same (NULL is all -1). */
static int kargs_same(const int32_t *a, const int32_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if ((a ? a[i] : -1) != (b ? b[i] : -1))
			return 0;
	return 1;
}

int vm_prog_add_fn_k(vm_prog *p, const char *module, const char *name,
		unsigned nargs, const int32_t *kargs)
{
	if (nargs > 255)
		return -1;
	int any = 0;
	for (unsigned i = 0; kargs && i < nargs; i++) {
		if (kargs[i] < -1 || (kargs[i] >= 0 && (uint32_t)kargs[i] >= p->nk))
			return -1;
		any |= kargs[i] >= 0;
	}
	if (!any)
		kargs = NULL;
	for (uint32_t i = 0; i < p->nfn; i++)
		if (p->fn[i].nargs == nargs && strcmp(p->fn[i].module, module) == 0 &&
				strcmp(p->fn[i].name, name) == 0 &&
				kargs_same(p->fn[i].kargs, kargs, nargs))
			return (int)i;
	char *m = dup_bytes(module, strlen(module));
	char *n = dup_bytes(name, strlen(name));
	int32_t *k = NULL;
	if (kargs && (k = malloc(nargs * sizeof(*k))))
		memcpy(k, kargs, nargs * sizeof(*k));
	if (!m || !n || (kargs && !k) || GROW(p, fn) < 0) {
		free(m);
		free(n);
		free(k);
		return -1;
	}
	p->fn[p->nfn] = (vm_fnref){ m, n, nargs, k };
	return (int)p->nfn++;
}

int vm_prog_add_setting(vm_prog *p, const char *module, const char *name,
		const vm_const *val)
{
	if ((val->kind != VM_INT && val->kind != VM_STR) ||
			(val->kind == VM_STR && memchr(val->s, '\0', val->len)))
		return -1;
	char *m = dup_bytes(module, strlen(module));
	char *n = dup_bytes(name, strlen(name));
	char *v = val->kind == VM_STR ? dup_bytes(val->s, val->len) : NULL;
	if (!m || !n || (val->kind == VM_STR && !v) || GROW(p, set) < 0) {
		free(m);
		free(n);
		free(v);
		return -1;
	}
	p->set[p->nset] = (vm_setting){ m, n, { val->kind, val->i, v, val->kind == VM_STR ? val->len : 0 } };
	return (int)p->nset++;
}

int vm_prog_line(const vm_prog *p, uint32_t pc, uint32_t *line)
{
	uint32_t lo = 0, hi = p->nlines;
	/* the last entry whose pc <= pc */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	*line = lo ? p->lines[lo - 1].line : 0;
	return lo ? (int)p->lines[lo - 1].file : -1;
}

int vm_prog_route(vm_prog *p, uint32_t type, const char *name)
{
	if (!type || (type & ~0x3FFu))
		return -1;
	for (uint32_t i = 0; i < p->nrt; i++)
		if (p->rt[i].type == type && strcmp(p->rt[i].name, name) == 0)
			return (int)i;
	char *d = dup_bytes(name, strlen(name));
	if (!d || GROW(p, rt) < 0) {
		free(d);
		return -1;
	}
	p->rt[p->nrt] = (vm_route){ .type = type, .name = d };
	return (int)p->nrt++;
}

int vm_prog_begin_route(vm_prog *p, int rt)
{
	if (p->cur_route >= 0 || rt < 0 || (uint32_t)rt >= p->nrt || p->rt[rt].defined)
		return -1;
	p->rt[rt].defined = 1;
	p->rt[rt].first = p->ncode;
	p->rt[rt].count = 0;
	p->cur_route = rt;
	return 0;
}

int vm_prog_end_route(vm_prog *p, unsigned nregs)
{
	if (p->cur_route < 0 || nregs > 256)
		return -1;
	vm_route *r = &p->rt[p->cur_route];
	r->count = p->ncode - r->first;
	r->nregs = nregs;
	p->cur_route = -1;
	return 0;
}

int vm_prog_emit(vm_prog *p, vm_insn insn, int file, uint32_t line)
{
	if (p->cur_route < 0 || file < 0 || (uint32_t)file >= p->nfiles)
		return -1;
	if (GROW(p, code) < 0)
		return -1;
	if (!p->nlines || p->lines[p->nlines - 1].file != (uint32_t)file ||
			p->lines[p->nlines - 1].line != line) {
		if (GROW(p, lines) < 0)
			return -1;
		p->lines[p->nlines++] = (vm_lineinfo){ p->ncode, (uint32_t)file, line };
	}
	p->code[p->ncode++] = insn;
	return (int)(p->ncode - 1 - p->rt[p->cur_route].first);
}

int vm_prog_pc(const vm_prog *p)
{
	if (p->cur_route < 0)
		return -1;
	return (int)(p->ncode - p->rt[p->cur_route].first);
}

int vm_prog_patch_jump(vm_prog *p, int at, int target)
{
	int n = vm_prog_pc(p);
	if (n < 0 || at < 0 || at >= n || target < 0)
		return -1;
	vm_insn *i = &p->code[p->rt[p->cur_route].first + (uint32_t)at];
	unsigned op = VM_GET_OP(*i);
	if (op >= VM_OP__COUNT || vm_opinfo_table[op].b != VM_OPND_T)
		return -1;
	long sbx = (long)target - at - 1;
	if (sbx < VM_SBX_MIN || sbx > VM_SBX_MAX)
		return -1;
	*i = VM_ASBX(op, VM_GET_A(*i), (int)sbx);
	return 0;
}

int vm_prog_add_jtab(vm_prog *p)
{
	if (GROW(p, j) < 0)
		return -1;
	p->j[p->nj] = (vm_jtab){ 0 };
	return (int)p->nj++;
}

int vm_prog_add_case(vm_prog *p, int jtab, int kind, int32_t key, uint32_t target)
{
	if (jtab < 0 || (uint32_t)jtab >= p->nj || kind < VM_CASE_INT || kind > VM_CASE_REGEX)
		return -1;
	vm_jtab *t = &p->j[jtab];
	if (grow((void **)&t->cases, t->ncases, &t->cap, sizeof(*t->cases)) < 0)
		return -1;
	t->cases[t->ncases] = (vm_case){ (uint8_t)kind, key, target };
	return (int)t->ncases++;
}

int vm_prog_set_default(vm_prog *p, int jtab, uint32_t target)
{
	if (jtab < 0 || (uint32_t)jtab >= p->nj)
		return -1;
	p->j[jtab].dflt = target;
	return 0;
}

/* ------------------------------------------------------------------------
 * The checker
 * ------------------------------------------------------------------------ */

static const char *const table_noun[] = {
	[VM_OPND_K] = "constant", [VM_OPND_P] = "pseudo-variable",
	[VM_OPND_F] = "format", [VM_OPND_X] = "regex", [VM_OPND_N] = "network",
	[VM_OPND_FN] = "function", [VM_OPND_RT] = "route",
	[VM_OPND_J] = "jump table",
};

/* Size of the table an operand kind indexes. */
static uint32_t table_size(const vm_prog *p, int kind)
{
	switch (kind) {
	case VM_OPND_K: return p->nk;
	case VM_OPND_P: return p->np;
	case VM_OPND_F: return p->nf;
	case VM_OPND_X: return p->nx;
	case VM_OPND_N: return p->nnet;
	case VM_OPND_FN: return p->nfn;
	case VM_OPND_RT: return p->nrt;
	case VM_OPND_J: return p->nj;
	}
	return 0;
}

/* Check one operand of instruction pc (route-relative) of route r. 0, or
 * -1 with the message in err. */
static int check_operand(const vm_prog *p, const vm_route *r, uint32_t pc,
		vm_insn insn, char field, int kind, unsigned v, char *err, size_t errlen)
{
	char lab[300];
	const char *name = vm_opinfo_table[VM_GET_OP(insn)].name;
	vm_route_label(r, lab, sizeof(lab));
	switch (kind) {
	case VM_OPND__:
		if (v) {
			snprintf(err, errlen, "%s: instruction %u (%s) has %u in its unused operand %c",
					lab, pc, name, v, field);
			return -1;
		}
		return 0;
	case VM_OPND_I:
		return 0;
	case VM_OPND_R:
		if (v >= r->nregs) {
			snprintf(err, errlen, "%s: instruction %u (%s) uses register %u of %u",
					lab, pc, name, v, r->nregs);
			return -1;
		}
		return 0;
	case VM_OPND_T: {
		long to = (long)pc + 1 + ((long)v - VM_SBX_BIAS);
		if (to < 0 || to >= (long)r->count) {
			snprintf(err, errlen, "%s: instruction %u (%s) jumps to %ld, outside the route (%u instructions)",
					lab, pc, name, to, r->count);
			return -1;
		}
		return 0;
	}
	default: {
		uint32_t n = table_size(p, kind);
		if (v >= n) {
			snprintf(err, errlen, "%s: instruction %u (%s) refers to %s %u of %u",
					lab, pc, name, table_noun[kind], v, n);
			return -1;
		}
		return 0;
	}
	}
}

/* Check jump table j, used by the SWITCH at pc of route r. */
static int check_jtab(const vm_prog *p, const vm_route *r, uint32_t pc, uint32_t j,
		char *err, size_t errlen)
{
	char lab[300];
	const vm_jtab *t = &p->j[j];
	int ints = 0, strs = 0;
	vm_route_label(r, lab, sizeof(lab));
	if (t->dflt >= r->count) {
		snprintf(err, errlen, "%s: instruction %u (SWITCH): jump table %u's default goes to %u, outside the route (%u instructions)",
				lab, pc, j, t->dflt, r->count);
		return -1;
	}
	for (uint32_t i = 0; i < t->ncases; i++) {
		const vm_case *c = &t->cases[i];
		const char *bad = NULL;
		if (c->target >= r->count) {
			snprintf(err, errlen, "%s: instruction %u (SWITCH): jump table %u, case %u goes to %u, outside the route (%u instructions)",
					lab, pc, j, i, c->target, r->count);
			return -1;
		}
		switch (c->kind) {
		case VM_CASE_INT:
			ints = 1;
			break;
		case VM_CASE_STR:
			strs = 1;
			if (c->key < 0 || (uint32_t)c->key >= p->nk || p->k[c->key].kind != VM_STR)
				bad = "string constant";
			break;
		case VM_CASE_REGEX:
			strs = 1;
			if (c->key < 0 || (uint32_t)c->key >= p->nx)
				bad = "regex";
			break;
		default:
			snprintf(err, errlen, "jump table %u, case %u: unknown kind %u", j, i, c->kind);
			return -1;
		}
		if (bad) {
			snprintf(err, errlen, "jump table %u, case %u refers to %s %d, not in the table",
					j, i, bad, c->key);
			return -1;
		}
	}
	if (ints && strs) {
		snprintf(err, errlen, "jump table %u mixes int and string or regex cases", j);
		return -1;
	}
	return 0;
}

/* The instructions that may end a route's code. */
static int is_terminator(unsigned op)
{
	return op == VM_OP_RETURN || op == VM_OP_LEAVE || op == VM_OP_EXIT ||
		op == VM_OP_DROP || op == VM_OP_JMP;
}

/* Order of routes by type, then name (for qsort). */
static int route_cmp(const void *a, const void *b)
{
	const vm_route *x = *(const vm_route *const *)a, *y = *(const vm_route *const *)b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* No two routes of one type share a name (sorted, so that a large image
 * costs n log n, not n squared). 0, or -1 with the message in err. */
static int check_unique_routes(const vm_prog *p, char *err, size_t errlen)
{
	char lab[300];
	if (p->nrt < 2)
		return 0;
	const vm_route **v = malloc(sizeof(*v) * p->nrt);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < p->nrt; i++)
		v[i] = &p->rt[i];
	qsort(v, p->nrt, sizeof(*v), route_cmp);
	for (uint32_t i = 1; i < p->nrt; i++)
		if (route_cmp(&v[i - 1], &v[i]) == 0) {
			snprintf(err, errlen, "%s: defined twice", vm_route_label(v[i], lab, sizeof(lab)));
			free(v);
			return -1;
		}
	free(v);
	return 0;
}

int vm_prog_check(const vm_prog *p, char *err, size_t errlen)
{
	char lab[300];
	uint32_t *owner = NULL, *jowner = NULL;
	int rc = -1;

	if (p->cur_route >= 0) {
		snprintf(err, errlen, "%s: still being built",
				vm_route_label(&p->rt[p->cur_route], lab, sizeof(lab)));
		return -1;
	}
	for (uint32_t i = 0; i < p->nk; i++)
		if (p->k[i].kind != VM_INT && p->k[i].kind != VM_STR) {
			snprintf(err, errlen, "constant %u: unknown kind %u", i, p->k[i].kind);
			return -1;
		}
	for (uint32_t i = 0; i < p->nx; i++)
		if (p->x[i].flags & ~VM_RE_KNOWN) {
			snprintf(err, errlen, "regex %u: unknown flags 0x%x", i, p->x[i].flags);
			return -1;
		}
	for (uint32_t i = 0; i < p->nfn; i++)
		if (p->fn[i].nargs > 255 || !p->fn[i].name[0]) {
			snprintf(err, errlen, "function %u: %s", i,
					p->fn[i].name[0] ? "more than 255 arguments" : "no name");
			return -1;
		}
	for (uint32_t i = 0; i < p->nfn; i++)
		for (uint32_t a = 0; p->fn[i].kargs && a < p->fn[i].nargs; a++)
			if (p->fn[i].kargs[a] < -1 || (p->fn[i].kargs[a] >= 0 &&
					(uint32_t)p->fn[i].kargs[a] >= p->nk)) {
				snprintf(err, errlen, "function %u: argument %u names constant %d of %u",
						i, a + 1, p->fn[i].kargs[a], p->nk);
				return -1;
			}

	/* Which route owns each instruction: every one belongs to exactly one. */
	if (p->ncode) {
		owner = malloc(sizeof(*owner) * p->ncode);
		if (!owner) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memset(owner, 0xFF, sizeof(*owner) * p->ncode);
	}
	if (p->nj) {
		jowner = malloc(sizeof(*jowner) * p->nj);
		if (!jowner) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		memset(jowner, 0xFF, sizeof(*jowner) * p->nj);
	}
	for (uint32_t ri = 0; ri < p->nrt; ri++) {
		const vm_route *r = &p->rt[ri];
		vm_route_label(r, lab, sizeof(lab));
		if (!r->type || (r->type & ~0x3FFu)) {
			snprintf(err, errlen, "%s: bad route type 0x%x", lab, r->type);
			goto out;
		}
		if (r->nregs > 256) {
			snprintf(err, errlen, "%s: %u registers (at most 256)", lab, r->nregs);
			goto out;
		}
		if (!r->count) {
			snprintf(err, errlen, "%s: has no code", lab);
			goto out;
		}
		if (r->first > p->ncode || r->count > p->ncode - r->first) {
			snprintf(err, errlen, "%s: code %u+%u is not inside the %u instructions",
					lab, r->first, r->count, p->ncode);
			goto out;
		}
		for (uint32_t pc = 0; pc < r->count; pc++) {
			uint32_t g = r->first + pc;
			if (owner[g] != 0xFFFFFFFFu) {
				snprintf(err, errlen, "%s: instruction %u also belongs to another route", lab, pc);
				goto out;
			}
			owner[g] = ri;
			vm_insn insn = p->code[g];
			unsigned op = VM_GET_OP(insn);
			if (op >= VM_OP__COUNT) {
				snprintf(err, errlen, "%s: instruction %u has unknown opcode %u", lab, pc, op);
				goto out;
			}
			const vm_opinfo *oi = &vm_opinfo_table[op];
			if (check_operand(p, r, pc, insn, 'A', oi->a, VM_GET_A(insn), err, errlen) < 0)
				goto out;
			if (oi->fmt == VM_FMT_ABC || oi->fmt == VM_FMT_A) {
				if (check_operand(p, r, pc, insn, 'B', oi->b, VM_GET_B(insn), err, errlen) < 0 ||
						check_operand(p, r, pc, insn, 'C', oi->c, VM_GET_C(insn), err, errlen) < 0)
					goto out;
			} else if (check_operand(p, r, pc, insn, 'B', oi->b, VM_GET_BX(insn), err, errlen) < 0) {
				goto out;
			}
			if (op == VM_OP_CALL) {
				uint32_t nargs = p->fn[VM_GET_BX(insn)].nargs;
				if (VM_GET_A(insn) + nargs >= r->nregs) {
					snprintf(err, errlen, "%s: instruction %u (CALL) passes %u arguments from register %u, beyond its %u registers",
							lab, pc, nargs, VM_GET_A(insn) + 1, r->nregs);
					goto out;
				}
			}
			if (op == VM_OP_SWITCH) {
				uint32_t j = VM_GET_BX(insn);
				if (jowner[j] != 0xFFFFFFFFu && jowner[j] != ri) {
					snprintf(err, errlen, "%s: instruction %u (SWITCH): jump table %u is used by another route", lab, pc, j);
					goto out;
				}
				jowner[j] = ri;
				if (check_jtab(p, r, pc, j, err, errlen) < 0)
					goto out;
			}
		}
		if (!is_terminator(VM_GET_OP(p->code[r->first + r->count - 1]))) {
			snprintf(err, errlen, "%s: its code does not end in RETURN, LEAVE, EXIT, DROP or JMP", lab);
			goto out;
		}
	}
	if (check_unique_routes(p, err, errlen) < 0)
		goto out;
	for (uint32_t g = 0; g < p->ncode; g++)
		if (owner[g] == 0xFFFFFFFFu) {
			snprintf(err, errlen, "instruction %u of the code belongs to no route", g);
			goto out;
		}
	for (uint32_t j = 0; j < p->nj; j++)
		if (jowner[j] == 0xFFFFFFFFu) {
			snprintf(err, errlen, "jump table %u is used by no SWITCH", j);
			goto out;
		}
	if (p->ncode && (!p->nlines || p->lines[0].pc != 0)) {
		snprintf(err, errlen, "line table does not start at instruction 0");
		goto out;
	}
	for (uint32_t i = 0; i < p->nlines; i++) {
		const vm_lineinfo *l = &p->lines[i];
		if (l->pc >= p->ncode || (i && l->pc <= p->lines[i - 1].pc)) {
			snprintf(err, errlen, "line table entry %u: instruction %u is %s", i, l->pc,
					l->pc >= p->ncode ? "past the code" : "not after the previous entry's");
			goto out;
		}
		if (l->file >= p->nfiles) {
			snprintf(err, errlen, "line table entry %u refers to file %u of %u", i, l->file, p->nfiles);
			goto out;
		}
	}
	rc = 0;
out:
	free(owner);
	free(jowner);
	return rc;
}

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------ */

typedef struct {
	unsigned char *b;
	size_t n, cap;
	int oom;
} wbuf;

/* Append len bytes to w (remembering a failed allocation in w->oom). */
static void w_bytes(wbuf *w, const void *d, size_t len)
{
	if (w->oom)
		return;
	if (w->n + len > w->cap) {
		size_t ncap = w->cap ? w->cap : 256;
		while (ncap < w->n + len)
			ncap *= 2;
		unsigned char *q = realloc(w->b, ncap);
		if (!q) {
			w->oom = 1;
			return;
		}
		w->b = q;
		w->cap = ncap;
	}
	if (len)
		memcpy(w->b + w->n, d, len);
	w->n += len;
}

static void w_u8(wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(wbuf *w, uint16_t v)
{
	unsigned char b[2] = { v & 0xFF, v >> 8 };
	w_bytes(w, b, 2);
}

static void w_u32(wbuf *w, uint32_t v)
{
	unsigned char b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };
	w_bytes(w, b, 4);
}

static void w_str(wbuf *w, const char *s, uint32_t len)
{
	w_u32(w, len);
	w_bytes(w, s, len);
}

/* Patch a u32 at offset off (already written). */
static void w_put32(wbuf *w, size_t off, uint32_t v)
{
	if (w->oom)
		return;
	w->b[off] = v & 0xFF;
	w->b[off + 1] = (v >> 8) & 0xFF;
	w->b[off + 2] = (v >> 16) & 0xFF;
	w->b[off + 3] = v >> 24;
}

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TAG_FILE TAG('F', 'I', 'L', 'E')
#define TAG_KONS TAG('K', 'O', 'N', 'S')
#define TAG_PVAR TAG('P', 'V', 'A', 'R')
#define TAG_FRMT TAG('F', 'R', 'M', 'T')
#define TAG_REGX TAG('R', 'E', 'G', 'X')
#define TAG_NETS TAG('N', 'E', 'T', 'S')
#define TAG_FUNC TAG('F', 'U', 'N', 'C')
#define TAG_ROUT TAG('R', 'O', 'U', 'T')
#define TAG_JTAB TAG('J', 'T', 'A', 'B')
#define TAG_CODE TAG('C', 'O', 'D', 'E')
#define TAG_LINE TAG('L', 'I', 'N', 'E')
#define TAG_SETS TAG('S', 'E', 'T', 'S')

/* Start a section: its tag, a length patched by sec_end, its count. */
static size_t sec_begin(wbuf *w, uint32_t tag, uint32_t count)
{
	w_u32(w, tag);
	size_t at = w->n;
	w_u32(w, 0);
	w_u32(w, count);
	return at;
}

static void sec_end(wbuf *w, size_t at)
{
	w_put32(w, at, (uint32_t)(w->n - at - 4));
}

static void w_texts(wbuf *w, uint32_t tag, const vm_text *t, uint32_t n)
{
	size_t at = sec_begin(w, tag, n);
	for (uint32_t i = 0; i < n; i++)
		w_str(w, t[i].s, t[i].len);
	sec_end(w, at);
}

int vm_image_encode(const vm_prog *p, unsigned char **out, size_t *outlen)
{
	wbuf w = { 0 };
	size_t at;

	w_bytes(&w, "SVB", 4);
	w_u16(&w, VM_IMAGE_VERSION);
	w_u16(&w, 0);
	w_texts(&w, TAG_FILE, p->files, p->nfiles);
	at = sec_begin(&w, TAG_KONS, p->nk);
	for (uint32_t i = 0; i < p->nk; i++) {
		w_u8(&w, p->k[i].kind);
		if (p->k[i].kind == VM_STR)
			w_str(&w, p->k[i].s, p->k[i].len);
		else
			w_u32(&w, (uint32_t)p->k[i].i);
	}
	sec_end(&w, at);
	w_texts(&w, TAG_PVAR, p->p, p->np);
	w_texts(&w, TAG_FRMT, p->f, p->nf);
	at = sec_begin(&w, TAG_REGX, p->nx);
	for (uint32_t i = 0; i < p->nx; i++) {
		w_u32(&w, p->x[i].flags);
		w_str(&w, p->x[i].src, p->x[i].len);
	}
	sec_end(&w, at);
	w_texts(&w, TAG_NETS, p->net, p->nnet);
	at = sec_begin(&w, TAG_FUNC, p->nfn);
	for (uint32_t i = 0; i < p->nfn; i++) {
		w_str(&w, p->fn[i].module, (uint32_t)strlen(p->fn[i].module));
		w_str(&w, p->fn[i].name, (uint32_t)strlen(p->fn[i].name));
		w_u32(&w, p->fn[i].nargs);
		w_u8(&w, p->fn[i].kargs != NULL);
		for (uint32_t a = 0; p->fn[i].kargs && a < p->fn[i].nargs; a++)
			w_u32(&w, (uint32_t)p->fn[i].kargs[a]);
	}
	sec_end(&w, at);
	at = sec_begin(&w, TAG_SETS, p->nset);
	for (uint32_t i = 0; i < p->nset; i++) {
		const vm_setting *st = &p->set[i];
		w_str(&w, st->module, (uint32_t)strlen(st->module));
		w_str(&w, st->name, (uint32_t)strlen(st->name));
		w_u8(&w, st->val.kind);
		if (st->val.kind == VM_STR)
			w_str(&w, st->val.s, st->val.len);
		else
			w_u32(&w, (uint32_t)st->val.i);
	}
	sec_end(&w, at);
	at = sec_begin(&w, TAG_ROUT, p->nrt);
	for (uint32_t i = 0; i < p->nrt; i++) {
		const vm_route *r = &p->rt[i];
		w_u32(&w, r->type);
		w_str(&w, r->name, (uint32_t)strlen(r->name));
		w_u32(&w, r->first);
		w_u32(&w, r->count);
		w_u32(&w, r->nregs);
	}
	sec_end(&w, at);
	at = sec_begin(&w, TAG_JTAB, p->nj);
	for (uint32_t i = 0; i < p->nj; i++) {
		const vm_jtab *t = &p->j[i];
		w_u32(&w, t->dflt);
		w_u32(&w, t->ncases);
		for (uint32_t c = 0; c < t->ncases; c++) {
			w_u8(&w, t->cases[c].kind);
			w_u32(&w, (uint32_t)t->cases[c].key);
			w_u32(&w, t->cases[c].target);
		}
	}
	sec_end(&w, at);
	at = sec_begin(&w, TAG_CODE, p->ncode);
	for (uint32_t i = 0; i < p->ncode; i++)
		w_u32(&w, p->code[i]);
	sec_end(&w, at);
	at = sec_begin(&w, TAG_LINE, p->nlines);
	for (uint32_t i = 0; i < p->nlines; i++) {
		w_u32(&w, p->lines[i].pc);
		w_u32(&w, p->lines[i].file);
		w_u32(&w, p->lines[i].line);
	}
	sec_end(&w, at);
	if (w.oom) {
		free(w.b);
		return -1;
	}
	*out = w.b;
	*outlen = w.n;
	return 0;
}

int vm_image_write(const vm_prog *p, FILE *f)
{
	unsigned char *b;
	size_t n;
	if (vm_image_encode(p, &b, &n) < 0)
		return -1;
	int rc = fwrite(b, 1, n, f) == n ? 0 : -1;
	free(b);
	return rc;
}

/* ------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------ */

/* A cursor over one section's payload; the first error sticks in err. */
typedef struct {
	const unsigned char *b;
	size_t n, pos;
	const char *sec;    /* section name for messages */
	char *err;
	size_t errlen;
	int failed;
} rbuf;

/* Record "section X: ..." as the error (only the first one is kept). */
static void r_fail(rbuf *r, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->errlen, "section %s: %s", r->sec, what);
	r->failed = 1;
}

/* Whether n more bytes are there; if not, fail with "truncated". */
static int r_need(rbuf *r, size_t n, const char *what)
{
	if (r->failed)
		return 0;
	if (r->n - r->pos < n) {
		char m[120];
		snprintf(m, sizeof(m), "truncated in %s (needs %zu bytes, %zu left)", what, n, r->n - r->pos);
		r_fail(r, m);
		return 0;
	}
	return 1;
}

static uint8_t r_u8(rbuf *r, const char *what)
{
	if (!r_need(r, 1, what))
		return 0;
	return r->b[r->pos++];
}

static uint32_t r_u32(rbuf *r, const char *what)
{
	if (!r_need(r, 4, what))
		return 0;
	const unsigned char *b = r->b + r->pos;
	r->pos += 4;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* A string: a malloc'd NUL-terminated copy in *s, its length in *len.
 * Unless nul_ok, embedded NUL bytes are refused. */
static int r_str(rbuf *r, char **s, uint32_t *len, int nul_ok, const char *what)
{
	*s = NULL;
	uint32_t n = r_u32(r, what);
	if (!r_need(r, n, what))
		return -1;
	if (!nul_ok && memchr(r->b + r->pos, '\0', n)) {
		char m[120];
		snprintf(m, sizeof(m), "%s holds a NUL byte", what);
		r_fail(r, m);
		return -1;
	}
	*s = dup_bytes((const char *)r->b + r->pos, n);
	if (!*s) {
		r_fail(r, "out of memory");
		return -1;
	}
	r->pos += n;
	if (len)
		*len = n;
	return 0;
}

/* Read the entry count of a section and allocate its array (*arr, elements
 * of size sz, each taking at least minsz bytes of the image). The count is
 * refused when the rest of the payload cannot hold that many entries. */
static int r_count(rbuf *r, void **arr, uint32_t *n, uint32_t *cap, size_t sz, size_t minsz)
{
	uint32_t c = r_u32(r, "the count");
	if (r->failed)
		return -1;
	if (c > (r->n - r->pos) / minsz) {
		char m[120];
		snprintf(m, sizeof(m), "count %u does not fit in the %zu bytes left", c, r->n - r->pos);
		r_fail(r, m);
		return -1;
	}
	*n = 0;
	if (!c)
		return 0;
	*arr = calloc(c, sz);
	if (!*arr) {
		r_fail(r, "out of memory");
		return -1;
	}
	*cap = c;
	return (int)c;
}

#define R_COUNT(r, p, name, minsz) \
	r_count(r, (void **)&(p)->name, &(p)->n##name, &(p)->cap_##name, sizeof(*(p)->name), minsz)

static void r_texts(rbuf *r, vm_text **arr, uint32_t *n, uint32_t *cap, const char *what)
{
	int c = r_count(r, (void **)arr, n, cap, sizeof(**arr), 4);
	for (int i = 0; i < c && !r->failed; i++) {
		if (r_str(r, &(*arr)[i].s, &(*arr)[i].len, 0, what) < 0)
			break;
		(*n)++;
	}
}

/* Parse one section's payload into p. */
static void r_section(rbuf *r, vm_prog *p, uint32_t tag)
{
	int c;
	switch (tag) {
	case TAG_FILE:
		r_texts(r, &p->files, &p->nfiles, &p->cap_files, "a file name");
		break;
	case TAG_PVAR:
		r_texts(r, &p->p, &p->np, &p->cap_p, "a pseudo-variable");
		break;
	case TAG_FRMT:
		r_texts(r, &p->f, &p->nf, &p->cap_f, "a format");
		break;
	case TAG_NETS:
		r_texts(r, &p->net, &p->nnet, &p->cap_net, "a network");
		break;
	case TAG_KONS:
		c = R_COUNT(r, p, k, 5);
		for (int i = 0; i < c && !r->failed; i++) {
			vm_const *k = &p->k[i];
			k->kind = r_u8(r, "a constant's kind");
			if (k->kind == VM_STR) {
				if (r_str(r, &k->s, &k->len, 1, "a string constant") < 0)
					break;
			} else if (k->kind == VM_INT) {
				k->i = (int32_t)r_u32(r, "an int constant");
			} else if (!r->failed) {
				char m[80];
				snprintf(m, sizeof(m), "constant %d has unknown kind %u", i, k->kind);
				r_fail(r, m);
			}
			if (!r->failed)
				p->nk++;
		}
		break;
	case TAG_REGX:
		c = R_COUNT(r, p, x, 8);
		for (int i = 0; i < c && !r->failed; i++) {
			p->x[i].flags = r_u32(r, "a regex's flags");
			if (r_str(r, &p->x[i].src, &p->x[i].len, 0, "a regex") < 0)
				break;
			p->nx++;
		}
		break;
	case TAG_FUNC:
		c = R_COUNT(r, p, fn, 12);
		for (int i = 0; i < c && !r->failed; i++) {
			vm_fnref *f = &p->fn[i];
			if (r_str(r, &f->module, NULL, 0, "a module name") < 0)
				break;
			if (r_str(r, &f->name, NULL, 0, "a function name") < 0) {
				free(f->module);
				f->module = NULL;
				break;
			}
			f->nargs = r_u32(r, "a function's nargs");
			p->nfn++;
			if (r_u8(r, "a function's constant-argument flag") && !r->failed) {
				if (f->nargs > 255 || !r_need(r, (size_t)f->nargs * 4, "constant arguments"))
					break;
				if (f->nargs && !(f->kargs = malloc(f->nargs * sizeof(*f->kargs)))) {
					r_fail(r, "out of memory");
					break;
				}
				for (uint32_t a = 0; a < f->nargs; a++)
					f->kargs[a] = (int32_t)r_u32(r, "a constant argument");
			}
		}
		break;
	case TAG_ROUT:
		c = R_COUNT(r, p, rt, 20);
		for (int i = 0; i < c && !r->failed; i++) {
			vm_route *rt = &p->rt[i];
			rt->type = r_u32(r, "a route's type");
			if (r_str(r, &rt->name, NULL, 0, "a route name") < 0)
				break;
			p->nrt++;
			rt->first = r_u32(r, "a route's first instruction");
			rt->count = r_u32(r, "a route's instruction count");
			rt->nregs = r_u32(r, "a route's register count");
			rt->defined = 1;
		}
		break;
	case TAG_JTAB:
		c = R_COUNT(r, p, j, 8);
		for (int i = 0; i < c && !r->failed; i++) {
			vm_jtab *t = &p->j[i];
			p->nj++;
			t->dflt = r_u32(r, "a jump table's default");
			uint32_t n = r_u32(r, "a jump table's count");
			if (r->failed)
				break;
			if (n > (r->n - r->pos) / 9) {
				r_fail(r, "a jump table's count does not fit in the bytes left");
				break;
			}
			if (n && !(t->cases = calloc(n, sizeof(*t->cases)))) {
				r_fail(r, "out of memory");
				break;
			}
			t->cap = n;
			for (uint32_t e = 0; e < n && !r->failed; e++) {
				t->cases[e].kind = r_u8(r, "a case");
				t->cases[e].key = (int32_t)r_u32(r, "a case");
				t->cases[e].target = r_u32(r, "a case");
				t->ncases++;
			}
		}
		break;
	case TAG_SETS:
		c = R_COUNT(r, p, set, 13);
		for (int i = 0; i < c && !r->failed; i++) {
			vm_setting *st = &p->set[i];
			if (r_str(r, &st->module, NULL, 0, "a setting's module") < 0)
				break;
			if (r_str(r, &st->name, NULL, 0, "a setting's name") < 0) {
				free(st->module);
				break;
			}
			p->nset++;
			st->val.kind = r_u8(r, "a setting's kind");
			if (st->val.kind == VM_STR) {
				if (r_str(r, &st->val.s, &st->val.len, 0, "a setting's value") < 0)
					break;
			} else if (st->val.kind == VM_INT) {
				st->val.i = (int32_t)r_u32(r, "a setting's value");
			} else if (!r->failed) {
				r_fail(r, "a setting has an unknown kind");
			}
		}
		break;
	case TAG_CODE:
		c = R_COUNT(r, p, code, 4);
		for (int i = 0; i < c && !r->failed; i++)
			p->code[p->ncode++] = r_u32(r, "an instruction");
		break;
	case TAG_LINE:
		c = R_COUNT(r, p, lines, 12);
		for (int i = 0; i < c && !r->failed; i++) {
			p->lines[i].pc = r_u32(r, "a line entry");
			p->lines[i].file = r_u32(r, "a line entry");
			p->lines[i].line = r_u32(r, "a line entry");
			p->nlines++;
		}
		break;
	}
	if (!r->failed && r->pos != r->n) {
		char m[80];
		snprintf(m, sizeof(m), "%zu bytes left over after its entries", r->n - r->pos);
		r_fail(r, m);
	}
}

static const struct {
	uint32_t tag;
	const char *name;
} sections[] = {
	{ TAG_FILE, "FILE" }, { TAG_KONS, "KONS" }, { TAG_PVAR, "PVAR" },
	{ TAG_FRMT, "FRMT" }, { TAG_REGX, "REGX" }, { TAG_NETS, "NETS" },
	{ TAG_FUNC, "FUNC" }, { TAG_ROUT, "ROUT" }, { TAG_JTAB, "JTAB" },
	{ TAG_CODE, "CODE" }, { TAG_LINE, "LINE" }, { TAG_SETS, "SETS" },
};

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int vm_image_read(const void *buf, size_t len, vm_prog **out, char *err, size_t errlen)
{
	const unsigned char *b = buf;
	unsigned seen = 0;
	size_t pos = 8;
	vm_prog *p;

	*out = NULL;
	if (len < 8 || memcmp(b, "SVB", 4) != 0) {
		snprintf(err, errlen, "not a sipvm bytecode image (%s)",
				len < 4 || memcmp(b, "SVB", 4) != 0 ? "no SVB magic" : "truncated header");
		return -1;
	}
	unsigned version = b[4] | b[5] << 8, flags = b[6] | b[7] << 8;
	if (version != VM_IMAGE_VERSION) {
		snprintf(err, errlen, "image version %u, this sipvm reads version %u", version, VM_IMAGE_VERSION);
		return -1;
	}
	if (flags) {
		snprintf(err, errlen, "image has unknown flags 0x%x", flags);
		return -1;
	}
	if (!(p = vm_prog_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (pos < len) {
		if (len - pos < 8) {
			snprintf(err, errlen, "truncated section header at offset %zu", pos);
			goto fail;
		}
		uint32_t tag = get32(b + pos), slen = get32(b + pos + 4);
		size_t si;
		for (si = 0; si < sizeof(sections) / sizeof(sections[0]); si++)
			if (sections[si].tag == tag)
				break;
		if (si == sizeof(sections) / sizeof(sections[0])) {
			snprintf(err, errlen, "unknown section tag 0x%08x at offset %zu", tag, pos);
			goto fail;
		}
		if (seen & (1u << si)) {
			snprintf(err, errlen, "section %s appears twice", sections[si].name);
			goto fail;
		}
		seen |= 1u << si;
		if (slen > len - pos - 8) {
			snprintf(err, errlen, "section %s: length %u runs past the end of the image (%zu bytes left)",
					sections[si].name, slen, len - pos - 8);
			goto fail;
		}
		rbuf r = { b + pos + 8, slen, 0, sections[si].name, err, errlen, 0 };
		r_section(&r, p, tag);
		if (r.failed)
			goto fail;
		pos += 8 + (size_t)slen;
	}
	for (size_t si = 0; si < sizeof(sections) / sizeof(sections[0]); si++)
		if (!(seen & (1u << si))) {
			snprintf(err, errlen, "section %s is missing (truncated image?)", sections[si].name);
			goto fail;
		}
	if (vm_prog_check(p, err, errlen) < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	vm_prog_free(p);
	return -1;
}
