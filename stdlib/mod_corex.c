/*
 * mod_corex.c — corex: core extensions: branches, sockets, raw sends, files.
 *
 * Only the functions that need no network are implemented: extended
 * message flags, reading and writing files, is_faked_msg().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"
#include "mod.h"

/* The extended flag argument, 0..63. */
static int xflag_arg(vm_call *call, int32_t *f)
{
	if (mod_core_arg_int(call, 0, f) < 0 || *f < 0 || *f > 63) {
		vm_error(call->ctx, "%s(): invalid flag", call->fn->name);
		return -1;
	}
	return 0;
}

/* setxflag(f), resetxflag(f), isxflagset(f): extended message flags. */
static int setxflag_f(vm_call *call)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t f;
	if (st == NULL || xflag_arg(call, &f) < 0)
		return -1;
	st->xflags |= (uint64_t)1 << f;
	return 1;
}

static int resetxflag_f(vm_call *call)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t f;
	if (st == NULL || xflag_arg(call, &f) < 0)
		return -1;
	st->xflags &= ~((uint64_t)1 << f);
	return 1;
}

static int isxflagset_f(vm_call *call)
{
	mod_core_state *st = mod_core_state_of(call->ctx);
	int32_t f;
	if (st == NULL || xflag_arg(call, &f) < 0)
		return -1;
	return (st->xflags & ((uint64_t)1 << f)) ? 1 : -1;
}

/* is_faked_msg(): sipvm routes no faked messages (tm's failure-route
 * replies are real ones here): -1. */
static int is_faked_msg_f(vm_call *call)
{
	(void)call;
	return -1;
}

/* A NUL-terminated copy of argument i (malloc'd), or NULL. */
static char *arg_cstr(vm_call *call, unsigned i)
{
	char buf[VM_INT_DEC_MAX], *z;
	const char *s;
	size_t len;

	mod_core_arg_str(call, i, buf, &s, &len);
	if (memchr(s, '\0', len) != NULL)
		return NULL;
	z = malloc(len + 1);
	if (z == NULL)
		return NULL;
	memcpy(z, s, len);
	z[len] = '\0';
	return z;
}

/* Files larger than this are refused by file_read (a script variable
 * holding more is a mistake; the arena of a message is 1 MiB). */
#define COREX_FILE_MAX (16u * 1024u * 1024u)

/* file_read(path, $pv): the whole file as a string in the PV. 1, or -1
 * (cannot open or read it, too large). */
static int file_read_f(vm_call *call)
{
	char *path = arg_cstr(call, 0), *data = NULL;
	vm_pvspec *sp = mod_core_fix(call, 1), *own = NULL;
	FILE *f = NULL;
	long n;
	int ret = -1;
	vm_value v;

	if (path == NULL)
		return -1;
	if (sp == NULL) {
		char buf[VM_INT_DEC_MAX], err[256];
		const char *s;
		size_t len;
		mod_core_arg_str(call, 1, buf, &s, &len);
		if (vm_pv_parse(call->ctx->lp, s, len, &own, err, sizeof(err)) < 0) {
			vm_error(call->ctx, "file_read(): %s", err);
			goto done;
		}
		sp = own;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		vm_error(call->ctx, "file_read(): cannot open file: %s", path);
		goto done;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
			(unsigned long)n > COREX_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		vm_error(call->ctx, "file_read(): cannot read file: %s", path);
		goto done;
	}
	data = malloc((size_t)n + 1);
	if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
		vm_error(call->ctx, "file_read(): cannot read file: %s", path);
		goto done;
	}
	v = vm_str(data, (size_t)n);
	if (vm_pv_set(call->ctx, sp, VM_PV_ASSIGN, &v) == 0)
		ret = 1;
done:
	if (f)
		fclose(f);
	free(data);
	free(path);
	vm_pvspec_free(own);
	return ret;
}

/* file_write(path, data): the file replaced by the data. 1 or -1. */
static int file_write_f(vm_call *call)
{
	char *path = arg_cstr(call, 0);
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	FILE *f;
	int ret = -1;

	if (path == NULL)
		return -1;
	mod_core_arg_str(call, 1, buf, &s, &len);
	f = fopen(path, "w");
	if (f == NULL) {
		vm_error(call->ctx, "file_write(): cannot open file: %s", path);
		free(path);
		return -1;
	}
	if (fwrite(s, 1, len, f) == len)
		ret = 1;
	if (fclose(f) != 0)
		ret = -1;
	if (ret < 0)
		vm_error(call->ctx, "file_write(): cannot write file: %s", path);
	free(path);
	return ret;
}

