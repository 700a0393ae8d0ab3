// The job engine: the jobs the app shows, and what moves them. A request of N images is journaled as ⌈N/4⌉
// enqueues before anything is sent (Generate returns then); the sender sends them in a job slot, the watcher
// learns how each generation ends, the downloader brings each image into the library exactly once. After a
// restart, `resume` rebuilds every job from the journal and each goes on by itself, whether or not Oxen answers.
import { randomUUID } from 'node:crypto'
import pLimit from 'p-limit'
import type { GenerateRequest, ImageState, Job, JobImage, JobNeeds, JobNotice, JobStatus, ModelForm, ReferenceSupply } from '../../../shared/domain'
import { GenerateRequestSchema, SEED_PARAM } from '../../../shared/domain'
import type { Checkpoint } from '../checkpoint'
import { AppFailure, toAppError } from '../errors'
import type { Logger } from '../log'
import type { OxenClient } from '../oxen/client'
import { buildRequestBody } from '../oxen/model-form'
import { estimateCost } from '../../../shared/pricing'
import { journalable } from './body'
import { formDefaults, planEnqueues, type PlannedEnqueue } from './plan'
import { Downloader, type ImageSink } from './downloader'
import { cloneJob, endOf, needsOf, pushAttempt, rebuildJob, savedImage, type RebuiltJob } from './job-state'
import type { Journal, JournalEnqueue, ParsedGenerateRequest } from './journal'
import { reconcile, sendEnqueue, STOPPED_BEFORE_ANSWER, type SenderDeps, type SendHooks, type SendResult } from './sender'
import { Waits } from './waits'
import { ResultWatcher, type GenerationResult } from './watcher'

export interface ResolvedReferences {
  urls: string[]
  supply: ReferenceSupply
  note?: string
}

export interface JobEngineDeps {
  client: () => OxenClient
  journal: Journal
  library: ImageSink
  /** A model's form (from the saved catalogue). */
  modelForm: (modelId: string) => Promise<ModelForm>
  /** URLs Oxen can fetch for reference images (by hash), uploaded or inlined. */
  resolveReferences?: (hashes: string[]) => Promise<ResolvedReferences>
  /** Data URIs of stored reference images, for journaled bodies that inline them. */
  referenceDataUris?: (hashes: string[]) => Promise<string[]>
  maxConcurrentDownloads: () => number
  maxConcurrentJobs: () => number
  onJobUpdate: (job: Job) => void
  onLibraryChanged: (imageIds: string[]) => void
  log: Logger
  checkpoint?: Checkpoint
  /** How often unfinished generations are polled while the event stream is down (ms). */
  pollIntervalMs?: number
  /** How often they are polled anyway while it is up, in case an event was missed (ms). */
  safetyPollMs?: number
  /** Download tries per image before it is marked failed. */
  downloadAttempts?: number
  /** Sends of one enqueue Oxen turned away as busy (429/503) before its images fail. */
  enqueueAttempts?: number
  /** How long after a send whose answer was lost its generations are looked for in the queue (ms). */
  reconcileWindowMs?: number
  /** Base delay for backoff between sends, queue look-ups, download retries and stream reconnects (ms). */
  retryBaseMs?: number
  /** No bytes for this long on the result stream or a download means the connection is dead (ms). */
  readTimeoutMs?: number
}

const IN_FLIGHT: ReadonlySet<ImageState> = new Set(['queued', 'processing'])
/** Shown on a running job whose images Oxen is making while the result stream is down (polling covers meanwhile). */
export const RECONNECTING_NOTICE = 'Reconnecting to Oxen — checking on these images every few seconds meanwhile'
/** Finished jobs shown again after a restart (running ones always are). */
const RECENT_JOBS = 50
/** The same request again within this long is a double press: it returns the first job (ms). */
const DOUBLE_SUBMIT_MS = 1000
/** How long dispose() waits for POSTs already on their way, so their outcome is journaled (ms). */
const DISPOSE_GRACE_MS = 10_000
/**
 * While the stream is up, each unfinished generation is still polled this often (ms): a stream can stall without
 * closing, and an event missed then would leave a failed image "running" until the stall is noticed. API.md §5
 * suggests polling every 2–5 s; with the stream as the fast path, 8 s bounds how long a missed outcome goes unseen.
 */
