/*
 * test_image.c — programs, their listing and their image file (TAP).
 *
 * Builds programs by hand with the builders of vm.h (what the compiler will
 * emit for if/else, switch with string and regex cases, while, calls,
 * formats, old-style conditions), checks the listing against the expected
 * text, writes and reads them back (same listing), and feeds the reader
 * every truncation and thousands of corrupted images: each is refused with
 * a message or loads a program that passes the checker, never a crash
 * (run it on the sanitizer build too).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#include "../tap.h"

/* The listing of p as a malloc'd string. */
static char *dump_str(const vm_prog *p)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	vm_prog_dump(p, f);
	fclose(f);
	return s;
}

static int failed_builds;
static int file0;

/* Emit, counting failures. */
static int E(vm_prog *p, vm_insn i, uint32_t line)
{
	int pc = vm_prog_emit(p, i, file0, line);
	if (pc < 0)
		failed_builds++;
	return pc;
}

#define K(s) vm_prog_add_const_str(p, s, strlen(s))
#define PV(s) vm_prog_add_pv(p, s, strlen(s))

/*
 *   10 request_route {
 *   11     if (method == "INVITE") {
 *   12         $var(r) = t_relay();
 *   13     } else {
 *   14         sl_send_reply("404", "Not here");
 *   15     }
 *   16     xlog("L_INFO", "Tweeting to $mqk(q)\n");
 *   17     if (!t_check_trans() || src_ip == 10.0.0.0/8) route(RELAY);
 *   18     exit;
 *   19 }
 */
static void build_main(vm_prog *p)
{
	int rt = vm_prog_route(p, VM_RT_REQUEST, "");
	int relay = vm_prog_route(p, VM_RT_REQUEST, "RELAY");
	int jelse, jend, jor, jskip;

	vm_prog_begin_route(p, rt);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$rm")), 11);
	E(p, VM_ABX(VM_OP_LOADK, 1, K("INVITE")), 11);
	E(p, VM_ABC(VM_OP_SEQNC, 0, 0, 1), 11);
	jelse = E(p, VM_ASBX(VM_OP_JMPIFNOT, 0, 0), 11);
	E(p, VM_ABX(VM_OP_CALL, 0, vm_prog_add_fn(p, "tm", "t_relay", 0)), 12);
	E(p, VM_ABX(VM_OP_PVSET, 0, PV("$var(r)")), 12);
	jend = E(p, VM_ISBX(VM_OP_JMP, 0), 12);
	vm_prog_patch_jump(p, jelse, vm_prog_pc(p));
	E(p, VM_ABX(VM_OP_LOADK, 1, K("404")), 14);
	E(p, VM_ABX(VM_OP_LOADK, 2, K("Not here")), 14);
	E(p, VM_ABX(VM_OP_CALL, 0, vm_prog_add_fn(p, "sl", "sl_send_reply", 2)), 14);
	vm_prog_patch_jump(p, jend, vm_prog_pc(p));
	E(p, VM_ABX(VM_OP_LOADK, 1, K("L_INFO")), 16);
	E(p, VM_ABX(VM_OP_FORMAT, 2, vm_prog_add_format(p, "Tweeting to $mqk(q)\n", 20)), 16);
	E(p, VM_ABX(VM_OP_CALL, 0, vm_prog_add_fn(p, "xlog", "xlog", 2)), 16);
	E(p, VM_ABX(VM_OP_CALL, 0, vm_prog_add_fn(p, "tm", "t_check_trans", 0)), 17);
	E(p, VM_ABC(VM_OP_COND, 0, 0, 0), 17);
	E(p, VM_ABC(VM_OP_NOT, 0, 0, 0), 17);
	jor = E(p, VM_ASBX(VM_OP_JMPTRUE, 0, 0), 17);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$si")), 17);
	E(p, VM_ABX(VM_OP_INNET, 0, vm_prog_add_net(p, "10.0.0.0/8", 10)), 17);
	vm_prog_patch_jump(p, jor, vm_prog_pc(p));
	jskip = E(p, VM_ASBX(VM_OP_JMPIFNOT, 0, 0), 17);
	E(p, VM_ABX(VM_OP_ROUTE, 0, relay), 17);
	vm_prog_patch_jump(p, jskip, vm_prog_pc(p));
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 1), 18);
	E(p, VM_IA(VM_OP_EXIT, 0), 18);
	vm_prog_end_route(p, 3);
}

