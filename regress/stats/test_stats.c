/*
 * test_stats.c — statistics (runtime/rt_stats.c) and the modules over them
 * (TAP): the core's ids and names, counting from several threads with and
 * without a block of their own (sums exact after join), names found with
 * and without their group, the usrloc '-'/'_' rule (exact names), reset,
 * no_reset and computed statistics, what rt_stats_received counts for
 * requests and replies (Kamailio 5.6.3's kex), the shmem figures following
 * a 10 MB allocation and a thread arena's, and through real configs:
 * visibility by loaded module (no core/shmem without kex), statistics'
 * `variable` kept across a reload, its load-time errors, and $stat.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgc.h"
#include "../../runtime/rt.h"
#include "../../stdlib/mod.h"
#include "../tap.h"

/* ------------------------------------------------------------ names */

static void test_core_names(void)
{
	ok(!strcmp(rt_stats_name(RT_ST_RCV_REQUESTS), "rcv_requests") &&
			!strcmp(rt_stats_group(RT_ST_RCV_REQUESTS), "core"),
			"RT_ST_RCV_REQUESTS is core:rcv_requests");
	ok(!strcmp(rt_stats_name(RT_ST_BAD_URIS_RCVD), "bad_URIs_rcvd") &&
			!strcmp(rt_stats_name(RT_ST_BAD_MSG_HDR), "bad_msg_hdr"),
			"core names keep 5.6.3's spelling (bad_URIs_rcvd, bad_msg_hdr)");
	ok(!strcmp(rt_stats_group(RT_ST_TCP_ESTABLISHED), "tcp") &&
			!strcmp(rt_stats_name(RT_ST_TCP_CUR_OPENED), "current_opened_connections") &&
			!strcmp(rt_stats_name(RT_ST_TCP_CUR_WRQ), "current_write_queue_size"),
			"tcp group: established ... current_write_queue_size");
	ok(!strcmp(rt_stats_group(RT_ST_DNS_SLOW), "dns") &&
			!strcmp(rt_stats_name(RT_ST_DNS_FAILED), "failed_dns_request"),
			"dns group: failed_dns_request, slow_dns_request");
	ok(rt_stats_find(NULL, "rcv_replies_4xx_reg", 19, RT_STATS_BY_NAME) >= 0 &&
			rt_stats_find(NULL, "rcv_replies_6xx_update", 22, RT_STATS_BY_NAME) >= 0 &&
			rt_stats_find(NULL, "rcv_requests_publish", 20, RT_STATS_BY_NAME) >= 0 &&
			rt_stats_find(NULL, "rcv_replies_4xx_register", 24, RT_STATS_BY_NAME) < 0,
			"per-method names as 5.6.3 (reg, not register, for replies)");
	ok(rt_stats_name(-1) == NULL && rt_stats_name(RT_STATS_MAX) == NULL &&
			rt_stats_get(RT_STATS_MAX + 5) == 0 && rt_stats_reset(-3) == -1,
			"bad ids are refused");
}

static int find(const char *name, unsigned how)
{
	return rt_stats_find(NULL, name, strlen(name), how);
}

