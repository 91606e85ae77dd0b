import type { GrafanaClient } from '../grafana/types.ts'
import type { Caller, Change, ChangeStatus, TeamPermission, UserRef } from '../model.ts'
import { ApplyError, type RunIds } from './ids.ts'

type Success = Extract<ChangeStatus, 'applied' | 'already-done'>
type ChangeOf<K extends Change['kind']> = Extract<Change, { kind: K }>

/** What every change of one run shares. */
export interface ApplyContext {
  grafana: GrafanaClient
  caller: Caller
  env: Record<string, string | undefined>
  ids: RunIds
  /** Follow-up writes Grafana's own side effects needed. */
  extra: string[]
  /** Passwords this run sent: never allowed into a result. */
  secrets: Set<string>
  /** Permission the plan gives the caller, per team it adds the caller to. */
  callerInTeam: Map<string, TeamPermission>
  /** Teams this run created whose creator membership already matches the plan. */
  creatorSettled: Set<string>
  /** The org a user created by this run joins first, by lower-case login. */
  firstOrg: Map<string, string>
}

export const teamKey = (org: string, team: string) => `${org}\u0000${team}`
const lower = (value: string | undefined) => (value ?? '').trim().toLowerCase()
const done = (answer: 'done' | 'already-done'): Success =>
  answer === 'done' ? 'applied' : 'already-done'

export function isCallerRef(caller: Caller, user: UserRef): boolean {
  if (caller.auth !== 'basic') return false
  if (user.id !== undefined && caller.userId !== undefined) return user.id === caller.userId
  const values = [lower(caller.login), lower(caller.email)].filter(Boolean)
  return values.includes(lower(user.login)) || values.includes(lower(user.email))
}

export async function execute(ctx: ApplyContext, change: Change): Promise<Success> {
  switch (change.kind) {
    case 'create-org':
      return createOrg(ctx, change)
    case 'rename-org':
      await ctx.grafana.renameOrg(change.orgId, change.org)
      ctx.ids.setOrg(change.org, change.orgId)
      return 'applied'
    case 'create-user':
      return createUser(ctx, change)
    case 'update-user':
      return updateUser(ctx, change)
    case 'add-org-user':
      return addOrgUser(ctx, change)
    case 'set-org-role': {
      const orgId = await ctx.ids.orgId(change)
      await ctx.grafana.setOrgRole(orgId, await ctx.ids.userId(change.user), change.to)
      return 'applied'
    }
    case 'remove-org-user':
      return done(await ctx.grafana.removeOrgUser(change.orgId, await ctx.ids.userId(change.user)))
    case 'create-team':
      return createTeam(ctx, change)
    case 'rename-team':
      await ctx.grafana.updateTeam(change.orgId, change.teamId, {
        name: change.team,
        email: change.email,
      })
      return 'applied'
    case 'update-team':
      // An empty name leaves the team's name as it is (the plan may match it in another case).
      await ctx.grafana.updateTeam(change.orgId, change.teamId, {
        name: '',
        email: change.to.email,
      })
      return 'applied'
    case 'set-team-preferences': {
      const orgId = await ctx.ids.orgId(change)
      const teamId = await ctx.ids.teamId(change, orgId)
      await ctx.grafana.setTeamPreferences(orgId, teamId, change.to)
      return 'applied'
    }
    case 'add-team-member':
      return addTeamMember(ctx, change)
    case 'set-team-permission':
      await ctx.grafana.setTeamPermission(
        change.orgId,
        change.teamId,
        await ctx.ids.userId(change.user),
        change.to,
      )
      return 'applied'
    case 'remove-team-member':
      return done(
        await ctx.grafana.removeTeamMember(
          change.orgId,
          change.teamId,
          await ctx.ids.userId(change.user),
        ),
      )
    case 'delete-team':
      return done(await ctx.grafana.deleteTeam(change.orgId, change.teamId))
  }
}

async function createOrg(ctx: ApplyContext, change: ChangeOf<'create-org'>): Promise<Success> {
  const created = await ctx.grafana.createOrg(change.org)
  if (created !== 'already-done') {
    ctx.ids.setOrg(change.org, created.orgId)
    return 'applied'
  }
  const found = await ctx.grafana.findOrg(change.org)
  if (!found)
    throw new ApplyError(`Grafana answered that org "${change.org}" exists, but it was not found`)
  ctx.ids.setOrg(change.org, found.id)
  return 'already-done'
}

// ---------------------------------------------------------------- users

function passwordFor(ctx: ApplyContext, change: ChangeOf<'create-user'>): string {
  if (change.passwordEnv === '') {
    // An SSO person never signs in with it: a random one nobody knows. Web Crypto, so that
    // `node:crypto` loads only when a password is made, not at start-up.
    return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
  }
  const password = ctx.env[change.passwordEnv]
  if (!password) {
    throw new ApplyError(
      `environment variable ${change.passwordEnv} is not set: it must hold the initial password of ${change.user.login}`,
    )
  }
  return password
}

