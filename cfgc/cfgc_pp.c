/*
 * cfgc_pp.c — the preprocessor pass of cfgc.
 *
 * Owns: reading the main file and its include_file/import_file children,
 * #!define and friends, #!ifdef/#!ifndef/#!ifexp/#!else/#!endif, define
 * expansion, #!subst rules, #!defenv, mode headers (#!KAMAILIO ...), and
 * comment stripping. The result is one text buffer (ctx->out) that the flex
 * lexer tokenises, plus the line map (ctx->segs) that sends every output
 * byte back to the user's file, line and column, and the conditional that
 * made it active (ctx->conds).
 *
 * Kamailio does all this inside its flex scanner (src/core/cfg.lex); this
 * file follows that scanner's behaviour, quirks included, as described in
 * the language reference §1-§2:
 *
 *   - A define's value is pushed back into the input (Kamailio's unput()),
 *     so a token may start in a value and end in the text after the use:
 *     `#!define N 7 #x` comments out the rest of the line where N is used.
 *     Here every pushed value is a frame on an input stack; the scanner
 *     reads through define frames transparently but stops at a file end.
 *   - While a conditional block is skipped, only #!ifdef/#!ifndef/#!ifexp/
 *     #!else/#!endif are looked for, wherever they appear.
 *   - #!subst rules rewrite string literals (after escape processing, and
 *     after adjacent "a" "b" strings are joined), PV tokens and include
 *     paths. A rewritten string is re-emitted as a canonical double-quoted
 *     literal; untouched text is copied byte for byte, so columns stay exact.
 *
 * Memory: ctx->out, ctx->segs, ctx->conds, ctx->modes, ctx->defs, ctx->srcs
 * and each source text are malloc'd and owned by the context (freed by
 * cfgc_ctx_free()); the strings they point to (define names and values,
 * paths, cond names) are in the ctx arena. Scratch buffers, the define hash
 * and the compiled #!subst rules are released before cfgc_pp_run() returns.
 *
 * Must not: print, exit, or tokenise beyond what deciding where expansion
 * applies needs (that is the lexer's job).
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgc_int.h"

/* Limits. Kamailio's own where it has one. */
#define PP_MAX_INCLUDE    10             /* nested include_file levels */
#define PP_MAX_DEPTH      100            /* nested define expansions */
#define PP_MAX_EXPAND     (16u << 20)    /* bytes pushed by expansions, per run */
#define PP_MAX_OUT        (512u << 20)   /* output buffer */
#define PP_MAX_FILE       (256u << 20)   /* one source file */
#define PP_MAX_RULES      1024           /* #!subst rules */
#define PP_MAX_SUBST_OUT  (1u << 20)     /* one rewritten token */
#define PP_MAX_EXPR       4096           /* #!ifexp expression length */
#define PP_MAX_EXPR_DEPTH 200            /* nesting inside an expression */
#define PP_INCLUDE_NAME   128            /* Kamailio: include path < 128 bytes */

/* A source position: what cfgc_seg records for one output byte. */
typedef struct {
	int file, line, col;
	int expand; /* 1: inside a define's value, file/line/col = use site */
} pp_pos;

/* One input: a file, or a define value pushed by an expansion. */
typedef struct {
	const char *text;
	size_t len, pos;
	int is_file;
	int file, line, col; /* file frames: position of text[pos] */
	int bol;             /* file frames: only blanks so far on this line */
	pp_pos use;          /* define frames: where the outermost use is */
	int depth;           /* define frames: expansion nesting */
} pp_frame;

/* Growable byte buffer (malloc'd scratch). */
typedef struct {
	char *s;
	size_t n, cap;
} pp_buf;

enum { PP_IFDEF = 0, PP_IFNDEF, PP_IFEXP };

/* One open conditional block. */
typedef struct {
	int kind;
	int parent_active; /* text around the block is emitted */
	int taken;         /* the current branch's condition holds */
	int seen_else;
	int cond;          /* ctx->conds index of the current branch, -1 */
	pp_pos where;      /* the #!ifdef */
	int where_len;
	const char *name;  /* tested name or expression (arena) */
	cfgc_loc def_where;
} pp_if;

/* A compiled #!subst rule. */
typedef struct pp_rule pp_rule;
struct pp_rule {
	regex_t re;
	char *repl;      /* replacement as written (malloc'd) */
	size_t repl_len;
	int global;
	pp_rule *next;
};

typedef struct {
	cfgc_ctx *ctx;
	pp_frame *fr;
	int nfr, frcap;
	pp_if *ifs;
	int nifs, ifcap;
	int nstray_endif;       /* #!endif with no open block */
	pp_pos stray_endif;     /* the first of them */
	size_t stray_endif_len;
	int active;        /* text is emitted (every open block taken) */
	int cur_cond;      /* cond of the text being emitted */
	pp_rule *rules, *rules_tail;
	int nrules;
	int *htab;         /* define hash: index into ctx->defs, -1 empty */
	size_t hcap;
	pp_buf id, tmp, sub1, sub2, line;
	int mode;          /* CFGC_MODE_* in force */
	int lm;            /* after `loadmodule`: 1, after its '(': 2 */
	int evr;           /* after `event_route`: 1, after its '[': 2 */
	size_t expanded;   /* bytes pushed by expansions so far */
	int expand_off;    /* expansion budget exhausted */
	int out_full;      /* output limit reached */
	pp_pos rec_at;     /* last define-recursion report */
} pp_state;

/* ------------------------------------------------------------- helpers */

/* realloc that gives up only on real exhaustion, like the arena. */
static void *pp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

