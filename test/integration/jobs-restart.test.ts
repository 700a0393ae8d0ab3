// Jobs across restarts and retries, through the real engine, journal and library against the simulator over
// loopback: starting offline with a job half sent, Send again after a restart, Retry failed, a double press,
// Generate under a 429, and one job that cannot resume beside one that can.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job, ModelForm } from '../../shared/domain'
import { AppFailure } from '../../electron/services/errors'
import type { JobEngineDeps } from '../../electron/services/jobs/engine'
import { deriveModelForm } from '../../electron/services/oxen/model-form'
import { OxenClient, type FetchLike } from '../../electron/services/oxen/client'
import { startSimulator, type Simulator } from '../../tools/oxen-simulator/index'
import { closedPort, JobsWorld, waitFor } from '../fixtures/jobs-world'

const KEY = 'test-key-jobs-restart'
const MODEL = 'bytedance-seedream-5-lite'
const QUEUE_POST = 'method=POST;path=^/api/ai/queue$'
const PARAMS = { size: '2K', output_format: 'png' }

let sim: Simulator
let world: JobsWorld
let form: ModelForm
/** While true, every request to Oxen meets a closed port: a real ECONNREFUSED, as when the network is gone. */
let offline = false
let refused = 0
let closedUrl: string
/** Set: the network goes away as soon as Oxen has answered one POST. */
let offlineAfterFirstPost = false

const network: FetchLike = async (url, init) => {
  if (offline) {
    refused++
    return fetch(url.replace(sim.baseUrl, closedUrl), init)
  }
  const res = await fetch(url, init)
  if (init?.method === 'POST' && offlineAfterFirstPost) {
    offlineAfterFirstPost = false
    offline = true
  }
  return res
}

beforeEach(async () => {
  offline = false
  offlineAfterFirstPost = false
  refused = 0
  closedUrl = `http://127.0.0.1:${await closedPort()}`
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 30, processingMs: 150 })
  form = deriveModelForm(MODEL, await client().getModel(MODEL))
  world = new JobsWorld()
})
afterEach(async () => {
  await world.close()
  await sim.close()
})

function client(): OxenClient {
  return new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, fetch: network, retry: { attempts: 2, baseMs: 20, capMs: 100 } })
}

function makeEngine(overrides: Partial<JobEngineDeps> = {}) {
  const c = client()
  const updates: Job[] = []
  const made = world.engine({
    client: () => c,
    modelForm: async () => form,
    maxConcurrentDownloads: () => 4,
    maxConcurrentJobs: () => 2,
    onJobUpdate: (job) => updates.push(job),
    onLibraryChanged: () => undefined,
    pollIntervalMs: 100,
    safetyPollMs: 1000,
    retryBaseMs: 40,
    readTimeoutMs: 2000,
    reconcileWindowMs: 300,
    ...overrides,
  })
  return { ...made, updates }
}

const savedImages = (job: Job) => job.images.filter((i) => i.state === 'saved' && world.library.getImage(i.imageId!))

describe('resume never gives up', () => {
  it('starts offline with a job half sent: once Oxen answers, each accepted image is saved once and the unsent enqueue goes out once', async () => {
    // The first enqueue (4 images) is accepted; then the network goes before the second is sent.
    offlineAfterFirstPost = true
    const first = makeEngine()
    const { jobId } = await first.engine.generate({ modelId: MODEL, prompt: 'half sent, then offline', count: 6, params: PARAMS })
    await waitFor(() => (first.current(jobId).images.slice(0, 4).every((i) => i.generationId) && refused > 0 ? true : undefined))
    expect(sim.stats().acceptedEnqueues).toHaveLength(1)
    await world.restart()
    expect(world.imageFiles()).toHaveLength(0)

    // The app starts while Oxen cannot be reached: resume returns, and the job waits rather than failing.
    const second = makeEngine()
    await second.engine.resume()
    expect(second.current(jobId).status).toBe('running')
    const refusedAtStart = refused
    await waitFor(() => (refused >= refusedAtStart + 6 ? true : undefined)) // it keeps trying…
    const before = Date.now()
    const during = refused
    await new Promise((r) => setTimeout(r, 1500))
    // …with backoff, not a busy loop (a loaded machine only makes fewer tries).
    expect(refused - during).toBeLessThan(60)
    expect(Date.now() - before).toBeGreaterThanOrEqual(1400)
    expect(second.current(jobId).images.slice(4).every((i) => i.state === 'pending')).toBe(true)

    offline = false
    const job = await second.finished(jobId)
    expect(job.status).toBe('completed')
    expect(savedImages(job)).toHaveLength(6)
    expect(world.imageFiles()).toHaveLength(6)
    expect(world.tempFiles()).toEqual([])
    const stats = sim.stats()
    expect(stats.enqueueRequests).toBe(2)
    expect(stats.acceptedEnqueues.map((e) => e.generationIds.length)).toEqual([4, 2])
    expect(stats.enqueueBodies[1]).toEqual({ ...stats.enqueueBodies[0], num_generations: 2 }) // the journaled body
    expect(stats.downloads).toBe(6)
  })

  it('one job that cannot go on (its reference image is gone) never stops another', async () => {
    const hash = 'a'.repeat(64)
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=='
    offline = true // both jobs are journaled, neither is sent
    const first = makeEngine({ resolveReferences: async () => ({ urls: [png], supply: 'data-uri' }), referenceDataUris: async () => [png] })
    const withRef = await first.engine.generate({ modelId: MODEL, prompt: 'with a reference', count: 1, params: PARAMS, images: { [form.fields.find((f) => f.kind === 'images')!.name]: [hash] } })
    const plain = await first.engine.generate({ modelId: MODEL, prompt: 'plain', count: 2, params: PARAMS })
    await waitFor(() => (refused >= 2 ? true : undefined))
    await world.restart()
    offline = false

    const gone = new AppFailure('not-found', 'A reference image is no longer in your library. Remove it from the prompt and add it again.')
    const second = makeEngine({ referenceDataUris: async () => Promise.reject(gone) })
    await second.engine.resume()
    const [a, b] = await Promise.all([second.finished(withRef.jobId), second.finished(plain.jobId)])
    expect(a.status).toBe('failed')
    expect(a.images[0]!.error).toBe(gone.message)
    expect(b.status).toBe('completed')
    expect(sim.stats().enqueueRequests).toBe(1)
  })
})

