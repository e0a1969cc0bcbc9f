/*
 * fuzz_cfgc.c — libFuzzer harness over the whole front end: preprocessor,
 * lexer, parser, linter and code generator, on one input taken as a
 * kamailio.cfg. What checks without an error is compiled; the program must
 * pass vm_prog_check and survive an image round trip (abort otherwise).
 *
 *   make fuzz        (60 s, seeded with samples/ and the shared corpus)
 *
 * The input is written to a private file because the preprocessor reads
 * files (and follows include_file to other ones, as it must).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgc.h"
#include "vm.h"

/* The program of a checked context: it must be valid, and read back from
 * its image. */
static void generate(cfgc_ctx *ctx)
{
	vm_prog *p, *q;
	unsigned char *img;
	size_t n;
	char err[256];

	if (cfgc_error_count(ctx) || cfgc_generate(ctx, &p) < 0)
		return;
	if (vm_prog_check(p, err, sizeof(err)) < 0) {
		fprintf(stderr, "generated program fails its check: %s\n", err);
		abort();
	}
	if (vm_image_encode(p, &img, &n) == 0) {
		if (vm_image_read(img, n, &q, err, sizeof(err)) < 0) {
			fprintf(stderr, "generated image does not read back: %s\n", err);
			abort();
		}
		vm_prog_free(q);
		free(img);
	}
	vm_prog_free(p);
}

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_cfgc.%ld.cfg", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	for (int target = 0; target < 2; target++) {
		cfgc_opts opts = { .target = target };
		cfgc_ctx *ctx = cfgc_ctx_new(&opts);
		if (!ctx)
			return 0;
		cfgc_check_file(ctx, path);
		generate(ctx);
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			cfgc_print_diags(ctx, null, 0);
			cfgc_print_diags_json(ctx, null);
			fclose(null);
		}
		cfgc_ctx_free(ctx);
	}
	return 0;
}
