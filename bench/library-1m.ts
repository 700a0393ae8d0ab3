// Library at scale (issue 12, "Performance", main-process side):
//   - a 1M-entry index (10 × ATELIER_BENCH_LIBRARY_N): the time to build it and its size on disk, then, in a fresh
//     process (the app's main process opening an existing library), search p95 over the realistic queries, the
//     grid's first page and the process's RSS with the library open and searched;
//   - a rebuild of the index from ATELIER_BENCH_LIBRARY_N real image files (each with its embedded recipe).
// Each phase runs in a child process of its own, so one's heap and page cache never count in the next one's RSS.
import { fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { LibraryQuerySchema, type LibraryQuery } from '../shared/domain'
import { openLibrary } from '../electron/services/library/library'
import { embedRecipe, type Recipe } from '../electron/services/library/image-metadata'
import { createLibraryQueries } from '../electron/services/library/query'
import { libraryReader } from '../electron/services/library/reader'
import { rebuildLibrary } from '../electron/services/library/rebuild'
import { SEED_WORDS, seedLibraryBulk } from '../test/fixtures/library-seed'
import { queries } from './library-queries'

const N = Number(process.env.ATELIER_BENCH_LIBRARY_N ?? 100_000)
const BIG = Number(process.env.ATELIER_BENCH_LIBRARY_1M_N ?? N * 10)
const CHILD_FLAG = '--atelier-bench-child'
const mediaUrl = (id: string, v: string) => `/media/${id}/${v}`
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!
const ms = (value: number) => +value.toFixed(1)
type Figures = Record<string, string | number>

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

// ---------- child phases ----------

async function build(dir: string, n: number): Promise<Figures> {
  const library = openLibrary({ dir, mediaUrl })
  const t = performance.now()
  await seedLibraryBulk(library, n)
  const seconds = (performance.now() - t) / 1000
  library.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  library.close()
  const bytes = fileSize(join(dir, 'library.db')) + fileSize(join(dir, 'library.db-wal'))
  return { 'index built in (s)': +seconds.toFixed(1), 'index size on disk (MB)': +(bytes / 1e6).toFixed(0) }
}

async function measure(dir: string): Promise<Figures> {
  const library = openLibrary({ dir, mediaUrl })
  const reader = libraryReader(library)
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  try {
    const q = createLibraryQueries({ library, reader, mediaUrl, referenceMediaUrl: mediaUrl })
    const search = (query: LibraryQuery) => q.search(LibraryQuerySchema.parse(query))
    const opened = performance.now()
    await search({ limit: 120 })
    const firstOpen = performance.now() - opened
    const firstPage: number[] = []
    for (let i = 0; i < 30; i++) {
      const t = performance.now()
      await search({ limit: 120 })
      firstPage.push(performance.now() - t)
    }
    const times: { label: string; ms: number }[] = []
    for (let round = 0; round < 3; round++) {
      for (const query of queries()) {
        const t = performance.now()
        await search({ limit: 120, ...query })
        times.push({ label: JSON.stringify(query), ms: performance.now() - t })
      }
    }
    await q.facets()
    peak = Math.max(peak, process.memoryUsage().rss)
    const slowest = [...times].sort((a, b) => b.ms - a.ms).slice(0, 3)
    return {
      'search p95 over realistic queries, filters included (ms, goal ≤ 15)': ms(percentile(times.map((t) => t.ms), 0.95)),
      'search p50 (ms)': ms(percentile(times.map((t) => t.ms), 0.5)),
      'slowest queries (ms)': slowest.map((s) => `${ms(s.ms)} ${s.label}`).join(' | '),
      'first page of the grid, 120 items (ms, p95, goal ≤ 10)': ms(percentile(firstPage, 0.95)),
      'first page right after opening (ms)': ms(firstOpen),
      'main RSS with the library open and searched (MB, goal ≤ 250)': +(peak / 1e6).toFixed(0),
    }
  } finally {
    clearInterval(sampler)
    await reader.close()
    library.close()
  }
}

/** `n` real image files with recipes (PNG, JPEG and WebP as Oxen's mix), laid out as saveImage lays them out. */
export async function writeFiles(dir: string, n: number): Promise<void> {
  const templates = {
    png: await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 30, g: 90, b: 160 } } }).png().toBuffer(),
    jpeg: await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 160, g: 90, b: 30 } } }).jpeg().toBuffer(),
    webp: await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 90, g: 160, b: 30 } } }).webp().toBuffer(),
  }
  const ext = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const
  const newest = Date.UTC(2026, 10, 1)
  for (let i = 0; i < n; i++) {
    const format = i % 10 < 7 ? 'png' : i % 10 < 9 ? 'jpeg' : 'webp'
    const createdAt = newest - (n - i) * 60_000
    const d = new Date(createdAt)
    const ym = `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, '0')}`
    const imageId = `${(i * 2654435761 % 4294967296).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
    const recipe: Recipe = {
      version: 1,
      app: 'Atelier',
      imageId,
      jobId: `job-${Math.floor(i / 4)}`,
      generationId: `gen-${i}`,
      index: i % 4,
      count: 4,
      modelId: 'bytedance-seedream-5-lite',
      prompt: Array.from({ length: 8 }, (_, k) => SEED_WORDS[(i * 7 + k * 13) % SEED_WORDS.length]).join(' '),
      params: { size: '2K', aspect_ratio: '3:2', output_format: format, seed: i },
      references: [],
      createdAt,
    }
    mkdirSync(join(dir, 'images', ym), { recursive: true })
    writeFileSync(join(dir, 'images', ym, `${imageId}.${ext[format]}`), embedRecipe(templates[format], format, recipe))
  }
}

async function rebuildFigures(dir: string, n: number): Promise<Figures> {
  const written = performance.now()
  await writeFiles(dir, n)
  const writeSeconds = (performance.now() - written) / 1000
  const library = openLibrary({ dir, mediaUrl })
  const reader = libraryReader(library) // as in the app: the worker checkpoints the WAL, never a main-thread write
  const stop = new AbortController()
  try {
    const t = performance.now()
    const result = await rebuildLibrary(library, { signal: stop.signal })
    const seconds = (performance.now() - t) / 1000
    stop.abort() // the thumbnails are background work, not the rebuild's
    await result.thumbnails.catch(() => undefined)
    if (result.added !== n) throw new Error(`rebuild indexed ${result.added} of ${n} files (${result.skipped} skipped)`)
    return {
      'files (PNG 70% / JPEG 20% / WebP 10%, recipes embedded)': n,
      'files written in (s)': +writeSeconds.toFixed(1),
      'rebuilt in (s)': +seconds.toFixed(1),
      'rebuild throughput (files/s, goal ≥ 2,000)': Math.round(n / seconds),
    }
  } finally {
    await reader.close()
    library.close()
  }
}

/** Runs one phase in a fresh process (this file, forked) and returns its figures. */
function inChild(phase: string, ...args: string[]): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, phase, ...args], { execArgv: ['--import', 'tsx', '--expose-gc'] })
    let figures: Figures | null = null
    child.on('message', (message: { figures?: Figures; error?: string }) => {
      if (message.error) reject(new Error(message.error))
      else figures = message.figures ?? null
    })
    child.on('error', reject)
    child.on('exit', (code) => (figures ? resolve(figures) : reject(new Error(`bench phase ${phase} exited with ${code}`))))
  })
}

export async function libraryScaleBenchmarks(): Promise<Record<string, Figures>> {
  const root = mkdtempSync(join(tmpdir(), 'atelier-bench-1m-'))
  try {
    const big = join(root, 'big')
    const built = await inChild('build', big, String(BIG))
    const measured = await inChild('measure', big)
    rmSync(big, { recursive: true, force: true })
    const rebuilt = await inChild('rebuild', join(root, 'files'), String(N))
    return {
      [`library, ${BIG.toLocaleString('en')} images (index built in one process, searched from a fresh one)`]: { ...built, ...measured },
      [`rebuild the index from ${N.toLocaleString('en')} real files`]: rebuilt,
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[2] === CHILD_FLAG) {
  const [phase, dir, n] = process.argv.slice(3) as [string, string, string | undefined]
  const run = { build: () => build(dir, Number(n)), measure: () => measure(dir), rebuild: () => rebuildFigures(dir, Number(n)) }[phase]
  run!()
    .then((figures) => process.send!({ figures }))
    .catch((error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => process.disconnect())
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // npx tsx bench/library-1m.ts: this bench alone.
  for (const [name, figures] of Object.entries(await libraryScaleBenchmarks())) {
    console.log(`\n## ${name}`)
    for (const [label, value] of Object.entries(figures)) console.log(`${label.padEnd(52)} ${value}`)
  }
}
