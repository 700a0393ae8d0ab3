// Reference images through real parts: files on disk, the library's SQLite index, sharp, the media
// handler, and the Oxen simulator over loopback for uploads.
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppFailure } from '../../electron/services/errors'
import { openLibrary, type LibraryStore } from '../../electron/services/library/library'
import { serveMedia } from '../../electron/services/library/media'
import { OxenClient } from '../../electron/services/oxen/client'
import { createReferenceStore, REFERENCE_LIMITS, REFERENCE_REPO, type ReferenceStore } from '../../electron/services/library/references'
import { AddReferenceInputSchema, type AddReferenceInput } from '../../shared/domain'
import { startSimulator, type Simulator } from '../../tools/oxen-simulator/index'
import { testRecipe, writeTemp } from '../fixtures/library-images'
import { distinctImage, makeImage, PDF, pngClaiming, sha256, SVG, writeInput } from '../fixtures/references-images'

const KEY = 'test-key-references-0001'

let root: string
let inputs: string
let library: LibraryStore
let store: ReferenceStore

const openStore = () => {
  library = openLibrary({ dir: join(root, 'library'), mediaUrl: (id, v) => `/media/${id}/${v}` })
  store = createReferenceStore({ library, mediaUrl: (hash, v) => `/media/ref/${hash}/${v}` })
}

/** The parsed input, exactly as the dispatcher hands it to the handler. */
const add = (input: AddReferenceInput) => store.add(AddReferenceInputSchema.parse(input))
const addPath = (path: string) => add({ kind: 'file', path })

/** Files under the library's references folder and its temp area (nothing may be left behind). */
function storedFiles(): string[] {
  const list = (sub: string) =>
    existsSync(join(library.dir, sub))
      ? readdirSync(join(library.dir, sub), { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
      : []
  return [...list('references'), ...list('.tmp')]
}

async function failureOf(promise: Promise<unknown>): Promise<AppFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppFailure)
  return error as AppFailure
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'atelier-references-'))
  inputs = join(root, 'Designer Files')
  openStore()
})
afterEach(() => {
  library.close()
  rmSync(root, { recursive: true, force: true })
})

