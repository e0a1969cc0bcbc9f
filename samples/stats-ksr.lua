-- The statistics page of samples/stats-ksr.cfg: samples/stats.lua written
-- with the KSR package of Kamailio 5.x (KEMI) instead of `sr`. KSR needs
-- no registration: every loaded module that exports KEMI functions has
-- its table (KSR.xhttp because xhttp is loaded, KSR.sl for sl).
--
-- The values are read with KSR.pv.get("$stat(NAME)") (a Lua number) and
-- the page is sent with KSR.xhttp.xhttp_reply(code, reason, type, body),
-- which returns 0 when the reply went out (Kamailio 5.6.3; -1 when it
-- could not). sipRequest() answers the SIP requests for the config's
-- request_route.

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
		local value = KSR.pv.get("$stat(" .. c[2] .. ")")
		rows[i] = "<tr><td>" .. c[1] .. "</td><td>" .. tostring(value) .. "</td></tr>"
	end
	KSR.xhttp.xhttp_reply(200, "OK", "text/html",
		"<html><body><table>" .. table.concat(rows) .. "</table></body></html>\n")
end

-- notFound(url): answers 404 naming the URL asked for
function notFound(url)
	KSR.xhttp.xhttp_reply(404, "Not Found", "text/plain", "no such page: " .. url .. "\n")
end

-- sipRequest(): OPTIONS gets 200 OK, any other request 404 (sl sends
-- nothing to an ACK)
function sipRequest()
	if KSR.is_OPTIONS() then
		KSR.sl.sl_send_reply(200, "OK")
		return
	end
	KSR.sl.sl_send_reply(404, "Not here")
end
