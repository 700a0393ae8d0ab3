// The job engine: one request of N images → ⌈N/4⌉ enqueues; results by SSE with polling as the
// fallback; each image streamed to a temp file, then saved into the library exactly once.
import { randomUUID } from 'node:crypto'
import type { GenerateRequest, ImageState, Job, JobImage, JobStatus, ModelForm, ParamValue } from '../../shared/domain'
import { GenerateRequestSchema } from '../../shared/domain'
import { AppFailure, toAppError } from './errors'
import type { Library } from './library'
import { buildModelFields } from './model-form'
import { backoffMs, TERMINAL_STATUSES, type CompletionEvent, type OxenClient } from './oxen-client'

/** Oxen's cap on num_generations per enqueue (API.md §3, §8). */
export const MAX_PER_ENQUEUE = 4

/** Splits N images into enqueue sizes: 15 → [4, 4, 4, 3]. */
export function splitIntoEnqueues(count: number): number[] {
  const sizes: number[] = []
  for (let left = count; left > 0; left -= MAX_PER_ENQUEUE) sizes.push(Math.min(MAX_PER_ENQUEUE, left))
  return sizes
}

export interface JobEngineDeps {
  client: () => OxenClient
  library: Library
  modelForm: () => Promise<ModelForm>
  maxConcurrentDownloads: () => number
  onJobUpdate: (job: Job) => void
  onLibraryChanged: (imageIds: string[]) => void
  /** How often unfinished generations are polled while the event stream is down (ms). */
  pollIntervalMs?: number
  /** How often they are polled anyway while it is up, in case an event was missed (ms). */
  safetyPollMs?: number
  /** Download attempts per image before it is marked failed. */
  downloadAttempts?: number
}

const FINAL_IMAGE_STATES = new Set<ImageState>(['saved', 'failed', 'cancelled'])

interface Slot {
  jobId: string
  index: number
  lastPolledAt: number
}

export class JobEngine {
  private readonly jobs = new Map<string, Job>()
  private readonly slots = new Map<string, Slot>() // by generation id
  private readonly cancelled = new Set<string>()
  private readonly pollIntervalMs: number
  private readonly safetyPollMs: number
  private readonly downloadAttempts: number
  private streamConnected = false
  private streamLoop: Promise<void> | null = null
  private streamAbort: AbortController | null = null
  private readonly streamWaiters = new Set<() => void>()
  private pollTimer: NodeJS.Timeout | null = null
  private disposed = false
  private downloadsRunning = 0
  private readonly downloadQueue: (() => void)[] = []
  private readonly lastEmit = new Map<string, number>()

