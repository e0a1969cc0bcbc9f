/*
 * test_textops.c — textops, xlog and the checks of siputils (TAP). Edits
 * are checked on the message as it would be sent (rt_build_applied), log
 * lines through the ctx's log hook. Return codes and edited bytes are
 * Kamailio 5.6.3's for the same calls on the same messages.
 */
#include "fns.h"

static const char *const MESSAGE =
	"MESSAGE sip:alice@127.0.0.1:5060;transport=udp SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-abc-1\n"
	"Max-Forwards: 10\n"
	"From: \"Bob\" <sip:bob@example.org>;tag=ft1\n"
	"To: <sip:alice@example.com>\n"
	"Call-ID: call-1@example.org\n"
	"CSeq: 10 MESSAGE\n"
	"Contact: <sip:bob@127.0.0.1:5080>\n"
	"Content-Length: 0\n"
	"\n";

static const char *const INVITE =
	"INVITE sip:+4912345@127.0.0.1;user=phone;nat SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-inv-1\n"
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
	"v=0\no=alice 1 1 IN IP4 x\n";

static void test_headers(void)
{
	const char *a;

	fns_msg(MESSAGE);
	ok(call("textops", "append_hf", 1, "X-A: 1\r\n") == 1, "append_hf");
	ok(call("textops", "append_hf", 2, "X-B: 2\r\n", "Call-ID") == 1, "append_hf after Call-ID");
	ok(call("textops", "insert_hf", 1, "X-C: 3\r\n") == 1, "insert_hf");
	ok(call("textops", "insert_hf", 2, "X-D: 4\r\n", "Call-ID") == 1, "insert_hf before Call-ID");
	ok(call("textops", "remove_hf", 1, "Contact") == 1, "remove_hf(Contact): 1");
	ok(call("textops", "remove_hf", 1, "Contact") == 1, "remove_hf(Contact) again: 1");
	ok(call("textops", "remove_hf", 1, "X-None") == -1, "remove_hf of an absent header: -1");
	ok(call("textops", "append_hf", 1, "") == -1, "append_hf of nothing: -1");
	a = applied();
	ok(strstr(a, " SIP/2.0\r\nX-C: 3\r\nVia: ") != NULL, "X-C before the first header");
	ok(strstr(a, "To: <sip:alice@example.com>\r\nX-D: 4\r\nCall-ID: call-1@example.org\r\n"
			"X-B: 2\r\nCSeq: 10 MESSAGE\r\n") != NULL, "X-D before and X-B after Call-ID");
	ok(strstr(a, "Content-Length: 0\r\nX-A: 1\r\n\r\n") != NULL, "X-A after the last header");
	ok(strstr(a, "Contact:") == NULL, "Contact removed");
	ok(call("textops", "is_present_hf", 1, "X-A") == -1,
			"is_present_hf does not see an appended header");
	ok(call("textops", "is_present_hf", 1, "Contact") == 1,
			"is_present_hf still sees a removed one (received message)");
	ok(call("textops", "append_hf", 2, "X-E: 5\r\n", "X-Nope") == 1 &&
			strstr(applied(), "X-A: 1\r\nX-E: 5\r\n\r\n") != NULL,
			"append_hf after a missing header appends at the end");

	fns_msg(INVITE);
	ok(call("textops", "is_present_hf", 1, "From") == 1, "is_present_hf(From) finds f:");
	ok(call("textops", "is_present_hf", 1, "x-custom") == 1, "names are case-insensitive");
	ok(call("textops", "is_present_hf_re", 1, "^x-cus") == 1 &&
			call("textops", "is_present_hf_re", 1, "^Y-") == -1, "is_present_hf_re");
	ok(call("textops", "remove_hf", 1, "X-Custom") == 1 &&
			strstr(applied(), "X-Custom") == NULL, "remove_hf removes every X-Custom");
	ok(call("textops", "remove_hf_re", 1, "^(privacy|authorization)$") == 1 &&
			strstr(applied(), "Privacy") == NULL && strstr(applied(), "Authorization") == NULL,
			"remove_hf_re");
	ok(call("textops", "remove_hf_exp", 2, "^(via|to)$", "^via$") == 1 &&
			strstr(applied(), "\r\nTo:") == NULL && strstr(applied(), "Via: SIP") != NULL,
			"remove_hf_exp keeps what the second regex matches");
	ok(call("textops", "search_hf", 3, "Via", "10\\.0\\.0\\.9", "") == 1 &&
			call("textops", "search_hf", 3, "Via", "10\\.0\\.0\\.9", "f") == -1 &&
			call("textops", "search_hf", 3, "Via", "10\\.0\\.0\\.9", "l") == 1,
			"search_hf any / first / last");
	{
		regex_t re;
		void *fix[3] = { NULL, &re, NULL };
		regcomp(&re, "rport", REG_EXTENDED | REG_ICASE | REG_NEWLINE);
		ok(callfix("textops", "search_hf", fix, 3, "Via", "(ignored)", "f") == 1,
				"search_hf with a prepared regex");
		regfree(&re);
	}
}

