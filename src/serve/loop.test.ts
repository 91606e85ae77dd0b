import { afterEach, describe, expect, it } from 'vitest'
import type { RunResult } from '../metrics/index.ts'
import { SyncLoop, type RunReport } from './loop.ts'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `done` holds (timers run late on a busy machine; the test says what it waits for). */
async function until(done: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now()
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`)
    await wait(5)
  }
}

let loop: SyncLoop | undefined
afterEach(async () => {
  await loop?.stop(1000)
  loop = undefined
})

/** A run that takes `ms` and ends with the next result of `results` (then success). */
function runs(ms: number, results: RunResult[] = []) {
  const log = {
    started: 0,
    finished: 0,
    inFlight: 0,
    peak: 0,
    signals: [] as AbortSignal[],
    at: [] as number[],
  }
  const run = async (signal: AbortSignal): Promise<RunReport> => {
    const startedAt = new Date()
    log.at.push(Date.now())
    log.started++
    log.inFlight++
    log.peak = Math.max(log.peak, log.inFlight)
    log.signals.push(signal)
    await wait(ms)
    log.inFlight--
    log.finished++
    return { result: results.shift() ?? 'success', startedAt, durationMs: ms, reason: 'why' }
  }
  return { log, run }
}

describe('SyncLoop', () => {
  it('runs at once when started, then every interval', async () => {
    const { log, run } = runs(5)
    loop = new SyncLoop(60, run)
    loop.runNow()
    expect(log.started).toBe(1)
    await until(() => log.started >= 3)
    const gaps = log.at.slice(1).map((t, i) => t - log.at[i]!)
    expect(gaps.filter((gap) => gap < 55)).toEqual([])
  })

  it('never runs twice at once: a run asked for during one starts right after it', async () => {
    const { log, run } = runs(50)
    loop = new SyncLoop(10_000, run)
    expect(loop.runNow()).toBe('started')
    expect(loop.runNow()).toBe('queued')
    expect(loop.runNow()).toBe('queued')
    await until(() => log.finished === 2)
    await wait(50)
    expect(log.started).toBe(2)
    expect(log.peak).toBe(1)
  })

  it('stops: aborts the run in flight, waits for it, and schedules nothing more', async () => {
    const { log, run } = runs(40)
    loop = new SyncLoop(20, run)
    loop.runNow()
    const stopping = loop.stop(1000)
    expect(log.signals[0]!.aborted).toBe(true)
    expect(loop.running).toBe(true)
    expect(await stopping).toBe(true)
    expect(loop.running).toBe(false)
    await wait(100)
    expect(log.started).toBe(1)
    expect(loop.runNow()).toBe('stopping')
  })

  it('gives up waiting after the grace time', async () => {
    const { run } = runs(300)
    loop = new SyncLoop(10_000, run)
    loop.runNow()
    expect(await loop.stop(20)).toBe(false)
  })

  it('is ready only after a successful run that is younger than 2 intervals and its duration', async () => {
    const { run } = runs(5, ['failed', 'success'])
    loop = new SyncLoop(10_000, run)
    expect(loop.readiness()).toEqual({ ready: false, reason: 'the first run has not finished yet' })
    loop.runNow()
    await until(() => !loop!.running)
    expect(loop.readiness()).toMatchObject({ ready: false, reason: 'last run failed: why' })
    loop.runNow()
    await until(() => !loop!.running)
    const ready = loop.readiness()
    expect(ready).toMatchObject({ ready: true, lastRun: { result: 'success' } })
    const started = Date.parse(ready.lastRun!.startedAt)
    expect(loop.readiness(started + 20_005)).toMatchObject({ ready: true })
    expect(loop.readiness(started + 20_006)).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/more than 2 intervals and its duration \(20s\)/),
    })
  })

  it('counts a run that throws as failed and keeps going', async () => {
    let calls = 0
    loop = new SyncLoop(20, () => {
      calls++
      return Promise.reject(new Error('boom'))
    })
    loop.runNow()
    await until(() => loop!.readiness().lastRun !== undefined)
    expect(loop.readiness()).toMatchObject({ ready: false, reason: 'last run failed: boom' })
    await until(() => calls > 1)
  })
})
