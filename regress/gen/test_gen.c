/*
 * test_gen.c — the code generator (cfgc_gen.c) over every configuration
 * the front end accepts (TAP).
 *
 * 1. Every case of the shared corpus (../shared/corpus/manifest.tsv, with
 *    its defines and include folder) and every .cfg of samples/ and
 *    regress/, for both targets: when `--check` accepts it, it compiles;
 *    the program passes vm_prog_check; its image read back gives the same
 *    listing and encodes to the same bytes; compiling it again gives the
 *    same bytes (nothing left behind between compilations).
 * 2. Small configurations with known answers: the public entry points,
 *    the route table, settings, constant arguments, the line table of an
 *    included file, the limits (256 registers, jump distance), and the
 *    files it must refuse.
 *
 * Run it on the sanitizer build too: every compilation frees what it took.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgc_int.h"

#include "../tap.h"

/* Is the first diagnostic of ctx an error with this code? */
static int ctx_first_code_is(const cfgc_ctx *ctx, const char *code)
{
	return ctx->diags && ctx->diags->severity == CFGC_ERROR && ctx->diags->code &&
	       !strcmp(ctx->diags->code, code);
}

/* The listing of p as a malloc'd string. */
static char *dump_str(const vm_prog *p)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	vm_prog_dump(p, f);
	fclose(f);
	return s;
}

/* Compile path (relative to the working directory) for a target with
 * defines. Returns the program, or NULL; *errors gets the error count
 * (-1 when the file could not be read). */
static vm_prog *compile(const char *path, int target, const char **defs, int ndefs,
                        const char *sysroot, int *errors)
{
	cfgc_opts o = { .target = target, .defines = defs, .ndefines = ndefs, .sysroot = sysroot };
	cfgc_ctx *ctx = cfgc_ctx_new(&o);
	vm_prog *p = NULL;
	if (!ctx) {
		*errors = -1;
		return NULL;
	}
	int rc = cfgc_compile(ctx, path, &p);
	*errors = cfgc_error_count(ctx);
	if (rc < 0 && !*errors)
		*errors = -1;
	cfgc_ctx_free(ctx);
	return p;
}

static int nfailed_checks;

/* Every property a generated program must have; one `not ok` line per
 * failure, silence otherwise. */
static void check_prog(const char *what, vm_prog *p, const char *path, int target,
                       const char **defs, int ndefs, const char *sysroot)
{
	char err[300];
	unsigned char *img = NULL, *img2 = NULL, *img3 = NULL;
	size_t n = 0, n2 = 0, n3 = 0;
	vm_prog *back = NULL, *again = NULL;
	char *d1 = NULL, *d2 = NULL;
	int errors;

	if (vm_prog_check(p, err, sizeof(err)) < 0) {
		ok(0, "%s: vm_prog_check: %s", what, err);
		nfailed_checks++;
		return;
	}
	if (vm_image_encode(p, &img, &n) < 0 || vm_image_read(img, n, &back, err, sizeof(err)) < 0) {
		ok(0, "%s: image round trip: %s", what, back ? "" : err);
		nfailed_checks++;
		goto out;
	}
	d1 = dump_str(p);
	d2 = dump_str(back);
	if (!d1 || !d2 || strcmp(d1, d2) != 0) {
		ok(0, "%s: the image read back gives another listing", what);
		nfailed_checks++;
		goto out;
	}
	if (vm_image_encode(back, &img2, &n2) < 0 || n2 != n || memcmp(img, img2, n) != 0) {
		ok(0, "%s: the image read back encodes to other bytes", what);
		nfailed_checks++;
		goto out;
	}
	again = compile(path, target, defs, ndefs, sysroot, &errors);
	if (!again || vm_image_encode(again, &img3, &n3) < 0 || n3 != n || memcmp(img, img3, n) != 0) {
		ok(0, "%s: a second compilation gives another program", what);
		nfailed_checks++;
	}
out:
	free(img);
	free(img2);
	free(img3);
	free(d1);
	free(d2);
	vm_prog_free(back);
	vm_prog_free(again);
}

typedef struct {
	int accepted, generated;
} tally;

/* One case: compile, and when the front end accepts it, check it. */
static void one_case(const char *what, const char *path, int target, const char **defs, int ndefs,
                     const char *sysroot, tally *t)
{
	int errors;
	vm_prog *p = compile(path, target, defs, ndefs, sysroot, &errors);
	if (errors)
		return;
	t->accepted++;
	if (!p) {
		ok(0, "%s: accepted by the front end but not compiled", what);
		nfailed_checks++;
		return;
	}
	t->generated++;
	check_prog(what, p, path, target, defs, ndefs, sysroot);
	vm_prog_free(p);
}

