// Learns how each watched generation ends: from the event stream (GET /api/events) first, and by polling its
// queue row while the stream is down, every few seconds anyway (an event can be missed), and once for all of
// them whenever the stream (re)opens. While Oxen cannot be reached, polls back off (bounded) instead of spinning.
import type { Logger } from '../log'
import { retryAfterOf, type CompletionEvent, type OxenClient } from '../oxen/client'
import { OFFLINE_CAP_MS, type Waits } from './waits'

export type GenerationResult =
  | { status: 'succeeded'; url: string | null }
  | { status: 'failed'; error: string }
  | { status: 'cancelled' }
  /** Still being made (only reported once it leaves the queue). */
  | { status: 'processing' }

export interface WatcherDeps {
  client: () => OxenClient
  waits: Waits
  /** The stream stays open while this is true (any job running). */
  hasWork: () => boolean
  onResult: (generationId: string, result: GenerationResult) => void
  log: Logger
  /** How often watched generations are polled while the stream is down (ms). */
  pollIntervalMs: number
  /** How often they are polled anyway while it is up (ms). */
  safetyPollMs: number
  /** No bytes for this long means the stream is dead (ms); longer than Oxen's 15 s keep-alive. */
  readTimeoutMs: number
  /** The stream went down (dropped, stalled, refused) while there is work, or is open again (or no longer needed). */
  onStreamState?: (up: boolean) => void
}

/** A stream that stayed up this long had worked: reconnect without the accumulated backoff (ms). */
const STREAM_HEALTHY_MS = 15_000
/** Completions for ids not watched yet (a fast generation's event can beat the enqueue's answer), kept this long. */
const EARLY_KEEP_MS = 120_000
/** A new generation is first polled after about this long (ms), so "queued" turns to "processing" when Oxen starts it. */
const FIRST_LOOK_MS = 3000

export class ResultWatcher {
  private readonly watched = new Map<string, { lastPolledAt: number }>()
  private readonly polling = new Set<string>()
  private readonly early = new Map<string, { event: CompletionEvent; at: number }>()
  private readonly streamWaiters = new Set<() => void>()
  private streamLoop: Promise<void> | null = null
  private streamAbort: AbortController | null = null
  private connected = false
  private pollTimer: NodeJS.Timeout | null = null
  private failedPolls = 0

  constructor(private readonly deps: WatcherDeps) {}

  /**
   * Starts watching a generation; a completion that arrived before this is delivered now. `pollNow`: its events
   * may have gone by unheard (it was found in the queue, not just enqueued while listening), so poll it at once.
   */
  watch(generationId: string, opts: { pollNow?: boolean } = {}): void {
    const { safetyPollMs, pollIntervalMs } = this.deps
    const firstLook = Math.min(safetyPollMs, Math.max(pollIntervalMs, FIRST_LOOK_MS))
    this.watched.set(generationId, { lastPolledAt: opts.pollNow ? 0 : Date.now() - (safetyPollMs - firstLook) })
    const early = this.early.get(generationId)
    if (early) {
      this.early.delete(generationId)
      this.deliver(early.event)
    }
    this.ensureStream()
    if (opts.pollNow) this.schedulePoll(0, true)
    else if (!this.pollTimer) this.schedulePoll()
  }

  unwatch(generationId: string): void {
    this.watched.delete(generationId)
  }

  /** Opens the stream (if there is work) and polls everything watched at once. */
  start(): void {
    this.ensureStream()
    this.schedulePoll(0, true)
  }

