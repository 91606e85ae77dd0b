// `grafana-team-sync serve`: the engine in a loop behind /healthz, /readyz and /metrics, until SIGTERM
// or SIGINT. Stopping is not a failure: the exit status is 0 once the run in flight has wound down.
import type { AddressInfo } from 'node:net'
import type { ServeArgs } from '../cli/args.ts'
import type { EngineInputs } from '../engine.ts'
import { createMetrics } from '../metrics/index.ts'
import { createOktaTokenCache } from '../okta/index.ts'
import { createServiceServer } from './http.ts'
import { createLogger, parseLevel, type Logger } from './logger.ts'
import { SyncLoop } from './loop.ts'
import { syncOnce, type RunDeps } from './run.ts'
import { cliSecrets } from '../cli/secrets.ts'
import { createScrubber } from '../secrets/index.ts'

export interface ServeIO {
  stderr: (text: string) => void
  env: Record<string, string | undefined>
}

/** How long a stop waits for the run in flight: writes finish well within it, and SPEC §7 says 5 s. */
const STOP_GRACE_MS = 4000

export async function runServe(
  serve: ServeArgs,
  inputs: Omit<EngineInputs, 'mode'>,
  io: ServeIO,
  options: Pick<RunDeps, 'instances'> = {},
): Promise<number> {
  // The run's scrubber: it knows the environment's secrets and learns the tokens got while running.
  const { scrub } = inputs.scrubber ?? createScrubber(cliSecrets(io.env))
  const log = createLogger({
    format: serve.logFormat,
    write: io.stderr,
    scrub,
    level: parseLevel(io.env.LOG_LEVEL),
  })
  const metrics = createMetrics({ processMetrics: true, scrub })
  const mode = serve.dryRun ? 'plan' : 'apply'
  // Each run makes its clients afresh; only an Okta OAuth token outlives a run, while it is valid.
  const oktaTokens = createOktaTokenCache()
  let runs = 0
  const loop = new SyncLoop(serve.intervalMs, (signal) =>
    syncOnce({ inputs: { ...inputs, mode, oktaTokens }, log, metrics, ...options }, signal, ++runs),
  )
  const server = createServiceServer({ loop, metrics, scrub })
  try {
    await listen(server, serve.listen.host, serve.listen.port)
  } catch (error) {
    const { host, port } = serve.listen
    log.log('error', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      fix: 'choose another --listen address or free the port',
    })
    return 1
  }
  const address = server.address() as AddressInfo
  log.log('info', 'listening', {
    address: `http://${hostForUrl(address.address)}:${address.port}`,
    interval: `${serve.intervalMs / 1000}s`,
    mode,
  })
  loop.runNow()
  await untilStopped(loop, log)
  const idle = await loop.stop(STOP_GRACE_MS)
  server.close()
  server.closeAllConnections()
  log.log(idle ? 'info' : 'warn', 'stopped', {
    runs,
    ...(idle ? {} : { note: 'a run was still reading; nothing more was written' }),
  })
  return 0
}

function listen(server: ReturnType<typeof createServiceServer>, host: string, port: number) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** SIGHUP runs now; the first SIGTERM or SIGINT resolves. */
function untilStopped(loop: SyncLoop, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const hangUp = () => {
      const how = loop.runNow()
      log.log('info', 'SIGHUP: run now', {
        run: how === 'queued' ? 'after the one in flight' : how,
      })
    }
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGHUP', hangUp)
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      // A second signal while winding down is ignored rather than killing a write in flight.
      process.on('SIGTERM', ignore)
      process.on('SIGINT', ignore)
      log.log('info', `${signal}: stopping`, {
        running: loop.running,
        note: loop.running ? 'no new write starts; writes in flight finish' : undefined,
      })
      resolve()
    }
    process.on('SIGHUP', hangUp)
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
}

function ignore(): void {}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}
