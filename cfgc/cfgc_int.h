/*
 * cfgc_int.h — internal interfaces of the cfgc front end.
 *
 * Owns: the compile context (arena, sources, preprocessor output and its
 * line map, diagnostics), the AST, and the contracts between the passes:
 *
 *   cfgc_pp_run()    source files  -> one expanded text buffer + line map
 *   cfgc_parse()     that buffer   -> AST (flex lexer + bison grammar)
 *   cfgc_check()     AST           -> diagnostics (the linter)
 *
 * Must not: print anything itself (diagnostics are collected and rendered
 * by cfgc_diag.c), exit the process, or be included outside cfgc/.
 */
#ifndef CFGC_INT_H
#define CFGC_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cfgc.h"

/* ---------------------------------------------------------------- arena */

/* Bump allocator; everything the front end allocates lives until
 * cfgc_ctx_free(). Never returns NULL (aborts only on real OOM). */
typedef struct cfgc_arena_blk cfgc_arena_blk;
typedef struct {
	cfgc_arena_blk *head;
} cfgc_arena;

void *cfgc_alloc(cfgc_ctx *ctx, size_t n);                 /* zeroed */
char *cfgc_strndup(cfgc_ctx *ctx, const char *s, size_t n); /* NUL-terminated */

/* --------------------------------------------------------------- sources */

/* One loaded file. `text` is NUL-terminated; `len` excludes the NUL. */
typedef struct {
	char *path;      /* as opened (after search-path resolution) */
	char *text;
	size_t len;
	int parent;      /* index of including file, -1 for the main file */
	int parent_line; /* line of the include_file statement in parent */
	int parent_col;
} cfgc_src;

/* A span in the preprocessor output buffer (ctx->out). */
typedef struct {
	uint32_t off;
	uint32_t len;
} cfgc_span;

/* A resolved source position (1-based line and column, bytes). */
typedef struct {
	int file; /* index into ctx->srcs, -1 if unknown */
	int line;
	int col;
} cfgc_loc;

/* Why a stretch of output is active: the innermost enclosing #!ifdef /
 * #!ifndef / #!else that was taken. Notes in diagnostics use it. */
typedef struct {
	cfgc_loc where;      /* the #!ifdef line */
	const char *name;    /* the tested define */
	int negated;         /* #!ifndef, or in the #!else of an #!ifdef */
	cfgc_loc def_where;  /* where NAME was defined (file -1: command line
	                        or predefined), meaningless when negated */
} cfgc_cond;

/* Line map entry: output bytes [out_off, next seg's out_off) come from
 * file `file`, line `line`, starting at column `col`, one output byte per
 * source column. A segment never spans a newline. Segments produced by a
 * define expansion have `expand` set and every byte maps to the use site
 * (line/col of the expanded identifier). */
typedef struct {
	uint32_t out_off;
	int file;
	int line;
	int col;
	int expand; /* 1: bytes come from a define's value */
	int cond;   /* index into ctx->conds, -1 when not inside a conditional */
} cfgc_seg;

/* PV tokenising mode selected by #!KAMAILIO / #!SER / #!MAXCOMPAT. */
enum { CFGC_MODE_MAX = 0, CFGC_MODE_KAMAILIO, CFGC_MODE_SER };

typedef struct {
	uint32_t out_off; /* mode applies from here on */
	int mode;
} cfgc_mode_change;

/* A define as the preprocessor knows it. */
typedef struct {
	char *name;
	char *value;  /* NULL: defined without value */
	cfgc_loc where; /* file -1: command line / predefined */
} cfgc_define;

/* ------------------------------------------------------------ diagnostics */

enum { CFGC_NOTE = 0, CFGC_WARNING, CFGC_ERROR };

typedef struct cfgc_diag cfgc_diag;
struct cfgc_diag {
	int severity;
	cfgc_loc loc;
	int len;        /* caret length in columns (>= 1) */
	char *msg;
	char *code;     /* short stable identifier, e.g. "unknown-function" */
	char *help;     /* "= help: ..." or NULL */
	cfgc_diag *notes; /* list of CFGC_NOTE entries (loc.file may be -1) */
	uint32_t order;   /* position in the expanded text: diagnostics are
	                     printed in file order, whichever pass found them */
	uint32_t seq;     /* creation order, to keep the sort stable */
	cfgc_diag *next;
};

/* Record a diagnostic at a span of the output buffer (mapped back through
 * the line map). Returns the new diagnostic (to attach help/notes). Adds
 * automatically the "active because ..." note when the span lies inside a
 * conditional block and the include chain notes. */
