/*
 * rt_server.c — the network server: sockets, worker threads, TCP
 * connections, signals and reloads (rt.h, "The server").
 *
 * Threads:
 *   main        binds the sockets, starts the workers, then waits for
 *               signals (SIGTERM/SIGINT stop, SIGHUP reloads) and ticks the
 *               statistics once a second;
 *   UDP worker  `children` per UDP socket; blocks in recvmmsg on its socket
 *               (a receive timeout wakes it twice a second to notice a stop
 *               or a reload), routes each message of the batch, then sends
 *               every UDP message the batch produced with one sendmmsg;
 *   TCP worker  `tcp_children` of them; an epoll set each with the
 *               listening TCP sockets (EPOLLEXCLUSIVE: one accepts), the
 *               connections it accepted or opened, an eventfd (stop) and a
 *               timerfd (idle connections, unanswered HTTP requests).
 *
 * Connections live in one table of `tcp_max_connections` slots. Only the
 * owner reads a connection or closes it; any thread may write to it under
 * the connection's own mutex (a reply to a UDP request forwarded to a TCP
 * peer, say) or shut it down, which the owner then sees and closes.
 *
 * The program: the main thread loads it and publishes it with a generation
 * number; a worker compares the generation (one relaxed load) before each
 * message and, when it moved, rebuilds its VM context on the new program.
 * A program is unloaded when no worker uses it any more.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

#define UDP_BATCH 32               /* messages per recvmmsg / sendmmsg */
#define UDP_SEND_ARENA (256 * 1024) /* bytes of a worker's pending sends */
#define TCP_BUF0 4096              /* first read buffer of a connection */
#define HTTP_NOREPLY_MAX 10        /* s: an HTTP request no route answered */
#define DFLT_CHILDREN 8
#define DFLT_UDP_COALESCE 1000     /* µs, udp_receive */
#define DFLT_TCP_LIFETIME 120      /* s, Kamailio's tcp_connection_lifetime */
#define DFLT_TCP_MAX_CONNS 2048
#define DFLT_TCP_SEND_TIMEOUT 10   /* s */
#define DFLT_TCP_CONNECT_TIMEOUT 10
#define MAX_WORKERS 1024
#define CONN_HASH 1024

/* ------------------------------------------------------------------ types */

typedef struct {
	int fd;
	int proto;                 /* RT_PROTO_UDP / TCP */
	rt_addr addr;              /* what it is bound to */
	/* UDP: one worker receives at a time (the others route what they
	 * got); under load the receiver waits a moment so that one wake-up
	 * brings a batch (see udp_receive) */
	pthread_mutex_t rx_mu;
	int busy;                  /* datagrams are coming fast */
	int full;                  /* the last batch filled the vector */
	int64_t last_rx;           /* monotonic ns of the last datagram */
} sock_t;

typedef struct conn {
	pthread_mutex_t wmu;       /* one writer at a time */
	int fd;                    /* -1: free slot */
	uint32_t gen;              /* bumped when the slot is freed */
	int owner;                 /* index of the TCP worker that reads it */
	int lsock;                 /* listening socket it came on, -1 outgoing */
	rt_addr peer, local;
	char *buf;                 /* bytes read, not yet routed */
	size_t len, cap, scan;
	time_t last;               /* monotonic s of the last read */
	time_t deadline;           /* close then (HTTP left unanswered), 0 */
	int dead;                  /* a write failed: the owner closes it */
	struct conn *hnext;        /* peer-address hash chain */
} conn;

/* A loaded program and how many workers use it. */
typedef struct prog_ref {
	vm_loaded *lp;
	int refs;                  /* workers + 1 while it is the current one */
	struct prog_ref *next;
} prog_ref;

typedef struct srv srv;

typedef struct {
	srv *s;
	int idx;                   /* worker number (VM ctx worker, 0 first) */
	int tcp;                   /* 0 UDP worker, 1 TCP worker */
	int tidx;                  /* index among TCP workers */
	int sock;                  /* UDP: the socket it reads */
	pthread_t th;
	int started;
	rt_worker w;
	prog_ref *ref;
	unsigned gen;
	rt_msg *m;
	/* UDP receive batch */
	struct mmsghdr rmsg[UDP_BATCH];
	struct iovec riov[UDP_BATCH];
	struct sockaddr_storage rsa[UDP_BATCH];
	char *rbuf;                /* UDP_BATCH buffers of RT_MSG_MAX_LEN + 1 */
	/* UDP send batch */
	int batching;
	unsigned nsend;
	struct mmsghdr smsg[UDP_BATCH];
	struct iovec siov[UDP_BATCH];
	struct sockaddr_storage ssa[UDP_BATCH];
	int sfd[UDP_BATCH];
	char *sbuf;
	size_t sused;
	/* TCP */
	int ep, evfd, tfd;
} wk;

struct srv {
	const rt_server_opts *o;
	sock_t socks[RT_SERVER_MAX_SOCKS];
	int nsocks;
	rt_addr bound[RT_SERVER_MAX_SOCKS]; /* socks[i].addr, for rt_worker.bound */
	pthread_mutex_t mu;        /* programs, connection table */
	prog_ref *progs;
	prog_ref *cur;
	unsigned gen;              /* atomic: bumped on each reload */
	int stop;                  /* atomic */
	wk *w;
	int nw, ntcp;
	int first_tcp;             /* index of the first TCP worker in w */
	unsigned rr;               /* round robin over TCP workers */
	/* settings */
	int accept_no_cl;
	int lifetime, max_conns, send_timeout, connect_timeout;
	int log_level;
	int log_syslog;            /* log lines go to syslog, not stderr */
	char log_ident[64];        /* log_name: syslog's ident (kept alive) */
	int coalesce_us;           /* udp_receive's wait under load */
	char server_hdr[256];      /* "Server: ..." line, "" for none */
	/* connections */
	conn *conns;
	conn *hash[CONN_HASH];
	int nconns;
};

/* ---------------------------------------------------------------- logging */


static srv *g_srv;             /* for the server's own log lines */

/* syslog's priority of a VM_L_* level (Kamailio's mapping). */
static int syslog_prio(int level)
{
	switch (level) {
	case VM_L_ALERT: return LOG_ALERT;
	case VM_L_BUG:
	case VM_L_CRIT2:
	case VM_L_CRIT: return LOG_CRIT;
	case VM_L_ERR: return LOG_ERR;
	case VM_L_WARN: return LOG_WARNING;
	case VM_L_NOTICE: return LOG_NOTICE;
	case VM_L_INFO: return LOG_INFO;
	default: return LOG_DEBUG;
	}
}

/* Emit log line "LEVEL: text" (line[0..n), with room for one more byte):
 * to syslog, or on stderr in one write so that lines of several threads
 * do not mix. */
static void log_emit(int level, char *line, size_t n)
{
	if (g_srv && g_srv->log_syslog) {
		syslog(syslog_prio(level), "%.*s", (int)n, line);
		return;
	}
	line[n++] = '\n';
	if (write(2, line, n) < 0) {
		/* nowhere else to say it */
	}
}

