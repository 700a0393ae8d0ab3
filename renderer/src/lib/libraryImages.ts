// How a library image is named and described in the UI.
import type { LibraryImage } from '../../../shared/domain'
import type { PreviewItem } from '../store/preview'
import { imageAlt } from './format'

/** An image's place in its job ("image 2 of 3"). */
export interface Ordinal {
  index: number
  count: number
}

/** Where an image sits in its job, as main reports it. */
export const ordinalOf = (image: LibraryImage): Ordinal => ({ index: image.index, count: image.jobCount })

/** Where each image sits in its job, as main reports it. */
export function ordinalsOf(items: readonly LibraryImage[]): Map<string, Ordinal> {
  return new Map(items.map((image) => [image.id, ordinalOf(image)]))
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
