// One job in the Jobs list: how it is going (or how it went, and why), what was asked, how long, what it cost,
// each image's state, and the job's actions (Reuse, Copy prompt, Duplicate, Remove from list) in its menu.
import { useEffect, useRef } from 'react'
import { Ban, CircleAlert, CircleCheck, CircleHelp, CloudUpload, FileCode2, Images, Loader2, RotateCw, TriangleAlert, X } from 'lucide-react'
import { ContextMenu } from 'radix-ui'
import clsx from 'clsx'
import type { Job } from '../../../../shared/domain'
import { summarizeParams } from '../../lib/format'
import { endOf, useJobs } from '../../store/jobs'
import { findModel, useModel } from '../../store/model'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'
import { ImageSlots } from './ImageSlots'
import { JobActionsButton, JobMenuItems } from './JobMenuItems'
import { Notice } from './JobNotice'
import { JobTime } from './JobTime'
import { JobProblem } from './JobProblem'
import { imagesCount, jobCost, jobPhase } from './jobText'

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

export function JobItem({ job, now }: { job: Job; now: number }) {
  const seenEnd = useJobs((s) => s.finishedAt[job.id])
  const cancel = useJobs((s) => s.cancel)
  const focus = useJobs((s) => (s.focus?.jobId === job.id ? s.focus.at : null))
  const running = job.status === 'running'
  const unconfirmed = running ? 0 : job.images.filter((i) => i.state === 'unconfirmed').length
  const showUnconfirmed = unconfirmed > 0 && job.status === 'failed'
  const { label, icon: Icon } = showUnconfirmed ? UNCONFIRMED : running ? { label: jobPhase(job), icon: Loader2 } : STATUS[job.status]
  const params = summarizeParams(job.params)
  const model = useModel((s) => findModel(s.catalogue, job.modelId))
  const cost = jobCost(job)
  const end = running ? now : endOf(job, seenEnd)
  const progress = progressWord(job)
  const resumed = job.images.some((i) => i.resumed)
  const ref = useRef<HTMLLIElement>(null)

  // Brought into view when its notification was clicked.
  useEffect(() => {
    if (focus !== null) ref.current?.scrollIntoView({ block: 'nearest' })
  }, [focus])

  return (
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild>
        <li ref={ref} className={clsx('job', `job-${job.status}`, unconfirmed > 0 && 'job-unconfirmed', focus !== null && 'job-focused')} data-job-id={job.id}>
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
              <JobTime createdAt={job.createdAt} end={end} />
            </span>
            {running && <IconButton label="Cancel job" icon={X} size="sm" className="job-cancel" onClick={() => void cancel(job.id)} />}
            <JobActionsButton job={job} className="job-more" />
          </div>
          <p className="job-prompt" title={job.prompt}>
            {job.prompt || 'No prompt'}
          </p>
          <p className="job-details">
            <span title={job.modelId}>{model?.displayName ?? job.modelId}</span>
            <span>{imagesCount(job.count)}</span>
            {params.map((p) => (
              <span key={p}>{p}</span>
            ))}
            {cost && (
              <span className="tabular" title={cost.title}>
                {cost.text}
              </span>
            )}
            {progress && <span className="job-progress">{progress}</span>}
          </p>
          <ReferenceSupply job={job} />
          <ImageSlots job={job} />
          {running && <Notice job={job} now={now} live />}
          <JobProblem job={job} announce />
        </li>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="menu" collisionPadding={8}>
          <JobMenuItems kit={ContextMenu} job={job} />
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  )
}
