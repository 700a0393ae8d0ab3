// Read-only queries against the library index, answered by a worker thread (worker.ts) so the main
// process never blocks on one. At 100k images a full-text search over common words, or a filter no index
// narrows, can take tens of milliseconds; the main thread only posts the SQL and maps the page it gets back.
//
// The worker is `library-worker.js` beside the bundle in the built app (an extra entry in electron.vite.config.ts);
// running from source (tests, the harness) it is the .ts file, loaded through tsx.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type Database from 'libsql'
import type { LibraryStore } from './library'

export type SqlParams = Record<string, string | number | null>

export interface LibraryReader {
  /** Rows of a read-only statement (named parameters). */
  all<T>(sql: string, params?: SqlParams): Promise<T[]>
  /** Starts the worker now rather than on the first query. */
  start(): void
  close(): Promise<void>
}

export interface ReaderRequest {
  id: number
  sql: string
  params: SqlParams
}
export type ReaderResponse = { id: number; rows: Record<string, unknown>[] } | { id: number; error: string }

/** Queries on the calling thread, on the given connection: for benchmarks and one-off scripts, never the app. */
export function inlineReader(db: Database.Database): LibraryReader {
  return {
    async all<T>(sql: string, params: SqlParams = {}) {
      return db.prepare(sql).all(params) as T[]
    },
    start() {},
    async close() {},
  }
}

/**
 * The built worker beside the main bundle in `mainDir`. In a packaged app that folder is inside app.asar, and the
 * worker is unpacked beside it (electron-builder.yml asarUnpack, with libsql): a worker thread then loads its file
 * and the native module as plain files. test/unit/packaging.test.ts starts it from such a layout.
 */
export function builtWorkerPath(mainDir: string): string {
  return join(mainDir.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked'), 'library-worker.js')
}

function spawn(dbPath: string, checkpointMs: number | undefined): Worker {
  const here = dirname(fileURLToPath(import.meta.url))
  const built = builtWorkerPath(here)
  const workerData = { path: dbPath, checkpointMs }
  if (existsSync(built)) return new Worker(built, { workerData })
  const source = pathToFileURL(join(here, 'worker.ts')).href
  // tsx's ESM API (its `import` export); require.resolve would pick the CommonJS one.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const boot = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true, workerData })
}

export interface WorkerReaderOptions {
  /** Checkpoint the WAL from the worker this often (see libraryReader). */
  checkpointMs?: number
}

/** How often the library's reader checkpoints the WAL. */
const CHECKPOINT_MS = 1000

/**
 * The app's reader for a library: a worker thread, started now, that also takes over WAL checkpoints. A checkpoint
 * copies pages into the database and fsyncs it, which can stall the write that triggers it for tens of
 * milliseconds; with the main connection's autocheckpoint off, no main-thread write ever does one.
 */
export function libraryReader(library: LibraryStore): LibraryReader {
  const reader = workerReader(join(library.dir, 'library.db'), { checkpointMs: CHECKPOINT_MS })
  reader.start()
  library.db.exec('PRAGMA wal_autocheckpoint = 0')
  return reader
}

/** A reader backed by one worker thread, started on first use (or start()) and again if it ever dies. */
export function workerReader(dbPath: string, opts: WorkerReaderOptions = {}): LibraryReader {
  let worker: Worker | null = null
  let nextId = 1
  let closed = false
  const pending = new Map<number, { resolve: (rows: Record<string, unknown>[]) => void; reject: (error: Error) => void }>()

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error)
    pending.clear()
  }

  function current(): Worker {
    if (worker) return worker
    const w = spawn(dbPath, opts.checkpointMs)
    w.unref() // held only while a query is pending
    w.on('message', (message: ReaderResponse) => {
      const p = pending.get(message.id)
      if (!p) return
      pending.delete(message.id)
      if (pending.size === 0) w.unref() // an idle reader never keeps the process alive
      if ('error' in message) p.reject(new Error(`library query failed: ${message.error}`))
      else p.resolve(message.rows)
    })
    const lost = (error: Error) => {
      if (worker === w) worker = null
      failAll(error)
    }
    w.on('error', lost)
    w.on('exit', (code) => lost(new Error(`the library query worker stopped (exit code ${code})`)))
    worker = w
    return w
  }

  return {
    all<T>(sql: string, params: SqlParams = {}) {
      if (closed) return Promise.reject(new Error('the library reader is closed'))
      const id = nextId++
      return new Promise<T[]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (rows: Record<string, unknown>[]) => void, reject })
        const w = current()
        w.ref()
        w.postMessage({ id, sql, params } satisfies ReaderRequest)
      })
    },
    start() {
      if (!closed) current()
    },
    async close() {
      closed = true
      const w = worker
      worker = null
      failAll(new Error('the library reader is closed'))
      if (w) await w.terminate()
    },
  }
}
