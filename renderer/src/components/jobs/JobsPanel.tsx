// The Jobs region: this session's jobs, newest first.
import { useMemo } from 'react'
import { ListChecks } from 'lucide-react'
import { newestFirst, isRunning, useJobs } from '../../store/jobs'
import { useNow } from '../../lib/useNow'
import { EmptyState } from '../EmptyState'
import { JobItem } from './JobItem'

export function JobsPanel() {
  const byId = useJobs((s) => s.byId)
  const jobs = useMemo(() => newestFirst(byId), [byId])
  const running = jobs.filter(isRunning).length
  const now = useNow(running > 0)

  return (
    <section className="jobs" aria-labelledby="jobs-heading">
      <div className="panel-heading">
        <ListChecks aria-hidden size={14} strokeWidth={1.75} />
        <h2 id="jobs-heading">Jobs</h2>
        {running > 0 && <span className="count-badge">{running} running</span>}
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
    </section>
  )
}
