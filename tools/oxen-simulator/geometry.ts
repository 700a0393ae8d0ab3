// Pixel size and file format of a result, read from the model's own fields in its schema's vocabulary:
// `size`/`resolution` long sides (512, 1K–4K), megapixel budgets (`resolution` "1 MP", FLUX.1's `image_size`),
// `image_size` presets (Ideogram), `aspect_ratio` (incl. auto, match_input_image, 2.35:1), Qwen's
// `match_input_image` flag and Topaz's `upscale_factor`. Rules in README.md ("Images").
import type { RequestSchema } from './schemas'

export type OutputFormat = 'png' | 'jpeg' | 'jpg' | 'webp'

export interface PixelSize {
  width: number
  height: number
}

export interface OutputSpec extends PixelSize {
  /** As requested: `jpg` and `jpeg` are both JPEG, and the file keeps the asked-for extension. */
  format: OutputFormat
}

const LONG_SIDE: Record<string, number> = { '512': 512, '1K': 1024, '2K': 2048, '3K': 3072, '4K': 4096 }
/** Ideogram's `image_size` presets (the fal.ai sizes). */
const PRESETS: Record<string, PixelSize> = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
}
/** Megapixel budgets (1 MP = 1024²): FLUX.2's `resolution`, FLUX.1's `image_size` (speed = half the pixels). */
const MEGAPIXELS: Record<string, number> = { '0.5 MP': 0.5, '1 MP': 1, '2 MP': 2, optimize_for_quality: 1, optimize_for_speed: 0.5 }
const FORMATS: ReadonlySet<unknown> = new Set(['png', 'jpeg', 'jpg', 'webp'])
const FOLLOW_INPUT: ReadonlySet<unknown> = new Set([undefined, 'auto', 'match_input_image'])

type Read = (name: string) => unknown

function parseRatio(value: unknown): number | null {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value) : null
  return match ? Number(match[1]) / Number(match[2]) : null
}

/** width ÷ height: a sent ratio; else (not sent, auto, match_input_image) the first reference's; else the default; else 1. */
function aspectRatio(sent: Read, value: Read, reference: PixelSize | null, qwenFlag: boolean): number {
  const asked = sent('aspect_ratio')
  const ratio = parseRatio(asked)
  if (ratio) return ratio
  if (reference && !qwenFlag && FOLLOW_INPUT.has(asked)) return reference.width / reference.height
  return parseRatio(value('aspect_ratio')) ?? 1
}

/** Long side fixed; short side = long × ratio rounded to a multiple of 8 (2K 16:9 → 2048×1152). */
function byLongSide(long: number, ratio: number): PixelSize {
  if (ratio === 1) return { width: long, height: long }
  const short = Math.max(8, Math.round((long * Math.min(ratio, 1 / ratio)) / 8) * 8)
  return ratio > 1 ? { width: long, height: short } : { width: short, height: long }
}

/** About `megapixels` × 1024² pixels at the ratio, each side rounded to a multiple of 16 (1 MP 16:9 → 1360×768). */
function byArea(megapixels: number, ratio: number): PixelSize {
  const width = Math.sqrt(megapixels * 1024 * 1024 * ratio)
  const round16 = (n: number): number => Math.max(16, Math.round(n / 16) * 16)
  return { width: round16(width), height: round16(width / ratio) }
}

/**
 * The result's size and format. Fields the schema lacks are ignored and absent ones take the schema's default;
 * without a schema every field counts and the size defaults to 2K (Seedream's vocabulary).
 */
export function outputSpec(fields: Record<string, unknown>, reference?: PixelSize | null, schema?: RequestSchema): OutputSpec {
  const sent: Read = (name) => (schema && !schema.properties[name] ? undefined : fields[name])
  const value: Read = (name) => sent(name) ?? schema?.properties[name]?.default
  const asked = value('output_format')
  const format = FORMATS.has(asked) ? (asked as OutputFormat) : 'png'
  const first = reference ?? null

  const factor = /^(\d+)x$/.exec(String(value('upscale_factor')))
  if (factor && first) return { width: first.width * Number(factor[1]), height: first.height * Number(factor[1]), format }
  const qwenFlag = schema?.properties.match_input_image?.type === 'boolean'
  if (qwenFlag && value('match_input_image') === true && first) return { ...first, format } // its ratio and resolution
  const preset = PRESETS[String(value('image_size'))]
  if (preset) return { ...preset, format }

  const ratio = aspectRatio(sent, value, first, qwenFlag)
  const long = LONG_SIDE[String(value('size') ?? value('resolution') ?? (schema ? '' : '2K'))]
  if (long) return { ...byLongSide(long, ratio), format }
  return { ...byArea(MEGAPIXELS[String(value('resolution') ?? value('image_size'))] ?? 1, ratio), format }
}
