-- Bytes that are not UTF-8 in what a process prints and sends: the loader decodes the
-- result text, replacing each invalid sequence with U+FFFD.
print("loaded \200 \xff\xe2\x82 end")
Handlers.add("binary", "Binary", function(msg)
  print("lone \128, cut \xe2\x82, overlong \xc0\xaf, surrogate \xed\xa0\x80, high \xf4\x90\x80\x80")
  msg.reply({ Data = "reply \255", ["Binary-Tag"] = "t\200" })
end)
Handlers.add("raw", "Raw", function(msg)
  local t = {}
  for i = 0, 255 do t[#t + 1] = string.char(i) end
  ao.send({ Target = msg.From, Data = table.concat(t) })
end)
