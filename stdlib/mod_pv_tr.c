/*
 * mod_pv_tr.c — the transformations of the pv module: {s.*}, {uri.*},
 * {param.*}, {nameaddr.*}, {tobody.*}, {line.*} and {urialias.*}, with the
 * names and results of Kamailio 5.6.3 (language spec §8, §11.4, §12); and
 * their transformation classes for the VM (mod_pv_trclasses: parse with
 * PV parameters bound through vm_pv_parse, apply with their values read
 * through vm_pv_get).
 *
 * Parsing happens once: "s.substr,1,3" becomes a mod_pv_tr holding the
 * operation and its parameters (ints parsed, texts as views, PVs as their
 * source text for the caller to evaluate at run time). Applying one takes a
 * vm_value and gives a vm_value; results are built in the caller's arena,
 * never in static buffers, so any number of them may be alive at once.
 *
 * Departures from 5.6.3, where it has bugs: {s.rafter,c} returns what
 * follows the last c (5.6.3 always returns ""), {s.rbefore,c} what precedes
 * it (5.6.3 reads past the string); {s.fmtlines,n,m} and {s.fmtlinet,n,m}
 * break the text every n characters (5.6.3 breaks after each of the first
 * n-1 characters); {uri.saor}, {uri.suri}, {uri.duri} have no stray byte
 * after the scheme's ':' (5.6.3 inserts one).
 */
#include "mod_pv_int.h"
#include "../runtime/rt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------
 * Operations and their parameter signatures
 *
 * Signature letters: i int (literal or PV), s text (literal or PV), c one raw
 * character (select's separator: the byte after the ',' is taken as is, so
 * {s.select,1,,} splits on ','), I S C optional forms.
 * ------------------------------------------------------------------------ */

enum {
	S_LEN, S_INT, S_MD5, S_SHA256, S_SHA384, S_SHA512, S_RMWS, S_TOLOWER,
	S_TOUPPER, S_NUMERIC, S_ENCHEX, S_DECHEX, S_ENC7BIT, S_DEC7BIT,
	S_ENCB58, S_DECB58, S_ENCB64, S_DECB64, S_ENCB64T, S_DECB64T,
	S_ENCB64URL, S_DECB64URL, S_ENCB64URLT, S_DECB64URLT, S_ESCCOMMON,
	S_UNESCCOMMON, S_ESCUSER, S_UNESCUSER, S_ESCPARAM, S_UNESCPARAM,
	S_ESCCSV, S_PREFIXES, S_PREFIXESQ, S_SUBSTR, S_SELECT, S_STRIP,
	S_STRIPTAIL, S_STRIPTO, S_FTIME, S_REPLACE, S_COREHASH, S_TRIM, S_RTRIM,
	S_LTRIM, S_RM, S_URLENC, S_URLDEC, S_UNQUOTE, S_UNBRACKET, S_COUNT,
	S_BEFORE, S_AFTER, S_RBEFORE, S_RAFTER, S_FMTLINES, S_FMTLINET
};

enum {
	U_USER, U_HOST, U_DOMAIN, U_PASSWD, U_PORT, U_SAOR, U_SURI, U_DURI,
	U_PARAMS, U_HEADERS, U_PARAM, U_TRANSPORT, U_TTL, U_UPARAM, U_MADDR,
	U_METHOD, U_LR, U_R2, U_SCHEME, U_TOSOCKET
};

enum { P_VALUE, P_IN, P_VALUEAT, P_NAME, P_COUNT };
enum { NA_URI, NA_LEN, NA_NAME };
enum { TB_URI, TB_TAG, TB_USER, TB_HOST, TB_PARAMS, TB_DISPLAY };
enum { L_AT, L_SW, L_COUNT };
enum { UA_ENCODE, UA_DECODE };

/* {urialias.*}: a class of this file only (mod.h's list ends at line). */
#define MOD_PV_TR_URIALIAS (MOD_PV_TR_LINE + 1)

typedef struct {
	const char *name;
	int op;
	const char *sig;
} tr_def;

static const tr_def tr_s_defs[] = {
	{ "len", S_LEN, "" }, { "int", S_INT, "" }, { "md5", S_MD5, "" },
	{ "sha256", S_SHA256, "" }, { "sha384", S_SHA384, "" },
	{ "sha512", S_SHA512, "" }, { "rmws", S_RMWS, "" },
	{ "tolower", S_TOLOWER, "" }, { "toupper", S_TOUPPER, "" },
	{ "numeric", S_NUMERIC, "" },
	{ "encode.hexa", S_ENCHEX, "" }, { "decode.hexa", S_DECHEX, "" },
	{ "encode.7bit", S_ENC7BIT, "" }, { "decode.7bit", S_DEC7BIT, "" },
	{ "encode.base58", S_ENCB58, "" }, { "decode.base58", S_DECB58, "" },
	{ "encode.base64", S_ENCB64, "" }, { "decode.base64", S_DECB64, "" },
	{ "encode.base64t", S_ENCB64T, "" }, { "decode.base64t", S_DECB64T, "" },
	{ "encode.base64url", S_ENCB64URL, "" },
	{ "decode.base64url", S_DECB64URL, "" },
	{ "encode.base64urlt", S_ENCB64URLT, "" },
	{ "decode.base64urlt", S_DECB64URLT, "" },
	{ "escape.common", S_ESCCOMMON, "" },
	{ "unescape.common", S_UNESCCOMMON, "" },
	{ "escape.user", S_ESCUSER, "" }, { "unescape.user", S_UNESCUSER, "" },
	{ "escape.param", S_ESCPARAM, "" },
	{ "unescape.param", S_UNESCPARAM, "" },
	{ "escape.csv", S_ESCCSV, "" },
	{ "prefixes", S_PREFIXES, "I" }, { "prefixes.quoted", S_PREFIXESQ, "I" },
	{ "substr", S_SUBSTR, "ii" }, { "select", S_SELECT, "ic" },
	{ "strip", S_STRIP, "i" }, { "striptail", S_STRIPTAIL, "i" },
	{ "stripto", S_STRIPTO, "s" }, { "ftime", S_FTIME, "s" },
	{ "replace", S_REPLACE, "ss" }, { "corehash", S_COREHASH, "I" },
	{ "trim", S_TRIM, "" }, { "rtrim", S_RTRIM, "" }, { "ltrim", S_LTRIM, "" },
	{ "rm", S_RM, "s" },
	{ "urlencode.param", S_URLENC, "" }, { "urldecode.param", S_URLDEC, "" },
	{ "unquote", S_UNQUOTE, "" }, { "unbracket", S_UNBRACKET, "" },
	{ "count", S_COUNT, "s" }, { "before", S_BEFORE, "s" },
	{ "after", S_AFTER, "s" }, { "rbefore", S_RBEFORE, "s" },
	{ "rafter", S_RAFTER, "s" },
	{ "fmtlines", S_FMTLINES, "ii" }, { "fmtlinet", S_FMTLINET, "ii" },
	{ NULL, 0, NULL }
};

static const tr_def tr_uri_defs[] = {
	{ "user", U_USER, "" }, { "host", U_HOST, "" }, { "domain", U_DOMAIN, "" },
	{ "passwd", U_PASSWD, "" }, { "port", U_PORT, "" },
	{ "saor", U_SAOR, "" }, { "suri", U_SURI, "" }, { "duri", U_DURI, "" },
	{ "params", U_PARAMS, "" }, { "headers", U_HEADERS, "" },
	{ "param", U_PARAM, "s" }, { "transport", U_TRANSPORT, "" },
	{ "ttl", U_TTL, "" }, { "uparam", U_UPARAM, "" },
	{ "maddr", U_MADDR, "" }, { "method", U_METHOD, "" },
	{ "lr", U_LR, "" }, { "r2", U_R2, "" }, { "scheme", U_SCHEME, "" },
	{ "tosocket", U_TOSOCKET, "" },
	{ NULL, 0, NULL }
};

static const tr_def tr_param_defs[] = {
	{ "value", P_VALUE, "sC" }, { "in", P_IN, "sC" },
	{ "valueat", P_VALUEAT, "iC" }, { "name", P_NAME, "iC" },
	{ "count", P_COUNT, "C" },
	{ NULL, 0, NULL }
};

static const tr_def tr_nameaddr_defs[] = {
	{ "uri", NA_URI, "" }, { "len", NA_LEN, "" }, { "name", NA_NAME, "" },
	{ NULL, 0, NULL }
};

static const tr_def tr_tobody_defs[] = {
	{ "uri", TB_URI, "" }, { "tag", TB_TAG, "" }, { "user", TB_USER, "" },
	{ "host", TB_HOST, "" }, { "params", TB_PARAMS, "" },
	{ "display", TB_DISPLAY, "" },
	{ NULL, 0, NULL }
};

static const tr_def tr_line_defs[] = {
	{ "at", L_AT, "i" }, { "sw", L_SW, "s" }, { "count", L_COUNT, "" },
	{ NULL, 0, NULL }
};

static const tr_def tr_urialias_defs[] = {
	{ "encode", UA_ENCODE, "" }, { "decode", UA_DECODE, "" },
	{ NULL, 0, NULL }
};

