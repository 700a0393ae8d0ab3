// Browsing the library: search and filters, facets, the detail view, and the files of images. The edits (stars,
// ratings, picks, trash and boards) are in edits.ts; createLibraryQueries returns both as one object.
//
// Reads go through a LibraryReader (a worker thread in the app), so a slow query never stalls the main
// process; the edits write on the main connection.
//
// Query plans. Every image's rowid is `ord` (created_at * 1000 + tie-break), so creation order is rowid order
// everywhere: the FTS index, each single-column index (stored as (column, ord)), and boards' (board_id, ord)
// keys. A page is then one ordered walk with LIMIT and never a sort. The walk is driven by exactly one access
// path, chosen here rather than by the planner (it has no statistics, and it will happily sort 100k rows):
//   text          → the FTS index, newest/oldest by its rowid; every filter is checked per match (a typed word is
//                   a prefix query, answered lazily from a prefix index: schema migration 8)
//   else          → the most selective of: board, starred, picked, rejected, trash, one rating, a single model /
//                   aspect / size / format: the one with the fewest rows among the COUNT_CAP images the page's walk
//                   starts from (each counted through its own index, ord-bounded), else a plain rowid scan
// (An FTS probe per row of an index walk, "MATCH … AND rowid = ?", costs about a millisecond at 1M: never a path.)
// Dates and cursors are ord ranges on whichever path drives.
// Ratings are walked one at a time, each rating's images being in creation order on images_by_rating (rating, ord):
// "at least N stars" runs one walk per rating N–5 and merges them by ord (at most five pages of rows); the rating
// sort runs 5, 4, … 0 one after another until the page is full, its cursor a (rating, ord) pair.
import type { z } from 'zod'
import type {
  ImageDetail,
  LibraryFacets,
  LibraryImage,
  LibraryPage,
  LibraryQuerySchema,
  ReferenceImage,
} from '../../../shared/domain'
import { AppFailure } from '../errors'
import { folderFiles } from '../folder-paths'
import type { Logger } from '../log'
import { BOARD_COLUMNS, createLibraryEdits, toBoard, type BoardRow } from './edits'
import { aspectFilterLabel } from './image-labels'
import type { Recipe } from './image-metadata'
import { IMAGE_WITH_JOB_COLUMNS, recipeOf, toLibraryImage, type ImageWithJobRow, type LibraryStore, type MediaVariant } from './library'
import type { LibraryReader, SqlParams } from './reader'

export type LibraryQueryInput = z.output<typeof LibraryQuerySchema>

export interface LibraryQueriesOptions {
  library: LibraryStore
  reader: LibraryReader
  mediaUrl: (imageId: string, variant: MediaVariant) => string
  referenceMediaUrl: (hash: string, variant: MediaVariant) => string
  log?: Logger
}

/** What an export or a drag needs of one image: its row as the app shows it, its recipe and its file. */
export interface ImageFile {
  image: LibraryImage
  recipe: Recipe
  /** Absolute path, checked to be a regular file inside the library folder. */
  path: string
  thumbPath: string | null
}

/** Paths are compared on this many images from where the page's walk starts: enough to tell which is most selective. */
const COUNT_CAP = 5000
const USED_IN_LIMIT = 200
const MAX_SEARCH_WORDS = 16

const STALE_CURSOR = 'That page of the library is no longer valid. Scroll back to the top and try again.'

// ---------- cursors: opaque to callers; the sort they belong to, and the ord (and rating) of the last item ----------
type Sort = LibraryQueryInput['sort']
interface Cursor {
  ord: number
  /** The rating sort's: the last item's rating. */
  rating: number
}
const SORT_TAG: Record<Sort, string> = { newest: 'n', oldest: 'o', rating: 'r' }

function encodeCursor(sort: Sort, last: { ord: number; rating: number }): string {
  const value = sort === 'rating' ? [SORT_TAG[sort], last.rating, last.ord] : [SORT_TAG[sort], last.ord]
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function decodeCursor(cursor: string, sort: Sort): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value[0] === SORT_TAG[sort]) {
      if (sort !== 'rating' && value.length === 2 && Number.isSafeInteger(value[1])) return { ord: value[1] as number, rating: 0 }
      if (sort === 'rating' && value.length === 3 && [0, 1, 2, 3, 4, 5].includes(value[1] as number) && Number.isSafeInteger(value[2])) {
        return { rating: value[1] as number, ord: value[2] as number }
      }
    }
  } catch {
    // Not JSON: not a cursor we made (or one from an older version), so it is stale like any other.
  }
  throw new AppFailure('invalid-input', STALE_CURSOR)
}

