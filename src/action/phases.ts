import { runEngine, type EngineInputs, type EngineOutcome } from '../engine.ts'
import type { ConfigSummary } from '../config/index.ts'
import type { Mode } from './mode.ts'
import { removeBaseFolder } from './base-config.ts'
import { reviewInputs } from './review.ts'
import type { ActionRun } from './run.ts'
import { hasInstances, runInstances, type InstancesOutcome } from '../instances.ts'
import { grafanaInputsGiven } from './instances.ts'
import { instancesTarget } from './comment-target.ts'

/** Validation first in its own log group, so config problems are not buried under the reads. */
export async function runPhases(ctx: ActionRun): Promise<EngineOutcome | InstancesOutcome> {
  const inputs = engineInputs(ctx)
  const validated = await ctx.io.group(`Validate ${ctx.inputs.configPath}`, async () => {
    const outcome = await runEngine({ ...inputs, mode: 'validate' })
    if (outcome.kind !== 'validated') return outcome
    ctx.io.info(describeSummary(outcome.summary))
    return outcome
  })
  if (validated.kind !== 'validated' || ctx.mode === 'validate') return validated
  // The config validated above is the one run: the files are read once.
  const { config } = validated
  if (hasInstances(config)) {
    // Refusals and config problems found per instance go to the instances' comment too.
    ctx.commentTarget = instancesTarget(config.instances ?? [])
    const grafanaSettings = grafanaInputsGiven(ctx.inputs)
    return ctx.io.group(phaseTitle(ctx.mode), async () => {
      // The reviewed part at merge is not kept per instance: only the plan on a PR is split.
      const review = ctx.mode === 'plan' ? await reviewInputs(ctx) : {}
      try {
        return await runInstances({ ...inputs, grafana: undefined, config, ...review }, config, {
          grafanaSettings,
        })
      } finally {
        await removeBaseFolder(review.base)
      }
    })
  }
  return ctx.io.group(phaseTitle(ctx.mode), async () => {
    const review = await reviewInputs(ctx)
    try {
      return await runEngine({ ...inputs, config, ...review })
    } finally {
      await removeBaseFolder(review.base)
    }
  })
}

function describeSummary(s: ConfigSummary): string {
  return `Valid: ${s.files} file(s), ${s.orgs.length} org(s), ${s.teams} team(s), ${s.oktaGroups.length} Okta group(s), ${s.people} people, ${s.users} local user(s).`
}

function engineInputs(ctx: ActionRun): EngineInputs {
  const { env, inputs, mode, scrubber, io } = ctx
  const { grafanaUrl, grafanaToken, grafanaUsername, grafanaPassword, oktaDomain, oktaApiToken } =
    inputs
  const oktaCredential = oktaApiToken ?? inputs.oktaClientId ?? inputs.oktaPrivateKey
  if (Boolean(oktaDomain) !== Boolean(oktaCredential)) {
    io.warning(
      'Okta is not used: set okta-domain and either okta-api-token or okta-client-id with okta-private-key.',
    )
  }
  return {
    mode,
    configPath: inputs.configPath,
    cwd: env.GITHUB_WORKSPACE || process.cwd(),
    env,
    grafana: grafanaUrl
      ? {
          url: grafanaUrl,
          token: grafanaToken,
          username: grafanaUsername,
          password: grafanaPassword,
        }
      : undefined,
    okta:
      oktaDomain && oktaCredential
        ? {
            domain: oktaDomain,
            token: oktaApiToken,
            clientId: inputs.oktaClientId,
            privateKey: inputs.oktaPrivateKey,
            keyId: inputs.oktaKeyId,
          }
        : undefined,
    force: inputs.force,
    concurrency: inputs.concurrency,
    onProgress: (message) => io.info(message),
    signal: ctx.signal,
    scrubber,
  }
}

function phaseTitle(mode: Mode): string {
  return mode === 'plan'
    ? 'Plan: read Okta and Grafana, compute the changes'
    : 'Apply: read Okta and Grafana, plan against the live state, apply'
}
