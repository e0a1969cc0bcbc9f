/*
 * mod_core.c — core: the actions Kamailio builds into its grammar (message
 * flags, R-URI rewriting, log, stateless forward, transport flags), the
 * core pseudo-variables ($null, $rc, $env, $def), and the per-message state
 * the core shares with kex, corex, textops, maxfwd and sl (mod.h).
 *
 * drop, exit, return, break and route are opcodes of the VM: their rows
 * below have no implementation.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../runtime/rt.h"
#include "mod.h"

/* ------------------------------------------------------------------------
 * Per-message state and helpers (mod.h)
 * ------------------------------------------------------------------------ */

/* See mod.h. */
mod_core_state *mod_core_state_of(vm_ctx *c)
{
	if (c->mod[MOD_SLOT_CORE] == NULL)
		c->mod[MOD_SLOT_CORE] = calloc(1, sizeof(mod_core_state));
	return c->mod[MOD_SLOT_CORE];
}

static int core_ctx_init(vm_ctx *c)
{
	return mod_core_state_of(c) ? 0 : -1;
}

static void core_ctx_free(vm_ctx *c)
{
	mod_core_state *st = c->mod[MOD_SLOT_CORE];
	if (st == NULL)
		return;
	free(st->rpl_body);
	free(st);
	c->mod[MOD_SLOT_CORE] = NULL;
}

/* After each message: the flags and the reply body are the message's.
 * setdebug() stays, as it does for a Kamailio process. */
static void core_msg_done(vm_ctx *c)
{
	mod_core_state *st = c->mod[MOD_SLOT_CORE];
	if (st == NULL)
		return;
	st->sflags = 0;
	st->bflags = 0;
	st->xflags = 0;
	st->send_flags = 0;
	st->add_local_rport = 0;
	free(st->rpl_body);
	st->rpl_body = NULL;
	st->rpl_body_len = 0;
	st->maxfwd = 0;
}

/* See mod.h. */
void *mod_core_fix(const vm_call *call, unsigned i)
{
	return (call->fix != NULL && i < call->nargs) ? call->fix[i] : NULL;
}

/* See mod.h. */
int mod_core_arg_int(const vm_call *call, unsigned i, int32_t *out)
{
	const vm_value *v;

	*out = 0;
	if (i >= call->nargs)
		return -1;
	v = &call->args[i];
	if (v->kind == VM_INT) {
		*out = v->i;
		return 0;
	}
	if (v->kind == VM_STR) {
		if (v->flags & VM_VAL_BOTH) {
			*out = v->i;
			return 0;
		}
		return vm_str_to_int(v->s, v->len, out) == 0 ? 0 : -1;
	}
	return -1;
}

/* See mod.h. */
void mod_core_arg_str(const vm_call *call, unsigned i,
		char buf[VM_INT_DEC_MAX], const char **s, size_t *len)
{
	if (i >= call->nargs) {
		*s = "";
		*len = 0;
		return;
	}
	vm_str_view(&call->args[i], buf, s, len);
}

/* See mod.h. */
rt_msg *mod_core_msg(vm_call *call, int request)
{
	rt_msg *m = rt_msg_of(call->ctx);

	if (m == NULL) {
		vm_error(call->ctx, "%s(): no message", call->fn->name);
		return NULL;
	}
	if (request && !m->is_request) {
		vm_error(call->ctx, "%s(): the message is not a request",
				call->fn->name);
		return NULL;
	}
	return m;
}

/* ------------------------------------------------------------------------
 * Message flags, log, error, exec
 * ------------------------------------------------------------------------ */

/* The flag argument, checked to be 0..31 as Kamailio's flag_in_range(). */
static int core_flag_arg(vm_call *call, int32_t *flag)
{
	if (mod_core_arg_int(call, 0, flag) < 0 || *flag < 0 || *flag > 31) {
		vm_error(call->ctx, "%s(): message flag must be in range 0..31",
				call->fn->name);
		return -1;
	}
	return 0;
}

/* setflag(n): 1. */
static int core_setflag(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	int32_t f;
	if (m == NULL || core_flag_arg(call, &f) < 0)
		return -1;
	m->flags |= 1u << f;
	return 1;
}

static int core_resetflag(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	int32_t f;
	if (m == NULL || core_flag_arg(call, &f) < 0)
		return -1;
	m->flags &= ~(1u << f);
	return 1;
}

/* isflagset(n): 1 when set, -1 when not. */
static int core_isflagset(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	int32_t f;
	if (m == NULL || core_flag_arg(call, &f) < 0)
		return -1;
	return (m->flags & (1u << f)) ? 1 : -1;
}

/* log("text") at L_DBG+1 (printed only with debug >= 4), log(level,
 * "text"): the text with Kamailio's "<script>: " prefix, no PV expansion;
 * one trailing newline is dropped (the host ends every line). 1. */