static void test_search_replace(void)
{
	fns_msg(INVITE);
	ok(call("textops", "search", 1, "^INVITE") == 1, "search sees the first line");
	ok(call("textops", "search", 1, "^BYE") == -1, "search: no match");
	ok(call("textops", "search", 1, "((") == -1, "search with a bad regex: -1");
	ok(call("textops", "search_body", 1, "o=alice") == 1 &&
			call("textops", "search_body", 1, "INVITE") == -1, "search_body");
	{
		regex_t re;
		void *fix[1] = { &re };
		regcomp(&re, "call-4@", REG_EXTENDED | REG_ICASE | REG_NEWLINE);
		ok(callfix("textops", "search", fix, 1, "(ignored)") == 1,
				"search with a prepared regex");
		regfree(&re);
	}
	ok(call("textops", "replace", 2, "tag=tt4", "tag=zz9") == 1 &&
			strstr(applied(), "To: <sip:alice@example.com>;tag=zz9\r\n") != NULL,
			"replace");
	ok(call("textops", "replace", 2, "^INVITE", "BYE") == -1,
			"replace does not look at the first line");
	ok(call("textops", "search_append", 2, "Call-ID: call-4", "-x") == 1 &&
			strstr(applied(), "Call-ID: call-4-x@example.org") != NULL, "search_append");

	fns_msg(INVITE);
	ok(call("textops", "replace_all", 2, "example", "EX") == 1, "replace_all");
	ok(strstr(applied(), "sip:bob@EX.org") && strstr(applied(), "sip:alice@EX.com") &&
			strstr(applied(), "call-4@EX.org"), "replace_all replaced every one");
	ok(call("textops", "replace_all", 2, "x*", "y") == -1, "replace_all with an empty match: -1");

	fns_msg(INVITE);
	ok(call("textops", "replace_body", 2, "alice", "carol") == 1 &&
			strstr(applied(), "o=carol 1 1") != NULL, "replace_body");
	ok(call("textops", "replace_body_all", 2, "1", "2") == 1 &&
			strstr(applied(), "o=carol 2 2") != NULL, "replace_body_all");
	ok(call("textops", "search_append_body", 2, "v=0", "\r\ns=-") == 1 &&
			strstr(applied(), "v=0\r\ns=-\r\no=") != NULL, "search_append_body");

	fns_msg(MESSAGE);
	ok(call("textops", "search_body", 1, ".") == -1 && call("textops", "replace_body", 2, "a", "b") == -1,
			"body functions without a body: -1");
}