const SAFETY_POLL_MS = 8000
/** No bytes on the result stream for this long means it is dead (ms): Oxen sends a keep-alive every 15 s (API.md §6). */
const STREAM_READ_TIMEOUT_MS = 25_000

interface Tracked {
  job: Job
  enqueues: Map<number, JournalEnqueue>
  /** Per image index: the enqueue of its latest try. */
  attemptOf: number[]
  /** Generations Oxen made: a failed image of theirs is downloaded again, never re-sent. */
  made: Set<string>
  cancelled: boolean
  /** The running send loop, if any (one per job at a time). */
  sending: Promise<void> | null
  /** The request the job was made from (Duplicate sends it again); null for jobs journaled before it was kept. */
  request: ParsedGenerateRequest | null
  /** What sending waits for (Oxen busy, offline); the job's notice, before the stream's own. */
  sendNotice: JobNotice | null
}

export class JobEngine {
  private readonly tracked = new Map<string, Tracked>()
  private readonly byGeneration = new Map<string, { jobId: string; index: number }>()
  private readonly recentRequests = new Map<string, { at: number; result: Promise<{ jobId: string }> }>()
  private readonly lastEmit = new Map<string, number>()
  private readonly downloads = new Set<Promise<void>>()
  private readonly waits: Waits
  private readonly watcher: ResultWatcher
  private readonly downloader: Downloader
  private readonly sender: SenderDeps
  private readonly jobSlots = pLimit(1)
  private readonly checkpoint: Checkpoint
  /** The result stream was open and is not now (dropped, stalled, refused) while Oxen is making images. */
  private streamDown = false

  constructor(private readonly deps: JobEngineDeps) {
    this.waits = new Waits(deps.retryBaseMs ?? 1000)
    this.checkpoint = deps.checkpoint ?? (() => undefined)
    const readTimeoutMs = deps.readTimeoutMs ?? 45_000
    this.watcher = new ResultWatcher({
      client: deps.client,
      waits: this.waits,
      hasWork: () => this.hasWork(),
      onResult: (id, result) => this.onResult(id, result),
      log: deps.log,
      pollIntervalMs: deps.pollIntervalMs ?? 3000,
      safetyPollMs: deps.safetyPollMs ?? SAFETY_POLL_MS,
      readTimeoutMs: Math.min(readTimeoutMs, STREAM_READ_TIMEOUT_MS),
      onStreamState: (up) => this.onStreamState(up),
    })
    this.downloader = new Downloader({
      client: deps.client,
      library: deps.library,
      waits: this.waits,
      slots: pLimit(1),
      maxConcurrent: deps.maxConcurrentDownloads,
      attempts: deps.downloadAttempts ?? 4,
      readTimeoutMs,
      log: deps.log,
    })
    this.sender = {
      client: deps.client,
      journal: deps.journal,
      waits: this.waits,
      dataUris: async (hashes) => {
        if (!deps.referenceDataUris) throw new AppFailure('invalid-input', 'Reference images are not available here.')
        return deps.referenceDataUris(hashes)
      },
      busyAttempts: deps.enqueueAttempts ?? 5,
      reconcileWindowMs: deps.reconcileWindowMs ?? 30_000,
      log: deps.log,
      checkpoint: this.checkpoint,
    }
  }

  list(): Job[] {
    return [...this.tracked.values()]
      .map((t) => {
        this.refreshNotice(t)
        return cloneJob(t.job)
      })
      .sort((a, b) => b.createdAt - a.createdAt)
  }

  /** Journals the job and returns; its images are sent in the background (Oxen busy or away holds nothing). */
  generate(input: GenerateRequest): Promise<{ jobId: string }> {
    const req = GenerateRequestSchema.parse(input)
    const key = JSON.stringify([req.modelId, req.prompt, req.count, req.params, req.images, req.seed])
    const now = Date.now()
    for (const [k, r] of this.recentRequests) if (now - r.at > DOUBLE_SUBMIT_MS) this.recentRequests.delete(k)
    const recent = this.recentRequests.get(key)
    if (recent) return recent.result
    const result = this.createJob(req)
    this.recentRequests.set(key, { at: now, result })
    result.catch(() => this.recentRequests.delete(key)) // a refused request can be fixed and sent again at once
    return result
  }

