// Organising the library: stars, ratings, picks, trash and boards. createLibraryQueries (query.ts) returns these
// together with the search side, as one object.
//
// Writes stay on the main connection, in chunks of a few hundred rows with a turn of the event loop between them,
// so no single call blocks for long even with 10,000 ids.
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Board } from '../../../shared/domain'
import { AppFailure } from '../errors'
import { pathInside } from '../folder-paths'
import type { Logger } from '../log'
import { readRecipe } from './image-metadata'
import type { LibraryStore } from './library'
import type { LibraryReader } from './reader'
import { resolveReferenceFile } from './references'

export interface LibraryEditsOptions {
  library: LibraryStore
  /** For the reads an edit answers with (a renamed board). */
  reader: LibraryReader
  log?: Logger
}

/** Rows written per statement (and per event-loop turn). */
const WRITE_CHUNK = 500

const NO_BOARD = 'That board no longer exists. It may have been deleted in another window.'

/** A board's row as the app shows it (facets list them too): its image count leaves the trash out. */
export interface BoardRow {
  id: string
  name: string
  created_at: number
  count: number
}
export const BOARD_COLUMNS = `b.id, b.name, b.created_at,
  (SELECT count(*) FROM board_images bi CROSS JOIN images i ON i.ord = bi.image_ord
   WHERE bi.board_id = b.id AND i.trashed_at IS NULL) AS count`
export const toBoard = (r: BoardRow): Board => ({ id: r.id, name: r.name, count: r.count, createdAt: r.created_at })

/**
 * Records which library image a reference was made from, for "used in": given directly ("use as reference"), or
 * found through the recipe inside the reference's own file (a library file dragged or pasted back in: same bytes,
 * same recipe). Does nothing when neither names an image in this library; throws when the file cannot be read.
 */
export async function linkReferenceSource(library: LibraryStore, hash: string, imageId?: string): Promise<void> {
  let source = imageId
  if (source === undefined) {
    const path = resolveReferenceFile(library, hash, 'full')
    const recipe = path ? await readRecipe(path) : null
    if (!recipe) return
    const row = library.db.prepare('SELECT id FROM images WHERE generation_id = ?').get(recipe.generationId) as { id: string } | undefined
    source = row?.id
  }
  if (source === undefined) return
  library.db
    .prepare('UPDATE reference_images SET source_image_id = @imageId WHERE hash = @hash AND EXISTS (SELECT 1 FROM images WHERE id = @imageId)')
    .run({ hash, imageId: source })
}

