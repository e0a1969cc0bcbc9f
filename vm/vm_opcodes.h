/*
 * vm_opcodes.h — the instruction set of the sipvm register VM, one line per
 * opcode. This list is its documentation: docs/opcodes.md is generated from
 * it (scripts/gen-opcodes.awk), the disassembler prints its names and
 * meanings, and the image loader checks every operand by the kinds given
 * here.
 *
 * Must not: hold anything but the list (it is included by vm.h).
 *
 * An instruction is a uint32_t (vm.h, "Programs"): op in bits 0-7, A in
 * 8-15, B in 16-23, C in 24-31; Bx is B and C together (16 bits, unsigned)
 * and sBx is Bx - 32767. Formats: ABC, ABx, AsBx, A (B and C zero), sBx (A
 * zero). A route's registers are R[0] .. R[nregs-1]; its pcs count from its
 * first instruction. A jump to `to N` sets pc := pc + 1 + sBx = N.
 *
 * X(NAME, FORMAT, A, B, C, "meaning"): for the ABx and AsBx formats the
 * kind under B is that of Bx (C is then `_`). Operand kinds:
 *   _  unused (must be 0)       R  register          I  signed int (sBx)
 *   T  jump (sBx) to a pc of the same route
 *   K  constant      P  pseudo-variable    F  format     RE regex
 *   N  network       FN function           RT route      J  jump table
 *
 * Truth: `if` takes a value as true when it is > 0 (JMPIF); `while`,
 * `&&`, `||`, `!` when it is non-zero (JMPTRUE, NOT), as Kamailio 5.6.3. Return codes: a function
 * or route code of 0 ends the whole script, as exit does (language §5.4).
 */

