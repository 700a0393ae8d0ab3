// Image bytes by id, for the Electron `atelier://media/` protocol and the harness's HTTP server alike.
// The path is matched against strict patterns before anything else, so no encoding trick ('..',
// '%2e%2e', '%2F', absolute paths) ever reaches the filesystem; files are found by id through the library
// (`/<imageId>/<variant>`) or by content hash among the reference images (`/ref/<sha256>/<variant>`).
import { readFileSync, statSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { extname } from 'node:path'
import { IMAGE_FORMATS } from '../../../shared/domain'
import { IMAGE_ID_PATTERN, type LibraryStore, type MediaVariant } from './library'
import { resolveReferenceFile } from './references'

const PATH = /^\/([^/]+)\/(full|thumb)$/
const REF_PATH = /^\/ref\/([0-9a-f]{64})\/(full|thumb)$/
const CHUNK = 64 * 1024
/**
 * Files up to this size (thumbnails, most references) are read whole at once. Each step of a stream (stat, open,
 * read, close) queues on libuv's pool of 4 threads, which sharp's decodes and thumbnails of the images being saved
 * also hold: a thumbnail saved a moment ago then waited hundreds of milliseconds to be shown in Results (measured
 * by bench/results-browser.ts), for reads that take a fraction of a millisecond.
 */
const READ_WHOLE_BYTES = 256 * 1024

/** MIME types by file extension ('.jpg' → 'image/jpeg'); thumbnails are '.webp'. */
const TYPES = new Map(Object.values(IMAGE_FORMATS).map((f) => [`.${f.ext}`, f.mime]))

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  })
}

/**
 * Streams `size` bytes of a file. Opens it on the first read, not before, so a response whose body is
 * never read (HEAD, an aborted request) holds no file handle.
 */
function fileStream(path: string, size: number): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined
  let position = 0
  const finish = async () => {
    const h = handle
    handle = undefined
    await h?.close()
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          handle ??= await open(path, 'r')
          const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - position))
          const { bytesRead } = buffer.length ? await handle.read(buffer, 0, buffer.length, position) : { bytesRead: 0 }
          position += bytesRead
          if (bytesRead > 0) controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead))
          if (bytesRead === 0 || position >= size) {
            await finish()
            controller.close()
          }
        } catch (error) {
          await finish().catch(() => {}) // the read error is the one to report; a failed close after it adds nothing
          controller.error(error)
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  )
}

/** The file a media path names, or null. A missing library thumbnail is made from its image on first request. */
async function resolveMediaPath(library: LibraryStore, path: string): Promise<string | null> {
  const ref = REF_PATH.exec(path)
  if (ref) return resolveReferenceFile(library, ref[1]!, ref[2] as MediaVariant)
  const match = PATH.exec(path)
  if (!match || !IMAGE_ID_PATTERN.test(match[1]!)) return null
  const variant = match[2] as MediaVariant
  return library.resolveFile(match[1]!, variant) ?? (variant === 'thumb' ? library.ensureThumb(match[1]!) : null)
}

/** `path` is the part after the scheme/prefix: '/<imageId>/<full|thumb>' or '/ref/<sha256>/<full|thumb>'. */
export async function serveMedia(library: LibraryStore, path: string): Promise<Response> {
  const file = await resolveMediaPath(library, path)
  if (!file) return notFound()
  const type = TYPES.get(extname(file).toLowerCase())
  if (!type) return notFound()
  let body: ReadableStream<Uint8Array> | Buffer
  let size: number
  try {
    size = statSync(file).size
    body = size <= READ_WHOLE_BYTES ? readFileSync(file) : fileStream(file, size)
  } catch {
    return notFound() // removed since it was resolved (trash emptied, file deleted by hand): gone, like any missing id
  }
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': type,
      'Content-Length': String(size),
      // Saved files never change: an id always names the same bytes.
      'Cache-Control': 'private, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
