import { isCliInvocation, USAGE } from './cli/args.ts'

/** One bundle, two faces: the CLI when argv names a command, the GitHub Action when a runner starts it. */
async function main(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  if (isCliInvocation(argv)) {
    const { runCli } = await import('./cli/run.ts')
    process.exitCode = await runCli(argv)
    return
  }
  if (isActionRun(env) && argv.length === 0) {
    const { runAction } = await import('./action/run.ts')
    await runAction(env)
    return
  }
  process.stderr.write(
    argv.length ? `grafana-team-sync: unknown command "${argv[0]}"\n\n${USAGE}` : USAGE,
  )
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
