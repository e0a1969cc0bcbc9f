local function m(...)
	KSR.info(table.concat({...}, " ") .. " -> " .. tostring(KSR.hdr.match_content("X-Foo", ...)) .. "\n")
end
function t10()
	m("eq", "one", "f"); m("eq", "One", "f"); m("eq", "one", "l"); m("eq", "two", "l")
	m("eq", "one", "a"); m("eq", "on", "f")
	m("ne", "x", "l"); m("ne", "x", "a"); m("ne", "one", "f"); m("ne", "two", "f")
	m("sw", "on", "f"); m("sw", "ON", "f"); m("sw", "t", "l"); m("sw", "o", "a")
	m("in", "n", "f"); m("in", "W", "l"); m("in", "o", "a"); m("in", "w", "f")
	KSR.info("absent -> " .. tostring(KSR.hdr.match_content("X-None", "eq", "one", "f")) .. "\n")
	KSR.info("compact -> " .. tostring(KSR.hdr.match_content("v", "in", "192.0.2.10", "l")) .. "\n")
end
