/*
 * mod_pv_var.c — the script variable stores of the pv module: $var and
 * $vz (per worker, never null), $vn (per worker, may be null), $shv
 * (shared by all workers), $avp (per message, a stack of values per name),
 * $xavp / $xavi / $xavu (per message lists of values and records), $cnt;
 * and the module's hooks (settings, worker state, end of message).
 *
 * Semantics are Kamailio 5.6.3's (language spec §7.4, §7.5, §12), with
 * these departures where 5.6.3 has bugs: a negative AVP index counts from
 * the oldest value whatever the number of values; an indexed AVP
 * assignment ($(avp(a)[1]) = v) replaces that value instead of pushing a
 * new one; a negative xavp index counts from the oldest node in
 * assignments as it does in reads (5.6.3 is off by one there).
 * `modparam("pv", "avp_aliases", ...)` is refused at load. $xavu names
 * take no index: "u[1]" is a name, as in 5.6.3.
 *
 * Ownership: every stored string is a malloc'd copy owned by its store.
 * A value read from a per-worker store views that storage and stays valid
 * until the variable is next written; values of $shv are copied into the
 * ctx arena under the table's lock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_pv_int.h"

/* ------------------------------------------------------------------------
 * Stored values
 * ------------------------------------------------------------------------ */

/* Buffers above this size are given back when a much shorter string
 * replaces their content, so one long value does not pin memory. */
#define VAL_KEEP 4096u

int mod_pv_val_set(mod_pv_val *d, const vm_value *v)
{
	if (v == NULL || v->kind == VM_NULL) {
		d->kind = VM_NULL;
		d->i = 0;
		d->len = 0;
		return 0;
	}
	if (v->kind == VM_INT) {
		d->kind = VM_INT;
		d->i = v->i;
		d->len = 0;
		return 0;
	}
	size_t len = v->len;
	const char *src = v->s ? v->s : "";
	if (len + 1 > d->cap || (d->cap > VAL_KEEP && len < d->cap / 4)) {
		char *nb = malloc(len + 1);
		if (nb == NULL) {
			d->kind = VM_NULL;
			d->len = 0;
			return -1;
		}
		memcpy(nb, src, len);
		free(d->s);
		d->s = nb;
		d->cap = len + 1;
	} else if (len) {
		memmove(d->s, src, len);
	}
	d->s[len] = '\0';
	d->len = len;
	d->kind = VM_STR;
	d->i = 0;
	return 0;
}

vm_value mod_pv_val_get(const mod_pv_val *d)
{
	switch (d->kind) {
	case VM_INT:
		return vm_int(d->i);
	case VM_STR:
		return vm_str(d->s, d->len);
	}
	return vm_null();
}

void mod_pv_val_free(mod_pv_val *d)
{
	free(d->s);
	memset(d, 0, sizeof(*d));
}

/* Copy s[0..len) into the arena as a string value. 0 or -1. */
static int arena_str(vm_ctx *c, const char *s, size_t len, vm_value *out)
{
	char *b = vm_arena_alloc(&c->arena, len + 1);
	if (b == NULL)
		return -1;
	if (len)
		memcpy(b, s, len);
	b[len] = '\0';
	*out = vm_str(b, len);
	return 0;
}

static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int no_state(vm_ctx *c, const vm_pvspec *sp)
{
	vm_error(c, "%s: the pv module has no state in this worker", sp->text);
	return -1;
}

/* ------------------------------------------------------------------------
 * Names known only at run time
 * ------------------------------------------------------------------------ */

struct mod_pv_dyn {
	_Atomic(vm_pvspec *) sp;
	atomic_int failed;
	size_t len;
	char text[];
};

static pthread_mutex_t dyn_mu = PTHREAD_MUTEX_INITIALIZER;

mod_pv_dyn *mod_pv_dyn_new(const char *text, size_t len)
{
	mod_pv_dyn *d = malloc(sizeof(*d) + len + 1);
	if (d == NULL)
		return NULL;
	atomic_init(&d->sp, NULL);
	atomic_init(&d->failed, 0);
	d->len = len;
	memcpy(d->text, text, len);
	d->text[len] = '\0';
	return d;
}

void mod_pv_dyn_free(mod_pv_dyn *d)
{
	if (d == NULL)
		return;
	vm_pvspec_free(atomic_load(&d->sp));
	free(d);
}

/* The spec of d, parsed on first use with c's program; NULL when it does
 * not parse (reported once). */
static vm_pvspec *dyn_spec(vm_ctx *c, mod_pv_dyn *d)
{
	vm_pvspec *sp = atomic_load_explicit(&d->sp, memory_order_acquire);
	char err[256];

	if (sp || atomic_load(&d->failed) || c == NULL || c->lp == NULL)
		return sp;
	pthread_mutex_lock(&dyn_mu);
	sp = atomic_load(&d->sp);
	if (sp == NULL && !atomic_load(&d->failed)) {
		if (vm_pv_parse(c->lp, d->text, d->len, &sp, err, sizeof(err)) < 0) {
			atomic_store(&d->failed, 1);
			sp = NULL;
			vm_error(c, "%s: %s", d->text, err);
		} else {
			atomic_store_explicit(&d->sp, sp, memory_order_release);
		}
	}
	pthread_mutex_unlock(&dyn_mu);
	return sp;
}

int mod_pv_dyn_get(vm_ctx *c, mod_pv_dyn *d, vm_value *out)
{
	vm_pvspec *sp = dyn_spec(c, d);
	*out = vm_null();
	if (sp == NULL)
		return -1;
	return vm_pv_get(c, sp, out);
}

void mod_pv_index(vm_ctx *c, const vm_pvspec *sp, int *kind, int32_t *idx)
{
	*kind = sp->idx_kind;
	*idx = sp->idx;
	if (sp->idx_kind == VM_IDX_PV) {
		*kind = VM_IDX_INT;
		*idx = vm_pv_index(c, sp);
	} else if (sp->idx_kind == VM_IDX_NONE) {
		*idx = 0;
	}
}

/* ------------------------------------------------------------------------
 * Variable tables
 * ------------------------------------------------------------------------ */

static int vtab_init(mod_pv_vtab *t, int nullable)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = 64;
	t->bucket = calloc(t->nbuckets, sizeof(*t->bucket));
	t->nullable = nullable;
	return t->bucket ? 0 : -1;
}

