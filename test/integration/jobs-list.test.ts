// The Jobs list over restarts and the states a job shows, through the real engine, journal and library against the
// simulator over loopback: finished jobs come back with when they ended, Remove from list and Clear finished are
// remembered (never touching the library), Duplicate sends the recorded request again, a failure that needs the user
// says so, a job Oxen failed is reported failed while the result stream is stalled, and a job whose results wait on
// a stream that is down says it is reconnecting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Job, ModelForm } from '../../shared/domain'
import { RECONNECTING_NOTICE, type JobEngineDeps } from '../../electron/services/jobs/engine'
import { deriveModelForm } from '../../electron/services/oxen/model-form'
import { OxenClient } from '../../electron/services/oxen/client'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../tools/oxen-simulator/index'
import { JobsWorld, waitFor } from '../fixtures/jobs-world'

const KEY = 'test-key-jobs-list'
const MODEL = 'bytedance-seedream-5-lite'
const PARAMS = { size: '2K', aspect_ratio: '16:9', output_format: 'png' }

let sim: Simulator
let world: JobsWorld
let form: ModelForm

async function startSim(options: Partial<SimulatorOptions> = {}): Promise<void> {
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 30, processingMs: 150, ...options })
  form = deriveModelForm(MODEL, await client().getModel(MODEL))
}

beforeEach(() => {
  world = new JobsWorld()
})
afterEach(async () => {
  await world.close()
  await sim?.close()
})

function client(key = KEY): OxenClient {
  return new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => key, retry: { attempts: 2, baseMs: 20, capMs: 100 } })
}

function makeEngine(overrides: Partial<JobEngineDeps> = {}, key = KEY) {
  const c = client(key)
  return world.engine({
    client: () => c,
    modelForm: async () => form,
    maxConcurrentDownloads: () => 4,
    maxConcurrentJobs: () => 2,
    onJobUpdate: () => undefined,
    onLibraryChanged: () => undefined,
    pollIntervalMs: 100,
    safetyPollMs: 1000,
    retryBaseMs: 40,
    readTimeoutMs: 5000,
    reconcileWindowMs: 300,
    ...overrides,
  })
}

const ids = (jobs: Job[]) => jobs.map((j) => j.id).sort()

describe('the Jobs list across restarts', () => {
  beforeEach(() => startSim())

  it('finished jobs come back after a restart with when they ended and each image’s size; removed ones stay removed, their images stay in the library', async () => {
    const first = makeEngine()
    const kept = await first.engine.generate({ modelId: MODEL, prompt: 'kept on the list', count: 2, params: PARAMS })
    const removed = await first.engine.generate({ modelId: MODEL, prompt: 'taken off the list', count: 1, params: PARAMS })
    const [done, gone] = await Promise.all([first.finished(kept.jobId), first.finished(removed.jobId)])
    expect(done.status).toBe('completed')
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.createdAt)
    // Saved images know their size: a 16:9 job's images are wider than tall.
    expect(done.images.map((i) => [i.width, i.height])).toEqual([
      [2048, 1152],
      [2048, 1152],
    ])

    expect(first.engine.hide([removed.jobId])).toEqual([removed.jobId])
    expect(ids(first.engine.list())).toEqual([kept.jobId])
    await world.restart()

    const second = makeEngine()
    await second.engine.resume()
    const listed = second.engine.list()
    expect(ids(listed)).toEqual([kept.jobId])
    expect(listed[0]).toMatchObject({ status: 'completed', finishedAt: done.finishedAt, images: done.images.map(() => ({ state: 'saved', width: 2048, height: 1152 })) })
    // Taken off the list, never out of the library.
    expect(gone.images.every((i) => world.library.getImage(i.imageId!) !== null)).toBe(true)
    expect(world.imageFiles()).toHaveLength(3)
  })

  it('Clear finished takes every finished job off the list, never a running one, and a restart remembers it', async () => {
    const first = makeEngine()
    const finishedJob = await first.engine.generate({ modelId: MODEL, prompt: 'finished', count: 1, params: PARAMS })
    await first.finished(finishedJob.jobId)
    sim.setFaults({ named: ['stuck'] }) // the next job's generation stays in 'processing'
    const running = await first.engine.generate({ modelId: MODEL, prompt: 'still running', count: 1, params: PARAMS })
    await waitFor(() => (first.current(running.jobId).images[0]!.generationId ? true : undefined))

    expect(first.engine.clearFinished()).toEqual([finishedJob.jobId])
    expect(() => first.engine.hide([running.jobId])).toThrow(/cancel it first/)
    expect(ids(first.engine.list())).toEqual([running.jobId])
    expect(first.engine.clearFinished()).toEqual([])

    await world.restart()
    const second = makeEngine()
    await second.engine.resume()
    expect(ids(second.engine.list())).toEqual([running.jobId])
    await second.engine.cancel(running.jobId)
    expect(second.current(running.jobId).status).toBe('cancelled')
  })

  it('Duplicate sends the recorded request again as a new job (the same body), also after a restart', async () => {
    const first = makeEngine()
    const request = { modelId: MODEL, prompt: 'once more', count: 2, params: PARAMS }
    const original = await first.engine.generate(request)
    await first.finished(original.jobId)
    const again = await first.engine.duplicate(original.jobId) // within a second: still a new job, not a double press
    expect(again.jobId).not.toBe(original.jobId)
    expect((await first.finished(again.jobId)).status).toBe('completed')

    await world.restart()
    const second = makeEngine()
    await second.engine.resume()
    const third = await second.engine.duplicate(original.jobId)
    expect((await second.finished(third.jobId)).status).toBe('completed')

    const bodies = sim.stats().enqueueBodies
    expect(bodies).toHaveLength(3)
    expect(bodies[1]).toEqual(bodies[0])
    expect(bodies[2]).toEqual(bodies[0])
    expect(bodies[0]).toMatchObject({ prompt: 'once more', ...PARAMS, num_generations: 2 })
  })
})

