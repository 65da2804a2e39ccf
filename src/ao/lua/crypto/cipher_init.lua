-- `.crypto.cipher.init` (`crypto.cipher`).
return {
  _version = "0.0.1",
  issac = require(".crypto.cipher.issac"),
  aes = require(".crypto.cipher.aes"),
}