static void vtab_free(mod_pv_vtab *t)
{
	mod_pv_var *v = t->all, *n;
	for (; v; v = n) {
		n = v->order;
		mod_pv_val_free(&v->v);
		free(v);
	}
	free(t->byslot);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

/* Double the buckets (kept as they are when memory runs out). */
static void vtab_grow(mod_pv_vtab *t)
{
	size_t nb = t->nbuckets * 2;
	mod_pv_var **b = calloc(nb, sizeof(*b));
	if (b == NULL)
		return;
	for (mod_pv_var *v = t->all; v; v = v->order) {
		size_t i = v->hash & (nb - 1);
		v->next = b[i];
		b[i] = v;
	}
	free(t->bucket);
	t->bucket = b;
	t->nbuckets = nb;
}

/* mod_pv_var_find with the name's hash known (a $var spec keeps it in
 * sp->id). */
static mod_pv_var *var_find(mod_pv_vtab *t, const char *name, size_t nlen,
		uint32_t h, int create)
{
	mod_pv_var *v;

	if (t->bucket == NULL)
		return NULL;
	for (v = t->bucket[h & (t->nbuckets - 1)]; v; v = v->next)
		if (v->hash == h && v->nlen == nlen && memcmp(v->name, name, nlen) == 0)
			return v;
	if (!create || t->count >= MOD_PV_MAX_VARS)
		return NULL;
	if (t->count >= 2 * t->nbuckets)
		vtab_grow(t);
	v = calloc(1, sizeof(*v) + nlen + 1);
	if (v == NULL)
		return NULL;
	v->hash = h;
	v->nlen = nlen;
	memcpy(v->name, name, nlen);
	v->v.kind = t->nullable ? VM_NULL : VM_INT;
	v->next = t->bucket[h & (t->nbuckets - 1)];
	t->bucket[h & (t->nbuckets - 1)] = v;
	v->order = t->all;
	t->all = v;
	t->count++;
	return v;
}

mod_pv_var *mod_pv_var_find(mod_pv_vtab *t, const char *name, size_t nlen,
		int create)
{
	return var_find(t, name, nlen, hash_name(name, nlen), create);
}

int mod_pv_var_assign(const mod_pv_vtab *t, mod_pv_var *var, const vm_value *v)
{
	if (v == NULL || v->kind == VM_NULL) {
		vm_value z = t->nullable ? vm_null() : vm_int(0);
		return mod_pv_val_set(&var->v, &z);
	}
	if (mod_pv_val_set(&var->v, v) < 0) {
		/* Kamailio resets the variable to its initial value */
		var->v.kind = t->nullable ? VM_NULL : VM_INT;
		var->v.i = 0;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Slots: every $var name a program uses gets a number, process-wide, when
 * the spec is parsed (sp->data holds it plus one); each worker keeps its
 * variables in an array by that number as well as in its hash table, so
 * reading or writing $var(i) is an index, not a hash and a string compare
 * (on the anchor loop of regress/bench/vm-loop the name lookups were a
 * fifth of the time before).
 * ------------------------------------------------------------------------ */

typedef struct slotname {
	struct slotname *next;
	uint32_t hash, slot;
	size_t nlen;
	char name[];
} slotname;

#define SLOT_BUCKETS 256u
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static slotname *slot_tab[SLOT_BUCKETS];
static uint32_t slot_count;

/* The slot of a name (numbered on first sight); 0 when none can be given
 * (memory, or MOD_PV_MAX_VARS names): the spec then hashes as before. */
static uint32_t slot_of(const char *name, size_t nlen, uint32_t h)
{
	slotname *s;
	uint32_t r = 0;
	pthread_mutex_lock(&slot_mu);
	for (s = slot_tab[h & (SLOT_BUCKETS - 1)]; s; s = s->next)
		if (s->hash == h && s->nlen == nlen && memcmp(s->name, name, nlen) == 0)
			break;
	if (!s && slot_count < MOD_PV_MAX_VARS && (s = calloc(1, sizeof(*s) + nlen + 1))) {
		s->hash = h;
		s->slot = slot_count++;
		s->nlen = nlen;
		memcpy(s->name, name, nlen);
		s->next = slot_tab[h & (SLOT_BUCKETS - 1)];
		slot_tab[h & (SLOT_BUCKETS - 1)] = s;
	}
	if (s)
		r = s->slot + 1;
	pthread_mutex_unlock(&slot_mu);
	return r;
}

/* Remember var under slot (1-based) in t; nothing when memory runs out. */
static void slot_keep(mod_pv_vtab *t, uint32_t slot, mod_pv_var *var)
{
	uint32_t i = slot - 1;
	if (i >= t->nbyslot) {
		uint32_t n = t->nbyslot ? t->nbyslot : 16;
		while (n <= i)
			n *= 2;
		mod_pv_var **b = realloc(t->byslot, n * sizeof(*b));
		if (b == NULL)
			return;
		memset(b + t->nbyslot, 0, (n - t->nbyslot) * sizeof(*b));
		t->byslot = b;
		t->nbyslot = n;
	}
	t->byslot[i] = var;
}

/* The variable of sp in t: by slot when known, else by name (and then
 * kept under the slot). Created when `create`. */
static inline mod_pv_var *var_of(mod_pv_vtab *t, const vm_pvspec *sp, int create)
{
	uint32_t slot = (uint32_t)(uintptr_t)sp->data;
	if (slot && slot - 1 < t->nbyslot && t->byslot[slot - 1])
		return t->byslot[slot - 1];
	mod_pv_var *v = var_find(t, sp->name, sp->nlen, (uint32_t)sp->id, create);
	if (v && slot)
		slot_keep(t, slot, v);
	return v;
}

/* $var(name), $vz(name), $vn(name), $shv(name): a literal name. */
int mod_pv_var_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	if (name == NULL || len == 0) {
		*err = "a variable name is required";
		return -1;
	}
	sp->id = (int)hash_name(name, len);
	sp->data = (void *)(uintptr_t)slot_of(name, len, (uint32_t)sp->id);
	return 0;
}

static int var_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out, int nullable)
{
	mod_pv_state *st = mod_pv_state_of(c);
	mod_pv_var *v;

	*out = vm_null();
	if (st == NULL)
		return no_state(c, sp);
	v = var_of(nullable ? &st->vnull : &st->vars, sp, 0);
	if (v == NULL) {
		*out = nullable ? vm_null() : vm_int(0);
		return 0;
	}
	*out = mod_pv_val_get(&v->v);
	return 0;
}

static int var_set(vm_ctx *c, const vm_pvspec *sp, const vm_value *v, int nullable)
{
	mod_pv_state *st = mod_pv_state_of(c);
	mod_pv_vtab *t;
	mod_pv_var *var;

	if (st == NULL)
		return no_state(c, sp);
	t = nullable ? &st->vnull : &st->vars;
	var = var_of(t, sp, 1);
	if (var == NULL) {
		vm_error(c, "%s: cannot create the variable", sp->text);
		return -1;
	}
	if (mod_pv_var_assign(t, var, v) < 0) {
		vm_error(c, "%s: out of memory", sp->text);
		return -1;
	}
	return 0;
}

int mod_pv_var_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	return var_get(c, sp, out, 0);
}

int mod_pv_var_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	(void)op;
	return var_set(c, sp, v, 0);
}

int mod_pv_vn_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	return var_get(c, sp, out, 1);
}

int mod_pv_vn_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	(void)op;
	return var_set(c, sp, v, 1);
}

/* ------------------------------------------------------------------------
 * $shv: one table for the process, under one lock
 * ------------------------------------------------------------------------ */

