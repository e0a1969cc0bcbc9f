/*
 * vm_re.c — the regular expressions of `=~` and of switch's regex cases: a
 * matcher that answers "does it match" exactly as glibc's regcomp
 * (REG_EXTENDED | REG_NOSUB [| REG_ICASE] [| REG_NEWLINE]) + regexec do in
 * the C locale, 5 to 15 times faster (regress/re/test_re prints the figures).
 *
 * Compiling. regcomp runs first: it validates the pattern and gives the
 * error message, so errors are glibc's own, and its regex_t is kept as the
 * fallback for what is not handled here. Then our parser, a transcription
 * of glibc's ERE grammar (regcomp.c: peek_token, parse_reg_exp,
 * parse_branch, parse_expression, parse_dup_op, parse_bracket_exp), builds
 * a tree of byte sets, anchors, concatenations, alternations and
 * repetitions. glibc's quirks that change answers are kept:
 *  - REG_ICASE up-cases the pattern and the subject, but the byte after a
 *    backslash and the name in "[:name:]" are read raw: "\a" never matches
 *    (an up-cased subject holds no 'a'), "[A-z]" becomes "[A-Z]" and no
 *    longer matches '_', "[[:lower:]]" and "[[:upper:]]" mean alpha;
 *  - an unmatched ')' and a '}' are ordinary bytes; "{,n}" is "{0,n}" and
 *    "\," counts as the comma; "x{0}" is empty; "a**" is allowed; empty
 *    alternatives and "()" match the empty string;
 *  - '$' lets the next byte be consumed when it is '\n', with or without
 *    REG_NEWLINE ("a$\nb" matches "a\nb"), and '^' holds after a '\n'
 *    consumed inside a match ("x\n^y" matches "x\ny"): glibc's DFA gives
 *    '\n' the newline context whatever the flags. But a match starts after
 *    a '\n' with '^' true, or ends before one with '$' true, only under
 *    REG_NEWLINE;
 *  - '.' and "[^...]" exclude '\n' under REG_NEWLINE ("\W", "\S" do not).
 * Handed to regexec instead: back-references; the GNU anchors \b \B \< \>
 * \` \'; '^' or '$' inside x+ or x{m,n} (glibc copies the subtree and its
 * closure loses the anchors in the copies: "c(()|^a)+y" matches "cay",
 * "c(()|^a)*y" does not); nesting deeper than RE_MAX_NEST; more than
 * RE_MAX_NFA automaton states (big counts); a locale other than C/POSIX;
 * anything our parser rejects (nothing known once regcomp accepted it).
 *
 * Matching. The tree becomes a Thompson NFA, then a DFA over byte classes.
 * The DFA is built at compile time, not lazily: the vm_re is read only
 * afterwards, so worker threads share it without a lock (regexec takes one
 * per regex_t; a lazy cache would need one too). A DFA state is the set of
 * NFA states reached just after a byte, whether '^' holds for them, and
 * whether a new match may start at the next position (and if '^' holds
 * there); the closure over empty moves is taken per transition, once the
 * kind of the next byte is known (ordinary, '\n', end), which is what '$'
 * needs. A transition leads to a state, to MATCH (a match ends before this
 * byte: yes at once), to DEAD (no match can follow: no at once) or, past
 * RE_MAX_DFA states or RE_MAX_WORK steps of construction (1.5 ms at
 * worst), to FRONTIER: the walk goes on by NFA steps from the state's set
 * and back into the table as soon as it meets a built state. NUL has a
 * byte class of its own whose transitions answer for "end of subject": the
 * walk stops at the first NUL, as Kamailio's C strings do. One dependent
 * load per byte, ~2 ns; in the idle state of an unanchored pattern a table
 * skips the bytes that cannot start a match, under 1 ns. Compiling costs 2 to
 * 4 times glibc's regcomp + one regexec (2-30 us): fine at load time; a
 * pattern built at run time is better cached by its caller.
 *
 * Literal patterns skip the automaton: "abc" (memmem, not under REG_ICASE
 * when it has letters), "^abc", "abc$", "^abc$" (memcmp, or a compare up
 * to case; not under REG_NEWLINE).
 */
#define _GNU_SOURCE  /* memmem */
#include <locale.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define RE_MAX_NEST 200          /* nesting of groups and repetitions */
#define RE_MAX_NFA 4096          /* NFA states */
#define RE_MAX_DFA 2000          /* DFA states built at compile time */
#define RE_MAX_TRANS (1u << 18)  /* transition entries (1 MB) */
#define RE_MAX_WORK (1u << 18)   /* closure steps + kernel entries handled
                                    while building the DFA: ~3 ms */
#define RE_GLIBC_DUP_MAX 0x7fff  /* glibc's RE_DUP_MAX */

#define RE_REGFLAGS(f) (REG_EXTENDED | REG_NOSUB | \
		(((f) & VM_RE_F_ICASE) ? REG_ICASE : 0) | \
		(((f) & VM_RE_F_NEWLINE) ? REG_NEWLINE : 0))

/* How a compiled expression is matched. */
enum {
	RE_K_REGEXEC,   /* glibc's regexec on the kept regex_t */
	RE_K_DFA,       /* the automaton */
	RE_K_LIT,       /* memmem */
	RE_K_PREFIX,    /* ^literal */
	RE_K_SUFFIX,    /* literal$ */
	RE_K_EXACT      /* ^literal$ */
};

/* A set of bytes. */
typedef struct {
	uint64_t w[4];
} re_set;

static int set_has(const re_set *s, unsigned b)
{
	return (int)((s->w[b >> 6] >> (b & 63)) & 1u);
}

static void set_add(re_set *s, unsigned b)
{
	s->w[b >> 6] |= (uint64_t)1 << (b & 63);
}

static unsigned re_upper(unsigned c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* NFA states. N_SET consumes a byte of set[x] and goes to out; N_SPLIT
 * goes to out and x; N_BOL / N_EOL go to out when '^' / '$' hold. */
enum { N_MATCH, N_SET, N_SPLIT, N_BOL, N_EOL };

typedef struct {
	uint8_t op;
	int32_t out;
	int32_t x;
} re_nfa;

/* DFA state flags. */
#define F_KNL  0x1u  /* '^' holds for the kernel (its last byte was '\n') */
#define F_INJ  0x2u  /* a match may start at the next position */
#define F_SNL  0x4u  /* ... and '^' holds for it */

/* A built DFA state: its kernel kpool[off .. off+len) and flags. */
typedef struct {
	uint32_t off, len;
	unsigned fl;
} re_kst;

/* Transitions below zero. */
#define T_MATCH (-1)
#define T_DEAD (-2)
#define T_FRONT (-3)

/* Most states a DFA may have for its self-loop table (256 bytes each). */
#define RE_STAY_MAX 64u

struct vm_re {
	int kind;
	unsigned flags;
	regex_t rx;               /* RE_K_REGEXEC */
	unsigned char *lit;       /* the literal kinds */
	size_t litlen;
	int litfold;              /* lit is up-cased: compare toupper(byte) */
	/* the automaton */
	uint8_t cls[256];         /* byte -> class */
	uint32_t ncls;
	uint32_t nulcls;          /* the class of NUL: "end of subject" */
	int32_t *trans;           /* nstates * ncls: row offset or T_* */
	uint32_t nstates;
	re_set *sets;
	uint32_t nsets;
	re_nfa *nfa;
	uint32_t nnfa;
	int32_t start;            /* NFA start state */
	uint8_t inject[2];        /* a match may start where '^' is false/true */
	int32_t idle;             /* row of the idle state, or -1 */
	uint8_t leave[256];       /* bytes that leave the idle state */
	/* Per state (stay[state * 256 + byte]): 1 when the byte keeps the
	 * automaton in that state. NULL for automata of more than
	 * RE_STAY_MAX states. */
	uint8_t *stay;
	/* for FRONTIER transitions: each state's kernel and flags, and a hash
	 * from kernel to state to re-enter the table (NULL when no FRONTIER) */
	re_kst *kst;
	int32_t *kpool;
	uint32_t *hash;           /* state + 1, 0 empty */
	uint32_t hmask;
};

/* ---- Growable arrays ---------------------------------------------------- */

/* Make room for `need` elements of `size` bytes in *p (allocated *alloc):
 * 0, or -1 when the size overflows or realloc fails (*p unchanged). */
static int re_grow(void *pp, uint32_t *alloc, uint32_t need, size_t size)
{
	void **p = pp;
	uint32_t n;
	void *q;

	if (need <= *alloc)
		return 0;
	n = *alloc ? *alloc : 16;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return -1;
		n *= 2;
	}
	if ((size_t)n > SIZE_MAX / size)
		return -1;
	q = realloc(*p, (size_t)n * size);
	if (q == NULL)
		return -1;
	*p = q;
	*alloc = n;
	return 0;
}

