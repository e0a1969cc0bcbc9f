/*
 * cfgc_check.c — the linter: semantic checks over the AST.
 *
 * Walks the top-level statements in file order, as Kamailio does while it
 * parses: a module's functions, parameters and pseudo-variables are known
 * only after its loadmodule. Route references are resolved at the end,
 * over the whole file (Kamailio does that in its fixup phase, which
 * `kamailio -c` never reaches).
 *
 * Severity policy: an error is what makes Kamailio refuse the config (at
 * check or at start) or what can only be a mistake that breaks routing; a
 * warning is what runs but probably not as the author thinks.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgc_int.h"

#define MAX_MODS 256
/* Left-leaning chains such as 1 + 1 + ... are as deep as they are long;
 * past this depth the checker stops descending instead of exhausting the
 * stack. */
#define MAX_EXPR_DEPTH 2000

/* Route tables, one per namespace. */
enum { NS_REQUEST, NS_FAILURE, NS_ONREPLY, NS_BRANCH, NS_ONSEND, NS_EVENT, NS_COUNT };
static const char *ns_name[NS_COUNT] = {
	"route", "failure_route", "onreply_route", "branch_route", "onsend_route", "event_route",
};

typedef struct {
	const char *name;
	cfgc_span span;
	const cfgc_node *node;
	int used;
} route_def;

typedef struct {
	int ns;
	const char *name;
	cfgc_span span;
	const char *via; /* "route", "t_on_failure" ..., or "$var(x)" for a propagated value */
} route_ref;

typedef struct {
	char *name;
	const char *value; /* constant string last assigned, NULL if unknown */
} var_const;

/* One exported name of a loaded module. The index is an open-addressing
 * hash whose probe sequences meet equal names in insertion order, which is
 * load order: the first match is the one Kamailio picks. Looking names up
 * by scanning every loaded module was a fifth of a whole check. */
typedef struct {
	const char *name;   /* NULL: empty slot */
	uint32_t hash;
	int is_pv;
	const vm_module *mod;
	const void *exp;    /* vm_fn_export or vm_pv_export */
} name_slot;

typedef struct {
	cfgc_ctx *ctx;
	const vm_registry *reg;    /* what the target provides */
	const vm_registry *kam;    /* Kamailio's catalog, for better messages */
	const vm_module *loaded[MAX_MODS];
	int nloaded;
	/* names exported by the loaded modules, in load order, and their
	 * open-addressing index (see names_put) */
	name_slot *ents;
	size_t nents, capents;
	uint32_t *names;
	size_t capnames;
	int failed_modules;        /* loadmodule lines that could not be honoured */
	const char *failed_first;

	route_def *defs[NS_COUNT];
	int ndefs[NS_COUNT], capdefs[NS_COUNT];
	route_ref *refs;
	int nrefs, caprefs;
	int dynamic_route_calls;
	int have_native_engine;    /* 0 when cfgengine selects a KEMI engine */

	/* functions already reported as not implemented by sipvm */
	const vm_fn_export *unimpl[64];
	int nunimpl;

	/* flags declared with `flags` */
	const char *flag_names[64];
	int nflags;
	/* htables declared through modparam("htable", "htable", ...) */
	const char *htables[128];
	int nhtables;
	int htable_loaded;
	/* every string value given to modparam: may name routes */
	const char *modparam_strs[512];
	int nmodparam_strs;

	/* current route walk */
	int rtype;
	int loops, switches;
	int depth;          /* expression recursion, bounded by MAX_EXPR_DEPTH */
	int too_deep;       /* reported once */
	var_const vars[32];
	int nvars;

	cfgc_lookup lk;
} chk;

/* ---------------------------------------------------------------- names */

static const char *mod_basename(cfgc_ctx *ctx, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 3 && !strcmp(b + n - 3, ".so"))
		n -= 3;
	return cfgc_strndup(ctx, b, n);
}

static int is_loaded(const chk *c, const char *name)
{
	for (int i = 0; i < c->nloaded; i++)
		if (!strcmp(c->loaded[i]->name, name))
			return 1;
	return 0;
}

/* Find a function by name and parameter count among the loaded modules,
 * in load order (core first). *any_arity gets a module that has the name
 * with another arity. */
static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Hash slot i of the index: position in c->ents + 1 (0: empty). */
static void names_index(chk *c, size_t e)
{
	size_t mask = c->capnames - 1, i = c->ents[e].hash & mask;
	while (c->names[i])
		i = (i + 1) & mask;
	c->names[i] = (uint32_t)e + 1;
}

static void names_put(chk *c, const char *name, int is_pv, const vm_module *m, const void *exp)
{
	if (c->nents == c->capents) {
		size_t cap = c->capents ? c->capents * 2 : 512;
		name_slot *ne = realloc(c->ents, cap * sizeof(*ne));
		if (!ne)
			return;
		c->ents = ne;
		c->capents = cap;
	}
	c->ents[c->nents] = (name_slot){ name, name_hash(name, strlen(name)), is_pv, m, exp };
	c->nents++;
	if (c->nents * 2 > c->capnames) {
		/* rebuild from the entries, in insertion (= load) order */
		size_t cap = c->capnames ? c->capnames * 2 : 1024;
		uint32_t *nn = calloc(cap, sizeof(*nn));
		if (!nn)
			return;
		free(c->names);
		c->names = nn;
		c->capnames = cap;
		for (size_t e = 0; e < c->nents; e++)
			names_index(c, e);
	} else {
		names_index(c, c->nents - 1);
	}
}

/* Next entry after *pos (start with *pos = (size_t)-1) holding `name`
 * (n bytes) of the wanted kind, or NULL. */
static const name_slot *names_next(const chk *c, const char *name, size_t n, int is_pv, size_t *pos,
                                   uint32_t h)
{
	if (!c->capnames)
		return NULL;
	size_t mask = c->capnames - 1;
	size_t i = *pos == (size_t)-1 ? (h & mask) : ((*pos + 1) & mask);
	for (; c->names[i]; i = (i + 1) & mask) {
		const name_slot *sl = &c->ents[c->names[i] - 1];
		if (sl->hash == h && sl->is_pv == is_pv && !strncmp(sl->name, name, n) && !sl->name[n]) {
			*pos = i;
			return sl;
		}
	}
	return NULL;
}

static const vm_fn_export *find_fn(const chk *c, const char *name, int nargs, const vm_module **mod,
                                   const vm_fn_export **other, const vm_module **other_mod)
{
	size_t pos = (size_t)-1, n = strlen(name);
	uint32_t h = name_hash(name, n);
	*other = NULL;
	for (const name_slot *sl; (sl = names_next(c, name, n, 0, &pos, h));) {
		const vm_fn_export *f = sl->exp;
		if (f->nparams == nargs || f->nparams == VM_NPARAMS_VAR) {
			*mod = sl->mod;
			return f;
		}
		if (!*other) {
			*other = f;
			*other_mod = sl->mod;
		}
	}
	return NULL;
}

/* Is `name` a function of any module of registry `reg`? Returns the
 * module or NULL. */
static const vm_module *fn_anywhere(const vm_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->nmods; i++)
		for (const vm_fn_export *f = reg->mods[i]->fns; f && f->name; f++)
			if (!strcmp(f->name, name))
				return reg->mods[i];
	return NULL;
}

/* "Did you mean": keep `cand` in *best when it is within *limit edits of
 * `want` and closer than what *best holds (the first of equally close
 * candidates wins); *limit tightens to the distance kept. Returns 1 when
 * `cand` was kept. */
static int closest(const char *want, const char *cand, int *limit, const char **best)
{
	int d = cfgc_edit_distance(want, cand);
	if (d > *limit || (*best && d >= *limit))
		return 0;
	*limit = d;
	*best = cand;
	return 1;
}

