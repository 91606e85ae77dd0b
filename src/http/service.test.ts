import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import zlib from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  HTTP_DEFAULTS,
  HttpError,
  createHttpService,
  endpointOf,
  firstAnswered,
  hungRequestBudgetMs,
  isCredentialRejected,
  type ServiceName,
} from './index.ts'
import { envProxyWanted } from './transport.ts'
import { listenOnLoopback } from '../../test/fakes/http.ts'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

interface TinyServer {
  url: string
  seen: Seen[]
  close(): Promise<void>
}

const servers: TinyServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number, body: string) => void,
): Promise<TinyServer> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handler(req, res, seen.length, body)
    })
  })
  const tiny: TinyServer = { ...(await listenOnLoopback(server)), seen }
  servers.push(tiny)
  return tiny
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

const fast = { retryBaseMs: 5, timeoutMs: 2_000 }

/** A service that records the waits it asks for instead of sleeping them. */
function recordingService(
  service: ServiceName,
  baseUrl: string,
  rateLimitStyle?: 'okta' | 'retry-after',
) {
  const waits: number[] = []
  const sleep = (ms: number) => (waits.push(ms), Promise.resolve())
  const http = createHttpService({ service, baseUrl, rateLimitStyle, sleep, ...fast })
  return { waits, http }
}

