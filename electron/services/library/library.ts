// The image library: a SQLite index (jobs journal, generations, images) plus the image files on disk.
//
// Layout under `dir`:
//   library.db                          the index (WAL)
//   images/<yyyy>/<mm>/<id>.<png|jpg|webp>  originals, never modified once saved
//   thumbs/<yyyy>/<mm>/<id>.webp        512 px long-side thumbnails
//   .tmp/                               downloads in progress (same filesystem, so saving is a rename)
//
// `.tmp` is never cleaned on open, because a later feature resumes downloads from it; call
// `sweepTemp(olderThanMs)` once nothing can still be writing there.
import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import Database from 'libsql'
import sharp from 'sharp'
import type { HistoryEntry, HistoryPage, JobStatus, LibraryImage, ParamValue, ReferenceSupply } from '../../../shared/domain'
import { AppFailure } from '../errors'
import { aspectLabel, sizeLabel } from './image-labels'
import { embedRecipe, type Recipe } from './image-metadata'
import { IMAGE_ORD_SQL, migrate } from './schema'

export type MediaVariant = 'full' | 'thumb'

export interface LibraryOptions {
  dir: string
  mediaUrl: (imageId: string, variant: MediaVariant) => string
}

export interface NewJobRecord {
  id: string
  createdAt: number
  modelId: string
  prompt: string
  count: number
  params: Record<string, ParamValue>
  /** The exact body fields sent to Oxen, minus prompt and reference URLs. */
  request: Record<string, unknown>
  /** Reference image hashes, and how they were supplied. */
  references: string[]
  referenceSupply: ReferenceSupply | null
}
/** The journal of one enqueue of up to four images (see migration 3). */
export interface EnqueueRecord {
  jobId: string
  firstIndex: number
  size: number
  sentAt: number
  state: 'sending' | 'accepted' | 'rejected' | 'unknown'
  error?: string | null
}

export interface GenerationRecord {
  /** Oxen generation_id. */
  id: string
  jobId: string
  index: number
  status: string
  /** `undefined` keeps the stored value; `null` clears it. */
  resultUrl?: string | null
  /** `undefined` keeps the stored value; `null` clears it. */
  error?: string | null
  updatedAt: number
}

export interface SaveImageInput {
  jobId: string
  generationId: string
  index: number
  /** A file from tempFilePath(), fully written. */
  tempPath: string
}

export interface UnfinishedJob {
  job: NewJobRecord & { status: JobStatus }
  generations: GenerationRecord[]
  enqueues: EnqueueRecord[]
}

export interface Library {
  readonly dir: string
  /** The index's connection, for sibling services that keep their own tables here (references.ts). */
  readonly db: Database.Database
  recordJob(job: NewJobRecord): void
  updateJobStatus(jobId: string, status: JobStatus, error?: string | null): void
  /** Upsert by id. */
  recordGeneration(gen: GenerationRecord): void
  /** Jobs still `running` (e.g. after a crash), oldest first, with their generations in index order. */
  unfinishedJobs(): UnfinishedJob[]
  /** Upsert by (jobId, firstIndex): journaled before the POST goes out, updated with its outcome. */
  recordEnqueue(record: EnqueueRecord): void
  /** The journaled request body fields (minus prompt and references) of a job. */
  jobRequest(jobId: string): Record<string, unknown>
  setImageCost(imageId: string, cost: string): void
  /** A fresh path for a download in progress, inside `<dir>/.tmp/`. */
  tempFilePath(ext: string): string
  /** Deletes files in `<dir>/.tmp/` last modified more than `olderThanMs` ago; returns how many. */
  sweepTemp(olderThanMs: number): number
  /**
   * Validates the file (png/jpeg/webp, fully decoded by sharp), makes the thumbnail, renames the file into
   * `images/` and inserts the row. Idempotent per generationId. Throws AppFailure('oxen-error') on an
   * undecodable file; the temp file is always gone afterwards.
   */
  saveImage(input: SaveImageInput): Promise<LibraryImage>
  getImage(id: string): LibraryImage | null
  /** The image saved for an Oxen generation, if any (resuming a journal after a restart). */
  imageForGeneration(generationId: string): LibraryImage | null
  /** Jobs with at least one saved image, newest first, each with its images in index order. */
  listHistory(query: { cursor?: string; limit: number }): HistoryPage
  /** Absolute path of an image's file, only if it exists inside the library folder; null otherwise. */
  resolveFile(imageId: string, variant: MediaVariant): string | null
  /** Absolute path of `rel` (relative to the library folder) if it is a regular file inside it, symlinks followed; else null. */
  containedFile(rel: string): string | null
  /** The image's thumbnail path, made from its file first if it is missing; null if the image or its file is gone. */
  ensureThumb(imageId: string): Promise<string | null>
  close(): void
}