/* The closest function name among loaded modules (and, failing that, in
 * the whole registry), within an edit distance that scales with length. */
static const char *suggest_fn(const chk *c, const char *name, const char **module)
{
	int best = 1 + (int)strlen(name) / 3;
	const char *res = NULL;
	if (best > 4)
		best = 4;
	for (int pass = 0; pass < 2 && !res; pass++) {
		size_t n = pass ? c->reg->nmods : (size_t)c->nloaded;
		for (size_t i = 0; i < n; i++) {
			const vm_module *m = pass ? c->reg->mods[i] : c->loaded[i];
			for (const vm_fn_export *f = m->fns; f && f->name; f++)
				if (closest(name, f->name, &best, &res))
					*module = m->name;
		}
	}
	return res;
}

/* ------------------------------------------------------- lookup for PVs */

static const vm_pv_export *lk_pv(void *env, const char *name, size_t n, const char **module)
{
	chk *c = env;
	size_t pos = (size_t)-1;
	const name_slot *sl = names_next(c, name, n, 1, &pos, name_hash(name, n));
	if (!sl)
		return NULL;
	if (module)
		*module = sl->mod->name;
	return sl->exp;
}

static int lk_tr(void *env, const char *cls, size_t cn, const char *name, size_t nn)
{
	chk *c = env;
	int found = 0;
	for (int i = 0; i < c->nloaded; i++)
		for (const vm_tr_export *t = c->loaded[i]->trs; t && t->cls; t++) {
			if (strlen(t->cls) != cn || memcmp(t->cls, cls, cn))
				continue;
			found = 1;
			if (strlen(t->name) == nn && !strncasecmp(t->name, name, nn))
				return 2;
		}
	return found;
}

static int lk_htable(void *env, const char *name, size_t n)
{
	chk *c = env;
	if (!c->htable_loaded)
		return -1;
	for (int i = 0; i < c->nhtables; i++)
		if (strlen(c->htables[i]) == n && !memcmp(c->htables[i], name, n))
			return 1;
	return 0;
}

/* Closest PV class among the loaded modules. */
static const char *lk_pv_suggest(void *env, const char *name, size_t n)
{
	chk *c = env;
	char buf[64];
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	const char *best = NULL;
	int bd = n < 3 ? 1 : 2;
	for (int i = 0; i < c->nloaded; i++)
		for (const vm_pv_export *p = c->loaded[i]->pvs; p && p->name; p++)
			closest(buf, p->name, &bd, &best);
	return best;
}

/* A module of the target that provides PV class `name` but is not loaded. */
static const char *lk_pv_module(void *env, const char *name, size_t n)
{
	chk *c = env;
	for (size_t i = 0; i < c->reg->nmods; i++)
		for (const vm_pv_export *p = c->reg->mods[i]->pvs; p && p->name; p++)
			if (strlen(p->name) == n && !memcmp(p->name, name, n))
				return c->reg->mods[i]->name;
	return NULL;
}

/* Closest transformation class (name == NULL) or name within a class. */
static const char *lk_tr_suggest(void *env, const char *cls, size_t cn, const char *name, size_t nn)
{
	chk *c = env;
	char buf[64];
	const char *want = name ? name : cls;
	size_t wn = name ? nn : cn;
	if (wn >= sizeof(buf))
		return NULL;
	memcpy(buf, want, wn);
	buf[wn] = '\0';
	const char *best = NULL;
	int bd = wn < 4 ? 1 : 3;
	for (int i = 0; i < c->nloaded; i++)
		for (const vm_tr_export *t = c->loaded[i]->trs; t && t->cls; t++) {
			if (name && (strlen(t->cls) != cn || memcmp(t->cls, cls, cn)))
				continue;
			closest(buf, name ? t->name : t->cls, &bd, &best);
		}
	return best;
}

/* ------------------------------------------------------------- modules */

static void add_module(chk *c, const vm_module *m)
{
	if (c->nloaded < MAX_MODS)
		c->loaded[c->nloaded++] = m;
	for (const vm_fn_export *f = m->fns; f && f->name; f++)
		names_put(c, f->name, 0, m, f);
	for (const vm_pv_export *p = m->pvs; p && p->name; p++)
		names_put(c, p->name, 1, m, p);
	if (!strcmp(m->name, "htable"))
		c->htable_loaded = 1;
}

static const char *suggest_module(const vm_registry *reg, const char *name)
{
	const char *best = NULL;
	int bd = 2;
	for (size_t i = 0; i < reg->nmods; i++)
		closest(name, reg->mods[i]->name, &bd, &best);
	return best;
}

/* Kamailio's Debian packages put every module in one flat folder. */
#define KAM_MODULE_DIR "/usr/lib/x86_64-linux-gnu/kamailio/modules"

/* A module given by path. Kamailio 5.6.3 from Debian looks for a relative
 * path with a folder inside its (flat) module folder and opens an absolute
 * path as it is, so such lines load only on the machine they were written
 * for. That is the environment, not the language: a warning, and the
 * module is then taken by its base name. */
static void check_module_path(chk *c, const cfgc_node *a)
{
	const char *p = a->str;
	if (!strchr(p, '/') || c->ctx->opts.target != CFGC_TARGET_KAMAILIO)
		return;
	size_t dl = strlen(KAM_MODULE_DIR), n = strlen(p);
	if (!strncmp(p, KAM_MODULE_DIR, dl) && p[dl] == '/' && !strchr(p + dl + 1, '/'))
		return;
	char path[512];
	snprintf(path, sizeof(path), "%s%s", p, n > 3 && !strcmp(p + n - 3, ".so") ? "" : ".so");
	if (p[0] == '/' && access(path, R_OK) == 0)
		return;
	cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_WARNING, "module-path", a->span,
	                              p[0] == '/' ? "there is no module file '%s' on this machine"
	                                          : "Kamailio looks for '%s' inside its module folder, "
	                                            "which has no subfolders",
	                              path);
	cfgc_diag_help(c->ctx, d, "Kamailio 5.6.3 from Debian keeps its modules in " KAM_MODULE_DIR
	               ": loadmodule \"%s.so\" finds it there", mod_basename(c->ctx, p));
}

static void check_loadmodule(chk *c, const cfgc_node *n)
{
	if (!n->a || n->a->kind != N_STR)
		return;
	check_module_path(c, n->a);
	const char *name = mod_basename(c->ctx, n->a->str);
	if (is_loaded(c, name)) {
		/* Kamailio 5.6.3 warns "attempting to load the same module
		 * twice" and then fails the parse ("failed to load module") */
		if (c->ctx->opts.target == CFGC_TARGET_KAMAILIO) {
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "module-loaded-twice", n->a->span,
			                              "module '%s' is already loaded: Kamailio refuses to load it twice",
			                              name);
			cfgc_diag_help(c->ctx, d, "remove this loadmodule");
		} else {
			cfgc_diag_span(c->ctx, CFGC_WARNING, "module-loaded-twice", n->a->span,
			               "module '%s' is already loaded; this loadmodule is ignored", name);
		}
		return;
	}
	const vm_module *m = vm_registry_find(c->reg, name);
	if (m && !m->unavailable) {
		add_module(c, m);
		return;
	}
	c->failed_modules++;
	if (!c->failed_first)
		c->failed_first = name;
	cfgc_diag *d;
	if (m) {
		cfgc_diag_span(c->ctx, CFGC_ERROR, "module-unavailable", n->a->span,
		               "module '%s' %s", name, m->unavailable);
		return;
	}
	if (c->reg != c->kam && vm_registry_find(c->kam, name)) {
		d = cfgc_diag_span(c->ctx, CFGC_ERROR, "module-not-provided", n->a->span,
		                   "module '%s' is a Kamailio module that sipvm does not provide", name);
		cfgc_diag_help(c->ctx, d, "check with --target=kamailio to lint for Kamailio itself");
		return;
	}
	d = cfgc_diag_span(c->ctx, CFGC_ERROR, "unknown-module", n->a->span,
	                   "unknown module '%s': %s has no such module", name, c->reg->label);
	const char *s = suggest_module(c->reg, name);
	if (s)
		cfgc_diag_help(c->ctx, d, "did you mean '%s'?", s);
}

