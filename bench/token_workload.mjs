// The token workload of the message-path benchmark (issue 14), as files the CLIs read:
// a token process (the blueprint's Transfer) with 1 000 funded balances, then N Transfers (each answered with a
// Debit-Notice reply and a Credit-Notice).
//   node bench/token_workload.mjs DIR [TRANSFERS]   writes DIR/token.lua, DIR/messages.json
// Deterministic: the same arguments always write the same bytes.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ACCOUNTS = 1000

const pad = (s) => (s + '_'.repeat(43)).slice(0, 43)
export const account = (i) => pad(`user${i}`)

// The Transfer handler of the token blueprint, with balances as decimal strings read with
// tonumber (the blueprint's bint arithmetic would make the handler, not the runtime, the
// measured cost): a Debit-Notice reply and a Credit-Notice per Transfer.
export function tokenSource () {
  return `Balances = Balances or {}
for i = 0, ${ACCOUNTS - 1} do
  Balances[string.sub("user" .. i .. string.rep("_", 43), 1, 43)] = "1000000"
end

Handlers.add("balance", "Balance", function(msg)
  local account = msg.Tags.Recipient or msg.From
  msg.reply({ Balance = Balances[account] or "0", Account = account, Data = Balances[account] or "0" })
end)

Handlers.add("transfer", "Transfer", function(msg)
  assert(type(msg.Recipient) == "string", "Recipient is required!")
  local q = tonumber(msg.Quantity)
  assert(q and q > 0, "Quantity must be greater than 0")
  local from = msg.From
  local balance = tonumber(Balances[from] or "0")
  if q <= balance then
    Balances[from] = tostring(balance - q)
    Balances[msg.Recipient] = tostring(tonumber(Balances[msg.Recipient] or "0") + q)
    msg.reply({ Action = "Debit-Notice", Recipient = msg.Recipient, Quantity = msg.Quantity,
      Data = "You transferred " .. msg.Quantity .. " to " .. msg.Recipient })
    ao.send({ Target = msg.Recipient, Action = "Credit-Notice", Sender = from, Quantity = msg.Quantity,
      Data = "You received " .. msg.Quantity .. " from " .. from })
  else
    msg.reply({ Action = "Transfer-Error", ["Message-Id"] = msg.Id, Error = "Insufficient Balance!" })
  end
end)
`
}

/** `transfers` Transfers between the funded accounts. */
export function tokenMessages (transfers) {
  const msgs = []
  for (let i = 0; i < transfers; i++) {
    msgs.push({
      From: account(i % ACCOUNTS),
      Tags: { Action: 'Transfer', Recipient: account((i * 7 + 3) % ACCOUNTS), Quantity: String(1 + (i % 5)) }
    })
  }
  return msgs
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2]
  const n = Number(process.argv[3] || 5000)
  if (!dir) {
    console.error('usage: node bench/token_workload.mjs DIR [TRANSFERS]')
    process.exit(2)
  }
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'token.lua'), tokenSource())
  fs.writeFileSync(path.join(dir, 'messages.json'), JSON.stringify(tokenMessages(n)))
}
