// Worker thread: runs the library's read queries on its own read-only connection, so a slow search never
// stalls the main process. WAL lets it read while the main connection writes; each query sees the last commit.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'libsql'
import type { ReaderRequest, ReaderResponse } from './reader'

const { path, checkpointMs } = workerData as { path: string; checkpointMs?: number }
const db = new Database(path)
db.exec('PRAGMA query_only = ON')
db.exec('PRAGMA busy_timeout = 5000') // only while the main connection migrates

// Checkpoints (copying the WAL into the database, then fsync) can take tens of milliseconds on a slow disk, so
// they happen here instead of in whichever main-thread write crosses the WAL limit. PASSIVE: never waits on a writer.
if (checkpointMs) setInterval(() => db.exec('PRAGMA wal_checkpoint(PASSIVE)'), checkpointMs).unref()

const statements = new Map<string, Database.Statement>()
function statement(sql: string): Database.Statement {
  let stmt = statements.get(sql)
  if (!stmt) {
    if (statements.size >= 256) statements.clear()
    stmt = db.prepare(sql)
    statements.set(sql, stmt)
  }
  return stmt
}

parentPort!.on('message', ({ id, sql, params }: ReaderRequest) => {
  let response: ReaderResponse
  try {
    const rows = statement(sql).all(params) as Record<string, unknown>[]
    for (const row of rows) delete row._metadata // libsql's per-row timing: not worth cloning across
    response = { id, rows }
  } catch (error) {
    response = { id, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort!.postMessage(response)
})
