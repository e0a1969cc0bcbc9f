/*
 * mod_pv_int.h — what the files of the pv module share (mod_pv.c, the
 * export tables and script functions; mod_pv_var.c, the script variable
 * stores; mod_pv_msg.c, the message, time and misc PVs; mod_pv_tr.c, the
 * transformations).
 *
 * Owns: the per-worker state of the module (c->mod[MOD_SLOT_PV]): $var,
 * $vz and $vn stores, the per-message $avp and $xavp/$xavu/$xavi lists and
 * the per-message time cache; the shared $shv table; run-time names
 * ($avp($var(n)), $hdr($var(h)), indexes given by a PV inside an xavp
 * name) parsed on first use.
 *
 * Must not: be included outside stdlib/mod_pv*.c.
 */
#ifndef MOD_PV_INT_H
#define MOD_PV_INT_H

#include <stdint.h>
#include <time.h>

#include "mod.h"

/* ------------------------------------------------------------------------
 * Stored values
 * ------------------------------------------------------------------------ */

/* A value a store owns: null, an int, or a string copied into `s` (malloc'd,
 * NUL-terminated, `cap` bytes allocated; kept across writes for reuse). */
typedef struct {
	uint8_t kind;            /* VM_NULL, VM_INT or VM_STR */
	int32_t i;
	char *s;
	size_t len, cap;
} mod_pv_val;

/* Store v (copied; v may view d's own bytes). A null v stores null; an int
 * (also one with a text form) stores the int; a string (also one with an
 * int form, as $cs gives) stores its bytes. 0, or -1 when memory runs out
 * (d is then null). */
int mod_pv_val_set(mod_pv_val *d, const vm_value *v);
/* The value of d as a vm_value viewing d's storage (valid until d is next
 * written). */
vm_value mod_pv_val_get(const mod_pv_val *d);
/* Release d's buffer; d becomes null. */
void mod_pv_val_free(mod_pv_val *d);

/* ------------------------------------------------------------------------
 * Names known only at run time
 * ------------------------------------------------------------------------ */

/* A PV written where a class expects a name or an index ("$var(n)" in
 * $avp($var(n))). Class parsers have no loaded program to parse it with, so
 * it is parsed on first use with the ctx's program (once, under a lock) and
 * kept for the program's life. */
typedef struct mod_pv_dyn mod_pv_dyn;

/* A dyn for text[0..len) (copied), or NULL when memory runs out. */
mod_pv_dyn *mod_pv_dyn_new(const char *text, size_t len);
void mod_pv_dyn_free(mod_pv_dyn *d);
/* The PV's value now: 0 with *out set (maybe null), or -1 when it does not
 * parse or its class fails (logged once per failure). */
int mod_pv_dyn_get(vm_ctx *c, mod_pv_dyn *d, vm_value *out);

/* The index of sp as the classes read it: *kind is VM_IDX_NONE, _INT or
 * _ALL (a PV index is evaluated to an int). */
void mod_pv_index(vm_ctx *c, const vm_pvspec *sp, int *kind, int32_t *idx);

/* ------------------------------------------------------------------------
 * Per-worker state
 * ------------------------------------------------------------------------ */

typedef struct mod_pv_var mod_pv_var;
typedef struct mod_pv_avp mod_pv_avp;
typedef struct mod_pv_xavp mod_pv_xavp;

/* One script variable ($var/$vz share a table, $vn has its own). */
struct mod_pv_var {
	mod_pv_var *next;        /* hash chain */
	mod_pv_var *order;       /* all variables, newest first */
	uint32_t hash;
	size_t nlen;
	mod_pv_val v;
	char name[];             /* NUL-terminated */
};

typedef struct {
	mod_pv_var **bucket;
	mod_pv_var *all;
	size_t nbuckets, count;
	int nullable;            /* $vn: starts null, `= $null` makes it null */
	/* The variables by slot number (mod_pv_var.c, "Slots"): a $var spec
	 * finds its variable here without hashing its name. */
	mod_pv_var **byslot;
	uint32_t nbyslot;
} mod_pv_vtab;

