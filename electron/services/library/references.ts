// Reference images: validated by content, stored once by the SHA-256 of their bytes, and turned into URLs
// Oxen can fetch — uploaded to a repo in the user's namespace (preferred) or inlined as data URIs (API.md §10).
//
// Layout under the library folder:
//   references/<hash>.<png|jpg|webp>   the bytes exactly as added (never re-encoded, so the hash names them)
//   references/thumbs/<hash>.webp      256 px long-side thumbnail
// Files are written to the library's .tmp/ and renamed in, then the row is inserted (as library.ts does).
//
// Validation is by content, never by the file name: the first bytes must be PNG, JPEG or WebP (a PNG named
// `.jpg` is a PNG), then sharp reads the header (size limits) and decodes the whole image (truncation).
import { createHash } from 'node:crypto'
import { constants, mkdirSync, renameSync, rmSync } from 'node:fs'
import { lstat, open, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, isAbsolute, join } from 'node:path'
import sharp from 'sharp'
import type { z } from 'zod'
import {
  IMAGE_FORMATS,
  MAX_REFERENCE_BYTES,
  type AddReferenceInputSchema,
  type ImageFormat,
  type ReferenceImage,
  type ReferenceSupply,
} from '../../../shared/domain'
import { AppFailure } from '../errors'
import { describeImage, thumbnail } from './image-files'
import type { LibraryStore, MediaVariant } from './library'
import type { OxenClient } from '../oxen/client'
import { currentAccount, ensureRepo, uploadFile, type OxenAccount } from '../oxen/repos'

/**
 * Our limits; Oxen documents none (API.md §8, §12.6).
 * - maxBytes 30 MB: what the paste transport already allows (40,000,000 base64 characters) and enough for a
 *   4K PNG from the library; a data-URI fallback of 14 such images would still be very large.
 * - maxPixels 36 MP (6000 × 6000) and maxSide 8192: far above what a 2K–4K generation can use, and they keep a
 *   decode under ~150 MB of memory.
 * - minSide 64: anything smaller carries no usable detail and is almost always a mistake (an icon, a spacer).
 */
export const REFERENCE_LIMITS = {
  maxBytes: MAX_REFERENCE_BYTES,
  maxPixels: 36_000_000,
  maxSide: 8192,
  minSide: 64,
} as const

export type ParsedAddReferenceInput = z.output<typeof AddReferenceInputSchema>

/** The repo in the user's namespace that holds uploaded references. */
export const REFERENCE_REPO = 'atelier-references'
const REPO_DESCRIPTION = 'Reference images uploaded by Atelier so Oxen’s image models can read them.'

export interface ReferenceUrls {
  urls: string[]
  /** The supply actually used: 'data-uri' when uploading was preferred but failed. */
  supply: ReferenceSupply
  /** Why the preferred supply was not used, in plain words. */
  note?: string
}

export interface ReferenceStore {
  /** Validates and stores once by SHA-256 of the bytes. Same bytes twice → same hash, one file (the first name is kept). */
  add(input: ParsedAddReferenceInput): Promise<ReferenceImage>
  get(hash: string): ReferenceImage | null
  /** Absolute path of the stored file, contained in the references folder, or null. */
  resolveFile(hash: string, variant: MediaVariant): string | null
  /**
   * URLs Oxen can fetch for these references, in order. 'upload' ensures the repo exists, uploads each file once
   * per (server, namespace) and reuses the URL afterwards; if that fails for any reason but the key (401, no key),
   * every reference goes as a data URI instead and `note` says why.
   */
  urlsFor(hashes: string[], preferred: ReferenceSupply, client: OxenClient): Promise<ReferenceUrls>
}

export interface ReferenceStoreOptions {
  library: LibraryStore
  /** URL of a reference's thumbnail/full file, served by media.ts at `/ref/<hash>/<variant>`. */
  mediaUrl: (hash: string, variant: MediaVariant) => string
}

const HASH = /^[0-9a-f]{64}$/
const MAX_NAME = 120

interface ReferenceRow {
  hash: string
  name: string
  format: ImageFormat
  width: number
  height: number
  bytes: number
  created_at: number
}

const fileRel = (hash: string, format: ImageFormat) => `references/${hash}.${IMAGE_FORMATS[format].ext}`
/** Where a reference's thumbnail lives, relative to the library folder. */
export const referenceThumbRel = (hash: string) => `references/thumbs/${hash}.webp`

