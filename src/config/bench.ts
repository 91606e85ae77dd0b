// Times loadConfig on a generated config of many teams: `node src/config/bench.ts [teams] [runs]`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from './index.ts'

/** A realistic large config: `teams` teams over 10 files, each with people, groups and preferences. */
export async function writeLargeConfig(dir: string, teams: number): Promise<void> {
  const perFile = Math.ceil(teams / 10)
  const files: string[][] = Array.from({ length: 10 }, () => ['teams:'])
  for (let i = 0; i < teams; i++) {
    files[Math.floor(i / perFile)]!.push(
      `  - name: Team ${i}`,
      `    org: ${i % 2 === 0 ? 'Main Org.' : 'Partners'}`,
      `    email: team-${i}@acme.example`,
      `    preferences: { theme: dark, timezone: Europe/Berlin, weekStart: monday }`,
      `    members:`,
      `      users: [user-${i}-a@acme.example, user-${i}-b@acme.example, user-${i}-c]`,
      `      oktaGroups: [Group-${i}, "id:00g${String(i).padStart(17, '0')}"]`,
      `    admins:`,
      `      users: [lead-${i}@acme.example]`,
    )
  }
  const settings = 'settings:\n  defaultOrg: Main Org.\n  safety: { maxRemovals: 50 }\n'
  await writeFile(path.join(dir, 'settings.yaml'), settings)
  await Promise.all(
    files.map((lines, n) => writeFile(path.join(dir, `teams-${n}.yaml`), lines.join('\n') + '\n')),
  )
}

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
