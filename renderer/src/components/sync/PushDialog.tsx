// Push to Oxen: a board (or the images picked) into a repository of the user's account. Names the repository
// (prefilled from the board), states who can see it, and the commit message; main sends only what the repository
// lacks. The task then shows in the library sidebar's transfers; refusals show beside the field they concern.
import { useEffect, useState, type FormEvent } from 'react'
import { CircleAlert, CloudUpload, Globe, Info, Lock } from 'lucide-react'
import { Dialog, RadioGroup } from 'radix-ui'
import clsx from 'clsx'
import type { PushRequest } from '../../../../shared/sync'
import { useNavigation } from '../../store/navigation'
import { fieldOfError, parseRepoRef, repoLabel, slugify, useSync, type PushSource } from '../../store/sync'
import { toast } from '../../store/toasts'
import { FormDialogActions } from '../DialogActions'

type Field = 'repo' | 'message' | 'form'
type Errors = Partial<Record<Field, string>>

function subject(source: PushSource): string {
  if (source.kind === 'board') return `“${source.name}”`
  const n = source.imageIds.length
  return n === 1 ? 'an image' : `${n} images`
}

function defaultMessage(source: PushSource): string {
  if (source.kind === 'board') return `Add ${source.name} from Atelier`
  const n = source.imageIds.length
  return `Add ${n === 1 ? 'an image' : `${n} images`} from Atelier`
}

const VISIBILITY = [
  { value: 'private', title: 'Private', description: 'Only you (and people you invite on Oxen) can see it.', Icon: Lock },
  { value: 'public', title: 'Public', description: 'Anyone can see and download these images.', Icon: Globe },
] as const

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null
  return (
    <p className="feedback feedback-danger sync-field-error" id={id} role="alert">
      <CircleAlert aria-hidden size={13} strokeWidth={2} />
      <span>{text}</span>
    </p>
  )
}

