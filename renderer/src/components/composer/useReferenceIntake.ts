// Dropping files or library images anywhere on the composer and pasting images into it add them to its image slots:
// the references, or the mask where the overlay offers it (a drop on that half) or the mask slot has focus (a paste).
import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react'
import { draggedImageIds, finishImageDrop } from '../../lib/imageDrag'
import { useComposer, type ImageSlot } from '../../store/composer'
import { useAsReference } from '../../store/libraryActions'

const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files') || draggedImageIds(event) !== null

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== 'file') || (target instanceof HTMLElement && target.isContentEditable)
}

/** The images a paste carries, if it is one for a slot (in a text field, text on the clipboard wins). */
export function pastedImages(event: ClipboardEvent): File[] {
  const images = Array.from(event.clipboardData.files).filter((f) => f.type.startsWith('image/'))
  // Copying from some apps (spreadsheets) puts both text and a picture on the clipboard: in a text field the text wins.
  if (images.length === 0 || (isTextEntry(event.target) && event.clipboardData.types.includes('text/plain'))) return []
  return images
}

/**
 * Handlers for the composer panel, whether files are being dragged over it (to show the drop overlay), and the
 * handlers of the overlay's drop zones, one per slot the form has, and the zone under the pointer (the first slot
 * takes drops on the panel itself).
 */
export function useReferenceIntake(slots: ImageSlot[]) {
  const addFiles = useComposer((s) => s.addImageFiles)
  const [dragging, setDragging] = useState(false)
  const [over, setOver] = useState<ImageSlot | null>(null)
  // dragenter/dragleave fire for every child crossed; the overlay goes when the count returns to 0.
  const depth = useRef(0)
  const first = slots[0]

  if (!first) return { dragging: false, over: null, handlers: {}, zone: () => ({}) }

  const reset = () => {
    depth.current = 0
    setDragging(false)
    setOver(null)
  }
  const take = (event: DragEvent, slot: ImageSlot) => {
    event.preventDefault()
    reset()
    // Library images (also when the desktop app drags them as files) are added by id; a slot of one takes the first.
    const libraryIds = draggedImageIds(event)
    if (libraryIds) {
      finishImageDrop()
      void useAsReference(slot === 'mask' ? libraryIds.slice(0, 1) : libraryIds, slot)
      return
    }
    // Every file goes to main, whatever its type: it judges by content and says what is wrong.
    void addFiles(slot, Array.from(event.dataTransfer.files))
  }

  const handlers = {
    onDragEnter: (event: DragEvent) => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth.current += 1
      setDragging(true)
    },
    onDragOver: (event: DragEvent) => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
    },
    onDragLeave: (event: DragEvent) => {
      if (!carriesFiles(event)) return
      depth.current = Math.max(0, depth.current - 1)
      if (depth.current === 0) reset()
    },
    onDrop: (event: DragEvent) => {
      if (!carriesFiles(event)) return
      // A zone took it.
      if (event.defaultPrevented) return reset()
      take(event, first)
    },
    onPaste: (event: ClipboardEvent) => {
      const images = pastedImages(event)
      if (event.defaultPrevented || images.length === 0) return
      event.preventDefault()
      void addFiles(first, images)
    },
  }
  const zone = (slot: ImageSlot) => ({
    onDragEnter: () => setOver(slot),
    onDrop: (event: DragEvent) => {
      if (carriesFiles(event)) take(event, slot)
    },
  })
  return { dragging, over, handlers, zone }
}
