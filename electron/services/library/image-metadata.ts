// Every saved image carries its recipe inside the file, so the library index can be rebuilt from the files
// alone and other tools (exiftool, photo managers) show the prompt.
//
//   PNG   iTXt `atelier:recipe` (uncompressed UTF-8 JSON of the Recipe) and iTXt `XML:com.adobe.xmp`
//         (dc:description = prompt), both right after IHDR so a reader finds them in the first few KB.
//   JPEG  APP1 XMP after SOI/APP0/Exif: dc:description = prompt, atelier:Recipe = the Recipe JSON.
//   WebP  RIFF `XMP ` chunk with the same packet as JPEG; a simple (VP8/VP8L) file gains a VP8X header.
//
// Only metadata chunks/segments are inserted or removed; pixel data is copied byte for byte. A file holds one
// XMP packet, so embedding replaces any existing one (ours or another tool's) instead of adding a second.
import { open, type FileHandle } from 'node:fs/promises'
import { crc32, inflateSync } from 'node:zlib'
import { z } from 'zod'
import { ParamValueSchema, ReferenceHashSchema, type ParamValue } from '../../../shared/domain'

/** PNG iTXt keyword of the recipe chunk (1–79 Latin-1 characters; namespaced so no other tool collides). */
export const RECIPE_KEYWORD = 'atelier:recipe'
/** XMP namespace of `atelier:Recipe` (JPEG and WebP). */
export const ATELIER_XMP_NS = 'https://atelier.app/ns/1.0/'

export interface Recipe {
  version: 1
  app: 'Atelier'
  imageId: string
  jobId: string
  generationId: string
  index: number
  count: number
  modelId: string
  prompt: string
  params: Record<string, ParamValue>
  /** Reference image SHA-256 hashes. */
  references: string[]
  /** Unix ms. */
  createdAt: number
  cost?: string
}

export const RecipeSchema: z.ZodType<Recipe> = z.object({
  version: z.literal(1),
  app: z.literal('Atelier'),
  imageId: z.string().min(1),
  jobId: z.string().min(1),
  generationId: z.string().min(1),
  index: z.int().nonnegative(),
  count: z.int().positive(),
  modelId: z.string().min(1),
  prompt: z.string(),
  params: z.record(z.string(), ParamValueSchema),
  references: z.array(ReferenceHashSchema),
  createdAt: z.number(),
  cost: z.string().optional(),
})

// The file-format constants and head-reading helpers that are exported here are shared with image-head.ts.
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp'
const PNG_TEXT_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt'])
export const JPEG_XMP_HEADER = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1')
const JPEG_XMP_EXTENSION_HEADER = Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1')
export const JPEG_EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1')
/** An APP1 segment's length field counts itself (2 bytes) and tops out at 0xFFFF. */
const MAX_JPEG_XMP_BYTES = 0xffff - 2 - JPEG_XMP_HEADER.length
const WEBP_XMP_FLAG = 0x04
const WEBP_ALPHA_FLAG = 0x10
/** Largest metadata block readRecipe loads; a chunk that claims more is not ours (or is garbage). */
export const MAX_METADATA_BYTES = 4 << 20
/** readRecipe reads the file in blocks of this size; Atelier's own files need exactly one. */
const READ_BLOCK = 64 << 10

// ---------- embedding ----------

/**
 * Returns new file bytes with the recipe embedded, replacing an earlier recipe and XMP packet. Never re-encodes
 * pixels. Throws on bytes that are not the stated format, on an invalid recipe, and (JPEG only) with a RangeError
 * when the recipe JSON alone exceeds the 64 KB APP1 limit — impossible within the domain limits unless `params`
 * holds tens of KB; the caller may then save the file without a recipe. When the prompt plus the recipe exceed that
 * limit (a near-8000-character prompt full of characters XML must escape), the JPEG description is cut short
 * with "…"; the recipe, and so readRecipe, always keeps the whole prompt.
 */
