// Seeded generation history: past generations made "elsewhere" (the web Workbench) for history-import tests
// (API.md §4.5, §13). Control: `POST /__sim/history`, `sim.seedHistory()` or the `history` option. Image rows
// are succeeded PNGs (small, distinct per row, rendered by render.ts on download); a few failed and non-image
// rows are mixed in so an importer has to filter by status and media_type.
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Generation, User } from './generations'
import { HttpError } from './http'
import { generationCost, type ImageModel } from './models'
import type { SimState } from './routes'

export const HistorySeedSchema = z
  .object({
    /** Succeeded image generations to add. */
    count: z.int().min(0).max(5000),
    /** Their model (an image model id); by default they rotate over a few text-to-image models. */
    model: z.string().min(1).optional(),
    /** List reads (GET /api/ai/generations, /api/ai/queue) give URLs that answer 403 "The link has expired". */
    expiredUrls: z.boolean().optional(),
    /** Failed image generations mixed in (default 2). */
    failed: z.int().min(0).max(1000).optional(),
    /** Succeeded video generations mixed in (default 1). */
    nonImage: z.int().min(0).max(1000).optional(),
    /** Rows are spread over this many past days (default 30). */
    days: z.number().positive().max(3650).optional(),
    /** The owner's API key (default: the first key). */
    apiKey: z.string().min(1).optional(),
  })
  .strict()

export type HistorySeed = z.infer<typeof HistorySeedSchema>

export interface SeededGeneration {
  generation_id: string
  model_name: string
  media_type: 'image' | 'video'
  status: 'succeeded' | 'failed'
  prompt: string
  enqueued_at: number
}

const DEFAULT_MODELS = ['flux-1-dev', 'flux-2-pro', 'krea-v2-large-text-to-image', 'qwen-image-2']
const RATIOS: [string, number, number][] = [
  ['1:1', 256, 256],
  ['16:9', 256, 144],
  ['3:4', 192, 256],
  ['4:3', 256, 192],
  ['9:16', 144, 256],
]
const PROMPTS = [
  'a lighthouse on a basalt cliff at dusk',
  'watercolor fox in a snowy birch forest',
  'isometric tiny greenhouse full of cacti',
  'retro poster of a hot-air balloon festival',
  'macro photo of dew on a spider web',
  'brutalist library interior with warm light',
  'koi pond seen from above, ink style',
]
const FAILURES = ['Insufficient credits', 'Invalid input: aspect_ratio must be one of 1:1, 16:9, 9:16 (got "5:4").']
const DAY_MS = 24 * 60 * 60 * 1000

/** Adds the seeded rows to the owner's history; 400 invalid_params for a bad seed, model or key. */
export function seedHistory(sim: SimState, input: unknown): SeededGeneration[] {
  const parsed = HistorySeedSchema.safeParse(input)
  if (!parsed.success)
    throw new HttpError(400, 'invalid_params', `Invalid history seed: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`)
  const seed = parsed.data
  const owner: User | undefined = seed.apiKey === undefined ? [...sim.users.values()][0] : sim.users.get(seed.apiKey)
  if (!owner) throw new HttpError(400, 'invalid_params', 'Invalid history seed: apiKey is not one of the simulator keys')
  const images = sim.catalog.filter((m): m is ImageModel => m.mediaType === 'image')
  const wanted = seed.model === undefined ? DEFAULT_MODELS : [seed.model]
  const models = wanted.map((id) => images.find((m) => m.id === id)).filter((m): m is ImageModel => m !== undefined)
  if (models.length === 0) throw new HttpError(400, 'invalid_params', `Invalid history seed: ${seed.model} is not an image model`)
  const video = sim.catalog.find((m) => m.mediaType === 'video')?.id ?? 'veo-3-1-fast'

  // Kinds in time order (oldest first): the extras spread evenly among the succeeded images.
  const kinds: ('image' | 'failed' | 'video')[] = Array.from({ length: seed.count }, () => 'image' as const)
  const extras = [...Array(seed.failed ?? 2).fill('failed'), ...Array(seed.nonImage ?? 1).fill('video')] as ('failed' | 'video')[]
  extras.forEach((kind, j) => kinds.splice(Math.floor(((j + 1) * kinds.length) / (extras.length + 1)), 0, kind))

  const now = Date.now()
  const spacing = ((seed.days ?? 30) * DAY_MS) / Math.max(1, kinds.length)
  return kinds.map((kind, i) => {
    const n = sim.store.count + 1
    const model = models[i % models.length]!
    const [ratio, width, height] = RATIOS[i % RATIOS.length]!
    const enqueuedAt = Math.floor(now - DAY_MS / 24 - (kinds.length - i) * spacing)
    const prompt = `${PROMPTS[i % PROMPTS.length]} (workbench #${n})`
    const fields: Record<string, unknown> =
      kind === 'video' ? { seed: 7000 + n, aspect_ratio: '16:9', duration: 4 } : { seed: 1000 + n, aspect_ratio: ratio }
    const generation: Generation = {
      id: randomUUID(),
      owner,
      model,
      prompt,
      index: 0,
      seed: fields.seed as number,
      fields,
      status: kind === 'failed' ? 'failed' : 'succeeded',
      errorMessage: kind === 'failed' ? FAILURES[i % FAILURES.length]! : null,
      enqueuedAt,
      startedAt: enqueuedAt + 2000,
      completedAt: enqueuedAt + 12_000 + (i % 7) * 3000,
      targetNamespace: owner.username,
      output: kind === 'image' ? { width, height, format: 'png' } : null,
      cost: kind === 'video' ? 0.6 : generationCost(model, fields),
      ...(kind === 'video' ? { mediaType: 'video' as const, modelName: video } : {}),
      ...(seed.expiredUrls ? { staleListUrls: true } : {}),
    }
    sim.store.insert(generation)
    return {
      generation_id: generation.id,
      model_name: generation.modelName ?? model.id,
      media_type: kind === 'video' ? 'video' : 'image',
      status: generation.status as 'succeeded' | 'failed',
      prompt,
      enqueued_at: Math.floor(enqueuedAt / 1000),
    }
  })
}
