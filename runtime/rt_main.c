/*
 * rt_main.c — the `sipvm` command.
 *
 *   sipvm -f FILE [-l [proto:]addr[:port]]... [-n N] [-m MB] [-A NAME[=VAL]]...
 *         [-I DIR]... [-E] [-DD] [-d]...
 *   sipvm --dry-run -f FILE [--msg MESSAGE]... [--route NAME] [--trace]
 *         [--repeat N] [--stats] [--src proto:ip:port] [-A NAME[=VAL]]...
 *         [-I DIR]...
 *
 * Without --dry-run it is the server (rt_server.c): in the foreground,
 * logging to stderr (with -E or log_stderror=yes; else to syslog, as
 * Kamailio), until SIGTERM; SIGHUP compiles FILE again.
 * FILE is a kamailio.cfg (compiled here, with the diagnostics of
 * `cfgc --check`) or a bytecode image written by `cfgc -o`. A dry run reads
 * each MESSAGE (a SIP request or reply, or an HTTP request, as it would
 * arrive on the wire), runs the route it calls for in one worker — so
 * $var and $shv carry over from one message to the next as on a server —
 * and prints on stdout, in wire format, every message the script would
 * send, each after a line naming its destination; log lines go to
 * stderr. Nothing touches the network.
 *
 * Links every layer (scripts/check-deps.sh knows): the front end to
 * compile, the VM and runtime to run, the modules' registry.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "../cfgc/cfgc.h"
#include "../stdlib/mod.h"
#include "rt.h"

#define MAX_MSGS 256
#define MAX_DEFS 256

typedef struct {
	const char *file;
	const char *msgs[MAX_MSGS];
	int nmsgs;
	const char *route;
	const char *defs[MAX_DEFS];
	int ndefs;
	const char *incs[MAX_DEFS];
	int nincs;
	int dry_run, trace, stats;
	long repeat;
	const char *src;
	int quiet;              /* after the first repetition: no output */
	const char *listen[RT_SERVER_MAX_SOCKS];
	int nlisten;
	int children;
	long shm_mb;
	int debug;              /* -d's */
	int log_stderr;         /* -E */
	int coalesce;           /* --udp-coalesce, -1 default */
} opts_t;

static void usage(FILE *f)
{
	fputs("usage: sipvm -f FILE [options]                     (the server)\n"
	      "       sipvm --dry-run -f FILE [--msg MESSAGE]... [options]\n"
	      "  -f FILE            a kamailio.cfg, or a bytecode image from `cfgc -o`\n"
	      "  -l [P:]ADDR[:PORT] listen there instead of the config's `listen` (repeatable;\n"
	      "                     without a protocol both udp and tcp)\n"
	      "  -n N               N workers per UDP socket and N TCP workers (`children`)\n"
	      "  -m MB              memory size $stat's shmem figures are reported against (64)\n"
	      "  -d                 one more debug level (repeatable)\n"
	      "  --udp-coalesce US  under load, gather UDP datagrams for up to US microseconds\n"
	      "                     per receive (default 1000; 0: one wake-up per datagram)\n"
	      "  -E                 log on stderr even when the config says log_stderror=no\n"
	      "                     (which otherwise means syslog, as in Kamailio)\n"
	      "  -D, -DD            accepted: sipvm always runs in the foreground\n"
	      "  --dry-run          run the routes on saved messages, without network\n"
	      "  --msg MESSAGE      a file holding one SIP or HTTP message (repeatable:\n"
	      "                     the messages run in order, in one worker)\n"
	      "  --route NAME       run route[NAME] instead of the route the message calls for\n"
	      "  --src P:IP:PORT    where the messages come from (default: their top Via,\n"
	      "                     else udp:127.0.0.1:5060)\n"
	      "  --trace            print each executed source line and the PVs read and written\n"
	      "  --repeat N         run the whole set N times (output of the first round only)\n"
	      "  --stats            print instructions executed and CPU time at the end\n"
	      "  -A NAME[=VAL]      define NAME for #!ifdef (also -D)\n"
	      "  -I DIR             search DIR for included files\n"
	      "  -h, --help         this text\n", f);
}

/* ------------------------------------------------------------ output */


static int quiet;

/* Log lines: "LEVEL: text" on stderr, as Kamailio writes them with -E
 * (without its process prefix). */
static void dry_log(vm_ctx *c, int level, const char *line, size_t len)
{
	(void)c;
	if (quiet)
		return;
	fprintf(stderr, "%s: %.*s\n", rt_log_level_name(level), (int)len, line);
}

/* What would be sent: a line naming it and its destination, then the
 * message as it would go on the wire, then an empty line. */
