// How a job reads, the same in the Jobs list and in Results: its phase while it runs, what failed and why, what it
// cost, and each image's state in words.
import type { Job, JobImage } from '../../../../shared/domain'
import { formatUsd } from '../../../../shared/pricing'

/** What a running job is doing now, by its least advanced image that is still moving. */
export function jobPhase(job: Job): string {
  const states = new Set(job.images.map((i) => i.state))
  if (states.has('pending')) return job.images.some((i) => i.state !== 'pending') ? 'Sending the rest' : 'Sending'
  // Queued only while nothing of it has been started yet; once Oxen is making one, the job is generating.
  const started = states.has('processing') || states.has('downloading') || states.has('saved') || states.has('failed')
  if (states.has('queued') && !started) return 'Queued at Oxen'
  if (states.has('queued') || states.has('processing')) return 'Generating'
  if (states.has('downloading')) return 'Downloading'
  return 'Finishing'
}

/** One image's state in a few words, for its tile and its name. */
export const IMAGE_WORDS: Record<JobImage['state'], string> = {
  pending: 'Waiting to send',
  queued: 'Queued at Oxen',
  processing: 'Generating',
  downloading: 'Downloading',
  saved: 'Saved',
  failed: 'Failed',
  cancelled: 'Cancelled',
  unconfirmed: 'May have been submitted',
}

/** "1 of 3 images failed — <reason>" when they share one reason; each image's own reason is on its tile. */
export function failedSummary(failed: JobImage[], count: number): string {
  const head = `${failed.length} of ${count} ${count === 1 ? 'image' : 'images'} failed`
  const reasons = new Set(failed.map((i) => i.error))
  const [reason] = reasons
  return reasons.size === 1 && reason ? `${head} — ${reason}` : `${head}.`
}

/** What went wrong with the job, in place (null when nothing did). A cancelled job's unsent images are no failure. */
export function jobProblem(job: Job): { text: string; failed: JobImage[]; unconfirmed: JobImage[] } | null {
  const failed = job.status === 'cancelled' ? [] : job.images.filter((i) => i.state === 'failed')
  const unconfirmed = job.status === 'running' ? [] : job.images.filter((i) => i.state === 'unconfirmed')
  // A partial or running job has no error of its own: its failed images speak for it.
  const text = job.error ?? (failed.length > 0 ? failedSummary(failed, job.count) : undefined)
  return text ? { text, failed, unconfirmed } : null
}

/** What the job cost (the images' own costs, once all are known), else what it was estimated to cost. */
export function jobCost(job: Job): { text: string; title: string } | null {
  const saved = job.images.filter((i) => i.state === 'saved')
  if (job.status !== 'running' && saved.length > 0 && saved.every((i) => i.cost !== undefined)) {
    const actual = saved.reduce((sum, i) => sum + Number(i.cost), 0)
    const estimate = job.estimate !== undefined ? ` (estimated ${formatUsd(job.estimate)})` : ''
    return { text: formatUsd(actual), title: `Oxen charged ${formatUsd(actual)}${estimate}` }
  }
  return job.estimate !== undefined ? { text: `≈ ${formatUsd(job.estimate)}`, title: 'Estimated from the model’s price' } : null
}

export const imagesCount = (n: number) => `${n} ${n === 1 ? 'image' : 'images'}`

/** Where a failure that needs the user is fixed. The billing page is Oxen's; the key is Atelier's Settings. */
export const OXEN_BILLING_URL = 'https://www.oxen.ai/settings/billing'