typedef struct shv {
	struct shv *next;
	mod_pv_val v;
	size_t nlen;
	char name[];
} shv;

#define SHV_BUCKETS 256u
#define SHV_MAX     65536u

static pthread_mutex_t shv_mu = PTHREAD_MUTEX_INITIALIZER;
static shv *shv_tab[SHV_BUCKETS];
static size_t shv_count;

/* The shared variable named name, created (int 0) if new; NULL when memory
 * runs out. Call with shv_mu held. */
static shv *shv_lookup(const char *name, size_t nlen)
{
	uint32_t h = hash_name(name, nlen) & (SHV_BUCKETS - 1);
	shv *s;

	for (s = shv_tab[h]; s; s = s->next)
		if (s->nlen == nlen && memcmp(s->name, name, nlen) == 0)
			return s;
	if (shv_count >= SHV_MAX || !(s = calloc(1, sizeof(*s) + nlen + 1)))
		return NULL;
	s->nlen = nlen;
	memcpy(s->name, name, nlen);
	s->v.kind = VM_INT;
	s->next = shv_tab[h];
	shv_tab[h] = s;
	shv_count++;
	return s;
}

int mod_pv_shv_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	if (name == NULL || len == 0) {
		*err = "a variable name is required";
		return -1;
	}
	pthread_mutex_lock(&shv_mu);
	sp->data = shv_lookup(name, len);
	pthread_mutex_unlock(&shv_mu);
	if (sp->data == NULL) {
		*err = "cannot create the shared variable";
		return -1;
	}
	return 0;
}

int mod_pv_shv_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	shv *s = sp->data;
	int rc = 0;

	*out = vm_null();
	pthread_mutex_lock(&shv_mu);
	if (s->v.kind == VM_STR)
		rc = arena_str(c, s->v.s, s->v.len, out);
	else
		*out = vm_int(s->v.i);
	pthread_mutex_unlock(&shv_mu);
	return rc;
}

/* `$shv(x) = $null` stores the empty string, as 5.6.3 does (its null value
 * is not flagged int); pv_unset() passes v == NULL and gets int 0. */
int mod_pv_shv_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	shv *s = sp->data;
	vm_value e = vm_str("", 0), z = vm_int(0);
	int rc;

	(void)op;
	if (v == NULL)
		v = &z;
	else if (v->kind == VM_NULL)
		v = &e;
	pthread_mutex_lock(&shv_mu);
	rc = mod_pv_val_set(&s->v, v);
	if (rc < 0) {
		s->v.kind = VM_INT;
		s->v.i = 0;
	}
	pthread_mutex_unlock(&shv_mu);
	if (rc < 0)
		vm_error(c, "%s: out of memory", sp->text);
	return rc;
}

/* ------------------------------------------------------------------------
 * Settings: shvset, varset ("name=i:12", "name=s:text"), avp_aliases
 * ------------------------------------------------------------------------ */

/* Split a varset/shvset value into name and value. 0, or -1 when it is not
 * "name=i:<int>" or "name=s:<text>" (as 5.6.3's param_set_xvar). */
static int parse_xvar(const vm_const *k, const char **name, size_t *nlen,
		vm_value *val)
{
	const char *s, *eq;
	int32_t n;

	if (k->kind != VM_STR || k->len == 0)
		return -1;
	s = k->s;
	eq = memchr(s, '=', k->len);
	if (eq == NULL || eq == s || (size_t)(eq - s) + 3 > k->len || eq[2] != ':')
		return -1;
	*name = s;
	*nlen = (size_t)(eq - s);
	const char *v = eq + 3;
	size_t vlen = k->len - (size_t)(v - s);
	switch (eq[1]) {
	case 's': case 'S':
		*val = vm_str(v, vlen);
		return 0;
	case 'i': case 'I':
		if (vm_str_to_int(v, vlen, &n) < 0 || (vlen > 1 && (v[1] == 'x' || v[1] == 'X')))
			return -1;
		*val = vm_int(n);
		return 0;
	}
	return -1;
}

time_t mod_pv_start_time;

/* The message refusing a bad varset/shvset value; returns -1. */
static int bad_xvar(const vm_const *k, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "pv: bad %s value \"%.*s\" (expected name=i:number or name=s:text)",
			what, k->kind == VM_STR ? (int)k->len : 0, k->kind == VM_STR ? k->s : "");
	return -1;
}