/* ---- Parser: glibc's ERE grammar ---------------------------------------- */

/* Tokens outside brackets (glibc's peek_token with RE_SYNTAX_POSIX_EXTENDED). */
enum {
	T_CHAR, T_ALT, T_STAR, T_PLUS, T_QUEST, T_OPEN_DUP, T_CLOSE_DUP,
	T_OPEN, T_CLOSE, T_BRACKET, T_PERIOD, T_BOL, T_EOL,
	T_WORD, T_NOTWORD, T_SPACE, T_NOTSPACE,
	T_UNSUP,      /* \1..\9, \b \B \< \> \` \': left to regexec */
	T_BACKSLASH,  /* a trailing backslash */
	T_END
};

/* Tokens inside brackets (peek_token_bracket). */
enum { B_CHAR, B_COLL, B_EQUIV, B_CLASS, B_RANGE, B_CLOSE, B_NONMATCH, B_END };

/* Bracket elements. */
enum { E_CHAR, E_COLL, E_EQUIV, E_CLASS };

typedef struct {
	int type;
	unsigned c;
} re_tok;

typedef struct {
	int type;
	unsigned ch;
	char name[32];
} re_elem;

/* Syntax tree: A_SET (set x), A_BOL, A_EOL, A_CAT / A_ALT (children
 * kids[x .. x+n), an A_ALT child -1 is the empty string), A_REP (child x,
 * n to max times, max -1 unbounded). A tree -1 is the empty string. */
enum { A_SET, A_BOL, A_EOL, A_CAT, A_ALT, A_REP };

typedef struct {
	uint8_t kind;
	uint8_t anchor;   /* holds an A_BOL or A_EOL */
	uint16_t depth;
	int32_t x;
	int32_t n;
	int32_t max;
} re_ast;

typedef struct {
	const unsigned char *raw;  /* the pattern */
	unsigned char *up;         /* as glibc's parser reads it (up-cased under ICASE) */
	size_t n, i;
	unsigned flags;
	re_tok tok;
	int fail;                  /* an error, or a construct left to regexec */
	re_ast *ast;
	uint32_t nast, aast;
	int32_t *kids;
	uint32_t nkids, akids;
	int32_t *tmp;              /* children being collected */
	uint32_t ntmp, atmp;
	re_set *sets;
	uint32_t nsets, asets;
	re_nfa *nfa;
	uint32_t nnfa, anfa;
} re_comp;

/* glibc's peek_token: the token at i and its length. */
static size_t re_peek(const re_comp *p, size_t i, re_tok *t)
{
	unsigned c;

	if (i >= p->n) {
		t->type = T_END;
		t->c = 0;
		return 0;
	}
	c = p->up[i];
	t->c = c;
	t->type = T_CHAR;
	if (c == '\\') {
		unsigned c2;

		if (i + 1 >= p->n) {
			t->type = T_BACKSLASH;
			return 1;
		}
		c2 = p->raw[i + 1];  /* re_string_peek_byte_case: raw */
		t->c = c2;
		switch (c2) {
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
		case '<': case '>': case 'b': case 'B': case '`': case '\'':
			t->type = T_UNSUP;
			t->c = 0;
			break;
		case 'w':
			t->type = T_WORD;
			break;
		case 'W':
			t->type = T_NOTWORD;
			break;
		case 's':
			t->type = T_SPACE;
			break;
		case 'S':
			t->type = T_NOTSPACE;
			break;
		default:
			break;
		}
		return 2;
	}
	switch (c) {
	case '|': t->type = T_ALT; break;
	case '*': t->type = T_STAR; break;
	case '+': t->type = T_PLUS; break;
	case '?': t->type = T_QUEST; break;
	case '{': t->type = T_OPEN_DUP; break;
	case '}': t->type = T_CLOSE_DUP; break;
	case '(': t->type = T_OPEN; break;
	case ')': t->type = T_CLOSE; break;
	case '[': t->type = T_BRACKET; break;
	case '.': t->type = T_PERIOD; break;
	case '^': t->type = T_BOL; break;
	case '$': t->type = T_EOL; break;
	default: break;
	}
	return 1;
}

static void re_fetch(re_comp *p)
{
	p->i += re_peek(p, p->i, &p->tok);
}

/* A new tree node, or -1 (p->fail set) when out of memory. */
static int32_t re_node(re_comp *p, int kind, int32_t x, int32_t n, int32_t max,
		unsigned depth)
{
	re_ast *a;

	if (depth > RE_MAX_NEST || re_grow(&p->ast, &p->aast, p->nast + 1, sizeof *p->ast) < 0) {
		p->fail = 1;
		return -1;
	}
	a = &p->ast[p->nast];
	a->kind = (uint8_t)kind;
	a->anchor = kind == A_BOL || kind == A_EOL;
	a->depth = (uint16_t)depth;
	a->x = x;
	a->n = n;
	a->max = max;
	return (int32_t)p->nast++;
}

static unsigned re_depth(const re_comp *p, int32_t t)
{
	return t < 0 ? 0 : p->ast[t].depth;
}

/* A set node for s as glibc's parser built it: under ICASE the subject is
 * up-cased before the test, so byte b matches when toupper(b) is in s. */
static int32_t re_set_node(re_comp *p, const re_set *s)
{
	/* 'A'..'Z' are bits 1..26 of word 1, 'a'..'z' bits 33..58 */
	const uint64_t upper = 0x7fffffeull, lower = upper << 32;
	re_set f = *s;

	if (p->flags & VM_RE_F_ICASE)
		f.w[1] = (f.w[1] & ~lower) | ((f.w[1] & upper) << 32);
	if (re_grow(&p->sets, &p->asets, p->nsets + 1, sizeof *p->sets) < 0) {
		p->fail = 1;
		return -1;
	}
	p->sets[p->nsets] = f;
	return re_node(p, A_SET, (int32_t)p->nsets++, 0, 0, 1);
}

static int32_t re_char_node(re_comp *p, unsigned c)
{
	re_set s;

	memset(&s, 0, sizeof s);
	set_add(&s, c);
	return re_set_node(p, &s);
}

/* An A_CAT or A_ALT of the children collected in tmp[base..): the single
 * child itself for A_CAT (-1 when none). */
static int32_t re_list_node(re_comp *p, int kind, uint32_t base)
{
	uint32_t k, cnt = p->ntmp - base;
	unsigned depth = 0;
	int32_t t;

	if (p->fail) {
		p->ntmp = base;
		return -1;
	}
	if (kind == A_CAT && cnt <= 1) {
		t = cnt ? p->tmp[base] : -1;
		p->ntmp = base;
		return t;
	}
	if (re_grow(&p->kids, &p->akids, p->nkids + cnt, sizeof *p->kids) < 0) {
		p->fail = 1;
		p->ntmp = base;
		return -1;
	}
	for (k = 0; k < cnt; k++) {
		int32_t c = p->tmp[base + k];

		p->kids[p->nkids + k] = c;
		if (re_depth(p, c) > depth)
			depth = re_depth(p, c);
	}
	t = re_node(p, kind, (int32_t)p->nkids, (int32_t)cnt, 0, depth + 1);
	for (k = 0; t >= 0 && k < cnt; k++)
		if (p->tmp[base + k] >= 0 && p->ast[p->tmp[base + k]].anchor)
			p->ast[t].anchor = 1;
	p->nkids += cnt;
	p->ntmp = base;
	return t;
}