/** The FTS5 query for what the user typed: every word, each as a prefix, all required; null when there are none. */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}\p{M}]+/gu)
  if (!words) return null
  return words
    .slice(0, MAX_SEARCH_WORDS)
    .map((w) => `"${w}"*`)
    .join(' ')
}

// ---------- the search statement ----------
export type Driver =
  | { kind: 'fts' }
  | { kind: 'board' }
  | { kind: 'index'; index: string }
  | { kind: 'scan' }

interface Normalised {
  fts: string | null
  trash: boolean
  starred: boolean | undefined
  minRating: number | undefined
  pick: LibraryQueryInput['filters']['pick']
  boardId: string | undefined
  /** column → values (images.<column> IN values); empty lists are dropped. */
  lists: [column: string, values: string[]][]
  fromOrd: number | undefined
  toOrd: number | undefined
}

const LIST_INDEX: Record<string, string> = {
  model_id: 'images_by_model',
  aspect: 'images_by_aspect',
  size_label: 'images_by_size',
  format: 'images_by_format',
}

function normalise(q: LibraryQueryInput): Normalised {
  const f = q.filters
  const lists: [string, string[]][] = [
    ['model_id', f.modelIds ?? []],
    ['aspect', (f.aspects ?? []).map(aspectFilterLabel)],
    ['size_label', f.sizes ?? []],
    ['format', f.formats ?? []],
  ]
  return {
    fts: ftsQuery(q.text),
    trash: f.trash === true,
    starred: f.starred,
    minRating: f.minRating,
    pick: f.pick,
    boardId: f.boardId,
    lists: lists.map(([c, v]) => [c, [...new Set(v)]] as [string, string[]]).filter(([, v]) => v.length > 0),
    fromOrd: f.from === undefined ? undefined : Math.ceil(f.from) * 1000,
    toOrd: f.to === undefined ? undefined : Math.floor(f.to) * 1000 + 999,
  }
}

/**
 * The ratings a query walks one at a time (see the top of this file), in walking order; null when it walks them
 * all together (no rating filter, by date).
 */
export function ratingWalks(q: LibraryQueryInput): number[] | null {
  const min = q.filters.minRating
  if (q.sort === 'rating') return [5, 4, 3, 2, 1, 0].filter((r) => r >= (min ?? 0))
  return min === undefined ? null : [1, 2, 3, 4, 5].filter((r) => r >= min)
}

/** The condition on images.pick of each pick filter: literals, so the partial indexes are usable. */
const PICK_WHERE = { picked: 'i.pick = 1', unrejected: 'i.pick >= 0', rejected: 'i.pick = -1' } as const

/**
 * Access paths that deliver rows in ord order for these filters (and this one `rating`), in order of preference
 * on a tie, each with the rows it would walk (`rows` selects them; `value` is its :v parameter).
 */
interface Candidate {
  driver: Driver
  /** FROM … WHERE …: the rows the path walks, with its :v parameter. */
  rows: string
  value?: string | number
  /** The rows' ord column. */
  key: string
}

function candidates(n: Normalised, rating?: number): Candidate[] {
  const out: Omit<Candidate, 'key'>[] = []
  if (n.boardId !== undefined) out.push({ driver: { kind: 'board' }, rows: 'FROM board_images WHERE board_id = :v', value: n.boardId })
  if (n.starred === true) {
    out.push({ driver: { kind: 'index', index: 'images_starred' }, rows: 'FROM images INDEXED BY images_starred WHERE starred = 1' })
  }
  if (n.pick === 'picked') {
    out.push({ driver: { kind: 'index', index: 'images_picked' }, rows: 'FROM images INDEXED BY images_picked WHERE pick = 1' })
  }
  if (n.pick === 'rejected') {
    out.push({ driver: { kind: 'index', index: 'images_rejected' }, rows: 'FROM images INDEXED BY images_rejected WHERE pick = -1' })
  }
  if (rating !== undefined) {
    out.push({ driver: { kind: 'index', index: 'images_by_rating' }, rows: 'FROM images INDEXED BY images_by_rating WHERE rating = :v', value: rating })
  }
  if (n.trash) {
    out.push({ driver: { kind: 'index', index: 'images_trashed' }, rows: 'FROM images INDEXED BY images_trashed WHERE trashed_at IS NOT NULL' })
  }
  for (const [column, values] of n.lists) {
    if (values.length !== 1) continue
    const index = LIST_INDEX[column]!
    out.push({ driver: { kind: 'index', index }, rows: `FROM images INDEXED BY ${index} WHERE ${column} = :v`, value: values[0]! })
  }
  return out.map((c) => ({ ...c, key: c.driver.kind === 'board' ? 'image_ord' : 'ord' }))
}

