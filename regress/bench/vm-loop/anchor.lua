-- The anchor loop of regress/bench/vm-loop (route[CFGLOOP] of loop-cfg.cfg)
-- in Lua 5.1, the regex ^x+$ as the Lua pattern "^x+$".
--
--   lua5.1 anchor.lua [R]
--
-- Runs the loop R times (default: as many times as take about 1 s of
-- CPU), checks the result of each is i=1000 m=990 k=500 and prints
-- "reps R", "cpu_s S" (os.clock: CPU time of this process) and
-- "us_per_exec U". Exit status 1 when a result is wrong.

local LOOP_N = 1000

local function cfgloop()
	local i, s, m, k = 0, "", 0, 0
	while i < LOOP_N do
		i = i + 1
		s = s .. "x"
		if i % 100 == 0 then s = "" end
		if i > 250 and i <= 750 then k = k + 1 end
		if string.find(s, "^x+$") then m = m + 1 end
	end
	return i, m, k
end

-- run(r): CPU seconds of r executions; exits on a wrong result
local function run(r)
	local t0 = os.clock()
	for _ = 1, r do
		local i, m, k = cfgloop()
		if i ~= 1000 or m ~= 990 or k ~= 500 then
			io.stderr:write(string.format(
				"anchor.lua: wrong result i=%d m=%d k=%d\n", i, m, k))
			os.exit(1)
		end
	end
	return os.clock() - t0
end

local reps = tonumber(arg[1])
local cpu
if reps then
	cpu = run(reps)
else
	-- grow R until a run takes 0.1 s, then aim at 1 s
	reps = 16
	cpu = run(reps)
	while cpu < 0.1 do
		reps = reps * 4
		cpu = run(reps)
	end
	reps = math.ceil(reps * 1.0 / cpu)
	cpu = run(reps)
end
local i, m, k = cfgloop()
print(string.format("X-Loop: i=%d m=%d k=%d", i, m, k))
print(string.format("reps %d", reps))
print(string.format("cpu_s %.6f", cpu))
print(string.format("us_per_exec %.3f", reps > 0 and cpu / reps * 1e6 or 0))
