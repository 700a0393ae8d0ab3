// The job engine: one request of N images → ⌈N/4⌉ enqueues; results by SSE with polling as the
// fallback; each image streamed to a temp file, then saved into the library exactly once. Every
// generation id and every send attempt is journaled first, so a restart resumes without paying twice.
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { GenerateRequest, ImageState, Job, JobImage, JobStatus, ModelForm, ParamValue, ReferenceSupply } from '../../../shared/domain'
import { GenerateRequestSchema } from '../../../shared/domain'
import { AppFailure, toAppError } from '../errors'
import type { EnqueueRecord, Library } from '../library/library'
import { buildModelFields } from '../oxen/model-form'
import { backoffMs, OxenHttpFailure, retryAfterOf, TERMINAL_STATUSES, type CompletionEvent, type EnqueueOutcome, type OxenClient } from '../oxen/client'

/** Oxen's cap on num_generations per enqueue (API.md §3, §8). */
export const MAX_PER_ENQUEUE = 4

/** Splits N images into enqueue sizes: 15 → [4, 4, 4, 3]. */
export function splitIntoEnqueues(count: number): number[] {
  const sizes: number[] = []
  for (let left = count; left > 0; left -= MAX_PER_ENQUEUE) sizes.push(Math.min(MAX_PER_ENQUEUE, left))
  return sizes
}

export interface ResolvedReferences {
  urls: string[]
  supply: ReferenceSupply
  note?: string
}

export interface JobEngineDeps {
  client: () => OxenClient
  library: Library
  modelForm: () => Promise<ModelForm>
  /** URLs Oxen can fetch for reference images (by hash), uploaded or inlined. */
  resolveReferences?: (hashes: string[]) => Promise<ResolvedReferences>
  maxConcurrentDownloads: () => number
  maxConcurrentJobs: () => number
  onJobUpdate: (job: Job) => void
  onLibraryChanged: (imageIds: string[]) => void
  /** How often unfinished generations are polled while the event stream is down (ms). */
  pollIntervalMs?: number
  /** How often they are polled anyway while it is up, in case an event was missed (ms). */
  safetyPollMs?: number
  /** Download attempts per image before it is marked failed. */
  downloadAttempts?: number
  /** Sends of one enqueue that was certainly not accepted (429/503/no connection) before giving up. */
  enqueueAttempts?: number
  /** Base delay for backoff between those sends, queue look-ups, download retries and stream reconnects (ms). */
  retryBaseMs?: number
  /**
   * No bytes for this long on the result stream or a download means the connection is dead (ms). Must be
   * longer than Oxen's 15 s keep-alive interval; tests shorten both.
   */
  readTimeoutMs?: number
}

const FINAL_IMAGE_STATES = new Set<ImageState>(['saved', 'failed', 'cancelled', 'unconfirmed'])
const IN_FLIGHT = new Set<ImageState>(['queued', 'processing'])

/** Longest wait honoured from a Retry-After header (ms). */
const MAX_RETRY_AFTER_MS = 60_000
/** A stream that stayed up this long had worked: reconnect without the accumulated backoff (ms). */
const STREAM_HEALTHY_MS = 15_000

/** Why an enqueue's outcome is unknown, as the start of a sentence. */
function unconfirmedCause(outcome: EnqueueOutcome & { kind: 'unknown' }): string {
  const error = outcome.error
  if (error instanceof OxenHttpFailure) return `Oxen answered with a server error (${[error.status, STATUS_CODES[error.status]].filter(Boolean).join(' ')})`
  if (error.code === 'unreachable') return 'The connection to Oxen dropped before it answered'
  return 'Oxen’s answer was cut off'
}

function unconfirmedMessage(cause: string): string {
  return `${cause}, and these images do not show in your Oxen queue. They may have been submitted (and billed): check your Oxen usage, or choose Send again to send them again.`
}

interface Slot {
  jobId: string
  index: number
  lastPolledAt: number
}