/* Scratch buffers: always NUL-terminated once used; freed by pp_buf_free. */
static void pp_buf_reserve(pp_buf *b, size_t extra)
{
	size_t cap;

	if (b->n + extra + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap * 2 : 64;
	while (cap < b->n + extra + 1)
		cap *= 2;
	b->s = pp_xrealloc(b->s, cap);
	b->cap = cap;
}

static void pp_buf_addc(pp_buf *b, int c)
{
	pp_buf_reserve(b, 1);
	b->s[b->n++] = (char)c;
	b->s[b->n] = 0;
}

static void pp_buf_add(pp_buf *b, const char *s, size_t n)
{
	pp_buf_reserve(b, n);
	if (n)
		memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void pp_buf_reset(pp_buf *b)
{
	b->n = 0;
	pp_buf_reserve(b, 0);
	b->s[0] = 0;
}

static void pp_buf_free(pp_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->n = b->cap = 0;
}

/* Copy n arbitrary bytes (NULs included) into the arena, NUL-terminated. */
static char *pp_dup(cfgc_ctx *ctx, const char *s, size_t n)
{
	char *p = cfgc_alloc(ctx, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* Grow one of the context's malloc'd arrays (cfgc_ctx_free() frees them)
 * to hold `need` elements of `elem` bytes, doubling. The new room is not
 * zeroed: every element is written before it is counted, and touching the
 * unused half cost a fifth of the run time in page faults. */
static void *pp_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;

	if (need <= *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	arr = pp_xrealloc(arr, ncap * elem);
	*cap = ncap;
	return arr;
}

/* Same for the arrays whose capacity is an int. */
static void *pp_grow_i(void *arr, int *cap, size_t need, size_t elem)
{
	size_t c = (size_t)*cap;

	arr = pp_grow(arr, &c, need, elem);
	*cap = (int)c;
	return arr;
}

/* Character classes (c is a byte value or -1). Blanks are Kamailio's
 * EAT_ABLE: space, tab, CR, backspace. */
static int pp_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\b';
}

static int pp_is_id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int pp_is_id_char(int c)
{
	return pp_is_id_start(c) || (c >= '0' && c <= '9');
}

static int pp_is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Printable, bounded copy of user text for a message. */
static const char *pp_clip(char *dst, size_t dsz, const char *s, size_t n)
{
	size_t i, j = 0, max = dsz - 4;

	for (i = 0; i < n && j < max; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < n) {
		dst[j++] = '.';
		dst[j++] = '.';
		dst[j++] = '.';
	}
	dst[j] = 0;
	return dst;
}

static cfgc_loc pp_loc(pp_pos p)
{
	cfgc_loc l;

	l.file = p.file;
	l.line = p.line;
	l.col = p.col;
	return l;
}

/* Report a diagnostic at a source position. Returns it (NULL when the
 * diagnostics layer dropped it) so help and notes can be attached. */
static cfgc_diag *pp_diag(pp_state *st, int sev, const char *code, pp_pos p, size_t len,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static cfgc_diag *pp_diag(pp_state *st, int sev, const char *code, pp_pos p, size_t len,
                          const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (len < 1)
		len = 1;
	if (len > 4096)
		len = 4096;
	return cfgc_diag_loc(st->ctx, sev, code, pp_loc(p), (int)len, "%s", msg);
}

/* ----------------------------------------------------- input and output */

/* Current character, or -1 at the end of the current file. Exhausted
 * define frames are dropped here, so reading continues from a define's
 * value into the text after its use (Kamailio's unput()). */
static int pp_cur(pp_state *st)
{
	pp_frame *f;

	while (st->nfr > 0) {
		f = &st->fr[st->nfr - 1];
		if (f->pos < f->len)
			return (unsigned char)f->text[f->pos];
		if (f->is_file)
			return -1;
		st->nfr--;
	}
	return -1;
}

/* Character k places ahead (0 = current) without consuming; looks through
 * define frames, never past the end of a file. -1 at the end. */
static int pp_peek(const pp_state *st, size_t k)
{
	int i;

	for (i = st->nfr - 1; i >= 0; i--) {
		const pp_frame *f = &st->fr[i];
		size_t avail = f->len - f->pos;
		if (k < avail)
			return (unsigned char)f->text[f->pos + k];
		k -= avail;
		if (f->is_file)
			return -1;
	}
	return -1;
}

/* Position of the current character. */
static pp_pos pp_here(pp_state *st)
{
	pp_pos p = { -1, 0, 0, 0 };
	const pp_frame *f;

	pp_cur(st);
	if (st->nfr == 0)
		return p;
	f = &st->fr[st->nfr - 1];
	if (!f->is_file)
		return f->use;
	p.file = f->file;
	p.line = f->line;
	p.col = f->col;
	return p;
}

/* Index of the innermost file frame (-1 if none). */
static int pp_file_frame(const pp_state *st)
{
	int i;

	for (i = st->nfr - 1; i >= 0; i--)
		if (st->fr[i].is_file)
			return i;
	return -1;
}

/* Consume the current character. */
static void pp_adv(pp_state *st)
{
	pp_frame *f;
	int c = pp_cur(st);

	if (c < 0)
		return;
	f = &st->fr[st->nfr - 1];
	f->pos++;
	if (!f->is_file)
		return;
	if (c == '\n') {
		f->line++;
		f->col = 1;
		f->bol = 1;
	} else {
		f->col++;
		if (!pp_is_blank(c))
			f->bol = 0;
	}
}

static void pp_skip_n(pp_state *st, size_t n)
{
	while (n-- > 0)
		pp_adv(st);
}

/* Append one output byte that comes from position p, opening a new line
 * map segment when the byte does not continue the current one. */
static void pp_emit(pp_state *st, int c, pp_pos p)
{
	cfgc_ctx *ctx = st->ctx;
	cfgc_seg *s = ctx->nsegs ? &ctx->segs[ctx->nsegs - 1] : NULL;

	if (st->out_full)
		return;
	if (ctx->out_len >= PP_MAX_OUT) {
		st->out_full = 1;
		pp_diag(st, CFGC_ERROR, "too-large", p, 1,
		        "preprocessed text exceeds %u MiB; the rest is ignored",
		        (unsigned)(PP_MAX_OUT >> 20));
		return;
	}
	if (!s || (ctx->out_len && ctx->out[ctx->out_len - 1] == '\n') ||
	    s->file != p.file || s->line != p.line || s->expand != p.expand ||
	    s->cond != st->cur_cond ||
	    (p.expand ? s->col != p.col
	              : (int64_t)s->col + (int64_t)(ctx->out_len - s->out_off) != p.col)) {
		ctx->segs = pp_grow(ctx->segs, &ctx->segs_cap, ctx->nsegs + 1,
		                    sizeof *ctx->segs);
		s = &ctx->segs[ctx->nsegs++];
		s->out_off = (uint32_t)ctx->out_len;
		s->file = p.file;
		s->line = p.line;
		s->col = p.col;
		s->expand = p.expand;
		s->cond = st->cur_cond;
	}
	if (ctx->out_len + 2 > ctx->out_cap)
		ctx->out = pp_grow(ctx->out, &ctx->out_cap, ctx->out_len + 2, 1);
	ctx->out[ctx->out_len++] = (char)c;
	ctx->out[ctx->out_len] = 0;
}

/* Emit a replacement text for a token that started at p (a rewritten
 * string or PV): byte i maps to column col+i. */
static void pp_emit_text(pp_state *st, const char *s, size_t n, pp_pos p)
{
	size_t i;
	pp_pos q = p;

	for (i = 0; i < n; i++) {
		pp_emit(st, (unsigned char)s[i], q);
		if (s[i] == '\n' && !p.expand) {
			q.line++;
			q.col = 1;
		} else if (!p.expand) {
			q.col++;
		}
	}
}

/* Note that the source has a comment, a directive or a string define
 * here (ctx->seps): adjacent strings are not joined across it. */
static void pp_mark_sep(pp_state *st)
{
	cfgc_ctx *ctx = st->ctx;
	uint32_t off = (uint32_t)ctx->out_len;

	if (ctx->nseps && ctx->seps[ctx->nseps - 1] == off)
		return;
	ctx->seps = pp_grow(ctx->seps, &ctx->seps_cap, ctx->nseps + 1, sizeof *ctx->seps);
	ctx->seps[ctx->nseps++] = off;
}

/* Copy the current character to the output. */
static void pp_copy(pp_state *st)
{
	int c = pp_cur(st);

	if (c < 0)
		return;
	pp_emit(st, c, pp_here(st));
	pp_adv(st);
}

/* Copy n characters. Runs inside one frame without a newline are copied
 * in one piece (one segment check, one memcpy): per-character emission
 * made a 50,000-line config take ~70 ms, runs bring it to ~20 ms. */
static void pp_copy_n(pp_state *st, size_t n)
{
	cfgc_ctx *ctx = st->ctx;
	pp_frame *f;
	const char *s, *nl;
	size_t k, i;

	while (n > 0) {
		if (pp_cur(st) < 0)
			return;
		f = &st->fr[st->nfr - 1];
		s = f->text + f->pos;
		k = f->len - f->pos;
		if (k > n)
			k = n;
		nl = memchr(s, '\n', k);
		if (nl)
			k = (size_t)(nl - s);
		if (k < 2 || st->out_full || ctx->out_len + k >= PP_MAX_OUT) {
			pp_copy(st);
			n--;
			continue;
		}
		pp_emit(st, (unsigned char)s[0], pp_here(st));
		if (ctx->out_len + k + 1 > ctx->out_cap)
			ctx->out = pp_grow(ctx->out, &ctx->out_cap, ctx->out_len + k + 1, 1);
		memcpy(ctx->out + ctx->out_len, s + 1, k - 1);
		ctx->out_len += k - 1;
		ctx->out[ctx->out_len] = 0;
		if (f->is_file) {
			if (f->bol)
				for (i = 0; i < k && f->bol; i++)
					if (!pp_is_blank((unsigned char)s[i]))
						f->bol = 0;
			f->col += (int)k;
		}
		f->pos += k;
		n -= k;
	}
}

/* Consume blanks (space, tab, CR, backspace: Kamailio's EAT_ABLE). */
static size_t pp_skip_blanks(pp_state *st)
{
	size_t n = 0;

	while (pp_is_blank(pp_cur(st))) {
		pp_adv(st);
		n++;
	}
	return n;
}

/* Consume the rest of the line, not its newline. */
static void pp_skip_line(pp_state *st)
{
	pp_frame *f;
	const char *s, *nl;
	size_t k;

	while (pp_cur(st) >= 0) {
		f = &st->fr[st->nfr - 1];
		s = f->text + f->pos;
		k = f->len - f->pos;
		nl = memchr(s, '\n', k);
		if (nl)
			k = (size_t)(nl - s);
		if (f->is_file && k) {
			f->col += (int)k;
			f->bol = 0;
		}
		f->pos += k;
		if (nl)
			return;
	}
}

/* Length of the identifier at offset k (0 if none starts there). */
static size_t pp_id_len(const pp_state *st, size_t k)
{
	size_t n = 0;

	if (!pp_is_id_start(pp_peek(st, k)))
		return 0;
	while (pp_is_id_char(pp_peek(st, k + n)))
		n++;
	return n;
}

/* Copy n characters starting at offset k into b (replacing its content). */
static void pp_gather(const pp_state *st, pp_buf *b, size_t k, size_t n)
{
	size_t i;

	pp_buf_reset(b);
	for (i = 0; i < n; i++) {
		int c = pp_peek(st, k + i);
		if (c < 0)
			break;
		pp_buf_addc(b, c);
	}
}

/* Drop every define frame above the innermost file (abandon expansion). */
static void pp_drop_defines(pp_state *st)
{
	while (st->nfr > 0 && !st->fr[st->nfr - 1].is_file)
		st->nfr--;
}

/* Push an input frame (a file or a define value). */
static void pp_push_frame(pp_state *st, const pp_frame *f)
{
	if (st->nfr + 1 > st->frcap) {
		st->frcap = st->frcap ? st->frcap * 2 : 16;
		st->fr = pp_xrealloc(st->fr, (size_t)st->frcap * sizeof *st->fr);
	}
	st->fr[st->nfr++] = *f;
}

/* ------------------------------------------------------------- defines */

static uint32_t pp_fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int pp_name_eq(const char *name, const char *s, size_t n)
{
	return strncmp(name, s, n) == 0 && name[n] == 0;
}

/* Slot of the hash table holding `name`, or the empty slot where it goes. */
static size_t pp_slot(const pp_state *st, const char *s, size_t n)
{
	size_t mask = st->hcap - 1, i = pp_fnv(s, n) & mask;
	int idx;

	while ((idx = st->htab[i]) >= 0) {
		if (pp_name_eq(st->ctx->defs[idx].name, s, n))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Index in ctx->defs of a define, -1 if not defined. */
static int pp_def_find(const pp_state *st, const char *s, size_t n)
{
	if (!st->hcap || memchr(s, 0, n))
		return -1;
	return st->htab[pp_slot(st, s, n)];
}

/* Rebuild the hash with room for at least `need` defines (load <= 1/2). */
static void pp_rehash(pp_state *st, size_t need)
{
	cfgc_ctx *ctx = st->ctx;
	size_t cap = st->hcap ? st->hcap : 64, i;
	int k;

	while (cap < need * 2)
		cap *= 2;
	if (cap == st->hcap)
		return;
	free(st->htab);
	st->htab = pp_xrealloc(NULL, cap * sizeof *st->htab);
	for (i = 0; i < cap; i++)
		st->htab[i] = -1;
	st->hcap = cap;
	for (k = 0; k < ctx->ndefs; k++)
		st->htab[pp_slot(st, ctx->defs[k].name, strlen(ctx->defs[k].name))] = k;
}

/* Add a new define (caller checked it does not exist). */
static void pp_def_add(pp_state *st, const char *name, size_t n, const char *value,
                       cfgc_loc where)
{
	cfgc_ctx *ctx = st->ctx;
	cfgc_define *d;

	pp_rehash(st, (size_t)ctx->ndefs + 1);
	ctx->defs = pp_grow_i(ctx->defs, &ctx->defs_cap, (size_t)ctx->ndefs + 1,
	                      sizeof *ctx->defs);
	d = &ctx->defs[ctx->ndefs];
	d->name = pp_dup(ctx, name, n);
	d->value = value ? pp_dup(ctx, value, strlen(value)) : NULL;
	d->where = where;
	st->htab[pp_slot(st, name, n)] = ctx->ndefs;
	ctx->ndefs++;
}

/* Remove define idx: backward-shift deletion in the hash, then the last
 * define moves into its place in ctx->defs. */
static void pp_def_remove(pp_state *st, int idx)
{
	cfgc_ctx *ctx = st->ctx;
	const char *nm = ctx->defs[idx].name;
	size_t mask = st->hcap - 1, i = pp_slot(st, nm, strlen(nm)), j = i, k;
	int last = ctx->ndefs - 1;

	for (;;) {
		j = (j + 1) & mask;
		if (st->htab[j] < 0)
			break;
		nm = ctx->defs[st->htab[j]].name;
		k = pp_fnv(nm, strlen(nm)) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->htab[i] = st->htab[j];
		i = j;
	}
	st->htab[i] = -1;
	if (idx != last) {
		nm = ctx->defs[last].name;
		st->htab[pp_slot(st, nm, strlen(nm))] = idx;
		ctx->defs[idx] = ctx->defs[last];
	}
	ctx->ndefs--;
}

enum { PP_DEF = 0, PP_TRYDEF, PP_REDEF };

/* #!define (error if defined), #!trydef (keep the existing one) or
 * #!redefine (replace) NAME with value (NULL: no value). */
static void pp_define(pp_state *st, const char *name, size_t n, const char *value,
                      pp_pos where, int how)
{
	cfgc_ctx *ctx = st->ctx;
	int idx = pp_def_find(st, name, n);
	char nb[80];
	cfgc_diag *d;

	if (value && !*value)
		value = NULL;
	if (idx < 0) {
		pp_def_add(st, name, n, value, pp_loc(where));
		return;
	}
	if (how == PP_TRYDEF)
		return;
	if (how == PP_REDEF) {
		ctx->defs[idx].value = value ? pp_dup(ctx, value, strlen(value)) : NULL;
		ctx->defs[idx].where = pp_loc(where);
		return;
	}
	pp_clip(nb, sizeof nb, name, n);
	d = pp_diag(st, CFGC_ERROR, "redefined", where, n, "'%s' is already defined", nb);
	if (!d)
		return;
	if (ctx->defs[idx].where.file >= 0)
		cfgc_diag_note(ctx, d, ctx->defs[idx].where, "'%s' was first defined here", nb);
	else if (ctx->defs[idx].where.line > 0)
		cfgc_diag_note(ctx, d, ctx->defs[idx].where,
		               "'%s' was defined on the command line", nb);
	else
		cfgc_diag_note(ctx, d, ctx->defs[idx].where,
		               "'%s' is predefined by Kamailio", nb);
	cfgc_diag_help(ctx, d, "use #!redefine or #!trydef");
}

/* Predefined names and the -A/-D defines. */
static void pp_predefine(pp_state *st)
{
	static const char *const pre[] = { "KAMAILIO_5", "KAMAILIO_5_6", "KAMAILIO_5_6_3" };
	const cfgc_opts *o = &st->ctx->opts;
	cfgc_loc w = { -1, 0, 0 };
	size_t i;
	int k;

	for (i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (pp_def_find(st, pre[i], strlen(pre[i])) < 0)
			pp_def_add(st, pre[i], strlen(pre[i]), NULL, w);
	for (k = 0; o->defines && k < o->ndefines; k++) {
		const char *s = o->defines[k], *eq;
		size_t n;
		int idx;

		if (!s || !*s)
			continue;
		eq = strchr(s, '=');
		n = eq ? (size_t)(eq - s) : strlen(s);
		if (n == 0)
			continue;
		w.line = k + 1; /* file -1, line > 0: command line */
		idx = pp_def_find(st, s, n);
		if (idx >= 0) {
			st->ctx->defs[idx].value = (eq && eq[1]) ? pp_dup(st->ctx, eq + 1, strlen(eq + 1)) : NULL;
			st->ctx->defs[idx].where = w;
		} else {
			pp_def_add(st, s, n, (eq && eq[1]) ? eq + 1 : NULL, w);
		}
	}
}

/* -------------------------------------------------------- conditionals */

/* Record the cond that makes the current branch of block e active. */
static int pp_new_cond(pp_state *st, const pp_if *e)
{
	cfgc_ctx *ctx = st->ctx;
	cfgc_cond *c;

	ctx->conds = pp_grow_i(ctx->conds, &ctx->conds_cap, (size_t)ctx->nconds + 1,
	                       sizeof *ctx->conds);
	c = &ctx->conds[ctx->nconds];
	c->where = pp_loc(e->where);
	c->name = e->name;
	c->negated = (e->kind == PP_IFNDEF) ^ e->seen_else;
	if (!c->negated && e->kind != PP_IFEXP) {
		c->def_where = e->def_where;
	} else {
		c->def_where.file = -1;
		c->def_where.line = 0;
		c->def_where.col = 0;
	}
	return ctx->nconds++;
}

/* Recompute whether text is emitted and under which cond. */
static void pp_update_active(pp_state *st)
{
	pp_if *e;

	if (st->nifs == 0) {
		st->active = 1;
		st->cur_cond = -1;
		return;
	}
	e = &st->ifs[st->nifs - 1];
	st->active = e->parent_active && e->taken;
	st->cur_cond = st->active ? e->cond : -1;
}

/* Open a conditional block. */
static void pp_push_if(pp_state *st, int kind, int taken, pp_pos where, int where_len,
                       const char *name, cfgc_loc def_where)
{
	pp_if *e;

	if (st->nifs + 1 > st->ifcap) {
		st->ifcap = st->ifcap ? st->ifcap * 2 : 16;
		st->ifs = pp_xrealloc(st->ifs, (size_t)st->ifcap * sizeof *st->ifs);
	}
	e = &st->ifs[st->nifs++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->parent_active = st->active;
	e->taken = taken;
	e->where = where;
	e->where_len = where_len;
	e->name = name;
	e->def_where = def_where;
	e->cond = (e->parent_active && taken) ? pp_new_cond(st, e) : -1;
	pp_update_active(st);
}

/* ------------------------------------------------------- #!subst rules */

static size_t pp_pv_value(pp_state *st, const char *s, size_t n, pp_buf *out);

/* Parse and compile "<sep>regex<sep>replacement<sep>flags" (Kamailio's
 * subst_parser()). On success appends the rule and, for #!substdef(s),
 * defines NAME. Errors are reported at p (the argument string). */
static void pp_add_rule(pp_state *st, const char *s, size_t n, pp_pos p, size_t plen,
                        int defmode)
{
	char sep, errbuf[200], shown[100];
	size_t i, re_end, repl_start, repl_end;
	int cflags = REG_EXTENDED | REG_NEWLINE, global = 0, esc = 0, rc;
	pp_rule *r = NULL;
	char *re = NULL;

	pp_clip(shown, sizeof shown, s, n);
	if (n < 3) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen, "subst expression '%s' is too short", shown);
		goto fail;
	}
	sep = s[0];
	if (sep == '\\') {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen,
		        "'\\' cannot be the separator of subst expression '%s'", shown);
		goto fail;
	}
	for (i = 1; i < n; i++)
		if (s[i] == sep && s[i - 1] != '\\')
			break;
	if (i >= n) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen,
		        "no separator '%c' after the regular expression in '%s'", sep, shown);
		goto fail;
	}
	re_end = i;
	repl_start = i + 1;
	if (n < re_end + 2) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen, "subst expression '%s' is too short", shown);
		goto fail;
	}
	for (i = repl_start; i < n; i++) {
		if (esc)
			esc = 0;
		else if (s[i] == '\\')
			esc = 1;
		else if (s[i] == sep)
			break;
	}
	if (i >= n) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen,
		        "no separator '%c' after the replacement in '%s'", sep, shown);
		goto fail;
	}
	repl_end = i;
	for (i = repl_end + 1; i < n; i++) {
		if (s[i] == 'i') {
			cflags |= REG_ICASE;
		} else if (s[i] == 's') {
			cflags &= ~REG_NEWLINE;
		} else if (s[i] == 'g') {
			global = 1;
		} else {
			char fc[8];
			pp_clip(fc, sizeof fc, s + i, 1);
			pp_diag(st, CFGC_ERROR, "bad-subst", p, plen,
			        "unknown flag '%s' in subst expression '%s'", fc, shown);
			goto fail;
		}
	}
	if (st->nrules >= PP_MAX_RULES) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen, "too many #!subst rules (limit %d)",
		        PP_MAX_RULES);
		goto fail;
	}
	r = pp_xrealloc(NULL, sizeof *r);
	memset(r, 0, sizeof *r);
	re = pp_xrealloc(NULL, re_end);
	memcpy(re, s + 1, re_end - 1);
	re[re_end - 1] = 0;
	rc = regcomp(&r->re, re, cflags);
	if (rc != 0) {
		regerror(rc, &r->re, errbuf, sizeof errbuf);
		pp_clip(shown, sizeof shown, s + 1, re_end - 1);
		pp_diag(st, CFGC_ERROR, "bad-subst", p, plen, "bad regular expression '%s': %s",
		        shown, errbuf);
		goto fail;
	}
	r->repl_len = repl_end - repl_start;
	r->repl = pp_xrealloc(NULL, r->repl_len + 1);
	memcpy(r->repl, s + repl_start, r->repl_len);
	r->repl[r->repl_len] = 0;
	r->global = global;
	if (st->rules_tail)
		st->rules_tail->next = r;
	else
		st->rules = r;
	st->rules_tail = r;
	st->nrules++;
	free(re);
	if (defmode) {
		/* #!substdef: NAME = the regex text, value = the replacement as
		 * written, evaluated once as a PV format ($def(), $env()); for
		 * #!substdefs in double quotes. */
		pp_buf *v = &st->tmp;
		size_t k;
		pp_buf_reset(v);
		if (defmode == 2)
			pp_buf_addc(v, '"');
		for (i = repl_start; i < repl_end; i++) {
			if (s[i] == '$' && (k = pp_pv_value(st, s + i, repl_end - i, v)) > 0)
				i += k - 1;
			else
				pp_buf_addc(v, s[i]);
		}
		if (defmode == 2)
			pp_buf_addc(v, '"');
		if (re_end - 1 == 0)
			pp_diag(st, CFGC_ERROR, "bad-subst", p, plen, "substdef needs a name before the replacement");
		else if (memchr(v->s, 0, v->n) == NULL)
			pp_define(st, s + 1, re_end - 1, v->s, p, PP_DEF);
	}
	return;
