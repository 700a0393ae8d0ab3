// The Oxen simulator's catalogue of every sample model (../shared/oxen/models), over real loopback HTTP: the
// list and its non-image models, each schema, one valid run per model rendered by its own fields, run-time
// failures for invalid fields, and costs (tiers, num_images) on the generation record.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../tools/oxen-simulator/index'
import { DEFAULT_MODELS_DIR } from '../../tools/oxen-simulator/schemas'
import { simulatorsFor } from '../fixtures/simulator-http'

const KEY = 'test-key-simulator-models'
const CUSTOM = 'atelier-user-watercolor-flux-dev'

type Json = Record<string, unknown>

const files = readdirSync(DEFAULT_MODELS_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, name), 'utf8')) as Json)
const FILE_IDS = files.map((f) => f.id as string)
const fileSchema = (id: string) => files.find((f) => f.id === id)!.json_request_schema as { required: string[]; properties: Json }

const { start } = simulatorsFor({ apiKeys: [KEY], queuedMs: 20, processingMs: 40 })

async function call(sim: Simulator, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${KEY}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  return { status: res.status, body: (await res.json()) as Json }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 15))
  }
}

/** Enqueues, waits for every generation, and answers their history rows (with cost). */
async function run(sim: Simulator, body: Json): Promise<Json[]> {
  const res = await call(sim, '/api/ai/queue', body)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  const ids = (res.body.generations as Json[]).map((g) => g.generation_id as string)
  return Promise.all(
    ids.map((id) =>
      waitFor(async () => {
        const row = (await call(sim, `/api/ai/generations/${id}`)).body.generation as Json
        return ['succeeded', 'failed', 'cancelled'].includes(row.status as string) ? row : undefined
      }),
    ),
  )
}

const image = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } }).png().toBuffer()
const dataUri = async (width: number, height: number) => `data:image/png;base64,${(await image(width, height)).toString('base64')}`