/** Inserts a reference's row (named parameters as below); a second row for the same bytes is ignored. */
export const INSERT_REFERENCE_SQL = `INSERT INTO reference_images (hash, name, format, width, height, bytes, created_at)
  VALUES (@hash, @name, @format, @width, @height, @bytes, @createdAt)
  ON CONFLICT (hash) DO NOTHING`

function referenceRow(library: LibraryStore, hash: string): ReferenceRow | null {
  if (!HASH.test(hash)) return null
  const row = library.db.prepare('SELECT * FROM reference_images WHERE hash = ?').get(hash) as ReferenceRow | undefined
  return row ?? null
}

/** The stored file of a reference, only if it is a regular file inside the library folder. Used by media.ts too. */
export function resolveReferenceFile(library: LibraryStore, hash: string, variant: MediaVariant): string | null {
  const row = referenceRow(library, hash)
  if (!row) return null
  return library.containedFile(variant === 'thumb' ? referenceThumbRel(hash) : fileRel(hash, row.format))
}

// ---------- messages: each names the file and says what to do ----------
const quoted = (name: string) => `“${name.length > 60 ? `${name.slice(0, 57)}…` : name}”`
/** Rounded up, so a file just over the limit never reads as "30 MB; at most 30 MB". */
const megabytes = (bytes: number) => (bytes >= 1e9 ? `${Math.ceil(bytes / 1e8) / 10} GB` : `${Math.ceil(bytes / 1e5) / 10} MB`)
const invalid = (message: string) => new AppFailure('invalid-input', message)
const USE = 'Use a PNG, JPEG or WebP image instead.'

const messages = {
  relative: (path: string) =>
    invalid(`Atelier needs the full location of a reference file, and ${quoted(cleanName(path, '(nothing)'))} is not one. Drag the file in again.`),
  missing: (name: string) => invalid(`${quoted(name)} can’t be found: it may have been moved, renamed or deleted. Add it again from its new place.`),
  unreadable: (name: string) =>
    invalid(`Atelier isn’t allowed to read ${quoted(name)}. Check the file’s permissions, or copy it somewhere you own and add it again.`),
  folder: (name: string) => invalid(`${quoted(name)} is a folder, not an image. Drag in the image files themselves.`),
  special: (name: string) => invalid(`${quoted(name)} is not a regular file, so it can’t be used as a reference. ${USE}`),
  empty: (name: string) => invalid(`${quoted(name)} is empty (0 bytes), so it can’t be used as a reference. ${USE}`),
  tooLarge: (name: string, bytes: number) =>
    invalid(
      `${quoted(name)} is ${megabytes(bytes)}; reference images can be at most ${megabytes(REFERENCE_LIMITS.maxBytes)}. ` +
        'Save a smaller or more compressed copy (for example a JPEG) and add that.',
    ),
  notImage: (name: string, what = 'not an image') => invalid(`${quoted(name)} is ${what}. ${USE}`),
  unsupported: (name: string, what: string) =>
    invalid(`${quoted(name)} is ${what}, which Oxen’s image models don’t take as a reference. Convert it to PNG, JPEG or WebP and add it again.`),
  tooManyPixels: (name: string, w: number, h: number) =>
    invalid(
      `${quoted(name)} is ${w} × ${h} pixels; reference images can be at most ${REFERENCE_LIMITS.maxSide} pixels on a side and ` +
        `${REFERENCE_LIMITS.maxPixels / 1_000_000} megapixels in all. Scale it down and add it again.`,
    ),
  tooSmall: (name: string, w: number, h: number) =>
    invalid(
      `${quoted(name)} is only ${w} × ${h} pixels; reference images must be at least ${REFERENCE_LIMITS.minSide} pixels on each side. ` +
        'Use a larger version.',
    ),
  corrupt: (name: string, format: ImageFormat) =>
    invalid(
      `${quoted(name)} looks like a ${format.toUpperCase()} image but can’t be read: the file is damaged or incomplete. ` +
        'Export or download it again, then add it.',
    ),
}

type Sniffed = { format: ImageFormat } | { unsupported: string } | { notImage: string }

