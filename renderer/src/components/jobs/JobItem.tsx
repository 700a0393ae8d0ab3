// One job in the Jobs list: prompt, what was asked, how long, how it went, each image's state.
import { Ban, CircleAlert, CircleCheck, Loader2, TriangleAlert, X } from 'lucide-react'
import clsx from 'clsx'
import type { Job } from '../../../../shared/domain'
import { formatElapsed, formatTime, summarizeParams } from '../../lib/format'
import { useJobs } from '../../store/jobs'
import { IconButton } from '../IconButton'
import { ImageSlots } from './ImageSlots'

const STATUS = {
  running: { label: 'Running', icon: Loader2 },
  completed: { label: 'Done', icon: CircleCheck },
  partial: { label: 'Partly done', icon: TriangleAlert },
  failed: { label: 'Failed', icon: CircleAlert },
  cancelled: { label: 'Cancelled', icon: Ban },
} as const

function progressWord(job: Job): string | null {
  if (job.status !== 'running') return null
  const saved = job.images.filter((i) => i.state === 'saved').length
  return `${saved} of ${job.count} saved`
}

export function JobItem({ job, now }: { job: Job; now: number }) {
  const finishedAt = useJobs((s) => s.finishedAt[job.id])
  const cancel = useJobs((s) => s.cancel)
  const { label, icon: Icon } = STATUS[job.status]
  const params = summarizeParams(job.params)
  const running = job.status === 'running'
  const end = running ? now : finishedAt
  const progress = progressWord(job)

  return (
    <li className={clsx('job', `job-${job.status}`)}>
      <div className="job-head">
        <span className={clsx('status', `status-${job.status}`)}>
          <Icon className={clsx(running && 'spin')} aria-hidden size={12} strokeWidth={2} />
          {label}
        </span>
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
        <span>
          {job.count} {job.count === 1 ? 'image' : 'images'}
        </span>
        {params.map((p) => (
          <span key={p}>{p}</span>
        ))}
        {progress && <span className="job-progress">{progress}</span>}
      </p>
      <ImageSlots job={job} />
      {job.error && (
        <p className="job-error" role={job.status === 'failed' ? 'alert' : undefined}>
          <CircleAlert aria-hidden size={14} strokeWidth={1.75} />
          <span>{job.error}</span>
        </p>
      )}
    </li>
  )
}
