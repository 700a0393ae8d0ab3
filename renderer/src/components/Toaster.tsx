// Renders the toast store with Radix Toast (announced politely; errors and undoable changes stay a little longer).
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react'
import { Toast } from 'radix-ui'
import clsx from 'clsx'
import { useToasts } from '../store/toasts'

const ICONS = { info: Info, success: CircleCheck, danger: CircleAlert }

export function Toaster() {
  const toasts = useToasts((s) => s.toasts)
  const dismiss = useToasts((s) => s.dismiss)
  return (
    <>
      {toasts.map((t) => {
        const Icon = ICONS[t.tone]
        return (
          <Toast.Root
            key={t.id}
            className={clsx('toast', `toast-${t.tone}`)}
            // An undoable change stays long enough to change one's mind.
            duration={t.tone === 'danger' || t.action ? 9000 : 4000}
            type={t.tone === 'danger' ? 'foreground' : 'background'}
            onOpenChange={(open) => !open && dismiss(t.id)}
          >
            <Icon className="toast-icon" aria-hidden size={16} strokeWidth={1.75} />
            <div className="toast-body">
              <Toast.Title className="toast-title">{t.title}</Toast.Title>
              {t.message && <Toast.Description className="toast-text">{t.message}</Toast.Description>}
            </div>
            {t.action && (
              <Toast.Action className="btn btn-secondary btn-sm toast-action" altText={t.action.altText} onClick={t.action.run}>
                {t.action.label}
              </Toast.Action>
            )}
            <Toast.Close className="icon-btn icon-btn-sm toast-close" aria-label="Dismiss">
              <X aria-hidden size={14} strokeWidth={1.75} />
            </Toast.Close>
          </Toast.Root>
        )
      })}
      <Toast.Viewport className="toast-viewport" />
    </>
  )
}
