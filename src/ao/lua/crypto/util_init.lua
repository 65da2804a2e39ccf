-- `.crypto.util.init` (`crypto.utils`).
return {
  _version = "0.0.1",
  bit = require(".crypto.util.bit"),
  queue = require(".crypto.util.queue"),
  stream = require(".crypto.util.stream"),
  hex = require(".crypto.util.hex"),
  array = require(".crypto.util.array"),
}