describe('failures that need the user', () => {
  beforeEach(() => startSim())

  it('a refused key marks the job as needing the key, and it still does after a restart', async () => {
    const first = makeEngine({}, 'test-key-not-this-one')
    const { jobId } = await first.engine.generate({ modelId: MODEL, prompt: 'wrong key', count: 1, params: PARAMS })
    const job = await first.finished(jobId)
    expect(job).toMatchObject({ status: 'failed', needs: 'api-key' })
    await world.restart()
    const second = makeEngine()
    await second.engine.resume()
    expect(second.current(jobId)).toMatchObject({ status: 'failed', needs: 'api-key' })
  })

  it('out of credits marks the job as needing credits; a retry that works clears it', async () => {
    sim.setFaults({ named: ['fail=Insufficient credits;times=1'] })
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'no credit left', count: 1, params: PARAMS })
    expect(await finished(jobId)).toMatchObject({ status: 'failed', needs: 'credits' })
    await engine.retryFailed(jobId)
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.needs).toBeUndefined()
  })
})

describe('honest states while the result stream misbehaves', () => {
  it('a generation Oxen failed shows as failed while the stream is stalled, long before the stall is noticed', async () => {
    await startSim({ keepAliveMs: 100 })
    sim.setFaults({ named: ['sse-stall', 'fail=Insufficient credits'] })
    // The app's own timings for the safety poll and the stall (only the poll interval is short here).
    const { engine, finished } = makeEngine({ safetyPollMs: undefined, readTimeoutMs: undefined })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'failed behind a stalled stream', count: 1, params: PARAMS })
    const job = await finished(jobId, 30_000)
    expect(job).toMatchObject({ status: 'failed', needs: 'credits', error: 'Oxen could not make this image: Insufficient credits' })
    // The one stream opened is still the stalled one: the failure came from polling, not from a reconnect.
    expect(sim.stats().sseStreamsOpened).toBe(1)
  })

  it('while the stream is down a running job says Atelier is reconnecting; the notice goes once it is back', async () => {
    await startSim()
    const updates: Job[] = []
    const { engine, current } = makeEngine({ onJobUpdate: (job) => updates.push(job) })
    sim.setFaults({ named: ['stuck'] })
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'waiting on a stream that is down', count: 1, params: PARAMS })
    await waitFor(() => (current(jobId).images[0]!.state === 'processing' || current(jobId).images[0]!.state === 'queued' ? true : undefined))
    expect(current(jobId).notice).toBeUndefined()

    sim.setFaults({ named: ['stuck'], requests: [{ method: 'GET', path: '^/api/events$', status: 503 }] })
    sim.dropEventStreams()
    await waitFor(() => (current(jobId).notice?.message === RECONNECTING_NOTICE ? true : undefined))
    expect(updates.some((j) => j.notice?.message === RECONNECTING_NOTICE)).toBe(true)

    sim.setFaults({ named: ['stuck'] })
    await waitFor(() => (sim.stats().sseConnections === 1 && current(jobId).notice === undefined ? true : undefined), 20_000)
    expect(current(jobId).status).toBe('running')
    await engine.cancel(jobId)
  })
})
