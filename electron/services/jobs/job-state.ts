// A job as the app shows it, rebuilt from its journal entry after a restart. Each image's state is decided by the
// enqueue of its latest try; earlier tries become its `attempts`. Pure: the library is asked only which
// generations it already holds.
import type { ErrorCode } from '../../../shared/contract'
import type { ImageState, Job, JobAttempt, JobImage, JobNeeds, JobStatus, LibraryImage } from '../../../shared/domain'
import type { JournalEnqueue, JournalEntry, JournalGeneration, ParsedGenerateRequest } from './journal'

export interface RebuiltJob {
  job: Job
  enqueues: Map<number, JournalEnqueue>
  /** Per image index: the enqueue of its latest try. */
  attemptOf: number[]
  /** Generations known to have been made (succeeded), so a failed image of theirs is downloaded again, not re-sent. */
  made: Set<string>
  /** Generations to watch (queued or processing). */
  inFlight: string[]
  /** Made but not saved yet: download these. */
  downloads: { index: number; generationId: string; url: string | null }[]
  /** The request the job was made from (Duplicate), when the journal has it. */
  request: ParsedGenerateRequest | null
}

export function rebuildJob(entry: JournalEntry, saved: (generationId: string) => LibraryImage | null): RebuiltJob {
  const { job: j } = entry
  const running = j.status === 'running'
  const byEnqueue = new Map<string, JournalGeneration>(entry.generations.map((g) => [`${g.enqueueId}:${g.index}`, g]))
  const images: JobImage[] = Array.from({ length: j.count }, (_, index) => ({ index, state: 'pending', ...(running ? { resumed: true } : {}) }))
  const attemptOf: number[] = Array(j.count).fill(-1)
  const made = new Set<string>()
  const inFlight: string[] = []
  const downloads: RebuiltJob['downloads'] = []

  for (const g of entry.generations) if (g.status === 'succeeded') made.add(g.id)
  for (const e of entry.enqueues) for (const index of e.indexes) if (images[index]) attemptOf[index] = e.id

  for (const image of images) {
    const tries = entry.enqueues.filter((e) => e.indexes.includes(image.index))
    const attempts: JobAttempt[] = []
    tries.forEach((e, k) => {
      const gen = byEnqueue.get(`${e.id}:${image.index}`)
      const outcome = outcomeOf(e, gen, saved, running)
      if (k < tries.length - 1) {
        if (outcome.state === 'failed' || outcome.state === 'unconfirmed' || outcome.state === 'cancelled') {
          attempts.push({ state: outcome.state, ...(gen ? { generationId: gen.id } : {}), ...(outcome.error ? { error: outcome.error } : {}) })
        }
        return
      }
      Object.assign(image, outcome)
      if (gen) image.generationId = gen.id
      if (gen && running && (outcome.state === 'queued' || outcome.state === 'processing')) inFlight.push(gen.id)
      if (gen && running && outcome.state === 'downloading') downloads.push({ index: image.index, generationId: gen.id, url: gen.resultUrl })
    })
    if (attempts.length > 0) image.attempts = attempts
    if (!running && image.state === 'pending') image.state = 'cancelled' // a finished job never sent these
  }

  const job: Job = {
    id: j.id,
    createdAt: j.createdAt,
    modelId: j.modelId,
    prompt: j.prompt,
    count: j.count,
    params: j.params,
    references: j.references,
    ...(j.referenceSupply ? { referenceSupply: j.referenceSupply } : {}),
    ...(j.referenceNote ? { referenceNote: j.referenceNote } : {}),
    ...(j.estimate !== null ? { estimate: j.estimate } : {}),
    status: j.status,
    ...(j.error ? { error: j.error } : {}),
    ...(j.needs && !running ? { needs: j.needs } : {}),
    ...(j.finishedAt !== null && !running ? { finishedAt: j.finishedAt } : {}),
    images,
  }
  return { job, enqueues: new Map(entry.enqueues.map((e) => [e.id, e])), attemptOf, made, inFlight, downloads, request: j.request }
}

