// What the CLI prints for an engine outcome, and its exit status. With --json stdout gets exactly
// one JSON document (also written to --out); everything else goes to stderr.
import { resolve } from 'node:path'
import type { EngineOutcome } from '../engine.ts'
import type { InstancesOutcome } from '../instances.ts'
import { cancelledText, renderJson, renderText, writtenBeforeBlock } from '../report/index.ts'
import { describeSetting } from '../settings.ts'
import { variableNames } from './settings.ts'
import type { CliArgs } from './args.ts'
import { describeSummary, formatProblem, withNewline } from './format.ts'
import type { CliIO } from './run.ts'

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_CHANGES = 2

type Done = Extract<EngineOutcome, { kind: 'planned' | 'applied' }>

/** The JSON document to --out and, with --json, to stdout; else `text` to stdout or to `textTo`. */
type Emit = (json: string, text: string, textTo?: (text: string) => void) => void

export function report(args: CliArgs, outcome: EngineOutcome, io: CliIO): number {
  const err = (text: string) => io.stderr(withNewline(text))
  let unwritten = false
  const emit: Emit = (json, text, textTo = io.stdout) => {
    if (args.out) unwritten = !writeOut(args.out, json, io)
    if (args.json) io.stdout(withNewline(json))
    if (!args.json || textTo !== io.stdout) textTo(withNewline(text))
  }
  const status = outcomeStatus(args, outcome, emit, err)
  return unwritten ? EXIT_ERROR : status
}

function outcomeStatus(
  args: CliArgs,
  outcome: EngineOutcome,
  emit: Emit,
  err: (text: string) => void,
): number {
  switch (outcome.kind) {
    case 'invalid': {
      // The problems are what validate reports, but an error of plan and apply.
      const lines = outcome.problems.map(formatProblem).join('\n')
      const to = args.command === 'validate' ? undefined : err
      emit(validationJson(args, { valid: false, problems: outcome.problems }), lines, to)
      err(`${outcome.problems.length} problem(s) in ${args.config}; nothing was read or written.`)
      return EXIT_ERROR
    }
    case 'validated':
      emit(
        validationJson(args, { valid: true, summary: outcome.summary }),
        describeSummary(args.config, outcome.summary),
      )
      return EXIT_OK
    case 'refused': {
      // Problems with settings name the variables the CLI reads them from.
      const problems =
        outcome.settings?.map((p) => describeSetting(p, variableNames)) ?? outcome.problems
      err(problems.map((p) => `error: ${p}`).join('\n'))
      return EXIT_ERROR
    }
    case 'failed':
      err(`error: ${outcome.error}`)
      return EXIT_ERROR
    case 'planned':
    case 'applied': {
      const input = {
        mode: args.command === 'apply' ? ('apply' as const) : ('plan' as const),
        configPath: args.config,
        plan: outcome.plan,
        result: outcome.kind === 'applied' ? outcome.result : undefined,
      }
      emit(renderJson(input), renderText(input))
      return exitStatus(args, outcome, err)
    }
  }
}

function writeOut(file: string, json: string, io: CliIO): boolean {
  try {
    io.writeFile(resolve(io.cwd, file), withNewline(json))
    return true
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    io.stderr(`error: cannot write --out ${file} (${reason})\n`)
    return false
  }
}

/** The document of validate, and of plan or apply when the config is invalid. */
function validationJson(args: CliArgs, body: object): string {
  const doc = { version: 1, mode: args.command, configPath: args.config, ...body }
  return JSON.stringify(doc, null, 2)
}

function exitStatus(args: CliArgs, outcome: Done, err: (text: string) => void): number {
  const { plan } = outcome
  let status = EXIT_OK
  if (plan.errors.length) {
    err(`${plan.errors.length} plan error(s): ${plan.errors.map((e) => e.message).join('; ')}`)
    status = EXIT_ERROR
  }
  if (outcome.kind === 'planned') {
    if (status === EXIT_OK && args.detailedExitcode && plan.changes.length) return EXIT_CHANGES
    return status
  }
  const { result } = outcome
  if (result.blocked) {
    const guards = plan.guards.map(
      (g) => `${g.guard} (${g.scope}: ${g.removals} removals, limit ${g.limit})`,
    )
    err(
      `Apply blocked by ${guards.length === 1 ? 'safety guard' : 'safety guards'} ${guards.join('; ')}; ${writtenBeforeBlock(result)}. Rerun with --force to apply anyway.`,
    )
    return EXIT_ERROR
  }
  if (result.cancelled) {
    err(`${cancelledText(result, plan.changes.length)}.`)
    return EXIT_ERROR
  }
  if (result.failed) {
    err(`${result.failed} change(s) failed, ${result.skipped} skipped.`)
    return EXIT_ERROR
  }
  return status
}

// ---------------------------------------------------------------- several instances (SPEC §9)

/**
 * Each instance's report under its name, on stdout and stderr as for one instance; with --json one
 * document holding one entry per instance. The worst status of the instances is the run's.
 */
export function reportInstances(args: CliArgs, outcome: InstancesOutcome, io: CliIO): number {
  const entries: Record<string, unknown>[] = []
  const statuses = outcome.instances.map(({ name, url, outcome: one }) => {
    const heading = `== instance ${name} (${url}) ==`
    if (!args.json) io.stdout(withNewline(heading))
    const err = (text: string) => io.stderr(withNewline(`[${name}] ${text}`))
    const emit: Emit = (json, text, textTo = io.stdout) => {
      const parsed = JSON.parse(json) as Record<string, unknown>
      for (const key of ['version', 'mode', 'configPath']) delete parsed[key]
      entries.push({ name, url, outcome: one.kind, ...parsed })
      if (!args.json || textTo !== io.stdout) textTo(withNewline(text))
    }
    if (one.kind === 'refused' || one.kind === 'failed') {
      const error = one.kind === 'failed' ? one.error : one.problems.join('; ')
      entries.push({ name, url, outcome: one.kind, error })
    }
    return outcomeStatus(args, one, emit, err)
  })
  const doc = { version: 1, mode: args.command, configPath: args.config, instances: entries }
  const json = JSON.stringify(doc, null, 2)
  let unwritten = false
  if (args.out) unwritten = !writeOut(args.out, json, io)
  if (args.json) io.stdout(withNewline(json))
  const status = statuses.includes(EXIT_ERROR)
    ? EXIT_ERROR
    : statuses.includes(EXIT_CHANGES)
      ? EXIT_CHANGES
      : EXIT_OK
  return unwritten ? EXIT_ERROR : status
}
