// Browsing and organising over a real index (real SQLite, real image files, queries on the real worker thread).
import { existsSync, rmSync } from 'node:fs'
import Database from 'libsql'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LibraryQuerySchema, type LibraryImage, type LibraryQuery } from '../../shared/domain'
import { AppFailure } from '../../electron/services/errors'
import { MIGRATIONS } from '../../electron/services/library/schema'
import { migrate } from '../../electron/services/sqlite'
import { linkReferenceSource } from '../../electron/services/library/edits'
import { possibleDrivers, searchStatement } from '../../electron/services/library/query'
import { createReferenceStore } from '../../electron/services/library/references'
import { openTestLibrary, mediaUrl, referenceMediaUrl, type TestLibrary } from '../fixtures/library-fixture'
import { seedLibrary } from '../fixtures/library-seed'

let t: TestLibrary
beforeEach(() => {
  t = openTestLibrary()
})
afterEach(async () => {
  await t.close()
})

const ids = (items: LibraryImage[]) => items.map((i) => i.id)

async function expectFailure(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppFailure)
  expect((error as AppFailure).code).toBe(code)
  expect((error as AppFailure).message).toMatch(message)
}

/** Every page of a query, following cursors; `between` runs after each page (e.g. to add images meanwhile). */
async function allPages(query: LibraryQuery, between?: (page: number) => Promise<void>): Promise<LibraryImage[]> {
  const out: LibraryImage[] = []
  let cursor: string | undefined
  for (let page = 0; ; page++) {
    const result = await t.search({ ...query, ...(cursor ? { cursor } : {}) })
    out.push(...result.items)
    if (!result.nextCursor) return out
    cursor = result.nextCursor
    await between?.(page)
  }
}

