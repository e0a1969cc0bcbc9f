/*
 * test_sl.c — stateless replies (sl), options_reply (siputils) and
 * Max-Forwards (maxfwd) (TAP). The replies the send hook receives are
 * compared with what Kamailio 5.6.3 sent for the same requests from
 * 127.0.0.1:5080 to a server listening on 127.0.0.1:5060: status lines,
 * To-tags (Kamailio's algorithm gives the same tag for the same address),
 * destinations, headers added by append_to_reply and set_reply_body.
 */
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

/* To the server itself (no user), top Via without port. */
static const char *const OPTIONS_SELF =
	"OPTIONS sip:127.0.0.1:5060 SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-xyz-2\n"
	"Max-Forwards: 70\n"
	"From: <sip:bob@example.org>;tag=ft2\n"
	"To: <sip:127.0.0.1>\n"
	"Call-ID: call-2@example.org\n"
	"CSeq: 1 OPTIONS\n"
	"Content-Length: 0\n"
	"\n";

static const char *const INVITE =
	"INVITE sip:alice@127.0.0.1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-inv-1\n"
	"Max-Forwards: 10\n"
	"From: <sip:bob@example.org>;tag=ft4\n"
	"To: <sip:alice@example.com>;tag=tt4\n"
	"Call-ID: call-4@example.org\n"
	"CSeq: 1 INVITE\n"
	"Content-Type: application/sdp\n"
	"Content-Length: 4\n"
	"\n"
	"v=0\n";

static const char *const ACK =
	"ACK sip:alice@127.0.0.1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5080;rport;branch=z9hG4bK-ack-1\n"
	"Max-Forwards: 70\n"
	"From: <sip:bob@example.org>;tag=ft3\n"
	"To: <sip:alice@example.com>\n"
	"Call-ID: call-3@example.org\n"
	"CSeq: 1 ACK\n"
	"Content-Length: 0\n"
	"\n";

static const char *const NO_MAXFWD =
	"MESSAGE sip:alice@127.0.0.1 SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-m-1\n"
	"From: <sip:bob@example.org>;tag=ft5\n"
	"To: <sip:alice@example.com>\n"
	"Call-ID: call-5@example.org\n"
	"CSeq: 1 MESSAGE\n"
	"Content-Length: 0\n"
	"\n";

/* The status line of sent message i. */
static int status_is(int i, const char *line)
{
	size_t n = strlen(line);
	return i < nsent && strncmp(sent[i].buf, line, n) == 0 &&
		sent[i].buf[n] == '\r';
}

static void test_sl_basic(void)
{
	fns_msg(OPTIONS);
	ok(call("sl", "sl_send_reply", 2, "404", "Not Here") == 1 && nsent == 1 &&
			!strcmp(sent[0].what, "reply"), "sl_send_reply sends a reply");
	ok(status_is(0, "SIP/2.0 404 Not Here"), "status line");
	ok(sent_has(0, "To: <sip:alice@example.com>;tag="
			"9dd61ff61e802d8e2bef5f14621ef3c2.600aa32b\r\n"),
			"the To-tag Kamailio 5.6.3 gives this request");
	ok(sent_has(0, "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\r\n"),
			"the Via is copied");
	ok(sent_has(0, "\r\nServer: sipvm-test\r\n"), "the worker's Server header");
	ok(!strcmp(sent[0].dst.ip, "127.0.0.1") && sent[0].dst.port == 5080 &&
			sent[0].dst.proto == RT_PROTO_UDP, "back to the Via's port");
	ok(w.sent_replies == 1, "the worker counts the reply");

	ok(call("sl", "sl_send_reply", 2, "#100", "Trying") == 1 && nsent == 2 &&
			status_is(1, "SIP/2.0 100 Trying") &&
			sent_has(1, "To: <sip:alice@example.com>\r\n"), "no To-tag below 180");
	ok(call("sl", "sl_send_reply", 2, "#180", "Ringing") == 1 &&
			sent_has(2, "To: <sip:alice@example.com>;tag=9dd61ff6"), "a To-tag from 180");
	ok(call("sl", "sl_reply", 2, "#486", "Busy") == 1 && status_is(3, "SIP/2.0 486 Busy"),
			"sl_reply");
	ok(call("sl", "send_reply", 2, "#487", "Gone") == 1 && status_is(4, "SIP/2.0 487 Gone"),
			"send_reply outside a transaction is stateless");
	ok(!strcmp(pv("$ltt(s)"), "9dd61ff61e802d8e2bef5f14621ef3c2.600aa32b") &&
			!strcmp(pv("$ltt(x)"), pv("$ltt(s)")) && !strcmp(pv("$ltt(t)"), "<null>"),
			"$ltt(s), $ltt(x), $ltt(t)");
}

