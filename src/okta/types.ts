import type { OktaMember, RequestStats } from '../model.ts'

export interface OktaGroup {
  id: string
  name: string
  type: string
}

/**
 * Read-only Okta client. Errors are HttpError (src/http) and never carry the token; a 401 carries
 * `reason: 'credential-rejected'`, and every later call of the run fails with it unsent.
 */
export interface OktaClient {
  /**
   * Resolves references as written in YAML: an exact, case-sensitive group name, or `id:00g…`.
   * Unknown names map to undefined; several groups with the same exact name are an error for that ref.
   */
  findGroups(refs: string[]): Promise<Map<string, OktaGroup | undefined | Error>>
  /**
   * Every member of the group, all pages, every status (filtering is the caller's choice). `about`
   * names the group in errors and retry lines (default `group id:<id>`).
   */
  listMembers(groupId: string, about?: string): Promise<OktaMember[]>
  stats(): RequestStats[]
}
