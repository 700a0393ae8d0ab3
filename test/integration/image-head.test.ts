// The recipe and the pixel size read off a file's head (rebuilds), against readRecipe and sharp's own metadata.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeImage } from '../../electron/services/library/image-files'
import { readImageHead } from '../../electron/services/library/image-head'
import { embedRecipe, readRecipe } from '../../electron/services/library/image-metadata'
import { sampleRecipe } from '../fixtures/metadata-files'

let dir: string
let n = 0
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-head-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(bytes: Buffer): string {
  const path = join(dir, `file-${n++}`)
  writeFileSync(path, bytes)
  return path
}

const base = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#336699' } })

describe('readImageHead', () => {
  it('gives the recipe readRecipe finds and the size sharp reports, EXIF orientation applied', async () => {
    const files: [string, Buffer][] = [
      ['png', await base(300, 200).png().toBuffer()],
      ['jpeg', await base(300, 200).jpeg().toBuffer()],
      ['progressive jpeg', await base(301, 199).jpeg({ progressive: true }).toBuffer()],
      ['jpeg turned (EXIF 6)', await base(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer()],
      ['jpeg mirrored (EXIF 2)', await base(300, 200).jpeg().withMetadata({ orientation: 2 }).toBuffer()],
      ['png turned (EXIF 8)', await base(300, 200).png().withMetadata({ orientation: 8 }).toBuffer()],
      ['lossy webp', await base(300, 200).webp().toBuffer()],
      ['lossless webp', await base(300, 200).webp({ lossless: true }).toBuffer()],
      ['webp with alpha', await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).webp().toBuffer()],
      ['webp with EXIF', await base(300, 200).webp().withMetadata({ orientation: 6 }).toBuffer()],
    ]
    for (const [label, bytes] of files) {
      const meta = await sharp(bytes).metadata()
      const format = describeImage(meta)!.format
      for (const withRecipe of [false, true]) {
        const path = write(withRecipe ? embedRecipe(bytes, format, sampleRecipe()) : bytes)
        const head = await readImageHead(path)
        const expected = describeImage(await sharp(path).metadata())
        expect(head, label).not.toBeNull()
        expect(head!.recipe, label).toEqual(await readRecipe(path))
        expect(head!.recipe === null, label).toBe(!withRecipe)
        // Where the head cannot tell for certain it says so (and the rebuild asks sharp); otherwise it agrees.
        if (head!.size !== null) expect(head!.size, label).toEqual(expected)
        else expect(label).toBe('webp with EXIF')
      }
    }
  })

  it('knows nothing of other files, and nothing of a head that stops short', async () => {
    expect(await readImageHead(write(Buffer.from('GIF89a not ours at all')))).toBeNull()
    const png = embedRecipe(await base(40, 30).png().toBuffer(), 'png', sampleRecipe())
    const cut = await readImageHead(write(png.subarray(0, 40)))
    expect(cut?.size ?? null).toBeNull()
  })
})