/** Image ids are lowercase UUIDs (crypto.randomUUID). */
export const IMAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const FORMAT_EXT = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const
type ImageFormat = keyof typeof FORMAT_EXT
const THUMB_LONG_SIDE = 512

const UNREADABLE_IMAGE =
  'Oxen sent a file that is not a readable PNG, JPEG or WebP image, so it was not saved. Try generating that image again.'

// ---------- rows (libsql rows carry an extra `_metadata`; map every column explicitly) ----------
interface JobRow {
  id: string
  created_at: number
  model_id: string
  prompt: string
  count: number
  params: string
  request: string
  status: string
  error: string | null
  refs: string
  reference_supply: string | null
}
interface EnqueueRow {
  job_id: string
  first_index: number
  size: number
  sent_at: number
  state: EnqueueRecord['state']
  error: string | null
}
interface GenerationRow {
  id: string
  job_id: string
  idx: number
  status: string
  result_url: string | null
  error: string | null
  updated_at: number
}
export interface ImageRow {
  /** created_at * 1000 + tie-break: the rowid, in creation order (library-schema.ts, migration 4). */
  ord: number
  id: string
  job_id: string
  generation_id: string
  idx: number
  file: string
  thumb: string
  format: ImageFormat
  width: number
  height: number
  bytes: number
  created_at: number
  cost: string | null
  starred: number
  trashed_at: number | null
}
/** An image row with the job fields a LibraryImage needs. */
export type ImageWithJobRow = ImageRow & { model_id: string; prompt: string; params: string; refs: string; count: number }
/** Columns of `images i JOIN jobs j` that make an ImageWithJobRow (plus the job's count, for recipes). */
export const IMAGE_WITH_JOB_COLUMNS =
  'i.ord, i.id, i.job_id, i.generation_id, i.idx, i.file, i.thumb, i.format, i.width, i.height, i.bytes, i.created_at, i.cost, ' +
  'i.starred, i.trashed_at, j.model_id, j.prompt, j.params, j.refs, j.count'

/** Inserts an image row (named parameters as below); a second row for the same generation is ignored. */
export const INSERT_IMAGE_SQL = `INSERT INTO images
    (ord, id, job_id, generation_id, idx, file, thumb, format, width, height, bytes, created_at, model_id, size_label, aspect)
  VALUES (${IMAGE_ORD_SQL}, @id, @jobId, @generationId, @index, @file, @thumb, @format, @width, @height, @bytes, @createdAt,
    @modelId, @sizeLabel, @aspect)
  ON CONFLICT (generation_id) DO NOTHING`

/** The filter columns of a new image row. */
export function imageLabels(width: number, height: number, params: Record<string, ParamValue>): { sizeLabel: string | null; aspect: string | null } {
  return { sizeLabel: sizeLabel(width, height, params), aspect: aspectLabel(width, height) }
}

export function toLibraryImage(r: ImageWithJobRow, mediaUrl: LibraryOptions['mediaUrl']): LibraryImage {
  return {
    id: r.id,
    jobId: r.job_id,
    generationId: r.generation_id,
    index: r.idx,
    jobCount: r.count,
    modelId: r.model_id,
    prompt: r.prompt,
    params: JSON.parse(r.params) as Record<string, ParamValue>,
    width: r.width,
    height: r.height,
    format: r.format,
    bytes: r.bytes,
    ...(r.cost !== null ? { cost: r.cost } : {}),
    createdAt: r.created_at,
    references: JSON.parse(r.refs) as string[],
    starred: r.starred === 1,
    ...(r.trashed_at !== null ? { trashedAt: r.trashed_at } : {}),
    url: mediaUrl(r.id, 'full'),
    thumbUrl: mediaUrl(r.id, 'thumb'),
  }
}