static int core_log(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	int32_t level = VM_L_DBG + 1;
	unsigned ti = 0;

	if (call->nargs == 2) {
		if (mod_core_arg_int(call, 0, &level) < 0) {
			vm_error(call->ctx, "log(): the level is not a number");
			return -1;
		}
		ti = 1;
	}
	mod_core_arg_str(call, ti, buf, &s, &len);
	if (len > 0 && s[len - 1] == '\n')
		len--;
	vm_log(call->ctx, level, "<script>: %.*s", (int)len, s);
	return 1;
}

/* error("a", "b"): never implemented in Kamailio either; a notice. 1. */
static int core_error(vm_call *call)
{
	char b1[VM_INT_DEC_MAX], b2[VM_INT_DEC_MAX];
	const char *s1, *s2;
	size_t l1, l2;

	mod_core_arg_str(call, 0, b1, &s1, &l1);
	mod_core_arg_str(call, 1, b2, &s2, &l2);
	vm_log(call->ctx, VM_L_NOTICE, "error(\"%.*s\", \"%.*s\") not implemented yet",
			(int)l1, s1, (int)l2, s2);
	return 1;
}

/* exec("cmd"): runs the command with system(), as Kamailio's "dumb
 * version" does, and returns 1 whatever its exit status (a non-zero status
 * is logged as a notice). The worker waits for the command. */
static int core_exec(vm_call *call)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	char *cmd;
	int r;

	mod_core_arg_str(call, 0, buf, &s, &len);
	cmd = malloc(len + 1);
	if (cmd == NULL)
		return -1;
	memcpy(cmd, s, len);
	cmd[len] = '\0';
	vm_log(call->ctx, VM_L_NOTICE,
			"exec(\"%s\") not fully implemented, using dumb version...", cmd);
	r = system(cmd);
	if (r != 0)
		vm_log(call->ctx, VM_L_NOTICE, "exec() returned %d", r);
	free(cmd);
	return 1;
}

/* ------------------------------------------------------------------------
 * R-URI rewriting (Kamailio's SET_*_T actions)
 * ------------------------------------------------------------------------ */

/* Kamailio's limit for a rewritten URI (MAX_URI_SIZE). */
#define CORE_MAX_URI 1024

enum {
	RW_HOST, RW_HOSTPORT, RW_HOSTPORTTRANS, RW_USER, RW_USERPASS, RW_PORT,
	RW_URI, RW_PREFIX, RW_STRIP, RW_STRIP_TAIL, RW_USERPHONE
};

typedef struct {
	char s[CORE_MAX_URI + 1];
	size_t len;
	int over;
} core_ubuf;