static void test_register_find(void)
{
	int a = rt_stats_register("test", "hits", NULL, 0);
	ok(a >= RT_ST__CORE, "a new counter gets an id after the core's (%d)", a);
	ok(rt_stats_register("test", "hits", NULL, 0) == a, "registering it again gives the same id");
	ok(rt_stats_register("te:st", "x", NULL, 0) < 0 && rt_stats_register("", "x", NULL, 0) < 0 &&
			rt_stats_register("test", "", NULL, 0) < 0 &&
			rt_stats_register("test", NULL, NULL, 0) < 0,
			"bad groups and names are refused");
	ok(rt_stats_register_fn("test", "hits", NULL, NULL, NULL) < 0,
			"a computed statistic without a getter is refused");
	ok(find("hits", RT_STATS_BY_NAME) == a, "found by name");
	ok(find("test:hits", RT_STATS_BY_NAME) < 0,
			"\"test:hits\" is not a name ($stat(shmem:used_size) gives null in 5.6.3)");
	ok(find("test:hits", RT_STATS_BY_GROUP) == a, "but is found as group:name when asked");
	ok(find("test:nope", RT_STATS_BY_GROUP) < 0 && find("other:hits", RT_STATS_BY_GROUP) < 0,
			"an unknown name or group is not found");
	int b = rt_stats_register("other", "hits", NULL, 0);
	ok(b > a && find("hits", RT_STATS_BY_NAME) == b && find("test:hits", RT_STATS_BY_GROUP) == a,
			"two groups with one name: the name finds the latest registered, as 5.6.3");
	int u = rt_stats_register("usrloc", "location_users", "usrloc", 0);
	ok(u >= 0 && find("location_users", RT_STATS_BY_NAME) == u &&
			find("location-users", RT_STATS_BY_NAME) < 0,
			"names are exact: location-users does not find location_users (5.6.3)");
	ok(rt_stats_register_fn("test", "hits", NULL, (rt_stat_fn)NULL, NULL) < 0 &&
			rt_stats_name_sep(NULL) == '_', "the default name separator is '_'");
}

/* ------------------------------------------------------------ threads */

#define NTHREADS 4
#define PER_THREAD 1000000

static int cnt_id;
static pthread_barrier_t bar;

static void *counter_thread(void *arg)
{
	int attach = (int)(intptr_t)arg;
	if (attach)
		rt_stats_thread_attach();
	pthread_barrier_wait(&bar);
	for (int i = 0; i < PER_THREAD; i++)
		rt_stat_inc(cnt_id);
	return NULL;       /* the block is folded in when the thread ends */
}

static volatile int reader_stop;
static int reader_monotonic = 1;
static long reader_reads;

static void *reader_thread(void *arg)
{
	int64_t last = 0;
	(void)arg;
	while (!reader_stop) {
		int64_t v = rt_stats_get(cnt_id);
		if (v < last)
			reader_monotonic = 0;
		last = v;
		reader_reads++;
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[NTHREADS + 1], r;

	cnt_id = rt_stats_register("test", "threads", NULL, 0);
	pthread_barrier_init(&bar, NULL, NTHREADS + 1);
	pthread_create(&r, NULL, reader_thread, NULL);
	/* three with a block, one without (atomic adds), and the main thread
	 * without one too */
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, counter_thread, (void *)(intptr_t)(i != 0));
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 1000; i++)
		rt_stat_add(cnt_id, 2);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	reader_stop = 1;
	pthread_join(r, NULL);
	ok(rt_stats_get(cnt_id) == (int64_t)NTHREADS * PER_THREAD + 2000,
			"%d threads x %d increments + 1000 x 2 from main: %lld after join",
			NTHREADS, PER_THREAD, (long long)rt_stats_get(cnt_id));
	ok(reader_monotonic && reader_reads > 0,
			"a reader summing meanwhile never saw the count go back (%ld reads)", reader_reads);
	pthread_barrier_destroy(&bar);
}

static pthread_barrier_t b2;

static void *reset_thread(void *arg)
{
	(void)arg;
	rt_stats_thread_attach();
	rt_stat_add(cnt_id, 5);
	pthread_barrier_wait(&b2);     /* main reads 5, resets */
	pthread_barrier_wait(&b2);
	rt_stat_add(cnt_id, 3);
	pthread_barrier_wait(&b2);     /* main reads 3 */
	pthread_barrier_wait(&b2);
	rt_stats_thread_detach();
	rt_stat_add(cnt_id, 1);        /* no block any more: an atomic add */
	return NULL;
}

