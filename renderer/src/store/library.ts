// The library as the user is browsing it: the query (search, scope, filters, dates, sort), the images it
// answered so far (paged by cursor), the facets for the sidebar, and the selection. Answers that arrive for
// a query the user has since changed are dropped. Organising actions live in libraryActions.ts.
import { create } from 'zustand'
import type { ImageFormat, LibraryFacets, LibraryFilters, LibraryImage, LibraryQuery } from '../../../shared/domain'
import { IMAGE_FORMATS, IMAGE_SIZES } from '../../../shared/limits'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'

export const LIBRARY_PAGE = 120
/** The first answer only has to fill one screen; the grid asks for the rest straight after. */
const FIRST_PAGE = 48
/** A reload re-reads everything loaded so far in one request, up to the contract's page limit. */
const MAX_RELOAD = 500
/** Search as you type, without a request per keystroke. */
export const SEARCH_DEBOUNCE_MS = 120

export type Scope = { kind: 'all' } | { kind: 'starred' } | { kind: 'trash' } | { kind: 'board'; boardId: string }
export type FacetKind = 'modelIds' | 'sizes' | 'aspects' | 'formats'
export type Sort = NonNullable<LibraryQuery['sort']>
export type PickFilter = NonNullable<LibraryFilters['pick']>

export interface LibraryFilterState {
  scope: Scope
  modelIds: string[]
  sizes: string[]
  aspects: string[]
  formats: string[]
  /** yyyy-mm-dd from the date inputs; '' when open-ended. */
  from: string
  to: string
  /** Triage: at least this many stars (0: any), and which flags to show (null: all). */
  minRating: number
  pick: PickFilter | null
}

const NO_FILTERS: Omit<LibraryFilterState, 'scope'> = { modelIds: [], sizes: [], aspects: [], formats: [], from: '', to: '', minRating: 0, pick: null }

interface LibraryState extends LibraryFilterState {
  /** What is in the search field now (the query follows it after a short pause). */
  text: string
  /** The text the current results answer. */
  queriedText: string
  sort: Sort
  items: LibraryImage[]
  nextCursor: string | null
  status: 'loading' | 'ready' | 'error'
  error: string | null
  loadingMore: boolean
  facets: LibraryFacets | null
  selected: ReadonlySet<string>
  /** Where a Shift-extended range starts. */
  anchorId: string | null
  /** The tile that has (or would have) keyboard focus. */
  focusId: string | null
  /** The smallest tile width the grid fills its rows with (the toolbar's thumbnail size). */
  tileSize: number

  setText: (text: string) => void
  setScope: (scope: Scope) => void
  toggleFacet: (kind: FacetKind, value: string) => void
  clearFacet: (kind: FacetKind) => void
  setDates: (dates: { from?: string; to?: string }) => void
  setTriageFilter: (filter: { minRating?: number; pick?: PickFilter | null }) => void
  clearFilters: () => void
  setSort: (sort: Sort) => void
  /** The first page of the current query (selection kept for images still shown). */
  search: () => Promise<void>
  loadMore: () => Promise<void>
  /** Re-reads what is loaded (plus room for new images: see reloadLibrary), e.g. after the library changed. */
  reload: () => Promise<void>
  loadFacets: () => Promise<void>

  /** Local, optimistic edits (reconciled by a reload or facets load afterwards). */
  patchItems: (ids: readonly string[], patch: (image: LibraryImage) => LibraryImage) => void
  removeItems: (ids: readonly string[]) => void
  insertItems: (images: readonly LibraryImage[]) => void
  patchCounts: (delta: Partial<LibraryFacets['counts']>) => void

  select: (id: string, how: 'only' | 'toggle' | 'range' | 'add-range') => void
  selectAll: () => void
  clearSelection: () => void
  setFocus: (id: string | null) => void
  setTileSize: (size: number) => void
}

export const TILE_SIZES = { min: 96, max: 360, initial: 184 } as const

/** Local midnight of a yyyy-mm-dd date input value, or of the day after it (`endOfDay`). */
function dayStart(value: string, endOfDay = false): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return undefined
  const start = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (endOfDay ? 1 : 0)).getTime()
  return endOfDay ? start - 1 : start
}

