// Reference images end to end, through real parts: files picked in Debian Chromium → the harness (real reference
// store, real library) → the Oxen simulator, which uploads, fetches or decodes them and follows the first one's ratio.
import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import sharp from 'sharp'
import { clearKeychain, emptyDraft, generateButton, nav, type Proc, randomTag, startHarness, startSimulator, tempDir } from './support'

/** A solid-colour image: its colour (and so its hash) depends on `seed`. */
function solidImage(seed: number, width: number, height: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  const background = { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 193) % 256 }
  return sharp({ create: { width, height, channels: 3, background } }).toFormat(format).toBuffer()
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

interface SimStats {
  uploads: number
  referencesFetched: { url: number; dataUri: number }
  referenceFailures: number
  acceptedEnqueues: { body: Record<string, unknown> }[]
}
const stats = async (simulator: Proc) => (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as SimStats

test.describe('reference images', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let simulator: Proc
  let harness: Proc
  const key = `test-key-${randomTag()}`
  const keychainService = `Atelier-e2e-${randomTag()}`
  test.beforeAll(async () => {
    simulator = await startSimulator(key)
    harness = await startHarness({ dataDir: tempDir('atelier-e2e-refs-'), oxenUrl: simulator.url, keychainService })
  })
  test.afterAll(async () => {
    await harness?.stop()
    await simulator?.stop()
    clearKeychain(keychainService)
  })

  test('2 references: uploaded, then inlined; the result follows the first one’s 16:9 ratio', async ({ page }) => {
    const wide = await solidImage(1, 1600, 900, 'png')
    const square = await solidImage(2, 640, 640, 'jpeg')

    await page.goto(harness.url)
    await nav(page, 'Settings')
    await page.getByLabel('Oxen API key').fill(key)
    await page.getByRole('button', { name: 'Save key', exact: true }).click()
    await expect(page.getByText('Saved in your system keychain')).toBeVisible()
    // Upload is the default.
    await expect(page.getByRole('radio', { name: 'Upload to Oxen', exact: true })).toHaveAttribute('aria-checked', 'true')

    await nav(page, 'Create')
    const prompt = `a red chair in the room of @Image1, lit like @Image2 ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')

    // The button opens the file picker (a hidden <input type=file>).
    const tray = page.getByRole('group', { name: 'Reference images', exact: true })
    await expect(tray).toContainText('0 / 14')
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tray.getByRole('button', { name: 'Add reference images', exact: true }).click()])
    expect(chooser.isMultiple()).toBe(true)
    await chooser.setFiles([
      { name: 'wide-16x9.png', mimeType: 'image/png', buffer: wide },
      { name: 'square.jpg', mimeType: 'image/jpeg', buffer: square },
    ])
    const first = tray.getByRole('img', { name: '@Image1: wide-16x9.png', exact: true })
    const second = tray.getByRole('img', { name: '@Image2: square.jpg', exact: true })
    await expect(first).toBeVisible()
    await expect(second).toBeVisible()
    await expect(tray).toContainText('2 / 14')
    // Thumbnails come from main's reference store.
    for (const tile of [first, second]) {
      await expect.poll(() => tile.locator('img').evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
    }

    await generateButton(page).click()
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    const job1 = jobs.getByRole('listitem').filter({ hasText: prompt })
    await expect(job1.getByRole('img', { name: 'Image 1 of 1: saved', exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(job1.getByText('2 refs uploaded to Oxen', { exact: true })).toBeVisible()

    // The simulator got both files uploaded, fetched them over HTTP, and the enqueue named them in order.
    let s = await stats(simulator)
    expect(s.uploads).toBe(2)
    expect(s.referencesFetched).toEqual({ url: 2, dataUri: 0 })
    expect(s.referenceFailures).toBe(0)
    expect(s.acceptedEnqueues).toHaveLength(1)
    const uploaded = s.acceptedEnqueues[0]!.body.image_input as string[]
    expect(uploaded).toHaveLength(2)
    expect(uploaded[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
    expect(uploaded[0]).toContain(sha256(wide))
    expect(uploaded[1]).toContain(sha256(square))

    // match_input_image follows the first reference: 16:9 at 2K is 2048 × 1152.
    await nav(page, 'Library')
    const grid = page.getByRole('grid', { name: 'Library', exact: true })
    await grid.getByRole('gridcell', { name: `${prompt} — image 1 of 1`, exact: true }).dblclick()
    const details = page.getByRole('dialog', { name: 'Image details' })
    const full = details.getByRole('img', { name: `${prompt} — image 1 of 1`, exact: true })
    await expect
      .poll(() => full.evaluate((el: HTMLImageElement) => (el.complete ? `${el.naturalWidth}x${el.naturalHeight}` : 'loading')))
      .toBe('2048x1152')
    await expect(details.getByRole('definition').filter({ hasText: '2048 × 1152' })).toBeVisible()
    await page.keyboard.press('Escape')

    // Switch to inlining; the composer keeps its references across views.
    await nav(page, 'Settings')
    await page.getByRole('radio', { name: 'Inline in the request', exact: true }).click()
    await expect(page.getByRole('radio', { name: 'Inline in the request', exact: true })).toHaveAttribute('aria-checked', 'true')
    await nav(page, 'Create')
    await expect(tray).toContainText('2 / 14')
    const prompt2 = `the same chair, inlined ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt2)
    await generateButton(page).click()
    const job2 = jobs.getByRole('listitem').filter({ hasText: prompt2 })
    await expect(job2.getByRole('img', { name: 'Image 1 of 1: saved', exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(job2.getByText('2 refs inlined', { exact: true })).toBeVisible()
    await expect(job1.getByText('2 refs uploaded to Oxen', { exact: true })).toBeVisible()

    s = await stats(simulator)
    expect(s.uploads).toBe(2) // nothing uploaded again
    expect(s.referencesFetched).toEqual({ url: 2, dataUri: 2 })
    expect(s.acceptedEnqueues).toHaveLength(2)
    const inlined = s.acceptedEnqueues[1]!.body.image_input as string[]
    expect(inlined).toHaveLength(2)
    expect(inlined[0]!.startsWith('data:image/png;base64,')).toBe(true)
    expect(Buffer.from(inlined[0]!.split(',')[1]!, 'base64').equals(wide)).toBe(true)
    expect(inlined[1]!.startsWith('data:image/jpeg;base64,')).toBe(true)
    expect(Buffer.from(inlined[1]!.split(',')[1]!, 'base64').equals(square)).toBe(true)
  })

  test('drop files on the composer and paste an image into it', async ({ page }) => {
    await emptyDraft(harness.url) // the composer keeps its draft across reloads
    await page.goto(harness.url)
    await nav(page, 'Create')
    const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true })
    await prompt.fill('a kite over dunes')
    const composer = page.getByRole('complementary', { name: 'Composer' })
    const tray = page.getByRole('group', { name: 'Reference images', exact: true })
    // The tray (and the drop target) exist once the model's form has loaded: wait before dragging.
    await expect(tray).toBeVisible()
    const image = async (seed: number) => [...(await solidImage(seed, 200, 120, 'png'))]
    const transfer = (bytes: number[], names: string[], text?: string) =>
      page.evaluateHandle(
        ({ bytes, names, text }) => {
          const data = new DataTransfer()
          for (const name of names) data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }))
          if (text) data.setData('text/plain', text)
          return data
        },
        { bytes, names, text },
      )

    // Dragging files over the panel shows the drop overlay; dropping adds them (the same bytes twice: once).
    const dropped = await transfer(await image(3), ['dropped.png', 'dropped-again.png'])
    await composer.dispatchEvent('dragenter', { dataTransfer: dropped })
    await expect(composer.getByText('Drop to add reference images', { exact: true })).toBeVisible()
    await composer.dispatchEvent('drop', { dataTransfer: dropped })
    await expect(composer.getByText('Drop to add reference images', { exact: true })).toHaveCount(0)
    await expect(tray.getByRole('img', { name: '@Image1: dropped.png', exact: true })).toBeVisible()
    await expect(tray.getByRole('alert')).toHaveText('“dropped-again.png” is already one of the reference images.')

    // Pasting an image (and no text) anywhere in the composer adds it.
    const pasteInto = (target: 'prompt' | 'tile', data: Awaited<ReturnType<typeof transfer>>) =>
      (target === 'prompt' ? prompt : tray.getByRole('img', { name: '@Image1: dropped.png', exact: true })).evaluate(
        (el, clipboardData) => el.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true })),
        data,
      )
    await pasteInto('tile', await transfer(await image(4), ['image.png']))
    await expect(tray.getByRole('img', { name: '@Image2: image.png', exact: true })).toBeVisible()
    // Text and a picture together (a spreadsheet copy) pasted into the prompt: the text wins, no reference is added.
    await pasteInto('prompt', await transfer(await image(5), ['cells.png'], 'A1 B1'))
    await page.waitForTimeout(500)
    await expect(tray).toContainText('2 / 14')
    await expect(tray.getByRole('img', { name: /cells\.png/ })).toHaveCount(0)
    await expect(prompt).toHaveValue('a kite over dunes')
  })
})
