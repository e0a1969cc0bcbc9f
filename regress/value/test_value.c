/*
 * test_value.c — run-time values, conversions and expression operators
 * (vm/vm_value.c), TAP.
 *
 * Expectations come from the language spec (§6.3, §11.3 X1–X33, §12
 * "Types and conversions"); where the spec is silent they were observed on
 * a real Kamailio 5.6.3 (configs run in event_route[core:worker-one-init],
 * operands held in $var/$avp so the fixup cannot fold them, results printed
 * with xlog) and are marked "5.6.3:" below. Parse-time rules (precedence,
 * the `== ""` and `== $null` rewrites, type errors) belong to the compiler:
 * here the operators are applied in the order the grammar gives, and the
 * rewritten form is what is tested.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vm.h"

#include "../tap.h"

static vm_arena A;

static vm_value S(const char *s)
{
	return vm_str(s, strlen(s));
}

static vm_value I(int32_t i)
{
	return vm_int(i);
}

static vm_value N(void)
{
	return vm_null();
}

/* Binary operator with an int result. */
static void t2i(vm_op2_fn f, vm_value l, vm_value r, int32_t want, const char *what)
{
	vm_value res = S("junk");
	int rc = f(&A, &res, &l, &r);

	ok(rc == 0 && res.kind == VM_INT && res.i == want,
	   "%s is %d (rc %d, kind %d, i %d)", what, (int)want, rc, res.kind, (int)res.i);
}

/* Binary operator with a string result (want[0..wlen)). */
static void t2s(vm_op2_fn f, vm_value l, vm_value r, const char *want, size_t wlen,
		const char *what)
{
	vm_value res = I(-99);
	int rc = f(&A, &res, &l, &r);

	ok(rc == 0 && res.kind == VM_STR && res.len == wlen &&
	   (wlen == 0 || memcmp(res.s, want, wlen) == 0),
	   "%s is \"%s\" (rc %d, kind %d)", what, want, rc, res.kind);
}

/* Binary operator failing with err and leaving the result alone. */
static void t2e(vm_op2_fn f, vm_value l, vm_value r, int err, const char *what)
{
	vm_value res = I(77);
	int rc = f(&A, &res, &l, &r);

	ok(rc == err && res.kind == VM_INT && res.i == 77,
	   "%s fails with %d (%s), result untouched (rc %d)", what, err,
	   vm_strerror(err), rc);
}

static void t1i(vm_op1_fn f, vm_value x, int32_t want, const char *what)
{
	vm_value res = S("junk");
	int rc = f(&A, &res, &x);

	ok(rc == 0 && res.kind == VM_INT && res.i == want,
	   "%s is %d (rc %d, kind %d, i %d)", what, (int)want, rc, res.kind, (int)res.i);
}

static void t1s(vm_op1_fn f, vm_value x, const char *want, const char *what)
{
	vm_value res = I(-99);
	int rc = f(&A, &res, &x);
	size_t wlen = strlen(want);

	ok(rc == 0 && res.kind == VM_STR && res.len == wlen &&
	   (wlen == 0 || memcmp(res.s, want, wlen) == 0),
	   "%s is \"%s\" (rc %d, kind %d)", what, want, rc, res.kind);
}

/* str -> int: vm_to_int and vm_str_to_int agree; `conv` says whether the
 * string is a number at all. */
static void t_conv(const char *s, size_t len, int32_t want, int conv, const char *what)
{
	vm_value v = vm_str(s, len);
	int32_t out = 12345;
	int rc = vm_str_to_int(s, len, &out);

	ok(vm_to_int(&v) == want && out == want && (rc == 0) == conv,
	   "(int)%s is %d%s (got %d, rc %d)", what, (int)want,
	   conv ? "" : ", not a number", (int)vm_to_int(&v), rc);
}

#define CONV(lit, want, conv) t_conv(lit, sizeof(lit) - 1, want, conv, "\"" lit "\"")

/* §6.3 and §12 conversions; every string also run through 5.6.3 with
 * `(int)$var(s)` and `0 + $var(s)` (same answers both ways). */
