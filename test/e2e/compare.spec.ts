// Compare, through real parts (Debian Chromium → the harness → the Oxen simulator): three variants of one prompt
// selected in the library, side by side; the recipe differences (their seeds) marked; rated and picked by keyboard;
// at 1:1, panning one pans the others.
import { expect, test } from '@playwright/test'
import { type App, generateButton, nav, pickModel, randomTag, startApp } from './support'

test.describe('compare', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  test.beforeAll(async () => {
    app = await startApp('compare')
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test('three variants side by side: differences marked, rated and picked by keyboard, panned together at 1:1', async ({ page }) => {
    await page.goto(app.harness.url)
    await nav(page, 'Create')
    await pickModel(page, 'z-image', 'Z-Image-Turbo')
    const prompt = `three paper cranes ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('3')
    // A seed per image, one after another: the variants' recipes differ by it.
    const increment = page.getByRole('radio', { name: '+1 per image', exact: true })
    if (!(await increment.isVisible())) await page.getByRole('button', { name: /^More options/ }).click()
    await increment.click()
    await generateButton(page).click()
    const job = page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: prompt })
    await expect(job.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
    // From Results: the job's own menu compares its images.
    await job.getByRole('button', { name: 'Job actions', exact: true }).click()
    await page.getByRole('menuitem', { name: 'Compare its 3 images', exact: true }).click()
    await expect(page.getByRole('dialog', { name: 'Compare 3 images', exact: true })).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(page.getByRole('dialog', { name: 'Compare 3 images', exact: true })).toHaveCount(0)

    await nav(page, 'Library')
    const grid = page.getByRole('grid', { name: 'Library', exact: true })
    const cell = (n: number) => grid.getByRole('gridcell', { name: `${prompt} — image ${n} of 3`, exact: true })
    await cell(1).click()
    await cell(2).click({ modifiers: ['ControlOrMeta'] })
    await cell(3).click({ modifiers: ['ControlOrMeta'] })
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Compare', exact: true }).click()

    const compare = page.getByRole('dialog', { name: 'Compare 3 images', exact: true })
    const stages = compare.getByRole('group', { name: /^[ABC]: / })
    await expect(stages).toHaveCount(3)
    await expect(stages.nth(0)).toBeFocused()
    // Only what differs: the seeds; the prompt and model are the same, so not listed.
    const recipes = compare.getByRole('table')
    await expect(recipes.getByRole('row', { name: /^Seed/ })).toBeVisible()
    await expect(recipes.getByRole('row', { name: /^Prompt/ })).toHaveCount(0)
    await compare.getByRole('switch').click()
    await expect(recipes.getByRole('row', { name: /^Prompt/ })).toBeVisible()

    // The first image is focused on opening (the switch took focus since): 3 rates it; → moves on; P picks the second.
    await stages.nth(0).focus()
    await page.keyboard.press('3')
    const captions = compare.locator('figcaption')
    await expect(captions.nth(0).getByRole('button', { name: '3 stars', exact: true })).toHaveAttribute('aria-pressed', 'true')
    await page.keyboard.press('ArrowRight')
    await expect(stages.nth(1)).toBeFocused()
    await page.keyboard.press('p')
    await expect(captions.nth(1).getByRole('button', { name: 'Pick', exact: true })).toHaveAttribute('aria-pressed', 'true')

    // 1:1: scrolling one stage brings the others to the same place.
    await page.keyboard.press('z')
    const fraction = (i: number) =>
      stages.nth(i).evaluate((el) => {
        const max = el.scrollWidth - el.clientWidth
        return max > 0 ? Math.round((el.scrollLeft / max) * 100) : -1
      })
    await expect.poll(() => fraction(0)).toBeGreaterThanOrEqual(0)
    await stages.nth(2).evaluate((el) => {
      el.scrollLeft = el.scrollWidth - el.clientWidth
    })
    await expect.poll(() => fraction(0)).toBe(100)
    await expect.poll(() => fraction(1)).toBe(100)

    // What was given here is the library's: the tiles say so.
    const [a, b] = await Promise.all([0, 1].map(async (i) => (await stages.nth(i).getAttribute('aria-label'))!.replace(/^[AB]: /, '')))
    await page.keyboard.press('Escape')
    await expect(compare).toHaveCount(0)
    await expect(grid.getByRole('gridcell', { name: a, exact: true })).toHaveAttribute('aria-description', 'Rated 3 stars')
    await expect(grid.getByRole('gridcell', { name: b, exact: true })).toHaveAttribute('aria-description', 'Pick')
  })
})
