/*
 * mod_jsonrpcs.c — jsonrpcs: the RPC commands (runtime/rt_rpc.c) over
 * JSON-RPC 2.0, as Kamailio 5.6.3's jsonrpcs module serves them.
 *
 * jsonrpc_dispatch() answers the HTTP request being routed in
 * event_route[xhttp:request] (its body is the JSON-RPC request) through
 * xhttp's reply; jsonrpc_exec(cmd) runs a request given as text and keeps
 * the reply in $jsonrpl(code), $jsonrpl(text) and $jsonrpl(body). Only
 * the HTTP transport exists: the FIFO and datagram parameters are
 * accepted and do nothing.
 *
 * The bytes are Kamailio's (regress/rpc/golden/ holds its replies). Its
 * JSON library (srjson, from an early cJSON) is lenient and the parser
 * below accepts what it accepts: text after the value is ignored, an
 * unterminated string ends at the end of the body, "-" is the number 0,
 * a leading 0 is skipped ("0123" is 123); object keys are found without
 * regard to case, the first of duplicates wins. Numbers are doubles
 * printed as srjson prints them (an int when one, else %.0f, %e or %f);
 * strings escape '"', '\\' and control bytes only. The reply: "jsonrpc",
 * then "result" (the command's value; {} or [] when it added none) or
 * "error" ({code, message} from the command's fault, whose code and
 * message are also the HTTP status and reason), then "id" (a string as
 * given, anything else as a number: null is 0, true 1). A request whose
 * "jsonrpc" is not "2.0", without a string "method", or with "params"
 * neither an array nor an object runs nothing and gets {}; an unknown
 * method gets error 500 "Method Not Found". A body that is not JSON gets
 * no reply: jsonrpc_dispatch() returns -1 and the route decides.
 */
#include <float.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mod.h"

/* Nesting deeper than this is refused as invalid JSON (srjson recurses
 * without a bound; a worker's stack must not depend on a peer). */
#define JSON_MAX_DEPTH 512

/* ------------------------------------------------------------------------
 * Parsing (srjson's rules)
 * ------------------------------------------------------------------------ */

typedef struct {
	const char *end;
	int depth;
} json_in;

/* The byte at p, 0 at the end (srjson reads NUL-terminated text). */
static int ch(const json_in *in, const char *p)
{
	return p < in->end ? (unsigned char)*p : 0;
}

/* p advanced by n, not past the end. */
static const char *adv(const json_in *in, const char *p, size_t n)
{
	return (size_t)(in->end - p) > n ? p + n : in->end;
}

/* Skip bytes 1..32 (blanks and control bytes). */
static const char *skip(const json_in *in, const char *p)
{
	while (p && p < in->end && (unsigned char)*p <= 32 && *p != '\0')
		p++;
	return p;
}

static const char *parse_value(json_in *in, const char *p, rt_rpc_val *v);

/* Up to 4 hex digits at p (what sscanf("%4x") takes from well-formed
 * text); 0 when there is none. */
static unsigned hex4(const json_in *in, const char *p)
{
	unsigned u = 0;

	for (int i = 0; i < 4; i++) {
		int c = ch(in, p + i);
		if (c >= '0' && c <= '9')
			u = u * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			u = u * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			u = u * 16 + (unsigned)(c - 'A' + 10);
		else
			break;
	}
	return u;
}

/* A string at p (which must be '"') into out (malloc'd, NUL-ended).
 * After the text or NULL. Escapes: \b \f \n \r \t, \uXXXX (UTF-16
 * surrogate pairs joined; \u0000, a lone low surrogate or a broken pair
 * give nothing), any other byte after '\\' stands for itself. */