/** What one try left an image as. `pending` for enqueues still to send, or to look up in the queue. */
function outcomeOf(
  e: JournalEnqueue,
  gen: JournalGeneration | undefined,
  saved: (generationId: string) => LibraryImage | null,
  running: boolean,
): Pick<JobImage, 'state' | 'error' | 'imageId' | 'url' | 'thumbUrl' | 'cost' | 'width' | 'height'> {
  switch (e.state) {
    case 'accepted': {
      if (!gen) return { state: 'failed', error: 'Oxen accepted this image but its generation id was lost.' }
      const image = saved(gen.id)
      if (image) return savedImage(image)
      if (gen.status === 'failed') return { state: 'failed', error: `Oxen could not make this image: ${gen.error ?? 'Oxen did not say why.'}` }
      if (gen.status === 'cancelled') return { state: 'cancelled' }
      // Made, but not in the library: a download that failed for good says why; otherwise it is fetched now.
      if (gen.status === 'succeeded') return gen.error ? { state: 'failed', error: gen.error } : { state: running ? 'downloading' : 'failed' }
      return { state: gen.status === 'processing' ? 'processing' : 'queued' }
    }
    case 'rejected':
      return { state: 'failed', ...(e.error ? { error: e.error } : {}) }
    case 'unconfirmed':
    case 'superseded':
      return { state: 'unconfirmed', ...(e.error ? { error: e.error } : {}) }
    case 'cancelled':
      return { state: 'cancelled' }
    case 'pending':
    case 'sending':
    case 'unknown':
      return { state: 'pending' }
  }
}

const FINAL: ReadonlySet<ImageState> = new Set(['saved', 'failed', 'cancelled', 'unconfirmed'])

/** How a job ends once every image is final (null while one is not), and the message it then shows. */
export function endOf(job: Job): { status: JobStatus; error?: string } | null {
  if (!job.images.every((i) => FINAL.has(i.state))) return null
  const saved = job.images.filter((i) => i.state === 'saved').length
  const status: JobStatus =
    saved === job.count ? 'completed' : saved > 0 ? 'partial' : job.images.some((i) => i.state === 'cancelled') ? 'cancelled' : 'failed'
  const unconfirmed = job.images.find((i) => i.state === 'unconfirmed')?.error
  if (unconfirmed) return { status, error: unconfirmed }
  if (status === 'failed' && !job.error) return { status, error: job.images.find((i) => i.error)?.error ?? 'The job failed.' }
  return { status }
}

/** The image's current try becomes an earlier attempt (it failed, or may not have reached Oxen). */
export function pushAttempt(image: JobImage): void {
  if (image.state !== 'failed' && image.state !== 'unconfirmed') return
  image.attempts = [
    ...(image.attempts ?? []),
    { state: image.state, ...(image.generationId ? { generationId: image.generationId } : {}), ...(image.error ? { error: image.error } : {}) },
  ]
}

export function cloneJob(job: Job): Job {
  return {
    ...job,
    params: { ...job.params },
    references: [...job.references],
    ...(job.notice ? { notice: { ...job.notice } } : {}),
    images: job.images.map((i) => ({ ...i, ...(i.attempts ? { attempts: i.attempts.map((a) => ({ ...a })) } : {}) })),
  }
}

/** A saved image as its job shows it: where it is, its size (its true aspect) and its cost. */
export function savedImage(image: LibraryImage): Pick<JobImage, 'state' | 'imageId' | 'url' | 'thumbUrl' | 'cost' | 'width' | 'height'> {
  return {
    state: 'saved',
    imageId: image.id,
    url: image.url,
    thumbUrl: image.thumbUrl,
    width: image.width,
    height: image.height,
    ...(image.cost ? { cost: image.cost } : {}),
  }
}

/** Oxen's words for an account out of credit (API.md §7: "Insufficient credits" as a failed job's message). */
const NO_CREDIT = /insufficient (credits?|balance|funds)|out of credits?|not enough credits?|credit balance|payment required|add credits/i

/**
 * What a failure needs from the user before trying again can help: the key (Oxen refused it, or there is none) or
 * credits. Null when trying again may simply work.
 */
export function needsOf(error: { code?: ErrorCode; message?: string }): JobNeeds | null {
  if (error.code === 'no-key' || error.code === 'unauthorized') return 'api-key'
  if (error.message && NO_CREDIT.test(error.message)) return 'credits'
  return null
}
