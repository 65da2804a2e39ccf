-- Role-based access control: admins and role tables, assert-based guards,
-- error() with levels and non-string values, as access-controlled processes do.
Admins = Admins or { [Owner] = true }
Roles = Roles or { moderator = {}, editor = {} }
Posts = Posts or {}
AuditLog = AuditLog or {}

local function audit(msg, what)
  table.insert(AuditLog, (msg.Action or "?") .. ":" .. msg.From:sub(1, 5) .. ":" .. what)
end

local function isAdmin(addr) return Admins[addr] == true end

local function hasRole(addr, role)
  return isAdmin(addr) or (Roles[role] ~= nil and Roles[role][addr] == true)
end

local function requireRole(msg, role)
  if not hasRole(msg.From, role) then
    error("Forbidden: " .. msg.From:sub(1, 5) .. " lacks role " .. role, 2)
  end
end

local function onlyAdmin(msg)
  assert(isAdmin(msg.From), "Unauthorized: admin only")
end

Handlers.add("grant", "Grant-Role", function(msg)
  onlyAdmin(msg)
  local role, who = msg.Tags.Role, msg.Tags.Account
  assert(Roles[role], "Unknown role: " .. tostring(role))
  assert(who, "Account is required")
  Roles[role][who] = true
  audit(msg, "grant " .. role .. " " .. who:sub(1, 5))
  msg.reply({ Action = "Role-Granted", Role = role, Account = who })
end)

Handlers.add("revoke", "Revoke-Role", function(msg)
  onlyAdmin(msg)
  local role, who = msg.Tags.Role, msg.Tags.Account
  if not (Roles[role] and Roles[role][who]) then
    return msg.reply({ Action = "Revoke-Error", Error = "not granted" })
  end
  Roles[role][who] = nil
  audit(msg, "revoke " .. role .. " " .. who:sub(1, 5))
end)

Handlers.add("add-admin", "Add-Admin", function(msg)
  onlyAdmin(msg)
  Admins[msg.Tags.Account] = true
  audit(msg, "admin " .. msg.Tags.Account:sub(1, 5))
end)

Handlers.add("post", "Post", function(msg)
  requireRole(msg, "editor")
  table.insert(Posts, { id = #Posts + 1, author = msg.From, body = msg.Data, hidden = false })
  msg.reply({ Action = "Posted", Id = tostring(#Posts) })
end)

Handlers.add("hide", "Hide", function(msg)
  requireRole(msg, "moderator")
  local id = tonumber(msg.Tags.Id)
  local post = assert(Posts[id], "No post " .. tostring(msg.Tags.Id))
  post.hidden = true
  audit(msg, "hide " .. id)
end)

Handlers.add("purge", "Purge", function(msg)
  -- guards that raise non-string values and bare asserts
  if msg.Tags.Mode == "code" then assert(isAdmin(msg.From), 403) end
  if msg.Tags.Mode == "bare" then assert(isAdmin(msg.From)) end
  if msg.Tags.Mode == "level0" then error("purge refused", 0) end
  if msg.Tags.Mode == "pcall" then
    local ok, err = pcall(onlyAdmin, msg)
    local ok2, err2 = pcall(requireRole, msg, "moderator")
    print("pcall guard: " .. tostring(ok) .. " " .. tostring(err))
    print("pcall role: " .. tostring(ok2) .. " " .. tostring(err2))
    local ok3, err3 = pcall(error, { code = 401 })
    print("table error: " .. type(err3) .. " " .. tostring(err3.code))
    return
  end
  onlyAdmin(msg)
  Posts = {}
  audit(msg, "purge")
end)