/*
 *   30 route[RELAY] {
 *   31     if (uri == myself && $(ru{uri.user}) =~ "^\+49") return 2;
 *   32     switch ($rU) {
 *   33     case "alice":
 *   34     case "bob":
 *   35         xlog("known\n"); break;
 *   36     case /"^svc-[0-9]+$":
 *   37         route($var(next)); break;
 *   38     default:
 *   39         drop;
 *   40     }
 *   41     $var(i) = 0;
 *   42     while ($var(i) < 5) $var(i) = $var(i) + 1;
 *   43     if (!defined $avp(x)) $avp(x) = $null;
 *   44     return;
 *   45 }
 */
static void build_relay(vm_prog *p)
{
	int rt = vm_prog_route(p, VM_RT_REQUEST, "RELAY");
	int j, jf, jsw, jbrk1, jbrk2, top, jout, jlp, jdef;

	vm_prog_begin_route(p, rt);
	E(p, VM_ABX(VM_OP_PVGET, 1, PV("$ru")), 31);
	E(p, VM_ABC(VM_OP_MYSELF, 0, 1, 0), 31);
	jf = E(p, VM_ASBX(VM_OP_JMPFALSE, 0, 0), 31);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$(ru{uri.user})")), 31);
	E(p, VM_ABX(VM_OP_MATCHK, 0, vm_prog_add_regex(p, "^\\+49", 5, VM_RE_ICASE)), 31);
	vm_prog_patch_jump(p, jf, vm_prog_pc(p));
	jsw = E(p, VM_ASBX(VM_OP_JMPIFNOT, 0, 0), 31);
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 2), 31);
	E(p, VM_IA(VM_OP_RETURN, 0), 31);
	vm_prog_patch_jump(p, jsw, vm_prog_pc(p));
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$rU")), 32);
	j = vm_prog_add_jtab(p);
	E(p, VM_ABX(VM_OP_SWITCH, 0, j), 32);
	int c1 = vm_prog_pc(p);
	vm_prog_add_case(p, j, VM_CASE_STR, K("alice"), (uint32_t)c1);
	vm_prog_add_case(p, j, VM_CASE_STR, K("bob"), (uint32_t)c1);
	E(p, VM_ABX(VM_OP_FORMAT, 1, vm_prog_add_format(p, "known\n", 6)), 35);
	E(p, VM_ABX(VM_OP_CALL, 0, vm_prog_add_fn(p, "xlog", "xlog", 1)), 35);
	jbrk1 = E(p, VM_ISBX(VM_OP_JMP, 0), 35);
	vm_prog_add_case(p, j, VM_CASE_REGEX,
			vm_prog_add_regex(p, "^svc-[0-9]+$", 12, 0), (uint32_t)vm_prog_pc(p));
	E(p, VM_ABX(VM_OP_PVGET, 1, PV("$var(next)")), 37);
	E(p, VM_ABC(VM_OP_ROUTEDYN, 0, 1, 0), 37);
	jbrk2 = E(p, VM_ISBX(VM_OP_JMP, 0), 37);
	jdef = vm_prog_pc(p);
	vm_prog_set_default(p, j, (uint32_t)jdef);
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 0), 39);
	E(p, VM_IA(VM_OP_DROP, 0), 39);
	vm_prog_patch_jump(p, jbrk1, vm_prog_pc(p));
	vm_prog_patch_jump(p, jbrk2, vm_prog_pc(p));
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 0), 41);
	E(p, VM_ABX(VM_OP_PVSET, 0, PV("$var(i)")), 41);
	E(p, VM_IA(VM_OP_LOOPINIT, 2), 42);
	top = vm_prog_pc(p);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$var(i)")), 42);
	E(p, VM_ABX(VM_OP_LOADK, 1, vm_prog_add_const_int(p, 5)), 42);
	E(p, VM_ABC(VM_OP_LT, 0, 0, 1), 42);
	jout = E(p, VM_ASBX(VM_OP_JMPIFNOT, 0, 0), 42);
	jlp = E(p, VM_ASBX(VM_OP_LOOPCHK, 2, 0), 42);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$var(i)")), 42);
	E(p, VM_ASBX(VM_OP_LOADINT, 1, 1), 42);
	E(p, VM_ABC(VM_OP_ADD, 0, 0, 1), 42);
	E(p, VM_ABX(VM_OP_PVSET, 0, PV("$var(i)")), 42);
	E(p, VM_ISBX(VM_OP_JMP, top - vm_prog_pc(p) - 1), 42);
	vm_prog_patch_jump(p, jout, vm_prog_pc(p));
	vm_prog_patch_jump(p, jlp, vm_prog_pc(p));
	E(p, VM_ABX(VM_OP_DEFINED, 0, PV("$avp(x)")), 43);
	E(p, VM_ABC(VM_OP_NOT, 0, 0, 0), 43);
	jf = E(p, VM_ASBX(VM_OP_JMPIFNOT, 0, 0), 43);
	E(p, VM_ABX(VM_OP_PVUNSET, 0, PV("$avp(x)")), 43);
	vm_prog_patch_jump(p, jf, vm_prog_pc(p));
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 1), 44);
	E(p, VM_IA(VM_OP_RETURN, 0), 44);
	vm_prog_end_route(p, 3);
}