static void test_reset(void)
{
	pthread_t t;
	int64_t v1, v2;

	cnt_id = rt_stats_register("test", "resets", NULL, 0);
	pthread_barrier_init(&b2, NULL, 2);
	pthread_create(&t, NULL, reset_thread, NULL);
	pthread_barrier_wait(&b2);
	v1 = rt_stats_get(cnt_id);
	ok(rt_stats_reset(cnt_id) == 0 && rt_stats_get(cnt_id) == 0,
			"reset zeroes a counter a worker's block holds (%lld before)", (long long)v1);
	pthread_barrier_wait(&b2);
	pthread_barrier_wait(&b2);
	v2 = rt_stats_get(cnt_id);
	ok(v1 == 5 && v2 == 3, "what the worker adds after the reset counts: %lld", (long long)v2);
	pthread_barrier_wait(&b2);
	pthread_join(t, NULL);
	ok(rt_stats_get(cnt_id) == 4, "a detached thread's counts stay: %lld",
			(long long)rt_stats_get(cnt_id));
	pthread_barrier_destroy(&b2);

	int nr = rt_stats_register("test", "keep", NULL, RT_STF_NO_RESET);
	rt_stat_add(nr, 7);
	ok(rt_stats_reset(nr) == 1 && rt_stats_get(nr) == 7, "a no_reset counter keeps its value");
	ok(rt_stats_register("test", "keep", NULL, 0) == nr && rt_stats_reset(nr) == 0 &&
			rt_stats_get(nr) == 0, "registered again without the flag, it resets");
	rt_stat_add(nr, -3);
	ok(rt_stats_get(nr) == -3, "update by a negative number goes below 0");
	int used = find("used_size", RT_STATS_BY_NAME);
	ok(used >= 0 && rt_stats_reset(used) == 1, "a computed statistic cannot be reset");
	ok(rt_stats_register("shmem", "used_size", "kex", 0) < 0,
			"a computed statistic cannot be registered again as a counter");
}

/* ------------------------------------------------------------ received */

static int64_t val(const char *name)
{
	return rt_stats_get(find(name, RT_STATS_BY_NAME));
}

static void receive(const char *text)
{
	static char buf[2048];
	rt_msg m;
	size_t n = 0;

	for (const char *p = text; *p && n + 2 < sizeof(buf); p++) {
		if (*p == '\n')
			buf[n++] = '\r';
		buf[n++] = *p;
	}
	memset(&m, 0, sizeof(m));
	if (rt_msg_parse(buf, n, &m) < 0) {
		printf("Bail out! rt_msg_parse: %s\n", m.error);
		exit(1);
	}
	rt_stats_received(&m);
	rt_msg_clear(&m);
}

#define REQ(m) m " sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1\n" \
	"From: <sip:x@y>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 " m "\nContent-Length: 0\n\n"
#define RPL(code, m) "SIP/2.0 " code " X\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1\n" \
	"From: <sip:x@y>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: c\nCSeq: 1 " m "\nContent-Length: 0\n\n"