export function embedRecipe(bytes: Buffer, format: 'png' | 'jpeg' | 'webp', recipe: Recipe): Buffer {
  const valid = RecipeSchema.parse(recipe)
  switch (format) {
    case 'png':
      return embedPng(bytes, valid)
    case 'jpeg':
      return embedJpeg(bytes, valid)
    case 'webp':
      return embedWebp(bytes, valid)
  }
}

function embedPng(bytes: Buffer, recipe: Recipe): Buffer {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('embedRecipe: not a PNG file')
  const kept: Buffer[] = []
  let at = 8
  let ihdr: Buffer | null = null
  let ended = false
  while (!ended) {
    if (at + 12 > bytes.length) throw new Error('embedRecipe: the PNG file is truncated')
    const length = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    const end = at + 12 + length
    if (end > bytes.length) throw new Error('embedRecipe: the PNG file is truncated')
    const chunk = bytes.subarray(at, end)
    if (ihdr === null) {
      if (type !== 'IHDR') throw new Error('embedRecipe: the PNG file does not start with IHDR')
      ihdr = chunk
    } else if (!(PNG_TEXT_CHUNKS.has(type) && isOurPngKeyword(textKeyword(chunk.subarray(8, 8 + length))))) {
      kept.push(chunk)
    }
    ended = type === 'IEND'
    at = end
  }
  const recipeChunk = pngChunk('iTXt', itxtData(RECIPE_KEYWORD, JSON.stringify(recipe)))
  const xmpChunk = pngChunk('iTXt', itxtData(PNG_XMP_KEYWORD, xmpPacket(escapeXml(recipe.prompt), null)))
  // Bytes after IEND (some encoders leave some) are kept as they were.
  return Buffer.concat([PNG_SIGNATURE, ihdr!, recipeChunk, xmpChunk, ...kept, bytes.subarray(at)])
}

function isOurPngKeyword(keyword: string | null): boolean {
  return keyword === RECIPE_KEYWORD || keyword === PNG_XMP_KEYWORD
}

function textKeyword(data: Buffer): string | null {
  const nul = data.indexOf(0)
  return nul >= 1 && nul <= 79 ? data.toString('latin1', 0, nul) : null
}

/** Uncompressed iTXt: keyword, NUL, compression flag 0, method 0, empty language, NUL, empty translation, NUL, text. */
function itxtData(keyword: string, text: string): Buffer {
  return Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')])
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

function embedJpeg(bytes: Buffer, recipe: Recipe): Buffer {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('embedRecipe: not a JPEG file')
  const leading: Buffer[] = [] // APP0 (JFIF) and Exif APP1 stay first, where readers expect them
  const rest: Buffer[] = []
  let at = 2
  for (;;) {
    const start = at
    if (bytes[at] !== 0xff) throw new Error('embedRecipe: the JPEG file is malformed')
    while (bytes[at + 1] === 0xff) at++ // fill bytes
    const marker = bytes[at + 1]
    if (marker === undefined) throw new Error('embedRecipe: the JPEG file is truncated')
    if (marker === 0xda || marker === 0xd9) {
      at = start
      break // SOS (or EOI): everything from here on is copied as it is
    }
    let end = at + 2
    if (!(marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7))) {
      if (at + 4 > bytes.length) throw new Error('embedRecipe: the JPEG file is truncated')
      end = at + 2 + bytes.readUInt16BE(at + 2)
      if (end > bytes.length || end < at + 4) throw new Error('embedRecipe: the JPEG file is truncated')
    }
    const segment = bytes.subarray(start, end)
    const payload = bytes.subarray(at + 4, end)
    at = end
    if (marker === 0xe1 && (startsWith(payload, JPEG_XMP_HEADER) || startsWith(payload, JPEG_XMP_EXTENSION_HEADER))) continue
    const stillLeading = rest.length === 0 && (marker === 0xe0 || (marker === 0xe1 && startsWith(payload, JPEG_EXIF_HEADER)))
    ;(stillLeading ? leading : rest).push(segment)
  }
  const packet = Buffer.from(fittedJpegXmp(recipe), 'utf8')
  const app1 = Buffer.alloc(4 + JPEG_XMP_HEADER.length)
  app1.writeUInt16BE(0xffe1, 0)
  app1.writeUInt16BE(2 + JPEG_XMP_HEADER.length + packet.length, 2)
  JPEG_XMP_HEADER.copy(app1, 4)
  return Buffer.concat([bytes.subarray(0, 2), ...leading, app1, packet, ...rest, bytes.subarray(at)])
}