describe('search', () => {
  it('matches every word as a prefix, all words required, diacritics folded', async () => {
    const teal = await t.save({ prompt: 'A teal teapot on a windowsill' })
    const ceremony = await t.save({ prompt: 'Tea ceremony at dawn' })
    const cafe = await t.save({ prompt: 'Café crème, morning light' })
    const coffee = await t.save({ prompt: 'coffee beans in a burlap sack' })

    expect(ids((await t.search({ text: 'tea' })).items).sort()).toEqual([teal.id, ceremony.id].sort())
    expect(ids((await t.search({ text: 'TEA daw' })).items)).toEqual([ceremony.id])
    expect(ids((await t.search({ text: 'tea coffee' })).items)).toEqual([])
    expect(ids((await t.search({ text: 'cafe' })).items)).toEqual([cafe.id])
    expect(ids((await t.search({ text: 'crème' })).items)).toEqual([cafe.id])
    expect(ids((await t.search({ text: 'c' })).items).sort()).toEqual([ceremony.id, cafe.id, coffee.id].sort())
    // Quotes, stars and FTS syntax are just separators, never query syntax.
    expect(ids((await t.search({ text: '"tea" OR* NEAR(' })).items)).toEqual([])
    expect(ids((await t.search({ text: '  "teal"*  ' })).items)).toEqual([teal.id])
    // Nothing to search for: everything, newest first.
    expect(ids((await t.search({ text: ' -- ' })).items)).toEqual([coffee.id, cafe.id, ceremony.id, teal.id])
  })

  it('filters by model, size, aspect, format, starred, board and trash, alone and together', async () => {
    const a = await t.save({ prompt: 'one', modelId: 'model-a', params: { size: '2K' }, width: 64, height: 36, format: 'png' })
    const b = await t.save({ prompt: 'two', modelId: 'model-b', params: { size: '3K' }, width: 48, height: 48, format: 'jpeg' })
    const c = await t.save({ prompt: 'three', modelId: 'model-a', params: { size: '4K' }, width: 84, height: 36, format: 'webp' })
    const d = await t.save({ prompt: 'four', modelId: 'model-c', params: { size: '2K' }, width: 36, height: 64, format: 'png' })
    const found = async (filters: NonNullable<LibraryQuery['filters']>) => ids((await t.search({ filters })).items).sort()
    const sorted = (...images: LibraryImage[]) => ids(images).sort()

    expect(await found({ modelIds: ['model-a'] })).toEqual(sorted(a, c))
    expect(await found({ modelIds: ['model-b', 'model-c'] })).toEqual(sorted(b, d))
    expect(await found({ sizes: ['2K'] })).toEqual(sorted(a, d))
    expect(await found({ sizes: ['3K', '4K'] })).toEqual(sorted(b, c))
    expect(await found({ aspects: ['16:9'] })).toEqual(sorted(a))
    expect(await found({ aspects: ['32:18'] })).toEqual(sorted(a)) // the same ratio, unreduced
    expect(await found({ aspects: ['21:9', '1:1'] })).toEqual(sorted(b, c))
    expect(await found({ aspects: ['7:3'] })).toEqual(sorted(c))
    expect(await found({ aspects: ['9:16'] })).toEqual(sorted(d))
    expect(await found({ aspects: ['0:5'] })).toEqual([])
    expect(await found({ formats: ['jpeg', 'webp'] })).toEqual(sorted(b, c))
    expect(await found({ modelIds: ['model-a'], formats: ['png'], sizes: ['2K'], aspects: ['16:9'] })).toEqual(sorted(a))
    expect(await found({ modelIds: [], formats: [] })).toEqual(sorted(a, b, c, d)) // empty lists do not filter

    expect(await t.queries.setStarred([a.id, d.id], true)).toBe(2)
    expect(await found({ starred: true })).toEqual(sorted(a, d))
    expect(await found({ starred: false })).toEqual(sorted(b, c))
    expect(await found({ starred: true, modelIds: ['model-c'] })).toEqual(sorted(d))

    const board = await t.queries.createBoard('Moodboard')
    expect(await t.queries.addToBoard(board.id, [b.id, c.id])).toBe(2)
    expect(await found({ boardId: board.id })).toEqual(sorted(b, c))
    expect(await found({ boardId: board.id, formats: ['jpeg'] })).toEqual(sorted(b))
    expect(ids((await t.search({ text: 'thr', filters: { boardId: board.id } })).items)).toEqual([c.id])

    expect(await t.queries.trash([c.id])).toBe(1)
    expect(await found({})).toEqual(sorted(a, b, d))
    expect(await found({ trash: true })).toEqual(sorted(c))
    expect(await found({ trash: true, boardId: board.id })).toEqual(sorted(c))
    expect(await found({ boardId: board.id })).toEqual(sorted(b))

    const facets = await t.queries.facets()
    expect(facets.modelIds).toEqual(['model-a', 'model-b', 'model-c'])
    expect(facets.sizes).toEqual(['2K', '3K', '4K'])
    expect(facets.aspects).toEqual(['1:1', '16:9', '21:9', '9:16'].sort())
    expect(facets.formats).toEqual(['jpeg', 'png', 'webp'])
    expect(facets.counts).toEqual({ all: 3, starred: 2, trash: 1 })
    expect(facets.boards).toEqual([{ id: board.id, name: 'Moodboard', count: 1, createdAt: board.createdAt }])
  })

  it('labels each image with the aspect its filter files it under: in the facets, the list and the detail alike', async () => {
    const wide = await t.save({ prompt: 'wide', width: 2730, height: 1536 }) // 455:256, near enough 16:9
    const strip = await t.save({ prompt: 'strip', width: 6400, height: 64 }) // 100:1: no W:H under 100 fits
    expect(wide.aspect).toBe('16:9')
    expect(strip).not.toHaveProperty('aspect')
    expect((await t.queries.facets()).aspects).toEqual(['16:9'])
    expect(ids((await t.search({ filters: { aspects: ['16:9'] } })).items)).toEqual([wide.id])
    expect((await t.search()).items.map((i) => i.aspect)).toEqual([undefined, '16:9'])
    expect((await t.queries.detail(wide.id)).image.aspect).toBe('16:9')
  })

  it('filters by date range, inclusive at both ends', async () => {
    const { ids: seeded, createdAt } = await seedLibrary(t.library, 200, { stepMs: 1000, starred: 0, trashed: 0 })
    const at = (i: number) => createdAt.oldest + i * 1000
    const result = await allPages({ filters: { from: at(10), to: at(19) }, limit: 3 })
    expect(ids(result)).toEqual(seeded.slice(10, 20).reverse())
    expect(ids(await allPages({ filters: { from: at(195) }, sort: 'oldest' }))).toEqual(seeded.slice(195))
    expect(ids(await allPages({ filters: { to: at(2) } }))).toEqual(seeded.slice(0, 3).reverse())
  })

  it('pages by cursor in both sorts without duplicates or gaps while new images arrive', async () => {
    const first = await seedLibrary(t.library, 1000, { trashed: 0, newest: Date.UTC(2026, 0, 1) })
    const later: string[] = []
    const arrive = async () => {
      const more = await seedLibrary(t.library, 7, { seed: later.length + 2, trashed: 0, newest: Date.UTC(2026, 0, 2) + later.length * 60_000 })
      later.push(...more.ids)
    }
    const newest = await allPages({ limit: 64 }, arrive)
    expect(ids(newest)).toEqual([...first.ids].reverse()) // arrivals are newer than the cursor: not in this walk
    expect(new Set(ids(newest)).size).toBe(1000)

    later.length = 0
    const oldest = await allPages({ sort: 'oldest', limit: 64 }, arrive)
    const all = ids(oldest)
    expect(new Set(all).size).toBe(all.length)
    expect(all.slice(0, 1000)).toEqual(first.ids.slice(0, 1000)) // then everything that arrived, in order
    expect(oldest.map((i) => i.createdAt)).toEqual([...oldest.map((i) => i.createdAt)].sort((x, y) => x - y))

    const text = await allPages({ text: 'light', limit: 50 }, arrive)
    expect(new Set(ids(text)).size).toBe(text.length)
    expect(text.every((i) => /\blight/i.test(i.prompt))).toBe(true)
    expect(text.map((i) => i.createdAt)).toEqual([...text.map((i) => i.createdAt)].sort((x, y) => y - x))
  })

  it('refuses a cursor it did not make, or one from the other sort', async () => {
    await seedLibrary(t.library, 10)
    const page = await t.search({ limit: 3 })
    await expectFailure(t.search({ cursor: 'not-a-cursor' }), 'invalid-input', /no longer valid/)
    await expectFailure(t.search({ cursor: page.nextCursor!, sort: 'oldest' }), 'invalid-input', /no longer valid/)
  })

  it('walks one index in creation order for every filter: never a sort', async () => {
    await seedLibrary(t.library, 500)
    const board = await t.queries.createBoard('b')
    const queries: LibraryQuery[] = [
      {},
      { sort: 'oldest', cursor: undefined },
      { text: 'light city' },
      { text: 'light', filters: { starred: true, modelIds: ['a', 'b'], from: 1, to: 2 } },
      { filters: { boardId: board.id, starred: true } },
      { filters: { starred: true } },
      { filters: { trash: true } },
      { filters: { modelIds: ['bytedance-seedream-4'] } },
      { filters: { aspects: ['21:9'], formats: ['png', 'jpeg'] } },
      { filters: { sizes: ['4K', '3K'], from: 0 } },
    ]
    const db = t.library.db
    for (const query of queries) {
      const q = LibraryQuerySchema.parse(query)
      for (const driver of possibleDrivers(q)) {
        const { sql, params } = searchStatement(q, driver, 123)
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ')
        expect(plan, `${JSON.stringify(query)} via ${JSON.stringify(driver)}`).not.toMatch(/TEMP B-TREE/)
        if (driver.kind === 'index') expect(plan).toContain(driver.index)
      }
    }
  })
})

