-- `.crypto.util.bit`: aos finds no LuaJIT `bit` and takes `bit32`, which has the rotations.
return require("bit32")