static void test_subst(void)
{
	fns_msg(INVITE);
	ok(call("textops", "subst", 1, "/(tag=)tt4/\\1new/") == 1 &&
			strstr(applied(), ";tag=new\r\n") != NULL, "subst with a back-reference");
	ok(call("textops", "subst", 1, "/^INVITE/X/") == -1, "subst skips the first line");
	ok(call("textops", "subst", 1, "/EXAMPLE\\.ORG/$rU/ig") == 1 &&
			strstr(applied(), "sip:bob@+4912345>;tag=ft4") != NULL &&
			strstr(applied(), "call-4@+4912345\r\n") != NULL,
			"subst /ig with a PV in the replacement");
	ok(call("textops", "subst", 1, "/zzz/y/") == -1, "subst without match: -1");
	log_clear();
	ok(call("textops", "subst", 1, "/abc/d/q") == -1 && log_has("unknown flag"),
			"a bad flag is an error");
	ok(call("textops", "subst", 1, "/abc") == -1, "a missing separator is an error");

	fns_msg(INVITE);
	ok(call("textops", "subst_uri", 1, "/^sip:\\+49([0-9]+)@.*$/sip:0\\1@gw.org/") == 1 &&
			!strcmp(pv("$ru"), "sip:012345@gw.org"), "subst_uri: %s", pv("$ru"));
	ok(call("textops", "subst_user", 1, "/^0/+49/") == 1 &&
			!strcmp(pv("$ru"), "sip:+4912345@gw.org"), "subst_user: %s", pv("$ru"));
	ok(call("textops", "subst_uri", 1, "/nomatch/x/") == -1, "subst_uri without match: -1");
	ok(call("textops", "subst_body", 1, "/o=alice/o=bob/") == 1 &&
			strstr(applied(), "\no=bob 1 1 IN IP4 x") != NULL, "subst_body");
	ok(call("textops", "subst", 1, "|call-4|\\u\\n|") == 1 &&
			strstr(applied(), "Call-ID: sip:+4912345@gw.org\n@example.org") != NULL,
			"\\u and \\n in a replacement, another separator");
}

static void test_body_misc(void)
{
	fns_msg(INVITE);
	ok(call("textops", "has_body", 0) == 1, "has_body");
	ok(call("textops", "has_body", 1, "application/sdp") == 1 &&
			call("textops", "has_body", 1, "text/plain") == -1, "has_body(mime)");
	ok(call("textops", "is_method", 1, "INVITE") == 1 &&
			call("textops", "is_method", 1, "invite") == 1 &&
			call("textops", "is_method", 1, "BYE|INVITE") == 1 &&
			call("textops", "is_method", 1, "BYE|CANCEL") == -1 &&
			call("textops", "is_method", 1, "FOO") == -1, "is_method");
	ok(call("textops", "is_method", 1, "BYE|FOO") == -1, "an unknown method in a list: -1");
	ok(call("textops", "is_privacy", 1, "id") == 1 && call("textops", "is_privacy", 1, "header") == 1 &&
			call("textops", "is_privacy", 1, "user") == -1, "is_privacy");
	ok(call("textops", "set_body", 2, "hello", "text/plain") == 1, "set_body");
	ok(strstr(applied(), "Content-Type: text/plain\r\n") != NULL &&
			strstr(applied(), "application/sdp") == NULL &&
			strstr(applied(), "\r\n\r\nhello") != NULL, "the new body and Content-Type");

	fns_msg(MESSAGE);
	ok(call("textops", "has_body", 0) == -1, "has_body with Content-Length 0: -1");
	ok(call("textops", "is_method", 1, "MESSAGE") == 1, "is_method(MESSAGE)");
	fns_msg("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-r\n"
			"From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: r1\nCSeq: 7 REGISTER\n"
			"Content-Length: 0\n\n");
	ok(call("textops", "is_method", 1, "REGISTER") == 1 &&
			call("textops", "is_method", 1, "INVITE") == -1, "is_method on a reply: its CSeq");
	ok(call("siputils", "is_reply", 0) == 1 && call("siputils", "is_request", 0) == -1,
			"is_reply / is_request");
	ok(call("siputils", "is_first_hop", 0) == 1, "is_first_hop on a reply without Record-Route");
}

