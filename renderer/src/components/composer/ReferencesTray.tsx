// Reference images for the prompt: added by drop, paste or the file picker, checked and stored by main,
// shown as thumbnails in the order they are sent (the Nth is @ImageN in the prompt).
import { useId, useRef, type KeyboardEvent } from 'react'
import { CircleAlert, ImagePlus, Loader2, Plus, X } from 'lucide-react'
import { useShallow } from 'zustand/react/shallow'
import type { FormField } from '../../../../shared/domain'
import { formatBytes } from '../../lib/format'
import { REFERENCE_ACCEPT } from '../../lib/referenceFiles'
import { useComposer, type ReferenceTile } from '../../store/composer'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'

type ImagesField = Extract<FormField, { kind: 'images' }>

export function ReferencesTray({ field }: { field: ImagesField }) {
  const { references, problems, addFiles, remove, dismiss } = useComposer(
    useShallow((s) => ({
      references: s.references,
      problems: s.referenceProblems,
      addFiles: s.addReferenceFiles,
      remove: s.removeReference,
      dismiss: s.dismissReferenceProblems,
    })),
  )
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
    remove(key)
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
          Reference images
        </span>
        <span className="refs-count tabular">
          {references.length} / {field.maxItems}
        </span>
      </div>

      {references.length === 0 ? (
        <div className="refs-empty">
          <button ref={addButton} type="button" className="refs-empty-button" onClick={openPicker}>
            <ImagePlus aria-hidden size={16} strokeWidth={1.5} />
            Add reference images
          </button>
          <span className="refs-empty-hint">or drop or paste them here · PNG, JPEG, WebP</span>
        </div>
      ) : (
        <ul className="refs-grid">
          {references.map((tile, i) => (
            <ReferenceTileView
              key={tile.key}
              tile={tile}
              position={i + 1}
              register={register(tile.key)}
              onKeyDown={(e) => onTileKeyDown(e, tile.key)}
              onRemove={() => removeAndRefocus(tile.key)}
            />
          ))}
          {!full && (
            <li>
              <Hint content="Add reference images">
                <button ref={addButton} type="button" className="ref-add" aria-label="Add reference images" onClick={openPicker}>
                  <Plus aria-hidden size={16} strokeWidth={1.75} />
                </button>
              </Hint>
            </li>
          )}
        </ul>
      )}

      {ready > 0 && (
        <p className="refs-hint">
          Mention them in the prompt as {ready === 1 ? '@Image1' : `@Image1…@Image${ready}`}.
        </p>
      )}

      {problems.length > 0 && (
        <div className="refs-problems" role="alert">
          <CircleAlert className="refs-problems-icon" aria-hidden size={14} strokeWidth={2} />
          <ul className="refs-problems-list">
            {problems.map((p) => (
              <li key={p.id}>{p.message}</li>
            ))}
          </ul>
          <IconButton label="Dismiss these messages" icon={X} size="sm" className="refs-problems-close" onClick={dismiss} />
        </div>
      )}

      <input
        ref={picker}
        type="file"
        multiple
        accept={REFERENCE_ACCEPT}
        hidden
        tabIndex={-1}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? [])
          // Cleared so picking the same file again still fires a change.
          e.currentTarget.value = ''
          void addFiles(files)
        }}
      />
    </div>
  )
}

interface TileProps {
  tile: ReferenceTile
  position: number
  register: (element: HTMLElement | null) => void
  onKeyDown: (event: KeyboardEvent) => void
  onRemove: () => void
}

function ReferenceTileView({ tile, position, register, onKeyDown, onRemove }: TileProps) {
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
  const tag = `@Image${position}`
  return (
    <li className="ref">
      <Hint
        content={
          <span className="ref-hint">
            <span className="ref-hint-name">{tile.name}</span>
            <span className="ref-hint-meta tabular">
              {tag} · {image.width} × {image.height} · {image.format.toUpperCase()} · {formatBytes(image.bytes)}
            </span>
          </span>
        }
      >
        <div ref={register} className="ref-tile" role="img" tabIndex={0} aria-label={`${tag}: ${tile.name}`} onKeyDown={onKeyDown}>
          <img src={image.thumbUrl} alt="" draggable={false} />
          <span className="ref-tag" aria-hidden>
            {tag}
          </span>
        </div>
      </Hint>
      <button type="button" className="ref-remove" aria-label={`Remove reference ${tile.name}`} onClick={onRemove}>
        <X aria-hidden size={11} strokeWidth={2.25} />
      </button>
    </li>
  )
}