static const char *parse_string(json_in *in, const char *p, char **out, size_t *olen)
{
	rt_buf b = { NULL, 0, 0, 0 };
	int c;

	if (ch(in, p) != '"')
		return NULL;
	p++;
	while ((c = ch(in, p)) != '"' && c != 0) {
		if (c != '\\') {
			char byte = (char)c;
			rt_buf_put(&b, &byte, 1);
			p++;
			continue;
		}
		p++;
		c = ch(in, p);
		if (c == 0)
			break;
		switch (c) {
		case 'b': rt_buf_put(&b, "\b", 1); break;
		case 'f': rt_buf_put(&b, "\f", 1); break;
		case 'n': rt_buf_put(&b, "\n", 1); break;
		case 'r': rt_buf_put(&b, "\r", 1); break;
		case 't': rt_buf_put(&b, "\t", 1); break;
		case 'u': {
			unsigned uc = hex4(in, p + 1), uc2;
			unsigned char u8[4];
			int len;
			p = adv(in, p, 4);
			if ((uc >= 0xDC00 && uc <= 0xDFFF) || uc == 0)
				break;
			if (uc >= 0xD800 && uc <= 0xDBFF) {
				if (ch(in, p + 1) != '\\' || ch(in, p + 2) != 'u')
					break;
				uc2 = hex4(in, p + 3);
				p = adv(in, p, 6);
				if (uc2 < 0xDC00 || uc2 > 0xDFFF)
					break;
				uc = 0x10000 | ((uc & 0x3FF) << 10) | (uc2 & 0x3FF);
			}
			if (uc < 0x80) {
				u8[0] = (unsigned char)uc;
				len = 1;
			} else if (uc < 0x800) {
				u8[0] = (unsigned char)(0xC0 | (uc >> 6));
				u8[1] = (unsigned char)(0x80 | (uc & 0x3F));
				len = 2;
			} else if (uc < 0x10000) {
				u8[0] = (unsigned char)(0xE0 | (uc >> 12));
				u8[1] = (unsigned char)(0x80 | ((uc >> 6) & 0x3F));
				u8[2] = (unsigned char)(0x80 | (uc & 0x3F));
				len = 3;
			} else {
				u8[0] = (unsigned char)(0xF0 | (uc >> 18));
				u8[1] = (unsigned char)(0x80 | ((uc >> 12) & 0x3F));
				u8[2] = (unsigned char)(0x80 | ((uc >> 6) & 0x3F));
				u8[3] = (unsigned char)(0x80 | (uc & 0x3F));
				len = 4;
			}
			rt_buf_put(&b, (const char *)u8, (size_t)len);
			break;
		}
		default: {
			char byte = (char)c;
			rt_buf_put(&b, &byte, 1);
			break;
		}
		}
		p = adv(in, p, 1);
	}
	if (ch(in, p) == '"')
		p++;
	rt_buf_put(&b, "", 1);
	if (b.failed) {
		rt_buf_free(&b);
		return NULL;
	}
	*out = b.s;
	*olen = b.len - 1;
	return p;
}

/* 10^e as glibc's pow(10.0, e) gives it: exact (or correctly rounded)
 * within 10^±22, where every script's numbers are; beyond, a product of
 * tens (the last bit may differ). */
