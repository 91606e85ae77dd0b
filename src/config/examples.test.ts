import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { describeConfig, loadConfig } from './index.ts'
import { JSON_SCHEMA_PATH, renderJsonSchema } from './json-schema.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const exampleFiles = readdirSync(path.join(repo, 'teams'), { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()

describe('the bundled example config in teams/', () => {
  it('validates without any environment, the local user password variable included', async () => {
    const result = await loadConfig('teams', { cwd: repo, env: {} })
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2))
    const summary = describeConfig(result.config)
    expect(summary.orgs).toEqual(['Main Org.', 'Partners'])
    expect(summary.users).toBe(1)
    expect(summary.teams).toBeGreaterThanOrEqual(6)
    expect(result.config.teams.some((t) => t.source.file === 'teams/mappings.yaml')).toBe(true)
  })

  it.each(exampleFiles)('%s starts with a modeline pointing at the JSON Schema', (name) => {
    const firstLine = readFileSync(path.join(repo, 'teams', name), 'utf8').split('\n')[0]!
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)
    expect(match).not.toBeNull()
    const schema = path.resolve(repo, 'teams', path.dirname(name), match![1]!)
    expect(path.relative(repo, schema)).toBe(JSON_SCHEMA_PATH)
  })
})

describe('the committed JSON Schema', () => {
  it('equals a fresh generation from the zod schemas (run `npm run schema` if not)', () => {
    const committed = path.join(repo, JSON_SCHEMA_PATH)
    expect(existsSync(committed)).toBe(true)
    expect(readFileSync(committed, 'utf8')).toBe(renderJsonSchema())
  })

  it('describes every top-level section and rejects unknown keys', () => {
    const schema = JSON.parse(renderJsonSchema()) as {
      properties: Record<string, unknown>
      additionalProperties: boolean
    }
    expect(Object.keys(schema.properties)).toEqual([
      'settings',
      'orgs',
      'users',
      'teams',
      'mappings',
      'instances',
    ])
    expect(schema.additionalProperties).toBe(false)
  })
})
