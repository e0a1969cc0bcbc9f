/*
 * cfgc_diag.c — collecting and rendering diagnostics.
 *
 * Layout follows gcc/clang with rustc's help and note lines:
 *
 *   kamailio.cfg:212:9: error: unknown function 'sl_send_replyy'
 *     212 |         sl_send_replyy("404", "Not here");
 *         |         ^~~~~~~~~~~~~~
 *         = help: did you mean 'sl_send_reply' (module sl)?
 *   kamailio.cfg:7:1: note: active because WITH_NAT is defined here
 *   1 error, 0 warnings
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgc_int.h"

static char *diag_vfmt(cfgc_ctx *ctx, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return cfgc_strndup(ctx, buf, (size_t)n);
}

/* Create and link a diagnostic. Past the cascade limit errors are counted
 * but not kept: the returned entry is detached so callers may still attach
 * help and notes to it. */
static cfgc_diag *diag_new(cfgc_ctx *ctx, int sev, const char *code, cfgc_loc loc, int len)
{
	cfgc_diag *d = cfgc_alloc(ctx, sizeof(*d));
	d->severity = sev;
	d->loc = loc;
	d->len = len > 0 ? len : 1;
	d->code = cfgc_strndup(ctx, code ? code : "", code ? strlen(code) : 0);
	d->order = (uint32_t)ctx->out_len; /* where the preprocessor is now */
	d->seq = (uint32_t)(ctx->nerrors + ctx->nwarnings);
	if (sev == CFGC_ERROR)
		ctx->nerrors++;
	else if (sev == CFGC_WARNING)
		ctx->nwarnings++;
	if (sev == CFGC_ERROR && ctx->nerrors > ctx->opts.max_errors) {
		ctx->suppressed++;
		return d;
	}
	if (ctx->diags_tail)
		ctx->diags_tail->next = d;
	else
		ctx->diags = d;
	ctx->diags_tail = d;
	return d;
}

/* Notes that explain why the text is there: the include chain of the file
 * and the conditional block that made it active. */
static void diag_context_notes(cfgc_ctx *ctx, cfgc_diag *d, const cfgc_seg *seg)
{
	if (seg && seg->cond >= 0 && seg->cond < ctx->nconds) {
		const cfgc_cond *c = &ctx->conds[seg->cond];
		if (c->negated)
			cfgc_diag_note(ctx, d, c->where, "active because %s is not defined", c->name);
		else if (c->def_where.file >= 0)
			cfgc_diag_note(ctx, d, c->def_where, "active because %s is defined here", c->name);
		else
			cfgc_diag_note(ctx, d, c->where, "active because %s is defined (on the command line or predefined)",
			               c->name);
	}
	int f = d->loc.file;
	for (int depth = 0; f >= 0 && f < ctx->nsrcs && depth < 16; depth++) {
		const cfgc_src *s = &ctx->srcs[f];
		if (s->parent < 0)
			break;
		cfgc_loc at = { s->parent, s->parent_line, s->parent_col };
		cfgc_diag_note(ctx, d, at, "in the file included from here");
		f = s->parent;
	}
}

cfgc_diag *cfgc_diag_loc(cfgc_ctx *ctx, int sev, const char *code, cfgc_loc loc, int len,
                         const char *fmt, ...)
{
	cfgc_diag *d = diag_new(ctx, sev, code, loc, len);
	va_list ap;
	va_start(ap, fmt);
	d->msg = diag_vfmt(ctx, fmt, ap);
	va_end(ap);
	diag_context_notes(ctx, d, NULL);
	return d;
}

cfgc_diag *cfgc_diag_span(cfgc_ctx *ctx, int sev, const char *code, cfgc_span sp,
                          const char *fmt, ...)
{
	const cfgc_seg *seg = NULL;
	cfgc_loc loc = cfgc_map(ctx, sp.off, &seg);
	int len = (int)sp.len;
	/* the caret stays on one line and inside the segment's own bytes */
	if (seg && seg->expand) {
		len = 1;
	} else if (sp.off < ctx->out_len) {
		uint32_t i = 0;
		while (i < sp.len && sp.off + i < ctx->out_len && ctx->out[sp.off + i] != '\n')
			i++;
		len = (int)i;
	}
	cfgc_diag *d = diag_new(ctx, sev, code, loc, len);
	d->order = sp.off;
	va_list ap;
	va_start(ap, fmt);
	d->msg = diag_vfmt(ctx, fmt, ap);
	va_end(ap);
	diag_context_notes(ctx, d, seg);
	return d;
}

void cfgc_diag_help(cfgc_ctx *ctx, cfgc_diag *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->help = diag_vfmt(ctx, fmt, ap);
	va_end(ap);
}

void cfgc_diag_note(cfgc_ctx *ctx, cfgc_diag *d, cfgc_loc loc, const char *fmt, ...)
{
	cfgc_diag *n = cfgc_alloc(ctx, sizeof(*n));
	n->severity = CFGC_NOTE;
	n->loc = loc;
	n->len = 1;
	va_list ap;
	va_start(ap, fmt);
	n->msg = diag_vfmt(ctx, fmt, ap);
	va_end(ap);
	cfgc_diag **pp = &d->notes;
	while (*pp)
		pp = &(*pp)->next;
	*pp = n;
}

