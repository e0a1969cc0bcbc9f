/*
 * rt_stats.c — statistics: Kamailio's named counters ("group:name", read
 * by $stat(name), update_stat(), the statistics listings).
 *
 * Counting costs no lock and no atomic read-modify-write. Every worker
 * thread owns a block of RT_STATS_MAX counters (rt_stats_thread_attach)
 * and adds to its own slot with a relaxed load and a relaxed store: only
 * that thread writes it, so nothing is lost, and on x86-64 the add is a
 * plain `add` to memory. A thread without a block (the main thread, a
 * dry run) adds to the shared `base` slot with an atomic add instead. A
 * read sums base and every block under the registry mutex (reads are
 * rare: a $stat, a stats page). A reset subtracts the value it read from
 * base, so increments made meanwhile by the workers are kept. When a
 * thread ends, its block is folded into base (under the mutex, so a read
 * never counts it twice or not at all) and freed.
 *
 * Names are registered once per process and never removed: a module's
 * init hook runs again for every reloaded config and gets the same id
 * back, with the value kept. Which statistics a script sees depends on
 * the modules it loads (each statistic has an owner module: "kex" for the
 * core and shmem groups, as in 5.6.3 where they come from kex). Lookups
 * are lock-free: entries are published by a release store of their count
 * and chained by name hash, newest first (Kamailio's counter hash finds
 * the latest registered of several groups with the same name).
 *
 * The shmem figures are measured, not invented: sipvm has no shared
 * memory pool of its own (threads share the heap), so they describe
 * glibc's malloc heap, all arenas summed by mallinfo2() (glibc 2.36 walks
 * the main arena and every thread arena; mmap'ed chunks are counted once,
 * globally), against the configured pool size (Kamailio's -m, 64 MB by
 * default, rt_stats_set_shm_size):
 *   total_size     the configured size;
 *   used_size      bytes handed out and not freed: uordblks (in-use chunks,
 *                  with their headers) + hblkhd (mmap'ed chunks);
 *   real_used_size what the heap holds from the system: arena (every
 *                  arena's sbrk'ed or mmap'ed heap, free chunks included)
 *                  + hblkhd; like Kamailio's real_used it is >= used_size,
 *                  the difference being free fragments and the top chunk;
 *   free_size      total_size - real_used_size, 0 when the heap is larger
 *                  than the configured size (never negative);
 *   max_used_size  the largest real_used_size seen (Kamailio's max_used is
 *                  its allocator's max_real_used): sampled whenever a shmem
 *                  figure is read and by rt_stats_tick;
 * A thread samples at most once a millisecond (mem_sample).
 *   fragments      free chunks: ordblks (bins, the top chunk included) +
 *                  smblks (fastbins).
 * In AddressSanitizer builds malloc is ASan's: used_size and
 * real_used_size are its allocated bytes and heap size, fragments 0.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

#define NAME_MAX_LEN 127
#define NBUCKETS 2048            /* power of two, twice RT_STATS_MAX */

/* One registered statistic. Written once before it is published (flags
 * may change later, hence atomic). */
typedef struct {
	char *group, *name, *owner;     /* malloc'd, never freed */
	size_t glen, nlen;
	_Atomic unsigned flags;
	rt_stat_fn fn;                  /* computed, or NULL */
	void *ud;
	int next;                       /* older entry of the same bucket, -1 */
} stat_def;

/* A thread's counters. Aligned so that two threads' blocks never share a
 * cache line. */
typedef struct stat_block {
	_Atomic uint64_t v[RT_STATS_MAX];
	struct stat_block *prev, *next;
} stat_block;

static stat_def defs[RT_STATS_MAX];
static _Atomic int ndefs;                 /* published entries */
static _Atomic int buckets[NBUCKETS];     /* newest id + 1, 0 when empty */
static _Atomic uint64_t base[RT_STATS_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static stat_block *blocks;                /* under lock */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t block_key;
static _Thread_local stat_block *my_block;

static _Atomic size_t shm_size = 64u * 1024 * 1024;
static _Atomic int64_t shm_max_used;

/* ids of the core counters beyond the RT_ST_* constants */
static int id_req_method[14];
static int id_rpl_class[6];               /* 1xx .. 6xx */
static int id_rpl_18x, id_rpl_401, id_rpl_404, id_rpl_407, id_rpl_480, id_rpl_486;
static int id_rpl_by_method[8][6];

/* ------------------------------------------------------------ registry */

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;           /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h & (NBUCKETS - 1);
}