static void ub_put(core_ubuf *b, const char *s, size_t n)
{
	if (b->over || b->len + n > CORE_MAX_URI) {
		b->over = 1;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

static void ub_putc(core_ubuf *b, char ch)
{
	ub_put(b, &ch, 1);
}

/* The core parameter phone2tel (1 unless set to 0). */
static int core_phone2tel(vm_ctx *c)
{
	const vm_const *k = c->lp ? vm_loaded_setting(c->lp, "", "phone2tel", 0) : NULL;
	return !(k && k->kind == VM_INT && k->i == 0);
}

/* Rewrite the R-URI of the message as action `type` does, with the string
 * argument a[0..alen) (host, user, ...) or the count n (strip). The new
 * URI is built from the current one's parts in Kamailio's order: scheme,
 * user (prefix, stripped), password (only when there is a user), tel:
 * parameters, host, port, parameters (transport dropped by
 * rewritehostporttrans), ;user=phone, headers. 1, or -1 (the URI does not
 * parse, the result is longer than 1024 bytes, memory). */
static int core_rewrite(vm_call *call, int type, const char *a, size_t alen,
		int32_t n)
{
	rt_msg *m = mod_core_msg(call, 1);
	const rt_uri *u;
	core_ubuf *b;
	int user = 0, tel;
	const char *scheme;
	const char *us;
	size_t ul;
	rt_view tparams = { NULL, 0 };
	int ret = -1;

	if (m == NULL)
		return -1;
	if (type == RW_URI) {
		if (rt_msg_set_ruri(m, a, alen) < 0)
			return -1;
		return 1;
	}
	u = rt_msg_ruri(m);
	if (u == NULL) {
		rt_view t = rt_msg_ruri_text(m);
		vm_error(call->ctx, "%s(): bad R-URI <%.*s>", call->fn->name,
				(int)t.len, t.s ? t.s : "");
		return -1;
	}
	tel = u->type == RT_URI_TEL || u->type == RT_URI_TELS;
	if (type == RW_USERPHONE && (tel || (u->uparam.s && u->uparam.len == 5 &&
			memcmp(u->uparam.s, "phone", 5) == 0)))
		return 1;
	if (type == RW_PORT && tel) {
		vm_error(call->ctx, "%s(): port number of a tel: URI cannot be set",
				call->fn->name);
		return -1;
	}
	b = malloc(sizeof(*b));
	if (b == NULL)
		return -1;
	b->len = 0;
	b->over = 0;

	switch (u->type) {
	case RT_URI_SIPS:
		scheme = "sips";
		break;
	case RT_URI_TEL:
		scheme = (type == RW_HOST || type == RW_HOSTPORT ||
				type == RW_HOSTPORTTRANS) ? "sip" : "tel";
		break;
	case RT_URI_TELS:
		scheme = (type == RW_HOST || type == RW_HOSTPORT ||
				type == RW_HOSTPORTTRANS) ? "sips" : "tels";
		break;
	default:
		scheme = "sip";
	}
	ub_put(b, scheme, strlen(scheme));
	ub_putc(b, ':');

	/* user */
	if (type == RW_PREFIX) {
		ub_put(b, a, alen);
		user = 1;
	}
	us = u->user.s;
	ul = u->user.s ? u->user.len : 0;
	/* with phone2tel Kamailio parses a user=phone URI as a tel: URI: the
	 * user's own ;parameters are apart from the user and stay */
	if (!tel && us && u->uparam.s && u->uparam.len == 5 &&
			memcmp(u->uparam.s, "phone", 5) == 0 && core_phone2tel(call->ctx)) {
		const char *semi = memchr(us, ';', ul);
		if (semi) {
			tparams.s = semi + 1;
			tparams.len = (size_t)(us + ul - semi - 1);
			ul = (size_t)(semi - us);
		}
	}
	if (type == RW_USER || type == RW_USERPASS) {
		us = a;
		ul = alen;
	} else if (type == RW_STRIP) {
		if ((size_t)n >= ul) {
			if ((size_t)n > ul)
				vm_log(call->ctx, VM_L_WARN, "too long strip asked; "
						"deleting username: %d of <%.*s>", (int)n,
						(int)ul, us ? us : "");
			ul = 0;
		} else {
			us += n;
			ul -= (size_t)n;
		}
	} else if (type == RW_STRIP_TAIL) {
		if ((size_t)n >= ul) {
			if ((size_t)n > ul)
				vm_log(call->ctx, VM_L_WARN, "too long strip_tail asked; "
						"deleting username: %d of <%.*s>", (int)n,
						(int)ul, us ? us : "");
			ul = 0;
		} else {
			ul -= (size_t)n;
		}
	}
	if (ul > 0) {
		ub_put(b, us, ul);
		user = 1;
	}
	/* password: kept only with a user; rewriteuserpass's argument holds
	 * its own */
	if (type != RW_USERPASS && user && u->passwd.s) {
		ub_putc(b, ':');
		ub_put(b, u->passwd.s, u->passwd.len);
	}
	/* tel: parameters follow the number */
	if (tel && u->params.s) {
		ub_putc(b, ';');
		ub_put(b, u->params.s, u->params.len);
	} else if (tparams.s) {
		ub_putc(b, ';');
		ub_put(b, tparams.s, tparams.len);
	}
	/* host */
	if (type == RW_HOST || type == RW_HOSTPORT || type == RW_HOSTPORTTRANS) {
		if (user)
			ub_putc(b, '@');
		ub_put(b, a, alen);
	} else if (!tel && u->host.s) {
		if (user)
			ub_putc(b, '@');
		ub_put(b, u->host.s, u->host.len);
	}
	/* port */
	if (type == RW_PORT) {
		if (alen > 0) {
			ub_putc(b, ':');
			ub_put(b, a, alen);
		}
	} else if (type != RW_HOSTPORT && type != RW_HOSTPORTTRANS && u->port.s) {
		ub_putc(b, ':');
		ub_put(b, u->port.s, u->port.len);
	}
	/* parameters */
	if (!tel && u->params.s) {
		if (type == RW_HOSTPORTTRANS && u->transport.s) {
			/* the transport parameter goes: the argument may carry
			 * its own */
			const rt_uri_param *tp = rt_uri_param_find(u, "transport", 9);
			const char *ps = u->params.s, *pe = ps + u->params.len;
			const char *ts = tp ? tp->name.s : ps;
			const char *te = tp ? (tp->value.s ? tp->value.s + tp->value.len :
					tp->name.s + tp->name.len) : ps;
			if (ts > ps) {
				ub_putc(b, ';');
				ub_put(b, ps, (size_t)(ts - ps - 1));
			}
			if (te < pe)
				ub_put(b, te, (size_t)(pe - te));
		} else {
			ub_putc(b, ';');
			ub_put(b, u->params.s, u->params.len);
		}
	}
	if ((tel && (type == RW_HOST || type == RW_HOSTPORT ||
			type == RW_HOSTPORTTRANS)) || type == RW_USERPHONE)
		ub_put(b, ";user=phone", 11);
	if (u->headers.s) {
		ub_putc(b, '?');
		ub_put(b, u->headers.s, u->headers.len);
	}
	if (b->over) {
		vm_error(call->ctx, "%s(): the new R-URI is longer than %d bytes",
				call->fn->name, CORE_MAX_URI);
		goto done;
	}
	if (rt_msg_set_ruri(m, b->s, b->len) < 0)
		goto done;
	ret = 1;
done:
	free(b);
	return ret;
}

/* The string argument of a rewrite action. */
static int core_rewrite_s(vm_call *call, int type)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;

	mod_core_arg_str(call, 0, buf, &s, &len);
	return core_rewrite(call, type, s, len, 0);
}

static int core_sethost(vm_call *call) { return core_rewrite_s(call, RW_HOST); }
static int core_sethostport(vm_call *call) { return core_rewrite_s(call, RW_HOSTPORT); }
static int core_sethpt(vm_call *call) { return core_rewrite_s(call, RW_HOSTPORTTRANS); }
static int core_setuser(vm_call *call) { return core_rewrite_s(call, RW_USER); }
static int core_setuserpass(vm_call *call) { return core_rewrite_s(call, RW_USERPASS); }
static int core_setport(vm_call *call) { return core_rewrite_s(call, RW_PORT); }
static int core_seturi(vm_call *call) { return core_rewrite_s(call, RW_URI); }
static int core_prefix(vm_call *call) { return core_rewrite_s(call, RW_PREFIX); }
static int core_userphone(vm_call *call) { return core_rewrite(call, RW_USERPHONE, NULL, 0, 0); }

/* See mod.h. */
int mod_core_set_ruri_user(vm_call *call, const char *user, size_t len)
{
	return core_rewrite(call, RW_USER, user, len, 0);
}

/* strip(n), strip_tail(n): n must not be negative. */
static int core_strip_n(vm_call *call, int type)
{
	int32_t n;
	if (mod_core_arg_int(call, 0, &n) < 0 || n < 0) {
		vm_error(call->ctx, "%s(): bad count", call->fn->name);
		return -1;
	}
	return core_rewrite(call, type, NULL, 0, n);
}

static int core_strip(vm_call *call) { return core_strip_n(call, RW_STRIP); }
static int core_strip_tail(vm_call *call) { return core_strip_n(call, RW_STRIP_TAIL); }

/* revert_uri(): back to the request line's URI. 1. */
static int core_revert_uri(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 1);
	if (m == NULL)
		return -1;
	if (m->new_uri != NULL) {
		free(m->new_uri);
		m->new_uri = NULL;
		m->new_uri_len = 0;
		m->ruri_parsed = 0;
	}
	return 1;
}

