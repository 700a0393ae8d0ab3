// Sends one journaled enqueue (POST /api/ai/queue) and settles what it became. A POST is sent again only while it
// certainly was not accepted (429/503, or the connection never opened); when its answer is lost it is looked up
// in the queue (reconcile), and what cannot be found is `unconfirmed` until the user chooses Send again.
import { STATUS_CODES } from 'node:http'
import type { ErrorCode } from '../../../shared/contract'
import type { JobNotice } from '../../../shared/domain'
import { AppFailure } from '../errors'
import type { Logger } from '../log'
import { OxenHttpFailure, type EnqueueOutcome, type OxenClient } from '../oxen/client'
import { sendable } from './body'
import type { Checkpoint } from '../checkpoint'
import type { Journal, JournalEnqueue } from './journal'
import { OFFLINE_CAP_MS, type Waits } from './waits'

export interface SenderDeps {
  client: () => OxenClient
  journal: Journal
  waits: Waits
  /** Data URIs of stored reference images, by hash (body.ts). */
  dataUris: (hashes: string[]) => Promise<string[]>
  /** Sends of one enqueue that Oxen turned away as busy (429/503) before the images fail. */
  busyAttempts: number
  /** A POST whose answer was lost may still be on its way through Oxen: it is looked for this long after it was sent (ms). */
  reconcileWindowMs: number
  log: Logger
  checkpoint: Checkpoint
}

/** What the job is, as far as finding its generations in the queue goes. */
export interface SentJob {
  id: string
  modelId: string
  prompt: string
}

export interface SendHooks {
  cancelled(): boolean
  /** What the job is waiting for now (null: nothing). */
  notice(notice: JobNotice | null): void
  /** Generation ids already known to any job: never adopted for another enqueue. */
  knownIds(): Set<string>
}

export type SendResult =
  /**
   * Generation ids for the enqueue's images, in its index order (fewer when `rest` holds the others). `adopted`:
   * found in the queue after the answer was lost, so their completion events may already have gone by.
   */
  | { kind: 'accepted'; ids: string[]; adopted?: boolean; rest?: { enqueueId: number; message: string } }
  /** `code`: why, as the app's error code (a refused key needs Settings, not another try). */
  | { kind: 'rejected'; message: string; code?: ErrorCode }
  | { kind: 'unconfirmed'; message: string }
  /** Cancelled, or the engine stopped, before it was sent; the journal says what a restart does with it. */
  | { kind: 'stopped' }

export const BUSY_MESSAGE = 'Oxen is too busy to take new images right now. Try again in a minute.'
const OFFLINE_NOTICE = 'Oxen can’t be reached — Atelier sends these images as soon as it answers.'

export async function sendEnqueue(deps: SenderDeps, job: SentJob, enqueue: JournalEnqueue, hooks: SendHooks): Promise<SendResult> {
  const { journal, waits } = deps
  let body: Record<string, unknown>
  try {
    body = await sendable(enqueue.body, deps.dataUris)
  } catch (error) {
    const message = error instanceof AppFailure ? error.message : 'A reference image of this job could not be read, so it was not sent.'
    deps.log.warn('enqueue body could not be made', { jobId: job.id, enqueueId: enqueue.id, error })
    journal.setEnqueueState(enqueue.id, 'rejected', message)
    return { kind: 'rejected', message }
  }
  for (let busy = 0, offline = 0; ; ) {
    if (hooks.cancelled()) {
      journal.setEnqueueState(enqueue.id, 'cancelled')
      return { kind: 'stopped' }
    }
    if (waits.stopped) return { kind: 'stopped' } // still `pending`: sent after a restart
    journal.setEnqueueState(enqueue.id, 'sending')
    const sentAt = Date.now()
    const outcome = await deps.client().enqueue(body)
    if (outcome.kind === 'accepted') {
      deps.checkpoint('enqueue-answered')
      waits.oxenAnswered()
      hooks.notice(null)
      journal.accept(enqueue.id, outcome.ids)
      return { kind: 'accepted', ids: outcome.ids.slice(0, enqueue.indexes.length) }
    }
    if (outcome.kind === 'unknown') {
      journal.setEnqueueState(enqueue.id, 'unknown')
      hooks.notice(null)
      return reconcile(deps, job, { ...enqueue, sentAt }, unconfirmedCause(outcome), hooks)
    }
    if (outcome.kind === 'not-accepted' && outcome.error.code === 'unreachable') {
      // The connection never opened: nothing was sent. Wait for Oxen, however long; Cancel stops it.
      journal.setEnqueueState(enqueue.id, 'pending')
      const delay = waits.backoff(offline++, OFFLINE_CAP_MS)
      hooks.notice({ message: OFFLINE_NOTICE, retryAt: Date.now() + delay })
      await waits.sleep(delay, { untilOxen: true })
      continue
    }
    if (outcome.kind === 'not-accepted' && outcome.error.code !== 'no-key' && ++busy < deps.busyAttempts) {
      journal.setEnqueueState(enqueue.id, 'pending')
      const delay = outcome.retryAfterMs ?? waits.backoff(busy, waits.baseMs * 16)
      hooks.notice({ message: 'Oxen is busy', retryAt: Date.now() + delay })
      await waits.sleep(delay)
      continue
    }
    hooks.notice(null)
    const busyToTheEnd = outcome.kind === 'not-accepted' && outcome.error.code !== 'no-key'
    const message = busyToTheEnd ? BUSY_MESSAGE : outcome.error.message
    journal.setEnqueueState(enqueue.id, 'rejected', message)
    return { kind: 'rejected', message, code: outcome.error.code }
  }
}

