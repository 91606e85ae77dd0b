// The config file format (docs/config.md), one zod schema per top-level section. The schemas only check;
// they never transform, so a value that passes is its own typed result and the JSON Schema for
// editors is generated from exactly what the loader accepts.
import * as z from 'zod'

export const OKTA_USER_STATUSES = [
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'PASSWORD_EXPIRED',
  'LOCKED_OUT',
  'SUSPENDED',
  'DEPROVISIONED',
] as const

/** Stands for the offending value in a message; filled in (or redacted) where problems are worded. */
export const VALUE = '{value}'

export const PERCENT = /^(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)%$/
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isEmail(value: string): boolean {
  return z.regexes.email.test(value)
}

const validTimezones = new Map<string, boolean>()

/** "utc", "browser", "" (Grafana's default) or an IANA zone such as Europe/Berlin. */
export function isTimezone(value: string): boolean {
  if (value === '' || value === 'utc' || value === 'browser') return true
  let valid = validTimezones.get(value)
  if (valid === undefined) {
    valid = !/^[+-]/.test(value) && ianaZoneKnown(value)
    validTimezones.set(value, valid)
  }
  return valid
}

let canonicalZones: Set<string> | undefined

function ianaZoneKnown(zone: string): boolean {
  // The first DateTimeFormat costs ~20 ms of ICU set-up; the list of canonical zones is ~1 ms and
  // answers for the usual spellings. Aliases and other casings still go to DateTimeFormat.
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'))
  if (canonicalZones.has(zone)) return true
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const nonEmpty = () => z.string().regex(/\S/, { error: 'must not be empty' })

const name = nonEmpty()

const email = z.email({
  error: `${VALUE} is not a valid email address`,
})

const person = z
  .string()
  .regex(/\S/, { error: 'must not be empty' })
  .refine((value) => !value.includes('@') || isEmail(value), {
    error: `${VALUE} looks like an email address but is not a valid one`,
  })
  .meta({ description: 'A person: an email address or a Grafana login.' })

const oktaGroupRef = z
  .string()
  .regex(/\S/, { error: 'must not be empty' })
  .refine((value) => !/^id:\s*$/i.test(value), {
    error: '`id:` must be followed by the Okta group id',
  })
  .meta({ description: 'An Okta group: its exact name, or `id:00g…` for its id.' })

const principals = z
  .strictObject({
    users: z.array(person).optional().meta({ description: 'People, by email or login.' }),
    oktaGroups: z.array(oktaGroupRef).optional().meta({ description: 'Okta groups.' }),
  })
  .meta({ description: 'People and Okta groups.' })

const limit = z
  .union([z.int().min(0), z.string().regex(PERCENT)])
  .meta({ description: 'A whole number, or a percent such as "25%".' })

/** The Grafana instances an org, team or user is managed on; default: every declared instance. */
const instanceNames = z
  .array(nonEmpty())
  .meta({ description: 'Names of the `instances:` this is managed on. Default: every instance.' })

/** A secret named by the environment variable that holds it; never written in YAML. */
const envSecret = (what: string) =>
  z
    .strictObject({
      env: z.string().regex(ENV_NAME, { error: 'must be an environment variable name' }),
    })
    .meta({ description: `${what}, read from this environment variable; never in YAML.` })

export const instanceSchema = z
  .strictObject({
    name: nonEmpty().meta({ description: 'The name orgs, teams and users pick it by.' }),
    url: nonEmpty().meta({ description: 'The Grafana URL; `${VAR}` is replaced as elsewhere.' }),
    token: envSecret('A service-account token').optional(),
    username: envSecret('The username of a Grafana server admin (basic auth)').optional(),
    password: envSecret('The password of that server admin (basic auth)').optional(),
  })
  .meta({ description: 'One Grafana instance: a token, or username and password.' })

export const orgRoleSchema = z.enum(['Viewer', 'Editor', 'Admin'])

export const settingsSchema = z.strictObject({
  defaultOrg: name.optional().meta({
    description: 'Org for teams and bindings that name none. Default: "Main Org."',
  }),
  identity: z.enum(['email', 'login']).optional().meta({
    description: 'How people are matched with Grafana and Okta (case-insensitive). Default: email',
  }),
  missingUsers: z.enum(['skip', 'create']).optional().meta({
    description: 'What to do with people who have no Grafana account yet. Default: skip',
  }),
  prune: z
    .strictObject({
      teamMembers: z.boolean().optional().meta({
        description:
          'Remove members of declared teams that the config does not list. Default: true',
      }),
      teams: z.boolean().optional().meta({
        description: 'Delete undeclared teams in declared orgs. Default: false',
      }),
      orgUsers: z.boolean().optional().meta({
        description: 'Remove undeclared users from declared orgs. Default: false',
      }),
    })
    .optional(),
  safety: z
    .strictObject({
      maxRemovals: limit.optional().meta({
        description:
          'Most removals in one run: a number or a percent of current managed memberships. Default: "25%"',
      }),
      maxRemovalsPerTeam: limit.optional().meta({
        description:
          'Most removals from one team: a number or a percent of its members. Default: "50%"',
      }),
      protectedUsers: z.array(person).optional().meta({
        description:
          'Logins or emails that are never removed, demoted or disabled. Default: [admin]',
      }),
    })
    .optional(),
  okta: z
    .strictObject({
      memberStatuses: z.array(z.enum(OKTA_USER_STATUSES)).optional().meta({
        description:
          'Okta user statuses that count as members. Default: [ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY]',
      }),
    })
    .optional(),
})

export const orgSchema = z.strictObject({
  name,
  renamedFrom: nonEmpty().optional().meta({
    description: 'Rename the org with this name instead of creating a new one.',
  }),
  admins: principals.optional(),
  editors: principals.optional(),
  viewers: principals.optional(),
  instances: instanceNames.optional(),
})

export const userSchema = z
  .strictObject({
    login: nonEmpty(),
    email: email.optional(),
    name: z.string().optional(),
    password: z
      .strictObject({
        env: z.string().regex(ENV_NAME, { error: 'must be an environment variable name' }),
      })
      .optional()
      .meta({
        description: 'Initial password, read from this environment variable; never in YAML.',
      }),
    isGrafanaAdmin: z.boolean().optional(),
    disabled: z.boolean().optional(),
    orgRoles: z
      .record(nonEmpty(), orgRoleSchema)
      .optional()
      .meta({ description: 'Org name → role (Viewer, Editor or Admin).' }),
    instances: instanceNames.optional(),
  })
  .meta({ description: 'A local (non-SSO) Grafana account.' })

export const preferencesSchema = z
  .strictObject({
    theme: z.enum(['light', 'dark', 'system', '']).optional(),
    timezone: z
      .string()
      .refine(isTimezone, {
        error: `${VALUE} is not a time zone`,
      })
      .optional()
      .meta({ description: '"utc", "browser", "" or an IANA zone such as Europe/Berlin.' }),
    weekStart: z.enum(['monday', 'sunday', 'saturday', '']).optional(),
    homeDashboardUid: z.string().optional(),
  })
  .meta({ description: 'Team preferences; only keys that are present are managed.' })

export const teamSchema = z.strictObject({
  name,
  renamedFrom: nonEmpty().optional().meta({
    description:
      'Rename the team with this name (in the same org) instead of creating a new one: it keeps its id, folder and dashboard permissions and preferences.',
  }),
  org: nonEmpty().optional().meta({ description: 'Default: settings.defaultOrg' }),
  email: z
    .string()
    .refine((value) => value === '' || isEmail(value), {
      error: `${VALUE} is not a valid email address`,
    })
    .optional(),
  preferences: preferencesSchema.optional(),
  members: principals.optional(),
  admins: principals.optional().meta({ description: 'Members with the Admin team permission.' }),
  instances: instanceNames.optional(),
})

export const mappingSchema = z
  .strictObject({
    okta_group: oktaGroupRef,
    grafana_team: nonEmpty(),
  })
  .meta({ description: 'One Okta group → one team in settings.defaultOrg.' })

export const configFileSchema = z
  .strictObject({
    settings: settingsSchema
      .nullish()
      .meta({ description: 'Run-wide settings; each key may be set in one file only.' }),
    orgs: z.array(orgSchema).nullish().meta({ description: 'Grafana organizations.' }),
    users: z.array(userSchema).nullish().meta({ description: 'Local (non-SSO) accounts.' }),
    teams: z.array(teamSchema).nullish().meta({ description: 'Teams, their members and admins.' }),
    mappings: z.array(mappingSchema).nullish().meta({
      description: 'The compact form: one Okta group → one team in the default org.',
    }),
    instances: z.array(instanceSchema).nullish().meta({
      description:
        'Several Grafana instances from one config; without it, the one from the inputs or GRAFANA_*.',
    }),
  })
  .meta({
    title: 'grafana-team-sync config file',
    description:
      'Grafana organizations, teams, members and org roles. All files under the config path merge.',
  })

export type SettingsInput = z.infer<typeof settingsSchema>
export type OrgInput = z.infer<typeof orgSchema>
export type UserInput = z.infer<typeof userSchema>
export type TeamInput = z.infer<typeof teamSchema>
export type InstanceInput = z.infer<typeof instanceSchema>
export type MappingInput = z.infer<typeof mappingSchema>
export type PrincipalsInput = z.infer<typeof principals>
export type ConfigFileInput = z.infer<typeof configFileSchema>
