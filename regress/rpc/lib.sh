# Shared by regress/rpc/capture.sh and rpc.t (sourced, after `here` is set
# to regress/rpc): sending the cases of cases.txt.

# broken_lua FILE: a version of reply.lua that does not compile
broken_lua() {
	printf 'reason = "Version X"\nfunction options_reply(\n\tKSR.sl.sl_send_reply(200, reason)\nend\n' >"$1"
}

# lua_version FILE TEXT: reply.lua answering OPTIONS with "200 TEXT",
# written beside FILE and renamed over it (a reader never sees half of it)
lua_version() {
	printf -- '-- regress/rpc: written by the test\nreason = "%s"\n\nfunction options_reply()\n\tKSR.sl.sl_send_reply(200, reason)\nend\n' "$2" >"$1.new" &&
		mv "$1.new" "$1"
}

# send_case PORT PATH BODYFILE OUT: POST the body to http://127.0.0.1:PORT
# PATH with curl, the reply (status line, headers and body as received)
# into OUT; at most 5 s
send_case() {
	curl -s -i --max-time 5 -H 'Expect:' --data-binary "@$3" "http://127.0.0.1:$1$2" >"$4"
}

# each_case FILE FN: FN NAME FLAGS PATH BODYFILE for every case of FILE
# (cases.txt format), the body written to $tmp/body
each_case() {
	while IFS='	' read -r _name _flags _path _body; do
		case "$_name" in '' | '#'*) continue ;; esac
		printf '%s' "$_body" >"$tmp/body"
		"$2" "$_name" "$_flags" "$_path" "$tmp/body"
	done <"$1"
}