static void test_received(void)
{
	int64_t r0 = val("rcv_requests"), o0 = val("rcv_requests_options"),
		u0 = val("unsupported_methods"), a0 = val("rcv_requests_ack"),
		p0 = val("rcv_replies"), c1 = val("rcv_replies_1xx"), c18 = val("rcv_replies_18x"),
		i1 = val("rcv_replies_1xx_invite"), c4 = val("rcv_replies_4xx"),
		r401 = val("rcv_replies_401"), reg4 = val("rcv_replies_4xx_reg"),
		c2 = val("rcv_replies_2xx"), b2x = val("rcv_replies_2xx_bye"),
		c6 = val("rcv_replies_6xx"), m6 = val("rcv_replies_6xx_message"),
		i2 = val("rcv_replies_2xx_invite");

	receive(REQ("OPTIONS"));
	receive(REQ("ACK"));
	receive(REQ("FOO"));
	receive(REQ("KDMQ"));
	receive("GET /stats HTTP/1.1\nHost: x\n\n");
	ok(val("rcv_requests") == r0 + 5, "5 requests (HTTP included) count in rcv_requests");
	ok(val("rcv_requests_options") == o0 + 1 && val("rcv_requests_ack") == a0 + 1,
			"OPTIONS and ACK in rcv_requests_options/_ack");
	ok(val("unsupported_methods") == u0 + 1,
			"an unknown method in unsupported_methods, not KDMQ nor HTTP's GET");
	receive(RPL("180", "INVITE"));
	receive(RPL("183", "INVITE"));
	receive(RPL("401", "REGISTER"));
	receive(RPL("200", "BYE"));
	receive(RPL("200", "OPTIONS"));
	receive(RPL("603", "MESSAGE"));
	receive(RPL("200", "invite"));
	ok(val("rcv_replies") == p0 + 7, "7 replies in rcv_replies");
	ok(val("rcv_replies_1xx") == c1 + 2 && val("rcv_replies_18x") == c18 + 2 &&
			val("rcv_replies_1xx_invite") == i1 + 2, "180, 183: 1xx, 18x, 1xx_invite");
	ok(val("rcv_replies_4xx") == c4 + 1 && val("rcv_replies_401") == r401 + 1 &&
			val("rcv_replies_4xx_reg") == reg4 + 1, "401 to REGISTER: 4xx, 401, 4xx_reg");
	ok(val("rcv_replies_2xx") == c2 + 3 && val("rcv_replies_2xx_bye") == b2x + 1 &&
			val("rcv_replies_2xx_invite") == i2 + 1,
			"200s: 2xx three times, 2xx_bye once, 2xx_invite for a lower-case CSeq method, "
			"none for OPTIONS");
	ok(val("rcv_replies_6xx") == c6 + 1 && val("rcv_replies_6xx_message") == m6 + 1,
			"603 to MESSAGE: 6xx, 6xx_message");
}

/* ------------------------------------------------------------ memory */

static int64_t mem(const char *name)
{
	return val(name);
}

#define SMALL_N 4000
#define SMALL_SZ 1000
static pthread_barrier_t b3;

static void *arena_thread(void *arg)
{
	char **p = malloc(SMALL_N * sizeof(*p));
	(void)arg;
	for (int i = 0; i < SMALL_N; i++) {
		p[i] = malloc(SMALL_SZ);
		memset(p[i], i, SMALL_SZ);
	}
	pthread_barrier_wait(&b3);     /* main measures */
	pthread_barrier_wait(&b3);
	for (int i = 0; i < SMALL_N; i++)
		free(p[i]);
	free(p);
	return NULL;
}

static void test_memory(void)
{
	int64_t u0 = mem("used_size"), r0 = mem("real_used_size");
	char *big = malloc(10u << 20);
	memset(big, 1, 10u << 20);
	/* keep the compiler from removing the malloc/free pair */
	__asm__ volatile("" : : "r"(big) : "memory");
	usleep(2000);    /* a thread samples the heap at most once a millisecond */
	int64_t u1 = mem("used_size"), r1 = mem("real_used_size"), f1 = mem("free_size"),
		t1 = mem("total_size"), m1 = mem("max_used_size");
	ok(u1 - u0 >= (10 << 20) && u1 - u0 < (11 << 20),
			"used_size grows by 10 MB with a 10 MB malloc: %lld -> %lld",
			(long long)u0, (long long)u1);
	ok(r1 >= u1 && r1 - r0 >= (10 << 20), "real_used_size >= used_size: %lld", (long long)r1);
	ok(t1 == 64 << 20 && f1 == t1 - r1, "total_size is 64 MB by default, free_size = total - real_used");
	ok(m1 >= r1, "max_used_size (%lld) >= real_used_size", (long long)m1);
#if defined(__SANITIZE_ADDRESS__)
	ok(mem("fragments") == 0, "fragments: 0 under ASan (its allocator does not count them)");
#else
	ok(mem("fragments") >= 1, "fragments: %lld", (long long)mem("fragments"));
#endif
	free(big);
	usleep(2000);
	int64_t u2 = mem("used_size");
	ok(u1 - u2 >= (10 << 20) && mem("max_used_size") >= m1,
			"after free used_size drops back (%lld), max_used_size stays", (long long)u2);
	rt_stats_set_shm_size(4096);
	ok(mem("total_size") == 4096 && mem("free_size") == 0,
			"a pool smaller than the heap: free_size is 0, never negative");
	rt_stats_set_shm_size((size_t)64 << 20);

	pthread_t t;
	pthread_barrier_init(&b3, NULL, 2);
	int64_t a0 = mem("used_size");
	pthread_create(&t, NULL, arena_thread, NULL);
	pthread_barrier_wait(&b3);
	int64_t a1 = mem("used_size");
	pthread_barrier_wait(&b3);
	pthread_join(t, NULL);
	ok(a1 - a0 >= SMALL_N * SMALL_SZ,
			"another thread's %d small blocks (its own arena) count: +%lld bytes",
			SMALL_N, (long long)(a1 - a0));
	pthread_barrier_destroy(&b3);
	rt_stats_tick();
	ok(mem("max_used_size") >= mem("real_used_size"), "rt_stats_tick keeps max_used_size up");
}

