import { createServer, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpService } from './index.ts'
import { listenOnLoopback, type Listening } from '../../test/fakes/http.ts'

interface Seen {
  headers: IncomingMessage['headers']
  body: string
}

let server: Listening | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** Answers the given statuses in turn and records each request. */
async function serve(statuses: number[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const http = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ headers: req.headers, body })
      res.writeHead(statuses[seen.length - 1] ?? 200, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
  })
  server = await listenOnLoopback(http)
  return { url: server.url, seen }
}

describe('authorize hook', () => {
  it('asks for fresh headers on every attempt, retries included, over the fixed ones', async () => {
    const { url, seen } = await serve([503, 200])
    let n = 0
    const calls: string[] = []
    const http = createHttpService({
      service: 'okta',
      baseUrl: url,
      headers: { Authorization: 'fixed', Accept: 'application/json' },
      retryBaseMs: 1,
      authorize: (method, target) => {
        calls.push(`${method} ${target.pathname}`)
        return Promise.resolve({ Authorization: `Bearer t${++n}`, DPoP: `proof${n}` })
      },
    })
    await http.request('GET', '/api/v1/groups', { query: { limit: 2 } })
    expect(calls).toEqual(['GET /api/v1/groups', 'GET /api/v1/groups'])
    expect(seen.map((s) => [s.headers.authorization, s.headers.dpop])).toEqual([
      ['Bearer t1', 'proof1'],
      ['Bearer t2', 'proof2'],
    ])
    expect(seen[0]!.headers.accept).toBe('application/json')
  })

  it('ends the request when it throws, sending nothing', async () => {
    const { url, seen } = await serve([200])
    const http = createHttpService({
      service: 'okta',
      baseUrl: url,
      authorize: () => Promise.reject(new Error('no token: invalid_client')),
    })
    await expect(http.request('GET', '/api/v1/groups')).rejects.toThrow('invalid_client')
    expect(seen).toEqual([])
  })
})

describe('form bodies', () => {
  it('sends a form as application/x-www-form-urlencoded', async () => {
    const { url, seen } = await serve([200])
    const http = createHttpService({ service: 'okta', baseUrl: url })
    await http.request('POST', '/oauth2/v1/token', {
      form: { grant_type: 'client_credentials', scope: 'a b' },
    })
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(seen[0]!.body).toBe('grant_type=client_credentials&scope=a+b')
  })
})