export function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.subarray(0, prefix.length).equals(prefix)
}

function fittedJpegXmp(recipe: Recipe): string {
  const json = escapeXml(recipeJsonForXml(recipe))
  const full = xmpPacket(escapeXml(recipe.prompt), json)
  if (Buffer.byteLength(full) <= MAX_JPEG_XMP_BYTES) return full
  const budget = MAX_JPEG_XMP_BYTES - Buffer.byteLength(xmpPacket('', json))
  if (budget < 0) throw new RangeError('embedRecipe: the recipe is too large for a JPEG XMP segment (64 KB)')
  return xmpPacket(truncatedEscaped(recipe.prompt, budget), json)
}

/** The escaped text, cut at a character boundary (ending in "…") so it takes at most `budget` UTF-8 bytes. */
function truncatedEscaped(text: string, budget: number): string {
  const ellipsis = '…'
  let out = ''
  let used = Buffer.byteLength(ellipsis)
  if (used > budget) return ''
  for (const ch of text) {
    const escaped = escapeXml(ch)
    used += Buffer.byteLength(escaped)
    if (used > budget) break
    out += escaped
  }
  return out + ellipsis
}

function embedWebp(bytes: Buffer, recipe: Recipe): Buffer {
  if (bytes.length < 20 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WEBP') {
    throw new Error('embedRecipe: not a WebP file')
  }
  const riffEnd = 8 + bytes.readUInt32LE(4)
  if (riffEnd > bytes.length) throw new Error('embedRecipe: the WebP file is truncated')
  const chunks: { fourcc: string; data: Buffer; raw: Buffer }[] = []
  for (let at = 12; at + 8 <= riffEnd; ) {
    const fourcc = bytes.toString('latin1', at, at + 4)
    const size = bytes.readUInt32LE(at + 4)
    const end = at + 8 + size + (size & 1)
    if (at + 8 + size > riffEnd) throw new Error('embedRecipe: the WebP file is truncated')
    chunks.push({ fourcc, data: bytes.subarray(at + 8, at + 8 + size), raw: bytes.subarray(at, Math.min(end, riffEnd)) })
    at = end
  }
  const first = chunks[0]
  if (!first) throw new Error('embedRecipe: the WebP file has no image')
  let vp8x: Buffer
  let body = chunks.filter((c) => c.fourcc !== 'XMP ')
  if (first.fourcc === 'VP8X') {
    if (first.data.length < 10) throw new Error('embedRecipe: the WebP file is malformed')
    vp8x = Buffer.from(first.data)
    body = body.slice(1)
  } else {
    const { width, height, alpha } = simpleWebpInfo(first.fourcc, first.data)
    vp8x = Buffer.alloc(10)
    if (alpha) vp8x[0] = WEBP_ALPHA_FLAG
    vp8x.writeUIntLE(width - 1, 4, 3)
    vp8x.writeUIntLE(height - 1, 7, 3)
  }
  vp8x[0] = vp8x[0]! | WEBP_XMP_FLAG
  const packet = Buffer.from(xmpPacket(escapeXml(recipe.prompt), escapeXml(recipeJsonForXml(recipe))), 'utf8')
  // A last chunk may lack its pad byte; restore it so the appended XMP chunk starts on an even offset.
  const kept = body.map((c) => (c.raw.length & 1 ? Buffer.concat([c.raw, Buffer.alloc(1)]) : c.raw))
  const parts = [riffChunk('VP8X', vp8x), ...kept, riffChunk('XMP ', packet)]
  const header = Buffer.alloc(12)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(4 + parts.reduce((sum, p) => sum + p.length, 0), 4)
  header.write('WEBP', 8, 'latin1')
  return Buffer.concat([header, ...parts])
}

