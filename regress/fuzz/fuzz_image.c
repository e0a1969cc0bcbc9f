/*
 * fuzz_image.c — libFuzzer harness over the bytecode image reader: every
 * input is handed to vm_image_read as an image. What loads is listed
 * (vm_prog_dump), encoded again and read back, which must succeed: the
 * checker's verdict must not depend on the bytes it has already accepted.
 * Then the program is loaded against sipvm's registry (every PV, format,
 * regex, network and function binding on arbitrary text) and, when it
 * binds, each of its routes runs once on a canned OPTIONS request in a
 * worker that sends nowhere (while loops capped at 100 iterations, a run
 * at 200,000 instructions: an image may jump backwards forever).
 *
 *   make fuzz-image  (60 s, or FUZZ_SECONDS; seeded with small images)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "../../runtime/rt.h"

static const char options[] =
	"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-f1;rport\r\n"
	"From: <sip:alice@127.0.0.1>;tag=f1\r\n"
	"To: <sip:bob@127.0.0.1>\r\n"
	"Call-ID: fuzz-1@127.0.0.1\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Max-Forwards: 70\r\n"
	"Content-Length: 0\r\n\r\n";

static int discard(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len)
{
	(void)w, (void)what, (void)dst, (void)buf, (void)len;
	return 0;
}

static void quiet_log(vm_ctx *c, int level, const char *line, size_t len)
{
	(void)c, (void)level, (void)line, (void)len;
}

/* Load p and run each route once; p is consumed. */
static void load_and_run(vm_prog *p)
{
	vm_loaded *lp;
	char err[256];
	if (vm_load(p, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		vm_prog_free(p);
		return;
	}
	rt_worker w;
	if (rt_worker_init(&w, lp, 0) == 0) {
		w.send = discard;
		w.vm.log = quiet_log;
		w.vm.max_while_loops = 100;
		w.vm.stats = 1;            /* counts instructions ... */
		w.vm.max_insns = 200000;   /* ... and stops endless jumps */
		const vm_prog *q = vm_loaded_prog(lp);
		for (uint32_t r = 0; r < q->nrt; r++) {
			rt_msg m;
			char buf[sizeof(options)];  /* writable: maxfwd edits it */
			memcpy(buf, options, sizeof(options));
			if (!q->rt[r].defined || rt_msg_parse(buf, sizeof(options) - 1, &m) < 0)
				continue;
			int how;
			rt_worker_run(&w, &m, (int)r, q->rt[r].type, &how);
			rt_msg_clear(&m);
		}
		rt_worker_free(&w);
	}
	vm_unload(lp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char err[256];
	vm_prog *p;

	if (!null && !(null = fopen("/dev/null", "w")))
		return 0;
	if (vm_image_read(data, size, &p, err, sizeof(err)) < 0)
		return 0;
	vm_prog_dump(p, null);
	unsigned char *b;
	size_t n;
	if (vm_image_encode(p, &b, &n) == 0) {
		vm_prog *q;
		if (vm_image_read(b, n, &q, err, sizeof(err)) < 0) {
			fprintf(stderr, "re-read of an accepted image failed: %s\n", err);
			abort();
		}
		vm_prog_free(q);
		free(b);
	}
	load_and_run(p);
	return 0;
}