/** What a job needs to (re)send its enqueues. Rebuilt from the journal after a restart. */
interface Submission {
  body: Record<string, unknown>
  referenceSupply?: ReferenceSupply
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>()
  private readonly submissions = new Map<string, Submission>()
  private readonly slots = new Map<string, Slot>() // by generation id
  private readonly cancelled = new Set<string>()
  private readonly pollIntervalMs: number
  private readonly safetyPollMs: number
  private readonly downloadAttempts: number
  private readonly enqueueAttempts: number
  private readonly retryBaseMs: number
  private readonly readTimeoutMs: number
  /** Aborted by dispose(): ends waits, the stream and downloads in progress. */
  private readonly lifetime = new AbortController()
  private readonly downloadsInFlight = new Set<Promise<void>>()
  private readonly polling = new Set<string>() // generation ids with a poll in flight
  private streamConnected = false
  private streamLoop: Promise<void> | null = null
  private streamAbort: AbortController | null = null
  private readonly streamWaiters = new Set<() => void>()
  private pollTimer: NodeJS.Timeout | null = null
  private disposed = false
  private downloadsRunning = 0
  private readonly downloadQueue: (() => void)[] = []
  private jobsSubmitting = 0
  private readonly jobQueue: (() => void)[] = []
  private readonly lastEmit = new Map<string, number>()
  /**
   * Completions for ids not attached yet: a fast generation can finish (and its SSE event arrive) before the
   * enqueue's own answer has been read. Kept briefly, then applied on attach.
   */
  private readonly early = new Map<string, { event: CompletionEvent; at: number }>()

