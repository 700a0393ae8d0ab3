// Recipes embedded in real PNG/JPEG/WebP files, checked with sharp and the real exiftool.
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embedRecipe, readRecipe, RECIPE_KEYWORD, type Recipe } from '../../electron/services/library/image-metadata'
import {
  exiftoolJson,
  exiftoolWrite,
  makePicture,
  rawPixels,
  sampleRecipe,
  TRICKY_PROMPT,
  type MetadataFormat,
} from '../fixtures/metadata-files'

let dir: string
let fileCount = 0
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-metadata-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function write(bytes: Buffer, ext: string): string {
  const path = join(dir, `file-${fileCount++}.${ext}`)
  writeFileSync(path, bytes)
  return path
}

function occurrences(haystack: Buffer, needle: string): number {
  const n = Buffer.from(needle, 'latin1')
  let count = 0
  for (let at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + 1)) count++
  return count
}

/** A PNG chunk built independently of the module under test. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(body.length + 8)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), body.length + 4)
  return out
}

/** `chunk` inserted right after IHDR (8-byte signature + 25-byte IHDR chunk). */
function afterIhdr(png: Buffer, chunk: Buffer): Buffer {
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)])
}

const EXT = { png: 'png', jpeg: 'jpg', webp: 'webp' } as const
const FORMATS: MetadataFormat[] = ['png', 'jpeg', 'webp']

describe.each(FORMATS)('embedRecipe + readRecipe (%s)', (format) => {
  let original: Buffer
  let embedded: Buffer
  let path: string
  const recipe = sampleRecipe()

  beforeAll(async () => {
    original = await makePicture(format)
    embedded = embedRecipe(original, format, recipe)
    path = write(embedded, EXT[format])
  })

  it('exiftool reads exactly the prompt as XMP-dc:Description, and finds the file valid', async () => {
    const info = await exiftoolJson(path, '-G1', '-validate', '-warning', '-XMP-dc:Description')
    expect(info['XMP-dc:Description']).toBe(TRICKY_PROMPT)
    expect(info['ExifTool:Validate']).toBe('OK')
    expect(info['ExifTool:Warning']).toBeUndefined()
    // the plain form from the brief
    expect((await exiftoolJson(path, '-XMP-dc:Description')).Description).toBe(TRICKY_PROMPT)
  })

  it('readRecipe returns the exact recipe', async () => {
    expect(await readRecipe(path)).toEqual(recipe)
  })

  it('leaves the pixels alone: sharp decodes the file to identical pixels', async () => {
    expect(embedded.length).toBeGreaterThan(original.length)
    expect(Buffer.compare(await rawPixels(path), await rawPixels(original))).toBe(0)
    const meta = await sharp(path).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual([format, 256, 160])
  })

  it('embedding again replaces the recipe instead of adding another', async () => {
    const second = sampleRecipe({ prompt: 'a second prompt', cost: undefined, imageId: 'other' })
    const twice = embedRecipe(embedded, format, second)
    expect(twice.equals(embedRecipe(original, format, second))).toBe(true)
    expect(occurrences(twice, format === 'png' ? `iTXt${RECIPE_KEYWORD}\0` : '<atelier:Recipe>')).toBe(1)
    expect(occurrences(twice, format === 'png' ? 'iTXtXML:com.adobe.xmp\0' : 'x:xmpmeta xmlns:x')).toBe(1)
    const file = write(twice, EXT[format])
    const info = await exiftoolJson(file, '-a', '-G1', '-validate', '-warning', '-XMP:all')
    expect(info['ExifTool:Validate']).toBe('OK') // a second XMP packet would be "Duplicate XMP"
    expect(info['XMP-dc:Description']).toBe('a second prompt')
    const { cost: _, ...withoutCost } = second
    expect(await readRecipe(file)).toEqual(withoutCost)
    expect(Buffer.compare(await rawPixels(file), await rawPixels(original))).toBe(0)
  })

  it('round-trips control characters, lone surrogates and non-characters in the recipe; XMP keeps what XML can hold', async () => {
    const prompt = 'line one\nline two\ttab\r\nbell\u0001 esc\u001b lone\uD83C end\uFFFF 🌊 灯台'
    const recipe2 = sampleRecipe({ prompt, params: { style: 'a <b> & "c"\u0002' } })
    const file = write(embedRecipe(original, format, recipe2), EXT[format])
    expect(await readRecipe(file)).toEqual(recipe2)
    const info = await exiftoolJson(file, '-G1', '-validate', '-XMP-dc:Description')
    expect(info['ExifTool:Validate']).toBe('OK')
    expect(info['XMP-dc:Description']).toBe('line one\nline two\ttab\r\nbell esc lone end 🌊 灯台')
  })

  it('survives another tool rewriting the metadata (exiftool adds a title)', async () => {
    const file = write(embedded, EXT[format])
    await exiftoolWrite(file, '-XMP-dc:Title=Edited elsewhere')
    expect(readFileSync(file).equals(embedded)).toBe(false)
    expect(await readRecipe(file)).toEqual(recipe)
    expect((await exiftoolJson(file, '-XMP-dc:Title')).Title).toBe('Edited elsewhere')
  })

  it('returns null for a file without a recipe', async () => {
    expect(await readRecipe(write(original, EXT[format]))).toBeNull()
  })

  it('returns null, without throwing, for a file cut short inside the recipe', async () => {
    const at = embedded.indexOf(Buffer.from(format === 'png' ? RECIPE_KEYWORD : 'atelier:Recipe>')) + 40
    expect(at).toBeGreaterThan(40)
    expect(await readRecipe(write(embedded.subarray(0, at), EXT[format]))).toBeNull()
  })

  it('refuses bytes of another format', () => {
    const other = format === 'png' ? 'jpeg' : 'png'
    expect(() => embedRecipe(original, other, recipe)).toThrow(/not a (PNG|JPEG) file/)
  })
})

