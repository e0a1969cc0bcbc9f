/*
 * test_re.c — the regex matcher of `=~` (vm/vm_re.c) against glibc's
 * regcomp(REG_EXTENDED | REG_NOSUB [| REG_ICASE] [| REG_NEWLINE]) +
 * regexec, which it must answer exactly like, in the C locale. TAP.
 *
 *  1. a hand list of patterns covering every construct, each run on every
 *     subject of a hand list, under the four flag combinations;
 *  2. invalid patterns: the same error, with regerror's message;
 *  3. patterns and subjects with a NUL inside (both end there), and the
 *     glibc quirks the matcher copies, each stated with its answer;
 *  4. patterns whose DFA outgrows its bounds (the walk goes on by NFA
 *     steps); random patterns (valid or not) and subjects, fixed seed
 *     (RE_SEED and RE_PATTERNS in the environment run other and more);
 *  5. limits (deep nesting, long patterns: left to regexec) and another
 *     locale (everything left to regexec);
 *  6. timings of vm_re_match against regexec, printed as comments (the
 *     corpus's own `=~` patterns: regress/bench/re/run.sh).
 * Every disagreement is printed as a comment ("# differ: ...").
 */
#include <locale.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm.h"

#include "../tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define RANDOM_PATTERNS 12000
#else
#define RANDOM_PATTERNS 40000
#endif
#define RANDOM_SUBJECTS 8

static const unsigned flagsets[4] = { 0, VM_RE_F_ICASE, VM_RE_F_NEWLINE,
	VM_RE_F_ICASE | VM_RE_F_NEWLINE };

static int nprinted;

