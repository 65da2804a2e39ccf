-- A job queue in the style of AO worker processes: jobs as objects with a metatable class
-- (__index, __tostring, __lt, __eq, __len), a binary heap by priority then age, retries with
-- exponential backoff from the message Timestamp, hex job ids, and status reports.
local json = require("json")

local Job = {}
Job.__index = Job
Job.__tostring = function(j) return string.format("Job<%s p%d try%d>", j.id, j.priority, j.tries) end
Job.__lt = function(a, b)
  if a.priority ~= b.priority then return a.priority > b.priority end
  return a.seq < b.seq
end
Job.__eq = function(a, b) return a.id == b.id end
Job.__len = function(j) return #j.payload end

function Job.new(seq, priority, payload, now)
  return setmetatable({ id = string.format("%06x", seq * 2654435761 % 16777216), seq = seq,
    priority = priority, payload = payload, tries = 0, due = now }, Job)
end

function Job:backoff(now)
  self.tries = self.tries + 1
  self.due = now + math.floor(2 ^ self.tries * 250)
  return self.due
end

Queue = Queue or { heap = {}, seq = 0, done = {}, failed = {} }

local function push(job)
  local h = Queue.heap
  h[#h + 1] = job
  local i = #h
  while i > 1 do
    local parent = i // 2
    if h[i] < h[parent] then
      h[i], h[parent] = h[parent], h[i]
      i = parent
    else
      break
    end
  end
end

local function pop()
  local h = Queue.heap
  local top = h[1]
  if top == nil then return nil end
  h[1] = h[#h]
  table.remove(h)
  local i = 1
  while true do
    local l, r, best = 2 * i, 2 * i + 1, i
    if h[l] and h[l] < h[best] then best = l end
    if h[r] and h[r] < h[best] then best = r end
    if best == i then break end
    h[i], h[best] = h[best], h[i]
    i = best
  end
  return top
end

Handlers.add("submit", "Submit", function(msg)
  Queue.seq = Queue.seq + 1
  local priority = math.tointeger(tonumber(msg.Tags.Priority or "0")) or 0
  local job = Job.new(Queue.seq, priority, msg.Data or "", msg.Timestamp)
  push(job)
  msg.reply({ Action = "Submitted", Job = job.id, Size = tostring(#job), Depth = tostring(#Queue.heap) })
end)

-- Work takes the best job that is due; a payload with "fail" fails until its third try.
Handlers.add("work", "Work", function(msg)
  local skipped, job = {}, nil
  while true do
    local j = pop()
    if j == nil then break end
    if j.due <= msg.Timestamp then job = j break end
    skipped[#skipped + 1] = j
  end
  for _, j in ipairs(skipped) do push(j) end
  if not job then
    return msg.reply({ Action = "Idle", Waiting = tostring(#Queue.heap) })
  end
  if job.payload:find("fail", 1, true) and job.tries < 2 then
    local due = job:backoff(msg.Timestamp)
    push(job)
    Queue.failed[#Queue.failed + 1] = tostring(job)
    return msg.reply({ Action = "Retry", Job = job.id, Due = tostring(due), Tries = tostring(job.tries) })
  end
  Queue.done[#Queue.done + 1] = job.id
  msg.reply({ Action = "Done", Job = job.id, Result = job.payload:upper():reverse(), Text = tostring(job) })
end)

Handlers.add("status", "Status", function(msg)
  local snapshot = {}
  for i = 1, #Queue.heap do snapshot[i] = Queue.heap[i] end
  table.sort(snapshot) -- by __lt
  local lines = {}
  for _, j in ipairs(snapshot) do lines[#lines + 1] = tostring(j) .. "@" .. (j.due - msg.Timestamp) end
  local a, b = Queue.heap[1], snapshot[1]
  msg.reply({
    Action = "Status",
    Data = table.concat(lines, ";"),
    Same = tostring(a == b) .. "/" .. tostring(rawequal(a, b)),
    Done = table.concat(Queue.done, ","),
    Failed = json.encode(Queue.failed),
    Empty = tostring(next(Queue.heap) == nil),
    Last = tostring(select(-1, "x", "y", #Queue.done)),
  })
end)

Handlers.add("drop", "Drop", function(msg)
  local h = Queue.heap
  for i = #h, 1, -1 do
    if h[i].priority < tonumber(msg.Tags.Below) then table.remove(h, i) end
  end
  -- Rebuild the heap order after removals from the middle.
  local all = table.move(h, 1, #h, 1, {})
  Queue.heap = {}
  for _, j in ipairs(all) do push(j) end
  msg.reply({ Action = "Dropped", Left = tostring(#Queue.heap) })
end)