/* ------------------------------------------------------------------------
 * Transport flags
 * ------------------------------------------------------------------------ */

/* force_rport(), add_rport(): replies go to the source port. 1. */
static int core_force_rport(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	if (m == NULL)
		return -1;
	m->force_rport = 1;
	return 1;
}

static int core_set_state_flag(vm_call *call, unsigned flag)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	if (st == NULL)
		return -1;
	if (flag == 0) {
		st->add_local_rport = 1;
	} else {
		st->send_flags |= flag;
		/* the transport reads them from the message */
		rt_msg *m = rt_msg_of(call->ctx);
		if (m != NULL)
			m->send_flags |= flag;
	}
	return 1;
}

static int core_add_local_rport(vm_call *call) { return core_set_state_flag(call, 0); }
static int core_set_fwd_noconnect(vm_call *call) { return core_set_state_flag(call, MOD_SEND_FWD_NOCONNECT); }
static int core_set_rpl_noconnect(vm_call *call) { return core_set_state_flag(call, MOD_SEND_REPLY_NOCONNECT); }
static int core_set_fwd_close(vm_call *call) { return core_set_state_flag(call, MOD_SEND_FWD_CLOSE); }
static int core_set_rpl_close(vm_call *call) { return core_set_state_flag(call, MOD_SEND_REPLY_CLOSE); }

/* ------------------------------------------------------------------------
 * Stateless forwarding
 * ------------------------------------------------------------------------ */

/* Kamailio's core_hash() of two strings, into a 2^16 table (the "hash
 * index" of a transaction, the first part of a stateless branch). */
static unsigned core_hash2(rt_view a, rt_view b)
{
	uint32_t h = 0, v;
	const rt_view *sv[2] = { &a, &b };

	for (int k = 0; k < 2; k++) {
		const unsigned char *p = (const unsigned char *)sv[k]->s;
		const unsigned char *end = p + (sv[k]->s ? sv[k]->len : 0);
		if (p == NULL)
			continue;
		for (; p + 4 <= end; p += 4) {
			v = ((uint32_t)p[0] << 24) + ((uint32_t)p[1] << 16) +
				((uint32_t)p[2] << 8) + p[3];
			h += v ^ (v >> 3);
		}
		v = 0;
		for (; p < end; p++)
			v = (v << 8) + *p;
		h += v ^ (v >> 3);
	}
	h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
	return h & 0xFFFFu;
}

/* Hex digits of n, least significant first, as Kamailio's
 * int2reverse_hex() writes them ("0" for 0). Returns the count. */
static size_t core_rhex(char *out, unsigned n)
{
	size_t k = 0;
	if (n == 0) {
		out[k++] = '0';
		return k;
	}
	while (n) {
		out[k++] = "0123456789abcdef"[n & 0xF];
		n >>= 4;
	}
	return k;
}

