// What the catalogue says about each model beyond its schema file (API.md §4.6, §13). ILLUSTRATIVE: prices,
// dates, summaries and endpoint forms are plausible values chosen for the simulator, not Oxen's.
import type { SchemaPatch } from './schemas'

/** One tier of `pricing.cost_per_image_grid`: the request field values it applies to, and its price. */
export type GridRow = Record<string, string | number> & { cost_per_image: number }

export interface ModelCard {
  developer: string
  released_at: string
  summary: string
  description: string
  /** USD per image, or tiers (cost_per_image_grid) chosen by request fields. */
  price: number | GridRow[]
  /** How `endpoint` is spelled: '/images/edit', '/api/ai/images/edit' or absolute (API.md §4.6: forms vary). */
  endpointForm: 'short' | 'api' | 'absolute'
  /** capabilities.input, where the schema's image-url fields alone would not tell. */
  input?: string[]
  patch?: SchemaPatch
}

/** gpt-image-2: quality × resolution, every combination listed (the simulator's assumed grid shape). */
const GPT_IMAGE_2_GRID: GridRow[] = [
  { quality: 'low', resolution: '1K', cost_per_image: 0.012 },
  { quality: 'low', resolution: '2K', cost_per_image: 0.024 },
  { quality: 'low', resolution: '4K', cost_per_image: 0.048 },
  { quality: 'medium', resolution: '1K', cost_per_image: 0.045 },
  { quality: 'medium', resolution: '2K', cost_per_image: 0.09 },
  { quality: 'medium', resolution: '4K', cost_per_image: 0.18 },
  { quality: 'high', resolution: '1K', cost_per_image: 0.17 },
  { quality: 'high', resolution: '2K', cost_per_image: 0.25 },
  { quality: 'high', resolution: '4K', cost_per_image: 0.4 },
]

/** nano-banana-2: its schema says the price "is set by resolution alone". */
const NANO_BANANA_2_GRID: GridRow[] = [
  { resolution: '512', cost_per_image: 0.045 },
  { resolution: '1K', cost_per_image: 0.067 },
  { resolution: '2K', cost_per_image: 0.101 },
  { resolution: '4K', cost_per_image: 0.151 },
]

const BFL = 'Black Forest Labs'
const QWEN = 'Alibaba Qwen'

export const MODEL_CARDS: Record<string, ModelCard> = {
  'bytedance-seedream-5-lite': {
    developer: 'ByteDance',
    released_at: '2026-04-16T00:00:00Z',
    summary: 'Image generation with built-in reasoning and multi-reference control',
    description:
      'bytedance/seedream-5-lite is an image generation model. It offers image generation with built-in reasoning, example-based editing, and deep domain knowledge.',
    price: 0.035,
    endpointForm: 'short',
  },
  'bytedance-seedream-5-pro': {
    developer: 'ByteDance',
    released_at: '2026-06-09T00:00:00Z',
    summary: 'Higher-fidelity Seedream with up to 10 references',
    description: 'Seedream 5.0 Pro generates and edits images from text and up to ten reference images.',
    price: 0.045,
    endpointForm: 'api',
  },
  'flux-1-dev': {
    developer: BFL,
    released_at: '2024-08-01T00:00:00Z',
    summary: 'Open-weight 12B text-to-image model',
    description: 'FLUX.1 [dev] is a 12 billion parameter rectified flow transformer that generates images from text.',
    price: 0.025,
    endpointForm: 'absolute',
  },
  'flux-2-pro': {
    developer: BFL,
    released_at: '2025-11-25T00:00:00Z',
    summary: 'Frontier image generation and multi-reference editing',
    description: 'FLUX.2 [pro] generates and edits images with multi-reference support at up to 4 megapixels.',
    price: 0.03,
    endpointForm: 'short',
  },
  'flux-kontext-dev': {
    developer: BFL,
    released_at: '2025-06-26T00:00:00Z',
    summary: 'Instruction-based editing of one image',
    description: 'FLUX.1 Kontext [dev] edits an input image by following a text instruction.',
    price: 0.025,
    endpointForm: 'api',
  },
  'gpt-image-2': {
    developer: 'OpenAI',
    released_at: '2026-05-12T00:00:00Z',
    summary: 'Text-to-image and editing with precise text rendering',
    description: "OpenAI's image model: generates from text, edits reference images and inpaints with a mask.",
    price: GPT_IMAGE_2_GRID,
    endpointForm: 'absolute',
  },
  'ideogram-v4': {
    developer: 'Ideogram',
    released_at: '2026-03-18T00:00:00Z',
    summary: 'Typography-strong text-to-image',
    description: 'Ideogram V4 creates images with accurate, legible text and graphic design layouts.',
    price: 0.06,
    endpointForm: 'short',
    patch: { num_images: { minimum: 1, maximum: 8 } },
  },
  'krea-v2-large-text-to-image': {
    developer: 'Krea',
    released_at: '2026-02-24T00:00:00Z',
    summary: 'Photorealistic text-to-image with style references',
    description: 'Krea 2 Large generates photorealistic and stylised images, optionally guided by style reference images.',
    price: 0.04,
    endpointForm: 'api',
    input: ['text', 'image'],
    patch: { image_style_references: { maxItems: 10 } }, // "At most 10 entries." in its description
  },
  'nano-banana-2': {
    developer: 'Google',
    released_at: '2026-02-26T00:00:00Z',
    summary: 'Fast image generation and editing with search grounding',
    description: "Google's Nano Banana 2 generates and edits images, optionally grounded in web search results.",
    price: NANO_BANANA_2_GRID,
    endpointForm: 'short',
  },
  'qwen-image-2': {
    developer: QWEN,
    released_at: '2026-02-10T00:00:00Z',
    summary: 'Text-to-image and single-image editing',
    description: 'Qwen Image 2.0 Pro generates images from text or edits one input image, with prompt expansion.',
    price: 0.04,
    endpointForm: 'absolute',
  },
  'qwen-image-edit-plus': {
    developer: QWEN,
    released_at: '2025-09-22T00:00:00Z',
    summary: 'Multi-image editing',
    description: 'Qwen Image Edit 2509 edits one or more input images following a text instruction.',
    price: 0.03,
    endpointForm: 'api',
  },
  'topazlabs-image-upscale': {
    developer: 'Topaz Labs',
    released_at: '2025-05-20T00:00:00Z',
    summary: 'Upscales an image 2× or 4×',
    description: 'Topaz Labs image upscaling: enlarges an image 2× or 4× and restores detail.',
    price: 0.08,
    endpointForm: 'short',
  },
  'z-image-turbo': {
    developer: 'Tongyi-MAI',
    released_at: '2025-11-27T00:00:00Z',
    summary: 'Very fast 6B text-to-image',
    description: 'Z-Image-Turbo is a distilled 6B text-to-image model that needs only 8 steps.',
    price: 0.005,
    endpointForm: 'api',
  },
}

