-- A DAO in the style of public AO governance processes: members with voting weight,
-- proposals with deadlines from the message Timestamp, votes, tallies, and list-building
-- handlers (pagination, sorted summaries, CSV-like reports) that append to fresh tables the
-- way handlers usually do: `local out = {} ... out[#out + 1] = v` and `table.insert`.
local json = require("json")

Members = Members or {}
Proposals = Proposals or {}
NextId = NextId or 1

local function weightOf(addr)
  local m = Members[addr]
  return m and m.weight or 0
end

local function sortedIds(t)
  local ids = {}
  for id in pairs(t) do ids[#ids + 1] = id end
  table.sort(ids, function(a, b) return tostring(a) < tostring(b) end)
  return ids
end

local function tally(p)
  local yes, no, abstain, voters = 0, 0, 0, {}
  for addr, choice in pairs(p.votes) do
    local w = weightOf(addr)
    if choice == "yes" then yes = yes + w
    elseif choice == "no" then no = no + w
    else abstain = abstain + w end
    voters[#voters + 1] = addr
  end
  table.sort(voters)
  return { yes = yes, no = no, abstain = abstain, voters = voters }
end

Handlers.add("join", "Join", function(msg)
  local weight = tonumber(msg.Tags.Weight or "1")
  if not weight or weight <= 0 or math.type(weight) ~= "integer" then
    msg.reply({ Action = "Join-Error", Error = "bad weight: " .. tostring(msg.Tags.Weight) })
    return
  end
  Members[msg.From] = { weight = weight, joined = msg.Timestamp, name = msg.Tags.Name or msg.From:sub(1, 8) }
  msg.reply({ Action = "Joined", Weight = tostring(weight) })
end)

Handlers.add("propose", "Propose", function(msg)
  assert(Members[msg.From], "only members propose")
  local options = {}
  for opt in (msg.Tags.Options or "yes,no"):gmatch("[^,]+") do
    options[#options + 1] = opt:gsub("^%s+", ""):gsub("%s+$", "")
  end
  local id = NextId
  NextId = NextId + 1
  Proposals[id] = {
    id = id,
    title = msg.Tags.Title or ("proposal " .. id),
    author = msg.From,
    deadline = msg.Timestamp + tonumber(msg.Tags.Duration or "1000"),
    options = options,
    votes = {},
  }
  msg.reply({ Action = "Proposed", Id = tostring(id), Options = table.concat(options, "|") })
end)

Handlers.add("vote", "Vote", function(msg)
  local p = Proposals[tonumber(msg.Tags.Id)]
  if not p then error("no proposal " .. tostring(msg.Tags.Id)) end
  if msg.Timestamp > p.deadline then
    msg.reply({ Action = "Vote-Error", Error = "closed", Late = tostring(msg.Timestamp - p.deadline) })
    return
  end
  if weightOf(msg.From) == 0 then error("not a member: " .. msg.From) end
  p.votes[msg.From] = msg.Tags.Choice
  local t = tally(p)
  msg.reply({ Action = "Voted", Yes = tostring(t.yes), No = tostring(t.no), Voters = tostring(#t.voters) })
end)

-- A page of proposals: appends to a fresh table, then the table goes out through json.
Handlers.add("list", "List", function(msg)
  local page = tonumber(msg.Tags.Page or "1")
  local size = tonumber(msg.Tags.Size or "2")
  local ids = sortedIds(Proposals)
  local rows = {}
  local first = (page - 1) * size + 1
  for i = first, math.min(first + size - 1, #ids) do
    local p = Proposals[ids[i]]
    local t = tally(p)
    rows[#rows + 1] = { id = p.id, title = p.title, yes = t.yes, no = t.no, open = msg.Timestamp <= p.deadline }
  end
  local summary = {}
  summary[#summary + 1] = string.format("page %d of %d", page, math.ceil(#ids / size))
  summary[#summary + 1] = string.format("%d rows", #rows)
  msg.reply({ Action = "Page", Data = json.encode({ rows = rows, summary = summary }) })
end)

-- Results of every closed proposal, ranked by turnout with a tie-break, as report lines.
Handlers.add("report", "Report", function(msg)
  local closed = {}
  for _, id in ipairs(sortedIds(Proposals)) do
    local p = Proposals[id]
    if msg.Timestamp > p.deadline then
      local t = tally(p)
      local total = t.yes + t.no + t.abstain
      local share = total > 0 and t.yes / total or 0
      table.insert(closed, { id = p.id, total = total, share = share, passed = t.yes > t.no })
    end
  end
  table.sort(closed, function(a, b)
    if a.total ~= b.total then return a.total > b.total end
    return a.id < b.id
  end)
  local lines = {}
  for rank, r in ipairs(closed) do
    lines[#lines + 1] = string.format("%d. #%d total=%d yes=%.3f %s", rank, r.id, r.total, r.share,
      r.passed and "PASSED" or "rejected")
  end
  if #lines == 0 then lines[#lines + 1] = "nothing closed" end
  msg.reply({ Action = "Report", Data = table.concat(lines, "\n"), Count = tostring(#closed) })
end)

-- Members as CSV, with the weights' running totals; the builder escapes through a closure
-- only after its appends.
Handlers.add("members", "Members", function(msg)
  local header = { "name", "weight", "running" }
  local csv = { table.concat(header, ",") }
  local running = 0
  for _, addr in ipairs(sortedIds(Members)) do
    local m = Members[addr]
    running = running + m.weight
    csv[#csv + 1] = table.concat({ m.name, m.weight, running }, ",")
  end
  local render = function() return table.concat(csv, "\n") end
  msg.reply({ Action = "Members-CSV", Data = render(), Rows = tostring(#csv - 1) })
end)

-- A failing handler after building lists and storing them: nothing of it may stay.
Handlers.add("snapshot-fail", "Snapshot-Fail", function(msg)
  local snap = {}
  for _, id in ipairs(sortedIds(Proposals)) do snap[#snap + 1] = tally(Proposals[id]) end
  Snapshot = snap
  Members[msg.From].weight = 999
  error("snapshot aborted after " .. #snap .. " tallies")
end)

Handlers.add("state", "State", function(msg)
  local names = {}
  for _, addr in ipairs(sortedIds(Members)) do names[#names + 1] = Members[addr].name .. "=" .. Members[addr].weight end
  msg.reply({ Action = "State", Data = table.concat(names, ";"), Snapshot = tostring(Snapshot ~= nil), Next = tostring(NextId) })
end)