describe('organising', () => {
  it('stars and unstars, counting the images it found', async () => {
    const a = await t.save({ prompt: 'a' })
    const b = await t.save({ prompt: 'b' })
    expect(await t.queries.setStarred([a.id, b.id, a.id, 'no-such-id'], true)).toBe(2)
    expect((await t.search({ filters: { starred: true } })).items.map((i) => i.starred)).toEqual([true, true])
    expect(await t.queries.setStarred([a.id], false)).toBe(1)
    expect(ids((await t.search({ filters: { starred: true } })).items)).toEqual([b.id])
    expect(t.library.getImage(a.id)!.starred).toBe(false)
    expect(t.library.getImage(b.id)!.starred).toBe(true)
  })

  it('creates, renames and deletes boards; deleting a board keeps its images', async () => {
    const a = await t.save({ prompt: 'a' })
    const b = await t.save({ prompt: 'b' })
    const board = await t.queries.createBoard('Trips')
    expect(board).toMatchObject({ name: 'Trips', count: 0 })
    await expectFailure(t.queries.createBoard('trips'), 'invalid-input', /already a board called “trips”/)
    const other = await t.queries.createBoard('Other')
    await expectFailure(t.queries.renameBoard(other.id, 'TRIPS'), 'invalid-input', /already a board/)
    expect(await t.queries.renameBoard(board.id, 'trips')).toMatchObject({ id: board.id, name: 'trips' }) // its own name, recased

    expect(await t.queries.addToBoard(board.id, [a.id, b.id])).toBe(2)
    expect(await t.queries.addToBoard(board.id, [a.id])).toBe(0) // already there
    expect((await t.queries.renameBoard(board.id, 'Summer trips')).count).toBe(2)
    expect((await t.queries.detail(a.id)).boardIds).toEqual([board.id])
    expect(await t.queries.removeFromBoard(board.id, [a.id])).toBe(1)
    expect(ids((await t.search({ filters: { boardId: board.id } })).items)).toEqual([b.id])

    expect(await t.queries.deleteBoard(board.id)).toBe(1)
    expect((await t.queries.facets()).boards.map((x) => x.name)).toEqual(['Other'])
    expect(ids((await t.search()).items).sort()).toEqual([a.id, b.id].sort())
    expect((await t.queries.detail(b.id)).boardIds).toEqual([])
    await expectFailure(t.queries.addToBoard(board.id, [a.id]), 'not-found', /board no longer exists/)
    await expectFailure(t.queries.renameBoard(board.id, 'x'), 'not-found', /board no longer exists/)
    await expectFailure(t.queries.deleteBoard(board.id), 'not-found', /board no longer exists/)
  })

  it('trashes with undo, restores, and empties the trash: files, thumbnails, rows and search entries gone', async () => {
    const keep = await t.save({ prompt: 'kept lighthouse' })
    const gone = await t.save({ prompt: 'doomed lighthouse', format: 'jpeg' })
    const board = await t.queries.createBoard('B')
    await t.queries.addToBoard(board.id, [gone.id])
    const goneFile = t.library.resolveFile(gone.id, 'full')!
    const goneThumb = t.library.resolveFile(gone.id, 'thumb')!

    expect(await t.queries.trash([keep.id, gone.id])).toBe(2)
    expect(await t.queries.trash([keep.id])).toBe(0) // already in the trash
    expect((await t.search()).items).toEqual([])
    const trashed = (await t.search({ filters: { trash: true } })).items
    expect(trashed.every((i) => typeof i.trashedAt === 'number')).toBe(true)
    expect(await t.queries.restore([keep.id])).toBe(1) // the undo
    expect(ids((await t.search({ text: 'lighthouse' })).items)).toEqual([keep.id])
    expect(t.library.getImage(keep.id)!.trashedAt).toBeUndefined()

    expect(await t.queries.emptyTrash()).toBe(1)
    expect(existsSync(goneFile)).toBe(false)
    expect(existsSync(goneThumb)).toBe(false)
    expect(t.library.getImage(gone.id)).toBeNull()
    expect((await t.queries.facets()).counts).toEqual({ all: 1, starred: 0, trash: 0 })
    expect((await t.queries.facets()).boards[0]!.count).toBe(0)
    const ftsRows = t.library.db.prepare(`SELECT count(*) AS n FROM images_fts WHERE images_fts MATCH '"doomed"'`).get() as { n: number }
    expect(ftsRows.n).toBe(0)
    expect(await t.queries.emptyTrash()).toBe(0)
    expect(t.library.resolveFile(keep.id, 'full')).not.toBeNull()
  })

  it('empties a trash whose files are already gone (an interrupted earlier run)', async () => {
    const image = await t.save({ prompt: 'half deleted' })
    await t.queries.trash([image.id])
    rmSync(t.library.resolveFile(image.id, 'full')!)
    expect(await t.queries.emptyTrash()).toBe(1)
    expect(t.library.getImage(image.id)).toBeNull()
  })
})

