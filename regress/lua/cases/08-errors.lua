order_list = (order_list or "") .. "a"
function handler() end
function boom()
	local t = nil
	return t.x
end
function ex()
	KSR.x.exit()
	KSR.info("not reached\n")
end
function dr()
	KSR.x.drop()
	KSR.info("not reached\n")
end
function retv() return -1 end
function args(a, b, c)
	show("args", a, b, c)
end
function rt()
	show("route EX", KSR.route("EX"))
	KSR.info("rt still running\n")
end
