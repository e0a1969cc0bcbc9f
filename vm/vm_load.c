/*
 * vm_load.c — binding a program to a registry, and worker contexts.
 *
 * "Resolve at load, not at run": vm_load walks every table of a checked
 * program once and turns names into things the interpreter can use
 * without looking anything up: PVs parsed into vm_pvspec (class found,
 * inner name parsed by the class, index and transformations read),
 * formats split into parts, regexes compiled, networks parsed, functions
 * found by module, name and arity with their constant arguments prepared
 * (PV names parsed, regexes compiled, routes found), switch tables' regex
 * cases compiled. Anything that does not bind refuses the whole program
 * with a message naming it, so a script never fails half-way for a reason
 * that was known before it ran. Then each module's init hook reads its
 * settings.
 */
#include <arpa/inet.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

#define DEFAULT_MAX_WHILE_LOOPS 100  /* Kamailio's max_while_loops */
#define DEFAULT_DEBUG VM_L_WARN      /* Kamailio's debug */

/* ------------------------------------------------------------ lines */

const char *vm_loaded_line(const vm_loaded *lp, uint32_t pc, uint32_t *line)
{
	int f = vm_prog_line(lp->prog, pc, line);
	return f >= 0 && (uint32_t)f < lp->prog->nfiles ? lp->prog->files[f].s : "?";
}

/* ------------------------------------------------------------ settings */

const vm_const *vm_loaded_setting(const vm_loaded *lp, const char *module,
		const char *name, unsigned n)
{
	const vm_prog *p = lp->prog;
	for (uint32_t i = 0; i < p->nset; i++)
		if (strcmp(p->set[i].module, module) == 0 && strcmp(p->set[i].name, name) == 0 &&
				n-- == 0)
			return &p->set[i].val;
	return NULL;
}

int vm_loaded_has_module(const vm_loaded *lp, const char *name)
{
	for (size_t i = 0; i < lp->nmods; i++)
		if (strcmp(lp->mods[i]->name, name) == 0)
			return 1;
	return 0;
}

int vm_pv_fields(vm_ctx *c, const char *cls, const char *name, size_t nlen, int idx,
		void (*emit)(void *ud, const char *field, size_t flen, const vm_value *v),
		void *ud)
{
	const vm_loaded *lp = c->lp;
	for (size_t i = 0; i < lp->nmods; i++) {
		const vm_module *m = lp->mods[i];
		if (m->fields == NULL || m->pvs == NULL)
			continue;
		for (const vm_pv_export *pv = m->pvs; pv->name; pv++)
			if (strcmp(pv->name, cls) == 0)
				return m->fields(c, cls, name, nlen, idx, emit, ud);
	}
	return -1;
}

const vm_prog *vm_loaded_prog(const vm_loaded *lp)
{
	return lp->prog;
}

const vm_registry *vm_loaded_registry(const vm_loaded *lp)
{
	return lp->reg;
}