static double pow10i(int e)
{
	static const double t[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	double r;

	if (e >= 0 && e <= 22)
		return t[e];
	if (e < 0 && e >= -22)
		return 1.0 / t[-e];
	if (e > 0) {
		r = t[22];
		for (e -= 22; e > 0 && r < DBL_MAX; e--)
			r *= 10.0;
		return r;
	}
	r = 1.0 / t[22];
	for (e += 22; e < 0 && r > 0; e++)
		r /= 10.0;
	return r;
}

/* A number at p, srjson's way: sign, digits (one leading 0 skipped),
 * fraction, exponent, computed in a double as sign * n * 10^exp. */
static const char *parse_number(json_in *in, const char *p, rt_rpc_val *v)
{
	double n = 0, sign = 1;
	int scale = 0, subscale = 0, signsub = 1;

	if (ch(in, p) == '-')
		sign = -1, p++;
	if (ch(in, p) == '0')
		p++;
	if (ch(in, p) >= '1' && ch(in, p) <= '9')
		do
			n = (n * 10.0) + (ch(in, p++) - '0');
		while (ch(in, p) >= '0' && ch(in, p) <= '9');
	if (ch(in, p) == '.' && ch(in, p + 1) >= '0' && ch(in, p + 1) <= '9') {
		p++;
		do
			n = (n * 10.0) + (ch(in, p++) - '0'), scale--;
		while (ch(in, p) >= '0' && ch(in, p) <= '9');
	}
	if (ch(in, p) == 'e' || ch(in, p) == 'E') {
		p++;
		if (ch(in, p) == '+')
			p++;
		else if (ch(in, p) == '-')
			signsub = -1, p++;
		while (ch(in, p) >= '0' && ch(in, p) <= '9') {
			if (subscale < 100000)
				subscale = subscale * 10 + (ch(in, p) - '0');
			p++;
		}
	}
	if (scale < -100000)
		scale = -100000;
	v->type = RT_RPC_NUM;
	v->num = sign * n * pow10i(scale + subscale * signsub);
	return p;
}

/* The members of an array or object at p ('[' or '{'), appended to v. */
static const char *parse_list(json_in *in, const char *p, rt_rpc_val *v, int object)
{
	int close = object ? '}' : ']';

	v->type = object ? RT_RPC_STRUCT : RT_RPC_ARRAY;
	if (++in->depth > JSON_MAX_DEPTH)
		return NULL;
	p = skip(in, p + 1);
	if (ch(in, p) == close) {
		in->depth--;
		return p + 1;
	}
	for (;;) {
		rt_rpc_val *m = rt_rpc_val_new(RT_RPC_NULL);
		if (m == NULL)
			return NULL;
		m->next = NULL;
		if (v->last)
			v->last->next = m;
		else
			v->child = m;
		v->last = m;
		if (object) {
			size_t nlen;
			p = skip(in, parse_string(in, skip(in, p), &m->name, &nlen));
			if (p == NULL || ch(in, p) != ':')
				return NULL;
			p = p + 1;
		}
		p = skip(in, parse_value(in, skip(in, p), m));
		if (p == NULL)
			return NULL;
		if (ch(in, p) != ',')
			break;
		p++;
	}
	if (ch(in, p) != close)
		return NULL;
	in->depth--;
	return p + 1;
}

/* Whether p starts with the len bytes of word. */
static int starts(const json_in *in, const char *p, const char *word, size_t len)
{
	return (size_t)(in->end - p) >= len && memcmp(p, word, len) == 0;
}

/* One value at p into v. After it, or NULL when it is not JSON. */
static const char *parse_value(json_in *in, const char *p, rt_rpc_val *v)
{
	int c;

	if (p == NULL)
		return NULL;
	if (starts(in, p, "null", 4)) {
		v->type = RT_RPC_NULL;
		return p + 4;
	}
	if (starts(in, p, "false", 5)) {
		v->type = RT_RPC_FALSE;
		return p + 5;
	}
	if (starts(in, p, "true", 4)) {
		v->type = RT_RPC_TRUE;
		v->num = 1;
		return p + 4;
	}
	c = ch(in, p);
	if (c == '"') {
		v->type = RT_RPC_STR;
		return parse_string(in, p, &v->s, &v->len);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(in, p, v);
	if (c == '[' || c == '{')
		return parse_list(in, p, v, c == '{');
	return NULL;
}

/* The JSON value at the start of text[0..len) (what follows it is
 * ignored, as srjson does). NULL when it is not JSON or memory ran out. */
static rt_rpc_val *json_parse(const char *text, size_t len)
{
	json_in in = { text + len, 0 };
	rt_rpc_val *v = rt_rpc_val_new(RT_RPC_NULL);

	if (v == NULL)
		return NULL;
	if (parse_value(&in, skip(&in, text), v) == NULL) {
		rt_rpc_val_free(v);
		return NULL;
	}
	return v;
}

/* The first member of object o named `name`, whatever the case (srjson's
 * GetObjectItem), or NULL. */
static const rt_rpc_val *json_get(const rt_rpc_val *o, const char *name)
{
	for (const rt_rpc_val *m = o->child; m; m = m->next)
		if (m->name && strcasecmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* ------------------------------------------------------------------------
 * Printing (srjson's layout: with `fmt`, an object's members one per line
 * indented by tabs, "name":<tab>value; arrays on one line, ", " between
 * elements)
 * ------------------------------------------------------------------------ */

static void print_value(rt_buf *b, const rt_rpc_val *v, int depth, int fmt);

/* floor() without libm (|d| < 2^52 is truncated and adjusted; larger
 * values, infinities and NaN are their own floor). */
static double floor_d(double d)
{
	double t;

	if (!(d > -4503599627370496.0 && d < 4503599627370496.0))
		return d;
	t = (double)(long long)d;
	return t > d ? t - 1 : t;
}

static void print_number(rt_buf *b, double d)
{
	if (d >= -2147483648.0 && d <= 2147483647.0 &&
			__builtin_fabs((double)(int)d - d) <= DBL_EPSILON)
		rt_buf_printf(b, "%d", (int)d);
	else if (__builtin_fabs(floor_d(d) - d) <= DBL_EPSILON)
		rt_buf_printf(b, "%.0f", d);
	else if (__builtin_fabs(d) < 1.0e-6 || __builtin_fabs(d) > 1.0e9)
		rt_buf_printf(b, "%e", d);
	else
		rt_buf_printf(b, "%f", d);
}

/* A string, up to its first NUL byte (srjson's strings are C strings). */
static void print_string(rt_buf *b, const char *s, size_t len)
{
	size_t i = 0, run;

	rt_buf_put(b, "\"", 1);
	while (i < len && s[i] != '\0') {
		for (run = i; run < len && (unsigned char)s[run] > 31 && s[run] != '"' &&
				s[run] != '\\'; run++)
			;
		rt_buf_put(b, s + i, run - i);
		if (run >= len || s[run] == '\0') {
			i = run;
			break;
		}
		switch (s[run]) {
		case '\\': rt_buf_put(b, "\\\\", 2); break;
		case '"': rt_buf_put(b, "\\\"", 2); break;
		case '\b': rt_buf_put(b, "\\b", 2); break;
		case '\f': rt_buf_put(b, "\\f", 2); break;
		case '\n': rt_buf_put(b, "\\n", 2); break;
		case '\r': rt_buf_put(b, "\\r", 2); break;
		case '\t': rt_buf_put(b, "\\t", 2); break;
		default: rt_buf_printf(b, "\\u%04x", (unsigned char)s[run]); break;
		}
		i = run + 1;
	}
	rt_buf_put(b, "\"", 1);
}

static void print_tabs(rt_buf *b, int n)
{
	for (int i = 0; i < n; i++)
		rt_buf_put(b, "\t", 1);
}

/* One object member (depth: the object's, plus one). */
static void print_member(rt_buf *b, const char *name, const rt_rpc_val *v,
		int depth, int fmt, int last)
{
	if (fmt)
		print_tabs(b, depth);
	print_string(b, name, strlen(name));
	rt_buf_put(b, fmt ? ":\t" : ":", fmt ? 2 : 1);
	print_value(b, v, depth, fmt);
	if (!last)
		rt_buf_put(b, ",", 1);
	if (fmt)
		rt_buf_put(b, "\n", 1);
}

static void print_value(rt_buf *b, const rt_rpc_val *v, int depth, int fmt)
{
	switch (v->type) {
	case RT_RPC_NULL: rt_buf_puts(b, "null"); break;
	case RT_RPC_FALSE: rt_buf_puts(b, "false"); break;
	case RT_RPC_TRUE: rt_buf_puts(b, "true"); break;
	case RT_RPC_NUM: print_number(b, v->num); break;
	case RT_RPC_STR: print_string(b, v->s, v->len); break;
	case RT_RPC_ARRAY:
		rt_buf_put(b, "[", 1);
		for (const rt_rpc_val *m = v->child; m; m = m->next) {
			print_value(b, m, depth + 1, fmt);
			if (m->next)
				rt_buf_put(b, ", ", fmt ? 2 : 1);
		}
		rt_buf_put(b, "]", 1);
		break;
	case RT_RPC_STRUCT:
		rt_buf_put(b, "{\n", fmt ? 2 : 1);
		for (const rt_rpc_val *m = v->child; m; m = m->next)
			print_member(b, m->name ? m->name : "", m, depth + 1, fmt, m->next == NULL);
		if (fmt)
			print_tabs(b, depth);
		rt_buf_put(b, "}", 1);
		break;
	}
}

/* ------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------ */

/* What a request got: the HTTP status and reason, and the JSON text. */
typedef struct {
	int code;
	char reason[128];
	rt_buf body;
} jrpc_out;

/* A sample of peer text for the log: at most 120 bytes of s[0..len),
 * control and non-ASCII bytes shown as '.', "..." when cut. */
static const char *sample(const char *s, size_t len, char buf[128])
{
	size_t n = len > 120 ? 120 : len;

	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '.';
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

/* Run the JSON-RPC request text[0..len) for worker context c and print
 * its reply into o->body (the caller frees it). 0, or -1 (logged) when
 * the text is not JSON or memory ran out (o->body is then empty). */
static int jrpc_process(vm_ctx *c, const char *who, const char *text, size_t len,
		jrpc_out *o)
{
	const vm_const *k = vm_loaded_setting(c->lp, "jsonrpcs", "pretty_format", 0);
	int fmt = k == NULL || k->kind != VM_INT || k->i != 0;
	const rt_rpc_val *v, *result = NULL;
	rt_rpc_val *req = json_parse(text, len);
	char sb[128];
	rt_rpc_ctx r;

	memset(o, 0, sizeof(*o));
	if (req == NULL) {
		vm_error(c, "%s: invalid json doc [[%s]]", who, sample(text, len, sb));
		return -1;
	}
	rt_rpc_ctx_init(&r, c->lp, c, NULL);
	v = json_get(req, "jsonrpc");
	if (v == NULL || v->type != RT_RPC_STR || strcmp(v->s, "2.0") != 0) {
		vm_error(c, "%s: missing or invalid jsonrpc field in request", who);
		goto reply;
	}
	v = json_get(req, "method");
	if (v == NULL || v->type != RT_RPC_STR) {
		vm_error(c, "%s: missing or invalid jsonrpc method field in request", who);
		goto reply;
	}
	if ((r.cmd = rt_rpc_find(c->lp, v->s)) == NULL || strlen(v->s) != v->len) {
		vm_error(c, "%s: method callback not found [%s]", who, sample(v->s, v->len, sb));
		rt_rpc_fault(&r, 500, "Method Not Found");
		goto reply;
	}
	v = json_get(req, "params");
	if (v != NULL && v->type != RT_RPC_ARRAY && v->type != RT_RPC_STRUCT) {
		vm_error(c, "%s: params field is not an array or object", who);
		goto reply;
	}
	r.param = v ? v->child : NULL;
	rt_rpc_run(&r, r.cmd);
reply:
	if (r.fault_code == 0 && (r.nomem || (result = rt_rpc_result(&r)) == NULL))
		rt_rpc_fault(&r, 500, "Internal Server Error (No memory left)");
	o->code = r.fault_code ? r.fault_code : 200;
	snprintf(o->reason, sizeof(o->reason), "%s", r.fault_code ? r.fault_text : "OK");
	{
		/* { "jsonrpc", "result" | "error", ["id"] } */
		rt_rpc_val ver = { .type = RT_RPC_STR, .s = (char *)"2.0", .len = 3 };
		rt_rpc_val msg = { .type = RT_RPC_STR, .s = r.fault_text,
			.len = strlen(r.fault_text), .name = (char *)"message" };
		rt_rpc_val code = { .type = RT_RPC_NUM, .num = r.fault_code,
			.name = (char *)"code", .next = &msg };
		rt_rpc_val err = { .type = RT_RPC_STRUCT, .child = &code, .last = &msg };
		rt_rpc_val id = { .type = RT_RPC_NUM };
		const rt_rpc_val *idv = json_get(req, "id");

		if (idv != NULL) {
			if (idv->type == RT_RPC_STR)
				id = (rt_rpc_val){ .type = RT_RPC_STR, .s = idv->s, .len = idv->len };
			else
				id.num = idv->num;
		}
		rt_buf_put(&o->body, "{\n", fmt ? 2 : 1);
		print_member(&o->body, "jsonrpc", &ver, 1, fmt, 0);
		if (r.fault_code)
			print_member(&o->body, "error", &err, 1, fmt, idv == NULL);
		else
			print_member(&o->body, "result", result, 1, fmt, idv == NULL);
		if (idv != NULL)
			print_member(&o->body, "id", &id, 1, fmt, 1);
		rt_buf_put(&o->body, "}", 1);
	}
	rt_rpc_ctx_free(&r);
	rt_rpc_val_free(req);
	if (o->body.failed) {
		vm_error(c, "%s: out of memory", who);
		rt_buf_free(&o->body);
		return -1;
	}
	return 0;
}

/* The request body of m up to its first NUL byte (Kamailio reads it as a
 * C string). */
static size_t body_len(const rt_msg *m)
{
	const char *z;

	if (m->body.s == NULL)
		return 0;
	z = memchr(m->body.s, '\0', m->body.len);
	return z ? (size_t)(z - m->body.s) : m->body.len;
}

/* jsonrpc_dispatch(): the HTTP request being routed is a JSON-RPC
 * request; run it and answer through xhttp (Content-Type
 * application/json). 1 (also when the reply could not be sent, logged);
 * 1 without doing anything for a SIP message (Kamailio's "pass"); -1 when
 * the body is not JSON (nothing is sent: the route may answer). */
static int jsonrpc_dispatch_f(vm_call *call)
{
	vm_ctx *c = call->ctx;
	rt_msg *m = rt_msg_of(c);
	jrpc_out o;

	if (m == NULL) {
		vm_error(c, "jsonrpc_dispatch: no message");
		return -1;
	}
	if (!m->is_http)
		return 1;
	if (jrpc_process(c, "jsonrpc_dispatch", m->body.s ? m->body.s : "", body_len(m), &o) < 0)
		return -1;
	mod_xhttp_reply(c, "jsonrpc_dispatch", o.code, o.reason, strlen(o.reason),
			"application/json", 16, o.body.s, o.body.len);
	rt_buf_free(&o.body);
	return 1;
}

/* ------------------------------------------------------------------------
 * jsonrpc_exec and $jsonrpl
 * ------------------------------------------------------------------------ */

/* The last reply jsonrpc_exec got, per worker context (a Kamailio process
 * keeps one): code (0 before any), text and body (NULL before any). The
 * list is changed under the lock; an entry only by its own worker. */
typedef struct jrpl {
	const vm_ctx *c;
	int code;
	char *text, *body;
	size_t tlen, blen;
	struct jrpl *next;
} jrpl;

static jrpl *jrpls;
static pthread_mutex_t jrpl_mu = PTHREAD_MUTEX_INITIALIZER;

static jrpl *jrpl_of(const vm_ctx *c, int create)
{
	jrpl *e;

	pthread_mutex_lock(&jrpl_mu);
	for (e = jrpls; e && e->c != c; e = e->next)
		;
	if (e == NULL && create && (e = calloc(1, sizeof(*e))) != NULL) {
		e->c = c;
		e->next = jrpls;
		jrpls = e;
	}
	pthread_mutex_unlock(&jrpl_mu);
	return e;
}

/* ctx_free hook: drop the context's last reply. */
static void jsonrpcs_ctx_free(vm_ctx *c)
{
	jrpl **pp, *e = NULL;

	pthread_mutex_lock(&jrpl_mu);
	for (pp = &jrpls; *pp; pp = &(*pp)->next)
		if ((*pp)->c == c) {
			e = *pp;
			*pp = e->next;
			break;
		}
	pthread_mutex_unlock(&jrpl_mu);
	if (e) {
		free(e->text);
		free(e->body);
		free(e);
	}
}

/* jsonrpc_exec(cmd): run the JSON-RPC request cmd; its reply goes to
 * $jsonrpl(code|text|body). 1; -1 when cmd is empty or not JSON (the
 * previous reply stays, as in 5.6.3) or memory ran out. */
static int jsonrpc_exec_f(vm_call *call)
{
	char nb[VM_INT_DEC_MAX];
	const char *s, *z;
	size_t len;
	jrpc_out o;
	jrpl *e;
	char *text;

	mod_core_arg_str(call, 0, nb, &s, &len);
	if ((z = memchr(s, '\0', len)) != NULL)
		len = (size_t)(z - s);
	if (len == 0) {
		vm_error(call->ctx, "jsonrpc_exec: cannot get the rpc command parameter");
		return -1;
	}
	if (jrpc_process(call->ctx, "jsonrpc_exec", s, len, &o) < 0)
		return -1;
	if ((e = jrpl_of(call->ctx, 1)) == NULL || (text = strdup(o.reason)) == NULL) {
		rt_buf_free(&o.body);
		return -1;
	}
	free(e->text);
	free(e->body);
	e->code = o.code;
	e->text = text;
	e->tlen = strlen(text);
	e->body = o.body.s;
	e->blen = o.body.len;
	return 1;
}

/* $jsonrpl(code|text|body): the inner name, checked once. */
static int jsonrpl_parse(vm_pvspec *sp, const char *name, size_t len, const char **err)
{
	static const char *const names[] = { "code", "text", "body" };

	for (int i = 0; i < 3; i++)
		if (name && len == 4 && memcmp(name, names[i], 4) == 0) {
			sp->id = i;
			return 0;
		}
	*err = "unknown inner name (code, text or body)";
	return -1;
}

static int jsonrpl_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	jrpl *e = jrpl_of(c, 0);

	*out = vm_null();
	if (sp->id == 0)
		*out = vm_int(e ? e->code : 0);
	else if (e && sp->id == 1 && e->text)
		*out = vm_str(e->text, e->tlen);
	else if (e && sp->id == 2 && e->body)
		*out = vm_str(e->body, e->blen);
	return 0;
}

/* ------------------------------------------------------------------------
 * jsonrpc.echo, init, tables
 * ------------------------------------------------------------------------ */

/* jsonrpc.echo([s [, i]]): the first parameter as a string (a number
 * turned into its text) and the second as an int, as 5.6.3. */
static void rpc_echo(rt_rpc_ctx *r)
{
	const char *s;
	size_t len;
	int i;

	if (rt_rpc_scan_str(r, 1, &s, &len) > 0) {
		rt_rpc_add_str(r, s, len);
		if (rt_rpc_scan_int(r, &i) > 0)
			rt_rpc_add_num(r, i);
	}
}

/* Init hook: the module's own command. */
static int jsonrpcs_init(vm_loaded *lp, char *err, size_t errlen)
{
	(void)lp;
	if (rt_rpc_register("jsonrpc.echo", "Sample echo command", "jsonrpcs",
			RT_RPC_RET_ARRAY, rpc_echo) < 0) {
		snprintf(err, errlen, "jsonrpcs: cannot register its RPC commands");
		return -1;
	}
	return 0;
}

static const vm_fn_export mod_jsonrpcs_fns[] = {
	/* name               n  routes   kinds fixup  impl */
	{ "jsonrpc_dispatch", 0, MOD_REQ, "",   NULL,  jsonrpc_dispatch_f },
	{ "jsonrpc_exec",     1, MOD_ANY, "s",  NULL,  jsonrpc_exec_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

/* Kamailio 5.6.3's, the doubled names included (a string or an int). */
static const vm_param_export mod_jsonrpcs_params[] = {
	{ "pretty_format",  VM_PARAM_INT, 0 },
	{ "transport",      VM_PARAM_INT, 0 },
	{ "fifo_name",      VM_PARAM_STR, 0 },
	{ "fifo_mode",      VM_PARAM_INT, 0 },
	{ "fifo_group",     VM_PARAM_STR, 0 },
	{ "fifo_group",     VM_PARAM_INT, 0 },
	{ "fifo_user",      VM_PARAM_STR, 0 },
	{ "fifo_user",      VM_PARAM_INT, 0 },
	{ "fifo_reply_dir", VM_PARAM_STR, 0 },
	{ "dgram_socket",   VM_PARAM_STR, 0 },
	{ "dgram_workers",  VM_PARAM_INT, 0 },
	{ "dgram_timeout",  VM_PARAM_INT, 0 },
	{ "dgram_mode",     VM_PARAM_INT, 0 },
	{ "dgram_group",    VM_PARAM_STR, 0 },
	{ "dgram_group",    VM_PARAM_INT, 0 },
	{ "dgram_user",     VM_PARAM_STR, 0 },
	{ "dgram_user",     VM_PARAM_INT, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_jsonrpcs_pvs[] = {
	{ "jsonrpl", VM_PV_NAME, jsonrpl_parse, jsonrpl_get, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const vm_module mod_jsonrpcs = {
	.name     = "jsonrpcs",
	.fns      = mod_jsonrpcs_fns,
	.params   = mod_jsonrpcs_params,
	.pvs      = mod_jsonrpcs_pvs,
	.trs      = mod_no_trs,
	.events   = mod_no_events,
	.init     = jsonrpcs_init,
	.ctx_free = jsonrpcs_ctx_free,
};
