// Pulling a repository's images into the library: each file under `images/` whose image is not in the library yet
// is downloaded (through OxenClient, so the key goes only to the API origin) and saved with the recipe it carries
// (or, for a file without one, the recipe its data-frame row describes). New images take the frame's rating and
// pick; images already in the library keep the user's own. Every image of the repository that is in the library
// ends on the board `<ns>/<repo>`. Files are never overwritten (saveImage is idempotent per generation), so pulling
// again brings only what is new.
import { rm } from 'node:fs/promises'
import { AppFailure } from '../errors'
import { IMAGE_ID_PATTERN, type ImageRecipe } from '../library/library'
import { readRecipe, type Recipe } from '../library/image-metadata'
import { repoFileUrl } from '../oxen/repos'
import { listFolder, readRepoFile, type DirEntry, type RepoTarget } from '../oxen/workspaces'
import type { TaskControl, TaskOutcome } from './tasks'
import { FRAME_PATH, IMAGES_DIR, costOf, parseFrame, recipeFromRow, rowsById, triageOf, type AnyRow } from './data-frame'
import { plural, repoPageUrl, type RepoSyncDeps } from './deps'
import { DEFAULT_RETRY, withRetries } from './retry'

const BRANCH = 'main'
const IMAGE_FILE = /^(.+)\.(png|jpe?g|webp)$/i
/** No bytes for this long: the download is presumed dead (and retried). */
const READ_TIMEOUT_MS = 60_000

const recipePart = (r: Recipe): ImageRecipe => ({
  jobId: r.jobId,
  generationId: r.generationId,
  index: r.index,
  count: r.count,
  modelId: r.modelId,
  prompt: r.prompt,
  params: r.params,
  references: r.references,
})

/** Finds the board called `name` (as boards compare names: without case), or makes it. */
async function boardNamed(deps: RepoSyncDeps, name: string): Promise<string> {
  const { boards } = await deps.queries.facets()
  const found = boards.find((b) => b.name.toLowerCase() === name.toLowerCase())
  return found ? found.id : (await deps.queries.createBoard(name)).id
}

interface Tally {
  added: string[]
  already: string[]
  /** Files with no recipe, in them or in the data frame. */
  skipped: number
  /** Files that are not readable PNG, JPEG or WebP images. */
  unreadable: number
}

export async function runPull(deps: RepoSyncDeps, repo: RepoTarget, control: TaskControl): Promise<TaskOutcome> {
  const { signal } = control
  const client = deps.client()
  const retry = deps.retry ?? DEFAULT_RETRY
  const label = `${repo.namespace}/${repo.name}`
  control.setUrl(repoPageUrl(client, repo.namespace, repo.name))

  const listing = await withRetries(() => listFolder(client, repo, BRANCH, IMAGES_DIR, signal), retry, signal)
  const frameBytes = await withRetries(() => readRepoFile(client, repo, BRANCH, FRAME_PATH, signal), retry, signal)
  if (listing === null && frameBytes === null) {
    throw new AppFailure('not-found', `Oxen has no images in ${label}. Check the repository’s name, and that your key may read it.`)
  }
  const frameRows = parseFrame(frameBytes)
  // Rows by image id, and by `path:<image path>` for files whose name is not their image id.
  const rows = rowsById(frameRows)
  for (const row of frameRows) if (typeof row !== 'string' && typeof row.image === 'string') rows.set(`path:${row.image}`, row)
  const files = (listing ?? []).filter((e) => !e.isDir && IMAGE_FILE.test(e.filename)).sort((a, b) => (a.filename < b.filename ? -1 : 1))

  const tally: Tally = { added: [], already: [], skipped: 0, unreadable: 0 }
  let boardId: string | null = null
  const onBoard = async (imageId: string) => {
    boardId ??= await boardNamed(deps, label)
    await deps.queries.addToBoard(boardId, [imageId])
  }
  control.progress(0, files.length)
  for (const [at, entry] of files.entries()) {
    signal.throwIfAborted()
    const stem = IMAGE_FILE.exec(entry.filename)![1]!
    const existing = IMAGE_ID_PATTERN.test(stem) ? deps.library.getImage(stem) : null
    if (existing) {
      tally.already.push(existing.id)
      await onBoard(existing.id)
    } else {
      const saved = await pullOne(deps, repo, entry, rows, signal, tally)
      if (saved) await onBoard(saved)
    }
    control.progress(at + 1, files.length)
  }
  return { message: pulledMessage(label, tally, files.length) }
}