static void re_push(re_comp *p, int32_t t)
{
	if (re_grow(&p->tmp, &p->atmp, p->ntmp + 1, sizeof *p->tmp) < 0) {
		p->fail = 1;
		return;
	}
	p->tmp[p->ntmp++] = t;
}

static int32_t re_parse_alt(re_comp *p, int nest);

/* C-locale character classes, by glibc's names (build_charclass). Under
 * REG_ICASE "upper" and "lower" mean "alpha". -1 for an unknown name. */
static int re_class(re_set *s, const char *name, int icase)
{
	unsigned b;
	int k;
	static const char *const names[] = { "alnum", "cntrl", "lower", "space",
		"alpha", "digit", "print", "upper", "blank", "graph", "punct",
		"xdigit" };

	if (icase && (strcmp(name, "upper") == 0 || strcmp(name, "lower") == 0))
		name = "alpha";
	for (k = 0; k < 12; k++)
		if (strcmp(name, names[k]) == 0)
			break;
	if (k == 12)
		return -1;
	for (b = 0; b < 128; b++) {
		int up = b >= 'A' && b <= 'Z', lo = b >= 'a' && b <= 'z';
		int dig = b >= '0' && b <= '9';
		int graph = b > 32 && b < 127;
		int in;

		switch (k) {
		case 0: in = up || lo || dig; break;
		case 1: in = b < 32 || b == 127; break;
		case 2: in = lo; break;
		case 3: in = b == ' ' || (b >= 9 && b <= 13); break;
		case 4: in = up || lo; break;
		case 5: in = dig; break;
		case 6: in = b >= 32 && b < 127; break;
		case 7: in = up; break;
		case 8: in = b == ' ' || b == '\t'; break;
		case 9: in = graph; break;
		case 10: in = graph && !(up || lo || dig); break;
		default: in = dig || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'); break;
		}
		if (in)
			set_add(s, b);
	}
	return 0;
}

/* glibc's peek_token_bracket. */
static size_t re_peek_bracket(const re_comp *p, re_tok *t)
{
	unsigned c;

	if (p->i >= p->n) {
		t->type = B_END;
		t->c = 0;
		return 0;
	}
	c = p->up[p->i];
	t->c = c;
	if (c == '[') {
		unsigned c2 = p->i + 1 < p->n ? p->up[p->i + 1] : 0;

		t->c = c2;
		switch (c2) {
		case '.': t->type = B_COLL; return 2;
		case '=': t->type = B_EQUIV; return 2;
		case ':': t->type = B_CLASS; return 2;
		default:
			t->type = B_CHAR;
			t->c = c;
			return 1;
		}
	}
	switch (c) {
	case '-': t->type = B_RANGE; break;
	case ']': t->type = B_CLOSE; break;
	case '^': t->type = B_NONMATCH; break;
	default: t->type = B_CHAR; break;
	}
	return 1;
}

/* glibc's parse_bracket_symbol: the name of "[.x.]", "[=x=]", "[:x:]"
 * (class names read raw, the others up-cased under ICASE). 0 or -1. */
static int re_bracket_symbol(re_comp *p, re_elem *e, const re_tok *t)
{
	unsigned delim = t->c;
	size_t k;

	if (p->i >= p->n)
		return -1;
	for (k = 0;; k++) {
		unsigned ch;

		if (k >= sizeof e->name)
			return -1;
		ch = t->type == B_CLASS ? p->raw[p->i] : p->up[p->i];
		p->i++;
		if (p->i >= p->n)
			return -1;
		if (ch == delim && p->up[p->i] == ']')
			break;
		e->name[k] = (char)ch;
	}
	p->i++;
	e->name[k] = '\0';
	e->type = t->type == B_COLL ? E_COLL : t->type == B_EQUIV ? E_EQUIV : E_CLASS;
	return 0;
}

/* glibc's parse_bracket_element. 0 or -1. */
static int re_bracket_elem(re_comp *p, re_elem *e, const re_tok *t, size_t tlen,
		int accept_hyphen)
{
	p->i += tlen;
	if (t->type == B_COLL || t->type == B_EQUIV || t->type == B_CLASS)
		return re_bracket_symbol(p, e, t);
	if (t->type == B_RANGE && !accept_hyphen) {
		re_tok t2;

		re_peek_bracket(p, &t2);
		if (t2.type != B_CLOSE)
			return -1;
	}
	e->type = E_CHAR;
	e->ch = t->c;
	return 0;
}

/* The byte a range end stands for (a "[.x.]" of one byte counts), or -1. */
static int re_range_end(const re_elem *e)
{
	if (e->type == E_CHAR)
		return (int)e->ch;
	if (e->type == E_COLL && strlen(e->name) == 1)
		return (unsigned char)e->name[0];
	return -1;
}

/* glibc's parse_bracket_exp, after the '['. In the C locale every element
 * is a byte and ranges go by byte value. */
static int32_t re_parse_bracket(re_comp *p)
{
	re_set s;
	re_tok t, t2;
	size_t tlen, tlen2 = 0;
	int nonmatch = 0, first = 1;

	memset(&s, 0, sizeof s);
	tlen = re_peek_bracket(p, &t);
	if (t.type == B_END)
		goto fail;
	if (t.type == B_NONMATCH) {
		nonmatch = 1;
		if (p->flags & VM_RE_F_NEWLINE)
			set_add(&s, '\n');
		p->i += tlen;
		tlen = re_peek_bracket(p, &t);
		if (t.type == B_END)
			goto fail;
	}
	if (t.type == B_CLOSE)
		t.type = B_CHAR;
	for (;;) {
		re_elem a, b;
		int range = 0;

		if (re_bracket_elem(p, &a, &t, tlen, first) < 0)
			goto fail;
		first = 0;
		tlen = re_peek_bracket(p, &t);
		if (a.type != E_CLASS && a.type != E_EQUIV) {
			if (t.type == B_END)
				goto fail;
			if (t.type == B_RANGE) {
				p->i += tlen;
				tlen2 = re_peek_bracket(p, &t2);
				if (t2.type == B_END)
					goto fail;
				if (t2.type == B_CLOSE) {
					p->i -= tlen;
					t.type = B_CHAR;
				} else {
					range = 1;
				}
			}
		}
		if (range) {
			int lo, hi, c;

			if (re_bracket_elem(p, &b, &t2, tlen2, 1) < 0)
				goto fail;
			tlen = re_peek_bracket(p, &t);
			lo = re_range_end(&a);
			hi = re_range_end(&b);
			if (lo < 0 || hi < 0 || lo > hi)
				goto fail;
			for (c = lo; c <= hi; c++)
				set_add(&s, (unsigned)c);
		} else if (a.type == E_CHAR) {
			set_add(&s, a.ch);
		} else if (a.type == E_CLASS) {
			if (re_class(&s, a.name, (p->flags & VM_RE_F_ICASE) != 0) < 0)
				goto fail;
		} else {
			if (strlen(a.name) != 1)
				goto fail;
			set_add(&s, (unsigned char)a.name[0]);
		}
		if (t.type == B_END)
			goto fail;
		if (t.type == B_CLOSE)
			break;
	}
	p->i += tlen;
	if (nonmatch) {
		int k;

		for (k = 0; k < 4; k++)
			s.w[k] = ~s.w[k];
	}
	return re_set_node(p, &s);
fail:
	p->fail = 1;
	return -1;
}

