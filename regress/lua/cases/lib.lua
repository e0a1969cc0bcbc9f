-- lib.lua — helpers of the Lua API cases: show(name, ...) logs
-- "name -> [type:value,...] n=N", the values a call returned (N of them),
-- through KSR.info, so both runners see the same script lines.
function show(name, ...)
	local n = select('#', ...)
	local parts = {}
	for i = 1, n do
		local v = select(i, ...)
		parts[#parts + 1] = type(v) .. ":" .. tostring(v)
	end
	KSR.info(name .. " -> [" .. table.concat(parts, ",") .. "] n=" .. n .. "\n")
end
