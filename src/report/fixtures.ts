// Hand-built plans for the report tests; independent of the planner.

import type {
  ApplyResult,
  Change,
  ChangeResult,
  Plan,
  Provenance,
  SourceRef,
  UserRef,
} from '../model.ts'

export function at(file: string, line: number, col = 7): SourceRef {
  return { file, line, col }
}

export function okta(...groups: string[]): Provenance {
  return { oktaGroups: groups, yaml: [] }
}

export function yaml(...refs: SourceRef[]): Provenance {
  return { oktaGroups: [], yaml: refs }
}

export const NOT_DECLARED: Provenance = { oktaGroups: [], yaml: [], notDeclared: true }

export function person(email: string, id?: number): UserRef {
  const login = email.split('@')[0] ?? email
  return id === undefined ? { login, email } : { id, login, email }
}

export function planOf(changes: Change[], extra: Partial<Plan> = {}): Plan {
  const counts: Plan['counts'] = {}
  for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1
  return {
    version: 1,
    changes,
    pending: [],
    warnings: [],
    errors: [],
    heldBack: [],
    guards: [],
    counts,
    stats: { requests: [] },
    ...extra,
  }
}

const MAIN = 'Main Org.'

/** A plan as a reviewer would see on a typical PR: two orgs, new and changed teams, every change kind. */
export function typicalPlan(): Plan {
  const ana = person('ana@acme.example', 11)
  const bob = person('bob@acme.example', 12)
  const carol = person('carol@acme.example', 13)
  const dave = person('dave@acme.example', 14)
  const erin = person('erin@acme.example', 15)
  const changes: Change[] = [
    { id: 'create-org:Ops', dependsOn: [], kind: 'create-org', org: 'Ops' },
    {
      id: 'create-user:office-tv',
      dependsOn: [],
      kind: 'create-user',
      user: { login: 'office-tv', email: 'tv@acme.example' },
      name: 'Office TV',
      passwordEnv: 'OFFICE_TV_PASSWORD',
    },
    {
      id: 'update-user:kiosk',
      dependsOn: [],
      kind: 'update-user',
      user: { id: 30, login: 'kiosk', email: 'kiosk@acme.example' },
      from: { name: 'Kiosk', disabled: true },
      to: { name: 'Lobby kiosk', disabled: false },
    },
    {
      id: `add-org-user:${MAIN}/ana@acme.example`,
      dependsOn: [],
      kind: 'add-org-user',
      org: MAIN,
      orgId: 1,
      user: ana,
      role: 'Editor',
      provenance: okta('Engineering'),
    },
    {
      id: `set-org-role:${MAIN}/carol@acme.example`,
      dependsOn: [],
      kind: 'set-org-role',
      org: MAIN,
      orgId: 1,
      user: carol,
      from: 'Viewer',
      to: 'Admin',
      provenance: yaml(at('teams/orgs.yaml', 4)),
    },
    {
      id: `remove-org-user:${MAIN}/dave@acme.example`,
      dependsOn: [],
      kind: 'remove-org-user',
      org: MAIN,
      orgId: 1,
      user: dave,
      role: 'Viewer',
      provenance: NOT_DECLARED,
    },
    {
      id: `update-team:${MAIN}/Platform`,
      dependsOn: [],
      kind: 'update-team',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      from: { email: '' },
      to: { email: 'platform@acme.example' },
    },
    {
      id: `set-team-preferences:${MAIN}/Platform`,
      dependsOn: [],
      kind: 'set-team-preferences',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      from: { theme: 'light', timezone: 'utc', weekStart: '' },
      to: { theme: 'dark', timezone: 'utc', weekStart: 'monday' },
    },
    {
      id: `add-team-member:${MAIN}/Platform/ana@acme.example`,
      dependsOn: [`add-org-user:${MAIN}/ana@acme.example`],
      kind: 'add-team-member',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      user: ana,
      permission: 'Admin',
      provenance: okta('Platform-Leads'),
    },
    {
      id: `add-team-member:${MAIN}/Platform/erin@acme.example`,
      dependsOn: [],
      kind: 'add-team-member',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      user: erin,
      permission: 'Member',
      provenance: {
        oktaGroups: ['Platform-Engineers'],
        yaml: [at('teams/platform.yaml', 9)],
      },
    },
    {
      id: `set-team-permission:${MAIN}/Platform/carol@acme.example`,
      dependsOn: [],
      kind: 'set-team-permission',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      user: carol,
      from: 'Member',
      to: 'Admin',
      provenance: yaml(at('teams/platform.yaml', 12)),
    },
    {
      id: `remove-team-member:${MAIN}/Platform/bob@acme.example`,
      dependsOn: [],
      kind: 'remove-team-member',
      org: MAIN,
      orgId: 1,
      team: 'Platform',
      teamId: 7,
      user: bob,
      permission: 'Member',
      provenance: NOT_DECLARED,
    },
    {
      id: `create-team:${MAIN}/Search`,
      dependsOn: [],
      kind: 'create-team',
      org: MAIN,
      orgId: 1,
      team: 'Search',
      email: 'search@acme.example',
      source: at('teams/search.yaml', 2, 9),
    },
    {
      id: `add-team-member:${MAIN}/Search/bob@acme.example`,
      dependsOn: [`create-team:${MAIN}/Search`],
      kind: 'add-team-member',
      org: MAIN,
      orgId: 1,
      team: 'Search',
      user: bob,
      permission: 'Member',
      provenance: okta('Search-Engineers'),
    },
    {
      id: `delete-team:${MAIN}/Legacy`,
      dependsOn: [],
      kind: 'delete-team',
      org: MAIN,
      orgId: 1,
      team: 'Legacy',
      teamId: 3,
      memberCount: 7,
    },
    {
      id: 'create-team:Ops/On-call',
      dependsOn: ['create-org:Ops'],
      kind: 'create-team',
      org: 'Ops',
      team: 'On-call',
      source: at('teams/ops.yaml', 5, 9),
    },
    {
      id: 'add-team-member:Ops/On-call/dave@acme.example',
      dependsOn: ['create-team:Ops/On-call'],
      kind: 'add-team-member',
      org: 'Ops',
      team: 'On-call',
      user: dave,
      permission: 'Admin',
      provenance: okta('SRE'),
    },
  ]
  return planOf(changes, {
    pending: [
      {
        identity: 'frank@acme.example',
        org: MAIN,
        team: 'Platform',
        provenance: okta('Platform-Engineers'),
      },
      {
        identity: 'gina@acme.example',
        org: MAIN,
        provenance: yaml(at('teams/orgs.yaml', 6)),
      },
    ],
    warnings: [
      {
        code: 'okta-group-empty',
        message:
          'Okta group Data-Team has no members; removals from Main Org. / Data are held back.',
        source: at('teams/data.yaml', 6),
        org: MAIN,
        team: 'Data',
      },
    ],
    heldBack: [
      {
        org: MAIN,
        team: 'Data',
        reason: 'Okta group Data-Team has no members',
        removals: 3,
        users: ['hal@acme.example', 'ivy@acme.example', 'jon@acme.example'],
      },
    ],
    stats: {
      requests: [
        {
          service: 'grafana',
          endpoint: 'GET /api/teams/search',
          requests: 2,
          retries: 0,
          bytes: 4096,
        },
        {
          service: 'grafana',
          endpoint: 'GET /api/teams/:id/members',
          requests: 3,
          retries: 1,
          bytes: 9216,
        },
        {
          service: 'okta',
          endpoint: 'GET /api/v1/groups/:id/users',
          requests: 4,
          retries: 0,
          bytes: 20480,
        },
      ],
    },
  })
}

