/*
 * cfgc.h — the public face of the cfgc front end.
 *
 * Owns: reading a kamailio.cfg (preprocessing, lexing, parsing) and checking
 * it against a module export table (sipvm's own, or Kamailio 5.6.3's
 * catalog), producing diagnostics; and compiling a checked file to a
 * program of the VM (struct vm_prog, vm/vm.h).
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

/* Compiling (cfgc_gen.c). A program holds
 *   - the script's settings: core parameters and `group.var` values with
 *     module ""; `loadmodule` lines as module "", name "loadmodule", value
 *     the module's name; modparams under their module (one per module a
 *     regex names); all in source order; listen, alias and domain one
 *     setting per socket, "[proto:]host[:port]", with " advertise ADDR",
 *     " name \"N\"" and " virtual" for listen; then the preprocessor's
 *     defines as "define:NAME", the value as written ("" for none);
 *   - one route per route block (blocks of one type and name appended; the
 *     default block of a type is named "");
 *   - functions named by the module that exports them in the registry
 *     ("core" for the core actions). */
struct vm_prog;

/* Generate the program of a context that cfgc_check_file() checked
 * without an error. 0 with *out set (the caller frees it with
 * vm_prog_free), or -1 with *out NULL: the context has errors, or the
 * generator added one (a limit such as 256 registers per route, memory). */
int cfgc_generate(cfgc_ctx *ctx, struct vm_prog **out);

/* Preprocess, parse and check one file exactly as cfgc_check_file() does,
 * then, when there is no error, generate its program (`cfgc -o`). The
 * diagnostics stay in ctx (print them with cfgc_print_diags); ctx may be
 * freed afterwards, the program does not depend on it. 0 with *out set
 * (the caller frees it with vm_prog_free), or -1 with *out NULL: the file
 * could not be read, or it has errors (the diagnostics say which). */
int cfgc_compile(cfgc_ctx *ctx, const char *path, struct vm_prog **out);

#endif
