// Exports a selection of library images, byte for byte, with a manifest: `manifest.jsonl`, one JSON object per
// image (its file name in the export plus the whole recipe, size and format). Either into a new folder, or into
// one zip file (STORE method: images are already compressed). Everything streams through async fs, so a 10,000
// image export never blocks the main process, and a zip is written to `<name>.part` and renamed when complete.
// A drag out of the window hands the OS files named the same way (linkForDrag).
import { createReadStream } from 'node:fs'
import { copyFile, link, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { AppFailure } from '../errors'
import { imageFileName } from './file-names'
import type { ImageFile } from './query'

export interface ExportSummary {
  /** The folder or zip file written. */
  location: string
  count: number
}

const MANIFEST = 'manifest.jsonl'
const READ_CHUNK = 1 << 20

/** The image's own file name (file-names.ts), or the one with its whole id if the short one is taken. */
function exportName(item: ImageFile, taken: Set<string>): string {
  const name = taken.has(item.image.fileName) ? imageFileName(item.image, true) : item.image.fileName
  taken.add(name)
  return name
}

function manifestLine(item: ImageFile, file: string): string {
  const { width, height, format, bytes } = item.image
  return JSON.stringify({ file, ...item.recipe, width, height, format, bytes })
}

function failure(error: unknown): AppFailure {
  if (error instanceof AppFailure) return error
  const code = (error as NodeJS.ErrnoException).code
  const why =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'Atelier is not allowed to write there'
        : 'a file could not be written'
  return new AppFailure('internal', `The export did not finish because ${why}. Choose another place or free some space, then export again.`, {
    cause: error,
  })
}

/** Copies the files into `dir` (created; it must not exist yet) with the manifest beside them. */
export async function exportToFolder(items: readonly ImageFile[], dir: string): Promise<ExportSummary> {
  try {
    await mkdir(dir, { recursive: false })
  } catch (error) {
    throw failure(error)
  }
  try {
    const taken = new Set<string>([MANIFEST])
    const lines: string[] = []
    for (const item of items) {
      const name = exportName(item, taken)
      await copyFile(item.path, join(dir, name))
      lines.push(manifestLine(item, name))
    }
    await writeWhole(join(dir, MANIFEST), Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8'))
    return { location: dir, count: items.length }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw failure(error)
  }
}

/**
 * Hard links to the files in `dir` (made here; it must not exist yet), named as an export names them: what a drag out
 * of the window hands the OS, so a dropped file is named alike, and a drop that moves the file moves only the link.
 * Where the file system has no hard links (FAT, some network drives) they are copies.
 */
export async function linkForDrag(items: readonly ImageFile[], dir: string): Promise<string[]> {
  await mkdir(dir)
  const taken = new Set<string>()
  const paths: string[] = []
  for (const item of items) {
    const path = join(dir, exportName(item, taken))
    await link(item.path, path).catch(() => copyFile(item.path, path))
    paths.push(path)
  }
  return paths
}

async function writeWhole(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx')
  try {
    await handle.write(data)
  } finally {
    await handle.close()
  }
}

/** Writes one zip file: the images (stored as they are) and the manifest. `file` must not exist yet. */
export async function exportToZip(items: readonly ImageFile[], file: string, opts: { forceZip64?: boolean } = {}): Promise<ExportSummary> {
  const part = `${file}.part`
  let handle: FileHandle | null = null
  try {
    handle = await open(part, 'wx')
    const zip = new ZipWriter(handle, opts.forceZip64 === true)
    const taken = new Set<string>([MANIFEST])
    const lines: string[] = []
    for (const item of items) {
      const name = exportName(item, taken)
      await zip.addFile(name, item.path, new Date(item.image.createdAt))
      lines.push(manifestLine(item, name))
    }
    await zip.addBytes(MANIFEST, Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8'), new Date())
    await zip.finish()
    await handle.close()
    handle = null
    await rename(part, file)
    return { location: file, count: items.length }
  } catch (error) {
    await handle?.close().catch(() => {}) // the write error is the one to report; the partial file goes next
    await rm(part, { force: true })
    throw failure(error)
  }
}

// ---------- a minimal zip writer: STORE only, UTF-8 names, ZIP64 when offsets or counts need it ----------
const U32 = 0xffffffff
const U16 = 0xffff

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107)
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  }
}

interface Entry {
  name: Buffer
  crc: number
  size: number
  offset: number
  time: number
  date: number
}

export class ZipWriter {
  private offset = 0
  private readonly entries: Entry[] = []

  /** `forceZip64` writes ZIP64 records even when not needed (so tests can check them without writing 4 GB). */
  constructor(
    private readonly out: FileHandle,
    private readonly forceZip64 = false,
  ) {}

