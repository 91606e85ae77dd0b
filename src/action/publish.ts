import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConfigProblem } from '../config/index.ts'
import type { ApplyResult, Plan } from '../model.ts'
import { createScrubber, type Scrubber } from '../secrets/index.ts'
import { scrubWrites } from './secrets.ts'
import type { ActionIO } from './io.ts'
import { pullRequestChanges } from '../engine.ts'

export const MAX_ANNOTATIONS = 10
const SUMMARY_BYTES = 1_000_000

let scrubber: Scrubber = createScrubber()
/** True while registering a secret: the `::add-mask::` line must carry the secret itself. */
let masking = false

/**
 * From here on every text the process writes passes the run's scrubber: stdout and stderr (also what
 * reaches them around the ActionIO, such as Node's own warnings), and through `scrub` the plan file,
 * the PR comment and the failure issue. Returns the undo.
 */
export function guardOutputs(runScrubber: Scrubber): () => void {
  scrubber = runScrubber
  const clean = (text: string) => (masking ? text : runScrubber.scrub(text))
  const undo = [scrubWrites(process.stdout, clean), scrubWrites(process.stderr, clean)]
  return () => {
    for (const restore of undo) restore()
    scrubber = createScrubber()
  }
}

/** Removes every secret the run knows from a text bound for somewhere the log guard does not see. */
export function scrub(text: string): string {
  return scrubber.scrub(text)
}

export interface Outputs {
  mode: string
  hasChanges: boolean
  changeCount: number
  /** This pull request's changes when the base was read; else every change. */
  prChangeCount: number
  counts: Plan['counts']
  planFile: string
  applied: number
  failed: number
  commentId: string
}

export function emptyOutputs(mode: string): Outputs {
  return {
    mode,
    hasChanges: false,
    changeCount: 0,
    prChangeCount: 0,
    counts: {},
    planFile: '',
    applied: 0,
    failed: 0,
    commentId: '',
  }
}

export function outputsOf(mode: string, plan: Plan, result?: ApplyResult): Outputs {
  return {
    ...emptyOutputs(mode),
    hasChanges: plan.changes.length > 0,
    changeCount: plan.changes.length,
    prChangeCount: pullRequestChanges(plan).length,
    counts: plan.counts,
    applied: result?.applied ?? 0,
    failed: result?.failed ?? 0,
  }
}

export function setOutputs(io: ActionIO, o: Outputs): void {
  const set = (name: string, value: string) => io.setOutput(name, value)
  set('mode', o.mode)
  set('has-changes', String(o.hasChanges))
  set('change-count', String(o.changeCount))
  set('pr-change-count', String(o.prChangeCount))
  set('counts', JSON.stringify(o.counts))
  set('plan-file', o.planFile)
  set('applied', String(o.applied))
  set('failed', String(o.failed))
  set('comment-id', o.commentId)
}

/** Writes the JSON plan where later steps can pick it up (RUNNER_TEMP on a runner). */
export function writePlanFile(
  io: ActionIO,
  env: Record<string, string | undefined>,
  json: string,
): string {
  const dir = env.RUNNER_TEMP || tmpdir()
  const path = join(dir, 'grafana-team-sync-plan.json')
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(path, scrub(json.endsWith('\n') ? json : `${json}\n`))
    return path
  } catch (error) {
    io.warning(`Could not write the plan file ${path}: ${(error as Error).message}`)
    return ''
  }
}

/**
 * One error annotation per problem on its YAML line, at most 10 (GitHub drops the rest), then a notice
 * with the count left out. The job summary lists them all.
 */
export function annotateProblems(io: ActionIO, problems: ConfigProblem[]): void {
  const items = problems.map((p) => ({
    message: problemMessage(p),
    source: { file: p.file, line: p.line, col: p.col },
  }))
  annotate(io, 'error', items, MAX_ANNOTATIONS, 'config problem')
}

interface Annotated {
  message: string
  source?: { file: string; line: number; col: number }
}

/** At most `max` annotations of a kind on their YAML lines, then one notice counting the rest. */
export function annotate(
  io: ActionIO,
  kind: 'error' | 'warning',
  items: Annotated[],
  max: number,
  noun: string = kind,
): void {
  for (const { message, source } of items.slice(0, max)) {
    const at = source && { file: source.file, startLine: source.line, startColumn: source.col }
    io[kind](message, at)
  }
  const rest = items.length - max
  if (rest > 0)
    io.notice(`…and ${rest} more ${noun}${rest === 1 ? '' : 's'}, listed in the job summary.`)
}

export function problemMessage(p: ConfigProblem): string {
  return p.hint ? `${p.message} (${p.hint})` : p.message
}

/** The job summary is a file per step; it is absent outside a runner. */
export async function writeSummary(
  io: ActionIO,
  env: Record<string, string | undefined>,
  render: (budget: number) => string,
) {
  if (!env.GITHUB_STEP_SUMMARY) {
    io.debug('GITHUB_STEP_SUMMARY is not set; no job summary written')
    return
  }
  let markdown = scrub(render(900_000))
  // The budget counts characters; the 1 MiB limit counts bytes.
  if (Buffer.byteLength(markdown) > SUMMARY_BYTES) markdown = scrub(render(300_000))
  try {
    await io.appendSummary(markdown)
  } catch (error) {
    io.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}

/** Masks a secret in later log lines; multi-line values are masked line by line. */
export function maskSecret(io: ActionIO, secret: string): void {
  masking = true
  try {
    for (const line of secret.split(/\r?\n/)) if (line.trim()) io.setSecret(line)
  } finally {
    masking = false
  }
}