static void test_conversions(void)
{
	char buf[VM_INT_DEC_MAX];
	const char *s;
	size_t len;
	vm_value v, out;

	CONV("12", 12, 1);
	CONV("", 0, 0);
	CONV(" 12", 0, 0);
	CONV("12 ", 0, 0);
	CONV("1e3", 0, 0);
	CONV("12abc", 0, 0);
	CONV("08", 8, 1);
	CONV("00012", 12, 1);
	CONV("2147483647", 2147483647, 1);
	CONV("2147483648", 0, 0);
	CONV("-2147483648", INT32_MIN, 1);   /* 5.6.3 */
	CONV("-2147483649", 0, 0);           /* 5.6.3 */
	CONV("4294967297", 0, 0);            /* 5.6.3: no wrap */
	CONV("99999999999", 0, 0);           /* 5.6.3 */
	CONV("+5", 5, 1);
	CONV("-0", 0, 1);
	CONV("--5", 0, 0);
	CONV("+-5", 0, 0);                   /* 5.6.3 */
	CONV("0x1F", 31, 1);
	CONV("0X1f", 31, 1);
	CONV("0xFFFFFFFF", -1, 1);
	CONV("0xffffffff", -1, 1);
	CONV("0x7FFFFFFF", INT32_MAX, 1);    /* 5.6.3 */
	CONV("0x80000000", INT32_MIN, 1);    /* 5.6.3 */
	CONV("0x00000000FF", 255, 1);        /* 5.6.3: leading zeros are fine */
	CONV("0x100000000", 0, 1);           /* 5.6.3: only the low 32 bits */
	CONV("0x1FFFFFFFF", -1, 1);          /* 5.6.3 */
	CONV("0x123456789", 0x23456789, 1);  /* 5.6.3: 591751049 */
	CONV("0x", 0, 0);
	CONV("0xg", 0, 0);
	CONV("0x-1", 0, 0);
	CONV("-0x10", 0, 0);
	CONV("0x 1", 0, 0);
	CONV("abc", 0, 0);
	/* 5.6.3: a lone sign gives 0 */
	v = S("+");
	ok(vm_to_int(&v) == 0, "(int)\"+\" is 0");
	v = S("-");
	ok(vm_to_int(&v) == 0, "(int)\"-\" is 0");
	/* NUL bytes: "5\06" is not a number (5.6.3, built with s.decode.hexa) */
	CONV("5\0" "6", 0, 0);
	CONV("1\0", 0, 0);
	/* not NUL-terminated: only len bytes are read */
	t_conv("123456", 2, 12, 1, "\"12\" (first 2 of \"123456\")");

	v = N();
	ok(vm_to_int(&v) == 0, "null as int is 0");
	vm_str_view(&v, buf, &s, &len);
	ok(len == 0 && s != NULL, "null as str is \"\"");
	v = vm_str(NULL, 0);
	vm_str_view(&v, buf, &s, &len);
	ok(len == 0 && s != NULL, "an empty string with no pointer views as \"\"");

	ok(vm_int_to_dec(0, buf) == 1 && strcmp(buf, "0") == 0, "0 as str");
	ok(vm_int_to_dec(-5, buf) == 2 && strcmp(buf, "-5") == 0, "-5 as str");
	ok(vm_int_to_dec(INT32_MIN, buf) == 11 && strcmp(buf, "-2147483648") == 0,
	   "INT_MIN as str");
	ok(vm_int_to_dec(INT32_MAX, buf) == 10 && strcmp(buf, "2147483647") == 0,
	   "INT_MAX as str");

	v = I(42);
	ok(vm_to_str(&A, &v, &out) == 0 && out.kind == VM_STR && out.len == 2 &&
	   memcmp(out.s, "42", 2) == 0, "vm_to_str(42) is \"42\" (arena)");
	ok(vm_to_str(NULL, &v, &out) == VM_E_NOMEM, "vm_to_str of an int needs an arena");
	v = S("xy");
	ok(vm_to_str(NULL, &v, &out) == 0 && out.s == v.s && out.len == 2,
	   "vm_to_str of a string is the string itself");

	/* values with both forms */
	v = vm_int_str(7, "7", 1);
	ok(vm_to_int(&v) == 7, "int with text: as int");
	vm_str_view(&v, buf, &s, &len);
	ok(len == 1 && s == v.s, "int with text: its own text as str");
	v = vm_str_int("101", 3, 101);
	ok(vm_to_int(&v) == 101, "text with int form: its int");
	v = vm_str_int("0101", 4, 101);
	ok(vm_to_int(&v) == 101, "text with int form: the int form wins over the text");
}

static void test_truth(void)
{
	vm_value v;

	v = I(1);
	ok(vm_cond(&v) == 1, "if (1) is true");
	v = I(0);
	ok(vm_cond(&v) == 0, "if (0) is false");
	v = I(-1);
	ok(vm_cond(&v) == 0 && vm_truth(&v) == 1, "-1: false for if, true for && ||");
	v = S("abc");
	ok(vm_cond(&v) == 0, "if (\"abc\") is false (§12)");
	v = S("0x2");
	ok(vm_cond(&v) == 1, "if (\"0x2\") is true (§12)");
	v = S(" 1");
	ok(vm_cond(&v) == 0, "if (\" 1\") is false (§12)");
	v = N();
	ok(vm_cond(&v) == 0 && vm_truth(&v) == 0, "null is false");
	v = S("-3");
	ok(vm_cond(&v) == 0 && vm_truth(&v) == 1, "\"-3\": false for if, true for &&");
}