/* s[0..n) as a C string literal into buf. */
static const char *esc(const char *s, size_t n, char *buf, size_t size)
{
	size_t k, o = 0;

	for (k = 0; k < n && o + 6 < size; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '\\' || c == '"')
			o += (size_t)snprintf(buf + o, size - o, "\\%c", c);
		else if (c == '\n')
			o += (size_t)snprintf(buf + o, size - o, "\\n");
		else if (c < 32 || c >= 127)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static int regflags(unsigned f)
{
	return REG_EXTENDED | REG_NOSUB | ((f & VM_RE_F_ICASE) ? REG_ICASE : 0) |
		((f & VM_RE_F_NEWLINE) ? REG_NEWLINE : 0);
}

static const char *fname(unsigned f)
{
	static const char *const n[4] = { "-", "ICASE", "NEWLINE", "ICASE|NEWLINE" };
	return n[f & 3];
}

/* A compiled pair: glibc's and ours. */
typedef struct {
	regex_t rx;
	vm_re *re;
	int bad;      /* regcomp failed */
	int differ;   /* the compilations disagree */
} pair;

/* Compile pat[0..plen) both ways; a disagreement is printed. */
static void pair_compile(pair *p, const char *pat, size_t plen, unsigned f)
{
	char gmsg[256], omsg[256], e1[1024];
	size_t n = strnlen(pat, plen);
	char *z = malloc(n + 1);
	int grc, orc;

	if (z == NULL)
		abort();
	memcpy(z, pat, n);
	z[n] = '\0';
	memset(p, 0, sizeof *p);
	grc = regcomp(&p->rx, z, regflags(f));
	free(z);
	if (grc != 0)
		regerror(grc, &p->rx, gmsg, sizeof gmsg);
	strcpy(omsg, "?");
	orc = vm_re_compile(&p->re, pat, plen, f, omsg, sizeof omsg);
	p->bad = grc != 0;
	if ((grc != 0) != (orc != 0) || (grc != 0 && orc != VM_E_REGEX) ||
	    (grc != 0 && strcmp(gmsg, omsg) != 0)) {
		p->differ = 1;
		if (nprinted++ < 60)
			printf("# differ: compile \"%s\" %s: glibc %d \"%s\", ours %d \"%s\"\n",
			       esc(pat, plen, e1, sizeof e1), fname(f), grc,
			       grc ? gmsg : "", orc, orc ? omsg : "");
	}
}

static void pair_free(pair *p)
{
	if (!p->bad)
		regfree(&p->rx);
	vm_re_free(p->re);
}

/* Run subject s[0..n) both ways (glibc sees it as the C string it holds):
 * 1 when they agree. */
static int pair_run(pair *p, const char *pat, size_t plen, unsigned f,
		const char *s, size_t n)
{
	char e1[1024], e2[1024], *z;
	size_t zn = strnlen(s, n);
	int g, o;

	if (p->bad || p->re == NULL)
		return !p->differ;
	z = malloc(zn + 1);
	if (z == NULL)
		abort();
	memcpy(z, s, zn);
	z[zn] = '\0';
	g = regexec(&p->rx, z, 0, NULL, 0) == 0;
	free(z);
	o = vm_re_match(p->re, s, n);
	if (g != o) {
		if (nprinted++ < 60)
			printf("# differ: \"%s\" %s on \"%s\": glibc %d, ours %d\n",
			       esc(pat, plen, e1, sizeof e1), fname(f),
			       esc(s, n, e2, sizeof e2), g, o);
		return 0;
	}
	return 1;
}

/* ---- 1. hand list ------------------------------------------------------- */

static const char *const hand_patterns[] = {
	/* literals, empty */
	"", "a", "abc", "^abc", "abc$", "^abc$", "^", "$", "^$", "b", "x",
	"ABC", "^ABC$", "aBc", "sip:", "^sip:", "@example.com$", "\n", "a\nb",
	"\xe9", "\xe9t\xe9", "^\xff", ".example.com",
	/* escapes */
	"\\.", "\\.example\\.com$", "a\\.b", "\\a", "\\A", "\\n", "\\t", "\\|",
	"\\(", "\\)", "\\{", "\\}", "\\*", "\\+", "\\?", "\\[", "\\]", "\\^",
	"\\$", "\\\\", "\\-", "\\,", "\\w", "\\W", "\\s", "\\S", "\\w+", "^\\w+$",
	"\\W\\w", "a\\sb", "\\S+", "\\z", "\\\xe9",
	/* dot */
	".", "a.c", "^.$", "^..$", "a.*b", ".*", "^.*$", "x.y",
	/* brackets */
	"[abc]", "[^abc]", "[a-c]", "[^a-c]", "[]a]", "[^]a]", "[]]", "[^]]",
	"[a-]", "[-a]", "[^-a]", "[--/]", "[!--]", "[]-a]", "[a\\]", "[\\]",
	"[\\n]", "[\n]", "[^\n]", "[[]", "[[a]", "[a[]", "[[.a.]]", "[[.-.]]",
	"[[.].]]", "[[=a=]]", "[[=e=]b]", "[[.a.]-c]", "[a-[.c.]]",
	"[[:alpha:]]", "[[:digit:]]+", "[[:alnum:]_]", "[[:upper:]]",
	"[[:lower:]]", "[[:space:]]", "[[:blank:]]", "[[:punct:]]",
	"[[:print:]]", "[[:graph:]]", "[[:cntrl:]]", "[[:xdigit:]]+",
	"[^[:alpha:]]", "[[:alpha:]-]", "[[:digit:][:upper:]]", "[A-z]",
	"[a-zA-Z0-9]", "[^a-zA-Z]", "[\x80-\xff]", "[^\x80-\xff]", "[\xe9]",
	"[a-a]", "[.]", "[*+?{}()|$^]", "[ab^]", "[a^b]",
	/* groups and alternation */
	"(a)", "(ab)", "(a|b)", "a|b", "ab|cd", "^(INVITE|REGISTER)$",
	"(INVITE|REGISTER)", "^(a|b)c$", "(a|)", "(|a)", "a|", "|a", "a||b", "|",
	"()", "(())", "()a", "a()b", "((a|b)|c)", "(a(b(c)))", "((a)|(b))+",
	"a)", "a))", ")", "())", "(a))",
	/* repetitions */
	"a*", "a+", "a?", "^a*$", "^a+$", "^a?$", "ab*c", "ab+c", "ab?c",
	"a{0}", "a{1}", "a{2}", "a{2,}", "a{,2}", "a{1,3}", "a{0,0}", "a{0,1}",
	"x{2,}", "^x{2,3}$", "^(ab){2}$", "(ab){1,2}", "(a|b){3}", "^(a|b){2,}$",
	"a**", "a+*", "a*?", "a?+", "a{2}{2}", "^a{2}{2}$", "a{1\\,2}",
	"(a*)*", "(a*)+", "(a+)+", "(a?)*", "()*", "()+", "(|a)+", "(a|)*b",
	"a{0}b", "(a){0}b", "^a{0}$", "a{0}*", "^(a{0})*$", "}", "a}", "x{1}}",
	/* anchors in odd places */
	"a^", "a^b", "$a", "a$b", "^*x", "(^a)", "(a$)", "(^|x)a", "a(b|$)",
	"(^a|b)+", "(a|^)+b", "(a|$)+", "(^)*a", "($)*a", "(^|$)", "x$|^y",
	"^^a", "a$$", "^$^$", "a$\nb", "a$.", "a$[^x]", "^\n^a", "x\n^y",
	"\n^", "a\n$", "(a$)*\n", "a($|b)\n", "\n*^a", "b$\n^a", "^a|^b",
	"(^)", "($)", "^(a$)", "(\n)^a", "a$(\n)", "a$\n*",
	/* SIP-ish */
	"^sip:[0-9]+@", "^sips?:", "^[0-9]{3,4}$", "^\\+?[0-9]+$",
	"^(sip|sips|tel):", "@(example|test)\\.(com|org)$", ";transport=tcp",
	"^[a-z0-9._-]+@[a-z0-9.-]+$", "^[^@]+@[^@]+$", "^1[0-9]{2}$",
	"^(\\+|00)?49", "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
	"^(OPTIONS|NOTIFY|SUBSCRIBE|PUBLISH|MESSAGE)$", "Asterisk|FreeSWITCH",
	/* from the configs of ../shared/corpus */
	"[12][0-9][0-9]", ".*ipsec-3gpp.*", "tel:.*", "^[0-9][0-9]$", "ws",
	"friendly-scanner|sipcli|VaxSIPUserAgent", "^b=AS:", "^/RPC",
	"(180)|(183)|(2[0-9][0-9])", "(INVITE|UPDATE|BYE|ACK|PRACK|REFER|CANCEL)$",
	"([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})",
	"(\\=)|(\\-\\-)|(\\')|(\\#)|(\\%27)|(\\%24)", ".*@.*", "<.*>",
	"@195\\.37\\.77\\.110([;:].*)*", "FPBX.*|Asterisk.*", "::count$$",
	"[@:\\.]195\\.37\\.77\\.101([;:].*)*", "\\*98", "\\+[0-9]+",
	"^(30[012])$", "^(486|487|603)$", "^(NOTIFY|SUBSCRIBE|OPTIONS)",
	"^([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}))$",
	"^(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})$", "^\\+?00+$",
	"^sip:(\\+[1-9])?[0-9]+@", "^\\*TESTCALL$", "^m=audio ", "enc_prefix*",
	"kfp+", "s$", "sip:.*[@:]teldomain.com", "sip:.*[@]+.*", "sip:[+,0-9][0-9]*@",
	"sip:\\+?[0-79][0-9]*@.*", "sips?:\\+?[0-9]{3,18}@.*", "test\\n",
	"presence\\.winfo", "sip:(\\+[0-9]+@)?193\\.175\\.132\\.142",
	"^192\\.168\\.[0-9]{1,3}\\.[0-9]{1,3}$", "^1[0-9]{10}$",
	/* left to regexec */
	"(a)\\1", "(a|b)\\1", "\\bfoo", "foo\\b", "\\Bo", "\\<a", "a\\>",
	"\\`a", "a\\'", "(ab){1000}", "((a|b){20}){20}",
	/* big automata */
	"(a|b)*a(a|b){12}", "(a|b)*a(a|b){5}$", "[ab]*a[ab]{9}b",
};

static const char *const hand_subjects[] = {
	"", "a", "b", "A", "B", "x", "xx", "abc", "ABC", "aBc", "ab", "ac",
	"abbc", "abcabc", "aa", "aaa", "aaaa", "bab", "c", "cab", "a\nb",
	"\n", "\na", "a\n", "b\na", "x\ny", "\n\n", "a\nb\nc", "a\n\nb",
	"_", "-", "]", "[", "^", "$", ".", "\\", "|", "(", ")", "{", "}", ",",
	"a)", "}", "x}", "1", "12", "123", "1234", "\t", " ", "a b", "\xe9",
	"\xe9t\xe9", "\xff", "\x80", "\x7f", "\x01", "foo", "foo bar", "fo",
	"INVITE", "invite", "REGISTER", "INVITEX", "sip:123@host",
	"sips:alice@example.com", "tel:+4930", "sip:+49@x", "alice@example.com",
	"bob@test.org", "sip:alice@example.com;transport=tcp", "10.0.0.1",
	"192.168.100.200", "+4930123", "004930", "Asterisk PBX", "180",
	"OPTIONS", "a.example.com", "aexamplexcom", "abab", "ababab",
	"aabbaabbaabbaabb", "abbbbbbbbbbbbbbbbb", "babababababababababab",
	"bbbbbbbbbbbbbbbbbbbba", "xyzzy", "w", "W", "a_1", "!", "@",
	"200", "183", "404", "99", "BYE", "PRACK", "NOTIFY", "notify x",
	"friendly-scanner", "SIPCLI/1.0", "b=AS:64", "/RPC2", "ipsec-3gpp",
	"Security-Client: ipsec-3gpp; alg=hmac", "FPBX-13", "<sip:a@b>",
	"sip:x@195.37.77.110:5060", "x::count", "*98", "+4930", "*TESTCALL",
	"m=audio 4000", "enc_prefi", "kfpp", "sip:1@teldomainXcom",
	"sip:+4930@h", "sips:0049301234@h", "test\n", "testn", "presence.winfo",
	"sip:+49@193.175.132.142", "192.168.1.10", "12345678901", "d1.d2.d3.d4",
	"'", "--", "%27", "#", "sip:1@2@3", "0000", "+000", "=",
};

static void test_hand(void)
{
	size_t np = sizeof hand_patterns / sizeof hand_patterns[0];
	size_t ns = sizeof hand_subjects / sizeof hand_subjects[0];
	size_t i, j, cases = 0, bad = 0, valid = 0;
	int k;

	for (i = 0; i < np; i++) {
		for (k = 0; k < 4; k++) {
			const char *pat = hand_patterns[i];
			pair p;

			pair_compile(&p, pat, strlen(pat), flagsets[k]);
			if (p.differ)
				bad++;
			if (!p.bad)
				valid++;
			for (j = 0; j < ns; j++) {
				const char *s = hand_subjects[j];

				cases++;
				if (!pair_run(&p, pat, strlen(pat), flagsets[k], s, strlen(s)))
					bad++;
			}
			pair_free(&p);
		}
	}
	ok(bad == 0, "hand list: %zu patterns x %zu subjects x 4 flag sets "
	   "(%zu compiled, %zu cases), %zu disagreements", np, ns, valid, cases, bad);
}

/* ---- 2. invalid patterns ------------------------------------------------ */

static const char *const bad_patterns[] = {
	"(", "a(", "(a", "((a)", "[", "[a", "[^", "[]", "[^]", "[a-", "[[:alpha:]",
	"[[:foo:]]", "[[::]]", "[[.ab.]]", "[[=ab=]]", "[z-a]", "[a-c-e]",
	"[[:alpha:]-z]", "[a-[:alpha:]]", "*", "*a", "+a", "?a", "{1}", "a|*b",
	"(*a)", "(+)", "^*", "$*", "a{", "a{1", "a{1,", "a{x}", "a{}", "a{2,1}",
	"a{1,2", "a{32768}", "a{1,32768}", "a{99999999999}", "\\", "a\\",
	"\\1", "(a)\\2", "a{,", "a{,}}x{", "[[.", "[[=a", "[[:a", "x**{",
};

static void test_errors(void)
{
	size_t n = sizeof bad_patterns / sizeof bad_patterns[0], i;
	size_t bad = 0, errs = 0;
	int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++) {
			pair p;

			pair_compile(&p, bad_patterns[i], strlen(bad_patterns[i]), flagsets[k]);
			bad += (size_t)p.differ;
			errs += (size_t)p.bad;
			pair_free(&p);
		}
	ok(bad == 0 && errs > 4 * n - 8, "invalid patterns: %zu of %zu x 4 fail in "
	   "glibc, same code and message: %zu disagreements", errs / 4, n, bad);

	/* direct checks of the message and the codes */
	{
		vm_re *re = (vm_re *)1;
		char msg[128] = "";
		int rc = vm_re_compile(&re, "a{2,1}", 6, 0, msg, sizeof msg);

		ok(rc == VM_E_REGEX && re == NULL && strcmp(msg, "Invalid content of \\{\\}") == 0,
		   "a{2,1}: VM_E_REGEX \"%s\"", msg);
		rc = vm_re_compile(&re, "(", 1, 0, NULL, 0);
		ok(rc == VM_E_REGEX, "a NULL message buffer is allowed");
		rc = vm_re_compile(&re, "[", 1, 0, msg, 8);
		ok(rc == VM_E_REGEX && strlen(msg) == 7, "the message is cut to errlen (\"%s\")", msg);
	}
}

