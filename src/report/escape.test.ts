import { describe, expect, it } from 'vitest'
import { clean, codeBlock, escapeMarkdown, safeUrl, truncate } from './escape.ts'
import { decodeEntities, parseMarkup } from '../../test/fixtures/report.ts'

describe('escapeMarkdown', () => {
  it('leaves ordinary names and emails readable', () => {
    expect(escapeMarkdown('ana@acme.example')).toBe('ana@acme.example')
    expect(escapeMarkdown('Main Org.')).toBe('Main Org.')
    expect(escapeMarkdown('Platform-Leads (EU)')).toBe('Platform-Leads (EU)')
  })

  it('turns HTML into text', () => {
    expect(escapeMarkdown('<script>alert(1)</script> & co')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co',
    )
    expect(escapeMarkdown('</details></summary>')).toBe('&lt;/details&gt;&lt;/summary&gt;')
  })

  it('breaks @-mentions of users and teams with an invisible space but not emails', () => {
    expect(escapeMarkdown('@octocat')).toBe('@&#8203;octocat')
    expect(escapeMarkdown('cc @acme/admins')).toBe('cc @&#8203;acme/admins')
    expect(escapeMarkdown('x.@evil')).toBe('x.@&#8203;evil')
    expect(escapeMarkdown('bob@acme.example')).toBe('bob@acme.example')
    // Decoded the way GitHub decodes before it links mentions.
    expect(decodeEntities(escapeMarkdown('@octocat'))).toBe('@\u200Boctocat')
  })

  it('does not let an encoded @ through as a mention', () => {
    expect(decodeEntities(escapeMarkdown('&#64;octocat'))).toBe('&#\u200B64;octocat')
  })

  it('stops issue references and autolinks', () => {
    expect(escapeMarkdown('fixes #12 and acme/x#3')).toBe('fixes #&#8203;12 and acme/x#&#8203;3')
    expect(escapeMarkdown('https://evil.example www.evil.example')).toBe(
      'https:&#8203;//evil.example www&#8203;.evil.example',
    )
  })

  it('stops link, image, emphasis, code and table syntax', () => {
    expect(escapeMarkdown('[x](javascript:alert(1))')).toBe('&#91;x&#93;(javascript:alert(1))')
    expect(escapeMarkdown('![i](https://e/x.png)')).toBe('!&#91;i&#93;(https:&#8203;//e/x.png)')
    expect(escapeMarkdown('*a* _b_ ~c~ `d` \\e $f$')).toBe(
      '&#42;a&#42; &#95;b&#95; &#126;c&#126; &#96;d&#96; &#92;e &#36;f&#36;',
    )
    expect(escapeMarkdown('a|b')).toBe('a&#124;b')
  })

  it('keeps everything on one line and drops control and bidi characters', () => {
    expect(escapeMarkdown('a\nb\r\nc\u2028d\te')).toBe('a b c d e')
    expect(escapeMarkdown('adm\u202Enimda\u0000\u001b[31m')).toBe(
      'admnimda[31m'.replace('[', '&#91;'),
    )
  })

  it('cannot start a heading or list where it starts a line', () => {
    expect(escapeMarkdown('# Approved')).toBe('&#35; Approved')
    expect(escapeMarkdown('- [x] done')).toBe('&#45; &#91;x&#93; done')
    expect(escapeMarkdown('+ x')).toBe('&#43; x')
    expect(escapeMarkdown('1. first')).toBe('1&#46; first')
    expect(escapeMarkdown('=== ')).toBe('&#61;== ')
  })
})

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run inside, so content cannot close it', () => {
    const block = codeBlock('diff', ['+ a```b', '- ````c'])
    expect(block.split('\n')[0]).toBe('`````diff')
    const parsed = parseMarkup(block)
    expect(parsed.unclosed).toBe(false)
    expect(parsed.blocks[0]?.lines).toEqual(['+ a```b', '- ````c'])
  })

  it('keeps a name with a line break on its line', () => {
    const parsed = parseMarkup(codeBlock('diff', ['+ x\n```\n## Approved']))
    expect(parsed.outside).toEqual([])
    expect(parsed.blocks[0]?.lines).toEqual(['+ x ``` ## Approved'])
  })
})

describe('helpers', () => {
  it('truncates without splitting a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('ab😀cd', 4)).toBe('ab…')
    expect(truncate('abc', 3)).toBe('abc')
  })

  it('cleans line breaks into spaces', () => {
    expect(clean('a\r\nb\u0085c')).toBe('a b c')
  })

  it('accepts only plain http(s) URLs for links', () => {
    expect(safeUrl('https://github.com/acme/x/actions/runs/1')).toBe(
      'https://github.com/acme/x/actions/runs/1',
    )
    expect(safeUrl('javascript:alert(1)')).toBeUndefined()
    expect(safeUrl('https://x.example/a) [y](z')).toBeUndefined()
    expect(safeUrl(undefined)).toBeUndefined()
  })
})