  private async createJob(req: ParsedGenerateRequest): Promise<{ jobId: string }> {
    const form = await this.deps.modelForm(req.modelId)
    // Every image of every field resolved at once (each stored image is uploaded or inlined once), then put back.
    const hashes = [...new Set(Object.values(req.images).flat())]
    let references: ResolvedReferences | undefined
    if (hashes.length > 0) {
      if (!this.deps.resolveReferences) throw new AppFailure('invalid-input', 'Reference images are not available here.')
      references = await this.deps.resolveReferences(hashes)
    }
    const urlOf = new Map(hashes.map((hash, i) => [hash, references!.urls[i]!]))
    const images = Object.fromEntries(Object.entries(req.images).map(([field, list]) => [field, list.map((hash) => urlOf.get(hash)!)]))
    const fields = buildRequestBody(form, { prompt: req.prompt, params: req.params, images })
    const plan = planEnqueues(form, fields, req.count, req.seed)
    const bodyOf = (p: PlannedEnqueue) =>
      journalable({ model: form.modelId, ...p.fields, num_generations: p.indexes.length }, hashes, references?.urls ?? [])
    const estimate = estimateCost(form.price, req.params, req.count, formDefaults(form))
    const job: Job = {
      id: randomUUID(),
      createdAt: Date.now(),
      modelId: form.modelId,
      prompt: req.prompt,
      count: req.count,
      params: req.params,
      references: hashes,
      ...(references ? { referenceSupply: references.supply } : {}),
      ...(references?.note ? { referenceNote: references.note } : {}),
      ...(estimate !== null ? { estimate } : {}),
      status: 'running',
      images: Array.from({ length: req.count }, (_, index) => ({ index, state: 'pending' as const })),
    }
    const ids = this.deps.journal.createJob(
      { ...job, referenceSupply: job.referenceSupply ?? null, referenceNote: job.referenceNote ?? null, estimate: job.estimate ?? null, request: req },
      plan.map((p) => ({ indexes: p.indexes, body: bodyOf(p) })),
    )
    const t: Tracked = {
      job,
      enqueues: new Map(),
      attemptOf: Array(req.count).fill(-1),
      made: new Set(),
      cancelled: false,
      sending: null,
      request: req,
      sendNotice: null,
    }
    plan.forEach((p, k) => {
      const id = ids[k]!
      t.enqueues.set(id, { id, jobId: job.id, indexes: p.indexes, body: bodyOf(p), state: 'pending', sentAt: null, error: null })
      for (const i of p.indexes) t.attemptOf[i] = id
    })
    this.tracked.set(job.id, t)
    this.emit(t, true)
    this.checkpoint('job-journaled')
    this.send(t)
    return { jobId: job.id }
  }

  async cancel(jobId: string): Promise<Job> {
    const t = this.require(jobId)
    t.cancelled = true
    for (const e of t.enqueues.values()) {
      if (e.state === 'pending') this.setEnqueue(e, 'cancelled')
    }
    const client = this.deps.client()
    await Promise.all(
      t.job.images.map(async (image) => {
        if (image.state === 'saved' || image.state === 'failed' || image.state === 'cancelled') return
        if (image.state === 'downloading') return // made and paid for: keep it
        if (image.generationId && IN_FLIGHT.has(image.state)) {
          await client.cancel(image.generationId).catch((error: unknown) => this.deps.log.warn('a generation could not be cancelled', { generationId: image.generationId, error }))
          this.deps.journal.updateGeneration(image.generationId, { status: 'cancelled' })
        }
        this.finish(t, image, { state: 'cancelled' })
      }),
    )
    this.settle(t)
    return cloneJob(t.job)
  }

  /** Send again: the images whose enqueue may or may not have reached Oxen, sent once more at the user's word. */
  async retryUnconfirmed(jobId: string): Promise<Job> {
    const t = this.require(jobId)
    const images = t.job.images.filter((i) => i.state === 'unconfirmed')
    if (images.length === 0) throw new AppFailure('invalid-input', 'Nothing in this job is waiting to be sent again.')
    this.resend(t, images, 'superseded')
    return cloneJob(t.job)
  }

