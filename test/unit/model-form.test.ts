// The composer's form comes from the model's schema, for every model of the family (API.md §3, §4.6, §13): the
// 13 schema files as the doc pages give them, Seedream's 'seed' revision, and the live records the simulator
// serves (with basic, x-order, renderType, nullable and pricing). Bodies are validated before they are sent.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_REFERENCES, type FormField, type ModelForm, type ParamValue } from '../../shared/domain'
import { pricePerImage } from '../../shared/pricing'
import { buildRequestBody, deriveModelForm, readPrice, validateBody } from '../../electron/services/oxen/model-form'
import { oxenErrorMessage } from '../../electron/services/oxen/client'
import { buildCatalog, type ImageModel } from '../../tools/oxen-simulator/models'
import { readModelFiles } from '../../tools/oxen-simulator/schemas'

const MODELS_DIR = join(import.meta.dirname, '../../../shared/oxen/models')

/** Seedream 5.0 Lite's Apr–May 2026 revision (API.md §3 'seed' row), as the live hub served it. */
const seedSchema = {
  type: 'object',
  required: ['prompt'],
  basic: ['prompt', 'image_input', 'size', 'aspect_ratio'],
  properties: {
    prompt: { type: 'string', 'x-order': 0 },
    image_input: { type: 'array', items: { type: 'string', format: 'uri' }, maxItems: 14, renderType: 'image-url', nullable: true, 'x-order': 1 },
    size: { type: 'string', enum: ['2K', '3K'], default: '2K', 'x-order': 2 },
    aspect_ratio: { type: 'string', enum: ['match_input_image', '1:1', '16:9'], default: 'match_input_image', 'x-order': 3 },
    output_format: { type: 'string', enum: ['png', 'jpeg'], default: 'png', 'x-order': 4 },
  },
}

const files: Array<{ id: string; display_name: string; json_request_schema: Record<string, unknown> }> = readdirSync(MODELS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(MODELS_DIR, name), 'utf8')))
const fileForm = (id: string): ModelForm => {
  const file = files.find((f) => f.id === id)
  if (!file) throw new Error(`no schema file for ${id}`)
  return deriveModelForm(id, file)
}
const field = (form: ModelForm, name: string): FormField | undefined => form.fields.find((f) => f.name === name)

/** The values the form starts from, plus a URL for each image a required field needs. */
function validInput(form: ModelForm) {
  const params: Record<string, ParamValue> = {}
  const images: Record<string, string[]> = {}
  for (const f of form.fields) {
    if (f.kind === 'images') {
      if (f.minItems > 0) images[f.name] = Array.from({ length: f.minItems }, (_, i) => `https://hub.example/ref-${i}.png`)
    } else if (f.default !== undefined) {
      params[f.name] = f.default
    }
  }
  return { prompt: form.promptField ? 'a red fox in snow' : '', params, images }
}

/** The AppFailure message a call throws. */
function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toMatchObject({ name: 'AppFailure', code: 'invalid-input' })
    return (error as Error).message
  }
  throw new Error('expected a refusal')
}

