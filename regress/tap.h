/*
 * tap.h — the Test Anything Protocol for the C test programs of regress/:
 * ok() prints "ok N - ..." or "not ok N - ...", tap_done() prints the plan
 * at the end ("1..N", allowed after the tests) and returns the exit status;
 * tap_slurp() reads a test file.
 */
#ifndef REGRESS_TAP_H
#define REGRESS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_ntests, tap_nfailed;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3), unused));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_ntests++;
	if (!cond)
		tap_nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int tap_done(void) __attribute__((unused));
static int tap_done(void)
{
	printf("1..%d\n", tap_ntests);
	printf("# %d passed, %d failed\n", tap_ntests - tap_nfailed, tap_nfailed);
	return tap_nfailed ? 1 : 0;
}

/* The whole file at path in a malloc'd buffer with three spare bytes
 * after its n bytes (the first of them '\0'); its length in *len. NULL
 * when it cannot be read. */
static char *tap_slurp(const char *path, size_t *len) __attribute__((unused));
static char *tap_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = n < 0 ? NULL : malloc((size_t)n + 3);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

#endif