/* forward_reply(): the reply being routed, forwarded statelessly now
 * (the core then does not forward it again). 1 or -1. */
static int corex_forward_reply(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	rt_worker *w = rt_worker_of(call->ctx);
	if (m == NULL || w == NULL)
		return -1;
	return rt_worker_forward_reply(w, m, 0, NULL, 0) > 0 ? 1 : -1;
}

static const vm_fn_export mod_corex_fns[] = {
	/* name                   n  routes              kinds  fixup  impl */
	{ "forward_reply",        0, MOD_CORE_ONREPLY,   "",    NULL,  corex_forward_reply },
	{ "append_branch",        0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "append_branch",        1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "append_branch",        2, MOD_REQ | MOD_FAIL, "ss",  NULL,  NULL },
	{ "send_udp",             0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "send_udp",             1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "send_tcp",             0, MOD_REQ | MOD_FAIL, "",    NULL,  NULL },
	{ "send_tcp",             1, MOD_REQ | MOD_FAIL, "s",   NULL,  NULL },
	{ "send_data",            2, MOD_ANY,            "ss",  NULL,  NULL },
	{ "sendx",                3, MOD_ANY,            "sss", NULL,  NULL },
	{ "is_incoming",          0, MOD_ANY,            "",    NULL,  NULL },
	{ "msg_iflag_set",        1, MOD_ANY,            "s",   NULL,  NULL },
	{ "msg_iflag_reset",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "msg_iflag_is_set",     1, MOD_ANY,            "s",   NULL,  NULL },
	{ "file_read",            2, MOD_ANY,            "sp",  NULL,  file_read_f },
	{ "file_write",           2, MOD_ANY,            "ss",  NULL,  file_write_f },
	{ "setxflag",             1, MOD_ANY,            "i",   NULL,  setxflag_f },
	{ "resetxflag",           1, MOD_ANY,            "i",   NULL,  resetxflag_f },
	{ "isxflagset",           1, MOD_ANY,            "i",   NULL,  isxflagset_f },
	{ "set_send_socket",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_send_socket_name", 1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_recv_socket",      1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_recv_socket_name", 1, MOD_ANY,            "s",   NULL,  NULL },
	{ "set_source_address",   1, MOD_ANY,            "s",   NULL,  NULL },
	{ "via_add_srvid",        1, MOD_ANY,            "i",   NULL,  NULL },
	{ "via_add_xavp_params",  1, MOD_ANY,            "i",   NULL,  NULL },
	{ "via_use_xavp_fields",  1, MOD_ANY,            "i",   NULL,  NULL },
	{ "is_faked_msg",         0, MOD_ANY,            "",    NULL,  is_faked_msg_f },
	{ "is_socket_name",       1, MOD_ANY,            "s",   NULL,  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_corex_params[] = {
	{ "alias_subdomains", VM_PARAM_STR, 1 },
	{ "dns_cache",        VM_PARAM_STR, 1 },
	{ "nio_intercept",    VM_PARAM_INT, 0 },
	{ "nio_min_msg_len",  VM_PARAM_INT, 0 },
	{ "nio_msg_avp",      VM_PARAM_STR, 0 },
	{ "evcb_reply_out",   VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_corex_pvs[] = {
	{ "cfg",   VM_PV_NAME, NULL, NULL, NULL },
	{ "lsock", VM_PV_NAME, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const vm_tr_export mod_corex_trs[] = {
	{ "sock", "host" },
	{ "sock", "port" },
	{ "sock", "proto" },
	{ "sock", "touri" },
	{ NULL, NULL }
};

static const char *const mod_corex_events[] = {
	"corex:reply-out",
	"network:msg",
	NULL
};

const vm_module mod_corex = {
	.name   = "corex",
	.fns    = mod_corex_fns,
	.params = mod_corex_params,
	.pvs    = mod_corex_pvs,
	.trs    = mod_corex_trs,
	.events = mod_corex_events,
};
