// The composer's form comes from the live schema, across the documented revisions (API.md §3).
import { describe, expect, it } from 'vitest'
import { buildModelFields, deriveModelForm } from '../../electron/services/oxen/model-form'
import { oxenErrorMessage } from '../../electron/services/oxen/client'
import { splitIntoEnqueues } from '../../electron/services/jobs/engine'

const seedSchema = {
  type: 'object',
  required: ['prompt'],
  basic: ['prompt', 'image_input', 'size', 'aspect_ratio'],
  properties: {
    prompt: { type: 'string', 'x-order': 0 },
    image_input: { type: 'array', items: { type: 'string', format: 'uri' }, maxItems: 14, renderType: 'image-url', 'x-order': 1 },
    size: { type: 'string', enum: ['2K', '3K'], default: '2K', 'x-order': 2 },
    aspect_ratio: { type: 'string', enum: ['match_input_image', '1:1', '16:9'], default: 'match_input_image', 'x-order': 3 },
    output_format: { type: 'string', enum: ['png', 'jpeg'], default: 'png', 'x-order': 4 },
  },
}
const currentSchema = {
  required: ['prompt'],
  properties: {
    output_format: { type: 'string', enum: ['png', 'jpeg'], default: 'png', 'x-order': 4 },
    prompt: { type: 'string', 'x-order': 0 },
    input_image: { type: 'array', items: { type: 'string', format: 'uri' }, maxItems: 14, 'x-order': 1 },
    size: { type: 'string', enum: ['2K', '3K', '4K'], default: '2K', 'x-order': 2 },
    watermark: { type: 'boolean', default: false, 'x-order': 5 },
  },
}

describe('deriveModelForm', () => {
  it('reads the seed revision under json_request_schema, in x-order', () => {
    const form = deriveModelForm('m', { display_name: 'Seedream 5.0 Lite', json_request_schema: seedSchema })
    expect(form.displayName).toBe('Seedream 5.0 Lite')
    expect(form.fields.map((f) => [f.name, f.kind, f.label, f.basic])).toEqual([
      ['image_input', 'images', 'Image input', true],
      ['size', 'enum', 'Size', true],
      ['aspect_ratio', 'enum', 'Aspect ratio', true],
      ['output_format', 'enum', 'Output format', false],
    ])
    expect(form.fields[1]).toMatchObject({ options: ['2K', '3K'], default: '2K' })
  })
  it('reads the current revision under request_schema (also as a JSON string)', () => {
    for (const model of [{ request_schema: currentSchema }, { request_schema: JSON.stringify(currentSchema) }]) {
      const form = deriveModelForm('m', model)
      expect(form.fields.map((f) => f.name)).toEqual(['input_image', 'size', 'output_format', 'watermark'])
      expect(form.fields.find((f) => f.name === 'watermark')).toMatchObject({ kind: 'boolean', default: false })
      expect(form.fields.find((f) => f.name === 'input_image')).toMatchObject({ kind: 'images', list: true, maxItems: 14 })
    }
  })
  it('fails with a clear message on a shape it cannot read', () => {
    expect(() => deriveModelForm('m', { schema: {} })).toThrow(/without a request schema Atelier can read/)
    expect(() => deriveModelForm('m', { request_schema: { properties: { image: { type: 'string' } } } })).toThrow(/does not take a text prompt/)
  })
})

describe('buildModelFields', () => {
  const form = deriveModelForm('bytedance-seedream-5-lite', { display_name: 'Seedream', json_request_schema: seedSchema })
  it('builds the body from the schema’s own names', () => {
    expect(buildModelFields(form, 'a fox', { size: '3K', aspect_ratio: '16:9' }, ['https://x/ref.png'])).toEqual({
      prompt: 'a fox',
      size: '3K',
      aspect_ratio: '16:9',
      image_input: ['https://x/ref.png'],
    })
  })
  it('refuses unknown names and values outside the schema, naming them', () => {
    expect(() => buildModelFields(form, 'x', { resolution: '2K' })).toThrow('Seedream has no setting called “resolution”')
    expect(() => buildModelFields(form, 'x', { size: '4K' })).toThrow('Size must be one of 2K, 3K; got “4K”.')
    expect(() => buildModelFields(form, 'x', { size: 2 })).toThrow('Size must be one of 2K, 3K')
  })
})

describe('splitIntoEnqueues', () => {
  it('makes ⌈N/4⌉ enqueues of at most 4', () => {
    const sizes = (n: number) => splitIntoEnqueues(n).map((chunk) => chunk.length)
    expect(sizes(1)).toEqual([1])
    expect(sizes(4)).toEqual([4])
    expect(sizes(5)).toEqual([4, 1])
    expect(sizes(15)).toEqual([4, 4, 4, 3])
    expect(splitIntoEnqueues(6)).toEqual([[0, 1, 2, 3], [4, 5]])
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
