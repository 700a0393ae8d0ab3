// Client + job engine against the Oxen simulator over real loopback HTTP/SSE, with a real library and journal
// (SQLite + files) in a temp folder: queue, SSE, poll fallback, download, indexing, resume.
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveModelForm } from '../../electron/services/oxen/model-form'
import { OxenClient, type FetchLike } from '../../electron/services/oxen/client'
import { startSimulator, type Simulator } from '../../tools/oxen-simulator/index'
import { JobsWorld, waitFor } from '../fixtures/jobs-world'

const KEY = 'test-key-jobs-integration'
const MODEL = 'bytedance-seedream-5-lite'

let sim: Simulator
let world: JobsWorld

beforeEach(async () => {
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 60, processingMs: 200 })
  world = new JobsWorld()
})
afterEach(async () => {
  await world.close()
  await sim.close()
})

function makeEngine(opts: { key?: string; fetch?: FetchLike } = {}) {
  const client = new OxenClient({
    baseUrl: sim.baseUrl,
    getKey: async () => opts.key ?? KEY,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    retry: { attempts: 3, baseMs: 20, capMs: 100 },
  })
  return world.engine({
    client: () => client,
    modelForm: async () => deriveModelForm('bytedance-seedream-5-lite', await client.getModel('bytedance-seedream-5-lite')),
    maxConcurrentDownloads: () => 4,
    maxConcurrentJobs: () => 2,
    retryBaseMs: 50,
    onJobUpdate: () => undefined,
    onLibraryChanged: () => undefined,
    pollIntervalMs: 100,
    safetyPollMs: 60_000, // polling only as the fallback, so a test can tell which path delivered
  })
}

const imageFiles = () => world.imageFiles()
const tempFiles = () => world.tempFiles()

describe('job engine against the simulator', () => {
  it('turns 6 images into 2 enqueues (4 + 2), delivers by SSE, downloads and indexes each once', async () => {
    const { engine, updates, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'a teal poster', count: 6, params: { size: '2K', aspect_ratio: '16:9', output_format: 'jpeg' } })
    const job = await finished(jobId)

    expect(job.status).toBe('completed')
    expect(job.images.map((i) => i.state)).toEqual(Array(6).fill('saved'))
    expect(sim.stats().enqueueRequests).toBe(2)
    expect(sim.stats().enqueueBodies.map((b) => b.num_generations)).toEqual([4, 2])
    expect(sim.stats().enqueueBodies[0]).toMatchObject({ model: 'bytedance-seedream-5-lite', prompt: 'a teal poster', size: '2K', aspect_ratio: '16:9', output_format: 'jpeg' })
    expect(sim.stats().downloads).toBe(6)
    // States were pushed along the way.
    const seen = new Set(updates.flatMap((j) => j.images.map((i) => i.state)))
    expect([...seen]).toEqual(expect.arrayContaining(['pending', 'queued', 'downloading', 'saved']))

    const files = imageFiles()
    expect(files).toHaveLength(6)
    for (const file of files) {
      const meta = await sharp(file).metadata()
      expect(meta.format).toBe('jpeg')
      expect([meta.width, meta.height]).toEqual([2048, 1152])
    }
    expect(tempFiles()).toEqual([])
    const saved = job.images.map((i) => world.library.getImage(i.imageId!)!)
    expect(saved.map((i) => [i.jobId, i.index, i.jobCount, i.prompt])).toEqual(job.images.map((_, k) => [jobId, k, 6, 'a teal poster']))
    expect(new Set(saved.map((i) => i.generationId)).size).toBe(6)
  })

  it('falls back to polling when the event stream is closed and cannot reconnect', async () => {
    let refuseEvents = false
    const fetchWithoutEvents: FetchLike = (url, init) => {
      if (refuseEvents && url.endsWith('/api/events')) return Promise.reject(new TypeError('fetch failed'))
      return fetch(url, init)
    }
    const { engine, finished } = makeEngine({ fetch: fetchWithoutEvents })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'poll me', count: 3, params: {} })
    // Let the stream open and the enqueue happen, then cut the stream and refuse reconnects.
    await waitFor(() => (sim.stats().acceptedEnqueues.length === 1 ? true : undefined))
    refuseEvents = true
    sim.dropEventStreams()
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.images.every((i) => i.state === 'saved')).toBe(true)
    expect(imageFiles()).toHaveLength(3)
    expect(sim.stats().sseConnections).toBe(0)
    expect(sim.stats().enqueueRequests).toBe(1)
  })

  it('when the queue answers 404 for a finished job (older servers), reads its history record instead', async () => {
    const notFound = JSON.stringify({ error: { type: 'resource_not_found', title: 'Not found' }, status: 'error', status_message: 'resource_not_found' })
    const olderServer: FetchLike = (url, init) => {
      if (url.endsWith('/api/events')) return Promise.reject(new TypeError('fetch failed')) // results by polling only
      if (/\/api\/ai\/queue\/[^/?]+$/.test(url) && (init?.method ?? 'GET') === 'GET') {
        return Promise.resolve(new Response(notFound, { status: 404, headers: { 'content-type': 'application/json' } }))
      }
      return fetch(url, init)
    }
    const { engine, finished } = makeEngine({ fetch: olderServer })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'an older server', count: 2, params: {} })
    await new Promise((r) => setTimeout(r, 500)) // let the generations finish on the server first
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(imageFiles()).toHaveLength(2)
  })

  it('a wrong key fails the job with a plain message and saves nothing', async () => {
    const { engine, finished } = makeEngine({ key: 'test-key-wrong' })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'x', count: 2, params: {} })
    const job = await finished(jobId)
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/^Oxen did not accept your API key\. Check it in Settings/)
    expect(job.images.map((i) => i.state)).toEqual(['failed', 'failed'])
    expect(sim.stats().enqueueRequests).toBe(0)
    expect(imageFiles()).toEqual([])
  })

  it('a failed generation shows Oxen’s own message; the others are still saved', async () => {
    await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ generations: [{ fail: 'Insufficient credits', times: 1 }] }),
    })
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'two of them', count: 2, params: {} })
    const job = await finished(jobId)
    expect(job.status).toBe('partial')
    expect(job.images.filter((i) => i.state === 'failed').map((i) => i.error)).toEqual(['Oxen could not make this image: Insufficient credits'])
    expect(imageFiles()).toHaveLength(1)
  })

  it('resumes an unfinished job after a restart without enqueueing again', async () => {
    const first = makeEngine()
    const { jobId } = await first.engine.generate({ modelId: MODEL, prompt: 'survive a restart', count: 3, params: {} })
    await waitFor(() => (first.current(jobId).images.every((i) => i.state === 'queued') ? true : undefined))
    await world.restart() // the app stops while the generations are still queued
    const second = makeEngine()
    await second.engine.resume()
    const job = await second.finished(jobId)
    expect(job.status).toBe('completed')
    expect(imageFiles()).toHaveLength(3)
    expect(sim.stats().enqueueRequests).toBe(1)
    expect(job.images.every((i) => i.resumed && world.library.getImage(i.imageId!)?.jobId === jobId)).toBe(true)
  })
})
