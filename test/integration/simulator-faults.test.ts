// Every named fault of the Oxen simulator, each shown by what a real HTTP client observes on loopback,
// plus the CLI's --fault / --help and the README's fault table.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { faultTableMarkdown, NAMED_FAULTS } from '../../tools/oxen-simulator/fault-catalog'
import { MODERATION_MESSAGE, type Simulator } from '../../tools/oxen-simulator/index'
import { caller, simulatorsFor } from '../fixtures/simulator-http'

const KEY = 'test-key-simulator-faults'
const MODEL = 'bytedance-seedream-5-lite'

type Json = Record<string, unknown>

const { start } = simulatorsFor({ apiKeys: [KEY], queuedMs: 30, processingMs: 60 })
const call = caller(KEY)

async function enqueue(sim: Simulator, body: Json): Promise<string[]> {
  const res = await call(sim, '/api/ai/queue', { method: 'POST', body: { model: MODEL, ...body } })
  expect(res.status).toBe(200)
  return (res.body.generations as Json[]).map((g) => g.generation_id as string)
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await sleep(15)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function finished(sim: Simulator, id: string): Promise<Json> {
  return waitFor(async () => {
    const { body } = await call(sim, `/api/ai/queue/${id}`)
    return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined
  })
}

async function resultUrl(sim: Simulator, body: Json = { prompt: 'a fault test' }): Promise<{ id: string; url: string }> {
  const [id] = await enqueue(sim, body)
  const row = await finished(sim, id!)
  expect(row.status).toBe('succeeded')
  return { id: id!, url: row.result_url as string }
}

/** A GET through node:http that reports how many body bytes arrived and whether the body completed. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer; complete: boolean }>((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', () => {}) // 'aborted' when the server cuts the body short
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks), complete: res.complete }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/** An open GET /api/events: raw byte count plus parsed events and comments. */
async function openEvents(sim: Simulator) {
  const abort = new AbortController()
  const res = await fetch(`${sim.baseUrl}/api/events`, { headers: { Authorization: `Bearer ${KEY}` }, signal: abort.signal })
  const events: EventSourceMessage[] = []
  const comments: string[] = []
  let bytes = 0
  let ended = false
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) })
  const pump = (async () => {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        bytes += value.length
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
    bytes: () => bytes,
    ended: () => ended,
    close: async () => {
      abort.abort()
      await pump
    },
  }
  streams.push(stream)
  return stream
}
const streams: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()))
})

