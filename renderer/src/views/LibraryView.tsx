// The Library: every image Atelier made, to browse (search, filters, sort), organise (star, boards, trash)
// and reuse (settings, prompt, parameters, as a reference). History lives here now.
import { useRef } from 'react'
import { CloudDownload, Images, Loader2, SearchX, Sparkles, Star, Trash2, LayoutGrid } from 'lucide-react'
import { useShallow } from 'zustand/react/shallow'
import { BoardDialogs } from '../components/library/BoardDialogs'
import { ImageDetailDialog } from '../components/library/ImageDetailDialog'
import { LibraryGrid } from '../components/library/LibraryGrid'
import { LibrarySidebar } from '../components/library/LibrarySidebar'
import { LibraryToolbar } from '../components/library/LibraryToolbar'
import { Callout } from '../components/Callout'
import { EmptyState } from '../components/EmptyState'
import { Kbd } from '../components/Hint'
import { activeFilterCount, useLibrary } from '../store/library'
import { useNavigation } from '../store/navigation'
import { useSync } from '../store/sync'

function SkeletonGrid() {
  return (
    <div className="lib-skeleton" aria-hidden>
      {Array.from({ length: 18 }, (_, i) => (
        <span key={i} className="skeleton lib-skeleton-tile" />
      ))}
    </div>
  )
}

/** Why nothing is shown, and the way out. */
function NothingHere() {
  const state = useLibrary(
    useShallow((s) => ({
      scope: s.scope,
      queriedText: s.queriedText,
      modelIds: s.modelIds,
      sizes: s.sizes,
      aspects: s.aspects,
      formats: s.formats,
      from: s.from,
      to: s.to,
      minRating: s.minRating,
      pick: s.pick,
      total: s.facets?.counts.all,
    })),
  )
  const { clearFilters, setScope } = useLibrary(useShallow((s) => ({ clearFilters: s.clearFilters, setScope: s.setScope })))
  const go = useNavigation((s) => s.go)
  // A pull or a history import on its way into an empty library: say so rather than "empty".
  const incoming = useSync((s) => Object.values(s.tasks).find((t) => t.kind !== 'push' && t.state === 'running'))
  const filtered = activeFilterCount(state) > 0
  const clear = (
    <button type="button" className="btn btn-secondary" onClick={clearFilters}>
      {state.queriedText ? 'Clear search' : 'Clear filters'}
    </button>
  )

  if (state.queriedText) {
    return (
      <EmptyState icon={SearchX} title={`No results for “${state.queriedText}”`} action={clear}>
        {filtered ? 'Nothing matches the search with these filters. ' : ''}Words match the start of words in prompts: “light” finds “lighthouse”.
      </EmptyState>
    )
  }
  if (filtered) {
    return (
      <EmptyState icon={SearchX} title="No images match these filters" action={clear}>
        Remove a filter or widen the date range.
      </EmptyState>
    )
  }
  switch (state.scope.kind) {
    case 'starred':
      return (
        <EmptyState icon={Star} title="No starred images yet">
          Star the images you like best: press <Kbd>S</Kbd> with images selected, or choose Star in their menu.
        </EmptyState>
      )
    case 'trash':
      return (
        <EmptyState icon={Trash2} title="The trash is empty">
          Images you move to the trash wait here until you empty it.
        </EmptyState>
      )
    case 'board':
      return (
        <EmptyState
          icon={LayoutGrid}
          title="This board is empty"
          action={
            <button type="button" className="btn btn-secondary" onClick={() => setScope({ kind: 'all' })}>
              Show all images
            </button>
          }
        >
          Drag images onto the board in the sidebar, or choose “Add to board” on any image.
        </EmptyState>
      )
    case 'all':
      if (incoming) {
        return (
          <EmptyState icon={CloudDownload} title={incoming.kind === 'pull' ? `Pulling from ${incoming.target}` : 'Importing your Oxen history'}>
            Images appear here as they arrive{incoming.total ? ` (${incoming.done} of ${incoming.total} so far)` : ''}.
          </EmptyState>
        )
      }
      return (
        <EmptyState
          icon={Images}
          title="Your library is empty"
          action={
            <button type="button" className="btn btn-primary" onClick={() => go('create')}>
              <Sparkles aria-hidden size={14} strokeWidth={1.75} />
              Create your first image
            </button>
          }
        >
          Every image you generate is kept here, with the prompt and settings that made it.
        </EmptyState>
      )
  }
}

export function LibraryView() {
  // Whether there are images, not how many: a page appended must not re-render the sidebar and toolbar.
  const { status, error, count, search } = useLibrary(useShallow((s) => ({ status: s.status, error: s.error, count: Math.min(1, s.items.length), search: s.search })))
  const searchRef = useRef<HTMLInputElement>(null)

  return (
    <section className="library" aria-label="Library">
      <LibrarySidebar />
      <div className="lib-main">
        <LibraryToolbar searchRef={searchRef} />
        {error && (
          <Callout
            tone="danger"
            title="The library could not be loaded"
            role="alert"
            className="lib-error"
            action={
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => void search()}>
                Try again
              </button>
            }
          >
            {error}
          </Callout>
        )}
        <div className="lib-body">
          {status === 'loading' && count === 0 ? (
            <>
              <span className="visually-hidden" role="status">
                <Loader2 aria-hidden /> Loading the library…
              </span>
              <SkeletonGrid />
            </>
          ) : count === 0 ? (
            status === 'ready' && <NothingHere />
          ) : (
            <LibraryGrid />
          )}
        </div>
      </div>
      <ImageDetailDialog />
      <BoardDialogs />
    </section>
  )
}