/* §11.3, rows about values. The grouping is the grammar's (§6.2). */
static void test_spec_rows(void)
{
	vm_value t, u;

	/* X1: 1 << 3 >> 1 = 1 << (3 >> 1) */
	vm_op_rshift(&A, &t, (vm_value[]){ I(3) }, (vm_value[]){ I(1) });
	t2i(vm_op_lshift, I(1), t, 2, "X1 1 << (3 >> 1)");
	/* X2: 1 << 2 == 4 = 1 << (2 == 4) */
	vm_op_eq(&A, &t, (vm_value[]){ I(2) }, (vm_value[]){ I(4) });
	t2i(vm_op_lshift, I(1), t, 1, "X2 1 << (2 == 4)");
	/* X3: 6 & 3 ^ 1 = 6 & (3 ^ 1) */
	vm_op_bxor(&A, &t, (vm_value[]){ I(3) }, (vm_value[]){ I(1) });
	t2i(vm_op_band, I(6), t, 2, "X3 6 & (3 ^ 1)");
	/* X4: 1 | 2 & 3 */
	vm_op_band(&A, &t, (vm_value[]){ I(2) }, (vm_value[]){ I(3) });
	t2i(vm_op_bor, I(1), t, 3, "X4 1 | (2 & 3)");
	/* X5: 5 & 3 == 1 */
	vm_op_eq(&A, &t, (vm_value[]){ I(3) }, (vm_value[]){ I(1) });
	t2i(vm_op_band, I(5), t, 0, "X5 5 & (3 == 1)");
	/* X6: 3 > 2 > 1 */
	vm_op_gt(&A, &t, (vm_value[]){ I(3) }, (vm_value[]){ I(2) });
	t2i(vm_op_gt, t, I(1), 0, "X6 (3 > 2) > 1");
	/* X7 */
	vm_op_mul(&A, &t, (vm_value[]){ I(3) }, (vm_value[]){ I(4) });
	t2i(vm_op_plus, I(2), t, 14, "X7 2 + 3 * 4");
	vm_op_minus(&A, &t, (vm_value[]){ I(5) }, (vm_value[]){ I(2) });
	t2i(vm_op_minus, t, I(1), 2, "X7 5 - 2 - 1");
	vm_op_land(&A, &t, (vm_value[]){ I(0) }, (vm_value[]){ I(0) });
	t2i(vm_op_lor, I(1), t, 1, "X7 1 || (0 && 0)");
	/* X8 */
	t2i(vm_op_div, I(7), I(2), 3, "X8 7 / 2");
	t2i(vm_op_div, I(-7), I(2), -3, "X8 -7 / 2");
	t2i(vm_op_mod, I(-7), I(3), -1, "X8 -7 mod 3");
	/* X9 */
	t2i(vm_op_plus, I(2147483647), I(1), INT32_MIN, "X9 2147483647 + 1");
	/* X10 */
	t1i(vm_op_lnot, I(5), 0, "X10 !5");
	t1i(vm_op_bnot, I(0), -1, "X10 ~0");
	/* X11–X17 */
	t2s(vm_op_plus, S("a"), I(1), "a1", 2, "X11 \"a\" + 1");
	t2s(vm_op_plus, S("5"), I(1), "51", 2, "X12 \"5\" + 1");
	t2s(vm_op_plus, S("5"), I(1), "51", 2, "X13 $var(s)=\"5\": $var(s) + 1");
	t2i(vm_op_plus, I(1), S("5"), 6, "X14 1 + $var(s)");
	t2i(vm_op_minus, S("5"), I(1), 4, "X15 $var(s) - 1");
	t2s(vm_op_plus, N(), S("x"), "x", 1, "X16 $avp(missing) + \"x\"");
	t2s(vm_op_plus, N(), I(3), "3", 1, "X16 $avp(missing) + 3 (a string)");
	t2s(vm_op_plus, S("12abc"), I(0), "12abc0", 6, "X17 \"12abc\" + 0");
	/* X18 */
	t1i(vm_op_int, S("12abc"), 0, "X18 (int)\"12abc\"");
	t1i(vm_op_int, S("0x1F"), 31, "X18 (int)\"0x1F\"");
	t1i(vm_op_int, S(""), 0, "X18 (int)\"\"");
	/* X19: (str)5 + 5 */
	vm_op_str(&A, &t, (vm_value[]){ I(5) });
	t2s(vm_op_plus, t, I(5), "55", 2, "X19 (str)5 + 5");
	/* X20, X21 */
	t1i(vm_op_strlen, S("hello"), 5, "X20 strlen(\"hello\")");
	t1i(vm_op_strempty, S(""), 1, "X20 strempty(\"\")");
	t2i(vm_op_streq, S("b"), S("b"), 1, "X21 \"b\" eq \"b\"");
	/* X22: selval(1 > 0, ...) takes its branch on vm_cond */
	vm_op_gt(&A, &t, (vm_value[]){ I(1) }, (vm_value[]){ I(0) });
	ok(vm_cond(&t) == 1, "X22 selval(1 > 0, ...) picks the first value");
	/* X24: unset $var(x) is int 0 */
	t = I(0);
	vm_op_str(&A, &u, &t);
	ok(u.len == 1 && u.s[0] == '0', "X24 unset $var(x) prints 0");
	t2i(vm_op_eq, t, I(0), 1, "X24 $var(x) == 0");
	t1i(vm_op_strempty, t, 0, "X24 $var(x) == \"\" (strempty) is false");
	t2i(vm_op_eq, t, S("0"), 1, "X24 $var(x) == \"0\"");
	t1i(vm_op_defined, t, 1, "X24 defined $var(x)");
	/* X25: $var(y) = 0 */
	t1i(vm_op_strempty, t, 0, "X25 $var(y) == \"\" (strempty) is false");
	t2i(vm_op_ne, t, S(""), 0, "X25 $var(y) != \"\" is false");
	t2i(vm_op_eq, t, S("abc"), 1, "X25 $var(y) == \"abc\" is true");
	t2i(vm_op_eq, t, S(" "), 1, "X25 $var(y) == \" \" is true");
	/* X26–X29 */
	t2i(vm_op_eq, S(""), I(0), 0, "X26 $var(z)=\"\": $var(z) == 0");
	t2i(vm_op_eq, S("10"), I(10), 1, "X27 $var(w)=\"10\": $var(w) == 10");
	t2i(vm_op_eq, S("10"), S("010"), 0, "X27 $var(w) == \"010\"");
	t2i(vm_op_eq, I(10), S("010"), 1, "X28 $var(v)=10: $var(v) == \"010\"");
	t2i(vm_op_eq, I(10), S("0xa"), 1, "X28 $var(v) == \"0xa\"");
	t2i(vm_op_eq, I(0), S(""), 1, "X29 $var(y)=0 == $var(e)=\"\"");
	/* X30: unset $avp(u) */
	t1i(vm_op_strempty, N(), 1, "X30 $avp(u) == \"\" (strempty)");
	t2i(vm_op_eq, N(), I(0), 1, "X30 $avp(u) == 0");
	t1i(vm_op_defined, N(), 0, "X30 defined $avp(u) is 0 (and == $null is !defined)");
	/* X31: $var(x) == $null is !defined $var(x) */
	vm_op_defined(&A, &u, &t);
	t1i(vm_op_lnot, u, 0, "X31 unset $var(x) == $null is false");
	/* X32, X33 */
	t2i(vm_op_match, S("ABC"), S("^abc$"), 1, "X32 \"ABC\" =~ \"^abc$\"");
	t2i(vm_op_eq, S("ABC"), S("abc"), 0, "X33 \"ABC\" == \"abc\"");
}