/* The branch of a request forwarded statelessly, as Kamailio 5.6.3
 * computes it (forward_request with syn_branch=0 semantics of
 * char_msg_val): "z9hG4bK" + reverse hex of core_hash(Call-ID, CSeq
 * number) + "." + MD5(From tag, To tag (empty for INVITE/ACK/CANCEL),
 * Call-ID, request-line URI, CSeq number, top Via host, port, branch) +
 * ".0". The same request gets the same branch, so retransmissions match.
 * Writes into out (at least 64 bytes); returns the length. */
static size_t core_fwd_branch(rt_msg *m, char *out)
{
	rt_view parts[8], callid = { NULL, 0 }, cseqno = { NULL, 0 };
	const rt_nameaddr *from = rt_msg_from(m), *to = rt_msg_to(m);
	const rt_cseq *cs = rt_msg_cseq(m);
	const rt_via *via = rt_msg_via1(m);
	rt_hdr *ci = rt_msg_hdr_type(m, RT_HDR_CALLID, 0);
	unsigned np = 0;
	size_t k = 0;
	char md5[32];

	if (ci)
		callid = ci->body;
	if (cs)
		cseqno = cs->number;
	memcpy(out, "z9hG4bK", 7);
	k = 7;
	k += core_rhex(out + k, core_hash2(callid, cseqno));
	out[k++] = '.';
	parts[np++] = from ? from->tag : (rt_view){ NULL, 0 };
	if (m->method_id & (RT_M_INVITE | RT_M_ACK | RT_M_CANCEL))
		parts[np++] = (rt_view){ NULL, 0 };
	else
		parts[np++] = to ? to->tag : (rt_view){ NULL, 0 };
	parts[np++] = callid;
	parts[np++] = m->ruri;
	parts[np++] = cseqno;
	if (via) {
		parts[np++] = via->host;
		parts[np++] = via->port;
		if (via->branch.s)
			parts[np++] = via->branch;
	}
	mod_sl_md5_hex(parts, np, md5);
	memcpy(out + k, md5, 32);
	k += 32;
	out[k++] = '.';
	out[k++] = '0';
	return k;
}

/* A transport name of a URI's transport= parameter, or -1. */
static int core_proto_of(rt_view t)
{
	static const struct { const char *n; int p; } tab[] = {
		{ "udp", RT_PROTO_UDP }, { "tcp", RT_PROTO_TCP },
		{ "tls", RT_PROTO_TLS }, { "sctp", RT_PROTO_SCTP },
		{ "ws", RT_PROTO_WS }, { "wss", RT_PROTO_WSS },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].n) == t.len && strncasecmp(tab[i].n, t.s, t.len) == 0)
			return tab[i].p;
	return -1;
}

/* Fill dst for host[0..len) (an IP address, [IPv6] or a name, looked up
 * as RFC 3263 says: rt_worker_dst) over proto at port (0: none given). 0,
 * or -1 (logged). */
static int core_dst_host(vm_call *call, rt_addr *dst, const char *host, size_t len,
		int proto, int sips, unsigned port)
{
	char err[300];

	if (rt_worker_dst(rt_worker_of(call->ctx), host, len, proto, sips, port, dst, err,
			sizeof(err)) < 0) {
		vm_error(call->ctx, "%s(): %s", call->fn->name, err);
		return -1;
	}
	return 0;
}

/* The destination of a URI: its host, its port (none: SRV, else 5060, or
 * 5061 for sips: or TLS), its transport (UDP, TLS for sips:, or the
 * transport parameter); forced_proto (a forward_udp() ...) names the
 * transport to look up when not 0, port (forward(uri, port)) the port. */
static int core_dst_uri(vm_call *call, rt_addr *dst, const char *s, size_t len,
		int forced_proto, unsigned port)
{
	rt_uri u;
	int p, proto;

	if (rt_uri_parse(s, len, &u) < 0 || u.host.s == NULL) {
		vm_error(call->ctx, "%s(): bad destination URI <%.*s>", call->fn->name,
				(int)len, s);
		return -1;
	}
	proto = u.type == RT_URI_SIPS ? RT_PROTO_TLS : RT_PROTO_UDP;
	if (u.transport.s && (p = core_proto_of(u.transport)) > 0)
		proto = p;
	if (forced_proto)
		proto = forced_proto;
	return core_dst_host(call, dst, u.host.s, u.host.len, proto, u.type == RT_URI_SIPS,
			port ? port : u.port_no);
}

/* forward() family: build the request as it stands (R-URI, lumps) with
 * our Via on top and send it statelessly. No argument: to $du when set,
 * else to the R-URI. forward(host[, port]): to that host (a "sip:" URI is
 * accepted too). Names are looked up as RFC 3263 says (rt_dns_sip: SRV
 * when no port is given). proto: the forced transport of forward_udp()
 * ..., or 0. 1 sent, -1 error (no destination, a name that does not
 * resolve, building or sending failed). */
