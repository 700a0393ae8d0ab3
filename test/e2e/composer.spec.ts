// The composer keeps work, through real parts (Debian Chromium → the harness → the Oxen simulator): the draft survives
// a reload and a restart of the harness (a new port, so nothing comes from the page's own storage), earlier prompts
// come back with ↑ and from their list, a Reuse over a draft is undone by the toast and by Ctrl+Z, @ completes
// mentions, a mention of a missing image is stopped beside the prompt, and a keyboard reorder changes what is sent.
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import sharp from 'sharp'
import { clearKeychain, connectBridge, emptyDraft, generateButton, modelTrigger, nav, type Proc, randomTag, startHarness, startSimulator, tempDir } from './support'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** A small PNG whose colour (and so whose hash) depends on `seed`. */
async function png(name: string, seed: number) {
  const background = { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 193) % 256 }
  return { name, mimeType: 'image/png', buffer: await sharp({ create: { width: 320, height: 200, channels: 3, background } }).png().toBuffer() }
}

interface SavedDraft {
  modelId: string | null
  prompt: string
  count: number
  params: Record<string, unknown>
  images: { input: { hash: string; name: string }[] }
}

test.describe('a composer that keeps work', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const key = `test-key-${randomTag()}`
  const keychainService = `Atelier-e2e-${randomTag()}`
  const dataDir = tempDir('atelier-e2e-composer-')
  let simulator: Proc
  let harness: Proc

  const startOwnHarness = () => startHarness({ dataDir, oxenUrl: simulator.url, keychainService })

  /** One request over the harness's contract, from Node. */
  async function call<T>(name: string, input?: unknown): Promise<T> {
    const bridge = await connectBridge(harness.url)
    try {
      const result = await bridge.call<T>(name, input)
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
      return result.value
    } finally {
      bridge.close()
    }
  }

  test.beforeAll(async () => {
    simulator = await startSimulator(key)
    harness = await startOwnHarness()
    await call('setApiKey', { key })
  })
  test.afterAll(async () => {
    await harness?.stop()
    await simulator?.stop()
    clearKeychain(keychainService)
  })

  const promptBox = (page: Page) => page.getByRole('textbox', { name: 'Prompt', exact: true })
  const tray = (page: Page) => page.getByRole('group', { name: 'Reference images', exact: true })
  const toastWith = (page: Page, title: string) => page.getByRole('region', { name: /^Notifications/ }).getByRole('listitem').filter({ hasText: title })

  /** Create on an empty composer (main's draft emptied first). */
  async function openFresh(page: Page) {
    await emptyDraft(harness.url)
    await page.goto(harness.url)
    await nav(page, 'Create')
    await expect(modelTrigger(page)).toHaveAccessibleName('Model: Seedream 5.0 Lite')
    await expect(tray(page)).toContainText('0 / 14')
  }

  async function addReferences(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
    await tray(page).locator('input[type="file"]').setInputFiles(files)
    for (const [i, file] of files.entries()) await expect(tray(page).getByRole('img', { name: `@Image${i + 1}: ${file.name}`, exact: true })).toBeVisible()
  }

  const savedDraft = async () => (await call<{ draft: SavedDraft | null }>('getDraft')).draft

  test('a draft with a prompt, 2 references, a parameter and a count survives a reload and a restart of the harness', async ({ page }) => {
    await openFresh(page)
    const prompt = `a lighthouse at dusk, @Image1 as the rock, @Image2 as the sky ${randomTag()}`
    const rock = await png('rock.png', 1)
    const sky = await png('sky.png', 2)
    await promptBox(page).fill(prompt)
    await addReferences(page, [rock, sky])
    await page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio', { name: '3K', exact: true }).click()
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('3')

    // Main has it (saved a moment after the last change): by hash, in order.
    await expect
      .poll(async () => {
        const draft = await savedDraft()
        return draft && { prompt: draft.prompt, count: draft.count, size: draft.params.size, images: draft.images.input.map((r) => [r.hash, r.name]) }
      })
      .toEqual({ prompt, count: 3, size: '3K', images: [[sha256(rock.buffer), 'rock.png'], [sha256(sky.buffer), 'sky.png']] })

    const expectRestored = async () => {
      await nav(page, 'Create')
      await expect(promptBox(page)).toHaveValue(prompt)
      await expect(tray(page).getByRole('img', { name: '@Image1: rock.png', exact: true })).toBeVisible()
      await expect(tray(page).getByRole('img', { name: '@Image2: sky.png', exact: true })).toBeVisible()
      await expect(tray(page)).toContainText('2 / 14')
      await expect.poll(() => tray(page).locator('img').first().evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
      await expect(page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio', { name: '3K', exact: true })).toHaveAttribute('aria-checked', 'true')
      await expect(page.getByRole('spinbutton', { name: 'Number of images', exact: true })).toHaveValue('3')
    }

    await page.reload()
    await expectRestored()

    // A restart: a new harness process on the same data folder, on another port (another origin for the page).
    const before = harness.url
    await harness.stop()
    harness = await startOwnHarness()
    expect(harness.url).not.toBe(before)
    await page.goto(harness.url)
    await expectRestored()
  })

  test('↑ in an empty prompt walks back through the prompts sent, ↓ comes back; the list searches them', async ({ page }) => {
    await openFresh(page)
    const tag = randomTag()
    const first = `a red kite over dunes ${tag}`
    const second = `a teal umbrella in the rain ${tag}`
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    for (const prompt of [first, second]) {
      await promptBox(page).fill(prompt)
      await generateButton(page).click()
      await expect(jobs.getByRole('listitem').filter({ hasText: prompt })).toBeVisible()
    }

    const box = promptBox(page)
    await box.fill('')
    await box.press('ArrowUp')
    await expect(box).toHaveValue(second)
    await box.press('ArrowUp')
    await expect(box).toHaveValue(first)
    await box.press('ArrowDown')
    await expect(box).toHaveValue(second)
    await box.press('ArrowDown')
    await expect(box).toHaveValue('')

    // After a reload (from main's journal, not the page's memory).
    await page.reload()
    await nav(page, 'Create')
    await promptBox(page).press('ArrowUp')
    await expect(promptBox(page)).toHaveValue(second)

    // The list: searched as you type, Enter picks.
    await promptBox(page).fill('')
    await page.getByRole('button', { name: 'Earlier prompts', exact: true }).click()
    const list = page.getByRole('dialog', { name: 'Earlier prompts', exact: true })
    await expect(list.getByRole('option').first()).toContainText(second)
    await list.getByRole('combobox').fill(`KITE ${tag}`)
    await expect(list.getByRole('option')).toHaveCount(1)
    await expect(list.getByRole('option')).toContainText(first)
    await page.keyboard.press('Enter')
    await expect(list).toHaveCount(0)
    await expect(promptBox(page)).toHaveValue(first)
    await expect(promptBox(page)).toBeFocused()
  })

  test('Reuse prompt over a half-written draft: the toast’s Undo brings the draft back, and so does Ctrl+Z', async ({ page }) => {
    await openFresh(page)
    const made = `a copper teapot on linen ${randomTag()}`
    await promptBox(page).fill(made)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')
    await generateButton(page).click()
    const card = page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: made })
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })

    const draft = `half-written: a glass teapot, backlit, ${randomTag()}`
    await promptBox(page).fill(draft)
    const reusePrompt = async () => {
      await nav(page, 'Library')
      await page.getByRole('grid', { name: 'Library', exact: true }).getByRole('gridcell', { name: `${made} — image 1 of 1`, exact: true }).click({ button: 'right' })
      await page.getByRole('menuitem', { name: 'Reuse prompt', exact: true }).click()
      await expect(promptBox(page)).toHaveValue(made)
    }

    await reusePrompt()
    const reused = toastWith(page, 'Prompt reused')
    await reused.getByRole('button', { name: 'Undo', exact: true }).click()
    await expect(promptBox(page)).toHaveValue(draft)

    await reusePrompt()
    // Outside a text field (which has its own undo), Ctrl+Z undoes the reuse.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Control+z')
    await expect(promptBox(page)).toHaveValue(draft)
    await expect(toastWith(page, 'Undone: Prompt reused')).toBeVisible()
    // And the draft kept is the one restored.
    await expect.poll(async () => (await savedDraft())?.prompt).toBe(draft)
  })

  test('@ offers the references with thumbnails and inserts a mention; a mention of a missing one is stopped beside the prompt', async ({ page }) => {
    await openFresh(page)
    await addReferences(page, [await png('chair.png', 3), await png('room.png', 4), await png('light.png', 5)])
    const box = promptBox(page)
    await box.click()
    await page.keyboard.type('a chair like @')
    const list = page.getByRole('listbox', { name: 'Reference images', exact: true })
    await expect(list.getByRole('option')).toHaveCount(3)
    await expect(list.getByRole('option', { name: /@Image2 room\.png/ })).toBeVisible()
    await expect(list.locator('img')).toHaveCount(3)
    await expect(box).toHaveAttribute('aria-activedescendant', await list.getByRole('option').first().getAttribute('id') as string)
    await page.keyboard.press('ArrowDown')
    await expect(list.getByRole('option', { name: /@Image2/ })).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('Enter')
    await expect(list).toHaveCount(0)
    await expect(box).toHaveValue('a chair like @Image2 ')
    // Typing narrows it: @Image3 only.
    await page.keyboard.type('lit by @Image3')
    await expect(list.getByRole('option')).toHaveCount(1)
    await page.keyboard.press('Escape')
    await expect(list).toHaveCount(0)
    await expect(box).toHaveValue('a chair like @Image2 lit by @Image3')

    // A mention of an image that is not there holds Generate back, said beside the prompt.
    await page.keyboard.type(' in the room of @Image5')
    const reason = '@Image5 names a reference image that is not there (there are only @Image1…@Image3): add it or change the prompt.'
    await expect(page.getByText(reason, { exact: true })).toBeVisible()
    await expect(box).toHaveAccessibleDescription(reason)
    await expect(box).toHaveAttribute('aria-invalid', 'true')
    await expect(generateButton(page)).toHaveAttribute('aria-disabled', 'true')
    // Pressed anyway (from the keyboard: the button is aria-disabled): the caret goes to the prompt that holds it back.
    await generateButton(page).focus()
    await page.keyboard.press('Enter')
    await expect(box).toBeFocused()

    await box.fill('a chair like @Image2 lit by @Image3 in the room of @Image1')
    await expect(page.getByText(reason, { exact: true })).toHaveCount(0)
    await expect(generateButton(page)).toHaveAttribute('aria-disabled', 'false')
  })

  test('references reordered by keyboard are sent in the new order; Remove all comes back with Undo', async ({ page }) => {
    await openFresh(page)
    const files = [await png('one.png', 6), await png('two.png', 7), await png('three.png', 8)]
    await addReferences(page, files)
    const third = tray(page).getByRole('img', { name: '@Image3: three.png', exact: true })
    await third.focus()
    await page.keyboard.press('Alt+ArrowLeft')
    const moved = tray(page).getByRole('img', { name: '@Image2: three.png', exact: true })
    await expect(moved).toBeFocused()
    await expect(tray(page).getByRole('status')).toHaveText('three.png is now @Image2 of 3.')
    await page.keyboard.press('Alt+ArrowLeft')
    await expect(tray(page).getByRole('img', { name: '@Image1: three.png', exact: true })).toBeFocused()
    await expect(tray(page).getByRole('img', { name: '@Image2: one.png', exact: true })).toBeVisible()
    await expect(tray(page).getByRole('img', { name: '@Image3: two.png', exact: true })).toBeVisible()

    const prompt = `three, then one, then two ${randomTag()}`
    await promptBox(page).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')
    await generateButton(page).click()
    let body: Record<string, unknown> | undefined
    await expect
      .poll(async () => {
        const stats = (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as { enqueueBodies: Record<string, unknown>[] }
        body = stats.enqueueBodies.find((b) => b.prompt === prompt)
        return body !== undefined
      })
      .toBe(true)
    const sent = body!.image_input as string[]
    expect(sent).toHaveLength(3)
    expect(sent.map((url) => files.findIndex((f) => url.includes(sha256(f.buffer))))).toEqual([2, 0, 1])

    // Remove all, then Undo: the three come back in their order.
    await tray(page).getByRole('button', { name: 'Remove all', exact: true }).click()
    await expect(tray(page)).toContainText('0 / 14')
    await toastWith(page, 'Removed all 3 reference images').getByRole('button', { name: 'Undo', exact: true }).click()
    await expect(tray(page)).toContainText('3 / 14')
    await expect(tray(page).getByRole('img', { name: '@Image1: three.png', exact: true })).toBeVisible()
  })

  test('badges read @Image1…@Image14, each whole on its tile', async ({ page }) => {
    await openFresh(page)
    const files = await Promise.all(Array.from({ length: 14 }, (_, i) => png(`ref-${i + 1}.png`, 20 + i)))
    await tray(page).locator('input[type="file"]').setInputFiles(files)
    await expect(tray(page)).toContainText('14 / 14')
    await expect(tray(page).getByRole('img', { name: '@Image14: ref-14.png', exact: true })).toBeVisible()
    const items = tray(page).getByRole('listitem')
    for (const n of [1, 9, 10, 14]) {
      const item = items.nth(n - 1)
      const badge = item.locator('.ref-tag')
      await expect(badge).toHaveText(`@Image${n}`)
      // Drawn whole inside its tile: nothing cut off.
      const [tile, tag] = [await item.boundingBox(), await badge.boundingBox()]
      expect(tag!.x).toBeGreaterThanOrEqual(tile!.x)
      expect(tag!.x + tag!.width).toBeLessThanOrEqual(tile!.x + tile!.width)
      expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
    }
  })

  // Not a check: pictures for the designers (`ATELIER_SHOTS=/some/dir`), in both themes.
  test('screenshots of the composer', async ({ page }) => {
    const shots = process.env.ATELIER_SHOTS
    test.skip(!shots, 'set ATELIER_SHOTS to a folder to take them')
    mkdirSync(shots!, { recursive: true })
    for (const prompt of [
      'a copper teapot on a linen cloth, soft window light from the left, 50 mm, shallow depth of field',
      'portrait of a ceramicist in her studio, @Image1 as the wheel, dusty afternoon light, Kodak Portra 400',
      'a red kite over dunes at dusk, long shadows, wide angle',
    ]) {
      await call('generate', { modelId: 'bytedance-seedream-5-lite', prompt, count: 1 })
    }
    const composer = page.getByRole('complementary', { name: 'Composer' })
    for (const theme of ['Dark', 'Light'] as const) {
      await openFresh(page)
      await nav(page, 'Settings')
      await page.getByRole('radio', { name: theme, exact: true }).click()
      await nav(page, 'Create')
      const files = await Promise.all(Array.from({ length: 14 }, (_, i) => png(`ref-${i + 1}.png`, 20 + i)))
      await tray(page).locator('input[type="file"]').setInputFiles(files)
      await expect(tray(page)).toContainText('14 / 14')
      await composer.screenshot({ path: join(shots!, `${theme.toLowerCase()}-badges.png`) })

      await promptBox(page).click()
      await page.keyboard.type('a chair in the style of @Image1')
      await expect(page.getByRole('listbox', { name: 'Reference images' })).toBeVisible()
      await page.keyboard.press('ArrowDown')
      await composer.screenshot({ path: join(shots!, `${theme.toLowerCase()}-autocomplete.png`) })
      await page.keyboard.press('Escape')

      await promptBox(page).fill('a chair like @Image2, in the light of @Image15')
      await expect(page.getByText(/@Image15 names a reference image/)).toBeVisible()
      await composer.screenshot({ path: join(shots!, `${theme.toLowerCase()}-warning.png`) })

      await page.getByRole('button', { name: 'Earlier prompts', exact: true }).click()
      await expect(page.getByRole('dialog', { name: 'Earlier prompts' })).toBeVisible()
      await page.screenshot({ path: join(shots!, `${theme.toLowerCase()}-history.png`) })
      await page.keyboard.press('Escape')
    }
  })
})