/** The typical plan applied: one team creation fails, its member add is skipped, one add was already done. */
export function typicalResult(plan: Plan): ApplyResult {
  const results: ChangeResult[] = plan.changes.map((change) => {
    if (change.id === 'create-team:Ops/On-call')
      return { id: change.id, status: 'failed', detail: 'Grafana 409: Team name taken' }
    if (change.id === 'add-team-member:Ops/On-call/dave@acme.example')
      return {
        id: change.id,
        status: 'skipped',
        detail: 'depends on create-team:Ops/On-call, which failed',
      }
    if (change.id === `add-team-member:${MAIN}/Search/bob@acme.example`)
      return { id: change.id, status: 'already-done' }
    return { id: change.id, status: 'applied' }
  })
  return {
    blocked: false,
    results,
    applied: results.filter((r) => r.status === 'applied' || r.status === 'already-done').length,
    failed: 1,
    skipped: 1,
    extra: ['removed the sync user admin@localhost from Main Org./Search (team creator)'],
  }
}

/**
 * A large org: `teams` teams of `perTeam` changes each (80% adds, 10% permission changes, 10%
 * removals), members from Okta groups with realistic names.
 */
export function bigPlan(teams = 50, perTeam = 100): Plan {
  const changes: Change[] = []
  for (let t = 0; t < teams; t++) {
    const org = t % 2 ? 'Engineering' : MAIN
    const team = `Team-${String(t).padStart(3, '0')}-Services`
    const group = `Okta-${team}-Engineers`
    for (let i = 0; i < perTeam; i++) {
      const email = `firstname.lastname${String(t * perTeam + i).padStart(5, '0')}@acme.example`
      const user = person(email, 1000 + t * perTeam + i)
      const base = { dependsOn: [], org, orgId: t % 2 ? 2 : 1, team, teamId: 100 + t, user }
      const slot = i % 10
      if (slot < 8)
        changes.push({
          ...base,
          id: `add-team-member:${org}/${team}/${email}`,
          kind: 'add-team-member',
          permission: i % 25 === 0 ? 'Admin' : 'Member',
          provenance: okta(group),
        })
      else if (slot === 8)
        changes.push({
          ...base,
          id: `set-team-permission:${org}/${team}/${email}`,
          kind: 'set-team-permission',
          from: 'Member',
          to: 'Admin',
          provenance: yaml(at(`teams/${team.toLowerCase()}.yaml`, 10 + i)),
        })
      else
        changes.push({
          ...base,
          id: `remove-team-member:${org}/${team}/${email}`,
          kind: 'remove-team-member',
          permission: 'Member',
          provenance: NOT_DECLARED,
        })
    }
  }
  return planOf(changes, {
    guards: [
      {
        guard: 'maxRemovals',
        scope: 'run',
        limit: '25%',
        allowed: 120,
        removals: teams * (perTeam / 10),
      },
    ],
  })
}