/** The recipe a saved file carries (image-metadata.ts), from the job and image fields. */
export function recipeOf(
  job: { count: number; model_id: string; prompt: string; params: string; refs: string },
  image: { id: string; job_id: string; generation_id: string; idx: number; created_at: number },
): Recipe {
  return {
    version: 1,
    app: 'Atelier',
    imageId: image.id,
    jobId: image.job_id,
    generationId: image.generation_id,
    index: image.idx,
    count: job.count,
    modelId: job.model_id,
    prompt: job.prompt,
    params: JSON.parse(job.params) as Record<string, ParamValue>,
    references: JSON.parse(job.refs) as string[],
    createdAt: image.created_at,
  }
}

function toGeneration(r: GenerationRow): GenerationRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    index: r.idx,
    status: r.status,
    resultUrl: r.result_url,
    error: r.error,
    updatedAt: r.updated_at,
  }
}

function toJob(r: JobRow): NewJobRecord & { status: JobStatus } {
  return {
    id: r.id,
    createdAt: r.created_at,
    modelId: r.model_id,
    prompt: r.prompt,
    count: r.count,
    params: JSON.parse(r.params) as Record<string, ParamValue>,
    request: JSON.parse(r.request) as Record<string, unknown>,
    references: JSON.parse(r.refs) as string[],
    referenceSupply: r.reference_supply === 'upload' || r.reference_supply === 'data-uri' ? r.reference_supply : null,
    status: r.status as JobStatus,
  }
}

function toEnqueue(r: EnqueueRow): EnqueueRecord {
  return { jobId: r.job_id, firstIndex: r.first_index, size: r.size, sentAt: r.sent_at, state: r.state, error: r.error }
}

// ---------- cursors: opaque to callers, (created_at, id) of the last job on the page ----------
function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url')
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] }
    }
  } catch {
    // fall through
  }
  throw new AppFailure('invalid-input', 'That history page is no longer valid. Reload the history from the start.')
}

