// Full-size preview of one image, with its prompt and settings. ←/→ step through the set; Esc closes.
import { ChevronLeft, ChevronRight, X } from 'lucide-react'
import { Dialog } from 'radix-ui'
import { formatBytes, formatCost, formatDateTime, summarizeParams } from '../lib/format'
import { usePreview } from '../store/preview'
import { IconButton } from './IconButton'

export function PreviewDialog() {
  const { items, index, close, step } = usePreview()
  const item = index === null ? undefined : items[index]
  const many = items.length > 1

  return (
    <Dialog.Root open={item !== undefined} onOpenChange={(open) => !open && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="preview-overlay" />
        <Dialog.Content
          className="preview"
          // Focus the dialog itself, not the first button (which would pop its tooltip).
          onOpenAutoFocus={(e) => {
            e.preventDefault()
            ;(e.currentTarget as HTMLElement | null)?.focus()
          }}
          onCloseAutoFocus={(e) => {
            // Back where the user was (a library tile has no Dialog.Trigger to return to).
            const back = usePreview.getState().returnFocus
            if (back?.isConnected) {
              e.preventDefault()
              back.focus({ preventScroll: true })
            }
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') step(1)
            else if (e.key === 'ArrowLeft') step(-1)
            // Space closes the quick look it opened, as in file managers.
            else if (e.key === ' ' && !(e.target instanceof HTMLButtonElement)) {
              e.preventDefault()
              close()
            }
          }}
        >
          {item && (
            <>
              <div className="preview-stage">
                <img key={item.key} src={item.src} alt={item.alt} className="preview-image" draggable={false} />
                {many && (
                  <>
                    <IconButton label="Previous image" icon={ChevronLeft} className="preview-nav preview-prev" onClick={() => step(-1)} />
                    <IconButton label="Next image" icon={ChevronRight} className="preview-nav preview-next" onClick={() => step(1)} />
                  </>
                )}
              </div>
              <div className="preview-info">
                <div className="preview-info-head">
                  <Dialog.Title className="preview-title">Image preview</Dialog.Title>
                  {many && (
                    <span className="preview-position tabular">
                      {(index ?? 0) + 1} / {items.length}
                    </span>
                  )}
                  <Dialog.Close asChild>
                    <IconButton label="Close preview" icon={X} size="sm" />
                  </Dialog.Close>
                </div>
                <Dialog.Description className="preview-prompt">{item.prompt}</Dialog.Description>
                <dl className="preview-meta">
                  <dt>Created</dt>
                  <dd>{formatDateTime(item.createdAt)}</dd>
                  {item.width !== undefined && item.height !== undefined && (
                    <>
                      <dt>Dimensions</dt>
                      <dd className="tabular">
                        {item.width} × {item.height}
                      </dd>
                    </>
                  )}
                  {item.format && (
                    <>
                      <dt>File</dt>
                      <dd>
                        {item.format.toUpperCase()}
                        {item.bytes !== undefined && ` · ${formatBytes(item.bytes)}`}
                      </dd>
                    </>
                  )}
                  {item.cost !== undefined && (
                    <>
                      <dt>Cost</dt>
                      <dd className="tabular">{formatCost(item.cost)}</dd>
                    </>
                  )}
                </dl>
                {summarizeParams(item.params).length > 0 && (
                  <ul className="chips" aria-label="Settings">
                    {summarizeParams(item.params).map((p) => (
                      <li key={p} className="chip">
                        {p}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