static void test_strings(void)
{
	fns_msg(MESSAGE);
	ok(call("textops", "cmp_str", 2, "abc", "abc") == 1 &&
			call("textops", "cmp_str", 2, "abc", "abd") == -2 &&
			call("textops", "cmp_str", 2, "abd", "abc") == -1 &&
			call("textops", "cmp_str", 2, "ab", "abc") == -2, "cmp_str");
	ok(call("textops", "cmp_istr", 2, "ABC", "abc") == 1, "cmp_istr");
	ok(call("textops", "starts_with", 2, "abc", "ab") == 1 &&
			call("textops", "starts_with", 2, "abc", "abd") == -2 &&
			call("textops", "starts_with", 2, "ab", "abd") == -1, "starts_with");
	ok(call("textops", "ends_with", 2, "abcdef", "def") == 1 &&
			call("textops", "ends_with", 2, "abcdef", "deg") == -2 &&
			call("textops", "ends_with", 2, "abcdef", "dea") == -1 &&
			call("textops", "ends_with", 2, "ef", "def") == -1, "ends_with");
	ok(call("textops", "str_find", 2, "abcdef", "cd") == 3 &&
			call("textops", "str_find", 2, "abcdef", "xy") == -1 &&
			call("textops", "str_find", 2, "abcdef", "ab") == 1 &&
			call("textops", "str_ifind", 2, "abCDef", "cd") == 3, "str_find / str_ifind");
	ok(call("textops", "in_list", 3, "abc", "x, abc ,y", ",") == 1 &&
			call("textops", "in_list", 3, "ab", "x, abc ,y", ",") == -1, "in_list");
	ok(call("textops", "in_list_prefix", 3, "abcdef", "x,abc,y", ",") == 1 &&
			call("textops", "in_list_prefix", 3, "abcdef", "x, abd ,y", ",") == -1,
			"in_list_prefix");
	ok(call("textops", "search_str", 2, "abcdef", "c.e") == 1 &&
			call("textops", "search_str", 2, "abcdef", "^c") == -1, "search_str");
}

static void test_siputils(void)
{
	fns_msg(INVITE);
	ok(call("siputils", "has_totag", 0) == 1, "has_totag");
	ok(call("siputils", "uri_param", 1, "nat") == -1 &&
			call("siputils", "uri_param", 2, "user", "phone") == -1,
			"user=phone: the R-URI is a tel: URI for Kamailio, with no parameters");
	pv_set("$ru", "sip:bob@h.org;user=ip;nat;x=1");
	ok(call("siputils", "uri_param", 1, "nat") == 1 && call("siputils", "uri_param", 1, "user") == -1 &&
			call("siputils", "uri_param", 2, "user", "ip") == 1 &&
			call("siputils", "uri_param", 2, "user", "phone") == -1 &&
			call("siputils", "uri_param_any", 1, "user") == 1 &&
			call("siputils", "uri_param_any", 1, "none") == -1, "uri_param, uri_param_any");
	ok(call("siputils", "get_uri_param", 2, "user", "$var(up)") == 1 &&
			!strcmp(pv("$var(up)"), "ip"), "get_uri_param");
	ok(call("siputils", "add_uri_param", 1, "y=2") == 1 &&
			!strcmp(pv("$ru"), "sip:bob@h.org;user=ip;nat;x=1;y=2"),
			"add_uri_param: %s", pv("$ru"));
	pv_set("$ru", "sip:+49123;npdi;rn=7@h.org;user=phone;x=1");
	ok(call("siputils", "uri_param", 1, "npdi") == 1 && call("siputils", "uri_param", 2, "x", "1") == -1 &&
			call("siputils", "uri_param", 2, "rn", "7") == 1,
			"user=phone: the parameters are the user's (Kamailio's phone2tel)");
	ok(call("core", "rewriteuser", 1, "555") == 1 &&
			!strcmp(pv("$ru"), "sip:555;npdi;rn=7@h.org;user=phone;x=1") &&
			call("core", "strip", 1, "#1") == 1 && call("core", "prefix", 1, "00") == 1 &&
			!strcmp(pv("$ru"), "sip:0055;npdi;rn=7@h.org;user=phone;x=1"),
			"rewriteuser, strip, prefix keep the user's parameters: %s", pv("$ru"));
	pv_set("$ru", "sip:+4912345@127.0.0.1;user=phone;nat");
	ok(call("siputils", "cmp_uri", 2, "sip:a@B.org;transport=udp", "sip:a@b.org") == 1 &&
			call("siputils", "cmp_uri", 2, "sip:a@b.org;user=ip", "sip:a@b.org") == -1 &&
			call("siputils", "cmp_uri", 2, "sip:a@b.org;x=1", "sip:a@b.org;x=2") == -1 &&
			call("siputils", "cmp_uri", 2, "sip:a@b.org:5060", "sip:a@b.org") == -1 &&
			call("siputils", "cmp_uri", 2, "sip:A@b.org", "sip:a@b.org") == -1 &&
			call("siputils", "cmp_uri", 2, "xx", "sip:a@b.org") == -2 &&
			call("siputils", "cmp_uri", 2, "sip:a@b.org;x=1", "sip:a@b.org;y=2") == 1,
			"cmp_uri");
	ok(call("siputils", "cmp_aor", 2, "sip:a@b.org:5060;x=1", "sip:a@B.org") == 1 &&
			call("siputils", "cmp_aor", 2, "sip:a@b.org:5070", "sip:a@b.org") == -1, "cmp_aor");
	ok(call("siputils", "is_user", 1, "bob") == 1 && call("siputils", "is_user", 1, "bo") == -1,
			"is_user reads the credentials' user name");
	ok(call("siputils", "is_first_hop", 0) == -1, "is_first_hop with two Vias: -1");
	pv_set("$var(n)", "+4912345");
	ok(call("siputils", "is_e164", 1, "$var(n)") == 1, "is_e164");
	pv_set("$var(n)", "+49x");
	ok(call("siputils", "is_e164", 1, "$var(n)") == -1, "is_e164 of +49x");
	ok(call("siputils", "is_uri_user_e164", 1, "$ru") == 1, "is_uri_user_e164($ru)");
	ok(call("siputils", "tel2sip", 3, "tel:+1-(23)4;x=Y", "h.com", "$var(t)") == 1 &&
			!strcmp(pv("$var(t)"), "sip:+1234;x=y@h.com;user=phone"), "tel2sip: %s", pv("$var(t)"));
	ok(call("siputils", "tel2sip", 3, "sip:a@b", "h.com", "$var(t)") == 2, "tel2sip of sip: is 2");
	ok(call("siputils", "is_uri", 1, "sip:a@b") == 1 && call("siputils", "is_uri", 1, "xx") == -1,
			"is_uri");
	pv_set("$var(u)", "sip:bob@a.org;p=1");
	ok(call("siputils", "set_uri_user", 2, "$var(u)", "carol") == 1 &&
			!strcmp(pv("$var(u)"), "sip:carol@a.org;p=1"), "set_uri_user: %s", pv("$var(u)"));
	ok(call("siputils", "set_uri_host", 2, "$var(u)", "b.org") == 1 &&
			!strcmp(pv("$var(u)"), "sip:carol@b.org;p=1"), "set_uri_host: %s", pv("$var(u)"));
	ok(call("siputils", "is_numeric", 1, "123") == 1 && call("siputils", "is_numeric", 1, "12a") == -2 &&
			call("siputils", "is_numeric", 1, "") == -2, "is_numeric");
	ok(call("siputils", "is_alphanum", 1, "ab12") == 1 && call("siputils", "is_alphanum", 1, "ab-12") == -3 &&
			call("siputils", "is_alphanumex", 2, "ab-12", "-") == 1, "is_alphanum(ex)");
	ok(call("siputils", "is_tel_number", 1, "+4912") == 1 &&
			call("siputils", "is_tel_number", 1, "4912") == 1 &&
			call("siputils", "is_tel_number", 1, "+49-12") == -2 &&
			call("siputils", "is_tel_number", 1, "+") == -2, "is_tel_number");
}