function yearMonth(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, '0')}`
}

async function makeThumb(data: Buffer, thumbPath: string): Promise<void> {
  await sharp(data)
    .rotate() // honour EXIF orientation in the thumbnail
    .resize(THUMB_LONG_SIDE, THUMB_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toFile(thumbPath)
}

function removeQuietly(path: string): void {
  rmSync(path, { force: true })
}

export function openLibrary(opts: LibraryOptions): Library {
  const dir = resolve(opts.dir)
  const tmpDir = join(dir, '.tmp')
  mkdirSync(tmpDir, { recursive: true })
  const realDir = realpathSync(dir)

  const db = new Database(join(dir, 'library.db'))
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA foreign_keys = ON')
  db.exec('PRAGMA synchronous = NORMAL') // WAL + NORMAL: durable across app crashes, fast commits
  migrate(db)

  const sql = {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, created_at, model_id, prompt, count, params, request, refs, reference_supply, status)
       VALUES (@id, @createdAt, @modelId, @prompt, @count, @params, @request, @refs, @referenceSupply, 'running')`,
    ),
    updateJob: db.prepare('UPDATE jobs SET status = @status, error = @error WHERE id = @id'),
    jobExists: db.prepare('SELECT 1 AS found FROM jobs WHERE id = @id'),
    upsertGeneration: db.prepare(
      `INSERT INTO generations (id, job_id, idx, status, result_url, error, updated_at)
       VALUES (@id, @jobId, @index, @status, @resultUrl, @error, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET
         idx = excluded.idx,
         status = excluded.status,
         result_url = CASE WHEN @keepResultUrl THEN generations.result_url ELSE excluded.result_url END,
         error = CASE WHEN @keepError THEN generations.error ELSE excluded.error END,
         updated_at = excluded.updated_at`,
    ),
    runningJobs: db.prepare(`SELECT * FROM jobs WHERE status = 'running' ORDER BY created_at, id`),
    generationsOf: db.prepare('SELECT * FROM generations WHERE job_id = @jobId ORDER BY idx, id'),
    upsertEnqueue: db.prepare(
      `INSERT INTO enqueues (job_id, first_index, size, sent_at, state, error)
       VALUES (@jobId, @firstIndex, @size, @sentAt, @state, @error)
       ON CONFLICT (job_id, first_index) DO UPDATE SET
         size = excluded.size, sent_at = excluded.sent_at, state = excluded.state, error = excluded.error`,
    ),
    enqueuesOf: db.prepare('SELECT * FROM enqueues WHERE job_id = @jobId ORDER BY first_index'),
    jobRequest: db.prepare('SELECT request FROM jobs WHERE id = @id'),
    setCost: db.prepare('UPDATE images SET cost = @cost WHERE id = @id'),
    insertImage: db.prepare(INSERT_IMAGE_SQL),
    jobForRecipe: db.prepare('SELECT count, model_id, prompt, params, refs FROM jobs WHERE id = @id'),
    imageById: db.prepare(`SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.id = @id`),
    imageByGeneration: db.prepare(
      `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.generation_id = @generationId`,
    ),
    imagePaths: db.prepare('SELECT file, thumb FROM images WHERE id = @id'),
    historyFirst: db.prepare(
      `SELECT * FROM jobs j
       WHERE EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id)
       ORDER BY j.created_at DESC, j.id DESC LIMIT @limit`,
    ),
    historyAfter: db.prepare(
      `SELECT * FROM jobs j
       WHERE (j.created_at, j.id) < (@createdAt, @id)
         AND EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id)
       ORDER BY j.created_at DESC, j.id DESC LIMIT @limit`,
    ),
    imagesOfJobs: db.prepare(
      `SELECT * FROM images WHERE job_id IN (SELECT value FROM json_each(@jobIds)) ORDER BY job_id, idx, id`,
    ),
  }

  function toImage(r: ImageRow, job: { model_id: string; prompt: string; params: string; refs: string; count: number }): LibraryImage {
    return toLibraryImage({ ...r, model_id: job.model_id, prompt: job.prompt, params: job.params, refs: job.refs, count: job.count }, opts.mediaUrl)
  }

  function imageByGeneration(generationId: string): LibraryImage | null {
    const row = sql.imageByGeneration.get({ generationId }) as ImageWithJobRow | undefined
    return row ? toImage(row, row) : null
  }

  /**
   * Decodes the whole image (not just its header) and writes the thumbnail; throws on anything unreadable.
   * Works from a buffer so libvips' file cache holds no handle on a file we are about to rename.
   */
  async function inspect(path: string, thumbPath: string): Promise<{ format: ImageFormat; width: number; height: number; data: Buffer }> {
    const data = await readFile(path)
    const meta = await sharp(data).metadata()
    const format = meta.format as string
    if (!(format in FORMAT_EXT) || !meta.width || !meta.height) throw new Error(`unsupported image: ${format}`)
    await makeThumb(data, thumbPath)
    return { format: format as ImageFormat, width: meta.width, height: meta.height, data }
  }

  /** `rel` inside the library folder (also after following symlinks) and an existing regular file. */
  function containedFile(rel: string): string | null {
    const abs = resolve(dir, rel)
    const fromDir = relative(dir, abs)
    if (!fromDir || fromDir.startsWith('..') || isAbsolute(fromDir)) return null
    try {
      const real = realpathSync(abs)
      if (!real.startsWith(realDir + sep) || !statSync(real).isFile()) return null
      return real
    } catch {
      return null
    }
  }

  const thumbsInFlight = new Map<string, Promise<string | null>>()
  async function makeMissingThumb(file: string, thumb: string): Promise<string | null> {
    const target = resolve(dir, thumb)
    const fromDir = relative(dir, target)
    if (!fromDir || fromDir.startsWith('..') || isAbsolute(fromDir)) return null
    const tmp = join(tmpDir, `${randomUUID()}.thumb.webp`)
    try {
      mkdirSync(dirname(target), { recursive: true })
      await makeThumb(await readFile(file), tmp)
      await rename(tmp, target)
      return containedFile(thumb)
    } catch {
      await rm(tmp, { force: true })
      return null
    }
  }

  return {
    dir,
    db,
    containedFile,

    async ensureThumb(imageId) {
      if (!IMAGE_ID_PATTERN.test(imageId)) return null
      const row = sql.imagePaths.get({ id: imageId }) as { file: string; thumb: string } | undefined
      if (!row) return null
      const existing = containedFile(row.thumb)
      if (existing) return existing
      const file = containedFile(row.file)
      if (!file) return null
      let pending = thumbsInFlight.get(imageId)
      if (!pending) {
        pending = makeMissingThumb(file, row.thumb).finally(() => thumbsInFlight.delete(imageId))
        thumbsInFlight.set(imageId, pending)
      }
      return pending
    },

    recordJob(job) {
      sql.insertJob.run({
        id: job.id,
        createdAt: job.createdAt,
        modelId: job.modelId,
        prompt: job.prompt,
        count: job.count,
        params: JSON.stringify(job.params),
        request: JSON.stringify(job.request),
        refs: JSON.stringify(job.references),
        referenceSupply: job.referenceSupply,
      })
    },

    updateJobStatus(jobId, status, error = null) {
      const { changes } = sql.updateJob.run({ id: jobId, status, error })
      if (changes === 0) throw new AppFailure('not-found', 'That job is not in the library.')
    },

    recordGeneration(gen) {
      sql.upsertGeneration.run({
        id: gen.id,
        jobId: gen.jobId,
        index: gen.index,
        status: gen.status,
        resultUrl: gen.resultUrl ?? null,
        error: gen.error ?? null,
        keepResultUrl: gen.resultUrl === undefined ? 1 : 0,
        keepError: gen.error === undefined ? 1 : 0,
        updatedAt: gen.updatedAt,
      })
    },

    unfinishedJobs() {
      return (sql.runningJobs.all() as JobRow[]).map((row) => ({
        job: toJob(row),
        generations: (sql.generationsOf.all({ jobId: row.id }) as GenerationRow[]).map(toGeneration),
        enqueues: (sql.enqueuesOf.all({ jobId: row.id }) as EnqueueRow[]).map(toEnqueue),
      }))
    },

    recordEnqueue(record) {
      sql.upsertEnqueue.run({ ...record, error: record.error ?? null })
    },

    jobRequest(jobId) {
      const row = sql.jobRequest.get({ id: jobId }) as { request: string } | undefined
      if (!row) throw new AppFailure('not-found', 'That job is not in the library.')
      return JSON.parse(row.request) as Record<string, unknown>
    },

    setImageCost(imageId, cost) {
      sql.setCost.run({ id: imageId, cost })
    },

    tempFilePath(ext) {
      const clean = ext.replace(/^\./, '')
      if (!/^[a-z0-9]{1,8}$/i.test(clean)) throw new Error(`tempFilePath: bad extension "${ext}"`)
      mkdirSync(tmpDir, { recursive: true })
      return join(tmpDir, `${randomUUID()}.${clean}`)
    },

    sweepTemp(olderThanMs) {
      const cutoff = Date.now() - olderThanMs
      let removed = 0
      for (const name of readdirSync(tmpDir)) {
        const path = join(tmpDir, name)
        try {
          if (statSync(path).mtimeMs < cutoff) {
            rmSync(path, { recursive: true, force: true })
            removed++
          }
        } catch {
          // vanished meanwhile
        }
      }
      return removed
    },

    async saveImage({ jobId, generationId, index, tempPath }) {
      const inTmp = relative(tmpDir, resolve(tempPath))
      if (!inTmp || inTmp.startsWith('..') || isAbsolute(inTmp) || inTmp.includes(sep)) {
        throw new Error('saveImage: tempPath must come from tempFilePath()')
      }
      const existing = imageByGeneration(generationId)
      if (existing) {
        removeQuietly(tempPath)
        return existing
      }
      if (!sql.jobExists.get({ id: jobId })) {
        removeQuietly(tempPath)
        throw new AppFailure('not-found', 'The job for this image is not in the library, so the image was not saved.')
      }

      const id = randomUUID()
      const thumbTmp = join(tmpDir, `${id}.thumb.webp`)
      let info: Awaited<ReturnType<typeof inspect>>
      try {
        info = await inspect(tempPath, thumbTmp)
      } catch (error) {
        removeQuietly(tempPath)
        removeQuietly(thumbTmp)
        throw new AppFailure('oxen-error', UNREADABLE_IMAGE, { cause: error })
      }

      const createdAt = Date.now()
      const ym = yearMonth(createdAt)
      const file = `images/${ym}/${id}.${FORMAT_EXT[info.format]}`
      const thumb = `thumbs/${ym}/${id}.webp`
      // The recipe goes into the file before it enters images/, which never changes a file afterwards.
      const job = sql.jobForRecipe.get({ id: jobId }) as { count: number; model_id: string; prompt: string; params: string; refs: string }
      let bytes = info.data
      try {
        bytes = embedRecipe(info.data, info.format, recipeOf(job, { id, job_id: jobId, generation_id: generationId, idx: index, created_at: createdAt }))
      } catch {
        // Only a JPEG whose recipe alone exceeds XMP's 64 KB lands here: it is saved without one.
      }
      // Files first, row last: a crash in between leaves an unindexed file, never a row without its file.
      try {
        if (bytes !== info.data) await writeFile(tempPath, bytes)
        mkdirSync(join(dir, 'images', ym), { recursive: true })
        mkdirSync(join(dir, 'thumbs', ym), { recursive: true })
        renameSync(tempPath, join(dir, file))
        renameSync(thumbTmp, join(dir, thumb))
      } catch (error) {
        for (const p of [tempPath, thumbTmp, join(dir, file), join(dir, thumb)]) removeQuietly(p)
        throw new AppFailure('internal', 'Atelier could not move the image into your library folder. Check that the disk is not full and try again.', {
          cause: error,
        })
      }
      const { changes } = sql.insertImage.run({
        id,
        jobId,
        generationId,
        index,
        file,
        thumb,
        format: info.format,
        width: info.width,
        height: info.height,
        bytes: bytes.length,
        createdAt,
        modelId: job.model_id,
        ...imageLabels(info.width, info.height, JSON.parse(job.params) as Record<string, ParamValue>),
      })
      if (changes === 0) {
        // A concurrent save for the same generation won the race: keep its files, drop ours.
        removeQuietly(join(dir, file))
        removeQuietly(join(dir, thumb))
      }
      const saved = imageByGeneration(generationId)
      if (!saved) throw new Error('saveImage: the row vanished after insert')
      return saved
    },

    getImage(id) {
      if (!IMAGE_ID_PATTERN.test(id)) return null
      const row = sql.imageById.get({ id }) as ImageWithJobRow | undefined
      return row ? toImage(row, row) : null
    },

    imageForGeneration: imageByGeneration,

    listHistory({ cursor, limit }) {
      const take = Math.max(1, Math.min(200, Math.trunc(limit)))
      const jobs = (
        cursor === undefined
          ? sql.historyFirst.all({ limit: take + 1 })
          : sql.historyAfter.all({ ...decodeCursor(cursor), limit: take + 1 })
      ) as JobRow[]
      const page = jobs.slice(0, take)
      const byJob = new Map<string, ImageRow[]>()
      for (const row of sql.imagesOfJobs.all({ jobIds: JSON.stringify(page.map((j) => j.id)) }) as ImageRow[]) {
        byJob.set(row.job_id, [...(byJob.get(row.job_id) ?? []), row])
      }
      const entries: HistoryEntry[] = page.map((j) => {
        const params = JSON.parse(j.params) as Record<string, ParamValue>
        return {
          jobId: j.id,
          modelId: j.model_id,
          prompt: j.prompt,
          params,
          createdAt: j.created_at,
          images: (byJob.get(j.id) ?? []).map((i) => toImage(i, j)),
        }
      })
      const last = page.at(-1)
      return { entries, nextCursor: jobs.length > take && last ? encodeCursor(last.created_at, last.id) : null }
    },

    resolveFile(imageId, variant) {
      if (!IMAGE_ID_PATTERN.test(imageId)) return null
      const row = sql.imagePaths.get({ id: imageId }) as { file: string; thumb: string } | undefined
      if (!row) return null
      return containedFile(variant === 'thumb' ? row.thumb : row.file)
    },

    close() {
      if (db.open) db.close()
    },
  }
}
