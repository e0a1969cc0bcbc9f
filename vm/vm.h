/*
 * vm.h — the public face of the sipvm virtual machine layer.
 *
 * Owns: the export tables every module declares once (functions with their
 * arities, parameter kinds and allowed route types; module parameters;
 * pseudo-variable classes; transformations; event routes), and the
 * registry that gathers them. The compiler (cfgc) checks scripts against
 * the registry; the interpreter and the Lua bridge call through it. Also
 * the run-time values of the language and its expression operators, with
 * Kamailio 5.6.3's conversion rules (vm_value.c); and compiled programs:
 * the opcode list (vm_opcodes.h), the program tables and their builders,
 * the bytecode image format with a reader that checks every operand
 * (vm_image.c), and the listing (vm_dis.c).
 *
 * Must not: depend on anything but libc; know about sockets, SIP or Lua.
 */
#ifndef VM_H
#define VM_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Route-type mask bits, equal to Kamailio's. */
#define VM_RT_REQUEST        0x001u
#define VM_RT_FAILURE        0x002u
#define VM_RT_TM_ONREPLY     0x004u
#define VM_RT_BRANCH         0x008u
#define VM_RT_ONSEND         0x010u
#define VM_RT_ERROR          0x020u
#define VM_RT_LOCAL          0x040u
#define VM_RT_CORE_ONREPLY   0x080u
#define VM_RT_BRANCH_FAILURE 0x100u
#define VM_RT_EVENT          0x200u
#define VM_RT_ANY            0xFFFFFFFFu

/* Variable parameter count. */
#define VM_NPARAMS_VAR (-1)

/* One script function. `kinds` names the kind of each parameter, one
 * character per parameter:
 *   s  string, may contain PVs (format)      i  int or PV
 *   S  string literal only                   p  writable PV name
 *   r  regular expression                    R  route name
 *   f  flag                                  x  anything (module-specific)
 * For functions taken from Kamailio's catalog `kinds` is NULL and `fixup`
 * holds the catalog's fixup name. `impl` is NULL for functions that are
 * known to the compiler but not executable (yet, or at all). */
struct vm_call;
struct vm_loaded;
struct vm_tr_class;
typedef int (*vm_fn_impl)(struct vm_call *call);

typedef struct {
	const char *name;
	int nparams;           /* >= 0, or VM_NPARAMS_VAR */
	uint32_t route_mask;
	const char *kinds;
	const char *fixup;
	vm_fn_impl impl;
} vm_fn_export;

/* Module parameter types. */
enum { VM_PARAM_INT = 1, VM_PARAM_STR = 2, VM_PARAM_ANY = 3 /* int or string */ };
typedef struct {
	const char *name;
	int type;
	int multi; /* may be given several times */
} vm_param_export;

/* Pseudo-variable class flags. */
#define VM_PV_WRITABLE 0x1u
#define VM_PV_NAME     0x2u  /* takes an inner name: $x(name) */
#define VM_PV_INDEX    0x4u  /* accepts [n] */

/* One pseudo-variable class. The three functions are its implementation
 * (NULL where the class has none yet, or for catalog entries):
 *   parse  called once per PV of the class when a program is loaded, with
 *          the inner name (NULL, 0 when there is none): checks it and
 *          stores what it made of it in sp->data / sp->id (sp->cls, text,
 *          name, index are set already). 0, or -1 with *err set to a static
 *          message. May be NULL: the name is kept as text.
 *   get    the value now: 0 with *out set (null when the PV has none; a
 *          string may view the class's storage, valid until the PV is next
 *          written, or the ctx arena), or -1 on error (*out null).
 *   set    assign v (a null value: what `= $null` does for the class):
 *          0, or -1 on error. `op` is VM_PV_ASSIGN for `=`, VM_PV_REPLACE
 *          for `:=` (AVPs: drop every other value first).
 * What parse allocates in sp->data is released through sp->data_free,
 * which parse sets; the loader calls it when the program is unloaded. */
struct vm_ctx;
struct vm_pvspec;
struct vm_value;
enum { VM_PV_ASSIGN = 0, VM_PV_REPLACE = 1 };
typedef int (*vm_pv_parse_fn)(struct vm_pvspec *sp, const char *name,
		size_t len, const char **err);
typedef int (*vm_pv_get_fn)(struct vm_ctx *c, const struct vm_pvspec *sp,
		struct vm_value *out);
typedef int (*vm_pv_set_fn)(struct vm_ctx *c, const struct vm_pvspec *sp,
		int op, const struct vm_value *v);
typedef struct {
	const char *name;
	unsigned flags;
	vm_pv_parse_fn parse;
	vm_pv_get_fn get;
	vm_pv_set_fn set;
} vm_pv_export;

typedef struct {
	const char *cls;   /* "s", "uri" ... */
	const char *name;  /* "len", "encode.base64" ... */
} vm_tr_export;

/* A module: everything it exports. Arrays end with a zeroed entry (name
 * NULL). `events` lists the event_route names it raises; a trailing ':'
 * means "any suffix" (htable:expired:TABLE). */
