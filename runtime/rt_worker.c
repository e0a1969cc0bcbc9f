/*
 * rt_worker.c — what a route runs in: a worker's context bound to a loaded
 * program, the server's own addresses (`uri == myself`), and running the
 * route a message calls for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rt.h"

/* Split "[proto:]host[:port]" (a `listen` or `alias` value) into host and
 * port (0 when absent). IPv6 may be bracketed. */
static void split_hostport(const char *s, size_t len, rt_view *host, unsigned *port)
{
	const char *end = s + len, *p;
	*port = 0;
	/* a leading protocol */
	for (p = s; p < end && *p != ':' && *p != '['; p++)
		;
	if (p < end && *p == ':') {
		size_t n = (size_t)(p - s);
		if ((n == 3 && (!strncasecmp(s, "udp", 3) || !strncasecmp(s, "tcp", 3) ||
				!strncasecmp(s, "tls", 3))) || (n == 4 && !strncasecmp(s, "sctp", 4)) ||
				(n == 2 && !strncasecmp(s, "ws", 2)) || (n == 3 && !strncasecmp(s, "wss", 3)))
			s = p + 1;
	}
	if (s < end && *s == '[') {
		const char *rb = memchr(s, ']', (size_t)(end - s));
		if (rb) {
			host->s = s + 1;
			host->len = (size_t)(rb - s - 1);
			if (rb + 1 < end && rb[1] == ':')
				*port = (unsigned)atoi(rb + 2);
			return;
		}
	}
	const char *colon = memchr(s, ':', (size_t)(end - s));
	if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
		host->s = s;
		host->len = (size_t)(colon - s);
		*port = (unsigned)atoi(colon + 1);
	} else {
		host->s = s;
		host->len = (size_t)(end - s);
	}
}

/* Whether host:port matches the setting values of `name` (listen or
 * alias). A missing port matches any; a listen without port is 5060. */
static int match_setting(const vm_loaded *lp, const char *name, rt_view host,
		unsigned port, int *any)
{
	const vm_const *k;
	for (unsigned n = 0; (k = vm_loaded_setting(lp, "", name, n)) != NULL; n++) {
		rt_view h;
		unsigned p;
		if (k->kind != VM_STR)
			continue;
		*any = 1;
		split_hostport(k->s, k->len, &h, &p);
		if (!p)
			p = 5060;
		if (h.len == host.len && strncasecmp(h.s, host.s, h.len) == 0 &&
				(port == 0 || port == p || !strcmp(name, "alias")))
			return 1;
	}
	return 0;
}

/* vm_ctx.myself: is the URI (or host[:port]) one of this server's? Its
 * addresses are the `listen` and `alias` settings; with no `listen`, the
 * loopback addresses and "localhost" (what a server bound to everything
 * would answer for in a dry run). The server adds the sockets it bound
 * (rt_worker.bound: -l overrides listen). */
int rt_worker_myself(vm_ctx *c, const char *s, size_t len)
{
	rt_view host;
	unsigned port = 0;
	rt_uri u;
	if (len > 4 && (!strncasecmp(s, "sip:", 4) || !strncasecmp(s, "sips", 4) ||
			!strncasecmp(s, "tel:", 4))) {
		if (rt_uri_parse(s, len, &u) < 0 || !u.host.s)
			return 0;
		host = u.host;
		port = u.port_no;
	} else {
		split_hostport(s, len, &host, &port);
	}
	if (host.len > 2 && host.s[0] == '[' && host.s[host.len - 1] == ']') {
		host.s++;
		host.len -= 2;
	}
	int any = 0;
	if (match_setting(c->lp, "listen", host, port, &any) ||
			match_setting(c->lp, "alias", host, port, &any))
		return 1;
	/* the sockets bound (a missing port is 5060) */
	const rt_worker *w = rt_worker_of(c);
	for (int i = 0; w && i < w->nbound; i++) {
		const rt_addr *a = &w->bound[i];
		if (strlen(a->ip) == host.len && !strncasecmp(a->ip, host.s, host.len) &&
				(port ? port : 5060) == a->port)
			return 1;
	}
	if (any)
		return 0;
	static const char *const local[] = { "127.0.0.1", "::1", "localhost" };
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strlen(local[i]) == host.len && !strncasecmp(local[i], host.s, host.len))
			return port == 0 || port == 5060;
	return 0;
}

