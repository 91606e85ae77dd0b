import type { TeamMember } from '../model.ts'
import type { Person } from './people.ts'

/**
 * What the team being planned wants of each person (the highest rank) and who is in it now, in flat
 * arrays by `Person.index` that one team empties for the next: a million memberships cost no object,
 * map entry or string each, and the plan stays linear in them. The arrays are never shortened, only
 * counted, so a team does not grow them again after the one before.
 */
export class TeamTally {
  readonly #rank: number[] = []
  readonly #member: (TeamMember | undefined)[] = []
  readonly #wanted: Person[] = []
  #wantedCount = 0
  readonly #members: TeamMember[] = []
  readonly #memberPeople: Person[] = []
  #memberCount = 0

  want(person: Person, rank: number): void {
    const i = person.index
    while (this.#rank.length <= i) this.#rank.push(0)
    const had = this.#rank[i]!
    if (had === 0) this.#wanted[this.#wantedCount++] = person
    if (rank > had) this.#rank[i] = rank
  }

  /** The people the team wants, in the order first wanted. */
  get wantedCount(): number {
    return this.#wantedCount
  }

  wantedAt(n: number): Person {
    return this.#wanted[n]!
  }

  /** The rank the team wants the person at; 0 for someone it does not want. */
  rankOf(person: Person): number {
    return this.#rank[person.index] ?? 0
  }

  addMember(person: Person, member: TeamMember): void {
    const i = person.index
    while (this.#member.length <= i) this.#member.push(undefined)
    this.#member[i] = member
    this.#members[this.#memberCount] = member
    this.#memberPeople[this.#memberCount++] = person
  }

  /** The current members as listed. */
  get memberCount(): number {
    return this.#memberCount
  }

  memberAt(n: number): TeamMember {
    return this.#members[n]!
  }

  /** The person the n-th listed member is. */
  memberPersonAt(n: number): Person {
    return this.#memberPeople[n]!
  }

  /** The person's current membership (the last listed when Grafana lists one twice). */
  memberOf(person: Person): TeamMember | undefined {
    return this.#member[person.index]
  }

  clear(): void {
    for (let n = 0; n < this.#wantedCount; n++) this.#rank[this.#wanted[n]!.index] = 0
    for (let n = 0; n < this.#memberCount; n++)
      this.#member[this.#memberPeople[n]!.index] = undefined
    this.#wantedCount = 0
    this.#memberCount = 0
  }
}