/** Canvas size of a simple-format WebP, from its VP8 (lossy) or VP8L (lossless) bitstream header. */
export function simpleWebpInfo(fourcc: string, data: Buffer): { width: number; height: number; alpha: boolean } {
  if (fourcc === 'VP8 ' && data.length >= 10 && data[3] === 0x9d && data[4] === 0x01 && data[5] === 0x2a) {
    return { width: data.readUInt16LE(6) & 0x3fff, height: data.readUInt16LE(8) & 0x3fff, alpha: false }
  }
  if (fourcc === 'VP8L' && data.length >= 5 && data[0] === 0x2f) {
    const bits = data.readUInt32LE(1)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 }
  }
  throw new Error('embedRecipe: the WebP file is malformed')
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const out = Buffer.alloc(8 + data.length + (data.length & 1))
  out.write(fourcc, 0, 'latin1')
  out.writeUInt32LE(data.length, 4)
  data.copy(out, 8)
  return out
}

// ---------- XMP ----------

/** `description` and `recipeJson` arrive XML-escaped; null leaves the property out. */
function xmpPacket(description: string | null, recipeJson: string | null): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"${
      recipeJson === null ? '' : ` xmlns:atelier="${ATELIER_XMP_NS}"`
    }>`,
    '<xmp:CreatorTool>Atelier</xmp:CreatorTool>',
    description === null
      ? ''
      : `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${description}</rdf:li></rdf:Alt></dc:description>`,
    recipeJson === null ? '' : `<atelier:Recipe>${recipeJson}</atelier:Recipe>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ]
    .filter(Boolean)
    .join('\n')
}

/** Characters XML 1.0 cannot hold at all, not even as references (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' }

/** Escapes for element or attribute text; characters XML cannot carry are dropped (the recipe JSON keeps them). */
function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!)
}

/**
 * JSON.stringify already writes C0 controls and lone surrogates as \u escapes; U+FFFE/U+FFFF are the only
 * characters it leaves raw that XML cannot hold, so escape those too and the JSON survives escapeXml unchanged.
 */