/* A set for '.', "\w", "\W", "\s", "\S". */
static int32_t re_op_node(re_comp *p, int type)
{
	re_set s;
	unsigned b;
	int k;

	memset(&s, 0, sizeof s);
	switch (type) {
	case T_PERIOD:
		for (b = 1; b < 256; b++)
			if (b != '\n' || !(p->flags & VM_RE_F_NEWLINE))
				set_add(&s, b);
		return re_set_node(p, &s);
	case T_WORD:
	case T_NOTWORD:
		re_class(&s, "alnum", 0);
		set_add(&s, '_');
		break;
	default:
		re_class(&s, "space", 0);
		break;
	}
	if (type == T_NOTWORD || type == T_NOTSPACE)
		for (k = 0; k < 4; k++)
			s.w[k] = ~s.w[k];
	return re_set_node(p, &s);
}

/* glibc's fetch_number: a repetition count, -1 when empty, -2 invalid. */
static long re_fetch_number(re_comp *p)
{
	long num = -1;

	for (;;) {
		unsigned c;

		re_fetch(p);
		c = p->tok.c;
		if (p->tok.type == T_END)
			return -2;
		if (p->tok.type == T_CLOSE_DUP || c == ',')
			break;
		if (p->tok.type != T_CHAR || c < '0' || c > '9' || num == -2)
			num = -2;
		else if (num == -1)
			num = (long)(c - '0');
		else
			num = num * 10 + (long)(c - '0') > RE_GLIBC_DUP_MAX + 1 ?
				RE_GLIBC_DUP_MAX + 1 : num * 10 + (long)(c - '0');
	}
	return num;
}

/* glibc's parse_dup_op: the repetition operator at p->tok applied to elem. */
static int32_t re_parse_dup(re_comp *p, int32_t elem)
{
	long start, end;

	if (p->tok.type == T_OPEN_DUP) {
		end = 0;
		start = re_fetch_number(p);
		if (start == -1) {
			if (p->tok.type == T_CHAR && p->tok.c == ',')
				start = 0;
			else
				goto fail;
		}
		if (start != -2)
			end = p->tok.type == T_CLOSE_DUP ? start :
				p->tok.type == T_CHAR && p->tok.c == ',' ?
				re_fetch_number(p) : -2;
		if (start == -2 || end == -2)
			goto fail;
		if ((end != -1 && start > end) || p->tok.type != T_CLOSE_DUP)
			goto fail;
		if ((end == -1 ? start : end) > RE_GLIBC_DUP_MAX)
			goto fail;
	} else {
		start = p->tok.type == T_PLUS ? 1 : 0;
		end = p->tok.type == T_QUEST ? 1 : -1;
	}
	re_fetch(p);
	if (elem < 0 || (start == 0 && end == 0))
		return -1;
	/* glibc copies the tree for x+ and x{m,n} (not x*, x?, x{1}), and
	 * its closure then loses anchors inside the copies: "c(()|^a)+y"
	 * matches "cay", "c(()|^a)*y" does not. Left to regexec. */
	if (p->ast[elem].anchor && !(start == 0 && (end == 1 || end == -1)) &&
	    !(start == 1 && end == 1))
		goto fail;
	elem = re_node(p, A_REP, elem, (int32_t)start, (int32_t)end,
			re_depth(p, elem) + 1);
	if (elem >= 0)
		p->ast[elem].anchor = p->ast[p->ast[elem].x].anchor;
	return elem;
fail:
	p->fail = 1;
	return -1;
}

/* glibc's parse_expression: one atom and its repetition operators. */
static int32_t re_parse_expr(re_comp *p, int nest)
{
	int32_t t;

	switch (p->tok.type) {
	case T_CHAR:
	case T_CLOSE:      /* unmatched: RE_UNMATCHED_RIGHT_PAREN_ORD */
	case T_CLOSE_DUP:
		t = re_char_node(p, p->tok.c);
		break;
	case T_OPEN:
		if (nest + 1 > RE_MAX_NEST) {
			p->fail = 1;
			return -1;
		}
		re_fetch(p);
		if (p->tok.type == T_CLOSE) {
			t = -1;
		} else {
			t = re_parse_alt(p, nest + 1);
			if (p->fail)
				return -1;
			if (p->tok.type != T_CLOSE) {
				p->fail = 1;
				return -1;
			}
		}
		break;
	case T_BRACKET:
		t = re_parse_bracket(p);
		break;
	case T_PERIOD:
	case T_WORD:
	case T_NOTWORD:
	case T_SPACE:
	case T_NOTSPACE:
		t = re_op_node(p, p->tok.type);
		break;
	case T_BOL:
	case T_EOL:
		/* anchors take no repetition operator */
		t = re_node(p, p->tok.type == T_BOL ? A_BOL : A_EOL, 0, 0, 0, 1);
		re_fetch(p);
		return t;
	case T_ALT:
	case T_END:
		return -1;
	default:           /* a leading repetition, back-reference, GNU anchor */
		p->fail = 1;
		return -1;
	}
	if (p->fail)
		return -1;
	re_fetch(p);
	while (p->tok.type == T_STAR || p->tok.type == T_PLUS ||
	       p->tok.type == T_QUEST || p->tok.type == T_OPEN_DUP) {
		t = re_parse_dup(p, t);
		if (p->fail)
			return -1;
	}
	return t;
}

/* glibc's parse_branch: a concatenation. */
static int32_t re_parse_branch(re_comp *p, int nest)
{
	uint32_t base = p->ntmp;
	int32_t t;

	t = re_parse_expr(p, nest);
	if (t >= 0)
		re_push(p, t);
	while (!p->fail && p->tok.type != T_ALT && p->tok.type != T_END &&
	       (nest == 0 || p->tok.type != T_CLOSE)) {
		t = re_parse_expr(p, nest);
		if (t >= 0)
			re_push(p, t);
	}
	return re_list_node(p, A_CAT, base);
}

/* glibc's parse_reg_exp: an alternation (empty branches allowed). */
static int32_t re_parse_alt(re_comp *p, int nest)
{
	uint32_t base = p->ntmp;
	int32_t t;

	t = re_parse_branch(p, nest);
	if (p->fail || p->tok.type != T_ALT)
		return t;
	re_push(p, t);
	while (!p->fail && p->tok.type == T_ALT) {
		re_fetch(p);
		if (p->tok.type != T_ALT && p->tok.type != T_END &&
		    (nest == 0 || p->tok.type != T_CLOSE))
			t = re_parse_branch(p, nest);
		else
			t = -1;
		re_push(p, t);
	}
	return re_list_node(p, A_ALT, base);
}

/* ---- NFA ---------------------------------------------------------------- */

static int32_t re_nfa_new(re_comp *p, int op, int32_t out, int32_t x)
{
	if (p->fail || p->nnfa >= RE_MAX_NFA ||
	    re_grow(&p->nfa, &p->anfa, p->nnfa + 1, sizeof *p->nfa) < 0) {
		p->fail = 1;
		return -1;
	}
	p->nfa[p->nnfa].op = (uint8_t)op;
	p->nfa[p->nnfa].out = out;
	p->nfa[p->nnfa].x = x;
	return (int32_t)p->nnfa++;
}

/* Thompson's construction, right to left: the start of tree t's states,
 * which continue to `next`. Repetitions are copied out as glibc does:
 * x{2,4} is x x x? x? (language-wise), x{2,} is x x x*. Recursion depth is
 * the tree's depth (at most RE_MAX_NEST). */
