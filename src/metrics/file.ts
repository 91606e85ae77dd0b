// One run's metrics to a file, for a cron job and node_exporter's textfile collector: written beside
// the target and renamed over it, so a scrape sees the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto'
import { rm, writeFile, rename } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export async function writeMetricsFile(path: string, text: string): Promise<void> {
  // The collector reads only `*.prom`; a dot-named temp file beside it is never read half-written.
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(temp, text, { mode: 0o644 })
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
