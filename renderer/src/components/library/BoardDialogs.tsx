// The board dialogs: name a new board (optionally with images to put in it), rename one, delete one.
import { useEffect, useState, type FormEvent } from 'react'
import { AlertDialog, Dialog } from 'radix-ui'
import { useBoardDialog } from '../../store/boardDialog'
import { addToNewBoard, createBoard, deleteBoard, renameBoard } from '../../store/libraryActions'
import { useLibrary } from '../../store/library'
import { AlertDialogActions, FormDialogActions } from '../DialogActions'

function NameDialog() {
  const dialog = useBoardDialog((s) => s.dialog)
  const close = useBoardDialog((s) => s.close)
  const naming = dialog?.kind === 'create' || dialog?.kind === 'rename' ? dialog : null
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    setName(naming?.kind === 'rename' ? naming.board.name : '')
    setError(null)
  }, [naming])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!naming || busy) return
    const trimmed = name.trim()
    if (!trimmed) {
      setError('Give the board a name.')
      return
    }
    setBusy(true)
    let problem: string | null
    if (naming.kind === 'rename') problem = await renameBoard(naming.board.id, trimmed)
    else if (naming.imageIds.length) problem = await addToNewBoard(trimmed, naming.imageIds)
    else {
      const board = await createBoard(trimmed)
      problem = typeof board === 'string' ? board : null
      // A new, empty board opens, ready to drag images onto.
      if (typeof board !== 'string') useLibrary.getState().setScope({ kind: 'board', boardId: board.id })
    }
    setBusy(false)
    if (problem) setError(problem)
    else close()
  }

  const title = naming?.kind === 'rename' ? 'Rename board' : 'New board'
  const count = naming?.kind === 'create' ? naming.imageIds.length : 0
  return (
    <Dialog.Root open={naming !== null} onOpenChange={(open) => !open && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title className="dialog-title">{title}</Dialog.Title>
          <Dialog.Description className="dialog-text">
            {naming?.kind === 'rename'
              ? 'Boards are yours to name; the images in it stay as they are.'
              : count > 0
                ? `The board starts with the ${count === 1 ? 'image' : `${count} images`} you chose.`
                : 'A board gathers images you want to keep together, without moving them.'}
          </Dialog.Description>
          <form className="dialog-form" onSubmit={(e) => void submit(e)}>
            <label className="field-label" htmlFor="board-name">
              Board name
            </label>
            <input
              id="board-name"
              className="input input-lg"
              value={name}
              maxLength={80}
              autoComplete="off"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'board-name-error' : undefined}
              onChange={(e) => {
                setName(e.target.value)
                setError(null)
              }}
            />
            {error && (
              <p className="feedback feedback-danger" id="board-name-error" role="alert">
                {error}
              </p>
            )}
            <FormDialogActions busy={busy}>{naming?.kind === 'rename' ? 'Rename' : 'Create board'}</FormDialogActions>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

function DeleteDialog() {
  const dialog = useBoardDialog((s) => s.dialog)
  const close = useBoardDialog((s) => s.close)
  const board = dialog?.kind === 'delete' ? dialog.board : null
  return (
    <AlertDialog.Root open={board !== null} onOpenChange={(open) => !open && close()}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title className="dialog-title">Delete “{board?.name}”?</AlertDialog.Title>
          <AlertDialog.Description className="dialog-text">
            The board goes away; its {board?.count === 1 ? 'image stays' : `${board?.count ?? 0} images stay`} in your library.
          </AlertDialog.Description>
          <AlertDialogActions tone="danger" onAction={() => board && void deleteBoard(board)}>
            Delete board
          </AlertDialogActions>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}

export function BoardDialogs() {
  return (
    <>
      <NameDialog />
      <DeleteDialog />
    </>
  )
}
