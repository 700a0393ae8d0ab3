// One job in the Jobs list: prompt, what was asked, how long, how it went, each image's state.
import { useState } from 'react'
import { Ban, CircleAlert, CircleCheck, CircleHelp, CloudUpload, FileCode2, Hourglass, Images, Loader2, RotateCw, TriangleAlert, X } from 'lucide-react'
import { AlertDialog } from 'radix-ui'
import clsx from 'clsx'
import type { Job, JobImage } from '../../../../shared/domain'
import { formatElapsed, formatTime, summarizeParams } from '../../lib/format'
import { formatUsd } from '../../../../shared/pricing'
import { useJobs } from '../../store/jobs'
import { findModel, useModel } from '../../store/model'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'
import { ImageSlots } from './ImageSlots'

const STATUS = {
  running: { label: 'Running', icon: Loader2 },
  completed: { label: 'Done', icon: CircleCheck },
  partial: { label: 'Partly done', icon: TriangleAlert },
  failed: { label: 'Failed', icon: CircleAlert },
  cancelled: { label: 'Cancelled', icon: Ban },
} as const

/** Nothing saved and some images unconfirmed: "failed" would be wrong, they may well exist. */
const UNCONFIRMED = { label: 'Not confirmed', icon: CircleHelp }

function progressWord(job: Job): string | null {
  if (job.status !== 'running') return null
  const saved = job.images.filter((i) => i.state === 'saved').length
  return `${saved} of ${job.count} saved`
}

/** How the job's reference images reached Oxen: visible per job, the reason for a fallback in the hint. */
function ReferenceSupply({ job }: { job: Job }) {
  const n = job.references.length
  if (n === 0) return null
  const refs = `${n} ${n === 1 ? 'ref' : 'refs'}`
  if (!job.referenceSupply) {
    return (
      <p className="job-refs">
        <Images aria-hidden size={12} strokeWidth={1.75} />
        {refs}
      </p>
    )
  }
  const upload = job.referenceSupply === 'upload'
  const Icon = upload ? CloudUpload : FileCode2
  const how = upload
    ? `${n === 1 ? 'The reference image was' : `The ${n} reference images were`} uploaded to the atelier-references repository in your Oxen account and sent as links.`
    : `${n === 1 ? 'The reference image was' : `The ${n} reference images were`} sent inside the request itself, as data URIs.`
  return (
    <Hint content={job.referenceNote ? `${how} ${job.referenceNote}` : how}>
      <p className={clsx('job-refs', job.referenceNote && 'job-refs-fallback')} tabIndex={0}>
        <Icon aria-hidden size={12} strokeWidth={1.75} />
        {upload ? `${refs} uploaded to Oxen` : `${refs} inlined`}
        {job.referenceNote && <CircleAlert className="job-refs-note" aria-hidden size={12} strokeWidth={2} />}
      </p>
    </Hint>
  )
}

const SENTENCE_END = /[.!?…]$/

/** A clause after a notice: "Oxen is busy — retrying in 8 s"; after a full sentence, a sentence of its own. */
function withClause(message: string, clause: string): string {
  if (!SENTENCE_END.test(message)) return ` — ${clause}`
  return ` ${clause.charAt(0).toUpperCase()}${clause.slice(1)}${SENTENCE_END.test(clause) ? '' : '.'}`
}

/**
 * What a running job waits for, with a live countdown to its next try. A polite live region that stays mounted while
 * the job runs, so each new message is announced once; the ticking seconds are hidden from screen readers.
 */
function Notice({ job, now }: { job: Job; now: number }) {
  const { notice } = job
  const seconds = notice?.retryAt === undefined ? null : Math.ceil((notice.retryAt - now) / 1000)
  return (
    <div className="job-notice" role="status">
      {notice && (
        <>
          <Hourglass aria-hidden size={12} strokeWidth={2} />
          <p>
            {notice.message}
            {seconds !== null && (
              <span className="tabular" aria-hidden>
                {withClause(notice.message, seconds > 0 ? `retrying in ${seconds} s` : 'retrying now…')}
              </span>
            )}
          </p>
        </>
      )}
    </div>
  )
}

/** "1 of 3 images failed — <reason>" when they share one reason; each image's own reason is in its hint. */
function failedSummary(failed: JobImage[], count: number): string {
  const head = `${failed.length} of ${count} ${count === 1 ? 'image' : 'images'} failed`
  const reasons = new Set(failed.map((i) => i.error))
  const [reason] = reasons
  return reasons.size === 1 && reason ? `${head} — ${reason}` : `${head}.`
}

function RetryFailed({ job }: { job: Job }) {
  const retry = useJobs((s) => s.retryFailed)
  const [busy, setBusy] = useState(false)
  const onClick = async () => {
    if (busy) return
    setBusy(true)
    await retry(job.id)
    setBusy(false)
  }
  return (
    <Hint content="Tries the failed images again. Ones Oxen made are only downloaded again; ones it did not make are sent again and may be billed again.">
      <button type="button" className="btn btn-secondary btn-sm" aria-disabled={busy} onClick={() => void onClick()}>
        {busy ? <Loader2 className="spin" aria-hidden size={12} strokeWidth={2} /> : <RotateCw aria-hidden size={12} strokeWidth={2} />}
        Retry failed
      </button>
    </Hint>
  )
}

