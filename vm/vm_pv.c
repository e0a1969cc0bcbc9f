/*
 * vm_pv.c — pseudo-variables and formats at load time and at run time.
 *
 * vm_pv_parse reads a PV as written, the way Kamailio 5.6.3's
 * pv_parse_spec2 does:
 *
 *   $name  $name(inner)  $(name)  $(name(inner)[index]{tr}{tr}...)
 *
 * finds its class among the registry's modules, lets the class parse the
 * inner name once (vm_pv_export.parse), reads the index ([n], [-n], [*],
 * [$pv]) and parses each transformation once through its class
 * (vm_tr_class.parse). At run time vm_pv_get asks the class for the value
 * and applies the transformations in order; vm_pv_set hands the value to
 * the class.
 *
 * A format ("From $fu to $(ru{uri.user})") is split once into literal and
 * PV parts (vm_fmt_parse); vm_fmt_eval concatenates them into the worker's
 * arena. '$' starts a PV the way pv_locate_name() finds it: "$$" is a
 * literal '$', "$(...)" runs to the balanced ')', "$name" and
 * "$name(...)" to the end of the name or the ')'.
 *
 * Also the log helpers vm_log and vm_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

#define PV_MAX_DEPTH 16  /* PVs nested inside indexes and transformations */

/* ------------------------------------------------------------ lookups */

static int name_eq(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && memcmp(a, b, n) == 0;
}

const vm_pv_export *vm_pv_class(const vm_loaded *lp, const char *name,
		size_t len, const char **module)
{
	for (size_t i = 0; i < lp->nmods; i++)
		for (const vm_pv_export *p = lp->mods[i]->pvs; p && p->name; p++)
			if (name_eq(p->name, name, len)) {
				*module = lp->mods[i]->name;
				return p;
			}
	/* Old-style conditions (method == ..., src_ip == ...) compile to
	 * message PVs of the pv module, which Kamailio reads without pv being
	 * loaded; the compiler has checked every PV a script writes itself. */
	for (size_t i = 0; i < lp->reg->nmods; i++) {
		const vm_module *m = lp->reg->mods[i];
		if (!m || m->unavailable)
			continue;
		for (const vm_pv_export *p = m->pvs; p && p->name; p++)
			if (name_eq(p->name, name, len)) {
				*module = m->name;
				return p;
			}
	}
	return NULL;
}

const vm_tr_class *vm_tr_class_find(const vm_loaded *lp, const char *cls,
		size_t len)
{
	for (size_t i = 0; i < lp->nmods; i++)
		for (const vm_tr_class *t = lp->mods[i]->trclasses; t && t->cls; t++)
			if (name_eq(t->cls, cls, len))
				return t;
	return NULL;
}

/* ------------------------------------------------------------ parsing */

static int pv_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '.' || c == '?';
}

/* The ')' closing the '(' just before p (nesting counted), or NULL. */
static const char *close_paren(const char *p, const char *end)
{
	int n = 0;
	for (; p < end; p++) {
		if (*p == ')') {
			if (n == 0)
				return p;
			n--;
		} else if (*p == '(') {
			n++;
		}
	}
	return NULL;
}

/* The '}' closing the '{' at p (nested braces counted), or NULL. */
static const char *close_brace(const char *p, const char *end)
{
	int n = 0;
	for (p++; p < end; p++) {
		if (*p == '}') {
			if (n == 0)
				return p;
			n--;
		} else if (*p == '{') {
			n++;
		}
	}
	return NULL;
}

void vm_pvspec_free(vm_pvspec *sp)
{
	if (!sp)
		return;
	for (unsigned i = 0; i < sp->ntr; i++)
		if (sp->trc[i] && sp->trc[i]->free_tr)
			sp->trc[i]->free_tr(sp->tr[i]);
	if (sp->data_free)
		sp->data_free(sp->data);
	vm_pvspec_free(sp->idx_pv);
	free(sp->text);
	free(sp);
}

static int pv_parse_at(const vm_loaded *lp, const char *text, size_t len,
		int depth, vm_pvspec **out, char *err, size_t errlen);

/* Parse the index text [is, ie) into sp: '*', '+' (as *), a PV, or an
 * optional '-' and digits. */
