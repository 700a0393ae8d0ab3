// What went wrong with a job, readable where it is shown (the Jobs list and Results), with what can be done about it:
// Retry failed, Send again, and for a failure only the user can fix, where to fix it (Settings, or Oxen.ai for credits).
import { useState } from 'react'
import { CircleAlert, CircleHelp, CreditCard, ExternalLink, KeyRound, Loader2, RotateCw } from 'lucide-react'
import { AlertDialog } from 'radix-ui'
import clsx from 'clsx'
import type { Job } from '../../../../shared/domain'
import { useJobs } from '../../store/jobs'
import { useNavigation } from '../../store/navigation'
import { AlertDialogActions } from '../DialogActions'
import { Hint } from '../Hint'
import { jobProblem, OXEN_BILLING_URL } from './jobText'

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
          <AlertDialogActions cancel="Keep as is" onAction={() => void retry(job.id)}>
            Send again
          </AlertDialogActions>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}

/** Oxen's own words ("Insufficient credits") do not say where credits are added. (A refused key's message already names Settings.) */
const NO_CREDIT = 'Your Oxen account is out of credits: add credits on Oxen.ai, then retry.'

function NeedsAction({ needs }: { needs: NonNullable<Job['needs']> }) {
  const go = useNavigation((s) => s.go)
  if (needs === 'api-key') {
    return (
      <button type="button" className="btn btn-primary btn-sm" onClick={() => go('settings')}>
        <KeyRound aria-hidden size={12} strokeWidth={2} />
        Open Settings
      </button>
    )
  }
  return (
    <a className="btn btn-primary btn-sm" href={OXEN_BILLING_URL} target="_blank" rel="noreferrer">
      <CreditCard aria-hidden size={12} strokeWidth={2} />
      Add credits on Oxen.ai
      <ExternalLink aria-hidden size={11} strokeWidth={2} />
    </a>
  )
}

/**
 * The job's problem in place. `announce`: a failed job's problem is an alert (only one place should announce it:
 * the Jobs list does; Results shows the same words quietly).
 */
export function JobProblem({ job, announce = false, className }: { job: Job; announce?: boolean; className?: string }) {
  const problem = jobProblem(job)
  if (!problem) return null
  const { failed, unconfirmed } = problem
  const warning = unconfirmed.length > 0 || job.status !== 'failed'
  const needs = job.needs && failed.length > 0 ? job.needs : undefined
  return (
    <div className={clsx('job-error', warning && 'job-error-warning', className)} role={announce && job.status === 'failed' ? 'alert' : undefined}>
      {unconfirmed.length > 0 ? <CircleHelp aria-hidden size={14} strokeWidth={1.75} /> : <CircleAlert aria-hidden size={14} strokeWidth={1.75} />}
      <div className="job-error-body">
        <p>{problem.text}</p>
        {needs === 'credits' && <p className="job-error-needs">{NO_CREDIT}</p>}
        {(unconfirmed.length > 0 || failed.length > 0) && (
          <div className="job-actions">
            {needs && <NeedsAction needs={needs} />}
            {unconfirmed.length > 0 && <SendAgain job={job} count={unconfirmed.length} />}
            {failed.length > 0 && <RetryFailed job={job} />}
          </div>
        )}
      </div>
    </div>
  )
}