/* modparam("regex", "name", value): the module part is an anchored,
 * case-insensitive regular expression over the loaded modules; each
 * matching module must have the parameter with a compatible type. */
static cfgc_span close_at(chk *c, cfgc_span at, const cfgc_node *whole, int *moved);

/* The note for close_at() in a modparam that it moved. */
static void modparam_note(chk *c, cfgc_diag *d, cfgc_span at, int moved)
{
	if (moved && d)
		cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, at.off, NULL), "in this modparam");
}

static void check_modparam(chk *c, const cfgc_node *n)
{
	const cfgc_node *mn = n->a, *pn = n->b, *vn = n->c;
	int moved;
	if (!mn || !pn || !vn || mn->kind != N_STR || pn->kind != N_STR)
		return;
	if (vn->kind == N_STR && c->nmodparam_strs < 512)
		c->modparam_strs[c->nmodparam_strs++] = vn->str;

	/* a plain name (the usual case) is compared directly: compiling a
	 * regex per modparam was a fifth of the whole check's cost */
	int plain = mn->str[strspn(mn->str, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] == '\0';
	regex_t rx;
	if (!plain) {
		char *re = cfgc_alloc(c->ctx, strlen(mn->str) + 8);
		sprintf(re, "^(%s)$", mn->str);
		if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_ICASE)) {
			cfgc_diag_span(c->ctx, CFGC_ERROR, "bad-modparam", mn->span,
			               "the module name '%s' is not a valid regular expression", mn->str);
			return;
		}
	}
	int matched = 0;
	for (int i = 0; i < c->nloaded; i++) {
		const vm_module *m = c->loaded[i];
		if (plain ? strcasecmp(mn->str, m->name) != 0 : regexec(&rx, m->name, 0, NULL, 0) != 0)
			continue;
		matched = 1;
		const vm_param_export *p = NULL;
		for (const vm_param_export *q = m->params; q && q->name; q++)
			if (!strcmp(q->name, pn->str)) {
				p = q;
				int want = vn->kind == N_INT ? VM_PARAM_INT : VM_PARAM_STR;
				if (q->type == want || q->type == VM_PARAM_ANY || vn->kind == N_PV)
					break;
			}
		if (!p) {
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "unknown-modparam", close_at(c, pn->span, n, &moved),
			                              "module '%s' has no parameter '%s'", m->name, pn->str);
			modparam_note(c, d, pn->span, moved);
			const char *best = NULL;
			int bd = 3;
			for (const vm_param_export *q = m->params; q && q->name; q++)
				closest(pn->str, q->name, &bd, &best);
			if (best)
				cfgc_diag_help(c->ctx, d, "did you mean '%s'?", best);
			continue;
		}
		int want = vn->kind == N_INT ? VM_PARAM_INT : VM_PARAM_STR;
		if (vn->kind != N_PV && p->type != VM_PARAM_ANY && p->type != want) {
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "modparam-type", close_at(c, vn->span, n, &moved),
			                              "parameter '%s' of module '%s' takes %s, not %s", p->name,
			                              m->name, p->type == VM_PARAM_INT ? "an integer" : "a string",
			                              want == VM_PARAM_INT ? "an integer" : "a string");
			modparam_note(c, d, vn->span, moved);
			if (p->type == VM_PARAM_INT && vn->kind == N_STR) {
				char *end;
				strtol(vn->str, &end, 10);
				if (*vn->str && !*end)
					cfgc_diag_help(c->ctx, d, "write the number without quotes: %s", vn->str);
			}
		}
		/* remember hash tables for $sht checks */
		if (!strcmp(m->name, "htable") && !strcmp(p->name, "htable") && vn->kind == N_STR) {
			const char *s = vn->str, *e = strstr(s, "=>");
			while (*s == ' ')
				s++;
			if (e && e > s && c->nhtables < 128)
				c->htables[c->nhtables++] = cfgc_strndup(c->ctx, s, (size_t)(e - s));
		}
	}
	if (!plain)
		regfree(&rx);
	if (!matched) {
		if (c->failed_modules && !vm_registry_find(c->reg, mn->str))
			return; /* the loadmodule error already said it */
		cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "modparam-module-not-loaded",
		                              close_at(c, mn->span, n, &moved),
		                              "modparam for module '%s', which is not loaded", mn->str);
		modparam_note(c, d, mn->span, moved);
		if (vm_registry_find(c->reg, mn->str))
			cfgc_diag_help(c->ctx, d, "add 'loadmodule \"%s.so\"' before this line", mn->str);
	}
}

/* ---------------------------------------------------------- route table */

static int route_ns(int rtype)
{
	switch (rtype) {
	case RT_FAILURE: return NS_FAILURE;
	case RT_TM_ONREPLY:
	case RT_CORE_ONREPLY: return NS_ONREPLY;
	case RT_BRANCH: return NS_BRANCH;
	case RT_ONSEND: return NS_ONSEND;
	case RT_EVENT: return NS_EVENT;
	default: return NS_REQUEST;
	}
}

static route_def *find_route(chk *c, int ns, const char *name)
{
	for (int i = 0; i < c->ndefs[ns]; i++)
		if (!strcmp(c->defs[ns][i].name, name))
			return &c->defs[ns][i];
	return NULL;
}

/* Record a route block. A second named block of the same type and name is
 * an error at its closing '}': Kamailio 5.6.3 finds the duplicate when it
 * reduces the whole block, so it reports that line (and any error inside
 * the second block comes first). Notes point at both names. A block
 * without a name (`request_route`, `route`, `onreply_route` ...) and
 * `onreply_route[0]` are not checked by Kamailio: their actions are
 * appended to the default block of their type, which runs them all (a
 * warning, as that is seldom meant). */
static void define_route(chk *c, const cfgc_node *r)
{
	int ns = route_ns(r->op);
	const char *name = r->str ? r->str : "0";
	route_def *old = find_route(c, ns, name);
	int appends = r->name_span.len == 0 || r->op == RT_CORE_ONREPLY;
	if (old && appends) {
		cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_WARNING, "route-appended",
		                              r->name_span.len ? r->name_span : r->span,
		                              "%s is defined again: Kamailio appends this block to the first one",
		                              ns_name[ns]);
		cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, old->span.off, NULL), "first defined here");
		cfgc_diag_help(c->ctx, d, "merge the two blocks");
		return;
	}
	if (old) {
		cfgc_span end = r->span;
		if (end.len > 0) {
			end.off += end.len - 1;
			end.len = 1;
		}
		cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "duplicate-route", end,
		                              "%s%s%s%s is defined twice", ns_name[ns],
		                              strcmp(name, "0") ? "[" : "", strcmp(name, "0") ? name : "",
		                              strcmp(name, "0") ? "]" : "");
		cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, (r->name_span.len ? r->name_span : r->span).off, NULL),
		               "the second definition starts here");
		cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, old->span.off, NULL), "first defined here");
		return;
	}
	if (c->ndefs[ns] == c->capdefs[ns]) {
		int cap = c->capdefs[ns] ? c->capdefs[ns] * 2 : 16;
		route_def *nd = cfgc_alloc(c->ctx, sizeof(route_def) * (size_t)cap);
		if (c->ndefs[ns])
			memcpy(nd, c->defs[ns], sizeof(route_def) * (size_t)c->ndefs[ns]);
		c->defs[ns] = nd;
		c->capdefs[ns] = cap;
	}
	route_def *d = &c->defs[ns][c->ndefs[ns]++];
	d->name = name;
	d->span = r->name_span.len ? r->name_span : r->span;
	d->node = r;
	d->used = 0;
}

