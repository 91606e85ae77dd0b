import { readFileSync } from 'node:fs'
import type { EventPayload } from './mode.ts'

export interface GitHubEvent {
  name: string
  ref: string
  sha: string
  payload: EventPayload
}

/** The triggering event as the runner describes it: GITHUB_EVENT_NAME and the payload file. */
export function readEvent(
  env: Record<string, string | undefined>,
  warn: (msg: string) => void,
): GitHubEvent {
  const payload = readPayload(env.GITHUB_EVENT_PATH, warn)
  return {
    name: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF || stringOf(payload.ref),
    sha: env.GITHUB_SHA || stringOf(payload.after),
    payload,
  }
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : '')

function readPayload(path: string | undefined, warn: (msg: string) => void): EventPayload {
  if (!path) return {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return parsed && typeof parsed === 'object' ? (parsed as EventPayload) : {}
  } catch (error) {
    warn(`Could not read the event payload ${path}: ${(error as Error).message}`)
    return {}
  }
}

/** The pull request a plan comment belongs to, for events that carry one. */
export function pullRequestNumber(event: GitHubEvent): number | undefined {
  const number = event.payload.pull_request?.number ?? event.payload.number
  return typeof number === 'number' ? number : undefined
}