/* A server log line, when level is within the log level. */
static void slog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (g_srv && level > g_srv->log_level)
		return;
	int n = snprintf(line, sizeof(line), "%s: ", rt_log_level_name(level));
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	log_emit(level, line, (size_t)n);
}

/* The VM's log hook: the script's lines (xlog ...), same shape. */
static void vm_log_line(vm_ctx *c, int level, const char *text, size_t len)
{
	char line[2048];
	(void)c;
	int n = snprintf(line, sizeof(line), "%s: ", rt_log_level_name(level));
	if (len > sizeof(line) - (size_t)n - 2)
		len = sizeof(line) - (size_t)n - 2;
	memcpy(line + n, text, len);
	log_emit(level, line, (size_t)n + len);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* --------------------------------------------------------------- settings */

static int setting_int(const vm_loaded *lp, const char *name, int dflt)
{
	const vm_const *k;
	int v = dflt;
	for (unsigned n = 0; (k = vm_loaded_setting(lp, "", name, n)) != NULL; n++) {
		if (k->kind == VM_INT) {
			v = k->i;
		} else if (k->s) {
			if (!strcasecmp(k->s, "yes") || !strcasecmp(k->s, "on") ||
					!strcasecmp(k->s, "true"))
				v = 1;
			else if (!strcasecmp(k->s, "no") || !strcasecmp(k->s, "off") ||
					!strcasecmp(k->s, "false"))
				v = 0;
			else
				v = atoi(k->s);
		}
	}
	return v;
}

/* The syslog facility named by log_facility (LOG_DAEMON, LOG_LOCAL0 ...:
 * syslog(3)'s names), or -1. */
static int facility_of(const char *name)
{
	static const struct { const char *name; int fac; } tab[] = {
		{ "LOG_AUTH", LOG_AUTH }, { "LOG_AUTHPRIV", LOG_AUTHPRIV },
		{ "LOG_CRON", LOG_CRON }, { "LOG_DAEMON", LOG_DAEMON },
		{ "LOG_FTP", LOG_FTP }, { "LOG_KERN", LOG_KERN },
		{ "LOG_LOCAL0", LOG_LOCAL0 }, { "LOG_LOCAL1", LOG_LOCAL1 },
		{ "LOG_LOCAL2", LOG_LOCAL2 }, { "LOG_LOCAL3", LOG_LOCAL3 },
		{ "LOG_LOCAL4", LOG_LOCAL4 }, { "LOG_LOCAL5", LOG_LOCAL5 },
		{ "LOG_LOCAL6", LOG_LOCAL6 }, { "LOG_LOCAL7", LOG_LOCAL7 },
		{ "LOG_LPR", LOG_LPR }, { "LOG_MAIL", LOG_MAIL },
		{ "LOG_NEWS", LOG_NEWS }, { "LOG_SYSLOG", LOG_SYSLOG },
		{ "LOG_USER", LOG_USER }, { "LOG_UUCP", LOG_UUCP },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].name) == 0)
			return tab[i].fac;
	return -1;
}

/* Where log lines go: stderr with -E or log_stderror=yes, else syslog
 * with log_name (default "sipvm") and log_facility (default LOG_DAEMON),
 * as Kamailio. -1 (said on stderr) for an unknown facility. */
static int log_setup(srv *s, const vm_loaded *lp, const rt_server_opts *o)
{
	const vm_const *k;
	int fac = LOG_DAEMON;

	if ((k = vm_loaded_setting(lp, "", "log_facility", 0)) && k->kind == VM_STR &&
			(fac = facility_of(k->s)) < 0) {
		fprintf(stderr, "sipvm: log_facility: unknown facility '%s' (see syslog(3))\n", k->s);
		return -1;
	}
	if (o->log_stderr || setting_int(lp, "log_stderror", 0))
		return 0;
	k = vm_loaded_setting(lp, "", "log_name", 0);
	snprintf(s->log_ident, sizeof(s->log_ident), "%s",
			k && k->kind == VM_STR ? k->s : "sipvm");
	openlog(s->log_ident, LOG_PID, fac);
	s->log_syslog = 1;
	fprintf(stderr, "sipvm: logging to syslog as '%s' (log_stderror=no; -E logs here)\n",
			s->log_ident);
	return 0;
}

/* --------------------------------------------------------------- addresses */

/* sockaddr from an rt_addr; its length, or 0 when the IP does not parse. */
static socklen_t addr_to_sa(const rt_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == 6 || strchr(a->ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		if (inet_pton(AF_INET6, a->ip, &s6->sin6_addr) != 1)
			return 0;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	if (inet_pton(AF_INET, a->ip, &s4->sin_addr) != 1)
		return 0;
	return sizeof(*s4);
}

static void sa_to_addr(const struct sockaddr_storage *ss, int proto, rt_addr *a)
{
	a->proto = proto;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a->af = 6;
		a->port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			a->af = 4;
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a->ip, sizeof(a->ip));
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, a->ip, sizeof(a->ip));
		}
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->af = 4;
		a->port = ntohs(s4->sin_port);
		inet_ntop(AF_INET, &s4->sin_addr, a->ip, sizeof(a->ip));
	}
}

static int addr_same(const rt_addr *a, const rt_addr *b)
{
	return a->port == b->port && !strcmp(a->ip, b->ip);
}