fail:
	free(re);
	if (r)
		free(r);
}

/* At s[0] == '$' (n bytes available): if it is $def(NAME), $defn(NAME) or
 * $env(NAME), append its value to out (Kamailio prints a missing value as
 * "<null>") and return the length consumed; 0 for any other PV, which
 * would need a SIP message to evaluate. */
static size_t pp_pv_value(pp_state *st, const char *s, size_t n, pp_buf *out)
{
	static const char *const cls[] = { "$def(", "$defn(", "$env(" };
	size_t i, k, l, e;
	const char *v = NULL;
	char *name;
	int idx;

	for (i = 0; i < 3; i++) {
		l = strlen(cls[i]);
		if (n > l && memcmp(s, cls[i], l) == 0)
			break;
	}
	if (i == 3)
		return 0;
	for (e = l; e < n && s[e] != ')'; e++)
		;
	if (e >= n || e == l)
		return 0;
	k = e - l;
	if (i == 2) {
		name = pp_xrealloc(NULL, k + 1);
		memcpy(name, s + l, k);
		name[k] = 0;
		v = memchr(name, 0, k) ? NULL : getenv(name);
		free(name);
	} else if ((idx = pp_def_find(st, s + l, k)) >= 0) {
		v = st->ctx->defs[idx].value ? st->ctx->defs[idx].value : "";
	}
	if (!v) {
		pp_buf_add(out, "<null>", 6);
	} else if (i == 1) {
		char num[32];
		snprintf(num, sizeof num, "%ld", strtol(v, NULL, 10));
		pp_buf_add(out, num, strlen(num));
	} else {
		pp_buf_add(out, v, strlen(v));
	}
	return e + 1;
}

/* Append the replacement for one match to out: \0-\9 groups, \n \r \t
 * \\ \$ escapes, other \c give c (Kamailio's parse_repl()); $def(),
 * $defn() and $env() are evaluated, other PVs kept as written. */
static void pp_rule_repl(pp_state *st, const pp_rule *r, const char *base, const regmatch_t *m,
                         pp_buf *out)
{
	size_t i, k;

	for (i = 0; i < r->repl_len; i++) {
		char c = r->repl[i];
		if (c == '$' && (k = pp_pv_value(st, r->repl + i, r->repl_len - i, out)) > 0) {
			i += k - 1;
			continue;
		}
		if (c != '\\' || i + 1 >= r->repl_len) {
			pp_buf_addc(out, c);
			continue;
		}
		c = r->repl[++i];
		switch (c) {
		case 'n': pp_buf_addc(out, '\n'); break;
		case 'r': pp_buf_addc(out, '\r'); break;
		case 't': pp_buf_addc(out, '\t'); break;
		case 'u': break; /* request URI: no message here */
		default:
			if (c >= '0' && c <= '9') {
				const regmatch_t *g = &m[c - '0'];
				if (g->rm_so >= 0 && g->rm_eo >= g->rm_so)
					pp_buf_add(out, base + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
			} else {
				pp_buf_addc(out, c);
			}
		}
	}
}

/* Run one rule over NUL-terminated `in`. Returns 1 with the result in out
 * when it matched; 0 when it did not, or on an empty match (Kamailio's
 * subst_run() treats that as an error and leaves the text alone). */
static int pp_rule_run(pp_state *st, const pp_rule *r, const char *in, pp_buf *out)
{
	regmatch_t m[10];
	const char *p = in;
	int eflags = 0, matched = 0;

	pp_buf_reset(out);
	while (regexec(&r->re, p, 10, m, eflags) == 0) {
		if (m[0].rm_so < 0 || m[0].rm_so == m[0].rm_eo)
			return 0;
		pp_buf_add(out, p, (size_t)m[0].rm_so);
		pp_rule_repl(st, r, p, m, out);
		p += m[0].rm_eo;
		matched = 1;
		eflags = (p[-1] == '\n' || p[-1] == '\r') ? 0 : REG_NOTBOL;
		if (out->n > PP_MAX_SUBST_OUT)
			return 0;
		if (!r->global)
			break;
	}
	if (!matched)
		return 0;
	pp_buf_add(out, p, strlen(p));
	return out->n <= PP_MAX_SUBST_OUT;
}

/* Pass s through every rule in order. Returns 1 and sets *res and *rn when the
 * final text differs from s (points into a scratch buffer, valid until the
 * next call). Text holding a NUL byte is left alone. */
static int pp_subst(pp_state *st, const char *s, size_t n, const char **res, size_t *rn)
{
	pp_buf *cur = &st->sub1, *nxt = &st->sub2, *t;
	const pp_rule *r;
	int any = 0;

	if (!st->rules || n == 0 || memchr(s, 0, n))
		return 0;
	pp_buf_reset(cur);
	pp_buf_add(cur, s, n);
	for (r = st->rules; r; r = r->next) {
		if (pp_rule_run(st, r, cur->s, nxt)) {
			t = cur;
			cur = nxt;
			nxt = t;
			any = 1;
		}
	}
	if (!any || (cur->n == n && memcmp(cur->s, s, n) == 0))
		return 0;
	*res = cur->s;
	*rn = cur->n;
	return 1;
}

/* -------------------------------------------------------------- strings */

/* Scan one string literal starting at offset k (the quote). Appends its
 * value (escapes processed for "...", none for '...') to val when given.
 * Returns its length in input characters; *open is set when the file ends
 * before the closing quote. */
static size_t pp_scan_str(const pp_state *st, size_t k, pp_buf *val, int *open)
{
	int q = pp_peek(st, k), c, c2;
	size_t i = k + 1, d;

	*open = 0;
	for (;;) {
		c = pp_peek(st, i);
		if (c < 0) {
			*open = 1;
			return i - k;
		}
		if (c == q)
			return i + 1 - k;
		if (q == '\'' || c != '\\') {
			if (val)
				pp_buf_addc(val, c);
			i++;
			continue;
		}
		c2 = pp_peek(st, i + 1);
		switch (c2) {
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'a': c = '\a'; break;
		case '\\': c = '\\'; break;
		case '"': c = '"'; break;
		case '\n':
			i += 2; /* continuation: removed */
			continue;
		case 'x':
			if (pp_is_hex(pp_peek(st, i + 2))) {
				int v = 0;
				for (d = 0; d < 2 && pp_is_hex(pp_peek(st, i + 2 + d)); d++) {
					int h = pp_peek(st, i + 2 + d);
					v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
				}
				if (val)
					pp_buf_addc(val, v);
				i += 2 + d;
				continue;
			}
			c = -1;
			break;
		default:
			if (c2 >= '0' && c2 <= '7') {
				int v = 0;
				for (d = 0; d < 3; d++) {
					int o = pp_peek(st, i + 1 + d);
					if (o < '0' || o > '7')
						break;
					v = v * 8 + (o - '0');
				}
				if (d >= 2) {
					if (val)
						pp_buf_addc(val, v & 0xff);
					i += 1 + d;
					continue;
				}
			}
			c = -1;
		}
		if (c < 0) {
			/* not an escape: the backslash is kept, the next
			 * character is read normally */
			if (val)
				pp_buf_addc(val, '\\');
			i++;
			continue;
		}
		if (val)
			pp_buf_addc(val, c);
		i += 2;
	}
}

/* Scan the string at the cursor and, for "...", the double-quoted strings
 * that follow it after blanks/newlines only (Kamailio joins them into one
 * token before running the #!subst rules). Returns the input length; val
 * gets the joined value. */
static size_t pp_scan_group(const pp_state *st, pp_buf *val, int *open)
{
	size_t k = pp_scan_str(st, 0, val, open), j;
	int c;

	if (*open || pp_peek(st, 0) != '"')
		return k;
	for (;;) {
		j = k;
		while ((c = pp_peek(st, j)) >= 0 && (pp_is_blank(c) || c == '\n'))
			j++;
		if (c != '"')
			return k;
		k = j + pp_scan_str(st, j, val, open);
		if (*open)
			return k;
	}
}

/* Write s as a double-quoted literal the lexer reads back to the same
 * bytes: \\, \" and \xHH for control bytes. */
static void pp_quote(pp_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	pp_buf_reset(b);
	pp_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"') {
			pp_buf_addc(b, '\\');
			pp_buf_addc(b, c);
		} else if (c < 0x20 || c == 0x7f) {
			pp_buf_add(b, "\\x", 2);
			pp_buf_addc(b, hex[c >> 4]);
			pp_buf_addc(b, hex[c & 15]);
		} else {
			pp_buf_addc(b, c);
		}
	}
	pp_buf_addc(b, '"');
}

/* `loadmodule "path/x.so"` seen: define MOD_x. */
static void pp_loadmodule(pp_state *st, const char *v, size_t n, pp_pos p)
{
	const char *b = v;
	size_t i, len;
	pp_buf name = { 0 };

	for (i = 0; i < n; i++)
		if (v[i] == '/')
			b = v + i + 1;
	len = n - (size_t)(b - v);
	if (len >= 3 && memcmp(b + len - 3, ".so", 3) == 0)
		len -= 3;
	if (len == 0 || memchr(b, 0, len))
		return;
	pp_buf_add(&name, "MOD_", 4);
	pp_buf_add(&name, b, len);
	pp_define(st, name.s, name.n, NULL, p, PP_TRYDEF);
	pp_buf_free(&name);
}

/* A string literal in active code: copied as is unless the #!subst rules
 * change it; feeds loadmodule. */
static void pp_string(pp_state *st)
{
	int lm = st->lm, open = 0, q = pp_cur(st);
	pp_pos p = pp_here(st);
	const char *res;
	size_t k, rn;
	int fi;

	st->lm = 0;
	st->evr = 0;
	if (!st->rules && !lm) {
		k = pp_scan_str(st, 0, NULL, &open);
		pp_copy_n(st, k);
	} else {
		pp_buf_reset(&st->tmp);
		k = pp_scan_group(st, &st->tmp, &open);
		if (!open && pp_subst(st, st->tmp.s, st->tmp.n, &res, &rn)) {
			pp_skip_n(st, k);
			pp_quote(&st->line, res, rn);
			pp_emit_text(st, st->line.s, st->line.n, p);
			if (lm)
				pp_loadmodule(st, res, rn, p);
			return;
		}
		if (lm && !open)
			pp_loadmodule(st, st->tmp.s, st->tmp.n, p);
		pp_copy_n(st, k);
	}
	fi = pp_file_frame(st);
	if (open && fi > 0) {
		/* keep the lexer from reading on into the including file */
		pp_diag(st, CFGC_ERROR, "unterminated-string", p, 1,
		        "string is not closed before the end of the included file");
		pp_emit(st, q, p);
	}
}

/* ------------------------------------------------------- other tokens */

/* Length of a run of `(`...`)` balanced parentheses at offset k (k is the
 * '('), counted naively like Kamailio's PVAR_P state; stops at a newline. */
static size_t pp_paren_len(const pp_state *st, size_t k)
{
	size_t i = k;
	int depth = 0, c;

	while ((c = pp_peek(st, i)) >= 0 && c != '\n') {
		i++;
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			break;
	}
	return i - k;
}

/* A PV token: `$name`, `$name(...)`, `$(...)`. Never define-expanded;
 * the #!subst rules apply to its text. */
static void pp_pv(pp_state *st)
{
	size_t k = 1, rn;
	int c;
	pp_pos p = pp_here(st);
	const char *res;

	if (pp_peek(st, 1) == '(') {
		k = 1 + pp_paren_len(st, 1);
	} else {
		while ((c = pp_peek(st, k)) >= 0 && (pp_is_id_char(c) || c == '.' || c == '?'))
			k++;
		if (k > 1 && pp_peek(st, k) == '(')
			k += pp_paren_len(st, k);
	}
	if (k > 1 && st->rules) {
		pp_gather(st, &st->tmp, 0, k);
		if (pp_subst(st, st->tmp.s, st->tmp.n, &res, &rn)) {
			pp_skip_n(st, k);
			pp_emit_text(st, res, rn, p);
			return;
		}
	}
	pp_copy_n(st, k);
}