static const char *target_name(int t)
{
	return t == CFGC_TARGET_KAMAILIO ? "kamailio" : "sipvm";
}

/* The corpus manifest: case_id file defines result ... include_dir ...
 * (tab-separated). Each case runs in its folder, as the conformance run
 * does. */
static void corpus(const char *top)
{
	char corp[PATH_MAX], path[PATH_MAX * 2], line[8192];
	const char *env = getenv("CORPUS");
	snprintf(corp, sizeof(corp), "%s", env ? env : "../shared/corpus");
	if (corp[0] != '/') {
		char t[PATH_MAX * 2];
		snprintf(t, sizeof(t), "%s/%s", top, corp);
		if (!realpath(t, corp)) {
			ok(1, "corpus # SKIP no corpus at %s", t);
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/manifest.tsv", corp);
	FILE *m = fopen(path, "r");
	if (!m) {
		ok(1, "corpus # SKIP no %s", path);
		return;
	}
	for (int target = 0; target < 2; target++) {
		tally t = { 0, 0 };
		int before = nfailed_checks;
		rewind(m);
		if (!fgets(line, sizeof(line), m)) /* header */
			break;
		while (fgets(line, sizeof(line), m)) {
			char *f[12] = { 0 };
			int nf = 0;
			line[strcspn(line, "\n")] = '\0';
			for (char *p = line; nf < 12;) {
				f[nf++] = p;
				char *tab = strchr(p, '\t');
				if (!tab)
					break;
				*tab = '\0';
				p = tab + 1;
			}
			if (nf < 7 || !f[1][0])
				continue;
			/* defines: "-A X -A Y" */
			const char *defs[32];
			int ndefs = 0;
			for (char *tok = strtok(f[2], " "); tok && ndefs < 32; tok = strtok(NULL, " "))
				if (strcmp(tok, "-A") && strcmp(tok, "-D"))
					defs[ndefs++] = tok;
			char dir[PATH_MAX * 2], file[PATH_MAX * 3], sysroot[PATH_MAX * 3];
			const char *sr = NULL;
			struct stat st;
			if (f[6][0]) {
				snprintf(dir, sizeof(dir), "%s/files/%s", corp, f[6]);
				snprintf(file, sizeof(file), "%s/files/%s", corp, f[1]);
				snprintf(sysroot, sizeof(sysroot), "%s/_abs", dir);
				if (stat(sysroot, &st) == 0)
					sr = sysroot;
			} else {
				snprintf(dir, sizeof(dir), "%s", corp);
				snprintf(file, sizeof(file), "files/%s", f[1]);
			}
			if (chdir(dir) < 0)
				continue;
			char what[600];
			snprintf(what, sizeof(what), "corpus %s (%s)", f[0], target_name(target));
			one_case(what, file, target, defs, ndefs, sr, &t);
		}
		if (chdir(top) < 0)
			break;
		ok(nfailed_checks == before && t.accepted > 0 && t.generated == t.accepted,
		   "corpus, target %s: %d accepted cases, %d compiled and checked", target_name(target),
		   t.accepted, t.generated);
	}
	fclose(m);
}

/* Every .cfg under dir (recursively), each compiled in its own folder. */
static void tree(const char *top, const char *dir, int target, tally *t)
{
	char path[PATH_MAX * 2];
	DIR *d;
	struct dirent *e;
	snprintf(path, sizeof(path), "%s/%s", top, dir);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char sub[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		snprintf(path, sizeof(path), "%s/%s", top, sub);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			tree(top, sub, target, t);
			continue;
		}
		if (l < 5 || strcmp(e->d_name + l - 4, ".cfg"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", top, dir);
		if (chdir(path) < 0)
			continue;
		char what[PATH_MAX + 32];
		snprintf(what, sizeof(what), "%s (%s)", sub, target_name(target));
		one_case(what, e->d_name, target, NULL, 0, NULL, t);
		if (chdir(top) < 0)
			break;
	}
	closedir(d);
}

static void project_files(const char *top)
{
	for (int target = 0; target < 2; target++) {
		tally t = { 0, 0 };
		int before = nfailed_checks;
		tree(top, "samples", target, &t);
		tree(top, "regress", target, &t);
		ok(nfailed_checks == before && t.accepted > 0 && t.generated == t.accepted,
		   "samples and regress, target %s: %d accepted files, %d compiled and checked",
		   target_name(target), t.accepted, t.generated);
	}
}

/* ------------------------------------------------------- known answers */

static char tmpdir[PATH_MAX];

static const char *write_cfg(const char *name, const char *text)
{
	static char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* The route of this type and name, or NULL. */
static const vm_route *route_of(const vm_prog *p, uint32_t type, const char *name)
{
	for (uint32_t i = 0; i < p->nrt; i++)
		if (p->rt[i].type == type && !strcmp(p->rt[i].name, name))
			return &p->rt[i];
	return NULL;
}

static int has_setting(const vm_prog *p, uint32_t i, const char *module, const char *name,
                       const char *sval, int ival)
{
	if (i >= p->nset)
		return 0;
	const vm_setting *s = &p->set[i];
	if (strcmp(s->module, module) || strcmp(s->name, name))
		return 0;
	if (sval)
		return s->val.kind == VM_STR && !strcmp(s->val.s, sval);
	return s->val.kind == VM_INT && s->val.i == ival;
}

static void known_answers(void)
{
	int errors, good;
	vm_prog *p;
	cfgc_ctx *ctx;

	/* a file that is not there */
	ctx = cfgc_ctx_new(NULL);
	p = (vm_prog *)1;
	ok(cfgc_compile(ctx, "/nonexistent/kamailio.cfg", &p) == -1 && p == NULL &&
	   cfgc_error_count(ctx) == 1,
	   "cfgc_compile: an unreadable file is -1, no program, one diagnostic");
	cfgc_ctx_free(ctx);

	/* an error in the file: no program */
	p = compile(write_cfg("bad.cfg", "request_route { no_such_fn(); }\n"), 0, NULL, 0, NULL, &errors);
	ok(!p && errors == 1, "a file with an error gives no program");

	/* cfgc_generate refuses a context with errors */
	ctx = cfgc_ctx_new(NULL);
	cfgc_check_file(ctx, write_cfg("bad.cfg", "request_route { no_such_fn(); }\n"));
	p = (vm_prog *)1;
	ok(cfgc_generate(ctx, &p) == -1 && !p, "cfgc_generate refuses a context with errors");
	cfgc_ctx_free(ctx);

	/* route table, one route per kind */
	p = compile(write_cfg("routes.cfg",
	                      "loadmodule \"tm.so\"\n"
	                      "request_route { route(A); t_on_failure(\"F\"); t_on_branch(\"B\");"
	                      " t_on_reply(\"R\"); }\n"
	                      "route[A] { exit; }\n"
	                      "failure_route[F] { exit; }\n"
	                      "branch_route[B] { exit; }\n"
	                      "onreply_route[R] { exit; }\n"
	                      "onreply_route { exit; }\n"
	                      "onsend_route { exit; }\n"
	                      "event_route[tm:local-request] { exit; }\n"),
	            0, NULL, 0, NULL, &errors);
	ok(p && p->nrt == 8 && route_of(p, VM_RT_REQUEST, "") && route_of(p, VM_RT_REQUEST, "A") &&
	   route_of(p, VM_RT_FAILURE, "F") && route_of(p, VM_RT_BRANCH, "B") &&
	   route_of(p, VM_RT_TM_ONREPLY, "R") && route_of(p, VM_RT_CORE_ONREPLY, "") &&
	   route_of(p, VM_RT_ONSEND, "") && route_of(p, VM_RT_EVENT, "tm:local-request"),
	   "route table: every kind of block with its type and name");
	ok(p && !strcmp(p->rt[0].name, "") && !strcmp(p->rt[1].name, "A"), "routes in source order");
	vm_prog_free(p);

	/* settings, in source order */
	p = compile(write_cfg("settings.cfg",
	                      "debug = 4\n"
	                      "loadmodule \"/usr/lib/x86_64-linux-gnu/kamailio/modules/tm.so\"\n"
	                      "alias = a.example.com b.example.com:5070\n"
	                      "modparam(\"TM\", \"fr_timer\", 3000)\n"
	                      "modparam(\"tm\", \"failure_reply_mode\", 3)\n"
	                      "server_header = \"Server: x\"\n"
	                      "request_route { ; }\n"),
	            0, NULL, 0, NULL, &errors);
	ok(p && p->nset > 7 && has_setting(p, 0, "", "debug", NULL, 4) &&
	   has_setting(p, 1, "", "loadmodule", "tm", 0) && has_setting(p, 2, "", "alias", "a.example.com", 0) &&
	   has_setting(p, 3, "", "alias", "b.example.com:5070", 0) &&
	   has_setting(p, 4, "tm", "fr_timer", NULL, 3000) &&
	   has_setting(p, 5, "tm", "failure_reply_mode", NULL, 3) &&
	   has_setting(p, 6, "", "server_header", "Server: x", 0),
	   "settings: core parameters, loadmodule by name, sockets one by one, modparams, in order");
	good = 0;
	for (uint32_t i = 7; p && i < p->nset; i++)
		good += has_setting(p, i, "", "define:KAMAILIO_5", "", 0) ||
		        has_setting(p, i, "", "define:MOD_tm", "", 0);
	ok(good == 2, "then the preprocessor's defines (predefined, and MOD_tm from loadmodule)");
	vm_prog_free(p);

	{
		const char *defs[] = { "WITH_X", "LEVEL=3" };
		p = compile(write_cfg("defs.cfg", "#!define GREETING \"hello\"\nrequest_route { exit; }\n"),
		            0, defs, 2, NULL, &errors);
		good = 0;
		for (uint32_t i = 0; p && i < p->nset; i++)
			good += has_setting(p, i, "", "define:GREETING", "\"hello\"", 0) +
			        has_setting(p, i, "", "define:WITH_X", "", 0) +
			        has_setting(p, i, "", "define:LEVEL", "3", 0);
		ok(good == 3, "defines from the file and the command line, values as written");
		vm_prog_free(p);
	}

	/* constant arguments and formats */
	p = compile(write_cfg("args.cfg",
	                      "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"
	                      "request_route { sl_send_reply(\"404\", \"Gone $rU\"); pv_isset($var(x)); }\n"),
	            0, NULL, 0, NULL, &errors);
	good = p && p->nfn == 2 && p->nf == 1 && !strcmp(p->f[0].s, "Gone $rU");
	if (good) {
		const vm_fnref *sl = &p->fn[0], *pv = &p->fn[1];
		good = !strcmp(sl->module, "sl") && !strcmp(sl->name, "sl_send_reply") && sl->nargs == 2 &&
		       sl->kargs && sl->kargs[0] >= 0 && p->k[sl->kargs[0]].kind == VM_INT &&
		       p->k[sl->kargs[0]].i == 404 && sl->kargs[1] == -1 &&
		       !strcmp(pv->module, "pv") && pv->kargs && p->k[pv->kargs[0]].kind == VM_STR &&
		       !strcmp(p->k[pv->kargs[0]].s, "$var(x)");
	}
	ok(good, "constant arguments: an int for kind i, the PV's text for kind p, a format for s");
	vm_prog_free(p);

	/* the line table of an included file */
	write_cfg("part.cfg", "route[P] {\n\texit;\n}\n");
	p = compile(write_cfg("main.cfg", "include_file \"part.cfg\"\nrequest_route {\n\troute(P);\n}\n"),
	            0, NULL, 0, NULL, &errors);
	good = 0;
	if (p) {
		const vm_route *r = route_of(p, VM_RT_REQUEST, "P");
		for (uint32_t i = 0; r && i < p->nlines; i++)
			if (p->lines[i].pc == r->first)
				good = strstr(p->files[p->lines[i].file].s, "part.cfg") && p->lines[i].line == 2;
	}
	ok(good, "an included file's code carries that file's name and lines");
	vm_prog_free(p);

	/* more than 256 registers */
	{
		size_t cap = 40000, o = 0;
		char *t = malloc(cap);
		o += (size_t)snprintf(t + o, cap - o, "loadmodule \"pv.so\"\nrequest_route {\n$var(y) = ");
		for (int i = 0; i < 300; i++)
			o += (size_t)snprintf(t + o, cap - o, "$var(x) + (");
		o += (size_t)snprintf(t + o, cap - o, "1");
		for (int i = 0; i < 300; i++)
			t[o++] = ')';
		snprintf(t + o, cap - o, ";\n}\n");
		ctx = cfgc_ctx_new(NULL);
		p = (vm_prog *)1;
		int rc = cfgc_compile(ctx, write_cfg("regs.cfg", t), &p);
		ok(rc == -1 && !p && cfgc_error_count(ctx) == 1 && ctx_first_code_is(ctx, "gen-limit"),
		   "an expression needing more than 256 registers is one error");
		cfgc_ctx_free(ctx);
		free(t);
	}

	/* a jump over more than 32767 instructions */
	{
		size_t cap = 24 * 18000 + 200, o = 0;
		char *t = malloc(cap);
		o += (size_t)snprintf(t + o, cap - o, "loadmodule \"pv.so\"\nrequest_route {\nif ($var(c)) {\n");
		for (int i = 0; i < 18000; i++)
			o += (size_t)snprintf(t + o, cap - o, "$var(a) = $var(b);\n");
		snprintf(t + o, cap - o, "}\n}\n");
		ctx = cfgc_ctx_new(NULL);
		p = (vm_prog *)1;
		int rc = cfgc_compile(ctx, write_cfg("long.cfg", t), &p);
		ok(rc == -1 && !p && cfgc_error_count(ctx) == 1 && ctx_first_code_is(ctx, "gen-limit"),
		   "a jump over more than 32767 instructions is one error");
		cfgc_ctx_free(ctx);
		free(t);
	}
}

int main(void)
{
	char top[PATH_MAX];
	if (!getcwd(top, sizeof(top)))
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_gen.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	known_answers();
	project_files(top);
	corpus(top);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done();
}
