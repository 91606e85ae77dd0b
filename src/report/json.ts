import type { ReportInput } from './describe.ts'

// Readers look for these first; every other key follows in code-unit order.
const LEADING_KEYS = ['version', 'mode', 'configPath', 'plan', 'result', 'id', 'kind']

function keyRank(key: string): number {
  const i = LEADING_KEYS.indexOf(key)
  return i < 0 ? LEADING_KEYS.length : i
}

function compareKeys(a: string, b: string): number {
  return keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0)
}

/** A copy whose object keys are in a fixed order, so equal values serialise identically. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort(compareKeys)) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = canonical(v)
  }
  return out
}

/**
 * `{ version: 1, mode, configPath, plan, result? }`, 2-space indent, trailing newline. A plan holds
 * no secrets (only the names of password variables), and nothing else is added here.
 */
export function renderJson(input: ReportInput): string {
  const doc: Record<string, unknown> = {
    version: 1,
    mode: input.mode,
    configPath: input.configPath,
    plan: input.plan,
  }
  if (input.result) doc.result = input.result
  return `${JSON.stringify(canonical(doc), null, 2)}\n`
}