static int32_t re_nfa_build(re_comp *p, int32_t t, int32_t next)
{
	const re_ast *a;
	int32_t k, x, s;

	if (p->fail)
		return -1;
	if (t < 0)
		return next;
	a = &p->ast[t];
	switch (a->kind) {
	case A_SET:
		return re_nfa_new(p, N_SET, next, a->x);
	case A_BOL:
		return re_nfa_new(p, N_BOL, next, -1);
	case A_EOL:
		return re_nfa_new(p, N_EOL, next, -1);
	case A_CAT:
		for (k = a->n - 1; k >= 0 && !p->fail; k--)
			next = re_nfa_build(p, p->kids[a->x + k], next);
		return next;
	case A_ALT:
		s = re_nfa_build(p, p->kids[a->x + a->n - 1], next);
		for (k = a->n - 2; k >= 0 && !p->fail; k--)
			s = re_nfa_new(p, N_SPLIT, re_nfa_build(p, p->kids[a->x + k], next), s);
		return s;
	default: /* A_REP */
		x = next;
		if (a->max < 0) {
			s = re_nfa_new(p, N_SPLIT, -1, next);
			k = re_nfa_build(p, a->x, s);
			if (p->fail)
				return -1;
			p->nfa[s].out = k;
			x = s;
		} else {
			for (k = a->n; k < a->max && !p->fail; k++)
				x = re_nfa_new(p, N_SPLIT, re_nfa_build(p, a->x, x), next);
		}
		for (k = 0; k < a->n && !p->fail; k++)
			x = re_nfa_build(p, a->x, x);
		return x;
	}
}

/* ---- Steps of the automaton --------------------------------------------- */

/* Scratch space for closures, sized by the NFA. */
typedef struct {
	uint32_t *mark;    /* visited in this closure */
	uint32_t *seen;    /* set state collected in this step */
	uint32_t *kmark;   /* in the next kernel */
	int32_t *stack;
	int32_t *setl;     /* set states reached */
	uint32_t nsetl;
	int32_t *k0, *k1;  /* kernels */
	uint32_t stamp;
	uint32_t nnfa;
	uint64_t work;
} re_work;

static re_work *re_work_new(uint32_t nnfa)
{
	re_work *w;
	size_t n = nnfa ? nnfa : 1;

	w = calloc(1, sizeof *w + 7 * n * sizeof(uint32_t));
	if (w == NULL)
		return NULL;
	w->mark = (uint32_t *)(w + 1);
	w->seen = w->mark + n;
	w->kmark = w->seen + n;
	w->stack = (int32_t *)(w->kmark + n);
	w->setl = w->stack + n;
	w->k0 = w->setl + n;
	w->k1 = w->k0 + n;
	w->nnfa = nnfa;
	return w;
}

/* A fresh stamp for the mark arrays (cleared when the counter wraps). */
static uint32_t re_stamp(re_work *w)
{
	if (++w->stamp == 0) {
		memset(w->mark, 0, 3 * (size_t)(w->nnfa ? w->nnfa : 1) * sizeof(uint32_t));
		w->stamp = 1;
	}
	return w->stamp;
}

/* Follow the empty moves from seed[0..n): '^' passes when bol, '$' when eol.
 * With collect, each set state reached is added once per step (stamp sg)
 * to w->setl. Returns 1 when the match state is reached. */
static int re_close(const vm_re *re, re_work *w, const int32_t *seed, uint32_t n,
		int bol, int eol, uint32_t sg)
{
	uint32_t g = re_stamp(w), sp = 0, k;
	int match = 0;

	for (k = 0; k < n; k++)
		if (w->mark[seed[k]] != g) {
			w->mark[seed[k]] = g;
			w->stack[sp++] = seed[k];
		}
	while (sp > 0) {
		int32_t s = w->stack[--sp], to = -1, to2 = -1;
		const re_nfa *q = &re->nfa[s];

		w->work++;
		switch (q->op) {
		case N_MATCH:
			match = 1;
			break;
		case N_SET:
			if (sg && w->seen[s] != sg) {
				w->seen[s] = sg;
				w->setl[w->nsetl++] = s;
			}
			break;
		case N_SPLIT:
			to = q->out;
			to2 = q->x;
			break;
		case N_BOL:
			if (bol)
				to = q->out;
			break;
		default:
			if (eol)
				to = q->out;
			break;
		}
		if (to >= 0 && w->mark[to] != g) {
			w->mark[to] = g;
			w->stack[sp++] = to;
		}
		if (to2 >= 0 && w->mark[to2] != g) {
			w->mark[to2] = g;
			w->stack[sp++] = to2;
		}
	}
	return match;
}

/* The first half of a step from kernel K[0..nk) with flags fl: the
 * closure for a next byte of kind c (-1 the end of the subject, '\n', or
 * any other byte: the closure only depends on which). T_MATCH when a match
 * ends before that byte, T_DEAD at the end without one, else 0 with the
 * set states reached in w->setl for re_take. See the file comment for the
 * context rules. */
static int re_reach(const vm_re *re, re_work *w, const int32_t *K, uint32_t nk,
		unsigned fl, int c)
{
	int eol_take = c < 0 || c == '\n';  /* '$' before consuming c */
	int eol_end = c < 0 || ((re->flags & VM_RE_F_NEWLINE) && c == '\n');
	int kbol = (fl & F_KNL) != 0, sbol = (fl & F_SNL) != 0;
	int inj = (fl & F_INJ) != 0;
	int32_t st = re->start;
	uint32_t sg;
	int m;

	w->nsetl = 0;
	sg = re_stamp(w);
	if (eol_take != eol_end) {
		/* '\n' without REG_NEWLINE: '$' may let it be consumed but may
		 * not end a match here */
		if (re_close(re, w, K, nk, kbol, 0, 0) ||
		    (inj && re_close(re, w, &st, 1, sbol, 0, 0)))
			return T_MATCH;
		re_close(re, w, K, nk, kbol, 1, sg);
		if (inj)
			re_close(re, w, &st, 1, sbol, 1, sg);
		return 0;
	}
	m = re_close(re, w, K, nk, kbol, eol_take, sg);
	if (inj)
		m |= re_close(re, w, &st, 1, sbol, eol_take, sg);
	return m ? T_MATCH : c < 0 ? T_DEAD : 0;
}

/* The second half: consume byte c (of the kind re_reach was given) from
 * the set states in w->setl. T_DEAD when nothing can match any more, else
 * 0 with the next kernel in out[0..*nout) (unsorted) and its flags. */
static int re_take(const vm_re *re, re_work *w, int c, int32_t *out,
		uint32_t *nout, unsigned *ofl)
{
	int nl = (re->flags & VM_RE_F_NEWLINE) != 0;
	uint32_t kg = re_stamp(w), k, n = 0;
	unsigned fl = 0;

	for (k = 0; k < w->nsetl; k++) {
		const re_nfa *q = &re->nfa[w->setl[k]];

		if (set_has(&re->sets[q->x], (unsigned)c) && w->kmark[q->out] != kg) {
			w->kmark[q->out] = kg;
			out[n++] = q->out;
		}
	}
	if (n > 0 && c == '\n')
		fl |= F_KNL;
	if (re->inject[nl && c == '\n'])
		fl |= F_INJ | (nl && c == '\n' ? F_SNL : 0);
	/* nothing left, and no match can start later: under REG_NEWLINE one
	 * can start after a '\n' still to come */
	if (n == 0 && !(fl & F_INJ) && !(nl && re->inject[1]))
		return T_DEAD;
	*nout = n;
	*ofl = fl;
	return 0;
}

static void re_sort(int32_t *a, uint32_t n)
{
	uint32_t i, j;

	/* kernels are short: insertion sort; shell gaps for the long ones */
	static const uint32_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	size_t g;

	for (g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
		uint32_t h = gaps[g];

		for (i = h; i < n; i++) {
			int32_t v = a[i];

			for (j = i; j >= h && a[j - h] > v; j -= h)
				a[j] = a[j - h];
			a[j] = v;
		}
	}
}