describe('the 13 schema files and both Seedream revisions', () => {
  it('reads all thirteen', () => {
    expect(files.map((f) => f.id)).toHaveLength(13)
  })

  const cases = [
    ...files.map((f) => [f.id, f] as const),
    ['seedream seed revision', { id: 'bytedance-seedream-5-lite', display_name: 'Seedream 5.0 Lite', json_request_schema: seedSchema }] as const,
  ]
  it.each(cases)('%s: the form builds and a request from its defaults passes validation', (_, model) => {
    const form = deriveModelForm(model.id, model)
    expect(form.displayName).toBe(model.display_name)
    const props = Object.keys((model.json_request_schema as { properties: object }).properties)
    // Every property is the prompt, the count, or a field: nothing is dropped.
    expect([form.promptField, form.countField, ...form.fields.map((f) => f.name)].filter(Boolean).sort()).toEqual([...props].sort())
    const body = buildRequestBody(form, validInput(form))
    expect(() => validateBody(form, body)).not.toThrow()
  })

  it('topazlabs-image-upscale: no prompt, one required input image', () => {
    const form = fileForm('topazlabs-image-upscale')
    expect(form).toMatchObject({ promptField: null, promptRequired: false })
    expect(field(form, 'input_image')).toMatchObject({ kind: 'images', list: false, required: true, minItems: 1, maxItems: 1, role: 'input' })
    expect(buildRequestBody(form, { prompt: '', params: { upscale_factor: '4x' }, images: { input_image: ['https://x/a.png'] } })).toEqual({
      upscale_factor: '4x',
      input_image: 'https://x/a.png',
    })
    expect(refusal(() => buildRequestBody(form, { prompt: 'sharper', params: {}, images: { input_image: ['https://x/a.png'] } }))).toBe(
      'Topaz Image Upscaler takes no prompt: clear it.',
    )
  })

  it('flux-kontext-dev: one required URI string, sent as a string', () => {
    const form = fileForm('flux-kontext-dev')
    expect(form).toMatchObject({ promptField: 'prompt', promptRequired: true })
    expect(field(form, 'input_image')).toMatchObject({ kind: 'images', list: false, required: true, minItems: 1, maxItems: 1 })
    expect(buildRequestBody(form, { prompt: 'make it dusk', params: {}, images: { input_image: ['https://x/a.png'] } })).toEqual({
      prompt: 'make it dusk',
      input_image: 'https://x/a.png',
    })
    expect(refusal(() => buildRequestBody(form, { prompt: 'x', params: {}, images: { input_image: ['https://x/a', 'https://x/b'] } }))).toBe(
      'Input image takes one image: remove 1.',
    )
  })

  it('krea: a list of objects, the URL under `url`, capped by its description', () => {
    const form = fileForm('krea-v2-large-text-to-image')
    expect(field(form, 'image_style_references')).toMatchObject({ kind: 'images', list: true, itemKey: 'url', minItems: 0, maxItems: 10, required: false })
    const body = buildRequestBody(form, { prompt: 'x', params: {}, images: { image_style_references: ['https://x/a.png', 'https://x/b.png'] } })
    expect(body.image_style_references).toEqual([{ url: 'https://x/a.png' }, { url: 'https://x/b.png' }])
  })

  it('gpt-image-2: a mask slot beside the input list (which states no cap)', () => {
    const form = fileForm('gpt-image-2')
    expect(field(form, 'mask_url')).toMatchObject({ kind: 'images', list: false, required: false, minItems: 0, maxItems: 1, role: 'mask' })
    expect(field(form, 'input_image')).toMatchObject({ kind: 'images', list: true, maxItems: MAX_REFERENCES, role: 'input' })
    const body = buildRequestBody(form, { prompt: 'x', params: {}, images: { input_image: ['https://x/a.png'], mask_url: ['https://x/m.png'] } })
    expect(body).toEqual({ prompt: 'x', input_image: ['https://x/a.png'], mask_url: 'https://x/m.png' })
  })

  it('ideogram-v4: its own num_images is the count field, not shown, always sent as 1', () => {
    const form = fileForm('ideogram-v4')
    expect(form.countField).toBe('num_images')
    expect(field(form, 'num_images')).toBeUndefined()
    expect(buildRequestBody(form, { prompt: 'a poster', params: {}, images: {} })).toEqual({ prompt: 'a poster', num_images: 1 })
    expect(refusal(() => buildRequestBody(form, { prompt: 'a poster', params: { num_images: 4 }, images: {} }))).toMatch(
      'Ideogram V4 has no setting called “num_images”',
    )
  })

  it('seeds, negative prompts, steps and guidance', () => {
    const flux = fileForm('flux-1-dev')
    expect(field(flux, 'seed')).toMatchObject({ kind: 'number', integer: true, role: 'seed', required: false })
    expect(field(flux, 'negative_prompt')).toMatchObject({ kind: 'text', multiline: true })
    expect(field(flux, 'num_inference_steps')).toMatchObject({ kind: 'number', integer: true, min: 1, max: 50, default: 30 })
    expect(field(flux, 'guidance')).toMatchObject({ kind: 'number', integer: false, min: 0, max: 10, default: 3 })
    expect(field(flux, 'disable_safety_checker')).toMatchObject({ kind: 'boolean', default: false })
    expect(field(fileForm('qwen-image-2'), 'negative_prompt')).toMatchObject({ kind: 'text', multiline: true })
    for (const id of ['flux-2-pro', 'flux-kontext-dev', 'krea-v2-large-text-to-image', 'qwen-image-2', 'z-image-turbo', 'ideogram-v4']) {
      expect(field(fileForm(id), 'seed'), id).toMatchObject({ role: 'seed' })
    }
    for (const id of ['bytedance-seedream-5-lite', 'nano-banana-2', 'gpt-image-2']) {
      expect(fileForm(id).fields.some((f) => f.kind === 'number' && f.role === 'seed'), id).toBe(false)
    }
  })

  it('image lists take the schema’s own cap, or MAX_REFERENCES when it states none', () => {
    expect(field(fileForm('bytedance-seedream-5-lite'), 'input_image')).toMatchObject({ list: true, maxItems: 14 })
    expect(field(fileForm('bytedance-seedream-5-pro'), 'input_image')).toMatchObject({ list: true, maxItems: 10 })
    expect(field(fileForm('flux-2-pro'), 'input_image')).toMatchObject({ list: true, maxItems: MAX_REFERENCES })
    expect(field(fileForm('qwen-image-edit-plus'), 'input_image')).toMatchObject({ list: true, required: true, minItems: 1 })
    expect(field(fileForm('qwen-image-2'), 'input_image')).toMatchObject({ list: false, required: false, minItems: 0 })
  })

  it('the seed revision: its own names, in x-order, `basic` from the schema', () => {
    const form = deriveModelForm('m', { display_name: 'Seedream 5.0 Lite', json_request_schema: seedSchema })
    expect(form.fields.map((f) => [f.name, f.kind, f.label, f.basic])).toEqual([
      ['image_input', 'images', 'Image input', true],
      ['size', 'enum', 'Size', true],
      ['aspect_ratio', 'enum', 'Aspect ratio', true],
      ['output_format', 'enum', 'Output format', false],
    ])
    expect(field(form, 'size')).toMatchObject({ options: ['2K', '3K'], default: '2K' })
    expect(buildRequestBody(form, { prompt: 'a fox', params: { size: '3K', aspect_ratio: '16:9' }, images: { image_input: ['https://x/ref.png'] } })).toEqual({
      prompt: 'a fox',
      size: '3K',
      aspect_ratio: '16:9',
      image_input: ['https://x/ref.png'],
    })
  })
})

