// Request binding as Grafana does it: `web.Bind` over a per-route schema, and role parsing.
import type { FakeRequest } from '../http.ts'
import { ROLES } from './store.ts'
import type { OrgRole } from './types.ts'

type FieldType = 'string' | 'int' | 'bool' | 'strings' | 'object'
export type Schema = Record<string, { type: FieldType; required?: boolean }>
export type Bound = Record<string, unknown>

function isJsonContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

function typeMatches(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'int':
      return Number.isInteger(value)
    case 'bool':
      return typeof value === 'boolean'
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null)
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
  }
}

export function isZero(value: unknown): boolean {
  return (
    value === undefined ||
    value === '' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  )
}

/**
 * Grafana's `web.Bind`: `Content-Type: application/json` required, Go `encoding/json` semantics
 * (field names case-insensitive, unknown fields ignored, null leaves the zero value, empty body
 * accepted, wrong types rejected), then `binding:"Required"` fields must be non-zero.
 */
export function bindJson(req: FakeRequest, schema: Schema): Bound | undefined {
  if (!isJsonContentType(req.headers['content-type'])) return undefined
  let raw: unknown = {}
  if (req.rawBody.trim() !== '') {
    try {
      raw = JSON.parse(req.rawBody)
    } catch {
      return undefined
    }
  }
  if (raw === null) raw = {}
  if (typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const fields = new Map(Object.keys(schema).map((k) => [k.toLowerCase(), k]))
  const out: Bound = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = fields.get(key.toLowerCase())
    if (field === undefined || value === null) continue
    if (!typeMatches(schema[field]!.type, value)) return undefined
    out[field] = value
  }
  for (const [field, spec] of Object.entries(schema)) {
    if (spec.required && isZero(out[field])) return undefined
  }
  return out
}

export const str = (b: Bound, key: string): string => (typeof b[key] === 'string' ? b[key] : '')
export const int = (b: Bound, key: string): number => (typeof b[key] === 'number' ? b[key] : 0)

/** Grafana's RoleType.UnmarshalText: first letter upper-cased, then one of the four roles. */
export function parseRole(value: string): OrgRole | undefined {
  const titled = value.charAt(0).toUpperCase() + value.slice(1)
  return ROLES.has(titled) ? (titled as OrgRole) : undefined
}
