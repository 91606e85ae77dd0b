import { build } from 'esbuild'
import { builtinModules } from 'node:module'
import { chmod } from 'node:fs/promises'

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

/** Bundles `entry` into one ESM file for Node 24, the way dist/index.js ships. */
export async function bundle(entry, outfile, { shebang = false } = {}) {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile,
    banner: {
      js:
        (shebang ? '#!/usr/bin/env node\n' : '') +
        "import { createRequire as __createRequire } from 'node:module';\n" +
        'const require = __createRequire(import.meta.url);',
    },
    plugins: [requireBuiltins],
    legalComments: 'none',
    logLevel: 'warning',
  })
  // A file with a shebang is run as a program (`npx grafana-team-sync` in a clone).
  if (shebang) await chmod(outfile, 0o755)
}

if (import.meta.main) await bundle('src/index.ts', 'dist/index.js', { shebang: true })