static int diag_cmp(const void *a, const void *b)
{
	const cfgc_diag *x = *(cfgc_diag *const *)a, *y = *(cfgc_diag *const *)b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void cfgc_diag_sort(cfgc_ctx *ctx)
{
	size_t n = 0;
	for (cfgc_diag *d = ctx->diags; d; d = d->next)
		n++;
	if (n < 2)
		return;
	cfgc_diag **v = cfgc_alloc(ctx, n * sizeof(*v));
	size_t i = 0;
	for (cfgc_diag *d = ctx->diags; d; d = d->next)
		v[i++] = d;
	qsort(v, n, sizeof(*v), diag_cmp);
	for (i = 0; i + 1 < n; i++)
		v[i]->next = v[i + 1];
	v[n - 1]->next = NULL;
	ctx->diags = v[0];
	ctx->diags_tail = v[n - 1];
}

/* ------------------------------------------------------------ rendering */

static const char *diag_path(const cfgc_ctx *ctx, int file)
{
	if (file >= 0 && file < ctx->nsrcs)
		return ctx->srcs[file].path;
	return "cfgc";
}

/* Find line `line` (1-based) of source file `file`; returns its start and
 * sets *len (without the newline), or NULL. */
static const char *diag_line(const cfgc_ctx *ctx, int file, int line, size_t *len)
{
	if (file < 0 || file >= ctx->nsrcs || line < 1)
		return NULL;
	const cfgc_src *s = &ctx->srcs[file];
	const char *p = s->text, *end = s->text + s->len;
	for (int l = 1; l < line; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	const char *e = memchr(p, '\n', (size_t)(end - p));
	if (!e)
		e = end;
	if (e > p && e[-1] == '\r')
		e--;
	*len = (size_t)(e - p);
	return p;
}

static const char *sev_name[] = { "note", "warning", "error" };
static const char *sev_color[] = { "\033[1;36m", "\033[1;35m", "\033[1;31m" };

/* Print a source line with a gutter and a caret range under it. Control
 * bytes are shown as '?' so the terminal is never driven by file content;
 * tabs are kept so the caret lines up. */
static void diag_excerpt(const cfgc_ctx *ctx, FILE *f, const cfgc_diag *d, int color)
{
	size_t n;
	const char *line = diag_line(ctx, d->loc.file, d->loc.line, &n);
	if (!line)
		return;
	if (n > 300)
		n = 300;
	fprintf(f, "%5d | ", d->loc.line);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		fputc(c == '\t' || c >= 0x20 ? c : '?', f);
	}
	fputc('\n', f);
	fprintf(f, "      | ");
	int col = d->loc.col > 0 ? d->loc.col : 1;
	for (int i = 1; i < col && (size_t)(i - 1) < n; i++)
		fputc(line[i - 1] == '\t' ? '\t' : ' ', f);
	if (color)
		fputs(sev_color[d->severity], f);
	fputc('^', f);
	int len = d->len;
	if (col - 1 + len > (int)n)
		len = (int)n - (col - 1);
	for (int i = 1; i < len; i++)
		fputc('~', f);
	if (color)
		fputs("\033[0m", f);
	fputc('\n', f);
}

static void diag_head(const cfgc_ctx *ctx, FILE *f, const cfgc_diag *d, int color)
{
	if (d->loc.file >= 0)
		fprintf(f, "%s:%d:%d: ", diag_path(ctx, d->loc.file), d->loc.line, d->loc.col);
	else
		fprintf(f, "cfgc: ");
	if (color)
		fprintf(f, "%s%s:\033[0m %s\n", sev_color[d->severity], sev_name[d->severity], d->msg);
	else
		fprintf(f, "%s: %s\n", sev_name[d->severity], d->msg);
}

void cfgc_print_diags(const cfgc_ctx *ctx, FILE *f, int color)
{
	for (const cfgc_diag *d = ctx->diags; d; d = d->next) {
		diag_head(ctx, f, d, color);
		diag_excerpt(ctx, f, d, color);
		if (d->help)
			fprintf(f, "      = help: %s\n", d->help);
		for (const cfgc_diag *n = d->notes; n; n = n->next) {
			if (n->loc.file >= 0)
				diag_head(ctx, f, n, color);
			else
				fprintf(f, "      = note: %s\n", n->msg);
		}
	}
	if (ctx->suppressed)
		fprintf(f, "(%d more error%s not shown)\n", ctx->suppressed, ctx->suppressed == 1 ? "" : "s");
	fprintf(f, "%d error%s, %d warning%s\n", ctx->nerrors, ctx->nerrors == 1 ? "" : "s",
	        ctx->nwarnings, ctx->nwarnings == 1 ? "" : "s");
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_loc(const cfgc_ctx *ctx, FILE *f, const cfgc_diag *d)
{
	fputs("\"file\":", f);
	if (d->loc.file >= 0)
		json_str(f, diag_path(ctx, d->loc.file));
	else
		fputs("null", f);
	fprintf(f, ",\"line\":%d,\"column\":%d", d->loc.line, d->loc.col);
}

void cfgc_print_diags_json(const cfgc_ctx *ctx, FILE *f)
{
	fputs("{\"diagnostics\":[", f);
	for (const cfgc_diag *d = ctx->diags; d; d = d->next) {
		fputc('{', f);
		json_loc(ctx, f, d);
		fprintf(f, ",\"length\":%d,\"severity\":\"%s\",\"code\":", d->len, sev_name[d->severity]);
		json_str(f, d->code);
		fputs(",\"message\":", f);
		json_str(f, d->msg);
		if (d->help) {
			fputs(",\"help\":", f);
			json_str(f, d->help);
		}
		fputs(",\"notes\":[", f);
		for (const cfgc_diag *n = d->notes; n; n = n->next) {
			fputc('{', f);
			json_loc(ctx, f, n);
			fputs(",\"message\":", f);
			json_str(f, n->msg);
			fputs(n->next ? "}," : "}", f);
		}
		fputs(d->next ? "]}," : "]}", f);
	}
	fprintf(f, "],\"errors\":%d,\"warnings\":%d}\n", ctx->nerrors, ctx->nwarnings);
}