/* Integer operators: overflow, division, shifts (§6.3, §12; 5.6.3). */
static void test_int_ops(void)
{
	t2i(vm_op_minus, I(INT32_MIN), I(1), INT32_MAX, "INT_MIN - 1 wraps (5.6.3)");
	t2i(vm_op_mul, I(INT32_MAX), I(2), -2, "INT_MAX * 2 wraps (5.6.3)");
	t2i(vm_op_mul, I(65536), I(65536), 0, "65536 * 65536 wraps to 0");
	t1i(vm_op_neg, I(INT32_MIN), INT32_MIN, "-INT_MIN is INT_MIN (5.6.3)");
	t1i(vm_op_bnot, I(INT32_MIN), INT32_MAX, "~INT_MIN (5.6.3)");
	t1i(vm_op_neg, S("10"), -10, "-\"10\" (5.6.3)");
	t1i(vm_op_bnot, S("10"), -11, "~\"10\" (5.6.3)");
	t1i(vm_op_neg, S("abc"), 0, "-\"abc\" (5.6.3)");
	t1i(vm_op_lnot, S("abc"), 1, "!\"abc\" (5.6.3)");
	t1i(vm_op_lnot, S("0x2"), 0, "!\"0x2\" (5.6.3)");
	t1i(vm_op_lnot, I(-1), 0, "!-1 (5.6.3)");
	t1i(vm_op_bool, I(-7), 1, "bool(-7)");
	t1i(vm_op_bool, I(0), 0, "bool(0)");

	t2i(vm_op_div, I(7), I(-3), -2, "7 / -3 (5.6.3)");
	t2i(vm_op_mod, I(7), I(-3), 1, "7 mod -3 (5.6.3)");
	t2i(vm_op_mod, I(-7), I(-3), -1, "-7 mod -3 (5.6.3)");
	t2e(vm_op_div, I(7), I(0), VM_E_DIVZERO, "7 / 0 (5.6.3: assignment skipped)");
	t2e(vm_op_mod, I(7), I(0), VM_E_DIVZERO, "7 mod 0 (5.6.3)");
	t2e(vm_op_div, I(0), I(0), VM_E_DIVZERO, "0 / 0 (5.6.3)");
	t2e(vm_op_div, I(5), S("abc"), VM_E_DIVZERO, "5 / \"abc\": \"abc\" is 0");
	/* 5.6.3 dies of SIGFPE on both (observed); sipvm wraps instead. */
	t2i(vm_op_div, I(INT32_MIN), I(-1), INT32_MIN, "INT_MIN / -1 wraps to INT_MIN");
	t2i(vm_op_mod, I(INT32_MIN), I(-1), 0, "INT_MIN mod -1 is 0");
	t2i(vm_op_div, I(INT32_MIN), I(1), INT32_MIN, "INT_MIN / 1");
	t2i(vm_op_div, I(5), I(-1), -5, "5 / -1");
	t2i(vm_op_mod, I(5), I(-1), 0, "5 mod -1");

	/* shifts: count mod 32 (§12: 1 << 32 is 1; the rest 5.6.3) */
	t2i(vm_op_lshift, I(1), I(32), 1, "1 << 32");
	t2i(vm_op_lshift, I(1), I(33), 2, "1 << 33 (5.6.3)");
	t2i(vm_op_lshift, I(1), I(40), 256, "1 << 40 (5.6.3)");
	t2i(vm_op_lshift, I(1), I(-1), INT32_MIN, "1 << -1 (5.6.3)");
	t2i(vm_op_lshift, I(1), I(31), INT32_MIN, "1 << 31");
	t2i(vm_op_lshift, I(-1), I(4), -16, "-1 << 4");
	t2i(vm_op_rshift, I(-8), I(1), -4, "-8 >> 1 is arithmetic (5.6.3)");
	t2i(vm_op_rshift, I(-1), I(40), -1, "-1 >> 40 (5.6.3)");
	t2i(vm_op_rshift, I(1), I(32), 1, "1 >> 32 (5.6.3)");
	t2i(vm_op_rshift, I(-8), I(33), -4, "-8 >> 33 (5.6.3)");
	t2i(vm_op_rshift, I(40), I(-1), 0, "40 >> -1 (5.6.3)");
	t2i(vm_op_rshift, I(INT32_MIN), I(32), INT32_MIN, "INT_MIN >> 32 (5.6.3)");
	t2i(vm_op_rshift, I(INT32_MIN), I(1), -1073741824, "INT_MIN >> 1 (5.6.3)");

	t2i(vm_op_land, I(-1), I(-1), 1, "-1 && -1 is 1 (5.6.3)");
	t2i(vm_op_lor, I(-1), I(0), 1, "-1 || 0 is 1 (5.6.3)");
	t2i(vm_op_lor, I(0), I(0), 0, "0 || 0");
	t2i(vm_op_land, I(2), I(0), 0, "2 && 0");
	t2i(vm_op_iplus, S("7"), S("8"), 15, "iplus \"7\" \"8\"");
	t2i(vm_op_plus, I(10), S("abc"), 10, "10 + \"abc\"");
	t2i(vm_op_minus, I(10), S("0xa"), 0, "10 - \"0xa\" (5.6.3)");

	t2i(vm_op_lt, S("10"), S("9"), 0, "\"10\" < \"9\" compares as ints (5.6.3)");
	t2i(vm_op_lt, S("abc"), S("ABC"), 0, "\"abc\" < \"ABC\" is 0 < 0 (5.6.3)");
	t2i(vm_op_gt, S("10"), I(0), 1, "\"10\" > 0 (5.6.3)");
	t2i(vm_op_le, I(3), I(3), 1, "3 <= 3");
	t2i(vm_op_ge, I(2), I(3), 0, "2 >= 3");
	t2i(vm_op_ieq, I(10), S("0xa"), 1, "10 ieq \"0xa\" (5.6.3)");
	t2i(vm_op_ine, S("10"), S("0xa"), 0, "\"10\" ine \"0xa\" (5.6.3)");
	t2i(vm_op_ieq, S(""), S("abc"), 1, "\"\" ieq \"abc\" (5.6.3)");
}

