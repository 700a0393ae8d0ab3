// Smoke test of the real Electron shell: preload wiring, hardening, the atelier:// protocol, drag-out, the clipboard
// and the security handlers. Runs where an Electron binary exists (the unpackaged app, `electron .`: release fuses
// turn off the --inspect flags Playwright drives Electron with); reports itself skipped with the reason otherwise.
// Without the binary, the same wiring is tested against a stand-in of Electron in test/unit/shell-wiring.test.ts.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test'
import { ROOT, tempDir } from './support'
import { requestNames, eventNames } from '../../shared/contract'

function hasElectronBinary(): boolean {
  try {
    execFileSync('node', ['scripts/has-electron.mjs'], { cwd: ROOT })
    return true
  } catch {
    return false
  }
}

/** A profile whose library holds one saved 64×48 PNG (test/fixtures/seed-profile.ts). */
function profileWithImage(): { dataDir: string; imageId: string } {
  const dataDir = tempDir('atelier-electron-')
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/fixtures/seed-profile.ts', dataDir], { cwd: ROOT, encoding: 'utf8' })
  return { dataDir, imageId: (JSON.parse(out.trim().split('\n').pop()!) as { imageId: string }).imageId }
}

/** Whether an <img> with this URL loads in the page (cross-origin media cannot be read with fetch, only shown). */
const imageLoads = (page: Page, url: string) =>
  page.evaluate(
    (src) =>
      new Promise<{ ok: boolean; width: number }>((resolve) => {
        const img = new Image()
        img.onload = () => resolve({ ok: true, width: img.naturalWidth })
        img.onerror = () => resolve({ ok: false, width: 0 })
        img.src = src
      }),
    url,
  )

test.describe('Electron shell', () => {
  test.skip(!hasElectronBinary(), 'no Electron binary on this machine (it cannot be downloaded here); test/unit/shell-wiring.test.ts covers the wiring')

  let app: ElectronApplication
  let page: Page
  let imageId: string
  let dataDir: string
  test.beforeAll(async () => {
    ;({ dataDir, imageId } = profileWithImage())
    app = await electron.launch({ args: [ROOT], env: { ...process.env, ATELIER_USER_DATA_DIR: dataDir } })
    page = await app.firstWindow()
  })
  test.afterAll(async () => {
    await app?.close()
  })

  test('hardened window exposes exactly the contract and serves the app over atelier:// with its CSP header', async () => {
    await expect(page).toHaveTitle('Atelier')
    expect(new URL(page.url()).protocol).toBe('atelier:')
    const surface = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { atelier: object }).atelier).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }))
    expect(surface.keys).toEqual([...requestNames, ...eventNames, 'pathForFile'].sort())
    expect(surface.require).toBe('undefined')
    expect(surface.process).toBe('undefined')
    const csp = await page.evaluate(async () => (await fetch('atelier://app/index.html')).headers.get('content-security-policy'))
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click()
    await expect(page.getByLabel('Oxen API key')).toBeVisible()
  })

  test('the protocol serves library images by id and refuses everything else', async () => {
    expect(await imageLoads(page, `atelier://media/${imageId}/full`)).toEqual({ ok: true, width: 64 })
    expect((await imageLoads(page, `atelier://media/${imageId}/thumb`)).ok).toBe(true)
    for (const url of [
      'atelier://media/00000000-0000-4000-8000-000000000000/full',
      `atelier://media/..%2f..%2f${imageId}/full`,
      'atelier://media/..%2f..%2fLocal%20State/full',
      'atelier://elsewhere/icon.png',
    ]) {
      expect((await imageLoads(page, url)).ok, url).toBe(false)
    }
    const statuses = await page.evaluate(async () =>
      Promise.all(['atelier://app/..%2f..%2fpackage.json', 'atelier://app/%2e%2e/%2e%2e/package.json', 'atelier://app/nothing.js'].map(async (u) => (await fetch(u)).status)),
    )
    expect(statuses).toEqual([404, 404, 404])
  })

  test('drag-out starts an OS drag of the image file from the library, with an icon', async () => {
    // Record the drag instead of starting one (a real OS drag would wait for the mouse).
    await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents
      const drags: { file: string; files: string[]; iconEmpty: boolean }[] = []
      ;(globalThis as unknown as { __drags: typeof drags }).__drags = drags
      contents.startDrag = (item) => void drags.push({ file: item.file, files: item.files ?? [], iconEmpty: typeof item.icon === 'string' || item.icon.isEmpty() })
    })
    const answer = await page.evaluate((id) => (window as unknown as { atelier: { startDrag(i: object): Promise<unknown> } }).atelier.startDrag({ imageIds: [id] }), imageId)
    expect(answer).toMatchObject({ ok: true })
    const drags = await app.evaluate(() => (globalThis as unknown as { __drags: { file: string; files: string[]; iconEmpty: boolean }[] }).__drags)
    expect(drags).toHaveLength(1)
    expect(drags[0]!.file.startsWith(join(dataDir, 'library', 'images'))).toBe(true)
    expect(existsSync(drags[0]!.file)).toBe(true)
    expect(drags[0]!.iconEmpty).toBe(false)
  })

  test('copy puts the image on the system clipboard', async () => {
    await app.evaluate(({ clipboard }) => clipboard.clear())
    const answer = await page.evaluate((id) => (window as unknown as { atelier: { copyImage(i: object): Promise<unknown> } }).atelier.copyImage({ imageId: id }), imageId)
    expect(answer).toMatchObject({ ok: true })
    expect(await app.evaluate(({ clipboard }) => clipboard.readImage().getSize())).toEqual({ width: 64, height: 48 })
  })

  test('navigation, new windows and permissions are refused', async () => {
    await page.evaluate(() => {
      location.href = 'https://example.invalid/'
    })
    await expect.poll(() => new URL(page.url()).protocol).toBe('atelier:')
    expect(await page.evaluate(() => window.open('https://example.invalid/') === null)).toBe(true)
    expect(app.windows()).toHaveLength(1)
    const refused = await page.evaluate(async () => {
      const geolocation = (await navigator.permissions.query({ name: 'geolocation' })).state
      const camera = await navigator.mediaDevices.getUserMedia({ video: true }).then(
        () => 'granted',
        (e: Error) => e.name,
      )
      return { geolocation, camera }
    })
    expect(refused.geolocation).toBe('denied')
    expect(refused.camera).not.toBe('granted')
  })
})