/** For a schema file without a card: listed all the same. */
export function fallbackCard(displayName: string): ModelCard {
  return {
    developer: 'Unknown',
    released_at: '2026-08-01T00:00:00Z',
    summary: displayName,
    description: displayName,
    price: 0.04,
    endpointForm: 'short',
  }
}

/** The fine-tuned model in the user's namespace (API.md §13): FLUX.1 [dev]'s schema, its own card. */
export const CUSTOM_MODEL = {
  suffix: 'watercolor-flux-dev',
  base: 'flux-1-dev',
  display_name: 'Watercolor (FLUX.1 [dev] fine-tune)',
  dataset: 'watercolor-paintings',
  card: (namespace: string): ModelCard => ({
    developer: namespace,
    released_at: '2026-08-20T00:00:00Z',
    summary: 'FLUX.1 [dev] fine-tuned on watercolor paintings',
    description: `A FLUX.1 [dev] fine-tune trained in ${namespace}'s workspace on a data frame of watercolor paintings and captions.`,
    price: 0.03,
    endpointForm: 'short',
  }),
}

/** Models without image output, so clients must pick by capabilities.output (API.md §13). */
export const NON_IMAGE_MODELS: Array<Record<string, unknown>> = [
  {
    id: 'claude-sonnet-4-6',
    object: 'model',
    created: 1750291200,
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
    request_schema: null,
  },
  {
    id: 'veo-3-1-fast',
    object: 'model',
    created: 1760486400,
    owned_by: 'oxen',
    display_name: 'Veo 3.1 Fast',
    description: "Google's video model: short clips with sound from text or a start frame.",
    summary: 'Text and image to video',
    model_type: 'base',
    endpoint: '/videos/generate',
    capabilities: { input: ['text', 'image'], output: ['video'] },
    pricing: { method: 'per_video_output_second', cost_per_video_output_second: 0.15 },
    fine_tuning: null,
    deployments: [],
    developer: { name: 'Google', logo: null },
    source_model: null,
    image_url: null,
    released_at: '2025-10-15T00:00:00Z',
    // A schema with a prompt and an image field, like the image models': only capabilities tell them apart.
    request_schema: {
      type: 'object',
      title: 'Input',
      required: ['prompt'],
      basic: ['prompt', 'input_image'],
      properties: {
        prompt: { type: 'string', title: 'Prompt', 'x-order': 0 },
        input_image: { type: 'string', format: 'uri', renderType: 'image-url', nullable: true, title: 'Start Frame', 'x-order': 1 },
        duration: { type: 'integer', minimum: 4, maximum: 8, default: 8, title: 'Duration', 'x-order': 2 },
        aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9', title: 'Aspect Ratio', 'x-order': 3 },
      },
    },
  },
]