/* ------------------------------------------------------------ configs */

static char cfgpath[64];

/* Compile and load text as a config; NULL with err set when it does not
 * compile or load. */
static vm_loaded *load(const char *text, char *err, size_t errlen)
{
	cfgc_opts o = { .target = CFGC_TARGET_SIPVM };
	cfgc_ctx *ctx;
	vm_prog *p = NULL;
	vm_loaded *lp = NULL;
	FILE *f = fopen(cfgpath, "w");

	err[0] = '\0';
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	ctx = cfgc_ctx_new(&o);
	if (cfgc_compile(ctx, cfgpath, &p) < 0) {
		snprintf(err, errlen, "does not compile");
		cfgc_print_diags(ctx, stdout, 0);
		cfgc_ctx_free(ctx);
		return NULL;
	}
	cfgc_ctx_free(ctx);
	if (vm_load(p, vm_registry_sipvm(), &lp, err, errlen) < 0) {
		vm_prog_free(p);
		return NULL;
	}
	return lp;
}

#define HEAD "loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nloadmodule \"sl.so\"\n"
#define ROUTE "request_route {\n\texit;\n}\n"

/* $stat(name) read in a context of lp: its text, or "<null>". */
static const char *stat_pv(vm_loaded *lp, const char *name, int32_t *iv)
{
	static char out[64];
	char text[128], err[128];
	vm_pvspec *sp;
	vm_ctx c;
	vm_value v;

	snprintf(text, sizeof(text), "$stat(%s)", name);
	if (vm_ctx_init(&c, lp, 0) < 0 || vm_pv_parse(lp, text, strlen(text), &sp, err, sizeof(err)) < 0)
		return "?";
	c.log_level = VM_L_ALERT - 1;   /* keep the warnings quiet */
	if (vm_pv_get(&c, sp, &v) < 0)
		snprintf(out, sizeof(out), "error");
	else if (v.kind == VM_NULL)
		snprintf(out, sizeof(out), "<null>");
	else
		snprintf(out, sizeof(out), "%.*s", (int)v.len, v.s);
	if (iv)
		*iv = v.i;
	vm_pvspec_free(sp);
	vm_ctx_free(&c);
	return out;
}

/* The groups sipvm has, compared name for name with what Kamailio 5.6.3
 * listed for the same modules (kamailio-names.txt). */
static int sipvm_group(const char *g)
{
	static const char *const gs[] = { "core", "dns", "script", "shmem", "sl", "tcp" };
	for (size_t i = 0; i < sizeof(gs) / sizeof(gs[0]); i++)
		if (!strcmp(g, gs[i]))
			return 1;
	return 0;
}

