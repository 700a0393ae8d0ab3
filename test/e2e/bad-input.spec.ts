// Bad input gets a clear, specific message and loses nothing else (the prompt and the references already added
// stay): files refused by the references tray, and malformed requests sent straight at the harness.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import sharp from 'sharp'
import { clearKeychain, emptyDraft, nav, type Proc, randomTag, startHarness, startSimulator, tempDir } from './support'

/** A solid-colour image: its colour (and so its hash) depends on `seed`. */
function solidImage(seed: number, width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const background = { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 193) % 256 }
  return sharp({ create: { width, height, channels: 3, background } }).toFormat(format).toBuffer()
}

/** Random noise does not compress: about width × height × 3 bytes of PNG. */
function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
}

function writeFixture(dir: string, name: string, bytes: Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

const png = (name: string, buffer: Buffer) => ({ name, mimeType: 'image/png', buffer })
const PROMPT = 'a lighthouse on a basalt cliff, in the palette of @Image1'

test.describe('bad input', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let simulator: Proc
  let harness: Proc
  const keychainService = `Atelier-e2e-${randomTag()}`
  const files = tempDir('atelier-e2e-bad-files-')

  test.beforeAll(async () => {
    simulator = await startSimulator(`test-key-${randomTag()}`)
    harness = await startHarness({ dataDir: tempDir('atelier-e2e-bad-'), oxenUrl: simulator.url, keychainService })
  })
  test.afterAll(async () => {
    await harness?.stop()
    await simulator?.stop()
    clearKeychain(keychainService)
  })

  const tray = (page: Page) => page.getByRole('group', { name: 'Reference images', exact: true })
  const fileInput = (page: Page) => page.getByRole('complementary', { name: 'Composer' }).locator('input[type="file"]')
  const tiles = (page: Page) => tray(page).getByRole('img', { name: /^@Image\d+: / })

  /** The composer with a prompt and one good reference, the state every refusal must leave alone. */
  async function composerWithOneReference(page: Page): Promise<void> {
    await emptyDraft(harness.url) // the composer keeps its draft across reloads
    await page.goto(harness.url)
    await nav(page, 'Create')
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(PROMPT)
    await fileInput(page).setInputFiles([png('good.png', await solidImage(7, 320, 200))])
    await expect(tray(page).getByRole('img', { name: '@Image1: good.png', exact: true })).toBeVisible()
  }

  async function expectNothingLost(page: Page, count = 1): Promise<void> {
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(PROMPT)
    await expect(tray(page).getByRole('img', { name: '@Image1: good.png', exact: true })).toBeVisible()
    await expect(tiles(page)).toHaveCount(count)
    await expect(tray(page)).toContainText(`${count} / 14`)
  }

  const problems = (page: Page): Locator => tray(page).getByRole('alert')

  test('15 references: 14 are added and the rest is refused with the cap', async ({ page }) => {
    await page.goto(harness.url)
    await nav(page, 'Create')
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(PROMPT)
    const fifteen = await Promise.all(Array.from({ length: 15 }, async (_, i) => png(`ref-${i + 1}.png`, await solidImage(100 + i, 96, 96))))
    await fileInput(page).setInputFiles(fifteen)

    await expect(problems(page)).toHaveText('Seedream 5.0 Lite accepts at most 14 reference images; 1 was not added.')
    await expect(tiles(page)).toHaveCount(14)
    await expect(tray(page)).toContainText('14 / 14')
    // The first 14, in order; the 15th is the one refused.
    await expect(tray(page).getByRole('img', { name: '@Image14: ref-14.png', exact: true })).toBeVisible()
    await expect(tray(page).getByRole('img', { name: /ref-15\.png/ })).toHaveCount(0)
    // Full: no way to add more, and the prompt is untouched.
    await expect(tray(page).getByRole('button', { name: 'Add reference images', exact: true })).toHaveCount(0)
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(PROMPT)

    // Delete on a focused tile removes it (and the numbering closes up); the message can be dismissed.
    await tray(page).getByRole('img', { name: '@Image1: ref-1.png', exact: true }).focus()
    await page.keyboard.press('Delete')
    await expect(tiles(page)).toHaveCount(13)
    await expect(tray(page).getByRole('img', { name: '@Image1: ref-2.png', exact: true })).toBeFocused()
    await tray(page).getByRole('button', { name: 'Dismiss these messages', exact: true }).click()
    await expect(problems(page)).toHaveCount(0)
  })

  test('a text file: says it is not an image', async ({ page }) => {
    await composerWithOneReference(page)
    await fileInput(page).setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('shot list: cliff, lighthouse, dusk\n') }])
    await expect(problems(page)).toHaveText('“notes.txt” is not an image. Use a PNG, JPEG or WebP image instead.')
    await expectNothingLost(page)
  })

  test('an empty .png: says it is empty', async ({ page }) => {
    await composerWithOneReference(page)
    await fileInput(page).setInputFiles([png('empty.png', Buffer.alloc(0))])
    await expect(problems(page)).toHaveText('“empty.png” is empty (0 bytes), so it can’t be used as a reference. Use a PNG, JPEG or WebP image instead.')
    await expectNothingLost(page)
  })

  test('a file over 30 MB is refused by size; a 27 MB one travels whole and is added', async ({ page }) => {
    await composerWithOneReference(page)
    const huge = writeFixture(files, 'huge.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(31_500_000 - 8)]))
    await fileInput(page).setInputFiles(huge)
    await expect(problems(page)).toHaveText(
      '“huge.png” is 31.5 MB; reference images can be at most 30 MB. Save a smaller or more compressed copy (for example a JPEG) and add that.',
    )
    await expectNothingLost(page)

    // Just under the limit: base64 in slices, over the WebSocket, decoded and checked by main.
    const large = await noisePng(3000, 3000)
    expect(large.length).toBeGreaterThan(27_000_000)
    expect(large.length).toBeLessThan(30_000_000)
    await fileInput(page).setInputFiles(writeFixture(files, 'large-noise.png', large))
    const added = tray(page).getByRole('img', { name: '@Image2: large-noise.png', exact: true })
    await expect(added).toBeVisible({ timeout: 60_000 })
    await added.hover()
    await expect(page.getByRole('tooltip')).toContainText('3000 × 3000 · PNG')
    await expectNothingLost(page, 2)
  })

  test('a PNG named .jpg is accepted as the PNG it is', async ({ page }) => {
    await composerWithOneReference(page)
    await fileInput(page).setInputFiles([{ name: 'actually-a-png.jpg', mimeType: 'image/jpeg', buffer: await solidImage(8, 300, 200, 'png') }])
    const tile = tray(page).getByRole('img', { name: '@Image2: actually-a-png.jpg', exact: true })
    await expect(tile).toBeVisible()
    await tile.focus()
    await expect(page.getByRole('tooltip')).toContainText('300 × 200 · PNG')
    await expect(problems(page)).toHaveCount(0)
    await expectNothingLost(page, 2)
  })

  test('the same image twice is added once', async ({ page }) => {
    await composerWithOneReference(page)
    await fileInput(page).setInputFiles([png('good-copy.png', await solidImage(7, 320, 200))])
    await expect(problems(page)).toHaveText('“good-copy.png” is already one of the reference images.')
    await expectNothingLost(page)
  })

  test('malformed requests over the harness WebSocket get specific invalid-input answers', async ({ page }) => {
    await page.goto(harness.url)
    const answers = await page.evaluate(async () => {
      const ws = new WebSocket(new URL('/__atelier/ws', location.href).href.replace(/^http/, 'ws'))
      await new Promise((resolve, reject) => {
        ws.onopen = resolve
        ws.onerror = reject
      })
      const results: Record<number, unknown> = {}
      const answered = new Promise<void>((resolve) => {
        ws.onmessage = (event) => {
          const message = JSON.parse(String(event.data)) as { kind: string; id: number; result: unknown }
          if (message.kind !== 'response') return
          results[message.id] = message.result
          if (Object.keys(results).length === 2) resolve()
        }
      })
      // Garbage and a message without a numeric id are dropped without an answer; the socket stays usable.
      ws.send('not json at all')
      ws.send(JSON.stringify({ kind: 'request', id: 'x', name: 'listJobs' }))
      ws.send(JSON.stringify({ kind: 'request', id: 1, name: 'generate', input: { prompt: 42, count: 99 } }))
      ws.send(JSON.stringify({ kind: 'request', id: 2, name: 'readApiKey' }))
      await answered
      ws.close()
      return results
    })
    expect(answers).toEqual({
      1: {
        ok: false,
        error: { code: 'invalid-input', message: 'modelId: Choose a model first. prompt: The prompt must be text. count: Ask for at most 15 images at once.' },
      },
      2: { ok: false, error: { code: 'invalid-input', message: 'Unknown request "readApiKey".' } },
    })
    // Nothing was started, and the app's own connection still works.
    await nav(page, 'Create')
    await expect(page.getByRole('region', { name: 'Jobs', exact: true }).getByText('No jobs yet', { exact: true })).toBeVisible()
    await expect(page.getByRole('group', { name: 'Reference images', exact: true })).toBeVisible()
  })

  test('generate with 15 images in one field through the real bridge: “Use at most 14 images in one field.”', async ({ page }) => {
    await page.goto(harness.url)
    const answer = await page.evaluate(() => {
      const bridge = (window as unknown as { atelier: { generate: (input: unknown) => Promise<unknown> } }).atelier
      return bridge.generate({ modelId: 'bytedance-seedream-5-lite', prompt: 'x', count: 1, images: { image_input: Array(15).fill('a'.repeat(64)) } })
    })
    expect(answer).toEqual({ ok: false, error: { code: 'invalid-input', message: 'images.image_input: Use at most 14 images in one field.' } })
  })
})
