/*
 * mod.h — the public face of the sipvm module layer (stdlib/).
 *
 * Owns: sipvm's own modules, one file per module (stdlib/mod_<name>.c),
 * each declaring its exports once, in one table per kind: script functions
 * (name, arity, parameter kinds, allowed route types, implementation),
 * module parameters, pseudo-variable classes, transformations and the
 * event routes it raises; and the list of them all (stdlib/mod_list.c),
 * which vm_registry_sipvm() returns. The compiler checks scripts against
 * these tables, the VM calls through them, the Lua bridge exposes them.
 *
 * Names, arities, route types, parameters, PV classes, transformations and
 * event routes are Kamailio 5.6.3's for the module of the same name
 * (cfgc/data/kam-*.tsv): a script that Kamailio accepts is checked the same
 * way here. Kamailio's C-API binders (bind_*, load_*, and everything with an
 * empty route mask) are not script functions and are left out. `impl` is
 * NULL for a function that is known but not implemented yet.
 *
 * Must not: be included by vm/, cfgc/, runtime/ or lua/ (they see modules
 * only through vm_registry); depend on anything but runtime/ and vm/;
 * declare an export anywhere but in its module's table.
 */
#ifndef MOD_H
#define MOD_H

#include "../runtime/rt.h"
#include "../vm/vm.h"

/* Route masks, written the way Kamailio's modules combine them. */
#define MOD_REQ          VM_RT_REQUEST
#define MOD_FAIL         VM_RT_FAILURE
#define MOD_TM_ONREPLY   VM_RT_TM_ONREPLY
#define MOD_BRANCH       VM_RT_BRANCH
#define MOD_ONSEND       VM_RT_ONSEND
#define MOD_ERROR        VM_RT_ERROR
#define MOD_LOCAL        VM_RT_LOCAL
#define MOD_CORE_ONREPLY VM_RT_CORE_ONREPLY
#define MOD_BRANCH_FAIL  VM_RT_BRANCH_FAILURE
#define MOD_EVENT        VM_RT_EVENT
#define MOD_ONREPLY      (VM_RT_TM_ONREPLY | VM_RT_CORE_ONREPLY)
#define MOD_ANY          VM_RT_ANY
/* Every route type but onsend_route: 0x3EF, the mask of most core actions. */
#define MOD_NOT_ONSEND   (MOD_REQ | MOD_FAIL | MOD_ONREPLY | MOD_BRANCH | \
                          MOD_ERROR | MOD_LOCAL | MOD_BRANCH_FAIL | MOD_EVENT)

/* Per-worker state slots in vm_ctx.mod[] (VM_CTX_MODS of them). */
enum {
	MOD_SLOT_PV = 0,       /* $var store, $avp / $xavp lists of the message */
	MOD_SLOT_CORE,         /* message flags, script flags, branch data */
	MOD_SLOT_SL,           /* append_to_reply headers, reply state */
	MOD_SLOT_TEXTOPS,
	MOD_SLOT_XLOG,
	MOD_SLOT__COUNT
};

/* Empty tables (just the terminator) for a module without exports of a
 * kind: a module's table pointers are never NULL. */
extern const vm_fn_export mod_no_fns[];
extern const vm_param_export mod_no_params[];
extern const vm_pv_export mod_no_pvs[];
extern const vm_tr_export mod_no_trs[];
extern const char *const mod_no_events[];

/* The modules, in the order of mod_list.c. */
extern const vm_module mod_core;
extern const vm_module mod_sl;
extern const vm_module mod_tm;
extern const vm_module mod_rr;
extern const vm_module mod_maxfwd;
extern const vm_module mod_siputils;
extern const vm_module mod_textops;
extern const vm_module mod_xlog;
extern const vm_module mod_pv;
extern const vm_module mod_kex;
extern const vm_module mod_corex;
extern const vm_module mod_registrar;
extern const vm_module mod_usrloc;
extern const vm_module mod_auth;
extern const vm_module mod_auth_db;
extern const vm_module mod_xhttp;
extern const vm_module mod_mqueue;
extern const vm_module mod_rtimer;
extern const vm_module mod_sqlops;
extern const vm_module mod_db_sqlite;
extern const vm_module mod_db_mysql;
extern const vm_module mod_http_client;
extern const vm_module mod_utils;
extern const vm_module mod_statistics;
extern const vm_module mod_app_lua;
extern const vm_module mod_app_lua_sr;
extern const vm_module mod_jsonrpcs;