export function filtersOf(state: LibraryFilterState): LibraryFilters {
  const filters: LibraryFilters = {}
  if (state.modelIds.length) filters.modelIds = state.modelIds
  const sizes = state.sizes.filter((s): s is (typeof IMAGE_SIZES)[number] => (IMAGE_SIZES as readonly string[]).includes(s))
  if (sizes.length) filters.sizes = sizes
  if (state.aspects.length) filters.aspects = state.aspects
  const formats = state.formats.filter((f): f is ImageFormat => Object.hasOwn(IMAGE_FORMATS, f))
  if (formats.length) filters.formats = formats
  const from = dayStart(state.from)
  const to = dayStart(state.to, true)
  if (from !== undefined) filters.from = from
  if (to !== undefined) filters.to = to
  if (state.minRating >= 1 && state.minRating <= 5) filters.minRating = state.minRating
  if (state.pick) filters.pick = state.pick
  if (state.scope.kind === 'starred') filters.starred = true
  if (state.scope.kind === 'trash') filters.trash = true
  if (state.scope.kind === 'board') filters.boardId = state.scope.boardId
  return filters
}

/** Filters beyond the scope (what "Clear filters" clears). */
export function activeFilterCount(state: LibraryFilterState): number {
  return (
    state.modelIds.length + state.sizes.length + state.aspects.length + state.formats.length + (state.from ? 1 : 0) + (state.to ? 1 : 0) +
    (state.minRating ? 1 : 0) + (state.pick ? 1 : 0)
  )
}

const sameScope = (a: Scope, b: Scope) => a.kind === b.kind && (a.kind !== 'board' || (b.kind === 'board' && a.boardId === b.boardId))

/** Newer first (or older first, or more stars first then newer), the way main orders them; ties by id so a merge is stable. */
function compare(sort: Sort) {
  return (a: LibraryImage, b: LibraryImage) => {
    if (sort === 'rating' && a.rating !== b.rating) return b.rating - a.rating
    const d = sort === 'oldest' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt
    return d !== 0 ? d : sort !== 'oldest' ? (b.id < a.id ? -1 : 1) : a.id < b.id ? -1 : 1
  }
}

/** Every answer carries the query generation it was asked for; anything older is dropped. */
let generation = 0
let debounce: ReturnType<typeof setTimeout> | undefined
/** The first page being asked for: the same query asked again meanwhile waits for it instead of asking twice. */
let inFlight: { generation: number; key: string; done: Promise<void> } | null = null

/**
 * Each item's position, by id, for the items array it was built for. Built once per array and handed on
 * (extended) when a page is appended, so paging through a large library never re-indexes what is loaded.
 */
const positionsOf = new WeakMap<readonly LibraryImage[], Map<string, number>>()
function positions(items: readonly LibraryImage[]): Map<string, number> {
  let map = positionsOf.get(items)
  if (!map) {
    map = new Map(items.map((image, i) => [image.id, i]))
    positionsOf.set(items, map)
  }
  return map
}

/** Where `id` is in `items` (-1 if absent), without scanning them. */
export function indexOfImage(items: readonly LibraryImage[], id: string | null): number {
  if (!id) return -1
  const at = positions(items).get(id)
  // A map handed on to a longer array also knows that array's later ids: check it is really here.
  return at !== undefined && items[at]?.id === id ? at : -1
}

/** `items` with `page` appended (ids already loaded skipped); the index moves to the new array. */
function appendPage(items: LibraryImage[], page: readonly LibraryImage[]): LibraryImage[] {
  const fresh = page.filter((image) => indexOfImage(items, image.id) < 0)
  if (fresh.length === 0) return items
  const next = items.concat(fresh)
  const map = positions(items)
  fresh.forEach((image, i) => map.set(image.id, items.length + i))
  positionsOf.set(next, map)
  return next
}

function keepSelection(selected: ReadonlySet<string>, items: LibraryImage[]): ReadonlySet<string> {
  if (selected.size === 0) return selected
  const present = new Set(items.map((i) => i.id))
  return new Set([...selected].filter((id) => present.has(id)))
}