describe('request faults', () => {
  it('latency delays every /api request and adds up with a rate limit', async () => {
    const sim = await start()
    sim.setFaults({ named: ['latency=150'] })
    let t0 = Date.now()
    expect((await call(sim, '/api/users/me')).status).toBe(200)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    // Control routes are never faulted: under a 10-minute latency, /__sim answers while an /api request still waits.
    // (Shown by which one answers first, not by a wall-clock bound that a busy machine can exceed.)
    sim.setFaults({ named: ['latency=600000'] })
    const held = new AbortController()
    const api = fetch(`${sim.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${KEY}` }, signal: held.signal }).then(
      () => 'api',
      () => 'api aborted',
    )
    const control = fetch(`${sim.baseUrl}/__sim/stats`).then((res) => `control ${res.status}`)
    expect(await Promise.race([api, control])).toBe('control 200')
    held.abort()
    expect(await api).toBe('api aborted')

    sim.setFaults({ named: ['rate-limit=3;times=1', 'latency=100'] })
    t0 = Date.now()
    const limited = await call(sim, '/api/ai/models')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect(limited.body).toEqual({
      error: { type: 'rate_limited', title: 'rate limit exceeded' },
      status: 'error',
      status_message: 'rate_limited',
    })
    expect((await call(sim, '/api/ai/models')).status).toBe(200)
  })

  it('rate-limit without a value sends no Retry-After; times and path scope are counted per matching request', async () => {
    const sim = await start()
    const set = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ named: ['rate-limit;times=2;path=^/api/users/me$'] }),
    })
    expect(await set.json()).toEqual({ requests: [{ path: '^/api/users/me$', status: 429, times: 2 }] })
    expect((await call(sim, '/api/ai/models')).status).toBe(200) // out of scope, not consumed
    const first = await call(sim, '/api/users/me')
    expect(first.status).toBe(429)
    expect(first.headers.has('retry-after')).toBe(false)
    expect((await (await fetch(`${sim.baseUrl}/__sim/faults`)).json()) as Json).toEqual({
      requests: [{ path: '^/api/users/me$', status: 429, times: 1 }],
    })
    expect((await call(sim, '/api/users/me')).status).toBe(429)
    expect((await call(sim, '/api/users/me')).status).toBe(200)
    expect(await (await fetch(`${sim.baseUrl}/__sim/faults`)).json()).toEqual({})
  })

  it('server-error answers 500 with the JSON envelope and 502/503 with a proxy HTML page', async () => {
    const sim = await start()
    sim.setFaults({ named: ['server-error=500;times=1', 'server-error=502;times=1', 'server-error=503;times=1'] })
    const e500 = await call(sim, '/api/users/me')
    expect(e500.status).toBe(500)
    expect(e500.body).toMatchObject({ error: { type: 'unknown_error' }, status: 'error' })
    for (const status of [502, 503]) {
      const page = await call(sim, '/api/users/me')
      expect(page.status).toBe(status)
      expect(page.headers.get('content-type')).toBe('text/html')
      expect(page.text).toContain(`<title>${status} `)
    }
    expect((await call(sim, '/api/users/me')).status).toBe(200)
  })

  it('rejects unknown or malformed named faults with a sentence', async () => {
    const sim = await start()
    for (const [spec, message] of [
      ['nope', 'Unknown fault "nope"'],
      ['latency', 'needs a value'],
      ['server-error=418', 'must be 500, 502 or 503'],
      ['sse-stall=3', 'takes no value'],
      ['stuck;path=^/x', 'Unknown qualifier "path"'],
      ['latency=5;times=0', 'times must be a whole number of at least 1'],
    ]) {
      const res = await fetch(`${sim.baseUrl}/__sim/faults`, { method: 'POST', body: JSON.stringify({ named: [spec] }) })
      expect(res.status, spec).toBe(400)
      expect(((await res.json()) as { error: { title: string } }).error.title, spec).toContain(message)
      expect(() => sim.setFaults({ named: [spec!] }), spec).toThrow(message)
    }
  })
})

describe('connection resets', () => {
  it('reset-before-read drops POST /api/ai/queue unread: nothing is enqueued', async () => {
    const sim = await start()
    sim.setFaults({ named: ['reset-before-read;times=1'] })
    await expect(fetch(`${sim.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${KEY}` } })).resolves.toHaveProperty(
      'status',
      200,
    ) // default scope is POST /api/ai/queue only
    await expect(
      fetch(`${sim.baseUrl}/api/ai/queue`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: MODEL, prompt: 'never arrives', num_generations: 2 }),
      }),
    ).rejects.toThrow()
    const stats = sim.stats()
    expect(stats.enqueueRequests).toBe(0)
    expect(stats.generationsCreated).toBe(0)
    expect((await call(sim, '/api/ai/queue')).body).toMatchObject({ count: 0 })
    // Resending is safe: exactly one accepted enqueue.
    await enqueue(sim, { prompt: 'never arrives', num_generations: 2 })
    expect(sim.stats().acceptedEnqueues).toHaveLength(1)
  })

  it('reset-after-read accepts the enqueue, then drops the connection unanswered', async () => {
    const sim = await start({ queuedMs: 2000 })
    sim.setFaults({ named: ['reset-after-read;times=1'] })
    const body = { model: MODEL, prompt: 'billed but unanswered', num_generations: 3 }
    await expect(
      fetch(`${sim.baseUrl}/api/ai/queue`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ).rejects.toThrow()
    const stats = sim.stats()
    expect(stats.enqueueRequests).toBe(1)
    expect(stats.acceptedEnqueues).toEqual([
      { bodyHash: expect.stringMatching(/^[0-9a-f]{64}$/), body, generationIds: expect.any(Array), answered: false },
    ])
    const lost = stats.acceptedEnqueues[0]!.generationIds
    expect(lost).toHaveLength(3)
    // The queue listing shows the generations the client never heard about.
    const listed = await call(sim, '/api/ai/queue')
    expect((listed.body.generations as Json[]).map((g) => g.generation_id).sort()).toEqual([...lost].sort())
    expect((listed.body.generations as Json[]).every((g) => g.prompt === 'billed but unanswered')).toBe(true)

    // A blind resend is a duplicate: same body hash, new generations, both billed.
    await enqueue(sim, { prompt: 'billed but unanswered', num_generations: 3 })
    const [a, b] = sim.stats().acceptedEnqueues
    expect(b!.bodyHash).toBe(a!.bodyHash)
    expect(b!.answered).toBe(true)
    expect(sim.stats().generationsCreated).toBe(6)
  })

  it('resets can be scoped to another method and path', async () => {
    const sim = await start()
    sim.setFaults({ named: ['reset-before-read;method=GET;path=^/api/users/me$;times=1'] })
    await expect(fetch(`${sim.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${KEY}` } })).rejects.toThrow()
    expect((await call(sim, '/api/users/me')).status).toBe(200)
  })
})