/** The format by magic bytes; names the common formats we refuse so the message can say what the file is. */
export function sniffFormat(head: Buffer): Sniffed {
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1')
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { format: 'png' }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { format: 'jpeg' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { format: 'webp' }
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { unsupported: 'a GIF image' }
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    if (brand.startsWith('avi')) return { unsupported: 'an AVIF image' }
    if (/^(hei|hev|mif1|msf1)/.test(brand)) return { unsupported: 'a HEIC image' }
    return { notImage: 'a video or other media file, not an image' }
  }
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return { unsupported: 'a TIFF image' }
  if (ascii(0, 2) === 'BM' && head.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(head.readUInt32LE(14))) return { unsupported: 'a BMP image' }
  if (ascii(0, 4) === '8BPS') return { unsupported: 'a Photoshop document' }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x00000100) return { unsupported: 'an icon (ICO) file' }
  if ((head[0] === 0xff && head[1] === 0x0a) || ascii(4, 8) === 'JXL ') return { unsupported: 'a JPEG XL image' }
  if (ascii(4, 8) === 'jP  ') return { unsupported: 'a JPEG 2000 image' }
  if (ascii(0, 5) === '%PDF-') return { notImage: 'a PDF document, not an image' }
  const text = head.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart()
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return { unsupported: 'an SVG (vector) image' }
  return { notImage: 'not an image' }
}

/** A display name from a path or a label: no directories, no control characters, bounded. */
function cleanName(raw: string, fallback: string): string {
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return (name || fallback).slice(0, MAX_NAME)
}

/** The name of a reference made from a library image (or its file): the image's prompt, shortened. */
export const referenceName = (prompt: string) => cleanName(prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt, 'library image')

/**
 * Reads a dragged-in file: must be absolute and a regular file (a symlink only to one). The size is checked
 * before reading, and the read stops after maxBytes + 1 bytes in case the file grows meanwhile.
 */
async function readReferenceFile(path: string, name: string): Promise<{ bytes: Buffer; hash: string }> {
  if (!isAbsolute(path) || path.includes('\0')) throw messages.relative(path)
  const fsFailure = (error: unknown): AppFailure => {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') return messages.unreadable(name)
    if (code === 'EISDIR') return messages.folder(name)
    return messages.missing(name) // ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG…
  }
  let info
  try {
    info = await lstat(path)
    if (info.isSymbolicLink()) info = await stat(path)
  } catch (error) {
    throw fsFailure(error)
  }
  if (info.isDirectory()) throw messages.folder(name)
  if (!info.isFile()) throw messages.special(name)
  if (info.size === 0) throw messages.empty(name)
  if (info.size > REFERENCE_LIMITS.maxBytes) throw messages.tooLarge(name, info.size)

  // O_NONBLOCK: if a FIFO was swapped in after the check, opening it must not hang.
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw fsFailure(error)
  }
  try {
    const opened = await handle.stat()
    if (!opened.isFile()) throw messages.special(name)
    const hash = createHash('sha256')
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of handle.createReadStream({ start: 0, end: REFERENCE_LIMITS.maxBytes, autoClose: false }) as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > REFERENCE_LIMITS.maxBytes) throw messages.tooLarge(name, Math.max(total, opened.size))
      hash.update(chunk)
      chunks.push(chunk)
    }
    if (total === 0) throw messages.empty(name)
    return { bytes: Buffer.concat(chunks, total), hash: hash.digest('hex') }
  } catch (error) {
    if (error instanceof AppFailure) throw error
    throw fsFailure(error)
  } finally {
    await handle.close()
  }
}

/** Decoded size with EXIF orientation applied, and the thumbnail; throws the file's specific message. */
async function inspect(bytes: Buffer, format: ImageFormat, name: string): Promise<{ width: number; height: number; thumb: Buffer }> {
  let meta
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata()
  } catch (error) {
    throw Object.assign(messages.corrupt(name, format), { cause: error })
  }
  const image = describeImage(meta)
  if (image?.format !== format) throw messages.corrupt(name, format)
  const { width, height } = image
  if (width * height > REFERENCE_LIMITS.maxPixels || Math.max(width, height) > REFERENCE_LIMITS.maxSide) {
    throw messages.tooManyPixels(name, width, height)
  }
  if (Math.min(width, height) < REFERENCE_LIMITS.minSide) throw messages.tooSmall(name, width, height)
  try {
    // Making the thumbnail decodes every pixel; failOn 'error' rejects truncated or damaged data but not mere
    // decoder warnings (e.g. stray bytes after a JPEG's end), which image viewers accept too.
    const thumb = await thumbnail(sharp(bytes, { failOn: 'error', limitInputPixels: REFERENCE_LIMITS.maxPixels }), 'reference').toBuffer()
    return { width, height, thumb }
  } catch (error) {
    throw Object.assign(messages.corrupt(name, format), { cause: error })
  }
}

