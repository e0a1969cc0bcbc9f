/*
 * wire.h — the SIP test messages of ../shared/data as the bytes a server
 * receives, for the C test programs of regress/ (after tap.h).
 */
#ifndef REGRESS_WIRE_H
#define REGRESS_WIRE_H

#include <stdlib.h>
#include <string.h>

/* The message file at path in a malloc'd buffer (NUL after it), its length
 * in *len; NULL when it cannot be read. lf2crlf: RFC 5118's archive has
 * LF line ends and two files without the final empty line; its README
 * says to turn LF into CRLF (and add the empty line) before feeding a
 * parser. The conversion changes only line ends. */
static char *wire(const char *path, int lf2crlf, size_t *len) __attribute__((unused));
static char *wire(const char *path, int lf2crlf, size_t *len)
{
	size_t n, i, k = 0;
	char *raw = tap_slurp(path, &n), *out;

	if (raw == NULL || !lf2crlf)
		return *len = n, raw;
	out = malloc(2 * n + 3);
	if (out == NULL) {
		free(raw);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			out[k++] = '\r';
		out[k++] = raw[i];
	}
	out[k] = '\0';
	if (strstr(out, "\r\n\r\n") == NULL) {
		out[k++] = '\r';
		out[k++] = '\n';
	}
	free(raw);
	*len = k;
	return out;
}

#endif
