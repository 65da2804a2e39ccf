-- A UTF-8 byte-order mark at the start of a script file is skipped, as lua does.
print("bom", #"é")
print(select(2, pcall(error, "x")))