/* clang-format off */
#define VM_OPCODES(X) \
X(NOP,      A,    _, _,  _, "does nothing") \
X(MOVE,     ABC,  R, R,  _, "R[A] := R[B]") \
X(LOADK,    ABx,  R, K,  _, "R[A] := constant K[Bx] (int or string)") \
X(LOADINT,  AsBx, R, I,  _, "R[A] := the int sBx") \
X(LOADNULL, A,    R, _,  _, "R[A] := null") \
X(PVGET,    ABx,  R, P,  _, "R[A] := value of pseudo-variable P[Bx] (null when it has none)") \
X(PVSET,    ABx,  R, P,  _, "pseudo-variable P[Bx] := R[A] (a null value unsets it, as $null)") \
X(PVUNSET,  ABx,  _, P,  _, "pseudo-variable P[Bx] := $null (reset, delete or make null: its class decides)") \
X(DEFINED,  ABx,  R, P,  _, "R[A] := 1 if pseudo-variable P[Bx] is not null, else 0") \
X(FORMAT,   ABx,  R, F,  _, "R[A] := format F[Bx] expanded: its literal parts and the values of its PVs") \
X(ADD,      ABC,  R, R,  R, "R[A] := R[B] + R[C]: int left adds (wrapping), string or null left concatenates") \
X(IADD,     ABC,  R, R,  R, "R[A] := R[B] + R[C] as ints, wrapping (left operand known to be an int)") \
X(CONCAT,   ABC,  R, R,  R, "R[A] := R[B] and R[C] as strings, concatenated (left operand known to be a string)") \
X(SUB,      ABC,  R, R,  R, "R[A] := R[B] - R[C] as ints, wrapping") \
X(MUL,      ABC,  R, R,  R, "R[A] := R[B] * R[C] as ints, wrapping") \
X(DIV,      ABC,  R, R,  R, "R[A] := R[B] / R[C] as ints, truncated; by zero: error, R[A] unchanged") \
X(MOD,      ABC,  R, R,  R, "R[A] := R[B] mod R[C] as ints, sign of the dividend; by zero: error, R[A] unchanged") \
X(BAND,     ABC,  R, R,  R, "R[A] := R[B] & R[C] as ints") \
X(BOR,      ABC,  R, R,  R, "R[A] := R[B] | R[C] as ints") \
X(BXOR,     ABC,  R, R,  R, "R[A] := R[B] ^ R[C] as ints") \
X(SHL,      ABC,  R, R,  R, "R[A] := R[B] << R[C] as ints, the count mod 32") \
X(SHR,      ABC,  R, R,  R, "R[A] := R[B] >> R[C] as ints (arithmetic), the count mod 32") \
X(NEG,      ABC,  R, R,  _, "R[A] := -R[B] as int, wrapping") \
X(NOT,      ABC,  R, R,  _, "R[A] := 1 if R[B] as int is 0, else 0 (! and not)") \
X(BNOT,     ABC,  R, R,  _, "R[A] := ~R[B] as int") \
X(TOINT,    ABC,  R, R,  _, "R[A] := (int) R[B]") \
X(TOSTR,    ABC,  R, R,  _, "R[A] := (str) R[B]") \
X(STRLEN,   ABC,  R, R,  _, "R[A] := strlen(R[B]): the length of R[B] as string") \
X(STREMPTY, ABC,  R, R,  _, "R[A] := strempty(R[B]): 1 if R[B] as string is empty, else 0") \
X(BOOL,     ABC,  R, R,  _, "R[A] := 1 if R[B] as int is non-zero, else 0") \
X(COND,     ABC,  R, R,  _, "R[A] := 1 if R[B] as int is > 0, else 0 (a call's return code used as a value)") \
X(EQ,       ABC,  R, R,  R, "R[A] := R[B] == R[C]: the left operand's kind decides (int, string or null rules)") \
X(NE,       ABC,  R, R,  R, "R[A] := R[B] != R[C]: the left operand's kind decides (int, string or null rules)") \
X(SEQ,      ABC,  R, R,  R, "R[A] := R[B] eq R[C]: both as strings, bytes compared") \
X(SNE,      ABC,  R, R,  R, "R[A] := R[B] ne R[C]: both as strings, bytes compared") \
X(IEQ,      ABC,  R, R,  R, "R[A] := R[B] ieq R[C]: both as ints") \
X(INE,      ABC,  R, R,  R, "R[A] := R[B] ine R[C]: both as ints") \
X(LT,       ABC,  R, R,  R, "R[A] := R[B] < R[C] as ints") \
X(GT,       ABC,  R, R,  R, "R[A] := R[B] > R[C] as ints") \
X(LE,       ABC,  R, R,  R, "R[A] := R[B] <= R[C] as ints") \
X(GE,       ABC,  R, R,  R, "R[A] := R[B] >= R[C] as ints") \
X(SEQNC,    ABC,  R, R,  R, "R[A] := R[B] == R[C] as strings, ignoring case (old-style method, uri ... conditions)") \
X(SNENC,    ABC,  R, R,  R, "R[A] := R[B] != R[C] as strings, ignoring case (old-style method, uri ... conditions)") \
X(MATCH,    ABC,  R, R,  R, "R[A] := R[B] =~ R[C]: the pattern R[C] compiled for this match, ignoring case; bad pattern: error") \
X(MATCHK,   ABx,  R, RE, _, "R[A] := R[A] =~ regex X[Bx], compiled at load") \
X(INNET,    ABx,  R, N,  _, "R[A] := 1 if the address R[A] is in network N[Bx] (ip, ip/bits, ip/mask or host), else 0") \
X(MYSELF,   ABC,  R, R,  _, "R[A] := 1 if the host (and port) of the URI or address R[B] is one of this server's, else 0") \
X(JMP,      sBx,  _, T,  _, "pc += sBx") \
X(JMPIF,    AsBx, R, T,  _, "if R[A] as int is > 0, pc += sBx (the test of if)") \
X(JMPIFNOT, AsBx, R, T,  _, "unless R[A] as int is > 0, pc += sBx (the test of if)") \
X(JMPTRUE,  AsBx, R, T,  _, "if R[A] as int is non-zero, pc += sBx (&&, || and the test of while)") \
X(JMPFALSE, AsBx, R, T,  _, "if R[A] as int is zero, pc += sBx (&&, || and the test of while)") \
X(CALL,     ABx,  R, FN, _, "R[A] := return code of function FN[Bx] on its nargs arguments R[A+1] ..., also in $rc; code 0 ends the script") \
X(ROUTE,    ABx,  R, RT, _, "R[A] := return code of route RT[Bx], also in $rc; exit, drop or return 0 in it end the script") \
X(ROUTEDYN, ABC,  R, R,  _, "R[A] := return code of the route named by R[B] as string; no such route: error, R[A] := -10") \
X(RETURN,   A,    R, _,  _, "return R[A] from this route; 0 also ends the script") \
X(LEAVE,    A,    R, _,  _, "return R[A] from this route without ending the script (break outside any loop or switch)") \
X(EXIT,     A,    R, _,  _, "end the script with code R[A]") \
X(DROP,     A,    R, _,  _, "end the script with code R[A] and the drop flag") \
X(SWITCH,   ABx,  R, J,  _, "jump through table J[Bx] keyed by R[A]: int cases, or string and regex cases on R[A] as string; else its default") \
X(LOOPINIT, A,    R, _,  _, "R[A] := 0, the iteration count of a while loop") \
X(LOOPCHK,  AsBx, R, T,  _, "R[A] += 1; past max_while_loops (when > 0): log \"runaway while\", R[A] := -1, pc += sBx")
/* clang-format on */
