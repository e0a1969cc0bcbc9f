/*
 * mod_xhttp.c — xhttp: HTTP requests handled in event_route[xhttp:request].
 *
 * xhttp_reply() answers an HTTP request byte for byte as Kamailio 5.6.3
 * does (regress/xhttp/ compares with replies recorded from it): the
 * request's version, code and reason; the Via Kamailio inserts into an HTTP request
 * echoed back renamed "Sia"; the headers append_to_reply() queued and the
 * Content-Type, in the order they were added; the Server header;
 * Content-Length and the body. Like Kamailio, the Content-Type and the body
 * are reply lumps of the message: a later reply carries them again, and a
 * second body (of xhttp_reply or set_reply_body) is refused.
 *
 * The url_skip / url_match parameters decide whether the event route runs
 * at all (mod_xhttp_accepts); their regexes are compiled in the init hook.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod.h"

/* ------------------------------------------------------------------------
 * url_skip / url_match
 * ------------------------------------------------------------------------ */

/* The compiled parameters of one loaded program. Kept in a list keyed by
 * the program (modules have no per-program state slot); an entry is
 * replaced when a new program gets the address of an unloaded one. */
typedef struct xhttp_conf {
	const vm_loaded *lp;
	int has_skip, has_match;
	regex_t skip, match;
	struct xhttp_conf *next;
} xhttp_conf;

static xhttp_conf *xhttp_confs;

static xhttp_conf *xhttp_conf_of(const vm_loaded *lp)
{
	for (xhttp_conf *x = xhttp_confs; x; x = x->next)
		if (x->lp == lp)
			return x;
	return NULL;
}

static void xhttp_conf_clear(xhttp_conf *x)
{
	if (x->has_skip)
		regfree(&x->skip);
	if (x->has_match)
		regfree(&x->match);
	x->has_skip = x->has_match = 0;
}

/* Compile setting xhttp.name of lp into *re: an extended regex, case
 * matters (seen on 5.6.3: url_match "^/[a-z]" turns "/STATS" away).
 * 1 compiled, 0 not set, -1 bad (message in err). */
static int xhttp_compile(const vm_loaded *lp, const char *name, regex_t *re,
		char *err, size_t errlen)
{
	const vm_const *k = vm_loaded_setting(lp, "xhttp", name, 0);
	char *pat;
	int rc;

	if (k == NULL || k->kind != VM_STR)
		return 0;
	pat = malloc(k->len + 1);
	if (pat == NULL) {
		snprintf(err, errlen, "xhttp: out of memory");
		return -1;
	}
	memcpy(pat, k->s, k->len);
	pat[k->len] = '\0';
	rc = regcomp(re, pat, REG_EXTENDED);
	if (rc != 0)
		snprintf(err, errlen, "xhttp: bad %s regex '%s'", name, pat);
	free(pat);
	return rc == 0 ? 1 : -1;
}

/* Init hook: compile url_skip and url_match for lp. 0, or -1 with a
 * message in err when one does not compile. */
static int xhttp_init(vm_loaded *lp, char *err, size_t errlen)
{
	xhttp_conf *x = xhttp_conf_of(lp);
	int r;

	if (x == NULL) {
		x = calloc(1, sizeof(*x));
		if (x == NULL) {
			snprintf(err, errlen, "xhttp: out of memory");
			return -1;
		}
		x->lp = lp;
		x->next = xhttp_confs;
		xhttp_confs = x;
	}
	xhttp_conf_clear(x);
	if ((r = xhttp_compile(lp, "url_skip", &x->skip, err, errlen)) < 0)
		return -1;
	x->has_skip = r;
	if ((r = xhttp_compile(lp, "url_match", &x->match, err, errlen)) < 0) {
		xhttp_conf_clear(x);
		return -1;
	}
	x->has_match = r;
	return 0;
}

