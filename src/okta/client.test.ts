import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpError } from '../http/index.ts'
import { batchNames, createOktaClient, oktaOrigin } from './client.ts'
import { nextLink } from './link.ts'
import { listenOnLoopback } from '../../test/fakes/http.ts'

// A minimal Okta for the client's own tests: search by profile.name (or-chains, case-insensitive),
// cursor paging with one Link header line per relation, SSWS auth, Okta-shaped errors.

const TOKEN = '00QCjAl4MlV-WPXM-secret-token'

interface MiniOkta {
  url: string
  seen: { method: string; url: string; auth?: string }[]
  groups: { id: string; name: string; type: string }[]
  members: Map<string, { id: string; status: string; login: string; email: string }[]>
  nextOrigin?: string
  close(): Promise<void>
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

function send(res: ServerResponse, status: number, body: unknown, links: string[] = []) {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  if (links.length > 0) res.setHeader('Link', links)
  res.end(JSON.stringify(body))
}

function oktaError(res: ServerResponse, status: number, code: string, summary: string) {
  send(res, status, {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId: 'oae1',
    errorCauses: [],
  })
}

function page<T extends { id: string }>(items: T[], url: URL, defaultLimit: number) {
  const limit = Math.min(Number(url.searchParams.get('limit') ?? defaultLimit), 1000)
  const after = url.searchParams.get('after')
  const start = after ? items.findIndex((i) => i.id === after) + 1 : 0
  const slice = items.slice(start, start + limit)
  const more = start + limit < items.length
  return { slice, more, last: slice.at(-1)?.id }
}

async function startMiniOkta(): Promise<MiniOkta> {
  const mini: MiniOkta = {
    url: '',
    seen: [],
    groups: [],
    members: new Map(),
    close: () => Promise.resolve(),
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', mini.url)
    mini.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      auth: req.headers.authorization,
    })
    if (!req.headers.authorization) return oktaError(res, 403, 'E0000005', 'Invalid session')
    if (req.headers.authorization === 'SSWS no-rights') {
      return oktaError(
        res,
        403,
        'E0000006',
        'You do not have permission to perform the requested action',
      )
    }
    if (req.headers.authorization !== `SSWS ${TOKEN}`)
      return oktaError(res, 401, 'E0000011', 'Invalid token provided')
    const linkBase = mini.nextOrigin ?? mini.url
    const self = `<${mini.url}${url.pathname}${url.search}>; rel="self"`
    if (url.pathname === '/api/v1/groups') {
      const search = url.searchParams.get('search') ?? ''
      const wanted = [...search.matchAll(/profile\.name eq ("(?:[^"\\]|\\.)*")/g)].map((m) =>
        (JSON.parse(m[1] ?? '""') as string).toLowerCase(),
      )
      const hits = mini.groups.filter((g) => wanted.includes(g.name.toLowerCase()))
      const { slice, more, last } = page(hits, url, 200)
      const links = [self]
      if (more) {
        const next = new URL(`${linkBase}/api/v1/groups`)
        next.searchParams.set('search', search)
        next.searchParams.set('after', last ?? '')
        next.searchParams.set('limit', url.searchParams.get('limit') ?? '200')
        links.push(`<${next.href}>; rel="next"`)
      }
      return send(
        res,
        200,
        slice.map((g) => ({ id: g.id, type: g.type, profile: { name: g.name } })),
        links,
      )
    }
    const m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(url.pathname)
    if (m) {
      const list = mini.members.get(m[1] ?? '')
      if (!list)
        return oktaError(res, 404, 'E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`)
      const { slice, more, last } = page(list, url, 1000)
      const links = [self]
      if (more)
        links.push(
          `<${linkBase}${url.pathname}?after=${last}&limit=${url.searchParams.get('limit')}>; rel="next"`,
        )
      return send(
        res,
        200,
        slice.map((u) => ({
          id: u.id,
          status: u.status,
          profile: { login: u.login, email: u.email, firstName: 'A' },
        })),
        links,
      )
    }
    oktaError(res, 404, 'E0000022', 'Not found')
  })
  Object.assign(mini, await listenOnLoopback(server))
  closers.push(() => mini.close())
  return mini
}

function groupId(n: number) {
  return `00g${String(n).padStart(17, '0')}`
}
function userId(n: number) {
  return `00u${String(n).padStart(17, '0')}`
}

const client = (okta: MiniOkta, token = TOKEN) =>
  createOktaClient({ domain: okta.url, token, retries: 1, retryBaseMs: 1 })

