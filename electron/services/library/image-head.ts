// The recipe and the pixel size of an image file, from its head alone (rebuilds): what readRecipe finds and what
// sharp's metadata reports, without decoding a pixel or loading libvips. The container parsing it shares with
// readRecipe (FileHead, the PNG/JPEG/WebP constants, the XMP and iTXt readers) lives in image-metadata.ts.
import { open } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import type { ImageFormat } from '../../../shared/domain'
import {
  FileHead,
  itxtText,
  JPEG_EXIF_HEADER,
  JPEG_XMP_HEADER,
  MAX_METADATA_BYTES,
  parseRecipe,
  PNG_SIGNATURE,
  readWebpRecipe,
  RECIPE_KEYWORD,
  recipeFromXmp,
  simpleWebpInfo,
  startsWith,
  type Recipe,
} from './image-metadata'

/** VP8X flags that make the header's canvas not what sharp reports (see webpSize). */
const WEBP_EXIF_FLAG = 0x08
const WEBP_ANIMATION_FLAG = 0x02

/** Format and pixel size as shown (EXIF orientation applied), as image-files' describeImage reads them off sharp. */
export interface ImageSize {
  format: ImageFormat
  width: number
  height: number
}

export interface ImageHead {
  recipe: Recipe | null
  /** Null when the head alone cannot tell it for certain (an animated or EXIF-carrying WebP, an odd header): ask sharp. */
  size: ImageSize | null
  /** The file's length. */
  bytes: number
}

/**
 * The recipe (as readRecipe finds it) and the size (as sharp's metadata gives it) of a PNG, JPEG or WebP, from the
 * same reads of the file's head: IHDR/eXIf before IDAT, SOFn/Exif before SOS, the VP8X/VP8/VP8L header. One open,
 * no pixel decoded, no libvips. Null for anything else; rejects only when the file cannot be opened or read.
 */
export async function readImageHead(path: string): Promise<ImageHead | null> {
  const file = await open(path, 'r')
  try {
    const head = new FileHead(file)
    const [{ size: bytes }, magic] = await Promise.all([file.stat(), head.read(0, 12)])
    if (!magic) return null
    if (magic.subarray(0, 8).equals(PNG_SIGNATURE)) return { ...(await readPngHead(head)), bytes }
    if (magic[0] === 0xff && magic[1] === 0xd8) return { ...(await readJpegHead(head)), bytes }
    if (magic.toString('latin1', 0, 4) === 'RIFF' && magic.toString('latin1', 8, 12) === 'WEBP') {
      return { recipe: await readWebpRecipe(head), size: await webpSize(head), bytes }
    }
    return null
  } finally {
    await file.close()
  }
}

/** Sides swapped for EXIF orientations 5–8 (a quarter turn), as sharp's autoOrient reports them; null for unreadable EXIF. */
function oriented(size: ImageSize, exif: Buffer | null): ImageSize | null {
  if (exif === null) return size
  const orientation = exifOrientation(exif)
  if (orientation === null) return null
  return orientation >= 5 && orientation <= 8 ? { ...size, width: size.height, height: size.width } : size
}

/** Tag 0x0112 of IFD0 in a TIFF-structured EXIF block; 1 when absent; null when the block is malformed. */
function exifOrientation(tiff: Buffer): number | null {
  if (tiff.length < 8) return null
  const order = tiff.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') return null
  const le = order === 'II'
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at))
  const ifd = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4)
  if (ifd + 2 > tiff.length) return null
  const entries = u16(ifd)
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12
    if (entry + 12 > tiff.length) return null
    if (u16(entry) === 0x0112) return u16(entry + 8)
  }
  return 1
}