/** One in-flight promise per key, forgotten once it settles (a failure may be retried later). */
function once<T>(pending: Map<string, Promise<T>>, key: string, run: () => Promise<T>): Promise<T> {
  let promise = pending.get(key)
  if (!promise) {
    promise = run().finally(() => pending.delete(key))
    pending.set(key, promise)
  }
  return promise
}

export function createReferenceStore(opts: ReferenceStoreOptions): ReferenceStore {
  const { library } = opts
  const db = library.db
  const sql = {
    insert: db.prepare(INSERT_REFERENCE_SQL),
    upload: db.prepare('SELECT url FROM reference_uploads WHERE hash = @hash AND server = @server AND namespace = @namespace'),
    recordUpload: db.prepare(
      `INSERT INTO reference_uploads (hash, server, namespace, url, uploaded_at) VALUES (@hash, @server, @namespace, @url, @uploadedAt)
       ON CONFLICT (hash, server, namespace) DO UPDATE SET url = excluded.url, uploaded_at = excluded.uploaded_at`,
    ),
  }
  /** `<server>|<namespace>` whose repo is known to exist in this run. */
  const readyRepos = new Set<string>()
  const pendingRepos = new Map<string, Promise<void>>()
  const pendingUploads = new Map<string, Promise<string>>()

  const toReference = (row: ReferenceRow): ReferenceImage => ({
    hash: row.hash,
    name: row.name,
    format: row.format,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    thumbUrl: opts.mediaUrl(row.hash, 'thumb'),
  })

  const complete = (row: ReferenceRow) =>
    resolveReferenceFile(library, row.hash, 'full') !== null && resolveReferenceFile(library, row.hash, 'thumb') !== null

  async function store(bytes: Buffer, name: string, knownHash?: string): Promise<ReferenceImage> {
    if (bytes.length === 0) throw messages.empty(name)
    if (bytes.length > REFERENCE_LIMITS.maxBytes) throw messages.tooLarge(name, bytes.length)
    const sniffed = sniffFormat(bytes.subarray(0, 1024))
    if ('unsupported' in sniffed) throw messages.unsupported(name, sniffed.unsupported)
    if ('notImage' in sniffed) throw messages.notImage(name, sniffed.notImage)
    const { format } = sniffed
    const hash = knownHash ?? createHash('sha256').update(bytes).digest('hex')

    const existing = referenceRow(library, hash)
    if (existing && complete(existing)) return toReference(existing)

    const info = await inspect(bytes, format, name)
    mkdirSync(join(library.dir, 'references', 'thumbs'), { recursive: true })
    const tmpFile = library.tempFilePath(IMAGE_FORMATS[format].ext)
    const tmpThumb = library.tempFilePath('webp')
    // Files first, row last: a crash in between leaves an unindexed file, never a row without its file.
    try {
      await writeFile(tmpFile, bytes)
      await writeFile(tmpThumb, info.thumb)
      renameSync(tmpFile, join(library.dir, fileRel(hash, format)))
      renameSync(tmpThumb, join(library.dir, referenceThumbRel(hash)))
    } catch (error) {
      rmSync(tmpFile, { force: true })
      rmSync(tmpThumb, { force: true })
      throw new AppFailure('internal', 'Atelier could not save the reference image in your library folder. Check that the disk is not full and try again.', {
        cause: error,
      })
    }
    sql.insert.run({ hash, name, format, width: info.width, height: info.height, bytes: bytes.length, createdAt: Date.now() })
    const saved = referenceRow(library, hash)
    if (!saved) throw new Error('references: the row vanished after insert')
    return toReference(saved)
  }

  async function add(input: ParsedAddReferenceInput): Promise<ReferenceImage> {
    switch (input.kind) {
      case 'file': {
        const name = cleanName(basename(input.path), 'reference image')
        const { bytes, hash } = await readReferenceFile(input.path, name)
        return store(bytes, name, hash)
      }
      case 'bytes': {
        const name = cleanName(input.name, 'pasted image')
        // base64 length → decoded size, so an oversized paste is refused before it is decoded.
        const decodedSize = Math.floor((input.base64.replace(/=+$/, '').length * 3) / 4)
        if (decodedSize > REFERENCE_LIMITS.maxBytes) throw messages.tooLarge(name, decodedSize)
        return store(Buffer.from(input.base64, 'base64'), name)
      }
      case 'library': {
        const image = library.getImage(input.imageId)
        const path = image ? library.resolveFile(image.id, 'full') : null
        if (!image || !path) throw new AppFailure('not-found', 'That image is no longer in your library, so it can’t be used as a reference.')
        const name = referenceName(image.prompt)
        const { bytes, hash } = await readReferenceFile(path, name)
        return store(bytes, name, hash)
      }
    }
  }

  /** Stored references in request order; a missing one fails the whole request. */
  function storedReferences(hashes: string[]): { row: ReferenceRow; path: string }[] {
    return hashes.map((hash) => {
      const row = referenceRow(library, hash)
      const path = row ? resolveReferenceFile(library, hash, 'full') : null
      if (!row || !path) {
        throw new AppFailure('not-found', 'A reference image is no longer in your library. Remove it from the prompt and add it again.')
      }
      return { row, path }
    })
  }

  async function dataUris(refs: { row: ReferenceRow; path: string }[]): Promise<string[]> {
    return Promise.all(refs.map(async ({ row, path }) => `data:${IMAGE_FORMATS[row.format].mime};base64,${(await readFile(path)).toString('base64')}`))
  }

  async function uploadAll(refs: { row: ReferenceRow; path: string }[], client: OxenClient): Promise<string[]> {
    const server = client.url('')
    const account: OxenAccount = await currentAccount(client)
    const repoKey = `${server}|${account.namespace}`
    const ensure = async () => {
      if (readyRepos.has(repoKey)) return
      await once(pendingRepos, repoKey, () => ensureRepo(client, account, REFERENCE_REPO, REPO_DESCRIPTION))
      readyRepos.add(repoKey)
    }
    const urls: string[] = []
    // One at a time: each body is up to 30 MB, and the first failure decides the fallback for all.
    for (const { row, path } of refs) {
      const where = { hash: row.hash, server, namespace: account.namespace }
      const cached = sql.upload.get(where) as { url: string } | undefined
      if (cached) {
        urls.push(cached.url)
        continue
      }
      const url = await once(pendingUploads, `${repoKey}|${row.hash}`, async () => {
        await ensure()
        const url = await uploadFile(client, account, REFERENCE_REPO, `references/${row.hash}.${IMAGE_FORMATS[row.format].ext}`, {
          bytes: await readFile(path),
          contentType: IMAGE_FORMATS[row.format].mime,
          message: `Add reference image ${row.hash.slice(0, 12)} (${row.name})`,
        })
        sql.recordUpload.run({ ...where, url, uploadedAt: Date.now() })
        return url
      })
      urls.push(url)
    }
    return urls
  }

  return {
    add,
    get(hash) {
      const row = referenceRow(library, hash)
      return row ? toReference(row) : null
    },
    resolveFile: (hash, variant) => resolveReferenceFile(library, hash, variant),
    async urlsFor(hashes, preferred, client) {
      if (hashes.length === 0) return { urls: [], supply: preferred }
      const refs = storedReferences(hashes)
      if (preferred === 'data-uri') return { urls: await dataUris(refs), supply: 'data-uri' }
      try {
        return { urls: await uploadAll(refs, client), supply: 'upload' }
      } catch (error) {
        // A bad or missing key is the user's to fix; anything else Oxen-side (5xx, 404 on an unsupported
        // endpoint, 403 on repo creation, timeouts) falls back to data URIs so the job still runs.
        if (!(error instanceof AppFailure) || error.code === 'unauthorized' || error.code === 'no-key' || error.code === 'internal') throw error
        const reason = error.message.replace(/\.$/, '')
        return {
          urls: await dataUris(refs),
          supply: 'data-uri',
          note: `Reference images were sent inline (as data URIs) because uploading them to Oxen did not work: ${reason}.`,
        }
      }
    },
  }
}