static int core_forward_proto(vm_call *call, int proto)
{
	rt_msg *m = mod_core_msg(call, 1);
	rt_worker *w = rt_worker_of(call->ctx);
	rt_addr dst, self;
	rt_buf out = { NULL, 0, 0, 0 };
	char branch[64];
	size_t blen;
	int ret = -1;

	if (m == NULL)
		return -1;
	if (w == NULL || w->send == NULL) {
		vm_error(call->ctx, "%s(): no transport to send with", call->fn->name);
		return -1;
	}
	memset(&dst, 0, sizeof(dst));
	if (call->nargs == 0) {
		if (m->dst_uri != NULL) {
			if (core_dst_uri(call, &dst, m->dst_uri, m->dst_uri_len, proto, 0) < 0)
				return -1;
		} else {
			rt_view r = rt_msg_ruri_text(m);
			if (core_dst_uri(call, &dst, r.s, r.len, proto, 0) < 0)
				return -1;
		}
	} else {
		char buf[VM_INT_DEC_MAX];
		const char *h;
		size_t hl;
		int32_t port = 0;

		if (call->nargs > 1 && (mod_core_arg_int(call, 1, &port) < 0 || port <= 0 ||
				port > 65535)) {
			vm_error(call->ctx, "%s(): bad port", call->fn->name);
			return -1;
		}
		mod_core_arg_str(call, 0, buf, &h, &hl);
		if (hl > 4 && (strncasecmp(h, "sip:", 4) == 0 ||
				strncasecmp(h, "sips:", 5) == 0)) {
			if (core_dst_uri(call, &dst, h, hl, proto, (unsigned)port) < 0)
				return -1;
		} else if (core_dst_host(call, &dst, h, hl, proto ? proto : RT_PROTO_UDP, 0,
				(unsigned)port) < 0) {
			return -1;
		}
	}
	/* the destination's transport is the forced one already (core_dst_uri,
	 * core_dst_host) */
	self = w->self;
	self.proto = dst.proto;
	blen = core_fwd_branch(m, branch);
	rt_buf_take(&out);
	if (rt_build_forward(m, &self, branch, blen, &out) < 0 || out.failed) {
		vm_error(call->ctx, "%s(): building the request failed", call->fn->name);
		goto done;
	}
	if (w->send(w, "request", &dst, out.s, out.len) < 0) {
		vm_error(call->ctx, "%s(): sending to %s:%u failed", call->fn->name,
				dst.ip, dst.port);
		rt_stat_inc(RT_ST_ERR_REQUESTS);
		goto done;
	}
	rt_stat_inc(RT_ST_FWD_REQUESTS);
	w->sent_requests++;
	ret = 1;
done:
	rt_buf_give(&out);
	return ret;
}

static int core_forward(vm_call *call) { return core_forward_proto(call, 0); }
static int core_forward_udp(vm_call *call) { return core_forward_proto(call, RT_PROTO_UDP); }
static int core_forward_tcp(vm_call *call) { return core_forward_proto(call, RT_PROTO_TCP); }
static int core_forward_tls(vm_call *call) { return core_forward_proto(call, RT_PROTO_TLS); }
static int core_forward_sctp(vm_call *call) { return core_forward_proto(call, RT_PROTO_SCTP); }

/* ------------------------------------------------------------------------
 * The export table
 * ------------------------------------------------------------------------ */

