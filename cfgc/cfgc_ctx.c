/*
 * cfgc_ctx.c — compile context: arena allocation, the line map from
 * preprocessor output back to the user's files, small shared helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgc_int.h"

#define ARENA_BLOCK (64 * 1024)

struct cfgc_arena_blk {
	cfgc_arena_blk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

/* Allocate n zeroed bytes from the context arena (16-byte aligned). Large
 * requests get a block of their own. Aborts on out-of-memory: nothing a
 * user writes can make the front end allocate without bound. */
void *cfgc_alloc(cfgc_ctx *ctx, size_t n)
{
	cfgc_arena_blk *b = ctx->arena.head;
	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			fputs("cfgc: out of memory\n", stderr);
			abort();
		}
		b->used = 0;
		b->cap = cap;
		if (ctx->arena.head && n > ARENA_BLOCK) {
			/* keep the current partially used block in front */
			b->next = ctx->arena.head->next;
			ctx->arena.head->next = b;
		} else {
			b->next = ctx->arena.head;
			ctx->arena.head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *cfgc_strndup(cfgc_ctx *ctx, const char *s, size_t n)
{
	char *p = cfgc_alloc(ctx, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

cfgc_ctx *cfgc_ctx_new(const cfgc_opts *opts)
{
	cfgc_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	if (opts)
		ctx->opts = *opts;
	if (ctx->opts.max_errors <= 0)
		ctx->opts.max_errors = 20;
	ctx->eof_loc.file = -1;
	return ctx;
}

void cfgc_ctx_free(cfgc_ctx *ctx)
{
	if (!ctx)
		return;
	for (int i = 0; i < ctx->nsrcs; i++)
		free(ctx->srcs[i].text);
	free(ctx->srcs);
	free(ctx->out);
	free(ctx->segs);
	free(ctx->seps);
	free(ctx->conds);
	free(ctx->modes);
	free(ctx->defs);
	cfgc_arena_blk *b = ctx->arena.head;
	while (b) {
		cfgc_arena_blk *n = b->next;
		free(b);
		b = n;
	}
	free(ctx);
}

int cfgc_error_count(const cfgc_ctx *ctx) { return ctx->nerrors; }
int cfgc_warning_count(const cfgc_ctx *ctx) { return ctx->nwarnings; }

/* Map an output offset to its source position: binary search for the last
 * segment starting at or before `off`; expansion segments map every byte
 * to the use site. Offsets past the end map to the end of the last
 * segment. */
cfgc_loc cfgc_map(const cfgc_ctx *ctx, uint32_t off, const cfgc_seg **segp)
{
	cfgc_loc loc = { -1, 0, 0 };
	if (segp)
		*segp = NULL;
	if (!ctx->nsegs)
		return loc;
	size_t lo = 0, hi = ctx->nsegs;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ctx->segs[mid].out_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	const cfgc_seg *s = &ctx->segs[lo];
	loc.file = s->file;
	loc.line = s->line;
	loc.col = s->col;
	if (!s->expand && off >= s->out_off) {
		uint32_t end = lo + 1 < ctx->nsegs ? ctx->segs[lo + 1].out_off : (uint32_t)ctx->out_len;
		uint32_t d = off - s->out_off;
		/* never run past a newline inside the segment's own bytes */
		if (off > end && end > s->out_off)
			d = end - s->out_off;
		loc.col += (int)d;
	}
	if (segp)
		*segp = s;
	return loc;
}

int cfgc_mode_at(const cfgc_ctx *ctx, uint32_t off)
{
	int mode = CFGC_MODE_MAX;
	for (int i = 0; i < ctx->nmodes; i++) {
		if (ctx->modes[i].out_off > off)
			break;
		mode = ctx->modes[i].mode;
	}
	return mode;
}

/* Levenshtein distance, two rows; names are short (< 64 chars), longer
 * inputs are compared on their first 63 bytes. */
int cfgc_edit_distance(const char *a, const char *b)
{
	int la = (int)strnlen(a, 63), lb = (int)strnlen(b, 63);
	int prev[64], cur[64];
	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++) {
		cur[0] = i;
		for (int j = 1; j <= lb; j++) {
			int c = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int d = prev[j] + 1, e = cur[j - 1] + 1;
			cur[j] = c < d ? (c < e ? c : e) : (d < e ? d : e);
		}
		memcpy(prev, cur, sizeof(int) * (size_t)(lb + 1));
	}
	return prev[lb];
}
