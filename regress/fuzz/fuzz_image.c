/*
 * fuzz_image.c — libFuzzer harness over the bytecode image reader: every
 * input is handed to vm_image_read as an image. What loads is listed
 * (vm_prog_dump), encoded again and read back, which must succeed: the
 * checker's verdict must not depend on the bytes it has already accepted.
 *
 *   make fuzz-image  (60 s, or FUZZ_SECONDS; seeded with small images)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm.h"

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
	vm_prog_free(p);
	return 0;
}
