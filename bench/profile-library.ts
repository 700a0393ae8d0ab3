// Not part of `npm run bench`: a Chrome DevTools trace of opening the library and scrolling it, summarised.
// node --import tsx bench/profile-library.ts [N]   (needs `npm run build` and Debian chromium)
// Prints, for "open" and "scroll": the long tasks (> 50 ms) with what they were made of, and the totals per
// kind of main-thread work (script, style, layout, paint, image decode, GC).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type CDPSession } from '@playwright/test'
import { build } from 'esbuild'
import { openLibrary } from '../electron/services/library/library'
import { seedLibrary } from '../test/fixtures/library-seed'
import { startProcess } from '../test/processes'

const N = Number(process.argv[2] ?? process.env.ATELIER_BENCH_LIBRARY_N ?? 100_000)
const ROOT = join(import.meta.dirname, '..')

interface TraceEvent { name: string; cat: string; ph: string; ts: number; dur?: number; tdur?: number; tid: number; pid: number; args?: Record<string, unknown> }

async function trace(session: CDPSession, run: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = []
  session.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])))
  await session.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'loading', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing', 'disabled-by-default-devtools.timeline.stack'],
      excludedCategories: ['*'],
    },
  })
  await run()
  const done = new Promise<void>((r) => session.once('Tracing.tracingComplete', () => r()))
  await session.send('Tracing.end')
  await done
  return events
}

const KINDS: Record<string, string> = {
  FunctionCall: 'script', EvaluateScript: 'script', 'v8.compile': 'script', TimerFire: 'script', EventDispatch: 'script', FireAnimationFrame: 'script', RunMicrotasks: 'script', 'v8.run': 'script',
  UpdateLayoutTree: 'style', RecalculateStyles: 'style', ParseAuthorStyleSheet: 'style',
  Layout: 'layout', UpdateLayerTree: 'layer', Paint: 'paint', PrePaint: 'paint', Layerize: 'paint', Commit: 'paint',
  'Decode Image': 'decode', 'ImageDecodeTask': 'decode', 'Decode LazyPixelRef': 'decode',
  MinorGC: 'gc', MajorGC: 'gc', 'V8.GC_SCAVENGER': 'gc', 'V8.GCScavenger': 'gc', 'BlinkGC.AtomicPhase': 'gc',
  ParseHTML: 'parse', HitTest: 'hit-test', IntersectionObserverController_computeIntersections: 'intersection',
}

function summarise(label: string, events: TraceEvent[]) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  if (!main) return console.log(label, 'no renderer main thread')
  const own = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
  const tasks = own.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask')
  const totals: Record<string, number> = {}
  const cpu: Record<string, number> = {}
  const counts: Record<string, number> = {}
  for (const e of own) {
    const kind = KINDS[e.name]
    if (!kind) continue
    totals[e.name] = (totals[e.name] ?? 0) + e.dur! / 1000
    cpu[e.name] = (cpu[e.name] ?? 0) + (e.tdur ?? 0) / 1000
    counts[e.name] = (counts[e.name] ?? 0) + 1
  }
  // Wall time on a loaded machine is mostly waiting for a core: the thread's own CPU time (tdur) says what the page costs.
  const taskCpu = tasks.reduce((sum, t) => sum + (t.tdur ?? 0), 0) / 1000
  console.log(
    `\n### ${label}: ${tasks.length} tasks, ${tasks.filter((t) => t.dur! > 50_000).length} over 50 ms` +
      ` (${tasks.filter((t) => (t.tdur ?? 0) > 50_000).length} over 50 ms of the thread's own CPU time; ${taskCpu.toFixed(0)} ms CPU in all)`,
  )
  console.log('time by event (ms wall, ms CPU, count; nested events overlap):')
  for (const [name, ms] of Object.entries(totals).sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ${cpu[name]!.toFixed(1).padStart(8)}  ${counts[name]}`)
  }
  // Style and layout forced from script (reading geometry with the DOM dirty), by the script that asked.
  const forced: Record<string, [number, number]> = {}
  for (const e of own) {
    if (e.name !== 'Layout' && e.name !== 'UpdateLayoutTree') continue
    const stack = ((e.args?.beginData ?? e.args?.data ?? {}) as { stackTrace?: { functionName: string; url: string; lineNumber: number; columnNumber: number }[] }).stackTrace
    if (!stack?.length) continue
    const key = `${e.name} from ` + stack.slice(0, 2).map((f) => `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`).join(' < ')
    const entry = (forced[key] ??= [0, 0])
    entry[0]++
    entry[1] += (e.tdur ?? e.dur!) / 1000
  }
  console.log('forced style/layout (count, ms CPU):')
  for (const [key, [n, ms]] of Object.entries(forced).sort((a, b) => b[1][1] - a[1][1]).slice(0, 6)) console.log(`  ${String(n).padStart(5)} ${ms.toFixed(1).padStart(8)}  ${key}`)
  const long = tasks.filter((t) => t.dur! > 30_000).sort((a, b) => b.dur! - a.dur!).slice(0, 8)
  for (const t of long) {
    const inside = own.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && KINDS[e.name])
    const parts: Record<string, number> = {}
    for (const e of inside) parts[e.name] = (parts[e.name] ?? 0) + e.dur! / 1000
    const layouts = inside.filter((e) => e.name === 'Layout')
    const fn = inside.find((e) => e.name === 'FunctionCall' || e.name === 'EventDispatch' || e.name === 'TimerFire' || e.name === 'FireAnimationFrame')
    console.log(
      `  long task ${(t.dur! / 1000).toFixed(1)} ms: ` +
        Object.entries(parts).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ') +
        ` | layouts ${layouts.length}` + (fn ? ` | first: ${fn.name} ${JSON.stringify(fn.args?.data ?? {}).slice(0, 120)}` : ''),
    )
  }
}

/** Top self-time functions from a CPU profile. */
function topFunctions(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] }) {
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const byFn = new Map<string, number>()
  for (const node of profile.nodes) {
    const f = node.callFrame
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`
    byFn.set(key, (byFn.get(key) ?? 0) + (self.get(node.id) ?? 0) / 1000)
  }
  return [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18)
}