static int dry_send(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len)
{
	(void)w;
	if (quiet)
		return 0;
	char where[80];
	if (dst && rt_addr_format(dst, where, sizeof(where)) > 0)
		printf(">>> %s to %s (%zu bytes)\n", what, where, len);
	else
		printf(">>> %s (%zu bytes)\n", what, len);
	fwrite(buf, 1, len, stdout);
	if (len < 2 || buf[len - 1] != '\n')
		putchar('\n');
	putchar('\n');
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------ input */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (size_t)16 << 20) {
				errno = EFBIG;
				goto fail;
			}
			char *nb = realloc(b, cap + 1);
			if (!nb)
				goto fail;
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
fail:
	free(b);
	fclose(f);
	return NULL;
}

/* The message's source when --src is not given: its top Via's sent-by
 * when that is an IP address, else udp:127.0.0.1:5060. */
static void default_src(rt_msg *m, rt_addr *a)
{
	const rt_via *v = m->is_http ? NULL : rt_msg_via1(m);
	if (!v || !v->host.s || rt_addr_parse(v->host.s, v->host.len, a) < 0) {
		rt_addr_parse("127.0.0.1", 9, a);
		return;
	}
	if (v->port_no)
		a->port = v->port_no;
	if (v->proto.len == 3 && !strncasecmp(v->proto.s, "TCP", 3))
		a->proto = RT_PROTO_TCP;
	else if (v->proto.len == 3 && !strncasecmp(v->proto.s, "TLS", 3))
		a->proto = RT_PROTO_TLS;
}

/* ------------------------------------------------------------ loading */

/* The program of FILE: an image read and checked, or a config compiled.
 * NULL after printing why. */
static vm_prog *load_program(const opts_t *o)
{
	size_t len;
	char *buf = read_file(o->file, &len);
	vm_prog *prog = NULL;
	char err[512];
	if (!buf) {
		fprintf(stderr, "sipvm: cannot read %s: %s\n", o->file, strerror(errno));
		return NULL;
	}
	if (len >= 4 && memcmp(buf, "SVB", 4) == 0) {
		if (vm_image_read(buf, len, &prog, err, sizeof(err)) < 0)
			fprintf(stderr, "%s: bad bytecode image: %s\n", o->file, err);
		free(buf);
		return prog;
	}
	free(buf);
	cfgc_opts co = { 0 };
	co.target = CFGC_TARGET_SIPVM;
	co.defines = (const char **)o->defs;
	co.ndefines = o->ndefs;
	co.incdirs = (const char **)o->incs;
	co.nincdirs = o->nincs;
	cfgc_ctx *cc = cfgc_ctx_new(&co);
	if (!cc) {
		fprintf(stderr, "sipvm: out of memory\n");
		return NULL;
	}
	int rc = cfgc_compile(cc, o->file, &prog);
	if (cfgc_error_count(cc) || cfgc_warning_count(cc))
		cfgc_print_diags(cc, stderr, 0);
	if (rc < 0 && !cfgc_error_count(cc))
		fprintf(stderr, "sipvm: cannot compile %s\n", o->file);
	cfgc_ctx_free(cc);
	return rc < 0 ? NULL : prog;
}

/* ------------------------------------------------------------ dry run */

