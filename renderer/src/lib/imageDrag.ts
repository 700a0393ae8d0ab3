// Dragging library images: into the app (the composer's references, a board, the Create item) and out of it.
// Out of the window, the desktop app drags the files, named as exports name them (main's startDrag takes over the drag);
// the browser harness offers the image's address instead, and says once why no file came along.
import type { DragEvent } from 'react'
import type { LibraryImage } from '../../../shared/domain'
import { IMAGE_FORMATS } from '../../../shared/limits'
import { api, isDesktop } from '../bridge'
import { toast } from '../store/toasts'

/** Marks a drag as ours (its types are readable while dragging, its data only on drop). */
export const IMAGE_DRAG_TYPE = 'application/x-atelier-image-ids'

/** The images being dragged within this window. The desktop's native drag carries files, not our data, so drop targets read this. */
let dragging: string[] | null = null

// A native drag that ended outside the window sends no dragend here: the next sign of life ends it.
for (const type of ['drop', 'dragend', 'pointerdown', 'keydown', 'focus'] as const) {
  window.addEventListener(type, () => void queueMicrotask(() => (dragging = null)))
}
/** Why the browser harness could not drag files out (main's own sentence), once known. */
let outsideMessage: string | null = null
let hinted = false

export function beginImageDrag(event: DragEvent, images: LibraryImage[]): void {
  const ids = images.map((i) => i.id)
  dragging = ids
  event.dataTransfer.effectAllowed = 'copy'
  event.dataTransfer.setData(IMAGE_DRAG_TYPE, JSON.stringify(ids))
  if (isDesktop) {
    // Electron's startDrag replaces the web drag with a drag of the real files.
    event.preventDefault()
    void api.startDrag({ imageIds: ids })
    return
  }
  const urls = images.map((i) => new URL(i.url, window.location.href).href)
  event.dataTransfer.setData('text/uri-list', urls.join('\r\n'))
  const first = images[0]
  // Chromium saves a file from a DownloadURL dropped on the desktop or a folder, named as main names exports.
  if (first && images.length === 1) event.dataTransfer.setData('DownloadURL', `${IMAGE_FORMATS[first.format].mime}:${first.fileName}:${urls[0]}`)
  void api.startDrag({ imageIds: ids }).then((result) => {
    outsideMessage = result.ok ? null : result.error.message
  })
}

/** At the end of a drag from a tile: if it ended outside the window and nothing took it, say once why. */
export function endImageDrag(event: DragEvent): void {
  dragging = null
  if (isDesktop || hinted || !outsideMessage || event.dataTransfer.dropEffect !== 'none') return
  const { clientX: x, clientY: y } = event
  const outside = x <= 0 || y <= 0 || x >= window.innerWidth || y >= window.innerHeight
  if (!outside) return
  hinted = true
  toast({ tone: 'info', title: 'Images stay in Atelier when dragged out of the browser', message: outsideMessage })
}

/** The library images a drag carries, or null when it carries none (files from elsewhere, text…). */
export function draggedImageIds(event: DragEvent): string[] | null {
  if (dragging) return dragging
  if (!event.dataTransfer.types.includes(IMAGE_DRAG_TYPE)) return null
  try {
    const ids = JSON.parse(event.dataTransfer.getData(IMAGE_DRAG_TYPE)) as unknown
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
  } catch {
    // While dragging, the data is not readable yet; the type says it is ours.
    return []
  }
}

/** Called by a drop target that took the images. */
export function finishImageDrop(): void {
  dragging = null
}