/* See mod.h. */
int mod_xhttp_accepts(const vm_loaded *lp, const rt_msg *m)
{
	const xhttp_conf *x;
	char stack[256], *uri = stack;
	int ok = 1;

	if (m == NULL || !m->is_http)
		return 0;
	x = xhttp_conf_of(lp);
	if (x == NULL || (!x->has_skip && !x->has_match))
		return 1;
	if (m->ruri.len >= sizeof(stack) && (uri = malloc(m->ruri.len + 1)) == NULL)
		return 0;
	memcpy(uri, m->ruri.s, m->ruri.len);
	uri[m->ruri.len] = '\0';
	if (x->has_skip && regexec(&x->skip, uri, 0, NULL, 0) == 0)
		ok = 0;
	else if (x->has_match && regexec(&x->match, uri, 0, NULL, 0) != 0)
		ok = 0;
	if (uri != stack)
		free(uri);
	return ok;
}

/* ------------------------------------------------------------------------
 * xhttp_reply
 * ------------------------------------------------------------------------ */

/* The reply to HTTP request m into out, as Kamailio's sl builds it from
 * the request with the fake Via xhttp inserted: status line, each Via of
 * the request (the fake one, from m's source, when it has none) as "Sia",
 * the reply lumps, Server, Content-Length, body. */
static void xhttp_build(rt_msg *m, const rt_worker *w, int code,
		const char *reason, size_t rlen, const char *body, size_t blen,
		rt_buf *out)
{
	int vias = 0;

	rt_buf_put(out, m->version.s, m->version.len);
	rt_buf_puts(out, " ");
	rt_buf_uint(out, (unsigned long)code, 0);
	rt_buf_puts(out, " ");
	rt_buf_put(out, reason, rlen);
	rt_buf_puts(out, "\r\n");
	for (unsigned i = 0; i < m->nhdrs; i++) {
		if (m->hdrs[i].type != RT_HDR_VIA)
			continue;
		rt_buf_puts(out, "Sia: ");
		rt_buf_put(out, m->hdrs[i].body.s, m->hdrs[i].body.len);
		rt_buf_puts(out, "\r\n");
		vias++;
	}
	if (vias == 0) {
		/* the fake Via names the transport the request came on */
		const char *proto = m->src.proto == RT_PROTO_UDP ? "UDP" :
			m->src.proto == RT_PROTO_TLS ? "TLS" : "TCP";
		int v6 = strchr(m->src.ip, ':') != NULL;
		rt_buf_printf(out, "Sia: SIP/2.0/%s %s%s%s:%u\r\n", proto, v6 ? "[" : "",
				m->src.ip, v6 ? "]" : "", (unsigned)m->src.port);
	}
	for (const rt_lump *l = m->reply_lumps; l; l = l->next)
		rt_buf_put(out, l->ins, l->inslen);
	if (w->server_hdr) {
		rt_buf_puts(out, w->server_hdr);
		rt_buf_puts(out, "\r\n");
	}
	rt_buf_puts(out, "Content-Length: ");
	rt_buf_uint(out, blen, 0);
	rt_buf_puts(out, "\r\n\r\n");
	rt_buf_put(out, body, blen);
}

/* See mod.h. Seen on 5.6.3: without set_reply_close() a second reply
 * with an empty body is sent, one with a body fails; after
 * set_reply_close() a second reply fails (Kamailio closed the connection
 * with the first and its attempt to connect back fails; no "Connection:
 * close" header is added). */