const dataDir = mkdtempSync(join(tmpdir(), 'atelier-profile-'))
try {
  const library = openLibrary({ dir: join(dataDir, 'library'), mediaUrl: (id, v) => `/media/${id}/${v}` })
  await seedLibrary(library, N)
  library.close()
  const harness = await startProcess('tools/harness/cli.ts', ['--port', '0', '--data-dir', dataDir, '--oxen-url', 'http://127.0.0.1:9', '--keychain-service', 'Atelier-bench'], /Atelier harness: (\S+)/)
  const browser = await chromium.launch({ executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] })
  try {
    const probes = (await build({ entryPoints: [join(ROOT, 'bench/page-probes.ts')], bundle: true, write: false, format: 'iife', target: 'es2022' })).outputFiles[0]!.text
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(`${harness.url}#/library`)
    await page.waitForSelector('[data-library-grid] img')
    await page.goto('about:blank')
    await page.addInitScript({ content: probes })
    const session = await page.context().newCDPSession(page)
    await session.send('Profiler.enable')
    await session.send('Profiler.setSamplingInterval', { interval: 200 })
    let firstScreen = 0
    let marks: unknown = null
    const open = await trace(session, async () => {
      await page.goto(`${harness.url}#/library`)
      firstScreen = (await page.evaluate('window.__atelierBench.firstScreen()')) as number
      marks = await page.evaluate(
        "performance.getEntriesByType('resource').filter((r) => /bridge|assets|media/.test(r.name)).slice(0, 12).map((r) => [r.name.replace(/^.*\\//, ''), Math.round(r.startTime), Math.round(r.responseEnd)])",
      )
    })
    console.log(`first screen painted at ${firstScreen.toFixed(1)} ms`)
    console.log(JSON.stringify(marks))
    summarise('open', open)
    await session.send('Profiler.start')
    let scrolled: unknown
    const scroll = await trace(session, async () => {
      scrolled = await page.evaluate(`window.__atelierBench.scrollAll(${Number(process.env.ATELIER_PROFILE_SCREENS ?? 300)})`)
    })
    const { profile } = (await session.send('Profiler.stop')) as { profile: Parameters<typeof topFunctions>[0] }
    const longTasks = (await page.evaluate('window.__atelierBench.longTasks()')) as number[]
    console.log(`\nscroll: ${JSON.stringify(scrolled)}; long tasks > 50: ${longTasks.filter((d) => d > 50).length}, longest ${Math.max(0, ...longTasks).toFixed(1)}`)
    summarise('scroll', scroll)
    console.log('\nself time while scrolling (ms):')
    for (const [fn, ms] of topFunctions(profile)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${fn}`)
    if (process.env.ATELIER_PROFILE_OUT) writeFileSync(process.env.ATELIER_PROFILE_OUT, JSON.stringify({ traceEvents: scroll }))
  } finally {
    await browser.close()
    await harness.stop()
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
