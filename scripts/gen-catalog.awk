# gen-catalog.awk — turn Kamailio's export catalog (cfgc/data/kam-*.tsv) into
# C export tables, the registry that `cfgc --target=kamailio` checks against.
#
#   awk -f scripts/gen-catalog.awk cfgc/data/kam-functions.tsv \
#       cfgc/data/kam-params.tsv cfgc/data/kam-pvs.tsv \
#       cfgc/data/kam-transformations.tsv cfgc/data/kam-events.tsv \
#       > build/gen/cfgc_kamcat.c
#
# Each input is tab-separated; a line starting with '#' is a comment (the
# first line of every file is one). The kind of a file is taken from its
# name (kam-functions, kam-params, kam-pvs, kam-transformations,
# kam-events), so the order of the arguments does not matter.
#
#   functions:        module, function, params (N or var), route mask (hex),
#                     detail (fixup name, or the grammar forms for core)
#   params:           module, param, type (INT/STRING/STR/VAR), use_func
#   pvs:              module, pv, writable, takes_name, takes_index
#   transformations:  module, class, name
#   events:           module, event_route name (trailing ':' = any suffix)
#
# Output: one static array per module and kind (zero-terminated; modules
# that export nothing of a kind share one empty array), one static vm_module
# per module (core first, then by name) and cfgc_registry_kamailio().
# Mapping: params `var` -> VM_NPARAMS_VAR, rows with params -1 (API binders
# not callable from a script) are left out, detail -> .fixup (NULL for the
# catalog's "0", no fixup), .kinds and .impl NULL; INT -> VM_PARAM_INT,
# STRING/STR -> VM_PARAM_STR, VAR -> VM_PARAM_ANY, use_func yes -> multi.
# Any malformed row stops the generator with file:line and exit status 1.
#
# POSIX awk only (mawk, gawk, busybox awk).

BEGIN {
	FS = "\t"
	nmods = 0
	failed = 0
	label = ""
}

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function kind_of(path,    base) {
	base = path
	sub(/.*\//, "", base)
	if (base ~ /^kam-functions/) return "fn"
	if (base ~ /^kam-params/) return "param"
	if (base ~ /^kam-pvs/) return "pv"
	if (base ~ /^kam-transformations/) return "tr"
	if (base ~ /^kam-events/) return "ev"
	if (base ~ /^kam-modules/) return "mod"
	return ""
}

# Remember a module the first time it is seen.
function module(m) {
	if (m == "" || m !~ /^[A-Za-z0-9_@.-]+$/)
		fail("bad module name '" m "'")
	if (!(m in modidx)) {
		modidx[m] = ++nmods
		modname[nmods] = m
		nfn[m] = nparam[m] = npv[m] = ntr[m] = nev[m] = 0
	}
}

# C identifier fragment for a module name.
function ident(m,    s) {
	s = m
	gsub(/[^A-Za-z0-9_]/, "_", s)
	return s
}

# A C string literal (with quotes) for s.
function cstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\?\?/, "?\\?", s)   # no trigraphs
	return "\"" s "\""
}

function yesno(v, what) {
	if (v == "yes") return 1
	if (v == "no") return 0
	fail("bad " what " value '" v "' (yes or no)")
}

function pad(s, w) {
	return sprintf("%-" w "s", s)
}

FNR == 1 {
	inputs = inputs (inputs == "" ? "" : ", ") FILENAME
	kind = kind_of(FILENAME)
	if (kind == "")
		fail("cannot tell what this file holds from its name")
	if (kind == "fn" && match($0, /Kamailio [0-9]+\.[0-9]+\.[0-9]+/))
		label = substr($0, RSTART, RLENGTH)
}

/^#/ || /^[ \t]*$/ { next }

kind == "mod" {
	module($1)
	if ($2 == "unpackaged")
		unavail[$1] = "is in Kamailio 5.6.3's source tree but not in its Debian packages"
	next
}

kind == "fn" {
	if (NF != 5) fail("expected 5 fields, found " NF)
	if ($3 == "-1") next
	if ($3 != "var" && $3 !~ /^[0-9]+$/) fail("bad params '" $3 "'")
	if ($4 !~ /^0[xX][0-9A-Fa-f]+$/ || length($4) > 10) fail("bad route mask '" $4 "'")
	module($1)
	i = ++nfn[$1]
	fn_name[$1, i] = $2
	fn_np[$1, i] = ($3 == "var") ? "VM_NPARAMS_VAR" : $3
	fn_mask[$1, i] = "0x" toupper(substr($4, 3)) "u"
	fn_fix[$1, i] = ($5 == "0" || $5 == "") ? "NULL" : cstr($5)
	next
}

