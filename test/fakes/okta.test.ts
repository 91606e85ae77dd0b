/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- the tests inspect JSON answers loosely */
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOkta, type FakeOkta, type FakeOktaOptions, type OktaUserStatus } from './okta.ts'

const running: FakeOkta[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((o) => o.close()))
})

async function fake(opts?: FakeOktaOptions): Promise<FakeOkta> {
  const o = await startFakeOkta(opts)
  running.push(o)
  return o
}

async function get(o: FakeOkta, pathOrUrl: string, auth: string | null = `SSWS ${o.token}`) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${o.url}${pathOrUrl}`
  const res = await fetch(url, { headers: auth === null ? {} : { authorization: auth } })
  const text = await res.text()
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, headers: res.headers, body, text }
}

/** Raw `Link` header lines (fetch would join them). */
function rawLinkLines(o: FakeOkta, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${o.url}${path}`,
      { headers: { authorization: `SSWS ${o.token}` } },
      (res) => {
        res.resume()
        const lines: string[] = []
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]!.toLowerCase() === 'link') lines.push(res.rawHeaders[i + 1]!)
        }
        res.on('end', () => resolve(lines))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function nextLink(headers: Headers): string | undefined {
  const joined = headers.get('link') ?? ''
  return joined
    .split(/,\s*(?=<)/)
    .map((part) => /^<([^>]+)>;\s*rel="next"$/.exec(part.trim())?.[1])
    .find((u) => u !== undefined)
}

const search = (o: FakeOkta, expr: string) =>
  get(o, `/api/v1/groups?search=${encodeURIComponent(expr)}`)
const names = (body: any[]) => body.map((g) => g.profile.name).sort()

const OKTA_ERROR = {
  errorCode: expect.any(String),
  errorSummary: expect.any(String),
  errorLink: expect.any(String),
  errorId: expect.stringMatching(/^oae/),
  errorCauses: expect.any(Array),
}

