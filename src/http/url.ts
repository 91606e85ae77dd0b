// Where a request goes: the configured origin and path prefix, never another host.
import { endpointOf } from './endpoint.ts'
import { HttpError, type ServiceName } from './errors.ts'

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[]

export interface BaseUrl {
  origin: string
  prefix: string
}

export function parseBaseUrl(service: ServiceName, baseUrl: string): BaseUrl {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new Error(`${service}: base URL is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${service}: base URL must start with https:// or http://`)
  }
  if (url.username || url.password) {
    throw new Error(
      `${service}: base URL must not contain credentials; pass them as their own inputs`,
    )
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

/** A path below the base, or an absolute URL on the base's own origin (a next-page link). */
export function resolveUrl(
  service: ServiceName,
  base: BaseUrl,
  method: string,
  pathOrUrl: string,
  query: Record<string, QueryValue> | undefined,
  scrub: (text: string) => string,
): URL {
  let url: URL
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
    url = new URL(pathOrUrl)
    if (url.origin !== base.origin || url.username || url.password) {
      throw new HttpError({
        service,
        method,
        endpoint: endpointOf(url.pathname),
        status: 0,
        serviceMessage: `refused to send a request to ${scrub(url.origin)}: credentials are only sent to ${base.origin}`,
      })
    }
  } else {
    const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`
    url = new URL(base.prefix + path, base.origin)
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v))
    else url.searchParams.set(key, String(value))
  }
  return url
}

/** The path without the base prefix, as the service's API documents it. */
export function apiPath(base: BaseUrl, url: URL): string {
  return url.pathname.startsWith(base.prefix + '/')
    ? url.pathname.slice(base.prefix.length)
    : url.pathname
}

export function checkedHeaders(service: ServiceName, headers: Record<string, string>): Headers {
  try {
    return new Headers(headers)
  } catch {
    // The runtime's message quotes the offending value, which may be a token: never pass it on.
    throw new Error(
      `${service}: a configured credential or header contains characters not allowed in HTTP headers (a line break or a non-ASCII character?)`,
    )
  }
}
