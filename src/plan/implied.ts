import type { Provenance, SourceRef } from '../model.ts'
import type { GroupView } from './okta.ts'
import type { Person } from './people.ts'
import { provenanceOf, sourceKey } from './wants.ts'

/**
 * The org memberships an org's teams imply (Viewer unless a binding says more): who, in the order first
 * met, and the readable groups and YAML places that want them. Which groups want whom is indexed only
 * when a change asks, in one pass over the memberships, rather than recorded membership by membership.
 */
export class ImpliedMembers {
  readonly people: Person[] = []
  readonly #has: boolean[] = []
  readonly #groups: { view: GroupView; people: Person[] }[] = []
  readonly #refs = new Set<string>()
  readonly #yaml: { person: Person; source: SourceRef }[] = []
  #index: { start: Int32Array; held: Int32Array } | undefined
  #yamlOf: Map<Person, SourceRef[]> | undefined

  addYaml(person: Person, source: SourceRef): void {
    this.#add(person)
    this.#yaml.push({ person, source })
    this.#yamlOf = undefined
  }

  /** A readable group several teams of the org use counts once. */
  addGroup(view: GroupView, people: Person[]): void {
    if (this.#refs.has(view.ref)) return
    this.#refs.add(view.ref)
    this.#groups.push({ view, people })
    for (let i = 0; i < people.length; i++) this.#add(people[i]!)
    this.#index = undefined
  }

  #add(person: Person): void {
    const i = person.index
    while (this.#has.length <= i) this.#has.push(false)
    if (this.#has[i]) return
    this.#has[i] = true
    this.people.push(person)
  }

  /** Whether the person is in this readable group of the org's teams. */
  holds(person: Person, view: GroupView): boolean {
    const { start, held } = this.#indexed()
    const i = person.index
    if (i + 1 >= start.length) return false
    for (let k = start[i]!; k < start[i + 1]!; k++)
      if (this.#groups[held[k]!]!.view === view) return true
    return false
  }

  /**
   * Who is in which group, in two flat arrays: the groups of the person with index i are the
   * positions `held[start[i]]` up to `held[start[i + 1]]` in `#groups`. Built in two passes over the
   * memberships, with no array per person.
   */
  #indexed(): { start: Int32Array; held: Int32Array } {
    if (this.#index) return this.#index
    let size = 0
    for (const person of this.people) size = Math.max(size, person.index + 1)
    const start = new Int32Array(size + 1)
    for (const { people } of this.#groups) {
      for (let i = 0; i < people.length; i++) start[people[i]!.index + 1]!++
    }
    for (let i = 0; i < size; i++) start[i + 1]! += start[i]!
    const next = start.slice(0, size)
    const held = new Int32Array(start[size]!)
    this.#groups.forEach(({ people }, g) => {
      for (let i = 0; i < people.length; i++) held[next[people[i]!.index]!++] = g
    })
    return (this.#index = { start, held })
  }

  provenance(person: Person): Provenance {
    if (!this.#yamlOf) {
      this.#yamlOf = new Map()
      for (const { person: p, source } of this.#yaml) {
        const sources = this.#yamlOf.get(p)
        if (sources) sources.push(source)
        else this.#yamlOf.set(p, [source])
      }
    }
    const yaml = new Map<string, SourceRef>()
    for (const source of this.#yamlOf.get(person) ?? []) yaml.set(sourceKey(source), source)
    const groups = new Set<string>()
    const { start, held } = this.#indexed()
    const i = person.index
    if (i + 1 < start.length) {
      for (let k = start[i]!; k < start[i + 1]!; k++) groups.add(this.#groups[held[k]!]!.view.name)
    }
    return provenanceOf({ groups: [...groups], yaml })
  }
}
