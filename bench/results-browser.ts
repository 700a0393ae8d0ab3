// Results in Chromium through the harness, against the simulator: one job of 15 images, and for each image the time
// from the job update that first says it is saved (main has it: the renderer's "completed" event) to its thumbnail
// painted in Results (the download and save before it are main's: bench/pipeline.ts).
// (The page's side is plain script text: this file is checked without the DOM's types.)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { startProcess } from '../test/processes'

const COUNT = 15
const KEY = 'bench-key-results'
const ms = (value: number) => +value.toFixed(1)
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!

/**
 * Runs in the page before the app: subscribes to job updates ahead of the app's own listener (after the harness's
 * bridge script, before the deferred app module), then watches each saved image's <img> in Results until it has
 * loaded and a frame has been painted with it.
 */
const PROBE = `(() => {
  const saved = new Map() // imageId -> ms when the update saying "saved" arrived
  const painted = new Map()
  const shown = new Map() // imageId -> ms when its <img> was first in Results (the split: render, then load)
  const watch = (id) => {
    const check = () => {
      const img = document.querySelector('.results [data-image-id="' + id + '"] img')
      if (img && !shown.has(id)) shown.set(id, performance.now())
      if (img && img.complete && img.naturalWidth > 0) requestAnimationFrame(() => painted.set(id, performance.now()))
      else requestAnimationFrame(check)
    }
    check()
  }
  document.addEventListener('readystatechange', () => {
    if (document.readyState !== 'interactive' || !window.atelier) return
    window.atelier.onJobUpdate((job) => {
      for (const image of job.images) {
        if (image.state === 'saved' && image.imageId && !saved.has(image.imageId)) {
          saved.set(image.imageId, performance.now())
          watch(image.imageId)
        }
      }
    })
  })
  window.__atelierResults = {
    done: (n) => painted.size >= n,
    timings: () => [...saved].map(([id, at]) => ({ id, saved: at, shown: shown.get(id) ?? null, painted: painted.get(id) ?? null })),
  }
})()`

/** In the page (a function, not a string: the app's CSP refuses eval): have `n` images been painted? */
const done = (n: number) => (globalThis as unknown as { __atelierResults: { done: (n: number) => boolean } }).__atelierResults.done(n)

export async function resultsFigures(): Promise<Record<string, string | number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-bench-results-'))
  const keychainService = `Atelier-bench-results-${process.pid}`
  const sim = await startProcess(
    'tools/oxen-simulator/cli.ts',
    ['--port', '0', '--api-key', KEY, '--queued-ms', '100', '--processing-ms', '400'],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  )
  const harness = await startProcess(
    'tools/harness/cli.ts',
    ['--port', '0', '--data-dir', dataDir, '--oxen-url', sim.url, '--keychain-service', keychainService, '--poll-ms', '500'],
    /Atelier harness: (\S+)/,
  )
  const browser = await chromium.launch({
    executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.addInitScript({ content: PROBE })
    await page.goto(`${harness.url}#/create`)
    await page.getByRole('region', { name: 'Results', exact: true }).waitFor()
    const keyed = (await page.evaluate(`window.atelier.setApiKey(${JSON.stringify({ key: KEY })})`)) as { ok: boolean }
    if (!keyed.ok) throw new Error('the harness refused the bench key')
    const generate = async (prompt: string, count: number) => {
      const input = { modelId: 'bytedance-seedream-5-lite', prompt, count, params: { size: '2K', aspect_ratio: '1:1', output_format: 'png' }, images: {} }
      const answer = (await page.evaluate(`window.atelier.generate(${JSON.stringify(input)})`)) as { ok: boolean; error?: { message: string } }
      if (!answer.ok) throw new Error(`generate failed: ${answer.error?.message}`)
    }
    // Warm-up: the same job once, so the simulator has rendered (and cached) its images — Oxen renders on its own
    // machines, not on the two cores this measures — and the app's code paths are compiled.
    const prompt = 'benchmark: a teal risograph poster of a lighthouse'
    await generate(prompt, COUNT)
    await page.waitForFunction(done, COUNT, { timeout: 120_000 })
    await generate(prompt, COUNT)
    await page.waitForFunction(done, 2 * COUNT, { timeout: 120_000 })
    const timings = (await page.evaluate('window.__atelierResults.timings()')) as { id: string; saved: number; shown: number; painted: number }[]
    const measured = timings.slice(COUNT)
    const latencies = measured.map((t) => t.painted - t.saved)
    const rendered = measured.map((t) => t.shown - t.saved)
    // Main's part after "saved": how long each thumbnail's request waited for its first byte.
    const waits = (await page.evaluate(
      "performance.getEntriesByType('resource').filter((r) => /\\/media\\/[^/]+\\/thumb$/.test(r.name)).map((r) => [r.name, r.responseStart - r.startTime])",
    )) as [string, number][]
    const served = measured.flatMap((t) => waits.filter(([name]) => name.includes(`/${t.id}/`)).map(([, wait]) => wait))
    return {
      'images (one job)': latencies.length,
      'saved (job update) → painted in Results, p95 (ms, goal ≤ 150)': ms(percentile(latencies, 0.95)),
      'saved → painted, p50 (ms)': ms(percentile(latencies, 0.5)),
      'saved → painted, max (ms)': ms(Math.max(...latencies)),
      'saved → its <img> in Results, p95 (ms; the rest is fetch and decode)': ms(percentile(rendered, 0.95)),
      'its thumbnail request → first byte from main, p95 (ms)': served.length ? ms(percentile(served, 0.95)) : 'n/a',
    }
  } finally {
    await browser.close()
    await harness.stop()
    await sim.stop()
    try {
      execFileSync('secret-tool', ['clear', 'service', keychainService, 'account', 'oxen-api-key'], { stdio: 'ignore' })
    } catch {
      // nothing stored (no keychain here: the key was held for the session only)
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
}