function SendAgain({ job, count }: { job: Job; count: number }) {
  const retry = useJobs((s) => s.retryUnconfirmed)
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button type="button" className="btn btn-secondary btn-sm">
          <RotateCw aria-hidden size={12} strokeWidth={2} />
          Send again
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title className="dialog-title">
            {count === 1 ? 'Send this image again?' : `Send these ${count} images again?`}
          </AlertDialog.Title>
          <AlertDialog.Description className="dialog-text">
            These images may already have been made and billed. Send them again? If Oxen did make them, you pay for them twice;
            your Oxen usage page shows what was billed.
          </AlertDialog.Description>
          <div className="dialog-actions">
            <AlertDialog.Cancel className="btn btn-secondary">Keep as is</AlertDialog.Cancel>
            <AlertDialog.Action className="btn btn-primary" onClick={() => void retry(job.id)}>
              Send again
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}

/** What the job cost (the images' own costs, once all are known), else what it was estimated to cost. */
function jobCost(job: Job): { text: string; title: string } | null {
  const saved = job.images.filter((i) => i.state === 'saved')
  if (job.status !== 'running' && saved.length > 0 && saved.every((i) => i.cost !== undefined)) {
    const actual = saved.reduce((sum, i) => sum + Number(i.cost), 0)
    const estimate = job.estimate !== undefined ? ` (estimated ${formatUsd(job.estimate)})` : ''
    return { text: formatUsd(actual), title: `Oxen charged ${formatUsd(actual)}${estimate}` }
  }
  return job.estimate !== undefined ? { text: `≈ ${formatUsd(job.estimate)}`, title: 'Estimated from the model’s price' } : null
}

export function JobItem({ job, now }: { job: Job; now: number }) {
  const finishedAt = useJobs((s) => s.finishedAt[job.id])
  const cancel = useJobs((s) => s.cancel)
  const running = job.status === 'running'
  const unconfirmed = running ? 0 : job.images.filter((i) => i.state === 'unconfirmed').length
  const showUnconfirmed = unconfirmed > 0 && job.status === 'failed'
  const { label, icon: Icon } = showUnconfirmed ? UNCONFIRMED : STATUS[job.status]
  const params = summarizeParams(job.params)
  const model = useModel((s) => findModel(s.catalogue, job.modelId))
  const cost = jobCost(job)
  const end = running ? now : finishedAt
  const progress = progressWord(job)
  const resumed = job.images.some((i) => i.resumed)
  const failed = job.status === 'cancelled' ? [] : job.images.filter((i) => i.state === 'failed')
  // A partial or running job has no error of its own: its failed images speak for it.
  const problem = job.error ?? (failed.length > 0 ? failedSummary(failed, job.count) : undefined)

  return (
    <li className={clsx('job', `job-${job.status}`, unconfirmed > 0 && 'job-unconfirmed')}>
      <div className="job-head">
        <span className={clsx('status', showUnconfirmed ? 'status-unconfirmed' : `status-${job.status}`)}>
          <Icon className={clsx(running && 'spin')} aria-hidden size={12} strokeWidth={2} />
          {label}
        </span>
        {resumed && (
          <Hint content="Atelier restarted while this job ran and picked it up again, without sending anything twice.">
            <span className="job-badge" tabIndex={0}>
              <RotateCw aria-hidden size={10} strokeWidth={2.25} />
              Resumed after restart
            </span>
          </Hint>
        )}
        <span className="job-meta">
          {end !== undefined ? (
            <time className="tabular" title={`Started ${formatTime(job.createdAt)}`}>
              {formatElapsed(end - job.createdAt)}
            </time>
          ) : (
            <time className="tabular">{formatTime(job.createdAt)}</time>
          )}
        </span>
        {running && <IconButton label="Cancel job" icon={X} size="sm" className="job-cancel" onClick={() => void cancel(job.id)} />}
      </div>
      <p className="job-prompt" title={job.prompt}>
        {job.prompt}
      </p>
      <p className="job-details">
        <span title={job.modelId}>{model?.displayName ?? job.modelId}</span>
        <span>
          {job.count} {job.count === 1 ? 'image' : 'images'}
        </span>
        {params.map((p) => (
          <span key={p}>{p}</span>
        ))}
        {cost && <span className="tabular" title={cost.title}>{cost.text}</span>}
        {progress && <span className="job-progress">{progress}</span>}
      </p>
      <ReferenceSupply job={job} />
      <ImageSlots job={job} />
      {running && <Notice job={job} now={now} />}
      {problem && (
        <div
          className={clsx('job-error', (unconfirmed > 0 || job.status !== 'failed') && 'job-error-warning')}
          role={job.status === 'failed' ? 'alert' : undefined}
        >
          {unconfirmed > 0 ? (
            <CircleHelp aria-hidden size={14} strokeWidth={1.75} />
          ) : (
            <CircleAlert aria-hidden size={14} strokeWidth={1.75} />
          )}
          <div className="job-error-body">
            <p>{problem}</p>
            {(unconfirmed > 0 || failed.length > 0) && (
              <div className="job-actions">
                {unconfirmed > 0 && <SendAgain job={job} count={unconfirmed} />}
                {failed.length > 0 && <RetryFailed job={job} />}
              </div>
            )}
          </div>
        </div>
      )}
    </li>
  )
}
