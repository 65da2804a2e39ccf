-- `.crypto.init`, and `.crypto`: aos loads this file under both names, so the two are equal
-- tables, not one.
local cipher = require(".crypto.cipher.init")

return {
  _version = "0.0.1",
  digest = require(".crypto.digest.init"),
  utils = require(".crypto.util.init"),
  cipher = cipher,
  random = cipher.issac.random,
  mac = require(".crypto.mac.init"),
  kdf = require(".crypto.kdf.init"),
}