describe('event stream faults', () => {
  it('sse-drop-after=2 ends each stream right after two events', async () => {
    const sim = await start({ keepAliveMs: 20 })
    sim.setFaults({ named: ['sse-drop-after=2'] })
    const stream = await openEvents(sim)
    await waitFor(() => (stream.comments.length >= 3 ? true : undefined)) // keep-alives do not count
    expect(stream.ended()).toBe(false)
    await enqueue(sim, { prompt: 'three events', num_generations: 3 })
    await waitFor(() => (stream.ended() ? true : undefined))
    expect(stream.events.map((e) => e.event)).toEqual(['media_generation_completed', 'media_generation_completed'])
    expect(sim.stats().sseConnections).toBe(0)
  })

  it('sse-stall sends nothing at all after the headers, not even keep-alives', async () => {
    const sim = await start({ keepAliveMs: 30 })
    sim.setFaults({ named: ['sse-stall;times=1'] })
    const stalled = await openEvents(sim)
    expect(stalled.res.status).toBe(200)
    expect(stalled.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const [id] = await enqueue(sim, { prompt: 'unheard' })
    await finished(sim, id!)
    await sleep(200)
    expect(stalled.bytes()).toBe(0)
    expect(stalled.ended()).toBe(false)
    expect(sim.stats().sseConnections).toBe(1)

    const healthy = await openEvents(sim) // times=1: the next stream is normal
    await waitFor(() => (healthy.comments.length > 0 ? true : undefined))
    expect(stalled.bytes()).toBe(0)
  })

  it('sse-silent keeps sending keep-alives but no events', async () => {
    const sim = await start({ keepAliveMs: 30 })
    sim.setFaults({ named: ['sse-silent'] })
    const stream = await openEvents(sim)
    const [id] = await enqueue(sim, { prompt: 'silent' })
    expect((await finished(sim, id!)).status).toBe('succeeded')
    // Keep-alives go on after the generation finished; its event never comes.
    const keepAlives = () => stream.comments.filter((c) => c.trim() === 'keep-alive').length
    const after = keepAlives()
    await waitFor(() => (keepAlives() >= after + 3 ? true : undefined))
    expect(stream.events).toEqual([])
    expect(stream.ended()).toBe(false)
  })
})

describe('download faults', () => {
  it('slow-download paces the body and still delivers it intact', async () => {
    const sim = await start()
    const { url } = await resultUrl(sim, { prompt: 'slow', output_format: 'jpeg' })
    const intact = Buffer.from(await (await fetch(url)).arrayBuffer())
    const rate = Math.ceil(intact.length / 0.4) // ≈ 0.4 s for the file
    sim.setFaults({ named: [`slow-download=${rate}`] })
    const t0 = Date.now()
    const slow = await rawGet(url)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300)
    expect(slow.complete).toBe(true)
    expect(slow.bytes.equals(intact)).toBe(true)
    expect(sim.stats()).toMatchObject({ downloads: 2, downloadAttempts: 2 })
  })

  it('truncated-download announces the full Content-Length and sends less', async () => {
    const sim = await start()
    sim.setFaults({ named: ['truncated-download;times=1'] })
    const { url } = await resultUrl(sim)
    const cut = await rawGet(url)
    expect(cut.status).toBe(200)
    expect(cut.complete).toBe(false)
    const announced = Number(cut.headers['content-length'])
    expect(cut.bytes.length).toBe(Math.floor(announced / 2))
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer()) // times=1: the next one is whole
    expect(whole.length).toBe(announced)
    expect(whole.subarray(0, cut.bytes.length).equals(cut.bytes)).toBe(true)
    expect(sim.stats()).toMatchObject({ downloadAttempts: 2, downloads: 1 })
  })

  it('corrupt-image serves undecodable bytes with the right Content-Type and Content-Length', async () => {
    const sim = await start()
    const { url } = await resultUrl(sim)
    const good = Buffer.from(await (await fetch(url)).arrayBuffer())
    sim.setFaults({ named: ['corrupt-image;times=1'] })
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const bad = Buffer.from(await res.arrayBuffer())
    expect(Number(res.headers.get('content-length'))).toBe(bad.length)
    expect(bad.length).toBe(good.length)
    expect(bad.subarray(0, 8).equals(good.subarray(0, 8))).toBe(true) // the PNG signature is still there
    await expect(sharp(bad).raw().toBuffer()).rejects.toThrow()
    expect(sim.stats()).toMatchObject({ downloadAttempts: 2, downloads: 1 })
  })

  it('expired-url refuses a URL for good; reading the generation again mints one that works', async () => {
    const sim = await start()
    sim.setFaults({ named: ['expired-url;times=1'] })
    const { id, url } = await resultUrl(sim)
    const refused = await fetch(url)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      error: { type: 'forbidden', title: 'The link has expired' },
      status: 'error',
      status_message: 'forbidden',
    })
    expect((await fetch(url)).status).toBe(403) // still dead, although the fault is used up
    const fresh = (await call(sim, `/api/ai/queue/${id}`)).body.result_url as string
    expect(fresh).not.toBe(url)
    expect((await fetch(fresh)).status).toBe(200)
    expect(sim.stats()).toMatchObject({ downloadAttempts: 3, downloads: 1 })
  })

  it('expired-url without times refuses every presigned URL; the keyed repo read still works', async () => {
    const sim = await start()
    sim.setFaults({ named: ['expired-url'] })
    const { id, url } = await resultUrl(sim)
    expect((await fetch(url)).status).toBe(403)
    const fresh = (await call(sim, `/api/ai/queue/${id}`)).body.result_url as string
    expect((await fetch(fresh)).status).toBe(403)
    const keyed = await fetch(fresh.split('?')[0]!, { headers: { Authorization: `Bearer ${KEY}` } })
    expect(keyed.status).toBe(200)
  })
})