/** Every access path search() may choose for this query, walking this one `rating` (it picks one by counting; see choosePlan). */
export function possibleDrivers(q: LibraryQueryInput, rating?: number): Driver[] {
  const n = normalise(q)
  if (n.fts !== null) return [{ kind: 'fts' }]
  const options = candidates(n, rating).map((c) => c.driver)
  return options.length > 0 ? options : [{ kind: 'scan' }]
}

/**
 * The SELECT for one page (limit + 1 rows, to tell whether there is a next page), of the images with this one
 * `rating` when given; `cursor` is the ord the page starts after.
 */
export function searchStatement(q: LibraryQueryInput, driver: Driver, cursor: number | null, rating?: number): { sql: string; params: SqlParams } {
  const n = normalise(q)
  const params: SqlParams = { limit: q.limit + 1 }
  const where: string[] = []
  let from: string
  let key: string
  switch (driver.kind) {
    case 'fts':
      from = 'images_fts f CROSS JOIN images i NOT INDEXED ON i.ord = f.rowid'
      key = 'f.rowid'
      where.push('images_fts MATCH :fts')
      params.fts = n.fts
      break
    case 'board':
      from = 'board_images b CROSS JOIN images i NOT INDEXED ON i.ord = b.image_ord'
      key = 'b.image_ord'
      break
    case 'index':
      from = `images i INDEXED BY ${driver.index}`
      key = 'i.ord'
      break
    case 'scan':
      from = 'images i NOT INDEXED'
      key = 'i.ord'
      break
  }
  where.push(n.trash ? 'i.trashed_at IS NOT NULL' : 'i.trashed_at IS NULL')
  if (n.starred !== undefined) where.push(`i.starred = ${n.starred ? 1 : 0}`)
  if (rating !== undefined) {
    params.rating = rating
    where.push('i.rating = :rating')
  }
  if (n.minRating !== undefined) {
    params.minRating = n.minRating
    where.push('i.rating >= :minRating')
  }
  if (n.pick !== undefined) where.push(PICK_WHERE[n.pick])
  if (n.boardId !== undefined) {
    params.board = n.boardId
    where.push(driver.kind === 'board' ? 'b.board_id = :board' : 'EXISTS (SELECT 1 FROM board_images bi WHERE bi.board_id = :board AND bi.image_ord = i.ord)')
  }
  for (const [column, values] of n.lists) {
    if (values.length === 1) {
      params[column] = values[0]!
      where.push(`i.${column} = :${column}`)
    } else {
      params[column] = JSON.stringify(values)
      where.push(`i.${column} IN (SELECT value FROM json_each(:${column}))`)
    }
  }
  if (n.fromOrd !== undefined) {
    params.fromOrd = n.fromOrd
    where.push(`${key} >= :fromOrd`)
  }
  if (n.toOrd !== undefined) {
    params.toOrd = n.toOrd
    where.push(`${key} <= :toOrd`)
  }
  // Newest first, also among images of one rating in the rating sort.
  const ascending = q.sort === 'oldest'
  if (cursor !== null) {
    params.cursor = cursor
    where.push(`${key} ${ascending ? '>' : '<'} :cursor`)
  }
  const sql =
    `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM ${from} CROSS JOIN jobs j ON j.id = i.job_id ` +
    `WHERE ${where.join(' AND ')} ORDER BY ${key} ${ascending ? 'ASC' : 'DESC'} LIMIT :limit`
  return { sql, params }
}

/** The loose index scan "distinct values of an indexed column": one index probe per value, not a walk of every row. */
function distinctValues(column: string): string {
  return `WITH RECURSIVE v(x) AS (
      SELECT (SELECT min(${column}) FROM images)
      UNION ALL SELECT (SELECT min(${column}) FROM images WHERE ${column} > v.x) FROM v WHERE v.x IS NOT NULL
    ) SELECT x FROM v WHERE x IS NOT NULL`
}

