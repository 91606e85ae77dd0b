// The README is what new users follow: its workflow, inputs and outputs must match what ships.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '..')
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

const readme = read('README.md')
const action = parse(read('action.yml')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const exampleWorkflow = read('.github/examples/grafana-team-sync.yml')

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`)
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(-1)
  const next = readme.indexOf('\n#', start + heading.length + 2)
  return readme.slice(start, next === -1 ? undefined : next)
}

function tableKeys(markdown: string): string[] {
  const firstCells = markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|')[1] ?? '')
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((key) => key[1]!))
}

describe('README', () => {
  it('shows the example workflow exactly as shipped in .github/examples', () => {
    const fromName = exampleWorkflow.slice(exampleWorkflow.indexOf('name: grafana-team-sync'))
    expect(readme).toContain('```yaml\n' + fromName + '```')
  })

  it('uses only inputs the action declares in the example workflow', () => {
    const workflow = parse(exampleWorkflow) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
    }
    const used = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses?.startsWith('grafana-team-sync/'))
      .flatMap((step) => Object.keys(step.with ?? {}))
    expect(used.length).toBeGreaterThan(0)
    expect(used.filter((input) => !(input in action.inputs))).toEqual([])
  })

  it('documents every input and output of action.yml, and no other', () => {
    expect(new Set(tableKeys(section('### Inputs')))).toEqual(new Set(Object.keys(action.inputs)))
    expect(new Set(tableKeys(section('### Outputs')))).toEqual(new Set(Object.keys(action.outputs)))
  })

  it('gives the two commands a fresh machine needs', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
  })

  it('runs the CLI as the README shows it: the committed bundle is executable', () => {
    expect(readme).toContain('npx grafana-team-sync validate --config teams')
    const entry = execFileSync('git', ['ls-files', '--stage', 'dist/index.js'], { cwd: ROOT })
    expect(entry.toString()).toMatch(/^100755 /)
  })
})