/* Most variables a worker may create in one table, most AVP names and
 * xavp nodes in one message: a script that makes names from message data
 * cannot grow a worker without limit. */
#define MOD_PV_MAX_VARS  65536u
#define MOD_PV_MAX_AVPS  65536u
#define MOD_PV_MAX_XAVPS 65536u

typedef struct {
	mod_pv_vtab vars;        /* $var, $vz */
	mod_pv_vtab vnull;       /* $vn */
	mod_pv_avp *avps;        /* $avp names of this message */
	size_t navps;            /* values held */
	mod_pv_xavp *xavp, *xavu, *xavi;
	size_t nxavps;           /* xavp nodes held */
	/* time of the message, taken on first use ($Ts, $Tf, $time ...) */
	int have_time;
	struct timespec now;
	struct tm ltm, utm;
	char tf[32];             /* $Tf text */
	size_t tflen;
} mod_pv_state;

/* The pv state of c, or NULL (the module's ctx_init did not run). */
static inline mod_pv_state *mod_pv_state_of(vm_ctx *c)
{
	return c ? (mod_pv_state *)c->mod[MOD_SLOT_PV] : NULL;
}

/* When the module was first loaded ($Tb). */
extern time_t mod_pv_start_time;

/* Module hooks (mod_pv_var.c). */
int mod_pv_init(vm_loaded *lp, char *err, size_t errlen);
int mod_pv_ctx_init(vm_ctx *c);
void mod_pv_ctx_free(vm_ctx *c);
void mod_pv_msg_done(vm_ctx *c);

/* ------------------------------------------------------------------------
 * Script variables ($var, $vz, $vn) and $shv (mod_pv_var.c)
 * ------------------------------------------------------------------------ */

/* Find variable name[0..nlen) of t, creating it when `create` (int 0, or
 * null in the nullable table). NULL when absent (or when it cannot be
 * created: memory, MOD_PV_MAX_VARS). */
mod_pv_var *mod_pv_var_find(mod_pv_vtab *t, const char *name, size_t nlen,
		int create);
/* Assign v to var as the class does (`= $null`: int 0, or null in $vn).
 * 0 or -1 (memory). */
int mod_pv_var_assign(const mod_pv_vtab *t, mod_pv_var *var, const vm_value *v);

int mod_pv_var_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_var_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_var_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);
int mod_pv_vn_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_vn_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);
int mod_pv_shv_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_shv_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_shv_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);

/* ------------------------------------------------------------------------
 * AVPs (mod_pv_var.c): per message, a stack of values per name
 * ------------------------------------------------------------------------ */

/* A name: an int id (i:N) or a string (s:name, name). */
typedef struct {
	int is_int;
	int32_t id;
	const char *s;
	size_t len;
} mod_pv_avpname;

struct mod_pv_avp {
	mod_pv_avp *next;
	mod_pv_avpname name;     /* s points at `buf` */
	mod_pv_val *v;           /* v[n - 1] is the newest */
	size_t n, cap;
	char buf[];
};

/* The values stored under name (NULL when none). */
mod_pv_avp *mod_pv_avp_find(mod_pv_state *st, const mod_pv_avpname *name);
/* Push v on name's stack (copied). 0 or -1 (memory, MOD_PV_MAX_AVPS). */
int mod_pv_avp_push(mod_pv_state *st, const mod_pv_avpname *name, const vm_value *v);
/* Drop the newest value of name (all of them when `all`). */
void mod_pv_avp_drop(mod_pv_state *st, const mod_pv_avpname *name, int all);

int mod_pv_avp_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_avp_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_avp_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);
/* $cnt($avp(x)) and $cnt($xavp(x)): how many values. */
int mod_pv_cnt_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_cnt_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);

/* ------------------------------------------------------------------------
 * XAVPs (mod_pv_var.c): lists of named values and records, per message
 * ------------------------------------------------------------------------ */