describe('live model records (the simulator’s catalogue)', () => {
  const catalog = (revision: 'seed' | 'current') =>
    buildCatalog(readModelFiles(MODELS_DIR), { revision, schemaKey: 'request_schema', namespace: 'ada', customDeployment: 'running', baseUrl: 'http://127.0.0.1:1' })
      .filter((m): m is ImageModel => m.mediaType === 'image')

  it.each([...catalog('current'), ...catalog('seed').filter((m) => m.id === 'bytedance-seedream-5-lite')].map((m) => [m.id, m] as const))(
    '%s: form, price, and a valid request from its defaults',
    (id, model) => {
      // The list entry carries request_schema as an object; a record may also carry it as a JSON string.
      for (const record of [model.object, { ...model.object, request_schema: JSON.stringify(model.object.request_schema) }]) {
        const form = deriveModelForm(id, record)
        expect(form.price?.perImage).toBeGreaterThan(0)
        const basic = model.schema.basic
        expect(form.fields.filter((f) => f.basic).map((f) => f.name)).toEqual(form.fields.map((f) => f.name).filter((name) => basic.includes(name)))
        const body = buildRequestBody(form, validInput(form))
        expect(() => validateBody(form, body)).not.toThrow()
      }
    },
  )

  it('`nullable: true` allows null; without it null is refused', () => {
    const live = deriveModelForm('flux-1-dev', catalog('current').find((m) => m.id === 'flux-1-dev')!.object)
    expect(() => validateBody(live, { prompt: 'x', seed: null })).not.toThrow()
    expect(refusal(() => validateBody(fileForm('flux-1-dev'), { prompt: 'x', seed: null }))).toBe('Seed must be a whole number.')
  })

  it('gpt-image-2 prices by quality × resolution', () => {
    const model = catalog('current').find((m) => m.id === 'gpt-image-2')!
    const form = deriveModelForm(model.id, model.object)
    expect(form.price?.tiers).toHaveLength(9)
    expect(form.price?.tiers?.[0]).toEqual({ when: { quality: 'low', resolution: '1K' }, perImage: 0.012 })
    const defaults = { quality: 'high', resolution: '2K' }
    expect(pricePerImage(form.price, {}, defaults)).toBe(0.25)
    expect(pricePerImage(form.price, { quality: 'low', resolution: '4K' }, defaults)).toBe(0.048)
  })
})

