import { describe, expect, it } from 'vitest'
import { createScrubber } from '../secrets/index.ts'
import { outputForms, scrubWrites, secretInputs } from './secrets.ts'

/** A stream that records what reaches it. */
function recordingStream() {
  const written: { chunk: unknown; args: unknown[] }[] = []
  const stream = {
    write: (chunk: unknown, ...args: unknown[]) => (written.push({ chunk, args }), true),
  }
  return { stream: stream as unknown as NodeJS.WriteStream, written }
}

describe('scrubWrites', () => {
  it('scrubs strings and buffers written to the stream until undone', () => {
    const { stream, written } = recordingStream()
    const undo = scrubWrites(stream, (text) => text.replaceAll('hunter22', '***'))
    const done = () => undefined
    stream.write('pw hunter22\n')
    stream.write(Buffer.from('buffer hunter22'), done)
    stream.write(Buffer.from('encoded hunter22'), 'latin1', done)
    undo()
    stream.write('after hunter22')
    expect(written).toEqual([
      { chunk: 'pw ***\n', args: [] },
      { chunk: 'buffer ***', args: [done] },
      { chunk: 'encoded ***', args: ['utf8', done] },
      { chunk: 'after hunter22', args: [] },
    ])
  })

  it('leaves a string in another encoding as it is', () => {
    const { stream, written } = recordingStream()
    scrubWrites(stream, () => 'scrubbed')
    stream.write('68756e7465723232', 'hex')
    expect(written[0]?.chunk).toBe('68756e7465723232')
  })
})

describe('outputForms', () => {
  it('lets the scrubber find a secret in workflow-command and markdown escaping', () => {
    const secret = 'glsa_abc%def:gh,1'
    const scrubber = createScrubber([secret], { forms: outputForms })
    const command = secret.replace(/%/g, '%25')
    const property = command.replace(/:/g, '%3A').replace(/,/g, '%2C')
    expect(scrubber.scrub(`::warning::token ${command}`)).toBe('::warning::token ***')
    expect(scrubber.scrub(`::error title=${property}::x`)).toBe('::error title=***::x')
    expect(scrubber.scrub('in the summary glsa&#95;abc%def:gh,1')).toBe('in the summary ***')
    const encoded = encodeURIComponent(secret).replace(/%/g, '%25')
    expect(scrubber.scrub(`::warning::url ${encoded}`)).toBe('::warning::url ***')
  })
})

describe('secretInputs', () => {
  it('knows the secret inputs, the GITHUB_TOKEN fallback and variables named like secrets', () => {
    const secrets = secretInputs({
      'INPUT_GRAFANA-TOKEN': 'glsa_token',
      GITHUB_TOKEN: 'ghs_from_env',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      CI: 'true',
    })
    expect(secrets).toEqual(
      expect.arrayContaining(['glsa_token', 'ghs_from_env', 'wJalrXUtnFEMI/K7MDENG']),
    )
    expect(secrets).not.toContain('true')
  })
})