static void test_xlog(void)
{
	fns_msg(MESSAGE);
	ok(call("xlog", "xlog", 2, "L_INFO", "hello MESSAGE\n") == 1 && nlog == 1 &&
			!strcmp(logs[0], "<script>: hello MESSAGE") && loglevel[0] == VM_L_INFO,
			"xlog(L_INFO, ...)");
	log_clear();
	ok(call("xlog", "xlog", 1, "plain") == 1 && loglevel[0] == VM_L_ERR, "xlog(fmt) is L_ERR");
	log_clear();
	ok(call("xlog", "xlog", 2, "L_DBG", "dbg") == 1 && nlog == 1 && loglevel[0] == VM_L_DBG,
			"xlog(L_DBG)");
	log_clear();
	c->log_level = VM_L_INFO;
	ok(call("xlog", "xdbg", 1, "hidden") == 1 && nlog == 0, "above the debug level: nothing, 1");
	c->log_level = VM_L_DBG;
	ok(call("xlog", "xlog", 2, "#-1", "via pv") == 1 && loglevel[0] == VM_L_ERR,
			"an int level (a PV's value)");
	ok(call("xlog", "xlog", 2, "2", "via str") == 1 && loglevel[1] == VM_L_INFO,
			"a numeric string level");
	ok(call("xlog", "xlog", 2, "L_X", "x") == -1, "an unknown level name: -1");
	ok(call("xlog", "xlog", 3, "LOG_LOCAL0", "L_WARN", "fac") == 1 &&
			loglevel[nlog - 1] == VM_L_WARN, "xlog(facility, level, fmt)");
	log_clear();
	call("xlog", "xinfo", 1, "i");
	call("xlog", "xnotice", 1, "n");
	call("xlog", "xwarn", 1, "w");
	call("xlog", "xerr", 1, "e");
	call("xlog", "xbug", 1, "b");
	call("xlog", "xcrit", 1, "c");
	call("xlog", "xalert", 1, "a");
	ok(nlog == 7 && loglevel[0] == VM_L_INFO && loglevel[1] == VM_L_NOTICE &&
			loglevel[2] == VM_L_WARN && loglevel[3] == VM_L_ERR && loglevel[4] == VM_L_BUG &&
			loglevel[5] == VM_L_CRIT2 && loglevel[6] == VM_L_ALERT, "xinfo ... xalert levels");
	log_clear();
	ok(call("xlog", "xlogl", 2, "L_INFO", "with line\n") == 1 &&
			!strcmp(logs[0], "<script>: 17:with line"), "xlogl adds the cfg line: %s", logs[0]);
	log_clear();
	ok(call("xlog", "xlogm", 2, "L_INFO", "filtered") == 1 && nlog == 0,
			"xlogm with the default methods_filter (-1) logs nothing");

	fns_teardown();
	fns_setup(17, "xlog", "prefix", "[$rm] ", "xlog", "prefix_mode", "#1",
			"xlog", "long_format", "#1", "xlog", "methods_filter", "#256", NULL);
	fns_msg(MESSAGE);
	ok(call("xlog", "xlog", 2, "L_INFO", "x") == 1 && !strcmp(logs[0], "[MESSAGE] x"),
			"prefix_mode 1: the prefix is a format: %s", logs[0]);
	log_clear();
	ok(call("xlog", "xlogl", 2, "L_INFO", "y") == 1 && !strcmp(logs[0], "[MESSAGE] test.cfg:17:y"),
			"long_format 1: file:line: %s", logs[0]);
	log_clear();
	ok(call("xlog", "xlogm", 2, "L_INFO", "m") == 1 && nlog == 0,
			"xlogm: MESSAGE (256) is in methods_filter");
	fns_teardown();
	fns_setup(17, "xlog", "prefix", "P: ", "xlog", "methods_filter", "#1", NULL);
	fns_msg(MESSAGE);
	ok(call("xlog", "xlogm", 2, "L_INFO", "m") == 1 && !strcmp(logs[0], "P: m"),
			"xlogm logs a method outside the filter, with a plain prefix");
}

