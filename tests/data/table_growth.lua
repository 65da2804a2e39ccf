-- Random integer-key workloads: sparse ids, dense fills, queues, mixed keys, deletions.
local seed = SEED
math.randomseed(seed)
local R = math.random
local total = 0
for round = 1, ROUNDS do
  local t = {}
  local kind = R(1, 6)
  local n = R(1, 3000)
  local range = ({ 8, 64, 512, 4096, 100000, 2^40 })[R(1, 6)]
  local head, tail = 1, 0
  for i = 1, n do
    local op = R(1, 10)
    if kind == 1 then t[R(1, range)] = i
    elseif kind == 2 then if op <= 8 then t[#t + 1] = i else t[R(1, #t + 1)] = nil end
    elseif kind == 3 then -- queue
      if op <= 6 then tail = tail + 1; t[tail] = i elseif head <= tail then t[head] = nil; head = head + 1 end
    elseif kind == 4 then -- mixed keys
      if op <= 4 then t[R(1, range)] = i elseif op <= 7 then t["k" .. R(1, range)] = i elseif op <= 8 then t[R(-5, 5)] = i else t[R(1, range)] = nil end
    elseif kind == 5 then -- descending / stride fills
      local stride = R(1, 7); t[(n - i) * stride + R(0, 2)] = i
    else -- random inserts and deletes in a small window that moves up
      local base = i // 4; if op <= 7 then t[base + R(0, 20)] = i else t[base + R(0, 20)] = nil end
    end
    total = total + 1
  end
end
print("ok", total)
