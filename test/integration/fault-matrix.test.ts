// The fault matrix: every fault the Oxen simulator can inject, run through the real job engine, client and
// library over loopback. For each: the job's outcome, and afterwards the library holds exactly the expected
// images (each fully decodable), nothing is left in `.tmp`, no generation is saved twice, and Oxen saw no
// duplicate enqueue. Extra cases: a refused connection, a crash mid-download, cancel, and cost.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageState, Job, JobStatus, ModelForm } from '../../shared/domain'
import type { JobEngineDeps } from '../../electron/services/jobs/engine'
import { deriveModelForm } from '../../electron/services/oxen/model-form'
import { OxenClient, type FetchLike } from '../../electron/services/oxen/client'
import { startSimulator, type Simulator, type SimulatorFaults, type SimulatorOptions } from '../../tools/oxen-simulator/index'
import { closedPort, JobsWorld, waitFor } from '../fixtures/jobs-world'

const KEY = 'test-key-fault-matrix'
const MODEL = 'bytedance-seedream-5-lite'
const PARAMS = { size: '2K', aspect_ratio: '1:1', output_format: 'jpeg' }
const SIDE = 2048

// Path scopes for request faults (regexps; a named spec cannot contain ';').
const QUEUE_POST = 'method=POST;path=^/api/ai/queue$'
const POLL = 'method=GET;path=^/api/ai/queue/[^/]+$'
const DOWNLOAD = 'method=GET;path=/generations/[^/]+[.](png|jpeg)$'
const EVENTS = 'method=GET;path=^/api/events$'

const MAY_HAVE_BEEN_SUBMITTED = /may have been submitted \(and billed\).*choose Send again/

interface LogEntry {
  method: string
  path: string
  status: string
  /** When the simulator started handling the request. */
  start: number
}

let sim: Simulator
let world: JobsWorld
let log: LogEntry[]
let form: ModelForm

async function startSim(options: Partial<SimulatorOptions> = {}): Promise<void> {
  log = []
  sim = await startSimulator({
    apiKeys: [KEY],
    queuedMs: 30,
    processingMs: 80,
    keepAliveMs: 100,
    log: (line) => {
      const m = /^(\S+) (\S+) (\S+) (\d+)ms$/.exec(line)
      if (m) log.push({ method: m[1]!, path: m[2]!, status: m[3]!, start: Date.now() - Number(m[4]) })
    },
    ...options,
  })
}

beforeEach(() => {
  world = new JobsWorld()
})
afterEach(async () => {
  await world.close()
  await sim?.close()
})

function makeClient(fetchImpl?: FetchLike): OxenClient {
  return new OxenClient({
    baseUrl: sim.baseUrl,
    getKey: async () => KEY,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    retry: { attempts: 4, baseMs: 20, capMs: 200 },
  })
}

/** The model form is read before any fault is set, so faults hit only the job's own traffic. */
async function loadForm(): Promise<void> {
  form = deriveModelForm(MODEL, await makeClient().getModel(MODEL))
}

function makeEngine(overrides: Partial<JobEngineDeps> = {}, fetchImpl?: FetchLike) {
  const client = makeClient(fetchImpl)
  return world.engine({
    client: () => client,
    modelForm: async () => form,
    maxConcurrentDownloads: () => 4,
    maxConcurrentJobs: () => 2,
    onJobUpdate: () => undefined,
    onLibraryChanged: () => undefined,
    pollIntervalMs: 100,
    safetyPollMs: 300,
    retryBaseMs: 30,
    // Long enough for the simulator to render a 2048² image before its headers on a loaded machine; the stall
    // case shortens it.
    readTimeoutMs: 10_000,
    downloadAttempts: 4,
    enqueueAttempts: 5,
    reconcileWindowMs: 500,
    ...overrides,
  })
}

const filesUnder = (sub: string) => {
  const root = join(world.dir, sub)
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name))
}
const tempFiles = () => world.tempFiles()

async function activeFaults(): Promise<SimulatorFaults> {
  return (await (await fetch(`${sim.baseUrl}/__sim/faults`)).json()) as SimulatorFaults
}

