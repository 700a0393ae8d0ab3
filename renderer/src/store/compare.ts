// Compare: 2–4 images side by side. The images are held by id: the library's copy wins once loaded, so a rating or
// flag given here (or in the grid) shows at once; the copy taken when compare opened stands in for the rest.
import { create } from 'zustand'
import type { LibraryImage } from '../../../shared/domain'
import { indexOfImage, useLibrary } from './library'
import { toast } from './toasts'

export const MIN_COMPARE = 2
export const MAX_COMPARE = 4

export const canCompare = (n: number) => n >= MIN_COMPARE && n <= MAX_COMPARE

interface CompareState {
  opened: LibraryImage[]
  open: (images: LibraryImage[]) => void
  close: () => void
}

export const useCompare = create<CompareState>()((set) => ({
  opened: [],
  open: (images) => {
    if (!canCompare(images.length)) {
      toast({ tone: 'info', title: 'Compare takes 2 to 4 images', message: `Select ${images.length < MIN_COMPARE ? 'another image' : `at most ${MAX_COMPARE}`} and try again.` })
      return
    }
    set({ opened: images })
  },
  close: () => set({ opened: [] }),
}))

/** The compared images, current: the library's copy of each where it has one. */
export function useComparedImages(): LibraryImage[] {
  const opened = useCompare((s) => s.opened)
  const items = useLibrary((s) => s.items)
  return opened.map((image) => items[indexOfImage(items, image.id)] ?? image)
}
