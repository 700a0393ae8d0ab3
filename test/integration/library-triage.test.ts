// Triage over a real index (real SQLite, real image files, queries on the real worker thread): ratings and picks,
// filtering and sorting by them without a sort in any plan, "keep the picks, trash the rest" with its undo, and
// what a rebuild of the index does to them.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'libsql'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LibraryQuerySchema, PICK_FILTERS, type LibraryImage, type LibraryQuery } from '../../shared/domain'
import { AppFailure } from '../../electron/services/errors'
import { openLibrary } from '../../electron/services/library/library'
import { createLibraryQueries, possibleDrivers, ratingWalks, searchStatement } from '../../electron/services/library/query'
import { libraryReader } from '../../electron/services/library/reader'
import { rebuildLibrary } from '../../electron/services/library/rebuild'
import { MIGRATIONS } from '../../electron/services/library/schema'
import { migrate } from '../../electron/services/sqlite'
import { mediaUrl, openTestLibrary, referenceMediaUrl, type TestLibrary } from '../fixtures/library-fixture'
import { makeImage, testRecipe, writeTemp } from '../fixtures/library-images'
import { seedLibrary } from '../fixtures/library-seed'

let t: TestLibrary
beforeEach(() => {
  t = openTestLibrary('atelier-triage-')
})
afterEach(async () => {
  await t.close()
})

const ids = (items: { id: string }[]) => items.map((i) => i.id)

async function failure(promise: Promise<unknown>): Promise<AppFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppFailure)
  return error as AppFailure
}

/** Every page of a query, following cursors. */
async function allPages(query: LibraryQuery): Promise<LibraryImage[]> {
  const out: LibraryImage[] = []
  let cursor: string | undefined
  for (let page = 0; ; page++) {
    // A cursor that does not move on would page for ever: no walk here takes more pages than images.
    if (page > 2000) throw new Error('the cursor does not move on')
    const result = await t.search({ ...query, ...(cursor ? { cursor } : {}) })
    out.push(...result.items)
    if (!result.nextCursor) return out
    cursor = result.nextCursor
  }
}

let jobs = 0
/** One job of `count` images, saved as downloads are (same job id, index 0…count-1), in order. */
async function saveJob(prompt: string, count: number): Promise<LibraryImage[]> {
  const jobId = `triage-job-${++jobs}`
  const out: LibraryImage[] = []
  for (let index = 0; index < count; index++) {
    const bytes = await makeImage('png', 48, 48)
    out.push(
      await t.library.saveImage({
        tempPath: writeTemp(t.library, bytes),
        recipe: testRecipe({ jobId, generationId: `${jobId}-g${index}`, index, count, prompt, params: { size: '2K' } }),
      }),
    )
  }
  return out
}

/** Gives seeded images a spread of ratings and flags, fixed by their place (most unrated, few 5s, some picks and rejects). */
function spreadTriage(): void {
  t.library.db.exec(`
    UPDATE images SET
      rating = CASE ord % 17 WHEN 0 THEN 5 WHEN 1 THEN 4 WHEN 2 THEN 4 WHEN 3 THEN 3 WHEN 4 THEN 3 WHEN 5 THEN 2 WHEN 6 THEN 1 ELSE 0 END,
      pick = CASE ord % 11 WHEN 0 THEN 1 WHEN 1 THEN 1 WHEN 2 THEN -1 ELSE 0 END
  `)
}

