// The library over a real SQLite file and real image files in a tmp dir.
import {
  existsSync,
  type Dirent,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import Database from 'libsql'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../../electron/services/errors'
import { folderFiles, pathInside } from '../../electron/services/folder-paths'
import { readRecipe } from '../../electron/services/library/image-metadata'
import { openLibrary, type ImageRecipe, type LibraryStore } from '../../electron/services/library/library'
import { MIGRATIONS } from '../../electron/services/library/schema'
import { migrate, schemaVersion, type Migration } from '../../electron/services/sqlite'
import { makeImage, writeTemp } from '../fixtures/library-images'

let dir: string
let library: LibraryStore
const mediaUrl = (id: string, variant: string) => `atelier://media/${id}/${variant}`
const open = () => (library = openLibrary({ dir, mediaUrl }))

/** Image `index` of job `jobId` (of three), as the jobs room hands it over. */
function recipe(jobId: string, generationId: string, index = 0): ImageRecipe {
  return {
    jobId,
    generationId,
    index,
    count: 3,
    modelId: 'bytedance-seedream-5-lite',
    prompt: `a lighthouse at dusk (${jobId})`,
    params: { size: '2K', output_format: 'png', watermark: false },
    references: [],
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
  it('survives a restart with its images, recipes, files and thumbnails', async () => {
    open()
    const sources = [
      await makeImage('png', 1024, 768),
      await makeImage('jpeg', 300, 200),
      await makeImage('webp', 2000, 500),
    ]
    const exts = ['png', 'jpg', 'webp']
    // Saved out of order, each with its own recipe.
    for (const index of [2, 0, 1]) {
      const saved = await library.saveImage({ recipe: recipe('job-1', `gen-${index}`, index), tempPath: writeTemp(library, sources[index]!, exts[index]) })
      expect(saved.generationId).toBe(`gen-${index}`)
    }
    library.close()

    open()
    const images = [0, 1, 2].map((index) => library.imageForGeneration(`gen-${index}`)!)
    const entry = recipe('job-1', '')
    for (const image of images) {
      expect(image).toMatchObject({ jobId: 'job-1', jobCount: 3, modelId: entry.modelId, prompt: entry.prompt, params: entry.params })
    }
    expect(images.map((i) => [i.generationId, i.index, i.format, i.width, i.height])).toEqual([
      ['gen-0', 0, 'png', 1024, 768],
      ['gen-1', 1, 'jpeg', 300, 200],
      ['gen-2', 2, 'webp', 2000, 500],
    ])
    for (const [index, image] of images.entries()) {
      expect(image.url).toBe(`atelier://media/${image.id}/full`)
      expect(image.thumbUrl).toBe(`atelier://media/${image.id}/thumb`)
      expect(image.prompt).toBe(entry.prompt)
      const full = library.resolveFile(image.id, 'full')!
      expect(full).toMatch(new RegExp(`/images/\\d{4}/\\d{2}/${image.id}\\.${exts[index]}$`))
      // The download plus its embedded recipe: same pixels, and the recipe reads back.
      expect(image.bytes).toBe(readFileSync(full).length)
      expect((await sharp(full).raw().toBuffer()).equals(await sharp(sources[index]!).raw().toBuffer())).toBe(true)
      expect(await readRecipe(full)).toMatchObject({ ...recipe('job-1', image.generationId, index), imageId: image.id, createdAt: image.createdAt })
      const thumb = library.resolveFile(image.id, 'thumb')!
      const meta = await sharp(thumb).metadata()
      expect(meta.format).toBe('webp')
      expect(Math.max(meta.width!, meta.height!)).toBe(Math.min(512, Math.max(image.width, image.height)))
      expect(library.getImage(image.id)).toEqual(image)
    }
    expect(filesUnder('.tmp')).toEqual([])
  })

  it('saves once per generation: a second save returns the same image and deletes its temp file', async () => {
    open()
    const bytes = await makeImage('png', 64, 48)
    const first = await library.saveImage({ recipe: recipe('job-1', 'gen-x'), tempPath: writeTemp(library, bytes) })
    const again = writeTemp(library, bytes)
    const second = await library.saveImage({ recipe: recipe('job-1', 'gen-x'), tempPath: again })
    expect(second).toEqual(first)
    expect(existsSync(again)).toBe(false)
    expect(library.imageForGeneration('gen-x')).toEqual(first)
    expect(library.imageForGeneration('gen-unknown')).toBeNull()
    // Two saves racing for the same generation still end with one image and one file.
    const [r1, r2] = await Promise.all([
      library.saveImage({ recipe: recipe('job-1', 'gen-y', 1), tempPath: writeTemp(library, bytes) }),
      library.saveImage({ recipe: recipe('job-1', 'gen-y', 1), tempPath: writeTemp(library, bytes) }),
    ])
    expect(r1.id).toBe(r2.id)
    expect(filesUnder('images')).toHaveLength(2)
    expect(filesUnder('thumbs')).toHaveLength(2)
    expect(filesUnder('.tmp')).toEqual([])
  })

  it('rejects corrupt and truncated bytes with a plain message and leaves no file behind', async () => {
    open()
    const good = await makeImage('png', 400, 300, true)
    const cases = [
      Buffer.from('this is not an image at all'),
      good.subarray(0, Math.floor(good.length / 2)), // header fine, body cut off
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), // decodable, not allowed
    ]
    for (const [i, bytes] of cases.entries()) {
      const tempPath = writeTemp(library, bytes)
      await expectFailure(
        library.saveImage({ recipe: recipe('job-1', `bad-${i}`, i), tempPath }),
        'oxen-error',
        /not a readable PNG, JPEG or WebP image/,
      )
      expect(existsSync(tempPath)).toBe(false)
    }
    expect(filesUnder('images')).toEqual([])
    expect(filesUnder('thumbs')).toEqual([])
    expect(filesUnder('.tmp')).toEqual([])
    expect(library.imageForGeneration('bad-0')).toBeNull()
  })

  it('reports the size as displayed, honouring EXIF orientation, as its thumbnail and references do', async () => {
    open()
    const rotated = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#345' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    const image = await library.saveImage({ recipe: recipe('job-1', 'g'), tempPath: writeTemp(library, rotated, 'jpg') })
    expect(image).toMatchObject({ format: 'jpeg', width: 100, height: 200, aspect: '1:2' })
    expect(await sharp(library.resolveFile(image.id, 'thumb')!).metadata()).toMatchObject({ format: 'webp', width: 100, height: 200 })
  })

  it('refuses a temp path outside .tmp', async () => {
    open()
    const outside = join(dir, 'elsewhere.png')
    writeFileSync(outside, await makeImage('png', 8, 8))
    await expect(library.saveImage({ recipe: recipe('job-1', 'g'), tempPath: outside })).rejects.toThrow(/tempFilePath/)
    expect(existsSync(outside)).toBe(true)
  })

  it('resolves files only inside the library folder', async () => {
    open()
    const image = await library.saveImage({ recipe: recipe('job-1', 'g'), tempPath: writeTemp(library, await makeImage('png', 8, 8)) })
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

  it('has one containment check: by name first, then by real path, with the same answers blocking or not', async () => {
    expect(pathInside('/lib', 'images/a.png')).toBe('/lib/images/a.png')
    expect(pathInside('/lib', '/lib/images/a.png')).toBe('/lib/images/a.png')
    expect(pathInside('/lib', '..a.png')).toBe('/lib/..a.png') // a name that starts with dots is still inside
    for (const outside of ['', '.', '/lib', '..', '../x', 'images/../../x', '/etc/passwd', '/library/x']) expect(pathInside('/lib', outside)).toBeNull()

    open()
    const outsideFile = join(dir, '..', `outside-${basename(dir)}.png`)
    writeFileSync(outsideFile, 'secret')
    mkdirSync(join(dir, 'images'))
    writeFileSync(join(dir, 'images', 'real.png'), 'x')
    symlinkSync(join(dir, 'images', 'real.png'), join(dir, 'images', 'inner-link.png'))
    symlinkSync(outsideFile, join(dir, 'images', 'outer-link.png'))
    const real = realpathSync(join(dir, 'images', 'real.png'))
    const files = folderFiles(dir)
    try {
      for (const [rel, expected] of [
        ['images/real.png', real],
        ['images/inner-link.png', real], // a link inside is followed
        ['images/outer-link.png', null], // a link out is not
        [`../outside-${basename(dir)}.png`, null],
        ['images', null], // a folder is no file
        ['images/gone.png', null],
      ] as const) {
        expect(files.find(rel), rel).toBe(expected)
        expect(await files.findAsync(rel), rel).toBe(expected)
        expect(library.containedFile(rel), rel).toBe(expected)
      }
    } finally {
      rmSync(outsideFile)
    }
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
        'images',
        'job_references',
        'jobs',
        'reference_images',
        'reference_uploads',
      ])
      expect(migrate(db, MIGRATIONS)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length })
      expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal')
    } finally {
      db.close()
    }
    open() // again at the current version
    expect(library.imageForGeneration('none')).toBeNull()
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