describe('readPrice', () => {
  it('reads a flat price, a grid, and decimal strings', () => {
    expect(readPrice({ pricing: { method: 'per_image', cost_per_image: 0.035 } })).toEqual({ perImage: 0.035 })
    expect(readPrice({ pricing: { cost_per_image: '0.04' } })).toEqual({ perImage: 0.04 })
    expect(readPrice({ pricing: { cost_per_image_grid: [{ resolution: '512', cost_per_image: 0.045 }, { resolution: 1024, cost_per_image: 0.067 }] } })).toEqual({
      tiers: [
        { when: { resolution: '512' }, perImage: 0.045 },
        { when: { resolution: '1024' }, perImage: 0.067 },
      ],
    })
  })
  it('is null when nothing can be read, and skips rows it cannot read', () => {
    expect(readPrice({})).toBeNull()
    expect(readPrice(null)).toBeNull()
    expect(readPrice({ pricing: { method: 'token', input_cost_per_token: 3e-6 } })).toBeNull()
    expect(readPrice({ pricing: { cost_per_image: -1, cost_per_image_grid: 'see docs' } })).toBeNull()
    expect(readPrice({ pricing: { cost_per_image: 0.1, cost_per_image_grid: [{ size: { w: 1 }, cost_per_image: 0.2 }, { cost_per_image: 'x' }] } })).toEqual({
      perImage: 0.1,
    })
  })
})

