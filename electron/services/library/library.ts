// The image library: a SQLite index (images, the recipe part they share per job, boards…) plus the image files
// on disk. It knows nothing of how images are made: the jobs room hands it a finished file and its recipe.
//
// Layout under `dir`:
//   library.db                          the index (WAL)
//   images/<yyyy>/<mm>/<id>.<png|jpg|webp>  originals, never modified once saved
//   thumbs/<yyyy>/<mm>/<id>.webp        512 px long-side thumbnails
//   .tmp/                               downloads in progress (same filesystem, so saving is a rename)
//
// `.tmp` is never cleaned on open, because a later feature resumes downloads from it; call
// `sweepTemp(olderThanMs)` once nothing can still be writing there.
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type Database from 'libsql'
import sharp from 'sharp'
import { IMAGE_FORMATS, SEED_PARAM, type ImageFormat, type LibraryImage, type ParamValue } from '../../../shared/domain'
import { AppFailure } from '../errors'
import { folderFiles, pathInside } from '../folder-paths'
import { imageFileName } from './file-names'
import { describeImage, thumbnail } from './image-files'
import { aspectLabel, sizeLabel } from './image-labels'
import { embedRecipe, type Recipe } from './image-metadata'
import type { Checkpoint } from '../checkpoint'
import type { Logger } from '../log'
import { openDatabase } from '../sqlite'
import { IMAGE_ORD_SQL, MIGRATIONS } from './schema'

export type MediaVariant = 'full' | 'thumb'

export interface LibraryOptions {
  dir: string
  mediaUrl: (imageId: string, variant: MediaVariant) => string
  checkpoint?: Checkpoint
  log?: Logger
}

/** What the maker of an image knows of it: the recipe minus what the library assigns (image id, time saved). */
export type ImageRecipe = Omit<Recipe, 'version' | 'app' | 'imageId' | 'createdAt' | 'cost'>

export interface SaveImageInput {
  /** A file from tempFilePath(), fully written. */
  tempPath: string
  recipe: ImageRecipe
  /** When the image was made (unix ms), if not now: an imported past generation. */
  createdAt?: number
}

export interface Library {
  readonly dir: string
  setImageCost(imageId: string, cost: string): void
  /** A fresh path for a download in progress, inside `<dir>/.tmp/`. */
  tempFilePath(ext: string): string
  /** Deletes files in `<dir>/.tmp/` last modified more than `olderThanMs` ago; returns how many. */
  sweepTemp(olderThanMs: number): number
  /**
   * Validates the file (png/jpeg/webp, fully decoded by sharp), makes the thumbnail, embeds the recipe, renames
   * the file into `images/` and inserts the row. Idempotent per generationId. Throws AppFailure('oxen-error') on an
   * undecodable file; the temp file is always gone afterwards.
   */
  saveImage(input: SaveImageInput): Promise<LibraryImage>
  getImage(id: string): LibraryImage | null
  /** The image saved for an Oxen generation, if any (resuming a journal after a restart). */
  imageForGeneration(generationId: string): LibraryImage | null
  /** Absolute path of an image's file, only if it exists inside the library folder; null otherwise. */
  resolveFile(imageId: string, variant: MediaVariant): string | null
  /** Absolute path of `rel` (relative to the library folder) if it is a regular file inside it, symlinks followed; else null. */
  containedFile(rel: string): string | null
  /** The image's thumbnail path, made from its file first if it is missing; null if the image or its file is gone. */
  ensureThumb(imageId: string): Promise<string | null>
  close(): void
}

/**
 * The library as its own room's modules see it (query, reader, rebuild, references): with the index's connection.
 * Never handed outside electron/services/library/ — the jobs room sees only `Library`.
 */
export interface LibraryStore extends Library {
  readonly db: Database.Database
}

/** Image ids are lowercase UUIDs. */
export const IMAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A UUID (version 8) from a hash of `name`: the same for the same name, on every machine. */
export function hashedUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex')
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/**
 * The image id of a generation, the same on every save. A save cut off after the file was renamed into images/ but
 * before its row was written is saved again to the same file name, so a restart never leaves a second copy.
 */
export const imageIdFor = (generationId: string): string => hashedUuid(`atelier-image\0${generationId}`)

const UNREADABLE_IMAGE =
  'Oxen sent a file that is not a readable PNG, JPEG or WebP image, so it was not saved. Try generating that image again.'

