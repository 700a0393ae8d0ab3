// The walking skeleton end to end, through real parts: Debian Chromium ↔ harness (real services, real
// keychain, real data folder) ↔ Oxen simulator over loopback HTTP/SSE.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { clearKeychain, filesContaining, generateButton, listFiles, nav, type Proc, randomTag, ROOT, startHarness, startSimulator, tempDir } from './support'

const SHOTS = join(ROOT, 'test-results/screenshots')
mkdirSync(SHOTS, { recursive: true })

function secretToolLookup(service: string): string {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', service, 'account', 'oxen-api-key'], { encoding: 'utf8' })
  } catch {
    return ''
  }
}

/** Records everything the renderer could reach: console text and every message it received. */
function watchRenderer(page: Page) {
  const seen: string[] = []
  page.on('console', (m) => seen.push(m.text()))
  page.on('pageerror', (e) => seen.push(String(e)))
  page.on('websocket', (ws) => ws.on('framereceived', (f) => seen.push(String(f.payload))))
  page.on('response', async (r) => {
    const type = r.headers()['content-type'] ?? ''
    if (/json|text|javascript/.test(type)) seen.push(await r.text().catch(() => ''))
  })
  return seen
}

async function rendererState(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dump = (s: Storage) => JSON.stringify(Object.fromEntries(Object.entries(s)))
    const dbs = 'databases' in indexedDB ? JSON.stringify(await indexedDB.databases()) : ''
    return [document.documentElement.outerHTML, dump(localStorage), dump(sessionStorage), document.cookie, dbs].join('\n')
  })
}

test.describe('walking skeleton', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let simulator: Proc
  let harness: Proc | undefined
  const canary = `atelier-canary-${randomTag()}-key`
  const keychainService = `Atelier-e2e-${randomTag()}`
  const dataDir = tempDir('atelier-e2e-')

  test.beforeAll(async () => {
    simulator = await startSimulator(canary)
  })
  test.afterAll(async () => {
    await harness?.stop()
    await simulator?.stop()
    clearKeychain(keychainService)
  })

  test('save a key → generate 3 → restart → the Library keeps all 3; the key reaches only the keychain', async ({ page, browser }) => {
    harness = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
    const seen = watchRenderer(page)
    await page.goto(harness.url)

    // Without a key the composer says what to do.
    await expect(page.getByText(/add your oxen api key/i).first()).toBeVisible()
    await expect(page.getByRole('button', { name: 'No API key', exact: true })).toBeVisible()

    await nav(page, 'Settings')
    await page.getByLabel('Oxen API key').fill(canary)
    await page.getByRole('button', { name: 'Save key', exact: true }).click()
    await expect(page.getByText('Saved in your system keychain')).toBeVisible()
    await expect(page.getByLabel('Oxen API key')).toHaveValue('')
    await page.getByRole('button', { name: 'Test key', exact: true }).click()
    await expect(page.getByText(/Oxen accepted your key/)).toBeVisible()
    expect(secretToolLookup(keychainService)).toBe(canary)

    await nav(page, 'Create')
    const prompt = `a teal risograph poster of a lighthouse ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    // The form follows the live schema: size, aspect ratio and output format as it offers them.
    await expect(page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio')).toHaveText(['2K', '3K'])
    await page.getByRole('radiogroup', { name: 'Size', exact: true }).getByRole('radio', { name: '2K' }).click()
    await expect(page.getByRole('combobox', { name: /^aspect ratio$/i })).toBeVisible()
    await expect(page.getByRole('radiogroup', { name: /^output format$/i })).toBeVisible()
    const count = page.getByRole('spinbutton', { name: 'Number of images', exact: true })
    await count.fill('3')
    await expect(count).toHaveValue('3')
    await page.screenshot({ path: join(SHOTS, 'composer.png') })

    const started = Date.now()
    await generateButton(page).click()
    const results = page.getByRole('region', { name: 'Results', exact: true })
    const images = results.getByRole('img', { name: new RegExp(`^${prompt} — image \\d of 3$`) })
    await expect(images).toHaveCount(3, { timeout: 60_000 })
    for (const img of await images.all()) {
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
    }
    const elapsed = Date.now() - started
    test.info().annotations.push({ type: 'generation-3-images-ms', description: String(elapsed) })
    console.log(`3-image generation, Generate click → 3 images painted: ${elapsed} ms`)
    await page.screenshot({ path: join(SHOTS, 'results.png') })
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    await expect(jobs.getByRole('img', { name: /^Image \d of 3: saved$/ })).toHaveCount(3)

    // The simulator saw exactly one enqueue of 3 (⌈3/4⌉ = 1).
    const stats = (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as { enqueueRequests: number; enqueueBodies: { num_generations?: number }[] }
    expect(stats.enqueueRequests).toBe(1)
    expect(stats.enqueueBodies[0]?.num_generations).toBe(3)

    // The canary key is nowhere the renderer can reach.
    const state = await rendererState(page)
    expect(state).not.toContain(canary)
    expect(seen.filter((text) => text.includes(canary))).toEqual([])

    // Restart the harness on the same data folder: the Library still shows all 3.
    await harness.stop()
    harness = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
    const page2 = await browser.newPage()
    const seen2 = watchRenderer(page2)
    await page2.goto(harness.url)
    await nav(page2, 'Library')
    const library = page2.getByRole('region', { name: 'Library', exact: true }).getByRole('grid', { name: 'Library', exact: true })
    const libraryImages = library.getByRole('img', { name: new RegExp(`^${prompt} — image \\d of 3$`) })
    await expect(libraryImages).toHaveCount(3)
    for (const img of await libraryImages.all()) {
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true)
    }
    await page2.screenshot({ path: join(SHOTS, 'library-after-restart.png') })
    // The key survived the restart in the keychain, and still never reaches the renderer.
    await nav(page2, 'Settings')
    await expect(page2.getByText('Saved in your system keychain')).toBeVisible()
    expect(await rendererState(page2)).not.toContain(canary)
    expect(seen2.filter((text) => text.includes(canary))).toEqual([])

    // Nowhere in the data folder either (database, settings, logs, images); only in the keychain.
    await harness.stop()
    harness = undefined
    const files = listFiles(dataDir)
    expect(files.some((f) => f.endsWith('.db') || f.includes('library'))).toBe(true)
    expect(files.some((f) => f.includes('settings'))).toBe(true)
    expect(filesContaining(dataDir, canary)).toEqual([])
    expect(secretToolLookup(keychainService)).toBe(canary)
  })
})