describe('okta client', () => {
  it('reads a 2,500-member group in 3 pages of 1,000, keeping every status', async () => {
    const okta = await startMiniOkta()
    const statuses = ['ACTIVE', 'DEPROVISIONED', 'SUSPENDED', 'STAGED', 'PASSWORD_EXPIRED']
    okta.members.set(
      groupId(1),
      Array.from({ length: 2500 }, (_, i) => ({
        id: userId(i),
        status: statuses[i % statuses.length] ?? 'ACTIVE',
        login: `u${i}@acme.example`,
        email: `u${i}@acme.example`,
      })),
    )
    const members = await client(okta).listMembers(groupId(1))
    expect(members).toHaveLength(2500)
    expect(new Set(members.map((m) => m.id)).size).toBe(2500)
    expect(members[1]).toEqual({
      id: userId(1),
      login: 'u1@acme.example',
      email: 'u1@acme.example',
      status: 'DEPROVISIONED',
    })
    expect(okta.seen.map((s) => s.url)).toEqual([
      `/api/v1/groups/${groupId(1)}/users?limit=1000`,
      `/api/v1/groups/${groupId(1)}/users?after=${userId(999)}&limit=1000`,
      `/api/v1/groups/${groupId(1)}/users?after=${userId(1999)}&limit=1000`,
    ])
    expect(okta.seen.every((s) => s.auth === `SSWS ${TOKEN}`)).toBe(true)
  })

  it('keeps one object per person however many groups list them, and a changed person afresh', async () => {
    const okta = await startMiniOkta()
    const person = (n: number, status = 'ACTIVE') => ({
      id: userId(n),
      status,
      login: `u${n}@acme.example`,
      email: `u${n}@acme.example`,
    })
    okta.members.set(groupId(1), [person(1), person(2)])
    okta.members.set(groupId(2), [person(2), person(3)])
    okta.members.set(groupId(3), [person(2, 'SUSPENDED')])
    const reader = client(okta)
    const first = await reader.listMembers(groupId(1))
    const second = await reader.listMembers(groupId(2))
    const third = await reader.listMembers(groupId(3))
    expect(second[0]).toBe(first[1])
    expect(third[0]).not.toBe(first[1])
    expect(third[0]).toEqual(person(2, 'SUSPENDED'))
    expect(first[1]).toEqual(person(2))
  })

  it('never follows a next link to another origin and sends that origin nothing', async () => {
    const okta = await startMiniOkta()
    const elsewhere = await startMiniOkta()
    okta.nextOrigin = elsewhere.url
    okta.members.set(
      groupId(1),
      Array.from({ length: 1500 }, (_, i) => ({
        id: userId(i),
        status: 'ACTIVE',
        login: `u${i}`,
        email: `u${i}@x`,
      })),
    )
    const err = (await client(okta)
      .listMembers(groupId(1))
      .catch((e: unknown) => e)) as Error
    expect(err.message).toContain('next-page link on another host')
    expect(err.message).not.toContain(TOKEN)
    expect(okta.seen).toHaveLength(1)
    expect(elsewhere.seen).toHaveLength(0)
  })

  it('finds many names in one search request and keeps only exact, case-sensitive matches', async () => {
    const okta = await startMiniOkta()
    okta.groups.push(
      { id: groupId(1), name: 'Platform', type: 'OKTA_GROUP' },
      { id: groupId(2), name: 'platform', type: 'OKTA_GROUP' },
      { id: groupId(3), name: 'Dup', type: 'OKTA_GROUP' },
      { id: groupId(4), name: 'Dup', type: 'APP_GROUP' },
      { id: groupId(5), name: 'Quote "q" \\ back', type: 'OKTA_GROUP' },
    )
    for (let i = 10; i < 40; i++)
      okta.groups.push({ id: groupId(i), name: `Team ${i}`, type: 'OKTA_GROUP' })
    const refs = ['Platform', 'Dup', 'Missing', 'Quote "q" \\ back', `id:${groupId(99)}`]
    for (let i = 10; i < 40; i++) refs.push(`Team ${i}`)
    const found = await client(okta).findGroups(refs)
    expect(okta.seen).toHaveLength(1)
    expect(found.get('Platform')).toEqual({ id: groupId(1), name: 'Platform', type: 'OKTA_GROUP' })
    expect(found.get('Missing')).toBeUndefined()
    expect(found.has('Missing')).toBe(true)
    expect(found.get('Quote "q" \\ back')).toMatchObject({ id: groupId(5) })
    expect(found.get('Team 25')).toMatchObject({ id: groupId(25) })
    const dup = found.get('Dup')
    expect(dup).toBeInstanceOf(Error)
    expect((dup as Error).message).toContain(`${groupId(3)} (OKTA_GROUP)`)
    expect((dup as Error).message).toContain(`${groupId(4)} (APP_GROUP)`)
    expect(found.get(`id:${groupId(99)}`)).toMatchObject({ id: groupId(99) })
  })

  it('costs no request for id: references', async () => {
    const okta = await startMiniOkta()
    const found = await client(okta).findGroups([`id:${groupId(1)}`, `id:${groupId(2)}`])
    expect(okta.seen).toHaveLength(0)
    expect([...found.values()].map((g) => (g as { id: string }).id)).toEqual([
      groupId(1),
      groupId(2),
    ])
  })

  it('splits long name lists into searches with URLs under 3,000 characters', async () => {
    const okta = await startMiniOkta()
    const names = Array.from({ length: 200 }, (_, i) => `A rather long Okta group name number ${i}`)
    const batches = batchNames(okta.url, names)
    expect(batches.length).toBeGreaterThan(1)
    expect(batches.flat()).toEqual(names)
    await client(okta).findGroups(names)
    expect(okta.seen).toHaveLength(batches.length)
    for (const s of okta.seen) expect(okta.url.length + s.url.length).toBeLessThanOrEqual(3000)
  })

  it('says an unknown group id was not found', async () => {
    const okta = await startMiniOkta()
    const err = (await client(okta)
      .listMembers(groupId(7))
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.status).toBe(404)
    expect(err.message).toMatch(new RegExp(`^Okta group id:${groupId(7)} not found`))
    expect(okta.seen).toHaveLength(1)
  })

  it('explains a rejected token without revealing it, after one request', async () => {
    const okta = await startMiniOkta()
    okta.members.set(groupId(1), [])
    const bad = 'expired-token-value-123'
    const err = (await client(okta, bad)
      .listMembers(groupId(1))
      .catch((e: unknown) => e)) as HttpError
    expect(err.status).toBe(401)
    expect(err.message).toContain('okta-api-token (CLI: OKTA_API_TOKEN)')
    expect(err.message).toContain('30 days')
    expect(err).toMatchObject({ reason: 'credential-rejected', credential: 'okta-api-token' })
    expect(err.message).toContain('Invalid token provided')
    for (const text of [err.message, err.stack ?? '']) expect(text).not.toContain(bad)
    expect(okta.seen).toHaveLength(1)
  })

  it('explains a token whose admin may not read groups', async () => {
    const okta = await startMiniOkta()
    const found = await client(okta, 'no-rights').findGroups(['Platform'])
    const err = found.get('Platform') as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.message).toContain('Read-Only Administrator')
    expect(err.code).toBe('E0000006')
  })
})

