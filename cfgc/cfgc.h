/*
 * cfgc.h — the public face of the cfgc front end.
 *
 * Owns: reading a kamailio.cfg (preprocessing, lexing, parsing) and checking
 * it against a module export table (sipvm's own, or Kamailio 5.6.3's
 * catalog), producing diagnostics.
 *
 * Must not: run routes or touch the network; depend on runtime/, stdlib/ or
 * lua/ (only on vm/ for the export tables).
 */
#ifndef CFGC_H
#define CFGC_H

#include <stdio.h>

typedef struct cfgc_ctx cfgc_ctx;

enum cfgc_target { CFGC_TARGET_SIPVM = 0, CFGC_TARGET_KAMAILIO = 1 };

typedef struct {
	int target;              /* enum cfgc_target */
	const char **defines;    /* "NAME" or "NAME=VALUE" from -A / -D */
	int ndefines;
	const char **incdirs;    /* -I DIR, searched after the working directory */
	int nincdirs;
	int max_errors;          /* cascade limit (0: default 20) */
	const char *sysroot;     /* absolute include paths are tried under it first */
} cfgc_opts;

/* Create a context; opts is copied (the string arrays must outlive it). */
cfgc_ctx *cfgc_ctx_new(const cfgc_opts *opts);
void cfgc_ctx_free(cfgc_ctx *ctx);

/* Preprocess, parse and check one file. Returns 0 when the file could be
 * read (whatever diagnostics it has), -1 when it could not be opened. */
int cfgc_check_file(cfgc_ctx *ctx, const char *path);

int cfgc_error_count(const cfgc_ctx *ctx);
int cfgc_warning_count(const cfgc_ctx *ctx);

/* Render the diagnostics: gcc/rustc layout with source excerpts and a
 * summary line (color when `color`), or as a JSON array. */
void cfgc_print_diags(const cfgc_ctx *ctx, FILE *f, int color);
void cfgc_print_diags_json(const cfgc_ctx *ctx, FILE *f);

#endif
