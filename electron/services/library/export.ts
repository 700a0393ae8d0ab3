// Exports a selection of library images, byte for byte, with a manifest: `manifest.jsonl`, one JSON object per
// image (its file name in the export plus the whole recipe, size and format). Either into a new folder, or into
// one zip file (STORE method: images are already compressed), written by yazl (a maintained streaming zip writer:
// ZIP64 when needed, UTF-8 names, each file streamed from disk). Everything streams through async fs, so a 10,000
// image export never blocks the main process, and a zip is written to `<name>.part` and renamed when complete.
// A drag out of the window hands the OS files named the same way (linkForDrag).
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ZipFile } from 'yazl'
import { AppFailure } from '../errors'
import { imageFileName } from './file-names'
import type { ImageFile } from './query'

export interface ExportSummary {
  /** The folder or zip file written. */
  location: string
  count: number
}

const MANIFEST = 'manifest.jsonl'
/** -rw-r--r-- for every file in a zip. */
const FILE_MODE = 0o100644

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

/**
 * Writes one zip file: the images (stored as they are, streamed from disk one at a time) and the manifest. `file`
 * must not exist yet. yazl writes ZIP64 records by itself once the archive passes 4 GB or 65,535 entries;
 * `forceZip64` writes them anyway (so tests can check them without writing 4 GB).
 */
export async function exportToZip(items: readonly ImageFile[], file: string, opts: { forceZip64?: boolean } = {}): Promise<ExportSummary> {
  const part = `${file}.part`
  const forceZip64Format = opts.forceZip64 === true
  const zip = new ZipFile()
  // An unreadable or vanished image, or one that changed size while it was read, fails the zip here.
  const zipFailed = new Promise<never>((_, reject) => zip.on('error', reject)) // `on`: several images may fail, and an unheard error would throw
  zipFailed.catch(() => {}) // raced below; this only keeps a late failure from going unhandled
  let written: Promise<void> | null = null
  let created = false
  try {
    const out = createWriteStream(part, { flags: 'wx' })
    await once(out, 'open') // a target that exists or cannot be made fails here, before any image is read
    created = true
    written = pipeline(zip.outputStream as Readable, out)
    const taken = new Set<string>([MANIFEST])
    const lines: string[] = []
    for (const item of items) {
      const name = exportName(item, taken)
      zip.addFile(item.path, name, { compress: false, mtime: new Date(item.image.createdAt), mode: FILE_MODE, forceZip64Format })
      lines.push(manifestLine(item, name))
    }
    const manifest = Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8')
    zip.addBuffer(manifest, MANIFEST, { compress: false, mtime: new Date(), mode: FILE_MODE, forceZip64Format })
    zip.end({ forceZip64Format, comment: '' })
    await Promise.race([written, zipFailed])
    await rename(part, file)
    return { location: file, count: items.length }
  } catch (error) {
    ;(zip.outputStream as Readable).destroy() // ends the pipeline, which closes the file
    await written?.catch(() => {}) // the first error is the one to report; the partial file goes next
    if (created) await rm(part, { force: true }) // never another export's .part
    throw failure(error)
  }
}
