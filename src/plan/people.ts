import type { DesiredUser, GrafanaUser, Identity, OktaMember, UserRef } from '../model.ts'

/** Someone the config wants, with or without a Grafana account. */
export interface Person {
  /** `u:<id>` for an existing account, `new:<identity>` for someone without one. */
  key: string
  /** Dense, from 0 in the order people are met: indexes the flat per-person arrays of a team's tally. */
  index: number
  /** Lower-case email or login (per `settings.identity`); names the person in ids, pending and messages. */
  identity: string
  user?: GrafanaUser
  /** Lower-case; for a person without an account, what a created account would use. */
  login: string
  email: string
  /** Declared under `users:` without an account and without a password: never created. */
  blocked?: boolean
  /** Id of the `create-user` change that gives this person an account. */
  createId?: string
}

export function lower(value: string | undefined): string {
  return (value ?? '').trim().toLowerCase()
}

export function userRef(person: Person): UserRef {
  return person.user
    ? { id: person.user.id, login: person.user.login, email: person.user.email }
    : { login: person.login, email: person.email }
}

/**
 * Resolves YAML people, Okta members and `users:` entries to Grafana accounts, case-insensitively: by the
 * identity field first, then by the other one. People without an account are merged by every value they
 * are known by, so an Okta member and a YAML entry naming the same person are one person.
 */
export class People {
  readonly #identity: Identity
  readonly #byLogin = new Map<string, GrafanaUser>()
  readonly #byEmail = new Map<string, GrafanaUser>()
  readonly #byId = new Map<number, GrafanaUser>()
  readonly #existing = new Map<number, Person>()
  readonly #missing = new Map<string, Person>()
  readonly #ambiguous = new Set<string>()
  /** Okta members already resolved: a person in forty groups is looked up once. */
  readonly #fromOkta = new Map<OktaMember, Person | undefined>()
  #count = 0

  constructor(users: GrafanaUser[], identity: Identity) {
    this.#identity = identity
    const sorted = [...users].sort((a, b) => a.id - b.id)
    const seen = new Set<string>()
    for (const user of sorted) {
      this.#byId.set(user.id, user)
      const login = lower(user.login)
      const email = lower(user.email)
      if (login && !this.#byLogin.has(login)) this.#byLogin.set(login, user)
      if (email && !this.#byEmail.has(email)) this.#byEmail.set(email, user)
      // Grafana before 11 could hold case variants of one login or email: keep ids unique.
      const id = this.#identityOf(user)
      if (seen.has(id)) this.#ambiguous.add(id)
      seen.add(id)
    }
  }

  get identity(): Identity {
    return this.#identity
  }

  /** How many people were met so far: every `index` is below it. */
  get count(): number {
    return this.#count
  }

  /** Finds a Grafana account by a lower-case login or email, identity field first. */
  findUser(value: string): GrafanaUser | undefined {
    if (!value) return undefined
    return this.#identity === 'email'
      ? (this.#byEmail.get(value) ?? this.#byLogin.get(value))
      : (this.#byLogin.get(value) ?? this.#byEmail.get(value))
  }

  byId(id: number): GrafanaUser | undefined {
    return this.#byId.get(id)
  }

  existing(user: GrafanaUser): Person {
    let person = this.#existing.get(user.id)
    if (!person) {
      const identity = this.#identityOf(user)
      person = {
        key: `u:${user.id}`,
        index: this.#count++,
        identity: this.#ambiguous.has(identity) ? `${identity}#${user.id}` : identity,
        user,
        login: lower(user.login),
        email: lower(user.email),
      }
      this.#existing.set(user.id, person)
    }
    return person
  }

  /**
   * The person a Grafana listing (org users, team members) names by user id; an id missing from the
   * user list is taken as the listing describes it.
   */
  ofMember(member: { userId: number; login: string; email: string }): Person {
    return (
      this.#existing.get(member.userId) ??
      this.existing(
        this.#byId.get(member.userId) ?? {
          id: member.userId,
          login: member.login,
          email: member.email,
          name: '',
        },
      )
    )
  }

  /** A person as written in a YAML `users:` list: an email or a login. */
  fromYaml(value: string): Person {
    const v = lower(value)
    const user = this.findUser(v)
    if (user) return this.existing(user)
    return this.#missingPerson([v], () => ({
      identity: v,
      login: v,
      email: v.includes('@') ? v : '',
    }))
  }

  /** An Okta group member, identified by `profile.email` or `profile.login` per `settings.identity`. */
  fromOkta(member: OktaMember): Person | undefined {
    if (this.#fromOkta.has(member)) return this.#fromOkta.get(member)
    const person = this.#resolveOkta(member)
    this.#fromOkta.set(member, person)
    return person
  }

  #resolveOkta(member: OktaMember): Person | undefined {
    const login = lower(member.login)
    const email = lower(member.email)
    const primary = (this.#identity === 'email' ? email : login) || login || email
    const secondary = primary === email ? login : email
    if (!primary) return undefined
    // Only the configured Okta attribute matches an account: that is what `settings.identity` chooses.
    const user = this.findUser(primary)
    if (user) return this.existing(user)
    return this.#missingPerson([primary, secondary], () => ({
      identity: primary,
      login: login || primary,
      email,
    }))
  }

  /** A local account declared under `users:`; the person exists already or is to be created. */
  fromLocal(declared: DesiredUser): Person {
    const login = lower(declared.login)
    const email = lower(declared.email)
    const user =
      this.#byLogin.get(login) ??
      (email ? this.#byEmail.get(email) : undefined) ??
      this.#byEmail.get(login)
    if (user) return this.existing(user)
    const identity = this.#identity === 'email' ? email || login : login
    return this.#missingPerson([login, email], () => ({ identity, login, email }))
  }

  #identityOf(user: GrafanaUser): string {
    const login = lower(user.login)
    const email = lower(user.email)
    return this.#identity === 'email' ? email || login : login || email
  }

  #missingPerson(
    values: string[],
    make: () => { identity: string; login: string; email: string },
  ): Person {
    const known = values.filter(Boolean)
    for (const value of known) {
      const person = this.#missing.get(value)
      if (person) {
        for (const other of known) if (!this.#missing.has(other)) this.#missing.set(other, person)
        return person
      }
    }
    const fields = make()
    const person: Person = { key: `new:${fields.identity}`, index: this.#count++, ...fields }
    for (const value of known) this.#missing.set(value, person)
    return person
  }
}
