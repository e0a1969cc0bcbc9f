/*
 * vm_int.h — what the loader (vm_load.c), the PV and format code (vm_pv.c)
 * and the interpreter (vm_exec.c) share about a loaded program.
 *
 * Must not: be included outside vm/ (other layers see vm_loaded as an
 * opaque type through vm.h).
 */
#ifndef VM_INT_H
#define VM_INT_H

#include "vm.h"

/* A network of the N table, bound: an address with a prefix length, or a
 * host name compared as text. */
typedef struct {
	int af;                  /* 4, 6, or 0 for a host name */
	unsigned char addr[16];
	unsigned bits;
	const char *host;        /* af 0: the name (the N table's text) */
} vm_net;

/* A function of the FN table, bound. */
typedef struct {
	const vm_fn_export *fn;
	const char *module;      /* the exporting module's name */
	void **fix;              /* per argument, prepared constants (or NULL) */
	unsigned nfix;
	unsigned nregex;         /* regex_t's owned through fix (kind r) */
	int sets_rc;             /* a module function: its code goes to $rc
				  * (Kamailio's core actions leave $rc alone) */
} vm_fnbind;

/* A switch table, bound: regex cases compiled. */
typedef struct {
	vm_re **re;              /* per case, for VM_CASE_REGEX, else NULL */
} vm_jbind;

struct vm_loaded {
	vm_prog *prog;
	const vm_registry *reg;
	const vm_module **mods;  /* core first, then the loaded modules */
	size_t nmods;
	vm_pvspec **pv;          /* per P entry */
	vm_fmt **fmt;            /* per F entry */
	vm_re **re;              /* per X entry */
	vm_net *net;             /* per N entry */
	vm_fnbind *fn;           /* per FN entry */
	vm_jbind *jt;            /* per J entry */
	int32_t max_while_loops;
	int log_level;           /* the `debug` parameter */
};

/* Find the PV class `name` among lp's modules (loaded ones first, then
 * every module of the registry so that a missing loadmodule is named).
 * *module is set to the module's name. NULL when unknown. */
const vm_pv_export *vm_pv_class(const vm_loaded *lp, const char *name,
		size_t len, const char **module);
/* Find a transformation class by its name ("s", "uri" ...). */
const vm_tr_class *vm_tr_class_find(const vm_loaded *lp, const char *cls,
		size_t len);

/* The interpreter's error value: an expression whose evaluation failed
 * (division by zero, bad regex, ...). It propagates through operators, an
 * assignment of it is skipped, a test of it is false (as Kamailio does
 * when an rvalue expression fails). Never seen outside vm_exec.c. */
#define VM_ERRV 4

#endif
