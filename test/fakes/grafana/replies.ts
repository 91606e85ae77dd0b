// The shapes of Grafana's answers (§1.2): a plain message, a message with `traceID`, a structured
// `messageId`/`statusCode` error, an auth failure, and the 403 access-denied body.
import { randomInt } from 'node:crypto'
import type { Reply } from '../http.ts'

export const plain = (status: number, message: string): Reply => ({ status, body: { message } })
/** A handler error that carried an internal error: the body gains `traceID` (empty, no tracing). */
export const traced = (status: number, message: string): Reply => ({
  status,
  body: { message, traceID: '' },
})
export const structured = (status: number, messageId: string, message: string): Reply => ({
  status,
  body: { statusCode: status, messageId, message, traceID: '' },
})
export const authFailure = (message: string, messageId: string, status = 401): Reply => ({
  status,
  body: { extra: null, message, messageId, statusCode: status, traceID: '' },
})
export const denied = (action: string): Reply => ({
  status: 403,
  body: {
    title: 'Access denied',
    message: `You'll need additional permissions to perform this action. Permissions needed: ${action}`,
    accessErrorId: `ACE${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`,
  },
})
export const ok = (body: unknown): Reply => ({ status: 200, body })
export const notFoundRoute = (): Reply => plain(404, 'Not found')
export const badRequestData = (): Reply => traced(400, 'bad request data')
export const teamNotFound = (): Reply => traced(404, 'Team not found')
