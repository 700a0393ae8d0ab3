// Model-field checks and output geometry. Oxen passes model fields through at enqueue time and reports bad
// ones at run time as a failed generation (API.md §5), so these checks run when a job finishes processing.
import type { RequestSchema } from './models'

export type OutputFormat = 'png' | 'jpeg'

export interface OutputSpec {
  width: number
  height: number
  format: OutputFormat
}

const LONG_SIDE: Record<string, number> = { '2K': 2048, '3K': 3072, '4K': 4096 }

/** Fields that steer the queue itself rather than the model. */
const QUEUE_FIELDS = new Set(['model', 'prompt', 'num_generations'])

const REFERENCE_URL = /^(https?:\/\/\S+|data:image\/[a-z0-9.+-]+;base64,\S+)$/i

/** The request's model fields: everything except the queue's own fields, echoed on the row. */
export function modelFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !QUEUE_FIELDS.has(key)))
}

/** First problem with the fields the schema knows about, as the job's error_message; null if none. */
export function checkFields(schema: RequestSchema, fields: Record<string, unknown>): string | null {
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (QUEUE_FIELDS.has(name)) continue
    const value = fields[name]
    if (value === undefined || value === null) continue
    const invalid = (what: string): string => `Invalid input: ${name} ${what} (got ${JSON.stringify(value)}).`
    switch (prop.type) {
      case 'string':
        if (typeof value !== 'string') return invalid('must be a string')
        if (prop.enum && !prop.enum.includes(value)) return invalid(`must be one of ${prop.enum.join(', ')}`)
        break
      case 'boolean':
        if (typeof value !== 'boolean') return invalid('must be true or false')
        break
      case 'integer':
      case 'number':
        if (typeof value !== 'number' || (prop.type === 'integer' && !Number.isInteger(value)))
          return invalid(`must be ${prop.type === 'integer' ? 'an integer' : 'a number'}`)
        break
      case 'array': {
        if (!Array.isArray(value)) return invalid('must be a list')
        if (prop.maxItems !== undefined && value.length > prop.maxItems)
          return `Invalid input: ${name} accepts at most ${prop.maxItems} items (got ${value.length}).`
        if (prop.minItems !== undefined && value.length < prop.minItems)
          return `Invalid input: ${name} needs at least ${prop.minItems} items (got ${value.length}).`
        for (const item of value) {
          if (typeof item !== 'string') return `Invalid input: every ${name} item must be a string.`
          if (prop.items?.format === 'uri' && !REFERENCE_URL.test(item))
            return `Invalid input: ${name} items must be http(s) URLs or data URIs (got ${JSON.stringify(item.slice(0, 80))}).`
        }
        break
      }
    }
  }
  return null
}

export interface PixelSize {
  width: number
  height: number
}

/** The schema's reference-image field (`image_input` in the seed revision, `input_image` now): renderType image-url. */
export function referenceField(schema: RequestSchema): string | null {
  const fields = Object.entries(schema.properties)
    .filter(([, prop]) => prop.renderType === 'image-url')
    .sort(([, a], [, b]) => a['x-order'] - b['x-order'])
  return fields[0]?.[0] ?? null
}

/**
 * Pixel size and format of the result. The long side follows `size` (2K → 2048, 3K → 3072, 4K → 4096); the
 * short side is long × ratio rounded to a multiple of 8 (2K 16:9 → 2048×1152, 2K 3:2 → 2048×1368).
 * The ratio is `aspect_ratio` when the schema has that field (its default applies when absent); with
 * `match_input_image`, or when the schema has no aspect_ratio, it is the first reference's ratio, else 1:1.
 * Without a schema an `aspect_ratio` field is honoured whenever present.
 */
export function outputSpec(fields: Record<string, unknown>, reference?: PixelSize | null, schema?: RequestSchema): OutputSpec {
  const long = LONG_SIDE[typeof fields.size === 'string' ? fields.size : '2K'] ?? 2048
  const format: OutputFormat = fields.output_format === 'jpeg' ? 'jpeg' : 'png'
  const ratioProp = schema?.properties.aspect_ratio
  const requested = schema && !ratioProp ? undefined : (fields.aspect_ratio ?? ratioProp?.default)
  const ratio = typeof requested === 'string' ? /^(\d+):(\d+)$/.exec(requested) : null
  let w = 1
  let h = 1
  if (ratio) {
    w = Number(ratio[1])
    h = Number(ratio[2])
  } else if (reference && (requested === undefined || requested === 'match_input_image')) {
    w = reference.width
    h = reference.height
  }
  if (!(w > 0 && h > 0) || w === h) return { width: long, height: long, format }
  const short = Math.max(8, Math.round((long * Math.min(w, h)) / Math.max(w, h) / 8) * 8)
  return w > h ? { width: long, height: short, format } : { width: short, height: long, format }
}
