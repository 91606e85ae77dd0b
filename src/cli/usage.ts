// The --help text: commands, options, environment and exit statuses.
export const USAGE = `Usage: grafana-team-sync <validate|plan|apply> [options]

Grafana access as code: validate the YAML config, plan the changes against live Grafana and Okta, apply them.

Commands:
  validate   check the config offline (schema and cross-references)
  plan       read Okta and Grafana and print the changes; writes nothing
  apply      plan again against the live state, check the safety guards, apply

Options:
  -c, --config <path>     folder of *.yaml/*.yml config files, read recursively, or one
                          YAML file (default: teams)
      --json              print only a JSON document on stdout (validation result, plan or
                          apply result); progress, logs and errors go to stderr
  -o, --out <file>        also write that JSON document to this file
      --force             apply even when a safety guard (maxRemovals, maxRemovalsPerTeam) trips
      --detailed-exitcode plan: exit 2 when changes are pending
      --concurrency <n>   concurrent requests per service, 1-64 (default: 8)
      --base-config <dir> plan: the base branch's config; each change is marked as from this
                          change or already pending (an apply of the base would make it too)
  -h, --help              show this help
  -v, --version           print the version

Environment (credentials: plan and apply only; validate needs none):
  GRAFANA_URL                           Grafana base URL, e.g. https://grafana.acme.example or
                                        https://acme.example/grafana (served under a sub-path)
  GRAFANA_TOKEN                         service-account token, or:
  GRAFANA_USERNAME, GRAFANA_PASSWORD    basic auth of a server admin (orgs, local users)
  OKTA_DOMAIN, OKTA_API_TOKEN           Okta org and API token, for Okta groups: a host such as
                                        acme.okta.com (https) or an https:// URL
  \${VAR} in the config and each local user's password variable come from the environment too.

Exit status:
  0  success (plan: also when changes are pending, unless --detailed-exitcode)
  1  error: invalid config, a failed read or write, a plan error, or a blocked apply
  2  plan with --detailed-exitcode: changes are pending
  apply exits 0 only when every change was applied (or none was needed); --detailed-exitcode
  does not change apply, which leaves nothing pending when it succeeds.
`
