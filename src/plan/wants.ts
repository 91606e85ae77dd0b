import type { Provenance, SourceRef } from '../model.ts'
import type { Person } from './people.ts'

/** What one scope (a team, an org) wants for one person, and who wants it. */
export interface Want<L extends string> {
  person: Person
  level: L
  rank: number
  groups: Set<string>
  yaml: Map<string, SourceRef>
}

export type WantSource = { group: string } | { yaml: SourceRef }

/** Records a wish; the highest level wins and keeps only the sources that want that level. */
export function addWant<L extends string>(
  wants: Map<string, Want<L>>,
  person: Person,
  level: L,
  rank: number,
  source: WantSource,
): void {
  let want = wants.get(person.key)
  if (!want || rank > want.rank) {
    want = { person, level, rank, groups: new Set(), yaml: new Map() }
    wants.set(person.key, want)
  } else if (rank < want.rank) {
    return
  }
  if ('group' in source) want.groups.add(source.group)
  else want.yaml.set(sourceKey(source.yaml), source.yaml)
}

/** Merges every source of `from` into `into` regardless of level. */
export function mergeSources(into: Want<string>, from: Want<string>): void {
  for (const group of from.groups) into.groups.add(group)
  for (const [key, ref] of from.yaml) into.yaml.set(key, ref)
}

export function sourceKey(ref: SourceRef): string {
  return `${ref.file}\0${String(ref.line).padStart(9, '0')}\0${String(ref.col).padStart(9, '0')}`
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function provenanceOf(want: Pick<Want<string>, 'groups' | 'yaml'>): Provenance {
  return {
    oktaGroups: [...want.groups].sort(compareText),
    yaml: [...want.yaml.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([, ref]) => ({ file: ref.file, line: ref.line, col: ref.col })),
  }
}

export function notDeclared(): Provenance {
  return { oktaGroups: [], yaml: [], notDeclared: true }
}

export function where(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`
}
