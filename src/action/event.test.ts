import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pullRequestNumber, readEvent } from './event.ts'

function payloadFile(payload: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gts-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return path
}

describe('readEvent', () => {
  it('takes ref and sha from the push payload when the runner variables are missing', () => {
    const path = payloadFile({ ref: 'refs/heads/main', after: 'abc123' })
    const event = readEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: path }, () => {})
    expect(event).toMatchObject({ ref: 'refs/heads/main', sha: 'abc123' })
  })

  it('prefers GITHUB_REF and GITHUB_SHA', () => {
    const path = payloadFile({ ref: 'refs/heads/other', after: 'abc123' })
    const env = { GITHUB_EVENT_PATH: path, GITHUB_REF: 'refs/heads/main', GITHUB_SHA: 'def456' }
    expect(readEvent(env, () => {})).toMatchObject({ ref: 'refs/heads/main', sha: 'def456' })
  })

  it('warns and uses an empty payload when the file is unreadable', () => {
    const warnings: string[] = []
    const event = readEvent({ GITHUB_EVENT_PATH: '/nonexistent/event.json' }, (m) =>
      warnings.push(m),
    )
    expect(event.payload).toEqual({})
    expect(warnings[0]).toContain('/nonexistent/event.json')
  })
})

describe('pullRequestNumber', () => {
  it('reads pull_request.number, else the top-level number', () => {
    const event = { name: 'pull_request', ref: '', sha: '' }
    expect(pullRequestNumber({ ...event, payload: { pull_request: { number: 7 } } })).toBe(7)
    expect(pullRequestNumber({ ...event, payload: { number: 8 } })).toBe(8)
    expect(pullRequestNumber({ ...event, payload: {} })).toBeUndefined()
  })
})