/*
 *   50 failure_route[MANAGE_FAILURE] {
 *   51     switch ($T_reply_code) { case 486: case 600: exit; default: $var(c) = 3 * -$rs; }
 *   52     return;
 *   53 }
 */
static void build_failure(vm_prog *p)
{
	int rt = vm_prog_route(p, VM_RT_FAILURE, "MANAGE_FAILURE");
	vm_prog_begin_route(p, rt);
	E(p, VM_ABX(VM_OP_PVGET, 0, PV("$T_reply_code")), 51);
	int j = vm_prog_add_jtab(p);
	E(p, VM_ABX(VM_OP_SWITCH, 0, j), 51);
	vm_prog_add_case(p, j, VM_CASE_INT, 486, (uint32_t)vm_prog_pc(p));
	vm_prog_add_case(p, j, VM_CASE_INT, 600, (uint32_t)vm_prog_pc(p));
	E(p, VM_IA(VM_OP_LOADNULL, 1), 51);
	E(p, VM_ABC(VM_OP_TOINT, 1, 1, 0), 51);
	E(p, VM_IA(VM_OP_EXIT, 1), 51);
	vm_prog_set_default(p, j, (uint32_t)vm_prog_pc(p));
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 3), 51);
	E(p, VM_ABX(VM_OP_PVGET, 1, PV("$rs")), 51);
	E(p, VM_ABC(VM_OP_NEG, 1, 1, 0), 51);
	E(p, VM_ABC(VM_OP_MUL, 0, 0, 1), 51);
	E(p, VM_ABX(VM_OP_PVSET, 0, PV("$var(c)")), 51);
	E(p, VM_ASBX(VM_OP_LOADINT, 0, 1), 52);
	E(p, VM_IA(VM_OP_RETURN, 0), 52);
	vm_prog_end_route(p, 2);
}

static vm_prog *build_all(void)
{
	vm_prog *p = vm_prog_new();
	file0 = vm_prog_add_file(p, "kamailio.cfg");
	build_main(p);
	build_relay(p);
	build_failure(p);
	return p;
}

