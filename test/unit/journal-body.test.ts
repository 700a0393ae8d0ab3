import { describe, expect, it } from 'vitest'
import { journalable, sendable } from '../../electron/services/jobs/body'

const h1 = '1'.repeat(64)
const h2 = '2'.repeat(64)
const dataUri = (n: number) => `data:image/png;base64,${Buffer.alloc(1000, n).toString('base64')}`

describe('journaled request bodies', () => {
  it('keep inlined references as tokens and send the same data URIs again, wherever the schema put them', async () => {
    const body = {
      model: 'm',
      prompt: 'p',
      image_input: [dataUri(1), dataUri(2)],
      style_references: [{ url: dataUri(2), weight: 0.5 }],
      num_generations: 4,
    }
    const stored = journalable(body, [h1, h2], [dataUri(1), dataUri(2)])
    expect(JSON.stringify(stored)).not.toContain('data:')
    expect(JSON.stringify(stored).length).toBeLessThan(400)
    const asked: string[][] = []
    const sent = await sendable(stored, async (hashes) => {
      asked.push(hashes)
      return hashes.map((h) => (h === h1 ? dataUri(1) : dataUri(2)))
    })
    expect(sent).toEqual(body)
    expect(asked).toEqual([[h1, h2]])
  })

  it('leave uploaded reference URLs exactly as sent, and need no reference store for them', async () => {
    const body = { model: 'm', prompt: 'p', image_input: ['https://hub.oxen.ai/api/repos/u/r/file/main/a.png'] }
    const stored = journalable(body, [h1], body.image_input)
    expect(stored).toEqual(body)
    expect(await sendable(stored, async () => Promise.reject(new Error('not needed')))).toEqual(body)
  })
})