/* ---- 3. NUL bytes ------------------------------------------------------- */

static void test_nul(void)
{
	vm_re *re;
	char msg[128];
	int rc;

	rc = vm_re_compile(&re, "ab\0(", 4, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "xaby", 4) == 1 && vm_re_match(re, "a(", 2) == 0,
	   "the pattern ends at its first NUL (\"ab\\0(\" is \"ab\")");
	ok(vm_re_match(re, "x\0ab", 4) == 0 && vm_re_match(re, "ab\0x", 4) == 1,
	   "the subject ends at its first NUL");
	vm_re_free(re);
	rc = vm_re_compile(&re, "^a.*$", 5, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "abc\0\n", 5) == 1 && vm_re_match(re, "\0a", 2) == 0,
	   "automaton: NUL ends the subject");
	vm_re_free(re);
	rc = vm_re_compile(&re, "b$", 2, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "ab\0c", 4) == 1 && vm_re_match(re, "a\0b", 3) == 0,
	   "suffix literal: NUL ends the subject");
	vm_re_free(re);
	rc = vm_re_compile(&re, "^ab$", 4, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "ab\0c", 4) == 1 && vm_re_match(re, "abc", 3) == 0 &&
	   vm_re_match(re, "ab", 2) == 1 && vm_re_match(re, "a", 1) == 0,
	   "exact literal: NUL ends the subject");
	vm_re_free(re);
	rc = vm_re_compile(&re, "", 0, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "", 0) == 1 && vm_re_match(re, NULL, 0) == 1,
	   "the empty pattern matches the empty subject");
	vm_re_free(re);
	rc = vm_re_compile(&re, "(a)\\1", 5, 0, msg, sizeof msg);
	ok(rc == 0 && vm_re_match(re, "xaa", 3) == 1 && vm_re_match(re, "a\0a", 3) == 0,
	   "regexec fallback: NUL ends the subject");
	vm_re_free(re);
	vm_re_free(NULL);
}

