// Importing the account's generation history (issue 13): past image generations from `GET /api/ai/generations`
// (made by any client: the web Workbench, another machine) land in the library with their recipe and cost, each
// once. The library's image id is derived from the generation id, so a generation already there (made by Atelier
// here, or imported before) is skipped and a second save of one is a no-op.
//
// The history is walked newest first, page by page; each new generation is brought in through the jobs room's
// Downloader (stream to a temp file, save with its recipe, record the cost; an expired or missing link is read
// fresh from the generation record), at most `concurrency` downloads at a time. Nothing is ever POSTed; the page
// GETs retry with backoff and Retry-After (OxenClient.getJson).
//
// Resuming: `<stateDir>/history.json` keeps the watermark of the last import that ran to its end, the creation
// time before which everything was settled (imported, already there, failed or not an image). A later import
// walks down to the watermark (less an overlap) and stops, so it lists only what is new. A generation still
// running, or one whose download failed, holds the watermark at or below its own time, so the next import sees
// it again. A cancelled or crashed import leaves the watermark alone: walking again skips what it saved already.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { ParamValueSchema, type LibraryImage, type ParamValue } from '../../../shared/domain'
import { AppFailure, toAppError } from '../errors'
import { Downloader, type ImageSink } from '../jobs/downloader'
import { Waits } from '../jobs/waits'
import { hashedUuid, type ImageRecipe } from '../library/library'
import type { Logger } from '../log'
import { writeFileAtomic } from '../write-atomic'
import type { OxenClient } from '../oxen/client'
import { plural } from './deps'
import type { TaskControl, TaskOutcome } from './tasks'

/** The task's target, as the renderer shows it. */
export const HISTORY_TARGET = 'Oxen generation history'
export const HISTORY_STATE_FILE = 'history.json'

export interface HistoryImportDeps {
  client: () => OxenClient
  /** The library as the jobs room sees it. */
  library: ImageSink
  /** Where `history.json` lives (the app's data folder). */
  stateDir: string
  log: Logger
  /** New images entered the library (called in batches as they arrive). */
  onLibraryChanged: (imageIds: string[]) => void
  /** Downloads at a time (default 3). */
  concurrency?: number
  /** Generations per page (default 100; Oxen allows up to 1000). */
  pageSize?: number
  /** Tries per image before it counts as failed for this import (default 4). */
  downloadAttempts?: number
  /** Base delay of the download retries' backoff (ms, default 500). */
  retryBaseMs?: number
  /** No bytes for this long means a download's connection is dead (ms, default 45 s). */
  readTimeoutMs?: number
  now?: () => number
}

/** What `history.json` holds. */
export interface HistoryState {
  version: 1
  /** Creation time (unix ms) at or before which the history was settled by the last completed import; null: none yet. */
  watermark: number | null
  /** When that import finished (unix ms). */
  completedAt: number | null
  /** The history's `total_entries` then (an estimate of what a later import has to look at). */
  entries: number | null
}

/** A later import re-reads this much history below the watermark (ms): whole-second stamps, clock rounding. */
export const WATERMARK_OVERLAP_MS = 5 * 60_000
/** Statuses of a finished, successful generation across doc revisions (API.md §5 says `succeeded`). */
const SUCCEEDED = new Set(['succeeded', 'completed', 'complete', 'success'])
const ENDED_WITHOUT_IMAGE = new Set(['failed', 'cancelled', 'canceled', 'error', 'expired'])
/** Row fields that describe the generation rather than echo its request (API.md §4.3, §4.5). */
const METADATA_FIELDS = new Set([
  'id',
  'generation_id',
  'status',
  'model',
  'model_name',
  'prompt',
  'result_url',
  'url',
  'created_at',
  'updated_at',
  'enqueued_at',
  'started_at',
  'completed_at',
  'cost',
  'error',
  'error_message',
  'media_type',
  'num_generations',
  'username',
])
const METADATA_PREFIXES = ['target_', 'user_']
/** onLibraryChanged gets ids at most this often while an import runs (ms); the rest at the end. */
const CHANGED_EVERY_MS = 250

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined)

