#!/bin/sh
# `make check-deps`: report #include lines that break the layering
# (see DESIGN.md, STYLE.md):
#
#   cfgc    -> vm                 runtime -> vm
#   stdlib  -> runtime, vm        lua     -> runtime, vm
#   vm      -> libc only
#
# Except the `sipvm` command itself (runtime/rt_main.c), which compiles a
# config in process and so links every layer.
#
# A quoted include is resolved the way the compiler does (next to the
# including file, then in cfgc/ and vm/, the -I folders of the Makefile) and
# belongs to the layer of the folder it is found in; one found nowhere (a
# generated header such as cfgc_parse.h) belongs to the includer's layer.
# Third-party headers (Lua, gnutls, curl, SQLite, MySQL) are violations in
# vm/ and cfgc/. Prints one line per violation, "N violations" and exits 1
# when there is any.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

allowed() { # layer -> layers it may include
	case "$1" in
	cfgc) echo "cfgc vm" ;;
	vm) echo "vm" ;;
	runtime) echo "runtime vm" ;;
	stdlib) echo "stdlib runtime vm" ;;
	lua) echo "lua runtime vm" ;;
	esac
}

# Normalize a relative path (a/b/../c -> a/c).
norm() {
	echo "$1" | awk -F/ '{
		n = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "" || $i == ".") continue
			if ($i == ".." && n > 0 && p[n] != "..") { n--; continue }
			p[++n] = $i
		}
		s = ""
		for (i = 1; i <= n; i++) s = s (i > 1 ? "/" : "") p[i]
		print s
	}'
}

layer_of() { # repo-relative path -> its top folder
	echo "${1%%/*}"
}

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT INT TERM
for layer in cfgc vm runtime stdlib lua; do
	[ -d "$layer" ] || continue
	ok=$(allowed "$layer")
	for f in $(find "$layer" -type f \( -name '*.c' -o -name '*.h' -o -name '*.l' -o -name '*.y' \) | LC_ALL=C sort); do
		dir=$(dirname "$f")
		fok=$ok
		case "$f" in runtime/rt_main.c) fok="cfgc vm runtime stdlib lua" ;; esac
		grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		while IFS= read -r line; do
			lno=${line%%:*}
			inc=$(echo "$line" | sed -E 's/^[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/')
			case "$line" in
			*'<'*'>'*)
				case "$layer" in vm|cfgc) ;; *) continue ;; esac
				case "$inc" in
				lua.h|lualib.h|lauxlib.h|luaconf.h|lua5.1/*|gnutls/*|curl/*|sqlite3.h|mysql.h|mysql/*|mariadb/*|errmsg.h)
					echo "$f:$lno: $layer/ includes <$inc>: $layer may use libc only" ;;
				esac
				continue ;;
			esac
			target=""
			for cand in "$dir/$inc" "cfgc/$inc" "vm/$inc"; do
				c=$(norm "$cand")
				if [ -f "$c" ]; then target=$c; break; fi
			done
			[ -n "$target" ] || continue
			tl=$(layer_of "$target")
			case " $fok " in
			*" $tl "*) ;;
			*) echo "$f:$lno: $layer/ includes \"$inc\" ($target, layer $tl): $layer may include only: $fok" ;;
			esac
		done
	done
done >"$out"

cat "$out"
violations=$(wc -l <"$out")
violations=$((violations + 0))
echo "$violations violations"
[ "$violations" -eq 0 ]