describe('readRecipe on damaged or foreign files', () => {
  const recipe = sampleRecipe()

  it('returns null for garbage, empty files and lookalike headers', async () => {
    const random = Buffer.alloc(5000)
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251
    const cases = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      random,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), random]),
      Buffer.concat([Buffer.from([0xff, 0xd8]), random]),
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.from('http://ns.adobe.com/xap/1.0/\0')]),
      Buffer.concat([Buffer.from('RIFF\xff\xff\xff\x7fWEBP', 'latin1'), random]),
    ]
    for (const bytes of cases) expect(await readRecipe(write(bytes, 'bin'))).toBeNull()
  })

  it('rejects when the file cannot be opened', async () => {
    await expect(readRecipe(join(dir, 'no-such-file.png'))).rejects.toThrow(/ENOENT/)
  })

  it('returns null when the PNG recipe chunk fails its CRC', async () => {
    const good = embedRecipe(await makePicture('png'), 'png', recipe)
    const at = good.indexOf(Buffer.from('teal')) // inside the JSON: still a valid recipe, only the CRC tells
    expect(at).toBeGreaterThan(0)
    const bad = Buffer.from(good)
    bad[at] = 'm'.charCodeAt(0)
    expect(await readRecipe(write(bad, 'png'))).toBeNull()
  })

  it('returns null for a recipe that is not valid JSON or not a version-1 recipe', async () => {
    const png = await makePicture('png')
    const itxt = (text: string) => Buffer.concat([Buffer.from(`${RECIPE_KEYWORD}\0\0\0\0\0`, 'latin1'), Buffer.from(text)])
    const badJson = afterIhdr(png, pngChunk('iTXt', itxt('{"version":1,')))
    const v2 = afterIhdr(png, pngChunk('iTXt', itxt(JSON.stringify({ ...recipe, version: 2 }))))
    const badHash = afterIhdr(png, pngChunk('iTXt', itxt(JSON.stringify({ ...recipe, references: ['nope'] }))))
    for (const bytes of [badJson, v2, badHash]) expect(await readRecipe(write(bytes, 'png'))).toBeNull()

    const jpeg = embedRecipe(await makePicture('jpeg'), 'jpeg', recipe)
    const marker = Buffer.from('&quot;version&quot;:1')
    const at = jpeg.indexOf(marker)
    expect(at).toBeGreaterThan(0)
    const jpegV2 = Buffer.from(jpeg)
    jpegV2[at + marker.length - 1] = '2'.charCodeAt(0)
    expect(await readRecipe(write(jpegV2, 'jpg'))).toBeNull()
  })

  it('reads a compressed iTXt recipe placed by another tool', async () => {
    const data = Buffer.concat([Buffer.from(`${RECIPE_KEYWORD}\0\x01\0\0\0`, 'latin1'), deflateSync(JSON.stringify(recipe))])
    expect(await readRecipe(write(afterIhdr(await makePicture('png'), pngChunk('iTXt', data)), 'png'))).toEqual(recipe)
  })
})

