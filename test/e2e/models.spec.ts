// Every Oxen image model from the composer, through real parts (Debian Chromium → the harness → the Oxen simulator):
// picked by typing, its form's requirements holding Generate back where they are shown, its price on the button, and
// a switch that says what it could not carry over.
import { expect, test, type Page } from '@playwright/test'
import sharp from 'sharp'
import { type App, emptyDraft, generateButton, modelTrigger, nav, pickModel, type Proc, randomTag, startApp } from './support'

const png = async (name: string, seed: number) => ({
  name,
  mimeType: 'image/png',
  buffer: await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: seed * 40, g: 90, b: 160 } } }).png().toBuffer(),
})

test.describe('every Oxen image model', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  let app: App
  let simulator: Proc
  let harness: Proc
  test.beforeAll(async () => {
    app = await startApp('models')
    ;({ simulator, harness } = app)
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  async function openCreate(page: Page) {
    await emptyDraft(harness.url) // the composer keeps its draft across reloads
    await page.goto(harness.url)
    await nav(page, 'Create')
    await expect(modelTrigger(page)).toBeVisible()
  }

  test('FLUX.1 Kontext, picked by typing: Generate waits for an input image, then the job completes', async ({ page }) => {
    await openCreate(page)
    // The picker, by keyboard: type to filter, Enter picks; Esc closes it with nothing changed.
    await modelTrigger(page).click()
    const picker = page.getByRole('dialog', { name: 'Choose a model', exact: true })
    await expect(picker.getByRole('combobox')).toBeFocused()
    await page.keyboard.type('kontext')
    await expect(picker.getByRole('option')).toHaveCount(1)
    await expect(picker.getByRole('option')).toContainText('FLUX.1-Kontext [dev]')
    await expect(picker.getByRole('option')).toContainText('$0.025')
    await page.keyboard.press('Enter')
    await expect(picker).toHaveCount(0)
    await expect(modelTrigger(page)).toHaveAccessibleName('Model: FLUX.1-Kontext [dev]')
    await expect(modelTrigger(page)).toBeFocused()

    const prompt = `turn the sky to dusk ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('1')
    const slot = page.getByRole('group', { name: 'Input image', exact: true })
    const reason = slot.getByText('Add an input image', { exact: true })
    await expect(reason).toBeVisible()
    await expect(generateButton(page)).toHaveAttribute('aria-disabled', 'true')

    await slot.locator('input[type="file"]').setInputFiles(await png('street.png', 1))
    await expect(slot.getByRole('img', { name: 'Input image: street.png', exact: true })).toBeVisible()
    await expect(reason).toHaveCount(0)
    await expect(generateButton(page)).toHaveAttribute('aria-disabled', 'false')
    await generateButton(page).click()
    const card = page.getByRole('region', { name: 'Jobs', exact: true }).getByRole('listitem').filter({ hasText: prompt })
    await expect(card.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(card.getByRole('img', { name: 'Image 1 of 1: saved', exact: true })).toBeVisible()

    // Sent to Kontext with its one image as its single input_image URL, and remembered: the composer starts on it.
    const stats = (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as { enqueueBodies: Record<string, unknown>[] }
    const body = stats.enqueueBodies.find((b) => JSON.stringify(b).includes(prompt))
    expect(body?.model).toBe('flux-kontext-dev')
    expect(JSON.stringify(body)).toMatch(/"input_image":"[^"]+"/)
    await page.reload()
    await nav(page, 'Create')
    await expect(modelTrigger(page)).toHaveAccessibleName('Model: FLUX.1-Kontext [dev]')
  })

  test('the price on Generate follows the count, and a tiered model’s quality and resolution', async ({ page }) => {
    await openCreate(page)
    await pickModel(page, 'gpt image', 'GPT Image 2')
    // At its defaults (high, 2K): $0.25 an image.
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('6')
    await expect(generateButton(page)).toHaveText('Generate 6 · ≈ $1.50')
    await page.getByRole('radiogroup', { name: 'Quality', exact: true }).getByRole('radio', { name: 'Low', exact: true }).click()
    await expect(generateButton(page)).toHaveText('Generate 6 · ≈ $0.14')
    await page.getByRole('radiogroup', { name: 'Resolution', exact: true }).getByRole('radio', { name: '4K', exact: true }).click()
    await expect(generateButton(page)).toHaveText('Generate 6 · ≈ $0.29')
    await page.getByRole('button', { name: 'Fewer images', exact: true }).click()
    await expect(generateButton(page)).toHaveText('Generate 5 · ≈ $0.24')
    // A flat price: the count alone.
    await pickModel(page, 'z-image', 'Z-Image-Turbo')
    await expect(generateButton(page)).toHaveText('Generate 5 · ≈ $0.025')
  })

  test('a switch keeps the prompt and what the new model takes, and says in one line what it could not carry over', async ({ page }) => {
    await openCreate(page)
    await pickModel(page, 'gpt image', 'GPT Image 2')
    const prompt = `a paper lantern over a canal ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    await page.getByRole('radiogroup', { name: 'Quality', exact: true }).getByRole('radio', { name: 'Medium', exact: true }).click()
    await page.getByRole('radiogroup', { name: 'Resolution', exact: true }).getByRole('radio', { name: '1K', exact: true }).click()
    // A file dragged over the composer: the overlay offers the references and the mask; dropped on the mask's half.
    const file = await png('mask.png', 2)
    const transfer = await page.evaluateHandle(
      ({ bytes, name }) => {
        const data = new DataTransfer()
        data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }))
        return data
      },
      { bytes: [...file.buffer], name: file.name },
    )
    const composer = page.getByRole('complementary', { name: 'Composer' })
    await composer.dispatchEvent('dragenter', { dataTransfer: transfer })
    await expect(composer.getByText('Drop to add reference images', { exact: true })).toBeVisible()
    await composer.getByText('Drop to use as the mask', { exact: true }).dispatchEvent('drop', { dataTransfer: transfer })
    await expect(composer.getByText('Drop to use as the mask', { exact: true })).toHaveCount(0)
    const mask = page.getByRole('group', { name: 'Mask', exact: true })
    await expect(mask.getByRole('img', { name: 'Mask: mask.png', exact: true })).toBeVisible()
    await expect(page.getByRole('group', { name: 'Reference images', exact: true })).toContainText('0 / 14')

    // Nano Banana 2 has a resolution with 1K, but no quality and no mask.
    await pickModel(page, 'nano banana', 'Nano Banana 2')
    await expect(page.getByRole('status').filter({ hasText: 'Not carried over' })).toHaveText('Not carried over: quality, mask')
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(prompt)
    await expect(page.getByRole('radiogroup', { name: 'Resolution', exact: true }).getByRole('radio', { name: '1K', exact: true })).toHaveAttribute(
      'aria-checked',
      'true',
    )
    await expect(page.getByRole('group', { name: 'Mask', exact: true })).toHaveCount(0)
  })

  test('follow-ups: a library image upscaled shows its lineage both ways; Vary and Reuse all settings open the right model', async ({ page }) => {
    await openCreate(page)
    await pickModel(page, 'z-image', 'Z-Image-Turbo')
    const prompt = `a kite over dunes ${randomTag()}`
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt)
    // Two images: $0.01, a change the balance (in cents) always shows.
    await page.getByRole('spinbutton', { name: 'Number of images', exact: true }).fill('2')
    // The credit balance Oxen tells, beside Generate; it drops once the job has been billed.
    const balance = page.getByText(/^Credit balance \$\d+\.\d+$/)
    const before = await balance.textContent()
    await generateButton(page).click()
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true })
    await expect(jobs.getByRole('listitem').filter({ hasText: prompt }).getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(balance).not.toHaveText(before!)

    // Upscale from the library's context menu: the composer opens on the upscaler with the image as its input (both
    // images of the job come from it).
    await nav(page, 'Library')
    const grid = page.getByRole('grid', { name: 'Library', exact: true })
    const source = grid.getByRole('gridcell', { name: `${prompt} — image 1 of 2`, exact: true })
    await source.click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Upscale', exact: true }).click()
    await page.getByRole('menuitem', { name: /^Topaz Image Upscaler/ }).click()
    await expect(modelTrigger(page)).toHaveAccessibleName('Model: Topaz Image Upscaler')
    await expect(page.getByRole('group', { name: 'Input image', exact: true }).getByRole('img', { name: `Input image: ${prompt}`, exact: true })).toBeVisible()
    await generateButton(page).click()
    const upscaleJob = jobs.getByRole('listitem').filter({ hasText: 'Topaz Image Upscaler' })
    await expect(upscaleJob.getByText('Done', { exact: true })).toBeVisible({ timeout: 60_000 })

    // The upscaled image says what it was made from; the source says what it was used in.
    await nav(page, 'Library')
    await grid.getByRole('gridcell', { name: 'No prompt — image 1 of 2', exact: true }).dblclick()
    const details = page.getByRole('dialog', { name: 'Image details' })
    const madeFrom = details.getByRole('region', { name: /^Made from/ })
    await madeFrom.getByRole('button', { name: `Open @Image1: ${prompt}`, exact: true }).click()
    await expect(details.getByText(prompt, { exact: true })).toBeVisible()
    const usedIn = details.getByRole('region', { name: /^Used in/ })
    await usedIn.getByRole('button', { name: 'Open No prompt — image 1 of 2', exact: true }).click()
    await expect(details.getByRole('region', { name: /^Made from/ })).toBeVisible()
    await page.keyboard.press('Escape')

    // Vary: Z-Image takes no images, so an edit model gets the image, with its prompt.
    await source.click({ button: 'right' })
    await page.getByRole('menuitem', { name: /^Vary with / }).click()
    await expect(modelTrigger(page)).not.toHaveAccessibleName('Model: Topaz Image Upscaler')
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(prompt)
    await expect(page.getByRole('img', { name: new RegExp(`^(Input image|@Image1): ${prompt}$`) })).toBeVisible()

    // Reuse all settings brings back the model that made it.
    await nav(page, 'Library')
    await source.click({ button: 'right' })
    await page.getByRole('menuitem', { name: 'Reuse all settings', exact: true }).click()
    await expect(modelTrigger(page)).toHaveAccessibleName('Model: Z-Image-Turbo')
    await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(prompt)
  })

  test('a stopped model of the user’s is listed but says to start it; a failed refresh says why and keeps the list', async ({ page }) => {
    const own = await startApp('models-stopped', ['--custom-model', 'stopped'])
    try {
      await page.goto(own.harness.url)
      await nav(page, 'Create')
      await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a heron in the reeds')

      await modelTrigger(page).click()
      const picker = page.getByRole('dialog', { name: 'Choose a model', exact: true })
      await expect(picker.getByRole('status')).toHaveText(/^Updated (just now|\d+ min ago)$/)
      await picker.getByRole('combobox').fill('watercolor')
      await expect(picker.getByRole('option')).toHaveCount(1)
      await expect(picker.getByRole('option')).toContainText('Stopped')
      await expect(picker.getByRole('option')).toContainText('start its deployment on Oxen.ai to use it')
      await page.keyboard.press('Enter')
      await expect(page.getByText('Its deployment is stopped: start it on Oxen.ai, then refresh the list of models.', { exact: true })).toBeVisible()
      await expect(generateButton(page)).toHaveAttribute('aria-disabled', 'true')

      // Oxen out of reach: Refresh says why, and the list saved before stays.
      await own.simulator.stop()
      await modelTrigger(page).click()
      await picker.getByRole('button', { name: 'Refresh', exact: true }).click()
      await expect(picker.getByRole('status')).toHaveText(/^Saved list, updated (just now|\d+ min ago)$/)
      await expect(picker.getByText(/can’t reach Oxen/)).toBeVisible()
      await expect(picker.getByRole('option', { name: /^Seedream 5\.0 Lite/ })).toBeVisible()
      await page.keyboard.press('Escape')
      await expect(picker).toHaveCount(0)
    } finally {
      await own.stop()
    }
  })
})
