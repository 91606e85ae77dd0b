import { describe, expect, it } from 'vitest'
import { createLogger, type LoggerOptions } from './logger.ts'

const at = new Date('2026-01-02T03:04:05.678Z')

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = []
  const log = createLogger({
    format: 'text',
    write: (line) => lines.push(line),
    scrub: (text) => text.split('s3cr3t-token').join('***'),
    now: () => at,
    ...options,
  })
  return { log, lines }
}

describe('createLogger', () => {
  it('writes one JSON object per event with level, time, msg and the fields given', () => {
    const { log, lines } = capture({ format: 'json' })
    log.log('info', 'run finished', { run: 2, result: 'success', skipped: undefined })
    expect(lines).toEqual([
      '{"level":"info","time":"2026-01-02T03:04:05.678Z","msg":"run finished","run":2,"result":"success"}\n',
    ])
  })

  it('writes text as time, level, message and key=value pairs, quoting what needs it, on one line', () => {
    const { log, lines } = capture()
    log.log('error', 'change\nfailed', { change: 'add-team-member:Main Org./Ops/a b', ok: false })
    expect(lines).toEqual([
      '2026-01-02T03:04:05.678Z error change failed change="add-team-member:Main Org./Ops/a b" ok=false\n',
    ])
  })

  it('scrubs the whole line, message and fields, in both formats', () => {
    for (const format of ['text', 'json'] as const) {
      const { log, lines } = capture({ format })
      log.log('warn', 'token s3cr3t-token rejected', { detail: 'Bearer s3cr3t-token' })
      expect(lines.join('')).not.toContain('s3cr3t-token')
      expect(lines.join('')).toContain('***')
    }
  })

  it('drops events below its level', () => {
    const { log, lines } = capture({ level: 'info' })
    log.log('debug', 'reading 3 org(s)')
    log.log('info', 'run started')
    expect(lines).toHaveLength(1)
    const verbose = capture({ level: 'debug' })
    verbose.log.log('debug', 'reading 3 org(s)')
    expect(verbose.lines).toHaveLength(1)
  })
})
