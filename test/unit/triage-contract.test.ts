// Triage's requests in the contract: ratings, picks and "keep the picks, trash the rest" take exactly their
// values, the library query takes its rating filter and sort, and the dispatcher refuses anything else unhandled.
import { describe, expect, it, vi } from 'vitest'
import { describeIssues, requests } from '../../shared/contract'
import { LibraryImageSchema, LibraryQuerySchema } from '../../shared/domain'
import { createDispatcher, type RequestHandlers } from '../../electron/services/dispatch'
import { createLogger } from '../../electron/services/log'

function refusal(name: 'setRating' | 'setPick' | 'trashUnpicked', input: unknown): string {
  const parsed = requests[name].input.safeParse(input)
  return parsed.success ? 'ok' : describeIssues(parsed.error)
}

describe('triage requests', () => {
  it('take a rating of 0–5 whole stars for at least one image', () => {
    for (const rating of [0, 1, 5]) expect(refusal('setRating', { imageIds: ['a'], rating })).toBe('ok')
    expect(refusal('setRating', { imageIds: ['a'], rating: 6 })).toBe('rating: A rating is 0 to 5 stars.')
    expect(refusal('setRating', { imageIds: ['a'], rating: -1 })).toBe('rating: A rating is 0 to 5 stars.')
    expect(refusal('setRating', { imageIds: ['a'], rating: 2.5 })).toMatch(/^rating: /)
    expect(refusal('setRating', { imageIds: ['a'], rating: '3' })).toMatch(/^rating: /)
    expect(refusal('setRating', { imageIds: [], rating: 3 })).toBe('imageIds: Select at least one image.')
    expect(refusal('setRating', { imageIds: ['a'], rating: 3, extra: 1 })).toMatch(/extra/)
  })

  it('take a pick of 1, -1 or 0 only', () => {
    for (const pick of [-1, 0, 1]) expect(refusal('setPick', { imageIds: ['a'], pick })).toBe('ok')
    expect(refusal('setPick', { imageIds: ['a'], pick: 2 })).toBe('pick: A pick is 1 (pick), -1 (reject) or 0 (neither).')
    expect(refusal('setPick', { imageIds: ['a'], pick: true })).toMatch(/^pick: /)
  })

  it('keeps the picks of one job, named by id', () => {
    expect(refusal('trashUnpicked', { jobId: 'j1' })).toBe('ok')
    expect(refusal('trashUnpicked', { jobId: '' })).toBe('jobId: A job id is required.')
    expect(refusal('trashUnpicked', { jobId: 'j1', imageIds: ['a'] })).toMatch(/imageIds/)
  })

  it('filters the library by at least N stars and by pick, and sorts it by rating', () => {
    expect(LibraryQuerySchema.parse({ sort: 'rating', filters: { minRating: 3, pick: 'picked' } })).toMatchObject({
      sort: 'rating',
      filters: { minRating: 3, pick: 'picked' },
    })
    for (const pick of ['picked', 'unrejected', 'rejected']) expect(LibraryQuerySchema.safeParse({ filters: { pick } }).success).toBe(true)
    const bad = (input: unknown) => {
      const parsed = LibraryQuerySchema.safeParse(input)
      return parsed.success ? 'ok' : describeIssues(parsed.error)
    }
    expect(bad({ filters: { minRating: 0 } })).toBe('filters.minRating: Filter for at least 1 star.')
    expect(bad({ filters: { minRating: 6 } })).toBe('filters.minRating: A rating is 0 to 5 stars.')
    expect(bad({ filters: { pick: 'maybe' } })).toMatch(/^filters\.pick: /)
    expect(bad({ sort: 'stars' })).toMatch(/^sort: /)
  })

  it('gives an image without them no rating and no flag', () => {
    const image = LibraryImageSchema.parse({
      ...{ id: 'i', jobId: 'j', generationId: 'g', index: 0, jobCount: 1, modelId: 'm', prompt: 'p', params: {} },
      ...{ width: 1, height: 1, format: 'png', fileName: 'p.png', bytes: 1, createdAt: 1, url: 'u', thumbUrl: 't' },
    })
    expect(image).toMatchObject({ rating: 0, pick: 0 })
  })
})

describe('the dispatcher on triage requests', () => {
  const setRating = vi.fn(async () => ({ count: 2 }))
  const trashUnpicked = vi.fn(async () => ({ imageIds: ['a', 'b'], jobId: 'must-not-leave' }))
  const dispatch = createDispatcher({ setRating, trashUnpicked } as unknown as RequestHandlers, createLogger())

  it('never calls the handler with a bad rating, and answers only what the output names', async () => {
    expect(await dispatch('setRating', { imageIds: ['a'], rating: 9 })).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: 'rating: A rating is 0 to 5 stars.' },
    })
    expect(setRating).not.toHaveBeenCalled()
    expect(await dispatch('setRating', { imageIds: ['a', 'b'], rating: 4 })).toEqual({ ok: true, value: { count: 2 } })
    expect(setRating).toHaveBeenCalledWith({ imageIds: ['a', 'b'], rating: 4 })
    expect(await dispatch('trashUnpicked', { jobId: 'j' })).toEqual({ ok: true, value: { imageIds: ['a', 'b'] } })
  })
})