/* A select: `@` then names, numbers, dots, brackets and strings. */
static void pp_select(pp_state *st)
{
	int c;

	pp_copy(st);
	for (;;) {
		c = pp_cur(st);
		if (pp_is_id_char(c) || c == '.' || c == '[' || c == ']')
			pp_copy(st);
		else if (c == '"')
			pp_string(st);
		else
			break;
	}
}

/* Length of one `hex:` group (1-4 hex digits then ':') at k, else 0. */
static size_t pp_v6_group(const pp_state *st, size_t k)
{
	size_t h = 0;

	while (h < 5 && pp_is_hex(pp_peek(st, k + h)))
		h++;
	if (h < 1 || h > 4 || pp_peek(st, k + h) != ':')
		return 0;
	return h + 1;
}

/* Length of `(:hex){1,7}` at k. */
static size_t pp_v6_tail(const pp_state *st, size_t k)
{
	size_t i = k, h;
	int g;

	for (g = 0; g < 7 && pp_peek(st, i) == ':'; g++) {
		for (h = 0; h < 4 && pp_is_hex(pp_peek(st, i + 1 + h)); h++)
			;
		if (h == 0)
			break;
		i += 1 + h;
		if (pp_is_hex(pp_peek(st, i)))
			break;
	}
	return g ? i - k : 0;
}

/* Length of the IPv6 address at the cursor (Kamailio's IPV6ADDR token,
 * longest alternative), 0 if none. Keeps `fe80::beef` from being read as
 * identifiers that could be define-expanded. */
static size_t pp_ipv6_len(const pp_state *st)
{
	size_t pos = 0, g, best = 0, t, h;
	int n = 0;

	while (n < 7 && (g = pp_v6_group(st, pos)) > 0) {
		pos += g;
		n++;
	}
	if (n == 7) { /* (hex:){7}hex */
		for (h = 0; h < 4 && pp_is_hex(pp_peek(st, pos + h)); h++)
			;
		if (h && pos + h > best)
			best = pos + h;
	}
	if (n >= 1 && pp_peek(st, pos) == ':') {
		t = pp_v6_tail(st, pos); /* (hex:){1,7}(:hex){1,7} */
		if (t && pos + t > best)
			best = pos + t;
		if (pos + 1 > best) /* (hex:){1,7}: */
			best = pos + 1;
	}
	if (pp_peek(st, 0) == ':' && pp_peek(st, 1) == ':') {
		t = pp_v6_tail(st, 1); /* :(:hex){1,7} */
		if (1 + t > best)
			best = 1 + t;
		if (best < 2)
			best = 2;
	}
	return best;
}

/* Push the value of define d used at the cursor (the identifier is n
 * characters long) for rescanning. */
static void pp_expand(pp_state *st, const cfgc_define *d, size_t n)
{
	pp_pos use = pp_here(st);
	const pp_frame *top = &st->fr[st->nfr - 1];
	int depth = top->is_file ? 1 : top->depth + 1;
	size_t vlen = d->value ? strlen(d->value) : 0;
	pp_frame f;
	char nb[80];

	use.expand = 1;
	pp_skip_n(st, n);
	if (vlen == 0)
		return; /* a define without value expands to nothing */
	if (depth > PP_MAX_DEPTH) {
		if (use.file != st->rec_at.file || use.line != st->rec_at.line ||
		    use.col != st->rec_at.col) {
			pp_diag(st, CFGC_ERROR, "define-recursion", use, n,
			        "define expansion nested more than %d levels deep: is '%s' recursive?",
			        PP_MAX_DEPTH, pp_clip(nb, sizeof nb, d->name, strlen(d->name)));
			st->rec_at = use;
		}
		pp_drop_defines(st);
		return;
	}
	if (st->expanded + vlen > PP_MAX_EXPAND) {
		pp_diag(st, CFGC_ERROR, "define-recursion", use, n,
		        "define expansion produces more than %u MiB of text; expansion stops here",
		        (unsigned)(PP_MAX_EXPAND >> 20));
		st->expand_off = 1;
		pp_drop_defines(st);
		return;
	}
	st->expanded += vlen;
	/* Kamailio joins a string with the strings after it, not with a
	 * define's value: `"a" S` is two strings, `S "a"` one */
	if (d->value[0] == '"')
		pp_mark_sep(st);
	pp_cur(st); /* drop exhausted frames first */
	memset(&f, 0, sizeof f);
	f.text = d->value;
	f.len = vlen;
	f.use = use;
	f.depth = depth;
	pp_push_frame(st, &f);
}

static void pp_include(pp_state *st, int import, pp_pos kw);

/* An identifier in active code: keywords are copied, include_file and
 * import_file handled, defines expanded. */
static void pp_ident(pp_state *st)
{
	size_t n = pp_id_len(st, 0), v6 = pp_ipv6_len(st), m;
	const char *s;
	int idx;

	if (v6 > n) {
		st->lm = st->evr = 0;
		pp_copy_n(st, v6);
		return;
	}
	pp_gather(st, &st->id, 0, n);
	s = st->id.s;
	if ((n == 12 && memcmp(s, "include_file", 12) == 0) ||
	    (n == 11 && memcmp(s, "import_file", 11) == 0)) {
		pp_pos kw = pp_here(st);
		st->lm = st->evr = 0;
		pp_skip_n(st, n);
		pp_include(st, n == 11, kw);
		return;
	}
	/* "uri:host", "uri:port", "msg:len" are single keywords */
	if (pp_peek(st, n) == ':' && (m = pp_id_len(st, n + 1)) > 0) {
		pp_gather(st, &st->tmp, 0, n + 1 + m);
		if (cfgc_is_keyword(st->tmp.s, n + 1 + m)) {
			st->lm = st->evr = 0;
			pp_copy_n(st, n + 1 + m);
			return;
		}
	}
	if (cfgc_is_keyword(s, n)) {
		st->lm = (n == 10 && memcmp(s, "loadmodule", 10) == 0);
		st->evr = (n == 11 && memcmp(s, "event_route", 11) == 0);
		pp_copy_n(st, n);
		return;
	}
	st->lm = st->evr = 0;
	idx = st->expand_off ? -1 : pp_def_find(st, s, n);
	if (idx >= 0) {
		pp_expand(st, &st->ctx->defs[idx], n);
		return;
	}
	pp_copy_n(st, n);
}

/* Inside `event_route [ name ]`: the name is not define-expanded. Returns
 * 1 when the character was taken. */
static int pp_evroute(pp_state *st, int c)
{
	if (pp_is_blank(c) || c == '\n') {
		pp_copy(st);
		return 1;
	}
	if (c == '[' && st->evr == 1) {
		st->evr = 2;
		pp_copy(st);
		return 1;
	}
	if (st->evr == 2 && (pp_is_id_char(c) || c == ':' || c == '-')) {
		pp_copy(st);
		return 1;
	}
	if (st->evr == 2 && c == ']') {
		st->evr = 0;
		pp_copy(st);
		return 1;
	}
	st->evr = 0;
	return 0;
}

/* ------------------------------------------------------------- comments */

/* A line comment: one space in the output, the rest of the input line
 * dropped (through the end of any define value into the using line). */
static void pp_line_comment(pp_state *st)
{
	pp_mark_sep(st);
	pp_emit(st, ' ', pp_here(st));
	pp_skip_line(st);
}

/* A nested block comment: one space, its newlines kept. */
static void pp_block_comment(pp_state *st)
{
	pp_pos start = pp_here(st);
	int depth = 0, c;

	pp_mark_sep(st);
	pp_emit(st, ' ', start);
	for (;;) {
		c = pp_cur(st);
		if (c < 0) {
			pp_diag(st, CFGC_ERROR, "unterminated-comment", start, 2,
			        "block comment is not closed before the end of the file");
			return;
		}
		if (c == '/' && pp_peek(st, 1) == '*') {
			depth++;
			pp_skip_n(st, 2);
		} else if (c == '*' && pp_peek(st, 1) == '/') {
			pp_skip_n(st, 2);
			if (--depth == 0)
				return;
		} else if (c == '\n') {
			pp_copy(st);
		} else {
			pp_adv(st);
		}
	}
}

/* Mode header word after `#!` or `//!`: CFGC_MODE_* or -1. */
static int pp_mode_word(const char *w, size_t n)
{
	if ((n == 8 && memcmp(w, "KAMAILIO", 8) == 0) || (n == 7 && memcmp(w, "OPENSER", 7) == 0))
		return CFGC_MODE_KAMAILIO;
	if (n == 3 && memcmp(w, "SER", 3) == 0)
		return CFGC_MODE_SER;
	if ((n == 9 && memcmp(w, "MAXCOMPAT", 9) == 0) || (n == 3 && memcmp(w, "ALL", 3) == 0))
		return CFGC_MODE_MAX;
	return -1;
}

/* A mode header: record it at the current output offset. */
static void pp_set_mode(pp_state *st, int mode)
{
	cfgc_ctx *ctx = st->ctx;

	ctx->modes = pp_grow_i(ctx->modes, &ctx->modes_cap, (size_t)ctx->nmodes + 1,
	                       sizeof *ctx->modes);
	ctx->modes[ctx->nmodes].out_off = (uint32_t)ctx->out_len;
	ctx->modes[ctx->nmodes].mode = mode;
	ctx->nmodes++;
	st->mode = mode;
}

/* `//`: a line comment, or a `//!KAMAILIO` style header. */
static void pp_slash(pp_state *st)
{
	size_t wl = 0;
	int mode;

	if (pp_peek(st, 2) == '!') {
		while (pp_is_id_char(pp_peek(st, 3 + wl)))
			wl++;
		pp_gather(st, &st->id, 3, wl);
		mode = pp_mode_word(st->id.s, wl);
		if (mode >= 0 && pp_peek(st, 3 + wl) == '\n') {
			pp_skip_n(st, 3 + wl);
			pp_set_mode(st, mode);
			return;
		}
	}
	pp_line_comment(st);
}

/* Single-# lookalikes of directives, at the start of a line, and what
 * must follow the word for the line to look like an attempted directive
 * (so that commented-out code such as `#else {` stays quiet):
 * 0 nothing, 1 one name, 2 a name and maybe a value, 3 anything. */
static const struct {
	const char *word;
	int args;
	const char *effect;
} pp_hash_words[] = {
	{ "ifdef", 1, "the code it seems to guard is always active" },
	{ "ifndef", 1, "the code it seems to guard is always active" },
	{ "else", 0, "the code it seems to guard is always active" },
	{ "endif", 0, "the code it seems to guard is always active" },
	{ "define", 2, "nothing is defined" },
	{ "undef", 1, "nothing is undefined" },
	{ "include", 3, "no file is included" },
};

/* Warn about `#ifdef X` and friends (comments in Kamailio). */
static void pp_single_hash(pp_state *st)
{
	size_t wl = 0, i, a, an = 0, len, e;
	char shown[120], word[16];
	int c;

	while (wl < 10 && pp_is_id_char(pp_peek(st, 1 + wl)))
		wl++;
	if (wl == 0 || pp_is_id_char(pp_peek(st, 1 + wl)))
		return;
	pp_gather(st, &st->id, 1, wl);
	for (i = 0; i < sizeof pp_hash_words / sizeof pp_hash_words[0]; i++)
		if (strlen(pp_hash_words[i].word) == wl && memcmp(pp_hash_words[i].word, st->id.s, wl) == 0)
			break;
	if (i == sizeof pp_hash_words / sizeof pp_hash_words[0])
		return;
	memcpy(word, st->id.s, wl);
	word[wl] = 0;
	/* the argument, for the message: '#ifdef WITH_X' */
	a = 1 + wl;
	while (pp_peek(st, a) == ' ' || pp_peek(st, a) == '\t')
		a++;
	if (a > 1 + wl && pp_is_id_start(pp_peek(st, a)))
		an = pp_id_len(st, a);
	/* what follows the name (or the word) */
	e = an ? a + an : 1 + wl;
	while (pp_is_blank(pp_peek(st, e)))
		e++;
	c = pp_peek(st, e);
	switch (pp_hash_words[i].args) {
	case 0:
		if (c >= 0 && c != '\n')
			return;
		break;
	case 1:
		if (!an || (c >= 0 && c != '\n'))
			return;
		break;
	case 2:
		if (!an || (pp_peek(st, a + an) >= 0 && pp_peek(st, a + an) != '\n' &&
		            !pp_is_blank(pp_peek(st, a + an))))
			return;
		break;
	}
	len = an ? a + an : 1 + wl;
	pp_gather(st, &st->tmp, 0, len);
	pp_clip(shown, sizeof shown, st->tmp.s, st->tmp.n);
	{
		cfgc_diag *d = pp_diag(st, CFGC_WARNING, "single-hash-directive", pp_here(st), len,
		                       "'%s' is a comment, not a directive: %s", shown,
		                       pp_hash_words[i].effect);
		if (d)
			cfgc_diag_help(st->ctx, d, "write '#!%s'", word);
	}
}

/* ----------------------------------------------------------- directives */

enum {
	D_DEFINE, D_TRYDEF, D_REDEF, D_UNDEF, D_TRYUNDEF, D_IFDEF, D_IFNDEF, D_IFEXP,
	D_ELSE, D_ENDIF, D_DEFEXP, D_DEFEXPS, D_DEFENV, D_DEFENVS, D_TRYDEFENV,
	D_TRYDEFENVS, D_SUBST, D_SUBSTDEF, D_SUBSTDEFS, D_INCLUDE, D_IMPORT,
};

static const struct {
	const char *word;
	int id;
} pp_dir_words[] = {
	{ "define", D_DEFINE }, { "def", D_DEFINE },
	{ "trydefine", D_TRYDEF }, { "trydef", D_TRYDEF },
	{ "redefine", D_REDEF }, { "redef", D_REDEF },
	{ "undefine", D_UNDEF }, { "undef", D_UNDEF },
	{ "tryundefine", D_TRYUNDEF }, { "tryundef", D_TRYUNDEF },
	{ "ifdef", D_IFDEF }, { "ifndef", D_IFNDEF }, { "ifexp", D_IFEXP },
	{ "else", D_ELSE }, { "endif", D_ENDIF },
	{ "defexp", D_DEFEXP }, { "defexps", D_DEFEXPS },
	{ "defenv", D_DEFENV }, { "defenvs", D_DEFENVS },
	{ "trydefenv", D_TRYDEFENV }, { "trydefenvs", D_TRYDEFENVS },
	{ "subst", D_SUBST }, { "substdef", D_SUBSTDEF }, { "substdefs", D_SUBSTDEFS },
	{ "include_file", D_INCLUDE }, { "import_file", D_IMPORT },
};

