// Beyond one machine (issue 13), end to end through real parts (simulator, harness, the built renderer in Chromium):
// images made, rated, flagged and put on a board; the board pushed to an Oxen repository through the Push dialog;
// then the app's data folder wiped (a new machine, the same account: the simulator keeps the repository) and the
// repository pulled back through the Pull dialog: the same images, recipes, ratings and flags, on a board named
// after the repository. And the account's generation history imported from Settings, once, then only what is new.
import { mkdirSync, rmSync } from 'node:fs'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Locator, type Page } from '@playwright/test'
import type { Job, LibraryImage, LibraryPage } from '../../shared/domain'
import type { SyncTask } from '../../shared/sync'
import { type App, clearKeychain, connectBridge, nav, type Proc, randomTag, startApp, startHarness, until } from './support'

/** With ATELIER_SHOTS=<folder>, screenshots of each step in both themes are left there (for looking at by eye). */
const SHOTS = process.env.ATELIER_SHOTS
if (SHOTS) mkdirSync(SHOTS, { recursive: true })

/** Waits for main's task of this kind to end, and answers it (failing with its message if it did not succeed). */
async function taskEnded(harnessUrl: string, kind: SyncTask['kind'], besides: string[] = [], timeoutMs = 90_000): Promise<SyncTask> {
  const bridge = await connectBridge(harnessUrl)
  try {
    return await until(
      `the ${kind} to end`,
      async () => {
        const tasks = await bridge.call<SyncTask[]>('listSyncTasks')
        return tasks.ok && tasks.value.find((t) => t.kind === kind && t.state !== 'running' && !besides.includes(t.id))
      },
      timeoutMs,
      250,
    )
  } finally {
    bridge.close()
  }
}

/** What a recipe and its triage are, without ids (a pulled image is a new image in a new library). */
function recipe(image: LibraryImage) {
  return {
    prompt: image.prompt,
    modelId: image.modelId,
    params: image.params,
    width: image.width,
    height: image.height,
    format: image.format,
    rating: image.rating,
    pick: image.pick,
  }
}

async function libraryOf(harnessUrl: string, filters: Record<string, unknown> = {}): Promise<LibraryImage[]> {
  const bridge = await connectBridge(harnessUrl)
  try {
    const page = await bridge.call<LibraryPage>('searchLibrary', { text: '', filters, limit: 200 })
    if (!page.ok) throw new Error(page.error.message)
    return page.value.items
  } finally {
    bridge.close()
  }
}