typedef struct {
	char *buf;
	size_t len;
	const char *path;
} msgfile;

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int dry_run(const opts_t *o, const vm_loaded *lp)
{
	rt_worker w;
	msgfile files[MAX_MSGS];
	int status = 0, nfiles = 0;
	rt_addr src;
	long messages = 0;

	if (o->src && rt_addr_parse(o->src, strlen(o->src), &src) < 0) {
		fprintf(stderr, "sipvm: bad --src '%s' (want proto:ip:port)\n", o->src);
		return 2;
	}
	for (int i = 0; i < o->nmsgs; i++) {
		files[i].path = o->msgs[i];
		files[i].buf = read_file(o->msgs[i], &files[i].len);
		if (!files[i].buf) {
			fprintf(stderr, "sipvm: cannot read %s: %s\n", o->msgs[i], strerror(errno));
			for (int j = 0; j < i; j++)
				free(files[j].buf);
			return 2;
		}
		nfiles++;
	}
	if (rt_worker_init(&w, lp, 0) < 0) {
		fprintf(stderr, "sipvm: cannot set up a worker (out of memory)\n");
		status = 1;
		goto out;
	}
	w.send = dry_send;
	w.resolve = rt_dns_sip;
	w.vm.log = dry_log;
	if (o->trace)
		w.vm.trace = stderr;
	w.vm.stats = o->stats;
	vm_ctx_ready(&w.vm);

	int fixed_rt = -1;
	uint32_t fixed_type = VM_RT_REQUEST;
	if (o->route) {
		fixed_rt = vm_loaded_route(lp, VM_RT_REQUEST, o->route);
		if (fixed_rt < 0) {
			fixed_rt = vm_loaded_route(lp, VM_RT_EVENT, o->route);
			fixed_type = VM_RT_EVENT;
		}
		if (fixed_rt < 0) {
			fprintf(stderr, "sipvm: no route[%s] or event_route[%s] in %s\n",
					o->route, o->route, o->file);
			status = 1;
			goto out_worker;
		}
	}
	size_t maxlen = 1;
	for (int i = 0; i < nfiles; i++)
		if (files[i].len > maxlen)
			maxlen = files[i].len;
	char *scratch = malloc(maxlen);
	if (!scratch) {
		fprintf(stderr, "sipvm: out of memory\n");
		status = 1;
		goto out_worker;
	}
	double t0 = cpu_seconds();
	for (long rep = 0; rep < o->repeat; rep++) {
		quiet = rep > 0;
		for (int i = 0; i < nfiles; i++) {
			rt_msg *m = malloc(sizeof(*m));
			if (!m) {
				fprintf(stderr, "sipvm: out of memory\n");
				status = 1;
				free(scratch);
				goto out_worker;
			}
			/* a fresh copy each time: some functions (maxfwd) write
			 * into the received bytes, as Kamailio's do */
			memcpy(scratch, files[i].buf, files[i].len);
			m->conn = -1;
			m->lsock = -1;
			if (rt_msg_parse(scratch, files[i].len, m) < 0) {
				if (!quiet)
					fprintf(stderr, "%s: not a SIP or HTTP message: dropped\n", files[i].path);
				free(m);
				status = 1;
				continue;
			}
			rt_stats_received(m);
			if (o->src)
				m->src = src;
			else
				default_src(m, &m->src);
			m->rcv = w.self;
			m->rcv.proto = m->src.proto;
			uint32_t type = fixed_type;
			int rt = fixed_rt >= 0 ? fixed_rt : rt_worker_route_for(lp, m, &type);
			if (rt >= 0 && fixed_rt < 0 && m->is_http && !mod_xhttp_accepts(lp, m)) {
				/* xhttp's url_skip / url_match turned it away: no route,
				 * no reply (Kamailio leaves the connection waiting) */
				if (!quiet)
					fprintf(stderr, "%s: HTTP request not for xhttp (url_skip/url_match): "
							"no route runs\n", files[i].path);
			} else if (rt < 0) {
				if (!quiet)
					fprintf(stderr, "%s: no route for this message in %s\n",
							files[i].path, o->file);
			} else {
				int how;
				rt_worker_run(&w, m, rt, type, &how);
			}
			rt_msg_clear(m);
			free(m);
			messages++;
		}
	}
	quiet = 0;
	free(scratch);
	if (o->stats) {
		double t = cpu_seconds() - t0;
		fprintf(stderr, "messages: %ld\ninstructions: %llu\ncpu: %.6f s (%.3f us per message)\n",
				messages, (unsigned long long)w.vm.icount, t,
				messages ? t * 1e6 / (double)messages : 0.0);
	}
out_worker:
	rt_worker_free(&w);
	rt_buf_spare_release();
out:
	for (int i = 0; i < nfiles; i++)
		free(files[i].buf);
	return status;
}

/* ------------------------------------------------------------ server */

/* rt_server_opts.load: compile (or read) the file and bind it; NULL after
 * printing why, with cfgc's file:line:col diagnostics. */
