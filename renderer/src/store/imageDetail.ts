// The "Image details" dialog: which image is open and what main told about it (its references, where it
// was used, its boards). Stepping with ←/→ walks the images loaded in the library grid.
import { create } from 'zustand'
import type { ImageDetail, LibraryImage } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { useLibrary } from './library'

interface ImageDetailState {
  imageId: string | null
  /** The grid's copy, shown at once while the detail loads. */
  image: LibraryImage | null
  detail: ImageDetail | null
  error: string | null
  /** Where focus was when the dialog opened, to go back to when it closes. */
  returnFocus: HTMLElement | null
  open: (image: LibraryImage | string) => void
  close: () => void
  /** Re-reads the open image (after it was starred, trashed, added to a board…). */
  refresh: () => Promise<void>
  step: (delta: number) => void
}

let asked = 0

export const useImageDetail = create<ImageDetailState>()((set, get) => ({
  imageId: null,
  image: null,
  detail: null,
  error: null,
  returnFocus: null,
  open: (target) => {
    const imageId = typeof target === 'string' ? target : target.id
    const image = typeof target === 'string' ? (useLibrary.getState().items.find((i) => i.id === target) ?? null) : target
    const opening = get().imageId === null
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null
    set({ imageId, image, detail: null, error: null, ...(opening ? { returnFocus: focused } : {}) })
    useLibrary.getState().setFocus(imageId)
    void get().refresh()
  },
  close: () => set({ imageId: null, image: null, detail: null, error: null }),
  refresh: async () => {
    const { imageId } = get()
    if (!imageId) return
    const mine = ++asked
    const result = await settle(api.getImageDetail({ imageId }))
    if (mine !== asked || get().imageId !== imageId) return
    if (result.ok) set({ detail: result.value, image: result.value.image, error: null })
    else set({ error: result.error.message })
  },
  step: (delta) => {
    const { imageId } = get()
    const { items } = useLibrary.getState()
    const at = items.findIndex((i) => i.id === imageId)
    if (at < 0 || items.length < 2) return
    const next = items[(at + delta + items.length) % items.length]
    if (next) get().open(next)
  },
}))

/** The open image as best known: main's detail when it came, else the grid's copy. */
export const currentImage = (s: ImageDetailState): LibraryImage | null => s.detail?.image ?? s.image
