// Recent library images by job (Results takes full-size images from it), page by page. A library change refetches
// the first page and merges it in front of what is already loaded.
import { create } from 'zustand'
import type { HistoryEntry, LibraryImage } from '../../../shared/domain'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'
import { useLibrary } from './library'

export const HISTORY_PAGE = 30

interface HistoryState {
  entries: HistoryEntry[]
  nextCursor: string | null
  status: 'loading' | 'ready' | 'error'
  error: string | null
  loadingMore: boolean
  /** Pages loaded past the first; decides whose cursor survives a refresh. */
  extraPages: number
  refresh: () => Promise<void>
  loadMore: () => Promise<void>
}

function merge(front: HistoryEntry[], rest: HistoryEntry[]): HistoryEntry[] {
  const seen = new Set(front.map((e) => e.jobId))
  return [...front, ...rest.filter((e) => !seen.has(e.jobId))]
}

export const useHistory = create<HistoryState>()((set, get) => ({
  entries: [],
  nextCursor: null,
  status: 'loading',
  error: null,
  loadingMore: false,
  extraPages: 0,
  refresh: coalesce(async () => {
    const result = await settle(api.listHistory({ limit: HISTORY_PAGE }))
    if (!result.ok) {
      set({ status: get().entries.length ? 'ready' : 'error', error: result.error.message })
      return
    }
    const { entries, nextCursor, extraPages } = get()
    set({
      entries: merge(result.value.entries, entries),
      nextCursor: extraPages > 0 ? nextCursor : result.value.nextCursor,
      status: 'ready',
      error: null,
    })
  }),
  loadMore: async () => {
    const { nextCursor, loadingMore } = get()
    if (!nextCursor || loadingMore) return
    set({ loadingMore: true })
    const result = await settle(api.listHistory({ limit: HISTORY_PAGE, cursor: nextCursor }))
    if (result.ok) {
      set((s) => ({
        entries: merge(s.entries, result.value.entries),
        nextCursor: result.value.nextCursor,
        extraPages: s.extraPages + 1,
        loadingMore: false,
        error: null,
      }))
    } else set({ loadingMore: false, error: result.error.message })
  },
}))

/** The library copy of an image (it has the full-size `url`), if the library or history has loaded it. */
export function findLibraryImage(imageId: string): LibraryImage | undefined {
  const browsed = useLibrary.getState().items.find((i) => i.id === imageId)
  if (browsed) return browsed
  for (const entry of useHistory.getState().entries) {
    const image = entry.images.find((i) => i.id === imageId)
    if (image) return image
  }
  return undefined
}