static void add_ref(chk *c, int ns, const char *name, cfgc_span sp, const char *via)
{
	if (c->nrefs == c->caprefs) {
		int cap = c->caprefs ? c->caprefs * 2 : 64;
		route_ref *nr = cfgc_alloc(c->ctx, sizeof(route_ref) * (size_t)cap);
		if (c->nrefs)
			memcpy(nr, c->refs, sizeof(route_ref) * (size_t)c->nrefs);
		c->refs = nr;
		c->caprefs = cap;
	}
	route_ref *r = &c->refs[c->nrefs++];
	r->ns = ns;
	r->name = name;
	r->span = sp;
	r->via = via;
}

/* Is an event_route name raised by a loaded module (or by the core)? */
static int event_known(chk *c, const char *name)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass ? c->reg->nmods : (size_t)c->nloaded;
		for (size_t i = 0; i < n; i++) {
			const vm_module *m = pass ? c->reg->mods[i] : c->loaded[i];
			if (pass && strcmp(m->name, "core"))
				continue;
			for (const char *const *e = m->events; e && *e; e++) {
				size_t l = strlen(*e);
				if (l && (*e)[l - 1] == ':' ? !strncmp(*e, name, l) && name[l] : !strcmp(*e, name))
					return 1;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------ static typing */

enum { T_UNKNOWN = 0, T_INT, T_STR };

static int is_const_depth(const cfgc_node *e, int depth)
{
	if (!e || depth > MAX_EXPR_DEPTH)
		return 0;
	switch (e->kind) {
	case N_INT:
	case N_STR:
		return 1;
	case N_BINOP:
		return is_const_depth(e->a, depth + 1) && is_const_depth(e->b, depth + 1);
	case N_UNOP:
		return e->op != OP_DEFINED && is_const_depth(e->a, depth + 1);
	default:
		return 0;
	}
}

static int is_const(const cfgc_node *e)
{
	return is_const_depth(e, 0);
}

/* Enter one level of expression recursion; 0 when too deep (reported
 * once per file). Pair every successful call with expr_leave(). */
static int expr_enter(chk *c, const cfgc_node *e)
{
	if (c->depth >= MAX_EXPR_DEPTH) {
		if (!c->too_deep) {
			c->too_deep = 1;
			cfgc_diag_span(c->ctx, CFGC_ERROR, "too-deep", e->span,
			               "expression nested more than %d levels deep", MAX_EXPR_DEPTH);
		}
		return 0;
	}
	c->depth++;
	return 1;
}

static void expr_leave(chk *c)
{
	c->depth--;
}

static void type_error(chk *c, const cfgc_node *at, const char *what)
{
	cfgc_diag_span(c->ctx, CFGC_ERROR, "type-mismatch", at->span, "type mismatch: %s", what);
}

/* Static type of an expression (T_UNKNOWN for PVs and the like), with
 * Kamailio's parse-time type errors (spec §6.3, "Static type check"). */
static int expr_type_in(chk *c, const cfgc_node *e);

static int expr_type(chk *c, const cfgc_node *e)
{
	if (!e || !expr_enter(c, e))
		return T_UNKNOWN;
	int t = expr_type_in(c, e);
	expr_leave(c);
	return t;
}

static int expr_type_in(chk *c, const cfgc_node *e)
{
	switch (e->kind) {
	case N_INT:
		return T_INT;
	case N_STR:
		return T_STR;
	case N_CALL:
	case N_ROUTE_CALL:
	case N_OLDCOND:
		return T_INT;
	case N_UNOP: {
		int t = expr_type(c, e->a);
		switch (e->op) {
		case OP_CAST_INT:
			return T_INT;
		case OP_CAST_STR:
			return T_STR;
		case OP_DEFINED:
		case OP_STRLEN:
		case OP_STREMPTY:
			if (t == T_INT)
				type_error(c, e, "this operator needs a string or a variable, not an integer");
			return T_INT;
		default:
			if (t == T_STR)
				type_error(c, e, "a string where an integer is needed");
			return T_INT;
		}
	}
	case N_SELVAL:
		expr_type(c, e->a);
		{
			int tb = expr_type(c, e->b), tc = expr_type(c, e->c);
			return tb == tc ? tb : T_UNKNOWN;
		}
	case N_BINOP: {
		int ta = expr_type(c, e->a), tb = expr_type(c, e->b);
		switch (e->op) {
		case OP_PLUS:
			if (ta == T_INT && tb == T_STR)
				type_error(c, e, "an integer plus a string (the left operand decides: write (int) or (str))");
			return ta == T_UNKNOWN ? T_UNKNOWN : ta;
		case OP_EQ:
		case OP_NE:
			if (ta == T_INT && tb == T_STR)
				type_error(c, e, "an integer compared with a string");
			return T_INT;
		case OP_STREQ:
		case OP_STRNE:
		case OP_MATCH:
			if (ta == T_INT)
				type_error(c, e, "an integer where a string is needed");
			return T_INT;
		case OP_OR:
		case OP_AND:
		default:
			if (ta == T_STR || tb == T_STR)
				type_error(c, e, ta == T_STR && tb == T_STR ? "two strings where integers are needed"
				                                            : "a string where an integer is needed");
			return T_INT;
		}
	}
	default:
		return T_UNKNOWN;
	}
}

/* ------------------------------------------------------- expressions */

static void check_expr(chk *c, const cfgc_node *e);
static void check_call(chk *c, const cfgc_node *n);

static void check_pv_node(chk *c, const cfgc_node *e, int flags)
{
	cfgc_pv_check(c->ctx, &c->lk, e->span, e->str, e->slen ? e->slen : strlen(e->str), flags);
}

/* Core select names (spec §9); modules add their own roots. */
static const char *const select_roots[] = {
	"ruri", "request_uri", "dst_uri", "next_hop", "from", "f", "to", "t", "refer_to", "rpid",
	"contact", "m", "via", "v", "record_route", "rr", "cseq", "msg", "message", "request", "req",
	"response", "res", "proxy_authorization", "authorization", "src", "dst", "rcv", "call_id",
	"expires", "max_forwards", "content_type", "content_length", "user_agent", "event", "sys",
	"branch", "cfg_get", "cfg_selected", "to_tag", "from_tag", "pai", "ppi", "privacy",
	"identity", "identity_info", "date", "accept", "accept_language", "supported", "require",
	"proxy_require", "unsupported", "subject", "organization", "priority", "session_expires",
	"min_se", "sip_if_match", "nathelper", "tm", "tls", "avp", "xmlrpc", "eval", "timer",
	"uri", "nameaddr", "cfg", "diversion", "www_authenticate", "proxy_authenticate", NULL,
};

static void check_select(chk *c, const cfgc_node *e)
{
	const char *s = e->str;
	size_t n = 0;
	while (s[n] && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	for (const char *const *r = select_roots; *r; r++)
		if (strlen(*r) == n && !strncmp(*r, s, n))
			return;
	cfgc_diag_span(c->ctx, CFGC_ERROR, "unknown-select", e->span,
	               "unknown select '@%.*s': no select of that name exists", (int)n, s);
}

static void check_regex_const(chk *c, const cfgc_node *e, int icase)
{
	if (!e || e->kind != N_STR)
		return;
	regex_t rx;
	int rc = regcomp(&rx, e->str, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	if (rc) {
		char buf[128];
		regerror(rc, &rx, buf, sizeof(buf));
		cfgc_diag_span(c->ctx, CFGC_ERROR, "bad-regex", e->span, "invalid regular expression: %s", buf);
		return;
	}
	regfree(&rx);
}

static void check_expr_in(chk *c, const cfgc_node *e);

static void check_expr(chk *c, const cfgc_node *e)
{
	if (!e || !expr_enter(c, e))
		return;
	check_expr_in(c, e);
	expr_leave(c);
}

static void check_expr_in(chk *c, const cfgc_node *e)
{
	switch (e->kind) {
	case N_PV:
		check_pv_node(c, e, 0);
		break;
	case N_SELECT:
		check_select(c, e);
		break;
	case N_CALL:
		check_call(c, e);
		break;
	case N_ROUTE_CALL:
		check_expr(c, e->a);
		if (e->a && (e->a->kind == N_ID || e->a->kind == N_STR || e->a->kind == N_INT)) {
			const char *nm = e->a->kind == N_INT ? cfgc_strndup(c->ctx, "", 0) : e->a->str;
			if (e->a->kind == N_INT) {
				char buf[24];
				snprintf(buf, sizeof(buf), "%lld", (long long)e->a->ival);
				nm = cfgc_strndup(c->ctx, buf, strlen(buf));
			}
			add_ref(c, NS_REQUEST, nm, e->a->span, "route");
		} else if (e->a && e->a->kind == N_PV) {
			const char *val = NULL;
			for (int i = 0; i < c->nvars; i++)
				if (!strcmp(c->vars[i].name, e->a->str))
					val = c->vars[i].value;
			if (val)
				add_ref(c, NS_REQUEST, val, e->a->span, e->a->str);
			else
				c->dynamic_route_calls++;
		} else {
			c->dynamic_route_calls++;
		}
		break;
	case N_BINOP:
		check_expr(c, e->a);
		check_expr(c, e->b);
		if (e->op == OP_MATCH)
			check_regex_const(c, e->b, 1);
		break;
	case N_UNOP:
		check_expr(c, e->a);
		break;
	case N_SELVAL:
		check_expr(c, e->a);
		check_expr(c, e->b);
		check_expr(c, e->c);
		break;
	case N_OLDCOND:
		check_expr(c, e->b);
		if (e->op == OP_MATCH)
			check_regex_const(c, e->b, 1);
		break;
	case N_ASSIGN:
		/* `( $pv = exp )` used as a value (`if ($rm = "X")`, a typo for
		 * '=='): Kamailio checks the left side as in a statement */
		if (e->a && e->a->kind == N_PV)
			check_pv_node(c, e->a, CFGC_PV_LVALUE);
		check_expr(c, e->b);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------ function calls */

/* Parameter kind of argument `i` (0-based) from a Kamailio fixup name:
 * 's' format string, 'i' integer (or PV), 'r' regex, 'p' PV name,
 * '?' unknown. fixup_spve_igp -> "si", fixup_spve_all -> every 's'. */
static char fixup_kind(const char *fixup, int i, int nargs)
{
	if (!fixup || !strcmp(fixup, "0") || !strcmp(fixup, "NULL"))
		return '?';
	if (!strcmp(fixup, "fixup_sl_reply"))
		return i == 0 ? 'i' : 's';
	if (strstr(fixup, "xlog_fixup") || strstr(fixup, "xdbg_fixup") || strstr(fixup, "xlogl_fixup"))
		return i == nargs - 1 ? 's' : '?';
	if (!strncmp(fixup, "fixup_var_int", 13) || !strncmp(fixup, "fixup_int_", 10) ||
	    !strncmp(fixup, "fixup_uint_", 11))
		return 'i';
	if (strncmp(fixup, "fixup_", 6))
		return '?';
	const char *p = fixup + 6;
	char last = '?';
	for (int k = 0; *p; k++) {
		const char *e = strchr(p, '_');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char kind = '?';
		if (n == 4 && !strncmp(p, "spve", 4))
			kind = 's';
		else if (n == 3 && !strncmp(p, "igp", 3))
			kind = 'i';
		else if (n == 6 && !strncmp(p, "regexp", 6))
			kind = 'r';
		else if (n == 4 && !strncmp(p, "pvar", 4))
			kind = 'p';
		else if (n == 3 && !strncmp(p, "all", 3))
			return last;
		else if (n == 4 && (!strncmp(p, "null", 4) || !strncmp(p, "none", 4)))
			kind = '?';
		else if (k == 0 && !strncmp(p, "var", 3))
			kind = '?';
		if (k == i)
			return kind;
		last = kind;
		if (!e)
			break;
		p = e + 1;
	}
	return '?';
}

/* Can a parameter of this fixup be a run-time expression? Kamailio allows
 * it only for fixups that can be redone per call and freed (a free_fixup
 * in the export); the catalog does not carry that, so only the fixups
 * known to lack it are refused: sl's reply code/reason and tm's
 * host/port pairs (verified on 5.6.3). */
static int fixup_takes_rve(const char *fixup)
{
	static const char *const fixed[] = { "fixup_sl_reply", "fixup_hostport2proxy", NULL };
	if (!fixup)
		return 1;
	for (const char *const *f = fixed; *f; f++)
		if (!strcmp(fixup, *f))
			return 0;
	return 1;
}

/* The names of functions that arm a route by name, and its namespace. */
static int route_arming(const char *fn, int *ns)
{
	if (!strcmp(fn, "t_on_failure"))
		*ns = NS_FAILURE;
	else if (!strcmp(fn, "t_on_reply"))
		*ns = NS_ONREPLY;
	else if (!strcmp(fn, "t_on_branch"))
		*ns = NS_BRANCH;
	else if (!strcmp(fn, "t_on_branch_failure"))
		*ns = NS_EVENT;
	else
		return 0;
	return 1;
}

static int is_int_text(const char *s)
{
	char *end;
	if (!*s)
		return 0;
	strtol(s, &end, 0);
	return *end == '\0';
}

/* Core actions take literal arguments of fixed kinds (catalog detail
 * "args=STRING,NUMBER|..."): check the argument nodes against any of the
 * alternatives. */
static void check_core_args(chk *c, const cfgc_node *n, const vm_fn_export *f)
{
	const char *d = f->fixup ? strstr(f->fixup, "args=") : NULL;
	if (!d || n->nargs == 0)
		return;
	d += 5;
	/* try each alternative */
	int any_ok = 0;
	const char *alt = d;
	const cfgc_node *bad = NULL;
	const char *bad_kind = NULL;
	while (*alt && !any_ok) {
		const char *aend = strchr(alt, '|');
		size_t alen = aend ? (size_t)(aend - alt) : strlen(alt);
		const cfgc_node *a = n->args;
		const char *k = alt;
		int ok = 1;
		while (a && k < alt + alen) {
			const char *kend = memchr(k, ',', (size_t)(alt + alen - k));
			size_t kl = kend ? (size_t)(kend - k) : (size_t)(alt + alen - k);
			int good = 1;
			if (kl == 6 && !strncmp(k, "STRING", 6))
				good = a->kind == N_STR;
			else if ((kl == 6 && !strncmp(k, "NUMBER", 6)) || (kl == 5 && !strncmp(k, "intno", 5)))
				good = a->kind == N_INT || (a->kind == N_UNOP && a->op == OP_NEG && a->a &&
				                            a->a->kind == N_INT);
			else if (kl == 9 && !strncmp(k, "flag_name", 9))
				good = a->kind == N_ID || a->kind == N_STR;
			if (!good && !bad) {
				bad = a;
				bad_kind = (kl == 6 && !strncmp(k, "STRING", 6)) ? "a string literal" : "an integer literal";
			}
			ok &= good;
			a = a->next;
			k = kend ? kend + 1 : alt + alen;
		}
		if (ok)
			any_ok = 1;
		alt = aend ? aend + 1 : alt + alen;
	}
	if (!any_ok && bad)
		cfgc_diag_span(c->ctx, CFGC_ERROR, "bad-argument", bad->span,
		               "'%s' takes %s here (core actions do not evaluate expressions)", f->name, bad_kind);
}

static void check_flag_arg(chk *c, const cfgc_node *n)
{
	const cfgc_node *a = n->args;
	if (!a)
		return;
	if (a->kind == N_INT) {
		if (a->ival < 0 || a->ival > 31)
			cfgc_diag_span(c->ctx, CFGC_ERROR, "flag-range", a->span,
			               "message flag %lld is out of range: flags are 0 to 31", (long long)a->ival);
	} else if (a->kind == N_ID || a->kind == N_STR) {
		for (int i = 0; i < c->nflags; i++)
			if (!strcmp(c->flag_names[i], a->str))
				return;
		cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "unknown-flag", a->span,
		                              "'%s' is not a flag name", a->str);
		cfgc_diag_help(c->ctx, d, "declare it with 'flags %s: N;' or '#!define %s N'", a->str, a->str);
	}
}

/* Where an error about a call or a modparam goes: Kamailio 5.6.3 resolves
 * them when it reduces the whole statement, and reports at its closing
 * ')'. On one line `at` (the name, the value ...) is shown; for a statement
 * spread over lines, the ')' (so the line is Kamailio's), and *moved is
 * set for a note at `at`. */
static cfgc_span close_at(chk *c, cfgc_span at, const cfgc_node *whole, int *moved)
{
	cfgc_span end = whole->span;

	*moved = 0;
	if (end.len == 0 || c->ctx->out[end.off + end.len - 1] != ')')
		return at;
	end.off += end.len - 1;
	end.len = 1;
	cfgc_loc a = cfgc_map(c->ctx, at.off, NULL), b = cfgc_map(c->ctx, end.off, NULL);
	if (a.file == b.file && a.line == b.line)
		return at;
	*moved = 1;
	return end;
}

static cfgc_span call_at(chk *c, const cfgc_node *n, int *moved)
{
	return close_at(c, n->name_span.len ? n->name_span : n->span, n, moved);
}

/* The note that goes with call_at() when it moved the error. */
static void call_note(chk *c, cfgc_diag *d, const cfgc_node *n, int moved)
{
	if (moved && d)
		cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, (n->name_span.len ? n->name_span : n->span).off, NULL),
		               "the call to '%s' starts here", n->str);
}

static void check_call(chk *c, const cfgc_node *n)
{
	int moved;
	const vm_module *mod = NULL, *omod = NULL;
	const vm_fn_export *other = NULL;

	/* arguments first: PVs, nested calls */
	int idx = 0;
	for (const cfgc_node *a = n->args; a; a = a->next, idx++) {
		if (a->kind == N_CALL || a->kind == N_ROUTE_CALL) {
			cfgc_diag_span(c->ctx, CFGC_ERROR, "call-in-params", a->span,
			               "a function call cannot be a parameter of '%s'", n->str);
			continue;
		}
		if (a->kind == N_ID && strcmp(n->str, "setflag") && strcmp(n->str, "resetflag") &&
		    strcmp(n->str, "isflagset")) {
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "bare-word", a->span,
			                              "bare word '%s' is not a value", a->str);
			cfgc_diag_help(c->ctx, d, "quote it: \"%s\" (or #!define it)", a->str);
			continue;
		}
		check_expr(c, a);
		expr_type(c, a);
	}

	const vm_fn_export *f = find_fn(c, n->str, n->nargs, &mod, &other, &omod);
	if (!f) {
		cfgc_diag *d;
		if (other) {
			d = cfgc_diag_span(c->ctx, CFGC_ERROR, "wrong-arity", call_at(c, n, &moved),
			                   "'%s' (module %s) does not take %d parameter%s", n->str, omod->name,
			                   n->nargs, n->nargs == 1 ? "" : "s");
			call_note(c, d, n, moved);
			char buf[128] = "";
			size_t bl = 0;
			for (int i = 0; i < c->nloaded; i++)
				for (const vm_fn_export *g = c->loaded[i]->fns; g && g->name; g++)
					if (!strcmp(g->name, n->str) && bl < sizeof(buf) - 16)
						bl += (size_t)snprintf(buf + bl, sizeof(buf) - bl, "%s%d", bl ? ", " : "",
						                       g->nparams);
			cfgc_diag_help(c->ctx, d, "'%s' takes %s parameter(s)", n->str, buf);
			return;
		}
		const vm_module *where = fn_anywhere(c->reg, n->str);
		const vm_module *kwhere = where ? where : fn_anywhere(c->kam, n->str);
		if (!where && c->failed_modules)
			return; /* probably from the module that could not be loaded */
		if (where && !is_loaded(c, where->name)) {
			d = cfgc_diag_span(c->ctx, CFGC_ERROR, "module-not-loaded", call_at(c, n, &moved),
			                   "'%s' is a function of module '%s', which is not loaded", n->str, where->name);
			call_note(c, d, n, moved);
			cfgc_diag_help(c->ctx, d, "add 'loadmodule \"%s.so\"' before its first use", where->name);
			return;
		}
		if (!where && kwhere) {
			if (c->failed_modules)
				return;
			d = cfgc_diag_span(c->ctx, CFGC_ERROR, "function-not-provided", call_at(c, n, &moved),
			                   "'%s' is a function of Kamailio's module '%s', which sipvm does not provide",
			                   n->str, kwhere->name);
			call_note(c, d, n, moved);
			return;
		}
		d = cfgc_diag_span(c->ctx, CFGC_ERROR, "unknown-function", call_at(c, n, &moved),
		                   "unknown function '%s'", n->str);
		call_note(c, d, n, moved);
		const char *smod = NULL;
		const char *s = suggest_fn(c, n->str, &smod);
		if (s)
			cfgc_diag_help(c->ctx, d, "did you mean '%s' (module %s)?", s, smod);
		return;
	}

	/* route type */
	uint32_t rt = (uint32_t)c->rtype;
	int allowed = (f->route_mask & rt) == rt;
	if (rt == RT_EVENT && (f->route_mask & (RT_REQUEST | RT_EVENT)))
		allowed = 1;
	if (!allowed) {
		static const char *const rtn[] = { "request_route", "failure_route", "onreply_route (tm)",
		                                   "branch_route", "onsend_route", "error_route", "local_route",
		                                   "onreply_route", "branch_failure_route", "event_route" };
		int bit = 0;
		while (bit < 9 && !(rt & (1u << bit)))
			bit++;
		cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "wrong-route-type", call_at(c, n, &moved),
		                              "'%s' cannot be used in %s", n->str, rtn[bit]);
		call_note(c, d, n, moved);
	}

	/* sipvm's own table (kinds set) without an implementation yet: the
	 * script is valid, but sipvm will refuse to load it; said once per
	 * function. (Kamailio's catalog has no kinds: nothing to say.) */
	if (f->kinds && !f->impl) {
		int seen = 0;
		for (int i = 0; i < c->nunimpl && !seen; i++)
			seen = c->unimpl[i] == f;
		if (!seen) {
			if (c->nunimpl < (int)(sizeof(c->unimpl) / sizeof(c->unimpl[0])))
				c->unimpl[c->nunimpl++] = f;
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_WARNING, "not-implemented",
			                              call_at(c, n, &moved),
			                              "'%s' (module %s) is not implemented by sipvm yet",
			                              n->str, mod ? mod->name : "?");
			call_note(c, d, n, moved);
			cfgc_diag_help(c->ctx, d, "`sipvm` refuses to load a script that calls it; "
			               "`cfgc --check --target=kamailio` checks it for Kamailio");
		}
	}

	int core = mod && !strcmp(mod->name, "core");
	if (core) {
		check_core_args(c, n, f);
		if (!strcmp(n->str, "setflag") || !strcmp(n->str, "resetflag") || !strcmp(n->str, "isflagset"))
			check_flag_arg(c, n);
		return;
	}

	/* module function parameters */
	idx = 0;
	for (const cfgc_node *a = n->args; a; a = a->next, idx++) {
		char kind = f->kinds ? (idx < (int)strlen(f->kinds) ? f->kinds[idx] : '?')
		                     : fixup_kind(f->fixup, idx, n->nargs);
		if (!is_const(a) && a->kind != N_ID && !fixup_takes_rve(f->fixup) && !f->kinds) {
			cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "not-constant", a->span,
			                              "parameter %d of '%s' must be a constant", idx + 1, n->str);
			if (a->kind == N_PV)
				cfgc_diag_help(c->ctx, d, "put the variable inside a string: \"%s\"", a->str);
			continue;
		}
		if (a->kind != N_STR)
			continue;
		if (kind == 's' || kind == 'i')
			cfgc_fmt_check(c->ctx, &c->lk, a->span, a->str, a->slen ? a->slen : strlen(a->str));
		if (kind == 'i' && !strchr(a->str, '$') && !is_int_text(a->str))
			cfgc_diag_span(c->ctx, CFGC_ERROR, "not-an-integer", a->span,
			               "parameter %d of '%s' must be an integer, not \"%s\"", idx + 1, n->str, a->str);
		if (kind == 'r')
			check_regex_const(c, a, 0);
	}

	int ns;
	if (route_arming(n->str, &ns) && n->args && n->args->kind == N_STR && !strchr(n->args->str, '$')) {
		const char *nm = n->args->str;
		if (ns == NS_EVENT) {
			char *full = cfgc_alloc(c->ctx, strlen(nm) + 20);
			sprintf(full, "tm:branch-failure:%s", nm);
			nm = full;
		}
		add_ref(c, ns, nm, n->args->span, n->str);
	}
}

