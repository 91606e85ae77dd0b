import type { TeamMember } from '../model.ts'
import type { Person } from './people.ts'

/**
 * What the team being planned wants of each person (the highest rank) and who is in it now, in flat
 * arrays by `Person.index` that one team empties for the next: a million memberships cost no object,
 * map entry or string each, and the plan stays linear in them.
 */
export class TeamTally {
  /** The people the team wants, in the order first wanted. */
  readonly wanted: Person[] = []
  /** The current members, and the person each is. */
  readonly members: TeamMember[] = []
  readonly memberPeople: Person[] = []
  readonly #rank: number[] = []
  readonly #member: (TeamMember | undefined)[] = []

  want(person: Person, rank: number): void {
    const i = person.index
    while (this.#rank.length <= i) this.#rank.push(0)
    const had = this.#rank[i]!
    if (had === 0) this.wanted.push(person)
    if (rank > had) this.#rank[i] = rank
  }

  /** The rank the team wants the person at; 0 for someone it does not want. */
  rankOf(person: Person): number {
    return this.#rank[person.index] ?? 0
  }

  addMember(person: Person, member: TeamMember): void {
    const i = person.index
    while (this.#member.length <= i) this.#member.push(undefined)
    this.#member[i] = member
    this.members.push(member)
    this.memberPeople.push(person)
  }

  /** The person's current membership (the last listed when Grafana lists one twice). */
  memberOf(person: Person): TeamMember | undefined {
    return this.#member[person.index]
  }

  clear(): void {
    for (const person of this.wanted) this.#rank[person.index] = 0
    for (const person of this.memberPeople) this.#member[person.index] = undefined
    this.wanted.length = 0
    this.members.length = 0
    this.memberPeople.length = 0
  }
}