/* Directive id of a word after `#!`/`!!`, -1 if it is not one. */
static int pp_dir_lookup(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof pp_dir_words / sizeof pp_dir_words[0]; i++)
		if (strlen(pp_dir_words[i].word) == n && memcmp(pp_dir_words[i].word, w, n) == 0)
			return pp_dir_words[i].id;
	return -1;
}

/* Columns from a to b when both are on one source line, else dflt. */
static int pp_span(pp_pos a, pp_pos b, int dflt)
{
	if (a.file == b.file && a.line == b.line && !a.expand && !b.expand && b.col > a.col)
		return b.col - a.col;
	return dflt;
}

/* After a directive word: at least one blank, then a define name (left in
 * st->id). Returns its length, 0 after reporting an error (the rest of
 * the line is then dropped). */
static size_t pp_dir_name(pp_state *st, const char *dname, pp_pos start, size_t dlen,
                          pp_pos *at)
{
	size_t n;
	char nb[80];

	if (!pp_is_blank(pp_cur(st))) {
		pp_diag(st, CFGC_ERROR, "bad-directive", start, dlen,
		        "expected a name after '%s'", dname);
		pp_skip_line(st);
		return 0;
	}
	pp_skip_blanks(st);
	*at = pp_here(st);
	n = pp_id_len(st, 0);
	if (n == 0) {
		pp_diag(st, CFGC_ERROR, "bad-directive", *at, 1, "expected a name after '%s'", dname);
		pp_skip_line(st);
		return 0;
	}
	pp_gather(st, &st->id, 0, n);
	pp_skip_n(st, n);
	if (pp_cur(st) == '-') {
		pp_diag(st, CFGC_ERROR, "bad-define-name", *at, n + 1,
		        "'-' is not allowed in a define name ('%s-...')",
		        pp_clip(nb, sizeof nb, st->id.s, n));
		pp_skip_line(st);
		return 0;
	}
	return n;
}

/* Only blanks may follow on a directive line: report anything else as
 * trailing text and drop it. Returns 0 when the line was clean. Kamailio
 * skips (echoes to standard output) stray characters after `#!ifdef NAME`
 * and still honours the directive, testing NAME alone, so there (`soft`)
 * the text is only a warning: a Unicode space pasted from a web page, a
 * comment, or a second name the author meant to test as well. */
static int pp_dir_eol(pp_state *st, const char *what, int soft)
{
	pp_pos p;
	size_t n = 0, i;
	int c, ascii = 0;

	pp_skip_blanks(st);
	c = pp_cur(st);
	if (c < 0 || c == '\n')
		return 0;
	p = pp_here(st);
	while ((c = pp_peek(st, n)) >= 0 && c != '\n')
		n++;
	while (n > 1 && pp_is_blank(pp_peek(st, n - 1)))
		n--;
	for (i = 0; i < n; i++)
		if (pp_peek(st, i) < 0x80 && !pp_is_blank(pp_peek(st, i)))
			ascii = 1;
	if (soft && !ascii)
		pp_diag(st, CFGC_WARNING, "trailing-text", p, n,
		        "invisible non-ASCII characters after '%s'", what);
	else if (soft)
		pp_diag(st, CFGC_WARNING, "trailing-text", p, n,
		        "text after '%s NAME' is ignored: Kamailio prints it and uses NAME alone",
		        what);
	else
		pp_diag(st, CFGC_ERROR, "trailing-text", p, n, "unexpected text after '%s'", what);
	pp_skip_line(st);
	return -1;
}

/* Whether anything but blanks follows on the current line. */
static int pp_line_has_text(pp_state *st)
{
	size_t n = 0;
	int c;

	while ((c = pp_peek(st, n)) >= 0 && c != '\n') {
		if (!pp_is_blank(c))
			return 1;
		n++;
	}
	return 0;
}

/* Read the rest of the line into st->line (no continuation). */
static void pp_rest_of_line(pp_state *st)
{
	int c;

	pp_buf_reset(&st->line);
	while ((c = pp_cur(st)) >= 0 && c != '\n') {
		pp_buf_addc(&st->line, c);
		pp_adv(st);
	}
}

/* ---------------------------------------------- #!ifexp / #!defexp */

typedef struct {
	int is_str;
	double num;
	const char *s; /* arena */
	size_t n;
} pp_val;

typedef struct {
	pp_state *st;
	const char *p, *end;
	int depth;
	int err;
	size_t budget; /* bytes of string values still allowed */
	char msg[200];
} pp_expr;

enum {
	X_OR = 1, X_AND, X_BOR, X_BXOR, X_BAND, X_EQ, X_NE, X_LT, X_LE, X_GT, X_GE,
	X_SHL, X_SHR, X_ADD, X_SUB, X_MUL, X_DIV, X_MOD, X_POW,
};

/* Binary operators, longest spelling first; precedence as in §2.4. */
static const struct {
	const char *op;
	int prec, id;
} pp_xops[] = {
	{ "||", 1, X_OR }, { "&&", 2, X_AND }, { "==", 6, X_EQ }, { "!=", 6, X_NE },
	{ "<=", 7, X_LE }, { ">=", 7, X_GE }, { "<<", 8, X_SHL }, { ">>", 8, X_SHR },
	{ "**", 11, X_POW }, { "|", 3, X_BOR }, { "^", 4, X_BXOR }, { "&", 5, X_BAND },
	{ "<", 7, X_LT }, { ">", 7, X_GT }, { "+", 9, X_ADD }, { "-", 9, X_SUB },
	{ "*", 10, X_MUL }, { "/", 10, X_DIV }, { "%", 10, X_MOD },
};

static void pp_x_fail(pp_expr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pp_x_fail(pp_expr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->err)
		return;
	e->err = 1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

static pp_val pp_x_num(double d)
{
	pp_val v;

	memset(&v, 0, sizeof v);
	v.num = d;
	return v;
}

/* A string value, copied into the arena within the expression's budget
 * (bounds the memory an expression of concatenations can take). */
static pp_val pp_x_str(pp_expr *e, const char *s, size_t n)
{
	pp_val v;

	memset(&v, 0, sizeof v);
	v.is_str = 1;
	if (n > e->budget) {
		pp_x_fail(e, "string value too long");
		n = 0;
	}
	e->budget -= n;
	v.s = pp_dup(e->st->ctx, s, n);
	v.n = n;
	return v;
}

/* Parse s as a plain decimal number (digits, at most one '.'), trimming
 * blanks. Returns 1 on success. */
static int pp_x_parse_num(const char *s, size_t n, double *out)
{
	size_t i = 0;
	double v = 0, scale = 1;
	int digits = 0, frac = 0;

	while (n > 0 && (pp_is_blank((unsigned char)s[n - 1]) || s[n - 1] == '\n'))
		n--;
	while (i < n && pp_is_blank((unsigned char)s[i]))
		i++;
	for (; i < n; i++) {
		if (s[i] == '.' && !frac) {
			frac = 1;
		} else if (s[i] >= '0' && s[i] <= '9') {
			digits++;
			if (frac) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			} else {
				v = v * 10 + (s[i] - '0');
			}
		} else {
			return 0;
		}
	}
	if (!digits)
		return 0;
	*out = v;
	return 1;
}

/* Numeric value of v (strings must look like numbers). */
static double pp_x_tonum(pp_expr *e, pp_val v)
{
	double d = 0;
	char sb[60];

	if (!v.is_str)
		return v.num;
	if (!pp_x_parse_num(v.s, v.n, &d))
		pp_x_fail(e, "'%s' is not a number", pp_clip(sb, sizeof sb, v.s, v.n));
	return d;
}

static int pp_x_truth(pp_val v)
{
	return v.is_str ? v.n > 0 : v.num != 0;
}

/* Saturating conversion for the bitwise and shift operators. */
static long long pp_x_int(double d)
{
	if (d != d)
		return 0;
	if (d >= 9.2e18)
		return INT64_MAX;
	if (d <= -9.2e18)
		return INT64_MIN;
	return (long long)d;
}

/* Text of a value (numbers as integers when integral). */
static void pp_x_text(pp_val v, char *buf, size_t bsz, const char **s, size_t *n)
{
	if (v.is_str) {
		*s = v.s;
		*n = v.n;
		return;
	}
	if (v.num == (double)pp_x_int(v.num) && v.num > -9.2e18 && v.num < 9.2e18)
		snprintf(buf, bsz, "%lld", pp_x_int(v.num));
	else
		snprintf(buf, bsz, "%g", v.num);
	*s = buf;
	*n = strlen(buf);
}

static void pp_x_ws(pp_expr *e)
{
	while (e->p < e->end && (pp_is_blank((unsigned char)*e->p) || *e->p == '\n'))
		e->p++;
}

/* Value of a define name in an expression: 0 if undefined, 1 without a
 * value, else the value (one pair of enclosing quotes removed; unquoted
 * numbers are numbers). */
static pp_val pp_x_name(pp_expr *e, const char *s, size_t n)
{
	int idx = pp_def_find(e->st, s, n);
	const char *v;
	size_t vn;
	double d;

	if (idx < 0)
		return pp_x_num(0);
	v = e->st->ctx->defs[idx].value;
	if (!v)
		return pp_x_num(1);
	vn = strlen(v);
	if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0])
		return pp_x_str(e, v + 1, vn - 2);
	if (pp_x_parse_num(v, vn, &d))
		return pp_x_num(d);
	return pp_x_str(e, v, vn);
}

static pp_val pp_x_binary(pp_expr *e, int minprec);

/* primary: number | string | name | '(' expr ')' ; with unary - ! ^ */
static pp_val pp_x_unary(pp_expr *e)
{
	pp_val v = pp_x_num(0);
	const char *s;
	char c;
	double d;

	if (e->err)
		return v;
	if (++e->depth > PP_MAX_EXPR_DEPTH) {
		pp_x_fail(e, "expression nested too deeply");
		e->depth--;
		return v;
	}
	pp_x_ws(e);
	c = e->p < e->end ? *e->p : 0;
	if (e->p >= e->end || c == '#') {
		pp_x_fail(e, "expression ends too early");
	} else if (c == '-' || c == '!' || c == '^') {
		e->p++;
		v = pp_x_unary(e);
		if (c == '-')
			v = pp_x_num(-pp_x_tonum(e, v));
		else if (c == '!')
			v = pp_x_num(!pp_x_truth(v));
		else
			v = pp_x_num((double)~pp_x_int(pp_x_tonum(e, v)));
	} else if (c >= '0' && c <= '9') {
		s = e->p;
		while (e->p < e->end && ((*e->p >= '0' && *e->p <= '9') || *e->p == '.'))
			e->p++;
		if (!pp_x_parse_num(s, (size_t)(e->p - s), &d))
			pp_x_fail(e, "bad number");
		v = pp_x_num(d);
	} else if (c == '"' || c == '\'') {
		pp_buf *b = &e->st->tmp;
		pp_buf_reset(b);
		e->p++;
		while (e->p < e->end && *e->p != c) {
			if (*e->p == '\\' && e->p + 1 < e->end) {
				e->p++;
				pp_buf_addc(b, *e->p == 'n' ? '\n' : *e->p == 'r' ? '\r' :
				               *e->p == 't' ? '\t' : *e->p);
			} else {
				pp_buf_addc(b, *e->p);
			}
			e->p++;
		}
		if (e->p >= e->end)
			pp_x_fail(e, "string is not closed");
		else
			e->p++;
		v = pp_x_str(e, b->s, b->n);
	} else if (pp_is_id_start((unsigned char)c)) {
		s = e->p;
		while (e->p < e->end && pp_is_id_char((unsigned char)*e->p))
			e->p++;
		v = pp_x_name(e, s, (size_t)(e->p - s));
	} else if (c == '(') {
		e->p++;
		v = pp_x_binary(e, 1);
		pp_x_ws(e);
		if (e->p < e->end && *e->p == ')')
			e->p++;
		else
			pp_x_fail(e, "missing ')'");
	} else {
		char cb[8];
		pp_x_fail(e, "unexpected '%s'", pp_clip(cb, sizeof cb, &c, 1));
	}
	e->depth--;
	return v;
}

