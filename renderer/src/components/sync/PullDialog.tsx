// Pull from Oxen: a repository's images (pushed from Atelier here or elsewhere) into the library, on a board named
// after the repository. Takes "ns/repo", a repository page's address, or just a name (one of the user's own).
import { useEffect, useState, type FormEvent } from 'react'
import { CircleAlert, CloudDownload } from 'lucide-react'
import { Dialog } from 'radix-ui'
import clsx from 'clsx'
import { fieldOfError, parseRepoRef, useSync } from '../../store/sync'
import { FormDialogActions } from '../DialogActions'

export function PullDialog() {
  const open = useSync((s) => s.dialog?.kind === 'pull')
  const close = useSync((s) => s.closeDialog)
  const namespace = useSync((s) => s.namespace)
  const [repo, setRepo] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!open) return
    setRepo('')
    setError(null)
    setBusy(false)
    void useSync.getState().loadAccount()
  }, [open])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    const ref = parseRepoRef(repo)
    if (!ref) {
      setError(repo.trim() ? 'Write it as namespace/repository, or paste the repository’s address from oxen.ai.' : 'Name the repository to pull.')
      return
    }
    // Main checks the names and says what is wrong with them.
    setBusy(true)
    const refused = await useSync.getState().pull(ref)
    setBusy(false)
    if (refused) setError(fieldOfError(refused).message)
    else close()
  }

  return (
    <Dialog.Root open={open} onOpenChange={(next) => !next && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog sync-dialog">
          <Dialog.Title className="dialog-title">Pull from Oxen</Dialog.Title>
          <Dialog.Description className="dialog-text">
            Images land on a board named after the repository; nothing in your library is overwritten.
          </Dialog.Description>
          <form className="dialog-form sync-form" onSubmit={(e) => void submit(e)} noValidate>
            <div className="sync-field">
              <label className="field-label" htmlFor="pull-repo">
                Repository
              </label>
              <input
                id="pull-repo"
                className={clsx('input input-lg mono', error && 'is-invalid')}
                value={repo}
                placeholder="namespace/repository"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={error ? true : undefined}
                aria-describedby={['pull-repo-hint', error && 'pull-repo-error'].filter(Boolean).join(' ')}
                onChange={(e) => {
                  setRepo(e.target.value)
                  setError(null)
                }}
              />
              <p className="field-desc" id="pull-repo-hint">
                As namespace/repository, or the repository’s address on oxen.ai. A name alone is one of yours
                {namespace ? ` (${namespace}/…)` : ''}.
              </p>
              {error && (
                <p className="feedback feedback-danger sync-field-error" id="pull-repo-error" role="alert">
                  <CircleAlert aria-hidden size={13} strokeWidth={2} />
                  <span>{error}</span>
                </p>
              )}
            </div>
            <FormDialogActions busy={busy} icon={CloudDownload}>
              Pull
            </FormDialogActions>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
