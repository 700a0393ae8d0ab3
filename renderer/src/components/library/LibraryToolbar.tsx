// Above the grid: the collection's name, search, date range, sort and thumbnail size; below that, what is
// shown (count, active filters) or, with a selection, what can be done to it.
import { forwardRef, useEffect, type RefObject } from 'react'
import {
  Check,
  ChevronDown,
  Columns2,
  FolderOutput,
  ImagePlus,
  LayoutGrid,
  MoreHorizontal,
  RotateCcw,
  Search,
  Star,
  StarOff,
  Trash2,
  X,
} from 'lucide-react'
import { AlertDialog, DropdownMenu, Select, Slider } from 'radix-ui'
import { useShallow } from 'zustand/react/shallow'
import { formatOption, isMac } from '../../lib/format'
import { canCompare, useCompare } from '../../store/compare'
import { activeFilterCount, TILE_SIZES, useLibrary, type FacetKind, type Sort } from '../../store/library'
import { emptyTrash, exportImages, moveToTrash, restoreImages, setStarred, useAsReference } from '../../store/libraryActions'
import { AlertDialogActions } from '../DialogActions'
import { Hint, Kbd } from '../Hint'
import { IconButton } from '../IconButton'
import { AddToBoardMenu } from './AddToBoardMenu'
import { ImageMenuItems } from './ImageMenuItems'
import { minRatingChip, pickChip } from './Triage'

export function scopeTitle(scope: ReturnType<typeof useLibrary.getState>['scope'], boards: { id: string; name: string }[]): string {
  switch (scope.kind) {
    case 'all':
      return 'All images'
    case 'starred':
      return 'Starred'
    case 'trash':
      return 'Trash'
    case 'board':
      return boards.find((b) => b.id === scope.boardId)?.name ?? 'Board'
  }
}

export const SearchField = forwardRef<HTMLInputElement>(function SearchField(_props, ref) {
  const text = useLibrary((s) => s.text)
  const setText = useLibrary((s) => s.setText)
  return (
    <div className="lib-search">
      <Search className="lib-search-icon" aria-hidden size={14} strokeWidth={1.75} />
      <input
        ref={ref}
        type="search"
        className="input lib-search-input"
        aria-label="Search prompts"
        placeholder="Search prompts"
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text) {
            e.preventDefault()
            e.stopPropagation()
            setText('')
          }
        }}
      />
      {text ? (
        <button type="button" className="lib-search-clear" aria-label="Clear search" onClick={() => setText('')}>
          <X aria-hidden size={12} strokeWidth={2} />
        </button>
      ) : (
        <Kbd>/</Kbd>
      )}
    </div>
  )
})

function DateRange() {
  const { from, to, setDates } = useLibrary(useShallow((s) => ({ from: s.from, to: s.to, setDates: s.setDates })))
  return (
    <div className="lib-dates" role="group" aria-label="Date range">
      <label className="lib-date">
        <span className="lib-date-label">From</span>
        <input type="date" className="input lib-date-input" value={from} max={to || undefined} onChange={(e) => setDates({ from: e.target.value })} />
      </label>
      <span className="lib-date-dash" aria-hidden>
        –
      </span>
      <label className="lib-date">
        <span className="lib-date-label">To</span>
        <input type="date" className="input lib-date-input" value={to} min={from || undefined} onChange={(e) => setDates({ to: e.target.value })} />
      </label>
    </div>
  )
}

const SORTS: { value: Sort; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'rating', label: 'Highest rated' },
]

function SortSelect() {
  const sort = useLibrary((s) => s.sort)
  const setSort = useLibrary((s) => s.setSort)
  return (
    <Select.Root value={sort} onValueChange={(v) => setSort(v as Sort)}>
      <Select.Trigger className="select-trigger lib-sort" aria-label="Sort">
        <Select.Value />
        <Select.Icon className="select-icon">
          <ChevronDown size={14} strokeWidth={1.75} />
        </Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content className="select-content" position="popper" sideOffset={4}>
          <Select.Viewport className="select-viewport">
            {SORTS.map((s) => (
              <Select.Item key={s.value} value={s.value} className="select-item">
                <Select.ItemText>{s.label}</Select.ItemText>
                <Select.ItemIndicator className="select-check">
                  <Check size={14} strokeWidth={2} />
                </Select.ItemIndicator>
              </Select.Item>
            ))}
          </Select.Viewport>
        </Select.Content>
      </Select.Portal>
    </Select.Root>
  )
}