/** Downloads and saves one file; answers the image id it is in the library as, or null when it was left out. */
async function pullOne(
  deps: RepoSyncDeps,
  repo: RepoTarget,
  entry: DirEntry,
  rows: ReadonlyMap<string, AnyRow>,
  signal: AbortSignal,
  tally: Tally,
): Promise<string | null> {
  const stem = IMAGE_FILE.exec(entry.filename)![1]!
  const row = rows.get(`path:${IMAGES_DIR}/${entry.filename}`) ?? rows.get(stem)
  const client = deps.client()
  const ext = IMAGE_FILE.exec(entry.filename)![2]!.toLowerCase()
  const tempPath = deps.library.tempFilePath(ext === 'jpeg' ? 'jpg' : ext)
  try {
    const url = repoFileUrl(client, repo.namespace, repo.name, BRANCH, `${IMAGES_DIR}/${entry.filename}`)
    await withRetries(() => client.download(url, tempPath, { signal, readTimeoutMs: READ_TIMEOUT_MS }), deps.retry ?? DEFAULT_RETRY, signal)
    const embedded = await readRecipe(tempPath)
    const recipe = embedded ? recipePart(embedded) : row ? recipeFromRow(row) : null
    if (!recipe) {
      deps.log.info('a pulled file has no recipe (in the file or the data frame); left out', { repo: `${repo.namespace}/${repo.name}`, file: entry.filename })
      tally.skipped++
      return null
    }
    const before = deps.library.imageForGeneration(recipe.generationId)
    if (before) {
      tally.already.push(before.id)
      return before.id
    }
    let saved
    try {
      // Its own creation time (the file's recipe, else the frame's row), so it sorts where it was made, not when pulled.
      const createdAt = embedded?.createdAt ?? (typeof row?.created === 'string' ? Date.parse(row.created) : Number.NaN)
      saved = await deps.library.saveImage({ tempPath, recipe, ...(Number.isFinite(createdAt) ? { createdAt } : {}) })
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'oxen-error') throw error
      deps.log.info('a pulled file is not a readable image; left out', { repo: `${repo.namespace}/${repo.name}`, file: entry.filename, error })
      tally.unreadable++
      return null
    }
    const own = row ?? rows.get(saved.id)
    const { rating, pick } = triageOf(own)
    if (rating) await deps.queries.setRating([saved.id], rating)
    if (pick) await deps.queries.setPick([saved.id], pick)
    const cost = costOf(own) ?? embedded?.cost ?? null
    if (cost !== null) deps.library.setImageCost(saved.id, cost)
    tally.added.push(saved.id)
    deps.onLibraryChanged([saved.id])
    return saved.id
  } finally {
    await rm(tempPath, { force: true }) // saveImage moved it away, or it is left over from a failure
  }
}

function pulledMessage(label: string, t: Tally, files: number): string {
  const skipped =
    (t.skipped > 0 ? ` ${plural(t.skipped, 'file')} had no recipe (in the file or the data frame) and ${t.skipped === 1 ? 'was' : 'were'} left out.` : '') +
    (t.unreadable > 0 ? ` ${plural(t.unreadable, 'file')} ${t.unreadable === 1 ? 'was not a readable image' : 'were not readable images'} and ${t.unreadable === 1 ? 'was' : 'were'} left out.` : '')
  if (files === 0) return `There are no images in ${label} yet.`
  if (t.added.length === 0) {
    const already = t.already.length
    return already > 0
      ? `Nothing new in ${label}: ${already === 1 ? 'its image is' : `all ${already} images are`} already in your library, on the board of the same name.${skipped}`
      : `Nothing was pulled from ${label}.${skipped}`
  }
  const already = t.already.length > 0 ? `; ${t.already.length} ${t.already.length === 1 ? 'was' : 'were'} already in your library` : ''
  return `Pulled ${plural(t.added.length, 'new image')} from ${label} onto the board of the same name${already}.${skipped}`
}