describe('http service', () => {
  it('retries 5xx answers and then succeeds', async () => {
    const server = await serve((_req, res, n) =>
      n <= 2 ? json(res, 503, { message: 'busy' }) : json(res, 200, { ok: true }),
    )
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    const res = await http.request<{ ok: boolean }>('GET', '/api/org')
    expect(res.body).toEqual({ ok: true })
    expect(server.seen).toHaveLength(3)
    expect(http.stats()).toEqual([
      {
        service: 'grafana',
        endpoint: 'GET /api/org',
        requests: 3,
        retries: 2,
        bytes: expect.any(Number),
      },
    ])
  })

  it('retries a dropped connection', async () => {
    const server = await serve((req, res, n) => {
      if (n === 1) req.socket.destroy()
      else json(res, 200, [1, 2, 3])
    })
    const http = createHttpService({ service: 'okta', baseUrl: server.url, ...fast })
    const res = await http.request<number[]>('GET', '/api/v1/groups')
    expect(res.body).toEqual([1, 2, 3])
    expect(server.seen).toHaveLength(2)
  })

  it('gives up after the configured retries with status 0 for network failures', async () => {
    const server = await serve((req) => req.socket.destroy())
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast, retries: 2 })
    const err = await http.request('GET', '/api/teams/7/members').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect(err).toMatchObject({ status: 0, endpoint: '/api/teams/:id/members', method: 'GET' })
    expect((err as Error).message).toMatch(
      /^grafana GET \/api\/teams\/:id\/members failed: network error/,
    )
    expect(server.seen).toHaveLength(3)
  })

  it('times out a slow answer and retries it', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) setTimeout(() => json(res, 200, { late: true }), 500)
      else json(res, 200, { late: false })
    })
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      retryBaseMs: 1,
      timeoutMs: 100,
    })
    const res = await http.request('GET', '/api/org')
    expect(res.body).toEqual({ late: false })
    expect(server.seen).toHaveLength(2)
  })

  it('reports a timeout as status 0 once retries are exhausted', async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 500))
    const http = createHttpService({
      service: 'okta',
      baseUrl: server.url,
      retries: 0,
      timeoutMs: 50,
    })
    const err = (await http.request('GET', '/api/v1/groups').catch((e: unknown) => e)) as HttpError
    expect(err.status).toBe(0)
    expect(err.message).toBe('okta GET /api/v1/groups failed: timed out after 50 ms')
  })

  it('waits until the Okta X-Rate-Limit-Reset measured against the response Date', async () => {
    const server = await serve((_req, res, n) => {
      const now = Date.now()
      if (n === 1) {
        json(
          res,
          429,
          {
            errorCode: 'E0000047',
            errorSummary: 'API call exceeded rate limit due to too many requests.',
          },
          {
            Date: new Date(now).toUTCString(),
            'X-Rate-Limit-Limit': '600',
            'X-Rate-Limit-Remaining': '0',
            'X-Rate-Limit-Reset': String(Math.floor(now / 1000) + 1),
          },
        )
      } else json(res, 200, [])
    })
    const { waits, http } = recordingService('okta', server.url, 'okta')
    await http.request('GET', '/api/v1/groups/00g1emaKYZTWRYYRRTSK/users')
    expect(server.seen).toHaveLength(2)
    expect(waits).toHaveLength(1)
    // reset − Date + 1 s, with Date rounded down to the second: between 1 and 2 seconds.
    expect(waits[0]).toBeGreaterThanOrEqual(900)
    expect(waits[0]).toBeLessThanOrEqual(2_000)
    expect(http.stats()[0]).toMatchObject({
      endpoint: 'GET /api/v1/groups/:id/users',
      requests: 2,
      retries: 1,
    })
  })

  it('pauses new Okta requests when X-Rate-Limit-Remaining reaches 0 on a success', async () => {
    const server = await serve((_req, res, n) => {
      const now = Date.now()
      json(res, 200, [], {
        Date: new Date(now).toUTCString(),
        'X-Rate-Limit-Remaining': n === 1 ? '0' : '99',
        'X-Rate-Limit-Reset': String(Math.floor(now / 1000) + 10),
      })
    })
    const { waits, http } = recordingService('okta', server.url, 'okta')
    await http.request('GET', '/api/v1/groups')
    expect(waits).toEqual([])
    await http.request('GET', '/api/v1/groups')
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(9_000)
    expect(server.seen).toHaveLength(2)
  })

  it('honours Retry-After on a 429', async () => {
    const server = await serve((_req, res, n) =>
      n === 1
        ? json(res, 429, { message: 'slow down' }, { 'Retry-After': '3' })
        : json(res, 200, {}),
    )
    const { waits, http } = recordingService('github', server.url, 'retry-after')
    await http.request('GET', '/repos/o/r')
    expect(server.seen).toHaveLength(2)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(2_900)
    expect(waits[0]).toBeLessThanOrEqual(3_000)
  })

  it('falls back to Retry-After, then to backoff, on an Okta 429 without X-Rate-Limit-Reset', async () => {
    const server = await serve((_req, res, n) => {
      const tooMany = { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit' }
      if (n === 1) json(res, 429, tooMany, { 'Retry-After': '4' })
      else if (n === 2) json(res, 429, tooMany)
      else json(res, 200, [])
    })
    const { waits, http } = recordingService('okta', server.url, 'okta')
    await http.request('GET', '/api/v1/groups')
    expect(server.seen).toHaveLength(3)
    expect(waits[0]).toBeGreaterThan(3_900)
    // Afterwards only the rest of that pause and a jittered backoff (≤ retryBaseMs × 2): nothing longer.
    expect(Math.max(...waits)).toBeLessThanOrEqual(4_000)
  })

  it('honours Retry-After given as an HTTP date, measured against the response Date', async () => {
    const server = await serve((_req, res, n) => {
      // The server's clock is an hour ahead of ours: only the difference between its two dates counts.
      const serverNow = Math.floor(Date.now() / 1000) * 1000 + 3_600_000
      if (n === 1) {
        json(
          res,
          429,
          { message: 'Too Many Requests' },
          {
            Date: new Date(serverNow).toUTCString(),
            'Retry-After': new Date(serverNow + 5_000).toUTCString(),
          },
        )
      } else json(res, 200, {})
    })
    const { waits, http } = recordingService('grafana', server.url, 'retry-after')
    await http.request('GET', '/api/teams/search')
    expect(server.seen).toHaveLength(2)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(4_900)
    expect(waits[0]).toBeLessThanOrEqual(5_000)
  })

  it('fails at once on a status the caller will not have retried, yet waits out a 429', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) json(res, 429, { message: 'slow down' }, { 'Retry-After': '1' })
      else json(res, 500, { message: 'Internal Server Error' })
    })
    const { waits, http } = recordingService('grafana', server.url)
    const err = (await http
      .request('GET', '/api/teams/search', { noRetryStatuses: [500] })
      .catch((e: unknown) => e)) as HttpError
    expect(err.status).toBe(500)
    expect(server.seen).toHaveLength(2)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(900)
  })

  it('reads JSON whatever the charset parameter says, and an empty 204 as no body', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'DELETE') {
        res.writeHead(204)
        res.end()
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' })
        res.end(JSON.stringify({ totalCount: 0, teams: [] }))
      }
    })
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    expect((await http.request('GET', '/api/teams/search')).body).toEqual({
      totalCount: 0,
      teams: [],
    })
    const deleted = await http.request('DELETE', '/api/teams/3')
    expect(deleted).toMatchObject({ status: 204, body: undefined })
  })

  it('decodes UTF-8 split across chunks, drops a byte-order mark and counts the bytes received', async () => {
    const payload = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ name: 'Zoë Ñúñez 🚀' })),
    ])
    const split = payload.indexOf(0xc3) + 1 // inside the two bytes of "ë"
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.write(payload.subarray(0, split))
      setImmediate(() => res.end(payload.subarray(split)))
    })
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    expect((await http.request('GET', '/api/user')).body).toEqual({ name: 'Zoë Ñúñez 🚀' })
    expect(http.stats()).toEqual([
      {
        service: 'grafana',
        endpoint: 'GET /api/user',
        requests: 1,
        retries: 0,
        bytes: payload.length,
      },
    ])
  })

  it('follows no redirect: the target gets nothing, the error names it without its query', async () => {
    const elsewhere = await serve((_req, res) => json(res, 200, {}))
    const server = await serve((req, res) => {
      const target = req.url?.startsWith('/same')
        ? '/api/user?token=x'
        : `${elsewhere.url}/login?redirect=%2Fapi%2Fuser`
      res.writeHead(req.url?.startsWith('/same') ? 301 : 302, { Location: target })
      res.end()
    })
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      headers: { Authorization: 'Bearer glsa_secret_token_value' },
      secrets: ['glsa_secret_token_value'],
      ...fast,
    })
    const cross = (await http.request('GET', '/api/user').catch((e: unknown) => e)) as HttpError
    expect(cross.status).toBe(302)
    expect(cross.message).toBe(
      `grafana GET /api/user failed: 302 redirected to ${elsewhere.url}/login; configure the final address instead`,
    )
    const same = (await http.request('GET', '/same/api/user').catch((e: unknown) => e)) as HttpError
    expect(same.message).toContain('301 redirected to /api/user;')
    expect(same.message).not.toContain('token=x')
    expect(server.seen).toHaveLength(2)
    expect(elsewhere.seen).toHaveLength(0)
  })

  it('fails a non-retryable 4xx at once with the service message', async () => {
    const server = await serve((_req, res) => json(res, 404, { message: 'Team member not found.' }))
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    const err = (await http
      .request('PUT', '/api/teams/12/members/7', { body: { permission: 4 } })
      .catch((e: unknown) => e)) as HttpError
    expect(server.seen).toHaveLength(1)
    expect(err).toBeInstanceOf(HttpError)
    expect(err.message).toBe(
      'grafana PUT /api/teams/:id/members/:id failed: 404 Team member not found.',
    )
    expect(err).toMatchObject({
      service: 'grafana',
      method: 'PUT',
      status: 404,
      serviceMessage: 'Team member not found.',
    })
  })

  it('formats Okta errors with errorSummary, causes and errorCode', async () => {
    const server = await serve((_req, res) =>
      json(res, 400, {
        errorCode: 'E0000031',
        errorSummary: 'Invalid search criteria.',
        errorCauses: [{ errorSummary: 'Invalid search syntax.' }],
      }),
    )
    const http = createHttpService({ service: 'okta', baseUrl: server.url, ...fast })
    const err = (await http.request('GET', '/api/v1/groups').catch((e: unknown) => e)) as HttpError
    expect(err.serviceMessage).toBe('Invalid search criteria. Invalid search syntax. (E0000031)')
    expect(err.code).toBe('E0000031')
    expect(server.seen).toHaveLength(1)
  })

  it('answers okStatuses as responses', async () => {
    const server = await serve((_req, res) => json(res, 409, { message: 'Team name taken' }))
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    const res = await http.request('POST', '/api/teams', { body: { name: 'x' }, okStatuses: [409] })
    expect(res).toMatchObject({ status: 409, body: { message: 'Team name taken' } })
  })

  it('never puts a secret in an error message or stack, even when the server echoes it', async () => {
    const token = 'glsa_SuperSecretToken_0123456789'
    const server = await serve((req, res) =>
      json(res, 400, {
        message: `bad header ${String(req.headers.authorization)} / ${encodeURIComponent(token)}`,
      }),
    )
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      headers: { Authorization: `Bearer ${token}` },
      secrets: [token],
      ...fast,
    })
    const err = (await http.request('GET', '/api/org').catch((e: unknown) => e)) as HttpError
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${token}`)
    expect(err.message).toContain('bad header Bearer ***')
    for (const text of [err.message, err.stack ?? '', err.serviceMessage, JSON.stringify(err)]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(encodeURIComponent(token))
    }
  })

  it('keeps a token out of a network error that names it as a lower-cased host', async () => {
    const token = '00QCjAl4MlV-WPXMxyzABC0HmjFx-vbGua'
    const http = createHttpService({
      service: 'okta',
      baseUrl: `https://${token}.invalid`,
      secrets: [token],
      retries: 0,
      ...fast,
    })
    const err = (await http.request('GET', '/api/v1/groups').catch((e: unknown) => e)) as HttpError
    expect(err.status).toBe(0)
    expect(err.message).toContain('network error')
    expect(err.message.toLowerCase()).not.toContain(token.toLowerCase())
  })

  it('sends no request to another origin given as an absolute URL', async () => {
    const home = await serve((_req, res) => json(res, 200, []))
    const elsewhere = await serve((_req, res) => json(res, 200, []))
    const http = createHttpService({
      service: 'okta',
      baseUrl: home.url,
      headers: { Authorization: 'SSWS tok' },
      secrets: ['tok'],
      ...fast,
    })
    await http.request('GET', `${home.url}/api/v1/groups?after=x`)
    const err = (await http
      .request('GET', `${elsewhere.url}/api/v1/groups?after=y`)
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.message).toContain('refused to send a request to')
    expect(home.seen).toHaveLength(1)
    expect(elsewhere.seen).toHaveLength(0)
  })

  it('bounds requests in flight by the concurrency setting', async () => {
    let inFlight = 0
    let peak = 0
    const server = await serve((_req, res) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      setTimeout(() => {
        inFlight--
        json(res, 200, {})
      }, 20)
    })
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      concurrency: 3,
      ...fast,
    })
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => http.request('GET', `/api/teams/${i + 1}/members`)),
    )
    expect(peak).toBe(3)
    expect(http.stats()).toEqual([
      {
        service: 'grafana',
        endpoint: 'GET /api/teams/:id/members',
        requests: 12,
        retries: 0,
        bytes: 24,
      },
    ])
  })

  it('sends JSON bodies with Content-Type and keeps a base path prefix', async () => {
    const server = await serve((_req, res) => json(res, 200, { teamId: 3 }))
    const http = createHttpService({
      service: 'grafana',
      baseUrl: `${server.url}/grafana/`,
      ...fast,
    })
    await http.request('POST', '/api/teams', {
      body: { name: 'A' },
      query: { x: 'a b', id: [1, 2] },
    })
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/grafana/api/teams?x=a+b&id=1&id=2',
      body: '{"name":"A"}',
    })
    expect(server.seen[0]?.headers['content-type']).toBe('application/json')
    expect(http.stats()[0]?.endpoint).toBe('POST /api/teams')
  })

  it('keeps only the picked fields of a listing, and parses anything else whole', async () => {
    const listing = [{ id: 'u1', status: 'ACTIVE', profile: { login: 'a', email: 'a@x', x: 1 } }]
    const server = await serve((req, res) => {
      if (req.url === '/list') json(res, 200, listing)
      else if (req.url === '/object') json(res, 200, { id: 'u1', extra: true })
      else json(res, 404, [{ message: 'not found', id: 'u1' }])
    })
    const http = createHttpService({ service: 'okta', baseUrl: server.url, ...fast })
    const pick = { id: true, profile: { email: true } } as const
    expect((await http.request('GET', '/list', { pick })).body).toEqual([
      { id: 'u1', profile: { email: 'a@x' } },
    ])
    expect((await http.request('GET', '/object', { pick })).body).toEqual({ id: 'u1', extra: true })
    const answered = await http.request('GET', '/error', { pick, okStatuses: [404] })
    expect(answered.body).toEqual([{ message: 'not found', id: 'u1' }])
  })

  it('asks for compressed answers and reads gzip, deflate and brotli bodies', async () => {
    const listing = [{ id: 'u1', status: 'ACTIVE', profile: { login: 'a', email: 'a@x' } }]
    const plain = Buffer.from(JSON.stringify(listing))
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      '/gzip': (b) => zlib.gzipSync(b),
      '/deflate': (b) => zlib.deflateSync(b),
      '/raw-deflate': (b) => zlib.deflateRawSync(b),
      '/br': (b) => zlib.brotliCompressSync(b),
    }
    const server = await serve((req, res) => {
      const coding = req.url === '/raw-deflate' ? 'deflate' : (req.url ?? '').slice(1)
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': coding })
      res.end(encoders[req.url ?? '']!(plain))
    })
    const http = createHttpService({ service: 'okta', baseUrl: server.url, ...fast })
    for (const path of Object.keys(encoders)) {
      expect((await http.request('GET', path)).body).toEqual(listing)
      expect((await http.request('GET', path, { pick: { id: true } })).body).toEqual([{ id: 'u1' }])
    }
    expect(server.seen[0]!.headers['accept-encoding']).toBe('gzip, deflate, br')
  })

  it('reads an empty answer that names an encoding as empty', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204, { 'Content-Encoding': 'gzip' })
      res.end()
    })
    const http = createHttpService({ service: 'grafana', baseUrl: server.url, ...fast })
    const answered = await http.request('DELETE', '/api/teams/7/members/3')
    expect({ status: answered.status, body: answered.body }).toEqual({
      status: 204,
      body: undefined,
    })
  })

  it('goes through HTTP_PROXY when Node is told to use the environment proxy, as fetch does', async () => {
    const grafana = await serve((_req, res) => json(res, 200, [{ id: 'via proxy' }]))
    const tunnels: string[] = []
    const proxyServer = createServer()
    proxyServer.on('connect', (req: IncomingMessage, client: Socket) => {
      tunnels.push(req.url ?? '')
      const upstream = connect(Number(new URL(grafana.url).port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(client).pipe(upstream)
      })
    })
    const proxy = await listenOnLoopback(proxyServer)
    const saved = { ...process.env }
    Object.assign(process.env, { NODE_USE_ENV_PROXY: '1', HTTP_PROXY: proxy.url, NO_PROXY: '' })
    try {
      const http = createHttpService({
        service: 'grafana',
        baseUrl: 'http://grafana.example',
        ...fast,
      })
      expect((await http.request('GET', '/api/teams/7/members')).body).toEqual([
        { id: 'via proxy' },
      ])
    } finally {
      for (const key of ['NODE_USE_ENV_PROXY', 'HTTP_PROXY', 'NO_PROXY']) {
        if (saved[key] === undefined) delete process.env[key]
        else process.env[key] = saved[key]
      }
      await proxy.close()
    }
    expect(tunnels).toEqual(['grafana.example:80'])
    expect(grafana.seen.map((r) => r.url)).toEqual(['/api/teams/7/members'])
  })

  it('uses no proxy unless Node is told to use the environment proxy', () => {
    expect(envProxyWanted({ HTTPS_PROXY: 'http://proxy:3128' }, [])).toBe(false)
    expect(envProxyWanted({ NODE_USE_ENV_PROXY: '1' }, [])).toBe(true)
    expect(envProxyWanted({ NODE_OPTIONS: '--max-semi-space-size=8 --use-env-proxy' }, [])).toBe(
      true,
    )
    expect(envProxyWanted({}, ['--use-env-proxy'])).toBe(true)
  })

  it('refuses a header value that HTTP cannot carry without quoting it', () => {
    const create = () =>
      createHttpService({
        service: 'okta',
        baseUrl: 'https://acme.okta.com',
        headers: { Authorization: 'SSWS abc\ndef' },
      })
    expect(create).toThrow(/not allowed in HTTP headers/)
    const err = (() => {
      try {
        create()
      } catch (e) {
        return e as Error
      }
    })()
    expect(String(err?.stack)).not.toContain('abc')
  })
})

