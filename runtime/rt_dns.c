/*
 * rt_dns.c — host names of SIP destinations (rt.h, "Names"): RFC 3263 as
 * Kamailio applies it by default (no NAPTR): an IP address is used as it
 * is; a name with a port is looked up for its address (A, then AAAA); a
 * name without a port is first looked up as an SRV record of its
 * transport (_sip._udp, _sip._tcp, _sips._tcp ...), whose best target and
 * port are then looked up, and as an address when it has none.
 *
 * Addresses come from getaddrinfo (so /etc/hosts counts, as nsswitch.conf
 * says), SRV records from the resolver (res_query, /etc/resolv.conf).
 * Lookups block the calling worker, as Kamailio's do; their answers are
 * cached for every worker: SRV answers for their TTL, addresses for
 * RT_DNS_TTL seconds, failures for RT_DNS_NEG_TTL.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rt.h"

#define RT_DNS_TTL 60            /* s: an address from getaddrinfo */
#define RT_DNS_NEG_TTL 30        /* s: a name that did not resolve */
#define RT_DNS_MAX_TTL 3600      /* s: SRV TTLs are cut to this */
#define CACHE_SLOTS 128
#define MAX_SRV 16

/* ------------------------------------------------------------------ cache */

typedef struct {
	char key[RT_DNS_NAME_MAX + 24];  /* "a:NAME" or "srv:_sip._udp.NAME" */
	time_t expires;                  /* 0: free */
	int ok;
	rt_addr addr;                    /* a: ip, af; srv: target in ip is
					  * not kept, the resolved address is */
	uint16_t port;                   /* srv: the record's port */
} cache_entry;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static cache_entry cache[CACHE_SLOTS];
static unsigned cache_next;

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A live entry for key: 1 (copied to *out), or 0. */
static int cache_get(const char *key, cache_entry *out)
{
	time_t t = mono_now();
	int found = 0;

	pthread_mutex_lock(&cache_mu);
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].expires > t && strcmp(cache[i].key, key) == 0) {
			*out = cache[i];
			found = 1;
			break;
		}
	pthread_mutex_unlock(&cache_mu);
	return found;
}

/* Keep e for ttl seconds (replacing an entry of the same key, else the
 * oldest slot in turn). */
static void cache_put(cache_entry *e, unsigned ttl)
{
	unsigned slot;

	e->expires = mono_now() + ttl;
	pthread_mutex_lock(&cache_mu);
	for (slot = 0; slot < CACHE_SLOTS; slot++)
		if (cache[slot].expires && strcmp(cache[slot].key, e->key) == 0)
			break;
	if (slot == CACHE_SLOTS)
		slot = cache_next++ % CACHE_SLOTS;
	cache[slot] = *e;
	pthread_mutex_unlock(&cache_mu);
}

/* -------------------------------------------------------------- addresses */

/* The address of name (NUL-terminated): IPv4 first, then IPv6, as
 * Kamailio tries A before AAAA. 0, or -1. */
static int lookup_addr(const char *name, rt_addr *out)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	cache_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "a:%s", name);
	if (cache_get(e.key, &e)) {
		if (!e.ok)
			return -1;
		memcpy(out->ip, e.addr.ip, sizeof(out->ip));
		out->af = e.addr.af;
		return 0;
	}
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]) && !e.ok; f++) {
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = fams[f];
		hints.ai_socktype = SOCK_DGRAM;
		if (getaddrinfo(name, NULL, &hints, &res) != 0 || res == NULL)
			continue;
		if (res->ai_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)res->ai_addr;
			inet_ntop(AF_INET, &s4->sin_addr, e.addr.ip, sizeof(e.addr.ip));
			e.addr.af = 4;
			e.ok = 1;
		} else if (res->ai_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)res->ai_addr;
			inet_ntop(AF_INET6, &s6->sin6_addr, e.addr.ip, sizeof(e.addr.ip));
			e.addr.af = 6;
			e.ok = 1;
		}
		freeaddrinfo(res);
	}
	cache_put(&e, e.ok ? RT_DNS_TTL : RT_DNS_NEG_TTL);
	if (!e.ok)
		return -1;
	memcpy(out->ip, e.addr.ip, sizeof(out->ip));
	out->af = e.addr.af;
	return 0;
}

/* -------------------------------------------------------------------- SRV */

typedef struct {
	unsigned prio, weight, port, ttl;
	char target[NS_MAXDNAME];
} srv_rec;

/* The SRV records of qname: their count (0 when there are none or the
 * query failed). */
