// Diagnostics in Settings, through real parts (Chromium ↔ harness ↔ simulator): the log's last lines, refreshed on
// demand, and "Copy diagnostics" putting a report on the clipboard that tells versions and counts and never the key.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { connectBridge, filesContaining, generateButton, nav, ROOT, startApp, type App } from './support'

const SHOTS = process.env.ATELIER_DIAG_SHOTS ?? '/tmp/diag-shots'
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
const REFRESH_FAILED = 'the model list could not be refreshed'

test.describe('diagnostics', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] })

  let app: App
  test.beforeAll(async () => {
    app = await startApp('diagnostics')
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  /** Makes main log a warning for certain: Oxen refuses the model list (400) for one refresh that starts after the fault is set. */
  async function logARefusedRefresh(): Promise<void> {
    const faults = (body: unknown) =>
      fetch(`${app.simulator.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await faults({ requests: [{ path: '^/api/ai/models$', status: 400 }] })).ok).toBe(true)
    const bridge = await connectBridge(app.harness.url)
    try {
      await bridge.call('refreshModels') // may join a refresh begun before the fault
      expect(await bridge.call('refreshModels')).toMatchObject({ ok: true, value: { error: expect.stringMatching(/could not be refreshed/) } })
    } finally {
      bridge.close()
      expect((await faults({})).ok).toBe(true)
    }
  }

  async function useTheme(page: Page, theme: 'light' | 'dark') {
    await page.getByRole('radiogroup', { name: 'Theme', exact: true }).getByRole('radio', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click()
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
  }

  test('Settings shows the log, refreshes it, and copies a report with versions and counts but never the key', async ({ page }) => {
    await page.goto(app.harness.url)

    // One image made, so the counts have something to count.
    await nav(page, 'Create')
    const prompt = `a paper crane on a desk ${Date.now().toString(36)}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')
    await generateButton(page).click()
    const results = page.getByRole('region', { name: 'Results', exact: true })
    await expect(results.getByRole('img', { name: new RegExp(`^${prompt}`) })).toHaveCount(1, { timeout: 60_000 })
    await logARefusedRefresh()

    await nav(page, 'Settings')
    const section = page.getByRole('region', { name: 'Diagnostics', exact: true })
    const log = section.getByRole('region', { name: 'Recent log', exact: true })
    await expect(log).toContainText(REFRESH_FAILED)
    await expect(section.getByText(/atelier\.log$/)).toBeVisible() // where the file is
    // Browser preview: no file manager to show it in.
    await expect(section.getByRole('button', { name: 'Show the log file in its folder' })).toHaveCount(0)

    // Refreshable: a new line shows after Refresh, not before.
    const refusals = log.locator('.diag-line', { hasText: REFRESH_FAILED })
    const before = await refusals.count()
    await logARefusedRefresh()
    await expect(refusals).toHaveCount(before)
    await section.getByRole('button', { name: 'Refresh the log' }).click()
    await expect.poll(() => refusals.count()).toBeGreaterThan(before) // one or two: the first refresh may be one of its own
    // Selectable text: what is shown can be copied by hand too.
    expect(await log.evaluate((el) => getComputedStyle(el).userSelect)).toBe('text')

    mkdirSync(SHOTS, { recursive: true })
    for (const theme of ['dark', 'light'] as const) {
      await useTheme(page, theme)
      await section.scrollIntoViewIfNeeded()
      await section.screenshot({ path: join(SHOTS, `diagnostics-${theme}.png`) })
    }

    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'))
    await section.getByRole('button', { name: 'Copy diagnostics' }).click()
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^Atelier diagnostics, /)
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toContain(`Atelier ${VERSION} (browser preview)`)
    expect(copied).toMatch(/Node \d+\.\d+\.\d+/)
    expect(copied).toMatch(/OS: \S+ \S+ \(\w+\)/)
    expect(copied).not.toMatch(/Electron|Chromium/) // the harness runs no Electron
    expect(copied).toMatch(/^ {2}images: 1$/m)
    expect(copied).toMatch(/^ {2}in the trash: 0$/m)
    expect(copied).toMatch(/^ {2}boards: 0$/m)
    expect(copied).toMatch(/^ {2}jobs: 1 \(\d running\)$/m)
    expect(copied).toMatch(/^ {2}models: [1-9]\d*$/m)
    expect(copied).toMatch(/^ {2}fetched: \d{4}-\d\d-\d\dT/m)
    expect(copied).toContain('API key\n  stored in the system keychain')
    expect(copied).toMatch(/^ {2}oxenBaseUrl: http:\/\/127\.0\.0\.1:\d+\/$/m)
    expect(copied).toContain(REFRESH_FAILED)

    // The key: not in the report, the page, or any log file.
    expect(copied).not.toContain(app.key)
    expect(await page.content()).not.toContain(app.key)
    expect(filesContaining(join(app.dataDir, 'logs'), app.key)).toEqual([])
  })
})
