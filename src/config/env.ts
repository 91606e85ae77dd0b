// `${VAR}` in string values, replaced from the environment; `$${` writes a literal `${`.
// A local user's `password: { env: NAME }` is not read here: it is needed only to create the
// user, so validating (offline, without secrets, e.g. on a fork's pull request) never requires it.
import type { PathProblem } from './issues.ts'
import { pathKey, type Path } from './positions.ts'

const REFERENCE = /\$\$\{|\$\{([^}]*)(\}?)/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface Substitution {
  env: Record<string, string | undefined>
  problems: PathProblem[]
  /** Path key → the string as written, for every string that had a variable replaced. */
  templates: Map<string, string>
}

export function substituteEnv(
  value: unknown,
  ctx: Substitution,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value
    const replaced = substituteString(value, ctx.env, ctx.problems, path)
    if (replaced !== value) ctx.templates.set(pathKey(path), value)
    return replaced
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => substituteEnv(item, ctx, [...path, index]))
  }
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a `__proto__` key stays a plain (unknown) key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteEnv(item, ctx, [...path, key])]),
    )
  }
  return value
}

function substituteString(
  text: string,
  env: Record<string, string | undefined>,
  problems: PathProblem[],
  path: Path,
): string {
  return text.replace(REFERENCE, (match, name: string | undefined, closed: string) => {
    if (match === '$${') return '${'
    if (!closed) {
      problems.push({
        path,
        at: 'value',
        message: '`${` starts a variable reference that is never closed with `}`',
        hint: 'Write `${NAME}`, or `$${` for a literal `${`.',
      })
      return match
    }
    if (!name || !NAME.test(name)) {
      problems.push({
        path,
        at: 'value',
        message: `\`${match}\` is not a valid variable reference`,
        hint: 'A variable name has letters, digits and underscores, e.g. `${GRAFANA_ORG}`; write `$${` for a literal `${`.',
      })
      return match
    }
    const resolved = env[name]
    if (resolved === undefined) {
      problems.push({
        path,
        at: 'value',
        message: `environment variable \`${name}\` is not set`,
        hint: `Set ${name} in the environment of the run (e.g. the workflow's \`env:\`), or write \`$\${${name}}\` for a literal \`\${${name}}\`.`,
      })
      return match
    }
    return resolved
  })
}