/* -------------------------------------------------------- statements */

static void vars_forget(chk *c)
{
	c->nvars = 0;
}

static void vars_set(chk *c, const cfgc_node *lhs, const cfgc_node *rhs)
{
	if (!lhs || lhs->kind != N_PV || strncmp(lhs->str, "$var(", 5))
		return;
	for (int i = 0; i < c->nvars; i++)
		if (!strcmp(c->vars[i].name, lhs->str)) {
			c->vars[i].value = rhs && rhs->kind == N_STR ? rhs->str : NULL;
			return;
		}
	if (c->nvars < 32 && rhs && rhs->kind == N_STR) {
		c->vars[c->nvars].name = lhs->str;
		c->vars[c->nvars].value = rhs->str;
		c->nvars++;
	}
}

static int check_stmt(chk *c, const cfgc_node *s);

/* Check a statement list; returns 1 when it always ends the route
 * (exit/drop/return), to warn about code after it. */
static int check_list(chk *c, const cfgc_node *s)
{
	int ends = 0, warned = 0;
	for (; s; s = s->next) {
		if (ends && !warned && s->kind != N_NOP) {
			cfgc_diag_span(c->ctx, CFGC_WARNING, "unreachable", s->span,
			               "this code is never executed: the statement before it ends the route");
			warned = 1;
		}
		if (check_stmt(c, s))
			ends = 1;
	}
	return ends;
}

