/*
 * vm_value.c — run-time values, their conversions and every expression
 * operator, with Kamailio 5.6.3's semantics (language spec §6.3, §12).
 *
 * Ints are 32 bits and wrap: arithmetic is done on uint32_t and converted
 * back, so no operator has undefined behaviour whatever the operands. The
 * few places where 5.6.3 does something a C program must not copy (it dies
 * of SIGFPE on INT_MIN / -1 and INT_MIN mod -1) are said where they are
 * handled. Strings built by operators come from a vm_arena, a bump
 * allocator bounded by a cap; nothing else here allocates, except
 * vm_regex_compile (regcomp, and a copy of the pattern).
 */
#include <regex.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

/* ---- Errors ------------------------------------------------------------ */

/* A short message for a VM_E_* code ("unknown error" for anything else). */
const char *vm_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case VM_E_DIVZERO:
		return "division by zero";
	case VM_E_NOMEM:
		return "expression memory limit reached";
	case VM_E_REGEX:
		return "bad regular expression";
	case VM_E_CONV:
		return "not a number";
	}
	return "unknown error";
}

/* ---- Arena ------------------------------------------------------------- */

struct vm_arena_chunk {
	vm_arena_chunk *next;
	size_t size;   /* bytes of data[] */
	size_t off;    /* bytes of data[] handed out */
	alignas(max_align_t) unsigned char data[];
};

void vm_arena_init(vm_arena *a, size_t cap)
{
	a->first = NULL;
	a->cur = NULL;
	a->held = 0;
	a->cap = cap ? cap : VM_ARENA_DEFAULT_CAP;
}

/* Round n up to the alignment of any type; 0 when that overflows. */
static size_t arena_round(size_t n)
{
	size_t al = alignof(max_align_t);

	if (n > SIZE_MAX - (al - 1))
		return 0;
	return (n + al - 1) & ~(al - 1);
}

/* Take n bytes from the current chunk or a new one. A new chunk has
 * VM_ARENA_CHUNK bytes, or exactly what the request needs when it is bigger
 * or when only that much still fits under the cap. NULL past the cap or
 * when malloc fails; the arena is then unchanged. */
