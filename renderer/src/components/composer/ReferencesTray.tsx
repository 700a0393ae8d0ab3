// The input images (the form's first `input` images field): added by drop, paste or the file picker, checked and
// stored by main, shown as thumbnails in the order they are sent (the Nth is @ImageN in the prompt). Reordered by
// dragging a tile or with Alt+←/→ on a focused one (announced); "Remove all" comes back with Undo.
import { useId, useRef, useState, type DragEvent, type KeyboardEvent, type Ref } from 'react'
import { CircleAlert, ImagePlus, Loader2, Plus, X } from 'lucide-react'
import clsx from 'clsx'
import { formatBytes } from '../../lib/format'
import { REFERENCE_ACCEPT } from '../../lib/referenceFiles'
import { slotLabel, useComposer, type ImageSlot, type ImagesField, type ReferenceTile } from '../../store/composer'
import { toast } from '../../store/toasts'
import { rememberComposer } from '../../store/undo'
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

/** Marks a drag of a reference tile within the tray (not a file, not a library image: the composer's drop area ignores it). */
const TILE_DRAG_TYPE = 'application/x-atelier-reference-tile'

export function ReferencesTray({ field, reason }: { field: ImagesField; reason?: string }) {
  const references = useComposer((s) => s.images.input)
  const remove = useComposer((s) => s.removeImage)
  const move = useComposer((s) => s.moveImage)
  // One image (an edit model's input) or several (references the prompt names as @ImageN).
  const single = field.maxItems === 1
  const noun = single ? 'input image' : 'reference images'
  const labelId = useId()
  const picker = useRef<HTMLInputElement>(null)
  const addButton = useRef<HTMLButtonElement>(null)
  const tileElements = useRef(new Map<string, HTMLElement>())
  const [announcement, setAnnouncement] = useState('')
  /** The tile being dragged, and the place it would go (an index into the tiles without it). */
  const [drag, setDrag] = useState<{ key: string; to: number | null } | null>(null)
  const full = references.length >= field.maxItems
  const ready = references.filter((t) => t.status === 'ready').length

  const openPicker = () => picker.current?.click()
  const focusTile = (key: string) => window.setTimeout(() => tileElements.current.get(key)?.focus())

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

  const removeAll = () => {
    const n = references.length
    const undo = rememberComposer(single ? 'Removed the input image' : 'Removed all reference images')
    useComposer.getState().clearImages('input')
    window.setTimeout(() => addButton.current?.focus())
    undo.shownIn(
      toast({
        tone: 'info',
        title: single ? 'Input image removed' : `Removed ${n === 1 ? 'the reference image' : `all ${n} reference images`}`,
        action: undo.action,
      }),
    )
  }

  /** Moves a tile and says where it went ("street.png is now @Image1 of 3"). */
  const moveTo = (key: string, index: number) => {
    const tile = references.find((t) => t.key === key)
    const to = Math.max(0, Math.min(references.length - 1, index))
    if (!tile || references[to]?.key === key) return
    move('input', key, to)
    setAnnouncement(`${tile.name} is now @Image${to + 1} of ${references.length}.`)
    focusTile(key)
  }

  const onTileKeyDown = (event: KeyboardEvent, key: string) => {
    const index = references.findIndex((t) => t.key === key)
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault()
      removeAndRefocus(key)
    } else if (event.altKey && !single && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
      // Alt+← would also go back in a browser: the tray takes it.
      event.preventDefault()
      const to = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: references.length - 1 }[event.key as 'ArrowLeft']
      moveTo(key, to)
    } else if (!event.altKey && !event.ctrlKey && !event.metaKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      // Arrows alone go from tile to tile.
      const next = references[index + (event.key === 'ArrowLeft' ? -1 : 1)]
      if (next) {
        event.preventDefault()
        tileElements.current.get(next.key)?.focus()
      }
    }
  }

  // ---- reorder by dragging ----
  const dragOver = (event: DragEvent, index: number) => {
    if (!drag || !event.dataTransfer.types.includes(TILE_DRAG_TYPE)) return
    event.preventDefault()
    event.stopPropagation()
    event.dataTransfer.dropEffect = 'move'
    // Before or after this tile by which half the pointer is over.
    const box = event.currentTarget.getBoundingClientRect()
    const at = event.clientX < box.left + box.width / 2 ? index : index + 1
    if (drag.to !== at) setDrag({ ...drag, to: at })
  }
  const drop = (event: DragEvent) => {
    if (!drag || !event.dataTransfer.types.includes(TILE_DRAG_TYPE)) return
    event.preventDefault()
    event.stopPropagation()
    const from = references.findIndex((t) => t.key === drag.key)
    // `to` counts places between tiles; taking the tile out first shifts the later ones left.
    if (drag.to !== null && from >= 0) moveTo(drag.key, drag.to > from ? drag.to - 1 : drag.to)
    setDrag(null)
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
        <span className="refs-head-end">
          {references.length > 1 && (
            <button type="button" className="refs-clear" onClick={removeAll}>
              Remove all
            </button>
          )}
          <span className="refs-count tabular">
            {references.length} / {field.maxItems}
          </span>
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
        <ul className={clsx('refs-grid', drag && 'is-sorting')} onDragOver={(e) => drag && e.dataTransfer.types.includes(TILE_DRAG_TYPE) && e.preventDefault()} onDrop={drop}>
          {references.map((tile, i) => (
            <ReferenceTileView
              key={tile.key}
              tile={tile}
              tag={single ? null : `@Image${i + 1}`}
              sortable={!single && references.length > 1}
              dragging={drag?.key === tile.key}
              dropBefore={drag !== null && drag.to === i && drag.key !== tile.key && references[i - 1]?.key !== drag.key}
              dropAfter={drag !== null && drag.to === i + 1 && i === references.length - 1 && drag.key !== tile.key}
              register={register(tile.key)}
              onKeyDown={(e) => onTileKeyDown(e, tile.key)}
              onRemove={() => removeAndRefocus(tile.key)}
              onDragStart={(e) => {
                e.dataTransfer.effectAllowed = 'move'
                e.dataTransfer.setData(TILE_DRAG_TYPE, tile.key)
                setDrag({ key: tile.key, to: null })
              }}
              onDragOver={(e) => dragOver(e, i)}
              onDragEnd={() => setDrag(null)}
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
          Mention them in the prompt as {ready === 1 ? '@Image1' : `@Image1…@Image${ready}`}
          {references.length > 1 && ' · drag or Alt+←/→ to reorder'}.
        </p>
      )}

      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <SlotProblems slot="input" />
      <SlotFileInput ref={picker} slot="input" multiple={!single} />
    </div>
  )
}