  constructor(private readonly deps: JobEngineDeps) {
    this.pollIntervalMs = deps.pollIntervalMs ?? 3000
    this.safetyPollMs = deps.safetyPollMs ?? 20_000
    this.downloadAttempts = deps.downloadAttempts ?? 4
    this.enqueueAttempts = deps.enqueueAttempts ?? 5
    this.retryBaseMs = deps.retryBaseMs ?? 1000
    this.readTimeoutMs = deps.readTimeoutMs ?? 45_000
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt).map(cloneJob)
  }

  /** Records the job, then sends it (waiting for a free job slot) and returns once it is under way. */
  async generate(input: GenerateRequest): Promise<{ jobId: string }> {
    const req = GenerateRequestSchema.parse(input)
    const form = await this.deps.modelForm()
    let references: ResolvedReferences | undefined
    if (req.references.length > 0) {
      if (!this.deps.resolveReferences) throw new AppFailure('invalid-input', 'Reference images are not available here.')
      references = await this.deps.resolveReferences(req.references)
    }
    const fields = buildModelFields(form, req.prompt, req.params, references?.urls ?? [])
    const job: Job = {
      id: randomUUID(),
      createdAt: Date.now(),
      modelId: form.modelId,
      prompt: req.prompt,
      count: req.count,
      params: req.params,
      references: req.references,
      ...(references ? { referenceSupply: references.supply } : {}),
      ...(references?.note ? { referenceNote: references.note } : {}),
      status: 'running',
      images: Array.from({ length: req.count }, (_, index) => ({ index, state: 'pending' as const })),
    }
    const body = { model: form.modelId, ...fields }
    this.deps.library.recordJob({
      id: job.id,
      createdAt: job.createdAt,
      modelId: job.modelId,
      prompt: job.prompt,
      count: job.count,
      params: job.params,
      references: job.references,
      referenceSupply: job.referenceSupply ?? null,
      // The journal keeps what is needed to send again, not the (possibly huge) inlined reference bytes.
      request: withoutReferences(body, form),
    })
    this.jobs.set(job.id, job)
    this.submissions.set(job.id, { body, ...(references ? { referenceSupply: references.supply } : {}) })
    this.emit(job, true)
    await this.withJobSlot(() => this.submit(job, job.images.map((i) => i.index)))
    return { jobId: job.id }
  }

  async cancel(jobId: string): Promise<Job> {
    const job = this.requireJob(jobId)
    this.cancelled.add(jobId)
    await this.cancelUnfinished(job)
    return cloneJob(job)
  }

  /** DELETEs every generation of a cancelled job that is not made yet; images already made are kept. */
  private async cancelUnfinished(job: Job): Promise<void> {
    const client = this.deps.client()
    await Promise.all(
      job.images.map(async (image) => {
        if (FINAL_IMAGE_STATES.has(image.state) && image.state !== 'unconfirmed') return
        if (image.state === 'downloading') return // made and paid for: keep it
        if (image.generationId) await client.cancel(image.generationId).catch(() => false)
        this.finishSlot(job, image, { state: 'cancelled' })
        if (image.generationId) this.deps.library.recordGeneration(this.generationRecord(job, image, 'cancelled'))
      }),
    )
    this.settle(job)
  }

  /** The user chose to send unconfirmed images again, accepting they may be billed twice. */
  async retryUnconfirmed(jobId: string): Promise<Job> {
    const job = this.requireJob(jobId)
    const indexes = job.images.filter((i) => i.state === 'unconfirmed').map((i) => i.index)
    if (indexes.length === 0) throw new AppFailure('invalid-input', 'Nothing in this job is waiting to be sent again.')
    for (const index of indexes) Object.assign(job.images[index]!, { state: 'pending', error: undefined })
    delete job.error
    this.cancelled.delete(jobId)
    this.setStatus(job, 'running')
    await this.withJobSlot(() => this.submit(job, indexes))
    return cloneJob(job)
  }

  /** Picks up jobs the journal says were unfinished when the app last stopped. Re-sends nothing that was sent. */
  async resume(): Promise<void> {
    this.deps.library.sweepTemp(0) // no download is in progress yet: any temp file is a leftover
    const unfinished = this.deps.library.unfinishedJobs()
    // Images whose enqueue was sent but never answered (look in the queue), and ones never sent at all.
    const lost: { job: Job; indexes: number[]; sentAt: number }[] = []
    const unsent: { job: Job; indexes: number[] }[] = []
    for (const { job: record, generations, enqueues } of unfinished) {
      const images: JobImage[] = Array.from({ length: record.count }, (_, index) => ({ index, state: 'pending', resumed: true }))
      const job: Job = {
        id: record.id,
        createdAt: record.createdAt,
        modelId: record.modelId,
        prompt: record.prompt,
        count: record.count,
        params: record.params,
        references: record.references,
        ...(record.referenceSupply ? { referenceSupply: record.referenceSupply } : {}),
        status: 'running',
        images,
      }
      this.jobs.set(job.id, job)
      for (const gen of generations) {
        const image = images[gen.index]
        if (!image) continue
        image.generationId = gen.id
        const saved = this.deps.library.imageForGeneration(gen.id)
        if (saved) Object.assign(image, { state: 'saved', imageId: saved.id, url: saved.url, thumbUrl: saved.thumbUrl })
        else if (gen.status === 'failed' || gen.status === 'cancelled') Object.assign(image, { state: gen.status, ...(gen.error ? { error: gen.error } : {}) })
        else {
          image.state = 'queued'
          this.slots.set(gen.id, { jobId: job.id, index: gen.index, lastPolledAt: 0 })
          if (gen.status === 'succeeded' && gen.resultUrl) this.startDownload(job, image, gen.resultUrl)
        }
      }
      const never: number[] = []
      for (const chunk of chunksOf(job)) {
        const pending = chunk.filter((i) => images[i]!.state === 'pending')
        if (pending.length === 0) continue
        const attempt = enqueues.find((e) => e.firstIndex === chunk[0])
        if (!attempt) never.push(...pending) // never sent: nothing was billed
        else if (attempt.state === 'rejected') for (const i of pending) Object.assign(images[i]!, { state: 'failed', error: attempt.error ?? 'Oxen refused the request.' })
        else lost.push({ job, indexes: pending, sentAt: attempt.sentAt })
      }
      if (never.length > 0) unsent.push({ job, indexes: never })
      this.emit(job, true)
    }
    for (const { job, indexes, sentAt } of lost) await this.reconcileOrMarkUnconfirmed(job, indexes, sentAt, 'Atelier stopped before Oxen answered')
    for (const { job, indexes } of unsent) {
      await this.withJobSlot(async () => {
        await this.rebuildSubmission(job)
        await this.submit(job, indexes)
      })
    }
    for (const job of this.jobs.values()) this.settle(job)
    if (this.hasWork()) {
      this.ensureStream()
      this.schedulePoll(0)
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.lifetime.abort()
    this.streamAbort?.abort()
    await this.streamLoop?.catch(() => undefined)
    // Downloads stop and remove their temp files; anything half done is fetched again after resume().
    await Promise.allSettled([...this.downloadsInFlight])
  }

  /** Sleeps, but wakes at once when the engine is disposed. */
  private pause(ms: number): Promise<void> {
    const signal = this.lifetime.signal
    if (signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      timer.unref?.()
      signal.addEventListener('abort', done, { once: true })
    })
  }

  // ---------- sending ----------

  private requireJob(jobId: string): Job {
    const job = this.jobs.get(jobId)
    if (!job) throw new AppFailure('not-found', 'That job is no longer in the list.')
    return job
  }

  /** Sends the given images of a job as enqueues of at most four. */
  private async submit(job: Job, indexes: number[]): Promise<void> {
    // Connect before enqueueing: SSE does not replay events sent before we listen (API.md §6).
    this.ensureStream()
    await this.waitForStream(2000)
    const submission = this.submissions.get(job.id)
    if (!submission) throw new AppFailure('internal', 'The job’s request is missing.')
    for (let start = 0; start < indexes.length; start += MAX_PER_ENQUEUE) {
      if (this.cancelled.has(job.id) || this.disposed) break
      const chunk = indexes.slice(start, start + MAX_PER_ENQUEUE)
      const stop = await this.sendChunk(job, chunk, submission.body)
      if (stop) {
        // Rejections (bad key, no credit, bad params) would repeat for the rest.
        for (const i of indexes) if (job.images[i]!.state === 'pending') Object.assign(job.images[i]!, { state: 'failed', error: job.error })
        break
      }
    }
    this.settle(job)
    this.schedulePoll()
  }

  /** One enqueue. Resent only while it certainly was not accepted; returns true when the job should stop. */
  private async sendChunk(job: Job, chunk: number[], body: Record<string, unknown>): Promise<boolean> {
    const record: EnqueueRecord = { jobId: job.id, firstIndex: chunk[0]!, size: chunk.length, sentAt: Date.now(), state: 'sending' }
    this.deps.library.recordEnqueue(record)
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.deps.client().enqueue({ ...body, num_generations: chunk.length })
      if (outcome.kind === 'accepted') {
        this.deps.library.recordEnqueue({ ...record, state: 'accepted' })
        outcome.ids.slice(0, chunk.length).forEach((id, i) => this.attach(job, chunk[i]!, id))
        // Cancelled while the request was on its way: stop what Oxen just started.
        if (this.cancelled.has(job.id)) await this.cancelUnfinished(job)
        return false
      }
      if (outcome.kind === 'not-accepted' && attempt + 1 < this.enqueueAttempts && !this.cancelled.has(job.id) && !this.disposed) {
        await this.pause(Math.min(outcome.retryAfterMs ?? backoffMs(attempt, this.retryBaseMs, this.retryBaseMs * 16), MAX_RETRY_AFTER_MS))
        if (this.cancelled.has(job.id) || this.disposed) return false // nothing was sent; submit() stops here
        continue
      }
      if (outcome.kind === 'unknown') {
        this.deps.library.recordEnqueue({ ...record, state: 'unknown' })
        await this.reconcileOrMarkUnconfirmed(job, chunk, record.sentAt, unconfirmedCause(outcome))
        if (this.cancelled.has(job.id)) await this.cancelUnfinished(job)
        return false
      }
      const message =
        outcome.kind === 'not-accepted' && outcome.error.code !== 'unreachable' && outcome.error.code !== 'no-key'
          ? 'Oxen is too busy to take new images right now. Try again in a minute.'
          : outcome.error.message
      this.deps.library.recordEnqueue({ ...record, state: 'rejected', error: message })
      for (const i of chunk) Object.assign(job.images[i]!, { state: 'failed', error: message })
      job.error = message
      return true
    }
  }

  /**
   * The answer to an enqueue was lost: adopt its generations from the queue listing, if they are there.
   * `cause` starts the sentence shown for images that stay unconfirmed.
   */
  private async reconcileOrMarkUnconfirmed(job: Job, chunk: number[], sentAt: number, cause: string): Promise<void> {
    const message = unconfirmedMessage(cause)
    const known = new Set<string>()
    for (const j of this.jobs.values()) for (const image of j.images) if (image.generationId) known.add(image.generationId)
    for (let look = 0; look < 3 && !this.disposed; look++) {
      if (look > 0) await this.pause(this.retryBaseMs * look)
      try {
        const found = (await this.deps.client().findRecentGenerations(job.modelId, job.prompt, sentAt)).filter((g) => !known.has(g.id))
        if (found.length > 0) {
          found.slice(0, chunk.length).forEach((g, i) => this.attach(job, chunk[i]!, g.id))
          this.deps.library.recordEnqueue({ jobId: job.id, firstIndex: chunk[0]!, size: chunk.length, sentAt, state: 'accepted' })
          // Anything the listing did not show stays unconfirmed.
          for (const i of chunk.slice(found.length)) Object.assign(job.images[i]!, { state: 'unconfirmed', error: message })
          return
        }
      } catch {
        // The queue could not be read: try again, then give up below.
      }
    }
    if (this.disposed) return // the journal says 'unknown': resume() looks again
    for (const i of chunk) Object.assign(job.images[i]!, { state: 'unconfirmed', error: message })
    job.error = message
  }

  /** After a restart: the body to send, from the journaled request plus freshly resolved references. */
  private async rebuildSubmission(job: Job): Promise<void> {
    if (this.submissions.has(job.id)) return
    const form = await this.deps.modelForm()
    const record = this.deps.library.jobRequest(job.id)
    const references = job.references.length > 0 && this.deps.resolveReferences ? await this.deps.resolveReferences(job.references) : undefined
    const fields = buildModelFields(form, job.prompt, job.params, references?.urls ?? [])
    this.submissions.set(job.id, { body: { ...record, model: job.modelId, ...fields } })
  }

  private withJobSlot(task: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const start = () => {
        this.jobsSubmitting++
        task()
          .then(resolve, reject)
          .finally(() => {
            this.jobsSubmitting--
            this.jobQueue.shift()?.()
          })
      }
      if (this.jobsSubmitting < this.deps.maxConcurrentJobs()) start()
      else this.jobQueue.push(start)
    })
  }

  // ---------- generations ----------

  private attach(job: Job, index: number, generationId: string): void {
    const image = job.images[index]
    if (!image) return
    image.generationId = generationId
    image.state = 'queued'
    delete image.error
    this.slots.set(generationId, { jobId: job.id, index, lastPolledAt: Date.now() })
    this.deps.library.recordGeneration(this.generationRecord(job, image, 'queued'))
    this.emit(job, true)
    const early = this.early.get(generationId)
    if (early) {
      this.early.delete(generationId)
      this.complete(early.event)
    }
  }

  private lookup(generationId: string): { job: Job; image: JobImage } | null {
    const slot = this.slots.get(generationId)
    const job = slot && this.jobs.get(slot.jobId)
    const image = job?.images[slot!.index]
    return job && image ? { job, image } : null
  }

  /** Both SSE and polling land here; an image leaves the queued/processing states exactly once. */
  private complete(event: CompletionEvent): void {
    const found = this.lookup(event.generationId)
    if (!found) {
      // Another app on the same account, or one of ours whose enqueue answer is still on its way.
      const now = Date.now()
      for (const [id, { at }] of this.early) if (now - at > 120_000) this.early.delete(id)
      if (this.early.size < 1000) this.early.set(event.generationId, { event, at: now })
      return
    }
    const { job, image } = found
    if (!IN_FLIGHT.has(image.state)) return
    if (event.status === 'succeeded') {
      this.deps.library.recordGeneration({ ...this.generationRecord(job, image, 'succeeded'), resultUrl: event.url })
      this.startDownload(job, image, event.url)
    } else {
      const reason = event.error ?? 'Oxen did not say why.'
      this.finishSlot(job, image, { state: 'failed', error: `Oxen could not make this image: ${reason}` })
      this.deps.library.recordGeneration({ ...this.generationRecord(job, image, 'failed'), error: reason })
    }
  }

  private finishSlot(job: Job, image: JobImage, patch: Partial<JobImage>): void {
    Object.assign(image, patch)
    delete image.progress
    if (image.generationId) this.slots.delete(image.generationId)
    this.settle(job)
  }

  /**
   * Streams the result to a temp file, then saves it. A failed try (connection, size, undecodable file,
   * expired link) is retried after a backoff (or Retry-After) with a fresh URL from the generation record.
   */
  private startDownload(job: Job, image: JobImage, url: string | null): void {
    image.state = 'downloading'
    image.progress = 0
    this.emit(job, true)
    const generationId = image.generationId!
    const run = async (release: () => void) => {
      const client = this.deps.client()
      let lastError: unknown
      let saving = false
      let currentUrl = url
      for (let attempt = 0; attempt < this.downloadAttempts && !this.disposed; attempt++) {
        if (attempt > 0) await this.pause(Math.min(retryAfterOf(lastError) ?? backoffMs(attempt, this.retryBaseMs / 2, this.retryBaseMs * 4), MAX_RETRY_AFTER_MS))
        if (attempt > 0 || !currentUrl) {
          // Result URLs expire: read the generation again for a fresh one.
          currentUrl = (await client.getGeneration(generationId, this.lifetime.signal).catch(() => null))?.resultUrl ?? currentUrl
        }
        if (this.disposed) return
        if (!currentUrl) {
          lastError = new AppFailure('oxen-error', 'Oxen did not give a download link for it.')
          continue
        }
        const temp = this.deps.library.tempFilePath(extensionFor(job.params))
        saving = false
        try {
          await client.download(currentUrl, temp, {
            signal: this.lifetime.signal,
            readTimeoutMs: this.readTimeoutMs,
            onProgress: (received, total) => {
              if (total) image.progress = Math.min(1, received / total)
              this.emit(job)
            },
          })
          saving = true // from here a failure is the file's, not the connection's
          release() // decoding and saving need no network: let the next download start
          const saved = await this.deps.library.saveImage({ jobId: job.id, generationId, index: image.index, tempPath: temp })
          await this.recordCost(saved.id, generationId) // known by the time the image shows as saved
          this.finishSlot(job, image, { state: 'saved', imageId: saved.id, url: saved.url, thumbUrl: saved.thumbUrl })
          this.deps.onLibraryChanged([saved.id])
          return
        } catch (error) {
          lastError = error
        }
      }
      if (this.disposed) return
      this.finishSlot(job, image, { state: 'failed', error: downloadFailure(lastError, saving) })
    }
    this.withDownloadSlot(run)
  }

  private async recordCost(imageId: string, generationId: string): Promise<void> {
    try {
      const cost = await this.deps.client().getCost(generationId, this.lifetime.signal)
      if (cost !== null && !this.disposed) this.deps.library.setImageCost(imageId, cost)
    } catch {
      // The cost is informative; the image is what matters.
    }
  }

  /**
   * Runs `task` holding one of the `maxConcurrentDownloads` network slots. The task may `release` its slot
   * early (once its bytes are on disk) so the next download starts while this one is decoded and saved.
   */
  private withDownloadSlot(task: (release: () => void) => Promise<void>): void {
    const start = () => {
      this.downloadsRunning++
      let held = true
      const release = () => {
        if (!held) return
        held = false
        this.downloadsRunning--
        this.downloadQueue.shift()?.()
      }
      const running = task(release).finally(() => {
        release()
        this.downloadsInFlight.delete(running)
      })
      this.downloadsInFlight.add(running)
    }
    if (this.downloadsRunning < this.deps.maxConcurrentDownloads()) start()
    else this.downloadQueue.push(start)
  }

  private settle(job: Job): void {
    if (this.disposed) return // the journal stays as it was: resume() picks the job up
    const states = job.images.map((i) => i.state)
    if (states.every((s) => FINAL_IMAGE_STATES.has(s))) {
      const saved = states.filter((s) => s === 'saved').length
      const status: JobStatus =
        saved === job.count ? 'completed' : saved > 0 ? 'partial' : states.includes('cancelled') ? 'cancelled' : 'failed'
      if (status === 'failed' && !job.error) job.error = job.images.find((i) => i.error)?.error ?? 'The job failed.'
      const unconfirmed = job.images.find((i) => i.state === 'unconfirmed')
      if (unconfirmed?.error) job.error = unconfirmed.error
      this.setStatus(job, status)
    }
    this.emit(job, true)
    if (!this.hasWork()) this.streamAbort?.abort()
  }

  private setStatus(job: Job, status: JobStatus): void {
    if (job.status === status) return
    job.status = status
    this.deps.library.updateJobStatus(job.id, status, job.error ?? null)
  }

  private hasWork(): boolean {
    for (const job of this.jobs.values()) if (job.status === 'running') return true
    return false
  }

  private generationRecord(job: Job, image: JobImage, status: string) {
    return { id: image.generationId!, jobId: job.id, index: image.index, status, updatedAt: Date.now() }
  }

  // ---------- results: SSE first, polling as the fallback ----------

  private ensureStream(): void {
    if (this.streamLoop || this.disposed) return
    this.streamLoop = this.runStream().finally(() => {
      this.streamLoop = null
      this.streamConnected = false
    })
  }

  /**
   * Keeps the event stream open while there is work: on a drop, refusal or stall (no bytes for readTimeoutMs)
   * it polls at once and reconnects after a capped, jittered backoff (or the Retry-After Oxen asked for).
   */
  private async runStream(): Promise<void> {
    for (let attempt = 0; !this.disposed && this.hasWork(); attempt++) {
      const abort = new AbortController()
      this.streamAbort = abort
      let openedAt = 0
      let delivered = false
      let retryAfter: number | undefined
      try {
        await this.deps.client().streamEvents({
          signal: abort.signal,
          readTimeoutMs: this.readTimeoutMs,
          onOpen: () => {
            this.streamConnected = true
            openedAt = Date.now()
            this.wakeStreamWaiters()
            // Events sent while we were away are lost: poll everything unfinished once.
            this.schedulePoll(0, true)
          },
          onCompletion: (event) => {
            delivered = true
            this.complete(event)
          },
        })
      } catch (error) {
        // Dropped, refused or stalled: polling covers until we are back.
        retryAfter = retryAfterOf(error)
      }
      this.streamConnected = false
      this.wakeStreamWaiters() // a send waiting for the stream goes ahead: polling covers
      if (delivered || (openedAt > 0 && Date.now() - openedAt >= STREAM_HEALTHY_MS)) attempt = -1 // it worked: start the backoff over
      if (this.disposed || !this.hasWork()) break
      this.schedulePoll(0)
      await this.pause(Math.min(retryAfter ?? backoffMs(attempt, this.retryBaseMs / 2, 15_000), MAX_RETRY_AFTER_MS))
    }
  }

  private wakeStreamWaiters(): void {
    for (const wake of [...this.streamWaiters]) wake()
  }

  private waitForStream(timeoutMs: number): Promise<void> {
    if (this.streamConnected) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.streamWaiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      this.streamWaiters.add(done)
    })
  }

  private schedulePoll(delay = this.pollIntervalMs, all = false): void {
    if (this.disposed) return
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = setTimeout(() => void this.pollOnce(all), delay)
    this.pollTimer.unref?.()
  }

  private async pollOnce(all: boolean): Promise<void> {
    const now = Date.now()
    const due = [...this.slots.entries()].filter(([generationId, slot]) => {
      const state = this.jobs.get(slot.jobId)?.images[slot.index]?.state
      if (!state || !IN_FLIGHT.has(state)) return false
      if (this.polling.has(generationId)) return false // still waiting (e.g. out a Retry-After) on the last poll
      return all || !this.streamConnected || now - slot.lastPolledAt >= this.safetyPollMs
    })
    const client = this.deps.client()
    await Promise.all(
      due.map(async ([generationId, slot]) => {
        slot.lastPolledAt = Date.now()
        this.polling.add(generationId)
        try {
          const row = await client.getGeneration(generationId, this.lifetime.signal)
          if (row.missing) {
            this.complete({ generationId, status: 'failed', url: null, error: 'Oxen no longer knows this generation.' })
          } else if (row.status === 'succeeded' || row.status === 'failed') {
            this.complete({ generationId, status: row.status, url: row.resultUrl, error: row.error })
          } else if (row.status === 'cancelled') {
            const found = this.lookup(generationId)
            if (found && IN_FLIGHT.has(found.image.state)) this.finishSlot(found.job, found.image, { state: 'cancelled' })
          } else if (!TERMINAL_STATUSES.has(row.status)) {
            const found = this.lookup(generationId)
            if (found && row.status === 'processing' && found.image.state === 'queued') {
              found.image.state = 'processing'
              this.emit(found.job, true)
            }
          }
        } catch {
          // A failed poll is retried on the next tick.
        } finally {
          this.polling.delete(generationId)
        }
      }),
    )
    if (this.slots.size > 0) this.schedulePoll(this.streamConnected ? Math.min(this.safetyPollMs, 5000) : this.pollIntervalMs)
  }

  private emit(job: Job, force = false): void {
    const now = Date.now()
    if (!force && now - (this.lastEmit.get(job.id) ?? 0) < 100) return
    this.lastEmit.set(job.id, now)
    this.deps.onJobUpdate(cloneJob(job))
  }
}

