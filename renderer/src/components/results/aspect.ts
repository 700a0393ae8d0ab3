// The shape of a result before and after it exists: a saved image's own size, else the ratio the job's parameters
// ask for (aspect_ratio "16:9", image_size "portrait_4_3", width × height, size "1024x1536"), else square.
import type { Job, JobImage, ParamValue } from '../../../../shared/domain'

/** Width ÷ height of "16:9", "2.35:1", "1024x1536", "1024*1024"; null for anything else ("match_input_image", "2K"). */
function ratioOf(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*[:x×*]\s*(\d+(?:\.\d+)?)\s*$/i.exec(text)
  if (!m) return null
  const w = Number(m[1])
  const h = Number(m[2])
  return w > 0 && h > 0 ? w / h : null
}

/** fal-style sizes: square_hd, portrait_4_3, landscape_16_9. */
function namedSize(text: string): number | null {
  if (/^square/i.test(text)) return 1
  const m = /^(portrait|landscape)_(\d+)_(\d+)$/i.exec(text)
  if (!m) return null
  const long = Math.max(Number(m[2]), Number(m[3]))
  const short = Math.min(Number(m[2]), Number(m[3]))
  if (short === 0) return null
  return m[1]!.toLowerCase() === 'portrait' ? short / long : long / short
}

/** The ratio a job's parameters ask for, or null when they do not say (or leave it to the input image). */
export function requestedAspect(params: Record<string, ParamValue>): number | null {
  const { width, height } = params
  if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) return width / height
  for (const name of ['aspect_ratio', 'aspectRatio', 'ratio', 'image_size', 'size', 'resolution']) {
    const value = params[name]
    if (typeof value === 'string') {
      const ratio = ratioOf(value) ?? namedSize(value)
      if (ratio) return ratio
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const w = value.width
      const h = value.height
      if (typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0) return w / h
    }
  }
  return null
}

/** Keeps a tile usable: a 1:8 banner is shown no narrower than 1:3 (the image itself is never cropped in details). */
const clamp = (ratio: number) => Math.min(3, Math.max(1 / 3, ratio))

/** The tile's width ÷ height: the saved image's, else the job's requested one, else square. */
export function tileAspect(job: Job, image: JobImage): number {
  if (image.width && image.height) return clamp(image.width / image.height)
  return clamp(requestedAspect(job.params) ?? 1)
}