static void names_as_kamailio(vm_loaded *lp)
{
	char path[512], line[256], mine[300];
	const char *src = __FILE__, *slash = strrchr(src, '/');
	int ids[RT_STATS_MAX];
	size_t n = rt_stats_list(lp, ids, RT_STATS_MAX), k = 0;
	int same = 1, lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%.*skamailio-names.txt", slash ? (int)(slash - src + 1) : 0, src);
	if (!(f = fopen(path, "r"))) {
		ok(0, "cannot open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !colon)
			continue;
		*colon = '\0';
		if (!sipvm_group(line))
			continue;
		*colon = ':';
		lines++;
		while (k < n && !sipvm_group(rt_stats_group(ids[k])))
			k++;
		if (k == n) {
			same = 0;
			printf("# sipvm lacks %s\n", line);
			continue;
		}
		snprintf(mine, sizeof(mine), "%s:%s", rt_stats_group(ids[k]), rt_stats_name(ids[k]));
		if (strcmp(mine, line)) {
			same = 0;
			printf("# Kamailio: %s, sipvm: %s\n", line, mine);
		}
		k++;
	}
	fclose(f);
	while (k < n && !sipvm_group(rt_stats_group(ids[k])))
		k++;
	if (k < n) {
		same = 0;
		printf("# sipvm has more: %s:%s\n", rt_stats_group(ids[k]), rt_stats_name(ids[k]));
	}
	ok(same && lines > 100, "the %d statistics of groups core, dns, script, shmem, sl and tcp "
			"are Kamailio 5.6.3's, in its order", lines);
}

static void test_configs(void)
{
	char err[256];
	vm_loaded *lp, *lp2;
	int32_t iv;

	snprintf(cfgpath, sizeof(cfgpath), "/tmp/test_stats.%d.cfg", (int)getpid());
	lp = load(HEAD "loadmodule \"statistics.so\"\n" ROUTE, err, sizeof(err));
	ok(lp != NULL, "a config without kex loads %s", err);
	if (lp) {
		ok(rt_stats_find(lp, "rcv_requests", 12, 0) < 0 && rt_stats_find(lp, "used_size", 9, 0) < 0,
				"without kex: no core and no shmem statistics");
		ok(rt_stats_find(lp, "established", 11, 0) >= 0 &&
				rt_stats_find(lp, "slow_dns_request", 16, 0) >= 0 &&
				rt_stats_find(lp, "200_replies", 11, 0) >= 0,
				"but tcp, dns and sl's are there");
		ok(!strcmp(stat_pv(lp, "rcv_requests", NULL), "<null>"),
				"$stat(rcv_requests) without kex is null (5.6.3)");
		size_t n = rt_stats_list(lp, NULL, 0);
		int ids[RT_STATS_MAX];
		rt_stats_list(lp, ids, RT_STATS_MAX);
		int sorted = 1, core = 0;
		for (size_t i = 1; i < n; i++) {
			int c = strcmp(rt_stats_group(ids[i - 1]), rt_stats_group(ids[i]));
			if (c > 0 || (c == 0 && strcmp(rt_stats_name(ids[i - 1]), rt_stats_name(ids[i])) > 0))
				sorted = 0;
			if (!strcmp(rt_stats_group(ids[i]), "core"))
				core = 1;
		}
		ok(sorted && !core && n > 30, "the list (%zu) is sorted by group and name, no core group", n);
		vm_unload(lp);
	}
	lp = load(HEAD "loadmodule \"kex.so\"\nloadmodule \"statistics.so\"\n"
			"modparam(\"statistics\", \"variable\", \"foo\")\n"
			"modparam(\"statistics\", \"variable\", \"bar/No_Reset\")\n" ROUTE, err, sizeof(err));
	ok(lp != NULL, "a config with kex and two variables loads %s", err);
	if (!lp)
		return;
	names_as_kamailio(lp);
	int foo = rt_stats_find(lp, "foo", 3, 0), bar = rt_stats_find(lp, "bar", 3, 0);
	ok(foo >= 0 && !strcmp(rt_stats_group(foo), "script") && bar >= 0,
			"variables are script:foo and script:bar");
	ok(rt_stats_find(lp, "rcv_requests", 12, 0) == RT_ST_RCV_REQUESTS &&
			rt_stats_find(lp, "used_size", 9, 0) >= 0, "with kex the core and shmem groups are visible");
	rt_stat_add(foo, 5);
	rt_stat_add(bar, 2);
	ok(rt_stats_reset(bar) == 1, "/no_reset (any case) makes bar non-resettable");
	lp2 = load(HEAD "loadmodule \"kex.so\"\nloadmodule \"statistics.so\"\n"
			"modparam(\"statistics\", \"variable\", \"foo\")\n"
			"modparam(\"statistics\", \"variable\", \"bar/no_reset\")\n" ROUTE, err, sizeof(err));
	ok(lp2 && rt_stats_find(lp2, "foo", 3, 0) == foo && rt_stats_get(foo) == 5,
			"a reloaded config gets the same statistic, value kept");
	ok(!strcmp(stat_pv(lp2, "foo", &iv), "5") && iv == 5, "$stat(foo) is 5");
	rt_stat_add(foo, -6);
	ok(!strcmp(stat_pv(lp2, "foo", &iv), "4294967295") && iv == -1,
			"$stat of -1 prints 4294967295 and its int is -1 (5.6.3)");
	ok(!strcmp(stat_pv(lp2, "shmem:used_size", NULL), "<null>") &&
			!strcmp(stat_pv(lp2, "$var(x)", NULL), "<null>"),
			"$stat(shmem:used_size) and $stat($var(x)) are null (5.6.3)");
	ok(strcmp(stat_pv(lp2, "used_size", NULL), "<null>") && atoll(stat_pv(lp2, "used_size", NULL)) > 0,
			"$stat(used_size) is %s", stat_pv(lp2, "used_size", NULL));
	if (lp2)
		vm_unload(lp2);
	vm_unload(lp);

	lp = load(HEAD "loadmodule \"statistics.so\"\n"
			"modparam(\"statistics\", \"variable\", \"foo\")\n"
			"modparam(\"statistics\", \"variable\", \"foo\")\n" ROUTE, err, sizeof(err));
	ok(!lp && strstr(err, "script.foo already registered"), "a variable declared twice: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\n"
			"modparam(\"statistics\", \"variable\", \"x/bogus\")\n" ROUTE, err, sizeof(err));
	ok(!lp && strstr(err, "unsupported flag <bogus>"), "an unknown flag: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\n"
			"modparam(\"statistics\", \"variable\", \"\")\n" ROUTE, err, sizeof(err));
	ok(!lp && strstr(err, "empty"), "an empty name: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\nrequest_route {\n\tupdate_stat(\"nope\", \"1\");\n}\n",
			err, sizeof(err));
	ok(!lp && strstr(err, "variable <nope> not defined"), "update_stat of an unknown name: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\nrequest_route {\n\treset_stat(\"rcv_requests\");\n}\n",
			err, sizeof(err));
	ok(!lp && strstr(err, "variable <rcv_requests> not defined"),
			"reset_stat(rcv_requests) without kex: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\nmodparam(\"statistics\", \"variable\", \"foo\")\n"
			"request_route {\n\tupdate_stat(\"foo\", \"0\");\n}\n", err, sizeof(err));
	ok(!lp && strstr(err, "update with 0 has no sense"), "update by 0: %s", err);
	lp = load(HEAD "loadmodule \"statistics.so\"\nmodparam(\"statistics\", \"variable\", \"foo\")\n"
			"request_route {\n\tupdate_stat(\"foo\", \"+7\");\n\tupdate_stat(\"$var(n)\", \"$var(v)\");\n}\n",
			err, sizeof(err));
	ok(lp != NULL, "update_stat with a name or a number from PVs loads %s", err);
	if (lp)
		vm_unload(lp);
	unlink(cfgpath);
}

int main(void)
{
	test_core_names();
	test_register_find();
	test_threads();
	test_reset();
	test_received();
	test_memory();
	test_configs();
	return tap_done();
}