export function createLibraryEdits(opts: LibraryEditsOptions) {
  const { library, reader } = opts
  const db = library.db
  const dir = library.dir
  /** Ids whose files emptyTrash is deleting right now: restoring them would bring back a row without its file. */
  const purging = new Set<string>()
  let emptying: Promise<number> | null = null

  const sql = {
    boardExists: db.prepare('SELECT 1 AS found FROM boards WHERE id = @id'),
    boardNamed: db.prepare('SELECT id FROM boards WHERE name = @name COLLATE NOCASE'),
    insertBoard: db.prepare('INSERT INTO boards (id, name, created_at) VALUES (@id, @name, @createdAt)'),
    renameBoard: db.prepare('UPDATE boards SET name = @name WHERE id = @id'),
    deleteBoardLinks: db.prepare(
      `DELETE FROM board_images WHERE board_id = @id
       AND image_ord IN (SELECT image_ord FROM board_images WHERE board_id = @id LIMIT ${WRITE_CHUNK * 4})`,
    ),
    deleteBoard: db.prepare('DELETE FROM boards WHERE id = @id'),
    addToBoard: db.prepare(
      `INSERT OR IGNORE INTO board_images (board_id, image_ord, added_at)
       SELECT @board, ord, @now FROM images WHERE id IN (SELECT value FROM json_each(@ids))`,
    ),
    removeFromBoard: db.prepare(
      `DELETE FROM board_images WHERE board_id = @board
       AND image_ord IN (SELECT ord FROM images WHERE id IN (SELECT value FROM json_each(@ids)))`,
    ),
    star: db.prepare('UPDATE images SET starred = @starred WHERE id IN (SELECT value FROM json_each(@ids))'),
    rate: db.prepare('UPDATE images SET rating = @rating WHERE id IN (SELECT value FROM json_each(@ids))'),
    pick: db.prepare('UPDATE images SET pick = @pick WHERE id IN (SELECT value FROM json_each(@ids))'),
    jobImages: db.prepare('SELECT id, pick FROM images WHERE job_id = @jobId AND trashed_at IS NULL ORDER BY idx'),
    trash: db.prepare('UPDATE images SET trashed_at = @now WHERE trashed_at IS NULL AND id IN (SELECT value FROM json_each(@ids))'),
    restore: db.prepare('UPDATE images SET trashed_at = NULL WHERE trashed_at IS NOT NULL AND id IN (SELECT value FROM json_each(@ids))'),
    trashBatch: db.prepare(
      `SELECT ord, id, file, thumb FROM images INDEXED BY images_trashed
       WHERE trashed_at IS NOT NULL AND ord > @after ORDER BY ord LIMIT 200`,
    ),
    deleteTrashed: db.prepare('DELETE FROM images WHERE trashed_at IS NOT NULL AND ord IN (SELECT value FROM json_each(@ords))'),
  }

  /** Runs `write` over `ids` (deduplicated) a chunk at a time, one event-loop turn apart; sums what it returns. */
  async function inChunks(ids: readonly string[], write: (chunkJson: string) => number): Promise<number> {
    const unique = [...new Set(ids)]
    let total = 0
    for (let at = 0; at < unique.length; at += WRITE_CHUNK) {
      if (at > 0) await nextTurn()
      total += write(JSON.stringify(unique.slice(at, at + WRITE_CHUNK)))
    }
    return total
  }

  function requireBoard(boardId: string): void {
    if (!sql.boardExists.get({ id: boardId })) throw new AppFailure('not-found', NO_BOARD)
  }

  function requireFreeName(name: string, exceptId?: string): void {
    const other = sql.boardNamed.get({ name }) as { id: string } | undefined
    if (other && other.id !== exceptId) {
      throw new AppFailure('invalid-input', `There is already a board called “${name}”. Choose another name.`)
    }
  }

  async function board(boardId: string): Promise<Board> {
    const [row] = await reader.all<BoardRow>(`SELECT ${BOARD_COLUMNS} FROM boards b WHERE b.id = :id`, { id: boardId })
    if (!row) throw new AppFailure('not-found', NO_BOARD)
    return toBoard(row)
  }

  async function removeFromLibrary(rel: string): Promise<void> {
    const abs = pathInside(dir, rel)
    if (abs) await rm(abs, { force: true })
  }

  async function emptyTrashNow(): Promise<number> {
    let deleted = 0
    let failed = 0
    let after = Number.MIN_SAFE_INTEGER
    for (;;) {
      const rows = sql.trashBatch.all({ after }) as { ord: number; id: string; file: string; thumb: string }[]
      if (rows.length === 0) break
      after = rows.at(-1)!.ord
      for (const r of rows) purging.add(r.id)
      try {
        // Files first, rows last: an interruption leaves rows in the trash (emptied next time), never files
        // without rows (which a rebuild would bring back).
        const removed = await Promise.all(
          rows.map(async (r) => {
            try {
              await removeFromLibrary(r.file)
              await removeFromLibrary(r.thumb)
              return r.ord
            } catch (error) {
              opts.log?.warn('could not delete a trashed image', { file: r.file, error })
              failed++
              return null
            }
          }),
        )
        deleted += sql.deleteTrashed.run({ ords: JSON.stringify(removed.filter((o) => o !== null)) }).changes
      } finally {
        for (const r of rows) purging.delete(r.id)
      }
    }
    if (failed > 0) {
      throw new AppFailure(
        'internal',
        `${failed} image${failed === 1 ? '' : 's'} in the trash could not be deleted (the other ${deleted} were). ` +
          'Check that the library folder is not read-only, then empty the trash again.',
      )
    }
    return deleted
  }

  return {
    setStarred: (imageIds: readonly string[], starred: boolean) =>
      inChunks(imageIds, (ids) => sql.star.run({ ids, starred: starred ? 1 : 0 }).changes),

    /** 1–5 stars, 0 to clear; returns how many images it found. */
    setRating: (imageIds: readonly string[], rating: number) => inChunks(imageIds, (ids) => sql.rate.run({ ids, rating }).changes),

    /** 1 pick, -1 reject, 0 neither; returns how many images it found. */
    setPick: (imageIds: readonly string[], pick: -1 | 0 | 1) => inChunks(imageIds, (ids) => sql.pick.run({ ids, pick }).changes),

    /**
     * "Keep the picks, trash the rest": moves the job's images that are not picks (unflagged and rejected) to the
     * trash, and answers their ids (what an undo restores). Refuses a job without a pick: that would trash it all.
     */
    async trashUnpicked(jobId: string): Promise<string[]> {
      // Read and write in one synchronous stretch: no other write can come between them.
      const images = sql.jobImages.all({ jobId }) as { id: string; pick: number }[]
      if (images.length === 0) throw new AppFailure('not-found', 'That job’s images are no longer in your library (or all are in the trash).')
      if (!images.some((i) => i.pick === 1)) {
        throw new AppFailure('invalid-input', 'None of this job’s images is a pick, so nothing was moved to the trash. Pick the ones to keep first (P).')
      }
      const rest = images.filter((i) => i.pick !== 1).map((i) => i.id)
      if (rest.length > 0) sql.trash.run({ ids: JSON.stringify(rest), now: Date.now() })
      return rest
    },

    trash(imageIds: readonly string[]) {
      const now = Date.now()
      return inChunks(imageIds, (ids) => sql.trash.run({ ids, now }).changes)
    },

    restore: (imageIds: readonly string[]) =>
      inChunks(
        imageIds.filter((id) => !purging.has(id)),
        (ids) => sql.restore.run({ ids }).changes,
      ),

    /** Deletes every image in the trash, files and thumbnails first, then the rows. One run at a time. */
    emptyTrash(): Promise<number> {
      emptying ??= emptyTrashNow().finally(() => (emptying = null))
      return emptying
    },

    async createBoard(name: string): Promise<Board> {
      requireFreeName(name)
      const id = randomUUID()
      const createdAt = Date.now()
      sql.insertBoard.run({ id, name, createdAt })
      return { id, name, count: 0, createdAt }
    },

    async renameBoard(boardId: string, name: string): Promise<Board> {
      requireBoard(boardId)
      requireFreeName(name, boardId)
      sql.renameBoard.run({ id: boardId, name })
      return board(boardId)
    },

    /** Deletes the board, never its images; returns how many images were on it. */
    async deleteBoard(boardId: string): Promise<number> {
      requireBoard(boardId)
      let removed = 0
      for (;;) {
        const { changes } = sql.deleteBoardLinks.run({ id: boardId })
        if (changes === 0) break
        removed += changes
        await nextTurn()
      }
      sql.deleteBoard.run({ id: boardId })
      return removed
    },

    /** Returns how many images were added (ones already on the board are not counted). */
    async addToBoard(boardId: string, imageIds: readonly string[]): Promise<number> {
      requireBoard(boardId)
      const now = Date.now()
      return inChunks(imageIds, (ids) => {
        requireBoard(boardId)
        return sql.addToBoard.run({ board: boardId, ids, now }).changes
      })
    },

    async removeFromBoard(boardId: string, imageIds: readonly string[]): Promise<number> {
      requireBoard(boardId)
      return inChunks(imageIds, (ids) => sql.removeFromBoard.run({ board: boardId, ids }).changes)
    },
  }
}
export type LibraryEdits = ReturnType<typeof createLibraryEdits>
