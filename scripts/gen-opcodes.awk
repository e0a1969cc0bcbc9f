# gen-opcodes.awk — turn the opcode list of vm/vm_opcodes.h into
# docs/opcodes.md: the header comment's explanation of the encoding, then
# one table row per opcode (name, format, operand kinds, meaning).
#
#   awk -f scripts/gen-opcodes.awk vm/vm_opcodes.h > docs/opcodes.md
#
# Run by `make docs` (and `make`). Fails when a line of the list does not
# have the X(NAME, FORMAT, A, B, C, "meaning") shape.
BEGIN {
	print "<!-- Generated from vm/vm_opcodes.h by scripts/gen-opcodes.awk (make docs): do not edit. -->"
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
	rows[n++] = "| " n - 1 " | `" f[1] "` | " f[2] " | " f[3] " | " f[4] " | " f[5] " | " meaning " |"
}

END {
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
}
