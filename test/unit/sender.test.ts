import { describe, expect, it } from 'vitest'
import { isTrustedSender } from '../../electron/main/sender'

const trusted = new Set([7])
const origins = ['atelier://app']

describe('isTrustedSender', () => {
  it('answers our window’s main frame on our origin', () => {
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, frameUrl: 'atelier://app/index.html' }, trusted, origins)).toBe(true)
  })
  it('ignores other webContents, subframes and other origins', () => {
    expect(isTrustedSender({ webContentsId: 8, isMainFrame: true, frameUrl: 'atelier://app/index.html' }, trusted, origins)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: false, frameUrl: 'atelier://app/index.html' }, trusted, origins)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, frameUrl: 'atelier://media/x/full' }, trusted, origins)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, frameUrl: 'https://evil.example/' }, trusted, origins)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, isMainFrame: true, frameUrl: 'not a url' }, trusted, origins)).toBe(false)
  })
  it('accepts the dev server origin only when listed', () => {
    const info = { webContentsId: 7, isMainFrame: true, frameUrl: 'http://localhost:5173/' }
    expect(isTrustedSender(info, trusted, origins)).toBe(false)
    expect(isTrustedSender(info, trusted, [...origins, 'http://localhost:5173'])).toBe(true)
  })
})