/* Comparisons and string operators (§6.3; 5.6.3). */
static void test_str_ops(void)
{
	vm_value t;

	t2i(vm_op_eq, S("10"), I(10), 1, "\"10\" == 10 (5.6.3)");
	t2i(vm_op_eq, S("abc"), S("abc"), 1, "\"abc\" == \"abc\"");
	t2i(vm_op_ne, S("abc"), S("ABC"), 1, "\"abc\" != \"ABC\" (5.6.3)");
	t2i(vm_op_ne, S(""), I(5), 1, "\"\" != 5 is a string compare (5.6.3)");
	t2i(vm_op_streq, I(10), S("10"), 1, "10 eq \"10\" (5.6.3)");
	t2i(vm_op_streq, I(10), S("010"), 0, "10 eq \"010\"");
	t2i(vm_op_strne, S("abc"), S("abc"), 0, "\"abc\" ne \"abc\" (5.6.3)");
	t2i(vm_op_strne, S("abc"), S("abcd"), 1, "\"abc\" ne \"abcd\"");
	t2i(vm_op_eq, vm_int_str(10, "10", 2), S("0xa"), 1,
	    "an int with text compares as an int (5.6.3, int $var)");
	t2i(vm_op_eq, vm_str_int("101", 3, 101), I(101), 1, "text with int form == 101");
	t2i(vm_op_eq, vm_str_int("0101", 4, 101), S("101"), 0,
	    "text with int form compares its text");

	t2s(vm_op_plus, S("a"), S("b"), "ab", 2, "\"a\" + \"b\"");
	t2s(vm_op_plus, S("abc"), I(INT32_MIN), "abc-2147483648", 14,
	    "\"abc\" + INT_MIN (5.6.3: strlen 14)");
	t2s(vm_op_plus, S(""), I(3), "3", 1, "\"\" + 3 (5.6.3)");
	t2s(vm_op_plus, vm_str_int("101", 3, 101), I(1), "1011", 4,
	    "$cs + 1 concatenates (§12)");
	t2i(vm_op_plus, vm_int_str(100, "100", 3), I(1), 101,
	    "an int with text adds (§12, $hdrc)");
	t2s(vm_op_concat, I(1), I(2), "12", 2, "concat 1 2");
	t2s(vm_op_plus, S("10"), I(10), "1010", 4, "$var(s)=\"10\" + 10 (5.6.3)");
	t2s(vm_op_plus, S(""), S(""), "", 0, "\"\" + \"\"");

	t1s(vm_op_str, I(-5), "-5", "(str)-5 (5.6.3)");
	t1s(vm_op_str, S("x"), "x", "(str)\"x\"");
	t1s(vm_op_str, vm_int_str(7, "007", 3), "007", "(str) of an int with text is its text");
	t1i(vm_op_int, I(INT32_MIN), INT32_MIN, "(int)INT_MIN (5.6.3)");
	t1i(vm_op_int, S("0x10"), 16, "(int)\"0x10\"");
	t1i(vm_op_strlen, I(12), 2, "strlen(12)");
	t1i(vm_op_strlen, I(-1), 2, "strlen(-1) (5.6.3)");
	t1i(vm_op_strlen, I(INT32_MIN), 11, "strlen(INT_MIN) (5.6.3)");
	t1i(vm_op_strempty, I(0), 0, "strempty(0) (5.6.3)");
	t1i(vm_op_strempty, S("a"), 0, "strempty(\"a\")");
	t1i(vm_op_defined, S(""), 1, "defined \"\"");

	/* regular expressions (5.6.3 with dynamic patterns from $var) */
	t2i(vm_op_match, S("ABC"), S("^a.c$"), 1, "\"ABC\" =~ \"^a.c$\" (5.6.3)");
	t2i(vm_op_match, S("abc"), S("b"), 1, "unanchored search (5.6.3)");
	t2i(vm_op_match, S("abc"), S("a|x"), 1, "extended alternation (5.6.3)");
	t2i(vm_op_match, S("abc"), S("a{2}"), 0, "extended interval (5.6.3)");
	t2i(vm_op_match, I(10), S("^1"), 1, "an int is matched as its text (5.6.3)");
	t2i(vm_op_match, S("abc"), I(10), 0, "an int pattern is its text");
	t2i(vm_op_match, I(10), S("1"), 1, "10 =~ \"1\" (5.6.3)");
	t2i(vm_op_match, S(""), S("^$"), 1, "\"\" =~ \"^$\" (5.6.3)");
	t2i(vm_op_match, S("abc"), S("^b"), 0, "\"abc\" =~ \"^b\"");
	t2e(vm_op_match, S("abc"), S("(b"), VM_E_REGEX,
	    "a bad dynamic regex (5.6.3: \"Bad regular expression\", assignment skipped)");
	{
		regex_t re;
		vm_value pat = S("^ALI"), res;

		ok(vm_regex_compile(&re, &pat) == 0, "compile \"^ALI\"");
		ok(vm_op_match_re(&res, (vm_value[]){ S("alice") }, &re) == 0 && res.i == 1,
		   "\"alice\" =~ precompiled \"^ALI\"");
		ok(vm_op_match_re(&res, (vm_value[]){ S("bob") }, &re) == 0 && res.i == 0,
		   "\"bob\" !~ precompiled \"^ALI\"");
		regfree(&re);
		pat = S("[z-a]");
		ok(vm_regex_compile(&re, &pat) == VM_E_REGEX, "compile \"[z-a]\" fails");
		/* the pattern ends at its first NUL, as regcomp reads it */
		pat = vm_str("^a\0zzz", 6);
		ok(vm_regex_compile(&re, &pat) == 0, "compile \"^a\\0zzz\"");
		ok(vm_op_match_re(&res, (vm_value[]){ S("ab") }, &re) == 0 && res.i == 1,
		   "\"ab\" =~ \"^a\\0zzz\" (pattern cut at NUL)");
		regfree(&re);
	}

	/* strings holding NUL bytes (5.6.3: "a\0b" made with s.decode.hexa) */
	t1i(vm_op_strlen, vm_str("a\0b", 3), 3, "strlen(\"a\\0b\") (5.6.3)");
	t2i(vm_op_match, vm_str("a\0b", 3), S("b"), 0, "\"a\\0b\" =~ \"b\": subject ends at NUL (5.6.3)");
	t2i(vm_op_match, vm_str("a\0b", 3), S("^a$"), 1, "\"a\\0b\" =~ \"^a$\" (5.6.3)");
	t2i(vm_op_eq, vm_str("a\0b", 3), S("a"), 0, "\"a\\0b\" == \"a\" (5.6.3)");
	t2i(vm_op_eq, vm_str("a\0b", 3), vm_str("a\0b", 3), 1, "\"a\\0b\" == \"a\\0b\"");
	t2i(vm_op_eq, vm_str("a\0b", 3), vm_str("a\0c", 3), 0, "\"a\\0b\" == \"a\\0c\"");
	t2s(vm_op_plus, vm_str("a\0", 2), vm_str("\0b", 2), "a\0\0b", 4,
	    "\"a\\0\" + \"\\0b\" keeps the NULs");
	vm_op_plus(&A, &t, (vm_value[]){ vm_str("x\0", 2) }, (vm_value[]){ I(5) });
	ok(t.kind == VM_STR && t.len == 3 && t.s[3] == '\0', "concatenation is NUL-terminated past len");
	t1i(vm_op_strempty, vm_str("\0", 1), 0, "strempty(\"\\0\") is 0");
}