/* Quirks of glibc the matcher copies (each also covered by the lists). */
static void test_quirks(void)
{
	static const struct {
		const char *pat;
		unsigned f;
		const char *s;
		int want;
	} q[] = {
		{ "\\a", VM_RE_F_ICASE, "a", 0 },      /* escaped byte read raw */
		{ "\\A", VM_RE_F_ICASE, "a", 1 },
		{ "[A-z]", VM_RE_F_ICASE, "_", 0 },    /* the range is up-cased */
		{ "[A-z]", 0, "_", 1 },
		{ "[[:lower:]]", VM_RE_F_ICASE, "A", 1 },
		{ "a)", 0, "a)", 1 },                  /* unmatched ')' */
		{ "a{,2}b", 0, "b", 1 },
		{ "a$\nb", 0, "a\nb", 1 },             /* '$' before a consumed '\n' */
		{ "a$", 0, "a\nb", 0 },
		{ "x\n^y", 0, "x\ny", 1 },             /* '^' after a consumed '\n' */
		{ "^y", 0, "x\ny", 0 },
		{ "^y", VM_RE_F_NEWLINE, "x\ny", 1 },
		{ "x$", VM_RE_F_NEWLINE, "x\ny", 1 },
		{ "x.y", VM_RE_F_NEWLINE, "x\ny", 0 },
		{ "x.y", 0, "x\ny", 1 },
		{ "x[^a]y", VM_RE_F_NEWLINE, "x\ny", 0 },
		{ "x\\Wy", VM_RE_F_NEWLINE, "x\ny", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		vm_re *re;
		char msg[128], e1[64], e2[64];
		int rc = vm_re_compile(&re, q[i].pat, strlen(q[i].pat), q[i].f, msg, sizeof msg);

		ok(rc == 0 && vm_re_match(re, q[i].s, strlen(q[i].s)) == q[i].want,
		   "\"%s\" %s on \"%s\" is %d", esc(q[i].pat, strlen(q[i].pat), e1, sizeof e1),
		   fname(q[i].f), esc(q[i].s, strlen(q[i].s), e2, sizeof e2), q[i].want);
		if (rc == 0)
			vm_re_free(re);
	}
}

/* ---- 4. random ---------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

typedef struct {
	char b[512];
	size_t n;
} buf;

static void put(buf *o, const char *s)
{
	size_t k = strlen(s);

	if (o->n + k < sizeof o->b) {
		memcpy(o->b + o->n, s, k);
		o->n += k;
	}
}

static void putc1(buf *o, int c)
{
	if (o->n + 1 < sizeof o->b)
		o->b[o->n++] = (char)c;
}

/* Bytes patterns and subjects are made of. */
static const char alpha[] = "abAB\n_-]x0\xe9.";

static void gen_char(buf *o)
{
	putc1(o, alpha[rnd(sizeof alpha - 1)]);
}

static void gen_bracket(buf *o)
{
	static const char *const cls[] = { "[:alpha:]", "[:upper:]", "[:lower:]",
		"[:digit:]", "[:space:]", "[:punct:]", "[:alnum:]", "[:foo:]",
		"[.a.]", "[.-.]", "[=b=]", "[.ab.]" };
	int k, n = 1 + (int)rnd(3);

	putc1(o, '[');
	if (rnd(3) == 0)
		putc1(o, '^');
	if (rnd(8) == 0)
		putc1(o, ']');
	if (rnd(10) == 0)
		putc1(o, '-');
	for (k = 0; k < n; k++) {
		switch (rnd(6)) {
		case 0:
			put(o, cls[rnd(sizeof cls / sizeof cls[0])]);
			break;
		case 1:
		case 2:
			gen_char(o);
			putc1(o, '-');
			gen_char(o);
			break;
		default:
			gen_char(o);
			break;
		}
	}
	if (rnd(10) == 0)
		putc1(o, '-');
	if (rnd(30) != 0)
		putc1(o, ']');
}

static void gen_re(buf *o, int depth);

/* No back-references: they are left to regexec, and glibc's regexec
 * overflows its stack on some ("()?\\1{,2}+)" on ")2],21b+." with
 * REG_ICASE dies of SIGSEGV, Kamailio with it). */
static void gen_atom(buf *o, int depth)
{
	static const char *const escs[] = { "\\.", "\\a", "\\A", "\\w", "\\W",
		"\\s", "\\S", "\\|", "\\(", "\\{", "\\n", "\\\\", "\\b",
		"\\-", "\\]" };
	static const char *const odd[] = { ")", "}", "{", "*", "\\", "|", "(" };

	switch (rnd(16)) {
	case 0:
		putc1(o, '.');
		break;
	case 1:
	case 2:
		gen_bracket(o);
		break;
	case 3:
	case 4:
		if (depth < 3) {
			putc1(o, '(');
			if (rnd(12) != 0)
				gen_re(o, depth + 1);
			putc1(o, ')');
		} else {
			gen_char(o);
		}
		break;
	case 5:
		put(o, escs[rnd(sizeof escs / sizeof escs[0])]);
		break;
	case 6:
		putc1(o, rnd(2) ? '^' : '$');
		break;
	case 7:
		if (rnd(4) == 0)
			put(o, odd[rnd(sizeof odd / sizeof odd[0])]);
		else
			gen_char(o);
		break;
	default:
		gen_char(o);
		break;
	}
}

static void gen_dup(buf *o)
{
	char t[32];

	switch (rnd(10)) {
	case 0: case 1: putc1(o, '*'); break;
	case 2: case 3: putc1(o, '+'); break;
	case 4: case 5: putc1(o, '?'); break;
	case 6: snprintf(t, sizeof t, "{%u}", rnd(4)); put(o, t); break;
	case 7: snprintf(t, sizeof t, "{%u,}", rnd(3)); put(o, t); break;
	case 8: snprintf(t, sizeof t, "{%u,%u}", rnd(3), rnd(5)); put(o, t); break;
	default: snprintf(t, sizeof t, "{,%u}", rnd(4)); put(o, t); break;
	}
}

/* Two repetitions in a row only on a single byte: stacked on a group
 * holding empty alternatives they make glibc's regcomp exponential
 * ("(\\b||||x{,1}?){,3}{0,}($)_+" takes 90 s in regcomp alone). */
static void gen_branch(buf *o, int depth)
{
	int k, n = (int)rnd(4) + (depth == 0);

	for (k = 0; k < n; k++) {
		size_t at = o->n;

		gen_atom(o, depth);
		if (rnd(3) == 0) {
			gen_dup(o);
			if (rnd(10) == 0 && o->b[at] != '(')
				gen_dup(o);
		}
	}
}

static void gen_re(buf *o, int depth)
{
	gen_branch(o, depth);
	while (rnd(4) == 0) {
		putc1(o, '|');
		gen_branch(o, depth);
	}
}

/* A subject of bytes from the pattern and the alphabet. */
static void gen_subject(buf *o, const buf *pat)
{
	size_t k, n = rnd(12);

	o->n = 0;
	for (k = 0; k < n; k++) {
		uint32_t r = rnd(10);

		if (r < 5 && pat->n > 0) {
			char c = pat->b[rnd((uint32_t)pat->n)];

			putc1(o, c == '\0' ? 'a' : c);
		} else if (r == 9 && rnd(20) == 0) {
			putc1(o, '\0');
		} else {
			gen_char(o);
		}
	}
}

static void test_random(void)
{
	size_t i, j, cases = 0, bad = 0, valid = 0, npat = RANDOM_PATTERNS;
	const char *e;

	if ((e = getenv("RE_SEED")) != NULL && strtoull(e, NULL, 0) != 0)
		rng = strtoull(e, NULL, 0);
	if ((e = getenv("RE_PATTERNS")) != NULL && strtoul(e, NULL, 0) != 0)
		npat = strtoul(e, NULL, 0);
	for (i = 0; i < npat; i++) {
		buf pat, s;
		unsigned f = flagsets[rnd(4)];
		pair p;

		pat.n = 0;
		gen_re(&pat, 0);
		pair_compile(&p, pat.b, pat.n, f);
		if (p.differ)
			bad++;
		if (!p.bad)
			valid++;
		for (j = 0; j < RANDOM_SUBJECTS && !p.bad; j++) {
			gen_subject(&s, &pat);
			cases++;
			if (!pair_run(&p, pat.b, pat.n, f, s.b, s.n))
				bad++;
		}
		pair_free(&p);
	}
	ok(bad == 0, "random: %zu patterns (%zu valid), %zu subjects, %zu disagreements",
	   npat, valid, cases, bad);
}

/* Patterns whose DFA outgrows its bounds: the walk goes on by NFA steps. */
static void test_big(void)
{
	static const char *const pats[] = { "(a|b)*a(a|b){12}", "(a|b)*a(a|b){11}b$",
		"^(a|b)*a(a|b){10}(a|b)*$", "[ab]*a[ab]{14}", "(a|b|\n)*a(a|b){10}\n^b" };
	size_t i, k, cases = 0, bad = 0;
	int f;

	for (i = 0; i < sizeof pats / sizeof pats[0]; i++)
		for (f = 0; f < 4; f++) {
			pair p;

			pair_compile(&p, pats[i], strlen(pats[i]), flagsets[f]);
			bad += (size_t)p.differ;
			for (k = 0; k < 300; k++) {
				buf s;
				size_t n = 1 + rnd(60), m;

				s.n = 0;
				for (m = 0; m < n; m++)
					putc1(&s, rnd(20) == 0 ? '\n' : rnd(2) ? 'a' : 'b');
				cases++;
				bad += (size_t)!pair_run(&p, pats[i], strlen(pats[i]),
						flagsets[f], s.b, s.n);
			}
			pair_free(&p);
		}
	ok(bad == 0, "big automata: %zu cases, %zu disagreements", cases, bad);
}

/* ---- 5. limits, locale ------------------------------------------------- */

/* Run pattern pat on subjects: 1 when every answer agrees. */
static int agree(const char *pat, unsigned f, const char *const *subj, size_t n)
{
	pair p;
	size_t k;
	int good;

	pair_compile(&p, pat, strlen(pat), f);
	good = !p.differ && !p.bad;
	for (k = 0; k < n; k++)
		good &= pair_run(&p, pat, strlen(pat), f, subj[k], strlen(subj[k]));
	pair_free(&p);
	return good;
}

static void test_limits(void)
{
	static char deep[1300], lit[12000], alt[6000], stars[300];
	static char subj_a[12001];
	const char *subj[4];
	size_t k, o;

	/* 300 nested groups, deeper than RE_MAX_NEST */
	for (k = 0; k < 300; k++)
		deep[k] = '(';
	deep[300] = 'a';
	memset(deep + 301, ')', 300);
	deep[601] = '\0';
	/* a 10,000-byte literal, more NFA states than RE_MAX_NFA */
	memset(lit, 'a', 10000);
	lit[10000] = '\0';
	memset(subj_a, 'a', 12000);
	subj_a[12000] = '\0';
	/* 1,000 alternatives */
	for (k = 0, o = 0; k < 1000; k++)
		o += (size_t)snprintf(alt + o, sizeof alt - o, "%sx%u", k ? "|" : "", (unsigned)k);
	/* a repetition operator applied 250 times, deeper than RE_MAX_NEST
	 * (2,000 take glibc's regcomp seconds) */
	stars[0] = 'b';
	memset(stars + 1, '*', 250);
	stars[251] = '\0';
	subj[0] = "a";
	subj[1] = subj_a;
	subj[2] = "yx999z";
	subj[3] = "bbb";
	ok(agree(deep, 0, subj, 4), "300 nested groups");
	ok(agree(lit, 0, subj, 4) && agree(lit + 1, VM_RE_F_ICASE, subj, 4),
	   "a 10,000-byte literal");
	ok(agree(alt, VM_RE_F_ICASE, subj, 4), "1,000 alternatives");
	ok(agree(stars, 0, subj, 4), "250 stacked '*'");
}

/* Outside the C locale everything is left to regexec: still the same. */
static void test_locale(void)
{
	static const char *const subj[] = { "\xc3\xa9", "\xc3\x89t\xc3\xa9", "e", "E",
		"\xe9", "x\ny" };
	static const char *const pats[] = { "^.$", "[[:alpha:]]", "^[^a]$", "\xc3\xa9",
		"^\xc3\x89", "[\xc3\xa9]", "x.y", "\\w" };
	size_t k;
	int good = 1, f;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		ok(1, "# SKIP no C.UTF-8 locale");
		return;
	}
	for (k = 0; k < sizeof pats / sizeof pats[0]; k++)
		for (f = 0; f < 4; f++)
			good &= agree(pats[k], flagsets[f], subj, sizeof subj / sizeof subj[0]);
	setlocale(LC_ALL, "C");
	ok(good, "C.UTF-8: multibyte patterns and subjects agree");
}

