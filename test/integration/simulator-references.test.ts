// The Oxen simulator's repositories (create, multipart upload, read back) and reference images (loopback URLs,
// data URIs, the 403 message, the output ratio following the first reference), over real loopback HTTP.
import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../tools/oxen-simulator/index'
import { multipartBoundary, parseMultipart } from '../../tools/oxen-simulator/multipart'
import { caller, simulatorsFor } from '../fixtures/simulator-http'

const KEY = 'test-key-simulator-refs'
const OTHER_KEY = 'test-key-simulator-refs-other'
const NS = 'atelier-user'
const MODEL = 'bytedance-seedream-5-lite'

type Json = Record<string, unknown>

const { start } = simulatorsFor({ apiKeys: [KEY, OTHER_KEY], queuedMs: 30, processingMs: 60 })
const call = caller(KEY)

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 15))
  }
}

/** Enqueues one generation and waits for its terminal row. */
async function generate(sim: Simulator, fields: Json): Promise<Json> {
  const res = await call(sim, '/api/ai/queue', { method: 'POST', body: { model: MODEL, prompt: 'with references', ...fields } })
  expect(res.status).toBe(200)
  const id = (res.body.generations as Json[])[0]!.generation_id as string
  return waitFor(async () => {
    const { body } = await call(sim, `/api/ai/queue/${id}`)
    return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined
  })
}

async function resultSize(row: Json): Promise<string> {
  expect(row.status, String(row.error_message)).toBe('succeeded')
  const bytes = Buffer.from(await (await fetch(row.result_url as string)).arrayBuffer())
  const { width, height } = await sharp(bytes).metadata()
  return `${width}x${height}`
}

async function createRepo(sim: Simulator, name: string, key: string | null = KEY, namespace = NS) {
  return call(sim, '/api/repos', {
    method: 'POST',
    key,
    body: { namespace, name, user: { name: 'Ada', email: 'ada@example.com' }, description: 'references' },
  })
}

async function upload(
  sim: Simulator,
  path: string,
  bytes: Buffer,
  options: { field?: string; filename?: string; key?: string; fields?: Record<string, string> } = {},
) {
  const form = new FormData()
  form.append(options.field ?? 'file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), options.filename ?? 'upload.bin')
  for (const [name, value] of Object.entries(options.fields ?? { name: 'Ada', email: 'ada@example.com', message: 'Add a reference' }))
    form.append(name, value)
  const res = await fetch(`${sim.baseUrl}/api/repos/${path}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${options.key ?? KEY}` },
    body: form,
  })
  return { status: res.status, body: (await res.json()) as Json }
}

const image = (width: number, height: number, format: 'png' | 'jpeg' = 'png') =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .toFormat(format)
    .toBuffer()
const dataUri = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`

describe('multipart parser', () => {
  it('takes quoted boundaries, preambles, filename* and binary data, and refuses a cut-off body', () => {
    const boundary = 'a b:c'
    expect(multipartBoundary(`multipart/form-data; boundary="${boundary}"`)).toBe(boundary)
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary=xyz')).toBe('xyz')
    expect(multipartBoundary('application/json')).toBeNull()
    const binary = Buffer.from([0, 13, 10, 45, 45, 97, 32, 98, 255])
    const body = Buffer.concat([
      Buffer.from(`preamble\r\n--${boundary}\r\n`),
      Buffer.from(`Content-Disposition: form-data; name="file"; filename*=UTF-8''caf%C3%A9.png\r\nContent-Type: image/png\r\n\r\n`),
      binary,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\nhello\r\n--${boundary}--\r\n`),
    ])
    const parts = parseMultipart(body, boundary)
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['file', 'café.png', 'image/png'],
      ['message', null, null],
    ])
    expect(parts[0]!.data.equals(binary)).toBe(true)
    expect(parts[1]!.data.toString()).toBe('hello')
    expect(() => parseMultipart(body.subarray(0, body.length - 13), boundary)).toThrow(/closing boundary/)
    expect(() => parseMultipart(Buffer.from('no boundary here'), boundary)).toThrow()
  })
})

