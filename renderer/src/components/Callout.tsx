// An inline message where the user is looking: what happened and what to do about it.
import type { ReactNode } from 'react'
import { AlertTriangle, CircleAlert, Info, CircleCheck } from 'lucide-react'
import clsx from 'clsx'

export type CalloutTone = 'info' | 'success' | 'warning' | 'danger'

const ICONS = { info: Info, success: CircleCheck, warning: AlertTriangle, danger: CircleAlert }

interface CalloutProps {
  tone: CalloutTone
  title?: string
  children?: ReactNode
  action?: ReactNode
  /** `alert` for problems that just happened; `status` for quiet updates; none for standing notes. */
  role?: 'alert' | 'status'
  className?: string
}

export function Callout({ tone, title, children, action, role, className }: CalloutProps) {
  const Icon = ICONS[tone]
  return (
    <div className={clsx('callout', `callout-${tone}`, className)} role={role}>
      <Icon className="callout-icon" aria-hidden size={16} strokeWidth={1.75} />
      <div className="callout-body">
        {title && <p className="callout-title">{title}</p>}
        {children && <div className="callout-text">{children}</div>}
        {action && <div className="callout-action">{action}</div>}
      </div>
    </div>
  )
}