static vm_loaded *server_load(void *ud)
{
	const opts_t *o = ud;
	vm_prog *prog = load_program(o);
	vm_loaded *lp;
	char err[512];
	if (!prog)
		return NULL;
	if (vm_load(prog, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", o->file, err);
		vm_prog_free(prog);
		return NULL;
	}
	return lp;
}

static int serve(const opts_t *o)
{
	rt_server_opts so;
	memset(&so, 0, sizeof(so));
	so.load = server_load;
	so.load_ud = (void *)o;
	so.http_accepts = mod_xhttp_accepts;
	for (int i = 0; i < o->nlisten; i++)
		so.listen[i] = o->listen[i];
	so.nlisten = o->nlisten;
	so.children = o->children;
	so.shm_size = (size_t)o->shm_mb << 20;
	so.log_level = o->debug ? VM_L_DBG + o->debug - 1 : -1;
	so.log_stderr = o->log_stderr;
	so.udp_coalesce_us = o->coalesce;
	return rt_server_run(&so);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	opts_t o;
	memset(&o, 0, sizeof(o));
	o.repeat = 1;
	o.coalesce = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VAL() do { if (!val) { fprintf(stderr, "sipvm: %s needs a value\n", a); return 2; } i++; } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-f")) {
			NEED_VAL();
			o.file = val;
		} else if (!strcmp(a, "--dry-run")) {
			o.dry_run = 1;
		} else if (!strcmp(a, "--msg")) {
			NEED_VAL();
			if (o.nmsgs == MAX_MSGS) {
				fprintf(stderr, "sipvm: more than %d --msg\n", MAX_MSGS);
				return 2;
			}
			o.msgs[o.nmsgs++] = val;
		} else if (!strcmp(a, "--route")) {
			NEED_VAL();
			o.route = val;
		} else if (!strcmp(a, "--src")) {
			NEED_VAL();
			o.src = val;
		} else if (!strcmp(a, "--trace")) {
			o.trace = 1;
		} else if (!strcmp(a, "--stats")) {
			o.stats = 1;
		} else if (!strcmp(a, "--repeat")) {
			NEED_VAL();
			char *e;
			o.repeat = strtol(val, &e, 10);
			if (*e || o.repeat < 1) {
				fprintf(stderr, "sipvm: --repeat wants a positive number\n");
				return 2;
			}
		} else if (!strcmp(a, "-A")) {
			NEED_VAL();
			if (o.ndefs == MAX_DEFS)
				return 2;
			o.defs[o.ndefs++] = val;
		} else if (a[0] == '-' && a[1] == 'A' && a[2]) {
			if (o.ndefs == MAX_DEFS)
				return 2;
			o.defs[o.ndefs++] = a + 2;
		} else if (!strcmp(a, "-l")) {
			NEED_VAL();
			if (o.nlisten == RT_SERVER_MAX_SOCKS) {
				fprintf(stderr, "sipvm: more than %d -l\n", RT_SERVER_MAX_SOCKS);
				return 2;
			}
			o.listen[o.nlisten++] = val;
		} else if (!strcmp(a, "--udp-coalesce")) {
			NEED_VAL();
			char *e;
			long v = strtol(val, &e, 10);
			if (*e || v < 0 || v > 100000) {
				fprintf(stderr, "sipvm: --udp-coalesce wants microseconds (0..100000)\n");
				return 2;
			}
			o.coalesce = (int)v;
		} else if (!strcmp(a, "-n") || !strcmp(a, "-m")) {
			NEED_VAL();
			char *e;
			long v = strtol(val, &e, 10);
			if (*e || v < 1 || v > (a[1] == 'n' ? 256 : 1 << 20)) {
				fprintf(stderr, "sipvm: %s wants a positive number\n", a);
				return 2;
			}
			if (a[1] == 'n')
				o.children = (int)v;
			else
				o.shm_mb = v;
		} else if (a[0] == '-' && a[1] == 'd' && strspn(a + 1, "d") == strlen(a + 1)) {
			o.debug += (int)strlen(a + 1);
		} else if (!strcmp(a, "-I")) {
			NEED_VAL();
			if (o.nincs == MAX_DEFS)
				return 2;
			o.incs[o.nincs++] = val;
		} else if (!strcmp(a, "-E")) {
			o.log_stderr = 1;
		} else if (!strcmp(a, "-D") || !strcmp(a, "-DD") ||
				!strcmp(a, "-DDD") || !strcmp(a, "-e")) {
			/* Kamailio's foreground flags: sipvm always runs in the
			 * foreground; -e (colours) is ignored */
		} else {
			fprintf(stderr, "sipvm: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
#undef NEED_VAL
	}
	if (!o.file) {
		usage(stderr);
		return 2;
	}
	if (!o.dry_run)
		return serve(&o);
	vm_prog *prog = load_program(&o);
	if (!prog)
		return 1;
	vm_loaded *lp;
	char err[512];
	/* The memory a loaded route set takes: what the heap holds after
	 * binding the program, less what it held with the program alone
	 * (the compiler's own memory is gone by then). */
	size_t heap0 = mallinfo2().uordblks;
	unsigned char *img = NULL;
	size_t imglen = 0;
	if (o.stats && vm_image_encode(prog, &img, &imglen) == 0)
		free(img);
	if (vm_load(prog, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", o.file, err);
		vm_prog_free(prog);
		return 1;
	}
	if (o.stats) {
		const vm_prog *p = vm_loaded_prog(lp);
		fprintf(stderr, "program: %u routes, %u instructions, image %zu bytes; "
				"loaded: %zu bytes more on the heap\n",
				p->nrt, p->ncode, imglen, mallinfo2().uordblks - heap0);
	}
	int status = dry_run(&o, lp);
	vm_unload(lp);
	return status;
}