export const useLibrary = create<LibraryState>()((set, get) => {
  const query = (limit: number, cursor?: string): LibraryQuery => {
    const s = get()
    return { text: s.text.trim(), filters: filtersOf(s), sort: s.sort, limit, ...(cursor ? { cursor } : {}) }
  }

  /** The first page of the current query (what `search` runs). */
  const firstPage = async () => {
    const asked = ++generation
    const text = get().text.trim()
    set({ status: get().items.length && get().status !== 'error' ? get().status : 'loading', error: null })
    const result = await settle(api.searchLibrary(query(FIRST_PAGE)))
    if (asked !== generation) return
    if (!result.ok) {
      set({ status: 'error', error: result.error.message, loadingMore: false })
      return
    }
    const { items, nextCursor } = result.value
    set((s) => ({
      items,
      nextCursor,
      queriedText: text,
      status: 'ready',
      error: null,
      loadingMore: false,
      selected: keepSelection(s.selected, items),
      focusId: indexOfImage(items, s.focusId) >= 0 ? s.focusId : null,
    }))
  }

  /** A changed query starts over: new results, selection cleared of what is gone. */
  const requery = () => {
    clearTimeout(debounce)
    void get().search()
  }

  return {
    scope: { kind: 'all' },
    ...NO_FILTERS,
    text: '',
    queriedText: '',
    sort: 'newest',
    items: [],
    nextCursor: null,
    status: 'loading',
    error: null,
    loadingMore: false,
    facets: null,
    selected: new Set(),
    anchorId: null,
    focusId: null,
    tileSize: TILE_SIZES.initial,

    setText: (text) => {
      set({ text })
      clearTimeout(debounce)
      debounce = setTimeout(() => void get().search(), SEARCH_DEBOUNCE_MS)
    },
    setScope: (scope) => {
      if (sameScope(scope, get().scope)) return
      // A different collection is a different set of images: nothing selected carries over.
      set({ scope, selected: new Set(), anchorId: null, focusId: null })
      requery()
    },
    toggleFacet: (kind, value) => {
      const list = get()[kind]
      const next = list.includes(value) ? list.filter((v) => v !== value) : [...list, value]
      set({ [kind]: next } as Partial<Pick<LibraryFilterState, FacetKind>>)
      requery()
    },
    clearFacet: (kind) => {
      set({ [kind]: [] as string[] } as Partial<Pick<LibraryFilterState, FacetKind>>)
      requery()
    },
    setDates: (dates) => {
      set(dates)
      requery()
    },
    setTriageFilter: (filter) => {
      set(filter)
      requery()
    },
    clearFilters: () => {
      set({ ...NO_FILTERS, text: '' })
      requery()
    },
    setSort: (sort) => {
      set({ sort })
      requery()
    },

    search: () => {
      const key = JSON.stringify(query(FIRST_PAGE))
      if (inFlight && inFlight.generation === generation && inFlight.key === key) return inFlight.done
      const done = firstPage()
      inFlight = { generation, key, done }
      void done.finally(() => {
        if (inFlight?.done === done) inFlight = null
      })
      return done
    },

    loadMore: async () => {
      const { nextCursor, loadingMore, status } = get()
      if (!nextCursor || loadingMore || status !== 'ready') return
      const asked = generation
      set({ loadingMore: true })
      const result = await settle(api.searchLibrary(query(LIBRARY_PAGE, nextCursor)))
      if (asked !== generation) return
      if (!result.ok) {
        set({ loadingMore: false, error: result.error.message })
        return
      }
      set((s) => ({ items: appendPage(s.items, result.value.items), nextCursor: result.value.nextCursor, loadingMore: false, error: null }))
    },

    reload: coalesce(async () => {
      const loaded = get().items.length
      // Past what one request may return, the first page is re-read and merged in front instead.
      const whole = loaded < MAX_RELOAD
      const limit = Math.min(MAX_RELOAD, Math.max(LIBRARY_PAGE, loaded + pendingExtra))
      pendingExtra = 0
      const asked = ++generation
      const text = get().text.trim()
      const result = await settle(api.searchLibrary(query(whole ? limit : LIBRARY_PAGE)))
      if (asked !== generation) return
      if (!result.ok) {
        set({ error: result.error.message })
        return
      }
      set((s) => {
        let items = result.value.items
        let nextCursor = result.value.nextCursor
        if (!whole) {
          const front = new Set(items.map((i) => i.id))
          items = [...items, ...s.items.filter((i) => !front.has(i.id))]
          nextCursor = s.nextCursor
        }
        return {
          items,
          nextCursor,
          queriedText: text,
          status: 'ready',
          error: null,
          selected: keepSelection(s.selected, items),
          focusId: indexOfImage(items, s.focusId) >= 0 ? s.focusId : null,
        }
      })
    }),

    loadFacets: coalesce(async () => {
      const result = await settle(api.getLibraryFacets())
      if (result.ok) set({ facets: result.value })
    }),

    patchItems: (ids, patch) => {
      const which = new Set(ids)
      set((s) => ({ items: s.items.map((i) => (which.has(i.id) ? patch(i) : i)) }))
    },
    removeItems: (ids) => {
      const which = new Set(ids)
      set((s) => {
        const items = s.items.filter((i) => !which.has(i.id))
        // Focus moves to the tile that took the first removed one's place, so the keyboard user keeps their spot.
        let focusId = s.focusId
        if (focusId && which.has(focusId)) {
          const at = s.items.findIndex((i) => i.id === focusId)
          const after = s.items.slice(at).find((i) => !which.has(i.id)) ?? [...s.items.slice(0, at)].reverse().find((i) => !which.has(i.id))
          focusId = after?.id ?? null
        }
        return { items, selected: keepSelection(s.selected, items), focusId, anchorId: focusId }
      })
    },
    insertItems: (images) => {
      set((s) => {
        const present = new Set(s.items.map((i) => i.id))
        const added = images.filter((i) => !present.has(i.id))
        return { items: [...s.items, ...added].sort(compare(s.sort)) }
      })
    },
    patchCounts: (delta) => {
      set((s) =>
        s.facets
          ? {
              facets: {
                ...s.facets,
                counts: {
                  all: Math.max(0, s.facets.counts.all + (delta.all ?? 0)),
                  starred: Math.max(0, s.facets.counts.starred + (delta.starred ?? 0)),
                  trash: Math.max(0, s.facets.counts.trash + (delta.trash ?? 0)),
                },
              },
            }
          : {},
      )
    },

    select: (id, how) => {
      set((s) => {
        if (how === 'only') return { selected: new Set([id]), anchorId: id, focusId: id }
        if (how === 'toggle') {
          const selected = new Set(s.selected)
          if (selected.has(id)) selected.delete(id)
          else selected.add(id)
          return { selected, anchorId: id, focusId: id }
        }
        const anchor = indexOfImage(s.items, s.anchorId) >= 0 ? s.anchorId! : id
        const [a, b] = [indexOfImage(s.items, anchor), indexOfImage(s.items, id)].sort((x, y) => x - y) as [number, number]
        const range = s.items.slice(a, b + 1).map((i) => i.id)
        const selected = how === 'add-range' ? new Set([...s.selected, ...range]) : new Set(range)
        return { selected, anchorId: anchor, focusId: id }
      })
    },
    selectAll: () => set((s) => ({ selected: new Set(s.items.map((i) => i.id)) })),
    clearSelection: () => set({ selected: new Set() }),
    setFocus: (focusId) => set({ focusId }),
    setTileSize: (tileSize) => set({ tileSize: Math.min(TILE_SIZES.max, Math.max(TILE_SIZES.min, Math.round(tileSize))) }),
  }
})

/** New images to make room for at the next reload (summed while a reload is already running). */
let pendingExtra = 0
export function reloadLibrary(extra = 0): Promise<void> {
  pendingExtra += extra
  return useLibrary.getState().reload()
}

/** The selected images, in grid order. */
export function selectedImages(): LibraryImage[] {
  const { items, selected } = useLibrary.getState()
  return selected.size === 0 ? [] : items.filter((i) => selected.has(i.id))
}

export { sameScope }

/** The library's copy of an image (full-size URL, dimensions, cost), if it has loaded it. */
export function findLibraryImage(imageId: string): LibraryImage | undefined {
  const { items } = useLibrary.getState()
  return items[indexOfImage(items, imageId)]
}

/**
 * Asks for the library's first page at once: the entry script calls it while the rest of the app still loads, so the
 * answer is on its way (or here) when the first screen renders. The app's own first search then waits for this one.
 */
export function prefetchLibrary(): void {
  void useLibrary.getState().search()
}
