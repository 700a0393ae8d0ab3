// How a new job is split into enqueues, and how seeds are drawn per image.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formDefaults, planEnqueues, splitIntoEnqueues } from '../../electron/services/jobs/plan'
import { deriveModelForm } from '../../electron/services/oxen/model-form'

const schemaFile = (id: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../../shared/oxen/models', `${id}.json`), 'utf8')) as Record<string, unknown>
const flux = deriveModelForm('flux-1-dev', schemaFile('flux-1-dev'))
const seedream = deriveModelForm('bytedance-seedream-5-lite', schemaFile('bytedance-seedream-5-lite'))
const fields = { prompt: 'a fox' }

describe('splitIntoEnqueues', () => {
  it('makes ⌈N/4⌉ enqueues of at most 4 image indexes', () => {
    const sizes = (n: number) => splitIntoEnqueues(n).map((chunk) => chunk.length)
    expect(sizes(1)).toEqual([1])
    expect(sizes(4)).toEqual([4])
    expect(sizes(5)).toEqual([4, 1])
    expect(sizes(15)).toEqual([4, 4, 4, 3])
    expect(splitIntoEnqueues(6)).toEqual([[0, 1, 2, 3], [4, 5]])
  })
})

describe('planEnqueues', () => {
  it('without a seed choice, or for a model without a seed field: enqueues of four, the fields as given', () => {
    expect(planEnqueues(flux, fields, 6).map((p) => [p.indexes, p.fields])).toEqual([
      [[0, 1, 2, 3], fields],
      [[4, 5], fields],
    ])
    expect(planEnqueues(seedream, fields, 5, { mode: 'increment', value: 7 }).map((p) => p.indexes.length)).toEqual([4, 1])
  })

  it('fixed: one seed for all, still four to an enqueue', () => {
    const plan = planEnqueues(flux, fields, 6, { mode: 'fixed', value: 42 })
    expect(plan.map((p) => [p.indexes.length, p.fields.seed])).toEqual([
      [4, 42],
      [2, 42],
    ])
  })

  it('+1 per image: each image its own enqueue, seeds counting up from the value', () => {
    const plan = planEnqueues(flux, fields, 3, { mode: 'increment', value: 100 })
    expect(plan.map((p) => [p.indexes, p.fields.seed])).toEqual([
      [[0], 100],
      [[1], 101],
      [[2], 102],
    ])
  })

  it('random: each image its own enqueue and its own seed, inside the field’s range', () => {
    const plan = planEnqueues(flux, fields, 8, { mode: 'random' })
    const seeds = plan.map((p) => p.fields.seed as number)
    expect(plan.every((p) => p.indexes.length === 1)).toBe(true)
    expect(new Set(seeds).size).toBeGreaterThan(1)
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 2 ** 31 - 1)).toBe(true)
  })

  it('refuses a body the schema refuses, naming the field, before anything is journaled', () => {
    expect(() => planEnqueues(flux, { ...fields, num_inference_steps: 10_000 }, 1)).toThrow(/step/i)
  })

  it('knows the defaults a price may depend on', () => {
    const gpt = deriveModelForm('gpt-image-2', schemaFile('gpt-image-2'))
    expect(Object.keys(formDefaults(gpt))).toEqual(expect.arrayContaining(['quality']))
  })
})