static const vm_fn_export mod_core_fns[] = {
	/* name                     n  routes          kinds  fixup  impl */
	{ "forward",                0, MOD_NOT_ONSEND, "",    NULL,  core_forward },
	{ "forward",                1, MOD_NOT_ONSEND, "S",   NULL,  core_forward },
	{ "forward",                2, MOD_NOT_ONSEND, "Si",  NULL,  core_forward },
	{ "forward_udp",            1, MOD_NOT_ONSEND, "S",   NULL,  core_forward_udp },
	{ "forward_udp",            2, MOD_NOT_ONSEND, "Si",  NULL,  core_forward_udp },
	{ "forward_tcp",            1, MOD_NOT_ONSEND, "S",   NULL,  core_forward_tcp },
	{ "forward_tcp",            2, MOD_NOT_ONSEND, "Si",  NULL,  core_forward_tcp },
	{ "forward_tls",            1, MOD_NOT_ONSEND, "S",   NULL,  core_forward_tls },
	{ "forward_tls",            2, MOD_NOT_ONSEND, "Si",  NULL,  core_forward_tls },
	{ "forward_sctp",           1, MOD_NOT_ONSEND, "S",   NULL,  core_forward_sctp },
	{ "forward_sctp",           2, MOD_NOT_ONSEND, "Si",  NULL,  core_forward_sctp },
	{ "log",                    1, MOD_ANY,        "S",   NULL,  core_log },
	{ "log",                    2, MOD_ANY,        "iS",  NULL,  core_log },
	{ "setflag",                1, MOD_ANY,        "f",   NULL,  core_setflag },
	{ "resetflag",              1, MOD_ANY,        "f",   NULL,  core_resetflag },
	{ "isflagset",              1, MOD_ANY,        "f",   NULL,  core_isflagset },
	{ "setavpflag",             2, MOD_NOT_ONSEND, "xf",  NULL,  NULL },
	{ "resetavpflag",           2, MOD_NOT_ONSEND, "xf",  NULL,  NULL },
	{ "isavpflagset",           2, MOD_NOT_ONSEND, "xf",  NULL,  NULL },
	{ "error",                  2, MOD_NOT_ONSEND, "SS",  NULL,  core_error },
	{ "route",                  1, MOD_NOT_ONSEND, "R",   NULL,  NULL },
	{ "exec",                   1, MOD_NOT_ONSEND, "S",   NULL,  core_exec },
	{ "rewritehost",            1, MOD_NOT_ONSEND, "S",   NULL,  core_sethost },
	{ "sethost",                1, MOD_NOT_ONSEND, "S",   NULL,  core_sethost },
	{ "seth",                   1, MOD_NOT_ONSEND, "S",   NULL,  core_sethost },
	{ "prefix",                 1, MOD_NOT_ONSEND, "S",   NULL,  core_prefix },
	{ "strip_tail",             1, MOD_NOT_ONSEND, "i",   NULL,  core_strip_tail },
	{ "strip",                  1, MOD_NOT_ONSEND, "i",   NULL,  core_strip },
	{ "userphone",              0, MOD_NOT_ONSEND, "",    NULL,  core_userphone },
	{ "remove_branch",          1, MOD_NOT_ONSEND, "i",   NULL,  NULL },
	{ "remove_branch",          0, MOD_NOT_ONSEND, "",    NULL,  NULL },
	{ "clear_branches",         0, MOD_NOT_ONSEND, "",    NULL,  NULL },
	{ "rewritehostport",        1, MOD_NOT_ONSEND, "S",   NULL,  core_sethostport },
	{ "sethostport",            1, MOD_NOT_ONSEND, "S",   NULL,  core_sethostport },
	{ "sethp",                  1, MOD_NOT_ONSEND, "S",   NULL,  core_sethostport },
	{ "rewritehostporttrans",   1, MOD_NOT_ONSEND, "S",   NULL,  core_sethpt },
	{ "sethostporttrans",       1, MOD_NOT_ONSEND, "S",   NULL,  core_sethpt },
	{ "sethpt",                 1, MOD_NOT_ONSEND, "S",   NULL,  core_sethpt },
	{ "rewriteport",            1, MOD_NOT_ONSEND, "S",   NULL,  core_setport },
	{ "setport",                1, MOD_NOT_ONSEND, "S",   NULL,  core_setport },
	{ "setp",                   1, MOD_NOT_ONSEND, "S",   NULL,  core_setport },
	{ "rewriteuser",            1, MOD_NOT_ONSEND, "S",   NULL,  core_setuser },
	{ "setuser",                1, MOD_NOT_ONSEND, "S",   NULL,  core_setuser },
	{ "setu",                   1, MOD_NOT_ONSEND, "S",   NULL,  core_setuser },
	{ "rewriteuserpass",        1, MOD_NOT_ONSEND, "S",   NULL,  core_setuserpass },
	{ "setuserpass",            1, MOD_NOT_ONSEND, "S",   NULL,  core_setuserpass },
	{ "setup",                  1, MOD_NOT_ONSEND, "S",   NULL,  core_setuserpass },
	{ "rewriteuri",             1, MOD_NOT_ONSEND, "S",   NULL,  core_seturi },
	{ "seturi",                 1, MOD_NOT_ONSEND, "S",   NULL,  core_seturi },
	{ "revert_uri",             0, MOD_NOT_ONSEND, "",    NULL,  core_revert_uri },
	{ "force_rport",            0, MOD_NOT_ONSEND, "",    NULL,  core_force_rport },
	{ "add_rport",              0, MOD_NOT_ONSEND, "",    NULL,  core_force_rport },
	{ "add_local_rport",        0, MOD_NOT_ONSEND, "",    NULL,  core_add_local_rport },
	{ "force_tcp_alias",        1, MOD_NOT_ONSEND, "i",   NULL,  NULL },
	{ "add_tcp_alias",          1, MOD_NOT_ONSEND, "i",   NULL,  NULL },
	{ "force_tcp_alias",        0, MOD_NOT_ONSEND, "",    NULL,  NULL },
	{ "add_tcp_alias",          0, MOD_NOT_ONSEND, "",    NULL,  NULL },
	{ "udp_mtu_try_proto",      1, MOD_NOT_ONSEND, "x",   NULL,  NULL },
	{ "set_advertised_address", 1, MOD_NOT_ONSEND, "S",   NULL,  NULL },
	{ "set_advertised_port",    1, MOD_NOT_ONSEND, "i",   NULL,  NULL },
	{ "force_send_socket",      1, MOD_NOT_ONSEND, "x",   NULL,  NULL },
	{ "set_forward_no_connect", 0, MOD_ANY,        "",    NULL,  core_set_fwd_noconnect },
	{ "set_reply_no_connect",   0, MOD_ANY,        "",    NULL,  core_set_rpl_noconnect },
	{ "set_forward_close",      0, MOD_ANY,        "",    NULL,  core_set_fwd_close },
	{ "set_reply_close",        0, MOD_ANY,        "",    NULL,  core_set_rpl_close },
	{ "cfg_select",             2, MOD_NOT_ONSEND, "Si",  NULL,  NULL },
	{ "cfg_reset",              1, MOD_NOT_ONSEND, "S",   NULL,  NULL },
	{ "drop",                   0, MOD_ANY,        "",    NULL,  NULL },
	{ "drop",                   1, MOD_ANY,        "i",   NULL,  NULL },
	{ "exit",                   0, MOD_ANY,        "",    NULL,  NULL },
	{ "exit",                   1, MOD_ANY,        "i",   NULL,  NULL },
	{ "return",                 0, MOD_ANY,        "",    NULL,  NULL },
	{ "return",                 1, MOD_ANY,        "i",   NULL,  NULL },
	{ "break",                  0, MOD_ANY,        "",    NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

/* ------------------------------------------------------------------------
 * Pseudo-variables: $null, $rc, $env, $def
 * ------------------------------------------------------------------------ */

/* $null: always null. Read-only: the compiler refuses assignments. */
static int core_pv_null(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	(void)c;
	(void)sp;
	*out = vm_null();
	return 0;
}

/* $rc, $retcode, $?: the last return code. */
static int core_pv_rc(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	(void)sp;
	*out = vm_int(c->rc);
	return 0;
}

/* $env(NAME), $envn(NAME), $def(NAME), $defn(NAME): the name is kept as
 * a NUL-terminated copy for getenv() and the settings lookup. */
static int core_pv_name(vm_pvspec *sp, const char *name, size_t len,
		const char **err)
{
	char *s;

	if (name == NULL || len == 0) {
		*err = "a name is needed";
		return -1;
	}
	s = malloc(len + 1);
	if (s == NULL) {
		*err = "out of memory";
		return -1;
	}
	memcpy(s, name, len);
	s[len] = '\0';
	sp->data = s;
	sp->data_free = free;
	return 0;
}

/* The value of an environment variable (null when unset), looked up on
 * each read as Kamailio does. */
static int core_pv_env(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	const char *v = sp->data ? getenv(sp->data) : NULL;
	(void)c;
	*out = v ? vm_str(v, strlen(v)) : vm_null();
	return 0;
}

/* The text as a number: Kamailio gives the int (0 when the text is not
 * one) with the text as its string form. */
static vm_value core_num_text(const char *s, size_t len)
{
	int32_t n = 0;
	if (vm_str_to_int(s, len, &n) != 0)
		n = 0;
	return vm_int_str(n, s, len);
}

static int core_pv_envn(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	const char *v = sp->data ? getenv(sp->data) : NULL;
	(void)c;
	*out = v ? core_num_text(v, strlen(v)) : vm_null();
	return 0;
}

/* A preprocessor define, from the setting "define:NAME" of the core when
 * the compiler recorded it (cfgc does not record defines yet: $def is then
 * null). The raw value, quotes included; a define without value is "". */
static const vm_const *core_define(vm_ctx *c, const vm_pvspec *sp)
{
	char key[256];
	int n;

	if (sp->data == NULL || c->lp == NULL)
		return NULL;
	n = snprintf(key, sizeof(key), "define:%s", (const char *)sp->data);
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	return vm_loaded_setting(c->lp, "", key, 0);
}

static int core_pv_def(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	const vm_const *k = core_define(c, sp);
	if (k == NULL)
		*out = vm_null();
	else if (k->kind == VM_INT)
		*out = vm_int(k->i);
	else
		*out = vm_str(k->s, k->len);
	return 0;
}

/* $defn: the define as a number; 0 when it is not defined. */
static int core_pv_defn(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	const vm_const *k = core_define(c, sp);
	if (k == NULL)
		*out = vm_int(0);
	else if (k->kind == VM_INT)
		*out = vm_int(k->i);
	else
		*out = core_num_text(k->s, k->len);
	return 0;
}

static const vm_pv_export mod_core_pvs[] = {
	{ "null",    0, NULL, core_pv_null, NULL },
	{ "?",       0, NULL, core_pv_rc, NULL },
	{ "rc",      0, NULL, core_pv_rc, NULL },
	{ "retcode", 0, NULL, core_pv_rc, NULL },
	{ "env",     VM_PV_NAME, core_pv_name, core_pv_env, NULL },
	{ "envn",    VM_PV_NAME, core_pv_name, core_pv_envn, NULL },
	{ "def",     VM_PV_NAME, core_pv_name, core_pv_def, NULL },
	{ "defn",    VM_PV_NAME, core_pv_name, core_pv_defn, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const char *const mod_core_events[] = {
	"core:worker-one-init",
	"core:msg-received",
	"core:pre-routing",
	"core:receive-parse-error",
	NULL
};

const vm_module mod_core = {
	.name     = "core",
	.fns      = mod_core_fns,
	.params   = mod_no_params,
	.pvs      = mod_core_pvs,
	.trs      = mod_no_trs,
	.events   = mod_core_events,
	.ctx_init = core_ctx_init,
	.ctx_free = core_ctx_free,
	.msg_done = core_msg_done,
};
