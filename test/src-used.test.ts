import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { unusedSourceFiles } from '../scripts/check-src-used.ts'

const ROOT = path.join(import.meta.dirname, '..')

describe('check-src-used', () => {
  let tree: string | undefined
  afterEach(async () => {
    if (tree) await rm(tree, { recursive: true, force: true })
    tree = undefined
  })

  async function writeTree(files: Record<string, string>): Promise<string> {
    tree = await mkdtemp(path.join(os.tmpdir(), 'gts-src-used-'))
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(tree, name)), { recursive: true })
      await writeFile(path.join(tree, name), text)
    }
    return tree
  }

  it('passes on this repository: every file under src/ is used by the program', () => {
    expect(unusedSourceFiles(ROOT)).toEqual([])
  })

  it('names the files only tests import, and those nothing imports', async () => {
    const root = await writeTree({
      'src/index.ts': "await import('./cli/run.ts')\n",
      'src/cli/run.ts': "export { parse } from '../config/parse.ts'\n",
      'src/config/parse.ts': "import type { Shape } from './shape.ts'\nexport const parse = 1\n",
      'src/config/shape.ts': 'export type Shape = string\n',
      'src/config/schema.ts': 'export const schema = 1\n',
      'src/config/parse.test.ts': "import { helper } from './helper.ts'\n",
      'src/config/helper.ts': 'export const helper = 1\n',
      'src/config/dead.ts': 'export const dead = 1\n',
      'scripts/schema.ts': "import { schema } from '../src/config/schema.ts'\n",
    })
    expect(unusedSourceFiles(root)).toEqual(['src/config/dead.ts', 'src/config/helper.ts'])
  })
})