describe('detail', () => {
  it('shows the recipe, the references an image used and the images it was used in', async () => {
    const source = await t.save({ prompt: 'the original fox', params: { size: '2K', aspect_ratio: '1:1', watermark: false } })
    const refs = createReferenceStore({ library: t.library, mediaUrl: referenceMediaUrl })
    // "Use as reference": the reference is the library file itself, linked to its image.
    const ref = await refs.add({ kind: 'library', imageId: source.id })
    await linkReferenceSource(t.library, ref.hash, source.id)
    const child = await t.save({ prompt: 'the fox, in winter', references: [ref.hash] })
    const grandchild = await t.save({ prompt: 'the fox, at night', references: [ref.hash] })
    await t.queries.trash([grandchild.id])

    const detail = await t.queries.detail(child.id)
    expect(detail.image).toMatchObject({ id: child.id, prompt: 'the fox, in winter', references: [ref.hash], starred: false })
    // Made from: the reference, and the library image it is (a click away in the detail view).
    expect(detail.references).toEqual([{ ...ref, thumbUrl: referenceMediaUrl(ref.hash, 'thumb'), sourceImageId: source.id }])
    expect(detail.usedIn).toEqual([])

    const sourceDetail = await t.queries.detail(source.id)
    expect(sourceDetail.image.params).toEqual({ size: '2K', aspect_ratio: '1:1', watermark: false })
    expect(sourceDetail.image.url).toBe(mediaUrl(source.id, 'full'))
    expect(sourceDetail.usedIn.map((i) => i.id)).toEqual([child.id]) // the trashed one is not shown
    expect(sourceDetail.references).toEqual([])
    await expectFailure(t.queries.detail('no-such-image'), 'not-found', /no longer in your library/)
  })

  it('links a library file added back as a plain file through the recipe inside it', async () => {
    const source = await t.save({ prompt: 'a heron' })
    const refs = createReferenceStore({ library: t.library, mediaUrl: referenceMediaUrl })
    const ref = await refs.add({ kind: 'file', path: t.library.resolveFile(source.id, 'full')! })
    await linkReferenceSource(t.library, ref.hash)
    const child = await t.save({ prompt: 'two herons', references: [ref.hash] })
    expect((await t.queries.detail(source.id)).usedIn.map((i) => i.id)).toEqual([child.id])
  })
})