interface TileProps {
  tile: ReferenceTile
  /** How the prompt names it (@Image2); null for a model's one input image. */
  tag: string | null
  sortable: boolean
  dragging: boolean
  /** Where a dragged tile would land: a mark on this tile's left or right edge. */
  dropBefore: boolean
  dropAfter: boolean
  register: (element: HTMLElement | null) => void
  onKeyDown: (event: KeyboardEvent) => void
  onRemove: () => void
  onDragStart: (event: DragEvent) => void
  onDragOver: (event: DragEvent) => void
  onDragEnd: () => void
}

/** "@Image12" as the badge on the tile draws it (the number a little bolder). */
function Tag({ tag }: { tag: string }) {
  const number = tag.replace('@Image', '')
  return (
    <span className="ref-tag" aria-hidden>
      <span className="ref-tag-word">@Image</span>
      <span className="ref-tag-number">{number}</span>
    </span>
  )
}

function ReferenceTileView({ tile, tag, sortable, dragging, dropBefore, dropAfter, register, onKeyDown, onRemove, onDragStart, onDragOver, onDragEnd }: TileProps) {
  const marks = clsx(dropBefore && 'ref-drop-before', dropAfter && 'ref-drop-after', dragging && 'ref-dragging')
  if (tile.status === 'adding') {
    return (
      <li className={clsx('ref', marks)} onDragOver={onDragOver}>
        <div className="ref-tile ref-tile-adding" role="img" aria-label={`Adding ${tile.name}`}>
          <Loader2 className="spin" aria-hidden size={14} strokeWidth={2} />
        </div>
        {tag && <Tag tag={tag} />}
      </li>
    )
  }
  const { image } = tile
  return (
    <li className={clsx('ref', marks)} onDragOver={onDragOver}>
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
        <div
          ref={register}
          className="ref-tile"
          role="img"
          tabIndex={0}
          aria-label={`${tag ?? 'Input image'}: ${tile.name}`}
          aria-description={sortable ? 'Alt+Left or Alt+Right moves it; Delete removes it.' : 'Delete removes it.'}
          draggable={sortable}
          onKeyDown={onKeyDown}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
        >
          <img src={image.thumbUrl} alt="" draggable={false} />
        </div>
      </Hint>
      {tag && <Tag tag={tag} />}
      <button type="button" className="ref-remove" aria-label={`Remove ${tag ? 'reference' : 'input image'} ${tile.name}`} onClick={onRemove}>
        <X aria-hidden size={11} strokeWidth={2.25} />
      </button>
    </li>
  )
}