describe('fake Okta authentication and errors', () => {
  it('answers a missing Authorization header with 403 E0000005 Invalid session', async () => {
    const o = await fake()
    const res = await get(o, '/api/v1/groups', null)
    expect(res.status).toBe(403)
    expect(res.body).toEqual({
      ...OKTA_ERROR,
      errorCode: 'E0000005',
      errorSummary: 'Invalid session',
      errorLink: 'E0000005',
      errorCauses: [],
    })
  })

  it('answers an unknown SSWS token with 401 E0000011', async () => {
    const o = await fake({ token: 'right' })
    const res = await get(o, '/api/v1/groups', 'SSWS wrong')
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
      errorCauses: [],
    })
    expect((await get(o, '/api/v1/groups', 'SSWS right')).status).toBe(200)
  })

  it('answers a token whose admin may not read groups with 403 E0000006', async () => {
    const o = await fake({ tokensWithoutGroupAccess: ['helpdesk-token'] })
    const res = await get(o, '/api/v1/groups', 'SSWS helpdesk-token')
    expect(res.status).toBe(403)
    expect(res.body).toMatchObject({
      errorCode: 'E0000006',
      errorSummary: 'You do not have permission to perform the requested action',
      errorLink: 'E0000006',
      errorCauses: [],
    })
  })

  it('answers other methods with 405 E0000022', async () => {
    const o = await fake()
    const res = await fetch(`${o.url}/api/v1/groups`, {
      method: 'POST',
      headers: { authorization: `SSWS ${o.token}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(405)
    expect(await res.json()).toMatchObject({
      errorCode: 'E0000022',
      errorSummary: 'The endpoint does not support the provided HTTP method',
    })
  })

  it('answers an unknown group with 404 E0000007 naming the id, on both group routes', async () => {
    const o = await fake()
    for (const path of ['/api/v1/groups/00gnope', '/api/v1/groups/00gnope/users']) {
      const res = await get(o, path)
      expect(res.status).toBe(404)
      expect(res.body).toEqual({
        ...OKTA_ERROR,
        errorCode: 'E0000007',
        errorSummary: 'Not found: Resource not found: 00gnope (UserGroup)',
        errorLink: 'E0000007',
        errorCauses: [],
      })
    }
  })

  it('sends rate-limit headers in epoch seconds, a request id and a Date on every answer', async () => {
    const o = await fake({ rateLimit: 50 })
    const first = await get(o, '/api/v1/groups')
    const second = await get(o, '/api/v1/groups')
    const denied = await get(o, '/api/v1/groups', null)
    for (const res of [first, second, denied]) {
      expect(res.headers.get('x-rate-limit-limit')).toBe('50')
      expect(res.headers.get('x-okta-request-id')).toMatch(/^\w{10,}$/)
      expect(res.headers.get('date')).not.toBeNull()
      expect(res.headers.get('content-type')).toBe('application/json')
    }
    expect(first.headers.get('x-rate-limit-remaining')).toBe('49')
    expect(second.headers.get('x-rate-limit-remaining')).toBe('48')
    const reset = Number(first.headers.get('x-rate-limit-reset'))
    const nowSeconds = Date.parse(first.headers.get('date')!) / 1000
    expect(reset).toBeGreaterThan(nowSeconds)
    expect(reset).toBeLessThanOrEqual(nowSeconds + 61)
  })

  it('answers 429 E0000047 once a bucket is used up when enforcing limits', async () => {
    const o = await fake({ rateLimit: 2, enforceRateLimit: true })
    const g = o.addGroup({ name: 'G' })
    expect((await get(o, '/api/v1/groups')).status).toBe(200)
    expect((await get(o, `/api/v1/groups/${g}/users`)).status).toBe(200)
    const limited = await get(o, '/api/v1/groups')
    expect(limited.status).toBe(429)
    expect(limited.body.errorCode).toBe('E0000047')
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0')
    // /api/v1/groups/{id} is a bucket of its own.
    expect((await get(o, `/api/v1/groups/${g}`)).status).toBe(200)
  })
})

describe('fake Okta group search', () => {
  async function seeded() {
    const o = await fake()
    o.addGroup({ name: 'Grafana Admins' })
    o.addGroup({ name: 'grafana admins', type: 'APP_GROUP' })
    o.addGroup({ name: 'Grafana Editors' })
    o.addGroup({ name: 'Platform "Core" \\ Team' })
    o.addGroup({ name: 'Everyone', type: 'BUILT_IN' })
    return o
  }

  it('matches profile.name eq case-insensitively, returning every duplicate', async () => {
    const o = await seeded()
    const res = await search(o, 'profile.name eq "GRAFANA ADMINS"')
    expect(res.status).toBe(200)
    expect(names(res.body)).toEqual(['Grafana Admins', 'grafana admins'])
  })

  it('supports sw, co, type eq, id eq, and/or with and without parentheses', async () => {
    const o = await seeded()
    const editors = (await search(o, 'profile.name eq "Grafana Editors"')).body[0].id as string
    expect(names((await search(o, 'profile.name sw "grafana"')).body)).toHaveLength(3)
    expect(names((await search(o, 'profile.name co "EDIT"')).body)).toEqual(['Grafana Editors'])
    expect(names((await search(o, 'type eq "BUILT_IN"')).body)).toEqual(['Everyone'])
    expect(names((await search(o, `id eq "${editors}"`)).body)).toEqual(['Grafana Editors'])
    expect(
      names((await search(o, 'profile.name eq "grafana admins" and type eq "OKTA_GROUP"')).body),
    ).toEqual(['Grafana Admins'])
    expect(
      names(
        (
          await search(
            o,
            '(profile.name eq "Everyone" or profile.name eq "Grafana Editors") and type eq "OKTA_GROUP"',
          )
        ).body,
      ),
    ).toEqual(['Grafana Editors'])
    expect(
      names(
        (await search(o, 'profile.name eq "Everyone" OR profile.name eq "Grafana Editors"')).body,
      ),
    ).toEqual(['Everyone', 'Grafana Editors'])
  })

  it('reads JSON string literals with escapes', async () => {
    const o = await seeded()
    const res = await search(o, `profile.name eq ${JSON.stringify('Platform "Core" \\ Team')}`)
    expect(names(res.body)).toEqual(['Platform "Core" \\ Team'])
  })

  it('accepts + and %20 for spaces in the query string', async () => {
    const o = await seeded()
    const plus = await get(o, '/api/v1/groups?search=profile.name+eq+%22Everyone%22')
    const pct = await get(o, '/api/v1/groups?search=profile.name%20eq%20%22Everyone%22')
    const params = await get(
      o,
      `/api/v1/groups?${new URLSearchParams({ search: 'profile.name eq "Everyone"' }).toString()}`,
    )
    for (const res of [plus, pct, params]) expect(names(res.body)).toEqual(['Everyone'])
  })

  it('answers malformed expressions with 400 E0000031 and the syntax cause', async () => {
    const o = await seeded()
    for (const expr of [
      'profile.name eq',
      'profile.name eq "unterminated',
      'profile.name equals "x"',
      '(profile.name eq "x"',
      'profile.name eq "x" and',
      'profile.name eq "bad \\q escape"',
    ]) {
      const res = await search(o, expr)
      expect(res.status).toBe(400)
      expect(res.body).toEqual({
        ...OKTA_ERROR,
        errorCode: 'E0000031',
        errorSummary: 'Invalid search criteria.',
        errorLink: 'E0000031',
        errorCauses: [{ errorSummary: 'Invalid search syntax.' }],
      })
    }
    const unsupported = await search(o, 'type co "GROUP"')
    expect(unsupported.status).toBe(400)
    expect(unsupported.body).toMatchObject({ errorCode: 'E0000031', errorCauses: [] })
  })

  it('limits filter to id, type and dates', async () => {
    const o = await seeded()
    const byType = await get(
      o,
      `/api/v1/groups?filter=${encodeURIComponent('type eq "APP_GROUP"')}`,
    )
    expect(names(byType.body)).toEqual(['grafana admins'])
    const byName = await get(
      o,
      `/api/v1/groups?filter=${encodeURIComponent('profile.name eq "Everyone"')}`,
    )
    expect(byName.status).toBe(400)
    expect(byName.body.errorCode).toBe('E0000031')
  })

  it('serves q as a capped starts-with lookup, exact match first, without a next link', async () => {
    const o = await fake({ qCap: 3 })
    for (const name of ['Eng Tools', 'Eng', 'Engineering', 'Eng Ops', 'Sales']) o.addGroup({ name })
    const res = await get(o, '/api/v1/groups?q=eng')
    expect(res.body.map((g: any) => g.profile.name)[0]).toBe('Eng')
    expect(res.body).toHaveLength(3)
    expect(nextLink(res.headers)).toBeUndefined()
    expect(res.headers.get('link')).toContain('rel="self"')
  })

  it('does not find a group by search until the lag has passed, but finds it by id', async () => {
    const o = await fake({ searchLagMs: 60_000 })
    const id = o.addGroup({ name: 'Fresh' })
    expect((await search(o, 'profile.name eq "Fresh"')).body).toEqual([])
    expect((await get(o, `/api/v1/groups/${id}`)).body.profile.name).toBe('Fresh')
  })

  it('shapes groups as Okta does', async () => {
    const o = await fake()
    const id = o.addGroup({ name: 'Imported', type: 'APP_GROUP', description: 'From AD' })
    const res = await get(o, `/api/v1/groups/${id}`)
    expect(res.body).toEqual({
      id,
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      lastUpdated: expect.any(String),
      lastMembershipUpdated: expect.any(String),
      objectClass: ['okta:windows_security_principal'],
      type: 'APP_GROUP',
      profile: { name: 'Imported', description: 'From AD' },
      source: { id: expect.stringMatching(/^0oa/) },
      _links: expect.objectContaining({ users: { href: `${o.url}/api/v1/groups/${id}/users` } }),
    })
    expect(id).toMatch(/^00g\w{17}$/)
  })
})

describe('fake Okta paging', () => {
  it('pages groups with limit and after, with self always and next while more remain', async () => {
    const o = await fake()
    const ids = Array.from({ length: 5 }, (_, i) => o.addGroup({ name: `g${i}` })).sort()
    let url: string | undefined = `${o.url}/api/v1/groups?limit=2`
    const seen: string[] = []
    let pages = 0
    while (url) {
      const res = await get(o, url)
      seen.push(...res.body.map((g: any) => g.id))
      expect(res.headers.get('link')).toContain('rel="self"')
      url = nextLink(res.headers)
      pages++
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(ids)
  })

  it('defaults the group page size to 200', async () => {
    const o = await fake()
    for (let i = 0; i < 250; i++) o.addGroup({ name: `g${i}` })
    const res = await get(o, '/api/v1/groups')
    expect(res.body).toHaveLength(200)
    expect(nextLink(res.headers)).toBeDefined()
  })

  it('pages a 2,500-member group in 1,000s ordered by id, through next links on separate header lines', async () => {
    const o = await fake()
    const group = o.addGroup({ name: 'Everyone' })
    const userIds: string[] = []
    for (let i = 0; i < 2500; i++) {
      const id = o.addUser({ login: `user${i}@acme.example` })
      o.addMember(group, id)
      userIds.push(id)
    }
    const lines = await rawLinkLines(o, `/api/v1/groups/${group}/users`)
    expect(lines).toEqual([
      `<${o.url}/api/v1/groups/${group}/users>; rel="self"`,
      expect.stringMatching(
        new RegExp(`^<${o.url}/api/v1/groups/${group}/users\\?after=00u\\w{17}>; rel="next"$`),
      ),
    ])
    let url: string | undefined = `${o.url}/api/v1/groups/${group}/users`
    const sizes: number[] = []
    const seen: string[] = []
    const cursors: [string | null, string | undefined][] = []
    while (url) {
      const res = await get(o, url)
      sizes.push(res.body.length)
      seen.push(...res.body.map((u: any) => u.id))
      url = nextLink(res.headers)
      if (url) cursors.push([new URL(url).searchParams.get('after'), seen.at(-1)])
    }
    expect(sizes).toEqual([1000, 1000, 500])
    expect(seen).toEqual([...userIds].sort())
    expect(cursors).toHaveLength(2)
    for (const [after, lastId] of cursors) expect(after).toBe(lastId)
  })

  it('clamps the member page size to 1000 and keeps the given limit in next links', async () => {
    const o = await fake()
    const group = o.addGroup({ name: 'G' })
    for (let i = 0; i < 1200; i++) o.addMember(group, o.addUser({ login: `u${i}@x.example` }))
    const big = await get(o, `/api/v1/groups/${group}/users?limit=5000`)
    expect(big.body).toHaveLength(1000)
    const small = await get(o, `/api/v1/groups/${group}/users?limit=200`)
    expect(small.body).toHaveLength(200)
    const next = new URL(nextLink(small.headers)!)
    expect([...next.searchParams.keys()]).toEqual(['after', 'limit'])
    expect(next.searchParams.get('limit')).toBe('200')
  })

  it('returns members of every status, shaped as Okta users', async () => {
    const o = await fake()
    const group = o.addGroup({ name: 'G' })
    const statuses: OktaUserStatus[] = [
      'ACTIVE',
      'STAGED',
      'PROVISIONED',
      'RECOVERY',
      'PASSWORD_EXPIRED',
      'LOCKED_OUT',
      'SUSPENDED',
      'DEPROVISIONED',
    ]
    for (const status of statuses) {
      o.addMember(
        group,
        o.addUser({ login: `${status.toLowerCase()}@acme.example`, status, firstName: 'F' }),
      )
    }
    const res = await get(o, `/api/v1/groups/${group}/users`)
    expect(res.body.map((u: any) => u.status).sort()).toEqual([...statuses].sort())
    const user = res.body[0]
    expect(user.profile).toMatchObject({
      login: expect.stringContaining('@acme.example'),
      email: expect.stringContaining('@acme.example'),
      firstName: 'F',
    })
    expect('displayName' in user.profile).toBe(false)
    expect(user._links).toEqual({ self: { href: `${o.url}/api/v1/users/${user.id}` } })
  })

  it('pages members as they are after members change, join and leave a listed group', async () => {
    const o = await fake()
    const group = o.addGroup({ name: 'G' })
    const [a, b, c] = ['a', 'b', 'c'].map((name) => o.addUser({ id: `00u${name}`, login: name }))
    for (const id of [a!, b!, c!]) o.addMember(group, id)
    const page = async (query: string) =>
      (await get(o, `/api/v1/groups/${group}/users${query}`)).body.map(
        (u: any) => `${u.id}:${u.status}`,
      )
    o.serialiseListings()
    expect(await page('?limit=2')).toEqual(['00ua:ACTIVE', '00ub:ACTIVE'])

    o.setUserStatus(b!, 'SUSPENDED')
    o.removeMember(group, a!)
    o.addMember(group, o.addUser({ id: '00ud', login: 'd' }))
    expect(await page('?limit=2')).toEqual(['00ub:SUSPENDED', '00uc:ACTIVE'])
    expect(await page('?limit=2&after=00uc')).toEqual(['00ud:ACTIVE'])
    expect(await page('?after=00ud')).toEqual([])
  })

  it('builds links on nextLinkOrigin when set', async () => {
    const o = await fake({ nextLinkOrigin: 'https://acme.okta.example' })
    const group = o.addGroup({ name: 'G' })
    for (let i = 0; i < 3; i++) o.addMember(group, o.addUser({ login: `u${i}@x.example` }))
    const res = await get(o, `/api/v1/groups/${group}/users?limit=1`)
    expect(nextLink(res.headers)).toMatch(
      new RegExp(
        `^https://acme\\.okta\\.example/api/v1/groups/${group}/users\\?after=00u\\w{17}&limit=1$`,
      ),
    )
  })
})

