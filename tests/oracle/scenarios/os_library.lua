-- The os library as a process meets it: the environment, the clock, dates from the message's
-- Timestamp, files a process cannot touch, and the functions present.
local function S(v) return tostring(v) end
local function P(...) local n = select("#", ...) local t = {} for i = 1, n do t[i] = S((select(i, ...))) end print(table.concat(t, "\t")) end
-- `os.exit` is left out: it ends the whole evaluation ("Program terminated with exit(N)",
-- thrown past every pcall); scenario `os_exit` tries it.
local names = {} for k in pairs(os) do if k ~= "exit" then names[#names+1] = k end end table.sort(names) P(table.concat(names, " "))
for _, name in ipairs({"HOME", "PATH", "USER", "LOGNAME", "PWD", "LANG", "_", "TERM", "TZ", "SHELL", ""}) do
  P(name, os.getenv(name))
end
P(pcall(os.getenv))
P(pcall(os.getenv, 42))
P(pcall(os.getenv, {}))
P(type(os.clock()), math.type(os.clock()), os.clock() >= 0)
P(os.difftime(10, 4), pcall(os.difftime, 10), math.type(os.difftime(3, 1)))
P(pcall(os.difftime))
P(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%c", 86400), os.date("!%x %X %p", 3600 * 13))
P(os.date("!%j %U %W %w %a %A %b %B %y %%", 1700000000))
for _, t in ipairs({0, 86400 * 3 + 7, 951782400, 1700000000, 4102444799, -50000000000}) do
  P(os.date("!%C|%y|%g|%G|%V|%u|%w|%e|%D|%F|%r|%R|%T|%h|%j|%U|%W|%I|%p|%c", t))
end
local d = os.date("!*t", 1700000000)
P(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
P(pcall(os.date, "%Ez", 0))
P(pcall(os.date, "%Q", 0))
P(os.time({year = 2024, month = 2, day = 30, hour = 12}), os.time({year = 2000, month = 1, day = 1, hour = 0, min = 0, sec = -1}))
P(pcall(os.time, {year = 2024}))
P(pcall(os.time, {}))
local tn = { pcall(os.tmpname) } P(tn[1], type(tn[2]))
P(os.remove("/tmp/none-such"))
P(os.remove("/dev/shm"))
P(os.remove("/"))
P(os.remove("/proc/self/fd"))
P(os.remove(""))
P(pcall(os.remove))
P(os.rename("/dev/null", "/tmp/moved"))
P(os.rename("/tmp/a-none", "/tmp/b-none"))
P(type(os.execute), type(os.tmpname))
local ok, r1, r2, r3 = pcall(os.execute)
P(ok, r1, r2, r3)
local ok2, e1, e2, e3 = pcall(os.execute, "true")
P(ok2, e1, e2, e3)
Handlers.add("clock", "Clock", function(msg)
  P(os.time(), msg.Timestamp, os.date("!%Y-%m-%d", math.floor(os.time() / 1000)))
  P(type(os.clock()), os.getenv("HOME"), os.date("!%H:%M", 0))
end)
