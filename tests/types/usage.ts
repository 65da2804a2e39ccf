// Type-checked (not run) by tests/js/types.test.mjs: the package's .d.ts must describe
// the API with real domain types.
import init, { Process, runLua } from "../../pkg/web/aolite.js";
import type { AoliteError, Env, ErrorCode, Message, Outcome, OutMessage, ProcessOptions } from "../../pkg/web/aolite.js";

async function main(): Promise<void> {
  await init();
  const options: ProcessOptions = { owner: "wallet", tags: { Name: "demo" }, limits: { fuel: 1_000_000 } };
  const p = new Process(options);
  const message: Message = { From: "alice", Tags: { Action: "Ping" }, Data: { nested: [1, 2] } };
  const outcome: Outcome = p.send(message);
  const first: OutMessage | undefined = outcome.Messages[0];
  const action: string | number | boolean | undefined = first?.Tags.find((t) => t.name === "Action")?.value;
  const gas: number = outcome.GasUsed;
  const printed: string | undefined = outcome.Output?.data;
  const env: Env = { Process: { Id: p.id, Owner: p.owner, Tags: [] }, Module: { Id: "m", Owner: "o", Tags: [] } };
  p.handle({ Id: "x", Tags: [{ name: "Action", value: "Eval" }], Data: "1" }, env);
  const dry: Outcome = p.dryRun({ Tags: [{ name: "Action", value: "Info" }] });
  const text: string = p.eval("return 1").output;
  const script = runLua("print(1)");
  const code: ErrorCode | undefined = script.code;
  try {
    p.eval("error('x')");
  } catch (e) {
    const err = e as AoliteError;
    const c: ErrorCode = err.code;
    console.log(c, err.message);
  }
  console.log(action, gas, printed, dry.Error, text, script.stdout, code);
}

void main;