static const char expected_listing[] =
	"request_route kamailio.cfg:11-18  23 instructions, 3 registers, 4 constants\n"
	"   pc  line  opcode    A  B  C   ; comment\n"
	"    0    11  PVGET     0  0      ; $rm\n"
	"    1    11  LOADK     1  0      ; \"INVITE\"\n"
	"    2    11  SEQNC     0  0  1   ; R[A] := R[B] == R[C] as strings, ignoring case (old-style method, uri ... conditions)\n"
	"    3    11  JMPIFNOT  0  3      ; to 7\n"
	"    4    12  CALL      0  0      ; tm.t_relay/0 -> r0\n"
	"    5    12  PVSET     0  1      ; $var(r)\n"
	"    6    12  JMP          3      ; to 10\n"
	"    7    14  LOADK     1  1      ; \"404\"\n"
	"    8    14  LOADK     2  2      ; \"Not here\"\n"
	"    9    14  CALL      0  1      ; sl.sl_send_reply/2 -> r0\n"
	"   10    16  LOADK     1  3      ; \"L_INFO\"\n"
	"   11    16  FORMAT    2  0      ; \"Tweeting to $mqk(q)\\n\"\n"
	"   12    16  CALL      0  2      ; xlog.xlog/2 -> r0\n"
	"   13    17  CALL      0  3      ; tm.t_check_trans/0 -> r0\n"
	"   14    17  COND      0  0      ; R[A] := 1 if R[B] as int is > 0, else 0 (a call's return code used as a value)\n"
	"   15    17  NOT       0  0      ; R[A] := 1 if R[B] as int is 0, else 0 (! and not)\n"
	"   16    17  JMPTRUE   0  2      ; to 19\n"
	"   17    17  PVGET     0  2      ; $si\n"
	"   18    17  INNET     0  0      ; 10.0.0.0/8\n"
	"   19    17  JMPIFNOT  0  1      ; to 21\n"
	"   20    17  ROUTE     0  1      ; route[RELAY] -> r0\n"
	"   21    18  LOADINT   0  1      ; R[A] := the int sBx\n"
	"   22    18  EXIT      0         ; end the script with code R[A]\n"
	"\n"
	"route[RELAY] kamailio.cfg:31-44  37 instructions, 3 registers, 3 constants\n"
	"   pc  line  opcode    A  B  C   ; comment\n"
	"    0    31  PVGET     1  3      ; $ru\n"
	"    1    31  MYSELF    0  1      ; R[A] := 1 if the host (and port) of the URI or address R[B] is one of this server's, else 0\n"
	"    2    31  JMPFALSE  0  2      ; to 5\n"
	"    3    31  PVGET     0  4      ; $(ru{uri.user})\n"
	"    4    31  MATCHK    0  0      ; /^\\+49/i\n"
	"    5    31  JMPIFNOT  0  2      ; to 8\n"
	"    6    31  LOADINT   0  2      ; R[A] := the int sBx\n"
	"    7    31  RETURN    0         ; return R[A] from this route; 0 also ends the script\n"
	"    8    32  PVGET     0  5      ; $rU\n"
	"    9    32  SWITCH    0  0      ; \"alice\" to 10, \"bob\" to 10, /^svc-[0-9]+$/ to 13, default to 16\n"
	"   10    35  FORMAT    1  1      ; \"known\\n\"\n"
	"   11    35  CALL      0  4      ; xlog.xlog/1 -> r0\n"
	"   12    35  JMP          5      ; to 18\n"
	"   13    37  PVGET     1  6      ; $var(next)\n"
	"   14    37  ROUTEDYN  0  1      ; R[A] := return code of the route named by R[B] as string; no such route: error, R[A] := -10\n"
	"   15    37  JMP          2      ; to 18\n"
	"   16    39  LOADINT   0  0      ; R[A] := the int sBx\n"
	"   17    39  DROP      0         ; end the script with code R[A] and the drop flag\n"
	"   18    41  LOADINT   0  0      ; R[A] := the int sBx\n"
	"   19    41  PVSET     0  7      ; $var(i)\n"
	"   20    42  LOOPINIT  2         ; R[A] := 0, the iteration count of a while loop\n"
	"   21    42  PVGET     0  7      ; $var(i)\n"
	"   22    42  LOADK     1  6      ; 5\n"
	"   23    42  LT        0  0  1   ; R[A] := R[B] < R[C] as ints\n"
	"   24    42  JMPIFNOT  0  6      ; to 31\n"
	"   25    42  LOOPCHK   2  5      ; to 31 past max_while_loops\n"
	"   26    42  PVGET     0  7      ; $var(i)\n"
	"   27    42  LOADINT   1  1      ; R[A] := the int sBx\n"
	"   28    42  ADD       0  0  1   ; R[A] := R[B] + R[C]: int left adds (wrapping), string or null left concatenates\n"
	"   29    42  PVSET     0  7      ; $var(i)\n"
	"   30    42  JMP         -10      ; to 21\n"
	"   31    43  DEFINED   0  8      ; $avp(x)\n"
	"   32    43  NOT       0  0      ; R[A] := 1 if R[B] as int is 0, else 0 (! and not)\n"
	"   33    43  JMPIFNOT  0  1      ; to 35\n"
	"   34    43  PVUNSET      8      ; $avp(x)\n"
	"   35    44  LOADINT   0  1      ; R[A] := the int sBx\n"
	"   36    44  RETURN    0         ; return R[A] from this route; 0 also ends the script\n"
	"\n"
	"failure_route[MANAGE_FAILURE] kamailio.cfg:51-52  12 instructions, 2 registers, 0 constants\n"
	"   pc  line  opcode    A  B  C   ; comment\n"
	"    0    51  PVGET     0  9      ; $T_reply_code\n"
	"    1    51  SWITCH    0  1      ; 486 to 2, 600 to 2, default to 5\n"
	"    2    51  LOADNULL  1         ; R[A] := null\n"
	"    3    51  TOINT     1  1      ; R[A] := (int) R[B]\n"
	"    4    51  EXIT      1         ; end the script with code R[A]\n"
	"    5    51  LOADINT   0  3      ; R[A] := the int sBx\n"
	"    6    51  PVGET     1 10      ; $rs\n"
	"    7    51  NEG       1  1      ; R[A] := -R[B] as int, wrapping\n"
	"    8    51  MUL       0  0  1   ; R[A] := R[B] * R[C] as ints, wrapping\n"
	"    9    51  PVSET     0 11      ; $var(c)\n"
	"   10    52  LOADINT   0  1      ; R[A] := the int sBx\n"
	"   11    52  RETURN    0         ; return R[A] from this route; 0 also ends the script\n";