function recipeJsonForXml(recipe: Recipe): string {
  return JSON.stringify(recipe).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[ref.toLowerCase()] ?? whole
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

/** The atelier:Recipe property as element or attribute, under whatever prefix the packet binds our namespace to. */
export function recipeFromXmp(xml: string): Recipe | null {
  const binding = /xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']https:\/\/atelier\.app\/ns\/1\.0\/["']/.exec(xml)
  if (!binding) return null
  const prefix = binding[1]!.replace(/\./g, '\\.')
  const element = new RegExp(`<${prefix}:Recipe(?:\\s[^>]*)?>([^<]*)</${prefix}:Recipe>`).exec(xml)
  const attribute = element ? null : new RegExp(`\\s${prefix}:Recipe\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xml)
  const escaped = element?.[1] ?? attribute?.[1] ?? attribute?.[2]
  return escaped === undefined ? null : parseRecipe(unescapeXml(escaped))
}

export function parseRecipe(json: string): Recipe | null {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null // not JSON: not a recipe Atelier wrote, so the file has none
  }
  const parsed = RecipeSchema.safeParse(value)
  return parsed.success ? parsed.data : null
}

// ---------- reading ----------

/** Positioned reads through one reusable block, so walking a file's head costs one read in the usual case. */
export class FileHead {
  private block = Buffer.alloc(0)
  private blockStart = 0
  constructor(private readonly file: FileHandle) {}

  /** `length` bytes at `offset`, or null when the file ends first. */
  async read(offset: number, length: number): Promise<Buffer | null> {
    const from = offset - this.blockStart
    if (from >= 0 && from + length <= this.block.length) return this.block.subarray(from, from + length)
    const size = Math.max(length, READ_BLOCK)
    const buffer = Buffer.allocUnsafe(size)
    const { bytesRead } = await this.file.read(buffer, 0, size, offset)
    this.block = buffer.subarray(0, bytesRead)
    this.blockStart = offset
    return bytesRead >= length ? this.block.subarray(0, length) : null
  }
}

/**
 * The recipe embedded in an image file, or null when it has none or it is unreadable (truncated, garbage, not
 * PNG/JPEG/WebP, an invalid recipe). Reads only the file's head: PNG chunks up to IDAT, JPEG segments up to SOS,
 * WebP chunk headers up to `XMP `. Rejects only when the file cannot be opened or read.
 */
export async function readRecipe(path: string): Promise<Recipe | null> {
  const file = await open(path, 'r')
  try {
    const head = new FileHead(file)
    const magic = await head.read(0, 12)
    if (!magic) return null
    if (magic.subarray(0, 8).equals(PNG_SIGNATURE)) return await readPngRecipe(head)
    if (magic[0] === 0xff && magic[1] === 0xd8) return await readJpegRecipe(head)
    if (magic.toString('latin1', 0, 4) === 'RIFF' && magic.toString('latin1', 8, 12) === 'WEBP') return await readWebpRecipe(head)
    return null
  } finally {
    await file.close()
  }
}

async function readPngRecipe(head: FileHead): Promise<Recipe | null> {
  const wanted = Buffer.from(`${RECIPE_KEYWORD}\0`, 'latin1')
  for (let at = 8; ; ) {
    const header = await head.read(at, 8)
    if (!header) return null
    const length = header.readUInt32BE(0)
    const type = header.toString('latin1', 4, 8)
    if (type === 'IDAT' || type === 'IEND' || length > 0x7fffffff) return null
    if (type === 'iTXt' && length > wanted.length && length <= MAX_METADATA_BYTES) {
      const keyword = await head.read(at + 8, wanted.length)
      if (keyword?.equals(wanted)) {
        const chunk = await head.read(at, 12 + length)
        if (!chunk || crc32(chunk.subarray(4, 8 + length)) !== chunk.readUInt32BE(8 + length)) return null
        const text = itxtText(chunk.subarray(8 + wanted.length, 8 + length))
        return text === null ? null : parseRecipe(text)
      }
    }
    at += 12 + length
  }
}

/** The text of an iTXt chunk, given what follows its keyword's NUL. */
export function itxtText(rest: Buffer): string | null {
  const compressed = rest[0] === 1
  const languageEnd = rest.indexOf(0, 2)
  const translatedEnd = languageEnd < 0 ? -1 : rest.indexOf(0, languageEnd + 1)
  if (translatedEnd < 0) return null
  const text = rest.subarray(translatedEnd + 1)
  if (!compressed) return text.toString('utf8')
  try {
    return inflateSync(text, { maxOutputLength: MAX_METADATA_BYTES }).toString('utf8')
  } catch {
    return null // corrupt, or larger than any recipe we write: no readable recipe
  }
}

async function readJpegRecipe(head: FileHead): Promise<Recipe | null> {
  for (let at = 2; ; ) {
    const header = await head.read(at, 4)
    if (!header || header[0] !== 0xff) return null
    const marker = header[1]!
    if (marker === 0xff) {
      at++ // fill byte
      continue
    }
    if (marker === 0xda || marker === 0xd9) return null
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    const length = header.readUInt16BE(2)
    if (length < 2) return null
    if (marker === 0xe1 && length - 2 > JPEG_XMP_HEADER.length) {
      const payload = await head.read(at + 4, length - 2)
      if (!payload) return null
      if (startsWith(payload, JPEG_XMP_HEADER)) return recipeFromXmp(payload.toString('utf8', JPEG_XMP_HEADER.length))
    }
    at += 2 + length
  }
}

export async function readWebpRecipe(head: FileHead): Promise<Recipe | null> {
  for (let at = 12; ; ) {
    const header = await head.read(at, 8)
    if (!header) return null
    const size = header.readUInt32LE(4)
    if (header.toString('latin1', 0, 4) === 'XMP ') {
      if (size > MAX_METADATA_BYTES) return null
      const packet = await head.read(at + 8, size)
      return packet ? recipeFromXmp(packet.toString('utf8')) : null
    }
    at += 8 + size + (size & 1)
  }
}
