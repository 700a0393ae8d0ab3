// The one image preview dialog: a list of images and which one is open.
import { create } from 'zustand'
import type { ParamValue } from '../../../shared/domain'

export interface PreviewItem {
  key: string
  /** Full-size image when known; otherwise the thumbnail stands in. */
  src: string
  thumbSrc: string
  alt: string
  prompt: string
  params: Record<string, ParamValue>
  createdAt: number
  width?: number
  height?: number
  bytes?: number
  format?: string
  /** What Oxen charged, as its decimal string. */
  cost?: string
}

interface PreviewState {
  items: PreviewItem[]
  index: number | null
  /** Where focus was when the preview opened, to go back to when it closes. */
  returnFocus: HTMLElement | null
  open: (items: PreviewItem[], index: number) => void
  close: () => void
  step: (delta: number) => void
}

export const usePreview = create<PreviewState>()((set, get) => ({
  items: [],
  index: null,
  returnFocus: null,
  open: (items, index) => set({ items, index, returnFocus: document.activeElement instanceof HTMLElement ? document.activeElement : null }),
  close: () => set({ index: null }),
  step: (delta) => {
    const { index, items } = get()
    if (index === null || items.length === 0) return
    set({ index: (index + delta + items.length) % items.length })
  },
}))
