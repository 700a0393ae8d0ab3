// The prompt: a textarea with
// - @ImageN completion: typing @ offers the current reference images (thumbnails, keyboard, a listbox the textarea
//   points into with aria-activedescendant); Enter or Tab inserts the mention;
// - earlier prompts: ↑ in an empty prompt (or with the caret at the very start) walks back through the prompts sent,
//   ↓ forward and back to what was typed, Esc returns to it; the clock button lists and searches them all;
// - its length against the model's limit, shown quietly once near it; and what holds Generate back in it (a mention of
//   an image that is not there, main's refusal) right under it.
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react'
import { Loader2 } from 'lucide-react'
import clsx from 'clsx'
import type { ModelForm } from '../../../../shared/domain'
import { mentionsReferences, promptLimit, slotField, useComposer, type ReferenceTile } from '../../store/composer'
import { usePromptHistory } from '../../store/promptHistory'
import { FieldReason } from './FieldControl'
import { PromptHistoryAnchor, PromptHistoryMenu, PromptHistoryTrigger } from './PromptHistoryMenu'
import { caretPoint, replaceText } from './textareaCaret'

/** The @ being completed: where it starts and what follows it up to the caret. */
interface Mention {
  start: number
  query: string
}

/** An @ the caret is in, typed at the start or after a space or opening mark (not inside an e-mail address). */
function mentionAt(text: string, caret: number): Mention | null {
  const match = /(?:^|[\s([{"'“‘,;:])@([A-Za-z]{0,5}\d{0,2})$/.exec(text.slice(0, caret))
  if (!match) return null
  return { start: caret - match[1]!.length - 1, query: match[1]! }
}

const MENU_WIDTH = 248

interface Option {
  n: number
  tile: ReferenceTile
}

function MentionList({
  id,
  options,
  active,
  style,
  onPick,
  onHover,
}: {
  id: string
  options: Option[]
  active: number
  style: { top: number; left: number }
  onPick: (n: number) => void
  onHover: (index: number) => void
}) {
  const list = useRef<HTMLUListElement>(null)
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' })
  }, [active])
  return (
    <div className="mention-menu" style={{ top: style.top, left: style.left, width: MENU_WIDTH }}>
      <ul ref={list} id={id} role="listbox" aria-label="Reference images" className="mention-list">
        {options.map((option, i) => (
          <li
            key={option.tile.key}
            id={`${id}-${option.n}`}
            role="option"
            aria-selected={i === active}
            className={clsx('mention-option', i === active && 'is-active')}
            // Keeps the caret in the prompt: the click inserts, the textarea never loses focus.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(option.n)}
            onMouseMove={() => i !== active && onHover(i)}
          >
            <span className="mention-thumb" aria-hidden>
              {option.tile.status === 'ready' ? <img src={option.tile.image.thumbUrl} alt="" draggable={false} /> : <Loader2 className="spin" size={12} strokeWidth={2} />}
            </span>
            <span className="mention-name tabular">@Image{option.n}</span>
            <span className="mention-file">{option.tile.name}</span>
          </li>
        ))}
      </ul>
      <p className="mention-keys" aria-hidden>
        <span>
          <kbd className="kbd">↑</kbd> <kbd className="kbd">↓</kbd> choose
        </span>
        <span>
          <kbd className="kbd">Enter</kbd> insert
        </span>
        <span>
          <kbd className="kbd">Esc</kbd> close
        </span>
      </p>
    </div>
  )
}

export function PromptField({ form, reason }: { form: ModelForm | null; reason?: string }) {
  const prompt = useComposer((s) => s.prompt)
  const setPrompt = useComposer((s) => s.setPrompt)
  const tiles = useComposer((s) => s.images.input)
  const attempted = useComposer((s) => s.attempted)
  const recent = usePromptHistory((s) => s.recent)
  const textarea = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  const listId = `${id}-mentions`
  const reasonId = `${id}-reason`
  const counterId = `${id}-counter`

  const limit = promptLimit(form)
  const references = slotField(form, 'input')
  const mentionable = mentionsReferences(references) && tiles.length > 0

  // ---- @ImageN completion ----
  const [mention, setMention] = useState<Mention | null>(null)
  const [dismissedAt, setDismissedAt] = useState<number | null>(null)
  const [active, setActive] = useState(0)
  const [menuAt, setMenuAt] = useState({ top: 0, left: 0 })
  const query = mention?.query.toLowerCase() ?? ''
  const options: Option[] = !mentionable || !mention ? [] : tiles.map((tile, i) => ({ n: i + 1, tile })).filter(({ n }) => (/^\d+$/.test(query) ? String(n).startsWith(query) : `image${n}`.startsWith(query)))
  const open = options.length > 0 && mention !== null && dismissedAt !== mention.start
  const activeIndex = Math.min(active, options.length - 1)

  const follow = (element: HTMLTextAreaElement) => {
    const caret = element.selectionStart
    const next = element.selectionStart === element.selectionEnd ? mentionAt(element.value, caret) : null
    setMention((before) => (before?.start === next?.start && before?.query === next?.query ? before : next))
    if (next?.start !== mention?.start) setActive(0)
    if (!next) setDismissedAt(null)
  }

  useLayoutEffect(() => {
    const element = textarea.current
    if (!open || !element || !mention) return
    const point = caretPoint(element, mention.start)
    const width = element.offsetWidth
    setMenuAt({ top: element.offsetTop + point.top + point.lineHeight + 4, left: element.offsetLeft + Math.max(0, Math.min(point.left - 6, width - MENU_WIDTH)) })
  }, [open, mention, prompt])

  const insert = (n: number) => {
    const element = textarea.current
    if (!element || !mention) return
    const end = element.selectionStart
    const after = element.value.slice(end)
    const text = `@Image${n}${/^\s/.test(after) ? '' : ' '}`
    if (!replaceText(element, mention.start, end, text)) {
      setPrompt(element.value.slice(0, mention.start) + text + after)
      const caret = mention.start + text.length
      requestAnimationFrame(() => element.setSelectionRange(caret, caret))
    }
    setMention(null)
  }

  // ---- earlier prompts: ↑/↓ ----
  /** Walking the history: which entry is shown, and what was typed before the walk began (↓ past the newest, Esc). */
  const walk = useRef<{ index: number; typed: string; shown: string } | null>(null)
  const [said, setSaid] = useState('')

  const show = (text: string, caretAt: 'start' | 'end') => {
    const element = textarea.current
    if (!element) return
    if (!replaceText(element, 0, element.value.length, text)) setPrompt(text)
    const caret = caretAt === 'start' ? 0 : text.length
    element.setSelectionRange(caret, caret)
    element.scrollTop = caretAt === 'start' ? 0 : element.scrollHeight
  }

  const walkHistory = (direction: 'older' | 'newer', element: HTMLTextAreaElement): boolean => {
    const atStart = element.selectionStart === 0 && element.selectionEnd === 0
    const atEnd = element.selectionStart === element.value.length && element.selectionEnd === element.value.length
    const current = walk.current && element.value === walk.current.shown ? walk.current : null
    const typed = current?.typed ?? element.value
    // What is typed is not an earlier prompt to go to.
    const entries = recent.filter((e) => e.prompt !== typed.trim())
    if (direction === 'older') {
      if (!(current ? atStart : element.value === '' || atStart)) return false
      const index = (current?.index ?? -1) + 1
      const entry = entries[index]
      if (!entry) {
        setSaid(entries.length === 0 ? 'No earlier prompts yet.' : 'That is the oldest prompt.')
        return current !== null || element.value === ''
      }
      walk.current = { index, typed, shown: entry.prompt }
      show(entry.prompt, 'start')
      setSaid(`Earlier prompt ${index + 1} of ${entries.length}`)
      return true
    }
    if (!current || !(atStart || atEnd)) return false
    const index = current.index - 1
    if (index < 0) {
      walk.current = null
      show(current.typed, 'end')
      setSaid('Back to what you typed')
      return true
    }
    const entry = entries[index]!
    walk.current = { index, typed, shown: entry.prompt }
    show(entry.prompt, 'start')
    setSaid(`Earlier prompt ${index + 1} of ${entries.length}`)
    return true
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey
    if (open && plain) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault()
        const step = event.key === 'ArrowDown' ? 1 : -1
        setActive((activeIndex + step + options.length) % options.length)
        return
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault()
        insert(options[activeIndex]!.n)
        return
      }
      if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        setDismissedAt(mention.start)
        return
      }
    }
    if (!plain) return
    if ((event.key === 'ArrowUp' || event.key === 'ArrowDown') && walkHistory(event.key === 'ArrowUp' ? 'older' : 'newer', event.currentTarget)) {
      event.preventDefault()
    } else if (event.key === 'Escape' && walk.current && event.currentTarget.value === walk.current.shown) {
      event.preventDefault()
      event.stopPropagation()
      const { typed } = walk.current
      walk.current = null
      show(typed, 'end')
      setSaid('Back to what you typed')
    }
  }

  // ---- what is said about it ----
  // "Write a prompt" waits until Generate is pressed; anything wrong with what is there is said at once.
  const shownReason = reason && (reason !== 'Write a prompt' || attempted) ? reason : undefined
  const near = prompt.length >= limit * 0.8
  const describedBy = [shownReason && reasonId, near && counterId].filter(Boolean).join(' ') || undefined
  const hint = prompt.length > limit ? null : reason === 'Write a prompt' && !attempted ? 'Required' : null

  return (
    <PromptHistoryMenu textarea={textarea}>
      <div className="field prompt-field">
        <div className="field-label-row">
          <label className="field-label" htmlFor="composer-prompt">
            Prompt
          </label>
          <span className="prompt-tools">
            {near ? (
              <span id={counterId} className={clsx('field-hint tabular prompt-counter', prompt.length >= limit && 'prompt-counter-full')}>
                {`${prompt.length.toLocaleString()} / ${limit.toLocaleString()}`}
                <span className="visually-hidden"> characters</span>
              </span>
            ) : (
              hint && <span className="field-hint">{hint}</span>
            )}
            <PromptHistoryTrigger />
          </span>
        </div>
        <PromptHistoryAnchor asChild>
          <div className="prompt-box">
            <textarea
              ref={textarea}
              id="composer-prompt"
              className={clsx('textarea prompt', shownReason && 'is-invalid')}
              rows={6}
              maxLength={limit}
              placeholder={`Describe the image you want: subject, setting, light, lens, mood…${recent.length ? '  ↑ for earlier prompts' : ''}`}
              value={prompt}
              spellCheck
              aria-invalid={shownReason ? true : undefined}
              aria-describedby={describedBy}
              aria-autocomplete={mentionable ? 'list' : undefined}
              aria-controls={open ? listId : undefined}
              aria-activedescendant={open ? `${listId}-${options[activeIndex]!.n}` : undefined}
              onChange={(e) => {
                setPrompt(e.target.value)
                follow(e.target)
              }}
              onSelect={(e) => follow(e.currentTarget)}
              onKeyDown={onKeyDown}
              onBlur={() => setMention(null)}
            />
            {open && <MentionList id={listId} options={options} active={activeIndex} style={menuAt} onPick={insert} onHover={setActive} />}
          </div>
        </PromptHistoryAnchor>
        {shownReason && <FieldReason id={reasonId}>{shownReason}</FieldReason>}
        <p className="visually-hidden" role="status">
          {open ? `${options.length} reference ${options.length === 1 ? 'image' : 'images'}: up and down to choose, Enter to insert.` : said}
        </p>
      </div>
    </PromptHistoryMenu>
  )
}