describe('generation faults', () => {
  it('fail, moderation and stuck are consumed in order as generations finish', async () => {
    const sim = await start({ keepAliveMs: 0 })
    sim.setFaults({ named: ['fail=Insufficient credits;times=1', 'moderation;times=1', 'stuck;times=1'] })
    const stream = await openEvents(sim)
    await waitFor(() => (sim.stats().sseConnections === 1 ? true : undefined))
    const [credits, refused, stuck, fine] = await enqueue(sim, { prompt: 'four', num_generations: 4 })
    expect((await finished(sim, credits!)).error_message).toBe('Insufficient credits')
    expect((await finished(sim, refused!)).error_message).toBe(MODERATION_MESSAGE)
    expect((await finished(sim, fine!)).status).toBe('succeeded')
    await sleep(150)
    expect((await call(sim, `/api/ai/queue/${stuck}`)).body.status).toBe('processing')
    await call(sim, `/api/ai/queue/${stuck}`, { method: 'DELETE' })
    expect((await call(sim, `/api/ai/queue/${stuck}`)).body.status).toBe('cancelled')

    await waitFor(() => (stream.events.length >= 3 ? true : undefined))
    const byId = new Map(stream.events.map((e) => [JSON.parse(e.data).generation_id as string, JSON.parse(e.data) as Json]))
    expect(byId.get(credits!)).toMatchObject({ status: 'failed', error: 'Insufficient credits' })
    expect(byId.get(refused!)).toMatchObject({ status: 'failed', error: MODERATION_MESSAGE })
    expect(byId.has(stuck!)).toBe(false)
    const history = await call(sim, `/api/ai/generations/${credits}`)
    expect((history.body.generation as Json).cost).toBe('0.000')
  })

  it('the sync endpoint answers a failed generation with its message', async () => {
    const sim = await start()
    sim.setFaults({ named: ['moderation;times=1'] })
    const res = await call(sim, '/api/ai/images/generate', { method: 'POST', body: { model: MODEL, prompt: 'sync refusal' } })
    expect(res.status).toBe(400)
    expect((res.body.error as Json).title).toBe(MODERATION_MESSAGE)
  })
})

