// A one-minute tour: fake Grafana and Okta seeded from the teams/ example (with some drift),
// then the CLI as a user runs it: plan, apply, plan again. Run with `npm run demo`.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeGrafana, type FakeGrafana } from '../test/fakes/grafana.ts'
import { startFakeOkta, type FakeOkta } from '../test/fakes/okta.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const ADMIN_PASSWORD = 'demo-admin-password'

interface Person {
  first: string
  last: string
  /** Okta groups (by name) the person belongs to. */
  groups: string[]
  /** Has a Grafana account already (people without one show up as pending). */
  grafana?: boolean
}

const PEOPLE: Person[] = [
  { first: 'Maria', last: 'Gonzalez', groups: ['Grafana-Admins', 'Everyone'] },
  { first: 'Bob', last: 'Schmidt', groups: ['Engineering', 'Everyone', 'Platform-Leads'] },
  { first: 'Carol', last: 'Nguyen', groups: ['Engineering', 'Everyone', 'Platform-Engineers'] },
  { first: 'Dev', last: 'Patel', groups: ['Engineering', 'Everyone', 'Platform-Engineers'] },
  { first: 'Ines', last: 'Moreau', groups: ['Engineering', 'Everyone', 'SRE-Oncall'] },
  {
    first: 'Tomás',
    last: 'Silva',
    groups: ['Engineering', 'Everyone', 'SRE-Oncall', 'Platform-Engineers'],
  },
  { first: 'Li', last: 'Wei', groups: ['Engineering', 'Everyone', 'Data-Engineers'] },
  { first: 'Priya', last: 'Shah', groups: ['Engineering', 'Everyone', 'Data-Platform'] },
  { first: 'Noah', last: 'Fischer', groups: ['Everyone', 'Data-Analysts'] },
  { first: 'Aiko', last: 'Tanaka', groups: ['Everyone', 'Data-Analysts'], grafana: false },
  { first: 'Lucas', last: 'Martin', groups: ['Engineering', 'Everyone', 'Frontend-Engineers'] },
  { first: 'Zoe', last: 'Clarke', groups: ['Frontend-Contractors'] },
  { first: 'Omar', last: 'Haddad', groups: ['Engineering', 'Everyone', 'Security-Engineers'] },
  { first: 'Jordan', last: 'Lee', groups: ['Everyone', 'Partner-Contractors'] },
  { first: 'Sam', last: 'Okafor', groups: ['Partner-Contractors', 'Partner-Integrations'] },
  { first: 'Eva', last: 'Novak', groups: ['Partner-Contractors', 'Partner-Support'] },
  { first: 'Mateo', last: 'Rossi', groups: ['Partner-Support'], grafana: false },
]

const GROUPS = [
  'Grafana-Admins',
  'Engineering',
  'Everyone',
  'Partner-Contractors',
  'Partner-Support',
  'Partner-Integrations',
  'Data-Engineers',
  'Data-Analysts',
  'Frontend-Engineers',
  'Frontend-Contractors',
  'Security-Engineers',
  'Platform-Engineers',
  'Platform-Leads',
  'SRE-Oncall',
]

const emailOf = (p: Person) =>
  `${p.first}.${p.last}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase() + '@acme.example'

function seedOkta(okta: FakeOkta): void {
  const groupIds = new Map(GROUPS.map((name) => [name, okta.addGroup({ name })]))
  // teams/data.yaml names this group by id.
  groupIds.set(
    'Data-Platform',
    okta.addGroup({ name: 'Data-Platform', id: '00g7k2r9xbq4lmn3p5d7' }),
  )
  for (const person of PEOPLE) {
    const email = emailOf(person)
    const id = okta.addUser({ login: email, email, firstName: person.first, lastName: person.last })
    for (const group of person.groups) okta.addMember(groupIds.get(group)!, id)
  }
}

/** Grafana as it was before the repository existed, drift included. */
function seedGrafana(grafana: FakeGrafana): void {
  const ids = new Map<string, number>()
  for (const person of PEOPLE.filter((p) => p.grafana !== false)) {
    const email = emailOf(person)
    const login = email.split('@')[0]!
    ids.set(
      email,
      grafana.addUser({
        login,
        email,
        name: `${person.first} ${person.last}`,
        orgs: { 1: 'Viewer' },
      }),
    )
  }
  const contractor = grafana.addUser({
    login: 'old.contractor',
    email: 'old.contractor@acme.example',
    orgs: { 1: 'Editor' },
  })
  const id = (first: string) => ids.get(emailOf(PEOPLE.find((p) => p.first === first)!))!
  // Drift: an extra member nobody declared, and a team admin demoted to member.
  grafana.addTeam(1, 'Platform', {
    email: 'platform@acme.example',
    members: [
      { userId: id('Bob'), permission: 0 },
      { userId: id('Carol'), permission: 0 },
      { userId: contractor, permission: 0 },
    ],
  })
  grafana.addTeam(1, 'Analytics', { members: [{ userId: id('Noah'), permission: 0 }] })
  // Missing: SRE, Data Engineering, Frontend, Security teams and the Partners org.
}

function run(caption: string, args: string[], env: Record<string, string>): Promise<number> {
  console.log(
    `\n\x1b[36m# ${caption}\x1b[0m\n\x1b[1m$ grafana-team-sync ${args.join(' ')}\x1b[0m\n`,
  )
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/index.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    })
    child.on('error', reject)
    child.on('close', (code) => {
      console.log(`\n(exit status ${code})`)
      resolve(code ?? 1)
    })
  })
}

async function main(): Promise<void> {
  const grafana = await startFakeGrafana({ adminPassword: ADMIN_PASSWORD })
  const okta = await startFakeOkta()
  try {
    seedOkta(okta)
    seedGrafana(grafana)
    console.log(`Fake Grafana on ${grafana.url}, fake Okta on ${okta.url}, config in teams/.`)
    const env = {
      GRAFANA_URL: grafana.url,
      GRAFANA_USERNAME: 'admin',
      GRAFANA_PASSWORD: ADMIN_PASSWORD,
      OKTA_DOMAIN: okta.url,
      OKTA_API_TOKEN: okta.token,
      OFFICE_TV_PASSWORD: 'demo-office-tv-password',
    }
    await run(
      '1. Plan: what the YAML wants vs. live Grafana and Okta (drift: an extra member, an admin demoted, missing teams, a missing org). Writes nothing.',
      ['plan', '--config', 'teams'],
      env,
    )
    await run(
      '2. Apply: plan again against the live state, check the safety guards, write.',
      ['apply', '--config', 'teams'],
      env,
    )
    const again = await run(
      '3. Plan again: a converged Grafana plans nothing (exit 0; 2 would mean changes pending).',
      ['plan', '--config', 'teams', '--detailed-exitcode'],
      env,
    )
    console.log(
      again === 0
        ? '\nThe second plan is empty: Grafana now matches the repository.'
        : '\nThe second plan still has changes; see above.',
    )
    console.log(`Grafana received ${grafana.writes().length} writes in total.`)
  } finally {
    await Promise.all([grafana.close(), okta.close()])
  }
}

await main()