/* ------------------------------------------------------------------------
 * Transformations of the pv module (mod_pv_tr.c)
 *
 * `$(var(x){s.substr,1,3})`: each `{class.name,params}` is parsed once (at
 * compile or load time) into a mod_pv_tr, then applied to a value at run
 * time. Classes: s, uri, param, nameaddr, tobody, line, with the names
 * Kamailio 5.6.3 has (cfgc/data/kam-transformations.tsv). A parameter is an
 * int, a text, or a PV whose value is asked for at run time through a
 * callback of the caller (the transformation code knows no PV store).
 * ------------------------------------------------------------------------ */

enum {
	MOD_PV_TR_S = 1, MOD_PV_TR_URI, MOD_PV_TR_PARAM, MOD_PV_TR_NAMEADDR,
	MOD_PV_TR_TOBODY, MOD_PV_TR_LINE
};

/* Parameter kinds: an int literal, a text literal, a PV (run time). */
enum { MOD_PV_TR_P_INT = 1, MOD_PV_TR_P_STR = 2, MOD_PV_TR_P_PV = 3 };

#define MOD_PV_TR_MAXP 3

/* One parameter. For MOD_PV_TR_P_STR `s`/`len` view the literal text, for
 * MOD_PV_TR_P_PV the PV's source text ("$var(i)"); both point into the text
 * given to the parser, which must outlive the mod_pv_tr. `pv` is free for
 * the caller (a binding made after parsing); the parser sets it to NULL. */
typedef struct {
	int kind;
	int32_t n;
	const char *s;
	size_t len;
	void *pv;
} mod_pv_tr_param;

/* A parsed transformation: class, operation (an index private to
 * mod_pv_tr.c), its canonical name ("substr") and parameters. */
typedef struct {
	int cls;
	int op;
	const char *name;
	int nparams;
	mod_pv_tr_param p[MOD_PV_TR_MAXP];
} mod_pv_tr;

/* The caller's evaluator of a PV parameter: store its current value in
 * *out (0), or return non-zero when it cannot (the transformation fails).
 * A string stored in *out must stay valid until the apply call returns. */
typedef int (*mod_pv_tr_eval_fn)(void *ud, const mod_pv_tr_param *p,
		vm_value *out);

/* Parse the text between the braces, "class.name[,p1[,p2...]]", into *tr.
 * The class is case-sensitive, the name is not. 0, or -1 with *err (when
 * err is not NULL) set to a static message: unknown class, unknown name,
 * missing or malformed parameter, negative substr length. Allocates
 * nothing; *tr views into text. */
int mod_pv_tr_parse(const char *text, size_t len, mod_pv_tr *tr,
		const char **err);

/* The same for one class: `name` is what follows "class.", `params` what
 * follows the name (empty, or starting with ','). */
int mod_pv_tr_parse_s(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err);
int mod_pv_tr_parse_uri(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err);
int mod_pv_tr_parse_param(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err);
int mod_pv_tr_parse_nameaddr(const char *name, size_t nlen,
		const char *params, size_t plen, mod_pv_tr *tr, const char **err);
int mod_pv_tr_parse_tobody(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err);
int mod_pv_tr_parse_line(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err);

/* Apply *tr to *in, storing the result in *out (which may be `in`).
 * Strings of the result come from the arena or view the input's bytes (so
 * they live as long as both). `eval`/`ud` evaluate PV parameters (eval may
 * be NULL when there are none). Returns 0; -1 when the transformation
 * fails (null input, not a URI, a PV parameter without a usable value, an
 * index out of range where Kamailio fails ...), with *out null; or
 * VM_E_NOMEM, with *out null, when the arena is full. */
