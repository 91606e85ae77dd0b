import { grafanaSecrets, secretLookingEnv, unique } from '../secrets/index.ts'
import { privateKeySecrets } from '../okta/index.ts'
import type { CliIO } from './run.ts'

/** The credentials of the environment, and whatever else in it is named like a secret. */
export function cliSecrets(env: CliIO['env']): string[] {
  return unique([
    ...grafanaSecrets({
      url: env.GRAFANA_URL ?? '',
      token: env.GRAFANA_TOKEN,
      username: env.GRAFANA_USERNAME,
      password: env.GRAFANA_PASSWORD,
    }),
    env.OKTA_API_TOKEN,
    env.OKTA_API_TOKEN?.trim(),
    ...privateKeySecrets(env.OKTA_PRIVATE_KEY),
    ...secretLookingEnv(env),
  ])
}
