/*
 * test_xhttp.c — the xhttp module's url_skip / url_match parameters
 * (mod_xhttp_accepts) and $hu, over canned messages (TAP).
 *
 * Programs that load xhttp with these settings are bound with vm_load
 * against sipvm's registry (the module's init hook compiles the regexes).
 * Kamailio 5.6.3 (checked on an instance, xhttp.t's config): url_skip is
 * tried first, then url_match, both on the whole request target with the
 * query string, case-sensitively; a request they turn away gets no
 * reply at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stdlib/mod.h"
#include "../../runtime/rt.h"
#include "../tap.h"

static void add_setting(vm_prog *p, const char *module, const char *name,
		const char *val)
{
	vm_const k = { VM_STR, 0, (char *)val, (uint32_t)strlen(val) };
	vm_prog_add_setting(p, module, name, &k);
}

/* A program loading xhttp with url_skip `skip` and url_match `match`
 * (NULL: not set). The loaded program, or NULL with the error in err. */
static vm_loaded *load(const char *skip, const char *match, char *err,
		size_t errlen)
{
	vm_prog *p = vm_prog_new();
	vm_loaded *lp = NULL;
	int rt, f;

	add_setting(p, "", "loadmodule", "sl.so");
	add_setting(p, "", "loadmodule", "xhttp.so");
	if (skip)
		add_setting(p, "xhttp", "url_skip", skip);
	if (match)
		add_setting(p, "xhttp", "url_match", match);
	f = vm_prog_add_file(p, "test.cfg");
	rt = vm_prog_route(p, VM_RT_EVENT, "xhttp:request");
	vm_prog_begin_route(p, rt);
	vm_prog_emit(p, VM_IA(VM_OP_EXIT, 0), f, 1);
	vm_prog_end_route(p, 1);
	if (vm_load(p, vm_registry_sipvm(), &lp, err, errlen) < 0) {
		vm_prog_free(p);
		return NULL;
	}
	return lp;
}

/* Whether lp's xhttp route would run for the message text s. */
static int accepts(const vm_loaded *lp, const char *s)
{
	char buf[512];
	rt_msg m;
	size_t len = strlen(s);

	memcpy(buf, s, len + 1);
	memset(&m, 0, sizeof(m));
	if (rt_msg_parse(buf, len, &m) < 0)
		return -1;
	return mod_xhttp_accepts(lp, &m);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: h\r\n\r\n"

int main(void)
{
	char err[256] = "";
	vm_loaded *lp, *all, *bad, *q;

	lp = load("^/skip", "^/(stats|api/)", err, sizeof(err));
	ok(lp != NULL, "a program with url_skip and url_match loads (%s)", err);
	if (lp == NULL)
		return tap_done();
	ok(accepts(lp, GET("/stats")) == 1, "url_match matches /stats");
	ok(accepts(lp, GET("/stats?x=1")) == 1, "with a query string");
	ok(accepts(lp, GET("/STATS")) == 0, "case-sensitively");
	ok(accepts(lp, GET("/api/x")) == 1, "and /api/x");
	ok(accepts(lp, GET("/nothere")) == 0, "a target url_match misses is turned away");
	ok(accepts(lp, GET("/skip/stats")) == 0, "url_skip wins over url_match");
	ok(accepts(lp, "OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
			"From: <sip:b@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c\r\n"
			"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") == 0,
			"a SIP request is not for xhttp");

	all = load(NULL, NULL, err, sizeof(err));
	ok(all != NULL && accepts(all, GET("/anything")) == 1 &&
			accepts(all, GET("/skip")) == 1,
			"without the parameters every HTTP request runs the route");
	ok(accepts(lp, GET("/nothere")) == 0,
			"each program keeps its own parameters");

	q = load(NULL, "a=1$", err, sizeof(err));
	ok(q != NULL && accepts(q, GET("/p?a=1")) == 1 && accepts(q, GET("/p")) == 0,
			"the regex sees the query string too");
	if (q)
		vm_unload(q);

	bad = load(NULL, "([", err, sizeof(err));
	ok(bad == NULL && strstr(err, "url_match") != NULL,
			"a url_match that does not compile refuses the program (%s)", err);

	vm_unload(lp);
	if (all)
		vm_unload(all);
	return tap_done();
}
