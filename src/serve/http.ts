// The service's HTTP face: /healthz (the loop is alive), /readyz (the last run succeeded recently)
// and /metrics (Prometheus text). Everything else is 404; nothing here writes or reads a request body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { SyncMetrics } from '../metrics/index.ts'
import type { SyncLoop } from './loop.ts'

export interface HttpDeps {
  loop: SyncLoop
  metrics: SyncMetrics
  scrub: (text: string) => string
}

export function createServiceServer(deps: HttpDeps): Server {
  const server = createServer((req, res) => {
    void answer(deps, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n')
      else res.destroy()
    })
  })
  // A scraper or probe holds no connection open for long; idle sockets must not delay a shutdown.
  server.keepAliveTimeout = 5000
  server.requestTimeout = 10_000
  return server
}

async function answer(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res)
  switch (path) {
    case '/healthz':
      return json(res, deps, deps.loop.stopping ? 503 : 200, {
        status: deps.loop.stopping ? 'stopping' : 'alive',
        running: deps.loop.running,
      })
    case '/readyz': {
      const readiness = deps.loop.readiness()
      return json(res, deps, readiness.ready ? 200 : 503, readiness)
    }
    case '/metrics':
      return send(res, 200, deps.metrics.contentType, await deps.metrics.text())
    default:
      return notFound(res)
  }
}

function json(res: ServerResponse, deps: HttpDeps, status: number, body: object): void {
  send(res, status, 'application/json; charset=utf-8', `${deps.scrub(JSON.stringify(body))}\n`)
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n')
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