interface ReferenceRow {
  hash: string
  name: string
  format: ReferenceImage['format']
  width: number
  height: number
  bytes: number
  source_image_id: string | null
}

type ImageWithRecipeRow = ImageWithJobRow

export function createLibraryQueries(opts: LibraryQueriesOptions) {
  const { library, reader } = opts
  const toImage = (r: ImageWithJobRow) => toLibraryImage(r, opts.mediaUrl)
  const libraryFiles = folderFiles(library.dir)

  /**
   * The path for one walk of this query (sorted `sort`, starting after `cursor`, of this one `rating`): see the top of
   * this file. The paths are counted over the same window, the COUNT_CAP images from where the walk starts (ord
   * bounds, so each count is a range of its own index): a millisecond at most, and right at any size, where counts
   * capped over the whole table all hit the cap once the library is large.
   */
  async function choosePlan(n: Normalised, sort: Sort, cursor: number | null, rating?: number): Promise<Driver> {
    if (n.fts !== null) return { kind: 'fts' }
    const options = candidates(n, rating)
    if (options.length === 0) return { kind: 'scan' }
    if (options.length === 1) return options[0]!.driver
    const ascending = sort === 'oldest'
    const params: SqlParams = Object.fromEntries(options.flatMap((o, i) => (o.value === undefined ? [] : [[`v${i}`, o.value]])))
    let window: string
    if (ascending) {
      params.lo = Math.max(cursor === null ? Number.MIN_SAFE_INTEGER : cursor + 1, n.fromOrd ?? Number.MIN_SAFE_INTEGER)
      window = `SELECT :lo AS lo, coalesce((SELECT ord FROM images WHERE ord >= :lo ORDER BY ord LIMIT 1 OFFSET ${COUNT_CAP - 1}), ${Number.MAX_SAFE_INTEGER}) AS hi`
    } else {
      params.hi = Math.min(cursor === null ? Number.MAX_SAFE_INTEGER : cursor - 1, n.toOrd ?? Number.MAX_SAFE_INTEGER)
      window = `SELECT coalesce((SELECT ord FROM images WHERE ord <= :hi ORDER BY ord DESC LIMIT 1 OFFSET ${COUNT_CAP - 1}), ${Number.MIN_SAFE_INTEGER}) AS lo, :hi AS hi`
    }
    const [counts] = await reader.all<Record<string, number>>(
      `WITH w AS (${window}) SELECT ${options
        .map((o, i) => `(SELECT count(*) ${o.rows.replace(':v', `:v${i}`)} AND ${o.key} BETWEEN (SELECT lo FROM w) AND (SELECT hi FROM w)) AS c${i}`)
        .join(', ')}`,
      params,
    )
    let best = 0
    options.forEach((_, i) => {
      if (counts![`c${i}`]! < counts![`c${best}`]!) best = i
    })
    return options[best]!.driver
  }

  return {
    async search(q: LibraryQueryInput): Promise<LibraryPage> {
      const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor, q.sort)
      const n = normalise(q)
      /** One walk: up to limit + 1 rows of this rating (or of any), after `after`. */
      const walk = async (after: number | null, rating?: number) => {
        const { sql: text, params } = searchStatement(q, await choosePlan(n, q.sort, after, rating), after, rating)
        return reader.all<ImageWithJobRow>(text, params)
      }
      const ratings = ratingWalks(q)
      let rows: ImageWithJobRow[] = []
      if (ratings === null) rows = await walk(cursor?.ord ?? null)
      else if (q.sort === 'rating') {
        // 5 stars, then 4…: each rating from where the cursor left it, until the page is full.
        for (const rating of ratings) {
          if (cursor && rating > cursor.rating) continue
          rows.push(...(await walk(cursor && rating === cursor.rating ? cursor.ord : null, rating)))
          if (rows.length > q.limit) break
        }
      } else {
        // Each rating's next rows by date, merged by date: the first limit + 1 of them are the page's.
        for (const rating of ratings) rows.push(...(await walk(cursor?.ord ?? null, rating)))
        rows.sort(q.sort === 'oldest' ? (a, b) => a.ord - b.ord : (a, b) => b.ord - a.ord)
      }
      const page = rows.slice(0, q.limit)
      const last = page.at(-1)
      return { items: page.map(toImage), nextCursor: rows.length > q.limit && last ? encodeCursor(q.sort, last) : null }
    },

    async facets(): Promise<LibraryFacets> {
      const values = (column: string) => reader.all<{ x: string }>(distinctValues(column)).then((rows) => rows.map((r) => r.x))
      const [modelIds, sizes, aspects, formats, boards, counts] = await Promise.all([
        values('model_id'),
        values('size_label'),
        values('aspect'),
        values('format'),
        reader.all<BoardRow>(`SELECT ${BOARD_COLUMNS} FROM boards b ORDER BY b.name COLLATE NOCASE, b.id`),
        reader.all<{ total: number; starred: number; trash: number }>(
          `SELECT (SELECT count(*) FROM images) AS total,
             (SELECT count(*) FROM images INDEXED BY images_starred WHERE starred = 1 AND trashed_at IS NULL) AS starred,
             (SELECT count(*) FROM images INDEXED BY images_trashed WHERE trashed_at IS NOT NULL) AS trash`,
        ),
      ])
      const c = counts[0]!
      return { modelIds, sizes, aspects, formats, boards: boards.map(toBoard), counts: { all: c.total - c.trash, starred: c.starred, trash: c.trash } }
    },

    async detail(imageId: string): Promise<ImageDetail> {
      const [row] = await reader.all<ImageWithJobRow>(
        `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.id = :id`,
        { id: imageId },
      )
      if (!row) throw new AppFailure('not-found', 'That image is no longer in your library.')
      const [references, usedIn, boards] = await Promise.all([
        reader.all<ReferenceRow>(
          `SELECT r.hash, r.name, r.format, r.width, r.height, r.bytes, r.source_image_id FROM job_references jr
           JOIN reference_images r ON r.hash = jr.hash WHERE jr.job_id = :jobId ORDER BY jr.position`,
          { jobId: row.job_id },
        ),
        reader.all<ImageWithJobRow>(
          `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM reference_images r
           JOIN job_references jr ON jr.hash = r.hash
           JOIN images i ON i.job_id = jr.job_id
           JOIN jobs j ON j.id = i.job_id
           WHERE r.source_image_id = :id AND i.trashed_at IS NULL
           GROUP BY i.ord ORDER BY i.ord DESC LIMIT ${USED_IN_LIMIT}`,
          { id: imageId },
        ),
        reader.all<{ board_id: string }>('SELECT board_id FROM board_images WHERE image_ord = :ord ORDER BY board_id', { ord: row.ord }),
      ])
      return {
        image: toImage(row),
        references: references.map((r) => ({
          hash: r.hash,
          name: r.name,
          format: r.format,
          width: r.width,
          height: r.height,
          bytes: r.bytes,
          thumbUrl: opts.referenceMediaUrl(r.hash, 'thumb'),
          ...(r.source_image_id ? { sourceImageId: r.source_image_id } : {}),
        })),
        usedIn: usedIn.map(toImage),
        boardIds: boards.map((b) => b.board_id),
      }
    },

    /** Images by id with their recipes and files (oldest first); ids that are gone, or whose file is, are left out. */
    async files(imageIds: readonly string[]): Promise<ImageFile[]> {
      const rows = await reader.all<ImageWithRecipeRow>(
        `SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id
         WHERE i.id IN (SELECT value FROM json_each(:ids)) ORDER BY i.ord`,
        { ids: JSON.stringify([...new Set(imageIds)]) },
      )
      const found = await Promise.all(
        rows.map(async (r) => {
          // A file that is gone is left out, which callers report per image (e.g. "no longer in your library").
          const path = await libraryFiles.findAsync(r.file)
          if (!path) return null
          const recipe = recipeOf(r, r)
          return { image: toImage(r), recipe: r.cost === null ? recipe : { ...recipe, cost: r.cost }, path, thumbPath: await libraryFiles.findAsync(r.thumb) }
        }),
      )
      return found.filter((f): f is ImageFile => f !== null)
    },

    /** The library image each of these references was made from ("use as reference"), for those that have one: hash → image id. */
    async referenceSources(hashes: readonly string[]): Promise<Map<string, string>> {
      const rows = await reader.all<{ hash: string; source_image_id: string }>(
        'SELECT hash, source_image_id FROM reference_images WHERE source_image_id IS NOT NULL AND hash IN (SELECT value FROM json_each(:hashes))',
        { hashes: JSON.stringify([...new Set(hashes)]) },
      )
      return new Map(rows.map((r) => [r.hash, r.source_image_id]))
    },

    ...createLibraryEdits(opts),
  }
}
export type LibraryQueries = ReturnType<typeof createLibraryQueries>
