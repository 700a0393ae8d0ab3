// The input images (the form's first `input` images field): added by drop, paste or the file picker, checked and
// stored by main, shown as thumbnails in the order they are sent (the Nth is @ImageN in the prompt).
import { useId, useRef, type KeyboardEvent, type Ref } from 'react'
import { CircleAlert, ImagePlus, Loader2, Plus, X } from 'lucide-react'
import { formatBytes } from '../../lib/format'
import { REFERENCE_ACCEPT } from '../../lib/referenceFiles'
import { slotLabel, useComposer, type ImageSlot, type ImagesField, type ReferenceTile } from '../../store/composer'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'
import { FieldReason } from './FieldControl'

/** Why images were not added to a slot, until dismissed. */
export function SlotProblems({ slot }: { slot: ImageSlot }) {
  const problems = useComposer((s) => s.imageProblems[slot])
  const dismiss = useComposer((s) => s.dismissImageProblems)
  if (problems.length === 0) return null
  return (
    <div className="refs-problems" role="alert">
      <CircleAlert className="refs-problems-icon" aria-hidden size={14} strokeWidth={2} />
      <ul className="refs-problems-list">
        {problems.map((p) => (
          <li key={p.id}>{p.message}</li>
        ))}
      </ul>
      <IconButton label="Dismiss these messages" icon={X} size="sm" className="refs-problems-close" onClick={() => dismiss(slot)} />
    </div>
  )
}

/** The hidden file input a slot's add button opens. */
export function SlotFileInput({ ref, slot, multiple }: { ref: Ref<HTMLInputElement>; slot: ImageSlot; multiple: boolean }) {
  const addFiles = useComposer((s) => s.addImageFiles)
  return (
    <input
      ref={ref}
      type="file"
      multiple={multiple}
      accept={REFERENCE_ACCEPT}
      hidden
      tabIndex={-1}
      onChange={(e) => {
        const files = Array.from(e.currentTarget.files ?? [])
        // Cleared so picking the same file again still fires a change.
        e.currentTarget.value = ''
        void addFiles(slot, files)
      }}
    />
  )
}

export function ReferencesTray({ field, reason }: { field: ImagesField; reason?: string }) {
  const references = useComposer((s) => s.images.input)
  const remove = useComposer((s) => s.removeImage)
  // One image (an edit model's input) or several (references the prompt names as @ImageN).
  const single = field.maxItems === 1
  const noun = single ? 'input image' : 'reference images'
  const labelId = useId()
  const picker = useRef<HTMLInputElement>(null)
  const addButton = useRef<HTMLButtonElement>(null)
  const tileElements = useRef(new Map<string, HTMLElement>())
  const full = references.length >= field.maxItems
  const ready = references.filter((t) => t.status === 'ready').length

  const openPicker = () => picker.current?.click()

  /** Removes a tile and keeps the keyboard user in the tray: focus goes to the next tile, else the previous, else "Add". */
  const removeAndRefocus = (key: string) => {
    const index = references.findIndex((t) => t.key === key)
    const neighbour = references[index + 1] ?? references[index - 1]
    remove('input', key)
    window.setTimeout(() => {
      const target = neighbour ? tileElements.current.get(neighbour.key) : undefined
      ;(target ?? addButton.current)?.focus()
    })
  }

  const onTileKeyDown = (event: KeyboardEvent, key: string) => {
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault()
      removeAndRefocus(key)
    }
  }

  const register = (key: string) => (element: HTMLElement | null) => {
    if (element) tileElements.current.set(key, element)
    else tileElements.current.delete(key)
  }

  return (
    <div className="refs" role="group" aria-labelledby={labelId}>
      <div className="refs-head">
        <span className="field-label" id={labelId}>
          {slotLabel(field)}
        </span>
        <span className="refs-count tabular">
          {references.length} / {field.maxItems}
        </span>
      </div>

      {references.length === 0 ? (
        <div className="refs-empty">
          <button ref={addButton} type="button" className="refs-empty-button" onClick={openPicker}>
            <ImagePlus aria-hidden size={16} strokeWidth={1.5} />
            {single ? 'Add image' : `Add ${noun}`}
          </button>
          <span className="refs-empty-hint">or drop or paste {single ? 'it' : 'them'} here · PNG, JPEG, WebP</span>
        </div>
      ) : (
        <ul className="refs-grid">
          {references.map((tile, i) => (
            <ReferenceTileView
              key={tile.key}
              tile={tile}
              tag={single ? null : `@Image${i + 1}`}
              register={register(tile.key)}
              onKeyDown={(e) => onTileKeyDown(e, tile.key)}
              onRemove={() => removeAndRefocus(tile.key)}
            />
          ))}
          {!full && (
            <li>
              <Hint content={`Add ${noun}`}>
                <button ref={addButton} type="button" className="ref-add" aria-label={`Add ${noun}`} onClick={openPicker}>
                  <Plus aria-hidden size={16} strokeWidth={1.75} />
                </button>
              </Hint>
            </li>
          )}
        </ul>
      )}

      {reason && <FieldReason>{reason}</FieldReason>}

      {ready > 0 && !single && (
        <p className="refs-hint">
          Mention them in the prompt as {ready === 1 ? '@Image1' : `@Image1…@Image${ready}`}.
        </p>
      )}

      <SlotProblems slot="input" />
      <SlotFileInput ref={picker} slot="input" multiple={!single} />
    </div>
  )
}

interface TileProps {
  tile: ReferenceTile
  /** How the prompt names it (@Image2); null for a model's one input image. */
  tag: string | null
  register: (element: HTMLElement | null) => void
  onKeyDown: (event: KeyboardEvent) => void
  onRemove: () => void
}

function ReferenceTileView({ tile, tag, register, onKeyDown, onRemove }: TileProps) {
  if (tile.status === 'adding') {
    return (
      <li className="ref">
        <div className="ref-tile ref-tile-adding" role="img" aria-label={`Adding ${tile.name}`}>
          <Loader2 className="spin" aria-hidden size={14} strokeWidth={2} />
        </div>
      </li>
    )
  }
  const { image } = tile
  return (
    <li className="ref">
      <Hint
        content={
          <span className="ref-hint">
            <span className="ref-hint-name">{tile.name}</span>
            <span className="ref-hint-meta tabular">
              {[tag, `${image.width} × ${image.height}`, image.format.toUpperCase(), formatBytes(image.bytes)].filter(Boolean).join(' · ')}
            </span>
          </span>
        }
      >
        <div ref={register} className="ref-tile" role="img" tabIndex={0} aria-label={`${tag ?? 'Input image'}: ${tile.name}`} onKeyDown={onKeyDown}>
          <img src={image.thumbUrl} alt="" draggable={false} />
          {tag && (
            <span className="ref-tag" aria-hidden>
              {tag}
            </span>
          )}
        </div>
      </Hint>
      <button type="button" className="ref-remove" aria-label={`Remove ${tag ? 'reference' : 'input image'} ${tile.name}`} onClick={onRemove}>
        <X aria-hidden size={11} strokeWidth={2.25} />
      </button>
    </li>
  )
}
