// A mask (the form's first `mask` images field, e.g. gpt-image-2's mask_url): one small slot beside the references,
// fed the same ways: the file picker, a paste while it has focus, a drop on its half of the overlay, the library's
// "Use as mask". A new mask takes the place of the old.
import { useId, useRef, type ClipboardEvent } from 'react'
import { Loader2, Plus, X } from 'lucide-react'
import { formatBytes } from '../../lib/format'
import { slotLabel, useComposer, type ImagesField } from '../../store/composer'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'
import { FieldReason } from './FieldControl'
import { SlotFileInput, SlotProblems } from './ReferencesTray'
import { pastedImages } from './useReferenceIntake'

export function MaskSlot({ field, reason }: { field: ImagesField; reason?: string }) {
  const tiles = useComposer((s) => s.images.mask)
  const addFiles = useComposer((s) => s.addImageFiles)
  const remove = useComposer((s) => s.removeImage)
  const labelId = useId()
  const picker = useRef<HTMLInputElement>(null)
  const tile = tiles[0]

  const onPaste = (event: ClipboardEvent) => {
    const images = pastedImages(event)
    if (images.length === 0) return
    event.preventDefault()
    void addFiles('mask', images)
  }

  return (
    <div className="mask" role="group" aria-labelledby={labelId} onPaste={onPaste}>
      <div className="refs-head">
        <span className="field-label" id={labelId}>
          {slotLabel(field)}
        </span>
        <span className="refs-count">{field.required ? 'Required' : 'Optional'}</span>
      </div>
      <div className="mask-row">
        {tile?.status === 'ready' ? (
          <Hint content={`${tile.image.width} × ${tile.image.height} · ${tile.image.format.toUpperCase()} · ${formatBytes(tile.image.bytes)}`}>
            <div className="ref-tile mask-tile" role="img" tabIndex={0} aria-label={`Mask: ${tile.name}`}>
              <img src={tile.image.thumbUrl} alt="" draggable={false} />
            </div>
          </Hint>
        ) : tile ? (
          <div className="ref-tile ref-tile-adding mask-tile" role="img" aria-label={`Adding ${tile.name}`}>
            <Loader2 className="spin" aria-hidden size={14} strokeWidth={2} />
          </div>
        ) : (
          <button type="button" className="ref-add mask-tile" aria-label="Add a mask" onClick={() => picker.current?.click()}>
            <Plus aria-hidden size={16} strokeWidth={1.75} />
          </button>
        )}
        <div className="mask-text">
          {tile ? (
            <>
              <span className="mask-name">{tile.name}</span>
              <button type="button" className="mask-link" onClick={() => picker.current?.click()}>
                Replace…
              </button>
            </>
          ) : (
            <>
              <span className="mask-name">No mask</span>
              <span className="mask-hint">Pick, drop or paste an image</span>
            </>
          )}
        </div>
        {tile && <IconButton label={`Remove mask ${tile.name}`} icon={X} size="sm" onClick={() => remove('mask', tile.key)} />}
      </div>
      {reason && <FieldReason>{reason}</FieldReason>}
      <SlotProblems slot="mask" />
      <SlotFileInput ref={picker} slot="mask" multiple={false} />
    </div>
  )
}
