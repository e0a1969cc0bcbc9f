/*
 * vm.h — the public face of the sipvm virtual machine layer.
 *
 * Owns: the export tables every module declares once (functions with their
 * arities, parameter kinds and allowed route types; module parameters;
 * pseudo-variable classes; transformations; event routes), and the
 * registry that gathers them. The compiler (cfgc) checks scripts against
 * the registry; the interpreter and the Lua bridge call through it.
 *
 * Must not: depend on anything but libc; know about sockets, SIP or Lua.
 */
#ifndef VM_H
#define VM_H

#include <stddef.h>
#include <stdint.h>

/* Route-type mask bits, equal to Kamailio's. */
#define VM_RT_REQUEST        0x001u
#define VM_RT_FAILURE        0x002u
#define VM_RT_TM_ONREPLY     0x004u
#define VM_RT_BRANCH         0x008u
#define VM_RT_ONSEND         0x010u
#define VM_RT_ERROR          0x020u
#define VM_RT_LOCAL          0x040u
#define VM_RT_CORE_ONREPLY   0x080u
#define VM_RT_BRANCH_FAILURE 0x100u
#define VM_RT_EVENT          0x200u
#define VM_RT_ANY            0xFFFFFFFFu

/* Variable parameter count. */
#define VM_NPARAMS_VAR (-1)

/* One script function. `kinds` names the kind of each parameter, one
 * character per parameter:
 *   s  string, may contain PVs (format)      i  int or PV
 *   S  string literal only                   p  writable PV name
 *   r  regular expression                    R  route name
 *   f  flag                                  x  anything (module-specific)
 * For functions taken from Kamailio's catalog `kinds` is NULL and `fixup`
 * holds the catalog's fixup name. `impl` is NULL for functions that are
 * known to the compiler but not executable (yet, or at all). */
struct vm_call;
typedef int (*vm_fn_impl)(struct vm_call *call);

typedef struct {
	const char *name;
	int nparams;           /* >= 0, or VM_NPARAMS_VAR */
	uint32_t route_mask;
	const char *kinds;
	const char *fixup;
	vm_fn_impl impl;
} vm_fn_export;

/* Module parameter types. */
enum { VM_PARAM_INT = 1, VM_PARAM_STR = 2, VM_PARAM_ANY = 3 /* int or string */ };
typedef struct {
	const char *name;
	int type;
	int multi; /* may be given several times */
} vm_param_export;

/* Pseudo-variable class flags. */
#define VM_PV_WRITABLE 0x1u
#define VM_PV_NAME     0x2u  /* takes an inner name: $x(name) */
#define VM_PV_INDEX    0x4u  /* accepts [n] */
typedef struct {
	const char *name;
	unsigned flags;
} vm_pv_export;

typedef struct {
	const char *cls;   /* "s", "uri" ... */
	const char *name;  /* "len", "encode.base64" ... */
} vm_tr_export;

/* A module: everything it exports. Arrays end with a zeroed entry (name
 * NULL). `events` lists the event_route names it raises; a trailing ':'
 * means "any suffix" (htable:expired:TABLE). */
typedef struct {
	const char *name;
	const vm_fn_export *fns;
	const vm_param_export *params;
	const vm_pv_export *pvs;
	const vm_tr_export *trs;
	const char *const *events;
	/* Known but not available in this target (e.g. a module of Kamailio's
	 * source tree that its Debian packages do not ship): why, or NULL. */
	const char *unavailable;
} vm_module;

/* A set of modules: what one target provides. `core` is always loaded. */
typedef struct {
	const char *label;          /* "sipvm" or "Kamailio 5.6.3" */
	const vm_module *const *mods;
	size_t nmods;
} vm_registry;

/* sipvm's own modules (stdlib/). */
const vm_registry *vm_registry_sipvm(void);
/* Find a module by name (NULL if the registry has none). */
const vm_module *vm_registry_find(const vm_registry *reg, const char *name);

#endif