  private async write(data: Buffer): Promise<void> {
    await this.out.write(data, 0, data.length, this.offset)
    this.offset += data.length
  }

  /** Two passes over the file (CRC first, then the bytes), so the local header holds the real CRC and size. */
  async addFile(name: string, path: string, modified: Date): Promise<void> {
    let crc = 0
    let size = 0
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc)
      size += chunk.length
    }
    if (size >= U32) throw new AppFailure('invalid-input', 'An image larger than 4 GB cannot be exported to a zip file.')
    const entry = this.header(name, crc, size, modified)
    await this.write(entry.local)
    let copied = 0
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      copied += chunk.length
      await this.write(chunk)
    }
    if (copied !== size) throw new Error(`zip: ${path} changed while it was being exported`)
  }

  async addBytes(name: string, data: Buffer, modified: Date): Promise<void> {
    await this.write(this.header(name, crc32(data), data.length, modified).local)
    await this.write(data)
  }

  private header(name: string, crc: number, size: number, modified: Date): { local: Buffer } {
    const nameBytes = Buffer.from(name, 'utf8')
    const { time, date } = dosDateTime(modified)
    const local = Buffer.alloc(30 + nameBytes.length)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(0, 8) // STORE
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc >>> 0, 14)
    local.writeUInt32LE(size, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    local.writeUInt16LE(0, 28)
    nameBytes.copy(local, 30)
    this.entries.push({ name: nameBytes, crc: crc >>> 0, size, offset: this.offset, time, date })
    return { local }
  }

  /** The central directory and end records. */
  async finish(): Promise<void> {
    const cdStart = this.offset
    for (const e of this.entries) {
      const zip64 = this.forceZip64 || e.offset >= U32
      const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0)
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0) // ZIP64 extended information: only the offset is too large
        extra.writeUInt16LE(8, 2)
        extra.writeBigUInt64LE(BigInt(e.offset), 4)
      }
      const h = Buffer.alloc(46 + e.name.length + extra.length)
      h.writeUInt32LE(0x02014b50, 0)
      h.writeUInt16LE((3 << 8) | 45, 4) // made by: Unix, spec 4.5
      h.writeUInt16LE(zip64 ? 45 : 20, 6)
      h.writeUInt16LE(0x0800, 8)
      h.writeUInt16LE(0, 10)
      h.writeUInt16LE(e.time, 12)
      h.writeUInt16LE(e.date, 14)
      h.writeUInt32LE(e.crc, 16)
      h.writeUInt32LE(e.size, 20)
      h.writeUInt32LE(e.size, 24)
      h.writeUInt16LE(e.name.length, 28)
      h.writeUInt16LE(extra.length, 30)
      h.writeUInt16LE(0, 32) // comment
      h.writeUInt16LE(0, 34) // disk
      h.writeUInt16LE(0, 36) // internal attributes
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38) // -rw-r--r--
      h.writeUInt32LE(zip64 ? U32 : e.offset, 42)
      e.name.copy(h, 46)
      extra.copy(h, 46 + e.name.length)
      await this.write(h)
    }
    const cdSize = this.offset - cdStart
    const count = this.entries.length
    const zip64 = this.forceZip64 || cdStart >= U32 || cdSize >= U32 || count >= U16
    if (zip64) {
      const recordAt = this.offset
      const record = Buffer.alloc(56)
      record.writeUInt32LE(0x06064b50, 0)
      record.writeBigUInt64LE(44n, 4) // size of the rest of this record
      record.writeUInt16LE((3 << 8) | 45, 12)
      record.writeUInt16LE(45, 14)
      record.writeUInt32LE(0, 16)
      record.writeUInt32LE(0, 20)
      record.writeBigUInt64LE(BigInt(count), 24)
      record.writeBigUInt64LE(BigInt(count), 32)
      record.writeBigUInt64LE(BigInt(cdSize), 40)
      record.writeBigUInt64LE(BigInt(cdStart), 48)
      const locator = Buffer.alloc(20)
      locator.writeUInt32LE(0x07064b50, 0)
      locator.writeUInt32LE(0, 4)
      locator.writeBigUInt64LE(BigInt(recordAt), 8)
      locator.writeUInt32LE(1, 16)
      await this.write(Buffer.concat([record, locator]))
    }
    const end = Buffer.alloc(22)
    end.writeUInt32LE(0x06054b50, 0)
    end.writeUInt16LE(0, 4)
    end.writeUInt16LE(0, 6)
    end.writeUInt16LE(zip64 ? U16 : count, 8)
    end.writeUInt16LE(zip64 ? U16 : count, 10)
    end.writeUInt32LE(zip64 ? U32 : cdSize, 12)
    end.writeUInt32LE(zip64 ? U32 : cdStart, 16)
    end.writeUInt16LE(0, 20)
    await this.write(end)
  }
}