describe('catalogue', () => {
  let sim: Simulator
  let list: Json[]
  beforeAll(async () => {
    sim = await start()
    list = (await call(sim, '/api/ai/models')).body.data as Json[]
  })

  it('lists every sample model and the custom one as image models, beside non-image models', () => {
    expect(FILE_IDS).toHaveLength(13)
    const imageIds = list.filter((m) => (m.capabilities as { output: string[] }).output.includes('image')).map((m) => m.id)
    expect(imageIds.sort()).toEqual([...FILE_IDS, CUSTOM].sort())
    const others = list.filter((m) => !imageIds.includes(m.id))
    expect(others.map((m) => [m.id, (m.capabilities as { output: string[] }).output])).toEqual([
      ['claude-sonnet-4-6', ['text']],
      ['veo-3-1-fast', ['video']],
    ])
    // The video model has a prompt and an image field too: only capabilities tell it apart.
    expect(Object.keys((others[1]!.request_schema as { properties: Json }).properties)).toContain('input_image')
  })

  it('describes each image model with the documented fields, a per-image price and its schema', () => {
    for (const model of list.filter((m) => m.id !== 'claude-sonnet-4-6' && m.id !== 'veo-3-1-fast')) {
      expect(model, String(model.id)).toMatchObject({
        object: 'model',
        created: expect.any(Number),
        owned_by: expect.any(String),
        display_name: expect.any(String),
        description: expect.any(String),
        summary: expect.any(String),
        model_type: model.id === CUSTOM ? 'custom' : 'base',
        endpoint: expect.stringMatching(/^(\/api\/ai|http:\/\/127\.0\.0\.1:\d+\/api\/ai)?\/images\/(generate|edit)$/),
        pricing: { method: 'per_image', cost_per_image: expect.any(Number) },
        developer: { name: expect.any(String), logo: null },
        released_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      })
      const cost = (model.pricing as Json).cost_per_image as number
      expect(cost).toBeGreaterThan(0)
      expect(cost).toBeLessThan(1)
      // Seedream keeps the schemaKey option (json_request_schema by default); the rest use request_schema.
      expect(model[model.id === 'bytedance-seedream-5-lite' ? 'json_request_schema' : 'request_schema']).toMatchObject({
        properties: expect.any(Object),
      })
    }
    const endpoints = list.map((m) => String(m.endpoint))
    expect(endpoints).toContain('/images/edit')
    expect(endpoints).toContain('/api/ai/images/edit')
    expect(endpoints).toContain(`${sim.baseUrl}/api/ai/images/generate`)
    const input = (id: string) => (list.find((m) => m.id === id)!.capabilities as { input: string[] }).input
    expect(input('z-image-turbo')).toEqual(['text'])
    expect(input('nano-banana-2')).toEqual(['text', 'image'])
    expect(input('topazlabs-image-upscale')).toEqual(['image'])
  })

  it('prices gpt-image-2 by a quality × resolution grid, nano-banana-2 by resolution', () => {
    const gpt = list.find((m) => m.id === 'gpt-image-2')!.pricing as { cost_per_image: number; cost_per_image_grid: Json[] }
    expect(gpt.cost_per_image_grid).toHaveLength(9)
    for (const quality of ['low', 'medium', 'high'])
      for (const resolution of ['1K', '2K', '4K'])
        expect(gpt.cost_per_image_grid).toContainEqual({ quality, resolution, cost_per_image: expect.any(Number) })
    expect(gpt.cost_per_image).toBe(0.25) // the defaults' tier: high, 2K
    const nano = list.find((m) => m.id === 'nano-banana-2')!.pricing as { cost_per_image_grid: Json[] }
    expect(nano.cost_per_image_grid.map((row) => row.resolution)).toEqual(['512', '1K', '2K', '4K'])
  })

  it('lists a custom fine-tune in the user namespace with a running deployment and FLUX.1 [dev]’s schema', async () => {
    const custom = list.find((m) => m.id === CUSTOM)!
    expect(custom).toMatchObject({
      model_type: 'custom',
      owned_by: 'atelier-user',
      source_model: 'flux-1-dev',
      deployments: [{ status: 'running' }],
    })
    const flux = (await call(sim, '/api/ai/models/flux-1-dev')).body
    expect(custom.request_schema).toEqual(flux.request_schema)
  })

  it('answers each model with its file’s schema under both keys, plus the live-only extras', async () => {
    for (const id of [...FILE_IDS.filter((i) => i !== 'bytedance-seedream-5-lite'), CUSTOM]) {
      const { status, body } = await call(sim, `/api/ai/models/${id}`)
      expect(status, id).toBe(200)
      expect(body.json_request_schema, id).toEqual(body.request_schema)
      const schema = body.request_schema as { required: string[]; basic: string[]; properties: Record<string, Json> }
      const file = fileSchema(id === CUSTOM ? 'flux-1-dev' : id)
      expect(schema.required).toEqual(file.required)
      expect(Object.keys(schema.properties)).toEqual(Object.keys(file.properties))
      for (const [name, prop] of Object.entries(schema.properties)) {
        expect(prop, `${id}.${name}`).toMatchObject(file.properties[name] as Json)
        expect(prop['x-order']).toBe(Object.keys(file.properties).indexOf(name))
      }
      for (const name of file.required) expect(schema.basic).toContain(name)
    }
    const kontext = (await call(sim, '/api/ai/models/flux-kontext-dev')).body.request_schema as { properties: Record<string, Json> }
    expect(kontext.properties.input_image).toMatchObject({ type: 'string', format: 'uri', renderType: 'image-url' })
    expect(kontext.properties.input_image).not.toHaveProperty('nullable') // required
    const gpt = (await call(sim, '/api/ai/models/gpt-image-2')).body.request_schema as { basic: string[]; properties: Record<string, Json> }
    expect(gpt.basic).toEqual(['prompt', 'input_image'])
    expect(gpt.properties.input_image).toMatchObject({ items: { type: 'string', format: 'uri' }, renderType: 'image-url', nullable: true })
    expect(gpt.properties.mask_url).toMatchObject({ renderType: 'image-url', nullable: true })
    const krea = (await call(sim, '/api/ai/models/krea-v2-large-text-to-image')).body.request_schema as { properties: Record<string, Json> }
    expect(krea.properties.image_style_references).toMatchObject({ items: { type: 'object' }, maxItems: 10 })
    expect(krea.properties.image_style_references).not.toHaveProperty('renderType')
  })
})