/** One history row, as much of it as an import needs. */
export interface HistoryRow {
  id: string
  kind: 'image' | 'running' | 'skip'
  /** Creation time (unix ms), when the row says. */
  createdAt: number | null
  resultUrl: string | null
  cost: string | null
  recipe: ImageRecipe
}

/** A timestamp as unix ms: unix seconds or ms (number or digits), or an ISO date. */
export function timeOf(value: unknown): number | null {
  const fromNumber = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n < 1e11 ? n * 1000 : n) : null)
  if (typeof value === 'number') return fromNumber(value)
  if (typeof value !== 'string' || !value.trim()) return null
  if (/^\d+(\.\d+)?$/.test(value.trim())) return fromNumber(Number(value))
  const parsed = Date.parse(value)
  return Number.isFinite(parsed) ? parsed : null
}

/** The library job of an imported generation: one per generation, the same id on every import. */
export const historyJobId = (generationId: string): string => hashedUuid(`atelier-history-job\0${generationId}`)

/** The request fields a row echoes (everything that is not the row's own metadata), as recipe params. */
export function echoedParams(row: Record<string, unknown>): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {}
  for (const [name, value] of Object.entries(row)) {
    if (METADATA_FIELDS.has(name) || METADATA_PREFIXES.some((p) => name.startsWith(p))) continue
    if (value === null || value === undefined) continue // not sent: Oxen echoes absent fields as null
    const parsed = ParamValueSchema.safeParse(value)
    if (parsed.success) params[name] = parsed.data
  }
  return params
}

/** Reads a history row (API.md §4.3/§4.5 shapes, `model`/`model_name` both); null when it has no id. */
export function parseHistoryRow(row: unknown): HistoryRow | null {
  if (!isRecord(row)) return null
  const id = str(row.generation_id) ?? str(row.id)
  if (!id) return null
  const status = (str(row.status) ?? '').toLowerCase()
  const mediaType = str(row.media_type)
  const cost = row.cost
  const kind: HistoryRow['kind'] =
    mediaType !== undefined && mediaType !== 'image'
      ? 'skip'
      : SUCCEEDED.has(status)
        ? 'image'
        : ENDED_WITHOUT_IMAGE.has(status)
          ? 'skip'
          : 'running' // queued, processing, or a status we do not know: it may still end with an image
  return {
    id,
    kind,
    createdAt: timeOf(row.created_at) ?? timeOf(row.enqueued_at) ?? timeOf(row.completed_at),
    resultUrl: str(row.result_url) ?? str(row.url) ?? null,
    cost: typeof cost === 'string' && cost.trim() ? cost.trim() : typeof cost === 'number' && Number.isFinite(cost) ? String(cost) : null,
    recipe: {
      jobId: historyJobId(id),
      generationId: id,
      index: 0,
      count: 1,
      modelId: str(row.model_name) ?? str(row.model) ?? 'unknown',
      prompt: typeof row.prompt === 'string' ? row.prompt : '',
      params: echoedParams(row),
      references: [],
    },
  }
}

export async function readHistoryState(stateDir: string, log?: Logger): Promise<HistoryState> {
  const empty: HistoryState = { version: 1, watermark: null, completedAt: null, entries: null }
  let text: string
  try {
    text = await readFile(join(stateDir, HISTORY_STATE_FILE), 'utf8')
  } catch {
    return empty // no import has finished yet
  }
  try {
    const json: unknown = JSON.parse(text)
    if (!isRecord(json) || json.version !== 1) throw new Error('unknown shape')
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
    return { version: 1, watermark: num(json.watermark), completedAt: num(json.completedAt), entries: num(json.entries) }
  } catch (error) {
    // A damaged file costs one full walk (which downloads nothing already in the library), not the import.
    log?.warn('the history import state is unreadable; walking the whole history', { error })
    return empty
  }
}