static uint32_t re_hash(const int32_t *K, uint32_t n, unsigned fl)
{
	uint32_t h = 2166136261u ^ fl, k;

	for (k = 0; k < n; k++)
		h = (h ^ (uint32_t)K[k]) * 16777619u;
	return h ^ (h >> 15);
}

/* The state of kernel K (sorted) and flags fl, or -1. */
static int32_t re_lookup(const vm_re *re, const int32_t *K, uint32_t n, unsigned fl)
{
	uint32_t h = re_hash(K, n, fl) & re->hmask;

	while (re->hash[h] != 0) {
		uint32_t s = re->hash[h] - 1;

		if (re->kst[s].fl == fl && re->kst[s].len == n &&
		    (n == 0 || memcmp(re->kpool + re->kst[s].off, K, n * sizeof *K) == 0))
			return (int32_t)s;
		h = (h + 1) & re->hmask;
	}
	return -1;
}

/* ---- DFA construction --------------------------------------------------- */

/* Byte classes: bytes no set, no anchor rule and no "end of subject" can
 * tell apart share a class; NUL and '\n' have classes of their own. The
 * sets are first cut into runs of bytes none of them splits (a shift and
 * a xor per set), then runs are grouped, set by set: O(sets x runs). */
static void re_classes(vm_re *re)
{
	uint64_t cut[4] = { 0x3u | (3u << '\n'), 0, 0, 0 };
	uint16_t start[256];
	uint8_t rcls[256], next[256];
	int16_t map[512];
	uint32_t nrun = 0, n = 1, k, r;
	unsigned b;

	for (k = 0; k < re->nsets; k++) {
		const uint64_t *w = re->sets[k].w;

		for (r = 0; r < 4; r++)
			cut[r] |= w[r] ^ ((w[r] << 1) | (r ? w[r - 1] >> 63 : 0));
	}
	for (b = 0; b < 256; b++)
		if ((cut[b >> 6] >> (b & 63)) & 1u)
			start[nrun++] = (uint16_t)b;
	memset(rcls, 0, sizeof rcls);
	for (k = 0; k < re->nsets + 2; k++) {
		re_set one;
		const re_set *s = &one;

		if (k < re->nsets) {
			s = &re->sets[k];
		} else {
			memset(&one, 0, sizeof one);
			set_add(&one, k == re->nsets ? 0 : '\n');
		}
		memset(map, -1, 2 * n * sizeof *map);
		for (r = 0, n = 0; r < nrun; r++) {
			int key = rcls[r] * 2 + set_has(s, start[r]);

			if (map[key] < 0)
				map[key] = (int16_t)n++;
			next[r] = (uint8_t)map[key];
		}
		memcpy(rcls, next, nrun);
	}
	for (b = 0, r = 0; b < 256; b++) {
		if (r + 1 < nrun && start[r + 1] == b)
			r++;
		re->cls[b] = rcls[r];
	}
	re->ncls = n;
	re->nulcls = re->cls[0];
}

/* Add the state (K sorted, fl): its index, or -1 when out of memory. */
static int32_t re_add_state(vm_re *re, const int32_t *K, uint32_t n, unsigned fl,
		uint32_t *akst, uint32_t *apool, uint32_t *npool, uint32_t *atrans)
{
	uint32_t s = re->nstates, h;

	if (2 * (s + 1) > re->hmask + 1) {
		/* keep the table at most half full: double it */
		uint32_t mask = re->hmask * 2 + 1, i;
		uint32_t *t = calloc((size_t)mask + 1, sizeof *t);

		if (t == NULL)
			return -1;
		for (i = 0; i < s; i++) {
			h = re_hash(re->kpool + re->kst[i].off, re->kst[i].len, re->kst[i].fl) & mask;
			while (t[h] != 0)
				h = (h + 1) & mask;
			t[h] = i + 1;
		}
		free(re->hash);
		re->hash = t;
		re->hmask = mask;
	}
	if (re_grow(&re->kst, akst, s + 1, sizeof *re->kst) < 0 ||
	    re_grow(&re->kpool, apool, *npool + n, sizeof *re->kpool) < 0 ||
	    re_grow(&re->trans, atrans, (s + 1) * re->ncls, sizeof *re->trans) < 0)
		return -1;
	if (n)
		memcpy(re->kpool + *npool, K, n * sizeof *K);
	re->kst[s].off = *npool;
	re->kst[s].len = n;
	re->kst[s].fl = fl;
	*npool += n;
	h = re_hash(K, n, fl) & re->hmask;
	while (re->hash[h] != 0)
		h = (h + 1) & re->hmask;
	re->hash[h] = s + 1;
	re->nstates++;
	return (int32_t)s;
}

/* Build the DFA breadth first from the start state, up to RE_MAX_DFA
 * states, RE_MAX_TRANS entries and RE_MAX_WORK closure steps; transitions
 * beyond are T_FRONT. 0, or -1 when out of memory. */
