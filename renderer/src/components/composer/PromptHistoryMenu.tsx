// "Earlier prompts": every prompt sent, newest first, searched as you type (main searches the whole journal). Picking
// one puts it in the prompt; a different prompt that was there comes back with Undo. cmdk gives the list its keyboard
// and roles, Radix's popover its focus handling, as in the model picker.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react'
import { Command } from 'cmdk'
import { History, Search } from 'lucide-react'
import { Popover } from 'radix-ui'
import type { PromptHistoryEntry } from '../../../../shared/domain'
import { formatAge } from '../../lib/format'
import { useComposer } from '../../store/composer'
import { findModel, useModel } from '../../store/model'
import { searchPrompts, usePromptHistory } from '../../store/promptHistory'
import { toast } from '../../store/toasts'
import { rememberComposer } from '../../store/undo'
import { Hint, Kbd } from '../Hint'
import { replaceText } from './textareaCaret'

/** The clock button that opens the list (anywhere inside PromptHistoryMenu). */
export function PromptHistoryTrigger() {
  return (
    <Hint
      content={
        <>
          Earlier prompts · <Kbd>↑</Kbd> in an empty prompt
        </>
      }
    >
      <Popover.Trigger className="icon-btn icon-btn-sm prompt-history-trigger" aria-label="Earlier prompts">
        <History aria-hidden size={14} strokeWidth={1.75} />
      </Popover.Trigger>
    </Hint>
  )
}

/** Where the list opens under (the prompt box, inside PromptHistoryMenu). */
export const PromptHistoryAnchor = Popover.Anchor

/** The list of earlier prompts around the prompt field (`children`), which holds its trigger and anchor. */
export function PromptHistoryMenu({ textarea, children }: { textarea: RefObject<HTMLTextAreaElement | null>; children: ReactNode }) {
  const [open, setOpen] = useState(false)
  const [search, setSearch] = useState('')
  const [found, setFound] = useState<PromptHistoryEntry[] | null>(null)
  const recent = usePromptHistory((s) => s.recent)
  const catalogue = useModel((s) => s.catalogue)
  const picked = useRef(false)
  const asked = useRef(0)

  // Each search asks main; only the answer to the latest one is shown.
  useEffect(() => {
    if (!open || !search.trim()) {
      setFound(null)
      return
    }
    const ask = ++asked.current
    void searchPrompts(search).then((prompts) => {
      if (ask === asked.current) setFound(prompts ?? [])
    })
  }, [open, search])

  const entries = search.trim() ? (found ?? []) : recent
  const searching = search.trim() !== '' && found === null

  const onOpenChange = (next: boolean) => {
    setOpen(next)
    if (!next) return
    setSearch('')
    picked.current = false
    void usePromptHistory.getState().load()
  }

  const pick = (entry: PromptHistoryEntry) => {
    picked.current = true
    setOpen(false)
    const before = useComposer.getState().prompt
    if (before === entry.prompt) return
    // A different prompt being replaced comes back with Undo (or Ctrl/Cmd+Z outside the text).
    const undo = before.trim() ? rememberComposer('Earlier prompt') : null
    const element = textarea.current
    if (!element || !replaceText(element, 0, element.value.length, entry.prompt)) useComposer.getState().setPrompt(entry.prompt)
    if (undo) undo.shownIn(toast({ tone: 'info', title: 'Prompt replaced with an earlier one', message: 'What you had written comes back with Undo.', action: undo.action }))
  }

  return (
    <Popover.Root open={open} onOpenChange={onOpenChange}>
      {children}
      <Popover.Portal>
        <Popover.Content
          className="model-popover history-popover"
          align="start"
          side="bottom"
          sideOffset={6}
          collisionPadding={12}
          aria-label="Earlier prompts"
          onCloseAutoFocus={(event) => {
            // After a pick the caret goes where the prompt is.
            if (!picked.current) return
            event.preventDefault()
            const element = textarea.current
            element?.focus()
            element?.setSelectionRange(element.value.length, element.value.length)
          }}
        >
          <Command label="Earlier prompts" shouldFilter={false} loop className="model-command">
            <div className="model-search">
              <Search className="model-search-icon" aria-hidden size={14} strokeWidth={1.75} />
              <Command.Input className="model-search-input" value={search} onValueChange={setSearch} placeholder="Search earlier prompts…" />
            </div>
            <Command.List className="model-list history-list" label="Earlier prompts">
              <Command.Empty className="model-empty">
                {searching ? 'Searching…' : search.trim() ? `No earlier prompt has “${search.trim()}”.` : 'Prompts you send appear here.'}
              </Command.Empty>
              {entries.map((entry) => (
                <Command.Item key={entry.prompt} value={entry.prompt} onSelect={() => pick(entry)} className="history-option">
                  <span className="history-option-text">{entry.prompt}</span>
                  <span className="history-option-meta">
                    {findModel(catalogue, entry.modelId)?.displayName ?? entry.modelId} · {formatAge(entry.at, Date.now())}
                  </span>
                </Command.Item>
              ))}
            </Command.List>
          </Command>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  )
}
