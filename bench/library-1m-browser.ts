// The library at 1M in Chromium through the harness (issue 12, renderer side): the same first screen and scroll as
// bench/library-browser.ts, on an index of ATELIER_BENCH_LIBRARY_1M_N images (10 × ATELIER_BENCH_LIBRARY_N, so 1M by
// default), seeded in bulk as bench/library-1m.ts seeds its own; the scroll is a sample (the first 600 screens).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLibrary } from '../electron/services/library/library'
import { seedLibraryBulk } from '../test/fixtures/library-seed'
import { browserFigures } from './library-browser'

const N = Number(process.env.ATELIER_BENCH_LIBRARY_N ?? 100_000)
const BIG = Number(process.env.ATELIER_BENCH_LIBRARY_1M_N ?? N * 10)

export async function libraryBrowserAtScale(): Promise<Record<string, Record<string, string | number>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-bench-library-1m-browser-'))
  try {
    const library = openLibrary({ dir: join(dataDir, 'library'), mediaUrl: (id, v) => `/media/${id}/${v}` })
    await seedLibraryBulk(library, BIG)
    library.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    library.close()
    const figures = await browserFigures(dataDir, { n: BIG, maxScreens: 600 })
    return { [`library in Chromium through the harness, ${BIG.toLocaleString('en')} images`]: figures }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
