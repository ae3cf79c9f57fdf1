// The independent judge for tests/sandbox/test_policy_differential.py: every case, read as one
// JSON array on stdin, run through @cloud-copilot/iam-simulate's runSimulation (its own
// validation of actions, resource types and context keys included); one JSON array of answers
// on stdout, in the same order: {"result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"}
// or {"error": ...}, with the context keys it ignored, if any.
'use strict'
const { runSimulation } = require('@cloud-copilot/iam-simulate')

const PRINCIPAL_ACCOUNT = '123456789012'

async function judge(c) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: PRINCIPAL_ACCOUNT },
      contextVariables: c.context
    },
    identityPolicies: c.policies.map((policy, i) => ({ name: `policy${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (c.boundary !== null) {
    simulation.permissionBoundaryPolicies = c.boundary.map((policy, i) => ({ name: `boundary${i}`, policy }))
  }
  const answer = await runSimulation(simulation, {})
  if (answer.resultType === 'error') {
    return { error: answer.errors }
  }
  const ignored = answer.resultType === 'single' ? answer.result.ignoredContextKeys || [] : []
  return { result: answer.overallResult, ignored }
}

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const answers = []
  for (const c of cases) {
    try {
      answers.push(await judge(c))
    } catch (error) {
      answers.push({ error: String(error && error.stack ? error.stack : error) })
    }
  }
  process.stdout.write(JSON.stringify(answers))
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error))
  process.exit(1)
})
