// Request schemas as the live hub serves them (API.md §4.6). The 13 sample schemas are read from
// ../shared/oxen/models/*.json (beside the repo) and given the live-only extras those files lack: `x-order`,
// `basic`, `renderType: 'image-url'`, `nullable`, `title` (illustrative: our rules, not Oxen's).
// Seedream 5.0 Lite's Apr–May 2026 revision ('seed', SEED.md) exists in no file, so it is written out here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

export interface JsonSchemaProperty {
  type: 'string' | 'array' | 'boolean' | 'integer' | 'number'
  title?: string
  description?: string
  enum?: string[]
  default?: unknown
  format?: 'uri'
  items?: { type: 'string' | 'object'; format?: 'uri' }
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  renderType?: string
  nullable?: boolean
  'x-order': number
}

export interface RequestSchema {
  type: 'object'
  title: string
  required: string[]
  basic: string[]
  properties: Record<string, JsonSchemaProperty>
}

/** Illustrative additions to single properties of a served schema (e.g. a cap stated only in prose). */
export type SchemaPatch = Record<string, Partial<JsonSchemaProperty>>

const ModelFileSchema = z.object({
  id: z.string().min(1),
  display_name: z.string().min(1),
  endpoint: z.string().startsWith('/'),
  json_request_schema: z.object({
    type: z.literal('object'),
    required: z.array(z.string()).default([]),
    properties: z.record(z.string(), z.looseObject({ type: z.enum(['string', 'array', 'boolean', 'integer', 'number']) })),
  }),
})

export type ModelFile = z.infer<typeof ModelFileSchema>
export type RawSchema = ModelFile['json_request_schema']

/** ../shared/oxen/models beside the repo (this file is tools/oxen-simulator/schemas.ts). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../shared/oxen/models/', import.meta.url))

/** Every `*.json` in `dir`, by file name; throws with the file's name when one is not a model schema. */
export function readModelFiles(dir: string): ModelFile[] {
  let names: string[]
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
  } catch {
    throw new Error(`No model schemas at ${dir} (the simulator expects ../shared/oxen/models beside the repo, or modelsDir)`)
  }
  return names.map((name) => {
    const parsed = ModelFileSchema.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')))
    if (!parsed.success) throw new Error(`${name} is not a model schema: ${parsed.error.issues[0]?.message}`)
    return parsed.data
  })
}

/** A URL field: `format: uri`, or a list of strings named like an image (`input_image`, no format in the files). */
function isImageField(name: string, p: RawSchema['properties'][string]): boolean {
  const items = p.items as { type?: string } | undefined
  return p.format === 'uri' || (p.type === 'array' && items?.type === 'string' && name.includes('image'))
}

const title = (name: string): string => name.replace(/(^|_)([a-z])/g, (_, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase())

/**
 * The served form of a file's schema: x-order = file order; image fields get renderType image-url (lists also
 * `items.format: uri`) and, when optional, nullable, as does `seed`; basic = required fields + the first image
 * field (the "Basic parameters" example of the model page shows prompt + references).
 */
export function liveSchema(raw: RawSchema, patch: SchemaPatch = {}): RequestSchema {
  const properties: Record<string, JsonSchemaProperty> = {}
  for (const [order, [name, p]] of Object.entries(raw.properties).entries()) {
    const image = isImageField(name, p)
    properties[name] = {
      title: title(name),
      ...(p as Omit<JsonSchemaProperty, 'x-order'>),
      ...(image && p.type === 'array' ? { items: { type: 'string', format: 'uri' }, renderType: 'image-url' } : {}),
      ...(image && p.type === 'string' ? { renderType: 'image-url' } : {}),
      ...((image || name === 'seed') && !raw.required.includes(name) ? { nullable: true } : {}),
      ...patch[name],
      'x-order': order,
    }
  }
  const firstImage = Object.keys(properties).find((name) => properties[name]!.renderType === 'image-url')
  const basic = Object.keys(properties).filter((name) => raw.required.includes(name) || name === firstImage)
  return { type: 'object', title: 'Input', required: [...raw.required], basic, properties }
}

/** Seedream 5.0 Lite as its Apr–May 2026 page described it (API.md §3 'seed' row). */
export function seedreamSeedSchema(): RequestSchema {
  return {
    type: 'object',
    title: 'Input',
    required: ['prompt'],
    basic: ['prompt', 'image_input'],
    properties: {
      prompt: { type: 'string', title: 'Prompt', description: 'Text prompt for image generation', 'x-order': 0 },
      image_input: {
        type: 'array',
        title: 'Image Input',
        description:
          'Input image(s) for image-to-image generation. List of 1-14 images for single or multi-reference generation.',
        items: { type: 'string', format: 'uri' },
        maxItems: 14,
        renderType: 'image-url',
        nullable: true,
        'x-order': 1,
      },
      size: {
        type: 'string',
        title: 'Size',
        description: 'Image resolution: 2K (2048px) or 3K (3072px).',
        enum: ['2K', '3K'],
        default: '2K',
        'x-order': 2,
      },
      aspect_ratio: {
        type: 'string',
        title: 'Aspect Ratio',
        description: "Image aspect ratio. Use 'match_input_image' to automatically match the input image's aspect ratio.",
        enum: ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'],
        default: 'match_input_image',
        'x-order': 3,
      },
      output_format: {
        type: 'string',
        title: 'Output Format',
        description: 'Output image format.',
        enum: ['png', 'jpeg'],
        default: 'png',
        'x-order': 4,
      },
    },
  }
}
