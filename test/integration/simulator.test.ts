// The Oxen simulator over real loopback HTTP: auth, catalog, queue lifecycle, results, SSE, errors, faults, CLI.
import { spawn } from 'node:child_process'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import sharp from 'sharp'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Simulator } from '../../tools/oxen-simulator/index'
import { outputSpec } from '../../tools/oxen-simulator/geometry'
import { caller, simulatorsFor } from '../fixtures/simulator-http'

const KEY = 'test-key-simulator'
const OTHER_KEY = 'test-key-simulator-other'
const MODEL = 'bytedance-seedream-5-lite'

type Json = Record<string, unknown>

const { start, closeAll } = simulatorsFor({ apiKeys: [KEY, OTHER_KEY], queuedMs: 50, processingMs: 100 })
const call = caller(KEY)

async function enqueue(sim: Simulator, body: Json): Promise<string[]> {
  const res = await call(sim, '/api/ai/queue', { method: 'POST', body: { model: MODEL, ...body } })
  expect(res.status).toBe(200)
  return (res.body.generations as Json[]).map((g) => g.generation_id as string)
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 15))
  }
}

async function finished(sim: Simulator, id: string, key = KEY): Promise<Json> {
  return waitFor(async () => {
    const { body } = await call(sim, `/api/ai/queue/${id}`, { key })
    return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined
  })
}

async function download(url: string): Promise<{ status: number; type: string | null; length: string | null; bytes: Buffer }> {
  const res = await fetch(url)
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    length: res.headers.get('content-length'),
    bytes: Buffer.from(await res.arrayBuffer()),
  }
}

const openStreams: Array<{ close: () => Promise<void> }> = []

/** An open /api/events stream whose events are parsed with eventsource-parser. */
async function openEvents(sim: Simulator, key = KEY) {
  const abort = new AbortController()
  const res = await fetch(`${sim.baseUrl}/api/events`, {
    headers: { Authorization: `Bearer ${key}` },
    signal: abort.signal,
  })
  const events: EventSourceMessage[] = []
  const comments: string[] = []
  let ended = false
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) })
  const pump = (async () => {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch {
      // aborted
    }
    ended = true
  })()
  const stream = {
    res,
    events,
    comments,
    ended: () => ended,
    close: async () => {
      abort.abort()
      await pump
    },
  }
  openStreams.push(stream)
  return stream
}

describe('auth', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('answers 401 with the documented body without a key or with a wrong key', async () => {
    for (const key of [null, 'test-key-wrong']) {
      for (const [method, path] of [
        ['POST', '/api/ai/queue'],
        ['GET', '/api/users/me'],
        ['GET', '/api/events'],
        ['GET', '/api/ai/queue/00000000-0000-0000-0000-000000000000'],
      ] as const) {
        const res = await call(sim, path, { method, key, body: method === 'POST' ? { model: MODEL, prompt: 'x' } : undefined })
        expect(res.status, `${method} ${path} key=${key}`).toBe(401)
        expect(res.body).toEqual({
          error: { type: 'unauthenticated', title: expect.any(String) },
          status: 'error',
          status_message: 'unauthenticated',
        })
      }
    }
    expect(sim.stats().enqueueRequests).toBe(0)
  })

  it('serves the catalog with or without a key, and /users/me with one', async () => {
    expect((await call(sim, '/api/ai/models', { key: null })).status).toBe(200)
    expect((await call(sim, `/api/ai/models/${MODEL}`, { key: null })).status).toBe(200)
    const me = await call(sim, '/api/users/me')
    expect(me.status).toBe(200)
    expect(me.body.user).toMatchObject({ username: 'atelier-user', credits: '12.50' })
    const other = await call(sim, '/api/users/me', { key: OTHER_KEY })
    expect((other.body.user as Json).username).toBe('atelier-user-2')
  })
})

