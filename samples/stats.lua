-- The statistics page of samples/stats-lua.cfg, in Lua with the `sr`
-- package of app_lua (the Kamailio 3.x API; in Kamailio 5.x the module
-- app_lua_sr provides it, and sr.xhttp exists once the config says
-- modparam("app_lua_sr", "register", "xhttp")).
--
-- The page is the one samples/stats.cfg builds in the config: an HTML
-- table of six core counters, read with sr.pv.get("$stat(NAME)") (a Lua
-- number) and sent with sr.xhttp.reply(code, reason, type, body), which
-- returns 0 when the reply went out.
--
-- The config loads this file once per worker (modparam("app_lua", "load",
-- ...)) and calls its functions with lua_runstring("htmlStats()") and
-- lua_run("notFound", "$hu").

-- label on the page, counter name of $stat()
local counters = {
	{ "received requests", "rcv_requests" },
	{ "received replies", "rcv_replies" },
	{ "forwarded requests", "fwd_requests" },
	{ "bad requests", "err_requests" },
	{ "shared memory used", "used_size" },
	{ "shared memory free", "free_size" },
}

-- htmlStats(): answers the HTTP request being processed with the page
function htmlStats()
	local rows = {}
	for i, c in ipairs(counters) do
		local value = sr.pv.get("$stat(" .. c[2] .. ")")
		rows[i] = "<tr><td>" .. c[1] .. "</td><td>" .. tostring(value) .. "</td></tr>"
	end
	sr.xhttp.reply(200, "OK", "text/html",
		"<html><body><table>" .. table.concat(rows) .. "</table></body></html>\n")
end

-- notFound(url): answers 404 naming the URL asked for; an error (no
-- argument) makes lua_run fail, and the config answers instead
function notFound(url)
	if url == nil then
		error("notFound: no URL")
	end
	sr.xhttp.reply(404, "Not Found", "text/plain", "no such page: " .. url .. "\n")
end
