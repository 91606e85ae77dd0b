import {
  compareText,
  APPLY_ORDER,
  type Change,
  type ChangeKind,
  type HeldBack,
  type Message,
  type Pending,
  type Plan,
  type GuardViolation,
  type SourceRef,
} from '../model.ts'
import { provenanceOf, sourceKey, type Want } from './wants.ts'

/** Within one kind: org, then tier (a change others in the org wait for goes first), team, person. */
interface SortKey {
  org: string
  tier: number
  team: string
  identity: string
}

type PendingEntry = Omit<Pending, 'provenance'> & {
  groups: Set<string>
  yaml: Map<string, SourceRef>
}

/** Collects what the planner finds; `finish` turns it into a deterministic Plan. */
export class PlanOutput {
  readonly #changes = new Map<string, Change>()
  readonly #sortKeys = new Map<string, SortKey>()
  readonly #pending = new Map<string, PendingEntry>()
  readonly warnings: Message[] = []
  readonly errors: Message[] = []
  readonly heldBack: HeldBack[] = []

  add<C extends Change>(change: C, key: Partial<SortKey> = {}): C {
    this.#changes.set(change.id, change)
    this.#sortKeys.set(change.id, {
      org: key.org ?? '',
      tier: key.tier ?? 1,
      team: key.team ?? '',
      identity: key.identity ?? '',
    })
    return change
  }

  /** Moves a change ahead of the others of its kind in its org. */
  putFirst(id: string): void {
    const key = this.#sortKeys.get(id)
    if (key) key.tier = 0
  }

  drop(id: string): void {
    this.#changes.delete(id)
    this.#sortKeys.delete(id)
  }

  get(id: string): Change | undefined {
    return this.#changes.get(id)
  }

  changes(): IterableIterator<Change> {
    return this.#changes.values()
  }

  warn(code: string, message: string, at: Omit<Message, 'code' | 'message'> = {}): void {
    this.warnings.push({ code, message, ...at })
  }

  error(code: string, message: string, at: Omit<Message, 'code' | 'message'> = {}): void {
    this.errors.push({ code, message, ...at })
  }

  pending(
    identity: string,
    org: string,
    team: string | undefined,
    want: Pick<Want<string>, 'groups' | 'yaml'>,
  ): void {
    const key = `${org}\0${team ?? ''}\0${identity}`
    let entry = this.#pending.get(key)
    if (!entry) {
      entry = { identity, org, groups: new Set(), yaml: new Map() }
      if (team !== undefined) entry.team = team
      this.#pending.set(key, entry)
    }
    for (const group of want.groups ?? []) entry.groups.add(group)
    for (const [k, ref] of want.yaml ?? []) entry.yaml.set(k, ref)
  }

  finish(guards: GuardViolation[]): Plan {
    const order = new Map<ChangeKind, number>(APPLY_ORDER.map((kind, i) => [kind, i]))
    const ids = new Set(this.#changes.keys())
    // Each change carries its key into the sort: no lookups per comparison.
    const changes = [...this.#changes.values()]
      .map((change) => ({
        change: {
          ...change,
          dependsOn: [...new Set(change.dependsOn)]
            .filter((id) => id !== change.id && ids.has(id))
            .sort(compareText),
        },
        key: this.#sortKeys.get(change.id) as SortKey,
        kind: order.get(change.kind) ?? 0,
      }))
      .sort(
        ({ change: a, key: ka, kind: oa }, { change: b, key: kb, kind: ob }) =>
          oa - ob ||
          compareText(ka.org, kb.org) ||
          ka.tier - kb.tier ||
          compareText(ka.team, kb.team) ||
          compareText(ka.identity, kb.identity) ||
          compareText(a.id, b.id),
      )
      .map(({ change }) => change)
    const counts: Plan['counts'] = {}
    for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1

    const pending = [...this.#pending.values()]
      .sort(
        (a, b) =>
          compareText(a.org, b.org) ||
          compareText(a.team ?? '', b.team ?? '') ||
          compareText(a.identity, b.identity),
      )
      .map(({ groups, yaml, ...rest }): Pending => ({
        ...rest,
        provenance: provenanceOf({ groups: [...groups], yaml }),
      }))

    return {
      version: 1,
      changes,
      pending,
      warnings: sortMessages(this.warnings),
      errors: sortMessages(this.errors),
      heldBack: [...this.heldBack].sort(
        (a, b) => compareText(a.org, b.org) || compareText(a.team ?? '', b.team ?? ''),
      ),
      guards,
      counts,
      stats: { requests: [] },
    }
  }
}

function refKey(ref: SourceRef | undefined): string {
  return ref ? sourceKey(ref) : ''
}

function sortMessages(messages: Message[]): Message[] {
  return [...messages].sort(
    (a, b) =>
      compareText(a.org ?? '', b.org ?? '') ||
      compareText(a.team ?? '', b.team ?? '') ||
      compareText(a.code, b.code) ||
      compareText(refKey(a.source), refKey(b.source)) ||
      compareText(a.message, b.message),
  )
}
