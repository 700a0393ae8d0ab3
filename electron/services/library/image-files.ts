// What the library reads off an image with sharp, and the one thumbnail pipeline (images, references, rebuilds).
import type { Metadata, Sharp } from 'sharp'
import { ImageFormatSchema, type ImageFormat } from '../../../shared/domain'

/** Long side of a thumbnail, in pixels: the library grid's tiles, the composer's reference chips. */
export const THUMB_SIDE = { image: 512, reference: 256 } as const

/** The thumbnail of `source` (its input options are the caller's): EXIF orientation applied, fitted inside the side, never enlarged, WebP. */
export function thumbnail(source: Sharp, kind: keyof typeof THUMB_SIDE): Sharp {
  const side = THUMB_SIDE[kind]
  return source.rotate().resize(side, side, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 })
}

/**
 * Format and pixel size from sharp's metadata, the size as shown (EXIF orientation applied, as in thumbnails); null
 * for anything but a PNG, JPEG or WebP with a size.
 */
export function describeImage(meta: Metadata): { format: ImageFormat; width: number; height: number } | null {
  const format = ImageFormatSchema.safeParse(meta.format)
  if (!format.success || !meta.width || !meta.height) return null
  return { format: format.data, width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height }
}