describe('adding references', () => {
  it.each([
    ['png', 'moodboard.png', 640, 480],
    ['jpeg', 'photo.jpeg', 300, 500],
    ['webp', 'texture.webp', 1024, 256],
  ] as const)('stores a dragged-in %s once, byte for byte, with a 256 px WebP thumbnail', async (format, name, width, height) => {
    const bytes = await makeImage(format, width, height, true)
    const ref = await addPath(writeInput(inputs, name, bytes))
    expect(ref).toEqual({ hash: sha256(bytes), name, format, width, height, bytes: bytes.length, thumbUrl: `/media/ref/${sha256(bytes)}/thumb` })
    const file = store.resolveFile(ref.hash, 'full')!
    expect(file).toBe(join(library.dir, 'references', `${ref.hash}.${format === 'jpeg' ? 'jpg' : format}`))
    expect(readFileSync(file).equals(bytes)).toBe(true)
    const thumb = await sharp(readFileSync(store.resolveFile(ref.hash, 'thumb')!)).metadata()
    expect(thumb.format).toBe('webp')
    expect(Math.max(thumb.width, thumb.height)).toBe(256)
    expect(store.get(ref.hash)).toEqual(ref)
  })

  it('stores pasted bytes under the default name, and the same bytes dragged in later are the same reference', async () => {
    const bytes = await makeImage('png', 200, 120)
    const pasted = await add({ kind: 'bytes', base64: bytes.toString('base64') })
    expect(pasted).toMatchObject({ hash: sha256(bytes), name: 'pasted image', format: 'png', width: 200, height: 120 })
    const dragged = await addPath(writeInput(inputs, 'again.png', bytes))
    expect(dragged).toEqual(pasted) // first name kept
    const again = await add({ kind: 'bytes', name: 'clipboard', base64: bytes.toString('base64') })
    expect(again.hash).toBe(pasted.hash)
    expect(storedFiles().filter((f) => !f.includes(`${join(library.dir, '.tmp')}`))).toHaveLength(2) // one file + one thumb
    expect(library.db.prepare('SELECT count(*) AS n FROM reference_images').get()).toMatchObject({ n: 1 })
  })

  it('uses an image from the library by id, copying the library file', async () => {
    const recipe = testRecipe({ jobId: 'job-1', generationId: 'g0', prompt: 'a lighthouse at dusk, oil on canvas' })
    const image = await library.saveImage({ recipe, tempPath: writeTemp(library, await makeImage('png', 320, 200)) })
    const onDisk = readFileSync(library.resolveFile(image.id, 'full')!)
    const ref = await add({ kind: 'library', imageId: image.id })
    expect(ref).toMatchObject({ hash: sha256(onDisk), name: 'a lighthouse at dusk, oil on canvas', format: 'png', width: 320, height: 200 })
    expect(readFileSync(store.resolveFile(ref.hash, 'full')!).equals(onDisk)).toBe(true)

    const missing = await failureOf(add({ kind: 'library', imageId: '00000000-0000-4000-8000-000000000000' }))
    expect(missing.code).toBe('not-found')
    expect((await failureOf(add({ kind: 'library', imageId: '../../etc/passwd' }))).code).toBe('not-found')
  })

  it('accepts 15 distinct references (the 14 cap belongs to the request) and keeps them across a restart', async () => {
    const refs = []
    for (let i = 0; i < 15; i++) refs.push(await addPath(writeInput(inputs, `ref-${i}.png`, await distinctImage(i + 1))))
    expect(new Set(refs.map((r) => r.hash)).size).toBe(15)
    library.close()
    openStore()
    for (const ref of refs) {
      expect(store.get(ref.hash)).toEqual(ref)
      expect(store.resolveFile(ref.hash, 'full')).not.toBeNull()
    }
  })

  it('reports the size as displayed, honouring EXIF orientation', async () => {
    const rotated = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#345' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    expect(await addPath(writeInput(inputs, 'portrait.jpg', rotated))).toMatchObject({ width: 100, height: 200 })
  })

  it('goes by content: a PNG named .jpg is stored as the PNG it is', async () => {
    const bytes = await makeImage('png', 128, 128)
    const ref = await addPath(writeInput(inputs, 'actually-a-png.jpg', bytes))
    expect(ref).toMatchObject({ name: 'actually-a-png.jpg', format: 'png' })
    expect(store.resolveFile(ref.hash, 'full')).toMatch(/\.png$/)
  })

  it('follows a symlink to a regular file', async () => {
    const target = writeInput(inputs, 'real.webp', await makeImage('webp', 100, 100))
    const link = join(inputs, 'link.webp')
    symlinkSync(target, link)
    expect(await addPath(link)).toMatchObject({ name: 'link.webp', format: 'webp' })
  })
})