/* ------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

static int tr_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int tr_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Length of the PV written at s[0..len) (s[0] is '$'): "$name", "$name(...)",
 * "$(...)", each optionally followed by "[...]", brackets balanced. 0 when
 * it is not a PV. */
static size_t tr_pv_len(const char *s, size_t len)
{
	size_t i = 1;
	int depth;

	if (i < len && s[i] != '(') {
		while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
				s[i] == '.'))
			i++;
		if (i == 1)
			return 0;
	}
	for (;;) {
		char open, close;
		if (i >= len || (s[i] != '(' && s[i] != '['))
			break;
		open = s[i];
		close = open == '(' ? ')' : ']';
		depth = 0;
		for (; i < len; i++) {
			if (s[i] == open)
				depth++;
			else if (s[i] == close && --depth == 0)
				break;
		}
		if (i >= len)
			return 0;
		i++;
	}
	return i;
}

#define TR_FAIL(msg) do { if (err) *err = (msg); return -1; } while (0)

/* Parse the parameters in p[0..len) (empty or starting with ',') against
 * signature `sig` into tr. 0 or -1 with *err. */
static int tr_parse_params(const char *sig, const char *p, size_t len,
		mod_pv_tr *tr, const char **err)
{
	size_t i = 0;
	int k;

	tr->nparams = 0;
	for (k = 0; sig[k]; k++) {
		char c = sig[k];
		int optional = (c == 'I' || c == 'S' || c == 'C');
		mod_pv_tr_param *tp = &tr->p[k];

		memset(tp, 0, sizeof(*tp));
		if (i >= len) {
			if (optional)
				return 0;
			TR_FAIL("missing parameter");
		}
		if (p[i] != ',')
			TR_FAIL("malformed parameters");
		i++;
		if (c == 'c' || c == 'C') {
			/* one raw character; "\," is refused, "\x" is '\' */
			if (i >= len)
				TR_FAIL("missing separator");
			if (p[i] == '\\' && i + 1 < len) {
				if (p[i + 1] == ',')
					TR_FAIL("invalid separator");
				tp->kind = MOD_PV_TR_P_STR;
				tp->s = p + i;
				tp->len = 1;
				i += 2;
			} else {
				tp->kind = MOD_PV_TR_P_STR;
				tp->s = p + i;
				tp->len = 1;
				i++;
			}
			tr->nparams = k + 1;
			continue;
		}
		while (i < len && tr_ws((unsigned char)p[i]))
			i++;
		if (i < len && p[i] == '$') {
			size_t n = tr_pv_len(p + i, len - i);
			if (n == 0)
				TR_FAIL("invalid PV in parameter");
			tp->kind = MOD_PV_TR_P_PV;
			tp->s = p + i;
			tp->len = n;
			i += n;
		} else if (c == 'i' || c == 'I') {
			int neg = 0;
			int64_t v = 0;
			size_t nd = 0;
			if (i < len && (p[i] == '-' || p[i] == '+'))
				neg = p[i++] == '-';
			while (i < len && tr_ws((unsigned char)p[i]))
				i++;
			while (i < len && p[i] >= '0' && p[i] <= '9') {
				v = v * 10 + (p[i++] - '0');
				if (v > INT32_MAX)
					TR_FAIL("number is too large");
				nd++;
			}
			if (nd == 0)
				TR_FAIL("parameter is not a number");
			tp->kind = MOD_PV_TR_P_INT;
			tp->n = (int32_t)(neg ? -v : v);
		} else {
			size_t st = i;
			while (i < len && p[i] != ',' && p[i] != '\t' && p[i] != '\n' &&
					p[i] != '}')
				i++;
			tp->kind = MOD_PV_TR_P_STR;
			tp->s = p + st;
			tp->len = i - st;
		}
		while (i < len && tr_ws((unsigned char)p[i]))
			i++;
		tr->nparams = k + 1;
	}
	if (i != len)
		TR_FAIL("too many parameters");
	return 0;
}

/* Find `name` (case-insensitive) in defs and parse its parameters. */
static int tr_parse_class(int cls, const tr_def *defs, const char *name,
		size_t nlen, const char *params, size_t plen, mod_pv_tr *tr,
		const char **err)
{
	const tr_def *d;

	memset(tr, 0, sizeof(*tr));
	for (d = defs; d->name; d++) {
		size_t k;
		if (strlen(d->name) != nlen)
			continue;
		for (k = 0; k < nlen; k++)
			if (tr_lower((unsigned char)name[k]) != d->name[k])
				break;
		if (k == nlen)
			break;
	}
	if (d->name == NULL)
		TR_FAIL("unknown transformation");
	tr->cls = cls;
	tr->op = d->op;
	tr->name = d->name;
	if (tr_parse_params(d->sig, params, plen, tr, err) < 0)
		return -1;
	/* Kamailio refuses a negative literal substr length at start-up. */
	if (cls == MOD_PV_TR_S && d->op == S_SUBSTR &&
			tr->p[1].kind == MOD_PV_TR_P_INT && tr->p[1].n < 0)
		TR_FAIL("negative substr length");
	return 0;
}

/* See mod.h (the six per-class parsers). */
int mod_pv_tr_parse_s(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_S, tr_s_defs, name, nlen, params, plen,
			tr, err);
}

int mod_pv_tr_parse_uri(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_URI, tr_uri_defs, name, nlen, params,
			plen, tr, err);
}

int mod_pv_tr_parse_param(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_PARAM, tr_param_defs, name, nlen,
			params, plen, tr, err);
}

int mod_pv_tr_parse_nameaddr(const char *name, size_t nlen,
		const char *params, size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_NAMEADDR, tr_nameaddr_defs, name, nlen,
			params, plen, tr, err);
}

int mod_pv_tr_parse_tobody(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_TOBODY, tr_tobody_defs, name, nlen,
			params, plen, tr, err);
}

int mod_pv_tr_parse_line(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_LINE, tr_line_defs, name, nlen, params,
			plen, tr, err);
}

static int tr_parse_urialias(const char *name, size_t nlen, const char *params,
		size_t plen, mod_pv_tr *tr, const char **err)
{
	return tr_parse_class(MOD_PV_TR_URIALIAS, tr_urialias_defs, name, nlen,
			params, plen, tr, err);
}

/* See mod.h. */
int mod_pv_tr_parse(const char *text, size_t len, mod_pv_tr *tr,
		const char **err)
{
	size_t dot, end;
	const char *cls;
	size_t clen;

	for (dot = 0; dot < len && text[dot] != '.'; dot++)
		;
	if (dot == len)
		TR_FAIL("transformation without a class");
	for (end = dot + 1; end < len && text[end] != ','; end++)
		;
	cls = text;
	clen = dot;
#define TR_CLS(word, fn) \
	if (clen == sizeof(word) - 1 && memcmp(cls, word, clen) == 0) \
		return fn(text + dot + 1, end - dot - 1, text + end, len - end, tr, err)
	TR_CLS("s", mod_pv_tr_parse_s);
	TR_CLS("uri", mod_pv_tr_parse_uri);
	TR_CLS("param", mod_pv_tr_parse_param);
	TR_CLS("nameaddr", mod_pv_tr_parse_nameaddr);
	TR_CLS("tobody", mod_pv_tr_parse_tobody);
	TR_CLS("line", mod_pv_tr_parse_line);
	TR_CLS("urialias", tr_parse_urialias);
#undef TR_CLS
	TR_FAIL("unknown transformation class");
}

/* ------------------------------------------------------------------------
 * Helpers for applying
 * ------------------------------------------------------------------------ */

/* An output buffer from the arena. */
typedef struct {
	char *b;
	size_t n;
	size_t cap;
} tr_buf;

static int tr_buf_init(vm_arena *a, tr_buf *o, size_t cap)
{
	o->b = vm_arena_alloc(a, cap + 1);
	o->n = 0;
	o->cap = cap;
	return o->b ? 0 : VM_E_NOMEM;
}

static void tr_put(tr_buf *o, char c)
{
	if (o->n < o->cap)
		o->b[o->n++] = c;
}

static void tr_putn(tr_buf *o, const char *s, size_t n)
{
	if (n > o->cap - o->n)
		n = o->cap - o->n;
	if (n)
		memcpy(o->b + o->n, s, n);
	o->n += n;
}

static vm_value tr_buf_val(tr_buf *o)
{
	o->b[o->n] = '\0';
	return vm_str(o->b, o->n);
}

/* A copy of s[0..n) in the arena (NUL-terminated), as a string value. */
static int tr_copy(vm_arena *a, const char *s, size_t n, vm_value *out)
{
	tr_buf o;

	if (tr_buf_init(a, &o, n) < 0)
		return VM_E_NOMEM;
	tr_putn(&o, s, n);
	*out = tr_buf_val(&o);
	return 0;
}

/* Integer parameter k, literal or PV (whose value must be an int, as
 * Kamailio requires: a string "2" is refused). 0 or -1. */
