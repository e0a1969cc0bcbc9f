/*
 * mod_xlog.c — xlog: logging with pseudo-variables in the format.
 *
 * The VM expands the format argument before the call; xlog adds the prefix
 * (module parameter `prefix`, "<script>: " by default; a PV format itself
 * when `prefix_mode` is 1) and hands the line to vm_log, which drops lines
 * above the `debug` level and lets the host add the level name ("INFO:
 * <script>: text", as Kamailio prints it). The format's trailing newline
 * is dropped: the host ends every line. log_colors and log_facility are
 * accepted and ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"
#include "mod.h"

/* Per worker (c->mod[MOD_SLOT_XLOG]): the parameters, read once. */
typedef struct {
	const char *prefix;
	size_t prefix_len;
	vm_fmt *prefix_fmt;      /* prefix_mode 1: the prefix as a format */
	int long_format;
	int32_t methods_filter;  /* xlogm: -1 logs nothing */
} xlog_state;

static xlog_state *xlog_state_of(vm_ctx *c)
{
	xlog_state *st = c->mod[MOD_SLOT_XLOG];
	const vm_const *k;

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->prefix = "<script>: ";
	st->prefix_len = strlen(st->prefix);
	st->methods_filter = -1;
	if (c->lp) {
		if ((k = vm_loaded_setting(c->lp, "xlog", "prefix", 0)) && k->kind == VM_STR) {
			st->prefix = k->s;
			st->prefix_len = k->len;
		}
		if ((k = vm_loaded_setting(c->lp, "xlog", "long_format", 0)) && k->kind == VM_INT)
			st->long_format = k->i;
		if ((k = vm_loaded_setting(c->lp, "xlog", "methods_filter", 0)) && k->kind == VM_INT)
			st->methods_filter = k->i;
		if ((k = vm_loaded_setting(c->lp, "xlog", "prefix_mode", 0)) && k->kind == VM_INT &&
				k->i == 1) {
			char err[256];
			if (vm_fmt_parse(c->lp, st->prefix, st->prefix_len, &st->prefix_fmt,
					err, sizeof(err)) < 0) {
				vm_log(c, VM_L_ERR, "xlog: bad prefix format: %s", err);
				st->prefix_fmt = NULL;
			}
		}
	}
	c->mod[MOD_SLOT_XLOG] = st;
	return st;
}

static int xlog_ctx_init(vm_ctx *c)
{
	return xlog_state_of(c) ? 0 : -1;
}

static void xlog_ctx_free(vm_ctx *c)
{
	xlog_state *st = c->mod[MOD_SLOT_XLOG];
	if (st == NULL)
		return;
	vm_fmt_free(st->prefix_fmt);
	free(st);
	c->mod[MOD_SLOT_XLOG] = NULL;
}

/* The level argument i. Kamailio reads a name by its third character only
 * ("L_INFO": 'I'), or takes the int value of a PV. Here the argument
 * arrives evaluated: an int, or a string that is a number (a PV's value),
 * is the level; another string is a name. 0, or -1 (logged). */
static int xlog_level(vm_call *call, unsigned i, int32_t *level)
{
	const vm_value *v = &call->args[i];

	if (mod_core_arg_int(call, i, level) == 0)
		return 0;
	if (v->kind == VM_STR && v->len >= 3) {
		switch (v->s[2]) {
		case 'A': *level = VM_L_ALERT; return 0;
		case 'B': *level = VM_L_BUG; return 0;
		case 'C': *level = VM_L_CRIT2; return 0;
		case 'E': *level = VM_L_ERR; return 0;
		case 'W': *level = VM_L_WARN; return 0;
		case 'N': *level = VM_L_NOTICE; return 0;
		case 'I': *level = VM_L_INFO; return 0;
		case 'D': *level = VM_L_DBG; return 0;
		default: break;
		}
	}
	vm_error(call->ctx, "%s(): invalid log level", call->fn->name);
	return -1;
}