/** Names and messages an attacker could put in YAML or an API response. */
export const HOSTILE = {
  org: 'Evil</details><script>alert(1)</script>',
  teams: [
    '@acme/admins',
    '```\n## Approved ✅',
    '</summary></details><img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    'a|b|c',
    '~~~\n# heading',
  ],
  emails: ['@octocat', 'x\n- [x] merged by @admin', 'mallory``` @evil'],
  group: '@everyone',
  file: 'teams/`odd`.yaml',
  message:
    'see <a href="https://evil.example">here</a> ![img](https://evil.example/x.png) cc @security #1',
}

export function hostilePlan(): Plan {
  const changes: Change[] = []
  HOSTILE.teams.forEach((team, t) => {
    HOSTILE.emails.forEach((email, i) => {
      const user = { id: 500 + t * 10 + i, login: email, email }
      const base = { dependsOn: [], org: HOSTILE.org, orgId: 9, team, teamId: 90 + t, user }
      changes.push({
        ...base,
        id: `add-team-member:${HOSTILE.org}/${team}/${email}`,
        kind: 'add-team-member',
        permission: 'Admin',
        provenance: { oktaGroups: [HOSTILE.group], yaml: [at(HOSTILE.file, 3)] },
      })
      changes.push({
        ...base,
        id: `remove-team-member:${HOSTILE.org}/${team}/x${email}`,
        kind: 'remove-team-member',
        user: { ...user, id: user.id + 1000 },
        permission: 'Member',
        provenance: NOT_DECLARED,
      })
    })
    changes.push({
      id: `set-team-preferences:${HOSTILE.org}/${team}`,
      dependsOn: [],
      kind: 'set-team-preferences',
      org: HOSTILE.org,
      orgId: 9,
      team,
      teamId: 90 + t,
      from: { timezone: 'utc' },
      to: { timezone: '```</details>@tz' },
    })
  })
  return planOf(changes, {
    pending: HOSTILE.emails.map((identity) => ({
      identity,
      org: HOSTILE.org,
      team: HOSTILE.teams[0],
      provenance: okta(HOSTILE.group),
    })),
    warnings: [
      {
        code: 'okta-group-empty',
        message: HOSTILE.message,
        org: HOSTILE.org,
        team: HOSTILE.teams[2],
      },
    ],
    errors: [{ code: 'org-missing', message: HOSTILE.message, source: at(HOSTILE.file, 4) }],
    heldBack: [
      {
        org: HOSTILE.org,
        team: HOSTILE.teams[1],
        reason: HOSTILE.message,
        removals: 3,
        users: HOSTILE.emails,
      },
    ],
    guards: [
      {
        guard: 'maxRemovalsPerTeam',
        scope: `${HOSTILE.org} / ${HOSTILE.teams[3]}`,
        limit: '1|2',
        allowed: 1,
        removals: 3,
      },
    ],
  })
}