/* Apply binary operator op. */
static pp_val pp_x_apply(pp_expr *e, int op, pp_val l, pp_val r)
{
	double a, b, res = 0;
	long long ia, ib;
	char buf[64];
	const char *rs;
	size_t rn;
	int cmp;

	switch (op) {
	case X_OR:
		return pp_x_num(pp_x_truth(l) || pp_x_truth(r));
	case X_AND:
		return pp_x_num(pp_x_truth(l) && pp_x_truth(r));
	case X_EQ: case X_NE: case X_LT: case X_LE: case X_GT: case X_GE:
		if (l.is_str) {
			/* string comparison when the left side is a string */
			pp_x_text(r, buf, sizeof buf, &rs, &rn);
			cmp = memcmp(l.s, rs, l.n < rn ? l.n : rn);
			if (cmp == 0)
				cmp = l.n < rn ? -1 : l.n > rn;
		} else {
			a = l.num;
			if (r.is_str && !pp_x_parse_num(r.s, r.n, &b))
				return pp_x_num(op == X_NE); /* NaN: only != holds */
			b = r.is_str ? b : r.num;
			cmp = a < b ? -1 : a > b;
		}
		switch (op) {
		case X_EQ: return pp_x_num(cmp == 0);
		case X_NE: return pp_x_num(cmp != 0);
		case X_LT: return pp_x_num(cmp < 0);
		case X_LE: return pp_x_num(cmp <= 0);
		case X_GT: return pp_x_num(cmp > 0);
		default: return pp_x_num(cmp >= 0);
		}
	case X_ADD:
		if (l.is_str) {
			pp_buf *t = &e->st->tmp;
			pp_x_text(r, buf, sizeof buf, &rs, &rn);
			pp_buf_reset(t);
			pp_buf_add(t, l.s, l.n);
			pp_buf_add(t, rs, rn);
			return pp_x_str(e, t->s, t->n);
		}
		return pp_x_num(l.num + pp_x_tonum(e, r));
	default:
		break;
	}
	a = pp_x_tonum(e, l);
	b = pp_x_tonum(e, r);
	if (e->err)
		return pp_x_num(0);
	ia = pp_x_int(a);
	ib = pp_x_int(b);
	switch (op) {
	case X_SUB: res = a - b; break;
	case X_MUL: res = a * b; break;
	case X_DIV:
		if (b == 0)
			pp_x_fail(e, "division by zero");
		else
			res = a / b;
		break;
	case X_MOD:
		if (b == 0 || a / b >= 9.2e18 || a / b <= -9.2e18)
			pp_x_fail(e, "bad operands for '%%'");
		else
			res = a - b * (double)pp_x_int(a / b);
		break;
	case X_POW:
		if (b != (double)ib || ib > 1024 || ib < -1024) {
			pp_x_fail(e, "only integer exponents up to 1024 are supported");
		} else {
			long long k;
			res = 1;
			for (k = 0; k < (ib < 0 ? -ib : ib); k++)
				res *= a;
			if (ib < 0)
				res = res != 0 ? 1 / res : 0;
		}
		break;
	case X_SHL:
		res = (ib < 0 || ib > 63) ? 0 : (double)(long long)((unsigned long long)ia << ib);
		break;
	case X_SHR:
		res = (ib < 0 || ib > 63) ? 0 : (double)(ia >> ib);
		break;
	case X_BOR: res = (double)(ia | ib); break;
	case X_BXOR: res = (double)(ia ^ ib); break;
	case X_BAND: res = (double)(ia & ib); break;
	}
	return pp_x_num(res);
}

/* Precedence climbing over pp_xops. */
static pp_val pp_x_binary(pp_expr *e, int minprec)
{
	pp_val l, r;
	size_t i, ol;

	if (++e->depth > PP_MAX_EXPR_DEPTH) {
		pp_x_fail(e, "expression nested too deeply");
		e->depth--;
		return pp_x_num(0);
	}
	l = pp_x_unary(e);
	for (;;) {
		if (e->err)
			break;
		pp_x_ws(e);
		for (i = 0; i < sizeof pp_xops / sizeof pp_xops[0]; i++) {
			ol = strlen(pp_xops[i].op);
			if ((size_t)(e->end - e->p) >= ol && memcmp(e->p, pp_xops[i].op, ol) == 0)
				break;
		}
		if (i == sizeof pp_xops / sizeof pp_xops[0] || pp_xops[i].prec < minprec)
			break;
		e->p += ol;
		r = pp_x_binary(e, pp_xops[i].id == X_POW ? pp_xops[i].prec : pp_xops[i].prec + 1);
		l = pp_x_apply(e, pp_xops[i].id, l, r);
	}
	e->depth--;
	return l;
}

/* Evaluate an #!ifexp/#!defexp expression. Returns 0 with *out set, or -1
 * after reporting a "bad-expression" error at p. */
static int pp_eval(pp_state *st, const char *s, size_t n, pp_pos p, size_t plen, pp_val *out)
{
	pp_expr e;
	pp_val v;

	memset(&e, 0, sizeof e);
	e.st = st;
	e.p = s;
	e.end = s + n;
	e.budget = 16 * n + 4096;
	if (n > PP_MAX_EXPR) {
		pp_diag(st, CFGC_ERROR, "bad-expression", p, plen,
		        "expression longer than %d bytes", PP_MAX_EXPR);
		return -1;
	}
	v = pp_x_binary(&e, 1);
	pp_x_ws(&e);
	if (!e.err && e.p < e.end && *e.p != '#')
		pp_x_fail(&e, "unexpected text after the expression");
	if (e.err) {
		pp_diag(st, CFGC_ERROR, "bad-expression", p, plen, "cannot evaluate expression: %s", e.msg);
		return -1;
	}
	*out = v;
	return 0;
}

/* Warn that a directive appeared in Kamailio 5.7. */
static void pp_needs_57(pp_state *st, pp_pos p, size_t len, const char *word)
{
	if (st->ctx->opts.target == CFGC_TARGET_KAMAILIO)
		pp_diag(st, CFGC_WARNING, "needs-newer", p, len,
		        "'#!%s' needs Kamailio 5.7 or newer; 5.6.3 treats the line as a comment", word);
}

/* --------------------------------------------------- directive bodies */

/* #!ifdef NAME / #!ifndef NAME: open a block (also while skipping, to keep
 * the nesting count). */
static void pp_dir_ifdef(pp_state *st, int kind, pp_pos start, size_t dlen)
{
	const char *dname = kind == PP_IFNDEF ? "#!ifndef" : "#!ifdef";
	cfgc_loc dw = { -1, 0, 0 };
	pp_pos at;
	size_t n = pp_dir_name(st, dname, start, dlen, &at);
	int idx, len;
	char *name;

	if (n == 0) {
		pp_push_if(st, kind, 0, start, (int)dlen, "", dw);
		return;
	}
	name = pp_dup(st->ctx, st->id.s, n);
	len = pp_span(start, pp_here(st), (int)(dlen + 1 + n));
	pp_dir_eol(st, dname, 1);
	idx = pp_def_find(st, name, n);
	if (idx >= 0)
		dw = st->ctx->defs[idx].where;
	pp_push_if(st, kind, (idx >= 0) ^ (kind == PP_IFNDEF), start, len, name, dw);
}

/* #!ifexp EXPRESSION: open a block taken when the expression is true
 * (evaluated only when the enclosing text is active). */
static void pp_dir_ifexp(pp_state *st, pp_pos start, size_t dlen)
{
	cfgc_loc dw = { -1, 0, 0 };
	const char *s;
	size_t n;
	pp_val v;
	int taken = 0;

	pp_rest_of_line(st);
	s = st->line.s;
	n = st->line.n;
	while (n && pp_is_blank((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && pp_is_blank((unsigned char)s[n - 1]))
		n--;
	if (st->active && pp_eval(st, s, n, start, dlen, &v) == 0)
		taken = pp_x_truth(v);
	pp_push_if(st, PP_IFEXP, taken, start, pp_span(start, pp_here(st), (int)dlen),
	           pp_dup(st->ctx, s, n), dw);
}

/* #!else / #!endif (a newline must follow, blanks allowed). */
static void pp_dir_else_endif(pp_state *st, int is_else, pp_pos start, size_t dlen)
{
	const char *what = is_else ? "#!else" : "#!endif";
	pp_if *e;

	/* Kamailio recognises the directive only when blanks and a newline
	 * follow; with more text the line is a comment (or skipped text). */
	if (pp_line_has_text(st)) {
		pp_skip_blanks(st);
		pp_diag(st, CFGC_WARNING, "directive-comment", start, dlen,
		        "'%s' followed by text is a comment in Kamailio, not a directive: "
		        "the block it seems to %s goes on", what, is_else ? "switch" : "close");
		pp_skip_line(st);
		return;
	}
	pp_dir_eol(st, what, 0);
	if (pp_cur(st) < 0)
		pp_diag(st, CFGC_ERROR, "unbalanced-directive", start, dlen,
		        "'%s' on the last line needs a newline: Kamailio does not recognise it without one",
		        what);
	if (st->nifs == 0) {
		/* Kamailio warns here and goes on; a stray #!endif makes it refuse
		 * the file at the end (reported there, see cfgc_pp_run), a stray
		 * #!else does not */
		pp_diag(st, CFGC_WARNING, "unbalanced-directive", start, dlen,
		        "'%s' without '#!ifdef': ignored", what);
		if (!is_else && st->nstray_endif++ == 0) {
			st->stray_endif = start;
			st->stray_endif_len = dlen;
		}
		return;
	}
	e = &st->ifs[st->nifs - 1];
	if (!is_else) {
		st->nifs--;
		pp_update_active(st);
		return;
	}
	if (e->seen_else && e->parent_active)
		pp_diag(st, CFGC_WARNING, "duplicate-else", start, dlen,
		        "second '#!else' in the same block: it flips the condition back");
	e->seen_else = !e->seen_else;
	e->taken = !e->taken;
	e->cond = (e->parent_active && e->taken) ? pp_new_cond(st, e) : -1;
	pp_update_active(st);
}

/* #!define, #!trydef, #!redefine. */
static void pp_dir_define(pp_state *st, int how, const char *dname, pp_pos start, size_t dlen)
{
	pp_pos at;
	size_t n = pp_dir_name(st, dname, start, dlen, &at);
	char *name;
	int c;

	if (n == 0)
		return;
	name = pp_dup(st->ctx, st->id.s, n);
	pp_skip_blanks(st);
	pp_buf_reset(&st->line);
	while ((c = pp_cur(st)) >= 0 && c != '\n') {
		if (c == '\\' && pp_peek(st, 1) == '\n') {
			pp_adv(st);
			pp_copy(st); /* the newline keeps the line structure */
			continue;
		}
		pp_buf_addc(&st->line, c);
		pp_adv(st);
	}
	if (memchr(st->line.s, 0, st->line.n)) {
		pp_diag(st, CFGC_ERROR, "bad-directive", at, n, "NUL byte in the value of '%s'", name);
		return;
	}
	pp_define(st, name, n, st->line.n ? st->line.s : NULL, at, how);
}

/* #!undef, #!tryundef. */
static void pp_dir_undef(pp_state *st, int must, const char *dname, pp_pos start, size_t dlen)
{
	pp_pos at;
	size_t n = pp_dir_name(st, dname, start, dlen, &at);
	char nb[80];
	int idx;

	if (n == 0)
		return;
	pp_clip(nb, sizeof nb, st->id.s, n);
	idx = pp_def_find(st, st->id.s, n);
	pp_dir_eol(st, dname, 1);
	if (st->ctx->opts.target == CFGC_TARGET_KAMAILIO) {
		if (idx >= 0)
			pp_diag(st, CFGC_WARNING, "undef-ignored", start, pp_span(start, at, (int)dlen) + n,
			        "Kamailio 5.6.3 ignores %s: '%s' stays defined", dname, nb);
		else
			pp_diag(st, CFGC_WARNING, "undef-ignored", start, pp_span(start, at, (int)dlen) + n,
			        "Kamailio 5.6.3 ignores %s (the line is a comment there)", dname);
		return;
	}
	if (idx >= 0)
		pp_def_remove(st, idx);
	else if (must)
		pp_diag(st, CFGC_ERROR, "undefined-name", at, n, "'%s' is not defined", nb);
}

/* #!defexp NAME expr, #!defexps NAME expr. */
static void pp_dir_defexp(pp_state *st, int quoted, pp_pos start, size_t dlen)
{
	const char *dname = quoted ? "#!defexps" : "#!defexp";
	pp_pos at;
	size_t n = pp_dir_name(st, dname, start, dlen, &at);
	char *name, buf[64];
	const char *s;
	size_t sn;
	pp_val v;
	pp_buf val = { 0 };

	if (n == 0)
		return;
	name = pp_dup(st->ctx, st->id.s, n);
	pp_rest_of_line(st);
	if (pp_eval(st, st->line.s, st->line.n, at, n, &v) != 0)
		return;
	pp_x_text(v, buf, sizeof buf, &s, &sn);
	if (quoted)
		pp_buf_addc(&val, '"');
	pp_buf_add(&val, s, sn);
	if (quoted)
		pp_buf_addc(&val, '"');
	if (!memchr(val.s, 0, val.n))
		pp_define(st, name, n, val.s, at, PP_DEF);
	pp_buf_free(&val);
}

/* #!defenv[s] and #!trydefenv[s]: NAME or NAME=ENVVAR. */
static void pp_dir_defenv(pp_state *st, int quoted, int try, const char *dname, pp_pos start,
                          size_t dlen)
{
	pp_pos at, vat;
	size_t n, vn;
	const char *env;
	char *name, nb[80];
	pp_buf val = { 0 };

	n = pp_dir_name(st, dname, start, dlen, &at);
	if (n == 0)
		return;
	name = pp_dup(st->ctx, st->id.s, n);
	vat = at;
	vn = n;
	pp_skip_blanks(st);
	if (pp_cur(st) == '=') {
		pp_adv(st);
		pp_skip_blanks(st);
		vat = pp_here(st);
		vn = pp_id_len(st, 0);
		if (vn == 0) {
			pp_diag(st, CFGC_ERROR, "bad-directive", vat, 1,
			        "expected an environment variable name after '='");
			pp_skip_line(st);
			return;
		}
		pp_gather(st, &st->id, 0, vn);
		pp_skip_n(st, vn);
	} else {
		pp_gather(st, &st->id, 0, 0);
		pp_buf_add(&st->id, name, n);
	}
	pp_dir_eol(st, dname, 0);
	env = getenv(st->id.s);
	if (!env) {
		if (!try)
			pp_diag(st, CFGC_ERROR, "env-unset", vat, vn,
			        "environment variable '%s' is not set",
			        pp_clip(nb, sizeof nb, st->id.s, st->id.n));
		return;
	}
	if (quoted)
		pp_buf_addc(&val, '"');
	pp_buf_add(&val, env, strlen(env));
	if (quoted)
		pp_buf_addc(&val, '"');
	pp_define(st, name, n, val.s, at, try ? PP_TRYDEF : PP_DEF);
	pp_buf_free(&val);
}

/* #!subst, #!substdef, #!substdefs "<expr>" [;]. The argument is a string
 * token like any other (quotes of either kind, rules applied to it). */
static void pp_dir_subst(pp_state *st, int defmode, const char *dname, pp_pos start,
                         size_t dlen)
{
	pp_pos p;
	size_t k, rn;
	int open, c;
	const char *s, *res;

	pp_skip_blanks(st);
	c = pp_cur(st);
	p = pp_here(st);
	if (c != '"' && c != '\'') {
		pp_diag(st, CFGC_ERROR, "bad-subst", start, dlen,
		        "expected a quoted expression after '%s'", dname);
		pp_skip_line(st);
		return;
	}
	pp_buf_reset(&st->tmp);
	k = pp_scan_group(st, &st->tmp, &open);
	if (open) {
		pp_diag(st, CFGC_ERROR, "bad-subst", p, 1, "the expression of '%s' is not closed", dname);
		pp_skip_line(st);
		return;
	}
	pp_skip_n(st, k);
	s = st->tmp.s;
	rn = st->tmp.n;
	if (pp_subst(st, s, rn, &res, &rn))
		s = res;
	pp_buf_reset(&st->line);
	pp_buf_add(&st->line, s, rn);
	pp_add_rule(st, st->line.s, st->line.n, p, pp_span(p, pp_here(st), 1), defmode);
	pp_skip_blanks(st);
	if (pp_cur(st) == ';')
		pp_adv(st);
}

/* Dispatch a directive; the cursor is at its `#!` or `!!`, whose word
 * (wl characters) has been identified as directive d. */
static void pp_directive(pp_state *st, int d, size_t wl)
{
	pp_pos start = pp_here(st);
	size_t dlen = 2 + wl;
	char dname[20];

	snprintf(dname, sizeof dname, "#!%.*s", (int)wl, st->id.s);
	if (st->active)
		pp_mark_sep(st);
	pp_skip_n(st, dlen);
	/* 5.7's expression directives are plain comments to 5.6.3: no block
	 * is opened, so a matching #!endif is left over, as in Kamailio */
	if (st->ctx->opts.target == CFGC_TARGET_KAMAILIO &&
	    (d == D_IFEXP || d == D_DEFEXP || d == D_DEFEXPS)) {
		if (st->active)
			pp_needs_57(st, start, dlen, dname + 2);
		pp_skip_line(st);
		return;
	}
	switch (d) {
	case D_DEFINE: pp_dir_define(st, PP_DEF, dname, start, dlen); break;
	case D_TRYDEF: pp_dir_define(st, PP_TRYDEF, dname, start, dlen); break;
	case D_REDEF: pp_dir_define(st, PP_REDEF, dname, start, dlen); break;
	case D_UNDEF: pp_dir_undef(st, 1, dname, start, dlen); break;
	case D_TRYUNDEF: pp_dir_undef(st, 0, dname, start, dlen); break;
	case D_IFDEF: pp_dir_ifdef(st, PP_IFDEF, start, dlen); break;
	case D_IFNDEF: pp_dir_ifdef(st, PP_IFNDEF, start, dlen); break;
	case D_IFEXP: pp_dir_ifexp(st, start, dlen); break;
	case D_ELSE: pp_dir_else_endif(st, 1, start, dlen); break;
	case D_ENDIF: pp_dir_else_endif(st, 0, start, dlen); break;
	case D_DEFEXP: pp_dir_defexp(st, 0, start, dlen); break;
	case D_DEFEXPS: pp_dir_defexp(st, 1, start, dlen); break;
	case D_DEFENV: pp_dir_defenv(st, 0, 0, dname, start, dlen); break;
	case D_DEFENVS: pp_dir_defenv(st, 1, 0, dname, start, dlen); break;
	case D_TRYDEFENV: pp_dir_defenv(st, 0, 1, dname, start, dlen); break;
	case D_TRYDEFENVS: pp_dir_defenv(st, 1, 1, dname, start, dlen); break;
	case D_SUBST:
	case D_SUBSTDEF:
	case D_SUBSTDEFS:
		/* Kamailio's grammar has these as statements of their own */
		if (st->active)
			st->ctx->pp_stmts++;
		pp_dir_subst(st, d == D_SUBST ? 0 : d == D_SUBSTDEF ? 1 : 2, dname, start, dlen);
		break;
	case D_INCLUDE: pp_include(st, 0, start); break;
	case D_IMPORT: pp_include(st, 1, start); break;
	}
}

/* At `#!` or `!!`: run the directive, mode header or (for `#!`) warn about
 * an unknown word. Returns 1 when the text was consumed, 0 when the caller
 * should treat it as a comment (`#`) or ordinary characters (`!`). */
static int pp_try_directive(pp_state *st)
{
	int c0 = pp_cur(st), d, mode;
	size_t wl = 0;
	char shown[80];

	while (wl < 64 && pp_is_id_char(pp_peek(st, 2 + wl)))
		wl++;
	if (wl == 0 || pp_is_id_char(pp_peek(st, 2 + wl)))
		return 0;
	pp_gather(st, &st->id, 2, wl);
	if (c0 == '#' && (mode = pp_mode_word(st->id.s, wl)) >= 0) {
		if (pp_peek(st, 2 + wl) == '\n') {
			pp_skip_n(st, 2 + wl);
			pp_set_mode(st, mode);
			return 1;
		}
		pp_diag(st, CFGC_WARNING, "unknown-directive", pp_here(st), 2 + wl,
		        "'#!%s' is a mode header only when a newline follows it directly%s; "
		        "Kamailio treats this line as a comment",
		        pp_clip(shown, sizeof shown, st->id.s, wl),
		        pp_peek(st, 2 + wl) == '\r' ? " (this line ends with CR LF)" : "");
		return 0;
	}
	d = pp_dir_lookup(st->id.s, wl);
	if (d < 0) {
		if (c0 == '#')
			pp_diag(st, CFGC_WARNING, "unknown-directive", pp_here(st), 2 + wl,
			        "unknown preprocessor directive '#!%s'; Kamailio treats the line as a comment",
			        pp_clip(shown, sizeof shown, st->id.s, wl));
		return 0;
	}
	pp_directive(st, d, wl);
	return 1;
}

/* `#`: directive, mode header, single-# lookalike, or a comment. */
static void pp_hash(pp_state *st)
{
	const pp_frame *f;

	if (pp_peek(st, 1) == '!' && pp_try_directive(st))
		return;
	f = &st->fr[st->nfr - 1];
	if (f->is_file && f->bol && pp_peek(st, 1) != '!')
		pp_single_hash(st);
	pp_line_comment(st);
}

/* ------------------------------------------------------------ includes */

/* Read a whole file into a malloc'd, NUL-terminated buffer (it becomes a
 * cfgc_src text, freed by cfgc_ctx_free()). Returns 0, or -1 with errno
 * set. */
static int pp_read_file(const char *path, char **text, size_t *len)
{
	FILE *f = NULL;
	struct stat sb;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	int err;

	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fstat(fileno(f), &sb) != 0)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	for (;;) {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = pp_xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > PP_MAX_FILE) {
			errno = EFBIG;
			goto fail;
		}
		if (got == 0) {
			if (ferror(f)) {
				errno = EIO;
				goto fail;
			}
			break;
		}
	}
	buf = pp_xrealloc(buf, n + 1);
	buf[n] = 0;
	*text = buf;
	*len = n;
	fclose(f);
	return 0;
fail:
	err = errno;
	free(buf);
	fclose(f);
	errno = err;
	return -1;
}