enum { MOD_PV_XAVP = 0, MOD_PV_XAVU = 1, MOD_PV_XAVI = 2 };
enum { MOD_PV_X_NULL = 0, MOD_PV_X_INT = 1, MOD_PV_X_STR = 2, MOD_PV_X_LIST = 3 };

/* One node: a named value, or a named record (a list of child nodes). A
 * list is newest first, as Kamailio adds at the head. */
struct mod_pv_xavp {
	mod_pv_xavp *next;
	int type;                /* MOD_PV_X_* */
	mod_pv_val v;            /* _INT, _STR */
	mod_pv_xavp *sub;        /* _LIST: the record's fields */
	size_t nlen;
	char name[];
};

/* The root list of kind k (MOD_PV_XAVP, _XAVU, _XAVI). */
mod_pv_xavp **mod_pv_xavp_root(mod_pv_state *st, int k);
/* The idx-th (0 newest) node named name in list, or NULL. */
mod_pv_xavp *mod_pv_xavp_get(mod_pv_xavp *list, const char *name, size_t nlen,
		int idx, int icase);
int mod_pv_xavp_count(mod_pv_xavp *list, const char *name, size_t nlen, int icase);
/* A new node at the head of *list with value v (or the record `sub`, when
 * sub is not NULL; v is then ignored). NULL when memory runs out or the
 * message holds MOD_PV_MAX_XAVPS nodes (sub is then freed). */
mod_pv_xavp *mod_pv_xavp_add(mod_pv_state *st, mod_pv_xavp **list,
		const char *name, size_t nlen, const vm_value *v, mod_pv_xavp *sub);
/* Remove the newest node named name (every one when `all`); how many. */
int mod_pv_xavp_rm_name(mod_pv_state *st, mod_pv_xavp **list, const char *name,
		size_t nlen, int all, int icase);
/* Remove the idx-th node named name; 1, or 0 when there is none. */
int mod_pv_xavp_rm_index(mod_pv_state *st, mod_pv_xavp **list, const char *name,
		size_t nlen, int idx, int icase);
/* Free a whole list. */
void mod_pv_xavp_free_list(mod_pv_state *st, mod_pv_xavp **list);
/* Kamailio's xavp_set_child_xval: in the newest record rname, replace the
 * field cname (or add it); a new record when there is none (a plain value
 * rname is replaced by one). 0 or -1. */
int mod_pv_xavp_set_child(mod_pv_state *st, int k, const char *rname,
		size_t rlen, const char *cname, size_t clen, const vm_value *v);
/* The value of a node (a record reads as "<<xavp:0x...>>" text in the
 * arena). */
int mod_pv_xavp_value(vm_ctx *c, const mod_pv_xavp *x, vm_value *out);
/* The module's `fields` hook (vm_module.fields) over $xavp/$xavu/$xavi. */
int mod_pv_fields(vm_ctx *c, const char *cls, const char *name, size_t nlen, int idx,
		void (*emit)(void *ud, const char *field, size_t flen, const vm_value *v),
		void *ud);

int mod_pv_xavp_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_xavi_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_xavu_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_xavp_pvget(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_xavp_pvset(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);
int mod_pv_xavu_pvget(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_xavu_pvset(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);

/* ------------------------------------------------------------------------
 * Message, time and misc PVs (mod_pv_msg.c): one parser that finds the PV
 * by its class name (sp->id), one getter and one setter dispatching on it
 * ------------------------------------------------------------------------ */

int mod_pv_msg_parse(vm_pvspec *sp, const char *name, size_t len, const char **err);
int mod_pv_msg_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out);
int mod_pv_msg_set(vm_ctx *c, const vm_pvspec *sp, int op, const vm_value *v);

/* ------------------------------------------------------------------------
 * Transformation classes (mod_pv_tr.c)
 * ------------------------------------------------------------------------ */

/* s, uri, param, nameaddr, tobody, line, urialias; ends with a NULL cls. */
extern const vm_tr_class mod_pv_trclasses[];

#endif
