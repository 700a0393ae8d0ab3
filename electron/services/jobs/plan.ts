// A new job's enqueues: which images each one makes and the exact body it sends. Up to four images share one
// enqueue; when the user asked for a random or +1 seed per image, each image is an enqueue of its own so its
// seed is its own (and recorded with it). Every body is validated against the model's schema here, before
// anything is journaled or sent: Oxen only validates at run time, after billing starts.
import { randomInt } from 'node:crypto'
import type { ModelForm, ParamValue, SeedChoice } from '../../../shared/domain'
import { validateBody } from '../oxen/model-form'

/** Oxen's cap on num_generations per enqueue (API.md §3, §8). */
export const MAX_PER_ENQUEUE = 4

export interface PlannedEnqueue {
  indexes: number[]
  /** The model's fields for these images (no `model`, no `num_generations`). */
  fields: Record<string, unknown>
}

/** Splits N images into enqueues of image indexes: 6 → [[0,1,2,3],[4,5]]. */
export function splitIntoEnqueues(count: number, perEnqueue = MAX_PER_ENQUEUE): number[][] {
  const chunks: number[][] = []
  for (let first = 0; first < count; first += perEnqueue) {
    chunks.push(Array.from({ length: Math.min(perEnqueue, count - first) }, (_, i) => first + i))
  }
  return chunks
}

export function planEnqueues(form: ModelForm, fields: Record<string, unknown>, count: number, seed?: SeedChoice): PlannedEnqueue[] {
  const seedField = form.fields.find((f) => f.kind === 'number' && f.role === 'seed')
  if (!seedField || seedField.kind !== 'number' || !seed) return checked(form, splitIntoEnqueues(count).map((indexes) => ({ indexes, fields })))
  const min = Math.max(0, seedField.min ?? 0)
  const max = Math.min(2 ** 31 - 1, seedField.max ?? 2 ** 31 - 1)
  const draw = () => randomInt(min, max + 1)
  const base = seed.value ?? draw()
  const seedOf = (index: number): number => {
    if (seed.mode === 'fixed') return base
    if (seed.mode === 'random') return draw()
    return min + ((base - min + index) % (max - min + 1)) // +1 per image, wrapping inside the field's range
  }
  const perEnqueue = seed.mode === 'fixed' ? MAX_PER_ENQUEUE : 1
  return checked(
    form,
    splitIntoEnqueues(count, perEnqueue).map((indexes) => ({ indexes, fields: { ...fields, [seedField.name]: seedOf(indexes[0]!) } })),
  )
}

/** The values the model uses for fields the request leaves out (for prices that depend on them). */
export function formDefaults(form: ModelForm): Record<string, ParamValue> {
  const defaults: Record<string, ParamValue> = {}
  for (const f of form.fields) if ('default' in f && f.default !== undefined) defaults[f.name] = f.default
  return defaults
}

function checked(form: ModelForm, plan: PlannedEnqueue[]): PlannedEnqueue[] {
  for (const p of plan) validateBody(form, p.fields)
  return plan
}