static char *dup_str(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* The entry group:name among the published ones, or -1. */
static int find_exact(const char *g, size_t glen, const char *n, size_t nlen)
{
	int id = atomic_load_explicit(&buckets[name_hash(n, nlen)], memory_order_acquire) - 1;
	for (; id >= 0; id = defs[id].next)
		if (defs[id].nlen == nlen && defs[id].glen == glen &&
				memcmp(defs[id].name, n, nlen) == 0 &&
				memcmp(defs[id].group, g, glen) == 0)
			return id;
	return -1;
}

/* Register (under the lock); see rt_stats_register and _fn. */
static int do_register(const char *group, const char *name, const char *owner,
		unsigned flags, rt_stat_fn fn, void *ud)
{
	size_t glen, nlen;
	int id;

	if (group == NULL || name == NULL)
		return -1;
	glen = strlen(group);
	nlen = strlen(name);
	if (glen == 0 || nlen == 0 || glen > NAME_MAX_LEN || nlen > NAME_MAX_LEN ||
			memchr(group, ':', glen))
		return -1;
	pthread_mutex_lock(&lock);
	id = find_exact(group, glen, name, nlen);
	if (id >= 0) {
		if ((defs[id].fn != NULL) != (fn != NULL))
			id = -1;
		else if (fn == NULL)
			atomic_store(&defs[id].flags, flags);
		goto out;
	}
	id = atomic_load_explicit(&ndefs, memory_order_relaxed);
	if (id >= RT_STATS_MAX) {
		id = -1;
		goto out;
	}
	stat_def *d = &defs[id];
	d->group = dup_str(group, glen);
	d->name = dup_str(name, nlen);
	d->owner = owner ? dup_str(owner, strlen(owner)) : NULL;
	if (!d->group || !d->name || (owner && !d->owner)) {
		free(d->group);
		free(d->name);
		free(d->owner);
		memset(d, 0, sizeof(*d));
		id = -1;
		goto out;
	}
	d->glen = glen;
	d->nlen = nlen;
	atomic_store_explicit(&d->flags, fn ? RT_STF_NO_RESET : flags, memory_order_relaxed);
	d->fn = fn;
	d->ud = ud;
	uint32_t h = name_hash(name, nlen);
	d->next = atomic_load_explicit(&buckets[h], memory_order_relaxed) - 1;
	/* a reset of an earlier life of this slot cannot exist: slots are
	 * never reused; base and blocks start at 0 */
	atomic_store_explicit(&ndefs, id + 1, memory_order_release);
	atomic_store_explicit(&buckets[h], id + 1, memory_order_release);
out:
	pthread_mutex_unlock(&lock);
	return id;
}

/* Whether malloc is AddressSanitizer's (its heap has its own figures:
 * mallinfo2 gives zeros there). */
#if defined(__SANITIZE_ADDRESS__)
#define RT_STATS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_STATS_ASAN 1
#endif
#endif
#ifdef RT_STATS_ASAN
size_t __sanitizer_get_current_allocated_bytes(void);
size_t __sanitizer_get_heap_size(void);
#endif

typedef struct {
	int64_t used, real_used, frags;
} mem_figures;

/* The heap's figures now (see the top of the file); keeps the largest
 * real_used seen. Under AddressSanitizer: its allocated bytes and heap
 * size, and 0 fragments (it does not count free chunks). */
static mem_figures mem_sample(void)
{
	/* mallinfo2 walks every bin of every arena (about a microsecond): a
	 * thread reuses its last sample for up to a millisecond, so a page
	 * showing used_size, free_size ... takes one sample */
	static __thread mem_figures last;
	static __thread int64_t last_ns;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (last_ns && now - last_ns < 1000000)
		return last;
	mem_figures f;
#ifdef RT_STATS_ASAN
	f.used = (int64_t)__sanitizer_get_current_allocated_bytes();
	f.real_used = (int64_t)__sanitizer_get_heap_size();
	f.frags = 0;
#else
	struct mallinfo2 mi = mallinfo2();
	f.used = (int64_t)(mi.uordblks + mi.hblkhd);
	f.real_used = (int64_t)(mi.arena + mi.hblkhd);
	f.frags = (int64_t)(mi.ordblks + mi.smblks);
#endif
	int64_t m = atomic_load(&shm_max_used);
	while (f.real_used > m && !atomic_compare_exchange_weak(&shm_max_used, &m, f.real_used))
		;
	last = f;
	last_ns = now;
	return f;
}

static int64_t shm_total(void *ud)
{
	(void)ud;
	return (int64_t)atomic_load(&shm_size);
}

static int64_t shm_used(void *ud)
{
	(void)ud;
	return mem_sample().used;
}

static int64_t shm_real_used(void *ud)
{
	(void)ud;
	return mem_sample().real_used;
}

static int64_t shm_max(void *ud)
{
	(void)ud;
	mem_sample();
	return atomic_load(&shm_max_used);
}

static int64_t shm_free(void *ud)
{
	int64_t t = shm_total(NULL), r = shm_real_used(NULL);
	(void)ud;
	return r < t ? t - r : 0;
}

static int64_t shm_frags(void *ud)
{
	(void)ud;
	return mem_sample().frags;
}

/* Fold a thread's block into base and free it (pthread key destructor,
 * and rt_stats_thread_detach). */
static void block_release(void *p)
{
	stat_block *b = p;
	int n;

	if (b == NULL)
		return;
	pthread_mutex_lock(&lock);
	n = atomic_load(&ndefs);
	for (int i = 0; i < n; i++)
		atomic_fetch_add_explicit(&base[i],
				atomic_load_explicit(&b->v[i], memory_order_relaxed),
				memory_order_relaxed);
	if (b->prev)
		b->prev->next = b->next;
	else
		blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	pthread_mutex_unlock(&lock);
	free(b);
}

static const char *const core_names[RT_ST__CORE] = {
	"rcv_requests", "rcv_replies", "fwd_requests", "fwd_replies",
	"drop_requests", "drop_replies", "err_requests", "err_replies",
	"bad_URIs_rcvd", "unsupported_methods", "bad_msg_hdr",
	"established", "passive_open", "connect_success", "connect_failed",
	"local_reject", "con_timeout", "con_reset", "send_timeout", "sendq_full",
	"current_opened_connections", "current_write_queue_size",
	"failed_dns_request", "slow_dns_request",
};

/* kex's request methods, in the order of id_req_method */
static const char *const req_methods[14] = {
	"invite", "cancel", "ack", "bye", "info", "register", "subscribe",
	"notify", "message", "options", "prack", "update", "refer", "publish",
};
static const uint32_t req_method_ids[14] = {
	RT_M_INVITE, RT_M_CANCEL, RT_M_ACK, RT_M_BYE, RT_M_INFO, RT_M_REGISTER,
	RT_M_SUBSCRIBE, RT_M_NOTIFY, RT_M_MESSAGE, RT_M_OPTIONS, RT_M_PRACK,
	RT_M_UPDATE, RT_M_REFER, RT_M_PUBLISH,
};
/* the CSeq methods of rcv_replies_<class>xx_<m>; "reg" is REGISTER */
static const char *const rpl_methods[8] = {
	"invite", "cancel", "bye", "register", "message", "prack", "update", "refer",
};
static const char *const rpl_method_names[8] = {
	"invite", "cancel", "bye", "reg", "message", "prack", "update", "refer",
};

/* The core's statistics, registered first so that the RT_ST_* constants
 * are their ids. */
static void stats_init(void)
{
	char n[64];

	pthread_key_create(&block_key, block_release);
	for (int i = 0; i < RT_ST__CORE; i++) {
		const char *g = i <= RT_ST_BAD_MSG_HDR ? "core" :
			i <= RT_ST_TCP_CUR_WRQ ? "tcp" : "dns";
		unsigned fl = (i == RT_ST_TCP_CUR_OPENED || i == RT_ST_TCP_CUR_WRQ) ?
			RT_STF_NO_RESET : 0;
		do_register(g, core_names[i], i <= RT_ST_BAD_MSG_HDR ? "kex" : NULL, fl,
				NULL, NULL);
	}
	for (int i = 0; i < 14; i++) {
		snprintf(n, sizeof(n), "rcv_requests_%s", req_methods[i]);
		id_req_method[i] = do_register("core", n, "kex", 0, NULL, NULL);
	}
	for (int c = 0; c < 6; c++) {
		snprintf(n, sizeof(n), "rcv_replies_%dxx", c + 1);
		id_rpl_class[c] = do_register("core", n, "kex", 0, NULL, NULL);
	}
	id_rpl_18x = do_register("core", "rcv_replies_18x", "kex", 0, NULL, NULL);
	id_rpl_401 = do_register("core", "rcv_replies_401", "kex", 0, NULL, NULL);
	id_rpl_404 = do_register("core", "rcv_replies_404", "kex", 0, NULL, NULL);
	id_rpl_407 = do_register("core", "rcv_replies_407", "kex", 0, NULL, NULL);
	id_rpl_480 = do_register("core", "rcv_replies_480", "kex", 0, NULL, NULL);
	id_rpl_486 = do_register("core", "rcv_replies_486", "kex", 0, NULL, NULL);
	for (int m = 0; m < 8; m++)
		for (int c = 0; c < 6; c++) {
			snprintf(n, sizeof(n), "rcv_replies_%dxx_%s", c + 1, rpl_method_names[m]);
			id_rpl_by_method[m][c] = do_register("core", n, "kex", 0, NULL, NULL);
		}
	do_register("shmem", "total_size", "kex", 0, shm_total, NULL);
	do_register("shmem", "used_size", "kex", 0, shm_used, NULL);
	do_register("shmem", "real_used_size", "kex", 0, shm_real_used, NULL);
	do_register("shmem", "max_used_size", "kex", 0, shm_max, NULL);
	do_register("shmem", "free_size", "kex", 0, shm_free, NULL);
	do_register("shmem", "fragments", "kex", 0, shm_frags, NULL);
}

static void init(void)
{
	pthread_once(&once, stats_init);
}

int rt_stats_register(const char *group, const char *name, const char *owner,
		unsigned flags)
{
	init();
	return do_register(group, name, owner, flags, NULL, NULL);
}

int rt_stats_register_fn(const char *group, const char *name,
		const char *owner, rt_stat_fn get, void *ud)
{
	init();
	if (get == NULL)
		return -1;
	return do_register(group, name, owner, 0, get, ud);
}

int rt_stats_visible(const vm_loaded *lp, int id)
{
	init();
	if (id < 0 || id >= atomic_load_explicit(&ndefs, memory_order_acquire))
		return 0;
	return lp == NULL || defs[id].owner == NULL ||
		vm_loaded_has_module(lp, defs[id].owner);
}

int rt_stats_find(const vm_loaded *lp, const char *name, size_t len,
		unsigned how)
{
	const char *colon;
	int id;

	init();
	if (name == NULL || len == 0)
		return -1;
	id = atomic_load_explicit(&buckets[name_hash(name, len)], memory_order_acquire) - 1;
	for (; id >= 0; id = defs[id].next)
		if (defs[id].nlen == len && memcmp(defs[id].name, name, len) == 0 &&
				rt_stats_visible(lp, id))
			return id;
	if (!(how & RT_STATS_BY_GROUP) || !(colon = memchr(name, ':', len)))
		return -1;
	id = find_exact(name, (size_t)(colon - name), colon + 1,
			len - (size_t)(colon - name) - 1);
	return id >= 0 && rt_stats_visible(lp, id) ? id : -1;
}

/* The counter's raw sum (under the lock). */
static int64_t sum_locked(int id)
{
	uint64_t s = atomic_load_explicit(&base[id], memory_order_relaxed);
	for (stat_block *b = blocks; b; b = b->next)
		s += atomic_load_explicit(&b->v[id], memory_order_relaxed);
	return (int64_t)s;
}

int64_t rt_stats_get(int id)
{
	int64_t v;

	init();
	if (id < 0 || id >= atomic_load_explicit(&ndefs, memory_order_acquire))
		return 0;
	if (defs[id].fn)
		return defs[id].fn(defs[id].ud);
	pthread_mutex_lock(&lock);
	v = sum_locked(id);
	pthread_mutex_unlock(&lock);
	return v;
}

int rt_stats_reset(int id)
{
	init();
	if (id < 0 || id >= atomic_load_explicit(&ndefs, memory_order_acquire))
		return -1;
	if (defs[id].fn || (atomic_load(&defs[id].flags) & RT_STF_NO_RESET))
		return 1;
	pthread_mutex_lock(&lock);
	atomic_fetch_sub_explicit(&base[id], (uint64_t)sum_locked(id), memory_order_relaxed);
	pthread_mutex_unlock(&lock);
	return 0;
}

const char *rt_stats_group(int id)
{
	init();
	if (id < 0 || id >= atomic_load_explicit(&ndefs, memory_order_acquire))
		return NULL;
	return defs[id].group;
}

const char *rt_stats_name(int id)
{
	init();
	if (id < 0 || id >= atomic_load_explicit(&ndefs, memory_order_acquire))
		return NULL;
	return defs[id].name;
}

static int cmp_ids(const void *a, const void *b)
{
	const stat_def *x = &defs[*(const int *)a], *y = &defs[*(const int *)b];
	int c = strcmp(x->group, y->group);
	return c ? c : strcmp(x->name, y->name);
}

size_t rt_stats_list(const vm_loaded *lp, int *ids, size_t max)
{
	int all[RT_STATS_MAX];
	size_t k = 0;
	int n;

	init();
	n = atomic_load_explicit(&ndefs, memory_order_acquire);
	for (int i = 0; i < n; i++)
		if (rt_stats_visible(lp, i))
			all[k++] = i;
	qsort(all, k, sizeof(all[0]), cmp_ids);
	if (ids)
		memcpy(ids, all, (k < max ? k : max) * sizeof(int));
	return k;
}

char rt_stats_name_sep(const vm_loaded *lp)
{
	const vm_const *k = NULL, *last = NULL;

	for (unsigned n = 0; lp && (k = vm_loaded_setting(lp, "", "stats_name_separator", n)); n++)
		last = k;
	if (last && last->kind == VM_STR && last->len > 0)
		return last->s[0];
	return '_';
}

/* ------------------------------------------------------------ counting */

void rt_stat_add(int id, int64_t n)
{
	stat_block *b = my_block;

	if ((unsigned)id >= RT_STATS_MAX)
		return;
	if (b) {
		/* only this thread writes its slot: a load and a store, no
		 * locked instruction */
		uint64_t v = atomic_load_explicit(&b->v[id], memory_order_relaxed);
		atomic_store_explicit(&b->v[id], v + (uint64_t)n, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&base[id], (uint64_t)n, memory_order_relaxed);
	}
}

int rt_stats_thread_attach(void)
{
	stat_block *b;

	init();
	if (my_block)
		return 0;
	b = aligned_alloc(64, (sizeof(*b) + 63) / 64 * 64);
	if (b == NULL)
		return -1;
	memset(b, 0, sizeof(*b));
	pthread_mutex_lock(&lock);
	b->prev = NULL;
	b->next = blocks;
	if (blocks)
		blocks->prev = b;
	blocks = b;
	pthread_mutex_unlock(&lock);
	my_block = b;
	pthread_setspecific(block_key, b);
	return 0;
}

void rt_stats_thread_detach(void)
{
	stat_block *b = my_block;

	if (b == NULL)
		return;
	my_block = NULL;
	pthread_setspecific(block_key, NULL);
	block_release(b);
}

/* Whether v is `name` (lower case) in any case. */
static int method_is(rt_view v, const char *name)
{
	size_t n = strlen(name);
	if (v.len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((v.s[i] | 0x20) != name[i])
			return 0;
	return 1;
}

void rt_stats_received(const rt_msg *m)
{
	init();
	if (m->is_request) {
		rt_stat_inc(RT_ST_RCV_REQUESTS);
		if (m->is_http)
			return;
		if (m->method_id == RT_M_OTHER) {
			rt_stat_inc(RT_ST_UNSUPPORTED_METHODS);
			return;
		}
		for (int i = 0; i < 14; i++)
			if (m->method_id == req_method_ids[i]) {
				rt_stat_inc(id_req_method[i]);
				break;
			}
		return;
	}
	rt_stat_inc(RT_ST_RCV_REPLIES);
	int code = m->status;
	if (code < 100 || code > 699)
		return;
	int c = code / 100 - 1;
	rt_stat_inc(id_rpl_class[c]);
	if (code >= 180 && code <= 189)
		rt_stat_inc(id_rpl_18x);
	switch (code) {
	case 401: rt_stat_inc(id_rpl_401); break;
	case 404: rt_stat_inc(id_rpl_404); break;
	case 407: rt_stat_inc(id_rpl_407); break;
	case 480: rt_stat_inc(id_rpl_480); break;
	case 486: rt_stat_inc(id_rpl_486); break;
	}
	/* by the CSeq method (parsed here: m is const, its lazy form may not
	 * be there yet) */
	if (m->first[RT_HDR_CSEQ] < 0)
		return;
	const rt_hdr *h = &m->hdrs[m->first[RT_HDR_CSEQ]];
	rt_cseq cs;
	if (rt_cseq_parse(h->body.s, h->body.len, &cs) < 0)
		return;
	for (int i = 0; i < 8; i++)
		if (method_is(cs.method, rpl_methods[i])) {
			rt_stat_inc(id_rpl_by_method[i][c]);
			break;
		}
}

void rt_stats_set_shm_size(size_t bytes)
{
	atomic_store(&shm_size, bytes);
}

void rt_stats_tick(void)
{
	mem_sample();
}
