// Results by job, end to end through the browser harness and the simulator: one group per job with its images at
// their true aspect ratio (also while they are made), a failed job's reason readable without hovering (Results and
// the card) with Retry failed and where to add credits, Reuse filling the composer, Duplicate after confirming the
// cost, Remove from list and Clear finished surviving a reload (never touching the library), and a system
// notification for a job that ends while the window is not focused. With ATELIER_RESULTS_SHOTS set to a folder, the
// last test also saves screenshots of Results and job cards (running, done, failed) in both themes there.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { type App, generateButton, nav, randomTag, startApp } from './support'

const SHOTS = process.env.ATELIER_RESULTS_SHOTS

test.describe('results', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const apps: App[] = []
  test.afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()))
  })

  async function open(page: Page, simArgs: string[] = []): Promise<App> {
    const app = await startApp('results', simArgs)
    apps.push(app)
    await page.goto(app.harness.url)
    await nav(page, 'Create')
    return app
  }

  async function setFaults(app: App, named: string[]): Promise<void> {
    const res = await fetch(`${app.simulator.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ named }) })
    expect(res.ok).toBe(true)
  }

  const resultsRegion = (page: Page) => page.getByRole('region', { name: 'Results', exact: true })
  const jobsRegion = (page: Page) => page.getByRole('region', { name: 'Jobs', exact: true })
  /** A job's group in Results (an article named by its prompt) and its card in the Jobs list. */
  const groupOf = (page: Page, prompt: string) => resultsRegion(page).getByRole('article', { name: prompt, exact: true })
  const cardOf = (page: Page, prompt: string) => jobsRegion(page).getByRole('listitem').filter({ hasText: prompt })

  /** Fills the composer and presses Generate; `aspect` picks the aspect ratio. */
  async function generate(page: Page, prompt: string, count: number, aspect?: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    if (aspect) {
      await page.getByRole('combobox', { name: /^aspect ratio$/i }).click()
      await page.getByRole('option', { name: aspect, exact: true }).click()
    }
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill(String(count))
    await generateButton(page).click()
  }

  async function done(page: Page, prompt: string, count: number): Promise<void> {
    await expect(cardOf(page, prompt).getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(groupOf(page, prompt).getByRole('img', { name: new RegExp(`— image \\d of ${count}$`) })).toHaveCount(count)
  }

  /** Width ÷ height of an element as laid out. */
  async function ratioOf(locator: Locator): Promise<number> {
    const box = await locator.boundingBox()
    if (!box) throw new Error('not laid out')
    return box.width / box.height
  }

  /** axe's serious and critical findings in Create (Results and the Jobs list), in the light and the dark theme. */
  async function axeProblems(page: Page): Promise<string[]> {
    const problems: string[] = []
    for (const theme of ['light', 'dark'] as const) {
      await nav(page, 'Settings')
      await page.getByRole('radiogroup', { name: 'Theme', exact: true }).getByRole('radio', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click()
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      await nav(page, 'Create')
      await expect(resultsRegion(page)).toBeVisible()
      const results = await new AxeBuilder({ page }).include('.create-main').analyze()
      for (const v of results.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') problems.push(`[${theme}] ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
      }
    }
    return problems
  }

  async function jobAction(page: Page, where: Locator, action: string): Promise<void> {
    await where.getByRole('button', { name: 'Job actions', exact: true }).first().click()
    await page.getByRole('menuitem', { name: action, exact: true }).click()
  }

  test('one group per job, images at their true aspect ratio, also while they are being made', async ({ page }) => {
    const app = await open(page)
    const tag = randomTag()
    const wide = `a wide harbour panorama ${tag}`
    const tall = `a tall lighthouse ${tag}`
    await generate(page, wide, 2, '16:9')
    await done(page, wide, 2)
    // The next job's image stays in the making: its tile already has the shape it asked for.
    await setFaults(app, ['stuck;times=1'])
    await generate(page, tall, 1, '9:16')
    const making = groupOf(page, tall).getByRole('img', { name: new RegExp(`^${tall} — image 1 of 1: (queued at oxen|generating)$`) })
    await expect(making).toBeVisible({ timeout: 30_000 })
    expect(await ratioOf(making)).toBeLessThan(0.7)
    await expect(groupOf(page, tall).getByText(/^(Queued at Oxen|Generating)$/).first()).toBeVisible()

    // Each job is its own group, newest first, with its header: prompt, model, size, count, cost.
    const groups = resultsRegion(page).getByRole('article')
    await expect(groups).toHaveCount(2)
    await expect(groups.nth(0)).toHaveAccessibleName(tall)
    await expect(groups.nth(1)).toHaveAccessibleName(wide)
    const wideGroup = groupOf(page, wide)
    await expect(wideGroup.getByText('Seedream 5.0 Lite', { exact: true })).toBeVisible()
    await expect(wideGroup.getByText('2 images', { exact: true })).toBeVisible()
    await expect(wideGroup.getByText(/^2K · 16:9/)).toBeVisible()
    for (const img of await wideGroup.getByRole('img', { name: new RegExp(`^${wide} — image \\d of 2$`) }).all()) {
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
      expect(await ratioOf(img)).toBeGreaterThan(1.5) // 16:9, not a square crop
    }

    // A group folds away and back.
    const toggle = wideGroup.getByRole('button', { name: 'Show images', exact: true })
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await expect(wideGroup.getByRole('img')).toHaveCount(0)
    await toggle.click()
    await expect(wideGroup.getByRole('img', { name: new RegExp(`^${wide} — image \\d of 2$`) })).toHaveCount(2)

    // A result has the library's actions: its context menu, and its details on click.
    await wideGroup.getByRole('button', { name: `${wide} — image 1 of 2`, exact: true }).click({ button: 'right' })
    await expect(page.getByRole('menuitem', { name: 'Reuse all settings', exact: true })).toBeVisible()
    await page.getByRole('menuitem', { name: 'Star', exact: true }).click()
    await wideGroup.getByRole('button', { name: `${wide} — image 1 of 2`, exact: true }).click()
    const details = page.getByRole('dialog', { name: 'Image details' })
    await expect(details.getByRole('img', { name: `${wide} — image 1 of 2`, exact: true })).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(details).toHaveCount(0)
    await expect(wideGroup.getByRole('button', { name: `${wide} — image 1 of 2`, exact: true })).toHaveAccessibleDescription(/Starred/)

    await cardOf(page, tall).getByRole('button', { name: 'Cancel job', exact: true }).click()
    await expect(cardOf(page, tall).getByText('Cancelled', { exact: true })).toBeVisible()
  })

  test('a failed job says why without hovering, in Results and on its card, says where to add credits; Retry failed completes it', async ({ page }) => {
    const app = await open(page)
    await setFaults(app, ['fail=Insufficient credits;times=1'])
    const prompt = `a broke painter ${randomTag()}`
    await generate(page, prompt, 1)
    const card = cardOf(page, prompt)
    const group = groupOf(page, prompt)
    await expect(card.getByText('Failed', { exact: true })).toBeVisible({ timeout: 60_000 })
    // The reason is on the page as text: in the card, in the group, and on the failed tile itself.
    await expect(card.getByText('Oxen could not make this image: Insufficient credits', { exact: true })).toBeVisible()
    await expect(group.getByText('Oxen could not make this image: Insufficient credits', { exact: true })).toBeVisible()
    await expect(group.getByRole('listitem').getByText('Insufficient credits', { exact: true })).toBeVisible()
    // Not the empty state: the job is there, failed.
    await expect(resultsRegion(page).getByText('Your images will appear here')).toHaveCount(0)
    // Out of credits: where to add them.
    const billing = group.getByRole('link', { name: 'Add credits on Oxen.ai', exact: true })
    await expect(billing).toHaveAttribute('href', /^https:\/\/www\.oxen\.ai\//)
    await expect(card.getByRole('link', { name: 'Add credits on Oxen.ai', exact: true })).toBeVisible()
    // Readable by everyone, in both themes.
    await page.emulateMedia({ reducedMotion: 'reduce' })
    expect(await axeProblems(page)).toEqual([])

    await group.getByRole('button', { name: 'Retry failed', exact: true }).click()
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(group.getByRole('img', { name: `${prompt} — image 1 of 1`, exact: true })).toBeVisible()
    await expect(group.getByText(/Insufficient credits/)).toHaveCount(0)
  })

  test('Reuse fills the composer with the job’s prompt and parameters; Duplicate asks, then sends it again', async ({ page }) => {
    await open(page)
    const prompt = `a paper crane on a desk ${randomTag()}`
    await generate(page, prompt, 1, '9:16')
    await done(page, prompt, 1)

    // The composer moves on…
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('something else entirely')
    await page.getByRole('combobox', { name: /^aspect ratio$/i }).click()
    await page.getByRole('option', { name: '1:1', exact: true }).click()
    // …and Reuse brings the job back into it.
    await jobAction(page, cardOf(page, prompt), 'Reuse settings')
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(prompt)
    await expect(page.getByRole('combobox', { name: /^aspect ratio$/i })).toHaveText(/9:16/)

    // Duplicate says what it costs before anything is sent.
    await jobAction(page, groupOf(page, prompt), 'Duplicate…')
    const dialog = page.getByRole('alertdialog', { name: 'Generate 1 image again?', exact: true })
    await expect(dialog).toContainText('billed again')
    await dialog.getByRole('button', { name: /^Generate/ }).click()
    await expect(cardOf(page, prompt)).toHaveCount(2)
    await expect(cardOf(page, prompt).getByText('Done', { exact: true })).toHaveCount(2, { timeout: 60_000 })
    await expect(groupOf(page, prompt)).toHaveCount(2)
  })

  test('Remove from list and Clear finished survive a reload; the images stay in the library', async ({ page }) => {
    await open(page)
    const tag = randomTag()
    const prompts = [`first of three ${tag}`, `second of three ${tag}`, `third of three ${tag}`]
    for (const prompt of prompts) {
      await generate(page, prompt, 1)
      await done(page, prompt, 1)
    }
    await jobAction(page, groupOf(page, prompts[0]!), 'Remove from list')
    await expect(cardOf(page, prompts[0]!)).toHaveCount(0)
    await expect(groupOf(page, prompts[0]!)).toHaveCount(0)
    await page.reload()
    await nav(page, 'Create')
    await expect(cardOf(page, prompts[1]!)).toHaveCount(1)
    await expect(cardOf(page, prompts[0]!)).toHaveCount(0)

    await jobsRegion(page).getByRole('button', { name: 'Clear finished', exact: true }).click()
    await expect(jobsRegion(page).getByText('No jobs yet', { exact: true })).toBeVisible()
    await expect(resultsRegion(page).getByText('Your images will appear here', { exact: true })).toBeVisible()
    await page.reload()
    await nav(page, 'Create')
    await expect(jobsRegion(page).getByText('No jobs yet', { exact: true })).toBeVisible()

    // Taken off the list, never out of the library.
    await nav(page, 'Library')
    const grid = page.getByRole('grid', { name: 'Library', exact: true })
    for (const prompt of prompts) await expect(grid.getByRole('gridcell', { name: `${prompt} — image 1 of 1`, exact: true })).toBeVisible()
  })

  test('a job that ends while the window is not focused raises a notification; its click shows the job; none while looking', async ({ page }) => {
    // A stand-in for the system's notifications (granted), and a window whose focus the test decides.
    await page.addInitScript(() => {
      const w = window as unknown as { __notes: { title: string; body: string; click: () => void }[]; __focused: boolean }
      w.__notes = []
      w.__focused = true
      class FakeNotification {
        static permission = 'granted'
        static requestPermission = async () => 'granted'
        onclick: (() => void) | null = null
        constructor(title: string, options: { body?: string } = {}) {
          w.__notes.push({ title, body: options.body ?? '', click: () => this.onclick?.() })
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true, writable: true })
      document.hasFocus = () => w.__focused
    })
    await open(page)
    await expect(jobsRegion(page).getByRole('button', { name: 'Notify me when jobs end', exact: true })).toHaveAttribute('aria-pressed', 'true')
    const notes = () => page.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes.map(({ title, body }) => ({ title, body })))

    // While the user looks: nothing.
    const seen = `watched while it ran ${randomTag()}`
    await generate(page, seen, 1)
    await done(page, seen, 1)
    expect(await notes()).toEqual([])

    // Away: the end is announced; the click brings the job into view.
    await page.evaluate(() => ((window as unknown as { __focused: boolean }).__focused = false))
    const away = `finished while away ${randomTag()}`
    await generate(page, away, 2)
    await expect.poll(notes, { timeout: 60_000 }).toEqual([{ title: '2 images ready', body: `“${away}”` }])
    await nav(page, 'Library')
    await page.evaluate(() => (window as unknown as { __notes: { click: () => void }[] }).__notes[0]!.click())
    await expect(groupOf(page, away)).toBeInViewport()
    await expect(cardOf(page, away)).toBeInViewport()
  })

  test('the studio at a glance: Results and job cards running, done and failed, in both themes (screenshots)', async ({ page }) => {
    test.skip(!SHOTS, 'set ATELIER_RESULTS_SHOTS to a folder to save the screenshots')
    test.setTimeout(180_000)
    mkdirSync(SHOTS!, { recursive: true })
    await page.emulateMedia({ reducedMotion: 'reduce' })
    const app = await open(page)
    const tag = randomTag()
    const wide = `teal harbour at dusk, long exposure ${tag}`
    const tall = `a lighthouse keeper’s portrait, film grain ${tag}`
    const broke = `neon market in the rain ${tag}`
    const part = `four studies of a pear ${tag}`
    const running = `morning fog over a valley ${tag}`
    await generate(page, wide, 3, '16:9')
    await done(page, wide, 3)
    await generate(page, tall, 2, '9:16')
    await done(page, tall, 2)
    await setFaults(app, ['fail=Insufficient credits;times=2'])
    await generate(page, broke, 2, '1:1')
    await expect(cardOf(page, broke).getByText('Failed', { exact: true })).toBeVisible({ timeout: 60_000 })
    await setFaults(app, ['moderation;times=1'])
    await generate(page, part, 4, '4:3')
    await expect(cardOf(page, part).getByText('Partly done', { exact: true })).toBeVisible({ timeout: 60_000 })
    await setFaults(app, ['stuck;times=2', 'slow-download=60000'])
    await generate(page, running, 3, '3:2')
    await expect(groupOf(page, running).getByRole('img', { name: /: (generating|downloading|queued at oxen)$/ }).first()).toBeVisible({ timeout: 30_000 })

    for (const theme of ['dark', 'light'] as const) {
      await nav(page, 'Settings')
      await page.getByRole('radiogroup', { name: 'Theme', exact: true }).getByRole('radio', { name: theme === 'dark' ? 'Dark' : 'Light', exact: true }).click()
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      await nav(page, 'Create')
      await page.evaluate(() => document.fonts.ready)
      await page.screenshot({ path: join(SHOTS!, `${theme}-create.png`) })
      await resultsRegion(page).screenshot({ path: join(SHOTS!, `${theme}-results.png`) })
      await groupOf(page, broke).scrollIntoViewIfNeeded()
      await page.screenshot({ path: join(SHOTS!, `${theme}-create-failed.png`) })
      for (const [name, prompt] of [
        ['running', running],
        ['done', wide],
        ['failed', broke],
        ['partial', part],
      ] as const) {
        await cardOf(page, prompt).scrollIntoViewIfNeeded()
        await cardOf(page, prompt).screenshot({ path: join(SHOTS!, `${theme}-card-${name}.png`) })
      }
    }
    await cardOf(page, running).getByRole('button', { name: 'Cancel job', exact: true }).click()
  })
})
