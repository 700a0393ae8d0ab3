// The browser half of the library benchmark: the harness on a seeded library, driven in Debian Chromium.
// (DOM-typed: it is checked with the e2e tsconfig.)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { build } from 'esbuild'
import { startProcess } from '../test/processes'

const ROOT = join(import.meta.dirname, '..')
const ms = (value: number) => +value.toFixed(1)

async function probes(): Promise<string> {
  const out = await build({ entryPoints: [join(ROOT, 'bench/page-probes.ts')], bundle: true, write: false, format: 'iife', target: 'es2022' })
  return out.outputFiles[0]!.text
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024
}

/** The harness (the real services: the stand-in for Electron's main process) on the seeded library, in Chromium. */
export async function browserFigures(dataDir: string) {
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
    await page.goto('about:blank')
    await page.addInitScript({ content: await probes() })
    await page.goto(`${url}#/library`)
    const firstScreen = (await page.evaluate('window.__atelierBench.firstScreen()')) as number
    const rssOpen = rssOf(child.pid!)
    const scroll = (await page.evaluate('window.__atelierBench.scrollAll()')) as { ms: number; screens: number }
    const longTasks = (await page.evaluate('window.__atelierBench.longTasks()')) as number[]
    const rssScrolled = rssOf(child.pid!)
    return {
      'open library → first screen of thumbnails painted (ms, goal ≤ 100)': ms(firstScreen),
      'scrolled the whole grid (screens)': scroll.screens,
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

