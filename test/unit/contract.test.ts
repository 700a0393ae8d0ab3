// The contract's schemas refuse malformed payloads with specific messages, and the dispatcher answers
// with them instead of calling a handler.
import { describe, expect, it, vi } from 'vitest'
import { describeIssues, requests } from '../../shared/contract'
import { AddReferenceInputSchema, GenerateRequestSchema, MAX_REFERENCES } from '../../shared/domain'
import { createDispatcher, type RequestHandlers } from '../../electron/services/dispatch'
import { AppFailure } from '../../electron/services/errors'
import { createLogger } from '../../electron/services/log'

function message(input: unknown): string {
  const parsed = GenerateRequestSchema.safeParse(input)
  expect(parsed.success).toBe(false)
  return parsed.success ? '' : describeIssues(parsed.error)
}

const ref = 'a'.repeat(64)

const M = 'bytedance-seedream-5-lite'

describe('GenerateRequest schema', () => {
  it('accepts a good request and fills defaults', () => {
    const parsed = GenerateRequestSchema.parse({ modelId: M, prompt: '  a teal poster  ', count: 3 })
    expect(parsed).toEqual({ modelId: M, prompt: 'a teal poster', count: 3, params: {}, images: {} })
  })
  it('names the model, and leaves an empty prompt to the model’s form (an upscaler takes none)', () => {
    expect(message({ prompt: 'x', count: 1 })).toBe('modelId: Choose a model first.')
    expect(message({ modelId: '', prompt: 'x', count: 1 })).toBe('modelId: Choose a model first.')
    expect(GenerateRequestSchema.parse({ modelId: 'topazlabs-image-upscale', count: 1 }).prompt).toBe('')
    expect(GenerateRequestSchema.parse({ modelId: M, prompt: '   \n ', count: 1 }).prompt).toBe('')
  })
  it('refuses N outside 1–15 and non-integers', () => {
    expect(message({ modelId: M, prompt: 'x', count: 0 })).toBe('count: Ask for at least 1 image.')
    expect(message({ modelId: M, prompt: 'x', count: 16 })).toBe('count: Ask for at most 15 images at once.')
    expect(message({ modelId: M, prompt: 'x', count: 2.5 })).toBe('count: The number of images must be a whole number.')
  })
  it('refuses wrong types; parameters may be any JSON (the form validates them against the schema)', () => {
    expect(message({ modelId: M, prompt: 42, count: 1 })).toBe('prompt: The prompt must be text.')
    expect(message({ modelId: M, prompt: 'x', count: '3' })).toBe('count: The number of images must be a whole number.')
    expect(message({ modelId: M, prompt: 'x', count: 1, params: 'size' })).toMatch(/^params: /)
    expect(GenerateRequestSchema.parse({ modelId: M, count: 1, params: { loras: [{ path: 'x', scale: 1 }] } }).params.loras).toEqual([{ path: 'x', scale: 1 }])
    expect(message({ modelId: M, prompt: 'x', count: 1, extra: 1 })).toMatch(/extra/)
  })
  it('refuses more than 14 images in one field, and malformed image ids', () => {
    expect(() => GenerateRequestSchema.parse({ modelId: M, count: 1, images: { input_image: Array(MAX_REFERENCES).fill(ref) } })).not.toThrow()
    expect(message({ modelId: M, count: 1, images: { input_image: Array(15).fill(ref) } })).toBe('images.input_image: Use at most 14 images in one field.')
    expect(message({ modelId: M, count: 1, images: { input_image: ['../../etc/passwd'] } })).toBe('images.input_image.0: A reference image id is malformed.')
  })
  it('takes a seed choice only in its own shape', () => {
    expect(GenerateRequestSchema.parse({ modelId: M, count: 2, seed: { mode: 'increment', value: 7 } }).seed).toEqual({ mode: 'increment', value: 7 })
    expect(message({ modelId: M, count: 1, seed: { mode: 'sometimes' } })).toMatch(/^seed\.mode: /)
  })
  it('refuses malformed reference sources', () => {
    const add = (input: unknown) => {
      const parsed = AddReferenceInputSchema.safeParse(input)
      return parsed.success ? 'ok' : describeIssues(parsed.error)
    }
    expect(add({ kind: 'file', path: '' })).toBe('path: A reference file path is empty.')
    expect(add({ kind: 'bytes', base64: 'not base64!' })).toBe('base64: The pasted image is not valid base64.')
    expect(add({ kind: 'url', url: 'https://x' })).toMatch(/kind/)
    expect(add({ kind: 'bytes', base64: 'iVBORw0KGgo=' })).toBe('ok')
  })
})

describe('dispatcher', () => {
  const log = createLogger() // writes nothing
  const generate = vi.fn(async () => ({ jobId: 'j1', apiKey: 'must-not-leave' }))
  const handlers = { generate, listJobs: async () => { throw new AppFailure('no-key', 'Add your key.') } } as unknown as RequestHandlers
  const dispatch = createDispatcher(handlers, log)

  it('answers a malformed payload with invalid-input and never calls the handler', async () => {
    const result = await dispatch('generate', { prompt: 42, count: 99 })
    expect(result).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: 'modelId: Choose a model first. prompt: The prompt must be text. count: Ask for at most 15 images at once.' },
    })
    expect(generate).not.toHaveBeenCalled()
  })
  it('refuses unknown requests and payloads on no-payload requests', async () => {
    expect(await dispatch('readApiKey', undefined)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'Unknown request "readApiKey".' } })
    expect(await dispatch('toString', undefined)).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(await dispatch('listJobs', { sneaky: 1 })).toMatchObject({ ok: false, error: { message: 'This request takes no payload.' } })
  })
  it('strips anything the output schema does not name', async () => {
    const result = await dispatch('generate', { modelId: M, prompt: 'x', count: 1 })
    expect(result).toEqual({ ok: true, value: { jobId: 'j1' } })
  })
  it('passes AppFailure messages through and hides internal errors', async () => {
    expect(await dispatch('listJobs', undefined)).toEqual({ ok: false, error: { code: 'no-key', message: 'Add your key.' } })
  })
  it('has one distinct channel per request', () => {
    const channels = Object.values(requests).map((r) => r.channel)
    expect(new Set(channels).size).toBe(channels.length)
  })
})
