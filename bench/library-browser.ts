// The browser half of the library benchmark: the harness on a seeded library, driven in Debian Chromium.
// (DOM-typed: it is checked with the e2e tsconfig.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from '@playwright/test'
import { build } from 'esbuild'
import { openLibrary } from '../electron/services/library/library'
import { seedLibrary } from '../test/fixtures/library-seed'
import { startProcess } from '../test/processes'

const ROOT = join(import.meta.dirname, '..')
/** The library's size, as bench/library.ts seeds it. */
const N = Number(process.env.ATELIER_BENCH_LIBRARY_N ?? 100_000)
const ms = (value: number) => +value.toFixed(1)

async function probes(): Promise<string> {
  const out = await build({ entryPoints: [join(ROOT, 'bench/page-probes.ts')], bundle: true, write: false, format: 'iife', target: 'es2022' })
  return out.outputFiles[0]!.text
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024
}

/**
 * The harness (the real services: the stand-in for Electron's main process) on the seeded library of `n` images, in
 * Chromium. The first screen's goal is 100 ms at 100k, 150 ms at 1M; past 100k the scroll stops after `maxScreens`
 * (by default as many as 100k images take: a whole 1M grid is ten times longer).
 */
export async function browserFigures(dataDir: string, opts: { n?: number; maxScreens?: number } = {}) {
  const n = opts.n ?? N
  const FIRST_SCREEN_GOAL = n >= 1_000_000 ? 150 : 100
  const MAX_SCREENS = opts.maxScreens ?? Number(process.env.ATELIER_BENCH_SCROLL_SCREENS ?? (n > 100_000 ? 3_500 : Infinity))
  const harness = await startProcess(
    'tools/harness/cli.ts',
    ['--port', '0', '--data-dir', dataDir, '--oxen-url', 'http://127.0.0.1:9', '--keychain-service', 'Atelier-bench'],
    /Atelier harness: (\S+)/,
  )
  const { url, child } = harness
  const browser = await chromium.launch({
    executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    // Warm the harness (worker start, first query) and the browser's cache of the app bundle, as a second launch would.
    await page.goto(`${url}#/library`)
    await page.waitForSelector('[data-library-grid] img')
    await page.addInitScript({ content: await probes() })
    // The first screen, opened five times (a single open is at the mercy of whatever else the machine does): the median.
    const opens: number[] = []
    for (let i = 0; i < 5; i++) {
      await page.goto('about:blank')
      await page.goto(`${url}#/library`)
      opens.push((await page.evaluate('window.__atelierBench.firstScreen()')) as number)
    }
    const firstScreen = opens.sort((a, b) => a - b)[2]!
    const rssOpen = rssOf(child.pid!)
    const scroll = (await page.evaluate(`window.__atelierBench.scrollAll(${MAX_SCREENS})`)) as { ms: number; screens: number }
    const longTasks = (await page.evaluate('window.__atelierBench.longTasks()')) as number[]
    const rssScrolled = rssOf(child.pid!)
    return {
      [`open library → first screen of thumbnails painted (ms, median of 5, goal ≤ ${FIRST_SCREEN_GOAL})`]: ms(firstScreen),
      'first screen, slowest of the 5 (ms)': ms(opens[4]!),
      [Number.isFinite(MAX_SCREENS) ? `scrolled (screens, at most ${MAX_SCREENS})` : 'scrolled the whole grid (screens)']: scroll.screens,
      'scroll time (s)': +(scroll.ms / 1000).toFixed(1),
      'long tasks > 50 ms while scrolling (goal: none)': longTasks.filter((d) => d > 50).length,
      'longest task while scrolling (ms)': ms(Math.max(0, ...longTasks)),
      'main-process RSS with the library open (MB, goal ≤ 200)': +(rssOpen / 1e6).toFixed(0),
      'main-process RSS after scrolling all of it (MB)': +(rssScrolled / 1e6).toFixed(0),
    }
  } finally {
    await browser.close()
    await harness.stop()
  }
}


// Alone (`npx tsx bench/library-browser.ts`, after `npm run build`): these figures only, on a library seeded for them
// (ATELIER_BENCH_LIBRARY_N images; ATELIER_BENCH_DATA_DIR reuses a data folder seeded before, and keeps it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reuse = process.env.ATELIER_BENCH_DATA_DIR
  const dataDir = reuse ?? mkdtempSync(join(tmpdir(), 'atelier-bench-library-browser-'))
  try {
    if (!reuse) {
      const library = openLibrary({ dir: join(dataDir, 'library'), mediaUrl: (id, v) => `/media/${id}/${v}` })
      await seedLibrary(library, N)
      library.close()
    }
    for (const [label, value] of Object.entries(await browserFigures(dataDir))) console.log(`${label.padEnd(64)} ${value}`)
  } finally {
    if (!reuse) rmSync(dataDir, { recursive: true, force: true })
  }
}