  /** Retry: failed images again. Ones Oxen made are downloaded again (free); the others are enqueued anew (billed). */
  async retryFailed(jobId: string): Promise<Job> {
    const t = this.require(jobId)
    const failed = t.job.images.filter((i) => i.state === 'failed')
    if (failed.length === 0) throw new AppFailure('invalid-input', 'Nothing in this job failed, so there is nothing to retry.')
    const made = failed.filter((i) => i.generationId && t.made.has(i.generationId))
    const unmade = failed.filter((i) => !made.includes(i))
    this.reopen(t)
    for (const image of made) {
      pushAttempt(image)
      this.deps.journal.updateGeneration(image.generationId!, { status: 'succeeded', error: null })
      this.startDownload(t, image, null)
    }
    if (unmade.length > 0) this.resend(t, unmade, null)
    this.emit(t, true)
    return cloneJob(t.job)
  }

  /** Duplicate: the job's request sent again as a new job (billed again: the user confirmed the cost). */
  async duplicate(jobId: string): Promise<{ jobId: string }> {
    const t = this.require(jobId)
    return this.createJob(t.request ?? (await this.requestOf(t)))
  }

  /**
   * The request of a job journaled before requests were kept, rebuilt from the job: its references go to the model's
   * one images field (with two, e.g. input and mask, which went where is not known).
   */
  private async requestOf(t: Tracked): Promise<ParsedGenerateRequest> {
    const { job } = t
    const images: Record<string, string[]> = {}
    if (job.references.length > 0) {
      const fields = (await this.deps.modelForm(job.modelId)).fields.filter((f) => f.kind === 'images')
      if (fields.length !== 1) {
        throw new AppFailure('invalid-input', 'This job was made by an older Atelier that did not record which image went where. Use Reuse, then Generate.')
      }
      images[fields[0]!.name] = job.references
    }
    return GenerateRequestSchema.parse({ modelId: job.modelId, prompt: job.prompt, count: job.count, params: job.params, images })
  }

  /** Takes finished jobs off the list for good (the journal remembers); their images stay in the library. */
  hide(jobIds: string[]): string[] {
    // One already gone (removed in another window, or twice) is simply not there any more.
    const jobs = jobIds.flatMap((id) => this.tracked.get(id) ?? [])
    if (jobs.some((t) => t.job.status === 'running')) {
      throw new AppFailure('invalid-input', 'A running job cannot be removed from the list: cancel it first, or wait until it ends.')
    }
    this.deps.journal.hideJobs(jobIds)
    for (const t of jobs) this.forget(t)
    return jobs.map((t) => t.job.id)
  }

  /** Takes every finished job off the list; answers which. */
  clearFinished(): string[] {
    const done = [...this.tracked.values()].filter((t) => t.job.status !== 'running').map((t) => t.job.id)
    return done.length > 0 ? this.hide(done) : []
  }

  private forget(t: Tracked): void {
    this.tracked.delete(t.job.id)
    this.lastEmit.delete(t.job.id)
    for (const image of t.job.images) if (image.generationId) this.byGeneration.delete(image.generationId)
  }

  /**
   * Picks up the journal after a restart: every job it shows comes back; the unfinished ones go on, each on its
   * own. Returns once they are under way: nothing here waits for Oxen.
   */
  async resume(): Promise<void> {
    const swept = this.deps.library.sweepTemp(0) // no download is in progress yet: any temp file is a leftover
    if (swept > 0) this.deps.log.info('removed leftover temp files', { count: swept })
    const running: { t: Tracked; downloads: RebuiltJob['downloads'] }[] = []
    for (const entry of this.deps.journal.load(RECENT_JOBS)) {
      if (this.tracked.has(entry.job.id)) continue
      const { downloads, inFlight, ...rebuilt } = rebuildJob(entry, (id) => this.deps.library.imageForGeneration(id))
      const t: Tracked = { ...rebuilt, cancelled: false, sending: null, sendNotice: null }
      this.tracked.set(t.job.id, t)
      for (const image of t.job.images) if (image.generationId) this.byGeneration.set(image.generationId, { jobId: t.job.id, index: image.index })
      for (const id of inFlight) this.watcher.watch(id)
      if (t.job.status === 'running') running.push({ t, downloads })
      this.emit(t, true)
    }
    // The stream and polling first: generations Oxen accepted are fetched whatever else happens.
    this.watcher.start()
    for (const { t, downloads } of running) {
      try {
        for (const d of downloads) this.startDownload(t, t.job.images[d.index]!, d.url)
        this.send(t)
        this.settle(t)
      } catch (error) {
        this.deps.log.error('a job could not be resumed', { jobId: t.job.id, error })
      }
    }
  }