/* The re class of transformations: {re.subst,...}. */
static void test_re_tr(void)
{
	fns_msg(MESSAGE);
	pv_set("$var(s)", "hello world");
	ok(!strcmp(pv("$(var(s){re.subst,/o/0/})"), "hell0 world"), "re.subst: first match");
	ok(!strcmp(pv("$(var(s){re.subst,/o/0/g})"), "hell0 w0rld"), "re.subst /g");
	ok(!strcmp(pv("$(var(s){re.subst,/^(h[a-z]+) (.*)$/\\2 \\1/})"), "world hello"),
			"re.subst with back-references: %s", pv("$(var(s){re.subst,/^(h[a-z]+) (.*)$/\\2 \\1/})"));
	ok(!strcmp(pv("$(var(s){re.subst,/zz/y/})"), "hello world"), "no match: unchanged");
	ok(!strcmp(pv("$(ru{re.subst,/alice/carol/})"), "sip:carol@127.0.0.1:5060;transport=udp"),
			"re.subst on $ru");
	pv_set("$var(e)", "/l+/L/");
	ok(!strcmp(pv("$(var(s){re.subst,$var(e)})"), "heLo world"), "re.subst with the expression in a PV");
	ok(!strncmp(pv("$(var(s){re.subst,/x/y/q})"), "<parse error", 12), "a bad flag is refused at parse time");
}

int main(void)
{
	fns_setup(17, NULL);
	test_headers();
	test_search_replace();
	test_subst();
	test_body_misc();
	test_strings();
	test_siputils();
	test_re_tr();
	test_xlog();
	fns_teardown();
	return tap_done();
}