/* Byte offset of the first instruction of the CODE section in img. */
static size_t code_offset(const unsigned char *img, size_t len)
{
	size_t pos = 8;
	while (pos + 8 <= len) {
		uint32_t slen = img[pos + 4] | img[pos + 5] << 8 | img[pos + 6] << 16 | (uint32_t)img[pos + 7] << 24;
		if (memcmp(img + pos, "CODE", 4) == 0)
			return pos + 12;
		pos += 8 + slen;
	}
	return 0;
}

/* Read one corrupted image: refused with a one-line message, or loaded,
 * listed, and written and read back to the same listing. 1 when it
 * behaved. */
static int try_image(const unsigned char *b, size_t n, int *loaded)
{
	char err[256];
	vm_prog *q;
	err[0] = '\0';
	if (vm_image_read(b, n, &q, err, sizeof(err)) < 0)
		return q == NULL && err[0] && !strchr(err, '\n');
	(*loaded)++;
	char *d1 = dump_str(q);
	unsigned char *b2;
	size_t n2;
	vm_prog *q2 = NULL;
	int good = vm_image_encode(q, &b2, &n2) == 0 &&
		vm_image_read(b2, n2, &q2, err, sizeof(err)) == 0;
	if (good) {
		char *d2 = dump_str(q2);
		good = strcmp(d1, d2) == 0;
		free(d2);
		free(b2);
	}
	vm_prog_free(q2);
	free(d1);
	vm_prog_free(q);
	return good;
}

