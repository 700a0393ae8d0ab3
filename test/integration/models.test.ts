// Every Oxen image model through the real catalogue, forms, engine, journal and library against the simulator
// over loopback: one job on each kind of model, a job resumed after its model left the catalogue, and the saved
// catalogue serving an offline start.
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job, ModelForm } from '../../shared/domain'
import { AppFailure } from '../../electron/services/errors'
import { createCatalogue, type Catalogue } from '../../electron/services/oxen/catalogue'
import { OxenClient, type FetchLike } from '../../electron/services/oxen/client'
import { creditBalance } from '../../electron/services/oxen/repos'
import { readRecipe } from '../../electron/services/library/image-metadata'
import { IMAGE_WITH_JOB_COLUMNS, toLibraryImage, type ImageWithJobRow } from '../../electron/services/library/library'
import { rebuildLibrary } from '../../electron/services/library/rebuild'
import { startSimulator, type Simulator } from '../../tools/oxen-simulator/index'
import { closedPort, JobsWorld, testLog } from '../fixtures/jobs-world'

const KEY = 'test-key-every-model'

let sim: Simulator
let world: JobsWorld
let catalogue: Catalogue

const client = (fetchImpl?: FetchLike) =>
  new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, retry: { attempts: 2, baseMs: 20, capMs: 100 }, ...(fetchImpl ? { fetch: fetchImpl } : {}) })
const catalogueFile = () => join(world.dir, 'catalogue.json')

beforeEach(async () => {
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 20, processingMs: 80 })
  world = new JobsWorld()
  const c = client()
  catalogue = createCatalogue({ client: () => c, file: catalogueFile(), log: testLog })
})
afterEach(async () => {
  await world.close()
  await sim.close()
})

/** A small PNG as a data URI, standing in for a stored reference image (hash → URL). */
async function pngDataUri(width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: '#3080c0' } }).png().toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}

function makeEngine(references: Record<string, string> = {}, opts: { modelForm?: (id: string) => Promise<ModelForm>; fetch?: FetchLike } = {}) {
  const c = client(opts.fetch)
  const modelForm = opts.modelForm ?? ((id: string) => catalogue.form(id))
  return world.engine({
    client: () => c,
    modelForm,
    resolveReferences: async (hashes) => ({ urls: hashes.map((h) => references[h]!), supply: 'data-uri' }),
    referenceDataUris: async (hashes) => hashes.map((h) => references[h]!),
    maxConcurrentDownloads: () => 4,
    maxConcurrentJobs: () => 2,
    onJobUpdate: () => undefined,
    onLibraryChanged: () => undefined,
    pollIntervalMs: 100,
    safetyPollMs: 1000,
    retryBaseMs: 40,
  })
}

const hash = (n: number) => String(n).repeat(64)

async function savedSizes(job: Job): Promise<[number, number][]> {
  return Promise.all(
    job.images.map(async (i) => {
      const meta = await sharp(world.library.resolveFile(i.imageId!, 'full')!).metadata()
      return [meta.width!, meta.height!] as [number, number]
    }),
  )
}

describe('the catalogue', () => {
  it('lists image models only, by what they do, with prices; forms come from the saved list', async () => {
    const list = await catalogue.refresh()
    expect(list.error).toBeUndefined()
    expect(list.fetchedAt).toEqual(expect.any(Number))
    const byId = new Map(list.models.map((m) => [m.id, m]))
    expect(byId.size).toBe(14) // the 13 schemas and one custom fine-tune; chat and video models are left out
    expect(byId.get('topazlabs-image-upscale')).toMatchObject({ kind: 'upscale', takes: { prompt: false, images: true } })
    expect(byId.get('flux-kontext-dev')).toMatchObject({ kind: 'edit', takes: { prompt: true, images: true } })
    expect(byId.get('z-image-turbo')).toMatchObject({ kind: 'generate', takes: { prompt: true, images: false } })
    expect(byId.get('gpt-image-2')!.takes.mask).toBe(true)
    expect(byId.get('gpt-image-2')!.price!.tiers!.length).toBeGreaterThan(1)
    expect(byId.get('bytedance-seedream-5-lite')!.price).toEqual({ perImage: 0.035 })
    expect([...byId.values()].filter((m) => m.custom).map((m) => m.custom!.deployment)).toEqual(['running'])
  })

  it('serves an offline start from the saved copy, with its age and why it could not refresh', async () => {
    await catalogue.refresh()
    const closed = `http://127.0.0.1:${await closedPort()}`
    // The same server (the saved list is per server), now unreachable: a client whose requests go nowhere.
    const away = new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, retry: { attempts: 1, baseMs: 10, capMs: 10 }, fetch: (url, init) => fetch(url.replace(sim.baseUrl, closed), init) })
    const offline = createCatalogue({ client: () => away, file: catalogueFile(), log: testLog })
    const listed = await offline.list()
    expect(listed.models).toHaveLength(14)
    const refreshed = await offline.refresh()
    expect(refreshed.models).toHaveLength(14)
    expect(refreshed.fetchedAt).toBe(listed.fetchedAt)
    expect(refreshed.error).toMatch(/^The list of models could not be refreshed: Atelier can’t reach Oxen/)
    const form = await offline.form('flux-kontext-dev')
    expect(form.fields.find((f) => f.kind === 'images')).toMatchObject({ required: true, list: false })
  })
})

