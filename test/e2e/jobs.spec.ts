// The job card while Oxen makes it wait and after images fail: Generate is free as soon as the job is journaled,
// the card counts down to the next try, and Retry failed brings a partial job to done, keeping the earlier try.
import { expect, test, type Page } from '@playwright/test'
import { type App, generateButton, nav, randomTag, startApp } from './support'

test.describe('jobs', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const apps: App[] = []
  test.afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()))
  })

  /** A simulator with `faults`, a harness on it with the key saved, and the page on Create. */
  async function open(page: Page, faults: string[]) {
    const app = await startApp('jobs', faults.flatMap((f) => ['--fault', f]))
    apps.push(app)
    await page.goto(app.harness.url)
    await nav(page, 'Create')
  }

  /** Starts a job and answers its card in the Jobs list. */
  async function generate(page: Page, count: number) {
    const prompt = `a lighthouse at dusk ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill(String(count))
    await generateButton(page).click()
    return page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: prompt })
  }

  test('Oxen busy: Generate is free at once, the card counts down, then the job completes', async ({ page }) => {
    await open(page, ['rate-limit=3;method=POST;path=^/api/ai/queue$;times=1'])
    const card = await generate(page, 1)
    const notice = card.getByRole('status')
    // Looked at together: the job waits on Oxen while Generate is already free again, and screen readers hear the
    // message once (the ticking seconds are hidden from them).
    await expect
      .poll(async () => ({
        notice: (await notice.allTextContents()).join(''),
        countdownHidden: await notice.getByText(/retrying in/).evaluateAll((els) => els.map((el) => el.getAttribute('aria-hidden'))),
        generateHeld: await generateButton(page).getAttribute('aria-disabled'),
      }))
      .toEqual({ notice: expect.stringMatching(/^Oxen is busy — retrying in \d+ s$/), countdownHidden: ['true'], generateHeld: 'false' })
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 30_000 })
    await expect(card.getByRole('img', { name: 'Image 1 of 1: saved', exact: true })).toBeVisible()
    await expect(card.getByRole('status')).toHaveCount(0)
  })

  test('failed image: Retry failed brings the job to done and keeps the earlier try', async ({ page }) => {
    await open(page, ['fail=Insufficient credits;times=1'])
    const card = await generate(page, 2)
    await expect(card.getByText('Partly done', { exact: true })).toBeVisible({ timeout: 30_000 })
    await expect(card.getByText('1 of 2 images failed — Oxen could not make this image: Insufficient credits', { exact: true })).toBeVisible()
    await expect(card.getByRole('img', { name: /^Image \d of 2: failed$/ })).toHaveCount(1)

    // By keyboard: its hint says what may be billed again.
    const retry = card.getByRole('button', { name: 'Retry failed', exact: true })
    await retry.focus()
    await expect(page.getByRole('tooltip')).toContainText('may be billed again')
    await page.keyboard.press('Enter')

    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 30_000 })
    await expect(card.getByRole('img', { name: /^Image \d of 2: saved$/ })).toHaveCount(2)
    await expect(retry).toHaveCount(0)
    // The card names its model and what Oxen charged: the two saved images, not the failed try.
    await expect(card.getByText('Seedream 5.0 Lite', { exact: true })).toBeVisible()
    await expect(card.getByText('$0.07', { exact: true })).toHaveAttribute('title', 'Oxen charged $0.07 (estimated $0.07)')
    const retried = card.getByRole('img', { name: /^Image \d of 2: saved$/ }).filter({ hasText: '2nd' })
    await expect(retried).toHaveCount(1)
    await expect(retried).toHaveAccessibleDescription('2nd try. 1st try failed: Oxen could not make this image: Insufficient credits')
    await retried.focus()
    await expect(page.getByRole('tooltip')).toContainText('Earlier tries1st try failed: Oxen could not make this image: Insufficient credits')
  })
})
