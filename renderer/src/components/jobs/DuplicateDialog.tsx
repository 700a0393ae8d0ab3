// Duplicate asks first: the same request again is billed again, so the dialog says how much (the job's estimate).
import { AlertDialog } from 'radix-ui'
import { formatUsd } from '../../../../shared/pricing'
import { useJobs } from '../../store/jobs'
import { findModel, useModel } from '../../store/model'
import { AlertDialogActions } from '../DialogActions'
import { imagesCount } from './jobText'

export function DuplicateDialog() {
  const job = useJobs((s) => s.duplicating)
  const model = useModel((s) => (job ? findModel(s.catalogue, job.modelId) : undefined))
  const close = () => useJobs.setState({ duplicating: null })
  const name = model?.displayName ?? job?.modelId ?? ''
  const cost = job?.estimate !== undefined ? formatUsd(job.estimate) : null
  return (
    <AlertDialog.Root open={job !== null} onOpenChange={(open) => !open && close()}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title className="dialog-title">{job ? `Generate ${imagesCount(job.count)} again?` : 'Generate again?'}</AlertDialog.Title>
          <AlertDialog.Description className="dialog-text">
            {cost
              ? `The same request goes to ${name} as a new job, about ${cost}, billed again.`
              : `The same request goes to ${name} as a new job, billed again at the model’s price.`}
          </AlertDialog.Description>
          <AlertDialogActions
            onAction={() => {
              if (job) void useJobs.getState().duplicate(job.id)
            }}
          >
            {cost ? `Generate · ≈ ${cost}` : 'Generate'}
          </AlertDialogActions>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
