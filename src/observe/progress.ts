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

/** Reports every `intervalMs` while reads run; silent when nobody listens. */
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
  const timer = setInterval(() => onProgress(progressLine(progress)), intervalMs)
  timer.unref()
  progress.stop = () => clearInterval(timer)
  return progress
}
