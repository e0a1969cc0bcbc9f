/*
 * cfgc_main.c — the `cfgc` command.
 *
 *   cfgc --check [--target=sipvm|kamailio] [--json] [--werror]
 *        [-A NAME[=VAL]] [-D NAME[=VAL]] [-I DIR] [--sysroot=DIR] FILE...
 *   cfgc -o OUT.svb [options] FILE.cfg      compile to a bytecode image
 *   cfgc --dump [options] FILE...           the listing of a .cfg's program,
 *                                           or of a bytecode image
 *
 * Exit status: 0 no error (warnings allowed), 1 an error (or a warning
 * with --werror; a bad image), 2 usage problem (bad option, unreadable
 * file, the image cannot be written).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgc.h"
#include "../vm/vm.h"

#define CFGC_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: cfgc --check [options] FILE...\n"
	      "       cfgc -o OUT.svb [options] FILE\n"
	      "       cfgc --dump [options] FILE...\n"
	      "\n"
	      "Reads kamailio.cfg files as Kamailio 5.6.3 does and reports mistakes;\n"
	      "compiles them to sipvm bytecode.\n"
	      "\n"
	      "options:\n"
	      "  --check              check the files (the default action)\n"
	      "  -o FILE              compile the one input file into the bytecode image\n"
	      "                       FILE (not written when the input has errors)\n"
	      "  --dump               print the listing of each file's program: a .cfg is\n"
	      "                       compiled first, a bytecode image is read\n"
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

/* The whole of file `path` in a malloc'd buffer (*len bytes), or NULL
 * with errno set. */
static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			unsigned char *nb = nc > ((size_t)1 << 31) ? NULL : realloc(b, nc);
			if (!nb) {
				free(b);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			b = nb;
			cap = nc;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = n;
	return b;
}

/* Is `path` a bytecode image ("SVB\0" magic) rather than a .cfg? */
static int is_image(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	int yes = 0;

	if (!f)
		return 0;
	yes = fread(m, 1, 4, f) == 4 && !memcmp(m, "SVB", 4);
	fclose(f);
	return yes;
}

/* Print a table string between quotes, escaping quotes, backslashes and
 * what is not printable. */
static void put_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7F)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_kconst(FILE *f, const vm_const *k)
{
	if (k->kind == VM_INT)
		fprintf(f, "%d", (int)k->i);
	else
		put_str(f, k->s, k->len);
}

/* After the routes' listing, what it does not show: the settings, and the
 * functions with the constants the loader prepares for them. */
static void dump_tables(const vm_prog *p, FILE *f)
{
	if (p->nset) {
		fprintf(f, "%ssettings (%u)\n", p->nrt ? "\n" : "", p->nset);
		for (uint32_t i = 0; i < p->nset; i++) {
			const vm_setting *st = &p->set[i];
			fprintf(f, "  %s%s%s = ", st->module, st->module[0] ? "." : "", st->name);
			put_kconst(f, &st->val);
			fputc('\n', f);
		}
	}
	if (p->nfn) {
		fprintf(f, "%sfunctions (%u)\n", p->nrt || p->nset ? "\n" : "", p->nfn);
		for (uint32_t i = 0; i < p->nfn; i++) {
			const vm_fnref *fn = &p->fn[i];
			fprintf(f, "  %5u  %s%s%s/%u", i, fn->module, fn->module[0] ? "." : "", fn->name, fn->nargs);
			for (uint32_t a = 0; fn->kargs && a < fn->nargs; a++) {
				fputs(a ? ", " : "  constant arguments: ", f);
				if (fn->kargs[a] < 0 || (uint32_t)fn->kargs[a] >= p->nk)
					fputc('-', f);
				else
					put_kconst(f, &p->k[fn->kargs[a]]);
			}
			fputc('\n', f);
		}
	}
}

/* Write p to `path` through a temporary file renamed over it, so that a
 * failed write leaves no half image. 0, or -1 with a message printed. */
static int write_image(const vm_prog *p, const char *path)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	FILE *f;

	if (!tmp) {
		fputs("cfgc: out of memory\n", stderr);
		return -1;
	}
	snprintf(tmp, n + 8, "%s.tmp", path);
	if (!(f = fopen(tmp, "wb"))) {
		fprintf(stderr, "cfgc: cannot write %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = vm_image_write(p, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "cfgc: cannot write %s: %s\n", path, strerror(errno ? errno : EIO));
		remove(tmp);
	}
	free(tmp);
	return rc;
}

/* --dump of a bytecode image: its listing, or a one-line error. */
static int dump_image(const char *path)
{
	size_t len = 0;
	unsigned char *b = read_all(path, &len);
	vm_prog *p = NULL;
	char err[300];

	if (!b) {
		fprintf(stderr, "cfgc: cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (vm_image_read(b, len, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "cfgc: %s: %s\n", path, err);
		free(b);
		return 1;
	}
	free(b);
	vm_prog_dump(p, stdout);
	dump_tables(p, stdout);
	vm_prog_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	const char **defs = calloc((size_t)argc, sizeof(char *));
	const char **incs = calloc((size_t)argc, sizeof(char *));
	const char **files = calloc((size_t)argc, sizeof(char *));
	int ndefs = 0, nincs = 0, nfiles = 0;
	int json = 0, werror = 0, color = -1, max_errors = 0, rc = 0, dump = 0;
	int target = CFGC_TARGET_SIPVM;
	const char *sysroot = NULL, *out = NULL;

	if (!defs || !incs || !files)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--check")) {
			continue;
		} else if (!strcmp(a, "--dump")) {
			dump = 1;
		} else if (!strncmp(a, "-o", 2) || !strncmp(a, "--output=", 9)) {
			v = a[1] == 'o' ? optval(argc, argv, &i, "-o") : a + 9;
			if (!v || !*v) {
				fputs("cfgc: -o needs a file name\n", stderr);
				rc = 2;
				goto out;
			}
			out = v;
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
	if (out && nfiles != 1) {
		fputs("cfgc: -o takes exactly one input file\n", stderr);
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
		int frc;
		if (dump && nfiles > 1) {
			printf("%s== %s\n", i ? "\n" : "", files[i]);
			fflush(stdout);
		}
		if (dump && !out && is_image(files[i])) {
			frc = dump_image(files[i]);
			if (frc > rc)
				rc = frc;
			continue;
		}
		cfgc_ctx *ctx = cfgc_ctx_new(&opts);
		vm_prog *prog = NULL;
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
		int failed = cfgc_error_count(ctx) || (werror && cfgc_warning_count(ctx));
		if ((dump || out) && !failed && cfgc_generate(ctx, &prog) < 0)
			failed = 1;
		if (json)
			cfgc_print_diags_json(ctx, stdout);
		else if (cfgc_error_count(ctx) || cfgc_warning_count(ctx))
			cfgc_print_diags(ctx, stderr, color);
		if (failed && rc == 0)
			rc = 1;
		if (prog && out && write_image(prog, out) < 0)
			rc = 2;
		if (prog && dump) {
			vm_prog_dump(prog, stdout);
			dump_tables(prog, stdout);
		}
		vm_prog_free(prog);
		cfgc_ctx_free(ctx);
	}
out:
	free(defs);
	free(incs);
	free(files);
	return rc;
}