describe('ratings and picks', () => {
  it('rates and flags images, counting the images it found, and shows them everywhere an image is', async () => {
    const a = await t.save({ prompt: 'a teal kettle' })
    const b = await t.save({ prompt: 'a copper kettle' })
    expect(a).toMatchObject({ rating: 0, pick: 0 })

    expect(await t.queries.setRating([a.id, b.id, a.id, 'no-such-id'], 4)).toBe(2)
    expect(await t.queries.setPick([b.id], 1)).toBe(1)
    expect(await t.queries.setPick([a.id], -1)).toBe(1)
    expect(t.library.getImage(a.id)).toMatchObject({ rating: 4, pick: -1 })
    expect((await t.search()).items.map((i) => [i.id, i.rating, i.pick])).toEqual([
      [b.id, 4, 1],
      [a.id, 4, -1],
    ])
    expect((await t.queries.detail(b.id)).image).toMatchObject({ rating: 4, pick: 1 })

    // 0 clears each; a rating is independent of the star and of the trash.
    expect(await t.queries.setRating([a.id], 0)).toBe(1)
    expect(await t.queries.setPick([a.id, b.id], 0)).toBe(2)
    await t.queries.setStarred([b.id], true)
    await t.queries.trash([b.id])
    expect(t.library.getImage(a.id)).toMatchObject({ rating: 0, pick: 0 })
    expect(t.library.getImage(b.id)).toMatchObject({ rating: 4, pick: 0, starred: true })
    expect(ids((await t.search({ filters: { trash: true, minRating: 4 } })).items)).toEqual([b.id])
  })

  it('filters by at least N stars and by pick / no rejects / rejects, and sorts by rating, in every combination, page by page', async () => {
    const ratings = [0, 1, 3, 5, 4, 3, 0, 5, 2, 3]
    const picks = [0, 1, -1, 1, 0, -1, -1, 0, 1, 0] as const
    const saved: LibraryImage[] = []
    for (let i = 0; i < ratings.length; i++) saved.push(await t.save({ prompt: `kettle ${i}`, modelId: i % 2 ? 'model-odd' : 'model-even' }))
    for (let i = 0; i < ratings.length; i++) {
      await t.queries.setRating([saved[i]!.id], ratings[i]!)
      await t.queries.setPick([saved[i]!.id], picks[i]!)
    }
    // Saved one after another: a later index is newer.
    const model = saved.map((image, i) => ({ id: image.id, at: i, rating: ratings[i]!, pick: picks[i]!, odd: i % 2 === 1 }))
    const keeps = { picked: (p: number) => p === 1, unrejected: (p: number) => p >= 0, rejected: (p: number) => p === -1 }

    for (const minRating of [undefined, 1, 2, 3, 4, 5]) {
      for (const pick of [undefined, ...PICK_FILTERS]) {
        for (const sort of ['newest', 'oldest', 'rating'] as const) {
          const expected = model
            .filter((m) => (minRating === undefined || m.rating >= minRating) && (pick === undefined || keeps[pick](m.pick)))
            .sort((x, y) => (sort === 'oldest' ? x.at - y.at : sort === 'newest' ? y.at - x.at : y.rating - x.rating || y.at - x.at))
          const filters = { ...(minRating !== undefined ? { minRating } : {}), ...(pick ? { pick } : {}) }
          const label = JSON.stringify({ filters, sort })
          // Pages of 2 cross from one rating's walk to the next mid-page and at page ends.
          expect(ids(await allPages({ filters, sort, limit: 2 })), label).toEqual(ids(expected))
          // With another filter and with text, which drive the walk instead.
          const odd = expected.filter((m) => m.odd)
          expect(ids(await allPages({ filters: { ...filters, modelIds: ['model-odd'] }, sort, limit: 3 })), `${label} odd`).toEqual(ids(odd))
          expect(ids(await allPages({ text: 'kettl', filters, sort, limit: 4 })), `${label} text`).toEqual(ids(expected))
        }
      }
    }
  })

  it('pages the rating sort and the rating filters through a large library without duplicates or gaps', async () => {
    await seedLibrary(t.library, 1200, { trashed: 0.02 })
    spreadTriage()
    const db = t.library.db
    const reference = (where: string, order: string) =>
      (db.prepare(`SELECT id FROM images WHERE trashed_at IS NULL AND ${where} ORDER BY ${order}`).all() as { id: string }[]).map((r) => r.id)

    const byRating = ids(await allPages({ sort: 'rating', limit: 97 }))
    expect(byRating).toEqual(reference('1', 'rating DESC, ord DESC'))
    expect(new Set(byRating).size).toBe(byRating.length)
    expect(ids(await allPages({ filters: { minRating: 3 }, limit: 50 }))).toEqual(reference('rating >= 3', 'ord DESC'))
    expect(ids(await allPages({ filters: { minRating: 2 }, sort: 'oldest', limit: 61 }))).toEqual(reference('rating >= 2', 'ord ASC'))
    expect(ids(await allPages({ filters: { minRating: 4, pick: 'unrejected' }, sort: 'rating', limit: 7 }))).toEqual(
      reference('rating >= 4 AND pick >= 0', 'rating DESC, ord DESC'),
    )
    expect(ids(await allPages({ filters: { pick: 'picked' }, limit: 40 }))).toEqual(reference('pick = 1', 'ord DESC'))
    const light = ids(await allPages({ text: 'light', sort: 'rating', limit: 80 }))
    expect(light).toEqual(
      (
        db
          .prepare(
            `SELECT i.id FROM images i JOIN images_fts f ON f.rowid = i.ord WHERE images_fts MATCH '"light"*' AND i.trashed_at IS NULL
             ORDER BY i.rating DESC, i.ord DESC`,
          )
          .all() as { id: string }[]
      ).map((r) => r.id),
    )
    expect(light.length).toBeGreaterThan(80)
  })

  it('refuses a cursor from another sort', async () => {
    for (let i = 0; i < 4; i++) await t.save({ prompt: `owl ${i}` })
    const byRating = await t.search({ sort: 'rating', limit: 1 })
    const byDate = await t.search({ limit: 1 })
    const stale = /no longer valid/
    expect((await failure(t.search({ sort: 'newest', cursor: byRating.nextCursor! }))).message).toMatch(stale)
    expect((await failure(t.search({ sort: 'rating', cursor: byDate.nextCursor! }))).message).toMatch(stale)
    expect((await t.search({ sort: 'rating', cursor: byRating.nextCursor!, limit: 3 })).items).toHaveLength(3)
  })

  it('walks one index in creation order for every rating filter and the rating sort: never a sort', async () => {
    await seedLibrary(t.library, 600)
    spreadTriage()
    const board = await t.queries.createBoard('b')
    const queries: LibraryQuery[] = [
      { sort: 'rating' },
      { sort: 'rating', text: 'light city' },
      { sort: 'rating', filters: { minRating: 3 } },
      { filters: { minRating: 3 } },
      { filters: { minRating: 1 }, sort: 'oldest' },
      { filters: { minRating: 2, from: 1, to: 2 } },
      { filters: { pick: 'picked' } },
      { filters: { pick: 'rejected' }, sort: 'oldest' },
      { filters: { pick: 'unrejected' } },
      { filters: { pick: 'unrejected' }, sort: 'rating' },
      { filters: { pick: 'picked', minRating: 4 } },
      { filters: { boardId: board.id, minRating: 4 }, sort: 'rating' },
      { filters: { starred: true, pick: 'picked' }, sort: 'rating' },
      { filters: { modelIds: ['bytedance-seedream-4'], pick: 'rejected' }, sort: 'rating' },
      { filters: { aspects: ['21:9'], formats: ['png', 'jpeg'], minRating: 5 } },
      { filters: { trash: true }, sort: 'rating' },
      { text: 'light', filters: { pick: 'picked', minRating: 2 } },
    ]
    const db = t.library.db
    const plans = new Set<string>()
    for (const query of queries) {
      const q = LibraryQuerySchema.parse(query)
      const walks = ratingWalks(q) ?? [undefined]
      expect(walks.length, JSON.stringify(query)).toBeGreaterThan(0)
      for (const rating of walks) {
        const drivers = possibleDrivers(q, rating)
        // A rating's walk can always be driven by its own index (unless the text drives every walk).
        if (rating !== undefined && !q.text) expect(drivers).toContainEqual({ kind: 'index', index: 'images_by_rating' })
        for (const driver of drivers) {
          const { sql, params } = searchStatement(q, driver, 123, rating)
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ')
          expect(plan, `${JSON.stringify(query)} rating ${rating} via ${JSON.stringify(driver)}`).not.toMatch(/TEMP B-TREE/)
          if (driver.kind === 'index') expect(plan).toContain(driver.index)
          plans.add(plan)
        }
      }
    }
    expect([...plans].some((p) => p.includes('images_picked'))).toBe(true)
    expect([...plans].some((p) => p.includes('images_rejected'))).toBe(true)
  })
})