static int re_dfa_build(vm_re *re)
{
	uint32_t akst = 0, apool = 0, npool = 0, atrans = 0;
	uint32_t maxstates, s, k, rep[256];
	re_set *cmask;  /* per set: the classes of its bytes */
	int have_front = 0;
	re_work *w;
	unsigned b;
	int32_t st;

	re_classes(re);
	for (b = 256; b-- > 0;)
		rep[re->cls[b]] = b;
	cmask = calloc(re->nsets ? re->nsets : 1, sizeof *cmask);
	if (cmask == NULL)
		return -1;
	for (s = 0; s < re->nsets; s++)
		for (k = 0; k < re->ncls; k++)
			if (set_has(&re->sets[s], rep[k]))
				set_add(&cmask[s], k);
	maxstates = RE_MAX_TRANS / re->ncls;
	if (maxstates > RE_MAX_DFA)
		maxstates = RE_MAX_DFA;
	re->hmask = 63;
	re->hash = calloc((size_t)re->hmask + 1, sizeof *re->hash);
	w = re_work_new(re->nnfa);
	if (re->hash == NULL || w == NULL)
		goto fail;
	/* whether starting a match is any use where '^' is false / true: its
	 * closure reaches a byte to consume or the end ("^a" is no use at 1) */
	for (k = 0; k < 2; k++) {
		w->nsetl = 0;
		re->inject[k] = (uint8_t)(re_close(re, w, &re->start, 1, (int)k, 1, re_stamp(w)) ||
				w->nsetl > 0);
	}
	/* state 0, position 0: a match starts there, '^' holds */
	if (re_add_state(re, NULL, 0, F_INJ | F_SNL, &akst, &apool, &npool, &atrans) < 0)
		goto fail;
	for (s = 0; s < re->nstates; s++) {
		uint32_t nk = re->kst[s].len;
		int kind;

		if (nk)
			memcpy(w->k0, re->kpool + re->kst[s].off, nk * sizeof *w->k0);
		/* the closure depends only on the kind of the next byte: take it
		 * once per kind (ordinary, '\n', end), then each class's byte */
		for (kind = 0; kind < 3; kind++) {
			int c0 = kind == 0 ? 'a' : kind == 1 ? '\n' : -1;
			int32_t idle_tr = 0;
			int r0 = 0, reached = 0, have_idle = 0;
			re_set live;   /* classes some reached set state takes */

			for (k = 0; k < re->ncls; k++) {
				int32_t *tr = &re->trans[s * re->ncls + k];
				int c = k == re->nulcls ? -1 : (int)rep[k];
				uint32_t nout = 0, j;
				unsigned ofl = 0;
				int r;

				if ((c < 0 ? -1 : c == '\n' ? '\n' : 'a') != c0)
					continue;
				if (w->work > RE_MAX_WORK) {
					*tr = T_FRONT;
					have_front = 1;
					continue;
				}
				if (!reached) {
					r0 = re_reach(re, w, w->k0, nk, re->kst[s].fl, c0);
					reached = 1;
					memset(&live, 0, sizeof live);
					for (j = 0; r0 == 0 && j < w->nsetl; j++)
						for (b = 0; b < 4; b++)
							live.w[b] |= cmask[re->nfa[w->setl[j]].x].w[b];
				}
				/* classes no reached state takes all go to one place */
				if (r0 == 0 && !set_has(&live, k) && have_idle) {
					*tr = idle_tr;
					continue;
				}
				r = r0 < 0 ? r0 : re_take(re, w, c, w->k1, &nout, &ofl);
				if (r < 0) {
					*tr = r;
				} else {
					w->work += nout;
					re_sort(w->k1, nout);
					st = re_lookup(re, w->k1, nout, ofl);
					if (st < 0 && re->nstates < maxstates) {
						st = re_add_state(re, w->k1, nout, ofl, &akst,
								&apool, &npool, &atrans);
						if (st < 0)
							goto fail;
						tr = &re->trans[s * re->ncls + k];  /* moved */
					}
					if (st < 0) {
						*tr = T_FRONT;
						have_front = 1;
					} else {
						*tr = st * (int32_t)re->ncls;
					}
				}
				if (r0 == 0 && !set_has(&live, k)) {
					idle_tr = *tr;
					have_idle = 1;
				}
			}
		}
		w->work += nk;
	}
	free(w);
	free(cmask);
	/* The idle state: no match in progress, one may start at the next
	 * byte. Unanchored patterns sit in it most of the time, looping on
	 * most bytes; the walk skips those with a table (one independent load
	 * per byte instead of a dependent chain; what glibc's fastmap does). */
	re->idle = -1;
	st = re_lookup(re, NULL, 0, F_INJ);
	if (st >= 0) {
		uint32_t loops = 0;

		for (b = 0; b < 256; b++) {
			re->leave[b] = re->trans[(uint32_t)st * re->ncls + re->cls[b]] !=
				st * (int32_t)re->ncls;
			loops += !re->leave[b];
		}
		if (loops >= 128)
			re->idle = st * (int32_t)re->ncls;
	}
	/* Self-loops of every state, for re_dfa_run's skip: "^x+$" spends its
	 * time in one state looping on 'x'; testing the next bytes against
	 * that state's table is one independent load per byte instead of the
	 * dependent chain cls -> trans -> row (about 1 ns a byte instead of 2
	 * on the anchor loop of regress/bench/vm-loop). */
	if (re->nstates <= RE_STAY_MAX && (re->stay = malloc((size_t)re->nstates * 256)) != NULL) {
		for (uint32_t k = 0; k < re->nstates; k++)
			for (b = 0; b < 256; b++)
				re->stay[k * 256 + b] = b != 0 &&
					re->trans[k * re->ncls + re->cls[b]] == (int32_t)(k * re->ncls);
	}
	if (!have_front) {
		/* the table is complete: only it is needed to match */
		free(re->kst);
		free(re->kpool);
		free(re->hash);
		free(re->nfa);
		free(re->sets);
		re->kst = NULL;
		re->kpool = NULL;
		re->hash = NULL;
		re->nfa = NULL;
		re->sets = NULL;
	}
	{
		int32_t *t = realloc(re->trans, (size_t)re->nstates * re->ncls * sizeof *t);

		if (t != NULL)
			re->trans = t;
	}
	return 0;
fail:
	free(w);
	free(cmask);
	return -1;
}

/* ---- Matching ----------------------------------------------------------- */

/* NFA steps from the state of row *rowp at s[*ip] (after a T_FRONT
 * transition) until a match is decided or a built state is met again:
 * 1, 0, VM_E_NOMEM, or 2 with *rowp and *ip where the table takes over.
 * *wp is the scratch space, allocated on first use (the caller frees it). */
static int re_front(const vm_re *re, re_work **wp, int32_t *rowp,
		const unsigned char *s, size_t *ip, size_t len)
{
	uint32_t st = (uint32_t)*rowp / re->ncls, nk = re->kst[st].len, nout;
	unsigned fl = re->kst[st].fl, ofl;
	size_t i = *ip;
	int32_t *K, *N, *x, next;
	re_work *w = *wp;

	if (w == NULL && (w = *wp = re_work_new(re->nnfa)) == NULL)
		return VM_E_NOMEM;
	K = w->k0;
	N = w->k1;
	if (nk)
		memcpy(K, re->kpool + re->kst[st].off, nk * sizeof *K);
	for (;;) {
		int c = i < len && s[i] != 0 ? s[i] : -1;
		int r = re_reach(re, w, K, nk, fl, c);

		if (r == 0)
			r = re_take(re, w, c, N, &nout, &ofl);
		if (r < 0)
			return r == T_MATCH;
		i++;
		x = K;
		K = N;
		N = x;
		nk = nout;
		fl = ofl;
		re_sort(K, nk);
		next = re_lookup(re, K, nk, fl);
		if (next >= 0) {
			*rowp = next * (int32_t)re->ncls;
			*ip = i;
			return 2;
		}
	}
}

/* Walk the DFA over s[0..len) (the first NUL ends it). 1, 0, or
 * VM_E_NOMEM (scratch space for NFA steps past the built states). The
 * loop is kept apart from re_front so its pointers stay in registers:
 * one dependent load per byte, ~2 ns. */
static int re_dfa_run(const vm_re *re, const unsigned char *s, size_t len)
{
	const int32_t *tr = re->trans;
	const uint8_t *cls = re->cls;
	const uint8_t *leave = re->leave;
	int32_t row = 0, t = T_DEAD, idle = re->idle;
	re_work *w = NULL;
	size_t i = 0;
	int rc;

	if (idle >= 0)
		len = strnlen((const char *)s, len);  /* the skip need not stop at NUL */
	for (;;) {
		if (idle < 0 && re->stay) {
			const uint8_t *stay = re->stay;
			uint32_t ncls = re->ncls;
			for (; i < len; i++) {
				t = tr[row + cls[s[i]]];
				if (t < 0)
					break;
				if (t == row) {
					/* a self-loop: skip the bytes that stay */
					const uint8_t *st = stay + (size_t)((uint32_t)row / ncls) * 256;
					while (i + 1 < len && st[s[i + 1]])
						i++;
				}
				row = t;
			}
		} else if (idle < 0) {
			for (; i < len; i++) {
				t = tr[row + cls[s[i]]];
				if (t < 0)
					break;
				row = t;
			}
		} else {
			for (; i < len; i++) {
				if (row == idle) {
					while (i < len && !leave[s[i]])
						i++;
					if (i == len)
						break;
				}
				t = tr[row + cls[s[i]]];
				if (t < 0)
					break;
				row = t;
			}
		}
		if (i == len)
			t = tr[row + re->nulcls];
		if (t != T_FRONT) {
			rc = t == T_MATCH;
			break;
		}
		rc = re_front(re, &w, &row, s, &i, len);
		if (rc != 2)
			break;
	}
	free(w);
	return rc;
}

/* ---- Compile, match, free ----------------------------------------------- */

/* The literal kinds: a concatenation of sets that each match one byte
 * (under REG_ICASE: one byte up to case), with '^' first and/or '$' last
 * only without REG_NEWLINE; an unanchored literal with letters under
 * REG_ICASE is left to the automaton (no memmem for it). 1 when re was set
 * up so. */
