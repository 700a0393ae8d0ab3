// Dropping files or library images anywhere on the composer and pasting images into it add them as references.
import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react'
import { draggedImageIds, finishImageDrop } from '../../lib/imageDrag'
import { useComposer } from '../../store/composer'
import { useAsReference } from '../../store/libraryActions'

const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files') || draggedImageIds(event) !== null

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== 'file') || (target instanceof HTMLElement && target.isContentEditable)
}

/** Handlers for the composer panel, and whether files are being dragged over it (to show the drop overlay). */
export function useReferenceIntake(enabled: boolean) {
  const addFiles = useComposer((s) => s.addReferenceFiles)
  const [dragging, setDragging] = useState(false)
  // dragenter/dragleave fire for every child crossed; the overlay goes when the count returns to 0.
  const depth = useRef(0)

  if (!enabled) return { dragging: false, handlers: {} }

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
      if (depth.current === 0) setDragging(false)
    },
    onDrop: (event: DragEvent) => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth.current = 0
      setDragging(false)
      // Library images (also when the desktop app drags them as files) are added by id.
      const libraryIds = draggedImageIds(event)
      if (libraryIds) {
        finishImageDrop()
        void useAsReference(libraryIds)
        return
      }
      // Every file goes to main, whatever its type: it judges by content and says what is wrong.
      void addFiles(Array.from(event.dataTransfer.files))
    },
    onPaste: (event: ClipboardEvent) => {
      const files = Array.from(event.clipboardData.files)
      const images = files.filter((f) => f.type.startsWith('image/'))
      if (images.length === 0) return
      // Copying from some apps (spreadsheets) puts both text and a picture on the clipboard: in a text field the text wins.
      if (isTextEntry(event.target) && event.clipboardData.types.includes('text/plain')) return
      event.preventDefault()
      void addFiles(images)
    },
  }
  return { dragging, handlers }
}
