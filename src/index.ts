import { isCliInvocation } from './cli/args.ts'
import { USAGE } from './cli/usage.ts'

/** One bundle, two faces: the CLI when given arguments, the GitHub Action when a runner starts it without any. */
async function main(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  if (isCliInvocation(argv)) {
    const { runCli } = await import('./cli/run.ts')
    process.exitCode = await runCli(argv)
    return
  }
  if (isActionRun(env)) {
    const { runAction } = await import('./action/run.ts')
    await runAction(env)
    return
  }
  process.stderr.write(USAGE)
  process.exitCode = 1
}

function isActionRun(env: Record<string, string | undefined>): boolean {
  return (
    env.GITHUB_ACTIONS === 'true' ||
    Boolean(env.GITHUB_EVENT_NAME) ||
    Object.keys(env).some((k) => k.startsWith('INPUT_'))
  )
}

await main(process.argv.slice(2), process.env)