static void test_sl_more(void)
{
	/* a Via without port: the tag's CRC ends at the missing part, as in
	 * 5.6.3; the reply goes to port 5060 */
	fns_msg(OPTIONS_SELF);
	ok(!strcmp(pv("$ltt(s)"), "9dd61ff61e802d8e2bef5f14621ef3c2.78550000"),
			"To-tag for a Via without port: %s", pv("$ltt(s)"));
	ok(call("sl", "sl_send_reply", 2, "#200", "OK") == 1 && sent[0].dst.port == 5060,
			"a reply to a Via without port goes to 5060");

	/* ;rport: back to the source port, with rport= and received= */
	fns_msg(INVITE);
	ok(call("sl", "sl_send_reply", 2, "#603", "Decline") == 1 && sent[0].dst.port == 5080,
			"with ;rport the reply goes to the source port");
	ok(sent_has(0, "Via: SIP/2.0/UDP 127.0.0.1:5999;rport=5080;branch=z9hG4bK-inv-1;"
			"received=127.0.0.1\r\n"), "the Via gets rport= and received=");
	ok(sent_has(0, "To: <sip:alice@example.com>;tag=tt4\r\n"), "an existing To-tag stays");

	/* a redirect lists the new R-URI as Contact */
	fns_msg(INVITE);
	call("core", "rewriteuser", 1, "carol");
	call("core", "rewritehostport", 1, "10.0.0.1:5070");
	ok(call("sl", "sl_send_reply", 2, "#302", "Moved") == 1 &&
			sent_has(0, "\r\nContact: <sip:carol@10.0.0.1:5070>\r\n"),
			"302 carries Contact: <new R-URI>");
	fns_msg(INVITE);
	ok(call("sl", "sl_send_reply", 2, "#301", "Moved") == 1 && !sent_has(0, "Contact:"),
			"no Contact when the R-URI did not change");

	/* force_rport() */
	fns_msg(OPTIONS);
	call("core", "force_rport", 0);
	msg.src.port = 6000;
	ok(call("sl", "sl_send_reply", 2, "#404", "x") == 1 && sent[0].dst.port == 6000,
			"force_rport(): to the source port");

	/* ACK is never answered */
	fns_msg(ACK);
	ok(call("sl", "sl_send_reply", 2, "404", "Nope") == -1 && nsent == 0,
			"an ACK gets no reply: -1");

	/* default code and reason */
	fns_msg(OPTIONS);
	ok(call("sl", "sl_send_reply", 2, "abc", "Bad code") == 1 &&
			status_is(0, "SIP/2.0 500 Bad code"), "a code that is not a number: 500");
	ok(call("sl", "sl_send_reply", 2, "#404", "~") == 1 &&
			status_is(1, "SIP/2.0 404 Internal Server Error"), "no reason: the default one");
	ok(call("sl", "sl_send_reply", 2, "#1000", "Huge") == -1 && nsent == 2,
			"a code above 699 is refused");
	send_fails = 1;
	ok(call("sl", "sl_send_reply", 2, "#404", "x") == -1, "a failing send is -1");
	send_fails = 0;
	log_clear();
	ok(call("sl", "sl_reply_error", 0) == 1 &&
			status_is(2, "SIP/2.0 500 I'm terribly sorry, server error occurred (1/SL)") &&
			log_has("stateless error reply used"), "sl_reply_error");

	/* the default code and reason parameters */
	fns_teardown();
	fns_setup(1, "sl", "default_code", "#480", "sl", "default_reason", "Away", NULL);
	fns_msg(OPTIONS);
	ok(call("sl", "sl_send_reply", 2, "x", "~") == 1 && status_is(0, "SIP/2.0 480 Away"),
			"modparam default_code / default_reason");
}

