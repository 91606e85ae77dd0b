// `${VAR}` in string values, replaced from the environment; `$${` writes a literal `${`.
// A local user's `password: { env: NAME }` is not read here: it is needed only to create the
// user, so validating (offline, without secrets, e.g. on a fork's pull request) never requires it.
import { inCode } from './excerpt.ts'
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

/** `value` with variables replaced; a list or mapping is copied only when something in it changed. */
export function substituteEnv(
  value: unknown,
  ctx: Substitution,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value
    const replaced = substituteString(value, ctx.env, ctx.problems, [...path])
    if (replaced !== value) ctx.templates.set(pathKey(path), value)
    return replaced
  }
  if (Array.isArray(value)) {
    const list: readonly unknown[] = value
    let copy: unknown[] | undefined
    list.forEach((item, index) => {
      path.push(index)
      const replaced = substituteEnv(item, ctx, path)
      path.pop()
      if (replaced !== item) (copy ??= [...list])[index] = replaced
    })
    return copy ?? value
  }
  if (value !== null && typeof value === 'object') {
    let copy: object | undefined
    for (const [key, item] of Object.entries(value)) {
      path.push(key)
      const replaced = substituteEnv(item, ctx, path)
      path.pop()
      if (replaced === item) continue
      // fromEntries and defineProperty make own properties, so a `__proto__` key stays a plain key.
      copy ??= Object.fromEntries(Object.entries(value))
      Object.defineProperty(copy, key, {
        value: replaced,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    }
    return copy ?? value
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
        message: `\`${inCode(match)}\` is not a valid variable reference`,
        hint: 'A variable name has letters, digits and underscores, e.g. `${GRAFANA_ORG}`; write `$${` for a literal `${`.',
      })
      return match
    }
    const resolved = env[name]
    if (resolved === undefined) {
      const shown = inCode(name)
      problems.push({
        path,
        at: 'value',
        message: `environment variable \`${shown}\` is not set`,
        hint: `Set ${shown} in the environment of the run (e.g. the workflow's \`env:\`), or write \`$\${${shown}}\` for a literal \`\${${shown}}\`.`,
      })
      return match
    }
    return resolved
  })
}
