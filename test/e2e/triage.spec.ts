// Triage end to end, through real parts (simulator, harness, the built renderer in Chromium): two jobs made
// against the simulator, then — offline, the simulator stopped — ratings and flags by keyboard in the grid and
// in the details, the Rate ▸ menu, filtering by rating and flag, sorting by rating, and "keep this job's picks,
// trash the rest" with its Undo. Every change is checked where it is kept (main), not only on screen.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import type { Job, LibraryImage, LibraryPage } from '../../shared/domain'
import { type App, connectBridge, nav, randomTag, ROOT, startApp, until } from './support'

const SHOTS = join(ROOT, 'test-results/screenshots')
mkdirSync(SHOTS, { recursive: true })

test.describe('triage', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  const tag = randomTag()
  const owls = `four owls on a branch ${tag}`
  const kettles = `two copper kettles ${tag}`

  test.beforeAll(async () => {
    app = await startApp('triage')
    // The images come from the simulator as any job's do; the composer's part is tested elsewhere.
    const bridge = await connectBridge(app.harness.url)
    for (const [prompt, count] of [
      [owls, 4],
      [kettles, 2],
    ] as const) {
      const started = await bridge.call<{ jobId: string }>('generate', { modelId: 'bytedance-seedream-5-lite', prompt, count, params: { size: '2K' } })
      if (!started.ok) throw new Error(started.error.message)
      await until(`“${prompt}” to finish`, async () => {
        const jobs = await bridge.call<Job[]>('listJobs')
        return jobs.ok && jobs.value.find((j) => j.id === started.value.jobId)?.status === 'completed'
      }, 60_000)
    }
    bridge.close()
    await app.simulator.stop()
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  /** What main keeps of each image: "prompt #index" → [rating, pick], and which are in the trash. */
  async function kept(): Promise<{ triage: Record<string, [number, number]>; trashed: string[] }> {
    const bridge = await connectBridge(app.harness.url)
    try {
      const read = async (trash: boolean) => {
        const page = await bridge.call<LibraryPage>('searchLibrary', { text: tag, filters: { trash }, limit: 100 })
        if (!page.ok) throw new Error(page.error.message)
        return page.value.items
      }
      const name = (i: LibraryImage) => `${i.prompt === owls ? 'owl' : 'kettle'} ${i.index + 1}`
      const all = [...(await read(false)), ...(await read(true))]
      return {
        triage: Object.fromEntries(all.map((i) => [name(i), [i.rating, i.pick]])),
        trashed: (await read(true)).map(name).sort(),
      }
    } finally {
      bridge.close()
    }
  }

  const description = (cell: Locator) => cell.evaluate((el) => el.getAttribute('aria-description') ?? '')

  async function shoot(page: Page, name: string) {
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme)
      // Transitions finished at once: the theme's colours, not a frame on the way to them.
      await page.screenshot({ path: join(SHOTS, `triage-${name}-${scheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'dark' })
  }

  test('rate and flag by keyboard, filter and sort by rating, keep the picks and trash the rest, undo', async ({ page }) => {
    await page.goto(app.harness.url)
    await nav(page, 'Library')
    const library = page.getByRole('region', { name: 'Library', exact: true })
    const grid = library.getByRole('grid', { name: 'Library', exact: true })
    const cells = grid.getByRole('gridcell')
    const owl = (n: number) => grid.getByRole('gridcell', { name: `${owls} — image ${n} of 4`, exact: true })
    const kettle = (n: number) => grid.getByRole('gridcell', { name: `${kettles} — image ${n} of 2`, exact: true })
    const filters = library.getByRole('complementary', { name: 'Library filters', exact: true })
    await expect(cells).toHaveCount(6)

    // Keys on the selected tile: 1–5 rate (again replaces), P pick, X reject, U unflag, 0 clears.
    await owl(1).click()
    await page.keyboard.press('3')
    await expect(owl(1)).toHaveAttribute('aria-description', 'Rated 3 stars')
    await page.keyboard.press('5')
    await page.keyboard.press('p')
    await expect(owl(1)).toHaveAttribute('aria-description', 'Rated 5 stars, Pick')
    await owl(2).click()
    await page.keyboard.press('x')
    await expect(owl(2)).toHaveAttribute('aria-description', 'Rejected')
    await page.keyboard.press('u')
    await expect.poll(() => description(owl(2))).toBe('')
    await page.keyboard.press('X')
    await expect(owl(2)).toHaveAttribute('aria-description', 'Rejected')
    await owl(3).click()
    await page.keyboard.press('4')
    await page.keyboard.press('p')
    await owl(4).click()
    await page.keyboard.press('2')
    await expect(owl(4)).toHaveAttribute('aria-description', 'Rated 2 stars')
    await page.keyboard.press('0')
    await expect.poll(() => description(owl(4))).toBe('')
    // Every selected image at once.
    await kettle(1).click()
    await kettle(2).click({ modifiers: ['Shift'] })
    await page.keyboard.press('4')
    await expect(kettle(1)).toHaveAttribute('aria-description', 'Rated 4 stars')
    await expect(kettle(2)).toHaveAttribute('aria-description', 'Rated 4 stars')
    // The menu's Rate ▸.
    await owl(4).click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Rate', exact: true }).press('ArrowRight')
    // By keyboard: a pointer on its way to the submenu would cross Pick below and close it.
    await page.getByRole('menuitem', { name: '1 star', exact: true }).press('Enter')
    await expect(owl(4)).toHaveAttribute('aria-description', 'Rated 1 star')
    await expect.poll(async () => (await kept()).triage).toEqual({
      'owl 1': [5, 1],
      'owl 2': [0, -1],
      'owl 3': [4, 1],
      'owl 4': [1, 0],
      'kettle 1': [4, 0],
      'kettle 2': [4, 0],
    })
    await grid.getByRole('gridcell').first().hover() // a tile under the pointer shows its empty stars too
    await shoot(page, 'grid')

    // Filter: at least N stars, then by flag; the chips say so.
    await filters.getByRole('button', { name: 'At least 4 stars', exact: true }).click()
    await expect(cells).toHaveCount(4)
    await expect(library.getByRole('button', { name: 'Remove filter 4 stars & up', exact: true })).toBeVisible()
    const flag = filters.getByRole('radiogroup', { name: 'Flag', exact: true })
    await flag.getByRole('radio', { name: 'Picks', exact: true }).click()
    await expect(cells).toHaveCount(2)
    await expect(owl(1)).toBeVisible()
    await expect(owl(3)).toBeVisible()
    await shoot(page, 'filtered')
    await filters.getByRole('button', { name: 'At least 4 stars', exact: true }).click() // again: any rating
    await expect(cells).toHaveCount(2)
    await flag.getByRole('radio', { name: 'No rejects', exact: true }).click()
    await expect(cells).toHaveCount(5)
    await expect(owl(2)).toHaveCount(0)
    await flag.getByRole('radio', { name: 'Rejects', exact: true }).click()
    await expect(cells).toHaveCount(1)
    // Unflagged, it no longer belongs in Rejects.
    await owl(2).click()
    await page.keyboard.press('u')
    await expect(cells).toHaveCount(0)
    await expect(library.getByText('No images match these filters', { exact: true })).toBeVisible()
    await filters.getByRole('button', { name: 'Clear rating and flag filters', exact: true }).click()
    await expect(cells).toHaveCount(6)

    // Sort: most stars first, newest first among equals; unrated last.
    await library.getByRole('combobox', { name: 'Sort', exact: true }).click()
    await page.getByRole('option', { name: 'Highest rated', exact: true }).click()
    await expect(cells.first()).toHaveAccessibleName(`${owls} — image 1 of 4`)
    await expect(cells.nth(4)).toHaveAccessibleName(`${owls} — image 4 of 4`)
    await expect(cells.last()).toHaveAccessibleName(`${owls} — image 2 of 4`)
    await library.getByRole('combobox', { name: 'Sort', exact: true }).click()
    await page.getByRole('option', { name: 'Newest first', exact: true }).click()

    // The details: the same keys, and buttons that show the state.
    await owl(2).click()
    await page.keyboard.press('Enter')
    const details = page.getByRole('dialog', { name: 'Image details', exact: true })
    const rating = details.getByRole('group', { name: 'Rating', exact: true })
    const flags = details.getByRole('group', { name: 'Flag', exact: true })
    await expect(rating.getByRole('button', { name: '3 stars', exact: true })).toHaveAttribute('aria-pressed', 'false')
    await page.keyboard.press('3')
    await expect(rating.getByRole('button', { name: '3 stars', exact: true })).toHaveAttribute('aria-pressed', 'true')
    await page.keyboard.press('x')
    await expect(flags.getByRole('button', { name: 'Reject', exact: true })).toHaveAttribute('aria-pressed', 'true')
    await flags.getByRole('button', { name: 'Pick', exact: true }).click()
    await expect(flags.getByRole('button', { name: 'Pick', exact: true })).toHaveAttribute('aria-pressed', 'true')
    await expect(flags.getByRole('button', { name: 'Reject', exact: true })).toHaveAttribute('aria-pressed', 'false')
    await page.keyboard.press('x')
    await expect(flags.getByRole('button', { name: 'Reject', exact: true })).toHaveAttribute('aria-pressed', 'true')
    await shoot(page, 'details')
    await page.keyboard.press('Escape')
    await expect(details).toHaveCount(0)
    await expect(owl(2)).toHaveAttribute('aria-description', 'Rated 3 stars, Rejected')
    await expect.poll(async () => (await kept()).triage['owl 2']).toEqual([3, -1])

    // Keep this job's picks (owls 1 and 3), trash the rest (owl 2 rejected, owl 4 unflagged); the kettles stay.
    await owl(1).click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Keep this job’s picks, trash the rest', exact: true }).click()
    await expect(page.getByText('Kept the picks, moved 2 images to the trash', { exact: true })).toBeVisible()
    await expect(cells).toHaveCount(4)
    await expect(owl(2)).toHaveCount(0)
    await expect(owl(4)).toHaveCount(0)
    await expect.poll(async () => (await kept()).trashed).toEqual(['owl 2', 'owl 4'])
    await page.getByRole('button', { name: 'Undo', exact: true }).click()
    await expect(cells).toHaveCount(6)
    await expect.poll(async () => (await kept()).trashed).toEqual([])
    // Undo brings them back as they were: rated and flagged.
    await expect(owl(2)).toHaveAttribute('aria-description', 'Rated 3 stars, Rejected')
    expect((await kept()).triage).toMatchObject({ 'owl 2': [3, -1], 'owl 4': [1, 0] })

    // A job without a pick offers no such action.
    await kettle(1).click({ button: 'right' })
    await expect(page.getByRole('menuitem', { name: 'Pick', exact: true })).toBeVisible()
    await expect(page.getByRole('menuitem', { name: 'Keep this job’s picks, trash the rest', exact: true })).toHaveCount(0)
    await page.keyboard.press('Escape')
  })
})
