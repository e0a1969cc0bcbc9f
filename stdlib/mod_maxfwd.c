/*
 * mod_maxfwd.c — maxfwd: Max-Forwards checking and decrementing.
 *
 * As Kamailio does, the new value is written over the old digits in the
 * received message buffer, right-aligned in the same width and padded with
 * blanks on the left ("10" becomes " 9"): no length changes, and $hdr(
 * Max-Forwards) reads the new value afterwards (Kamailio 5.6.3 shows 69
 * after mf_process_maxfwd_header on 70). The buffer given to rt_msg_parse
 * must therefore be writable, and a caller that routes the same buffer
 * twice must parse a fresh copy. The value read (and decremented) is also
 * kept for the message in mod_core_state.maxfwd.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"
#include "mod.h"

/* The Max-Forwards value of m: >= 0, -1 when there is no such header, -2
 * when it is not a number (more than 5 digits, or empty). *body gets the
 * trimmed digits. */
static int32_t mf_value(vm_ctx *c, rt_msg *m, rt_view *body)
{
	mod_core_state *st = mod_core_state_of(c);
	rt_hdr *h = rt_msg_hdr_type(m, RT_HDR_MAXFWD, 0);
	int32_t v = 0;

	if (h == NULL)
		return -1;
	*body = h->body;
	while (body->len && (body->s[body->len - 1] == ' ' || body->s[body->len - 1] == '\t'))
		body->len--;
	while (body->len && (body->s[0] == ' ' || body->s[0] == '\t')) {
		body->s++;
		body->len--;
	}
	if (st && st->maxfwd > 0)
		return st->maxfwd - 1;
	if (body->len == 0 || body->len > 5)
		return -2;
	for (size_t i = 0; i < body->len; i++) {
		if (body->s[i] < '0' || body->s[i] > '9')
			return -2;
		v = v * 10 + (body->s[i] - '0');
	}
	if (v > 65535)
		return -2;
	if (st)
		st->maxfwd = v + 1;
	return v;
}

/* Write x over the header's digits, right-aligned in their width (the
 * received buffer is changed, as Kamailio's decrement_maxfwd does). */
static void mf_rewrite(vm_ctx *c, rt_view body, int32_t x)
{
	mod_core_state *st = mod_core_state_of(c);
	char *t = (char *)(uintptr_t)body.s;

	if (st)
		st->maxfwd = x + 1;
	for (size_t i = body.len; i-- > 0;) {
		t[i] = (char)('0' + x % 10);
		x /= 10;
		if (x == 0) {
			while (i-- > 0)
				t[i] = ' ';
			break;
		}
	}
}

/* mf_process_maxfwd_header(n) (maxfwd_process, process_maxfwd): no header
 * → "Max-Forwards: n" added before the first header, 2; value 0 → -1 (the
 * script usually answers 483); else the value (lowered to max_limit, 70
 * by default, when above it) decremented, 1; -2 on error (n outside
 * 0..255, a bad value). */
static int mf_process_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	const vm_const *k;
	int32_t limit, val, max_limit = 70;
	rt_view body;
	char h[32];
	int n;

	if (m == NULL)
		return -1;
	if (mod_core_arg_int(call, 0, &limit) < 0) {
		vm_error(call->ctx, "%s(): could not get param value", call->fn->name);
		return -1;
	}
	if (limit < 0 || limit > 255) {
		vm_error(call->ctx, "%s(): invalid param value: %d", call->fn->name, limit);
		return -1;
	}
	if (call->ctx->lp && (k = vm_loaded_setting(call->ctx->lp, "maxfwd",
			"max_limit", 0)) != NULL && k->kind == VM_INT)
		max_limit = k->i;
	val = mf_value(call->ctx, m, &body);
	switch (val) {
	case -1:
		if (m->nhdrs == 0)
			return -2;
		n = snprintf(h, sizeof(h), "Max-Forwards: %d\r\n", limit);
		if (rt_msg_lump(m, (size_t)(m->hdrs[0].raw.s - m->buf), 0, h,
				(size_t)n) < 0)
			return -2;
		return 2;
	case -2:
		vm_error(call->ctx, "%s(): unable to parse the max forwards number",
				call->fn->name);
		return -2;
	case 0:
		return -1;
	default:
		if (val > max_limit)
			val = max_limit + 1;
		mf_rewrite(call->ctx, body, val - 1);
		return 1;
	}
}

/* is_maxfwd_lt(n) (maxfwd_at_least, mf_lowlimit): 1 when the value is
 * below n, -1 when not, -2 when there is no header, -3 when it is bad. */
static int mf_lt_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	int32_t limit, val;
	rt_view body;

	if (m == NULL)
		return -1;
	if (mod_core_arg_int(call, 0, &limit) < 0) {
		vm_error(call->ctx, "%s(): could not get param value", call->fn->name);
		return -1;
	}
	if (limit < 0 || limit > 255) {
		vm_error(call->ctx, "%s(): invalid param value: %d", call->fn->name, limit);
		return -1;
	}
	val = mf_value(call->ctx, m, &body);
	if (val < 0)
		return val - 1;
	return val >= limit ? -1 : 1;
}

static const vm_fn_export mod_maxfwd_fns[] = {
	/* name                       n  routes                           kinds  fixup  impl */
	{ "maxfwd_process",           1, MOD_REQ,                         "i",   NULL,  mf_process_f },
	{ "mf_process_maxfwd_header", 1, MOD_REQ,                         "i",   NULL,  mf_process_f },
	{ "process_maxfwd",           1, MOD_REQ,                         "i",   NULL,  mf_process_f },
	{ "is_maxfwd_lt",             1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  mf_lt_f },
	{ "maxfwd_at_least",          1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  mf_lt_f },
	{ "mf_lowlimit",              1, MOD_REQ | MOD_FAIL | MOD_BRANCH, "i",   NULL,  mf_lt_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_maxfwd_params[] = {
	{ "max_limit", VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

const vm_module mod_maxfwd = {
	.name   = "maxfwd",
	.fns    = mod_maxfwd_fns,
	.params = mod_maxfwd_params,
	.pvs    = mod_no_pvs,
	.trs    = mod_no_trs,
	.events = mod_no_events,
};