int vm_loaded_route(const vm_loaded *lp, uint32_t type, const char *name)
{
	const vm_prog *p = lp->prog;
	for (uint32_t i = 0; i < p->nrt; i++)
		if ((p->rt[i].type & type) && strcmp(p->rt[i].name, name) == 0 && p->rt[i].defined)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------ modules */

/* The module name of a `loadmodule` value: "modules/sl/sl.so" -> "sl". */
static void module_base(const char *v, char *out, size_t n)
{
	const char *b = strrchr(v, '/');
	b = b ? b + 1 : v;
	size_t len = strlen(b);
	if (len > 3 && strcmp(b + len - 3, ".so") == 0)
		len -= 3;
	if (len >= n)
		len = n - 1;
	memcpy(out, b, len);
	out[len] = '\0';
}

static int bind_modules(vm_loaded *lp, char *err, size_t errlen)
{
	const vm_prog *p = lp->prog;
	const vm_module *core = vm_registry_find(lp->reg, "core");
	if (!core) {
		snprintf(err, errlen, "the registry has no core module");
		return -1;
	}
	lp->mods = calloc(p->nset + 1, sizeof(*lp->mods));
	if (!lp->mods) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lp->mods[lp->nmods++] = core;
	for (uint32_t i = 0; i < p->nset; i++) {
		const vm_setting *s = &p->set[i];
		char name[128];
		if (s->module[0] || strcmp(s->name, "loadmodule") != 0 || s->val.kind != VM_STR)
			continue;
		module_base(s->val.s, name, sizeof(name));
		const vm_module *m = vm_registry_find(lp->reg, name);
		if (!m) {
			snprintf(err, errlen, "module '%s' is not provided by %s", name, lp->reg->label);
			return -1;
		}
		if (m->unavailable) {
			snprintf(err, errlen, "module '%s': %s", name, m->unavailable);
			return -1;
		}
		if (!vm_loaded_has_module(lp, name))
			lp->mods[lp->nmods++] = m;
	}
	return 0;
}

/* ------------------------------------------------------------ networks */

/* Parse "ip", "ip/bits", "ip/mask" (IPv4 or IPv6) or a host name. */
static int bind_net(vm_net *n, const char *text, char *err, size_t errlen)
{
	char buf[128];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	memset(n, 0, sizeof(*n));
	if (alen >= sizeof(buf))
		goto host;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (buf[0] == '[' && alen > 2 && buf[alen - 1] == ']') {
		memmove(buf, buf + 1, alen - 2);
		buf[alen - 2] = '\0';
	}
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->af = 4;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->af = 6;
		n->bits = 128;
	} else {
		goto host;
	}
	if (slash) {
		const char *m = slash + 1;
		unsigned char mask[16];
		if (n->af == 4 && strchr(m, '.') && inet_pton(AF_INET, m, mask) == 1) {
			uint32_t v = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 |
				(uint32_t)mask[2] << 8 | mask[3];
			unsigned bits = 0;
			while (bits < 32 && (v & (0x80000000u >> bits)))
				bits++;
			n->bits = bits;
		} else {
			char *e;
			unsigned long b = strtoul(m, &e, 10);
			if (e == m || *e || b > n->bits) {
				snprintf(err, errlen, "bad network '%s'", text);
				return -1;
			}
			n->bits = (unsigned)b;
		}
	}
	return 0;
host:
	n->af = 0;
	n->host = text;
	return 0;
}

/* ------------------------------------------------------------ functions */

static const vm_fn_export *find_fn(const vm_loaded *lp, const vm_fnref *r,
		const char **module)
{
	const char *mname = r->module[0] ? r->module : "core";
	for (size_t i = 0; i < lp->nmods; i++) {
		const vm_module *m = lp->mods[i];
		if (strcmp(m->name, mname) != 0)
			continue;
		for (const vm_fn_export *f = m->fns; f && f->name; f++)
			if (strcmp(f->name, r->name) == 0 &&
					(f->nparams == (int)r->nargs || f->nparams == VM_NPARAMS_VAR)) {
				*module = m->name;
				return f;
			}
	}
	return NULL;
}

static char fn_kind(const vm_fn_export *f, unsigned i)
{
	size_t n = f->kinds ? strlen(f->kinds) : 0;
	if (!n)
		return 'x';
	return f->kinds[i < n ? i : n - 1];
}