describe('fake Okta faults', () => {
  it('answers a 429 fault with E0000047, Remaining 0 and Reset = now + N', async () => {
    const o = await fake()
    o.faults.inject({ path: '/api/v1/groups', rateLimitResetSeconds: 30, times: 1 })
    const res = await get(o, '/api/v1/groups')
    expect(res.status).toBe(429)
    expect(res.body).toMatchObject({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
    })
    expect(res.headers.get('x-rate-limit-limit')).toBe('600')
    expect(res.headers.get('x-rate-limit-remaining')).toBe('0')
    const dateSeconds = Date.parse(res.headers.get('date')!) / 1000
    expect(Number(res.headers.get('x-rate-limit-reset')) - dateSeconds).toBeGreaterThanOrEqual(29)
    expect(Number(res.headers.get('x-rate-limit-reset')) - dateSeconds).toBeLessThanOrEqual(31)
    expect((await get(o, '/api/v1/groups')).status).toBe(200)
  })

  it('signals a concurrency 429 with X-Rate-Limit-Limit 0', async () => {
    const o = await fake()
    o.faults.inject({ status: 429, concurrency: true, times: 1 })
    const res = await get(o, '/api/v1/groups')
    expect(res.headers.get('x-rate-limit-limit')).toBe('0')
    expect(res.headers.get('x-rate-limit-remaining')).toBe('0')
  })

  it('answers 500 E0000009, 503 E0000010 and a non-JSON 502', async () => {
    const o = await fake()
    o.faults.inject({ status: 500, times: 1 })
    o.faults.inject({ status: 503, times: 1 })
    o.faults.inject({ status: 502, times: 1 })
    const [a, b, c] = [
      await get(o, '/api/v1/groups'),
      await get(o, '/api/v1/groups'),
      await get(o, '/api/v1/groups'),
    ]
    expect(a.body).toMatchObject({ errorCode: 'E0000009', errorSummary: 'Internal Server Error' })
    expect(b.body).toMatchObject({
      errorCode: 'E0000010',
      errorSummary: 'Service is in read only mode',
    })
    expect(c.status).toBe(502)
    expect(c.headers.get('content-type')).toContain('text/html')
    expect(() => JSON.parse(c.text) as unknown).toThrow()
  })

  it('answers 500 when a page is bigger than the timeout threshold', async () => {
    const o = await fake({ timeoutAboveLimit: 200 })
    const g = o.addGroup({ name: 'G' })
    expect((await get(o, `/api/v1/groups/${g}/users`)).body.errorCode).toBe('E0000009')
    expect((await get(o, `/api/v1/groups/${g}/users?limit=200`)).status).toBe(200)
  })

  it('faults every Nth matching request, drops connections and records everything', async () => {
    const o = await fake()
    const g = o.addGroup({ name: 'G' })
    o.faults.inject({ path: new RegExp(`^/api/v1/groups/${g}/users$`), status: 503, every: 2 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await get(o, `/api/v1/groups/${g}/users`)).status)
    expect((await get(o, `/api/v1/groups/${g}`)).status).toBe(200)
    expect(statuses).toEqual([200, 503, 200, 503])
    o.faults.clear()
    o.faults.inject({ drop: true, times: 1 })
    await expect(get(o, '/api/v1/groups')).rejects.toThrow()
    expect(o.requests.map((r) => r.status)).toEqual([200, 503, 200, 503, 200, 0])
    expect(o.requests[0]!.headers.authorization).toBe(`SSWS ${o.token}`)
  })
})

