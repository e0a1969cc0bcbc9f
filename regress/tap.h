/*
 * tap.h — the Test Anything Protocol for the C test programs of regress/:
 * ok() prints "ok N - ..." or "not ok N - ...", tap_done() prints the plan
 * at the end ("1..N", allowed after the tests) and returns the exit status.
 */
#ifndef REGRESS_TAP_H
#define REGRESS_TAP_H

#include <stdarg.h>
#include <stdio.h>

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

#endif
