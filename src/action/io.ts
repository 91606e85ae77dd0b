// Everything the action tells the runner goes through one ActionIO: the log, annotations, log groups,
// outputs, the job summary, masking and the step's failure. The runner's is @actions/core; tests give
// an in-memory one (test/memory/action-io.ts).
import * as core from '@actions/core'
import type { Scrubber } from '../secrets/index.ts'

/** Where an annotation points: a line and column of a file in the repository. */
export interface AnnotationAt {
  file: string
  startLine: number
  startColumn: number
}

export interface ActionIO {
  info: (message: string) => void
  /** Shown only when the step runs with debug logging. */
  debug: (message: string) => void
  notice: (message: string) => void
  /** A warning annotation, on a file's line when `at` is given. */
  warning: (message: string, at?: AnnotationAt) => void
  /** An error annotation, on a file's line when `at` is given. */
  error: (message: string, at?: AnnotationAt) => void
  /** Runs `body` inside a foldable log group. */
  group: <T>(title: string, body: () => Promise<T>) => Promise<T>
  setOutput: (name: string, value: string) => void
  /** Appends markdown to the job summary; rejects when the summary file cannot be written. */
  appendSummary: (markdown: string) => Promise<void>
  /** Masks one line of a secret in the rest of the job's log. */
  setSecret: (secret: string) => void
  /** Fails the step with `message` as an error annotation. */
  setFailed: (message: string) => void
  /** Fails the step without an annotation of its own (the annotations already written say why). */
  markFailed: () => void
  /** The step's exit status so far: 1 once failed. */
  exitCode: () => number
}

/** The runner's IO: workflow commands on stdout, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the exit code. */
export function coreIO(): ActionIO {
  return {
    info: (message) => core.info(message),
    debug: (message) => core.debug(message),
    notice: (message) => core.notice(message),
    warning: (message, at) => core.warning(message, at ?? {}),
    error: (message, at) => core.error(message, at ?? {}),
    group: (title, body) => core.group(title, body),
    setOutput: (name, value) => core.setOutput(name, value),
    appendSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write()
    },
    setSecret: (secret) => core.setSecret(secret),
    setFailed: (message) => core.setFailed(message),
    markFailed: () => {
      process.exitCode = 1
    },
    exitCode: () => Number(process.exitCode ?? 0),
  }
}

/**
 * `io` with every text passed through the run's scrubber first: messages, group titles, annotation
 * files, outputs and the job summary. Only `setSecret` gets its text as given: the runner must be told
 * the secret itself.
 */
export function scrubbedIO(io: ActionIO, scrubber: Scrubber): ActionIO {
  const clean = (text: unknown) => scrubber.scrub(textOf(text))
  const place = (at?: AnnotationAt) =>
    at && { file: clean(at.file), startLine: at.startLine, startColumn: at.startColumn }
  return {
    ...io,
    info: (message) => io.info(clean(message)),
    debug: (message) => io.debug(clean(message)),
    notice: (message) => io.notice(clean(message)),
    warning: (message, at) => io.warning(clean(annotationText(message)), place(at)),
    error: (message, at) => io.error(clean(annotationText(message)), place(at)),
    group: (title, body) => io.group(clean(title), body),
    setOutput: (name, value) => io.setOutput(name, clean(value)),
    appendSummary: (markdown) => io.appendSummary(clean(markdown)),
    setFailed: (message) => io.setFailed(clean(message)),
  }
}

/**
 * Octokit's logger is given this IO and may pass something other than a string: it is written as
 * @actions/core writes it, so that it can be scrubbed.
 */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  return value instanceof String ? value.valueOf() : JSON.stringify(value)
}

function annotationText(message: unknown): unknown {
  return message instanceof Error ? message.toString() : message
}