describe('deriveModelForm on shapes the files do not show', () => {
  const schema = {
    type: 'object',
    required: ['prompt', 'loras'],
    properties: {
      prompt: { type: 'string' },
      loras: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, scale: { type: 'number' } }, required: ['path'] } },
      tags: { type: 'array', items: { type: 'string' } },
      size: { oneOf: [{ type: 'string', enum: ['auto'] }, { type: 'object', properties: { width: { type: 'integer' } }, required: ['width'] }] },
      steps_choice: { type: 'integer', enum: [4, 8] },
      internal: { type: 'string', 'x-hidden': true },
      num_outputs: { type: 'integer', default: 1 },
    },
  }
  const form = deriveModelForm('m', { display_name: 'Odd', request_schema: schema })

  it('keeps objects, unions, non-image lists and non-string enums as JSON fields with their schema', () => {
    expect(form.fields.map((f) => [f.name, f.kind])).toEqual([
      ['loras', 'json'],
      ['tags', 'json'],
      ['size', 'json'],
      ['steps_choice', 'json'],
    ])
    expect(field(form, 'loras')).toMatchObject({ required: true, schema: schema.properties.loras })
    expect(form.countField).toBe('num_outputs')
  })

  it('validates them, naming the field and the place inside it', () => {
    const input = (params: Record<string, ParamValue>) => ({ prompt: 'x', params, images: {} })
    expect(buildRequestBody(form, input({ loras: [{ path: 'a', scale: 0.5 }], size: { width: 512 }, steps_choice: 8 }))).toEqual({
      prompt: 'x',
      loras: [{ path: 'a', scale: 0.5 }],
      size: { width: 512 },
      steps_choice: 8,
      num_outputs: 1,
    })
    expect(refusal(() => buildRequestBody(form, input({ loras: [{ scale: 'high' }] })))).toBe('Loras (item 1) is missing path. Loras (item 1, scale) must be a number.')
    expect(refusal(() => buildRequestBody(form, input({ loras: [], size: 'big' })))).toBe('Size is not in a form this model accepts.')
    expect(refusal(() => buildRequestBody(form, input({ loras: [], steps_choice: 6 })))).toBe('Steps choice must be one of 4, 8.')
    expect(refusal(() => buildRequestBody(form, input({ internal: 'x' })))).toMatch('Odd has no setting called “internal”')
  })

  it('fails with a clear message on a record it cannot read', () => {
    expect(() => deriveModelForm('m', { schema: {} })).toThrow(/without a request schema Atelier can read/)
    expect(() => deriveModelForm('m', { request_schema: '{not json' })).toThrow(/without a request schema Atelier can read/)
    expect(() => deriveModelForm('m', 'nope')).toThrow(/unreadable description of m/)
  })
})