static unsigned addr_hash(const rt_addr *a)
{
	unsigned h = a->port;
	for (const char *p = a->ip; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return h % CONN_HASH;
}

/* ---------------------------------------------------------------- sockets */

/* Parse one listen value "[proto:]host[:port][ advertise ...][ name ...]"
 * into up to two sockets (no proto: udp and tcp). 0 or -1. */
static int listen_parse(srv *s, const char *text, size_t len, int dport)
{
	char buf[256];
	const char *sp = memchr(text, ' ', len);
	if (sp)
		len = (size_t)(sp - text);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	int protos[2] = { RT_PROTO_UDP, RT_PROTO_TCP }, np = 2;
	char *p = buf;
	char *c = strchr(p, ':');
	if (c && c - p <= 4 && p[0] != '[') {
		size_t n = (size_t)(c - p);
		if (n == 3 && !strncasecmp(p, "udp", 3)) {
			np = 1;
		} else if (n == 3 && !strncasecmp(p, "tcp", 3)) {
			protos[0] = RT_PROTO_TCP;
			np = 1;
		} else if ((n == 3 && !strncasecmp(p, "tls", 3)) ||
				(n == 4 && !strncasecmp(p, "sctp", 4)) ||
				(n == 2 && !strncasecmp(p, "ws", 2)) ||
				(n == 3 && !strncasecmp(p, "wss", 3))) {
			slog(VM_L_WARN, "listen=%s: %.*s is not served by sipvm yet, ignored",
					buf, (int)n, p);
			return 0;
		}
		if (np == 1)
			p = c + 1;
	}
	/* host[:port], [v6][:port], or a bare IPv6 address; a name is looked
	 * up (its address: A, then AAAA), as Kamailio does at start */
	char host[RT_DNS_NAME_MAX + 1];
	int port = dport;
	if (*p == '[') {
		char *rb = strchr(p, ']');
		if (!rb || (size_t)(rb - p - 1) >= sizeof(host))
			return -1;
		memcpy(host, p + 1, (size_t)(rb - p - 1));
		host[rb - p - 1] = '\0';
		if (rb[1] == ':')
			port = atoi(rb + 2);
	} else {
		char *colon = strrchr(p, ':');
		if (colon && strchr(p, ':') == colon) {
			*colon = '\0';
			port = atoi(colon + 1);
		}
		if (strlen(p) >= sizeof(host))
			return -1;
		strcpy(host, p);
	}
	if (!strcmp(host, "*"))
		strcpy(host, "0.0.0.0");
	if (port <= 0 || port > 65535)
		return -1;
	rt_addr ra;
	char err[300];
	if (rt_dns_sip(host, strlen(host), protos[0], 0, (unsigned)port, &ra, err,
			sizeof(err)) < 0) {
		slog(VM_L_ERR, "listen=%s: %s", buf, err);
		return -1;
	}
	for (int i = 0; i < np; i++) {
		if (s->nsocks == RT_SERVER_MAX_SOCKS)
			return -1;
		sock_t *k = &s->socks[s->nsocks];
		memset(k, 0, sizeof(*k));
		k->fd = -1;
		pthread_mutex_init(&k->rx_mu, NULL);
		k->proto = protos[i];
		k->addr = ra;
		k->addr.proto = protos[i];
		/* the same socket twice (listen=a and -l a) */
		int dup = 0;
		for (int j = 0; j < s->nsocks; j++)
			if (s->socks[j].proto == k->proto && addr_same(&s->socks[j].addr, &k->addr))
				dup = 1;
		if (!dup)
			s->nsocks++;
	}
	return 0;
}

static int sock_open(sock_t *k)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sa(&k->addr, &ss);
	int one = 1;
	if (!sl) {
		slog(VM_L_ERR, "listen: '%s' is not an IP address (sipvm does not resolve names)",
				k->addr.ip);
		return -1;
	}
	k->fd = socket(ss.ss_family, (k->proto == RT_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) |
			SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		goto fail;
	setsockopt(k->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(k->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (k->proto == RT_PROTO_UDP) {
		/* a wake-up twice a second: stop and reload are noticed */
		struct timeval tv = { 0, 500000 };
		setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		int sz = 1 << 20;
		setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(k->fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	if (k->proto == RT_PROTO_TCP) {
		if (listen(k->fd, 1024) < 0)
			goto fail;
		fcntl(k->fd, F_SETFL, fcntl(k->fd, F_GETFL) | O_NONBLOCK);
	}
	return 0;
fail:;
	char where[80];
	rt_addr_format(&k->addr, where, sizeof(where));
	slog(VM_L_ERR, "cannot listen on %s: %s", where, strerror(errno));
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	return -1;
}

/* The UDP socket to send to dst from: the message's own when it is a UDP
 * socket of the same family, else the first of that family; -1 none. */
static int udp_sock_for(srv *s, const rt_msg *m, const rt_addr *dst)
{
	int af = (dst->af == 6 || strchr(dst->ip, ':')) ? 6 : 4;
	if (m && m->lsock >= 0 && m->lsock < s->nsocks &&
			s->socks[m->lsock].proto == RT_PROTO_UDP && s->socks[m->lsock].addr.af == af)
		return s->socks[m->lsock].fd;
	for (int i = 0; i < s->nsocks; i++)
		if (s->socks[i].proto == RT_PROTO_UDP && s->socks[i].addr.af == af)
			return s->socks[i].fd;
	return -1;
}

/* --------------------------------------------------------------- programs */

static int srv_send(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len);

/* Drop one reference to r; the last one unlinks it from s->progs and
 * unloads it. */
static void prog_release(srv *s, prog_ref *r)
{
	pthread_mutex_lock(&s->mu);
	int last = --r->refs == 0;
	if (last) {
		prog_ref **pp;
		for (pp = &s->progs; *pp && *pp != r; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = r->next;
	}
	pthread_mutex_unlock(&s->mu);
	if (last) {
		vm_unload(r->lp);
		free(r);
	}
}

/* Take the current program for worker k (and drop the one it had). */
static int worker_take_prog(wk *k)
{
	srv *s = k->s;
	pthread_mutex_lock(&s->mu);
	prog_ref *nr = s->cur, *old = k->ref;
	nr->refs++;
	k->gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
	pthread_mutex_unlock(&s->mu);
	if (old)
		rt_worker_free(&k->w);
	k->ref = nr;
	int rc = rt_worker_init(&k->w, nr->lp, k->idx);
	k->w.send = srv_send;
	k->w.send_ud = k;
	k->w.resolve = rt_dns_sip;
	k->w.vm.log = vm_log_line;
	k->w.server_hdr = s->server_hdr[0] ? s->server_hdr : NULL;
	k->w.bound = s->bound;
	k->w.nbound = s->nsocks;
	if (s->nsocks)
		k->w.self = s->socks[k->tcp ? 0 : k->sock].addr;
	if (s->log_level > k->w.vm.log_level)
		k->w.vm.log_level = s->log_level;
	if (rc == 0)
		vm_ctx_ready(&k->w.vm);
	if (old)
		prog_release(s, old);
	return rc;
}

/* ---------------------------------------------------------------- sending */

static int tcp_send(wk *k, const rt_addr *dst, const char *buf, size_t len, int reply);
static void udp_flush(wk *k);

/* Queue a UDP message in the worker's batch (sent by udp_flush). */
static int udp_queue(wk *k, int fd, const struct sockaddr_storage *ss, socklen_t sl,
		const char *buf, size_t len)
{
	if (k->nsend == UDP_BATCH || k->sused + len > UDP_SEND_ARENA)
		udp_flush(k);
	if (len > UDP_SEND_ARENA) {
		ssize_t r = sendto(fd, buf, len, 0, (const struct sockaddr *)ss, sl);
		return r < 0 ? -1 : 0;
	}
	unsigned i = k->nsend++;
	memcpy(k->sbuf + k->sused, buf, len);
	k->siov[i].iov_base = k->sbuf + k->sused;
	k->siov[i].iov_len = len;
	k->sused += len;
	k->ssa[i] = *ss;
	memset(&k->smsg[i], 0, sizeof(k->smsg[i]));
	k->smsg[i].msg_hdr.msg_name = &k->ssa[i];
	k->smsg[i].msg_hdr.msg_namelen = sl;
	k->smsg[i].msg_hdr.msg_iov = &k->siov[i];
	k->smsg[i].msg_hdr.msg_iovlen = 1;
	k->sfd[i] = fd;
	return 0;
}

/* Send what the batch queued: one sendmmsg per run of the same socket. */
static void udp_flush(wk *k)
{
	unsigned i = 0;
	while (i < k->nsend) {
		unsigned j = i + 1;
		while (j < k->nsend && k->sfd[j] == k->sfd[i])
			j++;
		unsigned done = i;
		while (done < j) {
			int r = sendmmsg(k->sfd[i], &k->smsg[done], j - done, 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				slog(VM_L_ERR, "sendmmsg: %s", strerror(errno));
				done++;      /* skip the one that failed */
				continue;
			}
			done += (unsigned)r;
		}
		i = j;
	}
	k->nsend = 0;
	k->sused = 0;
}

/* rt_worker.send for the server: UDP goes to the batch (UDP workers) or
 * straight out; TCP to the message's connection or one to dst. */
static int srv_send(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len)
{
	wk *k = w->send_ud;
	srv *s = k->s;
	rt_msg *m = rt_msg_of(&w->vm);
	if (dst->proto == RT_PROTO_UDP || dst->proto == RT_PROTO_NONE) {
		struct sockaddr_storage ss;
		socklen_t sl = addr_to_sa(dst, &ss);
		int fd = udp_sock_for(s, m, dst);
		if (!sl || fd < 0) {
			slog(VM_L_ERR, "cannot send a %s to %s:%u over UDP: %s", what, dst->ip,
					dst->port, !sl ? "not an IP address" : "no UDP socket of that family");
			return -1;
		}
		if (k->batching)
			return udp_queue(k, fd, &ss, sl, buf, len);
		return sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0 ? -1 : 0;
	}
	if (dst->proto == RT_PROTO_TCP)
		return tcp_send(k, dst, buf, len, !strcmp(what, "reply"));
	slog(VM_L_ERR, "cannot send a %s over %s: not served by sipvm yet", what,
			rt_proto_name(dst->proto));
	return -1;
}

/* ------------------------------------------------------------- connections */

static conn *conn_get(srv *s, int id)
{
	if (id < 0)
		return NULL;
	unsigned slot = (unsigned)id & 0xffff, gen = (unsigned)id >> 16;
	if ((int)slot >= s->max_conns)
		return NULL;
	conn *c = &s->conns[slot];
	if (c->fd < 0 || (c->gen & 0x7fff) != gen)
		return NULL;
	return c;
}

static int conn_id(srv *s, conn *c)
{
	return (int)(((c->gen & 0x7fff) << 16) | (unsigned)(c - s->conns));
}

/* Write all of buf to c under its lock, waiting at most send_timeout for
 * room. 0, or -1 (the connection is then marked dead and shut down). */
static int conn_write(srv *s, conn *c, const char *buf, size_t len)
{
	int rc = 0;
	pthread_mutex_lock(&c->wmu);
	if (c->fd < 0 || c->dead) {
		pthread_mutex_unlock(&c->wmu);
		return -1;
	}
	time_t until = now_s() + s->send_timeout;
	while (len) {
		ssize_t r = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (r > 0) {
			buf += r;
			len -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			time_t left = until - now_s();
			struct pollfd pf = { c->fd, POLLOUT, 0 };
			if (left > 0 && poll(&pf, 1, (int)left * 1000) > 0)
				continue;
			rt_stat_inc(RT_ST_TCP_SEND_TIMEOUT);
		}
		rc = -1;
		break;
	}
	if (rc < 0) {
		c->dead = 1;
		shutdown(c->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&c->wmu);
	return rc;
}

/* A free slot for fd, owned by TCP worker `owner` and hashed by peer;
 * NULL when the table is full. */
static conn *conn_new(srv *s, int fd, int owner, int lsock, const rt_addr *peer,
		const rt_addr *local)
{
	conn *c = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->nconns < s->max_conns) {
		for (int i = 0; i < s->max_conns; i++) {
			if (s->conns[i].fd < 0) {
				c = &s->conns[i];
				break;
			}
		}
	}
	if (c) {
		c->fd = fd;
		c->owner = owner;
		c->lsock = lsock;
		c->peer = *peer;
		c->local = *local;
		c->len = c->scan = 0;
		c->last = now_s();
		c->deadline = 0;
		c->dead = 0;
		unsigned h = addr_hash(peer);
		c->hnext = s->hash[h];
		s->hash[h] = c;
		s->nconns++;
		rt_stat_add(RT_ST_TCP_CUR_OPENED, 1);
	}
	pthread_mutex_unlock(&s->mu);
	return c;
}

/* Close c (its owner only). */
static void conn_close(wk *k, conn *c)
{
	srv *s = k->s;
	epoll_ctl(k->ep, EPOLL_CTL_DEL, c->fd, NULL);
	pthread_mutex_lock(&s->mu);
	pthread_mutex_lock(&c->wmu);
	unsigned h = addr_hash(&c->peer);
	conn **pp;
	for (pp = &s->hash[h]; *pp && *pp != c; pp = &(*pp)->hnext)
		;
	if (*pp)
		*pp = c->hnext;
	close(c->fd);
	c->fd = -1;
	c->gen++;
	free(c->buf);
	c->buf = NULL;
	c->cap = c->len = 0;
	s->nconns--;
	rt_stat_add(RT_ST_TCP_CUR_OPENED, -1);
	pthread_mutex_unlock(&c->wmu);
	pthread_mutex_unlock(&s->mu);
}

static void tcp_tune(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Hand connection c to its owner's epoll set. */
static int conn_watch(srv *s, conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	ev.data.u64 = ((uint64_t)1 << 32) | (uint64_t)(c - s->conns);
	return epoll_ctl(s->w[s->first_tcp + c->owner].ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Open a connection to dst (forwarding over TCP, or a reply whose
 * connection is gone). NULL on failure. */
static conn *conn_connect(wk *k, const rt_addr *dst)
{
	srv *s = k->s;
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sa(dst, &ss);
	if (!sl || s->ntcp == 0)
		return NULL;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	int r = connect(fd, (struct sockaddr *)&ss, sl);
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd pf = { fd, POLLOUT, 0 };
		int err = 0;
		socklen_t el = sizeof(err);
		if (poll(&pf, 1, s->connect_timeout * 1000) == 1 &&
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
			r = 0;
	}
	if (r < 0) {
		rt_stat_inc(RT_ST_TCP_CONNECT_FAILED);
		close(fd);
		return NULL;
	}
	tcp_tune(fd);
	rt_addr local = { 0 };
	struct sockaddr_storage ls;
	socklen_t ll = sizeof(ls);
	if (getsockname(fd, (struct sockaddr *)&ls, &ll) == 0)
		sa_to_addr(&ls, RT_PROTO_TCP, &local);
	int owner = k->tcp ? k->tidx :
		(int)(__atomic_fetch_add(&s->rr, 1, __ATOMIC_RELAXED) % (unsigned)s->ntcp);
	rt_addr peer = *dst;
	conn *c = conn_new(s, fd, owner, -1, &peer, &local);
	if (!c) {
		rt_stat_inc(RT_ST_TCP_LOCAL_REJECT);
		close(fd);
		return NULL;
	}
	if (conn_watch(s, c) < 0) {
		/* its owner cannot see it: let it go as its owner would */
		shutdown(fd, SHUT_RDWR);
	}
	rt_stat_inc(RT_ST_TCP_CONNECT_SUCCESS);
	rt_stat_inc(RT_ST_TCP_ESTABLISHED);
	return c;
}

/* Send over TCP: a reply to the message's own connection when dst is its
 * source, else an open connection to dst, else a new one (not for replies
 * with set_reply_no_connect()). */
static int tcp_send(wk *k, const rt_addr *dst, const char *buf, size_t len, int reply)
{
	srv *s = k->s;
	rt_msg *m = rt_msg_of(&k->w.vm);
	conn *c = NULL;
	if (m && m->conn >= 0 && addr_same(dst, &m->src))
		c = conn_get(s, m->conn);
	if (!c) {
		pthread_mutex_lock(&s->mu);
		for (c = s->hash[addr_hash(dst)]; c; c = c->hnext)
			if (addr_same(&c->peer, dst) && !c->dead)
				break;
		if (c && conn_write(s, c, buf, len) == 0) {
			pthread_mutex_unlock(&s->mu);
			return 0;
		}
		pthread_mutex_unlock(&s->mu);
		if (c)
			return -1;
		unsigned nc = m ? m->send_flags &
			(reply ? RT_SEND_REPLY_NOCONNECT : RT_SEND_FWD_NOCONNECT) : 0;
		if (nc) {
			slog(VM_L_ERR, "no open connection to %s:%u and no-connect is set",
					dst->ip, dst->port);
			return -1;
		}
		c = conn_connect(k, dst);
		if (!c) {
			slog(VM_L_ERR, "cannot connect to %s:%u over TCP", dst->ip, dst->port);
			return -1;
		}
	}
	return conn_write(s, c, buf, len);
}

/* ------------------------------------------------------------------ routing */

/* Say that bytes from `from` were refused and why, with a sanitized
 * sample of their start (printable ASCII, other bytes as '.'), at most
 * BAD_LOG_PER_S times a second for the whole server (a flood of garbage
 * must not become a flood of log lines); count them: err_requests or
 * err_replies (kind 1, 2) when the first line was a request's or a
 * reply's (what Kamailio counts for a message whose headers it cannot
 * use), bad_msg_hdr otherwise (kind 0). bad_message: the same for a
 * message rt_msg_parse or rt_msg_check refused. */
#define BAD_LOG_PER_S 10
static void bad_bytes(int kind, const char *error, size_t error_off, const rt_addr *from,
		const char *buf, size_t len, const char *what)
{
	static int64_t window;      /* the second being counted */
	static int count;
	rt_stat_inc(kind == 1 ? RT_ST_ERR_REQUESTS : kind == 2 ? RT_ST_ERR_REPLIES :
			RT_ST_BAD_MSG_HDR);
	int64_t sec = now_ns() / 1000000000;
	if (__atomic_exchange_n(&window, sec, __ATOMIC_RELAXED) != sec)
		__atomic_store_n(&count, 0, __ATOMIC_RELAXED);
	int n = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	if (n > BAD_LOG_PER_S)
		return;
	char sample[64];
	size_t i;
	for (i = 0; i < len && i < sizeof(sample) - 1; i++)
		sample[i] = buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '"' ? buf[i] : '.';
	sample[i] = '\0';
	slog(VM_L_WARN, "bad message from %s:%s:%u (%s, at byte %zu) \"%s%s\": %s%s",
			rt_proto_name(from->proto), from->ip, from->port,
			error ? error : "cannot parse", error_off,
			sample, len > i ? "..." : "", what,
			n == BAD_LOG_PER_S ? " (more this second are not logged)" : "");
}

static void bad_message(const rt_msg *m, const rt_addr *from, const char *buf,
		size_t len, const char *what)
{
	int kind = !m->fline.len ? 0 : m->is_request ? 1 : m->is_http ? 0 : 2;
	bad_bytes(kind, m->error, m->error_off, from, buf, len, what);
}


/* Forward reply m statelessly after its route (unless the route did
 * already, with sl_forward_reply() or forward_reply()). */
static void forward_reply(wk *k, rt_msg *m)
{
	if (k->w.sent_replies == 0)
		rt_worker_forward_reply(&k->w, m, 0, NULL, 0);
}

/* Route one parsed message in worker k. */
static void route_msg(wk *k, rt_msg *m)
{
	srv *s = k->s;
	if (__atomic_load_n(&s->gen, __ATOMIC_RELAXED) != k->gen)
		worker_take_prog(k);
	if (rt_msg_check(m) < 0) {
		bad_message(m, &m->src, m->buf, m->len, "dropped");
		return;
	}
	rt_stats_received(m);
	/* our Via names the socket the message came on */
	if (m->lsock >= 0 && m->lsock < s->nsocks)
		k->w.self = s->socks[m->lsock].addr;
	const vm_loaded *lp = k->ref->lp;
	uint32_t type;
	int rt = rt_worker_route_for(lp, m, &type);
	int how = VM_END_RETURN;
	k->w.sent_replies = 0;
	k->w.sent_requests = 0;
	if (m->is_http && rt >= 0 && s->o->http_accepts && !s->o->http_accepts(lp, m))
		rt = -1;
	if (rt >= 0)
		rt_worker_run(&k->w, m, rt, type, &how);
	if (!m->is_request && !m->is_http && how != VM_END_DROP)
		forward_reply(k, m);
	else if (!m->is_request && !m->is_http)
		rt_stat_inc(RT_ST_DROP_REPLIES);
}

/* The event_route[core:worker-one-init] of the first worker. */
static void worker_one_init(wk *k)
{
	int rt = vm_loaded_route(k->ref->lp, VM_RT_EVENT, "core:worker-one-init");
	if (rt >= 0) {
		int how;
		rt_worker_run(&k->w, NULL, rt, VM_RT_EVENT, &how);
	}
}

/* -------------------------------------------------------------- UDP worker */

/* Receive a batch on UDP socket sk into k's vectors (after the caller
 * reset them); the number of datagrams, 0 when none (timeout, stop).
 *
 * One worker at a time is the socket's receiver: it holds sk->rx_mu (see
 * udp_worker, which keeps it across batches while it keeps up, so the
 * other workers sleep on the mutex and are not woken for nothing). When
 * datagrams come less than BUSY_GAP_NS apart, the receiver sleeps
 * `udp_coalesce` µs before a non-blocking receive, so that one wake-up
 * fetches everything that arrived meanwhile instead of one wake-up per
 * datagram (on this kind of machine a wake-up costs more CPU than routing
 * an OPTIONS); when such a receive finds nothing, it goes back to
 * blocking. The cost is latency: at most udp_coalesce µs, only under
 * load. Call with sk->rx_mu held. */
#define BUSY_GAP_NS 2000000
static int udp_receive(wk *k, sock_t *sk)
{
	srv *s = k->s;
	int n;
	if (sk->busy && s->coalesce_us > 0) {
		if (!sk->full) {
			struct timespec ts = { 0, (long)s->coalesce_us * 1000 };
			nanosleep(&ts, NULL);
		}
		n = recvmmsg(sk->fd, k->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			sk->busy = 0;
	} else {
		n = recvmmsg(sk->fd, k->rmsg, UDP_BATCH, MSG_WAITFORONE, NULL);
		if (n > 0) {
			int64_t t = now_ns();
			if (t - sk->last_rx < BUSY_GAP_NS)
				sk->busy = 1;
			sk->last_rx = t;
		}
	}
	sk->full = n == UDP_BATCH;
	return n < 0 ? 0 : n;
}

static void *udp_worker(void *arg)
{
	wk *k = arg;
	srv *s = k->s;
	rt_stats_thread_attach();
	if (k->idx == 0)
		worker_one_init(k);
	for (int i = 0; i < UDP_BATCH; i++) {
		k->riov[i].iov_base = k->rbuf + (size_t)i * (RT_MSG_MAX_LEN + 1);
		k->riov[i].iov_len = RT_MSG_MAX_LEN + 1;
	}
	k->batching = 1;
	sock_t *sk = &s->socks[k->sock];
	int holding = 0;           /* this worker is the socket's receiver */
	int slow = 0;              /* its last batch took over a millisecond */
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		if (!holding) {
			pthread_mutex_lock(&sk->rx_mu);
			holding = 1;
			if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
				break;
		}
		for (int i = 0; i < UDP_BATCH; i++) {
			memset(&k->rmsg[i].msg_hdr, 0, sizeof(k->rmsg[i].msg_hdr));
			k->rmsg[i].msg_hdr.msg_name = &k->rsa[i];
			k->rmsg[i].msg_hdr.msg_namelen = sizeof(k->rsa[i]);
			k->rmsg[i].msg_hdr.msg_iov = &k->riov[i];
			k->rmsg[i].msg_hdr.msg_iovlen = 1;
		}
		int n = udp_receive(k, sk);
		if (n <= 0) {
			if (__atomic_load_n(&s->gen, __ATOMIC_RELAXED) != k->gen)
				worker_take_prog(k);
			continue;
		}
		/* a full batch (a backlog) or slow routes: another worker takes
		 * over receiving while this one routes; otherwise this one stays
		 * the receiver and the others are not woken */
		if (n == UDP_BATCH || slow) {
			pthread_mutex_unlock(&sk->rx_mu);
			holding = 0;
		}
		int64_t t0 = now_ns();
		for (int i = 0; i < n; i++) {
			rt_msg *m = k->m;
			size_t len = k->rmsg[i].msg_len;
			char *buf = k->riov[i].iov_base;
			if (len > RT_MSG_MAX_LEN || (k->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC)) {
				slog(VM_L_DBG, "UDP datagram over %u bytes: dropped", RT_MSG_MAX_LEN);
				continue;
			}
			/* keep-alives: a few blank bytes */
			size_t blank = 0;
			while (blank < len && blank < 4 && (buf[blank] == '\r' ||
					buf[blank] == '\n' || buf[blank] == ' ' || buf[blank] == '\t'))
				blank++;
			if (blank == len)
				continue;
			sa_to_addr(&k->rsa[i], RT_PROTO_UDP, &m->src);
			m->rcv = s->socks[k->sock].addr;
			m->conn = -1;
			m->lsock = k->sock;
			if (rt_msg_parse(buf, len, m) < 0) {
				bad_message(m, &m->src, buf, len, "dropped");
				continue;
			}
			route_msg(k, m);
			rt_msg_clear(m);
		}
		udp_flush(k);
		slow = now_ns() - t0 > 1000000;
	}
	if (holding)
		pthread_mutex_unlock(&sk->rx_mu);
	rt_buf_spare_release();
	return NULL;
}

/* -------------------------------------------------------------- TCP worker */

static void tcp_accept(wk *k, int si)
{
	srv *s = k->s;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(s->socks[si].fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			return;
		tcp_tune(fd);
		rt_addr peer, local = s->socks[si].addr;
		sa_to_addr(&ss, RT_PROTO_TCP, &peer);
		struct sockaddr_storage ls;
		socklen_t ll = sizeof(ls);
		if (getsockname(fd, (struct sockaddr *)&ls, &ll) == 0)
			sa_to_addr(&ls, RT_PROTO_TCP, &local);
		conn *c = conn_new(s, fd, k->tidx, si, &peer, &local);
		if (!c) {
			slog(VM_L_WARN, "tcp_max_connections (%d) reached: connection from %s:%u refused",
					s->max_conns, peer.ip, peer.port);
			rt_stat_inc(RT_ST_TCP_LOCAL_REJECT);
			close(fd);
			continue;
		}
		rt_stat_inc(RT_ST_TCP_PASSIVE_OPEN);
		rt_stat_inc(RT_ST_TCP_ESTABLISHED);
		if (conn_watch(s, c) < 0)
			conn_close(k, c);
	}
}

/* Route every whole message buffered on c. 0, or -1 when c must close. */
static int tcp_frames(wk *k, conn *c)
{
	srv *s = k->s;
	unsigned flags = s->accept_no_cl ? RT_FRAME_NO_CL : 0;
	int closing = 0;           /* a reply with set_reply_close() went out */
	while (c->len) {
		size_t mlen = 0;
		const char *why = NULL;
		int v = rt_frame(c->buf, c->len, flags, &c->scan, &mlen, &why);
		if (v == RT_FRAME_MORE)
			return 0;
		if (v == RT_FRAME_BAD) {
			bad_bytes(0, why, 0, &c->peer, c->buf, c->len, "connection closed");
			return -1;
		}
		if (v == RT_FRAME_PING)
			conn_write(s, c, "\r\n", 2);
		if (v == RT_FRAME_MSG) {
			rt_msg *m = k->m;
			m->src = c->peer;
			m->rcv = c->local;
			m->conn = conn_id(s, c);
			m->lsock = c->lsock;
			if (rt_msg_parse(c->buf, mlen, m) < 0) {
				/* refused, and the connection closed (as Kamailio) */
				bad_message(m, &c->peer, c->buf, mlen, "connection closed");
				return -1;
			} else {
				route_msg(k, m);
				int http = m->is_http;
				uint32_t sf = m->send_flags;
				unsigned sent = k->w.sent_replies;
				rt_msg_clear(m);
				if ((sf & RT_SEND_REPLY_CLOSE) && sent && !closing) {
					/* the connection closes; what is already buffered
					 * still runs (its replies fail), as in Kamailio */
					closing = 1;
					pthread_mutex_lock(&c->wmu);
					c->dead = 1;
					pthread_mutex_unlock(&c->wmu);
				}
				if (http && !sent) {
					int t = s->lifetime < HTTP_NOREPLY_MAX ? s->lifetime : HTTP_NOREPLY_MAX;
					c->deadline = now_s() + t;
				} else if (http) {
					c->deadline = 0;
				}
			}
		}
		if (c->dead && !closing)
			return -1;
		memmove(c->buf, c->buf + mlen, c->len - mlen);
		c->len -= mlen;
		c->scan = 0;
	}
	return closing ? -1 : 0;
}

static void tcp_readable(wk *k, conn *c)
{
	if (c->cap - c->len < 1024 && c->cap < RT_MSG_MAX_LEN + 1) {
		size_t nc = c->cap ? c->cap * 2 : TCP_BUF0;
		if (nc > RT_MSG_MAX_LEN + 1)
			nc = RT_MSG_MAX_LEN + 1;
		char *nb = realloc(c->buf, nc);
		if (!nb) {
			conn_close(k, c);
			return;
		}
		c->buf = nb;
		c->cap = nc;
	}
	if (c->len == c->cap) {
		/* a full buffer that does not frame: rt_frame said more */
		slog(VM_L_DBG, "TCP message from %s:%u over %u bytes: connection closed",
				c->peer.ip, c->peer.port, RT_MSG_MAX_LEN);
		conn_close(k, c);
		return;
	}
	ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (r < 0)
			rt_stat_inc(RT_ST_TCP_CON_RESET);
		conn_close(k, c);
		return;
	}
	c->len += (size_t)r;
	c->last = now_s();
	if (tcp_frames(k, c) < 0)
		conn_close(k, c);
}

/* Once a second: close the owner's idle connections and those holding an
 * HTTP request no route answered in time. */
static void tcp_sweep(wk *k)
{
	srv *s = k->s;
	time_t t = now_s();
	for (int i = 0; i < s->max_conns; i++) {
		conn *c = &s->conns[i];
		if (c->fd < 0 || c->owner != k->tidx)
			continue;
		if (c->dead || (c->deadline && t >= c->deadline)) {
			conn_close(k, c);
		} else if (t - c->last >= s->lifetime) {
			rt_stat_inc(RT_ST_TCP_CON_TIMEOUT);
			conn_close(k, c);
		}
	}
}

static void *tcp_worker(void *arg)
{
	wk *k = arg;
	srv *s = k->s;
	struct epoll_event evs[64];
	rt_stats_thread_attach();
	if (k->idx == 0)
		worker_one_init(k);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		int n = epoll_wait(k->ep, evs, 64, 1000);
		for (int i = 0; i < n; i++) {
			uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t idx = (uint32_t)evs[i].data.u64;
			if (kind == 0) {
				tcp_accept(k, (int)idx);
			} else if (kind == 1) {
				conn *c = &s->conns[idx];
				if (c->fd < 0)
					continue;
				if (c->dead)
					conn_close(k, c);
				else
					tcp_readable(k, c);
			} else if (kind == 3) {
				uint64_t x;
				if (read(k->tfd, &x, sizeof(x)) < 0) {
					/* nothing to do: the next tick comes anyway */
				}
				tcp_sweep(k);
				if (__atomic_load_n(&s->gen, __ATOMIC_RELAXED) != k->gen)
					worker_take_prog(k);
			}
			/* kind 2: the stop eventfd; the loop test sees it */
		}
	}
	/* close what this worker owns */
	for (int i = 0; i < s->max_conns; i++)
		if (s->conns[i].fd >= 0 && s->conns[i].owner == k->tidx)
			conn_close(k, &s->conns[i]);
	rt_buf_spare_release();
	return NULL;
}

/* ------------------------------------------------------------------ setup */

static int worker_setup(srv *s, wk *k)
{
	k->s = s;
	k->ep = k->evfd = k->tfd = -1;
	k->m = malloc(sizeof(rt_msg));
	if (!k->m)
		return -1;
	memset(k->m, 0, offsetof(rt_msg, hdrs));
	if (worker_take_prog(k) < 0)
		return -1;
	if (!k->tcp) {
		k->rbuf = malloc((size_t)UDP_BATCH * (RT_MSG_MAX_LEN + 1));
		k->sbuf = malloc(UDP_SEND_ARENA);
		return k->rbuf && k->sbuf ? 0 : -1;
	}
	k->ep = epoll_create1(EPOLL_CLOEXEC);
	k->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	k->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (k->ep < 0 || k->evfd < 0 || k->tfd < 0)
		return -1;
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	timerfd_settime(k->tfd, 0, &its, NULL);
	struct epoll_event ev = { .events = EPOLLIN };
	ev.data.u64 = (uint64_t)2 << 32;
	epoll_ctl(k->ep, EPOLL_CTL_ADD, k->evfd, &ev);
	ev.data.u64 = (uint64_t)3 << 32;
	epoll_ctl(k->ep, EPOLL_CTL_ADD, k->tfd, &ev);
	for (int i = 0; i < s->nsocks; i++) {
		if (s->socks[i].proto != RT_PROTO_TCP)
			continue;
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = (uint64_t)(unsigned)i;
		if (epoll_ctl(k->ep, EPOLL_CTL_ADD, s->socks[i].fd, &ev) < 0)
			return -1;
	}
	return 0;
}

static void worker_free(wk *k)
{
	if (k->ref) {
		rt_worker_free(&k->w);
		k->ref->refs--;
	}
	free(k->m);
	free(k->rbuf);
	free(k->sbuf);
	if (k->ep >= 0)
		close(k->ep);
	if (k->evfd >= 0)
		close(k->evfd);
	if (k->tfd >= 0)
		close(k->tfd);
}

/* Load a new program (SIGHUP): publish it, or keep the old one. */
static void reload(srv *s)
{
	slog(VM_L_NOTICE, "SIGHUP: reloading the configuration");
	vm_loaded *lp = s->o->load(s->o->load_ud);
	if (!lp) {
		slog(VM_L_ERR, "reload failed: the running configuration stays");
		return;
	}
	prog_ref *r = calloc(1, sizeof(*r));
	if (!r) {
		vm_unload(lp);
		slog(VM_L_ERR, "reload failed: out of memory");
		return;
	}
	r->lp = lp;
	r->refs = 1;
	pthread_mutex_lock(&s->mu);
	prog_ref *old = s->cur;
	r->next = s->progs;
	s->progs = r;
	s->cur = r;
	__atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->mu);
	prog_release(s, old);     /* the reference of "current" */
	slog(VM_L_NOTICE, "reloaded: workers take the new configuration before their next message");
}

int rt_server_run(const rt_server_opts *o)
{
	srv S, *s = &S;
	int status = 1;
	memset(s, 0, sizeof(*s));
	s->o = o;
	pthread_mutex_init(&s->mu, NULL);
	g_srv = NULL;

	/* signals: blocked in every thread, taken by the main one */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	vm_loaded *lp = o->load(o->load_ud);
	if (!lp)
		return 1;
	s->cur = calloc(1, sizeof(*s->cur));
	if (!s->cur) {
		vm_unload(lp);
		return 1;
	}
	s->cur->lp = lp;
	s->cur->refs = 1;
	s->progs = s->cur;

	s->log_level = setting_int(lp, "debug", 2);
	if (o->log_level > s->log_level)
		s->log_level = o->log_level;
	if (log_setup(s, lp, o) < 0) {
		vm_unload(lp);
		free(s->cur);
		return 1;
	}
	g_srv = s;
	int children = o->children > 0 ? o->children : setting_int(lp, "children", DFLT_CHILDREN);
	int tcp_children = setting_int(lp, "tcp_children", children);
	if (o->children > 0)
		tcp_children = o->children;
	if (children < 1)
		children = 1;
	if (tcp_children < 1)
		tcp_children = 1;
	s->coalesce_us = o->udp_coalesce_us < 0 ? DFLT_UDP_COALESCE : o->udp_coalesce_us;
	if (s->coalesce_us > 100000)
		s->coalesce_us = 100000;
	s->accept_no_cl = setting_int(lp, "tcp_accept_no_cl", 0);
	s->lifetime = setting_int(lp, "tcp_connection_lifetime", DFLT_TCP_LIFETIME);
	if (s->lifetime < 1)
		s->lifetime = DFLT_TCP_LIFETIME;
	s->max_conns = setting_int(lp, "tcp_max_connections", DFLT_TCP_MAX_CONNS);
	if (s->max_conns < 1 || s->max_conns > 65535)
		s->max_conns = DFLT_TCP_MAX_CONNS;
	s->send_timeout = setting_int(lp, "tcp_send_timeout", DFLT_TCP_SEND_TIMEOUT);
	if (s->send_timeout < 1)
		s->send_timeout = DFLT_TCP_SEND_TIMEOUT;
	s->connect_timeout = setting_int(lp, "tcp_connect_timeout", DFLT_TCP_CONNECT_TIMEOUT);
	if (s->connect_timeout < 1)
		s->connect_timeout = DFLT_TCP_CONNECT_TIMEOUT;
	int disable_tcp = setting_int(lp, "disable_tcp", 0);
	int shm_mb = setting_int(lp, "shm", setting_int(lp, "shm_mem", 64));
	rt_stats_set_shm_size(o->shm_size ? o->shm_size : (size_t)(shm_mb > 0 ? shm_mb : 64) << 20);
	/* the Server line of local replies: server_header, or sipvm's own;
	 * none with server_signature=no */
	const vm_const *sh = vm_loaded_setting(lp, "", "server_header", 0);
	if (!setting_int(lp, "server_signature", 1))
		s->server_hdr[0] = '\0';
	else if (sh && sh->kind == VM_STR && sh->len < sizeof(s->server_hdr))
		snprintf(s->server_hdr, sizeof(s->server_hdr), "%s", sh->s);
	else
		snprintf(s->server_hdr, sizeof(s->server_hdr), "Server: sipvm (%s)", RT_SERVER_SIGNATURE);

	/* sockets */
	int dport = setting_int(lp, "port", 5060);
	if (o->nlisten) {
		for (int i = 0; i < o->nlisten; i++)
			if (listen_parse(s, o->listen[i], strlen(o->listen[i]), dport) < 0) {
				slog(VM_L_ERR, "bad listen address '%s'", o->listen[i]);
				goto out;
			}
	} else {
		const vm_const *k;
		for (unsigned n = 0; (k = vm_loaded_setting(lp, "", "listen", n)) != NULL; n++)
			if (k->kind == VM_STR && listen_parse(s, k->s, k->len, dport) < 0) {
				slog(VM_L_ERR, "bad listen address '%s'", k->s);
				goto out;
			}
		if (s->nsocks == 0) {
			char any[32];
			snprintf(any, sizeof(any), "0.0.0.0:%d", dport);
			listen_parse(s, any, strlen(any), dport);
		}
	}
	if (disable_tcp) {
		int j = 0;
		for (int i = 0; i < s->nsocks; i++)
			if (s->socks[i].proto != RT_PROTO_TCP)
				s->socks[j++] = s->socks[i];
		s->nsocks = j;
	}
	for (int i = 0; i < s->nsocks; i++) {
		if (sock_open(&s->socks[i]) < 0)
			goto out;
		s->bound[i] = s->socks[i].addr;
	}
	int nudp = 0;
	for (int i = 0; i < s->nsocks; i++)
		nudp += s->socks[i].proto == RT_PROTO_UDP;
	s->ntcp = nudp == s->nsocks ? 0 : tcp_children;
	s->nw = nudp * children + s->ntcp;
	if (s->nw > MAX_WORKERS) {
		slog(VM_L_ERR, "%d workers asked for: at most %d", s->nw, MAX_WORKERS);
		goto out;
	}
	s->conns = calloc((size_t)s->max_conns, sizeof(conn));
	s->w = calloc((size_t)s->nw, sizeof(wk));
	if (!s->conns || !s->w) {
		slog(VM_L_ERR, "out of memory");
		goto out;
	}
	for (int i = 0; i < s->max_conns; i++) {
		s->conns[i].fd = -1;
		pthread_mutex_init(&s->conns[i].wmu, NULL);
	}
	/* workers: UDP ones socket by socket, then the TCP ones */
	int wi = 0;
	for (int i = 0; i < s->nsocks; i++) {
		if (s->socks[i].proto != RT_PROTO_UDP)
			continue;
		for (int c = 0; c < children; c++) {
			s->w[wi].idx = wi;
			s->w[wi].sock = i;
			wi++;
		}
	}
	s->first_tcp = wi;
	for (int t = 0; t < s->ntcp; t++, wi++) {
		s->w[wi].idx = wi;
		s->w[wi].tcp = 1;
		s->w[wi].tidx = t;
	}
	for (int i = 0; i < s->nw; i++)
		if (worker_setup(s, &s->w[i]) < 0) {
			slog(VM_L_ERR, "cannot set up worker %d (out of memory?)", i);
			goto out;
		}
	for (int i = 0; i < s->nsocks; i++) {
		char where[80];
		rt_addr_format(&s->socks[i].addr, where, sizeof(where));
		fprintf(stderr, "sipvm: listening on %s\n", where);
	}
	for (int i = 0; i < s->nw; i++) {
		wk *k = &s->w[i];
		if (pthread_create(&k->th, NULL, k->tcp ? tcp_worker : udp_worker, k) != 0) {
			slog(VM_L_ERR, "cannot start worker %d", i);
			__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
			break;
		}
		k->started = 1;
	}
	if (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		fprintf(stderr, "sipvm: ready (%d UDP workers, %d TCP workers)\n",
				s->nw - s->ntcp, s->ntcp);
		status = 0;
	}
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		struct timespec ts = { 1, 0 };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			slog(VM_L_NOTICE, "%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (sig == SIGHUP)
			reload(s);
		rt_stats_tick();
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < s->nw; i++) {
		wk *k = &s->w[i];
		if (k->evfd >= 0) {
			uint64_t one = 1;
			if (write(k->evfd, &one, sizeof(one)) < 0) {
				/* the worker's 1 s tick sees the stop anyway */
			}
		}
	}
	for (int i = 0; i < s->nw; i++)
		if (s->w[i].started)
			pthread_join(s->w[i].th, NULL);
out:
	if (s->w)
		for (int i = 0; i < s->nw; i++)
			worker_free(&s->w[i]);
	for (int i = 0; i < s->nsocks; i++)
		if (s->socks[i].fd >= 0)
			close(s->socks[i].fd);
	if (s->conns) {
		for (int i = 0; i < s->max_conns; i++) {
			if (s->conns[i].fd >= 0)
				close(s->conns[i].fd);
			free(s->conns[i].buf);
			pthread_mutex_destroy(&s->conns[i].wmu);
		}
	}
	free(s->conns);
	free(s->w);
	while (s->progs) {
		prog_ref *r = s->progs;
		s->progs = r->next;
		vm_unload(r->lp);
		free(r);
	}
	g_srv = NULL;
	if (status == 0)
		fprintf(stderr, "sipvm: stopped\n");
	return status;
}
