// Exporting a selection: untouched files plus manifest.jsonl, to a folder or a zip (checked with Debian's unzip
// when installed, and always with yauzl, an unzip library independent of the writer), through the services and
// the request handlers.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buffer } from 'node:stream/consumers'
import { crc32 } from 'node:zlib'
import yauzl from 'yauzl'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices, type LibraryPlatform } from '../../electron/services/app'
import { createLogger } from '../../electron/services/log'
import { exportToFolder, exportToZip, linkForDrag } from '../../electron/services/library/export'
import { imageFileName } from '../../electron/services/library/file-names'
import { createNodeSettingsBacking } from '../../electron/services/settings'
import type { LibraryImage } from '../../shared/domain'
import { mediaUrl, openTestLibrary, type TestLibrary } from '../fixtures/library-fixture'
import { makeImage, writeTemp } from '../fixtures/library-images'

let t: TestLibrary
let out: string
beforeEach(() => {
  t = openTestLibrary()
  out = mkdtempSync(join(tmpdir(), 'atelier-export-'))
})
afterEach(async () => {
  await t.close()
  rmSync(out, { recursive: true, force: true })
})

const HAS_UNZIP = spawnSync('unzip', ['-v']).status === 0
const quiet = createLogger() // no data folder, no echo: writes nothing

/** What an independent reader (yauzl, a maintained unzip library) finds: every entry's bytes, CRC-checked. */
async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { strictFileNames: true, validateEntrySizes: true })
  const files = new Map<string, Buffer>()
  try {
    for await (const entry of zip.eachEntry()) {
      expect(entry.compressionMethod).toBe(0) // STORE: images are compressed already
      expect(entry.fileName).not.toContain('\\')
      const data = await buffer(await zip.openReadStreamPromise(entry))
      expect(crc32(data) >>> 0).toBe(entry.crc32)
      expect(files.has(entry.fileName)).toBe(false)
      files.set(entry.fileName, data)
    }
  } finally {
    zip.close()
  }
  return files
}

/** Whether the archive ends with ZIP64 records (the end-of-central-directory locator right before the plain end record). */
function endsWithZip64(file: string): boolean {
  const zip = readFileSync(file)
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  return eocd >= 20 && zip.readUInt32LE(eocd - 20) === 0x07064b50
}

/** A ZIP64 extended-information field in every central directory entry. */
async function everyEntryZip64(file: string): Promise<boolean> {
  const zip = await yauzl.openPromise(file)
  try {
    for await (const entry of zip.eachEntry()) if (!entry.extraFields.some((f) => f.id === 0x0001)) return false
    return true
  } finally {
    zip.close()
  }
}

async function threeImages(): Promise<LibraryImage[]> {
  return [
    await t.save({ prompt: 'Crème brûlée, macro shot', format: 'png', width: 80, height: 60 }),
    await t.save({ prompt: 'Crème brûlée, macro shot', format: 'jpeg' }), // same prompt: names must still differ
    await t.save({ prompt: '雪', format: 'webp', params: { size: '3K' } }),
  ]
}

function checkManifest(text: string, images: LibraryImage[], names: string[]): void {
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  expect(lines).toHaveLength(images.length)
  expect(lines.map((l) => l.file).sort()).toEqual([...names].filter((n) => n !== 'manifest.jsonl').sort())
  for (const image of images) {
    const line = lines.find((l) => l.imageId === image.id)!
    expect(line).toEqual({
      file: line.file,
      version: 1,
      app: 'Atelier',
      imageId: image.id,
      jobId: image.jobId,
      generationId: image.generationId,
      index: 0,
      count: 1,
      modelId: image.modelId,
      prompt: image.prompt,
      params: image.params,
      references: image.references,
      createdAt: image.createdAt,
      width: image.width,
      height: image.height,
      format: image.format,
      bytes: image.bytes,
    })
  }
}