async function writeHistoryState(stateDir: string, state: HistoryState): Promise<void> {
  await writeFileAtomic(join(stateDir, HISTORY_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`)
}

interface HistoryPage {
  rows: unknown[]
  totalEntries: number | null
  totalPages: number | null
}

async function readPage(client: OxenClient, page: number, pageSize: number, signal: AbortSignal): Promise<HistoryPage> {
  // No server-side status filter: API.md §5 names the success status `succeeded`, other revisions may not, and a
  // generation still running must be seen to hold the watermark below it. Rows are filtered here instead.
  const body = await client.getJson(`/api/ai/generations?media_type=image&page=${page}&page_size=${pageSize}`, 'Reading your Oxen generation history', {
    signal,
  })
  if (!isRecord(body) || !Array.isArray(body.generations)) {
    throw new AppFailure('oxen-error', 'Oxen returned an unreadable page of your generation history.')
  }
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null)
  return { rows: body.generations, totalEntries: count(body.total_entries), totalPages: count(body.total_pages) }
}

/** The plain sentence a finished import shows. */
export function importMessage(imported: number, already: number, failed: number, firstFailure: string | null): string {
  const head = imported > 0 ? `Imported ${plural(imported, 'image', 'images')} from your Oxen history` : 'No new images in your Oxen history'
  const known = already > 0 ? `; ${already} ${already === 1 ? 'was' : 'were'} already in your library` : ''
  let text = `${head}${known}.`
  if (failed > 0) {
    const reason = (firstFailure ?? 'unknown reason').replace(/^The image was made,? but could not be downloaded: /, '').replace(/\.$/, '')
    text += ` ${failed} could not be downloaded: ${reason}. ${failed === 1 ? 'It' : 'They'} will be tried again at the next import.`
  }
  return text
}

/**
 * Brings the account's past image generations into the library, each once. Resolves with the sentence to show;
 * rejects when the history cannot be read (the task fails) or when cancelled (`control.signal`).
 */
export async function importGenerationHistory(deps: HistoryImportDeps, control: TaskControl): Promise<TaskOutcome> {
  const { signal } = control
  const now = deps.now ?? Date.now
  const log = deps.log
  const concurrency = Math.max(1, deps.concurrency ?? 3)
  const pageSize = Math.min(1000, Math.max(1, deps.pageSize ?? 100))
  const state = await readHistoryState(deps.stateDir, log)
  const stopBelow = state.watermark === null ? null : state.watermark - WATERMARK_OVERLAP_MS

  // The jobs room's download path, with its own clock: cancelling the task stops every wait and download at once.
  const waits = new Waits(deps.retryBaseMs ?? 500)
  const stop = () => waits.stop()
  if (signal.aborted) stop()
  else signal.addEventListener('abort', stop, { once: true })
  const madeAt = new Map<string, number>()
  const library = deps.library
  const sink: ImageSink = {
    saveImage: (input) => {
      const createdAt = madeAt.get(input.recipe.generationId)
      return library.saveImage(createdAt === undefined ? input : { ...input, createdAt })
    },
    imageForGeneration: (id) => library.imageForGeneration(id),
    tempFilePath: (ext) => library.tempFilePath(ext),
    sweepTemp: (ms) => library.sweepTemp(ms),
    setImageCost: (id, cost) => library.setImageCost(id, cost),
  }
  const downloader = new Downloader({
    client: deps.client,
    library: sink,
    waits,
    slots: pLimit(concurrency),
    maxConcurrent: () => concurrency,
    attempts: deps.downloadAttempts ?? 4,
    readTimeoutMs: deps.readTimeoutMs ?? 45_000,
    log,
  })
  // Generations in hand at once: twice the download slots, so one waiting to retry does not hold a slot idle.
  const inHand = pLimit(concurrency * 2)

  let imported = 0
  let already = 0
  let failed = 0
  let firstFailure: string | null = null
  let done = 0
  let seen = 0
  let total: number | null = null
  let firstEntries: number | null = null
  const progress = () => control.progress(done, total === null ? null : Math.max(total, done))

  let changed: string[] = []
  let lastChanged = 0
  let flushTimer: NodeJS.Timeout | undefined
  const flushChanged = (force: boolean) => {
    if (changed.length === 0) return
    const wait = lastChanged + CHANGED_EVERY_MS - now()
    if (!force && wait > 0) {
      // The rest of a burst goes out shortly, not only with the next image.
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined
        flushChanged(true)
      }, wait)
      return
    }
    clearTimeout(flushTimer)
    flushTimer = undefined
    const ids = changed
    changed = []
    lastChanged = now()
    try {
      deps.onLibraryChanged(ids)
    } catch (error) {
      log.warn('a library change could not be announced', { error })
    }
  }

  // The watermark this import may leave: its newest generation, held down by any it could not settle.
  let newest: number | null = null
  let holdAt: number | null = null
  const hold = (t: number | null) => {
    if (t !== null) holdAt = holdAt === null ? t : Math.min(holdAt, t)
  }

  const handled = new Set<string>()
  const work: Promise<void>[] = []

  async function bringIn(row: HistoryRow): Promise<void> {
    if (waits.stopped) return
    if (library.imageForGeneration(row.id)) {
      already++ // another import of the same generation got there meanwhile (or a job of this app)
      return
    }
    if (row.createdAt !== null) madeAt.set(row.id, row.createdAt)
    let saved: LibraryImage | null
    try {
      saved = await downloader.fetch(row.id, row.resultUrl, row.recipe, () => undefined)
    } catch (error) {
      failed++
      firstFailure ??= toAppError(error).message
      hold(row.createdAt)
      log.warn('a past generation could not be imported', { generationId: row.id, error })
      return
    } finally {
      madeAt.delete(row.id)
    }
    if (!saved) return // cancelled
    if (saved.cost === undefined && row.cost !== null) library.setImageCost(saved.id, row.cost) // the record's cost was unreadable
    imported++
    changed.push(saved.id)
    flushChanged(false)
  }

  try {
    for (let page = 1; ; page++) {
      if (signal.aborted) throw signal.reason
      const { rows, totalEntries, totalPages } = await readPage(deps.client(), page, pageSize, signal)
      if (page === 1) {
        firstEntries = totalEntries
        // A first import looks at the whole history; a later one at what came since (an estimate until the walk ends).
        total = totalEntries === null ? null : state.entries === null || stopBelow === null ? totalEntries : Math.max(0, totalEntries - state.entries)
      }
      let endsBelowWatermark = false
      for (const raw of rows) {
        const row = parseHistoryRow(raw)
        if (!row) continue
        // Settled by the last completed import. Newest first, so the walk ends with the first page that ends with
        // such a row (not at the first one: a list not quite in order loses nothing from the rest of its page).
        if (stopBelow !== null && row.createdAt !== null) {
          endsBelowWatermark = row.createdAt < stopBelow
          if (endsBelowWatermark) continue
        }
        if (handled.has(row.id)) continue // a page shifted by new generations repeats a few rows
        handled.add(row.id)
        seen++
        if (row.createdAt !== null) newest = newest === null ? row.createdAt : Math.max(newest, row.createdAt)
        if (row.kind === 'running') hold(row.createdAt)
        if (row.kind !== 'image') {
          done++
          continue
        }
        if (library.imageForGeneration(row.id)) {
          already++
          done++
          continue
        }
        work.push(
          inHand(() => bringIn(row)).finally(() => {
            done++
            progress()
          }),
        )
      }
      if (total !== null && total < seen) total = seen
      progress()
      const lastPage = rows.length === 0 || (totalPages !== null ? page >= totalPages : rows.length < pageSize)
      if (endsBelowWatermark || lastPage) break
    }
    total = seen
    await Promise.all(work)
    if (signal.aborted) throw signal.reason
  } catch (error) {
    stop()
    await Promise.allSettled(work)
    flushChanged(true)
    throw error
  } finally {
    signal.removeEventListener('abort', stop)
  }
  flushChanged(true)
  progress()

  // Everything at or after this walk's lower edge was seen now, everything before it was settled earlier: the new
  // watermark is the newest generation known, unless one seen now is still unsettled (the next walk must reach it).
  const reached = newest === null ? state.watermark : state.watermark === null ? newest : Math.max(newest, state.watermark)
  const watermark = reached === null ? null : holdAt === null ? reached : Math.min(reached, holdAt)
  await writeHistoryState(deps.stateDir, { version: 1, watermark, completedAt: now(), entries: firstEntries }).catch(
    (error: unknown) => log.warn('the history import state could not be saved; the next import walks the whole history', { error }),
  )
  log.info('history import finished', { imported, already, failed, seen, watermark })
  return { message: importMessage(imported, already, failed, firstFailure) }
}