describe('repositories', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('creates a repo once: 409 the second time, 403 in another namespace, 400 for a bad name, 401 without a key', async () => {
    const created = await createRepo(sim, 'studio-refs')
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({
      status: 'success',
      status_message: 'resource_created',
      repository: { namespace: NS, name: 'studio-refs', latest_commit: null },
    })
    const again = await createRepo(sim, 'studio-refs')
    expect(again.status).toBe(409)
    expect(again.body).toEqual({ error: { type: 'conflict', title: 'Repo already exists.' }, status: 'error', status_message: 'conflict' })
    expect((await createRepo(sim, 'ai-outputs')).status).toBe(409) // results live there already
    expect((await createRepo(sim, 'mine', KEY, 'someone-else')).status).toBe(403)
    const bad = await createRepo(sim, 'no spaces')
    expect(bad.status).toBe(400)
    expect((bad.body.error as Json).title).toMatch(/^Invalid repository or namespace name 'no spaces'/)
    expect((await createRepo(sim, 'anonymous', null)).status).toBe(401)
    expect(sim.stats().reposCreated).toBe(1)
  })

  it('uploads a file with a multipart PUT, commits it and reads back identical bytes without a key', async () => {
    await createRepo(sim, 'uploads')
    // Binary-safe: random bytes plus CRLF and dash sequences that look like a boundary.
    const bytes = Buffer.concat([randomBytes(40_000), Buffer.from('\r\n--\r\n------formdata-undici-0\r\n'), randomBytes(5_000)])
    const put = await upload(sim, `${NS}/uploads/file/main/raw/blob.bin`, bytes)
    expect(put.status).toBe(200)
    expect(put.body).toEqual({
      status: 'success',
      status_message: 'resource_created',
      commit: {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        parent_ids: [],
        message: 'Add a reference',
        author: 'Ada',
        email: 'ada@example.com',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    })
    const read = await fetch(`${sim.baseUrl}/api/repos/${NS}/uploads/file/main/raw/blob.bin`)
    expect(read.status).toBe(200)
    expect(Buffer.from(await read.arrayBuffer()).equals(bytes)).toBe(true)

    const png = await image(1600, 900)
    const second = await upload(sim, `${NS}/uploads/file/main/images/wide.png`, png, { fields: {} })
    expect((second.body.commit as Json).parent_ids).toEqual([(put.body.commit as Json).id])
    expect((second.body.commit as Json).message).toBe('Auto-commit files to images/wide.png')
    const head = await fetch(`${sim.baseUrl}/api/repos/${NS}/uploads/file/main/images/wide.png`, { method: 'HEAD' })
    expect(head.headers.get('content-type')).toBe('image/png')
    expect(Number(head.headers.get('content-length'))).toBe(png.length)
    const thumb = await fetch(`${sim.baseUrl}/api/repos/${NS}/uploads/file/main/images/wide.png?width=320`)
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ width: 320, height: 180 })
    expect((await fetch(`${sim.baseUrl}/api/repos/${NS}/uploads/file/main/images/nope.png`)).status).toBe(404)
  })

  it('puts files[] parts into a directory', async () => {
    await createRepo(sim, 'batch')
    const form = new FormData()
    form.append('files[]', new Blob([new Uint8Array(await image(64, 64))]), 'a.png')
    form.append('files[]', new Blob([new Uint8Array(await image(32, 48, 'jpeg'))]), 'b.jpg')
    const res = await fetch(`${sim.baseUrl}/api/repos/${NS}/batch/file/main/refs`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${KEY}` },
      body: form,
    })
    expect(res.status).toBe(200)
    const b = await fetch(`${sim.baseUrl}/api/repos/${NS}/batch/file/main/refs/b.jpg`)
    expect(b.headers.get('content-type')).toBe('image/jpeg')
    expect(await sharp(Buffer.from(await b.arrayBuffer())).metadata()).toMatchObject({ width: 32, height: 48 })
  })

  it('refuses an upload over 30 MB with 413 and the error envelope', async () => {
    await createRepo(sim, 'big')
    const res = await upload(sim, `${NS}/big/file/main/huge.bin`, Buffer.alloc(31 * 1024 * 1024))
    expect(res.status).toBe(413)
    expect(res.body).toEqual({
      error: { type: 'payload_too_large', title: 'The upload is larger than 30 MB' },
      status: 'error',
      status_message: 'payload_too_large',
    })
    expect((await fetch(`${sim.baseUrl}/api/repos/${NS}/big/file/main/huge.bin`)).status).toBe(404)
  })

  it('refuses uploads that are not multipart, carry no file, or go to a repo the caller does not own', async () => {
    await createRepo(sim, 'guarded')
    const raw = await fetch(`${sim.baseUrl}/api/repos/${NS}/guarded/file/main/x.png`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'image/png' },
      body: new Uint8Array(await image(8, 8)),
    })
    expect(raw.status).toBe(400)
    const noFile = await upload(sim, `${NS}/guarded/file/main/x.png`, Buffer.from('x'), { field: 'attachment' })
    expect(noFile.status).toBe(400)
    expect((noFile.body.error as Json).title).toMatch(/No file in the upload/)
    expect((await upload(sim, `${NS}/guarded/file/main/x.png`, Buffer.from('x'), { key: OTHER_KEY })).status).toBe(404)
    expect((await upload(sim, `${NS}/missing/file/main/x.png`, Buffer.from('x'))).status).toBe(404)
    expect((await upload(sim, `${NS}/guarded/file/main/a%2F..%2Fx.png`, Buffer.from('x'))).status).toBe(400)
  })
})

describe('reference images', () => {
  let sim: Simulator
  let wideUrl: string // a 16:9 PNG uploaded to the simulator
  let tall: string // a 9:16 JPEG as a data URI
  beforeAll(async () => {
    sim = await start()
    await createRepo(sim, 'refs')
    expect((await upload(sim, `${NS}/refs/file/main/wide.png`, await image(1600, 900))).status).toBe(200)
    wideUrl = `${sim.baseUrl}/api/repos/${NS}/refs/file/main/wide.png`
    tall = dataUri(await image(360, 640, 'jpeg'), 'image/jpeg')
  })

  it('fetches a loopback URL and decodes a data URI; match_input_image (the default) follows the FIRST reference', async () => {
    const before = sim.stats().referencesFetched
    expect(await resultSize(await generate(sim, { image_input: [wideUrl, tall] }))).toBe('2048x1152')
    expect(await resultSize(await generate(sim, { image_input: [tall, wideUrl], aspect_ratio: 'match_input_image' }))).toBe(
      '1152x2048',
    )
    expect(sim.stats().referencesFetched).toEqual({ url: before.url + 2, dataUri: before.dataUri + 2 })
    expect(await resultSize(await generate(sim, {}))).toBe('2048x2048') // no reference: square
  })

  it('an explicit aspect_ratio wins over the reference', async () => {
    expect(await resultSize(await generate(sim, { image_input: [wideUrl], aspect_ratio: '1:1' }))).toBe('2048x2048')
  })

  it('fails a generation with the documented 403 message for a reference it cannot read', async () => {
    const failures = sim.stats().referenceFailures
    const fetched = sim.stats().referencesFetched.url
    const offsite = await generate(sim, { image_input: ['https://example.com/cat.png'] })
    expect(offsite.status).toBe('failed')
    expect(offsite.error_message).toBe('Failed to load input image: 403 Client Error: Forbidden for url: https://example.com/cat.png')
    expect(sim.stats().referencesFetched.url).toBe(fetched) // never fetched: nothing leaves loopback

    const closedPort = await generate(sim, { image_input: ['http://127.0.0.1:1/ref.png'] })
    expect(closedPort.error_message).toBe('Failed to load input image: 403 Client Error: Forbidden for url: http://127.0.0.1:1/ref.png')

    const junk = dataUri(Buffer.from('this is not an image, just some text'))
    const undecodable = await generate(sim, { image_input: [wideUrl, junk] })
    expect(undecodable.error_message).toMatch(/^Failed to load input image: 403 Client Error: Forbidden for url: data:image\/png;base64,/)

    const truncated = await image(1600, 900)
    const cut = await generate(sim, { image_input: [dataUri(truncated.subarray(0, truncated.length >> 1))] })
    expect(cut.error_message).toMatch(/403 Client Error: Forbidden for url: data:image\/png;base64,/)

    const missing = `${sim.baseUrl}/api/repos/${NS}/refs/file/main/missing.png`
    const notFound = await generate(sim, { image_input: [missing] })
    expect(notFound.error_message).toBe(`Failed to load input image: 404 Client Error: Not Found for url: ${missing}`)
    expect(sim.stats().referenceFailures).toBe(failures + 5)
  })

  it('takes an earlier result URL as a reference, unaffected by download faults and not counted as a download', async () => {
    const wide = await generate(sim, { aspect_ratio: '16:9' })
    sim.setFaults({ named: ['corrupt-image'] })
    const { downloadAttempts } = sim.stats()
    const row = await generate(sim, { image_input: [wide.result_url] })
    expect(sim.stats().downloadAttempts).toBe(downloadAttempts)
    expect(row.status).toBe('succeeded')
    sim.setFaults({})
    expect(await resultSize(row)).toBe('2048x1152')
  })

  it('the current revision reads input_image: the ratio follows its first reference, square without one', async () => {
    const current = await start({ schemaRevision: 'current' })
    expect(await resultSize(await generate(current, { input_image: [tall] }))).toBe('1152x2048')
    expect(await resultSize(await generate(current, { input_image: [wideUrl], size: '3K' }))).toBe('3072x1728')
    // There is no aspect_ratio field in this revision: an unknown field is echoed and ignored.
    const square = await generate(current, { aspect_ratio: '16:9' })
    expect(square.aspect_ratio).toBe('16:9')
    expect(await resultSize(square)).toBe('2048x2048')
    // image_input is not this revision's reference field: it is not fetched.
    const before = current.stats().referencesFetched
    await generate(current, { image_input: [tall] })
    expect(current.stats().referencesFetched).toEqual(before)
  })
})