describe('model catalog', () => {
  afterEach(closeAll)

  it('serves the seed schema under json_request_schema by default, matching the model page', async () => {
    const sim = await start()
    const { status, body } = await call(sim, `/api/ai/models/${MODEL}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      id: MODEL,
      object: 'model',
      owned_by: 'oxen',
      display_name: 'Seedream 5.0 Lite',
      model_type: 'base',
      endpoint: '/images/generate',
      capabilities: { input: ['text', 'image'], output: ['image'] },
      pricing: { method: 'per_image', cost_per_image: 0.035 },
      developer: { name: 'ByteDance' },
    })
    expect(typeof body.created).toBe('number')
    expect(typeof body.released_at).toBe('string')
    expect(body).not.toHaveProperty('request_schema')
    const schema = body.json_request_schema as Json
    expect(schema.required).toEqual(['prompt'])
    expect(schema.basic).toEqual(['prompt', 'image_input'])
    const props = schema.properties as Record<string, Json>
    expect(Object.keys(props)).toEqual(['prompt', 'image_input', 'size', 'aspect_ratio', 'output_format'])
    expect(props.prompt).toMatchObject({ type: 'string', 'x-order': 0 })
    expect(props.image_input).toMatchObject({
      type: 'array',
      items: { type: 'string', format: 'uri' },
      maxItems: 14,
      renderType: 'image-url',
    })
    expect(props.size).toMatchObject({ enum: ['2K', '3K'], default: '2K' })
    expect(props.aspect_ratio).toMatchObject({
      enum: ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'],
      default: 'match_input_image',
    })
    expect(props.output_format).toMatchObject({ enum: ['png', 'jpeg'], default: 'png' })

    const list = await call(sim, '/api/ai/models')
    expect(list.body.object).toBe('list')
    const ids = (list.body.data as Json[]).map((m) => m.id)
    expect(ids).toContain(MODEL)
    const search = await call(sim, '/api/ai/models/search?search=seedream')
    expect((search.body.data as Json[]).map((m) => m.id)).toEqual([MODEL, 'bytedance-seedream-5-pro'])
  })

  it('serves the current schema under request_schema when asked', async () => {
    const sim = await start({ schemaRevision: 'current', schemaKey: 'request_schema' })
    const { body } = await call(sim, `/api/ai/models/${MODEL}`)
    expect(body).not.toHaveProperty('json_request_schema')
    const schema = body.request_schema as Json
    const props = schema.properties as Record<string, Json>
    expect(Object.keys(props).sort()).toEqual(['input_image', 'output_format', 'prompt', 'size', 'watermark'])
    expect(props.input_image).toMatchObject({ type: 'array', maxItems: 14, renderType: 'image-url', items: { format: 'uri' } })
    expect(props.size).toMatchObject({ enum: ['2K', '3K', '4K'], default: '2K' })
    expect(props.watermark).toMatchObject({ type: 'boolean', default: false })
    expect(props).not.toHaveProperty('aspect_ratio')
  })

  it('serves the seed schema under request_schema and the current one under json_request_schema too', async () => {
    const seed = await start({ schemaKey: 'request_schema' })
    const seedBody = (await call(seed, `/api/ai/models/${MODEL}`)).body
    expect(Object.keys((seedBody.request_schema as Json).properties as Json)).toContain('aspect_ratio')
    const current = await start({ schemaRevision: 'current' })
    const currentBody = (await call(current, `/api/ai/models/${MODEL}`)).body
    expect(Object.keys((currentBody.json_request_schema as Json).properties as Json)).toContain('input_image')
  })

  it('answers 404 for an unknown model', async () => {
    const sim = await start()
    const res = await call(sim, '/api/ai/models/no-such-model')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({
      error: { type: 'resource_not_found', title: 'Model not found: no-such-model' },
      status: 'error',
      status_message: 'resource_not_found',
    })
  })
})

describe('queue', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('enqueues one generation per num_generations and records the request', async () => {
    const body = { model: MODEL, prompt: 'three owls', num_generations: 3, aspect_ratio: '1:1' }
    const res = await call(sim, '/api/ai/queue', { method: 'POST', body })
    expect(res.status).toBe(200)
    const generations = res.body.generations as Json[]
    expect(generations).toHaveLength(3)
    for (const g of generations) {
      expect(g.status).toBe('queued')
      expect(g.generation_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    }
    expect(new Set(generations.map((g) => g.generation_id)).size).toBe(3)
    const stats = sim.stats()
    expect(stats.enqueueRequests).toBe(1)
    expect(stats.enqueueBodies).toEqual([body])
    expect(stats.generationsCreated).toBe(3)
  })

  it('goes queued → processing → succeeded with the documented row', async () => {
    const slow = await start({ queuedMs: 200, processingMs: 300 })
    const [id] = await enqueue(slow, { prompt: 'a lighthouse', size: '2K', seed: 7 })
    const seen: string[] = []
    const row = await waitFor(async () => {
      const { body } = await call(slow, `/api/ai/queue/${id}`)
      if (seen.at(-1) !== body.status) seen.push(body.status as string)
      return body.status === 'succeeded' ? body : undefined
    })
    expect(seen).toEqual(['queued', 'processing', 'succeeded'])
    expect(row).toMatchObject({
      generation_id: id,
      model_name: MODEL,
      prompt: 'a lighthouse',
      media_type: 'image',
      status: 'succeeded',
      error_message: null,
      size: '2K',
      seed: 7,
    })
    expect(row.result_url).toMatch(new RegExp(`^${slow.baseUrl}/api/repos/atelier-user/[^/]+/file/main/generations/${id}\\.png\\?expires=\\d+&sig=`))
    for (const field of ['enqueued_at', 'started_at', 'completed_at']) {
      expect(Number.isInteger(row[field])).toBe(true)
      expect(Math.abs((row[field] as number) - Date.now() / 1000)).toBeLessThan(60)
    }
    expect(row).not.toHaveProperty('model')
    expect(row).not.toHaveProperty('num_generations')

    const history = await call(slow, `/api/ai/generations/${id}`)
    expect(history.body).toMatchObject({
      generation: {
        generation_id: id,
        status: 'succeeded',
        cost: '0.035',
        target_namespace: 'atelier-user',
        target_repo: expect.any(String),
        target_directory: 'generations',
        user_id: expect.any(String),
        username: 'atelier-user',
      },
      status: 'success',
      status_message: 'resource_found',
    })
  })

  it('lists active generations by default and filters by status', async () => {
    const [a, b] = await enqueue(sim, { prompt: 'listing', num_generations: 2 })
    const active = await call(sim, '/api/ai/queue')
    const activeIds = (active.body.generations as Json[]).map((g) => g.generation_id)
    expect(activeIds).toEqual(expect.arrayContaining([a, b]))
    expect(active.body.count).toBe(activeIds.length)
    await finished(sim, a!)
    await finished(sim, b!)
    const after = await call(sim, '/api/ai/queue')
    expect((after.body.generations as Json[]).map((g) => g.generation_id)).not.toContain(a)
    const done = await call(sim, '/api/ai/queue?status=succeeded')
    expect((done.body.generations as Json[]).map((g) => g.generation_id)).toEqual(expect.arrayContaining([a, b]))
  })

  it('cancels a queued job, leaves terminal jobs alone and 404s unknown ids', async () => {
    const [id] = await enqueue(sim, { prompt: 'cancel me' })
    const res = await call(sim, `/api/ai/queue/${id}`, { method: 'DELETE' })
    expect(res.body).toEqual({ status: 'success', generation_id: id })
    const row = await call(sim, `/api/ai/queue/${id}`)
    expect(row.body).toMatchObject({ status: 'cancelled', result_url: null })
    await new Promise((r) => setTimeout(r, 250))
    expect((await call(sim, `/api/ai/queue/${id}`)).body.status).toBe('cancelled')

    const [done] = await enqueue(sim, { prompt: 'finish me' })
    await finished(sim, done!)
    expect((await call(sim, `/api/ai/queue/${done}`, { method: 'DELETE' })).status).toBe(200)
    expect((await call(sim, `/api/ai/queue/${done}`)).body.status).toBe('succeeded')

    const unknown = await call(sim, '/api/ai/queue/00000000-0000-0000-0000-000000000000', { method: 'DELETE' })
    expect(unknown.status).toBe(404)
  })

  it('answers the documented 400s and 404s', async () => {
    const bad = async (body: Json) => call(sim, '/api/ai/queue', { method: 'POST', body })
    for (const prompt of ['', '   ', undefined]) {
      const res = await bad({ model: MODEL, prompt })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({
        error: { type: 'invalid_params', title: 'Prompt cannot be empty' },
        status: 'error',
        status_message: 'invalid_params',
      })
    }
    for (const n of [5, 0, 2.5, '2']) {
      const res = await bad({ model: MODEL, prompt: 'x', num_generations: n })
      expect(res.status).toBe(400)
      expect((res.body.error as Json).title).toBe('num_generations must be an integer between 1 and 4')
    }
    const unknownModel = await bad({ model: 'no-such-model', prompt: 'x' })
    expect(unknownModel.status).toBe(404)
    expect((unknownModel.body.error as Json).title).toBe('Model not found: no-such-model')

    const unknownId = await call(sim, '/api/ai/queue/00000000-0000-0000-0000-000000000000')
    expect(unknownId.status).toBe(404)
    expect(unknownId.body).toEqual({
      error: { type: 'resource_not_found', title: expect.any(String) },
      status: 'error',
      status_message: 'resource_not_found',
    })
    expect((await call(sim, '/api/ai/generations/00000000-0000-0000-0000-000000000000')).status).toBe(404)
  })

  it('fails a job at run time for a bad model field, like Oxen', async () => {
    const [id] = await enqueue(sim, { prompt: 'too big', size: '8K' })
    const row = await finished(sim, id!)
    expect(row.status).toBe('failed')
    expect(row.result_url).toBeNull()
    expect(row.error_message).toMatch(/size/)
  })

  it("hides other users' generations", async () => {
    const [id] = await enqueue(sim, { prompt: 'mine' })
    expect((await call(sim, `/api/ai/queue/${id}`, { key: OTHER_KEY })).status).toBe(404)
    expect((await call(sim, `/api/ai/queue/${id}`, { key: OTHER_KEY, method: 'DELETE' })).status).toBe(404)
    expect((await call(sim, `/api/ai/generations/${id}`, { key: OTHER_KEY })).status).toBe(404)
  })
})

describe('results', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('downloads a real PNG of the requested dimensions', async () => {
    const [id] = await enqueue(sim, { prompt: 'a wide valley', size: '2K', aspect_ratio: '16:9' })
    const row = await finished(sim, id!)
    const before = sim.stats().downloads
    const file = await download(row.result_url as string)
    expect(file.status).toBe(200)
    expect(file.type).toBe('image/png')
    expect(Number(file.length)).toBe(file.bytes.length)
    const meta = await sharp(file.bytes).metadata()
    expect(meta).toMatchObject({ format: 'png', width: 2048, height: 1152 })
    expect(sim.stats().downloads).toBe(before + 1)
  })

  it('downloads a JPEG when asked, sized by size and aspect ratio', async () => {
    const [id] = await enqueue(sim, { prompt: 'a tall tower', size: '3K', aspect_ratio: '3:4', output_format: 'jpeg' })
    const row = await finished(sim, id!)
    expect(row.result_url).toMatch(/\.jpeg\?/)
    const file = await download(row.result_url as string)
    expect(file.type).toBe('image/jpeg')
    expect(await sharp(file.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2304, height: 3072 })
  })

  it('sizes results by long side and ratio, short side rounded to a multiple of 8', async () => {
    const size = (fields: Json) => {
      const { width, height } = outputSpec(fields)
      return `${width}x${height}`
    }
    expect(size({})).toBe('2048x2048')
    expect(size({ size: '2K', aspect_ratio: 'match_input_image', image_input: ['https://x/y.png'] })).toBe('2048x2048')
    const wide = outputSpec({ size: '2K', aspect_ratio: 'match_input_image' }, { width: 1600, height: 900 })
    expect(`${wide.width}x${wide.height}`).toBe('2048x1152') // the first reference's ratio
    expect(size({ size: '2K', aspect_ratio: '3:2' })).toBe('2048x1368')
    expect(size({ size: '2K', aspect_ratio: '21:9' })).toBe('2048x880')
    expect(size({ size: '3K', aspect_ratio: '9:16' })).toBe('1728x3072')
    expect(size({ size: '4K', aspect_ratio: '4:3' })).toBe('4096x3072')
    const [id] = await enqueue(sim, { prompt: 'panorama', aspect_ratio: '21:9' })
    const file = await download((await finished(sim, id!)).result_url as string)
    expect(await sharp(file.bytes).metadata()).toMatchObject({ width: 2048, height: 880 })
  })

  it('gives identical bytes for the same prompt and different ones within a batch', async () => {
    const first = await enqueue(sim, { prompt: 'same prompt', num_generations: 2 })
    const [again] = await enqueue(sim, { prompt: 'same prompt' })
    const urls = await Promise.all([...first, again!].map(async (id) => (await finished(sim, id)).result_url as string))
    const [a, b, c] = await Promise.all(urls.map(async (u) => (await download(u)).bytes))
    expect(a!.equals(c!)).toBe(true)
    expect(a!.equals(b!)).toBe(false)
    expect((await download(urls[0]!)).bytes.equals(a!)).toBe(true)
  })

  it('refuses a tampered or expired result URL', async () => {
    const shortLived = await start({ resultTtlMs: 60_000 })
    const [id] = await enqueue(shortLived, { prompt: 'fleeting' })
    const url = (await finished(shortLived, id!)).result_url as string
    expect((await download(url.replace(/sig=./, 'sig=x'))).status).toBe(403)
    expect((await download(url)).status).toBe(200)
    // The simulator's clock moves past the URL's lifetime and stays there: a fresh URL minted "then" must still
    // work however long the machine takes to fetch it (a 100 ms real lifetime raced the fetch under load).
    const later = Date.now() + 61_000
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later)
    try {
      expect((await download(url)).status).toBe(403)
      const fresh = (await call(shortLived, `/api/ai/queue/${id}`)).body.result_url as string
      expect(fresh).not.toBe(url)
      expect((await download(fresh)).status).toBe(200)
    } finally {
      clock.mockRestore()
    }
  })

  it('answers the sync endpoint with a URL or base64', async () => {
    const byUrl = await call(sim, '/api/ai/images/generate', { method: 'POST', body: { model: MODEL, prompt: 'sync' } })
    expect(byUrl.status).toBe(200)
    expect(byUrl.body).toMatchObject({ model: MODEL, created: expect.any(Number) })
    const [image] = byUrl.body.images as Json[]
    expect((await download(image!.url as string)).status).toBe(200)

    const inline = await call(sim, '/api/ai/images/generate', {
      method: 'POST',
      body: { model: MODEL, prompt: 'sync', response_format: 'b64_json', output_format: 'jpeg' },
    })
    const [b64] = inline.body.images as Json[]
    const bytes = Buffer.from(b64!.b64_json as string, 'base64')
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2048, height: 2048 })
  })
})

describe('events', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start({ keepAliveMs: 100 })
  })
  afterEach(async () => {
    await Promise.all(openStreams.splice(0).map((s) => s.close()))
    await waitFor(async () => (sim.stats().sseConnections === 0 ? true : undefined))
  })

  it('sends one media_generation_completed per finished generation, and nothing for cancelled ones', async () => {
    const stream = await openEvents(sim)
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const other = await openEvents(sim, OTHER_KEY)
    await waitFor(async () => (sim.stats().sseConnections === 2 ? true : undefined))

    const ok = await enqueue(sim, { prompt: 'streamed', num_generations: 2 })
    const [bad] = await enqueue(sim, { prompt: 'streamed', aspect_ratio: '5:4' })
    const [cancelled] = await enqueue(sim, { prompt: 'never' })
    await call(sim, `/api/ai/queue/${cancelled}`, { method: 'DELETE' })

    await waitFor(async () => (stream.events.length >= 3 ? true : undefined))
    await new Promise((r) => setTimeout(r, 300))
    expect(stream.events).toHaveLength(3)
    expect(stream.events.every((e) => e.event === 'media_generation_completed')).toBe(true)
    const byId = new Map(stream.events.map((e) => [JSON.parse(e.data).generation_id as string, JSON.parse(e.data) as Json]))
    for (const id of ok) {
      expect(byId.get(id)).toEqual({
        generation_id: id,
        status: 'succeeded',
        media_type: 'image',
        model: MODEL,
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/repos\//),
      })
      expect((await download(byId.get(id)!.url as string)).status).toBe(200)
    }
    expect(byId.get(bad!)).toEqual({
      generation_id: bad,
      status: 'failed',
      media_type: 'image',
      error: expect.stringMatching(/aspect_ratio/),
    })
    expect(byId.has(cancelled!)).toBe(false)
    expect(stream.comments.some((c) => c.trim() === 'keep-alive')).toBe(true)
    expect(other.events).toHaveLength(0)

    await stream.close()
    await other.close()
    await waitFor(async () => (sim.stats().sseConnections === 0 ? true : undefined))
  })

  it('does not replay events that happened before connecting', async () => {
    const [id] = await enqueue(sim, { prompt: 'before' })
    await finished(sim, id!)
    const stream = await openEvents(sim)
    await new Promise((r) => setTimeout(r, 200))
    expect(stream.events).toHaveLength(0)
    await stream.close()
  })

  it('drops every stream on demand, in process and over /__sim', async () => {
    const a = await openEvents(sim)
    await waitFor(async () => (sim.stats().sseConnections === 1 ? true : undefined))
    sim.dropEventStreams()
    await waitFor(async () => (a.ended() ? true : undefined))
    expect(sim.stats().sseConnections).toBe(0)

    const b = await openEvents(sim)
    await waitFor(async () => (sim.stats().sseConnections === 1 ? true : undefined))
    const drop = await fetch(`${sim.baseUrl}/__sim/drop-streams`, { method: 'POST' })
    expect(drop.status).toBe(200)
    await waitFor(async () => (b.ended() ? true : undefined))
    const stats = (await (await fetch(`${sim.baseUrl}/__sim/stats`)).json()) as Json
    expect(stats).toMatchObject({ sseConnections: 0, enqueueRequests: expect.any(Number), downloads: expect.any(Number) })
    await a.close()
    await b.close()
  })
})

describe('faults', () => {
  it('answers 429 with Retry-After a set number of times, then recovers', async () => {
    const sim = await start()
    const set = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests: [{ method: 'GET', path: '^/api/users/me$', status: 429, retryAfterSeconds: 2, times: 1 }] }),
    })
    expect(set.status).toBe(200)
    const limited = await call(sim, '/api/users/me')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect((await call(sim, '/api/users/me')).status).toBe(200)

    sim.setFaults({ generations: [{ fail: 'Insufficient credits', times: 1 }] })
    const [failed, fine] = await enqueue(sim, { prompt: 'credits', num_generations: 2 })
    expect((await finished(sim, failed!)).error_message).toBe('Insufficient credits')
    expect((await finished(sim, fine!)).status).toBe('succeeded')

    sim.setFaults({ requests: [{ path: '^/api/ai/models$', reset: true, times: 1 }], generations: [{ stuck: true }] })
    await expect(fetch(`${sim.baseUrl}/api/ai/models`)).rejects.toThrow()
    expect((await call(sim, '/api/ai/models')).status).toBe(200)
    const [stuck] = await enqueue(sim, { prompt: 'stuck' })
    await new Promise((r) => setTimeout(r, 300))
    expect((await call(sim, `/api/ai/queue/${stuck}`)).body.status).toBe('processing')
    await call(sim, `/api/ai/queue/${stuck}`, { method: 'DELETE' })
    expect((await call(sim, `/api/ai/queue/${stuck}`)).body.status).toBe('cancelled')

    const rejected = await fetch(`${sim.baseUrl}/__sim/faults`, { method: 'POST', body: JSON.stringify({ requests: [{ status: 99 }] }) })
    expect(rejected.status).toBe(400)
  })
})

describe('cli', () => {
  it('prints its URL, serves, and exits cleanly on SIGTERM', async () => {
    // detached: npx → tsx → node; signal the whole group so nothing outlives the test.
    const child = spawn('npx', ['tsx', 'tools/oxen-simulator/cli.ts', '--port', '0', '--api-key', 'test-key-cli'], {
      cwd: process.cwd(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    let url = ''
    try {
      let out = ''
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL line; stdout: ${out}`)), 20_000)
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const match = /^Oxen simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out)
          if (match) {
            clearTimeout(timer)
            resolve(match[1]!)
          }
        })
      })
      const models = await fetch(`${url}/api/ai/models/${MODEL}`)
      expect(models.status).toBe(200)
      const me = await fetch(`${url}/api/users/me`, { headers: { Authorization: 'Bearer test-key-cli' } })
      expect(me.status).toBe(200)
      expect((await fetch(`${url}/api/users/me`)).status).toBe(401)
      expect(out.trim().split('\n')).toHaveLength(1)
    } finally {
      process.kill(-child.pid!, 'SIGTERM')
    }
    await exited
    // The simulator itself (tsx's node child) is gone too: nothing listens any more.
    await waitFor(async () => (await fetch(`${url}/__sim/stats`).then(() => undefined, () => true)))
  })
})
