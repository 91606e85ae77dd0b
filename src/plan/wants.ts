import { compareText, type Provenance, type SourceRef } from '../model.ts'
import type { Person } from './people.ts'

/** What one scope (a team, an org) wants for one person, and who wants it. */
export interface Want<L extends string> {
  person: Person
  level: L
  rank: number
  /** Okta groups that want this level, each once (absent until the first). */
  groups?: string[]
  /** YAML places that want this level, by sourceKey (absent until the first). */
  yaml?: Map<string, SourceRef>
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
    // Sources are allocated on first use: a million memberships are a million small objects.
    want = { person, level, rank }
    wants.set(person.key, want)
  } else if (rank < want.rank) {
    return
  }
  if ('group' in source) {
    if (!want.groups) want.groups = [source.group]
    else if (!want.groups.includes(source.group)) want.groups.push(source.group)
  } else {
    ;(want.yaml ??= new Map()).set(sourceKey(source.yaml), source.yaml)
  }
}

export function sourceKey(ref: SourceRef): string {
  return `${ref.file}\0${String(ref.line).padStart(9, '0')}\0${String(ref.col).padStart(9, '0')}`
}

export function provenanceOf(want: Pick<Want<string>, 'groups' | 'yaml'>): Provenance {
  return {
    oktaGroups: [...(want.groups ?? [])].sort(compareText),
    yaml: [...(want.yaml ?? new Map<string, SourceRef>()).entries()]
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
