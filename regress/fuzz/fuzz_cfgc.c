/*
 * fuzz_cfgc.c — libFuzzer harness over the whole front end: preprocessor,
 * lexer, parser and linter, on one input taken as a kamailio.cfg.
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