int mod_pv_tr_apply(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_s(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_uri(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_param(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_nameaddr(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_tobody(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud);
int mod_pv_tr_apply_line(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud);

/* ------------------------------------------------------------------------
 * The core's per-message state, shared with the modules that keep
 * Kamailio's message-level state (mod_core.c)
 *
 * kex's script and branch flags, corex's extended flags, the transport
 * flags of set_reply_close() and friends, the body set_reply_body() gives
 * the next local reply, maxfwd's parsed value. One per worker context, in
 * c->mod[MOD_SLOT_CORE], reset after each message by the core's msg_done
 * hook.
 * ------------------------------------------------------------------------ */

/* Transport flags (set_reply_close() ...), the same bits as RT_SEND_*:
 * kept here for the message's script and copied into rt_msg.send_flags,
 * where the transport reads them. */
#define MOD_SEND_REPLY_CLOSE     0x1u
#define MOD_SEND_REPLY_NOCONNECT 0x2u
#define MOD_SEND_FWD_CLOSE       0x4u
#define MOD_SEND_FWD_NOCONNECT   0x8u

typedef struct {
	uint32_t sflags;         /* script flags (setsflag, $sf): Kamailio
				  * zeroes them for each top route run */
	uint32_t bflags;         /* flags of branch 0, the R-URI (setbflag,
				  * $bf) */
	uint64_t xflags;         /* extended message flags (setxflag) */
	unsigned send_flags;     /* MOD_SEND_* */
	int add_local_rport;     /* add_local_rport(): ;rport in our own Via */
	char *rpl_body;          /* set_reply_body(): the next local reply's
				  * body (malloc'd), or NULL */
	size_t rpl_body_len;
	int32_t maxfwd;          /* Max-Forwards value + 1 once maxfwd read
				  * it (decrements update it), 0 before */
	int debug_set;           /* setdebug() ran: debug_saved is the level */
	int debug_saved;         /* to restore on resetdebug() */
} mod_core_state;

/* The state of c, allocated on first use (NULL only when memory runs
 * out). Freed by the core's ctx_free hook. */
mod_core_state *mod_core_state_of(vm_ctx *c);

/* Helpers for module functions. */

/* What the loader prepared for argument i (vm_call.fix), or NULL. */
void *mod_core_fix(const vm_call *call, unsigned i);
/* Argument i as an int: an int, or a string that is one (vm_str_to_int's
 * rule). 0, or -1 when it is null or not a number. */
int mod_core_arg_int(const vm_call *call, unsigned i, int32_t *out);
/* Argument i as a string view (an int's text is written into buf; null is
 * ""). */
void mod_core_arg_str(const vm_call *call, unsigned i,
		char buf[VM_INT_DEC_MAX], const char **s, size_t *len);
/* The message being routed, or NULL after an error naming the function
 * (no message, or a request is needed and it is a reply, when `request`). */
rt_msg *mod_core_msg(vm_call *call, int request);

/* Set the user part of the R-URI as rewriteuser() does (errors are
 * logged naming call's function). 1, or -1. */
int mod_core_set_ruri_user(vm_call *call, const char *user, size_t len);

/* The local reply of the sl module (mod_sl.c): a stateless reply to the
 * request of c, with the headers append_to_reply() queued (and, for 3xx, a
 * Contact with the new R-URI), the body of set_reply_body() and Kamailio's
 * stateless To-tag from 180 up, sent to the request's source (RFC 3581
 * rport rules, as Kamailio). 1 sent, -1 error (ACK, no message, code
 * outside 100..699, building or sending failed). options_reply() uses it. */
int mod_sl_reply(vm_ctx *c, int code, const char *reason, size_t rlen);

/* Count a local reply in sl's statistics (its code's counter and
 * sent_replies, or failures when it could not be sent), as Kamailio's sl
 * does for its own replies and for xhttp's. */
void mod_sl_count_reply(int code, int sent);

/* MD5 of the concatenated parts as 32 lower-case hex digits, Kamailio's
 * MD5StringArray (mod_sl.c; the core's forward branch uses it too). A part
 * with a NULL s is empty. */
void mod_sl_md5_hex(const rt_view *parts, unsigned n, char out[32]);

/* xhttp (mod_xhttp.c): whether event_route[xhttp:request] runs for HTTP
 * request m under lp's url_skip / url_match parameters (Kamailio checks
 * url_skip first, then url_match, on the whole request target). 1 yes, 0
 * no (not HTTP, skipped, not matched, or out of memory). The regexes are
 * compiled by the module's init hook; without them every request runs. */
int mod_xhttp_accepts(const vm_loaded *lp, const rt_msg *m);
/* The reply of xhttp_reply() (mod_xhttp.c) to the HTTP request being
 * routed by c, for modules answering through xhttp as Kamailio's xhttp
 * API lets them (jsonrpcs): Content-Type ctype (none when clen is 0) and
 * the body (none when blen is 0) become reply lumps of the message, then
 * the reply is sent. Errors are logged naming `who`. 1 sent, -1 as
 * xhttp_reply(). */
int mod_xhttp_reply(vm_ctx *c, const char *who, int code, const char *reason,
		size_t rlen, const char *ctype, size_t clen, const char *body, size_t blen);

#endif