void *vm_arena_alloc(vm_arena *a, size_t n)
{
	vm_arena_chunk *c;
	size_t need, size, avail, hdr = sizeof(vm_arena_chunk);
	void *p;

	need = arena_round(n ? n : 1);
	if (need == 0)
		return NULL;
	c = a->cur;
	if (c != NULL && c->size - c->off >= need) {
		p = c->data + c->off;
		c->off += need;
		return p;
	}
	avail = a->held < a->cap ? a->cap - a->held : 0;
	if (avail < hdr || avail - hdr < need)
		return NULL;
	size = need > VM_ARENA_CHUNK ? need : VM_ARENA_CHUNK;
	if (avail - hdr < size)
		size = need;
	c = malloc(hdr + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->off = need;
	if (a->cur != NULL)
		a->cur->next = c;
	else
		a->first = c;
	a->cur = c;
	a->held += hdr + size;
	return c->data;
}

/* Free every chunk but the first, and rewind the first. */
void vm_arena_reset(vm_arena *a)
{
	vm_arena_chunk *c, *next;

	if (a->first == NULL)
		return;
	for (c = a->first->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->first->next = NULL;
	a->first->off = 0;
	a->cur = a->first;
	a->held = sizeof(vm_arena_chunk) + a->first->size;
}

void vm_arena_free(vm_arena *a)
{
	vm_arena_chunk *c, *next;

	for (c = a->first; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->first = NULL;
	a->cur = NULL;
	a->held = 0;
}

/* ---- Conversions ------------------------------------------------------- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Kamailio's rule (rval_get_int): "" is 0; a whole-string decimal with an
 * optional sign, in range (str2sint with its overflow check: "2147483648"
 * and "-2147483649" fail, "-2147483648" does not); else "0x"/"0X" and at
 * least one hex digit, shifted in 4 bits at a time so only the low 32 bits
 * stay ("0x1FFFFFFFF" is -1, observed on 5.6.3); else it fails. A lone
 * sign converts to 0 (5.6.3: "+" and "-" give 0, as a failure would). */
int vm_str_to_int(const char *s, size_t len, int32_t *out)
{
	size_t i = 0;
	int neg = 0;
	int64_t acc = 0;
	uint32_t h = 0;

	*out = 0;
	if (len == 0)
		return VM_E_CONV;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		acc = acc * 10 + (s[i] - '0');
		if (acc > (int64_t)INT32_MAX + 1)
			break;
	}
	if (i == len && (acc <= INT32_MAX || (neg && acc == (int64_t)INT32_MAX + 1))) {
		*out = (int32_t)(neg ? -acc : acc);
		return 0;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++) {
			int d = hexval((unsigned char)s[i]);
			if (d < 0)
				return VM_E_CONV;
			h = (h << 4) | (uint32_t)d;
		}
		*out = (int32_t)h;
		return 0;
	}
	return VM_E_CONV;
}

/* The int value of v: an int (or a string's int form when it has one), a
 * string by vm_str_to_int (failures are 0), 0 for null. */
int32_t vm_to_int(const vm_value *v)
{
	int32_t i;

	switch (v->kind) {
	case VM_INT:
		return v->i;
	case VM_STR:
		if (v->flags & VM_VAL_BOTH)
			return v->i;
		vm_str_to_int(v->s, v->len, &i);
		return i;
	}
	return 0;
}

size_t vm_uint_to_dec(uint32_t u, char buf[VM_INT_DEC_MAX])
{
	char tmp[VM_INT_DEC_MAX];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	while (n > 0)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return k;
}

size_t vm_int_to_dec(int32_t i, char buf[VM_INT_DEC_MAX])
{
	if (i >= 0)
		return vm_uint_to_dec((uint32_t)i, buf);
	char t[VM_INT_DEC_MAX];
	size_t n = vm_uint_to_dec(0u - (uint32_t)i, t);
	buf[0] = '-';
	memcpy(buf + 1, t, n + 1);
	return n + 1;
}

void vm_str_view(const vm_value *v, char buf[VM_INT_DEC_MAX],
		const char **s, size_t *len)
{
	switch (v->kind) {
	case VM_STR:
		*s = v->len ? v->s : "";
		*len = v->len;
		return;
	case VM_INT:
		if (v->flags & VM_VAL_BOTH) {
			*s = v->len ? v->s : "";
			*len = v->len;
		} else {
			*len = vm_int_to_dec(v->i, buf);
			*s = buf;
		}
		return;
	}
	*s = "";
	*len = 0;
}

/* Copy s[0..len) into the arena, NUL-terminated; NULL past the cap. */
static char *arena_strdup(vm_arena *a, const char *s, size_t len)
{
	char *p;

	if (a == NULL || len == SIZE_MAX)
		return NULL;
	p = vm_arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int vm_to_str(vm_arena *a, const vm_value *v, vm_value *out)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	char *p;

	vm_str_view(v, buf, &s, &len);
	if (s != buf) {
		*out = vm_str(s, len);
		return 0;
	}
	p = arena_strdup(a, s, len);
	if (p == NULL)
		return VM_E_NOMEM;
	*out = vm_str(p, len);
	return 0;
}

int vm_cond(const vm_value *v)
{
	return vm_to_int(v) > 0;
}

int vm_truth(const vm_value *v)
{
	return vm_to_int(v) != 0;
}

/* ---- Integer operators ------------------------------------------------- */

/* Wrapping arithmetic on the two's complement bits. */
static int32_t wrap(uint32_t u)
{
	return (int32_t)u;
}

#define INT_OP2(name, expr)                                                  \
	int vm_op_##name(vm_arena *a, vm_value *res, const vm_value *l,      \
			const vm_value *r)                                   \
	{                                                                    \
		int32_t x = vm_to_int(l), y = vm_to_int(r);                  \
		(void)a;                                                     \
		*res = vm_int(expr);                                         \
		return 0;                                                    \
	}

INT_OP2(iplus, wrap((uint32_t)x + (uint32_t)y))
INT_OP2(minus, wrap((uint32_t)x - (uint32_t)y))
INT_OP2(mul, wrap((uint32_t)x * (uint32_t)y))
INT_OP2(band, x & y)
INT_OP2(bor, x | y)
INT_OP2(bxor, x ^ y)
/* The count is taken mod 32 as x86's shl/sar do in 5.6.3 (observed:
 * 1 << 32 is 1, 1 << 33 is 2, 1 << -1 is INT_MIN, -8 >> 33 is -4,
 * 40 >> -1 is 0). */
INT_OP2(lshift, wrap((uint32_t)x << ((uint32_t)y & 31u)))
INT_OP2(rshift, x >> ((uint32_t)y & 31u))
INT_OP2(land, x != 0 && y != 0)
INT_OP2(lor, x != 0 || y != 0)
INT_OP2(ieq, x == y)
INT_OP2(ine, x != y)
INT_OP2(lt, x < y)
INT_OP2(gt, x > y)
INT_OP2(le, x <= y)
INT_OP2(ge, x >= y)

