import { defineConfig } from 'vitest/config'
import packageJson from './package.json' with { type: 'json' }

export default defineConfig({
  // What scripts/build.mjs defines for the bundle, for code run from source.
  define: { PACKAGE_VERSION: JSON.stringify(packageJson.version) },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Most end-to-end tests wait on a child process or a timer, not on a CPU: four files at a time
    // on a 2-CPU machine halve the suite's wall time (measured: 167 s with 2, 74 s with 4).
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
