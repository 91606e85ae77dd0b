import { APPLY_ORDER, type Change, type ChangeResult } from '../model.ts'

export type Outcome = Pick<ChangeResult, 'status' | 'detail'>

type Run = (change: Change) => Promise<Outcome>

/** What a run knows so far, shared by its phases. */
interface RunState {
  results: Map<string, ChangeResult>
  /** Why a change did not succeed, as its dependents report it: the change at the root of the chain. */
  rootCause: Map<string, string>
  known: Set<string>
}

/**
 * Runs changes phase by phase in the apply order of SPEC §4; within a phase at most `concurrency` at a
 * time, each one only after its dependencies succeeded. A change whose dependency failed or was skipped
 * is skipped, naming the change that failed. `run` is expected to catch its own errors.
 */
export async function runScheduled(
  changes: Change[],
  concurrency: number,
  run: Run,
  onPhase?: (kind: Change['kind'], count: number) => void,
  signal?: AbortSignal,
): Promise<Map<string, ChangeResult>> {
  const state: RunState = {
    results: new Map(),
    rootCause: new Map(),
    known: new Set(changes.map((c) => c.id)),
  }
  const limit = Math.max(1, Math.floor(concurrency) || 1)
  for (const phase of phases(changes)) {
    // --- cancellation: no phase starts after an abort; the caller reports what did not run
    if (signal?.aborted) break
    onPhase?.(phase[0]!.kind, phase.length)
    await runPhase(phase, limit, run, state, signal)
    if (signal?.aborted) break
  }
  return state.results
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

const succeeded = (r: ChangeResult) => r.status === 'applied' || r.status === 'already-done'

/** One phase: every change starts as soon as its dependencies settled, up to `limit` at once. */
async function runPhase(
  phase: Change[],
  limit: number,
  run: Run,
  state: RunState,
  signal?: AbortSignal,
): Promise<void> {
  const { results, rootCause, known } = state
  const inPhase = new Set(phase.map((c) => c.id))
  const unsettledDeps = new Map<string, number>()
  const dependents = new Map<string, Change[]>()
  const ready: Change[] = []
  let next = 0

  const skip = (change: Change, dep: string) => {
    const root = rootCause.get(dep) ?? `${dep} did not succeed`
    const via = root.startsWith(`${dep} `) ? '' : ` (needed by ${dep})`
    settle(change, { status: 'skipped', detail: `not run: ${root}${via}` }, root)
  }

  function settle(change: Change, outcome: Outcome, root?: string): void {
    if (results.has(change.id)) return
    const result: ChangeResult = { id: change.id, ...outcome }
    results.set(change.id, result)
    if (!succeeded(result)) rootCause.set(change.id, root ?? `${change.id} failed`)
    for (const dependent of dependents.get(change.id) ?? []) {
      if (results.has(dependent.id)) continue
      if (!succeeded(result)) {
        skip(dependent, change.id)
        continue
      }
      const left = (unsettledDeps.get(dependent.id) ?? 1) - 1
      unsettledDeps.set(dependent.id, left)
      if (left === 0) ready.push(dependent)
    }
  }

  for (const change of phase) {
    if (results.has(change.id)) continue
    let waiting = 0
    let failedDep: string | undefined
    for (const dep of new Set(change.dependsOn)) {
      if (!known.has(dep) || dep === change.id) continue
      const result = results.get(dep)
      if (result) {
        if (!succeeded(result)) failedDep = dep
      } else {
        // A dependency in this phase, or in a later one (then it never settles in time).
        waiting++
        if (inPhase.has(dep)) {
          const list = dependents.get(dep)
          if (list) list.push(change)
          else dependents.set(dep, [change])
        }
      }
      if (failedDep) break
    }
    if (failedDep) skip(change, failedDep)
    else if (waiting === 0) ready.push(change)
    else unsettledDeps.set(change.id, waiting)
  }

  await new Promise<void>((resolve) => {
    let running = 0
    const pump = () => {
      while (running < limit && next < ready.length && !signal?.aborted) {
        const change = ready[next++]!
        running++
        void run(change)
          .catch((error: unknown): Outcome => ({ status: 'failed', detail: String(error) }))
          .then((outcome) => {
            running--
            settle(change, outcome)
            pump()
          })
      }
      if (running === 0 && (next >= ready.length || signal?.aborted)) resolve()
    }
    pump()
  })
  if (signal?.aborted) return

  for (const change of phase) {
    if (results.has(change.id)) continue
    const pending = change.dependsOn.filter((dep) => known.has(dep) && !results.has(dep))
    settle(
      change,
      {
        status: 'skipped',
        detail: `not run: its dependencies (${pending.join(', ')}) come later in the apply order or depend on each other`,
      },
      `${change.id} was not run`,
    )
  }
}