describe('refusing bad references, each with its own message and no file left behind', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['a text file', async () => writeInput(inputs, 'notes.txt', 'not a picture\n'), /^“notes\.txt” is not an image\. Use a PNG, JPEG or WebP/],
    ['a PDF', async () => writeInput(inputs, 'brief.pdf', PDF), /^“brief\.pdf” is a PDF document, not an image\./],
    ['a GIF', async () => writeInput(inputs, 'loop.gif', await sharp({ create: { width: 80, height: 80, channels: 3, background: '#f00' } }).gif().toBuffer()), /^“loop\.gif” is a GIF image, which .* Convert it to PNG, JPEG or WebP/],
    ['an SVG', async () => writeInput(inputs, 'logo.svg', SVG), /^“logo\.svg” is an SVG \(vector\) image/],
    ['a TIFF', async () => writeInput(inputs, 'scan.tif', await sharp({ create: { width: 80, height: 80, channels: 3, background: '#0f0' } }).tiff().toBuffer()), /^“scan\.tif” is a TIFF image/],
    ['a 0-byte file', async () => writeInput(inputs, 'empty.png', Buffer.alloc(0)), /^“empty\.png” is empty \(0 bytes\)/],
    [
      'a file over the byte limit (sparse)',
      async () => {
        const path = writeInput(inputs, 'huge.png', await makeImage('png', 100, 100))
        truncateSync(path, REFERENCE_LIMITS.maxBytes + 4_200_000)
        return path
      },
      /^“huge\.png” is 34\.2 MB; reference images can be at most 30 MB\./,
    ],
    [
      'a 50 GB sparse file (refused before any of it is read)',
      async () => {
        const path = writeInput(inputs, 'disk-image.webp', await makeImage('webp', 100, 100))
        truncateSync(path, 50e9)
        return path
      },
      /^“disk-image\.webp” is 50 GB; reference images can be at most 30 MB\./,
    ],
    ['a header claiming 100000 × 100000 pixels', async () => writeInput(inputs, 'bomb.png', pngClaiming(100_000, 100_000)), /^“bomb\.png” is 100000 × 100000 pixels; .* at most 8192 pixels on a side and 36 megapixels/],
    ['a side over 8192 pixels', async () => writeInput(inputs, 'strip.png', pngClaiming(9000, 100)), /^“strip\.png” is 9000 × 100 pixels/],
    ['a tiny image', async () => writeInput(inputs, 'icon.png', await makeImage('png', 32, 200)), /^“icon\.png” is only 32 × 200 pixels; .* at least 64 pixels/],
    [
      'a truncated PNG',
      async () => {
        const bytes = await makeImage('png', 400, 300, true)
        return writeInput(inputs, 'cut.png', bytes.subarray(0, Math.floor(bytes.length * 0.8)))
      },
      /^“cut\.png” looks like a PNG image but can’t be read: the file is damaged or incomplete/,
    ],
    [
      'a truncated JPEG',
      async () => {
        const bytes = await makeImage('jpeg', 400, 300, true)
        return writeInput(inputs, 'cut.jpg', bytes.subarray(0, Math.floor(bytes.length * 0.7)))
      },
      /^“cut\.jpg” looks like a JPEG image but can’t be read/,
    ],
    ['a PNG signature over garbage', async () => writeInput(inputs, 'garbage.png', Buffer.concat([pngClaiming(1, 1).subarray(0, 8), Buffer.alloc(500, 7)])), /^“garbage\.png” looks like a PNG image but can’t be read/],
    [
      'a directory',
      async () => {
        mkdirSync(join(inputs, 'Shoot 2026'), { recursive: true })
        return join(inputs, 'Shoot 2026')
      },
      /^“Shoot 2026” is a folder, not an image\./,
    ],
    [
      'a symlink to a directory',
      async () => {
        mkdirSync(join(inputs, 'real-folder'), { recursive: true })
        symlinkSync(join(inputs, 'real-folder'), join(inputs, 'folder-link'))
        return join(inputs, 'folder-link')
      },
      /^“folder-link” is a folder/,
    ],
    [
      'a dangling symlink',
      async () => {
        mkdirSync(inputs, { recursive: true })
        symlinkSync(join(inputs, 'gone.png'), join(inputs, 'dangling.png'))
        return join(inputs, 'dangling.png')
      },
      /^“dangling\.png” can’t be found/,
    ],
    ['a missing path', async () => join(inputs, 'moved-away.png'), /^“moved-away\.png” can’t be found: it may have been moved, renamed or deleted\./],
    ['a relative path', async () => 'Designer Files/moodboard.png', /needs the full location of a reference file, and “Designer Files\/moodboard\.png” is not one/],
    ['a path through a file', async () => join(writeInput(inputs, 'plain.png', await makeImage('png', 80, 80)), 'inner.png'), /^“inner\.png” can’t be found/],
  ]

  it.each(cases)('%s', async (_name, make, message) => {
    const path = await make()
    const failure = await failureOf(addPath(path))
    expect(failure.code).toBe('invalid-input')
    expect(failure.message).toMatch(message)
    expect(storedFiles()).toEqual([])
    expect(library.db.prepare('SELECT count(*) AS n FROM reference_images').get()).toMatchObject({ n: 0 })
  })

  it.runIf(process.platform === 'linux')('a FIFO (not a regular file), without hanging', async () => {
    mkdirSync(inputs, { recursive: true })
    execFileSync('mkfifo', [join(inputs, 'pipe.png')])
    const failure = await failureOf(addPath(join(inputs, 'pipe.png')))
    expect(failure.message).toMatch(/^“pipe\.png” is not a regular file/)
  })

  it.runIf(process.getuid?.() !== 0)('a file the user may not read', async () => {
    const path = writeInput(inputs, 'locked.png', await makeImage('png', 80, 80))
    chmodSync(path, 0o000)
    expect((await failureOf(addPath(path))).message).toMatch(/^Atelier isn’t allowed to read “locked\.png”/)
  })

  it('pasted bytes that are not an image, or are empty', async () => {
    expect((await failureOf(add({ kind: 'bytes', name: 'clip', base64: Buffer.from('hello world').toString('base64') }))).message).toMatch(/^“clip” is not an image/)
    expect((await failureOf(add({ kind: 'bytes', base64: '' }))).message).toMatch(/^“pasted image” is empty/)
    expect(storedFiles()).toEqual([])
  })
})

