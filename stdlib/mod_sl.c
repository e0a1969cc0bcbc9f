/*
 * mod_sl.c — sl: stateless replies.
 *
 * A reply is built by the runtime (rt_build_reply) from the request, the
 * headers append_to_reply() queued and the body of set_reply_body(), and
 * sent back to where the request came from. Like Kamailio, replies from
 * 180 up get a To-tag when the request's To has none: a fixed part, the
 * MD5 of "KAMAILIO-stateless" and this server's first address and port,
 * then '.' and two CRC-CCITT sums over the top Via and the Call-ID, so a
 * retransmitted request gets the same tag (and an ACK to the reply can be
 * recognised). With the same listen address the tag is byte for byte
 * Kamailio 5.6.3's.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"
#include "mod.h"

/* ------------------------------------------------------------------------
 * MD5 (RFC 1321)
 *
 * Written out here rather than taken from gnutls: every module is linked
 * into the static bin/cfgc, which has no gnutls, and the To-tag and the
 * forward branch (mod_core.c) need only this one digest of a few short
 * strings.
 * ------------------------------------------------------------------------ */

typedef struct {
	uint32_t h[4];
	uint64_t n;              /* bytes hashed */
	unsigned char buf[64];
} sl_md5;

static uint32_t md5_rol(uint32_t x, unsigned c)
{
	return (x << c) | (x >> (32 - c));
}

