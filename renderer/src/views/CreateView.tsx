import { Composer } from '../components/composer/Composer'
import { JobsPanel } from '../components/jobs/JobsPanel'
import { ResultsGrid } from '../components/results/ResultsGrid'

export function CreateView() {
  return (
    <div className="create">
      <Composer />
      <div className="create-main">
        <ResultsGrid />
        <JobsPanel />
      </div>
    </div>
  )
}