/** The enqueue groups of a job, as image indexes: [[0,1,2,3],[4,5]]. */
function chunksOf(job: Job): number[][] {
  const chunks: number[][] = []
  let next = 0
  for (const size of splitIntoEnqueues(job.count)) {
    chunks.push(Array.from({ length: size }, (_, i) => next + i))
    next += size
  }
  return chunks
}

function withoutReferences(body: Record<string, unknown>, form: ModelForm): Record<string, unknown> {
  const imageField = form.fields.find((f) => f.kind === 'images')?.name
  const { prompt: _prompt, ...rest } = body
  if (imageField) delete rest[imageField]
  return rest
}

function extensionFor(params: Record<string, ParamValue>): string {
  const format = params.output_format
  return format === 'jpeg' || format === 'jpg' ? 'jpg' : format === 'webp' ? 'webp' : 'png'
}

/** The message of an image that was made but could not be brought into the library. */
function downloadFailure(error: unknown, whileSaving: boolean): string {
  if (error instanceof OxenHttpFailure && error.status === 403) {
    return 'The image was made, but Oxen refused its download link as expired, also the fresh links Atelier asked for. The image should still be in your Oxen account.'
  }
  const { message } = toAppError(error)
  // The library's own sentence (e.g. an undecodable file) already says what happened and what to do.
  return whileSaving ? message : `The image was made but could not be downloaded: ${message}`
}

function cloneJob(job: Job): Job {
  return { ...job, params: { ...job.params }, references: [...job.references], images: job.images.map((i) => ({ ...i })) }
}