describe('one job on each kind of model', () => {
  beforeEach(async () => {
    await catalogue.refresh()
  })

  it('text to image (Z-Image Turbo): the size its own parameters ask for', async () => {
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: 'z-image-turbo', prompt: 'a lighthouse', count: 2, params: {} })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.images.every((i) => world.library.getImage(i.imageId!)?.modelId === 'z-image-turbo')).toBe(true)
  })

  it('multi-reference edit (Qwen Image Edit Plus): two input images', async () => {
    const refs = { [hash(1)]: await pngDataUri(64, 32), [hash(2)]: await pngDataUri(32, 32) }
    const { engine, finished } = makeEngine(refs)
    const form = await catalogue.form('qwen-image-edit-plus')
    const field = form.fields.find((f) => f.kind === 'images')!
    const { jobId } = await engine.generate({ modelId: 'qwen-image-edit-plus', prompt: 'make it dusk', count: 1, params: {}, images: { [field.name]: [hash(1), hash(2)] } })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.references).toEqual([hash(1), hash(2)])
    expect(sim.stats().enqueueBodies[0]![field.name]).toEqual([refs[hash(1)], refs[hash(2)]])
  })

  it('single required image (FLUX.1 Kontext): refused before sending without it, made with it', async () => {
    const refs = { [hash(3)]: await pngDataUri(96, 48) }
    const { engine, finished } = makeEngine(refs)
    await expect(engine.generate({ modelId: 'flux-kontext-dev', prompt: 'add a moon', count: 1, params: {} })).rejects.toThrow(/image/i)
    expect(sim.stats().enqueueRequests).toBe(0)
    const form = await catalogue.form('flux-kontext-dev')
    const field = form.fields.find((f) => f.kind === 'images')!
    const { jobId } = await engine.generate({ modelId: 'flux-kontext-dev', prompt: 'add a moon', count: 1, params: {}, images: { [field.name]: [hash(3)] } })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(sim.stats().enqueueBodies[0]![field.name]).toBe(refs[hash(3)]) // one URI, not a list
    const [w, h] = (await savedSizes(job))[0]!
    expect(w! / h!).toBeCloseTo(2, 1) // an edit follows its input's ratio
  })

  it('upscale without a prompt (Topaz): twice the input', async () => {
    const refs = { [hash(4)]: await pngDataUri(120, 80) }
    const { engine, finished } = makeEngine(refs)
    const form = await catalogue.form('topazlabs-image-upscale')
    expect(form.promptField).toBeNull()
    const field = form.fields.find((f) => f.kind === 'images')!
    const factor = form.fields.find((f) => f.kind === 'enum' && /factor|scale/i.test(f.name))
    const params = factor && factor.kind === 'enum' ? { [factor.name]: factor.options.find((o) => o.startsWith('2')) ?? factor.options[0]! } : {}
    const { jobId } = await engine.generate({ modelId: 'topazlabs-image-upscale', prompt: '', count: 1, params, images: { [field.name]: [hash(4)] } })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(sim.stats().enqueueBodies[0]).not.toHaveProperty('prompt')
    expect(await savedSizes(job)).toEqual([[240, 160]])
  })
})

