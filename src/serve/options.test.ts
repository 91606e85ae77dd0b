import { describe, expect, it } from 'vitest'
import { parseDuration, parseListen } from './options.ts'

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1500ms', 1500],
    [' 2s ', 2000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each([
    ['5', 'is not a duration: write e.g. 30s, 5m, 1h or 1h30m'],
    ['5 m', 'is not a duration'],
    ['1.5m', 'is not a duration'],
    ['-1s', 'is not a duration'],
    ['five minutes', 'is not a duration'],
    ['500ms', 'the interval must be from 1s to 24h; got "500ms"'],
    ['25h', 'the interval must be from 1s to 24h'],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message)
  })
})

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9469', { host: '127.0.0.1', port: 9469 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    [':9469', { host: '0.0.0.0', port: 9469 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (text, address) => {
    expect(parseListen(text)).toEqual(address)
  })

  it.each(['9469', '127.0.0.1', '127.0.0.1:99999', 'host:port', '::1:80'])('rejects %j', (text) => {
    expect(() => parseListen(text)).toThrow('is not a listen address: write host:port')
  })
})
