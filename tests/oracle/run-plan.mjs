// Runs an expanded scenario plan (see scenario.mjs, expandScenario) on aolite's `Process`
// class, whichever build gives it (Node's pkg/node.js, the browser's pkg/browser.js): no
// Node-only imports, so the Chromium oracle test runs it on a page. aolite gives the CU's
// semantics itself: a step that fails (Error, or handle() throwing) or that is Read-Only
// leaves no trace in the process state.

function call (proc, msg, env) {
  try {
    return { result: proc.handle(msg, env) }
  } catch (e) {
    // `os.exit` (EXIT) ends the evaluation as aos's throwing `handle` does.
    if (e.code === 'LUA_ERROR' || e.code === 'EXIT') return { thrown: e.message }
    throw e
  }
}

function rawResult ({ result, thrown }) {
  if (thrown !== undefined) return { Thrown: thrown }
  const { Output, Messages, Spawns, Assignments, Error, GasUsed } = result
  return { Output, Messages, Spawns, Assignments, Error, GasUsed }
}

/** `{ steps: [{label, kind, input, result}], globalsRun: {result, thrown} | null }`. */
export function runPlan (Process, plan) {
  const proc = new Process({
    id: plan.ids.PROCESS,
    owner: plan.ids.OWNER,
    module: plan.ids.MODULE,
    spawn: false
  })
  const steps = plan.steps.map((step) => ({
    label: step.label,
    kind: step.kind,
    input: step.msg,
    result: rawResult(call(proc, step.msg, plan.env))
  }))
  const globalsRun = plan.globalsStep ? call(proc, plan.globalsStep.msg, plan.env) : null
  return { steps, globalsRun }
}