describe('validation names each problem in a plain sentence', () => {
  const gpt = fileForm('gpt-image-2')
  const zImage = fileForm('z-image-turbo')
  const body = (form: ModelForm, params: Record<string, ParamValue>, images: Record<string, string[]> = {}) => () =>
    buildRequestBody(form, { prompt: 'a fox', params, images })

  it('enum', () => {
    expect(refusal(body(gpt, { quality: 'ultra' }))).toBe('Quality must be one of low, medium, high.')
  })
  it('range and whole numbers', () => {
    expect(refusal(body(zImage, { num_inference_steps: 80 }))).toBe('Num inference steps must be between 1 and 50.')
    expect(refusal(body(zImage, { num_inference_steps: 2.5 }))).toBe('Num inference steps must be a whole number.')
    expect(refusal(body(fileForm('flux-1-dev'), { guidance: -1 }))).toBe('Guidance must be between 0 and 10.')
  })
  it('wrong type', () => {
    expect(refusal(body(fileForm('bytedance-seedream-5-lite'), { watermark: 'yes' }))).toBe('Watermark must be true or false.')
    expect(refusal(body(zImage, { num_inference_steps: '8' }))).toBe('Num inference steps must be a whole number.')
  })
  it('required prompt and required images', () => {
    expect(refusal(() => buildRequestBody(zImage, { prompt: '  ', params: {}, images: {} }))).toBe('Prompt is required: write one.')
    expect(refusal(() => buildRequestBody(fileForm('flux-kontext-dev'), { prompt: 'x', params: {}, images: {} }))).toBe('Input image is required: add an image.')
    expect(refusal(body(fileForm('qwen-image-edit-plus'), {}, { input_image: [] }))).toBe('Input image is required: add an image.')
    expect(refusal(() => buildRequestBody(fileForm('topazlabs-image-upscale'), { prompt: '', params: {}, images: {} }))).toBe(
      'Input image is required: add an image.',
    )
  })
  it('too many images, by the schema’s cap, the prose cap, or MAX_REFERENCES', () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://x/${i}.png`)
    expect(refusal(body(fileForm('bytedance-seedream-5-pro'), {}, { input_image: urls(11) }))).toBe('Input image takes at most 10 images.')
    expect(refusal(body(fileForm('krea-v2-large-text-to-image'), {}, { image_style_references: urls(11) }))).toBe(
      'Image style references takes at most 10 images.',
    )
    expect(refusal(body(gpt, {}, { input_image: urls(MAX_REFERENCES + 1) }))).toBe(`Input image takes at most ${MAX_REFERENCES} images.`)
  })
  it('image URLs Oxen cannot fetch', () => {
    expect(refusal(body(gpt, {}, { mask_url: ['ftp://x/m.png'] }))).toBe('Mask url must be a web address (http or https) or an image data URI.')
    expect(refusal(body(gpt, {}, { input_image: ['https://x/a.png', 'file:///etc/passwd'] }))).toBe(
      'Input image (item 2) must be a web address (http or https) or an image data URI.',
    )
    expect(refusal(body(fileForm('krea-v2-large-text-to-image'), {}, { image_style_references: ['https://x/a.png', 'a.png'] }))).toBe(
      'Image style references (item 2, url) must be a web address (http or https) or an image data URI.',
    )
    expect(buildRequestBody(gpt, { prompt: 'x', params: {}, images: { input_image: ['data:image/png;base64,iVBORw0KGgo='] } })).toMatchObject({
      input_image: ['data:image/png;base64,iVBORw0KGgo='],
    })
  })
  it('every problem at once, one sentence each', () => {
    expect(refusal(() => buildRequestBody(gpt, { prompt: '', params: { quality: 'ultra', resolution: 4 }, images: {} }))).toBe(
      'Prompt is required: write one. Resolution must be one of 1K, 2K, 4K. Quality must be one of low, medium, high.',
    )
  })
  it('null and empty text mean “not set”', () => {
    expect(buildRequestBody(fileForm('flux-1-dev'), { prompt: 'x', params: { negative_prompt: '', seed: null }, images: {} })).toEqual({ prompt: 'x' })
  })
  it('refuses names the form does not have', () => {
    const seedream = fileForm('bytedance-seedream-5-lite')
    expect(refusal(body(seedream, { resolution: '2K' }))).toBe('Seedream 5.0 Lite has no setting called “resolution”. Reload the composer and try again.')
    expect(refusal(body(seedream, { input_image: ['https://x/a.png'] }))).toMatch('no setting called “input_image”')
    expect(refusal(body(seedream, {}, { image_input: ['https://x/a.png'] }))).toBe(
      'Seedream 5.0 Lite has no image field called “image_input”. Reload the composer and try again.',
    )
  })
  it('validateBody checks each enqueue body as the engine makes it (e.g. with its seed)', () => {
    const flux = fileForm('flux-1-dev')
    const fields = buildRequestBody(flux, { prompt: 'x', params: {}, images: {} })
    expect(() => validateBody(flux, { ...fields, seed: 42 })).not.toThrow()
    expect(refusal(() => validateBody(flux, { ...fields, seed: 1.5 }))).toBe('Seed must be a whole number.')
  })
})

describe('oxenErrorMessage (API.md §7 order)', () => {
  it('reads every documented shape', () => {
    expect(oxenErrorMessage({ error: { type: 'invalid_params', title: 'Bad', detail: 'Prompt cannot be empty' } })).toBe('Prompt cannot be empty')
    expect(oxenErrorMessage({ error: { message: 'rate limit exceeded' } })).toBe('rate limit exceeded')
    expect(oxenErrorMessage({ error: { type: 'x', title: 'Model not found: foo' } })).toBe('Model not found: foo')
    expect(oxenErrorMessage({ error: 'Insufficient credits' })).toBe('Insufficient credits')
    expect(oxenErrorMessage({ error_message: 'moderation refused' })).toBe('moderation refused')
    expect(oxenErrorMessage({ status_message: 'resource_not_found' })).toBe('resource_not_found')
    expect(oxenErrorMessage({ error: { detail: { message: 'upstream 422: unsafe content' } } })).toBe('upstream 422: unsafe content')
    expect(oxenErrorMessage({})).toBeUndefined()
  })
})
