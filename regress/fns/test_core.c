/*
 * test_core.c — the core's actions and pseudo-variables, kex and corex
 * (TAP). Each function's implementation is called directly on a parsed
 * message; results are checked on the message (flags, R-URI, $du), on what
 * the send hook received (forward) and on the log lines. Expected values
 * were taken from Kamailio 5.6.3 (same messages, same calls).
 */
#include <unistd.h>

#include "fns.h"

static const char *const OPTIONS =
	"OPTIONS sip:alice@127.0.0.1:5060;transport=udp SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\n"
	"Max-Forwards: 70\n"
	"From: \"Bob\" <sip:bob@example.org>;tag=ft1\n"
	"To: <sip:alice@example.com>\n"
	"Call-ID: call-1@example.org\n"
	"CSeq: 10 OPTIONS\n"
	"Contact: <sip:bob@127.0.0.1:5080>\n"
	"Content-Length: 0\n"
	"\n";

static void test_flags(void)
{
	fns_msg(OPTIONS);
	ok(call("core", "isflagset", 1, "#1") == -1, "isflagset(1) on a new message is -1");
	ok(call("core", "setflag", 1, "#1") == 1, "setflag(1) returns 1");
	ok(call("core", "isflagset", 1, "#1") == 1, "isflagset(1) after setflag is 1");
	ok(call("core", "setflag", 1, "#31") == 1 && msg.flags == (2u | 0x80000000u),
			"setflag(31) sets the top bit of the message flags");
	ok(call("core", "resetflag", 1, "#1") == 1 && call("core", "isflagset", 1, "#1") == -1,
			"resetflag(1) clears it");
	log_clear();
	ok(call("core", "setflag", 1, "#32") < 0 && log_has("0..31"),
			"setflag(32) is refused with an error");
	ok(call("core", "setflag", 1, "3") == 1 && (msg.flags & 8u),
			"a flag given as the string \"3\" works");
	fns_msg(OPTIONS);
	ok(msg.flags == 0, "the next message starts without flags");
}