// ---------- rows (libsql rows carry an extra `_metadata`; map every column explicitly) ----------
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
  rating: number
  pick: number
  trashed_at: number | null
  /** The aspect filter's label (image-labels.ts). */
  aspect: string | null
  /** The seed this image was made with, when its request had one (its job's params hold the rest). */
  seed: number | null
}
/** An image row with the job fields a LibraryImage needs. */
export type ImageWithJobRow = ImageRow & { model_id: string; prompt: string; params: string; refs: string; count: number }
/** Columns of `images i JOIN jobs j` that make an ImageWithJobRow (plus the job's count, for recipes). */
export const IMAGE_WITH_JOB_COLUMNS =
  'i.ord, i.id, i.job_id, i.generation_id, i.idx, i.file, i.thumb, i.format, i.width, i.height, i.bytes, i.created_at, i.cost, ' +
  'i.starred, i.rating, i.pick, i.trashed_at, i.aspect, i.seed, j.model_id, j.prompt, j.params, j.refs, j.count'

/**
 * The recipe part the images of one job share (`jobs` in library.db: the index's, not the job journal's). Written
 * with the job's first saved image, by a save or a rebuild from files; `jobParams` makes its parameters.
 */
export const INSERT_JOB_SQL = `INSERT INTO jobs (id, created_at, model_id, prompt, count, params, refs)
  VALUES (@id, @createdAt, @modelId, @prompt, @count, @params, @refs)
  ON CONFLICT (id) DO NOTHING`

export function jobParams(recipe: ImageRecipe, createdAt: number) {
  return {
    id: recipe.jobId,
    createdAt,
    modelId: recipe.modelId,
    prompt: recipe.prompt,
    count: recipe.count,
    params: JSON.stringify(withoutSeed(recipe.params)),
    refs: JSON.stringify(recipe.references),
  }
}

/** A recipe's params less the seed, which is each image's own (images.seed). */
function withoutSeed(params: Record<string, ParamValue>): Record<string, ParamValue> {
  const { [SEED_PARAM]: _seed, ...rest } = params
  return rest
}

/** The seed column of a new image row. */
export const seedOf = (params: Record<string, ParamValue>): { seed: number | null } => ({
  seed: typeof params[SEED_PARAM] === 'number' ? params[SEED_PARAM] : null,
})

/** The job's params with this image's own seed. */
function imageParams(jobParams: string, seed: number | null): Record<string, ParamValue> {
  const params = JSON.parse(jobParams) as Record<string, ParamValue>
  return seed === null ? params : { ...params, [SEED_PARAM]: seed }
}

/** Inserts an image row (named parameters as below); a second row for the same generation is ignored. */
export const INSERT_IMAGE_SQL = `INSERT INTO images
    (ord, id, job_id, generation_id, idx, file, thumb, format, width, height, bytes, created_at, model_id, size_label, aspect, seed)
  VALUES (${IMAGE_ORD_SQL}, @id, @jobId, @generationId, @index, @file, @thumb, @format, @width, @height, @bytes, @createdAt,
    @modelId, @sizeLabel, @aspect, @seed)
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
    params: imageParams(r.params, r.seed),
    width: r.width,
    height: r.height,
    ...(r.aspect !== null ? { aspect: r.aspect } : {}),
    format: r.format,
    fileName: imageFileName({ id: r.id, prompt: r.prompt, format: r.format }),
    bytes: r.bytes,
    ...(r.cost !== null ? { cost: r.cost } : {}),
    createdAt: r.created_at,
    references: JSON.parse(r.refs) as string[],
    starred: r.starred === 1,
    rating: r.rating,
    pick: r.pick as LibraryImage['pick'],
    ...(r.trashed_at !== null ? { trashedAt: r.trashed_at } : {}),
    url: mediaUrl(r.id, 'full'),
    thumbUrl: mediaUrl(r.id, 'thumb'),
  }
}

/** The recipe a saved file carries (image-metadata.ts), from the job and image fields. */
export function recipeOf(
  job: { count: number; model_id: string; prompt: string; params: string; refs: string },
  image: { id: string; job_id: string; generation_id: string; idx: number; created_at: number; seed: number | null },
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
    params: imageParams(job.params, image.seed),
    references: JSON.parse(job.refs) as string[],
    createdAt: image.created_at,
  }
}

function yearMonth(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, '0')}`
}

function removeQuietly(path: string): void {
  rmSync(path, { force: true })
}