cfgc_diag *cfgc_diag_span(cfgc_ctx *ctx, int sev, const char *code, cfgc_span sp,
                          const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Same, at an already-resolved source position (used by the preprocessor). */
cfgc_diag *cfgc_diag_loc(cfgc_ctx *ctx, int sev, const char *code, cfgc_loc loc,
                         int len, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void cfgc_diag_help(cfgc_ctx *ctx, cfgc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfgc_diag_note(cfgc_ctx *ctx, cfgc_diag *d, cfgc_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Put the diagnostics in file order (stable). */
void cfgc_diag_sort(cfgc_ctx *ctx);

/* Map an output offset back to a source position (and its segment). */
cfgc_loc cfgc_map(const cfgc_ctx *ctx, uint32_t off, const cfgc_seg **seg);
/* Mode in force at an output offset. */
int cfgc_mode_at(const cfgc_ctx *ctx, uint32_t off);

/* ------------------------------------------------------------------- AST */

/* Route types (bit values match Kamailio's route masks). */
enum {
	RT_REQUEST = 0x1,
	RT_FAILURE = 0x2,
	RT_TM_ONREPLY = 0x4,
	RT_BRANCH = 0x8,
	RT_ONSEND = 0x10,
	RT_ERROR = 0x20,
	RT_LOCAL = 0x40,
	RT_CORE_ONREPLY = 0x80,
	RT_BRANCH_FAILURE = 0x100,
	RT_EVENT = 0x200,
};

typedef enum {
	/* top level (children in ctx->top, linked by next) */
	N_CORE_PARAM,  /* str = name; a = value list (N_INT/N_STR/N_ID/N_SOCKET ...) */
	N_CFG_VAR,     /* str = "group.var"; a = value; b = description (N_STR) or NULL */
	N_LOADMODULE,  /* a = N_STR path (or PV format for loadmodulex: op=1) */
	N_LOADPATH,    /* a = N_STR */
	N_MODPARAM,    /* a = module N_STR, b = param N_STR, c = value (N_STR/N_INT/N_PV); op=1: modparamx */
	N_FLAGS,       /* a = list of N_FLAG_DECL; op=1: avpflags */
	N_FLAG_DECL,   /* str = name; ival = bit or -1 */
	N_CFGENGINE,   /* a = N_STR */
	N_ROUTE,       /* op = RT_* type; str = name ("0" for default); a = body list;
	                  for RT_EVENT str = "module:event" */
	N_SOCKET,      /* listen/alias item: str = text as written ("udp:1.2.3.4:5060");
	                  op = proto (0 = none), a = host node (N_STR/N_ID/N_IP),
	                  ival = port (-1 none, 0 '*'); b = advertise N_SOCKET;
	                  c = name N_STR */
	/* statements (linked by next inside a body) */
	N_NOP,         /* lone ';' */
	N_BLOCK,       /* a = statement list (also used for '{ }' as a statement) */
	N_IF,          /* a = cond, b = then stmt, c = else stmt or NULL */
	N_WHILE,       /* a = cond, b = body */
	N_SWITCH,      /* a = expr, b = list of N_CASE */
	N_CASE,        /* a = label expr (NULL for default); op = 1 regex case, 2 default;
	                  b = statement list (may be NULL) */
	N_BREAK,
	N_RETURN,      /* a = expr or NULL; op = 1 when written with () */
	N_EXIT,        /* a = expr or NULL */
	N_DROP,        /* a = expr or NULL */
	N_ASSIGN,      /* a = lvalue (N_PV / N_AVP), b = expr */
	N_CALL,        /* function call / core action: str = name, name_span;
	                  args = list, nargs; op = 1 when written bare (no parens) */
	N_ROUTE_CALL,  /* route(X): a = N_ID / N_STR / N_INT (static) or expr */
	/* expressions */
	N_INT,         /* ival */
	N_STR,         /* str (bytes after escapes, NUL-terminated), slen */
	N_ID,          /* bare identifier (str) */
	N_PV,          /* str = full PV text as written ("$var(x)", "$(ru{uri.user})") */
	N_AVP,         /* legacy AVP ($f.x, $x in MAX mode): str = text */
	N_SELECT,      /* str = text after '@' */
	N_IP,          /* str = address text; ival = prefix bits or -1; b = netmask N_IP */
	N_MYSELF,
	N_BINOP,       /* op = OP_*; a, b */
	N_UNOP,        /* op = OP_*; a */
	N_SELVAL,      /* a = cond, b = then, c = else */
	N_OLDCOND,     /* op = comparison OP_*; ival = OC_* (which left keyword); b = rhs */
	N_HOST,        /* hostname written unquoted: str = "a.b-c.d" */
	N_PROTO,       /* protocol word: ival = PROTO_* */
} cfgc_kind;

enum {
	OP_NONE = 0,
	/* binary */
	OP_OR, OP_AND, OP_BOR, OP_BAND, OP_BXOR, OP_LSHIFT, OP_RSHIFT,
	OP_EQ, OP_NE, OP_MATCH, OP_STREQ, OP_STRNE, OP_INTEQ, OP_INTNE,
	OP_LT, OP_GT, OP_LE, OP_GE, OP_PLUS, OP_MINUS, OP_MUL, OP_DIV, OP_MOD,
	/* unary */
	OP_NOT, OP_NEG, OP_BNOT, OP_DEFINED, OP_STRLEN, OP_STREMPTY,
	OP_CAST_INT, OP_CAST_STR,
};

/* Left side of an old-style condition. */
enum {
	OC_METHOD = 1, OC_URI, OC_FROM_URI, OC_TO_URI, OC_SRC_IP, OC_DST_IP,
	OC_SND_IP, OC_TO_IP, OC_SRC_PORT, OC_DST_PORT, OC_SND_PORT, OC_TO_PORT,
	OC_PROTO, OC_SND_PROTO, OC_AF, OC_SND_AF, OC_MSGLEN, OC_STATUS,
};

enum { PROTO_NONE = 0, PROTO_UDP, PROTO_TCP, PROTO_TLS, PROTO_SCTP, PROTO_WS, PROTO_WSS, PROTO_ANY };

typedef struct cfgc_node cfgc_node;
struct cfgc_node {
	cfgc_kind kind;
	int op;
	cfgc_span span;      /* the whole construct */
	cfgc_span name_span; /* name of a call/route/param, or the operator */
	char *str;
	size_t slen;
	int64_t ival;
	cfgc_node *a, *b, *c;
	cfgc_node *args;     /* N_CALL arguments, linked by next */
	int nargs;
	cfgc_node *next;
	int quoted;          /* N_STR: 1 = "...", 2 = '...'; route names: 1 if quoted */
};

cfgc_node *cfgc_node_new(cfgc_ctx *ctx, cfgc_kind kind, cfgc_span sp);
/* Append `n` to the list whose head is *head; returns the head. */
cfgc_node *cfgc_list_append(cfgc_node *head, cfgc_node *n);
cfgc_span cfgc_span_join(cfgc_span a, cfgc_span b);

/* ------------------------------------------------------------- context */

struct cfgc_ctx {
	cfgc_arena arena;
	cfgc_opts opts;

	cfgc_src *srcs;
	int nsrcs, srcs_cap;

	/* preprocessor output */
	char *out;
	size_t out_len, out_cap;
	cfgc_seg *segs;
	size_t nsegs, segs_cap;
	cfgc_cond *conds;
	int nconds, conds_cap;
	cfgc_mode_change *modes;
	int nmodes, modes_cap;
	cfgc_define *defs;
	int ndefs, defs_cap;

	/* Where Kamailio 5.6.3 reports a syntax error at the end of the input:
	 * the start of the last lexeme its scanner counted in the main file
	 * (see pp_eof_loc); file -1 when unknown. */
	cfgc_loc eof_loc;
	int pp_stmts;     /* active #!subst/#!substdef(s): statements to Kamailio */
	/* Output offsets where the source had a comment, a directive or a
	 * define whose value is a string, in increasing order: Kamailio joins
	 * adjacent strings ("a" "b") only across blanks and newlines of the
	 * same input, so the lexer stops joining at these. */
	uint32_t *seps;
	size_t nseps, seps_cap;

	/* parse result */
	cfgc_node *top;   /* top-level statements in file order */
	int syntax_errors;

	/* diagnostics */
	cfgc_diag *diags, *diags_tail;
	int nerrors, nwarnings;
	int suppressed;   /* count dropped by the cascade limit */
};

/* Preprocess the main file `path` (plus includes) into ctx->out.
 * Returns 0, or -1 when a fatal error (unreadable main file) occurred;
 * other mistakes are diagnostics and processing goes on. */
int cfgc_pp_run(cfgc_ctx *ctx, const char *path);
/* Look up a define (NULL if not defined). */
const cfgc_define *cfgc_pp_lookup(const cfgc_ctx *ctx, const char *name, size_t n);

/* Parse ctx->out into ctx->top. Returns 0 or -1 on a syntax error
 * (already reported as a diagnostic). */
int cfgc_parse(cfgc_ctx *ctx);

/* Run the semantic checks over ctx->top. */
void cfgc_check(cfgc_ctx *ctx);

/* Keyword tables shared by the preprocessor (never define-expanded) and
 * the lexer. */
int cfgc_is_keyword(const char *s, size_t n);
/* Core parameter lookup: returns the canonical name or NULL; *kind gets
 * the value kind (CP_INT, CP_INT_SIGNED, CP_STR, CP_ID, CP_STR_OR_ID, ...). */
enum { CP_INT = 1, CP_INT_SIGNED, CP_STR, CP_ID, CP_STR_OR_ID, CP_INT_OR_ID,
       CP_INT_OR_STR, CP_ADDR, CP_IPV4, CP_IPV6, CP_TLS_METHOD, CP_PROTO,
       CP_SOCKETS /* listen, alias, domain */ };
const char *cfgc_core_param(const char *s, size_t n, int *kind);
/* A core parameter known only to Kamailio releases after 5.6 (refused by
 * cfgc_core_param, as 5.6.3 refuses it): its canonical name, else NULL. */
const char *cfgc_core_param_newer(const char *s, size_t n);

/* Kamailio 5.6.3's exports, generated from cfgc/data/kam-*.tsv. */
#include "../vm/vm.h"
const vm_registry *cfgc_registry_kamailio(void);

/* ------------------------------------------------------------ PV checks */

/* What the PV checker may ask of the linter: names known given the
 * modules loaded so far at the point of use. */
typedef struct {
	void *env;
	/* PV class `name` (n bytes): its export, or NULL if no loaded module
	 * has it; *module (may be NULL) gets the providing module's name. */
	const vm_pv_export *(*pv)(void *env, const char *name, size_t n,
	                          const char **module);
	/* Transformation: 0 unknown class, 1 class known but not the name,
	 * 2 class.name known. The class is case-sensitive, the name is not
	 * (cfgc_pv.c passes it lower-cased). */
	int (*tr)(void *env, const char *cls, size_t cn, const char *name, size_t nn);
	/* Hash table declared with modparam("htable", "htable", "NAME=>...")?
	 * 1 yes, 0 no, -1 htable not loaded / unknowable (do not report). */
	int (*htable)(void *env, const char *name, size_t n);
	/* The three below are optional (NULL: no hint in the diagnostic). */
	/* Known PV class closest to `name` (for "did you mean"), or NULL. */
	const char *(*pv_suggest)(void *env, const char *name, size_t n);
	/* A module that provides PV class `name` but is not loaded at this
	 * point (for "add loadmodule"), or NULL. */
	const char *(*pv_module)(void *env, const char *name, size_t n);
	/* name == NULL: the known transformation class closest to `cls`;
	 * otherwise the transformation name of class `cls` closest to `name`.
	 * NULL when nothing is close. */
	const char *(*tr_suggest)(void *env, const char *cls, size_t cn,
	                          const char *name, size_t nn);
} cfgc_lookup;

enum {
	CFGC_PV_LVALUE = 0x1, /* the PV is assigned to */
	CFGC_PV_FORMAT = 0x2, /* the PV sits inside a format string */
};

/* Check one PV as written (`text` starts at '$', `len` bytes, e.g.
 * "$(hdr(Via)[1]{s.len})"): class known, name present when the class takes
 * one (and absent otherwise), index syntax, transformations (class and
 * name, parameters, PVs inside parameters and inner names, recursively),
 * lvalue rules (writable, no transformation). Diagnostics point into `sp`,
 * the span of the text in ctx->out. In MAX mode (cfgc_mode_at) an unknown
 * `$word` is a legacy AVP, not an error. Returns 0 when valid, -1 when a
 * diagnostic was reported. */
int cfgc_pv_check(cfgc_ctx *ctx, const cfgc_lookup *lk, cfgc_span sp,
                  const char *text, size_t len, int flags);

/* Check every PV inside a format string (the bytes of a string literal
 * after escape processing, `n` bytes; `sp` is the literal's span). `$$` is
 * a literal dollar; a `$` not starting a valid PV makes the format invalid.
 * Returns 0 or -1. */
int cfgc_fmt_check(cfgc_ctx *ctx, const cfgc_lookup *lk, cfgc_span sp,
                   const char *s, size_t n);

/* Edit distance (for "did you mean"). */
int cfgc_edit_distance(const char *a, const char *b);

#endif
