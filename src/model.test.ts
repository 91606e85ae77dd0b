import { describe, expect, it } from 'vitest'
import { compareText, messageOf } from './model.ts'

describe('compareText', () => {
  it('orders by code unit, so reports sort the same under every locale', () => {
    const names = ['beta', 'Zulu', 'alpha', 'Äpfel', 'Alpha', 'alpha']
    expect([...names].sort(compareText)).toEqual([
      'Alpha',
      'Zulu',
      'alpha',
      'alpha',
      'beta',
      'Äpfel',
    ])
  })
})

describe('messageOf', () => {
  it('takes an error message, or the class name when the message is empty', () => {
    expect(messageOf(new Error('socket hang up'))).toBe('socket hang up')
    expect(messageOf(new TypeError(''))).toBe('TypeError')
  })

  it('prints any other thrown value as text', () => {
    expect(messageOf('plain string')).toBe('plain string')
    expect(messageOf(404)).toBe('404')
  })
})