describe('http service: bounded failures', () => {
  it('retries a request that never answers once, then fails naming the endpoint and the object', async () => {
    const server = await serve(() => undefined)
    const lines: string[] = []
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      timeoutMs: 150,
      retryBaseMs: 1,
      onRetry: (line) => lines.push(line),
    })
    const started = Date.now()
    const err = (await http
      .request('GET', '/api/teams/7/members', { about: 'team Platform' })
      .catch((e: unknown) => e)) as HttpError
    const elapsed = Date.now() - started
    expect(err.message).toBe(
      'grafana GET /api/teams/:id/members (team Platform) failed: timed out after 150 ms, twice',
    )
    expect(err).toMatchObject({ status: 0, reason: 'no-answer', about: 'team Platform' })
    expect(lines).toEqual([
      'Grafana GET /api/teams/7/members: timed out after 150 ms, retrying once (team Platform)',
    ])
    expect(server.seen).toHaveLength(2)
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1_500)
    expect(http.stats()[0]).toMatchObject({ requests: 2, retries: 1 })
  })

  it('fails within one timeout plus one retry of it by default: about a minute', () => {
    expect(HTTP_DEFAULTS).toMatchObject({ timeoutMs: 30_000, timeoutRetries: 1, retries: 4 })
    const budget = hungRequestBudgetMs(HTTP_DEFAULTS)
    // 30 s, at most 250 ms of backoff, 30 s; five attempts would have been 150 s and more.
    expect(budget).toBe(60_250)
    expect(hungRequestBudgetMs({ ...HTTP_DEFAULTS, timeoutRetries: 0 })).toBe(30_000)
    expect(hungRequestBudgetMs({ ...HTTP_DEFAULTS, retries: 0 })).toBe(30_000)
  })

  it('still retries other failures up to the configured retries after a timeout', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) return // never answered
      if (n <= 3) json(res, 503, { message: 'busy' })
      else json(res, 200, { ok: true })
    })
    const lines: string[] = []
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      timeoutMs: 150,
      retryBaseMs: 1,
      onRetry: (line) => lines.push(line),
    })
    expect((await http.request('GET', '/api/org')).body).toEqual({ ok: true })
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^Grafana GET \/api\/org: answered 503 busy, retry 2 of 4 in \d+ ms$/)
  })

  it('stops the service once a request never answered: later requests are not sent', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/api/teams/7/members') return
      setTimeout(() => json(res, 200, []), 2_000)
    })
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      timeoutMs: 100,
      retryBaseMs: 1,
    })
    const hung = http.request('GET', '/api/teams/7/members', { about: 'team Platform' })
    // Started later, so the hung request is the first to use up its retry on a loaded machine too.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const slow = http.request('GET', '/api/teams/8/members', { about: 'team Data' })
    const [first, inFlight] = await Promise.all([
      hung.catch((e: unknown) => e),
      slow.catch((e: unknown) => e),
    ])
    const later = (await http.request('GET', '/api/org').catch((e: unknown) => e)) as HttpError
    expect(first).toMatchObject({ reason: 'no-answer', about: 'team Platform' })
    expect(inFlight).toMatchObject({ unsent: true, about: 'team Data' })
    expect(later.message).toBe(
      'grafana GET /api/org not sent: grafana GET /api/teams/:id/members (team Platform) did not answer earlier in this run',
    )
    expect(server.seen.map((s) => s.url)).not.toContain('/api/org')
  })

  it('turns a 401 into one credential-rejected error; the requests in flight and later are not sent', async () => {
    const server = await serve((_req, res, n) =>
      setTimeout(() => json(res, 401, { message: 'Invalid API key' }), n === 1 ? 0 : 300),
    )
    const lines: string[] = []
    const http = createHttpService({
      service: 'grafana',
      baseUrl: server.url,
      onRetry: (line) => lines.push(line),
      ...fast,
    })
    const errors = (await Promise.all(
      [1, 2, 3, 4].map((i) =>
        http.request('GET', `/api/teams/${i}/members`).catch((e: unknown) => e),
      ),
    )) as HttpError[]
    expect(errors.every(isCredentialRejected)).toBe(true)
    const answered = errors.filter((e) => !e.unsent)
    expect(answered).toHaveLength(1)
    expect(answered[0]).toMatchObject({ status: 401, serviceMessage: 'Invalid API key' })
    expect(firstAnswered(errors)).toBe(answered[0])
    const seen = server.seen.length
    const later = (await http.request('POST', '/api/teams').catch((e: unknown) => e)) as HttpError
    expect(later.message).toBe(
      'grafana POST /api/teams not sent: Grafana rejected the credential on GET /api/teams/:id/members earlier in this run',
    )
    expect(later).toMatchObject({ unsent: true, reason: 'credential-rejected' })
    expect(server.seen).toHaveLength(seen)
    expect(lines).toEqual([])
  })

  it('says plain HTTP answered on an https:// URL, without retrying', async () => {
    const server = await serve((_req, res) => json(res, 200, {}))
    const lines: string[] = []
    const http = createHttpService({
      service: 'okta',
      baseUrl: server.url.replace('http://', 'https://'),
      onRetry: (line) => lines.push(line),
      ...fast,
    })
    const err = (await http.request('GET', '/api/v1/groups').catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(
      'okta GET /api/v1/groups failed: answered plain HTTP on an https:// URL: use http:// or the TLS port',
    )
    expect(err.message).not.toMatch(/ssl3|openssl|wrong version/i)
    expect(lines).toEqual([])
  })
})

describe('endpointOf', () => {
  it('replaces numeric and Okta ids and org names', () => {
    expect(endpointOf('/api/teams/12/members/7')).toBe('/api/teams/:id/members/:id')
    expect(endpointOf('/api/v1/groups/00g1emaKYZTWRYYRRTSK/users')).toBe('/api/v1/groups/:id/users')
    expect(endpointOf('/api/orgs/name/Main%20Org.')).toBe('/api/orgs/name/:name')
    expect(endpointOf('/api/teams/search')).toBe('/api/teams/search')
  })
})