static int tr_iparam(const mod_pv_tr *tr, int k, mod_pv_tr_eval_fn eval,
		void *ud, int32_t *out)
{
	const mod_pv_tr_param *p = &tr->p[k];
	vm_value v;

	if (k >= tr->nparams)
		return -1;
	if (p->kind == MOD_PV_TR_P_INT) {
		*out = p->n;
		return 0;
	}
	if (p->kind != MOD_PV_TR_P_PV || eval == NULL || eval(ud, p, &v) != 0)
		return -1;
	if (v.kind == VM_INT || (v.kind == VM_STR && (v.flags & VM_VAL_BOTH))) {
		*out = v.i;
		return 0;
	}
	return -1;
}

/* Text parameter k, literal or PV (a PV must give a non-empty string; an
 * int's text is written into buf). 0 or -1. */
static int tr_sparam(const mod_pv_tr *tr, int k, mod_pv_tr_eval_fn eval,
		void *ud, char buf[VM_INT_DEC_MAX], const char **s, size_t *len)
{
	const mod_pv_tr_param *p = &tr->p[k];
	vm_value v;

	if (k >= tr->nparams)
		return -1;
	if (p->kind == MOD_PV_TR_P_STR) {
		*s = p->s;
		*len = p->len;
		return 0;
	}
	if (p->kind != MOD_PV_TR_P_PV || eval == NULL || eval(ud, p, &v) != 0 ||
			v.kind == VM_NULL)
		return -1;
	vm_str_view(&v, buf, s, len);
	return *len > 0 ? 0 : -1;
}

/* The input as a string whose bytes outlive this call (an int's text is
 * put in the arena). 0, -1 for null, or VM_E_NOMEM. */
static int tr_input(vm_arena *a, const vm_value *in, const char **s,
		size_t *len)
{
	vm_value v;

	if (in == NULL || in->kind == VM_NULL)
		return -1;
	if (vm_to_str(a, in, &v) < 0)
		return VM_E_NOMEM;
	*s = v.s ? v.s : "";
	*len = v.len;
	return 0;
}

static const char tr_hexl[] = "0123456789abcdef";
static const char tr_hexu[] = "0123456789ABCDEF";

static int tr_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Kamailio's core_hash() of a string, reduced modulo `size` (a power of
 * two) when size is not 0. Bytes are signed, as in Kamailio on x86-64. */
static uint32_t tr_core_hash(const char *s, size_t len, uint32_t size)
{
	const signed char *p = (const signed char *)s;
	const signed char *end = p + len;
	uint32_t v, h = 0;

	for (; end - p >= 4; p += 4) {
		v = ((uint32_t)p[0] << 24) + ((uint32_t)p[1] << 16) +
			((uint32_t)p[2] << 8) + (uint32_t)p[3];
		h += v ^ (v >> 3);
	}
	v = 0;
	for (; p < end; p++) {
		v <<= 8;
		v += (uint32_t)*p;
	}
	h += v ^ (v >> 3);
	h = h + (h >> 11) + (h >> 13) + (h >> 23);
	return size ? (h & (size - 1)) : h;
}

/* Kamailio's str2slong: optional sign and decimal digits ("" is 0); -1
 * when anything else appears or the value leaves the int32 range. */
static int tr_str2int(const char *s, size_t len, int32_t *out)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > (int64_t)INT32_MAX + 1)
			return -1;
	}
	if (neg)
		v = -v;
	if (v > INT32_MAX || v < INT32_MIN)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The int form of the input for {s.int} and {s.ftime}: an int (or a string
 * with an int form) as it is, else tr_str2int. */
static int tr_input_int(const vm_value *in, int32_t *out)
{
	if (in->kind == VM_INT || (in->kind == VM_STR && (in->flags & VM_VAL_BOTH))) {
		*out = in->i;
		return 0;
	}
	return tr_str2int(in->s, in->len, out);
}

static const char tr_b64std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char tr_b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Base64 of s[0..n) with alphabet `al`, padded with '='. */
static void tr_b64_enc(tr_buf *o, const char *al, const unsigned char *s,
		size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
		tr_put(o, al[v >> 18]);
		tr_put(o, al[(v >> 12) & 63]);
		tr_put(o, al[(v >> 6) & 63]);
		tr_put(o, al[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		tr_put(o, al[v >> 18]);
		tr_put(o, al[(v >> 12) & 63]);
		tr_put(o, '=');
		tr_put(o, '=');
	} else if (n - i == 2) {
		uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
		tr_put(o, al[v >> 18]);
		tr_put(o, al[(v >> 12) & 63]);
		tr_put(o, al[(v >> 6) & 63]);
		tr_put(o, '=');
	}
}

static int tr_b64_val(const char *al, int c)
{
	const char *p;

	if (c == 0)
		return -1;
	p = strchr(al, c);
	return p ? (int)(p - al) : -1;
}

/* Decode base64 (length a multiple of 4, '=' only as padding at the end)
 * into o. 0 or -1. */
static int tr_b64_dec(tr_buf *o, const char *al, const char *s, size_t n)
{
	size_t i;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return -1;
			v[k] = tr_b64_val(al, (unsigned char)s[i + k]);
			if (v[k] < 0)
				return -1;
		}
		tr_put(o, (char)((v[0] << 2) | (v[1] >> 4)));
		if (pad < 2)
			tr_put(o, (char)(((v[1] & 15) << 4) | (v[2] >> 2)));
		if (pad < 1)
			tr_put(o, (char)(((v[2] & 3) << 6) | v[3]));
	}
	return 0;
}

static const char tr_b58[] =
	"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Base58 (Bitcoin alphabet) of s[0..n): leading zero bytes become '1'.
 * Quadratic, like every base58 coder; inputs are bounded by the arena. */
static int tr_b58_enc(vm_arena *a, const unsigned char *s, size_t n,
		vm_value *out)
{
	size_t zeros = 0, i, j, size, high;
	unsigned char *b;
	tr_buf o;

	while (zeros < n && s[zeros] == 0)
		zeros++;
	size = (n - zeros) * 138 / 100 + 1;
	b = vm_arena_alloc(a, size);
	if (b == NULL || tr_buf_init(a, &o, zeros + size) < 0)
		return VM_E_NOMEM;
	memset(b, 0, size);
	high = size - 1;
	for (i = zeros; i < n; i++) {
		uint32_t carry = s[i];
		for (j = size - 1; j > high || carry != 0; j--) {
			carry += 256u * b[j];
			b[j] = (unsigned char)(carry % 58);
			carry /= 58;
			if (j == 0)
				break;
		}
		high = j;
	}
	for (j = 0; j < size && b[j] == 0; j++)
		;
	for (i = 0; i < zeros; i++)
		tr_put(&o, '1');
	for (; j < size; j++)
		tr_put(&o, tr_b58[b[j]]);
	*out = tr_buf_val(&o);
	return 0;
}

/* Decode base58; -1 on a character outside the alphabet. */
static int tr_b58_dec(vm_arena *a, const char *s, size_t n, vm_value *out)
{
	size_t ones = 0, i, j, size;
	unsigned char *b;
	tr_buf o;

	while (ones < n && s[ones] == '1')
		ones++;
	size = (n - ones) * 733 / 1000 + 1;
	b = vm_arena_alloc(a, size);
	if (b == NULL || tr_buf_init(a, &o, ones + size) < 0)
		return VM_E_NOMEM;
	memset(b, 0, size);
	for (i = ones; i < n; i++) {
		const char *p = s[i] ? strchr(tr_b58, s[i]) : NULL;
		uint32_t carry;
		if (p == NULL)
			return -1;
		carry = (uint32_t)(p - tr_b58);
		for (j = size; j-- > 0;) {
			carry += 58u * b[j];
			b[j] = (unsigned char)(carry & 0xff);
			carry >>= 8;
		}
	}
	for (j = 0; j < size && b[j] == 0; j++)
		;
	for (i = 0; i < ones; i++)
		tr_put(&o, '\0');
	for (; j < size; j++)
		tr_put(&o, (char)b[j]);
	*out = tr_buf_val(&o);
	return 0;
}

/* ------------------------------------------------------------------------
 * Digests ({s.md5}, {s.sha256}, {s.sha384}, {s.sha512}): MD5 (RFC 1321)
 * and SHA-2 (FIPS 180-4), written here so that the module needs no crypto
 * library (bin/cfgc links every module's code statically).
 * ------------------------------------------------------------------------ */

enum { DIG_MD5, DIG_SHA256, DIG_SHA384, DIG_SHA512 };

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))

/* The message padded as MD5 and SHA-2 want it is processed block by
 * block: `blk` gets each block in turn (64 or 128 bytes), the length in
 * bits is written big- or little-endian in the last 8 (or 16) bytes. */
static void dig_blocks(const unsigned char *s, size_t n, size_t bs, int le,
		void (*blk)(void *st, const unsigned char *b), void *st)
{
	unsigned char last[256];
	size_t full = n / bs * bs, rest = n - full, tail;
	uint64_t bits = (uint64_t)n * 8;

	for (size_t i = 0; i < full; i += bs)
		blk(st, s + i);
	memset(last, 0, sizeof(last));
	memcpy(last, s + full, rest);
	last[rest] = 0x80;
	tail = rest + 1 + (bs == 64 ? 8 : 16) <= bs ? bs : 2 * bs;
	for (int k = 0; k < 8; k++)
		last[le ? tail - 8 + k : tail - 1 - k] = (unsigned char)(bits >> (8 * k));
	blk(st, last);
	if (tail > bs)
		blk(st, last + bs);
}