describe('media serves references by hash', () => {
  it('streams the thumbnail and the original with their types', async () => {
    const bytes = await makeImage('jpeg', 300, 200)
    const ref = await addPath(writeInput(inputs, 'a.jpg', bytes))
    const thumb = await serveMedia(library, `/ref/${ref.hash}/thumb`)
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    expect(Buffer.from(await thumb.arrayBuffer()).equals(readFileSync(store.resolveFile(ref.hash, 'thumb')!))).toBe(true)
    const full = await serveMedia(library, `/ref/${ref.hash}/full`)
    expect(full.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('refuses traversal and malformed reference paths', async () => {
    const ref = await addPath(writeInput(inputs, 'a.png', await makeImage('png', 100, 100)))
    writeFileSync(join(root, 'secret.txt'), 'outside the library')
    const h = ref.hash
    const paths = [
      '/ref/../secret.txt',
      '/ref/../../secret.txt/full',
      `/ref/${h}/../../../secret.txt`,
      `/ref/${h}/../full`,
      '/ref/%2e%2e/full',
      `/ref/%2e%2e%2f${h}/full`,
      `/ref/${h}%2Ffull`,
      `/ref/${h}/full%00`,
      `/ref/${h.toUpperCase()}/full`,
      `/ref/${h.slice(1)}/full`,
      `/ref/${h}0/full`,
      `/ref/${h}`,
      `/ref/${h}/`,
      `/ref/${h}/full/extra`,
      `/ref/${h}/original`,
      `/REF/${h}/full`,
      `//ref/${h}/full`,
      `/ref//${h}/full`,
      `/ref/${'0'.repeat(64)}/full`,
      '/ref/full',
      `/ref\\${h}\\full`,
    ]
    for (const path of paths) {
      const response = await serveMedia(library, path)
      expect(response.status, path).toBe(404)
      expect(await response.text()).not.toContain('outside')
    }
  })

  it('does not follow a link planted in the references folder out of the library', async () => {
    const fake = 'f'.repeat(64)
    writeFileSync(join(root, 'secret.png'), await makeImage('png', 80, 80))
    mkdirSync(join(library.dir, 'references'), { recursive: true })
    symlinkSync(join(root, 'secret.png'), join(library.dir, 'references', `${fake}.png`))
    library.db
      .prepare(`INSERT INTO reference_images (hash, name, format, width, height, bytes, created_at) VALUES (?, 'x', 'png', 80, 80, 1, 1)`)
      .run(fake)
    expect(store.resolveFile(fake, 'full')).toBeNull()
    expect((await serveMedia(library, `/ref/${fake}/full`)).status).toBe(404)
  })
})

describe('supplying references to Oxen', () => {
  let sim: Simulator
  const requests: string[] = []
  const count = (pattern: RegExp) => requests.filter((line) => pattern.test(line)).length
  const clientFor = (key: string) =>
    new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => key, retry: { attempts: 2, baseMs: 1, capMs: 2 } })

  beforeAll(async () => {
    sim = await startSimulator({ apiKeys: [KEY], queuedMs: 20, processingMs: 40, log: (line) => requests.push(line) })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.setFaults({})
  })

  /** Waits for a log line: the simulator logs a request when its response closes. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

  let seed = 1000
  /** Two references no earlier test has uploaded. */
  async function twoReferences() {
    const a = await addPath(writeInput(inputs, 'a.png', await distinctImage(seed++, 'png', 120)))
    const b = await addPath(writeInput(inputs, 'b.jpg', await distinctImage(seed++, 'jpeg', 140)))
    return [a, b]
  }

  it('uploads each file once into atelier-references (creating it), and the URLs serve the exact bytes', async () => {
    const refs = await twoReferences()
    const hashes = refs.map((r) => r.hash)
    requests.length = 0
    const first = await store.urlsFor(hashes, 'upload', clientFor(KEY))
    expect(first.supply).toBe('upload')
    expect(first.note).toBeUndefined()
    expect(first.urls).toEqual([
      `${sim.baseUrl}/api/repos/atelier-user/${REFERENCE_REPO}/file/main/references/${hashes[0]}.png`,
      `${sim.baseUrl}/api/repos/atelier-user/${REFERENCE_REPO}/file/main/references/${hashes[1]}.jpg`,
    ])
    for (const [i, url] of first.urls.entries()) {
      const response = await fetch(url) // no key: Oxen's workers fetch these anonymously
      expect(response.status).toBe(200)
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(store.resolveFile(hashes[i]!, 'full')!))).toBe(true)
    }
    await settle()
    expect(count(/^POST \/api\/repos /)).toBe(1)
    expect(count(/^PUT \/api\/repos\//)).toBe(2)
    expect(sim.stats()).toMatchObject({ reposCreated: 1, uploads: 2 })

    requests.length = 0
    const second = await store.urlsFor([...hashes].reverse(), 'upload', clientFor(KEY))
    expect(second).toEqual({ urls: [...first.urls].reverse(), supply: 'upload' })
    await settle()
    expect(count(/^(POST|PUT) \/api\/repos/)).toBe(0)
    expect(sim.stats()).toMatchObject({ reposCreated: 1, uploads: 2 })

    // The URL cache lives in the library: a restarted app does not upload again either.
    library.close()
    openStore()
    requests.length = 0
    expect((await store.urlsFor(hashes, 'upload', clientFor(KEY))).urls).toEqual(first.urls)
    await settle()
    expect(count(/^(POST|PUT) \/api\/repos/)).toBe(0)
  })

  it('uploads into a repo that already exists (409) and a generation can read the URLs', async () => {
    const refs = await twoReferences()
    const created = await fetch(`${sim.baseUrl}/api/repos`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ namespace: 'atelier-user', name: REFERENCE_REPO, user: { name: 'atelier-user', email: 'a@example.com' } }),
    })
    expect([200, 201, 409]).toContain(created.status)
    requests.length = 0
    const { urls, supply } = await store.urlsFor(refs.map((r) => r.hash), 'upload', clientFor(KEY))
    expect(supply).toBe('upload')
    await settle()
    expect(requests.filter((l) => l.startsWith('POST /api/repos '))).toEqual([expect.stringMatching(/^POST \/api\/repos 409 /)])

    // The simulator fetches each reference URL when the generation runs, as Oxen does.
    const fetchedBefore = sim.stats().referencesFetched.url
    const auth = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }
    const queued = await fetch(`${sim.baseUrl}/api/ai/queue`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'bytedance-seedream-5-lite', prompt: 'a chair in the style of @Image1 and @Image2', image_input: urls }),
    })
    const id = ((await queued.json()) as { generations: { generation_id: string }[] }).generations[0]!.generation_id
    // Until it finishes, however long the machine takes (no count of polls standing in for a deadline).
    let row: Record<string, unknown> = {}
    while (!['succeeded', 'failed', 'cancelled'].includes(row.status as string)) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      row = (await (await fetch(`${sim.baseUrl}/api/ai/queue/${id}`, { headers: auth })).json()) as Record<string, unknown>
    }
    expect(row).toMatchObject({ status: 'succeeded', error_message: null })
    expect(sim.stats().referencesFetched.url - fetchedBefore).toBe(2)
  })

  it('inlines data URIs when asked, without touching Oxen', async () => {
    const refs = await twoReferences()
    requests.length = 0
    const { urls, supply, note } = await store.urlsFor(refs.map((r) => r.hash), 'data-uri', clientFor(KEY))
    expect(supply).toBe('data-uri')
    expect(note).toBeUndefined()
    expect(urls[0]).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)
    expect(urls[1]).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/)
    for (const [i, url] of urls.entries()) {
      expect(Buffer.from(url.split(',')[1]!, 'base64').equals(readFileSync(store.resolveFile(refs[i]!.hash, 'full')!))).toBe(true)
    }
    await settle()
    expect(requests).toEqual([])
  })

  it('falls back to data URIs, and says why, when the upload fails on Oxen’s side', async () => {
    const refs = await twoReferences()
    for (const status of [500, 503]) {
      sim.setFaults({ named: [`server-error=${status};method=PUT`] })
      const result = await store.urlsFor(refs.map((r) => r.hash), 'upload', clientFor(KEY))
      expect(result.supply).toBe('data-uri')
      expect(result.urls.every((u) => u.startsWith('data:image/'))).toBe(true)
      expect(result.note).toBe(
        `Reference images were sent inline (as data URIs) because uploading them to Oxen did not work: ` +
          `Uploading ${refs[0]!.hash}.png to Oxen failed: Oxen answered ${status}.`,
      )
    }

    // Nothing was cached: once Oxen recovers, the next job uploads.
    sim.setFaults({})
    expect((await store.urlsFor(refs.map((r) => r.hash), 'upload', clientFor(KEY))).supply).toBe('upload')
  })

  it('falls back when the key may not create repositories (403), since the key itself works', async () => {
    const refs = await twoReferences()
    sim.setFaults({ requests: [{ method: 'POST', path: '^/api/repos$', status: 403 }] })
    const result = await store.urlsFor(refs.map((r) => r.hash), 'upload', clientFor(KEY))
    expect(result).toMatchObject({ supply: 'data-uri', note: expect.stringMatching(/Creating the Oxen repository atelier-user\/atelier-references failed: Oxen refused it \(403 forbidden\)\.$/) })
  })

  it('uploads each file once when two jobs ask at the same time', async () => {
    const refs = await twoReferences()
    const before = sim.stats().uploads
    const hashes = refs.map((r) => r.hash)
    const [a, b] = await Promise.all([store.urlsFor(hashes, 'upload', clientFor(KEY)), store.urlsFor(hashes, 'upload', clientFor(KEY))])
    expect(a).toEqual(b)
    expect(sim.stats().uploads - before).toBe(2)
  })

  it('does not fall back when the key is wrong: that is for the user to fix', async () => {
    const refs = await twoReferences()
    const failure = await failureOf(store.urlsFor(refs.map((r) => r.hash), 'upload', clientFor('test-key-not-accepted')))
    expect(failure.code).toBe('unauthorized')
    expect(failure.message).not.toContain('test-key-not-accepted')
  })

  it('refuses a reference that is no longer stored', async () => {
    const failure = await failureOf(store.urlsFor(['a'.repeat(64)], 'data-uri', clientFor(KEY)))
    expect(failure.code).toBe('not-found')
    expect(await store.urlsFor([], 'upload', clientFor(KEY))).toEqual({ urls: [], supply: 'upload' })
  })
})
