// The data frame a push writes beside the images: `images.jsonl` at the repository's root, one JSON object per
// image. `image` (the file's path) and `caption` (the prompt) are the columns Oxen's image fine-tuning takes; the
// rest is the image's recipe and triage. A push merges its rows into the remote frame by image id (other people's
// rows stay) and writes it back sorted by image path, so the same images always make the same bytes.
import { IMAGE_FORMATS, SEED_PARAM, type LibraryImage, type ParamValue } from '../../../shared/domain'
import type { ImageRecipe } from '../library/library'
import type { ImageFile } from '../library/query'

export const FRAME_PATH = 'images.jsonl'
export const IMAGES_DIR = 'images'

export interface FrameRow {
  /** The file's path in the repository, e.g. `images/<id>.png`: the fine-tuning image column. */
  image: string
  /** The prompt: the fine-tuning caption column. */
  caption: string
  image_id: string
  generation_id: string
  prompt: string
  model: string
  /** Every parameter the image was made with (the seed included). */
  params: Record<string, ParamValue>
  seed: number | null
  /** 0–5 stars. */
  rating: number
  pick: 'pick' | 'reject' | null
  /** USD, a decimal string, when known. */
  cost: string | null
  /** ISO 8601. */
  created: string
  /** The library images it was made from (their ids), else its reference images' hashes. */
  source_images: string[]
  width: number
  height: number
}

/** A row as read from a remote frame: anything; ours when `image_id` is a string. */
export type AnyRow = Record<string, unknown>

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `images/<id>.<ext>`: where an image's file lives in the repository. */
export function repoImagePath(image: Pick<LibraryImage, 'id' | 'format'>): string {
  return `${IMAGES_DIR}/${image.id}.${IMAGE_FORMATS[image.format].ext}`
}

const pickName = (pick: number): FrameRow['pick'] => (pick === 1 ? 'pick' : pick === -1 ? 'reject' : null)

export function pickFlag(pick: unknown): -1 | 0 | 1 {
  return pick === 'pick' ? 1 : pick === 'reject' ? -1 : 0
}

/** One image's row. `sourceOf` maps reference hashes to the library image each was made from. */
export function frameRow(file: ImageFile, sourceOf: ReadonlyMap<string, string>): FrameRow {
  const { image, recipe } = file
  const seed = recipe.params[SEED_PARAM]
  return {
    image: repoImagePath(image),
    caption: recipe.prompt,
    image_id: image.id,
    generation_id: image.generationId,
    prompt: recipe.prompt,
    model: recipe.modelId,
    params: recipe.params,
    seed: typeof seed === 'number' ? seed : null,
    rating: image.rating,
    pick: pickName(image.pick),
    cost: image.cost ?? null,
    created: new Date(image.createdAt).toISOString(),
    source_images: recipe.references.map((hash) => sourceOf.get(hash) ?? hash),
    width: image.width,
    height: image.height,
  }
}

/** The rows of a JSON Lines frame; lines that are not JSON objects are kept as they are (never lost on a merge). */
export function parseFrame(bytes: Buffer | null): (AnyRow | string)[] {
  if (!bytes) return []
  const rows: (AnyRow | string)[] = []
  for (const line of bytes.toString('utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const value: unknown = JSON.parse(line)
      rows.push(isRecord(value) ? value : line)
    } catch {
      rows.push(line)
    }
  }
  return rows
}

const imageOf = (row: AnyRow | string) => (typeof row === 'string' ? null : typeof row.image === 'string' ? row.image : null)

/**
 * The remote rows with ours upserted by image id, sorted by image path (rows without one last, in their order),
 * as JSON Lines bytes.
 */
export function mergeFrame(remote: readonly (AnyRow | string)[], ours: readonly FrameRow[]): Buffer {
  const byId = new Map(ours.map((r) => [r.image_id, r]))
  const kept = remote.filter((row) => typeof row === 'string' || typeof row.image_id !== 'string' || !byId.has(row.image_id))
  const rows: (AnyRow | string)[] = [...kept, ...ours.map((r) => ({ ...r }))]
  const order = rows.map((row, at) => ({ row, at, image: imageOf(row) }))
  order.sort((a, b) => {
    if (a.image === null || b.image === null) return a.image === null ? (b.image === null ? a.at - b.at : 1) : -1
    return a.image < b.image ? -1 : a.image > b.image ? 1 : a.at - b.at
  })
  return Buffer.from(order.map(({ row }) => (typeof row === 'string' ? row : JSON.stringify(row)) + '\n').join(''), 'utf8')
}

/** A frame's rows by image id (ours and any other row that names one). */
export function rowsById(rows: readonly (AnyRow | string)[]): Map<string, AnyRow> {
  const map = new Map<string, AnyRow>()
  for (const row of rows) if (typeof row !== 'string' && typeof row.image_id === 'string') map.set(row.image_id, row)
  return map
}

const REFERENCE_HASH = /^[0-9a-f]{64}$/

/**
 * The recipe a row describes, for a pulled file that carries none: null unless it names the generation, the model and
 * the prompt. Each such image becomes a job of its own.
 */
export function recipeFromRow(row: AnyRow): ImageRecipe | null {
  const { generation_id: generationId, model, prompt } = row
  if (typeof generationId !== 'string' || !generationId || typeof model !== 'string' || !model || typeof prompt !== 'string') return null
  const params: Record<string, ParamValue> = isRecord(row.params) ? { ...(row.params as Record<string, ParamValue>) } : {}
  if (typeof row.seed === 'number' && params[SEED_PARAM] === undefined) params[SEED_PARAM] = row.seed
  const sources = Array.isArray(row.source_images) ? row.source_images : []
  return {
    jobId: `pulled-${generationId}`,
    generationId,
    index: 0,
    count: 1,
    modelId: model,
    prompt,
    params,
    references: sources.filter((s): s is string => typeof s === 'string' && REFERENCE_HASH.test(s)),
  }
}

/** A row's rating (0–5) and pick flag, when it states them. */
export function triageOf(row: AnyRow | undefined): { rating: number | null; pick: -1 | 0 | 1 | null } {
  if (!row) return { rating: null, pick: null }
  const rating = typeof row.rating === 'number' && Number.isInteger(row.rating) && row.rating >= 0 && row.rating <= 5 ? row.rating : null
  const pick = 'pick' in row && (row.pick === null || row.pick === 'pick' || row.pick === 'reject') ? pickFlag(row.pick) : null
  return { rating, pick }
}

/** A row's cost, when it states a decimal one. */
export function costOf(row: AnyRow | undefined): string | null {
  const cost = row?.cost
  return typeof cost === 'string' && /^\d+(\.\d+)?$/.test(cost) ? cost : typeof cost === 'number' && Number.isFinite(cost) ? String(cost) : null
}