kind == "param" {
	if (NF != 4) fail("expected 4 fields, found " NF)
	if ($3 == "INT") t = "VM_PARAM_INT"
	else if ($3 == "STRING" || $3 == "STR") t = "VM_PARAM_STR"
	else if ($3 == "VAR") t = "VM_PARAM_ANY"
	else fail("bad param type '" $3 "'")
	module($1)
	i = ++nparam[$1]
	par_name[$1, i] = $2
	par_type[$1, i] = t
	par_multi[$1, i] = yesno($4, "use_func")
	next
}

kind == "pv" {
	if (NF != 5) fail("expected 5 fields, found " NF)
	f = ""
	if (yesno($3, "writable")) f = f " | VM_PV_WRITABLE"
	if (yesno($4, "takes_name")) f = f " | VM_PV_NAME"
	if (yesno($5, "takes_index")) f = f " | VM_PV_INDEX"
	module($1)
	i = ++npv[$1]
	pv_name[$1, i] = $2
	pv_flags[$1, i] = (f == "") ? "0" : substr(f, 4)
	next
}

kind == "tr" {
	if (NF != 3) fail("expected 3 fields, found " NF)
	module($1)
	i = ++ntr[$1]
	tr_cls[$1, i] = $2
	tr_name[$1, i] = $3
	next
}

kind == "ev" {
	if (NF != 2) fail("expected 2 fields, found " NF)
	if ($2 !~ /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.:-]*$/) fail("bad event_route name '" $2 "'")
	module($1)
	i = ++nev[$1]
	ev_name[$1, i] = $2
	next
}

# Module order: core first, then by name (insertion sort, ~250 names).
function sort_modules(    i, j, t) {
	for (i = 2; i <= nmods; i++) {
		t = modname[i]
		for (j = i - 1; j >= 1 && before(t, modname[j]); j--)
			modname[j + 1] = modname[j]
		modname[j + 1] = t
	}
}

function before(a, b) {
	if (a == "core") return b != "core"
	if (b == "core") return 0
	return a < b
}

function emit_fns(m, id,    i, w, s) {
	w = 0
	for (i = 1; i <= nfn[m]; i++)
		if (length(cstr(fn_name[m, i])) + 1 > w) w = length(cstr(fn_name[m, i])) + 1
	printf "static const vm_fn_export kam_%s_fns[] = {\n", id
	for (i = 1; i <= nfn[m]; i++) {
		s = pad(cstr(fn_name[m, i]) ",", w)
		printf "\t{ %s %s, %s, NULL, %s, NULL },\n", s,
		    fn_np[m, i], fn_mask[m, i], fn_fix[m, i]
	}
	printf "\t{ NULL, 0, 0, NULL, NULL, NULL }\n};\n"
}

function emit_params(m, id,    i, w) {
	w = 0
	for (i = 1; i <= nparam[m]; i++)
		if (length(cstr(par_name[m, i])) + 1 > w) w = length(cstr(par_name[m, i])) + 1
	printf "static const vm_param_export kam_%s_params[] = {\n", id
	for (i = 1; i <= nparam[m]; i++)
		printf "\t{ %s %s, %d },\n", pad(cstr(par_name[m, i]) ",", w),
		    pad(par_type[m, i], 12), par_multi[m, i]
	printf "\t{ NULL, 0, 0 }\n};\n"
}

function emit_pvs(m, id,    i, w) {
	w = 0
	for (i = 1; i <= npv[m]; i++)
		if (length(cstr(pv_name[m, i])) + 1 > w) w = length(cstr(pv_name[m, i])) + 1
	printf "static const vm_pv_export kam_%s_pvs[] = {\n", id
	for (i = 1; i <= npv[m]; i++)
		printf "\t{ %s %s, NULL, NULL, NULL },\n", pad(cstr(pv_name[m, i]) ",", w), pv_flags[m, i]
	printf "\t{ NULL, 0, NULL, NULL, NULL }\n};\n"
}

function emit_trs(m, id,    i, w) {
	w = 0
	for (i = 1; i <= ntr[m]; i++)
		if (length(cstr(tr_cls[m, i])) + 1 > w) w = length(cstr(tr_cls[m, i])) + 1
	printf "static const vm_tr_export kam_%s_trs[] = {\n", id
	for (i = 1; i <= ntr[m]; i++)
		printf "\t{ %s %s },\n", pad(cstr(tr_cls[m, i]) ",", w), cstr(tr_name[m, i])
	printf "\t{ NULL, NULL }\n};\n"
}