static void test_reply_lumps(void)
{
	fns_msg(OPTIONS_SELF);
	ok(call("textops", "append_to_reply", 1, "X-Hello: 1\r\n") == 1, "append_to_reply");
	ok(call("textops", "set_reply_body", 2, "hello body", "text/plain") == 1, "set_reply_body");
	ok(call("siputils", "options_reply", 0) == 1 && nsent == 1, "options_reply answers");
	ok(status_is(0, "SIP/2.0 200 OK") &&
			sent_has(0, "CSeq: 1 OPTIONS\r\nX-Hello: 1\r\nContent-Type: text/plain\r\n"
			"Accept: */*\r\nAccept-Encoding: \r\nAccept-Language: en\r\nSupported: \r\n"),
			"with the queued headers, then Accept ... Supported, in Kamailio's order");
	ok(sent_has(0, "Content-Length: 10\r\n\r\nhello body"), "and the body");
	ok(sent_has(0, ";tag=9dd61ff61e802d8e2bef5f14621ef3c2.78550000\r\n"), "and a To-tag");

	fns_msg(OPTIONS_SELF);
	ok(call("sl", "sl_send_reply", 2, "#200", "OK") == 1 && !sent_has(0, "X-Hello") &&
			sent_has(0, "Content-Length: 0\r\n"), "reply headers and body end with the message");

	fns_msg(OPTIONS);
	log_clear();
	ok(call("siputils", "options_reply", 0) == -1 && nsent == 0 && log_has("username"),
			"options_reply refuses an R-URI with a user");
	fns_msg(INVITE);
	ok(call("siputils", "options_reply", 0) == -1 && nsent == 0,
			"options_reply refuses other methods");

	fns_teardown();
	fns_setup(1, "siputils", "options_accept", "application/sdp",
			"siputils", "options_support", "100rel", NULL);
	fns_msg(OPTIONS_SELF);
	ok(call("siputils", "options_reply", 0) == 1 &&
			sent_has(0, "Accept: application/sdp\r\n") && sent_has(0, "Supported: 100rel\r\n"),
			"options_accept / options_support parameters");
}

static void test_maxfwd(void)
{
	fns_msg(INVITE);
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "10") == 1, "Max-Forwards 10: 1");
	ok(strstr(applied(), "\r\nMax-Forwards:  9\r\n") != NULL && msg.lumps == NULL,
			"decremented in place, padded to the same width, no lump");
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "10") == 1 &&
			strstr(applied(), "\r\nMax-Forwards:  8\r\n") != NULL,
			"a second call goes on from the first (8)");
	ok(call("maxfwd", "is_maxfwd_lt", 1, "#9") == 1 && call("maxfwd", "is_maxfwd_lt", 1, "#8") == -1,
			"is_maxfwd_lt sees the decremented value");
	ok(!strcmp(pv("$hdr(Max-Forwards)"), " 8"),
			"$hdr reads the new value (rewritten in place, as Kamailio): %s",
			pv("$hdr(Max-Forwards)"));

	fns_msg(OPTIONS);
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#10") == 1 &&
			strstr(applied(), "\r\nMax-Forwards: 69\r\n") != NULL, "70 becomes 69");
	fns_teardown();
	fns_setup(1, "maxfwd", "max_limit", "#16", NULL);
	fns_msg(OPTIONS);
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#10") == 1 &&
			strstr(applied(), "\r\nMax-Forwards: 16\r\n") != NULL,
			"above max_limit (16) the value is lowered to it");

	fns_msg(NO_MAXFWD);
	ok(call("maxfwd", "is_maxfwd_lt", 1, "#5") == -2, "is_maxfwd_lt without the header: -2");
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#10") == 2, "absent: 2");
	ok(strstr(applied(), " SIP/2.0\r\nMax-Forwards: 10\r\nVia: ") != NULL,
			"the header is added before the first one");

	fns_msg("MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\n"
			"Max-Forwards: 0\nFrom: <sip:b@c>;tag=1\nTo: <sip:a@b>\nCall-ID: x\n"
			"CSeq: 1 MESSAGE\nContent-Length: 0\n\n");
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#10") == -1, "value 0: -1");
	ok(call("maxfwd", "is_maxfwd_lt", 1, "#1") == 1, "is_maxfwd_lt(1) with 0: 1");

	fns_msg("MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\n"
			"Max-Forwards: abc\nFrom: <sip:b@c>;tag=1\nTo: <sip:a@b>\nCall-ID: x\n"
			"CSeq: 1 MESSAGE\nContent-Length: 0\n\n");
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#10") == -2, "a bad value: -2");
	ok(call("maxfwd", "is_maxfwd_lt", 1, "#10") == -3, "is_maxfwd_lt with a bad value: -3");
	ok(call("maxfwd", "mf_process_maxfwd_header", 1, "#300") == -1, "a limit above 255: -1");
}

int main(void)
{
	fns_setup(1, NULL);
	test_sl_basic();
	test_sl_more();
	test_reply_lumps();
	test_maxfwd();
	fns_teardown();
	return tap_done();
}