describe('Send again and Retry', () => {
  it('after a restart, Send again resends exactly the unconfirmed images, once, with the body first sent', async () => {
    sim.setFaults({ named: [`server-error=500;${QUEUE_POST};times=1`] }) // the first enqueue's answer is lost
    const first = makeEngine()
    const { jobId } = await first.engine.generate({ modelId: MODEL, prompt: 'send again after a restart', count: 6, params: PARAMS })
    const ended = await first.finished(jobId)
    expect(ended.status).toBe('partial')
    expect(ended.images.map((i) => i.state)).toEqual(['unconfirmed', 'unconfirmed', 'unconfirmed', 'unconfirmed', 'saved', 'saved'])
    await world.restart()

    const second = makeEngine()
    await second.engine.resume()
    const back = second.current(jobId)
    expect(back.status).toBe('partial')
    expect(back.images.map((i) => i.state)).toEqual(ended.images.map((i) => i.state))
    expect(back.error).toMatch(/may have been submitted \(and billed\).*choose Send again/)

    await second.engine.retryUnconfirmed(jobId)
    await expect(second.engine.retryUnconfirmed(jobId)).rejects.toThrow(/Nothing in this job is waiting to be sent again/)
    const job = await second.finished(jobId)
    expect(job.status).toBe('completed')
    expect(savedImages(job)).toHaveLength(6)
    expect(job.images.slice(0, 4).every((i) => i.attempts?.[0]?.state === 'unconfirmed')).toBe(true)
    const stats = sim.stats()
    expect(stats.enqueueBodies.map((b) => b.num_generations)).toEqual([2, 4])
    const journaled = world.journal.load(10).find((e) => e.job.id === jobId)!.enqueues
    expect(stats.enqueueBodies[1]).toEqual(journaled[0]!.body) // the very body of the lost enqueue

    // And after one more restart the job, its images and their earlier attempts are all still there.
    await world.restart()
    const third = makeEngine()
    await third.engine.resume()
    expect(third.current(jobId)).toMatchObject({ status: 'completed', images: job.images.map((i) => ({ state: 'saved', imageId: i.imageId })) })
    expect(third.current(jobId).images[0]!.attempts).toEqual([expect.objectContaining({ state: 'unconfirmed' })])
  })

  it('Retry failed: a failed image is enqueued once more (billed anew) and the job lists both attempts', async () => {
    sim.setFaults({ named: ['fail=Insufficient credits;times=1'] })
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'retry the failed one', count: 2, params: PARAMS })
    const partial = await finished(jobId)
    expect(partial.status).toBe('partial')
    const failed = partial.images.find((i) => i.state === 'failed')!

    const retrying = await engine.retryFailed(jobId)
    expect(retrying.status).toBe('running')
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(savedImages(job)).toHaveLength(2)
    const retried = job.images[failed.index]!
    expect(retried.generationId).not.toBe(failed.generationId)
    expect(retried.attempts).toEqual([{ state: 'failed', generationId: failed.generationId, error: 'Oxen could not make this image: Insufficient credits' }])
    expect(sim.stats().enqueueBodies.map((b) => b.num_generations)).toEqual([2, 1])
    await expect(engine.retryFailed(jobId)).rejects.toThrow(/Nothing in this job failed/)
  })

  it('Retry failed on an image that was made but not downloaded fetches it again, without a new enqueue', async () => {
    sim.setFaults({ named: ['expired-url'] }) // every presigned link refused
    const { engine, finished } = makeEngine({ downloadAttempts: 2 })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'made, not downloaded', count: 1, params: PARAMS })
    const failed = await finished(jobId)
    expect(failed.images[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/refused its download link as expired/) })

    sim.setFaults({})
    await engine.retryFailed(jobId)
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.images[0]!.generationId).toBe(failed.images[0]!.generationId)
    expect(sim.stats().enqueueRequests).toBe(1)
  })
})

describe('Generate', () => {
  it('returns once the job is journaled; a 429 shows as "Oxen is busy" with when it retries, never holding the button', async () => {
    sim.setFaults({ named: [`rate-limit=2;${QUEUE_POST};times=1`] })
    const { engine, updates, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'busy oxen', count: 2, params: PARAMS })
    expect(sim.stats().acceptedEnqueues).toHaveLength(0) // nothing was sent before Generate returned
    const busy = await waitFor(() => updates.find((j) => j.notice)?.notice)
    expect(busy.message).toBe('Oxen is busy')
    expect(busy.retryAt! - Date.now()).toBeGreaterThan(500)
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.notice).toBeUndefined()
  })

  it('the same request twice within a second (a double key press) makes one job', async () => {
    const { engine, finished } = makeEngine()
    const request = { modelId: MODEL, prompt: 'pressed twice', count: 2, params: PARAMS }
    const [a, b] = await Promise.all([engine.generate(request), engine.generate(request)])
    expect(b.jobId).toBe(a.jobId)
    await finished(a.jobId)
    expect(engine.list()).toHaveLength(1)
    expect(sim.stats().enqueueRequests).toBe(1)
  })
})