/* Register a loaded file in ctx->srcs and start reading it. */
static void pp_open_src(pp_state *st, const char *path, char *text, size_t len, int parent,
                        pp_pos at)
{
	cfgc_ctx *ctx = st->ctx;
	cfgc_src *s;
	pp_frame f;

	ctx->srcs = pp_grow_i(ctx->srcs, &ctx->srcs_cap, (size_t)ctx->nsrcs + 1,
	                      sizeof *ctx->srcs);
	s = &ctx->srcs[ctx->nsrcs];
	s->path = pp_dup(ctx, path, strlen(path));
	s->text = text;
	s->len = len;
	s->parent = parent;
	s->parent_line = parent >= 0 ? at.line : 0;
	s->parent_col = parent >= 0 ? at.col : 0;
	memset(&f, 0, sizeof f);
	f.text = text;
	f.len = len;
	f.is_file = 1;
	f.file = ctx->nsrcs;
	f.line = 1;
	f.col = 1;
	f.bol = 1;
	ctx->nsrcs++;
	pp_push_frame(st, &f);
}

/* include_file / import_file "path": the cursor is after the keyword (kw
 * is where the statement starts). Kamailio reads the next run of non-blank
 * characters on the line as the file name, runs the #!subst rules over it,
 * and requires double quotes around it. Relative names are tried in the
 * working directory, then next to the including file, then in -I dirs. */
static void pp_include(pp_state *st, int import, pp_pos kw)
{
	cfgc_ctx *ctx = st->ctx;
	const char *what = import ? "import_file" : "include_file";
	pp_buf raw = { 0 }, path = { 0 }, cand = { 0 }, tried = { 0 };
	pp_pos tp;
	size_t k = 0, i, rn, q, plen;
	const char *r, *res, *dir;
	char shown[160], *text;
	size_t tlen;
	int c, fi, nfiles = 0, parent, found = 0, j;
	cfgc_diag *d;

	while (pp_cur(st) == ' ' || pp_cur(st) == '\t')
		pp_adv(st);
	tp = pp_here(st);
	while ((c = pp_peek(st, k)) >= 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n')
		k++;
	if (k == 0) {
		pp_diag(st, CFGC_ERROR, "bad-include", kw, strlen(what),
		        "expected a file name in double quotes after '%s' on the same line", what);
		goto fail;
	}
	pp_gather(st, &raw, 0, k);
	pp_skip_n(st, k);
	r = raw.s;
	rn = raw.n;
	if (pp_subst(st, r, rn, &res, &rn))
		r = res;
	pp_clip(shown, sizeof shown, r, rn);
	if (rn < 2 || r[0] != '"' || r[rn - 1] != '"') {
		q = 0;
		if (rn >= 2 && r[0] == '"')
			for (q = 1; q < rn && r[q] != '"'; q++)
				;
		if (q == 0 || q >= rn) {
			pp_diag(st, CFGC_ERROR, "bad-include", tp, k,
			        "the file name of '%s' must be in double quotes: %s", what, shown);
			goto fail;
		}
		d = pp_diag(st, CFGC_ERROR, "bad-include", tp, k,
		            "Kamailio reads '%s' as the file name: text after the closing quote is part of it",
		            shown);
		if (d)
			cfgc_diag_help(ctx, d, "put a space after the closing quote");
		rn = q + 1;
	}
	for (i = 1; i + 1 < rn; i++) {
		if (r[i] == '\\') {
			if (i + 2 == rn) {
				pp_diag(st, CFGC_ERROR, "bad-include", tp, k,
				        "invalid escape at the end of the file name %s", shown);
				goto fail;
			}
			i++;
			pp_buf_addc(&path, r[i] == 't' ? '\t' : r[i] == 'n' ? '\n' : r[i] == 'r' ? '\r' : r[i]);
		} else {
			pp_buf_addc(&path, r[i]);
		}
	}
	if (path.n == 0 || memchr(path.s, 0, path.n)) {
		pp_diag(st, CFGC_ERROR, "bad-include", tp, k, "invalid file name %s for '%s'", shown, what);
		goto fail;
	}
	if (rn >= PP_INCLUDE_NAME)
		pp_diag(st, CFGC_ERROR, "bad-include", tp, k,
		        "file name %s is longer than Kamailio's limit of %d bytes", shown,
		        PP_INCLUDE_NAME - 1);
	for (j = 0; j < st->nfr; j++)
		nfiles += st->fr[j].is_file;
	if (nfiles - 1 >= PP_MAX_INCLUDE) {
		pp_diag(st, CFGC_ERROR, "include-depth", kw, strlen(what),
		        "too many nested includes (the limit is %d)", PP_MAX_INCLUDE);
		goto fail;
	}
	fi = pp_file_frame(st);
	parent = fi >= 0 ? st->fr[fi].file : -1;
	/* candidates: as given (absolute, or relative to the working
	 * directory), the including file's directory, each -I directory */
	if (path.s[0] == '/' && ctx->opts.sysroot && *ctx->opts.sysroot) {
		/* --sysroot: absolute names are looked up under it first */
		pp_buf_add(&cand, ctx->opts.sysroot, strlen(ctx->opts.sysroot));
		pp_buf_add(&cand, path.s, path.n);
		if (pp_read_file(cand.s, &text, &tlen) == 0) {
			pp_open_src(st, cand.s, text, tlen, parent, kw);
			found = 1;
		} else {
			pp_buf_add(&tried, cand.s, cand.n);
		}
	}
	for (j = -2; j < ctx->opts.nincdirs && !found; j++) {
		pp_buf_reset(&cand);
		if (j == -2) {
			pp_buf_add(&cand, path.s, path.n);
		} else if (path.s[0] == '/') {
			break;
		} else if (j == -1) {
			dir = parent >= 0 ? ctx->srcs[parent].path : NULL;
			if (!dir || !strrchr(dir, '/'))
				continue;
			pp_buf_add(&cand, dir, (size_t)(strrchr(dir, '/') - dir) + 1);
			pp_buf_add(&cand, path.s, path.n);
		} else {
			dir = ctx->opts.incdirs[j];
			if (!dir || !*dir)
				continue;
			plen = strlen(dir);
			pp_buf_add(&cand, dir, plen);
			if (dir[plen - 1] != '/')
				pp_buf_addc(&cand, '/');
			pp_buf_add(&cand, path.s, path.n);
		}
		if (pp_read_file(cand.s, &text, &tlen) == 0) {
			pp_open_src(st, cand.s, text, tlen, parent, kw);
			found = 1;
			break;
		}
		if (tried.n)
			pp_buf_add(&tried, ", ", 2);
		pp_buf_add(&tried, cand.s, cand.n);
	}
	if (found || import)
		goto fail; /* not a failure: the common exit */
	d = pp_diag(st, CFGC_ERROR, "include-not-found", tp, k, "cannot open included file '%s'",
	            pp_clip(shown, sizeof shown, path.s, path.n));
	if (d) {
		cfgc_loc nowhere = { -1, 0, 0 };
		if (tried.n > 900) {
			tried.n = 900;
			pp_buf_add(&tried, "...", 3);
		}
		cfgc_diag_note(ctx, d, nowhere, "looked for it as: %s", tried.s);
	}
fail:
	pp_buf_free(&raw);
	pp_buf_free(&path);
	pp_buf_free(&cand);
	pp_buf_free(&tried);
}

/* ------------------------------------------------------------ scanning */

/* One token (or blank) of active text. */
static void pp_token(pp_state *st, int c)
{
	int c1;
	size_t n;

	if (st->evr && pp_evroute(st, c))
		return;
	c1 = pp_peek(st, 1);
	switch (c) {
	case ' ': case '\t':
		for (n = 1; pp_peek(st, n) == ' ' || pp_peek(st, n) == '\t'; n++)
			;
		pp_copy_n(st, n);
		return;
	case '\r': case '\n': case '\b': case '\f': case '\v':
		pp_copy(st);
		return;
	case '#':
		pp_hash(st);
		return;
	case '/':
		if (c1 == '/') {
			pp_slash(st);
			return;
		}
		if (c1 == '*') {
			pp_block_comment(st);
			return;
		}
		break;
	case '!':
		if (c1 == '!' && pp_try_directive(st))
			return;
		break;
	case '"': case '\'':
		pp_string(st);
		return;
	case '$':
		st->lm = 0;
		pp_pv(st);
		return;
	case '@':
		st->lm = 0;
		pp_select(st);
		return;
	case '(':
		if (st->lm == 1) {
			st->lm = 2;
			pp_copy(st);
			return;
		}
		/* the (int) and (str) casts are single tokens */
		if ((c1 == 'i' && pp_peek(st, 2) == 'n' && pp_peek(st, 3) == 't' && pp_peek(st, 4) == ')') ||
		    (c1 == 's' && pp_peek(st, 2) == 't' && pp_peek(st, 3) == 'r' && pp_peek(st, 4) == ')')) {
			st->lm = 0;
			pp_copy_n(st, 5);
			return;
		}
		break;
	case '%':
		if (st->mode == CFGC_MODE_SER) {
			/* SER mode AVP: its name is not expanded */
			st->lm = 0;
			pp_copy(st);
			pp_copy_n(st, pp_id_len(st, 0));
			return;
		}
		break;
	case ':':
		if (c1 == ':' && (n = pp_ipv6_len(st)) > 0) {
			st->lm = 0;
			pp_copy_n(st, n);
			return;
		}
		break;
	default:
		if (pp_is_id_start(c)) {
			pp_ident(st);
			return;
		}
		if (c >= '0' && c <= '9') {
			n = pp_ipv6_len(st);
			if (n == 0)
				for (n = 1; pp_is_id_char(pp_peek(st, n)); n++)
					;
			st->lm = 0;
			pp_copy_n(st, n);
			return;
		}
	}
	st->lm = 0;
	pp_copy(st);
}

/* Skipped text (inside a false conditional): only #!ifdef, #!ifndef,
 * #!ifexp, #!else and #!endif are looked for, anywhere; newlines are kept
 * in the output so its lines stay close to the source's. */
static void pp_skip_inactive(pp_state *st, int c)
{
	size_t wl = 0, k;
	int d;
	pp_frame *f;

	if ((c == '#' || c == '!') && pp_peek(st, 1) == '!') {
		while (wl < 8 && pp_is_id_char(pp_peek(st, 2 + wl)))
			wl++;
		if (wl && !pp_is_id_char(pp_peek(st, 2 + wl))) {
			pp_gather(st, &st->id, 2, wl);
			d = pp_dir_lookup(st->id.s, wl);
			if (d == D_IFDEF || d == D_IFNDEF || d == D_ELSE || d == D_ENDIF ||
			    (d == D_IFEXP && st->ctx->opts.target != CFGC_TARGET_KAMAILIO)) {
				pp_directive(st, d, wl);
				return;
			}
		}
	}
	if (c == '\n') {
		pp_copy(st);
		return;
	}
	/* jump to the next newline, '#' or '!' of this frame */
	f = &st->fr[st->nfr - 1];
	for (k = f->pos + 1; k < f->len; k++)
		if (f->text[k] == '\n' || f->text[k] == '#' || f->text[k] == '!')
			break;
	if (f->is_file) {
		f->col += (int)(k - f->pos);
		f->bol = 0;
	}
	f->pos = k;
}

/* The main loop: until every file is read. */
static void pp_loop(pp_state *st)
{
	int c;

	while (st->nfr > 0) {
		c = pp_cur(st);
		if (c < 0) {
			if (st->nfr > 0)
				st->nfr--; /* end of a file: back to the includer */
			st->lm = st->evr = 0;
			continue;
		}
		if (st->out_full) {
			st->nfr = 0;
			break;
		}
		if (!st->active)
			pp_skip_inactive(st, c);
		else
			pp_token(st, c);
	}
}

/* Release the scratch state (not the arena data). */
static void pp_free(pp_state *st)
{
	pp_rule *r, *next;

	for (r = st->rules; r; r = next) {
		next = r->next;
		regfree(&r->re);
		free(r->repl);
		free(r);
	}
	st->rules = st->rules_tail = NULL;
	free(st->fr);
	free(st->ifs);
	free(st->htab);
	pp_buf_free(&st->id);
	pp_buf_free(&st->tmp);
	pp_buf_free(&st->sub1);
	pp_buf_free(&st->sub2);
	pp_buf_free(&st->line);
}

/* Preprocess `path` and everything it includes into ctx->out, with the
 * line map in ctx->segs. Returns -1 only when `path` itself cannot be
 * read (reported as an error at file -1); every other problem is a
 * diagnostic. */
static int pp_eof_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\b';
}