/* Division truncating toward zero. By zero: VM_E_DIVZERO (5.6.3 logs "rv
 * div by 0" and the expression fails). INT_MIN / -1 wraps to INT_MIN: 5.6.3
 * traps there (the worker dies of SIGFPE, observed), which is no behaviour
 * to copy, and wrapping is what every other overflow does. */
int vm_op_div(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	int32_t x = vm_to_int(l), y = vm_to_int(r);

	(void)a;
	if (y == 0)
		return VM_E_DIVZERO;
	if (y == -1)
		*res = vm_int(wrap(0u - (uint32_t)x));
	else
		*res = vm_int(x / y);
	return 0;
}

/* Remainder with the sign of the dividend. By zero: VM_E_DIVZERO.
 * INT_MIN mod -1 is 0 (5.6.3 dies of SIGFPE, observed). */
int vm_op_mod(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	int32_t x = vm_to_int(l), y = vm_to_int(r);

	(void)a;
	if (y == 0)
		return VM_E_DIVZERO;
	*res = vm_int(y == -1 ? 0 : x % y);
	return 0;
}

#define INT_OP1(name, expr)                                                  \
	int vm_op_##name(vm_arena *a, vm_value *res, const vm_value *v)      \
	{                                                                    \
		int32_t x = vm_to_int(v);                                    \
		(void)a;                                                     \
		*res = vm_int(expr);                                         \
		return 0;                                                    \
	}

INT_OP1(neg, wrap(0u - (uint32_t)x))
INT_OP1(bnot, ~x)
INT_OP1(lnot, x == 0)
INT_OP1(bool, x != 0)
INT_OP1(int, x)

/* ---- String operators -------------------------------------------------- */

/* Concatenation of both operands' string forms into the arena (always a
 * copy, NUL-terminated). VM_E_NOMEM past the cap or without an arena. */
int vm_op_concat(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	char lb[VM_INT_DEC_MAX], rb[VM_INT_DEC_MAX];
	const char *ls, *rs;
	size_t ll, rl;
	char *p;

	vm_str_view(l, lb, &ls, &ll);
	vm_str_view(r, rb, &rs, &rl);
	if (a == NULL || ll > SIZE_MAX - 1 - rl)
		return VM_E_NOMEM;
	p = vm_arena_alloc(a, ll + rl + 1);
	if (p == NULL)
		return VM_E_NOMEM;
	if (ll)
		memcpy(p, ls, ll);
	if (rl)
		memcpy(p + ll, rs, rl);
	p[ll + rl] = '\0';
	*res = vm_str(p, ll + rl);
	return 0;
}

/* `+`: an int left (VM_INT, with or without a text form) adds; a string or
 * null left concatenates ($avp(missing) + 3 is "3"). */
int vm_op_plus(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	if (l->kind == VM_INT)
		return vm_op_iplus(a, res, l, r);
	return vm_op_concat(a, res, l, r);
}

/* Byte equality of the two string forms (NUL bytes compare too). */
static int str_equal(const vm_value *l, const vm_value *r)
{
	char lb[VM_INT_DEC_MAX], rb[VM_INT_DEC_MAX];
	const char *ls, *rs;
	size_t ll, rl;

	vm_str_view(l, lb, &ls, &ll);
	vm_str_view(r, rb, &rs, &rl);
	return ll == rl && (ll == 0 || memcmp(ls, rs, ll) == 0);
}

/* 1 when l == r by Kamailio's rule for `==` (rvalue.c, RVE_EQ_OP): the left
 * kind decides; a null left takes the right's kind, comparing 0 with an int
 * and "" with a string or null (so null == null). */
static int loose_equal(const vm_value *l, const vm_value *r)
{
	int kind = l->kind == VM_NULL ? r->kind : l->kind;

	if (kind == VM_INT)
		return vm_to_int(l) == vm_to_int(r);
	return str_equal(l, r);
}

int vm_op_eq(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	(void)a;
	*res = vm_int(loose_equal(l, r));
	return 0;
}

int vm_op_ne(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	(void)a;
	*res = vm_int(!loose_equal(l, r));
	return 0;
}

int vm_op_streq(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	(void)a;
	*res = vm_int(str_equal(l, r));
	return 0;
}

int vm_op_strne(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	(void)a;
	*res = vm_int(!str_equal(l, r));
	return 0;
}

/* Flags of Kamailio's regcomp for `=~` (rvalue.c, fixup and run time). */
#define VM_RE_FLAGS (REG_EXTENDED | REG_NOSUB | REG_ICASE)

/* The pattern's string form, cut at its first NUL as regcomp reads it.
 * The NUL-terminated copy regcomp needs is malloc'ed and freed here
 * (VM_E_NOMEM when malloc fails). */
