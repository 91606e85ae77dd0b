// The --help text: commands, options, environment and exit statuses.
export const USAGE = `Usage: grafana-team-sync <validate|plan|apply|serve> [options]
       grafana-team-sync export [--out teams] [--org NAME]... [--okta-groups] [--instance NAME] [--force]

Grafana access as code: validate the YAML config, plan the changes against live Grafana and Okta, apply them.

Commands:
  validate   check the config offline (schema and cross-references)
  plan       read Okta and Grafana and print the changes; writes nothing
  apply      plan again against the live state, check the safety guards, apply
  export     write YAML that describes the live Grafana, so that a plan of it is empty
  serve      apply at start and then every interval, with /healthz, /readyz and /metrics

Options:
  -c, --config <path>     folder of *.yaml/*.yml config files, read recursively, or one
                          YAML file (default: teams)
      --json              print only a JSON document on stdout (validation result, plan or
                          apply result); progress, logs and errors go to stderr
  -o, --out <file>        also write that JSON document to this file
      --force             apply even when a safety guard (maxRemovals, maxRemovalsPerTeam) trips
      --detailed-exitcode plan: exit 2 when changes are pending
      --concurrency <n>   concurrent requests per service, 1-64 (default: 8)
      --metrics-file <f>  plan, apply: also write the run's Prometheus metrics to this file
                          (atomically, for node_exporter's textfile collector)
      --base-config <dir> plan: the base branch's config; each change is marked as from this
                          change or already pending (an apply of the base would make it too)
  -h, --help              show this help
  -v, --version           print the version

Export options:
  -o, --out <folder>      where to write the YAML files (default: teams); existing YAML there
                          is an error unless --force
      --org <name>        export only this org (repeatable; default: every org the credentials read)
      --okta-groups       name a team's Okta group instead of its members where the group of the
                          team's name holds exactly them (needs OKTA_DOMAIN, OKTA_API_TOKEN)
      --instance <name>   export this instance of the config's \`instances:\` (--config), with the
                          credentials its \`{ env: … }\` name, instead of GRAFANA_*
      --force             overwrite existing files of the same names

Options of serve (no --force: a run that trips a safety guard is blocked, the next one retries):
      --interval <d>      time between runs: 30s, 5m, 1h, 1h30m (default: 5m; env SYNC_INTERVAL)
      --listen <addr>     host:port of /healthz, /readyz and /metrics (default: 127.0.0.1:9469;
                          env LISTEN_ADDRESS; 0.0.0.0:9469 in a container)
      --dry-run           plan only, write nothing (env DRY_RUN=true)
      --log-format <f>    text or json, one line per event on stderr (default: text; env
                          LOG_FORMAT; LOG_LEVEL=debug adds progress lines)
  SIGHUP runs now; SIGTERM and SIGINT stop after the writes in flight, exit status 0.

Environment (credentials: plan, apply, serve and export; validate needs none):
  GRAFANA_URL                           Grafana base URL, e.g. https://grafana.acme.example or
                                        https://acme.example/grafana (served under a sub-path)
  GRAFANA_TOKEN                         service-account token, or:
  GRAFANA_USERNAME, GRAFANA_PASSWORD    basic auth of a server admin (orgs, local users)
  OKTA_DOMAIN, OKTA_API_TOKEN           Okta org and API token, for Okta groups: a host such as
                                        acme.okta.com (https) or an https:// URL
  OKTA_CLIENT_ID, OKTA_PRIVATE_KEY      instead of a token, an Okta API Services app: its Client ID
  OKTA_KEY_ID                           and private key (PEM PKCS#8 or JWK JSON), optional key id
  \${VAR} in the config and each local user's password variable come from the environment too.

Exit status:
  0  success (plan: also when changes are pending, unless --detailed-exitcode)
  1  error: invalid config, a failed read or write, a plan error, or a blocked apply
  2  plan with --detailed-exitcode: changes are pending
  apply exits 0 only when every change was applied (or none was needed); --detailed-exitcode
  does not change apply, which leaves nothing pending when it succeeds.
`
