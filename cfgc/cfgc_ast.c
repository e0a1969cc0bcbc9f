/*
 * cfgc_ast.c — AST node helpers shared by the parser and the passes after
 * it.
 *
 * Nodes live in the context arena (cfgc_alloc): they are never freed one
 * by one, and a parse that stops on a syntax error leaks nothing.
 */
#include "cfgc_int.h"

/* A new zeroed node of `kind` covering `sp`. Never returns NULL. */
cfgc_node *cfgc_node_new(cfgc_ctx *ctx, cfgc_kind kind, cfgc_span sp)
{
	cfgc_node *n = cfgc_alloc(ctx, sizeof(*n));

	n->kind = kind;
	n->span = sp;
	n->ival = 0;
	return n;
}

/* Append `n` (which may itself head a list) to the list `head`; returns
 * the head of the result. Walks the list: O(length). The parser keeps
 * tail pointers instead of calling this in loops. */
cfgc_node *cfgc_list_append(cfgc_node *head, cfgc_node *n)
{
	cfgc_node *p;

	if (!head)
		return n;
	for (p = head; p->next; p = p->next)
		;
	p->next = n;
	return head;
}

/* The smallest span holding both `a` and `b`. */
cfgc_span cfgc_span_join(cfgc_span a, cfgc_span b)
{
	uint32_t lo = a.off < b.off ? a.off : b.off;
	uint32_t ea = a.off + a.len, eb = b.off + b.len;
	uint32_t hi = ea > eb ? ea : eb;
	cfgc_span r = { lo, hi - lo };

	return r;
}