/* Null on each side of each operator (5.6.3 with an unset $avp). */
static void test_null(void)
{
	/* left null */
	t2s(vm_op_plus, N(), N(), "", 0, "null + null (5.6.3)");
	t2s(vm_op_plus, N(), S("x"), "x", 1, "null + \"x\" (5.6.3)");
	t2i(vm_op_minus, N(), I(1), -1, "null - 1 (5.6.3)");
	t2i(vm_op_mul, N(), I(5), 0, "null * 5 (5.6.3)");
	t2i(vm_op_div, N(), I(1), 0, "null / 1 (5.6.3)");
	t2i(vm_op_mod, N(), I(3), 0, "null mod 3 (5.6.3)");
	t2i(vm_op_bor, N(), I(6), 6, "null | 6 (5.6.3)");
	t2i(vm_op_band, N(), I(6), 0, "null & 6 (5.6.3)");
	t2i(vm_op_bxor, N(), I(6), 6, "null ^ 6 (5.6.3)");
	t2i(vm_op_lshift, N(), I(1), 0, "null << 1 (5.6.3)");
	t2i(vm_op_rshift, N(), I(1), 0, "null >> 1");
	t2i(vm_op_land, N(), I(5), 0, "null && 5 (5.6.3)");
	t2i(vm_op_lor, N(), I(5), 1, "null || 5 (5.6.3)");
	t2i(vm_op_lt, N(), I(1), 1, "null < 1 (5.6.3)");
	t2i(vm_op_le, N(), I(0), 1, "null <= 0 (5.6.3)");
	t2i(vm_op_gt, N(), I(-1), 1, "null > -1");
	t2i(vm_op_ge, N(), I(1), 0, "null >= 1");
	t2i(vm_op_eq, N(), S("10"), 0, "null == \"10\" is \"\" == \"10\" (5.6.3)");
	t2i(vm_op_eq, N(), I(0), 1, "null == 0 is 0 == 0 (5.6.3)");
	t2i(vm_op_eq, N(), S(""), 1, "null == \"\" (5.6.3)");
	t2i(vm_op_eq, N(), N(), 1, "null == null (5.6.3)");
	t2i(vm_op_ne, N(), I(10), 1, "null != 10 is 0 != 10 (5.6.3)");
	t2i(vm_op_ne, N(), S("0"), 1, "null != \"0\" is a string compare");
	t2i(vm_op_eq, N(), vm_int_str(0, "0", 1), 1, "null == int-with-text 0 compares as int");
	t2i(vm_op_streq, N(), N(), 1, "null eq null (5.6.3)");
	t2i(vm_op_streq, N(), S(""), 1, "null eq \"\" (5.6.3)");
	t2i(vm_op_strne, N(), S("abc"), 1, "null ne \"abc\" (5.6.3)");
	t2i(vm_op_ieq, N(), N(), 1, "null ieq null (5.6.3)");
	t2i(vm_op_ine, N(), N(), 0, "null ine null (5.6.3)");
	t2i(vm_op_ieq, N(), I(0), 1, "null ieq 0 (5.6.3)");
	t2i(vm_op_match, N(), S(""), 1, "null =~ \"\" (5.6.3)");
	t2i(vm_op_match, N(), S("x"), 0, "null =~ \"x\" (5.6.3)");
	/* right null */
	t2i(vm_op_plus, I(10), N(), 10, "10 + null (5.6.3)");
	t2s(vm_op_plus, S("abc"), N(), "abc", 3, "\"abc\" + null (5.6.3)");
	t2i(vm_op_minus, I(5), N(), 5, "5 - null (5.6.3)");
	t2i(vm_op_mul, I(5), N(), 0, "5 * null (5.6.3)");
	t2e(vm_op_div, I(5), N(), VM_E_DIVZERO, "5 / null (5.6.3: div by 0)");
	t2e(vm_op_mod, I(5), N(), VM_E_DIVZERO, "5 mod null (5.6.3: mod by 0)");
	t2i(vm_op_bor, I(5), N(), 5, "5 | null");
	t2i(vm_op_band, I(5), N(), 0, "5 & null");
	t2i(vm_op_bxor, I(5), N(), 5, "5 ^ null");
	t2i(vm_op_lshift, I(5), N(), 5, "5 << null (5.6.3)");
	t2i(vm_op_rshift, I(5), N(), 5, "5 >> null (5.6.3)");
	t2i(vm_op_land, I(5), N(), 0, "5 && null (5.6.3)");
	t2i(vm_op_lor, I(0), N(), 0, "0 || null");
	t2i(vm_op_gt, I(5), N(), 1, "5 > null (5.6.3)");
	t2i(vm_op_lt, I(5), N(), 0, "5 < null");
	t2i(vm_op_le, I(0), N(), 1, "0 <= null");
	t2i(vm_op_ge, I(-1), N(), 0, "-1 >= null");
	t2i(vm_op_eq, S("10"), N(), 0, "\"10\" == null (5.6.3)");
	t2i(vm_op_eq, I(0), N(), 1, "0 == null (5.6.3)");
	t2i(vm_op_eq, S(""), N(), 1, "\"\" == null (5.6.3)");
	t2i(vm_op_ne, I(5), N(), 1, "5 != null (5.6.3)");
	t2i(vm_op_ne, S("abc"), N(), 1, "\"abc\" != null (5.6.3)");
	t2i(vm_op_strne, S("abc"), N(), 1, "\"abc\" ne null (5.6.3)");
	t2i(vm_op_ine, I(1), N(), 1, "1 ine null");
	t2i(vm_op_match, S("abc"), N(), 1, "\"abc\" =~ null: empty pattern (5.6.3)");
	t2i(vm_op_match, I(5), N(), 1, "5 =~ null (5.6.3)");
	/* unary */
	t1i(vm_op_neg, N(), 0, "-null (5.6.3)");
	t1i(vm_op_lnot, N(), 1, "!null (5.6.3)");
	t1i(vm_op_bnot, N(), -1, "~null (5.6.3)");
	t1i(vm_op_bool, N(), 0, "bool(null)");
	t1i(vm_op_int, N(), 0, "(int)null (5.6.3)");
	t1s(vm_op_str, N(), "", "(str)null (5.6.3)");
	t1i(vm_op_strlen, N(), 0, "strlen(null) (5.6.3)");
	t1i(vm_op_strempty, N(), 1, "strempty(null) (5.6.3)");
	t1i(vm_op_defined, N(), 0, "defined null (5.6.3)");
}

