// What a running job is waiting for ("Oxen is busy — retrying in 8 s", "Reconnecting to Oxen…"), with a countdown.
import { Hourglass } from 'lucide-react'
import type { Job } from '../../../../shared/domain'

const SENTENCE_END = /[.!?…]$/

/** A clause after a notice: "Oxen is busy — retrying in 8 s"; after a full sentence, a sentence of its own. */
function withClause(message: string, clause: string): string {
  if (!SENTENCE_END.test(message)) return ` — ${clause}`
  return ` ${clause.charAt(0).toUpperCase()}${clause.slice(1)}${SENTENCE_END.test(clause) ? '' : '.'}`
}

/**
 * What a running job waits for, with a live countdown to its next try. `live`: a polite live region that stays mounted
 * while the job runs, so each new message is announced once (one place per job: the Jobs list); the ticking seconds
 * are hidden from screen readers.
 */
export function Notice({ job, now, live = false }: { job: Job; now: number; live?: boolean }) {
  const { notice } = job
  const seconds = notice?.retryAt === undefined ? null : Math.ceil((notice.retryAt - now) / 1000)
  return (
    <div className="job-notice" role={live ? 'status' : undefined}>
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
