-- a record as "f=[v1,v2];g=[v]" (or "f=v;g=v" in the simple form), the
-- fields sorted by name: Lua tables have no order
local function rec(t)
	if t == nil then return nil end
	local names = {}
	for k in pairs(t) do names[#names + 1] = k end
	table.sort(names)
	local out = {}
	for _, k in ipairs(names) do
		local v = t[k]
		if type(v) == "table" then
			local vs = {}
			for i = 1, #v do vs[#vs + 1] = tostring(v[i]) end
			out[#out + 1] = k .. "=[" .. table.concat(vs, ",") .. "]"
		else
			out[#out + 1] = k .. "=" .. tostring(v)
		end
	end
	return table.concat(out, ";")
end

function t12()
	show("get 0", rec(sr.xavp.get("r", 0)))
	show("get 1", rec(sr.xavp.get("r", 1)))
	show("get 1 simple", rec(sr.xavp.get("r", 1, 1)))
	show("get -1", rec(sr.xavp.get("r", -1)))
	local all = sr.xavp.get("r", nil)
	show("get all", #all, rec(all[1]), rec(all[2]))
	local keys = sr.xavp.get_keys("r", 1)
	table.sort(keys)
	show("get_keys 1", table.concat(keys, ","))
	show("get missing", sr.xavp.get("nope", 0))
	show("get_keys missing", sr.xavp.get_keys("nope", 0))
end
