# gen-opcodes.awk — turn the opcode list of vm/vm_opcodes.h and the
# documentation blocks of the interpreter (vm/vm_exec.c) into
# docs/opcodes.md: the header comment's explanation of the encoding, one
# table row per opcode (name, format, operand kinds, meaning), then each
# opcode's block ("/* Opcode: NAME ..." above its code) in full.
#
#   awk -f scripts/gen-opcodes.awk vm/vm_opcodes.h vm/vm_exec.c > docs/opcodes.md
#
# Run by `make docs` (and `make`). Fails when a line of the list does not
# have the X(NAME, FORMAT, A, B, C, "meaning") shape, or when an opcode has
# no block in vm_exec.c (or a block names no opcode of the list).
# Blocks of the interpreter: "/* Opcode: NAME operands" up to "*/".
FILENAME ~ /vm_exec\.c$/ {
	if (!inblock && match($0, /^\/\* Opcode: [A-Z_]+/)) {
		split(substr($0, 12), w, " ")
		cur = w[1]
		blk[cur] = "`" substr($0, 12) "`\n\n"
		inblock = 1
		nblocks++
		blockname[nblocks] = cur
		next
	}
	if (inblock) {
		line = $0
		end = sub(/[ \t]*\*\/[ \t]*$/, "", line)
		sub(/^ \* ?/, "", line)
		if (line ~ /^Synopsis: /) line = "*" substr(line, 11) "*\n"
		if (line != "" || !end) blk[cur] = blk[cur] line "\n"
		if (end) inblock = 0
	}
	next
}

BEGIN {
	print "<!-- Generated from vm/vm_opcodes.h and vm/vm_exec.c by scripts/gen-opcodes.awk (make docs): do not edit. -->"
	print ""
	print "# sipvm opcodes"
	print ""
	incomment = 0; n = 0; bad = 0
}

# The explanation: the header comment from its second paragraph on.
/^\/\*/ && !done_comment { incomment = 1; para = 0; next }
incomment && /\*\// { incomment = 0; done_comment = 1; next }
incomment {
	line = $0
	sub(/^ \* ?/, "", line)
	if (line == "") { para++; if (para >= 3) text = text "\n"; next }
	if (para >= 2)
		text = text line "\n"
	next
}

/^X\(/ {
	line = $0
	sub(/[ \t]*\\$/, "", line)
	if (!match(line, /^X\([A-Z_]+, *[A-Za-z]+, *[A-Z_]+, *[A-Z_]+, *[A-Z_]+, *".*"\)$/)) {
		print "gen-opcodes.awk: malformed line: " $0 > "/dev/stderr"
		bad = 1
		next
	}
	q = index(line, "\"")
	meaning = substr(line, q + 1, length(line) - q - 2)
	gsub(/\\"/, "\"", meaning)
	gsub(/\|/, "\\|", meaning)
	head = substr(line, 3, q - 3)
	gsub(/[ \t]/, "", head)
	split(head, f, ",")
	if (meaning == "") {
		print "gen-opcodes.awk: " f[1] " has no meaning" > "/dev/stderr"
		bad = 1
	}
	names[n] = f[1]
	known[f[1]] = 1
	rows[n++] = "| " n - 1 " | `" f[1] "` | " f[2] " | " f[3] " | " f[4] " | " f[5] " | " meaning " |"
}

END {
	for (i = 0; i < n; i++)
		if (!(names[i] in blk)) {
			print "gen-opcodes.awk: " names[i] " has no \"Opcode:\" block in vm/vm_exec.c" > "/dev/stderr"
			bad = 1
		}
	for (i = 1; i <= nblocks; i++)
		if (!(blockname[i] in known)) {
			print "gen-opcodes.awk: vm/vm_exec.c documents " blockname[i] ", which vm/vm_opcodes.h does not list" > "/dev/stderr"
			bad = 1
		}
	if (bad)
		exit 1
	print "The instruction set of the register VM, one row per opcode, in the"
	print "order of their numbers. What vm/vm_opcodes.h says about encoding:"
	print ""
	print "```text"
	printf "%s", text
	print "```"
	print ""
	print "| # | opcode | format | A | B (Bx) | C | meaning |"
	print "|---|---|---|---|---|---|---|"
	for (i = 0; i < n; i++)
		print rows[i]
	print ""
	print n " opcodes."
	print ""
	print "## Each opcode, as the interpreter documents it"
	print ""
	print "From the block above its code in vm/vm_exec.c."
	for (i = 0; i < n; i++) {
		print ""
		print "### " names[i]
		print ""
		printf "%s", blk[names[i]]
	}
}