describe('export', () => {
  it('copies the untouched files into a new folder with a manifest', async () => {
    const images = await threeImages()
    const items = await t.queries.files(images.map((i) => i.id))
    const target = join(out, 'export')
    expect(await exportToFolder(items, target)).toEqual({ location: target, count: 3 })
    const names = readdirSync(target).sort()
    expect(names).toHaveLength(4)
    expect(names).toContain('manifest.jsonl')
    expect(names.filter((n) => n.startsWith('creme-brulee-macro-shot-'))).toHaveLength(2)
    checkManifest(readFileSync(join(target, 'manifest.jsonl'), 'utf8'), images, names)
    for (const item of items) {
      const line = readFileSync(join(target, 'manifest.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes(item.image.id))!
      const name = (JSON.parse(line) as { file: string }).file
      expect(readFileSync(join(target, name)).equals(readFileSync(item.path))).toBe(true)
    }
    await expect(exportToFolder(items, target)).rejects.toThrow(/export did not finish/) // never into an existing folder
  })

  it('names files by one rule, the name each LibraryImage carries (export, drag-out); a clash takes the whole id', async () => {
    const images = await threeImages()
    const short = (i: number) => images[i]!.id.slice(0, 8)
    expect(images.map((i) => i.fileName)).toEqual([
      `creme-brulee-macro-shot-${short(0)}.png`,
      `creme-brulee-macro-shot-${short(1)}.jpg`,
      `image-${short(2)}.webp`, // no Latin letters or digits to make words of
    ])
    const id = images[0]!.id
    expect(imageFileName({ id, prompt: `${'Z'.repeat(8000)} tail`, format: 'png' })).toBe(`${'z'.repeat(48)}-${id.slice(0, 8)}.png`)
    expect(imageFileName({ id, prompt: ' -- ', format: 'jpeg' }, true)).toBe(`image-${id}.jpg`)

    const [item] = await t.queries.files([id])
    const twice = [item!, item!]
    await exportToFolder(twice, join(out, 'twice'))
    const names = [images[0]!.fileName, imageFileName(images[0]!, true)]
    expect(readdirSync(join(out, 'twice')).sort()).toEqual([...names, 'manifest.jsonl'].sort())
    expect((await linkForDrag(twice, join(out, 'drag'))).map((p) => p.slice(join(out, 'drag').length + 1))).toEqual(names)
  })

  for (const forceZip64 of [false, true]) {
    it(`writes a valid zip${forceZip64 ? ' with ZIP64 records' : ''}: files byte for byte and the manifest`, async () => {
      const images = await threeImages()
      const items = await t.queries.files(images.map((i) => i.id))
      const zip = join(out, 'images.zip')
      expect(await exportToZip(items, zip, { forceZip64 })).toEqual({ location: zip, count: 3 })
      expect(existsSync(`${zip}.part`)).toBe(false)
      const files = await readZip(zip)
      expect([...files.keys()].at(-1)).toBe('manifest.jsonl')
      expect(endsWithZip64(zip)).toBe(forceZip64)
      expect(await everyEntryZip64(zip)).toBe(forceZip64)
      checkManifest(files.get('manifest.jsonl')!.toString('utf8'), images, [...files.keys()])
      for (const item of items) {
        const [name] = [...files.entries()].find(([, data]) => data.equals(readFileSync(item.path)))!
        expect(name).toMatch(/\.(png|jpg|webp)$/)
      }
      if (HAS_UNZIP) {
        expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toMatch(/No errors detected/)
        const listed = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n')
        expect(listed.sort()).toEqual([...files.keys()].sort())
        const extracted = join(out, 'x')
        mkdirSync(extracted)
        execFileSync('unzip', ['-q', zip, '-d', extracted])
        for (const [name, data] of files) expect(readFileSync(join(extracted, name)).equals(data)).toBe(true)
      }
    })
  }

  it('exports large files whole (streamed; the main-thread figures are in npm run bench)', async () => {
    const images: LibraryImage[] = []
    for (let i = 0; i < 3; i++) {
      const bytes = await makeImage('png', 1400, 1400, true) // ~6 MB of noise each
      const recipe = { jobId: `big-${i}`, generationId: `big-${i}`, index: 0, count: 1, modelId: 'm', prompt: 'noise', params: {}, references: [] }
      images.push(await t.library.saveImage({ recipe, tempPath: writeTemp(t.library, bytes) }))
    }
    const items = await t.queries.files(images.map((i) => i.id))
    expect(items.reduce((sum, i) => sum + i.image.bytes, 0)).toBeGreaterThan(12_000_000)
    let n = 0
    const zip = () => exportToZip(items, join(out, `big-${++n}.zip`))
    const folder = () => exportToFolder(items, join(out, `big-${++n}`))
    await zip()
    await folder()
    expect((await readZip(join(out, 'big-1.zip'))).size).toBe(4)
  })

  it('leaves no half-written zip behind when it fails', async () => {
    const [image] = await threeImages()
    const items = await t.queries.files([image!.id])
    rmSync(items[0]!.path) // the file vanishes mid-export
    await expect(exportToZip(items, join(out, 'broken.zip'))).rejects.toThrow(/export did not finish/)
    expect(readdirSync(out)).toEqual([])
  })

  it('fails once, whole, when several files are gone; never over a zip being written', async () => {
    const images = await threeImages()
    const items = await t.queries.files(images.map((i) => i.id))
    rmSync(items[0]!.path)
    rmSync(items[2]!.path) // two failures: the second must not escape as an unhandled error
    await expect(exportToZip(items, join(out, 'broken.zip'))).rejects.toThrow(/export did not finish/)
    expect(readdirSync(out)).toEqual([])
    // A zip of the same name still being written (its .part exists): refused before any image is read.
    const [kept] = await t.queries.files([images[1]!.id])
    writeFileSync(join(out, 'busy.zip.part'), 'another export')
    await expect(exportToZip([kept!], join(out, 'busy.zip'))).rejects.toThrow(/export did not finish/)
    expect(readdirSync(out)).toEqual(['busy.zip.part'])
    expect(readFileSync(join(out, 'busy.zip.part'), 'utf8')).toBe('another export') // left alone
  })
})

describe('export and the platform actions through the request handlers', () => {
  let dataDir: string
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'atelier-app-'))
  })
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  async function servicesWith(platform?: LibraryPlatform) {
    const services = createAppServices({
      dataDir,
      keytar: new Error('no keychain in this test'),
      settingsBacking: createNodeSettingsBacking(dataDir),
      mediaUrl,
      emit: () => {},
      log: quiet,
      ...(platform ? { platform } : {}),
    })
    const library = services.library
    const recipe = (index: number) => ({ jobId: 'j', generationId: `g${index}`, index, count: 2, modelId: 'm', prompt: 'a kite', params: {}, references: [] })
    const png = await library.saveImage({ recipe: recipe(0), tempPath: writeTemp(library, await makeImage('png', 64, 64)) })
    const webp = await library.saveImage({ recipe: recipe(1), tempPath: writeTemp(library, await makeImage('webp', 64, 64), 'webp') })
    return { services, png, webp }
  }

  it('without a desktop shell: exports under the data folder, and says drag/copy/reveal need the app', async () => {
    const { services, png, webp } = await servicesWith()
    try {
      const zip = await services.dispatch('exportImages', { imageIds: [png.id, webp.id, png.id], as: 'zip' })
      expect(zip).toMatchObject({ ok: true, value: { count: 2 } })
      const location = (zip as { value: { location: string } }).value.location
      expect(location).toMatch(new RegExp(`^${join(dataDir, 'exports')}/atelier-export-\\d{8}-\\d{6}\\.zip$`))
      expect((await readZip(location)).size).toBe(3)
      const folder = await services.dispatch('exportImages', { imageIds: [webp.id], as: 'folder' })
      expect(folder).toMatchObject({ ok: true, value: { count: 1 } })
      expect(readdirSync((folder as { value: { location: string } }).value.location)).toHaveLength(2)
      // What the detail view shows crosses the contract: the aspect label and the export/drag file name.
      expect(await services.dispatch('getImageDetail', { imageId: png.id })).toMatchObject({
        ok: true,
        value: { image: { aspect: '1:1', fileName: `a-kite-${png.id.slice(0, 8)}.png` } },
      })
      expect(await services.dispatch('exportImages', { imageIds: ['gone'], as: 'zip' })).toMatchObject({
        ok: false,
        error: { code: 'not-found' },
      })
      for (const [name, input] of [
        ['startDrag', { imageIds: [png.id] }],
        ['copyImage', { imageId: png.id }],
        ['revealImage', { imageId: png.id }],
      ] as const) {
        expect(await services.dispatch(name, input)).toEqual({
          ok: false,
          error: { code: 'invalid-input', message: expect.stringMatching(/works in the Atelier desktop app/) },
        })
      }
    } finally {
      await services.dispose()
    }
  })

  it('with a desktop shell: hands it only real paths inside the library, resolved from ids; drags named as exports', async () => {
    const calls: unknown[][] = []
    let chosen: string | null = out
    const platform: LibraryPlatform = {
      startDrag: (files, icon) => calls.push(['drag', files, icon.subarray(1, 4).toString('latin1')]),
      copyImage: (image) => calls.push(['copy', 'png' in image ? 'png bytes' : image.path]),
      reveal: (file) => calls.push(['reveal', file]),
      exportTarget: async (kind, suggested) => {
        calls.push(['target', kind, suggested])
        return chosen === null ? null : kind === 'zip' ? join(chosen, suggested) : chosen
      },
    }
    const { services, png, webp } = await servicesWith(platform)
    try {
      const pngPath = services.library.resolveFile(png.id, 'full')!
      const webpPath = services.library.resolveFile(webp.id, 'full')!
      expect(await services.dispatch('startDrag', { imageIds: [png.id, webp.id, 'nope'] })).toEqual({ ok: true, value: { count: 2 } })
      expect(await services.dispatch('copyImage', { imageId: png.id })).toEqual({ ok: true, value: { count: 1 } })
      expect(await services.dispatch('copyImage', { imageId: webp.id })).toEqual({ ok: true, value: { count: 1 } })
      expect(await services.dispatch('revealImage', { imageId: webp.id })).toEqual({ ok: true, value: { count: 1 } })
      expect(await services.dispatch('revealImage', { imageId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
      const folder = await services.dispatch('exportImages', { imageIds: [png.id], as: 'folder' })
      expect((folder as { value: { location: string } }).value.location).toMatch(new RegExp(`^${out}/atelier-export-`))
      chosen = null
      expect(await services.dispatch('exportImages', { imageIds: [png.id], as: 'zip' })).toEqual({ ok: true, value: { location: '', count: 0 } })
      // Dragged out: hard links to the library's files in a fresh temp folder, named as an export names them.
      const dragged = calls[0]![1] as string[]
      expect(dragged.map((p) => p.slice(dirname(p).length + 1))).toEqual([png.fileName, webp.fileName])
      expect(png.fileName).toBe(`a-kite-${png.id.slice(0, 8)}.png`)
      expect(dirname(dragged[0]!)).toMatch(new RegExp(`^${join(services.library.dir, '.tmp')}/[0-9a-f-]{36}\\.drag$`))
      for (const [i, original] of [pngPath, webpPath].entries()) expect(statSync(dragged[i]!).ino).toBe(statSync(original).ino)
      expect(calls).toEqual([
        ['drag', dragged, 'PNG'],
        ['copy', pngPath],
        ['copy', 'png bytes'],
        ['reveal', webpPath],
        ['target', 'folder', expect.stringMatching(/^atelier-export-\d{8}-\d{6}$/)],
        ['target', 'zip', expect.stringMatching(/^atelier-export-\d{8}-\d{6}\.zip$/)],
      ])
    } finally {
      await services.dispose()
    }
  })
})
