import { build } from 'esbuild'
import { builtinModules } from 'node:module'
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

const ROOT = path.join(import.meta.dirname, '..')
const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'))

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

// An ESM `import` of a Node built-in builds an ES module facade over all of its exports, and the
// one for `http` touches lazy getters that load Node's internal fetch (~100 ms at start-up, paid
// even by `validate`). `require` returns the module object without a facade, so every built-in
// is loaded through the bundle's `require` (the createRequire banner), and only when first used.
const requireBuiltins = {
  name: 'require-builtins',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!BUILTINS.has(args.path)) return undefined
      if (args.namespace === 'builtin') return { path: args.path, external: true }
      return { path: args.path, namespace: 'builtin' }
    })
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
      loader: 'js',
    }))
  },
}

/** The package folder a bundled input path belongs to: `node_modules/@scope/name` or `node_modules/name`. */
function packageDirOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
  return match?.[1]
}

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i

/** The license notices of every package bundled into the output: name, version, license and its text. */
async function licenseNotices(inputs) {
  const dirs = [...new Set(Object.keys(inputs).map(packageDirOf).filter(Boolean))]
  const notices = await Promise.all(
    dirs.map(async (dir) => {
      const pkg = JSON.parse(await readFile(path.join(ROOT, dir, 'package.json'), 'utf8'))
      const file = (await readdir(path.join(ROOT, dir)))
        .sort()
        .find((name) => LICENSE_FILE.test(name))
      const text = file
        ? (await readFile(path.join(ROOT, dir, file), 'utf8')).trim()
        : `(the package ships no license file; its package.json says ${pkg.license})`
      return { id: `${pkg.name}@${pkg.version}`, license: pkg.license, text }
    }),
  )
  notices.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const header =
    'grafana-team-sync bundles the following packages into dist/index.js. Their license notices follow.\n'
  return (
    header +
    notices.map((n) => `\n${'-'.repeat(78)}\n${n.id} (${n.license})\n\n${n.text}\n`).join('')
  )
}

/**
 * Bundles `entry` into one ESM file for Node 20 and later, the way dist/index.js ships. `licenses` names a
 * file to write the bundled packages' license notices to.
 */
export async function bundle(entry, outfile, { shebang = false, licenses } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    banner: {
      js:
        (shebang ? '#!/usr/bin/env node\n' : '') +
        "import { createRequire as __createRequire } from 'node:module';\n" +
        'const require = __createRequire(import.meta.url);',
    },
    plugins: [requireBuiltins],
    // The version is all the bundle needs of package.json.
    define: { PACKAGE_VERSION: JSON.stringify(version) },
    legalComments: 'none',
    metafile: Boolean(licenses),
    logLevel: 'warning',
  })
  if (licenses) await writeFile(licenses, await licenseNotices(result.metafile.inputs))
  // A file with a shebang is run as a program (`npx grafana-team-sync` in a clone).
  if (shebang) await chmod(outfile, 0o755)
}

if (import.meta.main) {
  await bundle('src/index.ts', 'dist/index.js', { shebang: true, licenses: 'dist/licenses.txt' })
}