describe('migration 4', () => {
  it('carries a version 3 library over: creation-ordered keys, labels, search, job references', () => {
    const db = new Database(':memory:')
    try {
      migrate(db, MIGRATIONS.slice(0, 3))
      const job = db.prepare(
        `INSERT INTO jobs (id, created_at, model_id, prompt, count, params, request, refs)
         VALUES (@id, @at, 'model-x', @prompt, 2, '{"size":"3K"}', '{}', @refs)`,
      )
      const image = db.prepare(
        `INSERT INTO images (id, job_id, generation_id, idx, file, thumb, format, width, height, bytes, created_at)
         VALUES (@id, @job, @id, @idx, 'f', 't', 'png', @w, @h, 1, @at)`,
      )
      job.run({ id: 'j1', at: 5000, prompt: 'Teal harbour at dusk', refs: JSON.stringify(['a'.repeat(64)]) })
      job.run({ id: 'j2', at: 1000, prompt: 'older kettle', refs: '[]' })
      image.run({ id: 'i1', job: 'j1', idx: 0, w: 3072, h: 1728, at: 5000 })
      image.run({ id: 'i2', job: 'j1', idx: 1, w: 3072, h: 3072, at: 5000 }) // same millisecond
      image.run({ id: 'i0', job: 'j2', idx: 0, w: 300, h: 200, at: 1000 })
      expect(migrate(db, MIGRATIONS)).toEqual({ from: 3, to: MIGRATIONS.length })
      const rows = db.prepare('SELECT ord, id, model_id, size_label, aspect, starred, trashed_at FROM images ORDER BY ord').all() as Record<string, unknown>[]
      expect(rows.map(({ _metadata, ...r }) => r)).toEqual([
        { ord: 1_000_000, id: 'i0', model_id: 'model-x', size_label: '3K', aspect: '3:2', starred: 0, trashed_at: null },
        { ord: 5_000_000, id: 'i1', model_id: 'model-x', size_label: '3K', aspect: '16:9', starred: 0, trashed_at: null },
        { ord: 5_000_001, id: 'i2', model_id: 'model-x', size_label: '3K', aspect: '1:1', starred: 0, trashed_at: null },
      ])
      const match = db.prepare(`SELECT rowid FROM images_fts WHERE images_fts MATCH '"harb"*' ORDER BY rowid`).all() as { rowid: number }[]
      expect(match.map((r) => r.rowid)).toEqual([5_000_000, 5_000_001])
      expect(db.prepare('SELECT job_id, position, hash FROM job_references').all().map((r) => (r as { job_id: string }).job_id)).toEqual(['j1'])
    } finally {
      db.close()
    }
  })
})

describe('the reader', () => {
  it('answers from its own connection, sees committed writes, and survives a failing query', async () => {
    const a = await t.save({ prompt: 'visible at once' })
    expect(ids((await t.search({ text: 'visible' })).items)).toEqual([a.id])
    await expect(t.reader.all('SELECT * FROM no_such_table')).rejects.toThrow(/no such table/)
    await expect(t.reader.all('DELETE FROM images')).rejects.toThrow(/readonly|read-only|query_only|attempt to write/i)
    expect(ids((await t.search()).items)).toEqual([a.id])
    expect(existsSync(join(t.dir, 'library.db'))).toBe(true)
  })
})