static void md5_block(sl_md5 *m, const unsigned char *p)
{
	static const uint32_t K[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf,
		0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af,
		0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e,
		0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
		0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6,
		0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
		0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
		0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
		0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
		0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97,
		0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d,
		0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
		0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
	};
	static const unsigned char R[64] = {
		7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
		5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
		4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
		6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
	};
	uint32_t w[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
			(uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (unsigned i = 0; i < 64; i++) {
		uint32_t f, g;
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		f += a + K[i] + w[g];
		a = d;
		d = c;
		c = b;
		b += md5_rol(f, R[i]);
	}
	m->h[0] += a;
	m->h[1] += b;
	m->h[2] += c;
	m->h[3] += d;
}

static void md5_init(sl_md5 *m)
{
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
	m->n = 0;
}

static void md5_add(sl_md5 *m, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t have = (size_t)(m->n & 63);

	m->n += len;
	if (have) {
		size_t k = 64 - have < len ? 64 - have : len;
		memcpy(m->buf + have, p, k);
		p += k;
		len -= k;
		if (have + k < 64)
			return;
		md5_block(m, m->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		md5_block(m, p);
	memcpy(m->buf, p, len);
}

static void md5_end(sl_md5 *m, unsigned char out[16])
{
	unsigned char pad[72] = { 0x80 };
	uint64_t bits = m->n * 8;
	size_t have = (size_t)(m->n & 63);
	size_t plen = (have < 56 ? 56 : 120) - have;

	for (int i = 0; i < 8; i++)
		pad[plen + (size_t)i] = (unsigned char)(bits >> (8 * i));
	md5_add(m, pad, plen + 8);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(m->h[i] >> (8 * k));
}

/* See mod.h. */
void mod_sl_md5_hex(const rt_view *parts, unsigned n, char out[32])
{
	sl_md5 m;
	unsigned char d[16];

	md5_init(&m);
	for (unsigned i = 0; i < n; i++)
		if (parts[i].s)
			md5_add(&m, parts[i].s, parts[i].len);
	md5_end(&m, d);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
}

/* ------------------------------------------------------------------------
 * The To-tag
 * ------------------------------------------------------------------------ */

/* Kamailio's CRC-CCITT (polynomial 0x8408, reflected), a byte at a time
 * through a table built on first use (the bit-by-bit loop was the largest
 * cost of a stateless 200: 15% of a dry run's CPU). */
static uint16_t sl_ccitt_tab[256];
static pthread_once_t sl_ccitt_once = PTHREAD_ONCE_INIT;

static void sl_ccitt_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t crc = (uint16_t)b;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
		sl_ccitt_tab[b] = crc;
	}
}

static inline uint16_t sl_ccitt(uint16_t crc, unsigned char ch)
{
	return (uint16_t)((crc >> 8) ^ sl_ccitt_tab[(crc ^ ch) & 0xff]);
}

/* crcitt_string_array(): the CRC of the concatenated parts, written as 4
 * hex digits least significant first, padded with '0'. As in Kamailio
 * 5.6.3, a missing part (NULL s) ends the list: a Via without a port
 * hashes its host only. */
static void sl_crc4(const rt_view *parts, unsigned n, char *out)
{
	uint16_t crc = 0xFFFF;
	unsigned v;
	int k = 0;

	pthread_once(&sl_ccitt_once, sl_ccitt_init);
	for (unsigned i = 0; i < n; i++) {
		if (parts[i].s == NULL)
			break;
		for (size_t j = 0; j < parts[i].len; j++)
			crc = sl_ccitt(crc, (unsigned char)parts[i].s[j]);
	}
	v = (uint16_t)~crc;
	if (v == 0)
		out[k++] = '0';
	while (v && k < 4) {
		out[k++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	}
	while (k < 4)
		out[k++] = '0';
}

#define SL_TAG_LEN 41            /* 32 + '.' + 8 */

/* The stateless To-tag for request m from server address self into tag
 * (SL_TAG_LEN bytes, not terminated). 0, or -1 when m has no Via. */
static int sl_totag(rt_msg *m, const rt_addr *self, char tag[SL_TAG_LEN])
{
	const rt_via *via = rt_msg_via1(m);
	rt_hdr *ci = rt_msg_hdr_type(m, RT_HDR_CALLID, 0);
	char port[8];
	rt_view fixed[3], v[3];
	int n;

	if (via == NULL)
		return -1;
	/* the MD5 half depends on the server address only: kept per thread
	 * for the last address seen */
	static __thread char last_ip[sizeof(self->ip)];
	static __thread uint16_t last_port;
	static __thread char last_md5[32];
	static __thread int have_md5;
	if (!have_md5 || last_port != self->port || strcmp(last_ip, self->ip) != 0) {
		n = snprintf(port, sizeof(port), "%u", (unsigned)self->port);
		fixed[0] = (rt_view){ "KAMAILIO-stateless", 18 };
		fixed[1] = (rt_view){ self->ip, strlen(self->ip) };
		fixed[2] = (rt_view){ port, (size_t)(n > 0 ? n : 0) };
		mod_sl_md5_hex(fixed, 3, last_md5);
		memcpy(last_ip, self->ip, sizeof(last_ip));
		last_port = self->port;
		have_md5 = 1;
	}
	memcpy(tag, last_md5, 32);
	tag[32] = '.';
	v[0] = via->host;
	v[1] = via->port;
	v[2] = via->branch;
	sl_crc4(v, 3, tag + 33);
	v[0] = via->port;
	v[1] = via->host;
	v[2] = ci ? ci->body : (rt_view){ NULL, 0 };
	sl_crc4(v, 3, tag + 37);
	return 0;
}

/* ------------------------------------------------------------------------
 * Replies
 * ------------------------------------------------------------------------ */

/* Module parameters and counters, per worker (c->mod[MOD_SLOT_SL]). */
typedef struct {
	int32_t default_code;
	const char *default_reason;
	size_t default_reason_len;
	uint32_t sent, failures;
} sl_state;

static sl_state *sl_state_of(vm_ctx *c)
{
	sl_state *st = c->mod[MOD_SLOT_SL];
	const vm_const *k;

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->default_code = 500;
	st->default_reason = "Internal Server Error";
	st->default_reason_len = strlen(st->default_reason);
	if (c->lp) {
		k = vm_loaded_setting(c->lp, "sl", "default_code", 0);
		if (k && k->kind == VM_INT)
			st->default_code = k->i;
		k = vm_loaded_setting(c->lp, "sl", "default_reason", 0);
		if (k && k->kind == VM_STR) {
			st->default_reason = k->s;
			st->default_reason_len = k->len;
		}
	}
	c->mod[MOD_SLOT_SL] = st;
	return st;
}

static int sl_ctx_init(vm_ctx *c)
{
	return sl_state_of(c) ? 0 : -1;
}

static void sl_ctx_free(vm_ctx *c)
{
	free(c->mod[MOD_SLOT_SL]);
	c->mod[MOD_SLOT_SL] = NULL;
}

/* Where a reply to m goes (Kamailio's update_sock_struct_from_ip, with
 * reply_to_via off): the source address; the source port when the top
 * Via has ;rport or force_rport() ran, else the Via's port, else 5060.
 * Stream transports answer on the connection, i.e. the source port. */
static void sl_reply_dst(rt_msg *m, rt_addr *dst)
{
	const rt_via *via = rt_msg_via1(m);

	*dst = m->src;
	if (m->src.proto != RT_PROTO_UDP && m->src.proto != RT_PROTO_NONE)
		return;
	if ((via && via->has_rport) || m->force_rport)
		return;
	dst->port = (via && via->port_no) ? via->port_no : 5060;
}

/* Statistics (group sl), as 5.6.3 names them. Every one is computed in
 * 5.6.3, so reset_stat leaves them alone (RT_STF_NO_RESET). Counted per
 * sent reply: its code's counter and sent_replies; failures when a reply
 * could not be built or sent. Departure: 5.6.3 counts 1xx replies in
 * xxx_replies (its class test starts at 200); sipvm counts them in
 * 1xx_replies, as documented (and as later versions do). sent_err_replies
 * stays 0 (5.6.3 never counts it) and received_ACKs too (sipvm does not
 * absorb ACKs to its stateless replies yet). */
enum {
	SL_ST_1XX, SL_ST_200, SL_ST_202, SL_ST_2XX, SL_ST_300, SL_ST_301, SL_ST_302,
	SL_ST_3XX, SL_ST_400, SL_ST_401, SL_ST_403, SL_ST_404, SL_ST_407, SL_ST_408,
	SL_ST_483, SL_ST_4XX, SL_ST_500, SL_ST_5XX, SL_ST_6XX, SL_ST_XXX,
	SL_ST_SENT, SL_ST_SENT_ERR, SL_ST_FAILURES, SL_ST_ACKS, SL_ST__N
};
static const char *const sl_st_names[SL_ST__N] = {
	"1xx_replies", "200_replies", "202_replies", "2xx_replies", "300_replies",
	"301_replies", "302_replies", "3xx_replies", "400_replies", "401_replies",
	"403_replies", "404_replies", "407_replies", "408_replies", "483_replies",
	"4xx_replies", "500_replies", "5xx_replies", "6xx_replies", "xxx_replies",
	"sent_replies", "sent_err_replies", "failures", "received_ACKs",
};
static int sl_st[SL_ST__N] = { [0 ... SL_ST__N - 1] = -1 };
static pthread_once_t sl_st_once = PTHREAD_ONCE_INIT;

static void sl_stats_register(void)
{
	for (int i = 0; i < SL_ST__N; i++)
		sl_st[i] = rt_stats_register("sl", sl_st_names[i], "sl", RT_STF_NO_RESET);
}

/* The module's init hook: its statistics (the same ids on every load). */
static int sl_init(vm_loaded *lp, char *err, size_t errlen)
{
	(void)lp;
	pthread_once(&sl_st_once, sl_stats_register);
	for (int i = 0; i < SL_ST__N; i++)
		if (sl_st[i] < 0) {
			snprintf(err, errlen, "sl: cannot register statistic %s", sl_st_names[i]);
			return -1;
		}
	return 0;
}

/* The counter of a reply code. */
static int sl_st_of(int code)
{
	switch (code) {
	case 200: return SL_ST_200;
	case 202: return SL_ST_202;
	case 300: return SL_ST_300;
	case 301: return SL_ST_301;
	case 302: return SL_ST_302;
	case 400: return SL_ST_400;
	case 401: return SL_ST_401;
	case 403: return SL_ST_403;
	case 404: return SL_ST_404;
	case 407: return SL_ST_407;
	case 408: return SL_ST_408;
	case 483: return SL_ST_483;
	case 500: return SL_ST_500;
	}
	switch (code / 100) {
	case 1: return SL_ST_1XX;
	case 2: return SL_ST_2XX;
	case 3: return SL_ST_3XX;
	case 4: return SL_ST_4XX;
	case 5: return SL_ST_5XX;
	case 6: return SL_ST_6XX;
	}
	return SL_ST_XXX;
}

/* See mod.h. */
int mod_sl_reply(vm_ctx *c, int code, const char *reason, size_t rlen)
{
	rt_msg *m = rt_msg_of(c);
	rt_worker *w = rt_worker_of(c);
	/* the counters only when sl is loaded (its hooks free them):
	 * options_reply() may come here without it */
	sl_state *st = c->mod[MOD_SLOT_SL];
	mod_core_state *cs = mod_core_state_of(c);
	const rt_nameaddr *to;
	char tag[SL_TAG_LEN];
	const char *totag = NULL;
	size_t tlen = 0;
	rt_addr dst;
	rt_buf out = { NULL, 0, 0, 0 };
	int ret = -1;

	if (m == NULL || !m->is_request || m->method_id == RT_M_ACK)
		goto fail;
	if (w == NULL || w->send == NULL) {
		vm_error(c, "sl: no transport to send the reply with");
		goto fail;
	}
	if (code < 100 || code > 699) {
		vm_error(c, "sl: invalid reply code %d", code);
		goto fail;
	}
	/* a redirect lists the destination: the new R-URI (sipvm keeps no
	 * other branches yet) */
	if (code >= 300 && code < 400 && m->new_uri != NULL) {
		char *ct = malloc(m->new_uri_len + 16);
		if (ct == NULL)
			goto fail;
		memcpy(ct, "Contact: <", 10);
		memcpy(ct + 10, m->new_uri, m->new_uri_len);
		memcpy(ct + 10 + m->new_uri_len, ">\r\n", 3);
		if (rt_msg_reply_lump(m, ct, m->new_uri_len + 13) < 0) {
			free(ct);
			goto fail;
		}
		free(ct);
	}
	/* a To-tag from 180 up, when the To has none (or an empty one) */
	to = rt_msg_to(m);
	if (code >= 180 && to != NULL && (to->tag.s == NULL || to->tag.len == 0) &&
			sl_totag(m, &w->self, tag) == 0) {
		totag = tag;
		tlen = SL_TAG_LEN;
	}
	rt_buf_take(&out);
	if (rt_build_reply(m, code, reason, rlen, totag, tlen, w->server_hdr,
			cs ? cs->rpl_body : NULL, cs ? cs->rpl_body_len : 0, &out) < 0 ||
			out.failed) {
		vm_error(c, "sl: building the reply failed");
		goto fail;
	}
	sl_reply_dst(m, &dst);
	if (w->send(w, "reply", &dst, out.s, out.len) < 0) {
		vm_error(c, "sl: sending the reply to %s:%u failed", dst.ip, dst.port);
		goto fail;
	}
	w->sent_replies++;
	if (st)
		st->sent++;
	mod_sl_count_reply(code, 1);
	ret = 1;
	goto done;
fail:
	if (st)
		st->failures++;
	mod_sl_count_reply(code, 0);
done:
	rt_buf_give(&out);
	return ret;
}

/* See mod.h. */
void mod_sl_count_reply(int code, int sent)
{
	pthread_once(&sl_st_once, sl_stats_register);
	if (sent) {
		rt_stat_inc(sl_st[sl_st_of(code)]);
		rt_stat_inc(sl_st[SL_ST_SENT]);
	} else {
		rt_stat_inc(sl_st[SL_ST_FAILURES]);
	}
}

/* sl_send_reply(code, reason), sl_reply, send_reply (stateless: the tm
 * module's transactions are not consulted): a code that is not a number
 * gives the default_code parameter (500), a missing reason the
 * default_reason one. 1 sent, -1 not (an ACK is never answered). */
static int sl_send_reply_f(vm_call *call)
{
	sl_state *st = sl_state_of(call->ctx);
	int32_t code;
	char buf[VM_INT_DEC_MAX];
	const char *reason;
	size_t rlen;

	if (st == NULL)
		return -1;
	if (mod_core_arg_int(call, 0, &code) < 0)
		code = st->default_code;
	if (call->nargs > 1 && call->args[1].kind != VM_NULL) {
		mod_core_arg_str(call, 1, buf, &reason, &rlen);
	} else {
		reason = st->default_reason;
		rlen = st->default_reason_len;
	}
	return mod_sl_reply(call->ctx, code, reason, rlen);
}

/* sl_reply_error(): sipvm keeps no record of the last internal error, so
 * this is the reply Kamailio sends when there is none: 500 with its
 * generic text. */
static int sl_reply_error_f(vm_call *call)
{
	static const char txt[] = "I'm terribly sorry, server error occurred (1/SL)";
	int r = mod_sl_reply(call->ctx, 500, txt, sizeof(txt) - 1);
	if (r > 0)
		vm_log(call->ctx, VM_L_ERR, "stateless error reply used: %s", txt);
	return r > 0 ? 1 : -1;
}

/* sl_forward_reply([code[, reason]]): send the reply being routed on
 * statelessly now (the core then does not forward it again), with a new
 * status code (and reason) when given. 1 or -1. */
static int sl_forward_reply_f(vm_call *call)
{
	rt_msg *m = mod_core_msg(call, 0);
	rt_worker *w = rt_worker_of(call->ctx);
	int32_t code = 0;
	char buf[VM_INT_DEC_MAX];
	const char *reason = NULL;
	size_t rlen = 0;
	if (m == NULL || w == NULL)
		return -1;
	if (call->nargs > 0 && (mod_core_arg_int(call, 0, &code) < 0 || code < 100 || code > 699)) {
		vm_error(call->ctx, "sl_forward_reply: invalid reply code");
		return -1;
	}
	if (call->nargs > 1) {
		mod_core_arg_str(call, 1, buf, &reason, &rlen);
	} else if (code > 0) {
		/* the reply's own reason is kept */
		reason = m->reason.s;
		rlen = m->reason.len;
	}
	return rt_worker_forward_reply(w, m, code, reason, rlen) > 0 ? 1 : -1;
}

/* $ltt(x), $ltt(s): the stateless To-tag of the request (with no tm
 * transaction, x is s); $ltt(t): null (no transaction). */
static int sl_pv_ltt_parse(vm_pvspec *sp, const char *name, size_t len,
		const char **err)
{
	if (name == NULL || len != 1 || (name[0] != 'x' && name[0] != 's' &&
			name[0] != 't')) {
		*err = "unknown PV ltt key";
		return -1;
	}
	sp->id = name[0];
	return 0;
}

static int sl_pv_ltt_get(vm_ctx *c, const vm_pvspec *sp, vm_value *out)
{
	rt_msg *m = rt_msg_of(c);
	rt_worker *w = rt_worker_of(c);
	char *tag;

	*out = vm_null();
	if (sp->id == 't' || m == NULL || w == NULL)
		return 0;
	tag = vm_arena_alloc(&c->arena, SL_TAG_LEN);
	if (tag == NULL || sl_totag(m, &w->self, tag) < 0)
		return 0;
	*out = vm_str(tag, SL_TAG_LEN);
	return 0;
}

static const vm_fn_export mod_sl_fns[] = {
	/* name               n  routes                            kinds  fixup  impl */
	{ "sl_send_reply",    2, MOD_REQ,                          "is",  NULL,  sl_send_reply_f },
	{ "sl_reply",         2, MOD_REQ,                          "is",  NULL,  sl_send_reply_f },
	{ "send_reply",       2, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "is",  NULL,  sl_send_reply_f },
	{ "send_reply_mode",  3, MOD_REQ | MOD_FAIL | MOD_ONREPLY, "isi", NULL,  NULL },
	{ "sl_reply_error",   0, MOD_REQ,                          "",    NULL,  sl_reply_error_f },
	{ "sl_forward_reply", 0, MOD_ONREPLY,                      "",    NULL,  sl_forward_reply_f },
	{ "sl_forward_reply", 1, MOD_ONREPLY,                      "s",   NULL,  sl_forward_reply_f },
	{ "sl_forward_reply", 2, MOD_ONREPLY,                      "ss",  NULL,  sl_forward_reply_f },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

static const vm_param_export mod_sl_params[] = {
	{ "default_code",             VM_PARAM_INT, 0 },
	{ "default_reason",           VM_PARAM_STR, 0 },
	{ "bind_tm",                  VM_PARAM_INT, 0 },
	{ "rich_redirect",            VM_PARAM_INT, 0 },
	{ "event_callback_fl_ack",    VM_PARAM_STR, 0 },
	{ "event_callback_lres_sent", VM_PARAM_STR, 0 },
	{ NULL, 0, 0 }
};

static const vm_pv_export mod_sl_pvs[] = {
	{ "ltt", VM_PV_NAME, sl_pv_ltt_parse, sl_pv_ltt_get, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const char *const mod_sl_events[] = {
	"sl:filtered-ack",
	"sl:local-response",
	NULL
};

const vm_module mod_sl = {
	.name     = "sl",
	.fns      = mod_sl_fns,
	.params   = mod_sl_params,
	.pvs      = mod_sl_pvs,
	.trs      = mod_no_trs,
	.events   = mod_sl_events,
	.init     = sl_init,
	.ctx_init = sl_ctx_init,
	.ctx_free = sl_ctx_free,
};