static int parse_index(const vm_loaded *lp, vm_pvspec *sp, const char *is,
		const char *ie, int depth, char *err, size_t errlen)
{
	if (ie - is == 1 && (*is == '*' || *is == '+')) {
		sp->idx_kind = VM_IDX_ALL;
		return 0;
	}
	if (*is == '$') {
		sp->idx_kind = VM_IDX_PV;
		return pv_parse_at(lp, is, (size_t)(ie - is), depth + 1, &sp->idx_pv, err, errlen);
	}
	const char *p = is;
	int neg = 0;
	long v = 0;
	if (p < ie && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == ie)
		goto bad;
	for (; p < ie; p++) {
		if (*p < '0' || *p > '9' || v > 100000000)
			goto bad;
		v = v * 10 + (*p - '0');
	}
	sp->idx_kind = VM_IDX_INT;
	sp->idx = (int32_t)(neg ? -v : v);
	return 0;
bad:
	snprintf(err, errlen, "bad index '%.*s' in '%s'", (int)(ie - is), is, sp->text);
	return -1;
}

/* Parse the transformations starting at p ('{'), up to end or a ')'.
 * *next is set after the last '}'. */
static int parse_trs(const vm_loaded *lp, vm_pvspec *sp, const char *p,
		const char *end, const char **next, char *err, size_t errlen)
{
	while (p < end && *p == '{') {
		const char *e = close_brace(p, end), *dot;
		if (!e) {
			snprintf(err, errlen, "unclosed '{' in '%s'", sp->text);
			return -1;
		}
		if (sp->ntr == VM_PV_MAXTR) {
			snprintf(err, errlen, "more than %d transformations in '%s'", VM_PV_MAXTR, sp->text);
			return -1;
		}
		dot = memchr(p + 1, '.', (size_t)(e - p - 1));
		const vm_tr_class *tc = dot ? vm_tr_class_find(lp, p + 1, (size_t)(dot - p - 1)) : NULL;
		if (!tc) {
			snprintf(err, errlen, "unknown transformation '{%.*s}' in '%s'",
					(int)(e - p - 1), p + 1, sp->text);
			return -1;
		}
		const char *msg = NULL;
		void *tr = NULL;
		if (tc->parse(lp, p + 1, (size_t)(e - p - 1), &tr, &msg) < 0) {
			snprintf(err, errlen, "transformation '{%.*s}' in '%s': %s",
					(int)(e - p - 1), p + 1, sp->text, msg ? msg : "invalid");
			return -1;
		}
		sp->trc[sp->ntr] = tc;
		sp->tr[sp->ntr++] = tr;
		p = e + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	*next = p;
	return 0;
}

static int pv_parse_at(const vm_loaded *lp, const char *text, size_t len,
		int depth, vm_pvspec **out, char *err, size_t errlen)
{
	vm_pvspec *sp;
	const char *p, *end, *name;
	int paren = 0;
	size_t nlen;

	*out = NULL;
	if (depth > PV_MAX_DEPTH) {
		snprintf(err, errlen, "pseudo-variables nested too deeply in '%.*s'", (int)len, text);
		return -1;
	}
	if (len < 2 || text[0] != '$') {
		snprintf(err, errlen, "'%.*s' is not a pseudo-variable", (int)len, text);
		return -1;
	}
	if (!(sp = calloc(1, sizeof(*sp))) || !(sp->text = malloc(len + 1))) {
		free(sp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(sp->text, text, len);
	sp->text[len] = '\0';
	sp->len = len;
	p = sp->text + 1;
	end = sp->text + len;
	if (*p == '(') {
		paren = 1;
		p++;
	}
	name = p;
	while (p < end && pv_namechar(*p))
		p++;
	nlen = (size_t)(p - name);
	if (!nlen) {
		snprintf(err, errlen, "'%s': no pseudo-variable name after '$'", sp->text);
		goto fail;
	}
	sp->cls = vm_pv_class(lp, name, nlen, &sp->module);
	if (!sp->cls) {
		snprintf(err, errlen, "unknown pseudo-variable '$%.*s'", (int)nlen, name);
		goto fail;
	}
	if (p < end && *p == '(') {
		const char *ne = close_paren(p + 1, end);
		if (!ne) {
			snprintf(err, errlen, "unclosed '(' in '%s'", sp->text);
			goto fail;
		}
		sp->name = p + 1;
		sp->nlen = (size_t)(ne - p - 1);
		p = ne + 1;
	}
	if (paren) {
		if (p < end && *p == '[') {
			const char *ie = p + 1;
			int n = 0;
			for (; ie < end; ie++) {
				if (*ie == ']') {
					if (n == 0)
						break;
					n--;
				} else if (*ie == '[') {
					n++;
				}
			}
			if (ie >= end || ie == p + 1) {
				snprintf(err, errlen, "bad index in '%s'", sp->text);
				goto fail;
			}
			if (parse_index(lp, sp, p + 1, ie, depth, err, errlen) < 0)
				goto fail;
			p = ie + 1;
		}
		if (p < end && *p == '{' && parse_trs(lp, sp, p, end, &p, err, errlen) < 0)
			goto fail;
		if (p >= end || *p != ')') {
			snprintf(err, errlen, "expected ')' in '%s'", sp->text);
			goto fail;
		}
		p++;
	}
	if (p != end) {
		snprintf(err, errlen, "unexpected '%.*s' after '%.*s'", (int)(end - p), p,
				(int)(p - sp->text), sp->text);
		goto fail;
	}
	if (!sp->cls->get) {
		snprintf(err, errlen, "pseudo-variable '$%.*s' (module %s) is not implemented by sipvm yet",
				(int)nlen, name, sp->module);
		goto fail;
	}
	if (sp->cls->parse) {
		const char *msg = NULL;
		if (sp->cls->parse(sp, sp->name, sp->nlen, &msg) < 0) {
			snprintf(err, errlen, "'%s': %s", sp->text, msg ? msg : "bad name");
			goto fail;
		}
	}
	*out = sp;
	return 0;
fail:
	vm_pvspec_free(sp);
	return -1;
}

int vm_pv_parse(const vm_loaded *lp, const char *text, size_t len,
		vm_pvspec **out, char *err, size_t errlen)
{
	return pv_parse_at(lp, text, len, 0, out, err, errlen);
}

/* ------------------------------------------------------------ run time */

int vm_pv_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	if (sp->cls->get(c, sp, out) < 0) {
		*out = vm_null();
		return -1;
	}
	for (unsigned i = 0; i < sp->ntr; i++)
		if (sp->trc[i]->apply(c, sp->tr[i], out, out) < 0) {
			*out = vm_null();
			return -1;
		}
	return 0;
}

int vm_pv_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	if (!sp->cls->set || !(sp->cls->flags & VM_PV_WRITABLE)) {
		vm_error(c, "'%s' is read-only", sp->text);
		return -1;
	}
	return sp->cls->set(c, sp, op, v);
}

int32_t vm_pv_index(vm_ctx *c, const vm_pvspec *sp)
{
	vm_value v;
	switch (sp->idx_kind) {
	case VM_IDX_INT:
		return sp->idx;
	case VM_IDX_PV:
		if (vm_pv_get(c, sp->idx_pv, &v) < 0)
			return 0;
		return vm_to_int(&v);
	}
	return 0;
}

/* ------------------------------------------------------------ formats */

void vm_fmt_free(vm_fmt *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->nparts; i++)
		vm_pvspec_free(f->parts[i].pv);
	free(f->parts);
	free(f->text);
	free(f);
}