static int re_try_literal(re_comp *p, int32_t root, vm_re *re)
{
	const int32_t *items = &root;
	uint32_t n = 1, k, lo = 0, hi;
	int bol = 0, eol = 0, fold = 0;

	if (root < 0)
		return 0;
	if (p->ast[root].kind == A_CAT) {
		items = p->kids + p->ast[root].x;
		n = (uint32_t)p->ast[root].n;
	}
	hi = n;
	if (p->ast[items[0]].kind == A_BOL) {
		bol = 1;
		lo = 1;
	}
	if (hi > lo && p->ast[items[hi - 1]].kind == A_EOL) {
		eol = 1;
		hi--;
	}
	if (hi <= lo || ((bol || eol) && (p->flags & VM_RE_F_NEWLINE)))
		return 0;
	re->lit = malloc(hi - lo);
	if (re->lit == NULL)
		return 0;
	for (k = lo; k < hi; k++) {
		const re_ast *a = &p->ast[items[k]];
		const re_set *s;
		unsigned b, u = 0, cnt = 0, want = 1;

		if (a->kind != A_SET)
			goto no;
		s = &p->sets[a->x];
		for (b = 0; b < 4; b++)
			if (s->w[b]) {
				cnt += (unsigned)__builtin_popcountll(s->w[b]);
				u = b * 64 + 63 - (unsigned)__builtin_clzll(s->w[b]);
			}
		if (p->flags & VM_RE_F_ICASE) {
			u = re_upper(u);
			if (u >= 'A' && u <= 'Z')
				want = 2;
			if (!set_has(s, u) || (want == 2 && !set_has(s, u + 'a' - 'A')))
				goto no;
			fold |= want == 2;
		}
		if (cnt != want || u == 0)
			goto no;
		re->lit[k - lo] = (unsigned char)u;
	}
	if (fold && !bol && !eol)
		goto no;
	re->litlen = hi - lo;
	re->litfold = fold;
	re->kind = bol && eol ? RE_K_EXACT : bol ? RE_K_PREFIX : eol ? RE_K_SUFFIX : RE_K_LIT;
	return 1;
no:
	free(re->lit);
	re->lit = NULL;
	return 0;
}

/* Our own compilation of pattern z[0..n): 0 with re's kind set, -1 when
 * the pattern is left to regexec (re untouched but for freed parts). */
static int re_compile_own(vm_re *re, const char *z, size_t n)
{
	re_comp p;
	int32_t root, match;
	size_t k;
	int rc = -1;

	memset(&p, 0, sizeof p);
	p.raw = (const unsigned char *)z;
	p.n = n;
	p.flags = re->flags;
	p.up = malloc(n + 1);
	if (p.up == NULL)
		return -1;
	for (k = 0; k < n; k++)
		p.up[k] = (unsigned char)((re->flags & VM_RE_F_ICASE) ?
				re_upper(p.raw[k]) : p.raw[k]);
	re_fetch(&p);
	root = re_parse_alt(&p, 0);
	if (p.fail || p.tok.type != T_END)
		goto out;
	if (re_try_literal(&p, root, re)) {
		rc = 0;
		goto out;
	}
	match = re_nfa_new(&p, N_MATCH, -1, -1);
	re->start = re_nfa_build(&p, root, match);
	if (p.fail)
		goto out;
	re->nfa = p.nfa;
	re->nnfa = p.nnfa;
	re->sets = p.sets;
	re->nsets = p.nsets;
	p.nfa = NULL;
	p.sets = NULL;
	re->kind = RE_K_DFA;
	if (re_dfa_build(re) < 0) {
		re->kind = RE_K_REGEXEC;
		goto out;
	}
	rc = 0;
out:
	free(p.up);
	free(p.ast);
	free(p.kids);
	free(p.tmp);
	free(p.sets);
	free(p.nfa);
	return rc;
}

/* Whether the process runs in the C locale, where our classes, case
 * folding and ranges are glibc's (sipvm never calls setlocale). */
static int re_c_locale(void)
{
	const char *l;

	if (MB_CUR_MAX != 1)
		return 0;
	l = setlocale(LC_ALL, NULL);
	return l != NULL && (strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0);
}

/* Free what our own compilation built (and forget it). */
static void re_free_parts(vm_re *re)
{
	free(re->lit);
	free(re->trans);
	free(re->stay);
	free(re->sets);
	free(re->nfa);
	free(re->kst);
	free(re->kpool);
	free(re->hash);
	re->lit = NULL;
	re->trans = NULL;
	re->stay = NULL;
	re->sets = NULL;
	re->nfa = NULL;
	re->kst = NULL;
	re->kpool = NULL;
	re->hash = NULL;
}

/* Compile src[0..len) (up to a NUL byte inside): regcomp validates it and
 * gives the error message; then our matcher is built, or the regex_t kept
 * when the pattern is left to regexec (see the file comment). 0 with *out
 * (vm_re_free it), VM_E_REGEX with regerror's message in err[0..errlen),
 * VM_E_NOMEM. */
int vm_re_compile(vm_re **out, const char *src, size_t len, unsigned flags,
		char *err, size_t errlen)
{
	vm_re *re;
	char *z;
	int rc;

	*out = NULL;
	len = src == NULL ? 0 : strnlen(src, len);
	z = malloc(len + 1);
	re = calloc(1, sizeof *re);
	if (z == NULL || re == NULL) {
		free(z);
		free(re);
		return VM_E_NOMEM;
	}
	if (len)
		memcpy(z, src, len);
	z[len] = '\0';
	re->flags = flags & (VM_RE_F_ICASE | VM_RE_F_NEWLINE);
	rc = regcomp(&re->rx, z, RE_REGFLAGS(re->flags));
	if (rc != 0) {
		if (err != NULL && errlen > 0)
			regerror(rc, &re->rx, err, errlen);
		free(z);
		free(re);
		return VM_E_REGEX;
	}
	re->kind = RE_K_REGEXEC;
	if (re_c_locale() && re_compile_own(re, z, len) == 0) {
		regfree(&re->rx);
	} else {
		re_free_parts(re);
		re->kind = RE_K_REGEXEC;
	}
	free(z);
	*out = re;
	return 0;
}

/* Whether s[0..litlen) is the literal (up to case under litfold). The
 * literal holds no NUL, so a NUL in s never matches. */
static int re_lit_eq(const vm_re *re, const unsigned char *s)
{
	size_t k;

	if (!re->litfold)
		return memcmp(s, re->lit, re->litlen) == 0;
	for (k = 0; k < re->litlen; k++)
		if (re_upper(s[k]) != re->lit[k])
			return 0;
	return 1;
}

/* 1 when s[0..len) (up to its first NUL) holds a match, 0 when not,
 * VM_E_NOMEM when the NFA steps past the built DFA find no memory. */
int vm_re_match(const vm_re *re, const char *s, size_t len)
{
	const unsigned char *u;
	size_t n;

	if (s == NULL) {
		s = "";
		len = 0;
	}
	u = (const unsigned char *)s;
	switch (re->kind) {
	case RE_K_DFA:
		return re_dfa_run(re, u, len);
	case RE_K_LIT:
		if (re->litlen == 1) {
			const unsigned char *q = memchr(u, re->lit[0], len);

			return q != NULL && memchr(u, 0, (size_t)(q - u)) == NULL;
		} else {
			const unsigned char *q = memmem(u, len, re->lit, re->litlen);

			return q != NULL && memchr(u, 0, (size_t)(q - u)) == NULL;
		}
	case RE_K_PREFIX:
		return len >= re->litlen && re_lit_eq(re, u);
	case RE_K_SUFFIX:
		n = strnlen(s, len);
		return n >= re->litlen && re_lit_eq(re, u + n - re->litlen);
	case RE_K_EXACT:
		return len >= re->litlen && re_lit_eq(re, u) &&
			(len == re->litlen || u[re->litlen] == 0);
	default:
		break;
	}
	{
		int rc = vm_regexec(&re->rx, s, len, 0, NULL, 0);
		return rc == REG_ESPACE ? VM_E_NOMEM : rc == 0;
	}
}

/* Free a compiled expression (NULL is allowed). */
void vm_re_free(vm_re *re)
{
	if (re == NULL)
		return;
	if (re->kind == RE_K_REGEXEC)
		regfree(&re->rx);
	re_free_parts(re);
	free(re);
}
