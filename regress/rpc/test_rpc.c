/*
 * test_rpc.c — the RPC registry and reply builder (runtime/rt_rpc.c) and
 * the jsonrpcs module (stdlib/mod_jsonrpcs.c) without a network (TAP):
 * registration (idempotent, per-program visibility, sorted listings), the
 * reply rules of Kamailio's RPC API (the last value or an array, {} or []
 * when empty, faults, scanning parameters), srjson's layout for what the
 * golden replies of rpc.t do not show (nested structures, empty ones
 * inside others, numbers, escapes), the nesting bound of the parser,
 * jsonrpc_exec's $jsonrpl per worker, and app_lua.reload through
 * jsonrpc_dispatch taken by every worker at its next lua_run (a script
 * that no longer compiles refused, the old definitions kept).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cfgc/cfgc.h"
#include "../../runtime/rt.h"
#include "../tap.h"

static char dir[256];
static char sent[1 << 15];
static size_t sentlen;

static int send_hook(rt_worker *w, const char *what, const rt_addr *dst,
		const char *buf, size_t len)
{
	(void)w;
	(void)what;
	(void)dst;
	if (sentlen + len + 1 < sizeof(sent)) {
		memcpy(sent + sentlen, buf, len);
		sentlen += len;
		sent[sentlen] = '\0';
	}
	return 0;
}

static void quiet_log(vm_ctx *c, int level, const char *line, size_t len)
{
	(void)c;
	(void)level;
	if (getenv("SHOW_LOG"))
		printf("# log: %.*s\n", (int)len, line);
}

/* Write dir/name with the text (printf format). */
static void put(const char *name, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static vm_loaded *load(const char *name)
{
	char path[512], err[512];
	cfgc_ctx *ctx = cfgc_ctx_new(NULL);
	vm_prog *p = NULL;
	vm_loaded *lp = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (ctx == NULL)
		return NULL;
	if (cfgc_compile(ctx, path, &p) < 0) {
		cfgc_print_diags(ctx, stdout, 0);
		cfgc_ctx_free(ctx);
		return NULL;
	}
	cfgc_ctx_free(ctx);
	if (vm_load(p, vm_registry_sipvm(), &lp, err, sizeof(err)) < 0) {
		printf("# load: %s\n", err);
		vm_prog_free(p);
		return NULL;
	}
	return lp;
}

/* Route text (a SIP or HTTP message from 127.0.0.1:5070 over TCP) in w;
 * what it sent is in `sent`. The route's code. */
static int32_t route(rt_worker *w, const char *text, size_t len)
{
	static char buf[1 << 16];
	uint32_t type;
	rt_msg m;
	int32_t code;
	int rt, how;

	sentlen = 0;
	sent[0] = '\0';
	if (len >= sizeof(buf))
		return -99;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(&m, 0, sizeof(m));
	m.conn = -1;
	m.lsock = -1;
	if (rt_msg_parse(buf, len, &m) < 0)
		return -99;
	rt_addr_parse("tcp:127.0.0.1:5070", 18, &m.src);
	m.rcv = w->self;
	if ((rt = rt_worker_route_for(w->vm.lp, &m, &type)) < 0)
		return -98;
	code = rt_worker_run(w, &m, rt, type, &how);
	rt_msg_clear(&m);
	return code;
}

/* POST body to path; the reply's body (after the empty line), or "". */
static const char *post(rt_worker *w, const char *path, const char *body)
{
	static char msg[1 << 16];
	const char *b;
	int n = snprintf(msg, sizeof(msg), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Content-Length: %zu\r\n\r\n%s", path, strlen(body), body);

	if (n < 0 || (size_t)n >= sizeof(msg))
		return "";
	route(w, msg, (size_t)n);
	b = strstr(sent, "\r\n\r\n");
	return b ? b + 4 : "";
}

/* One OPTIONS; the status line it got, or "". */
static const char *options(rt_worker *w)
{
	static char line[256];
	static const char opt[] =
		"OPTIONS sip:lua@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-rpc1\r\n"
		"From: <sip:t@127.0.0.1>;tag=a\r\nTo: <sip:lua@127.0.0.1>\r\n"
		"Call-ID: rpc-test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	size_t n;

	route(w, opt, sizeof(opt) - 1);
	n = strcspn(sent, "\r\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, sent);
	return line;
}

/* ------------------------------------------------------------ handlers */

static int test_calls;

static void cmd_two(rt_rpc_ctx *r)
{
	test_calls++;
	rt_rpc_add_str(r, "one", 3);
	rt_rpc_printf(r, "two %d", 2);
}

static void cmd_two_b(rt_rpc_ctx *r)
{
	rt_rpc_add_str(r, "b", 1);
}

static void cmd_none(rt_rpc_ctx *r)
{
	(void)r;
}

static void cmd_fault(rt_rpc_ctx *r)
{
	rt_rpc_add_str(r, "lost", 4);
	rt_rpc_fault(r, 404, "first");
	rt_rpc_fault(r, 409, "%s %d", "Conflict", 7);
}

/* A reply with every layout srjson has. */
static void cmd_nested(rt_rpc_ctx *r)
{
	rt_rpc_val *st = rt_rpc_add_struct(r), *a, *k;

	a = rt_rpc_val_new(RT_RPC_ARRAY);
	rt_rpc_val_add(a, NULL, rt_rpc_val_num(1));
	rt_rpc_val_add(a, NULL, rt_rpc_val_str("x", 1));
	k = rt_rpc_val_new(RT_RPC_STRUCT);
	rt_rpc_val_add(k, "k", rt_rpc_val_new(RT_RPC_NULL));
	rt_rpc_val_add(a, NULL, k);
	rt_rpc_val_add(a, NULL, rt_rpc_val_new(RT_RPC_ARRAY));
	rt_rpc_val_add(a, NULL, rt_rpc_val_new(RT_RPC_STRUCT));
	rt_rpc_val_add(st, "a", a);
	rt_rpc_val_add(st, "e", rt_rpc_val_new(RT_RPC_STRUCT));
	rt_rpc_val_add(st, "n1", rt_rpc_val_num(1e-7));
	rt_rpc_val_add(st, "n2", rt_rpc_val_num(3e9));
	rt_rpc_val_add(st, "n3", rt_rpc_val_num(2.5));
	rt_rpc_val_add(st, "n4", rt_rpc_val_num(-0.0));
	rt_rpc_val_add(st, "n5", rt_rpc_val_num(123456.789));
	rt_rpc_val_add(st, "n6", rt_rpc_val_num(-2147483648.0));
	rt_rpc_val_add(st, "t", rt_rpc_val_new(RT_RPC_TRUE));
	rt_rpc_val_add(st, "f", rt_rpc_val_new(RT_RPC_FALSE));
	rt_rpc_val_add(st, "s", rt_rpc_val_str("a\"b\\c\n\x01\x7f\xc3\xa9\0hidden", 15));
}

static const char nested_json[] =
	"{\n"
	"\t\"jsonrpc\":\t\"2.0\",\n"
	"\t\"result\":\t{\n"
	"\t\t\"a\":\t[1, \"x\", {\n"
	"\t\t\t\t\"k\":\tnull\n"
	"\t\t\t}, [], {\n"
	"\t\t\t}],\n"
	"\t\t\"e\":\t{\n"
	"\t\t},\n"
	"\t\t\"n1\":\t1.000000e-07,\n"
	"\t\t\"n2\":\t3000000000,\n"
	"\t\t\"n3\":\t2.500000,\n"
	"\t\t\"n4\":\t0,\n"
	"\t\t\"n5\":\t123456.789000,\n"
	"\t\t\"n6\":\t-2147483648,\n"
	"\t\t\"t\":\ttrue,\n"
	"\t\t\"f\":\tfalse,\n"
	"\t\t\"s\":\t\"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9\"\n"
	"\t},\n"
	"\t\"id\":\t5\n"
	"}";

/* ------------------------------------------------------------ cases */

static void registry(void)
{
	const rt_rpc_cmd *list[RT_RPC_MAX], *c;
	size_t n, m;
	int sorted = 1;

	ok(rt_rpc_find(NULL, "core.version") && rt_rpc_find(NULL, "system.listMethods") &&
	   rt_rpc_find(NULL, "stats.get_statistics"), "the core's commands are built in");
	ok(rt_rpc_find(NULL, "Core.Version") == NULL && rt_rpc_find(NULL, "core.") == NULL &&
	   rt_rpc_find(NULL, NULL) == NULL, "names are exact");
	n = rt_rpc_list(NULL, list, RT_RPC_MAX);
	ok(rt_rpc_register("test.two", "Two values", "nosuchmodule", 0, cmd_two) == 0,
	   "register test.two");
	c = rt_rpc_find(NULL, "test.two");
	ok(rt_rpc_register("test.two", "ignored", NULL, RT_RPC_RET_ARRAY, cmd_two_b) == 0 &&
	   rt_rpc_find(NULL, "test.two") == c && rt_rpc_list(NULL, list, RT_RPC_MAX) == n + 1 &&
	   strcmp(c->help, "Two values") == 0 && c->fn == cmd_two_b &&
	   (c->flags & RT_RPC_RET_ARRAY),
	   "registering again keeps the entry (name, help, owner), takes the new handler and flags");
	rt_rpc_register("test.two", "Two values", "nosuchmodule", 0, cmd_two);
	ok(rt_rpc_register("", "x", NULL, 0, cmd_none) < 0 &&
	   rt_rpc_register("test.nofn", "x", NULL, 0, NULL) < 0, "no empty name, no NULL handler");
	rt_rpc_register("test.none", "Nothing", NULL, 0, cmd_none);
	rt_rpc_register("test.none_array", "Nothing", NULL, RT_RPC_RET_ARRAY, cmd_none);
	rt_rpc_register("test.fault", "Fails", NULL, 0, cmd_fault);
	rt_rpc_register("test.nested", "Nested", NULL, 0, cmd_nested);
	m = rt_rpc_list(NULL, list, RT_RPC_MAX);
	for (size_t i = 1; i < m; i++)
		sorted &= strcmp(list[i - 1]->name, list[i]->name) < 0;
	ok(m == n + 5 && sorted, "rt_rpc_list: %zu commands, sorted", m);
	ok(rt_rpc_list(NULL, list, 2) == m, "rt_rpc_list tells how many there are");
}

/* Run command name on params; the ctx is left for the caller to read. */
static void run(rt_rpc_ctx *r, const char *name, const rt_rpc_val *params)
{
	rt_rpc_ctx_init(r, NULL, NULL, params);
	rt_rpc_run(r, rt_rpc_find(NULL, name));
}

static void reply_rules(void)
{
	rt_rpc_ctx r;
	const rt_rpc_val *v;
	rt_rpc_val *p, *q;
	const char *s;
	size_t len;
	int i = 42;

	run(&r, "test.two", NULL);
	v = rt_rpc_result(&r);
	ok(test_calls == 1 && v && v->type == RT_RPC_STR && strcmp(v->s, "two 2") == 0,
	   "without RET_ARRAY the last value added is the reply");
	rt_rpc_ctx_free(&r);
	run(&r, "test.none", NULL);
	v = rt_rpc_result(&r);
	ok(v && v->type == RT_RPC_STRUCT && v->child == NULL, "nothing added: {}");
	rt_rpc_ctx_free(&r);
	run(&r, "test.none_array", NULL);
	v = rt_rpc_result(&r);
	ok(v && v->type == RT_RPC_ARRAY && v->child == NULL, "nothing added with RET_ARRAY: []");
	rt_rpc_ctx_free(&r);
	run(&r, "test.fault", NULL);
	ok(r.fault_code == 409 && strcmp(r.fault_text, "Conflict 7") == 0, "the last fault wins");
	rt_rpc_ctx_free(&r);
	rt_rpc_ctx_init(&r, NULL, NULL, NULL);
	rt_rpc_fault(&r, 500, "%0200d", 1);
	ok(strlen(r.fault_text) == 127, "a fault's message is cut to 127 bytes");

	/* parameters: "a", 7.9, true, "12", null */
	p = rt_rpc_val_new(RT_RPC_ARRAY);
	rt_rpc_val_add(p, NULL, rt_rpc_val_str("a", 1));
	rt_rpc_val_add(p, NULL, rt_rpc_val_num(7.9));
	rt_rpc_val_add(p, NULL, rt_rpc_val_new(RT_RPC_TRUE));
	rt_rpc_val_add(p, NULL, rt_rpc_val_str("12", 2));
	rt_rpc_val_add(p, NULL, rt_rpc_val_num(-3.5));
	rt_rpc_ctx_init(&r, NULL, NULL, p->child);
	ok(rt_rpc_scan_str(&r, 0, &s, &len) == 1 && len == 1 && strcmp(s, "a") == 0,
	   "scan_str: a string");
	ok(rt_rpc_scan_str(&r, 0, &s, &len) == -1 && r.param == p->child->next,
	   "scan_str: a number is not a string (not consumed)");
	ok(rt_rpc_scan_str(&r, 1, &s, &len) == 1 && strcmp(s, "7") == 0,
	   "scan_str with conversion: 7.9 is \"7\"");
	ok(rt_rpc_scan_int(&r, &i) == 1 && i == 1, "scan_int: true is 1");
	ok(rt_rpc_scan_int(&r, &i) == 1 && i == 0, "scan_int: a string is 0 (5.6.3 reads its number)");
	ok(rt_rpc_scan_int(&r, &i) == 1 && i == -3, "scan_int: -3.5 is -3");
	ok(rt_rpc_scan_int(&r, &i) == 0 && rt_rpc_scan_str(&r, 0, &s, &len) == 0,
	   "no parameter left: 0");
	rt_rpc_ctx_free(&r);
	rt_rpc_val_free(p);

	/* struct_add on an array wraps the value */
	p = rt_rpc_val_new(RT_RPC_ARRAY);
	q = rt_rpc_val_str("v", 1);
	ok(rt_rpc_val_add(p, "w", q) == 0 && p->child && p->child->type == RT_RPC_STRUCT &&
	   p->child->child == q && strcmp(q->name, "w") == 0,
	   "a named value added to an array is wrapped in { name: value }");
	ok(rt_rpc_val_add(q, "x", rt_rpc_val_num(1)) < 0, "a string takes no member");
	rt_rpc_val_free(p);
}

static vm_loaded *setup(void)
{
	put("reply.lua", "reason = \"Version A\"\n"
			"function options_reply()\n\tKSR.sl.sl_send_reply(200, reason)\nend\n");
	put("rpc.cfg",
			"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xhttp.so\"\n"
			"loadmodule \"kex.so\"\nloadmodule \"jsonrpcs.so\"\nloadmodule \"app_lua.so\"\n"
			"modparam(\"app_lua\", \"load\", \"%s/reply.lua\")\n"
			"request_route {\n"
			"\tif (!lua_run(\"options_reply\")) { sl_send_reply(\"500\", \"Lua failed\"); }\n"
			"}\n"
			"event_route[xhttp:request] {\n"
			"\tif ($hu == \"/exec\") {\n"
			"\t\tjsonrpc_exec(\"$rb\");\n"
			"\t\txhttp_reply(\"200\", \"OK\", \"text/plain\",\n"
			"\t\t\t\"$jsonrpl(code)|$jsonrpl(text)|$jsonrpl(body)\");\n"
			"\t\texit;\n"
			"\t}\n"
			"\tif (!jsonrpc_dispatch()) {\n"
			"\t\txhttp_reply(\"400\", \"Bad Request\", \"text/plain\", \"bad\\n\");\n"
			"\t}\n"
			"}\n", dir);
	return load("rpc.cfg");
}

static void through_jsonrpcs(const vm_loaded *lp)
{
	rt_worker w[3];
	const char *b;
	char *deep;
	int ready = 1;

	for (int i = 0; i < 3; i++) {
		ready &= rt_worker_init(&w[i], lp, i) == 0;
		w[i].send = send_hook;
		w[i].vm.log = quiet_log;
	}
	ok(ready, "three workers");
	if (!ready)
		return;
	b = post(&w[0], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"test.nested\",\"id\":5}");
	ok(strcmp(b, nested_json) == 0, "srjson's layout: nested and empty structures, numbers, escapes");
	if (strcmp(b, nested_json) != 0)
		printf("# got:\n%s\n", b);
	ok(strstr(sent, "HTTP/1.1 200 OK\r\n") == sent &&
	   strstr(sent, "\r\nContent-Type: application/json\r\n") != NULL,
	   "200 OK, application/json");
	b = post(&w[0], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"test.fault\",\"id\":\"f\"}");
	ok(strstr(sent, "HTTP/1.1 409 Conflict 7\r\n") == sent &&
	   strcmp(b, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"error\":\t{\n\t\t\"code\":\t409,\n"
			   "\t\t\"message\":\t\"Conflict 7\"\n\t},\n\t\"id\":\t\"f\"\n}") == 0,
	   "a fault: its code and message are the HTTP status and the error");
	b = post(&w[0], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"test.two\",\"id\":1}");
	ok(strstr(b, "Method Not Found") != NULL,
	   "a command whose owner module the program does not load does not exist");

	/* nesting */
	deep = malloc(2 * 600 + 64);
	if (deep) {
		int n = sprintf(deep, "{\"jsonrpc\":\"2.0\",\"method\":\"core.version\",\"x\":");
		for (int i = 0; i < 500; i++)
			deep[n++] = '[';
		for (int i = 0; i < 500; i++)
			deep[n++] = ']';
		strcpy(deep + n, "}");
		b = post(&w[0], "/RPC", deep);
		ok(strstr(b, "sipvm") != NULL, "500 levels of nesting parse");
		n = sprintf(deep, "{\"jsonrpc\":\"2.0\",\"method\":\"core.version\",\"x\":");
		for (int i = 0; i < 600; i++)
			deep[n++] = '[';
		for (int i = 0; i < 600; i++)
			deep[n++] = ']';
		strcpy(deep + n, "}");
		post(&w[0], "/RPC", deep);
		ok(strstr(sent, "HTTP/1.1 400 Bad Request\r\n") == sent,
		   "600 levels are refused as invalid JSON (the route answers)");
		free(deep);
	}

	/* $jsonrpl is per worker */
	b = post(&w[1], "/exec", "{\"jsonrpc\":\"2.0\",\"method\":\"system.methodHelp\","
			"\"params\":[\"core.uptime\"],\"id\":1}");
	ok(strcmp(b, "200|OK|{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t"
			"\"Returns uptime of SIP server.\",\n\t\"id\":\t1\n}") == 0,
	   "jsonrpc_exec: $jsonrpl(code), (text), (body)");
	b = post(&w[2], "/exec", "not json");
	ok(strcmp(b, "0|<null>|<null>") == 0, "another worker has no reply yet");
	b = post(&w[1], "/exec", "not json");
	ok(strncmp(b, "200|OK|{", 8) == 0, "a failed jsonrpc_exec keeps the last reply");

	/* reloads: every worker takes the new script at its next lua_run */
	ok(strcmp(options(&w[0]), "SIP/2.0 200 Version A") == 0 &&
	   strcmp(options(&w[1]), "SIP/2.0 200 Version A") == 0 &&
	   strcmp(options(&w[2]), "SIP/2.0 200 Version A") == 0, "Version A in every worker");
	put("reply.lua", "reason = \"Version B\"\n"
			"function options_reply()\n\tKSR.sl.sl_send_reply(200, reason)\nend\n");
	ok(strcmp(options(&w[1]), "SIP/2.0 200 Version A") == 0,
	   "a changed script is not taken before a reload");
	b = post(&w[0], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"app_lua.reload\",\"id\":1}");
	ok(strcmp(b, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t},\n\t\"id\":\t1\n}") == 0,
	   "app_lua.reload through worker 0: {}");
	ok(strcmp(options(&w[0]), "SIP/2.0 200 Version B") == 0 &&
	   strcmp(options(&w[1]), "SIP/2.0 200 Version B") == 0 &&
	   strcmp(options(&w[2]), "SIP/2.0 200 Version B") == 0, "Version B in every worker");
	put("reply.lua", "reason = \"Version X\"\nfunction options_reply(\nend\n");
	post(&w[2], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"app_lua.reload\",\"id\":1}");
	ok(strstr(sent, "HTTP/1.1 500 Reload Failed\r\n") == sent,
	   "a script that does not compile: 500 Reload Failed");
	ok(strcmp(options(&w[0]), "SIP/2.0 200 Version B") == 0 &&
	   strcmp(options(&w[2]), "SIP/2.0 200 Version B") == 0, "the running definitions stay");
	b = post(&w[2], "/RPC", "{\"jsonrpc\":\"2.0\",\"method\":\"app_lua.list\",\"id\":1}");
	ok(strstr(b, "\"result\":\t\"0: [") != NULL && strstr(b, "/reply.lua]\"") != NULL,
	   "app_lua.list");
	/* mangled requests: cut, bytes changed, bytes from the JSON alphabet
	 * inserted; every one gets a reply (the route's 400 when it is not
	 * JSON) and nothing crashes (the sanitizer build runs this too) */
	{
		static const char seed[] = "{\"jsonrpc\":\"2.0\",\"method\":\"jsonrpc.echo\","
			"\"params\":[\"a\\u00e9\\ud83d\\ude00\",-1.5e3,{\"k\":[true,null]}],\"id\":\"x\"}";
		static const char alpha[] = "{}[]\":,\\u-0123456789.eE+ tfnrl\x01\xff";
		char buf[256];
		unsigned seedv = 12345, replied = 0, runs = 2000;

		for (unsigned i = 0; i < runs; i++) {
			size_t len = sizeof(seed) - 1;
			memcpy(buf, seed, len + 1);
			for (int k = 0; k < 4; k++) {
				seedv = seedv * 1103515245u + 12345u;
				size_t at = (seedv >> 8) % (len + 1);
				switch ((seedv >> 4) % 3) {
				case 0: len = at; break;
				case 1:
					if (at < len)
						buf[at] = alpha[(seedv >> 16) % (sizeof(alpha) - 1)];
					break;
				default:
					if (len + 1 < sizeof(buf)) {
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = alpha[(seedv >> 16) % (sizeof(alpha) - 1)];
						len++;
					}
				}
			}
			buf[len] = '\0';
			post(&w[i % 3], "/RPC", buf);
			replied += strncmp(sent, "HTTP/1.1 ", 9) == 0;
		}
		ok(replied == runs, "%u mangled requests, %u replies", runs, replied);
	}
	for (int i = 0; i < 3; i++)
		rt_worker_free(&w[i]);
}

int main(void)
{
	vm_loaded *lp;

	snprintf(dir, sizeof(dir), "/tmp/sipvm-rpc-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	registry();
	reply_rules();
	lp = setup();
	ok(lp != NULL, "the config loads (xhttp, kex, jsonrpcs, app_lua)");
	if (lp) {
		through_jsonrpcs(lp);
		vm_unload(lp);
	}
	{
		char path[512];
		snprintf(path, sizeof(path), "%s/reply.lua", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/rpc.cfg", dir);
		unlink(path);
		rmdir(dir);
	}
	return tap_done();
}