async function simRow(generationId: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.baseUrl}/api/ai/queue/${generationId}`, { headers: { Authorization: `Bearer ${KEY}` } })
  return (await res.json()) as Record<string, unknown>
}

/** Time from a request answered 429 (at once) on `path` to the next request on the same path (ms). */
function gapAfter429(path: RegExp): number {
  const limited = log.find((e) => e.status === '429' && path.test(e.path))
  if (!limited) throw new Error(`no 429 on ${path}: ${JSON.stringify(log.map((e) => `${e.method} ${e.path} ${e.status}`))}`)
  const next = log.filter((e) => e.path === limited.path && e.method === limited.method && e.start > limited.start).sort((a, b) => a.start - b.start)[0]
  if (!next) throw new Error(`no request after the 429 on ${limited.path}`)
  return next.start - limited.start
}

/** The invariants that hold after every fault: exactly the expected images, whole and once; no leftovers. */
async function expectLibraryHolds(job: Job, saved: number, opts: { countDownloads?: boolean } = {}): Promise<void> {
  const savedImages = job.images.filter((i) => i.state === 'saved')
  expect(savedImages).toHaveLength(saved)
  const rows = savedImages.map((i) => world.library.getImage(i.imageId!))
  expect(rows.every(Boolean)).toBe(true)
  expect(rows.map((r) => r!.generationId)).toEqual(savedImages.map((i) => i.generationId))
  expect(new Set(rows.map((r) => r!.generationId)).size).toBe(saved)

  const files = filesUnder('images')
  expect(files).toHaveLength(saved)
  expect(filesUnder('thumbs')).toHaveLength(saved)
  expect(new Set(savedImages.map((i) => world.library.resolveFile(i.imageId!, 'full'))).size).toBe(saved)
  for (const file of files) {
    const { info } = await sharp(file).raw().toBuffer({ resolveWithObject: true }) // decodes every pixel
    expect([info.width, info.height]).toEqual([SIDE, SIDE])
  }
  expect(tempFiles()).toEqual([])

  expect(rows.every((r) => r!.jobId === job.id)).toBe(true)
  // Each saved image came from one intact download: nothing was fetched in full twice.
  if (opts.countDownloads !== false) expect(sim.stats().downloads).toBe(saved)
}

/** Oxen saw each chunk accepted once, and every generation the job tracks is one of those accepted. */
function expectNoDuplicateEnqueue(job: Job, accepted: number): void {
  const stats = sim.stats()
  expect(stats.acceptedEnqueues).toHaveLength(accepted)
  expect(stats.enqueueRequests).toBe(accepted)
  const acceptedIds = new Set(stats.acceptedEnqueues.flatMap((e) => e.generationIds))
  const tracked = job.images.map((i) => i.generationId).filter((id): id is string => Boolean(id))
  expect(new Set(tracked).size).toBe(tracked.length)
  for (const id of tracked) expect(acceptedIds.has(id)).toBe(true)
}

interface FaultCase {
  /** What is injected (named simulator faults, or structured rules). */
  fault: string
  faults: SimulatorFaults
  count: number
  outcome: JobStatus | 'unconfirmed'
  saved: number
  /** Enqueues Oxen accepted when the job is done (after the manual retry, for unconfirmed jobs). */
  accepted: number
  /** Message every failed image must show (failed/partial outcomes). */
  failedError?: RegExp
  /** `times`-limited faults must all have been hit; permanent ones stay. */
  permanent?: boolean
  sim?: Partial<SimulatorOptions>
  engine?: Partial<JobEngineDeps>
  /** Cancel once this many images are saved. */
  cancelAfterSaved?: number
  /** A Retry-After of 1 s must have been waited out on this path. */
  retryAfterOn?: RegExp
  check?: (job: Job, updates: Job[]) => void | Promise<void>
}

const WHOLE_RUN = { processingMs: 600 } // keeps generations in flight long enough for safety polls to meet them

const CASES: FaultCase[] = [
  { fault: 'none', faults: {}, count: 3, outcome: 'completed', saved: 3, accepted: 1 },
  { fault: 'latency=60', faults: { named: ['latency=60'] }, count: 3, outcome: 'completed', saved: 3, accepted: 1, permanent: true },
  // 429 on the enqueue: certainly not accepted, so it is sent again (honouring Retry-After when given).
  { fault: 'rate-limit ×2 on POST queue (no Retry-After)', faults: { named: [`rate-limit;${QUEUE_POST};times=2`] }, count: 3, outcome: 'completed', saved: 3, accepted: 1 },
  {
    fault: 'rate-limit=1 on POST queue (Retry-After 1 s)',
    faults: { named: [`rate-limit=1;${QUEUE_POST};times=1`] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    retryAfterOn: /^\/api\/ai\/queue$/,
  },
  {
    fault: 'rate-limit on POST queue, every time',
    faults: { named: [`rate-limit;${QUEUE_POST}`] },
    count: 2,
    outcome: 'failed',
    saved: 0,
    accepted: 0,
    failedError: /^Oxen is too busy to take new images right now\. Try again in a minute\.$/,
    permanent: true,
  },
  // 429 on GETs: the stream, polls and downloads retry with backoff, and wait out Retry-After.
  { fault: 'rate-limit ×4 on every GET (no Retry-After)', faults: { named: ['rate-limit;method=GET;times=4'] }, count: 3, outcome: 'completed', saved: 3, accepted: 1 },
  {
    fault: 'rate-limit=1 on GET poll',
    faults: { named: [`rate-limit=1;${POLL};times=1`] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    sim: { processingMs: 1500 }, // the poll after the Retry-After still finds the generation in flight
    retryAfterOn: /^\/api\/ai\/queue\/[^/]+$/,
  },
  {
    fault: 'rate-limit=1 on GET download',
    faults: { named: [`rate-limit=1;${DOWNLOAD};times=1`] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    retryAfterOn: /\/generations\/[^/]+\.jpeg$/,
  },
  {
    fault: 'rate-limit=1 on GET events',
    faults: { named: [`rate-limit=1;${EVENTS};times=1`] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    sim: { processingMs: 1300 }, // the job outlives the Retry-After, so the stream is opened again
    retryAfterOn: /^\/api\/events$/,
  },
  // Server errors on the enqueue: 503 was certainly not accepted (resend); 500/502 may have been (reconcile).
  {
    fault: 'server-error=500 on POST queue',
    faults: { named: [`server-error=500;${QUEUE_POST};times=1`] },
    count: 3,
    outcome: 'unconfirmed',
    saved: 3,
    accepted: 1,
    check: (job) => expect(job.error).toMatch(/^Oxen answered with a server error \(500/),
  },
  {
    fault: 'server-error=502 on POST queue (HTML page)',
    faults: { named: [`server-error=502;${QUEUE_POST};times=1`] },
    count: 2,
    outcome: 'unconfirmed',
    saved: 2,
    accepted: 1,
    check: (job) => {
      expect(job.error).toMatch(/^Oxen answered with a server error \(502 Bad Gateway\)/)
      expect(job.error).not.toMatch(/[<>]|html/i)
    },
  },
  { fault: 'server-error=503 ×2 on POST queue', faults: { named: [`server-error=503;${QUEUE_POST};times=2`] }, count: 3, outcome: 'completed', saved: 3, accepted: 1 },
  { fault: 'server-error=500 ×3 on every GET', faults: { named: ['server-error=500;method=GET;times=3'] }, count: 3, outcome: 'completed', saved: 3, accepted: 1 },
  { fault: 'server-error=502 ×3 on GET poll', faults: { named: [`server-error=502;${POLL};times=3`] }, count: 2, outcome: 'completed', saved: 2, accepted: 1, sim: WHOLE_RUN },
  { fault: 'server-error=503 ×3 on GET download', faults: { named: [`server-error=503;${DOWNLOAD};times=3`] }, count: 2, outcome: 'completed', saved: 2, accepted: 1 },
  // Resets on the enqueue: before-read looks the same as after-read from the client, so both are reconciled.
  {
    fault: 'reset-before-read on POST queue',
    faults: { named: ['reset-before-read;times=1'] },
    count: 2,
    outcome: 'unconfirmed',
    saved: 2,
    accepted: 1,
    check: (job) => expect(job.error).toMatch(/^The connection to Oxen dropped before it answered/),
  },
  {
    fault: 'reset-after-read on POST queue (accepted, answer lost)',
    faults: { named: ['reset-after-read;times=1'] },
    count: 5, // 4 + 1: the first enqueue's answer is lost
    outcome: 'completed',
    saved: 5,
    accepted: 2,
    check: (job) => {
      const [lost, second] = sim.stats().acceptedEnqueues
      expect(lost!.answered).toBe(false)
      expect(second!.answered).toBe(true)
      // Adopted through reconciliation: the first four images are exactly the unanswered enqueue's generations.
      expect(new Set(job.images.slice(0, 4).map((i) => i.generationId))).toEqual(new Set(lost!.generationIds))
      expect(job.images[4]!.generationId).toBe(second!.generationIds[0])
    },
  },
  { fault: 'reset ×3 on GET poll', faults: { named: [`reset-before-read;${POLL};times=3`] }, count: 2, outcome: 'completed', saved: 2, accepted: 1, sim: WHOLE_RUN },
  { fault: 'reset ×2 on GET download', faults: { named: [`reset-before-read;${DOWNLOAD};times=2`] }, count: 2, outcome: 'completed', saved: 2, accepted: 1 },
  { fault: 'reset-after-read on GET download', faults: { named: [`reset-after-read;${DOWNLOAD};times=1`] }, count: 2, outcome: 'completed', saved: 2, accepted: 1 },
  { fault: 'reset on GET events', faults: { requests: [{ method: 'GET', path: '^/api/events$', reset: true, times: 2 }] }, count: 2, outcome: 'completed', saved: 2, accepted: 1 },
  // Event stream faults: polling covers, the stream is opened again.
  {
    fault: 'sse-drop-after=1 (every stream)',
    faults: { named: ['sse-drop-after=1'] },
    count: 4,
    outcome: 'completed',
    saved: 4,
    accepted: 1,
    permanent: true,
    check: () => expect(sim.stats().sseStreamsOpened).toBeGreaterThan(1),
  },
  { fault: 'sse-drop-after=0 (every stream)', faults: { named: ['sse-drop-after=0'] }, count: 2, outcome: 'completed', saved: 2, accepted: 1, permanent: true },
  {
    // Without safety polls, only noticing the stall (no bytes for readTimeoutMs) gets the results in.
    fault: 'sse-stall (every stream; safety poll off)',
    faults: { named: ['sse-stall'] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    permanent: true,
    engine: { safetyPollMs: 60_000, readTimeoutMs: 1000 }, // keep-alives come every 100 ms here
    check: () => expect(sim.stats().sseStreamsOpened).toBeGreaterThan(1),
  },
  {
    // Keep-alives keep the stream open, so only the safety poll gets the results in.
    fault: 'sse-silent (every stream)',
    faults: { named: ['sse-silent'] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    permanent: true,
    check: () => expect(sim.stats().sseStreamsOpened).toBe(1),
  },
  // Download faults.
  {
    fault: 'slow-download=170000 B/s',
    faults: { named: ['slow-download=170000;times=2'] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    check: (_job, updates) => {
      const progress = updates.flatMap((j) => j.images.filter((i) => i.state === 'downloading').map((i) => i.progress ?? 0))
      expect(progress.some((p) => p > 0 && p < 1)).toBe(true)
    },
  },
  {
    fault: 'truncated-download ×2',
    faults: { named: ['truncated-download;times=2'] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
    check: () => expect(sim.stats().downloadAttempts).toBe(4),
  },
  {
    fault: 'truncated-download (every time)',
    faults: { named: ['truncated-download'] },
    count: 1,
    outcome: 'failed',
    saved: 0,
    accepted: 1,
    permanent: true,
    failedError: /^The image was made but could not be downloaded: .*(interrupted|cut short)/,
    check: () => expect(sim.stats().downloadAttempts).toBe(4),
  },
  { fault: 'corrupt-image ×1', faults: { named: ['corrupt-image;times=1'] }, count: 2, outcome: 'completed', saved: 2, accepted: 1 },
  {
    fault: 'corrupt-image (every time)',
    faults: { named: ['corrupt-image'] },
    count: 1,
    outcome: 'failed',
    saved: 0,
    accepted: 1,
    permanent: true,
    failedError: /^Oxen sent a file that is not a readable PNG, JPEG or WebP image, so it was not saved\./,
  },
  {
    fault: 'expired-url ×2 (fresh URL from the generation record)',
    faults: { named: ['expired-url;times=2'] },
    count: 2,
    outcome: 'completed',
    saved: 2,
    accepted: 1,
  },
  {
    fault: 'expired-url (every presigned URL)',
    faults: { named: ['expired-url'] },
    count: 1,
    outcome: 'failed',
    saved: 0,
    accepted: 1,
    permanent: true,
    failedError: /^The image was made, but Oxen refused its download link as expired/,
    check: (job) => {
      expect(job.error).not.toMatch(/API key/)
      expect(sim.stats().downloadAttempts).toBe(4)
    },
  },
  // Generation faults: the server's own message, parsed per API.md §7.
  {
    fault: 'fail=Insufficient credits ×1',
    faults: { named: ['fail=Insufficient credits;times=1'] },
    count: 3,
    outcome: 'partial',
    saved: 2,
    accepted: 1,
    failedError: /^Oxen could not make this image: Insufficient credits$/,
  },
  {
    fault: 'fail=Insufficient credits (every generation)',
    faults: { named: ['fail=Insufficient credits'] },
    count: 2,
    outcome: 'failed',
    saved: 0,
    accepted: 1,
    permanent: true,
    failedError: /^Oxen could not make this image: Insufficient credits$/,
    check: (job) => expect(job.error).toBe('Oxen could not make this image: Insufficient credits'),
  },
  {
    fault: 'moderation ×1',
    faults: { named: ['moderation;times=1'] },
    count: 2,
    outcome: 'partial',
    saved: 1,
    accepted: 1,
    failedError: /^Oxen could not make this image: The request failed because the output image may contain sensitive information\.$/,
  },
  {
    fault: 'stuck ×1, then cancel',
    faults: { named: ['stuck;times=1'] },
    count: 3,
    outcome: 'partial',
    saved: 2,
    accepted: 1,
    cancelAfterSaved: 2,
    check: async (job) => {
      const stuck = job.images.find((i) => i.state === 'cancelled')!
      expect(stuck.generationId).toBeTruthy()
      expect((await simRow(stuck.generationId!)).status).toBe('cancelled') // the DELETE reached Oxen
      expect(log.filter((e) => e.method === 'DELETE').map((e) => e.path)).toEqual([`/api/ai/queue/${stuck.generationId}`])
    },
  },
]

describe('fault matrix: the job engine against every simulator fault', () => {
  it.each(CASES)('$fault → $outcome', async (c) => {
    await startSim(c.sim)
    await loadForm()
    sim.setFaults(c.faults)
    const { engine, updates, current, finished } = makeEngine(c.engine)
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: `fault matrix: ${c.fault}`, count: c.count, params: PARAMS })

    if (c.cancelAfterSaved !== undefined) {
      await waitFor(() => (current(jobId).images.filter((i) => i.state === 'saved').length >= c.cancelAfterSaved! ? true : undefined))
      await engine.cancel(jobId)
    }
    let job = await finished(jobId)

    if (c.outcome === 'unconfirmed') {
      // The enqueue may have been accepted; the queue does not show it: no automatic resend.
      expect(job.status).toBe('failed')
      expect(job.images.map((i) => i.state)).toEqual(Array<ImageState>(c.count).fill('unconfirmed'))
      expect(job.error).toMatch(MAY_HAVE_BEEN_SUBMITTED)
      expect(sim.stats().acceptedEnqueues).toHaveLength(0)
      await c.check?.(job, updates)
      // The user chooses Retry.
      await engine.retryUnconfirmed(jobId)
      job = await finished(jobId)
      expect(job.status).toBe('completed')
    } else {
      expect(job.status).toBe(c.outcome)
      await c.check?.(job, updates)
    }

    for (const image of job.images.filter((i) => i.state === 'failed')) expect(image.error).toMatch(c.failedError ?? /^$/)
    if (c.outcome === 'failed') expect(job.error).toMatch(c.failedError!)
    await expectLibraryHolds(job, c.saved)
    expectNoDuplicateEnqueue(job, c.accepted)
    if (c.retryAfterOn) expect(gapAfter429(c.retryAfterOn)).toBeGreaterThanOrEqual(950)
    if (!c.permanent) expect(await activeFaults()).toEqual({}) // every injected fault was actually hit
  })
})

describe('beyond the simulator’s fault list', () => {
  it('an enqueue whose connection was refused is sent again (nothing reached Oxen)', async () => {
    await startSim()
    await loadForm()
    const closed = await closedPort()
    let refused = 0
    const refuseFirstPost: FetchLike = (url, init) => {
      if (init?.method === 'POST' && refused === 0) {
        refused++
        return fetch(url.replace(sim.baseUrl, `http://127.0.0.1:${closed}`), init) // a real ECONNREFUSED
      }
      return fetch(url, init)
    }
    const { engine, finished } = makeEngine({}, refuseFirstPost)
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'refused once', count: 2, params: PARAMS })
    const job = await finished(jobId)
    expect(refused).toBe(1)
    expect(job.status).toBe('completed')
    await expectLibraryHolds(job, 2)
    expectNoDuplicateEnqueue(job, 1)
  })

  it('a crash mid-download costs nothing: after a restart the image is fetched again and saved once', async () => {
    await startSim()
    await loadForm()
    sim.setFaults({ named: ['slow-download=60000;times=1'] })
    const first = makeEngine()
    const { jobId } = await first.engine.generate({ modelId: MODEL, prompt: 'crash while downloading', count: 1, params: PARAMS })
    await waitFor(() => ((first.current(jobId).images[0]!.progress ?? 0) > 0.2 ? true : undefined))
    await world.restart() // the app goes away with a download half done
    expect(tempFiles()).toEqual([])
    const second = makeEngine()
    await second.engine.resume()
    const job = await second.finished(jobId)
    expect(job.status).toBe('completed')
    expect(job.images[0]!.resumed).toBe(true)
    // The simulator counts a paced body the client walked away from as sent in full, so count attempts here.
    await expectLibraryHolds(job, 1, { countDownloads: false })
    expect(sim.stats().downloadAttempts).toBe(2) // the interrupted one, and one after the restart
    expectNoDuplicateEnqueue(job, 1)
  })

  it('cancel stops the remaining generations with DELETE; nothing is saved for them', async () => {
    await startSim()
    await loadForm()
    sim.setFaults({ named: ['stuck'] })
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'cancel me', count: 3, params: PARAMS })
    const ids = await waitFor(() => {
      const images = engine.list()[0]!.images
      return images.every((i) => i.generationId) ? images.map((i) => i.generationId!) : undefined
    })
    await waitFor(async () => ((await Promise.all(ids.map(simRow))).every((r) => r.status === 'processing') ? true : undefined))
    const cancelled = await engine.cancel(jobId)
    expect(cancelled.status).toBe('cancelled')
    const job = await finished(jobId)
    expect(job.images.map((i) => i.state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    for (const id of ids) expect((await simRow(id)).status).toBe('cancelled')
    expect(log.filter((e) => e.method === 'DELETE')).toHaveLength(3)
    await expectLibraryHolds(job, 0)
    expectNoDuplicateEnqueue(job, 1)
  })

  it('each saved image carries its generation’s cost from Oxen', async () => {
    await startSim()
    await loadForm()
    const { engine, finished } = makeEngine()
    const { jobId } = await engine.generate({ modelId: MODEL, prompt: 'what did it cost', count: 2, params: PARAMS })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    // Known by the time the image is reported saved.
    for (const image of job.images) expect(world.library.getImage(image.imageId!)!.cost).toBe('0.035')
    await expectLibraryHolds(job, 2)
  })
})