/* See rt.h. */
int rt_worker_dst(const rt_worker *w, const char *host, size_t len, int proto, int sips,
		unsigned port, rt_addr *out, char *err, size_t errlen)
{
	int r;

	if (w != NULL && w->resolve != NULL)
		return w->resolve(host, len, proto, sips, port, out, err, errlen);
	if ((r = rt_addr_literal(host, len, proto, sips, port, out)) == 0)
		return 0;
	snprintf(err, errlen, r > 0 ? "cannot send to '%.*s' (names are not looked up here)" :
			"bad host '%.*s'", (int)len, host);
	return -1;
}

int rt_worker_init(rt_worker *w, const vm_loaded *lp, int n)
{
	memset(w, 0, sizeof(*w));
	if (vm_ctx_init(&w->vm, lp, n) < 0)
		return -1;
	w->vm.host = w;
	w->vm.myself = rt_worker_myself;
	w->self.proto = RT_PROTO_UDP;
	w->self.af = 4;
	strcpy(w->self.ip, "127.0.0.1");
	w->self.port = 5060;
	const vm_const *k = vm_loaded_setting(lp, "", "listen", 0);
	if (k && k->kind == VM_STR) {
		rt_view h;
		unsigned p;
		split_hostport(k->s, k->len, &h, &p);
		if (h.len && h.len < sizeof(w->self.ip) && h.s[0] != '*') {
			memcpy(w->self.ip, h.s, h.len);
			w->self.ip[h.len] = '\0';
			w->self.af = memchr(h.s, ':', h.len) ? 6 : 4;
		}
		if (p)
			w->self.port = (uint16_t)p;
	}
	return 0;
}

void rt_worker_free(rt_worker *w)
{
	vm_ctx_free(&w->vm);
}

/* The route a message calls for: request_route for a SIP request, the
 * core reply route for a reply, event_route[xhttp:request] for HTTP.
 * -1 when the program has none (the message is then left alone). */
const rt_engine *rt_route_engine;

int rt_worker_route_for(const vm_loaded *lp, const rt_msg *m, uint32_t *type)
{
	*type = m->is_http ? VM_RT_EVENT : m->is_request ? VM_RT_REQUEST : VM_RT_CORE_ONREPLY;
	if (rt_route_engine && rt_route_engine->uses(lp))
		return RT_ROUTE_ENGINE;
	if (m->is_http)
		return vm_loaded_route(lp, VM_RT_EVENT, "xhttp:request");
	if (m->is_request)
		return vm_loaded_route(lp, VM_RT_REQUEST, "");
	return vm_loaded_route(lp, VM_RT_CORE_ONREPLY, "");
}

int32_t rt_worker_run(rt_worker *w, rt_msg *m, int rt, uint32_t type, int *how)
{
	w->vm.msg = m;
	w->sent_replies = 0;
	w->sent_requests = 0;
	int32_t code = rt == RT_ROUTE_ENGINE && rt_route_engine ?
		rt_route_engine->run(&w->vm, type, how) : vm_run(&w->vm, rt, type, how);
	vm_ctx_msg_done(&w->vm);
	w->vm.msg = NULL;
	return code;
}

/* See rt.h. Kamailio's forward_reply: the top Via must be this server's
 * (vm.myself); it is removed (its whole line when it holds only that
 * value) and the reply goes to the second Via's received (or host), its
 * rport (or port), over its transport. */