static void check_switch(chk *c, const cfgc_node *s)
{
	check_expr(c, s->a);
	int has_int = 0, has_str = 0;
	const cfgc_node *deflt = NULL;
	c->switches++;
	for (const cfgc_node *k = s->b; k; k = k->next) {
		if (k->op == 2) {
			if (deflt) {
				cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "duplicate-default", k->span,
				                              "a second 'default' in this switch");
				cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, deflt->span.off, NULL), "the first one is here");
			}
			deflt = k;
		} else if (k->a) {
			if (!is_const(k->a))
				cfgc_diag_span(c->ctx, CFGC_ERROR, "case-not-constant", k->a->span,
				               "a case label must be a constant");
			int t = expr_type(c, k->a);
			if (k->op == 1 || t == T_STR)
				has_str = 1;
			else if (t == T_INT)
				has_int = 1;
			if (k->op == 1)
				check_regex_const(c, k->a, 0);
			/* duplicates */
			for (const cfgc_node *p = s->b; p && p != k; p = p->next) {
				if (p->op == 2 || !p->a || p->op != k->op || p->a->kind != k->a->kind)
					continue;
				int same = k->a->kind == N_INT ? p->a->ival == k->a->ival
				           : k->a->kind == N_STR ? !strcmp(p->a->str, k->a->str) : 0;
				if (same) {
					cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "duplicate-case", k->a->span,
					                              "duplicate case label");
					cfgc_diag_note(c->ctx, d, cfgc_map(c->ctx, p->a->span.off, NULL),
					               "the same label is first used here");
					break;
				}
			}
		}
		vars_forget(c);
		check_list(c, k->b);
	}
	if (has_int && has_str)
		cfgc_diag_span(c->ctx, CFGC_ERROR, "mixed-cases", s->span,
		               "mixed integer and string/regex case labels in one switch");
	c->switches--;
	vars_forget(c);
}

