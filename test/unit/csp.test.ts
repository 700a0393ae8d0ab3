// The renderer's Content-Security-Policy (renderer/index.html): no 'unsafe-inline' or 'unsafe-eval', nothing from
// the network, and exactly one hash per <style> element a library injects — recomputed here from the installed
// packages, so an upgrade that changes one fails this test instead of silently unstyling a dialog. The browser
// check (no violation while those elements are inserted) is test/e2e/csp.spec.ts.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headerPolicyOf } from '../../electron/main/protocol'
import { injectedStyles } from '../fixtures/injected-styles'
import { ROOT } from '../processes'

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  )
}

const sourcePolicy = headerPolicyOf(readFileSync(join(ROOT, 'renderer/index.html'), 'utf8'))
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

describe('renderer CSP', () => {
  it('exists, with frame-ancestors added for the header', () => {
    expect(sourcePolicy).not.toBeNull()
    expect(directives(sourcePolicy!).get('frame-ancestors')).toEqual(["'none'"])
  })

  it("allows no inline script or style, no eval, and no source beyond 'self' and the app's own scheme", () => {
    const policy = directives(sourcePolicy!)
    expect(sourcePolicy).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/)
    expect(policy.get('default-src')).toEqual(["'self'"])
    expect(policy.get('script-src')).toEqual(["'self'"])
    expect(policy.get('object-src')).toEqual(["'none'"])
    expect(policy.get('base-uri')).toEqual(["'none'"])
    expect(policy.get('form-action')).toEqual(["'none'"])
    expect(policy.get('connect-src')).toEqual(["'self'"])
    expect(policy.get('img-src')).toEqual(["'self'", 'atelier:', 'data:', 'blob:'])
    for (const [name, values] of policy) {
      for (const value of values) expect(value, `${name} ${value}`).not.toMatch(/^(\*|https?:|wss?:|file:)/)
    }
  })

  it("style-src is 'self' plus exactly the hashes of the <style> texts the libraries inject", () => {
    const styleSrc = directives(sourcePolicy!).get('style-src')!
    expect(styleSrc[0]).toBe("'self'")
    const injected = Object.entries(injectedStyles()).map(([by, css]) => ({ by, hash: sha256(css) }))
    for (const { by, hash } of injected) expect(styleSrc, `${by} needs ${hash} in style-src`).toContain(hash)
    expect(styleSrc.slice(1).sort()).toEqual(injected.map((i) => i.hash).sort())
  })

  it.skipIf(!existsSync(join(ROOT, 'out/renderer/index.html')))('the built page carries the same policy', () => {
    expect(headerPolicyOf(readFileSync(join(ROOT, 'out/renderer/index.html'), 'utf8'))).toBe(sourcePolicy)
  })
})
