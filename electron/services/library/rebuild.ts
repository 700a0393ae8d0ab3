// Rebuilds the library index from the files: every image file carries its recipe (image-metadata.ts), so
// deleting library.db* loses nothing but index-only state (stars, ratings and picks, boards, trash, costs, the jobs
// journal lives apart).
//
// It reconciles rather than starts over, so it is also safe on a complete index (stars and boards survive):
//   1. image files under images/ whose id is not indexed are read (recipe, size) and indexed; each row's place
//      in the index (ord) comes from its recipe's created time, so the result is in created-time order;
//   2. rows whose file is gone are dropped;
//   3. reference files under references/ without a row get one, linked to the library image they came from;
//   4. missing thumbnails are made afterwards, in the background (the media handler makes them on demand too).
// Everything is async or in small transactions, so the main process never blocks for long.
import { existsSync, mkdirSync } from 'node:fs'
import { readdir, rename, rm, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import pLimit from 'p-limit'
import sharp from 'sharp'
import { IMAGE_FORMATS, type ImageFormat, type ParamValue } from '../../../shared/domain'
import { AppFailure } from '../errors'
import type { Logger } from '../log'
import { linkReferenceSource } from './edits'
import { describeImage, thumbnail } from './image-files'
import { readImageHead } from './image-head'
import { readRecipe, type Recipe } from './image-metadata'
import { imageLabels, INSERT_IMAGE_SQL, INSERT_JOB_SQL, jobParams, seedOf, type LibraryStore } from './library'
import { INSERT_REFERENCE_SQL, referenceName, referenceThumbRel } from './references'

export interface RebuildOptions {
  signal?: AbortSignal
  /** Called after each batch of images enters the index. */
  onIndexed?: (imageIds: string[]) => void
  /** Gets each file left out (or left without a thumbnail or link) and why. */
  log?: Logger
}

export interface RebuildResult {
  /** Images in the index with their files, after the rebuild. */
  count: number
  added: number
  removed: number
  /** Image files that could not be indexed (no recipe, unreadable). */
  skipped: number
  /** Settles when every missing thumbnail has been made; resolves to how many were. */
  thumbnails: Promise<number>
}

const EXTENSIONS = Object.values(IMAGE_FORMATS)
  .map((f) => f.ext)
  .join('|')
const IMAGE_FILE = new RegExp(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.(${EXTENSIONS})$`)
const REFERENCE_FILE = new RegExp(`^([0-9a-f]{64})\\.(${EXTENSIONS})$`)
/** Rows per transaction while indexing: a few milliseconds each, FTS included. */
const BATCH = 50
const READ_CONCURRENCY = 8
const THUMB_CONCURRENCY = 2
/** Files read, then indexed, per round: bounds memory (recipes hold whole prompts) and each sort. */
const ROUND = 400
/** Loops over 100k items turn the event loop this often. */
const YIELD_EVERY = 2000

interface FoundImage {
  id: string
  rel: string
  recipe: Recipe
  format: ImageFormat
  width: number
  height: number
  bytes: number
}

/** Files directly or deeply under `root` whose names match, as paths relative to `base` with '/' separators. */
async function filesUnder(root: string, base: string, name: RegExp): Promise<{ rel: string; match: RegExpExecArray }[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const out: { rel: string; match: RegExpExecArray }[] = []
  for (let i = 0; i < entries.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn()
    const e = entries[i]!
    const match = e.isFile() ? name.exec(e.name) : null
    if (match) out.push({ rel: relative(base, join(e.parentPath, e.name)).split(sep).join('/'), match })
  }
  return out
}

/** Null for a file that is not a PNG, JPEG or WebP image; throws when it cannot be read or decoded. */
async function describe(path: string): Promise<{ format: ImageFormat; width: number; height: number; bytes: number } | null> {
  const [meta, info] = await Promise.all([sharp(path).metadata(), stat(path)])
  const image = describeImage(meta)
  return image && { ...image, bytes: info.size }
}

/** For `.catch`: a file that cannot be read is left out, and the log says which and why. */
const unreadable = (log: Logger | undefined, file: string) => (error: unknown) => {
  log?.warn('could not read a library file; rebuilding without it', { file, error })
  return null
}

/** Every indexed image as (ord, id, file, thumb), read a page at a time so no single query is long. */
async function indexedImages(library: LibraryStore): Promise<{ ord: number; id: string; file: string; thumb: string }[]> {
  const page = library.db.prepare('SELECT ord, id, file, thumb FROM images WHERE ord > @after ORDER BY ord LIMIT 2000')
  const out: { ord: number; id: string; file: string; thumb: string }[] = []
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = page.all({ after }) as { ord: number; id: string; file: string; thumb: string }[]
    if (rows.length === 0) return out
    for (const r of rows) out.push({ ord: r.ord, id: r.id, file: r.file, thumb: r.thumb })
    after = rows.at(-1)!.ord
    await nextTurn()
  }
}

export async function rebuildLibrary(library: LibraryStore, opts: RebuildOptions = {}): Promise<RebuildResult> {
  const { db, dir } = library
  const checkAborted = () => {
    if (opts.signal?.aborted) throw new AppFailure('internal', 'Rebuilding the library index was stopped because Atelier is closing.')
  }
  const indexed = await indexedImages(library)
  if (!existsSync(join(dir, 'images')) && indexed.length > 0) {
    throw new AppFailure(
      'not-found',
      `The library’s images folder is missing (${join(dir, 'images')}), so the index was left as it is. ` +
        'If the library is on a disk that is not connected, connect it and try again.',
    )
  }

  // 1. Files the index lacks. A row's place (ord) comes from its created time, so the order they are read in
  //    does not matter; each round is still inserted oldest first.
  const files = await filesUnder(join(dir, 'images'), dir, IMAGE_FILE)
  const known = new Set<string>()
  for (let i = 0; i < indexed.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn()
    known.add(indexed[i]!.id)
  }
  const unindexed: typeof files = []
  for (let i = 0; i < files.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn()
    if (!known.has(files[i]!.match[1]!)) unindexed.push(files[i]!)
  }
  let skipped = 0
  const read = async ({ rel, match }: (typeof files)[number]): Promise<FoundImage | null> => {
    checkAborted()
    const path = library.containedFile(rel)
    // The recipe and the size from the file's head (no pixels, no libvips); sharp only when the head cannot tell.
    const head = path ? await readImageHead(path).catch(unreadable(opts.log, rel)) : null
    const recipe = head?.recipe ?? null
    const info = path && head && recipe ? (head.size ? { ...head.size, bytes: head.bytes } : await describe(path).catch(unreadable(opts.log, rel))) : null
    if (!recipe || !info) {
      skipped++
      return null
    }
    return { id: match[1]!, rel, recipe, ...info }
  }

  const insertJob = db.prepare(INSERT_JOB_SQL)
  const insertImage = db.prepare(INSERT_IMAGE_SQL)
  const idTaken = db.prepare('SELECT 1 AS found FROM images WHERE id = @id')
  const setCost = db.prepare('UPDATE images SET cost = @cost WHERE id = @id')
  const indexBatch = db.transaction((batch: FoundImage[]) => {
    const ids: string[] = []
    for (const f of batch) {
      if (idTaken.get({ id: f.id })) continue // saved meanwhile
      const r = f.recipe
      insertJob.run(jobParams(r, r.createdAt))
      const { changes } = insertImage.run({
        id: f.id,
        jobId: r.jobId,
        generationId: r.generationId,
        index: r.index,
        file: f.rel,
        thumb: `thumbs/${f.rel.slice('images/'.length).replace(/\.[a-z]+$/, '')}.webp`,
        format: f.format,
        width: f.width,
        height: f.height,
        bytes: f.bytes,
        createdAt: r.createdAt,
        modelId: r.modelId,
        ...imageLabels(f.width, f.height, r.params as Record<string, ParamValue>),
        ...seedOf(r.params as Record<string, ParamValue>),
      })
      if (changes > 0) ids.push(f.id)
      if (changes > 0 && r.cost !== undefined) setCost.run({ id: f.id, cost: r.cost })
    }
    return ids
  })
  let added = 0
  const readRound = (round: number) => {
    const reading = pLimit(READ_CONCURRENCY).map(unindexed.slice(round, round + ROUND), read)
    reading.catch(() => undefined) // awaited below; a failure (a stop) is not unhandled while the round before is indexed
    return reading
  }
  let reading = unindexed.length > 0 ? readRound(0) : null
  for (let round = 0; round < unindexed.length; round += ROUND) {
    const found = (await reading!).filter((f): f is FoundImage => f !== null)
    // The next round's files are read (on the thread pool) while this one is indexed (on this thread).
    reading = round + ROUND < unindexed.length ? readRound(round + ROUND) : null
    found.sort((a, b) => a.recipe.createdAt - b.recipe.createdAt || a.id.localeCompare(b.id))
    for (let at = 0; at < found.length; at += BATCH) {
      checkAborted()
      const ids = indexBatch(found.slice(at, at + BATCH))
      added += ids.length
      if (ids.length > 0) opts.onIndexed?.(ids)
      await nextTurn()
    }
  }

  // 2. Rows whose file is gone. Checked file by file now, not against the listing: a save may have landed since.
  const onDisk = new Set<string>()
  for (let i = 0; i < files.length; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn()
    onDisk.add(files[i]!.match[1]!)
  }
  const missing = (
    await pLimit(READ_CONCURRENCY).map(
      indexed.filter((r) => !onDisk.has(r.id)),
      async (r) => ((await stat(join(dir, r.file)).then(() => true, () => false)) ? null : r.ord),
    )
  ).filter((o): o is number => o !== null)
  const dropRows = db.prepare('DELETE FROM images WHERE ord IN (SELECT value FROM json_each(@ords))')
  let removed = 0
  for (let at = 0; at < missing.length; at += BATCH) {
    removed += dropRows.run({ ords: JSON.stringify(missing.slice(at, at + BATCH)) }).changes
    await nextTurn()
  }

  // 3. Reference images without a row (their table went with the index).
  await rebuildReferences(library, checkAborted, opts.log)

  const count = (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n
  return { count, added, removed, skipped, thumbnails: remakeThumbnails(library, opts.signal) }
}

async function rebuildReferences(library: LibraryStore, checkAborted: () => void, log?: Logger): Promise<void> {
  const { db, dir } = library
  const refsDir = join(dir, 'references')
  const files = await filesUnder(refsDir, dir, REFERENCE_FILE)
  const has = db.prepare('SELECT 1 AS found FROM reference_images WHERE hash = @hash')
  const insert = db.prepare(INSERT_REFERENCE_SQL)
  for (const { rel, match } of files) {
    checkAborted()
    const hash = match[1]!
    if (rel.includes('/thumbs/') || has.get({ hash })) continue
    const path = library.containedFile(rel)
    const info = path ? await describe(path).catch(unreadable(log, rel)) : null
    if (!path || !info) continue
    const recipe = await readRecipe(path).catch((error: unknown) => {
      log?.warn('could not read a reference file’s recipe; naming it "reference image"', { file: rel, error })
      return null
    })
    const name = recipe ? referenceName(recipe.prompt) : 'reference image'
    const thumb = join(dir, referenceThumbRel(hash))
    if (!existsSync(thumb)) {
      mkdirSync(join(refsDir, 'thumbs'), { recursive: true })
      const tmp = library.tempFilePath('webp')
      try {
        await thumbnail(sharp(path), 'reference').toFile(tmp)
        await rename(tmp, thumb)
      } catch (error) {
        log?.warn('could not make a reference thumbnail; rebuilding without that reference', { file: rel, error })
        await rm(tmp, { force: true })
        continue
      }
    }
    insert.run({ hash, name, format: info.format, width: info.width, height: info.height, bytes: info.bytes, createdAt: Math.trunc((await stat(path)).mtimeMs) })
    await linkReferenceSource(library, hash).catch((error: unknown) => log?.warn('could not link a reference to its library image', { file: rel, error }))
  }
}

/** Makes every missing image thumbnail, a couple at a time; resolves to how many it made. */
async function remakeThumbnails(library: LibraryStore, signal?: AbortSignal): Promise<number> {
  const rows = await indexedImages(library)
  const lacking = (
    await pLimit(READ_CONCURRENCY * 2).map(rows, async (r) => ((await stat(join(library.dir, r.thumb)).then(() => true, () => false)) ? null : r.id))
  ).filter((id): id is string => id !== null)
  let made = 0
  await pLimit(THUMB_CONCURRENCY).map(lacking, async (id) => {
    if (signal?.aborted || !library.db.open) return
    if (await library.ensureThumb(id)) made++
  })
  return made
}

/** True when the index has no images but the folder has image files: the index was deleted or lost. */
export async function indexLooksLost(library: LibraryStore): Promise<boolean> {
  if (library.db.prepare('SELECT 1 AS found FROM images LIMIT 1').get()) return false
  const imagesDir = join(library.dir, 'images')
  if (!existsSync(imagesDir)) return false
  const entries = await readdir(imagesDir, { recursive: true })
  return entries.some((name) => IMAGE_FILE.test(String(name).split(/[\\/]/).at(-1)!))
}
