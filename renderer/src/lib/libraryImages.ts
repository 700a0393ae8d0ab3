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