/** Replaces the simulator's fault set (`{}`: none). */
async function simulatorFaults(simulatorUrl: string, faults: Record<string, unknown>): Promise<void> {
  const answer = await fetch(`${simulatorUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) })
  expect(answer.status).toBe(200)
}

const bySeed = (a: ReturnType<typeof recipe>, b: ReturnType<typeof recipe>) => Number(a.params.seed) - Number(b.params.seed)

/** In both themes: screenshots when ATELIER_SHOTS asks for them; with `axeOn`, axe checks that part (serious or critical fail). */
async function shoot(page: Page, name: string, target?: Locator, axeOn?: string) {
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' })
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme)
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/${name}-${scheme}.png`, animations: 'disabled' })
      if (target) await target.screenshot({ path: `${SHOTS}/${name}-${scheme}-detail.png`, animations: 'disabled' })
    }
    if (axeOn) {
      const results = await new AxeBuilder({ page }).include(axeOn).analyze()
      const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(blocking.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${name} (${scheme})`).toEqual([])
    }
  }
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'no-preference' })
}

test.describe('sync with Oxen', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  /** The second "machine": a harness on a wiped data folder, the same simulator and key. */
  let second: Proc | undefined
  const secondKeychain = `Atelier-e2e-${randomTag()}`
  const tag = randomTag()
  const prompt = `three paper cranes on linen ${tag}`
  const boardName = `Moodboard ${tag}`
  const slug = `moodboard-${tag}`
  let namespace = ''

  test.beforeAll(async () => {
    app = await startApp('sync')
    const bridge = await connectBridge(app.harness.url)
    try {
      const account = await bridge.call<{ namespace: string }>('getOxenAccount')
      if (!account.ok) throw new Error(account.error.message)
      namespace = account.value.namespace
      const started = await bridge.call<{ jobId: string }>('generate', {
        modelId: 'flux-1-dev',
        prompt,
        count: 3,
        params: {},
        seed: { mode: 'increment', value: 4242 },
      })
      if (!started.ok) throw new Error(started.error.message)
      await until(
        'the job to finish',
        async () => {
          const jobs = await bridge.call<Job[]>('listJobs')
          return jobs.ok && jobs.value.find((j) => j.id === started.value.jobId)?.status === 'completed'
        },
        60_000,
      )
      const images = (await libraryOf(app.harness.url)).sort((a, b) => Number(a.params.seed) - Number(b.params.seed))
      expect(images).toHaveLength(3)
      const [first, second] = images as [LibraryImage, LibraryImage, LibraryImage]
      // Triage as a designer leaves it: one a 4-star pick, one a 2-star reject, one untouched.
      for (const [name, input] of [
        ['setRating', { imageIds: [first.id], rating: 4 }],
        ['setPick', { imageIds: [first.id], pick: 1 }],
        ['setRating', { imageIds: [second.id], rating: 2 }],
        ['setPick', { imageIds: [second.id], pick: -1 }],
      ] as const) {
        const done = await bridge.call(name, input)
        if (!done.ok) throw new Error(done.error.message)
      }
      const board = await bridge.call<{ id: string }>('createBoard', { name: boardName })
      if (!board.ok) throw new Error(board.error.message)
      const added = await bridge.call('addToBoard', { boardId: board.value.id, imageIds: images.map((i) => i.id) })
      if (!added.ok) throw new Error(added.error.message)
    } finally {
      bridge.close()
    }
  })
  test.afterAll(async () => {
    await second?.stop()
    await app?.stop()
    clearKeychain(secondKeychain)
  })

  test('push a board through the dialog, wipe the library, pull it back: same images, recipes and triage', async ({ page }) => {
    test.setTimeout(240_000)
    const repo = `${namespace}/${slug}`
    const before = (await libraryOf(app.harness.url)).map(recipe).sort(bySeed)

    // The recipe as the details show it, to compare after the pull.
    const recipeShown = async () => {
      const details = page.getByRole('dialog', { name: 'Image details', exact: true })
      await expect(details.getByText(prompt, { exact: true })).toBeVisible()
      const rows = await details.locator('.detail-meta-row').evaluateAll((els) =>
        els.map((el): [string, string] => [el.querySelector('dt')?.textContent ?? '', el.querySelector('dd')?.textContent ?? '']),
      )
      await details.getByRole('button', { name: 'Close details', exact: true }).click()
      await expect(details).toHaveCount(0)
      return Object.fromEntries(rows.filter(([label]) => ['Model', 'Seed', 'Dimensions'].includes(label)))
    }

    await page.goto(app.harness.url)
    await nav(page, 'Library')
    const library = page.getByRole('region', { name: 'Library', exact: true })
    const grid = library.getByRole('grid', { name: 'Library', exact: true })
    const sidebar = library.getByRole('complementary', { name: 'Library filters', exact: true })
    await expect(grid.getByRole('gridcell')).toHaveCount(3)
    await grid.getByRole('gridcell', { name: `${prompt} — image 1 of 3`, exact: true }).click()
    await page.keyboard.press('Enter')
    const shownBefore = await recipeShown()
    expect(shownBefore).toMatchObject({ Seed: '4242' })

    // The board's menu → Push to Oxen…
    await sidebar.getByRole('button', { name: `Board options: ${boardName}`, exact: true }).click()
    await page.getByRole('menuitem', { name: 'Push to Oxen…', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Push to Oxen', exact: true })
    const repoField = dialog.getByRole('textbox', { name: 'Repository', exact: true })
    await expect(repoField).toHaveValue(slug)
    await expect(dialog.getByText(`In your namespace, ${namespace}.`, { exact: false })).toBeVisible()
    const visibility = dialog.getByRole('radiogroup', { name: 'Who can see it', exact: true })
    await expect(visibility.getByRole('radio', { name: 'Private', exact: true })).toBeChecked()
    await expect(visibility.getByRole('radio', { name: 'Public', exact: true })).not.toBeChecked()
    const message = dialog.getByRole('textbox', { name: 'Commit message', exact: true })
    await expect(message).toHaveValue(`Add ${boardName} from Atelier`)
    await expect(dialog.getByText('Sends only the images the repository lacks', { exact: false })).toBeVisible()

    // A bad name is refused beside the field, in words that name it; nothing starts.
    await repoField.fill('-bad name')
    await dialog.getByRole('button', { name: 'Push', exact: true }).click()
    await expect(dialog.getByRole('alert')).toContainText('A repository name must start with a letter or digit')
    await expect(repoField).toHaveAttribute('aria-invalid', 'true')
    await repoField.fill(slug)
    await expect(dialog.getByRole('alert')).toHaveCount(0)
    await shoot(page, 'push-dialog', dialog)

    await dialog.getByRole('button', { name: 'Push', exact: true }).click()
    await expect(dialog).toHaveCount(0)
    const transfers = sidebar.getByRole('region', { name: 'Transfers with Oxen', exact: true })
    const pushCard = transfers.getByRole('listitem').filter({ hasText: repo })
    await expect(pushCard).toBeVisible()
    const pushed = await taskEnded(app.harness.url, 'push')
    expect(pushed.state, pushed.message ?? '').toBe('done')
    await expect(pushCard.getByText('Pushed to', { exact: true })).toBeVisible()
    await expect(pushCard.getByRole('status')).toHaveText(pushed.message ?? '')
    if (pushed.url) await expect(pushCard.getByRole('link', { name: `Open on Oxen: ${repo}`, exact: true })).toHaveAttribute('href', pushed.url)
    await shoot(page, 'task-strip-pushed', sidebar, '.sync-tasks')

    // A new machine, the same account: the data folder wiped, the simulator (and its repository) kept.
    await app.harness.stop()
    rmSync(app.dataDir, { recursive: true, force: true })
    mkdirSync(app.dataDir, { recursive: true })
    second = await startHarness({ dataDir: app.dataDir, oxenUrl: app.simulator.url, keychainService: secondKeychain })
    const bridge = await connectBridge(second.url)
    expect((await bridge.call('setApiKey', { key: app.key })).ok).toBe(true)
    bridge.close()
    expect(await libraryOf(second.url)).toHaveLength(0)

    await page.goto(second.url)
    await nav(page, 'Library')
    await expect(library.getByText('Your library is empty', { exact: true })).toBeVisible()
    await sidebar.getByRole('button', { name: 'Pull from Oxen…', exact: true }).click()
    const pull = page.getByRole('dialog', { name: 'Pull from Oxen', exact: true })
    await expect(pull.getByText('nothing in your library is overwritten', { exact: false })).toBeVisible()
    // Its page's address works as well as ns/repo.
    await pull.getByRole('textbox', { name: 'Repository', exact: true }).fill(`https://www.oxen.ai/${repo}`)
    await shoot(page, 'pull-dialog', pull)
    // A slow connection: the strip shows how far it got, and Cancel stops it.
    await simulatorFaults(app.simulator.url, { named: ['latency=2000'] })
    await pull.getByRole('button', { name: 'Pull', exact: true }).click()
    await expect(pull).toHaveCount(0)
    // The empty library says what is on its way (every request takes 2 s: no image has arrived yet).
    await expect(page.getByText(`Pulling from ${repo}`, { exact: true })).toBeVisible()
    const running = transfers.getByRole('listitem').filter({ hasText: 'Pulling from' })
    const progress = running.getByRole('progressbar', { name: `Progress of the pull from ${repo}`, exact: true })
    await expect(progress).toBeVisible()
    // Once the repository's list is read, it counts its files: "1 of 3".
    await expect(progress).toHaveAttribute('aria-valuemax', '3', { timeout: 30_000 })
    await expect(progress).toHaveAttribute('aria-valuetext', /^\d of 3$/)
    await shoot(page, 'task-strip-running', sidebar)
    await running.getByRole('button', { name: `Cancel pull from ${repo}`, exact: true }).click()
    const cancelled = await taskEnded(second.url, 'pull')
    expect(cancelled.state).toBe('cancelled')
    await simulatorFaults(app.simulator.url, {})
    const cancelledCard = transfers.getByRole('listitem').filter({ hasText: 'Pull cancelled' })
    await expect(cancelledCard).toBeVisible()
    await cancelledCard.getByRole('button', { name: `Dismiss pull from ${repo}`, exact: true }).click()
    await expect(cancelledCard).toHaveCount(0)

    // Again, at full speed, to the end (what the cancelled pull brought stays, nothing twice).
    await sidebar.getByRole('button', { name: 'Pull from Oxen…', exact: true }).click()
    await pull.getByRole('textbox', { name: 'Repository', exact: true }).fill(repo)
    await pull.getByRole('button', { name: 'Pull', exact: true }).click()
    await expect(pull).toHaveCount(0)
    const pulled = await taskEnded(second.url, 'pull', [cancelled.id])
    expect(pulled.state, pulled.message ?? '').toBe('done')
    const pullCard = transfers.getByRole('listitem').filter({ hasText: repo })
    await expect(pullCard.getByText('Pulled from', { exact: true })).toBeVisible()
    await shoot(page, 'task-strip-pulled', sidebar, '.sync-tasks')

    // The same images, recipes and triage, on a board named after the repository.
    const after = await libraryOf(second.url)
    expect(after.map(recipe).sort(bySeed)).toEqual(before)
    await pullCard.getByRole('button', { name: `Show board ${repo}`, exact: true }).click()
    await expect(library.getByRole('heading', { name: repo, exact: true })).toBeVisible()
    await expect(sidebar.getByRole('button', { name: repo, exact: true })).toHaveAttribute('aria-current', 'true')
    await expect(grid.getByRole('gridcell')).toHaveCount(3)
    await expect(grid.locator('[role="gridcell"][aria-description="Rated 4 stars, Pick"]')).toHaveCount(1)
    await expect(grid.locator('[role="gridcell"][aria-description="Rated 2 stars, Rejected"]')).toHaveCount(1)
    const seeded = after.find((i) => i.params.seed === 4242)!
    await grid.locator(`[role="gridcell"][data-image-id="${seeded.id}"]`).click()
    await page.keyboard.press('Enter')
    expect(await recipeShown()).toEqual(shownBefore)

    // Pulling again adds nothing: what is already here is recognised, nothing is overwritten.
    await sidebar.getByRole('button', { name: 'Pull from Oxen…', exact: true }).click()
    await pull.getByRole('textbox', { name: 'Repository', exact: true }).fill(slug) // a name alone: one of the user's own
    await pull.getByRole('button', { name: 'Pull', exact: true }).click()
    await expect(pull).toHaveCount(0)
    const again = await taskEnded(second.url, 'pull', [cancelled.id, pulled.id])
    expect(again.state, again.message ?? '').toBe('done')
    await expect.poll(async () => (await libraryOf(second!.url)).length).toBe(3)
  })
})