async function createUser(ctx: ApplyContext, change: ChangeOf<'create-user'>): Promise<Success> {
  const password = passwordFor(ctx, change)
  ctx.secrets.add(password)
  const { login, email } = change.user
  // Grafana adds a new user to one org as Viewer: make that the first org the plan adds them to.
  const firstOrg = ctx.firstOrg.get(lower(login))
  const orgId = firstOrg === undefined ? undefined : await knownOrgId(ctx, firstOrg)
  const created = await ctx.grafana.createUser({
    login,
    email,
    name: change.name,
    password,
    ...(orgId === undefined ? {} : { orgId }),
  })
  if (created !== 'already-done') {
    ctx.ids.setUser(change.user, created.id)
    if (change.isGrafanaAdmin) await ctx.grafana.setServerAdmin(created.id, true)
    if (change.disabled) await ctx.grafana.setDisabled(created.id, true)
    return 'applied'
  }
  const found =
    (login ? await ctx.grafana.findUser(login) : undefined) ??
    (email ? await ctx.grafana.findUser(email) : undefined)
  if (!found) {
    throw new ApplyError(
      `Grafana answered that user ${login || email} exists, but it was not found by login or email`,
    )
  }
  ctx.ids.setUser(change.user, found.id)
  if (change.isGrafanaAdmin !== undefined && found.isGrafanaAdmin !== change.isGrafanaAdmin) {
    await ctx.grafana.setServerAdmin(found.id, change.isGrafanaAdmin)
  }
  if (change.disabled !== undefined && found.isDisabled !== change.disabled) {
    await ctx.grafana.setDisabled(found.id, change.disabled)
  }
  return 'already-done'
}

async function knownOrgId(ctx: ApplyContext, org: string): Promise<number | undefined> {
  try {
    return await ctx.ids.orgId({ org })
  } catch {
    return undefined
  }
}

async function updateUser(ctx: ApplyContext, change: ChangeOf<'update-user'>): Promise<Success> {
  const { to, user } = change
  const userId = await ctx.ids.userId(user)
  if (to.name !== undefined || to.email !== undefined) {
    // The endpoint takes login, email and name together; Grafana leaves an empty name unchanged.
    const name = to.name ?? ''
    const email = to.email ?? user.email
    await ctx.grafana.updateUser(userId, { login: user.login, email, name })
    ctx.ids.setUser({ login: user.login, email }, userId)
  }
  if (to.isGrafanaAdmin !== undefined) await ctx.grafana.setServerAdmin(userId, to.isGrafanaAdmin)
  if (to.disabled !== undefined) await ctx.grafana.setDisabled(userId, to.disabled)
  return 'applied'
}

async function addOrgUser(ctx: ApplyContext, change: ChangeOf<'add-org-user'>): Promise<Success> {
  const orgId = await ctx.ids.orgId(change)
  const { user, role } = change
  const answer = await ctx.grafana.addOrgUser(orgId, user.login || user.email, role)
  if (answer === 'done') return 'applied'
  // Already a member (a new user's automatic org, a retry, a concurrent run): make the role the planned
  // one, except that the sync never demotes its own user.
  if (!isCallerRef(ctx.caller, user) || role === 'Admin') {
    await ctx.grafana.setOrgRole(orgId, await ctx.ids.userId(user), role)
  }
  return 'already-done'
}

// ---------------------------------------------------------------- teams

async function createTeam(ctx: ApplyContext, change: ChangeOf<'create-team'>): Promise<Success> {
  const orgId = await ctx.ids.orgId(change)
  const created = await ctx.grafana.createTeam(orgId, change.team, change.email)
  if (created !== 'already-done') {
    ctx.ids.setTeam(change.org, change.team, created.teamId)
    await settleCreator(ctx, change, orgId, created.teamId)
    return 'applied'
  }
  const found = await ctx.grafana.findTeam(orgId, change.team)
  if (!found) {
    throw new ApplyError(
      `Grafana answered that team "${change.team}" exists in org "${change.org}", but it was not found`,
    )
  }
  ctx.ids.setTeam(change.org, change.team, found.id)
  if (change.email !== undefined && found.email !== change.email) {
    await ctx.grafana.updateTeam(orgId, found.id, { name: change.team, email: change.email })
  }
  return 'already-done'
}

/**
 * Grafana makes a user who creates a team (basic auth) an Admin member of it. Keep that membership only
 * as far as the plan wants the caller in the team.
 */
async function settleCreator(
  ctx: ApplyContext,
  change: ChangeOf<'create-team'>,
  orgId: number,
  teamId: number,
): Promise<void> {
  const { caller } = ctx
  if (caller.auth !== 'basic' || caller.userId === undefined) return
  const key = teamKey(change.org, change.team)
  const wanted = ctx.callerInTeam.get(key)
  const who = caller.login || caller.email || `user ${caller.userId}`
  const where = `team "${change.team}" in org "${change.org}"`
  try {
    if (wanted === undefined) {
      await ctx.grafana.removeTeamMember(orgId, teamId, caller.userId)
      ctx.extra.push(
        `removed ${who} from ${where}: Grafana made the creator an Admin member, the config does not list it`,
      )
    } else if (wanted === 'Member') {
      await ctx.grafana.setTeamPermission(orgId, teamId, caller.userId, 'Member')
      ctx.extra.push(
        `set ${who} to Member of ${where}: Grafana made the creator an Admin member, the config lists it as a member`,
      )
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ApplyError(
      `${where} was created, but correcting the membership Grafana gave its creator ${who} failed: ${message}`,
    )
  }
  ctx.creatorSettled.add(key)
}

async function addTeamMember(
  ctx: ApplyContext,
  change: ChangeOf<'add-team-member'>,
): Promise<Success> {
  const orgId = await ctx.ids.orgId(change)
  const teamId = await ctx.ids.teamId(change, orgId)
  const key = teamKey(change.org, change.team)
  if (ctx.creatorSettled.has(key) && isCallerRef(ctx.caller, change.user)) return 'already-done'
  const userId = await ctx.ids.userId(change.user)
  const answer = await ctx.grafana.addTeamMember(orgId, teamId, userId)
  // Grafana adds every member as Member; an Admin is promoted after. An existing member (a retry, a
  // concurrent run) gets the planned permission.
  if (answer === 'already-done' || change.permission === 'Admin') {
    await ctx.grafana.setTeamPermission(orgId, teamId, userId, change.permission)
  }
  return done(answer)
}