int mod_pv_init(vm_loaded *lp, char *err, size_t errlen)
{
	const vm_const *k;
	const char *name;
	size_t nlen;
	vm_value v;

	if (mod_pv_start_time == 0)
		mod_pv_start_time = time(NULL);

	if (vm_loaded_setting(lp, "pv", "avp_aliases", 0)) {
		snprintf(err, errlen, "pv: modparam \"avp_aliases\" is not supported by sipvm");
		return -1;
	}
	for (unsigned i = 0; (k = vm_loaded_setting(lp, "pv", "varset", i)); i++)
		if (parse_xvar(k, &name, &nlen, &v) < 0)
			return bad_xvar(k, "varset", err, errlen);
	for (unsigned i = 0; (k = vm_loaded_setting(lp, "pv", "shvset", i)); i++) {
		shv *s;
		int rc = -1;
		if (parse_xvar(k, &name, &nlen, &v) < 0)
			return bad_xvar(k, "shvset", err, errlen);
		pthread_mutex_lock(&shv_mu);
		if ((s = shv_lookup(name, nlen)) != NULL)
			rc = mod_pv_val_set(&s->v, &v);
		pthread_mutex_unlock(&shv_mu);
		if (rc < 0) {
			snprintf(err, errlen, "pv: out of memory");
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Worker state and the end of a message
 * ------------------------------------------------------------------------ */

static void avps_free(mod_pv_state *st);

int mod_pv_ctx_init(vm_ctx *c)
{
	mod_pv_state *st = calloc(1, sizeof(*st));
	const vm_const *k;

	if (st == NULL)
		return -1;
	if (vtab_init(&st->vars, 0) < 0 || vtab_init(&st->vnull, 1) < 0)
		goto fail;
	/* varset: initial values of $var (checked by mod_pv_init) */
	for (unsigned i = 0; c->lp && (k = vm_loaded_setting(c->lp, "pv", "varset", i)); i++) {
		const char *name;
		size_t nlen;
		vm_value v;
		mod_pv_var *var;
		if (parse_xvar(k, &name, &nlen, &v) < 0)
			continue;
		if (!(var = mod_pv_var_find(&st->vars, name, nlen, 1)) ||
				mod_pv_var_assign(&st->vars, var, &v) < 0)
			goto fail;
	}
	c->mod[MOD_SLOT_PV] = st;
	return 0;
fail:
	vtab_free(&st->vars);
	vtab_free(&st->vnull);
	free(st);
	return -1;
}

void mod_pv_msg_done(vm_ctx *c)
{
	mod_pv_state *st = mod_pv_state_of(c);
	if (st == NULL)
		return;
	avps_free(st);
	mod_pv_xavp_free_list(st, &st->xavp);
	mod_pv_xavp_free_list(st, &st->xavu);
	mod_pv_xavp_free_list(st, &st->xavi);
	st->have_time = 0;
}

void mod_pv_ctx_free(vm_ctx *c)
{
	mod_pv_state *st = mod_pv_state_of(c);
	if (st == NULL)
		return;
	mod_pv_msg_done(c);
	vtab_free(&st->vars);
	vtab_free(&st->vnull);
	free(st);
	c->mod[MOD_SLOT_PV] = NULL;
}

/* ------------------------------------------------------------------------
 * AVPs
 * ------------------------------------------------------------------------ */

static int avpname_eq(const mod_pv_avpname *a, const mod_pv_avpname *b)
{
	if (a->is_int != b->is_int)
		return 0;
	if (a->is_int)
		return a->id == b->id;
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

mod_pv_avp *mod_pv_avp_find(mod_pv_state *st, const mod_pv_avpname *name)
{
	for (mod_pv_avp *a = st->avps; a; a = a->next)
		if (avpname_eq(&a->name, name))
			return a;
	return NULL;
}

int mod_pv_avp_push(mod_pv_state *st, const mod_pv_avpname *name, const vm_value *v)
{
	mod_pv_avp *a = mod_pv_avp_find(st, name);

	if (st->navps >= MOD_PV_MAX_AVPS)
		return -1;
	if (a == NULL) {
		size_t bl = name->is_int ? 0 : name->len;
		if (!(a = calloc(1, sizeof(*a) + bl + 1)))
			return -1;
		a->name = *name;
		if (!name->is_int) {
			memcpy(a->buf, name->s, bl);
			a->name.s = a->buf;
		}
		a->next = st->avps;
		st->avps = a;
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 4;
		mod_pv_val *nv = realloc(a->v, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		a->v = nv;
		a->cap = nc;
	}
	memset(&a->v[a->n], 0, sizeof(a->v[a->n]));
	if (mod_pv_val_set(&a->v[a->n], v) < 0)
		return -1;
	a->n++;
	st->navps++;
	return 0;
}

/* Remove value i (0 oldest) of a. */
static void avp_remove_at(mod_pv_state *st, mod_pv_avp *a, size_t i)
{
	mod_pv_val_free(&a->v[i]);
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(a->v[0]));
	a->n--;
	st->navps--;
}

void mod_pv_avp_drop(mod_pv_state *st, const mod_pv_avpname *name, int all)
{
	mod_pv_avp *a = mod_pv_avp_find(st, name);
	if (a == NULL)
		return;
	while (a->n > 0) {
		avp_remove_at(st, a, a->n - 1);
		if (!all)
			break;
	}
}

static void avps_free(mod_pv_state *st)
{
	mod_pv_avp *a = st->avps, *n;
	for (; a; a = n) {
		n = a->next;
		for (size_t i = 0; i < a->n; i++)
			mod_pv_val_free(&a->v[i]);
		free(a->v);
		free(a);
	}
	st->avps = NULL;
	st->navps = 0;
}

typedef struct {
	mod_pv_avpname name;
	mod_pv_dyn *dyn;         /* $avp($var(n)) */
} avp_spec;

static void avp_spec_free(void *p)
{
	avp_spec *a = p;
	if (a)
		mod_pv_dyn_free(a->dyn);
	free(a);
}

/* Parse an AVP name: "i:12" (int id), "s:name", "name", or a PV whose value
 * is the name. 0 or -1. */
static int avpname_parse(const char *name, size_t len, avp_spec *a, const char **err)
{
	if (name == NULL || len == 0) {
		*err = "an AVP name is required";
		return -1;
	}
	if (name[0] == '$') {
		if (!(a->dyn = mod_pv_dyn_new(name, len))) {
			*err = "out of memory";
			return -1;
		}
		return 0;
	}
	if (len >= 2 && name[1] == ':') {
		if (name[0] == 'i' || name[0] == 'I') {
			if (vm_str_to_int(name + 2, len - 2, &a->name.id) < 0 ||
					(len > 3 && (name[3] == 'x' || name[3] == 'X'))) {
				*err = "bad AVP id after 'i:'";
				return -1;
			}
			a->name.is_int = 1;
			return 0;
		}
		if (name[0] == 's' || name[0] == 'S') {
			name += 2;
			len -= 2;
			if (len == 0) {
				*err = "an AVP name is required after 's:'";
				return -1;
			}
		}
	}
	a->name.s = name;
	a->name.len = len;
	return 0;
}

int mod_pv_avp_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	avp_spec *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		*err = "out of memory";
		return -1;
	}
	if (avpname_parse(name, len, a, err) < 0) {
		avp_spec_free(a);
		return -1;
	}
	sp->data = a;
	sp->data_free = avp_spec_free;
	return 0;
}

/* The AVP name of sp now (a dynamic name is the PV's value: an int gives an
 * int id, a string a string name; the string is copied to the arena). */
static int avp_name_now(vm_ctx *c, const vm_pvspec *sp, mod_pv_avpname *out)
{
	const avp_spec *a = sp->data;
	vm_value v;

	if (a->dyn == NULL) {
		*out = a->name;
		return 0;
	}
	if (mod_pv_dyn_get(c, a->dyn, &v) < 0 || v.kind == VM_NULL)
		goto bad;
	memset(out, 0, sizeof(*out));
	if (v.kind == VM_INT) {
		out->is_int = 1;
		out->id = v.i;
		return 0;
	}
	if (v.len == 0)
		goto bad;
	out->s = v.s;
	out->len = v.len;
	return 0;
bad:
	vm_error(c, "%s: the AVP name has no usable value", sp->text);
	return -1;
}

/* Join values (newest first) with sep into the arena. */
static int join_vals(vm_ctx *c, const mod_pv_val *v, size_t n, const char *sep,
		vm_value *out)
{
	size_t seplen = strlen(sep), total = 0, o = 0;
	char nb[VM_INT_DEC_MAX];
	char *b;

	for (size_t i = n; i-- > 0;)
		total += (v[i].kind == VM_STR ? v[i].len : vm_int_to_dec(v[i].i, nb)) +
			(i + 1 < n ? seplen : 0);
	if (!(b = vm_arena_alloc(&c->arena, total + 1)))
		return -1;
	for (size_t i = n; i-- > 0;) {
		const char *s = v[i].s;
		size_t l = v[i].len;
		if (v[i].kind != VM_STR) {
			l = vm_int_to_dec(v[i].i, nb);
			s = nb;
		}
		if (o) {
			memcpy(b + o, sep, seplen);
			o += seplen;
		}
		if (l)
			memcpy(b + o, s, l);
		o += l;
	}
	b[o] = '\0';
	*out = vm_str(b, o);
	return 0;
}

/* Position (0 oldest) of index idx in a stack of n values: 0 newest,
 * -1 oldest. -1 when out of range. */
static long stack_pos(size_t n, int32_t idx)
{
	if (idx >= 0)
		return (size_t)idx < n ? (long)(n - 1 - (size_t)idx) : -1;
	return (size_t)(-(int64_t)idx) <= n ? (long)(-(int64_t)idx - 1) : -1;
}

int mod_pv_avp_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	mod_pv_state *st = mod_pv_state_of(c);
	mod_pv_avpname name;
	mod_pv_avp *a;
	int kind;
	int32_t idx;
	long pos;

	*out = vm_null();
	if (st == NULL)
		return no_state(c, sp);
	if (avp_name_now(c, sp, &name) < 0)
		return -1;
	a = mod_pv_avp_find(st, &name);
	if (a == NULL || a->n == 0)
		return 0;
	mod_pv_index(c, sp, &kind, &idx);
	if (kind == VM_IDX_ALL)
		return join_vals(c, a->v, a->n, ", ", out);
	if ((pos = stack_pos(a->n, idx)) < 0)
		return 0;
	*out = mod_pv_val_get(&a->v[pos]);
	return 0;
}

int mod_pv_avp_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	mod_pv_state *st = mod_pv_state_of(c);
	mod_pv_avpname name;
	mod_pv_avp *a;
	int kind, isnull = v == NULL || v->kind == VM_NULL;
	int32_t idx;
	long pos;

	if (st == NULL)
		return no_state(c, sp);
	if (avp_name_now(c, sp, &name) < 0)
		return -1;
	mod_pv_index(c, sp, &kind, &idx);
	if (kind == VM_IDX_ALL || op == VM_PV_REPLACE) {
		mod_pv_avp_drop(st, &name, 1);
	} else if (kind == VM_IDX_INT) {
		/* replace (or with $null remove) the value at that index */
		a = mod_pv_avp_find(st, &name);
		if (a == NULL || (pos = stack_pos(a->n, idx)) < 0) {
			if (isnull)
				return 0;
			vm_error(c, "%s: no AVP value at index %d", sp->text, (int)idx);
			return -1;
		}
		if (isnull) {
			avp_remove_at(st, a, (size_t)pos);
			return 0;
		}
		if (mod_pv_val_set(&a->v[pos], v) < 0)
			goto nomem;
		return 0;
	} else if (isnull) {
		mod_pv_avp_drop(st, &name, 0);
		return 0;
	}
	if (isnull)
		return 0;
	if (mod_pv_avp_push(st, &name, v) < 0)
		goto nomem;
	return 0;
nomem:
	vm_error(c, "%s: cannot store the AVP (memory or %u values per message)",
			sp->text, MOD_PV_MAX_AVPS);
	return -1;
}