static int bind_fn(vm_loaded *lp, uint32_t idx, char *err, size_t errlen)
{
	const vm_fnref *r = &lp->prog->fn[idx];
	vm_fnbind *b = &lp->fn[idx];
	const char *module = NULL;
	const vm_fn_export *f = find_fn(lp, r, &module);
	if (!f) {
		snprintf(err, errlen, "function '%s' with %u argument%s not found in module '%s'",
				r->name, r->nargs, r->nargs == 1 ? "" : "s",
				r->module[0] ? r->module : "core");
		return -1;
	}
	if (!f->impl) {
		snprintf(err, errlen, "function '%s' of module '%s' is not implemented by sipvm yet",
				r->name, module);
		return -1;
	}
	b->fn = f;
	b->module = module;
	b->sets_rc = strcmp(module, "core") != 0;
	if (!r->kargs || !r->nargs)
		return 0;
	if (!(b->fix = calloc(r->nargs, sizeof(*b->fix)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	b->nfix = r->nargs;
	for (uint32_t a = 0; a < r->nargs; a++) {
		if (r->kargs[a] < 0)
			continue;
		const vm_const *k = &lp->prog->k[r->kargs[a]];
		char nb[VM_INT_DEC_MAX];
		const char *s = k->s;
		size_t len = k->len;
		if (k->kind == VM_INT) {
			len = vm_int_to_dec(k->i, nb);
			s = nb;
		}
		switch (fn_kind(f, a)) {
		case 'p': {
			vm_pvspec *sp;
			if (vm_pv_parse(lp, s, len, &sp, err, errlen) < 0)
				return -1;
			b->fix[a] = sp;
			break;
		}
		case 'r': {
			regex_t *re = malloc(sizeof(*re));
			char *z = malloc(len + 1);
			if (!re || !z) {
				free(re);
				free(z);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			memcpy(z, s, len);
			z[len] = '\0';
			int rc = regcomp(re, z, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
			if (rc) {
				char m[128];
				regerror(rc, re, m, sizeof(m));
				snprintf(err, errlen, "%s(): bad regular expression \"%s\": %s", r->name, z, m);
				free(re);
				free(z);
				return -1;
			}
			free(z);
			b->fix[a] = re;
			b->nregex++;
			break;
		}
		case 'R': {
			char z[256];
			if (len >= sizeof(z))
				len = sizeof(z) - 1;
			memcpy(z, s, len);
			z[len] = '\0';
			int rt = vm_loaded_route(lp, VM_RT_REQUEST, z);
			if (rt < 0) {
				snprintf(err, errlen, "%s(): route \"%s\" not found", r->name, z);
				return -1;
			}
			b->fix[a] = (void *)(intptr_t)(rt + 1);
			break;
		}
		}
	}
	return 0;
}

static void free_fn(vm_fnbind *b)
{
	if (!b->fix)
		return;
	for (unsigned a = 0; a < b->nfix; a++) {
		if (!b->fix[a])
			continue;
		switch (fn_kind(b->fn, a)) {
		case 'p':
			vm_pvspec_free(b->fix[a]);
			break;
		case 'r':
			regfree(b->fix[a]);
			free(b->fix[a]);
			break;
		}
	}
	free(b->fix);
}

/* ------------------------------------------------------------ load */

/* Free what lp holds but its program. */
static void release(vm_loaded *lp)
{
	const vm_prog *p = lp->prog;
	if (lp->pv)
		for (uint32_t i = 0; i < p->np; i++)
			vm_pvspec_free(lp->pv[i]);
	if (lp->fmt)
		for (uint32_t i = 0; i < p->nf; i++)
			vm_fmt_free(lp->fmt[i]);
	if (lp->re)
		for (uint32_t i = 0; i < p->nx; i++)
			vm_re_free(lp->re[i]);
	if (lp->fn)
		for (uint32_t i = 0; i < p->nfn; i++)
			if (lp->fn[i].fn)
				free_fn(&lp->fn[i]);
	if (lp->jt) {
		for (uint32_t i = 0; i < p->nj; i++) {
			if (!lp->jt[i].re)
				continue;
			for (uint32_t c = 0; c < p->j[i].ncases; c++)
				vm_re_free(lp->jt[i].re[c]);
			free(lp->jt[i].re);
		}
	}
	free(lp->pv);
	free(lp->fmt);
	free(lp->re);
	free(lp->net);
	free(lp->fn);
	free(lp->jt);
	free(lp->mods);
}

void vm_unload(vm_loaded *lp)
{
	if (!lp)
		return;
	release(lp);
	vm_prog_free(lp->prog);
	free(lp);
}

static int setting_int(const vm_loaded *lp, const char *name, int32_t dflt)
{
	int32_t v = dflt;
	const vm_const *k;
	for (unsigned n = 0; (k = vm_loaded_setting(lp, "", name, n)) != NULL; n++) {
		if (k->kind == VM_INT)
			v = k->i;
		else
			vm_str_to_int(k->s, k->len, &v);
	}
	return v;
}

int vm_load(vm_prog *prog, const vm_registry *reg, vm_loaded **out,
		char *err, size_t errlen)
{
	vm_loaded *lp;
	*out = NULL;
	if (vm_prog_check(prog, err, errlen) < 0)
		return -1;
	if (!(lp = calloc(1, sizeof(*lp)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lp->prog = prog;
	lp->reg = reg;
	if (bind_modules(lp, err, errlen) < 0)
		goto fail;
	if ((prog->np && !(lp->pv = calloc(prog->np, sizeof(*lp->pv)))) ||
			(prog->nf && !(lp->fmt = calloc(prog->nf, sizeof(*lp->fmt)))) ||
			(prog->nx && !(lp->re = calloc(prog->nx, sizeof(*lp->re)))) ||
			(prog->nnet && !(lp->net = calloc(prog->nnet, sizeof(*lp->net)))) ||
			(prog->nfn && !(lp->fn = calloc(prog->nfn, sizeof(*lp->fn)))) ||
			(prog->nj && !(lp->jt = calloc(prog->nj, sizeof(*lp->jt))))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (uint32_t i = 0; i < prog->np; i++)
		if (vm_pv_parse(lp, prog->p[i].s, prog->p[i].len, &lp->pv[i], err, errlen) < 0)
			goto fail;
	for (uint32_t i = 0; i < prog->nf; i++)
		if (vm_fmt_parse(lp, prog->f[i].s, prog->f[i].len, &lp->fmt[i], err, errlen) < 0)
			goto fail;
	for (uint32_t i = 0; i < prog->nx; i++) {
		unsigned fl = (prog->x[i].flags & VM_RE_ICASE) ? VM_RE_F_ICASE : 0;
		char m[160];
		if (vm_re_compile(&lp->re[i], prog->x[i].src, prog->x[i].len, fl, m, sizeof(m)) < 0) {
			snprintf(err, errlen, "bad regular expression \"%s\": %s", prog->x[i].src, m);
			goto fail;
		}
	}
	for (uint32_t i = 0; i < prog->nnet; i++)
		if (bind_net(&lp->net[i], prog->net[i].s, err, errlen) < 0)
			goto fail;
	for (uint32_t i = 0; i < prog->nfn; i++)
		if (bind_fn(lp, i, err, errlen) < 0)
			goto fail;
	for (uint32_t i = 0; i < prog->nj; i++) {
		const vm_jtab *t = &prog->j[i];
		for (uint32_t c = 0; c < t->ncases; c++) {
			if (t->cases[c].kind != VM_CASE_REGEX)
				continue;
			if (!lp->jt[i].re && !(lp->jt[i].re = calloc(t->ncases, sizeof(vm_re *)))) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			const vm_regex_src *x = &prog->x[t->cases[c].key];
			unsigned fl = (x->flags & VM_RE_ICASE) ? VM_RE_F_ICASE : 0;
			char m[160];
			if (vm_re_compile(&lp->jt[i].re[c], x->src, x->len, fl, m, sizeof(m)) < 0) {
				snprintf(err, errlen, "bad regular expression \"%s\": %s", x->src, m);
				goto fail;
			}
		}
	}
	lp->max_while_loops = setting_int(lp, "max_while_loops", DEFAULT_MAX_WHILE_LOOPS);
	lp->log_level = setting_int(lp, "debug", DEFAULT_DEBUG);
	for (size_t i = 0; i < lp->nmods; i++)
		if (lp->mods[i]->init && lp->mods[i]->init(lp, err, errlen) < 0)
			goto fail;
	*out = lp;
	return 0;
fail:
	release(lp);  /* prog stays the caller's */
	free(lp);
	return -1;
}

/* ------------------------------------------------------------ contexts */

int vm_ctx_init(vm_ctx *c, const vm_loaded *lp, int worker)
{
	memset(c, 0, sizeof(*c));
	c->lp = lp;
	c->worker = worker;
	c->max_while_loops = lp->max_while_loops;
	c->log_level = lp->log_level;
	c->rc = 1;
	vm_arena_init(&c->arena, 0);
	c->nregs_cap = 1024;
	if (!(c->regs = calloc(c->nregs_cap, sizeof(*c->regs))))
		return -1;
	for (size_t i = 0; i < lp->nmods; i++)
		if (lp->mods[i]->ctx_init && lp->mods[i]->ctx_init(c) < 0) {
			for (size_t j = i; j-- > 0;)
				if (lp->mods[j]->ctx_free)
					lp->mods[j]->ctx_free(c);
			free(c->regs);
			vm_arena_free(&c->arena);
			return -1;
		}
	return 0;
}

void vm_ctx_ready(vm_ctx *c)
{
	for (size_t i = 0; c->lp && i < c->lp->nmods; i++)
		if (c->lp->mods[i]->ctx_ready)
			c->lp->mods[i]->ctx_ready(c);
}

void vm_ctx_free(vm_ctx *c)
{
	if (!c->lp)
		return;
	for (size_t i = c->lp->nmods; i-- > 0;)
		if (c->lp->mods[i]->ctx_free)
			c->lp->mods[i]->ctx_free(c);
	free(c->regs);
	vm_arena_free(&c->arena);
	c->regs = NULL;
	c->lp = NULL;
}

void vm_ctx_msg_done(vm_ctx *c)
{
	for (size_t i = 0; i < c->lp->nmods; i++)
		if (c->lp->mods[i]->msg_done)
			c->lp->mods[i]->msg_done(c);
	vm_arena_reset(&c->arena);
}
