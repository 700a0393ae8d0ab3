// One small slot per requested image: its state at a glance, the thumbnail once saved.
import { Ban, Check, CircleAlert, CircleHelp, Clock3, Download, Loader2, RotateCw } from 'lucide-react'
import clsx from 'clsx'
import type { Job, JobImage } from '../../../../shared/domain'
import { Hint } from '../Hint'

const STATE_WORDS: Record<JobImage['state'], string> = {
  pending: 'pending',
  queued: 'queued',
  processing: 'processing',
  downloading: 'downloading',
  saved: 'saved',
  failed: 'failed',
  cancelled: 'cancelled',
  unconfirmed: 'may have been submitted',
}

function slotLabel(image: JobImage, count: number): string {
  const base = `Image ${image.index + 1} of ${count}: ${STATE_WORDS[image.state]}`
  if (image.state === 'downloading' && image.progress !== undefined) return `${base} ${Math.round(image.progress * 100)}%`
  return base
}

function SlotIcon({ state }: { state: JobImage['state'] }) {
  const common = { 'aria-hidden': true, size: 12, strokeWidth: 2 } as const
  switch (state) {
    case 'pending':
    case 'queued':
      return <Clock3 {...common} />
    case 'processing':
      return <Loader2 className="spin" {...common} />
    case 'downloading':
      return <Download {...common} />
    case 'saved':
      return <Check {...common} />
    case 'failed':
      return <CircleAlert {...common} />
    case 'cancelled':
      return <Ban {...common} />
    case 'unconfirmed':
      return <CircleHelp {...common} />
  }
}

export function ImageSlots({ job }: { job: Job }) {
  const images = [...job.images].sort((a, b) => a.index - b.index)
  return (
    <ul className="slots" aria-label="Images">
      {images.map((image) => {
        const label = slotLabel(image, job.count)
        const hint = [label, image.resumed && 'Resumed after Atelier restarted', image.error].filter(Boolean).join('. ')
        return (
          <li key={image.index}>
            <Hint content={hint}>
              <span
                className={clsx('slot', `slot-${image.state}`)}
                role="img"
                aria-label={label}
                aria-description={image.resumed ? 'Resumed after restart' : undefined}
              >
                {image.state === 'saved' && image.thumbUrl ? (
                  <img src={image.thumbUrl} alt="" className="slot-thumb" draggable={false} />
                ) : (
                  <SlotIcon state={image.state} />
                )}
                {image.resumed && (
                  <span className="slot-resumed" aria-hidden>
                    <RotateCw size={7} strokeWidth={3} />
                  </span>
                )}
                {image.state === 'downloading' && (
                  <span className="slot-progress" aria-hidden>
                    <span style={{ width: `${Math.round((image.progress ?? 0) * 100)}%` }} />
                  </span>
                )}
              </span>
            </Hint>
          </li>
        )
      })}
    </ul>
  )
}
