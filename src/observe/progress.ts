export interface Counter {
  done: number
  total: number
}

export interface Progress {
  teams: Counter
  groups: Counter
  /** Stops the periodic reports. */
  stop(): void
}

export function progressLine(p: Pick<Progress, 'teams' | 'groups'>): string {
  return `read ${p.teams.done}/${p.teams.total} teams, ${p.groups.done}/${p.groups.total} Okta groups`
}

/**
 * Reports every `intervalMs` while reads run, only when the counts moved (a hung read is told by
 * its retry line, not by the same count again and again); silent when nobody listens.
 */
export function startProgress(
  onProgress: ((msg: string) => void) | undefined,
  intervalMs: number,
): Progress {
  const progress: Progress = {
    teams: { done: 0, total: 0 },
    groups: { done: 0, total: 0 },
    stop: () => undefined,
  }
  if (!onProgress) return progress
  let last = ''
  const timer = setInterval(() => {
    const line = progressLine(progress)
    if (line !== last) onProgress(line)
    last = line
  }, intervalMs)
  timer.unref()
  progress.stop = () => clearInterval(timer)
  return progress
}