/* ------------------------------------------------------------------------
 * XAVPs
 * ------------------------------------------------------------------------ */

mod_pv_xavp **mod_pv_xavp_root(mod_pv_state *st, int k)
{
	return k == MOD_PV_XAVU ? &st->xavu : k == MOD_PV_XAVI ? &st->xavi : &st->xavp;
}

static int xname_eq(const mod_pv_xavp *x, const char *name, size_t nlen, int icase)
{
	if (x->nlen != nlen)
		return 0;
	if (!icase)
		return memcmp(x->name, name, nlen) == 0;
	for (size_t i = 0; i < nlen; i++) {
		int a = (unsigned char)x->name[i], b = (unsigned char)name[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}

mod_pv_xavp *mod_pv_xavp_get(mod_pv_xavp *list, const char *name, size_t nlen,
		int idx, int icase)
{
	if (idx < 0)
		return NULL;
	for (mod_pv_xavp *x = list; x; x = x->next)
		if (xname_eq(x, name, nlen, icase) && idx-- == 0)
			return x;
	return NULL;
}

int mod_pv_xavp_count(mod_pv_xavp *list, const char *name, size_t nlen, int icase)
{
	int n = 0;
	for (mod_pv_xavp *x = list; x; x = x->next)
		if (xname_eq(x, name, nlen, icase))
			n++;
	return n;
}

/* Free node x and its record; returns how many nodes were freed. */
static size_t xavp_free_node(mod_pv_xavp *x)
{
	size_t n = 1;
	mod_pv_xavp *s = x->sub, *nx;
	for (; s; s = nx) {
		nx = s->next;
		n += xavp_free_node(s);
	}
	mod_pv_val_free(&x->v);
	free(x);
	return n;
}

static void xavp_release(mod_pv_state *st, mod_pv_xavp *x)
{
	size_t n = xavp_free_node(x);
	st->nxavps = st->nxavps > n ? st->nxavps - n : 0;
}

void mod_pv_xavp_free_list(mod_pv_state *st, mod_pv_xavp **list)
{
	mod_pv_xavp *x = *list, *n;
	for (; x; x = n) {
		n = x->next;
		xavp_release(st, x);
	}
	*list = NULL;
}

/* Give x the value v (or the record sub); 0 or -1 (memory). */
static int xavp_assign(mod_pv_state *st, mod_pv_xavp *x, const vm_value *v,
		mod_pv_xavp *sub)
{
	mod_pv_xavp *old = x->type == MOD_PV_X_LIST ? x->sub : NULL;

	x->sub = NULL;
	if (sub) {
		x->type = MOD_PV_X_LIST;
		x->sub = sub;
		x->v.kind = VM_NULL;
	} else {
		if (mod_pv_val_set(&x->v, v) < 0) {
			x->type = MOD_PV_X_NULL;
			mod_pv_xavp_free_list(st, &old);
			return -1;
		}
		x->type = x->v.kind == VM_INT ? MOD_PV_X_INT :
			x->v.kind == VM_STR ? MOD_PV_X_STR : MOD_PV_X_NULL;
	}
	mod_pv_xavp_free_list(st, &old);
	return 0;
}

mod_pv_xavp *mod_pv_xavp_add(mod_pv_state *st, mod_pv_xavp **list,
		const char *name, size_t nlen, const vm_value *v, mod_pv_xavp *sub)
{
	mod_pv_xavp *x;

	if (st->nxavps >= MOD_PV_MAX_XAVPS || !(x = calloc(1, sizeof(*x) + nlen + 1))) {
		mod_pv_xavp_free_list(st, &sub);
		return NULL;
	}
	x->nlen = nlen;
	memcpy(x->name, name, nlen);
	if (xavp_assign(st, x, v, sub) < 0) {
		free(x);
		return NULL;
	}
	st->nxavps++;
	x->next = *list;
	*list = x;
	return x;
}

int mod_pv_xavp_rm_name(mod_pv_state *st, mod_pv_xavp **list, const char *name,
		size_t nlen, int all, int icase)
{
	int n = 0;
	for (mod_pv_xavp **p = list; *p;) {
		mod_pv_xavp *x = *p;
		if (!xname_eq(x, name, nlen, icase)) {
			p = &x->next;
			continue;
		}
		*p = x->next;
		xavp_release(st, x);
		n++;
		if (!all)
			break;
	}
	return n;
}

int mod_pv_xavp_rm_index(mod_pv_state *st, mod_pv_xavp **list, const char *name,
		size_t nlen, int idx, int icase)
{
	if (idx < 0)
		return 0;
	for (mod_pv_xavp **p = list; *p; p = &(*p)->next) {
		mod_pv_xavp *x = *p;
		if (xname_eq(x, name, nlen, icase) && idx-- == 0) {
			*p = x->next;
			xavp_release(st, x);
			return 1;
		}
	}
	return 0;
}

int mod_pv_xavp_set_child(mod_pv_state *st, int k, const char *rname,
		size_t rlen, const char *cname, size_t clen, const vm_value *v)
{
	mod_pv_xavp **root = mod_pv_xavp_root(st, k), *r, *sub = NULL;
	int icase = k == MOD_PV_XAVI;

	r = mod_pv_xavp_get(*root, rname, rlen, 0, icase);
	if (r && r->type == MOD_PV_X_LIST) {
		mod_pv_xavp_rm_name(st, &r->sub, cname, clen, 0, icase);
		return mod_pv_xavp_add(st, &r->sub, cname, clen, v, NULL) ? 0 : -1;
	}
	if (r)
		mod_pv_xavp_rm_name(st, root, rname, rlen, 0, icase);
	if (!mod_pv_xavp_add(st, &sub, cname, clen, v, NULL))
		return -1;
	return mod_pv_xavp_add(st, root, rname, rlen, NULL, sub) ? 0 : -1;
}

int mod_pv_xavp_value(vm_ctx *c, const mod_pv_xavp *x, vm_value *out)
{
	char b[64];
	int n;

	if (x->type != MOD_PV_X_LIST) {
		*out = mod_pv_val_get(&x->v);
		return 0;
	}
	n = snprintf(b, sizeof(b), "<<xavp:%p>>", (const void *)x->sub);
	return arena_str(c, b, (size_t)n, out);
}

/* A parsed xavp name: root[idx]=>field[idx], each index optional (an int,
 * '*', or a PV). */
typedef struct {
	const char *name;
	size_t nlen;
	int idx_kind;            /* VM_IDX_NONE, _INT, _ALL, _PV */
	int32_t idx;
	mod_pv_dyn *idx_pv;
} xpart;

typedef struct {
	int kind;                /* MOD_PV_XAVP, _XAVU, _XAVI */
	int has_field;
	xpart root, field;
} xname;

static void xname_free(void *p)
{
	xname *x = p;
	if (x) {
		mod_pv_dyn_free(x->root.idx_pv);
		mod_pv_dyn_free(x->field.idx_pv);
	}
	free(x);
}

static int xws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parse "name[idx]" from s[*i..len) into part (Kamailio's pv_xavp_fill_ni):
 * the name ends at '=', '[' or a blank. */
static int xpart_parse(const char *s, size_t len, size_t *i, xpart *part,
		const char **err)
{
	size_t p = *i, st;

	while (p < len && xws(s[p]))
		p++;
	st = p;
	while (p < len && s[p] != '=' && s[p] != '[' && !xws(s[p]))
		p++;
	if (p == st) {
		*err = "an xavp name is required";
		return -1;
	}
	part->name = s + st;
	part->nlen = p - st;
	while (p < len && xws(s[p]))
		p++;
	if (p < len && s[p] == '[') {
		size_t is = ++p;
		int depth = 0;
		for (; p < len; p++) {
			if (s[p] == '[')
				depth++;
			else if (s[p] == ']' && depth-- == 0)
				break;
		}
		if (p >= len || p == is) {
			*err = "bad index in the xavp name";
			return -1;
		}
		if (p - is == 1 && (s[is] == '*' || s[is] == '+')) {
			part->idx_kind = VM_IDX_ALL;
		} else if (s[is] == '$') {
			part->idx_kind = VM_IDX_PV;
			if (!(part->idx_pv = mod_pv_dyn_new(s + is, p - is))) {
				*err = "out of memory";
				return -1;
			}
		} else {
			if (vm_str_to_int(s + is, p - is, &part->idx) < 0 ||
					(p - is > 2 && (s[is + 1] == 'x' || s[is + 1] == 'X'))) {
				*err = "bad index in the xavp name";
				return -1;
			}
			part->idx_kind = VM_IDX_INT;
		}
		p++;
		while (p < len && xws(s[p]))
			p++;
	}
	*i = p;
	return 0;
}

/* $xavu(name) / $xavu(name=>field), as 5.6.3's pv_parse_xavu_name: the
 * names are taken as written (blanks around them trimmed; no index, so
 * "u[1]" is a name that is never set). */
static int xavu_name_parse(const char *name, size_t len, xname *x, const char **err)
{
	size_t i = 0, e = len, eq;

	while (i < e && xws(name[i]))
		i++;
	while (e > i && xws(name[e - 1]))
		e--;
	for (eq = i; eq < e && name[eq] != '='; eq++)
		;
	x->root.name = name + i;
	x->root.nlen = eq - i;
	if (eq < e) {
		if (eq + 2 >= e || name[eq + 1] != '>' || eq == i) {
			*err = "expected name=>field in the xavu name";
			return -1;
		}
		x->has_field = 1;
		x->field.name = name + eq + 2;
		x->field.nlen = e - eq - 2;
	}
	if (x->root.nlen == 0) {
		*err = "an xavu name is required";
		return -1;
	}
	return 0;
}

static int xname_parse(vm_pvspec *sp, const char *name, size_t len, int kind,
		const char **err)
{
	xname *x = calloc(1, sizeof(*x));
	size_t i = 0;

	if (x == NULL) {
		*err = "out of memory";
		return -1;
	}
	x->kind = kind;
	if (name == NULL || len == 0) {
		*err = "an xavp name is required";
		goto fail;
	}
	if (kind == MOD_PV_XAVU) {
		if (xavu_name_parse(name, len, x, err) < 0)
			goto fail;
		goto done;
	}
	if (xpart_parse(name, len, &i, &x->root, err) < 0)
		goto fail;
	if (i < len) {
		if (len - i < 2 || name[i] != '=' || name[i + 1] != '>') {
			*err = "expected '=>' in the xavp name";
			goto fail;
		}
		i += 2;
		x->has_field = 1;
		if (xpart_parse(name, len, &i, &x->field, err) < 0)
			goto fail;
		if (i < len) {
			*err = "unexpected text after the xavp field name";
			goto fail;
		}
	}
done:
	sp->data = x;
	sp->data_free = xname_free;
	return 0;
fail:
	xname_free(x);
	return -1;
}

int mod_pv_xavp_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	return xname_parse(sp, name, len, MOD_PV_XAVP, err);
}

int mod_pv_xavi_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	return xname_parse(sp, name, len, MOD_PV_XAVI, err);
}

int mod_pv_xavu_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	return xname_parse(sp, name, len, MOD_PV_XAVU, err);
}