describe('keep the picks, trash the rest', () => {
  it('moves the job’s other images to the trash and answers exactly which, so undo restores only those', async () => {
    const job = await saveJob('five herons', 5)
    const other = await saveJob('other herons', 2)
    const [none, picked, rejected, alsoPicked, earlier] = job as [LibraryImage, LibraryImage, LibraryImage, LibraryImage, LibraryImage]
    await t.queries.setPick([picked.id, alsoPicked.id], 1)
    await t.queries.setPick([rejected.id], -1)
    await t.queries.trash([earlier.id]) // already in the trash before: not the action's to undo

    const trashed = await t.queries.trashUnpicked(picked.jobId)
    expect(trashed).toEqual([none.id, rejected.id])
    expect(ids((await t.search()).items)).toEqual([...ids(other).reverse(), alsoPicked.id, picked.id])
    expect(ids((await t.search({ filters: { trash: true } })).items).sort()).toEqual([none.id, rejected.id, earlier.id].sort())

    // Undo: restore what it answered. The image that was in the trash before stays there.
    expect(await t.queries.restore(trashed)).toBe(2)
    expect(ids((await t.search({ filters: { trash: true } })).items)).toEqual([earlier.id])
    expect(t.library.getImage(rejected.id)).toMatchObject({ pick: -1 })
    expect((await t.search({ filters: { pick: 'unrejected' } })).items.map((i) => i.id)).not.toContain(rejected.id)

    // Again, after trashing: nothing is left to trash.
    await t.queries.trashUnpicked(picked.jobId)
    expect(await t.queries.trashUnpicked(picked.jobId)).toEqual([])
  })

  it('refuses a job without a pick, and one with no images left, trashing nothing', async () => {
    const job = await saveJob('three owls', 3)
    await t.queries.setPick([job[0]!.id], -1)
    const noPick = await failure(t.queries.trashUnpicked(job[0]!.jobId))
    expect(noPick.code).toBe('invalid-input')
    expect(noPick.message).toMatch(/None of this job’s images is a pick/)
    expect((await t.search()).items).toHaveLength(3)

    const gone = await failure(t.queries.trashUnpicked('no-such-job'))
    expect(gone.code).toBe('not-found')
    await t.queries.setPick([job[1]!.id], 1)
    await t.queries.trash(ids(job))
    expect((await failure(t.queries.trashUnpicked(job[0]!.jobId))).code).toBe('not-found')
  })
})