/* Log argument i (the expanded format) at level, with the prefix and, for
 * xlogl/xdbgl (`with_line`), the cfg line ("12:text", or "file:12:text"
 * with long_format=1). 1. */
static int xlog_out(vm_call *call, int level, unsigned i, int with_line)
{
	vm_ctx *c = call->ctx;
	xlog_state *st = xlog_state_of(c);
	char buf[VM_INT_DEC_MAX];
	const char *s, *pfx;
	size_t len, plen;

	if (level > c->log_level)
		return 1;
	if (st == NULL)
		return -1;
	mod_core_arg_str(call, i, buf, &s, &len);
	if (len > 0 && s[len - 1] == '\n')
		len--;
	pfx = st->prefix;
	plen = st->prefix_len;
	if (st->prefix_fmt) {
		vm_value pv;
		if (vm_fmt_eval(c, st->prefix_fmt, &pv) == 0 && pv.kind == VM_STR) {
			pfx = pv.s;
			plen = pv.len;
		}
	}
	if (with_line) {
		uint32_t line = 0;
		const char *file = c->lp ? vm_loaded_line(c->lp, c->pc, &line) : "";
		if (st->long_format == 1)
			vm_log(c, level, "%.*s%s:%u:%.*s", (int)plen, pfx,
					file ? file : "", (unsigned)line, (int)len, s);
		else
			vm_log(c, level, "%.*s%u:%.*s", (int)plen, pfx,
					(unsigned)line, (int)len, s);
	} else {
		vm_log(c, level, "%.*s%.*s", (int)plen, pfx, (int)len, s);
	}
	return 1;
}

/* xlog(fmt): L_ERR. xlog(level, fmt). xlog(facility, level, fmt). */
static int xlog_f(vm_call *call)
{
	int32_t level = VM_L_ERR;

	if (call->nargs == 1)
		return xlog_out(call, VM_L_ERR, 0, 0);
	if (xlog_level(call, call->nargs - 2, &level) < 0)
		return -1;
	return xlog_out(call, level, call->nargs - 1, 0);
}

/* xlogl: the same with the cfg line. */
static int xlogl_f(vm_call *call)
{
	int32_t level = VM_L_ERR;

	if (call->nargs == 1)
		return xlog_out(call, VM_L_ERR, 0, 1);
	if (xlog_level(call, call->nargs - 2, &level) < 0)
		return -1;
	return xlog_out(call, level, call->nargs - 1, 1);
}

static int xdbg_f(vm_call *call) { return xlog_out(call, VM_L_DBG, 0, 0); }
static int xdbgl_f(vm_call *call) { return xlog_out(call, VM_L_DBG, 0, 1); }
static int xinfo_f(vm_call *call) { return xlog_out(call, VM_L_INFO, 0, 0); }
static int xnotice_f(vm_call *call) { return xlog_out(call, VM_L_NOTICE, 0, 0); }
static int xwarn_f(vm_call *call) { return xlog_out(call, VM_L_WARN, 0, 0); }
static int xerr_f(vm_call *call) { return xlog_out(call, VM_L_ERR, 0, 0); }
static int xbug_f(vm_call *call) { return xlog_out(call, VM_L_BUG, 0, 0); }
static int xcrit_f(vm_call *call) { return xlog_out(call, VM_L_CRIT2, 0, 0); }
static int xalert_f(vm_call *call) { return xlog_out(call, VM_L_ALERT, 0, 0); }

/* xlogm(level, fmt): nothing when methods_filter is -1 (the default) or
 * the method (a reply's CSeq method) is in it; else xlog(level, fmt). */
