import { escapeMarkdown } from '../report/index.ts'
import { grafanaSecrets, secretLookingEnv, unique } from '../secrets/index.ts'
import { privateKeySecrets } from '../okta/index.ts'
import { readInput } from './inputs.ts'

type Env = Record<string, string | undefined>

/**
 * Every secret the run knows before anything is parsed or logged (an input error may echo a value):
 * the secret inputs, the Grafana password written into grafana-url and the basic-auth value, and the
 * values of environment variables named like secrets (the runner's own tokens among them).
 */
export function secretInputs(env: Env): string[] {
  const input = (name: string) => readInput(env, name) || undefined
  return unique([
    ...grafanaSecrets({
      url: input('grafana-url') ?? '',
      token: input('grafana-token'),
      username: input('grafana-username'),
      password: input('grafana-password'),
    }),
    input('okta-api-token'),
    input('github-token') ?? (env.GITHUB_TOKEN?.trim() || undefined),
    ...privateKeySecrets(input('okta-private-key')),
    ...secretLookingEnv(env),
  ])
}

/**
 * How the action's outputs rewrite a secret: the job summary and comments escape markdown (`_` becomes
 * `&#95;`, `<` becomes `&lt;`…, differently at the start of a text and inside one), and workflow
 * commands (`::warning::…`) escape `%`, line breaks and, in their properties, `:` and `,`; the runner
 * shows the unescaped text.
 */
export function outputForms(form: string): string[] {
  return [
    escapeMarkdown(form),
    escapeMarkdown(`a${form}a`).slice(1, -1),
    escapeMarkdown(` ${form} `).slice(1, -1),
    commandEscaped(form),
    commandEscaped(form).replace(/:/g, '%3A').replace(/,/g, '%2C'),
  ]
}

/** @actions/core's escaping of a workflow command's data. */
function commandEscaped(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/**
 * Passes every later write to the stream through `scrub`: @actions/core, Octokit, console and Node's
 * warnings all write through process.stdout and process.stderr, so no message goes around it.
 * Returns the undo.
 */
export function scrubWrites(
  stream: NodeJS.WriteStream,
  scrub: (text: string) => string,
): () => void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
  const scrubbed = (chunk: unknown, ...rest: unknown[]) => {
    let args = rest
    let text = chunk
    if (chunk instanceof Uint8Array) {
      text = Buffer.from(chunk).toString('utf8')
      if (typeof rest[0] === 'string') args = ['utf8', ...rest.slice(1)]
    }
    const plain = typeof args[0] !== 'string' || /^utf-?8$/i.test(args[0])
    if (typeof text === 'string' && plain) text = scrub(text)
    return write(text, ...args)
  }
  stream.write = scrubbed
  return () => {
    stream.write = write
  }
}