typedef struct {
	const char *name;
	const vm_fn_export *fns;
	const vm_param_export *params;
	const vm_pv_export *pvs;
	const vm_tr_export *trs;
	const char *const *events;
	/* Known but not available in this target (e.g. a module of Kamailio's
	 * source tree that its Debian packages do not ship): why, or NULL. */
	const char *unavailable;
	/* Implementation hooks (sipvm's modules; all may be NULL):
	 * trclasses  the transformation classes it implements ("s", "uri" ...),
	 *            ending with a NULL cls;
	 * init       once per loaded program, after binding: read the module's
	 *            settings (vm_loaded_setting), set up shared state. 0, or -1
	 *            with a message in err (the program is then refused);
	 * ctx_init / ctx_free   per worker context (vm_ctx_init / vm_ctx_free):
	 *            per-worker state in c->mod[] slots (stdlib/mod.h numbers
	 *            them);
	 * ctx_ready  the host has finished setting a worker context up (its
	 *            log hook, host data): start-up work that may run script
	 *            code, as Kamailio's child_init (app_lua loads its
	 *            scripts); see vm_ctx_ready;
	 * msg_done   after each message's routes ran: drop per-message state
	 *            (AVPs, flags, reply headers ...);
	 * fields     for a PV class of the module holding records ($xavp):
	 *            call emit for each field of item idx (0 the newest,
	 *            negative counts from the oldest) of the record `name`,
	 *            newest field first. 0, or -1 when there is no such record
	 *            (or the class holds none). See vm_pv_fields. */
	const struct vm_tr_class *trclasses;
	int (*init)(struct vm_loaded *lp, char *err, size_t errlen);
	int (*ctx_init)(struct vm_ctx *c);
	void (*ctx_free)(struct vm_ctx *c);
	void (*ctx_ready)(struct vm_ctx *c);
	void (*msg_done)(struct vm_ctx *c);
	int (*fields)(struct vm_ctx *c, const char *cls, const char *name, size_t nlen,
			int idx, void (*emit)(void *ud, const char *field, size_t flen,
			const struct vm_value *v), void *ud);
} vm_module;

/* A set of modules: what one target provides. `core` is always loaded. */
typedef struct {
	const char *label;          /* "sipvm" or "Kamailio 5.6.3" */
	const vm_module *const *mods;
	size_t nmods;
} vm_registry;

/* sipvm's own modules (stdlib/). */
const vm_registry *vm_registry_sipvm(void);
/* Find a module by name (NULL if the registry has none). */
const vm_module *vm_registry_find(const vm_registry *reg, const char *name);

/* ------------------------------------------------------------------------
 * Values (vm_value.c)
 *
 * The run-time value of an expression, with Kamailio 5.6.3's semantics
 * (language spec §6.3 and §12): an int is 32 bits and wraps, a string is a
 * pointer and a length (it may hold NUL bytes and need not be terminated),
 * null is what an undefined PV, AVP or select gives. Operators that build
 * strings allocate them from a vm_arena the caller provides.
 * ------------------------------------------------------------------------ */

/* Value kinds. */
enum { VM_NULL = 0, VM_INT = 1, VM_STR = 2 };

/* Value flags. VM_VAL_BOTH: the value carries both forms, `i` and `s`/`len`
 * (a PV that returns an int and its text, like an int $var or $hdrc). The
 * kind still decides its type: VM_INT|BOTH adds and compares as an int but
 * converts to str as its own text; VM_STR|BOTH (Kamailio's $cs, $rp: text
 * with an int form) concatenates as a string but converts to int as `i`. */
#define VM_VAL_BOTH 0x1u

typedef struct vm_value {
	uint8_t kind;      /* VM_NULL, VM_INT or VM_STR */
	uint8_t flags;     /* VM_VAL_* */
	int32_t i;         /* VM_INT, or VM_STR|VM_VAL_BOTH */
	const char *s;     /* VM_STR, or VM_INT|VM_VAL_BOTH; not owned */
	size_t len;
} vm_value;

/* Error codes of the operators (0 is success). */
#define VM_E_DIVZERO (-1)  /* division or modulo by zero */
#define VM_E_NOMEM   (-2)  /* the arena's cap was reached (or no arena) */
#define VM_E_REGEX   (-3)  /* a regular expression does not compile */
#define VM_E_CONV    (-4)  /* a string is not a number (vm_str_to_int) */

/* A short English message for an error code above. */
const char *vm_strerror(int err);

static inline vm_value vm_null(void)
{
	vm_value v = { VM_NULL, 0, 0, NULL, 0 };
	return v;
}

static inline vm_value vm_int(int32_t i)
{
	vm_value v = { VM_INT, 0, i, NULL, 0 };
	return v;
}

/* A string value viewing s[0..len) (not copied). */
static inline vm_value vm_str(const char *s, size_t len)
{
	vm_value v = { VM_STR, 0, 0, s, len };
	return v;
}

/* An int that also has a text form (compares and adds as an int). */
static inline vm_value vm_int_str(int32_t i, const char *s, size_t len)
{
	vm_value v = { VM_INT, VM_VAL_BOTH, i, s, len };
	return v;
}

/* A string that also has an int form (concatenates as a string). */
static inline vm_value vm_str_int(const char *s, size_t len, int32_t i)
{
	vm_value v = { VM_STR, VM_VAL_BOTH, i, s, len };
	return v;
}

/* A bump allocator for the strings operators build. Memory comes from
 * malloc in chunks and is released all at once by vm_arena_reset (keeps
 * one chunk for the next request) or vm_arena_free. `cap` bounds the bytes
 * of chunks held at any time, so no script can make it grow without limit;
 * past it vm_arena_alloc returns NULL and operators fail with VM_E_NOMEM. */
