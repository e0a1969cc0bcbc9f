function read_cfg()
	show("var(c)", KSR.pv.get("$var(c)"))
	show("avp(c)", KSR.pv.get("$avp(c)"), sr.pv.get("$avp(c)"))
	show("shv(counter)", KSR.pv.get("$shv(counter)"))
	show("flag 4", KSR.isflagset(4), sr.isflagset(4))
end
function write_lua()
	KSR.pv.seti("$var(l)", 41)
	sr.pv.sets("$avp(l)", "from lua")
	KSR.pv.seti("$shv(counter)", KSR.pv.get("$shv(counter)") * 2)
	KSR.pv.sets("$ru", "sip:bob@example.net")
	KSR.setdsturi("sip:127.0.0.1:5090")
	KSR.setflag(9)
	sr.resetflag(4)
end
function read_again()
	show("var(l)", KSR.pv.get("$var(l)"))
	show("rU", KSR.pv.get("$rU"), sr.pv.get("$rd"))
end
