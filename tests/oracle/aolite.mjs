// The aolite side of the oracle: runs a scenario's exact handle(msg, env) inputs through
// the built package for Node (see run-plan.mjs, which the Chromium oracle test shares).
import { expandScenario } from './scenario.mjs'
import { parseGlobals } from './aos.mjs'
import { runPlan } from './run-plan.mjs'
import { Process } from '../../pkg/node.js'

export async function runAolite (scenario) {
  const plan = expandScenario(scenario)
  const { steps, globalsRun } = runPlan(Process, plan)
  const globals = globalsRun
    ? parseGlobals(plan.globals, globalsRun.result, globalsRun.thrown)
    : null
  return { name: plan.name, steps, globals }
}
