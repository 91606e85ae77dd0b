// Times loadConfig on a generated config of many teams: `node scripts/bench/config-load.ts [teams] [runs]`.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../src/config/index.ts'
import { writeLargeConfig } from '../../test/fixtures/large-config.ts'

export async function timeConfigLoad(teams: number, runs: number): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gts-config-bench-'))
  try {
    await writeLargeConfig(dir, teams)
    const times: number[] = []
    for (let run = 0; run < runs; run++) {
      const start = performance.now()
      const result = await loadConfig(dir, { env: {}, cwd: dir })
      times.push(performance.now() - start)
      if (!result.ok) throw new Error(`generated config is invalid: ${result.problems[0]?.message}`)
    }
    return times
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const teams = Number(process.argv[2] ?? 2000)
  const runs = Number(process.argv[3] ?? 7)
  const times = await timeConfigLoad(teams, runs)
  const sorted = [...times].sort((a, b) => a - b)
  const ms = (t: number) => `${t.toFixed(0)} ms`
  console.log(
    `loadConfig, ${teams} teams: first run ${ms(times[0]!)}, median ${ms(sorted[Math.floor(runs / 2)]!)}, best ${ms(sorted[0]!)} (${runs} runs)`,
  )
}