typedef struct vm_arena_chunk vm_arena_chunk;
typedef struct {
	vm_arena_chunk *first;  /* oldest chunk, kept by reset */
	vm_arena_chunk *cur;    /* chunk allocations come from */
	size_t held;            /* bytes of chunks held (headers included) */
	size_t cap;             /* most bytes `held` may reach */
} vm_arena;

#define VM_ARENA_CHUNK       4096u
#define VM_ARENA_DEFAULT_CAP (1024u * 1024u)

/* Set up an empty arena that may hold up to `cap` bytes (0: the default,
 * VM_ARENA_DEFAULT_CAP). Allocates nothing yet. */
void vm_arena_init(vm_arena *a, size_t cap);
/* n bytes, aligned for any type; NULL when the cap would be exceeded or
 * malloc fails. The memory lives until the next reset or free. */
void *vm_arena_alloc(vm_arena *a, size_t n);
/* Forget every allocation (keeps the first chunk for reuse). */
void vm_arena_reset(vm_arena *a);
/* Release everything; the arena may be initialized again. */
void vm_arena_free(vm_arena *a);

/* Longest decimal text of an int32, with its sign and terminating NUL. */
#define VM_INT_DEC_MAX 12

/* Conversions (§6.3, §12). str -> int: the whole string must be an optional
 * '+' or '-' and decimal digits within the int32 range, or "0x"/"0X" and
 * hex digits (unsigned, the low 32 bits kept); anything else is 0. int ->
 * str: decimal. null -> 0 and "". */
int32_t vm_to_int(const vm_value *v);
/* The str -> int rule on s[0..len): 0 and *out set, or VM_E_CONV and
 * *out = 0 when the string is not a number ("" included). */
int vm_str_to_int(const char *s, size_t len, int32_t *out);
/* Decimal text of i into buf (NUL-terminated); returns its length. */
size_t vm_int_to_dec(int32_t i, char buf[VM_INT_DEC_MAX]);
/* The same for an unsigned 32-bit number (at most 10 digits). */
size_t vm_uint_to_dec(uint32_t u, char buf[VM_INT_DEC_MAX]);
/* The string form of v without allocating: a string's own bytes, an int's
 * text written into buf, "" for null. Sets *s and *len; *s may point into v
 * or buf. */
void vm_str_view(const vm_value *v, char buf[VM_INT_DEC_MAX],
		const char **s, size_t *len);
/* The string form of v as a VM_STR value in *out: strings are not copied,
 * an int's text is allocated from the arena. 0, or VM_E_NOMEM. */
int vm_to_str(vm_arena *a, const vm_value *v, vm_value *out);

/* Truth of `if`/`while`/`selval`: the value as int is > 0 (negative is
 * false, "abc" is false, "0x2" is true). */
int vm_cond(const vm_value *v);
/* Truth of `&&`, `||`, `!`: the value as int is non-zero. */
int vm_truth(const vm_value *v);

/* Operators. Every vm_op_* stores its result in *res (which may be one of
 * the operands) and returns 0, or a negative VM_E_* code with *res left
 * unchanged; the caller reports the error and skips the assignment or takes
 * the `else` branch, as Kamailio does. Results are never null. String
 * results of `+`, concat and (str) of an int are allocated from the arena
 * (NUL-terminated, not counted in len); (str) of a string returns the
 * operand's own bytes. `a` may be NULL for operators that never allocate.
 * `&&` and `||` here combine two evaluated values; short-circuiting is the
 * interpreter's (the value is the same). */
typedef int (*vm_op1_fn)(vm_arena *a, vm_value *res, const vm_value *x);
typedef int (*vm_op2_fn)(vm_arena *a, vm_value *res, const vm_value *l,
		const vm_value *r);

/* `+`: the left operand's kind decides. Int left: integer addition (right
 * as int, wrapping). String or null left: concatenation (right as str). */
