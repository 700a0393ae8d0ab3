// The library over a real SQLite file and real image files in a tmp dir.
import { existsSync, type Dirent, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'libsql'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../../electron/services/errors'
import { readRecipe } from '../../electron/services/library/image-metadata'
import { openLibrary, type Library, type NewJobRecord } from '../../electron/services/library/library'
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../electron/services/library/schema'
import { makeImage, writeTemp } from '../fixtures/library-images'

let dir: string
let library: Library
const mediaUrl = (id: string, variant: string) => `atelier://media/${id}/${variant}`
const open = () => (library = openLibrary({ dir, mediaUrl }))

function job(id: string, createdAt: number, extra: Partial<NewJobRecord> = {}): NewJobRecord {
  return {
    id,
    createdAt,
    modelId: 'bytedance-seedream-5-lite',
    prompt: `a lighthouse at dusk (${id})`,
    count: 3,
    params: { size: '2K', output_format: 'png', watermark: false },
    request: { model: 'bytedance-seedream-5-lite', size: '2K', num_generations: 3 },
    references: [],
    referenceSupply: null,
    ...extra,
  }
}

/** Every file under `sub`, recursively, relative to the library dir. */
function filesUnder(sub: string): string[] {
  const root = join(dir, sub)
  if (!existsSync(root)) return []
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

async function expectFailure(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppFailure)
  expect((error as AppFailure).code).toBe(code)
  expect((error as AppFailure).message).toMatch(message)
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-library-'))
})
afterEach(() => {
  library?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('library', () => {
  it('survives a restart with its job, images, files and thumbnails', async () => {
    open()
    library.recordJob(job('job-1', 1_700_000_000_000))
    const sources = [
      await makeImage('png', 1024, 768),
      await makeImage('jpeg', 300, 200),
      await makeImage('webp', 2000, 500),
    ]
    const exts = ['png', 'jpg', 'webp']
    // Saved out of order: history still lists them by index.
    for (const index of [2, 0, 1]) {
      const saved = await library.saveImage({
        jobId: 'job-1',
        generationId: `gen-${index}`,
        index,
        tempPath: writeTemp(library, sources[index]!, exts[index]),
      })
      expect(saved.generationId).toBe(`gen-${index}`)
    }
    library.close()

    open()
    const page = library.listHistory({ limit: 10 })
    expect(page.nextCursor).toBeNull()
    expect(page.entries).toHaveLength(1)
    const entry = page.entries[0]!
    expect(entry).toMatchObject({ jobId: 'job-1', modelId: 'bytedance-seedream-5-lite', createdAt: 1_700_000_000_000 })
    expect(entry.params).toEqual({ size: '2K', output_format: 'png', watermark: false })
    expect(entry.images.map((i) => [i.generationId, i.format, i.width, i.height])).toEqual([
      ['gen-0', 'png', 1024, 768],
      ['gen-1', 'jpeg', 300, 200],
      ['gen-2', 'webp', 2000, 500],
    ])
    for (const [index, image] of entry.images.entries()) {
      expect(image.url).toBe(`atelier://media/${image.id}/full`)
      expect(image.thumbUrl).toBe(`atelier://media/${image.id}/thumb`)
      expect(image.prompt).toBe(entry.prompt)
      const full = library.resolveFile(image.id, 'full')!
      expect(full).toMatch(new RegExp(`/images/\\d{4}/\\d{2}/${image.id}\\.${exts[index]}$`))
      // The download plus its embedded recipe: same pixels, and the recipe reads back.
      expect(image.bytes).toBe(readFileSync(full).length)
      expect((await sharp(full).raw().toBuffer()).equals(await sharp(sources[index]!).raw().toBuffer())).toBe(true)
      expect(await readRecipe(full)).toMatchObject({ imageId: image.id, generationId: image.generationId, prompt: entry.prompt })
      const thumb = library.resolveFile(image.id, 'thumb')!
      const meta = await sharp(thumb).metadata()
      expect(meta.format).toBe('webp')
      expect(Math.max(meta.width!, meta.height!)).toBe(Math.min(512, Math.max(image.width, image.height)))
      expect(library.getImage(image.id)).toEqual(image)
    }
    expect(filesUnder('.tmp')).toEqual([])
  })

  it('pages newest first by cursor, stable when new jobs arrive between pages', async () => {
    open()
    const png = await makeImage('png', 16, 16)
    // Two jobs share a timestamp: the id breaks the tie.
    const times: [string, number][] = [
      ['a', 1000],
      ['b', 2000],
      ['c', 2000],
      ['d', 3000],
      ['e', 4000],
    ]
    for (const [id, at] of times) {
      library.recordJob(job(id, at))
      await library.saveImage({ jobId: id, generationId: `g-${id}`, index: 0, tempPath: writeTemp(library, png) })
    }
    library.recordJob(job('no-images', 5000)) // nothing saved yet: not in history

    const first = library.listHistory({ limit: 2 })
    expect(first.entries.map((e) => e.jobId)).toEqual(['e', 'd'])
    expect(first.nextCursor).toEqual(expect.any(String))

    // A new job lands before the next page is fetched: keyset pages do not shift.
    library.recordJob(job('f', 6000))
    await library.saveImage({ jobId: 'f', generationId: 'g-f', index: 0, tempPath: writeTemp(library, png) })

    const second = library.listHistory({ cursor: first.nextCursor!, limit: 2 })
    expect(second.entries.map((e) => e.jobId)).toEqual(['c', 'b'])
    const third = library.listHistory({ cursor: second.nextCursor!, limit: 2 })
    expect(third.entries.map((e) => e.jobId)).toEqual(['a'])
    expect(third.nextCursor).toBeNull()
    expect(library.listHistory({ limit: 200 }).entries.map((e) => e.jobId)).toEqual(['f', 'e', 'd', 'c', 'b', 'a'])

    expect(() => library.listHistory({ cursor: 'not-a-cursor', limit: 2 })).toThrow(AppFailure)
    expect(() => library.listHistory({ cursor: Buffer.from('{"x":1}').toString('base64url'), limit: 2 })).toThrow(
      /no longer valid/,
    )
  })

  it('saves once per generation: a second save returns the same image and deletes its temp file', async () => {
    open()
    library.recordJob(job('job-1', 1))
    const bytes = await makeImage('png', 64, 48)
    const first = await library.saveImage({ jobId: 'job-1', generationId: 'gen-x', index: 0, tempPath: writeTemp(library, bytes) })
    const again = writeTemp(library, bytes)
    const second = await library.saveImage({ jobId: 'job-1', generationId: 'gen-x', index: 0, tempPath: again })
    expect(second).toEqual(first)
    expect(existsSync(again)).toBe(false)
    expect(library.imageForGeneration('gen-x')).toEqual(first)
    expect(library.imageForGeneration('gen-unknown')).toBeNull()
    // Two saves racing for the same generation still end with one image and one file.
    const [r1, r2] = await Promise.all([
      library.saveImage({ jobId: 'job-1', generationId: 'gen-y', index: 1, tempPath: writeTemp(library, bytes) }),
      library.saveImage({ jobId: 'job-1', generationId: 'gen-y', index: 1, tempPath: writeTemp(library, bytes) }),
    ])
    expect(r1.id).toBe(r2.id)
    expect(filesUnder('images')).toHaveLength(2)
    expect(filesUnder('thumbs')).toHaveLength(2)
    expect(filesUnder('.tmp')).toEqual([])
  })

  it('rejects corrupt and truncated bytes with a plain message and leaves no file behind', async () => {
    open()
    library.recordJob(job('job-1', 1))
    const good = await makeImage('png', 400, 300, true)
    const cases = [
      Buffer.from('this is not an image at all'),
      good.subarray(0, Math.floor(good.length / 2)), // header fine, body cut off
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), // decodable, not allowed
    ]
    for (const [i, bytes] of cases.entries()) {
      const tempPath = writeTemp(library, bytes)
      await expectFailure(
        library.saveImage({ jobId: 'job-1', generationId: `bad-${i}`, index: i, tempPath }),
        'oxen-error',
        /not a readable PNG, JPEG or WebP image/,
      )
      expect(existsSync(tempPath)).toBe(false)
    }
    expect(filesUnder('images')).toEqual([])
    expect(filesUnder('thumbs')).toEqual([])
    expect(filesUnder('.tmp')).toEqual([])
    expect(library.listHistory({ limit: 10 }).entries).toEqual([])
  })

  it('refuses an image for an unknown job and a temp path outside .tmp', async () => {
    open()
    const bytes = await makeImage('png', 8, 8)
    const tempPath = writeTemp(library, bytes)
    await expectFailure(library.saveImage({ jobId: 'nope', generationId: 'g', index: 0, tempPath }), 'not-found', /job/)
    expect(existsSync(tempPath)).toBe(false)
    const outside = join(dir, 'elsewhere.png')
    writeFileSync(outside, bytes)
    library.recordJob(job('job-1', 1))
    await expect(library.saveImage({ jobId: 'job-1', generationId: 'g', index: 0, tempPath: outside })).rejects.toThrow(/tempFilePath/)
    expect(existsSync(outside)).toBe(true)
  })

  it('keeps a crash-safe journal of jobs and generations across a restart', () => {
    open()
    library.recordJob(job('running', 10))
    library.recordJob(job('done', 20))
    library.recordGeneration({ id: 'g2', jobId: 'running', index: 1, status: 'queued', updatedAt: 11 })
    library.recordGeneration({ id: 'g1', jobId: 'running', index: 0, status: 'queued', updatedAt: 11 })
    library.recordGeneration({ id: 'g1', jobId: 'running', index: 0, status: 'succeeded', resultUrl: 'https://example.test/r1', updatedAt: 12 })
    // A later update without resultUrl keeps it; null clears the error explicitly.
    library.recordGeneration({ id: 'g1', jobId: 'running', index: 0, status: 'downloading', error: null, updatedAt: 13 })
    library.recordGeneration({ id: 'g2', jobId: 'running', index: 1, status: 'failed', error: 'Insufficient credits', updatedAt: 14 })
    library.updateJobStatus('done', 'completed')
    expect(() => library.updateJobStatus('missing', 'failed')).toThrow(AppFailure)
    library.close()

    open()
    const unfinished = library.unfinishedJobs()
    expect(unfinished).toHaveLength(1)
    expect(unfinished[0]!.job).toEqual({ ...job('running', 10), status: 'running' })
    expect(unfinished[0]!.generations).toEqual([
      { id: 'g1', jobId: 'running', index: 0, status: 'downloading', resultUrl: 'https://example.test/r1', error: null, updatedAt: 13 },
      { id: 'g2', jobId: 'running', index: 1, status: 'failed', resultUrl: null, error: 'Insufficient credits', updatedAt: 14 },
    ])
    library.updateJobStatus('running', 'partial', 'One image could not be made: Insufficient credits.')
    expect(library.unfinishedJobs()).toEqual([])
  })

  it('resolves files only inside the library folder', async () => {
    open()
    library.recordJob(job('job-1', 1))
    const image = await library.saveImage({
      jobId: 'job-1',
      generationId: 'g',
      index: 0,
      tempPath: writeTemp(library, await makeImage('png', 8, 8)),
    })
    expect(library.resolveFile(image.id, 'full')).toMatch(/\.png$/)
    expect(library.resolveFile('00000000-0000-4000-8000-000000000000', 'full')).toBeNull()
    expect(library.resolveFile('../library.db', 'full')).toBeNull()
    expect(library.getImage('../library.db')).toBeNull()

    // A tampered row pointing outside the folder is refused.
    const outside = join(dir, '..', `outside-${image.id}.png`)
    writeFileSync(outside, 'secret')
    const raw = new Database(join(dir, 'library.db'))
    raw.prepare('UPDATE images SET file = @file WHERE id = @id').run({ file: `../outside-${image.id}.png`, id: image.id })
    raw.close()
    try {
      expect(library.resolveFile(image.id, 'full')).toBeNull()
    } finally {
      rmSync(outside)
    }
    // A missing file resolves to null.
    rmSync(library.resolveFile(image.id, 'thumb')!)
    expect(library.resolveFile(image.id, 'thumb')).toBeNull()
  })

  it('leaves .tmp alone on open and sweeps only old files when asked', () => {
    open()
    const old = library.tempFilePath('png')
    const fresh = library.tempFilePath('.part')
    writeFileSync(old, 'x')
    writeFileSync(fresh, 'y')
    const hourAgo = new Date(Date.now() - 3600_000)
    utimesSync(old, hourAgo, hourAgo)
    library.close()
    open()
    expect(existsSync(old)).toBe(true)
    expect(library.sweepTemp(60_000)).toBe(1)
    expect(existsSync(old)).toBe(false)
    expect(existsSync(fresh)).toBe(true)
    expect(fresh.startsWith(join(dir, '.tmp') + '/')).toBe(true)
    expect(() => library.tempFilePath('../x')).toThrow()
  })
})

describe('library schema migrations', () => {
  const tables = (db: Database.Database) =>
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name)

  it('builds the current schema from an empty database and re-opening is a no-op', () => {
    open()
    library.close()
    const db = new Database(join(dir, 'library.db'))
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length)
      expect(tables(db).filter((t) => !t.startsWith('images_fts'))).toEqual([
        'board_images',
        'boards',
        'enqueues',
        'generations',
        'images',
        'job_references',
        'jobs',
        'reference_images',
        'reference_uploads',
      ])
      expect(migrate(db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length })
      expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal')
    } finally {
      db.close()
    }
    open() // again at the current version
    expect(library.listHistory({ limit: 5 }).entries).toEqual([])
  })

  it('runs each later migration once, in order, and rolls back a failing one', () => {
    const db = new Database(':memory:')
    const ran: number[] = []
    const step = (version: number, sql: string): Migration => ({
      version,
      description: `step ${version}`,
      up(d) {
        ran.push(version)
        d.exec(sql)
      },
    })
    const v1 = step(1, 'CREATE TABLE a (x INTEGER)')
    const v2 = step(2, 'CREATE TABLE b (y INTEGER)')
    expect(migrate(db, [v1])).toEqual({ from: 0, to: 1 })
    expect(migrate(db, [v1, v2])).toEqual({ from: 1, to: 2 })
    expect(ran).toEqual([1, 2])
    expect(tables(db)).toEqual(['a', 'b'])

    const broken = step(3, 'CREATE TABLE c (z INTEGER); CREATE TABLE a (x INTEGER)')
    expect(() => migrate(db, [v1, v2, broken])).toThrow(/already exists/)
    expect(schemaVersion(db)).toBe(2)
    expect(tables(db)).toEqual(['a', 'b'])

    expect(() => migrate(db, [v1])).toThrow(/newer version of Atelier/)
    expect(() => migrate(db, [v2])).toThrow(/numbered/)
    db.close()
  })
})
