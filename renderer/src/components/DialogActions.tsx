// The row that ends a dialog: Cancel, then its one action. A form dialog's action submits the form (still focusable
// while busy, only aria-disabled); a confirmation's (AlertDialog) runs on click and closes it.
import type { ReactNode } from 'react'
import type { LucideIcon } from 'lucide-react'
import { AlertDialog, Dialog } from 'radix-ui'

interface FormDialogActionsProps {
  busy: boolean
  icon?: LucideIcon
  children: ReactNode
}

/** Cancel and the submit button of a form in a Dialog. */
export function FormDialogActions({ busy, icon: Icon, children }: FormDialogActionsProps) {
  return (
    <div className="dialog-actions">
      <Dialog.Close className="btn btn-secondary">Cancel</Dialog.Close>
      <button type="submit" className="btn btn-primary" aria-disabled={busy}>
        {Icon && <Icon aria-hidden size={14} strokeWidth={1.75} />}
        {children}
      </button>
    </div>
  )
}

interface AlertDialogActionsProps {
  /** What declining is called; "Cancel" unless given. */
  cancel?: string
  tone?: 'primary' | 'danger'
  onAction: () => void
  children: ReactNode
}

/** Cancel and the action of an AlertDialog; either closes it. */
export function AlertDialogActions({ cancel = 'Cancel', tone = 'primary', onAction, children }: AlertDialogActionsProps) {
  return (
    <div className="dialog-actions">
      <AlertDialog.Cancel className="btn btn-secondary">{cancel}</AlertDialog.Cancel>
      <AlertDialog.Action className={`btn btn-${tone}`} onClick={onAction}>
        {children}
      </AlertDialog.Action>
    </div>
  )
}
