// The Jobs region: running jobs and the recent finished ones (kept across restarts), newest first; Clear finished
// takes the finished ones off the list (their images stay in the library); the bell turns on system notifications
// for jobs that end while Atelier is in the background.
import { useMemo } from 'react'
import { Bell, BellOff, ListChecks } from 'lucide-react'
import { newestFirst, isRunning, useJobs } from '../../store/jobs'
import { useNotify } from '../../store/notify'
import { useNow } from '../../lib/useNow'
import { EmptyState } from '../EmptyState'
import { Hint } from '../Hint'
import { DuplicateDialog } from './DuplicateDialog'
import { JobItem } from './JobItem'

function NotifyToggle() {
  const { permission, enabled, toggle } = useNotify()
  if (permission === 'unsupported') return null
  const on = permission === 'granted' && enabled
  const hint =
    permission === 'denied'
      ? 'Notifications are blocked for Atelier. Allow them in your system (or browser) settings to hear when jobs end.'
      : on
        ? 'Notifying you when a job ends while Atelier is in the background. Click to stop.'
        : 'Notify me when a job ends while Atelier is in the background'
  return (
    <Hint content={hint}>
      <button
        type="button"
        className="icon-btn icon-btn-sm jobs-notify"
        aria-label="Notify me when jobs end"
        aria-pressed={on}
        aria-disabled={permission === 'denied'}
        onClick={() => permission !== 'denied' && void toggle()}
      >
        {on ? <Bell aria-hidden size={14} strokeWidth={1.75} /> : <BellOff aria-hidden size={14} strokeWidth={1.75} />}
      </button>
    </Hint>
  )
}

export function JobsPanel() {
  const byId = useJobs((s) => s.byId)
  const clearFinished = useJobs((s) => s.clearFinished)
  const jobs = useMemo(() => newestFirst(byId), [byId])
  const running = jobs.filter(isRunning).length
  const finished = jobs.length - running
  const now = useNow(running > 0)

  return (
    <section className="jobs" aria-labelledby="jobs-heading">
      <div className="panel-heading">
        <ListChecks aria-hidden size={14} strokeWidth={1.75} />
        <h2 id="jobs-heading">Jobs</h2>
        {running > 0 && <span className="count-badge">{running} running</span>}
        <span className="jobs-heading-actions">
          {finished > 0 && (
            <Hint content="Takes the finished jobs off this list and Results. Their images stay in your library.">
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void clearFinished()}>
                Clear finished
              </button>
            </Hint>
          )}
          <NotifyToggle />
        </span>
      </div>
      {jobs.length === 0 ? (
        <EmptyState icon={ListChecks} title="No jobs yet">
          Jobs you start appear here with each image’s progress.
        </EmptyState>
      ) : (
        <ul className="job-list">
          {jobs.map((job) => (
            <JobItem key={job.id} job={job} now={now} />
          ))}
        </ul>
      )}
      <DuplicateDialog />
    </section>
  )
}
