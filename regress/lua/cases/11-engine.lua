function ksr_request_route()
	KSR.info("request " .. KSR.pv.get("$rm") .. " from " .. KSR.pv.get("$si") .. "\n")
	if KSR.maxfwd.process_maxfwd(10) < 0 then
		KSR.sl.sl_send_reply(483, "Too Many Hops")
		KSR.x.exit()
	end
	if KSR.is_OPTIONS() then
		KSR.route("CFGROUTE")
		KSR.info("after cfg route: " .. tostring(KSR.pv.get("$var(fromcfg)")) .. "\n")
		KSR.sl.sl_send_reply(200, "Lua OK")
		KSR.x.exit()
		KSR.info("not reached\n")
	end
	KSR.sl.sl_send_reply(404, "Not here")
end