describe('running every model', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  type Fields = Json | (() => Promise<Json>)
  // [model, fields, expected size, file extension, cost]
  const cases: Array<[string, Fields, string, string, string]> = [
    ['bytedance-seedream-5-lite', { size: '3K', aspect_ratio: '2:3', output_format: 'jpeg' }, '2048x3072', 'jpeg', '0.035'],
    ['bytedance-seedream-5-pro', { size: '1K', aspect_ratio: '16:9' }, '1024x576', 'png', '0.045'],
    ['flux-1-dev', {}, '1360x768', 'webp', '0.025'], // defaults: 16:9, 1 MP, webp
    ['flux-2-pro', { resolution: '0.5 MP', aspect_ratio: '1:1', output_format: 'jpg' }, '720x720', 'jpg', '0.030'],
    [
      'flux-kontext-dev',
      async () => ({ input_image: await dataUri(300, 200), aspect_ratio: 'match_input_image', output_format: 'png' }),
      '1248x832',
      'png',
      '0.025',
    ],
    [
      'gpt-image-2',
      async () => ({ input_image: [await dataUri(400, 300)], aspect_ratio: 'auto', resolution: '1K', quality: 'low', output_format: 'webp' }),
      '1024x768',
      'webp',
      '0.012',
    ],
    ['ideogram-v4', { image_size: 'portrait_16_9' }, '576x1024', 'jpeg', '0.060'],
    ['krea-v2-large-text-to-image', { aspect_ratio: '2.35:1', image_style_references: [{ url: 'https://example.com/s.png' }] }, '1568x672', 'png', '0.040'],
    // aspect_ratio not sent: the edit follows its input (1:2), at the 512 tier
    ['nano-banana-2', async () => ({ input_image: [await dataUri(200, 400)], resolution: '512' }), '256x512', 'png', '0.045'],
    ['qwen-image-2', async () => ({ input_image: await dataUri(320, 240), match_input_image: true }), '320x240', 'png', '0.040'],
    ['qwen-image-edit-plus', async () => ({ input_image: [await dataUri(300, 200)], output_format: 'webp' }), '1248x832', 'webp', '0.030'],
    ['topazlabs-image-upscale', async () => ({ input_image: await dataUri(150, 100), upscale_factor: '4x', output_format: 'jpg' }), '600x400', 'jpg', '0.080'],
    ['topazlabs-image-upscale', async () => ({ input_image: await dataUri(150, 100) }), '300x200', 'png', '0.080'], // default 2x
    ['z-image-turbo', { guidance: 99 }, '1024x1024', 'webp', '0.005'], // an unknown field is ignored
    [CUSTOM, { aspect_ratio: '9:16', image_size: 'optimize_for_speed', output_format: 'png' }, '544x960', 'png', '0.030'],
  ]

  it('covers every model in the catalogue', () => {
    expect(new Set(cases.map(([model]) => model))).toEqual(new Set([...FILE_IDS, CUSTOM]))
  })

  it.each(cases)('%s renders by its own fields', async (model, fields, size, ext, cost) => {
    const prompt = model === 'topazlabs-image-upscale' ? {} : { prompt: `a test of ${model}` }
    const [row] = await run(sim, { model, ...prompt, ...(typeof fields === 'function' ? await fields() : fields) })
    expect(row!.status, String(row!.error_message)).toBe('succeeded')
    expect(row!.cost).toBe(cost)
    expect(row!.result_url).toMatch(new RegExp(`\\.${ext}\\?`))
    const format = ext === 'jpg' ? 'jpeg' : ext
    const res = await fetch(row!.result_url as string)
    expect(res.headers.get('content-type')).toBe(`image/${format}`)
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata()
    expect(`${meta.width}x${meta.height}`).toBe(size)
    expect(meta.format).toBe(format)
  })

  it('takes no prompt for the upscaler, and asks one of the models that require it', async () => {
    const [row] = await run(sim, { model: 'topazlabs-image-upscale', input_image: await dataUri(64, 64) })
    expect(row).toMatchObject({ status: 'succeeded', prompt: null })
    const res = await call(sim, '/api/ai/queue', { model: 'z-image-turbo' })
    expect(res.status).toBe(400)
    expect((res.body.error as Json).title).toBe('Prompt cannot be empty')
  })

  it('refuses non-image models at the queue', async () => {
    const chat = await call(sim, '/api/ai/queue', { model: 'claude-sonnet-4-6', prompt: 'hi' })
    expect([chat.status, (chat.body.error as Json).title]).toEqual([400, ':unsupported_media_type'])
    const video = await call(sim, '/api/ai/queue', { model: 'veo-3-1-fast', prompt: 'hi' })
    expect([video.status, (video.body.error as Json).title]).toEqual([400, 'The Oxen simulator renders images only'])
  })
})

