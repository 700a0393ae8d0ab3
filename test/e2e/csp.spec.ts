// The renderer's CSP (renderer/index.html, no 'unsafe-inline') in a real browser: a securitypolicyviolation
// listener is in place before the app loads, then the parts that insert <style> elements are opened — a Radix
// Select (its viewport rule, and react-remove-scroll-bar's page-scroll lock). Both must be inserted and allowed by
// their hashes; any violation fails, named by directive and source.
import { expect, test } from '@playwright/test'
import { type App, startApp } from './support'

interface Violation {
  directive: string
  blocked: string
  source: string
  sample: string
}

test.describe('content security policy', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  test.beforeAll(async () => {
    app = await startApp('csp')
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test('no violation while the app starts and libraries insert their styles', async ({ page }) => {
    await page.addInitScript(() => {
      const seen: Violation[] = []
      ;(window as unknown as { __cspViolations: Violation[] }).__cspViolations = seen
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}`, sample: e.sample }),
      )
    })
    await page.goto(app.harness.url)
    const select = page.getByRole('combobox').first()
    await select.click()
    await expect(page.getByRole('listbox')).toBeVisible()
    // The styles were really inserted (so an empty violation list means they were allowed, not absent).
    const inserted = await page.evaluate(() => ({
      scrollLock: document.body.hasAttribute('data-scroll-locked'),
      styles: [...document.querySelectorAll('style')].map((s) => s.textContent ?? ''),
    }))
    expect(inserted.scrollLock).toBe(true)
    expect(inserted.styles.some((css) => css.includes('body[data-scroll-locked]'))).toBe(true)
    expect(inserted.styles.some((css) => css.includes('[data-radix-select-viewport]'))).toBe(true)
    await page.keyboard.press('Escape')
    await expect(page.getByRole('listbox')).toBeHidden()
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations)
    expect(violations).toEqual([])
  })
})
