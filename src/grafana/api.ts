// The calls every endpoint is made of: one request with the org context, a JSON read, a write whose
// "already done" answer is not an error, a complete paged listing, and who the credentials are.
import {
  HttpError,
  endpointOf,
  type HttpResponse,
  type HttpService,
  type RequestOptions,
} from '../http/index.ts'
import type { Caller } from '../model.ts'
import { PAGE, type WireOrg, type WireSignedInUser } from './wire.ts'

type CallOptions = RequestOptions & { orgId?: number }

const isOrgScoped = (path: string) => /^\/api\/(teams|org)(\/|$|\?)/.test(path)

export class GrafanaApi {
  readonly auth: 'token' | 'basic'
  readonly #http: HttpService
  /** Maps a failure to one that says which setting to fix. */
  readonly #explain: (err: unknown) => unknown
  #whoami: Promise<Caller> | undefined
  #tokenOrg: Promise<WireOrg> | undefined

  constructor(http: HttpService, auth: 'token' | 'basic', explain: (err: unknown) => unknown) {
    this.#http = http
    this.auth = auth
    this.#explain = explain
  }

  /** One call; org-scoped routes get the org context; failures explain which input to fix. */
  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<HttpResponse<T>> {
    const { orgId, ...req } = opts
    if (orgId !== undefined) {
      if (this.auth === 'token') await this.#assertTokenOrg(orgId)
      else if (isOrgScoped(path))
        req.headers = { ...req.headers, 'X-Grafana-Org-Id': String(orgId) }
    }
    try {
      return await this.#http.request<T>(method, path, req)
    } catch (err) {
      throw this.#explain(err)
    }
  }

  /** A GET whose answer must be a JSON object or array. */
  async get<T>(path: string, opts: CallOptions = {}): Promise<T> {
    const res = await this.call<T>('GET', path, opts)
    if (typeof res.body !== 'object' || res.body === null) throw this.notJson(path, res)
    return res.body
  }

  /** A web page or an empty answer where JSON belongs: the URL leads somewhere other than Grafana's API. */
  notJson(path: string, res: HttpResponse<unknown>): HttpError {
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type'
    const what = res.body === undefined ? 'an empty body' : `a non-JSON body (${type})`
    return new HttpError({
      service: 'grafana',
      method: 'GET',
      endpoint: endpointOf(path),
      status: res.status,
      serviceMessage:
        `answered with ${what} instead of JSON: the Grafana URL must be the address Grafana is served at, ` +
        'including any sub-path (e.g. https://example.com/grafana), and not a login page in front of it',
    })
  }

  /** Maps an "already done" answer to 'already-done'; any other non-2xx becomes an HttpError. */
  async write(
    method: string,
    path: string,
    opts: CallOptions & { alreadyDone: { status: number; message?: RegExp } },
  ): Promise<'done' | 'already-done'> {
    const { alreadyDone, ...req } = opts
    const res = await this.call<{ message?: string } | undefined>(method, path, {
      ...req,
      okStatuses: [alreadyDone.status],
    })
    if (res.status >= 200 && res.status < 300) return 'done'
    const message = typeof res.body?.message === 'string' ? res.body.message : ''
    if (!alreadyDone.message || alreadyDone.message.test(message)) return 'already-done'
    throw this.#explain(
      new HttpError({
        service: 'grafana',
        method,
        endpoint: endpointOf(path.split('?')[0] ?? path),
        status: res.status,
        serviceMessage: this.#http.scrub(message || 'no message'),
      }),
    )
  }

  /** A create answered success without the new id, and the object cannot be found either. */
  missingId(method: string, path: string, what: string): HttpError {
    return new HttpError({
      service: 'grafana',
      method,
      endpoint: endpointOf(path),
      status: 200,
      serviceMessage: `answered success without an id, and ${what} was not found afterwards`,
    })
  }

  /** The org a service-account token belongs to, read once. */
  tokenOrg(): Promise<WireOrg> {
    this.#tokenOrg ??= this.get<WireOrg>('/api/org')
    return this.#tokenOrg
  }

  async #assertTokenOrg(orgId: number): Promise<void> {
    const own = await this.tokenOrg()
    if (own.id !== orgId) {
      throw new Error(
        `the service-account token belongs to org ${own.id} ("${own.name}") and cannot act in org ${orgId}; ` +
          'use the basic auth of a Grafana server admin to manage several orgs',
      )
    }
  }

  /**
   * Every item of a 1-based search listing. Pages are sized by what the server actually returned (a
   * proxy or another Grafana build may cap `perpage`); once `totalCount` is known the remaining pages
   * are read at once. A listing that cannot be read completely is an error, never a silent partial read.
   */
  async paged<T extends { id: number }>(
    path: string,
    key: string,
    orgId?: number,
    about?: string,
  ): Promise<T[]> {
    type Envelope = { totalCount?: unknown } & Record<string, unknown>
    const pageOf = async (page: number) => {
      const query = { perpage: PAGE, page }
      const body = await this.get<Envelope>(path, { query, orgId, about })
      const items = body[key]
      const total = typeof body.totalCount === 'number' ? body.totalCount : undefined
      return { total, items: Array.isArray(items) ? (items as T[]) : [] }
    }
    const byId = new Map<number, T>()
    const add = (items: T[]) => {
      const before = byId.size
      for (const item of items) if (!byId.has(item.id)) byId.set(item.id, item)
      return byId.size - before
    }
    const first = await pageOf(1)
    add(first.items)
    const size = first.items.length
    const total = first.total
    if (size === 0 || (total !== undefined && byId.size >= total)) return [...byId.values()]
    let next = 2
    if (total !== undefined) {
      const pages = Math.ceil(total / size)
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, pages - 1) }, (_, i) => pageOf(i + 2)),
      )
      for (const page of rest) add(page.items)
      next = pages + 1
    }
    // No total, or items moved between pages while they were read: go on until nothing new arrives.
    while (total === undefined || byId.size < total) {
      const page = await pageOf(next++)
      if (add(page.items) === 0) break
    }
    if (total !== undefined && byId.size < total) {
      throw new HttpError({
        service: 'grafana',
        method: 'GET',
        endpoint: endpointOf(path),
        status: 200,
        serviceMessage: `reported ${total} items but only ${byId.size} could be read page by page; run again`,
      })
    }
    return [...byId.values()]
  }

  whoami(): Promise<Caller> {
    this.#whoami ??= this.#readCaller()
    return this.#whoami
  }

  async #readCaller(): Promise<Caller> {
    if (this.auth === 'token') {
      const org = await this.tokenOrg()
      return { auth: 'token', isServerAdmin: false, orgId: org.id }
    }
    const user = await this.get<WireSignedInUser>('/api/user')
    return {
      auth: 'basic',
      userId: user.id,
      login: user.login,
      email: user.email,
      isServerAdmin: user.isGrafanaAdmin === true,
      orgId: user.orgId,
    }
  }

  stats() {
    return this.#http.stats()
  }
}
