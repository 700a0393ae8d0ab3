// Library benchmarks (issue: "instant at 100k"): a generated 100k-entry library (index rows plus real
// thumbnail files, many rows sharing files), then search p95, the grid's first page, the longest main-thread
// block of every library operation, the first screen of thumbnails painted in Chromium through the harness,
// long tasks while scrolling the whole grid, the harness process's RSS with the library open, and the app's
// thumbnail throughput against sharp alone on the same files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { LibraryQuerySchema, type LibraryQuery } from '../shared/domain'
import { createLibraryQueries } from '../electron/services/library/query'
import { libraryReader } from '../electron/services/library/reader'
import { openLibrary, type LibraryStore } from '../electron/services/library/library'
import { longestBlock } from '../test/fixtures/library-fixture'
import { seedLibrary } from '../test/fixtures/library-seed'
import { queries } from './library-queries'
import { browserFigures } from './library-browser'

/** 100k by default; ATELIER_BENCH_LIBRARY_N=20000 for a quicker look while working on it. */
const N = Number(process.env.ATELIER_BENCH_LIBRARY_N ?? 100_000)
const mediaUrl = (id: string, v: string) => `/media/${id}/${v}`

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!
const ms = (value: number) => +value.toFixed(1)

async function indexFigures(library: LibraryStore) {
  const q = createLibraryQueries({ library, reader: libraryReader(library), mediaUrl, referenceMediaUrl: mediaUrl })
  const search = (query: LibraryQuery) => q.search(LibraryQuerySchema.parse(query))
  await search({}) // the worker starts and warms up
  const firstPage: number[] = []
  for (let i = 0; i < 30; i++) {
    const t = performance.now()
    await search({ limit: 120 })
    firstPage.push(performance.now() - t)
  }
  const times: number[] = []
  for (let round = 0; round < 3; round++) {
    for (const query of queries()) {
      const t = performance.now()
      await search({ limit: 120, ...query })
      times.push(performance.now() - t)
    }
  }
  const some = (await search({ limit: 500 })).items.map((i) => i.id)
  const board = await q.createBoard('Bench')
  const operations: [string, () => Promise<unknown>][] = [
    ['search "light city"', () => search({ text: 'light city' })],
    ['facets', () => q.facets()],
    ['detail', () => q.detail(some[3]!)],
    ['star 500', () => q.setStarred(some, true)],
    ['trash 500', () => q.trash(some)],
    ['restore 500', () => q.restore(some)],
    ['add 500 to a board', () => q.addToBoard(board.id, some)],
  ]
  let worst = { name: '', ms: 0 }
  for (const [name, run] of operations) {
    const block = await longestBlock(run)
    if (block > worst.ms) worst = { name, ms: block }
  }
  return {
    'search p95 over realistic queries, filters included (ms, goal ≤ 5)': ms(percentile(times, 0.95)),
    'search p50 (ms)': ms(percentile(times, 0.5)),
    'queries timed': times.length,
    'first page of the grid, 120 items (ms, p95)': ms(percentile(firstPage, 0.95)),
    [`longest main-thread block of library operations (ms; ${worst.name})`]: ms(worst.ms),
  }
}

/** The app's thumbnail path (library.ensureThumb, as the media handler calls it) vs sharp alone, same files. */
async function thumbnailFigures() {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-thumbs-'))
  const library = openLibrary({ dir, mediaUrl })
  try {
    const count = 24
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const raw = Buffer.alloc(256 * 256 * 3)
      for (let k = 0; k < raw.length; k++) raw[k] = (k * (i + 3) + (k >> 8)) & 255
      const temp = library.tempFilePath('png')
      writeFileSync(temp, await sharp(raw, { raw: { width: 256, height: 256, channels: 3 } }).resize(2048, 2048).png({ compressionLevel: 1 }).toBuffer())
      ids.push((await library.saveImage({ tempPath: temp, recipe: { jobId: `job-${i}`, generationId: `gen-${i}`, index: 0, count: 1, modelId: 'm', prompt: `thumb ${i}`, params: {}, references: [] } })).id)
    }
    const files = ids.map((id) => library.resolveFile(id, 'full')!)
    const thumbs = ids.map((id) => library.resolveFile(id, 'thumb')!)
    const parallel = async (work: (i: number) => Promise<unknown>) => {
      const t = performance.now()
      await Promise.all(files.map((_, i) => work(i)))
      return performance.now() - t
    }
    const sharpAlone = await parallel((i) =>
      sharp(readFileSync(files[i]!)).rotate().resize(512, 512, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toFile(join(dir, `plain-${i}.webp`)),
    )
    for (const thumb of thumbs) rmSync(thumb)
    const app = await parallel((i) => library.ensureThumb(ids[i]!))
    return {
      'thumbnails: app (images/s)': ms((count / app) * 1000),
      'thumbnails: sharp alone (images/s)': ms((count / sharpAlone) * 1000),
      'app / sharp throughput (goal ≥ 0.8)': +(sharpAlone / app).toFixed(2),
    }
  } finally {
    library.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function libraryBenchmarks(): Promise<Record<string, Record<string, string | number>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-bench-library-'))
  try {
    const library = openLibrary({ dir: join(dataDir, 'library'), mediaUrl })
    const seeded = performance.now()
    await seedLibrary(library, N)
    const seedMs = performance.now() - seeded
    const index = await indexFigures(library)
    library.close()
    return {
      [`library, ${N.toLocaleString('en')} images`]: { 'generated in (s)': +(seedMs / 1000).toFixed(1), ...index },
      'library in Chromium through the harness': await browserFigures(dataDir),
      'thumbnails (24 × 2048² PNG)': await thumbnailFigures(),
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
