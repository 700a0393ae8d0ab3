// The labels the library filters on, derived once when a row is written: a size class ("2K") and an aspect
// ratio ("16:9") matched against the pixel dimensions, so a 2730 × 1536 image is "16:9".
import { IMAGE_SIZES, type ParamValue } from '../../../shared/domain'

/** The model's aspect ratios (and their usual mirrors), preferred over any other W:H that also fits. */
const NAMED_ASPECTS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9', '9:21', '5:4', '4:5', '2:1', '1:2']
/** Relative difference between two ratios that still counts as the same (encoders round sides to multiples of 8–64). */
const ASPECT_TOLERANCE = 0.01

function close(ratio: number, w: number, h: number): boolean {
  return Math.abs(ratio - w / h) <= (w / h) * ASPECT_TOLERANCE
}

/** "W:H" for the pixel dimensions: a named ratio if one fits, else the simplest W:H (terms under 100) that does; null otherwise. */
export function aspectLabel(width: number, height: number): string | null {
  if (!(width > 0 && height > 0) || !Number.isFinite(width / height)) return null
  const ratio = width / height
  for (const label of NAMED_ASPECTS) {
    const [w, h] = label.split(':').map(Number) as [number, number]
    if (close(ratio, w, h)) return label
  }
  for (let h = 1; h < 100; h++) {
    const w = Math.round(ratio * h)
    if (w >= 1 && w < 100 && close(ratio, w, h)) return `${w}:${h}`
  }
  return null
}

/** An aspect filter value ("32:18", "16:9") as the label rows carry; '' (matches nothing) when it is not a ratio. */
export function aspectFilterLabel(value: string): string {
  const [w, h] = value.split(':').map(Number) as [number, number]
  return aspectLabel(w, h) ?? ''
}

/** The size class: the `size` the job asked for when it is one of ours, else from the pixel count (≈ side²). */
export function sizeLabel(width: number, height: number, params: Record<string, ParamValue>): string | null {
  const asked = typeof params.size === 'string' ? params.size.toUpperCase() : ''
  if ((IMAGE_SIZES as readonly string[]).includes(asked)) return asked
  const side = Math.sqrt(width * height)
  if (side >= 3584) return '4K'
  if (side >= 2560) return '3K'
  if (side >= 1536) return '2K'
  return null
}