static int xlogm_f(vm_call *call)
{
	xlog_state *st = xlog_state_of(call->ctx);
	rt_msg *m = rt_msg_of(call->ctx);
	uint32_t mid = RT_M_OTHER;

	if (st == NULL || st->methods_filter == -1)
		return 1;
	if (m != NULL) {
		if (m->is_request) {
			mid = m->method_id;
		} else {
			const rt_cseq *cs = rt_msg_cseq(m);
			if (cs == NULL) {
				vm_error(call->ctx, "xlogm(): cannot parse cseq header");
				return -1;
			}
			mid = RT_M_OTHER;
			/* the CSeq method's id, by name */
			static const struct { const char *n; uint32_t id; } tab[] = {
				{ "INVITE", RT_M_INVITE }, { "CANCEL", RT_M_CANCEL },
				{ "ACK", RT_M_ACK }, { "BYE", RT_M_BYE }, { "INFO", RT_M_INFO },
				{ "REGISTER", RT_M_REGISTER }, { "SUBSCRIBE", RT_M_SUBSCRIBE },
				{ "NOTIFY", RT_M_NOTIFY }, { "MESSAGE", RT_M_MESSAGE },
				{ "OPTIONS", RT_M_OPTIONS }, { "PRACK", RT_M_PRACK },
				{ "UPDATE", RT_M_UPDATE }, { "REFER", RT_M_REFER },
				{ "PUBLISH", RT_M_PUBLISH },
			};
			for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
				if (strlen(tab[k].n) == cs->method.len &&
						memcmp(tab[k].n, cs->method.s, cs->method.len) == 0)
					mid = tab[k].id;
		}
	}
	if (mid & (uint32_t)st->methods_filter)
		return 1;
	return xlog_f(call);
}

static const vm_fn_export mod_xlog_fns[] = {
	/* name      n  routes   kinds  fixup  impl */
	{ "xlog",    1, MOD_ANY, "s",   NULL,  xlog_f },
	{ "xlog",    2, MOD_ANY, "ss",  NULL,  xlog_f },
	{ "xlog",    3, MOD_ANY, "sss", NULL,  xlog_f },
	{ "xdbg",    1, MOD_ANY, "s",   NULL,  xdbg_f },
	{ "xinfo",   1, MOD_ANY, "s",   NULL,  xinfo_f },
	{ "xnotice", 1, MOD_ANY, "s",   NULL,  xnotice_f },
	{ "xwarn",   1, MOD_ANY, "s",   NULL,  xwarn_f },
	{ "xerr",    1, MOD_ANY, "s",   NULL,  xerr_f },
	{ "xbug",    1, MOD_ANY, "s",   NULL,  xbug_f },
	{ "xcrit",   1, MOD_ANY, "s",   NULL,  xcrit_f },
	{ "xalert",  1, MOD_ANY, "s",   NULL,  xalert_f },
	{ "xlogl",   1, MOD_ANY, "s",   NULL,  xlogl_f },
	{ "xlogl",   2, MOD_ANY, "ss",  NULL,  xlogl_f },
	{ "xlogl",   3, MOD_ANY, "sss", NULL,  xlogl_f },
	{ "xdbgl",   1, MOD_ANY, "s",   NULL,  xdbgl_f },
	{ "xlogm",   2, MOD_ANY, "ss",  NULL,  xlogm_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_xlog_params[] = {
	{ "buf_size",       VM_PARAM_INT, 0 },
	{ "force_color",    VM_PARAM_INT, 0 },
	{ "long_format",    VM_PARAM_INT, 0 },
	{ "prefix",         VM_PARAM_STR, 0 },
	{ "log_facility",   VM_PARAM_STR, 0 },
	{ "log_colors",     VM_PARAM_STR, 1 },
	{ "methods_filter", VM_PARAM_INT, 0 },
	{ "prefix_mode",    VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_xlog_pvs[] = {
	{ "C", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_xlog = {
	.name     = "xlog",
	.fns      = mod_xlog_fns,
	.params   = mod_xlog_params,
	.pvs      = mod_xlog_pvs,
	.trs      = mod_no_trs,
	.events   = mod_no_events,
	.ctx_init = xlog_ctx_init,
	.ctx_free = xlog_ctx_free,
};