int rt_worker_forward_reply(rt_worker *w, rt_msg *m, int code, const char *reason,
		size_t rlen)
{
	vm_ctx *c = &w->vm;
	const rt_via *v1 = rt_msg_via1(m);
	const rt_via *v2 = rt_msg_via2(m);
	char hp[300];
	if (m->is_request || m->is_http || !v1 || !v1->host.s) {
		vm_log(c, VM_L_DBG, "forward_reply: not a reply with a Via: dropped");
		rt_stat_inc(RT_ST_DROP_REPLIES);
		return -1;
	}
	int n = snprintf(hp, sizeof(hp), "%.*s%s%.*s", (int)v1->host.len, v1->host.s,
			v1->port.s ? ":" : "", v1->port.s ? (int)v1->port.len : 0,
			v1->port.s ? v1->port.s : "");
	if (n <= 0 || n >= (int)sizeof(hp) || !c->myself || !c->myself(c, hp, (size_t)n)) {
		vm_log(c, VM_L_DBG, "forward_reply: the top Via (%s) is not this server's: dropped", hp);
		rt_stat_inc(RT_ST_DROP_REPLIES);
		return -1;
	}
	if (!v2 || !v2->host.s) {
		vm_log(c, VM_L_DBG, "forward_reply: no second Via, nowhere to send the reply");
		rt_stat_inc(RT_ST_DROP_REPLIES);
		return -1;
	}
	rt_addr dst;
	rt_view host = v2->has_received && v2->received.len ? v2->received : v2->host;
	int proto = RT_PROTO_UDP;
	if (v2->proto.len == 3 && !strncasecmp(v2->proto.s, "TCP", 3))
		proto = RT_PROTO_TCP;
	else if (v2->proto.len == 3 && !strncasecmp(v2->proto.s, "TLS", 3))
		proto = RT_PROTO_TLS;
	char err[300];
	/* a sent-by name (no received=) is looked up: its address, at the
	 * Via's port (5060, 5061 for TLS, when it has none: no SRV) */
	if (rt_worker_dst(w, host.s, host.len, proto, 0,
			v2->port_no ? v2->port_no : (proto == RT_PROTO_TLS ? 5061 : 5060),
			&dst, err, sizeof(err)) < 0) {
		vm_log(c, VM_L_ERR, "forward_reply: %s", err);
		rt_stat_inc(RT_ST_ERR_REPLIES);
		return -1;
	}
	if (v2->has_rport && v2->rport.len) {
		unsigned p = 0;
		for (size_t i = 0; i < v2->rport.len && p < 65536; i++)
			p = p * 10 + (unsigned)(v2->rport.s[i] - '0');
		if (p && p < 65536)
			dst.port = (uint16_t)p;
	}
	/* the top Via value goes: its whole line when it is the only one */
	const rt_hdr *h = &m->hdrs[m->via1_hdr];
	size_t off, del;
	const char *vs = v1->whole.s, *ve = v1->whole.s + v1->whole.len;
	const char *hend = h->body.s + h->body.len;
	const char *p = ve;
	while (p < hend && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (p < hend && *p == ',') {
		p++;
		while (p < hend && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		off = (size_t)(vs - m->buf);
		del = (size_t)(p - vs);
	} else {
		off = (size_t)(h->raw.s - m->buf);
		del = h->raw.len;
	}
	if (rt_msg_lump(m, off, del, NULL, 0) < 0)
		goto fail;
	/* sl_forward_reply(code, reason): a new status */
	if (code > 0) {
		char st[16];
		int sl = snprintf(st, sizeof(st), "%03d ", code);
		size_t soff = (size_t)(m->fline.s - m->buf) + m->version.len + 1;
		size_t end = (size_t)(m->fline.s - m->buf) + m->fline.len;
		while (end > soff && (m->buf[end - 1] == '\n' || m->buf[end - 1] == '\r'))
			end--;
		char *ins = malloc((size_t)sl + rlen);
		if (ins == NULL)
			goto fail;
		memcpy(ins, st, (size_t)sl);
		if (rlen)
			memcpy(ins + sl, reason, rlen);
		int r = rt_msg_lump(m, soff, end - soff, ins, (size_t)sl + rlen);
		free(ins);
		if (r < 0)
			goto fail;
	}
	rt_buf out = { NULL, 0, 0, 0 };
	rt_buf_take(&out);
	if (rt_build_applied(m, &out) < 0 || w->send == NULL ||
			w->send(w, "reply", &dst, out.s, out.len) < 0) {
		rt_buf_give(&out);
		goto fail;
	}
	rt_buf_give(&out);
	w->sent_replies++;
	rt_stat_inc(RT_ST_FWD_REPLIES);
	return 1;
fail:
	vm_log(c, VM_L_ERR, "forward_reply: building or sending the reply to %s:%u failed",
			dst.ip, dst.port);
	rt_stat_inc(RT_ST_ERR_REPLIES);
	return -1;
}

/* See rt.h. */
const char *rt_log_level_name(int level)
{
	switch (level) {
	case VM_L_ALERT: return "ALERT";
	case VM_L_BUG: return "BUG";
	case VM_L_CRIT2:
	case VM_L_CRIT: return "CRITICAL";
	case VM_L_ERR: return "ERROR";
	case VM_L_WARN: return "WARNING";
	case VM_L_NOTICE: return "NOTICE";
	case VM_L_INFO: return "INFO";
	}
	return "DEBUG";
}