/* The index of part now: *kind VM_IDX_NONE, _INT or _ALL. 0, or -1 when a
 * PV index has no value. */
static int xpart_index(vm_ctx *c, const xpart *p, int *kind, int32_t *idx)
{
	vm_value v;

	*kind = p->idx_kind;
	*idx = p->idx_kind == VM_IDX_INT ? p->idx : 0;
	if (p->idx_kind != VM_IDX_PV)
		return 0;
	if (mod_pv_dyn_get(c, p->idx_pv, &v) < 0)
		return -1;
	*kind = VM_IDX_INT;
	*idx = vm_to_int(&v);
	return 0;
}

/* A negative index counted from the oldest node named name in list (the
 * nodes are counted only then). */
static int32_t fix_index(int32_t idx, mod_pv_xavp *list, const char *name,
		size_t nlen, int icase)
{
	return idx < 0 ? mod_pv_xavp_count(list, name, nlen, icase) + idx : idx;
}

int mod_pv_xavp_pvget(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	mod_pv_state *st = mod_pv_state_of(c);
	const xname *xn = sp->data;
	int icase = xn->kind == MOD_PV_XAVI, kind;
	int32_t idx;
	mod_pv_xavp *list, *x;

	*out = vm_null();
	if (st == NULL)
		return no_state(c, sp);
	list = *mod_pv_xavp_root(st, xn->kind);
	if (xpart_index(c, &xn->root, &kind, &idx) < 0)
		return -1;
	idx = fix_index(idx, list, xn->root.name, xn->root.nlen, icase);
	x = mod_pv_xavp_get(list, xn->root.name, xn->root.nlen, idx, icase);
	if (x == NULL)
		return 0;
	if (!xn->has_field)
		return mod_pv_xavp_value(c, x, out);
	if (x->type != MOD_PV_X_LIST)
		return 0;
	list = x->sub;
	if (xpart_index(c, &xn->field, &kind, &idx) < 0)
		return -1;
	idx = fix_index(idx, list, xn->field.name, xn->field.nlen, icase);
	x = mod_pv_xavp_get(list, xn->field.name, xn->field.nlen, idx, icase);
	if (x == NULL)
		return 0;
	if (kind == VM_IDX_ALL) {
		/* every value of the field, newest first, joined by ", " */
		size_t total = 0, o = 0;
		char *b;
		vm_value v;
		for (mod_pv_xavp *y = x; y; y = y->next)
			if (xname_eq(y, xn->field.name, xn->field.nlen, icase)) {
				if (mod_pv_xavp_value(c, y, &v) < 0)
					return -1;
				total += v.len + 2;
			}
		if (!(b = vm_arena_alloc(&c->arena, total + 1)))
			return -1;
		for (mod_pv_xavp *y = x; y; y = y->next) {
			char nb[VM_INT_DEC_MAX];
			const char *s;
			size_t l;
			if (!xname_eq(y, xn->field.name, xn->field.nlen, icase))
				continue;
			if (mod_pv_xavp_value(c, y, &v) < 0)
				return -1;
			vm_str_view(&v, nb, &s, &l);
			if (o) {
				memcpy(b + o, ", ", 2);
				o += 2;
			}
			memcpy(b + o, s, l);
			o += l;
		}
		b[o] = '\0';
		*out = vm_str(b, o);
		return 0;
	}
	return mod_pv_xavp_value(c, x, out);
}