static void test_rewrite(void)
{
	fns_msg(OPTIONS);
	ok(call("core", "rewriteuser", 1, "carol") == 1 &&
			!strcmp(pv("$ru"), "sip:carol@127.0.0.1:5060;transport=udp"),
			"rewriteuser: %s", pv("$ru"));
	ok(call("core", "rewritehost", 1, "10.0.0.1") == 1 &&
			!strcmp(pv("$ru"), "sip:carol@10.0.0.1:5060;transport=udp"),
			"rewritehost keeps the port and parameters: %s", pv("$ru"));
	ok(call("core", "rewritehostport", 1, "10.0.0.2:5070") == 1 &&
			!strcmp(pv("$ru"), "sip:carol@10.0.0.2:5070;transport=udp"),
			"rewritehostport: %s", pv("$ru"));
	ok(call("core", "rewriteport", 1, "5090") == 1 &&
			!strcmp(pv("$ru"), "sip:carol@10.0.0.2:5090;transport=udp"),
			"rewriteport: %s", pv("$ru"));
	ok(call("core", "rewriteport", 1, "") == 1 &&
			!strcmp(pv("$ru"), "sip:carol@10.0.0.2;transport=udp"),
			"rewriteport(\"\") drops the port: %s", pv("$ru"));
	ok(call("core", "prefix", 1, "00") == 1 &&
			!strcmp(pv("$ru"), "sip:00carol@10.0.0.2;transport=udp"),
			"prefix: %s", pv("$ru"));
	ok(call("core", "strip", 1, "#3") == 1 &&
			!strcmp(pv("$ru"), "sip:arol@10.0.0.2;transport=udp"),
			"strip(3): %s", pv("$ru"));
	ok(call("core", "strip_tail", 1, "#2") == 1 &&
			!strcmp(pv("$ru"), "sip:ar@10.0.0.2;transport=udp"),
			"strip_tail(2): %s", pv("$ru"));
	log_clear();
	ok(call("core", "strip", 1, "#9") == 1 &&
			!strcmp(pv("$ru"), "sip:10.0.0.2;transport=udp") &&
			log_has("too long strip"),
			"strip past the user deletes it with a warning: %s", pv("$ru"));
	ok(call("core", "rewriteuserpass", 1, "u:pw") == 1 &&
			!strcmp(pv("$ru"), "sip:u:pw@10.0.0.2;transport=udp"),
			"rewriteuserpass: %s", pv("$ru"));
	ok(call("core", "rewriteuser", 1, "v") == 1 &&
			!strcmp(pv("$ru"), "sip:v:pw@10.0.0.2;transport=udp"),
			"rewriteuser keeps the password: %s", pv("$ru"));
	ok(call("core", "rewritehostporttrans", 1, "10.0.0.3:5061;transport=tcp") == 1 &&
			!strcmp(pv("$ru"), "sip:v:pw@10.0.0.3:5061;transport=tcp"),
			"rewritehostporttrans drops the old transport: %s", pv("$ru"));
	ok(call("core", "userphone", 0) == 1 &&
			!strcmp(pv("$ru"), "sip:v:pw@10.0.0.3:5061;transport=tcp;user=phone"),
			"userphone: %s", pv("$ru"));
	ok(call("core", "userphone", 0) == 1 &&
			!strcmp(pv("$ru"), "sip:v:pw@10.0.0.3:5061;transport=tcp;user=phone"),
			"userphone twice adds nothing: %s", pv("$ru"));
	ok(call("core", "revert_uri", 0) == 1 &&
			!strcmp(pv("$ru"), "sip:alice@127.0.0.1:5060;transport=udp"),
			"revert_uri: %s", pv("$ru"));
	ok(call("core", "seturi", 1, "sip:x@y.org?h=1") == 1 &&
			call("core", "sethost", 1, "z.org") == 1 &&
			!strcmp(pv("$ru"), "sip:x@z.org?h=1"),
			"seturi, then sethost keeps URI headers: %s", pv("$ru"));
	ok(call("core", "seturi", 1, "tel:+1234;ext=5") == 1 &&
			call("core", "setuser", 1, "+999") == 1 &&
			!strcmp(pv("$ru"), "tel:+999;ext=5"),
			"setuser on a tel: URI: %s", pv("$ru"));
	ok(call("core", "sethost", 1, "gw.org") == 1 &&
			!strcmp(pv("$ru"), "sip:+999;ext=5@gw.org;user=phone"),
			"sethost on a tel: URI makes a sip: URI with user=phone: %s", pv("$ru"));
	ok(call("core", "seturi", 1, "tel:+1") == 1 && call("core", "setport", 1, "5060") < 0,
			"setport on a tel: URI fails");
	ok(call("core", "seturi", 1, "garbage") == 1 && call("core", "setuser", 1, "a") < 0,
			"rewriting a bad R-URI fails");
}

static void test_log(void)
{
	fns_msg(OPTIONS);
	c->log_level = 4;
	ok(call("core", "log", 1, "plain $rU text\n") == 1 && nlog == 1 &&
			!strcmp(logs[0], "<script>: plain $rU text") && loglevel[0] == 4,
			"log(text) at L_DBG+1, not expanded, newline dropped");
	log_clear();
	c->log_level = VM_L_DBG;
	ok(call("core", "log", 1, "hidden") == 1 && nlog == 0,
			"log(text) is not printed with debug=3");
	ok(call("core", "log", 2, "#1", "core log\n") == 1 && nlog == 1 &&
			loglevel[0] == VM_L_NOTICE && !strcmp(logs[0], "<script>: core log"),
			"log(1, text) is a notice");
	log_clear();
	ok(call("core", "error", 2, "a", "b") == 1 &&
			log_has("error(\"a\", \"b\") not implemented yet"), "error() logs a notice");
}

