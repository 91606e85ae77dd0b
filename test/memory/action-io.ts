// An in-memory ActionIO, for tests of the action's logic without a runner: it keeps what the runner
// would show (log lines, annotations, groups, outputs, the job summary, masks and the failure) as
// values. The end-to-end tests, which read the bundle's stdout and files, stay the proof of the wire.
import type { ActionIO, AnnotationAt } from '../../src/action/io.ts'

export type LogKind = 'info' | 'debug' | 'notice' | 'warning' | 'error' | 'group'

export interface LogEntry {
  kind: LogKind
  message: string
  at?: AnnotationAt
  /** The titles of the log groups the entry was written in, outermost first. */
  groups: string[]
}

export interface MemoryActionIO extends ActionIO {
  readonly log: LogEntry[]
  readonly outputs: Record<string, string>
  /** The job summary as appended so far. */
  summary: string
  readonly masked: string[]
  /** The messages given to setFailed, in order. */
  readonly failures: string[]
  /** The messages of one kind, in order. */
  messages: (kind: LogKind) => string[]
}

export function memoryActionIO(options: { summaryError?: Error } = {}): MemoryActionIO {
  const log: LogEntry[] = []
  const open: string[] = []
  const failures: string[] = []
  let exitCode = 0
  const write = (kind: LogKind) => (message: string, at?: AnnotationAt) => {
    log.push({ kind, message, ...(at ? { at } : {}), groups: [...open] })
  }
  const io: MemoryActionIO = {
    log,
    outputs: {},
    summary: '',
    masked: [],
    failures,
    messages: (kind) => log.filter((entry) => entry.kind === kind).map((entry) => entry.message),
    info: write('info'),
    debug: write('debug'),
    notice: write('notice'),
    warning: write('warning'),
    error: write('error'),
    async group(title, body) {
      write('group')(title)
      open.push(title)
      try {
        return await body()
      } finally {
        open.pop()
      }
    },
    setOutput: (name, value) => {
      io.outputs[name] = value
    },
    appendSummary: (markdown) => {
      if (options.summaryError) return Promise.reject(options.summaryError)
      io.summary += `${markdown}\n`
      return Promise.resolve()
    },
    setSecret: (secret) => {
      io.masked.push(secret)
    },
    setFailed: (message) => {
      failures.push(message)
      exitCode = 1
    },
    markFailed: () => {
      exitCode = 1
    },
    exitCode: () => exitCode,
  }
  return io
}