/* Remove, in list, the field part of xn as a null assignment does. */
static void xavp_rm_field(mod_pv_state *st, mod_pv_xavp **list, const xpart *f,
		int fkind, int32_t fidx, int icase)
{
	if (fkind == VM_IDX_ALL)
		mod_pv_xavp_rm_name(st, list, f->name, f->nlen, 1, icase);
	else if (fkind == VM_IDX_INT)
		mod_pv_xavp_rm_index(st, list, f->name, f->nlen,
				fix_index(fidx, *list, f->name, f->nlen, icase), icase);
	else
		mod_pv_xavp_rm_name(st, list, f->name, f->nlen, 0, icase);
}

int mod_pv_xavp_pvset(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	mod_pv_state *st = mod_pv_state_of(c);
	const xname *xn = sp->data;
	int icase = xn->kind == MOD_PV_XAVI, rkind, fkind = VM_IDX_NONE;
	int32_t ridx, fidx = 0;
	mod_pv_xavp **root, *x, *sub = NULL;
	const xpart *r = &xn->root, *f = &xn->field;

	(void)op;
	if (st == NULL)
		return no_state(c, sp);
	root = mod_pv_xavp_root(st, xn->kind);
	if (xpart_index(c, r, &rkind, &ridx) < 0 ||
			(xn->has_field && xpart_index(c, f, &fkind, &fidx) < 0))
		return -1;
	if (v == NULL || v->kind == VM_NULL) {
		if (!xn->has_field) {
			if (rkind == VM_IDX_ALL)
				mod_pv_xavp_rm_name(st, root, r->name, r->nlen, 1, icase);
			else
				mod_pv_xavp_rm_index(st, root, r->name, r->nlen,
						fix_index(ridx, *root, r->name, r->nlen, icase),
						icase);
			return 0;
		}
		if (rkind == VM_IDX_ALL) {
			for (x = *root; x; x = x->next)
				if (xname_eq(x, r->name, r->nlen, icase) && x->type == MOD_PV_X_LIST)
					xavp_rm_field(st, &x->sub, f, fkind, fidx, icase);
			return 0;
		}
		ridx = fix_index(ridx, *root, r->name, r->nlen, icase);
		x = mod_pv_xavp_get(*root, r->name, r->nlen, ridx, icase);
		if (x && x->type == MOD_PV_X_LIST)
			xavp_rm_field(st, &x->sub, f, fkind, fidx, icase);
		return 0;
	}
	if (!xn->has_field) {
		if (rkind == VM_IDX_ALL)
			return -1;
		if (rkind == VM_IDX_INT) {
			/* replace the value of that node */
			ridx = fix_index(ridx, *root, r->name, r->nlen, icase);
			x = mod_pv_xavp_get(*root, r->name, r->nlen, ridx, icase);
			if (x == NULL)
				return -1;
			return xavp_assign(st, x, v, NULL) < 0 ? -1 : 0;
		}
		return mod_pv_xavp_add(st, root, r->name, r->nlen, v, NULL) ? 0 : -1;
	}
	if (rkind != VM_IDX_NONE) {
		/* a field in an existing record */
		if (rkind == VM_IDX_ALL)
			return 0;
		ridx = fix_index(ridx, *root, r->name, r->nlen, icase);
		x = mod_pv_xavp_get(*root, r->name, r->nlen, ridx, icase);
		if (x == NULL)
			return 0;
		if (x->type != MOD_PV_X_LIST)
			return -1;
		if (fkind == VM_IDX_ALL)
			return 0;
		if (fkind == VM_IDX_INT) {
			mod_pv_xavp *y = mod_pv_xavp_get(x->sub, f->name, f->nlen,
					fix_index(fidx, x->sub, f->name, f->nlen, icase),
					icase);
			if (y == NULL)
				return -1;
			return xavp_assign(st, y, v, NULL) < 0 ? -1 : 0;
		}
		return mod_pv_xavp_add(st, &x->sub, f->name, f->nlen, v, NULL) ? 0 : -1;
	}
	/* a new record holding the field */
	if (!mod_pv_xavp_add(st, &sub, f->name, f->nlen, v, NULL))
		return -1;
	return mod_pv_xavp_add(st, root, r->name, r->nlen, NULL, sub) ? 0 : -1;
}