describe('fake Okta variants', () => {
  it('writes Link relations on separate lines, joined on one line, or with rel unquoted', async () => {
    const path = (o: FakeOkta) => {
      const group = o.addGroup({ name: 'G' })
      for (let i = 0; i < 3; i++) o.addMember(group, o.addUser({ login: `u${i}@acme.example` }))
      return `/api/v1/groups/${group}/users?limit=2`
    }
    const lines = await fake()
    expect(await rawLinkLines(lines, path(lines))).toEqual([
      expect.stringMatching(
        /^<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/groups\/00g\w+\/users\?limit=2>; rel="self"$/,
      ),
      expect.stringMatching(/\?after=00u\w+&limit=2>; rel="next"$/),
    ])
    const joined = await fake({ linkStyle: 'joined' })
    const one = await rawLinkLines(joined, path(joined))
    expect(one).toHaveLength(1)
    expect(one[0]).toMatch(/; rel="self", <[^>]+>; rel="next"$/)
    const unquoted = await fake({ linkStyle: 'unquoted' })
    const bare = await rawLinkLines(unquoted, path(unquoted))
    expect(bare.map((l) => l.replace(/^<[^>]+>/, ''))).toEqual(['; rel=self', '; rel=next'])
  })

  it('sends a profile attribute as null when asked', async () => {
    const o = await fake()
    const group = o.addGroup({ name: 'G' })
    o.addMember(group, o.addUser({ login: 'svc-robot', email: null }))
    const res = await get(o, `/api/v1/groups/${group}/users`)
    expect(res.body[0].profile).toMatchObject({ login: 'svc-robot', email: null })
  })

  it('adds, replaces and removes headers of a fault, and answers a redirect fault without a body', async () => {
    const o = await fake()
    o.faults.inject({
      status: 429,
      times: 1,
      headers: { 'x-rate-limit-reset': null, 'Retry-After': '7' },
    })
    const limited = await get(o, '/api/v1/groups')
    expect(limited.status).toBe(429)
    expect(limited.body.errorCode).toBe('E0000047')
    expect(limited.headers.get('x-rate-limit-reset')).toBeNull()
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0')
    expect(limited.headers.get('retry-after')).toBe('7')
    o.faults.inject({ status: 302, times: 1, headers: { location: 'https://elsewhere.example/' } })
    const res = await fetch(`${o.url}/api/v1/groups`, {
      headers: { authorization: `SSWS ${o.token}` },
      redirect: 'manual',
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('https://elsewhere.example/')
    expect(await res.text()).toBe('')
  })
})