describe('every image model in the catalogue', () => {
  it('makes one image with its defaults, and costs what the estimate said', async () => {
    const { models } = await catalogue.refresh()
    const refs = { [hash(5)]: await pngDataUri(64, 64) }
    const { engine, finished } = makeEngine(refs)
    const rows: { model: string; estimate: number | undefined; actual: number; status: string }[] = []
    for (const model of models) {
      const form = await catalogue.form(model.id)
      const images = Object.fromEntries(form.fields.filter((f) => f.kind === 'images' && f.required).map((f) => [f.name, [hash(5)]]))
      const { jobId } = await engine.generate({ modelId: model.id, prompt: form.promptField ? `one of ${model.id}` : '', count: 1, params: {}, images })
      const job = await finished(jobId)
      const actual = job.images.reduce((sum, i) => sum + Number(i.cost ?? 'NaN'), 0)
      rows.push({ model: model.id, estimate: job.estimate, actual, status: job.status })
    }
    if (process.env.ATELIER_PRINT_COSTS) console.table(rows)
    expect(rows.filter((r) => r.status !== 'completed')).toEqual([])
    for (const r of rows) expect(r.actual, r.model).toBeCloseTo(r.estimate!, 6)
  })
})

describe('a model that left the catalogue', () => {
  it('a job resumed after its model is gone still completes from its journaled request', async () => {
    await catalogue.refresh()
    const closed = `http://127.0.0.1:${await closedPort()}`
    let offline = true // the job is journaled, then nothing can be sent
    const network: FetchLike = (url, init) => fetch(offline ? url.replace(sim.baseUrl, closed) : url, init)
    const first = makeEngine({}, { fetch: network })
    const { jobId } = await first.engine.generate({ modelId: 'flux-2-pro', prompt: 'still here', count: 5, params: {} })
    await world.restart()

    offline = false
    const gone = new AppFailure('not-found', 'That model is no longer offered by Oxen.')
    const second = makeEngine({}, { fetch: network, modelForm: async () => Promise.reject(gone) })
    await second.engine.resume()
    const job = await second.finished(jobId)
    expect(job.status).toBe('completed')
    expect(sim.stats().enqueueBodies.map((b) => [b.model, b.num_generations])).toEqual([
      ['flux-2-pro', 4],
      ['flux-2-pro', 1],
    ])
  })
})

describe('the credit balance', () => {
  it('is what /api/users/me says, and drops by what a job cost', async () => {
    const before = await creditBalance(client())
    expect(before).toBe(12.5)
    const { engine, finished } = makeEngine()
    const job = await finished((await engine.generate({ modelId: 'flux-2-pro', prompt: 'billed', count: 2, params: {} })).jobId)
    const cost = job.images.reduce((sum, i) => sum + Number(i.cost), 0)
    expect(cost).toBeGreaterThan(0)
    expect(await creditBalance(client())).toBeCloseTo(before! - cost, 2)
  })

  it('is unknown (null), not an error, when the account says none', async () => {
    const noCredits: FetchLike = async (url, init) =>
      url.endsWith('/api/users/me') ? new Response(JSON.stringify({ user: { username: 'ada' } }), { headers: { 'Content-Type': 'application/json' } }) : fetch(url, init)
    expect(await creditBalance(client(noCredits))).toBeNull()
  })
})

describe('seeds', () => {
  it('each image keeps the seed it was made with: in the index, in its file, and after a rebuild from the files', async () => {
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: 'z-image-turbo', prompt: 'three seeds', count: 3, params: {}, images: {}, seed: { mode: 'increment', value: 41 } })
    expect((await finished(jobId)).status).toBe('completed')
    const indexed = () =>
      (world.library.db.prepare(`SELECT ${IMAGE_WITH_JOB_COLUMNS} FROM images i JOIN jobs j ON j.id = i.job_id ORDER BY i.idx`).all() as ImageWithJobRow[]).map(
        (row) => ({ file: row.file, image: toLibraryImage(row, () => '') }),
      )
    const expected = [41, 42, 43].map((seed, idx) => ({ idx, seed }))
    const seeds = () => indexed().map((r) => ({ idx: r.image.index, seed: r.image.params.seed }))
    expect(seeds()).toEqual(expected)
    for (const r of indexed()) expect((await readRecipe(join(world.dir, r.file)))?.params.seed).toBe(41 + r.image.index)

    world.library.db.exec('DELETE FROM images; DELETE FROM jobs')
    await rebuildLibrary(world.library)
    expect(seeds()).toEqual(expected)
  })
})