int vm_op_plus(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* Integer `+` (both as int), what `+` becomes when the left is known int. */
int vm_op_iplus(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* Concatenation (both as str), what `+` becomes when the left is known str. */
int vm_op_concat(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `-` `*`: both as int, wrapping. */
int vm_op_minus(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_mul(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `/` truncates toward zero, `mod` has the dividend's sign; by zero:
 * VM_E_DIVZERO. INT_MIN / -1 is INT_MIN and INT_MIN mod -1 is 0 (Kamailio
 * 5.6.3 dies of SIGFPE there). */
int vm_op_div(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_mod(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `&` `|` `^`: both as int. */
int vm_op_band(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_bor(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_bxor(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `<<` `>>`: both as int, the count taken mod 32 (also when negative: -1 is
 * 31), `>>` arithmetic, as 5.6.3 on x86-64. */
int vm_op_lshift(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_rshift(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `&&` `||`: 1 or 0, operands true when non-zero. */
int vm_op_land(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_lor(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `==` `!=`: the left operand's kind decides: int left, integer compare;
 * string left, exact byte compare of the right as str; null left, the
 * right's kind decides (int: 0 against it; str or null: "" against it). */
int vm_op_eq(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_ne(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `eq` `ne`: both as str, byte compare. */
int vm_op_streq(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_strne(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `ieq` `ine`: both as int. */
int vm_op_ieq(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_ine(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `<` `>` `<=` `>=`: both as int (strings are never compared lexically). */
int vm_op_lt(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_gt(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_le(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
int vm_op_ge(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `=~` with a pattern known only at run time: the right as str is compiled
 * (vm_regex_compile) for this one match; VM_E_REGEX when it does not. */
int vm_op_match(vm_arena *a, vm_value *res, const vm_value *l, const vm_value *r);
/* `=~` with a regex compiled once (at load): left as str, searched
 * unanchored; like Kamailio the subject ends at its first NUL byte.
 * 0, or VM_E_NOMEM (only without REG_STARTEND, when malloc fails). */
int vm_op_match_re(vm_value *res, const vm_value *l, const regex_t *re);
/* regexec on s[0..len), which need not be NUL-terminated: the subject
 * ends at its first NUL byte (Kamailio passes C strings), and regexec runs
 * on a terminated copy (glibc's REG_STARTEND would avoid it, but the
 * sanitizers' regexec wrapper reads the subject up to a NUL anyway).
 * Offsets in pm are from s. regexec's result, or REG_ESPACE when memory
 * runs out. */
int vm_regexec(const regex_t *re, const char *s, size_t len, size_t nm,
		regmatch_t *pm, int eflags);
/* Compile the string form of `pattern` as Kamailio does for `=~`: POSIX
 * extended, case-insensitive, no sub-matches; the pattern ends at its first
 * NUL byte. 0 (the caller regfree()s *re later), VM_E_REGEX, or
 * VM_E_NOMEM when malloc fails. */
int vm_regex_compile(regex_t *re, const vm_value *pattern);

/* Unary `-`, `~`, `!` (and `not`), and !! (truth as 0/1): as int. */
int vm_op_neg(vm_arena *a, vm_value *res, const vm_value *x);
int vm_op_bnot(vm_arena *a, vm_value *res, const vm_value *x);
int vm_op_lnot(vm_arena *a, vm_value *res, const vm_value *x);
int vm_op_bool(vm_arena *a, vm_value *res, const vm_value *x);
/* strlen(e): length of e as str (NUL bytes count); strempty(e): 1 when e
 * as str is empty (int 0 is "0": not empty; null is empty). */
int vm_op_strlen(vm_arena *a, vm_value *res, const vm_value *x);
int vm_op_strempty(vm_arena *a, vm_value *res, const vm_value *x);
/* `defined` of a single PV's value: 0 for null, else 1. (Any composite
 * expression is defined: the compiler folds that to 1.) */
int vm_op_defined(vm_arena *a, vm_value *res, const vm_value *x);
/* (int) e and (str) e. */
int vm_op_int(vm_arena *a, vm_value *res, const vm_value *x);
int vm_op_str(vm_arena *a, vm_value *res, const vm_value *x);

/* The operator table, for constant folding: one row per operator name and
 * arity as written in kamailio.cfg ("+", "mod", "(int)", "strlen" ...;
 * synonyms such as "and"/"&&" have a row each), plus the forms the
 * optimizer rewrites to ("iplus", "concat", "bool"). Exactly one of fn1,
 * fn2 is set, as arity says. Ends with a row whose name is NULL. */
typedef struct {
	const char *name;
	int arity;         /* 1 or 2 */
	vm_op1_fn fn1;
	vm_op2_fn fn2;
} vm_op_def;

extern const vm_op_def vm_ops[];
/* The row for name and arity, or NULL. */
const vm_op_def *vm_op_find(const char *name, int arity);

/* ------------------------------------------------------------------------
 * Programs (vm_image.c, vm_dis.c)
 *
 * A compiled script: its tables, its code and where each instruction came
 * from. The tables name things (PVs as written, functions by module and
 * name, routes by name); the loader binds them to registry entries once,
 * so no instruction carries a pointer and a program can be written to a
 * file (vm_image_write) and read back (vm_image_read, which checks every
 * operand before returning it). The opcodes are listed in vm_opcodes.h.
 * ------------------------------------------------------------------------ */

#include "vm_opcodes.h"

/* Opcodes: VM_OP_NOP ... , VM_OP__COUNT. */
enum {
#define VM_X_ENUM(name, fmt, a, b, c, meaning) VM_OP_##name,
	VM_OPCODES(VM_X_ENUM)
#undef VM_X_ENUM
	VM_OP__COUNT
};

/* Instruction formats and operand kinds, as vm_opcodes.h writes them. */
enum { VM_FMT_ABC, VM_FMT_ABx, VM_FMT_AsBx, VM_FMT_A, VM_FMT_sBx };
enum {
	VM_OPND__, VM_OPND_R, VM_OPND_I, VM_OPND_T, VM_OPND_K, VM_OPND_P,
	VM_OPND_F, VM_OPND_X, VM_OPND_N, VM_OPND_FN, VM_OPND_RT, VM_OPND_J
};

/* What vm_opcodes.h says of one opcode. */
typedef struct {
	const char *name;     /* "PVGET" */
	uint8_t fmt;          /* VM_FMT_* */
	uint8_t a, b, c;      /* VM_OPND_*; b is Bx's kind in ABx/AsBx/sBx */
	const char *meaning;  /* the one-line meaning */
} vm_opinfo;

/* Indexed by opcode, VM_OP__COUNT rows. */
extern const vm_opinfo vm_opinfo_table[];

/* Instructions: op bits 0-7, A 8-15, B 16-23, C 24-31, Bx = B | C << 8. */
typedef uint32_t vm_insn;
#define VM_SBX_BIAS 32767
#define VM_BX_MAX   0xFFFFu
#define VM_SBX_MIN  (-VM_SBX_BIAS)
#define VM_SBX_MAX  (0xFFFF - VM_SBX_BIAS)

#define VM_ABC(op, a, b, c) ((vm_insn)(op) | (vm_insn)((a) & 0xFF) << 8 | \
	(vm_insn)((b) & 0xFF) << 16 | (vm_insn)((c) & 0xFF) << 24)
#define VM_ABX(op, a, bx) ((vm_insn)(op) | (vm_insn)((a) & 0xFF) << 8 | \
	(vm_insn)((bx) & 0xFFFF) << 16)
#define VM_ASBX(op, a, sbx) VM_ABX(op, a, (sbx) + VM_SBX_BIAS)
#define VM_IA(op, a) VM_ABC(op, a, 0, 0)
#define VM_ISBX(op, sbx) VM_ASBX(op, 0, sbx)

#define VM_GET_OP(i)  ((unsigned)((i) & 0xFF))
#define VM_GET_A(i)   ((unsigned)(((i) >> 8) & 0xFF))
#define VM_GET_B(i)   ((unsigned)(((i) >> 16) & 0xFF))
#define VM_GET_C(i)   ((unsigned)(((i) >> 24) & 0xFF))
#define VM_GET_BX(i)  ((unsigned)(((i) >> 16) & 0xFFFF))
#define VM_GET_SBX(i) ((int)VM_GET_BX(i) - VM_SBX_BIAS)

/* Regex flags (vm_regex_src.flags). */
#define VM_RE_ICASE 0x1u  /* `=~` ignores case; switch's regex cases do not */
#define VM_RE_KNOWN 0x1u

/* Jump-table entry kinds. */
enum { VM_CASE_INT = 1, VM_CASE_STR = 2, VM_CASE_REGEX = 3 };

/* Every string of a program is malloc'd, NUL-terminated (not counted in
 * len) and owned by the program. Only constants may hold NUL bytes. */
typedef struct {
	uint8_t kind;     /* VM_INT or VM_STR */
	int32_t i;
	char *s;
	uint32_t len;
} vm_const;

typedef struct {
	char *s;
	uint32_t len;
} vm_text;

typedef struct {
	char *src;
	uint32_t len;
	uint32_t flags;   /* VM_RE_* */
} vm_regex_src;

typedef struct {
	char *module;     /* the exporting module ("core" for core actions) */
	char *name;
	uint32_t nargs;   /* arguments in R[A+1] .. R[A+nargs], at most 255 */
	/* Per argument, the index in K of the constant the compiler knows it
	 * to be, or -1 when it is computed at run time; NULL when all are -1.
	 * The loader prepares constant arguments once for the kinds that need
	 * it (p: PV name, r: regex, R: route name). */
	int32_t *kargs;
} vm_fnref;

/* A setting of the script: a core parameter (`module` ""), a modparam, or
 * a loaded module (module "", name "loadmodule", the module's name as
 * value). In source order; a name may repeat. */
typedef struct {
	char *module;
	char *name;
	vm_const val;
} vm_setting;

/* A route: the main `request_route` is VM_RT_REQUEST with the name "";
 * `route[X]` is VM_RT_REQUEST named X; the core `onreply_route` is
 * VM_RT_CORE_ONREPLY named "". Its code is code[first .. first+count). */
typedef struct {
	uint32_t type;    /* VM_RT_* bits */
	char *name;
	uint32_t first;
	uint32_t count;   /* 0 while declared but not yet built */
	uint32_t nregs;   /* at most 256 */
	int defined;      /* vm_prog_begin_route was called (builders only) */
} vm_route;

/* A switch case: key is the int (VM_CASE_INT), a string constant's index
 * in K (VM_CASE_STR) or a regex's index in X (VM_CASE_REGEX); target is a
 * pc of the route holding the SWITCH. */
typedef struct {
	uint8_t kind;
	int32_t key;
	uint32_t target;
} vm_case;

typedef struct {
	vm_case *cases;
	uint32_t ncases, cap;
	uint32_t dflt;    /* the pc when no case matches (end of the switch
			   * when it has no `default`) */
} vm_jtab;

/* Line table: from code[pc] on (a pc of the whole code array), until the
 * next entry, instructions come from files[file] at `line`. */
typedef struct {
	uint32_t pc;
	uint32_t file;
	uint32_t line;
} vm_lineinfo;

#define VM_PROG_ARRAY(type, name) type *name; uint32_t n##name, cap_##name
typedef struct vm_prog {
	VM_PROG_ARRAY(vm_const, k);       /* K: constants */
	VM_PROG_ARRAY(vm_text, p);        /* P: pseudo-variables as written */
	VM_PROG_ARRAY(vm_text, f);        /* F: formats ("Tweeting to $mqk(q)") */
	VM_PROG_ARRAY(vm_regex_src, x);   /* X: regexes */
	VM_PROG_ARRAY(vm_text, net);      /* N: networks ("10.0.0.0/8") */
	VM_PROG_ARRAY(vm_fnref, fn);      /* FN: functions */
	VM_PROG_ARRAY(vm_route, rt);      /* RT: routes */
	VM_PROG_ARRAY(vm_jtab, j);        /* J: switch jump tables */
	VM_PROG_ARRAY(vm_insn, code);
	VM_PROG_ARRAY(vm_lineinfo, lines);
	VM_PROG_ARRAY(vm_text, files);
	VM_PROG_ARRAY(vm_setting, set);   /* settings (parameters, modules) */
	int cur_route;                    /* route being built, or -1 */
} vm_prog;
#undef VM_PROG_ARRAY

/* Builders. Each returns an index (>= 0) into its table, or -1 when memory
 * runs out or an argument is out of range (the program is then unchanged).
 * add_* deduplicate: the same value gives the same index. Strings are
 * copied. */
vm_prog *vm_prog_new(void);
/* Release p and everything it holds; NULL is allowed. */
void vm_prog_free(vm_prog *p);
int vm_prog_add_const_int(vm_prog *p, int32_t i);
int vm_prog_add_const_str(vm_prog *p, const char *s, size_t len);
int vm_prog_add_pv(vm_prog *p, const char *text, size_t len);
int vm_prog_add_format(vm_prog *p, const char *text, size_t len);
int vm_prog_add_regex(vm_prog *p, const char *src, size_t len, uint32_t flags);
int vm_prog_add_net(vm_prog *p, const char *text, size_t len);
int vm_prog_add_fn(vm_prog *p, const char *module, const char *name, unsigned nargs);
/* The same with constant arguments: kargs[i] is the K index of argument i
 * or -1 (kargs may be NULL). Entries differ when their kargs differ. */
int vm_prog_add_fn_k(vm_prog *p, const char *module, const char *name,
		unsigned nargs, const int32_t *kargs);
/* Append a setting (not deduplicated): val is an int or a string. */
int vm_prog_add_setting(vm_prog *p, const char *module, const char *name,
		const vm_const *val);
int vm_prog_add_file(vm_prog *p, const char *name);
/* The route of this type and name, declared if new (ROUTE may refer to a
 * route before its code is built). */
int vm_prog_route(vm_prog *p, uint32_t type, const char *name);
/* Start the code of route rt (declared by vm_prog_route): what is emitted
 * until vm_prog_end_route is its code. 0, or -1 (another route is being
 * built, or rt is unknown or already built). */
int vm_prog_begin_route(vm_prog *p, int rt);
/* End the route being built; it uses nregs registers (<= 256). 0 or -1. */
int vm_prog_end_route(vm_prog *p, unsigned nregs);
/* Append an instruction to the route being built, from files[file] at
 * line. Its pc within the route, or -1. */
int vm_prog_emit(vm_prog *p, vm_insn insn, int file, uint32_t line);
/* The pc the next vm_prog_emit will get, within the route being built. */
int vm_prog_pc(const vm_prog *p);
/* Point the jump (AsBx or sBx) at pc `at` of the route being built to
 * pc `target`. 0, or -1 when out of range or not a jump. */
int vm_prog_patch_jump(vm_prog *p, int at, int target);
/* A new, empty jump table; cases added by vm_prog_add_case, default set by
 * vm_prog_set_default (pcs of the route holding the SWITCH). */
int vm_prog_add_jtab(vm_prog *p);
int vm_prog_add_case(vm_prog *p, int jtab, int kind, int32_t key, uint32_t target);
int vm_prog_set_default(vm_prog *p, int jtab, uint32_t target);

/* Check a whole program as the loader does (every operand in its table and
 * register range, jumps inside their route, routes ending in a terminator,
 * the line table ordered and in range, ...). 0, or -1 with a one-line
 * message in err. */
int vm_prog_check(const vm_prog *p, char *err, size_t errlen);

/* Images ("SVB\0", version VM_IMAGE_VERSION, tagged sections,
 * little-endian). vm_image_encode builds one in a malloc'd buffer (*out,
 * *outlen; the caller frees it): 0, or -1 when memory runs out.
 * vm_image_write writes one to f: 0, or -1 (memory or I/O). */
#define VM_IMAGE_VERSION 2
int vm_image_encode(const vm_prog *p, unsigned char **out, size_t *outlen);
int vm_image_write(const vm_prog *p, FILE *f);
/* Read and check an image of len bytes: 0 with *out set (the caller frees
 * it with vm_prog_free), or -1 with *out NULL and a one-line message in err
 * naming what is wrong. Never reads outside buf, never allocates much more
 * than len justifies. */
int vm_image_read(const void *buf, size_t len, vm_prog **out, char *err, size_t errlen);

/* The line table entry for pc (an index of the whole code array): the
 * index of its file in files (its line in *line), or -1 (and 0) when the
 * table has none. */
int vm_prog_line(const vm_prog *p, uint32_t pc, uint32_t *line);

/* The listing of every route (STYLE.md, "The listing a user debugs with"):
 * names instead of indexes, no addresses. */
void vm_prog_dump(const vm_prog *p, FILE *f);
/* The label of route r: "request_route", "route[RELAY]",
 * "failure_route[MANAGE]", "event_route[xhttp:request]" ... into buf. */
const char *vm_route_label(const vm_route *r, char *buf, size_t n);

/* ------------------------------------------------------------------------
 * Execution (vm_pv.c, vm_load.c, vm_exec.c)
 *
 * A program is loaded against a registry (vm_load): every name is bound
 * once (PVs parsed into vm_pvspec, formats split into literal and PV
 * parts, regexes compiled, functions found, constant arguments prepared)
 * and each module's init hook runs. A worker then runs its routes with its
 * own vm_ctx (registers, string arena, per-worker module state); the
 * message being routed and the host that sends are opaque pointers that
 * the runtime and the modules agree on.
 * ------------------------------------------------------------------------ */

/* Log levels, Kamailio's numbers (L_ALERT .. L_DBG). */
enum {
	VM_L_ALERT = -5, VM_L_BUG = -4, VM_L_CRIT2 = -3, VM_L_CRIT = -2,
	VM_L_ERR = -1, VM_L_WARN = 0, VM_L_NOTICE = 1, VM_L_INFO = 2,
	VM_L_DBG = 3
};

/* Index of a PV: none, [n] (negative counts from the end), [*], or a PV
 * whose value is the index ([$var(i)]). */
enum { VM_IDX_NONE = 0, VM_IDX_INT = 1, VM_IDX_ALL = 2, VM_IDX_PV = 3 };

#define VM_PV_MAXTR 8

/* A transformation class: parse the text between braces once ("s.substr,1,2"
 * with the class name included) into *out (freed by free_tr), apply it to a
 * value at run time. apply: 0 with *out set, -1 when it fails (*out null). */
typedef struct vm_tr_class {
	const char *cls;
	int (*parse)(const struct vm_loaded *lp, const char *text, size_t len,
			void **out, const char **err);
	int (*apply)(struct vm_ctx *c, void *tr, const vm_value *in, vm_value *out);
	void (*free_tr)(void *tr);
} vm_tr_class;

/* A parsed pseudo-variable: `$(avp(x)[2]{s.len})` is class avp, name "x",
 * index 2, one transformation. Made by vm_pv_parse, owned by the loaded
 * program. */
typedef struct vm_pvspec {
	const vm_pv_export *cls;
	const char *module;      /* the module exporting cls */
	char *text;              /* as written (NUL-terminated, owned) */
	size_t len;
	const char *name;        /* inner name, a view into text; NULL if none */
	size_t nlen;
	int id;                  /* the class's own use (set by parse) */
	void *data;              /* the class's own use (set by parse) */
	void (*data_free)(void *data);  /* releases data, or NULL */
	int idx_kind;            /* VM_IDX_* */
	int32_t idx;
	struct vm_pvspec *idx_pv;
	unsigned ntr;
	const vm_tr_class *trc[VM_PV_MAXTR];
	void *tr[VM_PV_MAXTR];
} vm_pvspec;

/* A format split into parts: literal text, or a PV to expand. */
typedef struct {
	const char *lit;         /* a view into the format's text, or NULL */
	size_t len;
	vm_pvspec *pv;           /* when lit is NULL */
} vm_fmt_part;

typedef struct {
	char *text;              /* owned copy */
	size_t len;
	unsigned nparts;
	vm_fmt_part *parts;
	int constant;            /* no PV parts: the value is `text` itself */
} vm_fmt;

typedef struct vm_loaded vm_loaded;
typedef struct vm_ctx vm_ctx;

/* A function call in progress, given to the function's implementation. */
typedef struct vm_call {
	vm_ctx *ctx;
	const vm_fn_export *fn;
	const char *module;
	unsigned nargs;
	vm_value *args;          /* the arguments, evaluated (formats expanded) */
	/* Per argument, what the loader prepared from a constant argument:
	 * kind p: vm_pvspec *; r: regex_t * (REG_EXTENDED|REG_ICASE|REG_NEWLINE);
	 * R: a route, as (intptr_t)(index + 1); NULL where nothing was prepared. */
	void *const *fix;
} vm_call;

/* A hook the host gives for logging: one formatted line at `level`, with
 * no trailing newline. */
typedef void (*vm_log_fn)(vm_ctx *c, int level, const char *line, size_t len);

#define VM_CTX_MODS 16        /* per-worker module slots (stdlib/mod.h) */
#define VM_MAX_DEPTH 100      /* route() nesting, Kamailio's max_recursive_level */

/* End reasons of a run (vm_run's *how). */
enum { VM_END_RETURN = 0, VM_END_EXIT = 1, VM_END_DROP = 2, VM_END_ERROR = 3 };

struct vm_ctx {
	const vm_loaded *lp;
	vm_arena arena;          /* strings built while running one message */
	vm_value *regs;          /* register stack */
	size_t nregs_cap;
	size_t regtop;
	int depth;               /* route nesting */
	uint32_t route_type;     /* VM_RT_* of the route being run */
	int32_t rc;              /* $rc / $? */
	int32_t max_while_loops; /* core parameter (0: no limit) */
	int log_level;           /* lines above it are not logged */
	vm_log_fn log;           /* NULL: stderr */
	FILE *trace;             /* --trace output, or NULL */
	uint32_t pc;             /* the instruction running (an index of the
				  * whole code array): vm_error names its
				  * file:line from the line table */
	void *msg;               /* the message being routed (the runtime's) */
	void *host;              /* the runtime's worker (sending, sockets) */
	void *mod[VM_CTX_MODS];  /* per-worker module state */
	int worker;              /* worker number, 0 first */
	/* The host's answer to `uri == myself` / `is_myself`: 1 when the
	 * URI, host or host:port in s[0..len) is this server's, else 0. NULL:
	 * nothing is. */
	int (*myself)(vm_ctx *c, const char *s, size_t len);
	int stats;               /* count executed instructions in icount */
	uint64_t icount;
	/* With stats or trace: end a run (VM_END_ERROR, code -1) once icount
	 * passes this (0: no limit). For running untrusted images. */
	uint64_t max_insns;
};

/* Load a program against a registry: bind every table entry and run the
 * modules' init hooks. On success the loaded program owns prog. 0 with
 * *out set, or -1 with a message naming the problem in err (prog is then
 * still the caller's). */
int vm_load(vm_prog *prog, const vm_registry *reg, vm_loaded **out,
		char *err, size_t errlen);
void vm_unload(vm_loaded *lp);
const vm_prog *vm_loaded_prog(const vm_loaded *lp);
const vm_registry *vm_loaded_registry(const vm_loaded *lp);
/* The index of the route of this type and name, or -1. */
int vm_loaded_route(const vm_loaded *lp, uint32_t type, const char *name);
/* The n-th (0 first) setting named module.name, or NULL. */
const vm_const *vm_loaded_setting(const vm_loaded *lp, const char *module,
		const char *name, unsigned n);
/* Whether the script loads module `name` (core is always loaded). */
int vm_loaded_has_module(const vm_loaded *lp, const char *name);

/* Set up a worker context for lp (runs the modules' ctx_init hooks); 0 or
 * -1. vm_ctx_free releases it (ctx_free hooks). */
int vm_ctx_init(vm_ctx *c, const vm_loaded *lp, int worker);
void vm_ctx_free(vm_ctx *c);
/* The host calls this once a context is set up and before its first
 * message: the modules' ctx_ready hooks. */
void vm_ctx_ready(vm_ctx *c);
/* After a message: the modules' msg_done hooks, arena reset. */
void vm_ctx_msg_done(vm_ctx *c);

/* Run route `rt` (an index from vm_loaded_route) of type route_type on the
 * message set in c->msg. Returns the route's code (what return gave, or 1
 * when it ended without one) and sets *how (may be NULL) to how it ended. */
int32_t vm_run(vm_ctx *c, int rt, uint32_t route_type, int *how);
/* The fields of a record held by PV class `cls` ("xavp"): item idx of the
 * records named name, each field value given to emit (values live until
 * the message's state changes). Asks the loaded module exporting cls
 * (its `fields` hook). 0, or -1 when there is no such item or no module
 * walks that class. */
int vm_pv_fields(vm_ctx *c, const char *cls, const char *name, size_t nlen, int idx,
		void (*emit)(void *ud, const char *field, size_t flen, const vm_value *v),
		void *ud);

/* Run route `rt` from inside a running one, as route() does (for a module
 * function that calls a route: KSR.route from Lua): on the next register
 * window, counting towards VM_MAX_DEPTH, $rc set to its code. The
 * caller's registers may move (c->regs is reallocated): the interpreter
 * reloads them after every call. Returns the route's code, *how as
 * vm_run's. */
int32_t vm_run_sub(vm_ctx *c, int rt, int *how);

/* Parse one PV as written ("$ru", "$(var(x){s.len})", "$avp(i:3)[1]")
 * against lp's registry. 0 with *out set (the caller frees it with
 * vm_pvspec_free), or -1 with a message in err. */
int vm_pv_parse(const vm_loaded *lp, const char *text, size_t len,
		vm_pvspec **out, char *err, size_t errlen);
void vm_pvspec_free(vm_pvspec *sp);
/* The value of sp now, its index and transformations applied: 0 with *out
 * set (maybe null), or -1 (*out null). */
int vm_pv_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
/* Assign to sp: 0, or -1 (read-only, or the class refused). */
int vm_pv_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);
/* The index of sp as an int (VM_IDX_INT or VM_IDX_PV); 0 when none. */
int32_t vm_pv_index(vm_ctx *c, const vm_pvspec *sp);

/* Split a format ("From $fu to $(ru{uri.user})") into parts: "$$" is a
 * literal '$'; a '$' that starts no PV is an error, as cfgc reports it.
 * 0 with *out set (free with vm_fmt_free), or -1 with a message in err. */
int vm_fmt_parse(const vm_loaded *lp, const char *text, size_t len,
		vm_fmt **out, char *err, size_t errlen);
void vm_fmt_free(vm_fmt *f);
/* Expand a format: its literal parts and the values of its PVs (a null PV
 * gives "<null>", as xlog prints it). 0 with *out a string (from the arena
 * unless constant), or VM_E_NOMEM. */
int vm_fmt_eval(vm_ctx *c, const vm_fmt *f, vm_value *out);

/* Log a line through c->log (or stderr) when level <= c->log_level. */
void vm_log(vm_ctx *c, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
/* Log a run-time error, prefixed with the cfg file:line running. */
/* The file and line of absolute pc `pc` of lp (file "?" when unknown). */
const char *vm_loaded_line(const vm_loaded *lp, uint32_t pc, uint32_t *line);
void vm_error(vm_ctx *c, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

/* Regular expressions of `=~` and of switch's regex cases (vm_re.c): a
 * matcher that answers "does it match" as POSIX regcomp(REG_EXTENDED |
 * REG_NOSUB [| REG_ICASE] [| REG_NEWLINE]) + regexec would (glibc, C
 * locale), much faster for the patterns scripts use; patterns it cannot
 * handle itself are given to regcomp. The subject ends at its first NUL
 * byte, as Kamailio passes C strings. */
typedef struct vm_re vm_re;
#define VM_RE_F_ICASE   0x1u
#define VM_RE_F_NEWLINE 0x2u
/* Compile src[0..len) (ends at a NUL byte if one is inside): 0 with *out
 * set, VM_E_REGEX with a message in err (regerror's), or VM_E_NOMEM. */
int vm_re_compile(vm_re **out, const char *src, size_t len, unsigned flags,
		char *err, size_t errlen);
/* 1 when s[0..len) matches (unanchored search), 0 when not, VM_E_NOMEM. */
int vm_re_match(const vm_re *re, const char *s, size_t len);
void vm_re_free(vm_re *re);

#endif