  constructor(private readonly deps: JobEngineDeps) {
    this.pollIntervalMs = deps.pollIntervalMs ?? 3000
    this.safetyPollMs = deps.safetyPollMs ?? 20_000
    this.downloadAttempts = deps.downloadAttempts ?? 3
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt).map(cloneJob)
  }

  async generate(input: GenerateRequest): Promise<{ jobId: string }> {
    const req = GenerateRequestSchema.parse(input)
    if (req.references.length > 0) {
      throw new AppFailure('invalid-input', 'Reference images are not supported in this version yet. Remove them and try again.')
    }
    const client = this.deps.client()
    const form = await this.deps.modelForm()
    const fields = buildModelFields(form, req.prompt, req.params)
    const job: Job = {
      id: randomUUID(),
      createdAt: Date.now(),
      modelId: form.modelId,
      prompt: req.prompt,
      count: req.count,
      params: req.params,
      references: req.references,
      status: 'running',
      images: Array.from({ length: req.count }, (_, index) => ({ index, state: 'pending' as const })),
    }
    const { prompt: _prompt, ...request } = fields
    this.deps.library.recordJob({ ...job, request: { model: form.modelId, ...request } })
    this.jobs.set(job.id, job)
    this.emit(job, true)

    // Connect before enqueueing: SSE does not replay events sent before we listen (API.md §6).
    this.ensureStream()
    await this.waitForStream(2000)

    let next = 0
    for (const size of splitIntoEnqueues(req.count)) {
      if (this.cancelled.has(job.id)) break
      const indexes = Array.from({ length: size }, (_, i) => next + i)
      next += size
      try {
        const ids = await client.enqueue({ model: form.modelId, ...fields, num_generations: size })
        ids.slice(0, size).forEach((generationId, i) => this.attach(job, indexes[i] as number, generationId))
      } catch (error) {
        // Enqueue errors (bad key, no credit, bad params) would repeat for the rest: stop here.
        const message = toAppError(error).message
        for (const image of job.images) if (image.state === 'pending') Object.assign(image, { state: 'failed', error: message })
        job.error = message
        break
      }
    }
    this.settle(job)
    this.schedulePoll()
    return { jobId: job.id }
  }

  async cancel(jobId: string): Promise<Job> {
    const job = this.jobs.get(jobId)
    if (!job) throw new AppFailure('not-found', 'That job is no longer in the list.')
    this.cancelled.add(jobId)
    const client = this.deps.client()
    await Promise.all(
      job.images.map(async (image) => {
        if (FINAL_IMAGE_STATES.has(image.state) || image.state === 'downloading') return
        if (image.generationId) await client.cancel(image.generationId).catch(() => false)
        image.state = 'cancelled'
        if (image.generationId) this.deps.library.recordGeneration(this.generationRecord(job, image, 'cancelled'))
      }),
    )
    this.settle(job)
    return cloneJob(job)
  }

  /** Picks up jobs the journal says were unfinished when the app last stopped. */
  resume(): void {
    for (const { job: record, generations } of this.deps.library.unfinishedJobs()) {
      const images: JobImage[] = Array.from({ length: record.count }, (_, index) => ({ index, state: 'failed', error: 'It was not sent to Oxen before Atelier stopped.' }))
      const job: Job = { id: record.id, createdAt: record.createdAt, modelId: record.modelId, prompt: record.prompt, count: record.count, params: record.params, references: [], status: 'running', images }
      this.jobs.set(job.id, job)
      for (const gen of generations) {
        const image = images[gen.index]
        if (!image) continue
        delete image.error
        image.generationId = gen.id
        const saved = this.deps.library.imageForGeneration(gen.id)
        if (saved) Object.assign(image, { state: 'saved', imageId: saved.id, thumbUrl: saved.thumbUrl })
        else if (gen.status === 'failed' || gen.status === 'cancelled') Object.assign(image, { state: gen.status, error: gen.error ?? undefined })
        else {
          image.state = 'queued'
          this.slots.set(gen.id, { jobId: job.id, index: gen.index, lastPolledAt: 0 })
          if (gen.resultUrl) this.startDownload(job, image, gen.resultUrl)
        }
      }
      this.settle(job)
    }
    if (this.hasWork()) {
      this.ensureStream()
      this.schedulePoll(0)
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.streamAbort?.abort()
    await this.streamLoop?.catch(() => undefined)
  }

  // ---------- generations ----------

  private attach(job: Job, index: number, generationId: string): void {
    const image = job.images[index]
    if (!image) return
    image.generationId = generationId
    image.state = 'queued'
    this.slots.set(generationId, { jobId: job.id, index, lastPolledAt: Date.now() })
    this.deps.library.recordGeneration(this.generationRecord(job, image, 'queued'))
    this.emit(job, true)
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
    if (!found) return
    const { job, image } = found
    if (image.state !== 'queued' && image.state !== 'processing') return
    if (event.status === 'succeeded' && event.url) {
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

  private startDownload(job: Job, image: JobImage, url: string): void {
    image.state = 'downloading'
    image.progress = 0
    this.emit(job, true)
    const run = async () => {
      const client = this.deps.client()
      let lastError: unknown
      for (let attempt = 0; attempt < this.downloadAttempts && !this.disposed; attempt++) {
        const temp = this.deps.library.tempFilePath(extensionFor(job.params))
        try {
          await client.download(url, temp, {
            onProgress: (received, total) => {
              if (total) image.progress = Math.min(1, received / total)
              this.emit(job)
            },
          })
          const saved = await this.deps.library.saveImage({ jobId: job.id, generationId: image.generationId!, index: image.index, tempPath: temp })
          this.finishSlot(job, image, { state: 'saved', imageId: saved.id, thumbUrl: saved.thumbUrl })
          this.deps.onLibraryChanged([saved.id])
          return
        } catch (error) {
          lastError = error
          await sleepMs(backoffMs(attempt, 300, 3000))
        }
      }
      if (this.disposed) return
      this.finishSlot(job, image, { state: 'failed', error: `The image was made but could not be downloaded: ${toAppError(lastError).message}` })
    }
    this.withDownloadSlot(run)
  }

  private withDownloadSlot(task: () => Promise<void>): void {
    const start = () => {
      this.downloadsRunning++
      void task().finally(() => {
        this.downloadsRunning--
        this.downloadQueue.shift()?.()
      })
    }
    if (this.downloadsRunning < this.deps.maxConcurrentDownloads()) start()
    else this.downloadQueue.push(start)
  }

  private settle(job: Job): void {
    const states = job.images.map((i) => i.state)
    if (states.every((s) => FINAL_IMAGE_STATES.has(s))) {
      const saved = states.filter((s) => s === 'saved').length
      const status: JobStatus =
        saved === job.count ? 'completed' : saved > 0 ? 'partial' : states.includes('cancelled') ? 'cancelled' : 'failed'
      if (status === 'failed' && !job.error) job.error = job.images.find((i) => i.error)?.error ?? 'The job failed.'
      if (job.status !== status) {
        job.status = status
        this.deps.library.updateJobStatus(job.id, status, job.error ?? null)
      }
    }
    this.emit(job, true)
    if (!this.hasWork()) this.streamAbort?.abort()
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

  private async runStream(): Promise<void> {
    for (let attempt = 0; !this.disposed && this.hasWork(); attempt++) {
      const abort = new AbortController()
      this.streamAbort = abort
      try {
        await this.deps.client().streamEvents({
          signal: abort.signal,
          onOpen: () => {
            this.streamConnected = true
            attempt = 0
            for (const wake of this.streamWaiters) wake()
            // Events sent while we were away are lost: poll everything unfinished once.
            this.schedulePoll(0, true)
          },
          onCompletion: (event) => this.complete(event),
        })
      } catch {
        // Dropped or refused: polling covers until we are back.
      }
      this.streamConnected = false
      if (this.disposed || !this.hasWork()) break
      this.schedulePoll(0)
      await sleepMs(backoffMs(attempt, 500, 15_000))
    }
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
    const due = [...this.slots.entries()].filter(([, slot]) => {
      const job = this.jobs.get(slot.jobId)
      const state = job?.images[slot.index]?.state
      if (state !== 'queued' && state !== 'processing') return false
      return all || !this.streamConnected || now - slot.lastPolledAt >= this.safetyPollMs
    })
    const client = this.deps.client()
    await Promise.all(
      due.map(async ([generationId, slot]) => {
        slot.lastPolledAt = Date.now()
        try {
          const row = await client.getGeneration(generationId)
          if (row.missing) {
            this.complete({ generationId, status: 'failed', url: null, error: 'Oxen no longer knows this generation.' })
          } else if (row.status === 'succeeded' || row.status === 'failed') {
            this.complete({ generationId, status: row.status, url: row.resultUrl, error: row.error })
          } else if (row.status === 'cancelled') {
            const found = this.lookup(generationId)
            if (found) this.finishSlot(found.job, found.image, { state: 'cancelled' })
          } else if (!TERMINAL_STATUSES.has(row.status)) {
            const found = this.lookup(generationId)
            if (found && row.status === 'processing' && found.image.state === 'queued') {
              found.image.state = 'processing'
              this.emit(found.job, true)
            }
          }
        } catch {
          // A failed poll is retried on the next tick.
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

function extensionFor(params: Record<string, ParamValue>): string {
  const format = params.output_format
  return format === 'jpeg' || format === 'jpg' ? 'jpg' : format === 'webp' ? 'webp' : 'png'
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.())

function cloneJob(job: Job): Job {
  return { ...job, params: { ...job.params }, images: job.images.map((i) => ({ ...i })) }
}
