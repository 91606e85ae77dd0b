import { APPLY_ORDER, type Change, type ChangeResult } from '../model.ts'

export type Outcome = Pick<ChangeResult, 'status' | 'detail'>

/**
 * Runs changes phase by phase in the apply order of SPEC §4; within a phase at most `concurrency` at a
 * time, each one only after its dependencies succeeded. A change whose dependency failed or was skipped
 * is skipped, naming the change that failed. Never rejects: `run` is expected to catch its own errors.
 */
export async function runScheduled(
  changes: Change[],
  concurrency: number,
  run: (change: Change) => Promise<Outcome>,
  onPhase?: (kind: Change['kind'], count: number) => void,
): Promise<Map<string, ChangeResult>> {
  const results = new Map<string, ChangeResult>()
  /** Why a change did not succeed, as its dependents report it: the change at the root of the chain. */
  const rootCause = new Map<string, string>()
  const known = new Set(changes.map((c) => c.id))
  const limit = Math.max(1, Math.floor(concurrency) || 1)

  for (const phase of phases(changes)) {
    onPhase?.(phase[0]!.kind, phase.length)
    let pending = phase
    const running = new Set<Promise<void>>()

    const start = (change: Change) => {
      const task = run(change).then((outcome) => {
        results.set(change.id, { id: change.id, ...outcome })
        if (outcome.status === 'failed') rootCause.set(change.id, `${change.id} failed`)
        running.delete(task)
      })
      running.add(task)
    }

    for (;;) {
      const waiting: Change[] = []
      for (const change of pending) {
        const state = dependencyState(change, results, rootCause, known)
        if (state.kind === 'blocked') {
          results.set(change.id, { id: change.id, status: 'skipped', detail: state.detail })
          rootCause.set(change.id, state.root)
        } else if (state.kind === 'ready' && running.size < limit) {
          start(change)
        } else {
          waiting.push(change)
        }
      }
      pending = waiting
      if (pending.length === 0 && running.size === 0) break
      if (running.size === 0) {
        // Nothing runs and nothing can start: the rest waits on changes that never run in this phase.
        for (const change of pending) {
          results.set(change.id, {
            id: change.id,
            status: 'skipped',
            detail: `not run: its dependencies (${unsettled(change, results, known).join(', ')}) come later in the apply order or depend on each other`,
          })
          rootCause.set(change.id, `${change.id} was not run`)
        }
        break
      }
      await Promise.race(running)
    }
  }
  return results
}

/** Changes grouped by kind in APPLY_ORDER, plan order kept inside each group. */
function phases(changes: Change[]): Change[][] {
  const rank = new Map(APPLY_ORDER.map((kind, i) => [kind, i]))
  const groups = new Map<number, Change[]>()
  for (const change of changes) {
    const r = rank.get(change.kind) ?? APPLY_ORDER.length
    const group = groups.get(r)
    if (group) group.push(change)
    else groups.set(r, [change])
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group)
}

type DependencyState =
  { kind: 'ready' } | { kind: 'waiting' } | { kind: 'blocked'; detail: string; root: string }

function dependencyState(
  change: Change,
  results: Map<string, ChangeResult>,
  rootCause: Map<string, string>,
  known: Set<string>,
): DependencyState {
  let waiting = false
  for (const dep of change.dependsOn) {
    if (!known.has(dep)) continue
    const result = results.get(dep)
    if (!result) {
      waiting = true
      continue
    }
    if (result.status === 'failed' || result.status === 'skipped') {
      const root = rootCause.get(dep) ?? `${dep} did not succeed`
      const via = root.startsWith(`${dep} `) ? '' : ` (needed by ${dep})`
      return { kind: 'blocked', root, detail: `not run: ${root}${via}` }
    }
  }
  return waiting ? { kind: 'waiting' } : { kind: 'ready' }
}

function unsettled(
  change: Change,
  results: Map<string, ChangeResult>,
  known: Set<string>,
): string[] {
  return change.dependsOn.filter((dep) => known.has(dep) && !results.has(dep))
}