export function openLibrary(opts: LibraryOptions): LibraryStore {
  const dir = resolve(opts.dir)
  const tmpDir = join(dir, '.tmp')
  mkdirSync(tmpDir, { recursive: true })
  const files = folderFiles(dir)

  const db = openDatabase(join(dir, 'library.db'), MIGRATIONS)

  const sql = {
    insertJob: db.prepare(INSERT_JOB_SQL),
    setCost: db.prepare('UPDATE images SET cost = @cost WHERE id = @id'),
    insertImage: db.prepare(INSERT_IMAGE_SQL),
    imageById: db.prepare(`SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.id = @id`),
    imageByGeneration: db.prepare(
      `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.generation_id = @generationId`,
    ),
    imagePaths: db.prepare('SELECT file, thumb FROM images WHERE id = @id'),
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
    const image = describeImage(meta)
    if (!image) throw new Error(`unsupported image: ${meta.format}`)
    await thumbnail(sharp(data), 'image').toFile(thumbPath)
    return { ...image, data }
  }

  const containedFile = (rel: string) => files.find(rel)

  const thumbsInFlight = new Map<string, Promise<string | null>>()
  async function makeMissingThumb(file: string, thumb: string): Promise<string | null> {
    const target = pathInside(dir, thumb)
    if (!target) return null
    const tmp = join(tmpDir, `${randomUUID()}.thumb.webp`)
    try {
      mkdirSync(dirname(target), { recursive: true })
      await thumbnail(sharp(await readFile(file)), 'image').toFile(tmp)
      await rename(tmp, target)
      return containedFile(thumb)
    } catch (error) {
      opts.log?.warn('a missing thumbnail could not be made', { file, error })
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

    async saveImage({ tempPath, recipe, createdAt: madeAt }) {
      const { generationId } = recipe
      const inTmp = relative(tmpDir, resolve(tempPath))
      if (!inTmp || inTmp.startsWith('..') || isAbsolute(inTmp) || inTmp.includes(sep)) {
        throw new Error('saveImage: tempPath must come from tempFilePath()')
      }
      const existing = imageByGeneration(generationId)
      if (existing) {
        removeQuietly(tempPath)
        return existing
      }

      const id = imageIdFor(generationId)
      const thumbTmp = join(tmpDir, `${randomUUID()}.thumb.webp`)
      let info: Awaited<ReturnType<typeof inspect>>
      try {
        info = await inspect(tempPath, thumbTmp)
      } catch (error) {
        removeQuietly(tempPath)
        removeQuietly(thumbTmp)
        throw new AppFailure('oxen-error', UNREADABLE_IMAGE, { cause: error })
      }

      const createdAt = madeAt ?? Date.now()
      const ym = yearMonth(createdAt)
      const file = `images/${ym}/${id}.${IMAGE_FORMATS[info.format].ext}`
      const thumb = `thumbs/${ym}/${id}.webp`
      // The recipe goes into the file before it enters images/, which never changes a file afterwards.
      let bytes = info.data
      try {
        bytes = embedRecipe(info.data, info.format, { version: 1, app: 'Atelier', ...recipe, imageId: id, createdAt })
      } catch (error) {
        // Only a JPEG whose recipe alone exceeds XMP's 64 KB lands here: it is saved without one.
        opts.log?.warn('an image is saved without its recipe', { generationId, error })
      }
      // Files first, row last: a crash in between leaves an unindexed file, never a row without its file.
      try {
        if (bytes !== info.data) await writeFile(tempPath, bytes)
        mkdirSync(join(dir, 'images', ym), { recursive: true })
        mkdirSync(join(dir, 'thumbs', ym), { recursive: true })
        renameSync(tempPath, join(dir, file))
        renameSync(thumbTmp, join(dir, thumb))
        opts.checkpoint?.('image-renamed')
      } catch (error) {
        for (const p of [tempPath, thumbTmp, join(dir, file), join(dir, thumb)]) removeQuietly(p)
        throw new AppFailure('internal', 'Atelier could not move the image into your library folder. Check that the disk is not full and try again.', {
          cause: error,
        })
      }
      const { changes } = db.transaction(() => {
        sql.insertJob.run(jobParams(recipe, createdAt))
        return sql.insertImage.run({
        id,
        jobId: recipe.jobId,
        generationId,
        index: recipe.index,
        file,
        thumb,
        format: info.format,
        width: info.width,
        height: info.height,
        bytes: bytes.length,
        createdAt,
        modelId: recipe.modelId,
        ...imageLabels(info.width, info.height, recipe.params),
        ...seedOf(recipe.params),
        })
      })()
      const saved = imageByGeneration(generationId)
      if (!saved) throw new Error('saveImage: the row vanished after insert')
      if (changes === 0 && (sql.imagePaths.get({ id: saved.id }) as { file: string }).file !== file) {
        // A concurrent save for the same generation, in another month's folder, won the race: drop ours.
        removeQuietly(join(dir, file))
        removeQuietly(join(dir, thumb))
      }
      return saved
    },

    getImage(id) {
      if (!IMAGE_ID_PATTERN.test(id)) return null
      const row = sql.imageById.get({ id }) as ImageWithJobRow | undefined
      return row ? toImage(row, row) : null
    },

    imageForGeneration: imageByGeneration,

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
