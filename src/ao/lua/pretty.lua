-- .pretty: a plain indented listing of a table.
local pretty = { _version = "0.0.1" }

function pretty.tprint(t, indent)
  indent = indent or 0
  local out = {}
  for k, v in pairs(t) do
    local head = string.rep(" ", indent) .. k .. ": "
    if type(v) == "table" then
      out[#out + 1] = head .. "\n" .. pretty.tprint(v, indent + 1)
    else
      out[#out + 1] = head .. tostring(v) .. "\n"
    end
  end
  return table.concat(out)
end

return pretty
