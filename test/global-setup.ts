// Builds dist/index.js once per test run, so the end-to-end tests exercise the bundle as shipped.
import { spawnSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The build's error output when `npm run build` failed; the e2e tests report it. */
    buildError: string
  }
}

export default function setup(project: TestProject): void {
  const build = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: project.config.root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const failed = build.status !== 0
  // Unit tests still run when the bundle cannot be built; only the e2e tests depend on it.
  project.provide(
    'buildError',
    failed ? `${build.stdout}\n${build.stderr}`.trim() || 'build failed' : '',
  )
}