/* #!KAMAILIO, #!SER, #!MAXCOMPAT, #!ALL */
static int pp_eof_mode(const char *w, size_t n)
{
	return (n == 8 && !memcmp(w, "KAMAILIO", 8)) || (n == 3 && !memcmp(w, "SER", 3)) ||
	       (n == 9 && !memcmp(w, "MAXCOMPAT", 9)) || (n == 3 && !memcmp(w, "ALL", 3));
}

/* Offset of the first line comment ('#' not starting a directive, or
 * "//") in t[a, b), outside quoted strings; -1 when there is none. */
static long pp_eof_comment(const char *t, size_t a, size_t b)
{
	char q = 0;

	for (size_t i = a; i < b; i++) {
		if (q) {
			if (t[i] == '\\' && i + 1 < b)
				i++;
			else if (t[i] == q)
				q = 0;
		} else if (t[i] == '"' || t[i] == '\'') {
			q = t[i];
		} else if (t[i] == '#' || (t[i] == '/' && i + 1 < b && t[i + 1] == '/')) {
			return (long)i;
		}
	}
	return -1;
}

/* Where Kamailio 5.6.3 puts a syntax error found at the end of the input:
 * its scanner's position is the start of the last lexeme it counted in the
 * main file. Every blank, newline and skipped (#!ifdef'd out) character is
 * a lexeme of its own, with these exceptions met on the last line:
 *   - "#!endif" / "#!else" and their newline are one lexeme (start at '#'),
 *     "#!ifdef NAME" ends with one for the blanks and newline after NAME;
 *   - a line comment is '#' (or "//") and then the rest of the line with
 *     its newline (without a newline, only the '#' or "//" counts);
 *   - without a final newline, the last token ("*" "/" of a block comment,
 *     a word, a string) starts the lexeme.
 * `active` is whether the end of the file is outside skipped blocks. */
static cfgc_loc pp_eof_loc(const cfgc_src *src, int file, int active)
{
	const char *t = src->text;
	size_t n = src->len, ls, e, p;
	cfgc_loc l = { file, 1, 1 };

	if (n == 0)
		return l;
	e = t[n - 1] == '\n' ? n - 1 : n; /* end of the last line's text */
	ls = e;
	while (ls > 0 && t[ls - 1] != '\n')
		ls--;
	for (size_t i = 0; i < ls; i++)
		if (t[i] == '\n')
			l.line++;
	p = ls;
	while (p < e && pp_eof_blank((unsigned char)t[p]))
		p++;
	if (e < n) { /* the file ends with a newline */
		l.col = (int)(e - ls) + 1;
		if (p + 2 <= e && (t[p] == '#' || t[p] == '!') && t[p + 1] == '!') {
			size_t w = p + 2, we = w, r;
			while (we < e && pp_is_id_char((unsigned char)t[we]))
				we++;
			r = we;
			if (pp_eof_mode(t + w, we - w)) {
				/* #!KAMAILIO in column 1 is one lexeme; indented,
				 * a comment */
				l.col = p == ls ? 1 : (int)(p - ls) + 2;
			} else if ((we - w == 5 && !memcmp(t + w, "endif", 5)) || (we - w == 4 && !memcmp(t + w, "else", 4))) {
				while (r < e && pp_eof_blank((unsigned char)t[r]))
					r++;
				if (r == e)
					l.col = (int)(p - ls) + 1;
			} else if ((we - w == 5 && !memcmp(t + w, "ifdef", 5)) ||
			           (we - w == 6 && !memcmp(t + w, "ifndef", 6))) {
				while (r < e && pp_eof_blank((unsigned char)t[r]))
					r++;
				size_t id = r;
				while (r < e && pp_is_id_char((unsigned char)t[r]))
					r++;
				size_t after = r;
				while (r < e && pp_eof_blank((unsigned char)t[r]))
					r++;
				if (r == e && after > id)
					l.col = (int)(after - ls) + 1;
			}
			return l;
		}
		if (active) {
			long c = pp_eof_comment(t, ls, e);
			if (c >= 0)
				l.col = (int)((size_t)c - ls) + (t[c] == '#' ? 2 : 3);
		}
		return l;
	}
	/* no final newline: the last character, or the last token */
	l.col = (int)(e - ls);
	if (!active || pp_eof_blank((unsigned char)t[e - 1]))
		return l;
	if (p + 2 <= e && (t[p] == '#' || t[p] == '!') && t[p + 1] == '!') {
		size_t we = p + 2;
		while (we < e && pp_is_id_char((unsigned char)t[we]))
			we++;
		if (pp_eof_mode(t + p + 2, we - p - 2)) {
			l.col = (int)(p - ls) + 1;
			return l;
		}
		/* else a directive's last word */
	} else {
		long c = pp_eof_comment(t, ls, e);
		if (c >= 0) {
			l.col = (int)((size_t)c - ls) + 1;
			return l;
		}
	}
	if (e - ls >= 2 && t[e - 1] == '/' && t[e - 2] == '*') {
		l.col = (int)(e - 2 - ls) + 1;
	} else if (pp_is_id_char((unsigned char)t[e - 1])) {
		size_t b = e - 1;
		while (b > ls && (pp_is_id_char((unsigned char)t[b - 1]) || t[b - 1] == '.'))
			b--;
		l.col = (int)(b - ls) + 1;
	} else if (t[e - 1] == '"' || t[e - 1] == '\'') {
		size_t b = e - 1;
		while (b > ls && !(t[b - 1] == t[e - 1] && (b < 2 || t[b - 2] != '\\')))
			b--;
		if (b > ls)
			l.col = (int)(b - 1 - ls) + 1;
	}
	return l;
}

int cfgc_pp_run(cfgc_ctx *ctx, const char *path)
{
	pp_state st;
	pp_pos none = { -1, 0, 0, 0 };
	char *text;
	size_t len;
	int rc = -1, i;

	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	st.active = 1;
	st.cur_cond = -1;
	st.mode = CFGC_MODE_MAX;
	st.rec_at = none;
	ctx->out_len = 0;
	ctx->nsegs = 0;
	ctx->nseps = 0;
	pp_predefine(&st);
	if (pp_read_file(path, &text, &len) != 0) {
		cfgc_loc nowhere = { -1, 0, 0 };
		cfgc_diag_loc(ctx, CFGC_ERROR, "io-error", nowhere, 1, "cannot read %s: %s", path,
		              strerror(errno));
		goto fail;
	}
	/* the output is about as long as the input, with a segment every few
	 * dozen bytes: size for that once instead of regrowing (and copying) */
	ctx->out = pp_grow(ctx->out, &ctx->out_cap, len + len / 8 + 4096, 1);
	ctx->segs = pp_grow(ctx->segs, &ctx->segs_cap, len / 16 + 64, sizeof *ctx->segs);
	pp_open_src(&st, path, text, len, -1, none);
	pp_loop(&st);
	ctx->eof_loc = pp_eof_loc(&ctx->srcs[0], 0, st.active);
	for (i = 0; !st.out_full && i < st.nifs; i++) {
		const pp_if *e = &st.ifs[i];
		char nb[100];
		cfgc_diag *d = pp_diag(&st, CFGC_ERROR, "unclosed-ifdef", e->where, (size_t)e->where_len,
		                       "'#!%s %s' is never closed",
		                       e->kind == PP_IFDEF ? "ifdef" : e->kind == PP_IFNDEF ? "ifndef" : "ifexp",
		                       pp_clip(nb, sizeof nb, e->name, strlen(e->name)));
		/* Kamailio counts the directives after parsing the whole file:
		 * a syntax error (at the end, often) is reported first */
		if (d)
			d->order = UINT32_MAX;
	}
	if (st.nstray_endif && !st.out_full) {
		cfgc_diag *d = pp_diag(&st, CFGC_ERROR, "unbalanced-directive", st.stray_endif,
		                       st.stray_endif_len,
		                       "%d more '#!endif' than '#!ifdef'/'#!ifndef': Kamailio refuses the file",
		                       st.nstray_endif);
		if (d) {
			d->order = UINT32_MAX;
			cfgc_diag_help(ctx, d, "remove the '#!endif' that closes nothing (the first is here)");
		}
	}
	rc = 0;
fail:
	if (ctx->out_len + 1 > ctx->out_cap)
		ctx->out = pp_grow(ctx->out, &ctx->out_cap, ctx->out_len + 1, 1);
	ctx->out[ctx->out_len] = 0;
	pp_free(&st);
	return rc;
}

/* Look up a define as it stands after preprocessing (NULL if not
 * defined). A linear scan: the preprocessor's own hash is gone by then,
 * and lookups after it are few ($def() names, diagnostics). */
const cfgc_define *cfgc_pp_lookup(const cfgc_ctx *ctx, const char *name, size_t n)
{
	int i;

	for (i = 0; i < ctx->ndefs; i++)
		if (pp_name_eq(ctx->defs[i].name, name, n))
			return &ctx->defs[i];
	return NULL;
}
