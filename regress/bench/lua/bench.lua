-- regress/bench/lua: the Lua side of bench.cfg, loaded in every worker
-- (modparam("app_lua", "load", ...)). The config calls, for every HTTP
-- request, lua_run("bench", "$hu"), and bench(url) answers it with
-- KSR.xhttp.xhttp_reply:
--   /loop      the anchor loop of regress/bench/vm-loop (route[CFGLOOP]
--              of loop-cfg.cfg, as anchor.lua has it in Lua) once: body
--              "i=1000 m=990 k=500\n"
--   /noloop    only the assignments around the loop: "i=0 m=0 k=0\n"
--   /pv/sr?n=N     N calls of sr.pv.get("$var(x)") (the config sets
--                  $var(x) = 7), summed: body "sum=7N\n"
--   /pv/ksr?n=N    the same with KSR.pv.get("$var(x)")
--   /pv/empty?n=N  the same loop adding the constant 7: what the two
--                  above cost without the calls
-- Anything else: 404. The loops and their results are the same on every
-- server: only the cost of lua_run, of the pv.get calls and of the reply
-- differs.

local LOOP_N = 1000

-- anchor(on): the loop of route[CFGLOOP] (when on), its result
local function anchor(on)
	local i, s, m, k = 0, "", 0, 0
	if on then
		while i < LOOP_N do
			i = i + 1
			s = s .. "x"
			if i % 100 == 0 then s = "" end
			if i > 250 and i <= 750 then k = k + 1 end
			if string.find(s, "^x+$") then m = m + 1 end
		end
	end
	return string.format("i=%d m=%d k=%d\n", i, m, k)
end

local function pv_sr(n)
	local sum = 0
	for _ = 1, n do sum = sum + sr.pv.get("$var(x)") end
	return sum
end

local function pv_ksr(n)
	local sum = 0
	for _ = 1, n do sum = sum + KSR.pv.get("$var(x)") end
	return sum
end

local function pv_empty(n)
	local sum = 0
	for _ = 1, n do sum = sum + 7 end
	return sum
end

local loops = { sr = pv_sr, ksr = pv_ksr, empty = pv_empty }

-- bench(url): answers the request for url (see above)
function bench(url)
	local body
	if url == "/loop" then
		body = anchor(true)
	elseif url == "/noloop" then
		body = anchor(false)
	else
		local api, n = string.match(url, "^/pv/(%a+)%?n=(%d+)$")
		if api and loops[api] then
			body = string.format("sum=%d\n", loops[api](tonumber(n)))
		end
	end
	if body then
		KSR.xhttp.xhttp_reply(200, "OK", "text/plain", body)
	else
		KSR.xhttp.xhttp_reply(404, "Not Found", "text/plain", "no such page: " .. url .. "\n")
	end
end
