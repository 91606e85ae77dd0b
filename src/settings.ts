// A problem with one setting of the run, as a code and fields: the Action calls the setting an input
// (`grafana-url`), the CLI an environment variable (GRAFANA_URL). Each adapter words it with its own name.

export type Setting = 'grafana-url'

export type SettingProblem =
  | { code: 'setting-unset'; setting: Setting; neededFor: string }
  | { code: 'setting-invalid'; setting: Setting; expected: string }

/** How an adapter names a setting, e.g. "`grafana-url`" or "GRAFANA_URL". */
export type SettingName = (setting: Setting) => string

/** The wording when no adapter names the setting: the input, with the CLI's variable beside it. */
const BOTH_NAMES: SettingName = (setting) => `${setting} (CLI: ${SETTING_ENV[setting]})`

/** The CLI's environment variable for each setting. */
export const SETTING_ENV: Record<Setting, string> = { 'grafana-url': 'GRAFANA_URL' }

export function describeSetting(problem: SettingProblem, name: SettingName = BOTH_NAMES): string {
  switch (problem.code) {
    case 'setting-unset':
      return `${name(problem.setting)} is not set: it is needed ${problem.neededFor}`
    case 'setting-invalid':
      return `${name(problem.setting)} is not a valid URL (expected e.g. ${problem.expected})`
  }
}

/** Thrown by a lower layer; the message is the neutral wording, `problem` lets an adapter word it. */
export class SettingError extends Error {
  readonly problem: SettingProblem

  constructor(problem: SettingProblem) {
    super(describeSetting(problem))
    this.name = 'SettingError'
    this.problem = problem
  }
}