describe('invalid fields fail at run time', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it.each([
    ['enum', { model: 'gpt-image-2', prompt: 'x', quality: 'ultra' }, 'Invalid input: quality must be one of low, medium, high (got "ultra").'],
    ['range', { model: 'flux-1-dev', prompt: 'x', num_inference_steps: 80 }, 'Invalid input: num_inference_steps must be between 1 and 50 (got 80).'],
    ['range (num_images)', { model: 'ideogram-v4', prompt: 'x', num_images: 0 }, 'Invalid input: num_images must be between 1 and 8 (got 0).'],
    ['integer', { model: 'z-image-turbo', prompt: 'x', num_inference_steps: 2.5 }, 'Invalid input: num_inference_steps must be an integer (got 2.5).'],
    ['required (kontext)', { model: 'flux-kontext-dev', prompt: 'x' }, 'Invalid input: input_image is required.'],
    ['required (topaz)', { model: 'topazlabs-image-upscale', upscale_factor: '2x' }, 'Invalid input: input_image is required.'],
    ['required (empty list)', { model: 'qwen-image-edit-plus', prompt: 'x', input_image: [] }, 'Invalid input: input_image is required.'],
    ['uri', { model: 'flux-kontext-dev', prompt: 'x', input_image: 'cat.png' }, 'Invalid input: input_image must be an http(s) URL or a data URI (got "cat.png").'],
    ['object items', { model: 'krea-v2-large-text-to-image', prompt: 'x', image_style_references: ['https://example.com/a.png'] }, 'Invalid input: every image_style_references item must be an object.'],
  ])('%s', async (_kind, body, message) => {
    const [row] = await run(sim, body)
    expect(row).toMatchObject({ status: 'failed', error_message: message, result_url: null, cost: '0.000' })
  })

  it('too many images: more references than the schema’s maxItems', async () => {
    const refs = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`)
    const [row] = await run(sim, { model: 'bytedance-seedream-5-pro', prompt: 'x', input_image: refs })
    expect(row).toMatchObject({ status: 'failed', error_message: 'Invalid input: input_image accepts at most 10 items (got 11).' })
    expect(sim.stats().referencesFetched).toEqual({ url: 0, dataUri: 0 }) // nothing is fetched for an invalid job
  })
})

describe('costs', () => {
  it('bills the grid tier, and num_images per generation', async () => {
    const sim = await start()
    const tier = async (fields: Json) => (await run(sim, { model: 'gpt-image-2', prompt: 'tiers', ...fields }))[0]!.cost
    expect(await tier({})).toBe('0.250') // defaults: high, 2K
    expect(await tier({ quality: 'high', resolution: '4K' })).toBe('0.400')
    expect(await tier({ quality: 'medium', resolution: '1K' })).toBe('0.045')
    expect((await run(sim, { model: 'nano-banana-2', prompt: 'tiers', resolution: '4K' }))[0]!.cost).toBe('0.151')

    // num_images multiplies with num_generations: 2 rows (one result_url each), each billed 3 images.
    const rows = await run(sim, { model: 'ideogram-v4', prompt: 'six', num_generations: 2, num_images: 3 })
    expect(rows.map((r) => [r.status, r.cost, r.num_images])).toEqual([
      ['succeeded', '0.180', 3],
      ['succeeded', '0.180', 3],
    ])
    const history = (await call(sim, '/api/ai/generations?model=ideogram-v4')).body
    expect(history.total_cost).toBe('0.360')
    const me = (await call(sim, '/api/users/me')).body.user as Json
    expect(me.credits).toBe((12.5 - (0.25 + 0.4 + 0.045 + 0.151 + 0.36)).toFixed(2))
  })

  it('fails every run of a stopped custom model, at no cost', async () => {
    const sim = await start({ customModelDeployment: 'stopped' })
    const model = (await call(sim, `/api/ai/models/${CUSTOM}`)).body
    expect(model.deployments).toEqual([expect.objectContaining({ status: 'stopped' })])
    const [row] = await run(sim, { model: CUSTOM, prompt: 'x' })
    expect(row).toMatchObject({
      status: 'failed',
      cost: '0.000',
      error_message: `Model ${CUSTOM} is not deployed: its deployment is stopped. Activate it to run generations.`,
    })
  })
})

describe('model files', () => {
  it('reads another directory: a file without a card is listed with a fallback card; a missing directory is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-models-'))
    cpSync(DEFAULT_MODELS_DIR, dir, { recursive: true })
    writeFileSync(
      join(dir, 'new-model.json'),
      JSON.stringify({
        id: 'new-model',
        display_name: 'New Model',
        endpoint: '/images/generate',
        json_request_schema: { type: 'object', required: ['prompt'], properties: { prompt: { type: 'string' } } },
      }),
    )
    const sim = await start({ modelsDir: dir })
    const model = (await call(sim, '/api/ai/models/new-model')).body
    expect(model).toMatchObject({ id: 'new-model', capabilities: { input: ['text'], output: ['image'] }, pricing: { cost_per_image: 0.04 } })
    expect((await run(sim, { model: 'new-model', prompt: 'x' }))[0]!.status).toBe('succeeded')
    await expect(start({ modelsDir: join(dir, 'nope') })).rejects.toThrow(/No model schemas at .*nope/)
  })
})