/* $xavu(name) and $xavu(name=>field): one value per name. */
int mod_pv_xavu_pvget(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	mod_pv_state *st = mod_pv_state_of(c);
	const xname *xn = sp->data;
	mod_pv_xavp *x;

	*out = vm_null();
	if (st == NULL)
		return no_state(c, sp);
	x = mod_pv_xavp_get(st->xavu, xn->root.name, xn->root.nlen, 0, 0);
	if (x && xn->has_field)
		x = x->type == MOD_PV_X_LIST ?
			mod_pv_xavp_get(x->sub, xn->field.name, xn->field.nlen, 0, 0) : NULL;
	return x ? mod_pv_xavp_value(c, x, out) : 0;
}

int mod_pv_xavu_pvset(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v)
{
	mod_pv_state *st = mod_pv_state_of(c);
	const xname *xn = sp->data;
	mod_pv_xavp *x;

	(void)op;
	if (st == NULL)
		return no_state(c, sp);
	x = mod_pv_xavp_get(st->xavu, xn->root.name, xn->root.nlen, 0, 0);
	if (v == NULL || v->kind == VM_NULL) {
		if (!xn->has_field)
			mod_pv_xavp_rm_name(st, &st->xavu, xn->root.name, xn->root.nlen, 0, 0);
		else if (x && x->type == MOD_PV_X_LIST)
			mod_pv_xavp_rm_name(st, &x->sub, xn->field.name, xn->field.nlen, 0, 0);
		return 0;
	}
	if (!xn->has_field) {
		if (x)
			return xavp_assign(st, x, v, NULL) < 0 ? -1 : 0;
		return mod_pv_xavp_add(st, &st->xavu, xn->root.name, xn->root.nlen, v, NULL) ? 0 : -1;
	}
	if (x && x->type != MOD_PV_X_LIST)
		return -1;
	if (x) {
		mod_pv_xavp *y = mod_pv_xavp_get(x->sub, xn->field.name, xn->field.nlen, 0, 0);
		if (y)
			return xavp_assign(st, y, v, NULL) < 0 ? -1 : 0;
		return mod_pv_xavp_add(st, &x->sub, xn->field.name, xn->field.nlen, v, NULL) ? 0 : -1;
	}
	return mod_pv_xavp_set_child(st, MOD_PV_XAVU, xn->root.name, xn->root.nlen,
			xn->field.name, xn->field.nlen, v);
}

/* ------------------------------------------------------------------------
 * $cnt($avp(x)), $cnt($xavp(r)), $cnt($xavp(r[i]=>f))
 * ------------------------------------------------------------------------ */

static void dyn_free_void(void *p)
{
	mod_pv_dyn_free(p);
}

int mod_pv_cnt_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	static const char *const ok[] = { "$avp(", "$(avp(", "$xavp(", "$(xavp(",
		"$xavi(", "$(xavi(" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (name && len > strlen(ok[i]) && memcmp(name, ok[i], strlen(ok[i])) == 0)
			break;
	if (i == sizeof(ok) / sizeof(ok[0])) {
		*err = "$cnt() takes an $avp or $xavp";
		return -1;
	}
	if (!(sp->data = mod_pv_dyn_new(name, len))) {
		*err = "out of memory";
		return -1;
	}
	sp->data_free = dyn_free_void;
	return 0;
}

int mod_pv_cnt_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	mod_pv_state *st = mod_pv_state_of(c);
	vm_pvspec *in = dyn_spec(c, sp->data);

	*out = vm_null();
	if (st == NULL)
		return no_state(c, sp);
	if (in == NULL)
		return -1;
	if (in->cls->get == mod_pv_avp_get) {
		mod_pv_avpname name;
		mod_pv_avp *a;
		if (avp_name_now(c, in, &name) < 0)
			return -1;
		a = mod_pv_avp_find(st, &name);
		*out = vm_int(a ? (int32_t)a->n : 0);
		return 0;
	}
	if (in->cls->get == mod_pv_xavp_pvget) {
		const xname *xn = in->data;
		int icase = xn->kind == MOD_PV_XAVI, kind;
		int32_t idx;
		mod_pv_xavp *list = *mod_pv_xavp_root(st, xn->kind), *x;
		int n = mod_pv_xavp_count(list, xn->root.name, xn->root.nlen, icase);
		if (!xn->has_field) {
			*out = vm_int(n);
			return 0;
		}
		if (xpart_index(c, &xn->root, &kind, &idx) < 0)
			return -1;
		x = mod_pv_xavp_get(list, xn->root.name, xn->root.nlen,
				fix_index(idx, list, xn->root.name, xn->root.nlen, icase), icase);
		*out = vm_int(x && x->type == MOD_PV_X_LIST ?
				mod_pv_xavp_count(x->sub, xn->field.name, xn->field.nlen, icase) : 0);
		return 0;
	}
	vm_error(c, "%s: $cnt() takes an $avp or $xavp", sp->text);
	return -1;
}

/* The pv module's `fields` hook (vm_pv_fields): the fields of record
 * number idx named name in $xavp / $xavu / $xavi (0 the newest, negative
 * from the oldest), newest field first. A plain value is not a record. */
int mod_pv_fields(vm_ctx *c, const char *cls, const char *name, size_t nlen, int idx,
		void (*emit)(void *ud, const char *field, size_t flen, const vm_value *v),
		void *ud)
{
	mod_pv_state *st = mod_pv_state_of(c);
	int k = !strcmp(cls, "xavp") ? MOD_PV_XAVP : !strcmp(cls, "xavu") ? MOD_PV_XAVU :
		!strcmp(cls, "xavi") ? MOD_PV_XAVI : -1;
	if (st == NULL || k < 0)
		return -1;
	mod_pv_xavp **root = mod_pv_xavp_root(st, k);
	int icase = k == MOD_PV_XAVI;
	if (idx < 0)
		idx += mod_pv_xavp_count(*root, name, nlen, icase);
	if (idx < 0)
		return -1;
	mod_pv_xavp *x = mod_pv_xavp_get(*root, name, nlen, idx, icase);
	if (x == NULL || x->type != MOD_PV_X_LIST)
		return -1;
	for (mod_pv_xavp *f = x->sub; f; f = f->next) {
		vm_value v;
		if (mod_pv_xavp_value(c, f, &v) < 0)
			return -1;
		emit(ud, f->name, f->nlen, &v);
	}
	return 0;
}
