-- os.date with explicit times (UTC), strftime conversions in the C locale
local times = {0, 1, 59, 86399, 86400, 951782400, 951868800, 1000000000, 1234567890,
  1609459200, 1546214400, 1577836800, 2147483647, 4102444800, -1, -86400, -2208988800,
  -62135596800, 253402300799, 86400 * 365, 1709251199, 1719792000}
for _, t in ipairs(times) do
  print(t, os.date("!%Y-%m-%d %H:%M:%S", t), os.date("!%a %A %b %B %p %I %j %w %u", t))
  -- `%c` and, before the year 1000, `%C`, `%y`, `%g`, `%D`, `%x` follow aos's C library, not
  -- PUC Lua's (tests/stdlib_native.rs `dates_as_aos_writes_them`, oracle scenario os_library).
  if t >= -30610224000 then
    print("", os.date("!%U %W %V %G %g %C %y %e|%D|%F|%R|%T|%r|%h|%x|%X", t))
  end
end
print(os.date("!%%|%n|%t|%z|%Z", 0))
print(os.date("!%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy", 1234567890))
print(os.date("!", 0), os.date("!literal text", 0), os.date("!%Y%%%m", 0))
for _, f in ipairs({"%Q", "%Ez", "%Oa", "%", "abc%", "%E", "%5d"}) do
  print(f, pcall(os.date, "!" .. f, 0))
end
local t = os.date("!*t", 1234567890)
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
t = os.date("*t", 0)
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
print(pcall(os.date, "!%Y", 2^60))
print(pcall(os.date, "!%Y", 1.5))
print(pcall(os.date, "!%Y", "x"))
print(os.date("!%Y", "86400"), os.date("!%d", 86400.0))
print(pcall(os.date, {}, 0))
print(type(os.date()), type(os.date("%c")), type(os.date("*t")), type(os.date("!*t")))