describe('embedRecipe edge cases', () => {
  it('keeps Exif first in a JPEG and replaces a foreign XMP packet rather than adding a second', async () => {
    const foreignXmp =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>' +
      '<rdf:li xml:lang="x-default">foreign</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>'
    const original = await sharp(await makePicture('jpeg'))
      .withExif({ IFD0: { Copyright: 'Test Copyright' } })
      .withXmp(foreignXmp)
      .jpeg()
      .toBuffer()
    expect((await exiftoolJson(write(original, 'jpg'), '-XMP-dc:Title')).Title).toBe('foreign')
    const embedded = embedRecipe(original, 'jpeg', sampleRecipe())
    expect(embedded.indexOf('Exif\0\0')).toBeLessThan(embedded.indexOf('http://ns.adobe.com/xap/1.0/\0'))
    const file = write(embedded, 'jpg')
    const info = await exiftoolJson(file, '-G1', '-validate', '-warning', '-Copyright', '-XMP:all')
    expect(info['ExifTool:Validate']).toBe('OK')
    expect(info['IFD0:Copyright']).toBe('Test Copyright')
    expect(info['XMP-dc:Description']).toBe(TRICKY_PROMPT)
    expect(info['XMP-dc:Title']).toBeUndefined()
    expect(Buffer.compare(await rawPixels(file), await rawPixels(original))).toBe(0)
  })

  it('gives a simple WebP a VP8X header with the XMP flag, the right canvas size and its alpha flag', async () => {
    const vp8x = (webp: Buffer) => ({ fourcc: webp.toString('latin1', 12, 16), flags: webp[20]! })
    const transparent = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } })
      .webp({ lossless: true })
      .toBuffer()
    expect(vp8x(transparent).fourcc).toBe('VP8L')
    expect(vp8x(embedRecipe(transparent, 'webp', sampleRecipe()))).toEqual({ fourcc: 'VP8X', flags: 0x04 | 0x10 })

    const original = await makePicture('webp', { width: 301, height: 17, lossy: true })
    expect(vp8x(original).fourcc).toBe('VP8 ')
    const embedded = embedRecipe(original, 'webp', sampleRecipe())
    expect(vp8x(embedded)).toEqual({ fourcc: 'VP8X', flags: 0x04 })
    expect([embedded.readUIntLE(24, 3) + 1, embedded.readUIntLE(27, 3) + 1]).toEqual([301, 17])
    const file = write(embedded, 'webp')
    const info = await exiftoolJson(file, '-G1', '-validate', '-warning', '-ImageWidth', '-ImageHeight', '-XMP-dc:Description')
    expect(info['ExifTool:Validate']).toBe('OK')
    expect(info['XMP-dc:Description']).toBe(TRICKY_PROMPT)
    expect([info['RIFF:ImageWidth'], info['RIFF:ImageHeight']]).toEqual([301, 17])
    expect(Buffer.compare(await rawPixels(file), await rawPixels(original))).toBe(0)
    expect(await readRecipe(file)).toEqual(sampleRecipe())
  })

  it('keeps a JPEG XMP segment under 64 KB: a huge escaped prompt is cut short in the description, never in the recipe', async () => {
    const prompt = '&"'.repeat(4000) // 8000 characters, each expanding 5–7× once escaped
    const recipe = sampleRecipe({ prompt })
    const file = write(embedRecipe(await makePicture('jpeg'), 'jpeg', recipe), 'jpg')
    expect(await readRecipe(file)).toEqual(recipe)
    const info = await exiftoolJson(file, '-G1', '-validate', '-warning', '-XMP-dc:Description')
    expect(info['ExifTool:Validate']).toBe('OK')
    const description = info['XMP-dc:Description'] as string
    expect(description.endsWith('…')).toBe(true)
    expect(description.length).toBeGreaterThan(1000)
    expect(prompt.startsWith(description.slice(0, -1))).toBe(true)

    // PNG and WebP have no such limit
    for (const format of ['png', 'webp'] as const) {
      const other = write(embedRecipe(await makePicture(format), format, recipe), format)
      expect((await exiftoolJson(other, '-XMP-dc:Description')).Description).toBe(prompt)
      expect(await readRecipe(other)).toEqual(recipe)
    }
  })

  it('throws a RangeError when the recipe itself cannot fit in a JPEG, and refuses an invalid recipe', async () => {
    const jpeg = await makePicture('jpeg')
    expect(() => embedRecipe(jpeg, 'jpeg', sampleRecipe({ params: { notes: 'x'.repeat(70_000) } }))).toThrow(RangeError)
    expect(() => embedRecipe(jpeg, 'jpeg', sampleRecipe({ references: ['not-a-hash'] }))).toThrow()
    expect(() => embedRecipe(jpeg, 'jpeg', { ...sampleRecipe(), version: 2 } as unknown as Recipe)).toThrow()
  })
})

describe('readRecipe speed', () => {
  /** Bytes this process has read through read(2) so far (Linux), or null elsewhere. */
  function bytesReadSoFar(): number | null {
    if (!existsSync('/proc/self/io')) return null
    const match = /^rchar:\s*(\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))
    return match ? Number(match[1]) : null
  }

  // What makes the read cheap is that it stops at the head; the proof is the bytes read, not the wall time (which
  // depends on how busy the machine is, and has failed a loaded run at 4.8 ms per file).
  it.runIf(bytesReadSoFar() !== null)('reads only the head of a 3K PNG: 100 files, well under 256 KB read each', async () => {
    const big = await sharp({
      create: { width: 3072, height: 3072, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png({ compressionLevel: 1 })
      .toBuffer()
    expect(big.length).toBeGreaterThan(10 << 20) // a whole-file read would dwarf the head
    const recipe = sampleRecipe()
    const first = write(embedRecipe(big, 'png', recipe), 'png')
    const paths = [first]
    for (let i = 1; i < 100; i++) {
      const link = join(dir, `big-${i}.png`)
      linkSync(first, link)
      paths.push(link)
    }
    await readRecipe(first) // warm up

    const readBefore = bytesReadSoFar()!
    const results: (Recipe | null)[] = []
    for (const path of paths) results.push(await readRecipe(path))
    const readAfter = bytesReadSoFar()!

    for (const result of results) expect(result).toEqual(recipe)
    // A whole-file read would be over 10 MB per file; the head is a few KB.
    expect(readAfter - readBefore).toBeLessThan(paths.length * (256 << 10))
  }, 60_000)
})
