// The layer rule of eslint.config.mjs, run on probe files placed in each layer.
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'
import { layering } from '../eslint.config.mjs'

const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, layering],
})

/** The layer-rule messages for a file at `file` that imports `target` (relative to it). */
async function violations(file: string, target: string, kind = ''): Promise<string[]> {
  const code = `import ${kind}* as probe from '${target}'\nexport ${kind}{ probe }\n`
  const [result] = await eslint.lintText(code, { filePath: file })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layers', () => {
  it.each([
    ['src/plan/probe.ts', '../action/run.ts'],
    ['src/plan/probe.ts', '../config/index.ts'],
    ['src/config/probe.ts', '../plan/index.ts'],
    ['src/grafana/probe.ts', '../report/index.ts'],
    ['src/http/probe.ts', '../grafana/index.ts'],
    ['src/report/probe.ts', '../engine.ts'],
    ['src/report/probe.ts', '../cli/run.ts'],
    ['src/observe/probe.ts', '../apply/index.ts'],
    ['src/action/probe.ts', '../cli/run.ts'],
    ['src/cli/probe.ts', '../plan/index.ts'],
  ])('refuses %s importing %s', async (file, target) => {
    const messages = await violations(file, target)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(/^boundaries\/dependencies: \w+ \(src\/.*\) may import only /)
  })

  it.each([
    ['src/plan/probe.ts', './wants.ts'],
    ['src/plan/probe.ts', '../model.ts'],
    ['src/report/probe.ts', '../config/index.ts'],
    ['src/observe/probe.ts', '../okta/index.ts'],
    ['src/action/probe.ts', '../engine.ts'],
    ['src/index.ts', './cli/run.ts'],
  ])('allows %s importing %s', async (file, target) => {
    expect(await violations(file, target)).toEqual([])
  })

  it('refuses files in no layer: a new folder must be added to the table before it is imported', async () => {
    expect(await violations('src/cli/probe.ts', '../../package.json')).toEqual([
      'boundaries/no-unknown-dependencies: Dependencies to unknown elements and files are not allowed',
    ])
    expect(await violations('src/report/probe.ts', '../../scripts/release-notes.ts')).toHaveLength(
      1,
    )
  })

  it('counts a type-only import too', async () => {
    expect(await violations('src/plan/probe.ts', '../grafana/types.ts', 'type ')).toHaveLength(1)
  })
})