int main(void)
{
	char err[256];

	/* The opcode list. */
	{
		int named = 1, unique = 1;
		for (int i = 0; i < VM_OP__COUNT; i++) {
			const vm_opinfo *o = &vm_opinfo_table[i];
			if (!o->name || !o->name[0] || !o->meaning || strlen(o->meaning) < 5)
				named = 0;
			for (int j = 0; j < i; j++)
				if (strcmp(o->name, vm_opinfo_table[j].name) == 0)
					unique = 0;
		}
		ok(named, "every one of the %d opcodes has a name and a meaning", VM_OP__COUNT);
		ok(unique, "opcode names are unique");
		ok(VM_OP__COUNT <= 256, "opcodes fit in 8 bits");
		int fmts = 1;
		for (int i = 0; i < VM_OP__COUNT; i++) {
			const vm_opinfo *o = &vm_opinfo_table[i];
			if ((o->fmt == VM_FMT_A && (o->b || o->c)) ||
					(o->fmt == VM_FMT_sBx && (o->a || o->b != VM_OPND_T)) ||
					(o->fmt == VM_FMT_AsBx && o->b != VM_OPND_T && o->b != VM_OPND_I) ||
					(o->fmt != VM_FMT_ABC && o->fmt != VM_FMT_A && o->c))
				fmts = 0;
		}
		ok(fmts, "operand kinds agree with the formats");
	}

	/* Encoding. */
	{
		vm_insn i = VM_ABC(VM_OP_ADD, 1, 2, 3);
		ok(VM_GET_OP(i) == VM_OP_ADD && VM_GET_A(i) == 1 && VM_GET_B(i) == 2 && VM_GET_C(i) == 3,
				"ABC encodes and decodes");
		i = VM_ABX(VM_OP_LOADK, 255, 65535);
		ok(VM_GET_A(i) == 255 && VM_GET_BX(i) == 65535, "ABx holds 8 and 16 bits");
		i = VM_ASBX(VM_OP_JMPIF, 7, -32767);
		ok(VM_GET_A(i) == 7 && VM_GET_SBX(i) == -32767, "sBx -32767");
		i = VM_ASBX(VM_OP_JMPIF, 7, 32768);
		ok(VM_GET_SBX(i) == 32768, "sBx 32768");
	}

	/* Builders deduplicate. */
	{
		vm_prog *p = vm_prog_new();
		int a = vm_prog_add_const_str(p, "x\0y", 3), b = vm_prog_add_const_str(p, "x", 1);
		ok(a == 0 && b == 1 && vm_prog_add_const_str(p, "x\0y", 3) == 0, "string constants by bytes");
		ok(vm_prog_add_const_int(p, 1) == 2 && vm_prog_add_const_int(p, 1) == 2, "int constants dedup");
		ok(vm_prog_add_regex(p, "a", 1, 0) == 0 && vm_prog_add_regex(p, "a", 1, VM_RE_ICASE) == 1,
				"regex flags distinguish");
		ok(vm_prog_add_fn(p, "xlog", "xlog", 1) != vm_prog_add_fn(p, "xlog", "xlog", 2),
				"functions by arity");
		ok(vm_prog_add_pv(p, "$a\0", 3) == -1 && vm_prog_add_fn(p, "m", "f", 256) == -1,
				"NUL in a PV, 256 arguments refused");
		ok(vm_prog_emit(p, VM_IA(VM_OP_NOP, 0), 0, 1) == -1, "emit outside a route refused");
		vm_prog_free(p);
	}

	vm_prog *p = build_all();
	ok(failed_builds == 0, "programs built");
	err[0] = '\0';
	ok(vm_prog_check(p, err, sizeof(err)) == 0, "built program passes the checker%s%s",
			err[0] ? ": " : "", err);
	char *d = dump_str(p);
	int same = strcmp(d, expected_listing) == 0;
	ok(same, "listing as expected");
	if (!same) {
		size_t i = 0;
		while (d[i] && d[i] == expected_listing[i])
			i++;
		printf("# differs at byte %zu:\n# got:      %.80s\n# expected: %.80s\n", i,
				d + (i > 20 ? i - 20 : 0), expected_listing + (i > 20 ? i - 20 : 0));
	}
	ok(strstr(d, "    1    51  SWITCH    0  1      ; 486 to 2, 600 to 2, default to 5\n") != NULL,
			"int switch listed");
	if (getenv("DUMP"))
		fputs(d, stdout);

	/* Round trip. */
	unsigned char *img;
	size_t ilen;
	int enc = vm_image_encode(p, &img, &ilen);
	ok(enc == 0, "encoded (%zu bytes)", ilen);
	vm_prog *q = NULL;
	err[0] = '\0';
	ok(vm_image_read(img, ilen, &q, err, sizeof(err)) == 0, "read back%s%s", err[0] ? ": " : "", err);
	if (q) {
		char *d2 = dump_str(q);
		ok(strcmp(d, d2) == 0, "same listing after write and read");
		unsigned char *img2;
		size_t ilen2;
		ok(vm_image_encode(q, &img2, &ilen2) == 0 && ilen2 == ilen && memcmp(img, img2, ilen) == 0,
				"re-encoding gives the same bytes");
		free(img2);
		free(d2);
		vm_prog_free(q);
	}
	{
		FILE *f = tmpfile();
		int w = f && vm_image_write(p, f) == 0;
		long sz = w ? ftell(f) : -1;
		ok(w && sz == (long)ilen, "vm_image_write writes the image");
		if (f)
			fclose(f);
	}

	/* Errors named. */
	{
		uint32_t g = p->rt[1].first + 3, save = p->code[g];
		p->code[g] = VM_ABX(VM_OP_PVGET, 0, 40);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 (PVGET) refers to pseudo-variable 40 of 12") == 0,
				"bad PV index: %s", err);
		p->code[g] = VM_ABX(VM_OP_PVGET, 3, 0);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 (PVGET) uses register 3 of 3") == 0,
				"bad register: %s", err);
		p->code[g] = VM_ASBX(VM_OP_JMP, 0, 100);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 (JMP) jumps to 104, outside the route (37 instructions)") == 0,
				"bad jump: %s", err);
		p->code[g] = VM_ABX(VM_OP_CALL, 2, 1);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 (CALL) passes 2 arguments from register 3, beyond its 3 registers") == 0,
				"CALL arguments past the registers: %s", err);
		p->code[g] = VM_ABC(VM_OP_MOVE, 0, 1, 2);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 (MOVE) has 2 in its unused operand C") == 0,
				"unused operand set: %s", err);
		p->code[g] = 200;
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: instruction 3 has unknown opcode 200") == 0,
				"unknown opcode: %s", err);
		p->code[g] = save;
		uint32_t last = p->rt[2].first + p->rt[2].count - 1;
		save = p->code[last];
		p->code[last] = VM_IA(VM_OP_NOP, 0);
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "failure_route[MANAGE_FAILURE]: its code does not end in RETURN, LEAVE, EXIT, DROP or JMP") == 0,
				"no terminator: %s", err);
		p->code[last] = save;
		p->j[0].cases[2].key = 99;
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "jump table 0, case 2 refers to regex 99, not in the table") == 0,
				"bad regex case: %s", err);
		p->j[0].cases[2].key = 1;
		p->j[1].dflt = 14;
		vm_prog_check(p, err, sizeof(err));
		ok(strstr(err, "jump table 1's default goes to 14, outside the route") != NULL,
				"bad default: %s", err);
		p->j[1].dflt = 5;
		p->lines[2].pc = p->lines[1].pc;
		vm_prog_check(p, err, sizeof(err));
		ok(strstr(err, "line table entry 2: instruction") == err, "line table not monotonic: %s", err);
		ok(vm_prog_check(p, err, sizeof(err)) < 0, "still refused");
		vm_prog_free(p);
		p = build_all();
		ok(vm_prog_check(p, err, sizeof(err)) == 0, "rebuilt program passes again");
		char *save_name = p->rt[2].name;
		uint32_t save_type = p->rt[2].type;
		p->rt[2].name = p->rt[1].name;
		p->rt[2].type = p->rt[1].type;
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "route[RELAY]: defined twice") == 0, "duplicate route: %s", err);
		p->rt[2].name = "A\nB";
		p->rt[2].type = save_type;
		p->rt[2].nregs = 1;
		vm_prog_check(p, err, sizeof(err));
		ok(strcmp(err, "failure_route[A\\x0aB]: instruction 2 (LOADNULL) uses register 1 of 1") == 0,
				"control bytes of a name escaped: %s", err);
		p->rt[2].name = save_name;
		p->rt[2].nregs = 2;
		ok(vm_prog_check(p, err, sizeof(err)) == 0, "restored");
	}

	/* Header errors. */
	{
		unsigned char b[16];
		vm_prog *r;
		memcpy(b, img, 16);
		ok(vm_image_read(b, 3, &r, err, sizeof(err)) < 0 && strstr(err, "no SVB magic"), "short: %s", err);
		b[4] = VM_IMAGE_VERSION + 1;
		char want[80];
		snprintf(want, sizeof(want), "image version %d, this sipvm reads version %d",
				VM_IMAGE_VERSION + 1, VM_IMAGE_VERSION);
		ok(vm_image_read(b, 16, &r, err, sizeof(err)) < 0 &&
				strcmp(err, want) == 0, "version: %s", err);
		b[4] = VM_IMAGE_VERSION;
		b[6] = 1;
		ok(vm_image_read(b, 16, &r, err, sizeof(err)) < 0 && strstr(err, "unknown flags"), "flags: %s", err);
		ok(vm_image_read(img, 8, &r, err, sizeof(err)) < 0 &&
				strcmp(err, "section FILE is missing (truncated image?)") == 0,
				"a header alone: %s", err);
	}

	/* A corrupted operand in the image is named. */
	{
		size_t co = code_offset(img, ilen);
		unsigned char *b = malloc(ilen);
		vm_prog *r;
		memcpy(b, img, ilen);
		uint32_t insn = VM_ABX(VM_OP_PVGET, 0, 40), g = p->rt[1].first + 3;
		for (int i = 0; i < 4; i++)
			b[co + 4 * g + i] = (unsigned char)(insn >> (8 * i));
		ok(co && vm_image_read(b, ilen, &r, err, sizeof(err)) < 0 &&
				strcmp(err, "route[RELAY]: instruction 3 (PVGET) refers to pseudo-variable 40 of 12") == 0,
				"image with a bad operand: %s", err);
		free(b);
	}

	/* Every truncation. */
	{
		int refused = 1, msgs = 1;
		for (size_t n = 0; n < ilen; n++) {
			vm_prog *r = NULL;
			err[0] = '\0';
			if (vm_image_read(img, n, &r, err, sizeof(err)) == 0) {
				refused = 0;
				printf("# truncated to %zu bytes: loaded\n", n);
				vm_prog_free(r);
			} else if (!err[0] || strchr(err, '\n')) {
				msgs = 0;
			}
		}
		ok(refused, "each of the %zu truncations is refused", ilen);
		ok(msgs, "each with a one-line message");
		vm_image_read(img, ilen - 1, &q, err, sizeof(err));
		ok(strstr(err, "section LINE:") == err, "last byte missing: %s", err);
	}

	/* Random corruption. */
	{
		unsigned seed = 12345;
		int behaved = 1, loaded = 0, trials = 0;
		unsigned char *b = malloc(ilen + 64);
		for (int t = 0; t < 20000; t++) {
			size_t n = ilen;
			memcpy(b, img, ilen);
			int kind = t % 4, edits = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 3;
			for (int e = 0; e < edits; e++) {
				seed = seed * 1103515245 + 12345;
				size_t at = (seed >> 8) % n;
				unsigned char v = (unsigned char)(seed >> 20);
				if (kind == 0) {
					b[at] ^= (unsigned char)(1u << ((seed >> 4) % 8));
				} else if (kind == 1) {
					b[at] = v;
				} else if (kind == 2 && n < ilen + 60) {
					memmove(b + at + 1, b + at, n - at);
					b[at] = v;
					n++;
				} else if (n > 9) {
					memmove(b + at, b + at + 1, n - at - 1);
					n--;
				}
			}
			trials++;
			if (!try_image(b, n, &loaded)) {
				if (behaved)
					printf("# trial %d misbehaved\n", t);
				behaved = 0;
			}
		}
		ok(behaved, "%d corrupted images refused or loaded consistently (%d loaded)", trials, loaded);
		ok(loaded > 0 && loaded < trials / 2, "some corruptions load (unused bytes), most do not");
		free(b);
	}

	/* Seeds for `make fuzz-image`: this image and an empty program's. */
	const char *seeds = getenv("IMAGE_SEED_DIR");
	if (seeds) {
		char path[512];
		vm_prog *e = vm_prog_new();
		unsigned char *eb = NULL;
		size_t en;
		snprintf(path, sizeof(path), "%s/routes.svb", seeds);
		FILE *f = fopen(path, "wb");
		ok(f && fwrite(img, 1, ilen, f) == ilen && fclose(f) == 0, "seed %s written", path);
		snprintf(path, sizeof(path), "%s/empty.svb", seeds);
		f = fopen(path, "wb");
		ok(f && vm_image_encode(e, &eb, &en) == 0 && fwrite(eb, 1, en, f) == en &&
				fclose(f) == 0, "seed %s written", path);
		free(eb);
		vm_prog_free(e);
	}

	free(img);
	free(d);
	vm_prog_free(p);
	return tap_done();
}
