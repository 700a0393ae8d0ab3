// The Library end to end, through real parts: two jobs generated against the simulator, then — offline, the
// simulator stopped — search by a word prefix, filters, star, a board, trash with undo and restore, and reuse
// into the composer (all settings, and as a reference).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { type App, generateButton, nav, type Proc, randomTag, ROOT, startApp } from './support'

const SHOTS = join(ROOT, 'test-results/screenshots')
mkdirSync(SHOTS, { recursive: true })

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

test.describe('library', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  let simulator: Proc
  let harness: Proc
  const tag = randomTag()
  const teal = `teal poster of a lighthouse ${tag}`
  const desert = `orange desert road ${tag}`

  test.beforeAll(async () => {
    app = await startApp('library')
    ;({ simulator, harness } = app)
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  async function generate(page: Page, prompt: string, count: number, format: 'PNG' | 'JPEG', aspect: string) {
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio', { name: '2K', exact: true }).click()
    await page.getByRole('radiogroup', { name: /^output format$/i }).getByRole('radio', { name: format, exact: true }).click()
    await page.getByRole('combobox', { name: /^aspect ratio$/i }).click()
    await page.getByRole('option', { name: aspect, exact: true }).click()
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill(String(count))
    await generateButton(page).click()
    const job = page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: prompt })
    await expect(job.getByRole('img', { name: new RegExp(`^Image \\d of ${count}: saved$`) })).toHaveCount(count, { timeout: 60_000 })
  }

  test('browse offline: search, filter, star, board, trash and undo, restore, reuse', async ({ page }) => {
    await page.goto(harness.url)
    await nav(page, 'Create')
    await generate(page, teal, 2, 'PNG', '21:9') // 2048 × 880: 128:55 reduced, "21:9" to the filter
    await generate(page, desert, 1, 'JPEG', '1:1')
    // Everything below works from the library alone.
    await simulator.stop()

    await nav(page, 'Library')
    const library = page.getByRole('region', { name: 'Library', exact: true })
    const grid = library.getByRole('grid', { name: 'Library', exact: true })
    const cells = grid.getByRole('gridcell')
    const tealCells = grid.getByRole('gridcell', { name: new RegExp(`^${escape(teal)} — image \\d of 2$`) })
    const desertCell = grid.getByRole('gridcell', { name: `${desert} — image 1 of 1`, exact: true })
    await expect(cells).toHaveCount(3)
    for (const img of await grid.getByRole('img').all()) {
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
    }

    // Search as you type: a word prefix of the prompt.
    const search = library.getByRole('searchbox', { name: 'Search prompts', exact: true })
    await search.fill('lightho')
    await expect(tealCells).toHaveCount(2)
    await expect(cells).toHaveCount(2)
    await search.fill('lighthouse zzz')
    await expect(library.getByText('No results for “lighthouse zzz”', { exact: true })).toBeVisible()
    await library.getByRole('button', { name: 'Clear search', exact: true }).first().click()
    await expect(cells).toHaveCount(3)

    // Filter by format: JPEG is the desert road only.
    const filters = library.getByRole('complementary', { name: 'Library filters', exact: true })
    await filters.getByRole('checkbox', { name: 'JPEG', exact: true }).click()
    await expect(cells).toHaveCount(1)
    await expect(desertCell).toBeVisible()
    await filters.getByRole('checkbox', { name: 'JPEG', exact: true }).click()
    await expect(cells).toHaveCount(3)
    // And by aspect ratio, under the label the detail view shows too (below).
    await filters.getByRole('checkbox', { name: '21:9', exact: true }).click()
    await expect(cells).toHaveCount(2)
    await expect(tealCells).toHaveCount(2)
    await filters.getByRole('checkbox', { name: '21:9', exact: true }).click()
    await expect(cells).toHaveCount(3)
    await page.screenshot({ path: join(SHOTS, 'library.png') })

    // S stars the focused, selected image; Starred shows it.
    await tealCells.first().click()
    await expect(tealCells.first()).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('s')
    await filters.getByRole('button', { name: 'Starred', exact: true }).click()
    await expect(cells).toHaveCount(1)
    await expect(tealCells).toHaveCount(1)
    await filters.getByRole('button', { name: 'All images', exact: true }).click()
    await expect(cells).toHaveCount(3)

    // A new board, and the desert road added to it from its context menu.
    await filters.getByRole('button', { name: 'New board', exact: true }).click()
    const boardDialog = page.getByRole('dialog', { name: 'New board', exact: true })
    await boardDialog.getByRole('textbox', { name: 'Board name', exact: true }).fill('Road trip')
    await boardDialog.getByRole('button', { name: 'Create board', exact: true }).click()
    await expect(boardDialog).toHaveCount(0)
    await expect(library.getByText('This board is empty', { exact: true })).toBeVisible()
    await filters.getByRole('button', { name: 'All images', exact: true }).click()
    await desertCell.click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Add to board', exact: true }).click()
    await page.getByRole('menuitem', { name: 'Road trip', exact: true }).click()
    await expect(page.getByText('Added the image to “Road trip”', { exact: true })).toBeVisible()
    await filters.getByRole('button', { name: 'Road trip', exact: true }).click()
    await expect(cells).toHaveCount(1)
    await expect(desertCell).toBeVisible()
    await filters.getByRole('button', { name: 'All images', exact: true }).click()
    await expect(cells).toHaveCount(3)

    // Delete moves the selection to the trash; Undo brings it back.
    const victim = tealCells.last()
    const victimName = (await victim.getByRole('img').getAttribute('alt'))!
    await victim.click()
    await page.keyboard.press('Delete')
    await expect(cells).toHaveCount(2)
    await page.getByRole('button', { name: 'Undo', exact: true }).click()
    await expect(cells).toHaveCount(3)
    await expect(grid.getByRole('gridcell', { name: victimName, exact: true })).toBeVisible()

    // Delete again, find it in Trash, restore it.
    await grid.getByRole('gridcell', { name: victimName, exact: true }).click()
    await page.keyboard.press('Delete')
    await expect(cells).toHaveCount(2)
    await filters.getByRole('button', { name: 'Trash', exact: true }).click()
    await expect(cells).toHaveCount(1)
    await grid.getByRole('gridcell', { name: victimName, exact: true }).click()
    await library.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Restore', exact: true }).click()
    await expect(library.getByText('The trash is empty', { exact: true })).toBeVisible()
    await filters.getByRole('button', { name: 'All images', exact: true }).click()
    await expect(cells).toHaveCount(3)

    // The composer gets something else first, so "Reuse all settings" has to put everything back.
    await nav(page, 'Create')
    const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true })
    await prompt.fill('something else entirely')
    await page.getByRole('radiogroup', { name: /^output format$/i }).getByRole('radio', { name: 'PNG', exact: true }).click()
    await page.getByRole('combobox', { name: /^aspect ratio$/i }).click()
    await page.getByRole('option', { name: '4:3', exact: true }).click()

    await nav(page, 'Library')
    await desertCell.click()
    await page.keyboard.press('Enter')
    const details = page.getByRole('dialog', { name: 'Image details', exact: true })
    await expect(details.getByRole('img', { name: `${desert} — image 1 of 1`, exact: true })).toBeVisible()
    await expect(details.getByText(desert, { exact: true })).toBeVisible()
    await details.getByRole('button', { name: 'Actual size', exact: true }).click()
    await expect(details.getByRole('button', { name: 'Fit', exact: true })).toBeVisible()
    await details.getByRole('button', { name: 'Fit', exact: true }).click()
    await page.screenshot({ path: join(SHOTS, 'library-details.png') })
    await details.getByRole('button', { name: 'Reuse all settings', exact: true }).click()

    await expect(page.getByRole('complementary', { name: 'Composer' })).toBeVisible()
    await expect(prompt).toHaveValue(desert)
    await expect(page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio', { name: '2K', exact: true })).toHaveAttribute('aria-checked', 'true')
    await expect(page.getByRole('radiogroup', { name: /^output format$/i }).getByRole('radio', { name: 'JPEG', exact: true })).toHaveAttribute('aria-checked', 'true')
    await expect(page.getByRole('combobox', { name: /^aspect ratio$/i })).toHaveText('1:1')
    const tray = page.getByRole('group', { name: 'Reference images', exact: true })
    await expect(tray).toContainText('0 / 14')

    // "Use as reference" from the details adds the image to the composer's references.
    await nav(page, 'Library')
    await tealCells.first().dblclick()
    await expect(details.getByText('2048 × 880 · 21:9', { exact: true })).toBeVisible() // the filter's label
    await details.getByRole('button', { name: 'Use as reference', exact: true }).click()
    await expect(page.getByText('Added to the reference images', { exact: true })).toBeVisible()
    await details.getByRole('button', { name: 'Close details', exact: true }).click()
    await expect(details).toHaveCount(0)
    await nav(page, 'Create')
    await expect(tray).toContainText('1 / 14')
    await expect(tray.getByRole('img', { name: /^@Image1: / })).toBeVisible()
  })
})