/* ---- 6. timings --------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per match of pat over subjects[0..n), ours and regexec. */
static void timing(const char *label, const char *pat, const char *const *subj, size_t n)
{
	regex_t rx;
	vm_re *re;
	char msg[128];
	double t0, t_ours, t_glibc;
	volatile int sink = 0;
	int rounds = 2000, r;
	size_t k;

	if (regcomp(&rx, pat, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0 ||
	    vm_re_compile(&re, pat, strlen(pat), VM_RE_F_ICASE, msg, sizeof msg) != 0) {
		ok(0, "timing %s compiles", label);
		return;
	}
	t0 = now_ns();
	for (r = 0; r < rounds; r++)
		for (k = 0; k < n; k++)
			sink += vm_re_match(re, subj[k], strlen(subj[k]));
	t_ours = (now_ns() - t0) / ((double)rounds * (double)n);
	t0 = now_ns();
	for (r = 0; r < rounds; r++)
		for (k = 0; k < n; k++) {
			regmatch_t m[1];

			m[0].rm_so = 0;
			m[0].rm_eo = (regoff_t)strlen(subj[k]);
			sink += regexec(&rx, subj[k], 1, m, REG_STARTEND) == 0;
		}
	t_glibc = (now_ns() - t0) / ((double)rounds * (double)n);
	printf("# timing %-34s ours %7.1f ns/match, regexec %7.1f ns/match (x%.0f)\n",
	       label, t_ours, t_glibc, t_glibc / (t_ours > 0 ? t_ours : 1));
	(void)sink;
	regfree(&rx);
	vm_re_free(re);
}

static void test_timing(void)
{
	static char xs[100][101];
	const char *xp[100];
	static const char *const sip[] = { "sip:12345@example.com", "sip:alice@example.com",
		"tel:+4930123456", "sip:0049301234@10.0.0.1:5060;transport=udp" };
	static const char *const meth[] = { "INVITE", "REGISTER", "OPTIONS", "ACK", "BYE",
		"SUBSCRIBE" };
	static const char *const host[] = { "proxy.example.com", "example.org",
		"sip.EXAMPLE.com", "a-very-long-host-name.somewhere.example.net" };
	static const char *const one[1] = { NULL };
	size_t k;

	(void)one;
	for (k = 0; k < 100; k++) {
		memset(xs[k], 'x', k + 1);
		xs[k][k + 1] = '\0';
		xp[k] = xs[k];
	}
	printf("# (REG_ICASE, as `=~` compiles; subjects cycled; this build's flags)\n");
	timing("^x+$ on 1..100 x", "^x+$", xp, 100);
	timing("^x+$ on 1..10 x", "^x+$", xp, 10);
	timing("^x+$ on 100 x", "^x+$", xp + 99, 1);
	timing("^sip:[0-9]+@", "^sip:[0-9]+@", sip, 4);
	timing("^(INVITE|REGISTER)$", "^(INVITE|REGISTER)$", meth, 6);
	timing("\\.example\\.com$", "\\.example\\.com$", host, 4);
	timing("example (literal, no ICASE folding)", "@", sip, 4);
	ok(1, "timings printed");
}

int main(void)
{
	test_hand();
	test_errors();
	test_nul();
	test_quirks();
	test_big();
	test_random();
	test_limits();
	test_locale();
	test_timing();
	return tap_done();
}