function TileSizeSlider() {
  const tileSize = useLibrary((s) => s.tileSize)
  const setTileSize = useLibrary((s) => s.setTileSize)
  return (
    <Hint content="Thumbnail size">
      <Slider.Root
        className="slider"
        min={TILE_SIZES.min}
        max={TILE_SIZES.max}
        step={8}
        value={[tileSize]}
        onValueChange={([v]) => v !== undefined && setTileSize(v)}
      >
        <Slider.Track className="slider-track">
          <Slider.Range className="slider-range" />
        </Slider.Track>
        <Slider.Thumb className="slider-thumb" aria-label="Thumbnail size" />
      </Slider.Root>
    </Hint>
  )
}

const FACET_CHIP: Record<FacetKind, (v: string) => string> = {
  modelIds: (v) => v,
  sizes: (v) => v,
  aspects: (v) => v,
  formats: (v) => formatOption('format', v),
}

function FilterChips() {
  const state = useLibrary(
    useShallow((s) => ({
      ...{ modelIds: s.modelIds, sizes: s.sizes, aspects: s.aspects, formats: s.formats, from: s.from, to: s.to, scope: s.scope },
      ...{ minRating: s.minRating, pick: s.pick },
    })),
  )
  const { toggleFacet, setDates, setTriageFilter, clearFilters } = useLibrary(
    useShallow((s) => ({ toggleFacet: s.toggleFacet, setDates: s.setDates, setTriageFilter: s.setTriageFilter, clearFilters: s.clearFilters })),
  )
  const count = activeFilterCount(state)
  if (count === 0) return null
  const chips: { key: string; label: string; remove: () => void }[] = []
  for (const kind of ['modelIds', 'sizes', 'aspects', 'formats'] as const) {
    for (const value of state[kind]) chips.push({ key: `${kind}:${value}`, label: FACET_CHIP[kind](value), remove: () => toggleFacet(kind, value) })
  }
  if (state.from) chips.push({ key: 'from', label: `From ${state.from}`, remove: () => setDates({ from: '' }) })
  if (state.to) chips.push({ key: 'to', label: `To ${state.to}`, remove: () => setDates({ to: '' }) })
  if (state.minRating) chips.push({ key: 'rating', label: minRatingChip(state.minRating), remove: () => setTriageFilter({ minRating: 0 }) })
  if (state.pick) chips.push({ key: 'pick', label: pickChip(state.pick), remove: () => setTriageFilter({ pick: null }) })
  return (
    <ul className="lib-chips" aria-label="Active filters">
      {chips.map((chip) => (
        <li key={chip.key} className="lib-chip">
          {chip.label}
          <button type="button" className="lib-chip-remove" aria-label={`Remove filter ${chip.label}`} onClick={chip.remove}>
            <X aria-hidden size={11} strokeWidth={2.25} />
          </button>
        </li>
      ))}
      {chips.length > 1 && (
        <li>
          <button type="button" className="btn btn-ghost btn-sm" onClick={clearFilters}>
            Clear all
          </button>
        </li>
      )}
    </ul>
  )
}

function EmptyTrashButton() {
  const count = useLibrary((s) => s.facets?.counts.trash ?? 0)
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button type="button" className="btn btn-secondary btn-sm btn-danger-text" aria-disabled={count === 0} onClick={(e) => count === 0 && e.preventDefault()}>
          <Trash2 aria-hidden size={13} strokeWidth={1.75} />
          Empty trash
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title className="dialog-title">Empty the trash?</AlertDialog.Title>
          <AlertDialog.Description className="dialog-text">
            {count === 1 ? 'The image in the trash is' : `The ${count.toLocaleString()} images in the trash are`} deleted from this computer for good,
            with {count === 1 ? 'its file' : 'their files'}. This cannot be undone.
          </AlertDialog.Description>
          <AlertDialogActions tone="danger" onAction={() => void emptyTrash()}>
            Empty trash
          </AlertDialogActions>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}

function AddToBoardButton({ ids }: { ids: string[] }) {
  const boards = useLibrary((s) => s.facets?.boards ?? [])
  return <AddToBoardMenu ids={ids} boards={boards} icon={<LayoutGrid aria-hidden size={13} strokeWidth={1.75} />} />
}