static void md5_block(void *vst, const unsigned char *b)
{
	static const uint32_t K[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
		0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
		0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
		0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
		0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
		0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
		0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
		0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
		0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
		0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
		0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391 };
	static const unsigned char R[64] = {
		7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
		5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
		4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
		6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21 };
	uint32_t *h = vst, m[16], a = h[0], bb = h[1], c = h[2], d = h[3];

	for (int i = 0; i < 16; i++)
		m[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
			(uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) {
			f = (bb & c) | (~bb & d);
			g = i;
		} else if (i < 32) {
			f = (d & bb) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = bb ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (bb | ~d);
			g = (7 * i) % 16;
		}
		f += a + K[i] + m[g];
		a = d;
		d = c;
		c = bb;
		bb += ROL32(f, R[i]);
	}
	h[0] += a;
	h[1] += bb;
	h[2] += c;
	h[3] += d;
}

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 };

static void sha256_block(void *vst, const unsigned char *b)
{
	uint32_t *h = vst, w[64], v[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
			(uint32_t)b[4 * i + 2] << 8 | (uint32_t)b[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR32(v[4], 6) ^ ROR32(v[4], 11) ^ ROR32(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + S1 + ch + sha256_k[i] + w[i];
		uint32_t S0 = ROR32(v[0], 2) ^ ROR32(v[0], 13) ^ ROR32(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + S0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

static const uint64_t sha512_k[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
	0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
	0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
	0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
	0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
	0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
	0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
	0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
	0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
	0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
	0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
	0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
	0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
	0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
	0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
	0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
	0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
	0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
	0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
	0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
	0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL };

static void sha512_block(void *vst, const unsigned char *b)
{
	uint64_t *h = vst, w[80], v[8];

	for (int i = 0; i < 16; i++) {
		w[i] = 0;
		for (int k = 0; k < 8; k++)
			w[i] = w[i] << 8 | b[8 * i + k];
	}
	for (int i = 16; i < 80; i++) {
		uint64_t s0 = ROR64(w[i - 15], 1) ^ ROR64(w[i - 15], 8) ^ (w[i - 15] >> 7);
		uint64_t s1 = ROR64(w[i - 2], 19) ^ ROR64(w[i - 2], 61) ^ (w[i - 2] >> 6);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 80; i++) {
		uint64_t S1 = ROR64(v[4], 14) ^ ROR64(v[4], 18) ^ ROR64(v[4], 41);
		uint64_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint64_t t1 = v[7] + S1 + ch + sha512_k[i] + w[i];
		uint64_t S0 = ROR64(v[0], 28) ^ ROR64(v[0], 34) ^ ROR64(v[0], 39);
		uint64_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + S0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

/* Lower-case hex digest of s[0..n). 0 or VM_E_NOMEM. */
static int tr_digest(vm_arena *a, int alg, const char *s, size_t n, vm_value *out)
{
	static const uint64_t iv384[8] = {
		0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL,
		0x152fecd8f70e5939ULL, 0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
		0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL };
	static const uint64_t iv512[8] = {
		0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
		0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
		0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL };
	const unsigned char *u = (const unsigned char *)s;
	unsigned char d[64];
	unsigned dl = 0, k;
	tr_buf o;

	if (alg == DIG_MD5) {
		uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
		dig_blocks(u, n, 64, 1, md5_block, h);
		for (k = 0; k < 16; k++)
			d[k] = (unsigned char)(h[k / 4] >> (8 * (k % 4)));
		dl = 16;
	} else if (alg == DIG_SHA256) {
		uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
		dig_blocks(u, n, 64, 0, sha256_block, h);
		for (k = 0; k < 32; k++)
			d[k] = (unsigned char)(h[k / 4] >> (24 - 8 * (k % 4)));
		dl = 32;
	} else {
		uint64_t h[8];
		memcpy(h, alg == DIG_SHA384 ? iv384 : iv512, sizeof(h));
		dig_blocks(u, n, 128, 0, sha512_block, h);
		dl = alg == DIG_SHA384 ? 48 : 64;
		for (k = 0; k < dl; k++)
			d[k] = (unsigned char)(h[k / 8] >> (56 - 8 * (k % 8)));
	}
	if (tr_buf_init(a, &o, 2 * dl) < 0)
		return VM_E_NOMEM;
	for (k = 0; k < dl; k++) {
		tr_put(&o, tr_hexl[d[k] >> 4]);
		tr_put(&o, tr_hexl[d[k] & 15]);
	}
	*out = tr_buf_val(&o);
	return 0;
}

/* Characters kept by escape.user (RFC 3261 unreserved and user-unreserved)
 * and escape.param (unreserved and param-unreserved). */
static int tr_keep_user(int c)
{
	return isalnum(c) || strchr("-_.!~*'()&=+$,;?/", c) != NULL;
}

static int tr_keep_param(int c)
{
	return isalnum(c) || strchr("-_.!~*'()[]/:&+$", c) != NULL;
}

/* %XX-escape every byte `keep` refuses (lower-case hex, as Kamailio). */
static void tr_escape(tr_buf *o, const char *s, size_t n, int (*keep)(int))
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != 0 && keep(c)) {
			tr_put(o, (char)c);
		} else {
			tr_put(o, '%');
			tr_put(o, tr_hexl[c >> 4]);
			tr_put(o, tr_hexl[c & 15]);
		}
	}
}

/* Undo %XX escapes; -1 on a '%' without two hex digits. */
static int tr_unescape(tr_buf *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;
			if (n - i < 3)
				return -1;
			h = tr_hexval((unsigned char)s[i + 1]);
			l = tr_hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			tr_put(o, (char)(h << 4 | l));
			i += 2;
		} else {
			tr_put(o, s[i]);
		}
	}
	return 0;
}

/* Kamailio's urldecode digit: any letter counts from 'a' (so "%2x" is '!'). */
static int tr_x2i(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tr_lower(c) - 'a' + 10;
}

static int tr_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ------------------------------------------------------------------------
 * {s.*}
 * ------------------------------------------------------------------------ */

/* {s.substr,offset,length}: Kamailio's rules. A non-negative offset must be
 * inside the string; length 0, or one reaching the end, means "to the
 * end". A negative offset counts from the end and may reach its start. */
static int tr_substr(size_t n, int32_t i, int32_t j,
		size_t *off, size_t *len)
{
	int64_t L = (int64_t)n;

	if (j < 0)
		return -1;
	if (i >= 0) {
		if (i >= L)
			return -1;
		if ((int64_t)i + j >= L)
			j = 0;
		*off = (size_t)i;
		*len = j == 0 ? (size_t)(L - i) : (size_t)j;
		return 0;
	}
	{
		int64_t k = -(int64_t)i;
		if (k > L)
			return -1;
		if (k < j)
			j = 0;
		*off = (size_t)(L - k);
		*len = j == 0 ? (size_t)k : (size_t)j;
	}
	return 0;
}

/* {s.select,index,sep}: field `index` (negative: from the end) of the text
 * split on one character; "" when there is no such field. */
static void tr_select(const char *s, size_t n, int32_t idx, char c,
		size_t *off, size_t *len)
{
	size_t p, start;

	*off = 0;
	*len = 0;
	if (idx >= 0) {
		start = 0;
		for (p = 0; p < n; p++) {
			if (s[p] == c) {
				if (idx == 0)
					break;
				start = p + 1;
				idx--;
			}
		}
		if (idx == 0) {
			*off = start;
			*len = p - start;
		}
		return;
	}
	{
		int64_t k = -(int64_t)idx - 1;
		size_t endx = n; /* one past the field's last byte */
		size_t q = n;
		while (q > 0) {
			if (s[q - 1] == c) {
				if (k == 0)
					break;
				endx = q - 1;
				k--;
			}
			q--;
		}
		if (k == 0) {
			*off = q;
			*len = endx - q;
		}
	}
}

/* See mod.h. */
int mod_pv_tr_apply_s(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	const char *s, *ps, *ps2;
	size_t n, pl, pl2, i, off, len;
	char pb[VM_INT_DEC_MAX], pb2[VM_INT_DEC_MAX];
	int32_t x, y;
	int rc;
	tr_buf o;
	vm_value r;

	rc = tr_input(a, in, &s, &n);
	if (rc < 0)
		goto fail;
	rc = -1;
	switch (tr->op) {
	case S_LEN:
		r = vm_int((int32_t)n);
		break;
	case S_INT:
		if (tr_input_int(in, &x) < 0)
			goto fail;
		r = vm_int(x);
		break;
	case S_MD5:
	case S_SHA256:
	case S_SHA384:
	case S_SHA512: {
		int alg = tr->op == S_MD5 ? DIG_MD5 : tr->op == S_SHA256 ? DIG_SHA256 :
			tr->op == S_SHA384 ? DIG_SHA384 : DIG_SHA512;
		rc = tr_digest(a, alg, s, n, &r);
		if (rc < 0)
			goto fail;
		break;
	}
	case S_RMWS:
	case S_NUMERIC:
	case S_TOLOWER:
	case S_TOUPPER:
		if (tr_buf_init(a, &o, n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			char c = s[i];
			if (tr->op == S_RMWS && tr_space((unsigned char)c))
				continue;
			if (tr->op == S_NUMERIC && !(c >= '0' && c <= '9'))
				continue;
			if (tr->op == S_TOLOWER)
				c = (char)tr_lower((unsigned char)c);
			else if (tr->op == S_TOUPPER && c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			tr_put(&o, c);
		}
		r = tr_buf_val(&o);
		break;
	case S_ENCHEX:
		if (tr_buf_init(a, &o, 2 * n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			tr_put(&o, tr_hexl[(unsigned char)s[i] >> 4]);
			tr_put(&o, tr_hexl[(unsigned char)s[i] & 15]);
		}
		r = tr_buf_val(&o);
		break;
	case S_DECHEX:
		/* pairs of hex digits; an odd last digit is ignored */
		if (tr_buf_init(a, &o, n / 2) < 0)
			goto nomem;
		for (i = 0; i + 1 < n; i += 2) {
			int h = tr_hexval((unsigned char)s[i]);
			int l = tr_hexval((unsigned char)s[i + 1]);
			if (h < 0 || l < 0)
				goto fail;
			tr_put(&o, (char)(h << 4 | l));
		}
		r = tr_buf_val(&o);
		break;
	case S_ENC7BIT: {
		/* GSM 03.38 packing of 7-bit characters, upper-case hex */
		unsigned nleft = 1;
		if (tr_buf_init(a, &o, 2 * n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			unsigned char cur = (unsigned char)s[i];
			unsigned char nxt = i + 1 < n ? (unsigned char)s[i + 1] : 0;
			unsigned char h = (unsigned char)((cur >> (nleft - 1)) |
					(unsigned char)(nxt << (8 - nleft)));
			tr_put(&o, tr_hexu[h >> 4]);
			tr_put(&o, tr_hexu[h & 15]);
			if (++nleft == 8) {
				i++;
				nleft = 1;
			}
		}
		r = tr_buf_val(&o);
		break;
	}
	case S_DEC7BIT: {
		unsigned nleft = 1;
		unsigned char fill, oldfill = 0;
		if (tr_buf_init(a, &o, n + n / 14 + 2) < 0)
			goto nomem;
		for (i = 0; i < n; i += 2) {
			int h = tr_hexval((unsigned char)s[i]);
			int l = i + 1 < n ? tr_hexval((unsigned char)s[i + 1]) : 0;
			unsigned char b = (unsigned char)(((h < 0 ? 0 : h) << 4) |
					(l < 0 ? 0 : l));
			fill = (unsigned char)(b >> (8 - nleft));
			b = (unsigned char)((unsigned char)(b << (nleft - 1)) & 0x7f);
			tr_put(&o, (char)(b | oldfill));
			oldfill = fill;
			if (++nleft == 8) {
				tr_put(&o, (char)oldfill);
				nleft = 1;
				oldfill = 0;
			}
		}
		r = tr_buf_val(&o);
		break;
	}
	case S_ENCB58:
		rc = tr_b58_enc(a, (const unsigned char *)s, n, &r);
		if (rc < 0)
			goto fail;
		break;
	case S_DECB58:
		rc = tr_b58_dec(a, s, n, &r);
		if (rc < 0)
			goto fail;
		break;
	case S_ENCB64:
	case S_ENCB64T:
	case S_ENCB64URL:
	case S_ENCB64URLT: {
		int url = tr->op == S_ENCB64URL || tr->op == S_ENCB64URLT;
		int trim = tr->op == S_ENCB64T || tr->op == S_ENCB64URLT;
		if (tr_buf_init(a, &o, (n + 2) / 3 * 4) < 0)
			goto nomem;
		tr_b64_enc(&o, url ? tr_b64url : tr_b64std, (const unsigned char *)s, n);
		if (trim)
			while (o.n > 1 && o.b[o.n - 1] == '=')
				o.n--;
		r = tr_buf_val(&o);
		break;
	}
	case S_DECB64:
	case S_DECB64T:
	case S_DECB64URL:
	case S_DECB64URLT: {
		int url = tr->op == S_DECB64URL || tr->op == S_DECB64URLT;
		int trim = tr->op == S_DECB64T || tr->op == S_DECB64URLT;
		const char *src = s;
		size_t sn = n;
		if (trim && n % 4) {
			char *p = vm_arena_alloc(a, n + 4);
			if (p == NULL)
				goto nomem;
			memcpy(p, s, n);
			while (sn % 4)
				p[sn++] = '=';
			src = p;
		}
		if (tr_buf_init(a, &o, sn / 4 * 3) < 0)
			goto nomem;
		if (tr_b64_dec(&o, url ? tr_b64url : tr_b64std, src, sn) < 0)
			goto fail;
		r = tr_buf_val(&o);
		break;
	}
	case S_ESCCOMMON:
		if (tr_buf_init(a, &o, 2 * n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			char c = s[i];
			if (c == '\'' || c == '"' || c == '\\') {
				tr_put(&o, '\\');
				tr_put(&o, c);
			} else if (c == '\0') {
				tr_put(&o, '\\');
				tr_put(&o, '0');
			} else {
				tr_put(&o, c);
			}
		}
		r = tr_buf_val(&o);
		break;
	case S_UNESCCOMMON:
		/* only \' \" \\ and \0 are undone; other escapes stay */
		if (tr_buf_init(a, &o, n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\'' ||
					s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '0')) {
				tr_put(&o, s[i + 1] == '0' ? '\0' : s[i + 1]);
				i++;
			} else {
				tr_put(&o, s[i]);
			}
		}
		r = tr_buf_val(&o);
		break;
	case S_ESCUSER:
	case S_ESCPARAM:
		if (tr_buf_init(a, &o, 3 * n) < 0)
			goto nomem;
		tr_escape(&o, s, n, tr->op == S_ESCUSER ? tr_keep_user : tr_keep_param);
		r = tr_buf_val(&o);
		break;
	case S_UNESCUSER:
	case S_UNESCPARAM:
		if (tr_buf_init(a, &o, n) < 0)
			goto nomem;
		if (tr_unescape(&o, s, n) < 0)
			goto fail;
		r = tr_buf_val(&o);
		break;
	case S_ESCCSV:
		if (tr_buf_init(a, &o, 2 * n + 2) < 0)
			goto nomem;
		tr_put(&o, '"');
		for (i = 0; i < n; i++) {
			if (s[i] == '"')
				tr_put(&o, '"');
			tr_put(&o, s[i]);
		}
		tr_put(&o, '"');
		r = tr_buf_val(&o);
		break;
	case S_URLENC:
		if (tr_buf_init(a, &o, 3 * n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
				tr_put(&o, (char)c);
			} else {
				tr_put(&o, '%');
				tr_put(&o, tr_hexl[c >> 4]);
				tr_put(&o, tr_hexl[c & 15]);
			}
		}
		r = tr_buf_val(&o);
		break;
	case S_URLDEC:
		if (tr_buf_init(a, &o, n) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			if (s[i] == '+') {
				tr_put(&o, ' ');
			} else if (s[i] == '%' && i + 2 < n) {
				tr_put(&o, (char)((unsigned)tr_x2i((unsigned char)s[i + 1]) << 4 |
						(unsigned)tr_x2i((unsigned char)s[i + 2])));
				i += 2;
			} else {
				tr_put(&o, s[i]);
			}
		}
		r = tr_buf_val(&o);
		break;
	case S_PREFIXES:
	case S_PREFIXESQ: {
		int q = tr->op == S_PREFIXESQ;
		size_t max = n;
		if (tr->nparams > 0) {
			if (tr_iparam(tr, 0, eval, ud, &x) < 0)
				goto fail;
			if (x > 0 && (size_t)x < max)
				max = (size_t)x;
		}
		if (tr_buf_init(a, &o, max * (max + 1) / 2 + max * 3) < 0)
			goto nomem;
		for (i = 1; i <= max; i++) {
			if (i > 1)
				tr_put(&o, ',');
			if (q)
				tr_put(&o, '\'');
			tr_putn(&o, s, i);
			if (q)
				tr_put(&o, '\'');
		}
		r = tr_buf_val(&o);
		break;
	}
	case S_SUBSTR:
		if (tr_iparam(tr, 0, eval, ud, &x) < 0 ||
				tr_iparam(tr, 1, eval, ud, &y) < 0 ||
				tr_substr(n, x, y, &off, &len) < 0)
			goto fail;
		r = vm_str(s + off, len);
		break;
	case S_SELECT:
		if (tr_iparam(tr, 0, eval, ud, &x) < 0)
			goto fail;
		tr_select(s, n, x, tr->p[1].s[0], &off, &len);
		r = vm_str(s + off, len);
		break;
	case S_STRIP:
	case S_STRIPTAIL:
		if (tr_iparam(tr, 0, eval, ud, &x) < 0)
			goto fail;
		if (x <= 0)
			r = vm_str(s, n);
		else if ((size_t)x >= n)
			r = vm_str("", 0);
		else if (tr->op == S_STRIP)
			r = vm_str(s + x, n - (size_t)x);
		else
			r = vm_str(s, n - (size_t)x);
		break;
	case S_STRIPTO:
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		for (i = 0; i < n && (pl == 0 || s[i] != ps[0]); i++)
			;
		r = i < n ? vm_str(s + i, n - i) : vm_str("", 0);
		break;
	case S_FTIME: {
		char fmt[256], tb[1024];
		struct tm tmv;
		time_t t;
		if (tr_input_int(in, &x) < 0 ||
				tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0 ||
				pl >= sizeof(fmt))
			goto fail;
		memcpy(fmt, ps, pl);
		fmt[pl] = '\0';
		t = (time_t)x;
		memset(&tmv, 0, sizeof(tmv));
		localtime_r(&t, &tmv);
		len = strftime(tb, sizeof(tb), fmt, &tmv);
		rc = tr_copy(a, tb, len, &r);
		if (rc < 0)
			goto fail;
		break;
	}
	case S_REPLACE:
	case S_RM: {
		size_t nn;
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		ps2 = "";
		pl2 = 0;
		if (tr->op == S_REPLACE &&
				tr_sparam(tr, 1, eval, ud, pb2, &ps2, &pl2) < 0)
			goto fail;
		/* worst case: every byte replaced */
		nn = pl2 > pl && pl > 0 ? n / pl * pl2 + n : n;
		if (tr_buf_init(a, &o, nn) < 0)
			goto nomem;
		for (i = 0; i < n;) {
			if (pl > 0 && n - i >= pl && memcmp(s + i, ps, pl) == 0) {
				tr_putn(&o, ps2, pl2);
				i += pl;
			} else {
				tr_put(&o, s[i++]);
			}
		}
		r = tr_buf_val(&o);
		break;
	}
	case S_COREHASH: {
		char hb[VM_INT_DEC_MAX + 1];
		uint32_t h, size = 0;
		if (tr->nparams > 0) {
			if (tr_iparam(tr, 0, eval, ud, &x) < 0)
				goto fail;
			size = (uint32_t)x;
		}
		h = tr_core_hash(s, n, size);
		len = (size_t)snprintf(hb, sizeof(hb), "%u", h);
		rc = tr_copy(a, hb, len, &r);
		if (rc < 0)
			goto fail;
		break;
	}
	case S_TRIM:
	case S_LTRIM:
	case S_RTRIM:
		off = 0;
		len = n;
		if (tr->op != S_RTRIM)
			while (len > 0 && tr_space((unsigned char)s[off])) {
				off++;
				len--;
			}
		if (tr->op != S_LTRIM)
			while (len > 0 && tr_space((unsigned char)s[off + len - 1]))
				len--;
		r = vm_str(s + off, len);
		break;
	case S_UNQUOTE:
		if (n >= 2 && s[0] == s[n - 1] && (s[0] == '"' || s[0] == '\''))
			r = vm_str(s + 1, n - 2);
		else
			r = vm_str(s, n);
		break;
	case S_UNBRACKET:
		if (n >= 2 && ((s[0] == '(' && s[n - 1] == ')') ||
				(s[0] == '[' && s[n - 1] == ']') ||
				(s[0] == '{' && s[n - 1] == '}') ||
				(s[0] == '<' && s[n - 1] == '>')))
			r = vm_str(s + 1, n - 2);
		else
			r = vm_str(s, n);
		break;
	case S_COUNT:
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		x = 0;
		for (i = 0; i < n && pl > 0; i++)
			if (s[i] == ps[0])
				x++;
		r = vm_int(x);
		break;
	case S_BEFORE:
	case S_AFTER:
	case S_RBEFORE:
	case S_RAFTER: {
		size_t at = n; /* position of the character, n when absent */
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		if (pl > 0) {
			if (tr->op == S_BEFORE || tr->op == S_AFTER) {
				for (i = 0; i < n; i++)
					if (s[i] == ps[0]) {
						at = i;
						break;
					}
			} else {
				for (i = n; i > 0; i--)
					if (s[i - 1] == ps[0]) {
						at = i - 1;
						break;
					}
			}
		}
		if (tr->op == S_BEFORE || tr->op == S_RBEFORE)
			r = vm_str(s, at); /* absent: the whole text */
		else if (at + 1 >= n)
			r = vm_str("", 0); /* absent or last: "" */
		else
			r = vm_str(s + at + 1, n - at - 1);
		break;
	}
	case S_FMTLINES:
	case S_FMTLINET: {
		char fillc = tr->op == S_FMTLINES ? ' ' : '\t';
		int32_t k;
		if (tr_iparam(tr, 0, eval, ud, &x) < 0 ||
				tr_iparam(tr, 1, eval, ud, &y) < 0 || x <= 0 || y < 0)
			goto fail;
		if (tr_buf_init(a, &o, n + (n / (size_t)x) * (2 + (size_t)y)) < 0)
			goto nomem;
		for (i = 0; i < n; i++) {
			if (i != 0 && i % (size_t)x == 0) {
				tr_put(&o, '\r');
				tr_put(&o, '\n');
				for (k = 0; k < y; k++)
					tr_put(&o, fillc);
			}
			tr_put(&o, s[i]);
		}
		r = tr_buf_val(&o);
		break;
	}
	default:
		goto fail;
	}
	*out = r;
	return 0;
nomem:
	rc = VM_E_NOMEM;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* ------------------------------------------------------------------------
 * {uri.*}
 * ------------------------------------------------------------------------ */

/* A view as a value, "" when absent. */
static vm_value tr_view(rt_view v)
{
	return v.s ? vm_str(v.s, v.len) : vm_str("", 0);
}

/* Lower-case protocol name of a transport value Kamailio knows, or NULL. */
static const char *tr_proto(rt_view t)
{
	static const char *const protos[] = { "udp", "tcp", "tls", "sctp", "ws",
		"wss", NULL };
	size_t k, i;

	if (t.s == NULL)
		return NULL;
	for (k = 0; protos[k]; k++) {
		if (strlen(protos[k]) != t.len)
			continue;
		for (i = 0; i < t.len; i++)
			if (tr_lower((unsigned char)t.s[i]) != protos[k][i])
				break;
		if (i == t.len)
			return protos[k];
	}
	return NULL;
}

/* Kamailio's protocol number of a transport value (udp 1 ... wss 6), 0
 * when unknown. */
static unsigned tr_transport_id(rt_view t)
{
	static const char *const protos[] = { "udp", "tcp", "tls", "sctp", "ws", "wss" };
	const char *p = tr_proto(t);
	for (unsigned k = 0; p && k < 6; k++)
		if (p == protos[k] || strcmp(p, protos[k]) == 0)
			return k + 1;
	return 0;
}

/* See mod.h. Input: the URI text; a trailing ';' is ignored (when the text
 * is longer than 4 bytes), as Kamailio does. For tel: URIs the number is
 * the user, and params, param and the named parameters are "". */
int mod_pv_tr_apply_uri(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	rt_uri u;
	const char *s;
	size_t n;
	int rc, sip;
	vm_value r;
	tr_buf o;

	rc = tr_input(a, in, &s, &n);
	if (rc < 0 || n == 0)
		goto fail;
	rc = -1;
	if (n > 4 && s[n - 1] == ';')
		n--;
	if (rt_uri_parse(s, n, &u) < 0)
		goto fail;
	sip = u.type == RT_URI_SIP || u.type == RT_URI_SIPS;
	switch (tr->op) {
	case U_USER:
		r = tr_view(u.user);
		break;
	case U_HOST:
	case U_DOMAIN:
		r = tr_view(u.host);
		break;
	case U_PASSWD:
		r = tr_view(u.passwd);
		break;
	case U_PORT:
		r = u.port.s ? vm_int_str(u.port_no, u.port.s, u.port.len) :
			vm_int_str(0, "", 0);
		break;
	case U_SAOR:
	case U_SURI:
	case U_DURI:
		if (tr_buf_init(a, &o, n + 16) < 0)
			goto nomem;
		tr_putn(&o, u.scheme.s, u.scheme.len);
		tr_put(&o, ':');
		if (u.user.len > 0 && tr->op != U_DURI) {
			tr_putn(&o, u.user.s, u.user.len);
			tr_put(&o, '@');
		}
		tr_putn(&o, u.host.s, u.host.len);
		if (tr->op != U_SAOR) {
			if (u.port.len > 0) {
				tr_put(&o, ':');
				tr_putn(&o, u.port.s, u.port.len);
			}
			if (u.transport.len > 0) {
				tr_putn(&o, ";transport=", 11);
				tr_putn(&o, u.transport.s, u.transport.len);
			}
		}
		r = tr_buf_val(&o);
		break;
	case U_PARAMS:
		r = sip ? tr_view(u.params) : vm_str("", 0);
		break;
	case U_HEADERS:
		r = tr_view(u.headers);
		break;
	case U_PARAM: {
		char pb[VM_INT_DEC_MAX];
		const char *ps;
		size_t pl;
		const rt_uri_param *p;
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		p = sip ? rt_uri_param_find(&u, ps, pl) : NULL;
		r = p ? tr_view(p->value) : vm_str("", 0);
		break;
	}
	case U_TRANSPORT:
		r = sip ? tr_view(u.transport) : vm_str("", 0);
		break;
	case U_TTL:
		r = sip ? tr_view(u.ttl) : vm_str("", 0);
		break;
	case U_UPARAM:
		r = sip ? tr_view(u.uparam) : vm_str("", 0);
		break;
	case U_MADDR:
		r = sip ? tr_view(u.maddr) : vm_str("", 0);
		break;
	case U_METHOD:
		r = sip ? tr_view(u.method) : vm_str("", 0);
		break;
	case U_LR:
		r = sip ? tr_view(u.lr) : vm_str("", 0);
		break;
	case U_R2:
		r = sip ? tr_view(u.r2) : vm_str("", 0);
		break;
	case U_SCHEME:
		r = tr_view(u.scheme);
		break;
	case U_TOSOCKET: {
		/* only with a known transport parameter, as 5.6.3 */
		const char *proto = sip ? tr_proto(u.transport) : NULL;
		char sb[16];
		if (proto == NULL) {
			r = vm_str("", 0);
			break;
		}
		if (tr_buf_init(a, &o, u.host.len + 16) < 0)
			goto nomem;
		tr_putn(&o, proto, strlen(proto));
		tr_put(&o, ':');
		tr_putn(&o, u.host.s, u.host.len);
		snprintf(sb, sizeof(sb), ":%u", u.port_no ? u.port_no : 5060u);
		tr_putn(&o, sb, strlen(sb));
		r = tr_buf_val(&o);
		break;
	}
	default:
		goto fail;
	}
	*out = r;
	return 0;
nomem:
	rc = VM_E_NOMEM;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* ------------------------------------------------------------------------
 * {param.*}
 * ------------------------------------------------------------------------ */

#define TR_MAX_PARAMS 256

typedef struct {
	rt_view name, value;
} tr_nv;

/* Split a `name=value<sep>...` list: one trailing separator is ignored, a
 * leading one gives an empty first parameter, as in 5.6.3 (";a=1;b" has 3).
 * A value may be a quoted string (returned without its quotes). Blanks are
 * refused (5.6.3 fails on " a = 1"). Returns the count, or -1. */
static int tr_params_split(const char *s, size_t n, char sep, tr_nv *nv)
{
	size_t i = 0;
	int cnt = 0;

	if (n > 1 && s[n - 1] == sep)
		n--;
	while (i <= n) {
		size_t st = i;
		if (cnt >= TR_MAX_PARAMS)
			return -1;
		while (i < n && s[i] != sep && s[i] != '=') {
			if (tr_space((unsigned char)s[i]))
				return -1;
			i++;
		}
		nv[cnt].name.s = s + st;
		nv[cnt].name.len = i - st;
		nv[cnt].value.s = NULL;
		nv[cnt].value.len = 0;
		if (i < n && s[i] == '=') {
			i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i];
				size_t vs = ++i;
				while (i < n && s[i] != q)
					i++;
				if (i >= n)
					return -1;
				nv[cnt].value.s = s + vs;
				nv[cnt].value.len = i - vs;
				i++;
				if (i < n && s[i] != sep)
					return -1;
			} else {
				size_t vs = i;
				while (i < n && s[i] != sep) {
					if (tr_space((unsigned char)s[i]))
						return -1;
					i++;
				}
				nv[cnt].value.s = s + vs;
				nv[cnt].value.len = i - vs;
			}
		}
		cnt++;
		i++; /* past the separator, or past the end */
	}
	return cnt;
}

static int tr_name_eq(rt_view a, const char *b, size_t bl)
{
	size_t i;

	if (a.len != bl)
		return 0;
	for (i = 0; i < bl; i++)
		if (tr_lower((unsigned char)a.s[i]) != tr_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* See mod.h. */
int mod_pv_tr_apply_param(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	tr_nv *nv;
	const char *s, *ps;
	size_t n, pl;
	char pb[VM_INT_DEC_MAX];
	char sep = ';';
	int cnt, rc, k, sepk;
	int32_t x;
	vm_value r;

	rc = tr_input(a, in, &s, &n);
	if (rc < 0 || n == 0)
		goto fail;
	rc = -1;
	sepk = tr->op == P_COUNT ? 0 : 1;
	if (tr->nparams > sepk)
		sep = tr->p[sepk].s[0];
	nv = vm_arena_alloc(a, sizeof(*nv) * TR_MAX_PARAMS);
	if (nv == NULL) {
		rc = VM_E_NOMEM;
		goto fail;
	}
	cnt = tr_params_split(s, n, sep, nv);
	if (cnt < 0)
		goto fail;
	switch (tr->op) {
	case P_VALUE:
	case P_IN:
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		for (k = 0; k < cnt; k++)
			if (tr_name_eq(nv[k].name, ps, pl))
				break;
		if (tr->op == P_IN)
			r = vm_int(k < cnt);
		else
			r = k < cnt ? tr_view(nv[k].value) : vm_str("", 0);
		break;
	case P_VALUEAT:
	case P_NAME:
		if (tr_iparam(tr, 0, eval, ud, &x) < 0)
			goto fail;
		if (x < 0)
			x = cnt + x;
		if (x < 0 || x >= cnt)
			r = vm_str("", 0);
		else
			r = tr_view(tr->op == P_NAME ? nv[x].name : nv[x].value);
		break;
	case P_COUNT:
		r = vm_int(cnt);
		break;
	default:
		goto fail;
	}
	*out = r;
	return 0;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* ------------------------------------------------------------------------
 * {nameaddr.*} and {tobody.*}
 * ------------------------------------------------------------------------ */

/* Index of the first '<' outside double quotes in s[0..n), or n. */
static size_t tr_find_lt(const char *s, size_t n)
{
	size_t i;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (q && s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == '<')
			return i;
	}
	return n;
}

/* See mod.h. `name` is everything before '<' (quotes and blanks kept),
 * `uri` what is between '<' and '>', `len` the length up to '>'. Without
 * '<' the whole text is the URI. A '<' without '>' fails. */
int mod_pv_tr_apply_nameaddr(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	const char *s;
	size_t n, lt, gt;
	int rc;

	(void)eval;
	(void)ud;
	rc = tr_input(a, in, &s, &n);
	if (rc < 0 || n == 0)
		goto fail;
	rc = -1;
	lt = tr_find_lt(s, n);
	if (lt == n) {
		*out = tr->op == NA_URI ? vm_str(s, n) :
			tr->op == NA_LEN ? vm_int((int32_t)n) : vm_str("", 0);
		return 0;
	}
	for (gt = lt + 1; gt < n && s[gt] != '>'; gt++)
		;
	if (gt == n)
		goto fail;
	*out = tr->op == NA_URI ? vm_str(s + lt + 1, gt - lt - 1) :
		tr->op == NA_LEN ? vm_int((int32_t)(gt + 1)) : vm_str(s, lt);
	return 0;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* See mod.h. The text is a To/From body: [display] <uri> *(;param) or a
 * bare uri *(;param); the URI must parse (rt_uri). `display` is trimmed of
 * blanks (quotes kept), `params` is everything from the first parameter's
 * name to the end. */
int mod_pv_tr_apply_tobody(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	const char *s;
	size_t n, i, lt, us, ue;
	rt_view disp = { NULL, 0 }, params = { NULL, 0 }, tag = { NULL, 0 };
	rt_uri u;
	int rc;
	vm_value r;

	(void)eval;
	(void)ud;
	rc = tr_input(a, in, &s, &n);
	if (rc < 0 || n == 0)
		goto fail;
	rc = -1;
	lt = tr_find_lt(s, n);
	if (lt < n) {
		size_t ds = 0, de = lt;
		while (ds < de && tr_space((unsigned char)s[ds]))
			ds++;
		while (de > ds && tr_space((unsigned char)s[de - 1]))
			de--;
		disp.s = s + ds;
		disp.len = de - ds;
		us = lt + 1;
		for (ue = us; ue < n && s[ue] != '>'; ue++)
			;
		if (ue == n)
			goto fail;
		i = ue + 1;
	} else {
		us = 0;
		while (us < n && tr_space((unsigned char)s[us]))
			us++;
		for (ue = us; ue < n && s[ue] != ';' && !tr_space((unsigned char)s[ue]); ue++)
			;
		i = ue;
	}
	/* parameters */
	while (i < n && tr_space((unsigned char)s[i]))
		i++;
	if (i < n) {
		if (s[i] != ';')
			goto fail;
		while (i < n && s[i] == ';') {
			size_t ns, ne, vs, ve;
			i++;
			while (i < n && tr_space((unsigned char)s[i]))
				i++;
			ns = i;
			while (i < n && s[i] != '=' && s[i] != ';' &&
					!tr_space((unsigned char)s[i]))
				i++;
			ne = i;
			if (params.s == NULL) {
				params.s = s + ns;
				params.len = n - ns;
			}
			while (i < n && tr_space((unsigned char)s[i]))
				i++;
			vs = ve = i;
			if (i < n && s[i] == '=') {
				i++;
				while (i < n && tr_space((unsigned char)s[i]))
					i++;
				vs = i;
				while (i < n && s[i] != ';')
					i++;
				ve = i;
				while (ve > vs && tr_space((unsigned char)s[ve - 1]))
					ve--;
			}
			if (ne - ns == 3 && tr_name_eq((rt_view){ s + ns, 3 }, "tag", 3)) {
				tag.s = s + vs;
				tag.len = ve - vs;
			}
		}
	}
	if (rt_uri_parse(s + us, ue - us, &u) < 0)
		goto fail;
	switch (tr->op) {
	case TB_URI:
		r = vm_str(s + us, ue - us);
		break;
	case TB_TAG:
		r = tr_view(tag);
		break;
	case TB_USER:
		r = tr_view(u.user);
		break;
	case TB_HOST:
		r = tr_view(u.host);
		break;
	case TB_PARAMS:
		r = tr_view(params);
		break;
	case TB_DISPLAY:
		r = tr_view(disp);
		break;
	default:
		goto fail;
	}
	*out = r;
	return 0;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* ------------------------------------------------------------------------
 * {line.*}
 * ------------------------------------------------------------------------ */

/* A line without its trailing '\r'. */
static vm_value tr_line(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\r')
		len--;
	return vm_str(s, len);
}

/* See mod.h. Lines end with '\n' (a final '\n' does not start another
 * line); results lose a trailing '\r'. {line.at,n} counts from 0, or from
 * the end when negative; out of range is "". {line.count} is an int. */
int mod_pv_tr_apply_line(const mod_pv_tr *tr, vm_arena *a,
		const vm_value *in, vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	const char *s, *ps;
	size_t n, i, pl, nl, start;
	char pb[VM_INT_DEC_MAX];
	int32_t x;
	int rc;

	rc = tr_input(a, in, &s, &n);
	if (rc < 0 || n == 0)
		goto fail;
	rc = -1;
	/* number of lines */
	nl = 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			nl++;
	if (s[n - 1] != '\n')
		nl++;
	switch (tr->op) {
	case L_COUNT:
		*out = vm_int((int32_t)nl);
		return 0;
	case L_SW:
		if (tr_sparam(tr, 0, eval, ud, pb, &ps, &pl) < 0)
			goto fail;
		for (start = 0; start < n;) {
			size_t e = start;
			while (e < n && s[e] != '\n')
				e++;
			if (e - start >= pl && memcmp(s + start, ps, pl) == 0) {
				*out = tr_line(s + start, e - start);
				return 0;
			}
			start = e + 1;
		}
		*out = vm_str("", 0);
		return 0;
	case L_AT:
		if (tr_iparam(tr, 0, eval, ud, &x) < 0)
			goto fail;
		if (x < 0)
			x = (int32_t)nl + x;
		if (x < 0 || (size_t)x >= nl) {
			*out = vm_str("", 0);
			return 0;
		}
		start = 0;
		for (i = 0; i < (size_t)x; i++) {
			while (s[start] != '\n')
				start++;
			start++;
		}
		for (i = start; i < n && s[i] != '\n'; i++)
			;
		*out = tr_line(s + start, i - start);
		return 0;
	default:
		break;
	}
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* ------------------------------------------------------------------------
 * {urialias.encode}, {urialias.decode}: a SIP URI's address as
 * "host~port~proto" and back, as 5.6.3's ksr_uri_alias_encode/_decode
 * (verified on 5.6.3): the port defaults to 5060 and the protocol to UDP
 * (1); decoding takes the first character after the second '~' as the
 * protocol (0 or 1: no transport parameter, 2 tcp, 3 tls, 4 sctp, 5 and 6
 * ws) and keeps the host and port text as they are.
 * ------------------------------------------------------------------------ */

static int tr_apply_urialias(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out)
{
	static const char *const tnames[] = { NULL, NULL, "tcp", "tls", "sctp", "ws", "ws" };
	const char *s, *t1, *t2;
	size_t len;
	char *b;
	int rc, n;

	rc = tr_input(a, in, &s, &len);
	if (rc < 0)
		goto fail;
	if (tr->op == UA_ENCODE) {
		rt_uri u;
		if (rt_uri_parse(s, len, &u) < 0 || u.host.s == NULL ||
				(u.type != RT_URI_SIP && u.type != RT_URI_SIPS))
			goto fail;
		if (!(b = vm_arena_alloc(a, u.host.len + 16)))
			return VM_E_NOMEM;
		n = snprintf(b, u.host.len + 16, "%.*s~%u~%d", (int)u.host.len, u.host.s,
				u.port.len ? u.port_no : 5060,
				u.transport.s ? (int)tr_transport_id(u.transport) : 1);
		*out = vm_str(b, (size_t)n);
		return 0;
	}
	if (!(t1 = memchr(s, '~', len)) || !(t2 = memchr(t1 + 1, '~', len - (size_t)(t1 + 1 - s))) ||
			t2 + 1 >= s + len || t2[1] < '0' || t2[1] > '6')
		goto fail;
	n = t2[1] - '0';
	{
		size_t hl = (size_t)(t1 - s), pl = (size_t)(t2 - t1 - 1);
		size_t cap = 4 + hl + 1 + pl + 16;
		if (!(b = vm_arena_alloc(a, cap)))
			return VM_E_NOMEM;
		n = snprintf(b, cap, "sip:%.*s:%.*s%s%s", (int)hl, s, (int)pl, t1 + 1,
				tnames[n] ? ";transport=" : "", tnames[n] ? tnames[n] : "");
	}
	*out = vm_str(b, (size_t)n);
	return 0;
fail:
	*out = vm_null();
	return rc == VM_E_NOMEM ? VM_E_NOMEM : -1;
}

/* See mod.h. */
int mod_pv_tr_apply(const mod_pv_tr *tr, vm_arena *a, const vm_value *in,
		vm_value *out, mod_pv_tr_eval_fn eval, void *ud)
{
	switch (tr->cls) {
	case MOD_PV_TR_S:
		return mod_pv_tr_apply_s(tr, a, in, out, eval, ud);
	case MOD_PV_TR_URI:
		return mod_pv_tr_apply_uri(tr, a, in, out, eval, ud);
	case MOD_PV_TR_PARAM:
		return mod_pv_tr_apply_param(tr, a, in, out, eval, ud);
	case MOD_PV_TR_NAMEADDR:
		return mod_pv_tr_apply_nameaddr(tr, a, in, out, eval, ud);
	case MOD_PV_TR_TOBODY:
		return mod_pv_tr_apply_tobody(tr, a, in, out, eval, ud);
	case MOD_PV_TR_LINE:
		return mod_pv_tr_apply_line(tr, a, in, out, eval, ud);
	case MOD_PV_TR_URIALIAS:
		return tr_apply_urialias(tr, a, in, out);
	}
	*out = vm_null();
	return -1;
}

/* ------------------------------------------------------------------------
 * Transformation classes for the VM
 *
 * One vm_tr_class per class name, all with the same functions: the text
 * between the braces is copied (the parsed form views into the copy), its
 * PV parameters are parsed once with the loaded program, and applying
 * reads their values through vm_pv_get in the running ctx.
 * ------------------------------------------------------------------------ */

typedef struct {
	mod_pv_tr tr;
	vm_pvspec *pv[MOD_PV_TR_MAXP];
	char text[];
} tr_bound;

static void trc_free(void *p)
{
	tr_bound *b = p;
	if (b == NULL)
		return;
	for (int i = 0; i < MOD_PV_TR_MAXP; i++)
		vm_pvspec_free(b->pv[i]);
	free(b);
}

static int trc_parse(const vm_loaded *lp, const char *text, size_t len, void **out,
		const char **err)
{
	tr_bound *b = calloc(1, sizeof(*b) + len + 1);
	char msg[256];

	*out = NULL;
	if (b == NULL) {
		*err = "out of memory";
		return -1;
	}
	memcpy(b->text, text, len);
	if (mod_pv_tr_parse(b->text, len, &b->tr, err) < 0) {
		free(b);
		return -1;
	}
	for (int i = 0; i < b->tr.nparams; i++) {
		mod_pv_tr_param *p = &b->tr.p[i];
		if (p->kind != MOD_PV_TR_P_PV)
			continue;
		if (vm_pv_parse(lp, p->s, p->len, &b->pv[i], msg, sizeof(msg)) < 0) {
			*err = "invalid pseudo-variable in a parameter";
			trc_free(b);
			return -1;
		}
		p->pv = b->pv[i];
	}
	*out = b;
	return 0;
}

/* The value of a PV parameter in the running ctx. */
static int trc_eval(void *ud, const mod_pv_tr_param *p, vm_value *out)
{
	return vm_pv_get(ud, p->pv, out) < 0 ? -1 : 0;
}

static int trc_apply(vm_ctx *c, void *tr, const vm_value *in, vm_value *out)
{
	const tr_bound *b = tr;
	return mod_pv_tr_apply(&b->tr, &c->arena, in, out, trc_eval, c) == 0 ? 0 : -1;
}

const vm_tr_class mod_pv_trclasses[] = {
	{ "s",        trc_parse, trc_apply, trc_free },
	{ "uri",      trc_parse, trc_apply, trc_free },
	{ "param",    trc_parse, trc_apply, trc_free },
	{ "nameaddr", trc_parse, trc_apply, trc_free },
	{ "tobody",   trc_parse, trc_apply, trc_free },
	{ "line",     trc_parse, trc_apply, trc_free },
	{ "urialias", trc_parse, trc_apply, trc_free },
	{ NULL, NULL, NULL, NULL }
};