function emit_events(m, id,    i) {
	printf "static const char *const kam_%s_events[] = {\n", id
	for (i = 1; i <= nev[m]; i++)
		printf "\t%s,\n", cstr(ev_name[m, i])
	printf "\tNULL\n};\n"
}

END {
	if (failed) exit 1
	if (!("core" in modidx)) {
		print "gen-catalog.awk: no core functions in the input" > "/dev/stderr"
		exit 1
	}
	if (label == "") label = "Kamailio 5.6.3"
	sort_modules()

	for (k = 1; k <= nmods; k++) {
		id = ident(modname[k])
		if (id in seen_id) {
			printf "gen-catalog.awk: modules '%s' and '%s' map to one C name\n",
			    seen_id[id], modname[k] > "/dev/stderr"
			exit 1
		}
		seen_id[id] = modname[k]
	}

	print "/* Generated file, do not edit: " label "'s export catalog, made by scripts/gen-catalog.awk from " inputs ". */"
	print ""
	print "#include <stddef.h>"
	print ""
	print "#include \"vm.h\""
	print ""
	print "const vm_registry *cfgc_registry_kamailio(void);"
	print ""
	# Shared empty arrays, for the kinds some module does not export.
	for (k = 1; k <= nmods; k++) {
		m = modname[k]
		if (!nfn[m]) need["fn"] = 1
		if (!nparam[m]) need["param"] = 1
		if (!npv[m]) need["pv"] = 1
		if (!ntr[m]) need["tr"] = 1
		if (!nev[m]) need["ev"] = 1
	}
	if ("fn" in need) print "static const vm_fn_export kam_no_fns[] = { { NULL, 0, 0, NULL, NULL, NULL } };"
	if ("param" in need) print "static const vm_param_export kam_no_params[] = { { NULL, 0, 0 } };"
	if ("pv" in need) print "static const vm_pv_export kam_no_pvs[] = { { NULL, 0, NULL, NULL, NULL } };"
	if ("tr" in need) print "static const vm_tr_export kam_no_trs[] = { { NULL, NULL } };"
	if ("ev" in need) print "static const char *const kam_no_events[] = { NULL };"

	tfn = tpar = tpv = ttr = tev = 0
	for (k = 1; k <= nmods; k++) {
		m = modname[k]
		id = ident(m)
		printf "\n/* ---------------------------------------------------------------- %s */\n\n", m
		if (nfn[m]) emit_fns(m, id)
		if (nparam[m]) emit_params(m, id)
		if (npv[m]) emit_pvs(m, id)
		if (ntr[m]) emit_trs(m, id)
		if (nev[m]) emit_events(m, id)
		printf "static const vm_module kam_%s = {\n", id
		printf "\t.name = %s,\n", cstr(m)
		printf "\t.fns = %s,\n", nfn[m] ? "kam_" id "_fns" : "kam_no_fns"
		printf "\t.params = %s,\n", nparam[m] ? "kam_" id "_params" : "kam_no_params"
		printf "\t.pvs = %s,\n", npv[m] ? "kam_" id "_pvs" : "kam_no_pvs"
		printf "\t.trs = %s,\n", ntr[m] ? "kam_" id "_trs" : "kam_no_trs"
		printf "\t.events = %s,\n", nev[m] ? "kam_" id "_events" : "kam_no_events"
		printf "\t.unavailable = %s,\n", (m in unavail) ? cstr(unavail[m]) : "NULL"
		printf "};\n"
		tfn += nfn[m]; tpar += nparam[m]; tpv += npv[m]; ttr += ntr[m]; tev += nev[m]
	}

	printf "\n/* ------------------------------------------------------------ registry */\n\n"
	printf "/* %d modules: %d functions, %d parameters, %d pseudo-variable classes,\n", nmods, tfn, tpar, tpv
	printf " * %d transformations, %d event routes. */\n", ttr, tev
	printf "static const vm_module *const kam_mods[] = {\n"
	for (k = 1; k <= nmods; k++)
		printf "\t&kam_%s,\n", ident(modname[k])
	printf "};\n\n"
	printf "static const vm_registry kam_registry = {\n"
	printf "\t%s,\n", cstr(label)
	printf "\tkam_mods,\n"
	printf "\tsizeof kam_mods / sizeof kam_mods[0],\n"
	printf "};\n\n"
	printf "const vm_registry *cfgc_registry_kamailio(void)\n{\n\treturn &kam_registry;\n}\n"
}