export interface Markup {
  /** Lines outside fenced code blocks. */
  outside: string[]
  /** Content lines of each fenced code block, with its info string and fence. */
  blocks: { fence: string; info: string; lines: string[] }[]
  /** A fence left open at the end. */
  unclosed: boolean
}

/** Splits markdown the way CommonMark fences work, so tests see what GitHub would treat as code. */
export function parseMarkup(markdown: string): Markup {
  const result: Markup = { outside: [], blocks: [], unclosed: false }
  let open: Markup['blocks'][number] | undefined
  for (const line of markdown.split('\n')) {
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)
      if (close?.[1] && close[1][0] === open.fence[0] && close[1].length >= open.fence.length)
        open = undefined
      else open.lines.push(line)
      continue
    }
    const start = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line)
    if (start?.[1] && !(start[1][0] === '`' && start[2]?.includes('`'))) {
      open = { fence: start[1], info: (start[2] ?? '').trim(), lines: [] }
      result.blocks.push(open)
      continue
    }
    result.outside.push(line)
  }
  result.unclosed = open !== undefined
  return result
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' }

export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|[a-z]+);/g, (whole, ref: string) =>
    ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (NAMED[ref] ?? whole),
  )
}

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0
}

/** Every way a rendered report could be unbalanced or let hostile text act as markup; empty when fine. */
export function markupProblems(markdown: string): string[] {
  const problems: string[] = []
  const { outside, blocks, unclosed } = parseMarkup(markdown)
  const text = outside.join('\n')
  if (unclosed) problems.push('a code fence is not closed')
  if (count(text, /<details[ >]/g) !== count(text, /<\/details>/g))
    problems.push('<details> unbalanced')
  if (count(text, /<summary>/g) !== count(text, /<\/summary>/g))
    problems.push('<summary> unbalanced')
  for (const tag of text.match(/<\/?[a-zA-Z][^>]*>/g) ?? [])
    if (!/^<\/?(details|summary|code|b)( open)?>$/.test(tag)) problems.push(`raw tag ${tag}`)
  // GitHub finds mentions and references in the rendered text, after character references are decoded.
  const rendered = decodeEntities(text)
  const mention = /(^|[^A-Za-z0-9])@[A-Za-z0-9]/m.exec(rendered)
  if (mention)
    problems.push(`mention at ${JSON.stringify(rendered.slice(mention.index, mention.index + 30))}`)
  if (/#\d/.test(rendered)) problems.push('issue reference')
  if (/:\/\/|www\./.test(rendered.replace(/\]\(https:\/\/github\.com\/[^)]*\)/g, '')))
    problems.push('bare URL would be autolinked')
  if (/\]\(javascript:/i.test(text) || /!\[/.test(text)) problems.push('link or image injected')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(markdown)) problems.push('control character')
  for (const line of outside)
    if (/^ {0,3}#{1,6} /.test(line) && !/^#{2,4} [A-Z]|^## grafana-team-sync/.test(line))
      problems.push(`unexpected heading ${line}`)
  for (const block of blocks)
    for (const line of block.lines)
      if (block.info === 'diff' && !/^[+~-] /.test(line)) problems.push(`diff line broken: ${line}`)
  problems.push(...tableProblems(outside))
  return problems
}

function cells(row: string): number {
  return row.replace(/\\\|/g, '').split('|').length - 2
}

function tableProblems(lines: string[]): string[] {
  const problems: string[] = []
  let width = 0
  for (const line of lines) {
    if (!line.startsWith('|')) {
      width = 0
      continue
    }
    if (!width) width = cells(line)
    else if (cells(line) !== width)
      problems.push(`table row has ${cells(line)} cells, not ${width}: ${line}`)
  }
  return problems
}