int mod_xhttp_reply(vm_ctx *c, const char *who, int code, const char *reason,
		size_t rlen, const char *ctype, size_t clen, const char *body, size_t blen)
{
	rt_msg *m = rt_msg_of(c);
	rt_worker *w = rt_worker_of(c);
	mod_core_state *cs = mod_core_state_of(c);
	rt_buf out = { NULL, 0, 0, 0 };
	int ret = -1;

	if (m == NULL || !m->is_http || !m->is_request) {
		vm_error(c, "%s: not an HTTP request", who);
		return -1;
	}
	if (w == NULL || w->send == NULL || cs == NULL) {
		vm_error(c, "%s: no transport to send the reply with", who);
		return -1;
	}
	if ((cs->send_flags & MOD_SEND_REPLY_CLOSE) && w->sent_replies > 0 &&
			m->src.proto != RT_PROTO_UDP) {
		vm_error(c, "%s: the connection was closed after the first reply", who);
		return -1;
	}
	if (code < 100 || code > 699) {
		vm_error(c, "%s: invalid reply code", who);
		return -1;
	}
	if (rlen == 0) {
		vm_error(c, "%s: empty reason", who);
		return -1;
	}
	if (clen > 0) {
		char *h = malloc(clen + 17);
		int r;
		if (h == NULL)
			return -1;
		memcpy(h, "Content-Type: ", 14);
		memcpy(h + 14, ctype, clen);
		memcpy(h + 14 + clen, "\r\n", 2);
		r = rt_msg_reply_lump(m, h, clen + 16);
		free(h);
		if (r < 0)
			return -1;
	}
	if (blen > 0) {
		/* one body per message, as Kamailio's LUMP_RPL_BODY */
		if (cs->rpl_body != NULL) {
			vm_error(c, "%s: the reply already has a body", who);
			return -1;
		}
		if ((cs->rpl_body = malloc(blen)) == NULL)
			return -1;
		memcpy(cs->rpl_body, body, blen);
		cs->rpl_body_len = blen;
	}
	rt_buf_take(&out);
	xhttp_build(m, w, code, reason, rlen, cs->rpl_body,
			cs->rpl_body ? cs->rpl_body_len : 0, &out);
	if (out.failed) {
		vm_error(c, "%s: building the reply failed", who);
		goto done;
	}
	if (w->send(w, "reply", &m->src, out.s, out.len) < 0) {
		vm_error(c, "%s: sending the reply to %s:%u failed", who,
				m->src.ip, (unsigned)m->src.port);
		mod_sl_count_reply(code, 0);
		goto done;
	}
	mod_sl_count_reply(code, 1);
	w->sent_replies++;
	ret = 1;
done:
	rt_buf_give(&out);
	return ret;
}

/* xhttp_reply(code, reason, ctype, body): queue "Content-Type: ctype"
 * (unless empty) and the body (unless empty; refused, -1, when the message
 * already has one) for the replies of the message, then send the reply
 * (mod_xhttp_reply). 1 sent; -1 when the message is not HTTP, the code is
 * not 100..699, the reason is empty, building or sending failed, or a
 * reply was already sent after set_reply_close(). */
static int xhttp_reply_f(vm_call *call)
{
	char b0[VM_INT_DEC_MAX], b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *reason, *ctype, *body;
	size_t rlen, clen, blen;
	int32_t code;

	if (mod_core_msg(call, 1) == NULL)
		return -1;
	if (mod_core_arg_int(call, 0, &code) < 0)
		code = 0;
	mod_core_arg_str(call, 1, b1, &reason, &rlen);
	mod_core_arg_str(call, 2, b2, &ctype, &clen);
	mod_core_arg_str(call, 3, b0, &body, &blen);
	return mod_xhttp_reply(call->ctx, "xhttp_reply", code, reason, rlen, ctype,
			clen, body, blen);
}

/* $hu: the request target as received ("/stats?a=1"); null for a reply
 * or outside a message. Read-only. */
static int xhttp_pv_hu_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	rt_msg *m = rt_msg_of(c);

	(void)sp;
	*out = vm_null();
	if (m != NULL && m->is_request)
		*out = vm_str(m->ruri.s, m->ruri.len);
	return 0;
}

static const vm_fn_export mod_xhttp_fns[] = {
	/* name          n  routes   kinds   fixup  impl */
	{ "xhttp_reply", 4, MOD_REQ, "isss", NULL,  xhttp_reply_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_xhttp_params[] = {
	{ "url_match",      VM_PARAM_STR, 0 },
	{ "url_skip",       VM_PARAM_STR, 0 },
	{ "event_callback", VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_xhttp_pvs[] = {
	{ "hu", 0, NULL, xhttp_pv_hu_get, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_xhttp_trs[] = {
	{ "url", "path" },
	{ "url", "querystring" },
	{ NULL, NULL }
};

static const char *const mod_xhttp_events[] = {
	"xhttp:request",
	NULL
};

const vm_module mod_xhttp = {
	.name   = "xhttp",
	.fns    = mod_xhttp_fns,
	.params = mod_xhttp_params,
	.pvs    = mod_xhttp_pvs,
	.trs    = mod_xhttp_trs,
	.events = mod_xhttp_events,
	.init   = xhttp_init,
};