/**
 * The answer to an enqueue was lost (or Atelier stopped before it came): adopt its generations from the queue
 * listing and recent history, if they are there. While Oxen cannot be reached it keeps looking; once Oxen has
 * answered at least three looks without them, and the request could no longer be on its way, they are `unconfirmed`.
 */
export async function reconcile(
  deps: SenderDeps,
  job: SentJob,
  enqueue: JournalEnqueue & { sentAt: number },
  cause: string,
  hooks: SendHooks,
): Promise<SendResult> {
  const { journal, waits } = deps
  const message = `${cause}, and these images do not show in your Oxen queue. They may have been submitted (and billed): check your Oxen usage, or choose Send again to send them again.`
  for (let looks = 0, offline = 0; !waits.stopped; ) {
    let found: string[]
    try {
      const known = hooks.knownIds()
      found = (await deps.client().findRecentGenerations(job.modelId, job.prompt, enqueue.sentAt)).filter((g) => !known.has(g.id)).map((g) => g.id)
    } catch (error) {
      if (error instanceof AppFailure && error.code === 'unreachable') {
        const delay = waits.backoff(offline++, OFFLINE_CAP_MS)
        hooks.notice({ message: 'Oxen can’t be reached — Atelier checks whether these images were started as soon as it answers.', retryAt: Date.now() + delay })
        await waits.sleep(delay, { untilOxen: true })
        continue
      }
      deps.log.warn('the queue could not be read while reconciling', { jobId: job.id, enqueueId: enqueue.id, error })
      found = []
    }
    hooks.notice(null)
    if (found.length >= enqueue.indexes.length) {
      journal.accept(enqueue.id, found)
      return { kind: 'accepted', ids: found.slice(0, enqueue.indexes.length), adopted: true }
    }
    if (found.length > 0) {
      const rest = journal.splitUnconfirmed(enqueue.id, found, message)!
      return { kind: 'accepted', ids: found, adopted: true, rest: { enqueueId: rest, message } }
    }
    if (++looks >= 3 && Date.now() - enqueue.sentAt >= deps.reconcileWindowMs) break
    await waits.sleep(Math.min(waits.baseMs * looks, 5000))
  }
  if (waits.stopped) return { kind: 'stopped' } // still `sending`/`unknown`: a restart looks again
  journal.setEnqueueState(enqueue.id, 'unconfirmed', message)
  return { kind: 'unconfirmed', message }
}

/** Why an enqueue's outcome is unknown, as the start of a sentence. */
function unconfirmedCause(outcome: EnqueueOutcome & { kind: 'unknown' }): string {
  const error = outcome.error
  if (error instanceof OxenHttpFailure) return `Oxen answered with a server error (${[error.status, STATUS_CODES[error.status]].filter(Boolean).join(' ')})`
  if (error.code === 'unreachable') return 'The connection to Oxen dropped before it answered'
  return 'Oxen’s answer was cut off'
}

export const STOPPED_BEFORE_ANSWER = 'Atelier stopped before Oxen answered'