  async dispose(): Promise<void> {
    this.waits.stop()
    await this.watcher.dispose()
    // A POST on its way is answered (and journaled) or left `sending` for the next start to look up.
    const sends = [...this.tracked.values()].map((t) => t.sending).filter(Boolean)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.allSettled(sends), new Promise((r) => (timer = setTimeout(r, DISPOSE_GRACE_MS)))])
    clearTimeout(timer)
    // Downloads stop and remove their temp files; anything half done is fetched again after resume().
    await Promise.allSettled([...this.downloads])
  }

  // ---------- sending ----------

  private require(jobId: string): Tracked {
    const t = this.tracked.get(jobId)
    if (!t) throw new AppFailure('not-found', 'That job is no longer in the list.')
    return t
  }

  /** Runs the job's send loop unless it is running: enqueues still to send, and lost answers to look up. */
  private send(t: Tracked): void {
    if (t.sending || this.waits.stopped) return
    t.sending = this.sendLoop(t)
      .catch((error: unknown) => {
        this.deps.log.error('sending a job failed', { jobId: t.job.id, error })
        const failure = toAppError(error)
        const message = `Atelier could not send these images: ${failure.message}`
        this.needs(t, needsOf(failure))
        for (const image of t.job.images) if (image.state === 'pending') Object.assign(image, { state: 'failed', error: message })
      })
      .finally(() => {
        t.sending = null
        this.settle(t)
      })
  }

  private async sendLoop(t: Tracked): Promise<void> {
    const due = () => [...t.enqueues.values()].find((e) => e.state === 'pending' || e.state === 'sending' || e.state === 'unknown')
    if (!due()) return
    this.jobSlots.concurrency = this.deps.maxConcurrentJobs()
    await this.jobSlots(async () => {
      await this.watcher.waitForStream(2000) // events are not replayed: listen before enqueueing
      for (let e = due(); e && !this.waits.stopped; e = due()) {
        const result =
          e.state === 'pending'
            ? await sendEnqueue(this.sender, t.job, e, this.hooks(t))
            : await reconcile(this.sender, t.job, { ...e, sentAt: e.sentAt ?? t.job.createdAt }, STOPPED_BEFORE_ANSWER, this.hooks(t))
        if (result.kind === 'stopped') {
          if (t.cancelled) e.state = 'cancelled'
          else break
        }
        this.apply(t, e, result)
        if (result.kind === 'rejected') {
          // The same reason (key, credit, parameters) would refuse the rest.
          for (const other of t.enqueues.values()) if (other.state === 'pending') this.setEnqueue(other, 'rejected', result.message)
          for (const image of t.job.images) if (image.state === 'pending') Object.assign(image, { state: 'failed', error: result.message })
        }
      }
    })
  }

  private hooks(t: Tracked): SendHooks {
    return {
      cancelled: () => t.cancelled,
      notice: (notice) => this.setNotice(t, notice),
      knownIds: () => new Set(this.byGeneration.keys()),
    }
  }

  private apply(t: Tracked, e: JournalEnqueue, result: SendResult): void {
    if (result.kind === 'accepted') {
      e.state = 'accepted'
      result.ids.forEach((id, k) => this.attach(t, e.indexes[k]!, id, result.adopted ?? false))
      if (result.rest) {
        const rest = e.indexes.slice(result.ids.length)
        e.indexes = e.indexes.slice(0, result.ids.length)
        const restEnqueue: JournalEnqueue = {
          ...e,
          id: result.rest.enqueueId,
          indexes: rest,
          body: { ...e.body, num_generations: rest.length },
          state: 'unconfirmed',
          error: result.rest.message,
        }
        t.enqueues.set(restEnqueue.id, restEnqueue)
        for (const i of rest) {
          t.attemptOf[i] = restEnqueue.id
          Object.assign(t.job.images[i]!, { state: 'unconfirmed', error: result.rest.message })
        }
      }
      if (t.cancelled) void this.cancel(t.job.id) // cancelled while the request was on its way
    } else if (result.kind === 'rejected' || result.kind === 'unconfirmed') {
      e.state = result.kind
      e.error = result.message
      if (result.kind === 'rejected') this.needs(t, needsOf(result))
      for (const i of e.indexes) Object.assign(t.job.images[i]!, { state: result.kind === 'rejected' ? 'failed' : 'unconfirmed', error: result.message })
      t.job.error = result.message
    } else if (t.cancelled) {
      for (const i of e.indexes) if (t.job.images[i]!.state === 'pending') t.job.images[i]!.state = 'cancelled'
    }
    this.emit(t, true)
  }

  /** New enqueues, with the same journaled bodies, for these images; their last try is kept as an attempt. */
  private resend(t: Tracked, images: JobImage[], previous: 'superseded' | null): void {
    const groups = new Map<number, number[]>()
    for (const image of images) groups.set(t.attemptOf[image.index]!, [...(groups.get(t.attemptOf[image.index]!) ?? []), image.index])
    this.reopen(t)
    for (const [enqueueId, indexes] of groups) {
      const old = t.enqueues.get(enqueueId)
      if (!old) throw new AppFailure('internal', 'This job’s request is not in the journal any more, so it cannot be sent again.')
      if (previous) this.setEnqueue(old, previous)
      const body = { ...old.body, num_generations: indexes.length }
      const id = this.deps.journal.addEnqueue(t.job.id, indexes, body)
      t.enqueues.set(id, { id, jobId: t.job.id, indexes, body, state: 'pending', sentAt: null, error: null })
      for (const i of indexes) {
        const image = t.job.images[i]!
        pushAttempt(image)
        if (image.generationId) this.byGeneration.delete(image.generationId)
        for (const key of ['generationId', 'error', 'progress'] as const) delete image[key]
        image.state = 'pending'
        t.attemptOf[i] = id
      }
    }
    this.emit(t, true)
    this.send(t)
  }

  /** A finished job runs again (Retry, Send again). */
  private reopen(t: Tracked): void {
    t.cancelled = false
    delete t.job.error
    delete t.job.needs
    delete t.job.finishedAt
    this.setStatus(t, 'running')
  }

  /** A failure that needs the user (the key, credits): the first one found stands for the job. */
  private needs(t: Tracked, needs: JobNeeds | null): void {
    if (needs && !t.job.needs) t.job.needs = needs
  }

  private setEnqueue(e: JournalEnqueue, state: JournalEnqueue['state'], error: string | null = null): void {
    e.state = state
    e.error = error
    this.deps.journal.setEnqueueState(e.id, state, error)
  }

  private setNotice(t: Tracked, notice: JobNotice | null): void {
    if (!notice && !t.sendNotice) return
    t.sendNotice = notice
    this.emit(t, true)
  }

  /** The job's notice: what sending waits for, else the stream being down while Oxen makes its images. */
  private refreshNotice(t: Tracked): void {
    const { job } = t
    if (job.status !== 'running') t.sendNotice = null
    const waiting = job.status === 'running' && this.streamDown && job.images.some((i) => IN_FLIGHT.has(i.state))
    const notice = t.sendNotice ?? (waiting ? { message: RECONNECTING_NOTICE } : null)
    if (notice) job.notice = notice
    else delete job.notice
  }

  private onStreamState(up: boolean): void {
    if (this.streamDown === !up || this.waits.stopped) return
    this.streamDown = !up
    for (const t of this.tracked.values()) {
      if (t.job.status === 'running' && t.job.images.some((i) => IN_FLIGHT.has(i.state))) this.emit(t, true)
    }
  }

  // ---------- generations ----------

  private attach(t: Tracked, index: number, generationId: string, adopted: boolean): void {
    const image = t.job.images[index]
    if (!image) return
    Object.assign(image, { generationId, state: 'queued' })
    delete image.error
    this.byGeneration.set(generationId, { jobId: t.job.id, index })
    this.emit(t, true)
    this.watcher.watch(generationId, { pollNow: adopted })
  }

  /** The stream and polling land here; an image leaves queued/processing exactly once. */
  private onResult(generationId: string, result: GenerationResult): void {
    const at = this.byGeneration.get(generationId)
    const t = at && this.tracked.get(at.jobId)
    const image = t?.job.images[at!.index]
    if (!t || !image || image.generationId !== generationId || !IN_FLIGHT.has(image.state)) return
    if (result.status === 'processing') {
      if (image.state === 'queued') {
        image.state = 'processing'
        this.emit(t, true)
      }
    } else if (result.status === 'succeeded') {
      t.made.add(generationId)
      this.deps.journal.updateGeneration(generationId, { status: 'succeeded', resultUrl: result.url })
      this.startDownload(t, image, result.url)
    } else if (result.status === 'failed') {
      this.deps.journal.updateGeneration(generationId, { status: 'failed', error: result.error })
      this.needs(t, needsOf({ message: result.error }))
      this.finish(t, image, { state: 'failed', error: `Oxen could not make this image: ${result.error}` })
    } else {
      this.deps.journal.updateGeneration(generationId, { status: 'cancelled' })
      this.finish(t, image, { state: 'cancelled' })
    }
  }

  private startDownload(t: Tracked, image: JobImage, url: string | null): void {
    const generationId = image.generationId!
    this.watcher.unwatch(generationId)
    Object.assign(image, { state: 'downloading', progress: 0 })
    delete image.error
    this.emit(t, true)
    const { job } = t
    // The seed this image was made with, when its enqueue had one of its own (planEnqueues; every seed field of
    // Oxen's image models is named `seed`).
    const seed = t.enqueues.get(t.attemptOf[image.index]!)?.body[SEED_PARAM]
    const params = typeof seed === 'number' ? { ...job.params, [SEED_PARAM]: seed } : job.params
    const recipe = { jobId: job.id, generationId, index: image.index, count: job.count, modelId: job.modelId, prompt: job.prompt, params, references: job.references }
    const running = this.downloader
      .fetch(generationId, url, recipe, (fraction) => {
        image.progress = fraction
        this.emit(t)
      })
      .then(
        (saved) => {
          if (!saved) return // stopping: fetched again after the restart
          this.finish(t, image, savedImage(saved))
          this.deps.onLibraryChanged([saved.id])
        },
        (error: unknown) => {
          const message = toAppError(error).message
          this.deps.journal.updateGeneration(generationId, { status: 'succeeded', error: message })
          this.finish(t, image, { state: 'failed', error: message })
        },
      )
      .finally(() => this.downloads.delete(running))
    this.downloads.add(running)
  }

  private finish(t: Tracked, image: JobImage, patch: Partial<JobImage>): void {
    Object.assign(image, patch)
    delete image.progress
    if (image.generationId) this.watcher.unwatch(image.generationId)
    this.settle(t)
  }

  private settle(t: Tracked): void {
    if (this.waits.stopped) return // the journal stays as it was: resume() picks the job up
    const { job } = t
    const ended = job.status === 'running' && !t.sending ? endOf(job) : null
    if (ended) {
      if (ended.error) job.error = ended.error
      this.setStatus(t, ended.status)
    }
    this.emit(t, true)
    this.watcher.idle()
  }

  private setStatus(t: Tracked, status: JobStatus): void {
    if (t.job.status === status) return
    t.job.status = status
    if (status === 'running') delete t.job.finishedAt
    else t.job.finishedAt ??= Date.now()
    // Nothing that failed means nothing to fix: a partial job's needs come from its failed images only.
    if (status === 'completed' || status === 'cancelled') delete t.job.needs
    this.deps.journal.setJobStatus(t.job.id, status, t.job.error ?? null, t.job.needs ?? null, t.job.finishedAt ?? null)
  }

  private hasWork(): boolean {
    for (const t of this.tracked.values()) if (t.job.status === 'running') return true
    return false
  }

  private emit(t: Tracked, force = false): void {
    const now = Date.now()
    if (!force && now - (this.lastEmit.get(t.job.id) ?? 0) < 100) return
    this.lastEmit.set(t.job.id, now)
    this.refreshNotice(t)
    this.deps.onJobUpdate(cloneJob(t.job))
  }
}