describe('okta helpers', () => {
  it('accepts a host or a URL as domain', () => {
    expect(oktaOrigin('acme.okta.com')).toBe('https://acme.okta.com')
    expect(oktaOrigin('https://acme.okta.com/')).toBe('https://acme.okta.com')
    expect(oktaOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080')
    expect(oktaOrigin('http://localhost:8080/')).toBe('http://localhost:8080')
    expect(oktaOrigin('acme.okta.com:8443')).toBe('https://acme.okta.com:8443')
    expect(oktaOrigin('https://acme.okta.com/admin/dashboard')).toBe('https://acme.okta.com')
  })

  it('refuses plain http to another machine, which would send the API token in clear text', () => {
    expect(() => oktaOrigin('http://acme.okta.com')).toThrow(/okta-domain must use https:\/\//)
    expect(() => oktaOrigin('ftp://acme.okta.com')).toThrow(/must use https/)
    expect(() => oktaOrigin('acme okta')).toThrow(/not a host name or URL/)
  })

  it('never quotes the userinfo of a domain it rejects', () => {
    expect(() => oktaOrigin('admin:hunter22@acme okta.com')).toThrow(
      'okta-domain "***@acme okta.com" is not a host name or URL',
    )
  })

  it('calls the org host when given the Admin Console (-admin) host', () => {
    expect(oktaOrigin('acme-admin.okta.com')).toBe('https://acme.okta.com')
    expect(oktaOrigin('https://acme-admin.oktapreview.com/admin/dashboard')).toBe(
      'https://acme.oktapreview.com',
    )
    expect(oktaOrigin('sso-admin.acme.example')).toBe('https://sso-admin.acme.example')
  })

  it('finds rel=next unquoted, among several rels, after other parameters', () => {
    expect(nextLink('<https://a.okta.com/x?after=1>; rel=next')).toBe(
      'https://a.okta.com/x?after=1',
    )
    expect(nextLink('<https://a.okta.com/y>; title="page"; rel="last next"')).toBe(
      'https://a.okta.com/y',
    )
    expect(nextLink('<https://a.okta.com/z>; REL="NEXT"')).toBeUndefined()
  })

  it('finds rel="next" in joined Link headers, commas inside URLs included', () => {
    const header =
      '<https://a.okta.com/api/v1/groups?search=profile.name+eq+%22a,b%22&limit=2>; rel="self", ' +
      '<https://a.okta.com/api/v1/groups?after=00g1,x&limit=2>; rel="next"'
    expect(nextLink(header)).toBe('https://a.okta.com/api/v1/groups?after=00g1,x&limit=2')
    expect(nextLink('<https://a.okta.com/x>; rel="self"')).toBeUndefined()
    expect(nextLink(null)).toBeUndefined()
  })
})
