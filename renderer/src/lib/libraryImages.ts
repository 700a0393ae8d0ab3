// How a library image is named and described in the UI.
import type { LibraryImage } from '../../../shared/domain'
import { useHistory } from '../store/history'
import { useJobs } from '../store/jobs'
import type { PreviewItem } from '../store/preview'
import { imageAlt } from './format'

/** An image's place in its job ("image 2 of 3"). */
export interface Ordinal {
  index: number
  count: number
}

/** An image's place as this session's jobs or the recent history know it. */
function knownOrdinal(image: LibraryImage): Ordinal | undefined {
  const job = useJobs.getState().byId[image.jobId]
  const slot = job?.images.find((i) => i.imageId === image.id)
  if (job && slot) return { index: slot.index, count: job.count }
  const entry = useHistory.getState().entries.find((e) => e.jobId === image.jobId)
  const at = entry ? entry.images.findIndex((i) => i.id === image.id) : -1
  if (entry && at >= 0) return { index: at, count: entry.images.length }
  return undefined
}

/**
 * Where each image sits in its job. The contract's LibraryImage does not carry its index or its job's count yet
 * (proposed: `index`, `jobCount`); when main sends them they are used, else what this session's jobs or the recent
 * history know, else the images of the same job among those loaded, in the order they were saved.
 */
export function ordinalsOf(items: readonly LibraryImage[]): Map<string, Ordinal> {
  const byJob = new Map<string, LibraryImage[]>()
  for (const image of items) {
    const siblings = byJob.get(image.jobId)
    if (siblings) siblings.push(image)
    else byJob.set(image.jobId, [image])
  }
  const ordinals = new Map<string, Ordinal>()
  for (const siblings of byJob.values()) {
    const ordered = [...siblings].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    ordered.forEach((image, i) => {
      const told = image as LibraryImage & { index?: number; jobCount?: number }
      const known = typeof told.index === 'number' && typeof told.jobCount === 'number' ? { index: told.index, count: told.jobCount } : knownOrdinal(image)
      ordinals.set(image.id, known ?? { index: i, count: ordered.length })
    })
  }
  return ordinals
}

export function libraryAlt(image: LibraryImage, ordinal: Ordinal | undefined): string {
  return imageAlt(image.prompt, ordinal?.index ?? 0, ordinal?.count ?? 1)
}

export function toPreviewItem(image: LibraryImage, alt: string): PreviewItem {
  return {
    key: image.id,
    src: image.url,
    thumbSrc: image.thumbUrl,
    alt,
    prompt: image.prompt,
    params: image.params,
    createdAt: image.createdAt,
    width: image.width,
    height: image.height,
    bytes: image.bytes,
    format: image.format,
    ...(image.cost !== undefined ? { cost: image.cost } : {}),
  }
}

const EXTENSIONS = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const
const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const

/** A file name that says what the image is: the prompt's first words and the image id. */
export function fileNameFor(image: LibraryImage): string {
  const words = image.prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '')
  return `${words || 'atelier'}-${image.id.slice(0, 8)}.${EXTENSIONS[image.format]}`
}

export const mimeOf = (image: LibraryImage) => MIME[image.format]

/** The greatest common divisor, for "16:9" from pixel dimensions. */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/** The pixel dimensions' ratio, e.g. 2048 × 1152 → "16:9" (falls back to one decimal, e.g. "1.78:1"). */
export function aspectOf(width: number, height: number): string {
  const d = gcd(width, height)
  const w = width / d
  const h = height / d
  return w <= 32 && h <= 32 ? `${w}:${h}` : `${(width / height).toFixed(2)}:1`
}