static int query_srv(const char *qname, srv_rec *recs, int max)
{
	unsigned char ans[4096];
	struct __res_state rs;
	ns_msg msg;
	int len, n = 0;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return 0;
	len = res_nquery(&rs, qname, ns_c_in, ns_t_srv, ans, sizeof(ans));
	res_nclose(&rs);
	if (len <= 0 || ns_initparse(ans, len, &msg) < 0)
		return 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && n < max; i++) {
		ns_rr rr;
		const unsigned char *rd;
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_srv ||
				ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		recs[n].prio = (unsigned)rd[0] << 8 | rd[1];
		recs[n].weight = (unsigned)rd[2] << 8 | rd[3];
		recs[n].port = (unsigned)rd[4] << 8 | rd[5];
		recs[n].ttl = ns_rr_ttl(rr);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, recs[n].target,
				sizeof(recs[n].target)) < 0)
			continue;
		n++;
	}
	return n;
}

/* The record to use (RFC 2782): the lowest priority, among those a
 * choice weighted by their weights. */
static const srv_rec *srv_pick(const srv_rec *r, int n)
{
	static __thread unsigned seed;
	unsigned best = ~0u, total = 0, x;

	for (int i = 0; i < n; i++)
		if (r[i].prio < best)
			best = r[i].prio;
	for (int i = 0; i < n; i++)
		if (r[i].prio == best)
			total += r[i].weight;
	if (seed == 0)
		seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
	x = total ? (unsigned)rand_r(&seed) % (total + 1) : 0;
	for (int i = 0; i < n; i++) {
		if (r[i].prio != best)
			continue;
		if (x <= r[i].weight)
			return &r[i];
		x -= r[i].weight;
	}
	for (int i = 0; i < n; i++)
		if (r[i].prio == best)
			return &r[i];
	return NULL;
}

/* The SRV destination of name for proto (sips: TLS): address and port of
 * the best target. 1 found, 0 no SRV record (or none resolves), the
 * answer cached either way. */
static int lookup_srv(const char *name, int proto, int sips, rt_addr *out)
{
	const char *svc = sips || proto == RT_PROTO_TLS ? "_sips._tcp" :
		proto == RT_PROTO_TCP ? "_sip._tcp" :
		proto == RT_PROTO_SCTP ? "_sip._sctp" :
		proto == RT_PROTO_WS || proto == RT_PROTO_WSS ? "_sip._ws" : "_sip._udp";
	char qname[RT_DNS_NAME_MAX + 16];
	srv_rec recs[MAX_SRV];
	cache_entry e;
	unsigned ttl = RT_DNS_MAX_TTL;
	int n;

	snprintf(qname, sizeof(qname), "%s.%s", svc, name);
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "srv:%s", qname);
	if (!cache_get(e.key, &e)) {
		n = query_srv(qname, recs, MAX_SRV);
		while (n > 0) {
			const srv_rec *r = srv_pick(recs, n);
			rt_addr a;
			if (r == NULL)
				break;
			if (r->ttl < ttl)
				ttl = r->ttl;
			memset(&a, 0, sizeof(a));
			if (lookup_addr(r->target, &a) == 0) {
				e.ok = 1;
				e.addr = a;
				e.port = (uint16_t)r->port;
				break;
			}
			/* that target does not resolve: the others */
			recs[r - recs] = recs[--n];
		}
		cache_put(&e, e.ok ? (ttl ? ttl : 1) : RT_DNS_NEG_TTL);
	}
	if (!e.ok)
		return 0;
	memcpy(out->ip, e.addr.ip, sizeof(out->ip));
	out->af = e.addr.af;
	out->port = e.port;
	return 1;
}

/* ------------------------------------------------------------------- API */

/* See rt.h. */
int rt_dns_sip(const char *host, size_t len, int proto, int sips, unsigned port,
		rt_addr *out, char *err, size_t errlen)
{
	char name[RT_DNS_NAME_MAX + 1];
	int r = rt_addr_literal(host, len, proto, sips, port, out);

	if (r < 0) {
		snprintf(err, errlen, "bad host '%.*s'", (int)len, host);
		return -1;
	}
	if (r == 0)
		return 0;
	memcpy(name, host, len);
	name[len] = '\0';
	if (len > 1 && name[len - 1] == '.')
		name[len - 1] = '\0';   /* a fully qualified name's root dot */
	if (port == 0 && lookup_srv(name, proto, sips, out))
		return 0;
	if (lookup_addr(name, out) == 0)
		return 0;
	snprintf(err, errlen, "cannot resolve '%s'", name);
	return -1;
}
