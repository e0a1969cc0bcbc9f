/*
 * cfgc_main.c — the `cfgc` command.
 *
 *   cfgc --check [--target=sipvm|kamailio] [--json] [--werror]
 *        [-A NAME[=VAL]] [-D NAME[=VAL]] [-I DIR] [--sysroot=DIR] FILE...
 *
 * Exit status: 0 no error (warnings allowed), 1 an error (or a warning
 * with --werror), 2 usage problem (bad option, unreadable file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgc.h"

#define CFGC_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: cfgc --check [options] FILE...\n"
	      "\n"
	      "Reads kamailio.cfg files as Kamailio 5.6.3 does and reports mistakes.\n"
	      "\n"
	      "options:\n"
	      "  --check              check the files (the default action)\n"
	      "  --target=sipvm       check against the modules sipvm provides (default)\n"
	      "  --target=kamailio    check against Kamailio 5.6.3's modules\n"
	      "  -A NAME[=VALUE]      define NAME for the preprocessor (as kamailio -A)\n"
	      "  -D NAME[=VALUE]      the same\n"
	      "  -I DIR               search DIR for include_file/import_file\n"
	      "  --sysroot=DIR        look for absolute include_file paths under DIR first\n"
	      "  --json               print diagnostics as JSON\n"
	      "  --werror             exit 1 on warnings too\n"
	      "  --color=WHEN         auto, always or never\n"
	      "  --max-errors=N       stop reporting after N errors (default 20)\n"
	      "  -h, --help           this text\n"
	      "  --version            print the version\n",
	      f);
}

/* Option value either glued ("-AFOO") or in the next argument. */
static const char *optval(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);
	if (argv[*i][n])
		return argv[*i] + n + (argv[*i][n] == '=');
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char **defs = calloc((size_t)argc, sizeof(char *));
	const char **incs = calloc((size_t)argc, sizeof(char *));
	const char **files = calloc((size_t)argc, sizeof(char *));
	int ndefs = 0, nincs = 0, nfiles = 0;
	int json = 0, werror = 0, color = -1, max_errors = 0, rc = 0;
	int target = CFGC_TARGET_SIPVM;
	const char *sysroot = NULL;

	if (!defs || !incs || !files)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--check")) {
			continue;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--werror")) {
			werror = 1;
		} else if (!strncmp(a, "--target=", 9)) {
			if (!strcmp(a + 9, "sipvm"))
				target = CFGC_TARGET_SIPVM;
			else if (!strcmp(a + 9, "kamailio"))
				target = CFGC_TARGET_KAMAILIO;
			else {
				fprintf(stderr, "cfgc: unknown target '%s' (sipvm or kamailio)\n", a + 9);
				rc = 2;
				goto out;
			}
		} else if (!strncmp(a, "--color", 7)) {
			const char *w = a[7] == '=' ? a + 8 : "always";
			color = !strcmp(w, "always") ? 1 : !strcmp(w, "never") ? 0 : -1;
		} else if (!strncmp(a, "--sysroot=", 10)) {
			sysroot = a + 10;
		} else if (!strncmp(a, "--max-errors=", 13)) {
			max_errors = atoi(a + 13);
		} else if (!strncmp(a, "-A", 2) || !strncmp(a, "-D", 2)) {
			if (!(v = optval(argc, argv, &i, "-A")) || !*v) {
				fprintf(stderr, "cfgc: %s needs NAME[=VALUE]\n", a);
				rc = 2;
				goto out;
			}
			defs[ndefs++] = v;
		} else if (!strncmp(a, "-I", 2)) {
			if (!(v = optval(argc, argv, &i, "-I")) || !*v) {
				fputs("cfgc: -I needs a directory\n", stderr);
				rc = 2;
				goto out;
			}
			incs[nincs++] = v;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			goto out;
		} else if (!strcmp(a, "--version")) {
			printf("cfgc %s (language of Kamailio 5.6.3)\n", CFGC_VERSION);
			goto out;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cfgc: unknown option '%s'\n", a);
			usage(stderr);
			rc = 2;
			goto out;
		} else {
			files[nfiles++] = a;
		}
	}
	if (!nfiles) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	if (color < 0)
		color = !json && isatty(2) && getenv("NO_COLOR") == NULL;

	cfgc_opts opts = {
		.target = target,
		.defines = defs, .ndefines = ndefs,
		.incdirs = incs, .nincdirs = nincs,
		.max_errors = max_errors,
		.sysroot = sysroot,
	};
	for (int i = 0; i < nfiles; i++) {
		cfgc_ctx *ctx = cfgc_ctx_new(&opts);
		if (!ctx) {
			rc = 2;
			break;
		}
		if (cfgc_check_file(ctx, files[i]) < 0) {
			if (json)
				cfgc_print_diags_json(ctx, stdout);
			else
				cfgc_print_diags(ctx, stderr, color);
			cfgc_ctx_free(ctx);
			rc = 2;
			continue;
		}
		if (json)
			cfgc_print_diags_json(ctx, stdout);
		else if (cfgc_error_count(ctx) || cfgc_warning_count(ctx))
			cfgc_print_diags(ctx, stderr, color);
		if (cfgc_error_count(ctx) || (werror && cfgc_warning_count(ctx)))
			if (rc == 0)
				rc = 1;
		cfgc_ctx_free(ctx);
	}
out:
	free(defs);
	free(incs);
	free(files);
	return rc;
}