/* The arena and its cap. */
static void test_arena(void)
{
	vm_arena a;
	vm_value res, x;
	void *p, *q;
	char chunk[1000];
	int i, rc = 0;

	vm_arena_init(&a, 0);
	ok(a.cap == VM_ARENA_DEFAULT_CAP, "cap 0 means the default cap");
	p = vm_arena_alloc(&a, 1);
	q = vm_arena_alloc(&a, 1);
	ok(p != NULL && q != NULL && p != q &&
	   (uintptr_t)p % _Alignof(max_align_t) == 0 &&
	   (uintptr_t)q % _Alignof(max_align_t) == 0, "allocations are distinct and aligned");
	ok(vm_arena_alloc(&a, VM_ARENA_DEFAULT_CAP) == NULL, "a request of the whole cap fails");
	ok(vm_arena_alloc(&a, SIZE_MAX) == NULL, "a request of SIZE_MAX fails");
	p = vm_arena_alloc(&a, 100000);
	ok(p != NULL, "a request bigger than a chunk gets its own chunk");
	memset(p, 'x', 100000);
	vm_arena_reset(&a);
	ok(a.held <= sizeof(void *) * 4 + VM_ARENA_CHUNK, "reset keeps one chunk");
	q = vm_arena_alloc(&a, 1);
	ok(q != NULL, "allocation after reset");
	vm_arena_free(&a);
	ok(a.first == NULL && a.held == 0, "free releases everything");

	/* a small cap: concatenation grows until it fails cleanly */
	vm_arena_init(&a, 16384);
	memset(chunk, 'y', sizeof chunk);
	x = vm_str(chunk, sizeof chunk);
	res = S("");
	for (i = 0; i < 100; i++) {
		rc = vm_op_plus(&a, &res, &res, &x);
		if (rc < 0)
			break;
	}
	ok(rc == VM_E_NOMEM && i > 2 && i < 16, "repeated concatenation stops at the cap (%d rounds)", i);
	ok(res.kind == VM_STR && res.len == (size_t)i * sizeof chunk,
	   "the last good result is intact (%zu bytes)", res.len);
	ok(a.held <= a.cap, "the arena never holds more than its cap (%zu <= %zu)", a.held, a.cap);
	t1s(vm_op_str, I(1), "1", "(str)1 on the shared arena still works");
	vm_arena_reset(&a);
	ok(vm_op_plus(&a, &res, &x, &x) == 0 && res.len == 2 * sizeof chunk,
	   "after reset the arena serves again");
	ok(vm_op_str(&a, &res, (vm_value[]){ I(3) }) == 0, "(str)3 after reset");
	vm_arena_free(&a);

	/* no arena at all */
	ok(vm_op_plus(NULL, &res, (vm_value[]){ S("a") }, (vm_value[]){ S("b") }) == VM_E_NOMEM,
	   "concatenation without an arena is VM_E_NOMEM");
	ok(vm_op_plus(NULL, &res, (vm_value[]){ I(1) }, (vm_value[]){ S("2") }) == 0 && res.i == 3,
	   "integer + needs no arena");
	/* a cap smaller than a chunk header */
	vm_arena_init(&a, 8);
	ok(vm_arena_alloc(&a, 1) == NULL, "a cap below one chunk header serves nothing");
	vm_arena_free(&a);
	/* a cap smaller than a standard chunk still serves what fits */
	vm_arena_init(&a, 512);
	ok(vm_arena_alloc(&a, 100) != NULL && a.held <= 512, "a cap below one chunk serves exact sizes");
	vm_arena_free(&a);
}

