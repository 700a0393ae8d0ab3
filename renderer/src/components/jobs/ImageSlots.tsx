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

const ORDINAL_RULES = new Intl.PluralRules('en', { type: 'ordinal' })
const ORDINAL_SUFFIX: Partial<Record<Intl.LDMLPluralRule, string>> = { one: 'st', two: 'nd', few: 'rd' }
const ordinal = (n: number) => `${n}${ORDINAL_SUFFIX[ORDINAL_RULES.select(n)] ?? 'th'}`

function slotLabel(image: JobImage, count: number): string {
  const base = `Image ${image.index + 1} of ${count}: ${STATE_WORDS[image.state]}`
  if (image.state === 'downloading' && image.progress !== undefined) return `${base} ${Math.round(image.progress * 100)}%`
  return base
}

/** "1st try failed: Oxen could not make this image…", one per earlier try, oldest first. */
function earlierTries(image: JobImage): string[] {
  return (image.attempts ?? []).map((a, i) => `${ordinal(i + 1)} try ${STATE_WORDS[a.state]}${a.error ? `: ${a.error}` : ''}`)
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
        const earlier = earlierTries(image)
        const attempt = earlier.length > 0 ? ordinal(earlier.length + 1) : null
        const notes = [image.resumed && 'Resumed after Atelier restarted', image.error].filter((n): n is string => !!n)
        const description = [image.resumed && 'Resumed after restart', attempt && `${attempt} try. ${earlier.join('. ')}`].filter(Boolean).join('. ')
        return (
          <li key={image.index}>
            <Hint
              content={
                <div className="slot-hint">
                  <p>{[attempt ? `${label} (${attempt} try)` : label, ...notes].join('. ')}</p>
                  {attempt && (
                    <>
                      <p className="slot-hint-heading">Earlier tries</p>
                      <ul>
                        {earlier.map((line) => (
                          <li key={line}>{line}</li>
                        ))}
                      </ul>
                    </>
                  )}
                </div>
              }
            >
              <span
                className={clsx('slot', `slot-${image.state}`)}
                role="img"
                aria-label={label}
                aria-description={description || undefined}
                // Reachable by keyboard when its hint says more than its name.
                tabIndex={notes.length > 0 || attempt ? 0 : undefined}
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
                {attempt && (
                  <span className="slot-attempt" aria-hidden>
                    {attempt}
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
