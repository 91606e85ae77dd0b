// Lists the files under src/ that the shipped program never loads: reached from no entry point
// (src/index.ts, and the build scripts under scripts/), only from tests or from nothing.
// `node scripts/check-src-used.ts` exits 1 when it finds any; test/src-used.test.ts runs it.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const isTest = (file: string) => file.endsWith('.test.ts')

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name))
}

/** The relative imports of `file` (static, re-exports and dynamic), as absolute paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name))
}

/** Files under `root`/src that no entry point reaches, relative to `root`, sorted. */
export function unusedSourceFiles(root: string): string[] {
  const src = path.join(root, 'src')
  const sources = tsFilesUnder(src).filter((file) => !isTest(file))
  const scripts = tsFilesUnder(path.join(root, 'scripts')).filter((file) => !isTest(file))
  const fromScripts = scripts.flatMap(importsOf).filter((file) => file.startsWith(src + path.sep))
  const reached = new Set<string>()
  const queue = [path.join(src, 'index.ts'), ...fromScripts]
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (reached.has(file) || isTest(file)) continue
    reached.add(file)
    queue.push(...importsOf(file).filter((target) => target.startsWith(src + path.sep)))
  }
  return sources
    .filter((file) => !reached.has(file))
    .map((file) => path.relative(root, file))
    .sort()
}

if (import.meta.main) {
  const unused = unusedSourceFiles(path.join(import.meta.dirname, '..'))
  if (unused.length > 0) {
    console.error(
      `${unused.length} file(s) under src/ are imported only by tests or by nothing; ` +
        `move test helpers under test/ and delete dead code:\n${unused.map((f) => `  ${f}`).join('\n')}`,
    )
    process.exit(1)
  }
  console.log('every file under src/ is used by the program or a build script')
}