async function readPngHead(head: FileHead): Promise<{ recipe: Recipe | null; size: ImageSize | null }> {
  const wanted = Buffer.from(`${RECIPE_KEYWORD}\0`, 'latin1')
  let recipe: Recipe | null = null
  let recipeSeen = false
  let size: ImageSize | null = null
  let exif: Buffer | null = null
  for (let at = 8; ; ) {
    const header = await head.read(at, 8)
    if (!header) return { recipe, size: null }
    const length = header.readUInt32BE(0)
    const type = header.toString('latin1', 4, 8)
    if (length > 0x7fffffff || type === 'IEND') return { recipe, size: null }
    if (type === 'IDAT') return { recipe, size: size && oriented(size, exif) }
    if (at === 8) {
      if (type !== 'IHDR' || length !== 13) return { recipe: null, size: null }
      const ihdr = await head.read(at + 8, 8)
      if (!ihdr) return { recipe: null, size: null }
      const width = ihdr.readUInt32BE(0)
      const height = ihdr.readUInt32BE(4)
      if (width > 0 && height > 0) size = { format: 'png', width, height }
    } else if (type === 'eXIf') {
      if (length > MAX_METADATA_BYTES) return { recipe, size: null }
      exif = await head.read(at + 8, length)
      if (!exif) return { recipe, size: null }
    } else if (!recipeSeen && type === 'iTXt' && length > wanted.length && length <= MAX_METADATA_BYTES) {
      const keyword = await head.read(at + 8, wanted.length)
      if (keyword?.equals(wanted)) {
        // As readPngRecipe: the first recipe chunk is the one; a bad one means no recipe.
        recipeSeen = true
        const chunk = await head.read(at, 12 + length)
        if (chunk && crc32(chunk.subarray(4, 8 + length)) === chunk.readUInt32BE(8 + length)) {
          const text = itxtText(chunk.subarray(8 + wanted.length, 8 + length))
          recipe = text === null ? null : parseRecipe(text)
        }
      }
    }
    at += 12 + length
  }
}

async function readJpegHead(head: FileHead): Promise<{ recipe: Recipe | null; size: ImageSize | null }> {
  let recipe: Recipe | null = null
  let recipeSeen = false
  let size: ImageSize | null = null
  let exif: Buffer | null = null
  for (let at = 2; ; ) {
    const header = await head.read(at, 4)
    if (!header || header[0] !== 0xff) return { recipe, size: null }
    const marker = header[1]!
    if (marker === 0xff) {
      at++ // fill byte
      continue
    }
    if (marker === 0xda) return { recipe, size: size && oriented(size, exif) }
    if (marker === 0xd9) return { recipe, size: null }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    const length = header.readUInt16BE(2)
    if (length < 2) return { recipe, size: null }
    if (marker === 0xe1 && length - 2 > JPEG_XMP_HEADER.length && !recipeSeen) {
      const payload = await head.read(at + 4, length - 2)
      if (!payload) return { recipe, size: null }
      if (startsWith(payload, JPEG_XMP_HEADER)) {
        // As readJpegRecipe: the first XMP packet decides.
        recipeSeen = true
        recipe = recipeFromXmp(payload.toString('utf8', JPEG_XMP_HEADER.length))
      }
    }
    if (marker === 0xe1 && exif === null && length - 2 > JPEG_EXIF_HEADER.length) {
      const payload = await head.read(at + 4, length - 2)
      if (!payload) return { recipe, size: null }
      if (startsWith(payload, JPEG_EXIF_HEADER)) exif = payload.subarray(JPEG_EXIF_HEADER.length)
    }
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && size === null) {
      const sof = await head.read(at + 4, 5)
      if (!sof) return { recipe, size: null }
      const height = sof.readUInt16BE(1)
      const width = sof.readUInt16BE(3)
      if (width > 0 && height > 0) size = { format: 'jpeg', width, height }
    }
    at += 2 + length
  }
}

/** The canvas of a still WebP without EXIF (sharp reads no orientation but EXIF's); null for anything else. */
async function webpSize(head: FileHead): Promise<ImageSize | null> {
  const header = await head.read(12, 8)
  if (!header) return null
  const fourcc = header.toString('latin1', 0, 4)
  const chunk = await head.read(20, Math.min(header.readUInt32LE(4), 10))
  if (!chunk) return null
  if (fourcc === 'VP8X') {
    if (chunk.length < 10 || chunk[0]! & (WEBP_EXIF_FLAG | WEBP_ANIMATION_FLAG)) return null
    return { format: 'webp', width: chunk.readUIntLE(4, 3) + 1, height: chunk.readUIntLE(7, 3) + 1 }
  }
  try {
    const { width, height } = simpleWebpInfo(fourcc, chunk)
    return width > 0 && height > 0 ? { format: 'webp', width, height } : null
  } catch {
    return null
  }
}
