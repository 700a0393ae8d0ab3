// Accessibility of every main view, in the light and the dark theme, through real parts: axe-core run on Create
// (with a finished job's results), the model picker open, the Library with images, an image's details and
// Settings. Any `serious` or `critical` violation fails, listed by rule, element and what is wrong.
// With ATELIER_A11Y_SHOTS=<folder> it also leaves there a screenshot of each view, for looking at by eye, and
// axe's violations of every impact as JSON.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { type App, generateButton, modelTrigger, nav, type Proc, randomTag, startApp } from './support'

type Theme = 'light' | 'dark'
type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>

const BLOCKING = new Set(['serious', 'critical'])
const SHOTS = process.env.ATELIER_A11Y_SHOTS
if (SHOTS) mkdirSync(SHOTS, { recursive: true })

/** One line per failing element: view, rule, impact, selector and axe's own words for what is wrong. */
function describeViolations(view: string, results: AxeResults): string[] {
  const lines: string[] = []
  for (const violation of results.violations) {
    if (!BLOCKING.has(violation.impact ?? '')) continue
    lines.push(`${view} — ${violation.id} (${violation.impact}, ${violation.nodes.length} elements): ${violation.help}`)
    for (const node of violation.nodes.slice(0, 6)) {
      const why = [...node.any, ...node.all, ...node.none].map((check) => check.message).find(Boolean) ?? node.failureSummary ?? ''
      lines.push(`    ${node.target.join(' ')}  ${why}`)
    }
    if (violation.nodes.length > 6) lines.push(`    … and ${violation.nodes.length - 6} more`)
  }
  return lines
}

test.describe('accessibility (axe)', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  let harness: Proc
  test.beforeAll(async () => {
    app = await startApp('a11y')
    ;({ harness } = app)
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  /** Picks the theme in Settings, as a user would, and waits until the page wears it. */
  async function useTheme(page: Page, theme: Theme) {
    await nav(page, 'Settings')
    await page.getByRole('radiogroup', { name: 'Theme', exact: true }).getByRole('radio', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click()
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
  }

  for (const theme of ['light', 'dark'] as const) {
    test(`no serious or critical violations in the ${theme} theme`, async ({ page }) => {
      test.setTimeout(180_000) // twelve axe runs and two jobs on a shared machine
      // No transitions: axe measures colours as they end up, not halfway through a fade.
      await page.emulateMedia({ reducedMotion: 'reduce' })
      const refused: string[] = []
      page.on('console', (message) => {
        if (/^Refused to /.test(message.text())) refused.push(message.text()) // blocked by the CSP
      })
      await page.goto(harness.url)
      await useTheme(page, theme)

      const problems: string[] = []
      const check = async (view: string) => {
        await page.evaluate(() => document.fonts.ready)
        const file = SHOTS && join(SHOTS, `${theme}-${view.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`)
        if (file) await page.screenshot({ path: `${file}.png` })
        const results = await new AxeBuilder({ page }).analyze()
        if (file) writeFileSync(`${file}.json`, JSON.stringify(results.violations, null, 2))
        // An empty page passes everything: make sure axe looked at something.
        expect(results.passes.length + results.violations.length, `axe checked nothing in ${view}`).toBeGreaterThan(10)
        problems.push(...describeViolations(`[${theme}] ${view}`, results))
      }

      // Finished jobs and their results, for Create: two, so the jobs list scrolls in the smaller window.
      await nav(page, 'Create')
      const tag = randomTag()
      const prompt = `a quiet harbour at dawn ${tag}`
      for (const [text, count] of [
        [`a paper boat on a pond ${tag}`, 1],
        [prompt, 2],
      ] as const) {
        await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(text)
        await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill(String(count))
        await generateButton(page).click()
        const job = page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: text })
        await expect(job.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
        await expect(job.getByRole('img', { name: new RegExp(`^Image \\d of ${count}: saved$`) })).toHaveCount(count)
      }

      // The type is the shipped Inter, loaded under the page's CSP, not a system fallback.
      await expect
        .poll(() => page.evaluate(() => [...document.fonts].some((face) => face.family.replace(/["']/g, '') === 'Inter Variable' && face.status === 'loaded')))
        .toBe(true)
      expect(refused).toEqual([])

      // Every view at the default window size, then at Electron's smallest, where more of them scroll.
      for (const size of [
        { name: '', width: 1440, height: 900 },
        { name: ' (960×600)', width: 960, height: 600 },
      ]) {
        await page.setViewportSize(size)

        await nav(page, 'Create')
        const results = page.getByRole('region', { name: 'Results', exact: true })
        await expect(results.getByRole('img', { name: new RegExp(`^${prompt} — image \\d of 2$`) })).toHaveCount(2)
        await check(`Create${size.name}`)

        await modelTrigger(page).click()
        const picker = page.getByRole('dialog', { name: 'Choose a model', exact: true })
        await expect(picker.getByRole('option').first()).toBeVisible()
        await check(`Model picker${size.name}`)
        await page.keyboard.press('Escape')
        await expect(picker).toHaveCount(0)

        await nav(page, 'Library')
        const grid = page.getByRole('grid', { name: 'Library', exact: true })
        const cell = grid.getByRole('gridcell', { name: `${prompt} — image 1 of 2`, exact: true })
        await expect(cell).toBeVisible()
        for (const img of await grid.getByRole('img').all()) {
          await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
        }
        await check(`Library${size.name}`)

        // The Oxen dialogs (issue 13): Pull from the sidebar, Push from an image's menu.
        if (!size.name) {
          await page.getByRole('button', { name: 'Pull from Oxen…', exact: true }).click()
          const pull = page.getByRole('dialog', { name: 'Pull from Oxen', exact: true })
          await expect(pull.getByRole('textbox', { name: 'Repository', exact: true })).toBeVisible()
          await check('Pull dialog')
          await page.keyboard.press('Escape')
          await expect(pull).toHaveCount(0)
          await cell.click({ button: 'right' })
          await page.getByRole('menuitem', { name: 'Push to Oxen…', exact: true }).click()
          const push = page.getByRole('dialog', { name: 'Push to Oxen', exact: true })
          await expect(push.getByRole('radio', { name: 'Private', exact: true })).toBeChecked()
          await check('Push dialog')
          await page.keyboard.press('Escape')
          await expect(push).toHaveCount(0)
        }

        await cell.click()
        await page.keyboard.press('Enter')
        const details = page.getByRole('dialog', { name: 'Image details', exact: true })
        await expect(details.getByRole('img', { name: `${prompt} — image 1 of 2`, exact: true })).toBeVisible()
        await expect(details.getByText(prompt, { exact: true })).toBeVisible()
        await check(`Image details${size.name}`)
        // At 1:1 the image pans inside its own scroll region.
        await details.getByRole('button', { name: 'Actual size', exact: true }).click()
        await expect(details.getByRole('button', { name: 'Fit', exact: true })).toBeVisible()
        await check(`Image details 1:1${size.name}`)
        await details.getByRole('button', { name: 'Close details', exact: true }).click()
        await expect(details).toHaveCount(0)

        await nav(page, 'Settings')
        await expect(page.getByRole('heading', { name: 'Appearance', exact: true })).toBeVisible()
        await check(`Settings${size.name}`)
      }

      expect(problems.length, `axe found serious or critical violations:\n${problems.join('\n')}\n`).toBe(0)
    })
  }
})
