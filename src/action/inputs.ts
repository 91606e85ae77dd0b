import { realpathSync } from 'node:fs'
import path from 'node:path'
import * as z from 'zod'
import { hasGrafanaAuth, withoutUserInfo, withScheme } from '../secrets/index.ts'
import { isInside } from '../config/files.ts'

export interface ActionInputs {
  mode: 'auto' | 'validate' | 'plan' | 'apply'
  configPath: string
  grafanaUrl?: string
  grafanaToken?: string
  grafanaUsername?: string
  grafanaPassword?: string
  oktaDomain?: string
  oktaApiToken?: string
  /** An API Services app instead of an API token: its Client ID, private key and key id. */
  oktaClientId?: string
  oktaPrivateKey?: string
  oktaKeyId?: string
  githubToken?: string
  comment: boolean
  dryRun: boolean
  force: boolean
  failOnChanges: boolean
  concurrency: number
  /** At merge, when the pull-request part differs from the one reviewed: say so, or write nothing. */
  onPlanChanged: 'warn' | 'fail'
  /** Scheduled and dispatched applies open an issue when they fail, and close it when one succeeds. */
  failureIssue: boolean
}

export class InputError extends Error {
  override name = 'InputError'
}

type Env = Record<string, string | undefined>

/** How the runner passes `with:` values: `INPUT_` + the name upper-cased, spaces as `_`, dashes kept. */
export function readInput(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** `core.getBooleanInput` semantics, with the action.yml default when the input is absent. */
const boolean = (name: string, fallback: boolean) =>
  z.string().transform((value, ctx) => {
    if (value === '') return fallback
    if (TRUE.includes(value)) return true
    if (FALSE.includes(value)) return false
    ctx.addIssue({
      code: 'custom',
      message: `input "${name}" must be true or false (YAML 1.2 core schema: true | True | TRUE | false | False | FALSE), got "${value}"`,
    })
    return z.NEVER
  })

const optional = z.string().transform((value) => (value === '' ? undefined : value))

const schema = z.object({
  mode: z
    .string()
    .transform((value) => value.toLowerCase() || 'auto')
    .pipe(
      z.enum(['auto', 'validate', 'plan', 'apply'], {
        error: (issue) =>
          `input "mode" must be one of auto, validate, plan, apply; got "${String(issue.input)}"`,
      }),
    ),
  'config-path': z.string().transform((value) => value || 'teams'),
  'grafana-url': optional
    .transform((value) => value && withScheme(value))
    .refine((value) => value === undefined || isHttpUrl(value), {
      error: (issue) =>
        // A rejected URL is echoed without any `user:password@` part.
        `input "grafana-url" must be an http(s) URL such as https://grafana.acme.example; got "${withoutUserInfo(String(issue.input))}"`,
    }),
  'grafana-token': optional,
  'grafana-username': optional,
  'grafana-password': optional,
  'okta-domain': optional,
  'okta-api-token': optional,
  'okta-client-id': optional,
  'okta-private-key': optional,
  'okta-key-id': optional,
  'github-token': optional,
  comment: boolean('comment', true),
  'dry-run': boolean('dry-run', false),
  force: boolean('force', false),
  'fail-on-changes': boolean('fail-on-changes', false),
  'on-plan-changed': z
    .string()
    .transform((value) => value.toLowerCase() || 'warn')
    .pipe(
      z.enum(['warn', 'fail'], {
        error: (issue) =>
          `input "on-plan-changed" must be warn or fail; got "${String(issue.input)}"`,
      }),
    ),
  'failure-issue': boolean('failure-issue', true),
  concurrency: z
    .string()
    .transform((value) => (value === '' ? 8 : Number(value)))
    .refine((value) => Number.isInteger(value) && value >= 1 && value <= 64, {
      error: (issue) =>
        `input "concurrency" must be a whole number from 1 to 64; got "${String(issue.input)}"`,
    }),
})

type InputName = keyof z.input<typeof schema>

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/**
 * Reads every input once. Absent inputs take the defaults of action.yml, because a runner only fills
 * them in for `uses:` steps. `github-token` falls back to the GITHUB_TOKEN environment variable.
 * @throws InputError listing every bad input and how to fix it.
 */
export function parseInputs(env: Env): ActionInputs {
  const names = Object.keys(schema.shape) as InputName[]
  const raw = Object.fromEntries(names.map((name) => [name, readInput(env, name)]))
  const parsed = schema.safeParse(raw)
  const configPathProblem = outsideWorkspace(raw['config-path'] || 'teams', env)
  if (!parsed.success || configPathProblem) {
    const problems = [
      ...(parsed.error?.issues.map((issue) => issue.message) ?? []),
      ...(configPathProblem ? [configPathProblem] : []),
    ]
    throw new InputError(
      `Invalid action input: ${problems.join('; ')}. Fix the step's "with:" block.`,
    )
  }
  const v = parsed.data
  return {
    mode: v.mode,
    configPath: v['config-path'],
    grafanaUrl: v['grafana-url'],
    grafanaToken: v['grafana-token'],
    grafanaUsername: v['grafana-username'],
    grafanaPassword: v['grafana-password'],
    oktaDomain: v['okta-domain'],
    oktaApiToken: v['okta-api-token'],
    oktaClientId: v['okta-client-id'],
    oktaPrivateKey: v['okta-private-key'],
    oktaKeyId: v['okta-key-id'],
    githubToken: v['github-token'] ?? (env.GITHUB_TOKEN?.trim() || undefined),
    comment: v.comment,
    dryRun: v['dry-run'],
    force: v.force,
    failOnChanges: v['fail-on-changes'],
    concurrency: v.concurrency,
    onPlanChanged: v['on-plan-changed'],
    failureIssue: v['failure-issue'],
  }
}

/**
 * The config is part of the checked-out repository: a `config-path` that leads out of the workspace,
 * as written or through a linked folder, would let a workflow or pull request read files elsewhere
 * on the runner. Checked before any request; a path that does not exist is left to the loader.
 */
function outsideWorkspace(configPath: string, env: Env): string | undefined {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const target = path.resolve(workspace, configPath)
  const problem = `input "config-path" must be a folder or file inside the workspace (GITHUB_WORKSPACE); "${configPath}"`
  if (!isInside(target, workspace)) return `${problem} is outside it`
  const real = (file: string) => {
    try {
      return realpathSync(file)
    } catch {
      return undefined
    }
  }
  const realTarget = real(target)
  if (realTarget !== undefined && !isInside(realTarget, real(workspace) ?? workspace)) {
    return `${problem} is a link, or lies in a linked folder, that leads outside it`
  }
  return undefined
}

/** A run can read Grafana with a URL and either a token or a username and password (also in the URL). */
export function hasGrafanaCredentials(inputs: ActionInputs): boolean {
  return hasGrafanaAuth({
    url: inputs.grafanaUrl ?? '',
    token: inputs.grafanaToken,
    username: inputs.grafanaUsername,
    password: inputs.grafanaPassword,
  })
}
