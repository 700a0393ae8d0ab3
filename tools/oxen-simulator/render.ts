// Deterministic stand-in images: a two-colour gradient with a few soft shapes, all chosen from a hash of
// (prompt, index within the enqueue, seed). Drawn at ≤512 px in raw pixels, then upscaled and encoded by
// sharp (a 3072² PNG takes ~0.1 s) as PNG, JPEG or WebP, so equal inputs give byte-identical files.
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import type { OutputFormat, OutputSpec } from './geometry'

export interface RenderInput extends OutputSpec {
  /** null for models without a prompt (an upscaler). */
  prompt: string | null
  index: number
  seed: number | null
}

const DRAW_LONG_SIDE = 512
const CACHE_BYTES = 256 * 1024 * 1024

type Rgb = [number, number, number]

/** Small seeded PRNG (mulberry32) fed from the hash, so every choice is reproducible. */
function random(seedHex: string): () => number {
  let state = Number.parseInt(seedHex.slice(0, 8), 16) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number): number => (n + h * 12) % 12
  const a = s * Math.min(l, 1 - l)
  const f = (n: number): number => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)]
}

function draw(input: RenderInput): { data: Buffer; width: number; height: number } {
  const hash = createHash('sha256')
    .update(JSON.stringify([input.prompt, input.index, input.seed]))
    .digest('hex')
  const rnd = random(hash)
  const scale = DRAW_LONG_SIDE / Math.max(input.width, input.height)
  const width = Math.max(1, Math.round(input.width * scale))
  const height = Math.max(1, Math.round(input.height * scale))
  const data = Buffer.alloc(width * height * 3)

  const hue = rnd()
  const from = hsl(hue, 0.55 + rnd() * 0.3, 0.3 + rnd() * 0.2)
  const to = hsl((hue + 0.25 + rnd() * 0.5) % 1, 0.55 + rnd() * 0.3, 0.55 + rnd() * 0.2)
  const angle = rnd() * Math.PI * 2
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + ((x / width - 0.5) * cos + (y / height - 0.5) * sin) * 1.2))
      const i = (y * width + x) * 3
      data[i] = from[0] + (to[0] - from[0]) * t
      data[i + 1] = from[1] + (to[1] - from[1]) * t
      data[i + 2] = from[2] + (to[2] - from[2]) * t
    }
  }

  const shapes = 3 + Math.floor(rnd() * 4)
  const minSide = Math.min(width, height)
  for (let s = 0; s < shapes; s++) {
    const colour = hsl(rnd(), 0.5 + rnd() * 0.5, 0.25 + rnd() * 0.6)
    const alpha = 0.55 + rnd() * 0.35
    const cx = rnd() * width
    const cy = rnd() * height
    const r = minSide * (0.06 + rnd() * 0.18)
    const circle = rnd() < 0.5
    const x0 = Math.max(0, Math.floor(cx - r - 1))
    const x1 = Math.min(width - 1, Math.ceil(cx + r + 1))
    const y0 = Math.max(0, Math.floor(cy - r - 1))
    const y1 = Math.min(height - 1, Math.ceil(cy + r + 1))
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx
        const dy = y + 0.5 - cy
        // Signed distance to the edge (negative inside); one pixel of anti-aliasing.
        const d = circle ? Math.hypot(dx, dy) - r : Math.max(Math.abs(dx), Math.abs(dy)) - r
        const cover = Math.min(1, Math.max(0, 0.5 - d)) * alpha
        if (cover <= 0) continue
        const i = (y * width + x) * 3
        for (let c = 0; c < 3; c++) data[i + c] = data[i + c]! + (colour[c]! - data[i + c]!) * cover
      }
    }
  }
  return { data, width, height }
}

export async function renderImage(input: RenderInput): Promise<Buffer> {
  const { data, width, height } = draw(input)
  const image = sharp(data, { raw: { width, height, channels: 3 } }).resize(input.width, input.height, {
    fit: 'fill',
    kernel: 'cubic',
  })
  if (input.format === 'png') return image.png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer()
  return input.format === 'webp' ? image.webp({ quality: 80, effort: 0 }).toBuffer() : image.jpeg({ quality: 90 }).toBuffer()
}

export function contentType(format: OutputFormat): string {
  return format === 'png' || format === 'webp' ? `image/${format}` : 'image/jpeg'
}

/** Rendered files by input, least recently used dropped past a byte budget; re-rendering is identical. */
export class ImageCache {
  private readonly entries = new Map<string, { bytes: Promise<Buffer>; size: number }>()
  private total = 0

  constructor(private readonly maxBytes = CACHE_BYTES) {}

  get(input: RenderInput): Promise<Buffer> {
    const key = JSON.stringify([input.prompt, input.index, input.seed, input.width, input.height, input.format])
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit.bytes
    }
    const entry = { bytes: renderImage(input), size: 0 }
    this.entries.set(key, entry)
    entry.bytes.then(
      (buffer) => {
        if (this.entries.get(key) !== entry) return
        entry.size = buffer.length
        this.total += buffer.length
        this.evict()
      },
      () => this.entries.delete(key),
    )
    return entry.bytes
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes || this.entries.size <= 1) break
      if (entry.size === 0) continue // still rendering
      this.entries.delete(key)
      this.total -= entry.size
    }
  }
}
