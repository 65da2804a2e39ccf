// The aolite side of the oracle: runs a scenario's exact handle(msg, env) inputs through
// the built package. aolite itself gives the CU's semantics: a step that fails (Error, or
// handle() throwing) or that is Read-Only leaves no trace in the process state.
import { expandScenario } from './scenario.mjs'
import { parseGlobals } from './aos.mjs'
import { Process } from '../../pkg/node.js'

function call (proc, msg, env) {
  try {
    return { result: proc.handle(msg, env) }
  } catch (e) {
    if (e.code === 'LUA_ERROR') return { thrown: e }
    throw e
  }
}

function rawResult ({ result, thrown }) {
  if (thrown !== undefined) return { Thrown: thrown.message }
  const { Output, Messages, Spawns, Assignments, Error, GasUsed } = result
  return { Output, Messages, Spawns, Assignments, Error, GasUsed }
}

export async function runAolite (scenario) {
  const plan = expandScenario(scenario)
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
  let globals = null
  if (plan.globalsStep) {
    const r = call(proc, plan.globalsStep.msg, plan.env)
    globals = parseGlobals(plan.globals, r.result, r.thrown)
  }
  return { name: plan.name, steps, globals }
}