function SelectionActions() {
  const { items, selected, clearSelection, scope } = useLibrary(
    useShallow((s) => ({ items: s.items, selected: s.selected, clearSelection: s.clearSelection, scope: s.scope })),
  )
  const images = items.filter((i) => selected.has(i.id))
  const ids = images.map((i) => i.id)
  const trashView = scope.kind === 'trash'
  const allStarred = images.every((i) => i.starred)
  return (
    <div className="lib-selection" role="toolbar" aria-label="Selection">
      <span className="lib-selection-count tabular" aria-live="polite">
        {ids.length.toLocaleString()} selected
      </span>
      {trashView ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void restoreImages(ids)}>
          <RotateCcw aria-hidden size={13} strokeWidth={1.75} />
          Restore
        </button>
      ) : (
        <>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void setStarred(ids, !allStarred)}>
            {allStarred ? <StarOff aria-hidden size={13} strokeWidth={1.75} /> : <Star aria-hidden size={13} strokeWidth={1.75} />}
            {allStarred ? 'Unstar' : 'Star'}
          </button>
          <AddToBoardButton ids={ids} />
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void useAsReference(ids)}>
            <ImagePlus aria-hidden size={13} strokeWidth={1.75} />
            Use as reference
          </button>
          {canCompare(ids.length) && (
            <Hint content={<>Compare side by side (C)</>}>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => useCompare.getState().open(images)}>
                <Columns2 aria-hidden size={13} strokeWidth={1.75} />
                Compare
              </button>
            </Hint>
          )}
          <DropdownMenu.Root modal={false}>
            <DropdownMenu.Trigger asChild>
              <button type="button" className="btn btn-ghost btn-sm">
                <FolderOutput aria-hidden size={13} strokeWidth={1.75} />
                Export
                <ChevronDown aria-hidden size={12} strokeWidth={2} />
              </button>
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content className="menu" align="start" sideOffset={4} collisionPadding={8}>
                <DropdownMenu.Item className="menu-item" onSelect={() => void exportImages(ids, 'folder')}>
                  <span className="menu-label">To a folder…</span>
                </DropdownMenu.Item>
                <DropdownMenu.Item className="menu-item" onSelect={() => void exportImages(ids, 'zip')}>
                  <span className="menu-label">As a zip file…</span>
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => void moveToTrash(ids)}>
            <Trash2 aria-hidden size={13} strokeWidth={1.75} />
            Move to trash
          </button>
        </>
      )}
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <IconButton label="More actions" icon={MoreHorizontal} size="sm" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
            <ImageMenuItems kit={DropdownMenu} images={images} />
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <IconButton label="Clear selection" icon={X} size="sm" onClick={clearSelection} />
    </div>
  )
}

export function LibraryToolbar({ searchRef }: { searchRef: RefObject<HTMLInputElement | null> }) {
  const { scope, facets, items, nextCursor, selectedCount, status } = useLibrary(
    useShallow((s) => ({ scope: s.scope, facets: s.facets, items: s.items, nextCursor: s.nextCursor, selectedCount: s.selected.size, status: s.status })),
  )
  const title = scopeTitle(scope, facets?.boards ?? [])
  const shown = items.length
  const countText = status !== 'ready' ? '' : nextCursor ? `${shown.toLocaleString()}+ images` : `${shown.toLocaleString()} ${shown === 1 ? 'image' : 'images'}`

  // "/" and Ctrl/Cmd+F go to the search field from anywhere in the library.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null
      const typing = target?.closest('input, textarea, select, [contenteditable="true"]')
      const find = (event.key === 'f' || event.key === 'F') && (event.metaKey || event.ctrlKey) && !event.altKey
      if ((event.key === '/' && !typing && !event.metaKey && !event.ctrlKey) || find) {
        if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return
        event.preventDefault()
        searchRef.current?.focus()
        searchRef.current?.select()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [searchRef])

  return (
    <div className="lib-toolbar">
      <div className="lib-toolbar-main">
        <div className="lib-title">
          <h1 id="library-heading">{title}</h1>
          <span className="lib-title-count tabular">{countText}</span>
        </div>
        <SearchField ref={searchRef} />
        <DateRange />
        <SortSelect />
        <TileSizeSlider />
      </div>
      <div className="lib-toolbar-sub">
        {selectedCount > 0 ? (
          <SelectionActions />
        ) : (
          <>
            <FilterChips />
            <span className="lib-toolbar-spacer" />
            {scope.kind === 'trash' && (
              <>
                <span className="lib-trash-note">Images stay in the trash until you empty it.</span>
                <EmptyTrashButton />
              </>
            )}
            {scope.kind !== 'trash' && items.length > 0 && (
              <span className="lib-hint">
                Select with click, <Kbd>Shift</Kbd>/<Kbd>{isMac ? '⌘' : 'Ctrl'}</Kbd> click or the arrow keys ·{' '}
                <Kbd>Space</Kbd> preview · <Kbd>Enter</Kbd> details · <Kbd>1</Kbd>–<Kbd>5</Kbd> rate · <Kbd>P</Kbd> pick ·{' '}
                <Kbd>X</Kbd> reject
              </span>
            )}
          </>
        )}
      </div>
    </div>
  )
}
