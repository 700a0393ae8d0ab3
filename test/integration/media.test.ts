// serveMedia over a real library: bytes, headers, and every path trick refused.
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLibrary, type LibraryStore } from '../../electron/services/library/library'
import { IMAGE_FORMATS, type LibraryImage } from '../../shared/domain'
import { serveMedia } from '../../electron/services/library/media'
import { makeImage, testRecipe, writeTemp } from '../fixtures/library-images'

let root: string
let library: LibraryStore
let png: LibraryImage
let jpeg: LibraryImage

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atelier-media-'))
  library = openLibrary({ dir: join(root, 'library'), mediaUrl: (id, v) => `/media/${id}/${v}` })
  // Noise makes the PNG large enough to stream in many chunks.
  png = await library.saveImage({ recipe: testRecipe({ jobId: 'job-1', generationId: 'g0', count: 2 }), tempPath: writeTemp(library, await makeImage('png', 600, 400, true)) })
  jpeg = await library.saveImage({ recipe: testRecipe({ jobId: 'job-1', generationId: 'g1', index: 1, count: 2 }), tempPath: writeTemp(library, await makeImage('jpeg', 40, 30), 'jpg') })
  writeFileSync(join(root, 'secret.txt'), 'outside the library')
})

afterAll(() => {
  library.close()
  rmSync(root, { recursive: true, force: true })
})

async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer())
}

describe('serveMedia', () => {
  it('streams a saved image byte for byte with the right headers', async () => {
    const file = library.resolveFile(png.id, 'full')!
    const onDisk = readFileSync(file)
    expect(onDisk.length).toBeGreaterThan(256 * 1024)
    const response = await serveMedia(library, `/${png.id}/full`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('content-length')).toBe(String(onDisk.length))
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await bytesOf(response)).equals(onDisk)).toBe(true)
  })

  it('serves the WebP thumbnail and JPEG originals with their own types', async () => {
    const thumb = await serveMedia(library, `/${png.id}/thumb`)
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    expect((await bytesOf(thumb)).equals(readFileSync(library.resolveFile(png.id, 'thumb')!))).toBe(true)
    const full = await serveMedia(library, `/${jpeg.id}/full`)
    expect(full.headers.get('content-type')).toBe('image/jpeg')
    expect((await bytesOf(full)).equals(readFileSync(library.resolveFile(jpeg.id, 'full')!))).toBe(true)
  })

  it('names and serves every format by the one table: file extension and type (shared/domain.ts IMAGE_FORMATS)', async () => {
    for (const [index, format] of (['png', 'jpeg', 'webp'] as const).entries()) {
      const image = await library.saveImage({
        recipe: testRecipe({ jobId: 'job-formats', generationId: `formats-${format}`, index, count: 3 }),
        tempPath: writeTemp(library, await makeImage(format, 12, 12), IMAGE_FORMATS[format].ext),
      })
      expect(library.resolveFile(image.id, 'full')!.endsWith(`/${image.id}.${IMAGE_FORMATS[format].ext}`)).toBe(true)
      expect(image.fileName.endsWith(`.${IMAGE_FORMATS[format].ext}`)).toBe(true)
      expect((await serveMedia(library, `/${image.id}/full`)).headers.get('content-type')).toBe(IMAGE_FORMATS[format].mime)
    }
    expect(IMAGE_FORMATS).toEqual({
      png: { ext: 'png', mime: 'image/png' },
      jpeg: { ext: 'jpg', mime: 'image/jpeg' },
      webp: { ext: 'webp', mime: 'image/webp' },
    })
  })

  it.each([
    ['parent segments', '/../secret.txt'],
    ['parent segments after an id', `/ID/../../secret.txt`],
    ['parent then variant', '/../full'],
    ['encoded dots', '/%2e%2e/full'],
    ['encoded dots and slash', '/%2e%2e%2fsecret.txt/full'],
    ['encoded slash inside', '/ID%2Ffull'],
    ['encoded slash in the variant', '/ID/full%2F'],
    ['absolute path', '/etc/passwd'],
    ['double slash absolute', '//etc/passwd'],
    ['file path to the library', `/${'LIB'}/full`],
    ['unknown id', '/00000000-0000-4000-8000-000000000000/full'],
    ['upper-case id', '/ID_UPPER/full'],
    ['extra segment', '/ID/full/extra'],
    ['trailing slash', '/ID/full/'],
    ['unknown variant', '/ID/original'],
    ['no variant', '/ID'],
    ['empty', ''],
    ['query smuggled in', '/ID/full?x=1'],
    ['backslashes', '/..\\..\\secret.txt/full'],
    ['NUL byte', '/ID%00/full'],
  ])('refuses %s with a 404 and a tiny text body', async (_name, template) => {
    const path = template
      .replace('ID_UPPER', png.id.toUpperCase())
      .replaceAll('ID', png.id)
      .replace('LIB', encodeURIComponent(library.dir))
    const response = await serveMedia(library, path)
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    const body = await response.text()
    expect(body.length).toBeLessThan(32)
    expect(body).not.toContain('outside')
  })

  it('answers 404 when the file is gone', async () => {
    const other = await library.saveImage({
      recipe: testRecipe({ jobId: 'job-1', generationId: 'g2', index: 2, count: 2 }),
      tempPath: writeTemp(library, await makeImage('png', 10, 10)),
    })
    rmSync(library.resolveFile(other.id, 'full')!)
    expect((await serveMedia(library, `/${other.id}/full`)).status).toBe(404)
    expect((await serveMedia(library, `/${other.id}/thumb`)).status).toBe(200)
  })

  it.runIf(existsSync('/proc/self/fd'))('holds no file handle for a body nobody reads', async () => {
    const file = library.resolveFile(png.id, 'full')!
    const openHandles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file
        } catch {
          return false
        }
      }).length
    const unread = await serveMedia(library, `/${png.id}/full`)
    expect(unread.status).toBe(200)
    expect(openHandles()).toBe(0)
    // Reading part of it opens the file; cancelling closes it.
    const reader = unread.body!.getReader()
    await reader.read()
    expect(openHandles()).toBe(1)
    await reader.cancel()
    expect(openHandles()).toBe(0)
  })
})