static void test_exec(void)
{
	char path[64], cmd[128];
	snprintf(path, sizeof(path), "/tmp/fns-exec-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "echo hi > %s", path);
	unlink(path);
	ok(call("core", "exec", 1, cmd) == 1 && access(path, F_OK) == 0,
			"exec() runs the command");
	unlink(path);
	log_clear();
	ok(call("core", "exec", 1, "exit 3") == 1 && log_has("exec() returned"),
			"exec() returns 1 even when the command fails, with a notice");
}

static void test_flags_kex(void)
{
	mod_core_state *st;

	fns_msg(OPTIONS);
	st = mod_core_state_of(c);
	ok(call("kex", "issflagset", 1, "#5") == -1, "issflagset(5) is -1");
	ok(call("kex", "setsflag", 1, "#5") == 1 && call("kex", "issflagset", 1, "#5") == 1 &&
			st->sflags == 32u, "setsflag(5)");
	ok(call("kex", "resetsflag", 1, "#5") == 1 && st->sflags == 0, "resetsflag(5)");
	ok(call("kex", "setsflag", 1, "#40") == -1, "setsflag(40) is -1");
	ok(call("kex", "setbflag", 1, "#3") == 1 && call("kex", "isbflagset", 1, "#3") == 1 &&
			st->bflags == 8u, "setbflag(3) on branch 0");
	ok(call("kex", "isbflagset", 2, "#3", "#0") == 1, "isbflagset(3, 0)");
	ok(call("kex", "setbflag", 2, "#1", "#3") == -1, "setbflag on branch 3 (none) is -1");
	ok(call("kex", "setbflag", 1, "#40") == -1, "setbflag(40) is -1");
	ok(call("kex", "resetbflag", 1, "#3") == 1 && st->bflags == 0, "resetbflag(3)");
	call("kex", "setsflag", 1, "#1");
	call("kex", "setbflag", 1, "#1");
	fns_msg(OPTIONS);
	ok(st->sflags == 0 && st->bflags == 0, "script and branch flags end with the message");

	ok(call("corex", "setxflag", 1, "#40") == 1 && call("corex", "isxflagset", 1, "#40") == 1 &&
			call("corex", "isxflagset", 1, "#39") == -1, "setxflag(40)");
	ok(call("corex", "resetxflag", 1, "#40") == 1 && call("corex", "isxflagset", 1, "#40") == -1,
			"resetxflag(40)");
	ok(call("corex", "setxflag", 1, "#64") == -1, "setxflag(64) is refused");
	ok(call("corex", "is_faked_msg", 0) == -1, "is_faked_msg() is -1");
}

static void test_dsturi_printf(void)
{
	fns_msg(OPTIONS);
	ok(call("kex", "isdsturiset", 0) == -1, "isdsturiset() without $du");
	ok(call("kex", "setdsturi", 1, "sip:10.1.1.1:5070") == 1 &&
			!strcmp(pv("$du"), "sip:10.1.1.1:5070") && call("kex", "isdsturiset", 0) == 1,
			"setdsturi");
	ok(call("kex", "resetdsturi", 0) == 1 && call("kex", "isdsturiset", 0) == -1 &&
			!strcmp(pv("$du"), "<null>"), "resetdsturi");
	ok(call("kex", "pv_printf", 2, "$var(x)", "from bob") == 1 &&
			!strcmp(pv("$var(x)"), "from bob"), "pv_printf into $var(x): %s", pv("$var(x)"));
	ok(call("kex", "pv_printf", 2, "$ru", "sip:zed@h.org") == 1 &&
			!strcmp(pv("$ru"), "sip:zed@h.org"), "pv_printf into $ru: %s", pv("$ru"));
	ok(call("kex", "pv_printf", 2, "$rm", "X") == -1, "pv_printf into a read-only PV fails");
	ok(call("kex", "is_myself", 1, "sip:127.0.0.1:5060") == 1 &&
			call("kex", "is_myself", 1, "sip:10.9.9.9") == -1, "is_myself asks the worker");
	ok(call("kex", "setdebug", 1, "#1") == 1 && c->log_level == 1 &&
			call("kex", "resetdebug", 0) == 1 && c->log_level == VM_L_DBG,
			"setdebug / resetdebug");
}

static void test_pvs(void)
{
	fns_msg(OPTIONS);
	c->rc = -7;
	ok(!strcmp(pv("$rc"), "-7") && !strcmp(pv("$retcode"), "-7") && !strcmp(pv("$?"), "-7"),
			"$rc, $retcode, $? read the last return code");
	ok(!strcmp(pv("$null"), "<null>"), "$null is null");
	setenv("FNS_A", "12", 1);
	setenv("FNS_B", "abc", 1);
	unsetenv("FNS_NONE");
	ok(!strcmp(pv("$env(FNS_A)"), "12") && !strcmp(pv("$env(FNS_NONE)"), "<null>"),
			"$env");
	{
		vm_pvspec *sp;
		vm_value v;
		char err[128];
		vm_pv_parse(lp, "$envn(FNS_A)", 12, &sp, err, sizeof(err));
		vm_pv_get(c, sp, &v);
		ok(v.kind == VM_INT && v.i == 12, "$envn(FNS_A) is the int 12");
		vm_pvspec_free(sp);
		vm_pv_parse(lp, "$envn(FNS_B)", 12, &sp, err, sizeof(err));
		vm_pv_get(c, sp, &v);
		ok(v.kind == VM_INT && v.i == 0 && (v.flags & VM_VAL_BOTH) && v.len == 3,
				"$envn(FNS_B) is 0 with the text abc");
		vm_pvspec_free(sp);
		vm_pv_parse(lp, "$defn(NOPE)", 11, &sp, err, sizeof(err));
		vm_pv_get(c, sp, &v);
		ok(v.kind == VM_INT && v.i == 0, "$defn of an unknown define is 0");
		vm_pvspec_free(sp);
	}
	ok(!strcmp(pv("$def(NOPE)"), "<null>"), "$def of an unknown define is null");
}

static void test_forward(void)
{
	fns_msg(OPTIONS);
	ok(call("core", "forward", 2, "127.0.0.1", "#5090") == 1 && nsent == 1,
			"forward(ip, port) sends");
	ok(nsent == 1 && !strcmp(sent[0].what, "request") && !strcmp(sent[0].dst.ip, "127.0.0.1") &&
			sent[0].dst.port == 5090 && sent[0].dst.proto == RT_PROTO_UDP,
			"to 127.0.0.1:5090 over UDP");
	/* Kamailio 5.6.3's branch for this request */
	ok(sent_has(0, "Via: SIP/2.0/UDP 127.0.0.1;branch="
			"z9hG4bK252d.aaaf2cdf5e29e158d83d527092e43f2a.0\r\n"),
			"the Via and branch Kamailio 5.6.3 sends");
	ok(w.sent_requests == 1, "the worker counts it");

	fns_msg(OPTIONS);
	call("kex", "setdsturi", 1, "sip:127.0.0.2:5092;transport=tcp");
	ok(call("core", "forward", 0) == 1 && nsent == 1 && !strcmp(sent[0].dst.ip, "127.0.0.2") &&
			sent[0].dst.port == 5092 && sent[0].dst.proto == RT_PROTO_TCP &&
			sent_has(0, "Via: SIP/2.0/TCP "), "forward() goes to $du, its transport");
	fns_msg(OPTIONS);
	ok(call("core", "forward", 0) == 1 && nsent == 1 && sent[0].dst.port == 5060 &&
			!strcmp(sent[0].dst.ip, "127.0.0.1"), "forward() without $du goes to the R-URI");
	fns_msg(OPTIONS);
	ok(call("core", "forward_tcp", 2, "10.0.0.1", "#5070") == 1 && nsent == 1 &&
			sent[0].dst.proto == RT_PROTO_TCP, "forward_tcp forces TCP");
	fns_msg(OPTIONS);
	call("core", "rewritehost", 1, "example.com");
	log_clear();
	ok(call("core", "forward", 0) == -1 && nsent == 0 && log_has("names are not looked up here"),
			"a host name without a resolver is an error");
	fns_msg(OPTIONS);
	ok(call("core", "forward", 2, "[::1]", "#5090") == 1 && nsent == 1 &&
			sent[0].dst.af == 6 && !strcmp(sent[0].dst.ip, "::1"), "forward to IPv6");
	fns_msg(OPTIONS);
	send_fails = 1;
	ok(call("core", "forward", 2, "127.0.0.1", "#5090") == -1, "a failing send is -1");
	send_fails = 0;
	fns_msg(OPTIONS);
	ok(call("core", "force_rport", 0) == 1 && msg.force_rport == 1, "force_rport");
	ok(call("core", "set_reply_close", 0) == 1 && call("core", "set_forward_no_connect", 0) == 1 &&
			mod_core_state_of(c)->send_flags ==
			(MOD_SEND_REPLY_CLOSE | MOD_SEND_FWD_NOCONNECT),
			"set_reply_close, set_forward_no_connect");
}

/* Edits, then forward(): the bytes Kamailio 5.6.3 sent for the same
 * message and the same calls (captured on 127.0.0.1:5090). */
static void test_forward_edits(void)
{
	static const char *const want1 =
		"MESSAGE sip:alice@127.0.0.1:5060;transport=udp SIP/2.0\r\n"
		"X-C: 3\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK252d.aaaf2cdf5e29e158d83d527092e43f2a.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\r\n"
		"Max-Forwards:  8\r\n"
		"From: \"Bob\" <sip:bob@example.org>;tag=ft1\r\n"
		"To: <sip:alice@example.com>\r\n"
		"X-D: 4\r\n"
		"Call-ID: call-1@example.org\r\n"
		"X-B: 2\r\n"
		"CSeq: 10 MESSAGE\r\n"
		"Content-Length: 0\r\n"
		"X-A: 1\r\n"
		"\r\n";
	static const char *const want2 =
		"INVITE sip:+4912345@gw.org SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1baf.3590b9fd538e65f625ae7e9607a70079.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5080;received=127.0.0.1;rport=5080;branch=z9hG4bK-inv-1\r\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-older\r\n"
		"Max-Forwards: 70\r\n"
		"f: <sip:bob@+4912345>;tag=ft4\r\n"
		"To: <sip:alice@example.com>;tag=new\r\n"
		"Call-ID: call-4@+4912345\r\n"
		"CSeq: 1 INVITE\r\n"
		"Privacy: id; header\r\n"
		"Authorization: Digest username=\"bob\", realm=\"x\"\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: 25\r\n"
		"X-A: 1\r\n"
		"X-E: 5\r\n"
		"\r\n"
		"v=0\r\n"
		"o=bob 1 1 IN IP4 x\r\n";
	static const char *const want3 =
		"OPTIONS sip:alice@127.0.0.1:5060;transport=udp SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK252d.aaaf2cdf5e29e158d83d527092e43f2a.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Bob\" <sip:bob@example.org>;tag=ft1\r\n"
		"To: <sip:alice@example.com>\r\n"
		"Call-ID: call-1@example.org\r\n"
		"CSeq: 10 OPTIONS\r\n"
		"Contact: <sip:bob@127.0.0.1:5080>\r\n"
		"Content-Length: 5\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"hello";
	int r[8];

	fns_msg("MESSAGE sip:alice@127.0.0.1:5060;transport=udp SIP/2.0\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\n"
		"Max-Forwards: 10\n"
		"From: \"Bob\" <sip:bob@example.org>;tag=ft1\n"
		"To: <sip:alice@example.com>\n"
		"Call-ID: call-1@example.org\n"
		"CSeq: 10 MESSAGE\n"
		"Contact: <sip:bob@127.0.0.1:5080>\n"
		"Content-Length: 0\n"
		"\n");
	r[0] = call("maxfwd", "mf_process_maxfwd_header", 1, "10");
	r[1] = call("maxfwd", "mf_process_maxfwd_header", 1, "10");
	r[2] = call("textops", "append_hf", 1, "X-A: 1\r\n");
	r[3] = call("textops", "append_hf", 2, "X-B: 2\r\n", "Call-ID");
	r[4] = call("textops", "insert_hf", 1, "X-C: 3\r\n");
	r[5] = call("textops", "insert_hf", 2, "X-D: 4\r\n", "Call-ID");
	r[6] = call("textops", "remove_hf", 1, "Contact");
	r[7] = call("core", "forward", 2, "127.0.0.1", "#5090");
	ok(r[0] == 1 && r[1] == 1 && r[2] == 1 && r[3] == 1 && r[4] == 1 && r[5] == 1 &&
			r[6] == 1 && r[7] == 1, "maxfwd twice, headers added and removed, forward");
	ok(nsent == 1 && !strcmp(sent[0].buf, want1), "the bytes Kamailio sent (headers)");

	fns_msg("INVITE sip:+4912345@127.0.0.1;user=phone;nat SIP/2.0\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5080;rport;branch=z9hG4bK-inv-1\n"
		"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-older\n"
		"Max-Forwards: 70\n"
		"f: <sip:bob@example.org>;tag=ft4\n"
		"To: <sip:alice@example.com>;tag=tt4\n"
		"Call-ID: call-4@example.org\n"
		"CSeq: 1 INVITE\n"
		"Privacy: id; header\n"
		"Authorization: Digest username=\"bob\", realm=\"x\"\n"
		"X-Custom: one\n"
		"X-Custom: two\n"
		"Content-Type: application/sdp\n"
		"Content-Length: 27\n"
		"\n"
		"v=0\n"
		"o=alice 1 1 IN IP4 x\n");
	r[0] = call("textops", "append_hf", 1, "X-A: 1\r\n") == 1 &&
		call("textops", "append_hf", 2, "X-E: 5\r\n", "X-Nope") == 1;
	r[1] = call("textops", "subst", 1, "/(tag=)tt4/\\1new/") == 1 &&
		call("textops", "subst", 1, "/EXAMPLE\\.ORG/$rU/ig") == 1;
	r[2] = call("textops", "remove_hf_exp", 2, "^(x-custom|to)$", "^to$") == 1;
	r[3] = call("textops", "subst_uri", 1, "/^sip:\\+49([0-9]+)@.*$/sip:0\\1@gw.org/") == 1 &&
		call("textops", "subst_user", 1, "/^0/+49/") == 1;
	r[4] = call("textops", "subst_body", 1, "/o=alice/o=bob/") == 1;
	r[5] = call("core", "forward", 2, "127.0.0.1", "#5090") == 1;
	ok(r[0] && r[1] && r[2] && r[3] && r[4] && r[5], "subst family, then forward");
	ok(nsent == 1 && !strcmp(sent[0].buf, want2), "the bytes Kamailio sent (subst, body)");

	fns_msg(OPTIONS);
	ok(call("textops", "set_body", 2, "hello", "text/plain") == 1 &&
			call("core", "forward", 2, "127.0.0.1", "#5090") == 1 &&
			nsent == 1 && !strcmp(sent[0].buf, want3), "set_body, then forward: Kamailio's bytes");
}

static void test_files(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/fns-file-%d", (int)getpid());
	fns_msg(OPTIONS);
	ok(call("corex", "file_write", 2, path, "line one\nline two") == 1, "file_write");
	ok(call("corex", "file_read", 2, path, "$var(f)") == 1 &&
			!strcmp(pv("$var(f)"), "line one\nline two"), "file_read reads it back");
	unlink(path);
	ok(call("corex", "file_read", 2, path, "$var(f)") == -1, "file_read of a missing file");
}

int main(void)
{
	fns_setup(7, NULL);
	test_flags();
	test_rewrite();
	test_log();
	test_exec();
	test_flags_kex();
	test_dsturi_printf();
	test_pvs();
	test_forward();
	test_forward_edits();
	test_files();
	fns_teardown();
	return tap_done();
}
