// Smoke test of the real Electron shell: preload wiring, hardening, the atelier:// protocol.
// Runs where an Electron binary exists; reports itself skipped with the reason otherwise.
import { execFileSync } from 'node:child_process'
import { _electron as electron, expect, test } from '@playwright/test'
import { ROOT, tempDir } from './support'
import { requestNames, eventNames } from '../../shared/contract'

function hasElectronBinary(): boolean {
  try {
    execFileSync('node', ['scripts/has-electron.mjs'], { cwd: ROOT })
    return true
  } catch {
    return false
  }
}

test.describe('Electron shell', () => {
  test.skip(!hasElectronBinary(), 'no Electron binary on this machine (it cannot be downloaded here); the browser harness covers the app')

  test('hardened window exposes exactly the contract and serves the app over atelier://', async () => {
    const app = await electron.launch({ args: [ROOT], env: { ...process.env, ATELIER_USER_DATA_DIR: tempDir('atelier-electron-') } })
    try {
      const page = await app.firstWindow()
      await expect(page).toHaveTitle('Atelier')
      expect(new URL(page.url()).protocol).toBe('atelier:')
      const surface = await page.evaluate(() => ({
        keys: Object.keys((window as unknown as { atelier: object }).atelier).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }))
      expect(surface.keys).toEqual([...requestNames, ...eventNames, 'pathForFile'].sort())
      expect(surface.require).toBe('undefined')
      expect(surface.process).toBe('undefined')
      // Navigation away from the app is refused.
      await page.evaluate(() => {
        location.href = 'https://example.invalid/'
      })
      await expect.poll(() => new URL(page.url()).protocol).toBe('atelier:')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click()
      await expect(page.getByLabel('Oxen API key')).toBeVisible()
    } finally {
      await app.close()
    }
  })
})
