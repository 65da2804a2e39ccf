-- Sparse integer keys set in ascending order: piccolo 0.3.3 panicked while growing such a
-- table ("map slot must be pre-reserved") when its hash part was full.
local t = {}
for _, k in ipairs({0,2,4,5,6,7,8,11,14,15,16,21,23,24,25,27,28,31,34,35,36,37,40,41,43,44,45,49,52,53,54,55,56,57,59,60,63,64,65,66,69,73,74,75,76,78}) do t[k] = true end
local n, sum = 0, 0
for k in pairs(t) do n = n + 1; sum = sum + k end
print("ok", n, sum, t[78], t[77])
-- Ids far apart, a queue, and appends after holes.
local ids, q, head = {}, {}, 1
for i = 1, 5000 do ids[i * 7919 % 100003] = i end
for i = 1, 5000 do q[#q + 1] = i; if i % 3 == 0 then q[head] = nil; head = head + 1 end end
local c = 0
for _ in pairs(ids) do c = c + 1 end
print(c, q[5000], q[head], q[head - 1])
