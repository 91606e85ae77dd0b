// Structured logs of the service: one line per event, as text or JSON (`level`, `time`, `msg`, fields),
// each whole line scrubbed of every known secret before it is written.
import type { LogFormat } from '../cli/args.ts'

export type Level = 'debug' | 'info' | 'warn' | 'error'
export type Fields = Record<string, string | number | boolean | undefined>

export interface Logger {
  log(level: Level, msg: string, fields?: Fields): void
}

export interface LoggerOptions {
  format: LogFormat
  write: (line: string) => void
  scrub: (text: string) => string
  /** Events below this level are dropped; default info. */
  level?: Level
  now?: () => Date
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export function parseLevel(value: string | undefined): Level {
  const v = value?.trim().toLowerCase()
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info'
}

export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? (() => new Date())
  const least = RANK[options.level ?? 'info']
  return {
    log(level, msg, fields = {}) {
      if (RANK[level] < least) return
      const time = now().toISOString()
      const defined = Object.entries(fields).filter(([, v]) => v !== undefined)
      const line =
        options.format === 'json'
          ? JSON.stringify({ level, time, msg, ...Object.fromEntries(defined) })
          : [
              time,
              level.padEnd(5),
              oneLine(msg),
              ...defined.map(([k, v]) => `${k}=${textValue(v!)}`),
            ].join(' ')
      options.write(`${options.scrub(line)}\n`)
    },
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ')
}

/** Bare when it reads unambiguously, else JSON-quoted (so `key=value` pairs always split cleanly). */
function textValue(value: string | number | boolean): string {
  const text = String(value)
  return /^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(oneLine(text))
}