describe('ratings and picks, and the files', () => {
  it('are index-only, like stars: a rebuild of an intact index keeps them, one of a lost index starts without them', async () => {
    const a = await t.save({ prompt: 'a fox' })
    const b = await t.save({ prompt: 'a hare' })
    await t.queries.setRating([a.id], 5)
    await t.queries.setPick([a.id], 1)
    await t.queries.setRating([b.id], 2)
    await t.queries.setPick([b.id], -1)
    await t.queries.setStarred([a.id], true)

    const intact = await rebuildLibrary(t.library)
    expect(intact).toMatchObject({ count: 2, added: 0, removed: 0 })
    expect(t.library.getImage(a.id)).toMatchObject({ rating: 5, pick: 1, starred: true })
    expect(t.library.getImage(b.id)).toMatchObject({ rating: 2, pick: -1 })

    // The index deleted: the files bring every image back, and nothing of the triage (nor the star).
    const dir = t.dir
    await t.reader.close()
    t.library.close()
    for (const name of readdirSync(dir)) if (name.startsWith('library.db')) rmSync(join(dir, name))
    const library = openLibrary({ dir, mediaUrl })
    const reader = libraryReader(library)
    t = {
      ...t,
      library,
      reader,
      queries: createLibraryQueries({ library, reader, mediaUrl, referenceMediaUrl }),
      async close() {
        await reader.close()
        library.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
    expect(await rebuildLibrary(library)).toMatchObject({ count: 2, added: 2 })
    expect(library.getImage(a.id)).toMatchObject({ rating: 0, pick: 0, starred: false })
    expect(library.getImage(b.id)).toMatchObject({ rating: 0, pick: 0 })
  })
})

describe('migration 6', () => {
  it('gives every image of a version 5 library no rating and no flag, and holds the columns to their values', () => {
    const db = new Database(':memory:')
    try {
      migrate(db, MIGRATIONS.slice(0, 5))
      db.prepare(`INSERT INTO jobs (id, created_at, model_id, prompt, count, params, refs) VALUES ('j', 1, 'm', 'p', 1, '{}', '[]')`).run()
      db.prepare(
        `INSERT INTO images (ord, id, job_id, generation_id, idx, file, thumb, format, width, height, bytes, created_at, model_id)
         VALUES (1000, 'i', 'j', 'g', 0, 'f', 't', 'png', 1, 1, 1, 1, 'm')`,
      ).run()
      expect(migrate(db, MIGRATIONS.slice(0, 6))).toEqual({ from: 5, to: 6 })
      expect(db.prepare('SELECT rating, pick FROM images').get()).toMatchObject({ rating: 0, pick: 0 })
      expect(() => db.prepare('UPDATE images SET rating = 6').run()).toThrow(/CHECK/)
      expect(() => db.prepare('UPDATE images SET pick = 2').run()).toThrow(/CHECK/)
      const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'images'`).all() as { name: string }[]).map((r) => r.name)
      expect(indexes).toEqual(expect.arrayContaining(['images_by_rating', 'images_picked', 'images_rejected']))
    } finally {
      db.close()
    }
  })
})
