// The container image's command, read from the Dockerfile so tests run exactly what the image runs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './harness.ts'

/** The Dockerfile with its line continuations joined. */
export function dockerfile(): string {
  return readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '')
}

/** An instruction's exec (JSON) form, e.g. `ENTRYPOINT ["node", …]`; for HEALTHCHECK, its CMD. */
export function execForm(instruction: 'ENTRYPOINT' | 'CMD' | 'HEALTHCHECK'): string[] {
  const line = dockerfile()
    .split('\n')
    .find((l) => l.startsWith(`${instruction} `))
  if (!line) throw new Error(`the Dockerfile has no ${instruction}`)
  const json =
    instruction === 'HEALTHCHECK'
      ? line.slice(line.indexOf(' CMD ') + 5)
      : line.slice(instruction.length + 1)
  return JSON.parse(json) as string[]
}

/** ENTRYPOINT then CMD: what `docker run <image>` starts. */
export function imageCommand(): string[] {
  return [...execForm('ENTRYPOINT'), ...execForm('CMD')]
}

/** `ENV NAME=value` lines of the Dockerfile: the environment every command of the image runs with. */
export function imageEnv(): Record<string, string> {
  const lines = dockerfile()
    .split('\n')
    .filter((l) => l.startsWith('ENV '))
  return Object.fromEntries(lines.map((l) => l.slice(4).split(/=(.*)/s, 2) as [string, string]))
}