test.describe('import Oxen history', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  test.beforeAll(async () => {
    app = await startApp('sync-history')
    // Five past image generations made "elsewhere" (the Oxen web app), plus a failed one and a video it must skip.
    const seeded = await fetch(`${app.simulator.url}/__sim/history`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 5, failed: 1, nonImage: 1, apiKey: app.key }),
    })
    expect(seeded.status).toBe(200)
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test('import from Settings brings each past generation once', async ({ page }) => {
    test.setTimeout(120_000)
    await page.goto(app.harness.url)
    await nav(page, 'Settings')
    const section = page.getByRole('region', { name: 'Oxen history', exact: true })
    await expect(section.getByText('Each comes once; run it again to bring only what is new.', { exact: false })).toBeVisible()
    await section.getByRole('button', { name: 'Import history', exact: true }).click()
    const first = await taskEnded(app.harness.url, 'import')
    expect(first.state, first.message ?? '').toBe('done')
    await expect(section.getByText('History imported', { exact: true })).toBeVisible()
    await expect(section.getByRole('status').filter({ hasText: first.message ?? '' })).toBeVisible()
    await shoot(page, 'settings-history', section, '.settings')
    await expect.poll(async () => (await libraryOf(app.harness.url)).length).toBe(5)

    // Again: nothing new, nothing twice.
    await section.getByRole('button', { name: 'Dismiss history import', exact: true }).click()
    await section.getByRole('button', { name: 'Import history', exact: true }).click()
    await expect(section.getByText('History imported', { exact: true })).toBeVisible({ timeout: 60_000 })
    expect(await libraryOf(app.harness.url)).toHaveLength(5)

    await nav(page, 'Library')
    await expect(page.getByRole('grid', { name: 'Library', exact: true }).getByRole('gridcell')).toHaveCount(5)
  })
})
