// Endpoint names group requests for counting and for error messages: ids never make a new endpoint.

const NUMERIC = /^\d+$/
/** Okta object ids: `00g…` groups, `00u…` users, and other 20-character opaque ids. */
const OKTA_ID = /^(00[a-zA-Z0-9]{5,}|0oa[a-zA-Z0-9]{5,})$/

/** The path with ids replaced by `:id` (and org names by `:name`). */
export function endpointOf(pathname: string): string {
  const segments = pathname.split('/')
  const normalised = segments.map((segment, i) => {
    if (NUMERIC.test(segment) || OKTA_ID.test(segment)) return ':id'
    if (i > 0 && segments[i - 1] === 'name' && segment !== '') return ':name'
    return segment
  })
  return normalised.join('/') || '/'
}