  /** Resolves once the stream is open, or after `timeoutMs` (polling covers then). Events are not replayed. */
  waitForStream(timeoutMs: number): Promise<void> {
    this.ensureStream()
    if (this.connected || !this.streamLoop) return Promise.resolve()
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

  /** Closes the stream when no job needs it any more. */
  idle(): void {
    if (!this.deps.hasWork()) this.streamAbort?.abort()
  }

  async dispose(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = null
    this.streamAbort?.abort()
    await this.streamLoop
  }

  private deliver(event: CompletionEvent): void {
    if (event.status === 'succeeded') this.deps.onResult(event.generationId, { status: 'succeeded', url: event.url })
    else this.deps.onResult(event.generationId, { status: 'failed', error: event.error ?? 'Oxen did not say why.' })
  }

  private onCompletion(event: CompletionEvent): void {
    if (this.watched.has(event.generationId)) return this.deliver(event)
    // Another app on the same account, or one of ours whose enqueue answer is still on its way.
    const now = Date.now()
    for (const [id, { at }] of this.early) if (now - at > EARLY_KEEP_MS) this.early.delete(id)
    if (this.early.size < 1000) this.early.set(event.generationId, { event, at: now })
  }

  private ensureStream(): void {
    if (this.streamLoop || this.deps.waits.stopped || !this.deps.hasWork()) return
    this.streamLoop = this.runStream()
      .catch((error: unknown) => this.deps.log.error('the result stream loop failed', { error }))
      .finally(() => {
        this.streamLoop = null
        this.connected = false
        this.deps.onStreamState?.(true) // no work left: nothing is waiting on the stream
        this.wakeStreamWaiters()
      })
  }

  /**
   * Keeps the stream open while there is work: on a drop, refusal or stall it polls at once and reconnects
   * after a capped, jittered backoff (or the Retry-After Oxen asked for).
   */
  private async runStream(): Promise<void> {
    const { waits } = this.deps
    for (let attempt = 0; !waits.stopped && this.deps.hasWork(); attempt++) {
      const abort = new AbortController()
      this.streamAbort = abort
      const stop = () => abort.abort()
      waits.signal.addEventListener('abort', stop, { once: true })
      let openedAt = 0
      let delivered = false
      let retryAfter: number | undefined
      try {
        await this.deps.client().streamEvents({
          signal: abort.signal,
          readTimeoutMs: this.deps.readTimeoutMs,
          onOpen: () => {
            this.connected = true
            this.deps.onStreamState?.(true)
            openedAt = Date.now()
            waits.oxenAnswered()
            this.wakeStreamWaiters()
            this.schedulePoll(0, true) // events sent while we were away are lost: poll everything once
          },
          onCompletion: (event) => {
            delivered = true
            this.onCompletion(event)
          },
        })
      } catch (error) {
        retryAfter = retryAfterOf(error)
        if (!abort.signal.aborted) this.deps.log.debug('the result stream dropped; polling until it is back', { error })
      } finally {
        waits.signal.removeEventListener('abort', stop)
      }
      this.connected = false
      this.wakeStreamWaiters() // a send waiting for the stream goes ahead: polling covers
      if (delivered || (openedAt > 0 && Date.now() - openedAt >= STREAM_HEALTHY_MS)) attempt = -1
      if (waits.stopped || !this.deps.hasWork()) break
      this.deps.onStreamState?.(false)
      this.schedulePoll(this.failedPolls > 0 ? this.pollIntervalNow() : 0) // polls that fail keep their own backoff
      // A Retry-After is waited out; a plain backoff ends early once Oxen answers a poll again.
      if (retryAfter !== undefined) await waits.sleep(retryAfter)
      else await waits.sleep(waits.backoff(Math.max(attempt, 0), 15_000), { untilOxen: true })
    }
  }

  private wakeStreamWaiters(): void {
    for (const wake of [...this.streamWaiters]) wake()
  }

  private schedulePoll(delay = this.pollIntervalNow(), all = false): void {
    if (this.deps.waits.stopped) return
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null
      void this.pollOnce(all)
    }, delay)
    this.pollTimer.unref?.()
  }

  private pollIntervalNow(): number {
    if (this.failedPolls > 0) return Math.min(OFFLINE_CAP_MS, this.deps.pollIntervalMs * 2 ** this.failedPolls)
    // Up: tick often enough that each generation is polled about every safetyPollMs (pollOnce picks the due ones).
    return this.connected ? Math.min(this.deps.safetyPollMs / 2, 5000) : this.deps.pollIntervalMs
  }

  private async pollOnce(all: boolean): Promise<void> {
    const now = Date.now()
    const due = [...this.watched.entries()].filter(([id, w]) => {
      if (this.polling.has(id)) return false // still waiting (e.g. out a Retry-After) on the last poll
      return all || !this.connected || now - w.lastPolledAt >= this.deps.safetyPollMs
    })
    const client = this.deps.client()
    let failed = 0
    let answered = 0
    await Promise.all(
      due.map(async ([id, w]) => {
        w.lastPolledAt = Date.now()
        this.polling.add(id)
        try {
          const row = await client.getGeneration(id, this.deps.waits.signal)
          answered++
          if (!this.watched.has(id)) return
          if (row.missing) this.deps.onResult(id, { status: 'failed', error: 'Oxen no longer knows this generation.' })
          else if (row.status === 'succeeded') this.deps.onResult(id, { status: 'succeeded', url: row.resultUrl })
          else if (row.status === 'failed') this.deps.onResult(id, { status: 'failed', error: row.error ?? 'Oxen did not say why.' })
          else if (row.status === 'cancelled') this.deps.onResult(id, { status: 'cancelled' })
          else if (row.status === 'processing') this.deps.onResult(id, { status: 'processing' })
        } catch (error) {
          failed++
          if (!this.deps.waits.stopped) this.deps.log.debug('a poll failed; it is tried again on the next tick', { generationId: id, error })
        } finally {
          this.polling.delete(id)
        }
      }),
    )
    if (answered > 0) this.deps.waits.oxenAnswered()
    this.failedPolls = failed > 0 && answered === 0 ? this.failedPolls + 1 : 0
    if (this.watched.size > 0) this.schedulePoll()
  }
}
