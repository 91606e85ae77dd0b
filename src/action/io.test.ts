import { describe, expect, it } from 'vitest'
import { memoryActionIO } from '../../test/memory/action-io.ts'
import { createScrubber } from '../secrets/index.ts'
import { scrubbedIO } from './io.ts'
import { runAction } from './run.ts'

const SECRET = 'hunter2-SECRET-value'

describe('scrubbedIO', () => {
  it('scrubs every text on its way to the sink, a secret learnt mid-run too', async () => {
    const sink = memoryActionIO()
    const scrubber = createScrubber([SECRET])
    const io = scrubbedIO(sink, scrubber)
    const late = 'local-user-SECRET-password'
    scrubber.add(late)
    const at = { file: `teams/${SECRET}.yaml`, startLine: 2, startColumn: 3 }
    await io.group(`Plan ${SECRET}`, () => {
      io.info(`info ${SECRET}`)
      io.debug(`debug ${late}`)
      io.notice(`notice ${SECRET}`)
      io.warning(`warning ${SECRET}`, at)
      io.error(`error ${encodeURIComponent(late)}`, at)
      return Promise.resolve()
    })
    io.setOutput('plan-file', `/tmp/${SECRET}/plan.json`)
    await io.appendSummary(`| ${SECRET} |`)
    io.setFailed(`failed ${SECRET}`)

    expect(sink.log).toEqual([
      { kind: 'group', message: 'Plan ***', groups: [] },
      { kind: 'info', message: 'info ***', groups: ['Plan ***'] },
      { kind: 'debug', message: 'debug ***', groups: ['Plan ***'] },
      { kind: 'notice', message: 'notice ***', groups: ['Plan ***'] },
      {
        kind: 'warning',
        message: 'warning ***',
        at: { ...at, file: 'teams/***.yaml' },
        groups: ['Plan ***'],
      },
      {
        kind: 'error',
        message: 'error ***',
        at: { ...at, file: 'teams/***.yaml' },
        groups: ['Plan ***'],
      },
    ])
    expect(sink.outputs).toEqual({ 'plan-file': '/tmp/***/plan.json' })
    expect(sink.summary).toBe('| *** |\n')
    expect(sink.failures).toEqual(['failed ***'])
    expect(sink.exitCode()).toBe(1)
  })

  it('gives setSecret the secret itself: the runner must be told what to mask', () => {
    const sink = memoryActionIO()
    scrubbedIO(sink, createScrubber([SECRET])).setSecret(SECRET)
    expect(sink.masked).toEqual([SECRET])
  })

  it("writes what Octokit's logger passes that is not a string as @actions/core does, scrubbed", () => {
    const sink = memoryActionIO()
    const io = scrubbedIO(sink, createScrubber([SECRET]))
    const log = io.warning as (message: unknown) => void
    log(new Error(`throttled ${SECRET}`))
    ;(io.debug as (message: unknown) => void)({ url: `https://x/${SECRET}` })
    expect(sink.messages('warning')).toEqual(['Error: throttled ***'])
    expect(sink.messages('debug')).toEqual(['{"url":"https://x/***"}'])
  })
})

describe('runAction', () => {
  it('masks a secret of its environment line by line, and scrubs it from an input error it echoes', async () => {
    const io = memoryActionIO()
    const env = {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKSPACE: process.cwd(),
      INPUT_MODE: SECRET,
      DEPLOY_TOKEN: `${SECRET}\nsecond-line-of-it`,
    }
    await runAction(env, io)

    expect(io.masked).toEqual([SECRET, 'second-line-of-it'])
    expect(io.failures).toEqual([
      'Invalid action input: input "mode" must be one of auto, validate, plan, apply; got "***". Fix the step\'s "with:" block.',
    ])
    expect(io.outputs).toMatchObject({ mode: '', 'has-changes': 'false', 'comment-id': '' })
    expect(io.exitCode()).toBe(1)
  })
})
