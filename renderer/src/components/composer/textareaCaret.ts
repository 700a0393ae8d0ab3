// Where a character of a textarea is drawn (to open the @ImageN list under the caret), and a replacement of part of
// its text that the field's own undo (Ctrl/Cmd+Z while typing) can take back.

/** What lays text out in a textarea: copied onto a hidden twin that is measured instead. */
const LAYOUT = [
  'box-sizing',
  'width',
  'border-top-width',
  'border-right-width',
  'border-bottom-width',
  'border-left-width',
  'border-style',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'font-stretch',
  'font-feature-settings',
  'line-height',
  'letter-spacing',
  'word-spacing',
  'text-align',
  'text-indent',
  'text-transform',
  'tab-size',
]

/** The top-left of character `position` and the line height, in px from the textarea's border box (scroll applied). */
export function caretPoint(textarea: HTMLTextAreaElement, position: number): { top: number; left: number; lineHeight: number } {
  const style = getComputedStyle(textarea)
  const twin = document.createElement('div')
  for (const name of LAYOUT) twin.style.setProperty(name, style.getPropertyValue(name))
  Object.assign(twin.style, { position: 'absolute', top: '0', left: '-9999px', visibility: 'hidden', whiteSpace: 'pre-wrap', overflowWrap: 'break-word', overflow: 'hidden' })
  twin.textContent = textarea.value.slice(0, position)
  const mark = document.createElement('span')
  mark.textContent = textarea.value.slice(position, position + 1) || '.'
  twin.appendChild(mark)
  document.body.appendChild(twin)
  const border = { top: parseFloat(style.borderTopWidth) || 0, left: parseFloat(style.borderLeftWidth) || 0 }
  const lineHeight = parseFloat(style.lineHeight) || (parseFloat(style.fontSize) || 14) * 1.4
  const point = { top: mark.offsetTop + border.top - textarea.scrollTop, left: mark.offsetLeft + border.left - textarea.scrollLeft, lineHeight }
  twin.remove()
  return point
}

/**
 * Replaces [start, end) of the textarea's text with `text` as typing would (an input event, so React's onChange sees
 * it, and one step of the field's own undo). Answers false where the browser cannot; the caller then sets the value.
 */
export function replaceText(textarea: HTMLTextAreaElement, start: number, end: number, text: string): boolean {
  textarea.focus()
  textarea.setSelectionRange(start, end)
  // execCommand is the one way to edit a field that keeps its undo history; Chromium (and so Electron) supports it.
  const edit = (document as { execCommand?: (command: string, showUi?: boolean, value?: string) => boolean }).execCommand
  if (!edit) return false
  return text === '' ? (start === end ? true : edit.call(document, 'delete', false)) : edit.call(document, 'insertText', false, text)
}