static int check_stmt(chk *c, const cfgc_node *s)
{
	switch (s->kind) {
	case N_BLOCK:
		return check_list(c, s->a);
	case N_IF: {
		check_expr(c, s->a);
		int ta = expr_type(c, s->a);
		if (ta == T_STR)
			cfgc_diag_span(c->ctx, CFGC_WARNING, "string-condition", s->a->span,
			               "a string used as a condition: it is converted to an integer");
		vars_forget(c);
		int e1 = check_stmt(c, s->b);
		vars_forget(c);
		int e2 = s->c ? check_stmt(c, s->c) : 0;
		vars_forget(c);
		return e1 && e2;
	}
	case N_WHILE:
		check_expr(c, s->a);
		expr_type(c, s->a);
		c->loops++;
		vars_forget(c);
		check_stmt(c, s->b);
		vars_forget(c);
		c->loops--;
		return 0;
	case N_SWITCH:
		check_switch(c, s);
		return 0;
	case N_BREAK:
		if (!c->loops && !c->switches)
			cfgc_diag_span(c->ctx, CFGC_WARNING, "break-outside-loop", s->span,
			               "'break' outside a loop or switch ends the route with 0, as 'return 0' would, "
			               "but without stopping the script");
		return 1;
	case N_RETURN:
	case N_EXIT:
	case N_DROP:
		if (s->a) {
			check_expr(c, s->a);
			if (expr_type(c, s->a) == T_STR) {
				cfgc_diag *d = cfgc_diag_span(c->ctx, CFGC_ERROR, "return-string", s->a->span,
				                              "'%s' needs an integer, not a string",
				                              s->kind == N_RETURN ? "return" : s->kind == N_EXIT ? "exit" : "drop");
				cfgc_diag_help(c->ctx, d, "a route returns an integer code: positive is true, negative false, 0 stops the script");
			}
		}
		return 1;
	case N_ASSIGN:
		if (s->a && s->a->kind == N_PV)
			check_pv_node(c, s->a, CFGC_PV_LVALUE);
		check_expr(c, s->b);
		expr_type(c, s->b);
		vars_set(c, s->a, s->b);
		return 0;
	case N_CALL:
		check_call(c, s);
		return 0;
	case N_ROUTE_CALL:
		check_expr(c, s);
		return 0;
	default:
		return 0;
	}
}