export function PushDialog() {
  const dialog = useSync((s) => s.dialog)
  const close = useSync((s) => s.closeDialog)
  const namespace = useSync((s) => s.namespace)
  const accountError = useSync((s) => s.accountError)
  const source = dialog?.kind === 'push' ? dialog.source : null
  const [repo, setRepo] = useState('')
  const [isPublic, setPublic] = useState(false)
  const [message, setMessage] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!source) return
    setRepo(slugify(source.name ?? ''))
    setPublic(false)
    setMessage(defaultMessage(source))
    setErrors({})
    setBusy(false)
    void useSync.getState().loadAccount()
  }, [source])

  const typedNamespace = repo.includes('/')
  const count = source?.kind === 'images' ? source.imageIds.length : source?.kind === 'board' ? (source.count ?? null) : null

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!source || busy) return
    const ref = parseRepoRef(repo)
    if (!ref) {
      setErrors({ repo: 'Name the repository: letters, digits, "_", "." and "-", or namespace/name.' })
      return
    }
    if (!message.trim()) {
      setErrors({ message: 'Write a commit message.' })
      return
    }
    const request: PushRequest = {
      repo: ref,
      isPublic,
      message: message.trim(),
      source: source.kind === 'board' ? { boardId: source.boardId } : { imageIds: source.imageIds },
    }
    // Main checks the rest (names, lengths) and says which field is wrong.
    setBusy(true)
    const error = await useSync.getState().push(request)
    setBusy(false)
    if (error) {
      const { field, message: text } = fieldOfError(error)
      setErrors({ [field ?? 'form']: text })
      return
    }
    close()
    // Outside the library its progress is out of sight: say where it is.
    if (useNavigation.getState().view !== 'library') {
      toast({ tone: 'info', title: `Pushing to ${repoLabel(ref, namespace)}`, message: 'Its progress shows at the bottom of the Library’s sidebar.' })
    }
  }

  const describedRepo = ['push-repo-hint', errors.repo && 'push-repo-error'].filter(Boolean).join(' ')
  return (
    <Dialog.Root open={source !== null} onOpenChange={(open) => !open && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog sync-dialog">
          <Dialog.Title className="dialog-title">Push to Oxen</Dialog.Title>
          <Dialog.Description className="dialog-text">
            {source &&
              (count === 0 ? (
                <>{subject(source)} has no images yet: add some before pushing it.</>
              ) : (
                <>
                  Sends {subject(source)}
                  {source.kind === 'board' && count !== null ? ` (${count === 1 ? '1 image' : `${count.toLocaleString()} images`})` : ''} to a repository
                  in your Oxen account, with the prompt and settings that made each.
                </>
              ))}
          </Dialog.Description>
          <form className="dialog-form sync-form" onSubmit={(e) => void submit(e)} noValidate>
            <div className="sync-field">
              <label className="field-label" htmlFor="push-repo">
                Repository
              </label>
              <div className={clsx('sync-repo input input-lg', errors.repo && 'is-invalid')}>
                {!typedNamespace && (
                  <span className="sync-repo-prefix mono" aria-hidden>
                    {namespace ?? '…'}/
                  </span>
                )}
                <input
                  id="push-repo"
                  className="sync-repo-input mono"
                  value={repo}
                  maxLength={201}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={errors.repo ? true : undefined}
                  aria-describedby={describedRepo}
                  onChange={(e) => {
                    setRepo(e.target.value)
                    setErrors((s) => ({ ...s, repo: undefined, form: undefined }))
                  }}
                />
              </div>
              <p className="field-desc" id="push-repo-hint">
                {typedNamespace
                  ? 'In the namespace you typed. It is created if it does not exist yet.'
                  : namespace
                    ? `In your namespace, ${namespace}. It is created if it does not exist yet.`
                    : 'In your Oxen namespace. It is created if it does not exist yet.'}
              </p>
              <FieldError id="push-repo-error" text={errors.repo ?? (namespace === null && !typedNamespace ? accountError?.message : undefined)} />
            </div>

            <div className="sync-field">
              <span className="field-label" id="push-visibility-label">
                Who can see it
              </span>
              <RadioGroup.Root
                className="sync-choices"
                aria-labelledby="push-visibility-label"
                aria-describedby="push-visibility-note"
                value={isPublic ? 'public' : 'private'}
                onValueChange={(value) => setPublic(value === 'public')}
              >
                {VISIBILITY.map(({ value, title, description, Icon }) => (
                  <RadioGroup.Item
                    key={value}
                    value={value}
                    className="sync-choice"
                    aria-labelledby={`push-${value}-title`}
                    aria-describedby={`push-${value}-desc`}
                  >
                    <span className="sync-choice-dot" aria-hidden>
                      <RadioGroup.Indicator className="sync-choice-indicator" />
                    </span>
                    <Icon className="sync-choice-icon" aria-hidden size={14} strokeWidth={1.75} />
                    <span className="sync-choice-text">
                      <span className="sync-choice-title" id={`push-${value}-title`}>
                        {title}
                      </span>
                      <span className="sync-choice-desc" id={`push-${value}-desc`}>
                        {description}
                      </span>
                    </span>
                  </RadioGroup.Item>
                ))}
              </RadioGroup.Root>
              <p className="field-desc" id="push-visibility-note">
                Applies when the repository is created; an existing repository keeps its visibility.
              </p>
            </div>

            <div className="sync-field">
              <label className="field-label" htmlFor="push-message">
                Commit message
              </label>
              <input
                id="push-message"
                className="input input-lg"
                value={message}
                maxLength={500}
                autoComplete="off"
                aria-invalid={errors.message ? true : undefined}
                aria-describedby={errors.message ? 'push-message-error' : undefined}
                onChange={(e) => {
                  setMessage(e.target.value)
                  setErrors((s) => ({ ...s, message: undefined, form: undefined }))
                }}
              />
              <FieldError id="push-message-error" text={errors.message} />
            </div>

            <p className="sync-note">
              <Info aria-hidden size={13} strokeWidth={1.75} />
              <span>
                Sends only the images the repository lacks, plus <span className="mono">images.jsonl</span> (prompt as caption — ready for
                fine-tuning).
              </span>
            </p>
            <FieldError id="push-form-error" text={errors.form} />
            <FormDialogActions busy={busy} icon={CloudUpload}>
              Push
            </FormDialogActions>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