/* Extent of the PV at p ('$') in a format, as pv_locate_name() finds it;
 * 0 when it is malformed. */
static size_t fmt_locate(const char *p, const char *end)
{
	size_t n = (size_t)(end - p), i;
	const char *c;
	if (n < 2)
		return 0;
	if (p[1] == '$')
		return 2;
	if (p[1] == '(') {
		c = close_paren(p + 2, end);
		return c ? (size_t)(c - p) + 1 : 0;
	}
	for (i = 1; i < n && pv_namechar(p[i]); i++)
		;
	if (i == 1)
		return 0;
	if (i == n || p[i] != '(')
		return i;
	c = close_paren(p + i + 1, end);
	return c ? (size_t)(c - p) + 1 : 0;
}

static int fmt_add(vm_fmt *f, unsigned *cap, vm_fmt_part part)
{
	if (f->nparts == *cap) {
		unsigned nc = *cap ? *cap * 2 : 4;
		vm_fmt_part *np = realloc(f->parts, nc * sizeof(*np));
		if (!np)
			return -1;
		f->parts = np;
		*cap = nc;
	}
	f->parts[f->nparts++] = part;
	return 0;
}

int vm_fmt_parse(const vm_loaded *lp, const char *text, size_t len,
		vm_fmt **out, char *err, size_t errlen)
{
	vm_fmt *f = calloc(1, sizeof(*f));
	unsigned cap = 0;
	*out = NULL;
	if (!f || !(f->text = malloc(len + 1))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	const char *p = f->text, *end = f->text + len, *lit = p;
	while (p < end) {
		const char *d = memchr(p, '$', (size_t)(end - p));
		if (!d)
			break;
		size_t n = fmt_locate(d, end);
		if (n == 0) {
			snprintf(err, errlen, "'$' does not start a pseudo-variable in \"%s\"", f->text);
			goto fail;
		}
		if (n == 2 && d[1] == '$') {
			/* "$$": a literal '$' — the text up to and with one '$' */
			if (fmt_add(f, &cap, (vm_fmt_part){ lit, (size_t)(d + 1 - lit), NULL }) < 0)
				goto oom;
			p = lit = d + 2;
			continue;
		}
		if (d > lit && fmt_add(f, &cap, (vm_fmt_part){ lit, (size_t)(d - lit), NULL }) < 0)
			goto oom;
		vm_pvspec *sp;
		if (vm_pv_parse(lp, d, n, &sp, err, errlen) < 0)
			goto fail;
		if (fmt_add(f, &cap, (vm_fmt_part){ NULL, 0, sp }) < 0) {
			vm_pvspec_free(sp);
			goto oom;
		}
		p = lit = d + n;
	}
	if (end > lit && fmt_add(f, &cap, (vm_fmt_part){ lit, (size_t)(end - lit), NULL }) < 0)
		goto oom;
	f->constant = 1;
	for (unsigned i = 0; i < f->nparts; i++)
		if (f->parts[i].pv)
			f->constant = 0;
	if (f->constant && (f->nparts > 1 || (f->nparts == 1 && f->parts[0].len != len))) {
		/* only "$$" escapes: keep the unescaped text as the constant */
		size_t o = 0;
		for (unsigned i = 0; i < f->nparts; i++) {
			memmove(f->text + o, f->parts[i].lit, f->parts[i].len);
			o += f->parts[i].len;
		}
		f->text[o] = '\0';
		f->len = o;
		f->nparts = 1;
		f->parts[0] = (vm_fmt_part){ f->text, o, NULL };
	}
	*out = f;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	vm_fmt_free(f);
	return -1;
}

int vm_fmt_eval(vm_ctx *c, const vm_fmt *f, vm_value *out)
{
	if (f->constant) {
		*out = vm_str(f->text, f->len);
		return 0;
	}
	/* Values first (their strings stay valid during this call), then one
	 * allocation for the whole text. */
	enum { SMALL = 16 };
	vm_value small[SMALL], *vals = small;
	char nb[SMALL][VM_INT_DEC_MAX];
	size_t total = 0;
	if (f->nparts > SMALL) {
		vals = vm_arena_alloc(&c->arena, f->nparts * sizeof(*vals));
		if (!vals)
			return VM_E_NOMEM;
	}
	for (unsigned i = 0; i < f->nparts; i++) {
		const vm_fmt_part *pt = &f->parts[i];
		if (!pt->pv) {
			vals[i] = vm_str(pt->lit, pt->len);
		} else {
			if (vm_pv_get(c, pt->pv, &vals[i]) < 0) {
				/* a class or transformation that failed prints
				 * nothing; a PV without value prints "<null>" */
				vals[i] = vm_str("", 0);
			} else if (vals[i].kind == VM_NULL) {
				vals[i] = vm_str("<null>", 6);
			} else if (vals[i].kind == VM_INT) {
				char *b = i < SMALL ? nb[i] : vm_arena_alloc(&c->arena, VM_INT_DEC_MAX);
				if (!b)
					return VM_E_NOMEM;
				const char *t;
				size_t n;
				vm_str_view(&vals[i], b, &t, &n);
				vals[i] = vm_str(t, n);
			}
		}
		total += vals[i].len;
	}
	char *s = vm_arena_alloc(&c->arena, total + 1);
	if (!s)
		return VM_E_NOMEM;
	size_t o = 0;
	for (unsigned i = 0; i < f->nparts; i++) {
		memcpy(s + o, vals[i].s, vals[i].len);
		o += vals[i].len;
	}
	s[o] = '\0';
	*out = vm_str(s, o);
	return 0;
}

/* ------------------------------------------------------------ logging */

static void log_line(vm_ctx *c, int level, const char *line, size_t len)
{
	if (c && c->log) {
		c->log(c, level, line, len);
		return;
	}
	static const char *const names[] = {
		"ALERT", "BUG", "CRITICAL", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"
	};
	int i = level + 5;
	if (i < 0)
		i = 0;
	if (i > 8)
		i = 8;
	fprintf(stderr, "%s: %.*s\n", names[i], (int)len, line);
}

void vm_log(vm_ctx *c, int level, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	if (c && level > c->log_level)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_line(c, level, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void vm_error(vm_ctx *c, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n = 0;
	if (c && c->lp) {
		uint32_t line;
		const char *file = vm_loaded_line(c->lp, c->pc, &line);
		n = snprintf(buf, sizeof(buf), "%s:%u: ", file, line);
	}
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (c && VM_L_ERR > c->log_level)
		return;
	log_line(c, VM_L_ERR, buf, (size_t)n);
}
