// A missing or wrong key, an unreachable API and a failed job each show a plain message that says what
// to do — in the real renderer, through the harness, against the simulator.
import { createServer } from 'node:net'
import { expect, test, type Page } from '@playwright/test'
import { clearKeychain, generateButton, nav, type Proc, randomTag, startHarness, startSimulator, tempDir } from './support'

async function saveKey(page: Page, key: string) {
  await nav(page, 'Settings')
  await page.getByLabel('Oxen API key').fill(key)
  await page.getByRole('button', { name: 'Save key', exact: true }).click()
  await expect(page.getByText('Saved in your system keychain')).toBeVisible()
}

async function generate(page: Page, prompt: string, count: number) {
  await nav(page, 'Create')
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
  await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill(String(count))
  await generateButton(page).click()
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

test.describe('plain messages', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const procs: Proc[] = []
  const services: string[] = []
  test.afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()))
    for (const service of services.splice(0)) {
      clearKeychain(service)
    }
  })
  const harnessFor = async (oxenUrl: string) => {
    const keychainService = `Atelier-e2e-${randomTag()}`
    services.push(keychainService)
    const harness = await startHarness({ dataDir: tempDir('atelier-e2e-msg-'), oxenUrl, keychainService })
    procs.push(harness)
    return harness
  }

  test('missing key: Generate says to add one in Settings', async ({ page }) => {
    const simulator = await startSimulator(`test-key-${randomTag()}`)
    procs.push(simulator)
    await page.goto((await harnessFor(simulator.url)).url)
    await generate(page, 'no key yet', 1)
    await expect(page.getByText('Add your Oxen API key in Settings before generating.').first()).toBeVisible()
    await page.getByRole('button', { name: 'Go to Settings', exact: true }).click()
    await expect(page.getByLabel('Oxen API key')).toBeVisible()
  })

  test('wrong key: Test key and the job both say Oxen refused it', async ({ page }) => {
    const simulator = await startSimulator(`test-key-${randomTag()}`)
    procs.push(simulator)
    await page.goto((await harnessFor(simulator.url)).url)
    await saveKey(page, `test-key-wrong-${randomTag()}`)
    await page.getByRole('button', { name: 'Test key', exact: true }).click()
    await expect(page.getByText(/Oxen did not accept your API key\. Check it in Settings/).first()).toBeVisible()
    await generate(page, 'a wrong key', 2)
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    await expect(jobs.getByText(/Oxen did not accept your API key/).first()).toBeVisible()
    await expect(jobs.getByRole('img', { name: /^Image \d of 2: failed$/ })).toHaveCount(2)
  })

  test('unreachable API: says Atelier cannot reach Oxen and to check the connection', async ({ page }) => {
    const harness = await harnessFor(`http://127.0.0.1:${await closedPort()}`)
    await page.goto(harness.url)
    await expect(page.getByText(/can’t reach Oxen at http:\/\/127\.0\.0\.1:\d+\. Check your internet connection/).first()).toBeVisible()
    await saveKey(page, `test-key-${randomTag()}`)
    await page.getByRole('button', { name: 'Test key', exact: true }).click()
    await expect(page.getByText(/can’t reach Oxen/).first()).toBeVisible()
  })

  test('failed job: shows Oxen’s own reason on the image and the job', async ({ page }) => {
    const key = `test-key-${randomTag()}`
    const simulator = await startSimulator(key)
    procs.push(simulator)
    const faults = await fetch(`${simulator.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ generations: [{ fail: 'Insufficient credits' }] }),
    })
    expect(faults.ok).toBe(true)
    await page.goto((await harnessFor(simulator.url)).url)
    await saveKey(page, key)
    await generate(page, 'out of credit', 1)
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    await expect(jobs.getByRole('img', { name: 'Image 1 of 1: failed', exact: true })).toBeVisible()
    await expect(jobs.getByText(/Oxen could not make this image: Insufficient credits/).first()).toBeVisible()
  })
})