static void check_route(chk *c, const cfgc_node *r)
{
	c->rtype = r->op;
	c->loops = c->switches = 0;
	vars_forget(c);
	if (r->op == RT_EVENT && r->str && !event_known(c, r->str))
		cfgc_diag_span(c->ctx, CFGC_WARNING, "unknown-event-route", r->name_span.len ? r->name_span : r->span,
		               "no loaded module raises event_route[%s]: this block never runs", r->str);
	check_list(c, r->a);
}

/* ------------------------------------------------------ final checks */

static const char *suggest_route(chk *c, int ns, const char *name)
{
	const char *best = NULL;
	int bd = 1 + (int)strlen(name) / 3;
	for (int i = 0; i < c->ndefs[ns]; i++)
		closest(name, c->defs[ns][i].name, &bd, &best);
	return best;
}

static void resolve_refs(chk *c)
{
	for (int i = 0; i < c->nrefs; i++) {
		route_ref *r = &c->refs[i];
		route_def *d = find_route(c, r->ns, r->name);
		if (d) {
			d->used = 1;
			continue;
		}
		const char *kind = r->ns == NS_EVENT ? "event_route" : ns_name[r->ns];
		cfgc_diag *dg;
		if (r->via[0] == '$')
			/* Kamailio resolves a PV's route name at run time: the
			 * call logs an error and the script goes on. */
			dg = cfgc_diag_span(c->ctx, CFGC_WARNING, "undefined-route", r->span,
			                    "%s holds \"%s\" here, and there is no %s[%s]", r->via, r->name, kind, r->name);
		else
			dg = cfgc_diag_span(c->ctx, CFGC_ERROR, "undefined-route", r->span,
			                    "%s[%s] is not defined", kind, r->name);
		const char *s = suggest_route(c, r->ns, r->name);
		if (s) {
			cfgc_diag_help(c->ctx, dg, "did you mean '%s'?", s);
			continue;
		}
		for (int ns = 0; ns < NS_COUNT; ns++)
			if (ns != r->ns && find_route(c, ns, r->name)) {
				cfgc_diag_help(c->ctx, dg, "there is a %s[%s], but %s needs a %s", ns_name[ns], r->name,
				               r->via, kind);
				break;
			}
	}
}

/* A route named in a modparam string (rtimer's "route=NAME", ...) counts
 * as used. */
static int named_in_modparams(chk *c, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < c->nmodparam_strs; i++) {
		const char *s = c->modparam_strs[i];
		for (const char *p = strstr(s, name); p; p = strstr(p + 1, name)) {
			int lb = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
			int rb = !(isalnum((unsigned char)p[n]) || p[n] == '_');
			if (lb && rb)
				return 1;
		}
	}
	return 0;
}

static void report_unused(chk *c)
{
	for (int ns = 0; ns < NS_COUNT; ns++) {
		if (ns == NS_ONSEND || ns == NS_EVENT)
			continue;
		if (ns == NS_REQUEST && c->dynamic_route_calls)
			continue;
		for (int i = 0; i < c->ndefs[ns]; i++) {
			route_def *d = &c->defs[ns][i];
			if (d->used || !strcmp(d->name, "0") || named_in_modparams(c, d->name))
				continue;
			if (ns == NS_ONREPLY && d->node->op == RT_CORE_ONREPLY)
				continue;
			cfgc_diag_span(c->ctx, CFGC_WARNING, "unused-route", d->span,
			               "%s[%s] is never used", ns_name[ns], d->name);
		}
	}
}

/* --------------------------------------------------------------- entry */

static void check_run(cfgc_ctx *ctx, int partial);

void cfgc_check(cfgc_ctx *ctx)
{
	check_run(ctx, 0);
}

/* After a syntax error: Kamailio loads modules, sets their parameters and
 * resolves function names while it parses, so mistakes in the complete
 * statements before the error are reported too; what needs the whole file
 * (undefined and unused routes, a missing request_route) is not. */
static void cfgc_check_partial(cfgc_ctx *ctx)
{
	check_run(ctx, 1);
}

static void check_run(cfgc_ctx *ctx, int partial)
{
	chk *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->ctx = ctx;
	c->kam = cfgc_registry_kamailio();
	c->reg = ctx->opts.target == CFGC_TARGET_KAMAILIO ? c->kam : vm_registry_sipvm();
	c->have_native_engine = 1;
	c->lk.env = c;
	c->lk.pv = lk_pv;
	c->lk.tr = lk_tr;
	c->lk.htable = lk_htable;
	c->lk.pv_suggest = lk_pv_suggest;
	c->lk.pv_module = lk_pv_module;
	c->lk.tr_suggest = lk_tr_suggest;
	const vm_module *core = vm_registry_find(c->reg, "core");
	if (core)
		add_module(c, core);

	/* pass 1: route definitions (references may point forward) */
	for (const cfgc_node *n = ctx->top; n; n = n->next)
		if (n->kind == N_ROUTE)
			define_route(c, n);

	/* pass 2: everything in file order */
	for (const cfgc_node *n = ctx->top; n; n = n->next) {
		switch (n->kind) {
		case N_LOADMODULE:
			check_loadmodule(c, n);
			break;
		case N_MODPARAM:
			check_modparam(c, n);
			break;
		default:
			break;
		}
		switch (n->kind) {
		case N_FLAGS:
			if (n->op == 0)
				for (const cfgc_node *f = n->a; f; f = f->next)
					if (c->nflags < 64)
						c->flag_names[c->nflags++] = f->str;
			break;
		case N_CFGENGINE:
			if (n->a && n->a->kind == N_STR && strcmp(n->a->str, "native")) {
				c->have_native_engine = 0;
				static const char *const eng[][2] = { { "lua", "app_lua" }, { "python", "app_python3" },
				                                      { "python3", "app_python3" }, { "jsdt", "app_jsdt" },
				                                      { "ruby", "app_ruby" }, { "sqlang", "app_sqlang" } };
				const char *need = NULL;
				for (size_t i = 0; i < sizeof(eng) / sizeof(eng[0]); i++)
					if (!strcmp(eng[i][0], n->a->str))
						need = eng[i][1];
				if (!need)
					cfgc_diag_span(ctx, CFGC_ERROR, "unknown-cfgengine", n->a->span,
					               "unknown config engine '%s' (native, lua, python, jsdt, ruby, sqlang)",
					               n->a->str);
				else if (!is_loaded(c, need) && !c->failed_modules)
					cfgc_diag_span(ctx, CFGC_ERROR, "cfgengine-not-loaded", n->a->span,
					               "config engine '%s' needs module '%s', which is not loaded", n->a->str, need);
			}
			break;
		case N_ROUTE:
			check_route(c, n);
			break;
		default:
			break;
		}
	}

	if (partial) {
		free(c->names);
		free(c->ents);
		free(c);
		return;
	}
	resolve_refs(c);
	if (c->have_native_engine) {
		report_unused(c);
		if (!find_route(c, NS_REQUEST, "0")) {
			cfgc_span sp = { 0, 0 };
			if (ctx->top)
				sp = ctx->top->span;
			cfgc_diag *d = cfgc_diag_span(ctx, CFGC_WARNING, "no-request-route", sp,
			                              "there is no request_route: SIP requests would not be routed");
			cfgc_diag_help(ctx, d, "add 'request_route { ... }' (or select a KEMI engine with cfgengine)");
		}
	}
	free(c->names);
	free(c->ents);
	free(c);
}

/* Preprocess, parse and check one file. */
int cfgc_check_file(cfgc_ctx *ctx, const char *path)
{
	if (cfgc_pp_run(ctx, path) < 0)
		return -1;
	if (cfgc_parse(ctx) < 0 || ctx->syntax_errors)
		cfgc_check_partial(ctx);
	else
		cfgc_check(ctx);
	cfgc_diag_sort(ctx);
	return 0;
}
