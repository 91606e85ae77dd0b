import type { Provenance, SourceRef } from '../model.ts'
import type { GroupView } from './okta.ts'
import type { Person } from './people.ts'
import { provenanceOf, sourceKey } from './wants.ts'

const NO_GROUPS: readonly GroupView[] = Object.freeze([])

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
  #groupsOf: (GroupView[] | undefined)[] | undefined
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
    for (const person of people) this.#add(person)
    this.#groupsOf = undefined
  }

  #add(person: Person): void {
    const i = person.index
    while (this.#has.length <= i) this.#has.push(false)
    if (this.#has[i]) return
    this.#has[i] = true
    this.people.push(person)
  }

  /** The readable groups of the org's teams that hold the person. */
  groupsOf(person: Person): readonly GroupView[] {
    if (!this.#groupsOf) {
      // Filled up front: an array written at scattered indexes would turn into a slow dictionary.
      const index: (GroupView[] | undefined)[] = []
      for (const p of this.people) while (index.length <= p.index) index.push(undefined)
      for (const { view, people } of this.#groups) {
        for (const p of people) (index[p.index] ??= []).push(view)
      }
      this.#groupsOf = index
    }
    return this.#groupsOf[person.index] ?? NO_GROUPS
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
    const groups = new Set(this.groupsOf(person).map((view) => view.name))
    return provenanceOf({ groups: [...groups], yaml })
  }
}
