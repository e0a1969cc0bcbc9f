#!/bin/sh
# cfgc --check versus kamailio -c on the same files, side by side.
#
#   sh regress/bench/check-speed/run.sh [RUNS]
#
# Files: Debian's /etc/kamailio/kamailio.cfg (package kamailio) and the
# largest config of ../shared/corpus. Each command runs RUNS times (default
# 21); the CPU time of each (perf stat's task-clock, averaged) is printed
# with the ratio, and the same for /bin/true: the cost of starting any
# process on this machine, included in both figures. Kamailio runs
# inside a private network namespace (it sends reverse-DNS queries even
# with -c). Then a generated 50,000-line config shows cfgc is linear.
set -eu
# everything runs in a private network namespace with only loopback up
if [ -z "${CHECK_SPEED_NETNS:-}" ] && command -v unshare >/dev/null 2>&1; then
	exec unshare -n env CHECK_SPEED_NETNS=1 sh -c 'ip link set lo up 2>/dev/null; exec sh "$0" "$@"' "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
CFGC=${CFGC:-$top/bin/cfgc}
RUNS=${1:-21}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cpu_ms CMD... : CPU time (task-clock, user + system) of one run of CMD,
# averaged by `perf stat -r $RUNS` when perf is there, else the median of
# wall times measured with date (noisier, and includes waiting).
cpu_ms() {
	if command -v perf >/dev/null 2>&1 && perf stat -x, -e task-clock true >/dev/null 2>&1; then
		perf stat -x, -e task-clock -r "$RUNS" "$@" 2>&1 >/dev/null |
			awk -F, '/task-clock/ { printf "%.2f\n", $1 }'
		return
	fi
	i=0
	: >"$tmp/times"
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 )) >>"$tmp/times"
		i=$((i + 1))
	done
	sort -n "$tmp/times" | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f\n", m/1000}'
}

files=""
[ -f /etc/kamailio/kamailio.cfg ] && files="/etc/kamailio/kamailio.cfg"
corpus=$top/../shared/corpus/files
if [ -d "$corpus" ]; then
	# the largest config Kamailio accepts on its own (no include folder)
	big=$(awk -F'\t' 'NR > 1 && $4 == "ok" && $7 == "" && $2 != "deb__etc__kamailio__kamailio.cfg" { print $11 "\t" $2 }' \
		"$corpus/../manifest.tsv" | sort -n | tail -1 | cut -f2)
	big=$corpus/$big
	files="$files $big"
fi

base=$(cpu_ms /bin/true)
printf '%-50s %10s %17s %7s %16s\n' file "cfgc (ms)" "kamailio -c (ms)" ratio "ratio - start"
printf '%-50s %10s\n' "(starting /bin/true)" "$base"
for f in $files; do
	c=$(cpu_ms "$CFGC" --check --target=kamailio "$f")
	if command -v kamailio >/dev/null 2>&1; then
		k=$(cd "$(dirname "$f")" && cpu_ms kamailio -c -f "$f")
		r=$(awk -v k="$k" -v c="$c" 'BEGIN { printf "%.1fx", (c > 0 ? k / c : 0) }')
		# the same without the cost of starting a process at all
		r2=$(awk -v k="$k" -v c="$c" -v b="$base" 'BEGIN { printf "%.1fx", (c > b ? (k - b) / (c - b) : 0) }')
	else
		k="n/a"; r="n/a"; r2="n/a"
	fi
	printf '%-50s %10s %17s %7s %16s\n' "$(basename "$f") ($(wc -l <"$f") lines)" "$c" "$k" "$r" "$r2"
done

# linearity: 5,000 and 50,000 lines of routes
gen() { # n-routes
	awk -v n="$1" 'BEGIN {
		print "#!KAMAILIO\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"";
		print "request_route {\n\troute(R0);\n}";
		for (i = 0; i < n; i++) {
			printf "route[R%d] {\n\tif ($rU == \"u%d\") {\n\t\t$var(x) = $var(x) + %d;\n", i, i, i;
			printf "\t\txlog(\"L_INFO\", \"n=$var(x) $(ru{uri.user})\\n\");\n\t}\n";
			if (i + 1 < n) printf "\troute(R%d);\n", i + 1;
			printf "\tsl_send_reply(\"404\", \"No\");\n}\n";
		}
	}'
}
gen 500 >"$tmp/g5k.cfg"
gen 5000 >"$tmp/g50k.cfg"
for g in g5k g50k; do
	c=$(cpu_ms "$CFGC" --check --target=kamailio "$tmp/$g.cfg")
	printf '%-50s %10s\n' "generated $(wc -l <"$tmp/$g.cfg") lines" "$c"
done