describe('cli faults', () => {
  const cli = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'tools/oxen-simulator/cli.ts', ...args], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  const output = (child: ReturnType<typeof cli>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
      child.on('exit', (code) => resolve({ code, stdout, stderr }))
    })

  it('--help names every fault with its description and value meaning', async () => {
    const { code, stdout } = await output(cli(['--help']))
    expect(code).toBe(0)
    expect(NAMED_FAULTS.length).toBeGreaterThanOrEqual(15)
    for (const fault of NAMED_FAULTS) {
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(fault.name))
      expect(line, fault.name).toContain(fault.summary)
      if (fault.value) expect(stdout).toContain(`${fault.value.placeholder}: ${fault.value.meaning}`)
    }
    for (const name of [
      'latency',
      'rate-limit',
      'server-error',
      'reset-before-read',
      'reset-after-read',
      'sse-drop-after',
      'sse-stall',
      'sse-silent',
      'slow-download',
      'truncated-download',
      'corrupt-image',
      'expired-url',
      'fail',
      'stuck',
    ])
      expect(NAMED_FAULTS.map((f) => f.name)).toContain(name)
  })

  it('refuses an unknown fault with exit code 2', async () => {
    const { code, stderr } = await output(cli(['--api-key', 'test-key-cli', '--fault', 'wobble']))
    expect(code).toBe(2)
    expect(stderr).toContain('Unknown fault "wobble"')
  })

  it('applies --fault rate-limit=3 --fault latency=50 for the whole run', async () => {
    const child = cli(['--port', '0', '--api-key', 'test-key-cli', '--fault', 'rate-limit=3', '--fault', 'latency=50'])
    const exited = output(child)
    try {
      let out = ''
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL line; stdout: ${out}`)), 20_000)
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)
          if (match) {
            clearTimeout(timer)
            resolve(match[1]!)
          }
        })
      })
      for (let i = 0; i < 2; i++) {
        const t0 = Date.now()
        const res = await fetch(`${url}/api/users/me`, { headers: { Authorization: 'Bearer test-key-cli' } })
        expect(Date.now() - t0).toBeGreaterThanOrEqual(45)
        expect(res.status).toBe(429)
        expect(res.headers.get('retry-after')).toBe('3')
      }
      expect(await (await fetch(`${url}/__sim/faults`)).json()).toEqual({
        requests: [{ status: 429, retryAfterSeconds: 3 }, { latencyMs: 50 }],
      })
    } finally {
      child.kill('SIGTERM')
    }
    expect((await exited).code).toBe(0)
  })

  it('the README fault table is the one generated from the catalog', () => {
    const readme = readFileSync('tools/oxen-simulator/README.md', 'utf8')
    expect(readme).toContain(faultTableMarkdown())
  })
})
