// The simulated model catalog (API.md §4.6). Seedream 5.0 Lite carries its request schema in one of two
// revisions (API.md §3): 'seed' = the Apr–May 2026 page (SEED.md), 'current' = Jul–Aug 2026.
// A chat model is listed too, so clients must pick image models by capability, as on the real hub.

export type SchemaRevision = 'seed' | 'current'
export type SchemaKey = 'json_request_schema' | 'request_schema'

export const SEEDREAM_ID = 'bytedance-seedream-5-lite'
export const COST_PER_IMAGE = 0.035

export interface JsonSchemaProperty {
  type: 'string' | 'array' | 'boolean' | 'integer' | 'number'
  title?: string
  description?: string
  enum?: string[]
  default?: unknown
  items?: { type: 'string'; format?: 'uri' }
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

export interface CatalogModel {
  id: string
  /** 'image' models may be enqueued; 'text' ones answer `:unsupported_media_type`. */
  mediaType: 'image' | 'text'
  /** The schema sent to clients, or null (chat models). */
  schema: RequestSchema | null
  object: Record<string, unknown>
}

const ASPECT_RATIOS = ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9']

function seedSchema(): RequestSchema {
  return {
    type: 'object',
    title: 'Input',
    required: ['prompt'],
    basic: ['prompt', 'image_input'],
    properties: {
      prompt: {
        type: 'string',
        title: 'Prompt',
        description: 'Text prompt for image generation',
        'x-order': 0,
      },
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
        description:
          "Image aspect ratio. Use 'match_input_image' to automatically match the input image's aspect ratio.",
        enum: ASPECT_RATIOS,
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

function currentSchema(): RequestSchema {
  return {
    type: 'object',
    title: 'Input',
    required: ['prompt'],
    basic: ['prompt', 'input_image'],
    properties: {
      prompt: {
        type: 'string',
        title: 'Prompt',
        description:
          'Text prompt for image generation. Refer to reference images as @Image1, @Image2, … in the order given.',
        'x-order': 0,
      },
      input_image: {
        type: 'array',
        title: 'Input Image',
        description: 'Reference image(s) for image editing or multi-reference generation. Up to 14 images.',
        items: { type: 'string', format: 'uri' },
        maxItems: 14,
        renderType: 'image-url',
        nullable: true,
        'x-order': 1,
      },
      size: {
        type: 'string',
        title: 'Size',
        description: 'Image resolution: 2K (2048px), 3K (3072px) or 4K (4096px).',
        enum: ['2K', '3K', '4K'],
        default: '2K',
        'x-order': 2,
      },
      output_format: {
        type: 'string',
        title: 'Output Format',
        description: 'Output image format.',
        enum: ['png', 'jpeg'],
        default: 'png',
        'x-order': 3,
      },
      watermark: {
        type: 'boolean',
        title: 'Watermark',
        description: 'Add an "AI generated" watermark to the output.',
        default: false,
        'x-order': 4,
      },
    },
  }
}

export function seedreamSchema(revision: SchemaRevision): RequestSchema {
  return revision === 'seed' ? seedSchema() : currentSchema()
}

export function buildCatalog(revision: SchemaRevision, schemaKey: SchemaKey): CatalogModel[] {
  const schema = seedreamSchema(revision)
  const seedream: CatalogModel = {
    id: SEEDREAM_ID,
    mediaType: 'image',
    schema,
    object: {
      id: SEEDREAM_ID,
      object: 'model',
      created: 1776297600,
      owned_by: 'oxen',
      display_name: 'Seedream 5.0 Lite',
      description:
        'bytedance/seedream-5-lite is an image generation model. It offers image generation with built-in reasoning, example-based editing, and deep domain knowledge.',
      summary: 'Image generation with built-in reasoning and multi-reference control',
      model_type: 'base',
      // The sync example moved from /images/generate to /images/edit in late May (API.md §3).
      endpoint: revision === 'seed' ? '/images/generate' : '/images/edit',
      capabilities: { input: ['text', 'image'], output: ['image'] },
      pricing: { method: 'per_image', cost_per_image: COST_PER_IMAGE },
      fine_tuning: null,
      deployments: [],
      // No logo URL: nothing in the simulator may point off loopback.
      developer: { name: 'ByteDance', logo: null },
      source_model: null,
      image_url: null,
      released_at: '2026-04-16T00:00:00Z',
      [schemaKey]: schema,
    },
  }
  const chat: CatalogModel = {
    id: 'claude-sonnet-4-6',
    mediaType: 'text',
    schema: null,
    object: {
      id: 'claude-sonnet-4-6',
      object: 'model',
      created: 1750000000,
      owned_by: 'oxen',
      display_name: 'Claude Sonnet 4.6',
      description: "Anthropic's balanced model for a wide range of tasks",
      summary: 'Balanced performance and speed',
      model_type: 'base',
      endpoint: '/chat/completions',
      capabilities: { input: ['text', 'image'], output: ['text'] },
      pricing: { method: 'token', input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5 },
      fine_tuning: null,
      deployments: [],
      developer: { name: 'Anthropic', logo: null },
      source_model: null,
      image_url: null,
      released_at: '2025-06-19T00:00:00Z',
      [schemaKey]: null,
    },
  }
  return [seedream, chat]
}