/* Results may alias operands. */
static void test_alias(void)
{
	vm_value v = I(6);

	ok(vm_op_mul(&A, &v, &v, &v) == 0 && v.i == 36, "res may be an operand (6 * 6)");
	v = S("ab");
	ok(vm_op_plus(&A, &v, &v, &v) == 0 && v.len == 4 && memcmp(v.s, "abab", 4) == 0,
	   "res may be an operand (\"ab\" + \"ab\")");
	v = I(77);
	ok(vm_op_div(&A, &v, &v, (vm_value[]){ I(0) }) == VM_E_DIVZERO && v.i == 77,
	   "a failed operator leaves an aliased result alone");
}

/* The table the compiler folds constants with. */
static void test_table(void)
{
	static const struct { const char *name; int arity; } want[] = {
		{ "+", 2 }, { "-", 2 }, { "*", 2 }, { "/", 2 }, { "mod", 2 },
		{ "&", 2 }, { "|", 2 }, { "^", 2 }, { "<<", 2 }, { ">>", 2 },
		{ "&&", 2 }, { "||", 2 }, { "and", 2 }, { "or", 2 },
		{ "==", 2 }, { "!=", 2 }, { "eq", 2 }, { "ne", 2 },
		{ "ieq", 2 }, { "ine", 2 }, { "<", 2 }, { ">", 2 }, { "<=", 2 },
		{ ">=", 2 }, { "=~", 2 }, { "-", 1 }, { "!", 1 }, { "not", 1 },
		{ "~", 1 }, { "defined", 1 }, { "strlen", 1 }, { "strempty", 1 },
		{ "(int)", 1 }, { "(str)", 1 }, { "iplus", 2 }, { "concat", 2 },
		{ "bool", 1 },
	};
	const vm_op_def *d;
	size_t k, n = 0, missing = 0, bad = 0;
	vm_value res;

	for (k = 0; k < sizeof want / sizeof want[0]; k++)
		if (vm_op_find(want[k].name, want[k].arity) == NULL)
			missing++;
	ok(missing == 0, "the table has every operator (%zu missing)", missing);
	for (d = vm_ops; d->name != NULL; d++) {
		n++;
		if ((d->arity == 1) != (d->fn1 != NULL) || (d->arity == 2) != (d->fn2 != NULL))
			bad++;
	}
	ok(bad == 0 && n == sizeof want / sizeof want[0],
	   "each row has the function its arity says (%zu rows)", n);
	ok(vm_op_find("%", 2) == NULL, "'%%' is not an operator (§6.2)");
	ok(vm_op_find("!~", 2) == NULL, "'!~' is not an operator (§12)");
	ok(vm_op_find("-", 3) == NULL && vm_op_find(NULL, 2) == NULL, "unknown lookups are NULL");
	d = vm_op_find("*", 2);
	ok(d && d->fn2(&A, &res, (vm_value[]){ I(6) }, (vm_value[]){ I(7) }) == 0 && res.i == 42,
	   "folding 6 * 7 through the table");
	d = vm_op_find("-", 1);
	ok(d && d->fn1(&A, &res, (vm_value[]){ I(5) }) == 0 && res.i == -5,
	   "folding -5 through the table");
	ok(strcmp(vm_strerror(VM_E_DIVZERO), "division by zero") == 0 &&
	   strcmp(vm_strerror(12345), "unknown error") == 0, "error messages");
}

int main(void)
{
	vm_arena_init(&A, 0);
	test_conversions();
	test_truth();
	test_spec_rows();
	test_int_ops();
	test_str_ops();
	test_null();
	test_arena();
	test_alias();
	test_table();
	vm_arena_free(&A);
	return tap_done();
}
