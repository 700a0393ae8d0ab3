// Undo for what replaces the composer's work in one go: Reuse (all, prompt, parameters), the follow-ups (Upscale,
// Edit with…, Vary), a prompt picked from the history, "Remove all" references. Each takes a snapshot of the composer
// (its model and everything a draft keeps) before the change; the toast's Undo and Ctrl/Cmd+Z put it back.
// Typing has its own undo in the text field; this is for the changes made from elsewhere.
import { applyContent, contentOf, useComposer, type ComposerContent } from './composer'
import { useModel } from './model'
import { toast, useToasts, type ToastAction } from './toasts'

interface UndoEntry {
  id: number
  /** What the change was, as its toast says ("Prompt reused"). */
  what: string
  modelId: string | null
  content: ComposerContent
  /** The toast that offers it, dismissed when it is undone another way. */
  toastId?: number
}

/** The newest last; older ones fall off. */
const stack: UndoEntry[] = []
const MAX_ENTRIES = 20
let nextId = 1

export interface ComposerUndo {
  /** The toast's Undo button. */
  action: ToastAction
  /** The toast that shows it (so Ctrl/Cmd+Z can take it away). */
  shownIn: (toastId: number) => void
  /** The change did not happen after all. */
  discard: () => void
}

const remove = (id: number) => {
  const at = stack.findIndex((e) => e.id === id)
  return at < 0 ? undefined : stack.splice(at, 1)[0]
}

/** Remembers the composer as it is now, before `what` changes it. */
export function rememberComposer(what: string): ComposerUndo {
  const entry: UndoEntry = { id: nextId++, what, modelId: useModel.getState().modelId, content: contentOf(useComposer.getState()) }
  stack.push(entry)
  if (stack.length > MAX_ENTRIES) stack.shift()
  return {
    action: {
      label: 'Undo',
      altText: 'To undo it, press Control+Z (Command+Z on a Mac) in Create, outside the text fields.',
      run: () => void restore(entry.id),
    },
    shownIn: (toastId) => (entry.toastId = toastId),
    discard: () => void remove(entry.id),
  }
}

/** Puts the composer back as the entry found it (its model first); false when it was undone already. */
async function restore(id: number): Promise<UndoEntry | undefined> {
  const entry = remove(id)
  if (!entry) return undefined
  if (entry.toastId !== undefined) useToasts.getState().dismiss(entry.toastId)
  const model = useModel.getState()
  if (entry.modelId && (entry.modelId !== model.modelId || model.status === 'error')) await model.select(entry.modelId)
  applyContent(entry.content)
  return entry
}

/** Undoes the newest change still undoable; says what it undid. False when there is none. */
export function undoLast(): boolean {
  const last = stack.at(-1)
  if (!last) return false
  void restore(last.id).then((entry) => entry && toast({ tone: 'info', title: `Undone: ${entry.what}` }))
  return true
}

/** Whether a key press goes to a field that has its own undo (text typed there). */
export function inTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement) return true
  if (target instanceof HTMLInputElement) return ['text', 'search', 'number', 'email', 'url', 'tel', 'password'].includes(target.type)
  return target instanceof HTMLElement && target.isContentEditable
}

/** Ctrl/Cmd+Z outside a text field: the composer's last replaced work comes back. */
export function onUndoKey(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.altKey || event.shiftKey || !(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') return
  if (inTextEntry(event.target)) return
  if (undoLast()) event.preventDefault()
}