int vm_regex_compile(regex_t *re, const vm_value *pattern)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	char *z;
	int rc;

	vm_str_view(pattern, buf, &s, &len);
	len = strnlen(s, len);
	z = malloc(len + 1);
	if (z == NULL)
		return VM_E_NOMEM;
	memcpy(z, s, len);
	z[len] = '\0';
	rc = regcomp(re, z, VM_RE_FLAGS);
	free(z);
	return rc == 0 ? 0 : VM_E_REGEX;
}

int vm_regexec(const regex_t *re, const char *s, size_t len, size_t nm,
		regmatch_t *pm, int eflags)
{
	char small[256], *z = small;
	int rc;

	len = strnlen(s, len);
	if (len >= sizeof(small) && (z = malloc(len + 1)) == NULL)
		return REG_ESPACE;
	memcpy(z, s, len);
	z[len] = '\0';
	rc = regexec(re, z, nm, pm, eflags);
	if (z != small)
		free(z);
	return rc;
}

/* Search re in l's string form. Kamailio passes the subject to regexec as
 * a C string, so it ends at the first NUL ("a\0b" =~ "b" is 0, observed on
 * 5.6.3). VM_E_NOMEM when a long subject cannot be copied. */
int vm_op_match_re(vm_value *res, const vm_value *l, const regex_t *re)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	int rc;

	vm_str_view(l, buf, &s, &len);
	rc = vm_regexec(re, s, len, 0, NULL, 0);
	if (rc == REG_ESPACE)
		return VM_E_NOMEM;
	*res = vm_int(rc == 0);
	return 0;
}

/* `=~` with a dynamic pattern: compiled, used once, freed (as Kamailio
 * does when the right side is not a constant). A bad pattern fails the
 * expression with VM_E_REGEX (5.6.3: "Bad regular expression", the
 * assignment is skipped, observed). */
int vm_op_match(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r)
{
	regex_t re;
	int rc;

	(void)a;
	rc = vm_regex_compile(&re, r);
	if (rc < 0)
		return rc;
	rc = vm_op_match_re(res, l, &re);
	regfree(&re);
	return rc;
}

int vm_op_strlen(vm_arena *a, vm_value *res, const vm_value *x)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	(void)a;
	vm_str_view(x, buf, &s, &len);
	*res = vm_int(len > INT32_MAX ? INT32_MAX : (int32_t)len);
	return 0;
}

int vm_op_strempty(vm_arena *a, vm_value *res, const vm_value *x)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	(void)a;
	vm_str_view(x, buf, &s, &len);
	*res = vm_int(len == 0);
	return 0;
}

int vm_op_defined(vm_arena *a, vm_value *res, const vm_value *x)
{
	(void)a;
	*res = vm_int(x->kind != VM_NULL);
	return 0;
}

/* (str) e: a string stays itself (its own bytes, not copied), an int with
 * a text form gives that text, an int its decimal (in the arena), null "". */
int vm_op_str(vm_arena *a, vm_value *res, const vm_value *x)
{
	vm_value out;
	int rc;

	rc = vm_to_str(a, x, &out);
	if (rc < 0)
		return rc;
	*res = out;
	return 0;
}

/* ---- The table --------------------------------------------------------- */

#define OP1(n, f) { n, 1, vm_op_##f, NULL }
#define OP2(n, f) { n, 2, NULL, vm_op_##f }

const vm_op_def vm_ops[] = {
	OP2("||", lor), OP2("or", lor),
	OP2("&&", land), OP2("and", land),
	OP2("|", bor), OP2("&", band), OP2("^", bxor),
	OP2("<<", lshift), OP2(">>", rshift),
	OP2("==", eq), OP2("!=", ne), OP2("=~", match),
	OP2("eq", streq), OP2("ne", strne), OP2("ieq", ieq), OP2("ine", ine),
	OP2("<", lt), OP2(">", gt), OP2("<=", le), OP2(">=", ge),
	OP2("+", plus), OP2("-", minus),
	OP2("*", mul), OP2("/", div), OP2("mod", mod),
	OP1("!", lnot), OP1("not", lnot), OP1("-", neg), OP1("~", bnot),
	OP1("defined", defined), OP1("(int)", int), OP1("(str)", str),
	OP1("strlen", strlen), OP1("strempty", strempty),
	OP2("iplus", iplus), OP2("concat", concat), OP1("bool", bool),
	{ NULL, 0, NULL, NULL },
};

/* A linear scan: about forty rows, looked up at compile time only. */
const vm_op_def *vm_op_find(const char *name, int arity)
{
	const vm_op_def *d;

	if (name == NULL)
		return NULL;
	for (d = vm_ops; d->name != NULL; d++)
		if (d->arity == arity && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}
